"""How figures, dates and date ranges are written in the reasons (``22 Nov 2025``,
``5 Jan–16 Nov 2025``, ``41,230``)."""

from __future__ import annotations

from datetime import date

from channelsim.formatting import date_text


def fmt_date(day: date) -> str:
    """``22 Nov 2025`` (:func:`channelsim.formatting.date_text`)."""
    return date_text(day)


def fmt_range(first: date, last: date) -> str:
    """``5 Jan–16 Nov 2025``, or ``23 Nov 2024–20 Nov 2025`` across years; one date if equal."""
    if first == last:
        return fmt_date(first)
    head = f"{first.day} {first:%b}" if first.year == last.year else fmt_date(first)
    return f"{head}–{fmt_date(last)}"


def fmt_number(value: float) -> str:
    """Whole numbers with thousands separators; others to one decimal place."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def position(rank: int, order: str) -> str:
    """``the highest``, ``the 3rd highest``, ``the lowest``."""
    return f"the {order}" if rank == 1 else f"the {ordinal(rank)} {order}"


def fmt_days(count: float) -> str:
    """``1 day``, ``7 days``, ``1,204 days``: a number of days as a reason writes it."""
    return f"{fmt_number(count)} {'day' if count == 1 else 'days'}"
