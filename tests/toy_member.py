"""A cheap stand-in for the engine's ``run_scenario(scenario, seed, overrides)`` in tests.

It lives in ``tests/`` (never in the product) and reaches worker processes through the
driver's ``sys.path``, which spawn/forkserver pools and LocalCluster workers inherit.

A scenario is a dict: ``launch_rate`` (boats per day), ``p_stop`` (share stopped on the beach),
``days``, and optionally ``sleep_s`` (to slow members down), ``cpu_draws`` (normal draws
that burn CPU like a real member, for benchmarks), ``die_once`` =
``{"marker": path, "seed": seed}``: the process running the member with that seed kills itself
with SIGKILL the first time (the marker file records that it happened), and ``hold`` =
``{"folder": path, "after": n}``: each member takes a numbered ticket file in the folder as
it starts, and all but the first ``n`` wait until the file ``open`` appears in it (a driver
interrupted with members in its workers, whatever the machine's load or the order in which
the pool hands members out).

Run as a script, it is an ensemble driver for the killed-driver and Ctrl-C tests:
``python toy_member.py STORE EXECUTOR RUN_ID [--resume] [--hold FOLDER N]``.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


@dataclasses.dataclass
class ToyResult:
    daily: pd.DataFrame
    boats: pd.DataFrame
    totals: dict[str, float]


def toy_member(
    scenario: dict[str, Any], seed: int, overrides: dict[str, Any] | None = None
) -> ToyResult:
    """Boats launched per day (Poisson), each stopped on the beach with ``p_stop``.

    Uniforms are drawn for every possible boat whatever ``p_stop`` is, so two scenarios with
    the same seed share their random world (common random numbers).
    """
    params = {**scenario, **(overrides or {})}
    die_once = params.get("die_once")
    if die_once and seed == die_once["seed"] and not Path(die_once["marker"]).exists():
        Path(die_once["marker"]).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    if params.get("hold"):
        _held(Path(params["hold"]["folder"]), int(params["hold"]["after"]), seed)
    if params.get("sleep_s"):
        time.sleep(params["sleep_s"])
    rng = np.random.default_rng(seed)
    days = int(params["days"])
    attempts = rng.poisson(params["launch_rate"], size=days)
    stop_u = rng.random(attempts.sum())
    people = rng.integers(30, 70, size=attempts.sum())
    stopped = stop_u < params["p_stop"]
    day = np.repeat(np.arange(days), attempts)
    boats = pd.DataFrame(
        {"day": day, "people": people, "stopped": stopped, "wave_height_m": stop_u * 2.0}
    )
    crossed = boats[~boats["stopped"]]
    daily = pd.DataFrame(
        {
            "day": np.arange(days),
            "boats_attempted": attempts,
            "boats_arrived": np.bincount(crossed["day"], minlength=days),
            "people_arrived": np.bincount(
                crossed["day"], weights=crossed["people"], minlength=days
            ),
        }
    )
    totals = {
        "boats_arrived": int(daily["boats_arrived"].sum()),
        "people_arrived": float(daily["people_arrived"].sum()),
        "p_stop": float(params["p_stop"]),
    }
    if params.get("cpu_draws"):  # CPU work standing in for the engine's, for benchmarks
        totals["cpu_noise"] = float(rng.standard_normal(int(params["cpu_draws"])).mean())
    return ToyResult(daily=daily, boats=boats, totals=totals)


def _held(folder: Path, after: int, seed: int) -> None:
    """Start the member at once if fewer than ``after`` members started before it, else once
    ``folder/open`` exists.

    A member that starts takes the next ticket: the first free name of ``started-0``,
    ``started-1``... created exclusively, so that two members starting at once take two
    tickets, and the order does not depend on which members the pool hands out first (two
    scenarios' members of one replicate share their seed, which named the files before)."""
    ticket = 0
    while True:
        try:
            handle = os.open(folder / f"started-{ticket}", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            ticket += 1
            continue
        with os.fdopen(handle, "w") as marker:  # who took it, for a failing test's reader
            marker.write(f"seed {seed}, process {os.getpid()}\n")
        break
    if ticket < after:
        return
    while not (folder / "open").exists():
        time.sleep(0.05)


def pid_member(scenario: Any, seed: int, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Reports which process ran it, to tell whether a pool was reused."""
    time.sleep(0.02)  # long enough for both workers of a pool to take members
    return {"totals": {"pid": os.getpid(), "seed_mod_7": seed % 7}}


SCENARIOS = {
    "base": {"launch_rate": 3.0, "p_stop": 0.3, "days": 60},
    "patrols": {"launch_rate": 3.0, "p_stop": 0.5, "days": 60},
}


def driver_spec() -> Any:
    """The slow ensemble the driver script runs (24 members of about 0.1 s each)."""
    from channelsim.experiments import EnsembleSpec

    scenarios = {name: {**s, "sleep_s": 0.1} for name, s in SCENARIOS.items()}
    return EnsembleSpec(scenarios=scenarios, reps=12, base_seed=7, name="driver")


def _drive(argv: list[str]) -> int:
    """Run the driver ensemble recorded in STORE; exit 130 on Ctrl-C like the CLI."""
    from channelsim.experiments import run_ensemble
    from channelsim.runstore import RunStore
    from toy_member import driver_spec, toy_member  # by module name, so the config hash matches

    store_path, executor, run_id = argv[:3]
    spec = driver_spec()
    if "--hold" in argv:
        folder, after = argv[argv.index("--hold") + 1 : argv.index("--hold") + 3]
        hold = {"folder": folder, "after": int(after)}
        scenarios = {name: {**s, "hold": hold} for name, s in spec.scenarios.items()}
        spec = dataclasses.replace(spec, scenarios=scenarios)
    try:
        with RunStore(Path(store_path)) as store:
            run_ensemble(
                toy_member,
                spec,
                executor=executor,
                workers=2,
                progress=False,
                store=store,
                run_id=run_id,
                resume="--resume" in argv,
            )
    except KeyboardInterrupt:
        return 130
    return 0


def process_of(payload: Any, item: Any) -> int:
    """The id of the process that ran ``item`` (an executor's task)."""
    return os.getpid()


class Boxed:
    """A pool task's result that a weak reference can follow (to see who still holds it)."""

    def __init__(self, item: Any) -> None:
        self.item = item


def boxed(payload: Any, item: Any) -> Boxed:
    return Boxed(item)


def assert_same_results(a: Any, b: Any) -> None:
    """Two EnsembleResults agree exactly: members, seeds, totals, tables and aggregates.

    Only timing fields and the run id may differ.
    """
    assert a.members == b.members
    for x, y in zip(a.outputs, b.outputs, strict=True):
        assert (x.key, x.seed, x.totals) == (y.key, y.seed, y.totals)
        assert list(x.tables) == list(y.tables)
        for name in x.tables:
            pd.testing.assert_frame_equal(x.tables[name], y.tables[name], check_exact=True)
    json_a = {k: v for k, v in a.to_json_dict().items() if k != "run_id"}
    json_b = {k: v for k, v in b.to_json_dict().items() if k != "run_id"}
    assert json_a == json_b


if __name__ == "__main__":
    sys.exit(_drive(sys.argv[1:]))


def worker_state(payload: Any, item: Any) -> tuple[bool, int]:
    """Whether the process running ``item`` has the engine loaded, and how many objects its
    garbage collector leaves alone (frozen): what a pool worker inherits."""
    import gc
    import sys

    return "channelsim.engine.sim" in sys.modules, gc.get_freeze_count()
