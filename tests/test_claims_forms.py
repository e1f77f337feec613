"""Each form of claim on small made-up data: changes, ranks, milestones, streaks, windows,
questions the series cannot answer, and a claim judged differently as published then and as
revised. Expected values are computed here with plain pandas on the same frames, never taken
from the checker."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channelsim.claims import (
    METRICS,
    DataEdition,
    Editions,
    Verdict,
    check_claims,
    evaluate,
    fmt_number,
    load_claims,
    measure,
    parse_claim,
)
from test_claims import assert_bad_claim_file


def _edition(start: str = "2022-01-01", end: str = "2024-12-31", seed: int = 7) -> DataEdition:
    """Daily arrivals on about 40% of days and the weekly table summed from them, with
    prevention from the week ending 5 May 2024, as the publication."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, end, freq="D")
    boats = rng.integers(1, 20, len(dates)) * (rng.random(len(dates)) < 0.4)
    people = boats * rng.integers(30, 70, len(dates))
    daily = pd.DataFrame(
        {
            "date": dates,
            "people": pd.array(people, dtype="Int64"),
            "boats": pd.array(boats, dtype="Int64"),
        }
    )
    weeks = daily.set_index("date")[["people", "boats"]].resample("W-SUN").sum()
    weeks = weeks[weeks.index <= dates[-1]]
    started = weeks.index >= pd.Timestamp("2024-05-05")
    weekly = pd.DataFrame(
        {
            "week_ending": weeks.index,
            "people": weeks["people"].to_numpy(),
            "boats": weeks["boats"].to_numpy(),
            "prevented_people": pd.array(
                np.where(started, rng.integers(0, 900, len(weeks)), 0), dtype="Int64"
            ),
            "prevented_events": pd.array(
                np.where(started, rng.integers(0, 30, len(weeks)), 0), dtype="Int64"
            ),
        }
    )
    weekly.loc[~started, ["prevented_people", "prevented_events"]] = pd.NA
    return DataEdition(daily, weekly, (dates[-1] + pd.Timedelta(days=1)).date(), "toy.ods")


ED = _edition()
PEOPLE = ED.daily.set_index("date")["people"].astype(int)


def days(start: str, end: str) -> pd.Series:
    return PEOPLE.loc[start:end]


def claim(**fields: Any) -> Any:
    base: dict[str, Any] = {"id": "c", "quote": "q", "speaker": "s", "metric": "arrived_people"}
    return parse_claim(base | {"unit": "people"} | fields)


# ---- change ---------------------------------------------------------------------------


def _change(now: float, before: float) -> float:
    return (now / before - 1) * 100


def test_change_on_the_same_period_last_year() -> None:
    now, before = days("2024-01-01", "2024-07-31").sum(), days("2023-01-01", "2023-07-31").sum()
    pct = _change(now, before)
    up, down = ("up", "down") if pct > 0 else ("down", "up")
    c = claim(
        form="change",
        period={"kind": "year_to_date"},
        as_of="2024-07-31",
        baseline={"kind": "same_period_last_year"},
        direction=up,
        comparison="about",
        tolerance=0.5,
        figure=round(abs(pct), 1),
    )
    result = evaluate(c, ED)
    assert result.value == pytest.approx(round(pct, 1), abs=0.05)
    assert result.verdict is Verdict.supported
    assert f"against {fmt_number(before)} in the same period of 2023" in result.reason
    assert f"{abs(pct):.1f}%" in result.reason
    wrong_way = evaluate(c.model_copy(update={"direction": down}), ED)
    assert wrong_way.verdict is Verdict.not_supported


def test_change_since_an_event_against_the_days_before_it() -> None:
    # "in the 150 days since 5 Jul 2024, compared with the 150 days before": absolute.
    now = days("2024-07-05", "2024-12-01").sum()
    before = days("2024-02-06", "2024-07-04").sum()
    assert len(days("2024-07-05", "2024-12-01")) == len(days("2024-02-06", "2024-07-04")) == 150
    diff = now - before
    c = claim(
        form="change",
        period={"kind": "since", "start": "2024-07-05", "days": 150},
        baseline={"kind": "days_before"},
        change="absolute",
        direction="up" if diff >= 0 else "down",
        comparison="exactly",
        figure=abs(diff),
    )
    result = evaluate(c, ED)
    assert result.value == diff and result.verdict is Verdict.supported
    assert "in the 150 days before" in result.reason


def test_change_of_a_weekly_series_and_an_explicit_baseline() -> None:
    w = ED.weekly.set_index("week_ending")["prevented_people"]
    now, before = w.loc["2024-09-01":"2024-09-30"].sum(), w.loc["2024-06-01":"2024-06-30"].sum()
    c = claim(
        form="change",
        metric="prevented_people",
        period={"kind": "month", "month": "2024-09"},
        baseline={"kind": "month", "month": "2024-06"},
        direction="up",
        comparison="more_than",
        figure=0,
    )
    result = evaluate(c, ED)
    assert result.value == pytest.approx(round(_change(now, before), 1), abs=0.05)
    assert result.verdict is (Verdict.supported if now > before else Verdict.not_supported)


def test_change_from_before_the_series_cannot_be_checked() -> None:
    c = claim(
        form="change",
        period={"kind": "calendar_year", "year": 2022},
        baseline={"kind": "same_period_last_year"},
        direction="up",
        comparison="more_than",
        figure=10,
    )
    assert evaluate(c, ED).verdict is Verdict.cannot_check


# ---- rank -----------------------------------------------------------------------------


def _rank_of(values: pd.Series, subject: Any, highest: bool = True) -> int:
    v = values.loc[subject]
    return 1 + int((values > v).sum() if highest else (values < v).sum())


def test_a_day_the_highest_since_a_date() -> None:
    # The busiest day of 2024 that an earlier day beat; "since" = the last such earlier day.
    candidates = [d for d in PEOPLE.loc["2024"].sort_values(ascending=False).index
                  if (PEOPLE.loc[: d - pd.Timedelta(days=1)] >= PEOPLE[d]).any()]  # fmt: skip
    subject = candidates[0]
    before = PEOPLE.loc[: subject - pd.Timedelta(days=1)]
    since = before[before >= PEOPLE[subject]].index[-1]
    c = claim(
        form="rank",
        subject={"kind": "day", "date": subject.date().isoformat()},
        among={"after": since.date().isoformat()},
        as_of="2024-12-31",
    )
    result = evaluate(c, ED)
    expected = _rank_of(PEOPLE.loc[since + pd.Timedelta(days=1) : "2024-12-31"], subject)
    assert expected == 1 and result.value == 1 and result.verdict is Verdict.supported
    assert f"the highest since {since.day} {since:%b %Y}" in result.reason
    # and not the highest since the day before that earlier, higher day
    earlier = claim(
        form="rank",
        subject={"kind": "day", "date": subject.date().isoformat()},
        among={"after": (since - pd.Timedelta(days=1)).date().isoformat()},
        as_of="2024-12-31",
    )
    assert evaluate(earlier, ED).verdict is Verdict.not_supported


def test_the_nth_highest_day_on_record_and_a_record_for_the_month() -> None:
    subject = PEOPLE.sort_values(ascending=False).index[2]
    c = claim(form="rank", subject={"kind": "day", "date": str(subject.date())}, rank=3)
    result = evaluate(c, ED)
    assert result.value == _rank_of(PEOPLE, subject) and result.verdict is Verdict.supported
    assert "the 3rd highest of 1,096 days on record" in result.reason
    same_month = PEOPLE[PEOPLE.index.month == subject.month]
    month_rank = _rank_of(same_month, subject)
    record = claim(
        form="rank", subject={"kind": "day", "date": str(subject.date())}, among="same_month"
    )
    found = evaluate(record, ED)
    assert found.value == month_rank
    assert found.verdict is (Verdict.supported if month_rank == 1 else Verdict.not_supported)
    assert f"{subject:%B} days in 2022–2024" in found.reason


def test_rankings_of_months_years_and_first_halves() -> None:
    months = PEOPLE.resample("MS").sum()
    busiest = months.idxmax()
    c = claim(form="rank", subject={"kind": "month", "month": f"{busiest:%Y-%m}"})
    assert evaluate(c, ED).value == 1
    same_month = months[months.index.month == 7]
    july = claim(form="rank", subject={"kind": "month", "month": "2023-07"}, among="same_span")
    assert evaluate(july, ED).value == _rank_of(same_month, pd.Timestamp("2023-07-01"))

    years = PEOPLE.resample("YS").sum()
    second = years.sort_values().index[-2]
    year = claim(form="rank", subject={"kind": "calendar_year", "year": second.year}, rank=2)
    assert evaluate(year, ED).verdict is Verdict.supported

    halves = pd.Series({y: days(f"{y}-01-01", f"{y}-06-30").sum() for y in (2022, 2023, 2024)})
    half = claim(
        form="rank",
        subject={"kind": "between", "start": "2024-01-01", "end": "2024-06-30"},
        rank=int(1 + (halves > halves[2024]).sum()),
    )
    result = evaluate(half, ED)
    assert result.verdict is Verdict.supported
    assert "of 3 periods 1 Jan–30 Jun in 2022–2024" in result.reason
    quietest = claim(
        form="rank", subject={"kind": "calendar_year", "year": years.idxmin().year},
        order="lowest",
    )  # fmt: skip
    assert evaluate(quietest, ED).verdict is Verdict.supported
    top_two = claim(form="rank", subject={"kind": "calendar_year", "year": second.year},
                    rank=2, or_better=True)  # fmt: skip
    assert evaluate(top_two, ED).verdict is Verdict.supported


def test_a_rank_that_days_not_yet_published_could_change() -> None:
    # As of 31 Jan 2025, the toy edition (to 31 Dec 2024) leaves 31 days unpublished.
    months = PEOPLE.resample("MS").sum()
    c = claim(
        form="rank",
        subject={"kind": "month", "month": f"{months.idxmax():%Y-%m}"},
        as_of="2025-01-31",
    )
    result = evaluate(c, ED)
    assert result.verdict is Verdict.cannot_check
    assert "not in this edition could change" in result.reason


# ---- milestone ------------------------------------------------------------------------


def _passed(year: int, threshold: int) -> pd.Timestamp | None:
    running = days(f"{year}-01-01", f"{year}-12-31").cumsum()
    hits = running[running >= threshold]
    return hits.index[0] if len(hits) else None


def test_milestone_date_and_earliest_year() -> None:
    threshold = 20_000
    passed = {year: _passed(year, threshold) for year in (2022, 2023, 2024)}
    assert all(passed.values())
    earliest = min(passed[2022].strftime("%m%d"), passed[2023].strftime("%m%d"))
    is_earliest = passed[2024].strftime("%m%d") < earliest
    c = claim(
        form="milestone",
        threshold=threshold,
        year=2024,
        reached_on=passed[2024].date().isoformat(),
        earliest=is_earliest,
    )
    result = evaluate(c, ED)
    assert result.value == passed[2024].date().isoformat()
    assert result.verdict is Verdict.supported
    assert f"reached {threshold:,} on {passed[2024].day} {passed[2024]:%b %Y}" in result.reason
    wrong = c.model_copy(update={"earliest": not is_earliest})
    assert evaluate(wrong, ED).verdict is Verdict.not_supported
    late = c.model_copy(
        update={"reached_on": None, "earliest": None, "reached_by": date(2024, 1, 31)}
    )
    assert evaluate(late, ED).verdict is Verdict.not_supported


def test_milestone_not_yet_published() -> None:
    total_2024 = int(days("2024-01-01", "2024-12-31").sum())
    c = claim(form="milestone", threshold=total_2024 + 1, year=2024, reached_by="2024-12-31")
    assert evaluate(c, ED).verdict is Verdict.not_supported
    # In 2025 the toy has no published day: cannot be checked.
    future = claim(
        form="milestone", threshold=10, year=2025, reached_by="2025-01-31", as_of="2025-02-01"
    )
    assert evaluate(future, ED).verdict is Verdict.cannot_check


# ---- streak ---------------------------------------------------------------------------


def _runs(crossed: pd.Series, want: bool) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    runs, start = [], None
    for day, value in crossed.items():
        if value == want and start is None:
            start = day
        if value != want and start is not None:
            runs.append((start, day - pd.Timedelta(days=1)))
            start = None
    if start is not None:
        runs.append((start, crossed.index[-1]))
    return runs


def test_longest_run_without_crossings_and_since_when() -> None:
    runs = _runs(PEOPLE > 0, want=False)
    lengths = [(e - s).days + 1 for s, e in runs]
    i = int(np.argmax(lengths))
    first, _ = runs[i]
    earlier_as_long = [r for r, n in zip(runs[:i], lengths[:i], strict=True) if n >= lengths[i]]
    assert earlier_as_long == []
    c = claim(
        form="streak",
        metric="days_with_crossings",
        unit="days",
        of="without_crossings",
        date=str(first.date()),
        as_of="2024-12-31",
        comparison="exactly",
        figure=lengths[i],
        longest_on_record=True,
    )
    result = evaluate(c, ED)
    assert result.value == lengths[i] and result.verdict is Verdict.supported
    assert "the longest on record" in result.reason
    later = [(r, n) for r, n in zip(runs[i + 1 :], lengths[i + 1 :], strict=True)]
    second, n = max(later, key=lambda item: item[1])
    rival = [r for r, m in zip(runs, lengths, strict=True) if m >= n and r[1] < second[0]][-1]
    longest = claim(
        form="streak",
        metric="days_with_crossings",
        unit="days",
        of="without_crossings",
        date=str(second[1].date()),
        as_of="2024-12-31",
        longest_since=str((rival[0] + pd.Timedelta(days=1)).date()),
    )
    assert evaluate(longest, ED).verdict is Verdict.supported
    since_rival = longest.model_copy(update={"longest_since": rival[0].date()})
    assert evaluate(since_rival, ED).verdict is Verdict.not_supported


def test_a_one_day_run_reads_1_day_not_1_days() -> None:
    from channelsim.claims.text import fmt_days

    assert [fmt_days(n) for n in (1, 2, 1204)] == ["1 day", "2 days", "1,204 days"]
    runs = _runs(PEOPLE > 0, want=True)
    one = next(s for s, e in runs if s == e)  # a day with crossings between two without
    c = claim(form="streak", metric="days_with_crossings", unit="days", of="with_crossings",
              date=str(one.date()), as_of="2024-12-31", comparison="exactly", figure=1)  # fmt: skip
    result = evaluate(c, ED)
    assert "lasted 1 day (" in result.reason and "1 days" not in result.reason, result.reason


def test_a_run_still_going_when_data_stop_is_open() -> None:
    c = claim(
        form="streak",
        metric="days_with_crossings",
        unit="days",
        of="with_crossings" if PEOPLE.iloc[-1] > 0 else "without_crossings",
        as_of="2025-01-05",
        date="2024-12-31",
        comparison="fewer_than",
        figure=400,
    )
    result = evaluate(c, ED)
    assert result.verdict is Verdict.cannot_check and "or more" in result.reason


# ---- window ---------------------------------------------------------------------------


def test_largest_total_over_any_window() -> None:
    rolling = PEOPLE.rolling(7).sum().dropna()
    best, ending = rolling.max(), rolling.idxmax()
    c = claim(
        form="window", days=7, ending=str(ending.date()), comparison="more_than", figure=best - 1
    )
    result = evaluate(c, ED)
    assert result.value == best and result.verdict is Verdict.supported
    assert f"was {fmt_number(best)} people" in result.reason
    other = rolling.drop(ending).idxmax()
    if rolling[other] < best:
        not_it = c.model_copy(update={"ending": other.date()})
        assert evaluate(not_it, ED).verdict is Verdict.not_supported
    in_2023 = PEOPLE.loc["2023"].rolling(30).sum().dropna().max()
    within = claim(
        form="window",
        days=30,
        within={"kind": "calendar_year", "year": 2023},
        comparison="exactly",
        figure=in_2023,
    )
    assert evaluate(within, ED).verdict is Verdict.supported


# ---- what the series cannot decide ----------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "words"),
    [
        ("share_of_boats_by_occupancy", "not the number aboard each boat"),
        ("nationality", "not their nationalities"),
        ("departure_area", "not by beach or area of departure"),
        ("deaths", "does not count deaths"),
    ],
)
def test_questions_the_series_cannot_answer(metric: str, words: str) -> None:
    c = claim(
        metric=metric,
        unit="share" if "share" in metric else "people",
        period={"kind": "calendar_year", "year": 2024},
        comparison="more_than",
        figure=1,
    )
    result = evaluate(c, ED)
    assert result.verdict is Verdict.cannot_check and result.value is None
    assert words in result.reason


def test_a_part_of_the_coast_in_a_ranking_cannot_be_checked() -> None:
    c = claim(form="rank", subject={"kind": "calendar_year", "year": 2024}, area="Calais")
    result = evaluate(c, ED)
    assert result.verdict is Verdict.cannot_check and "national" in result.reason


def test_a_ranking_quoted_in_the_wrong_unit() -> None:
    """'Wrong unit' when the rank holds in the series counted (people): 2024 is the toy's
    2nd year; claimed 1st, it is not supported, the unit remark kept (s11 trial T15)."""
    years = PEOPLE.resample("YS").sum()
    second = int(years.rank(ascending=False)[pd.Timestamp("2024-01-01")])
    for rank, verdict in ((second, Verdict.wrong_unit), (second + 1, Verdict.not_supported)):
        c = claim(form="rank", subject={"kind": "calendar_year", "year": 2024}, unit="boats",
                  rank=rank)  # fmt: skip
        result = evaluate(c, ED)
        assert result.verdict is verdict and "counts people, not boats" in result.reason


# ---- as published then and as revised -------------------------------------------------


def test_a_day_right_when_said_and_revised_later() -> None:
    """The 8 Jan 2025 edition printed 500 people on 3 Jan; the 15 Jan edition revised it to
    480. "500 crossed on 3 January", said on 9 Jan, was right then."""
    first = _edition("2024-12-01", "2025-01-07")
    daily = first.daily.copy()
    daily.loc[daily["date"] == "2025-01-03", "people"] = 500
    daily.loc[daily["date"] == "2025-01-03", "boats"] = 10
    then = DataEdition(daily, first.weekly, date(2025, 1, 8), "8_January_2025.ods")
    revised_daily = daily.copy()
    revised_daily.loc[revised_daily["date"] == "2025-01-03", "people"] = 480
    later = DataEdition(revised_daily, first.weekly, date(2025, 1, 15), "15_January_2025.ods")
    editions = Editions([(then.edition_date, lambda: then), (later.edition_date, lambda: later)],
                        lambda: later)  # fmt: skip
    c = claim(
        said_on="2025-01-09",
        period={"kind": "between", "start": "2025-01-03", "end": "2025-01-03"},
        comparison="exactly",
        figure=500,
    )
    result = evaluate(c, editions)
    assert result.then is not None
    assert (result.then.finding.value, result.then.finding.verdict) == (500, Verdict.supported)
    assert result.then.edition.file_name == "8_January_2025.ods"
    assert (result.revised.finding.value, result.revised.finding.verdict) == (
        480,
        Verdict.not_supported,
    )
    assert result.differs and result.verdict is Verdict.supported
    row = result.row()
    assert row["as_revised"].startswith("not supported: Data: 480 people arrived")
    assert "15 Jan 2025 (15_January_2025.ods)" in row["as_revised"]
    # Said before any edition here: judged on the revised figures alone.
    early = evaluate(c.model_copy(update={"said_on": date(2025, 1, 5)}), editions)
    assert early.then is None and early.value == 480 and early.as_dict()["as_published"] is None


# ---- the YAML file --------------------------------------------------------------------

FORMS_YAML = """\
as_of: 2024-07-31
claims:
  - id: change
    quote: "up on last year"
    speaker: A
    form: change
    metric: arrived_people
    unit: people
    period: {kind: year_to_date}
    baseline: {kind: same_period_last_year}
    direction: up
    comparison: more_than
    figure: 0
  - id: rank
    quote: "a record"
    speaker: B
    form: rank
    metric: arrived_people
    unit: people
    subject: {kind: month, month: 2024-07}
    among: same_span
  - id: milestone
    quote: "passed 10,000"
    speaker: C
    form: milestone
    metric: arrived_people
    unit: people
    threshold: 10000
    year: 2024
    reached_by: 2024-07-31
  - id: streak
    quote: "no crossings for a week"
    speaker: D
    form: streak
    of: without_crossings
    date: 2024-07-01
    comparison: at_least
    figure: 1
  - id: window
    quote: "3,000 in a week"
    speaker: E
    form: window
    metric: arrived_people
    unit: people
    days: 7
    comparison: more_than
    figure: 3000
"""


def test_every_form_loads_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "forms.yaml"
    path.write_text(FORMS_YAML, encoding="utf-8")
    loaded = load_claims(path)
    assert [type(c).__name__ for c in loaded.claims] == [
        "ChangeClaim", "RankClaim", "MilestoneClaim", "StreakClaim", "WindowClaim",
    ]  # fmt: skip
    results = check_claims(loaded, ED)
    assert all(r.as_of == date(2024, 7, 31) for r in results)
    assert all(r.reason.startswith("Data: ") for r in results)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "form: change",
            "form: delta",
            "claim 1 (id change): unknown form; expected one of total,",
        ),
        ("direction: up", "direction: sideways", "claim 1 (id change), key direction"),
        ("{kind: same_period_last_year}", "{kind: last_week}", "claim 1 (id change), key baseline"),
        ("among: same_span", "among: same_decade", "claim 2 (id rank), key among"),
        ("    reached_by: 2024-07-31\n", "", "claim 3 (id milestone): key reached_on: give"),
        ("of: without_crossings", "of: rainy_days", "claim 4 (id streak), key of"),
        ("    days: 7\n", "    days: 0\n", "claim 5 (id window), key days"),
        ("    year: 2024\n", "    year: 2024\n    year: 2025\n", "key 'year' is given twice"),
    ],
)
def test_bad_forms_name_the_claim_and_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert_bad_claim_file(tmp_path, FORMS_YAML, old, new, expected)


# ---- the series behind every form -----------------------------------------------------

DAYS = pd.date_range("2021-06-01", "2025-06-30", freq="D")


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, len(DAYS) - 1),
    st.integers(0, 400),
    st.integers(-30, 400),
    st.sampled_from(["arrived_people", "days_with_crossings", "prevented_people"]),
)
def test_a_period_total_matches_pandas_with_bounds(
    first: int, length: int, as_of_offset: int, metric: str
) -> None:
    """Any period, any as_of, before, inside or after the data: the value is the pandas sum
    over the known days (or weeks ending in the period), and missing units widen the bounds
    exactly as far as they can."""
    start = DAYS[first].date()
    end = min(DAYS[-1], DAYS[first] + pd.Timedelta(days=length)).date()
    as_of = (pd.Timestamp(end) + pd.Timedelta(days=as_of_offset)).date()
    found = measure(METRICS[metric], start, end, as_of, ED)
    last = min(pd.Timestamp(end), pd.Timestamp(as_of))
    if metric == "prevented_people":
        w = ED.weekly.set_index("week_ending")["prevented_people"]
        units = pd.date_range(start, end, freq="W-SUN")
        known = w.reindex(units)[units <= last].dropna()
        expected = float(known.sum())
    else:
        units = pd.date_range(start, end, freq="D")
        known = PEOPLE.reindex(units)[units <= last].dropna()
        expected = float((known > 0).sum() if metric == "days_with_crossings" else known.sum())
    if known.empty:
        assert found is None
        return
    assert found is not None and found.value == expected
    missing = len(units) - len(known)
    assert found.low == expected
    if metric == "days_with_crossings":
        assert found.high == expected + missing
    else:
        assert found.high == (np.inf if missing else expected)
    assert bool(found.gaps) == bool(missing)


def test_an_edition_loaded_that_stops_short_does_not_head_the_verdict() -> None:
    """ "More than 45,000 crossed in 2024", said on 15 Jan 2025: the latest edition loaded by
    then stops at 20 Dec 2024 (the store lacks the later weekly ones) and cannot decide it;
    the latest figures can. The verdict is theirs, and the other column says the days were not
    in the editions loaded (it read 'not yet published then', about the store, not the
    world)."""
    full = _edition("2024-01-01", "2024-12-31")
    cut = full.daily[full.daily["date"] <= "2024-12-20"]
    then = DataEdition(cut, full.weekly, date(2024, 12, 21), "21_December_2024.ods")
    later = DataEdition(full.daily, full.weekly, date(2025, 5, 29), "29_May_2025.ods")
    editions = Editions([(then.edition_date, lambda: then), (later.edition_date, lambda: later)],
                        lambda: later)  # fmt: skip
    total = int(full.daily["people"].sum())
    c = claim(said_on="2025-01-15", period={"kind": "calendar_year", "year": 2024},
              comparison="more_than", figure=total + 1)  # fmt: skip
    result = evaluate(c, editions)
    assert result.then is not None and result.then.finding.verdict is Verdict.cannot_check
    assert "so 11 days of the period are not in it" in result.then.finding.reason
    assert "not yet published" not in result.then.finding.reason
    assert result.short and result.verdict is Verdict.not_supported
    assert result.value == total and result.edition is later
    row = result.row()
    assert row["verdict"] == "not supported" and row["as_revised"] is None
    assert row["as_published_then"] == (
        "not in the editions loaded: the latest published by 15 Jan 2025 is 21 Dec 2024 "
        "(21_December_2024.ods), which stops at 20 Dec 2024"
    )
    assert result.as_dict()["shown_first"] == "as_revised"
    # An edition that reaches the day the claim counts to still heads the verdict.
    within = c.model_copy(update={"said_on": date(2024, 12, 22), "as_of": date(2024, 12, 20)})
    kept = evaluate(within, editions)
    assert not kept.short and kept.edition is then


def _then_and_later(published: str = "2024-12-31") -> tuple[DataEdition, DataEdition, Editions]:
    """The toy years 2022–2024 as an edition published on ``published`` that stops at 28 Dec
    2024, and the full figures as one published on 29 May 2025 (the latest)."""
    full = _edition("2022-01-01", "2024-12-31")
    cut = full.daily[full.daily["date"] <= "2024-12-28"]
    then = DataEdition(cut, full.weekly, date.fromisoformat(published), "then.ods")
    later = DataEdition(full.daily, full.weekly, date(2025, 5, 29), "later.ods")
    editions = Editions([(then.edition_date, lambda: then), (later.edition_date, lambda: later)],
                        lambda: later)  # fmt: skip
    return then, later, editions


def test_claims_said_the_same_day_are_judged_on_the_same_edition() -> None:
    """Said on 5 Jan 2025, five days after an edition that stops at 28 Dec 2024: a total it
    can decide was judged on it, one it cannot on the latest figures, so the edition column
    and the source line differed between claims of the same day (s10 re-trial R8). Both are
    judged on it now; the latest figures' verdict is in the other column."""
    then, later, editions = _then_and_later()
    full = later.daily.set_index("date")["people"].astype(int)
    total = int(full["2024"].sum())
    year = {"kind": "calendar_year", "year": 2024}
    decided = claim(said_on="2025-01-05", period=year, comparison="more_than", figure=1000)
    undecided = claim(said_on="2025-01-05", period=year, comparison="more_than", figure=total + 1)
    results = [evaluate(c, editions) for c in (decided, undecided)]
    assert [r.edition for r in results] == [then, then]
    assert [r.verdict for r in results] == [Verdict.supported, Verdict.cannot_check]
    assert not results[1].short
    assert results[1].row()["as_revised"].startswith(f"not supported: Data: {fmt_number(total)} ")
    # Said more than a week after the edition: one was published in between, not loaded, so
    # both claims are judged on the latest figures, whatever they say.
    late = [c.model_copy(update={"said_on": date(2025, 1, 8)}) for c in (decided, undecided)]
    results = [evaluate(c, editions) for c in late]
    assert [r.edition for r in results] == [later, later]
    assert all(r.short for r in results)
    assert [r.verdict for r in results] == [Verdict.supported, Verdict.not_supported]


def test_a_rank_whose_missing_days_cannot_change_it_is_judged() -> None:
    """2024 ranked among the toy years on an edition that lacks its last three days: it was
    'not in the editions loaded', though three days at the most ever counted in a day cannot
    lift it past the year above nor drop it below the year under (s10 re-trial R8)."""
    then, _, editions = _then_and_later()
    known = then.daily.set_index("date")["people"].astype(int)
    years = known.resample("YS").sum().to_numpy()
    record = int(known.max())
    assert years[0] > years[2] + 3 * record and years[2] > years[1]  # 2022 > 2024 > 2023
    c = claim(form="rank", subject={"kind": "calendar_year", "year": 2024}, rank=2,
              said_on="2025-01-02", as_of="2024-12-31")  # fmt: skip
    result = evaluate(c, editions)
    assert result.edition is then and result.verdict is Verdict.supported
    assert result.value == 2
    assert result.reason.endswith(
        f"the days not in this edition cannot change it, at most {fmt_number(record)} people "
        "each (the most on record in it)"
    )
    # 2023 against 2024 as lowest: 2024's three missing days can only add, it stays above.
    lowest = c.model_copy(update={"rank": 1, "order": "lowest"})
    assert evaluate(lowest, editions).verdict is Verdict.not_supported


# ---- s11 T7: nothing notable said of a day of none, nor "since" the unit just before ----


def test_a_day_of_none_is_one_of_the_days_without_any_not_the_nth_highest() -> None:
    """A day with no crossings read "the 47th highest of 148 days of 2026 ...; the highest
    since 27 May 2026 (74 people)": tied at the bottom, and "the highest since" the day
    before. Now it is one of the N days with none; the verdict and value are as before."""
    year = PEOPLE.loc["2024"]
    zero = year[year == 0].index[-1]
    c = claim(form="rank", subject={"kind": "day", "date": zero.date().isoformat()},
              among="same_year", as_of="2024-12-31")  # fmt: skip
    result = evaluate(c, ED)
    assert result.verdict is Verdict.not_supported and result.value == _rank_of(year, zero)
    top = year.idxmax()
    assert result.reason.startswith(
        f"Data: {zero.day} {zero:%b %Y} had 0 people, one of {int((year == 0).sum())} of the "
        f"{len(year)} days of 2024 with none (highest: {year.max():,} people, "
        f"{top.day} {top:%b %Y}); claimed: the highest"
    ), result.reason
    assert "since" not in result.reason and "th highest" not in result.reason


def test_a_day_below_the_day_before_is_not_the_highest_since_it() -> None:
    """ "The highest since <the day before>" says nothing: no "since" then (a day that beats
    days between keeps it: test_a_day_the_highest_since_a_date)."""
    busy = PEOPLE.loc["2024-02":"2024-12"]
    days_after_busier = [d for d in busy.index[1:]
                         if 0 < busy[d] <= busy[d - pd.Timedelta(days=1)]]  # fmt: skip
    subject = days_after_busier[0]
    c = claim(form="rank", subject={"kind": "day", "date": subject.date().isoformat()},
              among="same_year", as_of="2024-12-31")  # fmt: skip
    result = evaluate(c, ED)
    assert "the highest since" not in result.reason, result.reason
    assert result.reason.startswith(f"Data: {subject.day} {subject:%b %Y} had {busy[subject]:,}")


def test_a_run_shorter_than_the_run_just_before_is_not_the_longest_since_it() -> None:
    """A 3-day gap read "the longest since the 14-day run of 10 Feb–23 Feb", the gap just
    before it; now "the run before it, ..., lasted 14 days" (the verdict as before)."""
    runs = _runs(PEOPLE > 0, want=False)
    lengths = [(e - s).days + 1 for s, e in runs]
    k = next(k for k in range(1, len(runs)) if lengths[k] < lengths[k - 1])
    first, (b_first, b_last) = runs[k][0], runs[k - 1]
    c = claim(form="streak", metric="days_with_crossings", unit="days", of="without_crossings",
              date=str(first.date()), as_of="2024-12-31", longest_on_record=True)  # fmt: skip
    result = evaluate(c, ED)
    assert result.verdict is Verdict.not_supported and result.value == lengths[k]
    assert "the longest since" not in result.reason, result.reason
    before = f"{b_first.day} {b_first:%b}" + ("" if b_first.year == b_last.year else
                                              f" {b_first.year}")  # fmt: skip
    assert f"; the run before it, {before}" in result.reason
    assert f"lasted {lengths[k - 1]} day" in result.reason.split("the run before it")[1]


# ---- s11 F10: a metric's arrays computed once per edition, the same series as before ----


def _reference_series(metric: Any, edition: DataEdition, start: date, end: date) -> np.ndarray:
    """The series as it was read before (pandas reindex of the table on every call)."""
    table, date_col, freq = edition.table(metric)
    units = pd.date_range(start, end, freq=freq)
    frame = pd.DataFrame(
        {c: pd.array(table[c], dtype="Float64") for c in metric.columns},
        index=pd.DatetimeIndex(pd.to_datetime(table[date_col])),
    )
    frame = frame[~frame.index.duplicated(keep="last")].reindex(units)
    return frame.to_numpy(dtype=float, na_value=np.nan)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    offset=st.integers(-40, 40),
    length=st.integers(0, 120),
    metric=st.sampled_from(["arrived_people", "people_per_boat", "prevented_people"]),
)
def test_a_series_is_its_table_reindexed_with_rows_shuffled_repeated_and_missing(
    seed: int, offset: int, length: int, metric: str
) -> None:
    """Series.of reads the edition's cached arrays (a check of 300 claims took 10 s
    re-reading the tables): the same values as the table reindexed, whatever the order of
    its rows, a date given twice (its last row counts) or a figure not published."""
    from channelsim.claims.data import Series, series_end, series_start

    base = _edition("2024-03-01", "2024-08-31", seed=seed)
    daily = base.daily.sample(frac=0.9, random_state=seed)  # rows shuffled, some missing
    again = daily.sample(n=5, random_state=seed + 1)
    daily = pd.concat([daily, again.assign(people=again["people"] + 1000)])  # dates twice
    daily.loc[daily.sample(n=10, random_state=seed + 2).index, "boats"] = pd.NA
    weekly = base.weekly.sample(frac=1.0, random_state=seed)
    edition = DataEdition(daily, weekly, base.edition_date, "shuffled.ods")
    m = METRICS[metric]
    start = (pd.Timestamp("2024-05-01") + pd.Timedelta(days=offset)).date()
    end = (pd.Timestamp(start) + pd.Timedelta(days=length)).date()
    for _ in range(2):  # computed, then from the cache
        got = Series.of(m, edition, start, end, None).values
        np.testing.assert_array_equal(got, _reference_series(m, edition, start, end))
    table, date_col, _ = edition.table(m)
    recorded = table.loc[table[list(m.columns)].notna().all(axis=1), date_col]
    assert series_start(m, edition) == pd.Timestamp(recorded.min()).date()
    assert series_end(m, edition) == pd.Timestamp(table[date_col].max()).date()


@pytest.mark.parametrize(("cut", "gap"), [("2024-12-30", "1 day of the period is"),
                                          ("2024-12-20", "11 days of the period are")])  # fmt: skip
def test_a_period_to_the_day_it_is_checked_says_how_to_judge_it_on_the_edition(
    cut: str, gap: str
) -> None:
    """s15 user trial U11: "up on last year", said the day an edition came out (which stops
    the day before), could not be checked, and the reason said "1 days" and nothing more.
    It now names the as_of that judges the claim on the figures to the edition's last day;
    a period that ends before the day it is checked at gets no such hint."""
    full = _edition("2024-01-01", "2024-12-31")
    edition = DataEdition(full.daily[full.daily["date"] <= cut], full.weekly, date(2025, 1, 1),
                          "toy.ods")  # fmt: skip
    said = claim(said_on="2024-12-31", period={"kind": "calendar_year", "year": 2024},
                 comparison="more_than", figure=1)  # fmt: skip
    last = pd.Timestamp(cut)
    hint = f"as_of: {last.date().isoformat()}"
    reason = evaluate(said, edition).reason
    assert f"so {gap} not in it (a claim about the figures to {last.day} Dec 2024" in reason
    assert hint in reason
    later = claim(said_on="2025-01-15", period={"kind": "calendar_year", "year": 2024},
                  comparison="more_than", figure=1)  # fmt: skip
    assert "as_of:" not in evaluate(later, edition).reason
