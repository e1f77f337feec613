"""Fit the stochastic weather generator to the crossing-day statistics (maintenance tool).

Run ``python -m channelsim.world.weather_fit`` to refit and rewrite ``data/weather.json``.
Targets (facts.md, HO series): the monthly share of days with a crossing, 2021–2025 pooled,
and the mean run of consecutive crossing days in 2024 (2.5 days). Under the default crossing
window the generator's share of window days in each month is matched by the month's Weibull
scale of wind speed (the latent series is stationary N(0, 1), so the shares do not depend on
the persistence), then the persistence is matched to the mean run length.
"""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from channelsim.world.environment import (
    DEFAULT_MAX_WAVE_HEIGHT_M,
    DEFAULT_MAX_WIND_KN,
    StochasticWeather,
    WeatherConfig,
    crossing_window,
)

MONTHLY_CROSSING_SHARE = (0.26, 0.28, 0.41, 0.37, 0.49, 0.57, 0.56, 0.48, 0.53, 0.41, 0.29, 0.25)
MEAN_RUN_DAYS = 2.5
MEAN_GAP_DAYS = 3.5


def run_lengths(flags: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Lengths of the runs of True and of False in a boolean series."""
    flags = np.asarray(flags, dtype=bool)
    if flags.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    edges = np.flatnonzero(np.diff(flags.astype(np.int8))) + 1
    starts = np.concatenate([[0], edges])
    lengths = np.diff(np.concatenate([starts, [flags.size]]))
    values = flags[starts]
    return lengths[values], lengths[~values]


def _window_share(config: WeatherConfig, month: int, n: int, seed: int) -> float:
    days = pd.date_range(f"2001-{month:02d}-01", periods=n, freq="D")
    days = days[days.month == month]
    # A long stationary sample for one month: draw days independently (persistence 0).
    indep = replace(config, wind_persistence=0.0, wind_from_persistence=0.0)
    weather = StochasticWeather(indep)
    reps = [
        crossing_window(weather.daily(days, seed + rep)).mean() for rep in range(n // len(days))
    ]
    return float(np.mean(reps))


def fit(config: WeatherConfig, seed: int = 2025, years: int = 400) -> WeatherConfig:
    """Monthly Weibull scales by bisection on the window share, then the persistence."""
    scales = list(config.wind_scale_kn)
    for m in range(12):
        lo, hi = 5.0, 60.0
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            trial = replace(config, wind_scale_kn=(*scales[:m], mid, *scales[m + 1 :]))
            share = _window_share(trial, m + 1, 20000, seed)
            lo, hi = (mid, hi) if share > MONTHLY_CROSSING_SHARE[m] else (lo, mid)
        scales[m] = round(0.5 * (lo + hi), 3)
    config = replace(config, wind_scale_kn=tuple(scales))
    days = pd.date_range("2001-01-01", periods=int(years * 365.25), freq="D")
    lo, hi = 0.0, 0.97
    for _ in range(25):
        phi = 0.5 * (lo + hi)
        weather = StochasticWeather(replace(config, wind_persistence=phi))
        runs, _ = run_lengths(crossing_window(weather.daily(days, seed)))
        lo, hi = (lo, phi) if runs.mean() > MEAN_RUN_DAYS else (phi, hi)
    return replace(
        config,
        wind_persistence=round(0.5 * (lo + hi), 4),
        fitted_to={
            "monthly_crossing_share": list(MONTHLY_CROSSING_SHARE),
            "mean_run_days": MEAN_RUN_DAYS,
            "max_wind_kn": DEFAULT_MAX_WIND_KN,
            "max_wave_height_m": DEFAULT_MAX_WAVE_HEIGHT_M,
            "seed": seed,
        },
    )


def main() -> None:
    config = fit(WeatherConfig.default())
    path = resources.files("channelsim.world").joinpath("data/weather.json")
    text = json.dumps(config.to_dict(), indent=2) + "\n"
    with resources.as_file(path) as target:
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    print(text)


if __name__ == "__main__":
    main()
