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


def test_a_variant_without_a_name_is_named_after_its_file(tmp_path: Path) -> None:
    """It took its base's: its headline, JSON and results store said status-quo-2025 for a
    run with 20% more people (s11 re-trial R2). The policy added is named in the
    description; a file name that is no scenario name is refused in one line."""
    import pytest

    from channelsim.errors import InputError

    body = (
        'base = "status-quo-2025.toml"\n[[policies]]\ntype = "driver"\nname = "d1"\n'
        '[policies.params]\nlever = "inflow_mean_people"\ndates = [2025-01-01]\nvalues = [1.2]\n'
    )
    path = tmp_path / "nodesc.toml"
    path.write_text(body)
    scenario = load_scenario(path)
    assert scenario.name == "nodesc"
    assert scenario.description == "status-quo-2025 with 1 policy added (driver 'd1')"
    spaced = tmp_path / "my variant.toml"
    spaced.write_text(body)
    with pytest.raises(InputError) as caught:
        load_scenario(spaced)
    assert str(caught.value).startswith(
        f"{spaced}: name: expected a name for this variant of status-quo-2025 (without one it "
        "takes its file's, and 'my variant' is not a name of ASCII letters"
    )


def test_an_empty_description_is_refused(tmp_path: Path) -> None:
    """'' or blanks headed a variant as its base, with no word that it is not."""
    import pytest

    from channelsim.errors import InputError

    for text, said in (("", "an empty text"), ("   ", "only spaces")):
        path = tmp_path / "blank.toml"
        path.write_text(f'base = "status-quo-2025.toml"\nname = "b"\ndescription = "{text}"\n')
        with pytest.raises(InputError) as caught:
            load_scenario(path)
        assert str(caught.value) == (
            f"{path}: description: expected some words saying what the scenario is (or no "
            f"description key: a file with a base then says what it changes), got {said}"
        )
