"""CLI command ``channelsim claims``: test public claims against the Home Office data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from channelsim.cli.output import OutputFormat, credited, emit_rows, print_credits
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
    figures: supported, not supported, wrong unit, or cannot be checked with this data."""
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
    credits = [r.credit for r in results]  # each verdict's edition, as data brief
    rows = [r.row() for r in results]
    if fmt is OutputFormat.table:
        rows = _for_reading(rows)
    emit_rows(
        credited(rows, fmt, credits),
        fmt,
        title=f"Claims in {file.name}",
        json_payload=[r.as_dict() for r in results],
    )
    if fmt is OutputFormat.table:
        print_credits([r.credit for r in results if r.uses_data])


#: Columns of the CSV a desk publishes from (what was said, when, where, the number claimed)
#: that the terminal's table leaves out to stay readable: the claim file holds them.
CSV_ONLY = ("quote", "said_on", "claim_source", "claimed_figure")


def _for_reading(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows: an edition by its date (the credits under the table name its file),
    without :data:`CSV_ONLY`, and no column that is empty in every row (CSV keeps every
    column, for a spreadsheet)."""
    rows = [
        {**{k: v for k, v in row.items() if k not in CSV_ONLY},
         "edition": row["edition"].split(" (")[0]}
        for row in rows
    ]  # fmt: skip
    empty = {key for key in rows[0] if all(row[key] is None for row in rows)} if rows else set()
    return [{k: v for k, v in row.items() if k not in empty} for row in rows]


def register(app: typer.Typer) -> None:
    """Add the ``claims`` command to the app."""
    app.command("claims")(claims)
