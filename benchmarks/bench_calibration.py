"""Calibration throughput: scored simulations per second, and the projected wall time of a
calibration at the default budget.

Needs the official data at ``../shared/data/official/``. Usage::

    .venv/bin/python benchmarks/bench_calibration.py [--members 40] [--train 2022:2024]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from channelsim.experiments import EnsembleSpec, Member, run_ensemble
from channelsim.experiments.calibrate import (
    DEFAULT_BUDGET,
    Case,
    base_scenario,
    overrides_from_unit,
    priors,
    run_case,
)
from channelsim.experiments.targets import Targets, load_observed, observed_series, parse_period

DATA = (
    Path(__file__).resolve().parents[2]
    / "shared/data/official/31_December_2025_Small_boats_-_time_series.ods"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--train", default="2022:2024")
    args = parser.parse_args()
    observed = load_observed([DATA])
    train = observed.clip(parse_period(args.train), "--train")
    case = Case(
        scenario=base_scenario(train, "stochastic"),
        targets=Targets.build(observed_series(observed, train)),
    )
    rng = np.random.default_rng(0)
    prior_list = priors()
    draws = [
        overrides_from_unit(prior_list, u) for u in rng.random((args.members, len(prior_list)))
    ]
    spec = EnsembleSpec(scenarios={"bench": case}, reps=args.members, draws=draws, kind="calibrate")
    members = [Member("bench", i, i) for i in range(args.members)]
    run_case(case, 1, draws[0])  # JIT warm-up in the driver
    print(f"train {train} ({train.days} days), {args.members} scored simulations")
    for executor, workers in (("serial", 1), ("processes", 1), ("processes", 2)):
        started = time.perf_counter()
        run_ensemble(run_case, spec, members, executor=executor, workers=workers, progress=False)
        elapsed = time.perf_counter() - started
        rate = args.members / elapsed
        print(
            f"{executor:>9} x{workers}: {elapsed:6.1f} s, {rate:5.1f} sims/s; default budget "
            f"{DEFAULT_BUDGET} -> {DEFAULT_BUDGET / rate / 60:5.1f} min"
        )


if __name__ == "__main__":
    main()
