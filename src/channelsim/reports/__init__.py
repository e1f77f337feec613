"""Self-contained HTML reports with Plotly charts (plotly.js inline, no network needed)."""

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
