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

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from channelsim import __version__
from channelsim.fields import Field
from channelsim.fields import describe as describe_field

WORKBOOK = "tables.xlsx"
MAX_SHEET_ROWS = 1_048_575  # Excel's limit, less the header row
MAX_SHEET_CELLS = 1_000_000  # beyond this a sheet takes a minute to write: CSV only
#: Columns added beside a row's figure: its label and unit.
FIGURE_COLUMNS = ("figure", "metric", "measure")

Describe = Callable[[str], Field]
"""``describe(column)``: the field of a column (a run's ``ResultSet.describe``)."""


def for_reading(table: pd.DataFrame, describe: Describe = describe_field) -> pd.DataFrame:
    """``table`` with the label and unit of each row's figure beside its ``figure`` column
    (if it has one), so a long table reads without the README."""
    key = next((k for k in FIGURE_COLUMNS if k in table.columns), None)
    if key is None or "label" in table.columns:
        return table
    names = table[key].astype(str)
    fields = {name: describe(name) for name in names.unique()}
    at = list(table.columns).index(key) + 1
    table = table.copy()
    table.insert(at, "label", names.map(lambda n: fields[n].label))
    table.insert(at + 1, "unit", names.map(lambda n: fields[n].unit))
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
        path.stem: for_reading(pd.read_parquet(path), describe)
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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    readme = book.create_sheet("README")
    bold = Font(bold=True)
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
    for i, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(readme, value=value)
            if i == 0 or (row and row[0] == "sheet"):
                cell.font = bold
            cells.append(cell)
        readme.append(cells)
    for sheet_name, table, columns in sheets:
        _write_sheet(book.create_sheet(sheet_name), table, columns, bold)
    book.save(path)
    return path


def _write_sheet(sheet: Any, table: pd.DataFrame, columns: dict[str, Field], bold: Any) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet.freeze_panes = "A2"
    titles = [columns[str(c)].heading for c in table.columns]
    for k, heading in enumerate(titles):
        letter = _column_letter(k)
        sheet.column_dimensions[letter].width = min(max(10, len(heading) + 2), 40)
    header = []
    for heading in titles:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [_number_format(table[c], columns[str(c)]) for c in table.columns]
    plain = [_plain(table[c]) for c in table.columns]
    for values in zip(*plain, strict=True):
        row = []
        for value, number_format in zip(values, formats, strict=True):
            if number_format is None:
                row.append(_cell(value))
            else:
                cell = WriteOnlyCell(sheet, value=_cell(value))
                cell.number_format = number_format
                row.append(cell)
        sheet.append(row)


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
