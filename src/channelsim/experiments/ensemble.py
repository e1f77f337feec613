"""Ensembles: many members (scenario x parameter draw x replicate), run anywhere, reduced in order.

The keyspace follows Vivarium: a :class:`Member` is ``(scenario, draw, rep)`` with a stable
string key. A member's seed depends on ``(base_seed, rep)`` only, so every scenario and every
parameter draw of the same replicate share one random world (common random numbers): the
difference between two scenarios of the same ``(draw, rep)`` measures the policy, not noise.

A member function has the engine's signature ``member_fn(scenario, seed, overrides)`` and
returns a result with ``.totals`` (numbers) and pandas DataFrames (``.daily``, ``.boats``, or a
``.tables`` mapping); see :meth:`MemberOutput.from_result`. Results are placed by member
index and reduced in member order, so they are bit-identical whatever the executor, the number
of workers or the completion order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from channelsim.errors import ClusterError, InputError
from channelsim.experiments.executor import (
    DEFAULT_CONNECT_TIMEOUT_S,
    Executor,
    WorkerLostError,
    make_executor,
)
from channelsim.interrupts import signals_deferred, stop_reason
from channelsim.scenario import NAME_PATTERN, NAME_TEXT

if TYPE_CHECKING:
    import pandas as pd

MemberFn = Callable[[Any, int, "dict[str, Any] | None"], Any]

QUANTILES = (0.05, 0.25, 0.75, 0.95)
"""Default interval bounds reported around the median: the 90% and 50% intervals."""

RUN_KINDS = ("run", "compare", "calibrate", "sensitivity")


def member_seed(base_seed: int, rep: int) -> int:
    """The 63-bit seed of replicate ``rep``: ``SeedSequence([base_seed, rep])``.

    Unlike ``base_seed + rep`` (Starsim's replicate seeds), ensembles with base seeds 1 and 2
    share no replicate.
    """
    if base_seed < 0 or rep < 0:
        raise InputError(
            None, "seed", f"expected non-negative base seed and rep, got {base_seed}, {rep}"
        )
    state = np.random.SeedSequence([base_seed, rep]).generate_state(1, dtype=np.uint64)
    return int(state[0]) >> 1


@dataclasses.dataclass(frozen=True)
class Member:
    """One member of an ensemble: a scenario, a parameter draw and a replicate."""

    scenario: str
    draw: int
    rep: int

    @property
    def key(self) -> str:
        """Stable, file-name-safe key, e.g. ``status-quo.d3.r17``."""
        return f"{self.scenario}.d{self.draw}.r{self.rep}"

    @classmethod
    def from_key(cls, key: str) -> Member:
        match = re.fullmatch(r"(.+)\.d(\d+)\.r(\d+)", key)
        if match is None:
            raise InputError(None, f"member key {key!r}", "expected SCENARIO.dDRAW.rREP")
        return cls(match[1], int(match[2]), int(match[3]))


def _config_value(value: Any) -> Any:
    """A JSON-ready copy of a scenario or override value, for hashing and recording.

    Tables and large arrays are recorded by a hash of their content, not their values.
    """
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "to_json_dict"):
        return value.to_json_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _config_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _config_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_config_value(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    pd = sys.modules.get("pandas")  # a table is pandas', so pandas is loaded if one is here
    if pd is not None and isinstance(value, pd.DataFrame | pd.Series):
        content = pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
        return {type(value).__name__: hashlib.sha256(content).hexdigest(), "shape": value.shape}
    if isinstance(value, np.ndarray):
        if value.size <= 1000:
            return value.tolist()
        digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
        return {"ndarray": digest, "shape": value.shape, "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


@dataclasses.dataclass(frozen=True)
class EnsembleSpec:
    """What to run: named scenarios, optional parameter draws, replicates and a base seed.

    ``draws`` are parameter overrides, one dict per draw (e.g. sampled from a calibration
    posterior with :func:`draws_from_posterior`); ``None`` means one draw with no overrides.
    ``base`` names the scenario that paired differences are taken against (default: the first).
    """

    scenarios: Mapping[str, Any]
    reps: int = 1
    base_seed: int = 0
    draws: Sequence[Mapping[str, Any]] | None = None
    base: str | None = None
    name: str = "ensemble"
    kind: str = "run"

    def __post_init__(self) -> None:
        if not self.scenarios:
            raise InputError(None, "scenarios", "expected at least one scenario")
        for name in self.scenarios:
            if not NAME_PATTERN.match(name):
                shown = name if len(name) <= 60 else f"{name[:57]}..."
                raise InputError(None, "scenario name", f"expected {NAME_TEXT}, got {shown!r}")
        if self.reps < 1:
            raise InputError(None, "reps", f"expected at least 1 replicate, got {self.reps}")
        if self.base_seed < 0:
            raise InputError(None, "seed", f"expected a non-negative seed, got {self.base_seed}")
        if self.draws is not None and len(self.draws) == 0:
            raise InputError(None, "draws", "expected at least one parameter draw, or none at all")
        if self.base is not None and self.base not in self.scenarios:
            raise InputError(
                None, "base", f"expected one of {sorted(self.scenarios)}, got {self.base!r}"
            )
        if self.kind not in RUN_KINDS:
            raise InputError(None, "kind", f"expected one of {RUN_KINDS}, got {self.kind!r}")

    @property
    def n_draws(self) -> int:
        return 1 if self.draws is None else len(self.draws)

    @property
    def base_scenario(self) -> str:
        return self.base if self.base is not None else next(iter(self.scenarios))

    def members(self) -> list[Member]:
        """All members, scenario-major then draw then rep: the order results are reduced in."""
        return [
            Member(scenario, draw, rep)
            for scenario in self.scenarios
            for draw in range(self.n_draws)
            for rep in range(self.reps)
        ]

    def overrides(self, draw: int) -> dict[str, Any] | None:
        return None if self.draws is None else dict(self.draws[draw])

    def config(self, member_fn: MemberFn | None = None) -> dict[str, Any]:
        """JSON-ready description of the ensemble; its hash identifies runs to resume.

        Ctrl-C and SIGTERM are held until it is made: pydantic wraps an interruption raised in
        a scenario's serializer as a ``PydanticSerializationError``, and a SIGTERM landing
        there ended the command with a traceback and exit 1, not 143 (s13, lane B)."""
        with signals_deferred():
            return self._config(member_fn)

    def _config(self, member_fn: MemberFn | None) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "member_fn": None
            if member_fn is None
            else f"{member_fn.__module__}.{getattr(member_fn, '__qualname__', repr(member_fn))}",
            "scenarios": {name: _config_value(s) for name, s in self.scenarios.items()},
            "draws": None if self.draws is None else _config_value(list(self.draws)),
            "reps": int(self.reps),
            "base_seed": int(self.base_seed),
            "base": self.base_scenario,
        }


def config_sha256(config: Mapping[str, Any]) -> str:
    """Hash of a config in canonical JSON (sorted keys), stable across processes and runs."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


#: How a difference between two ensembles' configurations is named in an error line, in the
#: order the line names them (then the scenarios' own settings).
_CONFIG_LABELS = {
    "scenarios": "scenarios",
    "base_seed": "seed",
    "reps": "runs per scenario",
    "draws": "posterior draws",
    "members": "members run",
    "member_fn": "member function",
    "kind": "kind of run",
    "base": "base scenario",
    "name": "ensemble name",
    "keep": "tables kept",
    "parameter_set": "parameter set",
}
_SHOWN_DIFFERENCES = 4


def config_differences(recorded: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """What differs between a recorded ensemble's configuration and ``config``, in words,
    most telling first (``"seed 2025 (now 5); scenario x: period 2025-01-01 to 2025-01-05
    (now 2025-01-01 to 2025-01-06)"``); ``""`` if nothing does. A fact is said once (the
    scenario's seed that follows the ensemble's, the name that follows the scenario's)."""
    old, new = _flat(recorded), _flat(json.loads(json.dumps(config, default=str)))
    order = [*_CONFIG_LABELS, *sorted(set(old) | set(new))]  # any key this list lacks: last
    renamed = _names(old) != _names(new)

    def rank(path: str) -> tuple[int, int, str]:  # a scenario's own settings after the rest
        inside = path.startswith("scenarios.") and not renamed
        return (len(order) if inside else order.index(path.split(".")[0]), path.count("."), path)

    paths = sorted((p for p in set(old) | set(new) if old.get(p) != new.get(p)), key=rank)
    said: dict[tuple[str, str], str] = {}
    for path in paths:
        label, before, after = _difference(path, old, new)
        if before == after or len(before + after) > 60:
            said.setdefault((label, ""), label)
        else:
            said.setdefault((before, after), f"{label} {before} (now {after})")
    texts = list(dict.fromkeys(said.values()))
    more = len(texts) - _SHOWN_DIFFERENCES
    return "; ".join(texts[:_SHOWN_DIFFERENCES]) + (f"; and {more} more" if more > 0 else "")


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """A configuration as dotted paths to its values (lists are values)."""
    if not isinstance(value, Mapping) or not value:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in value.items():
        flat.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _difference(path: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str, str]:
    """The label of a differing ``path`` and its two values as shown."""
    parts = path.split(".")
    if parts[0] != "scenarios" or len(parts) == 1:
        return _CONFIG_LABELS.get(parts[0], parts[0]), _shown(old, path), _shown(new, path)
    if _names(old) != _names(new):
        return "scenarios", _names(old), _names(new)
    scenario = f"scenario {parts[1]}"
    rest = parts[3:] if parts[2:3] == ["scenario"] else parts[2:]
    if rest and rest[0] in ("start", "end"):
        base = ".".join(parts[:3])
        return f"{scenario}: period", _period(old, base), _period(new, base)
    if rest and rest[0] == "params":
        label = f"{scenario}: parameter {'.'.join(rest[1:])}"
    else:
        label = f"{scenario}: {_CONFIG_LABELS.get(rest[0], rest[0]) if rest else 'settings'}"
    return label, _shown(old, path), _shown(new, path)


def _shown(flat: dict[str, Any], path: str) -> str:
    value = flat.get(path)
    if value is None:
        return "none"
    return f"{len(value)} entries" if isinstance(value, list) else str(value)


def _names(flat: dict[str, Any]) -> str:
    return ", ".join(sorted({p.split(".")[1] for p in flat if p.startswith("scenarios.")}))


def _period(flat: dict[str, Any], base: str) -> str:
    return f"{_shown(flat, base + '.start')} to {_shown(flat, base + '.end')}"


def _number(key: str, value: Any) -> int | float:
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return value
    raise TypeError(f"total {key!r} must be a number, got {type(value).__name__}")


def _key_array(values: list[Any]) -> np.ndarray:
    """Member keys as a column: integers as int64, anything else (``None``) as objects."""
    if all(isinstance(v, int) for v in values):
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=object)


class ColumnTable(Protocol):
    """A table as NumPy columns, in order, that builds its DataFrame on demand (the engine's
    ``TableColumns``): how a worker ships a member's tables without loading pandas."""

    columns: dict[str, np.ndarray]

    def frame(self) -> pd.DataFrame: ...


def _is_frame(value: Any) -> bool:
    """Whether ``value`` is a pandas DataFrame (none can be while pandas is not loaded)."""
    frame_type = getattr(sys.modules.get("pandas"), "DataFrame", None)  # None: half imported
    return frame_type is not None and isinstance(value, frame_type)


class MemberTables(Mapping[str, "pd.DataFrame"]):
    """A member's tables by name, in order, read as DataFrames: a table a worker shipped as
    columns (:class:`ColumnTable`) is built into its DataFrame when first read, and kept.

    So a driver that only aggregates its members' tables (``run --runs N``: the intervals by
    year and month, from :meth:`EnsembleResult.table_columns`) and records them (the results
    store encodes its Parquet files from the columns) never builds a DataFrame, nor loads
    pandas. A table is held once: its columns are dropped when its DataFrame is built."""

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame | ColumnTable],
        shipped: Iterable[str] | None = None,
    ) -> None:
        self._tables: dict[str, Any] = dict(tables)
        if shipped is None:
            shipped = [name for name, table in self._tables.items() if not _is_frame(table)]
        self.shipped: dict[str, ColumnTable] = {name: self._tables[name] for name in shipped}
        """The tables still as columns, by name (``shipped``: their names; by default, every
        table that is not a DataFrame)."""

    def __getitem__(self, name: str) -> pd.DataFrame:
        shipped = self.shipped.pop(name, None)
        if shipped is not None:
            self._tables[name] = shipped.frame()
        return self._tables[name]

    def __contains__(self, name: object) -> bool:  # Mapping's would build the DataFrame
        return name in self._tables

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        return f"MemberTables({list(self._tables)})"

    def __reduce__(self) -> tuple[Any, ...]:
        # which tables are columns is said, not found again: the driver's pool unpickles
        # outputs in a thread of its own, possibly while pandas is half imported
        return (MemberTables, (self._tables, list(self.shipped)))


@dataclasses.dataclass(frozen=True)
class MemberOutput:
    """What a worker sends back for one member: compact tables and totals, never a Sim.

    A worker's output may carry some tables as columns (NumPy columns, so that workers need
    not load pandas): :attr:`tables` is then a :class:`MemberTables`, which builds their
    DataFrames where, and only if, they are read."""

    key: str
    seed: int
    totals: dict[str, int | float]
    tables: Mapping[str, pd.DataFrame]
    started_s: float
    ended_s: float

    @property
    def columns(self) -> Mapping[str, ColumnTable]:
        """The tables shipped as columns, by name (the results store encodes its Parquet
        files from them; an ensemble aggregates them)."""
        return self.tables.shipped if isinstance(self.tables, MemberTables) else {}

    def framed(self) -> MemberOutput:
        """This output with every table built as a DataFrame (and its columns dropped)."""
        for name in self.tables:
            self.tables[name]  # built and kept by MemberTables
        return self

    @classmethod
    def from_result(cls, key: str, seed: int, result: Any, started_s: float) -> MemberOutput:
        """Read totals and tables off a result: a mapping, or an object with ``.totals``.

        Tables are the result's ``member_tables()`` if it has that method (DataFrames, or
        :class:`ColumnTable` kept as :attr:`columns`), else a ``tables`` mapping if it has
        one, else every public DataFrame field or attribute (``daily``, ``boats``...), in
        declaration order.
        """
        if isinstance(result, Mapping):
            totals = result["totals"]
            tables = {k: v for k, v in result.items() if _is_frame(v)}
        else:
            totals = result.totals
            member_tables = getattr(result, "member_tables", None)
            tables_attr = member_tables() if callable(member_tables) else None
            if tables_attr is None:
                tables_attr = getattr(result, "tables", None)
            if isinstance(tables_attr, Mapping):
                tables = dict(tables_attr)
            else:
                names = (
                    [f.name for f in dataclasses.fields(result)]
                    if dataclasses.is_dataclass(result)
                    else list(vars(result))
                )
                tables = {
                    n: getattr(result, n)
                    for n in names
                    if not n.startswith("_") and _is_frame(getattr(result, n))
                }
        for name in tables:
            if not NAME_PATTERN.match(name):
                raise ValueError(f"table name {name!r} is not a safe file name")
        shipped = not all(_is_frame(t) for t in tables.values())
        return cls(
            key=key,
            seed=seed,
            totals={str(k): _number(str(k), v) for k, v in totals.items()},
            tables=MemberTables(tables) if shipped else tables,
            started_s=started_s,
            ended_s=time.time(),
        )


def parquet_bytes(table: pd.DataFrame | ColumnTable) -> bytes:
    """A member's table as a Parquet file's bytes (pyarrow, snappy), as the results store keeps
    it. A DataFrame gives, byte for byte, what ``frame.to_parquet(engine="pyarrow")`` writes,
    pandas' metadata included. A table shipped as NumPy columns (:class:`ColumnTable`: numbers,
    flags and ``datetime64`` dates) is converted from its columns, without pandas: the same
    values and types, without pandas' metadata (13 KB of a 48 KB daily table), which
    ``pandas.read_parquet`` does not need to read it back as the same DataFrame (a range index,
    dates as ``datetime.date``, NaN for a missing number). Written to an Arrow buffer (a Python
    file object costs about a millisecond more per table: every write goes through Python)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = _arrow_table(table) if _is_frame(table) else _column_arrow_table(table)
    sink = pa.BufferOutputStream()
    pq.write_table(arrow, sink, compression="snappy")  # pandas' default
    return bytes(sink.getvalue().to_pybytes())


def _column_arrow_table(table: ColumnTable) -> Any:
    """The Arrow table of a table shipped as columns, each column converted as
    ``pyarrow.Table.from_pandas`` converts its DataFrame's (:func:`_arrow_array`); a table with
    a column of another kind (text, objects) is converted through its DataFrame."""
    import pyarrow as pa

    arrays = [_arrow_array(values) for values in table.columns.values()]
    if any(array is None for array in arrays):
        return pa.Table.from_pandas(table.frame(), preserve_index=False)
    return pa.Table.from_arrays(arrays, names=list(table.columns))


def _arrow_array(values: np.ndarray) -> Any:
    """A NumPy column as an Arrow array, as ``from_pandas`` converts it: integers and floats
    (NaN as null), flags, and ``datetime64`` values as dates (``date32``; NaT as null); None
    for any other kind. Built from the column's buffers with ``pyarrow.Array.from_buffers``,
    not ``pyarrow.array``, which loads pandas (to look for its types) at its first call."""
    import pyarrow as pa

    kind = values.dtype.kind
    if kind == "b":
        bits = np.packbits(values.astype(np.bool_), bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    if kind == "M":
        missing = np.isnat(values)
        data = values.astype("datetime64[D]").astype(np.int32)
    elif kind in "iuf":
        missing = np.isnan(values) if kind == "f" else None
        data = np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("="))
    else:
        return None
    arrow_type = pa.date32() if kind == "M" else pa.from_numpy_dtype(data.dtype)
    if missing is None or not missing.any():
        return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(data)])
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    data = np.where(missing, 0, data).astype(data.dtype)  # a null's slot holds 0, as Arrow's
    return pa.Array.from_buffers(
        arrow_type, len(values), [valid, pa.py_buffer(data)], null_count=int(missing.sum())
    )


_ARROW_SCHEMAS: dict[tuple[Any, ...], Any] = {}
"""The Arrow schemas (with pandas' metadata) of the tables converted so far, by their columns,
dtypes and number of rows: an ensemble's members share them."""


def _arrow_table(frame: pd.DataFrame) -> Any:
    """``pyarrow.Table.from_pandas(frame)``, the same schema and values, a few times quicker
    for a table shaped like one converted before: its schema (pandas' metadata included) is
    reused and each column converted as ``from_pandas`` converts it. Tables with a custom
    index, attributes or repeated column names take ``from_pandas`` itself."""
    import pyarrow as pa

    plain = _plain(frame)
    key = (tuple(frame.columns), tuple(map(str, frame.dtypes)), len(frame))
    schema = _ARROW_SCHEMAS.get(key) if plain else None
    if schema is None:
        table = pa.Table.from_pandas(frame)
        if plain:
            _ARROW_SCHEMAS[key] = table.schema
        return table
    arrays = []
    for field, values in zip(schema, _columns(frame), strict=False):
        if values.dtype == object:  # the type is inferred from the values: check it
            array = pa.array(values, from_pandas=True)
            if array.type != field.type:
                return pa.Table.from_pandas(frame)
        else:
            array = pa.array(values, type=field.type, from_pandas=True)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def _plain(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` converts by its columns alone: string column names, each once, NumPy
    dtypes, the default index and no attributes."""
    import pandas as pd

    return (
        not frame.attrs
        and frame.columns.is_unique
        and all(isinstance(name, str) for name in frame.columns)
        and all(isinstance(dtype, np.dtype) for dtype in frame.dtypes)
        and isinstance(frame.index, pd.RangeIndex)
        and (frame.index.start, frame.index.step, frame.index.name) == (0, 1, None)
    )


def _columns(frame: pd.DataFrame) -> list[np.ndarray]:
    """The columns of a table of NumPy dtypes as arrays, in order."""
    return [frame[name].to_numpy() for name in frame.columns]


def run_member(payload: tuple[MemberFn, EnsembleSpec], member: Member) -> MemberOutput:
    """Run one member in a worker: look up its scenario, seed and overrides, and compact the
    result (its daily table as columns: the DataFrame is built, and the store's Parquet
    encoded, where it arrives)."""
    member_fn, spec = payload
    seed = member_seed(spec.base_seed, member.rep)
    started_s = time.time()
    result = member_fn(spec.scenarios[member.scenario], seed, spec.overrides(member.draw))
    return MemberOutput.from_result(member.key, seed, result, started_s)


class EnsembleStore(Protocol):
    """Where an ensemble records finished members (implemented by ``channelsim.runstore``).

    Only the driver process talks to the store; workers just return results.
    """

    def begin_run(
        self,
        *,
        config: dict[str, Any],
        kind: str,
        name: str,
        base_seed: int,
        members: Sequence[Member],
        run_id: str | None,
        resume: bool,
    ) -> tuple[str, set[str]]:
        """Create or reopen a run; return its id and the keys of members already recorded."""
        ...

    def load_member(self, run_id: str, member: Member) -> MemberOutput: ...

    def load_members(self, run_id: str, members: Sequence[Member]) -> list[MemberOutput]:
        """Recorded members' outputs, in the order given (a resumed run's, at once)."""
        ...

    def record_member(self, run_id: str, member: Member, output: MemberOutput) -> None:
        """Record a finished member: its files at once, then its row, which commits it.

        Rows may be committed in batches (a store's ``end_run`` commits any left), so that a
        large ensemble of short members does not wait for one commit per member."""
        ...

    def end_run(self, run_id: str, status: str, message: str | None = None) -> None: ...


def _describe(values: np.ndarray, quantiles: Sequence[float]) -> dict[str, Any]:
    """Mean, median and quantiles of one metric; NaN (a missing total) is left out."""
    finite = values[~np.isnan(values)]
    stats: dict[str, Any] = {
        "n": int(finite.size),
        "mean": float(finite.mean()) if finite.size else math.nan,
        "median": float(np.median(finite)) if finite.size else math.nan,
    }
    for q in quantiles:
        stats[_quantile_column(q)] = float(np.quantile(finite, q)) if finite.size else math.nan
    return stats


def _quantile_column(q: float) -> str:
    return f"q{100 * q:02g}".replace(".", "_")


def joined_columns(
    outputs: Sequence[MemberOutput], name: str
) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """The table ``name`` of those of ``outputs`` that have it, as NumPy columns end to end in
    their order, and each row's member (its position among them); None when one of them is a
    DataFrame or their columns differ in names or types (see
    :meth:`EnsembleResult.table_columns`). A ``KeyError`` if none has it."""
    shipped = []
    for output in outputs:
        if name in output.tables:
            table = output.columns.get(name)
            if table is None:
                return None
            shipped.append(table.columns)
    if not shipped:
        raise KeyError(f"no member has a table named {name!r}")
    kinds = [(c, v.dtype) for c, v in shipped[0].items()]
    if any([(c, v.dtype) for c, v in t.items()] != kinds for t in shipped[1:]):
        return None
    rows = np.array([len(next(iter(t.values()), ())) for t in shipped], dtype=np.int64)
    members = np.repeat(np.arange(len(shipped), dtype=np.int64), rows)
    return members, {c: np.concatenate([t[c] for t in shipped]) for c, _ in kinds}


@dataclasses.dataclass
class EnsembleResult:
    """Members and their outputs, in member order, with tidy reductions."""

    spec: EnsembleSpec
    members: list[Member]
    outputs: list[MemberOutput]
    run_id: str | None = None

    def metrics(self) -> list[str]:
        """Names of the totals, in first-seen order."""
        seen: dict[str, None] = {}
        for output in self.outputs:
            seen.update(dict.fromkeys(output.totals))
        return list(seen)

    def totals(self) -> pd.DataFrame:
        """One row per member: ``scenario, draw, rep, seed`` and one column per total."""
        import pandas as pd

        rows = [
            {"scenario": m.scenario, "draw": m.draw, "rep": m.rep, "seed": o.seed, **o.totals}
            for m, o in zip(self.members, self.outputs, strict=True)
        ]
        return pd.DataFrame(rows, columns=["scenario", "draw", "rep", "seed", *self.metrics()])

    def totals_array(self, figures: Sequence[str]) -> np.ndarray:
        """Members × ``figures``: each member's totals as floats (NaN where it has none), as
        :meth:`totals` holds them."""
        return np.array(
            [[o.totals.get(f, math.nan) for f in figures] for o in self.outputs], dtype=np.float64
        ).reshape(len(self.outputs), len(figures))

    def table_columns(self, name: str) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
        """One member table (e.g. ``daily``) for all members that have it, as NumPy columns
        end to end in member order, and each row's member (its position among those members):
        :meth:`table` without pandas, from the columns the members' tables were shipped as.
        None when a member's table is a DataFrame (read back from a store, say), or their
        columns differ in names or types: then :meth:`table` is the one to read."""
        return joined_columns(self.outputs, name)

    def table(self, name: str) -> pd.DataFrame:
        """One member table (e.g. ``daily``) for all members, keyed by scenario, draw and rep.

        Tables shipped as columns are joined as columns and built as one DataFrame (the one
        the members' DataFrames would concatenate to: a hundred members' days take a tenth
        of a second less and some 10 MB less at their peak)."""
        import pandas as pd

        members = [m for m, o in zip(self.members, self.outputs, strict=True) if name in o.tables]
        if not members:
            raise KeyError(f"no member has a table named {name!r}")
        joined = self._joined_frame(name, len(members))
        if joined is None:
            frames = [o.tables[name] for o in self.outputs if name in o.tables]
            rows = np.array([len(frame) for frame in frames])
            body = pd.concat(frames, ignore_index=True)
        else:
            body, rows = joined
        # the keys of every row at once, then one concatenation (not one per member)
        keys = pd.DataFrame(
            {
                "scenario": np.repeat(np.array([m.scenario for m in members], object), rows),
                "draw": np.repeat(_key_array([m.draw for m in members]), rows),
                "rep": np.repeat(np.array([m.rep for m in members]), rows),
            }
        )
        return pd.concat([keys, body], axis=1)

    def _joined_frame(self, name: str, n_members: int) -> tuple[pd.DataFrame, np.ndarray] | None:
        """The members' table ``name`` built as one DataFrame from their columns joined end to
        end, and the rows of each of the ``n_members`` that have it; None unless every member
        ships it as columns of one dataclass (the engine's ``TableColumns``), whose ``frame``
        then builds it."""
        shipped = self.table_columns(name)
        if shipped is None:
            return None
        first = next(o.columns[name] for o in self.outputs if name in o.tables)
        if not dataclasses.is_dataclass(first) or isinstance(first, type):
            return None
        member, columns = shipped
        whole = dataclasses.replace(first, columns=columns)
        return whole.frame(), np.bincount(member, minlength=n_members)

    def _values(self, metric: str, members: Sequence[int]) -> np.ndarray:
        return np.array(
            [self.outputs[i].totals.get(metric, math.nan) for i in members], dtype=float
        )

    def summary(self, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Per scenario and total: n, mean, median and quantiles across draws and replicates."""
        import pandas as pd

        rows = []
        for scenario in self.spec.scenarios:
            indices = [i for i, m in enumerate(self.members) if m.scenario == scenario]
            if not indices:
                continue
            for metric in self.metrics():
                stats = _describe(self._values(metric, indices), quantiles)
                rows.append({"scenario": scenario, "metric": metric, **stats})
        return pd.DataFrame(rows)

    def paired(self, base: str | None = None) -> pd.DataFrame:
        """Per member: its total minus the base scenario's total for the same (draw, rep)."""
        import pandas as pd

        base = base or self.spec.base_scenario
        if base not in self.spec.scenarios:
            raise InputError(
                None, "base", f"expected one of {list(self.spec.scenarios)}, got {base!r}"
            )
        base_index = {(m.draw, m.rep): i for i, m in enumerate(self.members) if m.scenario == base}
        rows = []
        for i, member in enumerate(self.members):
            j = base_index.get((member.draw, member.rep))
            if member.scenario == base or j is None:
                continue
            for metric in self.metrics():
                value = self.outputs[i].totals.get(metric, math.nan)
                base_value = self.outputs[j].totals.get(metric, math.nan)
                rows.append(
                    {
                        "scenario": member.scenario,
                        "base": base,
                        "draw": member.draw,
                        "rep": member.rep,
                        "metric": metric,
                        "value": float(value),
                        "base_value": float(base_value),
                        "difference": float(value) - float(base_value),
                    }
                )
        return pd.DataFrame(
            rows,
            columns=[
                "scenario",
                "base",
                "draw",
                "rep",
                "metric",
                "value",
                "base_value",
                "difference",
            ],
        )

    def compare(
        self, base: str | None = None, quantiles: Sequence[float] = QUANTILES
    ) -> pd.DataFrame:
        """Paired differences against ``base`` summarised per scenario and total.

        ``share_below_zero`` is the fraction of pairs in which the scenario's total is lower
        than the base's: with common random numbers, a policy effect shows up consistently.
        """
        import pandas as pd

        pairs = self.paired(base)
        rows = []
        for (scenario, metric), group in pairs.groupby(["scenario", "metric"], sort=False):
            differences = group["difference"].to_numpy(dtype=float)
            finite = differences[~np.isnan(differences)]
            rows.append(
                {
                    "scenario": scenario,
                    "base": group["base"].iloc[0],
                    "metric": metric,
                    **_describe(differences, quantiles),
                    "share_below_zero": float((finite < 0).mean()) if finite.size else math.nan,
                }
            )
        return pd.DataFrame(rows)

    def to_json_dict(self, quantiles: Sequence[float] = QUANTILES) -> dict[str, Any]:
        """Spec, summary and paired comparison as plain JSON-ready values."""
        compare = self.compare(quantiles=quantiles) if len(self.spec.scenarios) > 1 else None
        return {
            "run_id": self.run_id,
            "name": self.spec.name,
            "base_seed": int(self.spec.base_seed),
            "scenarios": list(self.spec.scenarios),
            "n_draws": self.spec.n_draws,
            "reps": self.spec.reps,
            "n_members": len(self.members),
            "summary": _records(self.summary(quantiles)),
            "compare": None if compare is None else _records(compare),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def draws_from_posterior(
    posterior: pd.DataFrame, n: int, seed: int, weight_column: str = "weight"
) -> list[dict[str, Any]]:
    """Resample ``n`` equally weighted parameter sets from a weighted posterior table.

    Systematic resampling (one uniform offset) keeps the draws close to the weights with low
    variance; ensembles then treat every draw alike.
    """
    if n < 1:
        raise InputError(None, "draws", f"expected at least one draw, got {n}")
    if weight_column not in posterior.columns:
        raise InputError(None, f"column {weight_column!r}", "expected a posterior weight column")
    weights = posterior[weight_column].to_numpy(dtype=float)
    if (
        len(weights) == 0
        or np.any(~np.isfinite(weights))
        or np.any(weights < 0)
        or weights.sum() <= 0
    ):
        raise InputError(
            None,
            f"column {weight_column!r}",
            "expected finite non-negative weights with a positive sum",
        )
    cumulative = np.cumsum(weights / weights.sum())
    offset = np.random.default_rng(seed).random()
    picks = np.searchsorted(cumulative, (offset + np.arange(n)) / n, side="right")
    picks = np.minimum(picks, len(weights) - 1)
    parameters = posterior.drop(columns=[weight_column])
    return [{str(k): _config_value(v) for k, v in parameters.iloc[int(i)].items()} for i in picks]


@contextlib.contextmanager
def _progress_bar(
    enabled: bool | Callable[[int, int], None], total: int, completed: int, label: str
) -> Iterator[Callable[[], None]]:
    """A Rich progress bar on stderr over members; yields the function that advances it.

    ``enabled`` may instead be a callable ``report(done, total)``, called once at the start
    and after each member (a web page's progress bar); an exception it raises (a user's
    cancel) stops the ensemble like Ctrl-C: pending members are cancelled.
    """
    if callable(enabled):
        report, done = enabled, [completed]
        report(completed, total)

        def advance() -> None:
            done[0] += 1
            report(done[0], total)

        yield advance
        return
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=total, completed=completed)
        yield lambda: progress.advance(task)


def run_ensemble(
    member_fn: MemberFn,
    spec: EnsembleSpec,
    members: Sequence[Member] | None = None,
    *,
    executor: str | Executor = "processes",
    workers: int | None = None,
    progress: bool | Callable[[int, int], None] = True,
    store: EnsembleStore | None = None,
    run_id: str | None = None,
    resume: bool = False,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    keep: Callable[[int, MemberOutput], MemberOutput] | None = None,
) -> EnsembleResult:
    """Run every member of ``spec`` (or the given subset) and return them in member order.

    ``executor`` is ``"serial"``, ``"processes"`` (a local pool of ``workers``), a Dask
    scheduler address ``"tcp://HOST:PORT"``, or an :class:`Executor` that the caller keeps
    open across several ensembles (and closes). With a ``store``, each finished member is recorded
    as soon as it arrives; ``resume=True`` continues run ``run_id`` (or the latest run with
    the same configuration, finished or not) without recomputing recorded members. ``progress`` is
    a Rich bar on stderr (``True``), nothing, or a callable ``report(done, total)`` that may
    raise to cancel. Ctrl-C cancels pending members and marks the run interrupted; a dead
    worker marks it failed. Both can be resumed. ``keep(position, output)``, if given, is
    called with each member run here as it arrives (once recorded) and returns what the result
    holds of it: a caller that reduces members' tables as they come can drop them.
    """
    members = list(spec.members() if members is None else members)
    _check_members(spec, members)
    runner = make_executor(executor, workers, connect_timeout_s)
    outputs: list[MemberOutput | None] = [None] * len(members)
    with contextlib.ExitStack() as cleanup:
        if runner is not executor:  # made here from its name, so closed here
            cleanup.callback(runner.close)
        runner.start()  # connect first: an unreachable cluster must not leave a run behind
        if store is not None:
            config = spec.config(member_fn)
            if members != spec.members():
                config["members"] = [m.key for m in members]
            run_id, recorded = store.begin_run(
                config=config,
                kind=spec.kind,
                name=spec.name,
                base_seed=spec.base_seed,
                members=members,
                run_id=run_id,
                resume=resume,
            )
            found = [i for i, member in enumerate(members) if member.key in recorded]
            for i, output in zip(
                found, store.load_members(run_id, [members[i] for i in found]), strict=True
            ):
                outputs[i] = output
        todo = [i for i, output in enumerate(outputs) if output is None]
        label = spec.name if run_id is None else f"{spec.name} ({run_id})"
        with _progress_bar(progress, len(members), len(members) - len(todo), label) as advance:
            try:
                stream = runner.run(run_member, (member_fn, spec), [members[i] for i in todo])
                with contextlib.closing(stream):
                    for j, output in stream:
                        # recorded and counted as one step: Ctrl-C or SIGTERM waits for both
                        with signals_deferred():
                            if store is not None and run_id is not None:
                                store.record_member(run_id, members[todo[j]], output)
                            outputs[todo[j]] = output if keep is None else keep(todo[j], output)
                        advance()
            except BaseException as error:
                where = _record_failure(store, run_id, error, outputs)
                if isinstance(error, WorkerLostError | ClusterError):
                    raise type(error)(f"{error}; {where}") from error
                if isinstance(error, Exception):
                    error.add_note(f"while running ensemble {label}; {where}")
                elif isinstance(error, KeyboardInterrupt):
                    error.add_note(where)
                raise
    if store is not None and run_id is not None:
        store.end_run(run_id, "done")
    return EnsembleResult(spec, members, [o for o in outputs if o is not None], run_id)


def _record_failure(
    store: EnsembleStore | None,
    run_id: str | None,
    error: BaseException,
    outputs: Sequence[MemberOutput | None],
) -> str:
    """Mark the run interrupted or failed; return how far it got and how to resume it."""
    done = sum(o is not None for o in outputs)
    if store is None or run_id is None:
        return f"{done} of {len(outputs)} members finished (no results store: nothing kept)"
    remove = getattr(store, "remove_run", None)
    if done == 0 and isinstance(error, InputError) and remove is not None:
        # refused input before any member finished: a resume could only fail again (a
        # scenario's lever set twice was recorded as a failed run to resume)
        with contextlib.suppress(Exception):
            remove(run_id)
            return "no member finished, so no run was kept in the results store"
    where = (
        f"run {run_id} has {done} of {len(outputs)} members recorded; "
        f"resume it with --resume {run_id}"
    )
    if isinstance(error, KeyboardInterrupt):
        status, message = "interrupted", f"{stop_reason(error)}; {where}"
    else:
        status, message = "failed", f"{type(error).__name__}: {error}; {where}"
    # The store may be what failed (a full disk): the user must still see the first error; an
    # unclosed run is marked interrupted when the store is next opened.
    with contextlib.suppress(Exception):
        store.end_run(run_id, status, message)
    return where


def _check_members(spec: EnsembleSpec, members: Sequence[Member]) -> None:
    keys = set()
    for member in members:
        if member.scenario not in spec.scenarios:
            raise InputError(
                None, f"member {member.key}", f"expected a scenario among {list(spec.scenarios)}"
            )
        if not 0 <= member.draw < spec.n_draws or member.rep < 0:
            raise InputError(
                None, f"member {member.key}", f"expected draw in 0..{spec.n_draws - 1} and rep >= 0"
            )
        if member.key in keys:
            raise InputError(None, f"member {member.key}", "expected each member once")
        keys.add(member.key)
