"""Calibration targets: the same summary statistics computed from the official series and from
a simulation, and the discrepancy between them.

Observed and simulated series are first put in one shape (:class:`Series`: daily people and
boats, weekly prevention, deaths by year) and then summarised by one function
(:func:`summary_statistics`), so that an exact match gives a discrepancy of exactly zero.
Each target is compared in standard units, ``(simulated − observed) / scale``, where the scale
is the tolerance stated in :data:`TOLERANCES` (relative part times the observed value plus an
absolute floor): it stands for the noise of one realisation (weather, counting) and for the
error a model of this resolution may be allowed. A target's discrepancy is the mean squared
standardised error over its components; the total is the weighted mean over targets, so no
target dominates through its number of components.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from channelsim.errors import InputError, why_not_a_day
from channelsim.experiments.deaths import DEATHS_BY_YEAR, DeathsFigure
from channelsim.experiments.deaths import DEATHS_COUNTED_BY as DEATHS_COUNTED_BY

QUANTILE_LEVELS = (0.1, 0.25, 0.5, 0.75, 0.9)


SourcedFigure = DeathsFigure

#: The one definition of deaths the calibration uses: PREMAR's (the French maritime
#: prefecture), deaths at sea and on the shore in the French zone. IOM counts the whole route
#: (roads and lorries too); the model's ``dead_or_missing_people`` adds the UK side.
DEATHS_DEFINITION = (
    "PREMAR (French maritime prefecture): dead and missing at sea and on the shore in the French "
    "zone; the model's `dead_french_zone_people` (embarkation, wading, drowning and hypothermia "
    "on the French side of the median line)"
)
DEATHS_COLUMNS = (
    "dead_crush_beach_people",
    "dead_wading_people",
    "dead_drowning_fr_people",
    "dead_hypothermia_fr_people",
)

PREMAR_2025 = "https://www.theirishpress.com/Economy/623023-france-rescues-over-6000-uk-bound-channel-migrants-in-2025.html"


@dataclass(frozen=True)
class SourcedTarget:
    """A yearly figure reported outside the Home Office series, and how a run makes it:
    the sum of ``columns`` over the year (``how = "sum"``) or their mean over January–March
    (``"mean_q1"``, for a population level)."""

    columns: tuple[str, ...]
    figures: dict[int, DeathsFigure]
    how: str = "sum"


#: PREMAR's rescues and launch attempts (facts.md: Prevented by France, and "Added November
#: 2026") and the camps' size in early 2026, as calibration targets.
SOURCED_TARGETS: dict[str, SourcedTarget] = {
    "french_rescues_by_year": SourcedTarget(
        ("rescued_fr_people",),
        {
            2024: DeathsFigure(6310, 6310, f"PREMAR, {PREMAR_2025}", 0.1),
            2025: DeathsFigure(6177, 6177, f"PREMAR, {PREMAR_2025}", 0.1),
        },
    ),
    "launched_people_by_year": SourcedTarget(
        ("launched_people",),
        {
            2024: DeathsFigure(45203, 45203, "PREMAR (facts.md: Prevented by France)", 0.1),
            2025: DeathsFigure(49966, 49966, f"PREMAR, {PREMAR_2025}", 0.1),
        },
    ),
    "launched_boats_by_year": SourcedTarget(
        ("launched_boats",),
        {2025: DeathsFigure(795, 795, f"PREMAR, {PREMAR_2025}", 0.1)},
    ),
    "prevented_people_by_year": SourcedTarget(
        ("prevented_people",),
        {
            2022: DeathsFigure(
                33788,
                33788,
                "facts.md: Prevented by France (2022: France prevented 1,381 boat crossings "
                "carrying 33,788 people; UK-France leaders' declaration, March 2023)",
                0.15,
            )
        },
    ),
    "waiting_people_q1": SourcedTarget(
        ("waiting_people",),
        {
            2026: DeathsFigure(
                1500,
                2000,
                "camps of the Dunkirk–Calais coast, early 2026 (https://www.africanews.com/2026/"
                "03/04/france-over-250-migrants-cross-channel-to-england-as-calm-seas-return/)",
                0.1,
            )
        },
        how="mean_q1",
    ),
}


@dataclass(frozen=True)
class Tolerance:
    """Scale of one target: ``relative × |observed| + absolute``."""

    relative: float
    absolute: float
    why: str


TOLERANCES: dict[str, Tolerance] = {
    "people_per_crossing_day": Tolerance(0.15, 5.0, "quantiles of a skewed daily count"),
    "boats_per_crossing_day": Tolerance(0.15, 0.5, "quantiles of a skewed daily count"),
    "crossing_day_share_by_month": Tolerance(0.0, 0.08, "binomial noise of ~90 days + weather"),
    "crossing_runs_days": Tolerance(0.2, 0.2, "mean run and mean gap of crossing days"),
    "monthly_people": Tolerance(0.35, 200.0, "one month's weather moves its total by a third"),
    "monthly_boats": Tolerance(0.35, 5.0, "one month's weather moves its total by a third"),
    "annual_people": Tolerance(0.08, 200.0, "weather averages out over a year"),
    "annual_boats": Tolerance(0.08, 5.0, "weather averages out over a year"),
    "people_per_boat_by_year": Tolerance(0.08, 1.0, "a year's mean occupancy"),
    "prevented_people_monthly": Tolerance(0.25, 100.0, "French operational estimates"),
    "prevented_events_monthly": Tolerance(0.25, 4.0, "French operational estimates"),
    "deaths_by_year": Tolerance(0.0, 0.0, "spread of the sources (DEATHS_BY_YEAR)"),
    "french_rescues_by_year": Tolerance(0.0, 0.0, "PREMAR, ±10% (SOURCED_TARGETS)"),
    "launched_people_by_year": Tolerance(0.0, 0.0, "PREMAR, ±10% (SOURCED_TARGETS)"),
    "launched_boats_by_year": Tolerance(0.0, 0.0, "PREMAR, ±10% (SOURCED_TARGETS)"),
    "prevented_people_by_year": Tolerance(0.0, 0.0, "UK-France declaration, ±15%"),
    "waiting_people_q1": Tolerance(0.0, 0.0, "reported range of the camps (SOURCED_TARGETS)"),
    "weekly_people": Tolerance(0.3, 100.0, "replay weather only: observed crossing days"),
}

#: Weights of the targets when history is calibrated (all others 1). The Home Office
#: series is the primary data: a count of every arrival, which users compare first, so its
#: yearly totals of people and boats and its people per boat count twice; the other figures
#: are single reports with their own definitions (PREMAR, the UK–France declaration, the
#: camps' size) or the shape of the series. Deaths count 0: their parameters are fitted
#: after the calibration by simulated moments over many runs
#: (``channelsim.experiments.calibrate.MOMENT_PARAMETERS``), as one run's deaths are mostly
#: noise; they are still reported.
HISTORY_WEIGHTS: dict[str, float] = {
    "annual_people": 2.0,
    "annual_boats": 2.0,
    "people_per_boat_by_year": 2.0,
    "deaths_by_year": 0.0,
}

STOCHASTIC_TARGETS = tuple(name for name in TOLERANCES if name != "weekly_people")
REPLAY_TARGETS = tuple(TOLERANCES)


def targets_for(weather_mode: str) -> tuple[str, ...]:
    """The targets that mean something under a weather mode (weekly totals need replay)."""
    return REPLAY_TARGETS if weather_mode == "replay" else STOCHASTIC_TARGETS


# -- periods and observed data -------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive date range."""

    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _period_end(text: str, where: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            first = dt.date.fromisoformat(f"{text}-01")
            last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
            return first, last
        day = dt.date.fromisoformat(text)
        return day, day
    except ValueError:
        raise InputError(
            None, where, f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}{why_not_a_day(text)}"
        ) from None


def parse_period(text: str, option: str = "--train") -> Period:
    """``FROM:TO``, each end a year, month or day (``2022:2024``, ``2025-01-01:2025-06``)."""
    parts = text.split(":")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise InputError(None, option, f"expected FROM:TO (e.g. 2022:2024), got {text!r}")
    start, _ = _period_end(parts[0].strip(), option)
    _, end = _period_end(parts[1].strip(), option)
    if end < start:
        raise InputError(None, option, f"expected FROM before TO, got {text!r}")
    return Period(start, end)


@dataclass(frozen=True)
class Edition:
    """One publication file used, for provenance."""

    file: str
    edition_date: dt.date
    sha256: str


@dataclass(frozen=True)
class Observed:
    """The official series, merged over editions (later editions win)."""

    daily: pd.DataFrame  # date, people, boats
    weekly: pd.DataFrame  # week_ending, people, boats, prevented_people, prevented_events
    editions: tuple[Edition, ...]

    @property
    def first_day(self) -> dt.date:
        return pd.Timestamp(self.daily["date"].iloc[0]).date()

    @property
    def last_day(self) -> dt.date:
        return pd.Timestamp(self.daily["date"].iloc[-1]).date()

    def clip(self, period: Period, option: str) -> Period:
        """The part of ``period`` the data covers; an error if it covers none of it."""
        start, end = max(period.start, self.first_day), min(period.end, self.last_day)
        if end < start:
            raise InputError(
                None,
                option,
                f"expected a period inside the data ({self.first_day}–{self.last_day}), "
                f"got {period}",
            )
        return Period(start, end)

    def crossing_days(self) -> pd.Series:
        """Whether anyone arrived, by date (for replay weather)."""
        return pd.Series(
            self.daily["people"].to_numpy() > 0, index=pd.DatetimeIndex(self.daily["date"])
        )

    def provenance(self) -> list[dict[str, str]]:
        return [
            {"file": e.file, "edition_date": e.edition_date.isoformat(), "sha256": e.sha256}
            for e in self.editions
        ]


#: The publication's columns an :class:`Observed` keeps, daily and weekly.
OBSERVED_DAILY = ("date", "people", "boats")
OBSERVED_WEEKLY = ("week_ending", "people", "boats", "prevented_people", "prevented_events")


def load_observed(paths: Sequence[str | Path]) -> Observed:
    """Read one or more editions of the publication and merge them, later editions winning."""
    from channelsim.data import read_publication

    if not paths:
        raise InputError(None, "--data", "expected at least one publication file")
    publications = sorted((read_publication(p) for p in paths), key=lambda p: p.edition_date)
    daily = pd.concat([p.daily[list(OBSERVED_DAILY)] for p in publications])
    weekly = pd.concat([p.weekly[list(OBSERVED_WEEKLY)] for p in publications])
    daily = daily.drop_duplicates("date", keep="last").sort_values("date", ignore_index=True)
    weekly = weekly.drop_duplicates("week_ending", keep="last").sort_values(
        "week_ending", ignore_index=True
    )
    editions = tuple(Edition(p.file_name, p.edition_date, p.sha256) for p in publications)
    return Observed(
        daily=daily.astype({"people": "int64", "boats": "int64"}),
        weekly=weekly,
        editions=editions,
    )


def observed_from_store() -> Observed:
    """The official series the local data store holds (``CHANNELSIM_STORE``, else the user
    data directory): each day's and week's figure from the latest edition, as
    :func:`load_observed` merges files, with every stored edition named for provenance.

    Raises:
        InputError: the store holds no edition (naming ``--data`` and where to get one).
        StoreError: the store cannot be read.
    """
    from channelsim.data import DataStore
    from channelsim.data.source import WHERE_HINT

    store = DataStore()
    if not store.holds_editions():
        raise InputError(
            None,
            "--data",
            "expected a publication file, or editions imported in the data store "
            f"({store.where} holds none: {WHERE_HINT})",
        )
    daily = store.daily()[list(OBSERVED_DAILY)]
    weekly = store.weekly()[list(OBSERVED_WEEKLY)]
    stored = store.editions()
    editions = tuple(
        Edition(str(row.file_name), pd.Timestamp(row.edition_date).date(), str(row.sha256))
        for row in stored.itertuples()
    )
    return Observed(
        daily=daily.astype({"people": "int64", "boats": "int64"}).reset_index(drop=True),
        weekly=weekly.reset_index(drop=True),
        editions=editions,
    )


# -- one shape for observed and simulated series -------------------------------------------


@dataclass(frozen=True)
class Series:
    """What the statistics are computed from, observed or simulated, over one period.

    ``weekly`` holds prevention only for the weeks that the observed series records and
    that lie wholly inside the period; ``deaths`` only for years with a sourced figure.
    """

    daily: pd.DataFrame  # date, people, boats: every day of the period
    weekly: pd.DataFrame  # week_ending, people, prevented_people, prevented_events
    deaths: pd.Series  # year -> dead or missing (DEATHS_DEFINITION)
    sourced: dict[str, pd.Series] = dataclasses.field(default_factory=dict)  # SOURCED_TARGETS


def _prevention_weeks(observed: Observed, period: Period) -> pd.DataFrame:
    weekly = observed.weekly
    ending = pd.to_datetime(weekly["week_ending"])
    inside = (ending - pd.Timedelta(days=6) >= pd.Timestamp(period.start)) & (
        ending <= pd.Timestamp(period.end)
    )
    return weekly[inside].reset_index(drop=True)


def _year_coverage(period: Period) -> dict[int, float]:
    """Share of each calendar year that ``period`` covers (yearly deaths are prorated)."""
    days = pd.date_range(period.start, period.end, freq="D")
    counts = pd.Series(1, index=days).groupby(days.year).sum()
    return {
        int(y): float(n) / (366 if pd.Timestamp(int(y), 12, 31).is_leap_year else 365)
        for y, n in counts.items()
    }


def observed_series(observed: Observed, period: Period) -> Series:
    """The observed series over ``period`` (deaths from :data:`DEATHS_BY_YEAR`)."""
    dates = pd.to_datetime(observed.daily["date"])
    daily = observed.daily[
        (dates >= pd.Timestamp(period.start)) & (dates <= pd.Timestamp(period.end))
    ]
    weeks = _prevention_weeks(observed, period)
    covered = _year_coverage(period)
    deaths = pd.Series(
        {y: DEATHS_BY_YEAR[y].centre * f for y, f in covered.items() if y in DEATHS_BY_YEAR},
        dtype=float,
    )
    sourced = {
        name: pd.Series(
            {
                y: t.figures[y].centre * (f if t.how == "sum" else 1.0)
                for y, f in covered.items()
                if y in t.figures and _covers(period, y, t.how)
            },
            dtype=float,
        )
        for name, t in SOURCED_TARGETS.items()
    }
    return Series(
        sourced=sourced,
        daily=daily.reset_index(drop=True),
        weekly=pd.DataFrame(
            {
                "week_ending": pd.to_datetime(weeks["week_ending"]),
                "people": weeks["people"].astype("int64"),
                "prevented_people": weeks["prevented_people"].astype("Float64"),
                "prevented_events": weeks["prevented_events"].astype("Float64"),
            }
        ),
        deaths=deaths,
    )


def _covers(period: Period, year: int, how: str) -> bool:
    """Whether a sourced figure of ``year`` can be compared over ``period``: a yearly sum
    needs most of the year (prorated), a January–March mean all of that quarter."""
    if how == "mean_q1":
        return period.start <= dt.date(year, 1, 1) and period.end >= dt.date(year, 3, 31)
    return _year_coverage(period).get(year, 0.0) >= 0.5


def _sourced_statistic(frame: pd.DataFrame, years: np.ndarray, target: SourcedTarget) -> pd.Series:
    values = frame[list(target.columns)].sum(axis=1)
    if target.how == "mean_q1":
        months = pd.to_datetime(frame["date"]).dt.month.to_numpy()
        first = months <= 3
        return values[first].groupby(years[first]).mean()
    return values.groupby(years).sum()


def simulated_series(sim_daily: pd.DataFrame, observed: Series) -> Series:
    """A run's daily table over the observed period, summed to the observed weeks and years."""
    dates = pd.to_datetime(sim_daily["date"])
    first, last = observed.daily["date"].iloc[0], observed.daily["date"].iloc[-1]
    inside = (dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last))
    frame = sim_daily[inside]
    daily = pd.DataFrame(
        {
            "date": dates[inside].to_numpy(),
            "people": frame["arrived_people"].to_numpy(np.int64),
            "boats": frame["arrived_boats"].to_numpy(np.int64),
        }
    )
    ending = dates[inside] + pd.to_timedelta((6 - dates[inside].dt.day_of_week) % 7, unit="D")
    by_week = (
        frame[["arrived_people", "prevented_people", "prevented_events"]]
        .groupby(ending.to_numpy())
        .sum()
    )
    weeks = pd.DatetimeIndex(observed.weekly["week_ending"])
    by_week = by_week.reindex(weeks, fill_value=0)
    recorded = observed.weekly["prevented_people"].notna().to_numpy()
    years = dates[inside].dt.year.to_numpy()
    columns = [c for c in DEATHS_COLUMNS if c in frame.columns] or ["dead_or_missing_people"]
    by_year = frame[columns].sum(axis=1).groupby(years).sum()
    sourced = {
        name: _sourced_statistic(frame, years, SOURCED_TARGETS[name])
        .reindex(figure.index)
        .astype(float)
        if len(figure)
        else pd.Series(dtype=float)  # no sourced year in the period: nothing to compute
        for name, figure in observed.sourced.items()
    }
    return Series(
        sourced=sourced,
        daily=daily,
        weekly=pd.DataFrame(
            {
                "week_ending": weeks,
                "people": by_week["arrived_people"].to_numpy(np.int64),
                "prevented_people": np.where(recorded, by_week["prevented_people"], np.nan),
                "prevented_events": np.where(recorded, by_week["prevented_events"], np.nan),
            }
        ),
        deaths=by_year.reindex(observed.deaths.index).astype(float),
    )


# -- statistics ------------------------------------------------------------------------------


def _runs(crossing: np.ndarray) -> tuple[float, float]:
    """Mean length of runs of consecutive crossing days and of the gaps between them."""
    if crossing.size == 0:
        return math.nan, math.nan
    change = np.flatnonzero(np.diff(crossing.astype(np.int8))) + 1
    bounds = np.concatenate([[0], change, [crossing.size]])
    lengths = np.diff(bounds)
    kinds = crossing[bounds[:-1]]
    runs, gaps = lengths[kinds], lengths[~kinds]
    return (
        float(runs.mean()) if runs.size else 0.0,
        float(gaps.mean()) if gaps.size else math.nan,
    )


def _quantiles(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return np.zeros(len(QUANTILE_LEVELS))
    return np.quantile(values, QUANTILE_LEVELS)


def summary_statistics(series: Series) -> dict[str, np.ndarray]:
    """Every target's statistics from a series (observed or simulated), as float arrays."""
    daily = series.daily
    dates = pd.to_datetime(daily["date"])
    people = daily["people"].to_numpy(np.float64)
    boats = daily["boats"].to_numpy(np.float64)
    crossing = people > 0
    month = dates.dt.strftime("%Y-%m").to_numpy()
    year = dates.dt.year.to_numpy()
    calendar_month = dates.dt.month.to_numpy()
    share = np.full(12, np.nan)
    for m in range(1, 13):
        days = calendar_month == m
        if days.any():
            share[m - 1] = crossing[days].mean()
    monthly = pd.DataFrame({"month": month, "people": people, "boats": boats}).groupby("month")
    yearly = pd.DataFrame({"year": year, "people": people, "boats": boats}).groupby("year").sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        per_boat = np.where(yearly["boats"] > 0, yearly["people"] / yearly["boats"], np.nan)
    weekly = series.weekly
    recorded = pd.notna(weekly["prevented_people"]).to_numpy(bool)
    weeks = weekly[recorded]
    week_month = pd.DatetimeIndex(weeks["week_ending"]).strftime("%Y-%m")
    prevented = (
        weeks[["prevented_people", "prevented_events"]].astype(float).groupby(week_month).sum()
    )
    return {
        "people_per_crossing_day": _quantiles(people[crossing]),
        "boats_per_crossing_day": _quantiles(boats[crossing]),
        "crossing_day_share_by_month": share,
        "crossing_runs_days": np.array(_runs(crossing)),
        "monthly_people": monthly["people"].sum().to_numpy(np.float64),
        "monthly_boats": monthly["boats"].sum().to_numpy(np.float64),
        "annual_people": yearly["people"].to_numpy(np.float64),
        "annual_boats": yearly["boats"].to_numpy(np.float64),
        "people_per_boat_by_year": np.asarray(per_boat, dtype=np.float64),
        "prevented_people_monthly": prevented["prevented_people"].to_numpy(np.float64),
        "prevented_events_monthly": prevented["prevented_events"].to_numpy(np.float64),
        "deaths_by_year": series.deaths.to_numpy(np.float64),
        "weekly_people": weekly["people"].to_numpy(np.float64),
        **{
            name: series.sourced.get(name, pd.Series(dtype=float)).to_numpy(np.float64)
            for name in SOURCED_TARGETS
        },
    }


def target_scales(
    statistics: Mapping[str, np.ndarray],
    deaths_coverage: Mapping[int, float],
    sourced_years: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, np.ndarray]:
    """The scale of every component of every target (see :data:`TOLERANCES`); deaths take
    the spread of the sources, prorated like the figure for a partly covered year."""
    scales = {}
    for name, values in statistics.items():
        tol = TOLERANCES[name]
        scales[name] = tol.relative * np.abs(values) + tol.absolute
    scales["deaths_by_year"] = np.array(
        [DEATHS_BY_YEAR[y].scale * max(f, 0.1) for y, f in deaths_coverage.items()],
        dtype=np.float64,
    )
    for name, years in (sourced_years or {}).items():
        scales[name] = np.array(
            [SOURCED_TARGETS[name].figures[int(y)].scale for y in years], dtype=np.float64
        )
    return scales


@dataclass(frozen=True)
class Targets:
    """Observed statistics and their scales for one period, ready to score simulations."""

    observed: Series
    statistics: dict[str, np.ndarray]
    scales: dict[str, np.ndarray]
    names: tuple[str, ...]
    weights: dict[str, float]

    @classmethod
    def build(
        cls,
        observed: Series,
        names: Sequence[str] = STOCHASTIC_TARGETS,
        weights: Mapping[str, float] | None = None,
    ) -> Targets:
        unknown = [n for n in names if n not in TOLERANCES]
        if unknown:
            raise InputError(
                None, "targets", f"expected names among {list(TOLERANCES)}, got {unknown}"
            )
        statistics = summary_statistics(observed)
        dates = pd.to_datetime(observed.daily["date"])
        coverage = _year_coverage(Period(dates.iloc[0].date(), dates.iloc[-1].date()))
        scales = target_scales(
            statistics,
            {int(y): coverage[int(y)] for y in observed.deaths.index},
            {name: list(values.index) for name, values in observed.sourced.items()},
        )
        chosen = tuple(n for n in names if statistics[n].size and np.isfinite(statistics[n]).any())
        return cls(
            observed=observed,
            statistics=statistics,
            scales=scales,
            names=chosen,
            weights={n: float((weights or {}).get(n, 1.0)) for n in chosen},
        )

    def per_target(self, simulated: Mapping[str, np.ndarray]) -> dict[str, float]:
        """Mean squared standardised error of each target (0 for an exact match).

        A component the observation has but the simulation lacks (NaN, e.g. people per boat
        in a year with no simulated boat) counts as 10 standard units off.
        """
        result = {}
        for name in self.names:
            obs, sim, scale = self.statistics[name], simulated[name], self.scales[name]
            if sim.shape != obs.shape:
                raise ValueError(f"target {name}: simulated shape {sim.shape} != {obs.shape}")
            used = np.isfinite(obs)
            z = (sim[used] - obs[used]) / scale[used]
            z = np.where(np.isfinite(z), z, 10.0)
            result[name] = float(np.mean(z * z)) if z.size else 0.0
        return result

    def discrepancy(self, per_target: Mapping[str, float]) -> float:
        """Weighted mean of the targets' discrepancies."""
        total_weight = sum(self.weights.values())
        return sum(self.weights[n] * per_target[n] for n in self.names) / total_weight

    def score(
        self, sim_daily: pd.DataFrame
    ) -> tuple[float, dict[str, float], dict[str, np.ndarray]]:
        """Discrepancy of one run's daily table, its part per target, and its statistics."""
        stats = summary_statistics(simulated_series(sim_daily, self.observed))
        parts = self.per_target(stats)
        return self.discrepancy(parts), parts, stats


def headline_totals(statistics: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Period totals from the statistics: arrivals, prevention (recorded weeks only) and
    deaths (years with a sourced figure), comparable between observation and simulation."""
    return {
        "arrived_people": float(statistics["annual_people"].sum()),
        "arrived_boats": float(statistics["annual_boats"].sum()),
        "prevented_people": float(np.nansum(statistics["prevented_people_monthly"])),
        "dead_or_missing_people": float(np.nansum(statistics["deaths_by_year"])),
    }
