"""What the explorer's page asks: a base scenario, a scenario to change (started from a
shipped one), parameter overrides, policies switched on or off with their parameters, runs
and seed. ``Settings`` turns into the scenario file `channelsim compare` runs (TOML), into a
link that reopens the page with the same settings, and into validated scenarios.

The scenario the explorer compares is *parsed from the TOML text it offers for download*, so
`channelsim compare BASE.toml DOWNLOADED.toml --runs N --seed S` runs exactly the same
scenarios to the same numbers.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import tomli_w

from channelsim.engine.policy import Policy
from channelsim.errors import InputError
from channelsim.scenario import Scenario, check_seed, resolve_base, scenario_from_dict

#: Runs a page may ask for: enough for a 5–95% interval, few enough for an answer in seconds.
MIN_RUNS, MAX_RUNS, DEFAULT_RUNS = 2, 500, 50
#: Keys of a scenario's policy entry that the page sets itself.
POLICY_OWN_KEYS = ("type", "start", "end", "params")
#: The shipped scenario the explorer starts from and compares against, in order of preference:
#: 2025 as it happened (history over one year, so a 50-run comparison answers in seconds),
#: then history continued (2018-2026, nine years a run), which the page can still pick.
PREFERRED_BASES = ("status-quo-2025", "history-continued", "history")


def scenarios_folder() -> Path:
    """The shipped scenarios (package data ``channelsim/scenarios``)."""
    return Path(str(resources.files("channelsim") / "scenarios"))


@cache
def shipped_scenarios() -> dict[str, Path]:
    """Every shipped scenario file by its ``name``, in file order."""
    found: dict[str, Path] = {}
    for path in sorted(scenarios_folder().glob("*.toml")):
        name = _read_toml(path).get("name", path.stem)
        found[str(name)] = path
    return found


def default_base() -> str:
    shipped = shipped_scenarios()
    return next((n for n in PREFERRED_BASES if n in shipped), next(iter(shipped)))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InputError(path, None, f"cannot read the scenario ({error})") from None


def shipped_mapping(name: str) -> dict[str, Any]:
    """A shipped scenario's file as read (overrides, not resolved parameters), its ``base``
    (e.g. ``history.toml``) resolved into it."""
    path = shipped_scenarios().get(name)
    if path is None:
        known = ", ".join(shipped_scenarios())
        raise InputError(None, "scenario", f"expected one of {known}, got {name!r}")
    return resolve_base(_read_toml(path), path)


@cache
def _example_entries() -> dict[str, dict[str, Any]]:
    """The first shipped scenario entry of each policy type, by type (file order), an entry
    with no end date (a what-if written to act, such as rwanda-removal's 1,000 places a year)
    before a dated entry of the timeline (history's Rwanda scheme: no places, £490m paid in
    2022-24)."""
    files = shipped_scenarios().values()
    entries = [e for path in files for e in _read_toml(path).get("policies", [])]
    examples: dict[str, dict[str, Any]] = {}
    for entry in sorted(entries, key=lambda entry: "end" in entry):  # stable: file order kept
        examples.setdefault(str(entry.get("type")), dict(entry.get("params", {})))
    return examples


def example_params(policy_type: str) -> dict[str, Any]:
    """The parameters a policy type not in the scenario starts with on the page: those of its
    first entry in the shipped scenarios (e.g. beach patrols: the payments of
    ``beach-funding-plus.toml``, as its defaults alone name no budget), else none."""
    return _plain(copy.deepcopy(_example_entries().get(policy_type, {})))


def not_in_force(name: str) -> dict[str, tuple[str | None, str | None]]:
    """The policy entries of a shipped scenario (by their page key) whose window, as the
    scenario's timeline gives it (``history.toml``'s dated entries), lies wholly outside the
    scenario's period, with that window as ISO text: e.g. the Rwanda scheme (April 2022 to
    its cancellation on 22 July 2024) in a 2025 scenario."""
    mapping = shipped_mapping(name)
    first, last = mapping.get("start"), mapping.get("end")
    entries = list(mapping.get("policies", []))
    ended: dict[str, tuple[str | None, str | None]] = {}
    for key, entry in zip(_entry_keys(entries), entries, strict=True):
        start, end = entry.get("start"), entry.get("end")
        before = end is not None and first is not None and end < first
        after = start is not None and last is not None and start > last
        if before or after:
            ended[key] = (_plain(start), _plain(end))
    return ended


def _split_params(tree: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A scenario's ``params`` as (``group.name`` -> number, the page's controls) and the
    rest, kept as given (a dated driver's table or list)."""
    scalars: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for group, names in tree.items():
        for name, value in dict(names).items():
            if isinstance(value, bool | int | float):
                scalars[f"{group}.{name}"] = value
            else:
                rest.setdefault(group, {})[name] = copy.deepcopy(value)
    return scalars, rest


def _nested(flat: dict[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    for path, value in flat.items():
        group, name = path.split(".", 1)
        into.setdefault(group, {})[name] = value
    return into


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass
class PolicySetting:
    """One policy on the page: switched on or off, its window, its parameters and the other
    keys of its scenario entry (``name``, ``source``), kept as given."""

    on: bool = False
    start: str | None = None
    end: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, Any] = field(default_factory=dict)


def policy_kind(entry: str) -> str:
    """The policy type of a page's policy entry: ``type`` or ``type:name``."""
    return entry.split(":", 1)[0]


def _entry_keys(entries: list[dict[str, Any]]) -> list[str]:
    """Each scenario entry's key on the page: its type, or ``type:name`` when it is named
    (or its type is given more than once)."""
    keys: list[str] = []
    for k, entry in enumerate(entries):
        kind = str(entry["type"])
        name = entry.get("name")
        key = f"{kind}:{name}" if name else kind
        keys.append(key if key not in keys else f"{kind}:#{k}")
    return keys


@dataclass
class Settings:
    """Everything the page asks; JSON-ready (dates as ISO text)."""

    base: str
    start_from: str
    runs: int = DEFAULT_RUNS
    seed: int | None = None  # None: the base scenario's seed
    params: dict[str, Any] = field(default_factory=dict)  # dotted path -> override
    policies: dict[str, PolicySetting] = field(default_factory=dict)  # by type
    #: The calibration posterior folder whose parameter draws are paired across base and
    #: changed scenario (``compare --posterior``); ``None``: weather and chance only.
    posterior: str | None = None

    @classmethod
    def starting(cls, start_from: str, base: str | None = None) -> Settings:
        """The settings of a shipped scenario, as it is."""
        mapping = shipped_mapping(start_from)
        entries = list(mapping.get("policies", []))
        ended = not_in_force(start_from)
        policies: dict[str, PolicySetting] = {}
        for key, entry in zip(_entry_keys(entries), entries, strict=True):
            # a policy the timeline ends before the period (or starts after it) is off, and
            # acts over the whole period if ticked
            # with the values of a what-if of its type, not the timeline's: ticking the Rwanda
            # scheme in 2025 read "£490m more, no change" (history's payments, no places)
            off = key in ended
            own = _plain(dict(entry.get("params", {})))
            policies[key] = PolicySetting(
                on=not off,
                start=None if off else _plain(entry.get("start")),
                end=None if off else _plain(entry.get("end")),
                params=example_params(policy_kind(key)) if off else own,
                keys=_plain({k: v for k, v in entry.items() if k not in POLICY_OWN_KEYS}),
            )
        return cls(
            base=base or default_base(),
            start_from=start_from,
            params=_split_params(mapping.get("params", {}))[0],
            policies=policies,
        )

    # --- the scenario files -------------------------------------------------------------
    def scenario_mapping(self) -> dict[str, Any]:
        """The changed scenario as a scenario file's table (dates as dates)."""
        mapping = shipped_mapping(self.start_from)
        out: dict[str, Any] = {
            key: copy.deepcopy(mapping[key])
            for key in ("description", "start", "end", "seed", "parameter_set", "weather")
            if key in mapping
        }
        out = {"name": f"{self.start_from}-explored", **out}
        changed = _changes(self, Settings.starting(self.start_from, self.base))
        if changed:
            out["description"] = f"{self.start_from} changed in the explorer: " + "; ".join(changed)
        params = _nested(self.params, _split_params(mapping.get("params", {}))[1])
        if params:
            out["params"] = params
        policies = []
        entries = list(mapping.get("policies", []))
        lapsed = {  # not in force in the period: kept as the starting scenario has it, since
            # it cannot act (left out, the headline of a page where only taxi boats were
            # ticked said "Part of what this scenario changes cannot act: the base's rwanda")
            key: entry for key, entry in zip(_entry_keys(entries), entries, strict=True)
            if key in not_in_force(self.start_from)
        }  # fmt: skip
        missing = {k: PolicySetting() for k in lapsed if k not in self.policies}
        for key, setting in {**self.policies, **missing}.items():
            if not setting.on:
                if key in lapsed:
                    policies.append(copy.deepcopy(lapsed[key]))
                continue
            entry: dict[str, Any] = {**setting.keys, "type": policy_kind(key)}
            for key in ("start", "end"):
                value = getattr(setting, key)
                if value:
                    entry[key] = dt.date.fromisoformat(value)
            if setting.params:
                entry["params"] = _dates_back(setting.params)
            policies.append(entry)
        if policies:
            out["policies"] = policies
        return out

    def scenario_toml(self) -> str:
        """The changed scenario as the TOML file to download."""
        header = (
            f"# Written by `channelsim explore`. Compare it with the base as the page did:\n"
            f"# {self.command('<base>.toml', 'this-file.toml')}\n"
            f"# where <base>.toml is the shipped scenarios/{self.base_file().name}.\n"
        )
        return header + tomli_w.dumps(_self_contained(self.scenario_mapping()))

    def base_file(self) -> Path:
        return shipped_scenarios()[self.base]

    def command(self, base: str, scenario: str) -> str:
        """The command line that runs this comparison."""
        command = f"channelsim compare {base} {scenario} --runs {self.runs}"
        command += f" --seed {self.run_seed()}"
        return command + (f" --posterior {self.posterior}" if self.posterior else "")

    def run_seed(self) -> int:
        return (
            check_seed(self.seed)
            if self.seed is not None
            else int(shipped_mapping(self.base).get("seed", 0))
        )

    def scenarios(self) -> tuple[Scenario, Scenario]:
        """The base and the changed scenario, validated (the latter parsed from
        :meth:`scenario_toml`). Raises :class:`InputError` naming the key at fault."""
        if not MIN_RUNS <= self.runs <= MAX_RUNS:
            raise InputError(
                None,
                "Paired runs",
                f"expected a whole number from {MIN_RUNS} to {MAX_RUNS}, got {self.runs}",
            )
        base = scenario_from_dict(shipped_mapping(self.base), self.base_file())
        text = tomli_w.dumps(self.scenario_mapping())  # as the download, but `replaces` kept
        changed = scenario_from_dict(tomllib.loads(text), None)
        if (changed.start, changed.end) != (base.start, base.end):
            raise InputError(
                None,
                "scenario",
                f"expected the base's period {base.start} to {base.end} (paired runs compare "
                f"the same days), got {changed.start} to {changed.end}",
            )
        return base, changed

    def cache_key(self) -> str:
        """(scenarios, seed, runs, posterior) as one digest: the same question, the same
        answer."""
        text = self.scenario_toml() + shipped_scenarios()[self.base].read_text(encoding="utf-8")
        text += f"\nposterior: {self.posterior}"
        digest = hashlib.sha256(text.encode()).hexdigest()[:20]
        return f"{digest}-s{self.run_seed()}-r{self.runs}"

    # --- the link -----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        try:
            policies = {
                str(k): PolicySetting(**v) for k, v in dict(data.get("policies", {})).items()
            }
            settings = cls(**{**data, "policies": policies})
        except (TypeError, ValueError) as error:
            raise InputError(
                None, "settings", f"expected the explorer's settings ({error})"
            ) from None
        for key, name in (("base", settings.base), ("start_from", settings.start_from)):
            if not isinstance(name, str):  # a list here failed as "unhashable" (HTTP 500)
                raise InputError(
                    None, f"link, {key}", f"expected a scenario's name, got {name!r}; "
                    "expected settings written by the explorer",
                )  # fmt: skip
            shipped_mapping(name)
        _check_link_keys(settings)
        return settings

    def to_query(self) -> str:
        """``?s=…``: the settings in a link (URL-safe base64 of compact JSON)."""
        text = json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True)
        return "?s=" + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def from_query(cls, search: str | None) -> Settings | None:
        """The settings of a link made by :meth:`to_query`; ``None`` when it has none.

        Raises :class:`InputError` when the link's settings cannot be read.
        """
        from urllib.parse import parse_qs

        values = parse_qs((search or "").lstrip("?")).get("s")
        if not values:
            return None
        encoded = values[0]
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            data = json.loads(raw)
        except (binascii.Error, ValueError):
            raise InputError(None, "link", "expected settings written by the explorer") from None
        if not isinstance(data, dict):
            raise InputError(None, "link", "expected settings written by the explorer")
        return cls.from_json(data)


LINK_POLICY_KEYS = ("name", "source")
"""The keys of a policy's scenario entry a link carries besides its window and parameters,
whatever their values; any other (``replaces``) only as the shipped scenario the page starts
from has it for that entry."""


def _check_link_keys(settings: Settings) -> None:
    """A link's parameters and policies are ones channelsim knows, of the kinds the page
    writes: a hand-edited link with ``sea.warp`` ran without it, an unknown policy type or
    ``"params": [1]`` failed the page's layout (HTTP 500), and a start ``2025-13-01`` failed
    the run without a word."""
    from channelsim.engine import registered_policies
    from channelsim.params import did_you_mean, list_parameters

    def refuse(where: str, expected: str) -> NoReturn:
        raise InputError(None, f"link, {where}", f"{expected}; expected settings written by "
                         "the explorer")  # fmt: skip

    if not isinstance(settings.params, dict):
        refuse("params", "expected a table of parameters")
    paths = [p.path for p in list_parameters()]
    for path in settings.params:
        if path not in paths:
            refuse(f"parameter {path!r}", "unknown parameter" + _near(did_you_mean(path, paths)))
    kinds = sorted(registered_policies())
    shipped = Settings.starting(settings.start_from, settings.base).policies
    for key, setting in settings.policies.items():
        kind = policy_kind(key)
        if kind not in kinds:
            refuse(f"policy {kind!r}", "unknown policy type" + _near(did_you_mean(kind, kinds)))
        if not isinstance(setting.on, bool):
            refuse(f"policy {key!r}, on", f"expected true or false, got {setting.on!r}")
        if not isinstance(setting.params, dict) or not isinstance(setting.keys, dict):
            refuse(f"policy {key!r}, params", "expected a table")
        # a link set `type` here and ran an ECHR exit under the doctrine's label; the page's
        # own settings keep a shipped entry's `replaces` (the doctrine scenarios'), which
        # was refused with them, so that Run failed for every one of them (s13 B11)
        own = shipped[key].keys if key in shipped else {}
        other = sorted(
            k for k in setting.keys if k not in LINK_POLICY_KEYS and setting.keys[k] != own.get(k)
        )  # and one the shipped entry has, left out (a doctrine without its common numbers)
        other += sorted(k for k in own if k not in LINK_POLICY_KEYS and k not in setting.keys)
        if other:
            refuse(
                f"policy {key!r}, {other[0]}",
                f"expected only {' and '.join(LINK_POLICY_KEYS)} among a policy's keys, "
                "others as the shipped scenario has them (its type is its entry's, its window "
                "its start and end)",
            )
        for when in ("start", "end"):
            value = getattr(setting, when)
            try:
                if value is not None:
                    dt.date.fromisoformat(str(value))
            except ValueError:
                refuse(f"policy {key!r}, {when}", f"expected a date YYYY-MM-DD, got {value!r}")
        problem = _policy_params_problem(registered_policies()[kind], setting.params)
        if problem is not None:
            refuse(f"policy {key!r}, params.{problem[0]}", problem[1])


def _policy_params_problem(kind: type[Policy], params: dict[str, Any]) -> tuple[str, str] | None:
    """The first of a link's policy parameters that the policy refuses, as (its key, what was
    expected): an unknown one (``warp``) failed only when Run was clicked, and a value of the
    wrong kind or out of range (``area: 7``) was replaced by the page's own without a word."""
    from pydantic import ValidationError

    from channelsim.params import expected_text

    window = [k for k in ("start", "end") if k in params]
    if window:  # the policy's own start and end, not a parameter
        return window[0], "unknown key (the policy's window is its start and end)"
    try:
        kind.model_validate(_dates_back(params))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "params"
        return where, expected_text(first, kind, hidden=("start", "end"))
    return None


def _near(suggestion: str) -> str:
    """``; did you mean …?`` from :func:`channelsim.params.did_you_mean`, or nothing."""
    return f";{suggestion}" if suggestion else ""


def _dates_back(params: dict[str, Any]) -> dict[str, Any]:
    """ISO date strings of policy parameters (``first_return``, a driver's ``dates``) back to
    dates."""
    return {key: _date_back(value) for key, value in params.items()}


def _date_back(value: Any) -> Any:
    if isinstance(value, list):
        return [_date_back(v) for v in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return value


def _changes(now: Settings, shipped: Settings) -> list[str]:
    """What differs from the shipped scenario, in words (for the file's description and the
    headline): parameters and policies by their labels (``inflow people per day (people/day)
    = 200``, ``network disruption added``), never by code name alone."""
    from channelsim.experiments.uncertainty import input_label
    from channelsim.explore.controls import policy_label

    changes = [
        f"{input_label(k)} = {v}" for k, v in sorted(now.params.items())
        if shipped.params.get(k) != v
    ]  # fmt: skip
    for kind in sorted(set(now.policies) | set(shipped.policies)):
        mine, theirs = now.policies.get(kind), shipped.policies.get(kind)
        on, was_on = bool(mine and mine.on), bool(theirs and theirs.on)
        label = policy_label(kind)
        if on != was_on:
            params = (
                ", ".join(option_text(k, v) for k, v in sorted(mine.params.items()))
                if (on and mine)
                else ""
            )
            changes.append(f"{label} {'added' if on else 'taken away'}"
                           + (f" ({params})" if params else ""))  # fmt: skip
        elif on and mine and theirs:
            changes += [
                f"{label}: {option_text(k, v)}"
                for k, v in sorted(mine.params.items())
                if theirs.params.get(k) != v
            ]
    return changes


def option_text(key: str, value: Any) -> str:
    """A policy's option and its value as the description and headline write them: the
    option's words and the value in its unit, money as everywhere (``fixed payments =
    £490m``; it read ``fixed payments gbp = 490000000.0``), other numbers with separators
    (``capacity = 0 people per year``)."""
    from channelsim.fields import Field, name_label
    from channelsim.formatting import format_value

    label, unit = name_label(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{label} = {value}"
    shown = format_value(value, Field(key, label, unit))
    if unit.startswith("£"):  # the £ is in the value: "£169,000 per person"
        unit = unit[1:].strip()
    words = label.split()
    if unit and unit in label:  # patrol boats = 3
        unit = ""
    elif unit and len(words) > 1 and unit.split()[0] == words[-1]:  # capacity = 0 people a year
        label = " ".join(words[:-1])
    return f"{label} = {shown}" + (f" {unit}" if unit else "")


def _self_contained(mapping: dict[str, Any]) -> dict[str, Any]:
    """A scenario mapping as a file of its own: a policy that ``replaces`` one of its base's
    (the doctrine scenarios') is named after it instead, which draws the same random numbers;
    ``replaces`` needs a file whose ``base`` drops that policy, and the download has no base
    (s13 re-trial: every doctrine page's file was refused by the command it printed)."""
    policies = [dict(entry) for entry in mapping.get("policies", [])]
    for entry in policies:
        if "replaces" in entry:
            entry["name"] = entry.pop("replaces")
    return {**mapping, "policies": policies} if policies else dict(mapping)
