"""The error line prints the user's text as it is: file names with brackets are not Rich
markup, and a message that holds a line break still prints on one line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from channelsim.cli.output import one_line
from conftest import CliResult
from faults import assert_one_line_error

Cli = Callable[..., CliResult]


@pytest.mark.parametrize(
    "name", ["[/]x.toml", "scen [v2].toml", "[bold red]x[/].toml", "a\\[b].toml"]
)
def test_a_file_name_that_looks_like_markup_is_printed_as_it_is(
    run_cli: Cli, tmp_path: Path, name: str
) -> None:
    missing = tmp_path / name
    assert_one_line_error(run_cli("run", missing), f"{missing}: file not found")


def test_brackets_in_a_bad_scenario_s_name_survive(run_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "scen [v2].toml"
    path.write_text('name = "t"\nstart = 2025-01-01\nend = 2025-01-31\n[params.sea]\nx = 1\n')
    assert_one_line_error(run_cli("run", path), f"{path}: params.sea.x: unknown key")


def test_line_breaks_in_a_message_become_spaces() -> None:
    assert (
        one_line("cannot connect\n  to tcp://x:1\r\nafter 5 s")
        == "cannot connect to tcp://x:1 after 5 s"
    )
