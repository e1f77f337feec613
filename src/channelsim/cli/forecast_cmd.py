"""CLI command ``forecast``: a forecast on record, by month, from a calibration posterior
(``channelsim.experiments.forecast``)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer

from channelsim.cli.output import OutputFormat, console, emit_rows, err_console
from channelsim.cli.run_cmd import parse_date_option
from channelsim.cli.runs_cmd import (
    MAX_RUNS,
    OUT_FILE,
    at_least_one,
    date_option,
    output_path,
    read_posterior_option,
    scenario_file,
    scheduler_option,
    workers_option,
)

FORECAST_BYTES = 2**20
"""Room asked for a forecast's JSON (about 6 kB for a year by month; a longer scenario's
months and the record's command and credits stay far below a megabyte)."""

#: Suffixes of other formats an --out of a forecast is refused under: it wrote its JSON record
#: into ``f.csv`` (s14 re-trial).
OTHER_FORMATS = (".csv", ".xlsx", ".parquet", ".md", ".html", ".txt", ".tsv")


def _rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The forecast by month, over its whole period and, when known, for the whole year
    (observed to date plus the forecast), people and boats as whole numbers."""
    from channelsim.experiments.forecast import FIGURES, QUANTILES
    from channelsim.formatting import month_label, whole_number

    total, year = record["total"], record.get("year_total")
    first, last = (dt.date.fromisoformat(total[k]) for k in ("from", "to"))
    periods = [(month_label(m["month"], first, last), m) for m in record["months"]]
    periods.append((f"{first:%-d %b}–{last:%-d %b %Y}", total))
    if year:
        periods.append((f"{year['year']}: observed + forecast", year))
    return [
        # halves away from zero, as the headline and every table (204.5 boats: 205, not 204)
        {"period": period, "figure": column, **{k: whole_number(part[name][k]) for k in QUANTILES}}
        for period, part in periods
        for name, column in FIGURES.items()
    ]


def caveats_cell(record: dict[str, Any]) -> str:
    """The ``Note`` of every row of a forecast's CSV: the caveats its headline ends with
    (:func:`channelsim.reports.headlines.forecast_caveats`: how such forecasts have done,
    "the intervals above do not include that error", and any hindcast days or too few
    runs), in the headline's words and figures (the CSV carried the credits but none of
    them: a desk charting it lost the one caveat that matters; s13 U9)."""
    from channelsim.reports.headlines import forecast_caveats

    return " ".join(forecast_caveats(record)).replace("the intervals above", "the intervals")


def _print(record: dict[str, Any], fmt: OutputFormat) -> None:
    """The headline, the table (or CSV, or the record as JSON) and the credits."""
    from channelsim.engine import all_results
    from channelsim.formatting import date_text
    from channelsim.reports.credits import source_cell

    first = date_text(dt.date.fromisoformat(str(record["from"])))
    title = (
        f"Forecast from {first}, {record['runs']} runs: median, 50% (low50–high50) "
        "and 90% (low90–high90) intervals, by month and over the whole forecast"
        + ("; and for the year (observed to the day before, then forecast)"
           if record.get("year_total") else "; no year total (the observed year to date is "
           "unknown)")
    )  # fmt: skip
    rows = _rows(record)
    if fmt is OutputFormat.csv:  # a desk charting the CSV keeps the headline's caveats
        rows = [{**row, "note": caveats_cell(record)} for row in rows]
    emit_rows(
        rows, fmt, title=title, json_payload=record, sources=[all_results()],
        headline=record["headline"], credit=source_cell(record["credits"]),
    )  # fmt: skip
    if fmt is OutputFormat.table:
        console.print("\n".join(record["credits"]), soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``forecast`` to the app."""

    @app.command("forecast")
    def forecast(
        scenario: Path = typer.Argument(
            ...,
            parser=scenario_file,
            help="Scenario to continue: a file or a shipped name (e.g. history-continued).",
        ),
        posterior: Path = typer.Option(..., "--posterior", help="Calibration posterior folder."),
        date_from: str = date_option("--from", "First day forecast, YYYY-MM-DD.", required=True),
        out: Path = typer.Option(
            ...,
            "--out",
            metavar="PATH",
            parser=output_path(*OUT_FILE),
            help="The forecast's JSON file (never overwritten: a new file).",
        ),
        runs: int = typer.Option(
            500,
            "--runs",
            callback=at_least_one("--runs", MAX_RUNS),
            help="Posterior draws to simulate.",
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
        from channelsim.experiments.forecast import (
            check_new_record,
            forecast_record,
            write_forecast,
            year_to_date,
        )
        from channelsim.experiments.inputs import prepare
        from channelsim.experiments.runs import run_scenario_ensemble
        from channelsim.outputs import output_file
        from channelsim.scenario import check_seed

        start = parse_date_option(date_from, "--from")
        assert start is not None
        if out.suffix.lower() in OTHER_FORMATS:  # the record is JSON whatever --format says
            raise InputError(
                None,
                f"--out {out}",
                "expected a .json file: the forecast's record is JSON (--format csv prints the "
                "table as CSV; redirect it to a file)",
            )
        check_new_record(out, f"--out {out}")
        # the folder takes the file and has room, before the ensemble's minutes of work (a
        # full disk or a file for a folder was found only when the record was written)
        output_file(out, option="--out", expected_bytes=FORECAST_BYTES)
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
            observed=year_to_date(start),
        )
        written = write_forecast(record, out)
        err_console.print(f"forecast written to {written}", highlight=False)
        _print(record, fmt)
