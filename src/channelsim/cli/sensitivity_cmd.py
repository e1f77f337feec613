"""CLI command: ``sensitivity`` — SALib indices of scenario totals over uncertain parameters."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import typer

from channelsim.cli.output import OutputFormat, console, emit_rows, err_console
from channelsim.cli.run_cmd import parse_date_option
from channelsim.cli.runs_cmd import (
    OUT_FOLDER,
    date_option,
    force_option,
    output_path,
    read_posterior_option,
    scenario_file,
    scheduler_option,
    workers_option,
)
from channelsim.errors import InputError


def _names(value: str | None, option: str) -> list[str] | None:
    if value is None:
        return None
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        raise InputError(None, option, "expected comma-separated names")
    return names


def _rows(indices: Any, labelled: bool = False) -> list[dict[str, Any]]:
    """The indices, one row per output and input; ``labelled`` (a CSV a reader opens) puts
    each output's and input's label beside its key (the keys stay: a scenario writes them)."""
    from channelsim.engine import all_results
    from channelsim.experiments.uncertainty import input_label

    columns = ["output", "parameter", *indices.columns[indices.columns.get_loc("method") + 1 :]]
    rows = [
        dict(zip(columns, row, strict=True)) for row in indices[columns].itertuples(index=False)
    ]
    if not labelled:
        return rows
    results = all_results()
    return [
        {"output": r["output"], "output_label": results.label(str(r["output"])),
         "parameter": r["parameter"], "parameter_label": input_label(str(r["parameter"])),
         **{k: v for k, v in r.items() if k not in ("output", "parameter")}}
        for r in rows
    ]  # fmt: skip


def _print_tables(indices: Any, title: str) -> None:
    """The indices for reading: the title, then one table per output, headed by the output's
    label and unit, whose effects (Morris) are headed in that unit; each parameter named by
    its label and unit with its code name beside it (as the CSV and the sheets name it)."""
    from dataclasses import replace

    from channelsim.cli import output as printed
    from channelsim.engine import all_results
    from channelsim.experiments.uncertainty import input_label
    from channelsim.fields import FieldTable, describe

    printed.console.print(title, style="italic")
    results = all_results()
    for output, part in indices.groupby("output", sort=False):
        figure = describe(str(output), results)
        rows = [
            {"parameter_label": f"{input_label(str(r['parameter']))} [{r['parameter']}]"}
            | {k: v for k, v in r.items() if k not in ("output", "parameter")}
            for r in _rows(part)
        ]
        in_unit = FieldTable(
            replace(describe(key), unit=figure.unit)
            for key in rows[0]
            if describe(key).unit == "output's unit"
        )
        printed.console.print()
        emit_rows(rows, OutputFormat.table, title=figure.heading, sources=[in_unit])


def _share_headings() -> Any:
    """The terminal's heading of a share (``input`` there holds the input's label, kind,
    key and share, not its code name, as the CSV's column of that name does; s11 T16)."""
    from channelsim.fields import Field, FieldTable

    return FieldTable([Field(
        "input", "Input (kind; key) and its share ± 95% half-width", "",
        "The input's label, whether calibrated or an assumption, the key a scenario sets it "
        "by, and its first-order share of the output's variance.", "text",
    )])  # fmt: skip


def _share_rows(indices: Any) -> list[dict[str, Any]]:
    """RBD-FAST shares for reading: per output, each input told from noise and its share,
    largest first (the full table is in --format csv or json and in --out)."""
    from channelsim.experiments.uncertainty import share_text

    above = indices[indices["above_noise"] == True]  # noqa: E712
    ranked = above.sort_values(["output", "share"], ascending=[True, False], kind="stable")
    return [
        {"figure": r["output"], "input": share_text({**r, "input": r["parameter"]})}
        for r in ranked.to_dict(orient="records")
    ]


def _within_noise_line(indices: Any) -> str:
    """How many shares the terminal leaves out as within noise, and where they are."""
    within = int((indices["above_noise"] != True).sum())  # noqa: E712
    if not within:
        return "Every share is told from noise."
    return (
        f"{within} of {len(indices)} shares are within noise (their lower bound not above the "
        "noise level) and are not shown; every share is in --format csv or json and in --out."
    )


def _posterior_method(method: str | None, params: str | None) -> str:
    """The method of a sensitivity over a posterior: RBD-FAST on the drawn sample."""
    from channelsim.experiments.sensitivity import POSTERIOR_METHOD

    if params is not None:
        raise InputError(
            None, "--params", "expected no --params with --posterior: every parameter of the "
            "posterior and every assumption of the scenario's policies is varied",
        )  # fmt: skip
    if method not in (None, POSTERIOR_METHOD):
        raise InputError(
            None, "--method", f"expected {POSTERIOR_METHOD} with --posterior (sobol and morris "
            f"sample independent uniform ranges, not a posterior), got {method!r}",
        )  # fmt: skip
    return POSTERIOR_METHOD


def _run(loaded: Any, posterior: Any | None, options: dict[str, Any]) -> Any:
    """Sobol or Morris over the parameters' ranges, or RBD-FAST over a posterior."""
    from channelsim.experiments import prepare
    from channelsim.experiments.sensitivity import (
        POSTERIOR_METHOD,
        run_posterior_sensitivity,
        run_sensitivity,
    )

    method, params = options.pop("method"), options.pop("parameters")
    if posterior is None:
        if method == POSTERIOR_METHOD:
            raise InputError(None, "--method", "expected --posterior DIR with rbd-fast")
        return run_sensitivity(
            prepare(loaded), method=method or "sobol", parameters=params, **options
        )
    return run_posterior_sensitivity(prepare(loaded), posterior, **options)


def _too_few_line(indices: Any, written: Path) -> str | None:
    """The line under ``sensitivity written to`` when a posterior's shares came from fewer
    runs than telling any from noise needs: the files hold them (each row with its runs
    and runs needed), but they are noise (s11 F19: a reader saw "92% ± 0")."""
    if "runs_needed" not in indices or indices.empty:
        return None
    runs, needed = int(indices["runs"].min()), int(indices["runs_needed"].max())
    if runs >= needed:
        return None
    return (
        f"warning: {written}: its shares come from {runs} runs, fewer than the {needed} "
        f"needed to tell any input's share from noise (--samples {needed}): read them as "
        "noise, not as results"
        + (" (their half-widths are left empty: too few runs to bootstrap)"
           if indices["share_conf"].isna().all() else "")
        + "."
    )  # fmt: skip


def _page_title(result: Any) -> str:
    """The HTML page's title: scenario, period, method, runs and seed."""
    import datetime as dt

    from channelsim.formatting import date_text

    period = ""
    if result.period:
        first, last = (dt.date.fromisoformat(str(day)) for day in result.period)
        period = f", {date_text(first)} to {date_text(last)}"
    return (
        f"Sensitivity of {result.scenario}{period} ({result.method}, {len(result.x)} runs, "
        f"seed {result.seed})"
    )


def _print_words(lines: list[str]) -> None:
    """Sentences under the tables, a blank line before each."""
    for line in lines:
        console.print()
        console.print(line, soft_wrap=True, highlight=False)


def _print_held(result: Any, where: Any) -> None:
    """The line naming the policies' assumptions a Sobol or Morris analysis held fixed."""
    from channelsim.experiments.sensitivity import held_note

    note = held_note(getattr(result, "held", ()))
    if note is not None:
        where.print()
        where.print(note, soft_wrap=True, highlight=False)


def _print(result: Any, payload: dict[str, Any], fmt: OutputFormat) -> None:
    """The indices (or shares) as a table, CSV or JSON."""
    from channelsim.engine import all_results
    from channelsim.experiments.sensitivity import POSTERIOR_METHOD

    title = f"{result.method} indices, {result.scenario}, {len(result.x)} runs (seed {result.seed})"
    if result.method != POSTERIOR_METHOD or fmt is not OutputFormat.table:
        indices = result.indices
        if fmt is OutputFormat.table:  # rounded for reading, saying to what precision
            from channelsim.experiments.sensitivity import in_words, shown_indices

            shown, precision = shown_indices(indices)
            title = f"{title}; {precision} (--format csv or json, --out)"
            _print_tables(shown, title)
            _print_words(in_words(result.method, indices, result.n_samples))
            _print_held(result, console)
            return
        rows = _rows(indices, labelled=fmt is OutputFormat.csv)
        emit_rows(rows, fmt, title=title, json_payload=payload, row_keys=("parameter",))
        if fmt is OutputFormat.csv:  # stdout stays a CSV; JSON holds the line as held_note
            _print_held(result, err_console)
        return
    from channelsim.experiments.uncertainty import decides_note

    indices = result.indices
    noise = float(indices["noise_level"].max())
    title = (
        f"What decides each output over the posterior {result.posterior} and the scenario's "
        f"assumptions: each input's first-order index, the share of the output's variance due "
        f"to that input alone (RBD-FAST, {len(result.x)} runs, one seed: {result.seed}), ± its "
        f"own 95% bootstrap half-width; the indices need not add up to 100% (the draws are "
        f"correlated); shown when told from noise (noise level {noise:.0%})"
    )
    shares = indices.to_dict(orient="records")
    note = decides_note(
        {"": {str(i): {**r, "enough_runs": r["runs"] >= r["runs_needed"]}
              for i, r in enumerate(shares)}}, "--samples",
    )  # fmt: skip
    if note is not None:  # too few runs to tell any share from noise: one line, no shares
        console.print(note, soft_wrap=True)
        return
    rows = _share_rows(indices)
    if rows:
        emit_rows(rows, fmt, title=title, sources=[_share_headings(), all_results()])
    else:
        console.print(title, soft_wrap=True)
    console.print(_within_noise_line(indices), soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``sensitivity`` to the app."""

    @app.command("sensitivity")
    def sensitivity(
        scenario: Path = typer.Argument(
            ...,
            parser=scenario_file,
            help="Scenario file (TOML or YAML) or a shipped scenario's name (status-quo-2025).",
        ),
        outputs: str = typer.Option(
            "arrived_people,dead_or_missing_people",
            "--outputs",
            help="Comma-separated totals to analyse (as in `channelsim run --format json`).",
        ),
        method: str | None = typer.Option(
            None,
            "--method",
            help="sobol (S1, ST; the default) or morris (mu*, sigma); with --posterior, "
            "rbd-fast (the only method for a posterior's correlated draws).",
        ),
        samples: int | None = typer.Option(
            None,
            "--samples",
            help="Sobol base samples (a power of two; runs = N·(D+2), default 64), Morris "
            "trajectories (runs = N·(D+1), default 10) or, with --posterior, posterior draws "
            "(runs = N, default 256); at most 100,000 runs in all.",
        ),
        posterior: Path | None = typer.Option(
            None,
            "--posterior",
            help="Calibration posterior folder: the calibrated parameters are drawn from it "
            "(not their plausible ranges) and the policies' assumptions over their ranges, "
            "every run with the same seed; the shares of each output's variance by RBD-FAST.",
        ),
        params: str | None = typer.Option(
            None,
            "--params",
            help="Comma-separated parameter paths (default: six key ones for sobol; every engine "
            "parameter with a plausible range for morris).",
        ),
        seed: int | None = typer.Option(
            None,
            "--seed",
            help="Seed of every model run and of the sampler (default: the scenario's).",
        ),
        date_from: str | None = date_option(
            "--from", "First day reported, YYYY-MM-DD (simulated from the scenario's start)."
        ),
        date_to: str | None = date_option("--to", "Last day, YYYY-MM-DD."),
        workers: int | None = workers_option(),
        scheduler: str | None = scheduler_option(),
        out: Path | None = typer.Option(
            None,
            "--out",
            metavar="PATH",
            parser=output_path(*OUT_FOLDER),
            help="Write indices (Parquet, JSON), samples and a Plotly HTML plot to DIR (a new "
            "folder, or --force).",
        ),
        force: bool = force_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Sobol or Morris sensitivity of scenario totals, every run with the same seed; with
        --posterior, the share of each total's variance due to each calibrated parameter
        (drawn from the posterior) and each assumption of the scenario's policies."""
        from channelsim.engine import load_scenario
        from channelsim.outputs import output_folder, reserved
        from channelsim.reports import sensitivity_page
        from channelsim.scenario import with_run_options

        start, end = parse_date_option(date_from, "--from"), parse_date_option(date_to, "--to")
        loaded = with_run_options(load_scenario(scenario), start=start, end=end, seed=seed)
        read = None  # any problem is one line before a folder is made or a run started
        if posterior is not None:
            _posterior_method(method, params)
            read = read_posterior_option(posterior)
        target = None if out is None else output_folder(out, force=force)
        options = {
            "outputs": _names(outputs, "--outputs") or [],
            "method": method,
            "n_samples": samples,
            "parameters": _names(params, "--params"),
            "seed": loaded.seed,
            "executor": scheduler or ("processes" if workers else "auto"),
            "workers": workers,
            "progress": True,
        }
        with contextlib.nullcontext() if target is None else reserved(target, "sensitivity"):
            result = _run(loaded, read, options)
            payload = result.to_json_dict()
            if target is not None:
                title = _page_title(result)
                html = sensitivity_page(result.indices, title, result.posterior)
                written = result.write(target, {"sensitivity.html": html})
                payload["out"] = str(written)
                err_console.print(f"sensitivity written to {written}", highlight=False)
                short = _too_few_line(result.indices, written)
                if short is not None:
                    err_console.print(short, highlight=False, soft_wrap=True)
        _print(result, payload, fmt)
