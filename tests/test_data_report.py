"""``channelsim data report``: one self-contained page of the official data alone, with the
Home Office credit, the licence line and axis titles with units; it renders in headless
Chromium and never replaces a file it did not write."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult
from spreadsheets import make_rows, write_publication
from test_report import assert_renders

Run = Callable[..., CliResult]


@pytest.fixture
def store(tmp_path: Path, run_cli: Run) -> Path:
    daily, weekly = make_rows(start=dt.date(2023, 1, 2), days=600, seed=5)
    path = write_publication(tmp_path / "30_August_2024_toy", daily, weekly, "csv")
    target = tmp_path / "s.duckdb"
    assert run_cli("data", "import", path, "--store", target).exit_code == 0
    return target


def test_page_is_self_contained_credited_and_renders(
    tmp_path: Path, run_cli: Run, store: Path
) -> None:
    out = tmp_path / "site" / "official.html"
    result = run_cli("data", "report", "-o", out, "--store", store, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["charts"] == 4
    assert row["sections"] == "Arrivals, Year to date, People per boat, Prevention"
    text = out.read_text(encoding="utf-8")
    assert "<script src" not in text and 'src="http' not in text
    assert "Source: Home Office, Migrants detected crossing the English Channel" in text
    assert "Open Government Licence v3.0" in text
    assert "edition of 30 Aug 2024" in text
    # dates as every text writes them, not zero-padded ("02 Jan 2023", s13 U13)
    assert "Daily figures from SB_01 (2 Jan 2023 – 23 Aug 2024)" in text
    assert "02 Jan" not in text
    for title in (
        "people per day",
        "people per week",
        "people arrived since 1 January",
        "people per boat (monthly average)",
        "% of people",
        "week ending (Sunday)",
    ):
        assert f'"text":"{title}"' in text, title
    dom = assert_renders(out, tmp_path, charts=4)
    assert "Open Government Licence v3.0" in dom


def test_the_target_is_checked_before_anything_is_written(
    tmp_path: Path, run_cli: Run, store: Path
) -> None:
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my own page</html>")
    folder = tmp_path / "folder.html"
    folder.mkdir()
    cases = {
        mine: "this file was not written by channelsim (it is left untouched)",
        folder: "expected a file to write, got a folder",
        tmp_path / "report.txt": "expected a file name ending in .html",
    }
    for target, expected in cases.items():
        result = run_cli("data", "report", "-o", target, "--store", store)
        assert result.exit_code == 2 and result.stdout == ""
        (line,) = result.stderr.strip().splitlines()
        assert str(target) in line and expected in line
    assert mine.read_text() == "<html>my own page</html>"
    assert not (tmp_path / "report.txt").exists() and list(folder.iterdir()) == []
    # A page this command wrote may be written again.
    again = tmp_path / "again.html"
    for _ in range(2):
        assert run_cli("data", "report", "-o", again, "--store", store).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_year_to_date_draws_every_year_in_its_own_colour_with_a_legend() -> None:
    """Nine years, 2018 to 2026: 2018 and 2025 were drawn in the same blue (a palette of
    seven repeated)."""
    import pandas as pd

    from channelsim.data.report import year_to_date_figure

    dates = pd.date_range("2018-01-01", "2026-05-28", freq="D")
    fig = year_to_date_figure(pd.DataFrame({"date": dates, "people": 10}))
    colours = {trace.name: trace.line.color for trace in fig.data}
    assert list(colours) == [str(y) for y in range(2018, 2027)]
    assert len(set(colours.values())) == 9, colours
    assert fig.layout.showlegend and fig.layout.legend.title.text == "year"
    # 2018 and 2019 (both near zero) were grey and brown, hard to tell apart: neighbouring
    # years differ by at least 40 in CIELAB (ΔE*ab), any two by at least 25
    shades = list(colours.values())
    for a, b in itertools.combinations(range(len(shades)), 2):
        least = 40 if b == a + 1 else 25
        assert _delta_e(shades[a], shades[b]) >= least, (2018 + a, 2018 + b)


def _lab(hex_colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour ``#rrggbb``."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
           0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)  # fmt: skip
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _delta_e(a: str, b: str) -> float:
    return float(sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b), strict=True)) ** 0.5)


def test_the_daily_bars_can_be_seen(tmp_path: Path, run_cli: Run, store: Path) -> None:
    """Six hundred daily bars, a pixel wide with a gap each side, were nearly invisible: in
    a screenshot of the chart (system Chromium), the bars' colour covers a fair share of the
    daily panel's area under its highest bar."""
    import io

    import numpy as np
    from PIL import Image

    from channelsim.reports.figures import COLOURS
    from test_report import launched_chromium

    out = tmp_path / "official.html"
    result = run_cli("data", "report", "-o", out, "--store", store)
    assert result.exit_code == 0, result.stderr
    for chromium in launched_chromium():
        page = chromium.new_page(viewport={"width": 1200, "height": 900})
        page.goto(out.as_uri())
        page.wait_for_function("document.body.dataset.chartsRendered !== undefined")
        plot = page.locator("div.chart").first.locator(".draglayer .xy .nsewdrag").first
        png = plot.screenshot()
        page.close()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    colour = np.array([int(COLOURS[0][i : i + 2], 16) for i in (1, 3, 5)])
    bars = (np.abs(pixels - colour).sum(axis=2) < 60).mean()
    assert bars > 0.12, f"the daily bars cover {bars:.1%} of their panel"


def test_every_chart_of_the_data_report_carries_its_own_credit(store: Path) -> None:
    """The page credited the Home Office once, at its top: a chart a reporter crops from it
    said nothing of whose figures they are or under what licence. Each chart now carries its
    title and the edition's credit line; the prevented share's gaps (weeks with nobody
    arrived or prevented: 0 ÷ 0) are said on the chart."""
    from channelsim.data import DataStore
    from channelsim.data.brief import source_line
    from channelsim.data.report import data_report_sections

    held = DataStore(store)
    daily, weekly = held.daily(), held.weekly()
    credit = source_line({"date": "2024-08-30", "file": "30_August_2024_toy.csv"})
    sections = data_report_sections(daily, weekly, credit)
    figures = [(s.title, f) for s in sections for f in s.figures]
    assert len(figures) == 4
    for title, fig in figures:
        assert fig.layout.title.text == title
        notes = " ".join(a.text for a in fig.layout.annotations)
        assert "Source: Home Office" in notes and "Open Government Licence" in notes, title
    prevention = dict(figures)["Prevention"]
    assert any("a gap is a week with nobody arrived or prevented" in a.text
               for a in prevention.layout.annotations)  # fmt: skip
