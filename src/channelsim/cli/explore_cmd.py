"""CLI command ``explore``: the scenario explorer in the browser (``channelsim.explore``)."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import typer

from channelsim.cli.output import err_console
from channelsim.cli.runs_cmd import data_store_option
from channelsim.errors import InputError


def _check_address(host: str, port: int) -> None:
    """``--host`` must name an address of this machine and ``--port`` a port free on it:
    checked by binding a socket as the server will, so that neither is the web server's
    own text and exit code later."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):  # the resolver's own words say less than ours
        raise InputError(
            None,
            "--host",
            f"expected an address or name of this machine (such as 127.0.0.1, 0.0.0.0 or "
            f"localhost), got {host!r}, which is neither an address nor a name it knows",
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind(address)
        except OSError as error:
            raise _address_error(host, port, error) from None


def _address_error(host: str, port: int, error: OSError) -> InputError:
    if error.errno == errno.EADDRINUSE:
        return InputError(
            None,
            "--port",
            f"expected a free port, but {port} is in use on {host} (by another program, or "
            "another explorer); choose another, or --port 0 for any free one",
        )
    if error.errno == errno.EACCES:
        return InputError(
            None, "--port", f"expected a port this user may open; {port} needs privileges"
        )
    why = (
        "no network interface of this machine has it"
        if error.errno == errno.EADDRNOTAVAIL
        else "the system would not serve on it"
    )
    return InputError(
        None,
        "--host",
        f"expected an address of this machine (such as 127.0.0.1 or 0.0.0.0), got {host!r}: {why}",
    )


def _check_data(data: Path | None, store: Path | None) -> None:
    """``--data`` must be a readable publication, and ``--store`` (or $CHANNELSIM_STORE) a
    data store or nothing: a file of the wrong kind is refused before the server starts,
    not shown as a broken page."""
    from channelsim.data import DataStore, read_publication

    if data is not None:
        if not data.is_file():
            raise InputError(data, "--data", "expected an existing publication file")
        try:
            read_publication(data)
        except InputError as error:  # where in the file, after the option that named it
            where = ", ".join(w for w in ("--data", error.where) if w)
            raise InputError(error.source, where, error.expected) from None
    else:
        DataStore(store).holds_editions()


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
        store: Path | None = data_store_option(),
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
        from channelsim.experiments.calibrate import read_posterior, shipped_posterior
        from channelsim.explore import ExploreConfig, serve

        if not 0 <= port <= 65535:
            raise InputError(None, "--port", f"expected a port from 0 to 65535, got {port}")
        _check_address(host, port)
        _check_data(data, store)
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
