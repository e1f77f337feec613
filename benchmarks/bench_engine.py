"""Engine speed: simulated years per second (2025-like year) and at-sea boat-steps per second.

Targets: ≥ 20 simulated years per second and ≥ 2 × 10⁷ boat-steps per second on one core.
Run: ``python benchmarks/bench_engine.py``.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np

from channelsim.engine import Scenario, Sim
from channelsim.engine.kernels import kernel_setup
from channelsim.engine.results import BOAT_DTYPE
from channelsim.engine.sea import sail
from channelsim.params import Params, apply_overrides


def years_per_second(repeats: int = 5) -> tuple[float, dict[str, int | float]]:
    scenario = Scenario(name="bench", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    Sim(scenario, seed=0).run()  # compile / warm caches
    times = []
    for seed in range(1, repeats + 1):
        start = time.perf_counter()
        result = Sim(scenario, seed=seed).run()
        times.append(time.perf_counter() - start)
    return 1.0 / float(np.median(times)), result.totals


def boat_steps_per_second(n_boats: int = 20_000) -> float:
    """Disabled boats drifting mid-strait with no rescue: every boat runs the full horizon."""
    params = apply_overrides(
        Params(),
        {
            "hazards": {"engine_failure_per_hour": 2.0, "capsize_per_hour": 0.0},
            "rescue": {"fr_rescue_per_hour": 0.0, "uk_pickup_per_hour": 0.0},
            "sea": {"max_hours_at_sea": 24.0},
        },
    )
    setup = kernel_setup(params)
    x = np.full(n_boats, 20.0)
    y = np.full(n_boats, 5.0)

    def fleet() -> np.ndarray:
        boats = np.zeros(n_boats, BOAT_DTYPE)
        boats["boat_id"] = np.arange(n_boats)
        boats["aboard_people"] = 60
        boats["launch_t_h"] = 24.0 * 2700
        return boats

    def run(boats: np.ndarray) -> np.ndarray:
        return sail(boats, x, y, day=2700, seed=1, weather=(4.0, 4.0, 0.4, 12.0), setup=setup)

    run(fleet())  # compile / warm caches
    boats = fleet()
    start = time.perf_counter()
    run(boats)
    elapsed = time.perf_counter() - start
    return float(boats["steps"].sum()) / elapsed


def main() -> None:
    rate, totals = years_per_second()
    print(
        f"engine: {rate:.1f} simulated years/s (2025-like year: "
        f"{totals['launched_boats']} boats launched, {totals['attempted_people']} person-attempts;"
        " target ≥ 20)"
    )
    print(f"at-sea kernel: {boat_steps_per_second():.3g} boat-steps/s (target ≥ 2e7)")


if __name__ == "__main__":
    main()
