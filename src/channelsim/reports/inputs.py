"""What a report is built from: an output folder (run, demo, compare, sensitivity) or a run
id in the results store, read into tidy tables. Whatever is absent stays ``None``."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from channelsim.engine import ResultSet, all_results
from channelsim.errors import NESTED_TOO_DEEP, InputError
from channelsim.experiments.ensemble import EnsembleResult, EnsembleSpec, Member

if TYPE_CHECKING:
    from channelsim.outputs import Unchecked
    from channelsim.scenario import Scenario

SERIES_COLUMNS = ("date", "arrived_people", "arrived_boats")
NOT_COMPARISON = {"daily", "boats", "costs", "indices", "samples"}


@dataclass
class ReportInput:
    """Tables for the report; ``daily`` is keyed by ``scenario`` and ``member``."""

    source: str
    title: str
    daily: pd.DataFrame | None = None
    boats: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: The scenarios simulated, in order: name -> description ("" when unknown).
    scenarios: dict[str, str] = field(default_factory=dict)
    #: The results registry of what was simulated (labels, units, aggregation): the
    #: folder's ``columns.json``, else every result the engine and its policies declare.
    results: ResultSet | None = None
    #: "What decides this answer" of a comparison with a posterior: scenario -> figure ->
    #: shares and headline, as ``comparison.json`` holds them (empty without a posterior).
    decides: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: A comparison without a posterior: scenario -> the sentence naming the assumptions its
    #: answer rests on at their stated values (``comparison.json``'s ``rests_on``).
    rests_on: dict[str, str] = field(default_factory=dict)
    #: The same: scenario -> those assumptions (``input``, ``stated``, ``low``, ``high``).
    assumptions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Why a comparison reads "no change": scenario -> the sentence naming the policies it
    #: changes that cannot act in the period (``comparison.json``'s ``outside_period``).
    outside: dict[str, str] = field(default_factory=dict)
    #: A comparison: scenario -> what it changes that the model puts no cost on, in words
    #: (``comparison.json``'s ``cost_not_priced``): its cost reads "not priced".
    unpriced: dict[str, str] = field(default_factory=dict)
    #: A comparison: scenario -> the sentence naming the assumed unit costs its extra cost
    #: rests on (``cost_rests_on``); a run: the same of its scenario's policies.
    cost_rests_on: dict[str, str] = field(default_factory=dict)
    #: With a posterior: scenario -> the inputs drawn but left out of "what decides this
    #: answer", as they cannot act in the period (``left_out_of_what_decides``).
    left_out: dict[str, list[str]] = field(default_factory=dict)
    #: Of several runs: scenario -> the ``member`` (of ``daily``) whose boats the map draws,
    #: and why that one (``typical``: closest to the median deaths; ``paired``: a
    #: comparison's replicate nearest every scenario's median deaths; ``first``: the first
    #: replicate, every scenario's, paired).
    map_runs: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Of one run: scenario -> each priced cost item in words and its total, largest first
    #: (its ``costs.parquet`` summed by item), which the headline's cost sentence lists as the
    #: terminal's does.
    cost_items: dict[str, dict[str, float]] = field(default_factory=dict)
    #: The runs a one-run folder's headline gave (the demo's: 40 runs, while its tables are
    #: one): ``runs``, ``base_seed``, ``seed`` and ``totals`` rows, from its ``headline.json``
    #: (:data:`channelsim.headline.HEADLINE_FILE`); None when the folder has none.
    headline_runs: dict[str, Any] | None = None
    #: Why a folder's files could not be checked against the bytes channelsim wrote (no
    #: record of them, ``.channelsim-output.json``, or a record from before checksums were
    #: kept: :func:`channelsim.outputs.check_as_written`), which the report says; None when
    #: they were (or the input is a run of the results store).
    unchecked: Unchecked | None = None

    @property
    def empty(self) -> bool:
        return all(t is None for t in (self.daily, self.boats, self.comparison, self.sensitivity))

    def period(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day simulated (the daily table's, else the output's record),
        or None when unknown."""
        if self.daily is not None:
            dates = pd.to_datetime(self.daily["date"])
            return dates.min().date(), dates.max().date()
        start, end = self.details.get("start"), self.details.get("end")
        if start and end:
            return dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
        return None

    def runs(self) -> int:
        """The runs per scenario (a comparison's pairs of runs): its record's, else the most
        members of a scenario in the daily table (1 without one)."""
        recorded = self.details.get("runs")
        if isinstance(recorded, int) and recorded > 0:
            return recorded
        if self.daily is None:
            return 1
        return int(self.daily.groupby("scenario")["member"].nunique().max())


def _by_scenario(payload: dict[str, Any], pick: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """What ``pick`` finds in each named scenario's entry of comparison.json, by name
    (entries where it finds None are left out)."""
    found = {}
    for entry in payload.get("scenarios", []):
        if isinstance(entry, dict) and entry.get("name"):
            value = pick(entry)
            if value is not None:
                found[str(entry["name"])] = value
    return found


def _text_of(entry: dict[str, Any], key: str) -> str | None:
    """The ``text`` of the sentence an entry holds under ``key``, if any."""
    sentence = entry.get(key)
    return str(sentence["text"]) if isinstance(sentence, dict) and sentence.get("text") else None


def _left_out(entry: dict[str, Any]) -> list[str] | None:
    names = entry.get("left_out_of_what_decides")
    return [str(k) for k in names] if isinstance(names, list) else None


def _assumptions(entry: dict[str, Any]) -> list[Any] | None:
    rests_on = entry.get("rests_on")
    return list(rests_on.get("assumptions") or []) if isinstance(rests_on, dict) else None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(path, None, f"expected readable JSON ({error})") from None
    except RecursionError:
        raise InputError(path, None, NESTED_TOO_DEEP) from None


#: The whole numbers a report quotes from an output's JSON, and their largest values (a seed
#: is below 2**63, as ``--seed`` checks).
_WHOLE_DETAILS = {"seed": 2**63 - 1, "base_seed": 2**63 - 1, "runs": 10**6, "n_runs": 10**7}


def _details(path: Path, payload: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The ``keys`` of an output's JSON that ``payload`` holds, its whole numbers checked: an
    edited summary.json with seed "x" failed with a traceback, and seed -3 was published."""
    details = {k: payload[k] for k in keys if k in payload}
    for key, largest in _WHOLE_DETAILS.items():
        value = details.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= largest:
            raise InputError(
                path, key, f"expected a whole number from 0 to {largest:,}, got {value!r}"
            )
    return details


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise InputError(path, None, f"expected a Parquet table ({error})") from None


def _check_columns(frame: pd.DataFrame, path: Path, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(path, f"column {missing[0]!r}", f"expected columns {', '.join(columns)}")


def _keyed_daily(frame: pd.DataFrame, path: Path, scenario: str, member: str) -> pd.DataFrame:
    """A daily table with ``scenario`` and ``member`` keys (ensemble tables bring their own)."""
    _check_columns(frame, path, SERIES_COLUMNS)
    frame = frame.copy()
    if "scenario" not in frame.columns:
        frame["scenario"] = scenario
    if {"draw", "rep"} <= set(frame.columns):
        frame["member"] = "d" + frame["draw"].astype(str) + ".r" + frame["rep"].astype(str)
    elif "member" not in frame.columns:
        frame["member"] = member
    return frame


def comparison_from_json(payload: Any) -> pd.DataFrame | None:
    """Tidy rows from a ``channelsim compare`` JSON: ``scenarios`` with ``name`` and a
    ``difference`` map of figure -> ``median``, ``low``, ``high`` (and ``mean``: a skewed
    figure's headline gives it); None if it is not one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("scenarios"), list):
        return None
    rows = []
    for entry in payload["scenarios"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("difference"), dict):
            return None
        for metric, stats in entry["difference"].items():
            if isinstance(stats, dict) and "median" in stats:
                rows.append(
                    {
                        "scenario": str(entry.get("name")),
                        "base": payload.get("base"),
                        "metric": str(metric),
                        "median": _float(stats.get("median")),
                        "low": _float(stats.get("low")),
                        "high": _float(stats.get("high")),
                        "mean": _float(stats.get("mean")),
                    }
                )
    return pd.DataFrame(rows) if rows else None


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def comparison_from_table(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Tidy rows from a comparison table (``scenario``, ``metric`` or ``figure``, ``median`` and
    ``low/high`` or the ensemble's ``q05/q95``, and ``mean`` where it has one); None if it is
    not one."""
    renamed = frame.rename(columns={"q05": "low", "q95": "high", "figure": "metric"})
    if not {"scenario", "metric", "median"} <= set(renamed.columns):
        return None
    if not {"low", "high"} <= set(renamed.columns):
        return None
    keep = ("scenario", "base", "metric", "median", "low", "high", "mean")
    columns = [c for c in keep if c in renamed]
    return renamed[columns].reset_index(drop=True)


def _scenario_name(folder: Path) -> str:
    """The scenario a run folder holds (a comparison folder's boat log is its base's)."""
    for name, key in (("meta.json", "scenario"), ("summary.json", "scenario"),
                      ("comparison.json", "base")):  # fmt: skip
        path = folder / name
        if path.is_file():
            payload = _read_json(path)
            if isinstance(payload, dict) and payload.get(key):
                return str(payload[key])
    return folder.name


def _description(folder: Path) -> str:
    """The scenario's description from ``scenario.json`` ("" if there is none)."""
    path = folder / "scenario.json"
    payload = _read_json(path) if path.is_file() else None
    return str(payload.get("description") or "") if isinstance(payload, dict) else ""


def _scenario(folder: Path) -> Scenario | None:
    """The scenario of the folder's ``scenario.json`` (a run's, an ensemble's), or None when
    it has none or it cannot be read (a comparison's folder has none)."""
    from pydantic import ValidationError

    from channelsim.scenario import Scenario

    path = folder / "scenario.json"
    payload = _read_json(path) if path.is_file() else None
    if not isinstance(payload, dict):
        return None
    try:
        return Scenario.model_validate(payload)
    except (ValidationError, ValueError, TypeError):
        return None


def _what_if(scenario: Scenario | None) -> bool:
    """Whether the folder's scenario is a what-if, not what happened
    (:func:`channelsim.experiments.observed.describes_the_record`): its report then sets no
    figure against the official ones. False when the folder has none or it cannot be read
    (a comparison's folder compares scenarios, not the record)."""
    from channelsim.experiments.observed import describes_the_record

    return scenario is not None and not describes_the_record(scenario)


def _cost_rests_on(scenario: Scenario | None) -> str | None:
    """The sentence naming the assumed unit costs a run's extra cost rests on, as ``run``
    says it (:func:`~channelsim.experiments.uncertainty.cost_assumptions_text`; s13 U11),
    or None (no scenario, or its policies cannot be built here: a plug-in not installed)."""
    from channelsim.errors import ChannelsimError
    from channelsim.experiments.uncertainty import cost_assumptions_text

    if scenario is None:
        return None
    try:
        return cost_assumptions_text(scenario)
    except (ChannelsimError, ValueError, TypeError):
        return None


def _weather_modes(folder: Path) -> list[str]:
    """The weather modes of what a folder simulated: its ``scenario.json``'s (a run, an
    ensemble), or its ``comparison.json``'s ``weather_modes``; empty when unknown."""
    for name, pick in (("scenario.json", lambda p: [(p.get("weather") or {}).get("mode")]),
                       ("comparison.json", lambda p: p.get("weather_modes") or [])):  # fmt: skip
        path = folder / name
        payload = _read_json(path) if path.is_file() else None
        if isinstance(payload, dict):
            try:
                return [str(m) for m in pick(payload) if isinstance(m, str) and m]
            except AttributeError:  # a weather that is not a table
                return []
    return []


def _results(folder: Path) -> ResultSet:
    """The results registry the folder records (its columns.json, or the results.json of a
    folder written before), else every declared one."""
    from channelsim.engine.results import COLUMNS_FILE, OLD_COLUMNS_FILE

    path = folder / COLUMNS_FILE
    if not path.is_file():
        path = folder / OLD_COLUMNS_FILE
    records = _read_json(path) if path.is_file() else None
    if isinstance(records, list):
        try:
            return ResultSet.from_records(records)
        except (TypeError, ValueError) as error:
            raise InputError(path, None, f"expected the results registry ({error})") from None
    return all_results()


#: The JSON documents of channelsim's output folders that a report reads.
OUTPUT_DOCUMENTS = (
    "comparison.json", "sensitivity.json", "summary.json", "meta.json", "headline.json"
)  # fmt: skip


def _headline_runs(path: Path, payload: Any) -> dict[str, Any]:
    """The runs a folder's headline gave (``headline.json``), its numbers checked: one line
    naming the file and key for an edited one."""
    if not isinstance(payload, dict):
        raise InputError(path, None, "expected an object with runs, base_seed, seed and totals")
    details = _details(path, payload, ("runs", "base_seed", "seed"))
    totals = payload.get("totals")
    good = isinstance(totals, list) and all(
        isinstance(row, dict) and isinstance(row.get("figure"), str)
        and all(isinstance(row.get(k), int | float | None) for k in ("median", "low", "high"))
        for row in totals
    )  # fmt: skip
    if not good or not isinstance(details.get("runs"), int) or details["runs"] < 2:
        raise InputError(
            path, "totals" if not good else "runs",
            "expected runs (2 or more) and totals: a list of figure, median, low, high",
        )  # fmt: skip
    return {**details, "totals": totals}


def _read_by_report(name: str) -> bool:
    """Whether a report reads the file ``name`` of an output folder: its JSON documents and
    tables (not their CSV and workbook copies, which a user may open and save)."""
    return Path(name).suffix in (".json", ".parquet") and "/" not in name


def _runs_in(folder: Path) -> list[Path]:
    """The folder itself if it holds a run's tables. Not its sub-folders: no command writes
    runs in sub-folders, and ``report /tmp`` read every folder of /tmp holding a
    daily.parquet (other users' too) and named one of theirs in its error."""
    return [folder] if (folder / "daily.parquet").is_file() else []


def _cost_items(path: Path) -> dict[str, float] | None:
    """A run's cost items from its ``costs.parquet`` (``item``, ``cost_gbp``), in words with
    their totals, largest first (:func:`channelsim.headline.priced_items`); None without
    one."""
    from channelsim.headline import priced_items

    if not path.is_file():
        return None
    costs = _read_parquet(path)
    _check_columns(costs, path, ("item", "cost_gbp"))
    totals = costs.groupby(costs["item"].astype(str), sort=False)["cost_gbp"].sum()
    return priced_items({str(k): float(v) for k, v in totals.items()})


def load_folder(folder: Path) -> ReportInput:
    """Read an output folder of ``channelsim run|demo|compare|sensitivity``."""
    from channelsim.outputs import check_as_written

    if not folder.is_dir():
        raise InputError(folder, None, "expected an output folder or a run id")
    found = ReportInput(source=str(folder), title=folder.name)
    found.unchecked = check_as_written(folder, _read_by_report)
    dailies, boats = [], []
    for run in _runs_in(folder):
        scenario = _scenario_name(run)
        member = run.name if run != folder else "0"
        path = run / "daily.parquet"
        daily = _keyed_daily(_read_parquet(path), path, scenario, member)
        for name in dict.fromkeys(daily["scenario"].astype(str)):
            found.scenarios.setdefault(name, _description(run) if name == scenario else "")
        dailies.append(daily)
        if (run / "boats.parquet").is_file():
            log = _read_parquet(run / "boats.parquet")  # a comparison's has every scenario's
            boats.append(log if "scenario" in log else log.assign(scenario=scenario))
        items = _cost_items(run / "costs.parquet")
        if items is not None and daily["member"].nunique() == 1:
            found.cost_items[scenario] = items
    if dailies:
        found.daily = pd.concat(dailies, ignore_index=True)
    if boats:
        found.boats = pd.concat(boats, ignore_index=True)
    # the documents channelsim writes, by name: any JSON of the folder was read (a folder
    # like /tmp holding someone's compare --format json output gave its comparison)
    for path in sorted(p for p in folder.glob("*.json") if p.name in OUTPUT_DOCUMENTS):
        payload = _read_json(path)
        if found.comparison is None and path.name == "comparison.json":
            found.comparison = comparison_from_json(payload)
        if path.name == "headline.json":
            found.headline_runs = _headline_runs(path, payload)
        elif path.name == "sensitivity.json" and isinstance(payload, dict):
            keys: tuple[str, ...] = ("scenario", "method", "n_runs", "seed", "period", "posterior")
            found.details.update({k: None for k in keys} | _details(path, payload, keys))
        elif path.name == "summary.json" and isinstance(payload, dict):
            keys = ("scenario", "seed", "start", "end", "runs", "posterior")
            found.details.update(_details(path, payload, keys))
            chosen = payload.get("map_run")
            if isinstance(chosen, dict) and payload.get("scenario"):
                member = f"d{chosen.get('draw')}.r{chosen.get('rep')}"
                found.map_runs[str(payload["scenario"])] = (member, "typical")
        elif path.name == "comparison.json" and isinstance(payload, dict):
            keys = ("base", "base_seed", "runs", "start", "end", "posterior")
            found.details.update(_details(path, payload, keys))
            found.decides = _by_scenario(payload, lambda e: e.get("what_decides") or None)
            found.rests_on = _by_scenario(payload, lambda e: _text_of(e, "rests_on"))
            found.left_out = _by_scenario(payload, _left_out)
            found.outside = _by_scenario(payload, lambda e: _text_of(e, "outside_period"))
            found.unpriced = _by_scenario(payload, lambda e: _text_of(e, "cost_not_priced"))
            found.cost_rests_on = _by_scenario(payload, lambda e: _text_of(e, "cost_rests_on"))
            found.assumptions = _by_scenario(payload, _assumptions)
            if found.boats is not None and "scenario" in found.boats:  # one paired replicate's
                scenarios = dict.fromkeys(found.boats["scenario"].astype(str))
                chosen = payload.get("map_run")
                drawn = chosen.get("member") if isinstance(chosen, dict) else None
                found.map_runs = {  # before map_run was kept: the first replicate
                    name: (drawn, "paired")
                    if isinstance(drawn, str) and drawn
                    else ("d0.r0", "first")
                    for name in scenarios
                }
            base = {"name": payload.get("base"), "description": payload.get("base_description")}
            for entry in [base, *payload.get("scenarios", [])]:
                if isinstance(entry, dict) and entry.get("name"):
                    described = str(entry.get("description") or "")
                    name = str(entry["name"])
                    found.scenarios[name] = found.scenarios.get(name) or described
    if not found.scenarios and found.details.get("scenario"):
        found.scenarios[str(found.details["scenario"])] = _description(folder)
    for path in sorted(folder.glob("*.parquet")):
        if path.stem == "indices":
            found.sensitivity = _read_parquet(path)
        elif path.stem not in NOT_COMPARISON and found.comparison is None:
            found.comparison = comparison_from_table(_read_parquet(path))
    found.results = _results(folder)
    found.details["weather_modes"] = _weather_modes(folder)
    simulated = _scenario(folder)
    found.details["what_if"] = _what_if(simulated)
    unit_costs = _cost_rests_on(simulated)
    if simulated is not None and unit_costs is not None:
        found.cost_rests_on.setdefault(_scenario_name(folder), unit_costs)
    if found.empty:
        raise InputError(
            folder,
            None,
            "expected the output folder of channelsim run, demo, compare or sensitivity "
            "(daily.parquet, indices.parquet or a comparison table)",
        )
    return found


#: What a report keeps of a stored run's record (with the members recorded, for a run left
#: unfinished: ``channelsim.reports.build.incomplete_line``).
RUN_DETAILS = ("kind", "name", "status", "base_seed", "n_members")


def _typical_members(
    members: list[Member], outputs: list[Any], daily: pd.DataFrame | None
) -> list[tuple[Member, Any]]:
    """Each scenario's member whose dead or missing are closest to the median of its members
    (:func:`~channelsim.experiments.summary.typical_position`; its first member when the days
    do not give them), with its output, in the members' order."""
    from channelsim.experiments.summary import TYPICAL_FIGURE, typical_position
    from channelsim.reports.headlines import member_totals

    totals = None if daily is None else member_totals(daily, all_results())
    chosen = []
    for scenario in dict.fromkeys(m.scenario for m in members):
        mine = [(m, o) for m, o in zip(members, outputs, strict=True) if m.scenario == scenario]
        pick = 0
        if totals is not None and TYPICAL_FIGURE in totals:
            by = totals[totals["scenario"] == scenario].set_index("member")[TYPICAL_FIGURE]
            keys = [m.key for m, _ in mine]
            if set(keys) <= set(by.index):
                pick = typical_position(by.loc[keys].to_numpy())
        chosen.append(mine[pick])
    return chosen


def load_run(run_id: str, runs_store: Path | None) -> ReportInput:
    """Read a run of the results store: its members' tables and, for several scenarios, the
    paired comparison against the base."""
    from channelsim.runstore import RunStore

    with RunStore(runs_store, create=False) as store:
        run = store.get_run(run_id)
        rows = store.members(run_id)
        members = sorted(
            (Member.from_key(r["member_key"]) for r in rows),
            key=lambda m: (m.scenario, m.draw, m.rep),
        )
        outputs = [store.load_member(run_id, m) for m in members]
    config = run["config"]
    found = ReportInput(
        source=f"run {run_id}",
        title=f"{run['kind']} {run['name']} ({run_id})",
        details={k: run[k] for k in RUN_DETAILS if k in run} | {"members_recorded": len(members)},
        results=all_results(),
    )
    if config.get("draws"):
        found.details["posterior"] = True
    found.details["seed"] = run.get("base_seed")
    configured = config.get("scenarios") or {}
    base = config.get("base") if config.get("base") in configured else None
    modes = []
    for name in sorted(configured, key=lambda n: n != base):  # the base first
        scenario = configured[name]
        described = scenario.get("description", "") if isinstance(scenario, dict) else ""
        found.scenarios[str(name)] = str(described or "")
        weather = scenario.get("weather") if isinstance(scenario, dict) else None
        modes.append(weather.get("mode") if isinstance(weather, dict) else None)
    found.details["weather_modes"] = [str(m) for m in modes if isinstance(m, str) and m]
    dailies, boats = [], []
    for member, output in zip(members, outputs, strict=True):
        if "daily" in output.tables:
            daily = output.tables["daily"]
            if set(SERIES_COLUMNS) <= set(daily.columns):
                dailies.append(daily.assign(scenario=member.scenario, member=member.key))
    found.daily = pd.concat(dailies, ignore_index=True) if dailies else None
    for member, output in _typical_members(members, outputs, found.daily):
        if "boats" in output.tables:  # the map shows one run per scenario: the typical one
            boats.append(output.tables["boats"].assign(scenario=member.scenario))
            found.map_runs[member.scenario] = (member.key, "typical")
    order = list(found.scenarios)  # the base first: the map's first layer set
    boats.sort(key=lambda log: order.index(log["scenario"].iloc[0]) if len(log) else 0)
    found.boats = pd.concat(boats, ignore_index=True) if boats else None
    scenarios = config.get("scenarios") or {}
    if len(scenarios) > 1 and members:
        spec = EnsembleSpec(
            scenarios=scenarios,
            reps=int(config.get("reps", 1)),
            base_seed=int(config.get("base_seed", 0)),
            draws=config.get("draws"),
            base=config.get("base"),
            name=str(config.get("name", run["name"])),
            kind=str(run["kind"]),
        )
        found.comparison = comparison_from_table(EnsembleResult(spec, members, outputs).compare())
    if found.empty:
        raise InputError(store.path, f"run {run_id!r}", "expected recorded members with tables")
    return found


def load_input(source: str, runs_store: Path | None = None) -> ReportInput:
    """A folder if ``source`` is an existing path, else a run id in the results store.

    Raises :class:`InputError` for a path that does not exist (one with a ``/``, or not a
    run id's characters) and, from the store, for an unknown run id."""
    from channelsim.runstore import RUN_ID_PATTERN

    path = Path(source)
    if path.exists():
        return load_folder(path)
    if not RUN_ID_PATTERN.match(source):  # a path (a run id has no '/'): say so
        raise InputError(
            path, None, "no such folder (expected a folder written by channelsim, or a run id)"
        )
    return load_run(source, runs_store)
