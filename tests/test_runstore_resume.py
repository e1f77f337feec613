"""Interrupted ensembles (Ctrl-C, killed worker, killed driver) resume to the same numbers."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from channelsim.experiments import WorkerLostError, member_seed, run_ensemble
from channelsim.runstore import RunStore
from toy_member import assert_same_results, driver_spec, toy_member

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def reference():
    """The driver's ensemble run straight through (without its sleep: same numbers, faster)."""
    spec = driver_spec()
    fast = {
        name: {k: v for k, v in s.items() if k != "sleep_s"} for name, s in spec.scenarios.items()
    }
    return run_ensemble(
        toy_member, dataclasses.replace(spec, scenarios=fast), executor="serial", progress=False
    )


def _assert_consistent(path: Path, run_id: str) -> set[str]:
    """Every recorded member has its files; return the recorded keys."""
    with RunStore(path) as store:
        members = store.members(run_id)
    run_dir = RunStore(path).outputs_dir / run_id
    for member in members:
        for table in member["tables"]:
            assert (run_dir / member["member_key"] / f"{table}.parquet").is_file()
    return {m["member_key"] for m in members}


def _start_driver(path: Path, executor: str, run_id: str, *options: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(TESTS / "toy_member.py"), str(path), executor, run_id, *options],
        env={**os.environ, "PYTHONPATH": str(TESTS)},
    )


HUNG_S = 300
"""How long a step may take before the test calls it hung: generous, so that a loaded
machine (2 cores shared with other work) passes; the steps themselves take about a second."""


@contextlib.contextmanager
def _hangs_after(seconds: int, message: str) -> Iterator[None]:
    """Fail with ``message`` if the block has not ended after ``seconds``."""

    def hung(signum: int, frame: object) -> None:
        raise AssertionError(message)

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _wait_for_members(path: Path, run_id: str, n: int, driver: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + HUNG_S
    run_dir = RunStore(path).outputs_dir / run_id
    while time.monotonic() < deadline:
        assert driver.poll() is None, "the driver ended before it could be interrupted"
        if (
            run_dir.is_dir()
            and sum(1 for p in run_dir.iterdir() if not p.name.startswith(".")) >= n
        ):
            return
        time.sleep(0.05)
    raise AssertionError(f"the driver did not record {n} members in time")


class _InterruptAfter:
    """A store that raises KeyboardInterrupt (as Ctrl-C would) when recording member n+1."""

    def __init__(self, store: RunStore, n: int) -> None:
        self.store, self.n = store, n

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def record_member(self, run_id, member, output) -> None:
        if self.n == 0:
            raise KeyboardInterrupt
        self.n -= 1
        self.store.record_member(run_id, member, output)


def test_ctrl_c_marks_the_run_interrupted_and_resume_finishes_it(tmp_path: Path, reference) -> None:
    spec = driver_spec()
    path = tmp_path / "runs.duckdb"
    with RunStore(path) as store:
        with pytest.raises(KeyboardInterrupt), _hangs_after(HUNG_S, "cancelling the pool hung"):
            run_ensemble(
                toy_member,
                spec,
                executor="processes",
                workers=2,
                progress=False,
                store=_InterruptAfter(store, 3),
                run_id="ctrl-c",  # type: ignore[arg-type]
            )
        run = store.get_run("ctrl-c")
    assert run["status"] == "interrupted" and "--resume ctrl-c" in run["message"]
    assert len(_assert_consistent(path, "ctrl-c")) == 3
    with RunStore(path) as store:
        resumed = run_ensemble(
            toy_member,
            spec,
            executor="processes",
            workers=2,
            progress=False,
            store=store,
            run_id="ctrl-c",
            resume=True,
        )
        assert store.get_run("ctrl-c")["status"] == "done"
    assert_same_results(reference, resumed)


def test_a_killed_worker_fails_the_run_clearly_and_resume_finishes_it(
    tmp_path: Path, reference
) -> None:
    base = driver_spec()
    dying = {
        name: {
            **s,
            "sleep_s": 0.02,
            "die_once": {"marker": str(tmp_path / "died"), "seed": member_seed(7, 5)},
        }
        for name, s in base.scenarios.items()
    }
    spec = dataclasses.replace(base, scenarios=dying)
    path = tmp_path / "runs.duckdb"
    with RunStore(path) as store, pytest.raises(WorkerLostError) as caught:
        run_ensemble(
            toy_member,
            spec,
            executor="processes",
            workers=2,
            progress=False,
            store=store,
            run_id="killed-worker",
        )
    assert "worker process died" in str(caught.value)
    assert "resume it with --resume killed-worker" in str(caught.value)
    with RunStore(path) as store:
        run = store.get_run("killed-worker")
    assert run["status"] == "failed" and "WorkerLostError" in run["message"]
    assert len(_assert_consistent(path, "killed-worker")) < len(spec.members())
    with RunStore(path) as store:
        resumed = run_ensemble(
            toy_member,
            spec,
            executor="processes",
            workers=2,
            progress=False,
            store=store,
            run_id="killed-worker",
            resume=True,
        )
    assert_same_results(reference, resumed)


def test_a_killed_driver_leaves_a_consistent_store_and_resume_matches(
    tmp_path: Path, reference
) -> None:
    path = tmp_path / "runs.duckdb"
    driver = _start_driver(path, "serial", "killed-driver")
    try:
        _wait_for_members(path, "killed-driver", 3, driver)
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait()
    recorded = _assert_consistent(path, "killed-driver")
    assert 2 <= len(recorded) < len(driver_spec().members())
    with RunStore(path) as store:
        stale = store.get_run("killed-driver")
        assert stale["status"] == "interrupted" and "driver stopped" in stale["message"]
        resumed = run_ensemble(
            toy_member,
            driver_spec(),
            executor="processes",
            workers=2,
            progress=False,
            store=store,
            resume=True,  # no id: the latest unfinished run with this config
        )
        assert resumed.run_id == "killed-driver"
        assert store.get_run("killed-driver")["status"] == "done"
    assert_same_results(reference, resumed)


def test_sigint_to_a_driver_with_a_process_pool_stops_it_promptly(tmp_path: Path) -> None:
    """Ctrl-C while both workers are in the middle of members that would never end (held:
    under load the driver used to finish all 24 before the signal came): the driver stops
    them and exits 130, its run interrupted with the members finished before."""
    path, hold = tmp_path / "runs.duckdb", tmp_path / "hold"
    hold.mkdir()
    driver = _start_driver(path, "processes", "sigint", "--hold", str(hold), "2")
    try:
        _wait_for_members(path, "sigint", 2, driver)  # the two members let through
        _wait_for_files(hold, 4, driver)  # and two more started (four tickets), held
        driver.send_signal(signal.SIGINT)
        assert driver.wait(timeout=HUNG_S) == 130
    finally:
        (hold / "open").touch()
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    recorded = _assert_consistent(path, "sigint")
    with RunStore(path) as store:
        run = store.get_run("sigint")
    assert run["status"] == "interrupted"
    assert len(recorded) == 2


def _wait_for_files(folder: Path, n: int, driver: subprocess.Popen[bytes]) -> None:
    """Wait until ``folder`` holds ``n`` files (at most :data:`HUNG_S`)."""
    deadline = time.monotonic() + HUNG_S
    while sum(1 for _ in folder.iterdir()) < n:
        assert driver.poll() is None, "the driver ended before it could be interrupted"
        assert time.monotonic() < deadline, f"fewer than {n} members started in time"
        time.sleep(0.05)


def test_the_hold_lets_through_the_first_members_whatever_their_seeds(tmp_path: Path) -> None:
    """The SIGINT test's hold counts members by the tickets they take, not by their seeds:
    three members starting at once with one seed (two scenarios' members of one replicate
    share it) take three tickets; the first two run, the third waits for ``open``."""
    import threading

    from toy_member import _held

    done: list[int] = []
    threads = [
        threading.Thread(target=lambda k=k: (_held(tmp_path, 2, seed=99), done.append(k)))
        for k in range(3)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + HUNG_S
    while len(done) < 2 or len(list(tmp_path.iterdir())) < 3:
        assert time.monotonic() < deadline, f"{len(done)} members ran"
        time.sleep(0.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["started-0", "started-1", "started-2"]
    time.sleep(0.2)  # the third polls for 'open' meanwhile
    assert len(done) == 2
    (tmp_path / "open").touch()
    for thread in threads:
        thread.join(timeout=HUNG_S)
    assert len(done) == 3
