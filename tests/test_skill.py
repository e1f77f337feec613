"""Skill against baselines: MASE, CRPS and coverage on toy series whose scores are known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from channelsim.experiments.skill import (
    MonthlyForecast,
    MonthlySeries,
    baseline_forecasts,
    crps,
    mase_scale,
    skill,
)


def _monthly(start: str, values: np.ndarray) -> MonthlySeries:
    months = [str(pd.Period(start, "M") + i) for i in range(len(values))]
    return MonthlySeries(months, np.asarray(values, float), np.ones(len(values)))


def _trend(n: int, first: int = 0) -> np.ndarray:
    """A linear trend with a 12-month season: every month is 120 above the same month a
    year before, so the seasonal naive's in-sample error is exactly 120."""
    t = np.arange(first, first + n, dtype=float)
    return 1000 + 10 * t + 300 * np.sin(2 * np.pi * t / 12)


def test_mase_scale_is_the_in_sample_seasonal_naive_error() -> None:
    assert mase_scale(_trend(36)) == pytest.approx(120.0)
    assert mase_scale(np.array([1.0, 3.0, 6.0])) == pytest.approx(2.5)  # short: lag 1
    assert np.isnan(mase_scale(np.array([5.0])))


def test_crps_of_known_forecasts() -> None:
    two = MonthlyForecast.from_ensemble("e", "e", np.array([[0.0], [1.0]]))
    # E|X - y| - E|X - X'| / 2 = 0.5 - 0.25 for the ensemble {0, 1} and y = 0
    assert crps(two, np.array([0.0])) == pytest.approx([0.25])
    gauss = MonthlyForecast("g", "g", *([np.array([0.0])] * 5), sd=np.array([2.0]))
    # sigma (2 phi(0) - 1 / sqrt(pi)) at the mean
    assert crps(gauss, np.array([0.0])) == pytest.approx(
        [2 * (2 / np.sqrt(2 * np.pi) - 1 / np.sqrt(np.pi))]
    )
    point = MonthlyForecast("p", "p", *([np.array([10.0])] * 5))
    assert crps(point, np.array([4.0])) == pytest.approx([6.0])  # a point's CRPS: its error


def test_seasonal_naive_on_a_trend_scores_mase_one_and_the_model_zero() -> None:
    train, test = _trend(36), _trend(12, first=36)
    members = np.tile(test, (50, 1)) + np.linspace(-1, 1, 50)[:, None]  # centred on the truth
    result = skill(members, _monthly("2023-01", test), _monthly("2020-01", train))
    scores = result["forecasts"]
    assert result["mase_scale"] == pytest.approx(120.0)
    # same month last year misses by exactly 120 every month
    assert scores["seasonal_naive"]["mase"] == pytest.approx(1.0)
    assert scores["seasonal_naive"]["mae_ratio_to_seasonal_naive"] == pytest.approx(1.0)
    assert scores["seasonal_naive"]["total"]["median"] == pytest.approx(train[-12:].sum())
    assert scores["model"]["mase"] == pytest.approx(0.0, abs=1e-9)
    assert scores["model"]["coverage50"] == 1.0 and scores["model"]["coverage90"] == 1.0
    assert scores["model"]["crps"] < 1.0 < scores["seasonal_naive"]["crps"]
    # the naive forecast repeats the last month: its errors are known month by month
    naive_error = np.abs(test - train[-1]).mean()
    assert scores["naive"]["mase"] == pytest.approx(naive_error / 120.0)
    # ETS learns a trend and a season this regular almost exactly
    assert scores["ets"]["mase"] < 0.2


def test_coverage_counts_months_inside_each_interval() -> None:
    observed = np.array([10.0, 20.0, 30.0, 40.0])
    spread = np.arange(101.0)[:, None] + np.array([0.0, 0.0, 0.0, 0.0])  # 0..100 each month
    result = skill(spread, _monthly("2024-01", observed), _monthly("2022-01", _trend(24)))
    model = result["forecasts"]["model"]
    assert model["coverage90"] == 1.0  # [5, 95] holds all four
    assert model["coverage50"] == pytest.approx(0.5)  # [25, 75]: 30 and 40


def test_partly_covered_months_are_scaled() -> None:
    days = pd.date_range("2024-01-01", "2024-02-14", freq="D")
    series = MonthlySeries.from_daily(pd.Series(days), pd.Series(np.ones(len(days))))
    assert series.months == ["2024-01", "2024-02"]
    assert series.covered == pytest.approx([1.0, 14 / 29])
    assert series.whole_months() == pytest.approx([31.0, 29.0])
    # a test month covered half-way gets half of the seasonal naive's whole-month forecast
    test = MonthlySeries(["2023-01"], np.array([500.0]), np.array([0.5]))
    result = skill(np.full((3, 1), 500.0), test, _monthly("2021-01", np.full(24, 1000.0)))
    assert result["forecasts"]["seasonal_naive"]["monthly"]["median"] == pytest.approx([500.0])


def test_a_baseline_too_short_to_fit_is_reported_not_scored() -> None:
    fitted = baseline_forecasts(np.array([100.0, 120.0, 90.0]), 2)
    assert isinstance(fitted["naive"], MonthlyForecast)
    assert isinstance(fitted["seasonal_naive"], str) and isinstance(fitted["ets"], str)
    short = _monthly("2024-01", np.array([100.0, 120.0, 90.0]))
    result = skill(np.full((5, 1), 95.0), _monthly("2024-04", np.array([100.0])), short)
    assert "unavailable" in result["forecasts"]["ets"]
    assert result["mase_scale"] == pytest.approx(25.0)  # one-step naive: (20 + 30) / 2
    assert result["forecasts"]["naive"]["mase"] == pytest.approx(10 / 25)


def test_forecast_months_are_quantiles_across_members() -> None:
    import datetime as dt

    from channelsim.experiments.forecast import monthly_quantiles

    days = pd.date_range("2026-05-20", "2026-06-30", freq="D")
    frames = []
    for member in range(101):  # member m: m people and 1 boat a day
        frames.append(
            pd.DataFrame(
                {"draw": member, "rep": member, "date": days,
                 "arrived_people": member, "arrived_boats": 1}
            )
        )  # fmt: skip
    months = monthly_quantiles(pd.concat(frames), dt.date(2026, 5, 29))
    assert [m["month"] for m in months] == ["2026-05", "2026-06"]
    may, june = months
    assert may["people"]["median"] == 50 * 3  # 29-31 May only
    assert june["people"] == {
        "low90": 5 * 30, "low50": 25 * 30, "median": 50 * 30, "high50": 75 * 30, "high90": 95 * 30
    }  # fmt: skip
    assert may["boats"]["median"] == 3 and june["boats"]["high90"] == 30


FORECASTS = Path(__file__).resolve().parents[1] / "forecasts"
SHIPPED_FORECASTS = (
    "2026-05-29.json",
    "2026-05-29-history-continued.json",
    "2026-05-29-history-continued-v2.json",
)


@pytest.mark.parametrize("name", SHIPPED_FORECASTS)
def test_the_forecast_on_record_has_every_month_and_its_provenance(name: str) -> None:
    import json

    record = json.loads((FORECASTS / name).read_text(encoding="utf-8"))
    assert record["from"] == "2026-05-29" and record["to"] == "2026-12-31"
    assert [m["month"] for m in record["months"]] == [f"2026-{m:02d}" for m in range(5, 13)]
    for month in record["months"]:
        for figure in ("people", "boats"):
            q = month[figure]
            assert set(q) == {"median", "low50", "high50", "low90", "high90"}
            assert 0 <= q["low90"] <= q["low50"] <= q["median"] <= q["high50"] <= q["high90"]
    assert record["model_version"] and record["command"].startswith("channelsim forecast")
    assert record["posterior"]["data"]  # the editions the posterior was calibrated on


def test_the_history_forecast_continues_history_from_its_posterior_to_28_may_2026() -> None:
    import json

    record = json.loads((FORECASTS / SHIPPED_FORECASTS[1]).read_text(encoding="utf-8"))
    assert record["scenario"] == "history-continued"
    assert record["posterior"]["folder"].endswith("posterior-history-2026-05-28")
    assert str(record["posterior"]["train_to"]) == "2026-05-28"
    editions = [e["file"] for e in record["posterior"]["data"]]
    assert editions == ["29_May_2026_Small_boats_-_time_series.ods"]


def test_a_forecast_on_record_is_never_overwritten(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "2026-05-29.json"
    out.write_text("{}")
    scenario = Path(__file__).resolve().parents[1] / "forecasts" / "2026-05-29-scenario.toml"
    result = run_cli(
        "forecast", scenario, "--posterior", tmp_path, "--from", "2026-05-29", "--out", out
    )
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert f"--out {out}: refusing to overwrite an existing file" in result.stderr
    assert out.read_text() == "{}"
    # a folder was called "an existing file": it is named as a folder, with what to give
    result = run_cli(
        "forecast", scenario, "--posterior", tmp_path, "--from", "2026-05-29", "--out", tmp_path
    )
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    said = " ".join(result.stderr.split())
    assert f"--out {tmp_path}: expected a new file name for the forecast's JSON" in said
    assert "got a folder" in said
    assert "overwrite" not in said


def test_a_forecast_s_folder_is_checked_before_it_runs(run_cli: Any, tmp_path: Path) -> None:
    """A file for a folder, or a folder that takes no file, was found when the record was
    written, after the ensemble's minutes of work ('error: …/afile: File exists'); now
    before anything else, as the other commands' --out (s11 trial F11). The posterior given
    here is no posterior: the --out check comes first."""
    scenario = Path(__file__).resolve().parents[1] / "forecasts" / "2026-05-29-scenario.toml"
    (tmp_path / "afile").write_text("mine")
    above = f"expected folders above it, but {tmp_path / 'afile'} is a file"
    cases = [(tmp_path / "afile" / "fc.json", above)]
    if Path("/proc/self").is_dir():
        cases.append((Path("/proc/fc.json"), "cannot write in /proc: it takes no new files"))
    for out, expected in cases:
        result = run_cli(
            "forecast", scenario, "--posterior", tmp_path, "--from", "2026-05-29", "--out", out
        )
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.strip() == f"error: {out}: --out: {expected}"


def _forecast_days(start: str, end: str) -> pd.DataFrame:
    """101 members: member m has m people and one boat a day."""
    days = pd.date_range(start, end, freq="D")
    return pd.concat(
        pd.DataFrame({"draw": m, "rep": m, "date": days, "arrived_people": m, "arrived_boats": 1})
        for m in range(101)
    )


def test_a_forecast_says_its_total_and_the_year_s_in_words_with_credits() -> None:
    """The headline a reporter can publish: the forecast period's people (a sum per member,
    then quantiles), the year's total as observed to date plus the forecast rest of the year,
    said to be so, the Home Office credited; the table in whole people and boats."""
    import datetime as dt

    from channelsim.cli.forecast_cmd import _rows
    from channelsim.experiments.forecast import monthly_quantiles, period_total, year_total
    from channelsim.experiments.observed import ObservedFigures
    from channelsim.reports.headlines import forecast_credits, forecast_headline

    start, end = dt.date(2026, 5, 29), dt.date(2026, 12, 31)
    daily = _forecast_days("2026-01-01", "2026-12-31")
    total = period_total(daily, start, end)
    assert total["people"]["median"] == 50 * 217 and total["boats"]["low90"] == 217
    credit = "Source: Home Office (…). Contains public sector information licensed under the OGL."
    observed = ObservedFigures({"arrived_people": 8778.0, "arrived_boats": 136.0}, credit)
    year = year_total(daily, start, end, observed)
    assert year is not None and year["people"]["median"] == 8778 + 50 * 217
    assert year["boats"]["high90"] == 136 + 217 and year["observed"]["to"] == "2026-05-28"
    assert year_total(daily, start, dt.date(2026, 11, 30), observed) is None  # not whole
    record = {
        "from": "2026-05-29", "runs": 101, "scenario": "history-continued", "seed": 7,
        "posterior": {"data": [{"edition_date": "2026-05-29", "file": "29_May_2026.ods"}]},
        "months": monthly_quantiles(daily, start), "total": total, "year_total": year,
    }  # fmt: skip
    headline = forecast_headline(record)
    assert headline.startswith(
        "channelsim forecasts about 11,000 people arriving by small boat from 29 May to 31 "
        "December 2026 (90% interval 1,000–21,000), in about 217 boats"
    )  # every figure of a phrase rounded to one place (1,100 beside 21,000 was exact-looking)
    assert (
        "With the 8,778 people the Home Office recorded from 1 January to 28 May 2026, that "
        "makes about 20,000 in 2026 (90% interval 10,000–29,000): observed to date plus the "
        "forecast for the rest of the year." in headline
    )
    credits = forecast_credits(record)
    assert credits[0].startswith("Simulated with channelsim") and credit in credits[-1]
    assert "edition of 29 May 2026 (29_May_2026.ods)" in credits[1]
    assert "Open Government Licence v3.0" in credits[1]
    rows = _rows(record)
    periods = [r["period"] for r in rows[-4:]]
    assert periods == ["29 May–31 Dec 2026"] * 2 + ["2026: observed + forecast"] * 2
    assert all(isinstance(r[k], int) for r in rows for k in ("median", "low50", "high90"))
    assert rows[0]["median"] == 150 and rows[-2]["median"] == 8778 + 10850
    assert rows[0]["period"] == "2026-05 (29–31 May)" and rows[2]["period"] == "2026-06"


def test_the_year_to_date_comes_from_the_store_or_says_why_not(
    tmp_path: Path, run_cli: Any
) -> None:
    import datetime as dt

    from channelsim.experiments.forecast import year_to_date
    from spreadsheets import make_rows, write_publication

    store = tmp_path / "s.duckdb"
    assert "holds no official series" in str(year_to_date(dt.date(2026, 5, 1), store))
    daily, weekly = make_rows(start=dt.date(2026, 1, 1), days=100, seed=3)
    path = write_publication(tmp_path / "11_April_2026_toy", daily, weekly, "csv")
    assert run_cli("data", "import", path, "--store", store).exit_code == 0
    known = year_to_date(dt.date(2026, 3, 1), store)
    assert not isinstance(known, str)
    assert known.values["arrived_people"] == sum(r[1] for r in daily[:59])
    assert known.values["arrived_boats"] == sum(r[2] for r in daily[:59])
    assert "Open Government Licence" in known.credit
    assert year_to_date(dt.date(2026, 5, 1), store) == (
        "the official series in the data store ends on 10 April 2026"
    )


def test_a_forecast_inside_the_training_data_or_of_few_runs_says_so() -> None:
    """`--from` inside the posterior's training period is a hindcast; 2 runs give no interval
    worth the name: the headline says both, in words."""
    import datetime as dt

    from channelsim.experiments.forecast import period_total
    from channelsim.reports.headlines import forecast_headline

    daily = _forecast_days("2026-01-01", "2026-12-31")
    record = {
        "from": "2026-01-01", "runs": 2, "scenario": "history-continued", "seed": 7,
        "posterior": {"train_to": "2026-05-28", "data": []},
        "total": period_total(daily, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    }  # fmt: skip
    headline = forecast_headline(record)
    assert (
        "Its days from 1 January to 28 May 2026 lie inside the data the model was calibrated on"
        in headline
    )
    assert "With only 2 runs the intervals are not reliable: use --runs 100 or more" in headline
    fair = {**record, "from": "2026-05-29", "runs": 500}
    fair["total"] = period_total(daily, dt.date(2026, 5, 29), dt.date(2026, 12, 31))
    assert "hindcast" not in forecast_headline(fair) and "reliable" not in forecast_headline(fair)


def test_a_forecast_record_under_another_format_s_name_is_refused(
    run_cli: Any, tmp_path: Path
) -> None:
    """`forecast --format csv --out x.csv` wrote the JSON record into x.csv (s14 re-trial)."""
    scenario = Path(__file__).resolve().parents[1] / "forecasts" / "2026-05-29-scenario.toml"
    for name in ("x.csv", "x.XLSX"):
        out = tmp_path / name
        result = run_cli(
            "forecast", scenario, "--posterior", tmp_path, "--from", "2026-05-29",
            "--out", out, "--format", "csv",
        )  # fmt: skip
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
        assert "expected a .json file: the forecast's record is JSON" in result.stderr
        assert not out.exists()
