"""CLI command: ``report`` — one self-contained HTML file from a run, comparison, sensitivity
analysis or a recorded run id."""

from __future__ import annotations

from pathlib import Path

import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console, print_json
from channelsim.cli.runs_cmd import runs_store_option


def register(app: typer.Typer) -> None:
    """Add ``report`` to the app."""

    @app.command("report")
    def report(
        source: str = typer.Argument(
            ...,
            metavar="RUN_OR_COMPARISON",
            help="Output folder of run/demo/compare/sensitivity, or a run id of the results store.",
        ),
        out: Path = typer.Option(
            ..., "-o", "--out", help="HTML file to write (new, or a report channelsim wrote)."
        ),
        data: Path | None = typer.Option(
            None, "--data", help="Official publication (ODS/XLSX/CSV); default: the data store."
        ),
        runs_store: Path | None = runs_store_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Write one HTML report that opens without network: series against the data, policy
        comparison, sensitivity indices and a map of the strait, as the input allows."""
        from channelsim.outputs import output_file
        from channelsim.reports import build_report

        target = output_file(out, option="-o/--out")
        with err_console.status("building the report", spinner="dots"):
            summary = build_report(source, target, data=data, runs_store=runs_store)
        if fmt is OutputFormat.json:
            print_json(
                {
                    "out": str(summary.path),
                    "sections": summary.sections,
                    "charts": summary.n_charts,
                    "notes": summary.notes,
                }
            )
            return
        emit_rows([{"section": s} for s in summary.sections], fmt, title=f"{summary.path}")
        for note in summary.notes:
            err_console.print(note, highlight=False)
