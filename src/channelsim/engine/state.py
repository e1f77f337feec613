"""The state of a run in one typed object: what the kernels and the hooks read and write.

Arrays are NumPy structured arrays shared by the compiled kernels and Python, so the loop
can hand the day to a Python hook and back without copying anything.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from channelsim.engine.kernels import KernelSetup
from channelsim.engine.results import BOAT_DTYPE, ResultSet
from channelsim.params import Params

if TYPE_CHECKING:
    from channelsim.engine.policy import Policy
    from channelsim.world.geography import World

#: Lever names a hook may use for today's values, beside the levers' own names.
LEVER_ALIASES = {"boat_supply": "boat_supply_per_day"}


@dataclasses.dataclass
class SimState:
    """Everything a run works on.

    Static: ``seed``, ``params``, ``world``, ``dates`` (datetime64[D]), ``day0`` (absolute day
    of the first date), ``zone_names``, ``zones`` (launch points and base weights), ``kernel``
    (parameters, stream numbers, world arrays for the kernels) and ``results``.
    Per day: ``levers`` (a record per day: each scalar lever, the crossing window and the
    weather), ``zone_levers`` (per-zone levers, days × zones), ``daily`` (a record per day of
    the engine's results; the last row collects what happens after the end), ``extra``
    (results declared by policies), ``costs`` (GBP by item and day) and ``returning``
    (people back on the coast, by day). State: ``state`` (waiting people, boat stock...), the
    ``boats`` log, interception ``rules`` with the days they act (``rule_on``) and their
    interceptions by day (``rule_daily``).
    """

    seed: int
    params: Params
    world: World
    dates: np.ndarray
    day0: int
    zone_names: tuple[str, ...]
    zones: np.ndarray
    kernel: KernelSetup
    results: ResultSet
    levers: np.ndarray
    zone_levers: dict[str, np.ndarray]
    daily: np.ndarray
    extra: dict[str, np.ndarray]
    state: np.ndarray
    boats: np.ndarray
    rules: np.ndarray
    rule_on: np.ndarray
    rule_daily: np.ndarray
    rule_owner: list[int]
    policies: list[Policy]
    returning: np.ndarray
    costs: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    cost_booked: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    @property
    def n_days(self) -> int:
        return int(self.dates.shape[0])

    # -- access by name (for hooks) ------------------------------------------------------

    def _lever(self, name: str) -> str:
        name = LEVER_ALIASES.get(name, name)
        if name not in self.zone_levers and name not in (self.levers.dtype.names or ()):
            if name in ("waiting_people", "boat_stock"):
                return name
            raise AttributeError(f"no lever or state called {name!r}")
        return name

    def get_lever(self, name: str, index: int) -> Any:
        name = self._lever(name)
        if name in ("waiting_people", "boat_stock"):
            return int(self.state[0][name])
        if name in self.zone_levers:
            return self.zone_levers[name][index]
        return float(self.levers[index][name])

    def set_lever(self, name: str, index: int, value: Any) -> None:
        name = self._lever(name)
        if name in ("waiting_people", "boat_stock"):
            self.state[0][name] = int(value)
        elif name in self.zone_levers:
            self.zone_levers[name][index] = value
        else:
            self.levers[index][name] = float(value)

    def _column(self, name: str) -> np.ndarray:
        """The daily series of result ``name`` (one per day, and one for after the end)."""
        columns = self.__dict__.get("_columns")
        if columns is None:  # made once per run: the daily record's fields, then the extras
            columns = {n: self.daily[n] for n in self.daily.dtype.names or ()}
            columns.update(self.extra)
            self.__dict__["_columns"] = columns
        try:
            return columns[name]
        except KeyError:
            raise KeyError(
                f"no result called {name!r} in this run (declare it in `results`)"
            ) from None

    def get_result(self, name: str, index: int) -> float:
        return float(self._column(name)[index])

    def set_result(self, name: str, index: int, value: float) -> None:
        self._column(name)[index] = value

    def add_cost(self, item: str, index: int, cost_gbp: float) -> None:
        if item not in self.costs:
            self.costs[item] = np.zeros(self.n_days)
            self.cost_booked[item] = np.zeros(self.n_days, dtype=bool)
        self.costs[item][index] += cost_gbp
        self.cost_booked[item][index] = True

    def interceptions(self, policy: Policy, index: int) -> int:
        owner = self.policies.index(policy)
        rows = [r for r, o in enumerate(self.rule_owner) if o == owner]
        return int(self.rule_daily[rows, index].sum()) if rows else 0

    # -- growth --------------------------------------------------------------------------

    def grow(self) -> None:
        """Double the boat log (the kernels found it too small for a day's launches)."""
        boats = np.zeros(max(2 * self.boats.shape[0], 64), BOAT_DTYPE)
        boats[: self.boats.shape[0]] = self.boats
        self.boats = boats
