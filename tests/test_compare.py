"""`channelsim compare`: paired differences with common random numbers."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from channelsim.engine import load_scenario
from channelsim.engine.policy import build_policies
from channelsim.experiments import Comparison, compare_scenarios
from channelsim.reports.inputs import load_folder
from channelsim.runstore import RunStore
from channelsim.scenario import Scenario
from conftest import CliResult

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
SUMMER = {"start": dt.date(2025, 6, 1), "end": dt.date(2025, 7, 30)}
DOCTRINES = ("doctrine-waterways", "doctrine-shallow-300m", "doctrine-territorial")

#: The headings of a comparison's statistics in its CSV: differences, not totals.
DIFFERENCE_HEADINGS = [
    "difference from base: median",
    "difference from base: low (5%)",
    "difference from base: high (95%)",
]


def _load(name: str) -> Scenario:
    return load_scenario(SCENARIOS / f"{name}.toml").with_changes(**SUMMER)


def _median(table: pd.DataFrame, scenario: str, figure: str) -> float:
    row = table[(table["scenario"] == scenario) & (table["figure"] == figure)]
    return float(row["median"].iloc[0])


@pytest.fixture(scope="module")
def doctrine_comparison() -> Comparison:
    return compare_scenarios(
        _load("status-quo-2025"),
        [_load(name) for name in (*DOCTRINES, "status-quo-2025")],
        runs=3,
        seed=11,
        executor="serial",
        progress=False,
    )


def test_every_doctrine_variant_cuts_arrivals_at_a_quantified_cost(
    doctrine_comparison: Comparison,
) -> None:
    table = doctrine_comparison.table
    for name in DOCTRINES:
        assert _median(table, name, "arrived_people") < 0, name
        assert _median(table, name, "intercepted_boats") > 0, name
        assert _median(table, name, "returned_at_sea_people") > 0, name
        assert _median(table, name, "cost_gbp") > 0, name
        assert _median(table, name, "cost_per_prevented_arrival_gbp") > 0, name
        for figure in ("dead_or_missing_people", "officer_injuries"):
            row = table[(table["scenario"] == name) & (table["figure"] == figure)]
            assert row["n"].iloc[0] == 3 and row["low"].iloc[0] <= row["high"].iloc[0]
    # Interventions at sea put people in the water: deaths do not fall.
    assert _median(table, "doctrine-territorial", "dead_or_missing_people") >= 0


def test_a_scenario_identical_to_the_base_differs_by_exactly_zero(
    doctrine_comparison: Comparison,
) -> None:
    comparison = doctrine_comparison
    pairs = comparison.pairs
    same = pairs[pairs["scenario"] == "status-quo-2025-2"]
    assert set(same["figure"]) == set(comparison.figures)
    assert (same["difference"] == 0).all()
    payload = comparison.to_json_dict()
    assert [s["name"] for s in payload["scenarios"]] == [*DOCTRINES, "status-quo-2025-2"]
    zero = payload["scenarios"][-1]["difference"]
    assert zero["arrived_people"] == {
        "median": 0.0,
        "low": 0.0,
        "high": 0.0,
        "mean": 0.0,
        "n": 3,
        "share_below_zero": 0.0,
    }
    assert zero["cost_per_prevented_arrival_gbp"]["median"] is None


def test_cost_per_arrival_prevented_only_for_a_fall_told_apart_from_chance() -> None:
    from channelsim.experiments.compare import _cost_per_prevented

    def ratio(fewer: list[float], extra: list[float]) -> float:
        wide = pd.DataFrame({"arrived_people": [-f for f in fewer], "cost_gbp": extra})
        return float(_cost_per_prevented("x", wide)["median"])

    assert ratio([100.0] * 20, [1e6] * 20) == 10_000.0
    # a fall of about one arrival, inside the noise: no price per arrival
    assert math.isnan(ratio([1.0] * 18 + [-3.0, 0.0], [1e6] * 20))
    # a saving that also prevents arrivals is not a price per arrival
    assert math.isnan(ratio([100.0] * 20, [-1e6] * 20))


def _short(tmp_path: Path, name: str) -> Path:
    """A copy of a shipped scenario over ten summer days."""
    text = (SCENARIOS / f"{name}.toml").read_text()
    text = text.replace("start = 2025-01-01\n", "start = 2025-06-01\n", 1)
    text = text.replace("end = 2025-12-31\n", "end = 2025-06-10\n", 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_cli_json_and_out(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    base = _short(tmp_path, "status-quo-2025")
    other = _short(tmp_path, "doctrine-territorial")
    out = tmp_path / "cmp"
    store = tmp_path / "runs.duckdb"
    result = run_cli(
        "compare", base, other, "--runs", 2, "--workers", 1, "--format", "json", "--out", out,
        "--runs-store", store,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["base"] == "status-quo-2025" and payload["runs"] == 2
    with RunStore(store) as runs:
        [run] = runs.list_runs()
    assert run["run_id"] == payload["run_id"] and run["kind"] == "compare"
    assert run["status"] == "done" and run["n_done"] == 4
    assert [s["name"] for s in payload["scenarios"]] == ["doctrine-territorial"]
    difference = payload["scenarios"][0]["difference"]
    for figure in ("arrived_people", "dead_or_missing_people", "officer_injuries", "cost_gbp"):
        assert set(difference[figure]) >= {"median", "low", "high"}
    # what the statistics are (differences) and each figure's unit
    assert "the scenario minus the base" in payload["statistics"]
    assert payload["figures"]["arrived_people"] == {
        "label": "People arrived in the UK",
        "unit": "people",
    }
    assert payload["figures"]["cost_gbp"]["unit"] == "£"
    assert sorted(p.name for p in out.iterdir()) == [
        ".channelsim-output.json",
        "boats.csv",
        "boats.parquet",
        "columns.json",
        "comparison.csv",
        "comparison.json",
        "comparison.parquet",
        "daily.csv",
        "daily.parquet",
        "pairs.csv",
        "pairs.parquet",
        "tables.xlsx",
        "tradeoffs.csv",
        "tradeoffs.parquet",
    ]
    # the report finds its comparison, its series (every member) and its map
    found = load_folder(out)
    assert found.comparison is not None and found.boats is not None and found.daily is not None
    assert set(found.daily["scenario"]) == {"status-quo-2025", "doctrine-territorial"}
    assert found.daily.groupby("scenario")["member"].nunique().tolist() == [2, 2]
    # the boat log holds every scenario's first replicate: its launches match that member's
    # day table, so the map shows each scenario's layers
    daily = pd.read_parquet(out / "daily.parquet")
    boats = pd.read_parquet(out / "boats.parquet")
    assert list(dict.fromkeys(boats["scenario"])) == ["status-quo-2025", "doctrine-territorial"]
    for name in ("status-quo-2025", "doctrine-territorial"):
        first = daily[(daily["scenario"] == name) & (daily["rep"] == 0)]
        launched = int(boats.loc[boats["scenario"] == name, "launched"].sum())
        assert launched == int(first["launched_boats"].sum()) > 0
    first = daily[(daily["scenario"] == "status-quo-2025") & (daily["rep"] == 0)]
    second = daily[(daily["scenario"] == "status-quo-2025") & (daily["rep"] == 1)]
    assert (
        not first["launched_boats"]
        .reset_index(drop=True)
        .equals(second["launched_boats"].reset_index(drop=True))
    )
    ranked = pd.read_parquet(out / "tradeoffs.parquet")
    assert ranked["scenario"].tolist() == ["doctrine-territorial"]
    assert ranked["rank"].tolist() == [1]
    table = pd.read_parquet(out / "comparison.parquet")
    assert {"arrived_people", "officer_injuries", "cost_gbp"} <= set(table["figure"])
    # the CSV beside it quotes a count's median and bounds as whole numbers (two runs: a
    # median of x.5 is common), the Parquet keeps them exact
    quoted = pd.read_csv(out / "comparison.csv", dtype=str).set_index("Figure")
    for figure in ("arrived_people", "dead_or_missing_people", "launched_boats"):
        for column in DIFFERENCE_HEADINGS:
            assert re.fullmatch(r"-?\d+", quoted.loc[figure, column]), (figure, column)
    assert json.loads((out / "comparison.json").read_text())["scenarios"][0]["name"] == (
        "doctrine-territorial"
    )


def test_cli_csv_names_each_figure_its_unit_and_source_and_quotes_counts_whole(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """The CSV a reader opens: label, unit and source beside each figure (as the table and
    the JSON have them), and the median and interval of a count as whole numbers (two runs:
    a median is a mean of two, often x.5, quoted rounded, halves away from zero)."""
    import csv
    import io

    base = _short(tmp_path, "status-quo-2025")
    other = _short(tmp_path, "doctrine-territorial")
    out = tmp_path / "cmp"
    result = run_cli(
        "compare", base, other, "--runs", 2, "--workers", 1, "--format", "csv", "--out", out,
        "--runs-store", tmp_path / "runs.duckdb",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # one table, one header set: the CSV printed is comparison.csv, byte for byte
    assert result.stdout == (out / "comparison.csv").read_text(encoding="utf-8-sig")
    # the statistics say they are differences from the base, not totals
    assert list(rows[0])[:5] == ["Scenario", "Figure", "Label", "Unit", DIFFERENCE_HEADINGS[0]]
    assert list(rows[0])[-1] == "Source"
    by = {row["Figure"]: row for row in rows}
    assert (by["arrived_people"]["Label"], by["arrived_people"]["Unit"]) == (
        "People arrived in the UK",
        "people",
    )
    assert by["cost_gbp"]["Unit"] == "£"
    assert re.fullmatch(r"-?\d+", by["cost_gbp"][DIFFERENCE_HEADINGS[0]])  # whole pounds
    assert all("Simulated with channelsim" in row["Source"] for row in rows)
    assert all("MIT licence" in row["Source"] for row in rows)
    assert "seed 2025" in rows[0]["Source"]
    for figure in ("arrived_people", "dead_or_missing_people", "launched_boats"):
        for key in DIFFERENCE_HEADINGS:
            assert re.fullmatch(r"-?\d+", by[figure][key]), (figure, key, by[figure][key])


def test_quantiles_of_counts_are_quoted_rounded_halves_away_from_zero() -> None:
    from channelsim.fields import describe
    from channelsim.formatting import format_value, quoted_rows, quoted_value, whole_number

    assert [whole_number(v) for v in (262.5, 20.5, -20.5, 0.4, -0.5)] == [263, 21, -21, 0, -1]
    people = describe("fewer_arrivals_people")
    assert quoted_value(262.5, people) == 263 and format_value(262.5, people) == "263"
    assert quoted_value(41472.0) == 41472 and isinstance(quoted_value(41472.0), int)
    ratio = describe("ratio")
    assert quoted_value(0.8712, ratio) == 0.87
    assert [format_value(v, ratio) for v in (0.8712, 1.0047)] == ["0.87", "1.00"]
    [row] = quoted_rows([{"figure": "fewer_arrivals_people", "median": 262.5, "low": -0.5}])
    assert row == {"figure": "fewer_arrivals_people", "label": "Fewer arrivals",
                   "unit": "people", "median": 263, "low": -1}  # fmt: skip


def test_cli_bad_input_is_one_line(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    base = _short(tmp_path, "status-quo-2025")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "bad"\nstart = 2025-06-01\nend = 2025-06-10\n'
        '[[policies]]\ntype = "one_in_one_out"\n[policies.params]\nweekly_cap_people = -5\n'
    )
    out = tmp_path / "cmp"
    result = run_cli(
        "compare", base, bad, "--runs", 1, "--out", out, "--runs-store", tmp_path / "r.duckdb"
    )
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "bad.toml: policy 1 (one_in_one_out), params.weekly_cap_people" in message
    assert len(message.splitlines()) == 1
    assert not out.exists() and not (tmp_path / "r.duckdb").exists()


def test_scenarios_over_different_periods_are_refused_in_one_line(
    run_cli: Callable[..., CliResult],
) -> None:
    """A counterfactual that runs longer than its base would count the extra months as the
    policy's effect: refused before any work, naming the file and both periods."""
    result = run_cli(
        "compare", SCENARIOS / "history.toml", SCENARIOS / "history-doctrine-at-sea.toml",
        "--runs", 2,
    )  # fmt: skip
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "history-doctrine-at-sea.toml" in result.stderr
    assert "2018-01-01 to 2026-05-28" in result.stderr and "2026-12-31" in result.stderr


def test_seizing_boats_that_change_no_arrival_says_why(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """Network disruption seizes boats and changes no arrival: the headline says boats are
    not what limits crossings in the model, as its assumption, naming the parameters by
    label with their source label (it read as "£20m for nothing")."""
    base = _short(tmp_path, "status-quo-2025")
    other = tmp_path / "disrupted.toml"
    text = base.read_text().replace('name = "status-quo-2025"', 'name = "disrupted"', 1)
    other.write_text(text + '\n[[policies]]\ntype = "network_disruption"\n')
    result = run_cli("compare", base, other, "--runs", 2, "--workers", 1)
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "no change in people arrived in the UK" in said
    # the networks' stock never runs short in this run (no launch changed), so the note
    # says so rather than telling a heavier-loading story its table does not show
    assert "In the model the networks never ran short of boats" in said
    assert "load each one more heavily" not in said
    assert "boat supply per day (boats/day) (networks.boat_supply_per_day, an assumption)" in said


def _difference(figure: str, median: float, low: float, high: float) -> dict[str, object]:
    return {"figure": figure, "median": median, "low": low, "high": high}


def test_the_boats_note_follows_the_launches_in_the_table() -> None:
    """Seizures that leave every launch in place are explained by an unused stock; only
    when fewer boats left is the heavier-loading story told; arrivals that fell get no
    note (the s11 trial: the story contradicted the run's own table)."""
    from channelsim.reports.headlines import boats_note

    seized = _difference("seized_boats", 1414.5, 1385.4, 1441.8)
    same = [seized, _difference("arrived_people", 0, 0, 27.5)]
    unused = boats_note([*same, _difference("launched_boats", 0, 0, 0.55)])
    assert unused is not None and "never ran short" in unused
    assert "more heavily" not in unused and "networks.boat_supply_per_day" in unused
    fewer = boats_note([*same, _difference("launched_boats", -40, -55, -22)])
    assert fewer is not None and "load each one more heavily" in fewer
    assert "networks.scarcity_occupancy_elasticity" in fewer
    fell = [seized, _difference("arrived_people", -300, -500, -100)]
    assert boats_note([*fell, _difference("launched_boats", -5, -9, -1)]) is None
    assert boats_note([_difference("seized_boats", 0, 0, 0), same[1]]) is None


def test_taking_one_in_one_out_away_says_what_it_returned() -> None:
    """Unticking one in, one out on the 2025 status quo read "no change in arrivals, £4.2m
    less" and said nothing of the 210 people it had returned from the UK: the headline names
    the removals a scenario changes (and a doctrine, which removes no one, adds no such line)."""
    from channelsim.reports.headlines import comparison_headline

    autumn = {"start": dt.date(2025, 9, 1), "end": dt.date(2025, 10, 31)}
    base = load_scenario(SCENARIOS / "status-quo-2025.toml").with_changes(**autumn)
    kept = [spec for spec in base.policies if spec.type != "one_in_one_out"]
    without = base.with_changes(name="without", policies=kept)
    doctrine = load_scenario(SCENARIOS / "doctrine-territorial.toml").with_changes(**autumn)
    comparison = compare_scenarios(
        base, [without, doctrine], runs=2, seed=3, executor="serial", progress=False
    )
    returned = -_median(comparison.table, "without", "returned_from_uk_people")
    assert returned > 50
    without_text, doctrine_text = comparison_headline(comparison).split("\n\n")
    assert f"Removals: {returned:.0f} fewer people returned from the UK" in without_text
    assert "fewer people admitted by a legal route" in without_text
    assert "Removals:" not in doctrine_text


def test_a_cost_per_fewer_arrival_without_a_value_says_why() -> None:
    """Its row had empty cells and Runs = 1 (the one pair where arrivals fell) with no word of
    why: it now summarises no run and says why, in the table, the CSV and the terminal."""
    base = load_scenario(SCENARIOS / "status-quo-2025.toml").with_changes(**SUMMER)
    kept = [spec for spec in base.policies if spec.type != "one_in_one_out"]
    comparison = compare_scenarios(
        base, [base.with_changes(name="without", policies=kept)], runs=3, seed=3,
        executor="serial", progress=False,
    )  # fmt: skip
    row = comparison.table[comparison.table["figure"] == "cost_per_prevented_arrival_gbp"]
    [record] = row.to_dict(orient="records")
    assert math.isnan(record["median"]) and record["n"] == 0
    assert "the policy costs no more than the base" in record["why_no_value"]
    assert "Why no value" in comparison.csv_text().splitlines()[0]


def test_the_boat_log_of_a_comparison_names_its_scenario_first() -> None:
    """boats.csv of `compare --out` had its Scenario column last, after 23 columns of each
    boat; every other export names the scenario first."""
    base = _load("status-quo-2025").with_changes(end=dt.date(2025, 6, 10))
    comparison = compare_scenarios(
        base, [base.with_changes(name="again")], runs=1, seed=3, executor="serial",
        progress=False, boat_log=True,
    )  # fmt: skip
    assert comparison.boats is not None
    assert list(comparison.boats.columns)[:2] == ["scenario", "boat_id"]
    assert list(dict.fromkeys(comparison.boats["scenario"])) == ["status-quo-2025", "again"]


#: The 2025 policy scenarios that replace the status quo's one in, one out with a bigger one.
RETURNS_SCENARIOS = ("one-in-one-out-50", "one-in-one-out-scaled", "combined-gangs-returns")


@pytest.mark.parametrize("name", RETURNS_SCENARIOS)
def test_a_bigger_returns_policy_draws_the_base_policys_numbers(name: str) -> None:
    """The scaled-up one in, one out read "46 more arrivals" against the status quo: its
    policy, written without a name, drew from the streams of "one_in_one_out#0", not the
    base's "one_in_one_out", so the same people returned on the same day drew other numbers
    (to be eligible, to cross again), and its retry probability was the default 2/94, not the
    base's 0.0213. The replacement is the base's policy (name, so streams, and every option
    but the weekly cap)."""
    from channelsim.engine.policy import build_policies, name_policies

    def returns_policy(scenario: Scenario) -> tuple[str, dict[str, object]]:
        policies = build_policies(scenario.policies, scenario.policy_location)
        [(name_, policy)] = [
            (n, p) for p, n in zip(policies, name_policies(policies), strict=True)
            if p.type_name == "one_in_one_out"
        ]  # fmt: skip
        return name_, policy.model_dump()

    base_name, base_options = returns_policy(_load("status-quo-2025"))
    name_, options = returns_policy(_load(name))
    assert name_ == base_name
    caps = ("weekly_cap_people", "cap_ramp_people_per_week", "max_weekly_cap_people")
    assert {k: v for k, v in options.items() if k not in caps} == {
        k: v for k, v in base_options.items() if k not in caps
    }


@pytest.mark.parametrize("name", RETURNS_SCENARIOS)
def test_a_returns_scenario_returns_more_than_the_base_and_says_against_what(name: str) -> None:
    """The status quo already returns about 14 people a week: each returns scenario's
    description says its comparison measures more returns against those 14, and its policy
    does return more (combined-gangs-returns, "at 50 a week", had set no cap since the
    default became 14 and returned as many as the base)."""

    def returns_policy(scenario: Scenario) -> Any:
        [policy] = [p for p in build_policies(scenario.policies)
                    if p.type_name == "one_in_one_out"]  # fmt: skip
        return policy

    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    base = returns_policy(load_scenario(SCENARIOS / "status-quo-2025.toml"))
    mine = returns_policy(scenario)
    assert base.weekly_cap(0) == 14
    assert mine.weekly_cap(0) >= 50 and mine.weekly_cap(10) > base.weekly_cap(10)
    assert "instead of the 14 a week returned in 2025" in scenario.description


def test_the_reports_headline_of_a_bigger_returns_policy_says_what_it_returned(
    tmp_path: Path,
) -> None:
    """The report of `compare --out` headlined the scaled-up one in, one out with its
    arrivals, deaths and cost and not a word of the thousands it returned (the terminal's
    headline said them): both now say the removals."""
    from channelsim.reports.headlines import comparison_headline, comparison_headlines

    autumn = {"start": dt.date(2025, 9, 1), "end": dt.date(2025, 11, 30)}
    base = load_scenario(SCENARIOS / "status-quo-2025.toml").with_changes(**autumn)
    scaled = load_scenario(SCENARIOS / "one-in-one-out-scaled.toml").with_changes(**autumn)
    comparison = compare_scenarios(
        base, [scaled], runs=2, seed=3, executor="serial", progress=False
    )
    comparison.write(tmp_path / "out")
    [report_text] = comparison_headlines(load_folder(tmp_path / "out"))
    assert re.search(r"Removals: (about )?[\d,]+ more people returned from the UK", report_text)
    assert report_text == comparison_headline(comparison)


def test_more_arrivals_with_more_returns_say_why() -> None:
    """ "About 46 more people arrived" with more returns, and no word of why: in the model a
    share of those returned cross again (the retry probability, an assumption) and the
    returns deter no one; the headline says so, with the numbers."""
    from channelsim.reports.headlines import retry_note

    rows = [
        {"figure": "arrived_people", "median": 46.0, "low": 0.0, "high": 130.0},
        {"figure": "returned_people", "median": 4903.0, "low": 4138.0, "high": 5641.0},
    ]
    stated = [
        {"input": "policy.one_in_one_out.retry_probability", "stated": 0.0213},
        {"input": "policy.one_in_one_out.deterrence_elasticity", "stated": 0.0},
    ]
    text = retry_note(rows, stated)
    assert text is not None
    assert "2.13% of the people returned from the UK go back to the French coast" in text
    assert "about 104 of the 4,900 more returned" in text and "deter no one" in text
    fewer = [{**rows[0], "median": -46.0}, rows[1]]
    assert retry_note(fewer, stated) is None  # fewer arrivals: nothing to explain
    assert retry_note(rows, stated[1:]) is None  # no retry probability stated


def test_the_ranking_says_more_arrivals_not_negative_fewer() -> None:
    """The ranking of `compare` printed "Fewer arrivals: -46" for a scenario with 46 more."""
    from channelsim.engine import all_results
    from channelsim.experiments.compare import tradeoff_table, tradeoff_words

    figures = {"more": (46.0, 9.8e7), "fewer": (-1600.0, 1.75e7)}
    table = pd.DataFrame(
        [
            {"scenario": s, "figure": f, "median": m, "low": m - 10, "high": m + 10}
            for s, (arrived, cost) in figures.items()
            for f, m in (
                ("arrived_people", arrived),
                ("dead_or_missing_people", 0),
                ("cost_gbp", cost),
            )
        ]
    )
    rows = tradeoff_words(tradeoff_table(table), all_results().describe)
    assert [r["scenario"] for r in rows] == ["fewer", "more"]
    assert [r["arrivals_words"] for r in rows] == ["1,600 fewer", "46 more"]
    assert rows[1]["extra_cost_words"] == "£98m more" and rows[1]["deaths_words"] == "no change"


def test_compare_from_and_to_shorten_every_scenario(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """`compare` had no --from/--to ("No such option"); they shorten every scenario's
    period with run's meaning and checks, each error naming the file it is about."""
    base, other = SCENARIOS / "status-quo-2025.toml", SCENARIOS / "doctrine-territorial.toml"
    store = tmp_path / "runs.duckdb"
    result = run_cli(
        "compare", base, other, "--runs", 1, "--from", "2025-06-01", "--to", "2025-06-05",
        "--format", "json", "--runs-store", store,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["start"], payload["end"]) == ("2025-06-01", "2025-06-05")
    bad = {
        ("--from", "2024-12-01"): "--from: expected a date on or after status-quo-2025.toml's "
        "start 2025-01-01, got 2024-12-01",
        ("--to", "2026-01-01"): "--to: expected a date on or before status-quo-2025.toml's end "
        "2025-12-31, got 2026-01-01",
        ("--from", "2025-13-01"): "--from: expected a date YYYY-MM-DD, got '2025-13-01'",
    }
    for (option, value), expected in bad.items():
        result = run_cli("compare", base, other, "--runs", 1, option, value,
                         "--runs-store", store)  # fmt: skip
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {expected}"), result.stderr
        assert result.stderr.count("\n") == 1


def test_patrols_past_the_point_where_more_money_prevents_fewer_say_so(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """s13 re-trial: £1bn of beach patrols prevented 912 arrivals, £5bn 451 and unlimited
    officers 187, with no word of why. A comparison's answer (its headline, its JSON) and a
    run's headline say where the money lies past the point the model's zone choice turns
    the effect round; a comparison within it (beach-funding-plus) says nothing of it."""
    from channelsim.reports.headlines import comparison_headline

    base = _load("status-quo-2025")
    lavish = _load("beach-funding-plus").with_changes(name="lavish")
    lavish = lavish.with_changes(
        policies=[
            spec.model_copy(update={"params": {"funding_gbp_per_year": 5e9}})
            if spec.type == "beach_patrols"
            else spec
            for spec in lavish.policies
        ]
    )
    comparison = compare_scenarios(
        base,
        [_load("beach-funding-plus"), lavish],
        runs=2,
        seed=3,
        executor="serial",
        progress=False,
    )
    assert comparison.limits.keys() == {"lavish"}
    said = comparison.rests_on_text("lavish")
    assert said is not None and "more money prevents fewer arrivals, not more" in said
    assert "buys up to 15,385" in said
    assert "more money prevents" not in (comparison.rests_on_text("beach-funding-plus") or "")
    assert "more money prevents fewer arrivals" in comparison_headline(comparison)
    written = comparison.to_json_dict()["scenarios"][1]["rests_on"]["text"]
    assert "more money prevents fewer arrivals" in written
    path = tmp_path / "lavish.toml"
    path.write_text(
        'base = "' + str(SCENARIOS / "status-quo-2025.toml") + '"\nname = "lavish"\n'
        '[[policies]]\ntype = "beach_patrols"\n[policies.params]\nfunding_gbp_per_year = 5e9\n'
    )
    result = run_cli("run", str(path), "--to", "2025-01-31")
    assert result.exit_code == 0
    assert "more money prevents fewer arrivals, not more" in " ".join(result.stdout.split())


def test_compare_by_year_gives_each_year_of_the_same_paired_runs(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """s14 F6: over several years compare gave whole-period figures only. --by year adds
    each year's paired differences; a year's are those of the plain comparison of that year,
    bit for bit (the runs are paired and every draw is keyed by absolute day: the doctrine
    at sea from 25 Nov 2025 against history continued, from October 2025)."""
    base, other = SCENARIOS / "history-continued.toml", SCENARIOS / "history-doctrine-at-sea.toml"

    def compare(*extra: object) -> dict[str, Any]:
        result = run_cli(
            "compare", base, other, "--runs", 2, "--from", "2025-10-01", *extra,
            "--format", "json", "--runs-store", tmp_path / "runs.duckdb",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        return dict(json.loads(result.stdout))

    two_years = compare("--by", "year", "--out", tmp_path / "out")
    one_year = compare("--to", "2025-12-31", "--by", "year")
    plain = one_year["scenarios"][0]["difference"]  # the whole period's, as without --by
    assert [(y["year"], y["name"]) for y in two_years["by_year"]] == [
        (2025, "history-doctrine-at-sea"),
        (2026, "history-doctrine-at-sea"),
    ]
    [alone] = one_year["by_year"]
    assert alone["difference"] == plain and len(plain) > 20
    assert two_years["by_year"][0]["difference"] == plain
    written = pd.read_parquet(tmp_path / "out" / "comparison_by_year.parquet")
    arrived = written[written["figure"] == "arrived_people"].set_index("year")["median"]
    assert arrived.to_dict() == {
        y["year"]: y["difference"]["arrived_people"]["median"] for y in two_years["by_year"]
    }
    assert (tmp_path / "out" / "comparison_by_year.csv").is_file()
    later = two_years["by_year"][1]["difference"]["arrived_people"]
    assert later["median"] < 0 and later != alone["difference"]["arrived_people"]
    csv = run_cli(
        "compare", base, other, "--runs", 2, "--from", "2025-10-01", "--to", "2025-12-31",
        "--by", "year", "--format", "csv", "--runs-store", tmp_path / "runs.duckdb",
    )  # fmt: skip
    assert csv.exit_code == 0, csv.stderr
    header, first = csv.stdout.splitlines()[:2]
    assert header.startswith("Year,Scenario,Figure") and first.startswith("2025,")
