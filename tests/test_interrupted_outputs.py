"""Ctrl-C or SIGTERM while an output folder is written: the target is left as it was (or
complete), no temporary beside it, no traceback, one line saying what the outputs are left as;
a run whose members were all recorded is marked interrupted and ``--resume`` writes its
outputs from them, byte for byte those of an uninterrupted run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from channelsim import exports, outputs
from channelsim.cli.output import resume_command
from channelsim.runstore import RunStore
from conftest import CliResult

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"
JUNE = ("--from", "2025-06-01", "--to", "2025-06-20")

Cli = Callable[..., CliResult]


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt  # as Ctrl-C would, in the middle of writing the outputs


def test_a_second_signal_during_the_clean_up_still_removes_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user presses Ctrl-C again while the interrupted write tidies up."""
    rmtree = shutil.rmtree

    def second_ctrl_c(path: Any, *args: Any, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(10_000))  # bytecode for the interpreter to run the handler in
        rmtree(path, *args, **kwargs)

    def fill(folder: Path) -> None:
        (folder / "a.txt").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs.shutil, "rmtree", second_ctrl_c)
    with pytest.raises(KeyboardInterrupt) as stopped:
        outputs.write_output_folder(tmp_path / "out", fill, kind="run")
    assert list(tmp_path.iterdir()) == []
    assert stopped.value.__notes__[-1] == f"nothing was written to {tmp_path / 'out'}"


WORKBOOK_INTERRUPTED = """
import os, signal, sys
import pandas as pd
from channelsim.exports import write_workbook

class Slow(str):
    def __str__(self):  # openpyxl reads the value inside its row writer: Ctrl-C lands there
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(100_000))
        return str.__str__(self)

text = pd.Series(["x"] * 2500 + [Slow("y")] + ["z"] * 2499, dtype=object)
table = pd.DataFrame({"n": range(5000), "text": text})
try:
    write_workbook(__import__("pathlib").Path(sys.argv[1]), {"t": table, "u": table.head(3)})
except KeyboardInterrupt:
    print("interrupted")
"""


def test_ctrl_c_inside_the_workbook_writer_leaves_no_traceback(tmp_path: Path) -> None:
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", WORKBOOK_INTERRUPTED, str(tmp_path / "t.xlsx")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(own_tmp)},
    )
    assert done.stdout.strip() == "interrupted", done.stderr
    assert done.stderr == ""  # no "Exception ignored in <generator ...>" at exit
    assert list(own_tmp.iterdir()) == []  # openpyxl's temporary sheets removed


def _ensemble(store: Path, out: Path, *more: object) -> list[object]:
    return [
        "run", SCENARIO, *JUNE, "--runs", 3, "--seed", 4, "--runs-store", store,
        "--out", out, "--format", "json", *more,
    ]  # fmt: skip


def _resume(run_id: str, args: list[object]) -> str:
    """The resume hint's command: the one given, with --resume (s11 re-trial R3)."""
    return f"`{resume_command(run_id, [str(arg) for arg in args])}`"


def _files(folder: Path) -> dict[str, bytes]:
    """The tables of an output folder, byte for byte (JSON without the run's id and time)."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in (".parquet", ".csv"):
            found[path.name] = path.read_bytes()
        elif path.suffix == ".json" and not path.name.startswith("."):
            payload = json.loads(path.read_text())
            if isinstance(payload, dict):
                payload = {k: v for k, v in payload.items() if k not in ("run_id", "elapsed_s")}
            found[path.name] = json.dumps(payload).encode()
    return found


def test_interrupted_after_every_member_then_resume_latest_writes_the_same_outputs(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    monkeypatch.setattr(exports, "write_workbook", _interrupt)
    stopped = run_cli(*_ensemble(store, out))
    monkeypatch.undo()
    with RunStore(store) as runs:
        [run] = runs.list_runs()
        ended = {m["member_key"]: m["ended"] for m in runs.members(run["run_id"])}
    run_id = run["run_id"]
    command = _resume(run_id, _ensemble(store, out))
    hint = f"run {run_id} has all 3 members recorded; resume it with {command}"
    assert stopped.exit_code == 130 and stopped.stdout == ""
    assert stopped.stderr.strip().splitlines()[-1] == (
        f"interrupted; nothing was written to {out}; {hint} to write its outputs"
    )
    assert "Traceback" not in stopped.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.duckdb", "runs.duckdb.members"]
    assert run["status"] == "interrupted" and run["n_done"] == 3
    stored = f"run {run_id} has all 3 members recorded; resume it with --resume {run_id}"
    assert run["message"] == f"interrupted by the user; {stored} to write its outputs"

    resumed = run_cli(*_ensemble(store, out, "--resume", "latest"))
    assert resumed.exit_code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["run_id"] == run_id
    with RunStore(store) as runs:
        assert runs.get_run(run_id)["status"] == "done"
        assert {m["member_key"]: m["ended"] for m in runs.members(run_id)} == ended

    straight = run_cli(*_ensemble(tmp_path / "other.duckdb", tmp_path / "straight"))
    assert straight.exit_code == 0, straight.stderr
    assert _files(out) == _files(tmp_path / "straight")
    assert {"daily.parquet", "daily.csv", "summary.json"} <= set(_files(out))


@pytest.mark.parametrize("runs", [None, 2])
def test_interrupted_while_reporting_says_the_outputs_are_complete(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: int | None
) -> None:
    from channelsim.cli import run_cmd

    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    monkeypatch.setattr(run_cmd, "emit_rows", _interrupt)
    args = ["run", SCENARIO, *JUNE, "--out", out]
    if runs is not None:
        args += ["--runs", runs, "--runs-store", store]
    stopped = run_cli(*args)
    line = stopped.stderr.strip().splitlines()[-1]
    assert stopped.exit_code == 130
    assert line.startswith(f"interrupted; the outputs in {out} are complete"), line
    assert (out / "daily.parquet").is_file()
    if runs is not None:
        with RunStore(store) as recorded:
            [run] = recorded.list_runs()
        assert run["status"] == "done" and line.endswith(f"run {run['run_id']} is recorded in full")


def test_interrupted_single_run_before_writing_says_nothing_was_written(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channelsim.engine import SimResult

    out = tmp_path / "out"
    monkeypatch.setattr(SimResult, "write", _interrupt)
    stopped = run_cli("run", SCENARIO, *JUNE, "--out", out)
    assert stopped.exit_code == 130
    assert _said(stopped.stderr) == [f"interrupted; nothing was written to {out}"]
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_comparison_write_resumes_to_the_same_files(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, other = SCENARIO, SCENARIO.with_name("doctrine-territorial.toml")
    args = ["compare", base, other, "--runs", 2, "--seed", 3, "--format", "json"]
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    monkeypatch.setattr(exports, "write_workbook", _interrupt)
    stopped = run_cli(*args, "--runs-store", store, "--out", out)
    monkeypatch.undo()
    with RunStore(store) as runs:
        [run] = runs.list_runs()
    assert stopped.exit_code == 130 and run["status"] == "interrupted"
    command = _resume(run["run_id"], [*args, "--runs-store", store, "--out", out])
    last = stopped.stderr.strip().splitlines()[-1]
    assert last.endswith(f"resume it with {command} to write its outputs")
    resumed = run_cli(*args, "--runs-store", store, "--out", out, "--resume", "latest")
    assert resumed.exit_code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["run_id"] == run["run_id"]
    straight = run_cli(*args, "--runs-store", tmp_path / "b.duckdb", "--out", tmp_path / "b")
    assert straight.exit_code == 0, straight.stderr
    assert _files(out) == _files(tmp_path / "b") and "pairs.parquet" in _files(out)


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_folder_written_by_another_command_meanwhile_keeps_the_run_and_says_how_to_resume(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Another command wrote the --out folder while the ensemble ran: the refusal came after
    every member had run, said nothing of --resume, and left the run marked done (so that
    `--resume latest` did not find it)."""
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    write = outputs._write_marker

    def someone_else_writes_the_folder_meanwhile(folder: Path, kind: str) -> None:
        write(folder, kind)
        out.mkdir(exist_ok=True)
        (out / "theirs.txt").write_text("not channelsim's")

    monkeypatch.setattr(outputs, "_write_marker", someone_else_writes_the_folder_meanwhile)
    other = SCENARIO.with_name("doctrine-territorial.toml")
    args: list[object] = [
        *(["run", SCENARIO, *JUNE] if command == "run" else ["compare", SCENARIO, other]),
        "--runs", 2, "--format", "json", "--runs-store", store,
    ]  # fmt: skip
    refused = run_cli(*args, "--out", out)
    monkeypatch.undo()
    with RunStore(store) as runs:
        assert runs.list_runs(), refused.stderr
        [run] = runs.list_runs()
    run_id, members = run["run_id"], run["n_done"]
    assert refused.exit_code == 2 and refused.stdout == "" and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: {out}: --out: expected a new or empty folder, or one channelsim wrote; it holds "
        f"files channelsim did not write (theirs.txt); run {run_id} has all {members} members "
        f"recorded; resume it with {_resume(run_id, [*args, '--out', out])} to write its "
        "outputs (to another --out "
        "folder, or to this one once it is free)"
    )
    assert [p.name for p in out.iterdir()] == ["theirs.txt"]  # theirs, untouched
    assert run["status"] == "interrupted" and run["message"].startswith("outputs not written: ")

    resumed = run_cli(*args, "--out", tmp_path / "elsewhere", "--resume", "latest")
    assert resumed.exit_code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["run_id"] == run_id
    assert (tmp_path / "elsewhere" / ".channelsim-output.json").is_file()
    with RunStore(store) as runs:
        assert runs.get_run(run_id)["status"] == "done"


def test_ctrl_c_pressed_twice_keeps_its_line_and_the_run_to_resume(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second Ctrl-C a few ms after the first, while the interrupted write tidied up, raised
    a second KeyboardInterrupt in the clean-up: the line was a bare "interrupted" and the run
    stayed marked done without its outputs, so `--resume latest` did not find it. A repeat
    within a second is the same request; the first's line and record stand."""
    store, out = tmp_path / "runs.duckdb", tmp_path / "out"
    last_run = RunStore.last_run_driven_here

    def ctrl_c(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(10_000))  # bytecode for the interpreter to run the handler in

    def ctrl_c_again(runs: RunStore) -> dict[str, Any] | None:
        ctrl_c()  # as the command looks up the run to mark it interrupted
        return last_run(runs)

    monkeypatch.setattr(exports, "write_workbook", ctrl_c)
    monkeypatch.setattr(RunStore, "last_run_driven_here", ctrl_c_again)
    stopped = run_cli(*_ensemble(store, out))
    monkeypatch.undo()
    with RunStore(store) as runs:
        [run] = runs.list_runs()
    run_id = run["run_id"]
    assert stopped.exit_code == 130 and "Traceback" not in stopped.stderr
    assert stopped.stderr.strip().splitlines()[-1] == (
        f"interrupted; nothing was written to {out}; run {run_id} has all 3 members recorded; "
        f"resume it with {_resume(run_id, _ensemble(store, out))} to write its outputs"
    )
    assert run["status"] == "interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.duckdb", "runs.duckdb.members"]


def test_only_a_stop_within_a_second_of_the_first_is_taken_as_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from channelsim import cli

    clock = iter([10.0, 10.05, 11.2, 11.3])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(cli, "_first_stop", [])
    assert [cli._repeated() for _ in range(4)] == [False, True, False, True]


def _said(stderr: str) -> list[str]:
    """The lines of ``stderr``."""
    return stderr.strip().splitlines()
