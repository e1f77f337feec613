"""Policies on the French coast: beach patrols paid for by the UK, taxi-boat interdiction.

Beach patrols turn money into officers at what the UK–France deals paid per officer they
added, and officers into the chance that a launch attempt is stopped through history's own
mechanism (``beach_officers``, :func:`channelsim.policies.drivers.with_more_officers`), so
that officers bought with money and officers of the record count the same. Taxi-boat
interdiction turns teams into a chance on a saturating curve. The engine's zone choice then
moves launches away from better-guarded zones (``networks.patrol_displacement``): guarding
the short northern crossings pushes boats south, where crossings are longer.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from typing import Annotated

import numpy as np
from pydantic import Field, PrivateAttr, field_validator, model_validator

from channelsim.engine.policy import (
    Cost,
    Effect,
    Policy,
    Transform,
    policy_param,
    register_policy,
)
from channelsim.engine.stages import Setup
from channelsim.params import BeachParams, Params
from channelsim.policies._common import DAYS_PER_YEAR, known_zones, zone_mask, zones_of_kind
from channelsim.policies.drivers import with_more_officers

#: Beaches where patrols concentrated in 2023–2025 (the short crossings).
NORTHERN_BEACHES = (
    "Dunkirk (Malo / Bray-Dunes)",
    "Calais / Sangatte",
    "Wissant / Cap Gris-Nez",
    "Wimereux / Ambleteuse",
    "Boulogne / Le Portel",
)


#: Upper bound of a unit's yearly cost (an officer, a team): £100m, far above any real
#: programme's (the deals paid £180,000–£630,000 a year per officer added, a patrol team
#: costs about £1.5m a year), so that a mistyped cost is refused instead of overflowing the
#: cost ledger.
COST_GBP_PER_UNIT_YEAR_MAX = 1e8

#: What the UK–France deals paid a year per beach officer they added (docs/model.md §3.6,
#: "What a deal buys"): the 2023 deal, €541m over three years (£476m–£500m) for about 500
#: more officers, £325,000 (£317,000–£333,000); the November 2022 deal, £63m for its year
#: with 100 more (£630,000) or, as AFP reported it, about 350 (£180,000); the 2026 deal, up
#: to €766m over three years for about 500 more (to 1,400 by 2029), £460,000 if all paid.
OFFICER_COST_SOURCE = (
    "UK-France deals, a year's UK payment ÷ officers it added (docs/model.md §3.6, What a "
    "deal buys, with the URLs): 2023 £325,000 (€541m over 3 years for ~500; facts.md: Beach "
    "effort bought); Nov 2022 £180,000-£630,000 (£63m for 100-350); 2026 £460,000 (up to "
    "€766m over 3 years for ~500)"
)


#: Officers bought a year on the five northern beaches beyond which more money stops fewer
#: launches in the model, with the calibrated parameters and 2025's 800 officers (over the
#: posterior's parameter sets it lies anywhere from about 500 to none below a million)
#: (:func:`share_stopped_on_beaches` is highest at 2,730: docs/model.md §3.6, "More money,
#: fewer stopped"; ``tests/test_policies.py`` computes it again). Guarded so, those
#: beaches stop nearly every launch, and the engine's zone choice
#: (``networks.patrol_displacement``) sends launches to the unguarded beaches further south.
MOST_EFFECTIVE_OFFICERS = 2_700


def share_stopped_on_beaches(
    prevention: np.ndarray,
    base_weight: np.ndarray,
    beach_zone: np.ndarray,
    guarded: np.ndarray,
    extra_officers: np.ndarray,
    params: Params,
) -> np.ndarray:
    """The share of the people of a beach launch attempt stopped, over the beach zones, with
    ``extra_officers`` (each, on the curve: spread over the guarded zones as the policy
    spreads them) added on the ``guarded`` zones to the day's ``prevention`` (one per zone):
    each zone's share of attempts is its ``base_weight`` × (1 − chance)^displacement, as the
    engine's zone choice makes it, and each of the ``groups_per_boat`` groups is stopped
    with 1 − (1 − chance)^(1/groups). A static reading of the beach stage (no retries, no
    whole boats stopped): it shows where more officers stop fewer people. Shape of
    ``extra_officers``."""
    extra = np.asarray(extra_officers, dtype=np.float64)[:, None]
    chance = np.broadcast_to(prevention, (extra.shape[0], prevention.shape[0])).copy()
    chance[:, guarded] = with_more_officers(prevention[guarded], extra, params.beach)
    weight = base_weight * beach_zone * (1.0 - chance) ** params.networks.patrol_displacement
    stopped = 1.0 - (1.0 - chance) ** (1.0 / params.beach.groups_per_boat)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((weight * stopped).sum(axis=1) / weight.sum(axis=1), dtype=np.float64)


class BeachPatrols(Policy):
    """Extra UK money for French beach patrols, counted in officers as the deals bought them.

    Money per year (``funding_gbp_per_year``, or the yearly ``payments_eur`` of a deal, one
    per year from ``start``) buys ``budget / cost_gbp_per_officer_year`` more officers: what
    the deals paid per officer they added, drones, vehicles and aircraft bought alongside
    included. The officers guard ``zones``; on each guarded beach zone the chance of stopping
    a launch becomes what history's ``beach_officers`` gives for the zone's officers plus
    these (``with_more_officers``, with the calibrated ``beach.effort_elasticity``), from
    the officers already there (history's, or ``beach.reference_officers`` without them).
    It adds to the status quo, whose officers already include the 2023 deal.
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
    cost_gbp_per_officer_year: float = policy_param(
        325_000,
        unit="£ per officer year",
        low=180_000,
        high=630_000,
        drawn=True,
        source=OFFICER_COST_SOURCE,
        meaning="UK money a year per officer added on the beaches, with the equipment the "
        "deals bought alongside (drones, vehicles, aircraft).",
        ge=10_000,  # an officer's year costs more than this; 1e-300 made the count infinite
        le=COST_GBP_PER_UNIT_YEAR_MAX,
    )
    zones: tuple[str, ...] | None = policy_param(
        NORTHERN_BEACHES,
        unit="",
        plausible="the beaches patrols concentrate on",
        allowed="beach zones of the packaged geography, by name",
        source="facts.md: departures span Dunkirk–Baie de Somme",
        meaning="Beach zones guarded (default: the northern beaches, Dunkirk to Boulogne).",
    )

    _officers_everywhere: np.ndarray = PrivateAttr(default_factory=lambda: np.zeros(0))
    _guarded: np.ndarray = PrivateAttr(default_factory=lambda: np.zeros(0, dtype=bool))

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

    def officers(self, date: dt.date) -> float:
        """The officers this year's money adds on the guarded beaches."""
        return self.budget_gbp_per_year(date) / self.cost_gbp_per_officer_year

    def limits_note(self, first: dt.date, last: dt.date) -> str | None:
        """A sentence for a run or comparison from ``first`` to ``last`` whose money buys,
        on some day, more officers than :data:`MOST_EFFECTIVE_OFFICERS` on guarded zones
        that leave a beach zone unguarded: beyond that, more money stops fewer launches in
        the model, and why. ``None`` below it, or with every beach guarded (no beach to
        move to)."""
        begin, end = max(first, self.start or first), min(last, self.end or last)
        days = (begin + dt.timedelta(days=i) for i in range((end - begin).days + 1))
        most = max((self.officers(day) for day in days), default=0.0)
        every_beach = set(zones_of_kind("beach"))
        if most < MOST_EFFECTIVE_OFFICERS or self.zones is None or every_beach <= set(self.zones):
            return None
        cost = self.cost_gbp_per_officer_year
        money = f"£{MOST_EFFECTIVE_OFFICERS * cost / 1e6:,.0f}m a year at £{cost:,.0f} an officer"
        why = (
            "the networks launch from the unguarded beaches{south} instead, where the chance "
            "of being stopped stays the status quo's (networks.patrol_displacement, an "
            "assumption; docs/model.md §3.6)."
        )
        if set(self.zones) == set(NORTHERN_BEACHES):
            return (
                "In the model (its calibrated parameters), more money prevents fewer arrivals, "
                "not more, beyond about "
                f"{MOST_EFFECTIVE_OFFICERS:,} officers a year on the five northern beaches "
                f"({money}; this scenario buys up to {most:,.0f}): "
                "those beaches then stop nearly every attempt, so "
                + why.format(south=" further south")
            )
        return (
            "In the model (its calibrated parameters), more money can prevent fewer arrivals, "
            "not more, once the guarded "
            f"beaches stop nearly every attempt (on the five northern beaches, beyond about "
            f"{MOST_EFFECTIVE_OFFICERS:,} officers a year, {money}; this scenario buys up to "
            f"{most:,.0f}): " + why.format(south="")
        )

    def init(self, setup: Setup) -> None:
        """Each day's officers, counted as officers on every beach zone: history spreads its
        officers evenly over the beach zones, so officers on ``g`` of the ``k`` beach zones
        give those zones the density of ``k/g`` times as many spread over all of them."""
        self._guarded = zone_mask(setup, self.zones, waterway=False)
        beaches = int(np.count_nonzero(~setup.zone_is_waterway))
        spread = beaches / max(1, int(np.count_nonzero(self._guarded)))
        self._officers_everywhere = spread * np.array(
            [self.officers(setup.date(i)) for i in range(setup.n_days)]
        )

    def effects(self, setup: Setup) -> Iterator[Effect | Transform | Cost]:
        """The officers, on the guarded zones' chance of stopping a launch as the other
        policies' effects leave it (a :class:`Transform`: worked out before the run), and the
        year's budget, booked day by day."""
        if self._guarded.any():
            beach = setup.params.beach
            yield Transform(
                "prevention_probability",
                functools.partial(self._with_officers, beach=beach),
                self._officers_everywhere > 0.0,
            )
        budget = np.array([self.budget_gbp_per_year(setup.date(i)) for i in range(setup.n_days)])
        yield Cost("beach_patrols", budget / DAYS_PER_YEAR)

    def _with_officers(
        self, prevention: np.ndarray, days: np.ndarray, beach: BeachParams
    ) -> np.ndarray:
        """The guarded zones' chance of stopping a launch on ``days`` (row indices) with
        these officers added to the ones each day's chance stands for (history's, through
        ``beach_officers``); ``prevention``: (days, zones)."""
        moved = np.array(prevention, dtype=np.float64)
        extra = self._officers_everywhere[days][:, None]
        moved[:, self._guarded] = with_more_officers(prevention[:, self._guarded], extra, beach)
        return moved


class TaxiBoatInterdiction(Policy):
    """Patrol teams on canals and rivers that stop taxi boats before people board.

    ``teams`` (a boat and its crew each) are spread over the waterway ``zones``; a waterway
    zone's chance of stopping a taxi-boat attempt rises as
    ``1 − (1 − p)·exp(−teams per zone / effort_scale_teams)``.
    """

    def cost_assumptions(self) -> tuple[str, ...]:
        """The assumed unit costs its booked cost rests on (a headline names them)."""
        return ("cost_gbp_per_team_year",)

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
