"""The world of the Dover Strait: geography, environment readers, tidal stream and drift.

``load_world()`` builds the region raster on first use (well under a second) and caches it;
nothing heavy happens at import.
"""

from channelsim.world.geography import (
    FR_SHALLOW,
    FR_TERRITORIAL,
    FR_WATERWAY,
    LAND_FR,
    LAND_UK,
    TSS_LANE,
    UK_SIDE,
    UK_TERRITORIAL,
    LaunchZone,
    RegionGrid,
    World,
    grid_flags,
    load_world,
)
from channelsim.world.projection import LocalProjection
from channelsim.world.tide import TidalStream, tide_velocity_m_s

__all__ = [
    "FR_SHALLOW",
    "FR_TERRITORIAL",
    "FR_WATERWAY",
    "LAND_FR",
    "LAND_UK",
    "TSS_LANE",
    "UK_SIDE",
    "UK_TERRITORIAL",
    "LaunchZone",
    "LocalProjection",
    "RegionGrid",
    "TidalStream",
    "World",
    "grid_flags",
    "load_world",
    "tide_velocity_m_s",
]
