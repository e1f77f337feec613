"""The first compile of a channelsim function in a process says so in one line on a terminal's
stderr ("compiling the engine's kernels once ..."): the first run after an install spent a
minute compiling in silence. A cache load, another module's function, a second compile and a
stderr that is no terminal say nothing."""

from __future__ import annotations

import io
from collections.abc import Callable

import numba
import pytest

from channelsim import _jit, compile_note

_jit.load_numba()  # as a first JIT use does: it installs the listener


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _fresh(module: str) -> Callable[[int], int]:
    """A new function of ``module``, compiled on its first call (no cache)."""

    def add_one(x: int) -> int:
        return x + 1

    add_one.__module__ = module
    return numba.njit(cache=False)(add_one)  # type: ignore[no-any-return]


def _terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """A terminal as stderr, in the test's body (pytest's capture sets its own at each phase),
    and a process that has not said it yet."""
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(compile_note, "_said", False)
    return terminal


def test_the_first_compile_of_a_channelsim_function_says_so_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stderr = _terminal(monkeypatch)
    assert _fresh("channelsim.engine.probe")(1) == 2
    assert _fresh("channelsim.world.probe")(2) == 3
    assert stderr.getvalue() == compile_note.COMPILING_NOTE + "\n"
    assert compile_note.COMPILING_NOTE.startswith("compiling the engine's kernels once")


def test_other_functions_and_a_stderr_that_is_no_terminal_say_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stderr = _terminal(monkeypatch)
    assert _fresh("analysis")(1) == 2  # a user's function
    assert _fresh("channelsimulator")(1) == 2
    assert stderr.getvalue() == ""
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    assert _fresh("channelsim.engine.probe")(1) == 2
    assert piped.getvalue() == ""
