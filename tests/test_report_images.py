"""Charts saved as PNG and SVG (Plotly's static export through Kaleido and the system
Chromium), each with its title and credit lines inside the image."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from test_report import CHROMIUM, publication, run_dir, scenario

__all__ = ["publication", "run_dir", "scenario"]  # module fixtures shared with test_report.py


@pytest.mark.slow
def test_report_images_carry_title_and_credit(
    tmp_path: Path, run_dir: Path, publication: Path, run_cli: Any
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (.ci/install-chromium installs it)")
    out = tmp_path / "report.html"
    args = ("report", run_dir, "-o", out, "--data", publication, "--format", "json")
    result = run_cli(*args, "--images", "svg")
    assert result.exit_code == 0, result.stderr
    images = [Path(p) for p in json.loads(result.stdout)["images"]]
    assert [p.name for p in images] == [
        "01-arrivals-per-month-1-jun-15-jul-2025.svg",
        "02-the-dover-strait-launch-zones-and-events-of-one-simulated-ru.svg",
    ]
    assert all(p.parent == tmp_path / "report-charts" for p in images)
    series, strait = (p.read_text() for p in images)
    assert "Arrivals per month" in series and "Open Government Licence v3.0" in series
    assert "model outputs, not observations" in series and "people arrived per month" in series
    assert "GSHHG" in strait and "longitude (degrees east)" in strait

    again = run_cli(*args, "--images", "png")  # the folder is channelsim's: refused without --force
    assert again.exit_code == 2 and "--images" in again.stderr and "--force" in again.stderr
    forced = run_cli(*args, "--images", "png", "--force")
    assert forced.exit_code == 0, forced.stderr
    pngs = sorted((tmp_path / "report-charts").glob("*.png"))
    assert len(pngs) == 2 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert not list((tmp_path / "report-charts").glob("*.svg"))
