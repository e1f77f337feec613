"""Outputs a reporter can publish, third round: validate's table and CSV name every row's
figure with its unit and quote counts whole, forecast/validate/calibrate CSVs carry the
credit the other CSVs carry, a validation that replays the test period's weather is not
headed a forecast, calibrate's files say what their columns are and what was not published.
Found by the s11 testers (T2, T3, T11, T19; F5, F6, F13, F16); each test failed before its
fix."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
BLIND_2025 = REPO / "calibration" / "blind-2022-2024" / "validation-2025.json"
BLIND_2026 = REPO / "calibration" / "blind-history-2025-12-31" / "validation-2026-jan-may.json"


def _record(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _csv(capsys: pytest.CaptureFixture[str], print_it: Any) -> list[dict[str, str]]:
    capsys.readouterr()
    print_it()
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def _validation_csv(capsys: pytest.CaptureFixture[str], result: dict[str, Any]) -> Any:
    from channelsim.cli.calibrate_cmd import _print_validation
    from channelsim.cli.output import OutputFormat

    return _csv(capsys, lambda: _print_validation(result, OutputFormat.csv))


def test_validate_csv_rows_have_a_label_and_unit_and_whole_people(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`validate --format csv`: monthly rows had an empty Label and Unit and fractional
    people ("people 2026-01,,,933,2099.5,880.05,3939.4"), scores had code names for labels
    ("ard monthly", "model mase") and the unit "'-" (s11 T2, F5)."""
    rows = _validation_csv(capsys, _record(BLIND_2026))
    assert rows, "no CSV rows"
    compared = [r for r in rows if r["Period"]]
    assert len(compared) >= 9
    for row in compared:
        assert (row["Label"] and row["Unit"] == "people") or row["Figure"] in (
            "arrived_boats", "prevented_events"
        ), row  # fmt: skip
        for column in ("Median", "Low (5%)", "High (95%)"):
            assert row[column] == "" or row[column].lstrip("-").isdigit(), (column, row)
    months = [r["Period"] for r in compared if r["Figure"] == "arrived_people"]
    assert "2026-01" in months and "2026-05 (1–28 May)" in months  # the partial month says so
    scores = [r for r in rows if not r["Period"]]
    assert {r["Figure"] for r in scores} >= {"ard_monthly", "mase", "crps", "months_in_90"}
    for row in scores:
        assert row["Label"] and row["Label"] != row["Figure"].replace("_", " "), row
        assert row["Meaning"] and row["Forecast"], row
        assert not row["Unit"].startswith("'"), row
    shares = [r for r in scores if r["Figure"] == "months_in_90"]
    assert all(r["Unit"] == "%" and 0 <= float(r["Value"]) <= 100 for r in shares)


def test_validate_csv_credits_the_home_office_and_the_model_and_says_yes_or_no(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """validate's CSV had no Source column (its Observed column is Home Office data under
    the OGL) and said True/False where its table says yes/no (s11 F16)."""
    rows = _validation_csv(capsys, _record(BLIND_2026))
    header = list(rows[0])
    assert header[-1] == "Source"
    for row in rows:
        assert "Home Office" in row["Source"] and "Open Government Licence v3.0" in row["Source"]
        assert "Simulated with channelsim" in row["Source"]
        assert row["Inside the 90% interval"] in ("yes", "no", "")


def test_validate_shows_premar_deaths_once_per_year(capsys: pytest.CaptureFixture[str]) -> None:
    """`validate --test 2025:2025` listed "dead or missing 2025 25–27 80 16.5 253" and again
    "PREMAR: dead or missing 2025" with the same figures: the two are one count (s11 F5)."""
    result = _record(BLIND_2025)
    deaths = result["deaths_by_year"]["2025"]
    result["by_year"] = [
        {"year": 2025, "measure": "dead_french_zone_people", "unit": "people",
         "observed": [deaths["sources_low"], deaths["sources_high"]], "median": deaths["median"],
         "low90": deaths["low90"], "high90": deaths["high90"], "inside90": True},
    ]  # fmt: skip
    rows = _validation_csv(capsys, result)
    dead = [r for r in rows if r["Figure"] == "dead_french_zone_people"]
    assert len(dead) == 1 and dead[0]["Period"] == "2025"
    assert dead[0]["Observed"] == f"{deaths['sources_low']}–{deaths['sources_high']}"
    assert dead[0]["Median"] == "44"


def test_validate_runs_states_the_range_it_takes(run_cli: Any, tmp_path: Path) -> None:
    """`validate --runs 0` said "expected a whole number of at least 1", `--runs 1` then
    "expected at least 2 runs" (s11 F5)."""
    for runs in (0, 1):
        said = run_cli(
            "validate", "--posterior", tmp_path, "--data", tmp_path / "x.ods", "--test",
            "2025:2025", "--runs", runs,
        )  # fmt: skip
        assert said.exit_code == 2
        assert "--runs: expected a whole number of at least 2 and at most" in said.stderr


def test_a_validation_replaying_the_weather_is_headed_a_hindcast() -> None:
    """`validate --weather replay` was headed "Forecast from the posterior ..." and said
    "The model's monthly error ... is lower than every baseline's", though its runs knew the
    test period's crossing days (s11 T19)."""
    from channelsim.experiments.validate import validation_figure
    from channelsim.reports.headlines import HINDCAST, validation_headline, validation_kind

    result = _record(BLIND_2025)
    assert validation_kind(result) == "Forecast"
    result["weather"] = "replay"
    assert validation_kind(result) == HINDCAST
    said = validation_headline(result)
    assert said.startswith(f"{HINDCAST} from the posterior trained on 1 Jan 2022–31 Dec 2024")
    assert "Forecast" not in said
    if "lower than every baseline's" in said:
        assert "the baselines did not: not a comparison of forecasts" in said
    title = validation_figure(result).layout.title.text
    assert title == "channelsim hindcast with observed crossing days: test 1 Jan–28 Dec 2025"


def test_validate_dates_are_text_in_its_headline() -> None:
    """The headline said "trained on 2018-01-01:2025-12-31" (README: dates in text as
    "15 Jan 2026")."""
    from channelsim.reports.headlines import validation_headline

    said = validation_headline(_record(BLIND_2026))
    assert said.startswith("Forecast from the posterior trained on 1 Jan 2018–31 Dec 2025")


def test_forecast_csv_carries_its_credits_in_a_source_column(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`forecast --format csv` had no Source column (its credits went to stderr), though a
    forecast is the figure most likely to be pasted into an article (s11 F16)."""
    from channelsim.cli.forecast_cmd import _print
    from channelsim.cli.output import OutputFormat

    record = _record(REPO / "forecasts" / "2026-05-29-history-continued-v2.json")
    rows = _csv(capsys, lambda: _print(record, OutputFormat.csv))
    assert list(rows[0])[-1] == "Source"
    for row in rows:
        assert "Simulated with channelsim" in row["Source"]
        assert "Calibrated on" in row["Source"] and "Home Office" in row["Source"]
        assert "Open Government Licence v3.0" in row["Source"]


def test_calibrate_says_not_published_units_credit_and_too_few_particles(
    run_cli: Any, tmp_path: Path
) -> None:
    """`calibrate` over a period without prevention figures: its fit report and table showed
    "observed 0" for prevention and deaths (nothing published), "discrepancy ..." rows with
    no meaning, counts with decimals ("arrived_boats 33.96"), no warning for a 2-particle
    posterior, and its workbook's README sheet had no unit for any column and credited "the
    scenarios named" (s11 F6, T11)."""
    import openpyxl

    from spreadsheets import make_rows, write_publication

    daily, weekly = make_rows(dt.date(2024, 3, 4), 56, seed=2, prevention_from=None)
    data = write_publication(tmp_path / "pub.ods", daily, weekly)
    out = tmp_path / "post"
    said = run_cli(
        "calibrate", "--data", data, "--train", "2024-03-04:2024-04-28", "--budget", 8,
        "--generations", 2, "--executor", "serial", "--out", out, "--format", "csv",
    )  # fmt: skip
    assert said.exit_code == 0, said.stderr
    warned = " ".join(said.stderr.split())
    assert "warning: the posterior rests on" in warned and "too few to use" in warned
    rows = list(csv.DictReader(io.StringIO(said.stdout)))
    totals = {r["Figure"]: r for r in rows if r["Observed"]}
    assert totals["prevented_people"]["Observed"] == "not published"
    assert "not an official series" in totals["dead_or_missing_people"]["Observed by"]
    for row in totals.values():
        for column in ("Median", "Low (5%)", "High (95%)"):
            assert row[column].lstrip("-").isdigit(), (column, row)  # whole people and boats
    targets = [r for r in rows if r["Figure"].startswith("d_")]
    assert targets and all(r["Label"].startswith("Discrepancy of ") for r in targets)
    assert all(r["Unit"] == "dimensionless" for r in targets)
    assert all("Home Office" in r["Source"] and "Simulated with channelsim" in r["Source"]
               for r in rows)  # fmt: skip
    report = (out / "fit_report.md").read_text(encoding="utf-8")
    assert "| People stopped on the beach | not published |" in report
    assert "**Warning**: the posterior rests on" in report
    book = openpyxl.load_workbook(out / "tables.xlsx", read_only=True)
    readme = list(book["README"].iter_rows(values_only=True))
    assert "scenario history.toml" in str(readme[2][0]) and "Fitted to: Home Office" in str(
        readme[2][0]
    )
    described = {(r[0], r[1]): r for r in readme if r and r[0] in ("posterior", "trials")}
    numeric = [r for key, r in described.items() if key[1] not in (
        "particle", "generation", "index", "accepted", "source"
    )]  # fmt: skip
    assert numeric and all(r[3] for r in numeric), [r for r in numeric if not r[3]]
    assert all(r[4] for r in described.values())  # every column described
    fitted = json.loads((out / "fit_report.json").read_text(encoding="utf-8"))
    by_total = {t["total"]: t for t in fitted["totals"]}
    assert by_total["prevented_people"]["observed"] is None


def test_the_validation_plot_names_its_months_and_keeps_its_titles_short() -> None:
    """validation.html: the left panel's title was cut at the page's edge and ran into the
    right one's; the axis drew May 2026 as a whole month though the test ends on the 28th
    (s11 T3). The panels are now one above the other, with short titles, and the partial
    month's tick says so."""
    from channelsim.experiments.validate import calibration_figure

    fig = calibration_figure(_record(BLIND_2026))
    ticks = list(fig.layout.xaxis.ticktext)
    assert ticks[0] == "Jan 2026" and ticks[-1] == "May 2026<br>(to 28th)"
    assert fig.layout.xaxis.domain == fig.layout.xaxis2.domain  # stacked, not side by side
    titles = [a.text for a in fig.layout.annotations]
    assert titles and all(len(t) <= 45 for t in titles), titles


def test_an_output_folder_s_csv_files_open_in_excel_and_still_read_in_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CSV files of an output folder had no byte-order mark, so Excel (which takes a CSV
    without one for Windows-1252) showed "Sea temperature (Â°C)" and "(Â£)" (s11 F13). They
    now start with the UTF-8 mark; pandas, DuckDB and Python's csv module (utf-8-sig) read
    the same headings as before; stdout CSV, piped into programs, has no mark."""
    import datetime as dt
    from importlib import resources

    import duckdb
    import pandas as pd

    from channelsim.cli.output import OutputFormat, emit_rows
    from channelsim.engine import load_scenario, run_scenario

    path = resources.files("channelsim") / "scenarios" / "status-quo-2025.toml"
    scenario = load_scenario(path).with_changes(  # type: ignore[arg-type]
        start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 3)
    )
    folder = run_scenario(scenario, 3).write(tmp_path / "run")
    daily = folder / "daily.csv"
    raw = daily.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfDate,")
    headings = next(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert headings[0] == "\ufeffDate"  # the mark, which utf-8-sig strips
    with daily.open(encoding="utf-8-sig", newline="") as handle:
        headings = next(csv.reader(handle))
    assert headings[0] == "Date"
    assert any("£" in h for h in headings) and any("°C" in h for h in headings), headings
    assert list(pd.read_csv(daily).columns) == headings
    assert duckdb.sql(f"select * from read_csv('{daily}')").columns == headings
    capsys.readouterr()
    emit_rows([{"figure": "arrived_people", "median": 1.0}], OutputFormat.csv)
    assert capsys.readouterr().out.startswith("Figure,")


def _rows(**medians: float) -> list[dict[str, Any]]:
    return [
        {"figure": name, "median": v, "low": 0.5 * v, "high": 2 * v, "mean": v}
        for name, v in medians.items()
    ]


def _shipped(name: str) -> Any:
    from importlib import resources

    from channelsim.engine import load_scenario

    return load_scenario(str(resources.files("channelsim") / "scenarios" / f"{name}.toml"))


def test_premar_s_deaths_are_set_beside_the_model_s_french_zone_deaths() -> None:
    """The headline set PREMAR's French-zone count (25–27 in 2025) against the model's dead
    or missing on both sides of the median line: docs/model.md §3.10 says PREMAR's is
    dead_french_zone_people, one definition per source (s12 trial U1)."""
    from channelsim.cli.run_cmd import run_headline
    from channelsim.engine import all_results
    from channelsim.experiments.observed import ObservedFigures, sourced_deaths
    from channelsim.headline import with_compared

    year = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert set(sourced_deaths(*year)) == {"dead_french_zone_people"}
    lead = ["arrived_people", "dead_or_missing_people", "cost_gbp"]
    assert with_compared(lead, ["dead_french_zone_people"]) == [
        "arrived_people", "dead_or_missing_people", "dead_french_zone_people", "cost_gbp"
    ]  # fmt: skip
    observed = ObservedFigures(sourced=sourced_deaths(*year))
    rows = _rows(arrived_people=36000, dead_or_missing_people=14, dead_french_zone_people=13,
                 cost_gbp=6e6)  # fmt: skip
    said = " ".join(
        run_headline(_shipped("status-quo-2025"), rows, all_results(), 20, False, observed).split()
    )
    deaths = said.index("people dead or missing (90%")
    french = said.index("dead or missing, French zone")
    premar = said.index("in PREMAR's published counts")
    assert deaths < french < premar, said
    assert "both sides of the median line" in said[deaths:french]


def test_a_what_if_is_not_scored_against_the_record() -> None:
    """`run doctrine-territorial --runs 20` said "144 people dead or missing ... against 25–27
    in PREMAR's published counts ..., inside the interval" and "the model stops too many on
    the beach", for a policy that did not happen (s12 trial U13). Runs of the record's
    scenarios (and of variants that change only the period or seed) are still compared."""
    from channelsim.cli.run_cmd import run_headline, whole_period_observed
    from channelsim.engine import all_results
    from channelsim.experiments.observed import WHAT_IF, describes_the_record

    status_quo = _shipped("status-quo-2025")
    doctrine = _shipped("doctrine-territorial")
    assert describes_the_record(status_quo) and describes_the_record(_shipped("history"))
    assert describes_the_record(_shipped("history-continued"))
    assert describes_the_record(status_quo.with_changes(seed=7, end=dt.date(2025, 6, 30)))
    assert not describes_the_record(doctrine)
    assert not describes_the_record(_shipped("rwanda-removal"))
    assert whole_period_observed(doctrine) is None
    rows = _rows(arrived_people=33000, dead_or_missing_people=144, cost_gbp=2e7)
    said = " ".join(run_headline(doctrine, rows, all_results(), 20).split())
    assert said.endswith(WHAT_IF) and "observed" not in said and "PREMAR" not in said
    told = " ".join(run_headline(status_quo, rows, all_results(), 20).split())
    assert WHAT_IF not in told


def test_a_forecast_says_its_inflow_level_also_takes_up_early_2026_s_weather() -> None:
    """The forecast's base holds history's 2026 inflow level (0.585 of 2025's) to December,
    while January–April 2026's fall was mostly fewer crossing days: the inflow driver takes
    up each year's weather (s12 trial U6b). The days quoted are the official series'."""
    from channelsim.data import read_publication
    from channelsim.reports.headlines import (
        CROSSING_DAYS_JAN_APR,
        INFLOW_WEATHER_CAVEAT,
        forecast_caveats,
    )
    from conftest import OFFICIAL_DATA

    record = _record(REPO / "forecasts" / "2026-05-29-history-continued-v2.json")
    assert INFLOW_WEATHER_CAVEAT in forecast_caveats(record)
    blind = {**record, "posterior": {**record["posterior"], "train_to": "2025-12-31"}}
    assert INFLOW_WEATHER_CAVEAT not in forecast_caveats(blind)  # 2026 held at 2025's level
    may = OFFICIAL_DATA / "29_May_2026_Small_boats_-_time_series.ods"
    if not may.is_file():
        pytest.skip(f"official data not found at {OFFICIAL_DATA}")
    daily = read_publication(may).daily
    for year, days in CROSSING_DAYS_JAN_APR.items():
        dates = [d for d, people in zip(daily["date"], daily["people"], strict=True)
                 if d.year == year and d.month <= 4 and people > 0]  # fmt: skip
        assert len(dates) == days, (year, len(dates))
