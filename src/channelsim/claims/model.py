"""The claim file (YAML): an optional title and default ``as_of``, and a list of claims,
each in one of the forms of ``channelsim.claims.forms`` (``form:``, default ``total``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, get_args

import yaml
from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from channelsim.claims.forms.change import Baseline, ChangeClaim
from channelsim.claims.forms.milestone import MilestoneClaim
from channelsim.claims.forms.rank import RankClaim, Subject
from channelsim.claims.forms.streak import StreakClaim
from channelsim.claims.forms.total import TotalClaim
from channelsim.claims.forms.window import WindowClaim
from channelsim.claims.periods import Period, Strict
from channelsim.errors import InputError
from channelsim.params import expected_text, unknown_key
from channelsim.textfile import printable, read_text_file, size_words, too_many_digits
from channelsim.yamltext import load_yaml, yaml_problem

#: Every form, by the name the claim file gives it in ``form:``.
FORMS = {
    "total": TotalClaim,
    "change": ChangeClaim,
    "rank": RankClaim,
    "milestone": MilestoneClaim,
    "streak": StreakClaim,
    "window": WindowClaim,
}


def _form_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("form", "total"))
    return str(getattr(value, "form", "total"))


Claim = Annotated[
    Annotated[TotalClaim, Tag("total")]
    | Annotated[ChangeClaim, Tag("change")]
    | Annotated[RankClaim, Tag("rank")]
    | Annotated[MilestoneClaim, Tag("milestone")]
    | Annotated[StreakClaim, Tag("streak")]
    | Annotated[WindowClaim, Tag("window")],
    Discriminator(
        _form_of,
        custom_error_type="unknown_form",
        custom_error_message=f"unknown form; expected one of {', '.join(FORMS)}",
    ),
]
_CLAIM = TypeAdapter(Claim)


def parse_claim(
    fields: dict[str, Any],
) -> TotalClaim | ChangeClaim | RankClaim | MilestoneClaim | StreakClaim | WindowClaim:
    """One claim from its keys (raises pydantic's ValidationError)."""
    return _CLAIM.validate_python(fields)


class ClaimFile(Strict):
    """A YAML claim file: an optional default ``as_of`` and a list of claims."""

    title: str | None = None
    as_of: date | None = None
    claims: list[Claim] = Field(min_length=1)

    @field_validator("title")
    @classmethod
    def _printable(cls, text: str | None) -> str | None:
        return None if text is None else printable(text)

    @model_validator(mode="after")
    def _unique_ids_and_dates(self) -> ClaimFile:
        seen: set[str] = set()
        for index, claim in enumerate(self.claims, start=1):
            where = f"claim {index} (id {claim.id})"
            if claim.id in seen:
                raise ValueError(f"{where}: duplicate id")
            seen.add(claim.id)
            dated = claim.own_as_of() or self.as_of or claim.said_on
            if dated is None and claim.needs_as_of():
                raise ValueError(
                    f"{where}, key period.as_of: needed for this period "
                    "(or give the claim's as_of or said_on, or a file-level as_of)"
                )
        return self

    def as_of_for(self, claim: Any) -> date | None:
        """The date a claim is checked at: its own, else the file's, else ``said_on``."""
        own: date | None = claim.own_as_of()
        return own or self.as_of or claim.said_on


def _kinds(annotation: Any) -> set[str]:
    """The ``kind`` literals of a discriminated union of models."""
    members = get_args(get_args(annotation)[0])
    return {get_args(m.model_fields["kind"].annotation)[0] for m in members}


# A discriminated union puts the form or kind in an error's path: such names are dropped.
_TAGS = set(FORMS) | _kinds(Period) | _kinds(Subject) | _kinds(Baseline) | {"After"}


def error_keys(loc: tuple[int | str, ...], key_last: bool = False) -> list[str]:
    """A validation error's location as the claim file's keys (the form or kind pydantic
    puts in the path of a discriminated union dropped); ``key_last``: the last of ``loc`` is
    a key, even one named like a tag (an unknown key ``month``)."""
    keys = []
    for i, k in enumerate(loc):
        tag = k in _TAGS and not (key_last and i == len(loc) - 1)
        if tag and i > 0 and loc[i - 1] == k:  # a key named as its union's tag: rank.rank
            tag = False
        if not tag and not str(k).startswith("literal["):
            keys.append(str(k))
    return keys


def _error_location(raw: Any, loc: tuple[int | str, ...], key_last: bool = False) -> str | None:
    """Name the claim (index from 1, and id) and the dotted key of a validation error."""
    keys = error_keys(loc, key_last)
    if len(loc) >= 2 and loc[0] == "claims" and isinstance(loc[1], int):
        index = loc[1]
        claim = raw["claims"][index] if isinstance(raw, dict) else None
        ident = claim.get("id") if isinstance(claim, dict) else None
        shown = isinstance(ident, str) and ident and ident == _printable_or_none(ident)
        who = f"claim {index + 1}" + (f" (id {ident})" if shown else "")
        rest = keys[2:]
        return who + (f", key {'.'.join(rest)}" if rest else "")
    return f"key {'.'.join(keys)}" if keys else None


#: Largest claim file (or pasted claims) read, in bytes: about 1,300 claims. The example
#: files are 2 and 12 kB; parsing YAML costs about 1 s of CPU a megabyte, all before the
#: first error can be given (a 4 MB file of 20,000 claims took 5 s, 77 s on a loaded
#: machine, to say that its first claim lacked a key), so a claim file is held to a size
#: that a fact-check needs and that is read in a fraction of a second: split a larger one.
MAX_CLAIM_BYTES = 256 * 2**10


def load_claims(path: str | Path) -> ClaimFile:
    """Read and validate a claim file; any problem becomes one :class:`InputError` line (a
    file over :data:`MAX_CLAIM_BYTES` is refused before it is read)."""
    path = Path(path)
    text = read_text_file(path, "claim file", (".yaml", ".yml"), MAX_CLAIM_BYTES)
    return claims_from_text(text, path)


def claims_from_text(text: str, source: str | Path) -> ClaimFile:
    """Validate claims given as YAML text (a file's, or pasted in the explorer); any problem
    becomes one :class:`InputError` line naming ``source``, the first of them being a text
    over :data:`MAX_CLAIM_BYTES`."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_CLAIM_BYTES:
        raise InputError(
            source,
            None,
            f"expected claims of at most {size_words(MAX_CLAIM_BYTES)} (about 1,300 claims; "
            f"split them), got {size_words(size)}",
        )
    try:
        return _validated(text, source)
    except RecursionError:  # PyYAML's composer and pydantic recurse once per level
        raise InputError(
            source,
            None,
            "expected claims of ordinary depth, got tables or lists nested too deeply to read",
        ) from None


def _validated(text: str, source: str | Path) -> ClaimFile:
    """:func:`claims_from_text`'s parse and validation (raises as it says)."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as error:
        line, _, problem = yaml_problem(error, text)
        where = f"line {line}" if line is not None else None
        if problem.startswith("expected a date"):  # a day that does not exist
            raise InputError(source, where, problem) from None
        raise InputError(source, where, f"expected valid YAML ({problem})") from None
    except ValueError as error:  # a whole number of more digits than Python reads
        line, problem = too_many_digits(error, text)
        raise InputError(source, None if line is None else f"line {line}", problem) from None
    if not isinstance(raw, dict):
        raise InputError(source, "top level", "expected a mapping with a 'claims' list")
    try:
        return ClaimFile.model_validate(raw)
    except ValidationError as error:
        # an unknown key first: it is often why a required one seems missing (a misspelling)
        errors = error.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(first["loc"])
        message = expected_text(first)  # what was given and what is expected, in words
        if first["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc)
            message = unknown_key(str(loc[-1]), allowed) if allowed else "unknown key"
        where = _error_location(raw, loc, key_last=first["type"] == "extra_forbidden")
        raise InputError(source, where, message) from None


def _printable_or_none(text: str) -> str | None:
    """``text`` if it may be shown (no control or direction character), else None."""
    try:
        return printable(text)
    except ValueError:
        return None


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed where the last key of ``loc`` was found (empty if not known)."""
    models: list[type[BaseModel]] = [ClaimFile]
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        inner = [
            found
            for model in models
            if part in model.model_fields
            for found in _models_in(model.model_fields[part].annotation)
        ]
        models = inner or [m for m in models if _tag(m) == part] or models
    return sorted(models[0].model_fields) if len(models) == 1 else []


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold (through lists, unions and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _tag(model: type[BaseModel]) -> str | None:
    """The form or kind that selects ``model`` in its discriminated union."""
    for key in ("form", "kind"):
        field = model.model_fields.get(key)
        if field is not None and get_args(field.annotation):
            return str(get_args(field.annotation)[0])
    return None
