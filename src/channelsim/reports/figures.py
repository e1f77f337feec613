"""Plotly figures of the report: simulated against observed series, policy comparison and
sensitivity indices (the map of the strait is in :mod:`channelsim.reports.strait_map`). Each
takes tidy tables and returns a Figure."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from channelsim.fields import Field, describe
from channelsim.formatting import about, drawn_values, format_value
from channelsim.headline import change_words, cost_words
from channelsim.reports.strait_map import strait_map

Describe = Callable[[str], Field]

__all__ = ["strait_map"]  # re-exported: the report's figures in one place

#: Okabe-Ito colours (distinct for colour-blind readers); blue and orange come first.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C564B")
#: After them, Paul Tol's "muted" scheme (also told apart by colour-blind readers;
#: https://personal.sron.nl/~pault/), without its pale grey: a comparison of every shipped
#: scenario draws 17 series.
MORE_COLOURS = (
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
    "#AA4499",
)  # fmt: skip


def series_colours(n: int) -> list[str]:
    """A colour for each of ``n`` scenarios, never one for two: :data:`COLOURS`, then
    :data:`MORE_COLOURS`, then hues spread evenly around the colour wheel (the palette had
    wrapped at the 8th series, and a comparison's base and its 8th scenario were both
    blue; s13 U16)."""
    import colorsys

    named = [*COLOURS, *MORE_COLOURS]
    if n <= len(named):
        return named[:n]
    extra = n - len(named)
    spread = [colorsys.hls_to_rgb((k + 0.5) / extra, 0.45, 0.65) for k in range(extra)]
    return named + ["#{:02X}{:02X}{:02X}".format(*(round(255 * c) for c in rgb))
                    for rgb in spread]  # fmt: skip


OBSERVED_COLOUR = "#111111"
SERIES = (("arrived_people", "people"), ("arrived_boats", "boats"))


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def monthly_simulated(daily: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and month: median and 5/25/75/95% quantiles over members of the monthly
    sums of arrivals (people and boats), and the number of members; the scenarios in the
    order ``daily`` gives them (a comparison's base first, so that a chart draws the
    scenarios' bands over the base's: in the alphabet's order status-quo-2025's band was
    drawn last and hid one-in-one-out-50's)."""
    frame = daily.assign(month=pd.to_datetime(daily["date"]).dt.to_period("M").dt.to_timestamp())
    sums = frame.groupby(["scenario", "member", "month"], sort=True)[
        [column for column, _ in SERIES]
    ].sum()
    rows = []
    for (scenario, month), group in sums.groupby(level=["scenario", "month"], sort=False):
        row: dict[str, object] = {"scenario": scenario, "month": month, "n": len(group)}
        for column, _ in SERIES:
            values = group[column].to_numpy(dtype=float)
            row[f"{column}_median"] = float(np.median(values))
            for q in (5, 25, 75, 95):
                row[f"{column}_q{q:02d}"] = float(np.percentile(values, q))
        rows.append(row)
    order = {name: k for k, name in enumerate(dict.fromkeys(daily["scenario"]))}
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    ranks = frame["scenario"].map(order)
    return frame.iloc[np.argsort(ranks.to_numpy(), kind="stable")].reset_index(drop=True)


def monthly_observed(observed_daily: pd.DataFrame, first: object, last: object) -> pd.DataFrame:
    """Monthly sums of the official daily series over the simulated days only, so that a
    partial month is compared with the same days."""
    dates = pd.to_datetime(observed_daily["date"])
    keep = (dates >= pd.Timestamp(str(first))) & (dates <= pd.Timestamp(str(last)))
    frame = observed_daily.loc[keep].assign(month=dates[keep].dt.to_period("M").dt.to_timestamp())
    monthly = frame.groupby("month", sort=True)[["people", "boats"]].sum(min_count=1)
    return monthly.rename(
        columns={"people": "arrived_people", "boats": "arrived_boats"}
    ).reset_index()


#: The legend's title over an ensemble's monthly series: each scenario has one entry (its
#: median line, 50% fill and 90% dotted lines in one group: a 12-scenario comparison had 36
#: entries), and the title says which is which.
BANDS_LEGEND = "line: median of the runs<br>fill: 50% of runs<br>dotted: 90% of runs"


def _bands(group: pd.DataFrame, column: str, scenario: str, colour: str) -> list[go.Scatter]:
    """The 90% range as two dotted lines and the 50% range as a light fill: two scenarios'
    ranges stay readable where they overlap (no fills stacked into a third colour). In the
    scenario's legend group, without entries of their own (:data:`BANDS_LEGEND`)."""
    x = group["month"]
    line = {"color": colour, "width": 1, "dash": "dot"}
    common = {"legendgroup": scenario, "hoverinfo": "skip", "mode": "lines",
              "showlegend": False}  # fmt: skip
    return [
        go.Scatter(x=x, y=group[f"{column}_q95"], line=line, name=f"{scenario}: 90% of runs",
                   **common),
        go.Scatter(x=x, y=group[f"{column}_q05"], line=line, name=f"{scenario}: 90% of runs",
                   **common),
        go.Scatter(x=x, y=group[f"{column}_q75"], line={"width": 0},
                   name=f"{scenario}: 50% of runs", **common),
        go.Scatter(x=x, y=group[f"{column}_q25"], line={"width": 0}, fill="tonexty",
                   fillcolor=_rgba(colour, 0.22), name=f"{scenario}: 50% of runs", **common),
    ]  # fmt: skip


def series_figure(simulated: pd.DataFrame, observed: pd.DataFrame | None) -> go.Figure:
    """Monthly arrivals (people, boats): simulated medians with 50% and 90% bands against the
    observed series."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("People arrived per month", "Boats arrived per month"),
    )
    bands = False
    colours = series_colours(simulated["scenario"].nunique())
    for colour, (scenario, group) in zip(
        colours, simulated.groupby("scenario", sort=False), strict=True
    ):
        ensemble = int(group["n"].max()) > 1
        bands = bands or ensemble
        for row, (column, unit) in enumerate(SERIES, start=1):
            if ensemble:
                for trace in _bands(group, column, str(scenario), colour):
                    fig.add_trace(trace, row=row, col=1)
            fig.add_trace(
                go.Scatter(
                    x=group["month"],
                    y=group[f"{column}_median"],
                    mode="lines+markers",
                    line={"color": colour},
                    name=f"{scenario}: simulated",
                    legendgroup=str(scenario),
                    showlegend=row == 1,
                    hovertemplate=f"%{{x|%b %Y}}: %{{y:,.0f}} {unit}<extra>{scenario}</extra>",
                ),
                row=row,
                col=1,
            )
    if observed is not None:
        for row, (column, unit) in enumerate(SERIES, start=1):
            fig.add_trace(
                go.Scatter(
                    x=observed["month"],
                    y=observed[column],
                    mode="lines+markers",
                    line={"color": OBSERVED_COLOUR, "dash": "dot"},
                    marker={"symbol": "diamond"},
                    name="observed (Home Office)",
                    legendgroup="observed",
                    showlegend=row == 1,
                    hovertemplate=f"%{{x|%b %Y}}: %{{y:,.0f}} {unit}<extra>observed</extra>",
                ),
                row=row,
                col=1,
            )
    fig.update_xaxes(**month_axis(simulated["month"]))
    fig.update_xaxes(title_text="month", row=2, col=1)
    fig.update_yaxes(title_text="people arrived per month", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="boats arrived per month", rangemode="tozero", row=2, col=1)
    legend: dict[str, Any] = {"x": 1.02, "y": 1}
    if bands:
        legend["title"] = {"text": BANDS_LEGEND, "font": {"size": 11}}
    fig.update_layout(height=620, margin={"t": 40}, legend=legend)
    return fig


def month_axis(months: pd.Series) -> dict[str, Any]:
    """A monthly series' date axis: from half a month before the first month to half a month
    after the last (Plotly's own padding started a 2018–2026 history at "Jul 2017"), a tick
    every month for up to two years, then every quarter, half year or year."""
    first, last = pd.to_datetime(months.min()), pd.to_datetime(months.max())
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    step = 1 if span <= 24 else 3 if span <= 48 else 6 if span <= 96 else 12
    half = pd.Timedelta(days=15)
    return {
        "dtick": f"M{step}",
        "tickformat": "%b %Y",
        "tick0": f"{first:%Y-%m}-01",
        "range": [first - half, last + half],
    }


def comparison_figure(
    comparison: pd.DataFrame, metrics: Sequence[str], describe: Describe = describe
) -> go.Figure:
    """Paired differences against the base: median and interval per scenario, one panel per
    figure, titled with its label and unit (the results registry, through ``describe``)."""
    fields = [describe(m) for m in metrics]
    # a row of every scenario, each named: with 11 scenarios in 250 px Plotly named only
    # every other bar, and a reader gave a bar the name of its neighbour
    panel_px = max(250, 80 + 26 * comparison["scenario"].nunique())
    height = 70 + panel_px * len(metrics)
    fig = make_subplots(
        rows=len(metrics), cols=1, subplot_titles=[f.heading for f in fields],
        vertical_spacing=110 / height,  # room for an axis title and the next panel's title
    )  # fmt: skip
    for row, (metric, field) in enumerate(zip(metrics, fields, strict=True), start=1):
        part = comparison[comparison["metric"] == metric]
        median, low, high = (drawn_values(part[k].to_numpy(float), field)
                             for k in ("median", "low", "high"))  # fmt: skip
        fig.add_trace(
            go.Bar(
                x=median,
                y=part["scenario"].astype(str),
                orientation="h",
                marker={"color": COLOURS[0]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": high - median,
                    "arrayminus": median - low,
                },
                showlegend=False,
                customdata=[format_value(v, field) for v in median],
                hovertemplate="%{y}: %{customdata}<extra>" + field.label + "</extra>",
            ),
            row=row,
            col=1,
        )
        unit = field.unit or "count"
        fig.update_xaxes(title_text=f"change against the base ({unit})", row=row, col=1)
        _no_value_labels(fig, part["scenario"].astype(str), median, field, row)
        values = np.concatenate([low, median, high])
        if not np.isfinite(values).any():  # not priced: no value, not "£0 in every run"
            fig.update_xaxes(showticklabels=False, row=row, col=1)
            continue
        if not np.any(values[np.isfinite(values)]):  # an axis from £−1 to £1 said nothing
            fig.update_xaxes(showticklabels=False, row=row, col=1)
            fig.add_annotation(text=no_change_text(field), x=0.5, y=0.5, xref="x domain",
                               yref="y domain", showarrow=False, font={"color": "#444"},
                               row=row, col=1)  # fmt: skip
            continue
        if field.money:
            fig.update_xaxes(**money_ticks(values), row=row, col=1)
        if field.count:
            fig.update_xaxes(**whole_ticks(values), row=row, col=1)
    fig.update_xaxes(zeroline=True, zerolinecolor="#888")
    # every name, a space from the axis (a name ran into the zero line: "beach-funding-plus|")
    fig.update_yaxes(automargin=True, tickmode="linear", tick0=0, dtick=1, ticksuffix="  ")
    fig.update_layout(height=height, margin={"t": 40})
    return fig


def _no_value_labels(
    fig: go.Figure, scenarios: pd.Series, median: np.ndarray, field: Field, row: int
) -> None:
    """Beside the base line of a panel, "not priced" where a scenario's extra cost has no
    value because the model puts no cost on what it changes
    (:func:`channelsim.experiments.compare.not_priced`), "no value" for any other figure
    without one: the bar was simply missing, and a panel with none said "no extra cost: £0
    in every paired run" (s15 U5)."""
    from channelsim.headline import NOT_PRICED

    said = NOT_PRICED if field.name == "cost_gbp" else "no value"
    for name, value in zip(scenarios, median, strict=True):
        if not np.isfinite(value):
            fig.add_annotation(text=said, x=0, y=name, xanchor="left", showarrow=False,
                               xshift=4, font={"color": "#444"}, row=row, col=1)  # fmt: skip


def no_change_text(field: Field) -> str:
    """What a panel of a figure that is zero in every paired run says instead of an axis:
    ``no extra cost: £0 in every paired run``, ``no change: 0 people in every paired run``."""
    if field.money:
        return "no extra cost: £0 in every paired run"
    unit = f" {field.unit}" if field.unit else ""
    return f"no change: 0{unit} in every paired run"


def money_ticks(values: np.ndarray, count: int = 6) -> dict[str, Any]:
    """An axis of money ticked as every text writes money (``£20m``, ``£4,000``:
    :func:`channelsim.formatting.money_text`; Plotly wrote ``£20M``): about ``count`` ticks
    at 1, 2 or 5 times a power of ten, from zero or below to the largest value or above."""
    from channelsim.formatting import money_text

    finite = values[np.isfinite(values)]
    low, high = min(0.0, float(finite.min(initial=0.0))), max(0.0, float(finite.max(initial=0.0)))
    if high == low:
        return {"tickprefix": "£"}
    rough = (high - low) / count
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    ticks = np.arange(math.floor(low / step), math.ceil(high / step) + 1) * step
    return {"tickmode": "array", "tickvals": ticks.tolist(),
            "ticktext": [money_text(float(t)) for t in ticks]}  # fmt: skip


def whole_ticks(values: np.ndarray) -> dict[str, Any]:
    """An axis of whole things (people, officers) over a short range ticked at whole numbers
    only (``dtick`` 1): left to itself Plotly ticked 0.5 officers and −3.5 people. Over more
    than ten, Plotly's own ticks (whole there) with thousands separated as the tables write
    them (``1,000``, ``8,000``; it wrote ``8000`` and ``5k``)."""
    finite = values[np.isfinite(values)]
    if finite.size and float(finite.max()) - float(finite.min()) > 10:
        return {"tickformat": ",~r"}
    return {"dtick": 1, "tick0": 0, "tickformat": ",d"}


def tradeoff_figure(
    tradeoffs: pd.DataFrame, describe: Describe = describe, unpriced: Collection[str] = ()
) -> go.Figure:
    """The trade-off of every scenario compared: fewer arrivals (x) against the change in
    deaths (y), each with its 5–95% interval, the extra cost as the marker's colour (and in
    its label: "not priced" for the ``unpriced`` scenarios, which change what the model puts
    no cost on, not "£0"); a table from
    :func:`channelsim.experiments.compare.tradeoff_table`."""
    x, y, cost = (
        describe(c) for c in ("fewer_arrivals_people", "deaths_change_people", "extra_cost_gbp")
    )
    frame = tradeoffs.dropna(subset=[x.name, y.name]).copy()
    for field, stem in ((x, "fewer_arrivals"), (y, "deaths_change")):  # as the tables quote them
        for column in (field.name, f"{stem}_low", f"{stem}_high"):
            frame[column] = drawn_values(frame[column].to_numpy(float), field)
    costs = frame[cost.name].fillna(0).to_numpy(dtype=float) / 1e6
    labels, key = _point_labels(frame, x.name, y.name, cost, unpriced)
    reach = float(np.nanmax([frame["fewer_arrivals_high"].max(), frame[x.name].max(), 1]))
    low = float(np.nanmin([frame["fewer_arrivals_low"].min(), 0]))
    fig = go.Figure(
        go.Scatter(
            x=frame[x.name], y=frame[y.name], mode="markers+text", text=labels,
            textposition="top right", cliponaxis=False, textfont={"size": 13},
            error_x={"type": "data", "symmetric": False,
                     "array": frame["fewer_arrivals_high"] - frame[x.name],
                     "arrayminus": frame[x.name] - frame["fewer_arrivals_low"],
                     "color": "#777", "thickness": 1},
            error_y={"type": "data", "symmetric": False,
                     "array": frame["deaths_change_high"] - frame[y.name],
                     "arrayminus": frame[y.name] - frame["deaths_change_low"],
                     "color": "#777", "thickness": 1},
            marker={"size": 16, "color": costs, "colorscale": "Cividis", "showscale": True,
                    **_colour_range(costs),
                    "line": {"color": "#333", "width": 1},
                    "colorbar": {"title": {"text": "extra cost<br>(£ million)" + (
                        "<br>white: not priced" if frame[cost.name].isna().any() else "")}}},
            customdata=np.stack([frame["scenario"],
                                 [cost_words(format_value(c, cost), n in unpriced)
                                  for n, c in zip(frame["scenario"], frame[cost.name],
                                                  strict=True)],
                                 [change_words(-v, x) for v in frame[x.name]],
                                 [change_words(v, y) for v in frame[y.name]]], axis=1),
            hovertemplate="%{customdata[0]}: arrivals %{customdata[2]}, dead or missing "
            "%{customdata[3]}, %{customdata[1]}<extra></extra>",
            showlegend=False,
        )
    )  # fmt: skip
    _not_priced_markers(fig, frame, x.name, y.name, cost.name)
    fig.add_hline(y=0, line={"color": "#888", "width": 1})
    fig.add_vline(x=0, line={"color": "#888", "width": 1})
    pad = 0.12 * (reach - low)
    fig.update_xaxes(title_text=f"{x.label}, median and 90% interval ({x.unit})",
                     range=[low - pad, reach + pad],
                     **whole_ticks(np.array([low - pad, reach + pad])))  # fmt: skip
    # on two lines: on one it ran past the plot's height and over the title
    deaths = frame[[y.name, "deaths_change_low", "deaths_change_high"]].to_numpy(dtype=float)
    fig.update_yaxes(title_text=f"{y.label} ({y.unit})<br>median and 90% interval",
                     **whole_ticks(np.append(deaths, 0.0)))  # fmt: skip
    rows = [" · ".join(key[k : k + 3]) for k in range(0, len(key), 3)]
    fig.add_annotation(text="<br>".join(rows), x=0, y=-0.2, xref="paper", yref="paper",
                       xanchor="left", yanchor="top", align="left", showarrow=False)  # fmt: skip
    fig.update_layout(
        height=520 + 20 * len(rows), margin={"t": 40, "r": 40, "b": 70 + 20 * len(rows)}
    )
    return fig


def _not_priced_markers(fig: go.Figure, frame: pd.DataFrame, x: str, y: str, cost: str) -> None:
    """Over the points whose extra cost has no value (not priced:
    :func:`channelsim.experiments.compare.not_priced`), a white marker outside the colour
    scale, so that none is coloured as £0 (the marker's colour read "costs nothing", s15
    U5); the key names them "not priced"."""
    unknown = frame[frame[cost].isna()]
    if unknown.empty:
        return
    fig.add_trace(
        go.Scatter(
            x=unknown[x], y=unknown[y], mode="markers", hoverinfo="skip", showlegend=False,
            marker={"size": 16, "color": "white", "line": {"color": "#333", "width": 1}},
        )
    )  # fmt: skip


def _point_labels(
    frame: pd.DataFrame, x: str, y: str, cost: Field, unpriced: Collection[str] = ()
) -> tuple[list[str], list[str]]:
    """Each trade-off point's label, its number in the ranking (scenarios drawn at one place,
    within 3% of each axis's span, share one: ``8, 9, 10, 11``), and the key that names the
    numbers (``1 doctrine-territorial £15.7m``): names printed beside the points ran over
    each other wherever points lie close (four at (0, 0), a fifth 900 people to the right)."""
    numbers = (
        [str(int(r)) for r in frame["rank"]]
        if "rank" in frame
        else [str(k + 1) for k in range(len(frame))]
    )
    xs, ys = (frame[c].to_numpy(dtype=float) for c in (x, y))
    near = [0.03 * max(float(np.ptp(v)) if v.size else 0.0, 1.0) for v in (xs, ys)]
    anchors: list[int] = []  # the first point of each place
    place = []
    for k in range(len(frame)):
        same = [
            a for a in anchors if abs(xs[a] - xs[k]) <= near[0] and abs(ys[a] - ys[k]) <= near[1]
        ]
        if not same:
            anchors.append(k)
        place.append(same[0] if same else k)
    labels = [
        ", ".join(n for n, p in zip(numbers, place, strict=True) if p == k) if p == k else ""
        for k, p in enumerate(place)
    ]
    key = [
        f"{n} {name} {cost_words(about(c, cost), name in unpriced)}"
        for n, name, c in zip(numbers, frame["scenario"], frame[cost.name], strict=True)
    ]
    return labels, key


def _colour_range(values: np.ndarray) -> dict[str, float]:
    """The colour scale's ends: from 0 (or the lowest value, a saving) to the highest (or 0),
    never an empty range (one point at −£4.2m was coloured on a 0 to 0.1 scale)."""
    low = min(float(values.min(initial=0)), 0.0)
    high = max(float(values.max(initial=0)), 0.0)
    if high - low < 0.1:
        high, low = (high + 0.1, low) if high > 0 or low == 0 else (high, low - 0.1)
    return {"cmin": low, "cmax": high}


#: The bars of each sensitivity method: index, its half-width column, legend label.
SENSITIVITY_BARS: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "sobol": (("S1", "S1_conf", "first-order index S1"), ("ST", "ST_conf", "total index ST")),
    "morris": (
        ("mu_star", "mu_star_conf", "mu*: mean absolute effect"),
        ("sigma", None, "sigma: spread of the effect"),
    ),
    "rbd-fast": (("share", "share_conf", "first-order share (RBD-FAST)"),),
}


def sensitivity_figure(indices: pd.DataFrame) -> go.Figure:
    """Horizontal bars per parameter (names read level, not tilted), one panel per output:
    Sobol S1 and ST, or Morris mu* and sigma, with confidence intervals that never cross
    zero for an index that cannot be negative (ST, mu*); or, over a posterior, RBD-FAST's
    first-order shares."""
    from channelsim.engine import all_results
    from channelsim.experiments.sensitivity import display_decimals

    outputs = list(dict.fromkeys(indices["output"]))
    method = str(indices["method"].iloc[0])
    bars = SENSITIVITY_BARS[method]
    parameters = list(dict.fromkeys(indices["parameter"]))
    decimals = display_decimals(indices)  # hover labels as the table rounds them
    panel_px = 70 + 26 * len(parameters) * len(bars)
    titles = [all_results().label(str(output)) for output in outputs]  # label (unit)
    fig = make_subplots(
        rows=len(outputs), cols=1, subplot_titles=titles, vertical_spacing=90 / (
            panel_px * len(outputs) + 90 * len(outputs)
        ),
    )  # fmt: skip
    for row, output in enumerate(outputs, start=1):
        part = indices[indices["output"] == output].set_index("parameter").reindex(parameters)
        for k, (column, conf, label) in enumerate(bars):
            values = part[column].to_numpy(dtype=float)
            error = None
            if conf is not None:
                half = part[conf].to_numpy(dtype=float)
                below = np.minimum(half, np.maximum(values, 0)) if column != "S1" else half
                error = {"type": "data", "symmetric": False, "array": half, "arrayminus": below}
            fig.add_trace(
                go.Bar(
                    y=parameters, x=values, orientation="h", name=label, error_x=error,
                    marker={"color": COLOURS[k]}, legendgroup=label, showlegend=row == 1,
                    hovertemplate="%{y}: %{x:,." + str(decimals[output]) + "f}<extra>"
                    + label + "</extra>",
                ),
                row=row,
                col=1,
            )  # fmt: skip
    title = (
        "change in the output over the parameter's range (output's unit)"
        if method == "morris"
        else "share of the output's variance"
    )
    fig.update_xaxes(title_text=title, rangemode="tozero", zeroline=True, zerolinecolor="#888")
    fig.update_yaxes(autorange="reversed", automargin=True)
    height = 90 + (panel_px + 90) * len(outputs)
    fig.update_layout(
        barmode="group", height=height, margin={"t": 90, "b": 60, "l": 10},
        legend={"orientation": "h", "x": 0, "y": 1 + 40 / (height - 150), "yanchor": "bottom"},
    )  # fmt: skip
    return fig
