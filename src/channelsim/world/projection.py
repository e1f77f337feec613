"""A local metric projection for the Dover Strait, in plain NumPy.

An azimuthal equidistant projection on the sphere whose radius is the Gaussian radius of
curvature of the WGS84 ellipsoid at the centre latitude: distances and bearings from the
centre are exact on that sphere, and within 100 km of the centre every distance is within
about 0.1 % of the ellipsoidal one. That is far below the uncertainty of the simplified
coastlines, and avoids a pyproj dependency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

WGS84_A_KM = 6378.137
WGS84_E2 = 6.69437999014e-3


def gaussian_radius_km(lat_deg: float) -> float:
    """Geometric mean of the meridional and prime-vertical radii of curvature of WGS84."""
    s2 = np.sin(np.radians(lat_deg)) ** 2
    w = 1.0 - WGS84_E2 * s2
    meridional = WGS84_A_KM * (1.0 - WGS84_E2) / w**1.5
    prime_vertical = WGS84_A_KM / np.sqrt(w)
    return float(np.sqrt(meridional * prime_vertical))


@dataclass(frozen=True)
class LocalProjection:
    """Azimuthal equidistant projection centred at (``lon0_deg``, ``lat0_deg``); x east, y north."""

    lon0_deg: float = 1.5
    lat0_deg: float = 51.0

    @property
    def radius_km(self) -> float:
        return gaussian_radius_km(self.lat0_deg)

    def to_xy_km(
        self, lon_deg: ArrayLike, lat_deg: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Project longitude/latitude (degrees) to x/y (km from the centre)."""
        lam = np.radians(np.asarray(lon_deg, dtype=np.float64) - self.lon0_deg)
        phi = np.radians(np.asarray(lat_deg, dtype=np.float64))
        phi0 = np.radians(self.lat0_deg)
        cos_c = np.sin(phi0) * np.sin(phi) + np.cos(phi0) * np.cos(phi) * np.cos(lam)
        c = np.arccos(np.clip(cos_c, -1.0, 1.0))
        k = np.where(c > 1e-12, c / np.sin(np.maximum(c, 1e-12)), 1.0)
        x = self.radius_km * k * np.cos(phi) * np.sin(lam)
        y = (
            self.radius_km
            * k
            * (np.cos(phi0) * np.sin(phi) - np.sin(phi0) * np.cos(phi) * np.cos(lam))
        )
        return x, y

    def to_lonlat(
        self, x_km: ArrayLike, y_km: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Inverse of :meth:`to_xy_km`: x/y (km) back to longitude/latitude (degrees)."""
        x = np.asarray(x_km, dtype=np.float64)
        y = np.asarray(y_km, dtype=np.float64)
        phi0 = np.radians(self.lat0_deg)
        rho = np.hypot(x, y)
        c = rho / self.radius_km
        safe_rho = np.where(rho > 1e-12, rho, 1.0)
        phi = np.arcsin(
            np.clip(np.cos(c) * np.sin(phi0) + y * np.sin(c) * np.cos(phi0) / safe_rho, -1.0, 1.0)
        )
        lam = np.arctan2(
            x * np.sin(c), rho * np.cos(phi0) * np.cos(c) - y * np.sin(phi0) * np.sin(c)
        )
        lam = np.where(rho > 1e-12, lam, 0.0)
        phi = np.where(rho > 1e-12, phi, phi0)
        return np.degrees(lam) + self.lon0_deg, np.degrees(phi)
