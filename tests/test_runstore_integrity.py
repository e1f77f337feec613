"""The results store survives what happens to files on disk: a damaged member (truncated,
overwritten) is found by its recorded size and checksum, recomputed and reported; the members'
folder is named after the store, so no store path collides with it (``CHANNELSIM_RUNS=.../runs``
used to fail after member 0); a store of the old layout is moved, not lost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from channelsim.cli.output import resume_command
from channelsim.errors import StoreError
from channelsim.experiments import EnsembleSpec, run_ensemble
from channelsim.runstore import RunStore
from conftest import CliResult
from faults import assert_one_line_error, can_mount_tmpfs, cli_on_tmpfs
from toy_member import SCENARIOS, assert_same_results, toy_member

SPEC = EnsembleSpec(scenarios=SCENARIOS, reps=3, base_seed=8, name="integrity")
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"
Cli = Callable[..., CliResult]


def _record(path: Path, notices: list[str] | None = None, **kwargs: object) -> object:
    store = RunStore(path, notify=None if notices is None else notices.append)
    with store:
        return run_ensemble(
            toy_member, SPEC, executor="serial", progress=False, store=store, **kwargs
        )


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, object]:
    path = tmp_path / "runs.duckdb"
    return path, _record(path)


def _member_file(path: Path, run_id: str, key: str = "patrols.d0.r1") -> Path:
    return RunStore(path).outputs_dir / run_id / key / "daily.parquet"


def _truncate(file: Path) -> None:
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


def _flip_a_byte(file: Path) -> None:
    data = bytearray(file.read_bytes())
    data[len(data) // 3] ^= 0xFF  # same size, other content
    file.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (_truncate, "daily.parquet is damaged ("),
        (_flip_a_byte, "daily.parquet is damaged (its checksum differs from the one recorded)"),
        (lambda file: file.unlink(), "daily.parquet is missing"),
    ],
    ids=["truncated", "overwritten", "deleted"],
)
def test_a_damaged_member_is_recomputed_on_resume_and_the_user_told(
    recorded: tuple[Path, object], damage: Callable[[Path], None], said: str
) -> None:
    path, straight = recorded
    run_id = straight.run_id  # type: ignore[attr-defined]
    damage(_member_file(path, run_id))
    with RunStore(path) as store, pytest.raises(StoreError) as caught:
        store.load_result(run_id)  # a done run's damaged member is found before it is read
    assert str(caught.value).startswith(f"member patrols.d0.r1 of run {run_id} in {path}: {said}")
    assert str(caught.value).endswith(f"resume the run with --resume {run_id} to recompute it")

    notices: list[str] = []
    resumed = _record(path, notices, run_id=run_id, resume=True)
    assert len(notices) == 1 and notices[0].startswith(
        f"member patrols.d0.r1 of run {run_id}: {said}"
    )
    assert notices[0].endswith("; recomputing it")
    assert_same_results(straight, resumed)
    with RunStore(path) as store:
        assert store.get_run(run_id)["status"] == "done"
        assert_same_results(straight, store.load_result(run_id))


def test_the_cli_says_which_member_is_damaged_and_resume_repairs_it(
    run_cli: Cli, tmp_path: Path
) -> None:
    store = tmp_path / "runs.duckdb"
    args = [
        "run", SCENARIO, "--from", "2025-06-01", "--to", "2025-06-05", "--runs", 3,
        "--workers", 1, "--runs-store", store, "--format", "json",
    ]  # fmt: skip
    first = run_cli(*args)
    assert first.exit_code == 0, first.stderr
    run_id = json.loads(first.stdout)["run_id"]
    _truncate(_member_file(store, run_id, "status-quo-2025.d0.r1"))
    shown = run_cli("runs", "show", run_id, "--summary", "--runs-store", store)
    assert_one_line_error(shown, "status-quo-2025.d0.r1", "daily.parquet is damaged", "--resume")
    again = run_cli(*args, "--resume", run_id)
    assert again.exit_code == 0, again.stderr
    assert f"member status-quo-2025.d0.r1 of run {run_id}: daily.parquet is damaged" in (
        again.stderr
    )
    numbers = {k: v for k, v in json.loads(again.stdout).items() if k != "elapsed_s"}
    assert numbers == {k: v for k, v in json.loads(first.stdout).items() if k != "elapsed_s"}


def test_a_member_recorded_before_checksums_is_checked_by_its_footer(
    recorded: tuple[Path, object],
) -> None:
    path, straight = recorded
    run_id = straight.run_id  # type: ignore[attr-defined]
    with RunStore(path) as store:
        store._db().execute("UPDATE members SET files = NULL")  # as an older version left it
        assert_same_results(straight, store.load_result(run_id))
    _truncate(_member_file(path, run_id))
    notices: list[str] = []
    resumed = _record(path, notices, run_id=run_id, resume=True)
    assert len(notices) == 1 and "daily.parquet cannot be read" in notices[0]
    assert_same_results(straight, resumed)


@pytest.mark.parametrize("name", ["runs", "runs.duckdb", "runs.members", "store.db"])
def test_no_store_path_collides_with_its_members_folder(tmp_path: Path, name: str) -> None:
    store = tmp_path / "some" / "dir" / name
    first, second = _record(store), _record(store)
    with RunStore(store) as runs:
        assert [r["status"] for r in runs.list_runs()] == ["done", "done"]
        for result in (first, second):
            assert_same_results(result, runs.load_result(result.run_id))  # type: ignore[attr-defined]
    assert sorted(p.name for p in store.parent.iterdir() if not p.name.endswith(".wal")) == [
        name,
        f"{name}.members",
    ]


def test_channelsim_runs_set_to_a_path_named_runs_works(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``CHANNELSIM_RUNS=/some/dir/runs`` failed after member 0, and every ensemble after it."""
    store = tmp_path / "some" / "dir" / "runs"
    monkeypatch.setenv("CHANNELSIM_RUNS", str(store))
    done = run_cli(
        "run", SCENARIO, "--from", "2025-06-01", "--to", "2025-06-03", "--runs", 3,
        "--workers", 1, "--format", "json",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    _record(store)  # and the next ensemble too
    with RunStore(store) as runs:
        assert [r["status"] for r in runs.list_runs()] == ["done", "done"]
        assert runs.list_runs()[1]["run_id"] == json.loads(done.stdout)["run_id"]


def test_a_file_where_the_members_folder_goes_is_one_line(run_cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.members").write_text("another store's file, say")
    result = run_cli(
        "run", SCENARIO, "--to", "2025-01-03", "--runs", 2, "--runs-store", tmp_path / "a",
    )  # fmt: skip
    assert_one_line_error(result, f"{tmp_path / 'a.members'} should be the folder of its members")
    assert (tmp_path / "a.members").read_text() == "another store's file, say"


def test_a_store_under_a_file_is_one_line_naming_the_file(run_cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("the user's notes")
    store = tmp_path / "mine.txt" / "x.duckdb"
    result = run_cli(
        "run", SCENARIO, "--to", "2025-01-03", "--runs", 2, "--runs-store", store,
    )  # fmt: skip
    assert_one_line_error(result, f"expected folders above it, but {tmp_path / 'mine.txt'} is a")
    assert "Errno" not in result.stderr
    assert (tmp_path / "mine.txt").read_text() == "the user's notes"


def test_a_text_file_as_results_store_is_one_line_of_ours(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text file as results store printed DuckDB's own "IO Error: The file ... is not a
    valid DuckDB database file!"."""
    notes = tmp_path / "notes.txt"
    notes.write_text("the user's notes")
    expected = "it is not a DuckDB file; expected the results store's file (such as runs.duckdb)"
    result = run_cli("runs", "list", "--runs-store", notes)
    assert_one_line_error(result, f"cannot use the results store {notes}: {expected}")
    monkeypatch.setenv("CHANNELSIM_RUNS", str(notes))
    result = run_cli("run", SCENARIO, "--to", "2025-01-03", "--runs", 2)
    assert_one_line_error(result, f"$CHANNELSIM_RUNS={notes}: {expected}")
    assert "IO Error" not in result.stderr
    assert notes.read_text() == "the user's notes"


def test_a_store_of_the_old_layout_has_its_members_moved(recorded: tuple[Path, object]) -> None:
    path, straight = recorded
    run_id = straight.run_id  # type: ignore[attr-defined]
    legacy = path.parent / "runs"
    RunStore(path).outputs_dir.rename(legacy)  # where the old layout kept them
    (legacy / "someone-else-s-run").mkdir()  # another store's run in the same folder
    with RunStore(path) as store:
        assert_same_results(straight, store.load_result(run_id))
    assert (RunStore(path).outputs_dir / run_id).is_dir()
    assert [p.name for p in legacy.iterdir()] == ["someone-else-s-run"]


@pytest.mark.skipif(not can_mount_tmpfs(), reason="needs unshare -rm to mount a private tmpfs")
def test_a_full_disk_under_the_store_is_one_line_and_the_run_resumes(tmp_path: Path) -> None:
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    store = mount_point / "runs.duckdb"
    args = [
        "run", SCENARIO, "--from", "2025-01-01", "--to", "2025-12-31", "--runs", 8,
        "--workers", 1, "--runs-store", store, "--format", "json",
    ]  # fmt: skip
    codes, said, left = cli_on_tmpfs(
        # the new store takes ~270 KB; members record their daily table only (~45 KB a
        # year): 8 of them overflow the ~240 KB left
        mount_point,
        *args,
        size="3m",
        fill_kb=2560,
        again="--resume latest",
    )
    assert codes == [2, 0], said
    errors = [line for line in said.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in said
    assert (
        errors[0].startswith("error: cannot record member status-quo-2025.d0.r")
        and f"in {store}.members: the disk is full; " in errors[0]
    )
    run_id = errors[0].rsplit("--resume ", 1)[1].rstrip("`")
    command = resume_command(run_id, [str(arg) for arg in args])
    assert errors[0].endswith(f"of 8 members recorded; resume it with `{command}`")
    assert "runs.duckdb.members" in left and "filler" not in left


def test_a_disk_too_full_for_a_new_store_is_one_line_and_leaves_none(tmp_path: Path) -> None:
    """Under 270 KB free the store's first write fails: one line (it was DuckDB's traceback
    of a failed commit), no store left behind to break the next command, which then runs."""
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    store = mount_point / "runs.duckdb"
    args = [
        "run", SCENARIO, "--from", "2025-01-01", "--to", "2025-01-31", "--runs", 2,
        "--workers", 1, "--runs-store", store, "--format", "json",
    ]  # fmt: skip
    codes, said, left = cli_on_tmpfs(mount_point, *args, size="3m", fill_kb=2900, again=" ")
    assert codes == [2, 0], said
    errors = [line for line in said.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in said, said
    assert errors[0].startswith(f"error: cannot create the results store {store}: ")
    assert errors[0].endswith(": the disk is full; nothing was created")
    assert "runs.duckdb" in left


def test_a_truncated_store_is_one_line_naming_it_and_what_to_do(tmp_path: Path) -> None:
    """A store cut short (a copy stopped midway, a full disk) was reported in DuckDB's words
    when opened ('IO Error: Could not read enough bytes from file ...'), and with a traceback
    when a query found it (s11 re-trial R7)."""
    path = tmp_path / "runs.duckdb"
    with RunStore(path) as store:
        for k in range(40):
            store.create_run(config={"k": k, "pad": "x" * 2000}, kind="run", name=f"r{k}",
                             base_seed=k, n_members=1)  # fmt: skip
    whole = path.read_bytes()
    said = set()
    for size in (5_000, 100_000, len(whole) // 3, len(whole) // 2):
        cut = tmp_path / f"cut{size}.duckdb"
        cut.write_bytes(whole[:size])
        with pytest.raises(StoreError) as caught, RunStore(cut) as store:
            store.list_runs()
        message = str(caught.value)
        assert message.startswith(f"cannot use the results store {cut}: it is truncated: ")
        assert "restore it from a copy, or move it aside" in message and "IO Error" not in message
        said.add(message.endswith("the file was not changed"))
        assert cut.read_bytes() == whole[:size]
    assert True in said
