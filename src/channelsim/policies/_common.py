"""Shared pieces of the policies: saturating effort curves, zone masks and keyed counting draws."""

from __future__ import annotations

import numpy as np

from channelsim.engine.policy import DayView, Policy
from channelsim.engine.stages import Setup
from channelsim.rng import count_below

DAYS_PER_YEAR = 365.25


def saturating(
    base_probability: float | np.ndarray, effort: float | np.ndarray, scale: float
) -> np.ndarray:
    """``1 − (1 − base)·exp(−effort/scale)``: each ``scale`` of effort removes a fixed share
    of what still gets through, so money added to an already well-guarded place buys less."""
    base = np.asarray(base_probability, dtype=np.float64)
    return 1.0 - (1.0 - base) * np.exp(-np.asarray(effort, dtype=np.float64) / scale)


def zone_mask(setup: Setup, zones: tuple[str, ...] | None, waterway: bool) -> np.ndarray:
    """Zones of the requested kind, restricted to ``zones`` if given."""
    mask = setup.zone_is_waterway == waterway
    if zones is not None:
        mask &= np.isin(np.array(setup.zone_names), np.array(zones))
    return mask


def binomial(policy: Policy, day: DayView, decision: str, n: int, p: float, key0: int = 0) -> int:
    """How many of ``n`` people (keys ``key0..key0+n-1``) a ``p`` chance picks, drawn from the
    policy's own stream for ``decision`` so that the same person gets the same draw in every
    scenario."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    return count_below(day.seed, policy.stream(decision), day.day, key0, n, p)
