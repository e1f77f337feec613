"""``form: rank``: records and rankings, of single days ("the highest since 3 Sep 2022",
"the 3rd highest on record", "a record for May") and of period totals ("the busiest month
on record", "a record first half", "the second-highest year").

The subject (a day or a period) is ranked among units of the same kind: every day, month or
year on record (``among: record``), the days of the same calendar month in every year
(``same_month``), the days or months of the same year (``same_year``), the same calendar
span in every year (``same_span``; the only choice for a span that is not a day, month or
year), or the units after a date (``among: {after: DATE}``). Only what had happened by
``as_of`` counts: a unit still running on ``as_of`` counts to that day, and so does the
subject ("already the busiest July on record"); for ``order: lowest`` a running unit other
than the subject is left out (four days of a year are not the lowest year). Units not in the
edition are bounded, and the verdict is given only if the bounds cannot change it: a count
of days (or weeks) not in the edition adds at least nothing and at most the most counted in a
day (or week) on record in it, each (the three days an edition published on 31 Dec lacks
cannot lift 2025's 41,472 people past 2022's 45,755 at 1,305 a day: 2025 is judged 2nd).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal, overload

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from channelsim.claims.base import ClaimBase, Finding, verdict_of
from channelsim.claims.data import DataEdition, Series, Spans, series_end, series_start
from channelsim.claims.metrics import Verdict
from channelsim.claims.periods import (
    AnyPeriod,
    CalendarYear,
    MissingAsOf,
    Month,
    Strict,
    shift_years,
)
from channelsim.claims.text import fmt_date, fmt_range, position


class Day(Strict):
    """One day."""

    kind: Literal["day"]
    date: date


class After(Strict):
    """The units that start after ``after``."""

    after: date


Subject = Annotated[Day | AnyPeriod, Field(discriminator="kind")]
Among = Literal["record", "same_month", "same_year", "same_span"] | After


@dataclass(frozen=True)
class Units:
    """Spans to rank: first and last day of each, a label each, and what they are called."""

    starts: pd.DatetimeIndex
    ends: pd.DatetimeIndex
    labels: Sequence[str]
    noun: str
    running: str | None = None  # the last unit, if still running at the cut: "2026 to 28 May"


class RankClaim(ClaimBase):
    """The subject's position among comparable units: ``rank`` 1 is the highest (or the
    lowest, with ``order: lowest``); ``or_better: true`` claims "one of the ``rank``
    highest"."""

    form: Literal["rank"]
    subject: Subject
    among: Among = "record"
    order: Literal["highest", "lowest"] = "highest"
    rank: int = Field(default=1, ge=1)
    or_better: bool = False

    @property
    def value_unit(self) -> str:
        return "rank"  # the subject's position (1: the highest, or the lowest)

    @model_validator(mode="after")
    def _sensible(self) -> RankClaim:
        day = isinstance(self.subject, Day)
        if day and self.series.table != "daily":
            raise ValueError("key subject: a day needs a daily metric (SB_01)")
        if self.among == "same_month" and not day:
            raise ValueError("key among: same_month ranks days; use same_span for a month")
        if self.among == "same_year" and not (day or isinstance(self.subject, Month)):
            raise ValueError("key among: same_year ranks the days or months of a year")
        if isinstance(self.among, After):
            try:
                first = self._bounds(None)[0]
            except MissingAsOf:
                return self
            if first <= self.among.after:  # it would not be among the units ranked
                raise ValueError(
                    f"key among.after: expected a day before the subject ({first}), got "
                    f"{self.among.after}"
                )
        return self

    def needs_as_of(self) -> bool:
        try:
            self._bounds(None)
        except MissingAsOf:
            return True
        return False

    def _bounds(self, as_of: date | None) -> tuple[date, date]:
        if isinstance(self.subject, Day):
            return self.subject.date, self.subject.date
        return self.subject.bounds(as_of)

    def judge(self, edition: DataEdition, as_of: date | None) -> Finding:
        metric = self.series
        first = series_start(metric, edition)
        if first is None:
            return Finding(None, Verdict.cannot_check, f"No {metric.name} data in this edition")
        cut = as_of or series_end(metric, edition)
        try:
            start, end = self._bounds(as_of)
        except MissingAsOf:
            return Finding(
                None, Verdict.cannot_check, "The period runs to as_of, and none was given"
            )
        if start > cut or end < first:
            return Finding(
                None,
                Verdict.cannot_check,
                f"{self._label(start, end)} is outside the data counted ({fmt_range(first, cut)})",
            )
        series = Series.of(metric, edition, first, cut, as_of)
        units = self._units(start, end, first, cut, self.among)
        spans = _evaluate(series, units)
        low, value, known, unknown = spans.low, spans.value, spans.known, spans.unknown
        record = _record(series)
        high = spans.high
        if record is not None:  # a missing day adds at most the most ever counted in a day
            high = np.minimum(high, value + unknown * record)
        at = np.flatnonzero(units.starts == pd.Timestamp(max(start, first)))
        s_index = int(at[0]) if len(at) else None
        if s_index is None or known[s_index] == 0:
            return Finding(
                None,
                Verdict.cannot_check,
                f"No {metric.name.replace('_', ' ')} data for {self._label(start, end)}",
            )
        keep = np.ones(len(known), dtype=bool)  # unpublished units count, bounded
        keep[s_index] = False
        if self.order == "lowest" and units.running:  # a running unit is low by being short
            keep[-1] = False
        sign = 1.0 if self.order == "highest" else -1.0
        s_low, s_high = sorted((sign * low[s_index], sign * high[s_index]))
        o_low = np.minimum(sign * low[keep], sign * high[keep])
        o_high = np.maximum(sign * low[keep], sign * high[keep])
        best = 1 + int((o_low > s_high).sum())
        worst = 1 + int((o_high > s_low).sum())
        holds = _rank_holds(self.rank, self.or_better, best, worst)
        reason = self._reason(series, units, value, keep, s_index, best, worst, start, end)
        if self.order == "highest" and high[s_index] == 0:  # a day of none ranks by ties only
            reason = self._none_reason(series, units, (value, high), keep, s_index, start, end)
        reason += self._since(series, start, end, first, cut, value[s_index])
        claimed = ("one of " if self.or_better else "") + position(self.rank, self.order)
        if self.or_better and self.rank > 1:
            claimed = f"one of the {self.rank} {self.order}"
        verdict = verdict_of(holds)
        reason += f"; claimed: {claimed}"
        if holds is None:
            reason += "; days not in this edition could change the position"
        elif record is not None and unknown[keep | (np.arange(len(keep)) == s_index)].any():
            missing = "days" if series.daily else "weeks"
            reason += (
                f"; the {missing} not in this edition cannot change it, at most "
                f"{series.metric.words(record)} each (the most on record in it)"
            )
        return Finding(best if best == worst else None, verdict, reason)

    # ---- units ----------------------------------------------------------------------

    def _units(self, start: date, end: date, first: date, cut: date, among: Among) -> Units:
        """The comparable units, clipped to the data counted [first, cut]."""
        subject = self.subject
        if isinstance(subject, Day):
            days = pd.date_range(first, cut, freq="D")
            if among == "same_month":
                days = days[days.month == start.month]
            elif among == "same_year":
                days = days[days.year == start.year]
            elif among == "same_span":
                days = days[(days.month == start.month) & (days.day == start.day)]
            elif isinstance(among, After):
                days = days[days > pd.Timestamp(among.after)]
            return Units(days, days, _DayLabels(days), "days")
        if isinstance(subject, Month) and among != "same_span":
            months = pd.date_range(pd.Timestamp(first).to_period("M").start_time, cut, freq="MS")
            if among == "same_year":
                months = months[months.year == start.year]
            elif isinstance(among, After):
                months = months[months > pd.Timestamp(among.after)]
            return _clipped(months, months + pd.offsets.MonthEnd(0), "%B %Y", first, cut, "months")
        if isinstance(subject, CalendarYear):
            years = pd.date_range(f"{first.year}-01-01", cut, freq="YS")
            if isinstance(among, After):
                years = years[years > pd.Timestamp(among.after)]
            return _clipped(years, years + pd.offsets.YearEnd(0), "%Y", first, cut, "years")
        shifts = range(start.year - first.year, start.year - cut.year - 1, -1)
        spans = [(shift_years(start, k), shift_years(end, k)) for k in shifts]
        if isinstance(among, After):
            spans = [s for s in spans if s[0] > among.after]
        starts = pd.DatetimeIndex([s for s, _ in spans])
        ends = pd.DatetimeIndex([e for _, e in spans])
        label = "%B %Y" if isinstance(subject, Month) else None
        return _clipped(starts, ends, label, first, cut, "periods")

    def _label(self, start: date, end: date) -> str:
        if isinstance(self.subject, Day):
            return fmt_date(start)
        if isinstance(self.subject, Month):
            return f"{pd.Timestamp(start):%B %Y}"
        if isinstance(self.subject, CalendarYear):
            return str(start.year)
        return fmt_range(start, end)

    def _set_words(self, units: Units, keep_all: np.ndarray, start: date, end: date) -> str:
        among = self.among
        counted = units.starts[keep_all]
        span = f"{counted[0].year}–{counted[-1].year}" if len(counted) else "no data"
        if units.running and len(keep_all) and keep_all[-1]:  # said so: it counts part-way
            span += f"; {units.running}"
        if among == "same_month":
            return f"{pd.Timestamp(units.starts[0]):%B} days in {span}"
        if among == "same_year":
            return f"{units.noun} of {counted[0].year}" if len(counted) else units.noun
        if isinstance(among, After):
            return f"{units.noun} after {fmt_date(among.after)}"
        if units.noun == "periods" and isinstance(self.subject, Month):
            return f"{pd.Timestamp(start):%B}s in {span}"
        if units.noun == "periods":
            return f"periods {start.day} {start:%b}–{end.day} {end:%b} in {span}"
        return f"{units.noun} on record ({span})"

    def _reason(
        self,
        series: Series,
        units: Units,
        value: np.ndarray,
        keep: np.ndarray,
        s_index: int,
        best: int,
        worst: int,
        start: date,
        end: date,
    ) -> str:
        metric = series.metric
        everything = keep.copy()
        everything[s_index] = True
        where = (
            position(best, self.order)
            if best == worst
            else f"between {position(best, self.order)} and {position(worst, self.order)}"
        )
        n = f"{int(everything.sum()):,}"
        text = (
            f"Data: {self._label(start, end)} had {metric.words(value[s_index])}, {where} of "
            f"{n} {self._set_words(units, everything, start, end)}"
        )
        others = np.flatnonzero(keep)
        if len(others):
            sign = 1.0 if self.order == "highest" else -1.0
            top = others[np.argmax(sign * value[others])]
            label = "next" if sign * value[top] <= sign * value[s_index] else self.order
            text += f" ({label}: {metric.words(value[top])}, {units.labels[top]})"
        return text

    def _none_reason(
        self,
        series: Series,
        units: Units,
        counted: tuple[np.ndarray, np.ndarray],
        keep: np.ndarray,
        s_index: int,
        start: date,
        end: date,
    ) -> str:
        """``Data: 28 May 2026 had 0 people, one of 102 of the 149 days of 2026 with none
        (highest: 605 people, 25 Feb 2026)``: a subject of none is tied at the bottom, and
        its position among the ties ("the 47th highest") read as a notable day (s11 T7)."""
        metric, (value, high) = series.metric, counted  # counted, and at most with missing days
        everything = keep.copy()
        everything[s_index] = True
        nones = int((high[everything] == 0).sum())  # none for certain (not a missing day)
        text = (
            f"Data: {self._label(start, end)} had {metric.words(0)}, one of {nones:,} of the "
            f"{int(everything.sum()):,} {self._set_words(units, everything, start, end)} "
            "with none"
        )
        others = np.flatnonzero(keep)
        if len(others) and value[others].max() > 0:
            top = others[np.argmax(value[others])]
            text += f" (highest: {metric.words(value[top])}, {units.labels[top]})"
        return text

    def _since(
        self, series: Series, start: date, end: date, first: date, cut: date, level: float
    ) -> str:
        """``; the highest since 3 Sep 2022 (1,305 people)``: the last earlier unit on record
        (of the same month or span, for those sets) at least as high, or none. Nothing when
        that unit is the one just before (a day after a busier day is "the highest since"
        that day, which says nothing; s11 T7) or the subject had none."""
        if self.order == "highest" and level == 0:
            return ""
        among = self.among if self.among in ("same_month", "same_span") else "record"
        units = self._units(start, end, first, cut, among)
        spans = _evaluate(series, units)
        value, known = spans.value, spans.known
        sign = 1.0 if self.order == "highest" else -1.0
        earlier = np.flatnonzero((units.starts < pd.Timestamp(start)) & (known > 0))
        beaten = earlier[sign * value[earlier] >= sign * level]
        if len(beaten):
            last = beaten[-1]
            if last == earlier[-1]:  # no unit between: "the highest since" the one before
                return ""
            words = series.metric.words(value[last])
            return f"; the {self.order} since {units.labels[last]} ({words})"
        if len(earlier):
            return f"; the {self.order} of all {len(earlier) + 1:,} on record to then"
        return ""


class _DayLabels(Sequence[str]):
    """Each day's label (``3 Sep 2022``), written when a reason quotes it: a ranking among
    every day on record labelled its ~3,000 days to quote two (most of a check's time)."""

    def __init__(self, days: pd.DatetimeIndex) -> None:
        self._days = days

    def __len__(self) -> int:
        return len(self._days)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return _DayLabels(self._days[index])
        return fmt_date(self._days[int(index)].date())


def _rank_holds(rank: int, or_better: bool, best: int, worst: int) -> bool | None:
    if or_better:
        return True if worst <= rank else False if best > rank else None
    if best == worst:
        return best == rank
    return False if rank < best or rank > worst else None


def _clipped(
    starts: pd.DatetimeIndex,
    ends: pd.DatetimeIndex,
    label: str | None,
    first: date,
    cut: date,
    noun: str,
) -> Units:
    """Units cut to [first, cut]; those wholly outside dropped. Labels from ``label``
    (strftime of the unit's own start) or the span."""
    lo, hi = pd.Timestamp(first), pd.Timestamp(cut)
    inside = (starts <= hi) & (ends >= lo)
    starts, ends = starts[inside], ends[inside]
    labels = [
        f"{s:{label}}" if label else fmt_range(s.date(), e.date())
        for s, e in zip(starts, ends, strict=True)
    ]
    clipped_starts = pd.DatetimeIndex(np.maximum(starts, lo))
    clipped_ends = pd.DatetimeIndex(np.minimum(ends, hi))
    running = f"{labels[-1]} to {fmt_date(cut)}" if len(ends) and ends[-1] > hi else None
    return Units(clipped_starts, clipped_ends, labels, noun, running)


def _record(series: Series) -> float | None:
    """The most a count metric counted on any one unit (day or week) of ``series``: what a
    unit not in the edition may add at most; None for a ratio or a count of days (bounded
    already) or with nothing known."""
    if series.metric.kind != "sum" or not series.known.any():
        return None
    return float(np.nanmax(series.unit_values()))


def _evaluate(series: Series, units: Units) -> Spans:
    """The metric on each unit: value, bounds, and the numbers of days (or weeks) known and
    not in the edition."""
    lo = series.units.searchsorted(units.starts, side="left")
    hi = np.maximum(lo, series.units.searchsorted(units.ends, side="right"))
    return series.spans(np.asarray(lo), np.asarray(hi))
