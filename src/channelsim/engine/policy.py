"""Policies: how interventions act on the day's stages, and the registry of policy types.

A policy is a pydantic model (its parameters are validated like everything else) with a
``start``/``end`` window (inclusive). It acts in two ways, both declared against the
stages of ``channelsim.engine.stages``:

- **effects** (:meth:`Policy.effects`, computed once before the run for every day at once):
  an :class:`Effect` moves a stage's lever (``beach.prevention_probability`` by zone, the
  inflow mean...), a :class:`Rule` adds rules of interception at sea, a :class:`Cost` books
  a daily cost. Effects of several policies on one lever combine whatever their order:
  ``set`` first (two policies may not set one lever on one day), then ``scale``
  (multiplied), ``add`` (summed) and ``chance`` (independent extra chances:
  ``p ← 1 − (1 − p)(1 − q)``); several rules of interception all act.
- **transforms** (:class:`Transform`, also from :meth:`Policy.effects`): a lever moved by a
  function of its value once the effects above have combined (officers bought add to the
  officers behind the day's chance), worked out before the run like them.
- **hooks** (``on_<stage>(day)``, e.g. ``on_inflow``, ``on_returns``): Python called at the
  start of that stage on each day the policy is active, for what depends on the state of
  the run (queues, feedback). ``day`` is a :class:`DayView`: today's levers, state and
  results, read and written by name.

Policies act on mechanisms, never on the arrival count itself. A policy declares the
results it makes (``results``, which join the run's daily table and totals) and the random
decisions it draws (``streams``): each is a named stream ``"<policy name>.<decision>"``
where the policy's name is its ``name`` in the scenario or ``"<type>#<k>"`` for the k-th
policy of that type, so two policies of one type never share draws and a policy's draws do
not change when other policies are added. A policy that takes the place of one its scenario
drops from the base (``replaces``) draws from that policy's streams instead: the same
decision gets the same numbers as in the base (common random numbers).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import functools
import importlib
import math
import types
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Union, get_args, get_origin

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.config import JsonDict

from channelsim.engine.interception import Interception
from channelsim.engine.results import Declared
from channelsim.engine.stages import POLICY_BOOKED_RESULTS, Combine, Setup, lever_bounds
from channelsim.errors import ChannelsimError, ChannelsimWarning, InputError, PolicyError
from channelsim.params import Params, raise_input_error
from channelsim.scenario import PolicySpec, Scenario

if TYPE_CHECKING:
    from channelsim.engine.state import SimState
    from channelsim.world.geography import World

__all__ = [
    "Compiled",
    "Cost",
    "DayView",
    "Effect",
    "Policy",
    "PolicyParam",
    "Rule",
    "Setup",
    "Transform",
    "policy_param",
    "policy_params",
]

COMBINE_ORDER: tuple[Combine, ...] = ("set", "scale", "add", "chance")


@dataclasses.dataclass(frozen=True)
class Effect:
    """Move lever ``lever`` by ``value`` (combined as ``op``) on the policy's active days.

    ``value`` is a number or an array broadcastable to the lever's shape over the period:
    ``(days,)``, or ``(days, zones)`` / ``(zones,)`` for a per-zone lever. ``days``
    (boolean, one per day) narrows the active days further.
    """

    lever: str
    op: Combine
    value: float | np.ndarray
    days: np.ndarray | None = None


@dataclasses.dataclass(frozen=True)
class Transform:
    """Move lever ``lever`` by a function of its combined value: ``apply(values, days)``
    gives the new values of ``days`` (row indices of the period, increasing) from
    ``values``, the lever's values on those days (``(len(days),)``, or ``(len(days),
    zones)`` for a per-zone lever) once every policy's :class:`Effect` on it has combined
    and been clipped to the lever's bounds. For an effect that depends on the lever's level
    (officers bought add to the officers behind a chance): worked out once before the run,
    for all days at once, so that the compiled day loop runs with no stop for it, where a
    hook reading the combined lever stops it every day. Several transforms of one lever act
    in the order of the policies in the scenario; ``days`` (boolean, one per day) narrows
    the policy's active days. What ``apply`` returns must lie within the lever's bounds."""

    lever: str
    apply: Callable[[np.ndarray, np.ndarray], np.ndarray]
    days: np.ndarray | None = None


@dataclasses.dataclass(frozen=True)
class Rule:
    """Rules of interception at sea, drawn from the policy's streams ``stream`` (whether a
    boat is caught in a step) and ``action_stream`` (what happens, and exclusions)."""

    interception: Interception
    stream: str = "intercept"
    action_stream: str = "intercept_action"


@dataclasses.dataclass(frozen=True)
class Compiled:
    """A policy's hooks as data for the compiled day loop (``channelsim.engine.policy_kernels``):
    its ``record`` (one row of ``POLICY_DTYPE``), the result its kernel writes (``result``,
    one the policy declares, or ``None``) and the ledger items it books at the returns stage
    (``returns_cost``) and at the costs stage (``costs_cost``)."""

    record: np.ndarray
    result: str | None = None
    returns_cost: str | None = None
    costs_cost: str | None = None


@dataclasses.dataclass(frozen=True)
class Cost:
    """A cost in GBP booked each active day (a number, or one per day of the period)."""

    item: str
    gbp_per_day: float | np.ndarray


class DayView:
    """One day of a run as a hook sees it: levers, state and results, by name.

    Levers of today (``inflow_mean_people``, ``boat_supply_per_day``, ``launch_share``,
    ``prevention_probability`` as a per-zone array...) and the state (``waiting_people``,
    ``boat_stock``) read and write as attributes; results as ``day[name]`` (today's value
    so far, e.g. ``day["arrived_people"]`` after the arrival stage) and ``day.add(name, x)``.
    """

    def __init__(self, state: SimState, index: int, writes: frozenset[str] | None = None) -> None:
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "_writes", writes)  # results it may write (None: any)

    @property
    def day(self) -> int:
        """Absolute day: days since 2018-01-01 (the key of every random draw)."""
        return self._state.day0 + self.index

    @property
    def date(self) -> dt.date:
        return self._state.dates[self.index].astype(dt.date)

    @property
    def seed(self) -> int:
        return self._state.seed

    @property
    def params(self) -> Params:
        return self._state.params

    @property
    def world(self) -> World:
        return self._state.world

    @property
    def zone_names(self) -> tuple[str, ...]:
        return self._state.zone_names

    @property
    def zone_is_waterway(self) -> np.ndarray:
        return self._state.zones["waterway"]

    def __getattr__(self, name: str) -> Any:
        return self._state.get_lever(name, self.index)

    def __setattr__(self, name: str, value: Any) -> None:
        what = f"the lever {name!r}"
        self._state.set_lever(name, self.index, within(finite_value(value, what), what, name))

    def __getitem__(self, result: str) -> float:
        return self._state.get_result(result, self.index)

    def __setitem__(self, result: str, value: float) -> None:
        if self._writes is not None and result not in self._writes:
            raise HookFault(
                f"wrote the result {result!r}, which it does not declare (a policy writes its "
                "own results, and of the engine's only "
                f"{', '.join(sorted(POLICY_BOOKED_RESULTS))})"
            )
        self._state.set_result(result, self.index, finite_value(value, f"the result {result!r}"))

    def add(self, result: str, value: float) -> None:
        """Add ``value`` to today's ``result`` (a result the stage or policy declared)."""
        self[result] = self[result] + float(value)

    def add_cost(self, item: str, cost_gbp: float) -> None:
        """Book a cost in the ledger for this day."""
        self._state.add_cost(item, self.index, finite_value(float(cost_gbp), f"the cost {item!r}"))

    def rejoin(self, people: int) -> None:
        """People who go back to the French coast tomorrow (e.g. returned from the UK)."""
        self._state.returning[self.index + 1] += int(people)

    def interceptions(self, policy: Policy) -> int:
        """Boats intercepted today (so far) under ``policy``'s rules."""
        return self._state.interceptions(policy, self.index)


class HookFault(ValueError):
    """A policy's hook broke a rule of the engine: a value that is not a finite number, or a
    result it may not write (said as it is, without the exception's type)."""


def finite_value(value: Any, what: str) -> Any:
    """``value`` if every number in it is finite; raises :class:`HookFault` naming ``what``."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        finite = math.isfinite(value)
    else:
        try:
            finite = bool(np.isfinite(np.asarray(value, dtype=np.float64)).all())
        except (TypeError, ValueError):
            raise HookFault(f"{what}: expected a number, got {value!r:.40}") from None
    if not finite:
        raise HookFault(f"{what}: expected a finite number, got {value!r:.40}")
    if np.any(np.abs(np.asarray(value, dtype=np.float64)) > MAX_HOOK_VALUE):
        raise HookFault(f"{what}: expected a number of at most {MAX_HOOK_VALUE:.0e} in size, "
                        f"got {value!r:.40}")  # fmt: skip
    return value


#: The largest value a hook may give (a result summed over a century of days stays far below
#: 2**63, where its total cast to a whole number wrapped to -9,223,372,036,854,775,808).
MAX_HOOK_VALUE = 1e12


def within(value: Any, what: str, lever: str) -> Any:
    """``value`` if within the bounds the lever's stage declares (a probability from 0 to 1);
    raises :class:`HookFault` naming ``what`` and the bounds if not."""
    from channelsim.engine.state import LEVER_ALIASES  # state imports this module

    low, high = lever_bounds(LEVER_ALIASES.get(lever, lever))
    values = np.asarray(value, dtype=np.float64)
    if np.any(values < low) or np.any(values > high):
        raise HookFault(f"{what}: expected values from {low:g} to {high:g}, got {value!r:.40}")
    return value


def apply_transform(
    values: np.ndarray,
    transform: Transform,
    days: np.ndarray,
    policy: Policy,
    bounds: tuple[float, float],
) -> None:
    """Move ``values`` (a lever's, one row per day) in place on ``days`` (boolean, one per
    day) by ``transform``, whose result must be finite, of the rows' shape and within
    ``bounds`` (the lever's low and high).

    Raises:
        PolicyError: the transform raised, or gave values of another shape, not finite or
            outside the bounds, named against the policy and the lever.
    """
    rows = np.flatnonzero(days)
    if rows.size == 0:
        return
    what = f"the lever {transform.lever!r}"
    with blamed_on(policy):
        given = values[rows]
        moved = np.asarray(transform.apply(given, rows), dtype=np.float64)
        if moved.shape != given.shape:
            raise HookFault(f"{what}: expected values of shape {given.shape}, got {moved.shape}")
        finite_value(moved, what)
        low, high = bounds
        if np.any(moved < low) or np.any(moved > high):
            raise HookFault(f"{what}: expected values from {low:g} to {high:g}")
    values[rows] = moved


@contextlib.contextmanager
def blamed_on(policy: Policy, when: dt.date | None = None) -> Iterator[None]:
    """Run a policy's own code (a hook, ``init``, ``effects``): whatever it raises (an
    exception, ``sys.exit``, any other ``BaseException``) becomes one :class:`PolicyError`
    line naming the policy, its type and ``when``. Ctrl-C and SIGTERM (``KeyboardInterrupt``)
    pass through; the original error is its cause. A hook that ends the process itself
    (``os._exit``) raises nothing here: only a process that watches this one can tell
    (docs/architecture.md).

    Raises:
        PolicyError: ``policy 'name' (type), on 2025-06-11: RuntimeError: what it said``.
    """
    try:
        yield
    except (ChannelsimError, KeyboardInterrupt):
        raise
    except BaseException as error:
        where = f"policy {policy.name!r} ({policy.type_name or type(policy).__name__})"
        if when is not None:
            where += f", on {when.isoformat()}"
        said = str(error).strip().splitlines()
        text = said[0][:200] if said else ""
        if not isinstance(error, HookFault):
            text = f"{type(error).__name__}: {text}" if text else type(error).__name__
        raise PolicyError(None, where, text) from error


def policy_param(
    default: Any = ...,
    *,
    unit: str,
    meaning: str,
    source: str | None = None,
    note: str | None = None,
    low: float | None = None,
    high: float | None = None,
    plausible: str | None = None,
    allowed: str | None = None,
    drawn: bool = False,
    **bounds: Any,
) -> Any:
    """A policy's parameter field, declared as docs/model.md §3.6 lists it: ``unit`` (``""``
    for none: a switch, a choice), the plausible range (``low``/``high``, or ``plausible`` in
    words for a value that is not a number, e.g. ``"fixed"``), ``source`` (a ``facts.md`` row
    or URL; ``None`` marks an assumption, ``note`` says what it rests on) and a one-line
    ``meaning``. ``bounds`` are pydantic's hard bounds (``ge``, ``gt``, ``le``, ``lt``,
    ``min_length``), enforced; ``allowed`` says in words what they and the validators allow
    where the bounds cannot (a list's items, zones by name). ``drawn`` puts the option in the
    class's ``assumptions`` (uncertainty analysis draws it over ``low``–``high``)."""
    if drawn and (low is None or high is None):
        raise TypeError("a drawn option needs its plausible range (low, high)")
    extra: JsonDict = {
        "unit": unit,
        "source": source,
        "note": note,
        "low": low,
        "high": high,
        "plausible": plausible,
        "allowed": allowed,
        "drawn": drawn,
    }
    return Field(default, description=meaning, json_schema_extra=extra, **bounds)


@dataclasses.dataclass(frozen=True)
class PolicyParam:
    """One parameter of a policy type as :func:`policy_param` declares it (``None``: the
    field records no declaration, as a third-party policy's may not)."""

    name: str
    unit: str | None
    default: Any
    allowed: str
    plausible: str | None
    source: str | None
    note: str | None
    meaning: str
    declared: bool

    @property
    def source_text(self) -> str:
        """The source, or ``assumption`` with what it rests on."""
        if self.source:
            return self.source
        return f"assumption ({self.note})" if self.note else "assumption"


def policy_params(cls: type[Policy]) -> list[PolicyParam]:
    """The parameters of a policy type (its fields but the window ``start``/``end``), in the
    order the class declares them."""
    rows = []
    for name, field in cls.model_fields.items():
        if name in ("start", "end"):
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        declared = "unit" in extra and "source" in extra
        low, high = extra.get("low"), extra.get("high")
        plausible = extra.get("plausible")
        if low is not None and high is not None:
            plausible = f"{_number(low)}–{_number(high)}"
        rows.append(
            PolicyParam(
                name=name,
                unit=str(extra["unit"]) if declared else None,
                default=field.default,
                allowed=str(extra.get("allowed") or _allowed(field)),
                plausible=None if plausible is None else str(plausible),
                source=None if extra.get("source") is None else str(extra["source"]),
                note=None if extra.get("note") is None else str(extra["note"]),
                meaning=field.description or "",
                declared=declared,
            )
        )
    return rows


def _number(value: Any) -> str:
    """A number for readers: thousands separated, no trailing ``.0``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"


def _allowed(field: Any) -> str:
    """A field's hard bounds or choices in words (``0–200``, ``above 0, to 50``)."""
    import typing

    annotation = field.annotation
    if typing.get_origin(annotation) is typing.Literal:
        return ", ".join(str(a) for a in typing.get_args(annotation))
    if annotation is bool:
        return "true, false"
    if annotation is dt.date:
        return "a date"
    if "tuple" in str(annotation):
        return "a list"
    bounds = {
        kind: _number(getattr(item, kind))
        for item in field.metadata
        for kind in ("ge", "gt", "le", "lt")
        if getattr(item, kind, None) is not None
    }
    low = bounds.get("ge") or (f"above {bounds['gt']}" if "gt" in bounds else "")
    high = bounds.get("le") or (f"below {bounds['lt']}" if "lt" in bounds else "")
    if low and high:
        return f"{low}–{high}" if "ge" in bounds and "le" in bounds else f"{low}, to {high}"
    return f"from {low}" if low else f"to {high}" if high else "any"


class Policy(BaseModel):
    """Base class of interventions: override ``effects``, ``init`` and the hooks needed."""

    model_config = ConfigDict(extra="forbid")

    type_name: ClassVar[str] = ""
    #: Results this policy makes (added to the run's daily table and totals).
    results: ClassVar[tuple[Declared, ...]] = ()
    #: The random decisions this policy draws, each its own stream.
    streams: ClassVar[tuple[str, ...]] = ()
    #: The policy's own assumptions: option -> (low, high), the range the option is assumed
    #: to lie in (docs/model.md gives the reasoning). A comparison with a posterior draws
    #: them over these ranges and says how much of each answer they decide.
    assumptions: ClassVar[dict[str, tuple[float, float]]] = {}

    start: dt.date | None = None
    end: dt.date | None = None

    _name: str = PrivateAttr("")
    _replaces: str = PrivateAttr("")
    _stream_ids: dict[str, int] = PrivateAttr(default_factory=dict)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """The options declared ``drawn`` (:func:`policy_param`) become the class's
        ``assumptions``, unless the class writes its own."""
        super().__pydantic_init_subclass__(**kwargs)
        if "assumptions" in cls.__dict__:
            return
        drawn = {}
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra
            if isinstance(extra, dict) and extra.get("drawn"):
                drawn[name] = (float(extra["low"]), float(extra["high"]))  # type: ignore[arg-type]
        if drawn:
            cls.assumptions = drawn

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_not_text(cls, value: Any, info: ValidationInfo) -> Any:
        """A number is written as a number and a switch as true or false: pydantic's lax
        mode priced ``cost_gbp_per_boat_day = "1e3"`` at £1,000 and read ``detention_places =
        true`` as one place (s11 re-trial R1). Strict mode would refuse a TOML list for a
        tuple, so the check is this one, by the field's type."""
        field = cls.model_fields.get(info.field_name or "")
        wanted = None if field is None else _scalar_kind(field.annotation)
        if wanted is None:
            return value
        kind, listed = wanted
        items = list(enumerate(value)) if listed and isinstance(value, list | tuple) else []
        for index, item in items if listed else [(None, value)]:
            if _wrong_kind(kind, item):
                extra = field.json_schema_extra if field is not None else None
                unit = extra.get("unit") if isinstance(extra, dict) else None
                raise ValueError(_wrong_kind_text(kind, item, index, unit))
        return value

    @property
    def name(self) -> str:
        """The policy's name in its run (``"<type>#<k>"`` unless the scenario names it)."""
        return self._name or f"{self.type_name or type(self).__name__}#0"

    def active(self, day: dt.date) -> bool:
        """Whether the policy acts on ``day`` (its window is inclusive at both ends)."""
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def acting_assumptions(self) -> dict[str, tuple[float, float]]:
        """The class's ``assumptions`` that can change a result as this policy is set: all
        of them, unless a class whose options switch a mechanism off says which remain (the
        doctrine as signed acts before boarding, and its at-sea assumptions never act).
        Uncertainty analysis draws these and a comparison says its answer rests on them."""
        return dict(type(self).assumptions)

    def acting_window(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day (inclusive; ``None``: open) on which the policy can change
        any result: its window, unless a date of its own comes later (one in, one out
        returns no one before its first return)."""
        return self.start, self.end

    def acting_from_words(self) -> str:
        """What the policy does on the first day of :meth:`acting_window`, in words, for a
        sentence such as "one in one out makes its first return on 18 Sep 2025"."""
        return "starts"

    def acts_between(self, first: dt.date, last: dt.date) -> bool:
        """Whether the policy can change any result on some day from ``first`` to ``last``
        (inclusive): whether :meth:`acting_window` meets those days."""
        begin, end = self.acting_window()
        return max(begin or first, first) <= min(end or last, last)

    def active_days(self, dates: np.ndarray) -> np.ndarray:
        """One boolean per date: inside the policy's window."""
        mask = np.ones(dates.shape[0], dtype=bool)
        if self.start is not None:
            mask &= dates >= np.datetime64(self.start, "D")
        if self.end is not None:
            mask &= dates <= np.datetime64(self.end, "D")
        return mask

    if not TYPE_CHECKING:  # mypy would accept any attribute of a policy otherwise

        def __getattr__(self, item: str) -> Any:
            """A private attribute (``self._queue``: a policy's state between days) straight
            from pydantic's store of their values, ``__pydantic_private__``; anything else as
            pydantic gives it. Pydantic's own lookup of a private attribute costs a few µs
            (it first asks whether the declaration is a descriptor, through an exception),
            and the daily hooks read them hundreds of times a simulated year."""
            if item in _plain_private_names(type(self)):
                values = object.__getattribute__(self, "__pydantic_private__")
                if values is not None and item in values:
                    return values[item]
            return super().__getattr__(item)

    def fresh_copy(self) -> Policy:
        """A copy for one run (state kept between days never leaks into the next run): as
        ``model_copy(deep=True)``, but values that cannot change in place (numbers, strings,
        dates, tuples of them) are shared instead of walked by ``copy.deepcopy``."""
        fresh = self.model_copy()
        fresh.__dict__.update(_fresh_values(self.__dict__))
        private = self.__pydantic_private__
        if private:
            object.__setattr__(fresh, "__pydantic_private__", _fresh_values(private))
        return fresh

    def stream_names(self, name: str | None = None) -> tuple[str, ...]:
        """The names of this policy's streams as ``name`` (default: its own), one per decision:
        ``"<key>.<decision>"``, where the key is the name of the policy it replaces (the
        scenario's ``replaces``: the same decisions draw the same numbers as there), else
        ``name``."""
        key = self._replaces or name or self.name
        return tuple(f"{key}.{decision}" for decision in self.streams)

    def bind(self, name: str, stream_ids: dict[str, int]) -> None:
        """Give the policy its name and stream numbers in a run (done by the engine)."""
        self._name = name
        names = self.stream_names(name)
        self._stream_ids = {d: stream_ids[n] for d, n in zip(self.streams, names, strict=True)}

    def stream(self, decision: str) -> int:
        """The number of this policy's stream for ``decision`` (declared in ``streams``)."""
        try:
            return self._stream_ids[decision]
        except KeyError:
            raise KeyError(
                f"{type(self).__name__} draws {decision!r} but does not declare it in streams"
            ) from None

    def uniforms(self, day: DayView, decision: str, keys: np.ndarray | int) -> np.ndarray:
        """This policy's uniforms for ``decision`` today, one per key."""
        from channelsim.rng import uniforms  # not on import: the kernels' module (Numba)

        return uniforms(day.seed, self.stream(decision), day.day, keys)

    def init(self, setup: Setup) -> None:
        """Prepare before the run (e.g. read the world); state kept between days starts here."""

    def effects(self, setup: Setup) -> Iterable[Effect | Transform | Rule | Cost]:
        """Effects on the stages' levers, transforms of them, rules of interception and daily
        costs."""
        return ()

    def levers_set(self) -> tuple[str, ...]:
        """The levers whose value :meth:`effects` sets (``op = "set"``) on every day of the
        policy's window: two policies may not set one lever on a day, and a scenario's
        reader (:func:`check_set_levers`) finds such a pair before any run. None by default;
        a policy that sets a lever without declaring it here is still refused, by the run."""
        return ()

    def compiled(self) -> Compiled | None:
        """The policy's hooks as data run by the compiled day loop, or ``None`` (the default):
        its ``on_<stage>`` hooks run in Python at the loop's stops. Called after ``init`` and
        ``bind``; only the built-in policies whose hooks ``policy_kernels`` implements return
        one, and never an instance of a subclass (which may override the hooks)."""
        return None

    def hooks(self) -> tuple[str, ...]:
        """The stages this policy has a Python hook for (``on_<stage>`` methods), read once
        per run. A policy whose hook does nothing with its parameters (e.g. deterrence with
        an elasticity of 0) may leave that stage out: the loop then does not stop there."""
        return _class_hooks(type(self))


def _scalar_kind(annotation: Any) -> tuple[type, bool] | None:
    """``(int, float or bool, whether a list of them)`` for a field typed so (optional or
    not: ``float``, ``int | None``, ``tuple[float, ...]``); None for any other type."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        return _scalar_kind(kinds[0]) if len(kinds) == 1 else None
    if get_origin(annotation) is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = _scalar_kind(args[0])
        return (inner[0], True) if inner is not None and not inner[1] else None
    return (annotation, False) if annotation in (int, float, bool) else None


def _wrong_kind(kind: type, value: Any) -> bool:
    """Text or a switch for a number, or anything but true or false for a switch."""
    if kind is bool:
        return not isinstance(value, bool | np.bool_)
    return isinstance(value, str | bytes | bool | np.bool_)


def _wrong_kind_text(kind: type, value: Any, index: int | None, unit: Any) -> str:
    expected = {bool: "true or false", int: "a whole number", float: "a number"}[kind]
    if kind is not bool and index is None and isinstance(unit, str) and unit not in ("", "-"):
        expected += f" ({unit})"
    switch = isinstance(value, bool | np.bool_)
    shown = ("true" if value else "false") if switch else repr(value)
    item = "" if index is None else f"item {index + 1}: "
    quotes = "; without quotes" if isinstance(value, str) and kind is not bool else ""
    return f"{item}expected {expected}, got {shown}{quotes}"


_IMMUTABLE = frozenset({int, float, bool, str, bytes, type(None), dt.date, dt.datetime})


def _fresh_values(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with a deep copy of each value that could change in place."""
    return {name: _fresh(value) for name, value in values.items()}


def _fresh(value: Any) -> Any:
    """``value`` itself if it cannot change in place, else a deep copy (a shallow one for a
    list or dict of plain values)."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is tuple and set(map(type, value)) <= _IMMUTABLE:
        return value
    if kind is list and set(map(type, value)) <= _IMMUTABLE:
        return list(value)
    if kind is dict and set(map(type, value)) | set(map(type, value.values())) <= _IMMUTABLE:
        return dict(value)
    return copy.deepcopy(value)


@functools.cache
def _plain_private_names(cls: type[Policy]) -> frozenset[str]:
    """The private attributes of a policy class whose value is the one stored on the instance
    (not a descriptor, which pydantic's lookup calls instead)."""
    return frozenset(
        name
        for name, declared in cls.__private_attributes__.items()
        if not hasattr(declared, "__get__")
    )


@functools.cache
def _class_hooks(cls: type[Policy]) -> tuple[str, ...]:
    """The ``on_<stage>`` methods a policy class defines (its own or inherited)."""
    return tuple(
        name[3:] for name in dir(cls) if name.startswith("on_") and callable(getattr(cls, name))
    )


_REGISTRY: dict[str, type[Policy]] = {}
_PLUGIN_GROUP = "channelsim.policies"

#: The built-in policy types and the modules that define them: imported when a scenario
#: names them, so they work without install metadata (entry points are for third parties).
BUILTIN_POLICIES: dict[str, str] = {
    "beach_patrols": "channelsim.policies.beach",
    "taxi_boat_interdiction": "channelsim.policies.beach",
    "maritime_doctrine": "channelsim.policies.doctrine",
    "network_disruption": "channelsim.policies.networks",
    "one_in_one_out": "channelsim.policies.removals",
    "third_country_removal": "channelsim.policies.removals",
    "echr_exit": "channelsim.policies.removals",
    "driver": "channelsim.policies.drivers",
    "beach_officers": "channelsim.policies.drivers",
}


def register_policy(name: str, cls: type[Policy]) -> type[Policy]:
    """Make ``cls`` available to scenario files as ``type = name``."""
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise TypeError(f"{cls!r} is not a Policy subclass")
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"policy type {name!r} is already registered")
    cls.type_name = name
    _REGISTRY[name] = cls
    return cls


def policy_type(name: str) -> type[Policy] | None:
    """The class registered as ``name``: built-ins are imported on demand, then third-party
    types declared under the ``channelsim.policies`` entry point group."""
    if name not in _REGISTRY and name in BUILTIN_POLICIES:
        importlib.import_module(BUILTIN_POLICIES[name])
    if name not in _REGISTRY:
        plugins = [e for e in entry_points(group=_PLUGIN_GROUP) if e.name != "builtin"]
        for entry in sorted(plugins, key=lambda e: e.name != name):  # one named after it first
            _load_plugin(entry)
            if name in _REGISTRY:
                break
    return _REGISTRY.get(name)


def registered_policies() -> dict[str, type[Policy]]:
    """All known policy types, by name (built-ins and every plug-in loaded)."""
    for module in sorted(set(BUILTIN_POLICIES.values())):
        importlib.import_module(module)
    for entry in entry_points(group=_PLUGIN_GROUP):
        if entry.name != "builtin":
            _load_plugin(entry)
    return dict(_REGISTRY)


_BROKEN_PLUGINS: set[str] = set()  # warned about once per process


def _load_plugin(entry: Any) -> None:
    """Import a third-party policy module; one that fails to import (or registers a name
    already taken) is skipped with one warning naming its entry point, so that the other
    types, the "did you mean" of a typo and the explorer still work."""
    try:
        entry.load()
    except Exception as error:  # a plug-in's own code: anything it raises
        if entry.value not in _BROKEN_PLUGINS:
            _BROKEN_PLUGINS.add(entry.value)
            said = (str(error).strip().splitlines() or [""])[0][:200]
            warnings.warn(
                ChannelsimWarning(
                    None,
                    f"plug-in policy {entry.name!r} ({entry.value})",
                    f"skipped: it failed to load ({type(error).__name__}: {said})",
                ),
                stacklevel=2,
            )


def build_policies(
    specs: Iterable[PolicySpec], locate: Callable[[int], tuple[str | None, str]] | None = None
) -> list[Policy]:
    """Instantiate policy specs; unknown types and bad parameters name the file and the
    policy as its reader counts it: ``locate(i)`` (a scenario's ``policy_location``: ``policy
    2 (beach_patrols)``), by default ``policy i+1`` of no file; a key inside it follows after
    a comma (``policy 2 (beach_patrols), params.zones``)."""
    where = locate or (lambda index: (None, f"policy {index + 1}"))
    policies: list[Policy] = []
    for index, spec in enumerate(specs):
        source, key = where(index)
        cls = policy_type(spec.type)
        if cls is None:
            known = ", ".join(sorted(registered_policies())) or "none registered"
            raise InputError(source, f"{key}, type", f"unknown policy type {spec.type!r} ({known})")
        data: dict[str, Any] = {**spec.params, "start": spec.start, "end": spec.end}
        try:
            policy = cls.model_validate(data)
        except ValidationError as error:
            raise_input_error(error, source, f"{key}, params", cls, hidden=("start", "end"))
            raise  # unreachable
        policy._name = getattr(spec, "name", None) or ""
        policy._replaces = getattr(spec, "replaces", None) or ""
        policies.append(policy)
    _check_unique_names(policies, where)
    return policies


def _check_unique_names(
    policies: Sequence[Policy], where: Callable[[int], tuple[str | None, str]]
) -> None:
    """Two policies of a run may not share a name: the name keys a policy's random streams
    and is what ``drop_policies`` and ``replaces`` point at."""
    first: dict[str, int] = {}
    for index, name in enumerate(name_policies(policies)):
        if name in first:
            source, key = where(index)
            other = where(first[name])[1]
            raise InputError(
                source,
                f"{key}, name",
                f"expected a name no other policy of the run has, got {name!r}, the name of "
                f"{other} too (in a file with a base, drop the base's with drop_policies)",
            )
        first[name] = index


def check_set_levers(
    policies: Sequence[Policy],
    first: dt.date,
    last: dt.date,
    where: Callable[[int], tuple[str | None, str]],
) -> None:
    """Refuse two policies setting one lever (:meth:`Policy.levers_set`) on a day from
    ``first`` to ``last``, naming the later one's file and place (``where``, a scenario's
    ``policy_location``), the lever, the first such day and the other policy: a user's
    driver setting ``taxi_boat_share`` beside the base's ``taxi_boats`` was refused only by
    the run, in a line naming neither file nor key, after a run was recorded as resumable.

    Raises:
        InputError: the first such pair, in policy order.
    """
    setters: dict[str, list[tuple[int, dt.date, dt.date]]] = {}
    names = name_policies(policies)
    for index, policy in enumerate(policies):
        begin, end = max(policy.start or first, first), min(policy.end or last, last)
        if begin > end:
            continue
        for lever in policy.levers_set():
            for other, other_begin, other_end in setters.get(lever, []):
                day = max(begin, other_begin)
                if day <= min(end, other_end):
                    raise _set_twice_error(lever, day, (index, other), names, where)
            setters.setdefault(lever, []).append((index, begin, end))


def _set_twice_error(
    lever: str,
    day: dt.date,
    pair: tuple[int, int],
    names: Sequence[str],
    where: Callable[[int], tuple[str | None, str]],
) -> InputError:
    index, other = pair
    source, key = where(index)
    other_file, other_key = where(other)
    if other_file != source:
        whose = f"the base's policy {names[other]!r} ({Path(str(other_file)).name}, {other_key})"
        fix = f'drop it with drop_policies = ["{names[other]}"]'
    else:
        whose = f"policy {names[other]!r} ({other_key})"
        fix = "give the two windows (start, end) that do not overlap"
    return InputError(
        source,
        f"{key} {names[index]!r}",
        f"sets {lever} from {day.day} {day:%b %Y}, as {whose} does: expected one policy "
        f"setting a lever on a day ({fix})",
    )


def name_policies(policies: Sequence[Policy]) -> list[str]:
    """Each policy's name in a run: its own, or ``"<type>#<k>"`` for the k-th of its type."""
    seen: dict[str, int] = {}
    names = []
    for policy in policies:
        kind = policy.type_name or type(policy).__name__
        k = seen.get(kind, 0)
        seen[kind] = k + 1
        names.append(policy._name or f"{kind}#{k}")
    return names


def replacement_warnings(scenario: Scenario) -> list[ChannelsimWarning]:
    """Where a policy of ``scenario``'s own file, taking the place of one it drops from its
    base, does not draw the same random numbers for the same decisions, so that a comparison
    with the base is not wholly on common random numbers: one warning each, naming the file
    and the policy.

    A policy replaces a dropped one when it says so (``replaces``) or bears its name; one of
    the same type as a dropped policy that does neither draws numbers of its own (warned,
    with the fix). A replacement that declares decisions the replaced one did not (another
    type) draws numbers for them that the base never drew (warned, naming them).
    """
    dropped = dict(scenario.dropped_policies)
    found: list[ChannelsimWarning] = []
    for index, spec in enumerate(scenario.policies):
        file, label = scenario.policy_location(index)
        text = _replacement_text(spec, dropped) if file == scenario.source else None
        if text is not None:
            found.append(ChannelsimWarning(file, label, text))
    return found


def _replacement_text(spec: PolicySpec, dropped: dict[str, str]) -> str | None:
    """What :func:`replacement_warnings` says of ``spec``, given the dropped policies' types
    by name; None when it replaces none of them or draws what the replaced one drew."""
    key = spec.replaces or spec.name
    if key is not None and key in dropped:
        new = [d for d in _declared_streams(spec.type) if d not in _declared_streams(dropped[key])]
        if not new:
            return None
        return (
            f"replaces {key!r} but also draws {', '.join(new)}, which {key!r} did not: these "
            "draws are not common with the base scenario's"
        )
    alike = [name for name, kind in dropped.items() if kind == spec.type]
    if not alike:
        return None
    return (
        f"takes the place of {alike[0]!r}, dropped from the base, with random numbers of its "
        f'own: add replaces = "{alike[0]}" to it to compare with the base on common random '
        "numbers"
    )


def _declared_streams(kind: str) -> tuple[str, ...]:
    cls = policy_type(kind)
    return cls.streams if cls is not None else ()
