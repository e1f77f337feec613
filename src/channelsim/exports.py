"""Exports people open: every table of an output folder as CSV beside its Parquet file, and
one Excel workbook (``tables.xlsx``) with a sheet per table and a README sheet of the columns
(name, heading, unit, description) and the sources.

Headings are for a reader opening the file in a spreadsheet: each column's label and unit
from the one place they are declared (:func:`channelsim.fields.describe`: the run's results
registry, then the keys and statistics of :data:`channelsim.fields.COLUMNS`), e.g. ``People
arrived in the UK``, ``Extra cost of policies (£)``. A table whose rows each give a figure
(``figure``: a comparison, an ensemble's totals) gets that figure's label and unit in two
more columns. The Parquet files beside them keep the column names (``arrived_people``,
``cost_gbp``): the stable, machine-friendly copy for code, which the README sheet maps to the
headings. A table too large for a sheet (more than :data:`MAX_SHEET_CELLS` cells, or Excel's
row limit) is left to its CSV and the README says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from channelsim import __version__
from channelsim.fields import COLUMNS, Field
from channelsim.fields import describe as describe_field
from channelsim.interrupts import signals_deferred

WORKBOOK = "tables.xlsx"
MAX_SHEET_ROWS = 1_048_575  # Excel's limit, less the header row
MAX_SHEET_CELLS = 1_000_000  # beyond this a sheet takes a minute to write: CSV only
ROWS_PER_STEP = 2000
"""Rows appended to a sheet with Ctrl-C held back (a fraction of a second's work)."""
#: Columns added beside a row's figure: its label and unit.
FIGURE_COLUMNS = ("figure", "metric", "measure", "output")

Describe = Callable[[str], Field]
"""``describe(column)``: the field of a column (a run's ``ResultSet.describe``)."""


def for_reading(table: pd.DataFrame, describe: Describe = describe_field) -> pd.DataFrame:
    """``table`` with the label and unit of each row's figure beside its ``figure`` column
    (if it has one), and a model input's label beside its ``parameter`` key, so a long table
    reads without the README."""
    if "parameter" in table.columns and "parameter_label" not in table.columns:
        from channelsim.experiments.uncertainty import input_label

        table = table.copy()
        at = list(table.columns).index("parameter") + 1
        table.insert(at, "parameter_label", table["parameter"].astype(str).map(input_label))
    key = next((k for k in FIGURE_COLUMNS if k in table.columns), None)
    if key is None or "label" in table.columns:
        return table
    names = table[key].astype(str)
    fields = {name: describe(name) for name in names.unique()}
    at = list(table.columns).index(key) + 1
    table = table.copy()
    table.insert(at, "label", names.map(lambda n: fields[n].label))
    if "unit" not in table.columns:
        table.insert(at + 1, "unit", names.map(lambda n: fields[n].unit))
    return table


def whole_counts(table: pd.DataFrame, describe: Describe = describe_field) -> pd.DataFrame:
    """``table`` with the statistics (median, low, high…) of each row whose figure is a count
    quoted as whole numbers (:func:`channelsim.formatting.whole_number`, as every table and
    CSV channelsim writes for reading quotes them); the Parquet beside it keeps them exact."""
    from channelsim.formatting import whole_number

    key = next((k for k in FIGURE_COLUMNS if k in table.columns), None)
    if key is None:
        return table
    counts = table[key].astype(str).map(lambda n: describe(n).count).astype(bool)
    # declared statistics only: a column nothing declares (a share, a noise level) is no
    # statistic of the row's figure, though it reads like one elsewhere
    stats = [c for c in table.columns if str(c) in COLUMNS and describe(str(c)).kind == "stat"]
    if not counts.any() or not stats:
        return table
    table = table.astype({c: object for c in stats})
    for column in stats:
        table.loc[counts, column] = [
            whole_number(v) if isinstance(v, int | float) and np.isfinite(v) else v
            for v in table.loc[counts, column]
        ]
    return table


def headings(table: pd.DataFrame, describe: Describe = describe_field) -> dict[str, Field]:
    """Each column's field, its heading unique within the table."""
    fields = {str(c): describe(str(c)) for c in table.columns}
    seen: dict[str, int] = {}
    for field in fields.values():
        seen[field.heading] = seen.get(field.heading, 0) + 1
    return {
        name: field if seen[field.heading] == 1 else Field(
            name, f"{field.label} [{name}]", field.unit, field.description, field.kind
        )
        for name, field in fields.items()
    }  # fmt: skip


def export_folder(
    folder: Path,
    describe: Describe | None = None,
    sources: Iterable[str] = (),
) -> list[Path]:
    """Write ``NAME.csv`` beside every ``NAME.parquet`` of ``folder`` and the workbook
    :data:`WORKBOOK`; return the files written (CSV files first). ``describe`` gives the
    columns' labels and units (default :func:`channelsim.fields.describe`); ``sources`` are
    credit lines for the README sheet (e.g. the Home Office's, when observed data are in a
    table)."""
    describe = describe or describe_field
    tables = {
        path.stem: whole_counts(for_reading(pd.read_parquet(path), describe), describe)
        for path in sorted(folder.glob("*.parquet"))
    }
    if not tables:
        return []
    written = []
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        labelled = table.rename(
            columns={c: f.heading for c, f in headings(table, describe).items()}
        )
        labelled.to_csv(path, index=False, date_format="%Y-%m-%d")
        written.append(path)
    written.append(write_workbook(folder / WORKBOOK, tables, describe, [*sources, _about(folder)]))
    return written


def _about(folder: Path) -> str:
    """The credit of simulated tables, with the scenario and seed when the folder says."""
    line = f"Simulated by channelsim {__version__}: model outputs, not observations."
    for name in ("summary.json", "meta.json"):
        try:
            payload = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(payload, dict) and payload.get("scenario"):
            seed = payload.get("seed")
            return f"{line} Scenario {payload['scenario']}" + (
                f", seed {seed}." if seed is not None else "."
            )
    return line


def _fits(table: pd.DataFrame) -> bool:
    return len(table) <= MAX_SHEET_ROWS and table.size <= MAX_SHEET_CELLS


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of ``[]:*?/\\``, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "table"
    candidate, k = base, 2
    while candidate.lower() in taken:
        candidate = f"{base[: 31 - len(str(k)) - 1]}~{k}"
        k += 1
    taken.add(candidate.lower())
    return candidate


def _number_format(series: pd.Series, column: Field) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if column.money:
        return '"£"#,##0'
    if column.kind == "share":
        return "0.0%"
    if column.kind == "id":
        return "0"
    if pd.api.types.is_integer_dtype(series) or column.count:
        return "#,##0"
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() >= 100:
            return "#,##0"
        return "#,##0.00###"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "yyyy-mm-dd"
    return None


def _cell(value: Any) -> Any:
    """A value openpyxl writes: plain Python scalars, NaN and NA as empty cells."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def write_workbook(
    path: Path,
    tables: dict[str, pd.DataFrame],
    describe: Describe = describe_field,
    sources: Iterable[str] = (),
) -> Path:
    """One sheet per table (headings: label and unit; number formats: integers, £, dates),
    preceded by a README sheet of every sheet's columns and the sources."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    readme_rows, sheets = _contents(tables, describe, sources)
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    try:
        readme = book.create_sheet("README")
        headers = (i == 0 or row[:1] == ["sheet"] for i, row in enumerate(readme_rows))
        _append(readme, map(partial(_cells, readme, font=bold), readme_rows, headers))
        for sheet_name, table, columns in sheets:
            _write_sheet(book.create_sheet(sheet_name), table, columns, bold)
        _close_sheets(book)
        book.save(path)
    finally:
        _close_sheets(book, quietly=True)
    return path


def _contents(
    tables: dict[str, pd.DataFrame], describe: Describe, sources: Iterable[str]
) -> tuple[list[list[Any]], list[tuple[str, pd.DataFrame, dict[str, Field]]]]:
    """The README sheet's rows, and each sheet's name, table and columns."""
    rows: list[list[Any]] = [
        ["channelsim outputs"],
        [f"Written by channelsim {__version__} on {dt.date.today().isoformat()}."],
        *([line] for line in sources),
        [],
        [
            "sheet",
            "column (as in the Parquet file)",
            "heading (as in the CSV)",
            "unit",
            "description",
        ],
    ]
    taken = {"readme"}
    sheets = []
    for name, table in tables.items():
        columns = headings(table, describe)
        if not _fits(table):
            rows.append(
                [f"{name}.csv only", "", "", "", f"{len(table):,} rows: too large for a sheet"]
            )
            continue
        sheet = _sheet_name(name, taken)
        sheets.append((sheet, table, columns))
        rows += [[sheet, c, col.heading, col.unit, col.description] for c, col in columns.items()]
    return rows, sheets


def _cells(sheet: Any, values: list[Any], bold: bool, font: Any) -> list[Any]:
    """A row of cells, in ``font`` if ``bold``."""
    from openpyxl.cell import WriteOnlyCell

    cells = [WriteOnlyCell(sheet, value=value) for value in values]
    for cell in cells if bold else ():
        cell.font = font
    return cells


def _append(sheet: Any, rows: Iterable[list[Any]]) -> None:
    """Append ``rows`` to a write-only sheet, :data:`ROWS_PER_STEP` at a time with Ctrl-C and
    SIGTERM held back: openpyxl writes them from generators, and an interruption landing
    inside one leaves them in a state that fails (a traceback printed at exit) when they are
    closed; between steps they are whole, and :func:`_close_sheets` closes them cleanly.

    Each row is made just before it is appended and written at once (openpyxl's write-only
    sheets serialise a row when it is appended), so a row may reuse the cells of the last.
    """
    remaining = iter(rows)
    more = True
    while more:
        with signals_deferred():
            more = False
            for k, row in enumerate(itertools.islice(remaining, ROWS_PER_STEP), 1):
                sheet.append(row)
                more = k == ROWS_PER_STEP


def _close_sheets(book: Any, *, quietly: bool = False) -> None:
    """Finish every open sheet of a write-only workbook (their XML is written by generators
    that must be closed in order, here rather than by the garbage collector at exit);
    ``quietly`` after a failure, when only the clean-up matters."""
    for sheet in book.worksheets:
        if sheet.closed:
            continue
        with signals_deferred(), contextlib.ExitStack() as errors:
            if quietly:
                errors.enter_context(contextlib.suppress(Exception))
            sheet.close()


def _write_sheet(sheet: Any, table: pd.DataFrame, columns: dict[str, Field], bold: Any) -> None:

    sheet.freeze_panes = "A2"
    titles = [columns[str(c)].heading for c in table.columns]
    for k, heading in enumerate(titles):
        letter = _column_letter(k)
        sheet.column_dimensions[letter].width = min(max(10, len(heading) + 2), 40)
    header = _cells(sheet, titles, True, bold)
    formats = [_number_format(table[c], columns[str(c)]) for c in table.columns]
    plain = [_plain(table[c]) for c in table.columns]
    rows = map(_row_maker(sheet, formats), zip(*plain, strict=True))
    _append(sheet, itertools.chain([header], rows))


def _row_maker(sheet: Any, formats: list[str | None]) -> Callable[[tuple[Any, ...]], list[Any]]:
    """A function making a row's cells from its values: a plain value where the column's
    format is General, else the column's one cell with that number format, its value
    replaced (one styled cell per column, not per value: a row is written as soon as it is
    appended, see :func:`_append`)."""
    from openpyxl.cell import WriteOnlyCell

    styled = [None if f is None else WriteOnlyCell(sheet) for f in formats]
    for cell, number_format in zip(styled, formats, strict=True):
        if cell is not None:
            cell.number_format = number_format

    def row(values: tuple[Any, ...]) -> list[Any]:
        cells = []
        for value, cell in zip(values, styled, strict=True):
            if cell is None:
                cells.append(_cell(value))
            else:
                cell.value = _cell(value)
                cells.append(cell)
        return cells

    return row


def _plain(series: pd.Series) -> list[Any]:
    """The column's values as Python objects (categories as their text)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_datetime64_any_dtype(series):
        return [v.to_pydatetime() if not pd.isna(v) else None for v in series]
    return series.tolist()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
