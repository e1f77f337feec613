"""The shipped statements of every form (examples/claims/forms-2024-2025.yaml) judged on the
official editions, each value computed here independently with plain pandas on the sheets.
Skipped when the editions are not present."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import OFFICIAL_DATA, REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "claims" / "forms-2024-2025.yaml"
EDITIONS = sorted(OFFICIAL_DATA.glob("*.ods")) if OFFICIAL_DATA.exists() else []
NOV_2025 = OFFICIAL_DATA / "21_November_2025_Small_boats_-_time_series.ods"
DEC_2025 = OFFICIAL_DATA / "31_December_2025_Small_boats_-_time_series.ods"
MAY_2026 = OFFICIAL_DATA / "29_May_2026_Small_boats_-_time_series.ods"

pytestmark = pytest.mark.skipif(
    not (NOV_2025.exists() and DEC_2025.exists() and MAY_2026.exists()),
    reason=f"official editions not found in {OFFICIAL_DATA}",
)


def _daily(path: Path) -> pd.Series:
    """People per day, read with pandas alone (header on the row that says 'Date')."""
    raw = pd.read_excel(path, sheet_name="SB_01", header=None)
    header = raw.index[raw[0].astype(str).str.strip() == "Date"][0]
    table = raw.iloc[header + 1 :, :2].dropna()
    return pd.Series(pd.to_numeric(table[1]).astype(int).to_numpy(), index=pd.to_datetime(table[0]))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import subprocess
    import sys

    script = Path(sys.executable).with_name("channelsim")
    data = [arg for path in EDITIONS for arg in ("--data", str(path))]
    run = subprocess.run(
        [script, "claims", EXAMPLE, *data, "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return {row["id"]: row for row in json.loads(run.stdout)}


@pytest.fixture(scope="module")
def latest() -> pd.Series:
    return _daily(MAY_2026)


def test_total_differs_as_published_then_and_as_revised(results: dict[str, Any]) -> None:
    row = results["shropshire-star-total-2025-to-11-dec"]
    then, dec = _daily(NOV_2025), _daily(DEC_2025)
    assert then.index.max() == pd.Timestamp("2025-11-20")  # published by 12 Dec 2025
    assert row["as_published"]["edition"]["date"] == "2025-11-21"
    assert row["as_published"]["value"] == int(then["2025-01-01":"2025-11-20"].sum())
    assert row["as_published"]["verdict"] == "cannot be checked with this data"
    revised_total = int(_daily(MAY_2026)["2025-01-01":"2025-12-11"].sum())
    assert revised_total == int(dec["2025-01-01":"2025-12-11"].sum()) == 39_292
    assert row["as_revised"]["value"] == revised_total
    assert row["as_revised"]["verdict"] == "supported" and row["differs"] is True


def test_change(results: dict[str, Any], latest: pd.Series) -> None:
    row = results["bbc-first-half-up-48-percent"]
    now, before = latest["2025-01-01":"2025-06-30"].sum(), latest["2024-01-01":"2024-06-30"].sum()
    pct = (now / before - 1) * 100
    assert row["value"] == pytest.approx(round(pct, 1), abs=0.05)
    assert row["verdict"] == ("supported" if abs(pct - 48) <= 0.5 else "not supported")
    assert row["as_published"] is None  # no edition here was published by 1 Jul 2025


def _rank_in_year(series: pd.Series, day: str) -> int:
    year = series[f"{day[:4]}-01-01" : day]
    return 1 + int((year > series[day]).sum())


def test_ranks_of_days_and_of_a_first_half(results: dict[str, Any], latest: pd.Series) -> None:
    assert (
        results["daily-mail-882-highest-day-of-2024"]["value"]
        == _rank_in_year(latest, "2024-06-18")
        == 1
    )
    third = results["eastern-eye-879-third-highest-day"]
    assert third["value"] == _rank_in_year(latest, "2025-06-30") == 3
    assert third["verdict"] == "supported"
    halves = pd.Series({y: latest[f"{y}-01-01" : f"{y}-06-30"].sum() for y in range(2018, 2026)})
    half = results["eastern-eye-record-first-half"]
    assert half["value"] == 1 + int((halves > halves[2025]).sum()) == 1
    assert f"{halves[2025]:,}" in half["reason"]


def test_milestones(results: dict[str, Any], latest: pd.Series) -> None:
    def passed(year: int) -> pd.Timestamp | None:
        running = latest[f"{year}-01-01" : f"{year}-12-31"].cumsum()
        hits = running[running >= 25_000]
        return hits.index[0] if len(hits) else None

    dates = {year: passed(year) for year in range(2018, 2026)}
    row = results["bbc-25000-passed-earliest"]
    assert row["value"] == dates[2025].date().isoformat()
    earlier = [d.strftime("%m-%d") for y, d in dates.items() if y < 2025 and d is not None]
    assert row["verdict"] == (
        "supported" if dates[2025].strftime("%m-%d") < min(earlier) else "not supported"
    )
    assert results["bbc-2022-passed-25000-on-27-august"]["value"] == "2022-08-27"
    assert dates[2022] == pd.Timestamp("2022-08-27")


def test_streak_differs_as_published_then_and_as_revised(
    results: dict[str, Any], latest: pd.Series
) -> None:
    row = results["independent-longest-gap-in-seven-years"]
    assert row["as_published"]["verdict"] == "cannot be checked with this data"
    assert "is not in this edition (it stops at 20 Nov 2025)" in row["as_published"]["reason"]
    crossed = latest[:"2025-12-12"] > 0
    last_crossing = crossed[crossed].index[-1]
    gap = (pd.Timestamp("2025-12-12") - last_crossing).days
    runs = (crossed != crossed.shift()).cumsum()
    lengths = crossed[~crossed].groupby(runs[~crossed]).agg(["size", lambda s: s.index[0]])
    lengths.columns = ["days", "first"]
    since = lengths[(lengths["first"] >= "2018-10-20") & (lengths["first"] < last_crossing)]
    assert row["as_revised"]["value"] == gap == 28
    assert row["as_revised"]["verdict"] == (
        "supported" if since["days"].max() < gap else "not supported"
    )


def test_window(results: dict[str, Any], latest: pd.Series) -> None:
    rolling = latest["2024-01-01":"2024-11-06"].rolling(14).sum().dropna()
    row = results["telegraph-busiest-14-days-of-2024"]
    assert row["value"] == int(rolling.max()) == 3_197
    assert rolling.idxmax() == pd.Timestamp("2024-11-06")
    assert row["verdict"] == "supported"


def test_what_the_series_cannot_decide(results: dict[str, Any]) -> None:
    row = results["independent-boats-carrying-over-80"]
    assert row["verdict"] == "cannot be checked with this data" and row["value"] is None
    assert "not the number aboard each boat" in row["reason"]


def _rank(values: pd.Series, subject: pd.Timestamp) -> int:
    """1 + how many units had strictly more than ``subject`` (ties share the better rank)."""
    return 1 + int((values > values[subject]).sum())


def test_ranks_since_a_date_in_a_month_and_in_a_calendar_span(
    results: dict[str, Any], latest: pd.Series
) -> None:
    day = pd.Timestamp("2024-10-05")
    since_nov_2022 = latest["2022-11-13":"2024-10-14"]
    assert results["daily-mail-973-highest-for-nearly-two-years"]["value"] == 1
    assert _rank(since_nov_2022, day) == 1 and latest["2022-11-12"] > latest[day]
    on_record = latest[:"2024-10-31"]
    assert results["telegraph-973-ninth-highest-day-on-record"]["value"] == _rank(on_record, day)
    assert _rank(on_record, day) == 9
    after_election = latest["2024-07-05":"2024-07-15"]
    row = results["telegraph-427-highest-day-since-starmer-became-pm"]
    assert row["value"] == _rank(after_election, pd.Timestamp("2024-07-15")) == 1
    to_then = latest[:"2024-02-25"]
    februaries = to_then[to_then.index.month == 2]
    row = results["telegraph-290-record-day-for-february"]
    assert row["value"] == _rank(februaries, pd.Timestamp("2024-02-25")) == 1
    months = latest[:"2024-10-31"].resample("MS").sum()
    this_year = months["2024"]
    row = results["telegraph-october-busiest-month-of-2024"]
    assert row["value"] == _rank(this_year, pd.Timestamp("2024-10-01")) == 1
    assert int(this_year["2024-10-01"]) == 5_417
    januaries = latest[:"2024-01-31"].resample("MS").sum()
    januaries = januaries[januaries.index.month == 1]
    row = results["pa-january-2022-highest-january"]
    assert row["value"] == _rank(januaries, pd.Timestamp("2022-01-01")) == 1
    assert int(januaries["2022-01-01"]) == 1_339
    for claim_id in (
        "daily-mail-973-highest-for-nearly-two-years",
        "telegraph-973-ninth-highest-day-on-record",
        "telegraph-427-highest-day-since-starmer-became-pm",
        "telegraph-290-record-day-for-february",
        "telegraph-october-busiest-month-of-2024",
        "pa-january-2022-highest-january",
    ):
        assert results[claim_id]["verdict"] == "supported", claim_id


def test_change_since_an_event_against_the_part_of_the_year_before_it(
    results: dict[str, Any], latest: pd.Series
) -> None:
    since = int(latest["2024-07-05":"2024-10-14"].sum())
    before = int(latest["2024-01-01":"2024-07-04"].sum())
    row = results["daily-mail-more-since-the-election-than-before-it"]
    assert (since, before) == (13_759, 13_574)
    assert row["value"] == since - before == 185
    assert row["verdict"] == "supported"


def test_a_share_prevented_is_judged_as_a_share(results: dict[str, Any]) -> None:
    """s13 trial U2: "28.7% of attempts stopped since August", written with the count's
    metric, was "not supported" against 5,856 people; it is the share of SB_02's weeks."""
    raw = pd.read_excel(MAY_2026, sheet_name="SB_02", header=None)
    weeks = raw.iloc[1:, [0, 1, 4]].set_axis(["week", "arrived", "prevented"], axis=1)
    weeks["week"] = pd.to_datetime(weeks["week"])
    span = weeks[(weeks["week"] >= "2025-08-01") & (weeks["week"] <= "2025-11-23")]
    prevented, arrived = (pd.to_numeric(span[c]).sum() for c in ("prevented", "arrived"))
    share = 100 * prevented / (prevented + arrived)
    row = results["telegraph-lbc-28-7-percent-prevented-since-august"]
    assert row["value"] == round(share, 1)
    assert row["verdict"] == ("supported" if abs(share - 28.7) <= 1 else "not supported")
    assert (
        "judged as a share (prevented_people counts people; metric prevented_share)"
        in (row["reason"])
    )


def test_a_claim_no_edition_counts_names_no_edition_as_published_then(tmp_path: Path) -> None:
    """s13 trial U3: "27 died in 2025" (the series counts no deaths) said on 10 Jan 2026, with
    the December and May editions loaded, read "not in the editions loaded: the latest
    published by 10 Jan 2026 is 31 Dec 2025 ..." in its "as published then" column."""
    import csv
    import io
    import subprocess
    import sys

    path = tmp_path / "deaths.yaml"
    path.write_text(
        "claims:\n  - id: deaths-2025\n    quote: 27 people died in the Channel in 2025\n"
        "    speaker: a reporter\n    said_on: 2026-01-10\n    metric: deaths\n"
        "    unit: deaths\n    period: {kind: calendar_year, year: 2025}\n"
        "    comparison: about\n    tolerance: 1\n    figure: 27\n"
    )
    script = Path(sys.executable).with_name("channelsim")
    run = subprocess.run(
        [script, "claims", path, "--data", DEC_2025, "--data", MAY_2026, "--format", "csv"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    [row] = list(csv.DictReader(io.StringIO(run.stdout)))
    assert row["Verdict"] == "cannot be checked with this data"
    assert row["As published then"] == "" and row["As revised"] == "", row
