"""Disrupting the smuggling networks ("smash the gangs"): seizures, arrests, adaptation."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from channelsim.engine.policy import Cost, Effect, Policy, register_policy
from channelsim.engine.stages import Setup
from channelsim.policies._common import DAYS_PER_YEAR


class NetworkDisruption(Policy):
    """Seize boats and engines in stock, arrest suppliers, and let the networks adapt.

    Each day ``1 − (1 − seizure_share_per_week)^(1/7)`` of the boat stock is seized (the
    supply stage's ``seized_boats``); arrests of facilitators cut the daily boat supply by
    ``supply_reduction``. Networks short of boats load each one more heavily through the
    engine's own scarcity loading (``networks.scarcity_occupancy_elasticity``), which raises
    crush and capsize hazards; there is no separate "fuller boats" effect on top (it counted
    the occupancy trend twice).
    """

    seizure_share_per_week: float = Field(default=0.1, ge=0, le=1)
    supply_reduction: float = Field(default=0.2, ge=0, lt=1)
    cost_gbp_per_year: float = Field(default=20_000_000, ge=0)

    def effects(self, setup: Setup) -> Iterator[Effect | Cost]:
        daily_share = 1.0 - (1.0 - self.seizure_share_per_week) ** (1.0 / 7.0)
        yield Effect("stock_seizure_share", "chance", daily_share)
        yield Effect("boat_supply_per_day", "scale", 1.0 - self.supply_reduction)
        yield Cost("network_disruption", self.cost_gbp_per_year / DAYS_PER_YEAR)


register_policy("network_disruption", NetworkDisruption)
