"""What a --posterior interval holds fixed, and what a screen varies (s14 trial F8, F11)."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from channelsim.headline import Subject, intervals_text
from channelsim.params import (
    calibration_defaults_path,
    held_by_posterior,
    held_text,
    uncertain_parameters,
)


def _calibrated_paths() -> set[str]:
    path = calibration_defaults_path()
    assert path is not None
    with path.open("rb") as file:
        table = tomllib.load(file)["params"]
    return {f"{group}.{name}" for group, values in table.items() for name in values}


def test_the_held_parameters_are_the_ranged_ones_outside_the_calibrated_set() -> None:
    calibrated = _calibrated_paths()
    held = {p.path for p in held_by_posterior()}
    ranged = {p.path for p in uncertain_parameters()}
    assert held == ranged - calibrated
    assert "hazards.flotation_share" in held and "coast.inflow_people_per_day" not in held


@pytest.mark.parametrize("kind", ["posterior", "posterior_assumptions"])
def test_a_posterior_interval_names_what_it_holds(kind: str) -> None:
    subject = Subject("x", dt.date(2025, 1, 1), dt.date(2025, 12, 31), runs=40, uncertainty=kind)
    text = intervals_text(subject)
    n = len(held_by_posterior())
    assert f"not that of the model's {n} other parameters with a plausible range" in text
    assert "flotation share" in text and "--method morris" in text
    assert held_text() in text


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
    assert {"hazards.flotation_share", "rescue.capsize_rescue_mean_h"} <= set(screened)
