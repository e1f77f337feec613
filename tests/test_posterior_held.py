"""What a --posterior interval holds fixed, and what a screen varies (s14 trial F8, F11)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from channelsim.headline import HELD_UNKNOWN, Subject, intervals_text
from channelsim.params import (
    held_by_posterior,
    held_text,
    posterior_parameter_names,
    uncertain_parameters,
)

ROOT = Path(__file__).resolve().parents[1]
POSTERIOR = ROOT / "calibration" / "posterior-history-2026-05-28-v2"


def test_the_held_parameters_are_the_ranged_ones_the_posterior_does_not_draw() -> None:
    """The re-trial: counting the package defaults' parameters as drawn left out the ones
    fitted by simulated moments afterwards (capsize per hour, the first driver of deaths)."""
    with (POSTERIOR / "posterior.toml").open("rb") as file:
        drawn = set(tomllib.load(file)["parameters"]["names"])
    assert set(posterior_parameter_names(POSTERIOR)) == drawn
    held = {p.path for p in held_by_posterior(drawn)}
    assert held == {p.path for p in uncertain_parameters()} - drawn
    assert {"hazards.capsize_per_hour", "hazards.flotation_share"} <= held
    assert "coast.inflow_people_per_day" not in held


def test_an_unreadable_posterior_folder_draws_nothing_known(tmp_path: Path) -> None:
    assert posterior_parameter_names(None) == ()
    assert posterior_parameter_names(tmp_path) == ()
    (tmp_path / "posterior.toml").write_text("[parameters\n", encoding="utf-8")
    assert posterior_parameter_names(tmp_path) == ()


@pytest.mark.parametrize("kind", ["posterior", "posterior_assumptions"])
def test_a_posterior_interval_names_what_it_holds(kind: str) -> None:
    drawn = posterior_parameter_names(POSTERIOR)
    subject = Subject(
        "x", dt.date(2025, 1, 1), dt.date(2025, 12, 31), runs=40, uncertainty=kind, drawn=drawn
    )
    text = intervals_text(subject)
    n = len(held_by_posterior(drawn))
    assert f"not that of the model's {n} other parameters with a plausible range" in text
    assert "capsize per hour" in text and "flotation share" in text and "--method morris" in text
    assert held_text(drawn) in text
    unknown = Subject("x", dt.date(2025, 1, 1), dt.date(2025, 12, 31), runs=40, uncertainty=kind)
    assert HELD_UNKNOWN in intervals_text(unknown)


def test_a_weather_interval_does_not_speak_of_a_posterior() -> None:
    subject = Subject("x", dt.date(2025, 1, 1), dt.date(2025, 12, 31), runs=40)
    assert "other parameters with a plausible range" not in intervals_text(subject)


def test_a_morris_screen_varies_every_ranged_engine_parameter_by_default() -> None:
    """The s14 trial's screen: six of the nine inputs that most move deaths were outside the
    six parameters every method varied by default."""
    from channelsim.experiments.sensitivity import DEFAULT_PARAMETERS, default_parameters

    assert default_parameters("sobol") == list(DEFAULT_PARAMETERS)
    screened = default_parameters("morris")
    assert set(screened) == {p.path for p in uncertain_parameters()}
    assert {
        "hazards.flotation_share",
        "rescue.capsize_rescue_mean_h",
        "rescue.interception_capsize_rescue_mean_h",
    } <= set(screened)
