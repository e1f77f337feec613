"""The compiled day kernels of the engine's stages and the driver that runs them in order.

:func:`run_days` runs the loop's positions from one ``(day, position)`` to another, calling
for each position the kernel of the stage there (``order`` holds the kernel ids of
``stages.KERNELS``, −1 for a stage without one): a status-quo year is one call. The state
lives in NumPy structured arrays that Python sees too, so the loop can stop at a position
where Python work is due (a policy's hook, a stage written in Python) and go on afterwards.

Record layouts are declared once, here, from names: :data:`STATE_DTYPE` (the system's
scalars), :func:`daily_dtype` (the engine's daily series, from the stages' declared
results), :func:`lever_dtype` (each day's lever values and weather), :data:`ZONE_DTYPE`,
:func:`params_dtype` (the parameters the kernels read, named as in ``channelsim.params``)
and :func:`streams_dtype` (the stream numbers, named after the stages' decisions).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from channelsim._jit import njit, when_compiling
from channelsim.engine.policy_kernels import policy_hooks
from channelsim.engine.results import Result
from channelsim.engine.sea import WorldArrays, sail_boat
from channelsim.engine.stages import KERNELS, STAGES
from channelsim.params import Params
from channelsim.rng import hash_normal, hash_uniform, poisson_one, stream_id

if TYPE_CHECKING:
    from channelsim.world.geography import World

K_INFLOW, K_ATTRITION, K_SUPPLY, K_LAUNCH, K_BEACH, K_EMBARKATION, K_SEA, K_ARRIVAL = range(
    len(KERNELS)
)
DONE, NEED_ROOM = 0, 1

#: The system's state between days (one record).
STATE_DTYPE = np.dtype(
    [
        ("waiting_people", np.int64),
        ("boat_stock", np.int64),
        ("at_sea_end_people", np.int64),
        ("n_boats", np.int64),  # rows of the boat log in use
        ("today_first", np.int64),  # first row of today's boats
        ("today_n", np.int64),  # today's launch attempts
        ("stop_day", np.int64),  # where the driver stopped (to grow the boat log)
        ("stop_pos", np.int64),
    ],
    align=True,
)

ZONE_DTYPE = np.dtype(
    [
        ("x_km", np.float64),
        ("y_km", np.float64),
        ("waterway", np.bool_),
        ("base_weight", np.float64),
    ],
    align=True,
)

#: Parameters the kernels read, by their ``channelsim.params`` path (field = last part).
KERNEL_PARAMETERS = (
    "networks.min_occupancy_people",
    "networks.max_occupancy_people",
    "networks.occupancy_sigma",
    "networks.scarcity_occupancy_elasticity",
    "networks.patrol_displacement",
    "networks.launch_hour_start",
    "networks.launch_hour_end",
    "beach.groups_per_boat",
    "beach.seizure_probability",
    "beach.crush_deaths_per_boat",
    "beach.crush_reference_occupancy",
    "beach.crush_overload_exponent",
    "beach.wading_deaths_per_taxi_boat",
    "beach.officer_injuries_per_event",
    "sea.engine_speed_kn",
    "sea.load_speed_loss_per_100_people",
    "sea.wave_speed_loss_per_m",
    "sea.max_hours_at_sea",
    "hazards.engine_failure_per_hour",
    "hazards.capsize_per_hour",
    "hazards.capsize_wave_factor_per_m",
    "hazards.capsize_overload_exponent",
    "hazards.immediate_drowning_share",
    "hazards.survival_median_below_10c_h",
    "hazards.survival_median_above_10c_h",
    "hazards.survival_log_sd",
    "hazards.flotation_share",
    "hazards.survival_median_no_flotation_h",
    "rescue.fr_rescue_per_hour",
    "rescue.uk_pickup_per_hour",
    "rescue.capsize_rescue_mean_h",
    "rescue.interception_capsize_rescue_mean_h",
)

#: Values the kernels read that are derived from parameters and the world.
DERIVED_PARAMETERS = (
    "day0",  # absolute day (days since 2018-01-01) of the first simulated day
    "n_days",
    "dt_h",
    "t_stop_h",
    "jibe_per_step",
    "target_x_km",
    "target_y_km",
    "grid_x0_km",
    "grid_y0_km",
    "grid_cell_km",
)


PARAMS_DTYPE = np.dtype(
    [(p.split(".")[1], np.float64) for p in KERNEL_PARAMETERS]
    + [(name, np.float64) for name in DERIVED_PARAMETERS],
    align=True,
)
"""The parameters the kernels read, one record (fields named after the parameters)."""


def kernel_params(params: Params, derived: dict[str, float]) -> np.ndarray:
    """The one-record array of parameters the kernels read."""
    out = np.zeros(1, PARAMS_DTYPE)
    for path in KERNEL_PARAMETERS:
        group, name = path.split(".")
        out[0][name] = float(getattr(getattr(params, group), name))
    for name in DERIVED_PARAMETERS:
        out[0][name] = float(derived[name])
    return out


def _field(name: str) -> str:
    return name.replace(".", "_").replace("#", "_")


@functools.cache
def engine_streams() -> tuple[str, ...]:
    """Names of the engine stages' random streams, in loop order."""
    return tuple(name for cls in STAGES for name in cls().stream_names())


@functools.cache
def _engine_streams_record() -> np.ndarray:
    names = engine_streams()
    out = np.zeros(1, np.dtype([(_field(n), np.int64) for n in names], align=True))
    for name in names:
        out[0][_field(name)] = stream_id(name)
    out.setflags(write=False)
    return out


def streams_record(ids: dict[str, int]) -> np.ndarray:
    """The stream numbers of the engine's decisions as one record (``inflow``,
    ``beach_zone``, ``sea_capsize``...)."""
    record = _engine_streams_record()
    if any(ids[name] != record[0][_field(name)] for name in engine_streams()):
        raise ValueError("the engine's streams are numbered from their names")
    return record


def daily_dtype(results: Sequence[Result]) -> np.dtype:
    """The daily record: one float64 field per daily series of the engine's stages."""
    return np.dtype([(r.name, np.float64) for r in results], align=True)


LEVERS_OF_THE_DAY = (
    "crossing_window",
    "wind_u_m_s",
    "wind_v_m_s",
    "wave_height_m",
    "sea_temp_c",
)


def lever_dtype(names: Sequence[str]) -> np.dtype:
    """Each day's scalar levers and weather (zone levers are 2-D arrays beside it)."""
    return np.dtype([(n, np.float64) for n in (*LEVERS_OF_THE_DAY, *names)], align=True)


@dataclasses.dataclass
class KernelSetup:
    """What the kernels read besides the state: parameters, streams and the world's arrays."""

    params: np.ndarray
    streams: np.ndarray
    packed: np.ndarray
    tide_params: np.ndarray
    leeway_params: np.ndarray
    zones: np.ndarray

    @property
    def world(self) -> WorldArrays:
        """The world's arrays as the at-sea kernel takes them."""
        return (self.packed, self.tide_params, self.leeway_params)


def kernel_setup(
    params: Params,
    world: World | None = None,
    day0: int = 0,
    n_days: int = 100_000,
    stream_ids: dict[str, int] | None = None,
) -> KernelSetup:
    """Parameters, stream numbers and world arrays for the kernels, for a period of
    ``n_days`` from absolute day ``day0`` (the defaults: the packaged world, the engine's
    streams, a period long enough for any test of the at-sea kernel)."""
    from channelsim.rng import check_streams
    from channelsim.world.drift import DINGHY_LEEWAY
    from channelsim.world.geography import load_world

    world = world if world is not None else load_world()
    ids = stream_ids if stream_ids is not None else check_streams(engine_streams())
    grid = world.grid
    dt_h = params.sea.time_step_min / 60.0
    derived = {
        "day0": day0,
        "n_days": n_days,
        "dt_h": dt_h,
        "t_stop_h": 24.0 * (day0 + n_days),
        "jibe_per_step": 1.0 - (1.0 - DINGHY_LEEWAY.jibe_probability_per_hour) ** dt_h,
        "target_x_km": world.dover_x_km,
        "target_y_km": world.dover_y_km,
        "grid_x0_km": grid.x0_km,
        "grid_y0_km": grid.y0_km,
        "grid_cell_km": grid.cell_km,
    }
    zones = np.zeros(len(world.launch_zones), ZONE_DTYPE)
    zones["x_km"] = [z.x_km for z in world.launch_zones]
    zones["y_km"] = [z.y_km for z in world.launch_zones]
    zones["waterway"] = [z.kind == "waterway" for z in world.launch_zones]
    zones["base_weight"] = np.exp(
        -np.array([z.crossing_distance_km for z in world.launch_zones])
        / params.networks.zone_distance_scale_km
    )
    return KernelSetup(
        params=kernel_params(params, derived),
        streams=streams_record(ids),
        packed=np.ascontiguousarray(world.packed_cells(), dtype=np.uint32),
        tide_params=world.tide.params_array(),
        leeway_params=DINGHY_LEEWAY.params_array(),
        zones=zones,
    )


# -- stage kernels ----------------------------------------------------------------------------
#
# The stage kernels are inlined into the driver (``inline="always"``, Numba's own inlining):
# a call of a compiled function takes a reference to every array of the Run it is given and
# drops it on return, two atomic operations per array, some forty a call, eight calls a day.


class Run(NamedTuple):
    """What the compiled loop works on (built by the engine's driver), shared by the stage
    kernels: each is called with it and the day (``d``, the row; ``day``, the absolute day)
    and reads the fields it uses. The records (parameters, streams, state) are one-row
    arrays, so that the state is written through."""

    seed: int
    params: np.ndarray  # params_dtype
    streams: np.ndarray  # streams_dtype
    state: np.ndarray  # STATE_DTYPE
    daily: np.ndarray
    lv: np.ndarray  # each day's levers and weather
    prevent_p: np.ndarray  # (day, zone) prevention probability
    taxi_p: np.ndarray  # (day, zone) taxi-boat prevention probability
    taxi_intercept_p: np.ndarray  # (day, zone) taxi-boat interception before boarding
    zones: np.ndarray
    boats: np.ndarray
    rules: np.ndarray
    rule_on: np.ndarray
    rule_daily: np.ndarray
    returning: np.ndarray
    world: WorldArrays
    pol: np.ndarray  # policy_kernels.POLICY_DTYPE: the compiled policies, in run order
    pol_active: np.ndarray  # (policy, day) inside the policy's window
    pol_days: np.ndarray  # (day,) the hook bits of the stages any compiled policy acts on
    pol_q: np.ndarray  # (policy, 4, days + 1) int64: removal queues and deterrence windows
    rule_pol: np.ndarray  # (rule,) index of the policy owning each rule of interception
    pol_out: np.ndarray  # (result, days + 1) the policies' own daily results
    pol_cost: np.ndarray  # (ledger item, days) costs the compiled hooks book
    pol_booked: np.ndarray  # (ledger item, days) whether booked that day


@njit(inline="always")
def _stochastic_round(value: float, u: float) -> int:
    whole = math.floor(value)
    return int(whole + (u < value - whole))


@njit(cache=True, inline="always")
def _inflow(r: Run, d: int, day: int) -> None:
    seed, sid, st = r.seed, r.streams[0], r.state[0]
    daily, lv, returning = r.daily, r.lv, r.returning
    mean = max(lv[d].inflow_mean_people, 0.0)
    inflow = poisson_one(hash_uniform(seed, sid.inflow, day, 0), mean)
    st.waiting_people += inflow + returning[d]
    daily[d].inflow_people = inflow


@njit(cache=True, inline="always")
def _attrition(r: Run, d: int, day: int) -> None:
    seed, sid, st, daily, lv = r.seed, r.streams[0], r.state[0], r.daily, r.lv
    left = _stochastic_round(
        st.waiting_people * lv[d].attrition_per_day, hash_uniform(seed, sid.attrition, day, 0)
    )
    st.waiting_people -= left
    daily[d].left_coast_people = left


@njit(cache=True, inline="always")
def _supply(r: Run, d: int, day: int) -> None:
    seed, sid, st, daily, lv = r.seed, r.streams[0], r.state[0], r.daily, r.lv
    share = lv[d].stock_seizure_share
    if share > 0.0:
        seized = _stochastic_round(
            st.boat_stock * share, hash_uniform(seed, sid.supply_seizure, day, 0)
        )
        st.boat_stock = max(0, st.boat_stock - seized)
        daily[d].seized_boats = seized
    st.boat_stock = max(0, st.boat_stock) + _stochastic_round(
        max(lv[d].boat_supply_per_day, 0.0), hash_uniform(seed, sid.supply, day, 0)
    )


@njit(cache=True, inline="always")
def _launch(r: Run, d: int, day: int) -> bool:
    """Who tries to leave today, in how many boats of which occupancy (log-normal around
    the day's mean, drawn per boat key); False if the boat log is too small (nothing
    changed: grow it and call again)."""
    seed, sid, kp = r.seed, r.streams[0], r.params[0]
    st, daily, lv = r.state[0], r.daily, r.lv
    boats = r.boats
    st.today_first = st.n_boats
    st.today_n = 0
    waiting, stock = st.waiting_people, st.boat_stock
    if lv[d].crossing_window == 0.0 or waiting <= 0 or stock <= 0:
        return True
    share = min(max(lv[d].launch_share, 0.0), 1.0)
    demand = _stochastic_round(waiting * share, hash_uniform(seed, sid.launch_share, day, 0))
    available = min(stock, max(int(lv[d].max_boats), 0))
    min_occ = int(kp.min_occupancy_people)
    if demand < min_occ or available <= 0:
        return True
    occ_mean = max(lv[d].mean_occupancy_people, float(min_occ))
    demand_boats = demand / occ_mean
    if demand_boats > available:
        # Networks short of boats load each one more heavily.
        occ_mean = min(
            kp.max_occupancy_people,
            occ_mean * (demand_boats / available) ** kp.scarcity_occupancy_elasticity,
        )
    n = min(available, max(1, round(demand / occ_mean)))
    if st.n_boats + n > boats.shape[0]:
        return False
    sigma = kp.occupancy_sigma
    limit = min(demand + occ_mean, float(waiting))
    total = 0
    for k in range(n):
        z = hash_normal(seed, sid.launch_occupancy, day, k + day * 10_000)
        occ = np.rint(occ_mean * np.exp(sigma * z - 0.5 * sigma * sigma))
        occ = int(min(max(occ, kp.min_occupancy_people), kp.max_occupancy_people))
        if total + occ > limit:
            break
        total += occ
        b = boats[st.n_boats]
        b.boat_id = k + day * 10_000
        b.day = d
        b.occupancy = occ
        b.fate = -1
        b.intercept_rule = -1
        st.n_boats += 1
        st.today_n += 1
    st.waiting_people -= total
    daily[d].attempted_people += total
    daily[d].attempted_boats += st.today_n
    return True


@njit(cache=True, inline="always")
def _beach(r: Run, d: int, day: int) -> None:
    """Zone choice (displaced by patrols), taxi boats and their interception before
    boarding, prevention of each group (and the officers it injures), seizures."""
    if r.state[0].today_n == 0:  # no attempt today: nothing to do (no allocation)
        return
    seed, sid, kp, st = r.seed, r.streams[0], r.params[0], r.state[0]
    daily, lv, prevent_p, taxi_p = r.daily, r.lv, r.prevent_p, r.taxi_p
    intercept_p = r.taxi_intercept_p
    zones, boats, returning = r.zones, r.boats, r.returning
    n_zones = zones.shape[0]
    stop_p = np.empty(n_zones)
    weight = np.empty(n_zones)
    for z in range(n_zones):
        p = taxi_p[d, z] if zones[z].waterway else prevent_p[d, z]
        stop_p[z] = min(max(p, 0.0), 1.0)
        weight[z] = zones[z].base_weight * (1.0 - stop_p[z]) ** kp.patrol_displacement
    cdf = np.empty((2, n_zones))
    for kind in range(2):
        _zone_cdf(zones, weight, kind == 1, cdf[kind])
    groups = int(kp.groups_per_boat)
    prevented = 0
    for i in range(st.today_first, st.today_first + st.today_n):
        b = boats[i]
        key = b.boat_id
        b.taxi_boat = hash_uniform(seed, sid.beach_taxi, day, key) < lv[d].taxi_boat_share
        row = cdf[1 if b.taxi_boat else 0]
        z = int(np.searchsorted(row, hash_uniform(seed, sid.beach_zone, day, key), side="right"))
        b.zone = min(z, n_zones - 1)
        # The attempt's people come in groups; each group is stopped with the per-group
        # probability that gives the per-attempt probability of an intervention.
        group_p = 1.0 - (1.0 - stop_p[b.zone]) ** (1.0 / groups)
        occ = b.occupancy
        events = 0
        stopped = 0
        for j in range(groups):
            if hash_uniform(seed, sid.beach_prevention, day, key * 8 + j) < group_p:
                events += 1
                stopped += occ // groups + (1 if j < occ % groups else 0)
                if hash_uniform(seed, sid.beach_injury, day, key * 8 + j) < (
                    kp.officer_injuries_per_event
                ):
                    daily[d].officer_injuries += 1
        whole = events > 0 and occ - stopped < kp.min_occupancy_people
        # A taxi boat intercepted in its waterway before anyone boards: nobody leaves.
        intercepted = (
            b.taxi_boat
            and intercept_p[d, b.zone] > 0.0
            and hash_uniform(seed, sid.beach_intercept, day, key) < intercept_p[d, b.zone]
        )
        if intercepted:
            daily[d].intercepted_before_boarding_boats += 1
        if whole or intercepted:
            stopped = occ
        b.prevention_events = events
        b.prevented_people = stopped
        b.launched = not (whole or intercepted)
        b.seized = intercepted or (
            whole and hash_uniform(seed, sid.beach_seizure, day, key) < kp.seizure_probability
        )
        st.boat_stock -= (1 if b.launched else 0) + (1 if b.seized else 0)
        daily[d].prevented_events += events
        prevented += stopped
        if b.launched and b.taxi_boat:
            daily[d].taxi_boats += 1
    daily[d].prevented_people += prevented
    returning[d + 1] += prevented


@njit(cache=True)
def _zone_cdf(zones: np.ndarray, weight: np.ndarray, waterway: bool, out: np.ndarray) -> None:
    """Cumulative zone choice probabilities for beach (or waterway) launches; if no zone of
    that kind is usable, the undisplaced weights, then any zone."""
    n = zones.shape[0]
    w = np.zeros(n)
    for z in range(n):
        if zones[z].waterway == waterway:
            w[z] = weight[z]
    if w.sum() <= 0.0:
        for z in range(n):
            w[z] = zones[z].base_weight if zones[z].waterway == waterway else 0.0
    if w.sum() <= 0.0:
        for z in range(n):
            w[z] = zones[z].base_weight
    total = w.sum()
    acc = 0.0
    for z in range(n):
        acc += w[z]
        out[z] = acc / total


@njit(cache=True, inline="always")
def _embarkation(r: Run, d: int, day: int) -> None:
    """Crush deaths rise steeply with overcrowding; launch times in the night."""
    seed, sid, kp = r.seed, r.streams[0], r.params[0]
    st, daily, boats = r.state[0], r.daily, r.boats
    hour0 = kp.launch_hour_start
    hour1 = max(kp.launch_hour_end, hour0)
    for i in range(st.today_first, st.today_first + st.today_n):
        b = boats[i]
        key = b.boat_id
        launch_t_h = (
            24.0 * day
            + hour0
            + (hour1 - hour0) * hash_uniform(seed, sid.embarkation_launch_time, day, key)
        )
        b.launch_t_h = launch_t_h
        b.launch_hour = launch_t_h % 24.0
        aboard = b.occupancy - b.prevented_people
        crush = 0
        wading = 0
        if b.launched:
            overload = (aboard / kp.crush_reference_occupancy) ** kp.crush_overload_exponent
            crush = min(
                poisson_one(
                    hash_uniform(seed, sid.embarkation_crush, day, key),
                    kp.crush_deaths_per_boat * overload,
                ),
                aboard,
            )
            if b.taxi_boat and kp.wading_deaths_per_taxi_boat > 0.0:
                wading = min(
                    poisson_one(
                        hash_uniform(seed, sid.embarkation_wading, day, key),
                        kp.wading_deaths_per_taxi_boat * overload,
                    ),
                    aboard - crush,
                )
            b.aboard_people = aboard - crush - wading
            daily[d].launched_boats += 1
            daily[d].launched_people += aboard - crush - wading
        else:
            b.time_at_sea_h = np.nan
            b.max_distance_km = np.nan
            b.final_x_km = np.nan
            b.final_y_km = np.nan
        b.crush_deaths = crush + wading
        daily[d].dead_crush_beach_people += crush
        daily[d].dead_wading_people += wading
        daily[d].dead_or_missing_people += crush + wading


@njit(cache=True, inline="always")
def _sea(r: Run, d: int, day: int) -> None:
    if r.state[0].today_n == 0:  # no attempt today: nothing to do (no allocation)
        return
    seed, sid, kp, st = r.seed, r.streams[0], r.params[0], r.state[0]
    lv, zones, boats, rules = r.lv, r.zones, r.boats, r.rules
    rule_on, world = r.rule_on, r.world
    none = np.zeros((0, 2))
    today = lv[d]
    on = rule_on[:, d]
    for i in range(st.today_first, st.today_first + st.today_n):
        b = boats[i]
        if b.launched:
            zone = zones[b.zone]
            sail_boat(
                b,
                zone.x_km,
                zone.y_km,
                day,
                seed,
                today.wind_u_m_s,
                today.wind_v_m_s,
                today.wave_height_m,
                today.sea_temp_c,
                today.capsize_scale,
                kp,
                sid,
                rules,
                on,
                world,
                none,
            )


@njit(cache=True, inline="always")
def _arrival(r: Run, d: int, day: int) -> None:
    """Outcomes booked on the day they happen (the last row collects days after the end)."""
    st, daily, boats = r.state[0], r.daily, r.boats
    returning, rule_daily = r.returning, r.rule_daily
    last = daily.shape[0] - 1
    for i in range(st.today_first, st.today_first + st.today_n):
        b = boats[i]
        if not b.launched:
            continue
        b.time_at_sea_h = b.end_t_h - b.launch_t_h
        fate = b.fate
        end = min(math.floor(b.end_t_h / 24.0) - (day - d), last)
        aboard = b.aboard_people
        dead = b.drowned + b.hypothermia_deaths
        survivors = aboard - dead
        lost = fate == 5
        arrived_boat = fate == 1 or fate == 2
        arrived = survivors if (arrived_boat or (lost and b.uk_side)) else 0
        rescued_fr = survivors if (fate == 3 or (lost and not b.uk_side)) else 0
        returned = rescued_fr + (aboard if fate == 4 else 0)
        row = daily[end]
        row.arrived_people += arrived
        row.arrived_boats += 1 if arrived_boat else 0
        row.uncontrolled_landings += 1 if fate == 2 else 0
        row.rescued_fr_people += rescued_fr
        row.returned_at_sea_people += returned
        row.rescued_from_water_people += survivors if lost else 0
        if b.intercepted:
            row.intercepted_boats += 1
            rule_daily[b.intercept_rule, end] += 1
        if b.uk_side:
            row.dead_drowning_uk_people += b.drowned
            row.dead_hypothermia_uk_people += b.hypothermia_deaths
        else:
            row.dead_drowning_fr_people += b.drowned
            row.dead_hypothermia_fr_people += b.hypothermia_deaths
        row.dead_or_missing_people += dead
        returning[end + 1] += returned
        if fate == 6:
            st.at_sea_end_people += aboard
        daily[d].boats_at_sea += 1
        daily[min(end + 1, last)].boats_at_sea -= 1


# -- the driver -------------------------------------------------------------------------------


@njit(cache=True)
def run_days(
    order: np.ndarray, day_from: int, pos_from: int, day_to: int, pos_to: int, r: Run
) -> int:
    """Run the loop's positions from ``(day_from, pos_from)`` up to, not including,
    ``(day_to, pos_to)``; at the end of each day record the levels. ``order[0]`` holds the
    kernel id of each position, ``order[1]`` the hook bit of its stage
    (``policy_kernels.HOOK_BITS``, 0 for none): the compiled policies' hooks run at the start
    of the position, before its kernel. Returns ``DONE``, or ``NEED_ROOM`` with
    ``state.stop_day/stop_pos`` set where it stopped (no hook runs at the launch)."""
    kp = r.params[0]
    st = r.state[0]
    daily = r.daily
    day0 = int(kp.day0)
    n_pos = order.shape[1]
    d, p = day_from, pos_from
    while d < day_to or (d == day_to and p < pos_to):
        k = order[0, p]
        day = day0 + d
        if order[1, p] & r.pol_days[d]:
            policy_hooks(r, order[1, p], d, day)
        if k == K_INFLOW:
            _inflow(r, d, day)
        elif k == K_ATTRITION:
            _attrition(r, d, day)
        elif k == K_SUPPLY:
            _supply(r, d, day)
        elif k == K_LAUNCH:
            if not _launch(r, d, day):
                st.stop_day, st.stop_pos = d, p
                return NEED_ROOM
        elif k == K_BEACH:
            _beach(r, d, day)
        elif k == K_EMBARKATION:
            _embarkation(r, d, day)
        elif k == K_SEA:
            _sea(r, d, day)
        elif k == K_ARRIVAL:
            _arrival(r, d, day)
        p += 1
        if p == n_pos:
            daily[d].waiting_people = st.waiting_people
            daily[d].boat_stock = st.boat_stock
            p = 0
            d += 1
    return DONE


@njit(cache=True)
def run_days_of(
    order: np.ndarray, day_from: int, pos_from: int, day_to: int, pos_to: int, *fields: Any
) -> int:
    """:func:`run_days` with its :class:`Run` given field by field (``*run``): Numba types
    separate arguments in C but a named tuple in Python, and this call comes at every stop
    of the loop for Python work (about 10 µs a call saved)."""
    return run_days(order, day_from, pos_from, day_to, pos_to, Run(*fields))


def _refresh_caches() -> None:
    """Flush the cached kernels if any module they compile from changed (jit_cache)."""
    import sys

    from channelsim import jit_cache, rng
    from channelsim.engine import policy_kernels, sea
    from channelsim.world import drift, geography, tide

    modules = [rng, tide, drift, geography, sea, policy_kernels, sys.modules[__name__]]
    jit_cache.refresh("kernels", modules)


when_compiling(_refresh_caches)
