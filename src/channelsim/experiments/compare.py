"""Paired comparison of scenarios with common random numbers.

Replicate ``r`` of every scenario runs with the same seed (``member_seed(base_seed, r)``),
so each scenario's total minus the base's total for the same replicate measures the
policy, not noise. Differences are summarised by their median and 5–95% quantiles. The
figures compared are those the scenarios' results registries mark as key or reported
figures; a figure only some scenarios make (a policy's own result) counts as 0 in the others.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from channelsim.errors import InputError
from channelsim.experiments.ensemble import EnsembleSpec, member_seed, run_ensemble
from channelsim.experiments.runs import resume_target
from channelsim.experiments.summary import HIGH_Q, INTERVAL, LOW_Q, interval_stats, plain_json
from channelsim.outputs import OutputTarget, write_output_folder

if TYPE_CHECKING:
    from channelsim.engine import ResultSet, SimSpec
    from channelsim.runstore import RunStore
    from channelsim.scenario import Scenario

COST_PER_PREVENTED = "cost_per_prevented_arrival_gbp"


def comparison_figures(results: ResultSet) -> list[str]:
    """The totals a comparison reports, in the registry's order."""
    return [str(item.total_name) for item in results.figures()]


@dataclass
class Comparison:
    """Paired differences of each scenario against the base."""

    base: str
    base_seed: int
    runs: int
    names: list[str]
    files: dict[str, str | None]
    pairs: pd.DataFrame  # scenario, rep, figure, value, base_value, difference
    table: pd.DataFrame  # scenario, figure, median, low, high, mean, n, share_below_zero
    daily: pd.DataFrame  # scenario, draw, rep and the daily table of every member
    boats: pd.DataFrame | None = None  # boat log of the base scenario's first replicate
    run_id: str | None = None
    figures: list[str] = field(default_factory=list)  # compared, in order
    results: ResultSet | None = None  # the scenarios' results registries, merged

    def to_json_dict(self) -> dict[str, Any]:
        """``scenarios``: in the order given, each with ``name`` and ``difference``."""
        scenarios = []
        for name in self.names:
            rows = self.table[self.table["scenario"] == name]
            scenarios.append(
                {
                    "name": name,
                    "file": self.files.get(name),
                    "difference": {
                        row["figure"]: {
                            k: plain_json(row[k])
                            for k in ("median", "low", "high", "mean", "n", "share_below_zero")
                        }
                        for row in rows.to_dict(orient="records")
                    },
                }
            )
        return {
            "run_id": self.run_id,
            "base": self.base,
            "base_file": self.files.get(self.base),
            "base_seed": self.base_seed,
            "runs": self.runs,
            "interval": INTERVAL,
            "quantiles": [LOW_Q, HIGH_Q],
            "cost_per_prevented_arrival": "extra cost ÷ fewer arrivals, per replicate where "
            "arrivals fell; null when the median change in arrivals is not a fall",
            "scenarios": scenarios,
        }

    def write(self, out_dir: Path | OutputTarget) -> Path:
        """Write ``comparison.parquet``, ``pairs.parquet``, ``comparison.json`` and, for the
        report's series and map, ``daily.parquet`` (every member) and ``boats.parquet``
        (the base's first replicate, when kept), atomically."""

        def write(tmp: Path) -> None:
            self.table.to_parquet(tmp / "comparison.parquet", index=False)
            self.pairs.to_parquet(tmp / "pairs.parquet", index=False)
            self.daily.to_parquet(tmp / "daily.parquet", index=False)
            if self.boats is not None:
                self.boats.to_parquet(tmp / "boats.parquet", index=False)
            text = json.dumps(plain_json(self.to_json_dict()), indent=2, ensure_ascii=False)
            (tmp / "comparison.json").write_text(text + "\n", encoding="utf-8")
            if self.results is not None:
                records = json.dumps(self.results.to_records(), indent=2, ensure_ascii=False)
                (tmp / "results.json").write_text(records + "\n", encoding="utf-8")

        return write_output_folder(out_dir, write, kind="compare")


def _unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, with ``-2``, ``-3``… added to repeats (the same file given twice)."""
    names: list[str] = []
    for scenario in scenarios:
        name, k = scenario.name, 2
        while name in names:
            name, k = f"{scenario.name}-{k}", k + 1
        names.append(name)
    return names


def _summary(name: str, figure: str, differences: np.ndarray) -> dict[str, Any]:
    finite = differences[np.isfinite(differences)]
    share = float((finite < 0).mean()) if finite.size else math.nan
    return {
        "scenario": name,
        "figure": figure,
        **interval_stats(differences),
        "n": int(finite.size),
        "share_below_zero": share,
    }


def _cost_per_prevented(name: str, wide: pd.DataFrame) -> dict[str, Any]:
    """Extra cost ÷ fewer arrivals per replicate where arrivals fell; undefined (NaN) when
    the median change in arrivals is not a fall."""
    fewer = -wide["arrived_people"].to_numpy(dtype=float)
    extra = wide["cost_gbp"].to_numpy(dtype=float)
    ratios = np.where(fewer > 0, extra / np.where(fewer > 0, fewer, 1.0), np.nan)
    row = _summary(name, COST_PER_PREVENTED, ratios)
    if not np.median(fewer) > 0:
        row.update(median=math.nan, low=math.nan, high=math.nan, mean=math.nan)
    return row


def compare_scenarios(
    base: Scenario | SimSpec,
    others: Sequence[Scenario | SimSpec],
    runs: int,
    seed: int,
    *,
    executor: str = "processes",
    workers: int | None = None,
    progress: bool = True,
    files: Sequence[str | None] | None = None,
    store: RunStore | None = None,
    resume: str | None = None,
    boat_log: bool = False,
) -> Comparison:
    """Run base and others for ``runs`` replicates each with common random numbers and
    summarise the paired differences of every figure.

    With a ``store`` the run is recorded there and ``resume`` (a run id or ``"latest"``)
    continues an interrupted one. ``boat_log`` re-runs the base's first replicate in this
    process for its boat log (the report's map); members return only totals and days.
    """
    from channelsim.engine import SimSpec, scenario_results, simulate

    if runs < 1:
        raise InputError(None, "--runs", f"expected at least 1 run, got {runs}")
    if seed < 0:
        raise InputError(None, "--seed", f"expected a non-negative integer, got {seed}")
    models = [  # members ship their daily tables; the base's boat log is re-run when kept
        dataclasses.replace(m if isinstance(m, SimSpec) else SimSpec(m), keep=("daily",))
        for m in (base, *others)
    ]
    names = _unique_names([m.scenario for m in models])
    results = scenario_results(models[0].scenario)
    for model in models[1:]:
        results = results.merged(scenario_results(model.scenario))
    figures = comparison_figures(results)
    spec = EnsembleSpec(
        scenarios=dict(zip(names, models, strict=True)),
        reps=runs,
        base_seed=seed,
        base=names[0],
        name=f"compare-{names[0]}",
        kind="compare",
    )
    run_id, resuming = resume_target(resume)
    result = run_ensemble(
        simulate,
        spec,
        executor=executor,
        workers=workers,
        progress=progress,
        store=store,
        run_id=run_id,
        resume=resuming,
    )
    members = result.totals()
    for figure in figures:  # a policy's own result is 0 where the policy is absent
        members[figure] = members[figure].fillna(0.0) if figure in members else 0.0
    keyed = members.set_index(["draw", "rep"])
    base_rows = keyed[keyed["scenario"] == names[0]]
    frames, rows = [], []
    for name in names[1:]:
        mine = keyed[keyed["scenario"] == name]
        theirs = base_rows.loc[mine.index]
        value = mine[figures].astype(float)
        base_value = theirs[figures].astype(float).set_index(value.index)
        difference = value - base_value
        long = pd.DataFrame(
            {
                "scenario": name,
                "rep": np.repeat(mine.index.get_level_values("rep"), len(figures)),
                "figure": np.tile(figures, len(mine)),
                "value": value.to_numpy().ravel(),
                "base_value": base_value.to_numpy().ravel(),
                "difference": difference.to_numpy().ravel(),
            }
        )
        frames.append(long)
        for figure in figures:
            rows.append(_summary(name, figure, difference[figure].to_numpy(dtype=float)))
        rows.append(_cost_per_prevented(name, difference.reset_index(drop=True)))
    columns = ["scenario", "rep", "figure", "value", "base_value", "difference"]
    pairs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return Comparison(
        base=names[0],
        base_seed=seed,
        runs=runs,
        names=names[1:],
        files=dict(zip(names, files or [None] * len(names), strict=True)),
        pairs=pairs,
        table=pd.DataFrame(rows),
        daily=result.table("daily"),
        boats=(
            simulate(dataclasses.replace(models[0], keep=("boats",)), member_seed(seed, 0)).boats
            if boat_log
            else None
        ),
        run_id=result.run_id,
        figures=figures,
        results=results,
    )
