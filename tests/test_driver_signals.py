"""A killed or terminated ensemble driver leaves no process behind: its pool workers (and with
them the forkserver and the resource tracker) end with it. SIGTERM stops a run as Ctrl-C does:
the run is marked interrupted, the user is told how to resume, nothing partial is written."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from channelsim.cli.output import resume_command
from channelsim.runstore import RunStore
from faults import (
    PATIENCE_S,
    dies_with_the_tests,
    kill_group,
    live_processes,
    start_cli,
    wait_for_members,
    wait_until_gone,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process table from /proc"
)

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"
JUNE = ("--from", "2025-06-01", "--to", "2025-06-30")


def _ensemble(tmp_path: Path, runs: int) -> list[object]:
    return [
        "run", SCENARIO, *JUNE, "--runs", runs, "--seed", 3, "--workers", 2,
        "--runs-store", tmp_path / "runs.duckdb", "--out", tmp_path / "out", "--format", "json",
    ]  # fmt: skip


@pytest.fixture
def private_tmp() -> Iterator[Path]:
    """A TMPDIR of the driver's own, to see that it leaves no temporary folder there; short,
    since the forkserver's socket lives in it (a socket path has at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="cs-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _the_run(tmp_path: Path) -> dict[str, object]:
    with RunStore(tmp_path / "runs.duckdb") as store:
        [run] = store.list_runs()
    return run


def test_sigkill_of_the_driver_leaves_no_process(tmp_path: Path, private_tmp: Path) -> None:
    driver = start_cli(*_ensemble(tmp_path, 2000), env={"TMPDIR": str(private_tmp)})
    try:
        wait_for_members(tmp_path / "runs.duckdb", 2, driver)  # the pool is up and working
        assert len(live_processes(driver.pid)) >= 4  # driver, forkserver, 2 workers, tracker
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
        left = wait_until_gone(driver.pid)
    finally:
        driver.kill()
        kill_group(driver.pid)
    assert left == [], f"processes still running after the driver was killed: {left}"
    assert list(private_tmp.iterdir()) == []  # the workers removed the driver's temporaries
    assert not (tmp_path / "out").exists()
    run = _the_run(tmp_path)  # the next opening of the store marks the run interrupted
    assert run["status"] == "interrupted" and "killed or crashed" in str(run["message"])


@pytest.mark.parametrize(
    ("signal_number", "code", "name"),
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP")],
)
def test_sigterm_stops_the_run_like_ctrl_c_and_leaves_no_process(
    tmp_path: Path, private_tmp: Path, signal_number: int, code: int, name: str
) -> None:
    """SIGHUP (the terminal closed) as SIGTERM: it ended the driver at once, exit 129 with no
    line, the run left marked running and the resource tracker warning of leaks (s15)."""
    driver = start_cli(*_ensemble(tmp_path, 40), slow=True, env={"TMPDIR": str(private_tmp)})
    try:
        wait_for_members(tmp_path / "runs.duckdb", 2, driver)
        driver.send_signal(signal_number)
        stdout, stderr = driver.communicate(timeout=PATIENCE_S)
        left = wait_until_gone(driver.pid)
    finally:
        driver.kill()
        kill_group(driver.pid)
    assert driver.returncode == code, stderr.decode()
    run = _the_run(tmp_path)
    assert run["status"] == "interrupted" and 2 <= run["n_done"] < 40  # type: ignore[operator]
    hint = f"stopped by {name}; run {run['run_id']} has {run['n_done']} of 40 members recorded"
    assert run["message"] == f"{hint}; resume it with --resume {run['run_id']}"
    lines = stderr.decode().strip().splitlines()
    command = resume_command(run["run_id"], [str(a) for a in _ensemble(tmp_path, 40)])
    assert lines[-1] == (  # the line gives the command that resumes it (s11 re-trial R3)
        f"{hint}; resume it with `{command}`; nothing was written to {tmp_path / 'out'}"
    )
    assert "Traceback" not in stderr.decode()
    assert stdout == b"" and not (tmp_path / "out").exists()
    assert left == [] and list(private_tmp.iterdir()) == []


STOPS = pytest.mark.parametrize(
    ("signal_number", "code", "reason"),
    [
        (signal.SIGINT, 130, "interrupted"),
        (signal.SIGTERM, 143, "stopped by SIGTERM"),
        (signal.SIGHUP, 129, "stopped by SIGHUP"),
    ],
)


def _assert_one_line(
    driver: subprocess.Popen[bytes], stderr: bytes, code: int, reason: str
) -> None:
    """The driver stopped with ``code`` and said so in one line (beside its progress bar),
    with no traceback from any of its processes (their stderr is the driver's)."""
    text = stderr.decode()
    assert driver.returncode == code, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    lines = [
        line
        for line in text.strip().splitlines()
        if not line.startswith("status-quo")  # progress
    ]
    assert len(lines) == 1 and lines[0].startswith(reason), text


def _fork_server(group: int, driver: subprocess.Popen[bytes]) -> int:
    """The pid of the fork server of ``group``, waited for (it starts with the pool)."""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        for pid in live_processes(group):
            with contextlib.suppress(OSError):
                if b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
        assert driver.poll() is None, "the driver ended before its pool started"
        time.sleep(0.01)
    raise AssertionError("no fork server started")


@STOPS
def test_a_stop_during_the_pool_start_up_is_one_line(
    tmp_path: Path, private_tmp: Path, signal_number: int, code: int, reason: str
) -> None:
    """Ctrl-C (sent by a terminal to the whole process group) or SIGTERM while the fork
    server still loads the engine: the driver's one line and exit code, no traceback from
    the server, no process left."""
    driver = start_cli(*_ensemble(tmp_path, 20), env={"TMPDIR": str(private_tmp)})
    try:
        _fork_server(driver.pid, driver)  # it loads the engine for a second or more from now
        os.killpg(driver.pid, signal_number)
        stdout, stderr = driver.communicate(timeout=PATIENCE_S)  # the server's stderr too
        left = wait_until_gone(driver.pid)
    finally:
        driver.kill()
        kill_group(driver.pid)
    _assert_one_line(driver, stderr, code, reason)
    assert stdout == b"" and not (tmp_path / "out").exists()
    assert left == [] and list(private_tmp.iterdir()) == []


# The real CLI, its fork server held (tests/forkserver_gate.py) before it loads the engine,
# and the driver saying when it asks the server for a worker ("asked") or waits for it to be
# ready ("waiting"); nothing else changes.
GATED_DRIVER = """
import os
import sys
from pathlib import Path
from multiprocessing import forkserver
import channelsim.experiments.executor as executor
gate = Path(os.environ["CHANNELSIM_TEST_GATE"])
executor.FORKSERVER_PRELOAD = ("__main__", "forkserver_gate", *executor.FORKSERVER_PRELOAD[1:])
def noted(name, function):
    def call(*args, **kwargs):
        (gate / name).touch()
        return function(*args, **kwargs)
    return call
forkserver.connect_to_new_process = noted("asked", forkserver.connect_to_new_process)
if hasattr(executor, "wait_for_fork_server"):
    executor.wait_for_fork_server = noted("waiting", executor.wait_for_fork_server)
sys.argv = ["channelsim", *sys.argv[1:]]
from channelsim.cli import main
main()
"""


def _wait_for(driver: subprocess.Popen[bytes], *paths: Path) -> Path:
    """The first of ``paths`` to exist, waited for (at most :data:`PATIENCE_S`)."""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        for path in paths:
            if path.exists():
                return path
        assert driver.poll() is None, driver.communicate()
        time.sleep(0.01)
    raise AssertionError(f"none of {[p.name for p in paths]} appeared")


@STOPS
def test_a_stop_while_the_driver_waits_for_the_fork_server_is_one_line(
    tmp_path: Path, private_tmp: Path, signal_number: int, code: int, reason: str
) -> None:
    """The window the test above misses: the driver has done all it does before its workers
    start and waits for the fork server to load the engine. Had it asked the server for a
    worker by then, a stop would end it before it learnt the worker's pid, and the server,
    once loaded, would fork a worker that cannot start (the pool's semaphores gone with the
    driver) and prints a 15-line traceback. It asks only once the server is ready."""
    gate = tmp_path / "gate"
    gate.mkdir()
    tests = str(Path(__file__).resolve().parent)  # the server imports its gate from here
    path = os.pathsep.join([tests, *filter(None, [os.environ.get("PYTHONPATH")])])
    env = {"TMPDIR": str(private_tmp), "CHANNELSIM_TEST_GATE": str(gate), "PYTHONPATH": path}
    driver = subprocess.Popen(
        [sys.executable, "-c", GATED_DRIVER, *map(str, _ensemble(tmp_path, 20))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **env},
        preexec_fn=dies_with_the_tests(),
    )
    try:
        _wait_for(driver, gate / "paused")  # the server is loading, held
        _wait_for(driver, gate / "asked", gate / "waiting")  # the driver is at its workers' start
        assert not (gate / "asked").exists(), "a worker was asked of a server still loading"
        os.killpg(driver.pid, signal_number)
        driver.wait(timeout=PATIENCE_S)
        (gate / "open").touch()  # the server loads now, and serves what it was asked
        stdout, stderr = driver.communicate(timeout=PATIENCE_S)  # the server's stderr too
        left = wait_until_gone(driver.pid)
    finally:
        (gate / "open").touch()
        driver.kill()
        kill_group(driver.pid)
    _assert_one_line(driver, stderr, code, reason)
    assert not (gate / "asked").exists()
    assert stdout == b"" and not (tmp_path / "out").exists()
    assert left == [] and list(private_tmp.iterdir()) == []


@STOPS
def test_a_stop_while_the_command_loads_is_one_line(
    tmp_path: Path, signal_number: int, code: int, reason: str
) -> None:
    """Ctrl-C or SIGTERM in the first few tenths of a second, while the ``channelsim``
    script imports the command line: Python printed the traceback of the interrupted import
    (and SIGTERM ended it without a word)."""
    script = tmp_path / "channelsim"  # what the installed script does, stopped midway
    script.write_text(
        "import os, signal, sys\n"
        "import channelsim\n"
        f"os.kill(os.getpid(), {int(signal_number)})\n"
        "from channelsim.cli import main\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run(
        [sys.executable, str(script), "run", str(SCENARIO)], capture_output=True, timeout=120
    )
    assert (done.returncode, done.stderr.decode(), done.stdout) == (code, f"{reason}\n", b"")


@STOPS
def test_a_stop_while_an_ensemble_loads_leaves_no_pool_behind(
    tmp_path: Path, private_tmp: Path, signal_number: int, code: int, reason: str
) -> None:
    """``run --runs 100`` starts its pool's fork server on ``import channelsim``, before the
    command line loads: a stop in that window is the same one line, and leaves neither the
    server nor its temporary folder (its socket) behind."""
    script = tmp_path / "channelsim"
    script.write_text(
        "import os, signal, sys\n"
        "import channelsim\n"
        "from multiprocessing import forkserver\n"
        "assert forkserver._forkserver._forkserver_pid is not None\n"
        f"os.kill(os.getpid(), {int(signal_number)})\n"
        "from channelsim.cli import main\n"
        "sys.exit(main())\n"
    )
    args = [sys.executable, str(script), "run", str(SCENARIO), "--runs", "100"]
    env = {**os.environ, "TMPDIR": str(private_tmp), "CHANNELSIM_ENGINE": "off"}
    driver = subprocess.Popen(
        args,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
        preexec_fn=dies_with_the_tests(),
    )
    try:
        _, stderr = driver.communicate(timeout=PATIENCE_S)
        left = wait_until_gone(driver.pid)
    finally:
        kill_group(driver.pid)
    assert (driver.returncode, stderr.decode()) == (code, f"{reason}\n")
    assert left == [] and list(private_tmp.iterdir()) == []


HOLDER = """
import contextlib, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from faults import dies_with_the_tests, killed_with_the_tests
watched = sys.argv[2] == "watchdog"
child = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(600)"],
    start_new_session=True, preexec_fn=None if watched else dies_with_the_tests(),
)
with killed_with_the_tests(child.pid) if watched else contextlib.nullcontext():
    print(child.pid, flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("how", ["pdeathsig", "watchdog"])
def test_a_process_the_tests_start_ends_when_the_test_run_is_killed(how: str) -> None:
    """What the tests start in a session of its own (an explorer server, a driver, a Dask
    scheduler: ``dies_with_the_tests``) or detached (a resident engine:
    ``killed_with_the_tests``) ends with the test run, even one killed outright: a killed
    pytest had left its explorer server running for an hour."""
    tests = str(Path(__file__).resolve().parent)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, tests, how],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert holder.stdout is not None
        child = int(holder.stdout.readline())
        assert live_processes(child) == [child]
        holder.kill()  # as a SIGKILLed pytest
        holder.wait()
        left = wait_until_gone(child)
    finally:
        holder.kill()
        kill_group(holder.pid)
        kill_group(child)
    assert left == []
