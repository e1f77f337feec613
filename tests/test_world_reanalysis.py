"""Reanalysis readers: ERA5 NetCDF and Open-Meteo CSV/JSON, written here in the shapes the
CDS and the Open-Meteo APIs deliver, read into the engine's daily weather."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from channelsim.engine import Sim
from channelsim.errors import InputError
from channelsim.scenario import load_scenario
from channelsim.world.environment import KNOT_M_S, ReaderRequest, make_reader
from channelsim.world.reanalysis import ReanalysisWeather, read_era5, read_open_meteo
from open_meteo_samples import HOURS, _iso, archive_response, hourly_u, marine_response, to_csv

xr = pytest.importorskip("xarray")
pytest.importorskip("netCDF4")

LATS = np.array([51.5, 51.25, 51.0, 50.75, 50.5])  # ERA5 order: north to south
LONS = np.array([0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25])


def era5_dataset(**changes: Any) -> Any:
    """ERA5 single levels as the CDS writes them (valid_time, latitude, longitude)."""
    shape = (len(HOURS), len(LATS), len(LONS))
    u = np.broadcast_to(hourly_u(HOURS)[:, None, None], shape).copy()
    swh = np.full(shape, 0.6)
    swh[:, 2, 3] = 0.9  # one sea point differs: the area mean is not one point's value
    swh[:, 0, 1] = np.nan  # a land point: no waves
    sst = np.full(shape, 288.15)  # 15 °C in kelvin
    sst[:, 0, 1] = np.nan
    variables = {
        "u10": (u, "m s**-1"),
        "v10": (u.copy(), "m s**-1"),
        "swh": (swh, "m"),
        "sst": (sst, "K"),
    }
    data_vars = {
        name: (("valid_time", "latitude", "longitude"), values, {"units": unit})
        for name, (values, unit) in variables.items()
    }
    ds = xr.Dataset(
        data_vars,
        coords={"valid_time": HOURS, "latitude": LATS, "longitude": LONS, "number": 0},
    )
    for name, value in changes.items():
        if value is None:
            ds = ds.drop_vars(name)
        else:
            ds[name] = value(ds[name])
    return ds


def write_era5(tmp_path: Path, name: str = "era5.nc", **changes: Any) -> Path:
    path = tmp_path / name
    era5_dataset(**changes).to_netcdf(path, engine="netcdf4")
    return path


def box_mean(values: np.ndarray) -> float:
    """Mean over the sea points of the strait box (50.7–51.3° N, 1.0–2.0° E)."""
    lat = (LATS >= 50.7) & (LATS <= 51.3)
    lon = (LONS >= 1.0) & (LONS <= 2.0)
    return float(np.nanmean(values[np.ix_(lat, lon)]))


def test_era5_daily_weather_is_the_night_morning_mean_over_the_strait(tmp_path: Path) -> None:
    reader = ReanalysisWeather(write_era5(tmp_path), read_era5)
    w = reader.daily(pd.date_range("2025-06-01", periods=3), seed=0)
    u = hourly_u(HOURS).reshape(3, 24)[:, :12]  # 00:00–11:59 UTC of each day
    speed_kn = (np.sqrt(2.0) * u).mean(axis=1) / KNOT_M_S
    np.testing.assert_allclose(w.wind_speed_kn, speed_kn, rtol=1e-6)
    np.testing.assert_allclose(w.wind_from_deg, 225.0)  # blowing towards the north-east
    swh = np.full((len(LATS), len(LONS)), 0.6)
    swh[2, 3], swh[0, 1] = 0.9, np.nan
    np.testing.assert_allclose(w.wave_height_m, box_mean(swh), rtol=1e-6)
    assert 0.6 < w.wave_height_m[0] < 0.9
    np.testing.assert_allclose(w.sea_temp_c, 15.0, atol=1e-4)  # kelvin converted


def test_era5_wave_variables_in_a_file_of_their_own(tmp_path: Path) -> None:
    """The CDS delivers wave variables (swh) apart from the atmosphere's: a list of files."""
    atmosphere = write_era5(tmp_path, "atmos.nc", swh=None)
    waves = write_era5(tmp_path, "wave.nc", u10=None, v10=None, sst=None)
    both = ReanalysisWeather([atmosphere, waves], read_era5).daily(["2025-06-02"], 0)
    one = ReanalysisWeather(write_era5(tmp_path), read_era5).daily(["2025-06-02"], 0)
    assert both.to_frame().equals(one.to_frame())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"swh": None}, "swh (ERA5) or wave_height"),
        ({"sst": lambda a: a.assign_attrs(units="degF")}, "variable 'sst': expected units"),
        ({"swh": lambda a: a * 100}, "variable 'swh' at 2025-06-01T00:00: expected a value from 0"),
        ({"u10": lambda a: a.where(a.valid_time != HOURS[30])}, "none at 2025-06-02T06:00"),
    ],
)
def test_era5_faults_are_one_line_naming_file_and_variable(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    path = write_era5(tmp_path, **changes)
    with pytest.raises(InputError, match=None) as error:
        ReanalysisWeather(path, read_era5)
    text = str(error.value)
    assert str(path) in text and message in text and "\n" not in text


def test_era5_gap_in_time_and_dates_outside_the_file(tmp_path: Path) -> None:
    ds = era5_dataset().drop_sel(valid_time=[HOURS[40]])
    gap = tmp_path / "gap.nc"
    ds.to_netcdf(gap, engine="netcdf4")
    with pytest.raises(
        InputError, match=r"without gaps \(after 2025-06-02T15:00 comes 2025-06-02T17"
    ):
        ReanalysisWeather(gap, read_era5)
    reader = ReanalysisWeather(write_era5(tmp_path), read_era5)
    with pytest.raises(InputError, match="date 2025-06-04: expected weather for every simulated"):
        reader.daily(pd.date_range("2025-06-03", periods=2), 0)


def test_a_file_that_is_not_netcdf(tmp_path: Path) -> None:
    path = tmp_path / "era5.nc"
    path.write_text("time,u10\n2025-06-01,3\n")
    with pytest.raises(InputError, match=r"era5.nc: expected a NetCDF file"):
        ReanalysisWeather(path, read_era5)
    with pytest.raises(InputError, match=r"none.nc: file not found"):
        ReanalysisWeather(tmp_path / "none.nc", read_era5)


# -- Open-Meteo ------------------------------------------------------------------------------


def expected_open_meteo() -> pd.DataFrame:
    u = hourly_u(HOURS).reshape(3, 24)[:, :12]
    return pd.DataFrame(
        {
            "wind_speed_kn": (np.sqrt(2.0) * u).mean(axis=1) / KNOT_M_S,
            "wind_from_deg": 225.0,
            "wave_height_m": 0.5,  # the afternoon's 1.5 m is outside the crossing hours
            "sea_temp_c": 15.5,
        }
    )


def check(w: Any, expected: pd.DataFrame) -> None:
    got = w.to_frame().drop(columns="date")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, atol=1e-3, rtol=1e-4)


DAYS = pd.date_range("2025-06-01", periods=3)


def test_open_meteo_json_list_of_archive_and_marine_responses(tmp_path: Path) -> None:
    path = tmp_path / "om.json"
    path.write_text(json.dumps([archive_response(), marine_response()]))
    check(ReanalysisWeather(path, read_open_meteo).daily(DAYS, 0), expected_open_meteo())


@pytest.mark.parametrize(
    ("unit", "factor"), [("m/s", 1.0), ("kn", 1 / KNOT_M_S), ("mp/h", 2.23694)]
)
def test_open_meteo_csv_files_in_any_wind_unit(tmp_path: Path, unit: str, factor: float) -> None:
    archive, marine = tmp_path / "archive.csv", tmp_path / "marine.csv"
    archive.write_text(to_csv(archive_response(unit, factor)))
    marine.write_text(to_csv(marine_response()))
    check(
        ReanalysisWeather([archive, marine], read_open_meteo).daily(DAYS, 0), expected_open_meteo()
    )


def test_open_meteo_local_time_is_shifted_to_utc(tmp_path: Path) -> None:
    """A response in Europe/Paris time (+2 h in June) gives the same UTC days."""
    archive, marine = archive_response(), marine_response()
    for r in (archive, marine):
        r["utc_offset_seconds"] = 7200
        r["hourly"]["time"] = _iso(HOURS + pd.Timedelta(hours=2))
    path = tmp_path / "om.json"
    path.write_text(json.dumps([archive, marine]))
    check(ReanalysisWeather(path, read_open_meteo).daily(DAYS, 0), expected_open_meteo())


def test_open_meteo_daily_values(tmp_path: Path) -> None:
    daily = {
        "latitude": 51.0,
        "longitude": 1.5,
        "utc_offset_seconds": 3600,
        "daily_units": {
            "time": "iso8601",
            "wind_speed_10m_max": "km/h",
            "wind_direction_10m_dominant": "°",
            "wave_height_max": "m",
            "sea_surface_temperature_mean": "°C",
        },
        "daily": {
            "time": ["2025-06-01", "2025-06-02"],
            "wind_speed_10m_max": [18.52, 37.04],  # 10 and 20 kn
            "wind_direction_10m_dominant": [270, 90],
            "wave_height_max": [0.4, 1.2],
            "sea_surface_temperature_mean": [14.0, 14.5],
        },
    }
    path = tmp_path / "daily.json"
    path.write_text(json.dumps(daily))
    w = ReanalysisWeather(path, read_open_meteo).daily(["2025-06-01", "2025-06-02"], 0)
    np.testing.assert_allclose(w.wind_speed_kn, [10.0, 20.0], rtol=1e-4)
    np.testing.assert_allclose(w.wind_from_deg, [270.0, 90.0], atol=1e-6)
    np.testing.assert_allclose(w.wave_height_m, [0.4, 1.2])
    np.testing.assert_allclose(w.sea_temp_c, [14.0, 14.5])


def _broken(kind: str) -> Any:
    archive, marine = archive_response(), marine_response()
    if kind == "unit":
        archive["hourly_units"]["wind_speed_10m"] = "Beaufort"
    elif kind == "null":
        marine["hourly"]["wave_height"][5] = None
    elif kind == "missing":
        del marine["hourly"]["sea_surface_temperature"]
    elif kind == "short":
        marine["hourly"]["wave_height"] = marine["hourly"]["wave_height"][:-1]
    elif kind == "error":
        return {"error": True, "reason": "Cannot initialize WeatherVariable from invalid String"}
    elif kind in ODD_VALUES:
        archive["hourly"]["wind_speed_10m"][3] = ODD_VALUES[kind]
    elif kind in ODD_OFFSETS:
        archive["utc_offset_seconds"] = ODD_OFFSETS[kind]
    return [archive, marine]


# one odd item in a value list, or an odd offset (the breaker's trial: each was a traceback)
ODD_VALUES: dict[str, Any] = {"text": "abc", "list": [1, 2], "object": {"a": 1}, "switch": True,
                              "huge": 10**400}  # fmt: skip
ODD_OFFSETS: dict[str, Any] = {"offset-inf": float("inf"), "offset-huge": 10**25,
                               "offset-fraction": 1800.5, "offset-switch": True,
                               "offset-text": "3600"}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("unit", "variable 'wind_speed_10m': expected units 'm/s' or"),
        (
            "null",
            "variable 'wave_height': expected a value at every time (none at 2025-06-01T05:00",
        ),
        ("missing", "expected sea surface temperature in one of the files"),
        ("short", "response 2, hourly.wave_height: expected a list of 72 values"),
        ("error", "response 1: expected data, not an API error (Cannot initialize"),
        ("text", 'response 1, hourly.wind_speed_10m item 4: expected a number or null, got "abc"'),
        ("list", "hourly.wind_speed_10m item 4: expected a number or null, got [1, 2]"),
        ("object", 'hourly.wind_speed_10m item 4: expected a number or null, got {"a": 1}'),
        ("switch", "hourly.wind_speed_10m item 4: expected a number or null, got true"),
        ("huge", "item 4: expected a number or null, got an integer of 401 digits"),
        ("offset-inf", "response 1: expected utc_offset_seconds in whole seconds within ±64,800"),
        ("offset-huge", "within ±64,800, got 10,000,000,000,000,000,000,000,000"),
        ("offset-fraction", "within ±64,800, got 1800.5"),
        ("offset-switch", "within ±64,800, got true"),
        ("offset-text", 'within ±64,800, got "3600"'),
    ],
)
def test_open_meteo_faults_are_one_line(tmp_path: Path, kind: str, message: str) -> None:
    path = tmp_path / "om.json"
    path.write_text(json.dumps(_broken(kind)))
    with pytest.raises(InputError) as error:
        ReanalysisWeather(path, read_open_meteo)
    text = str(error.value)
    assert str(path) in text and message in text and "\n" not in text, text


def test_open_meteo_malformed_files(tmp_path: Path) -> None:
    bad_json = tmp_path / "a.json"
    bad_json.write_text('{"hourly": {"time": [}')
    with pytest.raises(InputError, match=r"a.json: line 1: expected valid JSON"):
        ReanalysisWeather(bad_json, read_open_meteo)
    bad_csv = tmp_path / "b.csv"
    bad_csv.write_text("time,wind_speed_10m\n2025-06-01T00:00,3\n")
    with pytest.raises(InputError, match=r"b.csv: line 1: expected Open-Meteo CSV"):
        ReanalysisWeather(bad_csv, read_open_meteo)


def test_a_variable_given_twice_is_refused(tmp_path: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text(json.dumps([archive_response(), marine_response()]))
    two.write_text(json.dumps(marine_response()))
    with pytest.raises(InputError, match="expected each variable in one file only"):
        ReanalysisWeather([one, two], read_open_meteo)


# -- a scenario names reanalysis weather ------------------------------------------------------


def test_a_scenario_runs_on_era5_and_open_meteo_weather(tmp_path: Path) -> None:
    write_era5(tmp_path, "atmos.nc", swh=None)
    write_era5(tmp_path, "wave.nc", u10=None, v10=None, sst=None)
    (tmp_path / "om.json").write_text(json.dumps([archive_response(), marine_response()]))
    head = 'name = "t"\nstart = 2025-06-01\nend = 2025-06-03\nseed = 3\n[weather]\n'
    (tmp_path / "era5.toml").write_text(head + 'mode = "era5"\npath = ["atmos.nc", "wave.nc"]\n')
    (tmp_path / "om.toml").write_text(head + 'mode = "open-meteo"\npath = "om.json"\n')
    era5 = Sim(load_scenario(tmp_path / "era5.toml")).run().daily
    reader = make_reader(
        ReaderRequest("era5", (str(tmp_path / "atmos.nc"), str(tmp_path / "wave.nc")))
    )
    np.testing.assert_allclose(era5["wind_speed_kn"], reader.daily(DAYS, 0).wind_speed_kn)
    om = Sim(load_scenario(tmp_path / "om.toml")).run().daily
    np.testing.assert_allclose(om["wave_height_m"], 0.5)
    np.testing.assert_allclose(om["sea_temp_c"], 15.5)
    # the period outside the file: one line naming the file and the first missing date
    late = Sim(load_scenario(tmp_path / "om.toml"), end=dt.date(2025, 6, 5))
    with pytest.raises(InputError, match=r"om.json: date 2025-06-04: expected weather"):
        late.run()


def test_only_reanalysis_modes_take_a_list_of_paths(tmp_path: Path) -> None:
    (tmp_path / "w.csv").write_text("time\n")
    text = 'name = "t"\nstart = 2025-06-01\nend = 2025-06-03\n[weather]\nmode = "file"\n'
    (tmp_path / "s.toml").write_text(text + 'path = ["w.csv", "w.csv"]\n')
    with pytest.raises(InputError, match="weather: mode 'file' takes one path, not a list"):
        load_scenario(tmp_path / "s.toml")
