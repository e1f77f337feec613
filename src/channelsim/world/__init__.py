"""The world of the Dover Strait: geography, environment readers, tidal stream and drift.

``load_world()`` builds the region raster on first use (well under a second) and caches it;
nothing heavy happens at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channelsim._lazy import lazy_names

# Names are imported from their modules on first use (PEP 562): drift, geography and tide
# compile with Numba, and what reads a scenario's [weather] entry needs none of them.
_MODULES = {
    "DINGHY_LEEWAY": "drift",
    "LeewayClass": "drift",
    "closed_form_drift": "drift",
    "leeway_velocity_m_s": "drift",
    "simulate_drift": "drift",
    "DailyWeather": "environment",
    "EnvironmentReader": "environment",
    "ReplayWeather": "environment",
    "StochasticWeather": "environment",
    "WeatherConfig": "environment",
    "WeatherFile": "environment",
    "crossing_window": "environment",
    "FR_SHALLOW": "geography",
    "FR_TERRITORIAL": "geography",
    "FR_WATERWAY": "geography",
    "LAND_FR": "geography",
    "LAND_UK": "geography",
    "TSS_LANE": "geography",
    "UK_SIDE": "geography",
    "UK_TERRITORIAL": "geography",
    "LaunchZone": "geography",
    "RegionGrid": "geography",
    "World": "geography",
    "grid_flags": "geography",
    "load_world": "geography",
    "LocalProjection": "projection",
    "TidalStream": "tide",
    "tide_velocity_m_s": "tide",
}


__getattr__ = lazy_names(__name__, _MODULES)


if TYPE_CHECKING:
    from channelsim.world.drift import (
        DINGHY_LEEWAY,
        LeewayClass,
        closed_form_drift,
        leeway_velocity_m_s,
        simulate_drift,
    )
    from channelsim.world.environment import (
        DailyWeather,
        EnvironmentReader,
        ReplayWeather,
        StochasticWeather,
        WeatherConfig,
        WeatherFile,
        crossing_window,
    )
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
    "DINGHY_LEEWAY",
    "FR_SHALLOW",
    "FR_TERRITORIAL",
    "FR_WATERWAY",
    "LAND_FR",
    "LAND_UK",
    "TSS_LANE",
    "UK_SIDE",
    "UK_TERRITORIAL",
    "DailyWeather",
    "EnvironmentReader",
    "LaunchZone",
    "LeewayClass",
    "LocalProjection",
    "RegionGrid",
    "ReplayWeather",
    "StochasticWeather",
    "TidalStream",
    "WeatherConfig",
    "WeatherFile",
    "World",
    "closed_form_drift",
    "crossing_window",
    "grid_flags",
    "leeway_velocity_m_s",
    "load_world",
    "simulate_drift",
    "tide_velocity_m_s",
]
