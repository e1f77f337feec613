"""Drift of a disabled boat: the Leeway model (US Coast Guard; as in OpenDrift's ``Leeway``).

An object adrift moves with the surface current plus a *leeway* driven by the 10 m wind:

    downwind  [cm/s] = (DW slope + ε_dw/20) · U10 + DW offset + ε_dw/2
    crosswind [cm/s] = (CW slope + ε_cw/20) · U10 + CW offset + ε_cw/2

with U10 in m/s and slopes in % (cm/s per m/s). ε_dw ~ N(0, DW std) and ε_cw ~ N(0, CW std)
are drawn once per element (Breivik & Allen 2008; split between slope and offset exactly
as OpenDrift does, so that the spread is the tabulated one at U10 = 10 m/s). Each element
drifts to the right or to the left of downwind and "jibes" to the other side with a fixed
probability per hour. When it jibes the whole crosswind term changes side (slope, offset and
perturbation), as in the original Leeway model; OpenDrift 1.14 flips only the slope, which
makes its crosswind spread slightly larger (see docs/model.md, §3.5).

One step of a drifting element, :func:`drift_step` (move with current plus leeway, then
maybe jibe), and its perturbations, :func:`leeway_perturbation` (keyed draws, ε_dw redrawn
while the downwind slope would be negative, as OpenDrift does), are the ones both the
engine's at-sea kernel and :func:`simulate_drift` (compared with OpenDrift) call.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from channelsim._jit import njit, when_compiling
from channelsim.rng import hash_normal, hash_uniform, stream_id
from channelsim.world.tide import TidalStream

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class LeewayClass:
    """Leeway coefficients of one object class (columns of OpenDrift's ``OBJECTPROP.DAT``)."""

    name: str
    dw_slope_pct: float
    dw_offset_cm_s: float
    dw_std_cm_s: float
    cw_right_slope_pct: float
    cw_right_offset_cm_s: float
    cw_right_std_cm_s: float
    cw_left_slope_pct: float
    cw_left_offset_cm_s: float
    cw_left_std_cm_s: float
    jibe_probability_per_hour: float = 0.04

    def params_array(self) -> NDArray[np.float64]:
        """The numeric fields in declaration order, for :func:`leeway_velocity_m_s`."""
        return np.array(astuple(self)[1:], dtype=np.float64)

    @property
    def symmetric(self) -> bool:
        """True when the left crosswind coefficients mirror the right ones."""
        return (
            self.cw_left_slope_pct == -self.cw_right_slope_pct
            and self.cw_left_offset_cm_s == -self.cw_right_offset_cm_s
            and self.cw_left_std_cm_s == self.cw_right_std_cm_s
        )


def interpolate_leeway(a: LeewayClass, b: LeewayClass, weight_b: float, name: str) -> LeewayClass:
    """Coefficients ``(1 - weight_b) · a + weight_b · b``, field by field."""
    values = {
        f.name: (1.0 - weight_b) * getattr(a, f.name) + weight_b * getattr(b, f.name)
        for f in fields(LeewayClass)
        if f.name != "name"
    }
    return LeewayClass(name=name, **values)


# OpenDrift 1.14 OBJECTPROP.DAT (from the USCG leeway tables of Allen & Plourde 1999, Allen 2005).
LIFE_RAFT_NB_2 = LeewayClass(
    "LIFE-RAFT-NB-2", 5.34, 9.91, 9.82, 2.26, 1.04, 9.08, -2.26, -1.04, 9.08
)
REFUGEE_RAFT_1 = LeewayClass(
    "REFUGEE-RAFT-1", 1.56, 8.30, 1.53, 0.078, 2.70, 1.52, -0.078, -2.70, 1.52
)
SKIFF_3 = LeewayClass("SKIFF-3", 1.65, 0.00, 3.10, 0.39, 0.00, 2.90, -0.39, 0.00, 2.90)
PIW_1 = LeewayClass("PIW-1", 0.96, 0.00, 12.00, 0.54, 0.00, 9.40, -0.54, 0.00, 9.40)

# An overloaded open inflatable (50-100 people, no floor, low freeboard) sits between a light
# unballasted life raft and a heavy wooden refugee raft: halfway between the two (assumption;
# the two classes bound its range).
DINGHY_LEEWAY = interpolate_leeway(
    LIFE_RAFT_NB_2, REFUGEE_RAFT_1, 0.5, "DINGHY (mid NB-2/REFUGEE-1)"
)


@njit(cache=True, nogil=True)
def leeway_velocity_m_s(
    wind_u_m_s: float,
    wind_v_m_s: float,
    cls_params: NDArray[np.float64],
    eps_dw_cm_s: float,
    eps_cw_cm_s: float,
    side: int,
) -> tuple[float, float]:
    """Leeway (east, north) in m/s of one element; ``side`` +1 right / −1 left of downwind.

    The wind components are those the wind blows towards. With no wind the downwind
    direction is taken as north (as OpenDrift does), so only the offsets act.
    """
    speed = np.hypot(wind_u_m_s, wind_v_m_s)
    if speed > 0.0:
        ex, ey = wind_u_m_s / speed, wind_v_m_s / speed
    else:
        ex, ey = 0.0, 1.0
    downwind = (
        (cls_params[0] + eps_dw_cm_s / 20.0) * speed + cls_params[1] + eps_dw_cm_s / 2.0
    ) * 0.01
    if side > 0:
        crosswind = (
            (cls_params[3] + eps_cw_cm_s / 20.0) * speed + cls_params[4] + eps_cw_cm_s / 2.0
        ) * 0.01
    else:
        crosswind = (
            (cls_params[6] - eps_cw_cm_s / 20.0) * speed + cls_params[7] - eps_cw_cm_s / 2.0
        ) * 0.01
    # The unit vector to the right of downwind (ex, ey) is (ey, -ex).
    return downwind * ex + crosswind * ey, downwind * ey - crosswind * ex


@njit(inline="always")
def element_leeway(
    wind_u_m_s: float,
    wind_v_m_s: float,
    cls_params: NDArray[np.float64],
    eps_dw_cm_s: float,
    eps_cw_cm_s: float,
) -> tuple[float, float, float, float]:
    """An element's leeway (east, north, m/s) on its right side and on its left side: fixed
    while the wind is, so computed once per element."""
    ur, vr = leeway_velocity_m_s(wind_u_m_s, wind_v_m_s, cls_params, eps_dw_cm_s, eps_cw_cm_s, 1)
    ul, vl = leeway_velocity_m_s(wind_u_m_s, wind_v_m_s, cls_params, eps_dw_cm_s, eps_cw_cm_s, -1)
    return ur, vr, ul, vl


@njit(inline="always")
def drift_step(
    x_km: float,
    y_km: float,
    side: int,
    current_u_m_s: float,
    current_v_m_s: float,
    leeway: tuple[float, float, float, float],
    dt_s: float,
    u_jibe: float,
    p_jibe: float,
) -> tuple[float, float, int]:
    """One forward-Euler step of a drifting element: the current plus the leeway of its side
    (``leeway`` from :func:`element_leeway`), then a jibe to the other side if
    ``u_jibe < p_jibe``. Returns the new position (km) and side."""
    ur, vr, ul, vl = leeway
    scale = dt_s / 1000.0
    if side > 0:
        x_km += (current_u_m_s + ur) * scale
        y_km += (current_v_m_s + vr) * scale
    else:
        x_km += (current_u_m_s + ul) * scale
        y_km += (current_v_m_s + vl) * scale
    if u_jibe < p_jibe:
        side = -side
    return x_km, y_km, side


MAX_REDRAWS = 8


@njit(inline="always")
def leeway_perturbation(
    seed: int, stream: int, day: int, key: int, cls_params: NDArray[np.float64]
) -> tuple[float, float, int]:
    """An element's ε_dw, ε_cw (cm/s) and initial side (±1), from keyed draws of ``stream``.

    ε_dw is redrawn (up to ``MAX_REDRAWS`` times, then held at the bound: a 12-sigma event
    for the dinghy) while it would make the downwind slope negative, as OpenDrift does;
    ε_cw uses the right-side standard deviation (all tabulated classes are symmetric).
    """
    side = 1 if hash_uniform(seed, stream, day, 16 * key) < 0.5 else -1
    eps_cw = cls_params[5] * hash_normal(seed, stream, day, 8 * key + 1)
    eps_dw = cls_params[2] * hash_normal(seed, stream, day, 8 * key + 2)
    redraw = 1
    while cls_params[0] + eps_dw / 20.0 < 0.0 and redraw < MAX_REDRAWS:
        eps_dw = cls_params[2] * hash_normal(seed, stream, day, 8 * key + 2 + redraw)
        redraw += 1
    return max(eps_dw, -20.0 * cls_params[0]), eps_cw, side


def jibe_probability_per_step(cls: LeewayClass, dt_minutes: float) -> float:
    """Probability of a jibe within one step, from the hourly probability (as OpenDrift)."""
    return float(1.0 - (1.0 - cls.jibe_probability_per_hour) ** (dt_minutes / 60.0))


@njit(cache=True, nogil=True)
def _drift_kernel(
    x_km: NDArray[np.float64],
    y_km: NDArray[np.float64],
    wind_u_m_s: NDArray[np.float64],
    wind_v_m_s: NDArray[np.float64],
    cls_params: NDArray[np.float64],
    current_u_m_s: NDArray[np.float64],
    current_v_m_s: NDArray[np.float64],
    dt_s: float,
    p_jibe: float,
    seed: int,
    leeway_stream: int,
    jibe_stream: int,
    record_every: int,
    track_x_km: NDArray[np.float64],
    track_y_km: NDArray[np.float64],
    side_out: NDArray[np.int8],
) -> None:
    """Advance every element in place by :func:`drift_step` (element ``e``'s draws keyed by
    ``e``; the jibe of step ``k`` on day key ``k``)."""
    n_steps = current_u_m_s.size
    for e in range(x_km.size):
        eps_dw, eps_cw, s = leeway_perturbation(seed, leeway_stream, 0, e, cls_params)
        leeway = element_leeway(wind_u_m_s[e], wind_v_m_s[e], cls_params, eps_dw, eps_cw)
        x, y = x_km[e], y_km[e]
        if record_every > 0:
            track_x_km[0, e], track_y_km[0, e] = x, y
        for k in range(n_steps):
            u_jibe = hash_uniform(seed, jibe_stream, k, e)
            x, y, s = drift_step(
                x, y, s, current_u_m_s[k], current_v_m_s[k], leeway, dt_s, u_jibe, p_jibe
            )
            if record_every > 0 and (k + 1) % record_every == 0:
                track_x_km[(k + 1) // record_every, e] = x
                track_y_km[(k + 1) // record_every, e] = y
        x_km[e], y_km[e] = x, y
        side_out[e] = s


@dataclass(frozen=True)
class DriftResult:
    """Final positions and sides; hourly tracks (shape (hours + 1, n)) when asked for."""

    x_km: NDArray[np.float64]
    y_km: NDArray[np.float64]
    side: NDArray[np.int8]
    track_x_km: NDArray[np.float64] | None = None
    track_y_km: NDArray[np.float64] | None = None


def _current_series(
    t0_hours: float,
    n_steps: int,
    dt_minutes: float,
    tide: TidalStream | None,
    current_u_m_s: float,
    current_v_m_s: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Uniform current at the start of each step: tide plus a constant current."""
    t = t0_hours + np.arange(n_steps) * dt_minutes / 60.0
    u = np.full(n_steps, current_u_m_s, dtype=np.float64)
    v = np.full(n_steps, current_v_m_s, dtype=np.float64)
    if tide is not None:
        tu, tv = tide.velocity_m_s(t)
        u += tu
        v += tv
    return u, v


def simulate_drift(
    x0_km: ArrayLike,
    y0_km: ArrayLike,
    t0_hours: float,
    hours: float,
    dt_minutes: float,
    wind_u_m_s: ArrayLike,
    wind_v_m_s: ArrayLike,
    tide: TidalStream | None,
    cls: LeewayClass,
    seed: int,
    *,
    current_u_m_s: float = 0.0,
    current_v_m_s: float = 0.0,
    hourly_tracks: bool = False,
) -> DriftResult:
    """Drift elements from (x0, y0) for ``hours`` under a uniform current and wind.

    Wind (towards, m/s) is constant in time, one value or one per element. The current is the
    tidal stream (``tide``, may be None) plus a constant ``current_u/v_m_s``. Each element
    takes the engine's drift step (:func:`drift_step`) with counter-based draws keyed by
    ``seed`` (streams ``drift.leeway`` and ``drift.jibe``): bit-identical for the same seed.
    """
    x = np.array(x0_km, dtype=np.float64, copy=True).ravel()
    y = np.array(y0_km, dtype=np.float64, copy=True).ravel()
    n = x.size
    n_steps = round(hours * 60.0 / dt_minutes)
    if n_steps * dt_minutes != hours * 60.0 or n_steps < 0:
        raise ValueError(f"hours={hours} is not a whole number of {dt_minutes}-minute steps")
    steps_per_hour = round(60.0 / dt_minutes)
    if hourly_tracks and (steps_per_hour * dt_minutes != 60.0 or n_steps % steps_per_hour):
        raise ValueError("hourly tracks need a step that divides the hour and whole hours")
    wu = np.broadcast_to(np.asarray(wind_u_m_s, dtype=np.float64), (n,)).copy()
    wv = np.broadcast_to(np.asarray(wind_v_m_s, dtype=np.float64), (n,)).copy()
    cu, cv = _current_series(t0_hours, n_steps, dt_minutes, tide, current_u_m_s, current_v_m_s)
    n_rec = n_steps // steps_per_hour + 1 if hourly_tracks else 1
    tx = np.empty((n_rec, n)) if hourly_tracks else np.empty((1, 1))
    ty = np.empty((n_rec, n)) if hourly_tracks else np.empty((1, 1))
    side = np.empty(n, dtype=np.int8)
    _drift_kernel(
        x,
        y,
        wu,
        wv,
        cls.params_array(),
        cu,
        cv,
        dt_minutes * 60.0,
        jibe_probability_per_step(cls, dt_minutes),
        int(seed),
        stream_id("drift.leeway"),
        stream_id("drift.jibe"),
        steps_per_hour if hourly_tracks else 0,
        tx,
        ty,
        side,
    )
    if hourly_tracks:
        return DriftResult(x, y, side, tx, ty)
    return DriftResult(x, y, side)


@dataclass(frozen=True)
class DriftMoments:
    """Expected displacement (km) of a drifting cloud and its standard deviations."""

    mean_dx_km: float
    mean_dy_km: float
    sd_downwind_km: float
    sd_crosswind_km: float
    sd_x_km: float
    sd_y_km: float


def closed_form_drift(
    hours: float,
    dt_minutes: float,
    wind_u_m_s: float,
    wind_v_m_s: float,
    cls: LeewayClass,
    *,
    t0_hours: float = 0.0,
    tide: TidalStream | None = None,
    current_u_m_s: float = 0.0,
    current_v_m_s: float = 0.0,
) -> DriftMoments:
    """Moments of the displacement under uniform forcing, for a symmetric class.

    Mean = Σ current·dt + mean downwind leeway × time (the crosswind averages out over the
    random initial sides). Downwind spread = DW std·(U/20 + 1/2)·time. Crosswind: an element's
    crosswind speed c times Σ_k s_k·dt, where the side s_k is a ±1 Markov chain flipping with
    probability p per step, so E[(Σ s_k)²] = Σ_j Σ_k (1 − 2p)^|j−k|. Ignores the (negligible)
    truncation of ε_dw that keeps the downwind slope positive.
    """
    if not cls.symmetric:
        raise ValueError(f"closed form needs a symmetric leeway class, not {cls.name}")
    n_steps = round(hours * 60.0 / dt_minutes)
    dt_s = dt_minutes * 60.0
    cu, cv = _current_series(t0_hours, n_steps, dt_minutes, tide, current_u_m_s, current_v_m_s)
    speed = float(np.hypot(wind_u_m_s, wind_v_m_s))
    ex, ey = (wind_u_m_s / speed, wind_v_m_s / speed) if speed > 0 else (0.0, 1.0)
    total_s = n_steps * dt_s
    spread_factor = speed / 20.0 + 0.5
    dw_mean = 0.01 * (cls.dw_slope_pct * speed + cls.dw_offset_cm_s)
    sd_dw = 0.01 * cls.dw_std_cm_s * spread_factor * total_s / 1000.0
    cw_mean = 0.01 * (cls.cw_right_slope_pct * speed + cls.cw_right_offset_cm_s)
    cw_sd = 0.01 * cls.cw_right_std_cm_s * spread_factor
    r = 1.0 - 2.0 * jibe_probability_per_step(cls, dt_minutes)
    lags = np.arange(1, n_steps)
    side_sum_sq = n_steps + 2.0 * float(np.sum((n_steps - lags) * r**lags))
    sd_cw = np.sqrt((cw_mean**2 + cw_sd**2) * side_sum_sq) * dt_s / 1000.0
    mean_dx = float(np.sum(cu)) * dt_s / 1000.0 + dw_mean * ex * total_s / 1000.0
    mean_dy = float(np.sum(cv)) * dt_s / 1000.0 + dw_mean * ey * total_s / 1000.0
    sd_x = float(np.hypot(sd_dw * ex, sd_cw * ey))
    sd_y = float(np.hypot(sd_dw * ey, sd_cw * ex))
    return DriftMoments(mean_dx, mean_dy, float(sd_dw), float(sd_cw), sd_x, sd_y)


def _refresh_caches() -> None:
    """Flush the compiled functions here if a module they compile from changed (jit_cache)."""
    import sys

    from channelsim import jit_cache, rng
    from channelsim.world import tide

    jit_cache.refresh("drift", [rng, tide, sys.modules[__name__]])


when_compiling(_refresh_caches)
