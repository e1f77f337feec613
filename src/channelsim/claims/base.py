"""What every claim has (who said what, when, about which series) and what judging one
gives (a value, a verdict and a one-line reason). Each form of claim is a subclass in
``channelsim.claims.forms`` with its own ``judge``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import Field, field_validator

from channelsim.claims.data import DataEdition
from channelsim.claims.metrics import METRICS, UNIT_WORDS, Metric, Unit, Verdict
from channelsim.claims.periods import Strict
from channelsim.streams import EPOCH
from channelsim.textfile import printable

#: The latest ``said_on`` a claim may have (as the latest day a scenario may simulate).
LAST_SAID_ON = date(2100, 12, 31)


@dataclass(frozen=True)
class Finding:
    """The verdict on one claim against one edition: the computed value (a number, a date
    or a rank; None when nothing could be computed) and the reason, one line that gives the
    computed value(s) and the comparison."""

    value: Any
    verdict: Verdict
    reason: str


def verdict_of(holds: bool | None) -> Verdict:
    return {True: Verdict.supported, False: Verdict.not_supported, None: Verdict.cannot_check}[
        holds
    ]


def all_of(parts: list[bool | None]) -> bool | None:
    """Several things claimed at once: False if any fails, True if all hold, else None."""
    if any(part is False for part in parts):
        return False
    return True if all(part is True for part in parts) else None


class ClaimBase(Strict):
    """One public statement: who made it, when, and the series it is about.

    ``as_of`` is the date the claim is checked at: only data dated on or before it count. It
    falls back to the period's ``as_of``, then the file's, then ``said_on``.
    """

    id: str = Field(min_length=1)
    quote: str
    speaker: str
    said_on: date | None = None
    source: str | None = None
    note: str | None = None
    as_of: date | None = None
    metric: str
    unit: str
    area: str | None = None  # part of the coast the claim is about; the data are national

    @field_validator("id", "quote", "speaker", "source", "note", "area")
    @classmethod
    def _printable(cls, text: str | None) -> str | None:
        return None if text is None else printable(text)

    @field_validator("said_on")
    @classmethod
    def _in_the_series(cls, day: date | None) -> date | None:
        if day is not None and not EPOCH <= day <= LAST_SAID_ON:
            raise ValueError(
                f"expected a date from {EPOCH} (the start of the Home Office series) "
                f"to {LAST_SAID_ON}, got {day}"
            )
        return day

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

    @property
    def series(self) -> Metric:
        return METRICS[self.metric]

    @property
    def said_unit(self) -> Unit:
        return UNIT_WORDS[self.unit]

    @property
    def value_unit(self) -> str:
        """The unit of the value the data give (the ``value`` column beside the verdict): the
        series' unit (a total, the largest of a window); a form whose value is something else
        says so (a change in per cent, a date, a rank, a streak in days)."""
        return self.series.unit

    def own_as_of(self) -> date | None:
        """The claim's own check date, before the file's default and ``said_on``."""
        return self.as_of

    def needs_as_of(self) -> bool:
        """Whether the claim cannot be resolved without a check date."""
        return False

    def judge(self, edition: DataEdition, as_of: date | None) -> Finding:
        raise NotImplementedError

    def details(self) -> dict[str, Any]:
        """The form's own keys, for JSON output."""
        common = set(ClaimBase.model_fields)
        return {
            k: v
            for k, v in self.model_dump(mode="json").items()
            if k not in common and k != "as_of"
        }
