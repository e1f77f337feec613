"""CLI commands: ``run`` (one scenario) and ``demo`` (the status quo of 2025 against the data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from channelsim.cli.output import OutputFormat, console, emit_rows, err_console, print_json
from channelsim.errors import InputError

DEMO_SCENARIO = "status-quo-2025.toml"


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(None, option, f"expected a date YYYY-MM-DD, got {value!r}") from None


def _run(
    scenario_path: Path, seed: int | None, start: dt.date | None, end: dt.date | None, quiet: bool
) -> Any:
    """Load, check and run a scenario with a progress bar on stderr."""
    from channelsim.engine import Sim, load_scenario

    sim = Sim(load_scenario(scenario_path), seed=seed, start=start, end=end)
    with Progress(
        TextColumn(f"[bold]{sim.scenario.name}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("run", total=(sim.scenario.end - sim.scenario.start).days + 1)
        return sim.run(progress=lambda done, _total: bar.update(task, completed=done))


def _totals_rows(result: Any) -> list[dict[str, Any]]:
    return [{"measure": key, "value": value} for key, value in result.totals.items()]


def demo_scenario_path() -> Path:
    """The shipped status-quo scenario (``scenarios/`` of the source tree)."""
    path = Path(__file__).resolve().parents[3] / "scenarios" / DEMO_SCENARIO
    if not path.is_file():
        raise InputError(path, None, "the demo scenario is missing (run from a source checkout)")
    return path


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``demo`` to the app."""

    @app.command("run")
    def run(
        scenario: Path = typer.Argument(..., help="Scenario file (TOML or YAML)."),
        seed: int | None = typer.Option(None, "--seed", help="Override the scenario's seed."),
        date_from: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
        date_to: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
        out: Path | None = typer.Option(None, "--out", help="Write Parquet outputs to DIR."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Simulate one scenario; print totals (and by year/month in JSON)."""
        if seed is not None and seed < 0:
            raise InputError(None, "--seed", f"expected a non-negative integer, got {seed}")
        result = _run(
            scenario,
            seed,
            _date(date_from, "--from"),
            _date(date_to, "--to"),
            quiet=fmt is OutputFormat.json,
        )
        if out is not None:
            written = result.write(out)
            err_console.print(f"outputs written to {written}", highlight=False)
        emit_rows(
            _totals_rows(result),
            fmt,
            title=f"{result.name} (seed {result.seed})",
            json_payload=result.to_json_dict(),
        )

    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("channelsim-demo"), "--out", help="Output folder."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Run the status quo of 2025 and compare it with the official 2025 figures."""
        from channelsim.engine.reference import OFFICIAL_2025

        result = _run(demo_scenario_path(), None, None, None, quiet=fmt is OutputFormat.json)
        written = result.write(out)
        rows = [
            {
                "measure": key,
                "model": result.totals[key],
                "official_2025": official,
                "model/official": round(result.totals[key] / official, 2),
            }
            for key, official in OFFICIAL_2025.items()
        ]
        if fmt is OutputFormat.json:
            print_json({"out": str(written), "comparison": rows, **result.to_json_dict()})
            return
        emit_rows(rows, fmt, title=f"{result.name}, seed {result.seed}: model vs official 2025")
        if fmt is OutputFormat.table:
            console.print(f"outputs written to {written}", highlight=False)
