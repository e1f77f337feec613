"""The engine's speed, against the targets of issue 11 (medians of repeated runs).

- engine: simulated 2025-like years per second, one core (target ≥ 200), and of
  ``beach-funding-plus`` (a policy whose effect depends on the combined lever);
- ``channelsim run <status quo>``, one year, whole process: wall seconds (< 0.5), CPU
  seconds, and peak memory (< 200 MB), in its own process — with the kernels compiled ahead
  of time (``python -m channelsim.aot``; Numba not loaded) and with Numba's JIT
  (``CHANNELSIM_AOT=0``: about a second) — and served by a resident engine
  (``channelsim engine start``; started and stopped here, in a folder of its own); and with
  ``--out DIR`` (its outputs written: peak memory);
- ``import channelsim``, whole process (< 0.3 s);
- ``channelsim run <status quo> --runs 100``, whole process tree, on the cores available
  (< 2 s), cold (its own pool's fork server loads the engine; compiled ahead of time and
  with the JIT) and served by a resident engine (the pool's workers fork from the engine's
  child, the engine loaded);
- at-sea kernel: boat-steps per second (≥ 2 × 10⁷);
- drift: element-steps per second against OpenDrift's Leeway model (≥ 50×), if installed.

The machine's load average is printed first: on a shared machine the wall-clock figures
(not the CPU ones) grow with it. Run: ``python benchmarks/bench_engine.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from channelsim import aot
from channelsim.engine import Sim, load_scenario
from channelsim.engine.kernels import kernel_setup
from channelsim.engine.results import BOAT_DTYPE
from channelsim.engine.sea import sail
from channelsim.params import Params, apply_overrides

REPO = Path(__file__).resolve().parents[1]
STATUS_QUO = REPO / "scenarios" / "status-quo-2025.toml"
BEACH_FUNDING = REPO / "scenarios" / "beach-funding-plus.toml"
CLI = Path(sys.executable).with_name("channelsim")


def years_per_second(
    repeats: int, path: Path = STATUS_QUO
) -> tuple[float, float, float, dict[str, int | float]]:
    """Simulated years per second of the scenario at ``path`` (the 2025 status quo): the
    medians (wall and CPU) and the fastest year's rate (wall). On a shared virtual machine
    the same code gives years 40% apart from one minute to the next: the median says what a
    user gets then, the fastest year what the code does when nothing else competes for the
    core."""
    scenario = load_scenario(path)
    Sim(scenario, seed=0).run()  # load the compiled kernels and the world
    walls, cpus = [], []
    result = None
    for seed in range(1, repeats + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        result = Sim(scenario, seed=seed).run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    assert result is not None
    median_wall, median_cpu = statistics.median(walls), statistics.median(cpus)
    return 1.0 / median_wall, 1.0 / median_cpu, 1.0 / min(walls), result.totals


def boat_steps_per_second(n_boats: int = 20_000, repeats: int = 5) -> dict[str, float]:
    """Disabled boats drifting mid-strait with no rescue: every boat runs the full horizon.

    Returns the seconds of the first call in the process (``load_s``: it loads the compiled
    kernel from Numba's on-disk cache, or compiles it, as a user's first run does), then the
    boat-steps per second of the next call (``first``) and the median of the following ones
    (``steady``), in wall and CPU time. Every call sails a fleet made (and its pages touched)
    before the clock starts."""
    params = apply_overrides(
        Params(),
        {
            "hazards": {"engine_failure_per_hour": 2.0, "capsize_per_hour": 0.0},
            "rescue": {"fr_rescue_per_hour": 0.0, "uk_pickup_per_hour": 0.0},
            "sea": {"max_hours_at_sea": 24.0},
        },
    )
    setup = kernel_setup(params)
    x = np.full(n_boats, -10.0)  # mid-strait, 18 km from either coast
    y = np.full(n_boats, -5.0)

    def fleet() -> np.ndarray:
        boats = np.zeros(n_boats, BOAT_DTYPE)
        boats["boat_id"] = np.arange(n_boats)
        boats["aboard_people"] = 60
        boats["launch_t_h"] = 24.0 * 2700
        return boats

    def run(boats: np.ndarray) -> np.ndarray:
        return sail(boats, x, y, day=2700, seed=1, weather=(4.0, 4.0, 0.4, 12.0), setup=setup)

    start = time.perf_counter()
    run(fleet())  # loads (or compiles) the kernel
    load_s = time.perf_counter() - start
    walls, cpus = [], []
    for _ in range(repeats + 1):
        boats = fleet()
        wall, cpu = time.perf_counter(), time.process_time()
        run(boats)
        steps = float(boats["steps"].sum())
        walls.append(steps / (time.perf_counter() - wall))
        cpus.append(steps / (time.process_time() - cpu))
    return {
        "load_s": load_s,
        "first": walls[0],
        "first_cpu": cpus[0],
        "steady": statistics.median(walls[1:]),
        "steady_cpu": statistics.median(cpus[1:]),
    }


# Runs a command and reports its exit code, wall and CPU seconds and peak memory, and the CPU
# seconds of its whole process tree: the launcher is a subreaper (Linux), so the processes the
# command leaves (a pool's fork server and workers end just after it) are its children once
# orphaned, and it waits for them all. A process forked from this benchmark starts with the
# benchmark's own peak (some 190 MiB once Numba is loaded here) as its ru_maxrss, kept across
# exec; forked from this small launcher instead, it starts from the launcher's ~10 MiB.
LAUNCHER = """
import ctypes, json, os, resource, subprocess, sys, time
if sys.platform.startswith("linux"):
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
tree = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([os.waitstatus_to_exitcode(status), wall, cpu, usage.ru_maxrss / 1024,
                  tree.ru_utime + tree.ru_stime]))
"""


def whole_process(
    args: list[str], repeats: int, env: dict[str, str] | None = None
) -> tuple[float, float, float, float]:
    """Median wall seconds, CPU seconds and peak resident MiB of a command's process (CPU: its
    own and that of the processes it waited for), and CPU seconds of its whole process tree (a
    pool's fork server and workers too), after one warm-up run. On a shared machine the CPU
    seconds move less than the wall seconds."""
    runs = []
    for i in range(repeats + 1):
        said = subprocess.run(
            [sys.executable, "-c", LAUNCHER, *args], env=env, capture_output=True, text=True
        )
        code, *figures = json.loads(said.stdout)
        if code != 0:
            raise RuntimeError(f"{' '.join(args)} failed")
        if i:  # the first run warms caches (compiled kernels, the world)
            runs.append(figures)
    wall, cpu, peak, tree = (statistics.median(column) for column in zip(*runs, strict=True))
    return wall, cpu, peak, tree


NUMBA_FLOOR = "from channelsim.rng import count_below; count_below(1, 2, 3, 0, 10, 0.5)"
"""What any process running the compiled engine pays before its first day: importing NumPy and
Numba, Numba's first use of its CPU target, and loading one small function from its cache."""


def served_runs(repeats: int, ensemble_repeats: int) -> list[str]:
    """``channelsim run <status quo>`` and ``run <status quo> --runs 100`` through a resident
    engine started (and stopped) here, in a folder of its own: the caller's wall, CPU and peak
    memory, and the CPU of the engine's child that ran it with its pool's workers (reaped by
    the engine: its children's CPU time, per run)."""
    folder = Path(
        tempfile.mkdtemp(prefix="cs-bench-", dir="/tmp" if Path("/tmp").is_dir() else None)
    )
    env = {**os.environ, "CHANNELSIM_ENGINE_DIR": str(folder / "engine")}
    said = []
    try:
        started = subprocess.run(
            [str(CLI), "engine", "start"], env=env, capture_output=True, text=True
        )
        if started.returncode != 0:
            return [f"resident engine: did not start ({started.stderr.strip()})"]
        pid = int((folder / "engine" / "engine.lock").read_text())
        before = _children_cpu_s(pid)
        wall, cpu, peak, _ = whole_process([str(CLI), "run", str(STATUS_QUO)], repeats, env)
        child_cpu = (_children_cpu_s(pid) - before) / (repeats + 1)
        said.append(
            f"channelsim run <status quo>, served by a resident engine: {wall:.2f} s, "
            f"{cpu:.2f} s CPU, {peak:.0f} MiB peak in the caller; {child_cpu:.2f} s CPU in the "
            "engine's child (target < 0.5 s, 200 MB)"
        )
        before = _children_cpu_s(pid)
        wall, cpu, peak, _ = whole_process(ensemble(folder / "runs.duckdb"), ensemble_repeats, env)
        child_cpu = (_children_cpu_s(pid) - before) / (ensemble_repeats + 1)
        said.append(
            f"channelsim run <status quo> --runs 100, served by a resident engine (channelsim "
            f"engine start): {wall:.2f} s, {cpu:.2f} s CPU and {peak:.0f} MiB in the caller, "
            f"{child_cpu:.2f} s CPU in the engine's child and its workers (target < 2 s)"
        )
    finally:
        subprocess.run([str(CLI), "engine", "stop"], env=env, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    return said


def ensemble(store: Path) -> list[str]:
    """``channelsim run <status quo> --runs 100``, recorded in ``store``."""
    return [str(CLI), "run", str(STATUS_QUO), "--runs", "100", "--runs-store", str(store)]


def _children_cpu_s(pid: int) -> float:
    """User and system CPU seconds of the reaped children of ``pid`` (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def drift_against_opendrift() -> str:
    try:
        import opendrift  # noqa: F401
    except ImportError:
        return "drift: OpenDrift is not installed (pip install -e '.[dev]'), not compared"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import logging

    from drift_vs_opendrift import compare

    logging.disable(logging.WARNING)
    c = compare(n=2000, hours=6.0)
    return (
        f"drift: {c.speedup:.0f}x OpenDrift per element-step (2,000 elements, 6 h; target ≥ 50); "
        f"means {c.mean_distance_km:.2f} km apart, spread ratio {c.spread_ratio:.2f}"
    )


def setting_line() -> str:
    """What else moves the cold commands' figures: an imported data store (before session 14,
    ``run --runs N`` then loaded pandas for the observed figures its headline quotes: some
    0.4 CPU s and 37 MiB more in the driver; DuckDB sums them now) and bytecode not written
    (``PYTHONDONTWRITEBYTECODE``: a checkout whose modules were never compiled compiles them
    in every process)."""
    from channelsim.data import DataStore

    try:
        held = DataStore().holds_editions()
    except Exception as error:  # a store in the way: said, not fatal here
        held_text = f"unreadable ({type(error).__name__})"
    else:
        held_text = "editions imported" if held else "no edition imported"
    written = "not written" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "written"
    return f"data store: {held_text}; bytecode {written} (PYTHONDONTWRITEBYTECODE)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no OpenDrift")
    quick = parser.parse_args().quick
    repeats = 3 if quick else 7
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min)")
    print(setting_line())

    wall_rate, cpu_rate, best_rate, totals = years_per_second(30 if quick else 100)
    print(
        f"engine: {wall_rate:.0f} simulated years/s wall, {cpu_rate:.0f} per CPU second "
        f"(medians), the fastest year {best_rate:.0f}/s (2025 status quo: "
        f"{totals['launched_boats']} boats launched; target ≥ 200)"
    )
    wall_rate, cpu_rate, best_rate, _ = years_per_second(30 if quick else 100, BEACH_FUNDING)
    print(
        f"engine, beach-funding-plus (officers bought added to each day's chance before the "
        f"run): {wall_rate:.0f} simulated years/s wall, {cpu_rate:.0f} per CPU second "
        f"(medians), the fastest year {best_rate:.0f}/s"
    )
    k = boat_steps_per_second()
    print(
        f"at-sea kernel: steady {k['steady']:.3g} boat-steps/s wall, {k['steady_cpu']:.3g} per "
        f"CPU second (median of 5 calls; target ≥ 2e7); the call before them "
        f"{k['first']:.3g} wall, {k['first_cpu']:.3g} CPU; the process's first call, "
        f"which loads the compiled kernel, {k['load_s']:.2f} s"
    )
    wall, cpu, _, _ = whole_process([sys.executable, "-c", "import channelsim"], repeats)
    print(f"import channelsim: {wall:.3f} s whole process, {cpu:.3f} s CPU (target < 0.3 s)")
    wall, cpu, peak, _ = whole_process([sys.executable, "-c", NUMBA_FLOOR], repeats)
    print(
        f"Numba's floor, in its own process (NumPy, Numba, one cached compiled function "
        f"called): {wall:.2f} s, {cpu:.2f} s CPU, {peak:.0f} MiB peak — part of every cold "
        "run below"
    )
    print(aot.check())
    alone = {**os.environ, "CHANNELSIM_ENGINE": "off"}
    jit = {**alone, "CHANNELSIM_AOT": "0"}
    for how, env in (("", alone), (", JIT (CHANNELSIM_AOT=0)", jit)):
        wall, cpu, peak, _ = whole_process([str(CLI), "run", str(STATUS_QUO)], repeats, env)
        print(
            f"channelsim run <status quo>, in its own process{how}: {wall:.2f} s, "
            f"{cpu:.2f} s CPU, {peak:.0f} MiB peak (target < 0.5 s, 200 MB)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        args = [str(CLI), "run", str(STATUS_QUO), "--out", str(Path(tmp) / "out"), "--force"]
        wall, cpu, peak, _ = whole_process(args, repeats, alone)
    print(
        f"channelsim run <status quo> --out DIR (Parquet, CSV, workbook), in its own process: "
        f"{wall:.2f} s, {cpu:.2f} s CPU, {peak:.0f} MiB peak (target < 200 MB)"
    )
    for how, env in (("", alone), (", JIT (CHANNELSIM_AOT=0)", jit)):
        with tempfile.TemporaryDirectory() as tmp:
            args = ensemble(Path(tmp) / "runs.duckdb")
            wall, cpu, peak, tree = whole_process(args, 2 if quick else 3, env)
        print(
            f"channelsim run <status quo> --runs 100, cold (no resident engine){how}: "
            f"{wall:.2f} s, {cpu:.2f} s CPU and {peak:.0f} MiB in the driver, {tree:.2f} s CPU "
            "in all its processes (target < 2 s)"
        )
    for line in served_runs(repeats, 2 if quick else 3):
        print(line)
    if not quick:
        print(drift_against_opendrift())


if __name__ == "__main__":
    main()
