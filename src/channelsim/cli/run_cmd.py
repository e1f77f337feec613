"""CLI commands: ``run`` (one scenario, or an ensemble of it with ``--runs``) and ``demo``
(the status quo of 2025 against the data). The work is ``channelsim.engine.Sim`` and
``channelsim.experiments.run_scenario_ensemble``; members are recorded in the results store
as they finish and ``--resume`` continues.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from channelsim.cli.output import OutputFormat, console, emit_rows, err_console, print_json
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
from channelsim.errors import InputError, parse_day
from channelsim.outputs import ensemble_bytes, output_folder

if TYPE_CHECKING:
    from channelsim.engine import ResultSet, SimResult
    from channelsim.experiments import ScenarioEnsemble
    from channelsim.experiments.observed import ObservedFigures
    from channelsim.scenario import Scenario

DEMO_SCENARIO = "status-quo-2025.toml"
#: Runs of the demo's headline: an interval for the figures it sets against the observed ones
#: (one run's 8 dead or missing against PREMAR's 25–27 said nothing of chance). 40 runs in
#: the demo's process cost about 0.3 s of CPU (0.9 s wall at a load of 6 on two cores;
#: benchmarks/bench_demo.py measures it); the table and the files stay the one run of the seed.
DEMO_RUNS = 40


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    """A ``--from``/``--to`` value as a date; a malformed one is one error line naming it."""
    return None if value is None else parse_day(value, option)


def _run(
    scenario_path: Path, seed: int | None, start: dt.date | None, end: dt.date | None
) -> tuple[Scenario, SimResult]:
    """Load, check and run a scenario (its weather read here: replay needs the data)."""
    from channelsim.engine import Sim, load_scenario
    from channelsim.experiments.inputs import prepare
    from channelsim.scenario import with_run_options

    scenario = with_run_options(load_scenario(scenario_path), start=start, end=end, seed=seed)
    spec = prepare(scenario)
    return scenario, Sim(spec.scenario, weather=spec.weather).run()


def _ensemble_rows(ensemble: ScenarioEnsemble) -> list[dict[str, Any]]:
    columns = ("figure", "median", "low", "high", "mean")
    return [{k: r[k] for k in columns} for r in ensemble.totals_rows()]


def run_headline(
    scenario: Scenario,
    rows: list[dict[str, Any]],
    results: ResultSet,
    runs: int,
    posterior: bool = False,
    observed: ObservedFigures | None = None,
    cost_items: dict[str, float] | None = None,
    drawn: tuple[str, ...] = (),
) -> str:
    """The headline of ``run`` and ``demo``: the scenario, its period and its key figures in
    words, against the ``observed`` figures when given, and what its extra cost counts (with
    ``cost_items``, each priced item's total, when known)."""
    from channelsim.experiments.observed import WHAT_IF, describes_the_record
    from channelsim.headline import (
        Subject,
        Uncertainty,
        costed,
        estimates,
        headline,
        lead_figures,
        scenario_text,
        with_compared,
        with_cost_text,
        with_references,
    )

    uncertainty: Uncertainty = "none" if runs == 1 else "posterior" if posterior else "weather"
    subject = Subject(
        scenario_text(scenario.name, scenario.description),
        scenario.start,
        scenario.end,
        runs,
        uncertainty=uncertainty,
        references=None if observed is None else observed.source,
        drawn=drawn,
    )
    names = lead_figures(results.key())
    if observed is not None:  # PREMAR's deaths beside the model's French-zone deaths
        names = with_compared(names, observed.sourced)
    found = estimates(rows, names, results.describe)
    if observed is not None:
        found = with_references(found, observed.references(), observed.uncompared())
    said = with_cost_text(headline(subject, found), found, cost_items)
    if costed(found):
        from channelsim.experiments.uncertainty import cost_assumptions_text

        unit_costs = cost_assumptions_text(scenario)  # an assumed unit cost says so (s13 U11)
        said += f" {unit_costs}" if unit_costs else ""
    if not describes_the_record(scenario):  # what a what-if's figures rest on (s13 U14)
        from channelsim.experiments.uncertainty import what_if_assumptions_text

        rests = what_if_assumptions_text(scenario)
        said += f" {rests}" if rests else ""
    from channelsim.experiments.uncertainty import limits_text

    limits = limits_text(scenario)  # past where the mechanism turns round (s14 beach)
    said += f" {limits}" if limits else ""
    if runs > 1 and not describes_the_record(scenario):  # its figures are not the record's
        said += " " + WHAT_IF
    return said


def whole_period_observed(scenario: Scenario) -> ObservedFigures | None:
    """The observed figures a run's headline sets its own against, as the report and the
    demo do ("against 41,472 observed, outside the interval"): the data store's (or the
    bundled 2025 figures) that cover the scenario's whole period, the others left out with a
    note (:meth:`ObservedFigures.whole`: prevention before May 2024); None when none is left
    or the store cannot be read (a run does not need the data), and for a what-if, whose
    figures the record does not describe (:func:`~channelsim.experiments.observed.
    describes_the_record`)."""
    from channelsim.errors import ChannelsimError
    from channelsim.experiments.observed import describes_the_record, observed_figures

    if not describes_the_record(scenario):  # a what-if: the record had other policies
        return None
    try:
        observed = observed_figures(scenario.start, scenario.end).whole()
    except ChannelsimError:
        return None
    return observed if observed.values or observed.sourced else None


def print_observed_credit(observed: ObservedFigures | None, fmt: OutputFormat) -> None:
    """Under a run's table whose headline names observed figures: what the model's people
    stopped on the beach should be against the Home Office's prevented, and the edition's
    credit and licence (on stdout, as the demo prints them)."""
    if observed is None or fmt is not OutputFormat.table:
        return
    for line in (observed.caveat, observed.credit):
        if line:
            console.print(line, highlight=False, soft_wrap=True)


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
    if scheduler is None:  # the local pool loads while this process does
        from channelsim.experiments.executor import AutoExecutor, fork_pool_now

        if workers is None:
            AutoExecutor.prestart(runs)
        if runs > 1:
            fork_pool_now(workers)  # served by the resident engine: its workers, forked now
    from channelsim.engine import load_scenario
    from channelsim.experiments.inputs import prepare
    from channelsim.experiments.runs import run_scenario_ensemble
    from channelsim.fields import TOTALS
    from channelsim.formatting import INTERVAL_WORDS
    from channelsim.headline import medians_note
    from channelsim.reports.credits import run_line
    from channelsim.runstore import RunStore
    from channelsim.scenario import with_run_options

    scenario = with_run_options(load_scenario(scenario_path), start=start, end=end, seed=seed)
    days = (scenario.end - scenario.start).days + 1
    room = ensemble_bytes(runs, days)
    read = None if posterior is None else read_posterior_option(posterior)
    target = None if out is None else output_folder(out, force=force, expected_bytes=room)
    with RunStore(runs_store) as store, finishing(store, target) as finish:
        ensemble = run_scenario_ensemble(
            prepare(scenario),
            runs,
            scenario.seed,
            posterior=read,
            executor=scheduler or ("processes" if workers else "auto"),
            workers=workers,
            store=store,
            resume=resume,
            keep_days=target is not None,  # the days are written only with --out
        )
        payload = ensemble.to_json_dict()
        finish.write_run(ensemble.result.run_id, store.path, payload, ensemble.write)
        rows = _ensemble_rows(ensemble)
        observed = whole_period_observed(scenario)  # None for a what-if
        emit_rows(
            rows,
            fmt,
            title=f"{scenario.name}: {runs} runs from seed {ensemble.result.spec.base_seed}, "
            f"median and {INTERVAL_WORDS}",
            json_payload=payload,
            sources=[TOTALS, ensemble.results],
            headline=run_headline(
                scenario,
                rows,
                ensemble.results,
                runs,
                posterior is not None,
                observed,
                drawn=() if read is None else tuple(read.parameters),
            ),
            credit=run_line(scenario, ensemble.result.spec.base_seed),
        )
        print_observed_credit(observed, fmt)
        note = medians_note((r["figure"] for r in rows), ensemble.results.describe, False)
        if fmt is OutputFormat.table and note is not None and runs > 1:
            console.print(note, soft_wrap=True, highlight=False)


def cost_items(result: SimResult) -> dict[str, float]:
    """Each priced cost item of a run in words, with its total, largest first (``one in one
    out``: 4,200,000.0)."""
    from channelsim.headline import priced_items

    return priced_items(result.cost_by_item())


def _totals_rows(result: SimResult) -> list[dict[str, Any]]:
    return [{"figure": key, "value": value} for key, value in result.totals.items()]


def demo_scenario_path() -> Path:
    """The shipped status-quo scenario: package data (``scenarios/`` of the checkout links
    to the same folder), so the demo runs from any directory and any kind of install."""
    path = Path(str(resources.files("channelsim") / "scenarios" / DEMO_SCENARIO))
    if not path.is_file():
        raise InputError(path, None, "the demo scenario is missing from the installed package")
    return path


def demo_ensemble(scenario: Scenario) -> tuple[list[dict[str, Any]], int]:
    """The demo's :data:`DEMO_RUNS` runs of ``scenario`` in this process (no store, no
    progress bar), from its seed: their totals' rows (``figure, median, low, high, mean``) and
    the base seed."""
    from channelsim.experiments.inputs import prepare
    from channelsim.experiments.runs import run_scenario_ensemble

    ensemble = run_scenario_ensemble(
        prepare(scenario), DEMO_RUNS, scenario.seed, executor="serial", progress=False
    )
    return _ensemble_rows(ensemble), ensemble.result.spec.base_seed


def _demo_report(
    scenario: Scenario,
    result: SimResult,
    written: Path,
    fmt: OutputFormat,
    ensemble: tuple[list[dict[str, Any]], int],
) -> None:
    """The demo's headline (the medians and 90% intervals of :data:`DEMO_RUNS` runs against
    the official figures: ``ensemble``, their rows and base seed) and its table (the one run
    of the seed, written to ``written``, against the same figures)."""
    from channelsim.experiments.observed import observed_figures
    from channelsim.reports.credits import simulated_line

    observed = observed_figures(scenario.start, scenario.end).whole()
    ensemble_rows, base_seed = ensemble
    rows = [
        {
            "figure": key,
            "simulated": result.totals[key],
            "observed": official,
            "ratio": result.totals[key] / official if official else None,
        }
        for key, official in observed.values.items()
    ]
    if fmt is OutputFormat.json:
        print_json(
            {
                "out": str(written),
                "comparison": rows,
                "headline_runs": {
                    "runs": DEMO_RUNS,
                    "base_seed": base_seed,
                    "what": "the headline's medians and 90% intervals (5th to 95th "
                    "percentile) over these runs; 'comparison' and the files are the one run "
                    "of the seed",
                    "totals": ensemble_rows,
                },
                "observed_source": observed.credit or None,
                "observed_bundled": observed.bundled,
                "observed_note": observed.note,
                "observed_caveat": observed.caveat,
                **result.to_json_dict(),
            }
        )
        return
    against = f"against {observed.source}" if observed.values else "(no official figures)"
    headline = run_headline(
        scenario, ensemble_rows, result.results, DEMO_RUNS, False, observed, cost_items(result)
    )
    emit_rows(
        rows or _totals_rows(result),
        fmt,
        title=f"{result.name}, one run (seed {result.seed}): simulated {against}",
        sources=[result.results],
        headline=f"{headline} {demo_runs_text(result.seed, base_seed)}",
        credit=" ".join(
            [simulated_line(result.name, result.seed), *([observed.credit] if rows else [])]
        ),
    )
    if fmt is OutputFormat.table:  # the credit on stdout: '> file' keeps it with the table
        for line in (observed.caveat, observed.credit, observed.note):
            if line:
                console.print(line, highlight=False, soft_wrap=True)
        console.print(f"outputs written to {written}", highlight=False)


def demo_runs_text(seed: int, base_seed: int) -> str:
    """Which of the demo's figures are the headline's runs and which the one run."""
    from channelsim.headline import headline_runs_text

    return headline_runs_text(DEMO_RUNS, base_seed, seed, "the table below and the files written")


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``demo`` to the app."""

    @app.command("run")
    def run(
        scenario: Path = typer.Argument(
            ...,
            parser=scenario_file,
            help="Scenario file (TOML or YAML) or a shipped scenario's name (status-quo-2025).",
        ),
        seed: int | None = typer.Option(
            None, "--seed", help="Override the scenario's seed (an ensemble's base seed)."
        ),
        date_from: str | None = date_option(
            "--from",
            "First day reported, YYYY-MM-DD (the run is still simulated from the scenario's "
            "start: its days are the whole period's).",
        ),
        date_to: str | None = date_option("--to", "Last day, YYYY-MM-DD."),
        runs: int | None = typer.Option(
            None,
            "--runs",
            callback=at_least_one("--runs", MAX_RUNS),
            is_eager=True,  # read before --workers, whose note needs to know (runs_cmd)
            help="Run an ensemble of N members and report medians and 90% intervals.",
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
            None,
            "--out",
            metavar="PATH",
            parser=output_path(*OUT_FOLDER),
            help="Write Parquet outputs to DIR (a new folder, or --force).",
        ),
        force: bool = force_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Simulate one scenario and print totals (and by year/month in JSON); with --runs, an
        ensemble recorded in the results store, with medians and 90% intervals."""
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
        from channelsim.reports.credits import run_line

        target = None if out is None else output_folder(out, force=force)
        with finishing(None, target) as finish:
            loaded, result = _run(scenario, seed, start, end)
            written = finish.write(result.write)
            if written is not None:
                err_console.print(f"outputs written to {written}", highlight=False)
            rows = _totals_rows(result)
            emit_rows(
                rows,
                fmt,
                title=f"{result.name} (seed {result.seed})",
                json_payload=result.to_json_dict(),
                sources=[result.results],
                # one run: no observed figures (the data store and pandas stay unloaded: a
                # plain run answers in a fraction of a second); --runs N and demo give them
                headline=run_headline(
                    loaded, rows, result.results, 1, cost_items=cost_items(result)
                ),
                credit=run_line(loaded, result.seed),
            )

    @app.command("demo")
    def demo(
        out: Path = typer.Option(
            Path("channelsim-demo"),
            "--out",
            metavar="PATH",
            parser=output_path(*OUT_FOLDER),
            help="Output folder.",
        ),
        force: bool = force_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Run the status quo of 2025 and compare it with the official 2025 figures (from the
        data store, as `channelsim data summary` reports them; the bundled reference figures
        when no edition has been imported)."""
        from channelsim.data import DataStore

        DataStore().holds_editions()  # a store in the way is refused before anything is written
        target = output_folder(out, force=force)
        from channelsim.headline import HEADLINE_FILE, headline_runs_document

        with finishing(None, target) as finish:
            scenario, result = _run(demo_scenario_path(), None, None, None)
            ensemble = demo_ensemble(scenario)
            # the folder keeps the headline's runs: its report tells the terminal's story
            told = headline_runs_document(ensemble[0], DEMO_RUNS, ensemble[1], result.seed)
            written = finish.write(lambda target: result.write(target, {HEADLINE_FILE: told}))
            assert written is not None
            _demo_report(scenario, result, written, fmt, ensemble)
