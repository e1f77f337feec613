"""``channelsim weather download``: hourly weather at the strait from Open-Meteo.

Two requests, both documented by Open-Meteo and free without a key for non-commercial use:

- the historical-weather API (https://open-meteo.com/en/docs/historical-weather-api,
  ``https://archive-api.open-meteo.com/v1/archive``), reanalysis (ERA5 and others) since
  1940: ``hourly=wind_speed_10m,wind_direction_10m``, ``wind_speed_unit=kn``;
- the marine API (https://open-meteo.com/en/docs/marine-weather-api,
  ``https://marine-api.open-meteo.com/v1/marine``): ``hourly=wave_height,
  sea_surface_temperature``;

each with ``latitude``, ``longitude`` (default :data:`~channelsim.world.reanalysis.STRAIT_POINT`,
mid-strait), ``start_date``, ``end_date`` and ``timezone=GMT``. The two JSON responses are
saved together as a JSON list, the shape :func:`channelsim.world.reanalysis.read_open_meteo`
reads (``[weather] mode = "open-meteo"``). The file is written only when both responses
came back and read as weather the engine can use; it is a new file (channelsim never
overwrites a file it did not write), written atomically (``channelsim.outputs``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from channelsim.errors import InputError, unreachable
from channelsim.world.reanalysis import STRAIT_POINT, daily_table, open_meteo_json_series

ARCHIVE_URL = "https://archive-api.open-meteo.com/v1/archive"
MARINE_URL = "https://marine-api.open-meteo.com/v1/marine"
ARCHIVE_HOURLY = ("wind_speed_10m", "wind_direction_10m")
MARINE_HOURLY = ("wave_height", "sea_surface_temperature")
#: Seconds to connect, and to wait for each read (a year of hourly data is ~0.5 MB).
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
FIRST_DATE = dt.date(1940, 1, 1)  # the historical-weather API's first day


@dataclass(frozen=True)
class Request:
    """What to download: the period (inclusive), the point and the two endpoints."""

    start: dt.date
    end: dt.date
    latitude: float = STRAIT_POINT[0]
    longitude: float = STRAIT_POINT[1]
    archive_url: str = ARCHIVE_URL
    marine_url: str = MARINE_URL

    def check(self) -> None:
        if self.end < self.start:
            raise InputError(None, "--to", f"expected a date on or after --from {self.start}")
        if self.start < FIRST_DATE:
            raise InputError(None, "--from", f"expected a date from {FIRST_DATE} on")
        if self.end >= dt.date.today():
            raise InputError(None, "--to", "expected a date before today (reanalysis is past)")
        if not -90.0 <= self.latitude <= 90.0:
            raise InputError(None, "--latitude", "expected degrees from -90 to 90")
        if not -180.0 <= self.longitude <= 180.0:
            raise InputError(None, "--longitude", "expected degrees from -180 to 180")

    def params(self, hourly: tuple[str, ...], **extra: str) -> dict[str, str]:
        return {
            "latitude": f"{self.latitude:g}",
            "longitude": f"{self.longitude:g}",
            "start_date": self.start.isoformat(),
            "end_date": self.end.isoformat(),
            "hourly": ",".join(hourly),
            "timezone": "GMT",
            **extra,
        }


def fetch(request: Request) -> list[Any]:
    """The two JSON responses (historical weather, then marine); InputError (one line,
    naming the address) if a server cannot be reached, answers an HTTP error or sends
    something other than JSON."""
    import httpx

    request.check()
    timeout = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        archive = _get_json(
            client, request.archive_url, request.params(ARCHIVE_HOURLY, wind_speed_unit="kn")
        )
        marine = _get_json(client, request.marine_url, request.params(MARINE_HOURLY))
    return [archive, marine]


#: What a user can do without the download (the rest of channelsim needs no network).
OFFLINE = (
    "the rest of channelsim works offline: scenarios run on the fitted weather generator "
    '([weather] mode = "stochastic", the default)'
)


def _get_json(client: Any, url: str, params: dict[str, str]) -> Any:
    import httpx

    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as error:
        raise unreachable(url, error, OFFLINE) from None
    if response.status_code >= 400:
        reason = _reason(response)
        raise InputError(url, None, f"the server answered HTTP {response.status_code}{reason}")
    try:
        return response.json()
    except ValueError:
        raise InputError(url, None, "expected a JSON response (Open-Meteo format)") from None


def _reason(response: Any) -> str:
    """Open-Meteo explains a refused request in ``{"error": true, "reason": ...}``."""
    try:
        reason = response.json().get("reason")
    except (ValueError, AttributeError):
        return ""
    return f" ({' '.join(str(reason).split())[:200]})" if reason else ""


def download(request: Request, out: str | Path) -> tuple[Path, int]:
    """Download ``request`` into the new file ``out``; return its path and the number of
    days it gives weather for. The responses are checked (every variable present, in known
    units, within bounds, without gaps) before anything is written; a fault is one line
    naming the address, or the output file and the option."""
    from channelsim.outputs import output_file, write_output_file

    request.check()
    target = output_file(out, option="--out")
    responses = fetch(request)
    urls = (request.archive_url, request.marine_url)
    for url, response in zip(urls, responses, strict=True):
        if not isinstance(response, dict) or not isinstance(response.get("hourly"), dict):
            raise InputError(url, None, "expected an Open-Meteo response with 'hourly' values")
    try:
        days = len(daily_table(open_meteo_json_series(responses, target.path), [target.path]))
    except InputError as error:
        where = (
            error.where.replace("response 1", "historical weather").replace("response 2", "marine")
            if error.where
            else None
        )
        raise InputError(" and ".join(urls), where, error.expected) from None
    written = write_output_file(target, json.dumps(responses, indent=1) + "\n")
    return written, days
