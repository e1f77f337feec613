"""The shipped calibration on history (to 28 May 2026) and what it gives: history's driver
values and the package's defaults are its posterior medians, and history run with them puts
deaths (PREMAR's definition) inside the sources' ranges with 2024 the deadliest year, and
French rescues within 20% of PREMAR's counts."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from channelsim.engine import Sim, load_scenario
from channelsim.experiments.calibrate import defaults_toml, read_posterior
from channelsim.experiments.targets import DEATHS_BY_YEAR, DEATHS_COLUMNS, SOURCED_TARGETS
from channelsim.params import calibration_defaults_path
from channelsim.scenario import split_overrides

REPO = Path(__file__).resolve().parent.parent
HISTORY = REPO / "scenarios" / "history.toml"
POSTERIOR = REPO / "calibration" / "posterior-history-2026-05-28"
SEEDS = range(1, 13)


def test_history_drivers_hold_the_posterior_medians() -> None:
    posterior = read_posterior(POSTERIOR)
    _, drivers = split_overrides(posterior.median())
    assert set(drivers) == {"coastal_inflow", "sea_hazard"}
    by_name = {spec.name: spec for spec in load_scenario(HISTORY).policies}
    for name, values in drivers.items():
        written = by_name[name].params["values"]
        for index, value in values.items():
            assert written[index] == pytest.approx(value, rel=5e-3), (name, index)


def test_package_defaults_are_the_posterior_medians() -> None:
    posterior = read_posterior(POSTERIOR)
    shipped = calibration_defaults_path()
    assert shipped is not None
    expected = tomllib.loads(defaults_toml(posterior))
    assert tomllib.loads(shipped.read_text(encoding="utf-8")) == expected
    assert "posterior-history-2026-05-28" in shipped.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def by_year() -> list[pd.DataFrame]:
    """History with the shipped defaults, 2022–2025, twelve seeds: deaths (PREMAR's
    definition) and French rescues by year."""
    scenario = load_scenario(HISTORY)
    tables = []
    for seed in SEEDS:
        daily = Sim(scenario, seed=seed).run().daily
        year = pd.to_datetime(daily["date"]).dt.year
        table = pd.DataFrame(
            {
                "deaths": daily[list(DEATHS_COLUMNS)].sum(axis=1),
                "rescued": daily["rescued_fr_people"],
            }
        ).groupby(year.to_numpy()).sum()
        tables.append(table.loc[2022:2025])
    return tables


def test_deaths_by_year_inside_the_sources_ranges_with_2024_the_highest(
    by_year: list[pd.DataFrame],
) -> None:
    """The median over seeds of each year's deaths lies inside the 90% band of the runs
    that the sources' range must meet, and 2024 is the deadliest year in most runs."""
    deaths = np.array([t["deaths"].to_numpy() for t in by_year])  # seeds × 4 years
    for column, year in enumerate(range(2022, 2026)):
        figure = DEATHS_BY_YEAR[year]
        low, high = np.quantile(deaths[:, column], (0.05, 0.95))
        assert low <= figure.high and figure.low <= high, (year, low, high)
    median = np.median(deaths, axis=0)
    assert int(np.argmax(median)) == 2  # 2024
    assert np.mean(deaths.argmax(axis=1) == 2) >= 0.75


def test_french_rescues_within_20_percent_of_premar(by_year: list[pd.DataFrame]) -> None:
    figures = SOURCED_TARGETS["french_rescues_by_year"].figures
    rescued = pd.concat(by_year).groupby(level=0)["rescued"].median()
    for year in (2024, 2025):
        assert rescued[year] == pytest.approx(figures[year].low, rel=0.2), year
