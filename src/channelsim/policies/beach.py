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

from channelsim.engine.policy import Cost, Effect, Policy, register_policy
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


class BeachPatrols(Policy):
    """Extra UK money for French beach patrols: officers, drones and vehicles by zone.

    Money per year (``funding_gbp_per_year``, or the yearly ``payments_eur`` of a deal, one
    per year from ``start``) is split between officers, drones and vehicles at their yearly
    unit costs; the units are spread evenly over the guarded ``zones`` and counted in
    officer-equivalents; a beach zone's prevention probability rises as
    ``1 − (1 − p)·exp(−effort / effort_scale_officers)``. It adds to the status quo, whose
    calibrated prevention already includes the 2023 deal.
    """

    funding_gbp_per_year: float | None = Field(default=None, ge=0, le=5e9)
    # each year's payment is money paid (a cut is a smaller payment, never a negative one)
    payments_eur: tuple[Annotated[float, Field(ge=0, le=5e9)], ...] | None = Field(
        default=None, min_length=1
    )
    eur_to_gbp: float = Field(default=0.86, gt=0, le=2)
    officer_share: float = Field(default=0.7, ge=0, le=1)
    drone_share: float = Field(default=0.2, ge=0, le=1)
    vehicle_share: float = Field(default=0.1, ge=0, le=1)
    cost_gbp_per_officer_year: float = Field(default=70_000, gt=0)
    cost_gbp_per_drone_year: float = Field(default=200_000, gt=0)
    cost_gbp_per_vehicle_year: float = Field(default=60_000, gt=0)
    drone_officer_equivalents: float = Field(default=10.0, ge=0)
    vehicle_officer_equivalents: float = Field(default=4.0, ge=0)
    effort_scale_officers: float = Field(default=400.0, gt=0)
    zones: tuple[str, ...] | None = NORTHERN_BEACHES

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

    teams: float = Field(default=10.0, ge=0, le=1000)
    effort_scale_teams: float = Field(default=5.0, gt=0)
    cost_gbp_per_team_year: float = Field(default=1_500_000, ge=0)
    zones: tuple[str, ...] | None = None

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
