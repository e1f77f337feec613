"""The page's answer to a comparison, from the library: the headline in words
(``channelsim.reports.headlines.comparison_headline``, the same as `channelsim compare`
prints), the key figures with labels and units from the comparison's results registry, and
the report's charts (``channelsim.reports.figures``, ``channelsim.reports.strait_map``), each
titled and credited (``channelsim.reports.credits.publishable``) so that a saved PNG or SVG
can be published as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from channelsim.explore.jobs import Answer
    from channelsim.explore.settings import Settings
    from channelsim.reports.build import Observed


def headline(answer: Answer) -> str:
    """The headline in words, as `channelsim compare` prints it."""
    from channelsim.reports.headlines import comparison_headline

    return comparison_headline(answer.comparison)


def key_figures(answer: Answer) -> list[dict[str, Any]]:
    """The registry's key figures (and the returns, removals and admissions where they
    change): label, unit, the median and interval of the paired difference, the values
    formatted as the terminal and the reports show them."""
    from channelsim.experiments.compare import is_not_priced
    from channelsim.formatting import format_value
    from channelsim.headline import NOT_PRICED

    table = answer.table[answer.table["scenario"] == answer.name]
    unpriced = {str(r["figure"]) for r in table.to_dict(orient="records") if is_not_priced(r)}
    rows = []
    for name in _panel(answer):
        try:
            figure = answer.figure(name)
        except KeyError:
            continue
        field = answer.results.describe(name)
        shown = {k: format_value(figure[k], field) for k in ("median", "low", "high")}
        if name in unpriced:  # its "–" read as missing; the page says why (s15 U5)
            shown = {"median": NOT_PRICED, "low": "", "high": ""}
        rows.append({"figure": name, "heading": field.heading, **figure, "shown": shown})
    return rows


def _panel(answer: Answer) -> list[str]:
    """The figures of the key-figures table and chart: the key figures, and the returns,
    removals and admissions where they change (``channelsim.headline.panel_figures``)."""
    from channelsim.headline import panel_figures

    rows = answer.table[answer.table["scenario"] == answer.name].to_dict(orient="records")
    return panel_figures(answer.results.key(), rows)


def credits(answer: Answer) -> list[str]:
    """The credit of the page's simulated figures."""
    return [answer.comparison.credit()]


def base_title(answer: Answer) -> str:
    """The base scenario as a chart's title names it, in words
    (:func:`channelsim.headline.scenario_title`)."""
    from channelsim.headline import scenario_title

    return scenario_title(answer.base, answer.comparison.descriptions.get(answer.base))


def _days(answer: Answer) -> tuple[dt.date | None, dt.date | None]:
    days = [dt.date.fromisoformat(d) for d in answer.comparison.period or ()]
    return (days[0], days[1]) if len(days) == 2 else (None, None)


def caption(answer: Answer, marks: str, paired: bool = True) -> str:
    """A chart's caption: the comparison's period, its paired runs and what the chart's
    marks are (:func:`channelsim.reports.credits.chart_caption`)."""
    from channelsim.reports.credits import chart_caption

    return chart_caption(*_days(answer), answer.comparison.runs, marks, paired=paired)


def tradeoff_figure(answer: Answer) -> go.Figure:
    """Fewer arrivals against the change in deaths, extra cost as colour
    (``channelsim.reports.figures.tradeoff_figure`` of the comparison's ranked table)."""
    from channelsim.reports.credits import DOTS, publishable
    from channelsim.reports.figures import tradeoff_figure as build

    title = f"Fewer arrivals against deaths, against {base_title(answer)}"
    fig = build(answer.comparison.tradeoffs(), unpriced=answer.comparison.unpriced_names())
    return publishable(fig, title, credits(answer), caption(answer, DOTS))


def key_figures_figure(answer: Answer) -> go.Figure:
    """The key figures' paired differences, one panel each
    (``channelsim.reports.figures.comparison_figure``)."""
    from channelsim.reports.credits import BARS, publishable
    from channelsim.reports.figures import comparison_figure
    from channelsim.reports.inputs import comparison_from_table

    table = comparison_from_table(answer.table)
    assert table is not None
    metrics = [m for m in _panel(answer) if m in set(table["metric"])]
    fig = comparison_figure(table, metrics, answer.results.describe)
    title = f"Change against {base_title(answer)}: key figures"
    return publishable(fig, title, credits(answer), caption(answer, BARS))


def series_figure(answer: Answer, observed: Observed) -> go.Figure:
    """Monthly arrivals of both scenarios with intervals against the observed series."""
    from channelsim.headline import period_title
    from channelsim.reports.credits import LINES, publishable
    from channelsim.reports.figures import monthly_observed
    from channelsim.reports.figures import series_figure as build

    first, last = answer.comparison.period or ("", "")
    daily = observed.daily
    monthly = None if daily is None else monthly_observed(daily, first, last)
    if monthly is not None and monthly.empty:
        monthly = None
    lines = credits(answer)
    if monthly is not None and observed.credit:
        lines.append(observed.credit)
    days = [dt.date.fromisoformat(d) for d in (first, last) if d]
    title = period_title("Arrivals per month", *days) if len(days) == 2 else "Arrivals per month"
    said = caption(answer, LINES, paired=False)
    return publishable(build(answer.monthly, monthly), title, lines, said)


def map_figure(answer: Answer) -> go.Figure:
    """The strait with the events of one run of each scenario, the same paired replicate
    (``Comparison.map_rep``; buttons switch)."""
    from channelsim.reports.credits import publishable
    from channelsim.reports.strait_map import strait_map
    from channelsim.world import load_world
    from channelsim.world.coastline import CREDIT

    title = "The Dover Strait: launch zones and events of one simulated run"
    from channelsim.reports.credits import simulated_when

    comparison = answer.comparison
    said = (
        f"{simulated_when(*_days(answer))}: run {comparison.map_rep + 1} of {comparison.runs:,} "
        "paired runs of each scenario, the replicate whose dead or missing lie nearest each "
        "scenario's median."
    )
    return publishable(strait_map(load_world(), answer.boat_logs()), title,
                       [*credits(answer), CREDIT + "."], said)  # fmt: skip


def results_table(answer: Answer) -> pd.DataFrame:
    """The comparison's table as every CSV of it reads (``Comparison.reading_table``: the
    columns and credit of `channelsim compare --format csv` and comparison.csv)."""
    return answer.comparison.reading_table()


def results_csv(answer: Answer) -> str:
    """The results table as CSV text, headed as comparison.csv (``Comparison.csv_text``)."""
    return answer.comparison.csv_text()


def results_csv_bytes(answer: Answer) -> bytes:
    """The "Results CSV" download: :func:`results_csv` encoded as an output folder's
    comparison.csv is, UTF-8 with a byte-order mark (without it Excel read "£" as "Â£")."""
    from channelsim.exports import FILE_ENCODING

    return results_csv(answer).encode(FILE_ENCODING)


def workbook_bytes(answer: Answer) -> bytes:
    """The results table as an XLSX workbook (``channelsim.exports.write_workbook``: headings
    with labels and units, a README sheet with the credit)."""
    import tempfile
    from pathlib import Path

    from channelsim.exports import write_workbook

    with tempfile.TemporaryDirectory(prefix="channelsim-explore-") as folder:
        tables = {"comparison": results_table(answer)}
        path = Path(folder) / "comparison.xlsx"
        comparison = answer.comparison
        write_workbook(path, tables, comparison.describe, [*about_lines(answer),
                                                            comparison.credit()])  # fmt: skip
        return path.read_bytes()


def about_lines(answer: Answer) -> list[str]:
    """What the workbook's README sheet says of the answer above its columns: the headline,
    the period, what was changed from the starting scenario and the command that reproduces
    it (it held the columns and the credit only, so a sheet sent on its own said nothing of
    what was compared)."""
    from channelsim.explore.settings import Settings
    from channelsim.headline import period_text

    settings = Settings.from_json(answer.settings)
    mapping = settings.scenario_mapping()
    lines = [f"Headline: {headline(answer)}"]
    if answer.comparison.period is not None:
        start, end = (dt.date.fromisoformat(d) for d in answer.comparison.period)
        lines.append(f"Period: {period_text(start, end).removeprefix('in ')}.")
    lines.append(f"Scenario compared: {compared_text(settings, mapping)}.")
    base = f"scenarios/{settings.base_file().name}"
    lines.append(
        f"Command: {settings.command(base, f'{answer.name}.toml')} (with {answer.name}.toml "
        "from the page's Scenario TOML button)."
    )
    return lines


def compared_text(settings: Settings, mapping: dict[str, Any]) -> str:
    """What the page ran against the base, for the workbook: the changes from the starting
    scenario (the file's description), or that scenario as shipped when nothing was changed
    (it gave the shipped description alone, so a sheet of an untouched page did not say that
    nothing had been changed)."""
    description = str(mapping.get("description") or "").rstrip(".")
    name = settings.start_from
    if description.startswith(f"{name} changed in the explorer:"):
        return description
    shipped = f"{name} as shipped, nothing changed on the page"
    return f"{shipped} ({description})" if description else shipped


def interval_kind(answer: Answer) -> str:
    """Which uncertainty the intervals carry: weather noise only, or weather + parameters
    (the words of ``compare``'s JSON ``interval_covers``)."""
    from channelsim.experiments.compare import WEATHER_ONLY_HERE, WITH_POSTERIOR

    comparison = answer.comparison
    if comparison.posterior is None:  # it read "weather noise only — weather and chance only"
        return f"Intervals: {WEATHER_ONLY_HERE}."
    return (
        f"Intervals: {WITH_POSTERIOR}; parameter sets drawn from the posterior "
        f"{comparison.posterior}, paired across both scenarios."
    )


def decides_rows(answer: Answer) -> list[dict[str, Any]]:
    """ "What decides this answer" for the changed scenario: the rows `channelsim compare
    --posterior` prints and the report shows (``Comparison.decides_rows``, one function for
    all three: figure by its label, the three largest shares with their uncertainty, the
    noise level), without the scenario column. Empty without a posterior, and when every
    difference has too few runs to tell a share from noise (``decides_note`` says so)."""
    return answer.comparison.decides_rows(answer.name)


def decides_sentences(answer: Answer) -> list[str]:
    """The sentences naming an input that decides a figure (over half its variance and told
    from noise), as the headline uses them (``Comparison.what_decides``)."""
    decided = answer.comparison.what_decides(answer.name).values()
    return [one["headline"] for one in decided if one["headline"]]
