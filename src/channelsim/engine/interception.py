"""Rules of engagement for intercepting boats under way (:class:`Interception`), as a
policy declares them (``channelsim.engine.policy.Rule``) and the at-sea kernel reads them
(``channelsim.engine.sea.RULE_DTYPE``): here, apart from the kernel, so that declaring and
validating policies does not load Numba."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Interception:
    """Rules of engagement for intercepting boats under way, read by the at-sea kernel.

    A boat is eligible while, at the start of a step, it has all ``required_flags``, at least
    one of ``any_flags`` (if set) and none of ``forbidden_flags`` (region bits of
    ``channelsim.world.geography``), carries at most ``max_people``, the waves are at most
    ``max_wave_height_m`` and, unless ``night_allowed``, it is daylight; ``excluded_share``
    of boats (drawn once per boat, e.g. children aboard) are never eligible. Eligible boats
    are intercepted at ``rate_per_hour`` while they are where the rule applies — or, with a
    ``dwell_h``, once: a boat met near the shore is only there while it loads and leaves, so
    the first time it is found in the area it is intercepted with probability
    ``1 − exp(−rate × dwell_h)``, whatever the kernel's step. An interception tows the boat
    back to France with ``tow_back_probability``; otherwise the attempt to stop it capsizes
    it with ``capsize_probability`` for a reference boat in calm water (scaled as the boat's
    own capsize hazard is, by waves and load), and else immobilises it (it then drifts) with
    ``immobilise_probability`` (of all interceptions). Several rules may act at once (one
    per policy): each is a hazard of its own, and in a step in which several would act the
    first listed does.
    """

    rate_per_hour: float = 0.0
    required_flags: int = 0
    forbidden_flags: int = 0
    max_people: int = 1000
    max_wave_height_m: float = 99.0
    night_allowed: bool = True
    tow_back_probability: float = 0.0
    immobilise_probability: float = 0.0
    capsize_probability: float = 0.0
    excluded_share: float = 0.0
    any_flags: int = 0
    dwell_h: float = 0.0
