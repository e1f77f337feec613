"""A monthly win over the baselines says whether the months can tell it from chance (s14 F19)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from channelsim.experiments.skill import sign_flip_p
from channelsim.reports.headlines import _baselines_better

ROOT = Path(__file__).resolve().parents[1]
BLIND_2026 = ROOT / "calibration/blind-history-2025-12-31/validation-2026-jan-may.json"


def test_the_sign_flip_p_value_is_exact_for_few_months() -> None:
    # every month better: only the observed assignment is as low: 1 / 2^5
    assert sign_flip_p(np.full(5, 1.0), np.full(5, 3.0)) == pytest.approx(1 / 32)
    # no difference at all: every assignment ties
    assert sign_flip_p(np.ones(4), np.ones(4)) == 1.0
    # worse every month: every assignment is at most the observed (p = 1)
    assert sign_flip_p(np.full(3, 5.0), np.full(3, 1.0)) == 1.0
    # absolute errors: the sign of an error does not matter
    assert sign_flip_p(np.array([-1.0, 2.0]), np.array([3.0, -4.0])) == pytest.approx(1 / 4)


def test_the_sign_flip_test_refuses_unequal_series() -> None:
    with pytest.raises(ValueError, match="equal, non-empty"):
        sign_flip_p(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="equal, non-empty"):
        sign_flip_p(np.ones(0), np.ones(0))


def test_many_months_are_drawn_with_a_fixed_seed() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0, 10, 30), rng.uniform(0, 10, 30)
    assert sign_flip_p(a, b) == sign_flip_p(a, b)
    assert sign_flip_p(a, a + 5.0) < 0.01


def test_the_blind_2026_win_is_said_to_be_within_chance() -> None:
    """MASE 0.44 against the naive's 0.46 over five months (the trial: "reads as a win it
    cannot support")."""
    skill = json.loads(BLIND_2026.read_text(encoding="utf-8"))["skill"]
    said = _baselines_better(skill)
    best = "naive (last month carried forward), 0.46:"
    assert f"lower than every baseline's (the best, {best}" in said
    assert "a difference chance alone often gives over 5 months" in said
    assert "p = 0.44" in said


def test_a_record_without_monthly_figures_keeps_the_short_sentence() -> None:
    skill = {"forecasts": {"model": {"mase": 0.4}, "naive": {"mase": 0.5}}}
    assert _baselines_better(skill) == (
        " The model's monthly error (MASE 0.40) is lower than every baseline's."
    )
