"""Policies on the French coast: beach patrols paid for by the UK, taxi-boat interdiction.

Both turn money into guarding effort per launch zone and effort into the chance that a
launch attempt is stopped (a saturating curve, :func:`saturating`). The engine's zone
choice then moves launches away from better-guarded zones (``networks.patrol_displacement``):
guarding the short northern crossings pushes boats south, where crossings are longer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

import numpy as np
from pydantic import Field, field_validator, model_validator

from channelsim.engine.policy import Cost, Effect, Policy, policy_param, register_policy
from channelsim.engine.stages import Setup
from channelsim.policies._common import DAYS_PER_YEAR, known_zones, zone_mask

#: Beaches where patrols concentrated in 2023–2025 (the short crossings).
NORTHERN_BEACHES = (
    "Dunkirk (Malo / Bray-Dunes)",
    "Calais / Sangatte",
    "Wissant / Cap Gris-Nez",
    "Wimereux / Ambleteuse",
    "Boulogne / Le Portel",
)


#: Upper bound of a unit's yearly cost (officer, drone, vehicle, team): £100m, far above any
#: real programme's (a patrol team costs about £1.5m a year), so that a mistyped cost is
#: refused instead of overflowing the cost ledger.
COST_GBP_PER_UNIT_YEAR_MAX = 1e8


class BeachPatrols(Policy):
    """Extra UK money for French beach patrols: officers, drones and vehicles by zone.

    Money per year (``funding_gbp_per_year``, or the yearly ``payments_eur`` of a deal, one
    per year from ``start``) is split between officers, drones and vehicles at their yearly
    unit costs; the units are spread evenly over the guarded ``zones`` and counted in
    officer-equivalents; a beach zone's prevention probability rises as
    ``1 − (1 − p)·exp(−effort / effort_scale_officers)``. It adds to the status quo, whose
    calibrated prevention already includes the 2023 deal.
    """

    funding_gbp_per_year: float | None = policy_param(
        None,
        unit="£ per year",
        plausible="the budget to test",
        note="the scenario's budget; an assumption unless it cites a source",
        meaning="UK money a year for extra patrols (or give payments_eur instead).",
        ge=0,
        le=5e9,
    )
    # each year's payment is money paid (a cut is a smaller payment, never a negative one)
    payments_eur: tuple[Annotated[float, Field(ge=0, le=5e9)], ...] | None = policy_param(
        None,
        unit="€",
        plausible="the deal's payments",
        allowed="a list of 0–5,000,000,000, one a year",
        source="facts.md: Policy, funding (€141m, €191m, €209m; 2023 deal)",
        meaning="Euros paid for each year from the start (a list; nothing after the last).",
        min_length=1,
    )
    eur_to_gbp: float = policy_param(
        0.90,
        unit="£ per €",
        low=0.88,
        high=0.92,
        source="facts.md: €541m reported as £476m–£500m (0.88–0.92; 0.86 before 1 Dec 2026)",
        meaning="Exchange rate applied to payments_eur.",
        gt=0,
        le=2,
    )
    officer_share: float = policy_param(
        0.7,
        unit="share",
        plausible="shares adding up to 1",
        meaning="Share of the budget spent on officers.",
        ge=0,
        le=1,
    )
    drone_share: float = policy_param(
        0.2,
        unit="share",
        plausible="shares adding up to 1",
        meaning="Share of the budget spent on drones.",
        ge=0,
        le=1,
    )
    vehicle_share: float = policy_param(
        0.1,
        unit="share",
        plausible="shares adding up to 1",
        meaning="Share of the budget spent on vehicles.",
        ge=0,
        le=1,
    )
    cost_gbp_per_officer_year: float = policy_param(
        70_000,
        unit="£ per officer year",
        low=50_000,
        high=100_000,
        drawn=True,
        meaning="Yearly cost of one officer on the beaches.",
        gt=0,
        le=COST_GBP_PER_UNIT_YEAR_MAX,
    )
    cost_gbp_per_drone_year: float = policy_param(
        200_000,
        unit="£ per drone year",
        low=100_000,
        high=400_000,
        drawn=True,
        meaning="Yearly cost of one drone with its operators.",
        gt=0,
        le=COST_GBP_PER_UNIT_YEAR_MAX,
    )
    cost_gbp_per_vehicle_year: float = policy_param(
        60_000,
        unit="£ per vehicle year",
        low=30_000,
        high=100_000,
        drawn=True,
        meaning="Yearly cost of one patrol vehicle.",
        gt=0,
        le=COST_GBP_PER_UNIT_YEAR_MAX,
    )
    drone_officer_equivalents: float = policy_param(
        10.0,
        unit="officers per drone",
        low=5,
        high=20,
        drawn=True,
        meaning="Officers one drone is worth in guarding effort.",
        ge=0,
        le=1000,
    )
    vehicle_officer_equivalents: float = policy_param(
        4.0,
        unit="officers per vehicle",
        low=2,
        high=8,
        drawn=True,
        meaning="Officers one vehicle is worth in guarding effort.",
        ge=0,
        le=1000,
    )
    effort_scale_officers: float = policy_param(
        400.0,
        unit="officer-equivalents per zone",
        low=200,
        high=1000,
        drawn=True,
        meaning="Effort per zone that removes 63% of the launches that still get through.",
        gt=0,
        le=1e6,
    )
    zones: tuple[str, ...] | None = policy_param(
        NORTHERN_BEACHES,
        unit="",
        plausible="the beaches patrols concentrate on",
        allowed="beach zones of the packaged geography, by name",
        source="facts.md: departures span Dunkirk–Baie de Somme",
        meaning="Beach zones guarded (default: the northern beaches, Dunkirk to Boulogne).",
    )

    @field_validator("zones")
    @classmethod
    def _beaches(cls, zones: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return known_zones(zones, "beach")

    @model_validator(mode="after")
    def _one_budget(self) -> BeachPatrols:
        if (self.funding_gbp_per_year is None) == (self.payments_eur is None):
            given = "both" if self.funding_gbp_per_year is not None else "neither"
            raise ValueError(
                "expected the patrols' budget, one way: funding_gbp_per_year (pounds a year) "
                f"or payments_eur (euros for each year from the start, a list); got {given}"
            )
        shares = self.officer_share + self.drone_share + self.vehicle_share
        if abs(shares - 1.0) > 1e-9:
            raise ValueError(
                "expected officer_share, drone_share and vehicle_share (the budget's shares, "
                f"from 0 to 1) to add up to 1, got {shares:g}"
            )
        return self

    def budget_gbp_per_year(self, date: dt.date) -> float:
        """The money available in the policy year holding ``date``."""
        if self.funding_gbp_per_year is not None:
            return self.funding_gbp_per_year
        assert self.payments_eur is not None
        year = 0 if self.start is None else max(0, (date - self.start).days) // 365
        if year >= len(self.payments_eur):
            return 0.0
        return self.payments_eur[year] * self.eur_to_gbp

    def officer_equivalents_per_gbp(self) -> float:
        """Officer-equivalents bought a year per pound a year."""
        return (
            self.officer_share / self.cost_gbp_per_officer_year
            + self.drone_share * self.drone_officer_equivalents / self.cost_gbp_per_drone_year
            + self.vehicle_share * self.vehicle_officer_equivalents / self.cost_gbp_per_vehicle_year
        )

    def officer_equivalents(self, date: dt.date) -> float:
        """All units bought with this year's money, in officer-equivalents."""
        return self.budget_gbp_per_year(date) * self.officer_equivalents_per_gbp()

    def effects(self, setup: Setup) -> Iterator[Effect | Cost]:
        """Guarded beach zones stop more attempts (an extra independent chance); the year's
        budget is booked day by day."""
        budget = np.array([self.budget_gbp_per_year(setup.date(i)) for i in range(setup.n_days)])
        guarded = zone_mask(setup, self.zones, waterway=False)
        if guarded.any():
            scale = self.officer_equivalents_per_gbp() * budget / guarded.sum()
            extra = 1.0 - np.exp(-scale / self.effort_scale_officers)
            yield Effect("prevention_probability", "chance", extra[:, None] * guarded[None, :])
        yield Cost("beach_patrols", budget / DAYS_PER_YEAR)


class TaxiBoatInterdiction(Policy):
    """Patrol teams on canals and rivers that stop taxi boats before people board.

    ``teams`` (a boat and its crew each) are spread over the waterway ``zones``; a waterway
    zone's chance of stopping a taxi-boat attempt rises as
    ``1 − (1 − p)·exp(−teams per zone / effort_scale_teams)``.
    """

    teams: float = policy_param(
        10.0,
        unit="teams",
        low=0,
        high=30,
        meaning="Patrol teams (a boat and its crew) on the waterways.",
        ge=0,
        le=1000,
    )
    effort_scale_teams: float = policy_param(
        5.0,
        unit="teams per zone",
        low=2,
        high=15,
        drawn=True,
        meaning="Teams per zone that remove 63% of the taxi-boat attempts that still get through.",
        gt=0,
        le=10_000,
    )
    cost_gbp_per_team_year: float = policy_param(
        1_500_000,
        unit="£ per team year",
        low=500_000,
        high=3_000_000,
        meaning="Yearly cost of one team.",
        ge=0,
        le=COST_GBP_PER_UNIT_YEAR_MAX,
    )
    zones: tuple[str, ...] | None = policy_param(
        None,
        unit="",
        plausible="the waterways taxi boats leave from",
        allowed="waterway zones of the packaged geography, by name",
        note="none given: every waterway zone",
        meaning="Waterway zones guarded (default: all of them).",
    )

    @field_validator("zones")
    @classmethod
    def _waterways(cls, zones: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return known_zones(zones, "waterway")

    def effects(self, setup: Setup) -> Iterator[Effect | Cost]:
        guarded = zone_mask(setup, self.zones, waterway=True)
        if guarded.any():
            extra = 1.0 - np.exp(-self.teams / guarded.sum() / self.effort_scale_teams)
            yield Effect("taxi_prevention_probability", "chance", extra * guarded)
        yield Cost(
            "taxi_boat_interdiction", self.teams * self.cost_gbp_per_team_year / DAYS_PER_YEAR
        )


register_policy("beach_patrols", BeachPatrols)
register_policy("taxi_boat_interdiction", TaxiBoatInterdiction)
