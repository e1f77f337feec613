"""Paired comparison of scenarios with common random numbers.

Replicate ``r`` of every scenario runs with the same seed (``member_seed(base_seed, r)``),
so each scenario's total minus the base's total for the same replicate measures the
policy, not noise. Differences are summarised by their median and 5–95% quantiles. The
figures compared are those the scenarios' results registries mark as key or reported
figures; a figure only some scenarios make (a policy's own result) counts as 0 in the others.

With a calibration posterior, member ``r`` of every scenario also shares parameter set ``r``
and the policies' assumptions are drawn over their ranges
(:mod:`channelsim.experiments.uncertainty`); the intervals then carry the parameters'
uncertainty, and each difference's variance is shared out among the uncertain inputs
("what decides this answer").
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from channelsim.errors import InputError
from channelsim.experiments.ensemble import EnsembleSpec, Member, member_seed, run_ensemble
from channelsim.experiments.runs import resume_target
from channelsim.experiments.summary import HIGH_Q, INTERVAL, LOW_Q, interval_stats, plain_json
from channelsim.experiments.uncertainty import (
    PREFIX,
    SHARE_COLUMNS,
    acting_inputs,
    assumptions_sentence,
    changed_assumptions,
    changed_cost_assumptions_text,
    decides_note,
    decides_table,
    driver_sentence,
    input_label,
    left_out_note,
    limits_text,
    outside_period,
    paired_draws,
    scenario_assumptions,
    told_apart,
    too_few_runs,
    top_driver,
    uncertain_member,
    unpriced_changes,
    what_decides,
)
from channelsim.outputs import OutputTarget, write_output_folder

if TYPE_CHECKING:
    from channelsim.engine import ResultSet, SimSpec
    from channelsim.experiments.calibrate import Posterior
    from channelsim.experiments.ensemble import EnsembleStore
    from channelsim.experiments.executor import Executor
    from channelsim.scenario import Scenario

#: What a comparison's intervals cover without a posterior. The parameters are those the
#: scenarios set (a scenario file's, an explorer setting's), the defaults where none is set:
#: "fixed at their defaults" was said after the user had changed one.
WEATHER_ONLY = (
    "weather and chance only (the parameters fixed at the values the scenarios set, the "
    "defaults where they set none)"
)
#: The same in the explorer, where the page's own settings are what changes a parameter.
WEATHER_ONLY_HERE = (
    "weather and chance only (the parameters fixed at the values set here, the defaults "
    "where none is changed)"
)
WITH_POSTERIOR = (
    "calibrated parameters (posterior draws), the policies' assumptions (drawn over their "
    "ranges, their stated values the medians), weather and chance"
)
COST_PER_PREVENTED = "cost_per_prevented_arrival_gbp"


def comparison_figures(results: ResultSet) -> list[str]:
    """The totals a comparison reports, in the registry's order."""
    return [str(item.total_name) for item in results.figures()]


@dataclass
class Comparison:
    """Paired differences of each scenario against the base."""

    base: str
    base_seed: int
    runs: int
    names: list[str]
    files: dict[str, str | None]
    pairs: pd.DataFrame  # scenario, rep, figure, value, base_value, difference
    table: pd.DataFrame  # scenario, figure, median, low, high, mean, n, share_below_zero
    daily: pd.DataFrame  # scenario, draw, rep and the daily table of every member
    boats: pd.DataFrame | None = None  # boat log of every scenario's map replicate
    run_id: str | None = None
    figures: list[str] = field(default_factory=list)  # compared, in order
    results: ResultSet | None = None  # the scenarios' results registries, merged
    descriptions: dict[str, str] = field(default_factory=dict)  # scenario -> description
    #: The scenarios' weather modes, in order (what the weather columns' notes say).
    weather_modes: tuple[str, ...] = ()
    period: tuple[str, str] | None = None  # first and last day (ISO), the base's
    posterior: str | None = None  # the posterior folder the parameters were drawn from
    # scenario, figure, input, kind, share, share_conf…: "what decides this answer"
    drivers: pd.DataFrame | None = None
    draws: pd.DataFrame | None = None  # the parameter set of each replicate (rep, inputs)
    #: Without a posterior: scenario -> the assumptions of the policies it changes, at their
    #: stated values (``input``, ``stated``, ``low``, ``high``): what its answer rests on.
    rests_on: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: With a posterior: scenario -> the same records, the assumptions drawn that its answer
    #: rests on; said when "what decides" names none of them (:meth:`rests_on_text`).
    drawn_rests_on: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: scenario -> the policies it changes that cannot act in the period, and the sentence
    #: saying so (:func:`~channelsim.experiments.uncertainty.outside_period`).
    outside: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: scenario -> the sentence saying where its policies lie past the point where the
    #: model's mechanism turns their effect round (:func:`~channelsim.experiments.
    #: uncertainty.limits_text`), said with what its answer rests on.
    limits: dict[str, str] = field(default_factory=dict)
    #: With a posterior: scenario -> the inputs drawn that cannot change a result in the
    #: period (a history driver's value dated outside it, the assumption of a policy not
    #: yet acting), left out of "what decides this answer".
    left_out: dict[str, list[str]] = field(default_factory=dict)
    #: scenario -> what it changes that the model puts no cost on (``policies``, ``what``,
    #: ``text``: :func:`~channelsim.experiments.uncertainty.unpriced_changes`).
    unpriced: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: scenario -> the sentence naming the assumed unit costs its extra cost rests on
    #: (:func:`~channelsim.experiments.uncertainty.changed_cost_assumptions_text`), or None.
    cost_rests_on: dict[str, str | None] = field(default_factory=dict)
    #: The replicate the map draws for every scenario (:func:`typical_rep`), and its member
    #: key in ``daily`` (``d<draw>.r<rep>``).
    map_rep: int = 0
    map_member: str = "d0.r0"
    #: :meth:`by_year`, once made (the command prints it and writes it).
    _by_year: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    def map_overrides(self) -> dict[str, Any] | None:
        """The parameter set of the map's replicate (its posterior draw and assumptions), or
        ``None`` without a posterior: what its boat log is run again with."""
        if self.draws is None:
            return None
        row = self.draws[self.draws["rep"] == self.map_rep].iloc[0].to_dict()
        return {k: plain_json(v) for k, v in row.items() if k != "rep"}

    def outside_text(self, name: str) -> str | None:
        """The sentence naming the policies scenario ``name`` changes that cannot act in
        the period (why its differences read "no change"), else ``None``."""
        return self.outside.get(name, {}).get("text")

    def rests_on_text(self, name: str) -> str | None:
        """The sentences naming what scenario ``name``'s answer rests on
        (:meth:`assumptions_text`) and where its policies lie past the point where the
        model's mechanism turns their effect round (``limits``), else ``None``."""
        said = [self.assumptions_text(name), self.limits.get(name)]
        return " ".join(s for s in said if s) or None

    def assumptions_text(self, name: str) -> str | None:
        """The sentence naming the assumptions scenario ``name``'s answer rests on, else
        ``None``: without a posterior, at their stated values; with one, drawn over their
        ranges, unless "what decides this answer" names one of them as deciding a figure
        (switching on the uncertainty dropped the only sentence naming the doctrine's
        capsize assumption while no share could be told from noise; s12 U3)."""
        if self.posterior is None:
            found = self.rests_on.get(name)
            return assumptions_sentence(found) if found else None
        drawn = self.drawn_rests_on.get(name)
        if not drawn:
            return None
        decided = self.what_decides(name)
        tops = [one.get("top_driver") for one in decided.values()]
        if any(top is not None and top.get("kind") == "assumption" for top in tops):
            return None
        return assumptions_sentence(drawn, runs=self.runs)

    def unpriced_names(self) -> list[str]:
        """The scenarios that change what the model puts no cost on (:attr:`unpriced`)."""
        return [name for name, found in self.unpriced.items() if found.get("text")]

    def tradeoffs(self) -> pd.DataFrame:
        """The scenarios ranked by fewer arrivals, with deaths and cost
        (:func:`tradeoff_table`)."""
        return tradeoff_table(self.table)

    def credit(self) -> str:
        """The credit line of the comparison's tables and charts."""
        from channelsim.reports.credits import comparison_line

        return comparison_line(self.names, self.base, self.base_seed)

    def csv_text(self) -> str:
        """The comparison's table as every CSV of it reads (`compare --format csv`,
        comparison.csv, the explorer's download): :func:`channelsim.exports.reading_table`,
        headed, with the :meth:`credit` in its ``source`` column."""
        from channelsim.exports import csv_text

        return csv_text(self.reading_table(), self.describe)

    def reading_table(self) -> pd.DataFrame:
        """The comparison's table for reading (:func:`channelsim.exports.reading_table`)."""
        from channelsim.exports import reading_table

        return reading_table(self.table, self.describe, "comparison", self.credit())

    def describe(self, name: str) -> Any:
        """The field of a column or figure of the comparison's table (the scenarios' results
        registries; its statistics as differences from the base,
        :data:`channelsim.fields.DIFFERENCES`)."""
        from channelsim.exports import table_describe
        from channelsim.fields import describe

        registry = self.results.describe if self.results is not None else describe
        return table_describe("comparison", registry)(name)

    def label(self, figure: str) -> str:
        return self.results.label(figure) if self.results is not None else figure

    def headline_drivers(self, name: str, figures: Sequence[str]) -> list[Any]:
        """The headline's drivers of scenario ``name``: for each of ``figures`` whose
        difference depends on one uncertain parameter or assumption for more than half its
        variance, that input."""
        from channelsim.headline import Driver

        decided = self.what_decides(name)
        stated = {str(a["input"]): a for a in self.drawn_rests_on.get(name, [])}
        drivers = []
        for figure in figures:
            top = decided.get(figure, {}).get("top_driver")
            if top is not None and top["kind"] != "chance":
                kind = "an assumption" if top["kind"] == "assumption" else "a calibrated parameter"
                note = drawn_note(stated[top["input"]]) if top["input"] in stated else ""
                drivers.append(Driver(figure, input_label(top["input"]), top["share"], kind, note))
        return drivers

    def what_decides(self, name: str) -> dict[str, Any]:
        """Per figure of scenario ``name``: the shares of the variance of its difference
        (each with its uncertainty and whether it is told from noise), the noise level, the
        runs made and needed, and, when one input explains more than half and is told from
        noise, the sentence that names it."""
        if self.drivers is None:
            return {}
        mine = self.drivers[self.drivers["scenario"] == name]
        out: dict[str, Any] = {}
        for figure, shares in mine.groupby("figure", sort=False):
            driver = top_driver(shares)
            first = shares.iloc[0]
            out[str(figure)] = {
                "shares": [
                    {k: plain_json(r[k]) for k in ("input", "kind", *SHARE_COLUMNS)}
                    for r in shares.to_dict(orient="records")
                ],
                "noise_level": float(first["noise_level"]),
                "runs": int(first["runs"]),
                "runs_needed": int(first["runs_needed"]),
                "enough_runs": not too_few_runs(shares),
                "told_from_noise": told_apart(shares),
                "top_driver": driver,
                "headline": None if driver is None else driver_sentence(self.label(figure), driver),
            }
        return out

    def decided(self) -> dict[str, dict[str, Any]]:
        """:meth:`what_decides` of every scenario compared, by name (as comparison.json)."""
        return {name: self.what_decides(name) for name in self.names}

    def decides_note(self) -> str | None:
        """The one line shown instead of the shares when some difference has fewer runs
        than its shares need to be told from noise (:func:`decides_note`), else ``None``."""
        notes = (decides_note(self.decided()), left_out_note(self.left_out))
        return " ".join(n for n in notes if n) or None

    def decides_rows(self, scenario: str | None = None, top: int = 3) -> list[dict[str, Any]]:
        """ "What decides this answer" as the terminal, the report and the explorer show it
        (:func:`decides_table`, figures by their labels); empty without a posterior. With
        ``scenario``: that scenario's rows, without the scenario column."""
        rows = decides_table(self.decided(), self.label, top)
        if scenario is None:
            return rows
        return [{k: v for k, v in r.items() if k != "scenario"} for r in rows
                if r["scenario"] == scenario]  # fmt: skip

    def by_year(self) -> pd.DataFrame:
        """Each year of the period: every scenario's paired differences from the base, as
        :attr:`table` gives them over the whole period (``year, scenario, figure, median,
        low, high, mean, n, share_below_zero, why_no_value``), from the members' days
        (:attr:`daily`) with the same common random numbers: a period of one year gives
        :attr:`table`'s rows, bit for bit. Medians do not add: the years' rows are not
        parts of the whole period's.

        Raises:
            ValueError: a comparison without its results registry (read back without it).
        """
        if self._by_year is None:
            self._by_year = self._years()
        return self._by_year

    def _years(self) -> pd.DataFrame:
        if self.results is None:
            raise ValueError("a comparison's values by year need its results registry")
        members = members_by_period(self.daily, self.results, self.figures, "year")
        texts = {name: self.unpriced.get(name, {}).get("text") for name in self.names}
        rows = []
        for year, part in members.groupby("year", sort=True):
            kept = part.drop(columns="year")
            _, found = paired_differences(kept, [self.base, *self.names], self.figures, texts)
            rows += [{"year": int(year), **row} for row in found]
        return pd.DataFrame(rows)

    def by_year_json(self) -> list[dict[str, Any]]:
        """:meth:`by_year` as JSON: per year and scenario, ``difference`` as in
        :meth:`to_json_dict`'s ``scenarios``."""
        table = self.by_year()
        stats = ("median", "low", "high", "mean", "n", "share_below_zero")
        return [
            {
                "year": int(year),
                "name": str(name),
                "difference": {
                    row["figure"]: {k: plain_json(row[k]) for k in stats}
                    for row in rows.to_dict(orient="records")
                },
            }
            for (year, name), rows in table.groupby(["year", "scenario"], sort=False)
        ]

    def to_json_dict(self) -> dict[str, Any]:
        """``scenarios``: in the order given, each with ``name`` and ``difference``."""
        scenarios = []
        for name in self.names:
            rows = self.table[self.table["scenario"] == name]
            scenarios.append(
                {
                    "name": name,
                    "file": self.files.get(name),
                    "description": self.descriptions.get(name, ""),
                    "difference": {
                        row["figure"]: {
                            k: plain_json(row[k])
                            for k in ("median", "low", "high", "mean", "n", "share_below_zero")
                        }
                        for row in rows.to_dict(orient="records")
                    },
                    "what_decides": self.what_decides(name),
                    "rests_on": {
                        "assumptions": self.rests_on.get(name, []),
                        "text": self.rests_on_text(name),
                    },
                    "outside_period": self.outside.get(name, {"policies": [], "text": None}),
                    "cost_not_priced": self.unpriced.get(
                        name, {"policies": [], "what": [], "text": None}
                    ),
                    "cost_rests_on": {"text": self.cost_rests_on.get(name)},
                    "left_out_of_what_decides": self.left_out.get(name, []),
                }
            )
        names = self.table.get("figure", [])
        figures = {str(n): self.describe(str(n)) for n in dict.fromkeys(names)}
        return {
            "run_id": self.run_id,
            "base": self.base,
            "base_file": self.files.get(self.base),
            "base_description": self.descriptions.get(self.base, ""),
            "start": None if self.period is None else self.period[0],
            "end": None if self.period is None else self.period[1],
            "base_seed": self.base_seed,
            "runs": self.runs,
            "interval": INTERVAL,
            "quantiles": [LOW_Q, HIGH_Q],
            "posterior": self.posterior,
            "interval_covers": WEATHER_ONLY if self.posterior is None else WITH_POSTERIOR,
            "weather_modes": list(dict.fromkeys(self.weather_modes)),
            "map_run": {"rep": self.map_rep, "member": self.map_member, "chosen": "typical"},
            "cost_per_prevented_arrival": "extra cost ÷ fewer arrivals, per replicate where "
            "arrivals fell; null unless arrivals fell in at least 95% of the replicates and the "
            "policy costs more",
            "statistics": "each scenario's difference: the scenario minus the base in the "
            "same replicate (median, low (5%), high (95%) and mean over the paired runs), in "
            "the unit of its figure (figures)",
            "figures": {n: {"label": f.label, "unit": f.unit} for n, f in figures.items()},
            "scenarios": scenarios,
        }

    def write(self, out_dir: Path | OutputTarget, by_year: bool = False) -> Path:
        """Write ``comparison.parquet``, ``tradeoffs.parquet`` (the ranked table),
        ``pairs.parquet``, ``comparison.json`` (with each scenario's description) and, for the
        report's series and map, ``daily.parquet`` (every member) and ``boats.parquet``
        (every scenario's first replicate, keyed by ``scenario``, when kept), atomically;
        with ``by_year``, ``comparison_by_year.parquet`` too (:meth:`by_year`)."""

        def write(tmp: Path) -> None:
            self.table.to_parquet(tmp / "comparison.parquet", index=False)
            if by_year:
                self.by_year().to_parquet(tmp / "comparison_by_year.parquet", index=False)
            self.tradeoffs().to_parquet(tmp / "tradeoffs.parquet", index=False)
            self.pairs.to_parquet(tmp / "pairs.parquet", index=False)
            self.daily.to_parquet(tmp / "daily.parquet", index=False)
            if self.boats is not None:
                self.boats.to_parquet(tmp / "boats.parquet", index=False)
            if self.drivers is not None:
                self.drivers.to_parquet(tmp / "what_decides.parquet", index=False)
            if self.draws is not None:
                self.draws.to_parquet(tmp / "draws.parquet", index=False)
            text = json.dumps(plain_json(self.to_json_dict()), indent=2, ensure_ascii=False)
            (tmp / "comparison.json").write_text(text + "\n", encoding="utf-8")
            if described is not None:
                from channelsim.engine.results import COLUMNS_FILE

                records = json.dumps(described.to_records(), indent=2, ensure_ascii=False)
                (tmp / COLUMNS_FILE).write_text(records + "\n", encoding="utf-8")

        from channelsim.engine.stages import with_weather_source

        described = (
            None if self.results is None
            else with_weather_source(self.results, self.weather_modes)
        )  # fmt: skip
        return write_output_folder(
            out_dir, write, kind="compare", describe=None if described is None else
            described.describe,
        )  # fmt: skip


def _unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, with ``-2``, ``-3``… added to repeats (the same file given twice)."""
    names: list[str] = []
    for scenario in scenarios:
        name, k = scenario.name, 2
        while name in names:
            name, k = f"{scenario.name}-{k}", k + 1
        names.append(name)
    return names


def _summary(name: str, figure: str, differences: np.ndarray) -> dict[str, Any]:
    finite = differences[np.isfinite(differences)]
    share = float((finite < 0).mean()) if finite.size else math.nan
    return {
        "scenario": name,
        "figure": figure,
        **interval_stats(differences),
        "n": int(finite.size),
        "share_below_zero": share,
        "why_no_value": "",
    }


def not_priced(row: dict[str, Any], unpriced: str | None, found: np.ndarray) -> dict[str, Any]:
    """A summary row (:func:`_summary`) with no value where it is a scenario's extra cost of
    policies, the scenario changes what the model puts no cost on (``unpriced``:
    :func:`~channelsim.experiments.uncertainty.unpriced_changes`'s ``text``) and no priced
    cost moved (``found``, the paired differences, 0 in every pair): its ``why_no_value``
    reads "not priced: ..." (:data:`channelsim.headline.NOT_PRICED`). Its £0 was a cost
    nobody knows that the table, the CSV and the workbook gave as "£0", read as free (s15
    U5). Any other row is returned as it is; so is a cost that moved (priced in part: the
    headline says what it leaves out)."""
    from channelsim.headline import NOT_PRICED

    if row["figure"] != "cost_gbp" or not unpriced or np.any(found[np.isfinite(found)] != 0):
        return row
    blank = dict.fromkeys(("median", "low", "high", "mean", "share_below_zero"), math.nan)
    return {**row, **blank, "n": 0, "why_no_value": f"{NOT_PRICED}: {unpriced}"}


def is_not_priced(row: Mapping[str, Any]) -> bool:
    """Whether a row of a comparison's table is an extra cost left without a value as not
    priced (:func:`not_priced`)."""
    from channelsim.headline import NOT_PRICED

    why, figure = row.get("why_no_value"), row.get("figure", row.get("metric"))
    return figure == "cost_gbp" and isinstance(why, str) and why.startswith(NOT_PRICED)


def not_priced_cells(table: pd.DataFrame, unpriced: Collection[str] = ()) -> pd.DataFrame:
    """A comparison's table for reading in a terminal or a page: "not priced" in the median
    of an extra cost left without a value as not priced (:func:`is_not_priced`, or, in a
    table read back without ``why_no_value`` (the report's), a missing extra cost of one of
    the ``unpriced`` scenarios; the table said "£0", s15 U5), its other statistics empty.
    Files keep the cells empty, with the reason in ``why_no_value``."""
    from channelsim.headline import NOT_PRICED

    def marked_row(row: Mapping[str, Any]) -> bool:
        figure = row.get("figure", row.get("metric"))
        missing = figure == "cost_gbp" and not np.isfinite(float(row.get("median", np.nan)))
        return is_not_priced(row) or (missing and row.get("scenario") in unpriced)

    marked = [marked_row(r) for r in table.to_dict(orient="records")]
    if not any(marked):
        return table
    shown = table.astype({c: object for c in ("median", "low", "high", "mean") if c in table})
    rows = shown.index[marked]
    shown.loc[rows, [c for c in ("low", "high", "mean") if c in shown]] = ""
    shown.loc[rows, "median"] = NOT_PRICED
    return shown


def _cost_per_prevented(name: str, wide: pd.DataFrame, priced: bool = True) -> dict[str, Any]:
    """Extra cost ÷ fewer arrivals per replicate where arrivals fell; undefined (NaN) unless
    arrivals fell in at least 95% of the replicates (a fall told apart from chance: a ratio
    over a fall of 1 ± 5 people means nothing) and the policy costs more (a saving that also
    prevents arrivals is not a price per arrival). ``priced`` False: the scenario changes
    something the model puts no cost on, which its "no value" says (not "costs no more")."""
    fewer = -wide["arrived_people"].to_numpy(dtype=float)
    extra = wide["cost_gbp"].to_numpy(dtype=float)
    ratios = np.where(fewer > 0, extra / np.where(fewer > 0, fewer, 1.0), np.nan)
    row = _summary(name, COST_PER_PREVENTED, ratios)
    why = []
    if not np.mean(fewer > 0) >= 0.95:
        why.append(
            f"arrivals fell in {int((fewer > 0).sum())} of {len(fewer)} paired runs (a price "
            "per fewer arrival needs a fall in at least 95% of them)"
        )
    if not np.median(extra) > 0:
        why.append(
            "the policy costs no more than the base (a saving is no price per arrival)"
            if priced
            else "what the scenario changes is not priced in the model"
        )
    if why:  # no value: the row says why, and that no run is summarised
        row.update(median=math.nan, low=math.nan, high=math.nan, mean=math.nan, n=0,
                   share_below_zero=math.nan, why_no_value="; ".join(why))  # fmt: skip
    return row


def _same_period(scenarios: Sequence[Scenario], files: Sequence[str | None] | None) -> None:
    """Paired differences mean something only over one period: a scenario that runs longer
    or shorter than the base would count the extra days as the policy's effect.

    Raises :class:`InputError` naming the scenario's file and both periods.
    """
    base = scenarios[0]
    for i, other in enumerate(scenarios[1:], start=1):
        if (other.start, other.end) != (base.start, base.end):
            source = (files[i] if files and i < len(files) else None) or other.source
            raise InputError(
                source,
                "end" if other.start == base.start else "start",
                f"expected the base's period {base.start} to {base.end} ({base.name}), got "
                f"{other.start} to {other.end}: compare scenarios over one period (--from/--to, "
                "or a counterfactual with the base's file as its base)",
            )


def compare_scenarios(
    base: Scenario | SimSpec,
    others: Sequence[Scenario | SimSpec],
    runs: int,
    seed: int,
    *,
    executor: str | Executor = "processes",
    workers: int | None = None,
    progress: bool | Callable[[int, int], None] = True,
    files: Sequence[str | None] | None = None,
    store: EnsembleStore | None = None,
    resume: str | None = None,
    boat_log: bool = False,
    posterior: Posterior | None = None,
) -> Comparison:
    """Run base and others for ``runs`` replicates each with common random numbers and
    summarise the paired differences of every figure.

    ``executor``: a name, or an executor the caller keeps open across comparisons (see
    :func:`~channelsim.experiments.run_ensemble`). With a ``store`` (any
    :class:`~channelsim.experiments.ensemble.EnsembleStore`) the run is recorded there and
    ``resume`` (a run id or ``"latest"``)
    continues an interrupted one. ``boat_log`` re-runs every scenario's first replicate in
    this process for its boat log (the report's map); members return only totals and days.
    ``progress``: as :func:`~channelsim.experiments.run_ensemble` (a callable reports
    ``(members done, members)`` and may raise to cancel).
    """
    from channelsim.engine import SimSpec, scenario_results, simulate

    if runs < 1:
        raise InputError(None, "--runs", f"expected at least 1 run, got {runs}")
    if seed < 0:
        raise InputError(None, "--seed", f"expected a non-negative integer, got {seed}")
    models = [  # members ship their daily tables; the base's boat log is re-run when kept
        dataclasses.replace(m if isinstance(m, SimSpec) else SimSpec(m), keep=("daily",))
        for m in (base, *others)
    ]
    _same_period([m.scenario for m in models], files)
    names = _unique_names([m.scenario for m in models])
    results = scenario_results(models[0].scenario)
    for model in models[1:]:
        results = results.merged(scenario_results(model.scenario))
    figures = comparison_figures(results)
    assumptions = {
        name: scenario_assumptions(m.scenario) if posterior is not None else []
        for name, m in zip(names, models, strict=True)
    }
    changed = {
        name: [{"input": a.key, "stated": a.stated, "low": a.low, "high": a.high}
               for a in changed_assumptions(m.scenario, models[0].scenario)]
        for name, m in zip(names[1:], models[1:], strict=True)
    }  # fmt: skip
    rests_on = {} if posterior is not None else changed
    outside = {
        name: outside_period(m.scenario, models[0].scenario)
        for name, m in zip(names[1:], models[1:], strict=True)
    }
    unpriced = {
        name: unpriced_changes(m.scenario, models[0].scenario)
        for name, m in zip(names[1:], models[1:], strict=True)
    }
    cost_rests_on = {
        name: changed_cost_assumptions_text(m.scenario, models[0].scenario)
        for name, m in zip(names[1:], models[1:], strict=True)
    }
    draws = paired_draws(runs, seed, posterior, [a for v in assumptions.values() for a in v])
    drawn = [] if draws is None else list(draws[0])
    acting = {  # an input drawn for the pair acts if it can act in either scenario
        name: acting_inputs(m.scenario, drawn) | acting_inputs(models[0].scenario, drawn)
        for name, m in zip(names[1:], models[1:], strict=True)
    }
    spec = EnsembleSpec(
        scenarios=dict(zip(names, models, strict=True)),
        reps=runs,
        base_seed=seed,
        draws=draws,
        base=names[0],
        name=f"compare-{names[0]}",
        kind="compare",
    )
    # with draws: member r of every scenario takes draw r (paired), not every draw × rep
    members = None if draws is None else [Member(n, r, r) for n in names for r in range(runs)]
    run_id, resuming = resume_target(resume)
    result = run_ensemble(
        simulate if draws is None else uncertain_member,
        spec,
        members,
        executor=executor,
        workers=workers,
        progress=progress,
        store=store,
        run_id=run_id,
        resume=resuming,
    )
    members = result.totals()
    for figure in figures:  # a policy's own result is 0 where the policy is absent
        members[figure] = members[figure].fillna(0.0) if figure in members else 0.0
    map_rep, map_member = typical_rep(members, names)
    texts = {name: unpriced[name]["text"] for name in names[1:]}
    pairs, rows = paired_differences(members, names, figures, texts)
    drivers, left_out = None, {}
    if draws is not None:
        keys = {name: [a.key for a in found] for name, found in assumptions.items()}
        drivers = what_decides(draws, pairs, keys, seed, acting)
        left_out = {  # the inputs what_decides would have ranked, but which cannot act
            name: [k for k in drawn if k not in acting[name]
                   and (not k.startswith(PREFIX) or k in keys[name])]
            for name in names[1:]
        }  # fmt: skip
    return Comparison(
        base=names[0],
        base_seed=seed,
        runs=runs,
        names=names[1:],
        files=dict(zip(names, files or [None] * len(names), strict=True)),
        pairs=pairs,
        table=pd.DataFrame(rows),
        daily=result.table("daily"),
        boats=first_boat_logs(
            names, models, seed, map_rep, None if draws is None else draws[map_rep]
        )
        if boat_log
        else None,
        map_rep=map_rep,
        map_member=map_member,
        run_id=result.run_id,
        figures=figures,
        results=results,
        descriptions={n: m.scenario.description or "" for n, m in zip(names, models, strict=True)},
        weather_modes=tuple(m.scenario.weather.mode for m in models),
        period=(models[0].scenario.start.isoformat(), models[0].scenario.end.isoformat()),
        posterior=None if posterior is None else str(posterior.path),
        drivers=drivers,
        draws=None if draws is None else pd.DataFrame(draws).rename_axis("rep").reset_index(),
        rests_on=rests_on,
        drawn_rests_on=changed if posterior is not None else {},
        outside=outside,
        limits={
            name: said
            for name, m in zip(names[1:], models[1:], strict=True)
            if (said := limits_text(m.scenario))
        },
        left_out=left_out,
        unpriced=unpriced,
        cost_rests_on=cost_rests_on,
    )


def paired_differences(
    members: pd.DataFrame,
    names: Sequence[str],
    figures: Sequence[str],
    unpriced: Mapping[str, str | None],
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Each scenario of ``names[1:]`` minus the base ``names[0]`` in the same member
    (``draw``, ``rep``): the pairs (``scenario, rep, figure, value, base_value,
    difference``) and, per scenario, one summary row per figure (:func:`_summary`; its extra
    cost :func:`not_priced` where it is) and the extra cost per fewer arrival. ``unpriced``:
    scenario -> what it changes that the model puts no cost on, in words, or None
    (:func:`~channelsim.experiments.uncertainty.unpriced_changes`' ``text``).
    ``members``: one row per member, ``scenario, draw, rep`` and the ``figures``."""
    keyed = members.set_index(["draw", "rep"])
    base_rows = keyed[keyed["scenario"] == names[0]]
    frames, rows = [], []
    for name in names[1:]:
        mine = keyed[keyed["scenario"] == name]
        theirs = base_rows.loc[mine.index]
        value = mine[list(figures)].astype(float)
        base_value = theirs[list(figures)].astype(float).set_index(value.index)
        difference = value - base_value
        long = pd.DataFrame(
            {
                "scenario": name,
                "rep": np.repeat(mine.index.get_level_values("rep"), len(figures)),
                "figure": np.tile(figures, len(mine)),
                "value": value.to_numpy().ravel(),
                "base_value": base_value.to_numpy().ravel(),
                "difference": difference.to_numpy().ravel(),
            }
        )
        frames.append(long)
        for figure in figures:
            found = difference[figure].to_numpy(dtype=float)
            rows.append(not_priced(_summary(name, figure, found), unpriced.get(name), found))
        priced = not unpriced.get(name)
        rows.append(_cost_per_prevented(name, difference.reset_index(drop=True), priced))
    columns = ["scenario", "rep", "figure", "value", "base_value", "difference"]
    pairs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return pairs, rows


def members_by_period(
    daily: pd.DataFrame, results: ResultSet, figures: Sequence[str], period: Literal["year"]
) -> pd.DataFrame:
    """Every member's value of each of ``figures`` in each ``period`` of its days, as a run
    reports them in ``by_year`` (:func:`~channelsim.experiments.runs.period_values`: the
    same aggregation as a run's totals, so a one-year period's row is its totals, bit for
    bit). ``daily``: a comparison's member days (``scenario, draw, rep, date`` and the daily
    series; a series a scenario's policies do not make counts as 0 there, as in the
    totals). One row per member and period: ``period, scenario, draw, rep`` and the
    figures."""
    from channelsim.experiments.runs import period_values

    frames = []
    for scenario, days in daily.groupby("scenario", sort=False):
        reps = int(days["rep"].max()) + 1  # a member's key: draw * reps + rep
        codes, uniques = pd.factorize(days["draw"].to_numpy() * reps + days["rep"].to_numpy())
        columns = {c: days[c].fillna(0).to_numpy() for c in days.columns if c in results}
        columns["date"] = pd.to_datetime(days["date"]).to_numpy().astype("datetime64[D]")
        labels, made, table = period_values(np.asarray(codes), columns, period, results)
        values = table.reshape(len(uniques), len(labels), len(made))
        for k, label in enumerate(labels):
            frame = pd.DataFrame(values[:, k, :], columns=made)
            frame.insert(0, "rep", uniques % reps)
            frame.insert(0, "draw", uniques // reps)
            frame.insert(0, "scenario", scenario)
            frame.insert(0, period, label)
            frames.append(frame)
    found = pd.concat(frames, ignore_index=True)
    for figure in figures:  # a policy's own result is 0 where the policy is absent
        found[figure] = found[figure].fillna(0.0) if figure in found else 0.0
    return found[[period, "scenario", "draw", "rep", *figures]]


def drawn_note(assumption: Mapping[str, Any]) -> str:
    """What an interval decided by one assumption drawn over its range is, in words (s12
    U4: Rwanda-style removal's "65–932 fewer" came from a deterrence elasticity drawn over
    0–1 whose stated value, 0, gives no change, and read as evidence that removals deter)."""
    from channelsim.experiments.uncertainty import stated_text

    low, high, value = (stated_text(float(assumption[k])) for k in ("low", "high", "stated"))
    return (
        f"It is drawn over {low}–{high} (stated: {value}), so the interval shows the width of "
        "that assumed range, not evidence; the answer at the stated value is the comparison "
        "without --posterior."
    )


def typical_rep(members: pd.DataFrame, names: Sequence[str]) -> tuple[int, str]:
    """The replicate a comparison's map draws for every scenario (paired, so the same
    weather and boats), and its member key (``d<draw>.r<rep>``): the one whose dead or
    missing (:data:`~channelsim.experiments.summary.TYPICAL_FIGURE`) lies nearest each
    scenario's median, in the scenario where it lies furthest (distances in units of that
    scenario's 5–95% width); the first of equals. Replicate 1 had been drawn whatever it was:
    15 deaths on the map of a scenario whose runs' median was 179 (5–95%: 20–333).
    ``members``: the comparison's member totals (``scenario``, ``draw``, ``rep``, figures)."""
    from channelsim.experiments.summary import TYPICAL_FIGURE

    if TYPICAL_FIGURE not in members or members.empty:
        return 0, "d0.r0"
    wide = members.pivot_table(index="rep", columns="scenario", values=TYPICAL_FIGURE)
    wide = wide[[n for n in names if n in wide.columns]].dropna()
    if wide.empty:
        return 0, "d0.r0"
    values = wide.to_numpy(dtype=float)
    spread = np.quantile(values, HIGH_Q, axis=0) - np.quantile(values, LOW_Q, axis=0)
    distance = np.abs(values - np.median(values, axis=0)) / np.where(spread > 0, spread, 1.0)
    rep = int(wide.index[int(np.argmin(distance.max(axis=1)))])
    draw = int(members.loc[members["rep"] == rep, "draw"].iloc[0])
    return rep, f"d{draw}.r{rep}"


def first_boat_logs(
    names: Sequence[str],
    models: Sequence[Scenario | SimSpec],
    seed: int,
    rep: int = 0,
    overrides: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The boat log of every scenario's replicate ``rep`` (the map's: :func:`typical_rep`),
    run again here with that member's seed and parameter set (``overrides``: its posterior
    draw and assumptions, as :func:`~channelsim.experiments.uncertainty.uncertain_member`
    takes them): the same boats. Keyed by ``scenario`` (its first column, as every export
    that holds several scenarios names them first), the base's first: the report's map draws
    a layer set per scenario, so a policy's interceptions show against the base's."""
    from channelsim.engine import SimSpec

    specs = [m if isinstance(m, SimSpec) else SimSpec(m) for m in models]
    logs = [
        uncertain_member(
            dataclasses.replace(model, keep=("boats",)), member_seed(seed, rep), overrides
        ).boats
        for model in specs
    ]
    keyed = [pd.concat([pd.Series(name, index=log.index, name="scenario"), log], axis=1)
             for name, log in zip(names, logs, strict=True)]  # fmt: skip
    return pd.concat(keyed, ignore_index=True)  # the scenario first, as in every export


#: The ranked table's figures: its column, the compared figure it comes from, and the sign
#: (fewer arrivals: the base minus the scenario, not people stopped on the beach).
TRADEOFF: tuple[tuple[str, str, int], ...] = (
    ("fewer_arrivals_people", "arrived_people", -1),
    ("deaths_change_people", "dead_or_missing_people", 1),
    ("extra_cost_gbp", "cost_gbp", 1),
)


#: The ranked table's figures in words: the column of each of :data:`TRADEOFF`.
TRADEOFF_WORDS = {
    "fewer_arrivals_people": "arrivals_words",
    "deaths_change_people": "deaths_words",
    "extra_cost_gbp": "extra_cost_words",
}


def tradeoff_words(
    ranked: pd.DataFrame, describe: Any, unpriced: Collection[str] = ()
) -> list[dict[str, Any]]:
    """The ranking of :func:`tradeoff_table` for reading: each difference as the scenario
    against the base in words (``46 more``, ``1,600 fewer``: a ranked "fewer arrivals" of −46
    read as fewer), rounded as the report's ranking rounds it with its interval
    (:func:`channelsim.headline.change_phrase`), and the extra cost per fewer arrival.
    ``describe``: a figure's field; ``unpriced``: the scenarios that change what the model
    puts no cost on, whose cost reads "not priced" (:func:`channelsim.headline.cost_words`)."""
    from channelsim.headline import change_phrase, cost_words

    rows = []
    for record in ranked.to_dict(orient="records"):
        row: dict[str, Any] = {"rank": record["rank"], "scenario": record["scenario"]}
        for column, figure, sign in TRADEOFF:  # back to the scenario minus the base
            stem = column.rsplit("_", 1)[0]
            median, low, high = (
                float(record[k]) * sign for k in (column, f"{stem}_low", f"{stem}_high")
            )  # the median rounded as the report's cell, with its interval, rounds it
            said = change_phrase(median, low, high, describe(figure), interval=False)
            if column == "extra_cost_gbp":
                said = cost_words(said, record["scenario"] in unpriced)
            row[TRADEOFF_WORDS[column]] = said
        row[COST_PER_PREVENTED] = record[COST_PER_PREVENTED]
        rows.append(row)
    return rows


#: Beside a scenario whose fewer arrivals' interval reaches below zero (tradeoffs.csv).
FEWER_ARRIVALS_NOTE = (
    "fewer arrivals, low (5%) below zero: in at least one pair of runs in twenty the "
    "scenario had more arrivals than the base"
)


def tradeoff_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario of a comparison's summary (``scenario``, ``figure`` or
    ``metric``, ``median``, ``low``, ``high``, optionally ``why_no_value``): fewer arrivals,
    the change in deaths and the extra cost, each as median with ``_low``/``_high`` (the 90%
    interval), the extra cost per fewer arrival with ``why_no_value`` when it has none, and
    a ``note`` when fewer arrivals' interval reaches below zero
    (:data:`FEWER_ARRIVALS_NOTE`); ranked by fewer arrivals (median), most first (``rank``
    1)."""
    figure = "figure" if "figure" in table else "metric"
    rows = []
    for scenario, part in table.groupby("scenario", sort=False):
        by = part.set_index(figure)
        row: dict[str, Any] = {"scenario": scenario}
        for column, source, sign in TRADEOFF:
            stats = (
                [float(by.loc[source, k]) * sign for k in ("median", "low", "high")]
                if source in by.index
                else [math.nan] * 3
            )
            low, high = sorted(stats[1:])
            stem = column.rsplit("_", 1)[0]
            row.update({column: stats[0], f"{stem}_low": low, f"{stem}_high": high})
        per = float(by["median"].get(COST_PER_PREVENTED, math.nan))
        row[COST_PER_PREVENTED] = per
        why = by["why_no_value"].get(COST_PER_PREVENTED) if "why_no_value" in by else None
        row["why_no_value"] = why if math.isnan(per) and isinstance(why, str) and why else None
        notes = [FEWER_ARRIVALS_NOTE] if row["fewer_arrivals_low"] < 0 else []
        cost_why = by["why_no_value"].get("cost_gbp") if "why_no_value" in by else None
        if isinstance(cost_why, str) and cost_why:  # the extra cost has no value: say why
            notes.append(f"extra cost {cost_why}")
        row["note"] = "; ".join(notes) or None
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.sort_values("fewer_arrivals_people", ascending=False, kind="stable")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)
