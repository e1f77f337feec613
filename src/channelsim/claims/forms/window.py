"""``form: window``: the largest total over any N consecutive days — "more than 3,000 in a
single week, the most in any seven days", "the week to 2 September was the busiest ever".

Every window of ``days`` consecutive days inside the span searched (``within``, default the
whole series to ``as_of``) is totalled; windows that include days not in the edition are
bounded. A claim may give the largest total (``comparison`` and ``figure``) and/or the day
the largest window ended (``ending``; a tie for the largest counts).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from channelsim.claims.base import ClaimBase, Finding, all_of, verdict_of
from channelsim.claims.data import DataEdition, Series, series_end, series_start
from channelsim.claims.measure import MaybeCompared, comparison_text, decide
from channelsim.claims.metrics import Verdict
from channelsim.claims.periods import MissingAsOf, Period
from channelsim.claims.text import fmt_date, fmt_days, fmt_range


class WindowClaim(ClaimBase, MaybeCompared):
    """The largest total of a daily count over any ``days`` consecutive days."""

    form: Literal["window"]
    days: int = Field(ge=1, le=366)
    within: Period | None = None
    ending: date | None = None

    @model_validator(mode="after")
    def _says_something(self) -> WindowClaim:
        if self.figure is None and self.ending is None:
            raise ValueError("key figure: give comparison and figure, or ending")
        if self.series.table != "daily" or self.series.kind == "ratio":
            raise ValueError("key metric: a window needs a daily count (SB_01)")
        return self

    def judge(self, edition: DataEdition, as_of: date | None) -> Finding:
        metric = self.series
        first = series_start(metric, edition)
        cut = as_of or series_end(metric, edition)
        try:
            start, end = self.within.bounds(as_of) if self.within else (first or cut, cut)
        except MissingAsOf:
            return Finding(
                None, Verdict.cannot_check, "The period runs to as_of, and none was given"
            )
        if first is None:
            return Finding(None, Verdict.cannot_check, f"No {metric.name} data in this edition")
        start, end = max(start, first), min(end, cut)
        series = Series.of(metric, edition, start, end, as_of)
        n = len(series.units) - self.days + 1
        if n < 1:
            return Finding(
                None,
                Verdict.cannot_check,
                f"{fmt_range(start, end)} is shorter than {fmt_days(self.days)}",
            )
        lo = np.arange(n)
        spans = series.spans(lo, lo + self.days)
        top = int(np.argmax(spans.value))
        largest_low, largest_high = float(spans.low.max()), float(spans.high.max())
        parts: list[bool | None] = []
        if self.figure is not None:
            parts.append(decide(largest_low, largest_high, self))
        own = None
        if self.ending is not None:
            own = int(series.units.searchsorted(np.datetime64(self.ending))) - self.days + 1
            if not 0 <= own < n:
                return Finding(
                    None,
                    Verdict.cannot_check,
                    f"the {fmt_days(self.days)} to {fmt_date(self.ending)} are not all within "
                    f"{fmt_range(start, end)}",
                )
            others = np.delete(np.arange(n), own)
            rival_high = float(spans.high[others].max()) if len(others) else -np.inf
            rival_low = float(spans.low[others].max()) if len(others) else -np.inf
            parts.append(
                True
                if spans.low[own] >= rival_high
                else False
                if spans.high[own] < rival_low
                else None
            )
        holds = all_of(parts)
        last = series.units[top + self.days - 1].date()
        words = metric.words(float(spans.value[top]))
        reason = (
            f"Data: the largest total over any {fmt_days(self.days)} from {fmt_date(start)} to "
            f"{fmt_date(end)} was {words}, in the {fmt_days(self.days)} "
            f"{fmt_range(last - timedelta(days=self.days - 1), last)}"
        )
        if (spans.high > spans.value).any():
            reason += "; windows with days not in this edition could be larger"
        if own is not None and own != top:
            reason += (
                f"; the {fmt_days(self.days)} to {fmt_date(self.ending or last)} had "
                f"{metric.words(float(spans.value[own]))}"
            )
        claimed = []
        if self.figure is not None:
            claimed.append(f"largest {comparison_text(self, True)}")
        if self.ending is not None:
            claimed.append(f"largest in the {fmt_days(self.days)} to {fmt_date(self.ending)}")
        return Finding(
            int(spans.value[top]), verdict_of(holds), reason + f"; claimed: {', '.join(claimed)}"
        )
