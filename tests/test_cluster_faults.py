"""A Dask scheduler killed in the middle of an ensemble: one line that says so and how to
resume, exit 2, the members finished so far kept, no output written and no traceback."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from channelsim.runstore import RunStore
from faults import PATIENCE_S, dies_with_the_tests, kill_group, start_cli, wait_for_members

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"


def _start(module: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", f"distributed.cli.{module}", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=dies_with_the_tests(),
    )


def _scheduler_address(address_file: Path, scheduler: subprocess.Popen[bytes]) -> str:
    """The scheduler's address once it has written the whole file (at most PATIENCE_S)."""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        assert scheduler.poll() is None, "the scheduler ended before it started listening"
        try:
            return str(json.loads(address_file.read_text())["address"])
        except (OSError, ValueError, KeyError):  # not written yet, or half-written
            time.sleep(0.1)
    raise AssertionError(f"the scheduler wrote no address in {PATIENCE_S:.0f} s")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A scheduler and one single-threaded worker of their own, for a test to kill."""
    address_file = tmp_path / "scheduler.json"
    scheduler = _start(
        "dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
        "--scheduler-file", str(address_file),
    )  # fmt: skip
    worker = None
    try:
        address = _scheduler_address(address_file, scheduler)
        worker = _start(
            "dask_worker", "--scheduler-file", str(address_file), "--nworkers", "1",
            "--nthreads", "1", "--no-dashboard",
        )  # fmt: skip
        yield address, scheduler
    finally:
        for process in (scheduler, worker):
            if process is not None:
                process.kill()
                process.wait(timeout=30)
                kill_group(process.pid)


def test_a_scheduler_killed_mid_run_is_one_line_and_resumable(
    tmp_path: Path, cluster: tuple[str, subprocess.Popen[bytes]]
) -> None:
    address, scheduler = cluster
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    driver = start_cli(
        "run", SCENARIO, "--from", "2025-06-01", "--to", "2025-06-30", "--runs", 400,
        "--scheduler", address, "--runs-store", store, "--out", out, "--format", "json",
        slow=True,
    )  # fmt: skip
    try:
        wait_for_members(store, 2, driver)
        scheduler.send_signal(signal.SIGKILL)
        stdout, stderr = driver.communicate(timeout=PATIENCE_S)
    finally:
        driver.kill()
        kill_group(driver.pid)
    with RunStore(store) as runs:
        [run] = runs.list_runs()
    text = stderr.decode()
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert driver.returncode == 2 and "Traceback" not in text and stdout == b"", text
    assert errors == [
        f"error: lost the Dask scheduler at {address} mid-run " + errors[0].split(" mid-run ", 1)[1]
    ]
    assert errors[0].endswith(
        f"run {run['run_id']} has {run['n_done']} of 400 members recorded; "
        f"resume it with --resume {run['run_id']}"
    )
    other = [line for line in text.splitlines() if line not in errors]
    assert all(line.startswith("status-quo-2025 (") for line in other), other  # progress only
    assert run["status"] == "failed" and 2 <= run["n_done"] < 400
    assert not out.exists()
