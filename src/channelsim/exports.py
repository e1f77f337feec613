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
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from channelsim import __version__
from channelsim.fields import COLUMNS, DIFFERENCES, Field, FieldTable, cost_item_label, words
from channelsim.fields import describe as describe_field
from channelsim.formatting import inert
from channelsim.interrupts import signals_deferred

WORKBOOK = "tables.xlsx"
#: The encoding of the CSV files of an output folder: UTF-8 with a byte-order mark. Those
#: files are the ones a reader double-clicks (code reads the Parquet beside them), and Excel
#: opens a CSV without the mark as Windows-1252: "Sea temperature (Â°C)", "(Â£)", "â€“". pandas,
#: DuckDB, LibreOffice, Numbers and Google Sheets read the mark as what it is; Python's
#: ``csv`` module needs ``encoding="utf-8-sig"``. CSV written to standard output
#: (``--format csv``) has no mark: it is piped into other programs, and a mark in the
#: middle of joined files would be a stray character (README: "CSV files and Excel").
FILE_ENCODING = "utf-8-sig"
MAX_SHEET_ROWS = 1_048_575  # Excel's limit, less the header row
MAX_SHEET_CELLS = 1_000_000  # beyond this a sheet takes a minute to write: CSV only
ROWS_PER_STEP = 2000
"""Rows appended to a sheet with Ctrl-C held back (a fraction of a second's work)."""
#: Columns added beside a row's figure: its label and unit.
FIGURE_COLUMNS = ("figure", "metric", "measure", "output")

Describe = Callable[[str], Field]
"""``describe(column)``: the field of a column (a run's ``ResultSet.describe``)."""


#: Model inputs named by their code name in a column (``parameter``: a sensitivity's,
#: ``input``: "what decides"), and the column their label is put in, before it.
INPUT_COLUMNS = {"parameter": "parameter_label", "input": "input_label"}


@dataclass(frozen=True)
class TableColumns:
    """What a table's columns mean where that is the table's own: ``fields`` declared for it
    alone (``kind`` is a run's kind in the runs list, an input's kind in "what decides"), and
    ``in_figure_unit``, the columns whose values are in the unit of the figure their row
    names (so that unit goes beside the figure; a table of shares has none)."""

    fields: FieldTable
    in_figure_unit: tuple[str, ...] = ()


_INPUT_KIND = Field(
    "kind",
    "Kind of input",
    "",
    "calibrated (a parameter drawn from the calibration posterior), assumption (a policy's, "
    "drawn over its stated range) or chance (weather, chance and interactions: the rest).",
    "text",
)
_SHARES = [
    _INPUT_KIND,
    Field("share", "Share of the variance", "fraction", "First-order share (RBD-FAST) of the "
          "variance of the row's figure due to the input, 0 to 1.", "share"),
    Field("share_conf", "Share's 95% half-width", "fraction", "Bootstrap 95% half-width of "
          "the share.", "share"),
    Field("share_low", "Share, lower bound", "fraction", "Share less its half-width.", "share"),
    Field("noise_level", "Noise level", "fraction", "The largest share an input that does "
          "nothing gets from noise in this sample.", "share"),
    Field("above_noise", "Told from noise", "", "Whether the share's lower bound exceeds the "
          "noise level.", "bool"),
    Field("runs", "Runs", "", "Runs the shares were measured on.", "int"),
    Field("runs_needed", "Runs needed", "", "Runs needed to tell a share from noise.", "int"),
]  # fmt: skip
_IN_OUTPUT_UNIT = "in the output's unit (the Output unit column)"
_INDICES = [
    *_SHARES,
    # the parameter's own columns, as the report names them apart (fields.py)
    *(
        replace(describe_field(named), name=column)
        for column, named in (
            ("unit", "parameter_unit"), ("low", "range_low"), ("high", "range_high")
        )
    ),
    Field("mu_star", "mu*", "", "Mean absolute change of the output over the parameter's "
          f"range, {_IN_OUTPUT_UNIT}.", "float"),
    Field("mu_star_conf", "mu* 95% half-width", "", "Bootstrap half-width of mu*, "
          f"{_IN_OUTPUT_UNIT}.", "float"),
    Field("sigma", "sigma", "", f"Spread of the elementary effects, {_IN_OUTPUT_UNIT}.",
          "float"),
    Field("mu", "mu", "", f"Mean signed elementary effect, {_IN_OUTPUT_UNIT}.", "float"),
]  # fmt: skip
#: Tables whose columns mean something of their own, by name (the Parquet file's stem).
TABLES = {
    "what_decides": TableColumns(FieldTable(_SHARES)),
    "indices": TableColumns(FieldTable(_INDICES), ("mu_star", "mu_star_conf", "sigma", "mu")),
    # a comparison's median, low, high and mean are differences from the base, not totals
    "comparison": TableColumns(DIFFERENCES),
    "comparison_by_year": TableColumns(DIFFERENCES),  # compare --by year --out
}


def table_describe(name: str, describe: Describe = describe_field) -> Describe:
    """``describe`` for the columns of table ``name``: its own columns (:data:`TABLES`) first,
    and a model input's column (a sample's) by the input's label."""
    own = TABLES.get(name)

    def described(column: str) -> Field:
        found = None if own is None else own.fields.field(column)
        if found is not None:
            return found
        field = describe(column)
        if field.label == words(column) and "." in column:
            from channelsim.experiments.uncertainty import input_label

            label = input_label(column)
            if label != column:
                return Field(column, f"{label} [{column}]", "", f"Model input {column}.", "float")
        return field

    return described


def for_reading(
    table: pd.DataFrame, describe: Describe = describe_field, name: str = ""
) -> pd.DataFrame:
    """``table`` with a model input's label before its code name (``parameter``, ``input``),
    and beside each row's figure (its ``figure`` column, if it has one) the figure's label
    and, when the row's values are in it (a declared statistic, :data:`TABLES`), its unit, so
    that a long table reads without the README."""
    table = table.copy()
    if "item" in table.columns and "item_label" not in table.columns:  # a cost's item
        at = list(table.columns).index("item")
        table.insert(at, "item_label", table["item"].astype(str).map(cost_item_label))
    for code, label_column in INPUT_COLUMNS.items():
        if code in table.columns and label_column not in table.columns:
            from channelsim.experiments.uncertainty import input_label

            at = list(table.columns).index(code)
            table.insert(at, label_column, table[code].astype(str).map(input_label))
    key = next((k for k in FIGURE_COLUMNS if k in table.columns), None)
    if key is None or "label" in table.columns:
        return table
    names = table[key].astype(str)
    fields = {n: describe(n) for n in names.unique()}
    at = list(table.columns).index(key) + 1
    table.insert(at, "label", names.map(lambda n: fields[n].label))
    own = TABLES.get(name)
    stats = [c for c in table.columns if str(c) in COLUMNS and describe(str(c)).kind == "stat"]
    if stats or (own is not None and set(own.in_figure_unit) & set(table.columns)):
        unit = "unit" if "unit" not in table.columns else f"{key}_unit"
        table.insert(at + 1, unit, names.map(lambda n: fields[n].unit))
    return table


def quoted_table(table: pd.DataFrame, describe: Describe = describe_field) -> pd.DataFrame:
    """``table``'s numbers as every CSV and workbook channelsim writes quote them
    (:func:`channelsim.formatting.quoted_values`): counts and money whole (halves away from
    zero: a median of 3801.5 people is 3802, of £4,141.70 is £4,142), other measures to six
    significant figures, each column as its field says; a declared statistic (median, low,
    high…) as the figure its row names (a count's median is whole, a share's is not). The
    Parquet beside it keeps the exact values."""
    from channelsim.formatting import quoted_values

    key = next((k for k in FIGURE_COLUMNS if k in table.columns), None)
    figures = None if key is None else table[key].astype(str)
    quoted = {}
    for column in table.columns:
        series = table[column]
        if pd.api.types.is_bool_dtype(series) and describe(str(column)).unit:
            # a day's yes/no counted in a unit (the crossing window, in days): 1 or 0, as
            # the file's other counts, so that the column sums to its total; it read True
            quoted[column] = series.astype("Int64")
            continue
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            quoted[column] = series
            continue
        if series.hasnans and not pd.api.types.is_float_dtype(series):
            series = series.astype(float)  # a nullable integer column with gaps
        field = describe(str(column))
        if figures is None or str(column) not in COLUMNS or field.kind != "stat":
            quoted[column] = _numbers(quoted_values(series.to_numpy(), field), table.index)
            continue
        values = pd.Series(None, index=table.index, dtype=object)
        for name, rows in figures.groupby(figures, sort=False).groups.items():
            values.loc[rows] = quoted_values(series.loc[rows].to_numpy(), describe(str(name)))
        quoted[column] = _numbers(values.tolist(), table.index)
    return pd.DataFrame(quoted, index=table.index)


def _numbers(values: list[Any], index: pd.Index) -> pd.Series:
    """A column of quoted numbers: integers (with gaps) as ``Int64`` so that a whole number
    is written whole, floats as floats, a mix as objects."""
    present = [v for v in values if v is not None]
    if all(isinstance(v, int) for v in present):
        return pd.Series(values, index=index, dtype="Int64")
    if all(isinstance(v, float) for v in present):
        return pd.Series(values, index=index, dtype=float)
    return pd.Series(values, index=index, dtype=object)


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


def reading_table(
    table: pd.DataFrame,
    describe: Describe = describe_field,
    name: str = "",
    credit: str | None = None,
) -> pd.DataFrame:
    """Table ``name`` as every CSV and sheet of it reads, its columns still named by code
    (:func:`headed` gives the headings): inputs' and figures' labels (:func:`for_reading`),
    numbers quoted (:func:`quoted_table`) and, with ``credit``, a last ``source`` column
    holding it. `compare --format csv`, `compare --out`'s comparison.csv and the explorer's
    download all write a comparison through this, so their columns are the same."""
    read = quoted_table(for_reading(table, describe, name), describe)
    return read if credit is None else read.assign(source=credit)


def headed(table: pd.DataFrame, describe: Describe = describe_field) -> pd.DataFrame:
    """``table`` with its columns renamed to their headings (label and unit, unique)."""
    return table.rename(columns={c: f.heading for c, f in headings(table, describe).items()})


def csv_text(table: pd.DataFrame, describe: Describe = describe_field) -> str:
    """A :func:`reading_table` as CSV text, headed."""
    table = headed(table, describe)
    for column in table.select_dtypes(include=["object", "string"]).columns:
        values = [inert(v) for v in table[column]]  # no cell a spreadsheet runs as a formula
        if any(new is not old for new, old in zip(values, table[column], strict=True)):
            table[column] = pd.Series(values, index=table.index, dtype=object)
    return str(table.to_csv(index=False, date_format="%Y-%m-%d"))


def export_folder(
    folder: Path,
    describe: Describe | None = None,
    sources: Iterable[str] = (),
) -> list[Path]:
    """Write ``NAME.csv`` beside every ``NAME.parquet`` of ``folder`` and the workbook
    :data:`WORKBOOK`; return the files written (CSV files first). ``describe`` gives the
    columns' labels and units (default :func:`channelsim.fields.describe`); ``sources`` are
    credit lines for the README sheet (e.g. the Home Office's, when observed data are in a
    table). Every table's last column credits the simulation (:func:`_about`)."""
    describe = describe or describe_field
    credit = _about(folder)
    describes = {p.stem: table_describe(p.stem, describe) for p in folder.glob("*.parquet")}
    tables = {
        name: reading_table(pd.read_parquet(folder / f"{name}.parquet"), describe_in, name,
                            credit)
        for name, describe_in in sorted(describes.items())
    }  # fmt: skip
    if not tables:
        return []
    written = []
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        path.write_text(csv_text(table, describes[name]), encoding=FILE_ENCODING)
        written.append(path)
    written.append(write_workbook(folder / WORKBOOK, tables, describes, [*sources, credit]))
    return written


def _about(folder: Path) -> str:
    """The credit of simulated tables (:func:`channelsim.reports.credits.simulated_line`),
    with the scenarios and seed the folder's JSON names (a run's, an ensemble's, a
    comparison's)."""
    from channelsim.reports.credits import comparison_line, simulated_line

    for name in ("summary.json", "meta.json", "comparison.json", "sensitivity.json",
                 "fit_report.json"):  # fmt: skip
        try:
            payload = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(payload, dict):
            continue
        if name == "fit_report.json":
            from channelsim.reports.credits import calibration_credit

            return calibration_credit(payload)
        if payload.get("scenario"):
            return simulated_line(str(payload["scenario"]), payload.get("seed"))
        if payload.get("base") and isinstance(payload.get("scenarios"), list):
            names = [str(s.get("name")) for s in payload["scenarios"]]
            return comparison_line(names, str(payload["base"]), payload.get("base_seed"))
    return simulated_line()


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
        return "@" if pd.api.types.is_string_dtype(series) else "0"
    if pd.api.types.is_integer_dtype(series) or column.count:
        return "#,##0"
    if series.dtype == object:  # quoted numbers of several kinds (a long table's statistic)
        numbers = pd.to_numeric(series, errors="coerce")
        series = numbers if numbers.notna().sum() == series.notna().sum() else series
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() >= 100:
            return "#,##0"
        return "#,##0.00###"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "yyyy-mm-dd"
    return None


def _formats(
    table: pd.DataFrame, column: Any, field: Field, describe: Describe
) -> str | list[str] | None:
    """The number format of a column, or of each of its cells: in a long table (a figure
    per row: the comparison, the pairs) a statistic's cells take their row's figure's
    format (£ for money, whole people; a column of them all read '#,##0.00###')."""
    key = next((k for k in FIGURE_COLUMNS if k in table.columns), None)
    series = table[column]
    numeric = not pd.api.types.is_bool_dtype(series) and (
        pd.api.types.is_numeric_dtype(series)  # or quoted numbers of several kinds
        or pd.to_numeric(series, errors="coerce").notna().sum() == series.notna().sum()
    )
    if key is None or field.kind != "stat" or not numeric:
        return _number_format(series, field)
    by_figure = {n: _figure_format(describe(n)) for n in table[key].astype(str).unique()}
    return [by_figure[str(n)] for n in table[key]]


def _figure_format(field: Field) -> str:
    """The number format of a figure's values (its field: money, share, count, ratio)."""
    if field.money:
        return '"£"#,##0'
    if field.kind == "share":
        return "0.0%"
    if field.count:
        return "#,##0"
    return "#,##0.00###"


def _text_cell(cell: Any) -> Any:
    """``cell`` with a text that starts with ``=`` kept as text: openpyxl writes such a
    string as a formula, which the spreadsheet runs (a claim's speaker
    ``=HYPERLINK(…)``)."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


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
    describe: Describe | dict[str, Describe] = describe_field,
    sources: Iterable[str] = (),
) -> Path:
    """One sheet per table (headings: label and unit; number formats: integers, £, dates),
    preceded by a README sheet of every sheet's columns and the sources; ``describe`` may be
    given per table, by name."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    readme_rows, sheets = _contents(tables, describe, sources)
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    try:
        readme = book.create_sheet("README")
        headers = (i == 0 or row[:1] == ["sheet"] for i, row in enumerate(readme_rows))
        _append(readme, map(partial(_cells, readme, font=bold), readme_rows, headers))
        for sheet_name, table, columns, describe_row in sheets:
            _write_sheet(book.create_sheet(sheet_name), table, columns, bold, describe_row)
        _close_sheets(book)
        _save_fixed_time(book, path)
    finally:
        _close_sheets(book, quietly=True)
    return path


#: The time written in every workbook, as its creation and change time and as the time of
#: each part of its ZIP file: fixed (the model's day 0, ``channelsim.rng.EPOCH``), so that
#: identical runs write identical bytes (openpyxl writes the time of saving in both).
WORKBOOK_TIME = dt.datetime(2018, 1, 1)


def _save_fixed_time(book: Any, path: Path) -> None:
    """Save ``book`` at ``path`` with :data:`WORKBOOK_TIME` as its document times and the
    times of its ZIP entries (``Workbook.save`` stamps the time of saving on both)."""
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = book.properties.modified = WORKBOOK_TIME
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).save()
    with zipfile.ZipFile(path) as written:
        parts = [(info.filename, written.read(info)) for info in written.infolist()]
    when = WORKBOOK_TIME.timetuple()[:6]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def _contents(
    tables: dict[str, pd.DataFrame],
    describe: Describe | dict[str, Describe],
    sources: Iterable[str],
) -> tuple[list[list[Any]], list[tuple[str, pd.DataFrame, dict[str, Field], Describe]]]:
    """The README sheet's rows, and each sheet's name, table and columns."""
    rows: list[list[Any]] = [
        ["channelsim outputs"],
        [f"Written by channelsim {__version__}."],
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
        described = describe[name] if isinstance(describe, dict) else describe
        columns = headings(table, described)
        if not _fits(table):
            rows.append(
                [f"{name}.csv only", "", "", "", f"{len(table):,} rows: too large for a sheet"]
            )
            continue
        sheet = _sheet_name(name, taken)
        sheets.append((sheet, table, columns, described))
        rows += [[sheet, c, col.heading, col.unit, col.description] for c, col in columns.items()]
    return rows, sheets


def _cells(sheet: Any, values: list[Any], bold: bool, font: Any) -> list[Any]:
    """A row of cells, in ``font`` if ``bold``."""
    from openpyxl.cell import WriteOnlyCell

    cells = [_text_cell(WriteOnlyCell(sheet, value=value)) for value in values]
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


def _write_sheet(
    sheet: Any,
    table: pd.DataFrame,
    columns: dict[str, Field],
    bold: Any,
    describe: Describe = describe_field,
) -> None:

    sheet.freeze_panes = "A2"
    titles = [columns[str(c)].heading for c in table.columns]
    for k, heading in enumerate(titles):
        letter = _column_letter(k)
        sheet.column_dimensions[letter].width = min(max(10, len(heading) + 2), 40)
    header = _cells(sheet, titles, True, bold)
    table = _exact_identifiers(table, columns)
    formats = [_formats(table, c, columns[str(c)], describe) for c in table.columns]
    plain = [_plain(table[c]) for c in table.columns]
    rows = map(_row_maker(sheet, formats), zip(*plain, strict=True))
    _append(sheet, itertools.chain([header], rows))


#: The largest integer a spreadsheet keeps exactly: Excel and LibreOffice hold numbers as
#: doubles shown to 15 digits, so a 19-digit seed 8460147692890830636 read 8460147692890830000.
_EXACT_INTEGER = 10**15


def _exact_identifiers(table: pd.DataFrame, columns: dict[str, Field]) -> pd.DataFrame:
    """``table`` with every identifier column (a seed) that a spreadsheet would round written
    as text instead, so that the value copied from the cell reproduces the run."""
    wide = [
        c for c in table.columns
        if columns[str(c)].kind == "id" and pd.api.types.is_integer_dtype(table[c])
        and _largest(table[c]) >= _EXACT_INTEGER
    ]  # fmt: skip
    if not wide:
        return table
    return table.assign(**{str(c): table[c].map(str) for c in wide})


def _largest(column: pd.Series) -> float:
    """The largest size in an integer column, 0 when it has none: an empty or all-missing
    nullable column's maximum is ``pd.NA``, whose comparison raised "boolean value of NA is
    ambiguous" while a comparison's tables were written."""
    largest = column.abs().max()
    return 0.0 if pd.isna(largest) else float(largest)


def _row_maker(
    sheet: Any, formats: list[str | list[str] | None]
) -> Callable[[tuple[Any, ...]], list[Any]]:
    """A function making a row's cells from its values: a plain value where the column's
    format is General, else the column's one cell with that number format (or its row's, a
    list of formats giving one per row), its value replaced (one styled cell per column, not
    per value: a row is written as soon as it is appended, see :func:`_append`)."""
    from openpyxl.cell import WriteOnlyCell

    styled = [None if f is None else WriteOnlyCell(sheet) for f in formats]
    for cell, number_format in zip(styled, formats, strict=True):
        if cell is not None and isinstance(number_format, str):
            cell.number_format = number_format
    per_row = [(k, f) for k, f in enumerate(formats) if isinstance(f, list)]
    counter = itertools.count()

    def row(values: tuple[Any, ...]) -> list[Any]:
        index = next(counter)
        for k, column_formats in per_row:  # a new cell: a style changed in place after the
            cell = WriteOnlyCell(sheet)  # workbook has indexed it would restyle every row
            cell.number_format = column_formats[index]
            styled[k] = cell
        cells = []
        for value, cell in zip(values, styled, strict=True):
            if cell is None:
                plain = _cell(value)
                formula = isinstance(plain, str) and plain.startswith("=")
                cells.append(_text_cell(WriteOnlyCell(sheet, plain)) if formula else plain)
            else:
                cell.value = _cell(value)
                cells.append(_text_cell(cell))
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
