"""User errors cross process boundaries intact (ensembles raise them in workers)."""

from __future__ import annotations

import pickle

from channelsim.errors import InputError


def test_input_error_survives_pickling() -> None:
    error = InputError("x.toml", "params.sea.engine_speed_kn", "expected a number ≤ 15, got 40")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, InputError)
    assert (
        str(copy)
        == str(error)
        == ("x.toml: params.sea.engine_speed_kn: expected a number ≤ 15, got 40")
    )
    assert (copy.source, copy.where, copy.expected) == (error.source, error.where, error.expected)
