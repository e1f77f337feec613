"""Exports people open: every table of an output folder as CSV beside its Parquet file, and
one Excel workbook (``tables.xlsx``) with a sheet per table and a README sheet of the columns
(label, unit, description) and the sources.

CSV files keep the tables' column names (which carry their units, e.g. ``cost_gbp``) so that
code reading them is stable; the workbook's sheets head each column with its label and unit
for a reader, and its README maps each label to the column name. A table too large for a
sheet (more than :data:`MAX_SHEET_CELLS` cells, or Excel's row limit) is left to its CSV and
the README says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from channelsim import __version__

WORKBOOK = "tables.xlsx"
MAX_SHEET_ROWS = 1_048_575  # Excel's limit, less the header row
MAX_SHEET_CELLS = 1_000_000  # beyond this a sheet takes a minute to write: CSV only


@dataclass(frozen=True)
class Column:
    """What a column holds: a human label, a unit ("" for none) and a description."""

    label: str
    unit: str = ""
    description: str = ""

    @property
    def heading(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


#: Units read from a column name's last word, when nothing better describes it: words that
#: are only a unit are dropped from the label; counted nouns stay in it.
_UNIT_WORDS = {"gbp": "£", "km": "km", "h": "hours", "kn": "knots", "m": "metres", "pct": "%"}
_COUNTED = {"people": "people", "boats": "boats", "days": "days"}


def column_from_name(name: str) -> Column:
    """A column described from its name alone: words from the snake-case name, the unit
    from its last word (``cost_gbp`` → "cost" in £, ``arrived_people`` → "arrived people"
    in people)."""
    *words, last = name.split("_")
    if words and last in _UNIT_WORDS:
        return Column(" ".join(words), _UNIT_WORDS[last])
    return Column(" ".join([*words, last]), _COUNTED.get(last, ""))


Describe = Callable[[str, str], Column]
"""``describe(table, column)``: the description of a table's column."""


def default_describe(table: str, column: str) -> Column:
    return column_from_name(column)


def export_folder(
    folder: Path,
    describe: Describe = default_describe,
    sources: Iterable[str] = (),
) -> list[Path]:
    """Write ``NAME.csv`` beside every ``NAME.parquet`` of ``folder`` and the workbook
    :data:`WORKBOOK`; return the files written (CSV files first). ``sources`` are credit lines
    for the README sheet (e.g. the Home Office's, when observed data are in a table)."""
    tables = {path.stem: pd.read_parquet(path) for path in sorted(folder.glob("*.parquet"))}
    if not tables:
        return []
    written = []
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        table.to_csv(path, index=False, date_format="%Y-%m-%d")
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


def _number_format(series: pd.Series, column: Column) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if column.unit == "£":
        return '"£"#,##0'
    if pd.api.types.is_integer_dtype(series):
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
    describe: Describe = default_describe,
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
        ["sheet", "column (as in the CSV)", "heading", "unit", "description"],
    ]
    taken = {"readme"}
    sheets = []
    for name, table in tables.items():
        columns = {c: describe(name, str(c)) for c in table.columns}
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


def _write_sheet(sheet: Any, table: pd.DataFrame, columns: dict[Any, Column], bold: Any) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet.freeze_panes = "A2"
    headings = [columns[c].heading for c in table.columns]
    for k, heading in enumerate(headings):
        letter = _column_letter(k)
        sheet.column_dimensions[letter].width = min(max(10, len(heading) + 2), 40)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [_number_format(table[c], columns[c]) for c in table.columns]
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
