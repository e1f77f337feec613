"""Global sensitivity analysis (SALib) of scenario totals over the uncertain parameters.

The problem comes from the parameter metadata (``channelsim.params``): each parameter is
varied over its plausible range ``low``–``high``, the same range that docs/model.md documents.
Sample points become parameter draws of one ensemble (``run_ensemble``) with a single
replicate, so every point is run with the same seed (common random numbers): the model is then
a deterministic function of the parameters and the indices measure parameters, not noise.

Integer parameters are sampled on ``[low, high + 1)`` and floored, so that each whole value of
the range is equally likely.

Methods: ``sobol`` (Saltelli/Jansen estimators: first-order ``S1`` and total ``ST`` indices
with bootstrap confidence intervals, ``N·(D+2)`` runs) and ``morris`` (elementary effects:
``mu_star`` and ``sigma`` in output units per full range of the parameter, ``N·(D+1)`` runs).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from channelsim.errors import InputError
from channelsim.experiments.ensemble import EnsembleSpec, member_seed, run_ensemble
from channelsim.experiments.executor import Executor
from channelsim.outputs import OutputTarget, write_output_folder
from channelsim.params import ParamInfo, Params, default_params, uncertain_parameters

METHODS = ("sobol", "morris")
DEFAULT_OUTPUTS = ("arrived_people", "dead_or_missing_people")
DEFAULT_PARAMETERS = (
    "coast.inflow_people_per_day",
    "networks.launch_share_per_window_day",
    "beach.prevention_probability",
    "beach.crush_deaths_per_boat",
    "hazards.capsize_per_hour",
    "rescue.uk_pickup_per_hour",
)
DEFAULT_SAMPLES = {"sobol": 64, "morris": 10}
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 200

#: Index columns of the tidy table, per method.
INDEX_COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
}

ModelFn = Callable[[Any, int, "dict[str, Any] | None"], Any]


@dataclasses.dataclass(frozen=True)
class SensitivityProblem:
    """The parameters varied and their sampling bounds (integers on ``[low, high + 1)``)."""

    parameters: tuple[ParamInfo, ...]

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.parameters]

    def _is_integer(self, info: ParamInfo) -> bool:
        return isinstance(info.default, int) and not isinstance(info.default, bool)

    @property
    def bounds(self) -> list[list[float]]:
        bounds = []
        for info in self.parameters:
            assert info.low is not None and info.high is not None
            high = info.high + 1 if self._is_integer(info) else info.high
            bounds.append([float(info.low), float(high)])
        return bounds

    def salib(self) -> dict[str, Any]:
        """The problem dict SALib expects."""
        return {"num_vars": len(self.parameters), "names": self.names, "bounds": self.bounds}

    def overrides(self, row: Sequence[float]) -> dict[str, float | int]:
        """Dotted-path overrides for one sample point (integers floored into their range)."""
        values: dict[str, float | int] = {}
        for info, value in zip(self.parameters, row, strict=True):
            if self._is_integer(info):
                assert info.high is not None
                values[info.path] = min(math.floor(value), int(info.high))
            else:
                values[info.path] = float(value)
        return values


def build_problem(
    paths: Sequence[str] | None = None, params: Params | None = None
) -> SensitivityProblem:
    """The problem over ``paths`` (default :data:`DEFAULT_PARAMETERS`), checked by name."""
    available = {p.path: p for p in uncertain_parameters(params or default_params())}
    chosen = list(DEFAULT_PARAMETERS if paths is None else paths)
    if not chosen:
        raise InputError(None, "--params", "expected at least one parameter")
    for path in chosen:
        if path not in available:
            raise InputError(
                None,
                f"--params {path!r}",
                f"expected an uncertain parameter, one of {', '.join(available)}",
            )
    if len(set(chosen)) != len(chosen):
        raise InputError(None, "--params", "expected each parameter once")
    return SensitivityProblem(tuple(available[path] for path in chosen))


def check_samples(method: str, n: int) -> None:
    """Sobol needs a power of two of base samples; Morris at least two trajectories."""
    if method not in METHODS:
        raise InputError(None, "--method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise InputError(None, "--samples", f"expected a power of two ≥ 2 for sobol, got {n}")
    if method == "morris" and n < 2:
        raise InputError(None, "--samples", f"expected at least 2 trajectories for morris, got {n}")


def sample(problem: SensitivityProblem, method: str, n: int, seed: int) -> np.ndarray:
    """Sample points (rows) for ``method``: ``N·(D+2)`` for sobol, ``N·(D+1)`` for morris."""
    check_samples(method, n)
    if method == "sobol":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(problem.salib(), n, calc_second_order=False, seed=seed))
    from SALib.sample import morris

    return np.asarray(morris.sample(problem.salib(), n, num_levels=MORRIS_LEVELS, seed=seed))


def analyze(
    problem: SensitivityProblem,
    method: str,
    x: np.ndarray,
    outputs: Mapping[str, np.ndarray],
    seed: int,
) -> pd.DataFrame:
    """Tidy indices: one row per (output, parameter) with the method's index columns.

    An output that does not vary over the sample has no variance to apportion: its Sobol
    indices are NaN (Morris gives zero effects).
    """
    rows = []
    for output, values in outputs.items():
        y = np.asarray(values, dtype=float)
        if method == "sobol":
            from SALib.analyze import sobol

            if np.ptp(y) == 0:
                res = {c: np.full(len(problem.parameters), np.nan) for c in INDEX_COLUMNS[method]}
            else:
                res = sobol.analyze(
                    problem.salib(),
                    y,
                    calc_second_order=False,
                    num_resamples=BOOTSTRAP_RESAMPLES,
                    conf_level=CONF_LEVEL,
                    seed=seed,
                )
        else:
            from SALib.analyze import morris

            res = morris.analyze(
                problem.salib(),
                x,
                y,
                num_resamples=BOOTSTRAP_RESAMPLES,
                conf_level=CONF_LEVEL,
                num_levels=MORRIS_LEVELS,
                seed=seed,
            )
        for i, info in enumerate(problem.parameters):
            rows.append(
                {
                    "output": output,
                    "parameter": info.path,
                    "unit": info.unit,
                    "low": info.low,
                    "high": info.high,
                    "method": method,
                    **{c: float(np.asarray(res[c])[i]) for c in INDEX_COLUMNS[method]},
                }
            )
    return pd.DataFrame(rows)


def totals_member(scenario: Any, seed: int, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Run the engine and keep only the totals (workers send back nothing else)."""
    from channelsim.engine import run_scenario

    return {"totals": run_scenario(scenario, seed, overrides).totals}


@dataclasses.dataclass
class SensitivityResult:
    """Sample, model outputs and indices of one analysis, with what produced them."""

    scenario: str
    method: str
    n_samples: int
    seed: int
    problem: SensitivityProblem
    x: np.ndarray
    y: pd.DataFrame
    indices: pd.DataFrame
    period: tuple[str, str] | None = None
    baseline: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def outputs(self) -> list[str]:
        return list(self.y.columns)

    def samples(self) -> pd.DataFrame:
        """One row per model evaluation: the parameter values used and the outputs."""
        values = [self.problem.overrides(row) for row in self.x]
        frame = pd.DataFrame(values, columns=self.problem.names)
        return pd.concat([frame, self.y.reset_index(drop=True)], axis=1)

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON: settings, parameters and the indices as records."""
        return {
            "kind": "sensitivity",
            "scenario": self.scenario,
            "period": list(self.period) if self.period else None,
            "method": self.method,
            "n_samples": self.n_samples,
            "n_runs": int(self.x.shape[0]),
            "seed": self.seed,
            "conf_level": CONF_LEVEL,
            "outputs": self.outputs,
            "baseline": self.baseline,
            "parameters": [
                {"path": p.path, "unit": p.unit, "low": p.low, "high": p.high, "default": p.default}
                for p in self.problem.parameters
            ],
            "indices": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                for r in self.indices.to_dict(orient="records")
            ],
        }

    def write(
        self, out_dir: str | Path | OutputTarget, extra_files: Mapping[str, str] | None = None
    ) -> Path:
        """Write ``indices.parquet``, ``samples.parquet``, ``sensitivity.json`` and any extra
        text files (e.g. the HTML plot) to a temporary folder renamed into place."""

        def write(tmp: Path) -> None:
            self.indices.to_parquet(tmp / "indices.parquet", index=False)
            self.samples().to_parquet(tmp / "samples.parquet", index=False)
            (tmp / "sensitivity.json").write_text(
                json.dumps(self.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
            )
            for name, text in (extra_files or {}).items():
                (tmp / name).write_text(text, encoding="utf-8")

        return write_output_folder(out_dir, write, kind="sensitivity")


def run_sensitivity(
    scenario: Any,
    *,
    outputs: Sequence[str] = DEFAULT_OUTPUTS,
    method: str = "sobol",
    n_samples: int | None = None,
    parameters: Sequence[str] | None = None,
    seed: int = 0,
    executor: str | Executor = "processes",
    workers: int | None = None,
    progress: bool = True,
    model_fn: ModelFn = totals_member,
) -> SensitivityResult:
    """Sample the problem, run every point with the same seed, and compute the indices.

    ``scenario`` is a resolved :class:`channelsim.scenario.Scenario` (or anything ``model_fn``
    accepts, with ``.name`` and ``.params``). Output names are checked against the totals of
    one baseline run (the scenario at its own parameters) before the ensemble starts.
    """
    if method not in METHODS:
        raise InputError(None, "--method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    n = DEFAULT_SAMPLES[method] if n_samples is None else n_samples
    check_samples(method, n)
    problem = build_problem(parameters, getattr(scenario, "params", None))
    if not outputs:
        raise InputError(None, "--outputs", "expected at least one output")
    baseline = model_fn(scenario, member_seed(seed, 0), None)["totals"]
    for output in outputs:
        if output not in baseline:
            raise InputError(
                None, f"--outputs {output!r}", f"expected one of {', '.join(baseline)}"
            )
    x = sample(problem, method, n, seed)
    name = str(getattr(scenario, "name", "scenario"))
    spec = EnsembleSpec(
        scenarios={name: scenario},
        reps=1,
        base_seed=seed,
        draws=[problem.overrides(row) for row in x],
        name=f"sensitivity-{name}",
        kind="sensitivity",
    )
    ensemble = run_ensemble(model_fn, spec, executor=executor, workers=workers, progress=progress)
    totals = ensemble.totals()
    y = pd.DataFrame({o: totals[o].to_numpy(dtype=float) for o in outputs})
    indices = analyze(problem, method, x, {o: y[o].to_numpy() for o in outputs}, seed)
    start, end = getattr(scenario, "start", None), getattr(scenario, "end", None)
    return SensitivityResult(
        scenario=name,
        method=method,
        n_samples=n,
        seed=seed,
        problem=problem,
        x=x,
        y=y,
        indices=indices,
        period=(str(start), str(end)) if start is not None and end is not None else None,
        baseline={o: float(baseline[o]) for o in outputs},
    )
