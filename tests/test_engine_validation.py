"""What the model must show before any calibration: 2025 within a factor of two (facts.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from channelsim.engine import Sim, load_scenario
from channelsim.engine.reference import CROSSING_DAY_SHARE_BY_MONTH, OFFICIAL_2025

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"


def test_status_quo_2025_is_within_a_factor_of_two_of_the_official_figures() -> None:
    result = Sim(load_scenario(SCENARIO)).run()
    for key, official in OFFICIAL_2025.items():
        ratio = result.totals[key] / official
        assert 0.5 <= ratio <= 2.0, f"{key}: model {result.totals[key]} vs official {official}"
    # The observed shares are pooled over 2021-2025, five weather years: so is the model's.
    runs = [Sim(load_scenario(SCENARIO), seed=seed).run().daily for seed in range(1, 6)]
    daily = pd.concat(runs).assign(month=lambda d: pd.to_datetime(d["date"]).dt.month)
    share = daily.groupby("month")["arrived_people"].apply(lambda s: float((s > 0).mean()))
    official = np.array(CROSSING_DAY_SHARE_BY_MONTH)
    ratio = share.to_numpy() / official
    assert np.all((ratio >= 0.5) & (ratio <= 2.0)), dict(
        zip(share.index, ratio.round(2), strict=True)
    )
    # Summer months have more crossing days than winter ones, as observed.
    assert share.loc[[5, 6, 7, 8, 9]].mean() > share.loc[[1, 2, 11, 12]].mean()
