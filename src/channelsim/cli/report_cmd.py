"""CLI command: ``report`` — one self-contained HTML file from a run, comparison, sensitivity
analysis or a recorded run id."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path

import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console, print_json
from channelsim.cli.runs_cmd import OUT_FILE, output_path, runs_store_option


class ImageFormat(StrEnum):
    png = "png"
    svg = "svg"


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
            ...,
            "-o",
            "--out",
            metavar="PATH",
            parser=output_path(*OUT_FILE),
            help="HTML file to write (new, or a report channelsim wrote and nobody changed).",
        ),
        data: Path | None = typer.Option(
            None, "--data", help="Official publication (ODS/XLSX/CSV); default: the data store."
        ),
        runs_store: Path | None = runs_store_option(),
        images: ImageFormat | None = typer.Option(
            None,
            "--images",
            help="Also save every chart, with its title and credit, as PNG or SVG in the "
            "folder REPORT-charts beside the report (needs Chrome or Chromium).",
        ),
        force: bool = typer.Option(
            False, "--force", help="Replace the charts folder if channelsim wrote it."
        ),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Write one HTML report that opens without network: series against the data, policy
        comparison, sensitivity indices and a map of the strait, as the input allows."""
        from channelsim.outputs import output_file, output_folder
        from channelsim.reports import build_report
        from channelsim.reports.images import save_images

        target = output_file(out, option="-o/--out")
        charts = None
        if images is not None:
            folder = target.path.with_name(f"{target.path.stem}-charts")
            charts = output_folder(folder, force=force, option="--images")
        written: list[Path] = []
        outputs = {target.path: False} | ({} if charts is None else {charts.path: True})
        with saying_what_was_written(outputs, written):
            with err_console.status("building the report", spinner="dots"):
                summary = build_report(source, target, data=data, runs_store=runs_store)
            written.append(summary.path)
            saved = []
            if charts is not None and images is not None:
                with err_console.status("saving the charts", spinner="dots"):
                    saved = save_images(summary.figures, charts, images.value)
                written.append(charts.path)
        if fmt is OutputFormat.json:
            print_json(
                {
                    "out": str(summary.path),
                    "sections": summary.sections,
                    "charts": summary.n_charts,
                    "images": [str(p) for p in saved],
                    "notes": summary.notes,
                }
            )
            return
        emit_rows([{"section": s} for s in summary.sections], fmt, title=f"{summary.path}")
        for note in summary.notes:
            err_console.print(note, highlight=False)
        if saved:
            err_console.print(f"{len(saved)} charts saved in {saved[0].parent}", highlight=False)


@contextlib.contextmanager
def saying_what_was_written(outputs: dict[Path, bool], written: Sequence[Path]) -> Iterator[None]:
    """On Ctrl-C or SIGTERM, the one line says of each output (path -> whether it is a
    folder: the report, its charts folder), in order, whether it was written in full or
    nothing was written to it: a report stopped while saving its charts said only "nothing
    was written to REPORT-charts" of a report it had written whole (s12 B14)."""
    from channelsim.outputs import written_note

    try:
        yield
    except KeyboardInterrupt as interrupt:
        notes = list(getattr(interrupt, "__notes__", []))
        ours = []
        for path, folder in outputs.items():  # the writer's own note, else one here
            said = [note for note in notes if str(path) in note]
            ours += said or [written_note(path, installed=path in written, folder=folder)]
        interrupt.__notes__ = [*ours, *(note for note in notes if note not in ours)]
        raise
