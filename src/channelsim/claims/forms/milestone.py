"""``form: milestone``: the day a year's running total first reached a figure, and whether
that was earlier in the year than in any earlier year — "crossings passed 25,000 on
4 August, the earliest point in any year".

A running total "passes" N on the first day it is at least N. Days not in the edition leave
that day uncertain (it could come as soon as the first unknown day); the verdict is given
only when the uncertainty cannot change it. "Earliest" compares calendar dates (day and
month) with every earlier year in the series that reached the figure.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from channelsim.claims.base import ClaimBase, Finding, all_of, verdict_of
from channelsim.claims.data import DataEdition, Series, series_end, series_start
from channelsim.claims.metrics import Verdict
from channelsim.claims.periods import Year
from channelsim.claims.text import fmt_date, fmt_number

# a running total of people, boats or events in one year: the record is 45,755 people (2022);
# the bound only keeps a mistyped figure (1e300) from being judged and printed in full
MAX_THRESHOLD = 10_000_000
Passing = tuple[date | None, date | None]  # the earliest and latest possible day, None = not


class MilestoneClaim(ClaimBase):
    """The running total of ``year`` reached ``threshold`` on a day (``reached_on``), by a
    day (``reached_by``), and/or ``earliest`` (in the calendar year) of all years in the
    series so far."""

    form: Literal["milestone"]
    threshold: float = Field(gt=0, le=MAX_THRESHOLD)
    year: Year
    reached_on: date | None = None
    reached_by: date | None = None
    earliest: bool | None = None

    @property
    def value_unit(self) -> str:
        return "date"  # the day the threshold was passed

    @model_validator(mode="after")
    def _says_something(self) -> MilestoneClaim:
        if self.reached_on is None and self.reached_by is None and self.earliest is None:
            raise ValueError(
                "key reached_on: give reached_on, reached_by or earliest (what is claimed)"
            )
        if self.series.kind != "sum":
            raise ValueError("key metric: a milestone needs a count (people, boats or events)")
        return self

    def judge(self, edition: DataEdition, as_of: date | None) -> Finding:
        metric = self.series
        first = series_start(metric, edition)
        cut = as_of or series_end(metric, edition)
        if first is None or first > date(self.year, 12, 31) or cut < date(self.year, 1, 1):
            return Finding(None, Verdict.cannot_check, f"No {metric.name} data for {self.year}")
        series = Series.of(
            metric, edition, date(first.year, 1, 1), min(cut, date(self.year, 12, 31)), as_of
        )
        passing = {
            year: _passing(series, year, self.threshold)
            for year in range(first.year, self.year + 1)
        }
        early, late = passing[self.year]
        last_day = min(cut, date(self.year, 12, 31))
        parts: list[bool | None] = []
        if self.reached_on is not None:
            parts.append(_on(self.reached_on, early, late, last_day))
        if self.reached_by is not None:
            parts.append(_by(self.reached_by, early, late, last_day))
        earlier = {y: p for y, p in passing.items() if y < self.year and y >= first.year}
        if self.earliest is not None:
            first_ever = _earliest(early, late, last_day, earlier)
            parts.append(None if first_ever is None else first_ever == self.earliest)
        holds = all_of(parts)
        reason = self._reason(series, early, late, earlier, last_day)
        return Finding(
            late.isoformat() if late is not None and late == early else None,
            verdict_of(holds),
            reason,
        )

    def _reason(
        self,
        series: Series,
        early: date | None,
        late: date | None,
        earlier: dict[int, Passing],
        last_day: date,
    ) -> str:
        metric, figure = series.metric, fmt_number(self.threshold)
        noun = f"the {self.year} running total of {metric.unit}"
        if late is not None and late == early:
            when = f"reached {figure} on {fmt_date(late)}"
        elif late is not None:
            when = f"reached {figure} between {fmt_date(early or late)} and {fmt_date(late)}"
        elif early is not None:
            when = (
                f"had not reached {figure} in the published days to {fmt_date(last_day)}, "
                f"and could have from {fmt_date(early)} on days not in this edition"
            )
        else:
            when = f"had not reached {figure} by {fmt_date(last_day)}"
        text = f"Data: {noun} {when}"
        reached = {y: p[1] for y, p in earlier.items() if p[1] is not None}
        if earlier:
            listed = ", ".join(
                f"{y} on {d.day} {d:%b}"
                for y, d in sorted(reached.items(), key=lambda i: _md(i[1]))
            )
            never = [str(y) for y in earlier if earlier[y][1] is None]
            text += f"; earlier years: {listed or 'none reached it'}"
            if never and listed:
                text += f" ({', '.join(never)} never did)"
        claimed = []
        if self.reached_on is not None:
            claimed.append(f"on {fmt_date(self.reached_on)}")
        if self.reached_by is not None:
            claimed.append(f"by {fmt_date(self.reached_by)}")
        if self.earliest is not None:
            claimed.append("the earliest year" if self.earliest else "not the earliest year")
        return text + f"; claimed: {', '.join(claimed)}"


def _passing(series: Series, year: int, threshold: float) -> Passing:
    """The earliest and latest day on which ``year``'s running total can first have reached
    ``threshold`` (None: it cannot have / it has not for sure)."""
    in_year = np.flatnonzero(series.units.year == year)
    if len(in_year) == 0:
        return None, None
    known = series.known[in_year]
    values = np.where(known, np.nansum(series.values[in_year], axis=1), 0.0)
    low = np.cumsum(values)
    high = np.where(np.cumsum(~known) > 0, np.inf, low)
    days = series.units[in_year]

    def first(reached: np.ndarray) -> date | None:
        hits = np.flatnonzero(reached)
        return days[hits[0]].date() if len(hits) else None

    return first(high >= threshold), first(low >= threshold)


def _on(day: date, early: date | None, late: date | None, last: date) -> bool | None:
    if early is not None and early == late:
        return day == late
    if early is not None and day < early:
        return False
    if late is not None and day > late:
        return False
    if early is None:  # not reached, and every day to `last` is known
        return False if day <= last else None
    return None


def _by(day: date, early: date | None, late: date | None, last: date) -> bool | None:
    if late is not None and late <= day:
        return True
    if early is None:
        return False if day <= last else None
    return False if early > day else None


def _md(day: date) -> tuple[int, int]:
    return day.month, day.day


def _earliest(
    early: date | None, late: date | None, last: date, earlier: dict[int, Passing]
) -> bool | None:
    """Whether the year reached the figure earlier in the calendar than every earlier year."""
    soonest = [_md(p[0]) for p in earlier.values() if p[0] is not None]
    latest_known = [_md(p[1]) for p in earlier.values() if p[1] is not None]
    if not soonest:
        return True if late is not None else None
    if late is not None and _md(late) < min(soonest):
        return True
    if early is not None and latest_known and _md(early) >= min(latest_known):
        return False
    if early is None and latest_known and _md(last) >= min(latest_known):
        return False
    return None
