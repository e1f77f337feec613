"""Policy hooks: where interventions act on the daily loop, and the registry of policy types.

A policy is a pydantic model (its parameters are validated like everything else) with a
``start``/``end`` window. The engine calls its hook methods at fixed stages of each day
(``LOOP`` below, listed in docs/model.md) while the policy is active, passing the day's
mutable :class:`DayContext`. Hooks act on *mechanisms* — the inflow mean, boat stock,
per-zone prevention probabilities, taxi-boat interdiction, the rules of at-sea
interception, returns after arrival — never on the arrival count itself.

Hooks draw random numbers only through ``ctx.uniforms(stream_offset, keys)``, keyed by
``(seed, Stream.POLICY + offset, day, key)``, so a policy does not disturb the draws of
the processes it does not change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from channelsim.errors import InputError
from channelsim.params import Params, raise_input_error
from channelsim.rng import Stream, uniforms
from channelsim.scenario import PolicySpec

#: The daily loop, in order: (stage, what happens, policy hook called at the start of it).
LOOP: tuple[tuple[str, str, str | None], ...] = (
    ("weather", "read the day's weather; decide whether it is a crossing window", None),
    ("inflow", "people arrive on the coast (Poisson around the seasonal mean)", "on_inflow"),
    ("attrition", "some waiting people leave the coast", None),
    ("supply", "boats and engines reach the networks; seizures", "on_supply"),
    ("launch_plan", "networks choose how many people and boats try to leave", "on_launch_plan"),
    ("beach", "zone choice (displaced by patrols), taxi boats, prevention events", "on_beach"),
    ("embarkation", "crush deaths at embarkation", None),
    ("at_sea", "all boats launched today are stepped to their fate", "on_sea"),
    ("outcomes", "arrivals, returns and deaths are booked on the day they happen", None),
    ("post_arrival", "after arrival: returns to France, removals", "on_post_arrival"),
    ("costs", "policies book their costs in the ledger (GBP)", "on_costs"),
)

HOOKS: tuple[str, ...] = tuple(hook for _, _, hook in LOOP if hook is not None)


@dataclass
class Interception:
    """Rules of engagement for intercepting boats under way, read by the at-sea kernel.

    A boat is eligible while, at the start of a step, it has all ``required_flags``, at least
    one of ``any_flags`` (if set) and none of ``forbidden_flags`` (region bits of
    ``channelsim.world.geography``), carries at most
    ``max_people``, the waves are at most ``max_wave_height_m`` and, unless
    ``night_allowed``, it is daylight; ``excluded_share`` of boats (drawn once per boat,
    e.g. children aboard) are never eligible. Eligible boats are intercepted at
    ``rate_per_hour``; an interception tows the boat back to France with
    ``tow_back_probability``, otherwise immobilises it (it then drifts) with
    ``immobilise_probability``; each interception multiplies the capsize hazard of that step
    by ``capsize_multiplier``.
    """

    rate_per_hour: float = 0.0
    required_flags: int = 0
    forbidden_flags: int = 0
    max_people: int = 1000
    max_wave_height_m: float = 99.0
    night_allowed: bool = True
    tow_back_probability: float = 0.0
    immobilise_probability: float = 0.0
    capsize_multiplier: float = 1.0
    excluded_share: float = 0.0
    any_flags: int = 0

    def as_array(self) -> np.ndarray:
        """The float64 layout the kernel reads (order is part of the kernel's contract)."""
        return np.array(
            [
                self.rate_per_hour,
                self.required_flags,
                self.forbidden_flags,
                self.max_people,
                self.max_wave_height_m,
                float(self.night_allowed),
                self.tow_back_probability,
                self.immobilise_probability,
                self.capsize_multiplier,
                self.excluded_share,
                self.any_flags,
            ],
            dtype=np.float64,
        )


@dataclass
class DayContext:
    """The state of one day that hooks may read and change (fields in loop order)."""

    day: int
    date: dt.date
    seed: int
    params: Params
    zone_names: tuple[str, ...]
    zone_is_waterway: np.ndarray
    crossing_window: bool
    wind_speed_kn: float
    wave_height_m: float
    sea_temp_c: float
    waiting_people: int
    # inflow
    inflow_mean_people: float = 0.0
    # supply
    boat_stock: int = 0
    boat_supply: float = 0.0
    # launch plan
    launch_share: float = 0.0
    mean_occupancy_people: float = 0.0
    max_boats: int = 0
    # beach
    prevention_probability: np.ndarray = field(default_factory=lambda: np.zeros(0))
    taxi_prevention_probability: np.ndarray = field(default_factory=lambda: np.zeros(0))
    taxi_boat_share: float = 0.0
    # at sea
    interception: Interception = field(default_factory=Interception)
    # post arrival (filled by the engine before on_post_arrival)
    arrived_people: int = 0
    arrived_boats: int = 0
    intercepted_boats: int = 0
    returned_from_uk_people: int = 0
    #: Of the people returned to France, how many go back to the coast to try again
    #: (``None``: all of them).
    rejoining_people: int | None = None
    removed_people: int = 0
    # costs
    costs_gbp: dict[str, float] = field(default_factory=dict)
    #: Policy outcomes that are not people flows (officer injuries, legal-route admissions).
    counts: dict[str, float] = field(default_factory=dict)

    def uniforms(self, stream_offset: int, keys: np.ndarray | int) -> np.ndarray:
        """Policy-owned random numbers, keyed so that they never collide with the engine's."""
        return uniforms(self.seed, int(Stream.POLICY) + stream_offset, self.day, keys)

    def add_cost(self, item: str, cost_gbp: float) -> None:
        """Book a cost in the ledger for this day."""
        self.costs_gbp[item] = self.costs_gbp.get(item, 0.0) + float(cost_gbp)

    def add_count(self, item: str, value: float) -> None:
        """Book a policy outcome for this day; the run's totals hold its sum as ``item``."""
        self.counts[item] = self.counts.get(item, 0.0) + float(value)


class Policy(BaseModel):
    """Base class of interventions: override the hooks a policy needs (no-ops here)."""

    model_config = ConfigDict(extra="forbid")

    type_name: ClassVar[str] = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def active(self, day: dt.date) -> bool:
        """Whether the policy acts on ``day`` (its window is inclusive at both ends)."""
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def on_inflow(self, ctx: DayContext) -> None:
        """Change ``ctx.inflow_mean_people`` (deterrence)."""

    def on_supply(self, ctx: DayContext) -> None:
        """Change ``ctx.boat_stock``/``ctx.boat_supply`` (seizures, arrests)."""

    def on_launch_plan(self, ctx: DayContext) -> None:
        """Change ``ctx.launch_share``, ``ctx.mean_occupancy_people``, ``ctx.max_boats``."""

    def on_beach(self, ctx: DayContext) -> None:
        """Change per-zone ``ctx.prevention_probability`` / ``taxi_prevention_probability``."""

    def on_sea(self, ctx: DayContext) -> None:
        """Set ``ctx.interception`` (maritime doctrine)."""

    def on_post_arrival(self, ctx: DayContext) -> None:
        """Read ``ctx.arrived_people``/``intercepted_boats``; set ``returned_from_uk_people``
        (and ``rejoining_people``), ``removed_people``; book counts with ``ctx.add_count``."""

    def on_costs(self, ctx: DayContext) -> None:
        """Book costs with ``ctx.add_cost``."""


_REGISTRY: dict[str, type[Policy]] = {}
_PLUGIN_GROUP = "channelsim.policies"
_plugins_loaded = False


def _load_plugins() -> None:
    """Import the modules declared under the ``channelsim.policies`` entry point group once.

    The engine never imports the policies package itself (imports flow one way); the built-in
    policies, and any a third party ships, register themselves when their module is loaded.
    """
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in entry_points(group=_PLUGIN_GROUP):
        entry.load()


def register_policy(name: str, cls: type[Policy]) -> type[Policy]:
    """Make ``cls`` available to scenario files as ``type = name``."""
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise TypeError(f"{cls!r} is not a Policy subclass")
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"policy type {name!r} is already registered")
    cls.type_name = name
    _REGISTRY[name] = cls
    return cls


def registered_policies() -> dict[str, type[Policy]]:
    """The known policy types, by name."""
    _load_plugins()
    return dict(_REGISTRY)


def build_policies(specs: Iterable[PolicySpec], source: str | None = None) -> list[Policy]:
    """Instantiate policy specs; unknown types and bad parameters name ``policies[i]``."""
    _load_plugins()
    policies: list[Policy] = []
    for index, spec in enumerate(specs):
        cls = _REGISTRY.get(spec.type)
        if cls is None:
            known = ", ".join(sorted(_REGISTRY)) or "none registered"
            raise InputError(
                source, f"policies[{index}].type", f"unknown policy type {spec.type!r} ({known})"
            )
        data: dict[str, Any] = {**spec.params, "start": spec.start, "end": spec.end}
        try:
            policies.append(cls.model_validate(data))
        except ValidationError as error:
            raise_input_error(error, source, f"policies[{index}].params")
    return policies
