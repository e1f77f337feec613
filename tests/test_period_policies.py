"""A comparison says what cannot act in its period: a policy that starts after the period
ends reads "no change" with the dates that explain it, its assumptions are not named as what
the answer rests on, and "what decides this answer" leaves out the inputs drawn that cannot
change a result in the period (a history driver's value dated 2020 in a 2025 run)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from channelsim.engine import load_scenario
from channelsim.engine.policy import build_policies, name_policies
from channelsim.experiments import compare_scenarios
from channelsim.experiments.uncertainty import (
    acting_inputs,
    changed_assumptions,
    left_out_note,
    outside_period,
    what_decides,
)
from channelsim.reports.inputs import load_folder
from channelsim.scenario import Scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SUMMER = {"start": dt.date(2025, 6, 1), "end": dt.date(2025, 8, 31)}
#: The dated driver values the shipped posterior draws (calibration/posterior-history-*-v2).
POSTERIOR_DRIVERS = [f"drivers.coastal_inflow.{i}" for i in (0, 1, 2, 3, 4, 5, 6, 8)]


def _load(name: str, **changes: object) -> Scenario:
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    return scenario.with_changes(**changes) if changes else scenario


def _policy(scenario: Scenario, name: str) -> object:
    policies = build_policies(scenario.policies, scenario.policy_location)
    return dict(zip(name_policies(policies), policies, strict=True))[name]


def test_one_in_one_out_acts_from_its_first_return() -> None:
    """In force on 5 Aug 2025, but no one is returned before 18 Sep 2025: over June–August
    it can change nothing, though its window meets the period."""
    policy = _policy(_load("status-quo-2025"), "one_in_one_out")
    assert policy.acting_window() == (dt.date(2025, 9, 18), None)
    assert not policy.acts_between(*SUMMER.values())
    assert policy.acts_between(dt.date(2025, 9, 18), dt.date(2025, 9, 18))
    assert not policy.acts_between(dt.date(2025, 8, 5), dt.date(2025, 9, 17))


def test_a_drivers_values_act_only_where_they_set_the_series() -> None:
    """A stepped driver's value dated 1 Jan 2020 sets nothing in 2025; the 2025 value does,
    and the 2026 one only from 2026; a linear driver's value also acts between its dates."""
    status_quo = _load("status-quo-2025")
    inflow = _policy(status_quo, "coastal_inflow")
    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert [inflow.value_acts(i, *year) for i in range(9)] == [False] * 7 + [True, False]
    assert inflow.value_acts(8, dt.date(2025, 12, 1), dt.date(2026, 1, 1))
    occupancy = _policy(status_quo, "boat_occupancy")  # linear: 1 Jul 2024, 2025, 15 Mar 2026
    assert [occupancy.value_acts(i, *year) for i in (5, 6, 7, 8)] == [False, True, True, True]


def test_inputs_that_cannot_act_are_left_out_of_what_decides() -> None:
    """Of the shipped posterior's inputs, a 2025 run leaves out every dated inflow value (none
    is dated 2025) and keeps the parameters; an assumption of one in, one out acts over the
    year, not over the summer."""
    retry = "policy.one_in_one_out.retry_probability"
    keys = ["coast.attrition_per_day", *POSTERIOR_DRIVERS, retry]
    year = acting_inputs(_load("status-quo-2025"), keys)
    assert year == {"coast.attrition_per_day", retry}
    summer = acting_inputs(_load("status-quo-2025", **SUMMER), keys)
    assert summer == {"coast.attrition_per_day"}
    history = acting_inputs(_load("history"), keys)
    assert history == set(keys)  # 2018 to 2026: every value sets some of its days


def test_what_decides_ranks_only_the_inputs_that_can_act() -> None:
    """An input listed as unable to act gets no row, however much the difference follows it:
    before, every input drawn was ranked."""
    rng = np.random.default_rng(3)
    runs = 40
    draws = [{"acts": rng.uniform(), "cannot": rng.uniform()} for _ in range(runs)]
    cannot = np.array([d["cannot"] for d in draws])
    pairs = pd.DataFrame(
        {"scenario": "s", "rep": np.arange(runs), "figure": "f", "difference": cannot * 10.0}
    )
    ranked = what_decides(draws, pairs, {"s": []}, seed=1)
    assert set(ranked["input"]) == {"acts", "cannot", "weather and chance"}
    kept = what_decides(draws, pairs, {"s": []}, seed=1, acting={"s": {"acts"}})
    assert set(kept["input"]) == {"acts", "weather and chance"}
    note = left_out_note({"s": ["drivers.coastal_inflow.0", "drivers.coastal_inflow.1"]})
    assert note == (
        "Left out, as they cannot change any result in the period, though drawn: 2 inputs, "
        "coastal inflow (values dated 1 Jan 2018, 1 Jan 2019)."
    )


def test_a_policy_after_the_period_is_said_with_its_dates() -> None:
    """Scaling up one in, one out over June–August read "no change" in everything, then "this
    answer rests on ... retry probability": its returns start on 18 Sep 2025."""
    base, scaled = _load("status-quo-2025", **SUMMER), _load("one-in-one-out-scaled", **SUMMER)
    assert changed_assumptions(scaled, base) == []
    said = outside_period(scaled, base)
    assert [p["policy"] for p in said["policies"]] == ["one_in_one_out"]
    assert said["policies"][0]["acts_from"] == "2025-09-18"
    assert said["text"] == (
        "Nothing this scenario changes can act in the period, so no change is what it must "
        "show: one in one out makes its first return on 18 Sep 2025, after the period ends on "
        "31 Aug 2025. A period that reaches it would measure the policy."
    )
    year_base, year_scaled = _load("status-quo-2025"), _load("one-in-one-out-scaled")
    assert outside_period(year_scaled, year_base) == {"policies": [], "text": None}
    assert {a.option for a in changed_assumptions(year_scaled, year_base)} == {
        "retry_probability",
        "deterrence_elasticity",
    }


def test_a_replaced_base_policy_after_the_period_is_the_bases() -> None:
    """The territorial doctrine over the summer replaces the base's doctrine as signed, which
    starts on 25 Nov 2025: the comparison is with no doctrine, and the sentence says so. It
    said "Part of what this scenario changes cannot act in the period", as though part of
    the territorial doctrine were missing (s10 re-trial R4)."""
    base = _load("status-quo-2025", **SUMMER)
    said = outside_period(_load("doctrine-territorial", **SUMMER), base)
    assert said["text"] == (
        "The base's doctrine as signed, which this scenario replaces, starts on 25 Nov 2025, "
        "after the period ends on 31 Aug 2025: in the period, this scenario is compared with "
        "a base without it."
    )
    assert [p["base"] for p in said["policies"]] == [True]


NO_RWANDA = """base = "status-quo-2025.toml"
name = "no-rwanda"
drop_policies = ["rwanda"{more}]
"""
TERRITORIAL = """
[[policies]]
type = "maritime_doctrine"
replaces = "doctrine_as_signed"
start = 2025-01-01
params = {area = "territorial"}
"""


def test_a_dropped_base_policy_that_ended_before_the_period_is_the_bases(tmp_path: Path) -> None:
    """The base's Rwanda scheme ends in July 2024: a 2025 scenario that drops it (and brings
    in a doctrine that acts) is compared with a base without it; one that only drops it can
    change nothing."""
    base = _load("status-quo-2025")
    both = tmp_path / "both.toml"
    both.write_text(NO_RWANDA.format(more=', "doctrine_as_signed"') + TERRITORIAL)
    said = outside_period(load_scenario(both), base)
    assert said["text"] == (
        "The base's rwanda, which this scenario drops, ends on 22 Jul 2024, before the period "
        "starts on 1 Jan 2025: in the period, this scenario is compared with a base without it."
    )
    summer = outside_period(load_scenario(both).with_changes(**SUMMER), base.with_changes(**SUMMER))
    assert summer["text"] == (
        "The base's doctrine as signed, which this scenario replaces, starts on 25 Nov 2025, "
        "after the period ends on 31 Aug 2025; the base's rwanda, which this scenario drops, "
        "ends on 22 Jul 2024, before the period starts on 1 Jun 2025: in the period, this "
        "scenario is compared with a base without them."
    )
    only = tmp_path / "only.toml"
    only.write_text(NO_RWANDA.format(more=""))
    assert outside_period(load_scenario(only), base)["text"] == (
        "Nothing this scenario changes can act in the period, so no change is what it must "
        "show: the base's rwanda, which this scenario drops, ends on 22 Jul 2024, before the "
        "period starts on 1 Jan 2025. A period that reaches it would measure the policy."
    )


def test_the_scenarios_own_policy_and_the_bases_are_said_apart(tmp_path: Path) -> None:
    """Scaling one in, one out, dropping Rwanda and bringing in the territorial doctrine, over
    the summer: the scaled policy is part of what the scenario changes that cannot act; the
    base's Rwanda and doctrine as signed are what it is compared without."""
    scaled = (SCENARIOS / "one-in-one-out-scaled.toml").read_text()
    drop = 'drop_policies = ["one_in_one_out", "rwanda", "doctrine_as_signed"]'
    mine = tmp_path / "scaled.toml"
    mine.write_text(scaled.replace('drop_policies = ["one_in_one_out"]', drop) + TERRITORIAL)
    base = _load("status-quo-2025", **SUMMER)
    said = outside_period(load_scenario(mine).with_changes(**SUMMER), base)
    assert said["text"] == (
        "Part of what this scenario changes cannot act in the period: one in one out makes its "
        "first return on 18 Sep 2025, after the period ends on 31 Aug 2025. The base's "
        "doctrine as signed, which this scenario replaces, starts on 25 Nov 2025, after the "
        "period ends on 31 Aug 2025; the base's rwanda, which this scenario drops, ends on "
        "22 Jul 2024, before the period starts on 1 Jun 2025: in the period, this scenario is "
        "compared with a base without them."
    )


def test_compare_says_why_there_is_no_change(tmp_path: Path) -> None:
    """The terminal, comparison.json and the report say it alike."""
    from channelsim.reports.headlines import comparison_headline, comparison_headlines

    base = _load("status-quo-2025", start=dt.date(2025, 8, 1), end=dt.date(2025, 8, 20))
    scaled = _load("one-in-one-out-scaled", start=base.start, end=base.end)
    comparison = compare_scenarios(base, [scaled], runs=2, seed=3, executor="serial",
                                   progress=False)  # fmt: skip
    assert (comparison.pairs["difference"] == 0).all()  # nothing acts: identical pairs
    headline = comparison_headline(comparison)
    assert "no change in people arrived in the UK" in headline
    assert "makes its first return on 18 Sep 2025, after the period ends on 20 Aug 2025" in headline
    assert "rests on assumptions" not in headline
    comparison.write(tmp_path / "out")
    payload = json.loads((tmp_path / "out" / "comparison.json").read_text())
    [entry] = payload["scenarios"]
    assert entry["outside_period"]["text"] == comparison.outside_text("one-in-one-out-scaled")
    assert entry["rests_on"]["assumptions"] == []
    assert comparison_headlines(load_folder(tmp_path / "out")) == [headline]


def test_a_posterior_sensitivity_ranks_only_the_inputs_that_can_act() -> None:
    """`sensitivity --posterior` ranks its inputs as a comparison does: one that cannot act
    in the scenario's period gets no row."""
    from channelsim.experiments.sensitivity import posterior_indices

    rng = np.random.default_rng(5)
    inputs = pd.DataFrame({"coast.attrition_per_day": rng.uniform(size=40),
                           "drivers.coastal_inflow.0": rng.uniform(size=40)})  # fmt: skip
    y = pd.DataFrame({"arrived_people": inputs["drivers.coastal_inflow.0"] * 100.0})
    every = posterior_indices(inputs, y, [], seed=1)
    assert set(every["parameter"]) == set(inputs.columns)
    acting = acting_inputs(_load("status-quo-2025"), inputs.columns)
    kept = posterior_indices(inputs, y, [], seed=1, acting=acting)
    assert set(kept["parameter"]) == {"coast.attrition_per_day"}


def test_the_map_draws_the_paired_replicate_nearest_every_median() -> None:
    """A comparison's map drew replicate 1 whatever it was (15 dead or missing on the map
    of a scenario whose runs' median was 179): it draws the replicate, the same for every
    scenario, whose dead or missing lie nearest each scenario's median, measured in the
    scenario where it lies furthest."""
    from channelsim.experiments.compare import typical_rep

    deaths = {"base": [10, 50, 12, 11, 30], "policy": [100, 20, 160, 150, 400]}
    members = pd.DataFrame(
        [{"scenario": s, "draw": 0, "rep": r, "dead_or_missing_people": float(v)}
         for s, values in deaths.items() for r, v in enumerate(values)]
    )  # fmt: skip
    # medians 12 and 150: rep 2 is the base's median and 10 off the policy's; rep 3 is the
    # policy's median but 1 off the base's, a smaller share of the base's narrower spread
    base_spread = np.quantile(deaths["base"], 0.95) - np.quantile(deaths["base"], 0.05)
    policy_spread = np.quantile(deaths["policy"], 0.95) - np.quantile(deaths["policy"], 0.05)
    assert 1 / base_spread < 10 / policy_spread
    assert typical_rep(members, ["base", "policy"]) == (3, "d0.r3")


def test_a_comparisons_map_run_is_its_members_run(tmp_path: Path) -> None:
    """The boats the map draws are those of the member it names: the people they land are
    the member's arrivals, in every scenario; the report names that run and why."""
    from channelsim.reports.build import map_run_lines

    base = _load("status-quo-2025", start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 20))
    other = _load("doctrine-territorial", start=base.start, end=base.end)
    comparison = compare_scenarios(base, [other], runs=5, seed=4, executor="serial",
                                   progress=False, boat_log=True)  # fmt: skip
    assert comparison.boats is not None
    daily = comparison.daily
    for name, log in comparison.boats.groupby("scenario"):
        mine = daily[(daily["scenario"] == name) & (daily["rep"] == comparison.map_rep)]
        landed = log.loc[log["fate"] == "arrived", "aboard_people"].sum()
        assert landed == mine["arrived_people"].sum()
    comparison.write(tmp_path / "out")
    found = load_folder(tmp_path / "out")
    member = f"d0.r{comparison.map_rep}"
    assert found.map_runs == {n: (member, "paired") for n in (base.name, other.name)}
    [lead, first, _] = map_run_lines(found)  # why, said once; then each scenario's run
    assert lead.startswith(
        "The map draws one run of each scenario (drawn with the same seed for every scenario, "
        "paired: the replicate whose dead or missing lie nearest each scenario's median)"
    )
    assert first.startswith(f"status-quo-2025, run {comparison.map_rep + 1} of 5: ")


def test_a_policy_changed_in_place_that_acts_is_not_called_idle() -> None:
    """The explorer's Rwanda ticked on 2025 as it happened removed 998 people, yet the
    headline said 'Part of what this scenario changes cannot act in the period: rwanda ends
    on 22 Jul 2024' (the base's version of the same policy)."""
    from channelsim.experiments.uncertainty import outside_period
    from channelsim.explore.settings import Settings

    settings = Settings.starting("status-quo-2025")
    settings.policies["third_country_removal:rwanda"].on = True
    base, changed = settings.scenarios()
    assert outside_period(changed, base) == {"policies": [], "text": None}
