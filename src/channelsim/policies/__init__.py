"""The interventions of the Channel debate as engine policies (registered on import).

Scenario files switch them on with ``[[policies]]`` entries (``type``, ``start``, ``end``,
``[policies.params]``); docs/model.md, §3.6 lists their parameters and sources. The engine
imports a built-in type's module when a scenario names it
(``channelsim.engine.policy.BUILTIN_POLICIES``), so importing this package is optional.
"""

from __future__ import annotations

from channelsim.policies.beach import BeachPatrols, TaxiBoatInterdiction
from channelsim.policies.doctrine import MaritimeDoctrine
from channelsim.policies.drivers import BeachOfficers, Driver
from channelsim.policies.networks import NetworkDisruption
from channelsim.policies.removals import EchrExit, OneInOneOut, ThirdCountryRemoval

__all__ = [
    "BeachOfficers",
    "BeachPatrols",
    "Driver",
    "EchrExit",
    "MaritimeDoctrine",
    "NetworkDisruption",
    "OneInOneOut",
    "TaxiBoatInterdiction",
    "ThirdCountryRemoval",
]
