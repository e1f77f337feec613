"""A metric over one period, with bounds and the words that explain them; and the
comparison a claim makes with a figure ("more than 40,000", "about 42%")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal, Protocol

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Field, model_validator

from channelsim.claims.data import DataEdition, Series
from channelsim.claims.metrics import Metric
from channelsim.claims.periods import Strict
from channelsim.claims.text import fmt_date, fmt_number, fmt_range


@dataclass(frozen=True)
class Measure:
    """A metric over a period: the value over the data available, and bounds on the truth.

    ``value`` is computed from the days or weeks that have data; ``low`` and ``high`` bound
    the value over the whole period, whatever the missing days or weeks hold.
    """

    value: float
    low: float
    high: float
    counted: str  # which days or weeks the value counts
    gaps: tuple[str, ...]  # why part of the period has no data


def measure(
    metric: Metric,
    start: date,
    end: date,
    as_of: date | None,
    edition: DataEdition,
    per_week_average: bool = False,
) -> Measure | None:
    """Compute ``metric`` over [start, end], using only data dated on or before ``as_of``.

    Daily metrics count the days of the period, weekly ones the weeks ending in it. Returns
    None when no data at all fall in the period.
    """
    series = Series.of(metric, edition, start, end, as_of)
    units = series.units
    if len(units) == 0:
        return None
    known = series.known
    if not known.any():
        return None
    whole = series.spans(np.array([0]), np.array([len(units)]))
    value, low, high = float(whole.value[0]), float(whole.low[0]), float(whole.high[0])
    if per_week_average:
        days_per_unit = 1 if series.daily else 7
        weeks_known = int(known.sum()) * days_per_unit / 7
        weeks_all = len(units) * days_per_unit / 7
        value, low, high = value / weeks_known, low / weeks_all, high / weeks_all
    first, last = units[known][0].date(), units[known][-1].date()
    counted = ("days " if series.daily else "weeks ending ") + fmt_range(first, last)
    if not series.daily and end.weekday() != 6 and (as_of is None or end <= as_of):
        running = end + timedelta(days=6 - end.weekday())
        counted += f"; the week ending {fmt_date(running)} had not ended and is not counted"
    gaps = unknown_reasons(units[~known], metric, edition, as_of)
    return Measure(value, low, high, counted, gaps)


def unknown_reasons(
    missing: pd.DatetimeIndex, metric: Metric, edition: DataEdition, as_of: date | None
) -> tuple[str, ...]:
    """Say why some days or weeks of a period have no data."""
    if len(missing) == 0:
        return ()
    _, _, first, last = edition.metric_arrays(metric)  # series start, table's last date
    unit = "day" if metric.table == "daily" else "week"

    def count(n: int, singular: str, plural: str) -> str:
        return f"{n} {unit} {singular}" if n == 1 else f"{n} {unit}s {plural}"

    reasons = []
    if as_of is not None and (missing > pd.Timestamp(as_of)).any():
        after = int((missing > pd.Timestamp(as_of)).sum())
        reasons.append(
            f"{count(after, 'of the period comes', 'of the period come')} after {fmt_date(as_of)}"
        )
        missing = missing[missing <= pd.Timestamp(as_of)]
    early = missing[:0] if first is None else missing[missing < pd.Timestamp(first)]
    late = missing[missing > pd.Timestamp(last)]
    if len(early):
        assert first is not None
        reasons.append(f"the series starts on {fmt_date(first)}")
    if len(late):
        gap = f"{count(len(late), 'of the period is', 'of the period are')} not in it"
        if as_of is not None and late[-1] == pd.Timestamp(as_of):
            # a period that runs to the day it is checked at (said on an edition's day)
            gap += (
                f" (a claim about the figures to {fmt_date(last)} is judged on them with "
                f"as_of: {pd.Timestamp(last).date().isoformat()})"
            )
        reasons.append(f"this edition stops at {fmt_date(last)}, so {gap}")
    if len(missing) > len(early) + len(late):
        unrecorded = len(missing) - len(early) - len(late)
        reasons.append(count(unrecorded, "is not recorded", "are not recorded"))
    return tuple(reasons)


def _not_a_truth_value(value: object) -> object:
    """``figure: true`` was read as 1 (YAML's true is Python's True, an int)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


#: A claim's figure: a number, not YAML's true or false.
Figure = Annotated[float, BeforeValidator(_not_a_truth_value)]

Comparison = Literal["more_than", "over", "fewer_than", "about", "exactly", "at_least", "at_most"]


class Compared(Strict):
    """A comparison with a figure: ``more_than`` (or ``over``) and ``fewer_than`` are
    strict, ``at_least``/``at_most`` are not, ``exactly`` is equality and ``about`` means
    within ``tolerance_pct`` per cent of the figure (or ``tolerance``, in the figure's unit)."""

    comparison: Comparison
    figure: Figure = Field(ge=0)
    tolerance_pct: float | None = Field(default=None, gt=0, le=100)
    tolerance: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _tolerance_with_about(self) -> Compared:
        check_tolerance(self.comparison, self.tolerance_pct, self.tolerance)
        return self


class MaybeCompared(Strict):
    """A comparison with a figure that a claim may leave out (see :class:`Compared`)."""

    comparison: Comparison | None = None
    figure: Figure | None = Field(default=None, ge=0)
    tolerance_pct: float | None = Field(default=None, gt=0, le=100)
    tolerance: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _tolerance_with_about(self) -> MaybeCompared:
        if (self.figure is None) != (self.comparison is None):
            raise ValueError("key comparison: give comparison and figure together")
        check_tolerance(self.comparison, self.tolerance_pct, self.tolerance)
        return self


def check_tolerance(
    comparison: str | None, tolerance_pct: float | None, tolerance: float | None
) -> None:
    """``about`` needs one tolerance, the other comparisons none (ValueError otherwise)."""
    given = tolerance_pct is not None or tolerance is not None
    if comparison == "about" and not given:
        raise ValueError("key tolerance_pct: needed with comparison 'about' (or tolerance)")
    if comparison != "about" and given:
        raise ValueError("key tolerance_pct: applies only to comparison 'about'")
    if tolerance_pct is not None and tolerance is not None:
        raise ValueError("key tolerance: give tolerance_pct or tolerance, not both")


class Comparing(Protocol):
    """Anything that compares a value with a figure (see :class:`Compared`)."""

    @property
    def comparison(self) -> Comparison | None: ...
    @property
    def figure(self) -> float | None: ...
    @property
    def tolerance_pct(self) -> float | None: ...
    @property
    def tolerance(self) -> float | None: ...


def decide(low: float, high: float, claim: Comparing) -> bool | None:
    """True/False when every value in [low, high] gives the same answer, else None."""
    figure = claim.figure or 0.0
    match claim.comparison:
        case "more_than" | "over":
            return True if low > figure else False if high <= figure else None
        case "at_least":
            return True if low >= figure else False if high < figure else None
        case "fewer_than":
            return True if high < figure else False if low >= figure else None
        case "at_most":
            return True if high <= figure else False if low > figure else None
    band = _band(claim)
    if low >= figure - band and high <= figure + band:
        return True
    if high < figure - band or low > figure + band:
        return False
    return None


def _band(claim: Comparing) -> float:
    if claim.comparison == "exactly":
        return 0.0
    if claim.tolerance is not None:
        return claim.tolerance
    return (claim.figure or 0.0) * (claim.tolerance_pct or 0) / 100


#: How the reasons write each comparison.
COMPARISON_WORDS = {
    "more_than": "more than",
    "over": "more than",
    "fewer_than": "fewer than",
    "at_least": "at least",
    "at_most": "at most",
    "exactly": "exactly",
}


def tolerance_words(claim: Comparing, unit: str = "", of_figure: str = "") -> str:
    """``5%`` (per cent of the figure, followed by ``of_figure``) or ``0.5%`` in the
    figure's own ``unit``."""
    if claim.tolerance_pct is not None:
        return f"{fmt_number(claim.tolerance_pct)}%{of_figure}"
    return fmt_number(claim.tolerance or 0) + unit


def comparison_text(claim: Comparing, holds: bool | None, unit: str = "") -> str:
    """``more than 40,000``, ``not within 5% of 1,200``, ``exactly 500`` (negated unless
    ``holds``); ``unit`` follows the figure (``%`` for a percentage)."""
    figure = fmt_number(claim.figure or 0.0) + unit
    if claim.comparison == "about":
        text = f"within {tolerance_words(claim, unit)} of {figure}"
    else:
        text = f"{COMPARISON_WORDS[claim.comparison or 'exactly']} {figure}"
    return text if holds else f"not {text}"


def statement(metric: Metric, value: float, per_week_average: bool = False) -> str:
    """``41,230 people arrived`` or ``on average 1,316 people a week arrived``."""
    shown = fmt_number(round(value, 1) if metric.kind == "ratio" else round(value))
    text = metric.phrase.format(v=shown, a_week=" a week" if per_week_average else "")
    return f"on average {text}" if per_week_average else text


def rounded(value: float) -> int | float:
    """A value for JSON: whole numbers as int, others to one decimal place."""
    return int(value) if float(value).is_integer() else round(value, 1)
