"""A shipped scenario can be named on the command line as the explorer and the headlines name
it (``channelsim compare status-quo-2025 doctrine-territorial``), from any folder: the name
was taken for a path and refused with "file not found"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from channelsim.errors import InputError
from channelsim.scenario import scenario_argument, shipped_scenario_names
from conftest import CliResult

Run = Callable[..., CliResult]
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SHORT = ("--from", "2025-01-01", "--to", "2025-01-20", "--seed", "3", "--format", "json")


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current folder with no scenario in it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_shipped_names_are_the_files_of_scenarios() -> None:
    assert shipped_scenario_names() == sorted(p.stem for p in SCENARIOS.glob("*.toml"))


@pytest.mark.parametrize("name", ["status-quo-2025", "status-quo-2025.toml"])
def test_a_shipped_name_is_the_shipped_file(elsewhere: Path, name: str) -> None:
    found = scenario_argument(name)
    assert found.read_bytes() == (SCENARIOS / "status-quo-2025.toml").read_bytes()


def test_a_file_in_the_current_folder_wins_over_a_shipped_name(elsewhere: Path) -> None:
    (elsewhere / "history.toml").write_text('name = "mine"\n')
    assert scenario_argument("history.toml") == Path("history.toml")


def test_a_path_with_a_folder_is_left_to_the_reader(elsewhere: Path) -> None:
    """``scenarios/status-quo-2025.toml`` from outside the clone is a path: not found."""
    assert scenario_argument("scenarios/status-quo-2025") == Path("scenarios/status-quo-2025")


def test_an_unknown_name_lists_the_shipped_ones(elsewhere: Path) -> None:
    with pytest.raises(InputError) as error:
        scenario_argument("status-quo-2024")
    message = str(error.value)
    assert message.startswith("status-quo-2024: file not found, and no shipped scenario has")
    assert "\n" not in message
    assert all(name in message for name in shipped_scenario_names())


def test_run_by_name_is_run_of_the_file(run_cli: Run, elsewhere: Path) -> None:
    by_name = run_cli("run", "doctrine-territorial", *SHORT)
    by_path = run_cli("run", SCENARIOS / "doctrine-territorial.toml", *SHORT)
    assert by_name.exit_code == 0, by_name.stderr
    assert json.loads(by_name.stdout) == json.loads(by_path.stdout)


def test_compare_by_names_is_compare_of_the_files(run_cli: Run, elsewhere: Path) -> None:
    """The command the trial typed, as the explorer and the README call the scenarios."""
    names = ("status-quo-2025", "doctrine-territorial")
    by_name = run_cli("compare", *names, "--runs", 2, *SHORT)
    files = (SCENARIOS.resolve() / f"{n}.toml" for n in names)  # as the package names them
    by_path = run_cli("compare", *files, "--runs", 2, *SHORT)
    assert by_name.exit_code == 0, by_name.stderr
    answers = [json.loads(result.stdout) for result in (by_name, by_path)]
    for answer in answers:
        answer.pop("run_id")  # a new one for each comparison
    assert answers[0] == answers[1]


@pytest.mark.parametrize("command", [("run",), ("compare", "status-quo-2025"), ("sensitivity",)])
def test_a_bad_name_is_one_line_naming_what_exists(
    run_cli: Run, elsewhere: Path, command: tuple[str, ...]
) -> None:
    result = run_cli(*command, "doctrine-teritorial")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: doctrine-teritorial: file not found, and no shipped")
    assert "doctrine-territorial, doctrine-territorial-no-immunity" in lines[0]


def test_calibrate_takes_a_shipped_name(elsewhere: Path) -> None:
    from channelsim.cli.calibrate_cmd import _calibrated_scenario

    path, free = _calibrated_scenario("history-continued")
    assert path is not None and Path(path).name == "history-continued.toml"
    assert free
