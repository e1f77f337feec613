"""Ensemble intervals computed over every column at once are, bit for bit, those of one
column at a time (the figures ``run --runs`` reports must not depend on how they were
computed)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from channelsim.experiments.summary import interval_columns, interval_stats


def _bits(stats: dict[str, float]) -> dict[str, bytes]:
    return {k: np.float64(v).tobytes() for k, v in stats.items()}


@settings(max_examples=200, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(0, 150), st.integers(1, 12)),
        elements=st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
        | st.sampled_from([math.nan, math.inf, 0.0, 1.0, 1e6]),
    )
)
def test_every_column_at_once_is_each_column_alone(values: np.ndarray) -> None:
    together = interval_columns(values)
    assert [_bits(s) for s in together] == [_bits(interval_stats(c)) for c in values.T]


def test_sums_of_many_members_are_those_of_one_column() -> None:
    """Means of a few hundred members, where a sum's order shows in its last bits."""
    values = np.random.default_rng(7).lognormal(8, 2, size=(400, 30))
    together = interval_columns(values)
    assert [_bits(s) for s in together] == [_bits(interval_stats(c)) for c in values.T]
