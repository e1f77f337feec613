"""History as a scenario: its events are sourced, its drivers move levers by date, its
counterfactuals are history with a change, and the doctrine as signed, one in, one out and
Rwanda's costs act as reported."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from channelsim.engine import Sim, SimResult, load_scenario
from channelsim.errors import InputError
from channelsim.policies import BeachOfficers, Driver

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
HISTORY = SCENARIOS / "history.toml"
LAST_DATA_DAY = dt.date(2026, 5, 28)  # the 29 May 2026 edition


def _history_data() -> dict:
    return tomllib.loads(HISTORY.read_text())


def test_history_runs_from_the_series_start_to_the_last_data_day() -> None:
    scenario = load_scenario(HISTORY)
    assert (scenario.start, scenario.end) == (dt.date(2018, 1, 1), LAST_DATA_DAY)
    continued = load_scenario(SCENARIOS / "history-continued.toml")
    assert continued.end == dt.date(2026, 12, 31)
    assert continued.policies == scenario.policies and continued.params == scenario.params


def test_every_event_of_history_names_its_source() -> None:
    """Each dated change carries a source: a URL, a row of facts.md, the Home Office series,
    or the words assumption / calibrated (with the range it is calibrated in)."""
    for spec in load_scenario(HISTORY).policies:
        assert spec.name, spec
        assert spec.source and re.search(
            r"https?://|facts\.md|Home Office series|assumption|calibrated", spec.source
        ), spec.name
        if spec.source.startswith("calibrated"):
            assert "prior_low" in spec.params and "prior_high" in spec.params, spec.name
        for date in (spec.start, spec.end, *spec.params.get("dates", ())):
            if date is not None:
                assert dt.date(2018, 1, 1) <= date <= LAST_DATA_DAY, (spec.name, date)


def test_history_holds_the_real_timeline() -> None:
    specs = {p.name: p for p in load_scenario(HISTORY).policies}
    oioo = specs["one_in_one_out"]
    assert oioo.start == dt.date(2025, 8, 5)
    assert oioo.params["weekly_cap_people"] == 14 and oioo.params["admissions_per_return"] == 1.25
    assert oioo.params["retry_probability"] == pytest.approx(2 / 94, abs=1e-3)
    assert specs["doctrine_as_signed"].start == dt.date(2025, 11, 25)
    assert specs["doctrine_as_signed"].params["area"] == "pre_boarding"
    rwanda = specs["rwanda"]
    assert rwanda.params["deterrence_elasticity"] == 0.0  # an assumption whose default is none
    assert rwanda.params["fixed_payments_gbp"] == 370e6 + 120e6
    assert specs["taxi_boats"].params["dates"][0] == dt.date(2023, 1, 1)


def _setup(policy: object, start: str = "2022-01-01", end: str = "2026-12-31") -> object:
    from channelsim.engine.stages import Setup
    from channelsim.params import default_params
    from channelsim.world.geography import load_world

    world = load_world()
    dates = np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")
    zones = tuple(z.name for z in world.launch_zones)
    waterway = np.array([z.kind == "waterway" for z in world.launch_zones])
    return Setup(dates, 0, default_params(), world, zones, waterway)


def test_a_driver_steps_or_interpolates_and_holds_its_last_value() -> None:
    dates = (dt.date(2023, 1, 1), dt.date(2025, 1, 1))
    step = Driver(lever="taxi_boat_share", op="set", dates=dates, values=(0.0, 0.45))
    linear = step.model_copy(update={"interpolation": "linear"})
    days = np.array(["2022-06-01", "2024-01-01", "2025-01-01", "2026-06-01"], "datetime64[D]")
    assert step.series(days).tolist() == [0.0, 0.0, 0.45, 0.45]
    assert linear.series(days) == pytest.approx([0.0, 0.45 * 365 / 731, 0.45, 0.45])


def test_a_driver_moves_its_lever_in_a_run() -> None:
    scenario = load_scenario(HISTORY).with_changes(
        start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30), policies=()
    )
    driver = Driver(
        lever="launch_share",
        op="scale",
        dates=(dt.date(2024, 6, 1), dt.date(2024, 6, 15)),
        values=(1.0, 0.0),
    )
    result = Sim(scenario, policies=[driver], seed=3).run()
    daily = result.daily
    late = daily["date"] >= dt.date(2024, 6, 15)
    assert daily.loc[late, "attempted_people"].sum() == 0
    alone = Sim(scenario, seed=3).run().daily
    pd.testing.assert_frame_equal(daily[~late], alone[~late])


def test_bad_driver_values_are_one_line_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "bad"\nstart = 2025-01-01\nend = 2025-01-31\n[[policies]]\ntype = "driver"\n'
        '[policies.params]\nlever = "launch_share"\ndates = [2025-01-01, 2025-01-10]\n'
        "values = [1.0]\n"
    )
    expected = r"bad.toml: policy 1 \(driver\), params: expected as many"
    with pytest.raises(InputError, match=expected):
        Sim(load_scenario(path))


def test_beach_officers_raise_the_chance_of_stopping_a_launch() -> None:
    policy = BeachOfficers(
        dates=(dt.date(2022, 11, 14), dt.date(2024, 4, 14)),
        values=(200, 800),
        interpolation="linear",
    )
    setup = _setup(policy)
    (effect,) = policy.effects(setup)  # type: ignore[arg-type]
    p0 = setup.params.beach.prevention_probability  # type: ignore[attr-defined]
    value = np.asarray(effect.value)
    beach = ~setup.zone_is_waterway  # type: ignore[attr-defined]
    assert value[0, beach] == pytest.approx(p0)  # 200 officers: the reference
    assert (value[-1, beach] > p0).all() and (np.diff(value[:, beach][:, 0]) >= 0).all()
    assert value[:, ~beach] == pytest.approx(p0)


def test_history_with_a_change_drops_and_adds_policies(tmp_path: Path) -> None:
    history = load_scenario(HISTORY)
    without = load_scenario(SCENARIOS / "history-without-one-in-one-out.toml")
    assert [p.name for p in without.policies] == [
        p.name for p in history.policies if p.name != "one_in_one_out"
    ]
    assert (without.start, without.end, without.seed, without.params) == (
        history.start,
        history.end,
        history.seed,
        history.params,
    )
    copy = tmp_path / "mine.toml"  # a copy elsewhere finds the shipped base
    copy.write_text('base = "history.toml"\nname = "mine"\ndrop_policies = ["nothing"]\n')
    with pytest.raises(InputError, match=r"mine.toml: drop_policies: no policy named 'nothing'"):
        load_scenario(copy)


@pytest.fixture(scope="module")
def late_runs() -> dict[str, list[SimResult]]:
    """History and two counterfactuals from 1 Jan 2025 (the state at that date rebuilt from
    the parameters' initial values), three seeds each."""
    runs: dict[str, list[SimResult]] = {}
    for name in ("history", "history-without-doctrine", "history-doctrine-at-sea"):
        scenario = load_scenario(SCENARIOS / f"{name}.toml").with_changes(
            start=dt.date(2025, 1, 1), end=dt.date(2026, 3, 4)
        )
        runs[name] = [Sim(scenario, seed=seed).run() for seed in (1, 2, 3)]
    return runs


def test_counterfactuals_share_every_day_before_the_change(late_runs: dict) -> None:
    cut = dt.date(2025, 11, 25)
    for base, other in zip(
        late_runs["history"], late_runs["history-without-doctrine"], strict=True
    ):
        before = base.daily["date"] < cut
        same = [c for c in other.daily.columns if c != "cost_gbp"]
        pd.testing.assert_frame_equal(base.daily.loc[before, same], other.daily.loc[before, same])
        assert base.daily.loc[~before, "intercepted_before_boarding_boats"].sum() > 0


def test_the_doctrine_as_signed_intercepts_a_handful_not_hundreds(late_runs: dict) -> None:
    """Reported: two interceptions (taxi boats in waterways) by 4 March 2026. The doctrine at
    sea, as the UK asked, would intercept far more."""
    signed = [r.totals["intercepted_before_boarding_boats"] for r in late_runs["history"]]
    assert all(r.totals["intercepted_boats"] == 0 for r in late_runs["history"])
    assert 0 < np.mean(signed) <= 10
    at_sea = [r.totals["intercepted_boats"] for r in late_runs["history-doctrine-at-sea"]]
    assert np.mean(at_sea) > 3 * max(np.mean(signed), 1)


def test_one_in_one_out_at_reported_volumes(late_runs: dict) -> None:
    """About 14 returns a week from 18 Sep 2025: 281 returned by early February 2026
    (reported); 1.25 admissions per return."""
    for result in late_runs["history"]:
        daily = result.daily
        by_feb = daily["date"] <= dt.date(2026, 2, 5)
        returned = daily.loc[by_feb, "returned_from_uk_people"].sum()
        assert 240 <= returned <= 300
        expected = 1.25 * daily["returned_from_uk_people"].sum()
        assert 0 <= expected - daily["legal_route_admissions_people"].sum() < 1


def test_rwanda_books_its_fixed_payments_over_its_window() -> None:
    scenario = load_scenario(HISTORY).with_changes(
        start=dt.date(2022, 1, 1), end=dt.date(2024, 12, 31)
    )
    result = Sim(scenario, seed=1).run()
    assert result.totals["removed_people"] == 0
    costs = result.costs
    rwanda = costs[costs["item"] == "third_country_removal"]
    fixed = costs[costs["item"] == "third_country_removal_fixed"]
    assert rwanda["cost_gbp"].sum() == 0
    assert fixed["cost_gbp"].sum() == pytest.approx(490e6)
    assert pd.Timestamp(fixed["date"].min()) == pd.Timestamp(2022, 4, 14)
    assert pd.Timestamp(fixed["date"].max()) == pd.Timestamp(2024, 7, 22)


def test_history_as_known_on_a_day_holds_the_last_known_values() -> None:
    """A blind test continues history as it was known: the 2026 coastal inflow and
    occupancy (fitted to January–May 2026) are gone at the end of 2025, each driver holds its
    last known level, and a policy that started later is dropped."""
    from channelsim.scenario import known_on

    history = load_scenario(HISTORY)
    known = known_on(history, dt.date(2025, 12, 31))
    by_name = {spec.name: spec for spec in known.policies}
    inflow = by_name["coastal_inflow"].params
    assert max(inflow["dates"]) == dt.date(2025, 1, 1)
    assert len(inflow["values"]) == len(inflow["prior_low"]) == len(inflow["prior_high"]) == 8
    assert max(by_name["boat_occupancy"].params["dates"]) == dt.date(2025, 7, 1)
    assert "doctrine_as_signed" in by_name
    earlier = {spec.name for spec in known_on(history, dt.date(2025, 9, 1)).policies}
    assert "one_in_one_out" in earlier and "doctrine_as_signed" not in earlier
    assert known_on(history, LAST_DATA_DAY).policies == history.policies


def test_a_cycle_of_bases_is_named_as_a_cycle(tmp_path: Path) -> None:
    """a.toml -> b.toml -> a.toml: one line naming the cycle (it said 'at most 8 levels')."""
    (tmp_path / "a.toml").write_text('base = "b.toml"\nname = "a"\n')
    (tmp_path / "b.toml").write_text('base = "a.toml"\nname = "b"\n')
    with pytest.raises(InputError, match=r"b.toml: base: .*cycle: a.toml -> b.toml -> a.toml"):
        load_scenario(tmp_path / "a.toml")
