"""``channelsim data brief``: the week's facts, on a small two-year publication written here
and on the official editions (as of 31 July 2025). Expected values are computed here with
plain pandas, never taken from the brief itself."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import OFFICIAL_DATA, CliResult
from spreadsheets import make_rows, write_publication

Run = Callable[..., CliResult]
MAY_2026 = OFFICIAL_DATA / "29_May_2026_Small_boats_-_time_series.ods"


@pytest.fixture
def toy(tmp_path: Path, run_cli: Run) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    """A store holding a CSV publication from Mon 2 Jan 2023 to Wed 14 Aug 2024."""
    daily, weekly = make_rows(start=dt.date(2023, 1, 2), days=591, seed=11)
    path = write_publication(tmp_path / "15_August_2024_toy", daily, weekly, "csv")
    store = tmp_path / "s.duckdb"
    assert run_cli("data", "import", path, "--store", store).exit_code == 0
    d = pd.DataFrame(daily, columns=["date", "people", "boats", "u", "n"])
    d["date"] = pd.to_datetime(d["date"])
    w = pd.DataFrame(weekly, columns=["week_ending", "people", "boats", "u", "pp", "pe", "n"])
    w["week_ending"] = pd.to_datetime(w["week_ending"])
    return store, d.set_index("date"), w.set_index("week_ending")


def _brief(run_cli: Run, store: Path, *args: str) -> dict[str, Any]:
    result = run_cli("data", "brief", "--store", store, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _pct(now: float, before: float) -> float:
    return round((now / before - 1) * 100, 1)


def test_brief_figures_on_a_small_publication(run_cli: Run, toy: Any) -> None:
    store, d, w = toy
    brief = _brief(run_cli, store, "--as-of", "2024-07-10")  # a Wednesday
    people = d["people"]
    assert brief["data_to"] == "2024-07-10"
    assert brief["edition"]["date"] == "2024-08-15"
    assert brief["latest_day"] == {
        "date": "2024-07-10",
        "people": int(people["2024-07-10"]),
        "boats": int(d["boats"]["2024-07-10"]),
    }
    week = brief["week"]
    assert (week["start"], week["end"]) == ("2024-07-08", "2024-07-10")
    assert week["people"] == people["2024-07-08":"2024-07-10"].sum()
    assert week["last_year"]["people"] == people["2023-07-08":"2023-07-10"].sum()
    month = brief["month"]
    assert month["people"] == people["2024-07-01":"2024-07-10"].sum()
    assert month["change_pct"] == _pct(month["people"], people["2023-07-01":"2023-07-10"].sum())
    ytd = brief["year_to_date"]
    now, before = people["2024-01-01":"2024-07-10"].sum(), people["2023-01-02":"2023-07-10"].sum()
    assert ytd["people"] == now
    (last_year,) = ytd["earlier_years"]
    assert (last_year["year"], last_year["people"]) == (2023, before)
    assert last_year["change_pct"] == _pct(now, before)
    assert brief["records"]["year_to_date"]["record"] == bool(now > before)

    boats = d["boats"]
    ppb = brief["people_per_boat"]
    assert ppb["year_to_date"] == round(now / boats["2024-01-01":"2024-07-10"].sum(), 1)

    weeks = w["2024-01-01":"2024-07-10"]
    weeks = weeks[weeks["pp"] != "-"]
    prevention = brief["prevention"]
    assert prevention["weeks"] == len(weeks)
    assert prevention["last_week_ending"] == "2024-07-07"  # the last complete week
    assert prevention["prevented_people"] == weeks["pp"].astype(int).sum()
    share = weeks["pp"].astype(int).sum() / (weeks["pp"].astype(int).sum() + weeks["people"].sum())
    assert prevention["share_prevented"] == round(share, 4)

    crossed = people[:"2024-07-10"][people[:"2024-07-10"] > 0]
    since = brief["days_since_last_crossing"]
    assert since["last_crossing_day"] == crossed.index[-1].date().isoformat()
    assert since["days"] == (pd.Timestamp("2024-07-10") - crossed.index[-1]).days


def test_records_broken_this_year(run_cli: Run, toy: Any) -> None:
    store, d, _ = toy
    brief = _brief(run_cli, store, "--as-of", "2024-08-14")
    people = d["people"]
    expected_days = []
    for day, value in people["2024-01-01":"2024-08-14"].items():
        earlier = people[: day - pd.Timedelta(days=1)]
        if value > earlier.max():
            expected_days.append((day.date().isoformat(), "all days"))
        month = earlier[earlier.index.month == day.month]
        if len(month) and value > month.max():
            expected_days.append((day.date().isoformat(), f"{day:%B} days"))
    assert [(r["date"], r["record_of"]) for r in brief["records"]["days"]] == expected_days
    months = people.resample("MS").sum()
    expected_months = []
    for month, value in months["2024"].items():
        same = months[(months.index < month) & (months.index.month == month.month)]
        if len(same) and value > same.max():
            expected_months.append((f"{month:%Y-%m}", "same month"))
        if value > months[months.index < month].max():
            expected_months.append((f"{month:%Y-%m}", "all months"))
    found = [(r["month"], r["record_of"]) for r in brief["records"]["months"]]
    assert found == expected_months


def test_markdown_table_and_bad_dates(run_cli: Run, toy: Any) -> None:
    store, _, _ = toy
    md = run_cli("data", "brief", "--store", store, "--format", "md")
    assert md.exit_code == 0, md.stderr
    lines = md.stdout.splitlines()
    assert lines[0] == "**Small-boat arrivals to 14 Aug 2024**"
    assert lines[2] == "| figure | value | unit | compared with | change |"
    assert "| people per boat |" in md.stdout and "| events |" in md.stdout
    assert lines[-1].startswith("Source: Home Office, Migrants detected crossing")
    assert lines[-1].endswith("Open Government Licence v3.0.")
    table = run_cli("data", "brief", "--store", store)  # the credit survives `> file`
    said = " ".join(table.stdout.split())  # the credit wraps to the terminal
    assert table.exit_code == 0 and said.endswith("Open Government Licence v3.0.")
    for command in (["brief"], ["summary"]):
        written = run_cli("data", *command, "--store", store, "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(written.stdout)))
        assert rows and all(r["Source"] == lines[-1] for r in rows), command
        js = json.loads(run_cli("data", *command, "--store", store, "--format", "json").stdout)
        for credited in [js] if isinstance(js, dict) else js:
            assert credited["source"].endswith("Open Government Licence v3.0."), command
    summary = run_cli("data", "summary", "--store", store)
    assert " ".join(summary.stdout.split()).endswith("Open Government Licence v3.0.")
    early = run_cli("data", "brief", "--store", store, "--as-of", "2022-12-31")
    assert early.exit_code == 2 and "--as-of: expected a date on or after" in early.stderr


def test_a_year_without_boats_before_it_reads_in_words(run_cli: Run, toy: Any) -> None:
    """As of 10 Jan 2023, the toy's first days: the same point of 2022 had no boats, and the
    row said 'None at the same point last year' (Python's None); the table's title was ISO
    ('to 2023-01-10') where the Markdown says '10 Jan 2023'. (s11 trial F1)"""
    store, _, _ = toy
    md = run_cli("data", "brief", "--store", store, "--as-of", "2023-01-10", "--format", "md")
    assert md.exit_code == 0, md.stderr
    assert "None" not in md.stdout
    assert "| no boats at the same point last year |" in md.stdout
    table = run_cli("data", "brief", "--store", store, "--as-of", "2023-01-10")
    assert table.exit_code == 0, table.stderr
    assert table.stdout.splitlines()[0] == "Small-boat arrivals to 10 Jan 2023"
    assert "None" not in table.stdout and "no boats at the" in table.stdout  # cells wrap


def test_a_label_in_words_keeps_its_underscore() -> None:
    """'Prevented (SB_02)' read 'Prevented (SB 02)' in the terminal: a row's label was taken
    for a column's code name, whose underscores become spaces."""
    from channelsim.fields import words

    assert words("Prevented (SB_02)") == "Prevented (SB_02)"
    assert words("zone_count") == "zone count"


@pytest.mark.parametrize("as_of", ["2024-08-15", "2030-01-01"])
def test_a_brief_after_the_last_day_of_the_data_is_refused(
    run_cli: Run, toy: Any, as_of: str
) -> None:
    """Not a brief of 14 Aug 2024 headed with a later date: the data end on 14 Aug."""
    store, _, _ = toy
    late = run_cli("data", "brief", "--store", store, "--as-of", as_of)
    assert late.exit_code == 2 and late.stdout == ""
    assert late.stderr.strip() == (
        f"error: --as-of: expected a date the data cover: they end on 2024-08-14 "
        f"(the edition of 2024-08-15), got {as_of}"
    )


def _official_daily() -> pd.Series:
    raw = pd.read_excel(MAY_2026, sheet_name="SB_01", header=None)
    header = raw.index[raw[0].astype(str).str.strip() == "Date"][0]
    table = raw.iloc[header + 1 :, :2].dropna()
    return pd.Series(pd.to_numeric(table[1]).astype(int).to_numpy(), index=pd.to_datetime(table[0]))


@pytest.mark.skipif(not MAY_2026.exists(), reason=f"official editions not found in {OFFICIAL_DATA}")
def test_brief_as_of_31_july_2025_on_the_official_editions(tmp_path: Path, run_cli: Run) -> None:
    store = tmp_path / "s.duckdb"
    imported = run_cli("data", "import", *sorted(OFFICIAL_DATA.glob("*.ods")), "--store", store)
    assert imported.exit_code == 0, imported.stderr
    brief = _brief(run_cli, store, "--as-of", "2025-07-31")
    people = _official_daily()  # every edition agrees on 2018–2025 (the latest wins)
    ytd = brief["year_to_date"]
    now = people["2025-01-01":"2025-07-31"].sum()
    assert ytd["people"] == now == 25_436
    by_year = {r["year"]: r for r in ytd["earlier_years"]}
    before = people["2024-01-01":"2024-07-31"].sum()
    assert by_year[2024]["people"] == before
    assert by_year[2024]["change_pct"] == _pct(now, before) == 50.5
    record = brief["records"]["year_to_date"]
    best = max(people[f"{y}-01-01" : f"{y}-07-31"].sum() for y in range(2018, 2025))
    assert record == {
        "record": bool(now > best),
        "people": int(now),
        "previous_record": {"year": 2024, "people": int(before)},
    }
    days = brief["records"]["days"]
    assert not [r for r in days if r["record_of"] == "all days"]  # 1,305 on 3 Sep 2022 stands
    may = [r for r in days if r["date"] == "2025-05-31"]
    earlier_mays = people[(people.index.month == 5) & (people.index < "2025-05-31")]
    assert may == [
        {
            "date": "2025-05-31",
            "people": 1_195,
            "record_of": "May days",
            "previous_record": {
                "date": earlier_mays.idxmax().date().isoformat(),
                "people": int(earlier_mays.max()),
            },
        }
    ]
    months = people.resample("MS").sum()
    for row in brief["records"]["months"]:
        month = pd.Timestamp(f"{row['month']}-01")
        same = months[(months.index < month) & (months.index.month == month.month)]
        assert row["people"] == months[month] and months[month] > same.max()
    assert brief["edition"]["file"] == MAY_2026.name


@pytest.mark.parametrize(
    ("change_pct", "shown"),
    [(None, "–"), (-7.06, "-7.1%"), (397.1, "+397.1%"), (1946.2, "×20.5"), (125300.0, "×1,254")],
)
def test_a_change_of_ten_times_or_more_reads_as_a_multiple(
    change_pct: float | None, shown: str
) -> None:
    """The brief's 2018 row: 7 people then against 8,778 now is ×1,254, not +125300.0%."""
    from channelsim.data.brief import _pct

    assert _pct(change_pct) == shown


def test_the_year_to_date_against_an_earlier_year_reads_as_this_year_s_change(
    run_cli: Run, toy: Any
) -> None:
    """ "Same point of 2023 … +x%" read as 2023 being up: the row says, in words, that this
    year so far is x% above (or below) the same point of 2023."""
    store, d, _ = toy
    written = run_cli("data", "brief", "--store", store, "--as-of", "2024-07-10", "--format",
                      "csv")  # fmt: skip
    assert written.exit_code == 0, written.stderr
    rows = [r for r in csv.DictReader(io.StringIO(written.stdout))
            if r["Figure"].startswith("Same point of 2023")]  # fmt: skip
    assert len(rows) == 1
    people = d["people"]
    now, before = people["2024-01-01":"2024-07-10"].sum(), people["2023-01-02":"2023-07-10"].sum()
    change = _pct(now, before)
    way = "above" if change > 0 else "below"
    assert rows[0]["Change"] == f"2024 so far is {abs(change):.1f}% {way} the same point of 2023"
    assert rows[0]["Compared with"] == f"2024 to date ({now:,} people)"


@pytest.mark.skipif(not MAY_2026.exists(), reason="needs the official data (../shared)")
def test_the_brief_s_csv_says_each_change_against_what(run_cli: Run, tmp_path: Path) -> None:
    """The CSV repeated each row's words as its label, said "1 days" and gave "This month"
    a bare -7.1%: now no copied column, "1 day", and each change against what (29 May 2026
    edition, as of 28 May 2026: 2,362 people in May against 2,543 in May 2025)."""
    store = tmp_path / "s.duckdb"
    assert run_cli("data", "import", MAY_2026, "--store", store).exit_code == 0
    result = run_cli("data", "brief", "--store", store, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "Label" not in rows[0]
    by = {r["Figure"]: r for r in rows}
    month = by["This month (1 May–28 May 2026)"]
    assert month["Change"] == "7.1% below 1 May–28 May 2025", month
    assert by["Days since the last crossing day"]["Unit"] == "day"
    assert by["Days since the last crossing day"]["Value"] == "1"
    ppb = by["People per boat, year to date"]["Change"]
    assert ppb.endswith("above the same point last year"), ppb
