"""Interrupted ensembles (`run --runs`, `compare`) resume through the CLI to the same numbers,
without recomputing the members already recorded, and leave no partial output."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from channelsim.cli.output import resume_command
from channelsim.engine import load_scenario
from channelsim.experiments import run_scenario_ensemble
from channelsim.runstore import RunStore
from channelsim.scenario import with_run_options
from conftest import CliResult
from faults import PATIENCE_S, start_cli, wait_for_members

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIO = SCENARIOS / "status-quo-2025.toml"
JUNE = ("--from", "2025-06-01", "--to", "2025-06-30")
RUNS, SEED = 10, 5

Cli = Callable[..., CliResult]


def _numbers(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in ("elapsed_s", "run_id", "out")}


def _recorded(store_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The store's only run, and when each of its recorded members ended."""
    with RunStore(store_path) as store:
        [run] = store.list_runs()
        return run, {m["member_key"]: m["ended"] for m in store.members(run["run_id"])}


def test_ctrl_c_then_resume_latest_gives_the_uninterrupted_numbers(
    run_cli: Cli, tmp_path: Path
) -> None:
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    args = [
        "run", SCENARIO, *JUNE, "--runs", RUNS, "--seed", SEED, "--workers", 1,
        "--runs-store", store, "--out", out, "--format", "json",
    ]  # fmt: skip
    driver = start_cli(*args, slow=True)
    try:
        wait_for_members(store, 3, driver)
        driver.send_signal(signal.SIGINT)
        stdout, stderr = driver.communicate(timeout=PATIENCE_S)
    finally:
        if driver.poll() is None:
            driver.kill()
    assert driver.returncode == 130, stderr.decode()
    assert stdout == b"" and not out.exists()
    run, before = _recorded(store)
    assert run["status"] == "interrupted" and 3 <= run["n_done"] < RUNS
    # the whole command, which resumes it as it is (s11 re-trial R3)
    command = resume_command(run["run_id"], [str(arg) for arg in args])
    assert f"resume it with `{command}`" in stderr.decode()

    resumed = run_cli(*args, "--resume", "latest")
    assert resumed.exit_code == 0, resumed.stderr
    payload = json.loads(resumed.stdout)
    assert payload["run_id"] == run["run_id"]
    done, after = _recorded(store)
    assert done["status"] == "done" and len(after) == RUNS
    assert {k: after[k] for k in before} == before  # finished members were not recomputed

    scenario = with_run_options(  # as the command line's --from and --to set it
        load_scenario(SCENARIO), start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30)
    )
    straight = run_scenario_ensemble(scenario, RUNS, SEED, executor="serial", progress=False)
    assert _numbers(payload) == _numbers(straight.to_json_dict())
    reference = straight.write(tmp_path / "straight")
    for table in ("daily", "members", "by_month"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / f"{table}.parquet"),
            pd.read_parquet(reference / f"{table}.parquet"),
        )


def _short(tmp_path: Path, name: str) -> Path:
    text = (SCENARIOS / f"{name}.toml").read_text()
    text = text.replace("start = 2025-01-01\n", "start = 2025-06-01\n", 1)
    text = text.replace("end = 2025-12-31\n", "end = 2025-06-20\n", 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_interrupted_compare_resumes_to_the_same_comparison(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, other = _short(tmp_path, "status-quo-2025"), _short(tmp_path, "doctrine-territorial")
    args = [
        "compare", base, other, "--runs", 3, "--seed", 9, "--workers", 1, "--format", "json",
    ]  # fmt: skip
    straight = run_cli(*args, "--runs-store", tmp_path / "straight.duckdb")
    assert straight.exit_code == 0, straight.stderr

    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    record = RunStore.record_member
    recorded: list[str] = []

    def interrupt_after_two(self: RunStore, run_id: str, member: Any, output: Any) -> None:
        if len(recorded) == 2:
            raise KeyboardInterrupt  # as Ctrl-C would, between two members
        recorded.append(member.key)
        record(self, run_id, member, output)

    monkeypatch.setattr(RunStore, "record_member", interrupt_after_two)
    stopped = run_cli(*args, "--runs-store", store, "--out", out)
    assert stopped.exit_code == 130 and stopped.stdout == "" and not out.exists()
    monkeypatch.setattr(RunStore, "record_member", record)

    resumed = run_cli(*args, "--runs-store", store, "--out", out, "--resume", "latest")
    assert resumed.exit_code == 0, resumed.stderr
    with RunStore(store) as runs:
        [run] = runs.list_runs()
        first = {m["member_key"] for m in runs.members(run["run_id"])}
    assert run["status"] == "done" and run["n_done"] == 6 and set(recorded) <= first
    assert _numbers(json.loads(resumed.stdout)) == _numbers(json.loads(straight.stdout))
    assert (out / "comparison.json").is_file()


def test_resume_of_another_configuration_is_refused(run_cli: Cli, tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    done = run_cli(
        "run", SCENARIO, *JUNE, "--runs", 2, "--seed", 1, "--workers", 1, "--format", "json",
        "--runs-store", store,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    run_id = json.loads(done.stdout)["run_id"]
    other = run_cli(
        "run", SCENARIO, *JUNE, "--runs", 2, "--seed", 2, "--runs-store", store,
        "--resume", run_id, "--out", tmp_path / "out",
    )  # fmt: skip
    assert other.exit_code == 2 and run_id in other.stderr
    assert len(_said(other.stderr)) == 1 and not (tmp_path / "out").exists()
    assert "seed 1 (now 2)" in other.stderr, other.stderr  # which setting, not just "another"
    assert "leave out --resume" in other.stderr


def test_a_resume_refusal_names_what_differs(run_cli: Cli, tmp_path: Path) -> None:
    """The line said only "another configuration (scenarios, draws, reps, seed or member
    function differ)": it names the period, runs, scenario and parameter that differ."""
    store = tmp_path / "runs.duckdb"
    done = run_cli(
        "run", SCENARIO, *JUNE, "--runs", 2, "--seed", 1, "--format", "json",
        "--runs-store", store,
    )  # fmt: skip
    run_id = json.loads(done.stdout)["run_id"]
    edited = tmp_path / "status-quo-2025.toml"
    text = SCENARIO.read_text()
    edited.write_text(text.replace("initial_waiting_people = 1500", "initial_waiting_people = 9"))
    cases = {
        ("--runs", 3): "runs per scenario 2 (now 3)",
        ("--to", "2025-06-29"): "period 2025-06-01 to 2025-06-30 (now 2025-06-01 to 2025-06-29)",
        ("SCENARIO", SCENARIOS / "echr-exit.toml"): "scenarios status-quo-2025 (now echr-exit)",
        ("SCENARIO", edited): "parameter coast.initial_waiting_people 1500 (now 9)",
    }
    for (option, value), expected in cases.items():
        args: list[object] = ["run", SCENARIO, *JUNE, "--runs", 2, "--seed", 1]
        if option == "SCENARIO":
            args[1] = value
        else:
            args[args.index(option) + 1] = value
        other = run_cli(*args, "--runs-store", store, "--resume", run_id)
        assert other.exit_code == 2 and len(_said(other.stderr)) == 1
        assert expected in other.stderr, (expected, other.stderr)


@pytest.mark.parametrize("batches", [1, 2])
def test_a_stop_after_a_batch_keeps_the_batches_committed_and_resume_completes_them(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batches: int
) -> None:
    """`run --runs` records members in batches as they arrive, not at the end: Ctrl-C while
    batch k commits leaves exactly the members of batches 1..k in
    the store, whole, and `--resume` computes only the others, to the numbers of a run never
    stopped."""
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    args = [
        "run", SCENARIO, *JUNE, "--runs", RUNS, "--seed", SEED, "--workers", 1,
        "--runs-store", store, "--format", "json",
    ]  # fmt: skip
    import channelsim.runstore

    # a commit after every member: batch k ends after member k whatever the machine's speed
    monkeypatch.setattr(channelsim.runstore, "COMMIT_INTERVAL_S", 0.0)
    commit = RunStore._commit_pending
    committed: list[int] = []

    def stop_after_batch(self: RunStore) -> None:
        rows = len(self._pending)
        commit(self)
        if rows:
            committed.append(rows)
            if len(committed) == batches:  # Ctrl-C, delivered once the member is placed
                os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(RunStore, "_commit_pending", stop_after_batch)
    stopped = run_cli(*args)
    monkeypatch.setattr(RunStore, "_commit_pending", commit)
    assert stopped.exit_code == 130 and stopped.stdout == ""
    assert "Traceback" not in stopped.stderr
    run, before = _recorded(store)
    said = f"interrupted; run {run['run_id']} has {sum(committed)} of {RUNS} members recorded"
    assert stopped.stderr.strip().splitlines()[-1].startswith(said), stopped.stderr
    assert run["status"] == "interrupted" and len(committed) == batches
    assert run["n_done"] == len(before) == sum(committed) == batches < RUNS

    resumed = run_cli(*args, "--resume", run["run_id"], "--out", out)
    assert resumed.exit_code == 0, resumed.stderr
    done, after = _recorded(store)
    assert done["status"] == "done" and len(after) == RUNS
    assert {k: after[k] for k in before} == before  # not recomputed
    straight = run_cli(*args[:-4], "--runs-store", tmp_path / "straight.duckdb", "--format", "json")
    assert _numbers(json.loads(resumed.stdout)) == _numbers(json.loads(straight.stdout))


def test_resume_latest_finds_a_done_run_whose_outputs_were_never_written(
    run_cli: Cli, tmp_path: Path
) -> None:
    """A driver killed while writing its outputs leaves its run marked done; `--resume
    latest` looked only at unfinished runs and recomputed the whole ensemble as a new run."""
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    args = [
        "run", SCENARIO, *JUNE, "--runs", 3, "--seed", SEED, "--workers", 1,
        "--runs-store", store, "--format", "json",
    ]  # fmt: skip
    first = run_cli(*args)  # as if killed after its members: done, no outputs
    assert first.exit_code == 0, first.stderr
    run, before = _recorded(store)

    resumed = run_cli(*args, "--out", out, "--resume", "latest")
    assert resumed.exit_code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["run_id"] == run["run_id"]
    assert _recorded(store)[1] == before  # no member recomputed
    assert (out / "members.parquet").is_file()


def test_resume_latest_with_nothing_to_resume_says_it_starts_a_new_run(
    run_cli: Cli, tmp_path: Path
) -> None:
    store = tmp_path / "runs.duckdb"
    started = run_cli(
        "run", SCENARIO, *JUNE, "--runs", 2, "--seed", SEED, "--workers", 1,
        "--runs-store", store, "--resume", "latest",
    )  # fmt: skip
    assert started.exit_code == 0, started.stderr
    assert "holds no run of this ensemble" in started.stderr
    assert "starting a new run" in started.stderr


def _said(stderr: str) -> list[str]:
    """The lines of ``stderr``."""
    return stderr.strip().splitlines()
