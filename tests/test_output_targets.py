"""``--out`` never loses a user's data: every command that writes a folder or a report writes
only a new path, an empty folder, or (with --force) an output channelsim wrote itself; any
other target is one line, exit 2, before any work, and nothing is deleted, changed or left
behind, next to the target or in it."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from channelsim.outputs import MARKER
from conftest import CliResult
from faults import assert_one_line_error, can_mount_tmpfs, cli_on_tmpfs, snapshot
from spreadsheets import make_rows, write_publication

Cli = Callable[..., CliResult]
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A three-day scenario and a small publication, outside the tests' own folders."""
    folder = tmp_path_factory.mktemp("inputs")
    scenario = folder / "short.toml"
    scenario.write_text('name = "short"\nstart = 2025-06-01\nend = 2025-06-03\nseed = 4\n')
    daily, weekly = make_rows(dt.date(2024, 4, 29), 91, seed=2)
    return {"scenario": scenario, "data": write_publication(folder / "pub.ods", daily, weekly)}


def _commands(inputs: dict[str, Path], store: Path) -> dict[str, list[object]]:
    """Every command that writes a folder (or, for report, a file), up to its target."""
    short, data = inputs["scenario"], inputs["data"]
    return {
        "run": ["run", short, "--out"],
        "ensemble": ["run", short, "--runs", 2, "--workers", 1, "--runs-store", store, "--out"],
        "demo": ["demo", "--out"],
        "compare": ["compare", short, short, "--runs", 1, "--runs-store", store, "--out"],
        "sensitivity": [
            "sensitivity", short, "--method", "morris", "--samples", 2,
            "--params", "coast.inflow_people_per_day", "--workers", 1, "--out",
        ],
        "calibrate": [
            "calibrate", "--data", data, "--train", "2024-05-06:2024-06-30", "--budget", 8,
            "--generations", 2, "--executor", "serial", "--out",
        ],
        "validate": [
            "validate", "--posterior", data.parent, "--data", data, "--test", "2024-06:2024-06",
            "--out",
        ],
        "report": ["report", data.parent, "-o"],
    }  # fmt: skip


COMMANDS = ["run", "ensemble", "demo", "compare", "sensitivity", "calibrate", "validate", "report"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's project folder, the current folder, with files of the user's everywhere."""
    project = tmp_path / "project"
    (project / "notes").mkdir(parents=True)
    (project / "analysis.py").write_text("print('mine')\n")
    (project / "notes" / "todo.md").write_text("- check the figures\n")
    monkeypatch.chdir(project)
    return project


def _channelsim_output(folder: Path, *files: str) -> Path:
    """A folder as channelsim leaves it: its files and the marker listing them."""
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text("old output")
    marker = {"written_by": "channelsim", "kind": "run", "written": "2025-01-01T00:00:00"}
    (folder / MARKER).write_text(json.dumps({**marker, "files": list(files)}))
    return folder


def _refused(
    run_cli: Cli,
    inputs: dict[str, Path],
    tmp_path: Path,
    command: str,
    target: object,
    *needles: str,
    force: bool = False,
) -> None:
    """The command is refused with one line holding the needles, and nothing changes anywhere
    (``tmp_path`` holds the project, the results store and any target)."""
    args = _commands(inputs, tmp_path / "runs.duckdb")[command]
    before = snapshot(tmp_path)
    with_force = force and command != "report"  # a report has no --force: nothing to force
    result = run_cli(*args, target, *(["--force"] if with_force else []))
    assert_one_line_error(result, *needles)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_file_is_never_replaced(
    run_cli: Cli, inputs: dict[str, Path], tmp_path: Path, project: Path, command: str
) -> None:
    kept = project / "analysis.py"
    expected = "was not written by channelsim" if command == "report" else "got a file"
    _refused(run_cli, inputs, tmp_path, command, kept, str(kept), expected, force=True)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_of_the_user_s_is_never_written(
    run_cli: Cli, inputs: dict[str, Path], tmp_path: Path, project: Path, command: str
) -> None:
    needles = ("files channelsim did not write (todo.md)",) if command != "report" else ()
    _refused(
        run_cli, inputs, tmp_path, command, project / "notes", str(project / "notes"), *needles
    )
    _refused(run_cli, inputs, tmp_path, command, project / "notes", force=True)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("where", [".", "..", "notes/.."])
def test_the_current_folder_and_those_holding_it_are_never_written(
    run_cli: Cli, inputs: dict[str, Path], tmp_path: Path, project: Path, command: str, where: str
) -> None:
    expected = "expected a folder other than the current one or one that holds it"
    _refused(run_cli, inputs, tmp_path, command, where, expected, force=True)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "report"])
def test_channelsim_s_own_output_needs_force_and_only_its_own_files(
    run_cli: Cli, inputs: dict[str, Path], tmp_path: Path, project: Path, command: str
) -> None:
    old = _channelsim_output(project / "out", "daily.parquet")
    _refused(run_cli, inputs, tmp_path, command, old, "channelsim wrote this folder (run, 2025")
    (old / "mine.csv").write_text("a user's file put in channelsim's folder")
    expected = "also holds other files (mine.csv)"
    _refused(run_cli, inputs, tmp_path, command, old, expected, force=True)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_path_under_a_file_or_a_dangling_link_is_one_line(
    run_cli: Cli, inputs: dict[str, Path], tmp_path: Path, project: Path, command: str
) -> None:
    _refused(run_cli, inputs, tmp_path, command, project / "analysis.py" / "out", "is a file")
    (project / "link").symlink_to(project / "nowhere")
    _refused(run_cli, inputs, tmp_path, command, project / "link", "symbolic link to a missing")


def test_a_new_nested_folder_an_empty_one_and_a_forced_replacement_are_written(
    run_cli: Cli, inputs: dict[str, Path], tmp_path: Path, project: Path
) -> None:
    nested = project / "results" / "june" / "run"
    assert run_cli("run", inputs["scenario"], "--out", nested).exit_code == 0
    marker = json.loads((nested / MARKER).read_text())
    assert marker["kind"] == "run" and marker["written_by"] == "channelsim"
    assert sorted(marker["files"]) == sorted(p.name for p in nested.iterdir() if p.name != MARKER)

    empty = project / "empty"
    empty.mkdir()
    assert run_cli("run", inputs["scenario"], "--out", empty).exit_code == 0
    assert (empty / "daily.parquet").is_file()

    mine = snapshot(project / "notes") | {"analysis.py": (project / "analysis.py").read_bytes()}
    first = (nested / "summary.json").read_bytes()
    again = run_cli("run", inputs["scenario"], "--seed", 9, "--out", nested, "--force")
    assert again.exit_code == 0, again.stderr
    assert (nested / "summary.json").read_bytes() != first  # replaced, by the new seed's run
    assert (
        snapshot(project / "notes") | {"analysis.py": (project / "analysis.py").read_bytes()}
        == mine
    )
    assert [p.name for p in nested.parent.iterdir()] == ["run"]  # no temporary folder left


def test_a_report_goes_into_channelsim_s_folder_which_stays_replaceable(
    run_cli: Cli, inputs: dict[str, Path], project: Path
) -> None:
    out = project / "run"
    assert run_cli("run", inputs["scenario"], "--out", out).exit_code == 0
    report = run_cli("report", out, "-o", out / "report.html")
    assert report.exit_code == 0, report.stderr
    assert "report.html" in json.loads((out / MARKER).read_text())["files"]
    # a report is drawn from results kept elsewhere: channelsim replaces its own freely
    assert '<meta name="generator" content="channelsim">' in (out / "report.html").read_text()
    assert run_cli("report", out, "-o", out / "report.html").exit_code == 0
    assert run_cli("run", inputs["scenario"], "--out", out, "--force").exit_code == 0
    assert not (out / "report.html").exists()


def test_force_refuses_a_file_channelsim_wrote_that_the_user_changed_since(
    run_cli: Cli, inputs: dict[str, Path], project: Path
) -> None:
    """The README's `make demo` flow (an output folder with a report in it, then `--force`)
    silently replaced a file of the folder the user had edited or saved over: `--force`
    replaces only the bytes channelsim wrote, and names the file otherwise."""
    out = project / "run"
    assert run_cli("run", inputs["scenario"], "--out", out).exit_code == 0
    assert run_cli("report", out, "-o", out / "report.html").exit_code == 0
    with (out / "daily.csv").open("a") as handle:
        handle.write("my own figures\n")  # a user's annotations, saved over channelsim's file
    before = snapshot(out)
    result = run_cli("run", inputs["scenario"], "--out", out, "--force")
    assert_one_line_error(result, str(out), "daily.csv changed since", "nothing was replaced")
    assert snapshot(out) == before
    (out / "daily.csv").unlink()  # the user moves it out: the folder is channelsim's again
    (out / "report.html").write_text("<p>my edited report</p>")
    result = run_cli("run", inputs["scenario"], "--out", out, "--force")
    assert_one_line_error(result, "report.html changed since")
    (out / "report.html").unlink()
    assert run_cli("run", inputs["scenario"], "--out", out, "--force").exit_code == 0


def test_force_refuses_a_folder_where_the_user_put_a_symbolic_link(
    run_cli: Cli, inputs: dict[str, Path], project: Path
) -> None:
    """A link put in place of one of channelsim's files (its target a user's file) was
    replaced by `--force` in silence: channelsim writes no link, so a folder holding one is
    not only channelsim's output; the refusal names the option, the folder and the link."""
    out = project / "run"
    assert run_cli("run", inputs["scenario"], "--out", out).exit_code == 0
    (out / "daily.csv").unlink()
    (out / "daily.csv").symlink_to(project / "analysis.py")
    before = snapshot(project)
    result = run_cli("run", inputs["scenario"], "--out", out, "--force")
    line = assert_one_line_error(result, f"{out}: --out:", "daily.csv is now a symbolic link")
    assert "nothing was replaced" in line
    assert snapshot(project) == before
    (out / "daily.csv").unlink()  # the user removes the link: channelsim's folder again
    assert run_cli("run", inputs["scenario"], "--out", out, "--force").exit_code == 0


def test_an_out_that_is_a_symbolic_link_is_refused(
    run_cli: Cli, inputs: dict[str, Path], project: Path
) -> None:
    """`--out link --force`, the link pointing to a folder channelsim wrote, replaced that
    folder through the link, though --force refuses a folder holding a link; a link to a
    new empty folder was written through too. Both are one line, and nothing changes."""
    out = project / "run"
    assert run_cli("run", inputs["scenario"], "--out", out).exit_code == 0
    empty = project / "empty"
    empty.mkdir()
    for target in (out, empty):
        link = project / f"link-to-{target.name}"
        link.symlink_to(target)
        before = snapshot(project)
        result = run_cli("run", inputs["scenario"], "--out", link, "--force")
        assert_one_line_error(
            result, f"{link}: --out: expected a folder, got a symbolic link to {target}: "
            "name that folder itself (channelsim does not write through a link)"
        )  # fmt: skip
        assert snapshot(project) == before
    assert run_cli("run", inputs["scenario"], "--out", out, "--force").exit_code == 0


def test_a_report_the_user_edited_is_never_replaced_wherever_it_is(
    run_cli: Cli, inputs: dict[str, Path], project: Path
) -> None:
    """`report -o` replaced a report the user had edited, with or without --force (and so did
    the Makefile's demo report step): it took any file naming channelsim as its generator for
    its own. It replaces only the bytes it wrote (their SHA-256), in its folder or elsewhere."""
    out = project / "run"
    assert run_cli("run", inputs["scenario"], "--out", out).exit_code == 0
    for report in (out / "report.html", project / "report.html"):
        assert run_cli("report", out, "-o", report).exit_code == 0
        assert run_cli("report", out, "-o", report).exit_code == 0  # its own, unchanged
        text = report.read_text()
        report.write_text(text.replace("</head>", "<!-- my note --></head>", 1))
        before = snapshot(project)
        for force in ([], ["--force"]):
            result = run_cli("report", out, "-o", report, *force)
            assert_one_line_error(
                result, str(report), "-o/--out", "changed since", "nothing was replaced"
            )
            assert snapshot(project) == before
        report.unlink()


def test_report_never_writes_over_a_run_folder_s_own_data_files(
    run_cli: Cli, inputs: dict[str, Path], project: Path
) -> None:
    """`report DIR -o DIR/results.json` (now columns.json) wrote the HTML report over the
    run's column dictionary, exit 0: the folder's marker records it unchanged, and that was
    taken for a report of channelsim's. Only a report is ever replaced; the run's data files
    are refused."""
    out = project / "run"
    assert run_cli("run", inputs["scenario"], "--out", out).exit_code == 0
    for name in ("columns.json", "daily.csv"):
        assert (out / name).is_file()
        before = snapshot(project)
        for force in ([], ["--force"]):
            result = run_cli("report", out, "-o", out / name, *force)
            assert_one_line_error(result, str(out / name), "-o/--out", "left untouched")
            assert snapshot(project) == before


def test_a_failed_write_leaves_nothing_and_a_killed_one_is_tidied_next_time(
    run_cli: Cli, inputs: dict[str, Path], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import pandas as pd
    import pyarrow.parquet as pq

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    target = project / "new" / "deeper" / "out"
    with monkeypatch.context() as patch:  # a run writes its tables with pyarrow directly
        patch.setattr(pd.DataFrame, "to_parquet", full_disk)
        patch.setattr(pq, "write_table", full_disk)
        failed = run_cli("run", inputs["scenario"], "--out", target)
    assert_one_line_error(failed, str(target), "--out: cannot write the output: the disk is full")
    assert not (project / "new").exists()  # the folders it created went with it

    stale = project / f".out.channelsim-tmp.{2**22 + 12345}.abcd1234"  # no such process
    stale.mkdir()
    (stale / "daily.parquet").write_text("half written")
    assert run_cli("run", inputs["scenario"], "--out", project / "out").exit_code == 0
    assert not stale.exists()
    assert sorted(p.name for p in project.iterdir()) == ["analysis.py", "notes", "out"]


def test_a_folder_written_by_a_running_process_is_not_taken_for_stale(
    run_cli: Cli, inputs: dict[str, Path], project: Path
) -> None:
    busy = project / f".out.channelsim-tmp.{os.getpid()}.abcd1234"
    busy.mkdir()
    assert run_cli("run", inputs["scenario"], "--out", project / "out").exit_code == 0
    assert busy.is_dir()


# -- the environment: read-only, full, a file-size limit -------------------------------------

needs_tmpfs = pytest.mark.skipif(
    not can_mount_tmpfs(), reason="needs unshare -rm to mount a private tmpfs"
)


def _ensemble_into(mount_point: Path, tmp_path: Path) -> list[object]:
    """A 50-member ensemble (a minute of work) writing into the tmpfs; its store outside."""
    return [
        "run", SCENARIO, "--runs", 50, "--workers", 1, "--runs-store", tmp_path / "runs.duckdb",
        "--out", mount_point / "out",
    ]  # fmt: skip


@needs_tmpfs
@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"read_only": True}, "cannot write in {mnt}: the file system is read-only"),
        ({"fill_kb": 1024, "size": "1m"}, "cannot write in {mnt}: the disk is full"),
        ({"size": "4m"}, "about 16.0 MB of room, but the disk holding {mnt} has 4.0 MB free"),
    ],
    ids=["read-only", "full", "too-small"],
)
def test_an_unwritable_target_is_refused_before_the_ensemble_runs(
    tmp_path: Path, environment: dict[str, object], expected: str
) -> None:
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    [code], said, left = cli_on_tmpfs(
        mount_point, *_ensemble_into(mount_point, tmp_path), **environment
    )
    assert code == 2 and said == f"error: {mount_point / 'out'}: --out: " + expected.format(
        mnt=mount_point
    ), said
    assert left == (["filler"] if environment.get("fill_kb") else [])
    assert not (tmp_path / "runs.duckdb").exists()  # refused before the run began


@needs_tmpfs
def test_a_forecast_on_a_full_disk_is_refused_before_it_runs(tmp_path: Path) -> None:
    """It ran the ensemble, then said only 'error: the disk is full' (s11 trial F11). The
    posterior given is no posterior: the --out check comes first."""
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    scenario = Path(__file__).resolve().parents[1] / "forecasts" / "2026-05-29-scenario.toml"
    out = mount_point / "fc.json"
    [code], said, left = cli_on_tmpfs(
        mount_point, "forecast", scenario, "--posterior", tmp_path, "--from", "2026-05-29",
        "--out", out, fill_kb=1024, size="1m",
    )  # fmt: skip
    assert code == 2
    assert said == f"error: {out}: --out: cannot write in {mount_point}: the disk is full"
    assert left == ["filler"]


def test_a_file_size_limit_is_refused_before_the_ensemble_runs(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    from faults import CLI

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))

    done = subprocess.run(
        [sys.executable, "-c", CLI, *map(str, _ensemble_into(tmp_path, tmp_path))],
        capture_output=True,
        text=True,
        preexec_fn=limit_files,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"error: {tmp_path / 'out'}: --out: files of up to about 16.0 MB, but the file-size "
        "limit (ulimit -f) is 1.0 MB"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_folder_another_command_wrote_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    """Two commands writing the same new folder: the later one is refused, not a replacement."""
    from channelsim.errors import InputError
    from channelsim.outputs import output_folder, write_output_folder

    target = tmp_path / "out"
    checked = output_folder(target)  # both commands found the target new

    def fill(folder: Path) -> None:
        (folder / "second.json").write_text("{}")
        write_output_folder(target, lambda f: (f / "first.json").write_text("{}"), kind="run")

    with pytest.raises(InputError, match="add --force to replace it"):
        write_output_folder(checked, fill, kind="run")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "first.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left


def test_a_folder_of_the_user_s_is_refused_on_its_top_level_without_walking_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out ~` must not walk the whole home folder before refusing it."""
    import channelsim.outputs as outputs

    home = tmp_path / "home"
    (home / "photos" / "2024" / "june").mkdir(parents=True)
    (home / "notes.txt").write_text("mine")

    def walked(folder: Path) -> list[str]:
        raise AssertionError(f"walked {folder}")

    monkeypatch.setattr(outputs, "_entries", walked)
    with pytest.raises(outputs.InputError, match=r"did not write \(notes\.txt, photos\)"):
        outputs.output_folder(home)


@pytest.fixture(scope="module")
def warm_kernels() -> None:
    """The one-month run once without a file-size limit, so that its compiled kernels are
    cached: under the limit they compile in the process and are not cached (the cache's
    files are larger than the limit), a minute or more each time with a cold cache."""
    import subprocess
    import sys

    from faults import CLI

    subprocess.run(
        [sys.executable, "-c", CLI, "run", str(SCENARIO), "--to", "2025-01-31",
         "--format", "json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600, check=True,
        env={**os.environ, "CHANNELSIM_ENGINE": "off"},
    )  # fmt: skip


@pytest.mark.usefixtures("warm_kernels")
@pytest.mark.parametrize(
    ("fmt", "unbuffered"), [("json", ""), ("csv", ""), ("table", ""), ("table", "1")]
)
def test_output_cut_short_by_a_file_size_limit_is_an_error_not_exit_0(
    tmp_path: Path, fmt: str, unbuffered: str
) -> None:
    """Python's buffered stdout dropped the rest of a write the system cut short: under
    `ulimit -f`, `run --format json > file` kept the first bytes and exited 0, silently; the
    table (through the console) did so still in s15, with or without PYTHONUNBUFFERED."""
    import resource
    import subprocess
    import sys

    from faults import CLI

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    target = tmp_path / f"out.{fmt}"
    with target.open("wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-c", CLI, "run", str(SCENARIO), "--to", "2025-01-31",
             "--format", fmt],
            stdout=stdout, stderr=subprocess.PIPE, text=True, preexec_fn=limit_files,
            timeout=120,
            env={**os.environ, "CHANNELSIM_ENGINE": "off", "PYTHONUNBUFFERED": unbuffered},
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "standard output: the file is larger than allowed" in done.stderr, done.stderr


@pytest.mark.usefixtures("warm_kernels")
def test_a_closed_standard_output_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    from faults import CLI

    done = subprocess.run(
        [sys.executable, "-c", CLI, "run", str(SCENARIO), "--to", "2025-01-31",
         "--format", "json"],
        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
        preexec_fn=lambda: os.close(1), env={**os.environ, "CHANNELSIM_ENGINE": "off"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.timeout(60)
def test_a_report_onto_a_device_or_a_named_pipe_is_refused_without_reading_it(
    run_cli: Cli, inputs: dict[str, Path], tmp_path: Path
) -> None:
    """s15 breaker K9/K10: `report -o /dev/full` read the device to look for channelsim's
    checksum, to 20 GB and the out-of-memory killer; onto a named pipe it waited for ever.
    Neither is opened now (/dev/null stands in for the devices: reading it ends at once, so
    the old code refused it as a file of the user's)."""
    pipe = tmp_path / "report.fifo"
    os.mkfifo(pipe)
    for target, kind in ((pipe, "a named pipe"), (Path(os.devnull), "a device or socket")):
        result = run_cli("report", inputs["data"].parent, "-o", target)
        assert_one_line_error(result, f"{target}: -o/--out: expected a file to write, got {kind}")
