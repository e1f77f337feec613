"""Self-contained HTML reports with Plotly charts (plotly.js inline, no network needed).

The names below load their module when first used: importing a light submodule
(``channelsim.reports.credits``, which every output folder's workbook uses for its credit
line) does not load Plotly, the data store and the experiments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channelsim._lazy import lazy_names

if TYPE_CHECKING:
    from channelsim.reports.build import ReportSummary, build_report, sensitivity_page
    from channelsim.reports.figures import sensitivity_figure, series_figure, strait_map
    from channelsim.reports.inputs import ReportInput, load_input
    from channelsim.reports.page import Section, render_page

__all__ = [
    "ReportInput",
    "ReportSummary",
    "Section",
    "build_report",
    "load_input",
    "render_page",
    "sensitivity_figure",
    "sensitivity_page",
    "series_figure",
    "strait_map",
]

__getattr__ = lazy_names(
    __name__,
    {
        "ReportSummary": "build",
        "build_report": "build",
        "sensitivity_page": "build",
        "sensitivity_figure": "figures",
        "series_figure": "figures",
        "strait_map": "figures",
        "ReportInput": "inputs",
        "load_input": "inputs",
        "Section": "page",
        "render_page": "page",
    },
)
