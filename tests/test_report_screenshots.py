"""Every kind of report, opened in headless Chromium through Playwright (no network): a
full-page screenshot saved in the tests' output folder for a person to look at, and checks of
what a reporter needs before publishing: the title and what was simulated, the credit lines
(model outputs; the Home Office's with the Open Government Licence when observed figures are
drawn; the coastline's), a title on every axis (with its unit on value axes), every launch
zone inside the map, and no console error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from channelsim.engine import run_scenario
from channelsim.experiments import EnsembleSpec, run_ensemble
from channelsim.experiments.sensitivity import run_sensitivity
from channelsim.params import apply_overrides
from channelsim.reports import build_report
from channelsim.runstore import RunStore
from faults import PATIENCE_S
from test_report import launched_chromium, publication, run_dir, scenario
from test_report_render import _toy_model

__all__ = ["publication", "run_dir", "scenario"]  # module fixtures shared with test_report.py

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
#: A value axis names its unit (or says what it measures in a unitless share or index).
UNIT = re.compile(r"people|boats|officers|£|degrees|share|index|change in the output|per ")

PROBE = """() => {
  const charts = Array.from(document.querySelectorAll("div.chart")).map((div) => {
    const layout = div._fullLayout;
    const axes = Object.keys(layout).filter((k) => /^[xy]axis\\d*$/.test(k)).map((k) => ({
      name: k, type: layout[k].type, title: (layout[k].title && layout[k].title.text) || "",
      range: layout[k].range,
    }));
    const zones = (div.data || []).filter((t) => String(t.name || "").startsWith("launch zones"))
      .map((t) => ({x: Array.from(t.x), y: Array.from(t.y), text: Array.from(t.text)}));
    const box = (e) => e.getBoundingClientRect();
    const hit = (a, b) =>
      a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const credits = Array.from(div.querySelectorAll(".annotation"))
      .filter((a) => /Simulated with|Source:|Coastline:/.test(a.textContent)).map(box);
    const labels = Array.from(div.querySelectorAll(
      "text[class^='x'][class$='title'], g[class^='x'][class$='tick'] text"));
    const overlaps = labels.filter((l) => credits.some((c) => hit(c, box(l))))
      .map((l) => l.textContent);
    const edge = box(div);
    const outside = credits.filter((c) => c.left < edge.left || c.right > edge.right)
      .map((c) => [c.left, c.right, edge.left, edge.right]);
    const names = new Set(zones.flatMap((z) => z.text.map(String)));
    const named = Array.from(div.querySelectorAll(".annotation"))
      .filter((a) => names.has(a.textContent) || /^Dunkirk/.test(a.textContent));
    const markers = Array.from(div.querySelectorAll("g.scatterlayer g.trace"))
      .filter((g) => g.__data__ && g.__data__[0] && g.__data__[0].trace.legendgroup)
      .flatMap((g) => Array.from(g.querySelectorAll("path.point"))
        .map((p) => [g.__data__[0].trace.name, box(p)]));
    const covered = named.flatMap((a) => markers.filter(([, m]) => hit(box(a), m))
      .map(([name]) => a.textContent + " over " + name));
    const menus = layout.updatemenus || [];
    const buttons = menus.length ? menus[0].buttons.map((b) => b.label) : [];
    return {title: (layout.title && layout.title.text) || "", axes: axes, zones: zones,
            buttons: buttons, overlaps: overlaps, outside: outside, covered: covered};
  });
  const headline = Array.from(document.querySelectorAll("p.headline")).map((p) => p.innerText);
  return {charts: charts, text: document.body.innerText, headline: headline,
          errors: document.body.dataset.errors, rendered: document.body.dataset.chartsRendered,
          width: [document.documentElement.scrollWidth, window.innerWidth]};
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium("--host-resolver-rules=MAP * ~NOTFOUND")


def screenshot(browser: Any, html: Path, name: str) -> dict[str, Any]:
    """Open the report, wait for every chart, save a full-page screenshot; what it shows."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else 0)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(html.as_uri())
    rendered = "document.body.dataset.chartsRendered !== undefined"
    page.wait_for_function(rendered, timeout=PATIENCE_S * 1000)  # a loaded machine is slow
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    seen: dict[str, Any] = page.evaluate(PROBE)
    page.close()
    seen["console"] = console
    return seen


def check_publishable(seen: dict[str, Any], *, credits: tuple[str, ...]) -> None:
    assert seen["console"] == [] and seen["errors"] == "0", seen["console"]
    assert seen["rendered"] == str(len(seen["charts"]))
    page_width, window_width = seen["width"]
    assert page_width <= window_width, "the page is wider than the window (a wide table?)"
    text = seen["text"]
    assert "simulated small-boat crossings" in text or "sensitivity analysis" in text
    assert seen["headline"] and all(len(line) > 60 for line in seen["headline"]), seen["headline"]
    assert text.index(seen["headline"][0]) < text.index("Sources and licences")
    assert "Sources and licences" in text
    for credit in ("model outputs, not observations", *credits):
        assert credit in text, credit
    for chart in seen["charts"]:
        assert chart["title"], "every chart carries its own title"
        assert chart["overlaps"] == [], (chart["title"], "axis labels under the credit")
        assert chart["outside"] == [], (chart["title"], "the credit runs off the chart's edge")
        assert chart["covered"] == [], (chart["title"], "a launch zone's name over a marker")
        for axis in chart["axes"]:
            if axis["type"] == "category":
                continue
            assert axis["title"], (chart["title"], axis)
            if axis["type"] == "linear":
                assert UNIT.search(axis["title"]), (chart["title"], axis["title"])
        for zones in chart["zones"]:
            x0, x1 = next(a["range"] for a in chart["axes"] if a["name"] == "xaxis")
            y0, y1 = next(a["range"] for a in chart["axes"] if a["name"] == "yaxis")
            assert len(zones["x"]) == 10
            for name, x, y in zip(zones["text"], zones["x"], zones["y"], strict=True):
                assert x0 <= x <= x1 and y0 <= y <= y1, name


def test_run_report(browser: Any, tmp_path: Path, run_dir: Path, publication: Path) -> None:
    out = tmp_path / "run.html"
    build_report(str(run_dir), out, data=publication)
    seen = screenshot(browser, out, "run-report")
    ogl = ("Source: Home Office", "Open Government Licence v3.0")
    check_publishable(seen, credits=(*ogl, "GSHHG"))
    assert any(c["zones"] for c in seen["charts"])
    [headline] = seen["headline"]
    assert headline.startswith("status-quo-2025 (2025 as it happened"), headline
    assert "people arrived in the UK against " in headline and " observed" in headline
    assert "Observed: Home Office, edition of" in headline
    assert "seed 5" in seen["text"]
    assert str(tmp_path) not in seen["text"] and str(run_dir) not in seen["text"]


def test_a_year_s_report_keeps_its_turned_month_labels_clear_of_the_credit(
    browser: Any, tmp_path: Path, scenario: Any
) -> None:
    """Twelve months turn Plotly's tick labels; the axis title under them once sat on the
    chart's credit line (the demo's report)."""
    import datetime as dt

    year = scenario.with_changes(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    out = tmp_path / "year.html"
    build_report(str(run_scenario(year, 5).write(tmp_path / "run")), out)
    check_publishable(screenshot(browser, out, "year-report"), credits=("GSHHG",))


def test_comparison_report(browser: Any, tmp_path: Path, scenario: Any, run_cli: Any) -> None:
    patrols = scenario.with_changes(
        params=apply_overrides(scenario.params, {"beach": {"prevention_probability": 0.97}})
    )
    spec = EnsembleSpec(
        scenarios={"status-quo": scenario, "more-patrols": patrols}, reps=3, base_seed=4,
        name="patrols", kind="compare",
    )  # fmt: skip
    store_path = tmp_path / "runs.duckdb"
    with RunStore(store_path) as store:
        ensemble = run_ensemble(run_scenario, spec, executor="serial", progress=False, store=store)
    out = tmp_path / "compare.html"
    result = run_cli("report", ensemble.run_id, "-o", out, "--runs-store", store_path)
    assert result.exit_code == 0, result.stderr
    seen = screenshot(browser, out, "comparison-report")
    check_publishable(seen, credits=("GSHHG",))
    assert "more-patrols against status-quo" in seen["text"]
    [headline] = seen["headline"]
    assert headline.startswith("more-patrols (") and " against status-quo, " in headline
    assert "fewer people arrived in the UK (90% interval: " in headline
    assert "3 paired runs" in headline
    assert "Fewer arrivals against deaths" in [c["title"].split(",")[0] for c in seen["charts"]]
    assert sum(len(c["zones"]) for c in seen["charts"]) == 2  # one layer set per scenario
    strait = next(c for c in seen["charts"] if c["zones"])
    assert strait["buttons"] == ["status-quo", "more-patrols"]  # the base's layers first


def test_sensitivity_report(browser: Any, tmp_path: Path, scenario: Any) -> None:
    result = run_sensitivity(
        scenario, method="morris", n_samples=4,
        parameters=["coast.inflow_people_per_day", "hazards.capsize_per_hour"],
        executor="serial", progress=False, model_fn=_toy_model,
    )  # fmt: skip
    folder = result.write(tmp_path / "sens")
    out = tmp_path / "sens.html"
    build_report(str(folder), out)
    seen = screenshot(browser, out, "sensitivity-report")
    check_publishable(seen, credits=())
    assert json.loads((folder / "sensitivity.json").read_text())["method"] == "morris"
    [headline] = seen["headline"]
    assert headline.startswith("Morris sensitivity of") and "depends mostly on" in headline


def test_sensitivity_page_s_wide_table_scrolls_inside_the_page(
    browser: Any, tmp_path: Path, scenario: Any
) -> None:
    """sensitivity.html (``sensitivity --out``) of Sobol indices over six inputs: its table of
    eleven columns, code names among them, ran past the page's right edge."""
    from channelsim.experiments.sensitivity import DEFAULT_PARAMETERS
    from channelsim.reports.build import sensitivity_page

    result = run_sensitivity(
        scenario, method="sobol", n_samples=4, parameters=list(DEFAULT_PARAMETERS),
        executor="serial", progress=False, model_fn=_toy_model,
    )  # fmt: skip
    out = tmp_path / "sensitivity.html"
    out.write_text(sensitivity_page(result.indices, "Sensitivity of status-quo-2025"))
    seen = screenshot(browser, out, "sensitivity-page")
    page_width, window_width = seen["width"]
    assert page_width <= window_width
    assert "3 decimal places" in seen["text"]


def test_a_chart_s_credit_stays_inside_a_chart_with_long_category_labels(
    browser: Any, tmp_path: Path
) -> None:
    """The explorer's key-figures chart (scenario names as bar labels, widening the left
    margin) drew its credit from the plot's left edge, and its line ran off the chart."""
    import plotly.graph_objects as go

    from channelsim.reports.credits import home_office_line, publishable, simulated_line

    fig = go.Figure(go.Bar(x=[12e6], y=["status-quo-2025-explored-with-a-long-name"],
                           orientation="h"))  # fmt: skip
    fig.update_yaxes(automargin=True)
    credits = [
        simulated_line("status-quo-2025-explored against status-quo-2025", 2025),
        home_office_line({"date": "2026-05-29", "file": "small-boats-time-series.ods"}),
    ]
    page_file = tmp_path / "chart.html"
    page_file.write_text(
        publishable(fig, "Extra cost of policies", credits).to_html(include_plotlyjs=True)
    )
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.goto(page_file.as_uri())
    page.wait_for_selector(".annotation")
    edges = page.evaluate(
        """() => { const svg = document.querySelector('.main-svg').getBoundingClientRect();
        return Array.from(document.querySelectorAll('.annotation')).map((a) => {
          const box = a.getBoundingClientRect();
          return [box.left, box.right, svg.left, svg.right]; }); }"""
    )
    page.close()
    assert edges and all(svg_left <= left and right <= svg_right
                         for left, right, svg_left, svg_right in edges), edges  # fmt: skip
