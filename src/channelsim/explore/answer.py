"""The page's answer to a comparison: the headline in words and the charts, built from the
comparison's own results registry (labels, units) and the report's figure builders
(``channelsim.reports.figures``), each chart with a source line so a saved image can be
published.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from channelsim.experiments.summary import INTERVAL

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from channelsim.explore.jobs import Answer
    from channelsim.reports.build import Observed

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


def credits(answer: Answer) -> list[str]:
    """The credit of the page's simulated figures (``channelsim.reports.credits``)."""
    from channelsim.reports.credits import simulated_line

    return [simulated_line(f"{answer.name} against {answer.base}", answer.seed)]


def tradeoff_figure(answer: Answer) -> go.Figure:
    """Arrivals prevented, deaths and cost: the registry's key figures, median and interval
    of the paired differences (``channelsim.reports.figures.comparison_figure``), titled and
    credited so that a saved image can be published."""
    from channelsim.reports.credits import publishable
    from channelsim.reports.figures import comparison_figure
    from channelsim.reports.inputs import comparison_from_table

    table = comparison_from_table(answer.table)
    assert table is not None
    present = set(table["metric"])
    metrics = [m for m in answer.results.key() if m in present]
    fig = comparison_figure(table.assign(scenario=answer.name), metrics)
    for panel in fig.layout.annotations:  # subplot titles: the registry's label and unit
        if panel.text in metrics:
            panel.text = answer.results.label(panel.text)
    title = f"Change against {answer.base} (median and {INTERVAL} of {answer.runs} paired runs)"
    return publishable(fig, title, credits(answer))


def series_figure(answer: Answer, observed: Observed) -> go.Figure:
    """Monthly arrivals of both scenarios with intervals against the observed series."""
    from channelsim.reports.credits import publishable
    from channelsim.reports.figures import monthly_observed
    from channelsim.reports.figures import series_figure as build

    daily = observed.daily
    monthly = None if daily is None else monthly_observed(daily, answer.first, answer.last)
    if monthly is not None and monthly.empty:
        monthly = None
    lines = credits(answer)
    if monthly is not None and observed.credit:
        lines.append(observed.credit)
    title = f"Arrivals per month, {answer.first} to {answer.last}"
    return publishable(build(answer.monthly, monthly), title, lines)


def map_figure(answer: Answer) -> go.Figure:
    """The strait with the events of the first run of each scenario (buttons switch)."""
    from channelsim.reports.credits import publishable
    from channelsim.reports.strait_map import strait_map
    from channelsim.world import load_world
    from channelsim.world.coastline import CREDIT

    title = "The Dover Strait: launch zones and events of one simulated run"
    return publishable(strait_map(load_world(), answer.boats), title,
                       [*credits(answer), CREDIT + "."])  # fmt: skip


def results_table(answer: Answer) -> pd.DataFrame:
    """The comparison's table with each figure's label and unit from the registry."""
    table = answer.table.copy()
    units = {r.total_name: getattr(r, "unit", "") for r in answer.results}
    table.insert(2, "label", [answer.results.label(f) for f in table["figure"]])
    table.insert(3, "unit", [units.get(f, "") for f in table["figure"]])
    return table.assign(base=answer.base, runs=answer.runs, seed=answer.seed)


def workbook_bytes(answer: Answer) -> bytes:
    """The results table as an XLSX workbook (``channelsim.exports.write_workbook``: headings
    with labels and units, a README sheet with the credit)."""
    import tempfile
    from pathlib import Path

    from channelsim.exports import Column, column_from_name, write_workbook

    table = results_table(answer)

    def describe(_table: str, column: str) -> Column:
        return column_from_name(column)

    with tempfile.TemporaryDirectory(prefix="channelsim-explore-") as folder:
        path = write_workbook(Path(folder) / "comparison.xlsx", {"comparison": table},
                              describe, credits(answer))  # fmt: skip
        return path.read_bytes()
