"""The data a claim is checked against: editions of the publication, and a metric laid out
day by day (or week by week) with what is known and what is not.

A :class:`Series` holds one metric's columns on every unit (day, or week ending Sunday) of a
span, ``NaN`` where nothing is known: before the series starts, after the edition's last
row, after ``as_of``, or where the publication prints ``-``. Sums over any set of spans are
computed at once from cumulative sums, with bounds: counts are non-negative, so unknown units
can only add to a total.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from channelsim.claims.metrics import Metric
from channelsim.claims.text import fmt_date
from channelsim.data.publication import read_publication
from channelsim.data.store import DataStore
from channelsim.errors import InputError


@dataclass(frozen=True)
class DataEdition:
    """The publication data used for a check, with its provenance.

    ``daily`` has columns date, people, boats; ``weekly`` has week_ending, people, boats,
    prevented_people, prevented_events (nullable; <NA> = not published).
    """

    daily: pd.DataFrame
    weekly: pd.DataFrame
    edition_date: date
    file_name: str
    #: Each metric's columns as arrays, and where its series starts and ends, worked out once
    #: (:meth:`metric_arrays`): a check of hundreds of claims read the tables anew for each.
    _by_metric: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray, date | None, date]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def as_dict(self) -> dict[str, str]:
        return {"date": self.edition_date.isoformat(), "file": self.file_name}

    def label(self) -> str:
        return f"{fmt_date(self.edition_date)} ({self.file_name})"

    def last_day(self) -> date:
        """The last day of its daily table (SB_01), where the edition stops."""
        return pd.Timestamp(self.daily["date"].max()).date()

    def source(self) -> str:
        """The credit a figure from this edition needs: publisher, title, edition, licence
        (:func:`channelsim.data.dates.source_line`, as ``data brief`` writes it)."""
        from channelsim.data.dates import source_line

        return source_line(self.as_dict())

    def table(self, metric: Metric) -> tuple[pd.DataFrame, str, str]:
        """The table a metric reads, its date column and its pandas frequency."""
        if metric.table == "daily":
            return self.daily, "date", "D"
        return self.weekly, "week_ending", "W-SUN"

    def metric_arrays(self, metric: Metric) -> tuple[np.ndarray, np.ndarray, date | None, date]:
        """The metric's table as arrays, computed once per edition and metric: its dates
        (``datetime64[ns]``, sorted, each once: the last row of a date given twice), its
        columns on them (units × columns, float, NaN where not published), the first date
        on which every column is recorded (``None``: none) and the table's last date. The
        tables must not change after the first call."""
        key = (metric.table, *metric.columns)
        found = self._by_metric.get(key)
        if found is None:
            table, date_col, _ = self.table(metric)
            columns = list(metric.columns)
            dates = pd.to_datetime(table[date_col]).to_numpy(dtype="datetime64[ns]")
            values = np.column_stack(
                [pd.array(table[c], dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
                 for c in columns]
            ).reshape(len(table), len(columns))  # fmt: skip
            recorded = table.loc[table[columns].notna().all(axis=1), date_col]
            start = None if recorded.empty else pd.Timestamp(recorded.min()).date()
            end = pd.Timestamp(table[date_col].max()).date()
            order = np.argsort(dates, kind="stable")
            dates, values = dates[order], values[order]
            last = np.append(dates[1:] != dates[:-1], True) if len(dates) else dates.astype(bool)
            found = (dates[last], values[last], start, end)
            self._by_metric[key] = found
        return found


class Editions:
    """The editions a claim can be judged on: each as published, and the revised figures.

    ``published`` lists (edition date, loader) pairs; ``revised`` loads the latest figures
    (for a store, each date from the latest edition that has it). Loaders run at most once.
    """

    def __init__(
        self,
        published: Sequence[tuple[date, Callable[[], DataEdition]]],
        revised: Callable[[], DataEdition],
    ) -> None:
        self._published = sorted(
            ((day, cache(load)) for day, load in published), key=lambda item: item[0]
        )
        self._revised = cache(revised)

    @classmethod
    def single(cls, edition: DataEdition) -> Editions:
        return cls([(edition.edition_date, lambda: edition)], lambda: edition)

    def revised(self) -> DataEdition:
        return self._revised()

    def published_by(self, day: date) -> DataEdition | None:
        """The latest edition published on or before ``day`` (ties: the last given)."""
        found = [load for published, load in self._published if published <= day]
        return found[-1]() if found else None

    @property
    def dates(self) -> list[date]:
        return [day for day, _ in self._published]


def data_from_files(paths: Sequence[str | Path]) -> DataEdition:
    """Read publication files; the one with the latest edition date is used (ties: last)."""
    return editions_from_files(paths).revised()


def editions_from_files(paths: Sequence[str | Path]) -> Editions:
    """Every file as an edition; the latest edition date gives the revised figures."""
    if not paths:
        raise InputError(None, "--data", "expected at least one publication file")
    editions = [
        DataEdition(pub.daily, pub.weekly, pub.edition_date, pub.file_name)
        for pub in (read_publication(path) for path in paths)
    ]
    latest = max(reversed(editions), key=lambda edition: edition.edition_date)
    return Editions([(e.edition_date, _const(e)) for e in editions], _const(latest))


def _const(edition: DataEdition) -> Callable[[], DataEdition]:
    return lambda: edition


def data_from_store(store: DataStore) -> DataEdition:
    """The store's figures (each date from the latest edition) and its latest edition."""
    daily, weekly = store.daily(), store.weekly()  # raise StoreError when empty
    latest = store.latest_edition()
    assert latest is not None  # daily() has checked that an edition is stored
    return DataEdition(daily, weekly, latest.edition_date, latest.file_name)


def editions_from_store(store: DataStore) -> Editions:
    """Each stored edition as it was published; the revised figures are the store's latest."""
    store.daily()  # one clear error when the store is absent or empty

    def loader(edition_id: int, day: date, name: str) -> Callable[[], DataEdition]:
        def load() -> DataEdition:
            daily, weekly = store.edition_tables(edition_id)
            return DataEdition(daily, weekly, day, name)

        return load

    published = [
        (e.edition_date, loader(e.edition_id, e.edition_date, e.file_name))
        for e in store.edition_list()
    ]
    return Editions(published, lambda: data_from_store(store))


@dataclass(frozen=True)
class Spans:
    """A metric over several spans of units: its value over the known units, bounds on the
    value over all units, and how many units were known and unknown. Arrays, one per span."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    known: np.ndarray
    unknown: np.ndarray


@dataclass(frozen=True)
class Series:
    """One metric on every unit (day or week ending Sunday) of a span; NaN = unknown."""

    metric: Metric
    units: pd.DatetimeIndex
    values: np.ndarray  # (units, columns), float

    @classmethod
    def of(
        cls, metric: Metric, edition: DataEdition, start: date, end: date, as_of: date | None
    ) -> Series:
        """The metric's units from ``start`` to ``end``; those after ``as_of`` are unknown."""
        _, _, freq = edition.table(metric)
        dates, columns, _, _ = edition.metric_arrays(metric)
        units = pd.date_range(start, end, freq=freq)
        wanted = units.to_numpy(dtype="datetime64[ns]")
        values = np.full((len(units), columns.shape[1]), np.nan)
        if len(dates):  # each unit's row of the table, if it has one
            at = np.minimum(np.searchsorted(dates, wanted), len(dates) - 1)
            found = dates[at] == wanted
            values[found] = columns[at[found]]
        if as_of is not None:
            values[units > pd.Timestamp(as_of)] = np.nan
        return cls(metric, units, values)

    @property
    def daily(self) -> bool:
        return self.metric.table == "daily"

    @property
    def known(self) -> np.ndarray:
        return ~np.isnan(self.values).any(axis=1)

    def unit_values(self) -> np.ndarray:
        """The metric on each unit alone (NaN where unknown)."""
        whole = self.spans(np.arange(len(self.units)), np.arange(1, len(self.units) + 1))
        return np.where(whole.known > 0, whole.value, np.nan)

    def locate(self, start: date, end: date) -> tuple[int, int]:
        """Index range [lo, hi) of the units from ``start`` to ``end``."""
        lo = int(self.units.searchsorted(pd.Timestamp(start), side="left"))
        hi = int(self.units.searchsorted(pd.Timestamp(end), side="right"))
        return lo, max(lo, hi)

    def spans(self, lo: np.ndarray, hi: np.ndarray) -> Spans:
        """The metric over units [lo, hi) for each pair of indices."""
        known = self.known
        counted = _cumsum(known.astype(float))
        n_known = counted[hi] - counted[lo]
        n_unknown = (hi - lo) - n_known
        filled = np.where(known[:, None], self.values, 0.0)
        kind = self.metric.kind
        if kind == "ratio":  # the first column over the sum of the others (people per boat)
            above, below = _cumsum(filled[:, 0]), _cumsum(filled[:, 1:].sum(axis=1))
            num, den = above[hi] - above[lo], below[hi] - below[lo]
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
            value = value * self.metric.scale
            low = np.where(n_unknown > 0, 0.0, value)
            high = np.where(n_unknown > 0, math.inf, value)
        elif kind == "days":
            days = _cumsum((filled[:, 0] > 0).astype(float))
            value = days[hi] - days[lo]
            low, high = value, value + n_unknown
        else:
            total = _cumsum(filled.sum(axis=1))
            value = total[hi] - total[lo]
            low, high = value, np.where(n_unknown > 0, math.inf, value)
        return Spans(value, low, high, n_known, n_unknown)


def _cumsum(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(values)])


def series_start(metric: Metric, edition: DataEdition) -> date | None:
    """The first unit on which every column of the metric is recorded, if any."""
    return edition.metric_arrays(metric)[2]


def series_end(metric: Metric, edition: DataEdition) -> date:
    """The last unit of the metric's table in this edition."""
    return edition.metric_arrays(metric)[3]
