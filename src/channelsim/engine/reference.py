"""Official 2025 figures the status-quo scenario is compared with (facts.md)."""

from __future__ import annotations

#: 2025, HO series (facts.md: Arrivals table; Prevented by France).
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
