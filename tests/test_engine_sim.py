"""The engine: conservation, determinism, common random numbers, hooks, physics, outputs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from channelsim.engine import (
    DayView,
    Interception,
    Loop,
    Policy,
    Rule,
    Scenario,
    Setup,
    Sim,
    SimResult,
    load_scenario,
    register_policy,
    run_scenario,
)
from channelsim.engine.kernels import kernel_setup
from channelsim.engine.results import BOAT_DTYPE
from channelsim.engine.sea import Fate, rule_records, sail
from channelsim.errors import InputError
from channelsim.params import Params, apply_overrides
from channelsim.scenario import PolicySpec
from channelsim.world import LAND_FR, LAND_UK, UK_SIDE, load_world
from channelsim.world.drift import DINGHY_LEEWAY, simulate_drift
from channelsim.world.tide import TidalStream

SUMMER = Scenario(name="summer", start=dt.date(2025, 6, 1), end=dt.date(2025, 8, 31), seed=11)


@pytest.fixture(scope="module")
def summer() -> SimResult:
    return Sim(SUMMER).run()


def _people_balance(totals: dict[str, int | float]) -> int:
    return int(
        totals["prevented_people"]
        + totals["arrived_people"]
        + totals["returned_at_sea_people"]
        + totals["dead_or_missing_people"]
        + totals["at_sea_end_people"]
    )


def test_conservation_is_exact(summer: SimResult) -> None:
    t = summer.totals
    assert t["attempted_people"] > 5000
    assert t["attempted_people"] == _people_balance(t)
    boats = summer.boats
    assert boats["occupancy"].sum() == t["attempted_people"]
    assert t["launched_boats"] == int(boats["launched"].sum())


def test_conservation_holds_when_boats_are_still_at_sea_at_the_end() -> None:
    short = Sim(SUMMER, start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 20)).run()
    t = short.totals
    assert t["attempted_people"] == _people_balance(t)
    assert (short.boats["fate"] == "at_sea_end").sum() == t["at_sea_end_boats"]


def test_same_seed_gives_identical_outputs(summer: SimResult) -> None:
    again = Sim(SUMMER).run()
    pd.testing.assert_frame_equal(summer.daily, again.daily)
    pd.testing.assert_frame_equal(summer.boats, again.boats)
    assert summer.totals == again.totals
    other = Sim(SUMMER, seed=12).run()
    assert other.totals != summer.totals


def test_common_random_numbers_across_a_beach_parameter(summer: SimResult) -> None:
    changed = apply_overrides(SUMMER.params, {"beach": {"prevention_probability": 0.5}})
    other = Sim(SUMMER.with_changes(params=changed)).run()
    for column in ("wind_speed_kn", "wave_height_m", "crossing_window", "inflow_people"):
        pd.testing.assert_series_equal(summer.daily[column], other.daily[column])
    # The first crossing day's boats are the same boats with the same draws.
    first = summer.boats["day"].min()
    a = summer.boats[summer.boats["day"] == first]
    b = other.boats[other.boats["day"] == first]
    assert list(a["boat_id"]) == list(b["boat_id"])
    assert list(a["occupancy"]) == list(b["occupancy"])
    assert list(a["taxi_boat"]) == list(b["taxi_boat"])
    assert other.totals["prevented_people"] < summer.totals["prevented_people"]


class _Recorder(Policy):
    """Records the stages it is called at; doubles the inflow from its start date."""

    calls: ClassVar[list[tuple[dt.date, str]]] = []

    def _log(self, day: DayView, stage: str) -> None:
        self.calls.append((day.date, stage))

    def on_inflow(self, day: DayView) -> None:
        self._log(day, "inflow")
        day.inflow_mean_people *= 2.0

    def on_supply(self, day: DayView) -> None:
        self._log(day, "supply")

    def on_launch(self, day: DayView) -> None:
        self._log(day, "launch")

    def on_beach(self, day: DayView) -> None:
        self._log(day, "beach")

    def on_sea(self, day: DayView) -> None:
        self._log(day, "sea")

    def on_returns(self, day: DayView) -> None:
        self._log(day, "returns")

    def on_costs(self, day: DayView) -> None:
        self._log(day, "costs")
        day.add_cost("recorder", 10.0)


register_policy("test_recorder", _Recorder)


def test_hooks_are_called_in_loop_order_only_while_active(summer: SimResult) -> None:
    _Recorder.calls.clear()
    start = dt.date(2025, 7, 1)
    scenario = SUMMER.with_changes(policies=[{"type": "test_recorder", "start": start}])
    result = Sim(scenario).run()
    assert all(day >= start for day, _ in _Recorder.calls)
    stage_order = [row["stage"] for row in Loop().to_rows()]
    for day in {d for d, _ in _Recorder.calls}:
        stages = [s for d, s in _Recorder.calls if d == day]
        assert stages == [s for s in stage_order if s in stages]
        assert stages[0] == "inflow" and stages[-1] == "costs"
    # Days before the policy starts are identical to the run without it.
    before = summer.daily["date"] < start
    pd.testing.assert_frame_equal(summer.daily[before], result.daily[before])
    after = result.daily["date"] >= start
    assert (
        result.daily.loc[after, "inflow_people"].sum()
        > 1.5 * summer.daily.loc[after, "inflow_people"].sum()
    )
    assert result.totals["cost_gbp"] == 10.0 * after.sum()


def test_the_loop_is_a_plan_that_can_be_inspected() -> None:
    rows = Loop().to_rows([_Recorder()])
    assert [r["stage"] for r in rows][:3] == ["weather", "inflow", "attrition"]
    beach = next(r for r in rows if r["stage"] == "beach")
    assert beach["compiled"] and "prevention_probability" in beach["levers"]
    assert "prevented_people" in beach["results"] and beach["hooks"] == ["test_recorder#0"]


def _kernel(
    params: Params,
    x_km: np.ndarray,
    y_km: np.ndarray,
    wind_u: float,
    wind_v: float,
    steps: int = 145,
) -> tuple[np.ndarray, np.ndarray]:
    n = x_km.size
    boats = np.zeros(n, BOAT_DTYPE)
    boats["boat_id"] = np.arange(n)
    boats["aboard_people"] = 60
    boats["launch_t_h"] = 24.0 * 2700
    tracks = np.full((n, steps, 2), np.nan)
    sail(
        boats,
        x_km,
        y_km,
        day=2700,
        seed=3,
        weather=(wind_u, wind_v, 0.3, 12.0),
        setup=kernel_setup(params),
        tracks=tracks,
    )
    return boats, tracks


def _launch_points() -> tuple[np.ndarray, np.ndarray]:
    world = load_world()
    xs = np.array([z.x_km for z in world.launch_zones])
    ys = np.array([z.y_km for z in world.launch_zones])
    return np.repeat(xs, 30), np.repeat(ys, 30)


def test_no_boat_is_ever_on_land_and_crossings_take_hours() -> None:
    world = load_world()
    x, y = _launch_points()
    boats, tracks = _kernel(Params(), x, y, 3.0, 3.0, steps=300)
    seen = ~np.isnan(tracks[..., 0])
    flags = world.grid.lookup(tracks[..., 0][seen], tracks[..., 1][seen])
    assert not np.any(flags & (LAND_FR | LAND_UK))
    final = world.grid.lookup(boats["final_x_km"], boats["final_y_km"])
    assert not np.any(final & (LAND_FR | LAND_UK))
    arrived = boats["fate"] == Fate.ARRIVED
    assert arrived.mean() > 0.5
    assert np.all(final[arrived] & UK_SIDE)
    hours = boats["end_t_h"][arrived] - 24.0 * 2700
    assert 2.0 < np.median(hours) < 12.0


@pytest.mark.parametrize("minutes", [1.0, 10.0])
def test_powered_boats_leave_every_launch_zone_whatever_the_tide(minutes: float) -> None:
    """A boat heading for Dover from an estuary whose straight line to Dover crosses the
    bank steers around it. Slow boats from the Canche used to hold against the bank for the
    whole tracking horizon (with short steps near land 2.6 boats a year in the status quo)."""
    params = apply_overrides(
        Params(),
        {
            "hazards": {"engine_failure_per_hour": 0.0, "capsize_per_hour": 0.0},
            "sea": {"time_step_min": minutes},
        },
    )
    world = load_world()
    n_zones = len(world.launch_zones)
    x = np.repeat([z.x_km for z in world.launch_zones], 24)
    y = np.repeat([z.y_km for z in world.launch_zones], 24)
    boats = np.zeros(x.size, BOAT_DTYPE)
    boats["boat_id"] = np.arange(x.size)
    boats["aboard_people"] = 90  # a loaded, slow boat: the tide can set it on the bank
    boats["launch_t_h"] = 24.0 * 2700 + np.tile(np.arange(24.0), n_zones)  # every tide
    sail(boats, x, y, day=2700, seed=3, weather=(0.0, 0.0, 1.2, 12.0),
         setup=kernel_setup(params))  # fmt: skip
    hours = boats["end_t_h"] - boats["launch_t_h"]
    assert np.all(boats["fate"] == Fate.ARRIVED), np.unique(boats["fate"], return_counts=True)
    assert hours.max() < 20.0, [world.launch_zones[i // 24].name for i in np.argsort(hours)[-3:]]


def test_a_disabled_boat_drifts_with_tide_and_wind() -> None:
    params = apply_overrides(
        Params(),
        {
            "hazards": {"engine_failure_per_hour": 2.0, "capsize_per_hour": 0.0},
            "rescue": {"fr_rescue_per_hour": 0.0, "uk_pickup_per_hour": 0.0},
        },
    )
    x = np.full(200, 20.0)
    y = np.full(200, 5.0)  # mid-strait, away from both coasts
    calm, calm_tracks = _kernel(params, x, y, 0.0, 0.0, steps=37)
    windy, _ = _kernel(params, x, y, 10.0, 0.0, steps=37)  # wind blowing towards the east
    drift_east_km = windy["final_x_km"].mean() - calm["final_x_km"].mean()
    # Leeway of the dinghy class at 10 m/s: ~ (3.45 % × 10 + 9.1) cm/s ≈ 0.44 m/s ≈ 1.6 km/h.
    assert 5.0 < drift_east_km < 40.0
    # Without wind a disabled boat still moves with the tidal stream along the strait.
    moved = np.hypot(
        calm_tracks[:, 1:, 0] - calm_tracks[:, :-1, 0],
        calm_tracks[:, 1:, 1] - calm_tracks[:, :-1, 1],
    )
    assert np.nanmax(moved) > 0.1


class _TowBack(Policy):
    streams = ("intercept", "intercept_action")

    def effects(self, setup: Setup) -> list[Rule]:
        return [
            Rule(
                Interception(
                    rate_per_hour=50.0, forbidden_flags=int(UK_SIDE), tow_back_probability=1.0
                )
            )
        ]


def test_interception_rules_tow_boats_back() -> None:
    Doctrine = _TowBack

    base = Sim(SUMMER, end=dt.date(2025, 6, 30)).run()
    towed = Sim(SUMMER, end=dt.date(2025, 6, 30), policies=[Doctrine()]).run()
    assert towed.totals["intercepted_boats"] > 0
    assert towed.totals["arrived_people"] < 0.2 * base.totals["arrived_people"]
    assert towed.totals["attempted_people"] >= base.totals["attempted_people"]


def test_write_is_complete_and_replaces_only_its_own_output(
    summer: SimResult, tmp_path: Path
) -> None:
    from channelsim.errors import InputError
    from channelsim.outputs import output_folder

    out = tmp_path / "run"
    out.mkdir()
    summer.write(out)  # an empty folder may be written
    with pytest.raises(InputError, match="add --force to replace it"):
        summer.write(out)
    summer.write(output_folder(out, force=True))
    assert sorted(p.name for p in out.iterdir()) == [
        ".channelsim-output.json",
        "boats.csv",
        "boats.parquet",
        "columns.json",
        "costs.csv",
        "costs.parquet",
        "daily.csv",
        "daily.parquet",
        "meta.json",
        "scenario.json",
        "summary.json",
        "tables.xlsx",
        "totals.csv",
        "totals.parquet",
    ]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "daily.parquet"), summer.daily)
    assert json.loads((out / "meta.json").read_text())["seed"] == 11
    assert json.loads((out / "scenario.json").read_text())["params"]["sea"]["engine_speed_kn"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    (out / "notes.txt").write_text("the user's")
    with pytest.raises(InputError, match=r"also holds other files \(notes.txt\)"):
        summer.write(output_folder(out, force=True))
    assert (out / "notes.txt").read_text() == "the user's"


def test_by_year_month_and_json(summer: SimResult) -> None:
    months = summer.by_month()
    assert list(months["month"]) == ["2025-06", "2025-07", "2025-08"]
    assert months["arrived_people"].sum() == summer.totals["arrived_people"]
    payload = summer.to_json_dict()
    assert payload["by_year"][0]["year"] == 2025
    json.dumps(payload)


def test_run_scenario_accepts_dotted_overrides() -> None:
    scenario = SUMMER.with_changes(end=dt.date(2025, 6, 10))
    a = run_scenario(scenario, 3, {"sea.engine_speed_kn": 4.0})
    assert a.scenario["params"]["sea"]["engine_speed_kn"] == 4.0
    assert a.seed == 3


def test_cli_run_json_and_bad_input(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    path.write_text('name = "cli"\nstart = 2025-06-01\nend = 2025-06-10\nseed = 2\n')
    done = run_cli("run", path, "--format", "json", "--out", tmp_path / "out")
    assert done.exit_code == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["scenario"] == "cli" and payload["seed"] == 2
    assert (tmp_path / "out" / "daily.parquet").is_file()
    bad = run_cli("run", path, "--from", "June")
    assert bad.exit_code == 2 and "--from" in bad.stderr


def test_run_to_mid_year_is_exactly_the_first_half_of_the_year(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path
) -> None:
    """Every draw is keyed by absolute day (weather included), so a shorter period gives the
    longer run's days bit for bit."""
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "status-quo-2025.toml"
    for name, extra in (("full", ()), ("half", ("--to", "2025-06-30"))):
        done = run_cli("run", scenario, *extra, "--format", "json", "--out", tmp_path / name)
        assert done.exit_code == 0, done.stderr
    full = pd.read_parquet(tmp_path / "full" / "daily.parquet")
    half = pd.read_parquet(tmp_path / "half" / "daily.parquet")
    assert len(half) == 181 and len(full) == 365
    pd.testing.assert_frame_equal(full.iloc[:181], half)
    # The boat log too, but for boats still at sea when the half-year ended.
    boats_full = pd.read_parquet(tmp_path / "full" / "boats.parquet")
    boats_half = pd.read_parquet(tmp_path / "half" / "boats.parquet")
    ended = (boats_half["fate"] != "at_sea_end").to_numpy()
    assert ended.sum() > 200
    pd.testing.assert_frame_equal(
        boats_full.iloc[: len(boats_half)][ended].reset_index(drop=True),
        boats_half[ended].reset_index(drop=True),
    )


def test_run_from_mid_year_is_exactly_the_second_half_of_the_year(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path
) -> None:
    """s14 user trial F4: ``--from`` started the run on its day from the initial state (20
    people waiting, 5 boats), so its first weeks were too low. It now simulates from the
    scenario's start and reports from ``--from``: the days, the boats launched from then
    and the costs booked from then are the whole year's, bit for bit, and the written
    scenario says from when it was simulated."""
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "status-quo-2025.toml"
    for name, extra in (("full", ()), ("late", ("--from", "2025-07-01"))):
        done = run_cli("run", scenario, *extra, "--format", "json", "--out", tmp_path / name)
        assert done.exit_code == 0, done.stderr
        assert "warning" not in done.stderr
    tables = {
        (name, table): pd.read_parquet(tmp_path / name / f"{table}.parquet")
        for name in ("full", "late")
        for table in ("daily", "boats", "costs")
    }
    full, late = tables["full", "daily"], tables["late", "daily"]
    assert len(late) == 184 and len(full) == 365
    pd.testing.assert_frame_equal(full.iloc[181:].reset_index(drop=True), late)
    boats_full, boats_late = tables["full", "boats"], tables["late", "boats"]
    from_july = boats_full[boats_full["date"] >= dt.date(2025, 7, 1)].reset_index(drop=True)
    assert len(boats_late) > 200
    assert (from_july.pop("day") - 181).tolist() == boats_late.pop("day").tolist()
    pd.testing.assert_frame_equal(from_july, boats_late)
    costs_full = tables["full", "costs"]
    costs_july = costs_full[costs_full["date"] >= dt.date(2025, 7, 1)].reset_index(drop=True)
    assert costs_july["cost_gbp"].sum() > 0
    pd.testing.assert_frame_equal(costs_july, tables["late", "costs"], check_categorical=False)
    written = json.loads((tmp_path / "late" / "scenario.json").read_text())
    assert (written["start"], written["simulated_from"]) == ("2025-07-01", "2025-01-01")
    assert "simulated_from" not in json.loads((tmp_path / "full" / "scenario.json").read_text())


@pytest.fixture(scope="module")
def by_time_step() -> dict[float, pd.DataFrame]:
    """Summer totals of 24 seeds with 1-, 5- and 10-minute steps at sea."""
    out = {}
    for minutes in (1.0, 5.0, 10.0):
        params = apply_overrides(SUMMER.params, {"sea": {"time_step_min": minutes}})
        scenario = SUMMER.with_changes(params=params)
        out[minutes] = pd.DataFrame([Sim(scenario, seed=s).run().totals for s in range(24)])
    return out


@pytest.mark.parametrize(
    "total", ["arrived_people", "arrived_boats", "dead_or_missing_people", "returned_at_sea_people"]
)
def test_totals_agree_between_time_steps(
    by_time_step: dict[float, pd.DataFrame], total: str
) -> None:
    """Results converge as the step shrinks: 1-, 5- and 10-minute steps agree within noise
    (4 standard errors of the difference of the means)."""
    fine = by_time_step[1.0][total]
    for minutes in (5.0, 10.0):
        coarse = by_time_step[minutes][total]
        se = np.hypot(fine.std(), coarse.std()) / np.sqrt(len(fine))
        assert abs(coarse.mean() - fine.mean()) <= 4 * se + 1e-9, (
            minutes,
            fine.mean(),
            coarse.mean(),
        )


@pytest.mark.parametrize("area", ["shallow", "territorial"])
def test_doctrine_interceptions_do_not_depend_on_the_time_step(area: str) -> None:
    """A boat near the shore is met once, while it loads and leaves (``dwell_h``), whatever
    the step; offshore it is searched for as long as it is in the area. With the rate scaled
    by dwell/step the shallow-water doctrine used to intercept 285 boats a year with
    1-minute steps and 110 with 10-minute ones."""
    policy = PolicySpec(type="maritime_doctrine", params={"area": area})
    counts = {}
    for minutes in (1.0, 10.0):
        params = apply_overrides(SUMMER.params, {"sea": {"time_step_min": minutes}})
        scenario = SUMMER.with_changes(params=params, policies=(policy,))
        counts[minutes] = np.array(
            [Sim(scenario, seed=s).run().totals["intercepted_boats"] for s in range(12)], float
        )
    fine, coarse = counts[1.0], counts[10.0]
    assert fine.mean() > 10
    se = np.hypot(fine.std(), coarse.std()) / np.sqrt(len(fine))
    assert abs(coarse.mean() - fine.mean()) <= 4 * se + 1e-9, (fine.mean(), coarse.mean())


def test_no_step_length_lands_boats_beside_dover(by_time_step: dict[float, pd.DataFrame]) -> None:
    """Boats steer for Dover and are escorted in when they reach it within a step: with long
    steps they used to overshoot onto the coast (10 landings a year with 10-minute steps)."""
    for minutes, totals in by_time_step.items():
        assert totals["uncontrolled_landings"].mean() <= 0.25, minutes


def test_the_engine_drifts_boats_as_the_drift_compared_with_opendrift() -> None:
    """A boat immobilised at sea drifts by world.drift's step: its cloud matches
    simulate_drift's (the drift validated against OpenDrift) under the same forcing (a
    uniform tidal stream: simulate_drift's current is uniform in space)."""
    params = apply_overrides(
        Params(),
        {
            "hazards": {"engine_failure_per_hour": 0.0, "capsize_per_hour": 0.0},
            "rescue": {"fr_rescue_per_hour": 0.0, "uk_pickup_per_hour": 0.0},
            "sea": {"max_hours_at_sea": 6.0},
        },
    )
    n = 20_000
    boats = np.zeros(n, BOAT_DTYPE)
    boats["boat_id"] = np.arange(n)
    boats["aboard_people"] = 60
    boats["launch_t_h"] = 24.0 * 2700
    immobilise = Interception(rate_per_hour=1e9, immobilise_probability=1.0)
    rules = rule_records([(immobilise, 1, 2)])
    x, y, wind = np.full(n, -10.0), np.full(n, -5.0), (2.0, -3.0)  # mid-strait
    world = load_world().with_tide(TidalStream.uniform())
    sail(boats, x, y, day=2700, seed=5, weather=(*wind, 0.3, 12.0),
         setup=kernel_setup(params, world), rules=rules)  # fmt: skip
    # all drifted to the tracking horizon (then found by the side they are on)
    assert boats["disabled"].all() and np.isin(boats["fate"], [Fate.ARRIVED, Fate.RESCUED_FR]).all()
    ref = simulate_drift(x, y, 24.0 * 2700, 6.0, 10.0, *wind, world.tide, DINGHY_LEEWAY, 9)
    for ours, theirs in ((boats["final_x_km"], ref.x_km), (boats["final_y_km"], ref.y_km)):
        assert abs(ours.mean() - theirs.mean()) < 4 * theirs.std() * np.sqrt(2 / n)
        assert ours.std() == pytest.approx(theirs.std(), rel=0.03)


def test_compiled_caches_are_flushed_when_any_kernel_source_changes(tmp_path: Path) -> None:
    """Numba only invalidates a cached function when its own file changes; the engine
    flushes the cache of every compiled function of the modules its kernels compile from
    when any of them changes (helpers too: they inline the code they call)."""
    import types

    from channelsim import jit_cache
    from channelsim.engine import kernels

    class Cache:
        cache_path = str(tmp_path / "cache")

        def __init__(self) -> None:
            self.flushed = 0

        def flush(self) -> None:
            self.flushed += 1

    def compiled(module_name: str) -> types.SimpleNamespace:
        py_func = types.SimpleNamespace(__module__=module_name)
        return types.SimpleNamespace(_cache=Cache(), py_func=py_func)

    source = tmp_path / "kernel_source.py"
    source.write_text("x = 1\n")
    module = types.ModuleType("kernel_source")
    module.__file__ = str(source)
    module.entry = compiled("kernel_source")  # type: ignore[attr-defined]
    module.helper = compiled("kernel_source")  # type: ignore[attr-defined]
    module.imported = compiled("elsewhere")  # type: ignore[attr-defined]
    assert jit_cache.refresh("test", [module])  # no stamp yet
    assert not jit_cache.refresh("test", [module])
    source.write_text("x = 2\n")
    assert jit_cache.refresh("test", [module])
    assert module.entry._cache.flushed == module.helper._cache.flushed == 2
    assert module.imported._cache.flushed == 0  # flushed with its own module
    flushed = {id(cache) for cache in jit_cache.cached_functions([kernels])}
    assert {id(kernels.run_days._cache), id(kernels._arrival._cache)} <= flushed


@pytest.mark.parametrize("name", ["status-quo-2025", "echr-exit", "history"])
def test_runs_of_one_scenario_with_new_seeds_carry_the_scenario_as_validated(name: str) -> None:
    """The scenario's policies and JSON are made once for its runs; each run still gets its
    own policies and the scenario as ``with_changes`` would give it."""
    scenario = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / f"{name}.toml")
    sims = [Sim(scenario, seed=seed) for seed in (11, 12)]
    assert sims[0].policies[0] is not sims[1].policies[0]
    assert [p.model_dump() for p in sims[0].policies] == [p.model_dump() for p in sims[1].policies]
    for seed, sim in zip((11, 12), sims, strict=True):
        assert sim.scenario == scenario.with_changes(seed=seed)
        assert sim._scenario_dict() == scenario.with_changes(seed=seed).to_dict()
    assert Sim(scenario)._scenario_dict() == scenario.to_dict()
    with pytest.raises(InputError, match="seed"):
        Sim(scenario, seed=-1)


def test_the_boat_log_is_copied_byte_for_byte_into_the_result() -> None:
    from channelsim.engine.state import copy_records

    boats = np.zeros(10, BOAT_DTYPE)
    boats["boat_id"] = np.arange(10)
    boats["final_x_km"] = np.nan
    boats["taxi_boat"] = True
    copy = copy_records(boats[:4])
    assert copy.dtype == BOAT_DTYPE and copy.shape == (4,)
    assert copy.tobytes() == boats[:4].tobytes()
    copy["boat_id"] = -1
    assert boats["boat_id"][:4].tolist() == [0, 1, 2, 3]
    assert copy_records(boats[:0]).shape == (0,)


def test_the_seeds_of_a_scenario_share_its_weather_reader() -> None:
    path = Path(__file__).resolve().parents[1] / "scenarios" / "status-quo-2025.toml"
    scenario = load_scenario(path)
    assert Sim(scenario, seed=1)._reader() is Sim(scenario, seed=2)._reader()
    assert Sim(load_scenario(path), seed=1)._reader() is not Sim(scenario, seed=1)._reader()


def test_the_prefetch_of_the_at_sea_kernel_compiles_and_changes_nothing() -> None:
    """``sea.prefetch`` is a no-op in Python and, once Numba is loaded, the processor's
    prefetch: a compiled read-ahead anywhere (off the raster, NaN) neither faults nor
    writes."""
    from channelsim import _jit
    from channelsim.engine import sea

    packed = np.arange(12, dtype=np.uint32).reshape(3, 4)
    assert sea._no_prefetch(packed, 0) is None  # what it is before Numba: nothing
    _jit.load_numba()
    assert sea.prefetch is not sea._no_prefetch

    @_jit.njit
    def fetch_everywhere(cells: np.ndarray, points: np.ndarray) -> None:
        for k in range(points.shape[0]):
            sea._fetch_ahead(cells, 0.0, 0.0, 10.0, points[k, 0], points[k, 1])

    points = np.array([[0.15, 0.25], [-1e9, 1e9], [np.nan, np.inf], [0.39, 0.29]])
    fetch_everywhere(packed, points)
    assert packed.ravel().tolist() == list(range(12))


def test_a_result_decodes_its_scenario_when_read_and_pickles_either_way() -> None:
    """A run's result decodes its scenario's dictionary when first read: its own copy,
    equal to the scenario's, before and after pickling, and through ``with_extra``."""
    import pickle

    path = Path(__file__).resolve().parents[1] / "scenarios" / "status-quo-2025.toml"
    scenario = load_scenario(path)
    result = Sim(scenario, seed=7).run()
    assert "scenario" not in vars(result)  # not decoded yet
    expected = scenario.with_changes(seed=7).to_dict()
    assert pickle.loads(pickle.dumps(result)).scenario == expected
    member = result.with_extra({"x": 1.0}, keep=("daily",))
    assert "scenario" not in vars(member) and member.scenario == expected
    assert result.scenario == expected and result.name == scenario.name
    result.scenario["name"] = "changed"
    assert member.scenario["name"] == scenario.name  # each its own
    assert pickle.loads(pickle.dumps(result)).scenario["name"] == "changed"
    with pytest.raises(AttributeError, match="no_such"):
        result.no_such  # noqa: B018


def _digest(result: SimResult) -> str:
    """A hash of a run's every output: daily series, boat log, ledger and finals."""
    import hashlib

    h = hashlib.sha256()
    for name in sorted(result.values):
        h.update(name.encode())
        h.update(np.ascontiguousarray(result.values[name]).tobytes())
    assert result.boat_log is not None and result.cost_rows is not None
    h.update(result.boat_log.tobytes())
    day, items, item, cost = result.cost_rows
    h.update(day.tobytes() + repr(items).encode() + item.tobytes() + cost.tobytes())
    h.update(repr(sorted(result.finals.items())).encode())
    return h.hexdigest()


SHARED_PLAN_SCENARIOS = ("status-quo-2025", "doctrine-territorial", "echr-exit")


def test_seeds_of_one_scenario_share_its_set_up_and_give_the_bits_of_a_fresh_process() -> None:
    """The runs of a scenario share what does not depend on the seed (policies' effects,
    levers, rules, compiled policies): a seed run after others gives the bits it gives alone
    in a fresh process, and a run leaves nothing behind for the next."""
    import subprocess
    import sys

    scenarios = Path(__file__).resolve().parents[1] / "scenarios"
    ours = {}
    for name in SHARED_PLAN_SCENARIOS:
        scenario = load_scenario(scenarios / f"{name}.toml")
        first, second, again = (Sim(scenario, seed=s).run() for s in (11, 12, 11))
        assert _digest(again) == _digest(first)
        ours[name] = _digest(second)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from test_engine_sim import _digest\n"
        "from channelsim.engine import Sim, load_scenario\n"
        "for name in sys.argv[3:]:\n"
        "    scenario = load_scenario(f'{sys.argv[2]}/{name}.toml')\n"
        "    print(name, _digest(Sim(scenario, seed=12).run()))\n"
    )
    args = [sys.executable, "-c", code, str(Path(__file__).parent), str(scenarios)]
    out = subprocess.run(
        [*args, *SHARED_PLAN_SCENARIOS], capture_output=True, text=True, check=True
    ).stdout
    fresh = dict(line.split() for line in out.splitlines())
    assert fresh == ours


def _arrays(obj: Any, seen: set[int]) -> Iterator[np.ndarray]:
    """Every NumPy array reachable from a result (attributes, dicts, lists)."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _arrays(value, seen)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from _arrays(value, seen)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("channelsim"):
        for value in vars(obj).values():
            yield from _arrays(value, seen)


def test_a_result_s_arrays_are_its_own_so_writing_into_them_changes_no_later_run() -> None:
    """Seeds of a scenario share its set-up: a caller scribbling over every array a result
    exposes (its dates, values, boat log...) must not reach the next seed's run."""
    path = Path(__file__).resolve().parents[1] / "scenarios" / "status-quo-2025.toml"
    alone = _digest(Sim(load_scenario(path), seed=12).run())
    scenario = load_scenario(path)
    first = Sim(scenario, seed=11).run()
    scribbled = 0
    for array in _arrays(first, set()):
        if array.flags.writeable and array.flags.c_contiguous and array.size:
            array.reshape(-1).view(np.uint8).fill(0xAB)
            scribbled += 1
    assert scribbled > 10 and first.dates[0] != np.datetime64("2025-01-01")
    assert _digest(Sim(scenario, seed=12).run()) == alone


def test_a_scenario_s_policies_give_their_effects_once_for_all_its_seeds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from channelsim.policies.drivers import Driver

    calls = []
    effects = Driver.effects

    def counted(self: Driver, setup: Setup) -> Any:
        calls.append(self.lever)
        return effects(self, setup)

    monkeypatch.setattr(Driver, "effects", counted)
    scenario = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "history.toml")
    drivers = [p.params["lever"] for p in scenario.policies if p.type == "driver"]
    for seed in (1, 2, 3):
        Sim(scenario, seed=seed, end="2018-03-31").run()  # a new period: its own set-up
        Sim(scenario, seed=seed).run()
    assert drivers and calls == drivers * 4  # three periods' set-ups, then the scenario's
