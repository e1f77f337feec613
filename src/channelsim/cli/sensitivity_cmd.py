"""CLI command: ``sensitivity`` — SALib indices of scenario totals over uncertain parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console
from channelsim.cli.run_cmd import parse_date_option
from channelsim.cli.runs_cmd import force_option, scheduler_option, workers_option
from channelsim.errors import InputError


def _names(value: str | None, option: str) -> list[str] | None:
    if value is None:
        return None
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        raise InputError(None, option, "expected comma-separated names")
    return names


def _rows(indices: Any) -> list[dict[str, Any]]:
    columns = ["output", "parameter", *indices.columns[indices.columns.get_loc("method") + 1 :]]
    return [
        dict(zip(columns, row, strict=True)) for row in indices[columns].itertuples(index=False)
    ]


def register(app: typer.Typer) -> None:
    """Add ``sensitivity`` to the app."""

    @app.command("sensitivity")
    def sensitivity(
        scenario: Path = typer.Argument(..., help="Scenario file (TOML or YAML)."),
        outputs: str = typer.Option(
            "arrived_people,dead_or_missing_people",
            "--outputs",
            help="Comma-separated totals to analyse (as in `channelsim run --format json`).",
        ),
        method: str = typer.Option(
            "sobol", "--method", help="sobol (S1, ST) or morris (mu*, sigma)."
        ),
        samples: int | None = typer.Option(
            None,
            "--samples",
            help="Sobol base samples (a power of two; runs = N·(D+2), default 64) or Morris "
            "trajectories (runs = N·(D+1), default 10).",
        ),
        params: str | None = typer.Option(
            None,
            "--params",
            help="Comma-separated parameter paths (default: six key uncertain parameters).",
        ),
        seed: int | None = typer.Option(
            None,
            "--seed",
            help="Seed of every model run and of the sampler (default: the scenario's).",
        ),
        date_from: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
        date_to: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
        workers: int | None = workers_option(),
        scheduler: str | None = scheduler_option(),
        out: Path | None = typer.Option(
            None,
            "--out",
            help="Write indices (Parquet, JSON), samples and a Plotly HTML plot to DIR (a new "
            "folder, or --force).",
        ),
        force: bool = force_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Sobol or Morris sensitivity of scenario totals, every run with the same seed."""
        from channelsim.engine import load_scenario
        from channelsim.experiments.sensitivity import run_sensitivity
        from channelsim.outputs import output_folder
        from channelsim.reports import sensitivity_page
        from channelsim.scenario import with_run_options

        start, end = parse_date_option(date_from, "--from"), parse_date_option(date_to, "--to")
        loaded = with_run_options(load_scenario(scenario), start=start, end=end, seed=seed)
        target = None if out is None else output_folder(out, force=force)
        result = run_sensitivity(
            loaded,
            outputs=_names(outputs, "--outputs") or [],
            method=method,
            n_samples=samples,
            parameters=_names(params, "--params"),
            seed=loaded.seed,
            executor=scheduler or ("processes" if workers else "auto"),
            workers=workers,
            progress=True,
        )
        payload = result.to_json_dict()
        if target is not None:
            title = f"Sensitivity of {result.scenario} ({result.method}, {len(result.x)} runs)"
            html = sensitivity_page(result.indices, title)
            written = result.write(target, {"sensitivity.html": html})
            payload["out"] = str(written)
            err_console.print(f"sensitivity written to {written}", highlight=False)
        emit_rows(
            _rows(result.indices),
            fmt,
            title=f"{result.method} indices, {result.scenario}, {len(result.x)} runs "
            f"(seed {result.seed})",
            json_payload=payload,
        )
