"""Scenario files: what to simulate, when, with which weather, parameters and policies.

A scenario is TOML or YAML::

    name = "status-quo-2025"
    description = "..."
    start = 2025-01-01
    end = 2025-12-31
    seed = 2025
    [weather]
    mode = "stochastic"          # or "file" (path = CSV) or "replay" (path = ODS/CSV or "store")
    [params.sea]
    engine_speed_kn = 5.5        # overrides on top of the defaults
    [[policies]]
    type = "beach_patrols"       # must be registered in channelsim.engine.policy
    start = 2025-06-01
    [policies.params]
    ...

Every problem is reported as one line naming the file and the dotted key. Policy types are
checked against the registry by the engine (``channelsim.engine.load_scenario``), which
sits above this module.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from channelsim.errors import InputError
from channelsim.params import Params, apply_overrides, default_params, raise_input_error

MAX_SEED = 2**63 - 1


class WeatherSpec(BaseModel):
    """Where the daily weather comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["stochastic", "file", "replay"] = "stochastic"
    path: str | None = Field(
        default=None,
        description="Weather CSV for mode 'file'; for 'replay' the official ODS/CSV or 'store'.",
    )

    @model_validator(mode="after")
    def _path_needed(self) -> WeatherSpec:
        if self.mode == "file" and not self.path:
            raise ValueError("mode 'file' needs a path to a weather CSV")
        return self


class PolicySpec(BaseModel):
    """One ``[[policies]]`` entry: a registered type, its window and its own parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(min_length=1)
    start: dt.date | None = None
    end: dt.date | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class Scenario(BaseModel):
    """A resolved scenario: full parameters (defaults + overrides), not just the overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    start: dt.date
    end: dt.date
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    weather: WeatherSpec = WeatherSpec()
    params: Params = Field(default_factory=default_params)
    policies: tuple[PolicySpec, ...] = ()
    source: str | None = Field(
        default=None, exclude=True, description="File the scenario came from."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Scenario:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain JSON-ready data (dates as ISO strings)."""
        return json.loads(self.model_dump_json())

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with top-level fields replaced and validated (e.g. ``seed``, ``start``)."""
        data = {**self.model_dump(), **changes, "source": self.source}
        return Scenario.model_validate(data)


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "file not found") from None
    except OSError as error:
        raise InputError(path, None, f"cannot read ({error.strerror})") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif suffix in {".yaml", ".yml"}:
            data = yaml.safe_load(text)
        else:
            raise InputError(path, None, "expected a .toml, .yaml or .yml scenario file")
    except tomllib.TOMLDecodeError as error:
        raise InputError(path, None, f"invalid TOML ({error})") from None
    except yaml.YAMLError as error:
        raise InputError(path, None, f"invalid YAML ({error})") from None
    if not isinstance(data, dict):
        raise InputError(path, None, "expected a table of scenario keys at the top level")
    return data


def scenario_from_dict(data: dict[str, Any], source: str | Path | None = None) -> Scenario:
    """Validate raw scenario data; ``params`` holds overrides applied to the defaults."""
    raw = dict(data)
    overrides = raw.pop("params", {})
    params = apply_overrides(default_params(), overrides or {}, source, "params")
    weather = raw.get("weather")
    if isinstance(weather, dict) and weather.get("path") and source is not None:
        weather_path = str(weather["path"])
        if weather_path != "store" and not Path(weather_path).is_absolute():
            raw["weather"] = {**weather, "path": str(Path(source).parent / weather_path)}
    try:
        return Scenario.model_validate(
            {**raw, "params": params, "source": str(source) if source else None}
        )
    except ValidationError as error:
        raise_input_error(error, source)
        raise  # unreachable


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a TOML or YAML scenario file."""
    path = Path(path)
    return scenario_from_dict(_read_mapping(path), path)
