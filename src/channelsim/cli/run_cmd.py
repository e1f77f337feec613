"""CLI commands: ``run`` (one scenario, or an ensemble of it with ``--runs``) and ``demo``
(the status quo of 2025 against the data).

An ensemble's member ``r`` runs with seed ``member_seed(base_seed, r)`` and, with a
posterior, with parameter draw ``r`` resampled from it (seeded by the base seed), so the
same command gives bit-identical numbers whatever the executor or the number of workers.
Members are recorded in the results store as they finish; ``--resume`` continues.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from channelsim.cli.compare_cmd import (
    HIGH_Q,
    INTERVAL,
    LOW_Q,
    interval_stats,
    plain_json,
    resume_hint,
)
from channelsim.cli.output import OutputFormat, console, emit_rows, err_console, print_json
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

if TYPE_CHECKING:
    from channelsim.experiments import EnsembleResult
    from channelsim.runstore import RunStore
    from channelsim.scenario import Scenario

DEMO_SCENARIO = "status-quo-2025.toml"


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    """A ``--from``/``--to`` value as a date; a malformed one is one error line naming it."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(None, option, f"expected a date YYYY-MM-DD, got {value!r}") from None


def _run(
    scenario_path: Path, seed: int | None, start: dt.date | None, end: dt.date | None, quiet: bool
) -> Any:
    """Load, check and run a scenario with a progress bar on stderr."""
    from channelsim.engine import Sim, load_scenario
    from channelsim.scenario import with_run_options

    sim = Sim(with_run_options(load_scenario(scenario_path), start=start, end=end, seed=seed))
    with Progress(
        TextColumn(sim.scenario.name, markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("run", total=(sim.scenario.end - sim.scenario.start).days + 1)
        return sim.run(progress=lambda done, _total: bar.update(task, completed=done))


@dataclasses.dataclass
class ScenarioEnsemble:
    """An ensemble of one scenario, reduced to medians and 5–95% intervals across members."""

    scenario: Scenario
    result: EnsembleResult
    posterior: str | None
    elapsed_s: float

    @functools.cached_property
    def daily(self) -> pd.DataFrame:
        """Every member's daily table, keyed by ``scenario``, ``draw`` and ``rep``."""
        return self.result.table("daily")

    def totals_table(self) -> pd.DataFrame:
        """One row per total: ``figure, median, low, high, mean``."""
        members = self.result.totals()
        rows = [
            {"figure": figure, **interval_stats(members[figure].to_numpy(dtype=float))}
            for figure in self.result.metrics()
        ]
        return pd.DataFrame(rows, columns=["figure", "median", "low", "high", "mean"])

    def period_table(self, period: str) -> pd.DataFrame:
        """Per ``year`` or ``month`` (``YYYY-MM``) and figure, the interval across members of
        the sums a single run reports in ``by_year`` / ``by_month``."""
        from channelsim.engine.results import PERIOD_COLUMNS

        daily = self.daily
        dates = pd.to_datetime(daily["date"])
        label = dates.dt.year if period == "year" else dates.dt.strftime("%Y-%m")
        sums = (
            daily.assign(days_with_arrivals=(daily["arrived_people"] > 0).astype(int))
            .groupby(["draw", "rep", label.rename(period)], sort=True)[list(PERIOD_COLUMNS)]
            .sum()
        )
        rows = [
            {period: key, "figure": figure, **interval_stats(group[figure].to_numpy(float))}
            for key, group in sums.groupby(level=period, sort=True)
            for figure in PERIOD_COLUMNS
        ]
        return pd.DataFrame(rows, columns=[period, "figure", "median", "low", "high", "mean"])

    def draws_table(self) -> pd.DataFrame | None:
        """The posterior parameter set of each member, or None without a posterior."""
        spec = self.result.spec
        if spec.draws is None:
            return None
        return pd.DataFrame(
            [{"draw": m.draw, "rep": m.rep, **spec.draws[m.draw]} for m in self.result.members]
        )

    def to_json_dict(self) -> dict[str, Any]:
        """``totals`` as figure -> {median, low, high, mean}; ``by_year`` and ``by_month`` as
        rows of period -> figure -> the same; ``elapsed_s`` is the only timing field."""
        from channelsim.runstore import code_version

        spec = self.result.spec
        return {
            "scenario": self.scenario.name,
            "start": self.scenario.start.isoformat(),
            "end": self.scenario.end.isoformat(),
            "runs": len(self.result.members),
            "seed": spec.base_seed,
            "posterior": self.posterior,
            "run_id": self.result.run_id,
            "code_version": code_version(),
            "interval": INTERVAL,
            "quantiles": {"low": LOW_Q, "high": HIGH_Q},
            "totals": _by_figure(self.totals_table()),
            "by_year": _by_period(self.period_table("year"), "year"),
            "by_month": _by_period(self.period_table("month"), "month"),
            "elapsed_s": round(self.elapsed_s, 3),
        }

    def write(self, out_dir: Path | OutputTarget) -> Path:
        """Write the aggregates (``totals``, ``by_year``, ``by_month``), every member's totals
        (``members``) and days (``daily``, keyed by draw and rep), the first member's boat log
        (``boats``, for the map), the draws, ``summary.json`` and the scenario, atomically."""
        tables: dict[str, pd.DataFrame | None] = {
            "totals": self.totals_table(),
            "by_year": self.period_table("year"),
            "by_month": self.period_table("month"),
            "members": self.result.totals(),
            "daily": self.daily,
            "boats": self.result.outputs[0].tables.get("boats"),
            "draws": self.draws_table(),
        }
        payload = self.to_json_dict()

        def write(tmp: Path) -> None:
            for name, table in tables.items():
                if table is not None:
                    table.to_parquet(tmp / f"{name}.parquet", index=False)
            for name, content in (("summary", payload), ("scenario", self.scenario.to_dict())):
                text = json.dumps(plain_json(content), indent=2, ensure_ascii=False)
                (tmp / f"{name}.json").write_text(text + "\n", encoding="utf-8")

        return write_output_folder(out_dir, write, kind="ensemble")


def _by_figure(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {
        str(row["figure"]): {k: v for k, v in row.items() if k != "figure"}
        for row in table.to_dict(orient="records")
    }


def _by_period(table: pd.DataFrame, period: str) -> list[dict[str, Any]]:
    return [
        {period: key, **_by_figure(group.drop(columns=period))}
        for key, group in table.groupby(period, sort=True)
    ]


def run_scenario_ensemble(
    scenario: Scenario,
    runs: int,
    seed: int,
    *,
    posterior: Path | None = None,
    executor: str = "processes",
    workers: int | None = None,
    store: RunStore | None = None,
    resume: str | None = None,
    progress: bool = True,
) -> ScenarioEnsemble:
    """Run ``runs`` members of ``scenario`` from base seed ``seed``; with a ``posterior``
    folder, member ``r`` takes parameter draw ``r``. ``resume`` is a run id or ``"latest"``."""
    from channelsim.engine import run_scenario
    from channelsim.experiments import EnsembleSpec, Member, run_ensemble

    if runs < 1:
        raise InputError(None, "--runs", f"expected at least 1 run, got {runs}")
    if seed < 0:
        raise InputError(None, "--seed", f"expected a non-negative integer, got {seed}")
    draws = None
    if posterior is not None:
        from channelsim.experiments.calibrate import read_posterior

        draws = read_posterior(posterior).draws(runs, seed)
    spec = EnsembleSpec(
        scenarios={scenario.name: scenario},
        reps=runs,
        base_seed=seed,
        draws=draws,
        name=scenario.name,
        kind="run",
    )
    # one draw per replicate, not every draw with every replicate
    members = None if draws is None else [Member(scenario.name, r, r) for r in range(runs)]
    run_id, resuming = resume_target(resume)
    started = time.perf_counter()
    result = run_ensemble(
        run_scenario,
        spec,
        members,
        executor=executor,
        workers=workers,
        progress=progress,
        store=store,
        run_id=run_id,
        resume=resuming,
    )
    return ScenarioEnsemble(
        scenario=scenario,
        result=result,
        posterior=None if posterior is None else str(posterior),
        elapsed_s=time.perf_counter() - started,
    )


def _ensemble_rows(ensemble: ScenarioEnsemble) -> list[dict[str, Any]]:
    return [
        {
            "figure": r["figure"],
            "median": r["median"],
            "low (5%)": r["low"],
            "high (95%)": r["high"],
            "mean": r["mean"],
        }
        for r in ensemble.totals_table().to_dict(orient="records")
    ]


def _run_ensemble_command(
    scenario_path: Path,
    runs: int,
    seed: int | None,
    start: dt.date | None,
    end: dt.date | None,
    posterior: Path | None,
    scheduler: str | None,
    workers: int | None,
    runs_store: Path | None,
    resume: str | None,
    out: Path | None,
    force: bool,
    fmt: OutputFormat,
) -> None:
    """``run --runs N``: the ensemble, recorded in the store; outputs only once it is whole."""
    from channelsim.engine import load_scenario
    from channelsim.runstore import RunStore
    from channelsim.scenario import with_run_options

    scenario = with_run_options(load_scenario(scenario_path), start=start, end=end, seed=seed)
    days = (scenario.end - scenario.start).days + 1
    room = ensemble_bytes(runs, days)
    target = None if out is None else output_folder(out, force=force, expected_bytes=room)
    with RunStore(runs_store) as store, resume_hint(store):
        ensemble = run_scenario_ensemble(
            scenario,
            runs,
            scenario.seed,
            posterior=posterior,
            executor=scheduler or "processes",
            workers=workers,
            store=store,
            resume=resume,
        )
    err_console.print(f"recorded as run {ensemble.result.run_id} in {store.path}", highlight=False)
    payload = ensemble.to_json_dict()
    if target is not None:
        payload["out"] = str(ensemble.write(target))
        err_console.print(f"outputs written to {payload['out']}", highlight=False)
    emit_rows(
        _ensemble_rows(ensemble),
        fmt,
        title=f"{scenario.name}: {runs} runs from seed {ensemble.result.spec.base_seed}, "
        f"median and {INTERVAL}",
        json_payload=payload,
    )


def _totals_rows(result: Any) -> list[dict[str, Any]]:
    return [{"measure": key, "value": value} for key, value in result.totals.items()]


def demo_scenario_path() -> Path:
    """The shipped status-quo scenario: package data (``scenarios/`` of the checkout links
    to the same folder), so the demo runs from any directory and any kind of install."""
    path = Path(str(resources.files("channelsim") / "scenarios" / DEMO_SCENARIO))
    if not path.is_file():
        raise InputError(path, None, "the demo scenario is missing from the installed package")
    return path


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``demo`` to the app."""

    @app.command("run")
    def run(
        scenario: Path = typer.Argument(..., help="Scenario file (TOML or YAML)."),
        seed: int | None = typer.Option(
            None, "--seed", help="Override the scenario's seed (an ensemble's base seed)."
        ),
        date_from: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
        date_to: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
        runs: int | None = typer.Option(
            None,
            "--runs",
            callback=at_least_one("--runs"),
            help="Run an ensemble of N members and report medians and 5-95% intervals.",
        ),
        posterior: Path | None = typer.Option(
            None,
            "--posterior",
            help="Calibration posterior folder: each ensemble member draws its parameters.",
        ),
        scheduler: str | None = scheduler_option(),
        workers: int | None = workers_option(),
        runs_store: Path | None = runs_store_option(),
        resume: str | None = resume_option(),
        out: Path | None = typer.Option(
            None, "--out", help="Write Parquet outputs to DIR (a new folder, or --force)."
        ),
        force: bool = force_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Simulate one scenario and print totals (and by year/month in JSON); with --runs, an
        ensemble recorded in the results store, with medians and 5-95% intervals."""
        start, end = parse_date_option(date_from, "--from"), parse_date_option(date_to, "--to")
        if runs is None:
            ensemble_only = {
                "--posterior": posterior,
                "--scheduler": scheduler,
                "--workers": workers,
                "--runs-store": runs_store,
                "--resume": resume,
            }
            for option, value in ensemble_only.items():
                if value is not None:
                    raise InputError(None, option, "expected --runs N: it applies to ensembles")
        else:
            if scheduler is not None and workers is not None:
                raise InputError(
                    None, "--workers", "expected either --workers or --scheduler, not both"
                )
            _run_ensemble_command(
                scenario,
                runs,
                seed,
                start,
                end,
                posterior,
                scheduler,
                workers,
                runs_store,
                resume,
                out,
                force,
                fmt,
            )
            return
        target = None if out is None else output_folder(out, force=force)
        result = _run(scenario, seed, start, end, quiet=fmt is OutputFormat.json)
        if target is not None:
            written = result.write(target)
            err_console.print(f"outputs written to {written}", highlight=False)
        emit_rows(
            _totals_rows(result),
            fmt,
            title=f"{result.name} (seed {result.seed})",
            json_payload=result.to_json_dict(),
        )

    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("channelsim-demo"), "--out", help="Output folder."),
        force: bool = force_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Run the status quo of 2025 and compare it with the official 2025 figures."""
        from channelsim.engine.reference import OFFICIAL_2025

        target = output_folder(out, force=force)
        result = _run(demo_scenario_path(), None, None, None, quiet=fmt is OutputFormat.json)
        written = result.write(target)
        rows = [
            {
                "measure": key,
                "model": result.totals[key],
                "official_2025": official,
                "model/official": round(result.totals[key] / official, 2),
            }
            for key, official in OFFICIAL_2025.items()
        ]
        if fmt is OutputFormat.json:
            print_json({"out": str(written), "comparison": rows, **result.to_json_dict()})
            return
        emit_rows(rows, fmt, title=f"{result.name}, seed {result.seed}: model vs official 2025")
        if fmt is OutputFormat.table:
            console.print(f"outputs written to {written}", highlight=False)
