"""Disrupting the smuggling networks ("smash the gangs"): seizures, arrests, adaptation."""

from __future__ import annotations

from pydantic import Field

from channelsim.engine.policy import DayContext, Policy, register_policy
from channelsim.policies._common import DAYS_PER_YEAR, stochastic_round

STREAM_SEIZURE = 1


class NetworkDisruption(Policy):
    """Seize boats and engines in stock, arrest suppliers, and let the networks adapt.

    Each day ``1 − (1 − seizure_share_per_week)^(1/7)`` of the boat stock is seized; arrests
    of facilitators cut the daily boat supply by ``supply_reduction``. Networks answer with
    fewer, fuller boats: the mean occupancy they aim for is multiplied by
    ``(1 / (1 − supply_reduction))^occupancy_adaptation`` (capped by the engine at
    ``networks.max_occupancy_people``), which raises crush and capsize hazards.
    """

    seizure_share_per_week: float = Field(default=0.1, ge=0, le=1)
    supply_reduction: float = Field(default=0.2, ge=0, lt=1)
    occupancy_adaptation: float = Field(default=0.5, ge=0, le=3)
    cost_gbp_per_year: float = Field(default=20_000_000, ge=0)

    def on_supply(self, ctx: DayContext) -> None:
        daily_share = 1.0 - (1.0 - self.seizure_share_per_week) ** (1.0 / 7.0)
        seized = stochastic_round(ctx, STREAM_SEIZURE, ctx.boat_stock * daily_share)
        ctx.boat_stock = max(0, ctx.boat_stock - seized)
        ctx.boat_supply *= 1.0 - self.supply_reduction
        ctx.add_count("seized_boats", seized)

    def on_launch_plan(self, ctx: DayContext) -> None:
        ctx.mean_occupancy_people *= (1.0 / (1.0 - self.supply_reduction)) ** (
            self.occupancy_adaptation
        )

    def on_costs(self, ctx: DayContext) -> None:
        ctx.add_cost("network_disruption", self.cost_gbp_per_year / DAYS_PER_YEAR)


register_policy("network_disruption", NetworkDisruption)
