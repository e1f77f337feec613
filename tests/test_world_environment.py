"""Environment readers: the stochastic generator, weather files and the replay of real days."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from channelsim.errors import InputError
from channelsim.world.environment import (
    DailyWeather,
    ReplayWeather,
    StochasticWeather,
    WeatherFile,
    crossing_window,
    months,
    wind_components_m_s,
)
from channelsim.world.weather_fit import (
    MEAN_GAP_DAYS,
    MEAN_RUN_DAYS,
    MONTHLY_CROSSING_SHARE,
    run_lengths,
)


@pytest.fixture(scope="module")
def century() -> DailyWeather:
    days = pd.date_range("2001-01-01", "2100-12-31", freq="D")
    return StochasticWeather().daily(days, 12345)


def test_monthly_share_of_crossing_days_matches_the_series(century: DailyWeather) -> None:
    window = crossing_window(century)
    share = pd.Series(window).groupby(months(century.dates)).mean().to_numpy()
    np.testing.assert_allclose(share, MONTHLY_CROSSING_SHARE, atol=0.03)
    # Summer is calmer than winter.
    assert share[5] - share[0] > 0.2


def test_calm_days_come_in_runs(century: DailyWeather) -> None:
    runs, gaps = run_lengths(crossing_window(century))
    assert runs.mean() == pytest.approx(MEAN_RUN_DAYS, abs=0.25)
    assert gaps.mean() == pytest.approx(MEAN_GAP_DAYS, abs=0.4)
    assert runs.max() >= 10 and gaps.max() >= 14


def test_seasonal_wind_waves_and_sea_temperature(century: DailyWeather) -> None:
    month = months(century.dates)
    wind = pd.Series(century.wind_speed_kn).groupby(month).mean()
    assert wind[1] > wind[7] + 4
    sea = pd.Series(century.sea_temp_c).groupby(month).mean()
    assert sea[2] == pytest.approx(7.0, abs=0.6) and sea[8] == pytest.approx(18.0, abs=0.6)
    assert (century.wave_height_m >= 0).all()
    assert np.corrcoef(century.wind_speed_kn, century.wave_height_m)[0, 1] > 0.7
    # Prevailing south-westerlies: more winds from SW than from NE.
    sw = ((century.wind_from_deg > 180) & (century.wind_from_deg < 270)).mean()
    ne = ((century.wind_from_deg > 0) & (century.wind_from_deg < 90)).mean()
    assert sw > 2 * ne


def test_same_seed_same_weather_and_any_subset_or_period_agrees() -> None:
    days = pd.date_range("2024-01-01", "2024-03-31")
    a = StochasticWeather().daily(days, 1)
    b = StochasticWeather().daily(days, 1)
    np.testing.assert_array_equal(a.wind_speed_kn, b.wind_speed_kn)
    np.testing.assert_array_equal(a.wave_height_m, b.wave_height_m)
    # Each day's weather is a function of the seed and the day: any subset, a shorter or a
    # later period gives the same values on the same days, bit for bit.
    for part in (days[::7], days[:20], days[45:], days[[3]]):
        c = StochasticWeather().daily(part, 1)
        index = days.get_indexer(part)
        for field in ("wind_speed_kn", "wind_from_deg", "wave_height_m", "sea_temp_c"):
            np.testing.assert_array_equal(getattr(c, field), getattr(a, field)[index])
    assert not np.array_equal(StochasticWeather().daily(days, 2).wind_speed_kn, a.wind_speed_kn)


def test_a_reader_keeps_its_dates_calendar_and_gives_each_caller_its_own_arrays() -> None:
    """The seeds of a period share what its dates give (days, wind scales, sea temperature):
    the weather is the same bits as a fresh reader's, and writing into one day's arrays
    reaches neither the reader's kept ones nor the next caller's."""
    days = pd.date_range("2025-01-01", "2025-12-31")
    reader = StochasticWeather()
    first = reader.daily(days, 3)
    first.sea_temp_c[:] = -99.0
    first.wind_speed_kn[:] = -99.0
    again = reader.daily(days, 3)
    fresh = StochasticWeather().daily(days, 3)
    for field in ("wind_speed_kn", "wind_from_deg", "wave_height_m", "sea_temp_c"):
        np.testing.assert_array_equal(getattr(again, field), getattr(fresh, field))
    other = reader.daily(days[40:60], 3)  # other dates: their own calendar
    np.testing.assert_array_equal(other.sea_temp_c, fresh.sea_temp_c[40:60])
    np.testing.assert_array_equal(other.wind_speed_kn, fresh.wind_speed_kn[40:60])


def test_wind_components_point_downwind() -> None:
    u, v = wind_components_m_s(np.array([10.0, 10.0]), np.array([225.0, 0.0]))
    assert u[0] > 0 and v[0] > 0  # a south-westerly blows towards the north-east
    assert u[1] == pytest.approx(0.0, abs=1e-12) and v[1] < 0


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "weather.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_weather_file_daily(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "time,wind_speed_kn,wind_from_deg,wave_height_m,sea_temp_c\n"
        "2024-06-01,8,225,0.4,14\n2024-06-02,20,270,1.5,14.2\n",
    )
    w = WeatherFile(path).daily(pd.DatetimeIndex(["2024-06-02", "2024-06-01"]), 0)
    np.testing.assert_allclose(w.wind_speed_kn, [20, 8])
    np.testing.assert_allclose(w.wind_from_deg, [270, 225])
    np.testing.assert_array_equal(crossing_window(w), [False, True])


def test_weather_file_hourly_uses_the_night_and_morning(tmp_path: Path) -> None:
    rows = ["time,wind_u_m_s,wind_v_m_s,wave_height_m,sea_temp_c"]
    for hour in range(24):
        u = 2.0 if hour < 12 else 20.0  # calm until noon, then a gale
        rows.append(f"2024-07-01T{hour:02d}:00:00Z,{u},0,0.3,16")
    w = WeatherFile(_write(tmp_path, "\n".join(rows) + "\n")).daily(
        pd.DatetimeIndex(["2024-07-01"]), 0
    )
    assert w.wind_speed_kn[0] == pytest.approx(2.0 / (1852 / 3600))
    assert w.wind_from_deg[0] == pytest.approx(270.0)  # blowing towards the east


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("time,wind_speed_kn,wave_height_m,sea_temp_c\n2024-01-01,5,0.2,8\n", "wind_from_deg"),
        ("time,wind_speed_kn,wind_from_deg,wave_height_m,sea_temp_c\nxx,5,10,0.2,8\n", "row 2"),
        (
            "time,wind_speed_kn,wind_from_deg,wave_height_m,sea_temp_c\n"
            "2024-01-01,5,10,0.2,8\n2024-01-02,5,10,-1,8\n",
            "row 3, column 'wave_height_m'",
        ),
        (
            "time,wind_speed_kn,wind_from_deg,wave_height_m,sea_temp_c\n2024-01-01,5,400,0.2,8\n",
            "wind_from_deg",
        ),
    ],
)
def test_weather_file_errors_name_the_place(tmp_path: Path, text: str, where: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        WeatherFile(path)
    assert str(path) in str(info.value) and where in str(info.value)


def test_weather_file_missing_date(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "time,wind_speed_kn,wind_from_deg,wave_height_m,sea_temp_c\n2024-01-01,5,10,0.2,8\n",
    )
    with pytest.raises(InputError, match="2024-01-02"):
        WeatherFile(path).daily(pd.date_range("2024-01-01", periods=2), 0)


def test_replay_weather_agrees_with_the_observed_days() -> None:
    days = pd.date_range("2023-01-01", "2023-12-31")
    rng = np.random.default_rng(5)
    observed = pd.Series(rng.random(len(days)) < 0.4, index=days)
    replay = ReplayWeather(observed, StochasticWeather())
    w = replay.daily(days, 9)
    np.testing.assert_array_equal(crossing_window(w), observed.to_numpy())
    assert w.observed_crossing is not None
    np.testing.assert_array_equal(w.observed_crossing, observed.to_numpy())
    # Calm days stay plausible: not all at zero wind.
    assert w.wind_speed_kn[observed.to_numpy()].mean() > 3.0
    with pytest.raises(InputError, match="2024-01-01"):
        replay.daily(pd.DatetimeIndex(["2024-01-01"]), 0)
    # A shorter period gives the same days.
    june = days[(days >= "2023-06-01") & (days <= "2023-06-30")]
    part = replay.daily(june, 9)
    np.testing.assert_array_equal(part.wind_speed_kn, w.wind_speed_kn[days.get_indexer(june)])


def test_weather_file_times_may_mix_iso_8601_forms(tmp_path: Path) -> None:
    """Each row may use its own ISO 8601 form: a date, minutes, seconds, a 'Z' or an offset."""
    header = "time,wind_speed_kn,wind_from_deg,wave_height_m,sea_temp_c\n"
    rows = [
        "2025-06-01,4,200,0.3,15",
        "2025-06-02 01:00,6,200,0.3,15",
        "2025-06-02T03:00:30,8,200,0.3,15",
        "2025-06-03T02:00:00Z,10,200,0.3,15",
        "2025-06-04T04:00:00+00:00,12,200,0.3,15",
    ]
    w = WeatherFile(_write(tmp_path, header + "\n".join(rows) + "\n")).daily(
        pd.date_range("2025-06-01", "2025-06-04"), 0
    )
    np.testing.assert_allclose(w.wind_speed_kn, [4, 7, 10, 12])


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("wave_height_m", "45", "a wave height in metres from 0 to 20 (centimetres?), got '45'"),
        ("wind_speed_kn", "514", "a wind speed in knots from 0 to 100 (another unit?), got '514'"),
        ("wind_speed_kn", "-3", "a wind speed in knots from 0 to 100"),
        ("sea_temp_c", "288", "a sea temperature in °C from -2 to 35, got '288'"),
        ("wind_u_m_s", "850", "a wind component in m/s within ±51.4"),
        ("wind_v_m_s", "-60", "a wind component in m/s within ±51.4"),
    ],
)
def test_weather_values_outside_physical_bounds_are_refused(
    tmp_path: Path, column: str, value: str, expected: str
) -> None:
    """Waves in cm or wind in cm/s used to pass and give a year without a crossing."""
    uv = column.startswith("wind_") and column.endswith("_m_s")
    columns = ["time", "wind_u_m_s", "wind_v_m_s"] if uv else ["time", "wind_speed_kn"]
    columns += ["wind_from_deg", "wave_height_m", "sea_temp_c"] if not uv else []
    columns += ["wave_height_m", "sea_temp_c"] if uv else []
    good = {"wind_speed_kn": "8", "wind_u_m_s": "3", "wind_v_m_s": "1", "wind_from_deg": "200",
            "wave_height_m": "0.4", "sea_temp_c": "15"}  # fmt: skip
    lines = [",".join(columns)]
    for day, cell in (("2025-06-01", good[column]), ("2025-06-02", value)):
        lines.append(",".join([day, *({**good, column: cell}[c] for c in columns[1:])]))
    path = _write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        WeatherFile(path)
    assert str(info.value).startswith(f"{path}: row 3, column '{column}': expected {expected}")


def test_a_weather_path_that_is_a_folder_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected a weather file, got a folder"):
        WeatherFile(tmp_path)


WEATHER_EXPECTED = (
    "expected a CSV weather file with columns time, wind_speed_kn + wind_from_deg (or "
    "wind_u_m_s + wind_v_m_s), wave_height_m, sea_temp_c and a row for each day (or hour), got "
)


@pytest.mark.parametrize(
    ("content", "got"),
    [
        (b"", "an empty file"),  # read "a readable CSV file (No columns to parse from file)"
        (b"time,wind_speed_kn,wind_from_deg,wave_height_m,sea_temp_c\n", "the header only"),
        (b'time,wind_speed_kn\n"2025-06-01,4\n', "Error tokenizing data"),
    ],
)
def test_a_weather_file_that_is_no_table_says_what_was_expected(
    tmp_path: Path, content: bytes, got: str
) -> None:
    """One line naming the file, the columns and rows expected, and what the file is instead."""
    path = tmp_path / "w.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        WeatherFile(path)
    assert str(info.value).startswith(f"{path}: {WEATHER_EXPECTED}{got}"), str(info.value)
    assert "\n" not in str(info.value)
