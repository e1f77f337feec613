"""Terminal tables fit 80 columns without splitting a number, and numbers read as numbers."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from channelsim.cli.tables import terminal_tables
from channelsim.formatting import format_cell
from spreadsheets import make_rows, write_publication

REPO_ROOT = Path(__file__).resolve().parent.parent
CHANNELSIM = Path(sys.executable).parent / "channelsim"
NUMBER = re.compile(r"-?£?\d[\d,]*(?:\.\d+)?")


@pytest.mark.parametrize(
    "value, column, figure, text",
    [
        (41508.0, "median", "arrived_people", "41,508"),
        (41508.4, "median", "arrived_people", "41,508"),  # a count's median: a whole number
        (5.9, "median", "people_per_boat", "5.9"),
        (0.0, "low", "dead_or_missing_people", "0"),
        (6.953, "people_per_boat", None, "7.0"),  # one decimal, as the official series
        (17_520_000.0, "cost_gbp", None, "£17.5m"),  # money as everywhere: 3 significant
        (1234.5, "median", "cost_gbp", "£1,230"),
        (121_177_002.0, "median", "cost_gbp", "£121m"),
        (1.2e9, "median", "cost_gbp", "£1.2bn"),
        (134_828.0, "median", "cost_gbp", "£135,000"),
        (12.5, "median", "cost_gbp", "£12.50"),
        (-15_744_000.0, "median", "cost_gbp", "-£15.7m"),
        (-400.0, "median", "arrived_people", "-400"),
        (2025, "seed", None, "2025"),
        (2025, "year", None, "2025"),
        (2025, "arrived_people", None, "2,025"),
        (None, "x", None, "–"),
        (float("nan"), "x", None, "–"),
        (True, "x", None, "yes"),
        (dt.date(2025, 6, 1), "date", None, "2025-06-01"),
    ],
)
def test_cells_read_as_numbers(value: Any, column: str, figure: str | None, text: str) -> None:
    """A cell is written as its column's field says, a statistic's as its row's figure."""
    from channelsim.engine import all_results

    results = all_results()
    field = None if figure is None else results.describe(figure)
    if column in ("people_per_boat", "cost_gbp", "arrived_people"):
        field, column = results.describe(column), ""
    assert format_cell(value, column, field) == text


def test_money_reads_the_same_in_a_table_a_headline_and_a_ranking() -> None:
    """Money read £4.42m in a headline and £4,416,000 in the table beside it: one rule,
    three significant figures, wherever a reader reads it."""
    from channelsim.engine import all_results
    from channelsim.formatting import about, format_value
    from channelsim.headline import Estimate, change_words, difference_text

    cost = all_results().describe("cost_gbp")
    for value in (4_416_000.0, 15_744_000.0, 4_253.0, 121_177_002.0):
        table = format_value(value, cost)
        assert about(value, cost) == table
        assert change_words(value, cost) == f"{table} more"
        assert f"{table} more" in difference_text(Estimate(cost, value, value, value))
    assert format_value(4_416_000.0, cost) == "£4.42m"


def test_a_share_reads_as_a_percentage() -> None:
    from channelsim.fields import OBSERVED
    from channelsim.formatting import format_value

    assert format_value(0.4183, OBSERVED.field("share_prevented")) == "41.8%"


def _rendered(parts: list[Any], width: int) -> str:
    console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    for part in parts:
        console.print(part)
    return console.export_text()


def assert_fits_without_split_numbers(text: str, numbers: list[str], width: int = 80) -> None:
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width, text
    tokens = set(NUMBER.findall(text))
    missing = [n for n in numbers if NUMBER.fullmatch(n) and n not in tokens]
    assert not missing, f"numbers split or missing: {missing}\n{text}"


def test_a_wide_table_moves_text_to_notes_and_columns_to_a_second_table() -> None:
    rows = [
        {
            "week": f"2025-06-{d:02d}",
            **{f"figure_{k}_people": 1_000_000 * k + d * 1111 for k in range(1, 9)},
            "note": f"a long explanation ({d}) that would make the table far too wide to read",
        }
        for d in range(1, 8)
    ]
    keys = list(rows[0])
    text = _rendered(terminal_tables(rows, keys, "wide", 80), 80)
    numbers = [format_cell(v, k) for row in rows for k, v in row.items()
               if k not in ("note", "source")]  # fmt: skip
    assert_fits_without_split_numbers(text, numbers)
    assert "(continued)" in text and "[1] 2025-06-01: a long explanation (1)" in text


def test_a_file_name_is_not_split_across_lines() -> None:
    """`data editions` at 80 columns: each edition's file name on one line."""
    names = [f"{day}_2026_Small_boats_-_time_series.ods" for day in ("30_January", "29_May")]
    rows = [
        {"edition_id": k, "file_name": name, "sha256": "976125ee8b5f", "edition_date": "2026-01-30",
         "imported_at": "2026-11-29T22:26:17", "rows": 3372, "warnings": 0}
        for k, name in enumerate(names)
    ]  # fmt: skip
    text = _rendered(terminal_tables(rows, list(rows[0]), "store", 80), 80)
    assert all(name in text for name in names), text


def _cli(*args: object, store: Path) -> str:
    env = {**os.environ, "COLUMNS": "80", "CHANNELSIM_STORE": str(store), "TERM": "dumb"}
    done = subprocess.run(
        [str(CHANNELSIM), *map(str, args)], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_data_summary_and_run_tables_at_80_columns(tmp_path: Path) -> None:
    daily, weekly = make_rows(start=dt.date(2021, 1, 4), days=3 * 364, seed=5)
    publication = write_publication(tmp_path / "pub", daily, weekly, "csv")
    store = tmp_path / "store.duckdb"
    _cli("data", "import", *sorted(publication.parent.glob("pub_SB_0*.csv")), store=store)
    table = _cli("data", "summary", "--by", "year", store=store)
    rows = json.loads(_cli("data", "summary", "--by", "year", "--format", "json", store=store))
    numbers = [format_cell(v, k) for row in rows for k, v in row.items()
               if k not in ("note", "source")]  # fmt: skip
    assert any(len(n) >= 6 for n in numbers)  # five-digit counts with a separator
    assert_fits_without_split_numbers(table, numbers)

    scenario = REPO_ROOT / "scenarios" / "status-quo-2025.toml"
    period = ("--from", "2025-06-01", "--to", "2025-06-20")
    table = _cli("run", scenario, *period, "--format", "table", store=store)
    payload = json.loads(_cli("run", scenario, *period, "--format", "json", store=store))
    numbers = [format_cell(v, k) for k, v in payload["totals"].items()]
    assert_fits_without_split_numbers(table, numbers)
    assert "seed 2025" in table


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under ``command``, looked up as the command line does (the root
    loads a command's module on its first lookup)."""
    import typer

    found = [path]
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in command.list_commands(ctx):
            found += _commands(command.get_command(ctx, name), (*path, name))
    return found


def test_help_is_written_for_the_terminal(run_cli: Any) -> None:
    from channelsim.cli import command

    root = command()
    paths = _commands(root)
    assert len(paths) > 10
    for path in paths:
        result = run_cli(*path, "--help")
        assert result.exit_code == 0, (path, result.stderr)
        for metavar in ("<bool>", "<list[", "<int", "<path>", "<str>", "<file>", "{"):
            assert metavar not in result.stdout, (path, metavar, result.stdout)
    # every help text flows as paragraphs: no line break inside a sentence
    stack = [root]
    while stack:
        cmd = stack.pop()
        stack += list(getattr(cmd, "commands", {}).values())
        for text in [cmd.help, *(getattr(p, "help", None) for p in cmd.params)]:
            for paragraph in (text or "").split("\n\n"):
                assert "\n" not in paragraph, (cmd.name, paragraph)


def test_a_claims_table_at_80_columns_shows_its_verdicts() -> None:
    """A verdict (short text that fits beside the first column) stays in the table, in a
    second one if need be; only text too long to sit beside the first column becomes a
    numbered note. The columns given their least width never make the table overflow."""
    reason = "Data: 39,292 people arrived in 2025 to 11 Dec (days 1 Jan–11 Dec 2025), exactly"
    rows = [
        {
            "id": f"independent-boats-carrying-over-{k}-people-in-{k}-days",
            "speaker": f"The Telegraph ({k}, reporting the Home Secretary, Yvette Cooper)",
            "value": 39_000 + k,
            "verdict": "cannot be checked with this data" if k % 2 else "not supported",
            "reason": f"{reason} {k}; this edition stops at 20 Nov 2025, so 2 days are missing",
        }
        for k in range(6)
    ]
    text = _rendered(terminal_tables(rows, list(rows[0]), "claims", 80), 80)
    assert_fits_without_split_numbers(text, [f"{39_000 + k:,}" for k in range(6)])
    assert "not supported" in text
    assert "cannot be" in text and "this data" in text  # wrapped between words at most
    assert "[1] independent-boats-carrying-over-0-people-in-0-days, reason: Data:" in text
    assert ", verdict:" not in text


@pytest.mark.parametrize("width", [80, 120, 160, 200])
def test_a_wider_terminal_never_squeezes_a_reason_into_a_narrow_column(width: int) -> None:
    """At 160 columns a claims table fitted, so its reasons stayed in a ~22-character column
    (a reason over 30 lines) while at 80 they moved to notes: a wider terminal gave a worse
    table. Now no reason wraps over more than a few lines at any width, and text that is
    short of its share leaves the room to the others."""
    reason = "Data: 39,292 people arrived in 2025 to 11 Dec (days 1 Jan–11 Dec 2025), exactly"
    rows = [
        {
            "id": f"shropshire-star-total-2025-to-{k}-dec",
            "speaker": "Shropshire Star (PA report)",
            "value": 39_000 + k,
            "verdict": "supported",
            "reason": f"{reason} {k}; " + "this edition stops at 20 Nov 2025, so " * 6,
            "edition": "21 Nov 2025 (21_November_2025_Small_boats_-_time_series.ods)",
        }
        for k in range(3)
    ]
    text = _rendered(terminal_tables(rows, list(rows[0]), "claims", width), width)
    assert_fits_without_split_numbers(text, [f"{39_000 + k:,}" for k in range(3)], width)
    table = text.split("\n[1] ")[0].splitlines()
    body = table[table.index(next(line for line in table if "──" in line)) + 1 :]
    assert len([line for line in body if line.strip()]) <= 3 * 8, text


def test_validate_s_deaths_rows_fit_100_columns_on_one_line() -> None:
    """The sources' published counts of deaths read as a range (one number when both ends
    agree, never '5–5') and each row of the table is one line at 100 columns."""
    from channelsim.cli.calibrate_cmd import _by_year, _compared_groups, range_text
    from channelsim.engine import all_results
    from channelsim.fields import VALIDATION_FIELDS

    assert range_text(5, 5) == "5" and range_text(12, 16) == "12–16"
    path = REPO_ROOT / "calibration" / "posterior-history-2026-05-28" / "validation-2022-2026.json"
    rows = _by_year(_compared_groups(json.loads(path.read_text(encoding="utf-8")))[2])
    keys = list(dict.fromkeys(k for row in rows for k in row))
    sources = [VALIDATION_FIELDS, all_results()]
    text = _rendered(terminal_tables(rows, keys, "validation", 100, sources), 100)
    assert "5–5" not in text
    lines = text.splitlines()
    for year, counts in (("2022", " 5 "), ("2023", "12–16")):
        line = next(line for line in lines if "Dead or missing" in line and f" {year} " in line)
        assert counts in line and re.search(r"\b(yes|no)\s*$", line), line
        below = lines[lines.index(line) + 1]
        assert below.split()[0] in ("Dead", "People"), below  # no wrapped tail


def test_validate_s_total_error_is_labelled_with_the_unit_it_is_computed_in() -> None:
    """The forecasts' total error is relative to the observed total: a fraction (shown in
    per cent), not people (a trial read 0.482 'people' for 4,234 people too many)."""
    from channelsim.cli.calibrate_cmd import _validation_rows
    from channelsim.fields import VALIDATION_FIELDS

    path = REPO_ROOT / "calibration" / "posterior-history-2026-05-28" / "validation-2022-2026.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    total = result["skill"]["forecasts"]["model"]["total"]
    row = next(
        r for r in _validation_rows(result)
        if r["figure"] == "total_error" and r["forecast"].startswith("channelsim")
    )  # fmt: skip
    assert row["value"] == (total["median"] - total["observed"]) / total["observed"]
    field = VALIDATION_FIELDS.field("total_error")
    assert field is not None and field.kind == "share" and field.unit == ""
    assert "÷ the observed" in row["meaning"]


def test_the_ranking_of_a_comparison_fits_80_columns_in_one_table() -> None:
    """`compare` of three scenarios at 80 columns put the extra cost per fewer arrival in a
    second table of its own, away from the scenarios it ranks: the words wrap instead."""
    rows = [
        {"rank": 1, "scenario": "doctrine-territorial", "arrivals_words": "1,350 fewer",
         "deaths_words": "61 more", "extra_cost_words": "£4.42m more",
         "cost_per_prevented_arrival_gbp": 3273.0},
        {"rank": 2, "scenario": "beach-funding-plus", "arrivals_words": "305 fewer",
         "deaths_words": "no change", "extra_cost_words": "£30.5m more",
         "cost_per_prevented_arrival_gbp": 100367.0},
        {"rank": 3, "scenario": "combined-gangs-returns", "arrivals_words": "no change",
         "deaths_words": "no change", "extra_cost_words": "£5.04m more",
         "cost_per_prevented_arrival_gbp": float("nan")},
    ]  # fmt: skip
    text = _rendered(terminal_tables(rows, list(rows[0]), "ranked", 80), 80)
    assert "(continued)" not in text
    assert all(len(line) <= 80 for line in text.splitlines())
    for row in rows:  # a scenario and its price per fewer arrival on one line
        price = format_cell(row["cost_per_prevented_arrival_gbp"], "cost_per_prevented_arrival_gbp")
        assert any(row["scenario"] in line and price in line for line in text.splitlines())
    assert_fits_without_split_numbers(text, ["1,350", "305", "£4.42m", "£30.5m", "£5.04m"])


def test_people_per_boat_reads_to_one_decimal_in_a_run_and_a_comparison() -> None:
    """`run` showed 61.2 people per boat and `compare` a difference of -2.26 (and -0.003):
    the figure is written to one decimal wherever it is shown, as the Home Office's series."""
    from channelsim.engine import all_results
    from channelsim.fields import DIFFERENCES
    from channelsim.formatting import about, format_cell, readable

    field = all_results().describe("people_per_boat")
    assert format_cell(61.18, "", field) == "61.2"
    assert format_cell(-2.26, "median", field) == "-2.3"
    assert format_cell(-0.003, "low", field) == "0.0"
    assert about(-2.26, field) == "-2.3"
    rows = [{"figure": "people_per_boat", "median": -2.26, "low": -3.27, "high": 0.0405}]
    _, columns = readable(rows, ["figure", "median", "low", "high"], [DIFFERENCES, all_results()])
    assert [c[0] for c in columns[1:]] == ["-2.3", "-3.3", "0.0"]
