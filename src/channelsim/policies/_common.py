"""Shared pieces of the policies: saturating effort curves, zone masks and keyed counting draws."""

from __future__ import annotations

import numpy as np

from channelsim.engine.policy import DayView, Policy
from channelsim.engine.stages import Setup

DAYS_PER_YEAR = 365.25
#: Upper bound of a policy's yearly or one-off total cost: £10bn, far above any Channel
#: programme's (the Rwanda scheme cost about £700m in all; the 2023 beach-patrol deal
#: €541m over three years), so that a mistyped cost is refused instead of overflowing the
#: cost ledger (1e308 pounds a year read back as 9.99e307).
COST_GBP_PER_YEAR_MAX = 1e10


def saturating(
    base_probability: float | np.ndarray, effort: float | np.ndarray, scale: float
) -> np.ndarray:
    """``1 − (1 − base)·exp(−effort/scale)``: each ``scale`` of effort removes a fixed share
    of what still gets through, so money added to an already well-guarded place buys less."""
    base = np.asarray(base_probability, dtype=np.float64)
    return 1.0 - (1.0 - base) * np.exp(-np.asarray(effort, dtype=np.float64) / scale)


def zones_of_kind(kind: str) -> list[str]:
    """The launch zones of ``kind`` (``beach`` or ``waterway``) of the packaged geography."""
    from channelsim.world.geography import strait_spec

    return [z["name"] for z in strait_spec()["launch_zones"] if z["kind"] == kind]


def known_zones(zones: tuple[str, ...] | None, kind: str) -> tuple[str, ...] | None:
    """``zones`` itself if each is a launch zone of ``kind`` (``beach`` or ``waterway``) of
    the packaged geography; otherwise a ValueError listing them (a misspelt zone guarded
    nothing while its cost was still booked)."""
    if zones is None:
        return None
    valid = zones_of_kind(kind)
    if not zones:  # guards nothing while its cost is booked: "£50m of patrols do nothing"
        raise ValueError(
            f"expected at least one {kind} zone among {', '.join(valid)} (or no `zones` key "
            "for the default), got an empty list"
        )
    unknown = [z for z in zones if z not in valid]
    if unknown:
        given = ", ".join(repr(z) for z in unknown)
        raise ValueError(f"expected {kind} zones among {', '.join(valid)}; got {given}")
    twice = sorted({z for z in zones if zones.count(z) > 1})
    if twice:
        given = ", ".join(repr(z) for z in twice)
        raise ValueError(f"expected each {kind} zone once; got {given} more than once")
    return zones


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
    from channelsim.rng import count_below  # not on import: Numba (a driver validates policies)

    return count_below(day.seed, policy.stream(decision), day.day, key0, n, p)
