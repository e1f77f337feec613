"""Forecast skill against baselines: the model and three statistical forecasts of the same
months, scored the same way.

Forecasts of monthly totals (people arrived):

- ``model``: the posterior predictive ensemble (members × months);
- ``naive``: the last complete month before the test, carried forward (a random walk);
- ``seasonal_naive``: the same month last year ("same period last year");
- ``ets``: exponential smoothing (statsmodels ``ETSModel``), the error, trend and season
  chosen by AICc among the configurations of :data:`ETS_MODELS` (Hyndman et al. 2008,
  Forecasting with Exponential Smoothing, Springer), season 12 months.

statsforecast (``AutoETS``) would be the first choice but requires pandas < 3, which the
rest of channelsim has left behind; statsmodels fits the same state-space models.

The baselines see the same months as the calibration: the complete months from the start of
the posterior's training period to the month before the test starts (a last training month
the publication covers only in part is scaled to a whole month). Their forecasts are of
whole months; a test month the test period covers only in part is compared with the forecast
scaled by the share of its days covered. Their 50% and 90% intervals are Gaussian (the naive
forecasts' from their in-sample residuals, ETS's from its forecast variance) and their CRPS is
the Gaussian's.

Scores (every one per forecast, on the same months):

- ``mase``: mean absolute error of the median (point) forecast divided by the in-sample mean
  absolute error of the seasonal naive forecast on the training months (Hyndman & Koehler
  2006, "Another look at measures of forecast accuracy", Int. J. Forecasting 22:679–688);
  with fewer than 13 training months, of the one-step naive forecast;
- ``crps``: mean continuous ranked probability score in people (Gneiting & Raftery 2007,
  JASA 102:359–378), computed by ``scoringrules``: the ensemble's with the energy form
  E|X − y| − ½E|X − X′|, a Gaussian's in closed form;
- ``coverage50``, ``coverage90``: share of months whose observed total lies inside the
  central 50% / 90% interval;
- ``mae_ratio_to_seasonal_naive``: the forecast's mean absolute error over that of "same
  period last year" (below 1: better than last year's months);
- ``total``: the median of the test period's total (an ensemble's median of its members'
  totals; a Gaussian forecast's sum of monthly means) and its error.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pandas as pd

SEASON_MONTHS = 12
Z90 = 1.6448536269514722  # standard normal 95% quantile: half-width of a 90% interval in sd
BASELINES = {
    "naive": "naive (last month carried forward)",
    "seasonal_naive": "seasonal naive (same month last year)",
    "ets": "ETS (statsmodels, chosen by AICc)",
}
MODEL_LABEL = "channelsim (posterior predictive)"


@dataclasses.dataclass(frozen=True)
class MonthlyForecast:
    """A probabilistic forecast of monthly totals: the median and central 50%/90% bounds
    (arrays over months) and, to score it, either an ensemble (members × months) or a
    Gaussian standard deviation per month."""

    name: str
    label: str
    median: np.ndarray
    low50: np.ndarray
    high50: np.ndarray
    low90: np.ndarray
    high90: np.ndarray
    ensemble: np.ndarray | None = None
    sd: np.ndarray | None = None

    @classmethod
    def from_ensemble(cls, name: str, label: str, samples: np.ndarray) -> MonthlyForecast:
        """From members × months samples: empirical median and quantiles."""
        q = np.quantile(samples, (0.05, 0.25, 0.5, 0.75, 0.95), axis=0)
        return cls(name, label, q[2], q[1], q[3], q[0], q[4], ensemble=np.asarray(samples))

    def scaled(self, factor: np.ndarray) -> MonthlyForecast:
        """Every figure multiplied by ``factor`` per month (a partly covered month)."""
        f = np.asarray(factor, float)
        return dataclasses.replace(
            self,
            median=self.median * f,
            low50=self.low50 * f,
            high50=self.high50 * f,
            low90=self.low90 * f,
            high90=self.high90 * f,
            ensemble=None if self.ensemble is None else self.ensemble * f,
            sd=None if self.sd is None else self.sd * f,
        )


def mase_scale(train: np.ndarray, season: int = SEASON_MONTHS) -> float:
    """In-sample mean absolute error of the seasonal naive forecast on ``train`` (the MASE
    denominator); of the one-step naive forecast when ``train`` is not longer than a season.
    NaN when it is zero or there are fewer than two points."""
    y = np.asarray(train, float)
    lag = season if y.size > season else 1
    if y.size <= lag:
        return float("nan")
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
    return scale if scale > 0 else float("nan")


def crps(forecast: MonthlyForecast, observed: np.ndarray) -> np.ndarray:
    """CRPS of each month (people): the ensemble's energy form, or the Gaussian's closed
    form; a forecast with neither is scored as a point forecast (its absolute error)."""
    import scoringrules as sr

    obs = np.asarray(observed, float)
    if forecast.ensemble is not None:
        return np.asarray(sr.crps_ensemble(obs, forecast.ensemble, m_axis=0, estimator="nrg"))
    if forecast.sd is not None:
        sd = np.maximum(forecast.sd, 1e-9)
        return np.asarray(sr.crps_normal(obs, forecast.median, sd))
    return np.abs(forecast.median - obs)


def _inside(low: np.ndarray, high: np.ndarray, observed: np.ndarray) -> float:
    inside = (observed >= low) & (observed <= high)
    return float(inside.mean()) if inside.size else float("nan")


def scores(
    forecast: MonthlyForecast, observed: np.ndarray, scale: float, reference_mae: float
) -> dict[str, Any]:
    """MASE, CRPS, coverage and the period's total for one forecast against ``observed``."""
    obs = np.asarray(observed, float)
    mae = float(np.mean(np.abs(forecast.median - obs)))
    total_obs = float(np.sum(obs))
    total = (  # an ensemble's median total; a Gaussian's (and a point's) sum of medians
        float(np.median(forecast.ensemble.sum(axis=1)))
        if forecast.ensemble is not None
        else float(np.sum(forecast.median))
    )
    return {
        "label": forecast.label,
        "mase": mae / scale if np.isfinite(scale) else None,
        "crps": float(np.mean(crps(forecast, obs))),
        "coverage50": _inside(forecast.low50, forecast.high50, obs),
        "coverage90": _inside(forecast.low90, forecast.high90, obs),
        "mae": mae,
        "mae_ratio_to_seasonal_naive": mae / reference_mae if reference_mae > 0 else None,
        "total": {
            "median": total,
            "observed": total_obs,
            "median_error": (total - total_obs) / total_obs if total_obs else None,
        },
        "monthly": {
            key: [float(v) for v in getattr(forecast, key)]
            for key in ("median", "low50", "high50", "low90", "high90")
        },
    }


EXACT_SIGN_FLIP_MONTHS = 16
"""Up to this many months the sign-flip test enumerates every assignment (2^16); beyond, it
draws :data:`SIGN_FLIP_DRAWS` of them with a fixed seed (the same p every time)."""
SIGN_FLIP_DRAWS = 65_536


def sign_flip_p(errors: np.ndarray, other_errors: np.ndarray) -> float:
    """The one-sided p-value of "``errors`` are smaller than ``other_errors``": the share of
    the 2^n ways of swapping each month's pair of absolute errors (shapes ``(n,)``, people)
    whose mean difference is at most the observed one (a paired permutation test, exact up
    to :data:`EXACT_SIGN_FLIP_MONTHS` months; Good, *Permutation Tests*, 2000). With n months
    it is never below 2^−n (5 months: 0.031). Raises ``ValueError`` for no months or
    different lengths."""
    if np.ndim(errors) != 1 or np.size(errors) == 0 or np.shape(errors) != np.shape(other_errors):
        raise ValueError("expected two equal, non-empty series of monthly errors")
    d = np.abs(np.asarray(errors, float)) - np.abs(np.asarray(other_errors, float))
    if d.size <= EXACT_SIGN_FLIP_MONTHS:
        bits = (np.arange(2**d.size)[:, None] >> np.arange(d.size)) & 1
        signs = 1 - 2 * bits
    else:
        rng = np.random.default_rng(0)
        signs = rng.choice(np.array([-1, 1]), size=(SIGN_FLIP_DRAWS, d.size))
    means = (signs * d).mean(axis=1)
    return float(np.mean(means <= d.mean() + 1e-12 * np.abs(d).max()))


def _naive_forecast(name: str, y: np.ndarray, horizon: int, lag: int) -> MonthlyForecast | str:
    """The naive forecast with lag ``lag`` (1: last month; 12: same month last year) and
    its Gaussian intervals: residual sd of the in-sample lag-``lag`` forecast, growing as
    √(k + 1) with k the whole lags elapsed before step h (Hyndman & Athanasopoulos,
    Forecasting: Principles and Practice, 3rd ed., §5.5, table 5.2)."""
    if y.size <= lag:
        return f"cannot be fitted to {y.size} training months (needs more than {lag})"
    residuals = y[lag:] - y[:-lag]
    sigma = float(np.sqrt(np.mean(residuals**2))) if residuals.size else 0.0
    h = np.arange(1, horizon + 1)
    mean = y[-lag:][(h - 1) % lag]
    sd = sigma * np.sqrt((h - 1) // lag + 1)
    return _gaussian(name, mean, sd)


def _gaussian(name: str, mean: np.ndarray, sd: np.ndarray) -> MonthlyForecast:
    """A Gaussian forecast's median and central intervals (bounds below zero set to zero)."""
    z50 = 0.6744897501960817  # standard normal 75% quantile
    return MonthlyForecast(
        name,
        BASELINES[name],
        median=mean,
        low50=np.maximum(mean - z50 * sd, 0.0),
        high50=mean + z50 * sd,
        low90=np.maximum(mean - Z90 * sd, 0.0),
        high90=mean + Z90 * sd,
        sd=sd,
    )


#: ETS configurations tried (error, trend, damped, seasonal), the best by AICc kept: the
#: additive-error models of Hyndman et al. (2008) that are stable on short monthly series.
ETS_MODELS = (
    ("add", None, False, None),
    ("add", "add", False, None),
    ("add", "add", True, None),
    ("add", None, False, "add"),
    ("add", "add", True, "add"),
    ("mul", None, False, "mul"),
    ("mul", "add", True, "mul"),
)


def _ets_forecast(y: np.ndarray, horizon: int) -> MonthlyForecast | str:
    """Exponential smoothing (statsmodels ``ETSModel``): each configuration of
    :data:`ETS_MODELS` the data allow is fitted by maximum likelihood, the lowest AICc is
    kept; its forecast mean and Gaussian intervals from the model's forecast variance."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    best: tuple[float, Any] | None = None
    for error, trend, damped, seasonal in ETS_MODELS:
        if seasonal is not None and y.size < 2 * SEASON_MONTHS + 2:
            continue
        if (error == "mul" or seasonal == "mul") and (y <= 0).any():
            continue
        if y.size < 4:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ETSModel(
                    pd.Series(y),  # statsmodels' prediction needs an indexed series
                    error=error,
                    trend=trend,
                    damped_trend=damped,
                    seasonal=seasonal,
                    seasonal_periods=SEASON_MONTHS if seasonal else None,
                ).fit(disp=False)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(fit.aicc) and (best is None or fit.aicc < best[0]):
            best = (float(fit.aicc), fit)
    if best is None:
        return f"cannot be fitted to {y.size} training months"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prediction = best[1].get_prediction(start=y.size, end=y.size + horizon - 1)
        mean = np.asarray(prediction.predicted_mean, float)
        sd = np.sqrt(np.asarray(prediction.forecast_variance, float))
    if not (np.isfinite(mean).all() and np.isfinite(sd).all()):
        return f"cannot be fitted to {y.size} training months"
    return _gaussian("ets", mean, sd)


def baseline_forecasts(train: np.ndarray, horizon: int) -> dict[str, MonthlyForecast | str]:
    """The statistical baselines of ``horizon`` months after ``train`` (whole months),
    with Gaussian 50% and 90% intervals; a baseline the training months are too short for
    is the reason instead."""
    y = np.asarray(train, float)
    return {
        "naive": _naive_forecast("naive", y, horizon, 1),
        "seasonal_naive": _naive_forecast("seasonal_naive", y, horizon, SEASON_MONTHS),
        "ets": _ets_forecast(y, horizon),
    }


def _months(forecast: MonthlyForecast, offsets: list[int]) -> MonthlyForecast:
    """The forecast at the given month offsets."""
    return MonthlyForecast(
        forecast.name,
        forecast.label,
        median=forecast.median[offsets],
        low50=forecast.low50[offsets],
        high50=forecast.high50[offsets],
        low90=forecast.low90[offsets],
        high90=forecast.high90[offsets],
        ensemble=None if forecast.ensemble is None else forecast.ensemble[:, offsets],
        sd=None if forecast.sd is None else forecast.sd[offsets],
    )


@dataclasses.dataclass(frozen=True)
class MonthlySeries:
    """Monthly totals with the share of each month's days they cover."""

    months: list[str]  # YYYY-MM
    totals: np.ndarray
    covered: np.ndarray  # share of the month's days present, in (0, 1]

    @classmethod
    def from_daily(cls, dates: pd.Series, values: pd.Series) -> MonthlySeries:
        """Sum a daily series by calendar month; ``covered`` counts the days present."""
        d = pd.to_datetime(dates)
        month = d.dt.to_period("M")
        frame = pd.DataFrame({"month": month, "value": values.to_numpy(float)})
        grouped = frame.groupby("month", sort=True)["value"].agg(["sum", "size"])
        days = np.array([p.days_in_month for p in grouped.index])
        return cls(
            [str(p) for p in grouped.index],
            grouped["sum"].to_numpy(float),
            grouped["size"].to_numpy(float) / days,
        )

    def whole_months(self) -> np.ndarray:
        """The totals scaled to whole months (a partly covered month scaled up)."""
        return self.totals / self.covered


def skill(
    model_samples: np.ndarray,
    test: MonthlySeries,
    train: MonthlySeries,
) -> dict[str, Any]:
    """Score the model's ensemble (members × test months) and the baselines on ``test``.

    ``train`` holds the months the baselines learn from, ending before the test's first
    month; its whole-month totals are used. The baselines forecast from the month after
    the last training month to the last test month; months in between (a gap) are
    forecast but not scored.
    """
    if not train.months:
        raise ValueError("no training months before the test period")
    first = pd.Period(train.months[-1], "M") + 1
    offsets = [(pd.Period(m, "M") - first).n for m in test.months]
    if min(offsets) < 0:
        raise ValueError("training months overlap the test period")
    history = train.whole_months()
    scale = mase_scale(history)
    forecasts = {"model": MonthlyForecast.from_ensemble("model", MODEL_LABEL, model_samples)}
    unavailable: dict[str, str] = {}
    for name, baseline in baseline_forecasts(history, max(offsets) + 1).items():
        if isinstance(baseline, str):
            unavailable[name] = baseline
        else:
            forecasts[name] = _months(baseline, offsets).scaled(test.covered)
    reference = forecasts.get("seasonal_naive")
    reference_mae = (
        float(np.mean(np.abs(reference.median - test.totals))) if reference else float("nan")
    )
    scored: dict[str, Any] = {
        name: scores(f, test.totals, scale, reference_mae) for name, f in forecasts.items()
    }
    scored.update(
        {name: {"label": BASELINES[name], "unavailable": why} for name, why in unavailable.items()}
    )
    return {
        "months": list(test.months),
        "observed": [float(v) for v in test.totals],
        "covered": [float(v) for v in test.covered],
        "training_months": f"{train.months[0]}..{train.months[-1]}",
        "mase_scale": scale,
        "mase_scale_method": "in-sample seasonal naive (12 months)"
        if len(history) > SEASON_MONTHS
        else "in-sample naive (1 month)",
        "forecasts": scored,
    }
