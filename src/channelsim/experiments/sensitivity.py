"""Global sensitivity analysis (SALib) of scenario totals over the uncertain parameters.

The problem comes from the parameter metadata (``channelsim.params``): each parameter is
varied over its plausible range ``low``–``high``, the same range that docs/model.md documents.
Sample points become parameter draws of one ensemble (``run_ensemble``) with a single
replicate, so every point is run with the same seed (common random numbers): the model is then
a deterministic function of the parameters and the indices measure parameters, not noise.

The policies' own options with a plausible range declared (``policy_param``'s ``low`` and
``high``, docs/model.md §3.6) are varied the same way when named ``policy.<policy
name>.<option>`` (:func:`policy_inputs`; the keys ``compare --posterior`` draws); the
assumptions the analysis does not vary are listed with their values (:func:`held_assumptions`,
:func:`held_note`), since their share is then in no index.

Integer parameters take each whole value of their range equally often. Sobol samples them on
``[low, high + 1)`` and floors. Morris moves on a grid of levels; an integer parameter with
``m`` values gets ``p/m`` consecutive levels per value, with ``p`` (:func:`morris_levels`) an even
multiple of every ``m``, so no level falls outside the range (flooring ``[low, high + 1)`` put
the top level on ``high + 1``, clipped: ``beach.groups_per_boat`` took 2/3/4 at 27/18/55%).

Methods: ``sobol`` (Saltelli/Jansen estimators: first-order ``S1`` and total ``ST`` indices
with bootstrap confidence intervals, ``N·(D+2)`` runs) and ``morris`` (elementary effects:
``mu_star`` and ``sigma`` in output units per full range of the parameter, ``N·(D+1)`` runs).
With a calibration posterior (``method = "rbd-fast"``, :func:`run_posterior_sensitivity`),
the calibrated parameters are drawn from the posterior instead (correlated, as calibrated) and
the policies' assumptions over their declared ranges (their stated values the medians), by
the paired draws of
``compare --posterior`` (:func:`channelsim.experiments.uncertainty.paired_draws`); every run
takes the same seed, and each output's variance is shared out by RBD-FAST on that sample,
each share with its bootstrap half-width against the noise level, as in "what decides this
answer" (:func:`channelsim.experiments.uncertainty.what_decides`).

Morris's elementary effects divide each output change by the step the parameter really took:
an integer parameter steps by whole values, not by SALib's nominal ``p/(2(p−1))`` of its
range, so a linear output gets the exact effect with no spread (SALib's own analysis, which
assumes the nominal step, gave ``mu_star`` 2.37 and ``sigma`` 0.75 for an exact 2 and 0).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from channelsim.errors import InputError
from channelsim.experiments.ensemble import EnsembleSpec, member_seed, run_ensemble
from channelsim.experiments.executor import Executor
from channelsim.outputs import OutputTarget, write_output_folder
from channelsim.params import (
    ParamInfo,
    Params,
    default_params,
    did_you_mean,
    uncertain_parameters,
)

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
"""What Sobol varies by default (its runs grow as N·(D+2), so a handful of the engine's)."""
DEFAULT_SAMPLES = {"sobol": 64, "morris": 10}
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 200

#: The method of a sensitivity over a posterior: RBD-FAST on the drawn sample.
POSTERIOR_METHOD = "rbd-fast"
#: Posterior draws run by default (the shares of ~25 inputs are told from noise well before).
POSTERIOR_SAMPLES = 256
#: The most model runs one sensitivity analysis may ask for (the limit of `run --runs`): every
#: sample point is planned before the first run, so a huge ``--samples`` ran for days or
#: filled the memory. It bounds ``--samples`` at N·(D+2) ≤ this for sobol, N·(D+1) for
#: morris (D parameters) and N for the posterior's draws.
MAX_RUNS = 100_000
_RUNS_PER_SAMPLE = {"sobol": 2, "morris": 1}  # runs = N·(D + this)

#: Each method's name in a sentence.
METHOD_NAMES = {"sobol": "Sobol", "morris": "Morris", POSTERIOR_METHOD: "RBD-FAST"}

#: Index columns of the tidy table, per method.
INDEX_COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    POSTERIOR_METHOD: ("share", "share_conf", "share_low", "noise_level", "above_noise", "runs",
                       "runs_needed"),
}  # fmt: skip

#: Decimal places of a Sobol index or an RBD-FAST share (a share of variance) in a table or
#: chart for reading: a smaller value (numerical noise, 3.5e-16) shows as 0. The exported
#: indices (Parquet, JSON, CSV) keep every digit.
INDEX_DECIMALS = 3
#: Significant figures of an output's largest Morris effect (in the output's unit), which set
#: the decimal places of that output's effects for reading.
EFFECT_DIGITS = 3


def display_decimals(indices: pd.DataFrame) -> dict[str, int]:
    """Each output's decimal places for reading its indices: :data:`INDEX_DECIMALS` for a
    share of variance (Sobol, RBD-FAST); for Morris effects, in the output's own unit, those
    giving its largest effect :data:`EFFECT_DIGITS` significant figures (none for effects of
    hundreds of people, 4 for effects of 0.05 deaths)."""
    method = str(indices["method"].iloc[0]) if len(indices) else "sobol"
    decimals: dict[str, int] = {}
    for output, part in indices.groupby("output", sort=False):
        if method != "morris":
            decimals[str(output)] = INDEX_DECIMALS
            continue
        columns = [c for c in INDEX_COLUMNS["morris"] if c in part]
        values = np.abs(part[columns].to_numpy(dtype=float))
        largest = float(np.nanmax(values, initial=0.0))
        places = EFFECT_DIGITS - 1 - math.floor(math.log10(largest)) if largest > 0 else 0
        decimals[str(output)] = max(0, places)
    return decimals


def shown_indices(indices: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The indices rounded for reading (:func:`display_decimals`; ``-0`` as 0) and the
    sentence saying to what precision. The indices themselves are not changed."""
    decimals = display_decimals(indices)
    method = str(indices["method"].iloc[0]) if len(indices) else "sobol"
    columns = [c for c in INDEX_COLUMNS.get(method, ()) if c in indices]
    columns = [c for c in columns if indices[c].dtype.kind == "f"]
    shown = indices.copy()
    places = shown["output"].map(decimals).to_numpy()
    for column in columns:
        values = shown[column].to_numpy(dtype=float)
        rounded = [round(v, int(d)) + 0.0 for v, d in zip(values, places, strict=True)]
        shown[column] = rounded
    if method != "morris":
        precision = (
            f"indices to {INDEX_DECIMALS} decimal places (a smaller one, numerical noise, "
            "shows as 0)"
        )
    else:
        from channelsim.engine import all_results

        label = all_results().label
        each = ", ".join(f"{label(str(o))}: {d}" for o, d in decimals.items())
        precision = (
            f"effects to {EFFECT_DIGITS} significant figures of each output's largest (decimal "
            f"places {each}; a smaller one shows as 0)"
        )
    return shown, precision + "; the exported indices keep every digit"


#: What Morris's indices mean, in words (under a Morris table and in sensitivity.json).
MORRIS_MEANING = (
    "mu* is how much an output changes, on average and whichever way, when one input alone "
    "moves from the bottom to the top of its plausible range, in the output's own unit "
    "(people, boats, £): the larger, the more that input moves the output. It is measured "
    "from {n} starting points spread over the other inputs' ranges (Morris trajectories); "
    "sigma, in the same unit, is how much that change differs between those points (large "
    "beside mu*: the input's effect depends on the other inputs or is not a straight line); "
    "mu is the average signed change (negative: the output falls as the input rises)."
)


def morris_sentences(indices: pd.DataFrame, n_samples: int) -> list[str]:
    """Morris's indices in words: :data:`MORRIS_MEANING`, then for each output the inputs
    that move it most, largest ``mu*`` first with its unit (``"People arrived in the UK moves
    most with inflow people per day (people/day): 58,400 people across its range, then ..."``;
    up to three, those with an effect; the output's decimal places as the table's)."""
    from channelsim.engine import all_results
    from channelsim.experiments.uncertainty import input_label
    from channelsim.fields import describe

    results = all_results()
    decimals = display_decimals(indices)
    lines = [MORRIS_MEANING.format(n=n_samples)]
    for output, part in indices.groupby("output", sort=False):
        unit = describe(str(output), results).unit
        ranked = part[part["mu_star"] > 0].sort_values("mu_star", ascending=False).head(3)
        heading = results.label(str(output))
        if ranked.empty:
            lines.append(f"{heading}: no input varied moves it.")
            continue
        places = decimals[str(output)]
        effects = [
            (input_label(str(r["parameter"])), _in_unit(float(r["mu_star"]), places, unit))
            for r in ranked.to_dict(orient="records")
        ]
        first, *rest = effects
        text = f"{heading} moves most with {first[0]}: {first[1]} across its range (mu*)"
        if rest:
            text += ", then " + " and ".join(f"{name} ({value})" for name, value in rest)
        lines.append(text + ".")
    return lines


#: A Sobol index's 95% half-width above which :func:`sobol_spread_line` warns: wider, and
#: indices a tenth of the variance apart cannot be told apart.
WIDE_HALF_WIDTH = 0.1


def sobol_spread_line(indices: pd.DataFrame, n_samples: int) -> str | None:
    """The line under a Sobol table whose widest 95% half-width exceeds
    :data:`WIDE_HALF_WIDTH`: how wide, where, and what that makes of the indices (s11 T22:
    32 base samples gave S1 0.908 ± 0.413 above ST 0.83, and a −0.001, with no word)."""
    from channelsim.engine import all_results
    from channelsim.experiments.uncertainty import input_label

    if indices.empty or "S1_conf" not in indices:
        return None
    widths = indices[["S1_conf", "ST_conf"]].to_numpy(dtype=float)
    if not np.isfinite(widths).any() or np.nanmax(widths) <= WIDE_HALF_WIDTH:
        return None
    row, column = np.unravel_index(np.nanargmax(widths), widths.shape)
    worst = indices.iloc[int(row)]
    index = ("S1", "ST")[int(column)]
    return (
        f"With {n_samples:,} base samples the indices' 95% half-widths reach "
        f"±{float(widths[row, column]):.2f} ({index} of {input_label(str(worst['parameter']))} "
        f"for {all_results().label(str(worst['output']))}): indices closer than that cannot be "
        "told apart, and an S1 above its ST or below 0 is that sampling noise. More --samples "
        "narrow them (four times the samples, about half the width)."
    )


def in_words(method: str, indices: pd.DataFrame, n_samples: int) -> list[str]:
    """What the indices say in words: Morris's meaning and the inputs that move each output
    most (:func:`morris_sentences`), or a Sobol sample too small to read
    (:func:`sobol_spread_line`); nothing for a posterior's shares (their lines are the
    terminal's)."""
    if method == "morris":
        return morris_sentences(indices, n_samples)
    spread = sobol_spread_line(indices, n_samples) if method == "sobol" else None
    return [] if spread is None else [spread]


def _in_unit(value: float, places: int, unit: str) -> str:
    """``58,384 people``, ``£1,230``, ``0.25`` (no unit)."""
    number = f"{value:,.{places}f}"
    if unit in ("£", "€"):
        return f"{unit}{number}"
    return number if unit in ("", "-") else f"{number} {unit}"


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

    def _ranges(self) -> tuple[np.ndarray, np.ndarray]:
        low = np.array([float(info.low or 0.0) for info in self.parameters])
        high = np.array([float(info.high or 0.0) for info in self.parameters])
        return low, high

    def integer_counts(self) -> list[int]:
        """How many whole values each integer parameter takes (the others are left out)."""
        return [
            int(info.high or 0) - int(info.low or 0) + 1
            for info in self.parameters
            if self._is_integer(info)
        ]

    def from_morris_grid(self, unit: np.ndarray, levels: int) -> np.ndarray:
        """Parameter values of Morris grid points (``unit`` in [0, 1], on ``levels`` levels).

        A continuous parameter scales to ``[low, high]``; an integer one with ``m`` values
        takes value ``low + floor(k·m/levels)`` at level ``k``: ``levels/m`` levels each.
        """
        low, high = self._ranges()
        values = low + unit * (high - low)
        level = np.rint(unit * (levels - 1))
        for j, info in enumerate(self.parameters):
            if self._is_integer(info):
                count = int(high[j] - low[j]) + 1
                values[:, j] = low[j] + np.floor(level[:, j] * count / levels)
        return values

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Parameter values as fractions of their ranges (0 at ``low``, 1 at ``high``)."""
        low, high = self._ranges()
        span = np.where(high > low, high - low, 1.0)
        return (np.asarray(x, dtype=float) - low) / span

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


def policy_inputs(scenario: Any) -> dict[str, ParamInfo]:
    """The policies' own assumptions a Sobol or Morris analysis can vary: every number option
    with a plausible range declared (:func:`channelsim.engine.policy.policy_param`'s ``low``
    and ``high``, docs/model.md §3.6) of every policy of ``scenario`` whose window meets its
    period, keyed ``policy.<policy name>.<option>`` as ``compare --posterior`` names them
    (``policy.maritime_doctrine#0.compliance``; a policy the scenario names by its name).
    Each is varied over that range; its default is the scenario's value. Empty for anything
    without policies (a test's stand-in)."""
    if not getattr(scenario, "policies", None):
        return {}
    from channelsim.engine.policy import build_policies, name_policies
    from channelsim.experiments.uncertainty import PREFIX, _acts_between

    built = build_policies(scenario.policies, scenario.policy_location)
    found: dict[str, ParamInfo] = {}
    for policy, name in zip(built, name_policies(built), strict=True):
        if not _acts_between(policy, scenario.start, scenario.end):
            continue
        for option, field in type(policy).model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            low, high, value = extra.get("low"), extra.get("high"), getattr(policy, option)
            if low is None or high is None or isinstance(value, bool):
                continue
            if not isinstance(value, int | float):
                continue
            key = f"{PREFIX}{name}.{option}"
            found[key] = ParamInfo(
                path=key,
                unit=str(extra.get("unit") or ""),
                default=value,
                ge=_hard_bound(field, "ge", -math.inf),
                le=_hard_bound(field, "le", math.inf),
                low=float(low),  # type: ignore[arg-type]
                high=float(high),  # type: ignore[arg-type]
                source=None if extra.get("source") is None else str(extra["source"]),
                description=field.description or "",
            )
    return found


def _hard_bound(field: Any, kind: str, otherwise: float) -> float:
    """A pydantic field's bound ``kind`` (``ge``, ``le``), or ``otherwise``."""
    for item in field.metadata:
        if getattr(item, kind, None) is not None:
            return float(getattr(item, kind))
    return otherwise


def _policy_aliases(available: Mapping[str, ParamInfo]) -> dict[str, str]:
    """``policy.<type>.<option>`` for ``policy.<type>#<k>.<option>`` when the scenario has
    one policy of that type (the ``#0`` a reader would not guess)."""
    aliases: dict[str, list[str]] = {}
    for key in available:
        head, sep, option = key.rpartition(".")
        if "#" in head:
            aliases.setdefault(f"{head.partition('#')[0]}{sep}{option}", []).append(key)
    return {alias: keys[0] for alias, keys in aliases.items() if len(keys) == 1}


def _suggestion(path: str, available: Sequence[str]) -> str:
    """`` did you mean K?`` for a misspelt key, or for an option named without its group or
    policy (``capsize_probability_per_intervention``)."""
    ending = [key for key in available if key.rpartition(".")[2] == path.rpartition(".")[2]]
    if ending and len(ending) <= 3 and path not in available:
        return f" did you mean {' or '.join(ending)}?"
    return did_you_mean(path, list(available))


def default_parameters(method: str, params: Params | None = None) -> list[str]:
    """What ``method`` varies when ``--params`` is not given: Sobol the six of
    :data:`DEFAULT_PARAMETERS`; Morris, a screen (N·(D+1) runs), every engine parameter with a
    plausible range, so that no assumption escapes it (the s14 trial's screen found six of the
    nine that most move deaths outside the six)."""
    if method != "morris":
        return list(DEFAULT_PARAMETERS)
    return [p.path for p in uncertain_parameters(params or default_params())]


def build_problem(
    paths: Sequence[str] | None = None, params: Params | None = None, scenario: Any = None
) -> SensitivityProblem:
    """The problem over ``paths`` (default :data:`DEFAULT_PARAMETERS`), checked by name:
    engine parameters with a plausible range (``coast.inflow_people_per_day``, also as a
    scenario file's ``params.`` key) and the options of ``scenario``'s policies that have
    one (:func:`policy_inputs`; ``policy.<type>.<option>`` for the only policy of a type).

    Raises :class:`InputError` (``--params``) for none, an unknown name (with the closest
    ones) or a name given twice."""
    available = {p.path: p for p in uncertain_parameters(params or default_params())}
    available |= policy_inputs(scenario)
    aliases = _policy_aliases(available)
    given = list(DEFAULT_PARAMETERS if paths is None else paths)
    if not given:
        raise InputError(None, "--params", "expected at least one parameter")
    chosen = [path.removeprefix("params.") for path in given]  # as a scenario file spells it
    chosen = [aliases.get(path, path) for path in chosen]
    for path, as_given in zip(chosen, given, strict=True):
        if path not in available:
            raise InputError(
                None,
                f"--params {as_given!r}",
                f"expected an uncertain parameter;{_suggestion(path, list(available))} one "
                f"of {', '.join(available)}",
            )
    if len(set(chosen)) != len(chosen):
        raise InputError(None, "--params", "expected each parameter once")
    return SensitivityProblem(tuple(available[path] for path in chosen))


def check_samples(method: str, n: int) -> None:
    """Sobol needs a power of two of base samples; Morris at least two trajectories."""
    if method not in METHODS:
        raise InputError(None, "--method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    if method == "sobol" and (n < 2 or n & (n - 1)):
        near = (
            ""
            if n < 2
            else f" (the nearest: {2 ** (n.bit_length() - 1):,} or {2 ** n.bit_length():,})"
        )
        raise InputError(
            None, "--samples", f"expected a power of two ≥ 2 for sobol, got {n:,}{near}"
        )
    if method == "morris" and n < 2:
        raise InputError(None, "--samples", f"expected at least 2 trajectories for morris, got {n}")


def check_runs(method: str, n: int, parameters: int) -> None:
    """The analysis's runs (N·(D+2) for sobol, N·(D+1) for morris, N draws for the posterior's
    RBD-FAST) must not exceed :data:`MAX_RUNS`; :class:`InputError` naming ``--samples`` and
    its largest allowed value otherwise."""
    per = parameters + _RUNS_PER_SAMPLE[method] if method in _RUNS_PER_SAMPLE else 1
    # (D is only known once the parameters are chosen: hence not an option callback)
    if n * per <= MAX_RUNS:
        return
    most = MAX_RUNS // per
    if method == "sobol":
        most = 2 ** (most.bit_length() - 1)  # a power of two
    if method in _RUNS_PER_SAMPLE:
        what = f"with {parameters} parameters (runs = N·({parameters}+{_RUNS_PER_SAMPLE[method]})"
    else:
        what = "draws (runs = N"
    raise InputError(
        None,
        "--samples",
        f"expected at most {most:,} for {METHOD_NAMES[method]} {what}, at most {MAX_RUNS:,} "
        f"in one analysis), got {n:,}",
    )


def morris_levels(problem: SensitivityProblem) -> int:
    """The Morris grid's levels: the smallest even multiple of every integer parameter's
    number of values that is at least :data:`MORRIS_LEVELS` (4 without integer parameters)."""
    base = math.lcm(2, *problem.integer_counts())
    return base * math.ceil(MORRIS_LEVELS / base)


def sample(problem: SensitivityProblem, method: str, n: int, seed: int) -> np.ndarray:
    """Sample points (rows) for ``method``: ``N·(D+2)`` for sobol, ``N·(D+1)`` for morris.

    Morris trajectories are SALib's, drawn on the unit grid of :func:`morris_levels` levels
    and mapped to the parameters by :meth:`SensitivityProblem.from_morris_grid`.
    """
    check_samples(method, n)
    if method == "sobol":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(problem.salib(), n, calc_second_order=False, seed=seed))
    from SALib.sample import morris

    unit = {**problem.salib(), "bounds": [[0.0, 1.0]] * len(problem.parameters)}
    levels = morris_levels(problem)
    grid = np.asarray(morris.sample(unit, n, num_levels=levels, seed=seed))
    return problem.from_morris_grid(grid, levels)


def morris_effects(problem: SensitivityProblem, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Elementary effects, shape ``(D, N)``: along each trajectory (``D + 1`` rows of ``x``,
    one parameter changing per step), the output's change divided by the parameter's change
    as a fraction of its range, i.e. in output units per full range."""
    d = len(problem.parameters)
    unit = problem.to_unit(x).reshape(-1, d + 1, d)
    out = np.asarray(y, dtype=float).reshape(-1, d + 1)
    steps = np.diff(unit, axis=1)  # (N, D, D): step j moves one parameter
    moved = np.argmax(np.abs(steps), axis=2)  # (N, D): which one
    size = np.take_along_axis(steps, moved[..., None], axis=2)[..., 0]
    change = np.diff(out, axis=1)
    effects = np.zeros((d, unit.shape[0]))
    for t in range(unit.shape[0]):
        for j in range(d):
            if size[t, j] != 0.0:  # a parameter whose range is one value never moves
                effects[moved[t, j], t] = change[t, j] / size[t, j]
    return effects


def _morris_indices(effects: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """mu, mu_star, sigma and the bootstrap half-width of mu_star, as SALib computes them."""
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    conf = []
    for ee in effects:
        resampled = ee[rng.integers(len(ee), size=(BOOTSTRAP_RESAMPLES, len(ee)))]
        spread = np.abs(resampled).mean(axis=1).std(ddof=1)
        conf.append(norm.ppf(0.5 + CONF_LEVEL / 2) * spread)
    return {
        "mu": effects.mean(axis=1),
        "mu_star": np.abs(effects).mean(axis=1),
        "sigma": effects.std(axis=1, ddof=1),
        "mu_star_conf": np.asarray(conf),
    }


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
            res = _morris_indices(morris_effects(problem, x, y), seed)
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


def totals_member(scenario: Any, seed: int, overrides: dict[str, Any] | None) -> Any:
    """Run the engine and keep only the totals (workers send back nothing else). Overrides
    ``policy.<name>.<option>`` (:func:`policy_inputs`) set the options of the scenario's
    policies (:func:`channelsim.experiments.uncertainty.uncertain_member`), the others the
    engine's parameters."""
    from channelsim.engine import SimSpec, simulate
    from channelsim.experiments.uncertainty import PREFIX, uncertain_member

    if overrides and any(key.startswith(PREFIX) for key in overrides):
        spec = scenario if isinstance(scenario, SimSpec) else SimSpec(scenario)
        return uncertain_member(spec, seed, overrides).with_extra({}, keep=())
    return simulate(scenario, seed, overrides).with_extra({}, keep=())


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
    #: With a posterior: its folder, and each run's inputs (parameters and assumptions).
    posterior: str | None = None
    inputs: pd.DataFrame | None = None
    #: The policies' assumptions held at the scenario's values (:func:`held_assumptions`).
    held: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def outputs(self) -> list[str]:
        return list(self.y.columns)

    def samples(self) -> pd.DataFrame:
        """One row per model evaluation: the parameter values used and the outputs."""
        if self.inputs is not None:
            frame = self.inputs.reset_index(drop=True)
        else:
            values = [self.problem.overrides(row) for row in self.x]
            frame = pd.DataFrame(values, columns=self.problem.names)
        return pd.concat([frame, self.y.reset_index(drop=True)], axis=1)

    def in_words(self) -> list[str]:
        """:func:`in_words` of this analysis."""
        return in_words(self.method, self.indices, self.n_samples)

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
            "posterior": self.posterior,
            "held_assumptions": self.held,
            "held_note": held_note(self.held),
            "in_words": self.in_words(),
            "baseline_member_seed": member_seed(self.seed, 0),
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

        from channelsim.engine import all_results

        return write_output_folder(
            out_dir, write, kind="sensitivity", describe=all_results().describe
        )


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

    ``scenario`` is a resolved :class:`channelsim.scenario.Scenario`, a
    :class:`channelsim.engine.SimSpec` (:func:`channelsim.experiments.prepare`: a scenario
    with the weather reader it needs, e.g. a replay of observed days), or anything ``model_fn``
    accepts, with ``.name`` and ``.params``. Output names are checked against the totals of
    one baseline run (the scenario at its own parameters) before the ensemble starts.
    """
    if method not in METHODS:
        raise InputError(None, "--method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    n = DEFAULT_SAMPLES[method] if n_samples is None else n_samples
    described = getattr(scenario, "scenario", scenario)  # a SimSpec's scenario
    params = getattr(described, "params", None)
    chosen = default_parameters(method, params) if parameters is None else parameters
    problem = build_problem(chosen, params, described)
    check_runs(method, n, len(problem.parameters))  # first: its line states the upper limit
    check_samples(method, n)
    baseline = checked_outputs(model_fn(scenario, member_seed(seed, 0), None), outputs)
    x = sample(problem, method, n, seed)
    name = str(getattr(described, "name", "scenario"))
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
    start, end = getattr(described, "start", None), getattr(described, "end", None)
    return SensitivityResult(
        held=held_assumptions(described, problem.names),
        scenario=name,
        method=method,
        n_samples=n,
        seed=seed,
        problem=problem,
        x=x,
        y=y,
        indices=indices,
        period=(str(start), str(end)) if start is not None and end is not None else None,
        baseline=baseline,
    )


def held_assumptions(scenario: Any, varied: Collection[str]) -> list[dict[str, Any]]:
    """The assumptions of ``scenario``'s policies that can change a result in its period
    (``Policy.assumptions``, those ``compare --posterior`` draws and says the answer rests on)
    and that a Sobol or Morris analysis over ``varied`` holds at the scenario's values: each
    ``key`` (``policy.<name>.<option>``, what ``--params`` takes), ``label``, ``value`` and
    the plausible range ``low``–``high``. Empty for anything without policies."""
    if not getattr(scenario, "policies", None):
        return []
    from channelsim.experiments.uncertainty import input_label, scenario_assumptions

    return [
        {"key": a.key, "label": input_label(a.key), "value": a.stated, "low": a.low,
         "high": a.high}
        for a in scenario_assumptions(scenario, acting=True)
        if a.key not in varied
    ]  # fmt: skip


def held_note(held: Sequence[Mapping[str, Any]]) -> str | None:
    """The line under a Sobol or Morris table naming the policies' assumptions it held fixed
    (:func:`held_assumptions`) and how to vary them; ``None`` when none was held."""
    if not held:
        return None
    values = "; ".join(
        f"{h['label']} {_number(h['value'])} (plausible {_number(h['low'])}–{_number(h['high'])})"
        for h in held
    )
    keys = ",".join(str(h["key"]) for h in held)
    return (
        f"Not varied: the policies' assumptions, held at the scenario's values: {values}. "
        f"What they decide is not in these indices; to vary them over those ranges add them to "
        f"--params ({keys}), or use --posterior."
    )


def _number(value: Any) -> str:
    """A value for a sentence: a whole number without ``.0``, else 3 significant figures."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:.3g}"


def checked_outputs(first: Any, outputs: Sequence[str]) -> dict[str, float]:
    """The ``outputs`` of one baseline run (a result, or a mapping with ``totals``).

    Raises :class:`InputError` (``--outputs``) for none, or for a name the totals lack."""
    if not outputs:
        raise InputError(None, "--outputs", "expected at least one output")
    totals = first["totals"] if isinstance(first, Mapping) else first.totals
    for output in outputs:
        if output not in totals:
            raise InputError(
                None,
                f"--outputs {output!r}",
                f"expected a total;{did_you_mean(output, list(totals))} one of {', '.join(totals)}",
            )
    return {o: float(totals[o]) for o in outputs}


def run_posterior_sensitivity(
    model: Any,
    posterior: Any,
    *,
    outputs: Sequence[str] = DEFAULT_OUTPUTS,
    n_samples: int | None = None,
    seed: int = 0,
    executor: str | Executor = "processes",
    workers: int | None = None,
    progress: bool = True,
) -> SensitivityResult:
    """RBD-FAST shares of each output's variance over the posterior and the assumptions.

    ``model``: a :class:`channelsim.engine.SimSpec` (:func:`channelsim.experiments.prepare`);
    ``posterior``: a :class:`channelsim.experiments.calibrate.Posterior`. Run ``r`` takes
    posterior draw ``r`` and point ``r`` of the assumptions' Latin hypercube
    (:func:`~channelsim.experiments.uncertainty.paired_draws`, as ``compare --posterior``),
    every run the same seed. ``n_samples`` draws (default :data:`POSTERIOR_SAMPLES`).

    Raises :class:`InputError` (``--samples``) for fewer draws than RBD-FAST needs, or
    (``--outputs``) for an output the totals lack.
    """
    from channelsim.experiments.uncertainty import (
        MIN_MEMBERS,
        acting_inputs,
        paired_draws,
        scenario_assumptions,
        uncertain_member,
    )

    n = POSTERIOR_SAMPLES if n_samples is None else n_samples
    if n < MIN_MEMBERS:
        raise InputError(None, "--samples", f"expected at least {MIN_MEMBERS} draws, got {n}")
    check_runs(POSTERIOR_METHOD, n, 0)
    model = dataclasses.replace(model, keep=())  # members send back their totals only
    baseline = checked_outputs(uncertain_member(model, member_seed(seed, 0), None), outputs)
    assumptions = scenario_assumptions(model.scenario)
    draws = paired_draws(n, seed, posterior, assumptions)
    assert draws is not None  # a posterior always gives parameter sets
    spec = EnsembleSpec(
        scenarios={model.name: model}, reps=1, base_seed=seed, draws=draws,
        name=f"sensitivity-{model.name}", kind="sensitivity",
    )  # fmt: skip
    ensemble = run_ensemble(
        uncertain_member, spec, executor=executor, workers=workers, progress=progress
    )
    totals = ensemble.totals().sort_values("draw", kind="stable")
    y = pd.DataFrame({o: totals[o].to_numpy(dtype=float) for o in outputs})
    inputs = pd.DataFrame(draws)
    known = {p.path: p for p in uncertain_parameters(model.scenario.params)}
    scenario = model.scenario
    return SensitivityResult(
        scenario=model.name,
        method=POSTERIOR_METHOD,
        n_samples=n,
        seed=seed,
        problem=SensitivityProblem(tuple(known[c] for c in inputs.columns if c in known)),
        x=inputs.to_numpy(dtype=float),
        y=y,
        indices=posterior_indices(
            inputs, y, assumptions, seed, acting_inputs(scenario, inputs.columns)
        ),
        period=(str(scenario.start), str(scenario.end)),
        baseline=baseline,
        posterior=str(posterior.path),
        inputs=inputs,
    )


def posterior_indices(
    inputs: pd.DataFrame,
    y: pd.DataFrame,
    assumptions: Sequence[Any],
    seed: int,
    acting: Collection[str] | None = None,
) -> pd.DataFrame:
    """Tidy shares (:data:`INDEX_COLUMNS` of ``rbd-fast``) of each output of ``y`` (runs ×
    outputs) due to each column of ``inputs`` (runs × inputs), by
    :func:`~channelsim.experiments.uncertainty.what_decides`; ``kind`` says whether an input
    is a calibrated parameter or an assumption, ``low``/``high`` the range it was drawn on.
    ``acting``: the inputs that can change a result in the period
    (:func:`~channelsim.experiments.uncertainty.acting_inputs`); the others get no row."""
    from channelsim.experiments.uncertainty import CHANCE, what_decides

    runs = np.arange(len(y))
    pairs = pd.concat(
        [pd.DataFrame({"scenario": "", "rep": runs, "figure": o, "difference": y[o]}) for o in y],
        ignore_index=True,
    )
    keys = [a.key for a in assumptions]
    shares = what_decides(
        inputs.to_dict(orient="records"), pairs, {"": keys}, seed,
        None if acting is None else {"": acting},
    )  # fmt: skip
    infos = {p.path: (p.unit, p.low, p.high) for p in uncertain_parameters()}
    infos |= {a.key: ("", a.low, a.high) for a in assumptions}
    ranges = {c: infos.get(c, ("", inputs[c].min(), inputs[c].max())) for c in inputs}
    rows = [
        {
            "output": r["figure"],
            "parameter": r["input"],
            "kind": r["kind"],
            **dict(zip(("unit", "low", "high"), ranges[r["input"]], strict=True)),
            "method": POSTERIOR_METHOD,
            **{c: r[c] for c in INDEX_COLUMNS[POSTERIOR_METHOD]},
        }
        for r in shares.to_dict(orient="records")
        if r["input"] != CHANCE  # first-order shares need not add up: no "rest" to show
    ]
    return pd.DataFrame(rows)
