"""CLI commands: ``channelsim weather download|modes``.

Reanalysis weather for ``[weather] mode = "open-meteo"`` (see
``channelsim.world.open_meteo``); ERA5 files come from the Copernicus CDS, which needs an
account, so channelsim reads them but does not fetch them.
"""

from __future__ import annotations

from pathlib import Path

import typer

from channelsim.cli.output import OutputFormat, emit_rows
from channelsim.cli.run_cmd import parse_date_option
from channelsim.cli.runs_cmd import OUT_FILE, date_option, output_path
from channelsim.errors import InputError

weather_app = typer.Typer(
    help="Real weather for scenarios: download Open-Meteo reanalysis, list the weather modes.",
    no_args_is_help=True,
)


@weather_app.command("download")
def download(
    date_from: str = date_option("--from", "First day, YYYY-MM-DD.", required=True),
    date_to: str = date_option("--to", "Last day, YYYY-MM-DD.", required=True),
    out: Path = typer.Option(
        ..., "--out", metavar="PATH", parser=output_path(*OUT_FILE), help="New JSON file to write."
    ),
    latitude: float = typer.Option(51.0, "--latitude", help="Degrees north (mid-strait)."),
    longitude: float = typer.Option(1.5, "--longitude", help="Degrees east (mid-strait)."),
    archive_url: str | None = typer.Option(
        None, "--archive-url", help="Historical-weather API address (default Open-Meteo's)."
    ),
    marine_url: str | None = typer.Option(
        None, "--marine-url", help="Marine API address (default Open-Meteo's)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
) -> None:
    """Download hourly wind, waves and sea temperature at the strait from Open-Meteo into a
    new file, for a scenario's weather: mode = "open-meteo", path = FILE."""
    from channelsim.world import open_meteo

    start, end = parse_date_option(date_from, "--from"), parse_date_option(date_to, "--to")
    if start is None or end is None:  # required options: typer asks for them
        raise InputError(None, "--from/--to", "expected both dates")
    request = open_meteo.Request(
        start,
        end,
        latitude,
        longitude,
        archive_url or open_meteo.ARCHIVE_URL,
        marine_url or open_meteo.MARINE_URL,
    )
    path, days = open_meteo.download(request, out)
    rows = [{"file": str(path), "from": str(start), "to": str(end), "days": days}]
    emit_rows(rows, fmt, title="Open-Meteo weather at the strait (CC BY 4.0, open-meteo.com)")


@weather_app.command("modes")
def modes(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
) -> None:
    """The weather modes a scenario can name, and what each reads."""
    from channelsim.world.environment import reader_modes

    rows = [{"mode": mode, "reads": text} for mode, text in reader_modes().items()]
    emit_rows(rows, fmt, title="[weather] mode")


def register(app: typer.Typer) -> None:
    """Add the ``weather`` command family to the app."""
    app.add_typer(weather_app, name="weather")
