"""The explorer's figures against issue 16's targets, with the machine's load:

- a 50-member one-year paired comparison as the page runs it (``Explorer.submit``, warmed as
  the app warms it at start: ``compare_scenarios`` on the kept "auto" executor, with the
  members kept across questions), target < 3 s: the first question (base and policy run, 100
  members) and another policy against the same base and seed (the base's 50 members kept, 50
  run); also ``compare_scenarios`` alone (a new executor, nothing kept) and a second ask of the
  same question (the cache);
- the page's first load in Chromium (Playwright, the system Chromium): from navigation until
  the controls are drawn, target < 2 s; and the app's start-up (command to printed address);
- the app's memory (resident set of the app's process, and of its worker processes) after 20
  comparisons, each drawn as the page draws it (map included), target < 1 GB.

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


def pss_mb(pid: int | None = None) -> float:
    """Proportional set of a process, in MB: its resident pages, each shared page divided
    among the processes sharing it (workers forked from one server share its pages: their
    resident sets count those pages once each, their proportional sets once in all)."""
    rollup = Path(f"/proc/{pid or os.getpid()}/smaps_rollup").read_text()
    match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else float("nan")


def descendants(pid: int | None = None) -> set[int]:
    """Every descendant of a process (the pool's fork server and workers)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid or os.getpid()}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def descendants_mb(pid: int | None = None, measure: Any = rss_mb) -> float:
    """``measure`` (resident or proportional set) summed over a process's descendants, MB."""
    total = 0.0
    for child in descendants(pid):
        try:
            total += measure(child)
        except OSError:
            continue
    return total


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def settings(start_from: str, seed: int, runs: int = 50) -> Any:
    from channelsim.explore import Settings

    chosen = Settings.starting(start_from, "status-quo-2025")
    chosen.runs, chosen.seed = runs, seed
    return chosen


def ask(explorer: Any, chosen: Any) -> tuple[float, Any]:
    """Submit a question and wait for its answer, as the page does; seconds and the job."""
    started = time.perf_counter()
    job = explorer.submit(chosen)
    while job.state not in ("done", "failed", "cancelled"):
        time.sleep(0.01)
    assert job.state == "done", job.error
    return time.perf_counter() - started, job


def bench_compare(repeats: int) -> None:
    from channelsim.experiments import compare_scenarios, prepare
    from channelsim.explore import Explorer

    explorer = Explorer()
    started = time.perf_counter()
    explorer.warm()  # as `channelsim explore` does when it starts
    print(f"warm-up (engine here, pool's workers started): {time.perf_counter() - started:.2f} s")
    first, other = [], []
    for k in range(repeats):
        first.append(ask(explorer, settings("beach-funding-plus", 100 + k))[0])
        other.append(ask(explorer, settings("doctrine-territorial", 100 + k))[0])
    for what, times in (
        ("first question (base and policy run: 100 members)", first),
        ("another policy, same base and seed (50 run, 50 kept)", other),
    ):
        print(
            f"50-member one-year paired comparison as the page runs it, {what}: "
            f"{statistics.median(times):.2f} s median of {repeats} (min {min(times):.2f}, "
            f"max {max(times):.2f}; target < {TARGET_COMPARE_S:.0f} s); {load()}"
        )  # fmt: skip
    base, changed = settings("beach-funding-plus", 7).scenarios()
    started = time.perf_counter()
    compare_scenarios(prepare(base), [prepare(changed)], 50, 7, executor="auto", progress=False)
    print(f"compare_scenarios alone (new executor, nothing kept): "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    elapsed, again = ask(explorer, settings("beach-funding-plus", 100))
    print(f"the same question again: {1000 * elapsed:.1f} ms (from the cache: {again.cached})")
    explorer.close()


def bench_memory(n: int) -> None:
    from channelsim.explore import ExploreConfig, Explorer
    from channelsim.explore import answer as words
    from channelsim.explore.app import answer_view

    explorer = Explorer()
    explorer.warm()
    config = ExploreConfig(explorer=explorer)
    before = rss_mb()
    for k in range(n):
        _, job = ask(explorer, settings("doctrine-territorial", 1000 + k))
        answer_view(job.answer, config)
        words.map_figure(job.answer)
    after, workers = rss_mb(), descendants_mb()
    shared = pss_mb() + descendants_mb(measure=pss_mb)
    print(
        f"app process memory after {n} comparisons of 50 paired runs (each drawn, map "
        f"included): {after:.0f} MB resident (before: {before:.0f} MB; target < "
        f"{TARGET_RSS_MB:.0f} MB); its worker processes (and their fork server) {workers:.0f} "
        f"MB resident more; the app and its workers {shared:.0f} MB proportional (pages they "
        f"share counted once); {len(explorer.members)} members kept"
    )
    explorer.close()


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
            f"app start-up to its address (warm-up included) {startup:.2f} s; app memory idle "
            f"after the loads {rss_mb(process.pid):.0f} MB, its workers "
            f"{descendants_mb(process.pid):.0f} MB more"
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
