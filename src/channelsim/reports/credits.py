"""Credit lines for published figures, and charts that carry their own title and credit so
that a chart saved on its own (the camera button of the page, ``report --images``) can be
published as it is.

The Home Office line (publisher, title, edition, Open Government Licence v3.0) is the data
desk's :func:`channelsim.data.dates.source_line`; it is used wherever observed figures
appear. Simulated figures are credited as model outputs, never as observations.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from channelsim import __version__

if TYPE_CHECKING:  # the credit lines alone load neither Plotly nor the data store
    import plotly.graph_objects as go

    from channelsim.scenario import Scenario

__all__ = [
    "calibration_credit",
    "chart_caption",
    "comparison_line",
    "credit_block",
    "home_office_line",
    "publishable",
    "run_line",
    "simulated_line",
    "simulated_when",
    "source_cell",
]

#: Characters per line of a chart's credit: about 620 px at 10 px, which fits beside the
#: widest left margin a chart's labels ask for in the explorer's and the reports' columns.
CREDIT_WIDTH = 110
CREDIT_LINE_PX = 13
#: Kept on one line of a credit (a reader, or a search of the SVG, finds it whole).
LICENCE = "Open Government Licence v3.0"
NBSP = "\u00a0"
#: channelsim's own licence, in the credit of every simulated figure and table.
SOFTWARE_LICENCE = "open software, MIT licence"


def home_office_line(edition: dict[str, str]) -> str:
    """The Home Office credit with the OGL v3.0 attribution (``edition``: ``date``, ``file``)."""
    from channelsim.data.dates import source_line

    return source_line(edition)


def simulated_line(scenario: str | None = None, seed: int | None = None) -> str:
    """The credit of simulated figures and tables: channelsim's version, the scenario, the
    seed and channelsim's licence."""
    what = f"scenario {scenario}" if scenario else "the scenarios named"
    seeded = f", seed {seed}" if seed is not None else ""
    return (
        f"Simulated with channelsim {__version__} ({what}{seeded}; {SOFTWARE_LICENCE}): model "
        "outputs, not observations."
    )


def run_line(scenario: Scenario, seed: int | None) -> str:
    """The credit of one scenario's run or ensemble (``run --format csv``'s ``source``
    column): :func:`simulated_line`, and the Home Office's licence when the run's weather
    replays the official series' crossing days (its data are then in the figures)."""
    line = simulated_line(scenario.name, seed)
    weather = scenario.weather
    if weather.mode != "replay":
        return line
    return (
        f"{line} Its weather replays the crossing days of the Home Office's small-boat series "
        f"({weather.path}): contains public sector information licensed under the {LICENCE}."
    )


def comparison_line(names: Sequence[str], base: str, seed: int | None) -> str:
    """The credit of a comparison of scenarios ``names`` against ``base`` (its tables, CSV
    and charts)."""
    return simulated_line(f"{', '.join(names)} against {base}", seed)


def source_cell(lines: Sequence[str | None]) -> str:
    """The ``Source`` cell of a CSV's rows: the credit lines of its figures (the model's, the
    Home Office edition's with its licence), in one cell, so that the credit stays with any
    row copied out. ``run``, ``forecast``, ``validate`` and ``calibrate`` give their CSVs
    this column, as ``data summary``, ``data brief`` and ``claims`` give theirs."""
    return " ".join(line.strip() for line in lines if line and line.strip())


def calibration_credit(report: dict[str, Any]) -> str:
    """The credit of a calibration's tables and CSV (from its fit report's record): the
    scenario it ran and its seed, and the Home Office edition it was fitted to, with its
    licence (the workbook said "the scenarios named" and named none)."""
    summary = report.get("summary") or {}
    calibration = summary.get("calibration") or {}
    scenario = str(calibration.get("scenario") or "").split(" (sha256")[0] or None
    seed = calibration.get("seed")
    fitted = [
        "Fitted to: "
        + home_office_line({"date": str(e.get("edition_date")), "file": str(e.get("file"))})
        .removeprefix("Source: ")
        for e in ((summary.get("data") or {}).get("editions") or [])[-1:]
    ]  # fmt: skip
    simulated = simulated_line(scenario, seed if isinstance(seed, int) else None)
    return source_cell([simulated, *fitted])


#: Kept on one line of a credit, as :data:`LICENCE` is.
WHOLE = (LICENCE, "model outputs, not observations")


def credit_block(lines: Sequence[str]) -> str:
    """The lines wrapped for a chart, joined with ``<br>``; a line broken inside a sentence
    ends with its space (a chart's text read out of the page, or searched, ran the words of
    two lines together: "modeloutputs")."""
    kept = list(lines)
    for phrase in WHOLE:
        kept = [line.replace(phrase, phrase.replace(" ", NBSP)) for line in kept]
    wrapped = [
        part + (" " if i < len(parts) - 1 else "")
        for line in kept
        for parts in [textwrap.wrap(line, CREDIT_WIDTH)]
        for i, part in enumerate(parts)
    ]
    return "<br>".join(wrapped).replace(NBSP, " ")


def publishable(
    fig: go.Figure, title: str, credits: Sequence[str], caption: str | None = None
) -> go.Figure:
    """``fig`` with ``title`` on top, the ``caption`` under it (what the chart shows: its
    period, runs, and what its lines, bars and whiskers are: :func:`chart_caption`) and the
    ``credits`` under the plot, inside the figure (its height grows by the credit's and the
    caption's lines): a chart saved alone can be captioned from itself (s13 U16)."""
    block = credit_block(credits)
    n_lines = block.count("<br>") + 1 if block else 0
    said = caption_block(caption) if caption else ""
    caption_px = (said.count("<br>") + 1) * CAPTION_LINE_PX + 12 if said else 0
    margin = fig.layout.margin
    top = max(margin.t or 0, 70) + caption_px
    bottom = _axis_room(fig) + n_lines * CREDIT_LINE_PX + 10
    height = (fig.layout.height or 450) + n_lines * CREDIT_LINE_PX + 10 + caption_px
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "y": 1, "yanchor": "top",
               "yref": "container", "pad": {"t": 12}, "font": {"size": 17},
               "subtitle": {"text": said, "font": {"size": 12, "color": "#444"}}},
        margin={"t": top, "b": bottom}, height=height,
    )  # fmt: skip
    if block:
        # from the figure's left edge, not the plot's (a chart whose labels widen its left
        # margin pushed the credit off its right edge): the margin asked for, less 8 px
        fig.add_annotation(
            text=block, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
            xshift=-(_left_margin(fig) - 8), yshift=-(bottom - n_lines * CREDIT_LINE_PX - 6),
            showarrow=False, align="left", font={"size": 10, "color": "#555"},
        )  # fmt: skip
    return fig


#: Characters per line of a chart's caption (12 px, under the title), and its line height.
CAPTION_WIDTH = 120
CAPTION_LINE_PX = 16

#: What a chart's marks are, said in its caption (:func:`chart_caption`).
BARS = "bars are medians, whiskers 90% intervals (5th to 95th percentile)"
DOTS = "dots are medians, whiskers 90% intervals (5th to 95th percentile), colour the extra cost"
LINES = "lines are medians, fills the middle 50% of runs, dotted lines 90% intervals"


def chart_caption(
    start: dt.date | None,
    end: dt.date | None,
    runs: int,
    marks: str,
    paired: bool = False,
    several: bool = True,
) -> str:
    """A chart's caption: ``Simulated in 2025, 40 paired runs: bars are medians, whiskers 90%
    intervals (5th to 95th percentile).`` (one run: ``one run, no interval``; runs of
    ``several`` scenarios: ``40 runs per scenario``). The charts saved by ``report --images``
    named neither the year nor the runs, nor what a bar and a whisker were (s13 U16)."""
    when = simulated_when(start, end)
    if runs <= 1:
        return f"{when}, one run (no interval)."
    pairs = "paired runs" if paired else "runs per scenario" if several else "runs"
    return f"{when}, {runs:,} {pairs}: {marks}."


def simulated_when(start: dt.date | None, end: dt.date | None) -> str:
    """``Simulated in 2025``, ``Simulated 1 Jun–20 Jun 2025`` (``Simulated`` alone when the
    period is unknown): how a chart's caption starts."""
    from channelsim.headline import period_text

    return "Simulated" if start is None or end is None else f"Simulated {period_text(start, end)}"


def caption_block(caption: str) -> str:
    """A caption wrapped for a chart, its lines joined with ``<br>``, a "90% interval" kept
    on one line."""
    kept = caption.replace("90% interval", f"90%{NBSP}interval")
    return "<br>".join(textwrap.wrap(kept, CAPTION_WIDTH)).replace(NBSP, " ")


def _left_margin(fig: go.Figure) -> int:
    """The left margin the figure asked for (Plotly's default 80 px)."""
    left = fig.layout.margin.l
    return 80 if left is None else int(left)


AXIS_TITLE_ROOM_PX = 100
"""Room under the plot for tick labels Plotly may turn (dates) and an axis title above them:
the credit goes below it, so the two never overlap."""


def _axis_room(fig: go.Figure) -> int:
    """The bottom margin the figure asked for, at least :data:`AXIS_TITLE_ROOM_PX` when a
    horizontal axis has a title (else Plotly's default of 60 px)."""
    titled = any(axis.title.text for axis in fig.select_xaxes())
    asked = fig.layout.margin.b or 60
    return max(asked, AXIS_TITLE_ROOM_PX) if titled else asked
