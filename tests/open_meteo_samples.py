"""Open-Meteo responses in the documented shapes (historical-weather and marine APIs,
JSON and ``format=csv``), for the reader's and the download's tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

HOURS = pd.date_range("2025-06-01", periods=72, freq="h")  # three days, hourly


def hourly_u(t: pd.DatetimeIndex) -> np.ndarray:
    """A wind from the south-west that strengthens by the hour: u = v = 1 + hour/10 m/s."""
    return 1.0 + np.arange(len(t)) / 10.0


def _iso(times: pd.DatetimeIndex) -> list[str]:
    return [t.strftime("%Y-%m-%dT%H:%M") for t in times]


def archive_response(unit: str = "km/h", factor: float = 3.6) -> dict[str, Any]:
    """The historical-weather API's JSON (timezone GMT), wind in ``unit``."""
    speed = np.sqrt(2.0) * hourly_u(HOURS) * factor
    return {
        "latitude": 51.0,
        "longitude": 1.5,
        "generationtime_ms": 1.2,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        "elevation": 0.0,
        "hourly_units": {"time": "iso8601", "wind_speed_10m": unit, "wind_direction_10m": "°"},
        "hourly": {
            "time": _iso(HOURS),
            "wind_speed_10m": [round(float(s), 3) for s in speed],
            "wind_direction_10m": [225] * len(HOURS),
        },
    }


def marine_response() -> dict[str, Any]:
    """The marine API's JSON (timezone GMT)."""
    return {
        "latitude": 51.0,
        "longitude": 1.5,
        "generationtime_ms": 0.8,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        "elevation": 0.0,
        "hourly_units": {"time": "iso8601", "wave_height": "m", "sea_surface_temperature": "°C"},
        "hourly": {
            "time": _iso(HOURS),
            "wave_height": [0.5 + (h.hour >= 12) for h in HOURS],  # rough in the afternoon
            "sea_surface_temperature": [15.5] * len(HOURS),
        },
    }


def to_csv(response: dict[str, Any]) -> str:
    """The same response as the API's format=csv writes it."""
    lines = [
        "latitude,longitude,elevation,utc_offset_seconds,timezone,timezone_abbreviation",
        "51.0,1.5,0.0,0,GMT,GMT",
    ]
    for section in ("hourly", "daily"):
        if section not in response:
            continue
        block, units = response[section], response[f"{section}_units"]
        names = [n for n in block if n != "time"]
        lines += ["", ",".join(["time", *(f"{n} ({units[n]})" for n in names)])]
        for k, t in enumerate(block["time"]):
            values = ["NaN" if block[n][k] is None else str(block[n][k]) for n in names]
            lines.append(",".join([t, *values]))
    return "\n".join(lines) + "\n"
