"""Ensemble throughput: members per second and simulated years per second.

Runs one ensemble (one scenario, ``--members`` replicates) with 1 and 2 local worker processes
and on a 2-worker Dask ``LocalCluster``, checks that all three give identical results, and
prints the figures and the 1 -> 2 worker speed-up (target: >= 1.8x for 1,000 members). Each
executor is warmed up first on a small ensemble; its start-up (imports, JIT compilation) is
printed separately. On a shared machine, other processes' load lowers the speed-up.

The member is the real engine (``channelsim.engine.run_scenario`` on
``scenarios/status-quo-2025.toml``) when it is available, else the CPU-bound toy member of the
tests (``tests/toy_member.py``, one simulated year per member)::

    .venv/bin/python benchmarks/bench_ensemble.py                  # quick: 100 members
    .venv/bin/python benchmarks/bench_ensemble.py --members 1000   # the target figure
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "status-quo-2025.toml"


def _engine() -> tuple[Callable[..., Any], Any, float] | None:
    """The engine's member function, its scenario and the simulated years per member."""
    try:
        from channelsim.engine import run_scenario
        from channelsim.scenario import load_scenario
    except ImportError:
        return None
    if not SCENARIO.exists():
        return None
    scenario = load_scenario(SCENARIO)
    years = ((scenario.end - scenario.start).days + 1) / 365.25
    return run_scenario, scenario, years


def _toy(cpu_draws: int) -> tuple[Callable[..., Any], Any, float]:
    sys.path.insert(0, str(ROOT / "tests"))  # spawned workers inherit sys.path
    from toy_member import toy_member

    scenario = {"launch_rate": 3.0, "p_stop": 0.3, "days": 365, "cpu_draws": cpu_draws}
    return toy_member, scenario, 1.0


def _timed(
    label: str, run: Callable[[], Any], n: int, years: float, workers: int
) -> tuple[Any, dict[str, Any]]:
    """Time one ensemble; ``busy`` is the share of worker time spent inside members.

    Busy time is measured in the workers, so it stays meaningful on a shared machine where
    other processes slow every member down: it shows what the executor itself loses.
    """
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    in_members_s = sum(o.ended_s - o.started_s for o in result.outputs)
    row = {
        "executor": label,
        "members": n,
        "seconds": round(seconds, 3),
        "members_per_s": round(n / seconds, 2),
        "sim_years_per_s": round(n * years / seconds, 2),
        "busy": round(in_members_s / (workers * seconds), 3),
    }
    print(
        f"{label:<22} {n:>6} members  {seconds:8.2f} s  {row['members_per_s']:8.2f} members/s  "
        f"{row['sim_years_per_s']:8.2f} simulated years/s  workers busy {row['busy']:.0%}",
        flush=True,
    )
    return result, row


def _same(a: Any, b: Any) -> bool:
    strip = lambda r: {k: v for k, v in r.to_json_dict().items() if k != "run_id"}  # noqa: E731
    return strip(a) == strip(b) and all(
        x.totals == y.totals and all(x.tables[t].equals(y.tables[t]) for t in x.tables)
        for x, y in zip(a.outputs, b.outputs, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100, help="ensemble size (default 100)")
    parser.add_argument("--member", choices=["auto", "engine", "toy"], default="auto")
    parser.add_argument(
        "--toy-cpu-draws",
        type=int,
        default=3_000_000,
        help="CPU work of the toy member, in normal draws (default about 0.05 s)",
    )
    parser.add_argument("--no-dask", action="store_true", help="skip the LocalCluster run")
    args = parser.parse_args()

    from channelsim.experiments import (
        DaskExecutor,
        EnsembleSpec,
        Executor,
        ProcessExecutor,
        run_ensemble,
    )

    engine = _engine() if args.member != "toy" else None
    if args.member == "engine" and engine is None:
        sys.exit(f"the engine or {SCENARIO} is not available")
    member_fn, scenario, years = engine or _toy(args.toy_cpu_draws)
    kind = "engine" if engine else f"toy ({args.toy_cpu_draws:,} draws of CPU work)"
    spec = EnsembleSpec(scenarios={"bench": scenario}, reps=args.members, base_seed=2025)
    print(f"member: {kind}, {years:.2f} simulated years each; {args.members} members", flush=True)

    warm_up = EnsembleSpec(scenarios={"bench": scenario}, reps=4, base_seed=1)

    def measure(label: str, executor: Executor, workers: int) -> tuple[Any, dict[str, Any]]:
        """Start-up (workers import and compile on a small warm-up ensemble), then the run."""
        with executor:
            started = time.perf_counter()
            run_ensemble(member_fn, warm_up, executor=executor, progress=False)
            startup_s = time.perf_counter() - started
            result, row = _timed(
                label,
                lambda: run_ensemble(member_fn, spec, executor=executor, progress=False),
                args.members,
                years,
                workers,
            )
        row["startup_s"] = round(startup_s, 2)
        return result, row

    one, row_one = measure("processes, 1 worker", ProcessExecutor(workers=1), 1)
    two, row_two = measure("processes, 2 workers", ProcessExecutor(workers=2), 2)
    rows = [row_one, row_two]
    speedup = row_one["seconds"] / row_two["seconds"]
    identical = _same(one, two)
    if not args.no_dask:
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:
            dask, row = measure("dask LocalCluster, 2", DaskExecutor(cluster.scheduler_address), 2)
        rows.append(row)
        identical = identical and _same(one, dask)
    for row in rows:
        print(f"start-up of {row['executor']:<22} {row['startup_s']:6.2f} s (not in the figures)")
    print(f"speed-up 1 -> 2 workers: {speedup:.2f}x (target >= 1.8x at 1,000 members)")
    print(f"identical results across executors: {identical}")
    print(json.dumps({"member": kind, "speedup_1_to_2": round(speedup, 2), "runs": rows}))


if __name__ == "__main__":
    main()
