"""Tables for the terminal that fit its width: numbers and dates are never split across
lines; headings and text wrap between words; long text moves to numbered notes under the
table; and columns that still do not fit go to a second table that repeats the first column.

Numbers are written for reading: integers (and floats that hold whole numbers) with thousands
separators, money as ``£17,520,000``, other floats to three significant figures at most,
identifiers (seeds, years, run ids) as they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

#: Columns whose whole numbers are identifiers, printed without separators.
PLAIN_COLUMNS = re.compile(r"^(seed|base_seed|year|draw|rep|member|.*_id|id|run)$")
#: Keys of a row that name the figure its numbers measure (``row_name`` reads them).
FIGURE_KEYS = ("figure", "measure", "metric", "field")
#: A cell that must stay on one line: a number, an amount, a percentage, a date or a dash.
ATOMIC = re.compile(
    r"^[-−+]?[£$]?[-−]?\d[\d,]*(\.\d+)?(%| ?[a-z%]{0,6})?$"  # 1,305 · £17,520,000 · 12.5%
    r"|^\d{4}-\d{2}(-\d{2})?([ T][\d:]+)?$"  # 2025-06 · 2025-06-01 · 2025-06-01T12:00
    r"|^[–-]$"
)
NOTE_MIN = 24  # a text column longer than this may move to the notes under the table
TEXT_MIN = 12  # the narrowest a wrapped text column is made
WORD_MAX = 30  # a longer word (a hash, a path) is folded rather than widen its column


def is_money(name: str) -> bool:
    """A figure in pounds: its name ends in ``_gbp`` (the project's naming rule)."""
    return name.endswith("_gbp") or name in ("gbp", "cost")


def format_number(value: float, *, money: bool = False) -> str:
    """Whole numbers with separators, money in £, other values to 3 significant figures."""
    sign = "-" if value < 0 else ""
    size = abs(value)
    if money:
        decimals = 0 if size >= 100 or size == round(size) else 2
        return f"{sign}£{size:,.{decimals}f}"
    if size == round(size) and size < 1e15:
        return f"{sign}{size:,.0f}"
    decimals = 0 if size >= 100 else max(0, 2 - math.floor(math.log10(size))) if size else 0
    text = f"{size:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return sign + text


def format_cell(value: Any, column: str = "", money: bool = False) -> str:
    """One cell as text (``–`` for a missing value); ``column`` is the column's name, or the
    name of the figure the row holds (see :func:`row_name`)."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, int) and PLAIN_COLUMNS.match(column):
            return str(value)
        return format_number(float(value), money=money or is_money(column))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def row_name(row: Mapping[str, Any]) -> str:
    """The name of the figure a row holds (its ``figure``, ``measure``, ``metric`` or
    ``field``), or "" when its columns are the figures."""
    return next((str(row[k]) for k in FIGURE_KEYS if k in row), "")


@dataclass
class _Column:
    key: str
    heading: str
    cells: list[str]

    @property
    def atomic(self) -> bool:
        return all(ATOMIC.match(c) for c in self.cells)

    @property
    def width(self) -> int:
        """The width it needs: every cell whole if atomic, else its longest word."""
        words = [w for c in [self.heading, *self.cells] for w in c.split()] or [""]
        longest_word = max(len(w) for w in words)
        if self.atomic:
            return max([longest_word, *(len(c) for c in self.cells)])
        return max(min(longest_word, WORD_MAX), min(TEXT_MIN, self.longest))

    @property
    def longest(self) -> int:
        return max(len(c) for c in [self.heading, *self.cells])


def _columns(rows: Sequence[Mapping[str, Any]], keys: list[str]) -> list[_Column]:
    names = [row_name(row) for row in rows]
    return [
        _Column(
            key,
            key.replace("_", " "),
            [format_cell(row.get(key), name or key) for row, name in zip(rows, names, strict=True)],
        )
        for key in keys
    ]


def _fits(columns: list[_Column], width: int) -> bool:
    return sum(c.width + 3 for c in columns) + 1 <= width


def _widths(columns: list[_Column], width: int) -> list[int]:
    """Each column's width: what an atomic column needs; the room left shared among text
    columns (each at least its longest word, at most its longest cell)."""
    fixed = sum(c.width + 3 for c in columns if c.atomic) + 1
    texts = [c for c in columns if not c.atomic]
    share = (width - fixed) // len(texts) - 3 if texts else 0
    return [c.width if c.atomic else max(c.width, min(c.longest, share)) for c in columns]


def _table(columns: list[_Column], title: str | None, width: int) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for column, size in zip(columns, _widths(columns, width), strict=True):
        table.add_column(
            column.heading,
            justify="right" if column.atomic else "left",
            width=size,  # atomic cells fit whole; headings and text wrap between words
            overflow="fold",
        )
    for cells in zip(*(c.cells for c in columns), strict=True):
        table.add_row(*cells)
    return table


def terminal_tables(
    rows: Sequence[Mapping[str, Any]], keys: list[str], title: str | None, width: int
) -> list[RenderableType]:
    """The table (or tables) and notes that show ``rows`` within ``width`` columns."""
    columns = _columns(rows, keys)
    notes: list[str] = []
    if not _fits(columns, width):
        columns, notes = _to_notes(columns, width)
    parts: list[RenderableType] = []
    for k, part in enumerate(_split(columns, width)):
        heading = title if k == 0 else f"{title or ''} (continued)".strip()
        parts.append(_table(part, heading, width))
    if notes:
        parts.append(Text("\n".join(notes)))
    return parts


def _to_notes(columns: list[_Column], width: int) -> tuple[list[_Column], list[str]]:
    """Move long text columns, longest first, to numbered notes until the table fits."""
    notes: list[str] = []
    if len(columns) <= 2:  # a list of fields: its values wrap
        return columns, notes
    texts = sorted(
        (c for c in columns[1:] if not c.atomic and c.longest > NOTE_MIN),
        key=lambda c: -c.longest,
    )
    for column in texts:
        if _fits(columns, width):
            break
        markers = []
        for key_cell, cell in zip(columns[0].cells, column.cells, strict=True):
            if cell in ("", "–"):
                markers.append("–")
                continue
            notes.append(f"[{len(notes) + 1}] {key_cell}, {column.heading}: {cell}")
            markers.append(f"[{len(notes)}]")
        column.cells = markers
    return columns, notes


def _split(columns: list[_Column], width: int) -> list[list[_Column]]:
    """Groups of columns that each fit with the first column repeated."""
    if _fits(columns, width) or len(columns) <= 2:
        return [columns]
    first, groups, current = columns[0], [], [columns[0]]
    for column in columns[1:]:
        if len(current) > 1 and not _fits([*current, column], width):
            groups.append(current)
            current = [first]
        current.append(column)
    groups.append(current)
    return groups
