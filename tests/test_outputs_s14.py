"""Session 14: what a reporter lifts from the outputs — costs named (an unpriced driver's
cost "not priced", never "no change"; the assumed unit costs a compared cost rests on),
charts captioned, exports with their caveats, titles in words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _said(text: str) -> str:
    return " ".join(text.split())


def test_officers_history_adds_read_not_priced_never_no_change(
    run_cli: Any, officers: Path, tmp_path: Path
) -> None:
    """s13 U5: 500 more officers through history's unpriced `beach_officers` read "no change
    in extra cost of policies" beside a funded option's £127m, as if free. The headline, the
    ranking, the "no value" note, comparison.json and the report say the cost is not priced."""
    out = tmp_path / "cmp"
    result = run_cli(
        "compare", "status-quo-2025", officers, "one-in-one-out-50", "--runs", "2",
        "--from", "2025-10-01", "--to", "2025-10-31", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    said = _said(result.stdout)
    first = said.split("one-in-one-out-50 (")[0]
    assert (
        "extra cost of policies: not priced (the model puts no cost on officers on the "
        "beaches, which this scenario changes)" in first
    )
    assert "no change in extra cost" not in first
    assert "what the scenario changes is not priced in the model" in said
    ranking = said.split("scenarios ranked by fewer arrivals")[1]
    assert "not priced" in ranking
    entry = json.loads((out / "comparison.json").read_text())["scenarios"][0]
    assert entry["cost_not_priced"]["policies"] == ["beach_officers", "more_officers"]
    report = run_cli("report", out, "-o", tmp_path / "cmp.html")
    assert report.exit_code == 0, report.stderr
    page = _said((tmp_path / "cmp.html").read_text(encoding="utf-8"))
    assert "extra cost of policies: not priced (the model puts no cost on officers" in page
    assert '<td class="text">not priced</td>' in page


def test_a_priced_scenario_and_an_unchanged_driver_read_as_before() -> None:
    """The "not priced" words are for a changed driver only: the funded beach patrols (their
    payments priced) change no driver; history against itself changes nothing."""
    from channelsim.engine import load_scenario
    from channelsim.experiments.uncertainty import unpriced_changes

    base = load_scenario(SCENARIOS / "status-quo-2025.toml")
    funded = load_scenario(SCENARIOS / "beach-funding-plus.toml")
    assert unpriced_changes(funded, base)["text"] is None
    assert unpriced_changes(base, base)["text"] is None


def test_the_headline_says_a_priced_cost_leaves_the_unpriced_out() -> None:
    """A scenario that both pays for something and moves a driver: its cost is given, with
    what it leaves out."""
    import datetime as dt

    from channelsim.engine import all_results
    from channelsim.headline import Estimate, Subject, headline

    cost = Estimate(all_results().describe("cost_gbp"), 1.27e8, 1.2e8, 1.3e8)
    zero = Estimate(all_results().describe("cost_gbp"), 0.0, 0.0, 0.0)
    subject = Subject("x", dt.date(2025, 1, 1), dt.date(2025, 12, 31), 20, against="base",
                      unpriced="the model puts no cost on officers on the beaches, which this "
                      "scenario changes")  # fmt: skip
    assert "£127m more" in headline(subject, [cost])
    assert "leaving out what is not priced (the model puts no cost" in headline(subject, [cost])
    assert "extra cost of policies: not priced (" in headline(subject, [zero])
    plain = Subject("x", dt.date(2025, 1, 1), dt.date(2025, 12, 31), 20, against="base")
    assert "no change in extra cost of policies" in headline(plain, [zero])


def test_compare_and_its_report_name_the_assumed_unit_costs(run_cli: Any, tmp_path: Path) -> None:
    """s13 U11: `run` named the £20,000 a return its cost rests on; `compare`'s "£10.8m more"
    and the report's did not. Both now say it with the one sentence `run` uses, where a cost
    is given (not beside "no change")."""
    from channelsim.engine import load_scenario
    from channelsim.experiments.uncertainty import (
        changed_cost_assumptions_text,
        cost_assumptions_text,
    )

    scenario = load_scenario(SCENARIOS / "one-in-one-out-50.toml")
    base = load_scenario(SCENARIOS / "status-quo-2025.toml")
    sentence = changed_cost_assumptions_text(scenario, base)
    assert sentence == cost_assumptions_text(scenario)  # one policy changed: run's words
    assert sentence is not None and "cost per removal (one in one out) £20,000" in sentence
    funded = load_scenario(SCENARIOS / "beach-funding-plus.toml")
    assert changed_cost_assumptions_text(funded, base) is None  # the base's £20,000: unchanged
    out = tmp_path / "cmp"
    result = run_cli(
        "compare", "status-quo-2025", "one-in-one-out-50", "--runs", "2",
        "--from", "2025-10-01", "--to", "2025-10-31", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert sentence in _said(result.stdout)
    assert run_cli("report", out, "-o", tmp_path / "cmp.html").exit_code == 0
    assert sentence in _said((tmp_path / "cmp.html").read_text(encoding="utf-8"))
    # before the first return (18 Sep 2025) nothing is spent: no cost, no sentence
    early = run_cli(
        "compare", "status-quo-2025", "one-in-one-out-50", "--runs", "2",
        "--from", "2025-06-01", "--to", "2025-06-30",
    )  # fmt: skip
    assert "rests on unit costs" not in _said(early.stdout)


def test_a_run_s_report_names_the_unit_costs_as_run_does(run_cli: Any, tmp_path: Path) -> None:
    """The report of a run folder gives its extra cost with the unit costs it rests on, the
    sentence `run` prints."""
    out = tmp_path / "run"
    result = run_cli("run", "status-quo-2025", "--from", "2025-10-01", "--to", "2025-10-31",
                     "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    sentence = (
        "The extra cost rests on unit costs that no source gives: cost per removal "
        "(one in one out) £20,000 (assumed to lie in £5,000–£50,000)."
    )
    assert sentence in _said(result.stdout)
    assert run_cli("report", out, "-o", tmp_path / "run.html").exit_code == 0
    assert sentence in _said((tmp_path / "run.html").read_text(encoding="utf-8"))


def _title(fig: Any) -> str:
    """A chart's title and caption (what a chart saved alone carries above its plot)."""
    return f"{fig.layout.title.text} | {fig.layout.title.subtitle.text}".replace("<br>", " ")


def test_every_chart_of_a_comparison_report_can_be_captioned_alone(
    run_cli: Any, officers: Path, tmp_path: Path
) -> None:
    """s13 U16: the saved charts named neither the year nor the runs, nor what a bar and a
    whisker were; the titles named the base by its code name (U13). Every chart of the
    report now says its period, its paired runs and what its marks are, the base in words."""
    from channelsim.reports import build_report

    out = tmp_path / "cmp"
    result = run_cli(
        "compare", "status-quo-2025", officers, "beach-funding-plus", "--runs", "3",
        "--from", "2025-10-01", "--to", "2025-10-31", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = build_report(str(out), tmp_path / "cmp.html")
    titles = [_title(f) for f in summary.figures]
    assert len(titles) == 4, titles
    assert all("Simulated in October 2025" in t for t in titles), titles
    series, tradeoff, key, strait = titles
    assert "3 runs per scenario: lines are medians" in series and "90% intervals" in series
    for chart in (tradeoff, key):
        assert "3 paired runs" in chart and "are medians, whiskers 90% intervals" in chart
        assert "against 2025 as it happened" in chart and "status-quo-2025" not in chart
    assert "run " in strait and "of 3 paired runs of each scenario" in strait
    assert "see the text" not in strait
    page = (tmp_path / "cmp.html").read_text(encoding="utf-8")
    assert (
        "<h1>2 scenarios against 2025 as it happened: simulated small-boat crossings</h1>" in page
    )
    # the chart's key says the unpriced option's cost is not priced, not £0
    key_text = " ".join(a.text for a in summary.figures[1].layout.annotations)
    assert "officers-plus-500 not priced" in key_text and "£0" not in key_text


def test_a_chart_caption_says_period_runs_and_marks() -> None:
    import datetime as dt

    from channelsim.reports.credits import BARS, chart_caption

    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert chart_caption(*year, 40, BARS, paired=True) == (
        "Simulated in 2025, 40 paired runs: bars are medians, whiskers 90% intervals (5th to "
        "95th percentile)."
    )
    assert chart_caption(*year, 1, BARS) == "Simulated in 2025, one run (no interval)."
    assert chart_caption(*year, 20, BARS, several=False).startswith("Simulated in 2025, 20 runs:")
    assert chart_caption(None, None, 5, BARS).startswith("Simulated, 5 runs per scenario")


def test_more_than_eight_scenarios_never_share_a_colour() -> None:
    """s13 U16: the palette wrapped at the 8th series: a comparison's base and its 8th
    scenario were both blue in the chart and its legend."""
    import pandas as pd

    from channelsim.reports.figures import COLOURS, series_colours, series_figure

    assert series_colours(3) == list(COLOURS[:3])
    for n in (8, 9, 17, 30):
        colours = series_colours(n)
        assert len(colours) == n and len(set(colours)) == n
    months = pd.date_range("2025-01-01", periods=2, freq="MS")
    rows = [
        {"scenario": f"s{k}", "month": m, "n": 1, "arrived_people_median": 1.0,
         "arrived_boats_median": 1.0}
        for k in range(9) for m in months
    ]  # fmt: skip
    fig = series_figure(pd.DataFrame(rows), None)
    lines = {t.name: t.line.color for t in fig.data if t.showlegend}
    assert len(lines) == 9 and len(set(lines.values())) == 9


def test_a_scenario_s_title_is_its_description_s_first_clause() -> None:
    from channelsim.engine import load_scenario
    from channelsim.headline import scenario_title

    def title(name: str) -> str:
        scenario = load_scenario(SCENARIOS / f"{name}.toml")
        return scenario_title(scenario.name, scenario.description)

    assert title("status-quo-2025") == "2025 as it happened"
    assert title("rwanda-removal") == "Rwanda-style removal to a third country from 1 Jan 2025"
    assert scenario_title("mine", "") == "mine"


def test_the_forecast_csv_carries_the_headline_s_track_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """s13 U9: the forecast's CSV gave its credits but not "the intervals do not include the
    model's error (+33% in its one blind test)", the caveat its headline ends with. Every
    row's Note now carries the headline's caveats, from the one function the headline uses
    (the record's own track record: another record's figures give another sentence)."""
    import csv
    import io

    from channelsim.cli.forecast_cmd import _print
    from channelsim.cli.output import OutputFormat
    from channelsim.reports.headlines import FORECAST_TRACK_RECORD, track_record_text

    path = SCENARIOS.parent / "forecasts" / "2026-05-29-history-continued-v2.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    capsys.readouterr()
    _print(record, OutputFormat.csv)
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    track = record.get("track_record") or FORECAST_TRACK_RECORD  # as the headline takes it
    said = track_record_text(track).replace("the intervals above", "the intervals")
    assert "33% too high" in said and "do not include that error" in said
    assert rows and all(said in row["Note"] for row in rows)
    assert list(rows[0])[-2:] == ["Note", "Source"]
    other = {**record, "track_record": {**track, "people_forecast": 9000}}
    capsys.readouterr()
    _print(other, OutputFormat.csv)
    assert "3% too high" in capsys.readouterr().out  # from the record, not a copy


@pytest.mark.parametrize(
    ("metric", "unit"),
    [("prevented_share", "share"), ("prevented_share", "attempts"), ("prevented_people", "share")],
)
def test_a_share_given_as_a_fraction_is_read_as_one(metric: str, unit: str) -> None:
    """s13 re-trial: "prevented_share 0.287" (or "0.287 of attempts") was read as 0.287% and
    "not supported" against 27.9%. A figure from 0 to 1 about a share, not written in per
    cent, is the fraction a reporter means: judged as 28.7%, and the reason says so."""
    from channelsim.claims import Verdict, evaluate
    from test_claims import ED, claim

    period = {"kind": "since", "start": "2024-05-05", "as_of": "2024-12-31"}
    share = evaluate(claim(metric="prevented_share", unit="percent", period=period,
                           comparison="at_least", figure=0), ED).value  # fmt: skip
    fraction = round(share / 100, 3)
    said = claim(metric=metric, unit=unit, period=period, comparison="about",
                 figure=fraction, tolerance=0.01)  # fmt: skip
    result = evaluate(said, ED)
    assert result.verdict is Verdict.supported, result.reason
    assert f"the figure {fraction:g} read as a fraction: {fraction * 100:g}%" in result.reason
    # in per cent it is taken as written: 0.3 percent is 0.3%, not supported
    written = evaluate(claim(metric=metric, unit="percent", period=period, comparison="about",
                             figure=fraction, tolerance=0.01), ED)  # fmt: skip
    assert written.verdict is Verdict.not_supported and "read as a fraction" not in written.reason
    # a tolerance of 1 or more is in percentage points, not a fraction (the s14 re-trial: 0.9
    # with tolerance 1 was judged "supported" against 27.9%, within 100 points)
    far = evaluate(claim(metric=metric, unit=unit, period=period, comparison="about",
                         figure=0.9, tolerance=1), ED)  # fmt: skip
    assert far.verdict is Verdict.not_supported, far.reason
    near = evaluate(claim(metric=metric, unit=unit, period=period, comparison="about",
                          figure=fraction, tolerance=1), ED)  # fmt: skip
    assert near.verdict is Verdict.supported, near.reason


@pytest.mark.parametrize("values", [[], [None, None]])
def test_a_comparison_with_an_empty_or_missing_identifier_column_is_written(
    tmp_path: Path, values: list[Any]
) -> None:
    """`Comparison.write` raised "boolean value of NA is ambiguous" in the workbook's check
    of identifier columns (a seed a spreadsheet would round) when a nullable integer column
    was empty or all missing: the largest of none is no identifier to write as text."""
    import numpy as np
    import pandas as pd

    from channelsim.engine import all_results
    from channelsim.experiments.compare import Comparison, _summary

    rep = pd.array(values, dtype="Int64")
    pairs = pd.DataFrame({"scenario": pd.Series(["x"] * len(values), dtype=str), "rep": rep,
                          "figure": "arrived_people", "value": 1.0, "base_value": 1.0,
                          "difference": 0.0})  # fmt: skip
    table = pd.DataFrame([_summary("x", "arrived_people", np.zeros(1))])
    comparison = Comparison(
        "base", 1, 1, ["x"], {}, pairs, table, pd.DataFrame(), results=all_results()
    )
    folder = comparison.write(tmp_path / "cmp")
    assert (folder / "tables.xlsx").is_file() and (folder / "pairs.csv").is_file()


def test_the_data_report_writes_its_dates_unpadded() -> None:
    """s13 U13: the `data report` page wrote "05 May 2024" and "2026 to 05 May" beside "5
    May 2024" elsewhere; its axis of days ticked "05 May"."""
    from channelsim.data.report import data_report_sections
    from test_claims import ED

    daily = ED.daily[ED.daily["date"] <= "2024-12-05"]
    weekly = ED.weekly[ED.weekly["week_ending"] <= "2024-12-01"]
    sections = data_report_sections(daily, weekly, "credit")
    text = " ".join(p for s in sections for p in s.paragraphs)
    assert "2024 to 5 Dec." in text and "5 Dec 2024" in text
    assert "Published from the week ending 5 May 2024" in text
    assert " 0" not in text.replace(" 0.", "")  # no zero-padded day
    days = [f for s in sections for f in s.figures if f.layout.xaxis.tickformat]
    assert days and all(f.layout.xaxis.tickformat == "%-d %b" for f in days)


def test_validate_says_coverage_against_its_nominal_level() -> None:
    """s14 trial F23: "9 of 12 months inside the 90% interval" did not say that is short."""
    from channelsim.reports.headlines import coverage_text

    assert coverage_text(9, 12) == (
        "9 of 12 months inside the 90% interval (75%, below the nominal 90%: 10.8 of 12 "
        "expected; the intervals look too narrow)"
    )
    assert coverage_text(11, 12).endswith("(92%, at or above the nominal 90%)")


def test_a_forecast_of_past_days_names_only_its_own_days_as_a_hindcast() -> None:
    """s14 breaker B10: a forecast from 1 Jun to 31 Dec 2025 on a posterior trained to 28 May
    2026 said its days "from 1 June 2025 to 28 May 2026" were a hindcast."""
    from channelsim.reports.headlines import forecast_caveats

    record = {"from": "2025-06-01", "to": "2025-12-31", "runs": 500,
              "posterior": {"train_to": "2026-05-28"}}  # fmt: skip
    said = forecast_caveats(record)[0]
    assert said.startswith("All its days from 1 June to 31 December 2025 lie inside"), said
    later = forecast_caveats({**record, "from": "2026-05-01", "to": "2026-12-31"})[0]
    assert later.startswith("Its days from 1 May to 28 May 2026 lie inside"), later
