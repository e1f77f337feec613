"""The compiled draws of the stochastic weather (``channelsim.world.environment``'s
:class:`~channelsim.world.environment.StochasticWeather`), apart from the readers: reading
a scenario's ``[weather]`` entry and building its reader does not load Numba."""

from __future__ import annotations

import math

import numpy as np

from channelsim._jit import njit, when_compiling
from channelsim.rng import hash_normal


@njit(cache=True)
def weibull_of_normal(z: np.ndarray, scale: np.ndarray, shape: float) -> np.ndarray:
    """The Weibull(``scale``, ``shape``) quantile of Φ(z), written with the survival
    function 0.5·erfc(z/√2) for precision in the upper tail."""
    out = np.empty(z.shape[0])
    for i in range(z.shape[0]):
        survival = min(max(0.5 * math.erfc(z[i] / math.sqrt(2.0)), 1e-300), 1.0)
        out[i] = scale[i] * (-math.log(survival)) ** (1.0 / shape)
    return out


@njit(cache=True)
def keyed_normals(seed: int, stream: int, key: int, days: np.ndarray) -> np.ndarray:
    """Standard normals of ``stream`` for each of ``days`` (absolute), candidate ``key``."""
    out = np.empty(days.shape[0])
    for i in range(days.shape[0]):
        out[i] = hash_normal(seed, stream, days[i], key)
    return out


def _refresh_caches() -> None:
    """Flush the compiled functions here if a module they compile from changed (jit_cache)."""
    import sys

    from channelsim import jit_cache, rng

    jit_cache.refresh("weather", [rng, sys.modules[__name__]])


when_compiling(_refresh_caches)
