"""One line on stderr when Numba is about to compile one of channelsim's functions.

The engine's kernels are compiled once per installation (and again after an edit of their
sources) and then loaded from Numba's on-disk cache. The first run after an install spends a
minute or so compiling (60 CPU s measured for a status-quo ``run`` on this project's 2-core
test machine, 20-50 s wall reported by users), silently, or with a progress bar stuck at 0:
the first compile of a channelsim function in a process says why, once, if stderr is a
terminal (a script's, a pipe's or a test's stderr gets nothing). A cache load says nothing.

Numba broadcasts a ``numba:compile`` event for a compilation, never for a cache load
(``numba.core.event``); :func:`install` listens to it. Import this module only once Numba is
loaded (``channelsim._jit.load_numba`` does). A run of a shipped scenario whose kernels were
compiled ahead of time loads no Numba, and compiles nothing.
"""

from __future__ import annotations

import sys
from typing import Any

from numba.core import event

COMPILING_NOTE = (
    "compiling the engine's kernels once (a minute or so; later runs load them from the cache)..."
)

_said = False
_installed = False


class _CompileNote(event.Listener):
    """Prints :data:`COMPILING_NOTE` when the first channelsim function starts compiling."""

    def on_start(self, ev: Any) -> None:
        global _said
        if _said or not _ours(ev.data):
            return
        _said = True
        stream = sys.stderr
        try:
            if stream is not None and stream.isatty():
                stream.write(COMPILING_NOTE + "\n")
                stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr: nothing to tell
            pass

    def on_end(self, ev: Any) -> None:
        return None


def _ours(data: Any) -> bool:
    """Whether the event is about a function of channelsim (not a user's or a library's)."""
    dispatcher = data.get("dispatcher") if isinstance(data, dict) else None
    module = getattr(getattr(dispatcher, "py_func", None), "__module__", None) or ""
    return module == "channelsim" or module.startswith("channelsim.")


def install() -> None:
    """Listen to Numba's compile events in this process (idempotent)."""
    global _installed
    if not _installed:
        event.register("numba:compile", _CompileNote())
        _installed = True
