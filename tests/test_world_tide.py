"""The tidal stream: semi-diurnal, spring–neap modulated, along the strait."""

from __future__ import annotations

import numpy as np
import pytest

from channelsim.world.tide import (
    KNOT_M_S,
    M2_PERIOD_HOURS,
    SPRING_NEAP_PERIOD_HOURS,
    TidalStream,
    tide_velocity_m_s,
)


def test_spring_neap_period_is_the_m2_s2_beat() -> None:
    assert abs(SPRING_NEAP_PERIOD_HOURS / 24.0 - 14.77) < 0.01
    assert abs(M2_PERIOD_HOURS - 12.42) < 0.01


def test_amplitudes_at_springs_and_neaps() -> None:
    tide = TidalStream()
    t = np.arange(0.0, 24 * 60, 0.05)
    u, v = tide.velocity_m_s(t)
    speed = np.hypot(u, v) / KNOT_M_S
    assert speed.max() == pytest.approx(2.3, abs=0.02)
    # Peak of each tidal cycle over a fortnight: the smallest is the neap amplitude.
    cycles = (t // M2_PERIOD_HOURS).astype(int)
    peaks = np.array([speed[cycles == c].max() for c in np.unique(cycles)[1:-1]])
    assert peaks.min() == pytest.approx(1.3, abs=0.05)
    # The strongest stream is at the documented reference time (a spring flood).
    assert speed[np.argmin(np.abs(t - tide.reference_hours))] == pytest.approx(2.3, abs=0.01)


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
    tide = TidalStream(spring_speed_kn=2.0, neap_speed_kn=1.0, flood_towards_deg=40.0)
    params = tide.params_array()
    t = np.linspace(0.0, 500.0, 97)
    u, v = tide.velocity_m_s(t)
    for k, tk in enumerate(t):
        uk, vk = tide_velocity_m_s(params, tk)
        assert uk == pytest.approx(u[k], abs=1e-12)
        assert vk == pytest.approx(v[k], abs=1e-12)
