"""Out-of-sample validation of a posterior: predictive intervals against the observed series.

Parameter sets are drawn from the posterior (systematic resampling), each is run once with its
own seed from the start of the training period (so the waiting population and the boat stock
carry over, as in a forecast) to the end of the test period, and only the test period is
scored: the total against its predictive distribution, the share of months whose observed
total falls inside the central 50% and 90% predictive intervals, the error of monthly, weekly
and daily totals (Flee's ARD, Σ|sim − obs| / Σ obs, on the ensemble median; the daily one
and the daily correlation mean something with replay weather, whose crossing days are the
observed ones), and the distance between the simulated and observed distributions of people
per crossing day. The same months are forecast by statistical baselines and every forecast
is scored with MASE, CRPS and interval coverage (:mod:`channelsim.experiments.skill`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp, wasserstein_distance

from channelsim.errors import InputError
from channelsim.experiments.calibrate import (
    Case,
    Posterior,
    base_scenario,
    run_case,
    scenario_over,
)
from channelsim.experiments.ensemble import (
    EnsembleSpec,
    Member,
    run_ensemble,
)
from channelsim.experiments.fit import fit_by_year
from channelsim.experiments.skill import MonthlySeries, skill
from channelsim.experiments.targets import (
    DEATHS_BY_YEAR,
    Observed,
    Period,
    Series,
    observed_series,
    simulated_series,
)
from channelsim.outputs import OutputTarget, write_output_folder
from channelsim.scenario import Scenario

NOMINAL_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
PLOT_FILE = "validation.html"
#: The name of the scenario a validation runs when none is given: default parameters (drawn
#: from the posterior), no policies, over the training and test periods.
VALIDATION_SCENARIO = "validation"
JSON_FILE = "validation.json"


def central_interval(samples: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the central ``level`` predictive interval along axis 0 (members)."""
    tail = 0.5 * (1.0 - level)
    return np.quantile(samples, tail, axis=0), np.quantile(samples, 1.0 - tail, axis=0)


def coverage(samples: np.ndarray, observed: np.ndarray, level: float) -> float:
    """Share of columns (months) whose observed value lies inside the central interval."""
    low, high = central_interval(samples, level)
    inside = (observed >= low) & (observed <= high)
    return float(inside.mean()) if inside.size else float("nan")


def ard(simulated: np.ndarray, observed: np.ndarray) -> float:
    """Flee's average relative difference: Σ|sim − obs| / Σ obs."""
    total = float(np.sum(observed))
    return float(np.sum(np.abs(simulated - observed)) / total) if total > 0 else float("nan")


def _correlation(simulated: np.ndarray, observed: np.ndarray) -> float:
    """Pearson correlation of two series (NaN when either is constant)."""
    if simulated.size < 2 or simulated.std() == 0 or observed.std() == 0:
        return float("nan")
    return float(np.corrcoef(simulated, observed)[0, 1])


def interval_summary(samples: np.ndarray, observed: float) -> dict[str, float | bool]:
    """Observed value against the median and the 50% and 90% predictive intervals."""
    q05, q25, q50, q75, q95 = np.quantile(samples, (0.05, 0.25, 0.5, 0.75, 0.95))
    return {
        "observed": float(observed),
        "median": float(q50),
        "low90": float(q05),
        "high90": float(q95),
        "low50": float(q25),
        "high50": float(q75),
        "median_error": float((q50 - observed) / observed) if observed else float("nan"),
        "inside90": bool(q05 <= observed <= q95),
    }


@dataclasses.dataclass(frozen=True)
class MemberSeries:
    """The test-period statistics of every member, stacked (members × periods)."""

    daily_people: np.ndarray
    monthly_people: np.ndarray
    monthly_boats: np.ndarray
    weekly_people: np.ndarray
    prevented_people: np.ndarray
    prevented_events: np.ndarray
    deaths: np.ndarray  # members × years
    people_per_crossing_day: np.ndarray  # pooled over members


def _monthly(series: Series, column: str) -> np.ndarray:
    dates = pd.to_datetime(series.daily["date"])
    return series.daily[column].groupby(dates.dt.strftime("%Y-%m").to_numpy()).sum().to_numpy(float)


def _prevented(series: Series, column: str) -> float:
    return float(np.nansum(series.weekly[column].to_numpy(dtype=float, na_value=np.nan)))


def stack_members(dailies: Sequence[pd.DataFrame], observed: Series) -> MemberSeries:
    """Put each member's daily table in the observed shape and stack the statistics."""
    parts = [simulated_series(daily, observed) for daily in dailies]
    return MemberSeries(
        daily_people=np.array([s.daily["people"].to_numpy(float) for s in parts]),
        monthly_people=np.array([_monthly(s, "people") for s in parts]),
        monthly_boats=np.array([_monthly(s, "boats") for s in parts]),
        weekly_people=np.array([s.weekly["people"].to_numpy(float) for s in parts]),
        prevented_people=np.array([_prevented(s, "prevented_people") for s in parts]),
        prevented_events=np.array([_prevented(s, "prevented_events") for s in parts]),
        deaths=np.array([s.deaths.to_numpy(float) for s in parts]),
        people_per_crossing_day=np.concatenate(
            [s.daily["people"].to_numpy(float)[s.daily["people"].to_numpy() > 0] for s in parts]
        ),
    )


def score(members: MemberSeries, observed: Series) -> dict[str, Any]:
    """Every validation figure for the test period, JSON-ready."""
    months = sorted(pd.to_datetime(observed.daily["date"]).dt.strftime("%Y-%m").unique())
    obs_monthly = _monthly(observed, "people")
    obs_monthly_boats = _monthly(observed, "boats")
    obs_weekly = observed.weekly["people"].to_numpy(float)
    low90, high90 = central_interval(members.monthly_people, 0.9)
    low50, high50 = central_interval(members.monthly_people, 0.5)
    median_monthly = np.median(members.monthly_people, axis=0)
    obs_daily = observed.daily["people"].to_numpy(float)
    median_daily = np.median(members.daily_people, axis=0)
    monthly = [
        {
            "month": month,
            "observed": float(obs_monthly[i]),
            "median": float(median_monthly[i]),
            "low90": float(low90[i]),
            "low50": float(low50[i]),
            "high50": float(high50[i]),
            "high90": float(high90[i]),
            "inside50": bool(low50[i] <= obs_monthly[i] <= high50[i]),
            "inside90": bool(low90[i] <= obs_monthly[i] <= high90[i]),
        }
        for i, month in enumerate(months)
    ]
    obs_crossing = observed.daily["people"].to_numpy(float)
    obs_crossing = obs_crossing[obs_crossing > 0]
    sim_crossing = members.people_per_crossing_day
    distance: dict[str, float | None] = {"wasserstein": None, "ks_statistic": None}
    if obs_crossing.size and sim_crossing.size:
        w = wasserstein_distance(sim_crossing, obs_crossing)
        distance = {
            "wasserstein": float(w),
            "wasserstein_relative": float(w / obs_crossing.mean()),
            "ks_statistic": float(ks_2samp(sim_crossing, obs_crossing).statistic),
            "observed_mean": float(obs_crossing.mean()),
            "simulated_mean": float(sim_crossing.mean()),
        }
    recorded = observed.weekly["prevented_people"].notna().to_numpy(bool)
    extra: dict[str, Any] = {}
    if recorded.any():
        extra["prevented_people"] = interval_summary(
            members.prevented_people, _prevented(observed, "prevented_people")
        )
        extra["prevented_events"] = interval_summary(
            members.prevented_events, _prevented(observed, "prevented_events")
        )
    deaths = {}
    for j, year in enumerate(observed.deaths.index):
        figure = DEATHS_BY_YEAR[int(year)]
        deaths[str(year)] = {
            **interval_summary(members.deaths[:, j], float(observed.deaths.iloc[j])),
            "sources_low": figure.low,
            "sources_high": figure.high,
        }
    return {
        "annual_total": interval_summary(
            members.monthly_people.sum(axis=1), float(obs_monthly.sum())
        ),
        "annual_total_boats": interval_summary(
            members.monthly_boats.sum(axis=1), float(obs_monthly_boats.sum())
        ),
        "months_in_50": coverage(members.monthly_people, obs_monthly, 0.5),
        "months_in_90": coverage(members.monthly_people, obs_monthly, 0.9),
        "coverage_curve": [
            {"nominal": level, "observed": coverage(members.monthly_people, obs_monthly, level)}
            for level in NOMINAL_LEVELS
        ],
        "monthly_error": {
            "mean_absolute_error_people": float(np.mean(np.abs(median_monthly - obs_monthly))),
            "mean_absolute_relative_error": float(
                np.mean(np.abs(median_monthly - obs_monthly) / np.maximum(obs_monthly, 1.0))
            ),
            "ard_monthly": ard(median_monthly, obs_monthly),
            "ard_weekly": ard(np.median(members.weekly_people, axis=0), obs_weekly),
            "ard_daily": ard(median_daily, obs_daily),
            "daily_correlation": _correlation(median_daily, obs_daily),
            "ard_monthly_member_median": float(
                np.median([ard(m, obs_monthly) for m in members.monthly_people])
            ),
        },
        "people_per_crossing_day_distance": distance,
        **extra,
        "deaths_by_year": deaths,
        "monthly": monthly,
    }


def skill_against_baselines(
    monthly_people: np.ndarray, observed: Observed, test: Period, train_start: dt.date
) -> dict[str, Any]:
    """The model's monthly ensemble (members × test months) and the baselines, scored on
    the test months; the baselines learn from the months from ``train_start`` to the month
    before the test's first."""
    dates = pd.to_datetime(observed.daily["date"])
    people = observed.daily["people"]
    first_month = pd.Timestamp(test.start).to_period("M").start_time
    in_test = (dates >= pd.Timestamp(test.start)) & (dates <= pd.Timestamp(test.end))
    in_train = (dates >= pd.Timestamp(train_start)) & (dates < first_month)
    if not in_train.any():
        raise InputError(
            None, "--test", f"expected a test period after some training data, got {test}"
        )
    return skill(
        monthly_people,
        MonthlySeries.from_daily(dates[in_test], people[in_test]),
        MonthlySeries.from_daily(dates[in_train], people[in_train]),
    )


def _baseline_traces(fig: Any, result: dict[str, Any]) -> None:
    """Each baseline's median forecast on the monthly panel (dashed)."""
    import plotly.graph_objects as go

    forecasts = result.get("skill", {}).get("forecasts", {})
    colours = {"naive": "#7f7f7f", "seasonal_naive": "#ff7f0e", "ets": "#2ca02c"}
    for name, scored in forecasts.items():
        if name == "model" or "unavailable" in scored:
            continue
        fig.add_trace(
            go.Scatter(
                x=result["skill"]["months"],
                y=scored["monthly"]["median"],
                name=f"{scored['label']}: MASE {scored['mase']:.2f}"
                if scored["mase"] is not None
                else scored["label"],
                mode="lines+markers",
                line={"dash": "dash", "color": colours.get(name)},
            ),
            row=1,
            col=1,
        )


def _partial_month(result: dict[str, Any]) -> str:
    """`` (May 2026 to the 28th)`` when the test period ends before its last month does (the
    axis drew May 2026 as a whole month), else ``""``."""
    end = dt.date.fromisoformat(str(result["test"]).split(":")[1])
    following = end + dt.timedelta(days=1)
    return "" if following.day == 1 else f" ({end:%b %Y} to the {_ordinal(end.day)})"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def calibration_figure(result: dict[str, Any]) -> Any:
    """Monthly predictive intervals with the observed totals, and the coverage curve."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    monthly = pd.DataFrame(result["monthly"])
    curve = pd.DataFrame(result["coverage_curve"])
    fig = make_subplots(  # one above the other: side by side, the titles ran into each other
        rows=2,
        cols=1,
        row_heights=[0.62, 0.38],
        vertical_spacing=0.16,
        subplot_titles=(  # short: a long title ran off a narrow page
            "Arrivals by month: intervals and medians"
            + ("" if len(result["monthly"]) <= NAMED_MONTHS else _partial_month(result)),
            "Coverage: months inside each interval",
        ),
    )
    x = monthly["month"]
    _month_ticks(fig, list(x), result)
    for low, high, name, opacity in (
        ("low90", "high90", "90% interval", 0.2),
        ("low50", "high50", "50% interval", 0.4),
    ):
        fig.add_trace(
            go.Scatter(x=x, y=monthly[high], mode="lines", line={"width": 0}, showlegend=False),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=monthly[low],
                mode="lines",
                fill="tonexty",
                fillcolor=f"rgba(31,119,180,{opacity})",
                line={"width": 0},
                name=name,
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=x, y=monthly["median"], name="median", mode="lines", line={"color": "#1f77b4"}
        ),
        row=1,
        col=1,
    )
    _baseline_traces(fig, result)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=monthly["observed"],
            name="observed",
            mode="markers",
            marker={"color": "black", "size": 9},
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 1], name="perfect", mode="lines", line={"dash": "dot", "color": "grey"}
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=curve["nominal"], y=curve["observed"], name="observed coverage"),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text="people arrived in the month", row=1, col=1)
    fig.update_xaxes(title_text="nominal level of the interval", row=2, col=1)
    fig.update_yaxes(title_text="share of months inside", range=[0, 1], row=2, col=1)
    fig.update_layout(title=result.get("title", "channelsim validation"), height=760)
    return fig


#: Most months whose every tick is named (beyond, Plotly's own ticks; the title says which
#: month is partial).
NAMED_MONTHS = 24


def _month_ticks(fig: Any, months: list[str], result: dict[str, Any]) -> None:
    """Name each month's tick as text writes it (``Jan 2026``), the last marked when the test
    covers it in part (``May 2026 (to 28th)``: the axis drew May as a whole month)."""
    if not months or len(months) > NAMED_MONTHS:
        return
    text = [f"{dt.date.fromisoformat(m + '-01'):%b %Y}" for m in months]
    end = dt.date.fromisoformat(str(result["test"]).split(":")[1])
    if _partial_month(result):
        text[-1] += f"<br>(to {_ordinal(end.day)})"
    fig.update_xaxes(tickvals=months, ticktext=text, row=1, col=1)


def validate(
    posterior: Posterior,
    observed: Observed,
    test: Period,
    *,
    runs: int = 100,
    seed: int = 0,
    weather: str | None = None,
    workers: int | None = None,
    executor: str = "processes",
    progress: bool = True,
    scenario: Scenario | None = None,
) -> dict[str, Any]:
    """Run ``runs`` posterior draws over the test period and score them against the data.

    ``scenario`` (e.g. history) is run from its own start to the end of the test period as
    known on the posterior's last day of training (history continued: no value learnt from
    later data); ``None``: the default parameters without policies. The result holds the
    scores (``score``), skill against baselines (``skill``), the fit by year (``by_year``,
    :func:`~channelsim.experiments.fit.fit_by_year`), what the test saw (``blind``) and the
    test period's data the runs used (``uses_test_period_data``: a replay's crossing days).
    Raises :class:`InputError` for fewer than 2 runs or an unknown weather mode."""
    if runs < 2:
        raise InputError(None, "--runs", f"expected at least 2 runs, got {runs}")
    weather = weather or posterior.weather
    if weather not in ("stochastic", "replay"):
        raise InputError(None, "--weather", f"expected stochastic or replay, got {weather!r}")
    test = observed.clip(test, "--test")
    case = Case(
        scenario=_validation_scenario(scenario, posterior, test, weather),
        observed_crossing=observed.crossing_days() if weather == "replay" else None,
    )
    draws = posterior.draws(runs, seed)
    spec = EnsembleSpec(
        scenarios={"validation": case},
        reps=runs,
        base_seed=seed,
        draws=draws,
        name="validate",
        kind="run",
    )
    members = [Member("validation", i, i) for i in range(runs)]
    ensemble = run_ensemble(
        run_case, spec, members, executor=executor, workers=workers, progress=progress
    )
    obs = observed_series(observed, test)
    stacked = stack_members([o.tables["daily"] for o in ensemble.outputs], obs)
    result = score(stacked, obs)
    result["skill"] = skill_against_baselines(
        stacked.monthly_people, observed, test, posterior.train.start
    )
    result["by_year"] = fit_by_year([o.tables["daily"] for o in ensemble.outputs], observed, test)
    overlap = posterior.train.start <= test.end and test.start <= posterior.train.end
    return {
        "posterior": str(posterior.path),
        "train": str(posterior.train),
        "test": str(test),
        "out_of_sample": not overlap,
        "weather": weather,
        # what it is, as its headline says: a replay's runs knew the test's crossing days
        "uses_test_period_data": "the observed crossing days (weather replay)"
        if weather == "replay"
        else None,
        "scenario": case.scenario.name,
        "runs": runs,
        "seed": seed,
        "data": observed.provenance(),
        "blind": blind_record(posterior, test),
        **result,
    }


def _validation_scenario(
    scenario: Scenario | None, posterior: Posterior, test: Period, weather: str
) -> Scenario:
    """What validation runs: ``scenario`` continued from the posterior's training (as known
    on its last day) to the end of the test, or the defaults over training and test."""
    if scenario is None:
        start = min(posterior.train.start, test.start)
        return base_scenario(Period(start, test.end), weather, VALIDATION_SCENARIO)
    known = Period(max(posterior.train.start, scenario.start), posterior.train.end)
    period = Period(scenario.start, test.end)
    return scenario_over(scenario, period, known, str(scenario.source or scenario.name))


def blind_record(posterior: Posterior, test: Period) -> dict[str, Any]:
    """Whether the test is blind: the priors the posterior was calibrated with (their
    sha256, as recorded in its ``posterior.toml``), when they were recorded, the last day
    of data the calibration read, and that the test period starts after it; a
    ``PROVENANCE.md`` beside the posterior says the rest (who saw what before)."""
    import hashlib

    cal = posterior.summary["calibration"]
    prior = posterior.summary["parameters"].get("prior", {})
    text = json.dumps(prior, sort_keys=True, default=str)
    provenance = posterior.path / "PROVENANCE.md"
    return {
        "priors_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "priors_recorded": str(cal.get("created")) if cal.get("created") else None,
        "calibration_read_data_to": str(posterior.train.end),
        "test_from": str(test.start),
        "test_after_training": test.start > posterior.train.end,
        "validated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "provenance": provenance.read_text(encoding="utf-8") if provenance.is_file() else None,
    }


def _finite(value: Any) -> Any:
    """NaN becomes null, so that the JSON is valid."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def posterior_line(result: dict[str, Any]) -> str:
    """The posterior folder a validation drew its parameters from, as its plot says it."""
    return f"Parameters drawn from the posterior {result.get('posterior') or '(not recorded)'}."


def validation_credit(result: dict[str, Any]) -> str:
    """The credit of a validation's simulated figures, naming the scenario it ran and its seed
    (it said "the scenarios named", and the plot names none); the scenario channelsim makes
    when none is given (default parameters, no policies) is said in words."""
    from channelsim.reports.credits import simulated_line

    name = str(result.get("scenario") or "") or None
    if name == VALIDATION_SCENARIO:
        name = f"{VALIDATION_SCENARIO} (no policies, parameters drawn from the posterior)"
    seed = result.get("seed")
    return simulated_line(name, seed if isinstance(seed, int) else None)


def validation_figure(result: dict[str, Any]) -> Any:
    """The calibration plot of ``result`` as published: its headline in words (what the
    forecast got right and wrong) and the credits (the Home Office edition with its Open
    Government Licence line, and the simulated figures as model outputs) inside the figure."""
    from channelsim.reports.credits import publishable
    from channelsim.reports.headlines import validation_headline

    title = f"channelsim {_page_kind(result)}: test {_test_period(result)}"
    credits = [validation_headline(result), *validation_credits(result)]
    return publishable(calibration_figure(result), title, credits)


def _page_kind(result: dict[str, Any]) -> str:
    """What the page's title calls the result (short: the whole title fits a page 1,000 px
    wide; the headline under the chart says the rest): a validation, or what is not a
    forecast (:func:`channelsim.reports.headlines.validation_kind`)."""
    from channelsim.reports.headlines import HINDCAST, validation_kind

    kind = validation_kind(result)
    if kind == HINDCAST:
        return "hindcast with observed crossing days"
    return "validation" if kind == "Forecast" else "in-sample fit, not a forecast"


def validation_credits(result: dict[str, Any]) -> list[str]:
    """The credits of a validation's figures, as its plot and its CSV's ``Source`` column
    give them: the Home Office edition of the observed figures (with its licence), the
    simulated figures' (:func:`validation_credit`) and the posterior drawn from."""
    from channelsim.reports.credits import home_office_line

    editions = [
        "Observed: "
        + home_office_line({"date": e["edition_date"], "file": e["file"]}).removeprefix("Source: ")
        for e in result.get("data", [])[-1:]
    ]
    return [*editions, validation_credit(result), posterior_line(result)]


def _test_period(result: dict[str, Any]) -> str:
    """The test period as a title writes dates (``1 Jan–28 May 2026``, never ISO)."""
    from channelsim.headline import period_text

    start, end = (dt.date.fromisoformat(d) for d in str(result["test"]).split(":"))
    return period_text(start, end).removeprefix("in ")


def write_validation(result: dict[str, Any], out: Path | OutputTarget) -> Path:
    """Write ``validation.json`` and the self-contained calibration plot to ``out``."""
    figure = validation_figure(result)

    def write(tmp: Path) -> None:
        (tmp / JSON_FILE).write_text(
            json.dumps(_finite(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        figure.write_html(tmp / PLOT_FILE, include_plotlyjs=True, full_html=True)

    return write_output_folder(out, write, kind="validation")
