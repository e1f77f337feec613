"""Drift of a disabled boat: channelsim's Leeway kernel against OpenDrift's Leeway model.

Same forcing in both: a uniform wind (OpenDrift: constant reader) and channelsim's tidal
stream written every 10 minutes to a CF NetCDF file (OpenDrift: reader_netCDF_CF_generic);
the same release point off Calais; the same object class (LIFE-RAFT-NB-2, which OpenDrift
tabulates; channelsim's DINGHY_LEEWAY is an interpolation OpenDrift does not have); the same
step. Prints the distance between the mean final positions, the ratio of the spreads and the
speed of each model. OpenDrift comes with the test dependencies (``pip install -e ".[dev]"``).

    python benchmarks/drift_vs_opendrift.py [--elements 10000] [--hours 12]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from channelsim.world.drift import LIFE_RAFT_NB_2, simulate_drift
from channelsim.world.geography import load_world
from channelsim.world.tide import TidalStream

EPOCH = datetime(2018, 1, 1)
RELEASE_LON, RELEASE_LAT = 1.80, 51.00  # about 3 km off Calais
WIND_U_M_S, WIND_V_M_S = 5.66, 5.66  # 8 m/s towards the north-east
T0_HOURS = 54.0  # 2018-01-03T06:00 UTC, a spring tide


@dataclass(frozen=True)
class Comparison:
    elements: int
    hours: float
    mean_distance_km: float
    spread_ratio: float
    channelsim_s: float
    opendrift_s: float
    channelsim_mean_xy_km: tuple[float, float]
    opendrift_mean_xy_km: tuple[float, float]
    channelsim_spread_km: float
    opendrift_spread_km: float

    @property
    def speedup(self) -> float:
        return self.opendrift_s / self.channelsim_s


def write_tide_netcdf(path: Path, tide: TidalStream, hours: float, dt_minutes: float) -> None:
    """The uniform tidal stream on a small lon/lat grid, one field per step."""
    import xarray as xr

    t_hours = T0_HOURS + np.arange(0.0, hours + dt_minutes / 60.0 + 1e-9, dt_minutes / 60.0)
    u, v = tide.velocity_m_s(t_hours)
    lon = np.linspace(0.5, 3.5, 7)
    lat = np.linspace(50.0, 52.0, 5)
    shape = (t_hours.size, lat.size, lon.size)
    times = np.array([EPOCH + timedelta(hours=float(h)) for h in t_hours], dtype="datetime64[ns]")
    ds = xr.Dataset(
        {
            "u": (("time", "lat", "lon"), np.broadcast_to(u[:, None, None], shape).copy()),
            "v": (("time", "lat", "lon"), np.broadcast_to(v[:, None, None], shape).copy()),
        },
        coords={"time": times, "lat": lat, "lon": lon},
    )
    ds["u"].attrs = {"standard_name": "x_sea_water_velocity", "units": "m s-1"}
    ds["v"].attrs = {"standard_name": "y_sea_water_velocity", "units": "m s-1"}
    ds["lon"].attrs = {"standard_name": "longitude", "units": "degrees_east"}
    ds["lat"].attrs = {"standard_name": "latitude", "units": "degrees_north"}
    ds.to_netcdf(path)


def run_opendrift(
    n: int, hours: float, dt_minutes: float, nc_path: Path, seed: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Final lon/lat of OpenDrift's Leeway elements and the wall time of ``run``."""
    from opendrift.models.leeway import Leeway
    from opendrift.readers import reader_constant, reader_netCDF_CF_generic

    np.random.seed(seed)  # OpenDrift draws from NumPy's global generator
    model = Leeway(loglevel=50)
    model.set_config("general:use_auto_landmask", False)
    model.set_config("general:coastline_action", "none")
    model.set_config("environment:fallback:x_sea_water_velocity", 0.0)
    model.set_config("environment:fallback:y_sea_water_velocity", 0.0)
    model.add_reader(
        [
            reader_constant.Reader(
                {"x_wind": WIND_U_M_S, "y_wind": WIND_V_M_S, "land_binary_mask": 0}
            ),
            reader_netCDF_CF_generic.Reader(str(nc_path)),
        ]
    )
    object_type = next(k for k, p in model.leewayprop.items() if p["OBJKEY"] == LIFE_RAFT_NB_2.name)
    props = model.leewayprop[object_type]
    theirs = [props[k] for k in ("DWSLOPE", "DWOFFSET", "DWSTD", "CWRSLOPE", "CWROFFSET")]
    if not np.allclose(theirs, LIFE_RAFT_NB_2.params_array()[:5]):
        raise RuntimeError(f"OpenDrift's {LIFE_RAFT_NB_2.name} coefficients differ: {theirs}")
    model.seed_elements(
        lon=np.full(n, RELEASE_LON),
        lat=np.full(n, RELEASE_LAT),
        time=EPOCH + timedelta(hours=T0_HOURS),
        object_type=object_type,
    )
    start = time.perf_counter()
    model.run(
        duration=timedelta(hours=hours),
        time_step=timedelta(minutes=dt_minutes),
        time_step_output=timedelta(hours=1),
    )
    elapsed = time.perf_counter() - start
    lon = np.asarray(model.result.lon.isel(time=-1))
    lat = np.asarray(model.result.lat.isel(time=-1))
    return lon, lat, elapsed


def compare(
    n: int = 10_000, hours: float = 12.0, dt_minutes: float = 10.0, seed: int = 1
) -> Comparison:
    """Run both models on the same case and summarise the agreement."""
    world = load_world()
    proj = world.projection
    x0, y0 = proj.to_xy_km(RELEASE_LON, RELEASE_LAT)
    args = (T0_HOURS, hours, dt_minutes, WIND_U_M_S, WIND_V_M_S, world.tide, LIFE_RAFT_NB_2)
    simulate_drift(np.full(8, x0), np.full(8, y0), *args, 0)  # compile
    start = time.perf_counter()
    ours = simulate_drift(np.full(n, x0), np.full(n, y0), *args, seed)
    ours_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        nc_path = Path(tmp) / "tide.nc"
        write_tide_netcdf(nc_path, world.tide, hours, dt_minutes)
        lon, lat, theirs_s = run_opendrift(n, hours, dt_minutes, nc_path, seed)
    ox, oy = proj.to_xy_km(lon, lat)

    def spread(x: np.ndarray, y: np.ndarray) -> float:
        return float(np.sqrt(np.var(x) + np.var(y)))

    mean_ours = (float(ours.x_km.mean()), float(ours.y_km.mean()))
    mean_theirs = (float(ox.mean()), float(oy.mean()))
    return Comparison(
        elements=n,
        hours=hours,
        mean_distance_km=float(
            np.hypot(mean_ours[0] - mean_theirs[0], mean_ours[1] - mean_theirs[1])
        ),
        spread_ratio=spread(ours.x_km, ours.y_km) / spread(ox, oy),
        channelsim_s=ours_s,
        opendrift_s=theirs_s,
        channelsim_mean_xy_km=mean_ours,
        opendrift_mean_xy_km=mean_theirs,
        channelsim_spread_km=spread(ours.x_km, ours.y_km),
        opendrift_spread_km=spread(ox, oy),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=12.0)
    parser.add_argument("--dt-minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    logging.disable(logging.WARNING)
    c = compare(a.elements, a.hours, a.dt_minutes, a.seed)
    steps = c.elements * round(c.hours * 60 / a.dt_minutes)
    x0, y0 = load_world().projection.to_xy_km(RELEASE_LON, RELEASE_LAT)
    print(
        f"case: {c.elements} elements, {c.hours:g} h, {a.dt_minutes:g}-min steps, "
        f"{LIFE_RAFT_NB_2.name}, wind 8 m/s towards NE, tide from t={T0_HOURS:g} h"
    )
    print(
        f"displacement of the mean (km): channelsim "
        f"({c.channelsim_mean_xy_km[0] - x0:.2f}, {c.channelsim_mean_xy_km[1] - y0:.2f}), "
        f"OpenDrift ({c.opendrift_mean_xy_km[0] - x0:.2f}, {c.opendrift_mean_xy_km[1] - y0:.2f})"
    )
    print(f"distance between mean final positions: {c.mean_distance_km:.3f} km (target < 1 km)")
    print(
        f"spread (rms distance from the mean): channelsim {c.channelsim_spread_km:.2f} km, "
        f"OpenDrift {c.opendrift_spread_km:.2f} km, ratio {c.spread_ratio:.3f} (target 0.8-1.2)"
    )
    print(
        f"wall time: channelsim {c.channelsim_s * 1000:.1f} ms "
        f"({steps / c.channelsim_s:.3g} element-steps/s), OpenDrift {c.opendrift_s:.2f} s "
        f"({steps / c.opendrift_s:.3g} element-steps/s); ratio {c.speedup:.0f}x (target >= 50x)"
    )


if __name__ == "__main__":
    main()
