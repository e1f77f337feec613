"""A whole number longer than Python reads from text (4,300 digits) in a scenario or a claims
file: one line naming the file and the line, not a 60-line traceback of the TOML or YAML
reader's ``ValueError`` (s14 breaker B1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelsim.claims.model import claims_from_text
from channelsim.errors import InputError
from channelsim.scenario import load_scenario

BIG = "1" + "0" * 5000
SAID = "expected a number of at most 4,300 digits, got one of 5,001"


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("big.toml", f'base = "status-quo-2025"\nseed = {BIG}\n', "line 2 ('seed = 1000"),
        ("big.yaml", f"base: status-quo-2025\nseed: {BIG}\n", "line 2 ('seed: 1000"),
        (
            "deep.yaml",
            f"base: status-quo-2025\nparams:\n  coast:\n    initial_waiting_people: {BIG}\n",
            "line 4 ('initial_waiting_people: 1000",
        ),
    ],
)
def test_a_scenario_s_long_number_is_one_line(
    tmp_path: Path, name: str, text: str, line: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    said = str(caught.value)
    assert said.startswith(f"{path}: {line}") and said.endswith(SAID), said[:300]
    assert "\n" not in said


def test_a_claim_s_long_figure_is_one_line() -> None:
    text = (
        "as_of: 2024-01-28\nclaims:\n  - id: big\n    quote: a big one\n    speaker: Someone\n"
        "    metric: arrived_people\n    unit: people\n    period: {kind: year_to_date}\n"
        f"    comparison: more_than\n    figure: {BIG}\n"
    )
    with pytest.raises(InputError) as caught:
        claims_from_text(text, "big.yaml")
    assert str(caught.value) == f"big.yaml: line 10: {SAID}"
