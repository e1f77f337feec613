"""A cheap stand-in for the engine's ``run_scenario(scenario, seed, overrides)`` in tests.

It lives in ``tests/`` (never in the product) and reaches worker processes through the
driver's ``sys.path``, which spawn/forkserver pools and LocalCluster workers inherit.

A scenario is a dict: ``launch_rate`` (boats per day), ``p_stop`` (share stopped on the beach),
``days``, and optionally ``sleep_s`` (to slow members down) and ``die_once`` =
``{"marker": path, "seed": seed}``: the process running the member with that seed kills itself
with SIGKILL the first time (the marker file records that it happened).

Run as a script, it is an ensemble driver for the killed-driver and Ctrl-C tests:
``python toy_member.py STORE EXECUTOR RUN_ID [--resume]``.
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
    return ToyResult(daily=daily, boats=boats, totals=totals)


SCENARIOS = {
    "base": {"launch_rate": 3.0, "p_stop": 0.3, "days": 60},
    "patrols": {"launch_rate": 3.0, "p_stop": 0.5, "days": 60},
}


def _drive(argv: list[str]) -> int:
    """Run a slow toy ensemble recorded in STORE; exit 130 on Ctrl-C like the CLI."""
    from channelsim.experiments import EnsembleSpec, run_ensemble
    from channelsim.runstore import RunStore
    from toy_member import toy_member  # by module name, not __main__, so the config hash matches

    store_path, executor, run_id = argv[:3]
    scenarios = {name: {**s, "sleep_s": 0.15} for name, s in SCENARIOS.items()}
    spec = EnsembleSpec(scenarios=scenarios, reps=12, base_seed=7, name="driver")
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


if __name__ == "__main__":
    sys.exit(_drive(sys.argv[1:]))
