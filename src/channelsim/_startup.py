"""Ctrl-C or SIGTERM while the ``channelsim`` command loads its modules (a few tenths of a
second, before :func:`channelsim.cli.main` handles them): the same one line and exit code as
later (130, or 143 for SIGTERM), not Python's traceback of an interrupted import.

Also, before the command line loads: ``channelsim run`` handed to the resident engine when
one runs (:func:`serve_through_resident_engine`, :mod:`channelsim.resident`), and the pool of
a ``channelsim run --runs N`` started (:func:`start_ensemble_pool_early`).

Only in the command's own process (its script, ``sys.argv[0]``, is named ``channelsim``):
importing channelsim anywhere else imports nothing more and changes no signal handler.
"""

from __future__ import annotations

import os
import sys

_STOPS = {  # SIGINT, SIGTERM, SIGHUP
    2: ("interrupted", 130),
    15: ("stopped by SIGTERM", 143),
    1: ("stopped by SIGHUP", 129),
}


_pool_started = False
"""Whether :func:`start_ensemble_pool_early` started the pool's fork server."""


def _stop(signum: int, frame: object) -> None:
    why, code = _STOPS[signum]
    os.write(2, f"{why}\n".encode())
    if _pool_started:  # its socket's folder: the one thing started so far
        _remove_pool_folder()
    os._exit(code)  # nothing is written yet: nothing else to clean up


def _remove_pool_folder() -> None:
    """Remove the temporary folder multiprocessing made for the pool's fork server (its
    socket), which its exit handlers would have removed; the server ends with this process."""
    try:
        import shutil
        from multiprocessing import util

        shutil.rmtree(util.get_temp_dir(), ignore_errors=True)
    except Exception:  # stopping: nothing more to do
        pass


def _in_the_command() -> bool:
    """Whether this process is the ``channelsim`` command (its script)."""
    script = os.path.splitext(os.path.basename(getattr(sys, "argv", [""])[0] or ""))[0]
    return script == "channelsim"


def hold_stops_while_the_command_loads() -> None:
    """Stop at once, in one line, on Ctrl-C or SIGTERM until :func:`release` (the command's
    process only, its main thread only)."""
    if not _in_the_command():
        return
    import _signal  # built in: ``signal`` itself imports enum, long enough to be interrupted

    try:
        for signum in _STOPS:
            if _signal.getsignal(signum) != _signal.SIG_IGN:  # SIGHUP under nohup stays ignored
                _signal.signal(signum, _stop)
    except ValueError:  # not the main thread: leave the signals alone
        pass


def release() -> None:
    """Python's own handling back (Ctrl-C a KeyboardInterrupt), if it was held."""
    import signal

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is _stop:
            default = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
            signal.signal(signum, default)


def serve_through_resident_engine() -> None:
    """``channelsim run`` served by the resident engine, if one runs (see
    :mod:`channelsim.resident`): the command's process then exits with the run's exit code
    before loading the command line, NumPy or Numba. Otherwise (or in any other process) this
    returns and the command runs here."""
    if not _in_the_command() or sys.argv[1:2] != ["run"]:
        return
    from channelsim.resident.client import serve, wanted

    if wanted(sys.argv):
        code = serve(sys.argv)
        if code is not None:
            raise SystemExit(code)


def start_ensemble_pool_early() -> None:
    """``channelsim run SCENARIO --runs N`` that will run its members on the local pool from
    the first (see :meth:`channelsim.experiments.executor.AutoExecutor.prestart`): start the
    pool's fork server now, before the command line loads and reads its options.

    The server then loads the compiled engine while this process imports the command line,
    pandas and DuckDB — about a quarter of a second sooner, on the path to the first member.
    Only the plain forms are read here (``--runs N`` or ``--runs=N``, without ``--workers``,
    ``--scheduler`` or ``--help``); anything else, and any failure, leaves the start to the
    command, as before. A command that then fails (a bad option, a missing file) ends the
    server with itself, and so does a Ctrl-C or SIGTERM while the command line loads (the
    server's temporary folder removed). Results do not depend on when the server starts."""
    if not _in_the_command() or sys.argv[1:2] != ["run"]:
        return
    runs = early_ensemble_runs(sys.argv[2:])
    if runs is None:
        return
    global _pool_started
    try:
        from channelsim.experiments.executor import AutoExecutor

        _pool_started = AutoExecutor.prestart(runs)
    except Exception:  # the command starts it itself, as without this
        pass


def early_ensemble_runs(args: list[str]) -> int | None:
    """The ``--runs`` of ``channelsim run ARGS`` if the pool may be started before the command
    line reads them: given once as a whole number (ASCII digits, at most 18), and no option
    that changes where or whether members run (``--workers``, ``--scheduler``) or that only
    prints (``--help``)."""
    values = []
    for index, arg in enumerate(args):
        if arg == "--":
            break
        name, _, value = arg.partition("=")
        if name in ("--workers", "--scheduler", "--help"):
            return None
        if name == "--runs":
            if not value and index + 1 < len(args):
                value = args[index + 1]
            values.append(value)
    # ASCII digits of a count a run can have ("²" is a digit to str.isdigit; 5,000 digits
    # are past int()'s limit): anything else is left to the command line's own one line
    if len(values) != 1 or not (values[0].isascii() and values[0].isdigit()):
        return None
    if len(values[0]) > 18:
        return None
    return int(values[0])


def resume_command_line(args: list[str], run_id: str) -> str:
    """``channelsim ARGS --resume RUN_ID``: the command given, its own ``--resume`` (if any)
    replaced (here, for the resident engine's client, which loads no command line)."""
    import shlex

    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--resume":
            skip = True
        elif not arg.startswith("--resume="):
            kept.append(arg)
    return shlex.join(["channelsim", *kept, "--resume", run_id])
