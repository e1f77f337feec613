"""Test public numeric claims about Channel crossings against the Home Office series.

A claim file (YAML) lists statements such as "more than 40,000 crossed in the past year" or
"down 42% on last year"; each names the series it rests on (``metric``), the unit the speaker
used and what it claims, in one of the forms of :mod:`channelsim.claims.forms`: a total over
a period, a change between two periods, a rank among days or periods, a milestone, a streak
of days, or the largest total over any window of days. :func:`check_claims` gives each claim a
verdict — supported, not supported, wrong unit, or cannot be checked with this data — with a
one-line reason that gives the computed value(s) and the comparison, so that a reader can
verify it in the spreadsheet.

How the data limit a verdict. The publication is a national series that stops at the
edition's last day, and the prevention columns start with the week ending 5 May 2024. The
checker therefore works with *bounds*: counts are non-negative, so data missing from a period
(before the series starts, after the edition ends, or not in the edition by ``as_of``) can only
add to a total, and a claim about part of the coast (``area``) can only be smaller than the
national figure. A claim gets ``supported`` or ``not supported`` only when every value
consistent with the data gives the same answer; otherwise it ``cannot be checked with this
data`` and the reason says what is missing. Questions the series cannot answer at all (deaths,
nationality, departures by beach, the share of boats carrying 60 or more) get that verdict and
the reason.

Which data: see :mod:`channelsim.claims.check` ("as published then" and "as revised").

Periods and weeks. Daily series (arrivals, boats, days with crossings) count the days from the
period's start to its end (``as_of`` for periods that run to a date). Weekly series
(prevention, and arrivals plus prevention) count the weeks *ending* in the period, so a week
still running on ``as_of`` is left out (SB_02 ends on the last complete week); every reason
names the first and last week counted. A per-week average divides a daily total by the
period's days / 7 and a weekly total by the number of weeks counted.
"""

from channelsim.claims.base import ClaimBase, Finding
from channelsim.claims.check import ClaimResult, Judgement, check_claims, evaluate, judge
from channelsim.claims.data import (
    DataEdition,
    Editions,
    data_from_files,
    data_from_store,
    editions_from_files,
    editions_from_store,
)
from channelsim.claims.measure import Measure, measure
from channelsim.claims.metrics import METRICS, UNIT_WORDS, Metric, Verdict
from channelsim.claims.model import FORMS, Claim, ClaimFile, load_claims, parse_claim
from channelsim.claims.text import fmt_date, fmt_number, fmt_range

__all__ = [
    "FORMS",
    "METRICS",
    "UNIT_WORDS",
    "Claim",
    "ClaimBase",
    "ClaimFile",
    "ClaimResult",
    "DataEdition",
    "Editions",
    "Finding",
    "Judgement",
    "Measure",
    "Metric",
    "Verdict",
    "check_claims",
    "data_from_files",
    "data_from_store",
    "editions_from_files",
    "editions_from_store",
    "evaluate",
    "fmt_date",
    "fmt_number",
    "fmt_range",
    "judge",
    "load_claims",
    "measure",
    "parse_claim",
]
