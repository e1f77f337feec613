"""``form: total`` (the default): a metric over one period compared with a figure —
"more than 40,000 crossed in the past year", "fewer than 1,000 boats this year"."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

from pydantic import model_validator

from channelsim.claims.base import ClaimBase, Finding, verdict_of
from channelsim.claims.data import DataEdition
from channelsim.claims.measure import (
    Compared,
    comparison_text,
    decide,
    measure,
    rounded,
    statement,
)
from channelsim.claims.metrics import COMPANION, METRICS, Verdict
from channelsim.claims.periods import MissingAsOf, Period
from channelsim.claims.text import fmt_date


class PeriodClaim(ClaimBase):
    """A claim about a metric over a period; the period's ``as_of`` is the claim's own."""

    period: Period

    def own_as_of(self) -> date | None:
        return self.period.as_of or self.as_of

    def needs_as_of(self) -> bool:
        try:
            self.period.bounds(None)
        except MissingAsOf:
            return True
        return False

    @model_validator(mode="after")
    def _average_of_counts(self) -> PeriodClaim:
        if self.period.per_week_average and self.series.kind != "sum":
            raise ValueError(
                "key period.per_week_average: applies to counts of people, boats or events"
            )
        return self


class TotalClaim(PeriodClaim, Compared):
    """A total (or a weekly average, or people per boat) over a period against a figure."""

    form: Literal["total"] = "total"

    @property
    def _share_of(self) -> str | None:
        """The share metric a claim in per cent of a count is about (None: it is not)."""
        return COMPANION.get((self.series.name, "share")) if self.said_unit == "share" else None

    @property
    def value_unit(self) -> str:
        return "share" if self._share_of else self.series.unit

    def _in_per_cent(self) -> TotalClaim | None:
        """The claim with its figure in per cent when it gives a share as a fraction (a
        figure from 0 to 1 about a share, its unit not ``percent``: "prevented_share 0.287",
        "0.287 of attempts"), which was read as 0.287% (s13 re-trial); None otherwise. A
        figure with the unit ``percent`` is taken as written: 0.5 percent is 0.5%. Its
        ``tolerance`` is scaled with it when below 1, and read in percentage points from 1."""
        shares = self.series.unit == "share" or self._share_of is not None
        if not shares or self.unit == "percent" or not 0 < self.figure <= 1:
            return None
        # a tolerance below 1 is a fraction too (0.01: one point); from 1 up it can only be
        # percentage points (a tolerance of 1 as a fraction, 100 points, would support any
        # share: the s14 re-trial's "90%" judged supported against 27.9%)
        tolerance = self.tolerance
        if tolerance is not None and tolerance < 1:
            tolerance *= 100
        return self.model_copy(
            update={"figure": self.figure * 100, "tolerance": tolerance, "unit": "percent"}
        )

    def judge(self, edition: DataEdition, as_of: date | None) -> Finding:
        in_per_cent = self._in_per_cent()
        if in_per_cent is not None:  # a fraction of a share: the same claim in per cent
            judged = in_per_cent.judge(edition, as_of)
            note = f"the figure {self.figure:g} read as a fraction: {in_per_cent.figure:g}%"
            return Finding(judged.value, judged.verdict, f"{judged.reason}; {note}")
        metric = self.series
        share = self._share_of
        if share is not None:  # a count is never a share: the claim is of the share's series
            judged = self.model_copy(update={"metric": share}).judge(edition, as_of)
            note = f"judged as a share ({metric.name} counts {metric.unit}; metric {share})"
            return Finding(judged.value, judged.verdict, f"{judged.reason}; {note}")
        try:
            start, end = self.period.bounds(as_of)
            when = self.period.describe(as_of)
        except MissingAsOf:
            return Finding(
                None, Verdict.cannot_check, "The period runs to as_of, and none was given"
            )
        average = self.period.per_week_average
        found = measure(metric, start, end, as_of, edition, average)
        if found is None:
            return Finding(
                None,
                Verdict.cannot_check,
                f"No {metric.name.replace('_', ' ')} data {when}"
                f" (the {fmt_date(edition.edition_date)} edition)",
            )
        if math.isnan(found.value):
            return Finding(None, Verdict.cannot_check, f"No boats arrived {when}")
        low, high = found.low, found.high
        if self.area:  # part of the coast: anything from zero to the national figure
            low, high = 0.0, (math.inf if metric.kind == "ratio" else high)
        value = rounded(found.value)
        scope = "nationally, " if self.area else ""
        data = f"Data: {scope}{statement(metric, found.value, average)} {when} ({found.counted})"
        gaps = f"; {'; '.join(found.gaps)}" if found.gaps else ""

        if not metric.counts(self.said_unit):
            holds = decide(found.value, found.value, self)
            reason = f"{data}, {comparison_text(self, holds)}{gaps}; but that series counts "
            reason += f"{metric.unit}, not {self.unit}"
            other = COMPANION.get((metric.name, self.said_unit))
            alt = (
                None
                if other is None
                else measure(METRICS[other], start, end, as_of, edition, average)
            )
            if other is not None and alt is not None:
                where = (
                    "the same " + found.counted.split(" ")[0]
                    if alt.counted == found.counted
                    else alt.counted
                )
                reason += f": {statement(METRICS[other], alt.value, average)} in {where}"
            # "wrong unit" is the speaker's number matching a series that counts something
            # else; a number that fails in that series too is not supported, the unit aside
            return Finding(value, Verdict.wrong_unit if holds else Verdict.not_supported, reason)

        holds = decide(low, high, self)
        if holds is None:
            why = list(found.gaps)
            if self.area:
                why.append(f"the series is national, not by beach or area ({self.area})")
            return Finding(
                value,
                Verdict.cannot_check,
                f"{data}; {'; '.join(why)}, and what is missing could change the answer",
            )
        reason = f"{data}, {comparison_text(self, holds)}"
        if self.area:
            reason += (
                f"; the series is national, not by beach or area, so {self.area} cannot be "
                "counted apart, but a part of the coast cannot exceed the whole"
            )
        if found.gaps:
            reason += f"; {'; '.join(found.gaps)}, which cannot change the answer"
        return Finding(value, verdict_of(holds), reason)
