"""Time-varying exogenous drivers: dated values of a stage's lever, for the real timeline.

History (``scenarios/history.toml``) is a scenario whose world changes over time: taxi boats
emerge, officers are added on the beaches, boats carry ever more people, the number of
people reaching the coast rises and falls. Each such change is a policy of this module with
dated values and the source they come from (the scenario's ``source`` key of the policy):

- :class:`Driver` moves any lever by dated values (``op = "set"`` or ``"scale"``), held
  flat before the first date and after the last ("history continued": the last known level
  is held), stepped (``interpolation = "step"``: each value from its date on) or linear
  between dates. ``prior_low``/``prior_high`` give a range per value where the values are
  calibrated quantities (``channelsim calibrate`` then draws them, as
  ``drivers.<policy name>.<index>``).
- :class:`BeachOfficers` sets the beach zones' chance of stopping a launch from the
  number of officers deployed, by dated values: ``1 − (1 − p)^((officers /
  reference_officers)^effort_elasticity)`` with ``p`` = ``beach.prevention_probability``
  (:func:`prevention_with_officers`); beach patrols paid for with money add officers on the
  same curve (:func:`with_more_officers`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterator
from typing import Literal

import numpy as np
from pydantic import field_validator, model_validator

from channelsim.engine.policy import Effect, Policy, policy_param, register_policy
from channelsim.engine.stages import Lever, Setup
from channelsim.params import BeachParams

Interpolation = Literal["step", "linear"]
Zones = Literal["all", "beach", "waterway"]
#: The source of a driver's dates and values: the scenario, whose ``source`` key of the
#: policy cites where they come from (history.toml cites one for each driver).
BY_THE_SCENARIO = "the scenario's source key of the policy (history.toml cites each)"


class _Dated(Policy):
    """Dated values and how to read them between dates."""

    dates: tuple[dt.date, ...] = policy_param(
        unit="dates",
        plausible="the dates of the reports",
        allowed="a list of dates, increasing",
        source=BY_THE_SCENARIO,
        meaning="The dates of the values.",
        min_length=1,
    )
    values: tuple[float, ...] = policy_param(
        unit="the lever's (a factor with op = scale)",
        plausible="the lever's allowed values",
        allowed="a list of numbers, one per date",
        source=BY_THE_SCENARIO,
        meaning="The lever's value (or factor) from each date.",
        min_length=1,
    )
    interpolation: Interpolation = policy_param(
        "step",
        unit="",
        plausible="step or linear",
        note="how the real timeline is read between reports",
        meaning="step: each value from its date on; linear: straight lines between dates.",
    )

    @model_validator(mode="after")
    def _aligned(self) -> _Dated:
        if len(self.dates) != len(self.values):
            raise ValueError(
                f"expected as many values as dates ({len(self.dates)}), got {len(self.values)}"
            )
        if any(b <= a for a, b in zip(self.dates, self.dates[1:], strict=False)):
            raise ValueError("expected dates in increasing order")
        return self

    def series(self, dates: np.ndarray) -> np.ndarray:
        """The value on each of ``dates`` (datetime64[D]): held flat outside the dates."""
        knots = np.array(self.dates, dtype="datetime64[D]").astype(np.int64)
        values = np.asarray(self.values, dtype=np.float64)
        days = dates.astype("datetime64[D]").astype(np.int64)
        if self.interpolation == "linear":
            return np.interp(days, knots, values)
        index = np.searchsorted(knots, days, side="right") - 1
        return values[np.clip(index, 0, len(values) - 1)]

    def value_acts(self, index: int, first: dt.date, last: dt.date) -> bool:
        """Whether the ``index``-th value (from 0) sets the series on some day from ``first``
        to ``last`` that the policy's window holds: a value dated 2020 of a stepped series
        decides nothing in a 2025 run, and a calibrated input that cannot act there has no
        share of what decides its answer."""
        begin, end = max(first, self.start or first), min(last, self.end or last)
        if not 0 <= index < len(self.values) or begin > end:
            return False
        days = np.datetime64(begin, "D") + np.arange((end - begin).days + 1)
        moved = list(self.values)
        moved[index] += 1.0
        other = self.model_copy(update={"values": tuple(moved)})
        return bool(np.any(self.series(days) != other.series(days)))


#: The largest factor a ``scale`` driver may apply: a thousand times a lever's own value, far
#: beyond the history's largest (1.1, the inflow of 2022); the engine's daily Poisson draws
#: fail above a mean of a billion, which a factor of 1e12 reached with a traceback.
MAX_SCALE = 1000.0


def _stage_levers() -> dict[str, Lever]:
    """Every lever the engine's stages declare, by name (docs/model.md §1.3)."""
    from channelsim.engine.stages import STAGES

    return {lever.name: lever for stage in STAGES for lever in stage.levers}


class Driver(_Dated):
    """A lever moved by dated values (see the module docstring). ``lever`` is one the
    engine's stages declare; a ``set`` value lies within the lever's bounds and a ``scale``
    value from 0 to :data:`MAX_SCALE` (checked when the file is read)."""

    lever: str = policy_param(
        unit="",
        plausible="a lever of the day's stages (docs/model.md §1.3)",
        allowed="a lever's name",
        source=BY_THE_SCENARIO,
        meaning="The lever the values move.",
        min_length=1,
    )
    op: Literal["set", "scale"] = policy_param(
        "scale",
        unit="",
        plausible="set or scale",
        source=BY_THE_SCENARIO,
        meaning="set: the values replace the lever; scale: they multiply it.",
    )
    zones: Zones = policy_param(
        "all",
        unit="",
        plausible="all, beach or waterway",
        source=BY_THE_SCENARIO,
        meaning="The launch zones a per-zone lever is scaled in.",
    )
    prior_low: tuple[float, ...] | None = policy_param(
        None,
        unit="as values",
        plausible="around each value",
        allowed="a list, one bound per value",
        note="the ranges written in history.toml",
        meaning="Lower bounds of calibrated values (calibration draws each uniform on its range).",
    )
    prior_high: tuple[float, ...] | None = policy_param(
        None,
        unit="as values",
        plausible="around each value",
        allowed="a list, one bound per value",
        note="the ranges written in history.toml",
        meaning="Upper bounds of calibrated values (calibration draws each uniform on its range).",
    )

    @field_validator("lever")
    @classmethod
    def _declared(cls, lever: str) -> str:
        levers = _stage_levers()
        if lever not in levers:
            closest = difflib.get_close_matches(lever, list(levers), n=len(levers), cutoff=0)
            raise ValueError(f"expected one of {', '.join(closest)}, got {lever!r}")
        return lever

    @model_validator(mode="after")
    def _within_bounds(self) -> Driver:
        lever = _stage_levers()[self.lever]
        low, high = (lever.low, lever.high) if self.op == "set" else (0.0, MAX_SCALE)
        what = f"{lever.unit}" if self.op == "set" else "times the lever's value"
        for i, value in enumerate(self.values):
            if not (math.isfinite(value) and low <= value <= high):
                top = "" if math.isinf(high) else f" to {high:g}"
                raise ValueError(
                    f"values item {i + 1}: expected {'at least ' * (not top)}{low:g}{top} "
                    f"{what} for {self.op} {self.lever}, got {value:g}"
                )
        return self

    @model_validator(mode="after")
    def _priors(self) -> Driver:
        for name in ("prior_low", "prior_high"):
            bound = getattr(self, name)
            if bound is not None and len(bound) != len(self.values):
                raise ValueError(f"expected {name} to give one bound per value")
        if (self.prior_low is None) != (self.prior_high is None):
            raise ValueError("expected both prior_low and prior_high, or neither")
        return self

    def effects(self, setup: Setup) -> Iterator[Effect]:
        value = self.series(setup.dates)
        if self.zones != "all":
            mask = setup.zone_is_waterway == (self.zones == "waterway")
            if self.op == "set":
                raise ValueError("a driver that sets a per-zone lever acts on all zones")
            value = np.where(mask[None, :], value[:, None], 1.0)
        yield Effect(self.lever, self.op, value)

    def levers_set(self) -> tuple[str, ...]:
        return (self.lever,) if self.op == "set" else ()


class BeachOfficers(_Dated):
    """Officers on the beaches by date (``values``, officers, at least 0), and the chance of
    stopping a launch on each beach zone that follows from them."""

    @model_validator(mode="after")
    def _officers(self) -> BeachOfficers:
        for i, value in enumerate(self.values):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(
                    f"values item {i + 1}: expected officers, at least 0, got {value:g}"
                )
        return self

    values: tuple[float, ...] = policy_param(
        unit="officers",
        plausible="as the scenario gives them (history: 200 before the Nov 2022 deal)",
        allowed="a list of numbers, one per date",
        source=BY_THE_SCENARIO,
        meaning="Officers deployed on the beaches from each date.",
        min_length=1,
    )

    def effects(self, setup: Setup) -> Iterator[Effect]:
        beach = setup.params.beach
        chance = prevention_with_officers(np.maximum(self.series(setup.dates), 0.0), beach)
        guarded = ~setup.zone_is_waterway
        base = np.full((setup.n_days, setup.n_zones), beach.prevention_probability)
        value = np.where(guarded[None, :], chance[:, None], base)
        yield Effect("prevention_probability", "set", value)

    def levers_set(self) -> tuple[str, ...]:
        return ("prevention_probability",)


def prevention_with_officers(officers: np.ndarray, beach: BeachParams) -> np.ndarray:
    """A beach zone's chance of stopping a launch with ``officers`` on the beaches (spread
    evenly over the beach zones): ``1 − (1 − p)^((officers / reference_officers)^e)``, with
    ``p`` = ``beach.prevention_probability`` (the chance at ``reference_officers``) and ``e``
    = ``beach.effort_elasticity``. Shape of ``officers``; probabilities from 0 to 1."""
    ratio = np.asarray(officers, dtype=np.float64) / beach.reference_officers
    escape = (1.0 - beach.prevention_probability) ** (ratio**beach.effort_elasticity)
    return np.asarray(1.0 - escape, dtype=np.float64)


def with_more_officers(
    prevention: np.ndarray, extra_officers: float | np.ndarray, beach: BeachParams
) -> np.ndarray:
    """The chance :func:`prevention_with_officers` gives with ``extra_officers`` more than
    the officers behind ``prevention`` (each zone's chance, a probability from 0 to 1, read
    back to officers through the same curve: history's on a day ``beach_officers`` set, the
    reference officers where nothing moved it). ``extra_officers``: a number, or an array
    broadcastable to ``prevention``'s shape (one per day, ``(days, 1)``). A chance the curve
    cannot move — elasticity 0, ``p`` of 0 or 1, a zone already stopping every launch, no
    officers added — is returned as it is. Worked in logarithms, so that a small elasticity
    does not overflow."""
    prevention = np.asarray(prevention, dtype=np.float64)
    extra = np.asarray(extra_officers, dtype=np.float64)
    q, e = 1.0 - beach.prevention_probability, beach.effort_elasticity
    if not np.any(extra > 0.0) or e <= 0.0 or not 0.0 < q < 1.0:
        return prevention
    with np.errstate(divide="ignore", invalid="ignore"):
        # (officers / reference)^e = log(escape) / log(q); officers from 0 (escape 1) up
        exponent = np.log1p(-np.minimum(prevention, 1.0)) / np.log(q)
        log_ratio = np.log(exponent) / e
        more = np.logaddexp(log_ratio, np.log(extra / beach.reference_officers))
        chance = 1.0 - q ** np.exp(e * more)
    return np.where((prevention >= 1.0) | (extra <= 0.0), prevention, chance)


register_policy("driver", Driver)
register_policy("beach_officers", BeachOfficers)
