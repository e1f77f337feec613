"""The ``channelsim`` command line.

Each command family lives in its own module and adds itself to the app through
``register(app)``; this module only assembles them and turns user errors into one line.
A module is imported when one of its commands is called (or listed by ``--help``), so that
``channelsim run`` does not load what ``calibrate`` or ``explore`` need: add a new command
module to :data:`COMMANDS`.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from channelsim import __version__
from channelsim._startup import release as release_loading_stops
from channelsim.cli import helptext
from channelsim.cli.output import print_error, print_stopped, print_warning
from channelsim.errors import (
    NESTED_TOO_DEEP,
    ChannelsimError,
    ChannelsimWarning,
    HungUp,
    Terminated,
    os_error_text,
)


class _Stopped(BaseException):
    """A Ctrl-C or SIGTERM carried past Typer, which would turn it into a bare exit 130 and
    lose what its notes say the interruption left behind."""

    def __init__(self, interrupt: KeyboardInterrupt) -> None:
        super().__init__()
        self.interrupt = interrupt


COMMANDS: dict[str, str] = {
    "claims": "claims_cmd",
    "run": "run_cmd",
    "demo": "run_cmd",
    "compare": "compare_cmd",
    "calibrate": "calibrate_cmd",
    "validate": "calibrate_cmd",
    "sensitivity": "sensitivity_cmd",
    "report": "report_cmd",
    "explore": "explore_cmd",
    "forecast": "forecast_cmd",
    "data": "data_cmd",
    "runs": "runs_cmd",
    "weather": "weather_cmd",
    "engine": "engine_cmd",
}
"""Every command, in the order ``--help`` lists them, and the module under ``channelsim.cli``
whose ``register(app)`` adds it."""


class _Group(TyperGroup):
    """The root command: loads a command's module when the command is first looked up."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self._load(COMMANDS[cmd_name])
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in COMMANDS:  # a typo: suggest among all the commands
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def _load(self, module_name: str) -> None:
        """Import ``channelsim.cli.<module_name>`` and add the commands it registers."""
        part = typer.Typer()
        importlib.import_module(f"channelsim.cli.{module_name}").register(part)
        for name, command in typer.main.get_group(part).commands.items():
            self.add_command(helptext.tidy(command), name)

    def invoke(self, ctx: Any) -> Any:  # Typer's own click Context
        try:
            with _warnings_as_lines():
                return super().invoke(ctx)
        except KeyboardInterrupt as interrupt:
            raise _Stopped(interrupt) from None


@contextlib.contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Each :class:`ChannelsimWarning` raised while a command runs as one line on stderr,
    ``warning: ...``, every time (Python's own format takes two lines, with the source line
    of the call, and shows a warning once per place); other warnings as Python shows them."""
    with warnings.catch_warnings():
        shown = warnings.showwarning
        warnings.simplefilter("always", ChannelsimWarning)

        def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if issubclass(category, ChannelsimWarning):
                print_warning(message)
            else:
                shown(message, category, *args, **kwargs)

        warnings.showwarning = show
        yield


app = typer.Typer(
    cls=_Group,
    name="channelsim",
    help="Simulate small-boat crossings of the English Channel and the policies meant to "
    "stop them, and test public claims against the Home Office data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"channelsim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """channelsim command line."""


def command() -> Any:
    """The app as a click command, with ``--help`` tidied for the terminal (each command as
    its module is loaded)."""
    return helptext.tidy(typer.main.get_command(app))


_terminated: list[type[Terminated]] = []  # SIGTERM or SIGHUP, if one stopped this command
_first_stop: list[float] = []  # when the first Ctrl-C or SIGTERM of this command came

REPEAT_WINDOW_S = 1.0
"""A Ctrl-C (or SIGTERM) this soon after the first is the same request, pressed twice: the
command is already stopping, and a second KeyboardInterrupt raised in its clean-up would
replace the first and lose what its line says (the run to resume, what the output folder is
left as) and, in the middle of the clean-up, the run's mark as interrupted. A later one still
stops the clean-up itself."""


def _repeated() -> bool:
    """Whether a stop now repeats the first within :data:`REPEAT_WINDOW_S` (else it is the
    first, or a deliberate second one, and is remembered as the latest)."""
    now = time.monotonic()
    if _first_stop and now - _first_stop[-1] < REPEAT_WINDOW_S:
        return True
    _first_stop[:] = [now]
    return False


def _on_sigint(signum: int, frame: object) -> None:
    """Ctrl-C: stop the command (a KeyboardInterrupt), unless it repeats the first."""
    if not _repeated():
        raise KeyboardInterrupt


def _on_sigterm(signum: int, frame: object) -> None:
    """Stop the command as Ctrl-C would; remember why, for the exit code."""
    if not _repeated():
        _terminated[:] = [Terminated]
        raise Terminated()


def _on_sighup(signum: int, frame: object) -> None:
    """The terminal closed: stop the command as SIGTERM does (exit 129)."""
    if not _repeated():
        _terminated[:] = [HungUp]
        raise HungUp()


def main() -> None:
    """Entry point: run the app; a ChannelsimError becomes one line on stderr and exit 2.

    SIGTERM stops a command as Ctrl-C does (exit 143 instead of 130), and so does SIGHUP, the
    terminal closing (exit 129; ignored as before under ``nohup``); an environment fault (an
    ``OSError``: full disk, read-only folder, file-size limit) is one line and exit 2.
    """
    release_loading_stops()  # from here, Ctrl-C, SIGTERM and SIGHUP stop the command in order
    _terminated.clear()
    _first_stop.clear()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = (
        {
            signal.SIGTERM: signal.signal(signal.SIGTERM, _on_sigterm),
            signal.SIGINT: signal.signal(signal.SIGINT, _on_sigint),
        }
        if in_main_thread
        else {}
    )
    if in_main_thread and signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # nohup
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, _on_sighup)
    try:
        _run_app()
    except SystemExit as done:
        _exit_now(done.code)
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    _exit_now(0)


def _exit_now(code: object) -> None:
    """End the process at once with ``code`` once the command is done, if this process is
    the ``channelsim`` program itself and nothing else runs in it: the output flushed and the
    exit handlers run (pools, temporary folders, logs), but not the interpreter's teardown of
    every loaded module (pandas, Numba, PyArrow, DuckDB: 0.3-0.5 s, more than a tenth of
    ``run --runs 100``). Called in-process (tests, a notebook), it does nothing."""
    main_module = sys.modules.get("__main__")
    program = Path(getattr(main_module, "__file__", None) or "").name
    if program not in ("channelsim", "channelsim.exe") or threading.active_count() > 1:
        return
    if code is None:
        code = 0
    elif not isinstance(code, int):  # as the interpreter does with sys.exit("text")
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    code = _flush_output(code)
    with contextlib.suppress(Exception):  # nowhere left to say anything
        sys.stderr.flush()
    os._exit(code)


def _flush_output(code: int) -> int:
    """Flush standard output before the quick exit; the exit code to end with.

    A reader that stopped reading (a closed pipe) is no fault; any other refusal (a full
    disk, a file-size limit) of output still buffered is one line and exit 2, as during the
    command, and never a silent exit 0 with the output cut short.
    """
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        return code
    except (OSError, ValueError) as error:
        if isinstance(error, OSError):
            print_error(os_error_text(error))
        return code or 2
    return code


def _current_folder_gone() -> str | None:
    """Why a command failed if the folder it was started in no longer exists (an OSError with
    no file named: "no such file or folder" said nothing of which), else None."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return (
            "the current folder no longer exists (deleted or moved since the shell entered it): "
            "cd to a folder that exists"
        )
    return None


def _run_app() -> None:
    """Run the app and exit with its code; every error the user can fix is one line."""
    try:
        code = command().main(prog_name="channelsim", standalone_mode=False)
    except ChannelsimError as error:
        print_error(error)
        sys.exit(error.exit_code)
    except OSError as error:
        print_error(_current_folder_gone() or os_error_text(error))
        sys.exit(2)
    except RecursionError:  # an input nested past a parser's depth, read where none expected
        print_error(f"an input file: {NESTED_TOO_DEEP}")
        sys.exit(2)
    except _Stopped as stopped:
        _stopped(stopped.interrupt)
    except KeyboardInterrupt as interrupt:
        _stopped(interrupt)
    except typer.Exit as done:
        if done.exit_code == 130:
            _stopped()
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(1)
    except typer.TyperException as error:  # usage errors: one line too, with where to look
        format_message = getattr(error, "format_message", None)
        if format_message is None:
            raise
        if type(error).__name__ == "NoArgsIsHelpError":  # a bare command group: its help
            error.show()  # type: ignore[attr-defined]
            sys.exit(2)
        ctx = getattr(error, "ctx", None)
        hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
        print_error(bad_value_line(error) or f"{format_message()}{hint}")
        sys.exit(getattr(error, "exit_code", 2))
    # Without standalone mode, typer returns (rather than raises) the code of an Exit,
    # including the 130 it makes of Ctrl-C (and so of SIGTERM, a KeyboardInterrupt here).
    if isinstance(code, int) and code != 0:
        if code == 130:
            _stopped()
        sys.exit(code)


_EXPECTED = {
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing_size": "a whole number",
    "int_type": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a finite number",
}
"""What an option's value should have been, by the parser's error type."""


def bad_value_line(error: BaseException) -> str | None:
    """A value the command line could not convert, in our own words: ``--runs: expected a
    whole number, got '2.5'`` (the option as given, what it takes, the value), as the
    commands' own checks word it, or that was not given (``--from`` last on the line); None
    for any other usage error.

    Typer converts values with pydantic, whose wording ("Input should be a valid integer,
    unable to parse string as an integer", "Value error, 'xml' is not one of ...") names
    neither the option in its own terms nor the units a user gives."""
    import pydantic

    option = getattr(error, "option_name", None)
    if option and "requires an argument" in str(getattr(error, "message", "")):
        return f"{option}: expected a value after it, got none"  # the command line ended
    cause, param = error.__cause__, getattr(error, "param", None)
    if not isinstance(cause, pydantic.ValidationError) or param is None:
        return None
    details = cause.errors(include_url=False)
    if not details:
        return None
    first = details[0]
    name = (getattr(param, "opts", None) or [param.human_readable_name])[0]
    got = first.get("input")
    if first["type"] in _EXPECTED:
        return f"{name}: expected {_EXPECTED[first['type']]}, got {got!r}"
    choices = getattr(param, "choices", None) or _choices(str(first.get("msg", "")))
    if first["type"] == "value_error" and choices:
        return f"{name}: expected one of {', '.join(choices)}, got {got!r}"
    return None


def _choices(message: str) -> list[str]:
    """The choices a ``... is not one of 'a', 'b'.`` message lists."""
    _, found, listed = message.partition("is not one of ")
    return [c.strip(" '.") for c in listed.split(",")] if found else []


def _stopped(interrupt: KeyboardInterrupt | None = None) -> NoReturn:
    """Say in one line that the command was stopped and what that left behind (the
    interruption's notes: a run to resume, outputs unchanged or complete), and exit as a
    shell expects (130, or 143 for SIGTERM, 129 for SIGHUP). After SIGHUP the terminal may be
    gone, and the line with it (a write to a closed terminal fails): the exit code remains."""
    stop = _terminated[0] if _terminated else None
    with contextlib.suppress(OSError):
        print_stopped(f"stopped by {stop.signal_name}" if stop else "interrupted", interrupt)
    sys.exit(stop.exit_code if stop else 130)
