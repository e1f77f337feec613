"""The loop: the stages of a day in a declared order, planned as data and inspectable.

``Loop()`` is the engine's day (``stages.STAGES``); ``loop.insert(stage, after=...)``
returns a loop with a stage of your own. ``loop.to_rows()`` lists the plan: each position,
its stage, whether it runs compiled, its levers, its results, and the policies' hooks.

Running a loop (:meth:`Loop.run`) executes the positions day after day. The built-in
policies' hooks run compiled, at the start of their stage's position
(``channelsim.engine.policy_kernels``). Python work —
policies' hooks, which run at the start of their stage on the days they are active, and
stages written in Python — makes the loop stop at that position on that day; between such
stops the compiled kernels run back to back in one call (``kernels.run_days``, through
``kernels.run_days_of``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from channelsim.engine import kernels, policy_kernels
from channelsim.engine.policy import DayView, Policy, blamed_on
from channelsim.engine.results import Declared
from channelsim.engine.stages import KERNELS, POLICY_BOOKED_RESULTS, STAGES, Stage
from channelsim.engine.state import SimState

Progress = Callable[[int, int], None]


class Loop:
    """An ordered tuple of stages (by default the engine's)."""

    def __init__(self, stages: Sequence[Stage] | None = None) -> None:
        self.stages: tuple[Stage, ...] = tuple(stages or (cls() for cls in STAGES))
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stage names must be unique, got {names}")

    def insert(self, stage: Stage, after: str) -> Loop:
        """A loop with ``stage`` right after the stage called ``after``."""
        names = [s.name for s in self.stages]
        if after not in names:
            raise ValueError(f"no stage {after!r} in the loop ({', '.join(names)})")
        i = names.index(after) + 1
        return Loop([*self.stages[:i], stage, *self.stages[i:]])

    def index(self, name: str) -> int:
        return [s.name for s in self.stages].index(name)

    def order(self) -> np.ndarray:
        """Kernel id at each position (−1: no compiled work there)."""
        return np.array(
            [KERNELS.index(s.kernel) if s.kernel is not None else -1 for s in self.stages],
            dtype=np.int64,
        )

    def to_rows(self, policies: Sequence[Policy] = ()) -> list[dict[str, Any]]:
        """The plan: one row per position."""
        return [
            {
                "position": i,
                "stage": s.name,
                "compiled": s.kernel is not None and not s.runs_in_python,
                "levers": [lv.name for lv in s.levers],
                "results": [r.name for r in s.results],
                "hooks": [p.name for p in policies if s.name in p.hooks()],
                "description": s.description,
            }
            for i, s in enumerate(self.stages)
        ]

    # -- running --------------------------------------------------------------------------

    def _stops(self, sim: SimState) -> list[tuple[int, int, list[Callable[[DayView], None]]]]:
        """``(day, position, steps)`` for every position and day with Python work, in order."""
        per_position: list[list[tuple[np.ndarray, Callable[[DayView], None]]]] = []
        hooks = [
            (policy, policy.hooks(), active)
            for policy, compiled, active in zip(
                sim.policies, sim.compiled.mask, sim.active, strict=True
            )
            if not compiled  # the compiled day loop runs its hooks
        ]
        for stage in self.stages:
            work = [
                (days, getattr(policy, f"on_{stage.name}"))
                for policy, stages, days in hooks
                if stage.name in stages
            ]
            if stage.runs_in_python:
                work.append((np.ones(sim.n_days, dtype=bool), stage.step))
            per_position.append(work)
        stops = []
        for p, work in enumerate(per_position):
            if not work:
                continue
            days_with_work = np.zeros(sim.n_days, dtype=bool)
            for days, _ in work:
                days_with_work |= days
            for d in np.flatnonzero(days_with_work):
                stops.append((int(d), p, [step for days, step in work if days[d]]))
        stops.sort(key=lambda stop: (stop[0], stop[1]))
        return stops

    def run(self, sim: SimState, progress: Progress | None = None) -> None:
        """Run every day of ``sim``; ``progress(days done, days)`` after each stretch."""
        kernel = self.order()
        for stage in self.stages:  # a stage with Python work runs it instead of a kernel
            if stage.runs_in_python:
                kernel[self.index(stage.name)] = -1
        hook = [policy_kernels.HOOK_BITS.get(s.name, 0) for s in self.stages]
        order = np.ascontiguousarray(np.stack([kernel, np.array(hook, dtype=np.int64)]))
        here = (0, 0)
        run = _kernel_run(sim)
        for d, p, steps in self._stops(sim):
            run = _drive(sim, run, order, here, (d, p))
            sim.clock = (d, p)
            for step in steps:
                _step(step, sim, d)
            here = (d, p)
            if progress is not None:
                progress(d, sim.n_days)
        _drive(sim, run, order, here, (sim.n_days, 0))
        if progress is not None:
            progress(sim.n_days, sim.n_days)


def _step(step: Callable[[DayView], None], sim: SimState, d: int) -> None:
    """One stop's step on day ``d``: a policy's hook (writing only its own results and those
    of :data:`POLICY_BOOKED_RESULTS`; its faults named against the policy and the day,
    :func:`blamed_on`) or a stage's own Python ``step``."""
    owner = getattr(step, "__self__", None)
    if isinstance(owner, Policy):
        view = DayView(sim, d, _writable(tuple(owner.results)))
        with blamed_on(owner, view.date):
            step(view)
    else:
        step(DayView(sim, d))


@functools.cache
def _writable(results: tuple[Declared, ...]) -> frozenset[str]:
    """The results a policy declaring ``results`` may write (once per kind of policy, not
    per day)."""
    return POLICY_BOOKED_RESULTS.union(r.name for r in results)


def _kernel_run(sim: SimState) -> kernels.Run:
    """The kernels' view of ``sim``: its arrays, which hooks change in place (made again only
    when the boat log grows)."""
    k, c = sim.kernel, sim.compiled
    return kernels.Run(
        sim.seed,
        k.params,
        k.streams,
        sim.state,
        sim.daily,
        sim.levers,
        sim.zone_levers["prevention_probability"],
        sim.zone_levers["taxi_prevention_probability"],
        sim.zone_levers["taxi_interception_probability"],
        k.zones,
        sim.boats,
        sim.rules,
        sim.rule_on,
        sim.rule_daily,
        sim.returning,
        k.world,
        c.records,
        c.active,
        c.days,
        c.queues,
        c.rule_policy,
        sim.extra_block,
        c.cost,
        c.booked,
    )


def _drive(
    sim: SimState,
    run: kernels.Run,
    order: np.ndarray,
    start: tuple[int, int],
    stop: tuple[int, int],
) -> kernels.Run:
    """Run the compiled kernels from ``start`` up to ``stop``, growing the boat log when a
    day's launches do not fit; return the kernels' view (a new one if the log grew)."""
    while kernels.run_days_of(order, *start, *stop, *run) != kernels.DONE:
        sim.grow()
        run = _kernel_run(sim)
        start = (int(sim.state[0]["stop_day"]), int(sim.state[0]["stop_pos"]))
    return run
