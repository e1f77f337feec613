"""Files nested past a parser's depth are one line naming the file (s13 breaker B18): a
report folder's summary.json, a posterior folder's posterior.toml and an Open-Meteo weather
file of brackets nested 5,000–100,000 deep were RecursionError tracebacks of up to 3,000
lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from channelsim.errors import NESTED_TOO_DEEP, InputError
from channelsim.experiments.calibrate import read_posterior
from channelsim.reports.inputs import _read_json
from channelsim.world.reanalysis import read_open_meteo

DEEP = 100_000


def _deep_json() -> str:
    return "[" * DEEP + "]" * DEEP


def _posterior_folder(tmp_path: Path) -> Path:
    (tmp_path / "posterior.toml").write_text("a = " + "[" * DEEP + "]" * DEEP + "\n")
    (tmp_path / "posterior.parquet").write_bytes(b"")
    return tmp_path / "posterior.toml"


@pytest.mark.parametrize(
    ("name", "write", "read"),
    [
        ("summary.json", lambda p: p.write_text(_deep_json()), _read_json),
        ("weather.json", lambda p: p.write_text(_deep_json()), read_open_meteo),
    ],
)
def test_a_json_input_nested_too_deep_is_one_line(
    tmp_path: Path, name: str, write: Callable[[Path], Any], read: Callable[[Path], Any]
) -> None:
    path = tmp_path / name
    write(path)
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == f"{path}: {NESTED_TOO_DEEP}"


def test_a_posterior_toml_nested_too_deep_is_one_line(tmp_path: Path) -> None:
    summary = _posterior_folder(tmp_path)
    with pytest.raises(InputError) as caught:
        read_posterior(tmp_path)
    assert str(caught.value) == f"{summary}: {NESTED_TOO_DEEP}"
