"""The real engine plugs into ensembles: same numbers serially, in processes and after resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelsim.experiments import EnsembleSpec, run_ensemble
from channelsim.runstore import RunStore
from toy_member import assert_same_results

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "status-quo-2025.toml"


@pytest.fixture(scope="module")
def engine():
    try:
        from channelsim.engine import run_scenario
        from channelsim.scenario import load_scenario
    except ImportError as error:
        pytest.skip(f"the engine is not available: {error}")
    if not SCENARIO.exists():
        pytest.skip(f"no scenario file {SCENARIO}")
    return run_scenario, load_scenario(SCENARIO)


def test_engine_members_agree_across_executors_and_store(engine, tmp_path: Path) -> None:
    run_scenario, scenario = engine
    spec = EnsembleSpec(scenarios={"status-quo": scenario}, reps=3, base_seed=2025)
    with RunStore(tmp_path / "runs.duckdb") as store:
        serial = run_ensemble(run_scenario, spec, executor="serial", progress=False, store=store)
        reloaded = run_ensemble(
            run_scenario,
            spec,
            executor="serial",
            progress=False,
            store=store,
            run_id=serial.run_id,
            resume=True,
        )
    processes = run_ensemble(run_scenario, spec, executor="processes", workers=2, progress=False)
    assert {"daily", "boats"} <= set(serial.outputs[0].tables)
    assert serial.totals()["seed"].nunique() == 3
    assert_same_results(serial, processes)
    assert_same_results(serial, reloaded)
