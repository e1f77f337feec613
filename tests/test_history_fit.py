"""The fit table by year: observed and simulated figures over the same years and weeks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from channelsim.experiments.fit import YEAR_MEASURES, fit_by_year
from channelsim.experiments.targets import (
    DEATHS_COLUMNS,
    Observed,
    Period,
)

HISTORY = Path(__file__).resolve().parent.parent / "scenarios" / "history.toml"
RUNS = 12


def test_fit_by_year_compares_the_same_weeks_and_years() -> None:
    """A run identical to the observed series is inside every interval of the fit table."""
    dates = pd.date_range("2024-04-29", "2025-12-31", freq="D")
    rng = np.random.default_rng(0)
    people = rng.poisson(100, len(dates)) * (rng.random(len(dates)) < 0.4)
    boats = np.ceil(people / 50).astype(int)
    weekly_end = pd.date_range("2024-05-05", "2025-12-28", freq="W-SUN")
    weekly = pd.DataFrame(
        {
            "week_ending": weekly_end,
            "people": 0,
            "boats": 0,
            "prevented_people": pd.array([10] * len(weekly_end), dtype="Int64"),
            "prevented_events": pd.array([1] * len(weekly_end), dtype="Int64"),
        }
    )
    observed = Observed(
        daily=pd.DataFrame({"date": dates, "people": people, "boats": boats}),
        weekly=weekly,
        editions=(),
    )
    ending = dates + pd.to_timedelta((6 - dates.day_of_week) % 7, unit="D")
    sim = pd.DataFrame(
        {
            "date": dates.date,
            "arrived_people": people,
            "arrived_boats": boats,
            "prevented_people": np.where(dates.day_of_week == 6, 10, 0),
            "rescued_fr_people": 0,
            **{c: 0 for c in DEATHS_COLUMNS},
        }
    )
    assert ending.max() <= pd.Timestamp("2025-12-31") + pd.Timedelta(days=6)
    rows = fit_by_year([sim, sim], observed, Period(dates[0].date(), dates[-1].date()))
    assert {r["measure"] for r in rows} == set(YEAR_MEASURES)
    for row in rows:
        if row["measure"] in ("dead_french_zone_people", "rescued_fr_people"):
            if row["year"] == 2025:  # the whole year: PREMAR's figures, far from 0
                assert row["inside90"] is False
            continue
        assert row["inside90"] is True, row
        assert row["median"] == pytest.approx(row["observed"]), row
