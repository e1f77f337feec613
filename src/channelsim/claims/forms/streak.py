"""``form: streak``: runs of consecutive days with crossings, or without — "no crossings
for 12 days, the longest gap in seven years", "crossings on 10 days in a row".

A day with a crossing is a day with at least one person arrived (SB_01). The run claimed is
the one that contains ``date`` (default: the check date, so "the current run"); a run still
going on ``as_of`` counts to that day. Days not in the edition could extend a run, so the
run's length is then a lower bound. "Longest since D" means no run of the same kind that
started on or after D and ended before this one was as long.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
from pydantic import model_validator

from channelsim.claims.base import ClaimBase, Finding, all_of, verdict_of
from channelsim.claims.data import DataEdition, Series, series_end, series_start
from channelsim.claims.measure import MaybeCompared, decide
from channelsim.claims.metrics import METRICS, Verdict
from channelsim.claims.text import fmt_date, fmt_days, fmt_range


@dataclass(frozen=True)
class Run:
    """A run of days: first and last day, and whether unknown days touch its ends."""

    first: date
    last: date
    open_end: bool

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


class StreakClaim(ClaimBase, MaybeCompared):
    """A run of days ``with_crossings`` or ``without_crossings``: its length compared with
    ``figure`` (in days), and/or that it is the longest since ``longest_since`` (or on
    record, ``longest_on_record: true``)."""

    form: Literal["streak"]
    metric: str = "days_with_crossings"
    unit: str = "days"
    of: Literal["with_crossings", "without_crossings"]
    date: dt.date | None = None
    longest_since: dt.date | None = None
    longest_on_record: bool = False

    @property
    def value_unit(self) -> str:
        return "days"  # the streak's length

    @model_validator(mode="after")
    def _says_something(self) -> StreakClaim:
        if self.figure is None and self.longest_since is None and not self.longest_on_record:
            raise ValueError("key figure: give figure, longest_since or longest_on_record")
        if (self.figure is None) != (self.comparison is None):
            raise ValueError("key comparison: give comparison and figure together")
        if self.metric != "days_with_crossings":
            raise ValueError("key metric: a streak is about days_with_crossings")
        return self

    def judge(self, edition: DataEdition, as_of: dt.date | None) -> Finding:
        metric = METRICS["days_with_crossings"]
        first = series_start(metric, edition)
        cut = as_of or series_end(metric, edition)
        day = self.date or cut
        if first is None or not first <= day <= cut:
            return Finding(None, Verdict.cannot_check, f"{fmt_date(day)} is outside the data")
        series = Series.of(metric, edition, first, cut, as_of)
        state = np.where(series.known, series.values[:, 0] > 0, np.nan)
        want = 1.0 if self.of == "with_crossings" else 0.0
        index = int(series.units.searchsorted(np.datetime64(day)))
        kind = "with" if want else "without"
        if np.isnan(state[index]):
            last = series_end(metric, edition)
            return Finding(
                None,
                Verdict.cannot_check,
                f"{fmt_date(day)} is not in this edition (it stops at {fmt_date(last)})",
            )
        if state[index] != want:
            return Finding(
                0,
                Verdict.not_supported,
                f"Data: {fmt_date(day)} is not a day {kind} crossings",
            )
        runs = _runs(state, want, series.units[0].date())
        run = next(r for r in runs if r.first <= day <= r.last)
        before = [r for r in runs if r.last < run.first]
        parts: list[bool | None] = []
        if self.figure is not None:
            high = np.inf if run.open_end else run.days
            parts.append(decide(run.days, high, self))
        since = first if self.longest_on_record else self.longest_since
        rival = _longest_rival(before, run)
        if since is not None:
            as_long = [r for r in before if r.first >= since and r.days >= run.days]
            parts.append(True if not as_long else None if run.open_end else False)
        holds = all_of(parts)
        reason = self._reason(run, rival, first, kind, before[-1].last if before else None)
        return Finding(run.days, verdict_of(holds), reason)

    def _reason(
        self, run: Run, rival: Run | None, first: dt.date, kind: str, before_last: dt.date | None
    ) -> str:
        """The run, and the last earlier one at least as long (``rival``), unless it is the
        run just before (``before_last``: its last day), when "the longest since" it is
        empty (s11 T7: a 3-day run "the longest since" the 14-day run three days before)."""
        length = fmt_days(run.days) + (" or more" if run.open_end else "")
        text = (
            f"Data: the run of days {kind} crossings containing {fmt_date(self.date or run.last)}"
        )
        text += f" lasted {length} ({fmt_range(run.first, run.last)})"
        if rival is None:
            text += f"; the longest on record (since {fmt_date(first)})"
        elif rival.last == before_last:  # "the longest since" the run just before says nothing
            text += (
                f"; the run before it, {fmt_range(rival.first, rival.last)}, lasted "
                f"{fmt_days(rival.days)}"
            )
        else:
            text += (
                f"; the longest since the {rival.days}-day run of "
                f"{fmt_range(rival.first, rival.last)}"
            )
        claimed = []
        if self.figure is not None and self.comparison is not None:
            claimed.append(f"{self.comparison.replace('_', ' ')} {fmt_days(self.figure)}")
        if self.longest_on_record:
            claimed.append("the longest on record")
        elif self.longest_since is not None:
            claimed.append(f"the longest since {fmt_date(self.longest_since)}")
        return text + f"; claimed: {', '.join(claimed)}"


def _runs(state: np.ndarray, want: float, first: date) -> list[Run]:
    """Maximal runs of ``want``; a run touching an unknown day is open there."""
    runs: list[Run] = []
    start: int | None = None
    for i, value in enumerate([*state.tolist(), -1.0]):
        if value == want and start is None:
            start = i
        elif value != want and start is not None:
            touches = (i < len(state) and np.isnan(value)) or (
                start > 0 and np.isnan(state[start - 1])
            )
            runs.append(
                Run(first + timedelta(days=start), first + timedelta(days=i - 1), bool(touches))
            )
            start = None
    return runs


def _longest_rival(before: list[Run], run: Run) -> Run | None:
    """The last earlier run at least as long as ``run`` (None: none on record)."""
    as_long = [r for r in before if r.days >= run.days]
    return as_long[-1] if as_long else None
