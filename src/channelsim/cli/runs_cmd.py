"""CLI commands: ``channelsim runs list|show|rm`` over the results store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console, print_json
from channelsim.errors import InputError

if TYPE_CHECKING:  # imported where used: the command line starts without them
    from channelsim.experiments import EnsembleResult
    from channelsim.experiments.calibrate import Posterior

RUNS_STORE_HELP = (
    "Results store (a DuckDB file; members' outputs go in the folder NAME.members beside it). "
    "Default: $CHANNELSIM_RUNS if set and not empty, else the user data dir."
)


DATA_STORE_HELP = (
    "Data store (DuckDB file); default $CHANNELSIM_STORE if set and not empty, else the user "
    "data directory."
)


def runs_store_option() -> Any:
    """The shared ``--runs-store PATH`` option, for every command that records runs."""
    return typer.Option(
        None,
        "--runs-store",
        help=RUNS_STORE_HELP,
        callback=_a_store_file("--runs-store", "the results store's file (such as runs.duckdb)"),
    )


def data_store_option() -> Any:
    """The shared ``--store PATH`` option, for every command that reads the official data."""
    return typer.Option(
        None,
        "--store",
        help=DATA_STORE_HELP,
        callback=_a_store_file("--store", "the data store's file (such as store.duckdb)"),
    )


def _a_store_file(option: str, expected: str) -> Callable[[Path | None], Path | None]:
    """A store option must name a file: an empty value (the current folder) or a folder is
    one line, not click's usage block. (An empty ``$CHANNELSIM_RUNS`` or ``$CHANNELSIM_STORE``
    counts as unset, as the README says: a variable is often emptied to unset it.)"""

    def check(value: Path | None) -> Path | None:
        if value is not None and (str(value) in ("", ".") or value.is_dir()):
            got = "an empty path" if str(value) in ("", ".") else f"{value}, a folder"
            raise InputError(None, option, f"expected {expected}, got {got}")
        return value

    return check


def date_option(option: str, help: str, *, required: bool = False) -> Any:
    """A ``YYYY-MM-DD`` option (``--from``, ``--to``, ``--as-of``), checked as the command
    line is read, before missing arguments or any work: ``--from: expected a date
    YYYY-MM-DD, got '2025-13-01' (there is no month 13)``, the same line for every command."""
    from channelsim.errors import parse_day

    return typer.Option(
        ... if required else None, option, help=help, callback=checked_by(parse_day, option)
    )


def checked_by(parse: Callable[[str, str], object], option: str) -> Callable[[Any], Any]:
    """An option callback that checks a value with ``parse(value, option)`` (which raises a
    one-line :class:`InputError`) and passes it on unchanged."""

    def check(value: Any) -> Any:
        if value is not None:
            parse(value, option)
        return value

    return check


def executor_option() -> Any:
    """The shared ``--executor`` option of ensemble commands."""
    return typer.Option(
        "processes",
        "--executor",
        callback=_scheduler_address("--executor"),
        help="'processes' (a local pool), 'serial', or a Dask scheduler address tcp://HOST:PORT.",
    )


#: Most members one ensemble may ask for: each is planned (seed, parameters) before any runs,
#: so 10^20 filled the memory before the first member (a cluster runs more in several calls).
MAX_RUNS = 100_000


OUT_FOLDER = ("--out", "the path of a folder to write")
OUT_FILE = ("--out", "the path of a file to write")


def output_path(option: str, expected: str) -> Callable[[str], Path]:
    """The parser of an output option (``--out``, ``-o``, ``--to``): an empty value is one line
    naming the option and what it takes (``--out ""`` was read as the current folder, and
    refused as that folder, named by its path, not as the empty value given)."""

    def parse(value: str) -> Path:
        if not str(value).strip():
            raise InputError(None, option, f"expected {expected}, got an empty value")
        return Path(value)

    return parse


def scenario_file(value: str) -> Path:
    """The parser of a scenario argument: a file, or a shipped scenario's name
    (:func:`channelsim.scenario.scenario_argument`); an empty name is one line saying so
    (``run ""`` read the current folder, ".", and said "got a folder")."""
    from channelsim.scenario import scenario_argument

    return scenario_argument(str(value))


def at_least_one(
    option: str, most: int | None = None, *, least: int = 1
) -> Callable[[int | None], int | None]:
    """An option callback refusing a count below ``least`` (1 unless the command needs more:
    validate's intervals need 2 runs) or above ``most`` with one line (not a usage block)
    that states the range the command takes."""

    def check(value: int | None) -> int | None:
        if value is not None and (value < least or (most is not None and value > most)):
            limit = f" and at most {most:,}" if most is not None else ""
            raise InputError(
                None, option, f"expected a whole number of at least {least}{limit}, got {value}"
            )
        return value

    return check


def read_posterior_option(path: Path) -> Posterior:
    """The posterior folder given as ``--posterior``; any problem with it is one line naming
    the option, the folder or file, and what was expected."""
    from channelsim.experiments.calibrate import read_posterior

    if not path.exists() and not path.is_symlink():  # it said only "expected a posterior
        # folder written by channelsim calibrate" of a path that does not exist (s12 U11)
        raise InputError(
            None,
            "--posterior",
            f"{path}: no such folder (here: {Path.cwd()}); expected a posterior folder "
            "written by channelsim calibrate",
        )
    try:
        return read_posterior(path)
    except InputError as error:
        raise InputError(None, "--posterior", str(error)) from None


def workers_option() -> Any:
    """The shared ``--workers`` option: local worker processes."""
    return typer.Option(
        None,
        "--workers",
        callback=_workers,
        help="Local worker processes (default: all cores, once the members would take more "
        "than a few seconds in this process).",
    )


def _workers(ctx: typer.Context | None, value: int | None) -> int | None:
    """At least 1; more than the cores this process may use is capped at them, with a note
    (each worker holds the engine, ~300 MB: 64 on 2 cores would only exhaust the memory)."""
    value = at_least_one("--workers")(value)
    if value is None:
        return None
    from channelsim.experiments.executor import default_workers

    cores = default_workers()
    if value > cores and not _refused_without_runs(ctx):
        err_console.print(
            f"note: --workers {value}: this machine lets channelsim use {cores} cores; "
            f"using {cores} worker processes",
            highlight=False,
        )
        return cores
    return value


def _refused_without_runs(ctx: typer.Context | None) -> bool:
    """Whether this command takes ``--runs`` only for ensembles (``run``: its default is
    none) and was not given it: it refuses ``--workers`` in one line, and the note capping
    the workers would be a second (``--runs`` is read first, eagerly)."""
    if ctx is None:
        return False
    runs = next((p for p in ctx.command.params if p.name == "runs"), None)
    return runs is not None and runs.default is None and ctx.params.get("runs") is None


def _scheduler_address(option: str) -> Callable[[str | None], str | None]:
    """An option callback: a valid scheduler address (or a local executor's name) passes,
    with distributed's own logging quietened; anything else is one line naming ``option``."""

    def check(value: str | None) -> str | None:
        if value is None or value in ("processes", "serial"):
            return value
        from channelsim.experiments.executor import check_scheduler_address, quiet_cluster_logs

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
        "picks the latest run with the same configuration, finished or not.",
    )


def resume_target(value: str | None) -> tuple[str | None, bool]:
    """``(run_id, resume)`` for ``run_ensemble`` from the ``--resume`` value."""
    from channelsim.experiments.runs import resume_target as target

    return target(value)


def _format_option() -> Any:
    return typer.Option(OutputFormat.table, "--format", help="Output format.")


def _compared(run: Mapping[str, Any], shown: int = 2) -> str:
    """What a run simulates, to tell apart runs of one name: ``doctrine-territorial against
    status-quo-2025``; ``a, b and 9 more against status-quo-2025``; one scenario's name."""
    names = list(run.get("scenarios") or [])
    base = run.get("base")
    others = [n for n in names if n != base]
    if base is None or not others:
        return ", ".join(names)
    listed = ", ".join(others[:shown])
    if len(others) > shown:
        listed += f" and {len(others) - shown} more"
    return f"{listed} against {base}"


def parameters_text(run: Mapping[str, Any]) -> str:
    """How a run set its parameters: ``fixed`` (the scenarios' values) or ``posterior``
    (drawn from a calibration posterior, one draw per member or pair; the CSV and JSON give
    the number of draws): two runs of one scenario and seed, with and without
    ``--posterior``, were told apart by their config hash alone, while their intervals
    differ."""
    return "posterior" if int(run.get("n_draws") or 0) else "fixed"


def _compact_run(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": run["run_id"],
        "kind": run["kind"],
        "name": run["name"],
        "simulates": _compared(run),
        "parameters": parameters_text(run),
        "status": run["status"],
        "members": f"{run['n_done']}/{run['n_members']}",
        "seed": run["base_seed"],
        # to the minute (the run id has the seconds): the list fits 80 columns
        "created": f"{run['created']:%Y-%m-%d %H:%M}"
        if hasattr(run["created"], "strftime")
        else run["created"],
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
    from channelsim.engine import all_results

    sources = [all_results()]
    rows = result.summary().to_dict(orient="records")
    if fmt is not OutputFormat.table:
        emit_rows(rows, fmt, title="totals across members", sources=sources)
        return
    tables = [(f"{name}: totals across members", part) for name, part in _by_scenario(rows)]
    if compare is not None:
        base = result.spec.base_scenario
        tables += [
            (f"{name} minus {base}: paired differences", part)
            for name, part in _by_scenario(compare.to_dict(orient="records"))
        ]
    for title, part in tables:  # one table per scenario: the figures' labels fit
        emit_rows(part, fmt, title=title, sources=sources)


def _by_scenario(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Rows grouped by their ``scenario`` (in order), without that column."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        rest = {k: v for k, v in row.items() if k != "scenario"}
        groups.setdefault(str(row.get("scenario")), []).append(rest)
    return list(groups.items())


#: A member's row before its totals (``_member_row``).
MEMBER_KEYS = ("member_key", "scenario", "draw", "rep", "seed", "status", "seconds")
#: The run's record as ``runs show`` prints it (the rest is in --format json).
RECORD = ("run_id", "kind", "name", "status", "base_seed", "code_version", "created", "ended")


def _when(value: Any) -> Any:
    """A time to the second, as people read it; anything else as it is."""
    return f"{value:%Y-%m-%d %H:%M:%S}" if hasattr(value, "strftime") else value


def _show_table(run: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """The run's record, then each member's key figures (the results registry's, labelled
    with their units); every figure of every member is in --format csv or json."""
    from channelsim.engine import all_results
    from channelsim.headline import lead_figures

    results = all_results()
    record = [{"field": k, "value": _when(run[k])} for k in RECORD if k in run]
    record.insert(4, {"field": "members_done", "value": f"{run['n_done']}/{run['n_members']}"})
    emit_rows(record, OutputFormat.table, title=f"run {run['run_id']}", sources=[results])
    present = [k for k in rows[0] if k not in MEMBER_KEYS] if rows else []
    key = [t for t in lead_figures(results.key()) if t in present]
    keys = ["member_key", *(key or present)]  # a model without key figures: all it gives
    emit_rows(
        [{k: r.get(k) for k in keys} for r in rows],
        OutputFormat.table,
        title=f"{len(rows)} members recorded: key figures (all figures: --format csv, or "
        "--summary for medians and intervals)",
        sources=[results],
    )


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
        elif fmt is OutputFormat.csv:  # a list in a cell: the names, one string
            rows = [{**r, "scenarios": "; ".join(r["scenarios"] or [])} for r in rows]
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
        _show_table(run, rows)

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
