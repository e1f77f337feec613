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
from typing import Any, ClassVar

import numpy as np
from pydantic import PrivateAttr

from channelsim.engine.policy import (
    Compiled,
    Cost,
    DayView,
    Policy,
    policy_param,
    register_policy,
)
from channelsim.engine.results import Result
from channelsim.engine.stages import Setup
from channelsim.policies._common import COST_GBP_PER_YEAR_MAX, DAYS_PER_YEAR, binomial
from channelsim.streams import EPOCH

#: The deterrence elasticity's unit: the coast inflow is multiplied by ``1 − e × s``, ``s``
#: the share of arrivals removed over the deterrence window.
DETERRENCE_UNIT = "inflow share per share removed"


def deterrence_param(
    default: float,
    *,
    high: float = 1.0,
    drawn: bool = True,
    note: str = "no deterrence unless stated: the evidence is weak",
    what: str = "removed",
) -> Any:
    """A removal policy's ``deterrence_elasticity``: from 0 (no deterrence) to 1, plausible
    up to ``high``, an assumption (``note`` says what it rests on); ``drawn``: varied by the
    uncertainty analysis."""
    return policy_param(
        default,
        unit=DETERRENCE_UNIT,
        low=0,
        high=high,
        drawn=drawn,
        note=note,
        meaning=f"Cut in the coast inflow per share of arrivals {what} (0: no deterrence).",
        ge=0,
        le=1,
    )


#: Upper bound of the cost of one removal: £1bn, far above any scheme's (the Rwanda scheme's
#: £700m for 4 people came to £175m each; its impact assessment put one at £169,000), so that
#: a mistyped cost is refused instead of overflowing the cost ledger.
COST_GBP_PER_REMOVAL_MAX = 1e9
#: Upper bound of the cost of holding one person a day: £1m (detention costs about £120).
COST_GBP_PER_DETENTION_DAY_MAX = 1e6
#: The reports the defaults cite (as docs/model.md did).
RETURNS_REPORT = (
    "https://www.inkl.com/news/more-migrants-come-to-uk-than-leave-under-one-in-one-out-"
    "deal-with-france-home-secretary-admits"
)
RWANDA_REPORT = (
    "https://www.lbc.co.uk/news/"
    "rwanda-deportation-scheme-cost-700m-and-saw-just-four-volunteers-sent-to-africa/"
)


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
    eligible_share: float = policy_param(
        1.0,
        unit="share",
        plausible="fixed (all arrivals)",
        meaning="Share of each day's arrivals queued for removal.",
        ge=0,
        le=1,
    )
    retry_probability: float = policy_param(
        0.0,
        unit="probability",
        low=0,
        high=0.05,
        note="removed far from the Channel",
        meaning="Chance that a person removed comes back to the French coast.",
        ge=0,
        le=1,
    )
    max_wait_days: int = policy_param(
        28,
        unit="days",
        low=7,
        high=60,
        meaning="Days a person waits in the queue before being released (staying in the UK).",
        ge=1,
        le=3650,
    )
    deterrence_elasticity: float = deterrence_param(
        0.1, drawn=False, note="the evidence for any deterrent effect is weak"
    )
    deterrence_window_days: int = policy_param(
        28,
        unit="days",
        plausible="fixed",
        meaning="Days over which the share of arrivals removed (the credible threat) is taken.",
        ge=1,
        le=365,
    )
    cost_gbp_per_removal: float = policy_param(
        0.0,
        unit="£ per removal",
        plausible="fixed",
        meaning="Cost of removing one person.",
        ge=0,
        le=COST_GBP_PER_REMOVAL_MAX,
    )

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

    capacity_people_per_year: float = policy_param(
        1000.0,
        unit="people per year",
        low=200,
        high=5000,
        meaning="People who can be removed a year, used as it accrues.",
        ge=0,
        le=1e7,
    )
    _credit: float = PrivateAttr(0.0)

    def init(self, setup: Setup) -> None:
        super().init(setup)
        self._credit = 0.0

    def _compiled_fields(self) -> dict[str, float | int]:
        capacity = self.capacity_people_per_year
        return {**super()._compiled_fields(), "capacity_people_per_year": capacity}

    def acting_assumptions(self) -> dict[str, tuple[float, float]]:
        """None when nobody can be removed (no capacity or no one eligible: history's Rwanda,
        with no forced relocation): retries and deterrence both follow from removals, and
        an answer does not rest on what cannot act (s13 U17)."""
        if self.capacity_people_per_year <= 0 or self.eligible_share <= 0:
            return {}
        return super().acting_assumptions()

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

    def cost_assumptions(self) -> tuple[str, ...]:
        """The assumed unit costs its booked cost rests on (a headline names them)."""
        return ("cost_gbp_per_removal",)

    results = (
        Result(
            "legal_route_admissions_people",
            "People admitted by a legal route",
            "people",
            "People admitted to the UK in exchange for returns (not small-boat arrivals).",
            role="figure",
        ),
    )
    # drawn by uncertainty analysis (``assumptions``): how many of those returned come back
    # to the coast, and whether returns deter anyone (no source measures either)
    first_return: dt.date = policy_param(
        dt.date(2025, 9, 18),
        unit="date",
        plausible="fixed",
        source="facts.md: Policy, one in, one out (first return 18 Sep 2025)",
        meaning="Day of the first return: no one is returned before it.",
        allowed="a date from 2018-01-01 to 2100-12-31",
        ge=dt.date(2018, 1, 1),
        le=dt.date(2100, 12, 31),
    )
    weekly_cap_people: int = policy_param(
        14,
        unit="people per week",
        low=14,
        high=50,
        source=f'281 returned by early February 2026 (facts.md, "Added November 2026"; '
        f"{RETURNS_REPORT}); about 50 a week was briefed informally",
        meaning="Returns allowed in the first week from the first return.",
        ge=0,
        le=100_000,
    )
    cap_ramp_people_per_week: int = policy_param(
        0,
        unit="people per week",
        plausible="0 (reported); 50 in the scaled-up what-if",
        note="the scenario's choice",
        meaning="Growth of the weekly cap each week.",
        ge=0,
        le=10_000,
    )
    max_weekly_cap_people: int = policy_param(
        14,
        unit="people per week",
        low=14,
        high=800,
        note="the scenario's choice",
        meaning="Largest weekly cap the ramp reaches; below weekly_cap_people it counts as that.",
        ge=0,
        le=100_000,
    )
    eligible_share: float = policy_param(
        0.6,
        unit="share",
        low=0.4,
        high=0.8,
        note="adults, referred and accepted by France",
        meaning="Share of each day's arrivals referred and accepted for return.",
        ge=0,
        le=1,
    )
    max_wait_days: int = policy_param(
        28,
        unit="days",
        low=7,
        high=60,
        meaning="Days a person waits for return before being released (staying in the UK).",
        ge=1,
        le=3650,
    )
    retry_probability: float = policy_param(
        2 / 94,
        unit="probability",
        low=0,
        high=0.5,
        drawn=True,
        # s12 U11: the count gives the stated value, not the range drawn over
        note="the stated value: 2 of the first 94 returned had crossed again within weeks "
        "(https://feeds.bbci.co.uk/news/articles/c5y4ez53x7do; binomial 95% interval "
        "0.003-0.075); the range up to 0.5 assumes that more try again later",
        meaning="Chance that a person returned goes back to the French coast and may cross again.",
        ge=0,
        le=1,
    )
    admissions_per_return: float = policy_param(
        1.25,
        unit="people per return",
        low=0.7,
        high=1.5,
        source=f"about 350 admitted for 281 returned ({RETURNS_REPORT})",
        meaning="People admitted by a legal route for each person returned.",
        ge=0,
        le=10,
    )
    deterrence_elasticity: float = deterrence_param(0.0, high=0.5, what="returned")
    cost_gbp_per_removal: float = policy_param(
        20_000.0,
        unit="£ per removal",
        low=5_000,
        high=50_000,
        meaning="Cost of returning one person.",
        ge=0,
        le=COST_GBP_PER_REMOVAL_MAX,
    )

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

    # drawn by uncertainty analysis (``assumptions``): whether removals deter anyone (no
    # source measures it)
    max_wait_days: int = policy_param(
        90,
        unit="days",
        plausible="fixed",
        meaning="Days a person waits for removal before being released (staying in the UK).",
        ge=1,
        le=3650,
    )
    deterrence_elasticity: float = deterrence_param(0.0)
    cost_gbp_per_removal: float = policy_param(
        169_000.0,
        unit="£ per removal",
        plausible="fixed",
        source="facts.md: Policy, Rwanda (2023 impact assessment, £169,000 per person relocated)",
        meaning="Cost of removing one person.",
        ge=0,
        le=COST_GBP_PER_REMOVAL_MAX,
    )
    fixed_cost_gbp_per_year: float = policy_param(
        0.0,
        unit="£ per year",
        plausible="fixed",
        meaning="Payments made every year whatever the numbers removed.",
        ge=0,
        le=COST_GBP_PER_YEAR_MAX,
    )
    fixed_payments_gbp: float = policy_param(
        0.0,
        unit="£",
        plausible="fixed",
        source=f"history: £370m + £120m paid to Rwanda (facts.md, Rwanda costs; {RWANDA_REPORT})",
        meaning="A total paid whatever the numbers, spread evenly over the policy's days.",
        ge=0,
        le=COST_GBP_PER_YEAR_MAX,
    )

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

    def cost_assumptions(self) -> tuple[str, ...]:
        """The assumed unit costs its booked cost rests on (a headline names them)."""
        return ("cost_gbp_per_removal", "cost_gbp_per_detention_day")

    # drawn by uncertainty analysis (``assumptions``): whether removals deter anyone (no
    # source measures it)
    capacity_people_per_year: float = policy_param(
        8200.0,
        unit="people per year",
        low=8_200,
        high=150_000,
        source="facts.md: Policy, leaving the ECHR (8,200 forced returns in the previous year; "
        '150,000 proposed, the "Removals Force")',
        meaning="People who can be removed a year, used as it accrues.",
        ge=0,
        le=1e7,
    )
    detention_places: int = policy_param(
        2500,
        unit="places",
        plausible="fixed",
        source="facts.md: Policy, leaving the ECHR (about 2,500 detention places)",
        meaning="People who can be held while they wait for removal.",
        ge=0,
        le=1_000_000,
    )
    max_wait_days: int = policy_param(
        7,
        unit="days",
        plausible="fixed",
        source="facts.md: Policy, leaving the ECHR (removal within a week of arrival)",
        meaning="Days a person is held for removal before being released (staying in the UK).",
        ge=1,
        le=3650,
    )
    # 0 like the other removals (s14 user trial F25: 0.2 rested on the same weak evidence as
    # Rwanda-style removal's 0, and made all of echr-exit's 7,100 fewer arrivals)
    deterrence_elasticity: float = deterrence_param(0.0)
    cost_gbp_per_removal: float = policy_param(
        15_000.0,
        unit="£ per removal",
        low=5_000,
        high=40_000,
        meaning="Cost of removing one person.",
        ge=0,
        le=COST_GBP_PER_REMOVAL_MAX,
    )
    cost_gbp_per_detention_day: float = policy_param(
        120.0,
        unit="£ per detention day",
        low=80,
        high=200,
        meaning="Cost of holding one person for a day.",
        ge=0,
        le=COST_GBP_PER_DETENTION_DAY_MAX,
    )

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
