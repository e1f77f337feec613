"""The headline in words, labels and units from the results registry, the ranked trade-offs."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from channelsim.engine import all_results
from channelsim.experiments.compare import tradeoff_table
from channelsim.fields import describe
from channelsim.headline import (
    Driver,
    Estimate,
    Reference,
    Subject,
    estimates,
    headline,
    lead_figures,
    period_text,
    with_references,
)

RESULTS = all_results()
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_every_key_figure_has_a_label_and_a_unit() -> None:
    for name in RESULTS.key():
        field = RESULTS.describe(name)
        assert field.label and field.label != name.replace("_", " "), name
        assert field.unit or field.kind == "share", name
    assert RESULTS.describe("cost_gbp").heading == "Extra cost of policies (£)"
    assert RESULTS.describe("arrived_people").heading == "People arrived in the UK"
    assert describe("date").label == "Date" and RESULTS.describe("date").label == "Date"
    assert RESULTS.describe("time_at_sea_h").heading == "Time at sea (hours)"  # the boat log


def test_a_comparison_headline_reads_as_a_sentence_with_intervals() -> None:
    rows = [
        {"figure": "arrived_people", "median": -1612.0, "low": -2210.0, "high": -1290.0},
        {"figure": "dead_or_missing_people", "median": 101.0, "low": 65.0, "high": 176.0},
        {"figure": "cost_gbp", "median": 17_520_000.0, "low": 17_520_000.0, "high": 17.52e6},
        {"figure": "officer_injuries", "median": 0.0, "low": 0.0, "high": 0.0},
    ]
    subject = Subject("doctrine (French maritime doctrine)", *YEAR, 20, against="status-quo")
    found = estimates(rows, lead_figures(RESULTS.key()), RESULTS.describe)
    assert [e.field.name for e in found][:3] == [
        "arrived_people",
        "dead_or_missing_people",
        "cost_gbp",
    ]
    driver = Driver("dead_or_missing_people", "`hazards.capsize_per_hour`", 0.62)
    text = headline(subject, found, [driver])
    assert text.startswith("doctrine (French maritime doctrine) against status-quo, in 2025: ")
    # a count of a thousand or more is rounded (a model is not precise to the person)
    assert "about 1,600 fewer people arrived in the UK (90% interval: 1,300–2,200 fewer)" in text
    assert "101 more people dead or missing (90% interval: 65–176 more)" in text
    assert "extra cost of policies: £17.5m more" in text
    assert "no change in officers injured" in text
    assert "Intervals: 90% of 20 paired runs; they cover the weather and chance only" in text
    assert text.endswith("depends mostly on `hazards.capsize_per_hour`, an assumption (62% of "
                         "its variance).")  # fmt: skip


def test_an_interval_across_zero_says_both_ways() -> None:
    field = RESULTS.describe("arrived_people")
    subject = Subject("x", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 5, against="base")
    text = headline(subject, [Estimate(field, -40.0, -120.0, 30.0)])
    assert "in June 2025" in text
    assert "40 fewer people arrived in the UK (90% interval: 120 fewer to 30 more)" in text
    one = headline(subject, [Estimate(field, -1.0, -11.0, 0.0)])
    assert "1 fewer person arrived in the UK (90% interval: 0–11 fewer)" in one
    assert "1 more person arrived in the UK" in headline(subject, [Estimate(field, 1.0)])


def test_a_run_headline_against_observed_figures_and_sourced_counts() -> None:
    rows = [
        {"figure": "arrived_people", "median": 41_508.0, "low": 39_000.0, "high": 44_100.0},
        {"figure": "dead_or_missing_people", "median": 1.0, "low": 0.0, "high": 3.0},
        {"figure": "cost_gbp", "median": 0.0, "low": 0.0, "high": 0.0},
        {"figure": "officer_injuries", "median": 3.0, "low": 1.0, "high": 6.0},
    ]
    subject = Subject("status-quo-2025", *YEAR, 10, references="Home Office, edition of X")
    found = with_references(
        estimates(rows, lead_figures(RESULTS.key()), RESULTS.describe),
        {
            "arrived_people": Reference(41_472, 41_472),
            "dead_or_missing_people": Reference(17, 36, "in published counts"),
        },
    )
    text = headline(subject, found)
    assert (
        "about 42,000 people arrived in the UK (90% interval: 39,000–44,000) against 41,472 "
        in text
    )
    assert "observed, inside the interval" in text
    assert (
        "1 person dead or missing (90% interval: 0–3) against 17–36 in published counts, outside"
        in text
    )
    assert "extra cost" not in text  # zero in every run: left out of a level's headline
    assert "Observed: Home Office, edition of X." in text
    # a figure no source counts says it is simulated only, beside figures that are compared
    assert "3 officers injured (90% interval: 1–6) (simulated only: no published count" in text


def test_one_run_has_no_interval() -> None:
    field = RESULTS.describe("arrived_people")
    text = headline(Subject("s", *YEAR), [Estimate(field, 2766.0)])
    assert "about 2,800 people arrived in the UK." in text and "One run: no interval" in text


def test_periods_in_words() -> None:
    assert period_text(*YEAR) == "in 2025"
    assert period_text(dt.date(2025, 6, 1), dt.date(2025, 6, 10)) == "1 Jun–10 Jun 2025"
    assert period_text(dt.date(2024, 1, 1), dt.date(2026, 5, 31)) == "1 Jan 2024–31 May 2026"


def test_tradeoffs_rank_scenarios_by_fewer_arrivals() -> None:
    def rows(scenario: str, arrived: float, deaths: float, cost: float) -> list[dict[str, object]]:
        return [
            {"scenario": scenario, "figure": f, "median": m, "low": m * 1.5, "high": m * 0.5}
            for f, m in (
                ("arrived_people", arrived),
                ("dead_or_missing_people", deaths),
                ("cost_gbp", cost),
            )
        ]

    table = pd.DataFrame(rows("small", -100.0, 2.0, 1e6) + rows("big", -900.0, 30.0, 2e7))
    ranked = tradeoff_table(table)
    assert ranked["scenario"].tolist() == ["big", "small"] and ranked["rank"].tolist() == [1, 2]
    big = ranked.iloc[0]
    assert big["fewer_arrivals_people"] == 900.0
    assert (big["fewer_arrivals_low"], big["fewer_arrivals_high"]) == (450.0, 1350.0)
    assert big["deaths_change_people"] == 30.0 and big["extra_cost_gbp"] == 2e7
    assert math.isnan(big["cost_per_prevented_arrival_gbp"])  # not in this table
    for column in ranked.columns:
        assert describe(column).label != column.replace("_", " ") or column == "scenario", column


def test_stopped_on_the_beach_and_fewer_arrivals_are_named_apart() -> None:
    """ "Prevented" meant two things in one comparison: people stopped on the beach (the
    headline's key figure) and the fall in arrivals (the ranked table's)."""
    from channelsim.engine import all_results

    assert all_results().describe("prevented_people").label == "People stopped on the beach"
    assert describe("fewer_arrivals_people").label == "Fewer arrivals"
    labels = [all_results().describe(n).label for n in all_results().key()]
    ranked = ("fewer_arrivals_people", "cost_per_prevented_arrival_gbp")
    labels += [describe(c).label for c in ranked]
    assert not [label for label in labels if "prevented" in label.lower()]


def test_an_interval_that_rounds_to_nothing_is_not_0_to_0_fewer() -> None:
    """ "no change in dead or missing in the median (90% interval: 0–0 fewer)": a 5% quantile of
    −0.05 (one pair of 20 with one fewer) rounds to 0 either way."""
    from channelsim.headline import Estimate, difference_text

    field = RESULTS.describe("dead_or_missing_people")
    text = difference_text(Estimate(field, 0.0, -0.05, 0.0))
    assert "0–0" not in text and text.endswith("nor in 90% of the paired runs"), text


def test_a_bound_written_0_reads_as_one_side_of_zero() -> None:
    """compare status-quo-2025 doctrine-waterways doctrine-shallow-300m --runs 40: "112 more
    people dead or missing (90% interval: 0 fewer to 267 more)", a 5% quantile of -0.3,
    where a bound of 0 reads "0–267 more"; the rankings' cells alike."""
    from channelsim.headline import change_phrase, difference_text

    field = RESULTS.describe("dead_or_missing_people")
    for low in (-0.3, 0.0):
        text = difference_text(Estimate(field, 112.0, low, 267.0))
        assert text == "112 more people dead or missing (90% interval: 0–267 more)", text
        assert change_phrase(112.0, low, 267.0, field) == "112 more (0–267 more)"
        fewer = difference_text(Estimate(field, -112.0, -267.0, -low))
        assert fewer.endswith("(90% interval: 0–267 fewer)"), fewer
    assert change_phrase(0.0, -0.3, 0.2, field) == "no change"
    assert change_phrase(5.0, -3.0, 26.0, field) == "5 more (3 fewer to 26 more)"


def test_a_count_reads_the_same_in_a_headline_a_table_and_a_map_note() -> None:
    """The headline said "90% interval: 5–110" where the map's note (and the tables) said 5–112: a
    count below a thousand in a sentence is written as everywhere else, whole, halves away
    from zero; a larger one to two significant figures (36,705 people read as precise to the
    person)."""
    from channelsim.formatting import about, format_value

    people = RESULTS.describe("dead_or_missing_people")
    for value in (112.0, 262.5, -20.5, 999.4, 0.05):
        assert about(value, people) == format_value(value, people)
    assert [about(v, people) for v in (1612.4, 36_705.0, -41_508.0)] == [
        "1,600", "37,000", "-42,000"
    ]  # fmt: skip
    field = RESULTS.describe("arrived_people")
    text = headline(Subject("s", *YEAR, 20), [Estimate(field, 52.0, 5.0, 112.0)])
    assert "52 people arrived in the UK (90% interval: 5–112)" in text


def test_key_figure_panels_show_returns_removals_and_admissions_where_they_change() -> None:
    """A returns scenario's key-figure panels (report, explorer) left out the returns,
    removals and admissions that are all it changes."""
    from channelsim.headline import REMOVAL_FIGURES, panel_figures

    key = RESULTS.key()
    rows = [
        {"figure": "arrived_people", "median": 0.0, "low": 0.0, "high": 0.0},
        {"metric": "removed_people", "median": 997.0, "low": 983.0, "high": 999.0},
        {"figure": "returned_from_uk_people", "median": 0.0, "low": 0.0, "high": 0.0},
        {"figure": "legal_route_admissions_people", "median": 0.0, "low": 0.0, "high": 3.0},
    ]
    shown = panel_figures(key, rows)
    assert shown[: len(lead_figures(key))] == lead_figures(key)
    assert shown[len(lead_figures(key)) :] == ["removed_people", "legal_route_admissions_people"]
    assert panel_figures(key, rows[:1]) == lead_figures(key)  # nothing removed: key only
    assert not set(REMOVAL_FIGURES) & set(key)


def test_removals_written_as_no_change_are_not_named() -> None:
    """beach-funding-plus against the 2025 status quo under --posterior (20 runs): one run
    of 20 returned two more people, so the 95% bound was 0.1, and the headline carried
    "Removals: no change in people returned from the UK in the median, nor in 90% of the
    paired runs; ..." for a policy that does not act on removals; the panels listed the
    figures too. A figure whose median and interval are each written 0 is not named."""
    from channelsim.headline import panel_figures
    from channelsim.reports.headlines import removals_note

    key = RESULTS.key()
    noise = [
        {"figure": "returned_from_uk_people", "median": 0.0, "low": 0.0, "high": 0.1},
        {"figure": "removed_people", "median": 0.0, "low": 0.0, "high": 0.0},
        {"figure": "legal_route_admissions_people", "median": 0.0, "low": -0.4, "high": 0.15},
    ]
    assert removals_note(noise, RESULTS.describe) is None
    assert panel_figures(key, noise) == lead_figures(key)
    changed = [{**noise[0], "high": 2.0}, {**noise[2], "median": 0.6, "low": 0.0, "high": 1.0}]
    assert removals_note(changed, RESULTS.describe) == (
        "Removals: no change in people returned from the UK in the median (90% interval: 0–2 "
        "more); 1 more person admitted by a legal route (90% interval: 0–1 more)."
    )
    assert panel_figures(key, changed)[len(lead_figures(key)) :] == [
        "returned_from_uk_people", "legal_route_admissions_people"
    ]  # fmt: skip


def test_a_skewed_figure_gives_its_mean_beside_its_median_and_says_why() -> None:
    """Deaths: the median run had 13 dead or missing, the mean 33 (a few runs with a capsize
    of a crowded boat); a headline of the median alone read as a third of PREMAR's count,
    while the model is calibrated on the mean."""
    rows = [
        {"figure": "arrived_people", "median": 37_000.0, "low": 34_000.0, "high": 40_000.0,
         "mean": 37_100.0},
        {"figure": "dead_or_missing_people", "median": 13.0, "low": 6.0, "high": 102.0,
         "mean": 33.0},
    ]  # fmt: skip
    found = estimates(rows, lead_figures(RESULTS.key()), RESULTS.describe)
    text = headline(Subject("status-quo-2025", *YEAR, 50), found)
    assert "13 people dead or missing (90% interval: 6–102; mean 33)" in text
    assert "(90% interval: 34,000–40,000)" in text  # a symmetric figure: its median alone
    assert "Dead or missing: a few runs carry much of it, so the mean (33) is above the " in text
    assert text.count("mean") == 2

    pairs = [{**rows[1], "median": 9.0, "low": 0.0, "high": 140.0, "mean": 36.0}]
    found = estimates(pairs, lead_figures(RESULTS.key()), RESULTS.describe)
    text = headline(Subject("doctrine", *YEAR, 50, against="status-quo-2025"), found)
    assert "9 more people dead or missing (90% interval: 0–140 more; mean 36 more)" in text
    assert "its mean is 36 more, its median, the typical pair, 9 more." in text


def test_a_mean_close_to_the_median_is_not_said() -> None:
    rows = [{"figure": "dead_or_missing_people", "median": 20.0, "low": 5.0, "high": 105.0,
             "mean": 29.0}]  # fmt: skip  # 9 apart: under a tenth of the interval's 100
    [found] = estimates(rows, lead_figures(RESULTS.key()), RESULTS.describe)
    assert not found.skewed
    assert "mean" not in headline(Subject("s", *YEAR, 50), [found])


def test_a_mean_a_little_off_a_narrow_interval_is_not_called_skewed() -> None:
    """A capped cost's mean £42.1m sat 0.7% below its median £42.4m, a tenth of a narrow
    interval apart: the headline said 'a few pairs of runs carry much of the difference'."""
    rows = [{"figure": "cost_gbp", "median": 42.4e6, "low": 41.0e6, "high": 43.0e6,
             "mean": 42.1e6}]  # fmt: skip
    [found] = estimates(rows, lead_figures(RESULTS.key()), RESULTS.describe)
    assert not found.skewed


def test_a_comparison_report_keeps_the_mean_of_its_table_and_its_json() -> None:
    """The report of a comparison dropped the mean that comparison.parquet and .json hold, so
    its headline lost the 'mean 17 more' the terminal gave."""
    from channelsim.reports.inputs import comparison_from_json, comparison_from_table

    stats = {"median": 2.0, "low": -4.0, "high": 78.0, "mean": 17.0}
    table = pd.DataFrame([{"scenario": "a", "figure": "dead_or_missing_people", **stats}])
    assert comparison_from_table(table)["mean"].tolist() == [17.0]
    difference = {"dead_or_missing_people": stats}
    payload = {"base": "b", "scenarios": [{"name": "a", "difference": difference}]}
    assert comparison_from_json(payload)["mean"].tolist() == [17.0]


def test_an_interval_never_mixes_rounded_and_exact_bounds() -> None:
    """A headline read "(90%: 953–1,800 fewer)": a bound of a thousand or more was rounded,
    one below it exact. Every figure of a median's phrase is rounded alike."""
    people = RESULTS.describe("arrived_people")
    from channelsim.headline import difference_text

    fewer = difference_text(Estimate(people, -1_312.0, -1_812.0, -953.0))
    assert fewer == "about 1,300 fewer people arrived in the UK (90% interval: 1,000–1,800 fewer)"
    level = headline(Subject("s", *YEAR, 20), [Estimate(people, 899.0, 711.0, 1_220.0)])
    assert "about 900 people arrived in the UK (90% interval: 700–1,200)" in level
    # "29–1,000 more; mean 406 more", then "269 more": 29 exact beside 1,040 rounded, the
    # median rounded in one clause and exact in the next (s10 re-trial R7): one step, 10
    deaths = RESULTS.describe("dead_or_missing_people")
    skewed = headline(
        Subject("s", *YEAR, 30, against="b"), [Estimate(deaths, 269.0, 29.0, 1_040.0, mean=406.0)]
    )
    assert "about 270 more people dead or missing (90% interval: 30–1,040 more; mean 410 more)" in (
        skewed
    )
    assert "its mean is 410 more, its median, the typical pair, 270 more" in skewed
    small = headline(Subject("s", *YEAR, 20), [Estimate(people, 52.0, 5.0, 112.0)])
    assert "52 people arrived in the UK (90% interval: 5–112)" in small  # as the tables


def test_a_weather_only_interval_says_the_middle_may_move_with_the_parameters() -> None:
    """With a posterior, doctrine-territorial's deaths median was 269 against 130 without,
    and the status quo's interval moved to include the observed 41,472: the weather-only
    headline said only that its intervals leave the parameters out."""
    people = RESULTS.describe("arrived_people")
    text = headline(Subject("s", *YEAR, 20), [Estimate(people, 36_000.0, 35_000.0, 38_000.0)])
    assert "with it (--posterior DIR) the intervals are wider and their middle may move" in text
