"""A scenario file with a base and no description of its own is described by what it
changes, never by its base's words: a user's variant with a doctrine at sea was headlined
"2025 as it happened" (s11 trial F9)."""

from __future__ import annotations

from pathlib import Path

from channelsim.engine import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_a_variant_without_a_description_says_what_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "variant.toml"
    path.write_text(
        'base = "status-quo-2025.toml"\nname = "variant"\n'
        'drop_policies = ["doctrine_as_signed"]\nend = 2025-06-30\n'
        "[params.coast]\ninflow_people_per_day = 150.0\n"
        '[[policies]]\ntype = "maritime_doctrine"\nreplaces = "doctrine_as_signed"\n'
        "start = 2025-01-01\n"
    )
    assert load_scenario(path).description == (
        "status-quo-2025 with 1 policy added (maritime_doctrine); 1 policy dropped "
        "(doctrine_as_signed); parameters changed; its own end"
    )
    same = tmp_path / "same.toml"
    same.write_text('base = "status-quo-2025.toml"\nname = "same"\n')
    assert load_scenario(same).description == "status-quo-2025, unchanged"


def test_a_description_of_its_own_is_kept() -> None:
    territorial = load_scenario(SCENARIOS / "doctrine-territorial.toml")
    assert territorial.description.startswith("French maritime doctrine in all French")
