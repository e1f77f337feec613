"""Test public numeric claims about Channel crossings against the Home Office series.

A claim file (YAML) lists statements such as "more than 40,000 crossed in the past year";
each one names the series it rests on (``metric``), the unit the speaker used, a period, a
comparison and a figure. :func:`check_claims` turns each into a verdict with a one-line
reason that a reader can verify in the spreadsheet.

How the data limit a verdict. The publication is a national series that stops at the
edition's last day, and the prevention columns start with the week ending 5 May 2024. The
checker therefore works with *bounds*: the counts are non-negative, so data missing from a
period (before the series starts, after the edition ends, or after ``as_of``) can only add
to a total, and a claim about part of the coast (``area``) can only be smaller than the
national figure. A claim gets ``supported`` or ``not supported`` only when every value
consistent with the data gives the same answer; otherwise it ``cannot be checked with this
data`` and the reason says what is missing.

Which data. The claim is judged on the edition it is given (the latest edition among the
``--data`` files, or the store's latest data), counting only data dated on or before
``as_of``; the edition is reported with every result. To judge a claim on what was
published when it was made, pass that edition with ``--data``.

Periods and weeks. Daily series (arrivals, boats, days with crossings) count the days from
the period's start to its end (``as_of`` for periods that run to a date). Weekly series
(prevention, and arrivals plus prevention) count the weeks *ending* in the period, so a
week still running on ``as_of`` is left out; every reason names the first and last week
counted. A per-week average divides a daily total by the period's days / 7 and a weekly
total by the number of weeks counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from channelsim.data.publication import read_publication
from channelsim.data.store import DataStore
from channelsim.errors import InputError

# --------------------------------------------------------------------------------------
# Metrics and units
# --------------------------------------------------------------------------------------

Unit = Literal["people", "boats", "events", "days", "people per boat", "deaths"]

#: Words a speaker may use for a unit, mapped to the unit the data count.
UNIT_WORDS: dict[str, Unit] = {
    "people": "people",
    "migrants": "people",
    "persons": "people",
    "boats": "boats",
    "small boats": "boats",
    "events": "events",
    "attempts": "events",
    "crossing attempts": "events",
    "launches": "events",
    "days": "days",
    "crossing days": "days",
    "people per boat": "people per boat",
    "deaths": "deaths",
}


@dataclass(frozen=True)
class Metric:
    """How one metric is computed from the publication.

    ``table`` is ``daily`` or ``weekly``; ``columns`` are summed row by row; ``kind`` is
    ``sum`` (a count), ``days`` (days with at least one arrival) or ``ratio`` (first column
    over second, over the whole period).
    """

    name: str
    unit: Unit
    table: Literal["daily", "weekly", "none"]
    columns: tuple[str, ...]
    kind: Literal["sum", "days", "ratio"]
    phrase: str  # "{v} people{a_week} arrived": how the reason states the figure
    also: tuple[Unit, ...] = ()  # other units a speaker may rightly use ("60 people a boat")

    def counts(self, unit: Unit) -> bool:
        return unit == self.unit or unit in self.also


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "arrived_people", "people", "daily", ("people",), "sum", "{v} people{a_week} arrived"
        ),
        Metric("arrived_boats", "boats", "daily", ("boats",), "sum", "{v} boats{a_week} arrived"),
        Metric(
            "prevented_people",
            "people",
            "weekly",
            ("prevented_people",),
            "sum",
            "{v} people{a_week} were prevented from crossing",
        ),
        Metric(
            "prevented_events",
            "events",
            "weekly",
            ("prevented_events",),
            "sum",
            "{v} crossing attempts (events){a_week} were prevented",
        ),
        Metric(
            "attempted_people",
            "people",
            "weekly",
            ("people", "prevented_people"),
            "sum",
            "{v} people{a_week} arrived or were prevented from crossing",
        ),
        Metric(
            "people_per_boat",
            "people per boat",
            "daily",
            ("people", "boats"),
            "ratio",
            "boats carried {v} people on average",
            also=("people",),
        ),
        Metric(
            "days_with_crossings",
            "days",
            "daily",
            ("people",),
            "days",
            "people arrived on {v} days",
        ),
        # Named so that a claim about them is answered honestly, not rejected as a typo.
        Metric("deaths", "deaths", "none", (), "sum", "{v} people died"),
        Metric("returned_people", "people", "none", (), "sum", "{v} people were returned"),
    )
}

#: The series that counts what the speaker's unit names, for a reason under ``wrong unit``.
COMPANION: dict[tuple[str, Unit], str] = {
    ("prevented_people", "events"): "prevented_events",
    ("prevented_events", "people"): "prevented_people",
    ("arrived_people", "boats"): "arrived_boats",
    ("arrived_boats", "people"): "arrived_people",
}


class Verdict(StrEnum):
    supported = "supported"
    not_supported = "not supported"
    wrong_unit = "wrong unit"
    cannot_check = "cannot be checked with this data"


# --------------------------------------------------------------------------------------
# The claim file
# --------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PeriodBase(_Strict):
    per_week_average: bool = False
    as_of: date | None = None


class CalendarYear(_PeriodBase):
    kind: Literal["calendar_year"]
    year: int = Field(ge=2000, le=2100)

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        return date(self.year, 1, 1), date(self.year, 12, 31)

    def describe(self, as_of: date | None) -> str:
        return f"in {self.year}"


class YearToDate(_PeriodBase):
    kind: Literal["year_to_date"]

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        end = _need_as_of(as_of)
        return date(end.year, 1, 1), end

    def describe(self, as_of: date | None) -> str:
        end = _need_as_of(as_of)
        return f"in {end.year} to {end.day} {end:%b}"


class RollingMonths(_PeriodBase):
    kind: Literal["rolling_months"]
    months: int = Field(ge=1, le=120)

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        end = _need_as_of(as_of)
        start = (pd.Timestamp(end) - pd.DateOffset(months=self.months)).date() + timedelta(1)
        return start, end

    def describe(self, as_of: date | None) -> str:
        what = "month" if self.months == 1 else f"{self.months} months"
        return f"in the {what} to {fmt_date(_need_as_of(as_of))}"


class Since(_PeriodBase):
    kind: Literal["since"]
    start: date

    def bounds(self, as_of: date | None) -> tuple[date, date]:
        return self.start, _need_as_of(as_of)

    def describe(self, as_of: date | None) -> str:
        return f"from {fmt_date(self.start)} to {fmt_date(_need_as_of(as_of))}"


Period = Annotated[CalendarYear | YearToDate | RollingMonths | Since, Field(discriminator="kind")]


class _MissingAsOf(Exception):
    """Raised while evaluating a period that runs to ``as_of`` when none was given."""


def _need_as_of(as_of: date | None) -> date:
    if as_of is None:
        raise _MissingAsOf
    return as_of


class Claim(_Strict):
    """One public statement and the series, period and comparison it is tested on."""

    id: str = Field(min_length=1)
    quote: str
    speaker: str
    said_on: date | None = None
    source: str | None = None
    metric: str
    unit: str
    area: str | None = None  # part of the coast the claim is about; the data are national
    period: Period
    comparison: Literal["more_than", "over", "fewer_than", "about"]
    figure: float = Field(ge=0)
    tolerance_pct: float | None = Field(default=None, gt=0, le=100)
    note: str | None = None

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        if value not in METRICS:
            raise ValueError(f"unknown metric {value!r}; expected one of {', '.join(METRICS)}")
        return value

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value.strip().lower() not in UNIT_WORDS:
            raise ValueError(f"unknown unit {value!r}; expected one of {', '.join(UNIT_WORDS)}")
        return value.strip().lower()

    @model_validator(mode="after")
    def _tolerance_with_about(self) -> Claim:
        if self.comparison == "about" and self.tolerance_pct is None:
            raise ValueError("key tolerance_pct: needed with comparison 'about'")
        if self.comparison != "about" and self.tolerance_pct is not None:
            raise ValueError("key tolerance_pct: applies only to comparison 'about'")
        if self.period.per_week_average and METRICS[self.metric].kind != "sum":
            raise ValueError(
                "key period.per_week_average: applies to counts of people, boats or events"
            )
        return self


class ClaimFile(_Strict):
    """A YAML claim file: an optional default ``as_of`` and a list of claims."""

    title: str | None = None
    as_of: date | None = None
    claims: list[Claim] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids_and_dates(self) -> ClaimFile:
        seen: set[str] = set()
        for index, claim in enumerate(self.claims, start=1):
            where = f"claim {index} (id {claim.id})"
            if claim.id in seen:
                raise ValueError(f"{where}: duplicate id")
            seen.add(claim.id)
            if (
                claim.period.as_of is None
                and self.as_of is None
                and claim.period.kind != ("calendar_year")
            ):
                raise ValueError(
                    f"{where}, key period.as_of: needed for {claim.period.kind} "
                    "(or give a file-level as_of)"
                )
        return self


def _error_location(raw: Any, loc: tuple[int | str, ...]) -> str | None:
    """Name the claim (index from 1, and id) and the dotted key of a validation error."""
    if len(loc) >= 2 and loc[0] == "claims" and isinstance(loc[1], int):
        index = loc[1]
        claim = raw["claims"][index] if isinstance(raw, dict) else None
        ident = claim.get("id") if isinstance(claim, dict) else None
        # A discriminated union puts the period kind in the path: drop it.
        keys = [str(k) for k in loc[2:] if k not in _PERIOD_KINDS]
        who = f"claim {index + 1}" + (f" (id {ident})" if ident else "")
        return who + (f", key {'.'.join(keys)}" if keys else "")
    return f"key {'.'.join(str(k) for k in loc)}" if loc else None


_PERIOD_KINDS = {
    get_args(model.model_fields["kind"].annotation)[0]
    for model in (CalendarYear, YearToDate, RollingMonths, Since)
}


def load_claims(path: str | Path) -> ClaimFile:
    """Read and validate a claim file; any problem becomes one :class:`InputError` line."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(path, None, f"cannot read the claim file ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise InputError(path, where, "expected valid YAML") from None
    if not isinstance(raw, dict):
        raise InputError(path, "top level", "expected a mapping with a 'claims' list")
    try:
        return ClaimFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        raise InputError(path, _error_location(raw, tuple(first["loc"])), message) from None


# --------------------------------------------------------------------------------------
# The data a claim is checked against
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataEdition:
    """The publication data used for a check, with its provenance.

    ``daily`` has columns date, people, boats; ``weekly`` has week_ending, people, boats,
    prevented_people, prevented_events (nullable; <NA> = not published).
    """

    daily: pd.DataFrame
    weekly: pd.DataFrame
    edition_date: date
    file_name: str

    def as_dict(self) -> dict[str, str]:
        return {"date": self.edition_date.isoformat(), "file": self.file_name}

    def label(self) -> str:
        return f"{fmt_date(self.edition_date)} ({self.file_name})"


def data_from_files(paths: Sequence[str | Path]) -> DataEdition:
    """Read publication files; the one with the latest edition date is used (ties: last)."""
    if not paths:
        raise InputError(None, "--data", "expected at least one publication file")
    publications = [read_publication(path) for path in paths]
    latest = max(reversed(publications), key=lambda pub: pub.edition_date)
    return DataEdition(latest.daily, latest.weekly, latest.edition_date, latest.file_name)


def data_from_store(store: DataStore) -> DataEdition:
    """The store's figures (each date from the latest edition) and its latest edition."""
    daily, weekly = store.daily(), store.weekly()  # raise StoreError when empty
    latest = store.latest_edition()
    assert latest is not None  # daily() has checked that an edition is stored
    return DataEdition(daily, weekly, latest.edition_date, latest.file_name)


# --------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------


def fmt_date(day: date) -> str:
    """``22 Nov 2025``."""
    return f"{day.day} {day:%b %Y}"


def fmt_range(first: date, last: date) -> str:
    """``5 Jan–16 Nov 2025``, or ``23 Nov 2024–20 Nov 2025`` across years."""
    head = f"{first.day} {first:%b}" if first.year == last.year else fmt_date(first)
    return f"{head}–{fmt_date(last)}"


def fmt_number(value: float) -> str:
    """Whole numbers with thousands separators; others to one decimal place."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


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


@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one claim, ready for a table or JSON."""

    claim: Claim
    period: dict[str, Any]
    value: float | None
    verdict: Verdict
    reason: str
    edition: DataEdition

    def as_dict(self) -> dict[str, Any]:
        c = self.claim
        return {
            "id": c.id,
            "quote": c.quote,
            "speaker": c.speaker,
            "said_on": c.said_on,
            "source": c.source,
            "metric": c.metric,
            "unit": c.unit,
            "area": c.area,
            "period": self.period,
            "comparison": c.comparison,
            "figure": c.figure,
            "tolerance_pct": c.tolerance_pct,
            "value": self.value,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "edition": self.edition.as_dict(),
        }

    def row(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "speaker": self.claim.speaker,
            "value": self.value,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "edition": self.edition.label(),
        }


def _series(metric: Metric, edition: DataEdition) -> tuple[pd.DataFrame, str, str]:
    """The table a metric reads, its date column and its pandas frequency."""
    if metric.table == "daily":
        return edition.daily, "date", "D"
    return edition.weekly, "week_ending", "W-SUN"


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
    table, date_col, freq = _series(metric, edition)
    units = pd.date_range(start, end, freq=freq)
    if len(units) == 0:
        return None
    dates = pd.DatetimeIndex(pd.to_datetime(table[date_col]))
    frame = pd.DataFrame(
        {c: pd.array(table[c], dtype="Float64") for c in metric.columns}, index=dates
    )
    frame = frame[~frame.index.duplicated(keep="last")].reindex(units)
    if as_of is not None:
        frame.loc[frame.index > pd.Timestamp(as_of)] = pd.NA
    known = frame.notna().all(axis=1).to_numpy()
    if not known.any():
        return None
    values = frame[known]
    n_missing = int((~known).sum())
    if metric.kind == "ratio":
        people, boats = (float(values[c].sum()) for c in metric.columns)
        value = people / boats if boats > 0 else math.nan
        low, high = (value, value) if n_missing == 0 else (0.0, math.inf)
    elif metric.kind == "days":
        value = float((values[metric.columns[0]] > 0).sum())
        low, high = value, value + n_missing
    else:
        value = float(values.sum(axis=1).sum())
        low, high = value, (math.inf if n_missing else value)
    if per_week_average:
        days_per_unit = 1 if freq == "D" else 7
        weeks_known = int(known.sum()) * days_per_unit / 7
        weeks_all = len(units) * days_per_unit / 7
        value, low, high = value / weeks_known, low / weeks_all, high / weeks_all
    first, last = units[known][0].date(), units[known][-1].date()
    counted = ("days " if freq == "D" else "weeks ending ") + fmt_range(first, last)
    if freq != "D" and end.weekday() != 6 and (as_of is None or end <= as_of):
        running = end + timedelta(days=6 - end.weekday())
        counted += f"; the week ending {fmt_date(running)} had not ended and is not counted"
    gaps = _gaps(units[~known], table, date_col, metric, as_of)
    return Measure(value, low, high, counted, gaps)


def _gaps(
    missing: pd.DatetimeIndex,
    table: pd.DataFrame,
    date_col: str,
    metric: Metric,
    as_of: date | None,
) -> tuple[str, ...]:
    """Say why some days or weeks of the period have no data."""
    if len(missing) == 0:
        return ()
    word = "days" if metric.table == "daily" else "weeks"
    reasons = []
    if as_of is not None and (missing > pd.Timestamp(as_of)).any():
        after = int((missing > pd.Timestamp(as_of)).sum())
        reasons.append(f"{after} {word} of the period come after {fmt_date(as_of)}")
        missing = missing[missing <= pd.Timestamp(as_of)]
    dates = pd.to_datetime(table[date_col])
    recorded = dates[table[list(metric.columns)].notna().all(axis=1)]
    early = missing[missing < recorded.min()]
    late = missing[missing > dates.max()]
    if len(early):
        reasons.append(f"the series starts on {fmt_date(recorded.min().date())}")
    if len(late):
        reasons.append(
            f"this edition stops at {fmt_date(dates.max().date())}, so {len(late)} {word} "
            "of the period are not yet published"
        )
    if len(missing) > len(early) + len(late):
        reasons.append(f"{len(missing) - len(early) - len(late)} {word} are not recorded")
    return tuple(reasons)


def _decide(low: float, high: float, claim: Claim) -> bool | None:
    """True/False when every value in [low, high] gives the same answer, else None."""
    figure = claim.figure
    if claim.comparison in ("more_than", "over"):
        return True if low > figure else False if high <= figure else None
    if claim.comparison == "fewer_than":
        return True if high < figure else False if low >= figure else None
    band = figure * (claim.tolerance_pct or 0) / 100
    if low >= figure - band and high <= figure + band:
        return True
    if high < figure - band or low > figure + band:
        return False
    return None


def _comparison_text(claim: Claim, holds: bool | None) -> str:
    figure = fmt_number(claim.figure)
    if claim.comparison == "about":
        text = f"within {fmt_number(claim.tolerance_pct or 0)}% of {figure}"
    else:
        text = {"more_than": "more than", "over": "more than", "fewer_than": "fewer than"}[
            claim.comparison
        ] + f" {figure}"
    return text if holds else f"not {text}"


def _statement(metric: Metric, value: float, per_week_average: bool) -> str:
    """``41,230 people arrived`` or ``on average 1,316 people a week arrived``."""
    shown = fmt_number(round(value, 1) if metric.kind == "ratio" else round(value))
    text = metric.phrase.format(v=shown, a_week=" a week" if per_week_average else "")
    return f"on average {text}" if per_week_average else text


def period_dict(claim: Claim, as_of: date | None) -> dict[str, Any]:
    """The period as plain values for JSON, with its resolved start and end."""
    out: dict[str, Any] = claim.period.model_dump(mode="json", exclude_none=True)
    out["as_of"] = as_of.isoformat() if as_of else None
    try:
        start, end = claim.period.bounds(as_of)
        out.update(start=start.isoformat(), end=end.isoformat())
    except _MissingAsOf:
        pass
    return out


def evaluate(claim: Claim, edition: DataEdition, default_as_of: date | None = None) -> ClaimResult:
    """Judge one claim against one edition of the data."""
    metric = METRICS[claim.metric]
    as_of = claim.period.as_of or default_as_of
    period = period_dict(claim, as_of)

    def result(value: float | None, verdict: Verdict, reason: str) -> ClaimResult:
        return ClaimResult(claim, period, value, verdict, reason, edition)

    if metric.table == "none":
        return result(
            None,
            Verdict.cannot_check,
            f"The Home Office small-boat series does not count {metric.name.replace('_', ' ')}",
        )
    try:
        start, end = claim.period.bounds(as_of)
        when = claim.period.describe(as_of)
    except _MissingAsOf:
        return result(None, Verdict.cannot_check, "The period runs to as_of, and none was given")
    average = claim.period.per_week_average
    found = measure(metric, start, end, as_of, edition, average)
    if found is None:
        return result(
            None,
            Verdict.cannot_check,
            f"No {metric.name.replace('_', ' ')} data {when}"
            f" (the {fmt_date(edition.edition_date)} edition)",
        )
    if math.isnan(found.value):
        return result(None, Verdict.cannot_check, f"No boats arrived {when}")
    low, high = found.low, found.high
    if claim.area:  # part of the coast: anything from zero to the national figure
        low, high = 0.0, (math.inf if metric.kind == "ratio" else high)
    value = int(found.value) if found.value.is_integer() else round(found.value, 1)
    scope = "nationally, " if claim.area else ""
    data = f"Data: {scope}{_statement(metric, found.value, average)} {when} ({found.counted})"
    gaps = f"; {'; '.join(found.gaps)}" if found.gaps else ""
    said_unit = UNIT_WORDS[claim.unit]

    if not metric.counts(said_unit):
        holds = _decide(found.value, found.value, claim)
        reason = f"{data}, {_comparison_text(claim, holds)}{gaps}; but that series counts "
        reason += f"{metric.unit}, not {claim.unit}"
        other = COMPANION.get((metric.name, said_unit))
        alt = (
            None if other is None else measure(METRICS[other], start, end, as_of, edition, average)
        )
        if other is not None and alt is not None:
            where = (
                "the same " + found.counted.split(" ")[0]
                if alt.counted == found.counted
                else alt.counted
            )
            reason += f": {_statement(METRICS[other], alt.value, average)} in {where}"
        return result(value, Verdict.wrong_unit, reason)

    holds = _decide(low, high, claim)
    if holds is None:
        why = list(found.gaps)
        if claim.area:
            why.append(f"the series is national, not by beach or area ({claim.area})")
        return result(
            value,
            Verdict.cannot_check,
            f"{data}; {'; '.join(why)}, and what is missing could change the answer",
        )
    verdict = Verdict.supported if holds else Verdict.not_supported
    reason = f"{data}, {_comparison_text(claim, holds)}"
    if claim.area:
        reason += (
            f"; the series is national, not by beach or area, so {claim.area} cannot be "
            "counted apart, but a part of the coast cannot exceed the whole"
        )
    if found.gaps:
        reason += f"; {'; '.join(found.gaps)}, which cannot change the answer"
    return result(value, verdict, reason)


def check_claims(claims: ClaimFile, edition: DataEdition) -> list[ClaimResult]:
    """Judge every claim of a file against one edition."""
    return [evaluate(claim, edition, claims.as_of) for claim in claims.claims]
