"""The built-in policies' daily hooks, compiled: removals after arrival (one in, one out;
third-country removal; leaving the ECHR) and the maritime doctrine's arrests and injuries.

A policy whose hooks are written here hands the engine a record of :data:`POLICY_DTYPE`
(:meth:`channelsim.engine.policy.Policy.compiled`): its parameters, the numbers of its random
streams and, filled in by the engine, where its results and costs go. Its state between days
(the removal queue, the deterrence window, the weekly cap or the yearly credit, the arrests
pending) lives in the record and in the rows of a queue array, so the compiled day loop
(``kernels.run_days``) runs these hooks at the start of their stage without stopping for
Python. The draws are the Python hooks' own: the same named streams, keyed by absolute day
and by person ``0..n−1`` (``channelsim.rng``), so the results are bit for bit those of the
Python hooks (``tests/test_policy_kernels.py`` runs both).

A policy of a subclass (which may override any of these methods) is not compiled: its Python
hooks run as written, at the loop's stops.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from channelsim._jit import njit
from channelsim.rng import _count_below

#: Kinds of compiled policy.
ONE_IN_ONE_OUT, YEARLY_CAPACITY, DOCTRINE = 0, 1, 2
#: The stages a compiled policy may hook, as bits (a position of the loop carries its bit).
HOOK_BITS = {"inflow": 1, "supply": 2, "returns": 4, "costs": 8}
INFLOW, SUPPLY, RETURNS, COSTS = (HOOK_BITS[s] for s in ("inflow", "supply", "returns", "costs"))
#: Rows of a removal's queue array: day queued and people of each queue entry; arrivals and
#: removals of each day in the deterrence window.
Q_DAY, Q_PEOPLE, W_ARRIVED, W_REMOVED = range(4)
DAYS_PER_YEAR = 365.25

POLICY_DTYPE = np.dtype(
    [
        ("kind", np.int64),
        ("hooks", np.int64),  # HOOK_BITS of the stages it hooks
        ("owner", np.int64),  # index of the policy in the run (its rules of interception)
        ("stream_a", np.int64),  # removals: eligible; doctrine: injury
        ("stream_b", np.int64),  # removals: retry; doctrine: arrest
        # removals
        ("eligible_share", np.float64),
        ("retry_probability", np.float64),
        ("max_wait_days", np.int64),
        ("deterrence_elasticity", np.float64),
        ("deterrence_window_days", np.int64),
        ("cost_gbp_per_removal", np.float64),
        ("queue_limit", np.int64),  # −1: no limit
        ("capacity_people_per_year", np.float64),
        ("first_return_day", np.int64),  # absolute day
        ("weekly_cap_people", np.int64),
        ("cap_ramp_people_per_week", np.int64),
        ("max_weekly_cap_people", np.int64),
        ("admissions_per_return", np.float64),
        ("cost_gbp_per_detention_day", np.float64),
        # the doctrine
        ("at_sea", np.bool_),
        ("officer_injury_probability", np.float64),
        ("arrest_probability", np.float64),
        ("supply_loss_per_arrest_boats", np.float64),
        # where its results and costs go (set by the engine; −1: none)
        ("out_row", np.int64),
        ("cost_row", np.int64),
        ("cost_row_costs", np.int64),
        # state between days
        ("waiting", np.int64),
        ("q_head", np.int64),
        ("q_tail", np.int64),
        ("w_head", np.int64),
        ("w_tail", np.int64),
        ("w_arrived", np.int64),
        ("w_removed", np.int64),
        ("credit", np.float64),
        ("week", np.int64),
        ("week_returned", np.int64),
        ("returned_total", np.int64),  # one in, one out: returned since the run's first day
        ("pending_arrests", np.int64),
    ],
    align=True,
)


def policy_record(**fields: Any) -> np.ndarray:
    """A one-row :data:`POLICY_DTYPE` array with ``fields`` set (the rest zero; the result
    and cost rows −1, the week −1 as before the first return)."""
    unknown = fields.keys() - _DEFAULTS.keys()
    if unknown:
        raise KeyError(f"no field {', '.join(sorted(unknown))} in a compiled policy's record")
    values = {**_DEFAULTS, **fields}
    return np.array([tuple(values[name] for name in _DEFAULTS)], POLICY_DTYPE)


_DEFAULTS: dict[str, Any] = {
    name: -1 if name in ("out_row", "cost_row", "cost_row_costs", "queue_limit", "week") else 0
    for name in POLICY_DTYPE.names or ()
}


@njit(cache=True)
def _binomial(seed: int, stream: int, day: int, n: int, p: float) -> int:
    """``channelsim.policies._common.binomial``: keys ``0..n−1`` of the stream."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    return _count_below(seed, stream, day, 0, n, p)


@njit(cache=True)
def _book_cost(r: Any, row: int, d: int, cost_gbp: float) -> None:
    r.pol_cost[row, d] += cost_gbp
    r.pol_booked[row, d] = True


@njit(cache=True)
def _removed_share(pol: Any) -> float:
    if pol.w_arrived > 0:
        return min(1.0, pol.w_removed / pol.w_arrived)
    return 0.0


@njit(cache=True)
def _capacity_today(pol: Any, day: int) -> int:
    """``capacity_today`` of one in, one out (weekly cap from the first return) or of the
    yearly capacity (credit accruing, at most a day's and one person more)."""
    if pol.kind == ONE_IN_ONE_OUT:
        days = day - pol.first_return_day
        if days < 0:
            return 0
        week = days // 7
        day_of_week = days - 7 * week
        if week != pol.week:
            pol.week = week
            pol.week_returned = 0
        ramped = pol.weekly_cap_people + pol.cap_ramp_people_per_week * week
        cap = min(ramped, max(pol.max_weekly_cap_people, pol.weekly_cap_people))
        allowed = cap * (day_of_week + 1) // 7
        return max(0, allowed - pol.week_returned)
    daily = pol.capacity_people_per_year / DAYS_PER_YEAR
    pol.credit = min(pol.credit + daily, daily + 1.0)
    return math.floor(pol.credit)


@njit(cache=True)
def _removal_returns(r: Any, i: int, d: int, day: int) -> None:
    """``_Removal.on_returns``: queue today's eligible arrivals, release those waiting too
    long, remove as capacity allows, then ``after_removal`` and the cost of the removals."""
    pol = r.pol[i]
    q = r.pol_q[i]
    arrived = int(r.daily[d].arrived_people)
    while pol.q_head < pol.q_tail and day - q[Q_DAY, pol.q_head] >= pol.max_wait_days:
        pol.waiting -= q[Q_PEOPLE, pol.q_head]
        pol.q_head += 1
    eligible = _binomial(r.seed, pol.stream_a, day, arrived, pol.eligible_share)
    if pol.queue_limit >= 0:
        eligible = min(eligible, max(0, pol.queue_limit - pol.waiting))
    if eligible:
        q[Q_DAY, pol.q_tail] = day
        q[Q_PEOPLE, pol.q_tail] = eligible
        pol.q_tail += 1
        pol.waiting += eligible
    capacity = _capacity_today(pol, day)
    removed = 0
    while pol.q_head < pol.q_tail and removed < capacity:
        take = min(capacity - removed, q[Q_PEOPLE, pol.q_head])
        q[Q_PEOPLE, pol.q_head] -= take
        removed += take
        if q[Q_PEOPLE, pol.q_head] == 0:
            pol.q_head += 1
    pol.waiting -= removed
    # the deterrence window: today's figures, the last deterrence_window_days kept
    q[W_ARRIVED, pol.w_tail] = arrived
    q[W_REMOVED, pol.w_tail] = removed
    pol.w_tail += 1
    pol.w_arrived += arrived
    pol.w_removed += removed
    while pol.w_tail - pol.w_head > pol.deterrence_window_days:
        pol.w_arrived -= q[W_ARRIVED, pol.w_head]
        pol.w_removed -= q[W_REMOVED, pol.w_head]
        pol.w_head += 1
    retrying = _binomial(r.seed, pol.stream_b, day, removed, pol.retry_probability)
    if pol.kind == ONE_IN_ONE_OUT:
        before = math.floor(pol.returned_total * pol.admissions_per_return)
        pol.week_returned += removed
        pol.returned_total += removed
        r.returning[d + 1] += retrying
        r.daily[d].returned_from_uk_people += removed
        # whole people: ``removals.admitted_by`` of the total, less that of the day before
        admitted = math.floor(pol.returned_total * pol.admissions_per_return) - before
        r.pol_out[pol.out_row, d] += admitted
    else:
        pol.credit -= removed
        r.daily[d].removed_people += removed
        r.returning[d + 1] += retrying
    _book_cost(r, pol.cost_row, d, removed * pol.cost_gbp_per_removal)


@njit(cache=True)
def _doctrine_returns(r: Any, i: int, d: int, day: int) -> None:
    """``MaritimeDoctrine.on_returns``: injuries and arrests among today's interceptions."""
    pol = r.pol[i]
    n = 0
    for rule in range(r.rule_pol.shape[0]):
        if r.rule_pol[rule] == pol.owner:
            n += int(r.rule_daily[rule, d])
    if not pol.at_sea:
        n += int(r.daily[d].intercepted_before_boarding_boats)
    injuries = _binomial(r.seed, pol.stream_a, day, n, pol.officer_injury_probability)
    arrests = _binomial(r.seed, pol.stream_b, day, n, pol.arrest_probability)
    pol.pending_arrests += arrests
    r.daily[d].officer_injuries += injuries
    r.pol_out[pol.out_row, d] += arrests


@njit(cache=True)
def policy_hooks(r: Any, stage: int, d: int, day: int) -> None:
    """The compiled policies' hooks of ``stage`` (a bit of :data:`HOOK_BITS`) for day row
    ``d`` (absolute day ``day``), in the order of the policies in the run."""
    for i in range(r.pol.shape[0]):
        pol = r.pol[i]
        if not (pol.hooks & stage) or not r.pol_active[i, d]:
            continue
        if stage == INFLOW:  # deterrence (removals)
            factor = max(0.0, 1.0 - pol.deterrence_elasticity * _removed_share(pol))
            r.lv[d].inflow_mean_people = r.lv[d].inflow_mean_people * factor
        elif stage == SUPPLY:  # the doctrine: pilots arrested yesterday cost boats today
            lost = pol.pending_arrests * pol.supply_loss_per_arrest_boats
            r.lv[d].boat_supply_per_day = max(0.0, r.lv[d].boat_supply_per_day - lost)
            pol.pending_arrests = 0
        elif stage == RETURNS:
            if pol.kind == DOCTRINE:
                _doctrine_returns(r, i, d, day)
            else:
                _removal_returns(r, i, d, day)
        elif stage == COSTS:  # detention (leaving the ECHR)
            _book_cost(r, pol.cost_row_costs, d, pol.waiting * pol.cost_gbp_per_detention_day)
