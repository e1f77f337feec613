"""How ensembles are summarised: medians and 5–95% intervals, as every command reports them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

LOW_Q, HIGH_Q = 0.05, 0.95
#: The interval's name in outputs for code (JSON's ``interval``); text for reading says
#: :data:`channelsim.formatting.INTERVAL_WORDS`.
INTERVAL = "90% interval (5th to 95th percentile)"


def interval_stats(values: np.ndarray) -> dict[str, float]:
    """Median, ``low`` (5%) and ``high`` (95%) quantiles and mean of the finite values
    (NaN when there are none): the figures every ensemble command reports."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return dict.fromkeys(STATS, math.nan)
    return {
        "median": float(np.median(finite)),
        "low": float(np.quantile(finite, LOW_Q)),
        "high": float(np.quantile(finite, HIGH_Q)),
        "mean": float(finite.mean()),
    }


STATS = ("median", "low", "high", "mean")

#: The figure by which a map's typical run is chosen: the most skewed of the key figures (a
#: year's dead or missing: median 16, one run in 20 near 200).
TYPICAL_FIGURE = "dead_or_missing_people"


def typical_position(values: Any) -> int:
    """Position of the member whose value is closest to the median of all (the first of
    equals): the run a map draws, so that its boats are not one atypical member's (``values``:
    one finite value per member; at least one)."""
    array = np.asarray(values, dtype=np.float64)
    return int(np.argmin(np.abs(array - np.median(array))))


def interval_columns(values: np.ndarray) -> list[dict[str, float]]:
    """:func:`interval_stats` of each column of a ``members × columns`` array, computed for
    all the columns without a missing value at once (one quantile call each, not one per
    column), bit for bit the same: each column is reduced as one contiguous row, as
    :func:`interval_stats` reduces it."""
    rows = np.ascontiguousarray(np.asarray(values, dtype=np.float64).T)
    whole = np.isfinite(rows).all(axis=1) & (rows.shape[1] > 0)  # no member: NaN
    found = rows[whole]
    stats: list[dict[str, float]] = [{} for _ in range(len(rows))]
    if whole.any():
        columns = np.stack(
            [
                np.median(found, axis=1),
                np.quantile(found, LOW_Q, axis=1),
                np.quantile(found, HIGH_Q, axis=1),
                found.mean(axis=1),
            ],
            axis=1,
        ).tolist()
        for i, values_of_row in zip(np.flatnonzero(whole), columns, strict=True):
            stats[i] = dict(zip(STATS, values_of_row, strict=True))
    for i in np.flatnonzero(~whole):
        stats[i] = interval_stats(rows[i])
    return stats


def plain_json(value: Any) -> Any:
    """A JSON-ready copy: NumPy scalars as Python values, NaN and infinities as null."""
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_json(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
