"""The facts a reporter writes each week, from the official series.

:func:`weekly_brief` takes the daily (SB_01) and weekly (SB_02) tables and a date, and gives
the figures up to that date (or to the last published day, if earlier):

* the latest day's people and boats;
* this week (Monday to the latest day) and this month (1st to the latest day) against the
  same calendar days one year earlier;
* the year to date against the same point (same calendar days) of every earlier year, with
  the percentage change;
* records broken this year: days that beat every earlier day (an all-time record) or every
  earlier day of the same calendar month ("a record for May"), months that beat the same
  month of every earlier year, and the year to date against every earlier year's;
* people per boat, year to date and at the same point last year;
* people and events prevented (SB_02, French operational estimates; weeks ending on or
  before the latest day, since the weekly table ends on the last complete week) and the
  prevented share, prevented ÷ (prevented + arrived in the same weeks);
* days since the last day with a crossing.

Counts are people unless named otherwise; ``change_pct`` is the percentage change on the
earlier figure; ``share_prevented`` is a fraction. :func:`brief_rows` and
:func:`brief_markdown` lay the same figures out as a table with a unit on every line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from channelsim.data.dates import FIRST_DATE, LAST_DATE, source_line
from channelsim.data.dates import day_text as _d
from channelsim.errors import InputError


def weekly_brief(
    daily: pd.DataFrame,
    weekly: pd.DataFrame,
    as_of: dt.date | None,
    edition: dict[str, str],
) -> dict[str, Any]:
    """The brief as plain values (see the module docstring); ``edition`` is recorded with it.

    Raises :class:`InputError` (``--as-of``) when the date is outside 2000–2099, before the
    first published day or after the last (a brief never silently stops short of its date).
    """
    days = daily.set_index("date").sort_index()
    first, last = days.index[0].date(), days.index[-1].date()
    if as_of is not None and not FIRST_DATE <= as_of <= LAST_DATE:
        raise InputError(None, "--as-of", f"expected a date from {FIRST_DATE} to {LAST_DATE}")
    if as_of is not None and as_of < first:
        raise InputError(
            None, "--as-of", f"expected a date on or after the series' first day ({first})"
        )
    if as_of is not None and as_of > last:
        raise InputError(
            None,
            "--as-of",
            f"expected a date the data cover: they end on {last} (the edition of "
            f"{edition.get('date', '?')}), got {as_of}",
        )
    end = as_of or last
    days = days[days.index <= pd.Timestamp(end)]
    year_start = dt.date(end.year, 1, 1)
    return {
        "as_of": end.isoformat(),
        "data_to": end.isoformat(),
        "edition": edition,
        "latest_day": _latest_day(days, end),
        "week": _span_vs_last_year(days, end - dt.timedelta(days=end.weekday()), end),
        "month": _span_vs_last_year(days, end.replace(day=1), end),
        "year_to_date": _year_to_date(days, end),
        "records": {
            "days": _record_days(days, year_start),
            "months": _record_months(days, end),
            "year_to_date": _record_year_to_date(days, end),
        },
        "people_per_boat": _people_per_boat(days, end),
        "prevention": _prevention(weekly, end),
        "days_since_last_crossing": _since_last_crossing(days, end),
    }


def _between(days: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    return days.loc[pd.Timestamp(start) : pd.Timestamp(end)]


def _last_year(day: dt.date) -> dt.date:
    return (pd.Timestamp(day) - pd.DateOffset(years=1)).date()


def _change_pct(now: float, before: float) -> float | None:
    return None if before == 0 else round((now / before - 1) * 100, 1)


def _latest_day(days: pd.DataFrame, end: dt.date) -> dict[str, Any]:
    row = days.loc[pd.Timestamp(end)]
    return {"date": end.isoformat(), "people": int(row["people"]), "boats": int(row["boats"])}


def _totals(days: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, Any]:
    span = _between(days, start, end)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "people": int(span["people"].sum()),
        "boats": int(span["boats"].sum()),
    }


def _span_vs_last_year(days: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, Any]:
    now = _totals(days, start, end)
    before = _totals(days, _last_year(start), _last_year(end))
    covered = len(_between(days, _last_year(start), _last_year(end)))
    expected = (_last_year(end) - _last_year(start)).days + 1
    return {
        **now,
        "last_year": before if covered == expected else None,
        "change_pct": _change_pct(now["people"], before["people"]) if covered == expected else None,
    }


def _year_to_date(days: pd.DataFrame, end: dt.date) -> dict[str, Any]:
    now = _totals(days, dt.date(end.year, 1, 1), end)
    earlier = []
    for year in range(end.year - 1, days.index[0].year - 1, -1):
        same = end.replace(year=year) if not (end.month == 2 and end.day == 29) else None
        same = same or dt.date(year, 2, 28)
        before = _totals(days, dt.date(year, 1, 1), same)
        earlier.append(
            {**before, "year": year, "change_pct": _change_pct(now["people"], before["people"])}
        )
    return {**now, "earlier_years": earlier}


def _record_days(days: pd.DataFrame, year_start: dt.date) -> list[dict[str, Any]]:
    """Days of this year that beat every earlier day, or every earlier day of their month."""
    people = days["people"].astype(int)
    previous_max = people.cummax().shift(1)
    found = []
    for day, value in people[people.index >= pd.Timestamp(year_start)].items():
        earlier = people[people.index < day]
        same_month = earlier[earlier.index.month == day.month]
        kinds = []
        if earlier.empty or value > previous_max.loc[day]:
            kinds.append(("all days", earlier))
        if not same_month.empty and value > same_month.max():
            kinds.append((f"{day:%B} days", same_month))
        for scope, compared in kinds:
            best = compared.idxmax() if not compared.empty else None
            found.append(
                {
                    "date": day.date().isoformat(),
                    "people": int(value),
                    "record_of": scope,
                    "previous_record": None
                    if best is None
                    else {"date": best.date().isoformat(), "people": int(compared.max())},
                }
            )
    return found


def _record_months(days: pd.DataFrame, end: dt.date) -> list[dict[str, Any]]:
    """Months of this year (the current one to date) above the same month of every earlier
    year (whole months), or above every earlier month of any kind."""
    monthly = days["people"].astype(int).resample("MS").sum()
    found = []
    for month, value in monthly[monthly.index.year == end.year].items():
        earlier = monthly[monthly.index < month]
        same = earlier[earlier.index.month == month.month]
        to_date = month.year == end.year and month.month == end.month
        for scope, compared in (("same month", same), ("all months", earlier)):
            if compared.empty or value <= compared.max():
                continue
            best = compared.idxmax()
            found.append(
                {
                    "month": f"{month:%Y-%m}",
                    "people": int(value),
                    "to_date": to_date and end != (month + pd.offsets.MonthEnd(0)).date(),
                    "record_of": scope,
                    "previous_record": {"month": f"{best:%Y-%m}", "people": int(compared.max())},
                }
            )
    return found


def _record_year_to_date(days: pd.DataFrame, end: dt.date) -> dict[str, Any]:
    ytd = _year_to_date(days, end)
    earlier = ytd["earlier_years"]
    best = max(earlier, key=lambda row: row["people"]) if earlier else None
    return {
        "record": best is None or ytd["people"] > best["people"],
        "people": ytd["people"],
        "previous_record": None
        if best is None
        else {"year": best["year"], "people": best["people"]},
    }


def _people_per_boat(days: pd.DataFrame, end: dt.date) -> dict[str, Any]:
    now = _totals(days, dt.date(end.year, 1, 1), end)
    before = _totals(days, dt.date(end.year - 1, 1, 1), _last_year(end))
    ratio = now["people"] / now["boats"] if now["boats"] else None
    earlier = before["people"] / before["boats"] if before["boats"] else None
    return {
        "year_to_date": None if ratio is None else round(ratio, 1),
        "last_year_same_point": None if earlier is None else round(earlier, 1),
        "change_pct": None if ratio is None or not earlier else _change_pct(ratio, earlier),
    }


def _prevention_between(weekly: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, Any]:
    weeks = weekly[
        (weekly["week_ending"] >= pd.Timestamp(start))
        & (weekly["week_ending"] <= pd.Timestamp(end))
        & weekly["prevented_people"].notna()
    ]
    if weeks.empty:
        return {"weeks": 0}
    prevented, arrived = int(weeks["prevented_people"].sum()), int(weeks["people"].sum())
    events = weeks["prevented_events"]
    return {
        "weeks": len(weeks),
        "first_week_ending": weeks["week_ending"].min().date().isoformat(),
        "last_week_ending": weeks["week_ending"].max().date().isoformat(),
        "prevented_people": prevented,
        "prevented_events": int(events.sum()) if events.notna().all() else None,
        "arrived_same_weeks": arrived,
        "share_prevented": round(prevented / (prevented + arrived), 4)
        if prevented + arrived
        else None,
    }


def _prevention(weekly: pd.DataFrame, end: dt.date) -> dict[str, Any]:
    now = _prevention_between(weekly, dt.date(end.year, 1, 1), end)
    before = _prevention_between(weekly, dt.date(end.year - 1, 1, 1), _last_year(end))
    return {**now, "last_year": before}


def _since_last_crossing(days: pd.DataFrame, end: dt.date) -> dict[str, Any]:
    crossed = days.index[days["people"] > 0]
    if len(crossed) == 0:
        return {"days": None, "last_crossing_day": None}
    last = crossed[-1].date()
    return {"days": (end - last).days, "last_crossing_day": last.isoformat()}


# ---- layout ---------------------------------------------------------------------------


def _span(item: dict[str, Any]) -> str:
    start, end = dt.date.fromisoformat(item["start"]), dt.date.fromisoformat(item["end"])
    if start == end:
        return _d(item["end"])
    head = f"{start.day} {start:%b}" if start.year == end.year else _d(item["start"])
    return f"{head}–{_d(item['end'])}"


def _versus(change_pct: float | None, this_year: int, year: int) -> str:
    """This year to date against the same point of ``year``, in words, the change being this
    year's (``2025 so far is 50.5% above the same point of 2024``): "+50.5%" on 2024's row
    read as 2024 being up."""
    if change_pct is None:
        return "–"
    return f"{this_year} so far is {_change_against(change_pct, f'the same point of {year}')}"


def _change_against(change_pct: float | None, against: str) -> str:
    """A change in words with what it is against (``7.1% below 1 May–28 May 2025``): a bare
    "-7.1%" in a row did not say against what."""
    if change_pct is None:
        return "–"
    if 1.0 + change_pct / 100.0 >= 10.0:
        return f"{_pct(change_pct).lstrip('×')} times {against}"
    if round(change_pct, 1) == 0:
        return f"level with {against}"
    return f"{abs(change_pct):.1f}% {'above' if change_pct > 0 else 'below'} {against}"


def _pct(value: float | None) -> str:
    """A change in per cent; ten times or more as a multiple (``×20.5``, ``×1,254``): a
    percentage of a tiny base (7 people in 2018) reads as noise."""
    if value is None:
        return "–"
    ratio = 1.0 + value / 100.0
    if ratio >= 10.0:
        return f"×{ratio:,.0f}" if ratio >= 100.0 else f"×{ratio:.1f}"
    return f"{value:+.1f}%"


def _row(
    figure: str, value: Any, unit: str, compared: str = "", change: str = ""
) -> dict[str, Any]:
    return {
        "figure": figure,
        "value": value,
        "unit": unit,
        "compared with": compared,
        "change": change,
    }


def brief_rows(brief: dict[str, Any]) -> list[dict[str, Any]]:
    """The brief as table rows: figure, value, unit, what it is compared with, change."""
    rows = []
    day = brief["latest_day"]
    rows += [
        _row(f"Latest day ({_d(day['date'])})", day["people"], "people"),
        _row(f"Latest day ({_d(day['date'])})", day["boats"], "boats"),
    ]
    for name in ("week", "month"):
        span = brief[name]
        before = span["last_year"]
        label = f"This {name} ({_span(span)})"
        versus = f"{before['people']:,} people, {_span(before)}" if before else "–"
        change = _change_against(span["change_pct"], _span(before)) if before else "–"
        if before and before["people"] == 0:
            change = f"none in {_span(before)}"
        rows.append(_row(label, span["people"], "people", versus, change))
    ytd = brief["year_to_date"]
    rows.append(_row(f"Year to date ({_span(ytd)})", ytd["people"], "people"))
    rows.append(_row(f"Year to date ({_span(ytd)})", ytd["boats"], "boats"))
    this_year = dt.date.fromisoformat(ytd["end"]).year
    for year in ytd["earlier_years"]:
        rows.append(
            _row(
                f"Same point of {year['year']} ({_span(year)})",
                year["people"],
                "people",
                f"{this_year} to date ({ytd['people']:,} people)",
                _versus(year["change_pct"], this_year, year["year"]),
            )
        )
    rows += _record_rows(brief["records"])
    ppb = brief["people_per_boat"]
    rows.append(
        _row(
            "People per boat, year to date",
            ppb["year_to_date"],
            "people per boat",
            _ppb_before(ppb["last_year_same_point"]),
            _change_against(ppb["change_pct"], "the same point last year"),
        )
    )
    rows += _prevention_rows(brief["prevention"])
    since = brief["days_since_last_crossing"]
    rows.append(
        _row(
            "Days since the last crossing day",
            since["days"],
            "day" if since["days"] == 1 else "days",
            f"last crossing day {_d(since['last_crossing_day'])}",
        )
    )
    return rows


def _ppb_before(before: float | None) -> str:
    """People per boat at the same point last year, in words (no boats: no ratio)."""
    if before is None:
        return "no boats at the same point last year"
    return f"{before} at the same point last year"


def _record_rows(records: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for day in records["days"]:
        before = day["previous_record"]
        rows.append(
            _row(
                f"Record day ({day['record_of']}): {_d(day['date'])}",
                day["people"],
                "people",
                f"{before['people']:,} on {_d(before['date'])}" if before else "first day",
            )
        )
    for month in records["months"]:
        before = month["previous_record"]
        when = pd.Timestamp(f"{month['month']}-01")
        rows.append(
            _row(
                f"Record month ({month['record_of']}): {when:%B %Y}"
                + (" to date" if month["to_date"] else ""),
                month["people"],
                "people",
                f"{before['people']:,} in {pd.Timestamp(before['month'] + '-01'):%B %Y}",
            )
        )
    ytd = records["year_to_date"]
    before = ytd["previous_record"]
    rows.append(
        _row(
            "Record year to date" if ytd["record"] else "Year to date: not a record",
            ytd["people"],
            "people",
            f"highest earlier: {before['people']:,} in {before['year']}" if before else "",
        )
    )
    return rows


def _prevention_rows(prevention: dict[str, Any]) -> list[dict[str, Any]]:
    if not prevention["weeks"]:
        return [_row("Prevented (SB_02)", None, "people", "no weeks with prevention figures")]
    weeks = _weeks(prevention)
    before = prevention["last_year"]
    versus, change = "–", ""
    if before["weeks"]:
        versus = f"{before['prevented_people']:,} in the {_weeks(before)}"
        if before["weeks"] == prevention["weeks"]:
            pct = _change_pct(prevention["prevented_people"], before["prevented_people"])
            change = _change_against(pct, f"the {_weeks(before)}")
        else:
            versus += f" ({before['weeks']} weeks with figures, against {prevention['weeks']})"
    share = prevention["share_prevented"]
    return [
        _row(f"Prevented, {weeks}", prevention["prevented_people"], "people", versus, change),
        _row(f"Prevented, {weeks}", prevention["prevented_events"], "events"),
        _row(
            f"Prevented share, {weeks}",
            None if share is None else round(share * 100, 1),
            "% of people (prevented ÷ prevented + arrived)",
        ),
    ]


def _weeks(prevention: dict[str, Any]) -> str:
    span = {"start": prevention["first_week_ending"], "end": prevention["last_week_ending"]}
    return f"weeks ending {_span(span)}"


def brief_markdown(brief: dict[str, Any]) -> str:
    """The brief as a Markdown table with a source line, ready to paste."""
    rows = brief_rows(brief)
    header = ["figure", "value", "unit", "compared with", "change"]
    lines = [
        f"**{brief_title(brief)}**",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in rows:
        cells = [_md_cell(row[key]) for key in header]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", source_line(brief["edition"])]
    return "\n".join(lines) + "\n"


def brief_title(brief: dict[str, Any]) -> str:
    """The brief's title, as every format gives it: ``Small-boat arrivals to 31 Jul 2025``."""
    return f"Small-boat arrivals to {_d(brief['data_to'])}"


def _md_cell(value: Any) -> str:
    if value is None or value == "":
        return "–" if value is None else ""
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")
