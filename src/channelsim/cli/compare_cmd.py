"""CLI command ``compare``: paired scenario comparison with common random numbers.

Replicate ``r`` of every scenario runs with the same seed (``member_seed(base_seed, r)``),
so each scenario's total minus the base's total for the same replicate measures the
policy, not noise. Differences are summarised by their median and 5–95% quantiles.
Every comparison is recorded in the results store, so an interrupted one resumes.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console
from channelsim.cli.runs_cmd import (
    at_least_one,
    force_option,
    resume_option,
    resume_target,
    runs_store_option,
    scheduler_option,
    workers_option,
)
from channelsim.errors import InputError
from channelsim.outputs import (
    OutputTarget,
    ensemble_bytes,
    output_folder,
    write_output_folder,
)
from channelsim.scenario import Scenario

if TYPE_CHECKING:
    from channelsim.runstore import RunStore

LOW_Q, HIGH_Q = 0.05, 0.95
INTERVAL = "5–95%"

#: Figures reported, in order (totals of ``channelsim.policies.simulate``).
FIGURES = (
    "arrived_people",
    "arrived_boats",
    "attempted_people",
    "prevented_people",
    "prevented_events",
    "intercepted_boats",
    "returned_at_sea_people",
    "dead_or_missing_people",
    "rescued_from_water_people",
    "officer_injuries",
    "returned_people",
    "returned_from_uk_people",
    "removed_people",
    "legal_route_admissions_people",
    "cost_gbp",
)
COST_PER_PREVENTED = "cost_per_prevented_arrival_gbp"


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

        return write_output_folder(out_dir, write, kind="compare")


@contextlib.contextmanager
def resume_hint(store: RunStore) -> Iterator[None]:
    """On Ctrl-C, say on stderr how far the interrupted run got and how to resume it."""
    try:
        yield
    except KeyboardInterrupt:
        latest = store.list_runs()[:1] if store.exists else []
        if latest and latest[0]["status"] == "interrupted" and latest[0]["message"]:
            err_console.print(latest[0]["message"], highlight=False, soft_wrap=True)
        raise


def plain_json(value: Any) -> Any:
    """A JSON-ready copy: NumPy scalars as Python values, NaN and infinities as null."""
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_json(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, with ``-2``, ``-3``… added to repeats (the same file given twice)."""
    names: list[str] = []
    for scenario in scenarios:
        name, k = scenario.name, 2
        while name in names:
            name, k = f"{scenario.name}-{k}", k + 1
        names.append(name)
    return names


def interval_stats(values: np.ndarray) -> dict[str, float]:
    """Median, ``low`` (5%) and ``high`` (95%) quantiles and mean of the finite values
    (NaN when there are none): the figures every ensemble command reports."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return dict.fromkeys(("median", "low", "high", "mean"), math.nan)
    return {
        "median": float(np.median(finite)),
        "low": float(np.quantile(finite, LOW_Q)),
        "high": float(np.quantile(finite, HIGH_Q)),
        "mean": float(finite.mean()),
    }


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
    base: Scenario,
    others: Sequence[Scenario],
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
    from channelsim.engine import run_scenario
    from channelsim.experiments import EnsembleSpec, member_seed, run_ensemble
    from channelsim.policies import simulate

    if runs < 1:
        raise InputError(None, "--runs", f"expected at least 1 run, got {runs}")
    if seed < 0:
        raise InputError(None, "--seed", f"expected a non-negative integer, got {seed}")
    names = _unique_names([base, *others])
    spec = EnsembleSpec(
        scenarios=dict(zip(names, [base, *others], strict=True)),
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
    paired = result.paired(names[0])
    pairs = paired[paired["metric"].isin(FIGURES)].rename(columns={"metric": "figure"})
    pairs = pairs[["scenario", "rep", "figure", "value", "base_value", "difference"]]
    rows = []
    for name in names[1:]:
        mine = pairs[pairs["scenario"] == name]
        wide = mine.pivot(index="rep", columns="figure", values="difference")
        for figure in FIGURES:
            values = wide[figure].to_numpy(dtype=float) if figure in wide else np.zeros(0)
            rows.append(_summary(name, figure, values))
        rows.append(_cost_per_prevented(name, wide))
    return Comparison(
        base=names[0],
        base_seed=seed,
        runs=runs,
        names=names[1:],
        files=dict(zip(names, files or [None] * len(names), strict=True)),
        pairs=pairs.reset_index(drop=True),
        table=pd.DataFrame(rows),
        daily=result.table("daily"),
        boats=run_scenario(base, member_seed(seed, 0)).boats if boat_log else None,
        run_id=result.run_id,
    )


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the app."""

    @app.command("compare")
    def compare(
        base: Path = typer.Argument(..., help="The base scenario (e.g. the status quo)."),
        others: list[Path] = typer.Argument(..., help="Scenarios compared with the base."),
        runs: int = typer.Option(
            20, "--runs", callback=at_least_one("--runs"), help="Replicates per scenario."
        ),
        seed: int | None = typer.Option(
            None, "--seed", help="Base seed of the replicates (default: the base scenario's)."
        ),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
        out: Path | None = typer.Option(
            None, "--out", help="Write the comparison (Parquet + JSON) to DIR (new, or --force)."
        ),
        force: bool = force_option(),
        scheduler: str | None = scheduler_option(),
        workers: int | None = workers_option(),
        runs_store: Path | None = runs_store_option(),
        resume: str | None = resume_option(),
    ) -> None:
        """Paired differences of scenarios against BASE (median, 5–95%) with common random
        numbers: arrivals, prevention, deaths, injuries, returns, costs, cost per prevented
        arrival."""
        from channelsim.engine import load_scenario
        from channelsim.runstore import RunStore
        from channelsim.scenario import check_seed

        paths = [base, *others]
        scenarios = [load_scenario(path) for path in paths]
        base_seed = scenarios[0].seed if seed is None else check_seed(seed)
        days = max((s.end - s.start).days + 1 for s in scenarios)
        room = ensemble_bytes(runs * len(scenarios), days)
        target = None if out is None else output_folder(out, force=force, expected_bytes=room)
        with RunStore(runs_store) as store, resume_hint(store):
            comparison = compare_scenarios(
                scenarios[0],
                scenarios[1:],
                runs,
                base_seed,
                executor=scheduler or "processes",
                workers=workers,
                files=[str(path) for path in paths],
                store=store,
                resume=resume,
                boat_log=target is not None,
            )
        err_console.print(f"recorded as run {comparison.run_id} in {store.path}", highlight=False)
        payload = comparison.to_json_dict()
        if target is not None:
            written = comparison.write(target)
            payload["out"] = str(written)
            err_console.print(f"comparison written to {written}", highlight=False)
        rows = [
            {
                "scenario": r["scenario"],
                "figure": r["figure"],
                "median": r["median"],
                "low (5%)": r["low"],
                "high (95%)": r["high"],
            }
            for r in comparison.table.to_dict(orient="records")
        ]
        emit_rows(
            rows,
            fmt,
            title=f"difference from {comparison.base}, {runs} paired runs, median and {INTERVAL}",
            json_payload=payload,
        )
