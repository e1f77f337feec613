"""Write small publications in the Home Office layout, for tests.

``make_rows`` builds consistent daily and weekly rows (weekly = the daily rows summed by week
ending Sunday); ``write_publication`` writes them as ODS, XLSX or a CSV pair, with the sheet
names, headings, ``-`` for "not recorded" and (optionally) title rows above the header.
Tests break one thing at a time by editing the rows or passing a layout mutation.
Import it as ``from spreadsheets import make_rows, write_publication`` (pytest puts
``tests/`` on the path through ``tests/conftest.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

DAILY_HEADINGS = [
    "Date",
    "Migrants arrived",
    "Boats arrived",
    "Boats arrived - involved in uncontrolled landings",
    "Notes",
]
WEEKLY_HEADINGS = [
    "Week ending",
    "Migrants arrived",
    "Boats arrived",
    "Boats arrived - involved in uncontrolled landings",
    "Migrants prevented",
    "Events prevented",
    "Notes",
]
TITLE = "Migrants detected crossing the English Channel in small boats"
Row = list[Any]


def make_rows(
    start: dt.date = dt.date(2024, 4, 29),
    days: int = 28,
    seed: int = 0,
    prevention_from: dt.date | None = dt.date(2024, 5, 5),
    uncontrolled_from: dt.date | None = dt.date(2024, 5, 1),
) -> tuple[list[Row], list[Row]]:
    """Daily rows from ``start`` and the weekly rows of every whole week they cover.

    Before ``uncontrolled_from`` / ``prevention_from`` those columns hold ``-``.
    """
    rng = np.random.default_rng(seed)
    daily: list[Row] = []
    for i in range(days):
        day = start + dt.timedelta(days=i)
        boats = int(rng.integers(0, 8)) if rng.random() < 0.5 else 0
        people = boats * int(rng.integers(20, 70))
        recorded = uncontrolled_from is not None and day >= uncontrolled_from
        uncontrolled = int(rng.integers(0, boats + 1)) if recorded else "-"
        daily.append([day, people, boats, uncontrolled, ""])
    weekly: list[Row] = []
    for i, row in enumerate(daily):
        day = row[0]
        if day.weekday() != 6 or i < 6:
            continue
        week = daily[i - 6 : i + 1]
        people, boats = sum(r[1] for r in week), sum(r[2] for r in week)
        week_uncontrolled: Any = (
            "-" if any(r[3] == "-" for r in week) else sum(int(r[3]) for r in week)
        )
        if prevention_from is not None and day >= prevention_from:
            prevented: Any = int(rng.integers(0, 900))
            events: Any = int(rng.integers(0, 30))
        else:
            prevented = events = "-"
        weekly.append([day, people, boats, week_uncontrolled, prevented, events, ""])
    return daily, weekly


def rows_published_on(day: dt.date, days: int = 28, **kwargs: Any) -> tuple[list[Row], list[Row]]:
    """:func:`make_rows` of an edition published on ``day``: ``days`` daily rows, the last
    the day before (as the Home Office's editions end; a fixture named for 21 November 2025
    whose rows ended on 26 May 2024 was an edition its name did not describe)."""
    return make_rows(start=day - dt.timedelta(days=days), days=days, **kwargs)


def write_publication(
    path: Path,
    daily_rows: Sequence[Row],
    weekly_rows: Sequence[Row],
    fmt: Literal["ods", "xlsx", "csv"] = "ods",
    *,
    title_rows: int = 2,
    sheet_names: Mapping[str, str] | None = None,
    drop_columns: Sequence[str] = (),
    published: dt.date | Literal["named"] | None = "named",
) -> Path:
    """Write a publication; return the path to pass to ``read_publication``.

    ``path`` is the file for ODS/XLSX, and the stem ``<dir>/<stem>`` for CSV (the pair
    ``<stem>_SB_01.csv``/``<stem>_SB_02.csv`` is written and the SB_01 file returned).
    Mutations: ``title_rows`` rows of title and blank above each header, ``sheet_names``
    renames sheets (e.g. ``{"SB_01": "Daily"}``), ``drop_columns`` removes headings (and
    their cells) from both tables.

    A workbook holds its day of ``published`` as its document's creation date, as the Home
    Office's files do: by default (``"named"``) the date its name starts with, when an
    edition ending on the last daily row can carry it, else the day after that row; None
    writes no date.
    """
    sheets = {
        "SB_01": _table(DAILY_HEADINGS, daily_rows, title_rows, drop_columns),
        "SB_02": _table(WEEKLY_HEADINGS, weekly_rows, title_rows, drop_columns),
    }
    names = {name: (sheet_names or {}).get(name, name) for name in sheets}
    if fmt == "csv":
        for name, rows in sheets.items():
            target = path.parent / f"{path.name}_{names[name]}.csv"
            with target.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows(
                    [c.isoformat() if isinstance(c, dt.date) else c for c in row] for row in rows
                )
        return path.parent / f"{path.name}_{names['SB_01']}.csv"
    engine = {"ods": "odf", "xlsx": "openpyxl"}[fmt]
    if published == "named":
        published = publication_day(path.name, daily_rows)
    with pd.ExcelWriter(path, engine=engine) as writer:
        cover = {"Cover_sheet": [[TITLE]]}
        for name, rows in {**cover, **{names[n]: rows for n, rows in sheets.items()}}.items():
            frame = pd.DataFrame(rows, dtype=object)
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
        if published is not None:
            _hold_date(writer.book, fmt, published)
    return path


def publication_day(name: str, daily_rows: Sequence[Row]) -> dt.date | None:
    """The day a file named ``name`` holding ``daily_rows`` is published: its name's date
    when an edition ending on the last row can carry it (1 to 28 days later), else the day
    after the last row (None without rows)."""
    from channelsim.data.publication import MAX_PUBLICATION_LAG_DAYS, edition_date_from_name

    if not daily_rows or not isinstance(daily_rows[-1][0], dt.date):
        return None
    last = daily_rows[-1][0]
    named = edition_date_from_name(name)
    if named is not None and last < named <= last + dt.timedelta(MAX_PUBLICATION_LAG_DAYS):
        return named
    return last + dt.timedelta(days=1)


def _hold_date(book: Any, fmt: str, day: dt.date) -> None:
    """The document's creation date, where the Home Office's ODS files hold their day of
    publication (``meta.xml``; an XLSX's ``docProps/core.xml``)."""
    stamp = dt.datetime(day.year, day.month, day.day, 10, 21, 39)
    if fmt == "xlsx":
        book.properties.created = stamp
        return
    from odf.meta import CreationDate

    book.meta.addElement(CreationDate(text=f"{stamp.isoformat()}Z"))


def _table(
    headings: list[str], rows: Sequence[Row], title_rows: int, drop: Sequence[str]
) -> list[Row]:
    keep = [i for i, heading in enumerate(headings) if heading not in drop]
    blank: Row = [None] * len(keep)
    titles = [[TITLE, *blank[1:]] if i == 0 else blank for i in range(title_rows)]
    body = [[row[i] for i in keep] for row in [headings, *rows]]
    return titles + body
