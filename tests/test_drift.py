"""Leeway drift: geometry of one element, and the cloud against the closed form."""

from __future__ import annotations

import numpy as np
import pytest

from channelsim.world.drift import (
    DINGHY_LEEWAY,
    LIFE_RAFT_NB_2,
    REFUGEE_RAFT_1,
    LeewayClass,
    closed_form_drift,
    leeway_velocity_m_s,
    simulate_drift,
)
from channelsim.world.projection import LocalProjection
from channelsim.world.tide import TidalStream

S = np.sqrt(0.5)


def test_leeway_of_one_element_is_downwind_and_to_its_side() -> None:
    p = LIFE_RAFT_NB_2.params_array()
    # Wind 10 m/s towards the north: downwind leeway north, crosswind east (right) or west.
    ur, vr = leeway_velocity_m_s(0.0, 10.0, p, 0.0, 0.0, 1)
    ul, vl = leeway_velocity_m_s(0.0, 10.0, p, 0.0, 0.0, -1)
    assert vr == pytest.approx(0.01 * (5.34 * 10 + 9.91))
    assert ur == pytest.approx(0.01 * (2.26 * 10 + 1.04))
    assert ul == pytest.approx(-ur) and vl == pytest.approx(vr)
    # A perturbation of ε at 10 m/s adds exactly ε (cm/s) to the downwind leeway.
    _, v_eps = leeway_velocity_m_s(0.0, 10.0, p, 5.0, 0.0, 1)
    assert v_eps - vr == pytest.approx(0.05)
    # Mirror symmetry: jibing with a perturbation gives the mirror image.
    ur2, _ = leeway_velocity_m_s(0.0, 10.0, p, 0.0, 3.0, 1)
    ul2, _ = leeway_velocity_m_s(0.0, 10.0, p, 0.0, 3.0, -1)
    assert ul2 == pytest.approx(-ur2)


def test_leeway_rotates_with_the_wind() -> None:
    p = REFUGEE_RAFT_1.params_array()
    u0, v0 = leeway_velocity_m_s(0.0, 7.0, p, 1.0, -2.0, 1)
    u1, v1 = leeway_velocity_m_s(7.0 * S, 7.0 * S, p, 1.0, -2.0, 1)  # rotated 45° clockwise
    c, s = np.cos(np.pi / 4), np.sin(np.pi / 4)
    assert u1 == pytest.approx(c * u0 + s * v0)
    assert v1 == pytest.approx(-s * u0 + c * v0)


def test_dinghy_class_lies_between_its_bounds() -> None:
    for name in ("dw_slope_pct", "dw_offset_cm_s", "cw_right_slope_pct", "dw_std_cm_s"):
        lo, hi = sorted((getattr(LIFE_RAFT_NB_2, name), getattr(REFUGEE_RAFT_1, name)))
        assert lo < getattr(DINGHY_LEEWAY, name) < hi
    assert DINGHY_LEEWAY.symmetric


@pytest.mark.parametrize("cls", [LIFE_RAFT_NB_2, DINGHY_LEEWAY])
def test_cloud_matches_the_closed_form(cls: LeewayClass) -> None:
    n = 100_000
    tide = TidalStream()
    kwargs = {"tide": tide, "current_u_m_s": 0.1, "current_v_m_s": -0.05}
    wind = (-6.0, 3.0)
    result = simulate_drift(
        np.zeros(n),
        np.zeros(n),
        30.0,
        12.0,
        10.0,
        *wind,
        tide,
        cls,
        4,
        current_u_m_s=0.1,
        current_v_m_s=-0.05,
    )
    cf = closed_form_drift(12.0, 10.0, *wind, cls, t0_hours=30.0, **kwargs)
    # Means within 4 standard errors (about 0.1 km here), spreads within 2 %.
    assert abs(result.x_km.mean() - cf.mean_dx_km) < 4 * cf.sd_x_km / np.sqrt(n)
    assert abs(result.y_km.mean() - cf.mean_dy_km) < 4 * cf.sd_y_km / np.sqrt(n)
    assert result.x_km.std() == pytest.approx(cf.sd_x_km, rel=0.02)
    assert result.y_km.std() == pytest.approx(cf.sd_y_km, rel=0.02)
    speed = np.hypot(*wind)
    downwind = (result.x_km * wind[0] + result.y_km * wind[1]) / speed
    crosswind = (result.x_km * wind[1] - result.y_km * wind[0]) / speed
    assert downwind.std() == pytest.approx(cf.sd_downwind_km, rel=0.02)
    assert crosswind.std() == pytest.approx(cf.sd_crosswind_km, rel=0.02)


def test_tide_alone_moves_every_element_alike() -> None:
    tide = TidalStream()
    no_wind = LeewayClass("none", 0, 0, 0, 0, 0, 0, 0, 0, 0)
    result = simulate_drift([1.0, 2.0], [0.0, 0.0], 10.0, 6.0, 5.0, 0.0, 0.0, tide, no_wind, 0)
    t = 10.0 + np.arange(72) * 5.0 / 60.0
    u, v = tide.velocity_m_s(t)
    np.testing.assert_allclose(result.x_km - [1.0, 2.0], u.sum() * 300.0 / 1000.0, atol=1e-9)
    np.testing.assert_allclose(result.y_km, v.sum() * 300.0 / 1000.0, atol=1e-9)


def test_openDrift_anchor_case_against_the_closed_form() -> None:
    """anchors.md: LIFE-RAFT-NB-2, wind 8 m/s and current 0.5 m/s towards NE, 12 h from
    51.0 N 1.85 E: OpenDrift's mean final position 2.296 E 51.281 N, sd 0.088° / 0.056°."""
    cf = closed_form_drift(
        12.0, 10.0, 8 * S, 8 * S, LIFE_RAFT_NB_2, current_u_m_s=0.5 * S, current_v_m_s=0.5 * S
    )
    proj = LocalProjection(1.85, 51.0)
    lon, lat = proj.to_lonlat(cf.mean_dx_km, cf.mean_dy_km)
    ax, ay = proj.to_xy_km(2.296, 51.281)
    assert np.hypot(cf.mean_dx_km - ax, cf.mean_dy_km - ay) < 0.5
    km_per_deg_lon = proj.to_xy_km(2.85, 51.0)[0] - 0.0
    assert cf.sd_x_km / km_per_deg_lon == pytest.approx(0.088, rel=0.05)
    assert cf.sd_y_km / 111.2 == pytest.approx(0.056, rel=0.05)
    assert float(lat) > 51.2 and float(lon) > 2.2


def test_same_seed_same_drift_and_tracks() -> None:
    args = (np.zeros(500), np.zeros(500), 0.0, 3.0, 10.0, 4.0, -2.0, TidalStream(), DINGHY_LEEWAY)
    a = simulate_drift(*args, 11, hourly_tracks=True)
    b = simulate_drift(*args, 11)
    c = simulate_drift(*args, 12)
    np.testing.assert_array_equal(a.x_km, b.x_km)
    np.testing.assert_array_equal(a.y_km, b.y_km)
    assert not np.array_equal(a.x_km, c.x_km)
    assert a.track_x_km is not None and a.track_y_km is not None
    assert a.track_x_km.shape == (4, 500)
    np.testing.assert_array_equal(a.track_x_km[-1], a.x_km)
    np.testing.assert_array_equal(a.track_x_km[0], 0.0)
    with pytest.raises(ValueError):
        simulate_drift(*args[:3], 2.5, 7.0, *args[5:], 0, hourly_tracks=True)
