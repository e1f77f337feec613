"""The periods a claim names: each resolves to the first and last day it covers, given the
date the claim is checked at (``as_of``), and describes itself for the reason line."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from channelsim.claims.text import fmt_date, fmt_days, fmt_range

#: A year a claim may name (the publication holds dates from 2000 to 2099).
Year = Annotated[int, Field(ge=2000, le=2099)]


class Strict(BaseModel):
    """A part of the claim file: unknown keys are errors, values are frozen, numbers finite
    (YAML reads ``1e400`` as infinity)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class MissingAsOf(Exception):
    """Raised while resolving a period that runs to ``as_of`` when none was given."""


def need_as_of(as_of: date | None) -> date:
    if as_of is None:
        raise MissingAsOf
    return as_of


def shift_years(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 Feb becomes 28 Feb)."""
    return (pd.Timestamp(day) - pd.DateOffset(years=years)).date()


class PeriodBase(Strict):
    per_week_average: bool = False
    as_of: date | None = None

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        raise NotImplementedError

    def describe(self, as_of: date | None) -> str:
        raise NotImplementedError


class CalendarYear(PeriodBase):
    """A calendar year: 1 Jan–31 Dec."""

    kind: Literal["calendar_year"]
    year: Year

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        return date(self.year, 1, 1), date(self.year, 12, 31)

    def describe(self, as_of: date | None) -> str:
        return f"in {self.year}"


class YearToDate(PeriodBase):
    """1 Jan of the year of ``as_of`` to ``as_of``."""

    kind: Literal["year_to_date"]

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        end = need_as_of(as_of)
        return date(end.year, 1, 1), end

    def describe(self, as_of: date | None) -> str:
        end = need_as_of(as_of)
        return f"in {end.year} to {end.day} {end:%b}"


class RollingMonths(PeriodBase):
    """The ``months`` months to ``as_of`` (12 months to 22 Nov 2025 = 23 Nov 2024–22 Nov 2025)."""

    kind: Literal["rolling_months"]
    months: int = Field(ge=1, le=120)

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        end = need_as_of(as_of)
        start = (pd.Timestamp(end) - pd.DateOffset(months=self.months)).date() + timedelta(1)
        return start, end

    def describe(self, as_of: date | None) -> str:
        what = "month" if self.months == 1 else f"{self.months} months"
        return f"in the {what} to {fmt_date(need_as_of(as_of))}"


class RollingDays(PeriodBase):
    """The ``days`` days to ``as_of`` ("in the past week": 7)."""

    kind: Literal["rolling_days"]
    days: int = Field(ge=1, le=3660)

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        end = need_as_of(as_of)
        return end - timedelta(days=self.days - 1), end

    def describe(self, as_of: date | None) -> str:
        return f"in the {fmt_days(self.days)} to {fmt_date(need_as_of(as_of))}"


class Since(PeriodBase):
    """``start`` to ``as_of``, or the ``days`` days from ``start`` ("the 150 days after")."""

    kind: Literal["since"]
    start: date
    days: int | None = Field(default=None, ge=1, le=3660)

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        if self.days is not None:
            return self.start, self.start + timedelta(days=self.days - 1)
        return self.start, need_as_of(as_of)

    def describe(self, as_of: date | None) -> str:
        if self.days is not None:
            return f"in the {fmt_days(self.days)} from {fmt_date(self.start)}"
        return f"from {fmt_date(self.start)} to {fmt_date(need_as_of(as_of))}"


class Month(PeriodBase):
    """A calendar month, written ``YYYY-MM``."""

    kind: Literal["month"]
    month: str

    @field_validator("month")
    @classmethod
    def _a_month(cls, month: str) -> str:
        """``2025-13`` is refused in words ("there is no month 13"), not by a pattern."""
        found = re.fullmatch(r"(\d{4})-(\d{2})", month)
        if found is None:
            raise ValueError(f"expected a month written YYYY-MM, got {month!r}")
        if not 1 <= int(found[2]) <= 12:
            raise ValueError(f"there is no month {int(found[2])} (in {month!r})")
        if not 2000 <= int(found[1]) <= 2099:
            raise ValueError(f"expected a month from 2000-01 to 2099-12, got {month!r}")
        return month

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        start = pd.Timestamp(f"{self.month}-01")
        return start.date(), (start + pd.offsets.MonthEnd(0)).date()

    def describe(self, as_of: date | None) -> str:
        start = pd.Timestamp(f"{self.month}-01")
        return f"in {start:%B %Y}"


class Between(PeriodBase):
    """``start`` to ``end``, both included (a first half: 1 Jan–30 Jun)."""

    kind: Literal["between"]
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Between:
        if self.end < self.start:
            raise ValueError(f"key end: expected a date on or after start ({self.start})")
        return self

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        return self.start, self.end

    def describe(self, as_of: date | None) -> str:
        return f"in {fmt_range(self.start, self.end)}"


PERIOD_TYPES = (CalendarYear, YearToDate, RollingMonths, RollingDays, Since, Month, Between)
AnyPeriod = CalendarYear | YearToDate | RollingMonths | RollingDays | Since | Month | Between
Period = Annotated[AnyPeriod, Field(discriminator="kind")]
