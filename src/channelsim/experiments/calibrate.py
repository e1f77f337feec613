"""Calibration by ABC-SMC: a weighted posterior sample of the free parameters.

The method is the population Monte Carlo ABC of Beaumont, Cornuet, Marin & Robert (2009),
with an adaptive tolerance schedule as in pyABC (Klinger, Rickert & Hasenauer 2018):

1. Generation 0 draws ``batch`` parameter sets from the prior (uniform on each parameter's
   plausible range, :func:`priors`; a Latin hypercube sample, which covers each range
   more evenly than independent draws), runs one simulation of each and keeps those whose
   discrepancy (:class:`~channelsim.experiments.targets.Targets`) lies below the tolerance
   ``ε₀``, the ``accept_quantile`` of the batch's discrepancies.
2. Generation ``t`` draws a parent from the previous population by weight, perturbs it with a
   Gaussian kernel truncated to the prior's box (per parameter, variance twice the weighted
   population variance), runs it, and accepts it when its discrepancy is at most ``εₜ``:
   the median discrepancy of the previous population (pyABC's default schedule), but loose
   enough to accept at least the ``accept_quantile`` share of the batch and never looser than
   ``εₜ₋₁``, so that the population neither collapses nor widens. Accepted particles get
   the importance weight
   ``π(θ) / Σⱼ Wⱼ K(θ | θⱼ)``, which corrects for proposing from the previous population.
3. The last generation's accepted particles and their normalised weights are the posterior.

Each particle is simulated once, with its own seed (``member_seed(generation seed, index)``),
so weather and every other chance differ between particles, as ABC requires; the driver
proposes, the ensemble machinery (:func:`~channelsim.experiments.run_ensemble`) runs a whole
generation in parallel and the members score themselves in the workers. Results are placed by
member index, so a calibration is bit-identical for a seed whatever the number of workers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import subprocess
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.stats import norm, qmc, truncnorm

from channelsim import __version__
from channelsim.errors import NESTED_TOO_DEEP, InputError
from channelsim.experiments.ensemble import EnsembleSpec, Member, draws_from_posterior, run_ensemble
from channelsim.experiments.targets import (
    DEATHS_COUNTED_BY,
    HISTORY_WEIGHTS,
    TOLERANCES,
    Observed,
    Period,
    Targets,
    headline_totals,
    observed_series,
    targets_for,
)
from channelsim.outputs import TEXT_STAMP, OutputTarget, write_output_file, write_output_folder
from channelsim.params import Params, apply_overrides, default_params, list_parameters
from channelsim.scenario import (
    DRIVER_PREFIX,
    Scenario,
    WeatherSpec,
    known_on,
    split_overrides,
    with_driver_values,
)

if TYPE_CHECKING:
    from channelsim.engine import SimResult
    from channelsim.fields import Field, FieldTable

METHOD = "ABC-SMC (Beaumont et al. 2009 population Monte Carlo; median tolerance schedule)"
POSTERIOR_FILE = "posterior.parquet"
SUMMARY_FILE = "posterior.toml"
TRIALS_FILE = "trials.parquet"
REPORT_MD = "fit_report.md"
#: ``calibrate --write-defaults``: the posterior medians as defaults, in the posterior folder.
DEFAULTS_FILE = "calibration_defaults.toml"
REPORT_JSON = "fit_report.json"

#: The free parameters: those that set the size, timing, occupancy, prevention and deaths of
#: crossings. The others (at-sea physics, rescue rates, survival) are fixed at their defaults:
#: the official series does not observe them.
FREE_PARAMETERS = (
    "coast.initial_waiting_people",
    "coast.inflow_people_per_day",
    "coast.inflow_trend_per_year",
    "coast.inflow_seasonal_amplitude",
    "coast.inflow_peak_day_of_year",
    "coast.attrition_per_day",
    "networks.boat_supply_per_day",
    "networks.max_boats_per_day",
    "networks.launch_share_per_window_day",
    "networks.mean_occupancy_people",
    "networks.occupancy_sigma",
    "networks.occupancy_trend_per_year",
    "networks.scarcity_occupancy_elasticity",
    "beach.prevention_probability",
    "beach.groups_per_boat",
    "beach.crush_deaths_per_boat",
    "hazards.capsize_per_hour",
    "weather.max_wind_kn",
    "weather.max_wave_height_m",
)

#: The parameters that set deaths and nothing else of note (a few dozen people a year among
#: tens of thousands), and history's driver of the risk at sea: not calibrated by ABC but
#: afterwards, by simulated moments over many runs (:mod:`channelsim.experiments.defaults`).
#: One run's deaths are mostly noise (a year's deaths at sea come in one or two capsizes:
#: 2024's vary by about 38 between seeds against a target scale of 9), so scoring them in
#: ABC adds noise to every particle's discrepancy and stalls its tolerance; the calibration
#: runs with their shipped values and does not weigh deaths (``HISTORY_WEIGHTS``).
MOMENT_PARAMETERS = (
    "beach.crush_deaths_per_boat",
    "beach.wading_deaths_per_taxi_boat",
    "hazards.capsize_per_hour",
)
MOMENT_DRIVERS = ("sea_hazard",)

#: The free parameters when calibrating history (``scenarios/history.toml``): history's
#: drivers carry the change over time (the coastal inflow by year, occupancy, taxi boats,
#: officers), so the exponential trends and the first day's waiting population are not free;
#: the rescue and engine-failure rates join, now that French rescues are a target (PREMAR),
#: and so does how beach effort acts. The drivers' calibrated values (those with a prior
#: range in the scenario, ``drivers.<policy>.<index>``) are added, but for
#: ``MOMENT_DRIVERS``; ``MOMENT_PARAMETERS`` are fitted afterwards.
HISTORY_FREE_PARAMETERS = (
    "coast.inflow_people_per_day",
    "coast.inflow_seasonal_amplitude",
    "coast.inflow_peak_day_of_year",
    "coast.attrition_per_day",
    "networks.boat_supply_per_day",
    "networks.max_boats_per_day",
    "networks.launch_share_per_window_day",
    "networks.mean_occupancy_people",
    "networks.occupancy_sigma",
    "networks.scarcity_occupancy_elasticity",
    "beach.prevention_probability",
    "beach.effort_elasticity",
    "hazards.engine_failure_per_hour",
    "rescue.fr_rescue_per_hour",
    "weather.max_wind_kn",
    "weather.max_wave_height_m",
)

DEFAULT_BUDGET = 4000
DEFAULT_GENERATIONS = 5
DEFAULT_ACCEPT_QUANTILE = 0.2


@dataclasses.dataclass(frozen=True)
class Prior:
    """A uniform prior on ``[low, high]``; an integer parameter is uniform on the integers."""

    path: str
    low: float
    high: float
    integer: bool

    def value(self, unit: float) -> float | int:
        """The parameter value at a position ``unit`` in [0, 1] of the range."""
        if self.integer:  # equal mass for every integer, the end points included
            return min(
                int(self.high), math.floor(self.low + float(unit) * (self.high - self.low + 1))
            )
        return self.low + float(unit) * (self.high - self.low)


def driver_priors(scenario: Scenario | None) -> dict[str, Prior]:
    """The calibrated values of a scenario's drivers: ``drivers.<policy>.<index>`` for each
    dated value whose prior range (``prior_low`` < ``prior_high``) the scenario states."""
    found: dict[str, Prior] = {}
    for spec in scenario.policies if scenario is not None else ():
        low, high = spec.params.get("prior_low"), spec.params.get("prior_high")
        if spec.name is None or low is None or high is None:
            continue
        for i, (a, b) in enumerate(zip(low, high, strict=True)):
            if float(b) > float(a):
                path = f"{DRIVER_PREFIX}{spec.name}.{i}"
                found[path] = Prior(path, float(a), float(b), False)
    return found


def priors(paths: Sequence[str] = FREE_PARAMETERS, scenario: Scenario | None = None) -> list[Prior]:
    """The uniform priors of ``paths``: plausible ranges from ``channelsim.params``, and the
    prior ranges a scenario states for its drivers' values (:func:`driver_priors`)."""
    infos = {p.path: p for p in list_parameters(Params())}
    drivers = driver_priors(scenario)
    result = []
    for path in paths:
        if path in drivers:
            result.append(drivers[path])
            continue
        info = infos.get(path)
        if info is None:
            raise InputError(None, "parameters", f"expected a parameter path, got {path!r}")
        if info.low is None or info.high is None:
            raise InputError(None, path, "expected a parameter with a plausible range")
        result.append(Prior(path, float(info.low), float(info.high), isinstance(info.default, int)))
    return result


def known_parameters(paths: Sequence[str], scenario: Scenario) -> tuple[str, ...]:
    """``paths`` without the driver values that ``scenario`` (as known on the last day of
    training) no longer has: the values dated after the training period, which the data
    cannot inform."""
    calibrated = driver_priors(scenario)
    return tuple(p for p in paths if not p.startswith(DRIVER_PREFIX) or p in calibrated)


def overrides_from_unit(prior_list: Sequence[Prior], unit: np.ndarray) -> dict[str, float | int]:
    """Dotted overrides for one point of the unit cube."""
    return {p.path: p.value(u) for p, u in zip(prior_list, unit, strict=True)}


def nest(dotted: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"sea.engine_speed_kn": 5}`` -> ``{"sea": {"engine_speed_kn": 5}}``."""
    nested: dict[str, dict[str, Any]] = {}
    for key, value in dotted.items():
        group, name = key.split(".", 1)
        nested.setdefault(group, {})[name] = value
    return nested


# -- what every member shares ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    """A scenario to simulate, replay weather's observed crossing days, and the targets
    to score against (``None``: return the daily table instead of a score)."""

    scenario: Scenario
    observed_crossing: pd.Series | None = None
    targets: Targets | None = None


def run_case(case: Case, seed: int, overrides: Mapping[str, Any] | None) -> SimResult:
    """Member function: simulate ``case`` with dotted ``overrides``; with targets, the
    result's totals are its score (discrepancy, parts, headline totals) and it carries no
    table; without, it carries its daily table."""
    from channelsim.engine import SimSpec, simulate
    from channelsim.world.environment import ReaderRequest, make_reader

    scenario = case.scenario
    if overrides:
        flat, drivers = split_overrides(overrides)
        if flat:
            params = apply_overrides(scenario.params, nest(flat), "posterior")
            scenario = scenario.with_changes(params=params)
        scenario = with_driver_values(scenario, drivers, "posterior")
    weather = None
    if case.observed_crossing is not None:
        weather = make_reader(
            ReaderRequest(
                "replay",
                max_wind_kn=scenario.params.weather.max_wind_kn,
                max_wave_height_m=scenario.params.weather.max_wave_height_m,
                observed_crossing=case.observed_crossing,
            )
        )
    result = simulate(SimSpec(scenario, weather), seed)
    if case.targets is None:
        return result.with_extra({}, keep=("daily",))
    discrepancy, parts, stats = case.targets.score(result.daily)
    totals: dict[str, float] = {"discrepancy": discrepancy}
    totals.update({f"d_{name}": value for name, value in parts.items()})
    totals.update(headline_totals(stats))
    return result.with_extra(totals, only=True)


def calibration_scenario(config: CalibrationConfig, train: Period) -> Scenario:
    """What a calibration simulates: the config's scenario file from its own start to the end
    of the training period, as known on its last day (:func:`~channelsim.scenario.known_on`:
    no dated value from after the training period, so none is calibrated), its weather mode
    replaced by the config's (replay being read by the members); or the bare defaults over
    the training period."""
    if config.scenario is None:
        return base_scenario(train, config.weather)
    from channelsim.engine import load_scenario

    scenario = load_scenario(config.scenario)
    return scenario_over(scenario, Period(scenario.start, train.end), train, config.scenario)


def scenario_over(scenario: Scenario, period: Period, known: Period, source: str) -> Scenario:
    """``scenario`` as known on the last day of ``known``, run over ``period`` (which must
    start on or after the scenario's start, on or before ``known``'s), stochastic weather.

    Raises :class:`InputError` naming ``source`` if the scenario starts after ``known``.
    """
    if not scenario.start <= known.start:
        raise InputError(source, "start", f"expected a start on or before the period {known}")
    return known_on(scenario, known.end).with_changes(
        start=period.start, end=period.end, weather=WeatherSpec(mode="stochastic")
    )


def scenario_free_parameters(scenario: Scenario) -> tuple[str, ...]:
    """History's free parameters and the scenario's calibrated driver values, but for those
    of ``MOMENT_DRIVERS`` (fitted afterwards by simulated moments)."""
    moments = tuple(f"{DRIVER_PREFIX}{name}." for name in MOMENT_DRIVERS)
    drivers = [path for path in driver_priors(scenario) if not path.startswith(moments)]
    return (*HISTORY_FREE_PARAMETERS, *drivers)


def base_scenario(period: Period, weather_mode: str, name: str = "calibration") -> Scenario:
    """Default parameters, no policies, over ``period``."""
    return Scenario(
        name=name,
        start=period.start,
        end=period.end,
        weather=WeatherSpec(mode="stochastic"),
        params=default_params(),
        description=f"{weather_mode} weather",
    )


# -- ABC-SMC ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CalibrationConfig:
    """Everything a calibration depends on besides the data and the code."""

    train: Period
    budget: int = DEFAULT_BUDGET
    generations: int = DEFAULT_GENERATIONS
    accept_quantile: float = DEFAULT_ACCEPT_QUANTILE
    weather: str = "stochastic"
    seed: int = 0
    parameters: tuple[str, ...] = FREE_PARAMETERS
    #: A scenario file to run (e.g. ``scenarios/history.toml``: policies and drivers, from
    #: its own start so that the waiting population carries over); ``None``: the default
    #: parameters without policies over the training period.
    scenario: str | None = None

    def __post_init__(self) -> None:
        if self.weather not in ("stochastic", "replay"):
            raise InputError(
                None, "--weather", f"expected stochastic or replay, got {self.weather!r}"
            )
        if self.generations < 1:
            raise InputError(None, "generations", "expected at least one generation")
        if self.budget < 4 * self.generations:
            raise InputError(
                None,
                "--budget",
                f"expected at least {4 * self.generations} simulations "
                f"({self.generations} generations of 4), got {self.budget}",
            )
        if not 0.0 < self.accept_quantile <= 1.0:
            raise InputError(None, "accept_quantile", "expected a number in (0, 1]")
        if self.seed < 0:
            raise InputError(None, "--seed", f"expected a non-negative seed, got {self.seed}")
        if len(set(self.parameters)) != len(self.parameters):
            raise InputError(None, "parameters", "expected each parameter once")

    @property
    def batch(self) -> int:
        return self.budget // self.generations


@dataclasses.dataclass
class Calibration:
    """A finished calibration: the posterior, every trial, and its provenance."""

    config: CalibrationConfig
    priors: list[Prior]
    posterior: pd.DataFrame  # particle, weight, discrepancy, <parameter paths>
    trials: pd.DataFrame  # generation, index, accepted, discrepancy, d_<target>, totals, params
    tolerances: list[float]
    targets: Targets
    observed: Observed
    elapsed_s: float

    @property
    def ess(self) -> float:
        """Effective sample size of the weighted posterior (Kish)."""
        w = self.posterior["weight"].to_numpy()
        return float(w.sum() ** 2 / (w * w).sum())


def _kernel_sd(unit: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per-parameter kernel sd: sqrt(2 × weighted variance), kept away from zero."""
    mean = weights @ unit
    var = weights @ (unit - mean) ** 2
    return np.sqrt(np.maximum(2.0 * var, 1e-6))


def _propose(
    rng: np.random.Generator, parents: np.ndarray, weights: np.ndarray, sd: np.ndarray, n: int
) -> np.ndarray:
    """``n`` points: a parent by weight, moved by the truncated Gaussian kernel in [0, 1]."""
    pick = rng.choice(len(parents), size=n, p=weights)
    centre = parents[pick]
    a, b = (0.0 - centre) / sd, (1.0 - centre) / sd
    return np.asarray(truncnorm.rvs(a, b, loc=centre, scale=sd, random_state=rng))


def _proposal_density(
    points: np.ndarray, parents: np.ndarray, weights: np.ndarray, sd: np.ndarray
) -> np.ndarray:
    """Σⱼ Wⱼ K(θ | θⱼ) for each point, with the kernel's truncation to [0, 1] normalised."""
    z = (points[:, None, :] - parents[None, :, :]) / sd
    mass = norm.cdf((1.0 - parents) / sd) - norm.cdf((0.0 - parents) / sd)
    log_k = (norm.logpdf(z) - np.log(sd) - np.log(mass)[None, :, :]).sum(axis=2)
    peak = log_k.max(axis=1, keepdims=True)
    return np.asarray(np.exp(peak[:, 0]) * (np.exp(log_k - peak) @ weights))


def _generation_seed(seed: int, generation: int) -> int:
    state = np.random.SeedSequence([seed, generation]).generate_state(1, dtype=np.uint64)
    return int(state[0]) >> 1


Evaluate = Callable[[int, list[dict[str, Any]]], pd.DataFrame]


def calibrate(
    observed: Observed,
    config: CalibrationConfig,
    *,
    workers: int | None = None,
    executor: str = "processes",
    progress: bool = True,
) -> Calibration:
    """Run ABC-SMC against ``observed`` over ``config.train``."""
    import time

    started = time.time()
    train = observed.clip(config.train, "--train")
    targets = Targets.build(
        observed_series(observed, train),
        targets_for(config.weather),
        HISTORY_WEIGHTS if config.scenario is not None else None,
    )
    case = Case(
        scenario=calibration_scenario(config, train),
        observed_crossing=observed.crossing_days() if config.weather == "replay" else None,
        targets=targets,
    )
    prior_list = priors(known_parameters(config.parameters, case.scenario), case.scenario)
    rng = np.random.default_rng(config.seed)
    batch = config.batch
    keep = max(2, round(config.accept_quantile * batch))

    def evaluate(generation: int, draws: list[dict[str, Any]]) -> pd.DataFrame:
        spec = EnsembleSpec(
            scenarios={"calibration": case},
            reps=len(draws),
            base_seed=_generation_seed(config.seed, generation),
            draws=draws,
            name=f"calibrate g{generation + 1}/{config.generations}",
            kind="calibrate",
        )
        members = [Member("calibration", i, i) for i in range(len(draws))]
        result = run_ensemble(
            run_case, spec, members, executor=executor, workers=workers, progress=progress
        )
        return result.totals().drop(columns=["scenario", "draw", "rep"])

    trials: list[pd.DataFrame] = []
    tolerances: list[float] = []
    # generation 0: a Latin hypercube sample of the prior box (any batch size works)
    unit = qmc.LatinHypercube(len(prior_list), seed=rng).random(batch)
    weights = np.full(batch, 1.0 / batch)
    parents = unit
    parent_weights = weights
    parent_distance = np.zeros(0)
    sd = np.ones(len(prior_list))
    for generation in range(config.generations):
        if generation > 0:
            sd = _kernel_sd(parents, parent_weights)
            unit = _propose(rng, parents, parent_weights, sd, batch)
        draws = [overrides_from_unit(prior_list, u) for u in unit]
        scores = evaluate(generation, draws)
        distance = scores["discrepancy"].to_numpy(float)
        ranked = np.sort(distance)
        epsilon = float(ranked[keep - 1])
        if tolerances:
            epsilon = min(tolerances[-1], max(float(np.median(parent_distance)), epsilon))
            epsilon = max(epsilon, float(ranked[1]))
        accepted = distance <= epsilon
        if generation == 0:
            new_weights = np.ones(batch)
        else:
            new_weights = 1.0 / _proposal_density(unit, parents, parent_weights, sd)
        new_weights = np.where(accepted, new_weights, 0.0)
        tolerances.append(epsilon)
        frame = pd.DataFrame(draws)
        frame.insert(0, "generation", generation)
        frame.insert(1, "index", np.arange(batch))
        frame.insert(2, "accepted", accepted)
        frame.insert(3, "weight", new_weights / new_weights.sum())
        trials.append(pd.concat([frame, scores.drop(columns=["seed"])], axis=1))
        parents = unit[accepted]
        parent_weights = new_weights[accepted] / new_weights[accepted].sum()
        parent_distance = distance[accepted]
    all_trials = pd.concat(trials, ignore_index=True)
    last = all_trials[(all_trials["generation"] == config.generations - 1) & all_trials["accepted"]]
    names = [p.path for p in prior_list]
    posterior = last[["weight", "discrepancy", *names]].reset_index(drop=True)
    posterior.insert(0, "particle", np.arange(len(posterior)))
    return Calibration(
        config=config,
        priors=prior_list,
        posterior=posterior,
        trials=all_trials,
        tolerances=tolerances,
        targets=targets,
        observed=observed,
        elapsed_s=time.time() - started,
    )


# -- summaries and files --------------------------------------------------------------------


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF, midpoints)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, v)


def parameter_summary(calibration: Calibration) -> list[dict[str, Any]]:
    """Posterior median and 90% interval of each parameter against its prior range."""
    post = calibration.posterior
    w = post["weight"].to_numpy(float)
    rows = []
    for prior in calibration.priors:
        q05, q50, q95 = weighted_quantile(post[prior.path].to_numpy(float), w, (0.05, 0.5, 0.95))
        rows.append(
            {
                "parameter": prior.path,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "median": float(q50),
                "low90": float(q05),
                "high90": float(q95),
                "interval_share_of_prior": float((q95 - q05) / (prior.high - prior.low)),
            }
        )
    return rows


def target_summary(calibration: Calibration) -> list[dict[str, Any]]:
    """Each target's discrepancy: prior predictive median against the posterior's."""
    trials = calibration.trials
    first = trials[trials["generation"] == 0]
    post = calibration.posterior
    last = trials[(trials["generation"] == trials["generation"].max()) & trials["accepted"]]
    w = post["weight"].to_numpy(float)
    rows = []
    for name in calibration.targets.names:
        column = f"d_{name}"
        rows.append(
            {
                "target": name,
                "weight": calibration.targets.weights[name],
                "prior_median": float(first[column].median()),
                "posterior_median": float(
                    weighted_quantile(last[column].to_numpy(float), w, [0.5])[0]
                ),
                "posterior_best": float(last[column].min()),
            }
        )
    return rows


#: Where each total's observed figure comes from, by the statistic it is summed from; a
#: total whose statistic holds no figure for the training period (prevention before the week
#: ending 5 May 2024, deaths of a year without a sourced count) is not published: ``None``,
#: never 0.
TOTAL_SOURCES = {
    "arrived_people": ("annual_people", "Home Office small-boat series"),
    "arrived_boats": ("annual_boats", "Home Office small-boat series"),
    "prevented_people": (
        "prevented_people_monthly",
        "Home Office weekly series of people the French prevented, over the weeks it records",
    ),
    "dead_or_missing_people": (
        "deaths_by_year",
        f"the midpoints of {DEATHS_COUNTED_BY}' ranges, of the French zone alone (the "
        "model's figure here counts both sides of the median line): not an official series",
    ),
}


def _published(statistic: Any) -> bool:
    values = np.asarray(statistic, dtype=float)
    return bool(values.size and np.isfinite(values).any())


def totals_summary(calibration: Calibration) -> list[dict[str, Any]]:
    """Simulated totals over the training period (posterior) against the observed ones:
    ``observed`` ``None`` where nothing is published for the period, ``observed_by`` where
    the figure comes from and ``weight`` the weight of its target in the fit (0: not fitted)."""
    trials = calibration.trials
    last = trials[(trials["generation"] == trials["generation"].max()) & trials["accepted"]]
    w = calibration.posterior["weight"].to_numpy(float)
    statistics = calibration.targets.statistics
    observed = headline_totals(statistics)
    rows = []
    for name, value in observed.items():
        q05, q50, q95 = weighted_quantile(last[name].to_numpy(float), w, (0.05, 0.5, 0.95))
        statistic, source = TOTAL_SOURCES.get(name, ("", ""))
        published = _published(statistics.get(statistic, [value]))
        target = calibration.targets.weights.get(statistic)
        rows.append({
            "total": name, "observed": value if published else None,
            "median": q50, "low90": q05, "high90": q95,
            "observed_by": source if published else "not published for the training period",
            "weight": target,
        })  # fmt: skip
    return rows


#: The effective sample size below which a posterior is said to be too small to use: its
#: intervals rest on a handful of parameter sets (the shipped posteriors have 29–88; the s11
#: testers' 400-run calibration had 23 and its 90% intervals were still 80–94% of the prior).
MIN_USABLE_ESS = 25


def posterior_warning(particles: int, ess: float, budget: int) -> str | None:
    """A warning for a posterior too small to use (effective sample size below
    :data:`MIN_USABLE_ESS`), or ``None``."""
    if ess >= MIN_USABLE_ESS:
        return None
    return (
        f"the posterior rests on {particles} particles (effective sample size {ess:.0f}, "
        f"below {MIN_USABLE_ESS}): too few to use for forecast or --posterior (a few "
        f"parameter sets would stand for all); run calibrate with a larger --budget than "
        f"{budget:,} (default {DEFAULT_BUDGET:,}; the shipped posteriors used 1,200–4,800)"
    )


def git_commit() -> str | None:
    """The source checkout's commit, if there is one (for the record)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _scenario_record(path: str | None) -> str:
    """The scenario a calibration ran, with the sha256 of its file (and of its bases')."""
    if path is None:
        return "defaults without policies"
    import hashlib

    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return f"{Path(path).name} (sha256 {digest})"


def summary_record(calibration: Calibration) -> dict[str, Any]:
    """The TOML summary: what was calibrated, on what, how, by which code."""
    c = calibration.config
    train = calibration.observed.clip(c.train, "--train")
    return {
        "calibration": {
            "method": METHOD,
            "weather": c.weather,
            "train_from": train.start,
            "train_to": train.end,
            "budget": c.budget,
            "generations": c.generations,
            "batch": c.batch,
            "accept_quantile": c.accept_quantile,
            "seed": c.seed,
            "particles": len(calibration.posterior),
            "effective_sample_size": round(calibration.ess, 1),
            "tolerances": [round(t, 4) for t in calibration.tolerances],
            "elapsed_s": round(calibration.elapsed_s, 1),
            "code_version": __version__,
            "git_commit": git_commit() or "unknown",
            "scenario": _scenario_record(c.scenario),
            "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        },
        "targets": {
            "names": list(calibration.targets.names),
            "weights": dict(calibration.targets.weights),
        },
        "data": {"editions": calibration.observed.provenance()},
        "parameters": {
            "names": [p.path for p in calibration.priors],
            "prior": {
                p.path: {"low": p.low, "high": p.high, "integer": p.integer}
                for p in calibration.priors
            },
        },
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    return json.dumps(str(value), ensure_ascii=False)


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def to_toml(record: Mapping[str, Mapping[str, Any]], header: str = "") -> str:
    """A small TOML writer for tables of scalars, lists and inline tables (all we write)."""
    lines = [f"# {line}" for line in header.splitlines()] + ([""] if header else [])
    for table, values in record.items():
        lines.append(f"[{table}]")
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in values.items())
        lines.append("")
    return "\n".join(lines)


def fit_report(calibration: Calibration) -> dict[str, Any]:
    """The fit report as JSON-ready data."""
    return {
        "summary": summary_record(calibration),
        "targets": target_summary(calibration),
        "totals": totals_summary(calibration),
        "parameters": parameter_summary(calibration),
    }


def _md_table(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return "(none)\n"
    columns = list(rows[0])

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
        return f"`{v}`" if isinstance(v, str) and "." in v and " " not in v else str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def fit_report_markdown(report: Mapping[str, Any]) -> str:
    """The fit report as Markdown."""
    cal = report["summary"]["calibration"]
    editions = ", ".join(
        f"{e['file']} (sha256 {e['sha256'][:12]}…)" for e in report["summary"]["data"]["editions"]
    )
    return "\n".join(
        [
            f"# Calibration fit report: {cal['train_from']} to {cal['train_to']}",
            "",
            f"- Method: {cal['method']}; weather: {cal['weather']}.",
            f"- Budget: {cal['budget']} simulations in {cal['generations']} generations of "
            f"{cal['batch']}; seed {cal['seed']}; {cal['elapsed_s']:.0f} s.",
            f"- Posterior: {cal['particles']} particles, effective sample size "
            f"{cal['effective_sample_size']}; tolerances {cal['tolerances']}.",
            *(
                f"- **Warning**: {w}."
                for w in [
                    posterior_warning(
                        int(cal["particles"]),
                        float(cal["effective_sample_size"]),
                        int(cal["budget"]),
                    )
                ]
                if w
            ),
            f"- Data: {editions}.",
            f"- Code: channelsim {cal['code_version']} ({cal['git_commit']}).",
            "",
            "## Discrepancy per target (mean squared standardised error; 0 = exact)",
            "",
            "How far the runs' statistic of each target lies from the observed one, in units "
            "of its tolerance (docs/validation.md); a target of weight 0 is reported, not fitted.",
            "",
            _md_table(report["targets"]),
            "## Totals over the training period (posterior predictive)",
            "",
            "Median and 90% interval of the accepted runs, counts in whole people and boats; "
            "'not published': no figure for the training period (prevention starts with the "
            "week ending 5 May 2024; deaths have no official series).",
            "",
            _md_table(totals_for_reading(report["totals"])),
            "## Parameters: posterior median and 90% interval against the uniform prior",
            "",
            _md_table(report["parameters"]),
        ]
    )


def totals_for_reading(totals: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The fit report's totals as a reader sees them: each figure's label and unit, counts
    whole (halves away from zero), an observed figure not published said so (it read 0)."""
    from channelsim.engine import all_results
    from channelsim.formatting import format_value

    results = all_results()
    rows = []
    for total in totals:
        field = results.field(str(total["total"]))
        observed = total.get("observed")
        rows.append({
            "total": field.heading if field is not None else str(total["total"]),
            "observed": "not published" if observed is None else format_value(observed, field),
            **{k: format_value(total[k], field) for k in ("median", "low90", "high90")},
            "observed by": total.get("observed_by") or "",
            "weight in the fit": "–" if total.get("weight") is None else f"{total['weight']:g}",
        })  # fmt: skip
    return rows


def calibration_fields(weights: Mapping[str, float]) -> FieldTable:
    """The columns of a calibration's own (not the model's parameters or results): the
    particle, its weight and discrepancy, each target's discrepancy ``d_<target>`` (its
    tolerance's reason and its ``weights``), and the fit report's statistics."""
    from channelsim.fields import Field, FieldTable, words

    return FieldTable([
        Field("particle", "Particle", "", "Index of an accepted parameter set of the last "
              "generation: the posterior sample.", "id"),
        Field("weight", "Importance weight", "fraction", "The parameter set's normalised "
              "importance weight (a generation's weights sum to 1; 0: rejected).", "float"),
        Field("discrepancy", "Discrepancy", DIMENSIONLESS, "Weighted mean of the targets' "
              "discrepancies (d_ columns): 0 = every statistic exact; the tolerance decides "
              "acceptance.", "float"),
        Field("generation", "Generation", "", "ABC-SMC generation, from 0.", "id"),
        Field("index", "Index in its generation", "", "The run's place in its generation "
              "(its seed derives from it).", "id"),
        Field("accepted", "Accepted", "", "Whether the run's discrepancy was within its "
              "generation's tolerance.", "bool"),
        *(
            Field(f"d_{name}", f"Discrepancy of {words(name)}", DIMENSIONLESS, "Mean squared "
                  "standardised error of the target's statistics (0 = exact; tolerance: "
                  f"{TOLERANCES[name].why}); weight in the fit {weight:g}.", "float")
            for name, weight in weights.items()
        ),
        Field("prior_median", "prior median", "", "Median over the first generation's runs "
              "(drawn from the prior).", "stat"),
        Field("posterior_median", "posterior median", "", "Weighted median over the accepted "
              "runs of the last generation (the posterior).", "stat"),
        Field("target_weight", "Weight in the fit", "", "The target's weight in the "
              "discrepancy (0: reported, not fitted).", "float"),
        Field("observed_by", "Observed by", "", "Where the observed figure comes from (or "
              "that none is published for the training period).", "text"),
    ])  # fmt: skip


#: The unit of a pure number (a discrepancy, an elasticity), said rather than left blank.
DIMENSIONLESS = "dimensionless"


def calibration_describe(targets: Targets) -> Callable[[str], Field]:
    """The columns of a calibration's tables (``posterior``, ``trials``) for their CSV
    headings and the workbook's README sheet: the particle, its weight and discrepancy, each
    target's discrepancy (``d_<target>``, with its tolerance's reason and weight), each
    parameter with its unit and meaning (docs/model.md), each history driver's dated value,
    and the runs' totals (the results registry); the README listed no unit for any column."""
    from channelsim.engine import all_results
    from channelsim.experiments.uncertainty import input_label
    from channelsim.fields import COLUMNS, Field, words

    own = calibration_fields({n: targets.weights.get(n, 1.0) for n in targets.names})
    parameters = {p.path: p for p in list_parameters()}
    results = all_results()

    def describe(column: str) -> Field:
        found = own.field(column) or results.field(column)
        if found is not None:
            return found
        info = parameters.get(column)
        if info is not None:
            unit = DIMENSIONLESS if info.unit in ("", "-") else info.unit
            return Field(column, f"{info.words} [{column}]", unit,
                         f"Model input {column}: {info.description}", "float")  # fmt: skip
        if column.startswith(DRIVER_PREFIX):
            return Field(column, f"{input_label(column)} [{column}]", _driver_unit(column),
                         f"Model input {column}: a dated value of a history driver "
                         "(scenarios/history.toml).", "float")  # fmt: skip
        return COLUMNS.field(column) or Field(column, words(column), kind="stat")

    return describe


def _driver_unit(column: str) -> str:
    """The unit of a history driver's value: a multiplier of its lever (``op = "scale"``),
    else the lever's own unit (its name's unit word)."""
    from channelsim.fields import name_label

    name = column[len(DRIVER_PREFIX) :].rpartition(".")[0]
    op, lever = _history_drivers().get(name, ("", ""))
    return f"multiplier of {lever}" if op == "scale" else name_label(lever)[1]


def _history_drivers() -> dict[str, tuple[str, str]]:
    """Each driver of the shipped history: its ``op`` and ``lever``."""
    from importlib import resources

    text = (resources.files("channelsim") / "scenarios" / "history.toml").read_text("utf-8")
    return {
        str(p["name"]): (str(p["params"].get("op", "")), str(p["params"].get("lever", "")))
        for p in tomllib.loads(text).get("policies", [])
        if p.get("type") == "driver" and p.get("name")
    }


def write_calibration(calibration: Calibration, out: Path | OutputTarget) -> Path:
    """Write the posterior, trials, summary and fit report to ``out`` (atomically)."""
    report = fit_report(calibration)

    def write(tmp: Path) -> None:
        calibration.posterior.to_parquet(tmp / POSTERIOR_FILE, index=False)
        calibration.trials.to_parquet(tmp / TRIALS_FILE, index=False)
        (tmp / SUMMARY_FILE).write_text(
            to_toml(summary_record(calibration), "channelsim calibration: posterior summary"),
            encoding="utf-8",
        )
        (tmp / REPORT_JSON).write_text(
            json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8"
        )
        (tmp / REPORT_MD).write_text(fit_report_markdown(report), encoding="utf-8")

    describe = calibration_describe(calibration.targets)
    return write_output_folder(out, write, kind="calibration", describe=describe)


# -- reading a posterior back ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Posterior:
    """A posterior folder read back and checked."""

    path: Path
    table: pd.DataFrame  # weight + parameter columns
    summary: dict[str, Any]

    @property
    def parameters(self) -> list[str]:
        return list(self.summary["parameters"]["names"])

    @property
    def train(self) -> Period:
        cal = self.summary["calibration"]
        return Period(_as_date(cal["train_from"]), _as_date(cal["train_to"]))

    @property
    def weather(self) -> str:
        return str(self.summary["calibration"]["weather"])

    def _typed(self, name: str, value: float) -> float | int:
        """Integer parameters back to ``int`` (a row of a mixed table comes out as floats)."""
        prior = self.summary["parameters"].get("prior", {}).get(name, {})
        return round(value) if prior.get("integer", False) else float(value)

    def median(self) -> dict[str, float | int]:
        """Weighted posterior median of each parameter (integers rounded)."""
        w = self.table["weight"].to_numpy(float)
        return {
            name: self._typed(
                name, float(weighted_quantile(self.table[name].to_numpy(float), w, [0.5])[0])
            )
            for name in self.parameters
        }

    def draws(self, n: int, seed: int) -> list[dict[str, float | int]]:
        """``n`` equally weighted parameter sets resampled from the posterior."""
        return [
            {name: self._typed(name, float(value)) for name, value in draw.items()}
            for draw in draws_from_posterior(self.table, n, seed)
        ]


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def read_posterior(path: str | Path) -> Posterior:
    """Read and check a posterior folder; every problem is one line naming the file."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(
            folder, None, "expected a posterior folder written by channelsim calibrate"
        )
    summary_path, table_path = folder / SUMMARY_FILE, folder / POSTERIOR_FILE
    for needed in (summary_path, table_path):
        if not needed.is_file():
            raise InputError(needed, None, "file not found (expected in a posterior folder)")
    try:
        summary = tomllib.loads(summary_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(summary_path, None, f"invalid TOML ({error})") from None
    except RecursionError:
        raise InputError(summary_path, None, NESTED_TOO_DEEP) from None
    for key in ("calibration", "parameters"):
        if not isinstance(summary.get(key), dict):
            raise InputError(summary_path, f"[{key}]", "required table is missing")
    for key in ("train_from", "train_to", "weather"):
        if key not in summary["calibration"]:
            raise InputError(summary_path, f"calibration.{key}", "required key is missing")
    names = summary["parameters"].get("names")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise InputError(summary_path, "parameters.names", "expected a list of parameter paths")
    try:
        table = pd.read_parquet(table_path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise InputError(table_path, None, f"expected a Parquet table ({error})") from None
    for column in ("weight", *names):
        if column not in table.columns:
            raise InputError(table_path, f"column {column!r}", "required column is missing")
    _check_particles(table, table_path)
    weights = table["weight"].to_numpy(dtype=float)
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise InputError(table_path, "column 'weight'", "expected finite non-negative weights")
    if weights.sum() <= 0:
        raise InputError(table_path, "column 'weight'", "expected weights with a positive sum")
    for i, row in enumerate(table[names].to_dict(orient="records")):
        flat, drivers = split_overrides(row)
        for name, values in drivers.items():  # else found mid-run, blamed on history.toml
            for index, value in values.items():
                if not math.isfinite(value) or value < 0:
                    where = f"row {i + 1}, column 'drivers.{name}.{index}'"
                    expected = f"expected a finite number ≥ 0, got {value!r}"
                    raise InputError(table_path, where, expected)
        try:
            apply_overrides(default_params(), nest(flat), table_path, "")
        except InputError as error:
            column = f", column {error.where!r}" if error.where else ""
            raise InputError(table_path, f"row {i + 1}{column}", error.expected) from None
    return Posterior(folder, table[["weight", *names]].reset_index(drop=True), summary)


def _check_particles(table: pd.DataFrame, path: Path) -> None:
    """A posterior table's rows are distinct particles with numeric weights (s13 breaker
    B13: every row twice, or weights as text, were taken without a word; no rows at all
    was blamed on the weights).

    Raises:
        InputError: naming the file and the column or rows at fault.
    """
    if table.empty:
        raise InputError(path, None, "expected at least one particle (row), got none")
    weight = table["weight"]
    if not pd.api.types.is_numeric_dtype(weight) or pd.api.types.is_bool_dtype(weight):
        given = (
            "text"
            if pd.api.types.is_object_dtype(weight) or pd.api.types.is_string_dtype(weight)
            else f"{weight.dtype} values"
        )
        raise InputError(path, "column 'weight'", f"expected numbers, got {given}")
    if "particle" in table.columns:
        twice = table["particle"][table["particle"].duplicated()]
        if len(twice):
            raise InputError(
                path,
                "column 'particle'",
                f"expected each particle once, got {len(twice)} repeated (first: "
                f"{twice.iloc[0].item()!r})",
            )


def defaults_toml(posterior: Posterior) -> str:
    """``calibration_defaults.toml``: the posterior median as parameter defaults."""
    median = posterior.median()
    cal = posterior.summary["calibration"]
    header = (
        "Parameter defaults from a calibration (posterior medians), applied by\n"
        "channelsim.params.default_params() on top of the code defaults.\n"
        f"Written from {posterior.path.name}: {cal.get('method', '')}, weather "
        f"{cal['weather']},\ntrain {cal['train_from']} to {cal['train_to']}, "
        f"code {cal.get('code_version', '?')} ({cal.get('git_commit', '?')})."
    )
    flat, _ = split_overrides(median)  # drivers' values belong to their scenario
    record = {f"params.{group}": values for group, values in nest(flat).items()}
    return f"{TEXT_STAMP}\n{to_toml(record, header)}"


def write_defaults(posterior: Posterior, target: Path | OutputTarget) -> Path:
    """Write :func:`defaults_toml` to ``target`` atomically, stamped with the SHA-256 of its
    bytes. Raises InputError (one line) if a file is there that channelsim did not write or
    that was edited since (see :func:`channelsim.outputs.output_file`): it is left as it was."""
    return write_output_file(target, defaults_toml(posterior))


def defaults_posterior_name(text: str) -> str | None:
    """The posterior folder's name a ``calibration_defaults.toml`` (:func:`defaults_toml`'s
    text) says it was written from, or ``None``."""
    found = re.search(r"^# Written from (\S+?):", text, flags=re.MULTILINE)
    return found.group(1) if found else None


def shipped_posterior(places: Sequence[Path] | None = None) -> Path | None:
    """The posterior folder the package's calibration defaults were written from
    (``calibration/<name>``, the name read from ``calibration_defaults.toml``), looked for in
    ``places`` (default: the current folder, then the source checkout the package runs from);
    ``None`` when there are no defaults or the folder is not found (an installed package ships
    the defaults, not the posterior: pass the folder with ``--posterior``)."""
    from channelsim.params import calibration_defaults_path

    defaults = calibration_defaults_path()
    name = None if defaults is None else defaults_posterior_name(defaults.read_text("utf-8"))
    if name is None:
        return None
    checkout = Path(__file__).resolve().parents[3]
    for place in places if places is not None else (Path.cwd(), checkout):
        folder = place / "calibration" / name
        if (folder / SUMMARY_FILE).is_file() and (folder / POSTERIOR_FILE).is_file():
            return folder
    return None
