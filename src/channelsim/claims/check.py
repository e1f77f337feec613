"""Judging claims: each claim against the edition published on or before the day it was made
("as published then") and against the latest figures ("as revised").

A count quoted from that week's edition was right when said even if a later edition revised
it, so the verdict shown first is the one as published then; when the revised figures give a
different value or verdict, both are shown. With no edition published by the claim's date
(or no date on the claim), the claim is judged on the revised figures alone. When the latest
edition loaded that was published by the claim's date is more than a week older than that
date, the verdict shown first is the one on the latest figures: the Home Office publishes
weekly, so a later edition was out by then and the days it held are missing from the
editions loaded, not from the world (:attr:`ClaimResult.short`). Which edition heads the
verdict depends on the claim's date and the editions loaded only, never on the claim: two
claims said on the same day are judged on the same edition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from channelsim.claims.base import ClaimBase, Finding
from channelsim.claims.data import DataEdition, Editions
from channelsim.claims.forms.total import PeriodClaim, TotalClaim
from channelsim.claims.metrics import Verdict
from channelsim.claims.model import ClaimFile
from channelsim.claims.periods import MissingAsOf
from channelsim.claims.text import fmt_date

#: Days between two editions of the publication: the Home Office publishes it weekly
#: (gov.uk, "Migrants detected crossing the English Channel in small boats – time series";
#: the official data README). An edition loaded that is older than this on the claim's day
#: was not the latest published then.
PUBLISHED_EVERY_DAYS = 7

#: The edition column and source of a claim about what the series does not count.
NO_EDITION = "none used (the series does not count this)"


@dataclass(frozen=True)
class Judgement:
    """A finding and the edition it was made on."""

    finding: Finding
    edition: DataEdition

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.finding.value,
            "verdict": self.finding.verdict.value,
            "reason": self.finding.reason,
            "edition": self.edition.as_dict(),
        }


@dataclass(frozen=True)
class ClaimResult:
    """The verdicts on one claim, ready for a table or JSON: ``then`` on the edition
    published by the claim's date (None if there is none), ``revised`` on the latest."""

    claim: ClaimBase
    as_of: date | None
    then: Judgement | None
    revised: Judgement

    @property
    def primary(self) -> Judgement:
        """The judgement shown first: as published then, unless :attr:`short` (then the
        latest figures, which hold the days the earlier edition lacks)."""
        if self.then is None or self.short:
            return self.revised
        return self.then

    @property
    def short(self) -> bool:
        """Whether the latest edition loaded that was published by the claim's date is more
        than :data:`PUBLISHED_EVERY_DAYS` older than that date, and a later one is loaded: the
        Home Office publishes weekly, so the editions loaded lack one that was out then, and a
        verdict on the older one ("cannot be checked": days not in it) would be about the
        store. It depends on the claim's date and the editions loaded alone, so that claims
        said on the same day are judged on the same edition."""
        if self.then is None or self.then.edition is self.revised.edition:
            return False
        if not self.claim.series.checkable:  # no edition counts it: none is "short" (s13 U3)
            return False
        return (self.said() - self.then.edition.edition_date).days > PUBLISHED_EVERY_DAYS

    @property
    def value(self) -> Any:
        return self.primary.finding.value

    @property
    def verdict(self) -> Verdict:
        return self.primary.finding.verdict

    @property
    def reason(self) -> str:
        return self.primary.finding.reason

    @property
    def edition(self) -> DataEdition:
        return self.primary.edition

    @property
    def uses_data(self) -> bool:
        """Whether the verdict rests on an edition: not for a claim about what the series
        does not count (deaths), which is neither dated nor credited to one."""
        return self.claim.series.checkable

    @property
    def credit(self) -> str:
        """The source line of the edition the verdict rests on ("none used" if none)."""
        return self.edition.source() if self.uses_data else NO_EDITION

    @property
    def differs(self) -> bool:
        """Whether the revised figures give another value or verdict than those published
        then."""
        if self.then is None or self.then.edition is self.revised.edition:
            return False
        a, b = self.then.finding, self.revised.finding
        return (a.value, a.verdict) != (b.value, b.verdict)

    @property
    def period(self) -> dict[str, Any]:
        """The period as plain values for JSON, with its resolved start and end."""
        if not isinstance(self.claim, PeriodClaim):
            return {}
        out: dict[str, Any] = self.claim.period.model_dump(mode="json", exclude_none=True)
        out["as_of"] = self.as_of.isoformat() if self.as_of else None
        try:
            start, end = self.claim.period.bounds(self.as_of)
            out.update(start=start.isoformat(), end=end.isoformat())
        except MissingAsOf:
            pass
        return out

    def as_dict(self) -> dict[str, Any]:
        c = self.claim
        out: dict[str, Any] = {
            "id": c.id,
            "quote": c.quote,
            "speaker": c.speaker,
            "said_on": c.said_on,
            "source": c.source,
            "form": getattr(c, "form", "total"),
            "metric": c.metric,
            "unit": c.unit,
            "area": c.area,
            "as_of": self.as_of,
        }
        if isinstance(c, PeriodClaim):
            out["period"] = self.period
        out |= {k: v for k, v in c.details().items() if k != "period" and k != "form"}
        out |= {
            "value": self.value,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "edition": self.edition.as_dict() if self.uses_data else None,
            "shown_first": "as_revised" if self.primary is not self.then else "as_published",
            "source": self.credit,
            "as_published": self.then.as_dict() if self.then else None,
            "as_revised": self.revised.as_dict(),
            "differs": self.differs,
        }
        return out

    def other(self) -> dict[str, str | None]:
        """The judgement not shown first, when it differs, as ``verdict: reason (edition)``:
        ``as_revised`` after a verdict as published then, ``as_published_then`` when the
        edition loaded for the claim's date stops short (:attr:`short`)."""
        out: dict[str, str | None] = {"as_revised": None, "as_published_then": None}
        if self.short:
            assert self.then is not None
            edition = self.then.edition
            out["as_published_then"] = (
                f"not in the editions loaded: the latest published by {fmt_date(self.said())} "
                f"is {edition.label()}, which stops at {fmt_date(edition.last_day())}"
            )
        elif self.differs:
            r = self.revised.finding
            out["as_revised"] = f"{r.verdict.value}: {r.reason} ({self.revised.edition.label()})"
        return out

    def said(self) -> date:
        """The day whose edition is the one "as published then"."""
        day = self.claim.said_on or self.as_of
        assert day is not None
        return day

    def row(self) -> dict[str, Any]:
        """One line of the table or CSV: the verdict (one of :class:`Verdict`) and its
        reason on the edition named, then the other judgement when it differs
        (:meth:`other`)."""
        return {
            "id": self.claim.id,
            "speaker": self.claim.speaker,
            "quote": self.claim.quote,
            "said_on": None if self.claim.said_on is None else self.claim.said_on.isoformat(),
            "claim_source": self.claim.source,
            "claimed_figure": getattr(self.claim, "figure", None),
            "value": self.value,
            "value_unit": None if self.value is None else self.claim.value_unit,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "edition": self.edition.label() if self.uses_data else NO_EDITION,
            **self.other(),
        }


def judge(claim: ClaimBase, edition: DataEdition, as_of: date | None) -> Finding:
    """One claim against one edition: what the data cannot say, then the form's own check,
    then the unit the speaker used."""
    metric = claim.series
    if not metric.checkable:
        return Finding(None, Verdict.cannot_check, metric.why_not)
    if claim.area and not isinstance(claim, TotalClaim):
        return Finding(
            None,
            Verdict.cannot_check,
            f"The series is national, not by beach or area, so nothing about {claim.area} "
            "alone can be computed",
        )
    found = claim.judge(edition, as_of)
    if (
        not isinstance(claim, TotalClaim)
        and not metric.counts(claim.said_unit)
        and found.verdict is not Verdict.cannot_check
    ):
        # "wrong unit" only when the number matches the series that counts something else:
        # one that fails there too is not supported, with the unit remark kept
        reason = f"{found.reason}; but that series counts {metric.unit}, not {claim.unit}"
        wrong = found.verdict is Verdict.supported
        return Finding(found.value, Verdict.wrong_unit if wrong else found.verdict, reason)
    return found


def evaluate(
    claim: ClaimBase, data: DataEdition | Editions, default_as_of: date | None = None
) -> ClaimResult:
    """Judge one claim as published then and as revised (see the module docstring)."""
    editions = Editions.single(data) if isinstance(data, DataEdition) else data
    as_of = claim.own_as_of() or default_as_of or claim.said_on
    said = claim.said_on or as_of
    latest = editions.revised()
    revised = Judgement(judge(claim, latest, as_of), latest)
    then_edition = editions.published_by(said) if said is not None else None
    then = None
    if then_edition is latest:
        then = revised
    elif then_edition is not None:
        then = Judgement(judge(claim, then_edition, as_of), then_edition)
    return ClaimResult(claim, as_of, then, revised)


def check_claims(claims: ClaimFile, data: DataEdition | Editions) -> list[ClaimResult]:
    """Judge every claim of a file."""
    return [evaluate(claim, data, claims.as_of) for claim in claims.claims]
