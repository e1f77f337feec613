"""Ensembles on a real Dask cluster: same numbers as serial, and a clear error when unreachable."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from channelsim.errors import ClusterError
from channelsim.experiments import EnsembleSpec, member_seed, run_ensemble
from channelsim.runstore import RunStore
from toy_member import SCENARIOS, assert_same_results, toy_member

pytest.importorskip("distributed")

SPEC = EnsembleSpec(scenarios=SCENARIOS, reps=5, base_seed=21, draws=[{}, {"p_stop": 0.4}])


@pytest.fixture(scope="module")
def serial():
    return run_ensemble(toy_member, SPEC, executor="serial", progress=False)


def test_dask_matches_serial_bit_for_bit(scheduler: str, serial) -> None:
    result = run_ensemble(toy_member, SPEC, executor=scheduler, progress=False)
    assert_same_results(serial, result)


def test_dask_records_in_the_store_and_retries_a_killed_worker(
    scheduler: str, serial, tmp_path: Path
) -> None:
    # the worker running rep 3 dies once; Dask reruns that member on a fresh worker
    dying = {
        name: {**s, "die_once": {"marker": str(tmp_path / "died"), "seed": member_seed(21, 3)}}
        for name, s in SCENARIOS.items()
    }
    spec = EnsembleSpec(scenarios=dying, reps=5, base_seed=21, draws=[{}, {"p_stop": 0.4}])
    with RunStore(tmp_path / "runs.duckdb") as store:
        result = run_ensemble(toy_member, spec, executor=scheduler, progress=False, store=store)
        [run] = store.list_runs()
    assert (tmp_path / "died").exists()
    assert run["status"] == "done" and run["n_done"] == len(spec.members())
    assert_same_results(serial, result)


def test_unreachable_scheduler_is_one_clear_error_and_no_run(tmp_path: Path) -> None:
    started = time.monotonic()
    with (
        RunStore(tmp_path / "runs.duckdb") as store,
        pytest.raises(
            ClusterError, match=r"^cannot reach the Dask scheduler at tcp://127\.0\.0\.1:1: "
        ),
    ):
        run_ensemble(
            toy_member,
            SPEC,
            executor="tcp://127.0.0.1:1",
            connect_timeout_s=1.5,
            progress=False,
            store=store,
        )
    assert time.monotonic() - started < 6
    with RunStore(tmp_path / "runs.duckdb") as store:
        assert store.list_runs() == []
