"""Geography of the Dover Strait: coastlines, waterways, traffic lanes and a region raster.

Everything is built once from the hand-drawn polygons in ``data/strait.json`` into a
0.1 km raster of bit flags (:class:`RegionGrid`) so that Numba kernels can ask "where is
this boat?" with one array read (:func:`grid_flags`). Distances to each coast come from a
Euclidean distance transform of the land masks, which also gives the median line
(equidistance) and the 12-nmi territorial limits.

Building takes about a second; :func:`load_world` keeps the built world in channelsim's
cache directory (``$CHANNELSIM_CACHE``, else the user cache directory), keyed by a hash of
``strait.json`` and of this module, and maps its rasters from there (nothing is read until
used), so a new process gets the world in milliseconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from channelsim._jit import njit
from channelsim.jit_cache import CACHE_ENV as CACHE_ENV
from channelsim.jit_cache import cache_dir as cache_dir
from channelsim.world.projection import LocalProjection
from channelsim.world.tide import TidalStream

LAND_FR = np.uint8(1)
LAND_UK = np.uint8(2)
FR_TERRITORIAL = np.uint8(4)
UK_TERRITORIAL = np.uint8(8)
FR_SHALLOW = np.uint8(16)
TSS_LANE = np.uint8(32)
UK_SIDE = np.uint8(64)
FR_WATERWAY = np.uint8(128)

NMI_KM = 1.852


#: The spring amplitude of the tidal stream is packed in a cell's upper 16 bits in mm/s.
TIDE_QUANTUM_M_S = 0.001


FLOOR_MARGIN = 1e-6
"""How far from a whole number ``offset × (1 / cell)`` must be for :func:`cells_in` to take
its floor for that of ``offset / cell``: the two differ by at most three roundings, under
4e-16 of their size, so by less than the margin below a billion cells."""


@njit(inline="always")
def cells_in(offset_km: float, cell_km: float) -> int:
    """``floor(offset_km / cell_km)``, bit for bit, mostly by a multiplication: a division
    takes some fourteen cycles, on the path from one step of a boat to the next; the quotient
    is divided out only within :data:`FLOOR_MARGIN` of a whole number (or beyond a billion
    cells, or not finite)."""
    q = offset_km * (1.0 / cell_km)
    whole = np.floor(q)
    if not (FLOOR_MARGIN < q - whole < 1.0 - FLOOR_MARGIN and abs(q) < 1e9):
        whole = np.floor(offset_km / cell_km)
    return int(whole)


@njit(cache=True, nogil=True)
def grid_cell(
    packed: NDArray[np.uint32], x0_km: float, y0_km: float, cell_km: float, x_km: float, y_km: float
) -> int:
    """The packed cell (:meth:`World.packed_cells`) holding (x, y): flags in bits 0–7, the
    distance to the nearest land in cells (at most 255) in bits 8–15, the spring amplitude of
    the tidal stream in mm/s (:data:`TIDE_QUANTUM_M_S`) in bits 16–31."""
    ny, nx = packed.shape
    i = min(max(cells_in(x_km - x0_km, cell_km), 0), nx - 1)
    j = min(max(cells_in(y_km - y0_km, cell_km), 0), ny - 1)
    return int(np.int64(packed[j, i]))  # uint32 -> int64 (an unsigned int mixes badly)


@njit(cache=True, nogil=True)
def grid_flags(
    flags: NDArray[np.uint8], x0_km: float, y0_km: float, cell_km: float, x_km: float, y_km: float
) -> np.uint8:
    """Flags of the cell holding (x, y); points off the raster take the nearest edge cell."""
    ny, nx = flags.shape
    i = int(np.floor((x_km - x0_km) / cell_km))
    j = int(np.floor((y_km - y0_km) / cell_km))
    i = min(max(i, 0), nx - 1)
    j = min(max(j, 0), ny - 1)
    return flags[j, i]


@dataclass(frozen=True)
class RegionGrid:
    """A raster of region bit flags; row index = y, column index = x, cell corners at x0/y0."""

    x0_km: float
    y0_km: float
    cell_km: float
    flags: NDArray[np.uint8]

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.flags.shape[0]), int(self.flags.shape[1]))

    def cell_index(
        self, x_km: ArrayLike, y_km: ArrayLike
    ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """(row, column) of the cells holding the points, clamped to the raster."""
        ny, nx = self.shape
        i = np.floor((np.asarray(x_km, dtype=np.float64) - self.x0_km) / self.cell_km)
        j = np.floor((np.asarray(y_km, dtype=np.float64) - self.y0_km) / self.cell_km)
        return (
            np.clip(j, 0, ny - 1).astype(np.intp),
            np.clip(i, 0, nx - 1).astype(np.intp),
        )

    def lookup(self, x_km: ArrayLike, y_km: ArrayLike) -> NDArray[np.uint8]:
        """Flags at each point (vectorised :func:`grid_flags`)."""
        j, i = self.cell_index(x_km, y_km)
        return self.flags[j, i]

    def cell_centres_km(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """x of the column centres and y of the row centres."""
        ny, nx = self.shape
        x = self.x0_km + (np.arange(nx, dtype=np.float64) + 0.5) * self.cell_km
        y = self.y0_km + (np.arange(ny, dtype=np.float64) + 0.5) * self.cell_km
        return x, y


@dataclass(frozen=True)
class LaunchZone:
    """A stretch of French coast (or a waterway) that boats leave from.

    ``x_km, y_km`` is the launch point in the water; ``crossing_distance_km`` the straight
    line from it to the Dover landing point.
    """

    name: str
    kind: Literal["beach", "waterway"]
    lon: float
    lat: float
    x_km: float
    y_km: float
    crossing_distance_km: float


@dataclass(frozen=True)
class World:
    """The static world of the model: projection, raster, launch zones, Dover and the tide."""

    projection: LocalProjection
    grid: RegionGrid
    fr_coast_distance_km: NDArray[np.float32]
    uk_coast_distance_km: NDArray[np.float32]
    launch_zones: tuple[LaunchZone, ...]
    dover_x_km: float
    dover_y_km: float
    tide: TidalStream
    waterway_names: tuple[str, ...] = field(default=())
    waterway_width_km: float = 0.25
    shallow_band_km: float = 0.3
    land_distance_km: NDArray[np.float32] | None = None  # to the nearest land or waterway
    packed: NDArray[np.uint32] | None = None  # see packed_cells

    def distance_to_french_coast_km(self, x_km: ArrayLike, y_km: ArrayLike) -> NDArray[np.float64]:
        """Distance from each point to the French coast (0 on French land), to one cell."""
        j, i = self.grid.cell_index(x_km, y_km)
        return self.fr_coast_distance_km[j, i].astype(np.float64)

    def distance_to_english_coast_km(self, x_km: ArrayLike, y_km: ArrayLike) -> NDArray[np.float64]:
        """Distance from each point to the English coast (0 on English land), to one cell."""
        j, i = self.grid.cell_index(x_km, y_km)
        return self.uk_coast_distance_km[j, i].astype(np.float64)

    def nearest_land_km(self) -> NDArray[np.float32]:
        """Distance from each cell to the nearest land (either coast, or a waterway)."""
        if self.land_distance_km is not None:
            return self.land_distance_km
        return np.minimum(self.fr_coast_distance_km, self.uk_coast_distance_km)

    def packed_cells(self) -> NDArray[np.uint32]:
        """What the at-sea kernel reads of a cell in one word: the region flags (bits 0–7),
        the distance to the nearest land (either coast or a waterway) in whole cells, at most
        255 (bits 8–15), and the spring amplitude of the tidal stream at the cell's centre in
        mm/s (bits 16–31)."""
        if self.packed is not None:
            return self.packed
        return pack_cells(
            self.grid.flags, self.nearest_land_km(), self.grid.cell_km, self.tide_spring_m_s()
        )

    def tide_spring_m_s(self) -> NDArray[np.float64]:
        """The spring amplitude of the tidal stream at every cell centre, m/s."""
        xc, yc = self.grid.cell_centres_km()
        return self.tide.spring_speed_m_s(self.projection, xc[None, :], yc[:, None])

    def with_tide(self, tide: TidalStream) -> World:
        """This world with another tidal stream (its packed cells rebuilt)."""
        world = dataclasses.replace(self, tide=tide, packed=None)
        packed = world.packed_cells()
        packed.setflags(write=False)
        return dataclasses.replace(world, packed=packed)

    def area_geometry(self, area: str) -> tuple[float, float | None]:
        """``(area_km2, band_width_km)`` of a French interception area: ``"waterways"``,
        ``"shallow"`` (waterways and the shallow band) or ``"territorial"`` (band ``None``)."""
        cell_km2 = self.grid.cell_km**2
        flags = self.grid.flags
        waterway_km2 = float((flags & FR_WATERWAY != 0).sum()) * cell_km2
        if area == "waterways":
            return waterway_km2, self.waterway_width_km
        if area == "shallow":
            shallow_km2 = float((flags & FR_SHALLOW != 0).sum()) * cell_km2
            return waterway_km2 + shallow_km2, self.shallow_band_km
        return float((flags & FR_TERRITORIAL != 0).sum()) * cell_km2, None

    def launch_zone(self, name: str) -> LaunchZone:
        for zone in self.launch_zones:
            if zone.name == name:
                return zone
        raise KeyError(name)


def _polygon_mask(
    xv: NDArray[np.float64],
    yv: NDArray[np.float64],
    xc: NDArray[np.float64],
    yc: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Even-odd fill of a closed polygon on the cell centres (one scan line per row)."""
    x1, y1 = xv, yv
    x2, y2 = np.roll(xv, -1), np.roll(yv, -1)
    mask = np.zeros((yc.size, xc.size), dtype=bool)
    for row, y in enumerate(yc):
        crossing = (y1 <= y) != (y2 <= y)
        if not crossing.any():
            continue
        t = (y - y1[crossing]) / (y2[crossing] - y1[crossing])
        xi = np.sort(x1[crossing] + t * (x2[crossing] - x1[crossing]))
        mask[row] = (np.searchsorted(xi, xc) % 2) == 1
    return mask


@njit(cache=True, nogil=True)
def _polyline_distance(
    xl: NDArray[np.float64],
    yl: NDArray[np.float64],
    xc: NDArray[np.float64],
    yc: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Distance from cell centres to a polyline, that distance signed (+ left of the line's
    direction) and whether the nearest point is inside the line (not beyond either end)."""
    ny, nx = yc.size, xc.size
    best = np.full((ny, nx), np.inf)
    signed = np.zeros((ny, nx))
    interior = np.zeros((ny, nx), dtype=np.bool_)
    last = xl.size - 2
    for j in range(ny):
        for i in range(nx):
            for k in range(xl.size - 1):
                dx, dy = xl[k + 1] - xl[k], yl[k + 1] - yl[k]
                rx, ry = xc[i] - xl[k], yc[j] - yl[k]
                t_raw = (rx * dx + ry * dy) / (dx * dx + dy * dy)
                t = min(max(t_raw, 0.0), 1.0)
                d = np.hypot(rx - t * dx, ry - t * dy)
                if d < best[j, i]:
                    best[j, i] = d
                    signed[j, i] = d if dx * ry - dy * rx >= 0.0 else -d
                    interior[j, i] = (t_raw > 0.0 or k > 0) and (t_raw < 1.0 or k < last)
    return best, signed, interior


def _xy(
    proj: LocalProjection, pts: list[list[float]]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    arr = np.asarray(pts, dtype=np.float64)
    return proj.to_xy_km(arr[:, 0], arr[:, 1])


def _launch_point(
    spec: dict[str, Any],
    proj: LocalProjection,
    grid: RegionGrid,
    waterways: dict[str, list[list[float]]],
    offshore_km: float,
) -> tuple[float, float]:
    """The launch point of a zone: a waterway's seaward end, or off the beach into the sea."""
    if spec["kind"] == "waterway":
        lon, lat = waterways[spec["waterway"]][0]
        x, y = proj.to_xy_km(lon, lat)
        return float(x), float(y)
    x0, y0 = proj.to_xy_km(spec["lon"], spec["lat"])
    bearing = np.radians(spec["seaward_bearing_deg"])
    steps = np.arange(0.0, 5.0, grid.cell_km / 4)
    xs = float(x0) + steps * np.sin(bearing)
    ys = float(y0) + steps * np.cos(bearing)
    land = (grid.lookup(xs, ys) & (LAND_FR | FR_WATERWAY)) != 0
    first_sea = int(np.argmax(~land))
    s = steps[first_sea] + offshore_km
    return float(x0) + s * float(np.sin(bearing)), float(y0) + s * float(np.cos(bearing))


def build_world(spec: dict[str, Any]) -> World:
    """Rasterise the geography described by ``spec`` (the content of ``strait.json``)."""
    from scipy.ndimage import distance_transform_edt

    proj = LocalProjection(*spec["projection_centre"])
    g = spec["grid"]
    cell = float(g["cell_km"])
    nx = round((g["x_max_km"] - g["x_min_km"]) / cell)
    ny = round((g["y_max_km"] - g["y_min_km"]) / cell)
    grid0 = RegionGrid(g["x_min_km"], g["y_min_km"], cell, np.zeros((ny, nx), dtype=np.uint8))
    xc, yc = grid0.cell_centres_km()

    france = _polygon_mask(*_xy(proj, spec["france_coast"] + spec["france_inland_closure"]), xc, yc)
    england = _polygon_mask(*_xy(proj, spec["england_coast"]), xc, yc)

    waterway = np.zeros_like(france)
    lines = {w["name"]: w["line"] for w in spec["waterways"]}
    for w in spec["waterways"]:
        lx, ly = _xy(proj, w["line"])
        pad = w["width_km"]
        cols = (xc >= lx.min() - pad) & (xc <= lx.max() + pad)
        rows = (yc >= ly.min() - pad) & (yc <= ly.max() + pad)
        d, _, _ = _polyline_distance(lx, ly, xc[cols], yc[rows])
        waterway[np.ix_(rows, cols)] |= d <= w["width_km"] / 2
    waterway &= ~england

    # Distance (cell centre to nearest land cell centre, minus half a cell) approximates the
    # distance to the coast line to within one cell.
    fr_edt = distance_transform_edt(~(france | waterway), sampling=cell)
    fr_dist = np.maximum(fr_edt - cell / 2, 0.0)
    uk_dist = np.maximum(distance_transform_edt(~england, sampling=cell) - cell / 2, 0.0)
    land_fr = france & ~waterway
    sea = ~(france | england | waterway)
    uk_side = uk_dist < fr_dist
    limit_km = spec["territorial_limit_nmi"] * NMI_KM

    _, signed, interior = _polyline_distance(*_xy(proj, spec["tss"]["centreline"]), xc, yc)
    sep = spec["tss"]["separation_half_width_km"]
    lane_km = spec["tss"]["lane_width_km"]
    lane = interior & (np.abs(signed) > sep) & (np.abs(signed) <= sep + lane_km)

    layers = (
        (land_fr, LAND_FR),
        (england, LAND_UK),
        ((sea & ~uk_side & (fr_dist <= limit_km)) | waterway, FR_TERRITORIAL),
        (sea & uk_side & (uk_dist <= limit_km), UK_TERRITORIAL),
        (sea & (fr_dist <= spec["shallow_band_km"]), FR_SHALLOW),
        (sea & lane, TSS_LANE),
        (uk_side, UK_SIDE),
        (waterway, FR_WATERWAY),
    )
    flags = np.zeros((ny, nx), dtype=np.uint8)
    for mask, bit in layers:
        flags[mask] |= bit
    grid = RegionGrid(grid0.x0_km, grid0.y0_km, cell, flags)
    grid.flags.setflags(write=False)

    dover_x, dover_y = proj.to_xy_km(spec["dover"]["lon"], spec["dover"]["lat"])
    zones = []
    for z in spec["launch_zones"]:
        x, y = _launch_point(z, proj, grid, lines, spec["launch_offshore_km"])
        lon, lat = proj.to_lonlat(x, y)
        zones.append(
            LaunchZone(
                name=z["name"],
                kind=z["kind"],
                lon=float(lon),
                lat=float(lat),
                x_km=x,
                y_km=y,
                crossing_distance_km=float(np.hypot(x - dover_x, y - dover_y)),
            )
        )
    fr32 = fr_dist.astype(np.float32)
    uk32 = uk_dist.astype(np.float32)
    land32 = np.minimum(fr32, uk32)
    for array in (fr32, uk32, land32):
        array.setflags(write=False)
    world = World(
        projection=proj,
        grid=grid,
        fr_coast_distance_km=fr32,
        uk_coast_distance_km=uk32,
        launch_zones=tuple(zones),
        dover_x_km=float(dover_x),
        dover_y_km=float(dover_y),
        tide=TidalStream(),
        waterway_names=tuple(lines),
        waterway_width_km=sum(w["width_km"] for w in spec["waterways"]) / len(spec["waterways"]),
        shallow_band_km=float(spec["shallow_band_km"]),
        land_distance_km=land32,
    )
    return world.with_tide(world.tide)


def pack_cells(
    flags: NDArray[np.uint8],
    land_km: NDArray[np.float32],
    cell_km: float,
    tide_spring_m_s: NDArray[np.float64],
) -> NDArray[np.uint32]:
    """Flags in bits 0–7, whole cells to the nearest land (at most 255) in bits 8–15, the
    tide's spring amplitude in mm/s (at most 65.535 m/s) in bits 16–31."""
    cells = np.minimum(np.floor(land_km / cell_km), 255).astype(np.uint32)
    tide = np.clip(np.rint(tide_spring_m_s / TIDE_QUANTUM_M_S), 0, 0xFFFF).astype(np.uint32)
    return flags.astype(np.uint32) | (cells << np.uint32(8)) | (tide << np.uint32(16))


def strait_spec() -> dict[str, Any]:
    """The packaged geography description (``data/strait.json``)."""
    text = resources.files("channelsim.world").joinpath("data/strait.json").read_text("utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


_ARRAYS = ("flags", "fr_coast_distance_km", "uk_coast_distance_km", "land_distance_km", "packed")


def _world_key(spec_text: str) -> str:
    """The cache key: the geography, this module and the tide's (its field is packed in)."""
    from channelsim.world import tide

    digest = hashlib.sha256(spec_text.encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(tide.__file__).read_bytes())
    return digest.hexdigest()[:20]


def _save_world(world: World, folder: Path) -> None:
    """Write ``world`` to ``folder`` atomically (a temporary folder renamed into place; a
    folder another process wrote first is kept)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        arrays = {
            "flags": world.grid.flags,
            "fr_coast_distance_km": world.fr_coast_distance_km,
            "uk_coast_distance_km": world.uk_coast_distance_km,
            "land_distance_km": world.nearest_land_km(),
            "packed": world.packed_cells(),
        }
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
        meta = {
            "projection": dataclasses.asdict(world.projection),
            "grid": [world.grid.x0_km, world.grid.y0_km, world.grid.cell_km],
            "launch_zones": [dataclasses.asdict(z) for z in world.launch_zones],
            "dover": [world.dover_x_km, world.dover_y_km],
            "tide": world.tide.to_dict(),
            "waterway_names": list(world.waterway_names),
            "waterway_width_km": world.waterway_width_km,
            "shallow_band_km": world.shallow_band_km,
        }
        (tmp / "world.json").write_text(json.dumps(meta))
        with contextlib.suppress(OSError):  # another process cached it first
            tmp.rename(folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _read_world(folder: Path) -> World:
    meta = json.loads((folder / "world.json").read_text())
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    x0, y0, cell = meta["grid"]
    return World(
        projection=LocalProjection(**meta["projection"]),
        grid=RegionGrid(x0, y0, cell, arrays["flags"]),
        fr_coast_distance_km=arrays["fr_coast_distance_km"],
        uk_coast_distance_km=arrays["uk_coast_distance_km"],
        launch_zones=tuple(LaunchZone(**z) for z in meta["launch_zones"]),
        dover_x_km=meta["dover"][0],
        dover_y_km=meta["dover"][1],
        tide=TidalStream.from_dict(meta["tide"]),
        waterway_names=tuple(meta["waterway_names"]),
        waterway_width_km=meta["waterway_width_km"],
        shallow_band_km=meta["shallow_band_km"],
        land_distance_km=arrays["land_distance_km"],
        packed=arrays["packed"],
    )


@cache
def load_world() -> World:
    """The packaged world: from the cache directory if it was built before with this
    ``strait.json`` and this code, else built (about a second) and cached there. A cache
    that cannot be read or written is passed over: the world is then built in memory."""
    text = resources.files("channelsim.world").joinpath("data/strait.json").read_text("utf-8")
    folder = cache_dir() / f"world-{_world_key(text)}"
    try:
        return _read_world(folder)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    world = build_world(json.loads(text))
    with contextlib.suppress(OSError):
        _save_world(world, folder)
    return world
