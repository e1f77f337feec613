"""Validation: coverage and errors on synthetic cases, the JSON shape, shipped posteriors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from channelsim.experiments.calibrate import (
    POSTERIOR_FILE,
    SUMMARY_FILE,
    priors,
    read_posterior,
    to_toml,
)
from channelsim.experiments.targets import Observed, Period, Series
from channelsim.experiments.validate import (
    MemberSeries,
    ard,
    central_interval,
    coverage,
    score,
)
from conftest import OFFICIAL_DATA, REPO_ROOT, CliResult
from spreadsheets import make_rows, write_publication


def test_coverage_counts_months_inside_central_intervals() -> None:
    samples = np.tile(np.arange(101.0)[:, None], (1, 4))  # every month: members 0..100
    observed = np.array([50.0, 30.0, 4.0, 100.0])
    low, high = central_interval(samples, 0.9)
    assert low == pytest.approx([5.0] * 4) and high == pytest.approx([95.0] * 4)
    assert coverage(samples, observed, 0.9) == 0.5  # 50 and 30 inside; 4 and 100 outside
    assert coverage(samples, observed, 0.5) == 0.5  # 50 and 30 inside [25, 75]
    assert coverage(samples, np.array([50.0, 30.0, 20.0, 80.0]), 0.5) == 0.5
    assert coverage(samples, np.array([50.0, 30.0, 20.0, 80.0]), 0.9) == 1.0


def test_ard_is_flee_average_relative_difference() -> None:
    assert ard(np.array([10.0, 20.0]), np.array([10.0, 30.0])) == pytest.approx(10 / 40)
    assert ard(np.array([1.0]), np.array([1.0])) == 0.0


def _series(monthly_people: list[float]) -> Series:
    """One crossing day per month (the 15th) holding that month's people."""
    dates = pd.date_range("2025-01-01", "2025-04-30", freq="D")
    people = np.zeros(len(dates))
    for i, total in enumerate(monthly_people):
        people[dates.get_loc(pd.Timestamp(2025, i + 1, 15))] = total
    return Series(
        daily=pd.DataFrame({"date": dates, "people": people, "boats": people // 50}),
        weekly=pd.DataFrame(
            {
                "week_ending": pd.DatetimeIndex([]),
                "people": np.zeros(0),
                "prevented_people": pd.array([], dtype="Float64"),
                "prevented_events": pd.array([], dtype="Float64"),
            }
        ),
        deaths=pd.Series({2025: 10.0}),
    )


def test_score_on_a_synthetic_ensemble() -> None:
    observed = _series([1000, 2000, 3000, 9000])
    rng = np.random.default_rng(0)
    members = 200
    monthly = rng.normal([1000, 2000, 3000, 4000], [100, 200, 300, 400], size=(members, 4))
    daily = np.zeros((members, len(observed.daily)))
    for i, day in enumerate(pd.to_datetime(observed.daily["date"])):
        if day.day == 15:
            daily[:, i] = monthly[:, day.month - 1]
    stacked = MemberSeries(
        daily_people=daily,
        monthly_people=monthly,
        monthly_boats=monthly / 50,
        weekly_people=np.zeros((members, 0)),
        prevented_people=np.zeros(members),
        prevented_events=np.zeros(members),
        deaths=np.full((members, 1), 10.0),
        people_per_crossing_day=monthly.ravel(),
    )
    result = score(stacked, observed)
    assert result["months_in_90"] == 0.75  # April's 9,000 is far outside
    assert result["monthly"][3]["inside90"] is False
    assert [m["month"] for m in result["monthly"]] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    total = result["annual_total"]
    assert total["observed"] == 15000.0
    assert total["low90"] < total["median"] < total["high90"] < 15000.0
    assert total["inside90"] is False
    assert total["median_error"] == pytest.approx((total["median"] - 15000) / 15000)
    assert result["monthly_error"]["ard_monthly"] == pytest.approx(
        np.abs(np.median(monthly, axis=0) - [1000, 2000, 3000, 9000]).sum() / 15000
    )
    assert 0 < result["people_per_crossing_day_distance"]["ks_statistic"] <= 1
    daily_error = result["monthly_error"]["ard_daily"]  # same days: the monthly error again
    assert daily_error == pytest.approx(result["monthly_error"]["ard_monthly"])
    assert 0.9 < result["monthly_error"]["daily_correlation"] <= 1.0
    assert "prevented_people" not in result
    assert result["deaths_by_year"]["2025"]["inside90"] is True


def _hand_posterior(folder: Path, train: Period) -> Path:
    """A posterior folder written by hand: three particles around the defaults."""
    folder.mkdir()
    chosen = priors()
    rows = []
    for weight, position in ((0.5, 0.5), (0.3, 0.4), (0.2, 0.6)):
        rows.append({"weight": weight, **{p.path: p.value(position) for p in chosen}})
    pd.DataFrame(rows).to_parquet(folder / POSTERIOR_FILE, index=False)
    summary: dict[str, dict[str, Any]] = {
        "calibration": {"weather": "stochastic", "train_from": train.start, "train_to": train.end},
        "parameters": {
            "names": [p.path for p in chosen],
            "prior": {p.path: {"low": p.low, "high": p.high, "integer": p.integer} for p in chosen},
        },
    }
    (folder / SUMMARY_FILE).write_text(to_toml(summary))
    return folder


def test_validate_cli_json_shape(run_cli: Callable[..., CliResult], tmp_path: Path) -> None:
    daily, weekly = make_rows(dt.date(2024, 4, 29), 63, seed=4)
    data = write_publication(tmp_path / "pub.ods", daily, weekly)
    posterior = _hand_posterior(
        tmp_path / "post", Period(dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    )
    out = tmp_path / "val"
    result = run_cli(
        "validate", "--posterior", posterior, "--data", data, "--test", "2024-06:2024-06",
        "--runs", 3, "--executor", "serial", "--format", "json", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload["annual_total"]) >= {"observed", "median", "low90", "high90"}
    june = sum(r[1] for r in daily if r[0].month == 6)
    assert payload["annual_total"]["observed"] == june
    assert 0.0 <= payload["months_in_50"] <= payload["months_in_90"] <= 1.0
    assert payload["out_of_sample"] is True and payload["test"] == "2024-06-01:2024-06-30"
    assert payload["uses_test_period_data"] is None  # a replay's names the crossing days
    assert {"ard_weekly", "ard_monthly"} <= set(payload["monthly_error"])
    skill = payload["skill"]["forecasts"]
    assert set(skill) == {"model", "naive", "seasonal_naive", "ets"}
    assert {"mase", "crps", "coverage50", "coverage90"} <= set(skill["model"])
    assert "unavailable" in skill["ets"]  # one training month: too short for ETS
    blind = payload["blind"]  # the priors' hash and that the test follows the training
    assert blind["test_after_training"] is True and len(blind["priors_sha256"]) == 64
    assert blind["calibration_read_data_to"] == "2024-05-31" and blind["provenance"] is None
    page = (out / "validation.html").read_text(encoding="utf-8")
    assert len(page) > 10_000
    # the plot as published: its headline in words and the credits inside the figure
    assert "Forecast from the posterior trained on" in page
    assert "Open Government Licence v3.0" in page and "not observations" in page
    assert json.loads((out / "validation.json").read_text())["runs"] == 3
    table = run_cli(
        "validate", "--posterior", posterior, "--data", data, "--test", "2024-06:2024-06",
        "--runs", 2, "--executor", "serial",
    )  # fmt: skip
    said = " ".join(table.stdout.split())
    assert table.exit_code == 0 and "Months inside" in said and "MASE" in said
    assert said.startswith("Forecast from the posterior trained on May 2024, in June")
    assert "people arrived in the UK (90% interval: " in said
    assert f"against {june:,} observed" in said
    assert "months inside the 90% interval" in said, said[:1500]
    # the observed figures credited with their edition and licence; scores with units and
    # what they measure
    assert "Observed: Home Office, Migrants detected crossing" in said
    assert "edition of" in said and "Open Government Licence v3.0" in said
    assert "(ARD)" in said and "CRPS" in said and "MASE" in said
    bad = run_cli("validate", "--posterior", tmp_path, "--data", data, "--test", "2024-06")
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1
    unreachable = run_cli(
        "validate", "--posterior", posterior, "--data", data, "--test", "2024-06:2024-06",
        "--runs", 2, "--scheduler", "tcp://127.0.0.1:1", "--out", tmp_path / "never",
    )  # fmt: skip
    assert unreachable.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in unreachable.stderr
    assert not (tmp_path / "never").exists()


def test_validate_reads_the_data_store_without_data(
    run_cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """s15 user trial U12: validate (and calibrate) asked for --data with the store full;
    without it they read the store's editions, the same figures as the files give."""
    from channelsim.data import DataStore, read_publication

    daily, weekly = make_rows(dt.date(2024, 4, 29), 63, seed=4)
    data = write_publication(tmp_path / "pub.ods", daily, weekly)
    posterior = _hand_posterior(
        tmp_path / "post", Period(dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    )
    args = ("validate", "--posterior", posterior, "--test", "2024-06:2024-06", "--runs", 2,
            "--executor", "serial", "--format", "json")  # fmt: skip
    monkeypatch.setenv("CHANNELSIM_STORE", str(tmp_path / "store.duckdb"))
    empty = run_cli(*args)
    assert empty.exit_code == 2 and len(empty.stderr.strip().splitlines()) == 1
    assert "--data: expected a publication file, or editions imported in the data store" in (
        empty.stderr
    )
    DataStore(tmp_path / "store.duckdb").import_publication(read_publication(data))
    stored, given = run_cli(*args), run_cli(*args, "--data", data)
    assert stored.exit_code == 0, stored.stderr
    from_store, from_file = json.loads(stored.stdout), json.loads(given.stdout)
    assert from_store["annual_total"] == from_file["annual_total"]
    assert from_store["skill"] == from_file["skill"]
    assert from_store["annual_total"]["observed"] == sum(r[1] for r in daily if r[0].month == 6)


# -- the shipped posteriors, against the real data -------------------------------------------

DECEMBER = OFFICIAL_DATA / "31_December_2025_Small_boats_-_time_series.ods"
SHIPPED = sorted((REPO_ROOT / "calibration").glob("posterior-*"))


@pytest.mark.parametrize("folder", SHIPPED, ids=[f.name for f in SHIPPED])
def test_shipped_posteriors_read_and_name_their_data(folder: Path) -> None:
    posterior = read_posterior(folder)
    assert len(posterior.table) >= 50
    assert str(posterior.train.end.year) in folder.name
    editions = posterior.summary["data"]["editions"]
    assert editions and all(e["file"].endswith("_Small_boats_-_time_series.ods") for e in editions)
    if OFFICIAL_DATA.is_dir():  # each edition it names is one of the official files
        assert all((OFFICIAL_DATA / e["file"]).is_file() for e in editions)


def test_real_2025_total_is_the_published_one() -> None:
    if not DECEMBER.is_file():
        pytest.skip(f"official data not found at {OFFICIAL_DATA}")
    from channelsim.experiments.targets import load_observed, observed_series, summary_statistics

    observed: Observed = load_observed([DECEMBER])
    series = observed_series(
        observed, observed.clip(Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), "--test")
    )
    stats = summary_statistics(series)
    assert stats["annual_people"].tolist() == [41472.0]  # facts.md: 2025
    assert stats["annual_boats"].tolist() == [672.0]


def test_an_in_sample_validation_is_not_called_a_forecast() -> None:
    from channelsim.reports.headlines import validation_headline

    result = {
        "train": "2022-01-01:2025-12-31",
        "test": "2025-01-01:2025-12-31",
        "runs": 10,
        "out_of_sample": False,
        "annual_total": {"observed": 41472.0, "median": 30000.0, "low90": 25000.0,
                         "high90": 35000.0},
        "monthly": [],
    }  # fmt: skip
    said = validation_headline(result)
    assert said.startswith("In-sample fit (not a forecast) from the posterior trained on")
    assert validation_headline({**result, "out_of_sample": True}).startswith("Forecast from")


def test_a_baseline_that_beats_the_model_is_said_in_the_headline() -> None:
    """The trial's blind test: the naive forecast's MASE 0.46 against the model's 0.48, left
    in the table while the headline said only '4 of 5 months inside'."""
    from channelsim.reports.headlines import _baselines_better

    skill = {
        "forecasts": {
            "model": {"label": "channelsim", "mase": 0.479},
            "naive": {"label": "naive (last month carried forward)", "mase": 0.463},
            "ets": {"label": "ETS", "mase": 0.491},
        }
    }
    said = _baselines_better(skill)
    assert "naive (last month carried forward) (0.46)" in said and "ETS" not in said
    assert "the model 0.48" in said
    skill["forecasts"]["naive"]["mase"] = 0.5
    assert "lower than every baseline" in _baselines_better(skill)
    assert _baselines_better({}) == ""


def test_validate_says_what_it_runs_and_refuses_a_scenario_without_the_drivers(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """`validate --scenario none` with a posterior of history failed after the runs had
    started ('posterior: drivers.coastal_inflow: no policy named ...; while running ensemble
    validate'), and a 2025 scenario ran over a 2026 test without a word (s11 trial F21). The
    data given is no file: the scenario is checked first."""
    from channelsim.cli.calibrate_cmd import _validated_text
    from channelsim.engine import load_scenario
    from channelsim.errors import InputError
    from channelsim.experiments.calibrate import read_posterior

    posterior = REPO_ROOT / "calibration" / "blind-history-2025-12-31"
    result = run_cli(
        "validate", "--posterior", posterior, "--data", tmp_path / "none.ods", "--test",
        "2026-01:2026-05", "--runs", 4, "--scenario", "none",
    )  # fmt: skip
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: --scenario none: the posterior calibrates drivers (drivers.coastal_inflow.0, "
        "drivers.coastal_inflow.1, ...) of policies not in the defaults without policies "
        "(coastal_inflow, sea_hazard): give history or a scenario holding them"
    )
    read = read_posterior(posterior)
    status_quo = load_scenario(REPO_ROOT / "scenarios" / "status-quo-2025.toml")
    test = Period(dt.date(2026, 1, 1), dt.date(2026, 5, 28))
    assert _validated_text(status_quo, test, read) == (
        "validate runs status-quo-2025 from 1 Jan 2025 to the test's last day, 28 May 2026, "
        "past its own end (31 Dec 2025), its policies and drivers as known on 31 Dec 2025"
    )
    history = load_scenario(REPO_ROOT / "scenarios" / "history.toml")
    assert _validated_text(history, test, read) is None  # it reaches the test's end
    with pytest.raises(InputError, match="expected a scenario starting on or before the test"):
        _validated_text(status_quo, Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), read)
