"""CLI command ``channelsim claims``: test public claims against the Home Office data."""

from __future__ import annotations

from pathlib import Path

import typer

from channelsim.cli.output import OutputFormat, emit_rows
from channelsim.cli.runs_cmd import data_store_option


def claims(
    file: Path = typer.Argument(..., help="YAML claim file (see examples/claims/)."),
    store: Path | None = data_store_option(),
    data: list[Path] | None = typer.Option(
        None,
        "--data",
        help="Publication file(s) to read instead of the store, one edition each.",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """Judge each claim on the edition published by the day it was made and on the latest
    figures: supported, not supported, wrong unit, or cannot be checked."""
    from channelsim.claims import (
        check_claims,
        editions_from_files,
        editions_from_store,
        load_claims,
    )
    from channelsim.data import DataStore

    claim_file = load_claims(file)
    editions = editions_from_files(data) if data else editions_from_store(DataStore(store))
    results = check_claims(claim_file, editions)
    emit_rows(
        [r.row() for r in results],
        fmt,
        title=f"Claims in {file.name}",
        json_payload=[r.as_dict() for r in results],
    )


def register(app: typer.Typer) -> None:
    """Add the ``claims`` command to the app."""
    app.command("claims")(claims)
