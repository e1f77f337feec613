"""CLI command ``compare``: paired scenario comparison with common random numbers
(``channelsim.experiments.compare_scenarios``). Every comparison is recorded in the results
store, so an interrupted one resumes.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from channelsim.cli.output import OutputFormat, console, emit_rows, write_stdout
from channelsim.cli.runs_cmd import (
    MAX_RUNS,
    OUT_FOLDER,
    at_least_one,
    date_option,
    force_option,
    output_path,
    read_posterior_option,
    resume_option,
    runs_store_option,
    scenario_file,
    scheduler_option,
    workers_option,
)
from channelsim.cli.stopping import finishing
from channelsim.errors import parse_day

if TYPE_CHECKING:
    from channelsim.experiments import Comparison


class By(StrEnum):
    """``compare --by``: the periods each difference is also given for."""

    year = "year"


def _report_by_year(comparison: Comparison, runs: int, fmt: OutputFormat) -> None:
    """``compare --by year`` as a table or CSV: each year's paired differences (median and
    90% interval), a table per scenario; as CSV, the comparison's CSV with a ``year``
    column first."""
    from channelsim.fields import DIFFERENCES
    from channelsim.formatting import INTERVAL_WORDS

    by_year = comparison.by_year()
    if fmt is OutputFormat.csv:
        from channelsim.exports import csv_text, reading_table

        table = reading_table(by_year, comparison.describe, "comparison", comparison.credit())
        write_stdout(csv_text(table, comparison.describe))
        return
    from channelsim.experiments.compare import not_priced_cells

    columns = ("year", "figure", "median", "low", "high")
    shown = not_priced_cells(by_year)  # an unpriced cost "not priced", not "–" (nor "£0")
    for name in comparison.names:
        emit_rows(
            [{k: r[k] for k in columns} for r in shown.to_dict(orient="records")
             if r["scenario"] == name],
            fmt,
            title=f"{name} minus {comparison.base} by year: {runs} paired runs, median and "
            f"{INTERVAL_WORDS}",
            sources=[DIFFERENCES, comparison.results],
        )  # fmt: skip


def _report(comparison: Comparison, payload: dict[str, Any], runs: int, fmt: OutputFormat) -> None:
    """The comparison's tables (one per scenario), its ranking and what decides it."""
    from channelsim.fields import DIFFERENCES
    from channelsim.formatting import INTERVAL_WORDS

    columns = ("scenario", "figure", "median", "low", "high")
    rows = [{k: r[k] for k in columns} for r in comparison.table.to_dict(orient="records")]

    if fmt is OutputFormat.json:
        emit_rows(rows, fmt, json_payload=payload)
        return
    if fmt is OutputFormat.csv:  # the same table as comparison.csv and the explorer's
        write_stdout(comparison.csv_text())
        return
    from channelsim.experiments.compare import not_priced_cells
    from channelsim.headline import NOT_PRICED
    from channelsim.reports.headlines import comparison_headline

    shown = not_priced_cells(comparison.table)  # "not priced", not "–" (nor "£0")
    rows = [{k: r[k] for k in columns} for r in shown.to_dict(orient="records")]
    headline: str | None = comparison_headline(comparison)
    for name in comparison.names:  # one table per scenario: its figures' labels fit
        emit_rows(
            [{k: v for k, v in r.items() if k != "scenario"} for r in rows
             if r["scenario"] == name],
            fmt,
            title=f"{name} minus {comparison.base}: {runs} paired runs, median and "
            f"{INTERVAL_WORDS}",
            sources=[DIFFERENCES, comparison.results],
            headline=headline,
        )  # fmt: skip
        headline = None
        for record in comparison.table.to_dict(orient="records"):  # a figure without a value
            if record["scenario"] == name and record.get("why_no_value"):
                label = comparison.describe(record["figure"]).heading
                why = str(record["why_no_value"])
                said = why if why.startswith(NOT_PRICED) else f"no value: {why}"
                console.print(f"{label}: {said}.", soft_wrap=True)
    from channelsim.headline import medians_note

    note = medians_note(comparison.table["figure"], comparison.describe)
    if fmt is OutputFormat.table and note is not None:
        console.print(note, soft_wrap=True, highlight=False)
    if fmt is OutputFormat.table and len(comparison.names) > 1:
        from channelsim.experiments.compare import tradeoff_words

        emit_rows(
            tradeoff_words(
                comparison.tradeoffs(), comparison.describe, comparison.unpriced_names()
            ),
            fmt,
            title="scenarios ranked by fewer arrivals (medians)",
            sources=[comparison.results],
        )
    if comparison.drivers is None:
        return
    title = (
        "What decides this answer: the three largest shares of each difference's variance "
        "(first-order, RBD-FAST on the paired runs; ± its 95% bootstrap half-width; told from "
        "noise when its lower bound exceeds the noise level, the largest share pure noise gets)"
    )
    note = comparison.decides_note()
    console.print(title if note is None else f"{title}\n{note}", soft_wrap=True)
    for name in comparison.names:  # one table per scenario: notes name the figure
        mine = comparison.decides_rows(name)
        if mine:
            emit_rows(mine, fmt, title=f"{name} minus {comparison.base}")


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the app."""

    @app.command("compare")
    def compare(
        base: Path = typer.Argument(
            ...,
            parser=scenario_file,
            help="The base scenario: a file or a shipped name (e.g. status-quo-2025).",
        ),
        others: list[Path] = typer.Argument(
            ..., parser=scenario_file, help="Scenarios compared with the base."
        ),
        runs: int = typer.Option(
            20, "--runs", callback=at_least_one("--runs", MAX_RUNS), help="Replicates per scenario."
        ),
        seed: int | None = typer.Option(
            None, "--seed", help="Base seed of the replicates (default: the base scenario's)."
        ),
        date_from: str | None = date_option(
            "--from",
            "First day reported of every scenario, YYYY-MM-DD (each is still simulated from its "
            "own start).",
        ),
        date_to: str | None = date_option(
            "--to", "Last day of every scenario, YYYY-MM-DD (shortens their period)."
        ),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
        out: Path | None = typer.Option(
            None,
            "--out",
            metavar="PATH",
            parser=output_path(*OUT_FOLDER),
            help="Write the comparison (Parquet + JSON) to DIR (new, or --force).",
        ),
        by: By | None = typer.Option(
            None,
            "--by",
            help="Also give each year's paired differences (median, 90% interval), from the "
            "same paired runs.",
        ),
        force: bool = force_option(),
        scheduler: str | None = scheduler_option(),
        workers: int | None = workers_option(),
        runs_store: Path | None = runs_store_option(),
        resume: str | None = resume_option(),
        posterior: Path | None = typer.Option(
            None,
            "--posterior",
            help="Calibration posterior folder: replicate r of every scenario takes parameter "
            "set r, the policies' assumptions are drawn over their ranges, and the output says "
            "what decides each difference.",
        ),
    ) -> None:
        """Paired differences of scenarios against BASE (median, 90% interval) with common random
        numbers: arrivals, prevention, deaths, injuries, returns, costs, cost per prevented
        arrival. Without --posterior the intervals cover weather and chance only. --from and
        --to shorten every scenario's reported period alike, as they shorten run's (each
        scenario is still simulated from its own start). --by year adds each year's
        differences (JSON: by_year; CSV: the year's rows alone, a year column first;
        --out: comparison_by_year.parquet and its CSV)."""
        from channelsim.engine import load_scenario
        from channelsim.experiments import compare_scenarios, prepare
        from channelsim.outputs import ensemble_bytes, output_folder
        from channelsim.runstore import RunStore
        from channelsim.scenario import check_seed, with_run_options

        paths = [base, *others]
        start = None if date_from is None else parse_day(date_from, "--from")
        end = None if date_to is None else parse_day(date_to, "--to")
        loaded = [
            with_run_options(load_scenario(path), start=start, end=end, scenario_text=path.name)
            for path in paths
        ]
        base_seed = loaded[0].seed if seed is None else check_seed(seed)
        days = max((s.end - s.start).days + 1 for s in loaded)
        room = ensemble_bytes(runs * len(loaded), days)
        read = None if posterior is None else read_posterior_option(posterior)
        target = None if out is None else output_folder(out, force=force, expected_bytes=room)
        scenarios = [prepare(scenario) for scenario in loaded]
        with RunStore(runs_store) as store, finishing(store, target) as finish:
            comparison = compare_scenarios(
                scenarios[0],
                scenarios[1:],
                runs,
                base_seed,
                executor=scheduler or ("processes" if workers else "auto"),
                workers=workers,
                files=[str(path) for path in paths],
                store=store,
                resume=resume,
                boat_log=target is not None,
                posterior=read,
            )
            payload = comparison.to_json_dict()
            write = functools.partial(comparison.write, by_year=by is By.year)
            finish.write_run(comparison.run_id, store.path, payload, write, "comparison")
            if by is By.year and fmt is OutputFormat.json:
                payload = {**payload, "by_year": comparison.by_year_json()}
            if by is By.year and fmt is OutputFormat.csv:
                _report_by_year(comparison, runs, fmt)
                return
            _report(comparison, payload, runs, fmt)
            if by is By.year and fmt is OutputFormat.table:
                _report_by_year(comparison, runs, fmt)
