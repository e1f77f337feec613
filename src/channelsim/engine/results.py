"""What a run produces, declared once: the results registry and the typed run result.

Every daily series is declared by the stage or policy that makes it, as a :class:`Result`
(name with its unit, human label, unit, description, how it aggregates over days); a few
figures are derived from them (:class:`Derived`: a ratio, a sum of totals, a count of days).
A run's :class:`ResultSet` is the engine's stages' declarations followed by those of the
run's policies, and everything that shows results derives from it: the daily table, the
totals, the by-year and by-month summaries, the comparison's figures, the report's key
metrics and the tables in docs/model.md.

:class:`SimResult` is the one typed result of a run (and of an ensemble member, whatever
the experiment): its daily values are NumPy arrays, turned into pandas tables only when
asked for (``daily``, ``boats``, ``costs``), so a run, its pickling to and from a worker and
its totals stay cheap, and ``write`` goes to Parquet through pyarrow directly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import marshal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from channelsim.fields import COLUMNS, Field, FieldTable, describe
from channelsim.outputs import OutputTarget, write_output_folder

if TYPE_CHECKING:
    import pandas as pd

Aggregation = Literal["sum", "level", "mean", "final"]
Role = Literal["key", "figure", "detail"]
Kind = Literal["int", "float", "bool"]

AGGREGATIONS: dict[str, str] = {
    "sum": "summed over the days of the period",
    "level": "a stock: its value at the end of the period",
    "mean": "averaged over the days of the period",
    "final": "known at the end of the run only",
}


@dataclasses.dataclass(frozen=True)
class Result:
    """One daily series of a run.

    ``aggregation``: ``sum`` (a flow), ``level`` (a stock, its value at the end of a period),
    ``mean`` (e.g. the weather) or ``final`` (only known when the run ends; no daily
    column). ``total`` names the run total if it differs from ``name`` (``None``: the
    series has no total). ``role``: ``key`` figures head the report and every comparison,
    ``figure`` ones are reported by comparisons and by-year/month summaries, ``detail``
    ones are in the daily table and totals only.
    """

    name: str
    label: str
    unit: str
    description: str
    aggregation: Aggregation = "sum"
    kind: Kind = "int"
    role: Role = "detail"
    total: str | None = ""

    @property
    def total_name(self) -> str | None:
        return self.name if self.total == "" else self.total

    @property
    def daily(self) -> bool:
        return self.aggregation != "final"

    def field(self, name: str | None = None) -> Field:
        """This result as a :class:`~channelsim.fields.Field` (under ``name``: its total's)."""
        kind = "int" if self.kind == "bool" and name not in (None, self.name) else self.kind
        return Field(name or self.name, self.label, self.unit, self.description, kind)

    def aggregate(self, values: np.ndarray, groups: Groups) -> np.ndarray:
        """This result's value over each group of days (``groups``: :class:`Groups`)."""
        if self.aggregation == "level":
            out = values[groups.last]
        else:
            out = np.bincount(groups.index, weights=values.astype(np.float64), minlength=groups.n)
            if self.aggregation == "mean":
                return np.where(groups.count > 0, out / np.maximum(groups.count, 1), np.nan)
        return out.astype(np.float64) if self.kind == "float" else out.astype(np.int64)


@dataclasses.dataclass(frozen=True)
class Groups:
    """Days grouped into periods (or members × periods): ``index`` gives each day's group,
    in ``0..n-1``, days in time order within a group."""

    index: np.ndarray
    n: int

    @functools.cached_property
    def count(self) -> np.ndarray:
        return np.bincount(self.index, minlength=self.n)

    @functools.cached_property
    def last(self) -> np.ndarray:
        """The position of each group's last day."""
        last = np.zeros(self.n, dtype=np.int64)
        np.maximum.at(last, self.index, np.arange(self.index.shape[0]))
        return last

    @classmethod
    def whole(cls, days: int) -> Groups:
        return cls(np.zeros(days, dtype=np.int64), 1)


#: The file beside every output that describes its columns and figures (name, label, unit,
#: meaning, how it aggregates): the dictionary of the results, not the results themselves
#: (those are summary.json, daily.parquet...). Folders written before it was named so hold
#: :data:`OLD_COLUMNS_FILE`.
COLUMNS_FILE = "columns.json"
OLD_COLUMNS_FILE = "results.json"


@dataclasses.dataclass(frozen=True)
class Derived:
    """A figure computed from other results over a period.

    ``formula`` is ``("ratio", numerator, denominator)`` (rounded to 2 decimals, 0 when the
    denominator is 0), ``("sum", a, b, ...)`` or ``("days_with", series)``: the number of
    days on which ``series`` is above zero.
    """

    name: str
    label: str
    unit: str
    description: str
    formula: tuple[str, ...]
    role: Role = "detail"
    kind: Kind = "int"
    #: Decimals a reader sees in every table, headline and chart of the figure (people per
    #: boat to one: 61.2 in a run, -2.3 in a comparison), None for the default rule.
    decimals: int | None = None

    @property
    def total_name(self) -> str:
        return self.name

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.formula[1:]

    def field(self, name: str | None = None) -> Field:
        """This figure as a :class:`~channelsim.fields.Field`."""
        return Field(
            name or self.name, self.label, self.unit, self.description, self.kind, self.decimals
        )

    def formula_text(self) -> str:
        op, *args = self.formula
        if op == "ratio":
            return f"`{args[0]}` / `{args[1]}`"
        if op == "sum":
            return " + ".join(f"`{a}`" for a in args)
        return f"days with `{args[0]}` > 0"

    def aggregate(
        self, columns: Mapping[str, np.ndarray], groups: Groups, results: ResultSet
    ) -> np.ndarray:
        """This figure over each group of days, from the results it is derived from."""
        op, *args = self.formula
        if op == "days_with":
            days = (columns[args[0]] > 0).astype(np.float64)
            return np.bincount(groups.index, weights=days, minlength=groups.n).astype(np.int64)
        values = [results[a].aggregate(columns[a], groups) for a in args]
        if op == "sum":
            total = np.sum(values, axis=0)
            return total.astype(np.float64) if self.kind == "float" else total.astype(np.int64)
        if op == "ratio":
            numerator, denominator = (np.asarray(v, dtype=np.float64) for v in values)
            ratio = numerator / np.where(denominator != 0, denominator, 1.0)
            return np.where(denominator != 0, np.round(ratio, 2), 0.0)
        raise ValueError(f"unknown formula {op!r} of {self.name}")


Declared = Result | Derived


class ResultSet:
    """The ordered results of one run: stages' declarations first, then its policies'.

    The same name may be declared twice only with identical declarations (two policies of
    one type); anything else is an error.
    """

    def __init__(self, declared: Iterable[Declared]) -> None:
        self._items: dict[str, Declared] = {}
        for item in declared:
            known = self._items.get(item.name)
            if known is not None and known != item:
                raise ValueError(f"result {item.name!r} is declared twice, differently")
            self._items.setdefault(item.name, item)
        for item in self._items.values():
            if isinstance(item, Derived):
                missing = [a for a in item.inputs if a not in self._items]
                if missing:
                    raise ValueError(f"result {item.name!r} needs {missing}")

    def __iter__(self) -> Iterator[Declared]:
        return iter(self._items.values())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __getitem__(self, name: str) -> Result:
        item = self._items[name]
        if not isinstance(item, Result):
            raise KeyError(f"{name} is a derived figure, not a daily series")
        return item

    def get(self, name: str) -> Declared | None:
        return self._items.get(name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResultSet) and list(self) == list(other)

    def __hash__(self) -> int:
        return hash(tuple(self._items))

    def __reduce__(self) -> tuple[type[ResultSet], tuple[list[Declared]]]:
        return (ResultSet, (list(self),))

    def noted(self, names: Iterable[str], sentence: str) -> ResultSet:
        """This set with ``sentence`` after the description of each of ``names`` it holds
        (where an output's weather columns come from: :func:`channelsim.engine.stages.
        with_weather_source`)."""
        chosen = set(names)
        return ResultSet(
            dataclasses.replace(item, description=f"{item.description} {sentence}".strip())
            if item.name in chosen else item
            for item in self
        )  # fmt: skip

    def merged(self, other: ResultSet) -> ResultSet:
        """This set followed by what ``other`` adds (e.g. scenarios compared together)."""
        return ResultSet([*self, *other])

    @property
    def series(self) -> list[Result]:
        """The daily series, in order (the daily table's columns after ``date``)."""
        return [r for r in self if isinstance(r, Result) and r.daily]

    @property
    def finals(self) -> list[Result]:
        return [r for r in self if isinstance(r, Result) and r.aggregation == "final"]

    def figures(self, roles: Sequence[Role] = ("key", "figure")) -> list[Declared]:
        """Results reported by comparisons and period summaries, in order."""
        return [r for r in self if r.role in roles and r.total_name is not None]

    def key(self) -> list[str]:
        """Total names of the key figures (the report's first chart)."""
        return [str(r.total_name) for r in self.figures(("key",))]

    def label(self, total_name: str) -> str:
        """Human label with unit of a total, e.g. ``People arrived (people)``."""
        return self.describe(total_name).heading

    def field(self, name: str) -> Field | None:
        """The result (daily series or total) or boat log column called ``name``, or None."""
        item = self._items.get(name)
        if item is not None:
            return item.field()
        for item in self:
            if item.total_name == name:
                return item.field(name)
        if name in COLUMNS:  # a key every table shares (``date``): not the boat log's meaning
            return None
        return BOAT_FIELDS.field(name)

    def describe(self, name: str) -> Field:
        """Label, unit and description of any column of this run's tables
        (:func:`channelsim.fields.describe`)."""
        return describe(name, self)

    def aggregate(
        self,
        columns: Mapping[str, np.ndarray],
        groups: Groups,
        items: Sequence[Declared] | None = None,
    ) -> dict[str, np.ndarray]:
        """Each result's (or each of ``items``') value over each group of days: total name ->
        one value per group. The one aggregation of runs, periods and ensembles."""
        out: dict[str, np.ndarray] = {}
        for item in self if items is None else items:
            if item.total_name is None:
                continue
            if isinstance(item, Derived):
                out[item.total_name] = item.aggregate(columns, groups, self)
            elif item.daily:
                out[item.total_name] = item.aggregate(columns[item.name], groups)
        return out

    def to_records(self) -> list[dict[str, Any]]:
        """Plain JSON records (written beside outputs as :data:`COLUMNS_FILE`): each
        declaration's fields and its ``type`` (``result`` or ``derived``)."""
        return [{"type": type(item).__name__.lower(), **dataclasses.asdict(item)} for item in self]

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> ResultSet:
        """The set :meth:`to_records` wrote (also from files written before records had a
        ``type``, whose ``kind`` held it and lost the value's kind)."""
        items: list[Declared] = []
        for record in records:
            fields = {k: v for k, v in record.items() if k != "type"}
            if fields.get("kind") in ("result", "derived"):
                del fields["kind"]
            if record.get("type") == "derived" or "formula" in fields:
                fields["formula"] = tuple(fields["formula"])
                items.append(Derived(**fields))
            else:
                items.append(Result(**fields))
        return cls(items)

    def markdown_table(self) -> str:
        """The table of results for docs/model.md."""
        lines = [
            "| result | label | unit | aggregation | role | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for item in self:
            if isinstance(item, Derived):
                how = f"derived: {item.formula_text()}"
            else:
                how = item.aggregation
                if item.total_name not in (None, item.name):
                    how += f" (total `{item.total_name}`)"
                elif item.total_name is None:
                    how += " (no total)"
            lines.append(
                f"| `{item.name}` | {item.label} | {item.unit} | {how} | {item.role} | "
                f"{item.description} |"
            )
        return "\n".join(lines) + "\n"


#: Columns of the boat log (one row per launch attempt): label, unit, meaning.
BOAT_LOG: tuple[Field, ...] = (
    Field(
        "boat_id",
        "Boat",
        "",
        "key of the attempt: launch day (days since 2018-01-01) × 10,000 + ordinal",
        "id",
    ),
    Field("date", "Launch date", "", "launch date", "date"),
    Field(
        "day",
        "Day",
        "days",
        "launch day, counted from the first day reported (--from, else the start)",
        "int",
    ),
    Field("zone", "Launch zone", "", "launch zone", "text"),
    Field("taxi_boat", "Taxi boat", "", "launched from a waterway as a taxi boat", "bool"),
    Field("launch_hour", "Launch time", "hours UTC", "launch time of day, hours UTC"),
    Field("occupancy", "People gathered", "people", "people gathered for the boat", "int"),
    Field("prevention_events", "Prevention events", "events", "groups stopped on the beach", "int"),
    Field("prevented_people", "People stopped on the beach", "people", "people stopped", "int"),
    Field("seized", "Boat seized", "", "boat seized on the beach", "bool"),
    Field("launched", "Launched", "", "the boat left", "bool"),
    Field(
        "crush_deaths",
        "Deaths at embarkation",
        "people",
        "deaths at embarkation (crushed, or drowned wading out)",
        "int",
    ),
    Field("aboard_people", "People aboard", "people", "people aboard when it left", "int"),
    Field(
        "fate",
        "Fate",
        "",
        "how the attempt ended (prevented, arrived, landed_uk, rescued_fr, ...)",
        "text",
    ),
    Field("time_at_sea_h", "Time at sea", "hours", "hours from launch to the end of the crossing"),
    Field(
        "max_distance_km",
        "Farthest distance from launch",
        "km",
        "farthest distance from the launch point",
    ),
    Field(
        "final_x_km", "Last position east", "km east of 1.5°E", "last position, km east of 1.5°E"
    ),
    Field(
        "final_y_km", "Last position north", "km north of 51°N", "last position, km north of 51°N"
    ),
    Field("disabled", "Disabled", "", "engine failed or immobilised", "bool"),
    Field("intercepted", "Intercepted", "", "intercepted at sea under a policy's rules", "bool"),
    Field("drowned", "Drowned", "people", "people who drowned at once after a capsize", "int"),
    Field(
        "hypothermia_deaths",
        "Hypothermia deaths",
        "people",
        "people who died of hypothermia before rescue",
        "int",
    ),
    Field(
        "uk_side",
        "Ended on the UK side",
        "",
        "the crossing ended on the UK side of the median line",
        "bool",
    ),
)
BOAT_FIELDS = FieldTable(BOAT_LOG)


@dataclasses.dataclass(frozen=True)
class TableColumns:
    """A table as NumPy columns, in order (dates as ``datetime64[D]``): an ensemble member's
    daily table as a worker ships it, without loading pandas (some 0.5 CPU s per worker
    process) nor building the DataFrame there; :meth:`frame` builds it where it is read, the
    same as :attr:`SimResult.daily`."""

    columns: dict[str, np.ndarray]

    def frame(self) -> pd.DataFrame:
        """The DataFrame: ``datetime64`` columns as ``datetime.date`` objects, the rest as is."""
        import pandas as pd

        return pd.DataFrame(
            {
                name: _python_dates(values) if values.dtype.kind == "M" else values
                for name, values in self.columns.items()
            }
        )


@dataclasses.dataclass
class SimResult:
    """One run's outputs and the configuration that produced them.

    ``values`` holds one array per daily series (``results.series``) over ``dates``;
    ``finals`` the values known at the end only; ``boat_log`` one row per launch attempt
    (a NumPy structured array); ``costs`` the ledger as ``(day index, item, cost_gbp)``;
    ``extra`` totals added by an experiment (e.g. a calibration's discrepancy);
    ``keep`` which tables the result carries (an ensemble member may drop the boat log).
    """

    scenario: dict[str, Any]
    seed: int
    code_version: str
    results: ResultSet
    dates: np.ndarray
    values: dict[str, np.ndarray]
    finals: dict[str, int | float] = dataclasses.field(default_factory=dict)
    boat_log: np.ndarray | None = None
    zone_names: tuple[str, ...] = ()
    fate_names: tuple[str, ...] = ()
    cost_rows: tuple[np.ndarray, tuple[str, ...], np.ndarray, np.ndarray] | None = None
    extra: dict[str, int | float] = dataclasses.field(default_factory=dict)
    keep: tuple[str, ...] = ("daily", "boats", "costs")
    extra_only: bool = False

    @classmethod
    def decoding_scenario(cls, pending: tuple[bytes, int], /, **fields: Any) -> SimResult:
        """A result whose ``scenario`` is decoded when first read, from ``pending``: the
        scenario's dictionary as ``marshal`` bytes, and the seed to set in it. Each result
        owns its dictionary, and most runs of an ensemble never read it (decoding it took
        about a hundredth of a 2025 year). ``fields``: the other fields."""
        return cls({}, **fields)._scenario_from(pending)

    def _scenario_from(self, pending: tuple[bytes, int] | None) -> SimResult:
        if pending is not None:
            del self.__dict__["scenario"]
            self.__dict__["_pending_scenario"] = pending
        return self

    if not TYPE_CHECKING:  # (hidden from mypy, which would take any attribute then)

        def __getattr__(self, name: str) -> Any:
            """``scenario`` decoded when first read (:meth:`decoding_scenario`)."""
            pending = self.__dict__.get("_pending_scenario") if name == "scenario" else None
            if pending is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            scenario = marshal.loads(pending[0])
            scenario["seed"] = pending[1]
            self.__dict__["scenario"] = scenario
            return scenario

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for cached in ("totals", "daily", "boats", "costs"):
            state.pop(cached, None)
        if "scenario" in state:
            state.pop("_pending_scenario", None)
        return state

    @property
    def name(self) -> str:
        return str(self.scenario.get("name", ""))

    @functools.cached_property
    def totals(self) -> dict[str, int | float]:
        """Every result's value over the whole run, then the ``finals`` and ``extra``."""
        if self.extra_only:
            return dict(self.extra)
        whole = Groups.whole(self.dates.shape[0])
        totals: dict[str, int | float] = {
            name: values[0].item()
            for name, values in self.results.aggregate(self.values, whole).items()
        }
        totals.update(self.finals)
        totals.update(self.extra)
        return totals

    def with_extra(
        self, extra: Mapping[str, int | float], keep: Sequence[str] = (), only: bool = False
    ) -> SimResult:
        """A copy with more totals (``only``: these totals alone, e.g. a calibration's
        scores) and only the tables in ``keep``: what an ensemble member ships back."""
        boat_log = self.boat_log if "boats" in keep else None
        pending = None if "scenario" in self.__dict__ else self.__dict__["_pending_scenario"]
        return dataclasses.replace(
            self,
            scenario={} if pending is not None else self.scenario,
            extra={**self.extra, **extra},
            keep=tuple(keep),
            boat_log=boat_log,
            extra_only=only,
        )._scenario_from(pending)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables this result carries, by name (``daily``, ``boats``, ``costs``)."""
        return {name: getattr(self, name) for name in self.keep}

    def member_tables(self) -> dict[str, pd.DataFrame | TableColumns]:
        """:attr:`tables` as an ensemble member ships them: the daily table as its columns
        (:class:`TableColumns`, no pandas needed), the others as DataFrames."""
        return {
            name: TableColumns(self._daily_columns()) if name == "daily" else getattr(self, name)
            for name in self.keep
        }

    # -- tables ---------------------------------------------------------------------------

    def _daily_columns(self) -> dict[str, np.ndarray]:
        columns: dict[str, np.ndarray] = {"date": self.dates}
        for item in self.results.series:
            values = self.values[item.name]
            columns[item.name] = (
                values.astype(bool)
                if item.kind == "bool"
                else values.astype(np.int64)
                if item.kind == "int"
                else values.astype(np.float64)
            )
        return columns

    @functools.cached_property
    def daily(self) -> pd.DataFrame:
        """One row per day: ``date`` then every daily series of ``results``."""
        return TableColumns(self._daily_columns()).frame()

    def _boat_columns(self) -> dict[str, np.ndarray]:
        log = self.boat_log if self.boat_log is not None else np.zeros(0, BOAT_DTYPE)
        first = self.dates[0] if len(self.dates) else np.datetime64("2018-01-01")
        columns: dict[str, np.ndarray] = {}
        for name in (f.name for f in BOAT_LOG):
            if name == "date":
                columns[name] = first + log["day"].astype("timedelta64[D]")
            else:
                columns[name] = log[name]
        return columns

    @functools.cached_property
    def boats(self) -> pd.DataFrame:
        """The boat log: one row per launch attempt; ``zone`` and ``fate`` as categories."""
        import pandas as pd

        columns: dict[str, Any] = self._boat_columns()
        columns["date"] = _python_dates(columns["date"])
        columns["zone"] = pd.Categorical.from_codes(columns["zone"], list(self.zone_names))
        columns["fate"] = pd.Categorical.from_codes(
            columns["fate"].astype(np.int64) + 1, list(self.fate_names)
        )
        return pd.DataFrame(columns)

    def cost_by_item(self) -> dict[str, float]:
        """Each cost item's total over the run, £ (``one_in_one_out``: 4,200,000.0), in the
        ledger's order, without pandas (a plain run's headline names them)."""
        if self.cost_rows is None:
            return {}
        _, items, item_index, cost = self.cost_rows
        sums = np.bincount(np.asarray(item_index), weights=cost, minlength=len(items))
        return {str(item): float(total) for item, total in zip(items, sums, strict=True)}

    def _cost_columns(self) -> dict[str, np.ndarray]:
        if self.cost_rows is None:
            return {"date": self.dates[:0], "item": np.zeros(0, object), "cost_gbp": np.zeros(0)}
        day, items, item_index, cost = self.cost_rows
        return {
            "date": self.dates[day],
            "item": np.array(items, dtype=object)[item_index],
            "cost_gbp": cost,
        }

    @functools.cached_property
    def costs(self) -> pd.DataFrame:
        """The cost ledger: ``date, item, cost_gbp``, one row per item and day booked."""
        import pandas as pd

        columns: dict[str, Any] = self._cost_columns()
        columns["date"] = _python_dates(columns["date"])
        return pd.DataFrame(columns, columns=["date", "item", "cost_gbp"])

    # -- summaries ------------------------------------------------------------------------

    def period_rows(self, period: Literal["year", "month"]) -> list[dict[str, Any]]:
        """Per year (``2025``) or month (``"2025-06"``): every figure's value over it."""
        labels, groups = period_groups(self.dates, period)
        values = self.results.aggregate(self.values, groups, self.results.figures())
        return [
            {period: label, **{name: v[g].item() for name, v in values.items()}}
            for g, label in enumerate(labels)
        ]

    def by_year(self) -> pd.DataFrame:
        """Yearly values of the figures (sums, end-of-year levels, derived figures)."""
        import pandas as pd

        return pd.DataFrame(self.period_rows("year"))

    def by_month(self) -> pd.DataFrame:
        """Monthly values, ``month`` as ``YYYY-MM``."""
        import pandas as pd

        return pd.DataFrame(self.period_rows("month"))

    def to_json_dict(self) -> dict[str, Any]:
        """The run summary printed by ``channelsim run --format json``."""
        return {
            "scenario": self.name,
            "seed": self.seed,
            "code_version": self.code_version,
            "start": self.scenario.get("start"),
            "end": self.scenario.get("end"),
            "totals": {k: _plain(v) for k, v in self.totals.items()},
            "by_year": [{k: _plain(v) for k, v in r.items()} for r in self.period_rows("year")],
            "by_month": [{k: _plain(v) for k, v in r.items()} for r in self.period_rows("month")],
        }

    def write(
        self, out_dir: str | Path | OutputTarget, documents: Mapping[str, Any] | None = None
    ) -> Path:
        """Write Parquet tables, the resolved scenario, seed and code version, atomically;
        ``documents``: more JSON files to write with them, by file name (the demo's
        ``headline.json``: the runs its headline gives).

        Everything goes to a temporary directory beside ``out_dir`` that is renamed into
        place at the end, so a reader never sees a half-written result; ``out_dir`` must be
        new, empty or (checked with ``force``) a folder channelsim wrote
        (``channelsim.outputs``).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        def table(
            columns: Mapping[str, np.ndarray], categories: Mapping[str, Sequence[str]]
        ) -> pa.Table:
            arrays = {}
            for name, values in columns.items():
                if name in categories:
                    arrays[name] = pa.DictionaryArray.from_arrays(
                        pa.array(values.astype(np.int32)), pa.array(list(categories[name]))
                    )
                elif values.dtype.kind == "M":
                    arrays[name] = pa.array(values.astype("datetime64[D]"), type=pa.date32())
                elif values.dtype == object:
                    arrays[name] = pa.array(values.tolist(), type=pa.string())
                else:
                    arrays[name] = pa.array(values)
            return pa.table(arrays)

        from channelsim.engine.stages import with_weather_source

        boats = self._boat_columns()
        boats["fate"] = boats["fate"].astype(np.int64) + 1
        weather = self.scenario.get("weather")
        mode = weather.get("mode") if isinstance(weather, dict) else None
        described = with_weather_source(self.results, [str(mode or "stochastic")])

        def write(tmp: Path) -> None:
            pq.write_table(table(self._daily_columns(), {}), tmp / "daily.parquet")
            pq.write_table(
                table(boats, {"zone": self.zone_names, "fate": self.fate_names}),
                tmp / "boats.parquet",
            )
            pq.write_table(table(self._cost_columns(), {}), tmp / "costs.parquet")
            # the totals as a table too (a sheet of the workbook, totals.csv): only
            # summary.json held them, while an ensemble's folder has its totals table
            totals = {
                "figure": np.array(list(self.totals), dtype=object),
                "value": np.array([float(v) for v in self.totals.values()]),
            }
            pq.write_table(table(totals, {}), tmp / "totals.parquet")
            _write_json(tmp / "summary.json", self.to_json_dict())
            _write_json(tmp / COLUMNS_FILE, described.to_records())
            _write_json(tmp / "scenario.json", self.scenario)
            _write_json(
                tmp / "meta.json",
                {"seed": self.seed, "code_version": self.code_version, "scenario": self.name},
            )
            for name, document in (documents or {}).items():
                _write_json(tmp / name, document)

        return write_output_folder(out_dir, write, kind="run", describe=described.describe)


BOAT_DTYPE = np.dtype(
    [
        ("boat_id", np.int64),
        ("day", np.int64),
        ("zone", np.int64),
        ("taxi_boat", np.bool_),
        ("launch_hour", np.float64),
        ("occupancy", np.int64),
        ("prevention_events", np.int64),
        ("prevented_people", np.int64),
        ("seized", np.bool_),
        ("launched", np.bool_),
        ("crush_deaths", np.int64),
        ("aboard_people", np.int64),
        ("fate", np.int8),
        ("time_at_sea_h", np.float64),
        ("max_distance_km", np.float64),
        ("final_x_km", np.float64),
        ("final_y_km", np.float64),
        ("disabled", np.bool_),
        ("intercepted", np.bool_),
        ("drowned", np.int64),
        ("hypothermia_deaths", np.int64),
        ("uk_side", np.bool_),
        # working fields of the engine, not in the published log
        ("launch_t_h", np.float64),
        ("end_t_h", np.float64),
        ("intercept_rule", np.int64),
        ("steps", np.int64),
    ],
    align=True,
)
"""One launch attempt, as the kernels fill it (the boat log's columns and working fields)."""


def period_groups(dates: np.ndarray, period: Literal["year", "month"]) -> tuple[list[Any], Groups]:
    """The years (``2025``) or months (``"2025-06"``) of ``dates`` (sorted, datetime64) and
    the group of each date."""
    units = dates.astype("datetime64[Y]" if period == "year" else "datetime64[M]")
    keys, index = np.unique(units, return_inverse=True)
    labels: list[Any] = [int(str(k)) if period == "year" else str(k) for k in keys]
    return labels, Groups(index.astype(np.int64), len(keys))


def _python_dates(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[D]").astype(dt.date)


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    return value


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
