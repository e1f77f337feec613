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
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

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


def draw_leeway_perturbations(
    cls: LeewayClass, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int8]]:
    """Per-element ε_dw, ε_cw (cm/s) and initial side (±1), drawn once per element.

    ε_dw is redrawn where it would make the downwind slope negative (as in OpenDrift); ε_cw
    uses the right-side standard deviation (all tabulated classes are symmetric).
    """
    eps_dw = rng.standard_normal(n) * cls.dw_std_cm_s
    bad = cls.dw_slope_pct + eps_dw / 20.0 < 0.0
    while bad.any():
        eps_dw[bad] = rng.standard_normal(int(bad.sum())) * cls.dw_std_cm_s
        bad = cls.dw_slope_pct + eps_dw / 20.0 < 0.0
    eps_cw = rng.standard_normal(n) * cls.cw_right_std_cm_s
    side = np.where(rng.random(n) < 0.5, 1, -1).astype(np.int8)
    return eps_dw, eps_cw, side


def jibe_probability_per_step(cls: LeewayClass, dt_minutes: float) -> float:
    """Probability of a jibe within one step, from the hourly probability (as OpenDrift)."""
    return float(1.0 - (1.0 - cls.jibe_probability_per_hour) ** (dt_minutes / 60.0))


@njit(cache=True, nogil=True)
def _uniform(seed: np.uint64, element: int, step: int) -> float:
    """Counter-based uniform in [0, 1): splitmix64 of (seed, element, step)."""
    z = seed ^ (np.uint64(element) * np.uint64(0x9E3779B97F4A7C15))
    z = z + np.uint64(step + 1) * np.uint64(0xD1B54A32D192ED03)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def _drift_kernel(
    x_km: NDArray[np.float64],
    y_km: NDArray[np.float64],
    wind_u_m_s: NDArray[np.float64],
    wind_v_m_s: NDArray[np.float64],
    cls_params: NDArray[np.float64],
    eps_dw_cm_s: NDArray[np.float64],
    eps_cw_cm_s: NDArray[np.float64],
    side: NDArray[np.int8],
    current_u_m_s: NDArray[np.float64],
    current_v_m_s: NDArray[np.float64],
    dt_s: float,
    p_jibe: float,
    seed: np.uint64,
    record_every: int,
    track_x_km: NDArray[np.float64],
    track_y_km: NDArray[np.float64],
) -> None:
    """Advance every element in place by forward Euler steps (current, then leeway, then jibe)."""
    n_steps = current_u_m_s.size
    scale = dt_s / 1000.0
    for e in range(x_km.size):
        ur, vr = leeway_velocity_m_s(
            wind_u_m_s[e], wind_v_m_s[e], cls_params, eps_dw_cm_s[e], eps_cw_cm_s[e], 1
        )
        ul, vl = leeway_velocity_m_s(
            wind_u_m_s[e], wind_v_m_s[e], cls_params, eps_dw_cm_s[e], eps_cw_cm_s[e], -1
        )
        x, y, s = x_km[e], y_km[e], side[e]
        if record_every > 0:
            track_x_km[0, e], track_y_km[0, e] = x, y
        for k in range(n_steps):
            if s > 0:
                x += (current_u_m_s[k] + ur) * scale
                y += (current_v_m_s[k] + vr) * scale
            else:
                x += (current_u_m_s[k] + ul) * scale
                y += (current_v_m_s[k] + vl) * scale
            if _uniform(seed, e, k) < p_jibe:
                s = -s
            if record_every > 0 and (k + 1) % record_every == 0:
                track_x_km[(k + 1) // record_every, e] = x
                track_y_km[(k + 1) // record_every, e] = y
        x_km[e], y_km[e] = x, y
        side[e] = s


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
    rng: np.random.Generator,
    *,
    current_u_m_s: float = 0.0,
    current_v_m_s: float = 0.0,
    hourly_tracks: bool = False,
) -> DriftResult:
    """Drift elements from (x0, y0) for ``hours`` under a uniform current and wind.

    Wind (towards, m/s) is constant in time, one value or one per element. The current is the
    tidal stream (``tide``, may be None) plus a constant ``current_u/v_m_s``. Random numbers:
    the per-element perturbations and sides come from ``rng``; jibes from a counter-based
    hash seeded from ``rng``, so results are bit-identical for the same seed.
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
    eps_dw, eps_cw, side = draw_leeway_perturbations(cls, n, rng)
    seed = np.uint64(rng.integers(0, 2**63, dtype=np.int64))
    cu, cv = _current_series(t0_hours, n_steps, dt_minutes, tide, current_u_m_s, current_v_m_s)
    n_rec = n_steps // steps_per_hour + 1 if hourly_tracks else 1
    tx = np.empty((n_rec, n)) if hourly_tracks else np.empty((1, 1))
    ty = np.empty((n_rec, n)) if hourly_tracks else np.empty((1, 1))
    _drift_kernel(
        x,
        y,
        wu,
        wv,
        cls.params_array(),
        eps_dw,
        eps_cw,
        side,
        cu,
        cv,
        dt_minutes * 60.0,
        jibe_probability_per_step(cls, dt_minutes),
        seed,
        steps_per_hour if hourly_tracks else 0,
        tx,
        ty,
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
