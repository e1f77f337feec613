"""The daily simulation of the crossing system: ``Sim(...).run() -> SimResult``.

A run is set up once — the period, the weather from the environment reader, the world, the
stages' levers with the policies' effects on them, the random streams by name — then the
:class:`~channelsim.engine.loop.Loop` runs the stages day after day and the result is
assembled from the declared results. People on the coast are a count; every launch attempt
is a boat with a key ``(day, ordinal)`` that all its random draws are keyed by
(``channelsim.rng``), so two scenarios with the same seed make the same draws for the same
boat.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import marshal
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from channelsim import __version__
from channelsim.engine import kernels
from channelsim.engine.loop import Loop, Progress
from channelsim.engine.policy import (
    BUILTIN_POLICIES,
    COMBINE_ORDER,
    Cost,
    Effect,
    Policy,
    Rule,
    Transform,
    apply_transform,
    blamed_on,
    build_policies,
    finite_value,
    name_policies,
)
from channelsim.engine.policy_kernels import POLICY_DTYPE
from channelsim.engine.results import BOAT_DTYPE, Result, ResultSet, SimResult
from channelsim.engine.sea import FATE_CATEGORIES, RULE_DTYPE, Fate, rule_records
from channelsim.engine.spec import SimSpec
from channelsim.engine.stages import STAGES, Setup, Stage
from channelsim.engine.state import CompiledPolicies, Ledger, SimState, book, copy_records
from channelsim.errors import InputError
from channelsim.params import Params, apply_overrides
from channelsim.rng import EPOCH, check_streams, stream_id
from channelsim.scenario import MAX_SEED, Scenario, split_overrides, with_driver_values

if TYPE_CHECKING:
    from channelsim.world.geography import World

#: The daily record of the engine's stages' results (the kernels write it by field name).
DAILY_DTYPE = kernels.daily_dtype(
    [r for cls in STAGES for r in cls.results if isinstance(r, Result) and r.daily]
)


BOAT_LOG_ROWS = 1024
"""Rows of the boat log a run starts with, at most (a 2025-like year makes some 800 launch
attempts): the log doubles when a day's launches do not fit (``SimState.grow``), which changes
no result. Sized for every boat the levers would allow, it was some 8,500 rows (1.6 MB)
zeroed per run: about 0.1 ms of a 5 ms year."""


def _nested(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Accept ``{"sea.engine_speed_kn": 5}`` as well as ``{"sea": {"engine_speed_kn": 5}}``."""
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        parts = str(key).split(".")
        if parts[0] == "params":
            parts = parts[1:]
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if isinstance(value, Mapping) and isinstance(node.get(parts[-1]), dict):
            node[parts[-1]].update(value)
        else:
            node[parts[-1]] = value
    return nested


def _flat(overrides: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested overrides (``{"sea": {"engine_speed_kn": 5}}``) as dotted keys."""
    flat: dict[str, Any] = {}
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{path}."))
        else:
            flat[path] = value
    return flat


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What a run sets up whatever its seed: the period, its policies (bound, initialised)
    with their active days, the lever values with their effects (the weather's columns
    left for the run), results, kernel set-up, rules of interception, compiled policies and
    the ledger made of the policies' costs. ``python_free``: no policy has a hook run
    in Python, so a run never changes ``policies`` and the plan serves every seed (a run
    copies the arrays it writes)."""

    world: Any
    setup: Setup
    policies: list[Policy]
    active: list[np.ndarray]
    levers: np.ndarray
    zone_levers: dict[str, np.ndarray]
    results: ResultSet
    extra_names: list[str]
    kernel: kernels.KernelSetup
    rules: np.ndarray
    rule_on: np.ndarray
    rule_owner: list[int]
    compiled: CompiledPolicies
    ledger: Ledger  # the policies' costs (copied by each run)
    python_free: bool


@dataclasses.dataclass
class _Built:
    """What a scenario gives every run of it: its policies (instances each run copies), its
    JSON and, once a run made it, the plan its seeds share."""

    scenario: Scenario
    policies: tuple[Policy, ...]
    json: str
    plan: _Plan | None = None
    marshalled: bytes | None = None  # the JSON decoded, in the form quickest to copy
    reader: tuple[Any, Any] | None = None  # (request, weather reader) of the last run

    def as_marshal(self) -> bytes:
        """The scenario's JSON decoded, as ``marshal`` bytes: each run's result decodes its
        own copy (when read), about three times as fast as decoding the JSON each time."""
        if self.marshalled is None:
            self.marshalled = marshal.dumps(json.loads(self.json))
        return self.marshalled


#: The modules of the built-in policies: their effects depend on their parameters and the
#: set-up alone (no seed), so a plan made with them serves every seed.
_BUILTIN_MODULES = frozenset(BUILTIN_POLICIES.values())


_LAST_BUILT: list[_Built | None] = [None]  # replaced whole: a thread reads it once


def _valid_seed(seed: Any) -> bool:
    """Whether ``seed`` is a plain int the scenario would accept as it is."""
    return type(seed) is int and 0 <= seed <= MAX_SEED


def _per_scenario(scenario: Scenario) -> _Built:
    """The scenario's policies and JSON, kept for the next run of the same (frozen) scenario:
    the members of an ensemble share them."""
    last = _LAST_BUILT[0]
    if last is not None and last.scenario is scenario:
        return last
    policies = tuple(build_policies(scenario.policies, scenario.policy_location))
    built = _Built(scenario, policies, scenario.model_dump_json())
    _LAST_BUILT[0] = built
    return built


_LAST_KERNEL_SETUP: list[tuple[tuple[Any, ...], kernels.KernelSetup]] = []


def _kernel_setup(
    params: Params, world: World, day0: int, n_days: int, ids: dict[str, int]
) -> kernels.KernelSetup:
    """``kernels.kernel_setup``, kept for the next run with equal (immutable) parameters,
    the same world, period and streams: the members of an ensemble share it (the kernels
    only read it)."""
    rest = (day0, n_days, tuple(ids.items()))
    if _LAST_KERNEL_SETUP:
        (last_params, last_world, *last_rest), setup = _LAST_KERNEL_SETUP[0]
        if last_world is world and tuple(last_rest) == rest and last_params == params:
            return setup
    setup = kernels.kernel_setup(params, world, day0, n_days, ids)
    _LAST_KERNEL_SETUP[:] = [((params, world, *rest), setup)]
    return setup


class Sim:
    """One simulation of a scenario (or of a parameter set over a date range).

    ``Sim(scenario, seed=..., start=..., end=...)``: keyword arguments override the
    scenario's own. ``Sim(params, start=..., end=...)`` runs bare parameters without policies.
    Extra ``policies`` (instances) are added to the scenario's. ``weather`` is an environment
    reader (default: the one the scenario's ``[weather]`` names), ``world`` the geography
    (default: the packaged strait), ``loop`` the stages (default: the engine's day).
    """

    def __init__(
        self,
        scenario_or_params: Scenario | Params,
        seed: int | None = None,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        policies: list[Policy] | None = None,
        weather: Any | None = None,
        world: Any | None = None,
        loop: Loop | None = None,
    ) -> None:
        if isinstance(scenario_or_params, Params):
            scenario = Scenario(
                name="custom",
                start=dt.date(2025, 1, 1),
                end=dt.date(2025, 12, 31),
                params=scenario_or_params,
            )
        else:
            scenario = scenario_or_params
        changes: dict[str, Any] = {}
        if seed is not None:
            changes["seed"] = seed
        if start is not None:
            changes["start"] = start
        if end is not None:
            changes["end"] = end
        built = _per_scenario(scenario)
        self._json: tuple[Scenario, str] | None = None  # the scenario's JSON but its seed
        if changes.keys() <= {"seed"} and (seed is None or _valid_seed(seed)):
            # a new seed alone changes nothing validation checks beyond its range
            self.scenario = scenario.model_copy(update=changes) if changes else scenario
            self._json = (self.scenario, built.json)
        else:
            self.scenario = scenario.with_changes(**changes)
        self.params = self.scenario.params
        self.seed = self.scenario.seed
        self._built = built
        self._prototypes = built.policies
        self._extra_policies = list(policies or [])
        self._policies: list[Policy] | None = None  # copies, made when first asked for
        self.weather = weather
        self.world = world
        self.loop = loop or Loop()

    @property
    def policies(self) -> list[Policy]:
        """This run's policies: copies of the scenario's (made when first asked for, so that
        changing them changes this Sim alone), then the extra ones given."""
        if self._policies is None:
            self._policies = [policy.fresh_copy() for policy in self._prototypes]
            self._policies += self._extra_policies
        return self._policies

    @policies.setter
    def policies(self, policies: list[Policy]) -> None:
        self._policies = list(policies)

    def _policy_sources(self) -> list[Policy]:
        """What each run copies its policies from: :attr:`policies` if asked for, else the
        scenario's own instances (the same values) and the extra ones."""
        if self._policies is not None:
            return self._policies
        return [*self._prototypes, *self._extra_policies]

    # -- set-up ----------------------------------------------------------------------------

    def _reader(self) -> Any:
        """The weather reader: the one given, else the scenario's (made once per scenario
        and kept with it: a stochastic reader keeps what its dates give every seed)."""
        if self.weather is not None:
            return self.weather
        from channelsim.world.environment import ReaderRequest, make_reader

        spec = self.scenario.weather
        request = ReaderRequest(
            spec.mode,
            spec.path,
            self.params.weather.max_wind_kn,
            self.params.weather.max_wave_height_m,
            source=self.scenario.source,
        )
        kept = self._built.reader
        if kept is not None and kept[0] == request:
            return kept[1]
        reader = make_reader(request)
        self._built.reader = (request, reader)
        return reader

    def results(self) -> ResultSet:
        """The results this run declares: the stages', then its policies'.

        Raises:
            PolicyError: naming the first policy whose declarations clash with those before
                it (a built-in result's name declared otherwise, or one name twice).
        """
        declared = [r for stage in self.loop.stages for r in stage.results]
        sources = self._policy_sources()
        try:
            return ResultSet(declared + [r for policy in sources for r in policy.results])
        except ValueError:
            for policy in sources:  # find who: rare, so the search is only made here
                declared = declared + list(policy.results)
                with blamed_on(policy):
                    ResultSet(declared)
            raise

    def setup(self) -> SimState:
        """Everything before the first day: weather, levers and effects, streams, state."""
        from channelsim.world.geography import load_world

        p = self.params
        world = self.world if self.world is not None else load_world()
        plan = self._plan(world)
        n_days = plan.setup.n_days
        weather = self._weather(plan.setup.dates)
        lever_record = copy_records(plan.levers)
        crossing = np.asarray(
            _crossing_window(weather, p.weather.max_wind_kn, p.weather.max_wave_height_m), bool
        )
        wind_to = np.radians(np.asarray(weather.wind_from_deg, dtype=np.float64) + 180.0)
        wind_speed_m_s = np.asarray(weather.wind_speed_kn, dtype=np.float64) * 0.514444
        lever_record["crossing_window"] = crossing
        lever_record["wind_u_m_s"] = wind_speed_m_s * np.sin(wind_to)
        lever_record["wind_v_m_s"] = wind_speed_m_s * np.cos(wind_to)
        lever_record["wave_height_m"] = np.asarray(weather.wave_height_m, dtype=np.float64)
        lever_record["sea_temp_c"] = np.asarray(weather.sea_temp_c, dtype=np.float64)

        daily = np.zeros(n_days + 1, DAILY_DTYPE)
        daily["crossing_window"][:n_days] = crossing
        daily["wind_speed_kn"][:n_days] = np.asarray(weather.wind_speed_kn, dtype=np.float64)
        daily["wave_height_m"][:n_days] = lever_record["wave_height_m"]
        daily["sea_temp_c"][:n_days] = lever_record["sea_temp_c"]

        extra_block = np.zeros((len(plan.extra_names), n_days + 1))
        extra = {name: extra_block[i] for i, name in enumerate(plan.extra_names)}
        launch_days = np.flatnonzero(crossing)
        max_boats = np.maximum(lever_record["max_boats"][launch_days].astype(np.int64), 0)

        state = np.zeros(1, kernels.STATE_DTYPE)
        state[0]["waiting_people"] = p.coast.initial_waiting_people
        state[0]["boat_stock"] = p.networks.initial_boat_stock
        sim = SimState(
            seed=self.seed,
            params=p,
            world=world,
            dates=plan.setup.dates.copy(),  # the plan's are shared by seeds
            day0=plan.setup.day0,
            zone_names=plan.setup.zone_names,
            zones=plan.kernel.zones,
            kernel=plan.kernel,
            results=plan.results,
            levers=lever_record,
            zone_levers={name: values.copy() for name, values in plan.zone_levers.items()},
            daily=daily,
            extra=extra,
            extra_block=extra_block,
            state=state,
            boats=np.zeros(min(int(max_boats.sum()) + 1, BOAT_LOG_ROWS), BOAT_DTYPE),
            rules=plan.rules,
            rule_on=plan.rule_on,
            rule_daily=np.zeros((len(plan.rules), n_days + 1)),
            rule_owner=plan.rule_owner,
            policies=plan.policies,
            returning=np.zeros(n_days + 2, dtype=np.int64),
            compiled=plan.compiled.fresh(),
            active=plan.active,
        )
        sim.start_ledger(plan.ledger)
        return sim

    def _plan(self, world: World) -> _Plan:
        """What this run shares with every other seed of its scenario (:class:`_Plan`): kept
        with the scenario's policies for the next run when only the seed differs, the loop
        and the world are the same and no policy has Python work in the run; else made for
        this run alone."""
        built = self._built
        shared = (
            self._json is not None
            and self._policies is None
            and not self._extra_policies
            and tuple(type(stage) for stage in self.loop.stages) == STAGES
            and all(type(policy).__module__ in _BUILTIN_MODULES for policy in self._prototypes)
        )
        if shared and built.plan is not None and built.plan.world is world:
            return built.plan
        plan = self._make_plan(world)
        if shared and plan.python_free:
            built.plan = plan
        return plan

    def _make_plan(self, world: World) -> _Plan:
        sc, p = self.scenario, self.params
        first = sc.first_simulated_day  # before sc.start with --from: days not reported
        dates = np.arange(
            np.datetime64(first, "D"), np.datetime64(sc.end, "D") + 1, dtype="datetime64[D]"
        )
        n_days = dates.shape[0]
        day0 = (first - EPOCH).days
        zone_names = tuple(z.name for z in world.launch_zones)
        waterway = np.array([z.kind == "waterway" for z in world.launch_zones], dtype=bool)
        setup = Setup(dates, day0, p, world, zone_names, waterway)

        # policies: fresh copies (state kept between days never leaks into the next run),
        # named, with their streams checked against the engine's
        policies = [pol.fresh_copy() for pol in self._policy_sources()]
        names = name_policies(policies)
        engine_streams = [n for s in self.loop.stages for n in s.stream_names()]
        ids = check_streams(
            [
                *engine_streams,
                *(s for n, pol in zip(names, policies, strict=True) for s in pol.stream_names(n)),
            ]
        )
        for name, policy in zip(names, policies, strict=True):
            policy.bind(name, ids)
            with blamed_on(policy):
                policy.init(setup)

        effects = [_declared_effects(policy, setup) for policy in policies]
        active = [policy.active_days(dates) for policy in policies]
        levers, zone_levers = self._levers(setup, policies, effects, active)
        lever_record = np.zeros(n_days, kernels.lever_dtype(list(levers)))
        for name, values in levers.items():
            lever_record[name] = values

        results = self.results()
        extra_names = [r.name for r in results.series if r.name not in (DAILY_DTYPE.names or ())]
        kernel = _kernel_setup(p, world, day0, n_days, ids)
        rules, rule_on, rule_owner = _rules(policies, effects, active, setup)
        compiled = _compiled(policies, active, setup, extra_names, rule_owner)
        ledger = Ledger()  # the policies' costs, booked before the first day
        for policy_effects, days in zip(effects, active, strict=True):
            for cost in policy_effects:
                if isinstance(cost, Cost):
                    values = np.broadcast_to(np.asarray(cost.gbp_per_day, float), (n_days,))
                    for d in np.flatnonzero(days):
                        book(ledger, cost.item, int(d), float(values[d]), n_days, (-1, -1))
        python_free = all(
            compiled_form or not policy.hooks()
            for policy, compiled_form in zip(policies, compiled.mask, strict=True)
        )
        return _Plan(
            world=world,
            setup=setup,
            policies=policies,
            active=active,
            levers=lever_record,
            zone_levers=zone_levers,
            results=results,
            extra_names=extra_names,
            kernel=kernel,
            rules=rules,
            rule_on=rule_on,
            rule_owner=rule_owner,
            compiled=compiled,
            ledger=ledger,
            python_free=python_free,
        )

    def _weather(self, dates: np.ndarray) -> Any:
        return self._reader().daily(dates, self.seed)

    def _levers(
        self,
        setup: Setup,
        policies: list[Policy],
        policy_effects: list[list[Any]],
        active: list[np.ndarray],
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Each stage's base lever values with the policies' effects combined on them."""
        values: dict[str, np.ndarray] = {}
        specs = {lv.name: lv for s in self.loop.stages for lv in s.levers}
        for stage in self.loop.stages:
            values.update(stage.base_levers(setup))
        effects: list[tuple[Effect, np.ndarray, Policy]] = []
        transforms: list[tuple[Transform, np.ndarray, Policy]] = []
        for policy, declared, on in zip(policies, policy_effects, active, strict=True):
            for effect in declared:
                if isinstance(effect, Effect | Transform):
                    if effect.lever not in values:
                        raise InputError(
                            None,
                            f"policy {policy.name}",
                            f"moves the lever {effect.lever!r}, which no stage declares "
                            f"(expected one of {', '.join(sorted(values))})",
                        )
                    days = on if effect.days is None else on & effect.days
                    if isinstance(effect, Effect):
                        effects.append((effect, days, policy))
                    else:
                        transforms.append((effect, days, policy))
        for op in COMBINE_ORDER:
            set_by: dict[str, np.ndarray] = {}
            setters: list[tuple[str, np.ndarray, Policy]] = []
            for effect, days, policy in effects:
                if effect.op != op:
                    continue
                target = values[effect.lever]
                value = np.broadcast_to(np.asarray(effect.value, dtype=np.float64), target.shape)
                if op == "set":
                    taken = set_by.setdefault(effect.lever, np.zeros(setup.n_days, bool))
                    if (taken & days).any():
                        raise _set_twice(effect.lever, policy, setters, taken & days, setup)
                    setters.append((effect.lever, days, policy))
                    taken |= days
                    target[days] = value[days]
                elif op == "scale":
                    target[days] = target[days] * value[days]
                elif op == "add":
                    target[days] = target[days] + value[days]
                else:
                    target[days] = target[days] + value[days] - target[days] * value[days]
        for name, spec in specs.items():
            np.clip(values[name], spec.low, spec.high, out=values[name])
        for transform, days, policy in transforms:  # on the combined values, in policy order
            spec = specs[transform.lever]
            apply_transform(values[transform.lever], transform, days, policy, (spec.low, spec.high))
        zone = {n: v for n, v in values.items() if specs[n].per_zone}
        scalar = {n: v for n, v in values.items() if not specs[n].per_zone}
        return scalar, zone

    def _scenario_dict(self) -> dict[str, Any]:
        """``self.scenario.to_dict()``, from the JSON of the scenario as given when only the
        seed differs (made once per scenario)."""
        pending = self._scenario_marshal()
        if pending is None:
            return self.scenario.to_dict()
        as_dict: dict[str, Any] = marshal.loads(pending[0])
        as_dict["seed"] = pending[1]
        return as_dict

    def _scenario_marshal(self) -> tuple[bytes, int] | None:
        """``self.scenario.to_dict()`` but its seed, as ``marshal`` bytes, and the seed, when
        only the seed differs from the scenario as given (else None)."""
        if self._json is None or self._json[0] is not self.scenario:
            return None
        return self._built.as_marshal(), self.scenario.seed

    # -- the run ---------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> SimResult:
        """Simulate every day from start to end; ``progress(days done, days)`` as it goes."""
        sim = self.setup()
        self.loop.run(sim, progress)
        return self._result(sim)

    def _result(self, sim: SimState) -> SimResult:
        n = sim.n_days
        sim.book_compiled_costs({s.name: i for i, s in enumerate(self.loop.stages)})
        daily = sim.daily
        daily["boats_at_sea"] = np.cumsum(daily["boats_at_sea"])
        cost = np.zeros(n)
        for values in sim.costs.values():
            cost += values
        daily["cost_gbp"][:n] = cost
        columns = _by_field(daily[:n])
        series: dict[str, np.ndarray] = {}
        for item in sim.results.series:
            row = _DAILY_FIELD.get(item.name)
            series[item.name] = (
                columns[row] if row is not None else np.ascontiguousarray(sim.extra[item.name][:n])
            )
        log = copy_records(sim.boats[: int(sim.state[0]["n_boats"])])
        finals: dict[str, int | float] = {
            "at_sea_end_people": int(sim.state[0]["at_sea_end_people"]),
            "at_sea_end_boats": int((log["fate"] == int(Fate.AT_SEA_END)).sum()),
        }
        items = tuple(sim.costs)
        days = [np.flatnonzero(sim.cost_booked[item]) for item in items]
        day = np.concatenate([np.zeros(0, np.int64), *days])
        item_index = np.repeat(np.arange(len(items), dtype=np.int64), [len(d) for d in days])
        booked = zip(items, days, strict=True)
        cost = np.concatenate([np.zeros(0), *(sim.costs[item][d] for item, d in booked)])
        by_day = np.lexsort((item_index, day))  # rows by day, then item
        cost_rows = (
            day[by_day].astype(np.int64),
            items,
            item_index[by_day],
            cost[by_day].astype(np.float64),
        )
        dates = sim.dates
        skip = (self.scenario.start - self.scenario.first_simulated_day).days
        if skip:  # the days before the scenario's start are simulated, not reported
            dates, series, log, cost_rows = _reported(skip, dates, series, log, cost_rows)
        fields: dict[str, Any] = dict(
            seed=self.seed,
            code_version=__version__,
            results=sim.results,
            dates=dates,
            values=series,
            finals=finals,
            boat_log=log,
            zone_names=sim.zone_names,
            fate_names=FATE_CATEGORIES,
            cost_rows=cost_rows,
        )
        pending = self._scenario_marshal()
        if pending is None:
            return SimResult(scenario=self.scenario.to_dict(), **fields)
        return SimResult.decoding_scenario(pending, **fields)


_DAILY_FIELD = {name: i for i, name in enumerate(DAILY_DTYPE.names or ())}
if DAILY_DTYPE.itemsize != 8 * len(_DAILY_FIELD) or any(
    field[0] != np.float64 for field in (DAILY_DTYPE.fields or {}).values()
):
    raise TypeError("the daily record must be float64 fields, unpadded (kernels.daily_dtype)")


def _reported(
    skip: int,
    dates: np.ndarray,
    series: dict[str, np.ndarray],
    log: np.ndarray,
    cost_rows: tuple[np.ndarray, tuple[str, ...], np.ndarray, np.ndarray],
) -> tuple[
    np.ndarray,
    dict[str, np.ndarray],
    np.ndarray,
    tuple[np.ndarray, tuple[str, ...], np.ndarray, np.ndarray],
]:
    """A run's days from index ``skip`` on (the scenario's start, after days simulated from
    ``simulated_from``): the dates and daily series from there, the boats launched from
    there and the costs booked from there, their day indices counted from there; a cost
    item booked only before is left out. Levels (boats at sea) keep what the days before
    left; a boat launched before and ending after is in the days' figures, not the log."""
    launched = log[log["day"] >= skip]
    launched["day"] -= skip
    day, items, item_index, cost = cost_rows
    kept = day >= skip
    used = np.unique(item_index[kept])
    renumber = np.full(len(items), -1, np.int64)
    renumber[used] = np.arange(len(used))
    costs = (
        day[kept] - skip,
        tuple(items[i] for i in used),
        renumber[item_index[kept]],
        cost[kept],
    )
    days = {name: np.ascontiguousarray(values[skip:]) for name, values in series.items()}
    return dates[skip:].copy(), days, launched, costs


def _by_field(records: np.ndarray) -> np.ndarray:
    """The daily records' fields as the rows of one ``(field, day)`` float64 array, in one
    copy (each field's column copied on its own took some 2 µs, forty times a run)."""
    flat = np.ascontiguousarray(records).view(np.float64).reshape(len(records), len(_DAILY_FIELD))
    return np.ascontiguousarray(flat.T)


def _compiled(
    policies: list[Policy],
    active_days: list[np.ndarray],
    setup: Setup,
    extra_names: list[str],
    rule_owner: list[int],
) -> CompiledPolicies:
    """The policies whose hooks the compiled day loop runs, as arrays (``policy_kernels``)."""
    forms = [policy.compiled() for policy in policies]
    n, n_days = sum(form is not None for form in forms), setup.n_days
    records = np.zeros(n, POLICY_DTYPE)
    active, cost_items = [], []
    days = np.zeros(n_days, dtype=np.int64)
    k = 0
    for index, form in enumerate(forms):
        if form is None:
            continue
        records[k] = form.record[0]
        record = records[k : k + 1]  # a view: writes go to records
        record["owner"] = index
        if form.result is not None:
            record["out_row"] = extra_names.index(form.result)
        for field, item, stage in (
            ("cost_row", form.returns_cost, "returns"),
            ("cost_row_costs", form.costs_cost, "costs"),
        ):
            if item is not None:
                if (item, stage) not in cost_items:
                    cost_items.append((item, stage))
                record[field] = cost_items.index((item, stage))
        active.append(active_days[index])
        days[active[-1]] |= int(record["hooks"][0])
        k += 1
    return CompiledPolicies(
        records=records,
        mask=tuple(form is not None for form in forms),
        active=np.array(active, dtype=bool).reshape(n, n_days),
        days=days,
        queues=np.zeros((n, 4, n_days + 1), dtype=np.int64),
        rule_policy=np.array(rule_owner, dtype=np.int64),
        cost=np.zeros((len(cost_items), n_days)),
        booked=np.zeros((len(cost_items), n_days), dtype=bool),
        cost_items=tuple(cost_items),
    )


def _declared_effects(policy: Policy, setup: Setup) -> list[Any]:
    """``policy.effects(setup)`` as a list, its faults named against the policy: an error it
    raises, or a lever value or cost that is not a finite number (a NaN scale would quietly
    switch prevention off; a NaN cost would make the total null).

    Raises:
        PolicyError: ``policy 'name' (type): the lever 'x': expected a finite number, got nan``.
    """
    with blamed_on(policy):
        effects = list(policy.effects(setup))
        for effect in effects:
            if isinstance(effect, Effect):
                finite_value(effect.value, f"the lever {effect.lever!r}")
            elif isinstance(effect, Cost):
                finite_value(effect.gbp_per_day, f"the cost {effect.item!r}")
    return effects


def _rules(
    policies: list[Policy], effects: list[list[Any]], active_days: list[np.ndarray], setup: Setup
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The policies' rules of interception, the days each acts and the policy owning it."""
    triples, on, owner = [], [], []
    for index, (policy, declared) in enumerate(zip(policies, effects, strict=True)):
        active = active_days[index]
        for rule in declared:
            if isinstance(rule, Rule):
                triples.append(
                    (
                        rule.interception,
                        policy.stream(rule.stream),
                        policy.stream(rule.action_stream),
                    )
                )
                on.append(active)
                owner.append(index)
    if not triples:
        return np.zeros(0, RULE_DTYPE), np.zeros((0, setup.n_days), bool), []
    return rule_records(triples), np.ascontiguousarray(np.array(on, dtype=bool)), owner


def _crossing_window(weather: Any, max_wind_kn: float, max_wave_height_m: float) -> Any:
    from channelsim.world.environment import crossing_window

    return crossing_window(weather, max_wind_kn, max_wave_height_m)


def simulate(
    model: Scenario | SimSpec, seed: int, overrides: Mapping[str, Any] | None = None
) -> SimResult:
    """Run ``model`` with ``seed`` and optional parameter overrides (dotted or nested): the
    member function of every ensemble (run, compare, sensitivity)."""
    spec = model if isinstance(model, SimSpec) else SimSpec(model)
    scenario = spec.scenario
    if overrides:
        flat, drivers = split_overrides(_flat(overrides))
        if flat:
            params = apply_overrides(scenario.params, _nested(flat), scenario.source)
            scenario = scenario.with_changes(params=params)
        scenario = with_driver_values(scenario, drivers, scenario.source or "overrides")
    result = Sim(scenario, seed=seed, weather=spec.weather).run()
    return result if spec.keep == result.keep else result.with_extra({}, keep=spec.keep)


run_scenario = simulate
"""The former name of :func:`simulate`."""

__all__ = ["EPOCH", "Sim", "SimSpec", "Stage", "simulate", "stream_id"]


def _set_twice(
    lever: str,
    policy: Policy,
    setters: Sequence[tuple[str, np.ndarray, Policy]],
    clash: np.ndarray,
    setup: Setup,
) -> InputError:
    """Two policies setting one lever on a day: the error names both and the first such day
    (a user's beach_officers beside the base's own said only "expected one policy setting
    prevention_probability on a day")."""
    other = next(p for name, on, p in setters if name == lever and (on & clash).any())
    day = dt.date.fromisoformat(str(setup.dates[int(np.argmax(clash))]))
    return InputError(
        None,
        f"policy {policy.name}",
        f"sets {lever} on {day.day} {day:%b %Y}, as policy {other.name!r} already does: "
        f"expected one policy setting it on a day (drop the other with drop_policies, in a "
        f"file with a base)",
    )
