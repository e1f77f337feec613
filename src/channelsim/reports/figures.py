"""Plotly figures of the report: simulated against observed series, policy comparison,
sensitivity indices and a map of the strait. Each takes tidy tables and returns a Figure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from channelsim.world.geography import (
    FR_SHALLOW,
    FR_TERRITORIAL,
    LAND_FR,
    LAND_UK,
    TSS_LANE,
    UK_SIDE,
    UK_TERRITORIAL,
    World,
    strait_spec,
)

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")
OBSERVED_COLOUR = "#111111"
SERIES = (("arrived_people", "people"), ("arrived_boats", "boats"))
MAP_BLOCK_CELLS = 5  # the 0.1 km raster is drawn in 0.5 km blocks
MAX_MAP_POINTS = 4000  # per layer; larger logs are thinned evenly


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def monthly_simulated(daily: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and month: median and 5/25/75/95% quantiles over members of the monthly
    sums of arrivals (people and boats), and the number of members."""
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
    return pd.DataFrame(rows)


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
    for i, (scenario, group) in enumerate(simulated.groupby("scenario", sort=False)):
        colour = COLOURS[i % len(COLOURS)]
        ensemble = int(group["n"].max()) > 1
        for row, (column, unit) in enumerate(SERIES, start=1):
            if ensemble:
                for low, high, alpha, label in ((5, 95, 0.15, "90%"), (25, 75, 0.3, "50%")):
                    fig.add_trace(
                        go.Scatter(
                            x=group["month"],
                            y=group[f"{column}_q{high}"],
                            mode="lines",
                            line={"width": 0},
                            hoverinfo="skip",
                            showlegend=False,
                            legendgroup=str(scenario),
                        ),
                        row=row,
                        col=1,
                    )
                    fig.add_trace(
                        go.Scatter(
                            x=group["month"],
                            y=group[f"{column}_q{low:02d}"],
                            mode="lines",
                            line={"width": 0},
                            fill="tonexty",
                            fillcolor=_rgba(colour, alpha),
                            name=f"{scenario}: {label} interval",
                            legendgroup=str(scenario),
                            showlegend=row == 1,
                            hoverinfo="skip",
                        ),
                        row=row,
                        col=1,
                    )
            fig.add_trace(
                go.Scatter(
                    x=group["month"],
                    y=group[f"{column}_median"],
                    mode="lines+markers",
                    line={"color": colour},
                    name=f"{scenario}: simulated" + (" (median)" if ensemble else ""),
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
    fig.update_xaxes(dtick="M1", tickformat="%b %Y")
    fig.update_yaxes(title_text="people", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="boats", rangemode="tozero", row=2, col=1)
    fig.update_layout(height=620, margin={"t": 40}, legend={"orientation": "h", "y": -0.1})
    return fig


def comparison_figure(comparison: pd.DataFrame, metrics: Sequence[str]) -> go.Figure:
    """Paired differences against the base: median and interval per scenario, one panel per
    figure."""
    fig = make_subplots(rows=len(metrics), cols=1, subplot_titles=list(metrics))
    for row, metric in enumerate(metrics, start=1):
        part = comparison[comparison["metric"] == metric]
        median = part["median"].to_numpy(dtype=float)
        fig.add_trace(
            go.Bar(
                x=median,
                y=part["scenario"].astype(str),
                orientation="h",
                marker={"color": COLOURS[0]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": part["high"].to_numpy(dtype=float) - median,
                    "arrayminus": median - part["low"].to_numpy(dtype=float),
                },
                showlegend=False,
                hovertemplate="%{y}: %{x:,.4g}<extra>" + metric + "</extra>",
            ),
            row=row,
            col=1,
        )
    fig.update_xaxes(zeroline=True, zerolinecolor="#888")
    fig.update_layout(height=max(260, 190 * len(metrics)), margin={"t": 40})
    return fig


def sensitivity_figure(indices: pd.DataFrame) -> go.Figure:
    """Bars per parameter, one panel per output: Sobol S1 and ST with confidence intervals,
    or Morris mu* (with its interval) and sigma."""
    outputs = list(dict.fromkeys(indices["output"]))
    method = str(indices["method"].iloc[0])
    bars = (
        (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST"))
        if method == "sobol"
        else (("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma"))
    )
    fig = make_subplots(rows=len(outputs), cols=1, subplot_titles=outputs)
    for row, output in enumerate(outputs, start=1):
        part = indices[indices["output"] == output]
        for k, (column, conf, label) in enumerate(bars):
            fig.add_trace(
                go.Bar(
                    x=part["parameter"],
                    y=part[column],
                    name=label,
                    marker={"color": COLOURS[k]},
                    error_y=None
                    if conf is None
                    else {"type": "data", "array": part[conf].to_numpy(dtype=float)},
                    legendgroup=label,
                    showlegend=row == 1,
                    hovertemplate="%{x}: %{y:.3g}<extra>" + label + "</extra>",
                ),
                row=row,
                col=1,
            )
    title = "index" if method == "sobol" else "output per full range"
    fig.update_yaxes(title_text=title)
    fig.update_layout(barmode="group", height=max(320, 300 * len(outputs)), margin={"t": 40})
    return fig


def _pool(mask: np.ndarray, block: int, how: str) -> np.ndarray:
    ny, nx = (mask.shape[0] // block) * block, (mask.shape[1] // block) * block
    blocks = mask[:ny, :nx].reshape(ny // block, block, nx // block, block)
    pooled = blocks.any(axis=(1, 3)) if how == "any" else blocks.mean(axis=(1, 3)) > 0.5
    return np.asarray(pooled, dtype=bool)


def _zone_layers(world: World) -> list[go.BaseTraceType]:
    """Patrol and interception zones as one coded raster, with legend entries and the median
    line (the edge of the UK side at sea)."""
    flags = world.grid.flags
    b = MAP_BLOCK_CELLS
    sea = _pool((flags & (LAND_FR | LAND_UK)) == 0, b, "majority")
    layers = (  # later layers are drawn over earlier ones
        (
            "French territorial waters (12 nmi)",
            _pool((flags & FR_TERRITORIAL) > 0, b, "majority"),
            "#cfe3f7",
        ),
        (
            "UK territorial waters (12 nmi)",
            _pool((flags & UK_TERRITORIAL) > 0, b, "majority"),
            "#e6dcf2",
        ),
        (
            "traffic separation scheme lanes",
            _pool((flags & TSS_LANE) > 0, b, "majority"),
            "#f6d7a7",
        ),
        (
            "French shallow band (≤300 m, drawn wider)",
            _pool((flags & FR_SHALLOW) > 0, b, "any"),
            "#e4572e",
        ),
    )
    code: np.ndarray = np.full(sea.shape, np.nan)
    for k, (_, mask, _) in enumerate(layers):
        code[mask] = k
    step = world.grid.cell_km * b
    x = world.grid.x0_km + (np.arange(code.shape[1]) + 0.5) * step
    y = world.grid.y0_km + (np.arange(code.shape[0]) + 0.5) * step
    n = len(layers)
    scale = []
    for k, (_, _, colour) in enumerate(layers):
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    traces: list[go.BaseTraceType] = [
        go.Heatmap(
            x=x,
            y=y,
            z=code,
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            showscale=False,
            hoverinfo="skip",
        )
    ]
    traces += [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 12, "color": colour},
            name=name,
        )
        for name, _, colour in layers
    ]
    uk = _pool((flags & UK_SIDE) > 0, b, "majority")
    edge = np.zeros_like(uk)
    edge[:, :-1] |= (uk[:, :-1] != uk[:, 1:]) & sea[:, :-1] & sea[:, 1:]
    edge[:-1, :] |= (uk[:-1, :] != uk[1:, :]) & sea[:-1, :] & sea[1:, :]
    rows, cols = np.nonzero(edge)
    traces.append(
        go.Scatter(
            x=x[cols],
            y=y[rows],
            mode="markers",
            marker={"size": 2, "color": "#444"},
            name="median line (UK / France)",
            hoverinfo="skip",
        )
    )
    return traces


def _coast_layers(world: World) -> list[go.BaseTraceType]:
    spec = strait_spec()
    traces: list[go.BaseTraceType] = []
    for name, points, colour in (
        ("France", spec["france_coast"] + spec["france_inland_closure"], "#e8e0cc"),
        ("England", spec["england_coast"], "#dfe8cc"),
    ):
        lonlat = np.asarray(points, dtype=float)
        xs, ys = world.projection.to_xy_km(lonlat[:, 0], lonlat[:, 1])
        traces.append(
            go.Scatter(
                x=np.append(xs, xs[0]),
                y=np.append(ys, ys[0]),
                fill="toself",
                fillcolor=colour,
                mode="lines",
                line={"color": "#8a7f66", "width": 1},
                name=name,
                hoverinfo="name",
                showlegend=False,
            )
        )
    return traces


def _thin(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame) <= MAX_MAP_POINTS:
        return frame
    keep = np.linspace(0, len(frame) - 1, MAX_MAP_POINTS).round().astype(int)
    return frame.iloc[np.unique(keep)]


def _event_hover(frame: pd.DataFrame) -> list[str]:
    return [
        f"{date} · {zone} · {aboard} aboard · fate {fate}"
        for date, zone, aboard, fate in zip(
            frame["date"], frame["zone"], frame["aboard_people"], frame["fate"], strict=True
        )
    ]


def _event_layers(world: World, boats: pd.DataFrame) -> list[go.BaseTraceType]:
    """Interceptions, incidents and deaths, at the boat's last position (crush deaths at the
    launch point of their zone)."""
    fate = boats["fate"].astype(str)
    at_sea = boats[boats["launched"].astype(bool)]
    fate_at_sea = fate[at_sea.index]
    deaths_at_sea = at_sea["drowned"] + at_sea["hypothermia_deaths"]
    groups = (
        ("interception", at_sea[at_sea["intercepted"].astype(bool)], "#0b6e4f", "circle", None),
        (
            "engine failure (disabled)",
            at_sea[at_sea["disabled"].astype(bool) & (fate_at_sea != "lost")],
            "#f2a541",
            "triangle-up",
            None,
        ),
        ("capsize / sinking", at_sea[fate_at_sea == "lost"], "#7b2cbf", "x", None),
        ("deaths at sea", at_sea[deaths_at_sea > 0], "#b00020", "circle-open", deaths_at_sea),
    )
    traces: list[go.BaseTraceType] = []
    for name, frame, colour, symbol, size_by in groups:
        if frame.empty:
            continue
        frame = _thin(frame)
        size = 7 if size_by is None else (6 + 3 * np.sqrt(size_by[frame.index])).tolist()
        traces.append(
            go.Scatter(
                x=frame["final_x_km"],
                y=frame["final_y_km"],
                mode="markers",
                marker={"color": colour, "symbol": symbol, "size": size, "opacity": 0.75},
                name=f"{name} ({len(frame):,})",
                text=_event_hover(frame),
                hovertemplate="%{text}<extra>" + name + "</extra>",
            )
        )
    crush = boats[boats["crush_deaths"] > 0].groupby("zone", observed=True)["crush_deaths"].sum()
    if len(crush):
        points = [world.launch_zone(str(zone)) for zone in crush.index]
        traces.append(
            go.Scatter(
                x=[p.x_km for p in points],
                y=[p.y_km for p in points],
                mode="markers",
                marker={
                    "color": "#b00020",
                    "symbol": "star",
                    "size": (8 + 3 * np.sqrt(crush.to_numpy(dtype=float))).tolist(),
                },
                name="deaths at embarkation (crush)",
                text=[f"{p.name}: {int(n)} dead" for p, n in zip(points, crush, strict=True)],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return traces


def strait_map(world: World, boats: pd.DataFrame | None) -> go.Figure:
    """The strait in projected km: coasts, zones, launch zones, Dover and the events of the
    boat log."""
    fig = go.Figure()
    for trace in [*_zone_layers(world), *_coast_layers(world)]:
        fig.add_trace(trace)
    zones = world.launch_zones
    fig.add_trace(
        go.Scatter(
            x=[z.x_km for z in zones],
            y=[z.y_km for z in zones],
            mode="markers",
            marker={"symbol": "triangle-down", "size": 10, "color": "#333"},
            name="launch zones",
            text=[f"{z.name} ({z.kind}, {z.crossing_distance_km:.0f} km to Dover)" for z in zones],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[world.dover_x_km],
            y=[world.dover_y_km],
            mode="markers+text",
            marker={"symbol": "square", "size": 10, "color": "#1f3b73"},
            text=["Dover"],
            textposition="top left",
            name="Dover (Border Force)",
        )
    )
    if boats is not None:
        for trace in _event_layers(world, boats):
            fig.add_trace(trace)
    fig.update_xaxes(title_text="x (km east of 1.5°E)", range=[-25, 60], constrain="domain")
    fig.update_yaxes(
        title_text="y (km north of 51°N)", range=[-50, 40], scaleanchor="x", scaleratio=1
    )
    fig.update_layout(height=760, margin={"t": 30}, plot_bgcolor="#f7fbff")
    return fig
