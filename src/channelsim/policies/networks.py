"""Disrupting the smuggling networks ("smash the gangs"): seizures, arrests, adaptation."""

from __future__ import annotations

from collections.abc import Iterator

from channelsim.engine.policy import Cost, Effect, Policy, policy_param, register_policy
from channelsim.engine.stages import Setup
from channelsim.policies._common import COST_GBP_PER_YEAR_MAX, DAYS_PER_YEAR


class NetworkDisruption(Policy):
    """Seize boats and engines in stock, arrest suppliers, and let the networks adapt.

    Each day ``1 − (1 − seizure_share_per_week)^(1/7)`` of the boat stock is seized (the
    supply stage's ``seized_boats``); arrests of facilitators cut the daily boat supply by
    ``supply_reduction``. Networks short of boats load each one more heavily through the
    engine's own scarcity loading (``networks.scarcity_occupancy_elasticity``), which raises
    crush and capsize hazards; there is no separate "fuller boats" effect on top (it counted
    the occupancy trend twice).
    """

    def cost_assumptions(self) -> tuple[str, ...]:
        """The assumed unit costs its booked cost rests on (a headline names them)."""
        return ("cost_gbp_per_year",)

    seizure_share_per_week: float = policy_param(
        0.1,
        unit="share per week",
        low=0,
        high=0.3,
        drawn=True,
        meaning="Share of the networks' boat stock seized each week.",
        ge=0,
        le=1,
    )
    supply_reduction: float = policy_param(
        0.2,
        unit="fraction",
        low=0,
        high=0.5,
        drawn=True,
        meaning="Cut in the daily boat supply from arrests of facilitators.",
        ge=0,
        lt=1,
    )
    cost_gbp_per_year: float = policy_param(
        20_000_000,
        unit="£ per year",
        low=5_000_000,
        high=100_000_000,
        meaning="Yearly cost of the disruption effort.",
        ge=0,
        le=COST_GBP_PER_YEAR_MAX,
    )

    def effects(self, setup: Setup) -> Iterator[Effect | Cost]:
        daily_share = 1.0 - (1.0 - self.seizure_share_per_week) ** (1.0 / 7.0)
        yield Effect("stock_seizure_share", "chance", daily_share)
        yield Effect("boat_supply_per_day", "scale", 1.0 - self.supply_reduction)
        yield Cost("network_disruption", self.cost_gbp_per_year / DAYS_PER_YEAR)


register_policy("network_disruption", NetworkDisruption)
