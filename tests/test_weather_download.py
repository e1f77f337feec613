"""``channelsim weather download`` against a local server on 127.0.0.1 that answers like the
Open-Meteo historical-weather and marine APIs (no test touches the internet)."""

from __future__ import annotations

import http.server
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from conftest import CliResult, local_server
from open_meteo_samples import archive_response, marine_response

Run = Callable[..., CliResult]


class OpenMeteo:
    """What the fake server answers on each path, and the queries it received."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes]] = {
            "/v1/archive": (200, json.dumps(archive_response("kn", 1 / 0.514444)).encode()),
            "/v1/marine": (200, json.dumps(marine_response()).encode()),
        }
        self.queries: dict[str, dict[str, list[str]]] = {}


@pytest.fixture
def open_meteo() -> Iterator[tuple[str, OpenMeteo]]:
    state = OpenMeteo()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            state.queries[url.path] = parse_qs(url.query)
            status, body = state.answers.get(url.path, (404, b'{"error":true,"reason":"?"}'))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with local_server(Handler) as base:
        yield base, state


def _download(run_cli: Run, base: str, out: Path, *extra: object) -> CliResult:
    return run_cli(
        "weather", "download", "--from", "2025-06-01", "--to", "2025-06-03", "--out", out,
        "--archive-url", f"{base}/v1/archive", "--marine-url", f"{base}/v1/marine", *extra,
    )  # fmt: skip


def test_download_writes_a_file_a_scenario_runs_on(
    run_cli: Run, tmp_path: Path, open_meteo: tuple[str, OpenMeteo]
) -> None:
    base, state = open_meteo
    out = tmp_path / "weather" / "strait-2025.json"
    result = _download(run_cli, base, out, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["days"] == 3 and Path(row["file"]) == out
    # the documented parameters of each endpoint
    archive, marine = state.queries["/v1/archive"], state.queries["/v1/marine"]
    assert archive["hourly"] == ["wind_speed_10m,wind_direction_10m"]
    assert archive["wind_speed_unit"] == ["kn"] and archive["timezone"] == ["GMT"]
    assert marine["hourly"] == ["wave_height,sea_surface_temperature"]
    for query in (archive, marine):
        assert query["start_date"] == ["2025-06-01"] and query["end_date"] == ["2025-06-03"]
        assert query["latitude"] == ["51"] and query["longitude"] == ["1.5"]
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "t"\nstart = 2025-06-01\nend = 2025-06-03\n'
        '[weather]\nmode = "open-meteo"\npath = "weather/strait-2025.json"\n'
        "[params.weather]\nmax_wind_kn = 13.0\nmax_wave_height_m = 0.8\n"
    )
    run = run_cli("run", scenario, "--format", "json")
    assert run.exit_code == 0, run.stderr
    daily = json.loads(run.stdout)
    # window 13 kn, 0.8 m (fixed here, not calibrated): calm mornings on the first two days
    # (0.5 m; 6 and 11 kn), not the third (17 kn)
    assert daily["totals"]["crossing_window_days"] == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _gap() -> bytes:
    marine: dict[str, Any] = marine_response()
    marine["hourly"]["wave_height"][7] = None
    return json.dumps(marine).encode()


@pytest.mark.parametrize(
    ("path", "answer", "message"),
    [
        ("/v1/marine", (400, b'{"error":true,"reason":"Parameter start_date is out of range"}'),
         "v1/marine: the server answered HTTP 400 (Parameter start_date is out of range)"),
        ("/v1/archive", (500, b"<html>oops</html>"), "the server answered HTTP 500"),
        ("/v1/archive", (200, b"<html>not json</html>"),
         "v1/archive: expected a JSON response (Open-Meteo format)"),
        ("/v1/marine", (200, b'{"latitude": 51}'),
         "v1/marine: expected an Open-Meteo response with 'hourly' values"),
        ("/v1/marine", (200, _gap()),
         "v1/marine: variable 'wave_height': expected a value at every time (none at"),
    ],
)  # fmt: skip
def test_server_faults_are_one_line_and_write_nothing(
    run_cli: Run,
    tmp_path: Path,
    open_meteo: tuple[str, OpenMeteo],
    path: str,
    answer: tuple[int, bytes],
    message: str,
) -> None:
    base, state = open_meteo
    state.answers[path] = answer
    result = _download(run_cli, base, tmp_path / "w.json")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_network_bad_dates_and_existing_files(
    run_cli: Run, tmp_path: Path, open_meteo: tuple[str, OpenMeteo]
) -> None:
    nowhere = f"http://127.0.0.1:{_free_port()}"
    result = _download(run_cli, nowhere, tmp_path / "w.json")
    assert result.exit_code == 2 and "cannot reach 127.0.0.1 (the connection was" in result.stderr
    assert "the rest of channelsim works offline: scenarios run on the fitted" in result.stderr
    bad = run_cli("weather", "download", "--from", "2025-06-05", "--to", "2025-06-01",
                  "--out", tmp_path / "w.json")  # fmt: skip
    assert bad.exit_code == 2 and "--to: expected a date on or after --from" in bad.stderr
    mine = tmp_path / "mine.json"
    mine.write_text("my notes")
    base, state = open_meteo
    refused = _download(run_cli, base, mine)
    assert refused.exit_code == 2 and "this file was not written by channelsim" in refused.stderr
    assert mine.read_text() == "my notes" and state.queries == {}  # refused before asking
    assert np.array_equal(sorted(p.name for p in tmp_path.iterdir()), ["mine.json"])
