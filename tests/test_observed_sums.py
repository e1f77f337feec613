"""The observed figures a run's headline quotes are summed by DuckDB, without pandas (which
cost ``run --runs N`` some 37 MiB and 0.4 s when the store held an edition): the same values,
to the bit, and the same notes on what the series covers, as ``data summary``'s pandas sums
(:func:`channelsim.data.summarise`) give, for any period, from a store or a publication file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelsim.data import DataStore, read_publication, summarise
from channelsim.data.dates import span_text
from channelsim.experiments.observed import COMPARABLE, ObservedFigures, observed_figures
from conftest import OFFICIAL_DATA
from spreadsheets import make_rows, write_publication

LATEST = OFFICIAL_DATA / "29_May_2026_Small_boats_-_time_series.ods"
FIRST_DAY = dt.date(2023, 12, 4)
DAYS = 800


def _as_summed_by_pandas(
    daily: pd.DataFrame, weekly: pd.DataFrame, start: dt.date, end: dt.date
) -> tuple[dict[str, float], dict[str, str]]:
    """What the figures were before DuckDB summed them: ``data summary``'s yearly rows added
    up, and the coverage read off the frames (the code this replaced, kept as the oracle)."""
    rows = summarise(daily, weekly, "year", start, end)
    values: dict[str, float] = {}
    for name, column in COMPARABLE.items():
        known = [row[column] for row in rows if row.get(column) is not None]
        if known and column != "people_per_boat":
            values[name] = float(sum(known))
    if values.get("arrived_boats"):
        values["people_per_boat"] = values["arrived_people"] / values["arrived_boats"]
    values = {name: values[name] for name in COMPARABLE if name in values}
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    days = daily.loc[daily["date"].between(first, last), "date"]
    weeks = weekly.loc[
        weekly["week_ending"].between(first, last) & weekly["prevented_people"].notna(),
        "week_ending",
    ]
    all_days, all_weeks = (last - first).days + 1, len(pd.date_range(first, last, freq="W-SUN"))
    partial: dict[str, str] = {}
    if len(days) < all_days:
        covered = f"{span_text(days.min(), days.max())} only, " if len(days) else "no day, "
        said = f"arrivals: {covered}{len(days)} of {all_days} days"
        partial |= dict.fromkeys(COMPARABLE_DAILY, said)
    if len(weeks) < all_weeks:
        covered = (
            f"the weeks ending {span_text(weeks.min(), weeks.max())} only, "
            if len(weeks)
            else "no week, "
        )
        said = f"prevention: {covered}{len(weeks)} of {all_weeks} weeks"
        partial |= dict.fromkeys(("prevented_people", "prevented_events"), said)
    return values, {name: words for name, words in partial.items() if name in values}


COMPARABLE_DAILY = ("arrived_people", "arrived_boats", "people_per_boat", "days_with_arrivals")


def _assert_as_before(found: ObservedFigures, daily: Any, weekly: Any, period: Any) -> None:
    values, coverage = _as_summed_by_pandas(daily, weekly, *period)
    assert found.values == values  # floats compared exactly: the same bits
    assert [type(v) for v in found.values.values()] == [float] * len(values)
    assert found.coverage == coverage and found.partial == frozenset(coverage)
    assert found.note == ("; ".join(dict.fromkeys(coverage.values())) or None)


@dataclasses.dataclass(frozen=True)
class Made:
    """A store, the publication file it holds, and the store's tables as ``data summary``
    reads them."""

    store: Path
    publication: Path
    daily: pd.DataFrame
    weekly: pd.DataFrame


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """Days from 4 Dec 2023, prevention from 5 May 2024, and weeks with people prevented but
    no events count (a NULL in the sums)."""
    folder = tmp_path_factory.mktemp("observed")
    daily, weekly = make_rows(start=FIRST_DAY, days=DAYS, seed=11)
    for row in weekly[30:34]:
        row[5] = "-"
    path = write_publication(folder / "pub", daily, weekly, "csv")
    store = DataStore(folder / "store.duckdb")
    store.import_publication(read_publication(path))
    return Made(store.path, path, store.daily(), store.weekly())


periods = st.tuples(
    st.integers(-120, DAYS + 120).map(lambda d: FIRST_DAY + dt.timedelta(days=d)),
    st.integers(0, 900),
).map(lambda p: (p[0], p[0] + dt.timedelta(days=p[1])))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(period=periods)
def test_the_sums_and_notes_are_those_of_data_summary(
    made: Made, period: tuple[dt.date, dt.date]
) -> None:
    found = observed_figures(*period, store=made.store)
    _assert_as_before(found, made.daily, made.weekly, period)


@pytest.mark.parametrize(
    "period",
    [
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),  # prevention from its first week
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # the series ends in February
        (dt.date(2023, 6, 1), dt.date(2023, 11, 30)),  # before the series
        (FIRST_DAY, FIRST_DAY),
    ],
)
def test_a_publication_file_sums_as_the_store_holding_it(
    made: Made, period: tuple[dt.date, dt.date]
) -> None:
    from_file = observed_figures(*period, publication=made.publication)
    _assert_as_before(from_file, made.daily, made.weekly, period)
    from_store = observed_figures(*period, store=made.store)
    assert from_file == dataclasses.replace(from_store, credit=from_file.credit)
    assert made.publication.name in from_file.credit


def test_a_period_beyond_the_series_bounds_is_refused_as_before(made: Made) -> None:
    from channelsim.errors import InputError

    with pytest.raises(InputError, match="end: expected a date from 2000-01-01 to 2099-12-31"):
        observed_figures(dt.date(2099, 1, 1), dt.date(2100, 12, 31), store=made.store)


@pytest.mark.skipif(not LATEST.exists(), reason=f"{LATEST.name} not found")
def test_the_official_series_sums_as_before(tmp_path: Path) -> None:
    """The 29 May 2026 edition: every calendar year and a run's usual periods."""
    store = DataStore(tmp_path / "store.duckdb")
    store.import_publication(read_publication(LATEST))
    daily, weekly = store.daily(), store.weekly()
    years = [(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in range(2017, 2028)]
    for period in [*years, (dt.date(2018, 1, 1), dt.date(2026, 12, 31))]:
        _assert_as_before(observed_figures(*period, store=store.path), daily, weekly, period)


def test_the_store_s_figures_load_no_pandas(made: Made) -> None:
    """In a process of its own (pandas is loaded here): the figures, and no pandas."""
    code = (
        "import datetime as dt, sys\n"
        "from channelsim.experiments.observed import observed_figures\n"
        f"found = observed_figures(dt.date(2025, 1, 1), dt.date(2025, 12, 31), "
        f"store={str(made.store)!r})\n"
        "assert found.values['arrived_people'] > 0 and not found.bundled, found\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
