"""The daily simulation engine: ``Sim``, ``SimResult``, ``run_scenario`` and policy hooks."""

from __future__ import annotations

from pathlib import Path

from channelsim.engine.policy import (
    HOOKS,
    LOOP,
    DayContext,
    Interception,
    Policy,
    build_policies,
    register_policy,
    registered_policies,
)
from channelsim.engine.results import SimResult
from channelsim.engine.sim import EPOCH, Sim, run_scenario
from channelsim.scenario import Scenario
from channelsim.scenario import load_scenario as _read_scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file and check its policy types against the registry."""
    scenario = _read_scenario(path)
    build_policies(scenario.policies, scenario.source)
    return scenario


__all__ = [
    "EPOCH",
    "HOOKS",
    "LOOP",
    "DayContext",
    "Interception",
    "Policy",
    "Scenario",
    "Sim",
    "SimResult",
    "load_scenario",
    "register_policy",
    "registered_policies",
    "run_scenario",
]
