"""Ctrl-C, SIGTERM and SIGHUP held back while a write completes, then delivered.

A results store records a member as files renamed into place and then a row committed; the
ensemble driver then counts it. An interruption between those steps would leave the user told
one thing and the store holding another, so the steps run inside :func:`signals_deferred`.

What an interruption leaves behind (a run to resume, an output folder unchanged or complete)
travels with the KeyboardInterrupt as notes (:func:`noted`), which the command line prints on
one line (``channelsim.cli.output.print_stopped``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

from channelsim.errors import Terminated

_DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT), SIGTERM and SIGHUP during a write, then deliver them once it
    is whole.

    DuckDB otherwise turns a Ctrl-C into "Query interrupted" in the middle of a commit.
    Signal handlers belong to the main thread; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {
        signum: signal.signal(signum, lambda signum, frame: received.append(signum))
        for signum in _DEFERRED_SIGNALS
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for number in dict.fromkeys(received):
            handler = previous[signal.Signals(number)]
            if callable(handler):
                handler(number, None)
            elif handler == signal.SIG_DFL and number == signal.SIGINT:
                raise KeyboardInterrupt
            elif handler == signal.SIG_DFL:
                signal.raise_signal(number)  # what it would have done: end the process


def stop_reason(error: KeyboardInterrupt) -> str:
    """Why a run stopped, in the words the results store records."""
    if isinstance(error, Terminated):
        return f"stopped by {error.signal_name}"
    return "interrupted by the user"


@contextlib.contextmanager
def noted(text: Callable[[], str | None]) -> Iterator[None]:
    """Say what a Ctrl-C or SIGTERM stopping the block leaves behind: ``text()`` (unless it is
    None) is added as a note to the KeyboardInterrupt, and the command line prints the notes
    on the one line that reports the interruption (innermost first)."""
    try:
        yield
    except KeyboardInterrupt as error:
        said = text()
        if said:
            error.add_note(said)
        raise
