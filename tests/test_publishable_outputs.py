"""Outputs a reporter can publish: the columns of the CSVs printed on stdout say what they
hold with their units, a share reads in per cent, a claim's value has its unit, the
trade-off ranking says why a cell is empty and when an interval crosses zero, medians that
do not add up say so, chart titles write dates as text does. Found by the testers of the
previous round; each test failed before its fix."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from typing import Any

import pandas as pd
import pytest

from channelsim.cli.output import OutputFormat, emit_rows
from channelsim.engine import all_results
from channelsim.fields import DIFFERENCES, OBSERVED, TOTALS

RESULTS = all_results()


def _csv(rows: list[dict[str, Any]], sources: list[Any], capsys: Any) -> list[dict[str, str]]:
    emit_rows(rows, OutputFormat.csv, sources=sources, credit="credit")
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_data_summary_csv_is_headed_by_labels_with_units_and_gives_the_share_in_per_cent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`data summary --format csv` gave code names (people, share_prevented) and the share
    as a fraction (0.351473) beside a table that says 35.1%."""
    row = {"year": 2025, "people": 41472, "people_per_boat": 61.7142857, "share_prevented":
           0.351473, "note": None}  # fmt: skip
    [read] = _csv([row], [OBSERVED], capsys)
    assert list(read) == [
        "Year", "Migrants arrived (people)", "People per boat (people/boat)",
        "Share prevented (%)", "Note", "Source",
    ]  # fmt: skip
    assert read["Share prevented (%)"] == "35.1473"
    assert read["People per boat (people/boat)"] == "61.7"  # one decimal, as the table


def test_an_ensemble_csv_says_its_statistics_are_totals_and_gives_their_unit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`run --runs N --format csv` had bare median/low/high headings."""
    rows = [{"figure": "arrived_people", "median": 36476.5, "low": 35081.1, "high": 37831.6,
             "mean": 36514.2}]  # fmt: skip
    [read] = _csv(rows, [TOTALS, RESULTS], capsys)
    assert list(read) == [
        "Figure", "Label", "Unit", "Total over the period: median",
        "Total over the period: low (5%)", "Total over the period: high (95%)",
        "Total over the period: mean", "Source",
    ]  # fmt: skip
    assert read["Unit"] == "people" and read["Total over the period: median"] == "36477"
    [compared] = _csv(rows, [DIFFERENCES, RESULTS], capsys)  # a comparison's, as before
    assert "Difference from base: median" in compared


def test_a_claim_s_value_has_its_unit() -> None:
    """The claims CSV's value column had no unit: 39292 (people) beside 48.1 (a change in
    per cent), 1 (a rank), 2025-07-30 (a date)."""
    from channelsim.claims.model import ClaimFile

    claims = ClaimFile.model_validate(
        {"claims": [
            {"id": "t", "quote": "q", "speaker": "s", "form": "total", "metric":
             "arrived_people", "unit": "people", "period": {"kind": "calendar_year", "year": 2025},
             "comparison": "exactly", "figure": 1},
            {"id": "c", "quote": "q", "speaker": "s", "form": "change", "metric":
             "arrived_people", "unit": "people", "period": {"kind": "calendar_year", "year": 2025},
             "baseline": {"kind": "same_period_last_year"}, "direction": "up",
             "comparison": "at_least", "figure": 48},
        ]}
    ).claims  # fmt: skip
    assert [c.value_unit for c in claims] == ["people", "%"]
    from channelsim.fields import describe

    assert describe("value_unit").label == "Unit of the value"


def _comparison(fewer_low: float, cost_per: float, why: str) -> pd.DataFrame:
    rows = []
    for figure, median, low, high in (
        ("arrived_people", -3.0, -20.0, -fewer_low),
        ("dead_or_missing_people", 0.0, 0.0, 0.0),
        ("cost_gbp", 1e6, 1e6, 1e6),
    ):
        rows.append({"scenario": "s", "figure": figure, "median": median, "low": low,
                     "high": high, "why_no_value": ""})  # fmt: skip
    rows.append({"scenario": "s", "figure": "cost_per_prevented_gbp", "median": cost_per,
                 "low": cost_per, "high": cost_per, "why_no_value": why})  # fmt: skip
    return pd.DataFrame(rows)


def test_tradeoffs_say_why_a_cost_per_fewer_arrival_is_empty_and_note_a_negative_low() -> None:
    """tradeoffs.csv left the extra cost per fewer arrival empty without a word, and its
    "fewer arrivals, low" was negative without a note."""
    from channelsim.experiments.compare import (
        COST_PER_PREVENTED,
        FEWER_ARRIVALS_NOTE,
        tradeoff_table,
    )

    why = "arrivals fell in 12 of 20 paired runs"
    table = _comparison(-27.0, math.nan, why)
    table.loc[table["figure"] == "cost_per_prevented_gbp", "figure"] = COST_PER_PREVENTED
    [row] = tradeoff_table(table).to_dict(orient="records")
    assert row["fewer_arrivals_low"] == -27.0
    assert row["why_no_value"] == why and row["note"] == FEWER_ARRIVALS_NOTE
    fine = _comparison(2.0, 5000.0, "")
    fine.loc[fine["figure"] == "cost_per_prevented_gbp", "figure"] = COST_PER_PREVENTED
    [row] = tradeoff_table(fine).to_dict(orient="records")
    assert row["why_no_value"] is None and row["note"] is None


def test_medians_that_do_not_add_up_are_said_to_where_a_whole_and_its_part_are_shown() -> None:
    """ "French zone 11" beside "dead or missing 9" read as an error: no note said that each
    row's median is of its own paired differences."""
    from channelsim.headline import medians_note

    note = medians_note(["dead_or_missing_people", "dead_french_zone_people"], RESULTS.describe)
    assert note is not None and "do not add up" in note and "paired differences" in note
    assert "Dead or missing, French zone" in note
    assert medians_note(["arrived_people", "dead_or_missing_people"], RESULTS.describe) is None
    runs = medians_note(["returned_people", "removed_people"], RESULTS.describe, False)
    assert runs is not None and "own runs" in runs


def test_chart_titles_write_dates_as_text_does() -> None:
    """The explorer's chart title read "Arrivals per month, 2025-01-01 to 2025-12-31"."""
    from channelsim.headline import period_title

    year = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert period_title("Arrivals per month", *year) == "Arrivals per month in 2025"
    part = dt.date(2025, 6, 1), dt.date(2025, 8, 15)
    assert period_title("Arrivals per month", *part) == "Arrivals per month, 1 Jun–15 Aug 2025"


def test_the_explorer_writes_a_changed_option_in_its_unit() -> None:
    """The explorer's description read "third country removal (rwanda) added (capacity
    people per year = 0.0, eligible share = 0.0, fixed payments gbp = 490000000.0)"."""
    from channelsim.explore.settings import option_text

    assert option_text("fixed_payments_gbp", 490_000_000.0) == "fixed payments = £490m"
    assert option_text("capacity_people_per_year", 0.0) == "capacity = 0 people per year"
    assert option_text("cost_gbp_per_person", 169_000) == "cost = £169,000 per person"
    assert option_text("patrol_boats", 3) == "patrol boats = 3"
    assert option_text("interpolation", "linear") == "interpolation = linear"
