"""`channelsim run --runs N`: ensembles through the CLI, the same whatever the executor."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from channelsim.engine import load_scenario
from channelsim.experiments import member_seed, run_scenario_ensemble
from channelsim.reports.inputs import load_folder
from channelsim.runstore import RunStore
from channelsim.scenario import with_run_options
from conftest import CliResult

pytest.importorskip("distributed")

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"
JUNE = ("--from", "2025-06-01", "--to", "2025-06-30")
RUNS = 4
SEED = 7
TIMING = ("elapsed_s", "run_id", "out")  # differ from run to run by design

Cli = Callable[..., CliResult]


def _said(stderr: str) -> list[str]:
    """The lines of ``stderr``."""
    return stderr.strip().splitlines()


@pytest.fixture(scope="module")
def posterior_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small posterior folder as `channelsim calibrate` writes it: three weighted particles."""
    folder = tmp_path_factory.mktemp("posterior")
    pd.DataFrame(
        {
            "weight": [0.2, 0.5, 0.3],
            "coast.inflow_people_per_day": [80.0, 150.0, 240.0],
            "networks.mean_occupancy_people": [72.0, 84.0, 98.0],
        }
    ).to_parquet(folder / "posterior.parquet", index=False)
    (folder / "posterior.toml").write_text(
        "[calibration]\ntrain_from = 2024-01-01\ntrain_to = 2024-12-31\n"
        'weather = "stochastic"\n\n[parameters]\n'
        'names = ["coast.inflow_people_per_day", "networks.mean_occupancy_people"]\n'
    )
    return folder


def _ensemble(cli: Cli, tmp_path: Path, label: str, *extra: object) -> dict[str, Any]:
    """Run the June ensemble through the CLI into its own store and output folder."""
    done = cli(
        "run", SCENARIO, *JUNE, "--runs", RUNS, "--seed", SEED, "--format", "json",
        "--runs-store", tmp_path / f"{label}.duckdb", "--out", tmp_path / label, *extra,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def _numbers(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in TIMING}


def _assert_same_outputs(a: Path, b: Path) -> None:
    for table in ("members", "daily", "boats", "totals", "by_month"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(a / f"{table}.parquet"), pd.read_parquet(b / f"{table}.parquet")
        )


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The reference: the same ensemble run serially in this process."""
    scenario = with_run_options(  # as the command line's --from and --to set it
        load_scenario(SCENARIO), start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30)
    )
    ensemble = run_scenario_ensemble(scenario, RUNS, SEED, executor="serial", progress=False)
    ensemble.write(tmp_path_factory.mktemp("serial") / "out")
    return ensemble.to_json_dict()


def test_processes_and_dask_match_serial_bit_for_bit(
    run_cli: Cli, tmp_path: Path, scheduler: str, serial: dict[str, Any]
) -> None:
    one = _ensemble(run_cli, tmp_path, "one", "--workers", 1)
    two = _ensemble(run_cli, tmp_path, "two", "--workers", 2)
    dask = _ensemble(run_cli, tmp_path, "dask", "--scheduler", scheduler)
    for payload in (one, two, dask):
        assert _numbers(payload) == _numbers(serial)
    _assert_same_outputs(tmp_path / "one", tmp_path / "two")
    _assert_same_outputs(tmp_path / "one", tmp_path / "dask")
    with RunStore(tmp_path / "dask.duckdb") as store:
        [run] = store.list_runs()
    assert run["run_id"] == dask["run_id"] and run["status"] == "done"
    assert run["kind"] == "run" and run["n_done"] == RUNS and run["base_seed"] == SEED


def test_aggregates_are_medians_and_intervals_of_the_members(serial: dict[str, Any]) -> None:
    assert serial["runs"] == RUNS and serial["seed"] == SEED
    assert serial["quantiles"] == {"low": 0.05, "high": 0.95}
    arrived = serial["totals"]["arrived_people"]
    assert set(arrived) == {"median", "low", "high", "mean"}
    assert (
        arrived["low"] <= arrived["median"] <= arrived["high"] and arrived["low"] < arrived["high"]
    )
    [june] = serial["by_month"]
    assert june["month"] == "2025-06"
    assert [row["year"] for row in serial["by_year"]] == [2025]
    # one month: the month's interval is the period's
    assert june["arrived_people"] == serial["by_year"][0]["arrived_people"]


def test_one_member_ensemble_equals_the_single_run_of_its_seed(
    run_cli: Cli, tmp_path: Path, scheduler: str
) -> None:
    """Members are seeded member_seed(base, rep): rep 0 is the single run with that seed."""
    single = run_cli(
        "run", SCENARIO, "--from", "2025-06-20", "--to", "2025-07-10",
        "--seed", member_seed(SEED, 0), "--format", "json",
    )  # fmt: skip
    assert single.exit_code == 0, single.stderr
    one = run_cli(
        "run", SCENARIO, "--from", "2025-06-20", "--to", "2025-07-10", "--runs", 1,
        "--seed", SEED, "--scheduler", scheduler, "--format", "json",
        "--runs-store", tmp_path / "runs.duckdb",
    )  # fmt: skip
    assert one.exit_code == 0, one.stderr
    expected, got = json.loads(single.stdout), json.loads(one.stdout)
    for figure, value in expected["totals"].items():
        assert got["totals"][figure] == {
            "median": value,
            "low": value,
            "high": value,
            "mean": value,
        }
    assert [r["month"] for r in got["by_month"]] == ["2025-06", "2025-07"]
    for mine, theirs in zip(got["by_month"], expected["by_month"], strict=True):
        for figure, value in theirs.items():
            if figure != "month":
                assert mine[figure]["median"] == value, (theirs["month"], figure)


def test_posterior_draws_are_reproducible_and_applied(posterior_dir: Path, tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO).with_changes(start="2025-06-01", end="2025-06-14")

    def ensemble(seed: int) -> Any:
        return run_scenario_ensemble(
            scenario, 6, seed, posterior=posterior_dir, executor="serial", progress=False
        )

    first, again, other = ensemble(3), ensemble(3), ensemble(4)
    draws = first.draws_table()
    assert draws is not None and list(draws["rep"]) == list(range(6))
    assert (draws["draw"] == draws["rep"]).all()
    particles = pd.read_parquet(posterior_dir / "posterior.parquet")
    inflows = set(particles["coast.inflow_people_per_day"])
    assert set(draws["coast.inflow_people_per_day"]) <= inflows
    assert len(set(draws["coast.inflow_people_per_day"])) > 1
    assert first.to_json_dict()["totals"] == again.to_json_dict()["totals"]
    assert first.result.totals().equals(again.result.totals())
    # a member's people arriving on the coast follow its drawn inflow
    members = first.result.totals().merge(draws, on=["draw", "rep"])
    by_inflow = members.groupby("coast.inflow_people_per_day")["inflow_people"].mean()
    assert by_inflow.is_monotonic_increasing
    assert other.draws_table() is not None
    assert not first.result.totals().equals(other.result.totals())
    assert first.write(tmp_path / "out").joinpath("draws.parquet").is_file()


def test_out_folder_is_what_the_report_reads(run_cli: Cli, tmp_path: Path, scheduler: str) -> None:
    out = tmp_path / "ens"
    payload = _ensemble(run_cli, tmp_path, "ens", "--scheduler", scheduler)
    assert payload["out"] == str(out.resolve())
    found = load_folder(out)
    assert found.daily is not None and found.boats is not None and found.comparison is None
    assert found.daily["member"].nunique() == RUNS
    assert len(found.daily) == RUNS * 30
    assert found.details["scenario"] == "status-quo-2025" and found.details["seed"] == SEED
    assert (out / "columns.json").is_file() and not (out / "results.json").exists()  # as README
    summary = json.loads((out / "summary.json").read_text())
    assert summary.pop("map_run")["rep"] in range(RUNS)  # the run the map draws (no map here)
    assert _numbers(summary) == _numbers(payload)
    totals = pd.read_parquet(out / "totals.parquet").set_index("figure")
    assert totals.loc["arrived_people", "median"] == payload["totals"]["arrived_people"]["median"]
    members = pd.read_parquet(out / "members.parquet")
    assert members["arrived_people"].median() == payload["totals"]["arrived_people"]["median"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_scheduler_is_one_line_and_writes_nothing(run_cli: Cli, tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    done = run_cli(
        "run", SCENARIO, *JUNE, "--runs", 2, "--scheduler", address,
        "--runs-store", tmp_path / "runs.duckdb", "--out", tmp_path / "out",
    )  # fmt: skip
    assert done.exit_code == 2
    assert address in done.stderr and len(_said(done.stderr)) == 1
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--posterior", "post"), "--posterior"),
        (("--resume", "latest"), "--resume"),
        (("--workers", "2"), "--workers"),
        (("--runs", "0"), "--runs"),
        (("--runs", "2", "--workers", "1", "--scheduler", "tcp://127.0.0.1:1"), "--workers"),
    ],
)
def test_ensemble_options_are_checked_before_anything_runs(
    run_cli: Cli, tmp_path: Path, args: tuple[str, ...], option: str
) -> None:
    done = run_cli("run", SCENARIO, *JUNE, *args, "--out", tmp_path / "out")
    assert done.exit_code == 2 and option in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_posterior_names_the_file(run_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "post"
    folder.mkdir()
    done = run_cli(
        "run", SCENARIO, *JUNE, "--runs", 2, "--posterior", folder,
        "--runs-store", tmp_path / "runs.duckdb",
    )  # fmt: skip
    assert done.exit_code == 2
    assert "posterior.toml" in done.stderr and len(_said(done.stderr)) == 1
    assert not (tmp_path / "runs.duckdb").exists()


@pytest.mark.parametrize("runs", [1, 2])
def test_run_csv_ends_every_row_with_its_source(run_cli: Cli, tmp_path: Path, runs: int) -> None:
    """`run --format csv` had no credit, unlike `data summary` and `data brief`, whose
    rows end with a ``source`` field: every row names the model, its version and licence,
    the scenario and the seed."""
    import csv
    import io

    done = run_cli(
        "run", SCENARIO, "--from", "2025-06-01", "--to", "2025-06-05", "--runs", runs,
        "--workers", 1, "--format", "csv", "--runs-store", tmp_path / "runs.duckdb",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and list(rows[0])[-1] == "Source"
    # headed as a comparison's columns are: what each statistic is, the unit beside it
    stats = [  # --runs 1 is an ensemble of one
        "Total over the period: median",
        "Total over the period: low (5%)",
        "Total over the period: high (95%)",
        "Total over the period: mean",
    ]
    assert list(rows[0]) == ["Figure", "Label", "Unit", *stats, "Source"]
    sources = {row["Source"] for row in rows}
    assert len(sources) == 1
    [source] = sources
    assert source.startswith("Simulated with channelsim ") and "MIT licence" in source
    assert "scenario status-quo-2025, seed 2025" in source


def test_a_run_s_headline_sets_its_figures_against_the_observed_ones_of_its_period(
    run_cli: Cli, tmp_path: Path
) -> None:
    """`run status-quo-2025 --runs 50` said "about 36,000 people arrived" where the report of
    the same run said "against 41,472 observed, outside the interval": the terminal says it
    too when the data (here the bundled 2025 figures: the store is empty) cover the whole
    period, and credits them; a part of a year is not set against anything."""
    done = run_cli(
        "run", SCENARIO, "--runs", 2, "--workers", 1, "--runs-store", tmp_path / "runs.duckdb"
    )
    assert done.exit_code == 0, done.stderr
    said = " ".join(done.stdout.split())
    assert "people arrived in the UK (90% interval: " in said
    assert "against 41,472 observed" in said and "Open Government Licence v3.0" in said
    assert "people stopped on the beach" in said and "should lie below it" in said
    june = run_cli(
        "run", SCENARIO, "--from", "2025-06-01", "--to", "2025-06-30", "--runs", 2,
        "--workers", 1, "--runs-store", tmp_path / "runs.duckdb",
    )  # fmt: skip
    assert june.exit_code == 0 and "observed" not in june.stdout


WINTER = ("2024-11-20", "2025-02-10")  # two years, four months


def test_an_ensemble_that_keeps_no_days_gives_the_same_figures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``run --runs N`` without ``--out`` reduces members' days to their values by year and
    month as they arrive (in batches, here of 3 members: 7 members are two batches and one
    reduced at the end) and keeps none: the same figures, bit for bit, as from every member's
    days at once, and no member's table held."""
    from channelsim.experiments import runs

    monkeypatch.setattr(runs, "DAYS_BATCH", 3)
    scenario = load_scenario(SCENARIO).with_changes(start=WINTER[0], end=WINTER[1])
    kept = run_scenario_ensemble(scenario, 7, SEED, executor="serial", progress=False)
    slim = run_scenario_ensemble(
        scenario, 7, SEED, executor="serial", progress=False, keep_days=False
    )
    assert _numbers(slim.to_json_dict()) == _numbers(kept.to_json_dict())
    assert [row["month"] for row in slim.to_json_dict()["by_month"]] == [
        "2024-11", "2024-12", "2025-01", "2025-02"
    ]  # fmt: skip
    assert all(not output.tables for output in slim.result.outputs)
    with pytest.raises(ValueError, match="kept no member's days"):
        slim.daily  # noqa: B018 - the property raises


def test_period_values_of_members_read_back_from_the_store_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resumed ensemble's members read back from the store (tables as DataFrames) are
    reduced with those that arrived (as columns): the same values as all members' columns at
    once."""
    from channelsim.experiments import runs

    monkeypatch.setattr(runs, "DAYS_BATCH", 2)
    scenario = load_scenario(SCENARIO).with_changes(start=WINTER[0], end=WINTER[1])
    ensemble = run_scenario_ensemble(scenario, 5, SEED, executor="serial", progress=False)
    outputs = ensemble.result.outputs
    expected = {
        period: runs.period_values(*runs.days_of(outputs), period, ensemble.results)
        for period in runs.PERIODS
    }
    periods = runs.PeriodValues(ensemble.results)
    for position in (0, 2):  # arrived, as columns: one batch of two
        assert not periods.keep(position, outputs[position]).tables
    read_back = [output if i in (0, 2) else output.framed() for i, output in enumerate(outputs)]
    assert all(not read_back[i].columns for i in (1, 3, 4))  # DataFrames now
    for period in runs.PERIODS:
        labels, figures, table = periods.table(period, read_back)
        assert (labels, figures) == expected[period][:2]
        assert table.tobytes() == expected[period][2].tobytes()
