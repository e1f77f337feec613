"""The tidal stream of the Dover Strait: M2 + S2 in time, an amplitude field in space.

The stream is rectilinear along the strait: the flood sets towards ``flood_towards_deg``
(north-east) and the ebb the opposite way. Its speed at a place is that place's spring
amplitude ``A(x, y)`` times the sum of the principal lunar (M2, 12.42 h) and solar (S2,
12.00 h) semi-diurnal constituents, whose beat gives the spring–neap cycle (14.77 days):

    speed(x, y, t) = A(x, y) · [w_M2 cos(ω_M2 (t − t_ref)) + w_S2 cos(ω_S2 (t − t_ref))]

with ``w_M2 = (1 + r)/2`` and ``w_S2 = (1 − r)/2``, ``r`` the neap/spring ratio (1.3/2.3, the
UKHO figures off South Foreland, taken to hold across the strait), so the stream reaches
``A`` at springs and ``r·A`` at neaps.

**The amplitude field** ``A(x, y)`` interpolates a few sourced anchor points
(:data:`DOVER_STRAIT_ANCHORS`: 2.3 kn off South Foreland, 3.25 kn along the French side south
of Cap Gris-Nez, 3.2 kn off Ramsgate) by inverse-distance weighting (Shepard, power 2): it
equals each anchor's value at the anchor, is continuous, and stays within the anchors'
range everywhere. Between and beyond the anchors the field is an assumption (the
documentation says so). The world packs ``A`` into its raster
(:meth:`channelsim.world.geography.World.packed_cells`), so the at-sea kernel reads it in
the same word as the region flags, at no extra lookup.

Phase reference: ``reference_hours`` is a time (hours since 2018-01-01T00:00 UTC) of
maximum north-east-going stream at a spring tide: 2018-01-03T13:00 UTC, taken as 1.5 days
after the full moon of 2018-01-02 02:24 UTC (age of the tide) and about 1.5 h after high
water at Dover, when the NE-going stream runs strongest. Uncertain by ±2 h and ±1 day; the
phase is taken as uniform across the strait (an assumption).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from channelsim._jit import njit

if TYPE_CHECKING:
    from channelsim.world.projection import LocalProjection

KNOT_M_S = 1852.0 / 3600.0
M2_PERIOD_HOURS = 12.4206012
S2_PERIOD_HOURS = 12.0
SPRING_NEAP_PERIOD_HOURS = 1.0 / (1.0 / S2_PERIOD_HOURS - 1.0 / M2_PERIOD_HOURS)

UKHO_SOURCE = "facts.md, Physical setting (UK Hydrographic Office tidal stream figures)"
FRENCH_SIDE_SOURCE = (
    "facts.md, Added November 2026: 3–3.5 kn along the French side south of Cap Gris-Nez "
    "(http://envlit.ifremer.fr/region/nord_pas_de_calais_picardie/milieu/courantologie; "
    "https://visitmyharbour.com/articles/3171/hourly-tidal-streams-in-the-dover-strait)"
)


@dataclass(frozen=True)
class TideAnchor:
    """A place where the spring amplitude of the stream is known: ``spring_speed_kn`` at
    (``lon``, ``lat``), plausible from ``low_kn`` to ``high_kn``, with its ``source``."""

    name: str
    lon: float
    lat: float
    spring_speed_kn: float
    low_kn: float
    high_kn: float
    source: str


#: The sourced anchors of the amplitude field. The first is the reference point (the UKHO
#: spring and neap figures off South Foreland) at which the stream is what the uniform
#: stream of channelsim < 0.12 was everywhere. Positions: about 3 km offshore, in the water
#: the sources describe (the figures are the sources'; the exact points are assumptions).
DOVER_STRAIT_ANCHORS: tuple[TideAnchor, ...] = (
    TideAnchor("off South Foreland", 1.42, 51.125, 2.3, 2.0, 2.6, UKHO_SOURCE),
    TideAnchor("off Cap Gris-Nez, south side", 1.54, 50.85, 3.25, 3.0, 3.5, FRENCH_SIDE_SOURCE),
    TideAnchor("off Boulogne-sur-Mer", 1.54, 50.73, 3.25, 3.0, 3.5, FRENCH_SIDE_SOURCE),
    TideAnchor("off Ramsgate", 1.48, 51.32, 3.2, 2.8, 3.2, UKHO_SOURCE + ' ("up to 3.2 kn")'),
)


@njit(cache=True, nogil=True)
def tide_velocity_m_s(
    params: NDArray[np.float64], spring_speed_m_s: float, t_hours: float
) -> tuple[float, float]:
    """Tidal current (east, north) in m/s at ``t_hours`` where the spring amplitude is
    ``spring_speed_m_s``; ``params`` from :meth:`TidalStream.params_array`."""
    speed = spring_speed_m_s * tide_cycle(params, t_hours)
    return speed * params[5], speed * params[6]


@njit(inline="always")
def tide_cycle(params: NDArray[np.float64], t_hours: float) -> float:
    """The stream at ``t_hours`` as a multiple of the spring amplitude (the same everywhere)."""
    phase = t_hours - params[4]
    return params[0] * np.cos(params[2] * phase) + params[1] * np.cos(params[3] * phase)


Phasor = tuple[float, float, float, float]
"""Both constituents' phases as unit vectors: ``(cos M2, sin M2, cos S2, sin S2)``."""


@njit(inline="always")
def tide_phasor(params: NDArray[np.float64], t_hours: float) -> Phasor:
    """The constituents' phases at ``t_hours`` (``params`` as for :func:`tide_cycle`);
    :func:`phasor_cycle` of it is :func:`tide_cycle` at ``t_hours``, bit for bit."""
    phase = t_hours - params[4]
    m2 = params[2] * phase
    s2 = params[3] * phase
    return np.cos(m2), np.sin(m2), np.cos(s2), np.sin(s2)


@njit(inline="always")
def phasor_cycle(params: NDArray[np.float64], phasor: Phasor) -> float:
    """The stream as a multiple of the spring amplitude, from the constituents' phases."""
    return params[0] * phasor[0] + params[1] * phasor[2]


@njit(inline="always")
def phasor_turn(params: NDArray[np.float64], dt_h: float) -> Phasor:
    """How far both phases turn in ``dt_h`` hours, for :func:`advance_phasor`."""
    m2 = params[2] * dt_h
    s2 = params[3] * dt_h
    return np.cos(m2), np.sin(m2), np.cos(s2), np.sin(s2)


@njit(inline="always")
def advance_phasor(phasor: Phasor, turn: Phasor) -> Phasor:
    """The phases one step later: a rotation by ``turn`` (:func:`phasor_turn`), a few
    multiplications instead of a cosine per constituent (the two cosines were some 40% of
    the at-sea kernel's time). Each rotation adds a few ulps of error, so after a day of
    one-minute steps the stream differs from :func:`tide_cycle`'s by under 2 × 10⁻¹¹ of
    its amplitude (mostly the rounding of the cosines' own argument, ω·(t − t_ref) ≈ 33,000
    rad): some micrometres over a crossing, far below any figure the model reports (no
    count of 14 scenario-years changed), and the same on every machine and executor."""
    c1, s1, c2, s2 = phasor
    a1, b1, a2, b2 = turn
    return c1 * a1 - s1 * b1, s1 * a1 + c1 * b1, c2 * a2 - s2 * b2, s2 * a2 + c2 * b2


@dataclass(frozen=True)
class TidalStream:
    """Rectilinear semi-diurnal tidal stream whose spring amplitude varies across the
    strait (see the module docstring).

    ``anchors``: the amplitude field's anchor points, the first being the reference point;
    ``neap_speed_kn``: the neap amplitude at the reference point, which sets the neap/spring
    ratio everywhere; ``idw_power``: the exponent of the inverse-distance weights.
    """

    anchors: tuple[TideAnchor, ...] = DOVER_STRAIT_ANCHORS
    neap_speed_kn: float = 1.3
    flood_towards_deg: float = 45.0
    reference_hours: float = 61.0
    idw_power: float = 2.0

    def __post_init__(self) -> None:
        if not self.anchors:
            raise ValueError("a tidal stream needs at least one anchor")
        if not 0.0 <= self.neap_speed_kn <= self.spring_speed_kn:
            raise ValueError("the neap amplitude must be between 0 and the spring amplitude")

    @property
    def spring_speed_kn(self) -> float:
        """Spring amplitude at the reference point (the first anchor)."""
        return self.anchors[0].spring_speed_kn

    @property
    def neap_ratio(self) -> float:
        """Neap amplitude ÷ spring amplitude, everywhere."""
        return self.neap_speed_kn / self.spring_speed_kn

    def params_array(self) -> NDArray[np.float64]:
        """Parameters for :func:`tide_velocity_m_s`: the M2 and S2 shares of the spring
        amplitude, their angular speeds (rad/h), the reference time, the flood direction's
        unit vector (east, north)."""
        bearing = np.radians(self.flood_towards_deg)
        return np.array(
            [
                0.5 * (1.0 + self.neap_ratio),
                0.5 * (1.0 - self.neap_ratio),
                2 * np.pi / M2_PERIOD_HOURS,
                2 * np.pi / S2_PERIOD_HOURS,
                self.reference_hours,
                np.sin(bearing),
                np.cos(bearing),
            ],
            dtype=np.float64,
        )

    def spring_speed_m_s(
        self, projection: LocalProjection, x_km: ArrayLike, y_km: ArrayLike
    ) -> NDArray[np.float64]:
        """The spring amplitude field ``A(x, y)`` in m/s at points of ``projection``
        (any shape): inverse-distance weights of the anchors, each anchor's own value at
        the anchor."""
        x = np.asarray(x_km, dtype=np.float64)
        y = np.asarray(y_km, dtype=np.float64)
        ax, ay = projection.to_xy_km(
            np.array([a.lon for a in self.anchors]), np.array([a.lat for a in self.anchors])
        )
        values = np.array([a.spring_speed_kn for a in self.anchors]) * KNOT_M_S
        weight_sum = np.zeros(np.broadcast(x, y).shape)
        weighted = np.zeros_like(weight_sum)
        exact = np.full(weight_sum.shape, np.nan)
        for k in range(len(self.anchors)):
            d2 = (x - ax[k]) ** 2 + (y - ay[k]) ** 2
            at_anchor = d2 == 0.0
            exact[at_anchor] = values[k]
            w = 1.0 / np.where(at_anchor, 1.0, d2) ** (0.5 * self.idw_power)
            weight_sum += w
            weighted += w * values[k]
        return np.where(np.isnan(exact), weighted / weight_sum, exact)

    def velocity_m_s(
        self, t_hours: ArrayLike, spring_speed_m_s: ArrayLike | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Tidal current (east, north) in m/s at times ``t_hours`` since the epoch, where the
        spring amplitude is ``spring_speed_m_s`` (default: the reference point's, which
        makes a spatially uniform stream, as the drift comparison with OpenDrift uses)."""
        p = self.params_array()
        amplitude = (
            self.spring_speed_kn * KNOT_M_S if spring_speed_m_s is None else spring_speed_m_s
        )
        phase = np.asarray(t_hours, dtype=np.float64) - p[4]
        speed = np.asarray(amplitude) * (p[0] * np.cos(p[2] * phase) + p[1] * np.cos(p[3] * phase))
        return speed * p[5], speed * p[6]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TidalStream:
        anchors = tuple(TideAnchor(**a) for a in raw["anchors"])
        return cls(**{**raw, "anchors": anchors})

    @classmethod
    def uniform(cls, spring_speed_kn: float = 2.3, neap_speed_kn: float = 1.3) -> TidalStream:
        """A stream with the same amplitude everywhere (one anchor): the stream of
        channelsim before the amplitude field, kept for comparisons."""
        anchor = TideAnchor(
            "uniform", 1.5, 51.0, spring_speed_kn, spring_speed_kn, spring_speed_kn, "uniform"
        )
        return cls(anchors=(anchor,), neap_speed_kn=neap_speed_kn)
