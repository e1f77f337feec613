"""The page's answer to a comparison: the headline in words and the charts, built from the
comparison's own results registry (labels, units) and the report's figure builders
(``channelsim.reports.figures``), each chart with a source line so a saved image can be
published.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from channelsim import __version__
from channelsim.experiments.summary import INTERVAL

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from channelsim.explore.jobs import Answer

MONEY_UNITS = ("GBP", "£")


def amount(value: float, unit: str) -> str:
    """A magnitude with its unit: ``1,234 people``, ``£12.3m``."""
    size = abs(value)
    if unit in MONEY_UNITS:
        if size >= 1e9:
            return f"£{size / 1e9:,.2f}bn"
        if size >= 1e6:
            return f"£{size / 1e6:,.1f}m"
        return f"£{size:,.0f}"
    digits = 0 if size >= 10 or size == round(size) else 1
    return f"{size:,.{digits}f} {unit}"


def change(value: float, unit: str) -> str:
    """A paired difference in words: ``1,234 people fewer``, ``£2.0m more``, ``no change``."""
    if not math.isfinite(value):
        return "undefined"
    if round(value, 1) == 0:
        return "no change"
    word = "more" if value > 0 else "less" if unit in MONEY_UNITS else "fewer"
    return f"{amount(value, unit)} {word}"


def headline(answer: Answer) -> list[dict[str, Any]]:
    """One sentence per key figure of the registry: its label, the median paired difference
    in words and the interval, and whether the runs agree on the direction."""
    rows = []
    for name in answer.results.key():
        try:
            figure = answer.figure(name)
        except KeyError:
            continue
        item = next(r for r in answer.results if r.total_name == name)
        unit = getattr(item, "unit", "")
        low, high = figure["low"], figure["high"]
        agree = (low > 0 and high > 0) or (low < 0 and high < 0) or low == high
        text = (
            f"{item.label}: {change(figure['median'], unit)} "
            f"({INTERVAL}: {change(low, unit)} to {change(high, unit)})"
        )
        if not agree:
            text += "; the runs do not agree on the direction"
        rows.append({"figure": name, "label": item.label, "unit": unit, "text": text, **figure})
    return rows


def headline_intro(answer: Answer) -> str:
    return (
        f"{answer.name} against {answer.base}, {answer.first} to {answer.last}: median of "
        f"{answer.runs} paired runs with common random numbers (seed {answer.seed})."
    )


def source_line(answer: Answer, observed: str | None = None) -> str:
    text = (
        f"Source: channelsim {__version__} simulation, {answer.name} vs {answer.base}, "
        f"{answer.runs} paired runs, seed {answer.seed}"
    )
    return text + (f"; observed: Home Office ({observed})" if observed else "")


def with_source(fig: go.Figure, text: str) -> go.Figure:
    """The figure with its source line under the plot (kept in a saved PNG or SVG)."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-48,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 10, "color": "#555"},
    )
    margin = fig.layout.margin
    fig.update_layout(margin={"b": max(margin.b or 0, 90)})
    return fig


def tradeoff_figure(answer: Answer) -> go.Figure:
    """Arrivals prevented, deaths and cost: the registry's key figures, median and interval
    of the paired differences (``channelsim.reports.figures.comparison_figure``)."""
    from channelsim.reports.figures import comparison_figure
    from channelsim.reports.inputs import comparison_from_table

    table = comparison_from_table(answer.table)
    assert table is not None
    present = set(table["metric"])
    metrics = [m for m in answer.results.key() if m in present]
    labelled = table.assign(scenario=answer.name)
    fig = comparison_figure(labelled, metrics)
    for i, name in enumerate(metrics):
        if i < len(fig.layout.annotations):
            fig.layout.annotations[i].text = answer.results.label(name)
    fig.update_layout(title=f"Difference from {answer.base} (median, {INTERVAL})")
    return with_source(fig, source_line(answer))


def series_figure(answer: Answer, observed: pd.DataFrame | None, origin: str) -> go.Figure:
    """Monthly arrivals of both scenarios with intervals against the observed series."""
    from channelsim.reports.figures import monthly_observed
    from channelsim.reports.figures import series_figure as build

    monthly = None if observed is None else monthly_observed(observed, answer.first, answer.last)
    if monthly is not None and monthly.empty:
        monthly = None
    fig = build(answer.monthly, monthly)
    return with_source(fig, source_line(answer, origin if monthly is not None else None))


def map_figure(answer: Answer) -> go.Figure:
    from channelsim.reports.figures import strait_map
    from channelsim.world import load_world

    fig = strait_map(load_world(), answer.boats)
    fig.update_layout(title=f"{answer.name}: boats of the first run")
    return with_source(fig, source_line(answer))


def results_table(answer: Answer) -> pd.DataFrame:
    """The comparison's table with each figure's label and unit from the registry."""
    table = answer.table.copy()
    units = {r.total_name: getattr(r, "unit", "") for r in answer.results}
    table.insert(2, "label", [answer.results.label(f) for f in table["figure"]])
    table.insert(3, "unit", [units.get(f, "") for f in table["figure"]])
    return table.assign(base=answer.base, runs=answer.runs, seed=answer.seed)
