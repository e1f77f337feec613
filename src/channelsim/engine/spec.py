"""What an ensemble's driver names of the engine without loading its kernels (nor Numba):
the member spec :class:`SimSpec` and :data:`SIMULATE`, the member function by name.

A driver that only hands members to worker processes (``run --runs N`` on a pool) needs
these two and the results a scenario declares (``channelsim.engine.scenario_results``), not
the compiled engine: importing it costs half a CPU second and a hundred MB that compete with
the pool's own start for the cores.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channelsim.scenario import Scenario


@dataclasses.dataclass(frozen=True)
class SimSpec:
    """What an ensemble member runs: a scenario and, optionally, its weather reader (e.g. a
    replay of observed crossing days read by the caller, so workers never open a store), and
    the tables its result carries back (``keep``: the daily table alone is what ensembles
    summarise; the boat log is the bulk of a result)."""

    scenario: Scenario
    weather: Any | None = None
    keep: tuple[str, ...] = ("daily", "boats", "costs")

    @property
    def name(self) -> str:
        return self.scenario.name


def _engine_function(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


class EngineFunction:
    """A function of the engine named by its module and name, imported on its first call
    here; pickled as that function (a worker unpickling it imports its module), and named
    by :attr:`__module__` and :attr:`__qualname__` as the function itself is (an ensemble's
    configuration records the member function by that name)."""

    def __init__(self, module: str, name: str) -> None:
        self.__module__ = module
        self.__qualname__ = name

    def __call__(self, *args: Any) -> Any:
        return _engine_function(self.__module__, self.__qualname__)(*args)

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return _engine_function, (self.__module__, self.__qualname__)

    def __repr__(self) -> str:
        return f"<engine function {self.__module__}.{self.__qualname__}>"


SIMULATE = EngineFunction("channelsim.engine.sim", "simulate")
"""``channelsim.engine.sim.simulate``, the member function of every ensemble, as the driver
names it: ``SIMULATE(model, seed, overrides)`` runs it (loading the engine here)."""
