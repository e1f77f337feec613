"""The two official editions: they import, the latest wins, and the yearly figures match the
sourced ones in /work/shared/reference/facts.md. Skipped when the data are not present."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from channelsim.data import DataStore, read_publication, summarise
from channelsim.data.publication import document_date, edition_date_from_name
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


def _file_state(path: Path) -> tuple[bytes, int, int]:
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, info.st_mode


def test_an_edition_s_date_is_the_one_its_file_holds_not_its_name(
    tmp_path: Path, run_cli: Any
) -> None:
    """The 21 November 2025 file copied as 30_June_2026_... imported as the edition of 30 Jun
    2026, and every credit then named it for figures it does not hold (s11 F15): the date
    is the one the file holds (its document's creation date, the day of publication in every
    official file), the name's disagreement one warning line."""
    for path in sorted(OFFICIAL_DATA.glob("*.ods")):
        named = edition_date_from_name(path.stem)
        assert document_date(path) == named, path.name  # what the Home Office's files hold
    renamed = tmp_path / "30_June_2026_Small_boats_-_time_series.ods"
    shutil.copyfile(NOVEMBER, renamed)
    store = tmp_path / "s.duckdb"
    result = run_cli("data", "import", renamed, "--store", store, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["edition_date"] == "2025-11-21"
    assert result.stderr.strip() == (
        f"warning: {renamed}: edition date: the file name says 30 Jun 2026, but the file's own "
        "date is 21 Nov 2025 and its daily table ends on 20 Nov 2025: taken as the edition of "
        "21 Nov 2025"
    )
    brief = run_cli("data", "summary", "--by", "year", "--store", store)
    assert "edition of 21 Nov 2025" in " ".join(brief.stdout.split()), brief.stdout


def test_an_unchanged_reimport_touches_nothing(tmp_path: Path, run_cli: Any) -> None:
    """`data import A copy_of_A` recorded the edition under the copy's name while calling
    the copy "unchanged": the first file of an edition names it, and a later import of the
    same bytes under another name changes neither the store nor the file."""
    copy = tmp_path / "copy_of_the_november_edition.ods"
    shutil.copyfile(NOVEMBER, copy)
    before = _file_state(copy)
    store = tmp_path / "s.duckdb"
    both = run_cli("data", "import", NOVEMBER, copy, "--store", store, "--format", "json")
    assert both.exit_code == 0, both.stderr
    assert [r["status"] for r in json.loads(both.stdout)] == ["imported", "unchanged"]
    listed = json.loads(run_cli("data", "editions", "--store", store, "--format", "json").stdout)
    assert [e["file_name"] for e in listed] == [NOVEMBER.name]
    stored = store.read_bytes()
    again = run_cli("data", "import", copy, "--store", store, "--format", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)[0]["status"] == "unchanged"
    assert store.read_bytes() == stored and _file_state(copy) == before
    listed = json.loads(run_cli("data", "editions", "--store", store, "--format", "json").stdout)
    assert [e["file_name"] for e in listed] == [NOVEMBER.name]
