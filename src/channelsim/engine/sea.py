"""The at-sea kernel: every boat launched on one day, stepped to its fate.

Boats do not interact, so the kernel loops boat by boat and, within a boat, step by step
until the boat's fate is settled (arrival, landing, rescue, return, capsize) or the
simulated period ends. Per step (``sea.time_step_min``):

1. forcing: the tidal stream at the boat's place (its spring amplitude, packed in the
   world's cell) and time; the day's wind (for leeway);
2. motion: a powered boat heads for Dover at its engine speed (reduced by load and waves)
   plus the tide; a disabled boat drifts with the tide plus the Leeway drift of an
   overloaded dinghy, by the same step as the drift compared with OpenDrift
   (``channelsim.world.drift.drift_step``); a move onto land is refused, except that
   reaching the English coast is an uncontrolled landing and a drifting boat that grounds
   on the French coast is a return;
3. hazards (counter-based draws keyed by boat and step): engine failure, capsize (rising
   with waves and overload), interception under the policies' rules of engagement, rescue
   of a disabled boat by the French side, pick-up by Border Force on the UK side;
4. after a capsize: immediate drowning (cold shock), then each survivor in the water dies
   of hypothermia if the rescue takes longer than their survival time (log-normal,
   median by sea temperature, US SAR table); the rescue is sooner after a capsize caused
   by an interception, the intercepting vessel being alongside.

The weather of the launch day is held for the whole crossing (crossings take hours; a boat
still at sea days later is rare).

Inputs and outputs are NumPy structured arrays (records) whose fields are named once, here:
:data:`RULE_DTYPE` (one interception rule), ``kernels.PARAMS_DTYPE`` (the run's
parameters) and ``results.BOAT_DTYPE`` (one boat, written in place). :func:`sail` is the
one Python entry to the kernel (tests and benchmarks); the engine calls it compiled.
"""

from __future__ import annotations

import dataclasses
import math
from enum import IntEnum
from typing import Any

import numpy as np

from channelsim._jit import njit, when_compiling
from channelsim.engine.interception import Interception
from channelsim.rng import hash_prefix, hash_uniform, hash_uniform_at
from channelsim.world.drift import drift_step, element_leeway, leeway_perturbation
from channelsim.world.geography import LAND_FR, LAND_UK, TIDE_QUANTUM_M_S, UK_SIDE, grid_cell
from channelsim.world.tide import advance_phasor, phasor_cycle, phasor_turn, tide_phasor

KN_TO_M_S = 0.514444
M_S_TO_KM_H = 3.6
STEP_KEY = 65536  # steps per boat key; max_hours_at_sea ≤ 240 h at ≥ 1 min steps fits
MIN_STEP_NEAR_LAND_H = 1.0 / 60.0  # steps near land shrink to reach it, down to a minute


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
#: Category names of the boat log's ``fate``: ``prevented`` (never left) then each Fate.
FATE_CATEGORIES = ("prevented", *(FATE_NAMES[f] for f in sorted(FATE_NAMES)))

#: What the kernels read of the world: the packed cells (region flags, distance to the
#: nearest land and the tide's spring amplitude, ``World.packed_cells``), the tide's and the
#: drift class's parameters
#: (``KernelSetup.world``).
WorldArrays = tuple[np.ndarray, np.ndarray, np.ndarray]

# Plain integer constants for the kernel (Numba folds module-level ints).
_AT_SEA, _ARRIVED, _LANDED_UK, _RESCUED_FR, _RETURNED, _LOST, _AT_SEA_END = (int(f) for f in Fate)


#: One interception rule as the kernel reads it: the fields of :class:`Interception` and the
#: numbers of the owning policy's two streams (the interception draw and its outcome).
RULE_DTYPE = np.dtype(
    [(f.name, np.float64) for f in dataclasses.fields(Interception)]
    + [("stream", np.int64), ("action_stream", np.int64)],
    align=True,
)
STEP_KEY_EXCLUDED = STEP_KEY - 1  # the per-boat exclusion draw of a rule
STEP_KEY_CAPSIZE = STEP_KEY - 2  # the capsize draw of a rule's interception


MAX_RULES = 63
"""The most rules of interception a run may have (the kernel keeps a boat's per-rule flags
as the bits of one integer)."""


def rule_records(rules: list[tuple[Interception, int, int]]) -> np.ndarray:
    """Pack ``(rule, stream, action_stream)`` triples into a :data:`RULE_DTYPE` array; raises
    ``ValueError`` for more than :data:`MAX_RULES` rules."""
    if len(rules) > MAX_RULES:
        raise ValueError(f"at most {MAX_RULES} rules of interception, got {len(rules)}")
    out = np.zeros(len(rules), RULE_DTYPE)
    for i, (rule, stream, action) in enumerate(rules):
        for f in dataclasses.fields(Interception):
            out[i][f.name] = float(getattr(rule, f.name))
        out[i]["stream"], out[i]["action_stream"] = stream, action
    return out


@njit(inline="always")
def _hit(rate_per_hour: float, dt_h: float, u: float) -> bool:
    return rate_per_hour > 0.0 and u < 1.0 - math.exp(-rate_per_hour * dt_h)


_NO_EVENT, _CAPSIZE, _ENGINE_FAILURE, _RESCUE = 0, 1, 2, 3

SURELY_ABOVE = 2.0**-40
"""A uniform ``u ≥ x + SURELY_ABOVE`` is not below ``1 − exp(−x)`` as computed, for any
``x ≥ 0``: ``1 − e^−x < x``, and the computed value exceeds the exact one by at most the
error of ``exp`` (under an ulp of 1, 2^−52) and of the subtraction (exact for
``e^−x ≥ ½``, else at most 2^−53), far below 2^−40. So a step's hazard draw is told apart
from its probability without the ``exp`` on nearly every short step, with the same
decision bit for bit."""


@njit(inline="always")
def _first(
    when: float,
    event: int,
    rate_per_hour: float,
    dt_h: float,
    p_step: float,
    prefix: np.uint64,
    skey: int,
    code: int,
) -> tuple[float, int]:
    """The earlier of ``(when, event)`` and this hazard's event, if it falls in the step:
    its keyed uniform ``u`` (``prefix``: the stream's ``hash_prefix``) below
    ``1 − exp(−rate·dt)`` (``p_step`` if already known, else negative) means it does, at
    the fraction ``−ln(1 − u)/(rate·dt)`` of the step (an exponential time by inversion of
    the same uniform). No draw for a zero rate."""
    if rate_per_hour <= 0.0:
        return when, event
    u = hash_uniform_at(prefix, skey)
    if p_step < 0.0:
        x = rate_per_hour * dt_h
        if u >= x + SURELY_ABOVE:  # then u ≥ 1 − exp(−x) as computed: no exp needed
            return when, event
        p_step = 1.0 - math.exp(-x)
    if u < p_step:
        at = min(-math.log1p(-u) / (rate_per_hour * dt_h), 1.0)
        if at < when:
            return at, code
    return when, event


@njit(inline="always")
def _capsize_deaths(
    seed: int,
    stream: int,
    day: int,
    key: int,
    occ: int,
    kp: Any,
    surv_med: float,
    rescue_mean_h: float,
) -> tuple[int, int]:
    """People who drown at once (cold shock) and who die in the water before the rescue
    (log-normal survival time against an exponential time to rescue of mean
    ``rescue_mean_h``, hours), after a capsize. ``flotation_share`` of the people float
    (life jacket) and survive as the US SAR table says for the water's temperature
    (``surv_med``); the others survive ``survival_median_no_flotation_h`` (the maritime
    prefect: under an hour). The rescue mean is ``capsize_rescue_mean_h`` for a capsize in
    open sea (a rescuer has to come), ``interception_capsize_rescue_mean_h`` for one caused
    by an interception (the intercepting vessel is alongside); the draws are the same."""
    rescue_h = -rescue_mean_h * math.log(1.0 - hash_uniform(seed, stream, day, key * 256 + 255))
    log_rescue = math.log(rescue_h + 1e-9)
    spread = kp.survival_log_sd * math.sqrt(2.0)
    p_die_float = 0.5 * (1.0 + math.erf((log_rescue - math.log(surv_med)) / spread))
    p_die_none = 0.5 * (
        1.0 + math.erf((log_rescue - math.log(kp.survival_median_no_flotation_h)) / spread)
    )
    p_die = kp.flotation_share * p_die_float + (1.0 - kp.flotation_share) * p_die_none
    drowned = 0
    hypothermia = 0
    for i in range(occ):
        ui = hash_uniform(seed, stream, day, key * 256 + i)
        if ui < kp.immediate_drowning_share:
            drowned += 1
        elif ui < kp.immediate_drowning_share + (1.0 - kp.immediate_drowning_share) * p_die:
            hypothermia += 1
    return drowned, hypothermia


@njit(inline="always")
def _eligible(rule: Any, occ: int, wave_m: float, seed: int, day: int, key: int) -> bool:
    """Whether a rule may ever act on this boat (people aboard, sea state, exclusions:
    a per-boat draw on a key no step uses)."""
    return (
        occ <= rule.max_people
        and wave_m <= rule.max_wave_height_m
        and (
            rule.excluded_share <= 0.0
            or hash_uniform(seed, rule.action_stream, day, key * STEP_KEY + STEP_KEY_EXCLUDED)
            >= rule.excluded_share
        )
    )


@njit(inline="always")
def _engages(rule: Any, flag: Any, t_h: float) -> bool:
    """Whether a rule covers a boat at this place and time of day."""
    required = np.uint8(int(rule.required_flags))
    any_of = np.uint8(int(rule.any_flags))
    return (
        rule.rate_per_hour > 0.0
        and (flag & required) == required
        and (flag & np.uint8(int(rule.forbidden_flags))) == 0
        and (any_of == 0 or (flag & any_of) != 0)
        and (rule.night_allowed > 0.0 or 6.0 <= (t_h % 24.0) < 20.0)
    )


@njit(inline="always")
def _adrift(
    seed: int, stream: int, day: int, key: int, wind_u_m_s: float, wind_v_m_s: float,
    leeway_params: np.ndarray,
) -> tuple[int, tuple[float, float, float, float]]:  # fmt: skip
    """A disabled boat's side of drift and its leeway on either side (``world.drift``), from
    its keyed perturbations."""
    eps_dw, eps_cw, side = leeway_perturbation(seed, stream, day, key, leeway_params)
    return side, element_leeway(wind_u_m_s, wind_v_m_s, leeway_params, eps_dw, eps_cw)


@njit
def _steer_around(
    packed: Any, gx0: float, gy0: float, gcell: float, x: float, y: float,
    tu: float, tv: float, own_u: float, own_v: float, dt_h: float, tx: float, ty: float,
) -> tuple[bool, float, float, int]:  # fmt: skip
    """A powered boat whose step toward Dover runs onto the French shore (the bank of the
    estuary it leaves, a headland) steers around it: of its own headings turned by 30°, 60°
    … 150° either way, the one whose step stays off land and ends nearest Dover.
    ``(found, x, y, cell)``; not found, the boat holds its position."""
    best = -1.0
    bx = x
    by = y
    bcell = 0
    for k in range(1, 6):
        angle = k * math.pi / 6.0
        c = math.cos(angle)
        for sign in (1.0, -1.0):
            sn = sign * math.sin(angle)
            mx = x + (tu + own_u * c - own_v * sn) * M_S_TO_KM_H * dt_h
            my = y + (tv + own_u * sn + own_v * c) * M_S_TO_KM_H * dt_h
            mcell = grid_cell(packed, gx0, gy0, gcell, mx, my)
            if mcell & (LAND_FR | LAND_UK):
                continue
            d2 = (tx - mx) ** 2 + (ty - my) ** 2
            if best < 0.0 or d2 < best:
                best = d2
                bx = mx
                by = my
                bcell = mcell
        if best >= 0.0:
            return True, bx, by, bcell
    return False, x, y, 0


def _no_prefetch(array: np.ndarray, index: int) -> None:
    """What :func:`prefetch` is before Numba is loaded (and in plain Python): nothing."""


prefetch: Any = _no_prefetch
"""``prefetch(array, flat_index)`` in compiled code: a hint that the element will be read
soon (the processor's prefetch instruction; it never faults, and changes no value). Made
when Numba is loaded (:func:`_define_prefetch`); a no-op in Python."""


def _define_prefetch() -> None:
    """Define :data:`prefetch` as Numba intrinsic (LLVM's ``llvm.prefetch``: read, keep in
    all cache levels, data)."""
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    @intrinsic
    def prefetch_element(typingctx: Any, array: Any, index: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            data = context.make_array(signature.args[0])(context, builder, args[0]).data
            byte = ir.IntType(8).as_pointer()
            i32 = ir.IntType(32)
            function = cgutils.get_or_insert_function(
                builder.module,
                ir.FunctionType(ir.VoidType(), [byte, i32, i32, i32]),
                "llvm.prefetch." + byte.intrinsic_name,
            )
            address = builder.bitcast(builder.gep(data, [args[1]]), byte)
            builder.call(function, [address, i32(0), i32(3), i32(1)])
            return context.get_dummy_value()

        return types.void(array, index), codegen

    globals()["prefetch"] = prefetch_element


when_compiling(_define_prefetch)


@njit(inline="always")
def _fetch_ahead(
    packed: Any, x0_km: float, y0_km: float, per_cell: float, x: float, y: float
) -> None:
    """Prefetch the packed cell about (x, y) and the one beside it in the nearer row: a
    boat's next end cell is then, most steps, in the nearest cache when it is read, on the
    path from one step to the next (a cell row is 4.8 kB, so each step lands in another
    cache line; waiting for that read was some half of the day loop's time). Changes no
    value."""
    ny, nx = packed.shape
    qx = (x - x0_km) * per_cell
    qy = (y - y0_km) * per_cell
    i = min(max(int(qx), 0), nx - 1)
    j = min(max(int(qy), 0), ny - 1)
    other = min(max(j + 1 if qy - j >= 0.5 else j - 1, 0), ny - 1)
    prefetch(packed, j * nx + i)
    prefetch(packed, other * nx + i)


@njit(cache=True, inline="always")
def sail_boat(
    boat: Any,
    x_km: float,
    y_km: float,
    day: int,
    seed: int,
    wind_u_m_s: float,
    wind_v_m_s: float,
    wave_height_m: float,
    sea_temp_c: float,
    capsize_scale: float,
    kp: Any,
    sid: Any,
    rules: np.ndarray,
    rules_on: np.ndarray,
    world: WorldArrays,
    track: np.ndarray,
) -> None:
    """Step one boat (a ``BOAT_DTYPE`` record with ``aboard_people``, ``boat_id`` and
    ``launch_t_h`` set) from (x, y) to its fate; write its outcome fields. ``rules_on``
    says which rules act today; ``capsize_scale`` multiplies the capsize hazard (the Sea
    stage's lever; an interception's own risk is relative to it); ``world`` is
    ``KernelSetup.world``; ``track`` (steps × 2)
    records positions if it has rows."""
    packed, tide_params, leeway_params = world
    gx0, gy0, gcell = kp.grid_x0_km, kp.grid_y0_km, kp.grid_cell_km
    surv_med = (
        kp.survival_median_below_10c_h if sea_temp_c < 10.0 else (kp.survival_median_above_10c_h)
    )
    key = boat.boat_id
    occ = boat.aboard_people
    load = occ / kp.crush_reference_occupancy
    speed_m_s = kp.engine_speed_kn * KN_TO_M_S
    speed_m_s *= max(0.2, 1.0 - kp.load_speed_loss_per_100_people * occ / 100.0)
    speed_m_s *= max(0.2, 1.0 - kp.wave_speed_loss_per_m * wave_height_m)
    calm_rate = kp.capsize_per_hour * capsize_scale
    capsize_rate = calm_rate * math.exp(kp.capsize_wave_factor_per_m * wave_height_m)
    capsize_rate *= load**kp.capsize_overload_exponent
    p_capsize = 1.0 - math.exp(-capsize_rate * kp.dt_h)
    # an interception's capsize chance is given for a boat at the reference rate (calm,
    # reference load), so the year's capsize_scale does not change it
    reference_capsize_rate = max(calm_rate, 1e-300)
    p_engine = 1.0 - math.exp(-kp.engine_failure_per_hour * kp.dt_h)
    p_uk_pickup = 1.0 - math.exp(-kp.uk_pickup_per_hour * kp.dt_h)
    p_fr_rescue = 1.0 - math.exp(-kp.fr_rescue_per_hour * kp.dt_h)
    # The boat's Leeway perturbations and side once disabled (world.drift): keyed draws,
    # made when it is disabled (most boats never are).
    side = 1
    leeway = (0.0, 0.0, 0.0, 0.0)
    # the boat's streams of the day, hashed once (each step's draw then mixes in its key)
    capsize_stream = hash_prefix(seed, sid.sea_capsize, day)
    engine_stream = hash_prefix(seed, sid.sea_engine, day)
    rescue_stream = hash_prefix(seed, sid.sea_rescue, day)
    jibe_stream = hash_prefix(seed, sid.sea_jibe, day)
    n_rules = rules.shape[0]
    # bit r: found where rule r (with a dwell) applies; rule r may act on this boat
    met = 0
    eligible = 0
    for r in range(n_rules):
        if rules_on[r] and _eligible(rules[r], occ, wave_height_m, seed, day, key):
            eligible |= 1 << r
    x = x_km
    y = y_km
    x_start = x
    y_start = y
    t = boat.launch_t_h
    disabled = False
    intercepted_by = -1
    fate = _AT_SEA
    drowned = 0
    hypothermia = 0
    max_d2 = 0.0
    cell = grid_cell(packed, gx0, gy0, gcell, x, y)
    flag = cell & 0xFF
    step = 0
    record = track.shape[0] > 0
    if record:
        track[0, 0] = x
        track[0, 1] = y
    # The tide's phases at the start of the next step: turned by a rotation on a step of
    # the planned length, computed anew after any other (an event, a step shortened near land).
    turn = phasor_turn(tide_params, kp.dt_h)
    cycle_t = t
    phasor = tide_phasor(tide_params, t)
    per_cell = 1.0 / gcell
    while fate == _AT_SEA:
        if t - boat.launch_t_h >= kp.max_hours_at_sea - 1e-9:
            # Tracking horizon: assume the side responsible has found the boat by now.
            fate = _ARRIVED if flag & UK_SIDE else _RESCUED_FR
            break
        if t >= kp.t_stop_h:
            fate = _AT_SEA_END
            break
        skey = key * STEP_KEY + step
        if cycle_t != t:  # t moved otherwise than by the planned step (an event)
            phasor = tide_phasor(tide_params, t)
        tide_m_s = (cell >> 16) * TIDE_QUANTUM_M_S * phasor_cycle(tide_params, phasor)
        tu = tide_m_s * tide_params[5]
        tv = tide_m_s * tide_params[6]
        if disabled:
            ur, vr, ul, vl = leeway
            u = tu + (ur if side > 0 else ul)
            v = tv + (vr if side > 0 else vl)
        else:
            dx = kp.target_x_km - x
            dy = kp.target_y_km - y
            dist = math.sqrt(dx * dx + dy * dy) + 1e-9
            u = tu + speed_m_s * dx / dist
            v = tv + speed_m_s * dy / dist
        # Near land a step is never longer than the time to reach it (but at least a
        # minute), so where a boat meets a coast, or Dover, does not depend on the step.
        ground_km_h = math.sqrt(u * u + v * v) * M_S_TO_KM_H
        dt_h = kp.dt_h
        near_km = ((cell >> 8) & 0xFF) * gcell
        if ground_km_h * dt_h > near_km:
            dt_h = min(dt_h, max(MIN_STEP_NEAR_LAND_H, near_km / ground_km_h))
        # The next step's tide phases, started now (they then overlap the rest of the step).
        cycle_t = t + dt_h
        if dt_h == kp.dt_h:
            phasor = advance_phasor(phasor, turn)
        else:
            phasor = tide_phasor(tide_params, cycle_t)
        # Interception under the policies' rules of engagement, where the boat is at the
        # start of the step (a boat is caught where it is, before it moves on).
        if not disabled:
            for r in range(n_rules):
                rule = rules[r]
                if not (eligible >> r) & 1 or not _engages(rule, flag, t):
                    continue
                if rule.dwell_h > 0.0:
                    if (met >> r) & 1:
                        continue
                    met |= 1 << r
                    exposure_h = rule.dwell_h
                else:
                    exposure_h = dt_h
                if not _hit(rule.rate_per_hour, exposure_h,
                            hash_uniform(seed, rule.stream, day, skey)):  # fmt: skip
                    continue
                intercepted_by = r
                u_act = hash_uniform(seed, rule.action_stream, day, skey)
                if u_act < rule.tow_back_probability:
                    fate = _RETURNED
                    break
                u_capsize = hash_uniform(
                    seed, rule.action_stream, day, key * STEP_KEY + STEP_KEY_CAPSIZE
                )
                if u_capsize < 1.0 - (1.0 - rule.capsize_probability) ** (
                    capsize_rate / reference_capsize_rate
                ):
                    fate = _LOST
                    drowned, hypothermia = _capsize_deaths(
                        seed, sid.sea_survival, day, key, occ, kp, surv_med,
                        kp.interception_capsize_rescue_mean_h,
                    )  # fmt: skip
                elif u_act < rule.tow_back_probability + rule.immobilise_probability:
                    disabled = True
                    side, leeway = _adrift(seed, sid.sea_leeway, day, key, wind_u_m_s,
                                           wind_v_m_s, leeway_params)  # fmt: skip
                break
            if fate != _AT_SEA:
                break
        # Where the step would take the boat, and when in it (a fraction) it reaches Dover.
        reach_at = 2.0
        if disabled:
            nx, ny, next_side = drift_step(
                x, y, side, tu, tv, leeway, dt_h * 3600.0,
                hash_uniform_at(jibe_stream, skey), kp.jibe_per_step,
            )  # fmt: skip
        else:
            next_side = side
            reach_km = ground_km_h * dt_h
            if dist <= reach_km:
                reach_at = dist / reach_km
            nx = x + u * M_S_TO_KM_H * dt_h
            ny = y + v * M_S_TO_KM_H * dt_h
        # The cell the step ends in, looked up now: the raster is some megabytes, so the
        # read may wait for memory, which the hazard draws below then overlap.
        ncell = grid_cell(packed, gx0, gy0, gcell, nx, ny)
        # ... and where the step after it would end at the same velocity, fetched ahead.
        _fetch_ahead(packed, gx0, gy0, per_cell, nx + (nx - x), ny + (ny - y))
        # The step's hazards, each at its own time within the step (the same keyed uniform
        # decides whether and when: an exponential time by inversion). The first that comes
        # before the step ends, or the boat reaches Dover, happens where the boat is then,
        # so events do not wait for the end of a step (and for a side of the median line).
        if flag & UK_SIDE:
            rescue_rate = kp.uk_pickup_per_hour
        elif disabled:
            rescue_rate = kp.fr_rescue_per_hour
        else:
            rescue_rate = 0.0
        base = dt_h == kp.dt_h  # the step's hazard probabilities are then known
        when, event = _first(
            2.0, _NO_EVENT, capsize_rate, dt_h, p_capsize if base else -1.0,
            capsize_stream, skey, _CAPSIZE,
        )  # fmt: skip
        if not disabled:
            when, event = _first(
                when, event, kp.engine_failure_per_hour, dt_h, p_engine if base else -1.0,
                engine_stream, skey, _ENGINE_FAILURE,
            )  # fmt: skip
        when, event = _first(
            when, event, rescue_rate, dt_h,
            (p_uk_pickup if flag & UK_SIDE else p_fr_rescue) if base else -1.0,
            rescue_stream, skey, _RESCUE,
        )  # fmt: skip
        if event != _NO_EVENT and when < reach_at:
            ex = x + when * (nx - x)
            ey = y + when * (ny - y)
            ecell = grid_cell(packed, gx0, gy0, gcell, ex, ey)
            if not ecell & (LAND_FR | LAND_UK):
                rescued_on_uk_side = (flag & UK_SIDE) != 0
                x, y, cell, flag = ex, ey, ecell, ecell & 0xFF
                t += when * dt_h
                step += 1
                max_d2 = max(max_d2, (x - x_start) ** 2 + (y - y_start) ** 2)
                if record and step < track.shape[0]:
                    track[step, 0] = x
                    track[step, 1] = y
                if event == _CAPSIZE:
                    fate = _LOST
                    drowned, hypothermia = _capsize_deaths(
                        seed, sid.sea_survival, day, key, occ, kp, surv_med,
                        kp.capsize_rescue_mean_h,
                    )  # fmt: skip
                elif event == _ENGINE_FAILURE:
                    disabled = True
                    side, leeway = _adrift(seed, sid.sea_leeway, day, key, wind_u_m_s,
                                           wind_v_m_s, leeway_params)  # fmt: skip
                else:
                    fate = _ARRIVED if rescued_on_uk_side else _RESCUED_FR
                continue
        if reach_at <= 1.0:
            # Dover is reached within this step: the boat is escorted in, at the time it
            # gets there (whatever the step length).
            t += dt_h * reach_at
            step += 1
            x = kp.target_x_km
            y = kp.target_y_km
            cell = grid_cell(packed, gx0, gy0, gcell, x, y)
            flag = cell & 0xFF
            max_d2 = max(max_d2, (x - x_start) ** 2 + (y - y_start) ** 2)
            fate = _ARRIVED
            break
        side = next_side
        nflag = ncell & 0xFF
        t += dt_h
        step += 1
        if nflag & LAND_UK:
            fate = _LANDED_UK
        elif nflag & LAND_FR:
            if disabled:
                fate = _RETURNED
            else:
                found, sx, sy, scell = _steer_around(
                    packed, gx0, gy0, gcell, x, y, tu, tv, u - tu, v - tv, dt_h,
                    kp.target_x_km, kp.target_y_km,
                )  # fmt: skip
                if found:
                    x = sx
                    y = sy
                    cell = scell
                    flag = scell & 0xFF
        else:
            x = nx
            y = ny
            cell = ncell
            flag = nflag
        max_d2 = max(max_d2, (x - x_start) ** 2 + (y - y_start) ** 2)
        if record and step < track.shape[0]:
            track[step, 0] = x
            track[step, 1] = y
    boat.fate = fate
    boat.drowned = drowned
    boat.hypothermia_deaths = hypothermia
    boat.uk_side = (flag & UK_SIDE) != 0
    boat.disabled = disabled
    boat.intercepted = intercepted_by >= 0
    boat.intercept_rule = intercepted_by
    boat.steps = step
    boat.end_t_h = t
    boat.final_x_km = x
    boat.final_y_km = y
    boat.max_distance_km = math.sqrt(max_d2)


@njit(cache=True)
def _sail_all(
    boats: np.ndarray,
    x_km: np.ndarray,
    y_km: np.ndarray,
    day: int,
    seed: int,
    met: np.ndarray,
    kp: np.ndarray,
    sid: np.ndarray,
    rules: np.ndarray,
    rules_on: np.ndarray,
    world: WorldArrays,
    tracks: np.ndarray,
) -> None:
    record = tracks.shape[0] == boats.shape[0]
    none = np.zeros((0, 2))
    for b in range(boats.shape[0]):
        sail_boat(
            boats[b],
            x_km[b],
            y_km[b],
            day,
            seed,
            met[0],
            met[1],
            met[2],
            met[3],
            met[4],
            kp[0],
            sid[0],
            rules,
            rules_on,
            world,
            tracks[b] if record else none,
        )


def sail(
    boats: np.ndarray,
    x_km: np.ndarray,
    y_km: np.ndarray,
    *,
    day: int,
    seed: int,
    weather: tuple[float, float, float, float],
    setup: Any,
    rules: np.ndarray | None = None,
    tracks: np.ndarray | None = None,
    capsize_scale: float = 1.0,
) -> np.ndarray:
    """Sail ``boats`` (a ``BOAT_DTYPE`` array: ``boat_id``, ``aboard_people`` and
    ``launch_t_h`` set) from their start points on absolute ``day``; returns them filled.

    ``weather`` is ``(wind_u_m_s, wind_v_m_s, wave_height_m, sea_temp_c)`` (wind towards);
    ``setup`` a :class:`channelsim.engine.kernels.KernelSetup` (parameters, streams, world
    arrays); ``tracks`` an optional ``(n, steps, 2)`` array of positions (NaN past the end);
    ``capsize_scale`` the Sea stage's lever (dimensionless, 1 = ``hazards.capsize_per_hour``).
    """
    rules = np.zeros(0, RULE_DTYPE) if rules is None else rules
    if len(rules) > MAX_RULES:
        raise ValueError(f"at most {MAX_RULES} rules of interception, got {len(rules)}")
    _sail_all(
        boats,
        np.ascontiguousarray(x_km, np.float64),
        np.ascontiguousarray(y_km, np.float64),
        int(day),
        int(seed),
        np.asarray((*weather, capsize_scale), np.float64),
        setup.params,
        setup.streams,
        rules,
        np.ones(len(rules), np.bool_),
        setup.world,
        np.zeros((0, 0, 2)) if tracks is None else tracks,
    )
    return boats
