"""Experiments: ensembles over scenarios, parameter draws and replicates, and their executors;
ensembles of one scenario and paired comparisons, summarised as medians and intervals.

Names are imported from their modules on first use, so importing one light module of this
package (``channelsim.experiments.runs.prepare`` for a single run) does not import them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channelsim._lazy import lazy_names

_MODULES = {
    "Comparison": "compare",
    "compare_scenarios": "compare",
    "QUANTILES": "ensemble",
    "EnsembleResult": "ensemble",
    "EnsembleSpec": "ensemble",
    "EnsembleStore": "ensemble",
    "Member": "ensemble",
    "MemberOutput": "ensemble",
    "config_sha256": "ensemble",
    "draws_from_posterior": "ensemble",
    "member_seed": "ensemble",
    "run_ensemble": "ensemble",
    "DaskExecutor": "executor",
    "Executor": "executor",
    "ProcessExecutor": "executor",
    "SerialExecutor": "executor",
    "WorkerLostError": "executor",
    "make_executor": "executor",
    "ScenarioEnsemble": "runs",
    "observed_crossing_days": "inputs",
    "prepare": "inputs",
    "resume_target": "runs",
    "run_scenario_ensemble": "runs",
    "INTERVAL": "summary",
    "interval_stats": "summary",
    "plain_json": "summary",
}

__all__ = [
    "INTERVAL",
    "QUANTILES",
    "Comparison",
    "DaskExecutor",
    "EnsembleResult",
    "EnsembleSpec",
    "EnsembleStore",
    "Executor",
    "Member",
    "MemberOutput",
    "ProcessExecutor",
    "ScenarioEnsemble",
    "SerialExecutor",
    "WorkerLostError",
    "compare_scenarios",
    "config_sha256",
    "draws_from_posterior",
    "interval_stats",
    "make_executor",
    "member_seed",
    "observed_crossing_days",
    "plain_json",
    "prepare",
    "resume_target",
    "run_ensemble",
    "run_scenario_ensemble",
]


__getattr__ = lazy_names(__name__, _MODULES)


if TYPE_CHECKING:
    from channelsim.experiments.compare import Comparison, compare_scenarios
    from channelsim.experiments.ensemble import (
        QUANTILES,
        EnsembleResult,
        EnsembleSpec,
        EnsembleStore,
        Member,
        MemberOutput,
        config_sha256,
        draws_from_posterior,
        member_seed,
        run_ensemble,
    )
    from channelsim.experiments.executor import (
        DaskExecutor,
        Executor,
        ProcessExecutor,
        SerialExecutor,
        WorkerLostError,
        make_executor,
    )
    from channelsim.experiments.inputs import observed_crossing_days, prepare
    from channelsim.experiments.runs import (
        ScenarioEnsemble,
        resume_target,
        run_scenario_ensemble,
    )
    from channelsim.experiments.summary import INTERVAL, interval_stats, plain_json
