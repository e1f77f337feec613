"""The explorer's figures against issue 16's targets, with the machine's load:

- a 50-member one-year paired comparison as the page runs it (``channelsim.explore.compute``:
  ``compare_scenarios`` on the "auto" executor, then the first run of each scenario again
  for the map), target < 3 s; also ``compare_scenarios`` alone, and a second ask of the same
  question (the cache);
- the page's first load in Chromium (Playwright, the system Chromium): from navigation until
  the controls are drawn, target < 2 s; and the app's start-up (command to printed address);
- the app's memory (resident set of the app's process) after 20 comparisons, each drawn as
  the page draws it, target < 1 GB.

    .venv/bin/python benchmarks/bench_explore.py            # everything
    .venv/bin/python benchmarks/bench_explore.py --skip-browser
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
TARGET_COMPARE_S, TARGET_LOAD_S, TARGET_RSS_MB = 3.0, 2.0, 1024.0


def rss_mb(pid: int | None = None) -> float:
    """Resident set of a process (this one by default), from /proc, in MB."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def settings(start_from: str, seed: int, runs: int = 50) -> Any:
    from channelsim.explore import Settings

    chosen = Settings.starting(start_from, "status-quo-2025")
    chosen.runs, chosen.seed = runs, seed
    return chosen


def bench_compare(repeats: int) -> None:
    from channelsim.experiments import compare_scenarios, prepare
    from channelsim.explore import Explorer, compute

    compute(settings("beach-funding-plus", 1, runs=2))  # loads the compiled engine
    for start_from in ("beach-funding-plus", "doctrine-territorial"):
        times = []
        for k in range(repeats):
            started = time.perf_counter()
            compute(settings(start_from, 100 + k))
            times.append(time.perf_counter() - started)
        base, changed = settings(start_from, 7).scenarios()
        started = time.perf_counter()
        compare_scenarios(prepare(base), [prepare(changed)], 50, 7, executor="auto",
                          progress=False)  # fmt: skip
        alone = time.perf_counter() - started
        print(
            f"50-member one-year paired comparison, status-quo-2025 vs {start_from}: "
            f"page {statistics.median(times):.2f} s median of {repeats} "
            f"(min {min(times):.2f}, max {max(times):.2f}; target < {TARGET_COMPARE_S:.0f} s); "
            f"compare_scenarios alone {alone:.2f} s"
        )
    explorer = Explorer()
    job = explorer.submit(settings("beach-funding-plus", 100))
    while job.state not in ("done", "failed"):
        time.sleep(0.05)
    started = time.perf_counter()
    again = explorer.submit(settings("beach-funding-plus", 100))
    print(
        f"the same question again: {1000 * (time.perf_counter() - started):.1f} ms "
        f"(from the cache: {again.cached})"
    )


def bench_memory(n: int) -> None:
    from channelsim.explore import ExploreConfig, Explorer
    from channelsim.explore.app import answer_view

    explorer = Explorer()
    config = ExploreConfig(explorer=explorer)
    before = rss_mb()
    for k in range(n):
        job = explorer.submit(settings("doctrine-territorial", 1000 + k))
        while job.state not in ("done", "failed"):
            time.sleep(0.05)
        assert job.answer is not None, job.error
        answer_view(job.answer, config)
    after = rss_mb()
    print(
        f"app process memory after {n} comparisons of 50 paired runs (each drawn): "
        f"{after:.0f} MB resident (before: {before:.0f} MB; target < {TARGET_RSS_MB:.0f} MB)"
    )


def bench_page() -> None:
    if not CHROMIUM.exists():
        print("page load: skipped (no /usr/bin/chromium)")
        return
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    command = [str(Path(sys.executable).parent / "channelsim"), "explore", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = re.search(r"http://\S+/", process.stdout.readline())
        assert url, "the app printed no address"
        startup = time.perf_counter() - started
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            loads = []
            for _ in range(3):
                page = browser.new_page()
                started = time.perf_counter()
                page.goto(url.group(0))
                page.wait_for_selector("#controls h3")
                loads.append(time.perf_counter() - started)
                page.close()
            browser.close()
        print(
            f"page load until the controls are drawn: first {loads[0]:.2f} s, then "
            f"{loads[1]:.2f} s and {loads[2]:.2f} s (target < {TARGET_LOAD_S:.0f} s); "
            f"app start-up to its address {startup:.2f} s; app memory idle after the loads "
            f"{rss_mb(process.pid):.0f} MB"
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--comparisons", type=int, default=20)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    print(f"explorer benchmark; {load()} (a shared machine: other work slows every figure)")
    if not args.skip_browser:
        bench_page()
    bench_compare(args.repeats)
    bench_memory(args.comparisons)
    print(f"done; {load()}")


if __name__ == "__main__":
    main()
