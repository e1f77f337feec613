"""Deaths in the Channel as the sources count them, by year (facts.md, "Deaths"): what the
calibration targets (:mod:`channelsim.experiments.targets`) and the headlines' observed
figures (:mod:`channelsim.experiments.observed`) set the model's dead or missing against. Plain
Python: reading it loads neither pandas nor NumPy."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class DeathsFigure:
    """A sourced yearly figure (deaths, rescues, launches): the spread of the sources, the
    noise of a count that size and a ``relative`` error of the source make the uncertainty."""

    low: float
    high: float
    source: str
    relative: float = 0.0

    @property
    def centre(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def scale(self) -> float:
        """Half the sources' range, combined with the Poisson noise of a count this size and
        the source's relative error."""
        return math.sqrt(
            (0.5 * (self.high - self.low)) ** 2 + self.centre + (self.relative * self.centre) ** 2
        )


#: facts.md, "Deaths" (PREMAR's counts; a range where reports differ or people are missing).
DEATHS_BY_YEAR: dict[int, DeathsFigure] = {
    2022: DeathsFigure(5, 5, "facts.md: Deaths 2022 (PREMAR, French zone: 5)"),
    2023: DeathsFigure(12, 16, "facts.md: Deaths 2023 (PREMAR 12–16)"),
    2024: DeathsFigure(72, 77, "facts.md: Deaths 2024 (PREMAR 72 dead + 5 missing)"),
    2025: DeathsFigure(25, 27, "facts.md: Deaths 2025 (PREMAR 25 dead + 2 missing)"),
}

#: Who publishes the counts of DEATHS_BY_YEAR, as a headline names them.
DEATHS_COUNTED_BY = "PREMAR's published counts (the French maritime prefecture)"
