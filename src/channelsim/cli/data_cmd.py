"""CLI commands: ``channelsim data import|download|summary|editions``.

The Home Office publication goes into the local data store (see ``channelsim.data.store``),
from which the other commands read it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from channelsim.cli.output import (
    OutputFormat,
    console,
    credited,
    emit_rows,
    err_console,
    print_credits,
    print_json,
)
from channelsim.cli.runs_cmd import OUT_FILE, data_store_option, date_option, output_path
from channelsim.data.source import GOV_UK_PAGE, TITLE
from channelsim.fields import OBSERVED
from channelsim.formatting import date_text

if TYPE_CHECKING:
    import datetime as dt

    from channelsim.data import DataStore, Publication


FORMAT_HELP = "Output as a table, CSV or JSON."
#: Where the editions are, said by `data --help` and both commands that bring one in (F18).
WHERE_HELP = (
    f'The Home Office publishes "{TITLE}" weekly as a spreadsheet (.ods) on {GOV_UK_PAGE} '
    "(each edition holds the whole series from 2018)."
)
DOWNLOAD_HELP = (
    "Download the latest edition from gov.uk and import it.\n\n"
    f"{WHERE_HELP} This reads that page (or --page-url) for the current edition's .ods link, "
    "saves the file and imports it."
)
IMPORT_HELP = (
    "Validate every file, then import them all in one step, or none: if any file is bad, "
    "nothing is imported (a file already stored is left as is).\n\n"
    f"{WHERE_HELP} Save an edition from that page and import it here, or let "
    "`channelsim data download` fetch the current edition."
)

data_app = typer.Typer(
    help="The Home Office small-boats publication: import, download, summarise.\n\n"
    f"{WHERE_HELP} `channelsim data download` fetches the current edition and imports it; "
    "`channelsim data import FILE.ods` imports editions saved from that page.",
    no_args_is_help=True,
)


def _for_table(key: str, value: Any) -> Any:
    """File names without folders, import times as their day (CSV and JSON keep the
    second), years without thousands separators."""
    if key == "file":
        return Path(value).name
    if key == "imported_at" and hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if key == "imported_at" and isinstance(value, str):
        return value[:10]
    return str(value) if key == "year" else value


#: Left out of the terminal's tables (CSV and JSON keep them): the file's hash (its first
#: 12 digits made the editions table 130 columns wide, split in two at 110).
TABLE_LEFT_OUT = ("sha256",)


def _emit(
    rows: list[dict[str, Any]], fmt: OutputFormat, title: str, left_out: tuple[str, ...] = ()
) -> None:
    """Print rows; the table is narrowed to fit a terminal (``left_out``: more columns it
    leaves out), CSV and JSON keep every field."""
    if fmt is OutputFormat.table:
        rows = [
            {
                k: _for_table(k, v)
                for k, v in row.items()
                if not (k == "file_name" and "file" in row)
                and k not in (*TABLE_LEFT_OUT, *left_out)
            }
            for row in rows
        ]
    emit_rows(rows, fmt, title=title, sources=[OBSERVED])


class By(StrEnum):
    year = "year"
    month = "month"
    week = "week"


@data_app.command("import", help=IMPORT_HELP)
def import_(
    files: list[Path] = typer.Argument(
        ..., help="Editions: .ods/.xlsx files as published, or <stem>_SB_01.csv/_SB_02.csv pairs."
    ),
    store: Path | None = data_store_option(),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Refuse an edition whose weekly table disagrees with its daily one "
        "(by default it is imported as published and the disagreement recorded as a warning).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=FORMAT_HELP),
) -> None:
    """Validate every file, then import them all in one step, or none (:data:`IMPORT_HELP`)."""
    from channelsim.data import DataStore, read_publication

    data_store = DataStore(store)
    with _store_noted(data_store):
        publications = [read_publication(file, strict=strict) for file in files]
        results = data_store.import_publications(publications)
    for pub, result in zip(publications, results, strict=True):
        if result.status == "imported":
            _print_warnings(pub)
    rows = [
        {"file": str(pub.source), **result.as_row()}
        for pub, result in zip(publications, results, strict=True)
    ]
    # the time of import is now: `data editions` lists it
    _emit(rows, fmt, title=f"store: {data_store.path}", left_out=("imported_at",))


def _print_warnings(publication: Publication) -> None:
    """Each inner disagreement of a newly imported edition, once, on stderr."""
    for warning in publication.warnings:
        err_console.print(
            f"warning: {warning} (imported as published; recorded in the store)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@data_app.command("download", help=DOWNLOAD_HELP)
def download(
    to: Path | None = typer.Option(
        None,
        "--to",
        metavar="PATH",
        parser=output_path("--to", "the path of a folder"),
        help="Directory for the file; default 'downloads' beside the store.",
    ),
    page_url: str | None = typer.Option(
        None, "--page-url", help="Publication page to look for the .ods link on (gov.uk)."
    ),
    store: Path | None = data_store_option(),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=FORMAT_HELP),
) -> None:
    """Download the latest edition from gov.uk and import it (:data:`DOWNLOAD_HELP`)."""
    from channelsim.data import DataStore, read_publication
    from channelsim.data.download import GOV_UK_PAGE, download_publication

    data_store = DataStore(store)
    # in its own folder beside the store, channelsim replaces an edition it imported
    path = download_publication(
        to or data_store.path.parent / "downloads",
        page_url or GOV_UK_PAGE,
        replaceable=data_store.has_edition if to is None else lambda sha256: False,
    )
    with _store_noted(data_store):
        publication = read_publication(path)
        result = data_store.import_publication(publication)
    if result.status == "imported":
        _print_warnings(publication)
    _emit([{"file": str(path), **result.as_row()}], fmt, f"store: {data_store.path}")


@contextlib.contextmanager
def _store_noted(data_store: DataStore) -> Iterator[None]:
    """The line of a Ctrl-C or SIGTERM in the block says whether the data store changed: an
    import replaces the store file in one rename, so it is either unchanged or imported."""
    from channelsim.interrupts import noted

    before = _file_identity(data_store.path)

    def left() -> str:
        if _file_identity(data_store.path) == before:
            return f"the data store {data_store.where} is unchanged"
        return f"the editions were imported into {data_store.where}"

    with noted(left):
        yield


def _file_identity(path: Path) -> tuple[int, ...] | None:
    """What changes when a file is replaced or written (None if it does not exist)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


@data_app.command("summary")
def summary(
    by: By = typer.Option(By.year, "--by", help="Period of each row."),
    start: str | None = date_option("--from", "First date included (YYYY-MM-DD)."),
    end: str | None = date_option("--to", "Last date included (YYYY-MM-DD)."),
    store: Path | None = data_store_option(),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=FORMAT_HELP),
) -> None:
    """Arrivals and preventions per year, month or week (weeks count where they end)."""
    from channelsim.data import DataStore, summarise
    from channelsim.data.summary import parse_date
    from channelsim.errors import InputError

    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if first is not None and last is not None and first > last:
        expected = f"expected a day on or before --to {last:%Y-%m-%d}, got {first:%Y-%m-%d}"
        raise InputError(None, "--from", expected)
    data_store = DataStore(store)
    daily, weekly = data_store.daily(), data_store.weekly()
    rows = summarise(daily, weekly, by.value, first, last)
    if not rows:  # an empty table said nothing: say why, and where the figures are
        _say_none_in_range(daily, weekly, first, last, fmt)
        if fmt is OutputFormat.table:
            return
    edition = data_store.latest_edition()
    latest = f" (latest edition {date_text(edition.edition_date)})" if edition else ""
    credit = None if edition is None else _credit(data_store)
    _emit(credited(rows, fmt, credit), fmt, f"Small-boat arrivals by {by.value}{latest}")
    if fmt is OutputFormat.table:
        print_credits(credit)


def _say_none_in_range(
    daily: Any, weekly: Any, first: dt.date | None, last: dt.date | None, fmt: OutputFormat
) -> None:
    """One line: no published figures from ``first`` to ``last``, and the days the stored
    figures do cover (on stdout in place of a table; on stderr beside empty CSV or JSON)."""
    import pandas as pd

    dates = pd.concat([pd.to_datetime(daily["date"]), pd.to_datetime(weekly["week_ending"])])
    asked = f"{_day(first, 'the start')} to {_day(last, 'the end')}"
    covered = f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}"
    line = (
        f"No published figures from {asked}: the stored figures cover {covered} (by day, and "
        "by week ending)."
    )
    (console if fmt is OutputFormat.table else err_console).print(line, highlight=False)


def _day(day: dt.date | None, otherwise: str) -> str:
    return otherwise if day is None else f"{day:%Y-%m-%d}"


def _credit(data_store: Any) -> str:
    """The Home Office credit of the store's latest edition (publisher, edition, licence)."""
    from channelsim.data.dates import source_line

    return source_line(_edition_dict(data_store))


@data_app.command("editions")
def editions(
    store: Path | None = data_store_option(),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=FORMAT_HELP),
) -> None:
    """List the editions held in the store, oldest first; the last one wins."""
    from channelsim.data import DataStore

    data_store = DataStore(store)
    data_store.require()
    rows = data_store.editions().to_dict(orient="records")
    _emit(rows, fmt, title=f"store: {data_store.path}")


class BriefFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


@data_app.command("brief")
def brief(
    as_of: str | None = date_option(
        "--as-of", "Date of the brief (YYYY-MM-DD); default the latest published day."
    ),
    store: Path | None = data_store_option(),
    fmt: BriefFormat = typer.Option(
        BriefFormat.table, "--format", help="table, csv, json or md (Markdown, ready to paste)."
    ),
) -> None:
    """The week's facts: latest day, this week and month against last year, the year to date
    against every earlier year, records broken, people per boat, prevention, days since the
    last crossing."""
    from channelsim.data import DataStore
    from channelsim.data.brief import (
        brief_markdown,
        brief_rows,
        brief_title,
        source_line,
        weekly_brief,
    )
    from channelsim.data.summary import parse_date

    day = parse_date(as_of, "--as-of")
    data_store = DataStore(store)
    daily, weekly = data_store.daily(), data_store.weekly()
    edition = _edition_dict(data_store)
    facts = weekly_brief(daily, weekly, None if day is None else day.date(), edition)
    credit = source_line(edition)
    if fmt is BriefFormat.json:
        print_json({**facts, "source": credit})
    elif fmt is BriefFormat.md:
        typer.echo(brief_markdown(facts), nl=False)
    else:
        title = brief_title(facts)
        table = OutputFormat(fmt.value)
        emit_rows(credited(brief_rows(facts), table, credit), table, title=title)
        if fmt is BriefFormat.table:
            print_credits(credit)


def _edition_dict(data_store: Any) -> dict[str, str]:
    latest = data_store.latest_edition()
    return {"date": latest.edition_date.isoformat(), "file": latest.file_name}


@data_app.command("report")
def report(
    out: Path = typer.Option(
        ...,
        "-o",
        "--out",
        metavar="PATH",
        parser=output_path(*OUT_FILE),
        help="HTML file to write (a new name, or a page this command wrote, unchanged since).",
    ),
    store: Path | None = data_store_option(),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help=FORMAT_HELP),
) -> None:
    """One self-contained HTML page of the official data: daily and weekly arrivals, the year
    to date by year, people per boat by month, prevention (opens without network)."""
    from channelsim.data import DataStore
    from channelsim.data.report import write_data_report

    data_store = DataStore(store)
    daily, weekly = data_store.daily(), data_store.weekly()
    written = write_data_report(daily, weekly, _edition_dict(data_store), out)
    rows = [
        {
            "out": str(written.path),
            "sections": ", ".join(written.sections),
            "charts": written.n_charts,
        }
    ]
    _emit(rows, fmt, title="channelsim data report")


def register(app: typer.Typer) -> None:
    """Add the ``data`` command family to the app."""
    app.add_typer(data_app, name="data")
