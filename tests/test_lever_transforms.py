"""A policy's :class:`~channelsim.engine.Transform`: a lever moved by a function of its value
once every policy's effects have combined, worked out before the run (issue 11: policies
declare the stage they act on and how their effects combine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np

from channelsim.engine import Effect, Policy, Scenario, Setup, Sim, Transform

BASE = Scenario(name="base", start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 10), seed=3)


class Chance(Policy):
    """An extra independent chance of stopping a launch on every zone."""

    chance: float = 0.2

    def effects(self, setup: Setup) -> Iterator[Effect]:
        yield Effect("prevention_probability", "chance", self.chance)


class Halve(Policy):
    """Halves what is left of the chance of a launch getting through, on chosen days."""

    on_days: tuple[int, ...] | None = None

    def effects(self, setup: Setup) -> Iterator[Transform]:
        days = None
        if self.on_days is not None:
            days = np.isin(np.arange(setup.n_days), self.on_days)
        yield Transform("prevention_probability", lambda p, rows: 1.0 - (1.0 - p) / 2.0, days)


class Square(Policy):
    """Squares the chance: a transform whose order against another's matters."""

    def effects(self, setup: Setup) -> Iterator[Transform]:
        yield Transform("prevention_probability", lambda p, rows: p * p)


def _prevention(*policies: Policy) -> np.ndarray:
    state = Sim(BASE, policies=list(policies)).setup()
    return np.array(state.zone_levers["prevention_probability"])


def test_a_transform_acts_on_the_combined_lever_whatever_the_policies_order() -> None:
    base = _prevention()
    combined = 1.0 - (1.0 - base) * (1.0 - 0.2)
    expected = 1.0 - (1.0 - combined) / 2.0
    assert np.allclose(_prevention(Halve(), Chance()), expected, rtol=0, atol=1e-15)
    assert np.array_equal(_prevention(Halve(), Chance()), _prevention(Chance(), Halve()))


def test_transforms_act_in_the_policies_order_on_their_days() -> None:
    base = _prevention()
    halved_then_squared = (1.0 - (1.0 - base) / 2.0) ** 2
    squared_then_halved = 1.0 - (1.0 - base**2) / 2.0
    assert np.array_equal(_prevention(Halve(), Square()), halved_then_squared)
    assert np.array_equal(_prevention(Square(), Halve()), squared_then_halved)
    narrowed = _prevention(Halve(on_days=(2, 5), start=dt.date(2025, 6, 4)))  # day 2 is before
    moved = np.flatnonzero(np.any(narrowed != base, axis=1))
    assert moved.tolist() == [5]
