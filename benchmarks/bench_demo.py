"""The demo's headline ensemble: the CPU and wall time of its runs in the demo's process
(``channelsim.cli.run_cmd.demo_ensemble``, ``DEMO_RUNS`` runs, serial), after one warm-up, with
the machine's load; and one run of the seed, as the table and the files give it.

    .venv/bin/python benchmarks/bench_demo.py
"""

from __future__ import annotations

import os
import time


def main() -> None:
    from channelsim.cli.run_cmd import DEMO_RUNS, _run, demo_ensemble, demo_scenario_path

    scenario, _ = _run(demo_scenario_path(), None, None, None)  # loads and compiles
    demo_ensemble(scenario)  # warm: the first call loads the ensemble's modules
    timings = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        demo_ensemble(scenario)
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    wall, cpu = time.perf_counter(), time.process_time()
    _run(demo_scenario_path(), None, None, None)
    one = (time.perf_counter() - wall, time.process_time() - cpu)
    best = min(timings)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(
        f"demo headline: {DEMO_RUNS} runs in {best[0]:.2f} s wall, {best[1]:.2f} s CPU "
        f"(best of {len(timings)})"
    )
    print(f"demo table: one run (load, prepare, run) in {one[0]:.2f} s wall, {one[1]:.2f} s CPU")


if __name__ == "__main__":
    main()
