"""The stages of a simulated day, each declared once: what it does, the levers policies may
move, the random decisions it draws and the results it makes.

A stage is an object with a ``step``; the :class:`~channelsim.engine.loop.Loop` runs the
stages in the order of its declaration (:data:`STAGES`). The engine's own stages do their
work in compiled day kernels (``channelsim.engine.kernels``) that the loop runs back to back
while no Python step is due, so a status-quo year is one compiled call; a stage written in
Python (a subclass of :class:`Stage` with its own ``step``) or a policy's hook for a stage
makes the loop stop there on the days it acts.

Levers are the per-day inputs of a stage (Vivarium's value pipelines): their base values come
from the parameters, policies' effects move them (``channelsim.engine.policy.Effect``), and a
kernel reads today's value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from channelsim.engine.results import Declared, Derived, Result, ResultSet
from channelsim.params import Params

if TYPE_CHECKING:
    from channelsim.engine.policy import DayView
    from channelsim.world.geography import World

Combine = Literal["set", "scale", "add", "chance"]


@dataclasses.dataclass(frozen=True)
class Lever:
    """A per-day input of a stage that policies may move.

    ``per_zone`` levers have one value per launch zone and day. ``low``/``high`` bound the
    value after all effects are combined.
    """

    name: str
    unit: str
    description: str
    per_zone: bool = False
    low: float = 0.0
    high: float = float("inf")


@dataclasses.dataclass(frozen=True)
class Setup:
    """What stages and policies read when a run is set up: the period, parameters, world."""

    dates: np.ndarray  # datetime64[D], one per simulated day
    day0: int  # absolute day (days since 2018-01-01) of the first date
    params: Params
    world: World
    zone_names: tuple[str, ...]
    zone_is_waterway: np.ndarray

    @property
    def n_days(self) -> int:
        return int(self.dates.shape[0])

    @property
    def n_zones(self) -> int:
        return len(self.zone_names)

    def date(self, index: int) -> dt.date:
        return self.dates[index].astype(dt.date)

    def constant(self, value: float) -> np.ndarray:
        """One value per day."""
        return np.full(self.n_days, float(value))

    def per_zone(self, value: float) -> np.ndarray:
        """One value per day and zone."""
        return np.full((self.n_days, self.n_zones), float(value))


def day_of_year(dates: np.ndarray) -> np.ndarray:
    """1 on 1 January."""
    return (dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1


def calendar_year(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def yearly_growth(dates: np.ndarray, reference_year: int, rate_per_year: float) -> np.ndarray:
    """``(1 + rate)`` to the power of the years elapsed since 1 Jan of ``reference_year``."""
    years = calendar_year(dates) + (day_of_year(dates) - 1) / 365.25 - reference_year
    return np.asarray((1.0 + rate_per_year) ** years, dtype=np.float64)


class Stage:
    """One stage of the day: declarations, and ``step(day)`` for the stage's work.

    ``kernel`` names the compiled day kernel of an engine stage (``None``: the stage has no
    compiled work; its policies' hooks and, in a subclass, its own ``step`` run in Python).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    kernel: ClassVar[str | None] = None
    levers: ClassVar[tuple[Lever, ...]] = ()
    streams: ClassVar[tuple[str, ...]] = ()
    results: ClassVar[tuple[Declared, ...]] = ()

    def base_levers(self, setup: Setup) -> dict[str, np.ndarray]:
        """Each lever's values before policies act, one per day (and zone)."""
        return {}

    def stream_names(self) -> tuple[str, ...]:
        """Full names of this stage's random streams: the stage name, or ``stage.decision``."""
        return tuple(self.name if s == "" else f"{self.name}.{s}" for s in self.streams)

    @property
    def runs_in_python(self) -> bool:
        """Whether this stage has Python work of its own (a ``step`` of a subclass)."""
        return type(self).step is not Stage.step

    def step(self, day: DayView) -> None:
        """The stage's work for one day (engine stages: done by their compiled kernel)."""

    def __repr__(self) -> str:
        return f"<stage {self.name}>"


# -- the engine's stages ----------------------------------------------------------------------


class Weather(Stage):
    name = "weather"
    description = (
        "the day's weather from the environment reader; a crossing window if wind ≤ "
        "`weather.max_wind_kn` and waves ≤ `weather.max_wave_height_m`"
    )
    streams = ("wind", "direction", "waves")
    results = (
        Result(
            "crossing_window",
            "Crossing window",
            "days",
            "Weather calm enough to launch (wind and waves at or below the thresholds).",
            kind="bool",
            total="crossing_window_days",
        ),
        Result(
            "wind_speed_kn",
            "Wind speed",
            "kn",
            "10 m wind, 00–12 UTC.",
            aggregation="mean",
            kind="float",
            total=None,
        ),
        Result(
            "wave_height_m",
            "Wave height",
            "m",
            "Significant wave height mid-strait.",
            aggregation="mean",
            kind="float",
            total=None,
        ),
        Result(
            "sea_temp_c",
            "Sea temperature",
            "°C",
            "Sea surface temperature.",
            aggregation="mean",
            kind="float",
            total=None,
        ),
    )


def with_weather_source(results: ResultSet, modes: Sequence[str]) -> ResultSet:
    """``results`` with the weather stage's columns (wind, waves, sea temperature, the
    crossing window) saying where their values come from, by the weather ``modes`` of the
    scenarios run (:func:`channelsim.world.environment.weather_source`): simulated by the
    stochastic generator, or observed (reanalysis), or given in a file. What an output folder
    writes in ``columns.json``, the CSV and workbook's column notes and the report read."""
    from channelsim.world.environment import weather_source

    return results.noted((r.name for r in Weather.results), weather_source(modes))


class Inflow(Stage):
    name = "inflow"
    kernel = "inflow"
    description = (
        "people arrive on the coast (Poisson around the seasonal mean, `coast.*`); people "
        "stopped or returned earlier rejoin"
    )
    streams = ("",)
    levers = (Lever("inflow_mean_people", "people/day", "Mean daily arrivals on the coast."),)
    results = (
        Result(
            "inflow_people",
            "People arriving on the coast",
            "people",
            "New arrivals on the French coast.",
        ),
        Result(
            "waiting_people",
            "People waiting on the coast",
            "people",
            "People waiting near the coast at the end of the day.",
            aggregation="level",
            total="final_waiting_people",
        ),
    )

    def base_levers(self, setup: Setup) -> dict[str, np.ndarray]:
        """Seasonal inflow with a yearly trend relative to the reference year."""
        c = setup.params.coast
        season = 1.0 + c.inflow_seasonal_amplitude * np.cos(
            2.0 * np.pi * (day_of_year(setup.dates) - c.inflow_peak_day_of_year) / 365.25
        )
        growth = yearly_growth(setup.dates, c.inflow_reference_year, c.inflow_trend_per_year)
        return {"inflow_mean_people": np.asarray(c.inflow_people_per_day * growth * season)}


class Attrition(Stage):
    name = "attrition"
    kernel = "attrition"
    description = "some waiting people leave the coast (`coast.attrition_per_day`)"
    streams = ("",)
    levers = (Lever("attrition_per_day", "1/day", "Share of waiting people who leave.", high=1.0),)
    results = (
        Result(
            "left_coast_people",
            "People leaving the coast",
            "people",
            "Waiting people who gave up (other routes, asylum in France, moves inland).",
        ),
    )

    def base_levers(self, setup: Setup) -> dict[str, np.ndarray]:
        return {"attrition_per_day": setup.constant(setup.params.coast.attrition_per_day)}


class Supply(Stage):
    name = "supply"
    kernel = "supply"
    description = "boats reach the networks (`networks.boat_supply_per_day`); seizures of stock"
    streams = ("", "seizure")
    levers = (
        Lever("boat_supply_per_day", "boats/day", "Boats and engines brought to the coast."),
        Lever("stock_seizure_share", "1/day", "Share of the boat stock seized today.", high=1.0),
    )
    results = (
        Result(
            "seized_boats",
            "Boats seized in stock",
            "boats",
            "Boats and engines seized from the networks' stock (not on the beach).",
            role="figure",
        ),
        Result(
            "boat_stock",
            "Boat stock",
            "boats",
            "Boats with engines ready at the end of the day.",
            aggregation="level",
            total=None,
        ),
    )

    def base_levers(self, setup: Setup) -> dict[str, np.ndarray]:
        return {
            "boat_supply_per_day": setup.constant(setup.params.networks.boat_supply_per_day),
            "stock_seizure_share": setup.constant(0.0),
        }


class Launch(Stage):
    name = "launch"
    kernel = "launch"
    description = (
        "on a window day `launch_share_per_window_day` of the waiting people try; boats = "
        "people / occupancy, limited by stock and `max_boats_per_day`; short of boats, networks "
        "load more (`scarcity_occupancy_elasticity`)"
    )
    streams = ("share", "occupancy")
    levers = (
        Lever("launch_share", "fraction", "Share of the waiting people who try today.", high=1.0),
        Lever("max_boats", "boats/day", "Most boats the networks can launch today."),
        Lever("mean_occupancy_people", "people/boat", "Mean people gathered for one boat."),
    )
    results = (
        Result(
            "attempted_people",
            "People attempting",
            "people",
            "People who tried to leave (person-attempts).",
            role="figure",
        ),
        Result("attempted_boats", "Launch attempts", "boats", "Boats that tried to leave."),
    )

    def base_levers(self, setup: Setup) -> dict[str, np.ndarray]:
        nw = setup.params.networks
        growth = yearly_growth(
            setup.dates, nw.occupancy_reference_year, nw.occupancy_trend_per_year
        )
        return {
            "launch_share": setup.constant(nw.launch_share_per_window_day),
            "max_boats": setup.constant(nw.max_boats_per_day),
            "mean_occupancy_people": nw.mean_occupancy_people * growth,
        }


class Beach(Stage):
    name = "beach"
    kernel = "beach"
    description = (
        "taxi boats (`taxi_boat_share`) leave from waterways, others from beaches; zones chosen "
        "by distance, displaced by patrols; a taxi boat may be intercepted in its waterway "
        "before anyone boards (`taxi_interception_probability`: its people are stopped, the "
        "boat seized); each group of people stopped with the zone's probability (one "
        "prevention event per group, injuring officers at `officer_injuries_per_event`); "
        "the boat leaves with the rest unless fewer than `min_occupancy_people` remain (then "
        "it may be seized)"
    )
    streams = ("taxi", "zone", "prevention", "seizure", "intercept", "injury")
    levers = (
        Lever("taxi_boat_share", "fraction", "Share of boats that are taxi boats.", high=1.0),
        Lever(
            "prevention_probability",
            "probability",
            "Chance that police intervene in a beach launch attempt, by zone.",
            per_zone=True,
            high=1.0,
        ),
        Lever(
            "taxi_prevention_probability",
            "probability",
            "Chance that a taxi-boat attempt is stopped, by zone.",
            per_zone=True,
            high=1.0,
        ),
        Lever(
            "taxi_interception_probability",
            "probability",
            "Chance that a taxi boat is intercepted in its waterway before anyone boards, by "
            "zone (0 unless a policy acts there).",
            per_zone=True,
            high=1.0,
        ),
    )
    results = (
        Result(
            "prevented_people",
            "People stopped on the beach",
            "people",
            "People stopped on the beach (they try again).",
            role="key",
        ),
        Result(
            "prevented_events",
            "Prevention events",
            "events",
            "Groups stopped on the beach.",
            role="figure",
        ),
        Result(
            "taxi_boats",
            "Taxi boats launched",
            "boats",
            "Boats launched from waterways as taxi boats.",
        ),
        Result(
            "intercepted_before_boarding_boats",
            "Taxi boats intercepted before boarding",
            "boats",
            "Taxi boats stopped in their waterway before people boarded (their people are "
            "counted as prevented).",
            role="figure",
        ),
        Result(
            "officer_injuries",
            "Officers injured",
            "officers",
            "Officers injured stopping launches on the beaches or intercepting boats.",
            role="key",
        ),
    )

    def base_levers(self, setup: Setup) -> dict[str, np.ndarray]:
        beach = setup.params.beach
        return {
            "taxi_boat_share": setup.constant(setup.params.networks.taxi_boat_share),
            "prevention_probability": setup.per_zone(beach.prevention_probability),
            "taxi_prevention_probability": setup.per_zone(beach.taxi_prevention_probability),
            "taxi_interception_probability": setup.per_zone(0.0),
        }


class Embarkation(Stage):
    name = "embarkation"
    kernel = "embarkation"
    description = (
        "deaths at embarkation, Poisson with means `crush_deaths_per_boat` (crush, every "
        "boat) and `wading_deaths_per_taxi_boat` (people wading out to a taxi boat) "
        "× (aboard / reference)^exponent; launch times"
    )
    streams = ("crush", "launch_time", "wading")
    results = (
        Result("launched_people", "People launched", "people", "People aboard boats that left."),
        Result("launched_boats", "Boats launched", "boats", "Boats that left.", role="figure"),
        Result(
            "dead_crush_beach_people",
            "Crushed at embarkation",
            "people",
            "Crushed or asphyxiated in an overcrowded boat while it is loaded.",
        ),
        Result(
            "dead_wading_people",
            "Drowned wading out to a taxi boat",
            "people",
            "Drowned in the surf wading out from the beach to a taxi boat.",
        ),
    )


class Sea(Stage):
    name = "sea"
    kernel = "sea"
    description = (
        "every boat launched today is stepped to its fate by the at-sea kernel; policies' "
        "interception rules act on boats under way"
    )
    streams = ("leeway", "jibe", "engine", "capsize", "rescue", "survival")
    levers = (
        Lever(
            "capsize_scale",
            "factor",
            "Capsize hazard relative to `hazards.capsize_per_hour` (history's year-to-year "
            "risk at sea; 1 unless a driver sets it).",
        ),
    )
    results = (
        Result(
            "boats_at_sea",
            "Boats at sea",
            "boats",
            "Boats at sea during the day (from launch to the end of the crossing).",
            aggregation="level",
            total=None,
        ),
        Result(
            "at_sea_end_people",
            "People still at sea at the end",
            "people",
            "Aboard boats still at sea when the simulated period ends.",
            aggregation="final",
        ),
        Result(
            "at_sea_end_boats",
            "Boats still at sea at the end",
            "boats",
            "Boats still at sea when the simulated period ends.",
            aggregation="final",
        ),
    )

    def base_levers(self, setup: Setup) -> dict[str, np.ndarray]:
        return {"capsize_scale": setup.constant(1.0)}


class Arrival(Stage):
    name = "arrival"
    kernel = "arrival"
    description = (
        "arrivals, returns and deaths booked on the day they happen; people returned to "
        "France and people prevented rejoin the waiting population the next day"
    )
    results = (
        Result(
            "arrived_people",
            "People arrived in the UK",
            "people",
            "Picked up by Border Force or landed (the Home Office's count).",
            role="key",
        ),
        Result(
            "arrived_boats", "Boats arrived", "boats", "Boats that reached the UK.", role="figure"
        ),
        Result(
            "uncontrolled_landings",
            "Uncontrolled landings",
            "boats",
            "Boats that landed on an English beach unescorted.",
        ),
        Result(
            "rescued_fr_people",
            "People rescued by France",
            "people",
            "Rescued in the French zone and taken back to France.",
        ),
        Result(
            "returned_at_sea_people",
            "People returned at sea",
            "people",
            "Taken back to France at sea (rescued, towed back or drifted ashore).",
            role="figure",
        ),
        Result(
            "intercepted_boats",
            "Boats intercepted",
            "boats",
            "Boats intercepted at sea under a policy's rules.",
            role="figure",
        ),
        Result(
            "rescued_from_water_people",
            "People rescued from the water",
            "people",
            "Alive after a capsize (the injured among migrants).",
            role="figure",
        ),
        Result(
            "dead_drowning_fr_people",
            "Drowned, French side",
            "people",
            "Drowned at once after a capsize on the French side.",
        ),
        Result(
            "dead_drowning_uk_people",
            "Drowned, UK side",
            "people",
            "Drowned at once after a capsize on the UK side.",
        ),
        Result(
            "dead_hypothermia_fr_people",
            "Hypothermia deaths, French side",
            "people",
            "Died in the water before rescue, French side.",
        ),
        Result(
            "dead_hypothermia_uk_people",
            "Hypothermia deaths, UK side",
            "people",
            "Died in the water before rescue, UK side.",
        ),
        Result(
            "dead_or_missing_people",
            "Dead or missing",
            "people",
            "All deaths on the route the model covers, both sides of the median line: "
            "embarkation (crush, wading), drowning, hypothermia.",
            role="key",
        ),
        Derived(
            "dead_french_zone_people",
            "Dead or missing, French zone (PREMAR's definition)",
            "people",
            "Deaths at sea and on the shore in the French zone: embarkation (crush, wading), "
            "drowning and hypothermia on the French side of the median line.",
            (
                "sum",
                "dead_crush_beach_people",
                "dead_wading_people",
                "dead_drowning_fr_people",
                "dead_hypothermia_fr_people",
            ),
            role="figure",
        ),
        Derived(
            "days_with_arrivals",
            "Days with arrivals",
            "days",
            "Days on which anyone arrived.",
            ("days_with", "arrived_people"),
            role="figure",
        ),
        Derived(
            "people_per_boat",
            "People per boat arrived",
            "people/boat",
            "Mean people aboard boats that arrived.",
            ("ratio", "arrived_people", "arrived_boats"),
            role="figure",
            kind="float",
            decimals=1,  # as the Home Office's series (channelsim.fields.OBSERVED)
        ),
    )


class Returns(Stage):
    name = "returns"
    description = "after arrival: returns to France, removals (policies)"
    results = (
        Result(
            "returned_from_uk_people",
            "People returned from the UK",
            "people",
            "Sent from the UK back to France.",
            role="figure",
        ),
        Result(
            "removed_people",
            "People removed",
            "people",
            "Removed from the UK to a third country or their own.",
            role="figure",
        ),
        Derived(
            "returned_people",
            "People returned or removed",
            "people",
            "Sent from the UK to France or elsewhere.",
            ("sum", "returned_from_uk_people", "removed_people"),
            role="figure",
        ),
    )


@functools.cache
def lever_bounds(name: str) -> tuple[float, float]:
    """The ``low`` and ``high`` of the built-in lever ``name`` (its stage's declaration;
    unbounded for a state such as ``waiting_people``, and ``(0, 1)`` a probability)."""
    for stage in STAGES:
        for lever in stage.levers:
            if lever.name == name:
                return lever.low, lever.high
    return -np.inf, np.inf


#: The stage results a policy may add to: those a stage declares for policies to book (one
#: in one out's returns, removals, the doctrine's injuries). Every other stage result is the
#: engine's own count, which a policy reads but never writes (a plug-in that set
#: ``arrived_people`` to 0 left 161 boats arriving with no one aboard: s13 breaker B17).
POLICY_BOOKED_RESULTS = frozenset({"returned_from_uk_people", "removed_people", "officer_injuries"})


class Costs(Stage):
    name = "costs"
    description = "policies book their costs in the ledger (GBP)"
    results = (
        Result(
            "cost_gbp",
            "Extra cost of policies",
            "£",
            "Costs the scenario's policies book in the ledger: the extra cost of new policies; "
            "what the status quo already spends (beach patrols, Border Force) is not in it.",
            kind="float",
            role="key",
        ),
    )


#: The day's stages in the order the loop runs them.
STAGES: tuple[type[Stage], ...] = (
    Weather,
    Inflow,
    Attrition,
    Supply,
    Launch,
    Beach,
    Embarkation,
    Sea,
    Arrival,
    Returns,
    Costs,
)

#: The ids of the compiled day kernels, in a fixed order (the kernels dispatch on these).
KERNELS: tuple[str, ...] = (
    "inflow",
    "attrition",
    "supply",
    "launch",
    "beach",
    "embarkation",
    "sea",
    "arrival",
)
