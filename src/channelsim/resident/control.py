"""Starting, asking and stopping the resident engine (``channelsim engine start|status|stop``).

The folder's lock file tells whether an engine lives (it holds an exclusive ``flock`` for its
whole life and records its pid); the socket tells whether it listens. A socket with no engine
behind it (one killed without a chance to remove it) is removed by ``start`` and ``stop``,
under the lock, once it is checked to be a socket that refuses connections.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from channelsim.interrupts import signals_deferred
from channelsim.resident import (
    ENGINE_DIR_ENV,
    LOCK_NAME,
    LOG_NAME,
    SOCKET_NAME,
    EngineError,
    EngineRunning,
    checked_dir,
    differences,
    engine_dir,
    identity,
)
from channelsim.resident.client import connect, peer
from channelsim.resident.wire import WireError, receive, send

START_TIMEOUT_S = 900.0
"""How long ``start`` waits for the engine to load (compiling the kernels after an install
takes a minute or more on a loaded machine)."""

STOP_TIMEOUT_S = 60.0

MAX_SOCKET_PATH = 107
"""The longest path of a Unix socket (Linux: 108 bytes with the final NUL)."""


@dataclass(frozen=True)
class EngineState:
    """What ``engine status`` reports: ``running`` (with the engine's own ``status``),
    ``starting`` (the lock is held, nothing listens yet), or ``stopped`` (``stale`` if a
    socket of an engine that ended is left)."""

    folder: Path
    state: str
    pid: int | None = None
    status: dict[str, Any] | None = None
    stale: bool = False

    def out_of_date(self) -> list[str]:
        """What differs between the engine's code and settings and this process's."""
        if self.status is None:
            return []
        return differences(self.status.get("identity") or {}, identity())


def folder(create: bool = False) -> Path | None:
    """The engine's folder, checked (:func:`channelsim.resident.checked_dir`); None if it
    does not exist and ``create`` is false. Raises :class:`EngineError` for a socket path too
    long for the system."""
    path = engine_dir()
    if len(os.fsencode(path / SOCKET_NAME)) > MAX_SOCKET_PATH:
        raise EngineError(
            f"{path}: too long a path for the engine's socket (at most "
            f"{MAX_SOCKET_PATH - len(SOCKET_NAME) - 1} bytes); set {ENGINE_DIR_ENV} to a "
            "shorter one"
        )
    return checked_dir(path, create=create)


def state() -> EngineState:
    """Whether an engine runs in the folder, and its own account of itself."""
    where = folder()
    if where is None:
        return EngineState(engine_dir(), "stopped")
    conn = connect(where, 10.0)
    if conn is not None:
        with conn:
            pid, _ = peer(conn)
            try:
                send(conn, {"request": "status"})
                status, _ = receive(conn)
            except (WireError, OSError) as error:
                raise EngineError(
                    f"{where}: the resident engine did not answer ({error})"
                ) from None
        return EngineState(where, "running", pid or status.get("pid"), status)
    holder = lock_holder(where / LOCK_NAME)
    if holder is not None:
        return EngineState(where, "starting", holder)
    return EngineState(where, "stopped", stale=os.path.lexists(where / SOCKET_NAME))


def start(idle_minutes: float, announce: Callable[[], None] = lambda: None) -> EngineState:
    """Start an engine detached from this process (its own session, stdin from /dev/null,
    output to the folder's log, no other descriptor inherited) and wait until it listens.
    Returns its state; an engine already running is left as it is (see ``state``).
    ``announce()`` is called once the engine is about to load.

    Raises :class:`EngineError` if it fails to start (the log's path in the message)."""
    where = folder(create=True)
    assert where is not None
    now = state()
    if now.state != "stopped":
        return now
    announce()
    read_end, write_end = os.pipe()
    log_path = where / LOG_NAME
    with open(log_path, "ab") as log:
        os.chmod(log_path, 0o600)
        engine = subprocess.Popen(
            [
                sys.executable,
                *("-m", "channelsim.resident.server"),
                *("--idle-minutes", repr(idle_minutes), "--ready-fd", str(write_end)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            # the caller's folder, where a relative PYTHONPATH means what it means here (the
            # engine moves to / once its module path is made absolute)
            env=engine_environment(where),
            start_new_session=True,
            pass_fds=(write_end,),
        )
    os.close(write_end)
    try:
        said = _read_all(read_end)
    except BaseException as error:  # Ctrl-C while it loads: it goes too
        with signals_deferred():  # a second Ctrl-C would leave it running
            _end(engine)
        if isinstance(error, KeyboardInterrupt):
            error.add_note(f"the resident engine it was starting (pid {engine.pid}) was stopped")
        raise
    for line in said.splitlines():
        reply = json.loads(line)
        if "error" in reply:
            engine.wait()
            if reply.get("already"):  # another start's engine won the race: as if it ran
                return state()
            raise EngineError(str(reply["error"]))
        return state()
    code = engine.wait()
    raise EngineError(f"the resident engine ended while starting (exit {code}); see {log_path}")


STOP_WAIT_S = 5.0
"""How long an engine told to stop while it loads has before it is killed."""


def _end(engine: subprocess.Popen[bytes]) -> None:
    """Stop an engine still loading: SIGTERM, then SIGKILL after :data:`STOP_WAIT_S`."""
    engine.terminate()
    try:
        engine.wait(timeout=STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        engine.kill()
        engine.wait()


#: Environment variables naming channelsim's own folders and stores besides the engine's.
PATH_ENVS = ("CHANNELSIM_CACHE", "CHANNELSIM_STORE", "CHANNELSIM_RUNS")


def engine_environment(where: Path) -> dict[str, str]:
    """The engine's environment: the caller's, with the engine's folder ``where`` and every
    folder of :data:`PATH_ENVS` made absolute from the caller's folder (the engine runs from
    ``/``: a relative CHANNELSIM_CACHE made it write 28 MB at ``/relcache``)."""
    env = {**os.environ, ENGINE_DIR_ENV: str(where)}
    env.update({name: os.path.abspath(env[name]) for name in PATH_ENVS if env.get(name)})
    return env


def _read_all(fd: int) -> str:
    chunks = []
    with contextlib.closing(_Fd(fd)):
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


class _Fd:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        os.close(self.fd)


def stop() -> EngineState:
    """Stop the engine (SIGTERM; it removes its socket) and wait until it has ended; remove a
    stale socket. Returns the state found before stopping."""
    found = state()
    if found.state == "stopped":
        if found.stale:
            with held_lock(found.folder / LOCK_NAME) as held:
                if held:
                    remove_stale_socket(found.folder / SOCKET_NAME)
        return found
    assert found.pid is not None
    with contextlib.suppress(ProcessLookupError):
        os.kill(found.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while lock_holder(found.folder / LOCK_NAME) is not None:
        if time.monotonic() > deadline:
            raise EngineError(f"the resident engine (pid {found.pid}) did not stop in time")
        time.sleep(0.05)
    return found


def lock_holder(path: Path) -> int | None:
    """The pid recorded in the folder's lock if an engine holds it, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else 0
        return None
    finally:
        os.close(fd)


def take_lock(path: Path) -> int:
    """Hold the folder's lock (one engine per folder) and record this process's pid in it.
    Raises :class:`EngineError` if an engine holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise EngineRunning(
            f"a resident engine already runs in {path.parent} (pid {holder})"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


@contextlib.contextmanager
def held_lock(path: Path) -> Iterator[bool]:
    """The folder's lock for the block (True), or False if an engine holds it."""
    try:
        fd = take_lock(path)
    except EngineError:
        yield False
        return
    try:
        yield True
    finally:
        os.close(fd)


def remove_stale_socket(path: Path) -> bool:
    """Remove ``path`` if it is a socket that refuses connections (call with the folder's lock
    held: its engine is gone). Anything else there is refused, never removed. True if removed.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISSOCK(info.st_mode):
        raise EngineError(f"{path}: expected the engine's socket, found another kind of file")
    import socket

    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except ConnectionRefusedError:
        os.unlink(path)
        return True
    finally:
        probe.close()
    raise EngineError(f"{path}: a process answers on the engine's socket without its lock")
