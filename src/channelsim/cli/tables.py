"""Tables for the terminal that fit its width: numbers and dates are never split across
lines; headings and text wrap between words; long text moves to numbered notes under the
table; and columns that still do not fit go to a second table that repeats the columns that
name a row (the first, or the leading ``row_keys``: an output and a parameter).

Headings and figures' names are their labels and units (:func:`channelsim.fields.describe`);
numbers are written for reading (:func:`channelsim.formatting.readable`). Long text squeezed
into a narrow column (more than :data:`SQUEEZED_LINES` lines) moves to the notes even when the
table fits, so a wider terminal never gives a worse table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from channelsim.fields import Fields
from channelsim.formatting import readable

Sources = Sequence[Fields | None]

#: A cell that must stay on one line: a number, an amount, a percentage, a date or a dash.
ATOMIC = re.compile(
    r"^[-−+]?[£$]?[-−]?\d[\d,]*(\.\d+)?(%| ?[a-z%]{0,6})?$"  # 1,305 · £17,520,000 · 12.5%
    r"|^\d{4}-\d{2}(-\d{2})?([ T][\d:]+)?$"  # 2025-06 · 2025-06-01 · 2025-06-01T12:00
    r"|^[–-]$"
    r"|^\d[\d,]*(\.\d+)?–\d[\d,]*(\.\d+)?$"  # a range: 12–16 · 1,200–4,812
)
NOTE_MIN = 24  # a prose column longer than this may move to the notes under the table
SQUEEZED_LINES = 6  # a prose cell that would wrap over more lines goes to the notes
TEXT_MIN = 12  # the narrowest a wrapped text column is made
WORD_MAX = 30  # a longer word (a hash, a path) is folded rather than widen its column
FILE_NAME = re.compile(r"^[\w.+-]+\.[A-Za-z]{2,5}$")  # 29_May_2026_Small_boats_-_time_series.ods
FILE_NAME_MAX = 60  # a file name up to this long is kept whole (people copy it)
PARAMETER_PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_#]+)+$")  # networks.min_occupancy_people


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
        whole = max((len(w) for w in words if _kept_whole(w)), default=0)
        return max(min(longest_word, WORD_MAX), whole, min(TEXT_MIN, self.longest))

    @property
    def least(self) -> int:
        """The narrowest it may be made: every cell whole if atomic, else its longest word
        (a file name or a parameter's path whole)."""
        if self.atomic:
            return self.width
        words = [w for c in [self.heading, *self.cells] for w in c.split()] or [""]
        whole = max((len(w) for w in words if _kept_whole(w)), default=0)
        return max(min(max(len(w) for w in words), WORD_MAX), whole)

    @property
    def short(self) -> bool:
        """Text whose every cell fits on one line at the column's narrowest (its longest
        word): only its heading wraps, so it needs no share of the room left."""
        return not self.atomic and max(len(c) for c in [*self.cells, ""]) <= self.width

    @property
    def prose(self) -> bool:
        """Text in words (a note), not a name or an identifier."""
        return not self.atomic and any(" " in c for c in self.cells)

    @property
    def longest(self) -> int:
        return max(len(c) for c in [self.heading, *self.cells])


def _kept_whole(word: str) -> bool:
    """A file name or a parameter's path (people copy both), not folded across lines unless
    it is very long."""
    word = word.strip("[]()")  # a code name beside a label: "[coast.inflow_people_per_day]"
    return len(word) <= FILE_NAME_MAX and (
        FILE_NAME.match(word) is not None or PARAMETER_PATH.match(word) is not None
    )


def _columns(rows: Sequence[Mapping[str, Any]], keys: list[str], sources: Sources) -> list[_Column]:
    """The columns of the table, headed and written for reading
    (:func:`channelsim.formatting.readable`)."""
    headings, cells = readable(rows, keys, sources)
    return [_Column(*column) for column in zip(keys, headings, cells, strict=True)]


def _fits(columns: list[_Column], width: int, *, wrapped: bool = False) -> bool:
    """Whether the columns fit in ``width``; ``wrapped``: with every text column wrapped to
    its longest word (numbers still whole)."""
    return sum((c.least if wrapped else c.width) + 3 for c in columns) + 1 <= width


def _widths(columns: list[_Column], width: int) -> list[int]:
    """Each column's width: what an atomic column or short text needs; the room left shared
    among the other text columns (each at least its longest word, at most its longest cell:
    a column whose least is more than a share takes its least, one whose longest cell is less
    than a share takes that, and the rest share what is left). When even that is too wide,
    short text shares the room too, wrapped between its words (a ranking's "1,350 fewer" on
    two lines rather than a second table of one column)."""
    squeezed = not _fits(columns, width)
    sizes = {id(c): c.width for c in columns if c.atomic or (c.short and not squeezed)}
    room = width - 1 - sum(size + 3 for size in sizes.values())
    texts = [c for c in columns if id(c) not in sizes]
    while texts:
        share = room // len(texts) - 3
        least = {id(c): c.least if squeezed else c.width for c in texts}
        settled = {k: size for k, size in least.items() if size >= share}
        settled = settled or {id(c): c.longest for c in texts if c.longest <= share}
        if not settled:
            sizes |= {id(c): share for c in texts}
            break
        sizes |= settled
        room -= sum(size + 3 for size in settled.values())
        texts = [c for c in texts if id(c) not in settled]
    return [sizes[id(c)] for c in columns]


def _table(columns: list[_Column], width: int) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
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
    rows: Sequence[Mapping[str, Any]],
    keys: list[str],
    title: str | None,
    width: int,
    sources: Sources = (),
    row_keys: Sequence[str] = (),
) -> list[RenderableType]:
    """The table (or tables) and notes that show ``rows`` within ``width`` columns; labels and
    units from ``sources`` (a run's ``ResultSet``, the official series' fields), then
    :data:`channelsim.fields.COLUMNS`; a continued table repeats the leading columns of
    ``row_keys`` (those that name a row; the first column when none is given or left)."""
    columns = _columns(rows, keys, sources)
    title = _shared_heading_to_title(columns, title)
    notes: list[str] = []
    if not _fits(columns, width):
        columns, title = _constants_to_title(columns, title)
    if not _fits(columns, width):
        columns, notes = _to_notes(columns, width)
    if _fits(columns, width, wrapped=True):
        _squeezed_to_notes(columns, width, notes)
    parts: list[RenderableType] = []
    for k, part in enumerate(_split(columns, width, row_keys)):
        heading = title if k == 0 else f"{title or ''} (continued)".strip()
        if heading:  # above the table, wrapped at the window's width (not the table's)
            parts.append(Text(heading, style="italic"))
        parts.append(_table(part, width))
    if notes:
        parts.append(Text("\n".join(notes)))
    return parts


def _shared_heading_to_title(columns: list[_Column], title: str | None) -> str | None:
    """Columns whose headings start alike (``total over the period: median``, ``…: low
    (5%)``: the statistics of a figure's total) keep what differs, and the title says the
    rest once: repeated in every heading, it wrapped each over five lines at 80 columns."""
    split = [c.heading.split(": ", 1) for c in columns]
    starts = {parts[0] for parts in split if len(parts) == 2}
    shared = [c for c, parts in zip(columns, split, strict=True) if len(parts) == 2]
    if len(starts) != 1 or len(shared) < 2:
        return title
    for column in shared:
        column.heading = column.heading.split(": ", 1)[1]
    start = starts.pop()
    return f"{title} ({start})" if title else start[:1].upper() + start[1:]


def _constants_to_title(
    columns: list[_Column], title: str | None
) -> tuple[list[_Column], str | None]:
    """Text columns holding one value in every row leave the table for its title."""
    constant = [c for c in columns if not c.atomic and len(c.cells) > 1 and len(set(c.cells)) == 1]
    if not constant or len(constant) == len(columns):
        return columns, title
    named = "; ".join(f"{c.heading}: {c.cells[0]}" for c in constant)
    kept = [c for c in columns if c not in constant]
    return kept, f"{title} ({named})" if title else named


def _to_notes(columns: list[_Column], width: int) -> tuple[list[_Column], list[str]]:
    """Move long text columns, longest first, to numbered notes until the table fits: those
    too long to sit on one line beside the first column (the others go to a second table)."""
    notes: list[str] = []
    if len(columns) <= 2:  # a list of fields: its values wrap
        return columns, notes
    beside = columns[0].width + 7  # a text that fits whole beside the first column stays
    texts = sorted(  # (a verdict, a name): a second table shows it, not a note number
        (c for c in columns[1:] if c.prose and c.longest > max(NOTE_MIN, width - beside)),
        key=lambda c: -c.longest,
    )
    for column in texts:
        if _fits(columns, width):
            break
        _note(column, columns[0], notes)
    return columns, notes


def _squeezed_to_notes(columns: list[_Column], width: int, notes: list[str]) -> None:
    """Move prose squeezed into a narrow column (a cell wrapped over more than
    :data:`SQUEEZED_LINES` lines while the table fits) to the notes, longest first: a wide
    terminal with many columns would otherwise give a long text the least room."""
    if len(columns) <= 2:
        return
    while True:
        sizes = dict(zip((id(c) for c in columns), _widths(columns, width), strict=True))
        squeezed = [
            c
            for c in columns[1:]
            if c.prose and c.longest > NOTE_MIN and c.longest > SQUEEZED_LINES * sizes[id(c)]
        ]
        if not squeezed:
            return
        _note(max(squeezed, key=lambda c: c.longest), columns[0], notes)


def _note(column: _Column, first: _Column, notes: list[str]) -> None:
    """Replace the column's cells by note numbers, the text going to ``notes``."""
    markers = []
    for key_cell, cell in zip(first.cells, column.cells, strict=True):
        if cell in ("", "–"):
            markers.append("–")
            continue
        what = "" if column.key == "note" else f", {column.heading}"  # not "Note: …"
        notes.append(f"[{len(notes) + 1}] {key_cell}{what}: {cell}")
        markers.append(f"[{len(notes)}]")
    column.cells = markers


def _split(columns: list[_Column], width: int, row_keys: Sequence[str] = ()) -> list[list[_Column]]:
    """Groups of columns that each fit with the columns naming a row repeated: the leading
    columns of ``row_keys``, at least the first column."""
    repeat = 1
    while repeat < len(columns) - 1 and columns[repeat].key in row_keys:
        repeat += 1
    if _fits(columns, width, wrapped=True) or len(columns) <= repeat + 1:
        return [columns]  # one table, its text wrapped if need be, before a second table
    first, groups = columns[:repeat], []
    current = list(first)
    for column in columns[repeat:]:
        if len(current) > repeat and not _fits([*current, column], width):
            groups.append(current)
            current = list(first)
        current.append(column)
    groups.append(current)
    return groups
