"""One clear line for each of the messages this session's testers found two of, or a wrong
one: --workers without --runs, a report of a folder like /tmp, an empty scenario name, a date
without dashes, a small file-size limit; and the data tables fitting 110 columns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from conftest import CliResult
from spreadsheets import make_rows, write_publication

Run = Callable[..., CliResult]
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"


def _one_line(result: CliResult, expected: str) -> None:
    assert result.exit_code == 2, result
    assert result.stderr.strip().splitlines() == [f"error: {expected}"], result.stderr


def test_workers_without_runs_is_one_line(run_cli: Run) -> None:
    """'note: --workers 999: … using 2 worker processes' then the error: two lines."""
    _one_line(
        run_cli("run", SCENARIO, "--workers", "999"),
        "--workers: expected --runs N: it applies to ensembles",
    )


def test_a_report_of_a_folder_like_tmp_reads_no_one_else_s_files(
    run_cli: Run, tmp_path: Path
) -> None:
    """`report /tmp` read every sub-folder holding a daily.parquet (other users' too) and
    named one of theirs in its error, and took any JSON there for a comparison."""
    other = tmp_path / "someone-else"
    other.mkdir()
    pd.DataFrame({"date": [pd.Timestamp("2025-01-01")]}).to_parquet(other / "daily.parquet")
    (tmp_path / "mine.json").write_text('{"scenarios": [{"name": "x", "difference": {}}]}')
    result = run_cli("report", tmp_path, "-o", tmp_path / "x.html")
    assert "someone-else" not in result.stderr
    _one_line(
        result,
        f"{tmp_path}: expected the output folder of channelsim run, demo, compare or "
        "sensitivity (daily.parquet, indices.parquet or a comparison table)",
    )


@pytest.mark.parametrize("command", [("run",), ("sensitivity",), ("compare", SCENARIO)])
def test_an_empty_scenario_name_says_so(run_cli: Run, command: tuple[object, ...]) -> None:
    """`run ""` read the current folder and said "got a folder"."""
    _one_line(run_cli(*command, ""), "SCENARIO: expected a scenario file, got an empty name")


def test_a_date_without_dashes_is_refused(run_cli: Run) -> None:
    """Python reads 20250101 as 1 January 2025; the option asks for YYYY-MM-DD."""
    _one_line(
        run_cli("run", SCENARIO, "--from", "20250101"),
        "--from: expected a date YYYY-MM-DD, got '20250101'",
    )


def test_a_small_size_is_said_in_kilobytes() -> None:
    """'the file-size limit (ulimit -f) is 0.0 MB' for ulimit -f 20 (20 kB)."""
    from channelsim.outputs import _megabytes

    assert [_megabytes(n) for n in (20 * 1024, 512, 16 * 2**20)] == [
        "20 kB",
        "512 bytes",
        "16.0 MB",
    ]


def test_the_data_tables_fit_110_columns(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`data import` and `data editions` were split in two tables at 110 columns."""
    from channelsim.cli import output

    monkeypatch.setattr(output.console, "width", 110)  # as COLUMNS=110 (read once, at start)
    daily, weekly = make_rows()
    name = "20_February_2026_Small_boats_-_time_series_v2.ods"  # the longest name published
    path = write_publication(tmp_path / name, daily, weekly)
    store = tmp_path / "store.duckdb"
    for args in (("import", path), ("editions",)):
        result = run_cli("data", *args, "--store", store)
        assert result.exit_code == 0, result
        assert "(continued)" not in result.stdout, result.stdout
        assert name in result.stdout and "warnings" in result.stdout


FOLDER_EXPECTED = "--out: expected the path of a folder to write, got an empty value"
FILE_EXPECTED = "--out: expected the path of a file to write, got an empty value"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("run", SCENARIO, "--out", ""), FOLDER_EXPECTED),
        (("run", SCENARIO, "--runs", "2", "--out", " "), FOLDER_EXPECTED),
        (("demo", "--out", ""), FOLDER_EXPECTED),
        (("compare", SCENARIO, SCENARIO, "--out", ""), FOLDER_EXPECTED),
        (("sensitivity", SCENARIO, "--out", ""), FOLDER_EXPECTED),
        (("validate", "--out", ""), FOLDER_EXPECTED),
        (("calibrate", "--out", ""), FOLDER_EXPECTED),
        (("report", "x", "-o", ""), FILE_EXPECTED),
        (("data", "report", "-o", ""), FILE_EXPECTED),
        (("forecast", SCENARIO, "--out", ""), FILE_EXPECTED),
        (("weather", "download", "--out", ""), FILE_EXPECTED),
        (
            ("data", "download", "--to", ""),
            "--to: expected the path of a folder, got an empty value",
        ),
    ],
)
def test_an_empty_output_path_names_the_option(
    run_cli: Run,
    command: tuple[object, ...],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--out ""` was read as the current folder and refused as that folder, by its path
    ("/home/me: --out: expected a folder other than the current one"), not as the empty value
    (and `--out " "` wrote a folder named " " there: the test runs in a folder of its own)."""
    monkeypatch.chdir(tmp_path)
    _one_line(run_cli(*command), expected)


def test_a_resume_hint_is_the_command_that_resumes(monkeypatch: pytest.MonkeyPatch) -> None:
    """'resume it with --resume ID' alone was refused ('expected --runs N', then 'another
    configuration: seed 11 (now 2025)'): the hint is the command given, its --resume set to
    the run (s11 re-trial R3)."""
    from channelsim.cli.output import resume_command, with_notes

    given = ["run", "my file.toml", "--runs", "6", "--seed", "11", "--resume", "latest"]
    assert resume_command("20261130-230748-aa748c", given) == (
        "channelsim run 'my file.toml' --runs 6 --seed 11 --resume 20261130-230748-aa748c"
    )
    assert resume_command("r1", ["compare", "a.toml", "b.toml", "--resume=latest"]) == (
        "channelsim compare a.toml b.toml --resume r1"
    )
    error = RuntimeError("interrupted")
    error.add_note("run r1 has 3 of 6 members recorded; resume it with --resume r1")
    monkeypatch.setattr("sys.argv", ["channelsim", "run", "x.toml", "--runs", "6"])
    assert with_notes(error, error) == (
        "interrupted; run r1 has 3 of 6 members recorded; resume it with "
        "`channelsim run x.toml --runs 6 --resume r1`"
    )
