"""Shared fixtures: every test gets its own data store, and can run the CLI in-process."""

from __future__ import annotations

import contextlib
import http.server
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
OFFICIAL_DATA = REPO_ROOT.parent / "shared" / "data" / "official"


# The tests send real Ctrl-C (SIGINT) to channelsim processes. A test run started in the
# background by a shell without job control inherits SIGINT *ignored*, and an ignored signal
# stays ignored in every child: those tests would then wait for a Ctrl-C that never arrives.
# Python's own handler here means children start with the default disposition again.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def _private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the default data and results stores at the test's own directory, never the
    user's."""
    monkeypatch.setenv("CHANNELSIM_STORE", str(tmp_path / "default-store.duckdb"))
    monkeypatch.setenv("CHANNELSIM_RUNS", str(tmp_path / "default-runs.duckdb"))


@contextlib.contextmanager
def _environment_variable(name: str, value: str) -> Iterator[None]:
    """``os.environ[name]`` set to ``value`` inside the block (the processes it starts
    inherit it), and as it was after."""
    import os

    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """channelsim's cache (the built world) in a folder of the test session, never the
    user's; the processes the tests start inherit it."""
    folder = tmp_path_factory.mktemp("channelsim-cache")
    with _environment_variable("CHANNELSIM_CACHE", str(folder)):
        yield


@pytest.fixture(autouse=True, scope="session")
def _private_engine_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The resident engine's folder of the test session (where no engine runs unless a test
    starts one), never the user's: a user's engine must not serve the tests' runs."""
    with _environment_variable("CHANNELSIM_ENGINE_DIR", str(tmp_path_factory.mktemp("engine"))):
        yield


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run ``channelsim ARGS...`` through its real entry point, in this process."""
    from channelsim.cli import main

    def run(*args: object) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["channelsim", *map(str, args)])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else int(done.code is not None)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


#: docs/model.md §3.6's user file: history's own (unpriced) `beach_officers` at 1,300 from 2025
#: (the 2023 deal's 500 officers again), against the 2025 status quo.
OFFICERS = f"""
base = "{REPO_ROOT / "scenarios" / "status-quo-2025.toml"}"
name = "officers-plus-500"
description = "500 more French officers on the beaches from 2025."
drop_policies = ["beach_officers"]

[[policies]]
type = "beach_officers"
name = "more_officers"
replaces = "beach_officers"
[policies.params]
dates = [2025-01-01]
values = [1300]
"""


@pytest.fixture
def officers(tmp_path: Path) -> Path:
    """:data:`OFFICERS` written as officers-plus-500.toml in the test's folder."""
    path = tmp_path / "officers-plus-500.toml"
    path.write_text(OFFICERS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """One two-process Dask LocalCluster on 127.0.0.1 per test module that asks for it; its
    workers inherit the tests' sys.path, so they can import the tests' member functions."""
    import distributed

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


@contextlib.contextmanager
def local_server(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded web server on 127.0.0.1 (a free port) answering with ``handler``; yields
    its base address ``http://127.0.0.1:PORT``. No test touches the internet."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
