"""Experiments: ensembles over scenarios, parameter draws and replicates, and their executors."""

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

__all__ = [
    "QUANTILES",
    "DaskExecutor",
    "EnsembleResult",
    "EnsembleSpec",
    "EnsembleStore",
    "Executor",
    "Member",
    "MemberOutput",
    "ProcessExecutor",
    "SerialExecutor",
    "WorkerLostError",
    "config_sha256",
    "draws_from_posterior",
    "make_executor",
    "member_seed",
    "run_ensemble",
]
