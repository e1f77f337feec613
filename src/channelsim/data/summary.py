"""Arrivals and preventions per year, month or week, from the daily and weekly tables.

Arrivals (people, boats, days with arrivals, uncontrolled boats) come from the daily table.
Preventions are only published weekly (the French estimates, from the week ending 5 May
2024), so each week is assigned whole to the period of its week-ending Sunday: for years and
months, a week that straddles a boundary counts in the period where it ends. ``start`` and
``end`` bound the daily dates and the week-ending dates alike.

``share_prevented`` is prevented ÷ (prevented + arrived), in people, where "arrived" is the
weekly arrivals of the *same* weeks that have a prevention figure, so that periods only
partly covered by prevention data are not diluted. Figures that are not recorded for a
period are ``None``, never zero: ``uncontrolled_boats`` needs every day of the period
recorded (it starts on 1 January 2023), the prevention figures need at least one week.

A row whose figures cover only part of its period says so in ``note``: the arrivals of a
year or month the data do not cover whole (the current year; bounds cut by ``start`` and
``end``), and the prevention figures of a period with fewer weeks recorded than weeks ending
in it (the 2024 total starts with the week ending 5 May 2024). ``note`` is None when every
figure covers the whole period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

import pandas as pd

from channelsim.data.dates import check_date, span_text
from channelsim.errors import InputError

Period = Literal["year", "month", "week"]


def summarise(
    daily: pd.DataFrame,
    weekly: pd.DataFrame,
    by: Period = "year",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> list[dict[str, Any]]:
    """One row per period: ``{by: key, people, boats, people_per_boat, ...}``, oldest first."""
    if by not in get_args(Period):
        raise InputError(None, "by", f"expected one of {', '.join(get_args(Period))}, found {by!r}")
    first, last = parse_date(start, "start"), parse_date(end, "end")
    if first is not None and last is not None and first > last:
        raise InputError(None, "start/end", f"expected start ≤ end, found {first} > {last}")
    days = daily[_within(daily["date"], first, last)]
    weeks = weekly[_within(weekly["week_ending"], first, last)]

    day_key = _period_key(days["date"], by)
    by_day = days.groupby(day_key)
    arrivals = pd.DataFrame(
        {
            "days": by_day.size(),
            "people": by_day["people"].sum(),
            "boats": by_day["boats"].sum(),
            "days_with_arrivals": (days["people"] > 0).groupby(day_key).sum(),
            "uncontrolled_boats": by_day["uncontrolled_boats"]
            .sum()
            .where(by_day["uncontrolled_boats"].count() == by_day.size()),
        }
    )
    recorded = weeks[weeks["prevented_people"].notna()]
    by_week = recorded.groupby(_period_key(recorded["week_ending"], by))
    prevention = pd.DataFrame(
        {
            "prevented_people": by_week["prevented_people"].sum(),
            "prevented_events": by_week["prevented_events"].sum(min_count=1),
            "arrived_same_weeks": by_week["people"].sum(),
            "weeks_recorded": by_week.size(),
            "first_week": by_week["week_ending"].min(),
            "last_week": by_week["week_ending"].max(),
        }
    )
    arrivals["first_day"] = by_day["date"].min()
    arrivals["last_day"] = by_day["date"].max()
    keys = sorted(
        set(arrivals.index) | set(prevention.index) | set(_period_key(weeks["week_ending"], by))
    )
    table = arrivals.join(prevention, how="outer").reindex(keys)
    return [_row(by, key, values) for key, values in table.iterrows()]


def _row(by: Period, key: Any, values: pd.Series) -> dict[str, Any]:
    people, boats = _int(values["people"]), _int(values["boats"])
    prevented, arrived = _int(values["prevented_people"]), _int(values["arrived_same_weeks"])
    attempted = None if prevented is None or arrived is None else prevented + arrived
    return {
        by: int(key) if by == "year" else str(key),
        "days": _int(values["days"]) or 0,
        "people": people or 0,
        "boats": boats or 0,
        "people_per_boat": people / boats if people is not None and boats else None,
        "days_with_arrivals": _int(values["days_with_arrivals"]) or 0,
        "uncontrolled_boats": _int(values["uncontrolled_boats"]),
        "prevented_people": prevented,
        "prevented_events": _int(values["prevented_events"]),
        "share_prevented": prevented / attempted if prevented is not None and attempted else None,
        "note": _coverage_note(by, key, values),
    }


def _coverage_note(by: Period, key: Any, values: pd.Series) -> str | None:
    """What part of the period the arrivals and the prevention figures cover, when not all."""
    start, end = _period_bounds(by, key)
    notes = []
    days, whole_days = _int(values["days"]) or 0, (end - start).days + 1
    if 0 < days < whole_days:
        notes.append(
            f"arrivals cover {span_text(values['first_day'], values['last_day'])} only "
            f"({days} of {whole_days} days)"
        )
    notes += _share_note(values)
    weeks = _int(values["weeks_recorded"])
    whole_weeks = len(pd.date_range(start, end, freq="W-SUN"))
    if weeks is not None and weeks < whole_weeks:
        notes.append(
            "prevention covers the weeks ending "
            f"{span_text(values['first_week'], values['last_week'])} only "
            f"({weeks} of {whole_weeks} weeks)"
        )
    return "; ".join(notes) or None


def _share_note(values: pd.Series) -> list[str]:
    """Where a row's prevention weeks reach days its arrivals do not hold (``--from`` a Sunday:
    1 day of arrivals, the week's prevention; a month whose first week ends on the 2nd), what
    the share prevented is of: the arrivals of those weeks, which the row does not show (168
    prevented against 0 arrived read 100%, the share said 31.9%: 168 ÷ (168 + the week's
    358))."""
    prevented, arrived = _int(values["prevented_people"]), _int(values["arrived_same_weeks"])
    if prevented is None or arrived is None or not prevented + arrived:
        return []
    first_day = values["first_week"] - pd.Timedelta(days=6)  # the Monday of the first week
    if first_day >= values["first_day"] and values["last_week"] <= values["last_day"]:
        return []  # the weeks' days are all the row's: its arrivals hold theirs
    weeks = span_text(values["first_week"], values["last_week"])
    return [
        f"the share prevented is against the {arrived:,} people arrived in the whole weeks "
        f"with prevention figures (ending {weeks})"
    ]


def _period_bounds(by: Period, key: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    if by == "year":
        return pd.Timestamp(int(key), 1, 1), pd.Timestamp(int(key), 12, 31)
    if by == "month":
        start = pd.Timestamp(f"{key}-01")
        return start, start + pd.offsets.MonthEnd(0)
    end = pd.Timestamp(key)
    return end - pd.Timedelta(days=6), end


def _int(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _period_key(dates: pd.Series, by: Period) -> pd.Series:
    if by == "year":
        return dates.dt.year
    if by == "month":
        return dates.dt.strftime("%Y-%m")
    sunday = dates + pd.to_timedelta(6 - dates.dt.day_of_week, unit="D")
    return sunday.dt.strftime("%Y-%m-%d")


def _within(dates: pd.Series, first: pd.Timestamp | None, last: pd.Timestamp | None) -> pd.Series:
    keep = pd.Series(True, index=dates.index)
    if first is not None:
        keep &= dates >= first
    if last is not None:
        keep &= dates <= last
    return keep


def parse_date(value: dt.date | str | None, name: str) -> pd.Timestamp | None:
    """A bound given as a date or ``YYYY-MM-DD`` text, within the dates a publication may
    hold (2000–2099); ``name`` (an option or key) says where it came from."""
    day = check_date(value, name)
    return None if day is None else pd.Timestamp(day)
