"""Read and validate the Home Office publication "Migrants detected crossing the English
Channel in small boats – time series".

Two tables matter: ``SB_01`` (daily arrivals) and ``SB_02`` (weekly arrivals and the French
prevention estimates, week ending Sunday). Each may have title or note rows above its header
row; the header row is found by its column names, and columns are matched by name (case,
spacing, dash style and ``[note N]`` markers are ignored), so their order does not matter.
A ``-`` means "not recorded" and becomes ``<NA>`` (pandas nullable ``Int64``), never zero.

Accepted formats:

* **ODS** (as published) and **XLSX**: one workbook with sheets ``SB_01`` and ``SB_02``.
* **CSV**: a pair of files ``<stem>_SB_01.csv`` and ``<stem>_SB_02.csv`` in one directory,
  each holding one table with the sheet's column headings (UTF-8, comma-separated; dates as
  ``YYYY-MM-DD`` or ``DD/MM/YYYY``). Pass either file of the pair, or a directory that holds
  exactly one pair. The publication's ``sha256`` is that of the ``SB_01`` bytes followed by
  the ``SB_02`` bytes.

The edition date is the one the workbook itself holds: the Home Office's ODS files carry their
day of publication as the document's creation date (``meta.xml``; an XLSX's
``docProps/core.xml``), taken when it falls within :data:`MAX_PUBLICATION_LAG_DAYS` after the
last daily date. Otherwise it comes from a file name that starts with
``<day>_<Month>_<year>``, as gov.uk names the files
(``21_November_2025_Small_boats_-_time_series.ods``), with a warning (for a CSV pair, which
holds no date, only when the table cannot have been published on it); otherwise it is the day
after the last daily date, the earliest day on which that edition can have been published. A
file name whose date disagrees with the file's own is warned of (a renamed file is still the
edition its content says).

Every problem raises :class:`~channelsim.errors.InputError` naming the file, sheet, row (as
the user sees it in a spreadsheet program), column and what was expected.

Bounds (checked before anything is stored, so that no value can overflow a column or a date
type further on): a count is a whole number from 0 to :data:`MAX_COUNT`; a date lies in
:data:`FIRST_DATE`–:data:`LAST_DATE`; a table has at most :data:`MAX_TABLE_ROWS` rows. The
official series starts on 1 January 2018 and has about 3,000 daily rows; a daily table that
covered the whole century would have 36,525, so a sheet beyond the row bound is refused from
its size alone, before any cell is read into Python.

One kind of fault is not structural: the weekly table disagreeing with the sums of the daily
one (the 20 February 2026 "v2" edition shows 5 boats in uncontrolled landings in SB_02's week
ending 15 February 2026 where SB_01's days sum to 0). Such a file loads as published, each
disagreement kept as a :class:`DataWarning` (file, sheet, row, column); ``strict=True``
refuses it instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from channelsim.data.dates import FIRST_DATE, LAST_DATE
from channelsim.errors import InputError
from channelsim.formatting import date_text
from channelsim.textfile import check_input_file

DAILY_SHEET = "SB_01"
WEEKLY_SHEET = "SB_02"
SPREADSHEET_SUFFIXES = (".ods", ".xlsx", ".xls")
_HEADER_SEARCH_ROWS = 30
_MISSING_MARKS = frozenset({"-", "–", "—"})

#: Largest count accepted in one row (people, boats or events in a day or a week). The record
#: day is 1,305 people (3 Sep 2022) and no week has reached 10,000, so a million is far above
#: any real figure and far below every integer limit (DuckDB INTEGER, int64 sums).
MAX_COUNT = 1_000_000
#: Rows of a table, header, titles and notes included: a daily table from FIRST_DATE to
#: LAST_DATE has 36,525 data rows; the official one about 3,000.
MAX_TABLE_ROWS = 40_000
#: Most columns a table may reach (its last cell with a value): the official tables use 5 to
#: 7. The reader holds a table as rows × columns cells, empty ones too, so one cell typed in
#: column XFD of a 3,000-row sheet took 1.5 GB and 25 s (an ODS cell repeated a billion times
#: across, a Rust panic): the extent is read from the sheet's XML before any cell is.
MAX_TABLE_COLUMNS = 64
#: Uncompressed XML of a workbook's sheets, checked from the zip's directory before any sheet
#: is parsed: the official ODS holds 2.4 MB for about 3,500 rows (some 700 bytes a row), so
#: 64 MB is room for MAX_TABLE_ROWS rows in each table with generous formatting.
MAX_SHEET_XML_BYTES = 64_000_000
#: Uncompressed size of every part of a workbook together (sheets, shared strings, styles).
MAX_WORKBOOK_BYTES = 2 * MAX_SHEET_XML_BYTES
#: Most shared strings an XLSX may declare: the reader reserves room for the count its
#: ``sharedStrings.xml`` declares before reading them (4 billion declared: 96 GB asked, the
#: process aborted); two tables of MAX_TABLE_ROWS × MAX_TABLE_COLUMNS cells hold fewer.
MAX_SHARED_STRINGS = 2 * MAX_TABLE_ROWS * MAX_TABLE_COLUMNS
#: Largest CSV table read (bytes): MAX_TABLE_ROWS rows of up to 1,600 bytes each fit in 64 MB;
#: a 1 GB file with no newline took 21 s to be refused.
MAX_CSV_BYTES = 64 * 2**20

Kind = Literal["date", "count", "optional_count", "text"]


@dataclass(frozen=True)
class Column:
    """One column of a table: its name in channelsim, its heading in the publication."""

    name: str
    heading: str
    kind: Kind


_ARRIVALS = (
    Column("people", "Migrants arrived", "count"),
    Column("boats", "Boats arrived", "count"),
    Column(
        "uncontrolled_boats", "Boats arrived - involved in uncontrolled landings", "optional_count"
    ),
)
TABLES: dict[str, tuple[Column, ...]] = {
    DAILY_SHEET: (
        Column("date", "Date", "date"),
        *_ARRIVALS,
        Column("notes", "Notes", "text"),
    ),
    WEEKLY_SHEET: (
        Column("week_ending", "Week ending", "date"),
        *_ARRIVALS,
        Column("prevented_people", "Migrants prevented", "optional_count"),
        Column("prevented_events", "Events prevented", "optional_count"),
        Column("notes", "Notes", "text"),
    ),
}
DAILY_COLUMNS = tuple(c.name for c in TABLES[DAILY_SHEET])
WEEKLY_COLUMNS = tuple(c.name for c in TABLES[WEEKLY_SHEET])
_DTYPES: dict[Kind, str] = {
    "date": "datetime64[ns]",
    "count": "Int64",
    "optional_count": "Int64",
    "text": "string",
}


def column_dtypes(table: str) -> dict[str, str]:
    """The pandas dtype of each column of ``daily`` (SB_01) or ``weekly`` (SB_02) frames."""
    return {c.name: _DTYPES[c.kind] for c in TABLES[table]}


@dataclass(frozen=True)
class DataWarning:
    """A disagreement inside one edition that does not stop it loading: where it is (file,
    sheet or CSV table, spreadsheet row, column heading) and what was expected."""

    file: str
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.sheet}, row {self.row}, column '{self.column}': {self.message}"


@dataclass(frozen=True, eq=False)
class Publication:
    """One edition of the publication, validated, with its provenance.

    ``warnings`` lists the edition's inner disagreements, kept as published (see the module
    docstring); empty for a consistent edition.
    """

    daily: pd.DataFrame
    weekly: pd.DataFrame
    edition_date: dt.date
    source: Path
    sha256: str
    warnings: tuple[DataWarning, ...] = ()

    @property
    def file_name(self) -> str:
        return self.source.name


class _CellError(ValueError):
    """A cell that does not hold what its column needs; the caller adds the location."""


def read_publication(path: str | Path, strict: bool = False) -> Publication:
    """Read one edition (ODS, XLSX or a CSV pair) and validate it completely.

    Raises :class:`InputError` for any structural fault or value out of bounds; the weekly
    table disagreeing with the daily sums is a warning, or an error when ``strict``.
    """
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".csv":
        sources = _csv_pair(path)
        tables = {name: (src, _read_csv_rows(src, name)) for name, src in sources.items()}
        sha = _sha256(*sources.values())
        stem = sources[DAILY_SHEET].name[: -len(f"{DAILY_SHEET}.csv")]
        where = "table"
    elif path.suffix.lower() in SPREADSHEET_SUFFIXES:
        _check_file(path)
        tables = {name: (path, rows) for name, rows in _read_workbook(path).items()}
        sha = _sha256(path)
        stem = path.stem
        where = "sheet"
    else:
        raise InputError(
            path, None, "expected an .ods or .xlsx workbook, or a <stem>_SB_01.csv/_SB_02.csv pair"
        )
    parsed = {
        name: _parse_table(src, f"{where} {name}", rows, TABLES[name])
        for name, (src, rows) in tables.items()
    }
    (daily, _), (weekly, weekly_rows) = parsed[DAILY_SHEET], parsed[WEEKLY_SHEET]
    warnings = _weeks_against_days(
        tables[WEEKLY_SHEET][0], f"{where} {WEEKLY_SHEET}", daily, weekly, weekly_rows
    )
    if warnings and strict:
        first = warnings[0]
        raise InputError(
            first.file, f"{first.sheet}, row {first.row}, column '{first.column}'", first.message
        )
    last_day = daily["date"].iloc[-1].date()
    edition = _edition_date(path, stem, last_day, held=where == "sheet")
    return Publication(
        daily=daily,
        weekly=weekly,
        edition_date=edition,
        source=path,
        sha256=sha,
        warnings=tuple(warnings),
    )


def _sha256(*files: Path) -> str:
    """The sha256 of the files' bytes in order, read in chunks (never whole into memory)."""
    digest = hashlib.sha256()
    for file in files:
        try:
            with file.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError as error:
            raise InputError(file, None, f"cannot read ({error.strerror or error})") from None
    return digest.hexdigest()


#: Most days from an edition's last daily row to its publication for the date its document
#: properties give to count as its publication date: the official editions are published 1
#: to 3 days after their last day (21 Nov 2025: to 20 Nov; 31 Dec 2025: to 28 Dec), weekly.
MAX_PUBLICATION_LAG_DAYS = 28
_DOCUMENT_DATES = {  # the part of the zip, and its tags in order of preference
    ".ods": ("meta.xml", (rb"<meta:creation-date>", rb"<dc:date>")),
    ".xlsx": ("docProps/core.xml", (rb"<dcterms:created[^>]*>", rb"<dcterms:modified[^>]*>")),
}
_DOCUMENT_PART_BYTES = 1 << 20  # a meta.xml is under 1 kB


def _edition_date(path: Path, stem: str, last_day: dt.date, *, held: bool) -> dt.date:
    """The edition's date: the one a workbook holds (``held``; its document properties,
    :func:`document_date`) when it can be the publication date of a table ending on
    ``last_day``; else the file name's, with a warning (a renamed file took the name's date,
    and its credit named an edition its figures were not from, s11 F15) unless it is a CSV
    pair's and can be that date; else the day after ``last_day``, the earliest its edition
    can have been published. A name whose date and the file's disagree is warned of, the
    file's date taken."""
    named = edition_date_from_name(stem)
    if named is not None and not FIRST_DATE <= named <= LAST_DATE:
        raise InputError(
            path,
            "file name",
            f"expected an edition date from {FIRST_DATE} to {LAST_DATE}, found {named}",
        )
    own = document_date(path) if held else None
    ends = f"its daily table ends on {date_text(last_day)}"
    if own is not None and _can_be_published(own, last_day):
        if named is not None and named != own:
            _warn_edition(
                path, f"the file name says {date_text(named)}, but the file's own date is "
                f"{date_text(own)} and {ends}: taken as the edition of {date_text(own)}",
            )  # fmt: skip
        return own
    if named is None:
        return last_day + dt.timedelta(days=1)
    plausible = _can_be_published(named, last_day)
    if held or not plausible:  # a CSV pair holds no date: its name is all there is
        if own is None:
            why = "the file holds no date of its own" if held else "a CSV table holds no date"
        else:
            why = f"the file's own date, {date_text(own)}, cannot be its publication date"
        odd = "" if plausible else ", which that date cannot follow"
        _warn_edition(path, f"taken from the file name, {date_text(named)} ({why}; {ends}{odd})")
    return named


def _can_be_published(day: dt.date, last_day: dt.date) -> bool:
    """Whether an edition whose daily table ends on ``last_day`` can be published on ``day``."""
    return last_day < day <= last_day + dt.timedelta(days=MAX_PUBLICATION_LAG_DAYS)


def _warn_edition(path: Path, text: str) -> None:
    import warnings

    from channelsim.errors import ChannelsimWarning

    warnings.warn(ChannelsimWarning(path, "edition date", text), stacklevel=3)


def document_date(path: Path) -> dt.date | None:
    """The date a workbook's document properties give for it: an ODS's ``meta.xml``
    creation date (else its ``dc:date``), an XLSX's ``docProps/core.xml`` created (else
    modified) date; None when it has none or cannot be read. The Home Office's editions
    hold the day of publication there (``2025-11-21T10:21:39Z`` in the 21 November 2025
    file); no sheet of theirs gives it. Read with a pattern, not an XML parser, from a part
    of at most 1 MB."""
    import zipfile

    found = _DOCUMENT_DATES.get(path.suffix.lower())
    if found is None:
        return None
    part, tags = found
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(part)
            if info.file_size > _DOCUMENT_PART_BYTES:
                return None
            text = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    for tag in tags:
        match = re.search(tag + rb"\s*(\d{4})-(\d{2})-(\d{2})", text)
        if match is None:
            continue
        try:
            day = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            continue
        if FIRST_DATE <= day <= LAST_DATE:
            return day
    return None


def edition_date_from_name(name: str) -> dt.date | None:
    """The date at the start of a gov.uk file name (``21_November_2025_...``), if any."""
    match = re.match(r"\s*(\d{1,2})[_\- ]([A-Za-z]+)[_\- ](\d{4})(?!\d)", name)
    if match is None:
        return None
    try:
        return dt.datetime.strptime(" ".join(match.groups()), "%d %B %Y").date()
    except ValueError:
        return None


def _check_file(path: Path) -> None:
    """A file of the publication: refused if missing, a folder, a device or a pipe (a CSV
    symlinked to ``/dev/zero`` was one endless line), or empty."""
    size = check_input_file(path, "file of the publication", pipe=False).st_size
    if path.suffix.lower() == ".csv" and size > MAX_CSV_BYTES:  # workbooks: _check_workbook_size
        raise InputError(
            path,
            None,
            f"expected a table of the publication of at most {MAX_CSV_BYTES // 2**20} MB "
            f"(the official ones are under 1 MB), got {size / 2**20:,.0f} MB",
        )
    if size == 0:
        raise InputError(path, None, "file is empty; expected the small-boats publication")


def _too_many_rows(source: Path, where: str, rows: int) -> InputError:
    return InputError(
        source,
        where,
        f"{rows:,} rows; expected at most {MAX_TABLE_ROWS:,} (a daily series from "
        f"{FIRST_DATE.year} to {LAST_DATE.year} has 36,525 rows, the official one about 3,000)",
    )


def _check_workbook_size(path: Path) -> None:
    """Refuse an ODS or XLSX whose sheets are far too large, from the zip directory alone
    (parsing a million-row sheet would take seconds and hundreds of MB first)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            size = sum(
                info.file_size
                for info in parts
                if info.filename == "content.xml" or info.filename.startswith("xl/worksheets/")
            )
            whole = sum(info.file_size for info in parts)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip (e.g. .xls) or damaged: the reader says what is wrong
    if whole > MAX_WORKBOOK_BYTES:  # an unused 1 GB sharedStrings.xml took 1.2 GB to read
        raise InputError(
            path,
            None,
            f"the workbook unpacks to {whole / 1e6:,.0f} MB; expected at most "
            f"{MAX_WORKBOOK_BYTES / 1e6:,.0f} MB (the official file unpacks to about 3 MB)",
        )
    if size > MAX_SHEET_XML_BYTES:
        raise InputError(
            path,
            None,
            f"the sheets hold {size / 1e6:,.0f} MB of cells; expected at most "
            f"{MAX_SHEET_XML_BYTES / 1e6:,.0f} MB, room for {MAX_TABLE_ROWS:,} rows a table "
            "(the official file holds about 2 MB)",
        )


#: What each workbook suffix is, in words, and how to tell it from its first bytes: an
#: OpenDocument file is a zip whose first entry, ``mimetype``, names it; an Excel 2007+
#: workbook a zip holding ``xl/workbook.xml``; an Excel 97-2003 one an OLE2 compound file.
WORKBOOK_KINDS = {
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".xlsx": "an Excel workbook (.xlsx)",
    ".xls": "an Excel 97-2003 workbook (.xls)",
}
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def workbook_kind(path: Path) -> str | None:
    """The suffix of what ``path`` holds (".ods", ".xlsx" or ".xls"), from its content, or
    None if it is none of them (or cannot be read: the reader then says why)."""
    import zipfile

    try:
        with path.open("rb") as handle:
            if handle.read(len(OLE2_MAGIC)) == OLE2_MAGIC:
                return ".xls"
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                    return ".ods"
            return ".xlsx" if "xl/workbook.xml" in names else None
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None


def _check_workbook_kind(path: Path) -> None:
    """A workbook whose content is another kind than its name says (an .ods renamed .xlsx)
    is refused naming both: the reader, going by the name, called it truncated or corrupt."""
    suffix = path.suffix.lower()
    found = workbook_kind(path)
    if found is not None and found != suffix:
        raise InputError(
            path,
            None,
            f"expected {WORKBOOK_KINDS[suffix]}, as its name says, got {WORKBOOK_KINDS[found]}: "
            f"give the file its {found} name",
        )


def _read_workbook(path: Path) -> dict[str, list[list[Any]]]:
    """The cells of SB_01 and SB_02, from A1, so that list index + 1 is the row number."""
    from python_calamine import CalamineError, CalamineWorkbook

    _check_workbook_kind(path)
    _check_workbook_size(path)
    _check_table_extent(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        for name in TABLES:
            if name not in names:
                raise InputError(
                    path,
                    None,
                    f"sheet {name} not found; expected sheets {DAILY_SHEET} and {WEEKLY_SHEET} "
                    f"(found: {', '.join(names) or 'none'})",
                )
        cells: dict[str, list[list[Any]]] = {}
        for name in TABLES:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.total_height > MAX_TABLE_ROWS:
                raise _too_many_rows(path, f"sheet {name}", sheet.total_height)
            cells[name] = sheet.to_python(skip_empty_area=False)
        return cells
    except (CalamineError, OSError, ValueError) as error:
        detail = " ".join(str(error).split()) or type(error).__name__
        raise InputError(
            path, None, f"cannot read the workbook ({detail}); is the file truncated or corrupt?"
        ) from None
    except BaseException as error:  # the reader's Rust panics are BaseExceptions
        if not isinstance(error, MemoryError) and type(error).__name__ != "PanicException":
            raise
        raise InputError(
            path,
            None,
            "cannot read the workbook (it ran out of memory): expected tables of at "
            f"most {MAX_TABLE_ROWS:,} rows and {MAX_TABLE_COLUMNS} columns",
        ) from None


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XLSX_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_XLSX_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _check_table_extent(path: Path) -> None:
    """Refuse a workbook whose SB_01 or SB_02 reaches past :data:`MAX_TABLE_ROWS` rows or
    :data:`MAX_TABLE_COLUMNS` columns (its last cell with a value, repeats counted), from the
    sheet's XML streamed before the reader builds the table (see MAX_TABLE_COLUMNS)."""
    import zipfile
    from xml.etree.ElementTree import ParseError

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "content.xml" in names:
                with archive.open("content.xml") as xml:
                    extents = _ods_extents(xml)
            else:
                declared = _xlsx_shared_strings(archive, names)
                if declared > MAX_SHARED_STRINGS:
                    raise InputError(
                        path,
                        "xl/sharedStrings.xml",
                        f"expected at most {MAX_SHARED_STRINGS:,} shared strings (the official "
                        f"tables hold a few hundred), got a count of {declared:,}",
                    )
                extents = {
                    name: _xlsx_extent(archive, member)
                    for name, member in _xlsx_sheets(archive, names).items()
                }
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, ParseError):
        return  # not a zip (.xls) or damaged: the reader says what is wrong
    for name, (rows, columns) in extents.items():
        if rows > MAX_TABLE_ROWS:
            raise _too_many_rows(path, f"sheet {name}", rows)
        if columns > MAX_TABLE_COLUMNS:
            raise InputError(
                path,
                f"sheet {name}",
                f"expected a table of at most {MAX_TABLE_COLUMNS} columns (the official tables "
                f"use 5 to 7), got a cell with a value in column {columns:,}: clear it",
            )


def _ods_extents(xml: Any) -> dict[str, tuple[int, int]]:
    """(last row, last column) with a value of each of TABLES in an ODS content.xml."""
    from xml.etree.ElementTree import iterparse

    extents: dict[str, tuple[int, int]] = {}
    table: str | None = None
    row = column = last_row = last_column = repeated_rows = 0
    filled = False
    cells = (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell")
    for event, element in iterparse(xml, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_ODS_TABLE}table":
                name = element.get(f"{_ODS_TABLE}name")
                table = name if name in TABLES else None
                row = last_row = last_column = 0
            elif tag == f"{_ODS_TABLE}table-row" and table is not None:
                column, filled = 0, False
                repeated_rows = int(element.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
            continue
        if table is not None and tag in cells:
            across = int(element.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
            if element.get(f"{_ODS_OFFICE}value-type") is not None or len(element):
                last_column, filled = max(last_column, column + across), True
            column += across
        elif table is not None and tag == f"{_ODS_TABLE}table-row":
            if filled:
                last_row = row + repeated_rows
            row += repeated_rows
        elif tag == f"{_ODS_TABLE}table" and table is not None:
            extents[table], table = (last_row, last_column), None
        if tag in cells or tag == f"{_ODS_TABLE}table-row":
            element.clear()
    return extents


def _xlsx_sheets(archive: Any, names: set[str]) -> dict[str, str]:
    """The zip member of each of TABLES in an XLSX (from the workbook and its relations)."""
    from xml.etree.ElementTree import fromstring

    workbook = fromstring(archive.read("xl/workbook.xml"))
    relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    links = relations.iter(f"{_XLSX_RELS}Relationship")
    targets = {r.get("Id"): str(r.get("Target")) for r in links}
    found = {}
    for sheet in workbook.iter(f"{_XLSX_MAIN}sheet"):
        name, target = sheet.get("name"), targets.get(sheet.get(f"{_XLSX_DOC_RELS}id"))
        if name in TABLES and target:
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if member in names:
                found[str(name)] = member
    return found


def _xlsx_shared_strings(archive: Any, names: set[str]) -> int:
    """The largest count an XLSX's shared strings part declares (``count``,
    ``uniqueCount``), read from its first element only; 0 without the part."""
    from xml.etree.ElementTree import iterparse

    if "xl/sharedStrings.xml" not in names:
        return 0
    with archive.open("xl/sharedStrings.xml") as xml:
        for _, element in iterparse(xml, events=("start",)):
            counts = [element.get(key, "0") for key in ("count", "uniqueCount")]
            return max(int(c) if c.isdigit() else 0 for c in counts)
    return 0


def _xlsx_extent(archive: Any, member: str) -> tuple[int, int]:
    """(last row, last column) with a value of an XLSX sheet (a cell or row without ``r``
    follows the one before)."""
    from xml.etree.ElementTree import iterparse

    last_row = last_column = row = column = 0
    with archive.open(member) as xml:
        for event, element in iterparse(xml, events=("start", "end")):
            if event == "start":
                if element.tag == f"{_XLSX_MAIN}row":
                    given = element.get("r")
                    row, column = (int(given) if given and given.isdigit() else row + 1), 0
                continue
            if element.tag == f"{_XLSX_MAIN}c":
                # the reader places a cell by its own reference (ZZZZZ2, xfd2, B30000000
                # inside <row r="2">), whatever its row says: so must the extent
                reference = element.get("r")
                where = _XLSX_CELL.match(reference or "")
                if reference and not where:
                    raise ValueError(f"cell reference {reference!r}")
                column = _column_number(where[1].upper()) if where else column + 1
                cell_row = int(where[2]) if where else row
                if len(element):  # a value (v), an inline string (is) or a formula (f)
                    last_row, last_column = max(last_row, cell_row), max(last_column, column)
                element.clear()
            elif element.tag == f"{_XLSX_MAIN}row":
                element.clear()
    return last_row, last_column


_XLSX_CELL = re.compile(r"^([A-Za-z]+)(\d+)$")


def _column_number(letters: str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _csv_pair(path: Path) -> dict[str, Path]:
    """The SB_01 and SB_02 files of a CSV publication given one of them or their directory."""
    convention = (
        f"a CSV publication is a pair <stem>_{DAILY_SHEET}.csv and <stem>_{WEEKLY_SHEET}.csv"
    )
    if path.is_dir():
        firsts = sorted(p for p in path.iterdir() if p.name.upper().endswith(f"{DAILY_SHEET}.CSV"))
        if len(firsts) != 1:
            kinds = SPREADSHEET_SUFFIXES
            books = sorted(p.name for p in path.iterdir() if p.suffix.lower() in kinds)
            if not firsts and books:  # a folder of downloaded editions
                raise InputError(
                    path,
                    None,
                    f"expected a workbook or a folder holding one CSV pair, got a folder of "
                    f"{len(books)} workbook{'s' if len(books) > 1 else ''} ({books[0]}, ...): "
                    f"give the files, e.g. {path / ('*' + Path(books[0]).suffix)}",
                )
            raise InputError(path, None, f"expected exactly one *_{DAILY_SHEET}.csv; {convention}")
        prefix, directory = firsts[0].name[: -len(f"{DAILY_SHEET}.csv")], path
    else:
        upper = path.name.upper()
        table = next((t for t in TABLES if upper.endswith(f"{t}.CSV")), None)
        if table is None:
            raise InputError(path, None, convention)
        prefix, directory = path.name[: -len(f"{table}.csv")], path.parent
    pair = {name: directory / f"{prefix}{name}.csv" for name in TABLES}
    for file in pair.values():
        _check_file(file)
    return pair


def _read_csv_rows(path: Path, table: str) -> list[list[Any]]:
    """The rows of a CSV table; refused as soon as it passes MAX_TABLE_ROWS rows."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows: list[list[Any]] = list(itertools.islice(csv.reader(handle), MAX_TABLE_ROWS))
            extra = sum(1 for _ in handle)
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError(path, None, f"cannot read as UTF-8 CSV ({error})") from None
    except OSError as error:
        raise InputError(path, None, f"cannot read ({error.strerror or error})") from None
    if extra:
        raise _too_many_rows(path, f"table {table}", MAX_TABLE_ROWS + extra)
    return rows


def _normalise_heading(value: Any) -> str:
    text = str(value).lower().replace("–", "-").replace("—", "-")
    text = re.sub(r"\[[^\]]*\]", " ", text)
    return " ".join(text.split())


def _is_blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _find_header(
    source: Path, where: str, rows: list[list[Any]], columns: tuple[Column, ...]
) -> tuple[int, dict[str, int]]:
    """Index of the header row and the position of each column in it (the optional Notes
    column, when absent, points past the end of the row and reads as empty)."""
    first = _normalise_heading(columns[0].heading)
    for index, cells in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        headings = [_normalise_heading(c) for c in cells]
        if first not in headings:
            continue
        positions: dict[str, int] = {}
        for column in columns:
            wanted = _normalise_heading(column.heading)
            if wanted not in headings and column.kind == "text":
                positions[column.name] = len(cells) + len(columns)
                continue
            if wanted not in headings:
                expected = ", ".join(f"'{c.heading}'" for c in columns if c.kind != "text")
                raise InputError(
                    source,
                    f"{where}, row {index + 1}",
                    f"column '{column.heading}' not found in the header row; expected {expected}",
                )
            positions[column.name] = headings.index(wanted)
        return index, positions
    raise InputError(
        source,
        where,
        f"no header row with a '{columns[0].heading}' column in the first "
        f"{_HEADER_SEARCH_ROWS} rows",
    )


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise _CellError("a date without a time of day")
        return _parse_date(value.date())
    if isinstance(value, dt.date):
        if not FIRST_DATE <= value <= LAST_DATE:
            raise _CellError(f"a date from {FIRST_DATE} to {LAST_DATE}")
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
            try:
                parsed = dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            return _parse_date(parsed)
    raise _CellError("a date (YYYY-MM-DD or DD/MM/YYYY)")


def _cell(cells: Sequence[Any], position: int) -> Any:
    return cells[position] if position < len(cells) else None


def _is_date(value: Any) -> bool:
    try:
        _parse_date(value)
    except _CellError:
        return False
    return True


def _parse_count(value: Any, optional: bool) -> int | None:
    expected = f"a non-negative whole number up to {MAX_COUNT:,}" + (
        " or '-' (not recorded)" if optional else ""
    )
    if isinstance(value, str):
        text = value.strip()
        if text in _MISSING_MARKS and optional:
            return None
        if not re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", text):
            raise _CellError(expected)
        value = int(text.replace(",", ""))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _CellError(expected)
    if not math.isfinite(value) or value < 0 or value != int(value) or value > MAX_COUNT:
        raise _CellError(expected)
    return int(value)


def _shown(cell: Any) -> str:
    """A cell as the error message quotes it: dates in ISO form, whole numbers without a
    decimal point, text in quotes."""
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and math.isfinite(cell) and cell.is_integer():
        return str(int(cell))
    return repr(cell)


def _parse_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    text = str(value).strip()
    return text or None


def _parse_table(
    source: Path, where: str, rows: list[list[Any]], columns: tuple[Column, ...]
) -> tuple[pd.DataFrame, list[int]]:
    """Parse and check one table: a frame with channelsim's column names, and the
    spreadsheet row number of each of its rows."""
    header, positions = _find_header(source, where, rows, columns)
    values: dict[str, list[Any]] = {c.name: [] for c in columns}
    row_numbers: list[int] = []
    blank_row: int | None = None
    for index in range(header + 1, len(rows)):
        cells = rows[index]
        if _is_blank(cells):
            blank_row = blank_row or index + 1
            continue
        if blank_row is not None:  # below the table: notes are fine, more data is not
            if _is_date(_cell(cells, positions[columns[0].name])):
                raise InputError(
                    source, f"{where}, row {index + 1}", f"no data after the blank row {blank_row}"
                )
            continue
        row_numbers.append(index + 1)
        for column in columns:
            cell = _cell(cells, positions[column.name])
            try:
                if column.kind == "date":
                    parsed: Any = _parse_date(cell)
                elif column.kind == "text":
                    parsed = _parse_text(cell)
                else:
                    parsed = _parse_count(cell, optional=column.kind == "optional_count")
            except _CellError as error:
                raise InputError(
                    source,
                    f"{where}, row {index + 1}, column '{column.heading}'",
                    f"expected {error}, found {_shown(cell)}",
                ) from None
            values[column.name].append(parsed)
    if not row_numbers:
        raise InputError(source, f"{where}, row {header + 1}", "no data rows below the header")
    _check_rows(source, where, columns, values, row_numbers)
    frame = pd.DataFrame(
        {
            c.name: (
                pd.to_datetime(values[c.name]).astype(_DTYPES[c.kind])
                if c.kind == "date"
                else pd.array(values[c.name], dtype=_DTYPES[c.kind])
            )
            for c in columns
        }
    )
    return frame, row_numbers


def _check_rows(
    source: Path,
    where: str,
    columns: tuple[Column, ...],
    values: dict[str, list[Any]],
    row_numbers: list[int],
) -> None:
    """Dates in sequence (daily: consecutive; weekly: Sundays 7 days apart), boats ≤ people."""
    date_column = columns[0]
    dates: list[dt.date] = values[date_column.name]
    weekly = date_column.name == "week_ending"
    step = dt.timedelta(days=7 if weekly else 1)
    after = "7 days after" if weekly else "the day after"
    heading = {c.name: c.heading for c in columns}

    def fail(i: int, name: str, expected: str) -> InputError:
        location = f"{where}, row {row_numbers[i]}, column '{heading[name]}'"
        return InputError(source, location, expected)

    for i, day in enumerate(dates):
        if weekly and day.weekday() != 6:
            raise fail(
                i,
                date_column.name,
                f"expected a Sunday (weeks end on Sunday), found {day:%a %Y-%m-%d}",
            )
        if i and day != dates[i - 1] + step:
            raise fail(
                i,
                date_column.name,
                f"expected {dates[i - 1] + step} ({after} the row above), found {day}",
            )
        people, boats = values["people"][i], values["boats"][i]
        uncontrolled = values["uncontrolled_boats"][i]
        if boats > people:
            raise fail(i, "boats", f"expected no more boats than people ({people}), found {boats}")
        if uncontrolled is not None and uncontrolled > boats:
            expected = f"expected no more than the boats arrived ({boats}), found {uncontrolled}"
            raise fail(i, "uncontrolled_boats", expected)


def _weeks_against_days(
    source: Path, where: str, daily: pd.DataFrame, weekly: pd.DataFrame, row_numbers: list[int]
) -> list[DataWarning]:
    """Each weekly arrival figure that is not the sum of the daily ones, wherever the daily
    table has all seven days of the week recorded; in row order, then column order."""
    days = daily.set_index("date")
    headings = {c.name: c.heading for c in TABLES[WEEKLY_SHEET]}
    found: list[tuple[int, int, DataWarning]] = []
    for order, name in enumerate(("people", "boats", "uncontrolled_boats")):
        by_week = days[name].resample("W-SUN")
        sums = by_week.sum().where(by_week.count() == 7)
        expected = weekly["week_ending"].map(sums).astype("Int64")
        published = weekly[name]
        mismatch = (expected.notna() & published.notna() & (expected != published)).fillna(False)
        for i in mismatch.to_numpy().nonzero()[0]:
            message = (
                f"expected {expected.iloc[i]}, the sum of {DAILY_SHEET} over the week, "
                f"found {published.iloc[i]}"
            )
            warning = DataWarning(str(source), where, row_numbers[i], headings[name], message)
            found.append((int(i), order, warning))
    return [warning for _, _, warning in sorted(found, key=lambda item: item[:2])]
