"""Report figures: what a reader sees is drawn right (labels level, intervals possible)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from channelsim.reports.figures import sensitivity_figure


def test_morris_bars_are_horizontal_and_their_intervals_stay_above_zero() -> None:
    indices = pd.DataFrame(
        {
            "output": ["arrived_people"] * 3,
            "parameter": ["coast.inflow_people_per_day", "hazards.capsize_per_hour", "x.y"],
            "method": "morris",
            "mu_star": [13233.75, 32.25, 0.0],
            "mu_star_conf": [305.0, 36.6, 0.0],  # the second reaches below zero
            "sigma": [355.4, 40.5, 0.0],
        }
    )
    fig = sensitivity_figure(indices)
    mu = next(t for t in fig.data if t.name.startswith("mu*"))
    assert mu.orientation == "h" and list(mu.y) == list(indices["parameter"])
    low = np.asarray(mu.x) - np.asarray(mu.error_x.arrayminus)
    assert (low >= 0).all() and low[1] == 0
    assert list(mu.error_x.array) == [305.0, 36.6, 0.0]
    assert fig.layout.xaxis.title.text.startswith("change in the output")
