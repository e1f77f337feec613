"""Counter-based random streams for common random numbers.

Every random number in a run is a pure function of ``(seed, stream, day, key)``: a
splitmix64-style hash turned into a uniform in [0, 1). There is no generator state to
advance, so a draw never depends on how many other draws were made before it, nor on the
length of the simulated period. Two scenarios with the same seed therefore make the same
decision for the same boat on the same day at the same decision point unless a policy
changes that decision itself (Starsim 3.7's ``hash_uniforms``; Vivarium's key columns).
Keys must be policy-independent: a boat's key is its launch day and its ordinal among that
day's launch attempts, never its zone or its place in a filtered array.

Streams are named, ``"<stage>.<decision>"`` for the engine's stages (``"beach.zone"``) and
``"<policy>.<decision>"`` for policies (``"maritime_doctrine#0.arrest"``): a stream's number
is derived from its name (:func:`stream_id`), so adding a stage or a policy never shifts the
draws of the others, and :func:`check_streams` refuses two decisions that would share one.
"""

from __future__ import annotations

import math

import numpy as np

from channelsim._jit import njit
from channelsim.streams import EPOCH as EPOCH  # the names of streams, here too as before
from channelsim.streams import StreamCollisionError as StreamCollisionError
from channelsim.streams import check_streams as check_streams
from channelsim.streams import stream_id as stream_id

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TWO_POW_MINUS_53 = 1.0 / 9007199254740992.0


@njit(inline="always")
def _mix(z: np.uint64) -> np.uint64:
    """The splitmix64 finaliser: a bijection of uint64 with full avalanche."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(inline="always")
def hash_prefix(seed: int, stream: int, day: int) -> np.uint64:
    """The part of :func:`hash_uniform` that does not depend on the key: a kernel drawing
    many keys of one ``(seed, stream, day)`` computes it once (:func:`hash_uniform_at`)."""
    h = _mix(np.uint64(seed) + GOLDEN)
    h = _mix(h ^ (np.uint64(stream) * GOLDEN + np.uint64(1)))
    return _mix(h ^ (np.uint64(day + 1_000_000) * GOLDEN))


@njit(inline="always")
def hash_uniform_at(prefix: np.uint64, key: int) -> float:
    """``hash_uniform(seed, stream, day, key)`` from ``hash_prefix(seed, stream, day)``."""
    h = _mix(prefix ^ (np.uint64(key) * _M1 + GOLDEN))
    return float(h >> np.uint64(11)) * _TWO_POW_MINUS_53


@njit(inline="always")
def hash_uniform(seed: int, stream: int, day: int, key: int) -> float:
    """The uniform in [0, 1) for one ``(seed, stream, day, key)``; callable inside kernels."""
    return hash_uniform_at(hash_prefix(seed, stream, day), key)


@njit(cache=True)
def _uniforms(seed: int, stream: int, day: int, keys: np.ndarray) -> np.ndarray:
    out = np.empty(keys.shape[0], dtype=np.float64)
    for i in range(keys.shape[0]):
        out[i] = hash_uniform(seed, stream, day, keys[i])
    return out


def uniforms(seed: int, stream: int, day: int, keys: np.ndarray | int) -> np.ndarray:
    """Uniforms in [0, 1) for each key (int64 array, or ``n`` for keys ``0..n-1``)."""
    key_array = np.arange(keys, dtype=np.int64) if isinstance(keys, int) else keys
    return _uniforms(int(seed), int(stream), int(day), np.ascontiguousarray(key_array, np.int64))


@njit(cache=True)
def _count_below(seed: int, stream: int, day: int, key0: int, n: int, p: float) -> int:
    count = 0
    for key in range(key0, key0 + n):
        if hash_uniform(seed, stream, day, key) < p:
            count += 1
    return count


def count_below(seed: int, stream: int, day: int, key0: int, n: int, p: float) -> int:
    """How many of the uniforms of keys ``key0 .. key0 + n − 1`` (:func:`uniforms`) are below
    ``p``: a binomial count of ``n`` keyed draws, without making their array."""
    return int(_count_below(int(seed), int(stream), int(day), int(key0), int(n), float(p)))


POISSON_SUM_FROM_ZERO_MAX_MEAN = 10_000.0
"""Up to this mean the Poisson CDF is summed from zero (every mean the model's parameters give);
above it, from 12 standard deviations below the mean (the mass left out is below 1e-30)."""
POISSON_PRODUCT_MAX_MEAN = 600.0
"""Up to this mean the terms are summed by the product recurrence p(k) = p(k−1)·λ/k from
p(0) = e^−λ (a normal double up to a mean of 708), above it in log space."""
POISSON_MAX_MEAN = 1e9
"""The largest mean :func:`poisson_inverse` accepts; the work it does grows as its square root."""


@njit(cache=True)
def poisson_one(u: float, lam: float) -> int:
    """The Poisson(``lam``) count at uniform ``u``, by inverting the CDF (monotone in ``lam``).

    Monotone inversion matters for common random numbers: a policy that lowers the mean
    lowers the count on the same uniform instead of redrawing it. The CDF is summed by the
    product recurrence for means up to :data:`POISSON_PRODUCT_MAX_MEAN` (a day's inflow, about
    a hundred, costs a hundred multiplications rather than a hundred logs and exps), then in
    log space, from zero for means up to :data:`POISSON_SUM_FROM_ZERO_MAX_MEAN` and from 12
    standard deviations below larger means, and never beyond 40 standard deviations above:
    the work per count is bounded whatever the mean. Raises ``ValueError`` for a mean above
    :data:`POISSON_MAX_MEAN` or not a number.
    """
    if not lam <= POISSON_MAX_MEAN:
        raise ValueError("Poisson mean above 1e9 or not a number")
    if lam <= 0.0:
        return 0
    sd = np.sqrt(lam)
    k = 0
    if lam <= POISSON_PRODUCT_MAX_MEAN:
        # p(k) = p(k − 1)·λ/k from p(0) = e^−λ (representable for these means): the same
        # sums as in log space below, without a log and an exp per count.
        p = np.exp(-lam)
        cdf = p
        limit = lam + 40.0 * sd + 40.0
        while cdf <= u and k < limit:
            k += 1
            p *= lam / k
            cdf += p
        return k
    log_lam = np.log(lam)
    if lam > POISSON_SUM_FROM_ZERO_MAX_MEAN:
        k = int(lam - 12.0 * sd)
    log_p = k * log_lam - lam - math.lgamma(k + 1.0)
    cdf = np.exp(log_p)
    limit = lam + 40.0 * sd + 40.0
    while cdf <= u and k < limit:
        k += 1
        log_p += log_lam - np.log(k)
        cdf += np.exp(log_p)
    return k


@njit(cache=True)
def poisson_inverse(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson counts for arrays of uniforms and means (:func:`poisson_one` elementwise)."""
    out = np.zeros(u.shape[0], dtype=np.int64)
    for i in range(u.shape[0]):
        out[i] = poisson_one(u[i], mean[i])
    return out


@njit(inline="always")
def hash_normal(seed: int, stream: int, day: int, key: int) -> float:
    """A standard normal for one ``(seed, stream, day, key)``: Box–Muller of the uniforms of
    keys ``2·key`` and ``2·key + 1``; callable inside kernels."""
    u1 = 1.0 - hash_uniform(seed, stream, day, 2 * key)
    u2 = hash_uniform(seed, stream, day, 2 * key + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def ar1_lags(phi: float) -> int:
    """Lags of the truncated AR(1) filter: enough that the weight left out is below 1e-18."""
    if phi <= 0.0:
        return 1
    return min(2000, max(1, math.ceil(math.log(1e-18) / math.log(phi))))


@njit(cache=True)
def _keyed_ar1(
    seed: int, stream: int, key: int, days: np.ndarray, phi: float, lags: int
) -> np.ndarray:
    first = days.min() - lags + 1
    eps = np.empty(days.max() - first + 1)
    for i in range(eps.shape[0]):
        eps[i] = hash_normal(seed, stream, first + i, key)
    scale = math.sqrt((1.0 - phi * phi) / (1.0 - phi ** (2 * lags))) if phi > 0.0 else 1.0
    weights = np.empty(lags)  # φ^k, as the running product φ·φ·… makes them
    weight = 1.0
    for k in range(lags):
        weights[k] = weight
        weight *= phi
    # Each day's sum Σ_k φ^k·ε_{d−k} is added up in the order of k, one term at a time, but
    # the days side by side: the same operations in the same order for every day, without a
    # chain of dependent additions from one term to the next.
    n = days.shape[0]
    acc = np.zeros(n)
    consecutive = True
    for i in range(1, n):
        consecutive = consecutive and days[i] == days[i - 1] + 1
    if consecutive:  # a period's days: each lag's terms a slice of ε (vectorised)
        at0 = days[0] - first
        for k in range(lags):
            w = weights[k]
            lagged = eps[at0 - k : at0 - k + n]
            for i in range(n):
                acc[i] += w * lagged[i]
    else:
        at = days - first
        for k in range(lags):
            w = weights[k]
            for i in range(n):
                acc[i] += w * eps[at[i] - k]
    out = np.empty(n)
    for i in range(n):
        out[i] = scale * acc[i]
    return out


def keyed_ar1(seed: int, stream: int, days: np.ndarray, phi: float, key: int = 0) -> np.ndarray:
    """A stationary unit-variance AR(1) series (lag-1 correlation ``phi``) on absolute
    ``days``, each day's value a pure function of ``(seed, stream, day, key)``.

    ``z_d = c · Σ_{k<K} φ^k ε_{d−k}`` with keyed innovations ``ε`` and ``K`` =
    :func:`ar1_lags` (the weight left out is below 1e-18; ``c`` makes the variance exactly 1),
    so a day's value does not depend on which other days are asked for: a shorter period
    reproduces the longer one's days bit for bit.
    """
    days = np.ascontiguousarray(days, np.int64)
    if days.size == 0:
        return np.zeros(0)
    return _keyed_ar1(int(seed), int(stream), int(key), days, float(phi), ar1_lags(phi))
