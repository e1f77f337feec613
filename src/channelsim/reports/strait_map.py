"""The map of the strait: the real coastline, longitude/latitude axes and graticule, a scale
bar, the model's areas (territorial waters, traffic lanes, the shallow band, the UK-France
median line), named towns, every launch zone with its launches, and the events of the boat
log counted in people and boats, one set of layers per scenario.

Drawn in the model's own projected kilometres (:class:`~channelsim.world.LocalProjection`,
distances true to 0.01 % over the map), so that the scale bar is exact; the axes are
labelled in degrees where the meridians and parallels meet the map's edges.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from channelsim.world.coastline import load_coastline
from channelsim.world.geography import (
    FR_SHALLOW,
    FR_TERRITORIAL,
    LAND_FR,
    LAND_UK,
    TSS_LANE,
    UK_TERRITORIAL,
    LaunchZone,
    World,
)

BLOCK_CELLS = 5  # the model's 0.1 km raster is drawn in 0.5 km blocks
MAX_POINTS = 4000  # drawn per layer; a larger log is thinned evenly (counts stay exact)
MARGIN_KM = 6.0
SCALE_BAR_KM = 20
SEA = "#eef5fb"
LAND = "#f3efe6"
COAST = "#6f6a5e"
#: Model areas, drawn in this order (later over earlier).
AREAS = (
    ("French territorial waters (12 nmi)", FR_TERRITORIAL, "majority", "#d4e4f4"),
    ("UK territorial waters (12 nmi)", UK_TERRITORIAL, "majority", "#e7e0f1"),
    ("traffic separation scheme lanes", TSS_LANE, "majority", "#f8e3bd"),
    ("French shallow band (≤300 m, drawn wider)", FR_SHALLOW, "any", "#e4572e"),
)


@dataclass(frozen=True)
class Place:
    """A town named on the map (labels only)."""

    name: str
    lon: float
    lat: float
    country: str
    label: str


@cache
def places() -> tuple[Place, ...]:
    """The towns of ``world/data/places.json``."""
    text = resources.files("channelsim.world").joinpath("data/places.json").read_text("utf-8")
    return tuple(Place(**p) for p in json.loads(text)["places"])


@dataclass(frozen=True)
class Extent:
    """The map's window in projected km."""

    x0: float
    x1: float
    y0: float
    y1: float

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def map_extent(world: World) -> Extent:
    """Every launch zone, town and Dover with a margin, within the model's raster."""
    xs = [z.x_km for z in world.launch_zones] + [world.dover_x_km]
    ys = [z.y_km for z in world.launch_zones] + [world.dover_y_km]
    for place in places():
        x, y = world.projection.to_xy_km(place.lon, place.lat)
        xs.append(float(x))
        ys.append(float(y))
    g = world.grid
    ny, nx = g.shape
    return Extent(
        max(min(xs) - MARGIN_KM, g.x0_km),
        min(max(xs) + MARGIN_KM, g.x0_km + nx * g.cell_km),
        max(min(ys) - MARGIN_KM, g.y0_km),
        min(max(ys) + MARGIN_KM, g.y0_km + ny * g.cell_km),
    )


# --- the base map ---------------------------------------------------------------------------


def _pool(mask: np.ndarray, how: str) -> np.ndarray:
    """Blocks of ``BLOCK_CELLS``²: true where most (``majority``) or ``any`` cell is."""
    b = BLOCK_CELLS
    ny, nx = (s // b * b for s in mask.shape)
    blocks = mask[:ny, :nx].reshape(ny // b, b, nx // b, b)
    share = blocks.mean(axis=(1, 3))
    return share > 0 if how == "any" else share >= 0.5


def _block_centres(world: World, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    step = world.grid.cell_km * BLOCK_CELLS
    x = world.grid.x0_km + (np.arange(shape[1]) + 0.5) * step
    y = world.grid.y0_km + (np.arange(shape[0]) + 0.5) * step
    return x, y


def _area_traces(world: World) -> list[go.BaseTraceType]:
    """The model's areas as one raster (later areas over earlier), a legend entry each, and
    the median line as the zero contour of (distance to France − distance to England)."""
    flags = world.grid.flags
    code: np.ndarray = np.full(_pool(flags > 0, "any").shape, np.nan)
    # The model's land takes its country's territorial colour: where the model's simplified
    # coast lies seaward of the real one, that strip shows as territorial water, not a gap.
    code[_pool((flags & LAND_FR) > 0, "majority")] = 0
    code[_pool((flags & LAND_UK) > 0, "majority")] = 1
    for k, (_, bit, how, _) in enumerate(AREAS):
        code[_pool((flags & bit) > 0, how)] = k
    x, y = _block_centres(world, code.shape)
    n = len(AREAS)
    scale: list[list[Any]] = []
    for k, (*_, colour) in enumerate(AREAS):
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    traces: list[go.BaseTraceType] = [
        go.Heatmap(x=x, y=y, z=code, zmin=-0.5, zmax=n - 0.5, colorscale=scale,
                   showscale=False, hoverinfo="skip")
    ]  # fmt: skip
    traces += [
        go.Scatter(x=[None], y=[None], mode="markers", name=name,
                   marker={"symbol": "square", "size": 12, "color": colour})
        for name, _, _, colour in AREAS
    ]  # fmt: skip
    b = BLOCK_CELLS
    ny, nx = (s // b * b for s in flags.shape)
    gap = world.fr_coast_distance_km - world.uk_coast_distance_km
    gap = gap[:ny, :nx].reshape(ny // b, b, nx // b, b).mean(axis=(1, 3))
    land = _pool((flags & (LAND_FR | LAND_UK)) > 0, "any")
    traces.append(
        go.Contour(
            x=x, y=y, z=np.where(land, np.nan, gap),
            contours={"start": 0, "end": 0, "size": 1, "coloring": "none"},
            line={"color": "#333", "width": 1.5, "dash": "dash"},
            showscale=False, hoverinfo="skip", showlegend=True,
            name="UK–France median line (model)",
        )
    )  # fmt: skip
    return traces


def _land_traces(world: World) -> list[go.BaseTraceType]:
    """The real coastline (GSHHG), filled, in one trace (rings separated by gaps)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in load_coastline().rings:
        x, y = world.projection.to_xy_km(ring[:, 0], ring[:, 1])
        xs += [*x.tolist(), None]
        ys += [*y.tolist(), None]
    return [
        go.Scatter(x=xs, y=ys, fill="toself", fillcolor=LAND, mode="lines",
                   line={"color": COAST, "width": 0.8}, hoverinfo="skip", showlegend=False,
                   name="land")
    ]  # fmt: skip


def _graticule(world: World, extent: Extent) -> tuple[list[go.BaseTraceType], dict[str, Any]]:
    """Meridians every 0.5° and parallels every 0.25° as thin lines, and the axis ticks where
    they cross the bottom and left edges."""
    proj = world.projection
    corners_lon, corners_lat = proj.to_lonlat(
        [extent.x0, extent.x1, extent.x0, extent.x1], [extent.y0, extent.y0, extent.y1, extent.y1]
    )
    lons = np.arange(np.floor(corners_lon.min() * 2) / 2, corners_lon.max() + 0.5, 0.5)
    lats = np.arange(np.floor(corners_lat.min() * 4) / 4, corners_lat.max() + 0.25, 0.25)
    fine_lat = np.linspace(lats[0] - 0.25, lats[-1] + 0.25, 200)
    fine_lon = np.linspace(lons[0] - 0.5, lons[-1] + 0.5, 200)
    xs: list[float | None] = []
    ys: list[float | None] = []
    x_ticks: list[tuple[float, str]] = []
    y_ticks: list[tuple[float, str]] = []
    for lon in lons:
        x, y = proj.to_xy_km(np.full_like(fine_lat, lon), fine_lat)
        xs += [*x.tolist(), None]
        ys += [*y.tolist(), None]
        at = float(np.interp(extent.y0, y, x))
        if extent.x0 <= at <= extent.x1:
            x_ticks.append((at, _degrees(lon, "E", "W")))
    for lat in lats:
        x, y = proj.to_xy_km(fine_lon, np.full_like(fine_lon, lat))
        xs += [*x.tolist(), None]
        ys += [*y.tolist(), None]
        at = float(np.interp(extent.x0, x, y))
        if extent.y0 <= at <= extent.y1:
            y_ticks.append((at, _degrees(lat, "N", "S")))
    trace = go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                       line={"color": "rgba(90,90,90,0.35)", "width": 0.7, "dash": "dot"},
                       name="graticule")  # fmt: skip
    axes = {
        "x": {"tickvals": [t for t, _ in x_ticks], "ticktext": [s for _, s in x_ticks]},
        "y": {"tickvals": [t for t, _ in y_ticks], "ticktext": [s for _, s in y_ticks]},
    }
    return [trace], axes


def _degrees(value: float, positive: str, negative: str) -> str:
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"{text}°{positive if value >= 0 else negative}"


def _scale_bar(extent: Extent) -> tuple[go.Scatter, dict[str, Any]]:
    """A bar of ``SCALE_BAR_KM`` km in the bottom-right corner, with its length in nmi."""
    x1 = extent.x1 - 4
    x0 = x1 - SCALE_BAR_KM
    y = extent.y0 + 4
    tick = 1.2
    xs = [x0, x0, x0, x1, x1, x1, None, (x0 + x1) / 2, (x0 + x1) / 2]
    ys = [y + tick, y - tick, y, y, y + tick, y - tick, None, y + tick / 2, y - tick / 2]
    bar = go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#222", "width": 2},
                     hoverinfo="skip", showlegend=False, name="scale bar")  # fmt: skip
    label = {
        "x": (x0 + x1) / 2, "y": y + 1.6, "xref": "x", "yref": "y", "showarrow": False,
        "text": f"{SCALE_BAR_KM} km ({SCALE_BAR_KM / 1.852:.1f} nmi)", "yanchor": "bottom",
        "font": {"size": 11},
    }  # fmt: skip
    return bar, label


def _towns(world: World) -> list[go.BaseTraceType]:
    """The British towns named (the French coast's places are named by its launch zones,
    :func:`zone_labels`) and Border Force's landing point."""
    pts = [p for p in places() if p.country != "FR"]
    x, y = world.projection.to_xy_km([p.lon for p in pts], [p.lat for p in pts])
    return [
        go.Scatter(x=x, y=y, mode="markers+text", text=[p.name for p in pts],
                   textposition=[p.label for p in pts], textfont={"size": 11, "color": "#333"},
                   marker={"size": 5, "color": "#333"}, hoverinfo="text", showlegend=False,
                   name="towns"),
        go.Scatter(x=[world.dover_x_km], y=[world.dover_y_km], mode="markers",
                   marker={"symbol": "square", "size": 10, "color": "#1f3b73"},
                   name="Dover, Western Docks (Border Force landing)",
                   hovertemplate="Border Force landing point<extra></extra>"),
    ]  # fmt: skip


#: A zone's name: where it goes on the land side of its point (``_landward_label``) as the
#: annotation's anchor and its shift away from the point in px (clear of the point's marker,
#: at most 31 px across).
_PLACES = {
    "middle right": ("left", "middle", 18, 0),  # land to the east (the coast facing west)
    "bottom right": ("left", "top", 4, -17),  # land to the south (the coast facing north)
    "top right": ("left", "bottom", 4, 17),
    "middle left": ("right", "middle", -18, 0),
}


def zone_labels(world: World) -> list[dict[str, Any]]:
    """Each launch zone's name as an annotation on the land side of its point, on a white
    ground: at sea it covered the events' markers (Calais / Sangatte, Gravelines, Dunkirk),
    and as text of the zones' trace it sat under them. The French towns are not named
    beside them (:func:`_towns`): each zone's name names its towns."""
    labels = []
    extent = map_extent(world)
    east = extent.x0 + 0.8 * (extent.x1 - extent.x0)  # a name east of this ends at its point
    for zone in world.launch_zones:
        xanchor, yanchor, xshift, yshift = _PLACES[_landward_label(world, zone)]
        text = zone.name
        label = {
            "x": zone.x_km, "y": zone.y_km, "xref": "x", "yref": "y", "text": text,
            "showarrow": False, "xanchor": xanchor, "yanchor": yanchor, "xshift": xshift,
            "yshift": yshift, "font": {"size": 10, "color": "#1b1b1b"},
            "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1,
        }  # fmt: skip
        if zone.x_km > east and xanchor == "left":  # near the map's edge: on two lines,
            # centred under its point, clear of its largest marker (right-aligned to its west,
            # Dunkirk's name sat beside Gravelines' cluster and read as its)
            label |= {
                "text": text.replace(" (", "<br>("),
                "xanchor": "center",
                "yanchor": "top",
                "xshift": -12,
                "yshift": -(ZONE_PX / 2 + 3),
            }
        labels.append(label)
    return labels


def _landward_label(world: World, zone: LaunchZone) -> str:
    """Where a zone's name goes: on the land side of its launch point (against the gradient
    of the distance to the French coast, which grows out to sea)."""
    step = 1.5
    d = world.distance_to_french_coast_km
    gx = float(d([zone.x_km + step], [zone.y_km])[0] - d([zone.x_km - step], [zone.y_km])[0])
    gy = float(d([zone.x_km], [zone.y_km + step])[0] - d([zone.x_km], [zone.y_km - step])[0])
    if abs(gx) >= abs(gy):
        return "middle right" if gx < 0 else "middle left"
    return "bottom right" if gy > 0 else "top right"


# --- events ---------------------------------------------------------------------------------


def _thin(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame) <= MAX_POINTS:
        return frame
    keep = np.unique(np.linspace(0, len(frame) - 1, MAX_POINTS).round().astype(int))
    return frame.iloc[keep]


def _count(people: float, boats: int) -> str:
    return f"{int(people):,} {'person' if people == 1 else 'people'}, {boats:,} " + (
        "boat" if boats == 1 else "boats"
    )


def zone_launches(world: World, boats: pd.DataFrame) -> pd.DataFrame:
    """Per launch zone: boats and people launched (left the beach), boats and people
    prevented, deaths at embarkation. Every zone of the world has a row (zeros included)."""
    launched = boats["launched"].astype(bool)
    frame = pd.DataFrame(
        {
            "zone": boats["zone"].astype(str),
            "launched_boats": launched.astype(int),
            "launched_people": np.where(launched, boats["aboard_people"], 0),
            "prevented_boats": (~launched).astype(int),
            "prevented_people": boats["prevented_people"],
            "crush_deaths": boats["crush_deaths"],
        }
    )
    table = frame.groupby("zone", sort=False).sum()
    names = [z.name for z in world.launch_zones]
    return table.reindex(names, fill_value=0).rename_axis("zone").reset_index()


def _event_groups(boats: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame, pd.Series, str, str]]:
    """(name, boats, people counted, colour, symbol) of each kind of event at sea."""
    at_sea = boats[boats["launched"].astype(bool)]
    fate = at_sea["fate"].astype(str)
    deaths = at_sea["drowned"] + at_sea["hypothermia_deaths"]
    intercepted = at_sea["intercepted"].astype(bool)
    disabled = at_sea["disabled"].astype(bool) & (fate != "lost")
    lost = fate == "lost"
    aboard = at_sea["aboard_people"]
    yield "interceptions at sea", at_sea[intercepted], aboard[intercepted], "#0b6e4f", "circle"
    yield "engine failures", at_sea[disabled], aboard[disabled], "#f2a541", "triangle-up"
    yield "capsizes and sinkings", at_sea[lost], aboard[lost], "#7b2cbf", "x"
    yield "deaths at sea", at_sea[deaths > 0], deaths[deaths > 0], "#b00020", "circle-open"


def _event_hover(frame: pd.DataFrame) -> list[str]:
    deaths = frame["drowned"] + frame["hypothermia_deaths"]
    return [
        f"{date} · {zone}<br>{aboard} aboard · {fate}" + (f" · {dead} dead" if dead else "")
        for date, zone, aboard, fate, dead in zip(
            frame["date"], frame["zone"], frame["aboard_people"], frame["fate"], deaths,
            strict=True,
        )
    ]  # fmt: skip


#: Diameter (px) of the largest launch zone's marker; of an event's marker at
#: :data:`EVENT_PEOPLE` people; the smallest marker drawn (a zone or an event of a few people).
ZONE_PX, EVENT_PX, MIN_PX = 31.0, 16.0, 5.0
EVENT_PEOPLE = 50.0


def area_sizes(shares: np.ndarray, px: float) -> np.ndarray:
    """Marker diameters (px) whose areas are in proportion to ``shares`` (``px`` at 1), at
    least :data:`MIN_PX` so that a small one is seen: a zone's triangle had been 9 + 22·√share
    px, 12.9 to 31 px for 1 to 32 times the people, so areas in proportion to nothing."""
    return np.maximum(px * np.sqrt(np.clip(np.asarray(shares, dtype=float), 0.0, None)), MIN_PX)


def scenario_traces(world: World, boats: pd.DataFrame, scenario: str) -> list[go.BaseTraceType]:
    """One scenario's layers: launch zones sized by people launched, events at sea at the
    boat's last position, deaths at embarkation at the zone; legend entries count people and
    boats over the whole log (a large log is thinned for drawing only)."""
    title = f"{scenario} (marker area in proportion to people)"
    group = {"legendgroup": scenario, "legendgrouptitle": {"text": title}, "meta": scenario}
    zones = zone_launches(world, boats)
    people = zones["launched_people"].to_numpy(dtype=float)
    size = area_sizes(people / people.max() if people.max() > 0 else people, ZONE_PX)
    points = [world.launch_zone(name) for name in zones["zone"]]
    traces: list[go.BaseTraceType] = [
        go.Scatter(
            x=[p.x_km for p in points], y=[p.y_km for p in points], mode="markers",
            text=[p.name for p in points],  # named on the map by zone_labels, above the events
            marker={"symbol": "triangle-down", "size": size.tolist(), "color": "#444",
                    "line": {"color": "white", "width": 1}},
            name=f"launch zones: {_count(people.sum(), int(zones['launched_boats'].sum()))} "
            "launched",
            customdata=np.stack([zones["launched_boats"], people, zones["prevented_boats"],
                                 zones["prevented_people"]], axis=1),
            hovertemplate="%{text}<br>launched: %{customdata[1]:,.0f} people, "
            "%{customdata[0]:,.0f} boats<br>prevented on the beach: %{customdata[3]:,.0f} "
            "people, %{customdata[2]:,.0f} boats<extra></extra>",
            **group,
        )
    ]  # fmt: skip
    for name, frame, counted, colour, symbol in _event_groups(boats):
        if frame.empty:
            continue
        shown = _thin(frame)
        weight = counted[shown.index].to_numpy(dtype=float)
        traces.append(
            go.Scatter(
                x=shown["final_x_km"], y=shown["final_y_km"], mode="markers",
                marker={"color": colour, "symbol": symbol, "opacity": 0.75,
                        "size": area_sizes(weight / EVENT_PEOPLE, EVENT_PX).tolist()},
                name=f"{name}: {_count(counted.sum(), len(frame))}",
                text=_event_hover(shown), hovertemplate="%{text}<extra>" + name + "</extra>",
                **group,
            )
        )  # fmt: skip
    crush = zones[zones["crush_deaths"] > 0]
    if len(crush):
        pts = [world.launch_zone(name) for name in crush["zone"]]
        dead = crush["crush_deaths"].to_numpy(dtype=float)
        n_boats = int((boats["crush_deaths"] > 0).sum())
        # inside its zone's triangle, which stays seen around it (it had covered Gravelines')
        under = size[zones.index.get_indexer(crush.index)]
        star = np.minimum(area_sizes(dead / EVENT_PEOPLE, EVENT_PX), 0.55 * under)
        traces.append(
            go.Scatter(
                x=[p.x_km for p in pts], y=[p.y_km for p in pts], mode="markers",
                marker={"color": "#b00020", "symbol": "star", "size": star.tolist(),
                        "line": {"color": "white", "width": 1}},
                name=f"deaths at embarkation: {_count(dead.sum(), n_boats)}",
                text=[f"{p.name}: {int(n):,} dead" for p, n in zip(pts, dead, strict=True)],
                hovertemplate="%{text}<extra></extra>", **group,
            )
        )  # fmt: skip
    return traces


# --- the figure -----------------------------------------------------------------------------


def strait_map(world: World, boats: pd.DataFrame | None) -> go.Figure:
    """The map (see the module docstring). ``boats`` is a boat log, optionally with a
    ``scenario`` column; with several scenarios a menu above the map picks the one whose
    layers are shown (the first by default), and the legend toggles each layer."""
    extent = map_extent(world)
    graticule, ticks = _graticule(world, extent)
    bar, bar_label = _scale_bar(extent)
    static = [*_area_traces(world), *_land_traces(world), *graticule, bar, *_towns(world)]
    scenarios: list[tuple[str, list[go.BaseTraceType]]] = []
    if boats is not None and len(boats):
        keyed = boats if "scenario" in boats else boats.assign(scenario="simulated")
        for name, log in keyed.groupby("scenario", sort=False, observed=True):
            scenarios.append((str(name), scenario_traces(world, log, str(name))))
    else:
        static.append(_zones_only(world))
    fig = go.Figure(static)
    for _, traces in scenarios:
        fig.add_traces(traces)
    if len(scenarios) > 1:
        _scenario_menu(fig, len(static), scenarios)
    fig.add_annotation(**bar_label)
    for label in zone_labels(world):
        fig.add_annotation(**label)
    _frame(fig, extent, ticks)
    return fig


#: The map's layout in pixels: the plot's height, the room under it for the longitude axis
#: and for the legend, the room above it (the scenario buttons; :func:`publishable` keeps
#: at least 70 px there and puts the caption above, so the plot keeps its height).
PLOT_PX, AXIS_PX, LEGEND_PX, TOP_PX = 880, 70, 250, 70


def _frame(fig: go.Figure, extent: Extent, ticks: dict[str, dict[str, Any]]) -> None:
    """Axes at one scale (a km east as long as a km north: ``scaleanchor``, ``scaleratio``
    1), each kept to the map's extent with the plot's box shrunk to fit (``constrain`` the
    domain, not the range), and the legend under the map across its width. With the legend
    at its right, a narrow page (the explorer's column at 800 px: 360 px) left the plot 64 px
    wide, and the latitude axis ran its range out to 1,460 km to keep the scale: the strait
    a sliver in a tall empty strip (s15)."""
    fig.update_xaxes(
        title_text="longitude (degrees east)", range=[extent.x0, extent.x1], constrain="domain",
        showgrid=False, zeroline=False, ticks="outside", **ticks["x"],
    )  # fmt: skip
    fig.update_yaxes(
        title_text="latitude (degrees north)", range=[extent.y0, extent.y1], scaleanchor="x",
        scaleratio=1, constrain="domain", constraintoward="bottom", showgrid=False,
        zeroline=False, ticks="outside", **ticks["y"],
    )  # fmt: skip
    fig.update_layout(
        height=TOP_PX + PLOT_PX + AXIS_PX + LEGEND_PX, plot_bgcolor=SEA,
        margin={"t": TOP_PX, "b": AXIS_PX + LEGEND_PX, "l": 70, "r": 10},
        legend={"groupclick": "toggleitem", "font": {"size": 11}, "itemsizing": "constant",
                "orientation": "h", "x": 0, "xanchor": "left", "y": -AXIS_PX / PLOT_PX,
                "yanchor": "top", "tracegroupgap": 4},
    )  # fmt: skip


def _zones_only(world: World) -> go.Scatter:
    zones = world.launch_zones
    return go.Scatter(
        x=[z.x_km for z in zones], y=[z.y_km for z in zones], mode="markers",
        text=[z.name for z in zones],
        marker={"symbol": "triangle-down", "size": 10, "color": "#444"},
        name="launch zones", hovertemplate="%{text}<extra></extra>",
    )  # fmt: skip


def _scenario_menu(
    fig: go.Figure, n_static: int, scenarios: list[tuple[str, list[go.BaseTraceType]]]
) -> None:
    """Buttons above the map: each shows the base map and one scenario's layers."""
    owners = [name for name, traces in scenarios for _ in traces]
    buttons = []
    for name, _ in scenarios:
        visible = [True] * n_static + [owner == name for owner in owners]
        buttons.append({"label": name, "method": "restyle", "args": [{"visible": visible}]})
    first = scenarios[0][0]
    for trace, owner in zip(fig.data[n_static:], owners, strict=True):
        trace.visible = owner == first
    fig.update_layout(
        updatemenus=[{"type": "buttons", "direction": "right", "buttons": buttons,
                      "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                      "pad": {"b": 6}, "showactive": True, "active": 0}],
    )  # fmt: skip
