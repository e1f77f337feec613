"""The fit of a posterior year by year: each year's people, boats, people per boat,
prevention, deaths, French rescues and days with arrivals, simulated (posterior predictive
median and 90% interval) against the observed or reported figure.

Observed figures: people, boats and days with arrivals from the Home Office daily series;
prevention from its weekly series, over the weeks it records (from May 2024) and the
simulation summed over the same weeks; deaths by the one definition of
:data:`~channelsim.experiments.targets.DEATHS_DEFINITION` (PREMAR's range,
:data:`~channelsim.experiments.targets.DEATHS_BY_YEAR`); French rescues from PREMAR
(:data:`~channelsim.experiments.targets.SOURCED_TARGETS`). A year the period covers only in
part (2026 to 28 May) is compared over the covered days; deaths and rescues are reported for
whole years only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from channelsim.experiments.targets import (
    DEATHS_BY_YEAR,
    DEATHS_COLUMNS,
    SOURCED_TARGETS,
    Observed,
    Period,
    observed_series,
)

#: The measures of the table, in order, with their unit.
YEAR_MEASURES: dict[str, str] = {
    "people": "people",
    "boats": "boats",
    "people_per_boat": "people/boat",
    "prevented_people": "people (weeks the series records)",
    "dead_french_zone_people": "people (PREMAR definition)",
    "rescued_fr_people": "people (PREMAR)",
    "days_with_arrivals": "days",
}


def _year_of(dates: pd.Series) -> np.ndarray:
    return pd.to_datetime(dates).dt.year.to_numpy()


def _recorded_weeks(observed: Observed, period: Period) -> pd.DataFrame:
    """Weeks inside ``period`` whose prevention the series records."""
    series = observed_series(observed, period)
    weekly = series.weekly
    return weekly[weekly["prevented_people"].notna()].reset_index(drop=True)


def observed_by_year(observed: Observed, period: Period) -> dict[int, dict[str, Any]]:
    """The observed or reported figure of each measure, by year (``None`` where none)."""
    series = observed_series(observed, period)
    daily = series.daily
    years = _year_of(daily["date"])
    weeks = _recorded_weeks(observed, period)
    week_years = _year_of(weeks["week_ending"])
    rescues = SOURCED_TARGETS["french_rescues_by_year"].figures
    result: dict[int, dict[str, Any]] = {}
    for year in sorted(set(years.tolist())):
        inside = years == year
        people = float(daily.loc[inside, "people"].sum())
        boats = float(daily.loc[inside, "boats"].sum())
        whole = (
            period.start <= pd.Timestamp(year, 1, 1).date()
            and period.end >= pd.Timestamp(year, 12, 31).date()
        )
        deaths = DEATHS_BY_YEAR.get(year) if whole else None
        rescue = rescues.get(year) if whole else None
        recorded = week_years == year
        result[int(year)] = {
            "people": people,
            "boats": boats,
            "people_per_boat": people / boats if boats else None,
            "prevented_people": float(weeks.loc[recorded, "prevented_people"].sum())
            if recorded.any()
            else None,
            "dead_french_zone_people": None if deaths is None else (deaths.low, deaths.high),
            "rescued_fr_people": None if rescue is None else (rescue.low, rescue.high),
            "days_with_arrivals": float((daily.loc[inside, "people"] > 0).sum()),
        }
    return result


def simulated_by_year(daily: pd.DataFrame, observed: Observed, period: Period) -> pd.DataFrame:
    """One run's figures by year over ``period`` (prevention over the recorded weeks only)."""
    dates = pd.to_datetime(daily["date"])
    inside = (dates >= pd.Timestamp(period.start)) & (dates <= pd.Timestamp(period.end))
    frame = daily[inside]
    years = dates[inside].dt.year.to_numpy()
    deaths = frame[[c for c in DEATHS_COLUMNS if c in frame.columns]].sum(axis=1)
    table = (
        pd.DataFrame(
            {
                "people": frame["arrived_people"].to_numpy(float),
                "boats": frame["arrived_boats"].to_numpy(float),
                "dead_french_zone_people": deaths.to_numpy(float),
                "rescued_fr_people": frame["rescued_fr_people"].to_numpy(float),
                "days_with_arrivals": (frame["arrived_people"].to_numpy() > 0).astype(float),
            }
        )
        .groupby(years)
        .sum()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        table["people_per_boat"] = table["people"] / table["boats"]
    ending = dates[inside] + pd.to_timedelta((6 - dates[inside].dt.day_of_week) % 7, unit="D")
    recorded = set(pd.to_datetime(_recorded_weeks(observed, period)["week_ending"]))
    in_recorded = ending.isin(recorded).to_numpy()
    prevented = frame["prevented_people"].to_numpy(float) * in_recorded
    table["prevented_people"] = pd.Series(prevented).groupby(years).sum().to_numpy()
    return table


def fit_by_year(
    dailies: Sequence[pd.DataFrame], observed: Observed, period: Period
) -> list[dict[str, Any]]:
    """One row per year and measure: the observed figure (a number, a reported range
    ``[low, high]`` or ``None``), the simulated median and 90% interval over the runs, and
    whether the observed figure (or any part of its range) lies inside that interval."""
    obs = observed_by_year(observed, period)
    runs = [simulated_by_year(d, observed, period) for d in dailies]
    rows = []
    for year, figures in obs.items():
        for measure, unit in YEAR_MEASURES.items():
            values = np.array([float(r.loc[year, measure]) for r in runs if year in r.index])
            values = values[np.isfinite(values)]
            q05, q50, q95 = np.quantile(values, (0.05, 0.5, 0.95)) if values.size else (np.nan,) * 3
            figure = figures[measure]
            low, high = (figure, figure) if not isinstance(figure, tuple) else figure
            inside = None if figure is None else bool(q05 <= high and low <= q95)
            rows.append(
                {
                    "year": year,
                    "measure": measure,
                    "unit": unit,
                    "observed": list(figure) if isinstance(figure, tuple) else figure,
                    "median": float(q50),
                    "low90": float(q05),
                    "high90": float(q95),
                    "inside90": inside,
                }
            )
    return rows
