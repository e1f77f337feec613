"""The series a claim can rest on, the units a speaker may use for them, and the questions
the publication cannot answer (with the reason given to the reader)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from channelsim.claims.text import fmt_number

Unit = Literal["people", "boats", "events", "days", "people per boat", "deaths", "share"]

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
    "share": "share",
    "percent": "share",
}


class Verdict(StrEnum):
    supported = "supported"
    not_supported = "not supported"
    wrong_unit = "wrong unit"
    cannot_check = "cannot be checked with this data"


@dataclass(frozen=True)
class Metric:
    """How one metric is computed from the publication.

    ``table`` is ``daily`` (SB_01) or ``weekly`` (SB_02), or ``none`` for a question the
    publication cannot answer (``why_not`` then says why); ``columns`` are summed row by row;
    ``kind`` is ``sum`` (a count), ``days`` (days with at least one arrival) or ``ratio``
    (first column over the sum of the others, over the whole period, times ``scale``: 100
    for a share in per cent).
    """

    name: str
    unit: Unit
    table: Literal["daily", "weekly", "none"]
    columns: tuple[str, ...]
    kind: Literal["sum", "days", "ratio"]
    phrase: str  # "{v} people{a_week} arrived": how the reason states the figure
    also: tuple[Unit, ...] = ()  # other units a speaker may rightly use ("60 people a boat")
    why_not: str = ""
    scale: float = 1.0

    def counts(self, unit: Unit) -> bool:
        return unit == self.unit or unit in self.also

    @property
    def checkable(self) -> bool:
        return self.table != "none"

    def words(self, value: float) -> str:
        """``1,195 people`` — the figure with its unit, as a reason writes it."""
        shown = fmt_number(round(value, 1) if self.kind == "ratio" else round(value))
        if self.kind == "days":
            return f"{shown} crossing {'day' if shown == '1' else 'days'}"
        if self.unit == "share":
            return f"{shown}%"
        return f"{shown} {self.unit}"


_SERIES = "The Home Office series gives each day's total people and boats arrived"

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
            "prevented_share",
            "share",
            "weekly",
            ("prevented_people", "people", "prevented_people"),
            "ratio",
            "{v}% of the people who tried to cross{a_week} were prevented",
            scale=100.0,
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
        Metric(
            "deaths",
            "deaths",
            "none",
            (),
            "sum",
            "{v} people died",
            why_not="The Home Office small-boat series does not count deaths",
        ),
        Metric(
            "returned_people",
            "people",
            "none",
            (),
            "sum",
            "{v} people were returned",
            why_not="The Home Office small-boat series does not count returned people",
        ),
        Metric(
            "share_of_boats_by_occupancy",
            "share",
            "none",
            (),
            "sum",
            "{v}",
            why_not=(
                f"{_SERIES}, not the number aboard each boat, so the share of boats carrying a "
                "given number of people cannot be computed (a day's people per boat is an "
                "average and says nothing about its fullest boat)"
            ),
        ),
        Metric(
            "nationality",
            "people",
            "none",
            (),
            "sum",
            "{v}",
            why_not=f"{_SERIES}, not their nationalities",
        ),
        Metric(
            "departure_area",
            "people",
            "none",
            (),
            "sum",
            "{v}",
            why_not=(
                f"{_SERIES} nationally, not by beach or area of departure, so no figure for "
                "part of the coast can be computed"
            ),
        ),
    )
}

#: The series that counts what the speaker's unit names, for a reason under ``wrong unit``.
COMPANION: dict[tuple[str, Unit], str] = {
    ("prevented_people", "events"): "prevented_events",
    ("prevented_events", "people"): "prevented_people",
    ("arrived_people", "boats"): "arrived_boats",
    ("arrived_boats", "people"): "arrived_people",
    ("prevented_people", "share"): "prevented_share",
    ("attempted_people", "share"): "prevented_share",
}
