"""Shared checks of the fault tests: one line, the exit code, nothing left behind, no process
left running; and a real CLI driver to interrupt."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import CliResult

# The real CLI, with the driver slowed down while recording (members take ~0.05 s, too fast
# to interrupt at a chosen point); what it records and computes is unchanged.
SLOW_DRIVER = """
import sys, time
from channelsim.runstore import RunStore
record = RunStore.record_member
def slow_record(self, run_id, member, output):
    time.sleep(0.3)
    record(self, run_id, member, output)
RunStore.record_member = slow_record
sys.argv = ["channelsim", *sys.argv[1:]]
from channelsim.cli import main
main()
"""


def start_cli(
    *args: object, slow: bool = False, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``channelsim ARGS`` in its own process group (so that every process it starts can be
    found), slowed down while recording members if ``slow``."""
    code = (
        SLOW_DRIVER
        if slow
        else "import sys; from channelsim.cli import main; "
        + ("sys.argv = ['channelsim', *sys.argv[1:]]; main()")
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


def wait_for_members(store: Path, n: int, driver: subprocess.Popen[bytes]) -> None:
    """Wait (at most a minute) until ``n`` members of the store's run are recorded on disk."""
    from channelsim.runstore import RunStore

    outputs = RunStore(store).outputs_dir
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert driver.poll() is None, "the driver ended before it could be interrupted"
        folders = [p for p in outputs.glob("*/*") if not p.name.startswith(".")]
        if len(folders) >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"the driver did not record {n} members in time")


def live_processes(group: int) -> list[int]:
    """Processes of the process group ``group`` that still run (zombies excepted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until_gone(group: int, timeout_s: float = 30.0) -> list[int]:
    """Wait until no process of ``group`` runs; return those still running at the deadline."""
    deadline = time.monotonic() + timeout_s
    while (left := live_processes(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


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


def kill_group(group: int) -> None:
    """SIGKILL whatever of ``group`` still runs (a failed test must not leave processes)."""
    for pid in live_processes(group):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
