"""Experiments: ensembles over scenarios, parameter draws and replicates, and their executors;
ensembles of one scenario and paired comparisons, summarised as medians and intervals."""

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
from channelsim.experiments.runs import (
    ScenarioEnsemble,
    observed_crossing_days,
    prepare,
    resume_target,
    run_scenario_ensemble,
)
from channelsim.experiments.summary import INTERVAL, interval_stats, plain_json

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
