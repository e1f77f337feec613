"""The explorer's untouched start page compares the shipped scenario with itself: it dropped
the policies the timeline has out of force in the period (the Rwanda scheme in 2025), and the
headline then called that the change ("Nothing this scenario changes can act ... the base's
rwanda ends on 22 Jul 2024"). (s11 trial T20)"""

from __future__ import annotations

import tomllib

from channelsim.experiments.uncertainty import changed_policies, outside_period
from channelsim.explore.settings import Settings, shipped_mapping


def test_an_untouched_start_is_the_shipped_scenario() -> None:
    settings = Settings.starting("status-quo-2025")
    base, explored = settings.scenarios()
    assert changed_policies(explored, base) == (set(), set())
    assert outside_period(explored, base) == {"policies": [], "text": None}
    written = tomllib.loads(settings.scenario_toml())
    assert written["policies"] == shipped_mapping("status-quo-2025")["policies"]


def test_a_lapsed_policy_ticked_is_changed_in_place_and_acts() -> None:
    settings = Settings.starting("status-quo-2025")
    settings.policies["third_country_removal:rwanda"].on = True
    base, explored = settings.scenarios()
    assert changed_policies(explored, base) == ({"rwanda"}, {"rwanda"})
    assert outside_period(explored, base)["text"] is None


def test_settings_without_a_lapsed_policy_keep_it_as_shipped() -> None:
    """Settings that do not list the policy (a link written before the page kept it) still
    compare the shipped scenario, not one without it."""
    settings = Settings.starting("status-quo-2025")
    del settings.policies["third_country_removal:rwanda"]
    base, explored = settings.scenarios()
    assert changed_policies(explored, base) == (set(), set())
    assert outside_period(explored, base)["text"] is None


def test_the_workbook_says_an_untouched_scenario_is_the_shipped_one() -> None:
    from channelsim.explore.answer import compared_text

    settings = Settings.starting("status-quo-2025")
    text = compared_text(settings, settings.scenario_mapping())
    assert text.startswith("status-quo-2025 as shipped, nothing changed on the page (2025 as")
    assert not text.endswith(".")  # the sheet adds the full stop (it read "November..")
    settings.params["coast.initial_waiting_people"] = 900
    assert compared_text(settings, settings.scenario_mapping()).startswith(
        "status-quo-2025 changed in the explorer: "
    )
