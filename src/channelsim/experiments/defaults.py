"""From a calibration posterior to one parameter set: the package defaults and the values
written in ``scenarios/history.toml``.

Why not the posterior medians. History's posterior is wide and its parameters correlated
(the inflow level with each year's inflow, the launch share and attrition; the capsize hazard
with each year's ``sea_hazard``): the median of each margin is a point where no particle lies,
and it fits badly (calibrated on history to 28 May 2026: arrivals 2022 31,000 against 45,774,
deaths 2023 above 2024). The defaults are therefore two steps, each reproducible from the
posterior and the data:

1. **A representative particle**: the ``candidates`` accepted particles of the last
   generation with the lowest discrepancy are simulated again under 24 common seeds;
   the one with the lowest mean discrepancy is kept (a posterior mode found by simulation,
   not one lucky run).
2. **The risk at sea by simulated moments.** One run's deaths are too noisy for ABC to tell
   the years' hazards apart (a year's deaths at sea come in one or two capsizes and vary
   from 0 to over 100 between seeds), so the parameters that set deaths and French rescues,
   and nothing else of note, are refined at the representative particle so that the mean
   over many runs meets the sourced figures: PREMAR's deaths in the French zone by year (the
   middle of each year's range; DEATHS_BY_YEAR), split by cause with the sources' shares, each
   applied to the year it describes — crushing 4 of 52 of 2024's deaths (IOM Missing Migrants'
   2024 causes), and deaths at embarkation (crushed or wading out to a taxi boat) about 40% of
   2025's (PREMAR: "about 40% in the coastal zone, at embarkation or on return to the beach";
   undated in facts.md, applied to 2025, the reference year of the risk at sea: an
   assumption, docs/model.md §3.10) — the rest at sea; and PREMAR's French rescues (2024,
   2025). Each step scales a parameter by the ratio of target to simulated mean (at most
   ×4, inside the parameter's range): ``beach.crush_deaths_per_boat`` for 2024's crushes,
   ``beach.wading_deaths_per_taxi_boat`` for the rest of 2025's deaths at embarkation,
   ``hazards.capsize_per_hour`` for 2025's deaths at sea, history's ``sea_hazard`` values for
   2022–2024's, and ``hazards.engine_failure_per_hour`` (boats in distress, which France
   rescues) for the rescues of 2024–2025; each stays inside its prior range.

   Why not one share pooled over 2024–2025 (the defaults before): the model's deaths at
   embarkation grow with taxi boats and with (people aboard / 60)³, so it books most of a
   pooled 40% in 2025 (24.7 of its 26 deaths), leaving 2025 a risk at sea that 2024's
   deaths would need more than 8 times (the prior bound of ``sea_hazard``; at the same risk
   at sea, 2025's fuller boats lose 1.4 times 2024's people at sea).

Run ``python -m channelsim.experiments.defaults POSTERIOR --data EDITION`` to write
``defaults.toml`` into the posterior folder; the package's ``calibration_defaults.toml`` is its
``[params]`` and history's driver values its ``[drivers]`` (a test checks both agree).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from channelsim.atomic import write_atomic_text
from channelsim.errors import InputError
from channelsim.experiments.calibrate import (
    MOMENT_PARAMETERS,
    POSTERIOR_FILE,
    CalibrationConfig,
    Case,
    Posterior,
    calibration_scenario,
    nest,
    read_posterior,
    run_case,
    to_toml,
)
from channelsim.experiments.ensemble import EnsembleSpec, Member, run_ensemble
from channelsim.experiments.targets import (
    DEATHS_BY_YEAR,
    HISTORY_WEIGHTS,
    SOURCED_TARGETS,
    Observed,
    Targets,
    load_observed,
    observed_series,
    targets_for,
)
from channelsim.params import Params, list_parameters
from channelsim.scenario import split_overrides

DEFAULTS_FILE = "defaults.toml"

#: Sourced shares of deaths by cause, each with the year it describes (module docstring).
CRUSH_SHARE = 4 / 52  # IOM Missing Migrants 2024 causes: crushing or asphyxiation 4 of 52
CRUSH_YEAR = 2024
EMBARKATION_SHARE = 0.40  # PREMAR: about 40% of deaths in the coastal zone, at embarkation
EMBARKATION_YEAR = 2025  # undated in facts.md: applied to the reference year (assumption)
#: Years whose risk at sea is history's ``sea_hazard`` driver (index in the driver's values).
HAZARD_YEARS = {2022: 1, 2023: 2, 2024: 3}
REFERENCE_YEAR = 2025
RESCUE_YEARS = (2024, 2025)  # the years of PREMAR's rescue counts


@dataclasses.dataclass(frozen=True)
class Settings:
    """How hard to look: candidates re-simulated and the seeds each is run with; refinement
    rounds and their seeds (a year's deaths at sea come in a few capsizes: 2025's, at its
    sourced level, in about one run of four, so a mean over 48 runs of 2025's deaths has a
    standard error of about 2.5, and over 384 about 0.9)."""

    candidates: int = 16
    seeds: int = 24
    rounds: int = 5
    refine_seeds: int = 96
    fine_seeds: int = 384
    fine_rounds: int = 3
    seed: int = 7
    workers: int | None = None


def _particles(posterior: Posterior) -> pd.DataFrame:
    """The posterior's particles with the discrepancy each had in the calibration."""
    table = pd.read_parquet(posterior.path / POSTERIOR_FILE)
    if "discrepancy" not in table.columns:
        raise InputError(posterior.path / POSTERIOR_FILE, "column 'discrepancy'", "required")
    return table


def _evaluate(
    case: Case, draws: Sequence[Mapping[str, Any]], settings: Settings, name: str
) -> list[Any]:
    """Every draw under the same ``settings.seeds`` seeds (common random numbers)."""
    spec = EnsembleSpec(
        scenarios={"defaults": case},
        reps=settings.seeds,
        base_seed=settings.seed,
        draws=list(draws),
        name=name,
        kind="calibrate" if case.targets is not None else "run",
    )
    members = [Member("defaults", d, r) for d in range(len(draws)) for r in range(settings.seeds)]
    result = run_ensemble(run_case, spec, members, workers=settings.workers, progress=True)
    return result.outputs


def representative(posterior: Posterior, case: Case, settings: Settings) -> dict[str, float | int]:
    """The particle with the lowest mean discrepancy over ``settings.seeds`` seeds among
    the ``settings.candidates`` best of the last generation."""
    trials = _particles(posterior).sort_values("discrepancy").head(settings.candidates)
    draws = [
        {n: posterior._typed(n, float(row[n])) for n in posterior.parameters}
        for _, row in trials.iterrows()
    ]
    outputs = _evaluate(case, draws, settings, "defaults: candidates")
    scores = np.array([o.totals["discrepancy"] for o in outputs]).reshape(len(draws), -1)
    return draws[int(np.argmin(scores.mean(axis=1)))]


def moment_start(case: Case) -> dict[str, float]:
    """The values the calibration ran with of what is refined here and was not calibrated
    (``MOMENT_PARAMETERS``; history's ``sea_hazard`` values of ``HAZARD_YEARS``)."""
    params = case.scenario.params
    point = {
        path: float(getattr(getattr(params, path.split(".")[0]), path.split(".")[1]))
        for path in MOMENT_PARAMETERS
    }
    hazard = next(s for s in case.scenario.policies if s.name == "sea_hazard")
    for index in HAZARD_YEARS.values():
        point[f"drivers.sea_hazard.{index}"] = float(hazard.params["values"][index])
    return point


def _yearly(outputs: Sequence[Any]) -> pd.DataFrame:
    """Mean over runs of each year's deaths by place and French rescues."""
    frames = []
    for output in outputs:
        daily = output.tables["daily"]
        year = pd.to_datetime(daily["date"]).dt.year.to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "crush": daily["dead_crush_beach_people"],
                    "wading": daily["dead_wading_people"],
                    "sea": daily["dead_drowning_fr_people"] + daily["dead_hypothermia_fr_people"],
                    "rescued": daily["rescued_fr_people"],
                    "arrived": daily["arrived_people"],
                }
            )
            .groupby(year)
            .sum()
        )
    return pd.concat(frames).groupby(level=0).mean()


def _target(year: int) -> float:
    figure = DEATHS_BY_YEAR[year]
    return (figure.low + figure.high) / 2.0


def _ratio(target: float, simulated: float) -> float:
    """A step towards ``target``: the ratio of target to simulated, bounded to ×¼–×4."""
    return float(np.clip(max(target, 0.1) / max(simulated, 0.1), 0.25, 4.0))


def _bounded(path: str, value: float, infos: Mapping[str, Any]) -> float:
    """``value`` inside the parameter's plausible range (its prior); a driver's value
    inside the range of ``sea_hazard``'s prior, 0.1–8."""
    info = infos.get(path)
    if info is None:
        return float(np.clip(value, 0.1, 8.0))
    return float(np.clip(value, info.low, info.high))


def refine_step(point: dict[str, Any], yearly: pd.DataFrame, power: float = 1.0) -> dict[str, Any]:
    """One refinement of the death and rescue parameters towards the sourced figures;
    ``power`` is the share of each step taken, in logarithms (1: whole; ½: damped)."""
    infos = {p.path: p for p in list_parameters(Params())}
    crush = _ratio(CRUSH_SHARE * _target(CRUSH_YEAR), yearly.loc[CRUSH_YEAR, "crush"])
    embarkation = EMBARKATION_SHARE * _target(EMBARKATION_YEAR)
    wading = embarkation - crush * yearly.loc[EMBARKATION_YEAR, "crush"]
    steps = {
        "beach.crush_deaths_per_boat": crush,
        "beach.wading_deaths_per_taxi_boat": _ratio(
            max(wading, 0.1 * embarkation), yearly.loc[EMBARKATION_YEAR, "wading"]
        ),
    }
    at_sea = {
        y: _target(y) - yearly.loc[y, ["crush", "wading"]].sum() for y in (*HAZARD_YEARS, 2025)
    }
    floor = {y: 0.2 * _target(y) for y in at_sea}
    steps["hazards.capsize_per_hour"] = _ratio(
        max(at_sea[REFERENCE_YEAR], floor[REFERENCE_YEAR]), yearly.loc[REFERENCE_YEAR, "sea"]
    )
    for year, index in HAZARD_YEARS.items():
        steps[f"drivers.sea_hazard.{index}"] = (
            _ratio(max(at_sea[year], floor[year]), yearly.loc[year, "sea"])
            / steps["hazards.capsize_per_hour"]
        )
    rescues = SOURCED_TARGETS["french_rescues_by_year"].figures
    steps["hazards.engine_failure_per_hour"] = _ratio(
        sum(rescues[y].low for y in RESCUE_YEARS), yearly.loc[list(RESCUE_YEARS), "rescued"].sum()
    )
    return {
        **point,
        **{path: _bounded(path, point[path] * step**power, infos) for path, step in steps.items()},
    }


def refine(case: Case, point: dict[str, Any], settings: Settings) -> tuple[dict, pd.DataFrame]:
    """``settings.rounds`` whole steps over ``settings.refine_seeds`` runs, then
    ``settings.fine_rounds`` half steps over ``settings.fine_seeds`` runs (a year's deaths at
    sea come in lumps, so whole steps overshoot); returns the point and its yearly means."""
    run = dataclasses.replace(case, targets=None)
    plan = [(settings.refine_seeds, 1.0)] * settings.rounds
    plan += [(settings.fine_seeds, 0.5)] * settings.fine_rounds
    for index, (seeds, power) in enumerate(plan):
        yearly = _yearly_means(run, point, settings, seeds, f"defaults: refine {index}")
        point = refine_step(point, yearly, power)
    final = settings.fine_seeds if settings.fine_rounds else settings.refine_seeds
    return point, _yearly_means(run, point, settings, final, "defaults: check")


def _yearly_means(
    run: Case, point: dict[str, Any], settings: Settings, seeds: int, name: str
) -> pd.DataFrame:
    """The yearly means of ``point`` over ``seeds`` runs."""
    return _yearly(_evaluate(run, [point], dataclasses.replace(settings, seeds=seeds), name))


def defaults_record(
    point: Mapping[str, Any], posterior: Posterior, yearly: pd.DataFrame, fixed: Mapping[str, Any]
) -> str:
    """``defaults.toml``: the parameter set (``fixed``, the defaults the calibration ran with,
    overridden by ``point``), its drivers and what it gives by year."""
    flat, drivers = split_overrides(point)
    record: dict[str, Any] = {
        f"params.{g}": {**fixed.get(g, {}), **v} for g, v in nest(flat).items()
    }
    record.update({f"params.{g}": v for g, v in fixed.items() if f"params.{g}" not in record})
    for name, values in drivers.items():
        record[f"drivers.{name}"] = {str(i): v for i, v in sorted(values.items())}
    record["check"] = {
        f"{column}_{year}": round(float(yearly.loc[year, column]), 1)
        for year in yearly.index
        if 2022 <= year <= 2025
        for column in yearly.columns
    }
    header = (
        f"Parameter defaults from {posterior.path.name}: its representative particle, the\n"
        "death and rescue parameters refined by simulated moments\n"
        "(channelsim.experiments.defaults); parameters it did not calibrate keep the values the\n"
        "calibration ran with. Applied by channelsim.params.default_params()."
    )
    return to_toml(record, header)


def _written_point(path: Path, names: Sequence[str]) -> dict[str, Any]:
    """The calibrated parameters ``names`` of a ``defaults.toml``, as dotted overrides (not
    the fixed ones it also holds: the scenario sets some of those itself)."""
    import tomllib

    record = tomllib.loads(path.read_text(encoding="utf-8"))
    found = {f"{g}.{k}": v for g, values in record["params"].items() for k, v in values.items()}
    for name, values in record.get("drivers", {}).items():
        found.update({f"drivers.{name}.{i}": float(v) for i, v in values.items()})
    return {name: found[name] for name in names}


def _package_defaults() -> dict[str, Any]:
    """The ``[params]`` of the package's ``calibration_defaults.toml`` (the values a
    calibration runs with for the parameters it does not calibrate)."""
    import tomllib

    from channelsim.params import calibration_defaults_path

    path = calibration_defaults_path()
    if path is None:
        return {}
    return dict(tomllib.loads(path.read_text(encoding="utf-8")).get("params", {}))


def case_for(posterior: Posterior, observed: Observed, scenario: str) -> Case:
    """The calibration's case again: history over the training period, with its targets."""
    config = CalibrationConfig(train=posterior.train, scenario=scenario)
    train = observed.clip(posterior.train, "--data")
    targets = Targets.build(
        observed_series(observed, train), targets_for("stochastic"), HISTORY_WEIGHTS
    )
    return Case(scenario=calibration_scenario(config, train), targets=targets)


def main(argv: Sequence[str] | None = None) -> Path:
    """Command line: write ``defaults.toml`` into a history posterior folder."""
    from importlib import resources

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posterior", type=Path)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--fine-only",
        action="store_true",
        help="Only the damped rounds, from the point in the folder's defaults.toml (written "
        "by a run with --fine-rounds 0: the same result as one whole run).",
    )
    parser.add_argument("--fine-rounds", type=int, default=Settings.fine_rounds)
    args = parser.parse_args(argv)
    posterior = read_posterior(args.posterior)
    history = str(resources.files("channelsim").joinpath("scenarios", "history.toml"))
    case = case_for(posterior, load_observed(args.data), history)
    settings = Settings(workers=args.workers, fine_rounds=args.fine_rounds)
    if args.fine_only:  # the first two steps are deterministic: start from their result
        names = (*posterior.parameters, *moment_start(case))
        point = _written_point(posterior.path / DEFAULTS_FILE, names)
        settings = dataclasses.replace(settings, rounds=0)
    else:
        point = {**moment_start(case), **representative(posterior, case, settings)}
    point, yearly = refine(case, point, settings)
    target = posterior.path / DEFAULTS_FILE
    write_atomic_text(target, defaults_record(point, posterior, yearly, _package_defaults()))
    print(yearly.loc[2022:2025].round(1).to_string())
    return target


if __name__ == "__main__":
    main()
