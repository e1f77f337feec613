"""The daily simulation engine: stages run by a loop, declared results, composable policies.

``Sim(scenario).run() -> SimResult``; ``simulate(scenario, seed, overrides)`` is the member
function of every ensemble. A new policy subclasses :class:`Policy` (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

from channelsim.engine.loop import Loop
from channelsim.engine.policy import (
    BUILTIN_POLICIES,
    Cost,
    DayView,
    Effect,
    Policy,
    Rule,
    build_policies,
    policy_type,
    register_policy,
    registered_policies,
)
from channelsim.engine.results import Derived, Result, ResultSet, SimResult
from channelsim.engine.sea import Interception
from channelsim.engine.sim import EPOCH, Sim, SimSpec, run_scenario, simulate
from channelsim.engine.stages import STAGES, Lever, Setup, Stage
from channelsim.scenario import Scenario
from channelsim.scenario import load_scenario as _read_scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file and check its policy types against the registry."""
    scenario = _read_scenario(path)
    build_policies(scenario.policies, scenario.policy_location)
    return scenario


def scenario_results(scenario: Scenario) -> ResultSet:
    """The results a run of ``scenario`` declares (without running it)."""
    return Sim(scenario).results()


def all_results() -> ResultSet:
    """Every result the engine's stages and the built-in policy types declare (labels and
    units for outputs whose own registry is not at hand; the table of docs/model.md)."""
    declared = [r for cls in STAGES for r in cls.results]
    for name in BUILTIN_POLICIES:
        policy = policy_type(name)
        declared += list(policy.results) if policy is not None else []
    return ResultSet(declared)


__all__ = [
    "BUILTIN_POLICIES",
    "EPOCH",
    "STAGES",
    "Cost",
    "DayView",
    "Derived",
    "Effect",
    "Interception",
    "Lever",
    "Loop",
    "Policy",
    "Result",
    "ResultSet",
    "Rule",
    "Scenario",
    "Setup",
    "Sim",
    "SimResult",
    "SimSpec",
    "Stage",
    "all_results",
    "load_scenario",
    "register_policy",
    "registered_policies",
    "run_scenario",
    "scenario_results",
    "simulate",
]
