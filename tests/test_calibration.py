"""Calibration: targets and discrepancy, ABC-SMC on a tiny budget, posterior files, CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from channelsim.errors import InputError
from channelsim.experiments.calibrate import (
    POSTERIOR_FILE,
    REPORT_JSON,
    REPORT_MD,
    SUMMARY_FILE,
    CalibrationConfig,
    Case,
    base_scenario,
    calibrate,
    defaults_toml,
    priors,
    read_posterior,
    run_case,
    write_calibration,
)
from channelsim.experiments.targets import (
    Observed,
    Period,
    Targets,
    load_observed,
    observed_series,
    parse_period,
    summary_statistics,
)
from channelsim.params import Params, apply_overrides, calibration_defaults_path
from conftest import CliResult
from spreadsheets import make_rows, write_publication

START = dt.date(2024, 4, 29)
DAYS = 91  # to Sunday 28 July 2024


def _observed(seed: int = 0, days: int = DAYS) -> Observed:
    daily_rows, weekly_rows = make_rows(START, days, seed)
    daily = pd.DataFrame(
        {
            "date": pd.to_datetime([r[0] for r in daily_rows]),
            "people": [r[1] for r in daily_rows],
            "boats": [r[2] for r in daily_rows],
        }
    )
    weekly = pd.DataFrame(
        {
            "week_ending": pd.to_datetime([r[0] for r in weekly_rows]),
            "people": [r[1] for r in weekly_rows],
            "boats": [r[2] for r in weekly_rows],
            "prevented_people": pd.array(
                [None if r[4] == "-" else r[4] for r in weekly_rows], dtype="Int64"
            ),
            "prevented_events": pd.array(
                [None if r[5] == "-" else r[5] for r in weekly_rows], dtype="Int64"
            ),
        }
    )
    return Observed(daily=daily, weekly=weekly, editions=())


def _as_simulation(observed: Observed, people_factor: float = 1.0) -> pd.DataFrame:
    """A 'simulated' daily table built from the observed series (prevention on Sundays)."""
    daily = observed.daily
    prevented = observed.weekly.set_index("week_ending")[["prevented_people", "prevented_events"]]
    prevented = prevented.astype(float).fillna(0).reindex(daily["date"]).fillna(0)
    return pd.DataFrame(
        {
            "date": daily["date"].dt.date,
            "arrived_people": np.rint(daily["people"] * people_factor).astype(np.int64),
            "arrived_boats": daily["boats"].astype(np.int64),
            "prevented_people": prevented["prevented_people"].to_numpy(np.int64),
            "prevented_events": prevented["prevented_events"].to_numpy(np.int64),
            "dead_or_missing_people": np.zeros(len(daily), dtype=np.int64),
        }
    )


# -- periods and data ------------------------------------------------------------------------


def test_parse_period_accepts_years_months_and_days() -> None:
    assert parse_period("2022:2024") == Period(dt.date(2022, 1, 1), dt.date(2024, 12, 31))
    assert parse_period("2024-02:2024-02") == Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert parse_period("2025-01-05:2025-03-01").days == 56


@pytest.mark.parametrize("text", ["2022", "2024:2022", "2022-13:2023", "x:y", "2022:"])
def test_parse_period_rejects_bad_text_in_one_line(text: str) -> None:
    with pytest.raises(InputError, match="--train") as error:
        parse_period(text)
    assert "\n" not in str(error.value)


def test_load_observed_merges_editions_later_wins(tmp_path: Path) -> None:
    daily, weekly = make_rows(START, 28, seed=1)
    early = write_publication(tmp_path / "27_May_2024_x.ods", daily, weekly)  # days to 26 May
    daily[3] = [daily[3][0], daily[3][1] + 7, daily[3][2], daily[3][3], "Revised"]
    sunday = next(i for i, row in enumerate(weekly) if row[0] >= daily[3][0])
    weekly[sunday] = [weekly[sunday][0], weekly[sunday][1] + 7, *weekly[sunday][2:]]
    late = write_publication(tmp_path / "3_June_2024_x.ods", daily, weekly)  # a later revision
    observed = load_observed([late, early])
    assert [e.file for e in observed.editions] == [early.name, late.name]
    assert int(observed.daily["people"].iloc[3]) == daily[3][1]
    assert observed.clip(Period(dt.date(2020, 1, 1), dt.date(2030, 1, 1)), "--train") == Period(
        START, START + dt.timedelta(days=27)
    )
    with pytest.raises(InputError, match="inside the data"):
        observed.clip(Period(dt.date(2020, 1, 1), dt.date(2020, 12, 31)), "--train")


# -- statistics and discrepancy --------------------------------------------------------------


def test_statistics_of_a_crafted_series() -> None:
    dates = pd.date_range("2024-01-29", periods=8, freq="D")  # Mon 29 Jan .. Mon 5 Feb
    people = [0, 10, 20, 0, 0, 0, 30, 0]
    observed = Observed(
        daily=pd.DataFrame({"date": dates, "people": people, "boats": [p // 10 for p in people]}),
        weekly=pd.DataFrame(
            {
                "week_ending": [pd.Timestamp("2024-02-04")],
                "people": [60],
                "boats": [6],
                "prevented_people": pd.array([None], dtype="Int64"),
                "prevented_events": pd.array([None], dtype="Int64"),
            }
        ),
        editions=(),
    )
    stats = summary_statistics(observed_series(observed, Period(dates[0].date(), dates[-1].date())))
    assert stats["crossing_runs_days"] == pytest.approx([1.5, 5 / 3])  # runs 2, 1; gaps 1, 3, 1
    share = stats["crossing_day_share_by_month"]
    assert share[0] == pytest.approx(2 / 3) and share[1] == pytest.approx(1 / 5)
    assert np.isnan(share[2:]).all()
    assert stats["monthly_people"].tolist() == [30.0, 30.0]
    assert stats["people_per_boat_by_year"].tolist() == [10.0]
    assert stats["people_per_crossing_day"][2] == pytest.approx(20.0)
    assert stats["prevented_people_monthly"].size == 0


def test_exact_match_scores_zero_and_worse_fits_score_more() -> None:
    observed = _observed()
    period = Period(START, START + dt.timedelta(days=DAYS - 1))
    targets = Targets.build(observed_series(observed, period))
    assert set(targets.per_target(targets.statistics).values()) == {0.0}
    assert "prevented_people_monthly" in targets.names
    exact, parts, _ = targets.score(_as_simulation(observed))
    # deaths are the only target a copy of the arrivals cannot match (no deaths in it)
    assert {k for k, v in parts.items() if v > 0} == {"deaths_by_year"}
    near, _, _ = targets.score(_as_simulation(observed, 1.1))
    far, far_parts, _ = targets.score(_as_simulation(observed, 2.0))
    assert exact < near < far
    assert far_parts["annual_people"] > 0 and far_parts["crossing_day_share_by_month"] == 0


def test_replay_adds_weekly_people_and_weights_change_the_total() -> None:
    observed = observed_series(_observed(), Period(START, START + dt.timedelta(days=DAYS - 1)))
    stochastic = Targets.build(observed)
    replay = Targets.build(observed, names=[*stochastic.names, "weekly_people"])
    assert "weekly_people" not in stochastic.names and "weekly_people" in replay.names
    parts = dict.fromkeys(stochastic.names, 0.0) | {"annual_people": 4.0}
    heavy = Targets.build(observed, weights={"annual_people": 3.0})
    assert heavy.discrepancy(parts) > stochastic.discrepancy(parts) > 0
    with pytest.raises(InputError, match="targets"):
        Targets.build(observed, names=["nonsense"])


# -- ABC-SMC and the posterior folder ---------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_calibration(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    config = CalibrationConfig(
        train=Period(dt.date(2024, 5, 6), dt.date(2024, 6, 30)), budget=16, generations=2, seed=3
    )
    result = calibrate(_observed(), config, executor="serial", progress=False)
    folder = write_calibration(result, tmp_path_factory.mktemp("cal") / "posterior")
    return result, folder


def test_abc_smc_posterior_is_a_weighted_sample_of_the_last_generation(
    tiny_calibration: tuple[object, Path],
) -> None:
    result, _ = tiny_calibration
    trials, posterior = result.trials, result.posterior  # type: ignore[attr-defined]
    assert len(trials) == 16 and set(trials["generation"]) == {0, 1}
    last = trials[(trials["generation"] == 1) & trials["accepted"]]
    assert len(posterior) == len(last) >= 2
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert (posterior["discrepancy"] <= result.tolerances[-1]).all()  # type: ignore[attr-defined]
    assert result.tolerances[1] <= result.tolerances[0]  # type: ignore[attr-defined]
    for prior in priors():
        assert posterior[prior.path].between(prior.low, prior.high).all()


def test_calibration_is_bit_identical_for_a_seed_serial_or_parallel() -> None:
    config = CalibrationConfig(
        train=Period(dt.date(2024, 5, 6), dt.date(2024, 5, 26)), budget=8, generations=2, seed=5
    )
    first = calibrate(_observed(), config, executor="serial", progress=False)
    second = calibrate(_observed(), config, executor="processes", workers=2, progress=False)
    pd.testing.assert_frame_equal(first.trials, second.trials)  # whatever the executor


def test_posterior_folder_round_trip(tiny_calibration: tuple[object, Path]) -> None:
    result, folder = tiny_calibration
    for name in (POSTERIOR_FILE, SUMMARY_FILE, REPORT_MD, REPORT_JSON):
        assert (folder / name).is_file()
    posterior = read_posterior(folder)
    expected = result.posterior[["weight", *posterior.parameters]]  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(posterior.table, expected.reset_index(drop=True))
    assert posterior.train == Period(dt.date(2024, 5, 6), dt.date(2024, 6, 30))
    assert posterior.summary["calibration"]["seed"] == 3
    draws = posterior.draws(5, seed=1)
    assert len(draws) == 5 and isinstance(draws[0]["beach.groups_per_boat"], int)
    median = posterior.median()
    assert "groups_per_boat = " in defaults_toml(posterior)
    assert isinstance(median["coast.initial_waiting_people"], int)
    report = json.loads((folder / REPORT_JSON).read_text())
    assert {row["parameter"] for row in report["parameters"]} == set(posterior.parameters)


def _broken(folder: Path, tmp_path: Path, damage: str) -> Path:

    target = tmp_path / "broken"
    shutil.copytree(folder, target)
    summary, table = target / SUMMARY_FILE, target / POSTERIOR_FILE
    if damage == "no summary":
        summary.unlink()
    elif damage == "bad toml":
        summary.write_text("[calibration\n")
    elif damage == "no names":
        summary.write_text(summary.read_text().replace("names = [", "nomen = ["))
    elif damage == "no table":
        table.unlink()
    elif damage == "not parquet":
        table.write_text("particle,weight\n")
    else:
        frame = pd.read_parquet(table)
        if damage == "missing column":
            frame = frame.drop(columns=["coast.inflow_people_per_day"])
        elif damage == "negative weight":
            frame.loc[0, "weight"] = -1.0
        elif damage == "out of range":
            frame.loc[1, "beach.prevention_probability"] = 1.5
        elif damage == "every particle twice":
            frame = pd.concat([frame, frame])
        elif damage == "weights as text":
            frame["weight"] = frame["weight"].astype(str)
        elif damage == "no rows":
            frame = frame.iloc[:0]

        frame.to_parquet(table)
    return target


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("no summary", "posterior.toml: file not found"),
        ("bad toml", "posterior.toml: invalid TOML"),
        ("no names", "parameters.names"),
        ("no table", "posterior.parquet: file not found"),
        ("not parquet", "expected a Parquet table"),
        ("missing column", "column 'coast.inflow_people_per_day'"),
        ("negative weight", "column 'weight'"),
        ("out of range", "row 2, column 'beach.prevention_probability': expected a number ≤ 1"),
        ("every particle twice", "column 'particle': expected each particle once, got "),
        ("weights as text", "column 'weight': expected numbers, got text"),
        ("no rows", "posterior.parquet: expected at least one particle (row), got none"),
    ],
)
def test_bad_posterior_folders_fail_in_one_line(
    tiny_calibration: tuple[object, Path], tmp_path: Path, damage: str, message: str
) -> None:
    _, folder = tiny_calibration
    with pytest.raises(InputError) as error:
        read_posterior(_broken(folder, tmp_path, damage))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_config_rejects_bad_values() -> None:
    period = Period(dt.date(2024, 5, 6), dt.date(2024, 6, 30))
    with pytest.raises(InputError, match="--budget"):
        CalibrationConfig(train=period, budget=3)
    with pytest.raises(InputError, match="--weather"):
        CalibrationConfig(train=period, weather="sunny")


# -- the command line ------------------------------------------------------------------------


def test_calibrate_cli_end_to_end(run_cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """A calibration from the command line; ``--write-defaults`` puts the posterior medians
    as defaults into its own folder and never touches the package's file (a two-particle
    toy calibration once replaced it, and every later run of every scenario changed)."""
    daily, weekly = make_rows(START, DAYS, seed=2)
    data = write_publication(tmp_path / "pub.ods", daily, weekly)
    out = tmp_path / "post"
    shipped = calibration_defaults_path()
    assert shipped is not None
    before = hashlib.sha256(shipped.read_bytes()).hexdigest()
    result = run_cli(
        "calibrate", "--data", data, "--train", "2024-05-06:2024-06-30", "--budget", 8,
        "--generations", 2, "--executor", "serial", "--out", out, "--format", "json",
        "--write-defaults",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == before
    payload = json.loads(result.stdout)
    assert payload["out"] == str(out.resolve())
    assert payload["summary"]["calibration"]["budget"] == 8
    assert payload["summary"]["data"]["editions"][0]["file"] == "pub.ods"
    posterior = read_posterior(out)
    assert posterior.summary["calibration"]["train_to"] == dt.date(2024, 6, 30)
    defaults = out / "calibration_defaults.toml"
    assert str(defaults.resolve()) in " ".join(result.stderr.split())
    assert "runs still use the package's defaults" in " ".join(result.stderr.split())
    written = tomllib.loads(defaults.read_text())["params"]
    assert defaults.read_text().splitlines()[0].startswith("# channelsim-sha256: ")
    assert "# Written from post:" in defaults.read_text()
    params = apply_overrides(Params(), written)
    assert params.coast.inflow_people_per_day == posterior.median()["coast.inflow_people_per_day"]
    bad = run_cli("calibrate", "--data", data, "--train", "2030:2031", "--out", tmp_path / "x")
    assert bad.exit_code == 2 and "inside the data" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_replay_weather_follows_the_observed_crossing_days() -> None:
    observed = _observed(seed=6)
    period = Period(dt.date(2024, 5, 6), dt.date(2024, 6, 30))
    case = Case(
        scenario=base_scenario(period, "replay"), observed_crossing=observed.crossing_days()
    )
    daily = run_case(case, 11, None).daily
    arrived = pd.to_datetime(daily.loc[daily["arrived_people"] > 0, "date"])
    crossing = observed.crossing_days()
    assert len(arrived) > 5
    assert crossing.reindex(arrived).mean() >= 0.9  # launches at night arrive the same day
    config = CalibrationConfig(train=period, budget=8, generations=2, weather="replay", seed=1)
    result = calibrate(observed, config, executor="serial", progress=False)
    assert "d_weekly_people" in result.trials.columns
    assert "weekly_people" in result.targets.names


def test_integer_priors_give_every_integer_equal_mass() -> None:
    groups = next(p for p in priors() if p.path == "beach.groups_per_boat")
    values = [groups.value(u) for u in np.linspace(0.0, 1.0, 3001)]
    counts = pd.Series(values).value_counts(normalize=True).sort_index()
    assert counts.index.tolist() == [2, 3, 4]
    assert counts.to_numpy() == pytest.approx([1 / 3] * 3, abs=0.01)
    inflow = next(p for p in priors() if p.path == "coast.inflow_people_per_day")
    assert (inflow.value(0.0), inflow.value(1.0)) == (inflow.low, inflow.high)


def test_history_calibration_leaves_deaths_to_the_simulated_moments() -> None:
    """Calibrating history, ABC draws neither the parameters that set only deaths nor the
    risk at sea by year (fitted afterwards over many runs), and does not weigh deaths; the
    Home Office series' yearly totals and people per boat weigh more than the rest."""
    from channelsim.engine import load_scenario
    from channelsim.experiments.calibrate import (
        MOMENT_PARAMETERS,
        scenario_free_parameters,
    )
    from channelsim.experiments.targets import HISTORY_WEIGHTS

    history = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "history.toml")
    free = scenario_free_parameters(history)
    assert not set(MOMENT_PARAMETERS) & set(free)
    assert not [p for p in free if p.startswith("drivers.sea_hazard.")]
    assert [p for p in free if p.startswith("drivers.coastal_inflow.")]
    assert HISTORY_WEIGHTS["deaths_by_year"] == 0.0
    assert HISTORY_WEIGHTS["annual_people"] > 1.0
    period = Period(START, START + dt.timedelta(days=DAYS - 1))
    targets = Targets.build(observed_series(_observed(), period), weights=HISTORY_WEIGHTS)
    assert "deaths_by_year" in targets.names
    parts = dict.fromkeys(targets.names, 0.0)
    parts["deaths_by_year"] = 1000.0
    assert targets.discrepancy(parts) == 0.0


def test_a_posterior_s_driver_value_is_checked_when_read(tmp_path: Path) -> None:
    """An infinite driver value in the shipped posterior's copy is refused when the folder is
    read, naming its row and column (it was found mid-run and blamed on history.toml)."""
    calibrations = Path(__file__).resolve().parents[1] / "calibration"
    shipped = calibrations / "posterior-history-2026-05-28-v2"
    folder = tmp_path / "post"
    shutil.copytree(shipped, folder)
    frame = pd.read_parquet(folder / POSTERIOR_FILE)
    frame.loc[4, "drivers.coastal_inflow.5"] = float("inf")
    frame.to_parquet(folder / POSTERIOR_FILE)
    with pytest.raises(InputError) as caught:
        read_posterior(folder)
    assert str(caught.value) == (
        f"{folder / POSTERIOR_FILE}: row 5, column 'drivers.coastal_inflow.5': expected a "
        "finite number ≥ 0, got inf"
    )
