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
from typing import Any

import numpy as np
import pandas as pd

from channelsim.atomic import write_atomic_text
from channelsim.errors import InputError

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
    rows = []
    for month, members in totals.groupby(level="month", sort=True):
        row: dict[str, Any] = {"month": str(month)}
        for name, column in FIGURES.items():
            values = members[column].to_numpy(float)
            row[name] = {k: float(np.quantile(values, q)) for k, q in QUANTILES.items()}
        rows.append(row)
    return rows


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
) -> dict[str, Any]:
    """The JSON record: provenance first, then the months."""
    from channelsim.experiments.calibrate import git_commit
    from channelsim.runstore import code_version

    cal = posterior.summary["calibration"]
    return {
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
    }


def write_forecast(record: dict[str, Any], path: Path) -> Path:
    """Write the record; an existing forecast is never overwritten (add a new one beside)."""
    if path.exists():
        raise InputError(
            path, None, "a forecast on record is never revised: write a new file beside it"
        )
    write_atomic_text(path, json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
