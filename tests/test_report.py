"""HTML reports: built from a run folder, a comparison folder, a sensitivity folder and a run
id of the results store, then opened in headless Chromium (no network) to check that every
chart renders and no script error happens."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from channelsim.engine import load_scenario, run_scenario
from channelsim.errors import InputError
from channelsim.outputs import MARKER
from channelsim.reports import Section, build_report, render_page
from spreadsheets import make_rows, write_publication

REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIO = REPO_ROOT / "scenarios" / "status-quo-2025.toml"
CHROMIUM = Path("/usr/bin/chromium")


def launched_chromium(*args: str) -> Iterator[Any]:
    """The system Chromium driven by Playwright (skips the test when it is not installed);
    for fixtures: ``yield from launched_chromium(...)``."""
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (.ci/install-chromium installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", *args]
        )
        yield chromium
        chromium.close()


START, END = dt.date(2025, 6, 1), dt.date(2025, 7, 15)


@pytest.fixture(scope="module")
def scenario() -> Any:
    return load_scenario(SCENARIO).with_changes(start=START, end=END)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory, scenario: Any) -> Path:
    return run_scenario(scenario, 5).write(tmp_path_factory.mktemp("run") / "run")


@pytest.fixture(scope="module")
def publication(tmp_path_factory: pytest.TempPathFactory) -> Path:
    daily, weekly = make_rows(start=dt.date(2025, 5, 26), days=63, seed=2)
    return write_publication(tmp_path_factory.mktemp("data") / "pub", daily, weekly, "csv")


def render(html: Path, tmp_path: Path) -> tuple[str, str]:
    """The DOM after scripts ran, and Chromium's log, with every host unresolvable."""
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (.ci/install-chromium installs it)")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--enable-logging=stderr",
        "--v=0",
        "--log-level=0",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=10000",
        "--dump-dom",
        html.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def body_data(dom: str) -> dict[str, str]:
    tag = re.search(r"<body([^>]*)>", dom)
    assert tag is not None
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag.group(1)))


def assert_renders(html: Path, tmp_path: Path, charts: int) -> str:
    """Every chart div drawn by Plotly, the render promise resolved, no error anywhere."""
    dom, log = render(html, tmp_path)
    data = body_data(dom)
    assert data.get("errors") == "0", re.search(r'id="report-errors">([^<]*)<', dom)
    assert data.get("charts") == str(charts)
    assert data.get("charts-rendered") == str(charts)
    assert len(re.findall(r'<div class="chart[^"]*" id="chart-\d+"', dom)) == charts
    assert dom.count('class="plot-container plotly"') == charts
    assert dom.count('class="main-svg"') >= charts
    assert "Uncaught" not in log
    assert not [line for line in log.splitlines() if "CONSOLE" in line and "rror" in line]
    return dom


def test_checker_catches_a_script_error(tmp_path: Path) -> None:
    page = render_page("broken", [Section("empty")]).replace(
        "</body>", "<script>notAFunction();</script></body>"
    )
    html = tmp_path / "broken.html"
    html.write_text(page)
    dom, log = render(html, tmp_path)
    data = body_data(dom)
    assert data["errors"] == "1" and data["charts-rendered"] == "0"
    assert "notAFunction" in dom and "Uncaught" in log


def test_run_folder_report_renders_with_observed_series_and_map(
    tmp_path: Path, run_dir: Path, publication: Path
) -> None:
    out = tmp_path / "report.html"
    summary = build_report(str(run_dir), out, data=publication)
    assert summary.sections == [
        "Simulated against observed arrivals", "Totals against the official figures",
        "Map of the strait",
    ]  # fmt: skip
    assert summary.notes == []  # a run's report does not list the sections other inputs have
    text = out.read_text()
    assert 'src="http' not in text and "observed (Home Office)" in text
    dom = assert_renders(out, tmp_path, charts=2)
    assert "launch zones" in dom and "median line" in dom
    # under the zone table: why boats stopped are fewer than prevention events
    assert "prevention events far outnumber boats stopped" in text


def test_without_observed_data_the_series_is_drawn_and_the_gap_noted(
    tmp_path: Path, run_dir: Path
) -> None:
    summary = build_report(str(run_dir), tmp_path / "r.html")  # the test's data store is empty
    assert "Simulated against observed arrivals" in summary.sections
    assert any(
        "the data store is empty: `channelsim data download` fetches" in n for n in summary.notes
    )
    page = (tmp_path / "r.html").read_text()
    assert "observed (Home Office)" not in page
    assert page.count("Observed series not drawn") == 1  # said by its section, not twice


def test_bad_sources_are_one_line_errors_and_write_nothing(tmp_path: Path, run_cli: Any) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "never.html"
    for source, expected in (
        (empty, "expected the output folder of channelsim run"),
        ("no-such-run", "run 'no-such-run': no results store here"),  # none at that path
        (tmp_path / "nonexistent", "nonexistent: no such folder (expected a folder written"),
    ):
        result = run_cli("report", source, "-o", out, "--runs-store", tmp_path / "runs.duckdb")
        assert result.exit_code == 2
        assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".never")] == []


def test_damaged_daily_table_names_the_file(tmp_path: Path, run_dir: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    pd.read_parquet(run_dir / "daily.parquet").drop(columns="arrived_boats").to_parquet(
        folder / "daily.parquet"
    )
    with pytest.raises(InputError, match=r"broken/daily.parquet: column 'arrived_boats'"):
        build_report(str(folder), tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_the_map_of_several_runs_draws_a_typical_one_and_says_which(tmp_path: Path) -> None:
    """The map of `run --runs 20 --out` drew the first member's boats (97 dead or missing in
    a year whose median was 12) and said neither which run it was nor that it was atypical:
    it draws the member whose dead or missing are closest to the median and says which, with
    its figures against the runs' median and interval."""
    import json

    import numpy as np

    from channelsim.experiments.runs import run_scenario_ensemble
    from channelsim.reports.build import map_section
    from channelsim.reports.inputs import load_folder

    scenario = load_scenario(SCENARIO).with_changes(
        start=dt.date(2025, 8, 1), end=dt.date(2025, 8, 31)
    )
    ensemble = run_scenario_ensemble(scenario, 7, 3, executor="serial", progress=False)
    out = ensemble.write(tmp_path / "ens")
    deaths = ensemble.result.totals()["dead_or_missing_people"].to_numpy()
    typical = int(abs(deaths - np.median(deaths)).argmin())
    assert json.loads((out / "summary.json").read_text())["map_run"]["rep"] == typical
    chosen = ensemble.result.members[typical]
    assert ensemble.map_member == chosen
    text = " ".join(map_section(load_folder(out)).paragraphs)
    assert "The map draws one run (the typical one: its dead or missing closest" in text, text
    assert "against the median and 90% interval of its 7 runs:" in text, text
    assert f"run {typical + 1} of 7: {int(deaths[typical])} dead or missing (median " in text


def test_the_map_says_why_it_draws_each_scenario_s_run_once(tmp_path: Path) -> None:
    """A comparison's report repeated "The map draws run 1 of 20 of X, the first replicate,
    drawn for every scenario with the same seed (paired): ..." word for word per scenario:
    the reason is said once, then each scenario's run and figures."""
    from channelsim.experiments.compare import compare_scenarios
    from channelsim.reports.build import map_section
    from channelsim.reports.inputs import load_folder

    august = dict(start=dt.date(2025, 8, 1), end=dt.date(2025, 8, 10))
    base = load_scenario(SCENARIO).with_changes(**august)
    other = base.with_changes(name="other")
    comparison = compare_scenarios(
        base, [other], runs=3, seed=3, executor="serial", progress=False, boat_log=True
    )
    found = load_folder(comparison.write(tmp_path / "cmp"))
    text = map_section(found).paragraphs
    said = " ".join(text)
    assert said.count("drawn with the same seed for every scenario, paired") == 1, said
    assert "The map draws one run of each scenario (drawn with the same seed" in said
    assert any(p.startswith(f"{base.name}, run ") for p in text), text
    assert any(p.startswith("other, run ") for p in text), text


@pytest.mark.parametrize("seed", ["x", -3, 2**63, 1.5, True])
def test_an_edited_summary_s_seed_is_one_line(tmp_path: Path, run_dir: Path, seed: Any) -> None:
    """summary.json edited by hand: seed "x" failed with a traceback, and seed -3 was
    published in the report's heading."""
    import json
    import shutil

    from channelsim.reports.inputs import load_folder

    folder = tmp_path / "edited"
    shutil.copytree(run_dir, folder)
    (folder / MARKER).unlink()  # without channelsim's record: the reader's own checks hold
    (folder / "summary.json").write_text(json.dumps({"scenario": "s", "seed": seed}))
    with pytest.raises(InputError) as caught:
        load_folder(folder)
    assert str(caught.value).startswith(f"{folder / 'summary.json'}: seed: expected a whole")


def test_the_demo_s_report_has_its_table_against_the_official_figures(
    tmp_path: Path, run_cli: Any
) -> None:
    """The demo's terminal set 36,278 people arrived against 41,472 (ratio 0.87) and days
    with arrivals 170 against 139; its report had no such table (s10 user trial, U5)."""
    from channelsim.reports.build import observed_table_section
    from channelsim.reports.inputs import load_folder

    assert run_cli("demo", "--out", tmp_path / "demo").exit_code == 0
    section = observed_table_section(load_folder(tmp_path / "demo"), None)
    assert section is not None and section.title == "Totals against the official figures"
    [table] = section.tables
    rows = table.set_index("figure")
    assert rows.loc["arrived_people", "observed"] == 41_472
    assert rows.loc["arrived_people", "simulated"] > 0
    assert any("Open Government Licence" in n for n in section.notes)
    assert any("should lie below it" in n for n in section.notes)


def test_the_demo_s_report_tells_the_terminal_s_story(tmp_path: Path, run_cli: Any) -> None:
    """`make demo`'s terminal said "13 people dead or missing (90% interval: 6–92; mean 31)"
    (40 runs) and its report.html "8 people dead or missing ... One run: no interval", with
    no word of which is which; nor did the report say what the extra cost counts (s10
    re-trial R2, R1). The demo's folder keeps the headline's runs (headline.json), and the
    report gives the terminal's headline, its cost sentence, and says the rest is one run."""
    from channelsim.cli.run_cmd import DEMO_RUNS
    from channelsim.headline import HEADLINE_FILE
    from channelsim.reports.build import report_headline
    from channelsim.reports.inputs import load_folder

    result = run_cli("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.stderr
    terminal = " ".join(result.stdout.split())
    assert (tmp_path / "demo" / HEADLINE_FILE).is_file()
    [report] = report_headline(load_folder(tmp_path / "demo"))
    deaths = re.compile(r"\d+ people dead or missing \(90% interval: [^)]*\)")
    said = deaths.search(terminal)
    assert said is not None and deaths.search(report) is not None
    assert said.group() == deaths.search(report).group()  # type: ignore[union-attr]
    lead = terminal.split(" Intervals:")[0]
    assert report.startswith(lead), (lead, report)
    assert f"Intervals: 90% of {DEMO_RUNS} runs" in report and "One run: no interval" not in report
    assert "Extra cost of policies: what the scenario's policies cost that the model" in report
    # the doctrine as signed is the Gendarmerie maritime's: no UK cost (s12 U11)
    assert "(one in one out £4.2m)" in report and "maritime doctrine £" not in report
    assert "the tables, charts and map below are one run (seed 2025)" in report


def test_an_edited_headline_file_is_one_line_naming_it(tmp_path: Path, scenario: Any) -> None:
    from channelsim.errors import InputError
    from channelsim.reports.inputs import load_folder

    folder = run_scenario(scenario, 5).write(tmp_path / "run")
    (folder / MARKER).unlink()  # without channelsim's record: the reader's own checks hold
    (folder / "headline.json").write_text('{"runs": 40, "totals": [{"figure": 3}]}')
    with pytest.raises(InputError) as caught:
        load_folder(folder)
    assert str(caught.value).startswith(f"{folder / 'headline.json'}: totals: expected")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def _nan_totals(path: Path) -> None:
    text, n = re.subn(r'("arrived_people": )[0-9.eE+-]+', r"\1NaN", path.read_text())
    assert n, text[:300]
    path.write_text(text)


@pytest.mark.parametrize(
    ("name", "damage", "expected"),
    [
        ("summary.json", _nan_totals, "expected the bytes channelsim wrote (SHA-256 "),
        ("daily.parquet", _truncate, "expected the bytes channelsim wrote (SHA-256 "),
        ("daily.parquet", Path.unlink, "expected the file channelsim wrote here (listed in "),
        ("extra.parquet", lambda p: p.write_bytes(b"PAR1"), "expected only files channelsim wrote"),
        (MARKER, lambda p: p.write_text("{"), "expected channelsim's record of the files"),
    ],
)
def test_a_folder_changed_since_channelsim_wrote_it_is_refused_naming_the_file(
    tmp_path: Path, run_dir: Path, run_cli: Any, name: str, damage: Any, expected: str
) -> None:
    """`report` drew a folder whose comparison.json had every median set to NaN, or whose
    tables were cut short or deleted, as the run's, under channelsim's credit (s12 B10): the
    files it reads are checked against the SHA-256 the folder's marker records, and a
    mismatch is one line naming the file, non-zero exit, no report."""
    import shutil

    folder = tmp_path / "edited"
    shutil.copytree(run_dir, folder)
    damage(folder / name)
    out = tmp_path / "report.html"
    result = run_cli("report", str(folder), "-o", str(out))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"error: {folder / name}: {expected}"), result.stderr
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_copies_and_reports_inside_a_checked_folder_are_not_read(
    tmp_path: Path, run_dir: Path
) -> None:
    """The CSV and workbook copies (which a user may open and save) are not what a report
    reads, and a report written into the folder is recorded in its marker: neither stops
    the next report; a folder without the marker is reported, and the report says its files
    were not checked."""
    import shutil

    from channelsim.reports.build import UNCHECKED_NOTE

    folder = tmp_path / "run"
    shutil.copytree(run_dir, folder)
    with (folder / "daily.csv").open("a") as handle:
        handle.write("edited in a spreadsheet\n")
    first = build_report(str(folder), folder / "report.html")
    again = build_report(str(folder), tmp_path / "again.html")
    assert UNCHECKED_NOTE not in first.notes + again.notes
    (folder / MARKER).unlink()
    unchecked = build_report(str(folder), tmp_path / "unchecked.html")
    assert unchecked.notes[0] == UNCHECKED_NOTE
    assert UNCHECKED_NOTE in (tmp_path / "unchecked.html").read_text()


def test_a_folder_recorded_before_checksums_says_so(tmp_path: Path, run_dir: Path) -> None:
    """A folder written before the marker kept checksums (30 Nov 2026) has channelsim's record
    of its files: the note said it held none (s13 lane B)."""
    import json
    import shutil

    from channelsim.reports.build import UNCHECKED_NOTE, UNCHECKED_OLD_NOTE

    folder = tmp_path / "run"
    shutil.copytree(run_dir, folder)
    marker = json.loads((folder / MARKER).read_text())
    del marker["sha256"]
    (folder / MARKER).write_text(json.dumps(marker))
    old = build_report(str(folder), tmp_path / "old.html")
    assert old.notes[0] == UNCHECKED_OLD_NOTE and UNCHECKED_NOTE not in old.notes
    assert "is from before checksums were kept" in (tmp_path / "old.html").read_text()


@pytest.mark.parametrize("stop", ["charts", "report"])
def test_a_report_stopped_says_what_was_and_was_not_written(
    tmp_path: Path, run_dir: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch, stop: str
) -> None:
    """`report --images png` stopped by SIGTERM while saving its charts said "nothing was
    written to REPORT-charts" and not a word of the report it had written whole (s12 B14):
    the line says of each output, report first, whether it is written in full."""
    import plotly.io as pio

    from channelsim.reports import build

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # as Ctrl-C (or SIGTERM, through the command line) would

    if stop == "charts":
        monkeypatch.setattr(pio, "write_images", interrupted)
    else:
        monkeypatch.setattr(build, "render_page", interrupted)
    out = tmp_path / "img.html"
    result = run_cli("report", run_dir, "-o", out, "--images", "png")
    charts = tmp_path / "img-charts"
    assert result.exit_code == 130, result.stderr
    said = f"{out} is written in full" if stop == "charts" else f"nothing was written to {out}"
    assert result.stderr.strip() == (f"interrupted; {said}; nothing was written to {charts}"), (
        result.stderr
    )
    assert out.is_file() is (stop == "charts") and not charts.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["img.html"] if out.exists() else [])
