"""The claims checker's fill-in form: fields generated from the claims package's models, and
every real example claim of every form filled in through the form gets the verdict its YAML
gets; a refused value gets its message beside its field."""

from __future__ import annotations

import typing
from pathlib import Path

import yaml

from channelsim.claims import FORMS, check_claims
from channelsim.claims.model import claims_from_text
from channelsim.claims.periods import PERIOD_TYPES
from channelsim.explore.claim_form import (
    claim_yaml,
    example_values,
    form_claim,
    form_fields,
)
from test_claims_forms import _edition

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "claims" / "forms-2024-2025.yaml"


def test_the_fields_are_the_models_keys_with_their_types_and_bounds() -> None:
    for form, model in FORMS.items():
        keys = {f.key for f in form_fields(form)}
        required = {n for n, f in model.model_fields.items() if f.is_required()} - {"form"}
        assert required <= keys, form
    fields = {f.key: f for f in form_fields("total", {"period": "calendar_year"})}
    kinds = tuple(typing.get_args(c.model_fields["kind"].annotation)[0] for c in PERIOD_TYPES)
    assert fields["period"].kind == "variant" and fields["period"].choices == kinds
    assert (fields["period.year"].kind, fields["period.year"].low) == ("integer", 2000)
    assert fields["period.year"].high == 2099 and fields["figure"].low == 0
    assert fields["metric"].choices[0] == "arrived_people" and fields["said_on"].kind == "date"
    months = {f.key for f in form_fields("total", {"period": "rolling_months"})}
    assert "period.months" in months and "period.year" not in months
    among = {f.key: f for f in form_fields("rank", {"among": "after"})}
    assert "among.after" in among and "record" in among["among"].choices


def test_every_example_claim_gets_the_same_verdict_through_the_form() -> None:
    edition = _edition(end="2025-12-31")
    raw = yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))
    forms = set()
    for claim in raw["claims"]:
        text = yaml.safe_dump({"claims": [claim]}, sort_keys=False)
        form, values = example_values(text)
        made, messages = form_claim(form, values)
        assert messages == {}, (claim["id"], messages)
        by_yaml = check_claims(claims_from_text(text, "pasted"), edition)
        by_form = check_claims(claims_from_text(claim_yaml(made), "the form"), edition)
        assert [r.row() for r in by_form] == [r.row() for r in by_yaml], claim["id"]
        forms.add(form)
    assert forms == set(FORMS)  # every form is exercised


def test_a_refused_value_is_named_beside_its_field() -> None:
    form, values = example_values(
        "claims:\n- {id: a, quote: q, speaker: s, metric: arrived_people, unit: people,\n"
        "   comparison: exactly, figure: 3, period: {kind: calendar_year, year: 2025}}\n"
    )
    assert form_claim(form, values)[1] == {}
    values.update({"period.year": 1999, "figure": -1, "id": ""})
    messages = form_claim(form, values)[1]
    assert set(messages) == {"period.year", "figure", "id"}
    assert "2000" in messages["period.year"] and messages["id"] == "required"
    milestone = {"id": "m", "quote": "q", "speaker": "s", "metric": "arrived_people",
                 "unit": "people", "threshold": 1000, "year": 2025}  # fmt: skip
    messages = form_claim("milestone", milestone)[1]
    assert list(messages) == ["reached_on"] and "reached_by" in messages["reached_on"]


def test_the_help_names_keys_in_quotes_and_reads_as_words() -> None:
    """The help of the form and of its variants read "The months months to as_of" and "The
    units that start after after": a key named in a docstring lost its literal marks, and a
    variant's full stop came before the semicolon ("31 Dec.;")."""
    import re

    from channelsim.explore.app import form_help

    texts = [form_help(form) for form in FORMS]
    texts += [f.help for form in FORMS for f in form_fields(form) if f.kind == "variant"]
    doubled = [t for t in texts if re.search(r"\b(\w+) \1\b", t)]
    assert texts and not doubled, doubled[:1]
    assert not [t for t in texts if "``" in t or ".;" in t or "'s year" in t]
    period = next(f.help for f in form_fields("total") if f.key == "period")
    assert "rolling_months: The ‘months’ months to ‘as_of’ (12 months" in period
    assert "calendar_year: A calendar year: 1 Jan–31 Dec; year_to_date:" in period


def test_fields_read_in_words_with_units_and_a_bad_date_in_the_command_line_s_words() -> None:
    """The form labelled its fields by code name (``said_on (optional)``, ``tolerance_pct``)
    and a day that does not exist got pydantic's "Input should be a valid date or datetime,
    day value is outside expected range"; now words with units (the key beside, as a hint)
    and the line the command line gives."""
    fields = {f.key: f for f in form_fields("total", {"period": "rolling_months"})}
    assert fields["said_on"].words == "Said on (date, YYYY-MM-DD)"
    assert fields["tolerance_pct"].words == "Tolerance (% of the figure)"
    assert fields["period.per_week_average"].words == "Per week, on average"
    form, values = example_values(
        "claims:\n- {id: a, quote: q, speaker: s, metric: arrived_people, unit: people,\n"
        "   comparison: exactly, figure: 3, period: {kind: calendar_year, year: 2025}}\n"
    )
    bad = (("2025-02-30", "February 2025 has 28 days"), ("2025-13-01", "there is no month 13"))
    for day, why in bad:
        messages = form_claim(form, {**values, "said_on": day})[1]
        assert messages["said_on"] == f"expected a date YYYY-MM-DD, got '{day}' ({why})", messages
