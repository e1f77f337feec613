"""Counter-based random streams: pure functions of (seed, stream, day, key)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from channelsim.rng import (
    POISSON_MAX_MEAN,
    StreamCollisionError,
    ar1_lags,
    check_streams,
    count_below,
    hash_normal,
    keyed_ar1,
    poisson_inverse,
    stream_id,
    uniforms,
)

PREVENTION, ZONE, TAXI = (stream_id(f"beach.{d}") for d in ("prevention", "zone", "taxi"))
INFLOW, CRUSH = stream_id("inflow"), stream_id("embarkation.crush")


def test_same_inputs_same_numbers_whatever_else_is_drawn() -> None:
    a = uniforms(7, PREVENTION, 100, np.array([5, 9, 2], dtype=np.int64))
    uniforms(7, PREVENTION, 100, 1000)  # other draws in between change nothing
    b = uniforms(7, PREVENTION, 100, np.array([2, 5, 9], dtype=np.int64))
    assert np.array_equal(a, b[[1, 2, 0]])


def test_streams_days_seeds_and_keys_are_independent() -> None:
    base = uniforms(1, ZONE, 10, 20_000)
    for other in (
        uniforms(2, ZONE, 10, 20_000),
        uniforms(1, TAXI, 10, 20_000),
        uniforms(1, ZONE, 11, 20_000),
    ):
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.03
        assert not np.array_equal(base, other)


def test_uniforms_are_uniform() -> None:
    u = uniforms(3, INFLOW, 0, 50_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_poisson_inversion_matches_scipy_and_is_monotone_in_the_mean() -> None:
    u = uniforms(5, CRUSH, 3, 2000)
    for mean in (0.02, 3.0, 120.0):
        expected = stats.poisson.ppf(u, mean)
        assert np.array_equal(poisson_inverse(u, np.full(u.size, mean)), expected)
    low = poisson_inverse(u, np.full(u.size, 90.0))
    high = poisson_inverse(u, np.full(u.size, 100.0))
    assert np.all(low <= high)


def test_keyed_ar1_is_stationary_persistent_and_keyed_by_day() -> None:
    days = np.arange(-500, 20_000)
    z = keyed_ar1(3, INFLOW, days, 0.7)
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1.0) < 0.03
    assert abs(np.corrcoef(z[1:], z[:-1])[0, 1] - 0.7) < 0.02
    np.testing.assert_array_equal(keyed_ar1(3, INFLOW, days[100:130], 0.7), z[100:130])
    assert not np.array_equal(keyed_ar1(3, INFLOW, days[:50], 0.7, key=1), z[:50])


def _ar1_term_by_term(seed: int, stream: int, days: np.ndarray, phi: float) -> np.ndarray:
    """keyed_ar1 as its formula reads, one day after the other: each day's sum over the lags
    in order, the weight φ^k a running product (the operations the kernel must keep)."""
    lags = ar1_lags(phi)
    first = int(days.min()) - lags + 1
    eps = [hash_normal(seed, stream, first + i, 0) for i in range(int(days.max()) - first + 1)]
    scale = math.sqrt((1.0 - phi * phi) / (1.0 - phi ** (2 * lags))) if phi > 0.0 else 1.0
    out = []
    for day in days:
        acc, weight = 0.0, 1.0
        for k in range(lags):
            acc += weight * eps[int(day) - first - k]
            weight *= phi
        out.append(scale * acc)
    return np.array(out)


@pytest.mark.parametrize("phi", [0.0, 0.4496, 0.7, 0.95])
def test_keyed_ar1_sums_each_day_term_by_term_bit_for_bit(phi: float) -> None:
    """The compiled filter adds the days side by side but each day's terms in their order:
    the same bits as the day-by-day sum, for scattered and repeated days too."""
    days = np.array([2900, 2901, 2902, 2950, 2899, 3100, 2901, 2500], dtype=np.int64)
    expected = _ar1_term_by_term(5, INFLOW, days, phi)
    assert keyed_ar1(5, INFLOW, days, phi).tobytes() == expected.tobytes()


def test_poisson_inversion_of_large_means_is_exact_and_bounded() -> None:
    """Above the sum-from-zero range the sum starts 12 sd below the mean: still scipy's
    quantiles, in bounded work; a mean beyond any model value is an error, never a hang."""
    u = uniforms(6, INFLOW, 4, 400)
    for mean in (9_999.0, 10_001.0, 250_000.0, 1e7):
        expected = stats.poisson.ppf(u, mean)
        assert np.array_equal(poisson_inverse(u, np.full(u.size, mean)), expected)
    for bad in (POISSON_MAX_MEAN * 10, np.inf, np.nan):
        with pytest.raises(ValueError, match="Poisson mean"):
            poisson_inverse(u[:1], np.array([bad]))


def test_streams_are_named_and_collisions_are_refused() -> None:
    ids = check_streams(["inflow", "maritime_doctrine#0.arrest", "maritime_doctrine#1.arrest"])
    assert len(set(ids.values())) == 3
    assert ids["maritime_doctrine#0.arrest"] == stream_id("maritime_doctrine#0.arrest")
    with pytest.raises(StreamCollisionError, match="declared twice"):
        check_streams(["inflow", "inflow"])


@pytest.mark.parametrize(
    ("key0", "n", "p"), [(0, 0, 0.5), (0, 1, 0.5), (3, 250, 0.3), (0, 999, 0.97)]
)
def test_count_below_counts_the_keyed_uniforms_below_p(key0: int, n: int, p: float) -> None:
    keys = np.arange(key0, key0 + n, dtype=np.int64)
    expected = int((uniforms(11, ZONE, 2900, keys) < p).sum())
    assert count_below(11, ZONE, 2900, key0, n, p) == expected


def test_a_stream_s_hashed_prefix_gives_its_draws_bit_for_bit() -> None:
    """Kernels hash a boat's ``(seed, stream, day)`` once and mix in each step's key."""
    from numba import njit

    from channelsim.rng import hash_prefix, hash_uniform, hash_uniform_at

    @njit
    def both(seed: int, stream: int, day: int, key: int) -> tuple[float, float]:
        return hash_uniform(seed, stream, day, key), hash_uniform_at(
            hash_prefix(seed, stream, day), key
        )

    for seed, stream, day, key in [(0, 0, 0, 0), (7, 123456789, 2700, 65535), (2**62, 5, -3, 9)]:
        whole, prefixed = both(seed, stream, day, key)
        assert whole == prefixed == uniforms(seed, stream, day, np.array([key]))[0]
