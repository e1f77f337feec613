"""CLI command ``explore``: the scenario explorer in the browser (``channelsim.explore``)."""

from __future__ import annotations

from pathlib import Path

import typer

from channelsim.cli.data_cmd import STORE_HELP
from channelsim.cli.output import err_console


def register(app: typer.Typer) -> None:
    """Add ``explore`` to the app."""

    @app.command("explore")
    def explore(
        host: str = typer.Option(
            "127.0.0.1", "--host", help="Address to serve on (default: this machine only)."
        ),
        port: int = typer.Option(8050, "--port", help="Port to serve on (0: any free port)."),
        data: Path | None = typer.Option(
            None,
            "--data",
            help="An official publication file (ODS/XLSX/CSV) for the observed series, the "
            "data tab and the claims checker; default: the data store.",
            dir_okay=False,
        ),
        store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
        posterior: Path | None = typer.Option(
            None,
            "--posterior",
            help="Calibration posterior folder the page may draw parameters from (paired "
            "across base and policy, as `compare --posterior`); default: the one the shipped "
            "calibration defaults were written from, when calibration/ holds it.",
        ),
    ) -> None:
        """Start the scenario explorer, a local web page: pick a scenario, switch policies on
        or off and set their parameters, run a paired comparison against the base, see and
        download the answer. Prints the address; Ctrl-C stops it."""
        from channelsim.errors import InputError
        from channelsim.experiments.calibrate import read_posterior, shipped_posterior
        from channelsim.explore import ExploreConfig, serve

        if not 0 <= port <= 65535:
            raise InputError(None, "--port", f"expected a port from 0 to 65535, got {port}")
        if data is not None and not data.is_file():
            raise InputError(data, "--data", "expected an existing publication file")
        if posterior is not None:
            read_posterior(posterior)  # a bad folder is one line now, not a failed run later
        config = ExploreConfig(data=data, store=store, posterior=posterior or shipped_posterior())
        try:
            serve(host, port, config, announce=lambda line: typer.echo(line))
        except OSError as error:
            raise InputError(
                None, "--host/--port", f"cannot serve on {host}:{port} ({error.strerror})"
            ) from None
        err_console.print("explorer stopped", highlight=False)
