"""The publication's dates: their bounds, spans and an edition's credit in words, without
pandas, which a command quoting a few figures of the data store does not need to load
(``run --runs N``'s headline: :func:`channelsim.experiments.observed.observed_figures`)."""

from __future__ import annotations

import datetime as dt

from channelsim.errors import InputError, parse_day

#: Dates accepted: the series starts on 1 Jan 2018. The bounds keep typing slips (2205, 1025)
#: out and every date inside what pandas' datetime64[ns] can hold (1678–2261).
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)


def check_date(value: dt.date | str | None, name: str) -> dt.date | None:
    """A bound given as a date or ``YYYY-MM-DD`` text, within the dates a publication may
    hold (:data:`FIRST_DATE`–:data:`LAST_DATE`); ``name`` (an option or key) says where it
    came from.

    Raises:
        InputError: naming ``name``: not a date, or outside the bounds.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_day(value.strip(), name)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not FIRST_DATE <= value <= LAST_DATE:
        raise InputError(
            None, name, f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {value}"
        )
    return value


def span_text(first: dt.date, last: dt.date) -> str:
    """``5 May–29 Dec 2024``, or ``29 Dec 2025–4 Jan 2026`` across years (dates or
    pandas' timestamps)."""
    head = f"{first.day} {first:%b}" if first.year == last.year else f"{first.day} {first:%b %Y}"
    return f"{head}–{last.day} {last:%b %Y}" if first != last else f"{last.day} {last:%b %Y}"


def sundays(first: dt.date, last: dt.date) -> int:
    """How many weeks end (on a Sunday, the publication's week ending) from ``first`` to
    ``last``, both included."""
    sunday = first + dt.timedelta(days=6 - first.weekday())
    return 0 if sunday > last else (last - sunday).days // 7 + 1


def day_text(text: str | None) -> str:
    """``31 Jul 2025`` from ISO text (``–`` for none)."""
    if text is None:
        return "–"
    day = dt.date.fromisoformat(text)
    return f"{day.day} {day:%b %Y}"


def source_line(edition: dict[str, str]) -> str:
    """The credit a published figure needs: publisher, title, edition, licence."""
    return (
        "Source: Home Office, Migrants detected crossing the English Channel in small boats – "
        f"time series, edition of {day_text(edition['date'])} ({edition['file']}). Contains "
        "public sector information licensed under the Open Government Licence v3.0."
    )
