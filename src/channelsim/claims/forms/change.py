"""``form: change``: the change between two periods, in per cent or in the metric's unit —
"down 42% on the same period last year", "up by 2,000 in the 150 days since the election
compared with the 150 days before"."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import Field

from channelsim.claims.base import Finding, verdict_of
from channelsim.claims.data import DataEdition
from channelsim.claims.forms.total import PeriodClaim
from channelsim.claims.measure import (
    COMPARISON_WORDS,
    Compared,
    Measure,
    decide,
    measure,
    rounded,
    statement,
    tolerance_words,
)
from channelsim.claims.metrics import Verdict
from channelsim.claims.periods import AnyPeriod, MissingAsOf, Strict, shift_years
from channelsim.claims.text import fmt_number


class SamePeriodYearsBefore(Strict):
    """The same calendar days ``years`` earlier (1 Jan–31 Jul 2025 → 1 Jan–31 Jul 2024)."""

    kind: Literal["same_period_last_year"]
    years: int = Field(default=1, ge=1, le=20)

    def resolve(self, start: date, end: date) -> tuple[date, date, str]:
        first, last = shift_years(start, self.years), shift_years(end, self.years)
        return first, last, f"in the same period of {first.year}"


class DaysBefore(Strict):
    """The ``days`` days just before the period (default: as many days as the period)."""

    kind: Literal["days_before"]
    days: int | None = Field(default=None, ge=1, le=3660)

    def resolve(self, start: date, end: date) -> tuple[date, date, str]:
        days = self.days or (end - start).days + 1
        return start - timedelta(days=days), start - timedelta(days=1), f"in the {days} days before"


Baseline = Annotated[SamePeriodYearsBefore | DaysBefore | AnyPeriod, Field(discriminator="kind")]


class ChangeClaim(PeriodClaim, Compared):
    """The change from ``baseline`` to ``period``, ``up`` or ``down``, compared with a
    figure (a percentage when ``change: percent``, else a count in the metric's unit)."""

    form: Literal["change"]
    baseline: Baseline
    change: Literal["percent", "absolute"] = "percent"
    direction: Literal["up", "down"]

    @property
    def value_unit(self) -> str:
        return "%" if self.change == "percent" else self.series.unit

    def judge(self, edition: DataEdition, as_of: date | None) -> Finding:
        metric, average = self.series, self.period.per_week_average
        try:
            start, end = self.period.bounds(as_of)
            when = self.period.describe(as_of)
            if isinstance(self.baseline, SamePeriodYearsBefore | DaysBefore):
                b_start, b_end, b_when = self.baseline.resolve(start, end)
            else:
                b_start, b_end = self.baseline.bounds(as_of)
                b_when = self.baseline.describe(as_of)
        except MissingAsOf:
            return Finding(
                None, Verdict.cannot_check, "The period runs to as_of, and none was given"
            )
        now = measure(metric, start, end, as_of, edition, average)
        before = measure(metric, b_start, b_end, as_of, edition, average)
        missing = [
            w for w, m in ((when, now), (b_when, before)) if m is None or math.isnan(m.value)
        ]
        if now is None or before is None or missing:
            return Finding(
                None, Verdict.cannot_check, f"No {metric.name.replace('_', ' ')} data {missing[0]}"
            )
        data = (
            f"Data: {statement(metric, now.value, average)} {when} ({now.counted}) against "
            f"{fmt_number(rounded(before.value))} {b_when} ({before.counted})"
        )
        if self.change == "percent" and before.value == 0:
            return Finding(
                None,
                Verdict.cannot_check,
                f"{data}: no change in per cent can be computed from zero",
            )
        value, low, high = self._change(now, before)
        signed = (low, high) if self.direction == "up" else (-high, -low)
        holds = decide(*signed, self)
        gaps = [*now.gaps, *before.gaps]
        reason = f"{data}: {_change_words(now.value, before.value, metric.unit)}"
        claimed = self._claimed(holds if holds is not None else True)
        if holds is None:
            reason += f"; {'; '.join(gaps)}, and what is missing could change whether it was "
            reason += claimed
            return Finding(rounded(value), Verdict.cannot_check, reason)
        reason += f", {claimed}"
        if gaps:
            reason += f"; {'; '.join(gaps)}, which cannot change the answer"
        return Finding(rounded(value), verdict_of(holds), reason)

    def _change(self, now: Measure, before: Measure) -> tuple[float, float, float]:
        """The signed change (up is positive) and its bounds."""
        if self.change == "absolute":
            return (
                now.value - before.value,
                now.low - before.high,
                now.high - before.low,
            )
        value = (now.value / before.value - 1) * 100
        low = (now.low / before.high - 1) * 100 if math.isfinite(before.high) else -100.0
        high = (now.high / before.low - 1) * 100 if before.low > 0 else math.inf
        return value, low, high

    def _claimed(self, holds: bool) -> str:
        """``a fall of about 42% (give or take 5%)``, ``not a rise of more than 2,000``."""
        noun = "a rise" if self.direction == "up" else "a fall"
        unit = "%" if self.change == "percent" else f" {self.series.unit}"
        figure = fmt_number(self.figure) + unit
        if self.comparison == "about":
            width = tolerance_words(self, unit, of_figure=" of it")
            text = f"{noun} of about {figure} (give or take {width})"
        else:
            words = (COMPARISON_WORDS | {"fewer_than": "less than"})[self.comparison]
            text = f"{noun} of {words} {figure}"
        return text if holds else f"not {text}"


def _change_words(now: float, before: float, unit: str) -> str:
    """``down 41.6% (−4,658 people)`` or ``up 7,544 people`` when the base is zero."""
    diff = now - before
    direction = "up" if diff > 0 else "down" if diff < 0 else "unchanged"
    count = (
        f"{'+' if diff > 0 else '−' if diff < 0 else '±'}{fmt_number(abs(rounded(diff)))} {unit}"
    )
    if before == 0:
        return f"{direction} {count}"
    pct = abs(now / before - 1) * 100
    return f"{direction} {pct:.1f}% ({count})" if diff else f"unchanged ({count})"
