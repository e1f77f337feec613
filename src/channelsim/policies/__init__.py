"""The interventions of the Channel debate as engine policies (registered on import).

Scenario files switch them on with ``[[policies]]`` entries (``type``, ``start``, ``end``,
``[policies.params]``); docs/model.md, §3.6 lists their parameters and sources.
:func:`simulate` is the ensemble member function that runs a scenario with these types
registered (worker processes import this module to unpickle it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from channelsim.engine import Scenario, run_scenario
from channelsim.policies.beach import BeachPatrols, TaxiBoatInterdiction
from channelsim.policies.doctrine import MaritimeDoctrine
from channelsim.policies.networks import NetworkDisruption
from channelsim.policies.removals import EchrExit, OneInOneOut, ThirdCountryRemoval

#: Outcomes some policies book with ``ctx.add_count``; zero in runs without those policies.
POLICY_COUNTS = (
    "officer_injuries",
    "arrested_pilots",
    "seized_boats",
    "legal_route_admissions_people",
)


def simulate(
    scenario: Scenario, seed: int, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Run ``scenario`` and return its totals and daily table. Totals gain every policy
    count (zero if unused), ``rescued_from_water_people`` (alive after a capsize: the
    injured) and ``returned_people`` (sent from the UK to France or elsewhere)."""
    result = run_scenario(scenario, seed, dict(overrides) if overrides else None)
    totals: dict[str, int | float] = dict(result.totals)
    for name in POLICY_COUNTS:
        totals.setdefault(name, 0.0)
    boats = result.boats
    lost = (boats["fate"] == "lost").to_numpy()
    survivors = (
        boats["aboard_people"].to_numpy()
        - boats["drowned"].to_numpy()
        - boats["hypothermia_deaths"].to_numpy()
    )
    totals["rescued_from_water_people"] = int(np.where(lost, survivors, 0).sum())
    totals["returned_people"] = int(totals["returned_from_uk_people"]) + int(
        totals["removed_people"]
    )
    return {"totals": totals, "daily": result.daily}


__all__ = [
    "POLICY_COUNTS",
    "BeachPatrols",
    "EchrExit",
    "MaritimeDoctrine",
    "NetworkDisruption",
    "OneInOneOut",
    "TaxiBoatInterdiction",
    "ThirdCountryRemoval",
    "simulate",
]
