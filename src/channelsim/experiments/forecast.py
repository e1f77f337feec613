"""A forecast on record: monthly people and boats arrived, median and 50%/90% intervals,
from a calibration posterior, written once and never revised.

Each member runs the scenario (e.g. ``history-continued.toml``: history to the last day of
the data, then the last known state held) from its own start, so the waiting population and
the boat stock carry over, with parameter set ``r`` resampled from the posterior and the
random numbers of replicate ``r``; only the days from ``start`` on are summed by calendar
month (a first month that starts on its 29th holds three days). Quantiles are taken across
members. The record names the model version and commit, the posterior and its data, and
the command that made it.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from channelsim.atomic import write_atomic_text
from channelsim.errors import ChannelsimError, InputError

if TYPE_CHECKING:
    from channelsim.experiments.observed import ObservedFigures

OVERWRITE_REFUSED = (
    "refusing to overwrite an existing file (a forecast on record is kept as it was made: "
    "give --out a new file name)"
)


def check_new_record(path: Path, where: str | None = None) -> None:
    """A forecast goes to a new file: :class:`InputError` (naming ``where``, the option, or
    else the path) for anything at ``path``, saying what it is: a file on record is never
    overwritten, and a folder is no file name."""
    source = None if where else path
    if path.is_dir():
        raise InputError(
            source,
            where,
            "expected a new file name for the forecast's JSON, got a folder (give a file in "
            f"it, such as {path / 'forecast.json'})",
        )
    if path.exists() or path.is_symlink():
        raise InputError(source, where, OVERWRITE_REFUSED)


QUANTILES = {"low90": 0.05, "low50": 0.25, "median": 0.5, "high50": 0.75, "high90": 0.95}
FIGURES = {"people": "arrived_people", "boats": "arrived_boats"}


def monthly_quantiles(daily: pd.DataFrame, start: dt.date) -> list[dict[str, Any]]:
    """Per calendar month from ``start``: people and boats arrived, median and 50%/90%
    bounds across members (``daily`` holds every member's days, keyed by draw and rep)."""
    dates = pd.to_datetime(daily["date"])
    kept = daily[dates >= pd.Timestamp(start)].assign(
        month=dates[dates >= pd.Timestamp(start)].dt.strftime("%Y-%m").to_numpy()
    )
    if kept.empty:
        raise InputError(None, "--from", f"expected a day inside the scenario, got {start}")
    totals = kept.groupby(["draw", "rep", "month"], sort=True)[list(FIGURES.values())].sum()
    return [
        {"month": str(month), **_quantiles(members)}
        for month, members in totals.groupby(level="month", sort=True)
    ]


def _member_quantiles(values: pd.Series) -> dict[str, float]:
    return {k: float(np.quantile(values.to_numpy(float), q)) for k, q in QUANTILES.items()}


def _quantiles(members: pd.DataFrame) -> dict[str, dict[str, float]]:
    """People and boats: :data:`QUANTILES` across ``members`` (one row each)."""
    return {name: _member_quantiles(members[column]) for name, column in FIGURES.items()}


def period_total(daily: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, Any]:
    """People and boats arrived over ``start``–``end`` (inclusive): each member's sum over
    those days, then :data:`QUANTILES` across members (not a sum of monthly quantiles)."""
    dates = pd.to_datetime(daily["date"])
    kept = daily[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]
    sums = kept.groupby(["draw", "rep"])[list(FIGURES.values())].sum()
    return {"from": start.isoformat(), "to": end.isoformat(), **_quantiles(sums)}


def year_to_date(start: dt.date, store: Path | None = None) -> ObservedFigures | str:
    """People and boats the Home Office recorded from 1 January of ``start``'s year to the
    day before ``start`` (from the data store, as ``data summary`` sums them), or why they
    are not known (no series imported, or a series that ends before that day)."""
    from channelsim.data import DataStore
    from channelsim.experiments.observed import IMPORT_HINT, ObservedFigures, observed_figures

    first, last = dt.date(start.year, 1, 1), start - dt.timedelta(days=1)
    if last < first:
        return ObservedFigures({"arrived_people": 0.0, "arrived_boats": 0.0})
    try:
        known_to = pd.to_datetime(DataStore(store).daily()["date"]).max().date()
    except ChannelsimError:
        return f"the data store holds no official series: {IMPORT_HINT}"
    if known_to < last:
        return f"the official series in the data store ends on {known_to:%-d %B %Y}"
    return observed_figures(first, last, store)


def year_total(
    daily: pd.DataFrame, start: dt.date, end: dt.date, observed: ObservedFigures
) -> dict[str, Any] | None:
    """The year of ``start`` whole: the ``observed`` people and boats to the day before
    ``start`` plus the forecast of each member from ``start`` to 31 December (quantiles
    across members); None when the forecast stops before the year's end."""
    last = dt.date(start.year, 12, 31)
    if end < last:
        return None
    rest = period_total(daily, start, last)
    seen = {name: observed.values.get(column, 0.0) for name, column in FIGURES.items()}
    observed_to = (start - dt.timedelta(days=1)).isoformat()
    return {
        "year": start.year,
        "what": "observed to date (Home Office) plus the forecast of the rest of the year",
        "observed": {
            "from": f"{start.year}-01-01",
            "to": observed_to,
            **seen,
            "source": observed.credit or None,
        },
        "forecast": rest,
        **{name: {k: seen[name] + v for k, v in rest[name].items()} for name in FIGURES},
    }


def forecast_record(
    scenario: Any,
    daily: pd.DataFrame,
    start: dt.date,
    *,
    posterior: Any,
    runs: int,
    seed: int,
    command: Sequence[str],
    note: str | None = None,
    observed: ObservedFigures | str | None = None,
) -> dict[str, Any]:
    """The JSON record: provenance first, then the months, the forecast period's total and,
    with the ``observed`` people and boats of the year to date (:func:`year_to_date`; a
    string says why they are not known), the year's total; then the headline in words and
    the credits (:func:`channelsim.reports.headlines.forecast_headline`)."""
    from channelsim.experiments.calibrate import git_commit
    from channelsim.experiments.observed import ObservedFigures
    from channelsim.reports.headlines import (
        FORECAST_TRACK_RECORD,
        forecast_credits,
        forecast_headline,
    )
    from channelsim.runstore import code_version

    cal = posterior.summary["calibration"]
    known = observed if isinstance(observed, ObservedFigures) else None
    record = {
        "forecast_made": dt.date.today().isoformat(),
        "from": start.isoformat(),
        "to": scenario.end.isoformat(),
        "what": "people and boats arrived in the UK by small boat, by calendar month (Home "
        "Office series, SB_01); the first month holds only the days from 'from'",
        "intervals": "median and central 50% (low50-high50) and 90% (low90-high90) intervals "
        "across members: posterior parameter draws, weather and chance",
        "model_version": code_version(),
        "git_commit": git_commit() or "unknown",
        "command": shlex.join(command),
        "scenario": scenario.name,
        "scenario_file": str(scenario.source) if scenario.source else None,
        "posterior": {
            "folder": str(posterior.path),
            "train_from": str(cal["train_from"]),
            "train_to": str(cal["train_to"]),
            "method": cal.get("method"),
            "scenario": cal.get("scenario"),
            "git_commit": cal.get("git_commit"),
            "data": posterior.summary.get("data", {}).get("editions", []),
        },
        "runs": runs,
        "seed": seed,
        "note": note,
        "months": monthly_quantiles(daily, start),
        "total": period_total(daily, start, scenario.end),
        "year_total": None if known is None else year_total(daily, start, scenario.end, known),
        "year_total_unknown": observed if isinstance(observed, str) else None,
        # how such forecasts have done: the model's blind test (docs/validation.md)
        "track_record": FORECAST_TRACK_RECORD,
    }
    return {**record, "headline": forecast_headline(record), "credits": forecast_credits(record)}


def write_forecast(record: dict[str, Any], path: Path) -> Path:
    """Write the record; an existing file is never overwritten (a forecast on record is not
    revised: a new one goes beside it). Raises :class:`InputError` for an existing file."""
    check_new_record(path)
    write_atomic_text(path, json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
