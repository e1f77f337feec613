"""Readers of reanalysis weather a user downloads: ERA5 NetCDF and Open-Meteo CSV/JSON.

Both give the engine what every environment reader gives (``reader.daily(dates, seed) ->
DailyWeather``, :mod:`channelsim.world.environment`): one value a day of the 10 m wind,
the significant wave height and the sea surface temperature *at the strait*.

**Where.** ERA5: the mean over the sea points of the box :data:`STRAIT_BOX` (50.7–51.3° N,
1.0–2.0° E: the crossing area from Boulogne to Dunkirk and Dover to Ramsgate; land points
carry no waves or sea temperature and are skipped). Open-Meteo: the single point the user
asked the API for (``channelsim weather download`` asks for :data:`STRAIT_POINT`, 51.0° N
1.5° E, mid-strait).

**Which daily statistic.** Hourly values are averaged over 00:00–11:59 UTC, the night
launches and the morning crossing (``environment.crossing_window_means``, as for a weather
CSV): the wind speed is the mean of the hourly speeds, its direction that of the mean wind
vector. A daily Open-Meteo file (one value per day over 24 h) is taken as it is: a daily
maximum (``wind_speed_10m_max``, ``wave_height_max``) is higher than the night–morning mean,
so it closes the crossing window more often than hourly data would; hourly data are
preferred.

**Units** are read from the file and converted explicitly (ERA5: wind ``m s**-1``, waves
``m``, sea temperature ``K``; Open-Meteo: the units in ``hourly_units``/``daily_units`` or
the CSV headers, e.g. ``km/h``, ``m/s``, ``kn``, ``mp/h``; ``m``, ``ft``; ``°C``, ``°F``).
Values are checked against physical bounds (``environment.MAX_WIND_SPEED_KN``,
``MAX_WAVE_HEIGHT_M``, ``SEA_TEMP_RANGE_C``), hourly series must have no gaps, and every
simulated date must be in the file. Each problem is one line naming the file, the variable
and what was expected.

Several files (``[weather] path = ["a.nc", "b.nc"]``) are read as one: the CDS delivers ERA5
wave variables in a file of their own, and Open-Meteo serves wind (historical-weather API)
and waves (marine API) from two endpoints. Each variable must come from one file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from channelsim.errors import NESTED_TOO_DEEP, InputError
from channelsim.textfile import MAX_WEATHER_BYTES, check_input_file, read_text_file
from channelsim.world.environment import (
    KNOT_M_S,
    MAX_WAVE_HEIGHT_M,
    MAX_WIND_SPEED_KN,
    SEA_TEMP_RANGE_C,
    DailyWeather,
    crossing_window_means,
    weather_on_dates,
    wind_components_m_s,
)

if TYPE_CHECKING:
    import pandas as pd

#: (south, north, west, east) in degrees: the area ERA5 values are averaged over.
STRAIT_BOX = (50.7, 51.3, 1.0, 2.0)
#: (latitude, longitude): the point ``channelsim weather download`` asks Open-Meteo for.
STRAIT_POINT = (51.0, 1.5)

#: The engine's variables, in its units, and their physical bounds.
BOUNDS = {
    "wind_speed_m_s": (0.0, MAX_WIND_SPEED_KN * KNOT_M_S),
    "wind_u_m_s": (-MAX_WIND_SPEED_KN * KNOT_M_S, MAX_WIND_SPEED_KN * KNOT_M_S),
    "wind_v_m_s": (-MAX_WIND_SPEED_KN * KNOT_M_S, MAX_WIND_SPEED_KN * KNOT_M_S),
    "wind_from_deg": (0.0, 360.0),
    "wave_height_m": (0.0, MAX_WAVE_HEIGHT_M),
    "sea_temp_c": SEA_TEMP_RANGE_C,
}

Conversion = Callable[[NDArray[np.float64]], NDArray[np.float64]]


def _scale(factor: float) -> Conversion:
    return lambda x: x * factor


_IDENTITY: Conversion = _scale(1.0)
#: Accepted units of each engine variable and the conversion to the engine's unit.
UNITS: dict[str, dict[str, Conversion]] = {
    "wind_speed_m_s": {
        "m/s": _IDENTITY,
        "m s**-1": _IDENTITY,
        "m s-1": _IDENTITY,
        "km/h": _scale(1000.0 / 3600.0),
        "kn": _scale(KNOT_M_S),
        "mp/h": _scale(1609.344 / 3600.0),
        "mph": _scale(1609.344 / 3600.0),
    },
    "wind_from_deg": {"°": _IDENTITY, "deg": _IDENTITY, "degrees": _IDENTITY},
    "wave_height_m": {"m": _IDENTITY, "ft": _scale(0.3048)},
    "sea_temp_c": {
        "°C": _IDENTITY,
        "degC": _IDENTITY,
        "K": lambda x: x - 273.15,
        "°F": lambda x: (x - 32.0) * 5.0 / 9.0,
    },
}
UNITS["wind_u_m_s"] = UNITS["wind_v_m_s"] = UNITS["wind_speed_m_s"]


@dataclass(frozen=True)
class Series:
    """One variable read from a file: times (UTC), values in the file's unit, its origin."""

    variable: str  # the engine's name (a key of BOUNDS)
    name: str  # the file's name of the variable
    unit: str
    times: pd.DatetimeIndex
    values: NDArray[np.float64]
    path: Path
    hourly: bool


def _fail(path: Path | Sequence[Path], where: str | None, expected: str) -> InputError:
    shown = path if isinstance(path, Path) else ", ".join(str(p) for p in path)
    return InputError(shown, where, f"expected {expected}")


def convert(series: Series) -> NDArray[np.float64]:
    """``series`` in the engine's unit, checked against its physical bounds."""
    units = UNITS[series.variable]
    if series.unit not in units:
        raise _fail(
            series.path,
            f"variable '{series.name}'",
            f"units {' or '.join(repr(u) for u in units)}, got {series.unit!r}",
        )
    values = units[series.unit](np.asarray(series.values, dtype=np.float64))
    missing = ~np.isfinite(values)
    if missing.any():
        at = series.times[int(np.argmax(missing))]
        raise _fail(
            series.path,
            f"variable '{series.name}'",
            f"a value at every time (none at {at:%Y-%m-%dT%H:%M} UTC: a gap, or a point on land?)",
        )
    low, high = BOUNDS[series.variable]
    bad = (values < low) | (values > high)
    if bad.any():
        k = int(np.argmax(bad))
        raise _fail(
            series.path,
            f"variable '{series.name}' at {series.times[k]:%Y-%m-%dT%H:%M}",
            f"a value from {low:g} to {high:g} in the engine's unit, got {values[k]:g} "
            f"(from {series.values[k]:g} {series.unit}: another unit?)",
        )
    return values


def _check_hourly(series: Series) -> None:
    """Hourly series: strictly increasing, one hour apart, no gap."""
    if not series.hourly or len(series.times) < 2:
        return
    seconds = series.times.tz_convert(None).to_numpy().astype("datetime64[s]").astype(np.int64)
    step = np.diff(seconds)
    if (step != 3600).any():
        k = int(np.argmax(step != 3600))
        raise _fail(
            series.path,
            f"variable '{series.name}'",
            "hourly values in time order without gaps (after "
            f"{series.times[k]:%Y-%m-%dT%H:%M} comes {series.times[k + 1]:%Y-%m-%dT%H:%M})",
        )


def daily_table(series: Sequence[Series], paths: Sequence[Path]) -> pd.DataFrame:
    """The engine's daily table (``environment.crossing_window_means``) from the variables
    read from ``paths``: hourly values where the files have them, else daily ones, on the
    times all variables share."""
    import pandas as pd

    wind_uv, wind_polar = ("wind_u_m_s", "wind_v_m_s"), ("wind_speed_m_s", "wind_from_deg")
    chosen: dict[str, Series] | None = None
    for hourly in (True, False):  # all four hourly, else all four daily
        found: dict[str, Series] = {}
        for s in sorted((s for s in series if s.hourly == hourly), key=_priority):
            if s.variable in found and found[s.variable].name == s.name:
                raise _fail(
                    paths, f"variable '{s.name}'", f"each variable in one file only ({s.path} too)"
                )
            found.setdefault(s.variable, s)  # a daily mean before a daily maximum
        wind = wind_uv if set(wind_uv) <= set(found) else wind_polar
        if set(wind) | {"wave_height_m", "sea_temp_c"} <= set(found):
            chosen = {name: found[name] for name in (*wind, "wave_height_m", "sea_temp_c")}
            break
    if chosen is None:
        known = {s.variable for s in series}
        wind = wind_uv if set(wind_uv) <= known else wind_polar
        missing = [v for v in (*wind, "wave_height_m", "sea_temp_c") if v not in known]
        if missing:
            raise _fail(paths, f"variable {_NAMES[missing[0]]}", _WHERE_FROM[missing[0]])
        raise _fail(
            paths,
            None,
            "wind, waves and sea temperature all hourly or all daily (hourly preferred)",
        )
    columns: dict[str, pd.Series] = {}
    for name, s in chosen.items():
        _check_hourly(s)
        column = pd.Series(convert(s), index=s.times)
        if column.index.has_duplicates:
            raise _fail(s.path, f"variable '{s.name}'", "each time only once")
        columns[name] = column
    frame = pd.DataFrame(columns).dropna()
    if frame.empty:
        raise _fail(paths, None, "times shared by the wind, waves and sea temperature")
    if wind == wind_uv:
        u, v = frame["wind_u_m_s"].to_numpy(), frame["wind_v_m_s"].to_numpy()
    else:
        speed_kn = frame["wind_speed_m_s"].to_numpy() / KNOT_M_S
        u, v = wind_components_m_s(speed_kn, frame["wind_from_deg"].to_numpy())
    times = frame.index.to_series()  # UTC (every reader gives UTC times)
    return crossing_window_means(
        times, u, v, frame["wave_height_m"].to_numpy(), frame["sea_temp_c"].to_numpy()
    )


def _priority(series: Series) -> int:
    names = list(OPEN_METEO_VARIABLES)
    return names.index(series.name) if series.name in names else -1


_NAMES = {
    "wind_u_m_s": "u10 (or wind_speed_10m)",
    "wind_v_m_s": "v10 (or wind_direction_10m)",
    "wind_speed_m_s": "wind_speed_10m (or u10/v10)",
    "wind_from_deg": "wind_direction_10m (or u10/v10)",
    "wave_height_m": "swh (ERA5) or wave_height (Open-Meteo marine)",
    "sea_temp_c": "sst (ERA5) or sea_surface_temperature (Open-Meteo marine)",
}
_WHERE_FROM = {
    "wind_u_m_s": "10 m wind in one of the files (ERA5 single levels)",
    "wind_v_m_s": "10 m wind in one of the files (ERA5 single levels)",
    "wind_speed_m_s": "10 m wind speed in one of the files (Open-Meteo historical weather)",
    "wind_from_deg": "10 m wind direction in one of the files (Open-Meteo historical weather)",
    "wave_height_m": "significant wave height in one of the files",
    "sea_temp_c": "sea surface temperature in one of the files",
}


class ReanalysisWeather:
    """Daily weather from reanalysis files (see the module docstring); ``read`` turns one
    file into :class:`Series`."""

    def __init__(
        self, paths: str | Path | Sequence[str | Path], read: Callable[[Path], list[Series]]
    ):
        given = [paths] if isinstance(paths, str | Path) else list(paths)
        self.paths = [Path(p) for p in given]
        if not self.paths:
            raise InputError(None, "weather.path", "expected one or more weather files")
        for path in self.paths:
            check_input_file(path, "weather file", pipe=False)
        self._daily = daily_table([s for p in self.paths for s in read(p)], self.paths)

    def daily(self, dates: Any, seed: int) -> DailyWeather:
        """The files' values on ``dates`` (``seed`` unused: reanalysis is deterministic)."""
        where = self.paths[0] if len(self.paths) == 1 else ", ".join(map(str, self.paths))
        return weather_on_dates(self._daily, dates, where)


# -- ERA5 NetCDF -------------------------------------------------------------------------

#: ERA5 short names (as the CDS writes them in NetCDF) and the engine's variables.
ERA5_VARIABLES = {
    "u10": "wind_u_m_s",
    "v10": "wind_v_m_s",
    "swh": "wave_height_m",
    "sst": "sea_temp_c",
}


#: File names a NetCDF file may have.
NETCDF_SUFFIXES = (".nc", ".nc4", ".netcdf")


def read_era5(path: Path) -> list[Series]:
    """The ERA5 variables of a NetCDF file (``u10``, ``v10``, ``swh``, ``sst``, hourly,
    on a latitude/longitude grid; time named ``valid_time`` by the new CDS, ``time`` by
    the old), each averaged over the sea points of :data:`STRAIT_BOX`."""
    try:
        import xarray as xr
    except ImportError:
        raise _fail(
            path, None, "xarray and netCDF4 to read NetCDF: pip install 'channelsim[reanalysis]'"
        ) from None
    check_input_file(path, "NetCDF file", NETCDF_SUFFIXES, pipe=False)
    try:
        dataset = xr.open_dataset(path, engine="netcdf4", decode_timedelta=False)
    except (OSError, ValueError, RuntimeError) as error:
        detail = " ".join(str(error).split())[:120]
        raise _fail(
            path, None, f"a NetCDF file (ERA5 from the CDS), could not read it: {detail}"
        ) from None
    with dataset:
        found = [name for name in ERA5_VARIABLES if name in dataset.data_vars]
        if not found:
            raise _fail(
                path,
                None,
                f"ERA5 variables {', '.join(ERA5_VARIABLES)}; found "
                f"{', '.join(map(str, dataset.data_vars)) or 'none'}",
            )
        return [_era5_series(dataset, name, path) for name in found]


def _era5_series(dataset: Any, name: str, path: Path) -> Series:
    import pandas as pd

    array = dataset[name]
    time_dim = next((d for d in ("valid_time", "time") if d in array.dims), None)
    lat = next((d for d in ("latitude", "lat") if d in array.dims), None)
    lon = next((d for d in ("longitude", "lon") if d in array.dims), None)
    if time_dim is None or lat is None or lon is None:
        raise _fail(
            path,
            f"variable '{name}'",
            "dimensions valid_time (or time), latitude, longitude; got "
            + ", ".join(map(str, array.dims)),
        )
    extra = [d for d in array.dims if d not in (time_dim, lat, lon)]
    if any(array.sizes[d] != 1 for d in extra):
        raise _fail(path, f"variable '{name}'", f"one level/member, got dimensions {array.dims}")
    array = array.squeeze(extra, drop=True)
    south, north, west, east = STRAIT_BOX
    lons = np.mod(array[lon].to_numpy() + 180.0, 360.0) - 180.0
    lats = array[lat].to_numpy()
    in_lat = (lats >= south) & (lats <= north)
    in_lon = (lons >= west) & (lons <= east)
    if not in_lat.any() or not in_lon.any():
        raise _fail(
            path,
            f"variable '{name}'",
            f"grid points in the strait ({south}–{north}° N, {west}–{east}° E)",
        )
    box = array.isel({lat: np.flatnonzero(in_lat), lon: np.flatnonzero(in_lon)})
    values = box.to_numpy().reshape(box.sizes[time_dim], -1).astype(np.float64)
    with np.errstate(invalid="ignore"):
        sea = np.isfinite(values).any(axis=0)  # land points are NaN at every time
        mean = values[:, sea].mean(axis=1) if sea.any() else np.full(len(values), np.nan)
    times = pd.DatetimeIndex(array[time_dim].to_numpy())
    if times.tz is None:
        times = times.tz_localize("UTC")
    unit = str(array.attrs.get("units", "")).strip()
    series = Series(ERA5_VARIABLES[name], name, unit, times, mean, path, hourly=True)
    order = np.argsort(times.tz_convert(None).to_numpy(), kind="stable")
    if (order != np.arange(len(order))).any():  # the CDS writes times in order; be lenient
        series = Series(series.variable, name, unit, times[order], mean[order], path, hourly=True)
    return series


# -- Open-Meteo CSV and JSON -------------------------------------------------------------

#: Open-Meteo variable names (historical-weather and marine APIs) and the engine's
#: variables. Daily aggregates are accepted when no hourly value is given (module docstring).
OPEN_METEO_VARIABLES = {
    "wind_speed_10m": "wind_speed_m_s",
    "wind_direction_10m": "wind_from_deg",
    "wave_height": "wave_height_m",
    "sea_surface_temperature": "sea_temp_c",
    "wind_speed_10m_mean": "wind_speed_m_s",
    "wind_speed_10m_max": "wind_speed_m_s",
    "wind_direction_10m_dominant": "wind_from_deg",
    "wave_height_mean": "wave_height_m",
    "wave_height_max": "wave_height_m",
    "sea_surface_temperature_mean": "sea_temp_c",
    "sea_surface_temperature_max": "sea_temp_c",
    "sea_surface_temperature_min": "sea_temp_c",
}


def read_open_meteo(path: Path) -> list[Series]:
    """The variables of an Open-Meteo response saved as JSON (one response, or a list of
    responses as the API returns for several requests) or CSV (the API's ``format=csv``:
    a location line, then per section a blank line, ``time,<variable> (<unit>),...``)."""
    text = read_text_file(
        path, "Open-Meteo CSV or JSON file", (".csv", ".json"), MAX_WEATHER_BYTES, pipe=False
    )
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise _fail(path, f"line {error.lineno}", f"valid JSON ({error.msg})") from None
        except RecursionError:
            raise InputError(path, None, NESTED_TOO_DEEP) from None
        return open_meteo_json_series(data, path)
    return _csv_series(text, path)


def open_meteo_json_series(data: Any, path: Path) -> list[Series]:
    """The variables of parsed Open-Meteo JSON: one response or a list of responses."""
    responses = data if isinstance(data, list) else [data]
    return [s for k, r in enumerate(responses) for s in _json_series(r, path, k)]


def _json_series(response: Any, path: Path, k: int) -> list[Series]:
    where = f"response {k + 1}"
    if not isinstance(response, dict):
        raise _fail(path, where, "an Open-Meteo response (a JSON object)")
    if response.get("error"):
        raise _fail(path, where, f"data, not an API error ({response.get('reason', '?')})")
    offset = _offset(response.get("utc_offset_seconds", 0), path, where)
    out = []
    for section in ("hourly", "daily"):
        block, units = response.get(section), response.get(f"{section}_units", {})
        if block is None:
            continue
        if not isinstance(block, dict) or not isinstance(units, dict) or "time" not in block:
            raise _fail(path, f"{where}, '{section}'", "an object with 'time' and variable arrays")
        times = _times(block["time"], offset, path, f"{where}, {section}.time")
        for name, values in block.items():
            if name not in OPEN_METEO_VARIABLES:
                continue
            if not isinstance(values, list) or len(values) != len(times):
                raise _fail(
                    path,
                    f"{where}, {section}.{name}",
                    f"a list of {len(times)} values (one per time)",
                )
            numbers = _numbers(values, path, f"{where}, {section}.{name}")
            unit = str(units.get(name, ""))
            out.append(
                Series(
                    OPEN_METEO_VARIABLES[name],
                    name,
                    unit,
                    times,
                    numbers,
                    path,
                    section == "hourly",
                )
            )
    return out


def _csv_series(text: str, path: Path) -> list[Series]:
    import io

    import pandas as pd

    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if len(blocks) < 2 or not blocks[0].startswith("latitude,longitude"):
        raise _fail(
            path,
            "line 1",
            "Open-Meteo CSV: a 'latitude,longitude,...' location line, a blank line, then "
            "'time,<variable> (<unit>),...' rows",
        )
    location = pd.read_csv(io.StringIO(blocks[0]))
    offset = _offset(
        location.get("utc_offset_seconds", pd.Series([0])).iloc[0], path, "utc_offset_seconds"
    )
    out = []
    for block in blocks[1:]:
        table = pd.read_csv(io.StringIO(block), dtype=str, keep_default_na=False)
        if table.columns[0] != "time":
            raise _fail(
                path, f"section '{block.splitlines()[0][:40]}'", "a header starting with 'time'"
            )
        times = _times(list(table["time"]), offset, path, "column 'time'")
        hourly = "T" in str(table["time"].iloc[0]) if len(table) else True
        for header in table.columns[1:]:
            name, _, unit = header.partition(" (")
            if name not in OPEN_METEO_VARIABLES:
                continue
            numbers = pd.to_numeric(table[header].str.strip(), errors="coerce").to_numpy(float)
            out.append(
                Series(
                    OPEN_METEO_VARIABLES[name], name, unit.rstrip(")"), times, numbers, path, hourly
                )
            )
    return out


def _numbers(values: list[Any], path: Path, where: str) -> NDArray[np.float64]:
    """An Open-Meteo value list as floats (``null`` is a gap: NaN).

    Raises:
        InputError: naming the item (from 1) that is not a number: text, a list, an object, a
            switch (``true``) or an integer beyond a float's range.
    """
    numbers = np.empty(len(values), dtype=np.float64)
    for k, value in enumerate(values):
        if value is None:
            numbers[k] = np.nan
            continue
        try:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError
            numbers[k] = float(value)
        except (TypeError, OverflowError):
            raise _fail(
                path, f"{where} item {k + 1}", f"a number or null, got {_shown(value)}"
            ) from None
    return numbers


def _shown(value: Any) -> str:
    """``value`` as JSON shows it, cut to 40 characters (a huge integer is named by its size)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"an integer of {len(str(abs(value)))} digits"
    return json.dumps(value)[:40]


MAX_UTC_OFFSET_S = 18 * 3600  # ISO 8601's widest offset; real zones span -12 h to +14 h


def _offset(value: Any, path: Path, where: str) -> int:
    """A response's ``utc_offset_seconds``, in whole seconds within ±18 hours.

    Raises:
        InputError: naming ``where`` if it is not a whole number of seconds in that range.
    """
    expected = f"utc_offset_seconds in whole seconds within ±{MAX_UTC_OFFSET_S:,}"
    try:
        if isinstance(value, bool):
            raise TypeError
        offset = int(value)
        if offset != value:  # a fraction, or text ("3600": JSON gives numbers as numbers)
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise _fail(path, where, f"{expected}, got {_shown(value)}") from None
    if abs(offset) > MAX_UTC_OFFSET_S:
        raise _fail(path, where, f"{expected}, got {offset:,}")
    return offset


def _times(values: Any, offset_s: int, path: Path, where: str) -> pd.DatetimeIndex:
    """Open-Meteo's local times (ISO 8601, or unix seconds) as UTC."""
    import pandas as pd

    if not isinstance(values, list) or not values:
        raise _fail(path, where, "a non-empty list of times")
    try:
        if all(isinstance(v, int | float) for v in values):
            return pd.DatetimeIndex(pd.to_datetime(values, unit="s", utc=True))
        text = pd.Series(values, dtype=str).str.strip()
        local = pd.to_datetime(text, format="ISO8601")
        if (text.str.len() == 10).all():  # daily: the date itself, whatever the time zone
            offset_s = 0
    except (ValueError, TypeError):
        raise _fail(path, where, "ISO 8601 times (e.g. 2025-06-01T03:00) or unix seconds") from None
    if local.dt.tz is not None:
        return pd.DatetimeIndex(local.dt.tz_convert("UTC"))
    return pd.DatetimeIndex((local - pd.Timedelta(seconds=offset_s)).dt.tz_localize("UTC"))
