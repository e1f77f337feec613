"""Land, sea and maritime zones of the Dover Strait raster are where they should be."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from channelsim.world import geography as geo
from channelsim.world import load_world
from channelsim.world.projection import LocalProjection


@pytest.fixture(scope="module")
def world() -> geo.World:
    return load_world()


def _flags_at(world: geo.World, lon: float, lat: float) -> int:
    x, y = world.projection.to_xy_km(lon, lat)
    return int(world.grid.lookup(x, y))


def test_projection_round_trip_and_scale() -> None:
    proj = LocalProjection(1.5, 51.0)
    lon = np.array([0.9, 1.32, 1.85, 2.5])
    lat = np.array([50.2, 51.12, 50.97, 51.4])
    x, y = proj.to_xy_km(lon, lat)
    lon2, lat2 = proj.to_lonlat(x, y)
    np.testing.assert_allclose(lon2, lon, atol=1e-9)
    np.testing.assert_allclose(lat2, lat, atol=1e-9)
    # One degree of latitude is about 111.2 km here; South Foreland – Cap Gris-Nez 33.3 km.
    _, y1 = proj.to_xy_km(1.5, 52.0)
    assert y1 == pytest.approx(111.25, abs=0.2)
    sx, sy = proj.to_xy_km(1.37, 51.14)
    gx, gy = proj.to_xy_km(1.583, 50.87)
    assert np.hypot(sx - gx, sy - gy) == pytest.approx(33.3, abs=0.8)


def test_launch_points_are_in_the_water_or_a_waterway(world: geo.World) -> None:
    assert len(world.launch_zones) >= 9
    kinds = {z.kind for z in world.launch_zones}
    assert kinds == {"beach", "waterway"}
    for zone in world.launch_zones:
        flags = int(world.grid.lookup(zone.x_km, zone.y_km))
        assert not flags & (geo.LAND_FR | geo.LAND_UK), zone.name
        assert not flags & geo.UK_SIDE, zone.name
        if zone.kind == "waterway":
            assert flags & geo.FR_WATERWAY, zone.name
        else:
            assert flags & geo.FR_SHALLOW, zone.name
            assert 0.05 <= world.distance_to_french_coast_km(zone.x_km, zone.y_km) <= 0.3
        assert 30.0 < zone.crossing_distance_km < 110.0, zone.name


def test_launch_zones_run_from_dunkirk_to_the_somme(world: geo.World) -> None:
    lats = [z.lat for z in world.launch_zones]
    lons = [z.lon for z in world.launch_zones]
    assert max(lons) > 2.3  # Dunkirk
    assert min(lats) < 50.25  # Baie de Somme
    nearest = min(world.launch_zones, key=lambda z: z.crossing_distance_km)
    assert "Gris-Nez" in nearest.name or "Calais" in nearest.name


def test_dover_landing_point_is_at_the_english_coast(world: geo.World) -> None:
    flags = int(world.grid.lookup(world.dover_x_km, world.dover_y_km))
    assert not flags & (geo.LAND_UK | geo.LAND_FR)
    assert flags & geo.UK_TERRITORIAL and flags & geo.UK_SIDE
    assert world.distance_to_english_coast_km(world.dover_x_km, world.dover_y_km) < 1.0


def test_straight_line_to_dover_stays_at_sea(world: geo.World) -> None:
    for zone in world.launch_zones:
        s = np.linspace(0.0, 1.0, int(zone.crossing_distance_km / 0.05))
        x = zone.x_km + s * (world.dover_x_km - zone.x_km)
        y = zone.y_km + s * (world.dover_y_km - zone.y_km)
        flags = world.grid.lookup(x, y)
        assert not (flags & geo.LAND_FR).any(), zone.name
        assert not (flags & geo.LAND_UK).any(), zone.name
        # It leaves French waters, crosses a lane of the TSS and ends in UK waters.
        assert (flags & geo.TSS_LANE).any(), zone.name
        assert flags[-1] & geo.UK_TERRITORIAL


def test_known_places_on_land(world: geo.World) -> None:
    assert _flags_at(world, 1.90, 50.93) & geo.LAND_FR  # Calais town
    assert _flags_at(world, 1.62, 50.72) & geo.LAND_FR  # Boulogne inland
    assert _flags_at(world, 1.60, 50.25) & geo.LAND_FR  # Somme inland
    assert _flags_at(world, 1.28, 51.14) & geo.LAND_UK  # Dover town
    assert _flags_at(world, 1.35, 51.35) & geo.LAND_UK  # Thanet
    assert _flags_at(world, 0.92, 50.97) & geo.LAND_UK  # Romney Marsh
    assert not _flags_at(world, 1.00, 50.95) & geo.LAND_UK  # off Dungeness


def test_territorial_waters_and_median_line(world: geo.World) -> None:
    proj = world.projection
    # 1 km off Calais: French territorial sea, French side.
    off_calais = _flags_at(world, 1.845, 50.98)
    assert off_calais & geo.FR_TERRITORIAL and not off_calais & geo.UK_SIDE
    # Dover harbour approaches: UK territorial sea, UK side.
    dover = _flags_at(world, 1.33, 51.10)
    assert dover & geo.UK_TERRITORIAL and dover & geo.UK_SIDE
    # Along the line South Foreland – Cap Gris-Nez the median line is near its middle.
    sx, sy = proj.to_xy_km(1.37, 51.14)
    gx, gy = proj.to_xy_km(1.583, 50.87)
    s = np.linspace(0, 1, 2001)
    side = world.grid.lookup(gx + s * (sx - gx), gy + s * (sy - gy)) & geo.UK_SIDE
    switch = s[np.argmax(side > 0)]
    assert 0.45 < switch < 0.55
    # 12 nmi limits: 20 km off Boulogne to the west is French territorial, 26 km is not
    # (that far out is past the median line in the south, so check the open sea off Berck).
    bx, by = proj.to_xy_km(1.56, 50.42)
    assert world.grid.lookup(bx - 20.0, by) & geo.FR_TERRITORIAL
    assert not world.grid.lookup(bx - 25.0, by) & (geo.FR_TERRITORIAL | geo.UK_TERRITORIAL)
    # Every sea cell is on exactly one side, and territorial flags never overlap.
    flags = world.grid.flags
    assert not ((flags & geo.FR_TERRITORIAL) & ((flags & geo.UK_TERRITORIAL) >> 1)).any()
    assert not (
        (flags & geo.FR_TERRITORIAL).astype(bool) & (flags & geo.UK_SIDE).astype(bool)
    ).any()


def test_traffic_lanes(world: geo.World) -> None:
    proj = world.projection
    gx, gy = proj.to_xy_km(1.583, 50.87)
    sx, sy = proj.to_xy_km(1.37, 51.14)
    ux, uy = (sx - gx), (sy - gy)
    norm = np.hypot(ux, uy)
    ux, uy = ux / norm, uy / norm
    # Mid-strait off Cap Gris-Nez (10 km out) is in the NE-bound lane, French side;
    # 10 km off South Foreland is in the SW-bound lane, UK side; the middle is the
    # separation zone; the first 3 km off each coast are inshore zones, not lanes.
    ne_lane = int(world.grid.lookup(gx + 10 * ux, gy + 10 * uy))
    sw_lane = int(world.grid.lookup(sx - 10 * ux, sy - 10 * uy))
    assert ne_lane & geo.TSS_LANE and not ne_lane & geo.UK_SIDE
    assert sw_lane & geo.TSS_LANE and sw_lane & geo.UK_SIDE
    mid = int(world.grid.lookup(0.5 * (gx + sx), 0.5 * (gy + sy)))
    assert not mid & geo.TSS_LANE
    assert not world.grid.lookup(gx + 3 * ux, gy + 3 * uy) & geo.TSS_LANE
    assert not world.grid.lookup(sx - 3 * ux, sy - 3 * uy) & geo.TSS_LANE
    assert not ((world.grid.flags & geo.TSS_LANE) & (world.grid.flags & geo.LAND_FR)).any()


def test_shallow_band_hugs_the_french_coast(world: geo.World) -> None:
    flags = world.grid.flags
    shallow = (flags & geo.FR_SHALLOW) != 0
    assert shallow.any()
    assert (world.fr_coast_distance_km[shallow] <= 0.3 + 1e-6).all()
    assert not (shallow & ((flags & (geo.LAND_FR | geo.LAND_UK | geo.UK_SIDE)) != 0)).any()
    # 1 km off Wimereux is beyond the band but within French waters.
    off = _flags_at(world, 1.59, 50.77)
    assert off & geo.FR_TERRITORIAL and not off & geo.FR_SHALLOW


def test_waterways_connect_to_the_sea(world: geo.World) -> None:
    flags = world.grid.flags
    waterway = (flags & geo.FR_WATERWAY) != 0
    assert not (waterway & ((flags & geo.LAND_FR) != 0)).any()
    for zone in world.launch_zones:
        if zone.kind != "waterway":
            continue
        j, i = world.grid.cell_index(zone.x_km, zone.y_km)
        window = flags[j - 3 : j + 4, i - 3 : i + 4]
        sea = (window & (geo.LAND_FR | geo.LAND_UK | geo.FR_WATERWAY)) == 0
        assert sea.any(), zone.name


def test_njit_lookup_matches_vectorised_and_clamps(world: geo.World) -> None:
    g = world.grid
    rng = np.random.default_rng(3)
    x = rng.uniform(-60, 90, 500)
    y = rng.uniform(-110, 60, 500)
    fast = np.array(
        [
            geo.grid_flags(g.flags, g.x0_km, g.y0_km, g.cell_km, a, b)
            for a, b in zip(x, y, strict=True)
        ]
    )
    np.testing.assert_array_equal(fast, g.lookup(x, y))


def test_load_world_is_cached(world: geo.World) -> None:
    assert load_world() is world
    with pytest.raises(ValueError):
        world.grid.flags[0, 0] = 1


def test_the_world_is_cached_on_disk_and_read_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channelsim.world import geography

    monkeypatch.setenv("CHANNELSIM_CACHE", str(tmp_path))
    geography.load_world.cache_clear()
    try:
        built = geography.load_world()
        [folder] = tmp_path.iterdir()
        assert folder.name.startswith("world-") and (folder / "packed.npy").is_file()
        geography.load_world.cache_clear()
        read = geography.load_world()
    finally:
        geography.load_world.cache_clear()
    assert isinstance(read.grid.flags, np.memmap)
    for name in ("fr_coast_distance_km", "uk_coast_distance_km"):
        np.testing.assert_array_equal(getattr(read, name), getattr(built, name))
    np.testing.assert_array_equal(read.grid.flags, built.grid.flags)
    np.testing.assert_array_equal(read.packed_cells(), built.packed_cells())
    assert read.launch_zones == built.launch_zones and read.tide == built.tide
    assert (read.dover_x_km, read.dover_y_km) == (built.dover_x_km, built.dover_y_km)


def test_cells_in_is_the_floor_of_the_quotient_bit_for_bit() -> None:
    """The raster's cell index by multiplication gives the floor of the division everywhere:
    on cell edges and a rounding either side of them, across the raster and far beyond, and
    for values that are not finite."""
    rng = np.random.default_rng(11)
    cell_km = 0.1
    edges = np.arange(-2000, 2000) * cell_km
    offsets = np.concatenate(
        [
            edges,
            np.nextafter(edges, np.inf),
            np.nextafter(edges, -np.inf),
            rng.uniform(-200.0, 200.0, 20_000),
            [0.0, -0.0, 1e12 + 0.05, -3e15, np.nan, np.inf, -np.inf],
        ]
    )
    with np.errstate(invalid="ignore"):
        expected = [int(np.floor(o / cell_km)) if np.isfinite(o) else None for o in offsets]
    for offset, want in zip(offsets, expected, strict=True):
        if want is not None:
            assert geo.cells_in(float(offset), cell_km) == want, offset
    for cell in (0.25, 0.3, 1.0 / 3.0):
        for offset in rng.uniform(-50.0, 50.0, 2000):
            assert geo.cells_in(float(offset), cell) == int(np.floor(offset / cell))
