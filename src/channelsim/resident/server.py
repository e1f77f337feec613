"""The resident engine's process (``python -m channelsim.resident.server``, started detached by
``channelsim engine start``; see :mod:`channelsim.resident` for what it is and its rules).

Lifecycle: take the folder's lock (one engine per folder), remove a stale socket, load
everything a run loads and run the shipped scenarios once (Numba's registries, the compiled
kernels of each scenario's record types, the world), then listen. Each connection is served
by a forked child (:func:`_serve`); the engine itself only accepts, forks and reaps. It exits
on ``engine stop`` (SIGTERM), SIGINT, SIGHUP or after its idle time without a request,
removing its socket.

The command-line modules (``channelsim.cli``) read the terminal and the environment when they
load (Rich's consoles); the engine loads them for its warm-up and then forgets them, and each
child loads them again once the caller's terminal and environment are in place.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from channelsim.errors import ChannelsimError, HungUp, Terminated
from channelsim.resident import (
    DEFAULT_IDLE_MINUTES,
    LOCK_NAME,
    LOG_NAME,
    SOCKET_NAME,
    EngineRunning,
    checked_dir,
    differences,
    engine_dir,
    identity,
)
from channelsim.resident.control import remove_stale_socket, take_lock
from channelsim.resident.wire import WireError, receive, send

HANDSHAKE_TIMEOUT_S = 10.0
"""How long a child waits for its caller's request, and then for its go-ahead."""

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Set to 1 in the engine before NumPy loads: its BLAS then starts no thread of its own, so
that the workers of an ensemble served here, forked from the engine's child, copy a process
with one thread (the engine's kernels use no BLAS; a run's bits do not depend on it)."""


def main(argv: list[str] | None = None) -> None:
    """Run the engine until it is stopped; report readiness (or the one-line reason it cannot
    start) as a JSON line on ``--ready-fd``."""
    parser = argparse.ArgumentParser(prog="channelsim-engine")
    parser.add_argument("--idle-minutes", type=float, default=DEFAULT_IDLE_MINUTES)
    parser.add_argument("--ready-fd", type=int, default=None)
    args = parser.parse_args(argv)
    os.umask(0o077)
    os.chdir("/")  # keeps no folder of the user's busy (the module path is absolute by now)
    os.environ.update(dict.fromkeys(BLAS_THREADS, "1"))  # before NumPy loads: see below
    try:
        engine = Engine.prepare(args.idle_minutes * 60.0)
    except (ChannelsimError, OSError) as error:
        already = isinstance(error, EngineRunning)  # a start that raced another start
        _report(args.ready_fd, {"error": str(error), "already": already})
        raise SystemExit(2) from None
    _report(args.ready_fd, {"pid": os.getpid(), "socket": str(engine.socket_path)})
    engine.serve_forever()


def _report(fd: int | None, message: dict[str, Any]) -> None:
    print(f"engine: {json.dumps(message)}", flush=True)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.write(fd, (json.dumps(message) + "\n").encode())
            os.close(fd)


class Engine:
    """The listening engine: its socket, lock, children and idle clock."""

    def __init__(self, folder: Path, lock_fd: int, idle_s: float, ident: dict[str, Any]) -> None:
        self.folder = folder
        self.lock_fd = lock_fd
        self.idle_s = idle_s
        self.identity = ident
        self.socket_path = folder / SOCKET_NAME
        self.started = time.time()
        self.last_active = time.monotonic()
        self.children: dict[int, float] = {}
        self.served = 0
        self.stop_reason: str | None = None
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.wake_r, self.wake_w = os.pipe()

    @classmethod
    def prepare(cls, idle_s: float) -> Engine:
        """Lock the folder, load and warm everything, then bind the socket."""
        folder = checked_dir(engine_dir(), create=True)
        assert folder is not None
        ident = identity()  # before loading: a file edited while loading is a mismatch
        lock_fd = take_lock(folder / LOCK_NAME)
        with contextlib.suppress(FileNotFoundError):  # the log of this engine only
            os.truncate(folder / LOG_NAME, 0)
        remove_stale_socket(folder / SOCKET_NAME)
        warm_up()
        engine = cls(folder, lock_fd, idle_s, ident)
        engine.listener.bind(str(engine.socket_path))
        engine.listener.listen(64)
        engine.bound = os.stat(engine.socket_path)
        return engine

    def serve_forever(self) -> None:
        """Accept, fork, reap, until stopped or idle; then remove the socket."""
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_w)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_stop)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # wakes the loop
        tasks = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 0
        print(f"engine: serving on {self.socket_path} ({tasks or '?'} threads)", flush=True)
        try:
            while self.stop_reason is None:
                self._step()
        finally:
            self._close()
        print(f"engine: stopped ({self.stop_reason})", flush=True)

    def _on_stop(self, signum: int, frame: object) -> None:
        self.stop_reason = signal.Signals(signum).name

    def _step(self) -> None:
        self._reap()
        timeout = None
        if not self.children:
            timeout = max(0.0, self.last_active + self.idle_s - time.monotonic())
            if timeout == 0.0:
                self.stop_reason = f"idle for {self.idle_s / 60:g} minutes"
                return
        listening = self.listener.fileno()
        ready, _, _ = select.select([listening, self.wake_r], [], [], timeout)
        if self.wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                while os.read(self.wake_r, 512):
                    pass
        if listening in ready and self.stop_reason is None:
            self._accept()

    def _accept(self) -> bool:
        """Serve one caller in a forked child; False if none was waiting."""
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return False
        conn.setblocking(True)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                self._become_child()
                code = _serve(conn, self._status())
            except BaseException:  # in the engine's log: the caller runs the command itself
                traceback.print_exc()
            finally:
                os._exit(code)
        conn.close()
        self.children[pid] = time.time()
        return True

    def _become_child(self) -> None:
        """Drop the engine's listening socket, lock, wake-up pipe and signal handlers."""
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.listener.close()
        for fd in (self.lock_fd, self.wake_r, self.wake_w):
            os.close(fd)

    def _status(self) -> dict[str, Any]:
        return {
            "pid": os.getppid(),
            "version": self.identity["version"],
            "started": self.started,
            "idle_minutes": self.idle_s / 60,
            "idle_s": round(time.monotonic() - self.last_active, 1),
            "serving": sorted(self.children),
            "served": self.served,
            "folder": str(self.folder),
            "identity": self.identity,
        }

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            if self.children.pop(pid, None) is not None and not _was_status(status):
                self.last_active = time.monotonic()
                self.served += 1

    def _close(self) -> None:
        """Remove the socket if it is still the one this engine bound (callers from now on
        find no engine and run in their own process), serve the callers that connected before
        that (closing their connections unanswered would fail them), then stop listening."""
        with contextlib.suppress(OSError):
            now = os.lstat(self.socket_path)
            if (now.st_dev, now.st_ino) == (self.bound.st_dev, self.bound.st_ino):
                os.unlink(self.socket_path)
        self.listener.setblocking(False)
        while self._accept():
            pass
        self.listener.close()

    bound: os.stat_result


STOPPED = (130, Terminated.exit_code, HungUp.exit_code)
"""The command line's exit codes of Ctrl-C, SIGTERM and SIGHUP. While a warm-up run holds the
command line's handlers, a SIGTERM (``engine start`` stopped by Ctrl-C) ends that run with
one of them: it was taken as the run's end and the warm-up went on, so the engine ignored
the stop, came up anyway, and ``engine start`` waited for it to end (s15 B14)."""


def warm_up() -> None:
    """Load what a run loads and run each shipped scenario once, through the command line
    (its output discarded), then forget the command-line modules (see the module's
    docstring). A scenario that fails here fails the same way when asked for."""
    from importlib import resources

    from channelsim.cli import main as cli_main

    folder = Path(str(resources.files("channelsim") / "scenarios"))
    for path in sorted(folder.glob("*.toml")):
        argv = ["channelsim", "run", str(path), "--to", "2025-01-31"]
        if path.name == "status-quo-2025.toml":
            argv = argv[:3]  # the whole year: the table and the headline too
        before = sys.argv
        sys.argv = argv
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                cli_main()
            except SystemExit as done:
                if done.code in STOPPED:  # the command line took a stop meant for the engine
                    raise
            finally:
                sys.argv = before
    for name in [
        n for n in sys.modules if n == "channelsim.cli" or n.startswith("channelsim.cli.")
    ]:
        del sys.modules[name]
    for name in ENSEMBLE_MODULES:
        importlib.import_module(name)


ENSEMBLE_MODULES = (
    "channelsim.experiments.runs",
    "channelsim.experiments.executor",
    "channelsim.runstore",
    "pyarrow.parquet",
)
"""What the driver of ``run --runs N`` loads beyond a single run (PyArrow, DuckDB; not pandas,
which it loads only for an ``--out`` folder, a resumed run's members or an imported data
store's figures), loaded by the engine too (imported only: none of them has started a
thread)."""


STATUS_ANSWERED = 64
"""A child's exit code once it has answered a status request: the engine counts the request
neither as served nor as activity (asking whether it runs must not keep it running)."""


def _was_status(wait_status: int) -> bool:
    """Whether a child that ended with ``wait_status`` (``os.waitpid``'s) answered a status."""
    return os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == STATUS_ANSWERED


def _serve(conn: socket.socket, status: dict[str, Any]) -> int:
    """In a forked child: answer one connection (a status request, or a run) and return the
    child's exit code (:data:`STATUS_ANSWERED` for a status request)."""
    conn.settimeout(HANDSHAKE_TIMEOUT_S)
    fds: list[int] = []
    try:
        if not _same_user(conn):
            return 1
        request, fds = receive(conn, max_fds=3)
        if request.get("request") == "status":
            send(conn, status)
            return STATUS_ANSWERED
        go = _handshake(conn, request, fds, status)
    except (WireError, OSError) as error:
        print(f"engine: request {os.getpid()} not served: {error!r}", flush=True)
        go = False
    if not go:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        return 0
    conn.settimeout(None)
    return _run_request(conn, request)


def _handshake(
    conn: socket.socket, request: dict[str, Any], fds: list[int], status: dict[str, Any]
) -> bool:
    """Check a run's caller and take on its context: True once the caller said go."""
    if request.get("request") != "run" or len(fds) != 3:
        send(conn, {"status": "refused", "why": ["an unknown request"]})
        return False
    why = differences(status["identity"], request.get("identity") or {})
    if why:
        send(conn, {"status": "mismatch", "why": why, "version": status["version"]})
        return False
    try:
        _take_context(request, fds)
    except OSError as error:
        send(conn, {"status": "refused", "why": [f"cannot take on the caller's context: {error}"]})
        return False
    finally:
        fds.clear()  # closed, or now the child's own stdin, stdout and stderr
    send(conn, {"status": "ready", "pid": os.getpid()})
    go, _ = receive(conn)
    return go.get("go") is True


def _same_user(conn: socket.socket) -> bool:
    peer = getattr(socket, "SO_PEERCRED", None)
    if peer is None:
        return True  # the folder's mode is the protection where the system cannot tell
    import struct

    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, peer, 12))
    return uid == os.getuid()


def _run_request(conn: socket.socket, request: dict[str, Any]) -> int:
    """Run the caller's command as its own process would (in the caller's terminal, folder and
    environment: :func:`_take_context`), and send back the exit code."""
    from channelsim.experiments.executor import fork_workers_from_here

    fork_workers_from_here()  # an ensemble's workers: forked from here, the engine loaded
    watcher = threading.Thread(target=_watch, args=(conn,), daemon=True)
    watcher.start()
    code = _run_command(list(request["argv"]))
    _multiprocessing_exit()
    for signum in (
        signal.SIGINT,
        signal.SIGTERM,
        signal.SIGHUP,
    ):  # done: a late stop changes nothing
        signal.signal(signum, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        send(conn, {"status": "exit", "code": code})
    return 0


def _multiprocessing_exit() -> None:
    """What multiprocessing leaves for a process's exit, which this child's ``os._exit``
    skips, if an ensemble's pool ran here: a pool forked ahead of a run that did not take it
    is stopped, and multiprocessing's temporary folder of this process removed."""
    if "multiprocessing" not in sys.modules:
        return
    import shutil
    from multiprocessing import process

    from channelsim.experiments.executor import discard_forked_pool

    with contextlib.suppress(Exception):
        discard_forked_pool()
    folder = process.current_process()._config.get("tempdir")  # type: ignore[attr-defined]
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _take_context(request: dict[str, Any], fds: list[int]) -> None:
    """The caller's folder, umask, environment, and its stdin, stdout and stderr (``fds``,
    closed here) as this process's own."""
    try:
        os.chdir(request["cwd"])
        _take_limits(request.get("limits") or {})
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
    finally:
        for target, fd in enumerate(fds):
            if fd != target:
                os.close(fd)
    os.umask(int(request["umask"]))
    os.environ.clear()
    os.environ.update(request["env"])
    streams = request["streams"]
    for name, fd, line_buffering in (
        ("stdin", 0, False),
        ("stdout", 1, os.isatty(1)),
        ("stderr", 2, True),
    ):
        stream = _text(fd, "rb" if fd == 0 else "wb", streams[fd], line_buffering)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _take_limits(limits: dict[str, list[int]]) -> None:
    """The caller's resource limits (``ulimit``); one the engine cannot take on (above its own
    hard limit) is an ``OSError``, and the caller runs the command itself."""
    import resource

    for name, (soft, hard) in limits.items():
        number = getattr(resource, name, None)
        if number is None:
            raise OSError(f"no resource limit {name} here")
        try:
            resource.setrlimit(number, (soft, hard))
        except ValueError as error:
            raise OSError(f"cannot take on {name} {soft}/{hard}: {error}") from None


def _text(fd: int, mode: str, encoding: list[str | None], line_buffering: bool) -> io.TextIOWrapper:
    """A text stream over ``fd`` with the caller's ``[encoding, errors]`` (as Python makes
    ``sys.stdout`` and its kin)."""
    raw = io.open(fd, mode, closefd=False)  # noqa: SIM115, UP020 (the stream lives on)
    return io.TextIOWrapper(
        raw, encoding=encoding[0], errors=encoding[1], line_buffering=line_buffering
    )


def _watch(conn: socket.socket) -> None:
    """Pass on the caller's Ctrl-C or SIGTERM; if the caller is gone, stop as SIGTERM stops the
    command, saying nothing on a terminal nobody reads any more."""
    while True:
        try:
            message, _ = receive(conn)
        except (WireError, OSError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        signum = {"INT": signal.SIGINT, "TERM": signal.SIGTERM, "HUP": signal.SIGHUP}.get(
            message.get("signal", "")
        )
        if signum is not None:
            os.kill(os.getpid(), signum)


def _run_command(argv: list[str]) -> int:
    """``channelsim ARGV`` as its own process runs it (its exit code; a traceback printed as
    Python prints one)."""

    def stop(signum: int, frame: object) -> None:
        raise Terminated()

    signal.signal(signal.SIGTERM, stop)  # until the command line takes SIGTERM over
    sys.argv = argv
    try:
        from channelsim.cli import main as cli_main

        cli_main()
        return 0
    except SystemExit as done:
        return _exit_code(done.code)
    except KeyboardInterrupt as interrupt:  # before the command line took the signals over
        if isinstance(interrupt, Terminated):
            print(f"stopped by {interrupt.signal_name}", file=sys.stderr)
            return interrupt.exit_code
        print("interrupted", file=sys.stderr)
        return 130
    except BaseException:
        traceback.print_exc()
        return 1


def _exit_code(code: object) -> int:
    """What Python's own exit makes of ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
