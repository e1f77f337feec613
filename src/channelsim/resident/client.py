"""``channelsim run`` through the resident engine (see :mod:`channelsim.resident`).

:func:`serve` is called by the ``channelsim`` script before it loads the command line
(:func:`channelsim._startup.serve_through_resident_engine`): it imports nothing but the
standard library's socket and JSON modules, so that a run the engine serves costs this
process a few hundredths of a second. It returns None whenever the run should happen here
instead, as it always did: no engine, ``CHANNELSIM_ENGINE=off``, members run on a Dask
cluster (``--scheduler``: its workers load the engine themselves; said nowhere, as asked), an
unsafe folder, an engine that runs other code, does not answer in time, or refuses.

Once the engine's child has said it is ready and been told to go, the run is the child's:
this process passes on Ctrl-C and SIGTERM (the child stops as the command does in its own
process and prints the one line), and exits with the child's exit code. If the child ends
without one (it was killed), this process says so in one line and exits 2: the run cannot be
done here instead, as the child may have printed part of its output already. Outputs are
written atomically by the child, so they are unchanged or complete either way.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import sys
from pathlib import Path
from typing import Any

from channelsim.resident import (
    ENGINE_ENV,
    SOCKET_NAME,
    EngineError,
    checked_dir,
    engine_dir,
    identity,
)
from channelsim.resident.wire import WireError, receive, send

ANSWER_TIMEOUT_S = 5.0
"""How long the caller waits for the engine to fork a child and check it (a few ms idle)."""

ENGINE_KILLED_EXIT = 2

STOPS = (2, 15, 1)  # SIGINT, SIGTERM, SIGHUP (``signal`` loads once a run is the engine's)


def wanted(argv: list[str]) -> bool:
    """Whether the engine may serve ``channelsim ARGV``: a ``run``, of one scenario or an
    ensemble (``--runs``: its pool's workers fork from the engine's child)."""
    return len(argv) >= 2 and argv[1] == "run"


def _on_a_cluster(argv: list[str]) -> bool:
    """Whether ``channelsim ARGV`` runs its members on a Dask cluster (``--scheduler``): the
    cluster's workers load the engine themselves, so it runs here, as without an engine."""
    return any(arg == "--scheduler" or arg.startswith("--scheduler=") for arg in argv[2:])


def serve(argv: list[str]) -> int | None:
    """Have the resident engine run ``channelsim ARGV``: its exit code, or None to run it in
    this process (after one dim line saying why, if an engine was there but could not)."""
    mode = os.environ.get(ENGINE_ENV) or "auto"
    if mode == "off":
        return None
    if mode != "auto":
        note(f"{ENGINE_ENV}: expected 'off' or 'auto', got {mode!r}; running here")
        return None
    folder = engine_dir()
    if not os.path.lexists(folder / SOCKET_NAME) or not _stdio_open():
        return None
    if _on_a_cluster(argv):
        return None  # as asked, without a note: the command's own error (a bad address, a
        # cluster out of reach) must be its only line
    try:
        asked = request(argv)  # before connecting: the engine's child waits for it
    except OSError:  # the current folder deleted: the command says so in its own process
        return None
    try:
        checked_dir(folder, create=False)
        conn = connect(folder, ANSWER_TIMEOUT_S)
    except (EngineError, OSError) as error:
        note(f"resident engine not used: {error}; running here")
        return None
    if conn is None:
        return None  # a socket left by an engine that ended: nothing answers
    with conn:
        reply = _ask(conn, asked)
        if reply is None:
            return None
        return follow(conn, argv)


def _ask(conn: socket.socket, asked: dict[str, Any]) -> dict[str, Any] | None:
    """Send the run's request; the engine's answer if it is ready to serve it, else None
    (after saying why)."""
    try:
        send(conn, asked, fds=[0, 1, 2])
        reply, _ = receive(conn)
    except TimeoutError:
        note(f"the resident engine did not answer in {ANSWER_TIMEOUT_S:g} s; running here")
        return None
    except (WireError, OSError) as error:
        note(f"the resident engine failed to answer ({error}); running here")
        return None
    if reply.get("status") == "ready":
        return reply
    why = ", ".join(map(str, reply.get("why") or ["no reason given"]))
    if reply.get("status") == "mismatch":
        note(
            f"resident engine not used: it differs from this command in {why}; running here "
            "(to update it, from here: channelsim engine stop; channelsim engine start)"
        )
    else:
        note(f"the resident engine refused the run ({why}); running here")
    return None


def request(argv: list[str]) -> dict[str, Any]:
    """What the engine's child needs to run the command as this process would."""
    mask = os.umask(0o022)
    os.umask(mask)
    streams = [sys.stdin, sys.stdout, sys.stderr]
    return {
        "request": "run",
        "identity": identity(),
        "argv": ["channelsim", *argv[1:]],
        "cwd": os.getcwd(),
        "umask": mask,
        "limits": limits(),
        "env": dict(os.environ),
        "streams": [[getattr(s, "encoding", None), getattr(s, "errors", None)] for s in streams],
    }


LIMITS = ("RLIMIT_FSIZE", "RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_CPU", "RLIMIT_NOFILE", "RLIMIT_CORE")
"""The resource limits a run in its own process would have and the engine's child takes on
(``ulimit -f``: a file-size limit makes a write fail as it would here)."""


def limits() -> dict[str, list[int]]:
    """This process's :data:`LIMITS` (soft, hard), by name."""
    import resource

    found = {}
    for name in LIMITS:
        number = getattr(resource, name, None)
        if number is not None:
            found[name] = list(resource.getrlimit(number))
    return found


_SIGNAL_NAMES = {2: "INT", 15: "TERM", 1: "HUP"}
"""The stops passed on to the engine's child, by number, as the wire names them."""


def follow(conn: socket.socket, argv: list[str] | None = None) -> int:
    """Tell the child to go, pass on Ctrl-C and SIGTERM, and return its exit code (``argv``:
    the command, for the resume hint of an ensemble whose serving child was killed)."""
    import signal

    stops: list[int] = []

    def forward(signum: int, frame: object) -> None:
        stops.append(signum)
        if len(stops) > 1:  # a second stop: do not wait for the child any longer
            raise _GiveUp()
        try:
            send(conn, {"signal": _SIGNAL_NAMES.get(signum, "INT")})
        except OSError:
            raise _GiveUp() from None

    previous = {
        signum: signal.signal(signum, forward)
        for signum in STOPS
        if signal.getsignal(signum) != signal.SIG_IGN  # SIGHUP under nohup stays ignored
    }
    conn.settimeout(None)
    try:
        send(conn, {"go": True})
        while True:
            message, _ = receive(conn)
            if message.get("status") == "exit":
                return int(message.get("code", 1))
    except (_GiveUp, WireError, OSError):
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if stops:
        if stops[0] == signal.SIGINT:
            _line("interrupted")
            return 130
        _line(f"stopped by SIG{_SIGNAL_NAMES[stops[0]]}")
        return 128 + stops[0]
    _line(
        "error: the resident engine's process serving this run ended before it finished "
        f"(was it killed?); outputs are unchanged or complete, never partial{_resume(argv)}"
    )
    return ENGINE_KILLED_EXIT


def _resume(argv: list[str] | None) -> str:
    """For an ensemble (``--runs``), how to resume the members recorded so far (the run's id
    was printed by the child; ``--resume latest`` is this driver's last run)."""
    args = list(argv or [])[1:]
    if not any(a == "--runs" or a.startswith("--runs=") for a in args):
        return ""
    from channelsim._startup import resume_command_line

    return f"; if it recorded members, resume it with `{resume_command_line(args, 'latest')}`"


class _GiveUp(Exception):
    """A second Ctrl-C, or the child gone: stop waiting."""


def connect(folder: Path, timeout_s: float) -> socket.socket | None:
    """A connection to the engine in ``folder`` (checked first: :func:`checked_dir`), or None
    if no engine listens there. Raises :class:`EngineError` if the process answering is not
    the user's own, ``OSError`` if the socket cannot be reached."""
    path = folder / SOCKET_NAME
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout_s)
    try:
        conn.connect(str(path))
    except (FileNotFoundError, ConnectionRefusedError):
        conn.close()
        return None
    except OSError:
        conn.close()
        raise
    _, uid = peer(conn)
    if uid is not None and uid != os.getuid():
        conn.close()
        raise EngineError(f"{path}: answered by a process of user {uid}, not yours")
    return conn


def peer(conn: socket.socket) -> tuple[int | None, int | None]:
    """The pid and uid of the process that listens on ``conn``'s other end (None where the
    system cannot tell)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None, None
    pid, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, option, 12))
    return pid, uid


def _stdio_open() -> bool:
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:
        return False
    return True


def note(text: str) -> None:
    """One dim line on stderr (plain when stderr is not a terminal or NO_COLOR is set)."""
    plain = not os.isatty(2) or bool(os.environ.get("NO_COLOR"))
    _line(text if plain else f"\x1b[2m{text}\x1b[0m")


def _line(text: str) -> None:
    with contextlib.suppress(OSError):
        os.write(2, f"{text}\n".encode(errors="backslashreplace"))
