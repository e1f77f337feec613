"""CLI commands: ``channelsim runs list|show|rm`` over the results store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console, print_json
from channelsim.errors import InputError

if TYPE_CHECKING:  # imported where used: the command line starts without them
    from channelsim.experiments import EnsembleResult

RUNS_STORE_HELP = (
    "Results store (a DuckDB file; members' outputs go in the folder NAME.members beside it). "
    "Default: $CHANNELSIM_RUNS, else the user data dir."
)


def runs_store_option() -> Any:
    """The shared ``--runs-store PATH`` option, for every command that records runs."""
    return typer.Option(None, "--runs-store", help=RUNS_STORE_HELP, dir_okay=False)


def executor_option() -> Any:
    """The shared ``--executor`` option of ensemble commands."""
    return typer.Option(
        "processes",
        "--executor",
        callback=_scheduler_address("--executor"),
        help="'processes' (a local pool), 'serial', or a Dask scheduler address tcp://HOST:PORT.",
    )


def at_least_one(option: str) -> Callable[[int | None], int | None]:
    """An option callback refusing a count below 1 with one line (not a usage block)."""

    def check(value: int | None) -> int | None:
        if value is not None and value < 1:
            raise InputError(None, option, f"expected a whole number of at least 1, got {value}")
        return value

    return check


def workers_option() -> Any:
    """The shared ``--workers`` option: local worker processes."""
    return typer.Option(
        None,
        "--workers",
        callback=at_least_one("--workers"),
        help="Local worker processes (default: all cores, once the members would take more "
        "than a few seconds in this process).",
    )


def _scheduler_address(option: str) -> Callable[[str | None], str | None]:
    """An option callback: a valid scheduler address (or a local executor's name) passes,
    with distributed's own logging quietened; anything else is one line naming ``option``."""

    def check(value: str | None) -> str | None:
        from channelsim.experiments.executor import check_scheduler_address, quiet_cluster_logs

        if value is None or value in ("processes", "serial"):
            return value
        if option == "--executor" and "://" not in value:
            raise InputError(
                None, option, f"expected processes, serial or tcp://HOST:PORT, got {value!r}"
            )
        check_scheduler_address(value, option)
        quiet_cluster_logs()
        return value

    return check


def scheduler_option() -> Any:
    """The shared ``--scheduler tcp://HOST:PORT`` option: run on a Dask distributed cluster."""
    return typer.Option(
        None,
        "--scheduler",
        metavar="tcp://HOST:PORT",
        callback=_scheduler_address("--scheduler"),
        help="Run the ensemble on this Dask scheduler instead of local processes.",
    )


def force_option() -> Any:
    """The shared ``--force`` option of commands that write an output folder or file."""
    return typer.Option(
        False,
        "--force",
        help="Replace an output that channelsim wrote before (never anything else).",
    )


def resume_option() -> Any:
    """The shared ``--resume RUN_ID|latest`` option; read it with :func:`resume_target`."""
    return typer.Option(
        None,
        "--resume",
        metavar="RUN_ID|latest",
        help="Continue an interrupted run without recomputing its finished members; 'latest' "
        "picks the latest unfinished run with the same configuration.",
    )


def resume_target(value: str | None) -> tuple[str | None, bool]:
    """``(run_id, resume)`` for ``run_ensemble`` from the ``--resume`` value."""
    from channelsim.experiments.runs import resume_target as target

    return target(value)


def _format_option() -> Any:
    return typer.Option(OutputFormat.table, "--format", help="Output format.")


def _compact_run(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": run["run_id"],
        "kind": run["kind"],
        "name": run["name"],
        "status": run["status"],
        "members": f"{run['n_done']}/{run['n_members']}",
        "seed": run["base_seed"],
        "created": f"{run['created']:%Y-%m-%d %H:%M:%S}",
        "config": run["config_sha256"][:12],
    }


def _member_row(member: dict[str, Any]) -> dict[str, Any]:
    row = {k: member[k] for k in ("member_key", "scenario", "draw", "rep", "seed", "status")}
    row["seconds"] = (member["ended"] - member["started"]).total_seconds()
    return {**row, **member["totals"]}


def _show_summary(result: EnsembleResult, fmt: OutputFormat) -> None:
    compare = result.compare() if len(result.spec.scenarios) > 1 else None
    if fmt is OutputFormat.json:
        print_json(result.to_json_dict())
        return
    emit_rows(result.summary().to_dict(orient="records"), fmt, title="totals across members")
    if compare is not None and fmt is OutputFormat.table:
        title = f"paired differences against {result.spec.base_scenario}"
        emit_rows(compare.to_dict(orient="records"), fmt, title=title)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    runs = typer.Typer(help="Recorded runs: list them, show one, remove one.", no_args_is_help=True)
    app.add_typer(runs, name="runs")

    @runs.command("list")
    def list_runs(
        kind: str | None = typer.Option(
            None, "--kind", help="Only runs of this kind (run, compare, calibrate, sensitivity)."
        ),
        runs_store: Path | None = runs_store_option(),
        fmt: OutputFormat = _format_option(),
    ) -> None:
        """List recorded runs, newest first."""
        from channelsim.runstore import RunStore

        with RunStore(runs_store, create=False) as store:
            rows = store.list_runs(kind)
        if fmt is OutputFormat.table:  # the full record is in csv and json
            rows = [_compact_run(r) for r in rows]
        emit_rows(rows, fmt, title=f"runs in {store.path}")

    @runs.command("show")
    def show_run(
        run_id: str = typer.Argument(..., help="Run id, as listed by `channelsim runs list`."),
        runs_store: Path | None = runs_store_option(),
        summary: bool = typer.Option(
            False,
            "--summary",
            help="Medians and 5-95%/25-75% intervals of the totals per scenario, and paired "
            "differences against the base scenario, instead of the members.",
        ),
        fmt: OutputFormat = _format_option(),
    ) -> None:
        """Show one run: its record, configuration and members with their totals."""
        from channelsim.runstore import RunStore

        with RunStore(runs_store, create=False) as store:
            run = store.get_run(run_id)
            if summary:
                _show_summary(store.load_result(run_id), fmt)
                return
            members = store.members(run_id)
        if fmt is OutputFormat.json:
            print_json({"run": run, "members": members})
            return
        rows = [_member_row(m) for m in members]
        if fmt is OutputFormat.csv:
            emit_rows(rows, fmt)
            return
        for row in rows:  # 63-bit seeds and a constant status only widen the table
            del row["seed"], row["status"]
        fields = [{"field": k, "value": v} for k, v in run.items() if k != "config"]
        emit_rows(fields, fmt, title=f"run {run_id}")
        emit_rows(rows, fmt, title=f"{len(rows)} members recorded")

    @runs.command("rm")
    def remove_run(
        run_id: str = typer.Argument(..., help="Run id to remove."),
        runs_store: Path | None = runs_store_option(),
        fmt: OutputFormat = _format_option(),
    ) -> None:
        """Remove a run: its rows in the store and its Parquet outputs."""
        from channelsim.runstore import RunStore

        with RunStore(runs_store, create=False) as store:
            n_members = store.remove_run(run_id)
        if fmt is OutputFormat.json:
            print_json({"removed": run_id, "n_members": n_members})
        else:
            err_console.print(f"removed run {run_id} ({n_members} members)", highlight=False)
