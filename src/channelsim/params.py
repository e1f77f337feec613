"""The model's parameters: grouped pydantic models with units, ranges and sources.

Every field carries its unit, the hard range it must lie in (``ge``/``le``, enforced), the
plausible range used by sensitivity analysis and calibration (``low``/``high``) and its
source: a row of ``facts.md`` or ``None``, which marks it as an assumption.

Values come in named parameter sets (:data:`PARAMETER_SETS`): ``"code"``, the values
written here (the centres of the priors and the fixed physics), and ``"calibrated"``, the
code values with the posterior medians of the last calibration
(``calibration_defaults.toml``, package data) on top. Runs use :data:`DEFAULT_SET`
(``"calibrated"``) unless a scenario names another (``parameter_set = "code"``), then the
scenario's ``[params.*]`` overrides. The documentation's parameter tables show the values
runs use, and which set they come from (``python -m channelsim.docs``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import sys
import tomllib
import typing
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from channelsim.errors import InputError, why_not_a_day

FACTS = "facts.md"


def P(
    default: float | int,
    *,
    unit: str,
    ge: float,
    le: float,
    description: str,
    low: float | None = None,
    high: float | None = None,
    source: str | None = None,
) -> Any:
    """A parameter field: ``low``/``high`` given only for uncertain parameters."""
    return Field(
        default,
        ge=ge,
        le=le,
        description=description,
        json_schema_extra={"unit": unit, "low": low, "high": high, "source": source},
    )


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CoastParams(_Group):
    """People waiting on the French coast."""

    initial_waiting_people: int = P(
        1500,
        unit="people",
        ge=0,
        le=50_000,
        low=500,
        high=4000,
        description="People waiting near the coast on the first day.",
    )
    inflow_people_per_day: float = P(
        120.0,
        unit="people/day",
        ge=0,
        le=2000,
        low=70,
        high=250,
        description="Mean daily arrivals on the coast in the reference year (before trend "
        "and season); set so that 2025 arrivals come out near the official count.",
    )
    inflow_trend_per_year: float = P(
        0.0,
        unit="1/year",
        ge=-0.9,
        le=2.0,
        low=-0.2,
        high=0.3,
        description="Relative change of the inflow per year from 1 Jan of the reference year, "
        "for runs outside history (history's `coastal_inflow` driver carries the change).",
    )
    inflow_reference_year: int = P(
        2025, unit="year", ge=2018, le=2100, description="Year in which the inflow equals its mean."
    )
    inflow_seasonal_amplitude: float = P(
        0.3,
        unit="fraction",
        ge=0,
        le=0.95,
        low=0.0,
        high=0.6,
        description="Relative amplitude of the yearly cosine in the inflow.",
    )
    inflow_peak_day_of_year: int = P(
        220,
        unit="day of year",
        ge=1,
        le=366,
        low=150,
        high=280,
        description="Day of year on which the seasonal inflow peaks.",
    )
    attrition_per_day: float = P(
        0.005,
        unit="1/day",
        ge=0,
        le=0.2,
        low=0.0,
        high=0.02,
        description="Share of waiting people who leave the coast each day (other routes, "
        "asylum in France, moves inland).",
    )


class NetworkParams(_Group):
    """Smuggling networks: boats, engines, occupancy, launch zones and taxi boats."""

    initial_boat_stock: int = P(
        40,
        unit="boats",
        ge=0,
        le=10_000,
        low=10,
        high=100,
        description="Boats with engines ready on the first day.",
    )
    boat_supply_per_day: float = P(
        5.0,
        unit="boats/day",
        ge=0,
        le=200,
        low=2.5,
        high=10,
        description="Boats and engines brought to the coast per day.",
    )
    max_boats_per_day: int = P(
        40,
        unit="boats/day",
        ge=1,
        le=500,
        low=20,
        high=60,
        description="Most boats the networks can launch in one day (organisation limit).",
    )
    launch_share_per_window_day: float = P(
        0.45,
        unit="fraction",
        ge=0.01,
        le=1.0,
        low=0.1,
        high=0.7,
        description="Share of the waiting people who try to leave on a day with a weather window.",
    )
    mean_occupancy_people: float = P(
        84.0,
        unit="people/boat",
        ge=5,
        le=125,
        low=75,
        high=110,
        source=f"{FACTS}: Prevented by France and Added November 2026 (2025: PREMAR 49,966 "
        "people on 795 boats at sea, 62.8 a boat, and 22,476 people prevented: 62.8 + "
        "22,476 / 795 ≈ 91 gathered per boat that left)",
        description="Mean people gathered for one boat before prevention, in 2025 (history's "
        "`boat_occupancy` driver scales it for other years); prevention takes groups from "
        "it, so boats leave with fewer (2025: 62.8 a boat at sea, 61.7 arrived). The "
        "log-normal spread capped at `max_occupancy_people` makes the mean drawn a little "
        "lower than this.",
    )
    occupancy_trend_per_year: float = P(
        0.0,
        unit="1/year",
        ge=-0.5,
        le=1.0,
        low=0.0,
        high=0.2,
        source="facts.md: Arrivals (people per boat 41.2 in 2022, 48.9, 53.0, 61.7 in 2025: "
        "about +14% a year)",
        description="Relative change per year of the mean occupancy, from 1 Jan of "
        "`occupancy_reference_year`, for runs outside history (history's `boat_occupancy` "
        "driver carries the observed change year by year and sets this to 0).",
    )
    occupancy_reference_year: int = P(
        2025,
        unit="year",
        ge=2018,
        le=2100,
        description="Year in which the mean occupancy equals `mean_occupancy_people`.",
    )
    occupancy_sigma: float = P(
        0.3,
        unit="log-sd",
        ge=0,
        le=1.5,
        low=0.15,
        high=0.45,
        description="Log-normal spread of occupancy between boats.",
    )
    max_occupancy_people: int = P(
        125,
        unit="people/boat",
        ge=10,
        le=200,
        source=f"{FACTS}: Arrivals, largest boat",
        description="Largest occupancy a boat can carry.",
    )
    min_occupancy_people: int = P(
        10, unit="people/boat", ge=1, le=60, description="Smallest group that launches a boat."
    )
    scarcity_occupancy_elasticity: float = P(
        0.5,
        unit="-",
        ge=0,
        le=2,
        low=0.0,
        high=1.0,
        description="How much networks raise occupancy when demand exceeds the boats they "
        "have: occupancy × (demand/boats)^elasticity, capped at the maximum.",
    )
    taxi_boat_share: float = P(
        0.45,
        unit="fraction",
        ge=0,
        le=1,
        low=0.35,
        high=0.55,
        source=f"{FACTS}: Policy, taxi boats",
        description="Share of boats launched from waterways as taxi boats (2025).",
    )
    zone_distance_scale_km: float = P(
        25.0,
        unit="km",
        ge=1,
        le=500,
        low=10,
        high=60,
        description="Zone choice weight exp(-crossing distance / scale): shorter crossings "
        "preferred.",
    )
    patrol_displacement: float = P(
        1.0,
        unit="-",
        ge=0,
        le=5,
        low=0.0,
        high=2.0,
        description="Zone choice weight × (1 − prevention probability)^displacement: "
        "networks move away from patrolled zones.",
    )
    launch_hour_start: float = P(
        0.0, unit="h (UTC)", ge=0, le=23, description="Earliest launch time of day."
    )
    launch_hour_end: float = P(
        7.0,
        unit="h (UTC)",
        ge=1,
        le=24,
        low=5,
        high=10,
        description="Latest launch time of day (launches at night and dawn).",
    )


class BeachParams(_Group):
    """Prevention on the beach and at embarkation."""

    prevention_probability: float = P(
        0.9,
        unit="probability",
        ge=0,
        le=1,
        low=0.65,
        high=0.92,
        source=f"{FACTS}: Prevented by France (2022: 33,788 people prevented against 45,755 "
        "arrived, 42%; Prevention share over time: 42-47% in 2022-2024, 35-38% in 2025)",
        description="Chance that police intervene in a beach launch attempt with "
        "`reference_officers` on the beaches (history's `beach_officers` policy moves it with "
        "the officers deployed). Each of `groups_per_boat` groups is stopped with "
        "1 − (1 − p)^(1/groups), so a beach attempt loses that share of its people: the "
        "reported shares of people prevented, 35–47% (widened to 30–55%), give "
        "p = 1 − (1 − share)³ = 0.65–0.92 "
        "(2022, before the November 2022 deal: 42%, p ≈ 0.80); calibrated to prevention.",
    )
    taxi_prevention_probability: float = P(
        0.17,
        unit="probability",
        ge=0,
        le=1,
        low=0.15,
        high=0.19,
        source=f"{FACTS}: Policy, taxi boats (81–85% succeed)",
        description="Chance that a taxi-boat launch attempt is stopped.",
    )
    reference_officers: float = P(
        200.0,
        unit="officers",
        ge=1,
        le=10_000,
        source="https://www.politics.co.uk/news/2022/11/14/63m-deal-signed-with-france-to-step-"
        "up-action-on-migrant-boats/ (officers patrolling the coast to rise from 200 to 300)",
        description="Officers on the beaches at which `prevention_probability` applies (before "
        "the November 2022 deal); a `beach_officers` policy moves the effort from it.",
    )
    effort_elasticity: float = P(
        0.5,
        unit="-",
        ge=0,
        le=2,
        low=0.0,
        high=0.7,
        source=f"{FACTS}: Prevention share over time (42% in 2022 at about 200 officers, "
        "45-47% in 2023-2024 and 35-38% in 2025 at up to 800, taxi boats included)",
        description="How the chance of getting past the police falls with officers: "
        "(1 − p)^((officers / reference_officers)^elasticity); 1 is independent searchers, "
        "below 1 diminishing returns (officers cover the same beaches). Four times the "
        "officers barely moved the share of people prevented (42% → 45–47% → 35–38%): with "
        "p at 200 officers in 0.65–0.92, the shares of 2023–2025 give 0.2–0.65.",
    )
    groups_per_boat: int = P(
        3,
        unit="groups",
        ge=1,
        le=8,
        low=2,
        high=4,
        description="People reach the beach for one boat in this many groups; police stop "
        "groups (one prevention event each), the boat leaves with the rest. Three groups give "
        "the observed ~27 people per event (facts.md: 22,476 people in ~845 events, 2025).",
    )
    seizure_probability: float = P(
        0.5,
        unit="probability",
        ge=0,
        le=1,
        low=0.2,
        high=0.8,
        description="Chance the boat is seized when a whole group is stopped.",
    )
    crush_deaths_per_boat: float = P(
        0.012,
        unit="deaths/boat",
        ge=0,
        le=1,
        low=0.004,
        high=0.03,
        source=f"{FACTS}: Deaths (IOM 2024 causes: crushing or asphyxiation 4 of 52; "
        "fitted to that share of 2024's deaths)",
        description="Mean crush deaths at embarkation for a boat at the reference occupancy.",
    )
    wading_deaths_per_taxi_boat: float = P(
        0.02,
        unit="deaths/boat",
        ge=0,
        le=1,
        low=0.0,
        high=0.08,
        source=f"{FACTS}: Deaths (PREMAR: ~40% of deaths in the coastal zone, at embarkation "
        "or on return to the beach, applied to 2025 (the year is an assumption, range 30-55%); "
        "fitted to 2025's embarkation deaths less its crushes)",
        description="Mean deaths among people wading out from the beach to a taxi boat "
        "(drowning in the surf, the scramble to board), per taxi boat at the reference "
        "occupancy; scaled by (aboard / reference)^`crush_overload_exponent`.",
    )
    officer_injuries_per_event: float = P(
        0.004,
        unit="officers/event",
        ge=0,
        le=1,
        low=0.001,
        high=0.02,
        description="Officers injured per prevention event on the beach (stones thrown, "
        "vehicles overturned: e.g. 3 gendarmes injured at Oye-Plage, "
        "https://www.voaafrica.com/a/france-nabs-channel-migrants/7110247.html; no yearly "
        "count is published).",
    )
    crush_reference_occupancy: float = P(
        60.0, unit="people/boat", ge=10, le=150, description="Occupancy of the crush reference."
    )
    crush_overload_exponent: float = P(
        3.0,
        unit="-",
        ge=0,
        le=10,
        low=1.0,
        high=5.0,
        description="Crush deaths scale as (occupancy/reference)^exponent.",
    )


class SeaParams(_Group):
    """Boats under way."""

    engine_speed_kn: float = P(
        6.0,
        unit="kn",
        ge=1,
        le=15,
        low=4,
        high=7,
        description="Speed through the water of a lightly loaded boat (cheap outboards).",
    )
    load_speed_loss_per_100_people: float = P(
        0.25,
        unit="fraction/100 people",
        ge=0,
        le=0.9,
        low=0.1,
        high=0.4,
        description="Relative speed lost per 100 people aboard.",
    )
    wave_speed_loss_per_m: float = P(
        0.3,
        unit="fraction/m",
        ge=0,
        le=0.9,
        low=0.1,
        high=0.5,
        description="Relative speed lost per metre of significant wave height.",
    )
    time_step_min: float = P(
        10.0, unit="min", ge=1, le=60, description="Step of the at-sea kernel."
    )
    max_hours_at_sea: float = P(
        48.0, unit="h", ge=6, le=240, description="Tracking horizon for one boat."
    )


class HazardParams(_Group):
    """Engine failure, capsize and survival in the water."""

    engine_failure_per_hour: float = P(
        0.02,
        unit="1/h",
        ge=0,
        le=2,
        low=0.005,
        high=0.05,
        description="Engine failure (or fuel exhaustion) hazard; a disabled boat drifts.",
    )
    capsize_per_hour: float = P(
        0.0001,
        unit="1/h",
        ge=0,
        le=1,
        low=0.00001,
        high=0.0003,
        description="Capsize, deflation or floor failure hazard at calm sea and reference "
        "occupancy.",
    )
    capsize_wave_factor_per_m: float = P(
        2.0,
        unit="1/m",
        ge=0,
        le=10,
        low=1.0,
        high=4.0,
        description="Capsize hazard × exp(factor × wave height).",
    )
    capsize_overload_exponent: float = P(
        2.0,
        unit="-",
        ge=0,
        le=10,
        low=1.0,
        high=4.0,
        source=(
            f"assumption (range 1–4; {FACTS}: Deaths says 90% of shipwrecks had ≥ 50 aboard, "
            "which gives no exponent)"
        ),
        description="Capsize hazard × (occupancy / crush reference occupancy)^exponent.",
    )
    immediate_drowning_share: float = P(
        0.15,
        unit="fraction",
        ge=0,
        le=1,
        low=0.05,
        high=0.3,
        source=(
            f"assumption (range 0.05–0.3; {FACTS}: Physical setting says only that cold shock "
            "is the main killer in the first minutes, which gives no share)"
        ),
        description="Share of people in the water who drown at once (cold shock, no life jacket).",
    )
    survival_median_below_10c_h: float = P(
        2.0,
        unit="h",
        ge=0.1,
        le=24,
        low=1,
        high=3,
        source=f"{FACTS}: Physical setting, cold water (4.4–10 °C: 1–3 h)",
        description="Median survival time in water below 10 °C, with flotation.",
    )
    survival_median_above_10c_h: float = P(
        3.5,
        unit="h",
        ge=0.1,
        le=48,
        low=1,
        high=6,
        source=f"{FACTS}: Physical setting, cold water (10–15.6 °C: 1–6 h)",
        description="Median survival time in water at 10 °C and above, with flotation.",
    )
    flotation_share: float = P(
        0.3,
        unit="fraction",
        ge=0,
        le=1,
        low=0.1,
        high=0.6,
        description="Share of people in the water with a life jacket or other flotation "
        "(the maritime prefect: boats 'without life jackets for all'; many wear them, "
        "facts.md: Physical setting, boats).",
    )
    survival_median_no_flotation_h: float = P(
        0.5,
        unit="h",
        ge=0.05,
        le=6,
        low=0.25,
        high=1.0,
        source="https://www.europe1.fr/societe/migrants-baisse-du-nombre-de-traversees-de-la-"
        "manche-en-2023-mais-toujours-autant-de-risques-pris-4228635 (maritime prefect: "
        "without life jackets, many unable to swim, under an hour)",
        description="Median survival time in the water without flotation, whatever the "
        "temperature (the survival medians by temperature are for people with flotation, "
        "as the US SAR table assumes).",
    )
    survival_log_sd: float = P(
        0.5,
        unit="log-sd",
        ge=0.01,
        le=3,
        low=0.3,
        high=0.8,
        description="Log-normal spread of individual survival times.",
    )


class RescueParams(_Group):
    """Search and rescue on each side of the median line."""

    fr_rescue_per_hour: float = P(
        0.8,
        unit="1/h",
        ge=0,
        le=20,
        low=0.3,
        high=2.0,
        description="Rate at which CROSS Gris-Nez assets reach a disabled boat in the French "
        "zone (people are taken back to France).",
    )
    uk_pickup_per_hour: float = P(
        1.5,
        unit="1/h",
        ge=0,
        le=20,
        low=0.5,
        high=4.0,
        description="Rate at which Border Force picks up a boat in the UK zone.",
    )
    capsize_rescue_mean_h: float = P(
        1.0,
        unit="h",
        ge=0.05,
        le=24,
        low=0.5,
        high=3.0,
        description="Mean time from a capsize to the rescue of the people in the water.",
    )
    interception_capsize_rescue_mean_h: float = P(
        0.25,
        unit="h",
        ge=0.01,
        le=24,
        low=0.05,
        high=1.0,
        description="Mean time from a capsize caused by an interception to the rescue of the "
        "people in the water (the intercepting vessel is alongside; docs/model.md §1.3).",
    )


class WeatherParams(_Group):
    """What the networks count as a weather window."""

    max_wind_kn: float = P(
        12.0,
        unit="kn",
        ge=0,
        le=40,
        low=9,
        high=16,
        source=(
            f"{FACTS}: Physical setting, weather (press: about 12 kn, journalistic); the "
            "calibrated value runs use is above it (docs/validation.md)"
        ),
        description="Highest 10 m wind at which boats launch (press reports ~12 kn).",
    )
    max_wave_height_m: float = P(
        0.8,
        unit="m",
        ge=0,
        le=4,
        low=0.5,
        high=1.2,
        source=(
            f"{FACTS}: Physical setting, weather (press: about 0.5 m, journalistic); the "
            "calibrated value runs use is above it (docs/validation.md)"
        ),
        description="Highest significant wave height at which boats launch (press ~0.5 m).",
    )


class Params(BaseModel):
    """All parameter groups."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    coast: CoastParams = CoastParams()
    networks: NetworkParams = NetworkParams()
    beach: BeachParams = BeachParams()
    sea: SeaParams = SeaParams()
    hazards: HazardParams = HazardParams()
    rescue: RescueParams = RescueParams()
    weather: WeatherParams = WeatherParams()


@dataclass(frozen=True)
class ParamInfo:
    """One parameter as listed in the docs and used by sensitivity analysis."""

    path: str
    unit: str
    default: float | int
    ge: float
    le: float
    low: float | None
    high: float | None
    source: str | None
    description: str

    @property
    def label(self) -> str:
        """The parameter's name for readers: its field in words, the unit in parentheses
        (``sea.engine_speed_kn`` → ``"engine speed (kn)"``)."""
        text = self.words
        return text if self.unit in ("", "-") or self.unit in text else f"{text} ({self.unit})"

    @property
    def words(self) -> str:
        """:attr:`label` without its unit (``sea.engine_speed_kn`` → ``"engine speed"``)."""
        field = self.path.rpartition(".")[2]
        if self.unit in ("kn", "m", "km", "h", "min") and field.endswith(f"_{self.unit}"):
            field = field[: -len(self.unit) - 1]
        return field.replace("_", " ")


def _bound(field: Any, kind: str) -> float:
    for item in field.metadata:
        if hasattr(item, kind):
            return float(getattr(item, kind))
    raise AssertionError(f"parameter without {kind}")


def list_parameters(params: Params | None = None) -> list[ParamInfo]:
    """Every parameter with its path, unit, current value, ranges and source."""
    params = params or default_params()
    rows: list[ParamInfo] = []
    for group_name in Params.model_fields:
        group = getattr(params, group_name)
        for name, field in type(group).model_fields.items():
            extra = field.json_schema_extra
            assert isinstance(extra, dict)
            rows.append(
                ParamInfo(
                    path=f"{group_name}.{name}",
                    unit=str(extra["unit"]),
                    default=getattr(group, name),
                    ge=_bound(field, "ge"),
                    le=_bound(field, "le"),
                    low=extra["low"],
                    high=extra["high"],
                    source=extra["source"],
                    description=field.description or "",
                )
            )
    return rows


def uncertain_parameters(params: Params | None = None) -> list[ParamInfo]:
    """Parameters with a plausible range (for SALib and calibration)."""
    return [p for p in list_parameters(params) if p.low is not None and p.high is not None]


def posterior_parameter_names(folder: str | Path | None) -> tuple[str, ...]:
    """The parameters a calibration posterior draws (``[parameters] names`` of its
    ``posterior.toml``), or ``()`` when the folder is not given or cannot be read (a report
    read on another machine)."""
    if not folder:
        return ()
    try:
        with (Path(folder) / "posterior.toml").open("rb") as file:
            names = tomllib.load(file).get("parameters", {}).get("names", [])
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return ()
    return tuple(str(name) for name in names) if isinstance(names, list) else ()


def held_by_posterior(drawn: Collection[str]) -> list[ParamInfo]:
    """The parameters with a plausible range that a posterior drawing ``drawn`` (parameter
    paths, :func:`posterior_parameter_names`) leaves at the values runs use: among them the
    ones the package's defaults fitted by simulated moments after the calibration (deaths,
    rescues), which no particle draws."""
    return [p for p in uncertain_parameters() if p.path not in set(drawn)]


def held_text(drawn: Collection[str]) -> str:
    """What a ``--posterior`` interval leaves out, in words for a headline: how many
    parameters with a plausible range it holds at their values, how many of them are
    assumptions, those that decide deaths (groups ``hazards`` and ``rescue``) by name, and
    the command that screens them. Empty when none is held."""
    held = held_by_posterior(drawn)
    if not held:
        return ""
    assumed = sum(p.source is None for p in held)
    deaths = [p.words for p in held if p.path.split(".")[0] in ("hazards", "rescue")]
    among = f"; among them {', '.join(deaths)}" if deaths else ""
    return (
        f"not that of the model's {len(held)} other parameters with a plausible range, held at "
        f"their values ({assumed} of them assumptions{among}; `channelsim sensitivity "
        "SCENARIO --method morris` screens them all)"
    )


def _number_text(value: float) -> str:
    """A number as a reader writes it: ``0.5``, ``50000``, ``1e-09``, and a whole number of a
    million or more with separators (``10,000,000``, where ``:g`` would write ``1e+07``)."""
    if isinstance(value, float) and value.is_integer() and 1e6 <= abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


#: What a pydantic error type expected, in words (the rest say "Input should be …").
_EXPECTED_BY_TYPE = {
    "string_type": "expected text (in quotes)",
    "string_too_short": "expected non-empty text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "date_type": "expected a date YYYY-MM-DD",
    "date_parsing": "expected a date YYYY-MM-DD",
    "date_from_datetime_parsing": "expected a date YYYY-MM-DD",
    "date_from_datetime_inexact": "expected a date YYYY-MM-DD (without a time)",
    "datetime_type": "expected a date and time YYYY-MM-DDTHH:MM",
    "datetime_parsing": "expected a date and time YYYY-MM-DDTHH:MM",
    "datetime_from_date_parsing": "expected a date and time YYYY-MM-DDTHH:MM",
}


#: A bound's error type: its key in the error's context, and its words for numbers and dates.
_BOUNDS = {
    "less_than_equal": ("le", "≤", "on or before"),
    "less_than": ("lt", "<", "before"),
    "greater_than_equal": ("ge", "≥", "on or after"),
    "greater_than": ("gt", ">", "after"),
}


def _shown(value: Any) -> str:
    """A value the user gave, as they would write it: a date or time in ISO form (not
    Python's ``datetime.datetime(2025, 2, 1, 10, 0)``), anything else as its repr."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return repr(value)


def expected_text(
    error: Mapping[str, Any], model: type[BaseModel] | None = None, hidden: Sequence[str] = ()
) -> str:
    """Say what a pydantic error expected, in the project's one-line style: what was given
    and what is expected, never pydantic's own wording. ``model`` (the class validated)
    lets an unknown key's line list the valid keys where it was found (but ``hidden``)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    got_text = f", got {_shown(got)}" if not isinstance(got, dict | list) else _kind_of(got)
    if kind == "extra_forbidden":
        return unknown_key_text(model, error.get("loc", ()), hidden)
    if kind == "missing":
        return "required key is missing"
    if isinstance(got, float) and not math.isfinite(got):  # nan fails every bound
        return f"expected a finite number{got_text}"
    if kind in _BOUNDS:
        key, sign, when = _BOUNDS[kind]
        if isinstance(got, dt.date):  # a date parameter's bound (pydantic gives it as text)
            return f"expected a date {when} {ctx[key]}{got_text}"
        return f"expected a number {sign} {_number_text(ctx[key])}{got_text}"
    if kind.startswith(("float", "int")):
        whole = kind.startswith("int")
        unit = _unit_at(model, error.get("loc", ()))
        unit_text = ""
        if unit and unit != "-":  # a parameter's: "4m" (a unit typed in) is named as such
            bare = "; a bare number, without a unit or quotes" if isinstance(got, str) else ""
            unit_text = f" ({unit}{bare})"
        return f"expected {'a whole number' if whole else 'a number'}{unit_text}{got_text}"
    if kind.startswith(("model", "dict")):
        return f"expected a table{got_text}"
    if kind == "too_short":  # a list with too few items (e.g. an empty list of payments)
        least = ctx.get("min_length", 1)
        given = ctx.get("actual_length", 0)
        items = "item" if least == 1 else "items"
        return f"expected at least {least} {items}, got {given or 'none'}"
    if kind == "value_error" and "error" in ctx:  # a validator's own message says it all
        return str(ctx["error"])
    if kind in _EXPECTED_BY_TYPE:
        why = why_not_a_day(got) if kind.startswith("date") else ""
        return f"{_EXPECTED_BY_TYPE[kind]}{got_text}{why}"
    if kind == "union_tag_invalid":  # a table's kind (its tag) is not one of the kinds
        tags = str(ctx.get("expected_tags", "")).replace("'", "").split(", ")
        key, tag = str(ctx.get("discriminator", "kind")).strip("'"), str(ctx.get("tag"))
        close = did_you_mean(tag, tags)
        return f"expected {key} one of {', '.join(tags)}, got {tag!r};{close}".rstrip(";")
    if kind in {"literal_error", "enum"} and "expected" in ctx:
        return f"expected one of {ctx['expected']}{got_text}"
    message = str(error["msg"])
    for said in ("Input should be ", "Value should be ", "Input should have "):
        if message.startswith(said):  # pydantic's wording, turned into the project's
            message = f"expected {message[len(said) :]}"
    return message if got_text and got_text[2:] in message else f"{message}{got_text}"


def _unit_at(model: type[BaseModel] | None, loc: Sequence[str | int]) -> str | None:
    """The unit a parameter declares (``people/day``), if ``loc`` in ``model`` is one."""
    table = None if model is None or not loc else _model_at(model, loc[:-1])
    field = None if table is None else table.model_fields.get(str(loc[-1]))
    extra = None if field is None else field.json_schema_extra
    return str(extra["unit"]) if isinstance(extra, dict) and "unit" in extra else None


def _kind_of(got: object) -> str:
    return ", got a table" if isinstance(got, dict) else ", got a list"


def unknown_key_text(
    model: type[BaseModel] | None, loc: Sequence[str | int], hidden: Sequence[str] = ()
) -> str:
    """``unknown key``, then the valid keys of the table it is in (the closest first, when
    one is near: a misspelling), as far as ``model`` (the class validated) tells them."""
    table = _model_at(model, loc[:-1]) if model is not None else None
    if table is None:
        return "unknown key"
    fields = table.model_fields.items()
    valid = [name for name, field in fields if not field.exclude and name not in hidden]
    return unknown_key(str(loc[-1]) if loc else "", valid)


def unknown_key(key: str, valid: Sequence[str]) -> str:
    """An unknown key's line: the closest valid keys first (a misspelling), then all of them."""
    return f"unknown key;{did_you_mean(key, valid)} expected one of {', '.join(valid)}"


def did_you_mean(key: str, valid: Sequence[str]) -> str:
    """`` did you mean A or B?`` for the valid names closest to ``key`` (a misspelling), or
    an empty string when none is close."""
    close = difflib.get_close_matches(key, list(valid), n=3, cutoff=0.75)
    return f" did you mean {' or '.join(close)}?" if close else ""


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class of the table at ``loc`` inside ``model`` (list positions skipped)."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = None if field is None else _model_in(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def raise_input_error(
    error: ValidationError,
    source: str | Path | None,
    prefix: str = "",
    model: type[BaseModel] | None = None,
    hidden: Sequence[str] = (),
) -> None:
    """Turn the first pydantic error into an ``InputError`` naming the dotted key (an unknown
    key lists the valid ones of ``model``, the class validated, but ``hidden``)."""
    first = error.errors()[0]
    where = key_text([*(prefix.split(".") if prefix else []), *first["loc"]])
    raise InputError(source, where or None, expected_text(first, model, hidden)) from None


def key_text(loc: Sequence[str | int]) -> str:
    """A key's place as a reader counts it: keys dotted, a list's items counted from 1
    (pydantic counts from 0): ``params.payments_eur item 2`` is the second payment, and a key
    inside an item follows after a comma (``zones item 1, name``)."""
    text, after_item = "", False
    for part in loc:
        if isinstance(part, int):
            text += f" item {part + 1}"
        else:
            text += f"{', ' if after_item else '.' if text else ''}{part}"
        after_item = isinstance(part, int)
    return text


def merge_tables(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``update`` laid over it, nested tables merged key by key (a new dict)."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


def apply_overrides(
    params: Params,
    overrides: Mapping[str, Any],
    source: str | Path | None = None,
    prefix: str = "params",
) -> Params:
    """Return ``params`` with nested ``overrides`` applied and validated.

    Errors name ``source`` and the dotted key, e.g.
    ``scenarios/x.toml: params.sea.engine_speed_kn: expected a number ≤ 15, got 40``.
    """
    if not isinstance(overrides, Mapping):
        raise InputError(source, prefix or None, "expected a table of parameter groups")
    try:
        return Params.model_validate(merge_tables(params.model_dump(), overrides))
    except ValidationError as error:
        raise_input_error(error, source, prefix, Params)
        raise  # unreachable: raise_input_error always raises


def calibration_defaults_path() -> Path | None:
    """The package-data file a calibration writes, if there is one."""
    candidate = resources.files("channelsim").joinpath("calibration_defaults.toml")
    return Path(str(candidate)) if candidate.is_file() else None


def _calibrated() -> Params:
    """Code values, then ``calibration_defaults.toml`` (package data) if present."""
    params = Params()
    path = calibration_defaults_path()
    if path is not None:
        try:
            overrides = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise InputError(path, None, f"invalid TOML ({error})") from None
        params = apply_overrides(params, overrides.get("params", overrides), path, "params")
    return params


#: The named parameter sets and what each is.
PARAMETER_SETS: dict[str, str] = {
    "code": "the values in channelsim/params.py: prior centres and fixed physics",
    "calibrated": "the code values with the last calibration's posterior medians "
    "(calibration_defaults.toml)",
}
DEFAULT_SET = "calibrated"


@cache
def parameter_set(name: str = DEFAULT_SET) -> Params:
    """The parameter set called ``name`` (:data:`PARAMETER_SETS`)."""
    if name == "code":
        return Params()
    if name == "calibrated":
        return _calibrated()
    raise InputError(
        None, "parameter_set", f"expected one of {', '.join(PARAMETER_SETS)}, got {name!r}"
    )


def default_params() -> Params:
    """The parameter set runs use unless a scenario names another (:data:`DEFAULT_SET`)."""
    return parameter_set(DEFAULT_SET)


def flat_items(params: Params) -> Iterator[tuple[str, float | int]]:
    """``(dotted path, value)`` for every parameter."""
    for info in list_parameters(params):
        yield info.path, info.default


def markdown_table(
    params: Params | None = None,
    code: Params | None = None,
    settings: Mapping[str, str] | None = None,
) -> str:
    """The parameter tables of docs/model.md, one per group: the values of ``params``
    (default: what runs use); where ``code`` is given and differs, the code value too; and
    ``settings``, by parameter path, what shipped scenarios set it to instead (in words)."""
    lines: list[str] = []
    current = ""
    code_values = dict(flat_items(code)) if code is not None else {}
    for info in list_parameters(params):
        group = info.path.split(".")[0]
        if group != current:
            current = group
            doc = (Params.model_fields[group].annotation.__doc__ or "").strip()
            lines += [
                "",
                f"#### `{group}` — {doc}",
                "",
                "| parameter | unit | value runs use | allowed | plausible range | source "
                "| meaning |",
                "|---|---|---|---|---|---|---|",
            ]
        plausible = (
            f"{_number_text(info.low)}–{_number_text(info.high)}"
            if info.low is not None and info.high is not None
            else "fixed"
        )
        value = _number_text(_rounded(info.default))
        if info.path in code_values and code_values[info.path] != info.default:
            value += f" (calibrated; code {_number_text(code_values[info.path])})"
        if settings and info.path in settings:
            value += f"; {settings[info.path]}"
        lines.append(
            f"| `{info.path}` | {info.unit} | {value} | "
            f"{_number_text(info.ge)}–{_number_text(info.le)} | {plausible} | "
            f"{info.source or 'assumption'} | {info.description} |"
        )
    return "\n".join(lines).strip() + "\n"


def _rounded(value: float | int) -> float | int:
    """Calibrated values to 4 significant digits in the tables (the file keeps all)."""
    return value if isinstance(value, int) else float(f"{value:.4g}")


if __name__ == "__main__":
    sys.stdout.write(markdown_table(default_params(), Params()))
