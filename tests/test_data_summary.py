"""Summaries by year, month and week, on small hand-made series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channelsim.data import summarise
from channelsim.errors import InputError


def _daily(start: str, people: list[int], boats: list[int], uncontrolled=None) -> pd.DataFrame:
    dates = pd.date_range(start, periods=len(people), freq="D")
    return pd.DataFrame(
        {
            "date": dates,
            "people": pd.array(people, dtype="Int64"),
            "boats": pd.array(boats, dtype="Int64"),
            "uncontrolled_boats": pd.array(
                uncontrolled if uncontrolled is not None else [None] * len(people), dtype="Int64"
            ),
            "notes": pd.array([None] * len(people), dtype="string"),
        }
    )


def _weekly(daily: pd.DataFrame, prevented: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Weekly sums of ``daily`` (whole weeks only) with prevention for the named weeks."""
    week = daily.set_index("date")[["people", "boats"]].resample("W-SUN")
    sums = week.sum()[week.size() == 7]
    ends = [d.strftime("%Y-%m-%d") for d in sums.index]
    return pd.DataFrame(
        {
            "week_ending": sums.index,
            "people": sums["people"].to_numpy(),
            "boats": sums["boats"].to_numpy(),
            "uncontrolled_boats": pd.array([None] * len(sums), dtype="Int64"),
            "prevented_people": pd.array([prevented.get(e, (None,))[0] for e in ends], "Int64"),
            "prevented_events": pd.array(
                [prevented.get(e, (None, None))[1] for e in ends], "Int64"
            ),
            "notes": pd.array([None] * len(sums), dtype="string"),
        }
    )


def test_year_boundary_week_counts_where_it_ends() -> None:
    # Mon 25 Dec 2023 .. Sun 7 Jan 2024: two whole weeks, the first ends 31 Dec.
    people = [10, 0, 0, 0, 0, 0, 5, 0, 40, 0, 0, 0, 0, 0]
    boats = [1, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0]
    daily = _daily("2023-12-25", people, boats)
    weekly = _weekly(daily, {"2023-12-31": (100, 3), "2024-01-07": (60, 2)})
    rows = {row["year"]: row for row in summarise(daily, weekly, "year")}
    assert rows[2023]["people"] == 15 and rows[2023]["boats"] == 2
    assert rows[2023]["days_with_arrivals"] == 2 and rows[2023]["days"] == 7
    assert rows[2024]["people_per_boat"] == 20.0
    assert rows[2023]["prevented_people"] == 100 and rows[2024]["prevented_events"] == 2
    assert rows[2023]["share_prevented"] == pytest.approx(100 / 115)
    assert rows[2023]["uncontrolled_boats"] is None


def test_share_prevented_uses_only_weeks_with_a_prevention_figure() -> None:
    people = [7] * 28
    daily = _daily("2024-04-29", people, [1] * 28)
    weekly = _weekly(daily, {"2024-05-19": (30, 1), "2024-05-26": (19, 1)})
    april, row = summarise(daily, weekly, "month")
    assert (april["month"], april["people"], april["prevented_people"]) == ("2024-04", 14, None)
    assert row["month"] == "2024-05" and row["people"] == 182
    assert row["prevented_people"] == 49
    assert row["share_prevented"] == pytest.approx(49 / (49 + 2 * 49))
    weeks = summarise(daily, weekly, "week")
    assert [w["week"] for w in weeks] == ["2024-05-05", "2024-05-12", "2024-05-19", "2024-05-26"]
    assert [w["share_prevented"] for w in weeks][:2] == [None, None]
    assert weeks[2]["share_prevented"] == pytest.approx(30 / 79)


def test_uncontrolled_needs_every_day_recorded_and_bounds_apply() -> None:
    daily = _daily("2024-01-29", [3] * 7, [1] * 7, uncontrolled=[None, None, 1, 0, 0, 1, 0])
    weekly = _weekly(daily, {})
    rows = summarise(daily, weekly, "month")
    assert [r["uncontrolled_boats"] for r in rows] == [None, 1]  # January lacks two days
    (feb,) = summarise(daily, weekly, "month", start="2024-02-01", end=dt.date(2024, 2, 2))
    assert feb["days"] == 2 and feb["people"] == 6 and feb["prevented_people"] is None
    assert summarise(daily, weekly, "year", start="2025-01-01") == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"by": "day"}, "expected one of year, month, week"),
        ({"start": "2024-13-01"}, "start: expected a date"),
        ({"start": "2024-02-01", "end": "2024-01-01"}, "start ≤ end"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    daily = _daily("2024-01-29", [1] * 7, [1] * 7)
    with pytest.raises(InputError, match=match):
        summarise(daily, _weekly(daily, {}), **kwargs)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 800))
def test_periods_partition_the_totals(seed: int, days: int) -> None:
    rng = np.random.default_rng(seed)
    boats = rng.integers(0, 5, days)
    people = boats * rng.integers(1, 80, days)
    daily = _daily("2023-11-20", people.tolist(), boats.tolist())
    weekly = _weekly(daily, {})
    for by in ("year", "month", "week"):
        rows = summarise(daily, weekly, by)
        assert sum(r["people"] for r in rows) == people.sum()
        assert sum(r["boats"] for r in rows) == boats.sum()
        assert sum(r["days_with_arrivals"] for r in rows) == (people > 0).sum()
        assert sum(r["days"] for r in rows) == days


def test_a_figure_covering_part_of_its_period_says_so() -> None:
    # 29 Apr – 26 May 2024, prevention from the week ending 19 May only.
    daily = _daily("2024-04-29", [7] * 28, [1] * 28)
    weekly = _weekly(daily, {"2024-05-19": (30, 1), "2024-05-26": (19, 1)})
    (year,) = summarise(daily, weekly, "year")
    assert year["note"] == (
        "arrivals cover 29 Apr–26 May 2024 only (28 of 366 days); "
        "prevention covers the weeks ending 19 May–26 May 2024 only (2 of 52 weeks)"
    )
    april, may = summarise(daily, weekly, "month")
    assert april["note"] == "arrivals cover 29 Apr–30 Apr 2024 only (2 of 30 days)"
    assert may["note"].startswith("arrivals cover 1 May–26 May 2024 only (26 of 31 days); ")
    assert may["note"].endswith("(2 of 4 weeks)")  # Sundays 5, 12, 19, 26 May
    weeks = summarise(daily, weekly, "week")
    assert [w["note"] for w in weeks] == [None, None, None, None]


def test_whole_periods_have_no_note() -> None:
    daily = _daily("2024-01-01", [1] * 366, [1] * 366)
    sundays = pd.date_range("2024-01-07", "2024-12-29", freq="W-SUN").strftime("%Y-%m-%d")
    weekly = _weekly(daily, {d: (5, 1) for d in sundays})
    (year,) = summarise(daily, weekly, "year")
    assert year["note"] is None and year["prevented_people"] == 5 * 52


def test_people_per_boat_reads_to_one_decimal_in_every_row() -> None:
    """`data summary` showed 2024's 36,816 people in 695 boats as 53 beside 2018's 6.95 and
    2025's 61.7 (three significant figures, trailing zeros dropped); docs/model.md quotes
    61.7: one decimal in every row."""
    from channelsim.fields import OBSERVED
    from channelsim.formatting import format_value, readable

    field = OBSERVED.field("people_per_boat")
    assert [format_value(v, field) for v in (36816 / 695, 299 / 43, 41472 / 672, 1234.56)] == [
        "53.0", "7.0", "61.7", "1,234.6"
    ]  # fmt: skip
    rows = [{"year": 2024, "people_per_boat": 36816 / 695}, {"year": 2018, "people_per_boat": None}]
    _, columns = readable(rows, ["year", "people_per_boat"], [OBSERVED])
    assert columns[1] == ["53.0", "–"]


def test_a_week_cut_by_from_says_what_its_share_prevented_is_of() -> None:
    """`data summary --by week --from` a Sunday: the row shows that day's arrivals and the
    whole week's prevention, and its share prevented, 168 / (168 + the week's 358), was not
    explained: a reader got 100% from the row. The note says what the share is against.
    (s11 trial F2)"""
    people = [50, 60, 70, 80, 48, 50, 0]  # Mon 4 .. Sun 10 May 2026: 358, none on Sunday
    daily = _daily("2026-05-04", people, [1] * 7)
    weekly = _weekly(daily, {"2026-05-10": (168, 13)})
    (week,) = summarise(daily, weekly, "week", start="2026-05-10")
    assert (week["people"], week["prevented_people"]) == (0, 168)
    assert week["share_prevented"] == pytest.approx(168 / (168 + 358))
    assert week["note"] == (
        "arrivals cover 10 May 2026 only (1 of 7 days); the share prevented is against the 358 "
        "people arrived in the whole weeks with prevention figures (ending 10 May 2026)"
    )
    (whole,) = summarise(daily, weekly, "week")
    assert whole["note"] is None


def test_a_month_whose_first_week_starts_before_it_says_what_its_share_is_of() -> None:
    """`data summary --by month`: a month's share prevented is against the arrivals of the
    weeks ending in it (SB_02), which start before the month when its first Sunday is early,
    while the row shows the calendar month's arrivals; the note said nothing (s11 trial T8)."""
    people = [10] * 7 + [20] * 28  # Mon 29 Apr .. Sun 2 Jun 2024: May is whole
    daily = _daily("2024-04-29", people, [1] * 35)
    sundays = ("2024-05-05", "2024-05-12", "2024-05-19", "2024-05-26")
    weekly = _weekly(daily, {d: (30, 1) for d in sundays})
    _, may, _ = summarise(daily, weekly, "month")
    arrived = 7 * 10 + 21 * 20  # the four weeks ending in May: 29 Apr-26 May
    assert may["people"] == 5 * 10 + 26 * 20  # the calendar month
    assert may["share_prevented"] == pytest.approx(120 / (120 + arrived))
    assert may["note"] == (
        f"the share prevented is against the {arrived:,} people arrived in the whole weeks with "
        "prevention figures (ending 5 May–26 May 2024)"
    )
