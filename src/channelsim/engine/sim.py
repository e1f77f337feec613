"""The daily simulation of the crossing system: ``Sim(...).run() -> SimResult``.

The day's stages and the policy hooks called in them are listed in
``channelsim.engine.policy.LOOP``; the docstring of each ``_stage`` method says what it does.
People on the coast are a count; every launch attempt is a boat with a key
``(day, ordinal)`` that all its random draws are keyed by (``channelsim.rng``), so two
scenarios with the same seed make the same draws for the same boat.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from channelsim import __version__
from channelsim.engine.policy import HOOKS, DayContext, Policy, build_policies
from channelsim.engine.results import DAILY_COLUMNS, TOTAL_COLUMNS, SimResult
from channelsim.engine.sea import (
    FATE_NAMES,
    N_OF,
    N_OI,
    O_DISABLED,
    O_DROWNED,
    O_END_T_H,
    O_FATE,
    O_HYPOTHERMIA,
    O_INTERCEPTED,
    O_MAX_DIST_KM,
    O_UK_SIDE,
    O_X_KM,
    O_Y_KM,
    Fate,
    SeaForcing,
    kernel_params,
    load_forcing,
    step_boats,
)
from channelsim.params import Params, apply_overrides
from channelsim.rng import (
    Stream,
    day_uniforms,
    normals,
    poisson_inverse,
    uniforms,
    weather_generator,
)
from channelsim.scenario import Scenario

# Fates as plain ints: comparing an array with an IntEnum member is several times slower,
# and these comparisons run on every launch day.
_FATE_ARRIVED, _FATE_LANDED_UK, _FATE_RESCUED_FR = (
    int(Fate.ARRIVED),
    int(Fate.LANDED_UK),
    int(Fate.RESCUED_FR),
)
_FATE_RETURNED, _FATE_LOST, _FATE_AT_SEA_END = (
    int(Fate.RETURNED),
    int(Fate.LOST),
    int(Fate.AT_SEA_END),
)

EPOCH = dt.date(2018, 1, 1)
"""t = 0 of the tide and of all simulated clocks (hours since 2018-01-01T00:00 UTC)."""


Progress = Callable[[int, int], None]


def _epoch_day(date: dt.date) -> int:
    return (date - EPOCH).days


def _nested(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Accept ``{"sea.engine_speed_kn": 5}`` as well as ``{"sea": {"engine_speed_kn": 5}}``."""
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        parts = str(key).split(".")
        if parts[0] == "params":
            parts = parts[1:]
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if isinstance(value, Mapping) and isinstance(node.get(parts[-1]), dict):
            node[parts[-1]].update(value)
        else:
            node[parts[-1]] = value
    return nested


@dataclass
class _Boats:
    """The launch attempts of one day (struct of arrays)."""

    key: np.ndarray
    occupancy: np.ndarray
    taxi: np.ndarray
    zone: np.ndarray
    prevention_events: np.ndarray
    prevented_people: np.ndarray
    seized: np.ndarray
    launched: np.ndarray
    crush: np.ndarray
    launch_t_h: np.ndarray


class Sim:
    """One simulation of a scenario (or of a parameter set over a date range).

    ``Sim(scenario, seed=..., start=..., end=...)``: keyword arguments override the
    scenario's own. ``Sim(params, start=..., end=...)`` runs bare parameters without policies.
    Extra ``policies`` (instances) are added to the scenario's.
    """

    def __init__(
        self,
        scenario_or_params: Scenario | Params,
        seed: int | None = None,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        policies: list[Policy] | None = None,
        weather: Any | None = None,
    ) -> None:
        if isinstance(scenario_or_params, Params):
            scenario = Scenario(
                name="custom",
                start=dt.date(2025, 1, 1),
                end=dt.date(2025, 12, 31),
                params=scenario_or_params,
            )
        else:
            scenario = scenario_or_params
        changes: dict[str, Any] = {}
        if seed is not None:
            changes["seed"] = seed
        if start is not None:
            changes["start"] = start
        if end is not None:
            changes["end"] = end
        self.scenario = scenario.with_changes(**changes) if changes else scenario
        self.params = self.scenario.params
        self.seed = self.scenario.seed
        self.policies = [*build_policies(self.scenario.policies, self.scenario.source)]
        self.policies += list(policies or [])
        self._weather_reader = weather

    # -- set-up ----------------------------------------------------------------------------

    def _reader(self) -> Any:
        if self._weather_reader is not None:
            return self._weather_reader
        from channelsim.world import environment

        spec = self.scenario.weather
        if spec.mode == "stochastic":
            return environment.StochasticWeather()
        if spec.mode == "file":
            return environment.WeatherFile(str(spec.path))
        return environment.ReplayWeather(
            _observed_crossing_days(spec.path),
            environment.StochasticWeather(),
            max_wind_kn=self.params.weather.max_wind_kn,
            max_wave_height_m=self.params.weather.max_wave_height_m,
        )

    # -- the run ---------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> SimResult:
        """Simulate every day from start to end; ``progress(done, total)`` after each day."""
        from channelsim.world.environment import crossing_window

        sc, p = self.scenario, self.params
        world, forcing = load_forcing()
        dates = pd.date_range(sc.start, sc.end, freq="D")
        n_days = len(dates)
        day_dates = list(dates.date)
        weather = self._reader().daily(dates, weather_generator(self.seed))
        window = np.asarray(
            crossing_window(weather, p.weather.max_wind_kn, p.weather.max_wave_height_m), bool
        )
        day0 = _epoch_day(sc.start)
        t_stop_h = 24.0 * (day0 + n_days)
        kp = kernel_params(p, forcing, t_stop_h)
        zones = world.launch_zones
        zone_names = self._zone_names = tuple(z.name for z in zones)
        zone_waterway = np.array([z.kind == "waterway" for z in zones], dtype=bool)
        zone_x = np.array([z.x_km for z in zones])
        zone_y = np.array([z.y_km for z in zones])
        zone_base_weight = np.exp(
            -np.array([z.crossing_distance_km for z in zones]) / p.networks.zone_distance_scale_km
        )
        wind_to = np.radians(np.asarray(weather.wind_from_deg, dtype=np.float64) + 180.0)
        wind_speed_m_s = np.asarray(weather.wind_speed_kn, dtype=np.float64) * 0.514444
        wind_u = wind_speed_m_s * np.sin(wind_to)
        wind_v = wind_speed_m_s * np.cos(wind_to)
        wave = np.asarray(weather.wave_height_m, dtype=np.float64)
        sea_temp = np.asarray(weather.sea_temp_c, dtype=np.float64)
        wind_kn = np.asarray(weather.wind_speed_kn, dtype=np.float64)

        abs_days = np.arange(day0, day0 + n_days, dtype=np.int64)
        inflow_u = _keyed_by_day(self.seed, Stream.INFLOW, abs_days)
        attrition_u = _keyed_by_day(self.seed, Stream.ATTRITION, abs_days)
        supply_u = _keyed_by_day(self.seed, Stream.SUPPLY, abs_days)
        launch_u = _keyed_by_day(self.seed, Stream.LAUNCH_SHARE, abs_days)
        inflow_mean = _inflow_mean(p, dates)
        occupancy_mean = p.networks.mean_occupancy_people * _yearly_growth(
            dates, p.networks.occupancy_reference_year, p.networks.occupancy_trend_per_year
        )

        out = {name: np.zeros(n_days + 1, dtype=np.int64) for name in DAILY_COLUMNS}
        returning = np.zeros(n_days + 2, dtype=np.int64)  # people back on the coast, by day
        waiting = int(p.coast.initial_waiting_people)
        stock = int(p.networks.initial_boat_stock)
        boat_frames: list[dict[str, np.ndarray]] = []
        cost_rows: list[dict[str, Any]] = []
        at_sea_end_people = 0
        # Each run works on fresh copies, so state a policy keeps between days never leaks
        # from one run into the next.
        policies = [pol.model_copy(deep=True) for pol in self.policies]
        hooks = {name: [pol for pol in policies if _overrides(pol, name)] for name in HOOKS}
        counts: dict[str, float] = {}

        for d in range(n_days):
            date = day_dates[d]
            day = int(abs_days[d])
            active = {
                name: [pol for pol in pols if pol.active(date)] for name, pols in hooks.items()
            }
            ctx = DayContext(
                day=day,
                date=date,
                seed=self.seed,
                params=p,
                zone_names=zone_names,
                zone_is_waterway=zone_waterway,
                crossing_window=bool(window[d]),
                wind_speed_kn=float(wind_kn[d]),
                wave_height_m=float(wave[d]),
                sea_temp_c=float(sea_temp[d]),
                waiting_people=waiting,
                inflow_mean_people=float(inflow_mean[d]),
                mean_occupancy_people=float(occupancy_mean[d]),
            )
            # inflow
            for pol in active["on_inflow"]:
                pol.on_inflow(ctx)
            inflow = int(
                poisson_inverse(inflow_u[d : d + 1], np.array([max(ctx.inflow_mean_people, 0.0)]))[
                    0
                ]
            )
            waiting += inflow + int(returning[d])
            out["inflow_people"][d] = inflow
            # attrition
            waiting -= _stochastic_round(waiting * p.coast.attrition_per_day, attrition_u[d])
            # supply
            ctx.boat_stock = stock
            ctx.boat_supply = p.networks.boat_supply_per_day
            for pol in active["on_supply"]:
                pol.on_supply(ctx)
            stock = max(0, int(ctx.boat_stock)) + _stochastic_round(
                max(ctx.boat_supply, 0.0), supply_u[d]
            )
            if window[d] and waiting > 0 and stock > 0:
                ctx.waiting_people = waiting
                boats = self._launch_day(
                    ctx, active, d, waiting, stock, launch_u[d], zone_base_weight
                )
                if boats is not None:
                    waiting, stock, at_sea_end_people = self._book_day(
                        ctx,
                        active,
                        boats,
                        d,
                        day,
                        waiting,
                        stock,
                        out,
                        returning,
                        boat_frames,
                        zone_x,
                        zone_y,
                        kp,
                        forcing,
                        (wind_u[d], wind_v[d], wave[d], sea_temp[d]),
                        at_sea_end_people,
                    )
            # post-arrival (arrivals booked for today so far, including earlier launches)
            ctx.arrived_people = int(out["arrived_people"][d])
            ctx.arrived_boats = int(out["arrived_boats"][d])
            ctx.intercepted_boats = int(out["intercepted_boats"][d])
            for pol in active["on_post_arrival"]:
                pol.on_post_arrival(ctx)
            out["returned_from_uk_people"][d] = ctx.returned_from_uk_people
            out["removed_people"][d] = ctx.removed_people
            returning[d + 1] += (
                ctx.returned_from_uk_people
                if ctx.rejoining_people is None
                else min(ctx.rejoining_people, ctx.returned_from_uk_people)
            )
            # costs
            for pol in active["on_costs"]:
                pol.on_costs(ctx)
            cost_rows.extend(
                {"date": date, "item": item, "cost_gbp": cost}
                for item, cost in ctx.costs_gbp.items()
            )
            for item, value in ctx.counts.items():
                counts[item] = counts.get(item, 0.0) + value
            out["waiting_people"][d] = waiting
            out["boat_stock"][d] = stock
            out["crossing_window"][d] = int(window[d])
            if progress is not None:
                progress(d + 1, n_days)

        return self._result(
            dates, out, boat_frames, cost_rows, counts, at_sea_end_people, wind_kn, wave, sea_temp
        )

    # -- stages ----------------------------------------------------------------------------

    def _launch_day(
        self,
        ctx: DayContext,
        active: dict[str, list[Policy]],
        d: int,
        waiting: int,
        stock: int,
        launch_u: float,
        zone_base_weight: np.ndarray,
    ) -> _Boats | None:
        """Launch plan and beach stages: who tries to leave, in which boats, from where, and
        which attempts the police stop."""
        nw, beach = self.params.networks, self.params.beach
        day = ctx.day
        ctx.launch_share = nw.launch_share_per_window_day
        ctx.max_boats = nw.max_boats_per_day
        for pol in active["on_launch_plan"]:
            pol.on_launch_plan(ctx)
        demand_people = _stochastic_round(waiting * min(max(ctx.launch_share, 0.0), 1.0), launch_u)
        available = min(stock, max(int(ctx.max_boats), 0))
        if demand_people < nw.min_occupancy_people or available <= 0:
            return None
        occ_mean = max(ctx.mean_occupancy_people, float(nw.min_occupancy_people))
        demand_boats = demand_people / occ_mean
        if demand_boats > available:
            # Networks short of boats load each one more heavily.
            occ_mean = min(
                float(nw.max_occupancy_people),
                occ_mean * (demand_boats / available) ** nw.scarcity_occupancy_elasticity,
            )
        n_boats = min(available, max(1, round(demand_people / occ_mean)))
        keys = np.arange(n_boats, dtype=np.int64) + day * 10_000
        z = normals(self.seed, Stream.OCCUPANCY, day, keys)
        sigma = nw.occupancy_sigma
        occupancy = np.clip(
            np.rint(occ_mean * np.exp(sigma * z - 0.5 * sigma * sigma)),
            nw.min_occupancy_people,
            nw.max_occupancy_people,
        ).astype(np.int64)
        occupancy = occupancy[np.cumsum(occupancy) <= min(demand_people + occ_mean, waiting)]
        n_boats = occupancy.shape[0]
        if n_boats == 0:
            return None
        keys = keys[:n_boats]
        # beach: zone choice, taxi boats, prevention
        n_zones = ctx.zone_is_waterway.shape[0]
        ctx.prevention_probability = np.full(n_zones, beach.prevention_probability)
        ctx.taxi_prevention_probability = np.full(n_zones, beach.taxi_prevention_probability)
        ctx.taxi_boat_share = nw.taxi_boat_share
        for pol in active["on_beach"]:
            pol.on_beach(ctx)
        prevent_p = np.clip(np.asarray(ctx.prevention_probability, dtype=np.float64), 0.0, 1.0)
        taxi_p = np.clip(np.asarray(ctx.taxi_prevention_probability, dtype=np.float64), 0.0, 1.0)
        taxi = uniforms(self.seed, Stream.TAXI, day, keys) < ctx.taxi_boat_share
        stop_p_by_zone = np.where(ctx.zone_is_waterway, taxi_p, prevent_p)
        weight = zone_base_weight * (1.0 - stop_p_by_zone) ** nw.patrol_displacement
        zone = np.empty(n_boats, dtype=np.int64)
        u_zone = uniforms(self.seed, Stream.ZONE, day, keys)
        for is_taxi in (False, True):
            members = taxi == is_taxi
            w = np.where(ctx.zone_is_waterway == is_taxi, weight, 0.0)
            if w.sum() <= 0.0:  # no zone of this kind usable: fall back to any zone
                w = np.where(ctx.zone_is_waterway == is_taxi, zone_base_weight, 0.0)
            if w.sum() <= 0.0:
                w = zone_base_weight
            cdf = np.cumsum(w) / w.sum()
            zone[members] = np.minimum(
                np.searchsorted(cdf, u_zone[members], side="right"), len(w) - 1
            )
        # The attempt's people come in groups; each group is stopped with the per-group
        # probability that gives the per-attempt probability of an intervention.
        groups = beach.groups_per_boat
        attempt_p = stop_p_by_zone[zone]
        group_p = 1.0 - (1.0 - attempt_p) ** (1.0 / groups)
        j = np.arange(groups)
        group_keys = keys[:, None] * 8 + j[None, :]
        u_group = uniforms(self.seed, Stream.PREVENTION, day, group_keys.ravel())
        group_stopped = u_group.reshape(n_boats, groups) < group_p[:, None]
        size = occupancy[:, None] // groups + (j[None, :] < (occupancy % groups)[:, None])
        event = group_stopped.sum(axis=1)
        stopped = (size * group_stopped).sum(axis=1)
        whole = (event > 0) & (occupancy - stopped < self.params.networks.min_occupancy_people)
        stopped = np.where(whole, occupancy, stopped)
        launched = ~whole
        seized = whole & (
            uniforms(self.seed, Stream.SEIZURE, day, keys) < beach.seizure_probability
        )
        # embarkation: crush deaths rise steeply with overcrowding
        aboard = occupancy - stopped
        crush_mean = np.where(
            launched,
            beach.crush_deaths_per_boat
            * (aboard / beach.crush_reference_occupancy) ** beach.crush_overload_exponent,
            0.0,
        )
        crush = np.minimum(
            poisson_inverse(uniforms(self.seed, Stream.CRUSH, day, keys), crush_mean), aboard
        )
        hour0 = self.params.networks.launch_hour_start
        hour1 = max(self.params.networks.launch_hour_end, hour0)
        launch_t_h = (
            24.0 * day
            + hour0
            + (hour1 - hour0) * uniforms(self.seed, Stream.LAUNCH_TIME, day, keys)
        )
        return _Boats(
            key=keys,
            occupancy=occupancy,
            taxi=taxi,
            zone=zone,
            prevention_events=event,
            prevented_people=stopped,
            seized=seized,
            launched=launched,
            crush=np.where(launched, crush, 0),
            launch_t_h=launch_t_h,
        )

    def _book_day(
        self,
        ctx: DayContext,
        active: dict[str, list[Policy]],
        b: _Boats,
        d: int,
        day: int,
        waiting: int,
        stock: int,
        out: dict[str, np.ndarray],
        returning: np.ndarray,
        boat_frames: list[dict[str, np.ndarray]],
        zone_x: np.ndarray,
        zone_y: np.ndarray,
        kp: np.ndarray,
        forcing: SeaForcing,
        met: tuple[float, float, float, float],
        at_sea_end_people: int,
    ) -> tuple[int, int, int]:
        """Embarkation, at-sea and outcome stages for one day's boats; books every person."""
        attempted = int(b.occupancy.sum())
        waiting -= attempted
        returning[d + 1] += int(b.prevented_people.sum())
        stock -= int(b.launched.sum()) + int(b.seized.sum())
        out["attempted_people"][d] += attempted
        out["attempted_boats"][d] += b.occupancy.shape[0]
        out["prevented_people"][d] += int(b.prevented_people.sum())
        out["prevented_events"][d] += int(b.prevention_events.sum())
        out["dead_crush_beach_people"][d] += int(b.crush.sum())
        out["dead_or_missing_people"][d] += int(b.crush.sum())
        # at sea
        for pol in active["on_sea"]:
            pol.on_sea(ctx)
        idx = np.flatnonzero(b.launched)
        aboard = (b.occupancy - b.prevented_people - b.crush)[idx]
        out["launched_boats"][d] += idx.shape[0]
        out["launched_people"][d] += int(aboard.sum())
        out["taxi_boats"][d] += int(b.taxi[idx].sum())
        out_i = np.zeros((idx.shape[0], N_OI), dtype=np.int64)
        out_f = np.zeros((idx.shape[0], N_OF), dtype=np.float64)
        wind_u, wind_v, wave, temp = met
        step_boats(
            zone_x[b.zone[idx]],
            zone_y[b.zone[idx]],
            b.launch_t_h[idx],
            aboard,
            b.key[idx],
            day,
            self.seed,
            float(wind_u),
            float(wind_v),
            float(wave),
            float(temp),
            kp,
            ctx.interception.as_array(),
            forcing.flags,
            forcing.grid_x0_km,
            forcing.grid_y0_km,
            forcing.grid_cell_km,
            forcing.tide_params,
            forcing.leeway_params,
            out_i,
            out_f,
            np.zeros((0, 0, 2)),
        )
        # outcomes, booked on the day they happen
        fate = out_i[:, O_FATE]
        end_day = np.floor(out_f[:, O_END_T_H] / 24.0).astype(np.int64) - (day - d)
        end_day = np.minimum(end_day, len(out["arrived_people"]) - 1)
        dead = out_i[:, O_DROWNED] + out_i[:, O_HYPOTHERMIA]
        uk = out_i[:, O_UK_SIDE] == 1
        survivors = aboard - dead
        lost = fate == _FATE_LOST
        arrived_boat = (fate == _FATE_ARRIVED) | (fate == _FATE_LANDED_UK)
        arrived_people = np.where(arrived_boat | (lost & uk), survivors, 0)
        rescued_fr = np.where((fate == _FATE_RESCUED_FR) | (lost & ~uk), survivors, 0)
        returned = rescued_fr + np.where(fate == _FATE_RETURNED, aboard, 0)
        _add(out["arrived_people"], end_day, arrived_people)
        _add(out["arrived_boats"], end_day, arrived_boat.astype(np.int64))
        _add(out["uncontrolled_landings"], end_day, (fate == _FATE_LANDED_UK).astype(np.int64))
        _add(out["rescued_fr_people"], end_day, rescued_fr)
        _add(out["returned_at_sea_people"], end_day, returned)
        _add(out["intercepted_boats"], end_day, out_i[:, O_INTERCEPTED])
        for cause, column in (("drowning", O_DROWNED), ("hypothermia", O_HYPOTHERMIA)):
            _add(out[f"dead_{cause}_uk_people"], end_day, np.where(uk, out_i[:, column], 0))
            _add(out[f"dead_{cause}_fr_people"], end_day, np.where(uk, 0, out_i[:, column]))
        _add(out["dead_or_missing_people"], end_day, dead)
        np.add.at(returning, end_day + 1, returned)
        at_sea = fate == _FATE_AT_SEA_END
        at_sea_end_people += int(aboard[at_sea].sum())
        # boats at sea: every day from launch to the end of the crossing
        start = np.full(idx.shape[0], d)
        np.add.at(out["boats_at_sea"], start, 1)
        np.add.at(out["boats_at_sea"], np.minimum(end_day + 1, len(out["boats_at_sea"]) - 1), -1)
        boat_frames.append(_boat_log(b, idx, aboard, out_i, out_f, d))
        return waiting, stock, at_sea_end_people

    def _result(
        self,
        dates: pd.DatetimeIndex,
        out: dict[str, np.ndarray],
        boat_frames: list[dict[str, np.ndarray]],
        cost_rows: list[dict[str, Any]],
        counts: dict[str, float],
        at_sea_end_people: int,
        wind_kn: np.ndarray,
        wave: np.ndarray,
        sea_temp: np.ndarray,
    ) -> SimResult:
        n_days = len(dates)
        out["boats_at_sea"] = np.cumsum(out["boats_at_sea"])
        columns: dict[str, Any] = {"date": dates.date}
        columns.update((name, out[name][:n_days]) for name in DAILY_COLUMNS)
        columns["crossing_window"] = columns["crossing_window"].astype(bool)
        columns.update(wind_speed_kn=wind_kn, wave_height_m=wave, sea_temp_c=sea_temp)
        daily = pd.DataFrame(columns)  # built at once: inserting column by column is slow
        boats = _boat_table(boat_frames, dates, self._zone_names)
        costs = pd.DataFrame(cost_rows, columns=["date", "item", "cost_gbp"])
        totals: dict[str, int | float] = {c: int(daily[c].sum()) for c in TOTAL_COLUMNS}
        totals["at_sea_end_people"] = at_sea_end_people
        totals["at_sea_end_boats"] = int((boats["fate"] == "at_sea_end").sum())
        totals["days_with_arrivals"] = int((daily["arrived_people"] > 0).sum())
        totals["crossing_window_days"] = int(daily["crossing_window"].sum())
        totals["cost_gbp"] = float(costs["cost_gbp"].sum()) if len(costs) else 0.0
        totals["people_per_boat"] = (
            round(totals["arrived_people"] / totals["arrived_boats"], 2)
            if totals["arrived_boats"]
            else 0.0
        )
        totals["final_waiting_people"] = int(daily["waiting_people"].iloc[-1])
        totals.update(counts)
        return SimResult(
            scenario=self.scenario.to_dict(),
            seed=self.seed,
            code_version=__version__,
            daily=daily,
            boats=boats,
            costs=costs,
            totals=totals,
        )


def _overrides(policy: Policy, hook: str) -> bool:
    """Whether ``policy`` implements ``hook`` (so that the engine can skip no-op calls)."""
    return getattr(type(policy), hook) is not getattr(Policy, hook)


def _keyed_by_day(seed: int, stream: Stream, abs_days: np.ndarray) -> np.ndarray:
    """One uniform per day for a per-day decision (key 0 of each day)."""
    return day_uniforms(seed, stream, abs_days)


def _stochastic_round(value: float, u: float) -> int:
    whole = math.floor(value)
    return int(whole + (u < value - whole))


def _add(target: np.ndarray, index: np.ndarray, values: np.ndarray) -> None:
    np.add.at(target, index, values)


def _yearly_growth(
    dates: pd.DatetimeIndex, reference_year: int, rate_per_year: float
) -> np.ndarray:
    """``(1 + rate)`` to the power of the years elapsed since 1 Jan of ``reference_year``."""
    years = dates.year + (dates.day_of_year - 1) / 365.25 - reference_year
    return np.asarray((1.0 + rate_per_year) ** years, dtype=np.float64)


def _inflow_mean(p: Params, dates: pd.DatetimeIndex) -> np.ndarray:
    """Seasonal inflow with a yearly trend relative to the reference year."""
    c = p.coast
    season = 1.0 + c.inflow_seasonal_amplitude * np.cos(
        2.0 * np.pi * (dates.day_of_year - c.inflow_peak_day_of_year) / 365.25
    )
    growth = _yearly_growth(dates, c.inflow_reference_year, c.inflow_trend_per_year)
    return np.asarray(c.inflow_people_per_day * growth * season)


def _boat_log(
    b: _Boats,
    idx: np.ndarray,
    aboard: np.ndarray,
    out_i: np.ndarray,
    out_f: np.ndarray,
    d: int,
) -> dict[str, np.ndarray]:
    """One day's rows of the boat log, as arrays (a DataFrame is built once at the end)."""
    n = b.key.shape[0]
    fate = np.full(n, -1, dtype=np.int8)  # -1: prevented, never launched
    fate[idx] = out_i[:, O_FATE]
    col_f = np.full((n, out_f.shape[1]), np.nan)
    col_f[idx] = out_f
    col_i = np.zeros((n, out_i.shape[1]), dtype=np.int64)
    col_i[idx] = out_i
    aboard_all = np.zeros(n, dtype=np.int64)
    aboard_all[idx] = aboard
    return {
        "boat_id": b.key,
        "day": np.full(n, d, dtype=np.int64),
        "zone": b.zone,
        "taxi_boat": b.taxi,
        "launch_hour": b.launch_t_h % 24.0,
        "occupancy": b.occupancy,
        "prevention_events": b.prevention_events,
        "prevented_people": b.prevented_people,
        "seized": b.seized,
        "launched": b.launched,
        "crush_deaths": b.crush,
        "aboard_people": aboard_all,
        "fate": fate,
        "time_at_sea_h": col_f[:, O_END_T_H] - b.launch_t_h,
        "max_distance_km": col_f[:, O_MAX_DIST_KM],
        "final_x_km": col_f[:, O_X_KM],
        "final_y_km": col_f[:, O_Y_KM],
        "disabled": col_i[:, O_DISABLED].astype(bool),
        "intercepted": col_i[:, O_INTERCEPTED].astype(bool),
        "drowned": col_i[:, O_DROWNED],
        "hypothermia_deaths": col_i[:, O_HYPOTHERMIA],
        "uk_side": col_i[:, O_UK_SIDE].astype(bool),
    }


def _boat_table(
    parts: list[dict[str, np.ndarray]], dates: pd.DatetimeIndex, zone_names: tuple[str, ...]
) -> pd.DataFrame:
    """The boat log: one row per launch attempt, fates and zones as categories."""
    if not parts:
        empty = _Boats(*(np.zeros(0, dtype=np.int64) for _ in range(10)))
        parts = [
            _boat_log(
                empty,
                np.zeros(0, np.int64),
                np.zeros(0, np.int64),
                np.zeros((0, N_OI), np.int64),
                np.zeros((0, N_OF)),
                0,
            )
        ]
    cols = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    fate_names = ["prevented", *(FATE_NAMES[f] for f in sorted(FATE_NAMES))]
    frame = pd.DataFrame(cols)
    frame.insert(1, "date", dates.date[cols["day"]] if len(dates) else [])
    frame["zone"] = pd.Categorical.from_codes(cols["zone"], categories=list(zone_names))
    frame["fate"] = pd.Categorical.from_codes(cols["fate"].astype(np.int64) + 1, fate_names)
    return frame


def _observed_crossing_days(path: str | None) -> pd.Series:
    """Days with at least one arrival in the official series (for replay weather): from a
    publication file, or from the local data store when ``path`` is ``"store"``."""
    from channelsim.data import DataStore, read_publication

    daily = DataStore().daily() if path in (None, "store") else read_publication(path).daily
    people = pd.to_numeric(daily["people"], errors="coerce").fillna(0).to_numpy()
    return pd.Series(people > 0, index=pd.DatetimeIndex(daily["date"]))


def run_scenario(
    scenario: Scenario, seed: int, overrides: Mapping[str, Any] | None = None
) -> SimResult:
    """Run ``scenario`` with ``seed`` and optional parameter overrides (dotted or nested)."""
    if overrides:
        params = apply_overrides(scenario.params, _nested(overrides), scenario.source)
        scenario = scenario.with_changes(params=params)
    return Sim(scenario, seed=seed).run()
