"""The at-sea kernel: every boat launched on one day, stepped to its fate.

Boats do not interact, so the kernel loops boat by boat and, within a boat, step by step
until the boat's fate is settled (arrival, landing, rescue, return, capsize) or the
simulated period ends. Per step (``time_step_min``):

1. forcing: the tidal stream at the current time; the day's wind (for leeway);
2. motion: a powered boat heads for Dover at its engine speed (reduced by load and waves)
   plus the tide; a disabled boat drifts with the tide plus the Leeway drift of an
   overloaded dinghy (``channelsim.world.drift``); a move onto land is refused, except that
   reaching the English coast is an uncontrolled landing and a drifting boat that grounds
   on the French coast is a return;
3. hazards (counter-based draws keyed by boat and step): engine failure, capsize (rising
   with waves and overload), interception by a policy's rules of engagement, rescue of a
   disabled boat by the French side, pick-up by Border Force on the UK side;
4. after a capsize: immediate drowning (cold shock), then each survivor in the water dies
   of hypothermia if the rescue takes longer than their survival time (log-normal,
   median by sea temperature, US SAR table).

The weather of the launch day is held for the whole crossing (crossings take hours; a boat
still at sea days later is rare).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numba import njit

from channelsim.params import Params
from channelsim.rng import Stream, hash_uniform
from channelsim.world.drift import DINGHY_LEEWAY, leeway_velocity_m_s
from channelsim.world.geography import LAND_FR, LAND_UK, UK_SIDE, World, grid_flags, load_world
from channelsim.world.tide import tide_velocity_m_s

KN_TO_M_S = 0.514444
M_S_TO_KM_H = 3.6
STEP_KEY = 65536  # steps per boat key; max_hours_at_sea ≤ 240 h at ≥ 1 min steps fits


class Fate(IntEnum):
    """How a boat's crossing ended (stored as int8)."""

    AT_SEA = 0
    ARRIVED = 1  # picked up by UK Border Force
    LANDED_UK = 2  # uncontrolled landing on an English beach
    RESCUED_FR = 3  # disabled boat rescued in the French zone, taken back to France
    RETURNED = 4  # towed back by an interception, or drifted back ashore in France
    LOST = 5  # capsized or sank; survivors rescued by the side where it happened
    AT_SEA_END = 6  # still at sea when the simulated period ended


FATE_NAMES = {f.value: f.name.lower() for f in Fate}

# Plain integer constants for the kernel (Numba folds module-level ints).
_AT_SEA, _ARRIVED, _LANDED_UK, _RESCUED_FR, _RETURNED, _LOST, _AT_SEA_END = (int(f) for f in Fate)
_S_LEEWAY = int(Stream.LEEWAY)
_S_JIBE = int(Stream.JIBE)
_S_ENGINE = int(Stream.ENGINE)
_S_CAPSIZE = int(Stream.CAPSIZE)
_S_RESCUE = int(Stream.RESCUE)
_S_SURVIVAL = int(Stream.SURVIVAL)
_S_INTERCEPT = int(Stream.INTERCEPT)
_S_INTERCEPT_ACTION = int(Stream.INTERCEPT_ACTION)


@dataclass(frozen=True)
class SeaForcing:
    """What the kernel needs from the world (arrays ready for Numba)."""

    flags: np.ndarray
    grid_x0_km: float
    grid_y0_km: float
    grid_cell_km: float
    tide_params: np.ndarray
    leeway_params: np.ndarray
    leeway_dw_std_cm_s: float
    leeway_cw_std_cm_s: float
    jibe_probability_per_hour: float
    target_x_km: float
    target_y_km: float


def load_forcing() -> tuple[World, SeaForcing]:
    """The packaged world and the arrays the kernel reads from it."""
    world = load_world()
    grid = world.grid
    forcing = SeaForcing(
        flags=np.ascontiguousarray(grid.flags, dtype=np.uint8),
        grid_x0_km=float(grid.x0_km),
        grid_y0_km=float(grid.y0_km),
        grid_cell_km=float(grid.cell_km),
        tide_params=world.tide.params_array(),
        leeway_params=DINGHY_LEEWAY.params_array(),
        leeway_dw_std_cm_s=float(DINGHY_LEEWAY.dw_std_cm_s),
        leeway_cw_std_cm_s=float(DINGHY_LEEWAY.cw_right_std_cm_s),
        jibe_probability_per_hour=float(DINGHY_LEEWAY.jibe_probability_per_hour),
        target_x_km=float(world.dover_x_km),
        target_y_km=float(world.dover_y_km),
    )
    return world, forcing


# Layout of the float64 parameter array ``p`` read by the kernel.
(
    P_DT_H,
    P_MAX_STEPS,
    P_SPEED_KN,
    P_LOAD_LOSS,
    P_WAVE_LOSS,
    P_ENGINE_FAIL,
    P_CAPSIZE,
    P_CAPSIZE_WAVE,
    P_CAPSIZE_OVERLOAD,
    P_REF_OCC,
    P_DROWN,
    P_SURV_COLD_H,
    P_SURV_MILD_H,
    P_SURV_SD,
    P_FR_RESCUE,
    P_UK_PICKUP,
    P_CAPSIZE_RESCUE_H,
    P_T_STOP_H,
    P_DW_STD,
    P_CW_STD,
    P_JIBE,
    P_TARGET_X,
    P_TARGET_Y,
    N_P,
) = range(24)

# Layout of the interception array (``Interception.as_array``).
(
    I_RATE,
    I_REQUIRED,
    I_FORBIDDEN,
    I_MAX_PEOPLE,
    I_MAX_WAVE,
    I_NIGHT,
    I_TOW,
    I_IMMOBILISE,
    I_CAPSIZE,
    I_EXCLUDED,
    I_ANY,
) = range(11)

# Columns of the integer and float outputs.
O_FATE, O_DROWNED, O_HYPOTHERMIA, O_UK_SIDE, O_DISABLED, O_INTERCEPTED, O_STEPS, N_OI = range(8)
O_END_T_H, O_X_KM, O_Y_KM, O_MAX_DIST_KM, N_OF = range(5)


@njit(inline="always")
def _normal(seed: int, stream: int, day: int, key: int) -> float:
    """Box–Muller from two keyed uniforms."""
    u1 = 1.0 - hash_uniform(seed, stream, day, 2 * key)
    u2 = hash_uniform(seed, stream, day, 2 * key + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(inline="always")
def _hit(rate_per_hour: float, dt_h: float, u: float) -> bool:
    return rate_per_hour > 0.0 and u < 1.0 - math.exp(-rate_per_hour * dt_h)


@njit(cache=True)
def step_boats(
    x_km: np.ndarray,
    y_km: np.ndarray,
    launch_t_h: np.ndarray,
    occupancy: np.ndarray,
    boat_key: np.ndarray,
    day: int,
    seed: int,
    wind_u_m_s: float,
    wind_v_m_s: float,
    wave_height_m: float,
    sea_temp_c: float,
    p: np.ndarray,
    intercept: np.ndarray,
    flags: np.ndarray,
    gx0: float,
    gy0: float,
    gcell: float,
    tide_params: np.ndarray,
    leeway_params: np.ndarray,
    out_i: np.ndarray,
    out_f: np.ndarray,
    tracks: np.ndarray,
) -> None:
    """Step each boat to its fate; write ``out_i``/``out_f`` rows (and ``tracks`` if sized)."""
    n = x_km.shape[0]
    dt_h = p[P_DT_H]
    max_steps = int(p[P_MAX_STEPS])
    record = tracks.shape[0] == n and tracks.shape[1] > 0
    surv_med = p[P_SURV_COLD_H] if sea_temp_c < 10.0 else p[P_SURV_MILD_H]
    for b in range(n):
        key = boat_key[b]
        occ = occupancy[b]
        load = occ / p[P_REF_OCC]
        speed_m_s = p[P_SPEED_KN] * KN_TO_M_S
        speed_m_s *= max(0.2, 1.0 - p[P_LOAD_LOSS] * occ / 100.0)
        speed_m_s *= max(0.2, 1.0 - p[P_WAVE_LOSS] * wave_height_m)
        capsize_rate = p[P_CAPSIZE] * math.exp(p[P_CAPSIZE_WAVE] * wave_height_m)
        capsize_rate *= load ** p[P_CAPSIZE_OVERLOAD]
        # Keep the downwind slope non-negative (OpenDrift redraws; a 12-sigma event here).
        eps_dw = max(p[P_DW_STD] * _normal(seed, _S_LEEWAY, day, 4 * key), -20.0 * leeway_params[0])
        eps_cw = p[P_CW_STD] * _normal(seed, _S_LEEWAY, day, 4 * key + 1)
        side = 1 if hash_uniform(seed, _S_LEEWAY, day, 8 * key + 4) < 0.5 else -1
        # Boats the rules exclude for the whole crossing (e.g. children aboard): a per-boat
        # draw on a key no step uses.
        eligible_boat = (
            occ <= intercept[I_MAX_PEOPLE]
            and wave_height_m <= intercept[I_MAX_WAVE]
            and (
                intercept[I_EXCLUDED] <= 0.0
                or hash_uniform(seed, _S_INTERCEPT_ACTION, day, key * STEP_KEY + STEP_KEY - 1)
                >= intercept[I_EXCLUDED]
            )
        )
        required = np.uint8(int(intercept[I_REQUIRED]))
        forbidden = np.uint8(int(intercept[I_FORBIDDEN]))
        any_of = np.uint8(int(intercept[I_ANY]))
        x = x_km[b]
        y = y_km[b]
        x_start = x
        y_start = y
        t = launch_t_h[b]
        disabled = False
        intercepted = False
        fate = _AT_SEA
        drowned = 0
        hypothermia = 0
        max_d2 = 0.0
        flag = grid_flags(flags, gx0, gy0, gcell, x, y)
        step = 0
        if record:
            tracks[b, 0, 0] = x
            tracks[b, 0, 1] = y
        while fate == _AT_SEA:
            if step >= max_steps:
                # Tracking horizon: assume the side responsible has found the boat by now.
                fate = _ARRIVED if flag & UK_SIDE else _RESCUED_FR
                break
            if t >= p[P_T_STOP_H]:
                fate = _AT_SEA_END
                break
            skey = key * STEP_KEY + step
            # Interception under the policy's rules of engagement, where the boat is at the
            # start of the step (a boat is caught where it is, before it moves on).
            capsize_now = capsize_rate
            if (
                intercept[I_RATE] > 0.0
                and not disabled
                and eligible_boat
                and (flag & required) == required
                and (flag & forbidden) == 0
                and (any_of == 0 or (flag & any_of) != 0)
                and (intercept[I_NIGHT] > 0.0 or 6.0 <= (t % 24.0) < 20.0)
                and _hit(intercept[I_RATE], dt_h, hash_uniform(seed, _S_INTERCEPT, day, skey))
            ):
                intercepted = True
                capsize_now *= intercept[I_CAPSIZE]
                u_act = hash_uniform(seed, _S_INTERCEPT_ACTION, day, skey)
                if u_act < intercept[I_TOW]:
                    fate = _RETURNED
                    break
                if u_act < intercept[I_TOW] + intercept[I_IMMOBILISE]:
                    disabled = True
            tu, tv = tide_velocity_m_s(tide_params, t)
            if disabled:
                if hash_uniform(seed, _S_JIBE, day, skey) < p[P_JIBE]:
                    side = -side
                lu, lv = leeway_velocity_m_s(
                    wind_u_m_s, wind_v_m_s, leeway_params, eps_dw, eps_cw, side
                )
                u = tu + lu
                v = tv + lv
            else:
                dx = p[P_TARGET_X] - x
                dy = p[P_TARGET_Y] - y
                dist = math.sqrt(dx * dx + dy * dy) + 1e-9
                u = tu + speed_m_s * dx / dist
                v = tv + speed_m_s * dy / dist
            nx = x + u * M_S_TO_KM_H * dt_h
            ny = y + v * M_S_TO_KM_H * dt_h
            nflag = grid_flags(flags, gx0, gy0, gcell, nx, ny)
            t += dt_h
            step += 1
            if nflag & LAND_UK:
                fate = _LANDED_UK
            elif nflag & LAND_FR:
                if disabled:
                    fate = _RETURNED
            else:
                x = nx
                y = ny
                flag = nflag
            d2 = (x - x_start) ** 2 + (y - y_start) ** 2
            max_d2 = max(max_d2, d2)
            if record and step < tracks.shape[1]:
                tracks[b, step, 0] = x
                tracks[b, step, 1] = y
            if fate != _AT_SEA:
                break
            if capsize_now > 0.0 and _hit(
                capsize_now, dt_h, hash_uniform(seed, _S_CAPSIZE, day, skey)
            ):
                fate = _LOST
                rescue_h = -p[P_CAPSIZE_RESCUE_H] * math.log(
                    1.0 - hash_uniform(seed, _S_SURVIVAL, day, key * 256 + 255)
                )
                p_die = 0.5 * (
                    1.0
                    + math.erf(
                        (math.log(rescue_h + 1e-9) - math.log(surv_med))
                        / (p[P_SURV_SD] * math.sqrt(2.0))
                    )
                )
                for i in range(occ):
                    ui = hash_uniform(seed, _S_SURVIVAL, day, key * 256 + i)
                    if ui < p[P_DROWN]:
                        drowned += 1
                    elif ui < p[P_DROWN] + (1.0 - p[P_DROWN]) * p_die:
                        hypothermia += 1
                break
            if fate != _AT_SEA:
                break
            if not disabled and _hit(
                p[P_ENGINE_FAIL], dt_h, hash_uniform(seed, _S_ENGINE, day, skey)
            ):
                disabled = True
            if flag & UK_SIDE:
                rescue_rate = p[P_UK_PICKUP]
            elif disabled:
                rescue_rate = p[P_FR_RESCUE]
            else:
                rescue_rate = 0.0
            if rescue_rate > 0.0 and _hit(
                rescue_rate, dt_h, hash_uniform(seed, _S_RESCUE, day, skey)
            ):
                fate = _ARRIVED if flag & UK_SIDE else _RESCUED_FR
        out_i[b, O_FATE] = fate
        out_i[b, O_DROWNED] = drowned
        out_i[b, O_HYPOTHERMIA] = hypothermia
        out_i[b, O_UK_SIDE] = 1 if flag & UK_SIDE else 0
        out_i[b, O_DISABLED] = 1 if disabled else 0
        out_i[b, O_INTERCEPTED] = 1 if intercepted else 0
        out_i[b, O_STEPS] = step
        out_f[b, O_END_T_H] = t
        out_f[b, O_X_KM] = x
        out_f[b, O_Y_KM] = y
        out_f[b, O_MAX_DIST_KM] = math.sqrt(max_d2)


def kernel_params(params: Params, forcing: SeaForcing, t_stop_h: float) -> np.ndarray:
    """Pack the sea, hazard and rescue parameters into the kernel's float64 array."""
    sea, hz, rs, nw = params.sea, params.hazards, params.rescue, params.beach
    p = np.zeros(N_P, dtype=np.float64)
    p[P_DT_H] = sea.time_step_min / 60.0
    p[P_MAX_STEPS] = math.ceil(sea.max_hours_at_sea * 60.0 / sea.time_step_min)
    p[P_SPEED_KN] = sea.engine_speed_kn
    p[P_LOAD_LOSS] = sea.load_speed_loss_per_100_people
    p[P_WAVE_LOSS] = sea.wave_speed_loss_per_m
    p[P_ENGINE_FAIL] = hz.engine_failure_per_hour
    p[P_CAPSIZE] = hz.capsize_per_hour
    p[P_CAPSIZE_WAVE] = hz.capsize_wave_factor_per_m
    p[P_CAPSIZE_OVERLOAD] = hz.capsize_overload_exponent
    p[P_REF_OCC] = nw.crush_reference_occupancy
    p[P_DROWN] = hz.immediate_drowning_share
    p[P_SURV_COLD_H] = hz.survival_median_below_10c_h
    p[P_SURV_MILD_H] = hz.survival_median_above_10c_h
    p[P_SURV_SD] = hz.survival_log_sd
    p[P_FR_RESCUE] = rs.fr_rescue_per_hour
    p[P_UK_PICKUP] = rs.uk_pickup_per_hour
    p[P_CAPSIZE_RESCUE_H] = rs.capsize_rescue_mean_h
    p[P_T_STOP_H] = t_stop_h
    p[P_DW_STD] = forcing.leeway_dw_std_cm_s
    p[P_CW_STD] = forcing.leeway_cw_std_cm_s
    p[P_JIBE] = 1.0 - (1.0 - forcing.jibe_probability_per_hour) ** p[P_DT_H]  # per step
    p[P_TARGET_X] = forcing.target_x_km
    p[P_TARGET_Y] = forcing.target_y_km
    return p
