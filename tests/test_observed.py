"""One source for observed figures: demo, reports and data summary sum the same store the same
way; an empty store gives the bundled figures with their edition and how to import the data;
validate's prevention covers the whole weeks inside the period, and says so."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from channelsim.data import DataStore, summarise
from channelsim.errors import StoreError
from channelsim.experiments.observed import observed_figures, weeks_text, whole_weeks
from spreadsheets import make_rows, write_publication


def test_the_store_gives_what_data_summary_gives(tmp_path: Path, run_cli: Any) -> None:
    daily, weekly = make_rows(start=dt.date(2024, 4, 29), days=2 * 364, seed=3)
    publication = write_publication(tmp_path / "pub", daily, weekly, "csv")
    store = tmp_path / "store.duckdb"
    files = sorted(publication.parent.glob("pub_SB_0*.csv"))
    assert run_cli("data", "import", *files, "--store", store).exit_code == 0
    year = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    found = observed_figures(*year, store=store)
    shown = run_cli("data", "summary", "--by", "year", "--store", store, "--format", "json")
    [row] = [r for r in json.loads(shown.stdout) if r["year"] == 2025]
    assert found.values["arrived_people"] == row["people"]
    assert found.values["prevented_events"] == row["prevented_events"]
    assert found.values["prevented_people"] == row["prevented_people"]
    assert not found.bundled and found.source.startswith("Home Office, edition of")
    assert "Open Government Licence" in found.credit
    # deaths: PREMAR's published counts, named as such, beside the French zone's deaths
    assert "dead_or_missing_people" not in found.references()  # both sides: not PREMAR's
    low, high = found.sourced["dead_french_zone_people"]
    words = found.references()["dead_french_zone_people"].words
    assert low < high and "PREMAR's published counts" in words  # the source named
    data = DataStore(store)
    assert summarise(data.daily(), data.weekly(), "year", *year)[0]["people"] == row["people"]


def test_an_empty_store_gives_the_bundled_figures_and_says_how_to_import(tmp_path: Path) -> None:
    store = tmp_path / "none.duckdb"
    found = observed_figures(dt.date(2025, 1, 1), dt.date(2025, 12, 31), store=store)
    assert found.bundled and found.values["arrived_people"] == 41_472
    assert found.source == "bundled reference figures, Home Office edition of 30 January 2026"
    assert found.note is not None and "channelsim data download" in found.note
    other = observed_figures(dt.date(2024, 6, 1), dt.date(2024, 6, 30), store=store)
    assert not other.values and other.note is not None and "data import" in other.note
    assert not store.exists()  # looking never creates a store


def test_validate_compares_prevention_over_the_whole_weeks_inside_the_period() -> None:
    year = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert whole_weeks(*year) == (dt.date(2025, 1, 12), dt.date(2025, 12, 28), 51)
    assert weeks_text(*year) == "the 51 whole weeks ending 12 Jan–28 Dec 2025"
    assert whole_weeks(dt.date(2024, 6, 3), dt.date(2024, 6, 9)) == (
        dt.date(2024, 6, 9),
        dt.date(2024, 6, 9),
        1,
    )
    assert whole_weeks(dt.date(2024, 6, 4), dt.date(2024, 6, 9)) is None


def test_the_demo_s_credit_reaches_stdout_with_its_table(tmp_path: Path, run_cli: Any) -> None:
    """`channelsim demo > file` keeps the Home Office credit and licence (it went to stderr)."""
    result = run_cli("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "Home Office" in said and "Open Government Licence v3.0" in said
    assert "Open Government Licence" not in result.stderr
    # beside people stopped on the beach and the Home Office's prevented: not the same count
    assert "migrants prevented (French operational estimates) counts more than" in said
    assert "one above it means the model stops too many on the beach" in said
    # a ratio of 849 to 845 reads 1.00 beside 0.87 (it printed 1)
    assert re.search(r"Prevention events\s+[\d,]+\s+[\d,]+\s+\d\.\d\d\b", result.stdout)


def test_the_demo_s_headline_has_intervals_of_several_runs_and_says_which_figure_is_which(
    tmp_path: Path, run_cli: Any
) -> None:
    """The demo's headline set one run's 8 dead or missing against PREMAR's 25–27 with "One
    run: no interval": it gives the medians and 90% intervals of DEMO_RUNS runs, says whether
    each observed figure lies inside, and that the table and the files are the one run."""
    from channelsim.cli.run_cmd import DEMO_RUNS

    result = run_cli("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "One run: no interval" not in said
    assert f"Intervals: 90% of {DEMO_RUNS} runs" in said
    # PREMAR's count beside the French zone's deaths, not the deaths on both sides (U1, s12)
    french = r"dead or missing, French zone \(PREMAR's definition\) \(90% interval: [^)]*\)"
    assert re.search(french + r" against 25–27", said), said
    assert "inside the interval" in said or "outside the interval" in said
    assert "the table below and the files written are one run (seed 2025)" in said
    assert "status-quo-2025, one run (seed 2025)" in said
    # what "extra cost of policies: £5.98m" counts, item by item (U13 of the s10 trial)
    assert "Extra cost of policies: what the scenario's policies cost that the model prices" in said
    # the doctrine as signed is the Gendarmerie maritime's: no UK cost (s12 U11)
    assert "(one in one out £4.2m)" in said and "maritime doctrine £" not in said
    assert "the 2023 UK–France deal already pays for" in said
    payload = json.loads(run_cli("demo", "--out", tmp_path / "j", "--format", "json").stdout)
    runs = payload["headline_runs"]
    assert runs["runs"] == DEMO_RUNS and payload["seed"] == 2025
    deaths = next(r for r in runs["totals"] if r["figure"] == "dead_or_missing_people")
    assert deaths["low"] < deaths["median"] < deaths["high"]


def test_a_store_variable_naming_a_text_file_or_a_folder_is_refused_not_read_as_empty(
    tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    """`demo` refused CHANNELSIM_STORE set to something that is not a store as every other
    command does (it said the store "is empty" and showed the bundled figures)."""
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    for wrong, expected in ((text, "is not a DuckDB file"), (folder, "is a folder")):
        monkeypatch.setenv("CHANNELSIM_STORE", str(wrong))
        result = run_cli("demo", "--out", tmp_path / "demo")
        assert result.exit_code == 2
        line = " ".join(result.stderr.split())
        assert f"$CHANNELSIM_STORE={wrong}" in line and expected in line, line
        assert "empty" not in line and not (tmp_path / "demo").exists()
    assert text.read_text() == "my notes\n"
    year = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    with pytest.raises(StoreError, match="is not a DuckDB file"):
        observed_figures(*year, store=text)


def test_the_observed_figures_keep_one_order_from_the_store_or_bundled(tmp_path: Path) -> None:
    """The demo's table moved people per boat to its last row once an edition was imported
    (the store's figures put it last, the bundled ones third): one order, COMPARABLE's."""
    from channelsim.experiments.observed import COMPARABLE

    publication = write_publication(tmp_path / "pub", *make_rows(), "csv")
    start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    read = observed_figures(start, end, publication=publication)
    assert list(read.values) == [n for n in COMPARABLE if n in read.values]
    assert "people_per_boat" in read.values and next(iter(read.values)) == "arrived_people"


def test_figures_the_series_covers_in_part_are_left_out_and_said(tmp_path: Path) -> None:
    """A history run's report set 1 Jan 2018 – 28 May 2026 of simulated prevention against
    the weeks from 5 May 2024 the series covers ("3.56 times the observed"): a figure that
    covers part of the period is left out of the comparison, and the note names it."""
    daily, weekly = make_rows(start=dt.date(2024, 1, 1), days=2 * 364, seed=5)
    publication = write_publication(tmp_path / "pub.ods", daily, weekly)
    span = dt.date(2024, 1, 1), dt.date(2024, 12, 29)
    found = observed_figures(*span, publication=publication)
    assert found.partial == {"prevented_people", "prevented_events"}
    kept = found.whole()
    assert "prevented_people" not in kept.values and "prevented_events" not in kept.values
    assert kept.values["arrived_people"] == found.values["arrived_people"]
    assert kept.caveat is None  # no prevention compared, no word on how it compares
    assert kept.note is not None and kept.note.startswith(
        "Not compared, as the official series covers only part of the period: "
        "people stopped on the beach and prevention events"
    )
    assert kept.note.endswith(
        "(prevention: the weeks ending 5 May–29 Dec 2024 only, 35 of 52 weeks)."
    )  # what the series does cover of the period, and nothing else (no share's note)
    # a period the series covers whole loses nothing
    year = dt.date(2025, 1, 1), dt.date(2025, 12, 21)
    whole_year = observed_figures(*year, publication=publication)
    assert not whole_year.partial and whole_year.whole() is whole_year
    # days after the last edition's: the daily figures are partial too
    later = observed_figures(dt.date(2025, 6, 1), dt.date(2026, 3, 1), publication=publication)
    assert {"arrived_people", "days_with_arrivals"} <= later.partial


def test_an_empty_store_gives_the_bundled_figures_without_loading_pandas(tmp_path: Path) -> None:
    """``run --runs N`` sets its figures against the observed ones after its members: with no
    edition imported, the bundled figures and the deaths the sources count are found without
    loading pandas (a third of a CPU second, the driver's last step), from an empty store as
    from none."""
    import subprocess
    import sys

    for name, make in (("none.duckdb", False), ("empty.duckdb", True)):
        if make:  # a store with its editions table, and no edition in it
            import duckdb

            duckdb.connect(str(tmp_path / name)).execute(
                "CREATE TABLE editions (edition_id INTEGER)"
            ).close()
        probe = (
            "import datetime as dt, sys\n"
            "from pathlib import Path\n"
            "from channelsim.experiments.observed import observed_figures\n"
            "found = observed_figures(dt.date(2025, 1, 1), dt.date(2025, 12, 31), "
            f"store=Path({str(tmp_path / name)!r}))\n"
            "print(found.bundled, sorted(found.sourced), 'pandas' in sys.modules)\n"
        )
        shown = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout
        assert shown.split() == ["True", "['dead_french_zone_people']", "False"], (name, shown)
