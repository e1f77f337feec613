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


def copy_records(records: np.ndarray) -> np.ndarray:
    """A copy of a contiguous structured array, byte for byte: NumPy's own copy of an
    array of records goes field by field, element by element (a year's 40 kB of lever
    records took 65 µs, three policy records 40 µs; this, about 1 µs)."""
    out = np.empty(records.shape, records.dtype)
    out.view(np.uint8)[...] = np.ascontiguousarray(records).view(np.uint8)
    return out


@dataclasses.dataclass
class CompiledPolicies:
    """The policies whose hooks the compiled day loop runs (``policy_kernels``), as arrays:
    ``records`` (one ``POLICY_DTYPE`` row each, in run order, with their state),
    ``mask`` (per policy of the run: compiled or not), ``active`` (policy, day), ``queues``
    (policy, 4, days + 1), ``days`` (per day, the hook bits of the stages where one acts),
    ``rule_policy`` (the policy owning each rule of interception),
    ``cost``/``booked`` (ledger item, day) and ``cost_items`` (each item's name and the
    stage that books it)."""

    records: np.ndarray
    mask: tuple[bool, ...]
    active: np.ndarray
    days: np.ndarray
    queues: np.ndarray
    rule_policy: np.ndarray
    cost: np.ndarray
    booked: np.ndarray
    cost_items: tuple[tuple[str, str], ...]

    def fresh(self) -> CompiledPolicies:
        """A copy for a new run: the arrays the hooks write (records, queues, costs) copied,
        the others shared."""
        return dataclasses.replace(
            self,
            records=copy_records(self.records),
            queues=self.queues.copy(),
            cost=self.cost.copy(),
            booked=self.booked.copy(),
        )


@dataclasses.dataclass
class Ledger:
    """Costs by ledger item: GBP by day (``costs``), the days booked (``cost_booked``) and
    when each item was first booked (``cost_first``), in the order first booked."""

    costs: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    cost_booked: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    cost_first: dict[str, tuple[int, int, int]] = dataclasses.field(default_factory=dict)


def book(
    ledger: Ledger | SimState,
    item: str,
    index: int,
    cost_gbp: float,
    n_days: int,
    clock: tuple[int, int],
) -> None:
    """Add ``cost_gbp`` to ``item`` on day ``index`` of ``ledger`` (a run's, or one made before
    the runs, :meth:`SimState.start_ledger`); ``clock``: the loop's ``(day, position)``."""
    if item not in ledger.costs:
        ledger.costs[item] = np.zeros(n_days)
        ledger.cost_booked[item] = np.zeros(n_days, dtype=bool)
        ledger.cost_first[item] = (*clock, len(ledger.cost_first))
    ledger.costs[item][index] += cost_gbp
    ledger.cost_booked[item][index] = True


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
    interceptions by day (``rule_daily``); ``compiled``: the policies whose hooks the
    compiled day loop runs, as arrays (``policy_kernels``).
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
    extra_block: np.ndarray  # (result, days + 1): the rows ``extra`` holds, in its order
    state: np.ndarray
    boats: np.ndarray
    rules: np.ndarray
    rule_on: np.ndarray
    rule_daily: np.ndarray
    rule_owner: list[int]
    policies: list[Policy]
    returning: np.ndarray
    compiled: CompiledPolicies
    active: list[np.ndarray]  # per policy: the days inside its window
    costs: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    cost_booked: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    #: When each ledger item was first booked: ``(day, position, order)``, ``(-1, -1, k)``
    #: at set-up; the ledger's items are listed in this order.
    cost_first: dict[str, tuple[int, int, int]] = dataclasses.field(default_factory=dict)
    #: ``(day, position)`` of the loop's stop being run (``(-1, -1)`` before the first day).
    clock: tuple[int, int] = (-1, -1)

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
        if name in self.zone_levers:  # read-only: a hook sets a lever, never edits it in place
            view = self.zone_levers[name][index]
            view.flags.writeable = False
            return view
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
        book(self, item, index, cost_gbp, self.n_days, self.clock)

    def start_ledger(self, ledger: Ledger) -> None:
        """Begin the ledger with ``ledger``'s entries (copies: the run adds to them), as if
        they had been booked here with :meth:`add_cost` in their order."""
        self.costs = {item: values.copy() for item, values in ledger.costs.items()}
        self.cost_booked = {item: days.copy() for item, days in ledger.cost_booked.items()}
        self.cost_first = dict(ledger.cost_first)

    def book_compiled_costs(self, positions: dict[str, int]) -> None:
        """Add the costs the compiled hooks booked to the ledger, its items in the order they
        were first booked (as if booked by Python hooks: these run after any Python hook of
        their stop). ``positions``: the loop position of each stage, by name."""
        c = self.compiled
        for row, (item, stage) in enumerate(c.cost_items):
            booked = c.booked[row]
            if not booked.any():
                continue
            # a compiled hook books its item on each of its policy's active days
            field = "cost_row" if stage == "returns" else "cost_row_costs"
            first = min(
                (int(np.argmax(c.active[j])), positions[stage], 1 << 40 | int(record["owner"]))
                for j, record in enumerate(c.records)
                if record[field] == row and c.active[j].any()
            )
            if item in self.costs:
                self.costs[item] += c.cost[row]
                self.cost_booked[item] |= booked
                first = min(first, self.cost_first[item])
            else:
                self.costs[item] = c.cost[row]
                self.cost_booked[item] = booked
            self.cost_first[item] = first
        order = sorted(self.costs, key=self.cost_first.__getitem__)
        self.costs = {item: self.costs[item] for item in order}
        self.cost_booked = {item: self.cost_booked[item] for item in order}

    def interceptions(self, policy: Policy, index: int) -> int:
        """Boats intercepted on day ``index`` under the rules of ``policy`` (this very
        instance: two equal policies of a scenario have their own rules)."""
        owner = next(i for i, p in enumerate(self.policies) if p is policy)
        rows = [r for r, o in enumerate(self.rule_owner) if o == owner]
        return int(self.rule_daily[rows, index].sum()) if rows else 0

    # -- growth --------------------------------------------------------------------------

    def grow(self) -> None:
        """Double the boat log (the kernels found it too small for a day's launches)."""
        boats = np.zeros(max(2 * self.boats.shape[0], 64), BOAT_DTYPE)
        boats[: self.boats.shape[0]] = self.boats
        self.boats = boats
