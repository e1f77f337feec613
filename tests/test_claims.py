"""The claims checker's evaluation logic, on a small made-up year of data (2024).

Expected values are computed here with plain pandas slicing of the same frames, never taken
from the checker's own output.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from channelsim.claims import (
    ClaimBase,
    ClaimFile,
    DataEdition,
    Verdict,
    check_claims,
    evaluate,
    fmt_number,
    load_claims,
    parse_claim,
)
from channelsim.errors import InputError

PREVENTION_STARTS = pd.Timestamp("2024-05-05")  # first week ending with prevention figures


def _toy_edition() -> DataEdition:
    """A year of daily arrivals and the weekly table derived from it, as the publication."""
    rng = np.random.default_rng(20240101)
    dates = pd.date_range("2024-01-01", "2024-12-31", freq="D")
    boats = rng.integers(0, 4, len(dates)) * (rng.random(len(dates)) < 0.4)
    people = boats * rng.integers(40, 70, len(dates))
    daily = pd.DataFrame(
        {
            "date": dates,
            "people": pd.array(people, dtype="Int64"),
            "boats": pd.array(boats, dtype="Int64"),
        }
    )
    weeks = daily.set_index("date")[["people", "boats"]].resample("W-SUN").sum()
    weeks = weeks[weeks.index <= dates[-1]]
    started = weeks.index >= PREVENTION_STARTS
    prevented = rng.integers(0, 900, len(weeks))
    events = rng.integers(0, 30, len(weeks))
    weekly = pd.DataFrame(
        {
            "week_ending": weeks.index,
            "people": weeks["people"].to_numpy(),
            "boats": weeks["boats"].to_numpy(),
            "prevented_people": pd.array(np.where(started, prevented, 0), dtype="Int64"),
            "prevented_events": pd.array(np.where(started, events, 0), dtype="Int64"),
        }
    )
    weekly.loc[~started, ["prevented_people", "prevented_events"]] = pd.NA
    return DataEdition(daily, weekly, date(2025, 1, 1), "toy.ods")


ED = _toy_edition()


def _days(start: str, end: str, column: str = "people") -> pd.Series:
    d = ED.daily
    return d.loc[(d["date"] >= start) & (d["date"] <= end), column]


def _weeks(start: str, end: str, column: str) -> pd.Series:
    w = ED.weekly
    return w.loc[(w["week_ending"] >= start) & (w["week_ending"] <= end), column]


def claim(**fields: Any) -> ClaimBase:
    base: dict[str, Any] = {
        "id": "c",
        "quote": "q",
        "speaker": "s",
        "metric": "arrived_people",
        "unit": "people",
        "period": {"kind": "calendar_year", "year": 2024},
        "comparison": "more_than",
        "figure": 1000,
    }
    return parse_claim(base | fields)


TOTAL_2024 = int(_days("2024-01-01", "2024-12-31").sum())


# ---- periods -------------------------------------------------------------------------


def test_calendar_year_total_and_strict_more_than() -> None:
    above = evaluate(claim(figure=TOTAL_2024 - 1), ED)
    equal = evaluate(claim(figure=TOTAL_2024), ED)
    assert above.value == TOTAL_2024
    assert above.verdict is Verdict.supported
    assert equal.verdict is Verdict.not_supported
    assert f"Data: {fmt_number(TOTAL_2024)} people arrived in 2024" in above.reason
    assert above.period["start"] == "2024-01-01" and above.period["end"] == "2024-12-31"


def test_year_to_date_counts_days_up_to_as_of() -> None:
    result = evaluate(claim(period={"kind": "year_to_date", "as_of": "2024-06-15"}, figure=1), ED)
    assert result.value == _days("2024-01-01", "2024-06-15").sum()
    assert "days 1 Jan–15 Jun 2024" in result.reason


def test_rolling_months_window_ends_on_as_of() -> None:
    c = claim(period={"kind": "rolling_months", "months": 3}, figure=1)
    result = evaluate(c, ED, default_as_of=date(2024, 12, 31))
    assert result.period["start"] == "2024-10-01"
    assert result.value == _days("2024-10-01", "2024-12-31").sum()
    assert "in the 3 months to 31 Dec 2024" in result.reason


def test_period_as_of_overrides_the_file_default() -> None:
    c = claim(period={"kind": "rolling_months", "months": 1, "as_of": "2024-07-31"}, figure=1)
    result = evaluate(c, ED, default_as_of=date(2024, 12, 31))
    assert result.value == _days("2024-07-01", "2024-07-31").sum()


def test_since_a_date() -> None:
    c = claim(period={"kind": "since", "start": "2024-03-10", "as_of": "2024-08-01"}, figure=1)
    assert evaluate(c, ED).value == _days("2024-03-10", "2024-08-01").sum()


def test_per_week_average_of_a_daily_series_divides_by_days_over_seven() -> None:
    c = claim(period={"kind": "calendar_year", "year": 2024, "per_week_average": True})
    result = evaluate(c, ED)
    assert result.value == pytest.approx(TOTAL_2024 * 7 / 366, abs=0.05)
    assert "on average" in result.reason and "a week" in result.reason


def test_weekly_series_counts_weeks_ending_on_or_before_as_of() -> None:
    # 18 Sep 2024 is a Wednesday: the week ending 22 Sep is still running and is left out.
    period = {"kind": "since", "start": "2024-05-05", "as_of": "2024-09-18"}
    total = evaluate(claim(metric="prevented_people", period=period, figure=1), ED)
    expected = _weeks("2024-05-05", "2024-09-15", "prevented_people")
    assert total.value == expected.sum()
    assert "weeks ending 5 May–15 Sep 2024" in total.reason
    assert "week ending 22 Sep 2024 had not ended" in total.reason
    average = evaluate(
        claim(metric="prevented_people", period=period | {"per_week_average": True}), ED
    )
    assert average.value == pytest.approx(expected.mean(), abs=0.05)


def test_attempted_people_adds_arrivals_and_prevention() -> None:
    period = {"kind": "since", "start": "2024-06-01", "as_of": "2024-10-31"}
    result = evaluate(claim(metric="attempted_people", period=period, figure=1), ED)
    expected = (
        _weeks("2024-06-01", "2024-10-31", "people").sum()
        + _weeks("2024-06-01", "2024-10-31", "prevented_people").sum()
    )
    assert result.value == expected


def test_days_with_crossings_and_people_per_boat() -> None:
    days = evaluate(claim(metric="days_with_crossings", unit="days", figure=1), ED)
    assert days.value == (_days("2024-01-01", "2024-12-31") > 0).sum()
    ratio = evaluate(claim(metric="people_per_boat", unit="people per boat", figure=1), ED)
    boats = _days("2024-01-01", "2024-12-31", "boats").sum()
    assert ratio.value == pytest.approx(TOTAL_2024 / boats, abs=0.05)


# ---- comparisons ---------------------------------------------------------------------


@pytest.mark.parametrize("word", ["more_than", "over"])
def test_over_is_a_synonym_of_more_than(word: str) -> None:
    assert evaluate(claim(comparison=word, figure=TOTAL_2024 - 1), ED).verdict is (
        Verdict.supported
    )
    assert evaluate(claim(comparison=word, figure=TOTAL_2024 + 1), ED).verdict is (
        Verdict.not_supported
    )


def test_fewer_than() -> None:
    assert evaluate(claim(comparison="fewer_than", figure=TOTAL_2024 + 1), ED).verdict is (
        Verdict.supported
    )
    result = evaluate(claim(comparison="fewer_than", figure=TOTAL_2024), ED)
    assert result.verdict is Verdict.not_supported
    assert f"not fewer than {fmt_number(TOTAL_2024)}" in result.reason


def test_about_uses_the_tolerance_around_the_figure() -> None:
    near = claim(comparison="about", tolerance_pct=5, figure=round(TOTAL_2024 / 1.04))
    far = claim(comparison="about", tolerance_pct=5, figure=round(TOTAL_2024 / 1.06))
    assert evaluate(near, ED).verdict is Verdict.supported
    assert evaluate(far, ED).verdict is Verdict.not_supported
    assert "not within 5% of" in evaluate(far, ED).reason


# ---- wrong unit ----------------------------------------------------------------------


def test_people_prevented_quoted_as_attempts_is_a_wrong_unit() -> None:
    period = {"kind": "since", "start": "2024-05-05", "as_of": "2024-12-31"}
    c = claim(metric="prevented_people", unit="attempts", period=period, figure=1)
    result = evaluate(c, ED)
    people = int(_weeks("2024-05-05", "2024-12-31", "prevented_people").sum())
    events = int(_weeks("2024-05-05", "2024-12-31", "prevented_events").sum())
    assert result.verdict is Verdict.wrong_unit
    assert result.value == people
    assert f"{fmt_number(people)} people were prevented" in result.reason
    assert f"{fmt_number(events)} crossing attempts (events)" in result.reason
    assert "counts people, not attempts" in result.reason


def test_a_figure_that_fails_in_the_series_counted_too_is_not_supported() -> None:
    """'More than 22,000 attempts prevented' against 21,225 people and 809 events was a
    'wrong unit', which says the number matches a series counting something else: it
    matches neither, so it is not supported, with the unit remark kept (s11 trial T15)."""
    period = {"kind": "since", "start": "2024-05-05", "as_of": "2024-12-31"}
    people = int(_weeks("2024-05-05", "2024-12-31", "prevented_people").sum())
    c = claim(metric="prevented_people", unit="attempts", period=period,
              comparison="more_than", figure=people + 1)  # fmt: skip
    result = evaluate(c, ED)
    assert result.verdict is Verdict.not_supported
    assert "counts people, not attempts" in result.reason


def test_synonyms_of_the_series_unit_are_not_a_wrong_unit() -> None:
    assert evaluate(claim(unit="migrants", figure=1), ED).verdict is Verdict.supported
    boats = evaluate(claim(unit="boats", figure=1), ED)
    assert boats.verdict is Verdict.wrong_unit
    total_boats = int(_days("2024-01-01", "2024-12-31", "boats").sum())
    assert f"{fmt_number(total_boats)} boats arrived" in boats.reason


# ---- what the data cannot tell -------------------------------------------------------


def test_metric_not_in_the_publication() -> None:
    result = evaluate(claim(metric="deaths", unit="deaths"), ED)
    assert result.verdict is Verdict.cannot_check
    assert result.value is None
    assert "does not count deaths" in result.reason


def test_period_starting_before_the_series_cannot_be_checked_unless_data_decide() -> None:
    period = {"kind": "since", "start": "2023-06-01", "as_of": "2024-06-01"}
    known = int(_days("2024-01-01", "2024-06-01").sum())
    undecided = evaluate(claim(period=period, comparison="fewer_than", figure=known + 1), ED)
    assert undecided.verdict is Verdict.cannot_check
    assert "the series starts on 1 Jan 2024" in undecided.reason
    # Missing days can only add people: a total already above the figure settles "more than".
    decided = evaluate(claim(period=period, figure=known - 1), ED)
    assert decided.verdict is Verdict.supported
    assert "cannot change the answer" in decided.reason


def test_prevention_before_may_2024_is_missing_not_zero() -> None:
    known = int(_weeks("2024-01-01", "2024-12-31", "prevented_people").sum())
    result = evaluate(claim(metric="prevented_people", figure=known + 1), ED)
    assert result.verdict is Verdict.cannot_check
    assert "the series starts on 5 May 2024" in result.reason


def test_as_of_after_the_edition_ends() -> None:
    period = {"kind": "rolling_months", "months": 12, "as_of": "2025-01-10"}
    known = int(_days("2024-01-11", "2024-12-31").sum())
    result = evaluate(claim(period=period, comparison="fewer_than", figure=known + 1), ED)
    assert result.verdict is Verdict.cannot_check
    assert result.value == known
    assert "this edition stops at 31 Dec 2024, so 10 days" in result.reason


def test_period_with_no_data_at_all() -> None:
    result = evaluate(claim(period={"kind": "calendar_year", "year": 2019}), ED)
    assert result.verdict is Verdict.cannot_check
    assert result.value is None


def test_year_not_over_on_as_of() -> None:
    c = claim(period={"kind": "calendar_year", "year": 2024, "as_of": "2024-06-30"})
    known = int(_days("2024-01-01", "2024-06-30").sum())
    result = evaluate(c.model_copy(update={"figure": known + 1}), ED)
    assert result.verdict is Verdict.cannot_check
    assert "184 days of the period come after 30 Jun 2024" in result.reason


def test_claims_about_part_of_the_coast_are_bounded_by_the_national_series() -> None:
    area = "Calais and Dunkirk beaches"
    below = evaluate(claim(area=area, figure=TOTAL_2024 - 1), ED)
    assert below.verdict is Verdict.cannot_check
    assert "national, not by beach" in below.reason
    above = evaluate(claim(area=area, figure=TOTAL_2024), ED)
    assert above.verdict is Verdict.not_supported
    assert "cannot exceed the whole" in above.reason


def test_check_claims_applies_the_file_as_of() -> None:
    file = ClaimFile.model_validate(
        {
            "as_of": "2024-03-31",
            "claims": [{**claim().model_dump(), "period": {"kind": "year_to_date"}}],
        }
    )
    (result,) = check_claims(file, ED)
    assert result.value == _days("2024-01-01", "2024-03-31").sum()
    assert result.as_dict()["edition"] == {"date": "2025-01-01", "file": "toy.ods"}


# ---- the YAML file -------------------------------------------------------------------

GOOD = """\
as_of: 2024-06-30
claims:
  - id: first
    quote: "more than 1,000 crossed"
    speaker: A. Speaker
    metric: arrived_people
    unit: people
    period: {kind: year_to_date}
    comparison: more_than
    figure: 1000
  - id: second
    quote: "q"
    speaker: B
    metric: arrived_boats
    unit: boats
    period: {kind: calendar_year, year: 2024}
    comparison: about
    tolerance_pct: 10
    figure: 50
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads(tmp_path: Path) -> None:
    loaded = load_claims(_write(tmp_path, GOOD))
    assert [c.id for c in loaded.claims] == ["first", "second"]
    assert loaded.as_of == date(2024, 6, 30)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    figure: 50\n",
            "    figure: 50\n    colour: red\n",
            "claim 2 (id second), key colour: unknown key",
        ),
        # what was given and what is expected, in words (it said "Input should be a valid
        # number, unable to parse string as a number")
        (
            "figure: 50",
            "figure: lots",
            "claim 2 (id second), key figure: expected a number, got 'lots'",
        ),
        (
            "speaker: B\n",
            "speaker: B\n    said_on: yesterday\n",
            "key said_on: expected a date YYYY-MM-DD, got 'yesterday'",
        ),
        ("metric: arrived_boats", "metric: boats_sunk", "key metric: unknown metric 'boats_sunk'"),
        (
            "{kind: year_to_date}",
            "{kind: year_to_date, months: 3}",
            "key period.months: unknown key",
        ),
        # pydantic's "Input tag 'fortnight' found using 'kind' does not match any of the
        # expected tags: ..., got a table": the kinds in words, the closest suggested
        (
            "{kind: year_to_date}",
            "{kind: fortnight}",
            "claim 1 (id first), key period: "
            "expected kind one of calendar_year, year_to_date, rolling_months, rolling_days, "
            "since, month, between, got 'fortnight'",
        ),
        (
            "{kind: year_to_date}",
            "{kind: year_todate}",
            "got 'year_todate'; did you mean year_to_date?",
        ),
        # a day that does not exist, unquoted: PyYAML's ValueError was a traceback
        (
            "as_of: 2024-06-30\n",
            "as_of: 2024-06-31\n",
            "line 1: expected a date YYYY-MM-DD, got '2024-06-31' (June 2024 has 30 days)",
        ),
        ("unit: boats", "unit: furlongs", "key unit: unknown unit 'furlongs'"),
        ("    tolerance_pct: 10\n", "", "key tolerance_pct: needed with comparison 'about'"),
        ("as_of: 2024-06-30\n", "", "claim 1 (id first), key period.as_of: needed"),
        ("id: second", "id: first", "claim 2 (id first): duplicate id"),
        (  # a misspelt key: reported as unknown, with the keys allowed, not as a missing one
            "    comparison: about\n",
            "    comparsion: about\n",
            "claim 2 (id second), key comparsion: unknown key; did you mean comparison? "
            "expected one of area, as_of, comparison, figure, form, id, metric,",
        ),
        (
            "{kind: year_to_date}",
            "{kind: year_to_date, month: 3}",
            "key period.month: unknown key; expected one of as_of, kind, per_week_average",
        ),
        (
            "as_of: 2024-06-30\n",
            "as_of: 2024-06-30\ntitel: x\n",
            "key titel: unknown key; did you mean title? expected one of as_of, claims, title",
        ),
    ],
)
def test_bad_file_names_file_claim_and_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert_bad_claim_file(tmp_path, GOOD, old, new, expected)


def assert_bad_claim_file(tmp_path: Path, text: str, old: str, new: str, expected: str) -> None:
    """Replacing ``old`` by ``new`` in a good claim file gives one InputError line that starts
    with the file's path and contains ``expected``."""
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(InputError) as caught:
        load_claims(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_not_yaml_or_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected valid YAML"):
        load_claims(_write(tmp_path, "claims: [\n"))
    with pytest.raises(InputError, match="expected a mapping"):
        load_claims(_write(tmp_path, "- 1\n"))
    with pytest.raises(InputError, match=r"absent\.yaml: file not found"):
        load_claims(tmp_path / "absent.yaml")
    with pytest.raises(InputError, match="expected a claim file, got a folder"):
        load_claims(tmp_path)
    with pytest.raises(InputError, match=r"/dev/zero: expected a \.yaml or \.yml claim file"):
        load_claims(Path("/dev/zero"))
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    with pytest.raises(InputError, match="expected a claim file \\(a file\\), got a device"):
        load_claims(tmp_path / "zero.yaml")
    (tmp_path / "claims.txt").write_text("claims: []\n")
    with pytest.raises(InputError, match=r"claims\.txt: expected a \.yaml or \.yml claim file"):
        load_claims(tmp_path / "claims.txt")


def test_claim_text_with_controls_or_impossible_figures_is_one_line(tmp_path: Path) -> None:
    """From the breaker's trial: a direction control reversed the terminal's table; a
    figure of 1e400 (infinity to YAML) was judged 'not exactly inf'; a claim said in 1900
    about 2025 was judged (a file's as_of may be later than a claim's said_on: it is the
    date claims are checked at); an escape character in an id gave no line number."""
    claim = (
        "claims:\n  - id: {id}\n    quote: q\n    speaker: s\n    said_on: {said}\n"
        "    metric: arrived_people\n    unit: people\n    figure: {figure}\n"
        "    comparison: exactly\n    period: {{kind: calendar_year, year: 2025}}\n"
    )
    cases = [
        (dict(id="a\u202eb", said="2026-01-05", figure=1), "claim 1, key id: expected text "
         "without direction controls, got U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        # a right-to-left mark (Cf, not a direction control) moved the punctuation around it
        (dict(id="a\u200fb", said="2026-01-05", figure=1), "claim 1, key id: expected text "
         "without invisible format characters, got U+200F (RIGHT-TO-LEFT MARK), which changes "
         "the direction of the text around it"),
        (dict(id="a\u200bb", said="2026-01-05", figure=1), "got U+200B (ZERO WIDTH SPACE), "
         "which is invisible"),
        (dict(id="a", said="2026-01-05", figure="1e400"), "key figure: expected a finite number"),
        (dict(id="a", said="1900-01-01", figure=1), "key said_on: expected a date from "
         "2018-01-01 (the start of the Home Office series) to 2100-12-31, got 1900-01-01"),
        (dict(id='"\x1b[31mred"', said="2026-01-05", figure=1),
         "line 2: expected valid YAML (found the control character '\\x1b')"),
    ]  # fmt: skip
    for fields, expected in cases:
        path = tmp_path / "c.yaml"
        path.write_text(claim.format(**fields), encoding="utf-8")
        with pytest.raises(InputError) as caught:
            load_claims(path)
        assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_per_week_average_reason_reads_as_a_weekly_rate() -> None:
    period = {
        "kind": "since",
        "start": "2024-05-05",
        "as_of": "2024-12-31",
        "per_week_average": True,
    }
    result = evaluate(claim(metric="prevented_events", unit="events", period=period), ED)
    expected = _weeks("2024-05-05", "2024-12-31", "prevented_events").mean()
    assert f"on average {fmt_number(round(expected))} crossing attempts (events) a week were" in (
        result.reason
    )


def test_people_per_boat_may_be_quoted_in_people() -> None:
    c = claim(metric="people_per_boat", unit="people", comparison="fewer_than", figure=1000)
    assert evaluate(c, ED).verdict is Verdict.supported


def test_verdict_is_one_of_the_four_and_the_other_judgement_beside_it() -> None:
    """The verdict column holds one of the documented verdicts (it was headed 'not yet
    published then; supported as revised', a fifth value a filter on the four missed); the
    revised verdict, when it differs, goes to the 'as revised' column."""
    from channelsim.claims.base import Finding
    from channelsim.claims.check import ClaimResult, Judgement

    revised = Finding(39_292, Verdict.supported, "39,292 people, exactly the figure")
    made = Judgement(revised, ED)
    wrong = Finding(30_000, Verdict.not_supported, "30,000 people, not 39,292")
    other = DataEdition(ED.daily, ED.weekly, date(2024, 1, 1), "other.ods")
    result = ClaimResult(claim(said_on="2024-01-03"), None, Judgement(wrong, other), made)
    row = result.row()
    assert row["verdict"] == "not supported" and row["as_published_then"] is None
    assert row["as_revised"].startswith("supported: 39,292 people, exactly the figure")
    assert {r.value for r in Verdict} >= {row["verdict"]}


def test_a_claim_file_too_large_for_a_fact_check_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    """A 3.9 MB claim file of 20,000 claims took 5 s (77 s on a loaded machine) to say that
    its first claim lacked a key: YAML is parsed whole before any claim is checked. A claim
    file, or claims pasted in the explorer, is held to 256 kB (about 1,300 claims)."""
    from channelsim.claims.model import MAX_CLAIM_BYTES, claims_from_text

    huge = tmp_path / "many.yaml"
    with huge.open("wb") as handle:  # sparse: nothing to read, refused from its size
        handle.truncate(300 * 2**10)
    with pytest.raises(InputError) as caught:
        load_claims(huge)
    assert str(caught.value) == f"{huge}: expected a claim file of at most 256 kB, got 300 kB"
    pasted = "claims:\n" + "  - id: x\n" * (3 * MAX_CLAIM_BYTES // 10)
    with pytest.raises(InputError) as caught:
        claims_from_text(pasted, "pasted claims")
    assert str(caught.value) == (
        "pasted claims: expected claims of at most 256 kB (about 1,300 claims; split them), "
        "got 768 kB"
    )
    shipped = Path(__file__).resolve().parents[1] / "examples" / "claims"
    assert max(p.stat().st_size for p in shipped.glob("*.yaml")) < MAX_CLAIM_BYTES / 10
