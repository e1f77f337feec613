"""The French maritime doctrine: stopping boats before boarding or at sea, where, how and
at what risk.

**As signed** (25 Nov 2025; ``area = "pre_boarding"``, the default): the Gendarmerie
maritime intercepts taxi boats in the waterways and at the launch, before people board,
cued by surveillance (facts.md, "Added November 2026"). A taxi-boat attempt is intercepted
with ``pre_boarding_interception_probability`` (the beach stage's
``taxi_interception_probability`` lever on waterway zones): nobody leaves, its people rejoin
the waiting population, the boat is seized. The first interception was a taxi boat with 6
aboard on the Aa canal and two were reported by 4 March 2026, so the probability is set to
give a handful of interceptions in that period, not hundreds. No capsize risk: nobody is
aboard but the crew (an assumption).

**What-if at sea** (``area`` ``waterways``, ``shallow`` or ``territorial``: what the UK
asked for). Where: ``waterways`` (ports, canals, rivers), ``shallow`` (waterways and the
shallow band, sea within 0.3 km of the French coast: the raster's ``FR_SHALLOW``) or
``territorial`` (all French territorial waters). Never on the UK side of the median line.
Without ``officer_immunity`` officers act only in waterways and ports.

How often (random search, Koopman): ``on_station = patrol_boats × hours_on_station/24``
boats sweep the area at ``speed_kn`` with a sweep width ``W = min(2 × detection_range_km,
band width)`` near the shore, ``2 × offshore_detection_range_km`` in the open territorial sea
(radar, aircraft and drones guide the boats); a boat in the area is found at rate
``λ = search_efficiency × on_station × v × W / area`` (``search_efficiency`` 1 by default,
drawn down to the rate observed in the waterways under the signed doctrine). In the
near-shore areas a boat is only there while it loads and leaves (``near_shore_dwell_h``):
the first time it is found there it is intercepted with probability ``1 − exp(−λ × dwell)``
(the rule's ``dwell_h``; the same whatever the kernel's step).

The four steps: order to stop (obeyed with ``compliance_probability`` → diverted or towed
back to France); otherwise immobilise, e.g. by fouling the propeller
(``immobilise_success_probability``; the boat then drifts per the Leeway model until the
French side rescues it); every attempt to stop a boat that does not obey carries
``capsize_probability_per_intervention`` for a reference boat in calm water (scaled by the
kernel with waves and load); hand-over:
the people rejoin the waiting population, and pilots arrested
(``arrest_probability``) cost the networks ``supply_loss_per_arrest_boats`` boats.
Rules of engagement: at most ``max_people_aboard``, waves at most ``max_wave_height_m``,
no action on boats with children (``children_boat_share`` of boats) unless
``act_with_children``, at night only if ``night_allowed``. Each intervention injures an
officer with ``officer_injury_probability``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import PrivateAttr

from channelsim.engine.policy import (
    Compiled,
    Cost,
    DayView,
    Effect,
    Interception,
    Policy,
    Rule,
    policy_param,
    register_policy,
)
from channelsim.engine.results import Result
from channelsim.engine.stages import Setup
from channelsim.params import Params
from channelsim.policies._common import binomial

if TYPE_CHECKING:
    from channelsim.world.geography import World

# The kernels' modules (policy_kernels, world.geography) load Numba: imported where a run
# needs them, not when a scenario's policies are read and checked (an ensemble's driver).

KN_TO_KM_H = 1.852
#: Upper bound of a patrol boat's daily cost: £1m, far above any real vessel's (a large
#: offshore patrol vessel costs some tens of thousands of pounds a day), so that a mistyped
#: cost is refused instead of overflowing the cost ledger.
COST_GBP_PER_BOAT_DAY_MAX = 1e6

#: The ``search_efficiency`` that gives the interception rate observed in the waterways:
#: the signed doctrine intercepted about 4% of taxi-boat attempts there (2 by 4 Mar 2026;
#: ``pre_boarding_interception_probability``), where the search of the defaults finds a boat
#: in the waterways with 1 − exp(−1.83/h × 0.5 h) = 60%; 0.045 × 1.83 × 0.5 gives 4%.
#: Tested against the defaults (tests/test_policies.py).
SEARCH_EFFICIENCY_OBSERVED = 0.045

Area = Literal["waterways", "shallow", "territorial"]
Mode = Literal["pre_boarding", "waterways", "shallow", "territorial"]


def area_geometry(area: Area, world: World | None = None) -> tuple[float, float | None]:
    """``(area_km2, band_width_km)`` of a doctrine area, from the world raster; the band
    width is ``None`` for the open territorial sea."""
    from channelsim.world.geography import load_world

    world = world if world is not None else load_world()
    return world.area_geometry(area)


class MaritimeDoctrine(Policy):
    """Interception of boats at sea by French patrol boats (see the module docstring)."""

    def cost_assumptions(self) -> tuple[str, ...]:
        """The assumed unit cost its booked cost rests on: none as signed (France's boats
        book nothing), the patrol boat's daily cost where the UK pays a share."""
        return ("cost_gbp_per_boat_day",) if self.uk_pays() > 0 else ()

    results = (
        Result(
            "arrested_pilots",
            "Pilots arrested",
            "people",
            "Boat pilots arrested after an interception.",
            role="figure",
        ),
    )
    streams = ("intercept", "intercept_action", "injury", "arrest")
    # compliance, immobilisation and capsize risk are drawn by uncertainty analysis
    # (``assumptions``): no source measures them
    area: Mode = policy_param(
        "pre_boarding",
        unit="",
        plausible="pre_boarding (as signed) or an area at sea",
        source='facts.md: Policy, maritime doctrine; "Added November 2026" (as signed)',
        meaning="Where officers act: before boarding (as signed) or at sea in an area (what-if).",
    )
    pre_boarding_interception_probability: float = policy_param(
        0.04,
        unit="probability",
        low=0.01,
        high=0.1,
        source="set from the reported count: 2 interceptions by 4 Mar 2026 "
        "(https://www.africanews.com/2026/03/04/"
        "france-over-250-migrants-cross-channel-to-england-as-calm-seas-return/)",
        meaning="Chance that a taxi-boat attempt is intercepted before people board (as signed).",
        ge=0,
        le=1,
    )
    officer_immunity: bool = policy_param(
        True,
        unit="",
        plausible="true or false",
        source="facts.md (immunity refused so far)",
        meaning="Whether officers have immunity (without it they act in waterways and ports only).",
    )
    patrol_boats: int = policy_param(
        6,
        unit="boats",
        low=2,
        high=15,
        note="facts.md: French SAR has 6 ships",
        meaning="Patrol boats assigned to the doctrine.",
        ge=0,
        le=200,
    )
    hours_on_station: float = policy_param(
        12.0,
        unit="h",
        low=6,
        high=20,
        meaning="Hours a day each patrol boat is on station.",
        ge=0,
        le=24,
    )
    speed_kn: float = policy_param(
        12.0,
        unit="kn",
        low=8,
        high=25,
        meaning="Search speed of a patrol boat.",
        gt=0,
        le=50,
    )
    detection_range_km: float = policy_param(
        1.0,
        unit="km",
        low=0.3,
        high=3,
        note="a dinghy at night",
        meaning="Range at which a patrol boat detects a dinghy near the shore.",
        gt=0,
        le=30,
    )
    offshore_detection_range_km: float = policy_param(
        5.0,
        unit="km",
        low=1,
        high=15,
        note="guided by radar/air",
        meaning="Detection range in the open territorial sea (radar, aircraft and drones guide).",
        gt=0,
        le=50,
    )
    search_efficiency: float = policy_param(
        1.0,
        unit="share of random search",
        low=SEARCH_EFFICIENCY_OBSERVED,
        high=1.0,
        drawn=True,
        note="1: the patrols above search all their time on station; "
        f"{SEARCH_EFFICIENCY_OBSERVED} gives the rate observed in the waterways, 4% of "
        "taxi-boat attempts intercepted under the signed doctrine",
        meaning="Share of the patrols' random-search rate achieved at sea (the what-ifs).",
        gt=0,
        le=1,
    )
    near_shore_dwell_h: float = policy_param(
        0.5,
        unit="h",
        low=0.1,
        high=1,
        note="loading in the shallows",
        meaning="Time a boat spends in the near-shore areas while it loads and leaves.",
        ge=0,
        le=6,
    )
    compliance_probability: float = policy_param(
        0.3,
        unit="probability",
        low=0.1,
        high=0.6,
        drawn=True,
        meaning="Chance that a boat obeys the order to stop (towed or diverted back to France).",
        ge=0,
        le=1,
    )
    immobilise_success_probability: float = policy_param(
        0.6,
        unit="probability",
        low=0.3,
        high=0.9,
        drawn=True,
        meaning="Chance that an attempt to immobilise a boat that does not obey succeeds.",
        ge=0,
        le=1,
    )
    capsize_probability_per_intervention: float = policy_param(
        0.005,
        unit="probability per intervention",
        low=0.001,
        high=0.03,
        note='French Navy: "drownings can easily happen"',
        drawn=True,
        meaning="Capsize chance of stopping a boat that does not obey (60 aboard, calm sea).",
        ge=0,
        lt=1,
    )
    max_people_aboard: int = policy_param(
        125,
        unit="people",
        low=40,
        high=125,
        note="125: facts.md largest boat, i.e. no limit",
        meaning="Most people aboard a boat officers may intervene on (rule of engagement).",
        ge=0,
        le=1000,
    )
    max_wave_height_m: float = policy_param(
        1.0,
        unit="m",
        low=0.5,
        high=1.5,
        meaning="Highest waves officers may intervene in (rule of engagement).",
        ge=0,
        le=10,
    )
    act_with_children: bool = policy_param(
        False,
        unit="",
        plausible="true or false",
        note="rule of engagement",
        meaning="Whether officers intervene on boats with children aboard.",
    )
    children_boat_share: float = policy_param(
        0.3,
        unit="share",
        low=0.1,
        high=0.6,
        meaning="Share of boats with children aboard.",
        ge=0,
        le=1,
    )
    night_allowed: bool = policy_param(
        True,
        unit="",
        plausible="true or false",
        note="rule of engagement; launches are at night",
        meaning="Whether officers intervene at night.",
    )
    officer_injury_probability: float = policy_param(
        0.01,
        unit="probability",
        low=0.002,
        high=0.03,
        note="per interception; beach injuries are beach.officer_injuries_per_event",
        meaning="Chance that an intervention injures an officer.",
        ge=0,
        le=1,
    )
    arrest_probability: float = policy_param(
        0.3,
        unit="probability",
        low=0.1,
        high=0.6,
        meaning="Chance that the pilot of an intercepted boat is arrested.",
        ge=0,
        le=1,
    )
    supply_loss_per_arrest_boats: float = policy_param(
        0.5,
        unit="boats",
        low=0,
        high=2,
        meaning="Boats of next day's supply the networks lose per pilot arrested.",
        ge=0,
        le=10,
    )
    cost_gbp_per_boat_day: float = policy_param(
        8_000,
        unit="£ per boat day",
        low=4_000,
        high=20_000,
        meaning="Cost of one patrol boat a day.",
        ge=0,
        le=COST_GBP_PER_BOAT_DAY_MAX,
    )
    uk_cost_share: float | None = policy_param(
        None,
        unit="share",
        plausible="0 as signed; 1 at sea (what-if)",
        allowed="0–1, or none for the mode's default",
        note="none given: 0 as signed, the Gendarmerie maritime's own boats, no UK payment "
        "for the doctrine reported (facts.md: Policy, maritime doctrine); 1 at sea, the UK "
        "paying for what it asked for as it pays for beach patrols",
        meaning="Share of the patrol boats' cost the UK pays (booked as extra cost).",
        ge=0,
        le=1,
    )

    @property
    def at_sea(self) -> bool:
        """Whether boats are intercepted under way (the what-if), not before boarding."""
        return self.area != "pre_boarding"

    def acting_assumptions(self) -> dict[str, tuple[float, float]]:
        """The at-sea assumptions (search efficiency, compliance, immobilisation, capsize per
        intervention) act only at sea: as signed, before boarding, the doctrine rests on none
        of them."""
        return dict(type(self).assumptions) if self.at_sea else {}

    @property
    def effective_area(self) -> Area:
        """Without immunity from prosecution, officers act only in waterways and ports."""
        if self.area == "pre_boarding" or not self.officer_immunity:
            return "waterways"
        return self.area

    _world: World | None = PrivateAttr(None)
    _pending_arrests: int = PrivateAttr(0)

    def init(self, setup: Setup) -> None:
        self._world = setup.world
        self._pending_arrests = 0

    def search_rate_per_hour(self) -> float:
        """Rate at which a boat inside the area is found and engaged (Koopman random search)."""
        area_km2, band_km = area_geometry(self.effective_area, self._world)
        if band_km is None:
            sweep_km = 2.0 * self.offshore_detection_range_km
        else:
            sweep_km = min(2.0 * self.detection_range_km, band_km)
        on_station = self.patrol_boats * self.hours_on_station / 24.0
        found = on_station * self.speed_kn * KN_TO_KM_H * sweep_km / area_km2
        return self.search_efficiency * found

    def uk_pays(self) -> float:
        """The share of the patrol boats' cost booked: ``uk_cost_share``, or by default none
        as signed (France's boats) and all at sea (the what-if the UK asked for)."""
        if self.uk_cost_share is not None:
            return self.uk_cost_share
        return 1.0 if self.at_sea else 0.0

    def interception(self, params: Params) -> Interception:
        """The rules of engagement the kernel applies."""
        from channelsim.world.geography import FR_SHALLOW, FR_TERRITORIAL, FR_WATERWAY, UK_SIDE

        rate = self.search_rate_per_hour()
        area = self.effective_area
        required, any_of = {
            "waterways": (int(FR_WATERWAY), 0),
            "shallow": (0, int(FR_SHALLOW | FR_WATERWAY)),
            "territorial": (int(FR_TERRITORIAL), 0),
        }[area]
        return Interception(
            rate_per_hour=rate,
            required_flags=required,
            any_flags=any_of,
            forbidden_flags=int(UK_SIDE),
            max_people=self.max_people_aboard,
            max_wave_height_m=self.max_wave_height_m,
            night_allowed=self.night_allowed,
            tow_back_probability=self.compliance_probability,
            immobilise_probability=(1.0 - self.compliance_probability)
            * self.immobilise_success_probability,
            capsize_probability=self.capsize_probability_per_intervention,
            excluded_share=0.0 if self.act_with_children else self.children_boat_share,
            dwell_h=self.near_shore_dwell_h if area != "territorial" else 0.0,
        )

    def effects(self, setup: Setup) -> Iterator[Effect | Rule | Cost]:
        if self.at_sea:
            yield Rule(self.interception(setup.params))
        else:
            yield Effect(
                "taxi_interception_probability",
                "chance",
                self.pre_boarding_interception_probability * setup.zone_is_waterway,
            )
        yield Cost(
            "maritime_doctrine", self.uk_pays() * self.patrol_boats * self.cost_gbp_per_boat_day
        )

    def compiled(self) -> Compiled | None:
        """``on_supply`` and ``on_returns`` run by the compiled day loop (``policy_kernels``)
        for this type itself; a subclass keeps its Python hooks."""
        if type(self) is not MaritimeDoctrine:
            return None
        from channelsim.engine import policy_kernels as pk

        record = pk.policy_record(
            kind=pk.DOCTRINE,
            hooks=sum(pk.HOOK_BITS[stage] for stage in self.hooks()),
            stream_a=self.stream("injury"),
            stream_b=self.stream("arrest"),
            at_sea=self.at_sea,
            officer_injury_probability=self.officer_injury_probability,
            arrest_probability=self.arrest_probability,
            supply_loss_per_arrest_boats=self.supply_loss_per_arrest_boats,
        )
        return Compiled(record, result="arrested_pilots")

    def on_supply(self, day: DayView) -> None:
        """Pilots arrested yesterday cost the networks boats today."""
        lost = self._pending_arrests * self.supply_loss_per_arrest_boats
        day.boat_supply_per_day = max(0.0, day.boat_supply_per_day - lost)
        self._pending_arrests = 0

    def on_returns(self, day: DayView) -> None:
        """Injuries and arrests among today's interceptions."""
        n = day.interceptions(self)
        if not self.at_sea:
            n += int(day["intercepted_before_boarding_boats"])
        injuries = binomial(self, day, "injury", n, self.officer_injury_probability)
        arrests = binomial(self, day, "arrest", n, self.arrest_probability)
        self._pending_arrests += arrests
        day.add("officer_injuries", injuries)
        day.add("arrested_pilots", arrests)


register_policy("maritime_doctrine", MaritimeDoctrine)
