"""Claim values refused in one line naming the key, in the file's words (s11 trial F3, F4):
a ranking 'after' a date that is not before its subject (it read "No arrived people data
for 30 Jun 2025", a false fact), a figure of `true` (read as 1), a month 13 (a regex, and the
key `period`), a rank of 0 (no key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelsim.claims import load_claims
from channelsim.errors import InputError

HEAD = "claims:\n  - id: a\n    quote: q\n    speaker: s\n    metric: arrived_people\n" \
    "    unit: people\n"  # fmt: skip
RANK = "    form: rank\n    subject: {kind: day, date: 2025-06-30}\n"
TOTAL = "    period: {period}\n    comparison: more_than\n    figure: {figure}\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (RANK + "    among: {after: 2025-07-01}\n",
         "claim 1 (id a): key among.after: expected a day before the subject (2025-06-30), "
         "got 2025-07-01"),
        (RANK + "    among: {after: 2025-06-30}\n", "got 2025-06-30"),
        (TOTAL.format(period="{kind: calendar_year, year: 2025}", figure="true"),
         "claim 1 (id a), key figure: expected a number, got true"),
        (TOTAL.format(period="{kind: month, month: 2025-13}", figure=1),
         "claim 1 (id a), key period.month: there is no month 13 (in '2025-13')"),
        (RANK + "    rank: 0\n", "claim 1 (id a), key rank: expected a number ≥ 1, got 0"),
        ("    form: milestone\n    year: 2025\n    earliest: true\n    threshold: 1e300\n",
         "claim 1 (id a), key threshold: expected a number ≤ 10,000,000, got '1e300'"),
    ],
)  # fmt: skip
def test_a_bad_value_names_its_key(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_claims(path)
    said = str(caught.value)
    assert said.startswith(f"{path}: ") and said.endswith(expected) and "\n" not in said


def test_a_ranking_after_a_day_before_its_subject_loads(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + RANK + "    among: {after: 2025-06-01}\n", encoding="utf-8")
    assert len(load_claims(path).claims) == 1


@pytest.mark.parametrize("depth", [500, 1000, 5000])
def test_claims_nested_too_deep_are_one_line(tmp_path: Path, depth: int) -> None:
    """s13 breaker B1: 1,000 nested brackets (2 kB) ended in a 3,000-line RecursionError."""
    path = tmp_path / "deep.yaml"
    path.write_text("as_of: 2025-11-22\nclaims: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(InputError) as caught:
        load_claims(path)
    said = str(caught.value)
    assert said.startswith(f"{path}: ") and "\n" not in said and len(said) < 300, said
