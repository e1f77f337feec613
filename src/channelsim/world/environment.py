"""Environment readers: daily weather at sea for the simulation, from one small interface.

Like OpenDrift's readers, every source of weather answers the same call,
``reader.daily(dates, seed) -> DailyWeather``, so a stochastic generator, a weather file or
a replay of the real crossing days can be swapped without touching the engine. A stochastic
reader's value on a day is a pure function of the seed and that day (counter-based draws
keyed by the day, ``channelsim.rng``): a shorter period gives the longer one's days bit for
bit. Readers are
found by the scenario's ``[weather] mode`` in a registry (:func:`register_reader`,
:func:`make_reader`): a new source (a reanalysis file, say) is one reader class and one
``register_reader`` call.

Daily values describe the night and morning when boats leave and cross (00:00–12:00 UTC).
Wind is the 10 m wind in knots with its meteorological direction (where it blows *from*);
waves are the significant wave height mid-strait.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from channelsim.errors import InputError
from channelsim.streams import EPOCH, stream_id
from channelsim.textfile import MAX_WEATHER_BYTES, read_text_file

if TYPE_CHECKING:
    import pandas as pd

KNOT_M_S = 1852.0 / 3600.0
GRAVITY_M_S2 = 9.81

# Crossing-suitability thresholds. Press reports put the limit at about 0.5 m of waves and
# 12 kn of wind at the beach; mid-strait significant wave height runs higher than at a
# sheltered beach, hence 0.75 m (assumption; range 0.5–1.0 m; wind range 10–15 kn).
DEFAULT_MAX_WIND_KN = 12.0
DEFAULT_MAX_WAVE_HEIGHT_M = 0.75

CROSSING_HOURS_UTC = range(0, 12)

# Physical bounds of a weather file's values; beyond them a column is in another unit (waves
# in cm, wind in cm/s or km/h) or corrupt. Waves: the highest significant wave height on
# record is 19 m (WMO, North Atlantic buoy, 2013). Wind: 100 kn is far above hurricane force
# (64 kn), more than any daily mean over the Dover Strait.
MAX_WIND_SPEED_KN = 100.0
MAX_WAVE_HEIGHT_M = 20.0
SEA_TEMP_RANGE_C = (-2.0, 35.0)


def as_dates(dates: Any) -> NDArray[np.datetime64]:
    """Dates as a NumPy ``datetime64[D]`` array (from dates, a pandas index, strings...)."""
    values = np.asarray(dates)
    if values.dtype.kind != "M":
        values = np.array([np.datetime64(str(d)[:10], "D") for d in values.ravel()])
    return values.astype("datetime64[D]")


def absolute_days(dates: NDArray[np.datetime64]) -> NDArray[np.int64]:
    """Days since ``channelsim.rng.EPOCH`` (2018-01-01): the day key of every draw."""
    return (dates - np.datetime64(EPOCH, "D")).astype(np.int64)


def months(dates: NDArray[np.datetime64]) -> NDArray[np.int64]:
    """Calendar month, 1–12."""
    return dates.astype("datetime64[M]").astype(np.int64) % 12 + 1


@dataclass(frozen=True)
class DailyWeather:
    """One value per date (``datetime64[D]``); all arrays have the length of ``dates``."""

    dates: NDArray[np.datetime64]
    wind_speed_kn: NDArray[np.float64]
    wind_from_deg: NDArray[np.float64]
    wave_height_m: NDArray[np.float64]
    sea_temp_c: NDArray[np.float64]
    observed_crossing: NDArray[np.bool_] | None = None

    def __post_init__(self) -> None:
        n = len(self.dates)
        arrays: list[NDArray[Any]] = [
            self.wind_speed_kn,
            self.wind_from_deg,
            self.wave_height_m,
            self.sea_temp_c,
        ]
        if self.observed_crossing is not None:
            arrays.append(self.observed_crossing)
        if any(len(a) != n for a in arrays):
            raise ValueError("DailyWeather arrays must all have the length of dates")

    def wind_towards_m_s(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Wind velocity (east, north) in m/s, i.e. the direction the wind blows towards."""
        return wind_components_m_s(self.wind_speed_kn, self.wind_from_deg)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(
            {
                "date": self.dates,
                "wind_speed_kn": self.wind_speed_kn,
                "wind_from_deg": self.wind_from_deg,
                "wave_height_m": self.wave_height_m,
                "sea_temp_c": self.sea_temp_c,
            }
        )
        if self.observed_crossing is not None:
            frame["observed_crossing"] = self.observed_crossing
        return frame


class EnvironmentReader(Protocol):
    """Anything that gives daily weather for a set of dates (``seed``: the run's seed, for
    readers that draw)."""

    def daily(self, dates: Any, seed: int) -> DailyWeather: ...


def wind_components_m_s(
    speed_kn: NDArray[np.float64], from_deg: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(east, north) velocity in m/s of a wind of ``speed_kn`` blowing from ``from_deg``."""
    rad = np.radians(from_deg)
    speed = np.asarray(speed_kn, dtype=np.float64) * KNOT_M_S
    return -speed * np.sin(rad), -speed * np.cos(rad)


def crossing_window(
    weather: DailyWeather,
    max_wind_kn: float = DEFAULT_MAX_WIND_KN,
    max_wave_height_m: float = DEFAULT_MAX_WAVE_HEIGHT_M,
) -> NDArray[np.bool_]:
    """Days calm enough for a crossing: wind and waves both at or below the thresholds."""
    return (weather.wind_speed_kn <= max_wind_kn) & (weather.wave_height_m <= max_wave_height_m)


def wave_height_m(
    wind_speed_kn: NDArray[np.float64],
    wind_from_deg: NDArray[np.float64],
    fetch_km: Sequence[float],
) -> NDArray[np.float64]:
    """Significant wave height of a wind sea, fetch-limited and capped at full development.

    Fetch-limited (SPM/JONSWAP): Hs = 1.6e-3 · U · sqrt(F / g); fully developed:
    Hs = 0.243 · U² / g (U in m/s, F in m). The fetch is read from eight 45° sectors of the
    direction the wind comes from (N, NE, E, ..., NW).
    """
    u = np.asarray(wind_speed_kn, dtype=np.float64) * KNOT_M_S
    sector = np.rint(np.asarray(wind_from_deg) / 45.0).astype(np.int64) % 8
    fetch_m = np.asarray(fetch_km, dtype=np.float64)[sector] * 1000.0
    limited = 1.6e-3 * u * np.sqrt(fetch_m / GRAVITY_M_S2)
    developed = 0.243 * u**2 / GRAVITY_M_S2
    return np.minimum(limited, developed)


def _mid_month_interpolation(
    dates: NDArray[np.datetime64], monthly: Sequence[float]
) -> NDArray[np.float64]:
    """Periodic linear interpolation of twelve mid-month values to each date."""
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.float64) + 0.5
    mid = (np.arange(12) + 0.5) * 365.25 / 12.0
    values = np.asarray(monthly, dtype=np.float64)
    xp = np.concatenate([mid - 365.25, mid, mid + 365.25])
    return np.interp(day_of_year, xp, np.tile(values, 3))


@dataclass(frozen=True)
class WeatherConfig:
    """Parameters of :class:`StochasticWeather` (defaults in ``data/weather.json``).

    Wind speed: a latent standard-normal AR(1) series (``wind_persistence`` = lag-1
    correlation) mapped through the month's Weibull distribution (``wind_scale_kn`` per
    month, ``wind_shape``). Direction: an AR(1) around ``wind_from_mean_deg``. Waves: from
    wind and fetch (:func:`wave_height_m`) times a log-normal factor. The monthly Weibull
    scales and the persistence were fitted (``channelsim.world.weather_fit``) so that the
    default crossing window reproduces the monthly share of crossing days and the mean run
    of consecutive crossing days in the Home Office series.
    """

    wind_scale_kn: tuple[float, ...]
    wind_shape: float
    wind_persistence: float
    wind_from_mean_deg: float
    wind_from_persistence: float
    wind_from_sd_deg: float
    fetch_km: tuple[float, ...]
    wave_noise_sd: float
    sea_temp_c: tuple[float, ...]
    fitted_to: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def default(cls) -> WeatherConfig:
        """The fitted configuration of ``data/weather.json`` (read once)."""
        return _default_weather_config()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> WeatherConfig:
        return cls(
            wind_scale_kn=tuple(raw["wind_scale_kn"]),
            wind_shape=float(raw["wind_shape"]),
            wind_persistence=float(raw["wind_persistence"]),
            wind_from_mean_deg=float(raw["wind_from_mean_deg"]),
            wind_from_persistence=float(raw["wind_from_persistence"]),
            wind_from_sd_deg=float(raw["wind_from_sd_deg"]),
            fetch_km=tuple(raw["fetch_km"]),
            wave_noise_sd=float(raw["wave_noise_sd"]),
            sea_temp_c=tuple(raw["sea_temp_c"]),
            fitted_to=dict(raw.get("fitted_to", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "wind_scale_kn": list(self.wind_scale_kn),
            "wind_shape": self.wind_shape,
            "wind_persistence": self.wind_persistence,
            "wind_from_mean_deg": self.wind_from_mean_deg,
            "wind_from_persistence": self.wind_from_persistence,
            "wind_from_sd_deg": self.wind_from_sd_deg,
            "fetch_km": list(self.fetch_km),
            "wave_noise_sd": self.wave_noise_sd,
            "sea_temp_c": list(self.sea_temp_c),
            "fitted_to": self.fitted_to,
        }


@functools.cache
def _default_weather_config() -> WeatherConfig:
    text = resources.files("channelsim.world").joinpath("data/weather.json").read_text("utf-8")
    return WeatherConfig.from_dict(json.loads(text))


class _Calendar(NamedTuple):
    """See :meth:`StochasticWeather.calendar`."""

    days: NDArray[np.int64]
    wind_scale_kn: NDArray[np.float64]
    sea_temp_c: NDArray[np.float64]


_WIND, _DIRECTION, _WAVES = (
    stream_id(name) for name in ("weather.wind", "weather.direction", "weather.waves")
)


class StochasticWeather:
    """Seasonal, persistent synthetic weather (see :class:`WeatherConfig`), drawn from the
    weather stage's streams ``weather.wind``, ``weather.direction`` and ``weather.waves``."""

    def __init__(self, config: WeatherConfig | None = None) -> None:
        self.config = config if config is not None else WeatherConfig.default()
        self._calendar: tuple[bytes, _Calendar] | None = None  # the last dates asked for

    def daily(self, dates: Any, seed: int) -> DailyWeather:
        """Weather for ``dates``; each day's value depends only on the seed and the day."""
        return self.candidate(dates, seed, 0)

    def candidate(self, dates: Any, seed: int, key: int) -> DailyWeather:
        """Candidate series ``key`` (0 is :meth:`daily`'s): independent of the others."""
        dates = as_dates(dates)
        c = self.config
        if dates.size == 0:
            empty = np.zeros(0)
            return DailyWeather(dates, empty, empty.copy(), empty.copy(), empty.copy())
        from channelsim.rng import keyed_ar1  # here: the draws load Numba, the readers not
        from channelsim.world.weather_draws import keyed_normals, weibull_of_normal

        days, scale, sea = self.calendar(dates)
        z = keyed_ar1(seed, _WIND, days, c.wind_persistence, key)
        d = keyed_ar1(seed, _DIRECTION, days, c.wind_from_persistence, key)
        eps_wave = keyed_normals(int(seed), _WAVES, int(key), days)
        wind_kn = weibull_of_normal(z, scale, c.wind_shape)
        from_deg = np.mod(c.wind_from_mean_deg + c.wind_from_sd_deg * d, 360.0)
        waves = wave_height_m(wind_kn, from_deg, c.fetch_km) * np.exp(
            c.wave_noise_sd * eps_wave - 0.5 * c.wave_noise_sd**2
        )
        return DailyWeather(dates, wind_kn, from_deg, waves, sea.copy())

    def calendar(self, dates: NDArray[np.datetime64]) -> _Calendar:
        """What the weather of ``dates`` (``datetime64[D]``, not empty) takes from the
        calendar alone, whatever the seed: the absolute days (the draws' keys), each day's
        Weibull scale of the wind (its month's) and sea temperature. Kept for the last dates
        asked for: the runs of a scenario ask for the same ones (these took a fifth of a
        2025 year's set-up)."""
        key = dates.tobytes()
        if self._calendar is not None and self._calendar[0] == key:
            return self._calendar[1]
        c = self.config
        days = np.ascontiguousarray(absolute_days(dates), np.int64)
        scale = np.asarray(c.wind_scale_kn)[months(dates) - 1]
        sea = _mid_month_interpolation(dates, c.sea_temp_c)
        # (writeable: the compiled draws are compiled for writeable arrays; nothing writes)
        found = _Calendar(days, scale, sea)
        self._calendar = (key, found)
        return found


def crossing_window_means(
    times_utc: pd.Series,
    wind_u_m_s: NDArray[np.float64],
    wind_v_m_s: NDArray[np.float64],
    wave_height_m: NDArray[np.float64],
    sea_temp_c: NDArray[np.float64],
) -> pd.DataFrame:
    """Daily values of hourly (or daily) rows: the means over the rows from 00:00 to 11:59
    UTC (:data:`CROSSING_HOURS_UTC`, the night launches and morning crossing), a date with no
    row in that window taking the mean of all its rows (a daily file's one row).

    ``times_utc``: timezone-aware (UTC) times of the rows; the arrays: one value per row, the
    wind as the velocity it blows towards (east, north) in m/s. Returns a frame indexed by
    date with ``speed_kn`` (the mean of the rows' speeds), ``wind_from_deg`` (the direction
    of the mean wind vector), ``wave_height_m`` and ``sea_temp_c``.
    """
    import pandas as pd

    frame = pd.DataFrame(
        {
            "date": times_utc.dt.tz_localize(None).dt.normalize(),
            "hour": times_utc.dt.hour,
            "u": wind_u_m_s,
            "v": wind_v_m_s,
            "speed_kn": np.hypot(wind_u_m_s, wind_v_m_s) / KNOT_M_S,
            "wave_height_m": wave_height_m,
            "sea_temp_c": sea_temp_c,
        }
    )
    in_window = frame["hour"].isin(CROSSING_HOURS_UTC)
    has_window = in_window.groupby(frame["date"]).transform("any")
    used = frame[in_window | ~has_window]
    daily = used.groupby("date").mean(numeric_only=True)
    daily["wind_from_deg"] = np.mod(np.degrees(np.arctan2(-daily["u"], -daily["v"])), 360.0)
    return daily


_FILE_COLUMNS = ("wind_from_deg", "wave_height_m", "sea_temp_c")
_FILE_EXPECTED = (
    "a CSV weather file with columns time, wind_speed_kn + wind_from_deg (or wind_u_m_s + "
    "wind_v_m_s), wave_height_m, sea_temp_c and a row for each day (or hour)"
)
"""What a weather file's errors say was expected of the file as a whole."""


class WeatherFile:
    """Weather read from a CSV file, hourly or daily.

    Columns: ``time`` (ISO date or date-time, UTC); either ``wind_speed_kn`` or both
    ``wind_u_m_s`` and ``wind_v_m_s`` (the velocity the wind blows towards, east and
    north); ``wind_from_deg`` (needed with ``wind_speed_kn``, derived from u/v otherwise);
    ``wave_height_m``; ``sea_temp_c``. With several rows per date (hourly data), a day's
    values are the means over the rows from 00:00 to 11:59 UTC (the night launches and
    morning crossing; the wind direction from the mean wind vector); a date with no row in
    that window uses all its rows. Every simulated date must be in the file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._daily = self._read()

    def _fail(self, where: str | None, expected: str) -> InputError:
        return InputError(self.path, where, expected)

    def _read(self) -> pd.DataFrame:
        import pandas as pd

        text = read_text_file(self.path, "weather file", (".csv",), MAX_WEATHER_BYTES, pipe=False)
        try:
            raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            raise self._fail(None, f"expected {_FILE_EXPECTED}, got an empty file") from None
        except pd.errors.ParserError as error:
            why = str(error).strip().splitlines()[0] if str(error).strip() else "a malformed row"
            raise self._fail(None, f"expected {_FILE_EXPECTED}, got {why}") from None
        raw.columns = [c.strip() for c in raw.columns]
        if "time" not in raw.columns:
            raise self._fail(
                "column 'time'",
                f"expected a 'time' column of {_ISO_TIMES}, got columns "
                + ", ".join(repr(c) for c in raw.columns),
            )
        has_uv = {"wind_u_m_s", "wind_v_m_s"} <= set(raw.columns)
        needed = list(_FILE_COLUMNS[1:]) + (
            ["wind_u_m_s", "wind_v_m_s"] if has_uv else ["wind_speed_kn", "wind_from_deg"]
        )
        for column in needed:
            if column not in raw.columns:
                raise self._fail(
                    f"column '{column}'",
                    f"expected {_FILE_EXPECTED}, got columns "
                    + ", ".join(repr(c) for c in raw.columns),
                )
        if raw.empty:
            raise self._fail(None, f"expected {_FILE_EXPECTED}, got the header only")
        # Any ISO 8601 form, row by row: a date, a date-time with or without seconds, a "Z".
        times = pd.to_datetime(raw["time"].str.strip(), errors="coerce", utc=True, format="ISO8601")
        bad = times.isna().to_numpy()
        if bad.any():
            row = int(np.argmax(bad))
            raise self._fail(
                f"row {row + 2}, column 'time'",
                f"expected {_ISO_TIMES}, got {raw['time'].iloc[row].strip()!r}",
            )
        values: dict[str, NDArray[np.float64]] = {}
        for column in needed:
            numbers = pd.to_numeric(raw[column].str.strip(), errors="coerce").to_numpy(float)
            low, high = _BOUNDS[column]
            ok = np.isfinite(numbers) & (numbers >= low) & (numbers <= high)
            if not ok.all():
                row = int(np.argmax(~ok))
                raise self._fail(
                    f"row {row + 2}, column '{column}'",
                    f"expected {_EXPECTED[column]}, got {raw[column].iloc[row].strip()!r}",
                )
            values[column] = numbers
        if times.duplicated().any():
            row = int(np.argmax(times.duplicated().to_numpy()))
            raise self._fail(
                f"row {row + 2}, column 'time'",
                f"expected each time once, got {raw['time'].iloc[row].strip()!r} again",
            )
        if has_uv:
            u, v = values.pop("wind_u_m_s"), values.pop("wind_v_m_s")
        else:
            u, v = wind_components_m_s(values.pop("wind_speed_kn"), values.pop("wind_from_deg"))
        return crossing_window_means(times, u, v, values["wave_height_m"], values["sea_temp_c"])

    def daily(self, dates: Any, seed: int) -> DailyWeather:
        """The file's values on ``dates`` (``seed`` unused: a file is deterministic)."""
        return weather_on_dates(self._daily, dates, self.path)


def weather_on_dates(daily: pd.DataFrame, dates: Any, source: str | Path) -> DailyWeather:
    """The rows of a :func:`crossing_window_means` table on ``dates``; InputError naming
    ``source`` and the first simulated date the table lacks."""
    import pandas as pd

    dates = as_dates(dates)
    idx = daily.index.get_indexer(pd.DatetimeIndex(dates))
    if (idx < 0).any():
        missing = dates[int(np.argmax(idx < 0))]
        first, last = (str(d)[:10] for d in (daily.index.min(), daily.index.max()))
        raise InputError(
            source,
            f"date {missing}",
            f"expected weather for every simulated date (the file covers {first} to {last})",
        )
    rows = daily.iloc[idx]
    return DailyWeather(
        dates,
        rows["speed_kn"].to_numpy(np.float64),
        rows["wind_from_deg"].to_numpy(np.float64),
        rows["wave_height_m"].to_numpy(np.float64),
        rows["sea_temp_c"].to_numpy(np.float64),
    )


_MAX_WIND_M_S = MAX_WIND_SPEED_KN * KNOT_M_S
_BOUNDS = {
    "wind_speed_kn": (0.0, MAX_WIND_SPEED_KN),
    "wind_u_m_s": (-_MAX_WIND_M_S, _MAX_WIND_M_S),
    "wind_v_m_s": (-_MAX_WIND_M_S, _MAX_WIND_M_S),
    "wind_from_deg": (0.0, 360.0),
    "wave_height_m": (0.0, MAX_WAVE_HEIGHT_M),
    "sea_temp_c": SEA_TEMP_RANGE_C,
}
_ISO_TIMES = (
    "ISO 8601 dates or date-times in UTC (2025-06-01, 2025-06-01 13:00, 2025-06-01T13:00:00Z)"
)
_EXPECTED = {
    "wind_speed_kn": f"a wind speed in knots from 0 to {MAX_WIND_SPEED_KN:g} (another unit?)",
    "wind_u_m_s": f"a wind component in m/s within ±{_MAX_WIND_M_S:.1f} (another unit?)",
    "wind_v_m_s": f"a wind component in m/s within ±{_MAX_WIND_M_S:.1f} (another unit?)",
    "wind_from_deg": "a direction in degrees from 0 to 360",
    "wave_height_m": f"a wave height in metres from 0 to {MAX_WAVE_HEIGHT_M:g} (centimetres?)",
    "sea_temp_c": "a sea temperature in °C from -2 to 35",
}


class ReplayWeather:
    """Weather consistent with the days crossings really happened (for counterfactuals).

    On a date the official series shows crossings, the day's weather is drawn from ``base``
    conditioned on falling inside the crossing window; on other dates, conditioned on
    falling outside it. Rejection sampling, day by day: ``base`` is asked for candidate
    series (``base.candidate(dates, seed, k)``, up to ``max_candidates``), and each date takes
    its weather from the first candidate that agrees with the observation. Within each class
    the weather keeps the base generator's seasonal distribution; day-to-day persistence
    comes from the observed series itself. The base must be stochastic (a file cannot be
    conditioned). As the candidates are keyed by day, a day's weather does not depend on the
    period asked for.
    """

    def __init__(
        self,
        observed_crossing: pd.Series,
        base: StochasticWeather,
        max_wind_kn: float = DEFAULT_MAX_WIND_KN,
        max_wave_height_m: float = DEFAULT_MAX_WAVE_HEIGHT_M,
        max_candidates: int = 256,
    ) -> None:
        import pandas as pd

        observed = observed_crossing.copy()
        observed.index = pd.DatetimeIndex(observed.index).normalize()
        self.observed = observed.astype(bool)
        self.base = base
        self.max_wind_kn = max_wind_kn
        self.max_wave_height_m = max_wave_height_m
        self.max_candidates = max_candidates

    def daily(self, dates: Any, seed: int) -> DailyWeather:
        import pandas as pd

        dates = as_dates(dates)
        idx = self.observed.index.get_indexer(pd.DatetimeIndex(dates))
        if (idx < 0).any():
            missing = dates[int(np.argmax(idx < 0))]
            raise InputError(
                "observed crossing series", f"date {missing}", "a value for every simulated date"
            )
        target = self.observed.to_numpy()[idx]
        n = len(dates)
        out = {k: np.full(n, np.nan) for k in ("wind", "dir", "wave", "sea")}
        pending = np.ones(n, dtype=bool)
        for key in range(self.max_candidates):
            todo = np.flatnonzero(pending)
            cand = self.base.candidate(dates[todo], seed, key)
            ok = crossing_window(cand, self.max_wind_kn, self.max_wave_height_m) == target[todo]
            rows = todo[ok]
            out["wind"][rows] = cand.wind_speed_kn[ok]
            out["dir"][rows] = cand.wind_from_deg[ok]
            out["wave"][rows] = cand.wave_height_m[ok]
            out["sea"][rows] = cand.sea_temp_c[ok]
            pending[rows] = False
            if not pending.any():
                break
        if pending.any():
            day = dates[int(np.argmax(pending))]
            raise InputError(
                "replay weather",
                f"date {day}",
                f"base weather that can be {'calm' if target[np.argmax(pending)] else 'rough'}"
                f" within {self.max_candidates} draws",
            )
        return DailyWeather(dates, out["wind"], out["dir"], out["wave"], out["sea"], target)


@dataclass(frozen=True)
class ReaderRequest:
    """What a reader factory is given: the scenario's ``[weather]`` entry (``mode``,
    ``path``), the crossing-window thresholds, the observed crossing days when the caller
    read them (replay), and the file the request came from (for error messages)."""

    mode: str
    path: str | tuple[str, ...] | None = None
    max_wind_kn: float = DEFAULT_MAX_WIND_KN
    max_wave_height_m: float = DEFAULT_MAX_WAVE_HEIGHT_M
    observed_crossing: pd.Series | None = None
    source: str | None = None


ReaderFactory = Callable[[ReaderRequest], EnvironmentReader]
_READERS: dict[str, tuple[ReaderFactory, str]] = {}


def register_reader(mode: str, factory: ReaderFactory, description: str) -> None:
    """Make ``[weather] mode = "<mode>"`` build its reader with ``factory``."""
    if mode in _READERS and _READERS[mode][0] is not factory:
        raise ValueError(f"weather mode {mode!r} is already registered")
    _READERS[mode] = (factory, description)


#: Where a run's weather columns (wind, waves, sea temperature, the crossing window) come
#: from, by weather mode, as the column descriptions of its outputs say it: a reader of
#: daily.csv lined up the stochastic generator's 21.6 kn on 31 May 2025 against the year's
#: record day and read "the model missed it because of wind".
WEATHER_SOURCES = {
    "stochastic": "Simulated: drawn by the stochastic weather generator (fitted to the "
    "crossing record), not the observed weather of these dates.",
    "replay": "Simulated: the stochastic weather generator conditioned on the days the "
    "official series shows crossings (replay), not the observed weather of these dates.",
    "file": "Given: read from the weather file the scenario names.",
    "era5": "Observed (reanalysis): ERA5, from the files the scenario names.",
    "open-meteo": "Observed (reanalysis): Open-Meteo historical weather and marine, from the "
    "file the scenario names.",
}


def weather_source(modes: Sequence[str]) -> str:
    """Where the weather of runs with these weather ``modes`` comes from, in a sentence
    (:data:`WEATHER_SOURCES`; a registered reader's own description otherwise); scenarios of
    several modes (a comparison) are named by mode."""
    found = list(dict.fromkeys(modes)) or ["stochastic"]

    def said(mode: str) -> str:
        known = WEATHER_SOURCES.get(mode)
        if known is not None:
            return known
        description = reader_modes().get(mode, "a weather reader")
        return f"From the weather mode {mode!r}: {description}."

    if len(found) == 1:
        return said(found[0])
    return "By scenario, as its weather mode says: " + " ".join(
        f"{mode}: {said(mode)}" for mode in found
    )


def reader_modes() -> dict[str, str]:
    """The registered weather modes and what each reads."""
    return {mode: description for mode, (_, description) in _READERS.items()}


def make_reader(request: ReaderRequest) -> EnvironmentReader:
    """The reader for ``request.mode``; an unknown mode names the known ones."""
    entry = _READERS.get(request.mode)
    if entry is None:
        raise InputError(
            request.source,
            "weather.mode",
            f"expected one of {', '.join(sorted(_READERS))}, got {request.mode!r}",
        )
    return entry[0](request)


def _stochastic(request: ReaderRequest) -> EnvironmentReader:
    return StochasticWeather()


def _file(request: ReaderRequest) -> EnvironmentReader:
    if not request.path or not isinstance(request.path, str):
        raise InputError(request.source, "weather.path", "a path to a weather CSV")
    return WeatherFile(request.path)


def _replay(request: ReaderRequest) -> EnvironmentReader:
    if request.observed_crossing is None:
        raise InputError(
            request.source,
            "weather.path",
            "replay weather needs the observed crossing days, read by the caller from the "
            "publication file or the data store (channelsim.experiments.prepare)",
        )
    return ReplayWeather(
        request.observed_crossing,
        StochasticWeather(),
        max_wind_kn=request.max_wind_kn,
        max_wave_height_m=request.max_wave_height_m,
    )


def _era5(request: ReaderRequest) -> EnvironmentReader:
    from channelsim.world.reanalysis import ReanalysisWeather, read_era5

    return ReanalysisWeather(_paths(request, "ERA5 NetCDF"), read_era5)


def _open_meteo(request: ReaderRequest) -> EnvironmentReader:
    from channelsim.world.reanalysis import ReanalysisWeather, read_open_meteo

    return ReanalysisWeather(_paths(request, "Open-Meteo CSV or JSON"), read_open_meteo)


def _paths(request: ReaderRequest, kind: str) -> list[str]:
    if not request.path:
        raise InputError(request.source, "weather.path", f"one or more {kind} files")
    return [request.path] if isinstance(request.path, str) else list(request.path)


register_reader("stochastic", _stochastic, "seasonal, persistent synthetic weather")
register_reader("file", _file, "a CSV of hourly or daily weather (path)")
register_reader(
    "replay", _replay, "synthetic weather conditioned on the observed crossing days (path)"
)
register_reader("era5", _era5, "ERA5 reanalysis, NetCDF from the Copernicus CDS (path)")
register_reader(
    "open-meteo", _open_meteo, "Open-Meteo historical weather and marine, CSV or JSON (path)"
)
