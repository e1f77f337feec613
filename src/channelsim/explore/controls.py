"""The explorer's controls, generated from the definitions: the model's parameters
(``channelsim.params``: unit, hard range, plausible range, source or assumption, description)
and the registered policies (``channelsim.engine.registered_policies``: each pydantic field's
type, default and bounds, the class's docstring). Nothing here re-types a label, unit, range or
help text; a new parameter or policy gets its control without a change to this module.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic.fields import FieldInfo

from channelsim.errors import InputError
from channelsim.fields import Field, name_label, words

ControlKind = Literal["number", "integer", "switch", "choice"]

#: Fields every policy has (its window, set by the scenario) rather than its own parameters.
POLICY_WINDOW_FIELDS = ("start", "end")


@dataclass(frozen=True)
class Control:
    """One input of the page.

    ``key`` is the scenario's dotted key (``params.sea.engine_speed_kn`` or
    ``policies.maritime_doctrine.patrol_boats``); ``low``/``high`` the hard bounds
    (``None`` if open; ``exclusive_*`` when the bound itself is not allowed); ``source`` the
    ``facts.md`` row or URL, or ``None`` for an assumption, ``note`` what an assumption rests
    on, ``plausible`` (numbers) or ``plausible_text`` (words) the range to explore;
    ``sourced`` says whether the definition records a source or an assumption at all (every
    built-in one does; a third-party policy's field may not).
    """

    key: str
    label: str
    unit: str
    kind: ControlKind
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    exclusive_low: bool = False
    exclusive_high: bool = False
    choices: tuple[Any, ...] = ()
    source: str | None = None
    sourced: bool = True
    plausible: tuple[float, float] | None = None
    plausible_text: str | None = None
    note: str | None = None
    #: What the control belongs to, for a reader: a parameter's group (``sea``) or a policy
    #: entry's label (``maritime doctrine (doctrine as signed)``).
    owner: str = ""

    @property
    def heading(self) -> str:
        """``label (unit)`` (the unit left out when the label says it)."""
        return Field(self.key, self.label, self.unit).heading

    @property
    def named(self) -> str:
        """The control as a message names it: its heading and what it belongs to."""
        return f"{self.owner}, {self.heading}" if self.owner else self.heading

    @property
    def scenario_key(self) -> str:
        """What a scenario file writes to set it: ``engine_speed_kn`` under ``[params.sea]``,
        ``patrol_boats`` under the policy's ``[policies.params]``."""
        if self.key.startswith("params."):
            group, name = self.key.split(".")[1:]
            return f"[params.{group}] {name}"
        return f"[policies.params] {self.key.rsplit('.', 1)[1]}"

    def range_text(self) -> str:
        """The allowed values in words, e.g. ``0 to 200`` or ``> 0``."""
        if self.kind in {"switch", "choice"}:
            return ", ".join(str(c) for c in self.choices)
        return bounds_text(self.low, self.high, self.exclusive_low, self.exclusive_high)


def bounds_text(
    low: float | None = None,
    high: float | None = None,
    exclusive_low: bool = False,
    exclusive_high: bool = False,
) -> str:
    """Bounds in words: ``≥ 0 and ≤ 200``, ``> 0``, or ``any number``."""
    low_text = None if low is None else f"{'>' if exclusive_low else '≥'} {_bound(low)}"
    high_text = None if high is None else f"{'<' if exclusive_high else '≤'} {_bound(high)}"
    return " and ".join(p for p in (low_text, high_text) if p) or "any number"


def _bound(value: float) -> str:
    """A bound with thousands separated (``100,000``; it read ``≤ 100000``)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def parameter_controls() -> dict[str, list[Control]]:
    """The model's parameters by group, from ``channelsim.params.list_parameters``."""
    from channelsim.params import list_parameters, parameter_set

    groups: dict[str, list[Control]] = {}
    for info in list_parameters(parameter_set()):
        group = info.path.split(".")[0]
        integer = isinstance(info.default, int) and not isinstance(info.default, bool)
        plausible = None if info.low is None or info.high is None else (info.low, info.high)
        groups.setdefault(group, []).append(
            Control(
                key=f"params.{info.path}",
                label=info.words,
                unit=info.unit,
                owner=f"{group} parameters",
                kind="integer" if integer else "number",
                default=info.default,
                help=plain_text(info.description),
                low=info.ge,
                high=info.le,
                source=info.source,
                plausible=plausible,
            )
        )
    return groups


def _bounds(field: FieldInfo) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for item in field.metadata:
        for name, key, exclusive in (
            ("ge", "low", False),
            ("gt", "low", True),
            ("le", "high", False),
            ("lt", "high", True),
        ):
            value = getattr(item, name, None)
            if value is not None:
                bounds[key] = float(value)
                bounds[f"exclusive_{key}"] = exclusive
    return bounds


def _scalar(annotation: Any) -> tuple[ControlKind, tuple[Any, ...]] | None:
    """The control for a field's type, or None for a type the page does not edit (a list,
    an optional budget): such a value is kept as the scenario gives it."""
    if typing.get_origin(annotation) is Literal:
        return "choice", typing.get_args(annotation)
    if annotation is bool:
        return "switch", (True, False)
    if annotation is int:
        return "integer", ()
    if annotation is float:
        return "number", ()
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) == 1 and inner[0] in (int, float):  # empty box: none
            return _scalar(inner[0])
    return None


def plain_text(text: str) -> str:
    """A docstring's words as the page shows them: reST roles and literals as their text
    (``values`` and :func:`x` read values and x)."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text)
    text = re.sub(r"`{1,2}([^`]+?)`{1,2}", r"\1", text)
    # code names as words, as the controls are labelled (``max_wait_days``: max wait days)
    return re.sub(r"\b[a-z]+(?:_[a-z0-9]+)+\b", lambda m: words(m.group(0)), text)


def value_text(value: Any) -> str:
    """A value the page keeps as given (a policy's dated list) in words: a list as its items
    separated by commas (it showed Python's ``['2025-01-01', …]``), a date as ISO."""
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def policy_help(cls: type) -> str:
    """The first paragraph of a policy class's docstring, or of its module's when the class
    refers to it."""
    text = inspect.getdoc(cls) or ""
    if "module docstring" in text:
        text = inspect.getdoc(inspect.getmodule(cls)) or text
    return plain_text(" ".join(text.split("\n\n")[0].split()))


def policy_controls(entry: str) -> list[Control]:
    """The parameters (not the window) the page can edit of a policy entry: its type, or
    ``type:name`` for a named entry of a scenario. Unit, source or assumption and plausible
    range come from the field's declaration (``channelsim.engine.policy.policy_param``); a
    field without one takes its unit from its name and is marked as recording no source."""
    from channelsim.engine.policy import policy_params

    policy_type = entry.split(":", 1)[0]
    cls = _policy_class(policy_type)
    declared = {p.name: p for p in policy_params(cls)}
    drawn = getattr(cls, "assumptions", {})
    controls = []
    for name, field in cls.model_fields.items():
        if name in POLICY_WINDOW_FIELDS:
            continue
        scalar = _scalar(field.annotation)
        if scalar is None:
            continue
        kind, choices = scalar
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        label, unit = name_label(name)
        param = declared[name]
        low, high = extra.get("low"), extra.get("high")
        plausible = drawn.get(name) or (
            None if low is None or high is None else (float(low), float(high))
        )
        controls.append(
            Control(
                key=f"policies.{entry}.{name}",
                label=label,
                unit=unit if param.unit is None else param.unit,
                owner=policy_label(entry),
                kind=kind,
                default=field.default,
                help=plain_text(field.description or ""),
                choices=choices,
                source=param.source,
                # declared (a source, or an assumption), or an assumption uncertainty draws
                sourced=param.declared or name in drawn,
                plausible=plausible,
                plausible_text=None if plausible else param.plausible,
                note=param.note,
                **_bounds(field),
            )
        )
    return controls


def policy_label(entry: str) -> str:
    """A page's policy entry for readers: its type in words, and its name when it has one
    that says more (``maritime_doctrine:doctrine_as_signed`` → ``maritime doctrine (doctrine
    as signed)``, ``beach_officers:beach_officers`` → ``beach officers``)."""
    kind, _, name = entry.partition(":")
    label = kind.replace("_", " ")
    name = name.lstrip("#")
    return f"{label} ({name.replace('_', ' ')})" if name and name != kind else label


def fixed_policy_fields(entry: str) -> list[str]:
    """A policy's parameters the page shows but does not edit (lists, dates)."""
    cls = _policy_class(entry.split(":", 1)[0])
    return [
        name
        for name, field in cls.model_fields.items()
        if name not in POLICY_WINDOW_FIELDS and _scalar(field.annotation) is None
    ]


def policy_types() -> dict[str, str]:
    """Every registered policy type and the first paragraph of its docstring."""
    from channelsim.engine import registered_policies

    return {name: policy_help(cls) for name, cls in sorted(registered_policies().items())}


def _policy_class(policy_type: str) -> Any:
    from channelsim.engine.policy import policy_type as lookup

    cls = lookup(policy_type)
    if cls is None:
        raise InputError(None, "policy", f"unknown policy type {policy_type!r}")
    return cls


def _typed(value: Any) -> str:
    """A number box's value as the user typed it (the boxes hand the page text): ``2.5``,
    ``1e400``, not ``'2.5'``."""
    if isinstance(value, str):
        return value.strip()
    return f"{value:g}" if isinstance(value, float) else repr(value)


def coerce(control: Control, value: Any) -> Any:
    """A control's value as the definition's type (``None`` stays ``None``: an empty box).

    Raises :class:`InputError` naming the control by its label, with the value given and what
    was expected, when the value is not of its kind.
    """
    if value is None or value == "":
        return None
    if control.kind == "switch":
        return bool(value)
    if control.kind == "choice":
        if value not in control.choices:
            raise InputError(
                None, control.named, f"expected one of {control.range_text()}, got {value!r}"
            )
        return value
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(None, control.named, f"expected a number, got {_typed(value)}") from None
    if not math.isfinite(number):  # '1e400' failed int() with OverflowError; 'NaN' passed
        raise InputError(None, control.named, f"expected a finite number, got {_typed(value)}")
    if control.kind == "integer":
        if number != int(number):
            raise InputError(None, control.named, f"expected a whole number, got {_typed(value)}")
        return int(number)
    return number


def date_or_none(value: Any) -> dt.date | None:
    """A policy window's date from the page (ISO text) or a scenario."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
