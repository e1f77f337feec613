"""The claims checker's fill-in form, generated from the claims package's own pydantic models
(``channelsim.claims.FORMS``): one field per key of the chosen form, in the order of the
claim file (who said what, then the form's own keys); a key whose value is one of several
models (a ``period``, a ``baseline``, a ``subject``, ``among``) is a choice of variant followed
by the chosen variant's own keys. Types, defaults and bounds come from the models; the choices
of ``metric`` and ``unit`` from the package's registries (``METRICS``, ``UNIT_WORDS``). Nothing
here re-types a form.

The form's values become the claim's YAML (:func:`claim_yaml`), judged exactly as pasted YAML
is (``channelsim.claims.model.claims_from_text``): the same claim, the same verdict. A value
the model refuses gets its message beside its field (:func:`field_messages`).
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from channelsim.errors import why_not_a_day
from channelsim.explore.controls import _bounds, bounds_text

FieldKind = Literal["text", "number", "integer", "date", "choice", "switch", "variant"]
#: Keys every claim has, first on the form (as in a claim file).
COMMON_FIRST = ("id", "quote", "speaker", "said_on", "source", "note", "as_of")
#: Keys kept when the form changes (what every claim has).
KEPT = (*COMMON_FIRST, "metric", "unit", "area")
#: A variant choice that leaves an optional key out.
NONE = "(none)"


@dataclass(frozen=True)
class FormField:
    """One field of the form: ``key`` is its dotted path in the claim (``period.year``)."""

    key: str
    kind: FieldKind
    required: bool
    default: Any = None
    choices: tuple[Any, ...] = ()
    help: str = ""
    low: float | None = None
    high: float | None = None
    #: A variant's choices and what each writes: ``value`` (the choice itself, a literal),
    #: ``kind`` (a mapping with that ``kind``) or ``keys`` (a mapping of the variant's keys).
    shapes: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return self.key.rsplit(".", 1)[-1]

    @property
    def words(self) -> str:
        """The field's name for a reader, with its unit (``Tolerance (% of the figure)``);
        the key a claim file writes is shown beside it as a hint."""
        return WORDS.get(self.label) or self.label.replace("_", " ").capitalize()


#: Readers' names of the claim keys whose code name is not a phrase, with units.
WORDS = {
    "id": "Id (a short name of your own)",
    "said_on": "Said on (date, YYYY-MM-DD)",
    "as_of": "Counted to (date, YYYY-MM-DD)",
    "tolerance_pct": "Tolerance (% of the figure)",
    "tolerance": "Tolerance (in the figure's unit)",
    "per_week_average": "Per week, on average",
    "metric": "Series the claim rests on",
    "unit": "Unit the speaker used",
    "area": "Part of the coast",
    "figure": "Figure claimed",
    "start": "First day (date, YYYY-MM-DD)",
    "end": "Last day (date, YYYY-MM-DD)",
    "date": "Day (date, YYYY-MM-DD)",
    "year": "Year",
    "months": "Months",
    "days": "Days",
}

#: Pydantic's error types for a date it could not read.
DATE_ERRORS = (
    "date_from_datetime_parsing",
    "date_parsing",
    "date_type",
    "date_from_datetime_inexact",
)


def registry_choices(name: str) -> tuple[str, ...]:
    """The choices of a key whose model checks it against a registry of the claims package."""
    from channelsim.claims import METRICS, UNIT_WORDS

    return {"metric": tuple(METRICS), "unit": tuple(UNIT_WORDS)}.get(name, ())


def doc_line(cls: type) -> str:
    """The first paragraph of a model's docstring, on one line, a key it names (````months````)
    in quotes as the form labels its field: "The ‘months’ months to ‘as_of’" (without them
    it read "The months months to as_of")."""
    text = re.sub(r"``([^`]+)``", "‘\\1’", inspect.getdoc(cls) or "")
    return " ".join(text.split("\n\n")[0].split())


def _optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` as ``(X, True)``; anything else as ``(annotation, False)``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        if type(None) in args:
            rest = [a for a in args if a is not type(None)]
            return (rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]), True  # noqa: UP007
    return annotation, False


def _members(annotation: Any) -> list[Any]:
    """The members of a union (an ``Annotated`` one too), each a model or a literal value."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is Literal:
        return list(typing.get_args(annotation))
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return []
    found: list[Any] = []
    for member in typing.get_args(annotation):
        found += _members(member) if not _is_model(member) else [member]
    return found


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def variant_name(member: Any) -> str:
    """A variant's choice: a literal's value, a model's ``kind``, or a kind-less model's one
    key (``among: {after: DATE}`` is ``after``)."""
    if not _is_model(member):
        return str(member)
    kind = member.model_fields.get("kind")
    if kind is not None:
        return str(typing.get_args(kind.annotation)[0])
    return next(iter(member.model_fields))


def variants(annotation: Any) -> dict[str, Any]:
    """A union key's variants by choice; empty when the key is not a union of models."""
    members = _members(annotation)
    if not any(_is_model(m) for m in members):
        return {}
    return {variant_name(m): m for m in members}


def _scalar_kind(annotation: Any) -> tuple[FieldKind, tuple[Any, ...]]:
    if typing.get_origin(annotation) is Literal:
        return "choice", typing.get_args(annotation)
    simple: dict[Any, FieldKind] = {
        bool: "switch",
        int: "integer",
        float: "number",
        dt.date: "date",
        str: "text",
    }
    return simple.get(annotation, "text"), ((True, False) if annotation is bool else ())


def _field(key: str, info: FieldInfo, chosen: Mapping[str, str]) -> list[FormField]:
    """A model field as form fields: one for a scalar; a variant choice and the chosen
    variant's fields for a union of models."""
    annotation, optional = _optional(info.annotation)
    required = info.is_required()
    default = None if required else info.default
    found = variants(annotation)
    if found:
        choices = ((NONE,) if optional else ()) + tuple(found)
        pick = chosen.get(key) or (default if isinstance(default, str) else choices[0])
        pick = pick if pick in choices else choices[0]
        shapes = tuple((name, _shape(m)) for name, m in found.items())
        help_text = _variant_help(found)
        head = FormField(key, "variant", required, pick, choices, help_text, shapes=shapes)
        member = found.get(pick)
        return [head, *(model_fields(member, chosen, key) if _is_model(member) else [])]
    kind, choices = _scalar_kind(annotation)
    name = key.rsplit(".", 1)[-1]
    if kind == "text" and registry_choices(name):
        kind, choices = "choice", registry_choices(name)
    bounds = _bounds(info)
    help_text = info.description or ""
    if bounds:
        help_text = f"{help_text} Allowed: {bounds_text(**bounds)}.".strip()
    return [
        FormField(key, kind, required, default, choices, help_text, bounds.get("low"),
                  bounds.get("high"))
    ]  # fmt: skip


def _shape(member: Any) -> str:
    if not _is_model(member):
        return "value"
    return "kind" if "kind" in member.model_fields else "keys"


def _variant_help(found: Mapping[str, Any]) -> str:
    """Each variant's first docstring paragraph after its name, separated by semicolons (the
    sentence's own full stop left out: "1 Jan–31 Dec; year_to_date: ...")."""
    return "; ".join(
        f"{name}: {doc_line(m).removesuffix('.')}" for name, m in found.items() if _is_model(m)
    )


def model_fields(model: Any, chosen: Mapping[str, str], prefix: str = "") -> list[FormField]:
    """The form fields of ``model`` (the ``kind`` and ``form`` keys are the choices made)."""
    names = [n for n in model.model_fields if n not in ("kind", "form")]
    names.sort(key=lambda n: COMMON_FIRST.index(n) if n in COMMON_FIRST else len(COMMON_FIRST))
    fields: list[FormField] = []
    for name in names:
        key = f"{prefix}.{name}" if prefix else name
        fields += _field(key, model.model_fields[name], chosen)
    return fields


def form_fields(form: str, chosen: Mapping[str, str] | None = None) -> list[FormField]:
    """The fields of claim form ``form`` (one of ``channelsim.claims.FORMS``), with the
    variants ``chosen`` (variant key -> choice; default: each key's default or first)."""
    from channelsim.claims import FORMS

    return model_fields(FORMS[form], chosen or {})


# --- values -> the claim ----------------------------------------------------------------------
def _value(field: FormField, raw: Any) -> Any:
    """A form value as the claim file writes it; ``None`` when left empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if field.kind == "switch":
        return raw if isinstance(raw, bool) else str(raw).lower() == "true"
    if field.kind in ("number", "integer"):
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return str(raw)  # the model says what it expected, beside the field
        return int(number) if field.kind == "integer" and number == int(number) else number
    return raw.strip() if isinstance(raw, str) else raw


def claim_mapping(
    form: str, fields: Sequence[FormField], values: Mapping[str, Any]
) -> dict[str, Any]:
    """The claim (as a claim file's mapping) from the form's ``values`` by key; empty fields
    are left out, and so are the keys of a variant set to ``(none)``."""
    claim: dict[str, Any] = {"form": form}
    for field in fields:
        parent, name = _parent(claim, field.key), field.label
        raw = values.get(field.key, field.default)
        if parent is None:
            continue
        if field.kind == "variant":
            shape = dict(field.shapes).get(raw)
            if shape is not None:
                parent[name] = {"value": raw, "kind": {"kind": raw}, "keys": {}}[shape]
            continue
        value = _value(field, raw)
        if value is not None:
            parent[name] = value
    return claim


def _parent(claim: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The mapping a dotted key's value goes into (``None`` when its variant is left out or
    is a plain value)."""
    node: Any = claim
    for part in key.split(".")[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def claim_yaml(claim: Mapping[str, Any]) -> str:
    """The claim as a claim file (``claims:`` with one claim), the text the YAML route reads."""
    return yaml.safe_dump({"claims": [dict(claim)]}, sort_keys=False, allow_unicode=True)


def field_messages(claim: Mapping[str, Any], fields: Sequence[FormField]) -> dict[str, str]:
    """What the claim's model says of each field (key -> message); ``""`` for the claim as a
    whole (a message naming no field of the form). Empty when the claim is valid."""
    from channelsim.claims.model import error_keys, parse_claim

    try:
        parse_claim(dict(claim))
    except ValidationError as error:
        keys = {f.key for f in fields}
        messages: dict[str, str] = {}
        for item in error.errors():
            message = str(item["msg"]).removeprefix("Value error, ")
            key = ".".join(error_keys(tuple(item["loc"])))
            if key not in keys and message.startswith("key "):
                key, _, message = message[4:].partition(": ")
            if item["type"] == "missing":
                message = "required"
            elif item["type"] in DATE_ERRORS:  # the command line's words, not pydantic's
                given = item.get("input")
                message = f"expected a date YYYY-MM-DD, got {given!r}{why_not_a_day(given)}"
            messages.setdefault(key if key in keys else "", message)
        return messages
    return {}


def example_values(text: str) -> tuple[str, dict[str, Any]]:
    """The form and the values (dotted key -> value, variants as their choice) of the first
    claim of a claim file's text: the form starts as the pasted example."""
    claim = dict(yaml.safe_load(text)["claims"][0])
    form = str(claim.pop("form", "total"))
    values: dict[str, Any] = {}
    for name, value in claim.items():
        if isinstance(value, dict):
            values[name] = value.get("kind") or next(iter(value), None)
            values.update({f"{name}.{k}": _plain(v) for k, v in value.items() if k != "kind"})
        else:
            values[name] = _plain(value)
    return form, values


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def form_claim(form: str, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The claim the form's ``values`` make (variants as chosen in them), and each field's
    message (:func:`field_messages`; empty when the claim is valid)."""
    fields = form_fields(form, {k: str(v) for k, v in values.items() if v is not None})
    claim = claim_mapping(form, fields, values)
    return claim, field_messages(claim, fields)


# --- the page's controls ----------------------------------------------------------------------
def field_id(kind: str, key: str) -> dict[str, str]:
    return {"type": kind, "key": key}


def field_input(field: FormField, value: Any) -> Any:
    """The control of one field: a drop-down for choices, switches and variants (variants
    re-draw the form), a number box with the model's bounds, a text box otherwise."""
    from dash import dcc

    ident = field_id("cfv" if field.kind == "variant" else "cf", field.key)
    if field.kind in ("choice", "switch", "variant"):
        return dcc.Dropdown(
            id=ident,
            options=[{"label": str(c), "value": c} for c in field.choices],
            value=value,
            clearable=not field.required and field.kind != "variant",
            style={"width": "260px"},
        )
    numeric = field.kind in ("number", "integer")
    return dcc.Input(
        id=ident,
        type="number" if numeric else "text",
        value=value,
        placeholder="YYYY-MM-DD" if field.kind == "date" else "",
        debounce=True,
        style={"width": "260px" if not numeric else "140px"},
    )  # no min/max: the browser would blank a value out of range; the model names it


def form_rows(form: str, values: Mapping[str, Any]) -> list[Any]:
    """The form's fields, each with its label (the claim file's key), its control and the
    place for its message."""
    from dash import html

    rows = []
    for field in form_fields(form, {k: str(v) for k, v in values.items() if v is not None}):
        value = values.get(field.key, field.default)
        rows.append(
            html.Div(
                [
                    html.Label(field.words + ("" if field.required else " (optional)")),
                    html.Code(field.key, className="key"),  # the key a claim file writes
                    html.Br(),
                    field_input(field, value),
                    html.Div(field.help, className="help") if field.help else None,
                    html.Div(id=field_id("cfmsg", field.key), className="msg"),
                ],
                className="ctl",
            )
        )
    return rows
