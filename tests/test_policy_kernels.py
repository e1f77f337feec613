"""The built-in policies' hooks run compiled (``engine.policy_kernels``) and give the very
bits their Python hooks give: each run here is repeated with the policies replaced by
subclasses, which keep the Python hooks, and the two must agree in every table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from channelsim.engine import DayView, Policy, Sim, SimResult, load_scenario
from channelsim.engine.loop import Loop
from channelsim.policies import EchrExit, MaritimeDoctrine, OneInOneOut, ThirdCountryRemoval

REPO = Path(__file__).resolve().parent.parent


class _PyOneInOneOut(OneInOneOut):
    pass


class _PyThirdCountry(ThirdCountryRemoval):
    pass


class _PyEchr(EchrExit):
    pass


class _PyDoctrine(MaritimeDoctrine):
    pass


_PYTHON = {
    OneInOneOut: _PyOneInOneOut,
    ThirdCountryRemoval: _PyThirdCountry,
    EchrExit: _PyEchr,
    MaritimeDoctrine: _PyDoctrine,
}


def _in_python(policies: list[Policy]) -> list[Policy]:
    """The same policies, those with compiled hooks as subclasses running them in Python."""
    twins: list[Policy] = []
    for policy in policies:
        cls = _PYTHON.get(type(policy))
        if cls is None:
            twins.append(policy)
            continue
        twin = cls.model_validate(policy.model_dump())
        twin._name, twin._replaces = policy._name, policy._replaces
        twins.append(twin)
    return twins


def _assert_same(a: SimResult, b: SimResult) -> None:
    assert a.values.keys() == b.values.keys()
    for name in a.values:
        np.testing.assert_array_equal(a.values[name], b.values[name], err_msg=name)
    assert a.boat_log is not None and b.boat_log is not None
    for field in a.boat_log.dtype.names or ():
        np.testing.assert_array_equal(a.boat_log[field], b.boat_log[field], err_msg=field)
    assert a.cost_rows is not None and b.cost_rows is not None
    assert a.cost_rows[1] == b.cost_rows[1]
    for x, y in zip(a.cost_rows, b.cost_rows, strict=True):
        np.testing.assert_array_equal(x, y)
    assert a.finals == b.finals


EXTRA: dict[str, list[Policy]] = {
    "queues, deterrence and retries": [
        OneInOneOut(
            first_return=dt.date(2025, 8, 1),
            weekly_cap_people=30,
            cap_ramp_people_per_week=25,
            max_weekly_cap_people=400,
            retry_probability=0.3,
            deterrence_elasticity=0.4,
            deterrence_window_days=10,
            max_wait_days=5,
        ),
        EchrExit(detention_places=60, retry_probability=0.2, start=dt.date(2025, 9, 1)),
        ThirdCountryRemoval(
            capacity_people_per_year=3000, deterrence_elasticity=0.3, end=dt.date(2025, 11, 1)
        ),
    ],
    "doctrine at sea twice": [
        MaritimeDoctrine(area="territorial", patrol_boats=20, arrest_probability=0.6),
        MaritimeDoctrine(area="shallow", patrol_boats=10, supply_loss_per_arrest_boats=2.0),
    ],
}


@pytest.mark.parametrize(
    ("scenario", "extra"),
    [
        ("status-quo-2025", None),
        ("echr-exit", None),
        ("rwanda-removal", None),
        ("combined-gangs-returns", None),
        ("doctrine-territorial", None),
        ("status-quo-2025", "queues, deterrence and retries"),
        ("status-quo-2025", "doctrine at sea twice"),
    ],
)
def test_compiled_hooks_give_the_bits_of_the_python_hooks(scenario: str, extra: str | None) -> None:
    loaded = load_scenario(REPO / "scenarios" / f"{scenario}.toml")
    sim = Sim(loaded, seed=5, start="2025-07-20", policies=EXTRA[extra] if extra else None)
    compiled = sim.run()
    python = Sim(
        loaded.with_changes(policies=[]),
        seed=5,
        start="2025-07-20",
        policies=_in_python(sim.policies),
    ).run()
    _assert_same(compiled, python)


def test_a_2025_status_quo_runs_without_a_stop_for_python() -> None:
    """Its removals and doctrine run in the compiled loop: the year is one compiled call."""
    sim = Sim(load_scenario(REPO / "scenarios" / "status-quo-2025.toml"), seed=1).setup()
    assert any(sim.compiled.mask)
    assert Loop()._stops(sim) == []


class _CountingDoctrine(MaritimeDoctrine):
    """The doctrine, in Python, recording the interceptions the day hands each instance."""

    seen: ClassVar[list[tuple[int, int]]] = []

    def on_returns(self, day: DayView) -> None:
        self.seen.append((id(self), day.interceptions(self)))
        super().on_returns(day)


def test_two_equal_policies_count_their_own_interceptions() -> None:
    """Equal parameters, two policies: each is handed its own rules' interceptions."""
    _CountingDoctrine.seen.clear()
    doctrine = {"area": "territorial", "patrol_boats": 20}
    a, b = _CountingDoctrine(**doctrine), _CountingDoctrine(**doctrine)
    scenario = load_scenario(REPO / "scenarios" / "status-quo-2025.toml").with_changes(policies=[])
    result = Sim(scenario, seed=3, start="2025-07-01", end="2025-08-31", policies=[a, b]).run()
    counts: dict[int, int] = {}
    for owner, n in _CountingDoctrine.seen:
        counts[owner] = counts.get(owner, 0) + n
    assert len(counts) == 2
    assert sum(counts.values()) == result.totals["intercepted_boats"] > 0


def test_more_rules_of_interception_than_the_kernel_holds_are_refused() -> None:
    """A boat's per-rule flags are the bits of one integer in the at-sea kernel."""
    from channelsim.engine.sea import MAX_RULES, Interception, rule_records

    rule_records([(Interception(), 1, 2)] * MAX_RULES)
    with pytest.raises(ValueError, match=f"at most {MAX_RULES} rules"):
        rule_records([(Interception(), 1, 2)] * (MAX_RULES + 1))
