"""The tidal stream: semi-diurnal, spring–neap modulated, along the strait, with a spring
amplitude that varies across the strait (anchored at the sourced figures)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from channelsim.engine.kernels import kernel_setup
from channelsim.engine.results import BOAT_DTYPE
from channelsim.engine.sea import Interception, rule_records, sail
from channelsim.params import Params, apply_overrides
from channelsim.world import LAND_FR, LAND_UK, load_world
from channelsim.world.geography import TIDE_QUANTUM_M_S
from channelsim.world.tide import (
    DOVER_STRAIT_ANCHORS,
    KNOT_M_S,
    M2_PERIOD_HOURS,
    SPRING_NEAP_PERIOD_HOURS,
    TidalStream,
    advance_phasor,
    phasor_cycle,
    phasor_turn,
    tide_cycle,
    tide_phasor,
    tide_velocity_m_s,
)


def test_spring_neap_period_is_the_m2_s2_beat() -> None:
    assert abs(SPRING_NEAP_PERIOD_HOURS / 24.0 - 14.77) < 0.01
    assert abs(M2_PERIOD_HOURS - 12.42) < 0.01


@pytest.mark.parametrize("spring_kn", [2.3, 3.25])
def test_amplitudes_at_springs_and_neaps(spring_kn: float) -> None:
    """Wherever the spring amplitude is A, the stream reaches A at springs and A·1.3/2.3 at
    neaps (the UKHO ratio off South Foreland)."""
    tide = TidalStream()
    t = np.arange(0.0, 24 * 60, 0.05)
    u, v = tide.velocity_m_s(t, spring_kn * KNOT_M_S)
    speed = np.hypot(u, v) / KNOT_M_S
    assert speed.max() == pytest.approx(spring_kn, abs=0.02)
    # Peak of each tidal cycle over a fortnight: the smallest is the neap amplitude.
    cycles = (t // M2_PERIOD_HOURS).astype(int)
    peaks = np.array([speed[cycles == c].max() for c in np.unique(cycles)[1:-1]])
    assert peaks.min() == pytest.approx(spring_kn * 1.3 / 2.3, abs=0.05)
    # The strongest stream is at the documented reference time (a spring flood).
    at_reference = speed[np.argmin(np.abs(t - tide.reference_hours))]
    assert at_reference == pytest.approx(spring_kn, abs=0.01)


def test_the_default_amplitude_is_the_reference_point_s() -> None:
    tide = TidalStream()
    assert tide.spring_speed_kn == 2.3 and tide.neap_speed_kn == 1.3
    u, v = tide.velocity_m_s(np.array([tide.reference_hours]))
    assert np.hypot(u, v)[0] / KNOT_M_S == pytest.approx(2.3, abs=1e-3)


def test_flood_sets_north_east_and_ebb_south_west() -> None:
    tide = TidalStream()
    u, v = tide.velocity_m_s(np.array([tide.reference_hours, tide.reference_hours + 6.21]))
    assert u[0] > 0 and v[0] > 0
    assert np.degrees(np.arctan2(u[0], v[0])) == pytest.approx(45.0)
    assert u[1] < 0 and v[1] < 0
    # Over a whole number of spring–neap cycles the residual is nearly zero.
    t = np.arange(0.0, 2 * SPRING_NEAP_PERIOD_HOURS, 0.1)
    mean_u, _ = (np.mean(c) for c in tide.velocity_m_s(t))
    assert abs(mean_u) < 0.01


def test_njit_function_matches_the_vectorised_method() -> None:
    tide = dataclasses.replace(TidalStream.uniform(2.0, 1.0), flood_towards_deg=40.0)
    params = tide.params_array()
    t = np.linspace(0.0, 500.0, 97)
    for amplitude in (2.0 * KNOT_M_S, 1.7):
        u, v = tide.velocity_m_s(t, amplitude)
        for k, tk in enumerate(t):
            uk, vk = tide_velocity_m_s(params, amplitude, tk)
            assert uk == pytest.approx(u[k], abs=1e-12)
            assert vk == pytest.approx(v[k], abs=1e-12)


def test_the_phasor_gives_the_cycle_bit_for_bit_where_it_is_computed() -> None:
    params = TidalStream().params_array()
    for t_h in (0.0, 61.0, 24.0 * 2700 + 7.3, 24.0 * 4400 + 0.01):
        assert phasor_cycle(params, tide_phasor(params, t_h)) == tide_cycle(params, t_h)


@pytest.mark.parametrize("dt_min", [1.0, 5.0, 10.0])
def test_a_day_of_turned_phasors_stays_on_the_cycle(dt_min: float) -> None:
    """The kernel turns the tide's phases by a rotation each planned step: after a day of
    them (1,440 one-minute steps, what the sea's horizon allows) the stream is the cosines'
    to within 2e-11 of its amplitude, at the same instants: the cosines' own argument,
    ω·(t − t_ref) ≈ 33,000 rad on day 2,700, is rounded to some 4e-12 rad."""
    params = TidalStream().params_array()
    dt_h = dt_min / 60.0
    launch_h = 24.0 * 2700 + 19.25
    turn = phasor_turn(params, dt_h)
    phasor = tide_phasor(params, launch_h)
    worst = 0.0
    for k in range(1, int(24 * 60 / dt_min) + 1):
        phasor = advance_phasor(phasor, turn)
        worst = max(
            worst, abs(phasor_cycle(params, phasor) - tide_cycle(params, launch_h + k * dt_h))
        )
        assert phasor[0] ** 2 + phasor[1] ** 2 == pytest.approx(1.0, abs=1e-12)
    assert 0.0 < worst < 2e-11  # not the cosines themselves, but as near as arithmetic allows


def test_the_field_takes_each_anchor_s_value_at_the_anchor() -> None:
    world = load_world()
    tide = world.tide
    assert tide.anchors == DOVER_STRAIT_ANCHORS
    values = {a.name: a.spring_speed_kn for a in tide.anchors}
    assert values["off South Foreland"] == 2.3
    assert values["off Ramsgate"] == 3.2
    assert values["off Cap Gris-Nez, south side"] == values["off Boulogne-sur-Mer"] == 3.25
    lon = np.array([a.lon for a in tide.anchors])
    lat = np.array([a.lat for a in tide.anchors])
    x, y = world.projection.to_xy_km(lon, lat)
    exact = tide.spring_speed_m_s(world.projection, x, y) / KNOT_M_S
    np.testing.assert_allclose(exact, [a.spring_speed_kn for a in tide.anchors], atol=1e-4)
    # As the kernel reads it, packed in the world's raster (a 0.1 km cell, 1 mm/s steps).
    j, i = world.grid.cell_index(x, y)
    packed = (world.packed_cells()[j, i] >> 16) * TIDE_QUANTUM_M_S / KNOT_M_S
    np.testing.assert_allclose(packed, [a.spring_speed_kn for a in tide.anchors], atol=0.01)


def test_the_field_is_continuous_and_within_the_anchors_range() -> None:
    world = load_world()
    field = (world.packed_cells() >> 16).astype(np.float64) * TIDE_QUANTUM_M_S
    low = min(a.spring_speed_kn for a in world.tide.anchors) * KNOT_M_S
    high = max(a.spring_speed_kn for a in world.tide.anchors) * KNOT_M_S
    assert field.min() >= low - TIDE_QUANTUM_M_S and field.max() <= high + TIDE_QUANTUM_M_S
    # Neighbouring cells (0.1 km apart) never differ by more than a few mm/s, anywhere.
    assert np.abs(np.diff(field, axis=0)).max() <= 0.01
    assert np.abs(np.diff(field, axis=1)).max() <= 0.01
    # A 10 m walk across an anchor changes the exact field by less than 0.1 mm/s.
    anchor = world.tide.anchors[1]
    ax, ay = world.projection.to_xy_km(anchor.lon, anchor.lat)
    walk = np.linspace(-0.5, 0.5, 101)
    along = world.tide.spring_speed_m_s(world.projection, ax + walk, np.full(101, ay))
    assert np.abs(np.diff(along)).max() < 1e-4


def test_french_side_runs_faster_than_mid_strait_and_english_side() -> None:
    world = load_world()
    proj, tide = world.projection, world.tide

    def knots(lon: float, lat: float) -> float:
        return float(tide.spring_speed_m_s(proj, *proj.to_xy_km(lon, lat))) / KNOT_M_S

    off_wimereux, mid_strait, off_dover = knots(1.55, 50.79), knots(1.45, 51.0), knots(1.36, 51.1)
    assert 3.0 <= off_wimereux <= 3.5
    assert off_dover < mid_strait < off_wimereux


def test_uniform_stream_is_the_same_everywhere() -> None:
    world = load_world().with_tide(TidalStream.uniform(2.3, 1.3))
    field = world.packed_cells() >> 16
    assert field.min() == field.max() == round(2.3 * KNOT_M_S / TIDE_QUANTUM_M_S)
    # the region flags and distances are the world's own
    np.testing.assert_array_equal(
        world.packed_cells() & 0xFFFF, load_world().packed_cells() & 0xFFFF
    )


def _drift_under_tide_alone(x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
    """Positions an hour later of boats immobilised at once (an interception at the launch)
    in calm air, with no leeway, no rescue and no capsize, over the hour around the
    spring flood of the tide's reference time: the tide alone moves them."""
    params = apply_overrides(
        Params(),
        {
            "hazards": {"engine_failure_per_hour": 0.0, "capsize_per_hour": 0.0},
            "rescue": {"fr_rescue_per_hour": 0.0, "uk_pickup_per_hour": 0.0},
        },
    )
    setup = kernel_setup(params)
    setup.leeway_params = np.zeros_like(setup.leeway_params)  # no windage at all
    n = x_km.size
    boats = np.zeros(n, BOAT_DTYPE)
    boats["boat_id"] = 7  # the same draws for every boat
    boats["aboard_people"] = 60
    spring_flood_h = TidalStream().reference_hours
    boats["launch_t_h"] = spring_flood_h - 0.5
    tracks = np.full((n, 8, 2), np.nan)
    immobilise = rule_records([(Interception(rate_per_hour=1e9, immobilise_probability=1.0), 1, 2)])
    sail(boats, x_km, y_km, day=int(spring_flood_h // 24), seed=1,
         weather=(0.0, 0.0, 0.2, 12.0), setup=setup, rules=immobilise, tracks=tracks)  # fmt: skip
    assert boats["disabled"].all()
    return tracks[:, 6, :]  # six 10-minute steps in open water


def test_the_kernel_drifts_a_boat_off_france_faster_than_one_mid_strait() -> None:
    world = load_world()
    proj = world.projection
    # 8 km off Boulogne (French side, south of Cap Gris-Nez) and mid-strait off Folkestone
    x, y = proj.to_xy_km(np.array([1.45, 1.3]), np.array([50.73, 50.97]))
    assert not (world.grid.lookup(x, y) & (LAND_FR | LAND_UK)).any()
    end = _drift_under_tide_alone(x, y)
    moved_km = np.hypot(end[:, 0] - x, end[:, 1] - y)
    spring_kn = world.tide.spring_speed_m_s(proj, x, y) / KNOT_M_S
    assert spring_kn[0] > 3.2 and spring_kn[1] < 2.9
    # An hour around a spring flood: the amplitude met half-way times the stream's share of
    # it at the start of each step (forward Euler), over six 10-minute steps.
    half_way = world.tide.spring_speed_m_s(proj, (x + end[:, 0]) / 2, (y + end[:, 1]) / 2)
    u, v = world.tide.velocity_m_s(world.tide.reference_hours + np.arange(-3, 3) / 6, 1.0)
    np.testing.assert_allclose(moved_km, half_way * np.hypot(u, v).sum() * 0.6, rtol=0.005)
    assert moved_km[0] > 1.1 * moved_km[1]


def test_a_hazard_tells_its_draw_from_its_probability_without_exp_bit_for_bit() -> None:
    """A short step's hazard (probability not yet known) decides whether and when its event
    falls exactly as with the probability computed first, for rates and step lengths from a
    rare event (probability 3e-4) to a near-certain one."""
    import math

    from channelsim.engine import sea
    from channelsim.rng import hash_prefix

    prefix = hash_prefix(3, 7, 2900)
    seen_hit = seen_miss = 0
    for rate in (0.02, 0.5, 3.0, 40.0):
        for dt_h in (1.0 / 60.0, 0.05, 1.0 / 6.0):
            p = 1.0 - math.exp(-rate * dt_h)
            for skey in range(400):
                exact = sea._first(2.0, 0, rate, dt_h, p, prefix, skey, 1)
                assert sea._first(2.0, 0, rate, dt_h, -1.0, prefix, skey, 1) == exact
                seen_hit += exact[1] == 1
                seen_miss += exact[1] == 0
    assert seen_hit > 100 and seen_miss > 100
    assert sea.SURELY_ABOVE > 0.0
