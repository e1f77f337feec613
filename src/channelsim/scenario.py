"""Scenario files: what to simulate, when, with which weather, parameters and policies.

A scenario is TOML or YAML::

    name = "status-quo-2025"
    description = "..."
    start = 2025-01-01
    end = 2025-12-31
    seed = 2025
    parameter_set = "calibrated" # or "code" (channelsim.params.PARAMETER_SETS)
    [weather]
    mode = "stochastic"          # or "file" (path = CSV) or "replay" (path = ODS/CSV or "store")
                                 # or "era5" (path = NetCDF file(s)) or "open-meteo" (CSV/JSON)
    [params.sea]
    engine_speed_kn = 5.5        # overrides on top of the parameter set
    [[policies]]
    type = "beach_patrols"       # must be registered in channelsim.engine.policy
    start = 2025-06-01
    [policies.params]
    ...

Every problem is reported as one line naming the file and the dotted key (or the command-line
option: see :func:`with_run_options`). A key given twice in one file is an error, in YAML as in
TOML. Policy types are checked against the registry by the engine
(``channelsim.engine.load_scenario``), which sits above this module.

The period is bounded (:data:`FIRST_DATE` to :data:`LAST_DATE`) and so is the mean inflow it
implies (:data:`MAX_INFLOW_PEOPLE_PER_DAY`): a trend compounded over centuries would otherwise
ask the engine for astronomically many people.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from channelsim.errors import InputError
from channelsim.params import (
    DEFAULT_SET,
    PARAMETER_SETS,
    Params,
    apply_overrides,
    default_params,
    expected_text,
    key_text,
    merge_tables,
    parameter_set,
    raise_input_error,
    unknown_key,
)
from channelsim.textfile import kind_of, printable, read_text_file, too_many_digits
from channelsim.yamltext import load_yaml, yaml_problem

#: What a scenario's name may be: it names the run's folders, files and store records.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
NAME_TEXT = (
    "a name of ASCII letters, digits, '_', '-' or '.' (up to 100, starting with an ASCII "
    "letter or digit)"
)

POLICY_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.#-]{0,63}$")
POLICY_NAME_TEXT = (
    "a name of ASCII letters, digits, '_', '-', '.' or '#' (up to 64, starting with an ASCII "
    "letter or digit)"
)

#: File names a scenario file may have (TOML or YAML).
SCENARIO_SUFFIXES = (".toml", ".yaml", ".yml")

MAX_SEED = 2**63 - 1
FIRST_DATE = dt.date(2018, 1, 1)
"""The first day a scenario may simulate: the start of the Home Office series (and the
engine's clock, ``channelsim.engine.EPOCH``)."""
LAST_DATE = dt.date(2100, 12, 31)
"""The last day a scenario may simulate: the latest ``coast.inflow_reference_year``."""
MAX_INFLOW_PEOPLE_PER_DAY = 100_000.0
"""A bound on the mean daily inflow a scenario's trend may reach, 25 times the largest the
parameter ranges allow without a trend (2000 people/day at the peak of a 0.95 season): beyond
it the scenario describes no plausible Channel and the simulation would take forever."""
PERIOD_TEXT = f"a date from {FIRST_DATE} to {LAST_DATE}"


def _without_a_time(value: Any) -> Any:
    """A date and time is refused as a day, with or without an offset (a TOML
    ``2025-06-01T00:00:00+14:00`` was taken as 1 June, though its UTC day is 31 May)."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date YYYY-MM-DD (without a time), got {value.isoformat()}")
    return value


Day = Annotated[dt.date, BeforeValidator(_without_a_time)]
"""A scenario's or a policy's day: a date, never a date and time."""


def _in_the_period(value: dt.date | None) -> dt.date | None:
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"expected {PERIOD_TEXT}, got {value}")
    return value


def _not_before_start(end: Any, info: ValidationInfo) -> Any:
    start = info.data.get("start")
    if end is not None and start is not None and end < start:
        raise ValueError(f"expected a date on or after the start {start}, got {end}")
    return end


class WeatherSpec(BaseModel):
    """Where the daily weather comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: str = Field(
        default="stochastic",
        description="A registered environment reader (channelsim.world.environment): "
        "'stochastic', 'file', 'replay'...",
    )
    path: str | tuple[str, ...] | None = Field(
        default=None,
        description="Weather CSV for mode 'file'; for 'replay' the official ODS/CSV or 'store'; "
        "for 'era5' NetCDF files, for 'open-meteo' CSV/JSON files (one path or a list).",
    )

    @field_validator("mode")
    @classmethod
    def _registered(cls, mode: str) -> str:
        from channelsim.world.environment import reader_modes

        modes = reader_modes()
        if mode not in modes:
            raise PydanticCustomError(
                "weather_mode", f"expected one of {', '.join(modes)}, got {mode!r}"
            )
        return mode

    @model_validator(mode="after")
    def _path_needed(self) -> WeatherSpec:
        if self.mode == "file" and not self.path:
            raise ValueError("mode 'file' needs a path to a weather CSV")
        if self.mode in MULTI_FILE_MODES and not self.path:
            raise ValueError(f"mode {self.mode!r} needs a path (a file or a list of files)")
        if isinstance(self.path, tuple) and self.mode not in MULTI_FILE_MODES:
            raise ValueError(f"mode {self.mode!r} takes one path, not a list")
        return self


#: Weather modes whose ``path`` may list several files (read as one).
MULTI_FILE_MODES = ("era5", "open-meteo")


class PolicySpec(BaseModel):
    """One ``[[policies]]`` entry: a registered type, its window and its own parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(min_length=1)
    name: str | None = Field(
        default=None,
        description="Names the policy's random streams (default: '<type>#<k>', the k-th "
        "policy of its type).",
    )
    replaces: str | None = Field(
        default=None,
        description="The name of the policy this one takes the place of (in a file with a "
        "base, one it drops: drop_policies): it draws from that policy's random streams, so "
        "a comparison with the scenario that has it is on common random numbers.",
    )
    start: Day | None = None
    end: Day | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    source: str | None = Field(
        default=None,
        description="Where the policy's dates and values come from (URLs, facts.md rows), or "
        "'assumption: ...' / 'calibrated: ...'.",
    )

    @field_validator("start", "end")
    @classmethod
    def _in_period(cls, value: dt.date | None) -> dt.date | None:
        return _in_the_period(value)

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_before_start(end, info)

    @field_validator("name", "replaces")
    @classmethod
    def _policy_name(cls, name: str | None) -> str | None:
        """Said in words (it was the library's regular expression, s11 re-trial R4)."""
        if name is not None and not POLICY_NAME_PATTERN.match(name):
            shown = name if len(name) <= 60 else f"{name[:57]}..."
            raise ValueError(f"expected {POLICY_NAME_TEXT}, got {shown!r}")
        return name

    @field_validator("source")
    @classmethod
    def _printable_source(cls, text: str | None) -> str | None:
        """No control, direction or invisible format character (U+202E showed the text
        after it reversed; the description refused them, the source did not)."""
        return None if text is None else printable(text)

    @model_serializer(mode="wrap")
    def _without_unset_replaces(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Without ``replaces`` when it is not given: the scenario's data (and so the hash
        that identifies a run to resume) stays as it was before the key existed."""
        data: dict[str, Any] = handler(self)
        if data.get("replaces", "") is None:
            del data["replaces"]
        return data


class Scenario(BaseModel):
    """A resolved scenario: full parameters (defaults + overrides), not just the overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    start: Day
    end: Day
    simulated_from: Day | None = Field(
        default=None,
        description="The day the simulation starts when before start: the days from it to "
        "the day before start are simulated and not reported, so the period's first days "
        "start from the state the run reaches then, not from the initial state "
        "(coast.initial_waiting_people, networks.initial_boat_stock). run --from and "
        "compare --from set it to the scenario's own start.",
    )
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    weather: WeatherSpec = WeatherSpec()
    parameter_set: str = Field(
        default=DEFAULT_SET,
        description="The named parameter set the overrides apply to (channelsim.params).",
    )
    params: Params = Field(default_factory=default_params)
    policies: tuple[PolicySpec, ...] = ()
    source: str | None = Field(
        default=None, exclude=True, description="File the scenario came from."
    )
    policy_origins: tuple[tuple[str, int], ...] = Field(
        default=(),
        exclude=True,
        description="For each policy, the file that declares it and its place there (a "
        "base's policies come first in the scenario, numbered in their own file).",
    )
    dropped_policies: tuple[tuple[str, str], ...] = Field(
        default=(),
        exclude=True,
        description="The name and type of each policy of the base that the scenario's own "
        "file drops (drop_policies): what a policy of that file may replace.",
    )

    def policy_location(self, index: int) -> tuple[str | None, str]:
        """The file where the ``index``-th policy is written, and the policy as a reader of
        that file counts it (``policy 2 (beach_patrols)``)."""
        kind = self.policies[index].type if 0 <= index < len(self.policies) else None
        return policy_location(self.policy_origins, self.source, index, kind)

    @field_validator("name", "description")
    @classmethod
    def _printable(cls, text: str) -> str:
        """No control characters or direction controls (textfile.printable)."""
        return printable(text)

    @field_validator("name")
    @classmethod
    def _file_safe(cls, name: str) -> str:
        if not NAME_PATTERN.match(name):
            shown = name if len(name) <= 60 else f"{name[:57]}..."
            raise ValueError(f"expected {NAME_TEXT}, got {shown!r}")
        return name

    @field_validator("start", "end")
    @classmethod
    def _in_period(cls, value: dt.date) -> dt.date:
        _in_the_period(value)
        return value

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        return _not_before_start(end, info)

    @field_validator("simulated_from")
    @classmethod
    def _before_start(cls, first: dt.date | None, info: ValidationInfo) -> dt.date | None:
        _in_the_period(first)
        start = info.data.get("start")
        if first is not None and start is not None and first > start:
            raise ValueError(f"expected a date on or before the start {start}, got {first}")
        return first

    @property
    def first_simulated_day(self) -> dt.date:
        """The first day the engine simulates: :attr:`simulated_from` if given, else
        :attr:`start` (the first day reported)."""
        return self.simulated_from or self.start

    @model_validator(mode="after")
    def _bounded_inflow(self) -> Scenario:
        peak, day = peak_inflow_people_per_day(self.params, self.first_simulated_day, self.end)
        if peak > MAX_INFLOW_PEOPLE_PER_DAY:
            # raised as is (pydantic wraps only ValueError), to name the key it is about
            raise InputError(
                self.source,
                "params.coast.inflow_trend_per_year",
                f"expected a mean inflow of at most {MAX_INFLOW_PEOPLE_PER_DAY:,.0f} people a "
                f"day, got {peak:.3g} by {day}: shorten the period or lower the trend",
            )
        return self

    @model_serializer(mode="wrap")
    def _without_unset_simulated_from(
        self, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        """Without ``simulated_from`` when it is not given: the scenario's data (and so the
        hash that identifies a run to resume) stays as it was before the key existed."""
        data: dict[str, Any] = handler(self)
        if data.get("simulated_from", "") is None:
            del data["simulated_from"]
        return data

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain JSON-ready data (dates as ISO strings)."""
        return json.loads(self.model_dump_json())

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with top-level fields replaced and validated (e.g. ``seed``, ``start``).

        Raises :class:`InputError` naming the scenario's file and the key at fault.
        """
        data = {
            **self.model_dump(),
            **changes,
            "source": self.source,
            "policy_origins": self.policy_origins,
            "dropped_policies": self.dropped_policies,
        }
        try:
            return Scenario.model_validate(data)
        except ValidationError as error:
            raise_scenario_error(error, self.source, self.policy_origins, _kinds(data["policies"]))
            raise  # unreachable


def policy_label(k: int, kind: object = None) -> str:
    """The ``k``-th ``[[policies]]`` entry of a file (from 0) as its reader counts it, from 1,
    with its type: ``policy 2 (beach_patrols)``. Keys inside it follow after a comma."""
    return f"policy {k + 1}" + (f" ({kind})" if isinstance(kind, str) and kind else "")


def policy_location(
    origins: Sequence[tuple[str, int]], source: str | Path | None, index: int, kind: object = None
) -> tuple[str | None, str]:
    """Where the ``index``-th policy of a scenario (of type ``kind``) is written: the file and
    the policy's place in it (:func:`policy_label`), counted in that file (``origins``, from
    :func:`resolve_base`), else in ``source``."""
    if 0 <= index < len(origins):
        file, k = origins[index]
        return file, policy_label(k, kind)
    return (str(source) if source else None), policy_label(index, kind)


#: The keys a scenario file may hold besides the scenario's own fields (read by resolve_base).
FILE_KEYS = ("base", "drop_policies")


def raise_scenario_error(
    error: ValidationError,
    source: str | Path | None,
    origins: Sequence[tuple[str, int]],
    kinds: Sequence[object] = (),
) -> None:
    """A scenario's first validation error as an InputError; one about a policy names the
    file that declares it, its place there and its type (``kinds``, one per policy)."""
    first = error.errors()[0]
    loc = first["loc"]
    if len(loc) >= 2 and loc[0] == "policies" and isinstance(loc[1], int):
        kind = kinds[loc[1]] if loc[1] < len(kinds) else None
        file, key = policy_location(origins, source, loc[1], kind)
        said = expected_text(first, Scenario)
        inner = key_text(loc[2:])
        raise InputError(file, f"{key}, {inner}" if inner else key, said)
    if first["type"] == "extra_forbidden" and len(loc) == 1:  # a file may also give these
        valid = [name for name, field in Scenario.model_fields.items() if not field.exclude]
        raise InputError(source, str(loc[0]), unknown_key(str(loc[0]), [*valid, *FILE_KEYS]))
    raise_input_error(error, source, model=Scenario)


def _kinds(policies: object) -> list[object]:
    """The ``type`` of each policy entry of raw scenario data (None where it has none)."""
    if not isinstance(policies, list | tuple):
        return []
    return [p.get("type") if isinstance(p, dict) else getattr(p, "type", None) for p in policies]


DRIVER_PREFIX = "drivers."


def split_overrides(
    dotted: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, dict[int, float]]]:
    """Dotted overrides as ``(parameters, drivers)``: ``"sea.engine_speed_kn"`` is a
    parameter; ``"drivers.<policy name>.<i>"`` the i-th dated value of the scenario's policy
    of that name (a calibrated driver, ``channelsim.policies.drivers``)."""
    params: dict[str, Any] = {}
    drivers: dict[str, dict[int, float]] = {}
    for key, value in dotted.items():
        text = str(key)
        if text.startswith(DRIVER_PREFIX):
            name, _, index = text[len(DRIVER_PREFIX) :].rpartition(".")
            if not name or not index.isdigit():
                raise InputError(None, text, "expected drivers.<policy name>.<index>")
            drivers.setdefault(name, {})[int(index)] = float(value)
        else:
            params[text] = value
    return params, drivers


def with_driver_values(
    scenario: Scenario, drivers: Mapping[str, Mapping[int, float]], source: str = "overrides"
) -> Scenario:
    """``scenario`` with some dated values of its named policies replaced."""
    if not drivers:
        return scenario
    specs = list(scenario.policies)
    names = [spec.name for spec in specs]
    for name, values in drivers.items():
        if name not in names:
            raise InputError(source, f"drivers.{name}", f"no policy named {name!r} in the scenario")
        i = names.index(name)
        current = list(specs[i].params.get("values", ()))
        for index, value in values.items():
            if not 0 <= index < len(current):
                raise InputError(
                    source, f"drivers.{name}.{index}", f"expected an index below {len(current)}"
                )
            current[index] = value
        specs[i] = specs[i].model_copy(update={"params": {**specs[i].params, "values": current}})
    return scenario.with_changes(policies=tuple(specs))


#: The parameters of a dated policy that hold one entry per date (``channelsim.policies.drivers``).
DATED_KEYS = ("dates", "values", "prior_low", "prior_high")


def _as_day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _known_policy(spec: PolicySpec, day: dt.date) -> PolicySpec | None:
    """``spec`` as known on ``day``: ``None`` if it starts later or has no date up to ``day``;
    a dated policy keeps its dates up to ``day`` (held flat after, as every driver is)."""
    if spec.start is not None and spec.start > day:
        return None
    dates = spec.params.get("dates")
    if not dates:
        return spec
    keep = [i for i, d in enumerate(dates) if _as_day(d) <= day]
    if not keep:
        return None
    params = {
        key: ([value[i] for i in keep] if key in DATED_KEYS and value is not None else value)
        for key, value in spec.params.items()
    }
    return spec.model_copy(update={"params": params})


def known_on(scenario: Scenario, day: dt.date) -> Scenario:
    """``scenario`` as it was known on ``day``: policies that start later are dropped and
    every dated value after ``day`` is removed, so each driver holds its last known level.

    This is how a blind test and a forecast continue history (``scenarios/history.toml``)
    without values learnt from data after ``day`` (e.g. the 2026 coastal inflow, fitted to
    January–May 2026). A policy's announced ``end`` is kept as written.
    """
    kept = (_known_policy(spec, day) for spec in scenario.policies)
    return scenario.with_changes(policies=tuple(spec for spec in kept if spec is not None))


def peak_inflow_people_per_day(
    params: Params, start: dt.date, end: dt.date
) -> tuple[float, dt.date]:
    """An upper bound on the mean daily inflow over ``start``–``end`` and the day it applies.

    The engine's inflow (``channelsim.engine``) is ``inflow_people_per_day`` times the season
    (at most ``1 + inflow_seasonal_amplitude``) times ``(1 + trend)`` to the power of the years
    since 1 Jan of ``inflow_reference_year``; the bound takes the season at its peak and the
    trend at whichever end of the period it is largest.
    """
    coast = params.coast
    day = end if coast.inflow_trend_per_year >= 0 else start
    years = (day - dt.date(coast.inflow_reference_year, 1, 1)).days / 365.25
    try:
        growth = (1.0 + coast.inflow_trend_per_year) ** years
    except OverflowError:
        growth = math.inf
    return coast.inflow_people_per_day * (1.0 + coast.inflow_seasonal_amplitude) * growth, day


def check_seed(seed: int, option: str = "--seed") -> int:
    """``seed`` itself if it is a valid seed (0 to 2^63−1, what the results store records)."""
    if not 0 <= seed <= MAX_SEED:
        raise InputError(
            None, option, f"expected a whole number from 0 to {MAX_SEED} (2^63−1), got {seed}"
        )
    return seed


def with_run_options(
    scenario: Scenario,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    seed: int | None = None,
    scenario_text: str = "the scenario",
) -> Scenario:
    """``scenario`` with the command line's ``--from``, ``--to`` and ``--seed`` applied.

    Each bad value is an :class:`InputError` naming its option: a seed outside 0..2^63−1, a
    date outside :data:`FIRST_DATE`–:data:`LAST_DATE`, ``--from`` after ``--to`` or after the
    scenario's end, ``--to`` before the scenario's start; and a period longer than the
    scenario's (``--from`` before its start, ``--to`` after its end): the options shorten it.
    ``scenario_text`` names the scenario in those lines (``compare`` names each file).

    ``--from`` after the scenario's start sets :attr:`Scenario.simulated_from` to the
    scenario's own first simulated day: the run simulates from there and reports from
    ``--from``, so its days are those of the whole period's run with the same seed, bit for
    bit (every draw is keyed by absolute day). It used to start on ``--from`` from the
    initial state (s14 user trial F4: ``run history-continued --from 2026-01-01`` started
    2026 with 20 people waiting and 5 boats, January 68% low, the year 9% low).
    """
    if seed is not None:
        check_seed(seed)
    for option, value in (("--from", start), ("--to", end)):
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            raise InputError(None, option, f"expected {PERIOD_TEXT}, got {value}")
    shorten = (
        f"--from and --to shorten {scenario_text}'s period; change its start and end to lengthen it"
    )
    if start is not None and start < scenario.start:
        raise InputError(
            None,
            "--from",
            f"expected a date on or after {scenario_text}'s start {scenario.start}, "
            f"got {start} ({shorten})",
        )
    if end is not None and end > scenario.end:
        raise InputError(
            None,
            "--to",
            f"expected a date on or before {scenario_text}'s end {scenario.end}, "
            f"got {end} ({shorten})",
        )
    first, last = start or scenario.start, end or scenario.end
    if last < first:
        if start is not None and end is not None:
            expected = f"expected a date on or before --to {end}"
        elif start is not None:
            expected = f"expected a date on or before {scenario_text}'s end {scenario.end}"
        else:
            expected = f"expected a date on or after {scenario_text}'s start {first}"
            raise InputError(None, "--to", f"{expected}, got {end}")
        raise InputError(None, "--from", f"{expected}, got {start}")
    changes: dict[str, Any] = {"start": first, "end": last}
    if first > scenario.start:  # the days before --from run but are not reported
        changes["simulated_from"] = scenario.first_simulated_day
    if seed is not None:
        changes["seed"] = seed
    return scenario.with_changes(**changes)


def _yaml_error(error: yaml.YAMLError, text: str) -> str:
    """A YAML error as ``line L ('the line'), column C: what`` on one line."""
    line, column, problem = yaml_problem(error, text)
    if line is None:
        return f"invalid YAML: {problem}"
    return f"invalid YAML at {_line_text(text, line)}, column {column}: {problem}"


def _toml_error(error: tomllib.TOMLDecodeError, text: str) -> str:
    """A TOML error as one line; a repeated key or table shows the offending line."""
    message = str(error)
    match = re.search(r"\(at line (\d+), column \d+\)", message)
    if match is None:
        return f"invalid TOML: {message}"
    what = message[: match.start()].strip()
    if what.startswith(("Cannot overwrite a value", "Cannot declare")):
        what = f"{what}: a key or table is given twice"
    return f"invalid TOML at {_line_text(text, int(match[1]))}: {what}"


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f"line {line} ({shown[:60]!r})" if shown else f"line {line}"


def _read_mapping(path: Path) -> dict[str, Any]:
    text = read_text_file(path, "scenario file", SCENARIO_SUFFIXES)
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = load_yaml(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(path, None, _toml_error(error, text)) from None
    except yaml.YAMLError as error:
        raise InputError(path, None, _yaml_error(error, text)) from None
    except ValueError as error:  # a whole number of more digits than Python reads
        line, problem = too_many_digits(error, text)
        raise InputError(path, None if line is None else _line_text(text, line), problem) from None
    if not isinstance(data, dict):
        raise InputError(path, None, "expected a table of scenario keys at the top level")
    for hidden in (POLICY_ORIGINS, DROPPED_POLICIES):
        if hidden in data:
            raise InputError(path, hidden, "unknown key")
    return data


def scenario_from_dict(data: dict[str, Any], source: str | Path | None = None) -> Scenario:
    """Validate raw scenario data; ``params`` holds overrides applied to the defaults."""
    raw = dict(data)
    origins = raw.pop(POLICY_ORIGINS, None)
    dropped = raw.pop(DROPPED_POLICIES, ())
    if origins is None:
        policies = raw.get("policies")
        count = len(policies) if isinstance(policies, list) else 0
        origins = [(str(source), i) for i in range(count)] if source is not None else []
    overrides = raw.pop("params", {})
    set_name = raw.get("parameter_set", DEFAULT_SET)
    if not isinstance(set_name, str) or set_name not in PARAMETER_SETS:
        raise InputError(
            source,
            "parameter_set",
            f"expected one of {', '.join(PARAMETER_SETS)}, got {set_name!r}",
        )
    params = apply_overrides(parameter_set(set_name), overrides or {}, source, "params")
    weather = raw.get("weather")
    if isinstance(weather, dict) and weather.get("path"):
        given = weather["path"]
        paths = [str(p) for p in given] if isinstance(given, list | tuple) else [str(given)]
        if paths != ["store"]:
            if source is not None:
                paths = [
                    p if Path(p).is_absolute() else str(Path(source).parent / p) for p in paths
                ]
            for p in paths:
                _check_weather_path(Path(p), source)
            raw["weather"] = {
                **weather,
                "path": tuple(paths) if isinstance(given, list | tuple) else paths[0],
            }
    try:
        return Scenario.model_validate(
            {
                **raw,
                "params": params,
                "source": str(source) if source else None,
                "policy_origins": tuple(tuple(o) for o in origins),
                "dropped_policies": tuple(tuple(d) for d in dropped),
            }
        )
    except ValidationError as error:
        raise_scenario_error(error, source, origins, _kinds(raw.get("policies")))
        raise  # unreachable


def _check_weather_path(path: Path, source: str | Path | None) -> None:
    """A weather ``path`` must be an existing file (not a folder)."""
    if path.is_dir():
        raise InputError(source, "weather.path", f"expected a file, got the folder {path}")
    if not path.exists():
        raise InputError(source, "weather.path", f"expected an existing file, got {path}")


MAX_BASE_DEPTH = 8
POLICY_ORIGINS = "_policy_origins"
"""The key under which :func:`resolve_base` passes each policy's file and place to
:func:`scenario_from_dict` (not a scenario key: it cannot be written in a file)."""
DROPPED_POLICIES = "_dropped_policies"
"""The key under which :func:`resolve_base` passes the name and type of each policy the file
drops from its base (``Scenario.dropped_policies``; not a scenario key either)."""


def packaged_scenario(name: str) -> Path | None:
    """A scenario shipped with channelsim (``history.toml``...), if there is one by that name:
    a copied scenario whose ``base`` is not beside it finds the shipped base."""
    from importlib import resources

    candidate = resources.files("channelsim").joinpath("scenarios", name)
    return Path(str(candidate)) if candidate.is_file() else None


def shipped_scenario_names() -> list[str]:
    """The names of the scenarios shipped with channelsim (``history``, ``status-quo-2025``...:
    each file's name without ``.toml``, which is also its ``name`` key), sorted."""
    from importlib import resources

    folder = resources.files("channelsim").joinpath("scenarios")
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml") and entry.is_file()
    )


def scenario_argument(value: str) -> Path:
    """The scenario file a command line names: a path, or the name of a shipped scenario
    (``status-quo-2025``, or ``status-quo-2025.toml``), as the explorer and the headlines
    call them. A path that exists wins; a bare name (no folder) found neither here nor among
    the shipped scenarios is refused with their names, so the user sees what exists.

    Raises:
        InputError: an empty value, or a bare name that is neither a file nor shipped.
    """
    if not value.strip():
        raise InputError(None, "SCENARIO", "expected a scenario file, got an empty name")
    path = Path(value)
    if path.exists() or path.is_symlink() or path.name != value:
        return path  # a file (or something else, refused when read), or a path with folders
    stem = value[: -len(".toml")] if value.lower().endswith(".toml") else value
    shipped = packaged_scenario(f"{stem}.toml")
    if shipped is not None:
        return shipped
    names = ", ".join(shipped_scenario_names())
    raise InputError(
        value, None, f"file not found, and no shipped scenario has that name (shipped: {names})"
    )


def _policy_names(policies: list[Any]) -> list[str]:
    """Each policy's name in a run, as ``drop_policies`` names it: its own ``name``, else
    ``"<type>#<k>"``, the k-th policy of its type (``channelsim.engine.name_policies``)."""
    seen: dict[str, int] = {}
    names = []
    for policy in policies:
        entry = policy if isinstance(policy, dict) else {}
        kind = str(entry.get("type"))
        k = seen.get(kind, 0)
        seen[kind] = k + 1
        names.append(str(entry["name"]) if entry.get("name") else f"{kind}#{k}")
    return names


def _stream_key(policy: Any, name: str) -> str:
    """The name under which a policy of a resolved file draws its random numbers: that of
    the policy it replaces, if it says so, else its own."""
    replaced = policy.get("replaces") if isinstance(policy, dict) else None
    return replaced if isinstance(replaced, str) and replaced else name


def _no_base_replaces(data: dict[str, Any], path: Path) -> None:
    """A file without a ``base`` has no policy to replace: its ``replaces`` would silently
    name nothing (a typo losing the common random numbers unseen)."""
    policies = data.get("policies")
    for k, policy in enumerate(policies if isinstance(policies, list) else []):
        replaced = policy.get("replaces") if isinstance(policy, dict) else None
        if replaced is not None:
            raise InputError(
                path,
                f"{policy_label(k, policy.get('type'))}, replaces",
                f"expected a file with a `base` that drops the policy replaced "
                f"(drop_policies), got replaces = {replaced!r} in a file without one: to draw "
                f"the random numbers of a policy of the scenario compared with, give this one "
                f"its name (name = {replaced!r}) instead",
            )


def resolve_base(data: dict[str, Any], path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scenario written as another with a change: ``base = "history.toml"`` (relative to
    this file) takes the base's keys; this file's keys replace them, except ``params``
    (merged, this file's values winning) and ``policies`` (the base's, less those named in
    ``drop_policies``, then this file's). ``chain``: the files that led here (a file met
    twice is a cycle). Errors name this file and the key."""
    _check_description(data, path)
    if "base" not in data:
        if "drop_policies" in data:
            raise InputError(path, "drop_policies", "expected a `base` scenario to drop from")
        _no_base_replaces(data, path)
        return data
    if len(chain) >= MAX_BASE_DEPTH:
        raise InputError(path, "base", f"expected at most {MAX_BASE_DEPTH} levels of bases")
    raw = dict(data)
    base_name = raw.pop("base")
    if not isinstance(base_name, str) or not base_name:
        raise InputError(path, "base", f"expected the path of a scenario file, got {base_name!r}")
    base_path = _base_path(path, base_name)
    if base_path.resolve() == path.resolve():
        raise InputError(path, "base", "expected another scenario file, got this one")
    chain = (*chain, path.resolve())
    if base_path.resolve() in chain:
        cycle = " -> ".join(p.name for p in (*chain, base_path.resolve()))
        raise InputError(path, "base", f"expected bases that end, got a cycle: {cycle}")
    if not base_path.is_file():
        found = kind_of(base_path)
        found = "does not exist" if found == "nothing" else f"is {found}"
        raise InputError(
            path,
            "base",
            "expected an existing scenario file (beside this one or shipped with channelsim), "
            f"got {base_name!r}: {base_path} {found}",
        )
    if base_path.suffix.lower() not in SCENARIO_SUFFIXES:
        raise InputError(
            path, "base", f"expected a .toml, .yaml or .yml scenario file, got {base_name!r}"
        )
    base = resolve_base(_read_mapping(base_path), base_path, chain)
    base_origins = _origins(base, base_path)
    drop = raw.pop("drop_policies", [])
    if not isinstance(drop, list) or not all(isinstance(n, str) for n in drop):
        raise InputError(path, "drop_policies", "expected a list of policy names")
    policies = list(base.get("policies", []))
    names = _policy_names(policies)
    unnamed = [n for p, n in zip(policies, names, strict=True)
               if not (isinstance(p, dict) and p.get("name"))]  # fmt: skip
    for name in drop:
        if name not in names:
            known = ", ".join(names) or "none"
            how = f"; one without a name goes by its type and rank: {unnamed[0]!r}" \
                if unnamed else ""  # fmt: skip
            raise InputError(
                path, "drop_policies", f"no policy named {name!r} in {base_path} ({known}{how})"
            )
    kept = [n not in drop for n in names]
    keys = {n: _stream_key(p, n) for p, n in zip(policies, names, strict=True)}
    dropped: dict[tuple[str, str], None] = {}  # by its name, then the name it draws under
    for policy, name in zip(policies, names, strict=True):
        if name in drop:
            kind = str(policy.get("type"))
            dropped.update({(name, kind): None, (keys[name], kind): None})
    policies = [p for p, keep in zip(policies, kept, strict=True) if keep]
    extra = raw.pop("policies", [])
    if not isinstance(extra, list):
        raise InputError(path, "policies", "expected a list of [[policies]] tables")
    _check_replaces(extra, drop, path)
    extra = [_replacing(p, keys) for p in extra]
    merged = {**base, **raw, "policies": [*policies, *extra], DROPPED_POLICIES: list(dropped)}
    if "name" not in raw:  # the base's would record this file's runs as the base's
        merged["name"] = _variant_name(path, base)
    if "description" not in raw:  # the base's would present this file as the base
        merged["description"] = _changes_description(base, raw, extra, drop)
    merged[POLICY_ORIGINS] = [
        *(o for o, keep in zip(base_origins, kept, strict=True) if keep),
        *_origins({"policies": extra}, path),
    ]
    overrides = raw.get("params")
    if isinstance(overrides, dict) and isinstance(base.get("params"), dict):
        merged["params"] = merge_tables(base["params"], overrides)
    return merged


def _base_path(path: Path, base_name: str) -> Path:
    """Where ``base = base_name`` in the file ``path`` points: beside it, or a shipped
    scenario by its file's name or its own (status-quo-2025), as the command line takes it."""
    base_path = Path(base_name) if Path(base_name).is_absolute() else path.parent / base_name
    if not base_path.exists() and not Path(base_name).is_absolute():
        named = f"{base_name}.toml" if not Path(base_name).suffix else base_name
        packaged = packaged_scenario(base_name) or packaged_scenario(named)
        base_path = packaged if packaged is not None else base_path
    return base_path


def _blamed_on_its_base(error: InputError, path: Path) -> InputError:
    """``error`` of the file ``path``, or the same fault of the base file that holds it: a
    base's unknown key or bad value was named against the file that names it as its base,
    where the user finds no such key (s12 breaker B8)."""
    try:
        base_name = _read_mapping(path).get("base")
        while isinstance(base_name, str) and base_name:
            base_path = _base_path(path, base_name)
            try:
                scenario_from_dict(resolve_base(_read_mapping(base_path), base_path), base_path)
            except InputError as found:
                if (found.where, found.expected) != (error.where, error.expected):
                    return error
                error, path = found, base_path
                base_name = _read_mapping(base_path).get("base")
                continue
            return error  # the base is sound alone: the fault is this file's
    except (InputError, OSError, RecursionError):  # the base cannot be read alone
        pass
    return error


def _check_description(data: Mapping[str, Any], path: Path) -> None:
    """A ``description`` given is some words: an empty one presented a user's variant as
    its base (a headline with no word that the scenario is not the shipped one)."""
    text = data.get("description")
    if isinstance(text, str) and not text.strip():
        given = "only spaces" if text else "an empty text"
        raise InputError(
            path,
            "description",
            "expected some words saying what the scenario is (or no description key: a file "
            f"with a base then says what it changes), got {given}",
        )


def _variant_name(path: Path, base: Mapping[str, Any]) -> str:
    """The name of a file with a base and no ``name`` of its own: its file's name without
    the suffix (``nodesc.toml`` -> ``nodesc``); it took its base's, so its runs were headed
    and recorded as the base's (s11 re-trial R2)."""
    if not NAME_PATTERN.match(path.stem):
        raise InputError(
            path,
            "name",
            f"expected a name for this variant of {base.get('name') or 'its base'} (without "
            f"one it takes its file's, and {path.stem!r} is not {NAME_TEXT})",
        )
    return path.stem


def _changes_description(
    base: Mapping[str, Any], raw: Mapping[str, Any], added: Sequence[Any], dropped: Sequence[str]
) -> str:
    """The description of a file with a base and none of its own: the base by name, and what
    the file changes ("status-quo-2025 with 1 policy added (maritime_doctrine)"). It took its
    base's, so a user's variant with a doctrine at sea was headlined "2025 as it happened"."""
    kinds = [_policy_text(p) for p in added]
    parts = []
    if kinds:
        parts.append(f"{_count(len(kinds), 'policy', 'policies')} added ({', '.join(kinds)})")
    if dropped:
        parts.append(f"{_count(len(dropped), 'policy', 'policies')} dropped ({', '.join(dropped)})")
    if raw.get("params"):
        parts.append("parameters changed")
    other = sorted(set(raw) - {"name", "params", "policies", "drop_policies"})
    if other:
        parts.append(f"its own {', '.join(other)}")
    name = str(base.get("name") or "its base")
    return f"{name} with {'; '.join(parts)}" if parts else f"{name}, unchanged"


def _policy_text(policy: Any) -> str:
    """A file's policy entry as a description names it: its type, and its name if it has
    one (``driver 'd1'``)."""
    if not isinstance(policy, dict):
        return "?"
    name = policy.get("name")
    return f"{policy.get('type')}" + (f" {name!r}" if isinstance(name, str) and name else "")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _check_replaces(policies: object, drop: Sequence[str], path: Path) -> None:
    """Each ``replaces`` of a file's own ``policies`` names a policy the file drops, and no
    two policies replace the same one (they would draw the same numbers)."""
    if not isinstance(policies, list):
        return
    taken: set[str] = set()
    for k, policy in enumerate(policies):
        replaced = policy.get("replaces") if isinstance(policy, dict) else None
        if replaced is None:
            continue
        key = f"{policy_label(k, policy.get('type'))}, replaces"
        if replaced not in drop:
            dropped = ", ".join(map(str, drop)) if drop else "none"
            raise InputError(
                path,
                key,
                f"expected the name of a policy this file drops from its base (drop_policies: "
                f"{dropped}), got {replaced!r}",
            )
        if replaced in taken:
            raise InputError(path, key, f"expected one policy replacing {replaced!r}, got two")
        taken.add(replaced)


def _replacing(policy: Any, keys: Mapping[str, str]) -> Any:
    """``policy`` (checked by :func:`_check_replaces`) drawing the numbers of the dropped
    policy it replaces: under that policy's own ``replaces``, when it had one (an unnamed
    doctrine that replaced ``doctrine_as_signed``, dropped as ``maritime_doctrine#0``)."""
    replaced = policy.get("replaces") if isinstance(policy, dict) else None
    if not isinstance(replaced, str) or keys.get(replaced, replaced) == replaced:
        return policy
    return {**policy, "replaces": keys[replaced]}


def _origins(data: dict[str, Any], path: Path) -> list[tuple[str, int]]:
    """Where each of ``data``'s policies is written (its own file, unless resolved from bases)."""
    if POLICY_ORIGINS in data:
        return list(data[POLICY_ORIGINS])
    policies = data.get("policies")
    return [(str(path), i) for i in range(len(policies) if isinstance(policies, list) else 0)]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a TOML or YAML scenario file (resolving its ``base``, if any)."""
    path = Path(path)
    try:
        data = resolve_base(_read_mapping(path), path)
        try:
            return scenario_from_dict(data, path)
        except InputError as error:
            raise _blamed_on_its_base(error, path) from None
    except RecursionError:
        raise InputError(path, None, "expected a scenario of ordinary depth, got tables "
                         "or lists nested too deeply to read") from None  # fmt: skip
