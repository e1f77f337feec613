"""Official 2025 figures bundled with channelsim (facts.md), for when no edition of the
publication has been imported: the tests' check of the status quo, and ``channelsim demo``
on a fresh machine, which shows them as bundled reference figures with their edition and says
how to import the official data (``channelsim.experiments.observed``)."""

from __future__ import annotations

import datetime as dt

#: The edition the bundled 2025 figures are taken from (its 2025 totals are those of every
#: later edition up to 29 May 2026).
OFFICIAL_2025_EDITION = dt.date(2026, 1, 30)

#: 2025, HO series (facts.md: Arrivals table; Prevented by France), names as the results'.
OFFICIAL_2025: dict[str, float] = {
    "arrived_people": 41_472,
    "arrived_boats": 672,
    "people_per_boat": 61.7,
    "days_with_arrivals": 139,
    "prevented_people": 22_476,
    "prevented_events": 845,
}

#: Share of days with a crossing by month, 2021–2025 pooled (facts.md: Arrivals, seasonality).
CROSSING_DAY_SHARE_BY_MONTH: tuple[float, ...] = (
    0.26,
    0.28,
    0.41,
    0.37,
    0.49,
    0.57,
    0.56,
    0.48,
    0.53,
    0.41,
    0.29,
    0.25,
)
