"""Imported by the fork server of the local process pools (see
:data:`channelsim.experiments.executor.FORKSERVER_PRELOAD`), never by hand: it loads the
compiled engine there once — the imports, the world, the compiled kernels read from their
cache and Numba's first use of its CPU target — by running the first week of the shipped
2025 status quo as an ensemble member is run (its daily table shipped as NumPy columns:
neither pandas nor PyArrow is loaded here, nor in the workers, which never need them).
Objects loaded here are then frozen out of the garbage collector's sweeps, so that a worker's
collections do not touch (and copy) them. Every worker forked from the server then starts
with all of it loaded, where each would otherwise spend one to two CPU seconds on it before
its first member. A failure here changes nothing but that: the workers load the engine
themselves.
"""

from __future__ import annotations

import contextlib
import gc
import os
from pathlib import Path

from channelsim.experiments.executor import (
    FORKSERVER_MAIN_ENV,
    FORKSERVER_MAIN_STUB_ENV,
    FORKSERVER_READY_ENV,
)


def _warm() -> None:
    import datetime as dt
    from importlib import resources

    from channelsim.engine import SimSpec, load_scenario, simulate
    from channelsim.experiments.ensemble import EnsembleSpec, Member, run_member

    scenario = load_scenario(
        Path(str(resources.files("channelsim").joinpath("scenarios/status-quo-2025.toml")))
    )
    week = scenario.with_changes(end=scenario.start + dt.timedelta(days=6))
    spec = EnsembleSpec(scenarios={"warm": SimSpec(week, keep=("daily",))})
    run_member((simulate, spec), Member("warm", 0, 0))


def _say_ready() -> None:
    """Create the file the driver waits for before it asks for workers (see
    :func:`channelsim.experiments.executor.wait_for_fork_server`); the workers forked from
    here do not inherit its name."""
    path = os.environ.pop(FORKSERVER_READY_ENV, None)
    if path:
        with contextlib.suppress(OSError):
            Path(path).touch()


def _import_main() -> None:
    """The driver's script, imported as each worker would otherwise import it on starting
    (see :data:`channelsim.experiments.executor.FORKSERVER_MAIN_ENV`); a worker whose
    ``__main__`` is already that script does not import it again. The ``channelsim``
    command's own script (:data:`~channelsim.experiments.executor.FORKSERVER_MAIN_STUB_ENV`)
    is not run: a module standing for it, with its path and nothing else, is enough."""
    import sys
    import types
    from multiprocessing import process, spawn

    path = os.environ.pop(FORKSERVER_MAIN_ENV, None)
    stub = os.environ.pop(FORKSERVER_MAIN_STUB_ENV, None)
    if path and stub:
        main = types.ModuleType("__mp_main__")
        main.__file__ = path
        sys.modules["__main__"] = sys.modules["__mp_main__"] = main
    elif path:
        process.current_process()._inheriting = True  # type: ignore[attr-defined]
        try:
            spawn.import_main_path(path)
        finally:
            del process.current_process()._inheriting  # type: ignore[attr-defined]


try:
    with contextlib.suppress(Exception):
        _import_main()
    with contextlib.suppress(Exception):
        _warm()
finally:
    gc.collect()
    gc.freeze()  # what is loaded so far: left alone by the workers' collections
    _say_ready()
