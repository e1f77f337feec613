"""The daily simulation engine: stages run by a loop, declared results, composable policies.

``Sim(scenario).run() -> SimResult``; ``simulate(scenario, seed, overrides)`` is the member
function of every ensemble. A new policy subclasses :class:`Policy` (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from channelsim._lazy import lazy_names
from channelsim.scenario import Scenario
from channelsim.scenario import load_scenario as _read_scenario

# Names are imported from their modules on first use (PEP 562): the kernels' modules load
# Numba (half a CPU second), and an ensemble's driver, which names the engine's types and
# its member function but never runs a kernel, need not load them.
_MODULES = {
    "Loop": "loop",
    "BUILTIN_POLICIES": "policy",
    "Cost": "policy",
    "DayView": "policy",
    "Effect": "policy",
    "Transform": "policy",
    "Policy": "policy",
    "Rule": "policy",
    "build_policies": "policy",
    "policy_type": "policy",
    "register_policy": "policy",
    "registered_policies": "policy",
    "Derived": "results",
    "Result": "results",
    "ResultSet": "results",
    "SimResult": "results",
    "Interception": "interception",
    "EPOCH": "sim",
    "Sim": "sim",
    "SimSpec": "spec",
    "run_scenario": "sim",
    "simulate": "sim",
    "STAGES": "stages",
    "Lever": "stages",
    "Setup": "stages",
    "Stage": "stages",
}


__getattr__ = lazy_names(__name__, _MODULES)


if TYPE_CHECKING:
    from channelsim.engine.interception import Interception
    from channelsim.engine.loop import Loop
    from channelsim.engine.policy import (
        BUILTIN_POLICIES,
        Cost,
        DayView,
        Effect,
        Policy,
        Rule,
        Transform,
        build_policies,
        policy_type,
        register_policy,
        registered_policies,
    )
    from channelsim.engine.results import Derived, Result, ResultSet, SimResult
    from channelsim.engine.sim import EPOCH, Sim, run_scenario, simulate
    from channelsim.engine.spec import SimSpec
    from channelsim.engine.stages import STAGES, Lever, Setup, Stage


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file and check its policy types against the registry; warn
    (:class:`~channelsim.errors.ChannelsimWarning`, one line each) where a policy replacing
    one of the base's does not draw the same random numbers for the same decisions
    (:func:`~channelsim.engine.policy.replacement_warnings`)."""
    import warnings

    from channelsim.engine.policy import build_policies, check_set_levers, replacement_warnings

    scenario = _read_scenario(path)
    policies = build_policies(scenario.policies, scenario.policy_location)
    check_set_levers(policies, scenario.start, scenario.end, scenario.policy_location)
    for warning in replacement_warnings(scenario):
        warnings.warn(warning, stacklevel=2)
    return scenario


def scenario_results(scenario: Scenario) -> ResultSet:
    """The results a run of ``scenario`` declares (without running it): the engine's stages',
    then its policies' (as :meth:`Sim.results`)."""
    from channelsim.engine.policy import build_policies
    from channelsim.engine.results import ResultSet
    from channelsim.engine.stages import STAGES

    declared = [r for cls in STAGES for r in cls.results]
    policies = build_policies(scenario.policies, scenario.policy_location)
    return ResultSet(declared + [r for policy in policies for r in policy.results])


def all_results() -> ResultSet:
    """Every result the engine's stages and the built-in policy types declare (labels and
    units for outputs whose own registry is not at hand; the table of docs/model.md)."""
    from channelsim.engine.policy import BUILTIN_POLICIES, policy_type
    from channelsim.engine.results import ResultSet
    from channelsim.engine.stages import STAGES

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
    "Transform",
    "all_results",
    "build_policies",
    "load_scenario",
    "policy_type",
    "register_policy",
    "registered_policies",
    "run_scenario",
    "scenario_results",
    "simulate",
]
