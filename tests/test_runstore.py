"""The results store: exact round trips, run bookkeeping and `channelsim runs list|show|rm`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from channelsim.cli import main
from channelsim.errors import InputError, StoreError
from channelsim.experiments import EnsembleSpec, Member, MemberOutput, config_sha256, run_ensemble
from channelsim.runstore import RunStore, default_store_path
from toy_member import SCENARIOS, assert_same_results, toy_member

SPEC = EnsembleSpec(scenarios=SCENARIOS, reps=3, base_seed=5, name="store-test")


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch) -> tuple[int, str, str]:
    """Run the real entry point (with its error handling) in-process."""
    monkeypatch.setattr(sys, "argv", ["channelsim", *argv])
    try:
        main()
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture()
def recorded(tmp_path: Path):
    """A store holding one finished toy run."""
    path = tmp_path / "store" / "runs.duckdb"
    with RunStore(path) as store:
        result = run_ensemble(toy_member, SPEC, executor="serial", progress=False, store=store)
    return path, result


def test_member_tables_round_trip_exactly(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "day": np.arange(4, dtype=np.int64),
            "x_km": np.array([0.1, 1 / 3, np.nan, -2.5e-12]),
            "stopped": [True, False, True, False],
            "beach": pd.Series(["Gravelines", "Wimereux", "Gravelines", "Équihen"], dtype="str"),
            "kind": pd.Categorical(["a", "b", "a", "a"]),
            "date": pd.date_range("2025-01-01", periods=4, freq="D"),
        }
    )
    output = MemberOutput("s.d0.r0", 123, {"n": 3, "x": 0.1 + 0.2}, {"daily": frame}, 1.0, 2.5)
    with RunStore(tmp_path / "runs.duckdb") as store:
        run_id, done = store.begin_run(
            config={"a": 1},
            kind="run",
            name="rt",
            base_seed=0,
            members=[Member("s", 0, 0)],
            run_id=None,
            resume=False,
        )
        assert done == set()
        store.record_member(run_id, Member("s", 0, 0), output)
        loaded = store.load_member(run_id, Member("s", 0, 0))
    pd.testing.assert_frame_equal(loaded.tables["daily"], frame, check_exact=True)
    assert loaded.totals == {"n": 3, "x": 0.1 + 0.2} and isinstance(loaded.totals["n"], int)
    assert (loaded.seed, loaded.started_s, loaded.ended_s) == (123, 1.0, 2.5)


def test_a_finished_run_is_recorded_with_its_provenance(recorded) -> None:
    path, result = recorded
    with RunStore(path) as store:
        [run] = store.list_runs()
        full = store.get_run(result.run_id)
        members = store.members(result.run_id)
    assert run["run_id"] == result.run_id and run["status"] == "done"
    assert run["n_members"] == run["n_done"] == 6
    assert full["config"]["member_fn"] == "toy_member.toy_member"
    assert full["config_sha256"] == config_sha256(full["config"])
    assert full["code_version"].startswith("0.")
    assert full["created"] <= full["started"] <= full["ended"]
    assert sorted(m["member_key"] for m in members) == sorted(m.key for m in SPEC.members())
    run_dir = RunStore(path).outputs_dir / result.run_id
    for m in members:
        assert (run_dir / m["member_key"] / "daily.parquet").is_file()


def test_resuming_a_finished_run_recomputes_nothing(recorded) -> None:
    path, result = recorded

    def must_not_run(*args):
        raise AssertionError("a recorded member was recomputed")

    spec_fn = toy_member  # same config hash: the member function's name is part of it
    with RunStore(path) as store:
        store.record_member = must_not_run  # type: ignore[method-assign]
        again = run_ensemble(
            spec_fn,
            SPEC,
            executor="serial",
            progress=False,
            store=store,
            run_id=result.run_id,
            resume=True,
        )
    assert_same_results(result, again)


def test_resume_checks_the_configuration(recorded) -> None:
    path, result = recorded
    other = EnsembleSpec(scenarios=SCENARIOS, reps=4, base_seed=5, name="store-test")
    with RunStore(path) as store, pytest.raises(InputError, match="another configuration"):
        run_ensemble(
            toy_member,
            other,
            executor="serial",
            progress=False,
            store=store,
            run_id=result.run_id,
            resume=True,
        )
    with RunStore(path) as store, pytest.raises(InputError, match="exists"):
        run_ensemble(
            toy_member, SPEC, executor="serial", progress=False, store=store, run_id=result.run_id
        )
    with RunStore(path) as store, pytest.raises(InputError, match="run id"):
        store.create_run(config={}, kind="run", name="x", base_seed=0, n_members=1, run_id="../x")


def test_resume_without_an_id_picks_the_latest_run_with_that_config(
    recorded,
) -> None:
    path, result = recorded
    with RunStore(path) as store:
        store.end_run(result.run_id, "interrupted", "test")
        again = run_ensemble(
            toy_member, SPEC, executor="serial", progress=False, store=store, resume=True
        )
        assert again.run_id == result.run_id
        assert store.get_run(result.run_id)["status"] == "done"
        # a done run is resumed too (its outputs may never have been written), from the
        # members it recorded: the same run, nothing recomputed
        again = run_ensemble(
            toy_member, SPEC, executor="serial", progress=False, store=store, resume=True
        )
    assert again.run_id == result.run_id


def test_resume_deletes_orphan_folders_and_rows_without_files(recorded) -> None:
    path, result = recorded
    run_dir = RunStore(path).outputs_dir / result.run_id
    lost = SPEC.members()[1].key
    for file in (run_dir / lost).iterdir():
        file.unlink()
    (run_dir / ".tmp-half-written").mkdir()
    (run_dir / "base.d0.r99").mkdir()
    with RunStore(path) as store:
        store.end_run(result.run_id, "interrupted")
        calls = []
        record = store.record_member
        store.record_member = lambda r, m, o: (calls.append(m.key), record(r, m, o))  # type: ignore[method-assign]
        again = run_ensemble(
            toy_member,
            SPEC,
            executor="serial",
            progress=False,
            store=store,
            run_id=result.run_id,
            resume=True,
        )
    assert calls == [lost]
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(m.key for m in SPEC.members())
    assert_same_results(result, again)


def test_a_second_writer_gets_a_store_error(recorded) -> None:
    path, _ = recorded
    import subprocess

    code = (
        "import sys, duckdb, time; c = duckdb.connect(sys.argv[1]); "
        "print('locked', flush=True); time.sleep(20)"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
            with (
                RunStore(path) as store,
                pytest.raises(StoreError, match="it is in use by another channelsim command"),
            ):
                store.list_runs()
        finally:
            holder.kill()


def test_a_file_that_is_not_a_store_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    path.write_text("not a database")
    expected = "cannot use the results store .*: it is not a DuckDB file"
    with RunStore(path) as store, pytest.raises(StoreError, match=expected):
        store.list_runs()


def test_default_store_path_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHANNELSIM_RUNS", str(tmp_path / "x.duckdb"))
    assert default_store_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("CHANNELSIM_RUNS")
    assert default_store_path().name == "runs.duckdb"


def test_cli_lists_shows_and_removes_runs(recorded, capsys, monkeypatch) -> None:
    path, result = recorded
    store = ["--runs-store", str(path)]
    code, out, _ = _cli(["runs", "list", *store, "--format", "json"], capsys, monkeypatch)
    assert code == 0 and [r["run_id"] for r in json.loads(out)] == [result.run_id]

    code, out, _ = _cli(
        ["runs", "show", result.run_id, *store, "--format", "json"], capsys, monkeypatch
    )
    shown = json.loads(out)
    assert shown["run"]["config"]["reps"] == 3 and len(shown["members"]) == 6
    by_key = {o.key: o.totals for o in result.outputs}
    assert {m["member_key"]: m["totals"] for m in shown["members"]} == by_key

    code, out, _ = _cli(
        ["runs", "show", result.run_id, *store, "--format", "csv"], capsys, monkeypatch
    )
    assert out.splitlines()[0].startswith("Member,Scenario,Parameter draw,Replicate,Seed,Status")
    assert len(out.splitlines()) == 7

    # a table for reading: the record labelled, each member's key figures with their units
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = _cli(["runs", "show", result.run_id, *store], capsys, monkeypatch)
    assert code == 0 and "Base seed" in out and "Members done" in out and "6/6" in out
    assert "arrived" in out and "base.d0.r2" in out  # the toy's figures (no key figures)
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80, out
    assert "--format csv" in out and "seconds" not in out

    code, out, _ = _cli(["runs", "list", *store], capsys, monkeypatch)
    assert code == 0 and result.run_id[:8] in out

    code, out, _ = _cli(
        ["runs", "rm", result.run_id, *store, "--format", "json"], capsys, monkeypatch
    )
    assert json.loads(out) == {"removed": result.run_id, "n_members": 6}
    assert not (RunStore(path).outputs_dir / result.run_id).exists()
    with RunStore(path) as s:
        assert s.list_runs() == []


@pytest.mark.parametrize("command", ["show", "rm"])
def test_cli_unknown_run_is_one_line_and_exit_2(recorded, capsys, monkeypatch, command) -> None:
    path, _ = recorded
    code, out, err = _cli(["runs", command, "nope", "--runs-store", str(path)], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "run 'nope'" in err
    assert "no such run in the results store" in err


def test_cli_on_a_missing_store_lists_nothing_and_creates_nothing(
    tmp_path, capsys, monkeypatch
) -> None:
    path = tmp_path / "absent" / "runs.duckdb"
    code, out, _ = _cli(
        ["runs", "list", "--runs-store", str(path), "--format", "json"], capsys, monkeypatch
    )
    assert code == 0 and json.loads(out) == []
    assert not path.parent.exists()


def test_resume_option_values() -> None:
    from channelsim.cli.runs_cmd import resume_target

    assert resume_target(None) == (None, False)
    assert resume_target("latest") == (None, True)
    assert resume_target("20250101-120000-abc123") == ("20250101-120000-abc123", True)


def test_ctrl_c_during_a_store_write_is_held_until_the_write_is_whole() -> None:
    import os
    import signal

    from channelsim.interrupts import signals_deferred

    reached_end = False
    with pytest.raises(KeyboardInterrupt), signals_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        reached_end = True
    assert reached_end
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


class _CtrlCAtInsert:
    """A store connection that receives Ctrl-C as an INSERT starts (as a terminal's Ctrl-C
    can land while DuckDB runs one)."""

    def __init__(self, connection) -> None:
        self._connection = connection

    def execute(self, sql, *args):
        import os
        import signal

        if sql.startswith("INSERT"):
            os.kill(os.getpid(), signal.SIGINT)
        return self._connection.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._connection, name)


def test_ctrl_c_while_a_run_is_recorded_lands_after_the_statement(tmp_path: Path) -> None:
    """A run's record is whole when Ctrl-C lands meanwhile: the run is there and the
    interruption arrives after it as a KeyboardInterrupt, not as DuckDB's "Query interrupted"
    error and a traceback (seen once in the pool start-up signal test under load)."""
    store = RunStore(tmp_path / "runs.duckdb")
    store._connection = _CtrlCAtInsert(store._db())
    with pytest.raises(KeyboardInterrupt):
        store.create_run(config={}, kind="run", name="x", base_seed=0, n_members=1, run_id="r1")
    store._connection = store._connection._connection
    assert [row["run_id"] for row in store.list_runs()] == ["r1"]


def test_a_recorded_run_loads_back_as_the_same_result(recorded, capsys, monkeypatch) -> None:
    path, result = recorded
    with RunStore(path) as store:
        loaded = store.load_result(result.run_id)
    assert loaded.run_id == result.run_id
    assert_same_results(result, loaded)
    code, out, _ = _cli(
        ["runs", "show", result.run_id, "--summary", "--runs-store", str(path), "--format", "json"],
        capsys,
        monkeypatch,
    )
    assert code == 0 and json.loads(out) == json.loads(json.dumps(result.to_json_dict()))
    code, out, _ = _cli(
        ["runs", "show", result.run_id, "--summary", "--runs-store", str(path)], capsys, monkeypatch
    )
    assert code == 0 and "patrols minus base: paired differences" in out


def test_an_unfinished_run_loads_the_members_recorded_so_far(recorded) -> None:
    path, result = recorded
    dropped = SPEC.members()[2]
    with RunStore(path) as store:
        store._db().execute("DELETE FROM members WHERE member_key = ?", [dropped.key])
        loaded = store.load_result(result.run_id)
    assert loaded.members == [m for m in SPEC.members() if m != dropped]
    assert loaded.summary().query("scenario == 'base'")["n"].iloc[0] == 2


def test_the_data_store_a_folder_or_a_broken_link_is_refused_as_a_results_store(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """`--runs-store` (and CHANNELSIM_RUNS) wrote runs into the official data store, followed
    a broken symbolic link to create a store at its target, and met '' with click's usage
    text: each is one line now, and the data store is not changed."""
    import datetime as dt
    import hashlib

    from spreadsheets import make_rows, write_publication

    daily, weekly = make_rows(start=dt.date(2025, 1, 6), days=28, seed=3)
    publication = write_publication(tmp_path / "pub", daily, weekly, "csv")
    data = tmp_path / "store.duckdb"
    files = sorted(publication.parent.glob("pub_SB_0*.csv"))
    assert (
        _cli(["data", "import", *map(str, files), "--store", str(data)], capsys, monkeypatch)[0]
        == 0
    )
    before = hashlib.sha256(data.read_bytes()).hexdigest()
    scenario = str(Path(__file__).parent.parent / "scenarios" / "status-quo-2025.toml")
    ensemble = ["run", scenario, "--runs", "2", "--to", "2025-01-05"]
    code, _, err = _cli([*ensemble, "--runs-store", str(data)], capsys, monkeypatch)
    assert code == 2 and f"results store {data}: it is the data store" in err, err
    monkeypatch.setenv("CHANNELSIM_RUNS", str(data))
    code, _, err = _cli(["runs", "list"], capsys, monkeypatch)
    assert code == 2 and f"$CHANNELSIM_RUNS={data}: it is the data store" in err, err
    assert hashlib.sha256(data.read_bytes()).hexdigest() == before
    assert not data.with_name("store.duckdb.members").exists()

    (tmp_path / "target").mkdir()
    link = tmp_path / "link.duckdb"
    link.symlink_to(tmp_path / "target" / "runs.duckdb")
    code, _, err = _cli([*ensemble, "--runs-store", str(link)], capsys, monkeypatch)
    assert code == 2 and "symbolic link to" in err and "which does not exist" in err, err
    assert not any((tmp_path / "target").iterdir())

    code, _, err = _cli([*ensemble, "--runs-store", ""], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1, err
    assert "--runs-store: expected the results store's file" in err and "empty path" in err


def test_a_command_needing_a_store_in_use_is_refused_before_any_member(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """What the README says of concurrency: while one command holds the results store,
    another `run --runs` on it is one line saying it is in use, and computes nothing."""
    import subprocess

    path = tmp_path / "runs.duckdb"
    with RunStore(path) as store:
        store.list_runs()  # a results store, made
    code = (
        "import sys, duckdb, time; c = duckdb.connect(sys.argv[1]); "
        "print('locked', flush=True); time.sleep(30)"
    )
    scenario = str(Path(__file__).parent.parent / "scenarios" / "status-quo-2025.toml")
    with subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE) as held:
        try:
            assert held.stdout is not None and held.stdout.readline().strip() == b"locked"
            argv = ["run", scenario, "--runs", "2", "--to", "2025-01-05", "--runs-store", str(path)]
            code_, _, err = _cli(argv, capsys, monkeypatch)
        finally:
            held.kill()
    assert code_ == 2 and err.count("\n") == 1, err
    assert "it is in use by another channelsim command (process " in err
    assert "IO Error" not in err and "duckdb.org" not in err  # not DuckDB's lock text
    members = path.with_name("runs.duckdb.members")
    assert not members.exists() or not any(members.iterdir())


def test_ctrl_c_while_the_store_opens_comes_after_it_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C while the store is being opened (created, its tables made) is delivered once
    it is open: DuckDB would otherwise turn it into a "Query interrupted" error halfway,
    which the command line printed as a traceback."""
    import signal

    check_tables = RunStore._check_tables

    def interrupted(self: RunStore, connection: object) -> None:
        signal.raise_signal(signal.SIGINT)
        check_tables(self, connection)  # type: ignore[arg-type]

    monkeypatch.setattr(RunStore, "_check_tables", interrupted)
    store = RunStore(tmp_path / "runs.duckdb")
    with pytest.raises(KeyboardInterrupt):
        store.list_runs()
    monkeypatch.undo()
    try:
        assert store._connection is not None  # opened whole, then interrupted
        assert store.list_runs() == []
    finally:
        store.close()


@pytest.mark.parametrize("command", ["show", "rm"])
def test_cli_run_of_a_store_that_does_not_exist_says_so(
    tmp_path, capsys, monkeypatch, command
) -> None:
    """It said "no such run in the results store" of a store that is not there (a mistyped
    --runs-store); nothing is created."""
    path = tmp_path / "typo.duckdb"
    code, _, err = _cli(["runs", command, "nope", "--runs-store", str(path)], capsys, monkeypatch)
    assert code == 2 and err.strip() == f"error: {path}: run 'nope': no results store here"
    assert list(tmp_path.iterdir()) == []


def test_resuming_reads_the_recorded_members_rows_in_one_query(recorded, monkeypatch) -> None:
    """A resumed run's recorded members are read with one query for them all (hundreds of
    members, one query each, cost about 2 ms of the driver's CPU apiece), to the same
    outputs as reading each alone."""
    path, result = recorded
    queries: list[str] = []
    query = RunStore._query

    def counted(self: RunStore, sql: str, params: object = ()) -> object:
        queries.append(sql)
        return query(self, sql, params)  # type: ignore[arg-type]

    with RunStore(path) as store:
        one_by_one = [store.load_member(result.run_id, m) for m in result.members]
        monkeypatch.setattr(RunStore, "_query", counted)
        at_once = store.load_members(result.run_id, result.members)
        resumed = run_ensemble(
            toy_member, SPEC, executor="serial", progress=False, store=store,
            run_id=result.run_id, resume=True,
        )  # fmt: skip
    reads = [q for q in queries if q.lstrip().startswith("SELECT") and "FROM members" in q]
    assert len(result.members) == 6 and len(reads) <= 4, reads  # not one per member
    assert [(o.key, o.totals, list(o.tables)) for o in at_once] == [
        (o.key, o.totals, list(o.tables)) for o in one_by_one
    ]
    pairs = zip(at_once, one_by_one, strict=True)
    assert all(a.tables[n].equals(b.tables[n]) for a, b in pairs for n in a.tables)
    assert_same_results(resumed, result)


def test_runs_list_tells_comparisons_of_one_base_apart(tmp_path, capsys, monkeypatch) -> None:
    """Every comparison with one base is named compare-<base>: three comparisons were listed
    as 'compare-status-quo-2025' alike. The list now says what each simulates, read from the
    configuration every run records (so runs recorded before read too)."""
    path = tmp_path / "runs.duckdb"
    names = ["base", "doctrine", "echr", "gangs", "returns"]
    for others in (["doctrine"], names[1:]):
        spec = EnsembleSpec(
            scenarios={n: SCENARIOS["base"] for n in ["base", *others]}, reps=1, base_seed=5,
            name="compare-base", kind="compare", base="base",
        )  # fmt: skip
        with RunStore(path) as store:
            run_ensemble(toy_member, spec, executor="serial", progress=False, store=store)
    from channelsim.cli.runs_cmd import _compact_run

    with RunStore(path) as store:
        shown = [_compact_run(run)["simulates"] for run in store.list_runs()]
    assert shown == ["doctrine, echr and 2 more against base", "doctrine against base"]
    code, out, err = _cli(["runs", "list", "--runs-store", str(path)], capsys, monkeypatch)
    assert code == 0 and "against" in out, err
    code, out, _ = _cli(["runs", "list", "--runs-store", str(path), "--format", "csv"],
                        capsys, monkeypatch)  # fmt: skip
    assert "base; doctrine; echr; gangs; returns" in out


def test_runs_list_says_which_run_drew_its_parameters_from_a_posterior(
    tmp_path, capsys, monkeypatch
) -> None:
    """Two runs of one scenario and seed, one with --posterior, were listed alike (told apart
    by the config hash alone) while their intervals differ."""
    path = tmp_path / "runs.duckdb"
    for draws in (None, [{"a": 1.0}, {"a": 2.0}]):
        spec = EnsembleSpec(
            scenarios={"base": SCENARIOS["base"]}, reps=1, base_seed=5, draws=draws,
            name="base", kind="run",
        )  # fmt: skip
        with RunStore(path) as store:
            run_ensemble(toy_member, spec, executor="serial", progress=False, store=store)
    from channelsim.cli.runs_cmd import _compact_run

    with RunStore(path) as store:
        listed = store.list_runs()
    assert [_compact_run(run)["parameters"] for run in listed] == ["posterior", "fixed"]
    assert [run["n_draws"] for run in listed] == [2, 0]
    code, out, err = _cli(["runs", "list", "--runs-store", str(path)], capsys, monkeypatch)
    assert code == 0 and "posterior" in out and "fixed" in out, err


def test_a_store_that_cannot_be_written_whole_is_not_left_behind(tmp_path: Path) -> None:
    """A file-size limit (or a full disk) while a new store is made: one line, and no store
    left that every later command would fail to open ("Could not read enough bytes")."""
    import subprocess

    store = tmp_path / "r" / "runs.duckdb"
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (8192, resource.RLIM_INFINITY))\n"
        "from channelsim.errors import StoreError\n"
        "from channelsim.runstore import RunStore\n"
        "try:\n"
        f"    RunStore({str(store)!r}).list_runs()\n"
        "except StoreError as error:\n"
        "    print(error)\n"
        "    sys.exit(2)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith(f"cannot create the results store {store}:")
    assert "nothing was created" in done.stdout and done.stdout.count("\n") == 1
    assert list(store.parent.iterdir()) == []
    assert RunStore(store).list_runs() == []  # a new one is made as if nothing happened


OLDEST_SCHEMA = """
CREATE TABLE runs (run_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
    config VARCHAR NOT NULL, config_sha256 VARCHAR NOT NULL, base_seed BIGINT NOT NULL,
    code_version VARCHAR NOT NULL, created TIMESTAMP NOT NULL, started TIMESTAMP,
    ended TIMESTAMP, status VARCHAR NOT NULL, n_members INTEGER NOT NULL, message VARCHAR);
CREATE TABLE members (run_id VARCHAR NOT NULL, member_key VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL, draw INTEGER NOT NULL, rep INTEGER NOT NULL,
    seed BIGINT NOT NULL, status VARCHAR NOT NULL, started TIMESTAMP, ended TIMESTAMP,
    totals VARCHAR NOT NULL, tables VARCHAR NOT NULL, PRIMARY KEY (run_id, member_key));
INSERT INTO runs VALUES ('r1', 'ensemble', 'old', '{}', 'x', 1, '0.1', now(), now(), NULL,
    'running', 4, NULL);
"""


def test_a_store_of_the_first_schema_is_upgraded_and_used(tmp_path: Path) -> None:
    """s13 breaker B10: a store written by the channelsim of 25 Nov 2026 (no runs.driver, no
    members.files) was refused by every command, and changed by the refusal."""
    import duckdb

    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(OLDEST_SCHEMA)
    with RunStore(path) as store:
        [run] = store.list_runs()
        assert run["run_id"] == "r1" and run["status"] == "interrupted"  # its driver is gone
        result = run_ensemble(toy_member, SPEC, executor="serial", progress=False, store=store)
        assert sorted(r["run_id"] for r in store.list_runs()) == sorted(["r1", result.run_id])
