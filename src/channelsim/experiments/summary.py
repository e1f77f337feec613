"""How ensembles are summarised: medians and 5–95% intervals, as every command reports them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

LOW_Q, HIGH_Q = 0.05, 0.95
INTERVAL = "5–95%"


def interval_stats(values: np.ndarray) -> dict[str, float]:
    """Median, ``low`` (5%) and ``high`` (95%) quantiles and mean of the finite values
    (NaN when there are none): the figures every ensemble command reports."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return dict.fromkeys(("median", "low", "high", "mean"), math.nan)
    return {
        "median": float(np.median(finite)),
        "low": float(np.quantile(finite, LOW_Q)),
        "high": float(np.quantile(finite, HIGH_Q)),
        "mean": float(finite.mean()),
    }


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
