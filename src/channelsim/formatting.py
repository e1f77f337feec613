"""Numbers written for reading, in the terminal and in reports: integers (and floats that
hold whole numbers) with thousands separators, money as ``£17,520,000``, other values to three
significant figures at most, identifiers (seeds, years, run ids) as they are, ``–`` for a
missing value."""

from __future__ import annotations

import math
import re
from typing import Any

#: Columns whose whole numbers are identifiers, printed without separators.
PLAIN_COLUMNS = re.compile(r"^(seed|base_seed|year|draw|rep|member|.*_id|id|run)$")


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
    name of the figure the row holds)."""
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
