"""Removals after arrival: one in, one out; removal to a third country; leaving the ECHR.

All three take a share of each day's arrivals into a queue (detention, referral), remove
people from the front of the queue as fast as their capacity allows, and release those
still waiting after ``max_wait_days`` (they stay in the UK). Their deterrent effect on the
number of people coming to the coast is an explicit assumption: the coast inflow is
multiplied by ``1 − deterrence_elasticity × s``, where ``s`` is the share of arrivals
removed over the last ``deterrence_window_days`` (the credible threat). The evidence for
any such effect is weak (docs/model.md, §3.6).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Iterator
from typing import ClassVar

import numpy as np
from pydantic import Field, PrivateAttr

from channelsim.engine.policy import Compiled, Cost, DayView, Policy, register_policy
from channelsim.engine.results import Result
from channelsim.engine.stages import Setup
from channelsim.policies._common import DAYS_PER_YEAR, binomial
from channelsim.streams import EPOCH


class _Queue:
    """People waiting for removal, by the day they were queued (oldest first), with their
    running total."""

    __slots__ = ("entries", "waiting_people")

    def __init__(self) -> None:
        self.entries: deque[list[int]] = deque()  # [day queued, people]
        self.waiting_people = 0

    def release(self, day: int, max_wait_days: int) -> None:
        """Release those queued ``max_wait_days`` or more before ``day`` (they stay)."""
        entries = self.entries
        while entries and day - entries[0][0] >= max_wait_days:
            self.waiting_people -= entries.popleft()[1]

    def add(self, day: int, people: int) -> None:
        if people:
            self.entries.append([day, people])
            self.waiting_people += people

    def remove(self, capacity: int) -> int:
        """Remove up to ``capacity`` people from the front; return how many."""
        removed = 0
        entries = self.entries
        while entries and removed < capacity:
            front = entries[0]
            take = min(capacity - removed, front[1])
            front[1] -= take
            removed += take
            if front[1] == 0:
                entries.popleft()
        self.waiting_people -= removed
        return removed


class _Window:
    """Arrivals and removals of the last days, with their running sums."""

    __slots__ = ("arrived", "entries", "removed")

    def __init__(self) -> None:
        self.entries: deque[tuple[int, int]] = deque()  # (arrived, removed)
        self.arrived = 0
        self.removed = 0

    def add(self, arrived: int, removed: int, days: int) -> None:
        """Add today's figures; keep the last ``days`` days."""
        self.entries.append((arrived, removed))
        self.arrived += arrived
        self.removed += removed
        while len(self.entries) > days:
            old_arrived, old_removed = self.entries.popleft()
            self.arrived -= old_arrived
            self.removed -= old_removed


class _Weekly:
    """The week counted from the first return, the people returned in it so far, and the
    people returned since the run's first day of the policy (``returned_total``)."""

    __slots__ = ("returned", "returned_total", "week")

    def __init__(self) -> None:
        self.week = -1
        self.returned = 0
        self.returned_total = 0


def admitted_by(returned_total: int, admissions_per_return: float) -> int:
    """Whole people admitted by a legal route once ``returned_total`` people have been
    returned: ``floor(returned_total × admissions_per_return)``. A day books this less the
    same of the day before, so every day's count is whole, the total is within one person of
    the expected ``returned × admissions_per_return`` and a shorter period's days are the
    longer one's, bit for bit (no draw, nothing that depends on where the period ends)."""
    return math.floor(returned_total * admissions_per_return)


class _Removal(Policy):
    """The queue, capacity and deterrence shared by the removal policies."""

    streams: ClassVar[tuple[str, ...]] = ("eligible", "retry")
    eligible_share: float = Field(default=1.0, ge=0, le=1)
    retry_probability: float = Field(default=0.0, ge=0, le=1)
    max_wait_days: int = Field(default=28, ge=1, le=3650)
    deterrence_elasticity: float = Field(default=0.1, ge=0, le=1)
    deterrence_window_days: int = Field(default=28, ge=1, le=365)
    cost_gbp_per_removal: float = Field(default=0.0, ge=0)

    _queue: _Queue = PrivateAttr(default_factory=_Queue)
    _window: _Window = PrivateAttr(default_factory=_Window)

    def capacity_today(self, day: DayView) -> int:
        """How many people can be removed today."""
        raise NotImplementedError

    def after_removal(self, day: DayView, removed: int) -> None:
        """Book the removals (engine fields, counts, capacity used)."""
        raise NotImplementedError

    def removed_share(self) -> float:
        """Share of arrivals removed over the deterrence window."""
        window = self._window
        return min(1.0, window.removed / window.arrived) if window.arrived > 0 else 0.0

    def init(self, setup: Setup) -> None:
        self._queue = _Queue()
        self._window = _Window()

    def hooks(self) -> tuple[str, ...]:
        """Without deterrence (elasticity 0) the inflow hook would change nothing: left out."""
        hooks = super().hooks()
        return hooks if self.deterrence_elasticity else tuple(h for h in hooks if h != "inflow")

    def on_inflow(self, day: DayView) -> None:
        """Deterrence: fewer people come to the coast as more arrivals are removed."""
        day.inflow_mean_people *= max(0.0, 1.0 - self.deterrence_elasticity * self.removed_share())

    def waiting_people(self) -> int:
        """People in the queue (detained or referred, not yet removed)."""
        return self._queue.waiting_people

    def queue_limit(self) -> int | None:
        """Most people the queue can hold (detention places); ``None``: no limit."""
        return None

    def compiled(self) -> Compiled | None:
        """The hooks run by the compiled day loop (``policy_kernels``) for the built-in
        types themselves; a subclass keeps its Python hooks."""
        if type(self) not in _COMPILED:
            return None
        from channelsim.engine import policy_kernels as pk  # Numba: not on import

        record = pk.policy_record(
            kind=pk.ONE_IN_ONE_OUT if isinstance(self, OneInOneOut) else pk.YEARLY_CAPACITY,
            hooks=sum(pk.HOOK_BITS[stage] for stage in self.hooks()),
            stream_a=self.stream("eligible"),
            stream_b=self.stream("retry"),
            eligible_share=self.eligible_share,
            retry_probability=self.retry_probability,
            max_wait_days=self.max_wait_days,
            deterrence_elasticity=self.deterrence_elasticity,
            deterrence_window_days=self.deterrence_window_days,
            cost_gbp_per_removal=self.cost_gbp_per_removal,
            **self._compiled_fields(),
        )
        return Compiled(
            record,
            result=self.results[0].name if self.results else None,
            returns_cost=self.type_name,
            costs_cost="echr_exit_detention" if isinstance(self, EchrExit) else None,
        )

    def _compiled_fields(self) -> dict[str, float | int]:
        """The record's fields of the capacity rule (and queue limit) of this type."""
        limit = self.queue_limit()
        return {"queue_limit": -1 if limit is None else limit}

    def on_returns(self, day: DayView) -> None:
        """Queue today's eligible arrivals, remove as capacity allows, release the rest."""
        arrived = int(day["arrived_people"])
        queue = self._queue
        today = day.day
        queue.release(today, self.max_wait_days)
        eligible = binomial(self, day, "eligible", arrived, self.eligible_share)
        limit = self.queue_limit()
        if limit is not None:
            eligible = min(eligible, max(0, limit - queue.waiting_people))
        queue.add(today, eligible)
        removed = queue.remove(self.capacity_today(day))
        self._window.add(arrived, removed, self.deterrence_window_days)
        self.after_removal(day, removed)
        day.add_cost(self.type_name, removed * self.cost_gbp_per_removal)


class _YearlyCapacity(_Removal):
    """Capacity given in people a year, used as it accrues (no banking beyond one day)."""

    capacity_people_per_year: float = Field(default=1000.0, ge=0, le=1e7)
    _credit: float = PrivateAttr(0.0)

    def init(self, setup: Setup) -> None:
        super().init(setup)
        self._credit = 0.0

    def _compiled_fields(self) -> dict[str, float | int]:
        capacity = self.capacity_people_per_year
        return {**super()._compiled_fields(), "capacity_people_per_year": capacity}

    def capacity_today(self, day: DayView) -> int:
        daily = self.capacity_people_per_year / DAYS_PER_YEAR
        self._credit = min(self._credit + daily, daily + 1.0)
        return math.floor(self._credit)

    def after_removal(self, day: DayView, removed: int) -> None:
        self._credit -= removed
        day.add("removed_people", removed)
        day.rejoin(binomial(self, day, "retry", removed, self.retry_probability))


class OneInOneOut(_Removal):
    """UK–France returns pilot: eligible arrivals returned to France under a weekly cap.

    Defaults are the reported volumes (facts.md, "Added November 2026"): 281 returned by
    early February 2026, about 14 a week; about 1.25 people admitted per return; 2 of the
    first 94 returned crossed again (``retry_probability``); no deterrence unless stated.
    Returns start on ``first_return``; the weekly cap grows from ``weekly_cap_people`` by
    ``cap_ramp_people_per_week`` each week up to ``max_weekly_cap_people`` and is spread over
    the week (``cap × (day of week + 1) / 7`` may be used by the end of each day, counted in
    weeks from the first return). Returned people go back to France; ``retry_probability``
    of them go back to the coast. Each return admits ``admissions_per_return`` people by a
    legal route (counted as ``legal_route_admissions_people``, not as small-boat arrivals),
    booked in whole people: by the end of each day, ``floor(returned so far ×
    admissions_per_return)`` have been admitted (:func:`admitted_by`).
    """

    results = (
        Result(
            "legal_route_admissions_people",
            "People admitted by a legal route",
            "people",
            "People admitted to the UK in exchange for returns (not small-boat arrivals).",
            role="figure",
        ),
    )
    # assumptions: how many of those returned come back to the coast, and whether returns
    # deter anyone (no source measures either; docs/model.md)
    assumptions: ClassVar[dict[str, tuple[float, float]]] = {
        "retry_probability": (0.0, 0.5),
        "deterrence_elasticity": (0.0, 0.5),
    }
    first_return: dt.date = dt.date(2025, 9, 18)
    weekly_cap_people: int = Field(default=14, ge=0, le=100_000)
    cap_ramp_people_per_week: int = Field(default=0, ge=0, le=10_000)
    max_weekly_cap_people: int = Field(default=14, ge=0, le=100_000)
    eligible_share: float = Field(default=0.6, ge=0, le=1)
    max_wait_days: int = Field(default=28, ge=1, le=3650)
    retry_probability: float = Field(default=2 / 94, ge=0, le=1)
    admissions_per_return: float = Field(default=1.25, ge=0, le=10)
    deterrence_elasticity: float = Field(default=0.0, ge=0, le=1)
    cost_gbp_per_removal: float = Field(default=20_000.0, ge=0)

    _weekly: _Weekly = PrivateAttr(default_factory=_Weekly)

    def init(self, setup: Setup) -> None:
        super().init(setup)
        self._weekly = _Weekly()

    def acting_window(self) -> tuple[dt.date | None, dt.date | None]:
        """From the first return: before it the policy queues people but returns no one, and
        no result changes (a queue's people are released unseen)."""
        start = self.first_return if self.start is None else max(self.start, self.first_return)
        return start, self.end

    def acting_from_words(self) -> str:
        if self.start is not None and self.start >= self.first_return:
            return "starts"
        return "makes its first return"

    def weekly_cap(self, week: int) -> int:
        """The cap of week ``week`` counted from the first return."""
        ramped = self.weekly_cap_people + self.cap_ramp_people_per_week * week
        return min(ramped, max(self.max_weekly_cap_people, self.weekly_cap_people))

    def _compiled_fields(self) -> dict[str, float | int]:
        return {
            **super()._compiled_fields(),
            "first_return_day": (self.first_return - EPOCH).days,
            "weekly_cap_people": self.weekly_cap_people,
            "cap_ramp_people_per_week": self.cap_ramp_people_per_week,
            "max_weekly_cap_people": self.max_weekly_cap_people,
            "admissions_per_return": self.admissions_per_return,
        }

    def capacity_today(self, day: DayView) -> int:
        days = day.day - (self.first_return - EPOCH).days  # absolute days, as day.day
        if days < 0:
            return 0
        week, day_of_week = divmod(days, 7)
        weekly = self._weekly
        if week != weekly.week:
            weekly.week, weekly.returned = week, 0
        allowed = self.weekly_cap(week) * (day_of_week + 1) // 7
        return max(0, allowed - weekly.returned)

    def after_removal(self, day: DayView, removed: int) -> None:
        weekly = self._weekly
        before = admitted_by(weekly.returned_total, self.admissions_per_return)
        weekly.returned += removed
        weekly.returned_total += removed
        retrying = binomial(self, day, "retry", removed, self.retry_probability)
        day.rejoin(retrying)
        day.add("returned_from_uk_people", removed)
        admitted = admitted_by(weekly.returned_total, self.admissions_per_return) - before
        day.add("legal_route_admissions_people", admitted)


class ThirdCountryRemoval(_YearlyCapacity):
    """Rwanda-style removal to a third country, limited by what that country takes a year.

    Removed people do not come back to the coast. ``cost_gbp_per_removal`` is the 2023
    impact assessment's £169,000 per person relocated; ``fixed_cost_gbp_per_year`` covers
    payments made whatever the numbers (the Rwanda scheme cost about £700m for 4 people).
    """

    # assumption: whether removals deter anyone (no source measures it; docs/model.md)
    assumptions: ClassVar[dict[str, tuple[float, float]]] = {"deterrence_elasticity": (0.0, 1.0)}
    capacity_people_per_year: float = Field(default=1000.0, ge=0, le=1e7)
    max_wait_days: int = Field(default=90, ge=1, le=3650)
    deterrence_elasticity: float = Field(default=0.0, ge=0, le=1)
    cost_gbp_per_removal: float = Field(default=169_000.0, ge=0)
    fixed_cost_gbp_per_year: float = Field(default=0.0, ge=0)
    fixed_payments_gbp: float = Field(default=0.0, ge=0)

    def effects(self, setup: Setup) -> Iterator[Cost]:
        """Fixed costs: ``fixed_cost_gbp_per_year`` every day, and ``fixed_payments_gbp``
        (a total, e.g. the £370m + £120m paid to Rwanda) spread evenly over the policy's
        days in the run (the whole window must be simulated to book all of it)."""
        daily = np.full(setup.n_days, self.fixed_cost_gbp_per_year / DAYS_PER_YEAR)
        if self.fixed_payments_gbp > 0.0:
            window = self.window_days(setup)
            daily += self.fixed_payments_gbp / window
        yield Cost("third_country_removal_fixed", daily)

    def window_days(self, setup: Setup) -> int:
        """Days in the policy's window (its start and end, or the run's where open)."""
        first = self.start or setup.date(0)
        last = self.end or setup.date(setup.n_days - 1)
        return max(1, (last - first).days + 1)


class EchrExit(_YearlyCapacity):
    """Leaving the ECHR: remove arrivals within ``max_wait_days`` (a week), held in
    ``detention_places`` meanwhile, at ``capacity_people_per_year`` removals (about 8,200
    forced returns a year now; 150,000 proposed). Those not removed in time are released."""

    # assumption: whether removals deter anyone (no source measures it; docs/model.md)
    assumptions: ClassVar[dict[str, tuple[float, float]]] = {"deterrence_elasticity": (0.0, 1.0)}
    capacity_people_per_year: float = Field(default=8200.0, ge=0, le=1e7)
    detention_places: int = Field(default=2500, ge=0, le=1_000_000)
    max_wait_days: int = Field(default=7, ge=1, le=3650)
    deterrence_elasticity: float = Field(default=0.2, ge=0, le=1)
    cost_gbp_per_removal: float = Field(default=15_000.0, ge=0)
    cost_gbp_per_detention_day: float = Field(default=120.0, ge=0)

    def queue_limit(self) -> int | None:
        return self.detention_places

    def _compiled_fields(self) -> dict[str, float | int]:
        return {
            **super()._compiled_fields(),
            "cost_gbp_per_detention_day": self.cost_gbp_per_detention_day,
        }

    def on_costs(self, day: DayView) -> None:
        day.add_cost("echr_exit_detention", self.waiting_people() * self.cost_gbp_per_detention_day)


#: The types whose hooks the compiled day loop runs (``policy_kernels``).
_COMPILED = (OneInOneOut, ThirdCountryRemoval, EchrExit)

register_policy("one_in_one_out", OneInOneOut)
register_policy("third_country_removal", ThirdCountryRemoval)
register_policy("echr_exit", EchrExit)
