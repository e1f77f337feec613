"""Shared checks of the fault tests: one line, the exit code, nothing left behind."""

from __future__ import annotations

from pathlib import Path

from conftest import CliResult


def assert_one_line_error(result: CliResult, *needles: str, code: int = 2) -> str:
    """The command failed with ``code`` and said why in one ``error:`` line holding every
    needle; returns that line."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (hidden ones too) with a file's bytes (None for a folder)."""
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }
