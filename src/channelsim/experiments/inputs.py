"""What a run needs read before it starts, read here by the driver: the observed crossing
days of replay weather come from the publication file or the data store, so the engine and
the ensemble's workers never open a store."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from channelsim.engine import SimSpec
    from channelsim.scenario import Scenario


def observed_crossing_days(path: str | None, source: str | None = None) -> pd.Series:
    """Days with at least one arrival in the official series, by date: from a publication
    file, or from the local data store when ``path`` is ``"store"`` (or not given)."""
    import pandas as pd

    from channelsim.data import DataStore, read_publication

    daily = DataStore().daily() if path in (None, "store") else read_publication(path).daily
    people = pd.to_numeric(daily["people"], errors="coerce").fillna(0).to_numpy()
    return pd.Series(people > 0, index=pd.DatetimeIndex(daily["date"]))


def prepare(scenario: Scenario | SimSpec) -> SimSpec:
    """The scenario with the weather reader it needs read here, in the driver: a replay of
    the observed crossing days reads them from the publication file or the data store, so
    the engine and the workers never open a store."""
    from channelsim.engine.spec import SimSpec

    if isinstance(scenario, SimSpec):
        return scenario
    spec = scenario.weather
    if spec.mode != "replay":
        return SimSpec(scenario)
    from channelsim.world.environment import ReaderRequest, make_reader

    weather = scenario.params.weather
    replay_path = spec.path if isinstance(spec.path, str) else None  # one path (WeatherSpec)
    reader = make_reader(
        ReaderRequest(
            spec.mode,
            spec.path,
            weather.max_wind_kn,
            weather.max_wave_height_m,
            observed_crossing=observed_crossing_days(replay_path, scenario.source),
            source=scenario.source,
        )
    )
    return SimSpec(scenario, reader)
