"""The resident engine (``channelsim engine start|status|stop``) and ``channelsim run`` served
by it: the same bits and the same lines as a run in its own process, a private folder, a
caller's Ctrl-C or SIGTERM passed on, fallbacks, and no engine left behind.

Every engine here lives in a short folder of its own (a Unix socket's path is limited to
about 100 bytes) and is stopped (or killed) before its test ends."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from channelsim.resident import EngineError, checked_dir, sources_fingerprint
from channelsim.resident.control import lock_holder
from faults import killed_with_the_tests

REPO = Path(__file__).resolve().parent.parent
SCENARIO = REPO / "scenarios" / "status-quo-2025.toml"
SCRIPT = Path(sys.executable).with_name("channelsim")
PATIENCE_S = 180.0

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the channelsim script is needed")


def _short_folder() -> Path:
    base = "/tmp" if os.path.isdir("/tmp") else None
    return Path(tempfile.mkdtemp(prefix="cs-eng-", dir=base))


@pytest.fixture
def folder() -> Iterator[Path]:
    """A short, private, empty folder for an engine (removed after the test)."""
    path = _short_folder()
    try:
        yield path / "e"
    finally:
        shutil.rmtree(path, ignore_errors=True)


def channelsim(
    env: dict[str, str], *args: object, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``channelsim ARGS`` through its installed script (as a user types it)."""
    return subprocess.run(
        [str(SCRIPT), *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=PATIENCE_S,
    )


def _env(folder: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "CHANNELSIM_ENGINE_DIR": str(folder), **extra}


@contextlib.contextmanager
def running_engine(folder: Path, *options: str) -> Iterator[dict[str, str]]:
    """An engine started in ``folder`` for the block (its environment for the commands), and
    stopped after it: killed if ``engine stop`` did not end it, so none outlives the test."""
    env = _env(folder)
    started = channelsim(env, "engine", "start", *options)
    assert started.returncode == 0, started.stderr
    try:
        engine = lock_holder(folder / "engine.lock")
        assert engine is not None
        with killed_with_the_tests(engine):  # detached: it would outlive a killed pytest
            yield env
    finally:
        channelsim(env, "engine", "stop")
        holder = lock_holder(folder / "engine.lock")
        if holder:
            with contextlib.suppress(ProcessLookupError):
                os.kill(holder, signal.SIGKILL)
        assert holder is None, f"engine {holder} outlived engine stop"


@pytest.fixture(scope="module")
def engine() -> Iterator[dict[str, str]]:
    """One engine for the tests of served runs (the environment that reaches it); it must not
    stop idle while a long test session runs other tests between these."""
    path = _short_folder()
    try:
        with running_engine(path / "e", "--idle-minutes", "600") as env:
            yield env
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _log(env: dict[str, str]) -> str:
    return (Path(env["CHANNELSIM_ENGINE_DIR"]) / "engine.log").read_text()


def _status(env: dict[str, str]) -> str:
    done = channelsim(env, "engine", "status")
    return f"{done.returncode} {done.stdout}"


def _idle_s(status_lines: list[str]) -> float:
    """The seconds idle an ``engine status`` reports (to a tenth)."""
    [line] = [line for line in status_lines if line.startswith("  idle: ")]
    return float(line.split()[1])


def test_start_status_stop(folder: Path) -> None:
    """The lifecycle: a private folder made 0700; status exit 0 while it runs and 3 after;
    stop ends the process and removes the socket (the lock and log stay, channelsim's own)."""
    env = _env(folder)
    assert _status(env).startswith("3 resident engine: not running")
    with running_engine(folder) as env:
        assert (folder.stat().st_mode & 0o777) == 0o700
        assert (folder / "engine.sock").is_socket()
        assert _status(env).startswith("0 resident engine: running")
        # one fact a line, short enough for a narrow terminal (it was one line of 170+ chars)
        lines = channelsim(env, "engine", "status").stdout.splitlines()
        assert lines[-1] == f"  folder: {folder}" and len(lines) == 6, lines
        assert all(len(line) <= 60 for line in lines[:-1]), lines
        asked_s = time.monotonic()
        again = channelsim(env, "engine", "start")  # a second start leaves it as it is
        assert again.returncode == 0 and "running" in again.stdout, again.stderr
        # asking is no activity: the idle clock runs on and status requests are not counted
        # (a `watch channelsim engine status` kept the engine from ever stopping idle)
        between_s = time.monotonic() - asked_s  # at least this much passes between the two
        later = channelsim(env, "engine", "status").stdout.splitlines()
        assert lines[3] == later[3] == "  run requests answered: 0", (lines, later)
        assert _idle_s(later) >= _idle_s(lines) + between_s - 0.1, (lines, later, between_s)
        pid = lock_holder(folder / "engine.lock")
        assert pid
        stopped = channelsim(env, "engine", "stop")
        assert stopped.returncode == 0 and f"stopped (pid {pid})" in stopped.stdout
        assert lock_holder(folder / "engine.lock") is None
        assert not (folder / "engine.sock").exists()
        assert not _alive(pid)
    assert sorted(p.name for p in folder.iterdir()) == ["engine.lock", "engine.log"]


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to read its exit does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:  # gone (before or while it was read)
        return False
    return state != "Z"


STAMPED = {".channelsim-output.json", "tables.xlsx"}
"""Output files holding the time they were written (two runs in one process differ there)."""


def _outputs(folder: Path) -> dict[str, object]:
    """Every output file's bytes; of the two stamped with the time, all but the time."""
    found: dict[str, object] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    marker = json.loads(found[".channelsim-output.json"])  # type: ignore[arg-type]
    del marker["written"], marker["sha256"]["tables.xlsx"]
    found[".channelsim-output.json"] = marker
    with zipfile.ZipFile(folder / "tables.xlsx") as book:
        found["tables.xlsx"] = {
            name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"
        }
    return found


def test_a_served_run_gives_the_same_bits_as_one_in_its_own_process(
    engine: dict[str, str], tmp_path: Path
) -> None:
    """Every output file byte for byte, stdout and stderr, with the same seed and period."""
    args = ["run", SCENARIO, "--seed", "7", "--to", "2025-03-31", "--format", "json"]
    served = channelsim(engine, *args, "--out", "a", cwd=tmp_path)
    alone = channelsim({**engine, "CHANNELSIM_ENGINE": "off"}, *args, "--out", "b", cwd=tmp_path)
    assert (served.returncode, alone.returncode) == (0, 0), served.stderr + alone.stderr
    assert served.stderr.replace(str(tmp_path / "a"), "OUT") == alone.stderr.replace(
        str(tmp_path / "b"), "OUT"
    )
    assert json.loads(served.stdout) == json.loads(alone.stdout)
    assert _outputs(tmp_path / "a") == _outputs(tmp_path / "b")
    assert set(_outputs(tmp_path / "a")) > STAMPED and len(_outputs(tmp_path / "a")) > 5


# What the client process loaded, written at its exit (a served run exits during the import
# of channelsim, before the command line loads).
LOADED = """
import atexit, os, sys
atexit.register(lambda: open(os.environ["LOADED_TO"], "w").write("\\n".join(sorted(sys.modules))))
from channelsim.cli import main
sys.exit(main())
"""


def test_a_served_run_does_not_load_numba_in_the_callers_process(
    engine: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "channelsim"  # named as the installed script: the engine serves it
    script.write_text(LOADED)
    loaded: dict[str, set[str]] = {}
    for how, extra in (("served", {}), ("alone", {"CHANNELSIM_ENGINE": "off"})):
        listing = tmp_path / how
        env = {**engine, **extra, "LOADED_TO": str(listing)}
        done = subprocess.run(
            [sys.executable, str(script), "run", str(SCENARIO), "--to", "2025-01-10"],
            env=env,
            capture_output=True,
            text=True,
            timeout=PATIENCE_S,
        )
        assert done.returncode == 0, done.stderr
        loaded[how] = set(listing.read_text().split())
    assert "numba" in loaded["alone"] and "channelsim.engine" in loaded["alone"]
    heavy = {"numba", "numpy", "channelsim.engine", "channelsim.engine.kernels", "typer"}
    assert not heavy & loaded["served"]


def test_scenario_errors_are_the_same_line(engine: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.read_text() + "\nunknown_key = 1\n")
    for args in (["run", bad], ["run", tmp_path / "missing.toml"], ["run", SCENARIO, "--to", "x"]):
        served = channelsim(engine, *args, cwd=tmp_path)
        alone = channelsim({**engine, "CHANNELSIM_ENGINE": "off"}, *args, cwd=tmp_path)
        assert (served.returncode, served.stdout, served.stderr) == (
            alone.returncode,
            alone.stdout,
            alone.stderr,
        )
        assert served.returncode == 2 and served.stderr.count("\n") == 1, served.stderr


def test_a_run_from_a_deleted_folder_is_one_line_served_or_not(
    engine: dict[str, str], tmp_path: Path
) -> None:
    """s13 breaker B16: with an engine running, a run started in a folder deleted since was
    a 14-line FileNotFoundError traceback; without one, "no such file or folder"."""
    gone = tmp_path / "gone"
    script = f'mkdir {gone} && cd {gone} && rmdir {gone} && exec "$@"'
    run = [str(SCRIPT), "run", str(SCENARIO), "--to", "2025-01-05", "--out", "x"]
    for env in (engine, {**engine, "CHANNELSIM_ENGINE": "off"}):
        done = subprocess.run(
            ["sh", "-c", script, "sh", *run],
            env=env, capture_output=True, text=True, timeout=PATIENCE_S, check=False,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert done.stderr == (
            "error: the current folder no longer exists (deleted or moved since the shell "
            "entered it): cd to a folder that exists\n"
        )


def test_an_engine_running_other_code_is_not_used(engine: dict[str, str], tmp_path: Path) -> None:
    """A caller whose channelsim files differ from the engine's runs in its own process, with
    one line saying why (the fingerprint of its files is made to differ here)."""
    script = tmp_path / "channelsim"
    script.write_text(
        "import sys\n"
        "argv, sys.argv = sys.argv, ['x']  # import channelsim without being the command\n"
        "import channelsim.resident\n"
        "channelsim.resident.sources_fingerprint = lambda: '0' * 64\n"
        "sys.argv = argv\n"
        "from channelsim._startup import serve_through_resident_engine\n"
        "serve_through_resident_engine()\n"
        "from channelsim.cli import main\n"
        "sys.exit(main())\n"
    )
    args = ["run", str(SCENARIO), "--to", "2025-01-10", "--format", "csv"]
    done = subprocess.run(
        [sys.executable, str(script), *args],
        env=engine,
        capture_output=True,
        text=True,
        timeout=PATIENCE_S,
    )
    alone = channelsim({**engine, "CHANNELSIM_ENGINE": "off"}, *args)
    assert done.returncode == 0 and done.stdout == alone.stdout
    note = done.stderr.strip().splitlines()[0]
    said = "resident engine not used: it differs from this command in channelsim's"
    assert note.startswith(said), _log(engine)


def test_an_engine_with_other_settings_is_not_used(engine: dict[str, str]) -> None:
    """A variable read once when Python or a module starts (here the time zone) differs from
    the engine's: the run happens in its own process, saying which."""
    assert "TZ" not in engine
    args = ["run", SCENARIO, "--to", "2025-01-10", "--format", "csv"]
    done = channelsim({**engine, "TZ": "Europe/Paris"}, *args)
    assert done.returncode == 0 and done.stdout == channelsim(engine, *args).stdout
    assert done.stderr.startswith("resident engine not used: it differs from this command in TZ;")


def test_a_served_run_keeps_the_callers_file_size_limit(
    engine: dict[str, str], tmp_path: Path
) -> None:
    """``ulimit -f`` of the caller holds in the engine's child: the same one-line refusal."""
    import resource

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))

    said = []
    for extra in ({}, {"CHANNELSIM_ENGINE": "off"}):
        done = subprocess.run(
            [str(SCRIPT), "run", str(SCENARIO), "--out", str(tmp_path / "out")],
            env={**engine, **extra},
            capture_output=True,
            text=True,
            timeout=PATIENCE_S,
            preexec_fn=small_files,
        )
        said.append((done.returncode, done.stdout, done.stderr))
    assert said[0] == said[1]
    assert said[0][0] == 2 and "file-size limit" in said[0][2], said[0]
    assert not (tmp_path / "out").exists()


def test_sources_fingerprint_follows_every_file(tmp_path: Path) -> None:
    package = tmp_path / "channelsim"
    shutil.copytree(
        REPO / "src" / "channelsim", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    before = sources_fingerprint(package)
    assert before == sources_fingerprint(package)
    with (package / "scenarios" / "status-quo-2025.toml").open("a") as scenario:
        scenario.write("\n")
    assert sources_fingerprint(package) != before


def _hold(fifo: Path) -> int:
    """Wait until a process reads the scenario ``fifo`` (the run is then inside the engine's
    child, blocked reading it); a writer's descriptor that keeps it blocked."""
    deadline = time.monotonic() + PATIENCE_S
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            assert error.errno == errno.ENXIO and time.monotonic() < deadline
            time.sleep(0.01)


def _held_run(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    fifo = tmp_path / "held.toml"
    os.mkfifo(fifo)
    client = subprocess.Popen(
        [str(SCRIPT), "run", str(fifo), "--out", str(tmp_path / "out")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return client, _hold(fifo)


@pytest.mark.parametrize(
    ("signal_number", "code", "reason"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped by SIGTERM")],
)
def test_a_stopped_caller_is_one_line_and_the_engine_serves_on(
    engine: dict[str, str], tmp_path: Path, signal_number: int, code: int, reason: str
) -> None:
    """Ctrl-C or SIGTERM of ``run`` while the engine's child runs it: the child stops as the
    command does in its own process (one line, 130 or 143, nothing written), no traceback
    anywhere, and the engine serves the next run."""
    client, writer = _held_run(engine, tmp_path)
    try:
        client.send_signal(signal_number)
        out, err = client.communicate(timeout=PATIENCE_S)
    finally:
        os.close(writer)
        client.kill()
    assert client.returncode == code, err
    assert err == f"{reason}; nothing was written to {tmp_path / 'out'}\n"
    assert out == "" and not (tmp_path / "out").exists()
    after = channelsim(engine, "run", SCENARIO, "--to", "2025-01-05", "--format", "csv")
    assert after.returncode == 0 and after.stderr == ""
    log = Path(engine["CHANNELSIM_ENGINE_DIR"]) / "engine.log"
    assert "Traceback" not in log.read_text()


def test_a_killed_caller_stops_its_child_and_nothing_is_written(
    engine: dict[str, str], tmp_path: Path
) -> None:
    """``run`` killed outright (SIGKILL): its child sees the connection close and stops as on
    SIGTERM; no output folder, and the engine serves on."""
    client, writer = _held_run(engine, tmp_path)
    try:
        child = _serving(engine)
        client.kill()
        client.communicate(timeout=PATIENCE_S)
        deadline = time.monotonic() + PATIENCE_S
        while _alive(child[0]):
            assert time.monotonic() < deadline, "the child outlived its caller"
            time.sleep(0.02)
    finally:
        os.close(writer)
        client.kill()
    assert not (tmp_path / "out").exists()
    assert _status(engine).startswith("0 resident engine: running")


def test_a_killed_child_is_one_line_and_exit_2(engine: dict[str, str], tmp_path: Path) -> None:
    """The engine's child serving the run is killed: the caller says so in one line and exits
    2 (it cannot run the command itself: part of its output may be out); nothing written."""
    client, writer = _held_run(engine, tmp_path)
    try:
        serving = _serving(engine)
        assert len(serving) == 1, serving
        os.kill(serving[0], signal.SIGKILL)
        out, err = client.communicate(timeout=PATIENCE_S)
    finally:
        os.close(writer)
        client.kill()
    assert client.returncode == 2 and out == ""
    assert err.startswith("error: the resident engine's process serving this run ended")
    assert err.count("\n") == 1 and not (tmp_path / "out").exists()
    assert _status(engine).startswith("0 resident engine: running")


def _serving(env: dict[str, str]) -> list[int]:
    """The pids of the engine's children serving runs (from the engine's own status)."""
    from channelsim.resident.client import connect
    from channelsim.resident.wire import receive, send

    conn = connect(Path(env["CHANNELSIM_ENGINE_DIR"]), 30.0)
    assert conn is not None
    with conn:
        send(conn, {"request": "status"})
        status, _ = receive(conn)
    return [pid for pid in status["serving"] if _alive(pid)]  # not one ending as it is asked


def test_a_run_outlives_its_killed_engine_and_the_stale_socket_goes(
    folder: Path, tmp_path: Path
) -> None:
    """The engine killed (SIGKILL) while its child serves a run: the run finishes; the socket
    it leaves is reported, never used, and removed by ``engine stop`` (a socket that refuses
    connections, under the folder's lock)."""
    with running_engine(folder) as env:
        client, writer = _held_run(env, tmp_path)
        try:
            pid = lock_holder(folder / "engine.lock")
            assert pid
            os.kill(pid, signal.SIGKILL)
            history = REPO / "scenarios" / "history.toml"
            text = SCENARIO.read_text().replace('"history.toml"', json.dumps(str(history)))
            os.write(writer, text.replace("end = 2025-12-31", "end = 2025-01-09").encode())
        finally:
            os.close(writer)
        _, err = client.communicate(timeout=PATIENCE_S)
        assert client.returncode == 0, err
        assert "outputs written to" in err and (tmp_path / "out" / "daily.parquet").exists()
        assert lock_holder(folder / "engine.lock") is None
        assert (folder / "engine.sock").is_socket()  # left behind
        status = channelsim(env, "engine", "status")
        assert status.returncode == 3 and "a socket of an engine that ended" in status.stdout
        restarted = channelsim(env, "engine", "start")  # removes it, and listens anew
        assert restarted.returncode == 0, restarted.stderr
        assert _status(env).startswith("0 resident engine: running")


def test_a_stale_socket_is_ignored_and_removed_but_no_other_file(folder: Path) -> None:
    """A socket nobody listens on (its engine died): ``run`` runs in its own process without a
    word, ``engine stop`` removes it; a file of another kind in its place is never removed."""
    folder.mkdir(mode=0o700)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(folder / "engine.sock"))
    stale.close()
    env = _env(folder)
    served = channelsim(env, "run", SCENARIO, "--to", "2025-01-03", "--format", "csv")
    assert served.returncode == 0 and served.stderr == ""
    stopped = channelsim(env, "engine", "stop")
    assert "removed the socket" in stopped.stdout, stopped.stderr
    assert not (folder / "engine.sock").exists()
    (folder / "engine.sock").write_text("mine")  # not a socket: never removed
    refused = channelsim(env, "engine", "stop")
    assert refused.returncode == 2 and "found another kind of file" in refused.stderr
    assert (folder / "engine.sock").read_text() == "mine"


def test_idle_engine_stops_by_itself(folder: Path) -> None:
    """``--idle-minutes`` (0.01: under a second) ends the engine, which removes its socket."""
    with running_engine(folder, "--idle-minutes", "0.01"):
        deadline = time.monotonic() + PATIENCE_S
        while lock_holder(folder / "engine.lock") is not None:
            assert time.monotonic() < deadline, "the idle engine did not stop"
            time.sleep(0.05)
        assert not (folder / "engine.sock").exists()
        assert "stopped (idle for 0.01 minutes)" in (folder / "engine.log").read_text()


def test_an_unsafe_folder_is_refused(folder: Path) -> None:
    """A folder others may write to, a link, or one of another user: one line from the
    engine's commands; ``run`` runs in its own process (saying why) and gives its result."""
    folder.mkdir()
    folder.chmod(0o777)
    env = _env(folder)
    for command in ("start", "status", "stop"):
        done = channelsim(env, "engine", command)
        assert done.returncode == 2, done.stdout
        assert done.stderr == (
            f"error: {folder}: not used for the resident engine: others may write to it "
            "(mode 777); expected a private folder (chmod 700)\n"
        )
    (folder / "engine.sock").touch()
    ran = channelsim(env, "run", SCENARIO, "--to", "2025-01-03", "--format", "csv")
    assert ran.returncode == 0 and ran.stdout, ran.stderr
    assert ran.stderr.startswith(f"resident engine not used: {folder}: not used")
    link = folder.parent / "link"
    link.symlink_to(folder)
    with pytest.raises(EngineError, match="symbolic link"):
        checked_dir(link, create=False)
    folder.chmod(0o700)
    with pytest.raises(EngineError, match=f"belongs to user {os.getuid()}, not to you"):
        checked_dir(folder, create=False, uid=os.getuid() + 1)
    assert checked_dir(folder, create=False) == folder


def test_a_folder_of_the_users_files_is_refused_and_left_untouched(folder: Path) -> None:
    """``CHANNELSIM_ENGINE_DIR`` naming a folder of the user's own (a project, an output
    folder, ``/``): the engine wrote its lock and log there (and an output folder then refused
    ``--force`` for them); now one line, and the folder is as it was."""
    folder.mkdir(mode=0o700)
    (folder / "notes.txt").write_text("mine\n")
    done = channelsim(_env(folder), "engine", "start")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"error: {folder}: not used for the resident engine: it holds other files (notes.txt); "
        "expected a folder of the engine's own, empty or holding only engine.sock, engine.lock "
        "and engine.log\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_idle_minutes_must_be_positive(folder: Path) -> None:
    done = channelsim(_env(folder), "engine", "start", "--idle-minutes", "0")
    assert done.returncode == 2
    assert (
        done.stderr == "error: --idle-minutes: expected minutes above 0 and at most 10080, got 0\n"
    )
    assert not folder.exists()


def _members(store: Path) -> dict[str, bytes]:
    """Every member file of the store's one run, by its path below the run's folder."""
    [run] = (store.parent / f"{store.name}.members").iterdir()
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*.parquet"))}


def _without_run_id(text: str) -> dict[str, object]:
    payload = json.loads(text)
    for key in ("run_id", "elapsed_s", "code_version"):
        payload.pop(key)
    return payload


def test_a_served_ensemble_gives_the_same_bits_as_one_in_its_own_process(
    engine: dict[str, str], tmp_path: Path
) -> None:
    """``run --runs N`` served: the engine's child drives it and its pool's workers fork from
    that child (the engine loaded, no fork server); its summary and every member's file are
    those of the ensemble run in its own process, and the caller loads neither NumPy nor
    Numba."""
    script = tmp_path / "channelsim"  # named as the installed script: the engine serves it
    script.write_text(LOADED)
    args = [
        "run", SCENARIO, "--seed", "3", "--to", "2025-02-28", "--runs", "6", "--workers", "2",
        "--format", "json",
    ]  # fmt: skip
    listing = tmp_path / "loaded"
    served = subprocess.run(
        [sys.executable, str(script), *map(str, args), "--runs-store", str(tmp_path / "a.db")],
        env={**engine, "LOADED_TO": str(listing)},
        capture_output=True,
        text=True,
        timeout=PATIENCE_S,
    )
    alone = channelsim(
        {**engine, "CHANNELSIM_ENGINE": "off"}, *args, "--runs-store", tmp_path / "b.db"
    )
    assert (served.returncode, alone.returncode) == (0, 0), served.stderr + alone.stderr
    assert not {"numpy", "numba", "typer"} & set(listing.read_text().split())
    assert _without_run_id(served.stdout) == _without_run_id(alone.stdout)
    assert _members(tmp_path / "a.db") == _members(tmp_path / "b.db")
    assert len(_members(tmp_path / "a.db")) == 6


def _engine_processes(env: dict[str, str]) -> list[int]:
    """The engine and every live process descended from it (its children and their pools'
    workers), found by parent process id: not by command line, which every engine started
    the same way shares (another test's engine, running at the same time in the other
    pytest worker, was counted as one of this engine's and failed the test)."""
    engine_pid = int((Path(env["CHANNELSIM_ENGINE_DIR"]) / "engine.lock").read_text())
    parent_of = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            if entry.name.isdigit():
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if fields[0] != "Z":
                    parent_of[int(entry.name)] = int(fields[1])
    found = {engine_pid} if engine_pid in parent_of else set()
    while grown := {pid for pid, parent in parent_of.items() if parent in found} - found:
        found |= grown
    return sorted(found)


@pytest.mark.parametrize(
    ("signal_number", "code", "reason"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped by SIGTERM")],
)
def test_a_stopped_served_ensemble_keeps_its_members_and_leaves_no_process(
    engine: dict[str, str], tmp_path: Path, signal_number: int, code: int, reason: str
) -> None:
    """Ctrl-C or SIGTERM of ``run --runs N`` served by the engine: the child stops its
    workers and the run as in its own process (exit 130 or 143, the members recorded so far
    kept, ``--resume`` finishes it), no process of it is left, and the engine serves on."""
    store = tmp_path / "runs.duckdb"
    args = [
        "run", SCENARIO, "--to", "2025-01-31", "--runs", "300", "--workers", "2",
        "--runs-store", store, "--format", "json",
    ]  # fmt: skip
    client = subprocess.Popen(
        [str(SCRIPT), *map(str, args)], env=engine, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        members = Path(f"{store}.members")
        deadline = time.monotonic() + PATIENCE_S
        while not list(members.glob("*/*")) and client.poll() is None:
            assert time.monotonic() < deadline, "no member was recorded in time"
            time.sleep(0.02)
        assert _serving(engine), "the run is not the engine's"
        assert len(_engine_processes(engine)) >= 4  # the engine, its child, two workers
        client.send_signal(signal_number)
        out, err = client.communicate(timeout=PATIENCE_S)
    finally:
        client.kill()
    assert client.returncode == code, err
    assert reason in err and "Traceback" not in err and out == ""
    deadline = time.monotonic() + PATIENCE_S
    while len(_engine_processes(engine)) > 1:  # the engine alone
        assert time.monotonic() < deadline, f"left running: {_engine_processes(engine)}"
        time.sleep(0.05)
    resumed = channelsim(engine, *args, "--resume", "latest")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["runs"] == 300
    assert "Traceback" not in _log(engine)


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler"),
        ("foo", "--scheduler: expected a Dask scheduler address tcp://HOST:PORT, got 'foo'"),
    ],
)
def test_an_ensemble_on_a_dask_cluster_is_not_served(
    engine: dict[str, str], address: str, error: str
) -> None:
    """``--scheduler``: the cluster's workers load the engine themselves; the run is the
    caller's own. Its error is its one line: a note that the engine was not used came first."""
    done = channelsim(engine, "run", SCENARIO, "--runs", "2", "--scheduler", address)
    [line] = done.stderr.splitlines()
    assert done.returncode == 2 and line.startswith("error: ") and error in line, done.stderr


def test_a_relative_engine_folder_is_the_callers(folder: Path) -> None:
    """``CHANNELSIM_ENGINE_DIR=e`` from a project folder: the engine, which moves to ``/``,
    made ``/e`` and ran there unseen by ``engine stop``, while ``engine start`` said 'ended as
    it started (pid None)' with exit 0. The folder is the caller's ``./e``, for every command."""
    here, name = folder.parent, f"rel-{folder.parent.name}"
    env = {**os.environ, "CHANNELSIM_ENGINE_DIR": name}
    started = channelsim(env, "engine", "start", cwd=here)
    try:
        assert started.returncode == 0 and "running" in started.stdout, started.stderr
        assert f"in {here / name}" in started.stdout
        assert (here / name / "engine.sock").is_socket()
        assert not os.path.lexists(Path("/") / name)
        status = channelsim(env, "engine", "status", cwd=here)
        assert status.returncode == 0 and f"  folder: {here / name}" in status.stdout
        stopped = channelsim(env, "engine", "stop", cwd=here)
        assert stopped.returncode == 0 and "stopped (pid" in stopped.stdout, stopped.stderr
    finally:
        holder = lock_holder(here / name / "engine.lock")
        if holder:
            os.kill(holder, signal.SIGKILL)
    assert lock_holder(here / name / "engine.lock") is None


def test_the_engine_is_given_absolute_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative CHANNELSIM_CACHE made the engine, which runs from /, write its world cache
    at /relcache (s10 re-trial, breaker F1)."""
    from channelsim.resident.control import engine_environment

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHANNELSIM_CACHE", "relcache")
    monkeypatch.setenv("CHANNELSIM_RUNS", "runs.duckdb")
    monkeypatch.delenv("CHANNELSIM_STORE", raising=False)
    env = engine_environment(tmp_path / "engine")
    assert env["CHANNELSIM_CACHE"] == str(tmp_path / "relcache")
    assert env["CHANNELSIM_RUNS"] == str(tmp_path / "runs.duckdb")
    assert "CHANNELSIM_STORE" not in env


def test_two_starts_at_once_give_one_engine_and_the_same_answer(folder: Path) -> None:
    """s13 breaker B9: a start racing another said "error: a resident engine already runs"
    (rc 2) where a start after it said it runs (rc 0); the same state, one answer now."""
    env = _env(folder)
    starts = [
        subprocess.Popen([str(SCRIPT), "engine", "start"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    try:
        done = [p.communicate(timeout=PATIENCE_S) for p in starts]
        assert [p.returncode for p in starts] == [0, 0], done
        assert all("resident engine" in out and not err.count("error") for out, err in done)
    finally:
        channelsim(env, "engine", "stop")


def test_a_killed_serving_child_of_an_ensemble_says_how_to_resume() -> None:
    from channelsim.resident.client import _resume

    argv = ["channelsim", "run", "my scenario.toml", "--runs", "80", "--resume", "r1"]
    assert _resume(argv) == (
        "; if it recorded members, resume it with "
        "`channelsim run 'my scenario.toml' --runs 80 --resume latest`"
    )
    assert _resume(["channelsim", "run", "x.toml"]) == ""


def test_a_stop_during_the_warm_up_ends_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """`engine start` then Ctrl-C: the start sends the loading engine SIGTERM, which a
    warm-up run's command line took as that run's end (exit 143), and the warm-up went on:
    the engine came up anyway and `engine start` waited for it to end (s15 B14)."""
    import channelsim.cli
    from channelsim.resident import server

    calls: list[list[str]] = []

    def stopped() -> None:
        calls.append(list(sys.argv))
        raise SystemExit(143)

    cli_modules = {n: m for n, m in sys.modules.items() if n.startswith("channelsim.cli")}
    monkeypatch.setattr(channelsim.cli, "main", stopped)
    monkeypatch.setattr(server, "ENSEMBLE_MODULES", ())
    try:
        with pytest.raises(SystemExit) as done:
            server.warm_up()
    finally:
        sys.modules.update(cli_modules)  # the warm-up forgets them once it has run them all
    assert done.value.code == 143 and len(calls) == 1


def test_an_engine_that_does_not_stop_while_loading_is_killed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`engine start` stopped by Ctrl-C waits a few seconds at most for the engine it
    started: one deaf to SIGTERM is killed, not waited for without end."""
    from channelsim.resident import control

    monkeypatch.setattr(control, "STOP_WAIT_S", 0.2)
    deaf = subprocess.Popen(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, "
         "signal.SIG_IGN); print(flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert deaf.stdout is not None and deaf.stdout.readline() == b"\n"  # deaf by now
        started = time.monotonic()
        control._end(deaf)
        assert deaf.returncode == -signal.SIGKILL and time.monotonic() - started < 5
    finally:
        deaf.kill()
        deaf.wait()
