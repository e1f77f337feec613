"""CLI commands: ``channelsim engine start|status|stop``, the opt-in resident engine that
serves ``channelsim run`` without loading Numba in each run (:mod:`channelsim.resident`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer

from channelsim.cli.output import console, err_console
from channelsim.errors import InputError
from channelsim.resident import DEFAULT_IDLE_MINUTES, ENGINE_ENV, LOG_NAME, EngineError

if TYPE_CHECKING:
    from channelsim.resident.control import EngineState

MAX_IDLE_MINUTES = 7 * 24 * 60.0


def _idle_minutes(value: float) -> float:
    if not 0 < value <= MAX_IDLE_MINUTES:
        raise InputError(
            None,
            "--idle-minutes",
            f"expected minutes above 0 and at most {MAX_IDLE_MINUTES:g}, got {value:g}",
        )
    return value


def register(app: typer.Typer) -> None:
    """Add the ``engine`` command family to the app."""
    engine = typer.Typer(
        help="The resident engine: keeps the simulation loaded so that `channelsim run` "
        "answers in a fraction of a second (opt-in; nothing starts it but `engine start`).",
        no_args_is_help=True,
    )
    app.add_typer(engine, name="engine")

    @engine.command("start")
    def start(
        idle_minutes: float = typer.Option(
            DEFAULT_IDLE_MINUTES,
            "--idle-minutes",
            callback=_idle_minutes,
            help="Stop after this many minutes without a request.",
        ),
    ) -> None:
        """Start the resident engine in the background (for this user; its socket, lock and
        log in a private folder: $CHANNELSIM_ENGINE_DIR if set). `channelsim run` then uses it
        while it runs the same channelsim; it stops on `engine stop` or when idle."""
        from channelsim.resident import control

        def announce() -> None:
            err_console.print(
                "starting the resident engine (loading the simulation: a few seconds; a "
                "minute or more the first time after an install, while the kernels compile)",
                style="dim",
            )

        state = control.start(idle_minutes, announce)
        if state.state == "stopped":  # it said it listens, and is gone (or elsewhere)
            raise EngineError(
                f"the resident engine ended as it started; see {state.folder / LOG_NAME}"
            )
        if state.state != "running":  # another start's engine, still loading
            console.print(
                f"a resident engine is starting (pid {state.pid}) in {state.folder}; "
                "see `channelsim engine status`",
                highlight=False,
                soft_wrap=True,
            )
            return
        stale = state.out_of_date()
        if stale:
            raise InputError(
                None,
                None,
                f"a resident engine already runs (pid {state.pid}) with other code "
                f"({', '.join(stale)} differ); stop it first: channelsim engine stop",
            )
        console.print(
            f"resident engine running (pid {state.pid}) in {state.folder}; `channelsim run` "
            "uses it; it stops after "
            f"{_minutes(state)} idle or with `channelsim engine stop`",
            highlight=False,
            soft_wrap=True,
        )

    @engine.command("status")
    def status() -> None:
        """Say whether the resident engine runs (exit 0) or not (exit 3), and what it has
        served."""
        import os

        from channelsim.resident import control

        state = control.state()
        if state.state != "running":
            extra = " (a socket of an engine that ended is left: `engine start` removes it)"
            word = "starting" if state.state == "starting" else "not running"
            console.print(
                f"resident engine: {word} (folder {state.folder})" + (extra if state.stale else ""),
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(0 if state.state == "starting" else 3)
        for line in _running_lines(state):
            console.print(line, highlight=False, soft_wrap=True)
        if os.environ.get(ENGINE_ENV) == "off":
            err_console.print(f"{ENGINE_ENV}=off: `channelsim run` does not use it", style="dim")
        stale = state.out_of_date()
        if stale:
            err_console.print(
                f"it differs from this command in {', '.join(stale)}: `channelsim run` runs in "
                "its own process until it is restarted from here",
                style="dim",
            )

    @engine.command("stop")
    def stop() -> None:
        """Stop the resident engine and remove its socket (runs in progress still finish)."""
        from channelsim.resident import control

        state = control.stop()
        if state.state == "stopped":
            removed = " (removed the socket an engine that ended had left)" if state.stale else ""
            console.print(
                f"no resident engine was running{removed}", highlight=False, soft_wrap=True
            )
            return
        console.print(f"resident engine stopped (pid {state.pid})", highlight=False, soft_wrap=True)


def _running_lines(state: EngineState) -> list[str]:
    """A running engine's status, one fact a line (each short enough for a narrow terminal,
    the folder's path last and whole): it was one line of 170 characters or more, which a
    terminal of 80 columns broke in the middle of words."""
    info = state.status or {}
    started = dt.datetime.fromtimestamp(float(info.get("started", 0))).strftime("%H:%M:%S")
    return [
        f"resident engine: running (pid {state.pid})",
        f"  channelsim {info.get('version')}, since {started}",
        f"  runs in progress: {len(info.get('serving') or [])}",
        f"  run requests answered: {info.get('served', 0)}",
        f"  idle: {info.get('idle_s', 0):g} s (it stops after {_minutes(state)} idle)",
        f"  folder: {state.folder}",
    ]


def _minutes(state: object) -> str:
    info = getattr(state, "status", None) or {}
    return f"{float(info.get('idle_minutes', DEFAULT_IDLE_MINUTES)):g} minutes"
