"""Ensembles: keyspace and seeds, executors that agree bit for bit, paired reductions."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from channelsim.errors import InputError
from channelsim.experiments import (
    EnsembleSpec,
    Member,
    draws_from_posterior,
    member_seed,
    run_ensemble,
)
from toy_member import SCENARIOS, assert_same_results, toy_member

DRAWS = [{"launch_rate": 2.0}, {"launch_rate": 4.5}]


@pytest.fixture(scope="module")
def spec() -> EnsembleSpec:
    scenarios = {**SCENARIOS, "same-as-base": dict(SCENARIOS["base"])}
    return EnsembleSpec(scenarios=scenarios, reps=4, base_seed=11, draws=DRAWS, name="toy")


@pytest.fixture(scope="module")
def serial(spec: EnsembleSpec):
    return run_ensemble(toy_member, spec, executor="serial", progress=False)


def test_seeds_depend_on_base_seed_and_rep_only() -> None:
    seeds = [member_seed(5, rep) for rep in range(200)]
    assert len(set(seeds)) == 200
    assert all(0 <= s < 2**63 for s in seeds)
    assert member_seed(5, 3) == member_seed(5, 3)
    # base_seed + rep schemes make ensembles with base seeds 1 and 2 share runs; this must not
    assert {member_seed(1, r) for r in range(50)}.isdisjoint({member_seed(2, r) for r in range(50)})


def test_every_scenario_and_draw_of_a_rep_shares_its_seed(serial) -> None:
    seeds = serial.totals().groupby("rep")["seed"].nunique()
    assert (seeds == 1).all()
    assert serial.totals()["seed"].nunique() == 4


def test_member_keys_are_stable_and_parse_back() -> None:
    member = Member("status-quo.2025", 3, 17)
    assert member.key == "status-quo.2025.d3.r17"
    assert Member.from_key(member.key) == member
    with pytest.raises(InputError):
        Member.from_key("no-draw-or-rep")


def test_members_are_scenario_then_draw_then_rep(spec: EnsembleSpec) -> None:
    members = spec.members()
    assert len(members) == 3 * 2 * 4
    assert members[:5] == [Member("base", 0, r) for r in range(4)] + [Member("base", 1, 0)]


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"scenarios": {}}, "scenarios"),
        ({"scenarios": {"bad name": {}}}, "scenario name"),
        ({"scenarios": SCENARIOS, "reps": 0}, "reps"),
        ({"scenarios": SCENARIOS, "base": "nope"}, "base"),
        ({"scenarios": SCENARIOS, "draws": []}, "draws"),
        ({"scenarios": SCENARIOS, "kind": "party"}, "kind"),
    ],
)
def test_bad_specs_are_input_errors(kwargs: dict, where: str) -> None:
    with pytest.raises(InputError, match=where):
        EnsembleSpec(**kwargs)


@pytest.mark.parametrize("workers", [1, 2])
def test_processes_match_serial_bit_for_bit(spec: EnsembleSpec, serial, workers: int) -> None:
    result = run_ensemble(toy_member, spec, executor="processes", workers=workers, progress=False)
    assert_same_results(serial, result)


@pytest.mark.parametrize("budget_s", [60.0, 0.0])
def test_auto_runs_here_while_quick_then_on_a_pool_bit_for_bit(
    spec: EnsembleSpec, serial, budget_s: float
) -> None:
    """The auto executor runs members in this process while the rest would be quick here,
    and hands the rest to a pool otherwise (budget 0: from the second member on)."""
    from channelsim.experiments.executor import AutoExecutor

    with AutoExecutor(workers=2, serial_budget_s=budget_s) as auto:
        result = run_ensemble(toy_member, spec, executor=auto, progress=False)
        used_pool = auto._pool is not None
    assert used_pool == (budget_s == 0.0)
    assert_same_results(serial, result)


def test_auto_sends_a_long_run_to_the_pool_at_once() -> None:
    """A run of early_items or more on two workers goes to the pool from its first item: this
    process does not load what the members need while the pool's fork server loads it."""
    import os

    from channelsim.experiments.executor import AutoExecutor
    from toy_member import process_of

    items = list(range(AutoExecutor.early_items))
    with AutoExecutor(workers=2) as auto:
        ran_in = dict(auto.run(process_of, None, items))
    assert sorted(ran_in) == items
    assert os.getpid() not in ran_in.values()


def test_draw_overrides_reach_the_member(serial) -> None:
    totals = serial.totals()
    daily = serial.table("daily")
    attempts = daily.groupby("draw")["boats_attempted"].mean()
    # launch_rate 2.0 vs 4.5 boats/day: the draw's override, not the scenario's 3.0, is used
    assert attempts[0] == pytest.approx(2.0, rel=0.2)
    assert attempts[1] == pytest.approx(4.5, rel=0.2)
    assert set(totals["p_stop"][totals["scenario"] == "patrols"]) == {0.5}


def test_table_stacks_members_with_their_keys(serial, spec: EnsembleSpec) -> None:
    daily = serial.table("daily")
    assert list(daily.columns[:3]) == ["scenario", "draw", "rep"]
    assert len(daily) == len(spec.members()) * SCENARIOS["base"]["days"]
    with pytest.raises(KeyError):
        serial.table("nope")


def test_summary_orders_quantiles_and_counts_members(serial) -> None:
    summary = serial.summary()
    assert set(summary["scenario"]) == {"base", "patrols", "same-as-base"}
    assert (summary["n"] == 8).all()
    columns = ["q05", "q25", "median", "q75", "q95"]
    assert (summary[columns].diff(axis=1).iloc[:, 1:] >= 0).all().all()
    arrived = serial.totals().query("scenario == 'patrols'")["boats_arrived"]
    row = summary.query("scenario == 'patrols' and metric == 'boats_arrived'").iloc[0]
    assert row["median"] == float(np.median(arrived))


def test_paired_differences_use_common_random_numbers(serial) -> None:
    compare = serial.compare().set_index(["scenario", "metric"])
    # a scenario identical to the base shares its random world: every difference is exactly 0
    same = compare.loc[("same-as-base", "boats_arrived")]
    assert same["q05"] == same["q95"] == 0.0
    # stopping more boats on the beach lowers arrivals in every pair, not just on average
    patrols = compare.loc[("patrols", "boats_arrived")]
    assert patrols["share_below_zero"] == 1.0
    assert patrols["n"] == 8
    pairs = serial.paired().query("scenario == 'patrols' and metric == 'boats_arrived'")
    assert (pairs["difference"] == pairs["value"] - pairs["base_value"]).all()


def test_json_is_plain_and_complete(serial) -> None:
    payload = serial.to_json_dict()
    text = json.dumps(payload)  # plain types only
    assert payload["n_members"] == 24
    assert len(payload["summary"]) == 3 * 3 and len(payload["compare"]) == 2 * 3
    assert "NaN" not in text


def test_unknown_executor_and_bad_workers_are_input_errors(spec: EnsembleSpec) -> None:
    with pytest.raises(InputError, match="executor"):
        run_ensemble(toy_member, spec, executor="threads", progress=False)
    with pytest.raises(InputError, match="workers"):
        run_ensemble(toy_member, spec, executor="processes", workers=0, progress=False)


def test_member_errors_propagate_with_their_ensemble() -> None:
    spec = EnsembleSpec(scenarios={"broken": {"launch_rate": 1.0, "p_stop": 0.1}}, name="broken")
    with pytest.raises(KeyError, match="days") as caught:
        run_ensemble(toy_member, spec, executor="serial", progress=False)
    assert any("while running ensemble broken" in note for note in caught.value.__notes__)


def test_members_outside_the_spec_are_rejected(spec: EnsembleSpec) -> None:
    with pytest.raises(InputError, match="draw"):
        run_ensemble(toy_member, spec, [Member("base", 5, 0)], executor="serial", progress=False)


def test_a_subset_of_members_runs_in_the_given_order(spec: EnsembleSpec, serial) -> None:
    subset = [Member("patrols", 1, 3), Member("base", 0, 0)]
    result = run_ensemble(toy_member, spec, subset, executor="serial", progress=False)
    assert [o.key for o in result.outputs] == [m.key for m in subset]
    by_key = {o.key: o.totals for o in serial.outputs}
    assert [o.totals for o in result.outputs] == [by_key[m.key] for m in subset]


def test_posterior_resampling_follows_the_weights() -> None:
    posterior = pd.DataFrame({"p_stop": [0.1, 0.4, 0.9], "weight": [1.0, 3.0, 0.0]})
    draws = draws_from_posterior(posterior, 400, seed=3)
    counts = pd.Series([d["p_stop"] for d in draws]).value_counts()
    assert counts[0.1] in (99, 100, 101) and counts[0.4] in (299, 300, 301)
    assert 0.9 not in counts
    assert draws == draws_from_posterior(posterior, 400, seed=3)
    with pytest.raises(InputError, match="weight"):
        draws_from_posterior(posterior.assign(weight=[-1.0, 1.0, 1.0]), 10, seed=3)


def test_progress_bar_goes_to_stderr_only(spec: EnsembleSpec, serial, capsys) -> None:
    result = run_ensemble(toy_member, spec, executor="serial", progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "24/24" in captured.err
    assert_same_results(serial, result)


def test_an_open_process_executor_keeps_its_workers_across_ensembles(spec, serial) -> None:
    from channelsim.experiments import ProcessExecutor
    from toy_member import pid_member

    with ProcessExecutor(workers=2) as executor:
        first = run_ensemble(pid_member, spec, executor=executor, progress=False)
        again = run_ensemble(toy_member, spec, executor=executor, progress=False)
        second = run_ensemble(pid_member, spec, executor=executor, progress=False)
    # a pool made per ensemble would show up to four processes here
    assert len(set(first.totals()["pid"]) | set(second.totals()["pid"])) <= 2
    assert_same_results(serial, again)


def test_configs_record_tables_by_content_hash() -> None:
    @dataclasses.dataclass
    class Case:
        name: str
        observed: pd.Series

    def config(values: list[int]) -> dict:
        case = Case("c", pd.Series(values, name="arrivals"))
        return EnsembleSpec(scenarios={"c": case}, base_seed=np.int64(3)).config(toy_member)

    assert config([1, 2, 3]) == config([1, 2, 3])
    assert config([1, 2, 3]) != config([1, 2, 4])
    assert config([1, 2, 3])["member_fn"] == "toy_member.toy_member"
    json.dumps(config([1, 2, 3]))


def test_parquet_bytes_are_pandas_own_for_every_kind_of_column() -> None:
    """A member's DataFrame is stored byte for byte as ``DataFrame.to_parquet`` writes it, the
    second table of a shape too (converted from the first one's schema): NaN as null, dates,
    text, flags; a column whose inferred type changed, and a custom index, as well."""
    import datetime as dt
    import io

    from channelsim.experiments.ensemble import parquet_bytes

    def pandas_bytes(frame: pd.DataFrame) -> bytes:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, engine="pyarrow")
        return buffer.getvalue()

    def table(k: int, zone: tuple[object, ...] = ("a", "b", None)) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "date": [dt.date(2025, 1, 1 + k), dt.date(2025, 1, 2 + k), None],
                "people": np.array([k, 2, 3], dtype=np.int64),
                "share": [0.5, np.nan, 1.0 / (k + 3)],
                "night": [True, False, k % 2 == 0],
                "zone": list(zone),
                "when": pd.to_datetime(["2025-01-01", "2025-01-02", None]),
            }
        )

    frames = [table(0), table(1), table(2, zone=(7, 8, None)), table(3).set_index("people")]
    frames += [table(5).astype({"people": "Int64"}), table(6), table(7, zone=(7, 8, None))]
    for frame in frames:
        assert parquet_bytes(frame) == pandas_bytes(frame)


def shipped_columns(k: int) -> dict[str, np.ndarray]:
    """A member's table as a worker ships it: dates as ``datetime64[D]`` (one missing), whole
    numbers of several widths, floats with a NaN, flags."""
    return {
        "date": np.array(["2025-01-01", "NaT", f"2025-02-{10 + k}"], dtype="datetime64[D]"),
        "people": np.array([k, 2, -3], dtype=np.int64),
        "zone": np.array([1, 0, 2], dtype=np.int8),
        "count": np.array([7, 8, 9], dtype=np.uint32),
        "share": np.array([0.5, np.nan, 1.0 / (k + 3)]),
        "night": np.array([True, False, k % 2 == 0]),
    }


def test_a_table_shipped_as_columns_is_stored_as_its_frame_reads_back() -> None:
    """A table shipped as NumPy columns is encoded from them: the Arrow types and values
    ``DataFrame.to_parquet`` would store (NaN and NaT as null, dates as dates), without pandas'
    metadata, and ``pandas.read_parquet`` reads it back as the very DataFrame the columns
    build; a table with a text column goes through its DataFrame, and reads back the same."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from channelsim.engine.results import TableColumns
    from channelsim.experiments.ensemble import parquet_bytes

    for k in range(3):
        shipped = TableColumns(shipped_columns(k))
        frame = shipped.frame()
        data = parquet_bytes(shipped)
        expected = pa.Table.from_pandas(frame, preserve_index=False)
        assert pq.read_table(io.BytesIO(data)).equals(expected.replace_schema_metadata(None))
        pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(data)), frame, check_exact=True)
    texts = TableColumns({**shipped_columns(0), "name": np.array(["a", "b", None], object)})
    back = pd.read_parquet(io.BytesIO(parquet_bytes(texts)))
    pd.testing.assert_frame_equal(back, texts.frame(), check_exact=True)


def test_storing_and_summarising_shipped_members_loads_no_pandas(tmp_path: Path) -> None:
    """The driver of ``run --runs N`` records members shipped as columns in the results store
    and reduces them to intervals by year and month without loading pandas (a third of a CPU
    second of a hundred-run ensemble's driver)."""
    import subprocess
    import sys

    probe = f"""
import sys
from channelsim.engine import load_scenario
from channelsim.experiments.runs import run_scenario_ensemble
from channelsim.runstore import RunStore
scenario = load_scenario({str(Path(__file__).parents[1] / "scenarios" / "status-quo-2025.toml")!r})
week = scenario.with_changes(end=scenario.start.replace(day=20))
with RunStore({str(tmp_path / "runs.duckdb")!r}) as store:
    ensemble = run_scenario_ensemble(week, 3, 1, executor="serial", store=store, progress=False)
    ensemble.to_json_dict()
print(sorted(m for m in ("pandas", "pyarrow") if m in sys.modules))
"""
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "['pyarrow']"


DRIVER_SCRIPT = """
import os, sys
if __name__ != "__main__":  # imported: by a worker, or by the fork server for them
    with open(os.environ["RAN_IN"], "a") as ran_in:
        ran_in.write(f"{os.getpid()}\\n")
else:
    sys.path.insert(0, sys.argv[1])
    from channelsim.experiments.executor import ProcessExecutor
    from toy_member import process_of
    with ProcessExecutor(workers=2) as pool:
        print(*sorted({pid for _, pid in pool.run(process_of, None, list(range(8)))}))
"""


def test_the_fork_server_imports_the_driver_script_once_for_every_worker(tmp_path: Path) -> None:
    """Each worker would otherwise run the driver's script again on starting (channelsim's:
    the whole command line); the fork server imports it once, and workers forked from it
    find it imported."""
    import subprocess
    import sys

    script, ran_in = tmp_path / "driver.py", tmp_path / "ran-in.txt"
    script.write_text(DRIVER_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(Path(__file__).resolve().parent)],
        capture_output=True,
        text=True,
        env={**os.environ, "RAN_IN": str(ran_in)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    workers = set(map(int, done.stdout.split()))
    imported_in = set(map(int, ran_in.read_text().split()))
    assert workers and not workers & imported_in, (workers, imported_in)
    assert len(imported_in) == 1  # the fork server


COMMAND_SCRIPT = """
import os, sys
if os.environ["TASK"] == "own":
    def own_task(payload, item):  # a task of the script's own: its workers need the script
        return os.getpid()
if __name__ != "__main__":  # imported: by a worker, or by the fork server for them
    with open(os.environ["RAN_IN"], "a") as ran_in:
        ran_in.write(f"{os.getpid()}\\n")
else:
    sys.path.insert(0, sys.argv[1])
    from channelsim.experiments.executor import ProcessExecutor
    from toy_member import process_of
    task = own_task if os.environ["TASK"] == "own" else process_of
    with ProcessExecutor(workers=2) as pool:
        print(*sorted({pid for _, pid in pool.run(task, None, list(range(8)))}))
"""


@pytest.mark.parametrize("task", ["package", "own"])
def test_the_command_script_is_not_run_by_the_fork_server_unless_it_defines_a_task(
    tmp_path: Path, task: str
) -> None:
    """The ``channelsim`` command's own script (a file named ``channelsim``) is not run by the
    fork server, which would import the whole command line for workers that use none of it:
    a bare module stands for it, and the workers run; a script of that name that defines a
    function of its own (which a worker may be sent) is imported once, as any other."""
    import subprocess
    import sys

    script, ran_in = tmp_path / "channelsim", tmp_path / "ran-in.txt"
    script.write_text(COMMAND_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(Path(__file__).resolve().parent)],
        capture_output=True,
        text=True,
        env={**os.environ, "RAN_IN": str(ran_in), "TASK": task},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    workers = set(map(int, done.stdout.split()))
    assert workers
    imported_in = set(map(int, ran_in.read_text().split())) if ran_in.exists() else set()
    if task == "package":
        assert imported_in == set()
    else:
        assert len(imported_in) == 1 and not workers & imported_in, (workers, imported_in)


def test_the_pool_lets_go_of_each_result_once_it_is_handed_over() -> None:
    """The local pool keeps no finished item's result: a caller that reduces members as they
    arrive (``run --runs N`` without ``--out``) holds their days in batches, not all of them
    through the pool's futures to the end of the run."""
    import gc
    import weakref

    from channelsim.experiments.executor import ProcessExecutor
    from toy_member import Boxed, boxed

    with ProcessExecutor(workers=1) as pool:
        held: list[weakref.ref[Boxed]] = []
        for index, result in pool.run(boxed, None, list(range(4))):
            gc.collect()
            assert all(ref() is None for ref in held), index  # the results handed over before
            assert result.item == index
            held.append(weakref.ref(result))
            del result


def test_pool_workers_start_with_the_engine_loaded_and_frozen() -> None:
    """The fork server runs a week as a member runs and freezes what it loaded: its workers
    have the engine for their first member, and their collections skip it."""
    from channelsim.experiments.executor import ProcessExecutor, start_fork_server
    from toy_member import worker_state

    if not start_fork_server():
        pytest.skip("no fork server on this platform")
    with ProcessExecutor(workers=2) as pool:
        states = [state for _, state in pool.run(worker_state, None, [0, 1])]
    assert all(loaded and frozen > 0 for loaded, frozen in states), states


def test_the_fork_server_loads_the_engine_but_not_pandas_nor_pyarrow() -> None:
    """What the fork server preloads is what a member needs: the engine and its compiled
    kernels, not pandas nor PyArrow (half a CPU second before any worker can start), since a
    member ships its daily table as NumPy columns."""
    import subprocess
    import sys

    probe = (
        "import sys, channelsim.experiments.preload; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'channelsim.engine.sim') "
        "if m in sys.modules))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "['channelsim.engine.sim']"


def test_a_member_ships_its_daily_table_as_columns_that_build_the_same_frame() -> None:
    """The engine's member output carries the daily table as columns; the DataFrame built
    from them where it arrives, and its Parquet bytes, are those of the run's own table."""
    import io

    from channelsim.engine import SimSpec, load_scenario, simulate
    from channelsim.experiments.ensemble import MemberOutput, parquet_bytes

    scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / "status-quo-2025.toml")
    week = scenario.with_changes(end=scenario.start.replace(day=7))
    result = simulate(SimSpec(week, keep=("daily",)), 5)
    output = MemberOutput.from_result("k", 5, result, 0.0)
    assert list(output.tables) == ["daily"] and "daily" in output.tables
    assert list(output.columns) == ["daily"]  # not built by being listed
    stored = parquet_bytes(output.columns["daily"])
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(stored)), result.daily)
    pd.testing.assert_frame_equal(output.tables["daily"], result.daily, check_exact=True)
    assert output.columns == {}  # built once read, and held once: as its DataFrame
    assert output.framed() is output


FORKED_AHEAD = """
import json, multiprocessing, os
from channelsim.experiments import executor

def witness(payload, item):
    return os.environ.get("WITNESS")

executor.fork_workers_from_here()
executor.fork_pool_now(2)
os.environ["WITNESS"] = "set after the fork"  # seen by any worker forked later
import duckdb
duckdb.connect(":memory:")  # a driver's store: about ten threads from here on
with executor.ProcessExecutor(2) as pool:
    seen = [value for _, value in pool.run(witness, None, list(range(6)))]
executor.fork_pool_now(2)
executor.discard_forked_pool()
print(json.dumps([seen, len(multiprocessing.active_children())]))
"""


def test_a_pool_forked_ahead_is_the_one_a_run_uses_and_one_left_unused_stops() -> None:
    """Served by the resident engine, an ensemble's pool forks its workers before the driver
    opens its results store (whose DuckDB starts threads a fork would copy mid-work): the pool
    a run then starts is that one, its workers forked before anything set later (a pool
    forked at its first task would see it); one no run took is stopped, no process left."""
    import json
    import subprocess
    import sys

    shown = subprocess.run(
        [sys.executable, "-c", FORKED_AHEAD], capture_output=True, text=True, check=True
    ).stdout
    seen, left = json.loads(shown)
    assert seen == [None] * 6 and left == 0


def test_members_tables_joined_from_columns_are_their_frames_concatenated() -> None:
    """An ensemble's table joined from its members' columns (one DataFrame built once) is the
    concatenation of the members' own DataFrames, keys and types included; and so is the
    table of members already read as DataFrames, joined the other way, as their intervals."""
    from channelsim.engine import SimSpec, load_scenario, simulate
    from channelsim.experiments.runs import run_scenario_ensemble

    scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / "status-quo-2025.toml")
    week = scenario.with_changes(end=scenario.start.replace(day=10))
    spec = EnsembleSpec(scenarios={"a": SimSpec(week, keep=("daily",))}, reps=3, base_seed=2)
    result = run_ensemble(simulate, spec, executor="serial", progress=False)
    assert result.table_columns("daily") is not None
    joined = result.table("daily")
    frames = [output.tables["daily"] for output in result.outputs]  # built: columns dropped
    assert result.table_columns("daily") is None
    body = pd.concat(frames, ignore_index=True)
    keys = pd.DataFrame(
        {"scenario": ["a"] * len(body), "draw": np.repeat([0, 0, 0], 10),
         "rep": np.repeat([0, 1, 2], 10)}
    )  # fmt: skip
    expected = pd.concat([keys, body], axis=1)
    pd.testing.assert_frame_equal(joined, expected, check_exact=True)
    pd.testing.assert_frame_equal(result.table("daily"), expected, check_exact=True)
    shipped = run_scenario_ensemble(week, 3, 2, executor="serial", progress=False)
    framed = run_scenario_ensemble(week, 3, 2, executor="serial", progress=False)
    for output in framed.result.outputs:
        output.framed()
    for period in ("year", "month"):
        assert shipped.period_rows(period) == framed.period_rows(period)
