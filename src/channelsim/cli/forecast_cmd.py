"""CLI command ``forecast``: a forecast on record, by month, from a calibration posterior
(``channelsim.experiments.forecast``)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console
from channelsim.cli.run_cmd import parse_date_option
from channelsim.cli.runs_cmd import (
    at_least_one,
    read_posterior_option,
    scheduler_option,
    workers_option,
)


def register(app: typer.Typer) -> None:
    """Add ``forecast`` to the app."""

    @app.command("forecast")
    def forecast(
        scenario: Path = typer.Argument(
            ..., help="Scenario to continue (e.g. scenarios/history-continued.toml)."
        ),
        posterior: Path = typer.Option(..., "--posterior", help="Calibration posterior folder."),
        date_from: str = typer.Option(..., "--from", help="First day forecast, YYYY-MM-DD."),
        out: Path = typer.Option(
            ..., "--out", help="The forecast's JSON file (never overwritten: a new file)."
        ),
        runs: int = typer.Option(
            500, "--runs", callback=at_least_one("--runs"), help="Posterior draws to simulate."
        ),
        seed: int | None = typer.Option(
            None, "--seed", help="Base seed (default: the scenario's)."
        ),
        note: str | None = typer.Option(None, "--note", help="A note kept in the record."),
        scheduler: str | None = scheduler_option(),
        workers: int | None = workers_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Monthly people and boats arrived from --from to the scenario's end: median and
        50%/90% intervals over posterior draws, with the model version and this command."""
        from channelsim.engine import load_scenario
        from channelsim.errors import InputError
        from channelsim.experiments.forecast import forecast_record, write_forecast
        from channelsim.experiments.inputs import prepare
        from channelsim.experiments.runs import run_scenario_ensemble
        from channelsim.scenario import check_seed

        start = parse_date_option(date_from, "--from")
        assert start is not None
        if out.exists():
            raise InputError(out, None, "a forecast on record is never revised: choose a new file")
        loaded = load_scenario(scenario)
        if not loaded.start <= start <= loaded.end:
            raise InputError(
                None, "--from", f"expected a day from {loaded.start} to {loaded.end}, got {start}"
            )
        read = read_posterior_option(posterior)
        base_seed = loaded.seed if seed is None else check_seed(seed)
        ensemble = run_scenario_ensemble(
            prepare(loaded),
            runs,
            base_seed,
            posterior=read,
            executor=scheduler or ("processes" if workers else "auto"),
            workers=workers,
            progress=fmt is not OutputFormat.json,
        )
        command = ["channelsim", *sys.argv[1:]]
        record = forecast_record(
            loaded,
            ensemble.daily,
            start,
            posterior=read,
            runs=runs,
            seed=base_seed,
            command=command,
            note=note,
        )
        written = write_forecast(record, out)
        err_console.print(f"forecast written to {written}", highlight=False)
        rows = [
            {"month": m["month"], "figure": name, **m[name]}
            for m in record["months"]
            for name in ("people", "boats")
        ]
        emit_rows(rows, fmt, title=f"Forecast from {start}, {runs} runs", json_payload=record)
