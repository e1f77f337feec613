"""A Dask scheduler killed in the middle of an ensemble: one line that says so and how to
resume, exit 2, the members finished so far kept, no output written and no traceback."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from channelsim.cli.output import resume_command
from channelsim.runstore import RunStore
from faults import PATIENCE_S, dies_with_the_tests, kill_group, start_cli, wait_for_members

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"


def _start(module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", f"distributed.cli.{module}", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=dies_with_the_tests(),
        env=env,
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
def cluster(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, subprocess.Popen[bytes], subprocess.Popen[bytes]]]:
    """A scheduler and one single-threaded worker of their own, for a test to kill; with
    ``@pytest.mark.parametrize("cluster", ["other code"], indirect=True)`` the worker runs
    an edited copy of channelsim (:func:`_edited_copy`)."""
    worker_env = _edited_copy(tmp_path) if getattr(request, "param", None) else None
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
            "--nthreads", "1", "--no-dashboard", env=worker_env,
        )  # fmt: skip
        yield address, scheduler, worker
    finally:
        for process in (scheduler, worker):
            if process is not None:
                process.kill()
                process.wait(timeout=30)
                kill_group(process.pid)


@pytest.mark.parametrize("killed", ["scheduler", "worker", "stopped"])
def test_a_scheduler_killed_mid_run_is_one_line_and_resumable(
    tmp_path: Path,
    cluster: tuple[str, subprocess.Popen[bytes], subprocess.Popen[bytes]],
    killed: str,
) -> None:
    """The scheduler killed, or the cluster's only worker (with its nanny) while the
    scheduler stays up: one line saying which, so the user restarts the right thing. A
    scheduler stopped (SIGSTOP: its connections open, nothing answered) was waited for
    without end (s15): now for $CHANNELSIM_SCHEDULER_TIMEOUT seconds."""
    address, scheduler, worker = cluster
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    args = [
        "run", SCENARIO, "--from", "2025-06-01", "--to", "2025-06-30", "--runs", 400,
        "--scheduler", address, "--runs-store", store, "--out", out, "--format", "json",
    ]  # fmt: skip
    driver = start_cli(*args, slow=True, env={"CHANNELSIM_SCHEDULER_TIMEOUT": "2"})
    try:
        wait_for_members(store, 2, driver)
        if killed == "scheduler":
            scheduler.send_signal(signal.SIGKILL)
        elif killed == "stopped":
            scheduler.send_signal(signal.SIGSTOP)  # the fixture kills it
        else:
            os.killpg(worker.pid, signal.SIGKILL)
        stdout, stderr = driver.communicate(timeout=PATIENCE_S)
    finally:
        driver.kill()
        kill_group(driver.pid)
    with RunStore(store) as runs:
        [run] = runs.list_runs()
    text = stderr.decode()
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert driver.returncode == 2 and "Traceback" not in text and stdout == b"", text
    said = {
        "scheduler": f"error: lost the Dask scheduler at {address} mid-run (",
        "worker": f"error: the Dask cluster at {address} lost its last worker mid-run (the "
        "scheduler is still up: start workers for it); ",
        "stopped": f"error: the Dask scheduler at {address} did not answer within 2 s "
        "(stopped, frozen or overloaded?); CHANNELSIM_SCHEDULER_TIMEOUT=SECONDS waits longer; ",
    }[killed]
    assert len(errors) == 1 and errors[0].startswith(said), errors
    assert errors[0].endswith(
        f"run {run['run_id']} has {run['n_done']} of 400 members recorded; "
        f"resume it with `{resume_command(run['run_id'], [str(a) for a in args])}`"
    )
    other = [line for line in text.splitlines() if line not in errors]
    assert all(line.startswith("status-quo-2025 (") for line in other), other
    assert run["status"] == "failed" and 2 <= run["n_done"] < 400
    assert not out.exists()


def _edited_copy(tmp_path: Path) -> dict[str, str]:
    """A worker's environment whose channelsim is a copy of this one with one source file
    edited (a comment added: the numbers would be the same, the code is not), standing for a
    cluster node with an older or edited install."""
    import shutil

    import channelsim

    copy = tmp_path / "other-code" / "src"
    shutil.copytree(
        Path(channelsim.__file__).parent,
        copy / "channelsim",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    with (copy / "channelsim" / "policies" / "drivers.py").open("a") as edited:
        edited.write("# an edit on a cluster node\n")
    tests = str(Path(__file__).resolve().parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy), tests])}


@pytest.mark.parametrize("cluster", ["other code"], indirect=True)
def test_a_worker_running_other_code_is_refused_in_one_line(
    tmp_path: Path, cluster: tuple[str, subprocess.Popen[bytes]]
) -> None:
    """A Dask worker started from another install gave other numbers, recorded as the same
    run, with nothing said (s11 breaker F20): each task checks the worker's code against the
    driver's, and the command stops in one line naming the worker and both codes."""
    address, _, _ = cluster
    store = tmp_path / "runs.duckdb"
    driver = start_cli(
        "run", SCENARIO, "--from", "2025-06-01", "--to", "2025-06-07", "--runs", 2,
        "--scheduler", address, "--runs-store", store, "--format", "json",
    )  # fmt: skip
    try:
        stdout, stderr = driver.communicate(timeout=PATIENCE_S)
    finally:
        driver.kill()
        kill_group(driver.pid)
    text = stderr.decode()
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert driver.returncode == 2 and "Traceback" not in text and stdout == b"", text
    assert len(errors) == 1, text
    assert "--scheduler: the Dask worker at tcp://127.0.0.1:" in errors[0]
    assert "start the workers from the same install" in errors[0]
    worker, driver_code = re.findall(r"channelsim [\w.+]+, sources ([0-9a-f]{12})", errors[0])
    assert worker != driver_code


@contextlib.contextmanager
def _listener(answer: bytes | None) -> Iterator[str]:
    """The address of a local TCP server that is not a Dask scheduler: it sends ``answer`` on
    connection (None: it waits for a request, as a web server does) and holds it open."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed
                return
            held.append(conn)
            if answer is not None:
                conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()
        for conn in held:
            conn.close()


def _header(length: int, *sizes: int) -> bytes:
    """A Dask message's first bytes: its length, its frames' count and their lengths."""
    import struct

    return struct.pack(f"<QQ{len(sizes)}Q", length, len(sizes), *sizes)


NOT_DASK = " (its first bytes are not a Dask handshake): is something else listening there?"
SILENT = ": is something else listening there?"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (None, "does not answer as a Dask scheduler (no whole handshake within 1 s)" + SILENT),
        (b"\xff" * 64, "answers, but not as a Dask scheduler" + NOT_DASK),
        (b"HTTP/1.0 400 Bad request\r\n\r\n", "answers, but not as a Dask scheduler" + NOT_DASK),
        # the s13 re-trial's variants: a header, then nothing; a frame of 2 EiB; a frame that
        # is not msgpack
        (_header(100, 84), "does not answer as a Dask scheduler (no whole handshake within 1 s)"
         + SILENT),
        (_header(16, 2**61), "answers, but not as a Dask scheduler" + NOT_DASK),
        (_header(116, 100) + b"\xff" * 100, "answers, but not as a Dask scheduler" + NOT_DASK),
    ],
)  # fmt: skip
def test_something_else_at_the_address_is_one_line_in_seconds(
    answer: bytes | None, said: str
) -> None:
    """s13 breaker B8: a web server at the address made the client wait without end; one
    sending other bytes made it ask for an array of 3 EiB (an 80-line traceback)."""
    from channelsim.errors import ClusterError
    from channelsim.experiments.executor import DaskExecutor

    with _listener(answer) as address, pytest.raises(ClusterError) as caught:
        DaskExecutor(address, connect_timeout_s=1.0).start()
    assert str(caught.value) == f"{address} {said}"


def test_a_tls_address_without_tls_settings_is_one_line() -> None:
    from channelsim.errors import ClusterError
    from channelsim.experiments.executor import DaskExecutor

    with pytest.raises(ClusterError, match=r"tls://127.0.0.1:9: a tls:// address needs Dask's "
                       r"TLS settings \(distributed.comm.tls"):  # fmt: skip
        DaskExecutor("tls://127.0.0.1:9", connect_timeout_s=1.0).start()


@contextlib.contextmanager
def _in_process_cluster(workers: int) -> Iterator[Any]:
    """A Dask LocalCluster of ``workers`` threads in this process, on TCP (quick to start),
    closed after the block unless the test closed it."""
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=False, protocol="tcp",
        host="127.0.0.1", dashboard_address=":0",
    )  # fmt: skip
    try:
        yield cluster
    finally:
        with contextlib.suppress(RuntimeError):  # closed already ("IOLoop is closed")
            cluster.close()


def _handshake(address: str) -> bytes:
    """A real scheduler's first message (its handshake), as it sends it on connection."""
    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=PATIENCE_S) as conn:
        length = conn.recv(8, socket.MSG_WAITALL)
        return length + conn.recv(int.from_bytes(length, "little"), socket.MSG_WAITALL)


def test_a_scheduler_that_greets_then_falls_silent_is_one_line_and_nothing_after(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The probe sees a real handshake, then Dask's client waits for an answer that never
    comes: one line with its reason (it was empty: "...at ADDR: "), and nothing on stderr,
    then or when the half-made client is collected (it logged a dangling stream, and its
    ``__del__`` printed a traceback at exit)."""
    import gc

    from channelsim.errors import ClusterError
    from channelsim.experiments.executor import DaskExecutor

    with _in_process_cluster(0) as cluster:
        greeting = _handshake(cluster.scheduler_address)
    capfd.readouterr()
    with _listener(greeting) as address, pytest.raises(ClusterError) as caught:
        DaskExecutor(address, connect_timeout_s=1.0).start()
    gc.collect()
    assert (
        str(caught.value) == f"cannot reach the Dask scheduler at {address}: no answer within 1 s"
    )
    assert capfd.readouterr().err == ""


def test_a_scheduler_without_workers_is_one_line_naming_it(tmp_path: Path) -> None:
    """Dask's own "No valid workers found" (a TimeoutError, printed as it was) named
    neither the option nor the address."""
    from channelsim.errors import ClusterError
    from channelsim.experiments import EnsembleSpec, run_ensemble
    from toy_member import SCENARIOS, toy_member

    spec = EnsembleSpec(scenarios=SCENARIOS, reps=2, base_seed=1)
    with _in_process_cluster(0) as cluster, pytest.raises(ClusterError) as caught:
        address = cluster.scheduler_address
        run_ensemble(toy_member, spec, executor=address, connect_timeout_s=1.0, progress=False)
    assert str(caught.value).startswith(
        f"the Dask scheduler at {address} has no workers (none within 1 s): start workers for it"
    ), caught.value


def test_a_scheduler_gone_mid_run_leaves_the_client_quiet() -> None:
    """The cluster closed while members run: the one error, and no log record of the client
    (closing it cancelled its reconnection: a 30-line traceback after the one line). The
    records are caught at the client's logger: the in-process cluster logs its own."""
    import logging

    from channelsim.errors import ClusterError
    from channelsim.experiments import EnsembleSpec, run_ensemble
    from toy_member import SCENARIOS, toy_member

    class Kept(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.DEBUG)
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    kept, client_log = Kept(), logging.getLogger("distributed.client")
    slow = {name: {**s, "sleep_s": 0.1} for name, s in SCENARIOS.items()}
    spec = EnsembleSpec(scenarios=slow, reps=200, base_seed=1)
    client_log.addHandler(kept)
    try:
        with _in_process_cluster(1) as cluster:
            address = cluster.scheduler_address

            closing = threading.Thread(target=cluster.close)

            def stop_after_first_member(done: int, total: int) -> None:
                if done == 1:
                    closing.start()

            with pytest.raises(ClusterError, match=f"at {address} "):
                run_ensemble(toy_member, spec, executor=address, progress=stop_after_first_member)
            closing.join(PATIENCE_S)  # before the block closes it again
    finally:
        client_log.removeHandler(kept)
    said = [r.getMessage() for r in kept.records if r.levelno >= logging.WARNING]
    assert said == [], said


@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf", "nan"])
def test_a_malformed_scheduler_timeout_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from channelsim.errors import InputError
    from channelsim.experiments.executor import scheduler_timeout_s

    monkeypatch.setenv("CHANNELSIM_SCHEDULER_TIMEOUT", value)
    with pytest.raises(InputError) as refused:
        scheduler_timeout_s()
    assert str(refused.value) == (
        f"$CHANNELSIM_SCHEDULER_TIMEOUT: expected a number of seconds above 0, got {value!r}"
    )


def test_the_scheduler_timeout_defaults_to_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    from channelsim.experiments.executor import scheduler_timeout_s

    monkeypatch.setenv("CHANNELSIM_SCHEDULER_TIMEOUT", "")
    assert scheduler_timeout_s() == 60.0
    monkeypatch.setenv("CHANNELSIM_SCHEDULER_TIMEOUT", "2.5")
    assert scheduler_timeout_s() == 2.5
