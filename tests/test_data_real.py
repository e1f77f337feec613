"""The two official editions: they import, the latest wins, and the yearly figures match the
sourced ones in /work/shared/reference/facts.md. Skipped when the data are not present."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from channelsim.data import DataStore, read_publication, summarise
from conftest import OFFICIAL_DATA

NOVEMBER = OFFICIAL_DATA / "21_November_2025_Small_boats_-_time_series.ods"
DECEMBER = OFFICIAL_DATA / "31_December_2025_Small_boats_-_time_series.ods"

pytestmark = pytest.mark.skipif(
    not (NOVEMBER.exists() and DECEMBER.exists()),
    reason=f"official editions not found in {OFFICIAL_DATA}",
)

# year: (people, boats, days with at least one arrival), facts.md (31 December 2025 edition)
YEARS = {
    2018: (299, 43, 29),
    2019: (1_843, 164, 81),
    2020: (8_462, 641, 130),
    2021: (28_526, 1_034, 154),
    2022: (45_755, 1_110, 162),
    2023: (29_437, 602, 140),
    2024: (36_816, 695, 151),
    2025: (41_472, 672, 139),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> DataStore:
    """Both editions, imported once for the module (newest first, to test that order)."""
    data_store = DataStore(tmp_path_factory.mktemp("real") / "store.duckdb")
    for path in (DECEMBER, NOVEMBER):
        assert data_store.import_publication(read_publication(path)).status == "imported"
    return data_store


def test_both_editions_import_with_provenance(store: DataStore) -> None:
    editions = store.editions()
    assert editions["file_name"].tolist() == [NOVEMBER.name, DECEMBER.name]
    assert [str(d) for d in editions["edition_date"]] == ["2025-11-21", "2025-12-31"]
    assert editions["sha256"].str.startswith("bee299b6").tolist() == [True, False]
    assert store.latest_edition().file_name == DECEMBER.name  # type: ignore[union-attr]


def test_yearly_figures_match_facts(store: DataStore) -> None:
    rows = {r["year"]: r for r in summarise(store.daily(), store.weekly(), "year")}
    for year, (people, boats, days) in YEARS.items():
        assert (rows[year]["people"], rows[year]["boats"]) == (people, boats), year
        assert rows[year]["days_with_arrivals"] == days, year
    assert (rows[2024]["prevented_people"], rows[2024]["prevented_events"]) == (21_317, 694)
    assert round(rows[2024]["share_prevented"], 2) == 0.42
    assert rows[2025]["prevented_people"] == 22_476
    assert round(rows[2025]["share_prevented"], 2) == 0.35
    assert rows[2022]["prevented_people"] is None and rows[2022]["uncontrolled_boats"] is None


def test_latest_edition_wins_where_they_overlap(store: DataStore) -> None:
    daily = store.daily()
    november = read_publication(NOVEMBER).daily
    assert daily["date"].iloc[-1].date().isoformat() == "2025-12-28"
    assert daily["date"].diff().dropna().dt.days.eq(1).all()
    december = read_publication(DECEMBER).daily.set_index("date")["people"]
    assert daily.set_index("date")["people"].equals(december)
    # the November edition stops on 20 November; the store keeps December's figures
    assert len(november) < len(daily)


def test_console_script_end_to_end(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("channelsim")
    env_store = ["--store", str(tmp_path / "s.duckdb")]
    imported = subprocess.run(
        [script, "data", "import", NOVEMBER, DECEMBER, *env_store],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    summary = subprocess.run(
        [script, "data", "summary", "--by", "year", "--format", "json", *env_store],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert summary.returncode == 0, summary.stderr
    rows = {r["year"]: r for r in json.loads(summary.stdout)}
    assert (rows[2025]["people"], rows[2025]["boats"]) == (41_472, 672)
    assert rows[2022]["people"] == 45_755


def test_summary_says_2024_prevention_starts_in_may(store: DataStore) -> None:
    rows = {r["year"]: r for r in summarise(store.daily(), store.weekly(), "year")}
    assert rows[2024]["note"] == (
        "prevention covers the weeks ending 5 May–29 Dec 2024 only (35 of 52 weeks)"
    )
    assert rows[2023]["note"] is None and rows[2025]["note"] is not None  # to 28 Dec 2025
