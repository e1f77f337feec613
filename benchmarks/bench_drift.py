"""Throughput of the pure Leeway drift kernel and of the world's lookups (prints figures).

python benchmarks/bench_drift.py [--elements 1000000] [--hours 12]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from channelsim.world import geography
from channelsim.world.drift import DINGHY_LEEWAY, simulate_drift


def best_of(repeats: int, fn: object) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=1_000_000)
    parser.add_argument("--hours", type=float, default=12.0)
    parser.add_argument("--dt-minutes", type=float, default=10.0)
    a = parser.parse_args()

    start = time.perf_counter()
    world = geography.build_world(geography.strait_spec())
    print(
        f"world build (raster {world.grid.shape[1]} x {world.grid.shape[0]}): "
        f"{time.perf_counter() - start:.2f} s"
    )

    n = a.elements
    x0 = np.full(n, world.launch_zones[2].x_km)
    y0 = np.full(n, world.launch_zones[2].y_km)

    def run() -> None:
        simulate_drift(
            x0,
            y0,
            0.0,
            a.hours,
            a.dt_minutes,
            -4.0,
            3.0,
            world.tide,
            DINGHY_LEEWAY,
            1,
        )

    simulate_drift(
        x0[:10],
        y0[:10],
        0.0,
        1.0,
        a.dt_minutes,
        -4.0,
        3.0,
        world.tide,
        DINGHY_LEEWAY,
        1,
    )
    elapsed = best_of(3, run)
    steps = n * round(a.hours * 60 / a.dt_minutes)
    print(
        f"simulate_drift: {n:,} elements x {steps // n} steps in {elapsed:.3f} s = "
        f"{steps / elapsed:.3g} element-steps/s (target >= 2e7 per core)"
    )

    rng = np.random.default_rng(2)
    x = rng.uniform(-40, 70, n)
    y = rng.uniform(-90, 45, n)
    elapsed = best_of(3, lambda: world.grid.lookup(x, y))
    print(f"RegionGrid.lookup: {n / elapsed:.3g} points/s")


if __name__ == "__main__":
    main()
