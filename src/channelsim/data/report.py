"""A page of the official data alone: one self-contained HTML file (plotly.js inline, no
network) with daily and weekly arrivals, year-to-date lines by year, people per boat by month
and the French prevention estimates, following the conventions of ``channelsim.reports``
(axis titles with units, the Home Office credit and the Open Government Licence line)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from channelsim import __version__
from channelsim.data.dates import source_line
from channelsim.errors import InputError
from channelsim.formatting import date_text
from channelsim.outputs import output_file, write_output_file
from channelsim.reports.figures import COLOURS, OBSERVED_COLOUR
from channelsim.reports.page import Section, render_page

TITLE = "Small-boat arrivals: the Home Office series"
#: The start of every page this module writes (before plotly.js), so that a later run
#: recognises a file it may replace.


@dataclass(frozen=True)
class DataReport:
    """What was written: the file, its sections and its number of charts."""

    path: Path
    sections: list[str]
    n_charts: int


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def _two_rows(top: str, bottom: str) -> go.Figure:
    return make_subplots(rows=2, cols=1, shared_xaxes=True, subplot_titles=(top, bottom))


def arrivals_figure(daily: pd.DataFrame, weekly: pd.DataFrame) -> go.Figure:
    """People arrived per day (SB_01) and per week (SB_02)."""
    fig = _two_rows("People arrived per day (SB_01)", "People arrived per week (SB_02)")
    fig.add_trace(
        # hundreds of days: bars side by side with no outline (a pixel wide between gaps and
        # white edges, they were nearly invisible)
        go.Bar(
            x=daily["date"],
            y=daily["people"],
            name="people per day",
            marker_color=COLOURS[0],
            marker_line_width=0,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=weekly["week_ending"],
            y=weekly["people"],
            name="people per week (week ending Sunday)",
            mode="lines",
            line={"color": OBSERVED_COLOUR},
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text="people per day", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="people per week", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="date", row=2, col=1)
    fig.update_layout(bargap=0)
    return _layout(fig, 620)


def year_to_date_figure(daily: pd.DataFrame) -> go.Figure:
    """The running total of people since 1 January, one line per year, on a common calendar
    axis (a leap year, so that 29 February has a place)."""
    fig = go.Figure()
    frame = daily.assign(year=daily["date"].dt.year)
    years = sorted(frame["year"].unique())
    shades = _year_colours(len(years) - 1)
    for i, (year, days) in enumerate(frame.groupby("year")):
        calendar = pd.to_datetime(
            {"year": 2024, "month": days["date"].dt.month, "day": days["date"].dt.day}
        )
        latest = year == years[-1]
        fig.add_trace(
            go.Scatter(
                x=calendar,
                y=days["people"].astype(float).cumsum(),
                name=str(year),
                mode="lines",
                line={
                    "color": OBSERVED_COLOUR if latest else shades[i],
                    "width": 3 if latest else 1.5,
                },
            )
        )
    fig.update_xaxes(title_text="day of the year", tickformat="%-d %b")  # 5 May, not 05 May
    fig.update_yaxes(title_text="people arrived since 1 January", rangemode="tozero")
    fig.update_layout(title="Year to date, by year", showlegend=True,
                      legend={"title": {"text": "year"}})  # fmt: skip
    return _layout(fig, 480)


#: The earlier years' colours, most recent first: the colour-blind-safe palette of the
#: reports and grey, ordered so that neighbouring years differ most (2018 and 2019, both near
#: zero, were grey and brown and read as one).
_YEAR_PALETTE = ("#0072B2", "#999999", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9",
                 "#8C564B")  # fmt: skip


def _year_colours(n: int) -> list[str]:
    """``n`` distinct colours for the earlier years, oldest first (:data:`_YEAR_PALETTE`
    from the most recent year back; the seven of the palette repeated drew 2018 and 2025 in
    the same blue); beyond eight years a sequential scale. The latest year is thick and
    black."""
    palette = list(_YEAR_PALETTE)
    if n <= len(palette):
        return palette[:n][::-1]
    from plotly.colors import sample_colorscale

    return list(sample_colorscale("Viridis", [0.85 * (1 - k / (n - 1)) for k in range(n)]))


def people_per_boat_figure(daily: pd.DataFrame) -> go.Figure:
    """People ÷ boats in each month (months with no boat are left out)."""
    monthly = daily.set_index("date")[["people", "boats"]].astype(float).resample("MS").sum()
    monthly = monthly[monthly["boats"] > 0]
    fig = go.Figure(
        go.Scatter(
            x=monthly.index,
            y=monthly["people"] / monthly["boats"],
            mode="lines+markers",
            name="people per boat",
            line={"color": COLOURS[1]},
        )
    )
    fig.update_xaxes(title_text="month")
    fig.update_yaxes(title_text="people per boat (monthly average)", rangemode="tozero")
    fig.update_layout(title="People per boat, by month")
    return _layout(fig, 420)


def prevention_figure(weekly: pd.DataFrame) -> go.Figure:
    """Weekly people prevented (French estimates) against people arrived in the same weeks,
    and the prevented share, from the first week with a prevention figure."""
    weeks = weekly[weekly["prevented_people"].notna()]
    fig = _two_rows(
        "People prevented and arrived per week",
        "Prevented share: prevented ÷ (prevented + arrived); a gap is a week with nobody "
        "arrived or prevented",
    )
    fig.add_trace(
        go.Bar(
            x=weeks["week_ending"],
            y=weeks["prevented_people"],
            name="people prevented (French estimates)",
            marker_color=COLOURS[2],
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=weeks["week_ending"],
            y=weeks["people"],
            name="people arrived",
            mode="lines",
            line={"color": OBSERVED_COLOUR},
        ),
        row=1,
        col=1,
    )
    prevented = weeks["prevented_people"].astype(float)
    share = 100 * prevented / (prevented + weeks["people"].astype(float))
    fig.add_trace(
        go.Scatter(
            x=weeks["week_ending"],
            y=share,
            name="prevented share",
            mode="lines",
            line={"color": COLOURS[3]},
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text="people per week", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="% of people", range=[0, 100], row=2, col=1)
    fig.update_xaxes(title_text="week ending (Sunday)", row=2, col=1)
    return _layout(fig, 620)


def data_report_sections(
    daily: pd.DataFrame, weekly: pd.DataFrame, credit: str | None = None
) -> list[Section]:
    """The page's sections: a title, what the chart shows and the chart (the explorer's data
    tab shows the same); with ``credit`` (the edition's source line) each chart carries its
    section's title and the credit under its plot, so a chart cropped from the page still
    says whose figures they are and under what licence."""
    sections = _sections(daily, weekly)
    if credit is None:
        return sections
    from channelsim.reports.credits import publishable

    for section in sections:
        section.figures = [publishable(f, section.title, [credit]) for f in section.figures]
    return sections


def _sections(daily: pd.DataFrame, weekly: pd.DataFrame) -> list[Section]:
    last_day = daily["date"].max()
    last_week = weekly["week_ending"].max()
    prevention = weekly[weekly["prevented_people"].notna()]
    sections = [
        Section(
            "Arrivals",
            [
                f"Daily figures from SB_01 ({date_text(daily['date'].min())} – "
                f"{date_text(last_day)}); "
                f"weekly figures from SB_02, which ends on the last complete week "
                f"(week ending {date_text(last_week)}). Provisional operational data."
            ],
            figures=[arrivals_figure(daily, weekly)],
        ),
        Section(
            "Year to date",
            [
                f"The running total since 1 January of each year; {last_day.year} to "
                f"{last_day.day} {last_day:%b}."
            ],
            figures=[year_to_date_figure(daily)],
        ),
        Section(
            "People per boat",
            ["Each month's people arrived divided by its boats arrived."],
            figures=[people_per_boat_figure(daily)],
        ),
    ]
    if not prevention.empty:
        sections.append(
            Section(
                "Prevention",
                [
                    "Operational estimates provided by the French authorities: people prevented "
                    "from departing or who return to France, finds of maritime equipment and "
                    "arrests of facilitators; a person is counted again at each attempt. "
                    "Published from the week ending "
                    f"{date_text(prevention['week_ending'].min())}, so the "
                    f"{prevention['week_ending'].min().year} figures cover part of the year only."
                ],
                figures=[prevention_figure(weekly)],
            )
        )
    return sections


def data_report_page(daily: pd.DataFrame, weekly: pd.DataFrame, edition: dict[str, str]) -> str:
    """The HTML page (see the module docstring)."""
    credit = source_line(edition)
    notes = [credit, f"Made with channelsim {__version__}."]
    title = f"{TITLE} to {date_text(daily['date'].max())}"
    return render_page(title, data_report_sections(daily, weekly, credit), notes)


def write_data_report(
    daily: pd.DataFrame, weekly: pd.DataFrame, edition: dict[str, str], out: Path
) -> DataReport:
    """Write the page to ``out`` atomically; refuse a name not ending in ``.html`` and any
    target ``channelsim.outputs`` refuses (a folder, a file channelsim did not write), with
    one :class:`InputError` line."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(out, "-o", "expected a file name ending in .html")
    target = output_file(out, option="-o")
    html = data_report_page(daily, weekly, edition)
    path = write_output_file(target, html)
    titles = ["Arrivals", "Year to date", "People per boat", "Prevention"]
    n_charts = html.count('<div class="chart"')
    return DataReport(path, titles[:n_charts], n_charts)
