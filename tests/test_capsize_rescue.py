"""The rescue after a capsize: sooner when the interceptor that caused it is alongside (s14 F9).

An interception's capsize used to draw its time to rescue from the open-sea mean
(``rescue.capsize_rescue_mean_h``, a rescuer has to come), which overstated the doctrine
scenarios' deaths of hypothermia; it now draws it, with the same uniforms, from
``rescue.interception_capsize_rescue_mean_h``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from channelsim.engine import Sim, load_scenario
from channelsim.engine.kernels import kernel_setup
from channelsim.engine.results import BOAT_DTYPE
from channelsim.engine.sea import Fate, Interception, rule_records, sail
from channelsim.params import Params, apply_overrides

SCENARIOS = Path(__file__).resolve().parents[1] / "src" / "channelsim" / "scenarios"
OPEN_SEA_H = Params().rescue.capsize_rescue_mean_h


def _sail(overrides: dict[str, dict[str, float]], rules: np.ndarray | None = None) -> np.ndarray:
    """2,000 boats of 60 launched mid-strait in 8 °C water (the same seed: common random
    numbers), sailed to their fate."""
    n = 2000
    boats = np.zeros(n, BOAT_DTYPE)
    boats["boat_id"] = np.arange(n)
    boats["aboard_people"] = 60
    boats["launch_t_h"] = 24.0 * 2700
    params = apply_overrides(Params(), overrides)
    sail(boats, np.full(n, -10.0), np.full(n, -5.0), day=2700, seed=7,
         weather=(0.0, 0.0, 0.3, 8.0), setup=kernel_setup(params), rules=rules)  # fmt: skip
    return boats


def _capsized_by_interception(rescue_mean_h: float, open_sea_h: float = OPEN_SEA_H) -> np.ndarray:
    """Every boat met at once by a rule whose attempt to stop it capsizes it (90%); the
    boats' own capsize hazard is all but nil (an interception's risk is relative to it, so
    it stays), so every capsize is an interception's."""
    rule = Interception(rate_per_hour=1e9, capsize_probability=0.9)
    rescue = {
        "interception_capsize_rescue_mean_h": rescue_mean_h,
        "capsize_rescue_mean_h": open_sea_h,
    }
    overrides = {"hazards": {"capsize_per_hour": 1e-12}, "rescue": rescue}
    return _sail(overrides, rule_records([(rule, 1, 2)]))


def test_an_interception_capsize_kills_fewer_when_the_rescue_is_alongside() -> None:
    """Same seed, same draws: the same boats capsize and the same people drown at once
    (cold shock); with the rescue in minutes, not the open-sea hour, fewer die in the water,
    and no boat loses more."""
    soon = _capsized_by_interception(0.02)
    late = _capsized_by_interception(OPEN_SEA_H)
    lost = late["fate"] == Fate.LOST
    assert lost.mean() > 0.8 and late["intercepted"][lost].all()
    np.testing.assert_array_equal(soon["fate"], late["fate"])
    np.testing.assert_array_equal(soon["drowned"], late["drowned"])
    assert np.all(soon["hypothermia_deaths"] <= late["hypothermia_deaths"])
    assert late["hypothermia_deaths"].sum() > 1000  # the open-sea hour is deadly at 8 °C
    assert soon["hypothermia_deaths"].sum() < 0.2 * late["hypothermia_deaths"].sum()


def test_an_interception_capsize_does_not_read_the_open_sea_rescue_mean() -> None:
    """The two parameters are read apart: the open-sea mean, five times longer, changes
    nothing of boats capsized by an interception."""
    same = _capsized_by_interception(OPEN_SEA_H)
    other = _capsized_by_interception(OPEN_SEA_H, open_sea_h=5.0)
    np.testing.assert_array_equal(same, other)


def test_an_open_sea_capsize_reads_only_the_open_sea_rescue_mean() -> None:
    """Without interceptions the new parameter changes nothing, to the bit; the open-sea
    one does (so the comparison could see a change)."""
    hazards = {"capsize_per_hour": 0.5, "engine_failure_per_hour": 0.0}
    base = _sail({"hazards": hazards})
    assert (base["fate"] == Fate.LOST).sum() > 100
    moved_new = _sail({"hazards": hazards, "rescue": {"interception_capsize_rescue_mean_h": 0.05}})
    np.testing.assert_array_equal(base, moved_new)
    moved_old = _sail({"hazards": hazards, "rescue": {"capsize_rescue_mean_h": 0.05}})
    assert moved_old["hypothermia_deaths"].sum() < base["hypothermia_deaths"].sum()


def _totals(scenario_name: str, rescue_mean_h: float) -> dict[str, float]:
    """Totals of a shipped 2025 scenario (the year, its seed) with the given rescue mean
    after an interception's capsize."""
    scenario = load_scenario(SCENARIOS / f"{scenario_name}.toml")
    params = apply_overrides(
        scenario.params, {"rescue": {"interception_capsize_rescue_mean_h": rescue_mean_h}}
    )
    return Sim(scenario.with_changes(params=params)).run().totals


def test_the_status_quo_does_not_read_the_interception_rescue_mean() -> None:
    """The status quo has no interception at sea (the doctrine as signed acts before
    boarding): its run is the same whatever the new parameter."""
    assert _totals("status-quo-2025", 0.05) == _totals("status-quo-2025", 1.0)


def test_the_doctrine_at_sea_loses_fewer_people_in_the_water_with_the_rescue_alongside() -> None:
    soon = _totals("doctrine-territorial", 0.05)
    late = _totals("doctrine-territorial", OPEN_SEA_H)
    assert late["intercepted_boats"] > 20

    def hypothermia(t: dict[str, float]) -> float:
        return t["dead_hypothermia_fr_people"] + t["dead_hypothermia_uk_people"]

    assert hypothermia(soon) < hypothermia(late)
    assert soon["rescued_from_water_people"] > late["rescued_from_water_people"]
