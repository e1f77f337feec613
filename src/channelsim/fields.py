"""Labels, units and descriptions of everything channelsim prints or writes, looked up in one
place: terminal tables, reports, chart axes, CSV headings and the workbook's README sheet all
call :func:`describe`.

A simulated figure is described by its declaration in the results registry
(:mod:`channelsim.engine.results`: a ``Result`` or ``Derived``, declared by the stage or
policy that makes it, and the boat log's columns); a run's ``ResultSet.field`` gives it as a
:class:`Field`. Every other column is declared here, once: the keys of tables (date, scenario,
member), the statistics of ensembles (median, interval), the comparison's own figures and the
official series as ``channelsim data summary`` reports them (:data:`OBSERVED`, with the Home
Office's own headings as labels). Units are never guessed from a column's name.

This module is light (no NumPy, no engine) so that every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

FieldKind = Literal["int", "float", "bool", "share", "ratio", "id", "text", "date", "stat"]
"""How values are written: ``int`` a count (whole numbers, also for its quantiles), ``float``,
``bool``, ``share`` a fraction shown as a percentage, ``ratio`` a quotient shown to two
decimals in every row, ``id`` an identifier printed as it is
(a seed, a year), ``text``, ``date``, and ``stat`` a statistic of the figure its row names (a
median, an interval bound: it takes that figure's unit and kind)."""


@dataclass(frozen=True)
class Field:
    """A column or figure: human ``label``, ``unit`` ("" for none), ``description``, ``kind``."""

    name: str
    label: str
    unit: str = ""
    description: str = ""
    kind: FieldKind = "float"
    #: Decimals a reader sees in every row (a table's column of one quantity: people per
    #: boat 6.9, 53.0, 61.7, not 6.95, 53, 61.7), else three significant figures at most.
    decimals: int | None = None

    @property
    def heading(self) -> str:
        """``label (unit)``: a column heading, an axis title, a table's row name; the unit is
        left out when the label starts with it (``Boats arrived``, not ``Boats arrived
        (boats)``)."""
        return f"{self.label} ({self.unit})" if self.unit and not self.says_unit else self.label

    @property
    def says_unit(self) -> bool:
        """The label names the unit as a word (``People arrived``: people; ``Prevention
        events``: events)."""
        return bool(self.unit) and self.unit.lower() in self.label.lower().split()

    @property
    def money(self) -> bool:
        """An amount in pounds (unit ``£``, ``£ per …``)."""
        return self.unit.startswith("£")

    @property
    def count(self) -> bool:
        """Whole things counted (people, boats, days): written as whole numbers."""
        return self.kind == "int" and not self.money


class Fields(Protocol):
    """Anything that may describe a name: a run's ``ResultSet``, a :class:`FieldTable`."""

    def field(self, name: str) -> Field | None: ...


class FieldTable:
    """Fields by name."""

    def __init__(self, fields: Iterable[Field]) -> None:
        self._fields = {f.name: f for f in fields}

    def field(self, name: str) -> Field | None:
        return self._fields.get(name)

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields.values())

    def __contains__(self, name: object) -> bool:
        return name in self._fields


def _stat(name: str, label: str, description: str) -> Field:
    return Field(name, label, "", description, "stat")


def _interval_fields(stem: str, label: str, unit: str, description: str) -> list[Field]:
    """A figure's median (``STEM_UNIT``) and its interval's ends (``STEM_low``, ``STEM_high``)."""
    kind: FieldKind = "float" if unit == "£" else "int"
    name = f"{stem}_{'gbp' if unit == '£' else unit}"
    return [
        Field(name, label, unit, f"{description} Median over the pairs.", kind),
        Field(f"{stem}_low", f"{label}, low (5%)", unit, "5th percentile over the pairs.", kind),
        Field(
            f"{stem}_high", f"{label}, high (95%)", unit, "95th percentile over the pairs.", kind
        ),
    ]


#: Columns of channelsim's tables that are not simulated figures: keys and statistics.
COLUMNS = FieldTable(
    [
        Field("date", "Date", "", "Day (UTC).", "date"),
        Field("year", "Year", "", "Calendar year.", "id"),
        Field("month", "Month", "", "Calendar month, YYYY-MM.", "text"),
        Field("week", "Week ending", "", "Sunday that ends the week.", "text"),
        Field("week_ending", "Week ending", "", "Sunday that ends the week.", "date"),
        Field("scenario", "Scenario", "", "Name of the scenario simulated.", "text"),
        Field("base", "Base scenario", "", "Scenario the differences are taken against.", "text"),
        Field(
            "draw",
            "Parameter draw",
            "",
            "Index of the parameter set (0 without a posterior).",
            "id",
        ),
        Field("rep", "Replicate", "", "Index of the replicate (its seed derives from it).", "id"),
        Field("member", "Member", "", "Ensemble member, as draw and replicate.", "text"),
        Field("member_key", "Member", "", "Ensemble member: scenario, draw and replicate.", "text"),
        Field("seed", "Seed", "", "Random seed of the run.", "id"),
        Field("base_seed", "Base seed", "", "Seed the members' seeds derive from.", "id"),
        Field("run_id", "Run id", "", "Identifier of the run in the results store.", "text"),
        Field("kind", "Kind of run", "", "run, compare, calibrate or sensitivity.", "text"),
        Field("name", "Name", "", "Name of the run (from its scenarios).", "text"),
        Field("status", "Status", "", "running, done, failed or interrupted.", "text"),
        Field(
            "simulates",
            "Simulates",
            "",
            "The scenarios of the run (a comparison's against its base).",
            "text",
        ),
        Field(
            "parameters",
            "Parameters",
            "",
            "fixed (the scenarios' values) or drawn from "
            "a calibration posterior (with the number of draws).",
            "text",
        ),
        Field(
            "n_draws",
            "Posterior draws",
            "",
            "Parameter sets drawn from a calibration posterior (0: the parameters fixed).",
            "int",
        ),
        Field("members", "Members done", "", "Members finished, of all planned.", "text"),
        Field(
            "config",
            "Config",
            "",
            "The start of the SHA-256 of the run's configuration "
            "(runs with the same one can resume each other).",
            "text",
        ),
        Field("members_done", "Members done", "", "Members finished, of all planned.", "text"),
        Field("code_version", "channelsim version", "", "Version of the code that ran.", "text"),
        Field("created", "Started", "", "When the run was first started (UTC).", "text"),
        Field("ended", "Ended", "", "When the run last ended (UTC).", "text"),
        Field("item", "Cost item code", "", "What the cost pays for (a policy's item).", "text"),
        Field("item_label", "Cost item", "", "What the cost pays for, in words.", "text"),
        Field("figure", "Figure", "", "The figure the row gives (see the README sheet).", "text"),
        Field("measure", "Figure", "", "The figure the row gives.", "text"),
        Field("field", "Field", "", "The field of the record the row gives.", "text"),
        Field("label", "Label", "", "The figure's label.", "text"),
        Field(
            "value_unit",
            "Unit of the value",
            "",
            "The unit of the value beside it: a "
            "claim's people, boats, days, % (a change in per cent), date or rank.",
            "text",
        ),
        Field("quote", "Quote", "", "The claim as it was said or written.", "text"),
        Field("said_on", "Said on", "", "The day the claim was made (YYYY-MM-DD).", "text"),
        Field(
            "claim_source",
            "Source of the claim",
            "",
            "Where the claim was made (a URL or a publication and date).",
            "text",
        ),
        Field(
            "claimed_figure",
            "Claimed figure",
            "",
            "The number the claim states, in its "
            "own unit (the claim's comparison says how it is compared).",
            "text",
        ),
        Field("unit", "Unit", "", "The unit of the row's figure.", "text"),
        Field(
            "period",
            "Period",
            "",
            "The days the row's figures cover: a month (YYYY-MM, "
            "with the days when only some are covered), a year or a span of days.",
            "text",
        ),
        Field("meaning", "Meaning", "", "What the row's figure measures, in one line.", "text"),
        Field(
            "forecast",
            "Forecast",
            "",
            "Whose forecast the score is of: channelsim's or a baseline's.",
            "text",
        ),
        Field("zone", "Launch zone", "", "Stretch of French coast boats leave from.", "text"),
        Field(
            "parameter",
            "Parameter code name",
            "",
            "Model parameter as a scenario sets it (docs/model.md).",
            "text",
        ),
        Field("output", "Output", "", "Model output the indices apportion.", "text"),
        Field("output_label", "Output label", "", "The output's label.", "text"),
        Field("output_unit", "Output unit", "", "The unit of the row's output.", "text"),
        Field("parameter_label", "Parameter", "", "The parameter's label.", "text"),
        Field("input_label", "Input", "", "The uncertain input's label.", "text"),
        Field(
            "input",
            "Input code name",
            "",
            "Uncertain input: a parameter's path or a policy's assumption (docs/model.md).",
            "text",
        ),
        Field(
            "input_kind",
            "Kind of input",
            "",
            "calibrated (a parameter drawn from the "
            "calibration posterior) or assumption (a policy's, drawn over its stated range).",
            "text",
        ),
        Field("parameter_unit", "Parameter unit", "", "Unit of the parameter.", "text"),
        Field(
            "range_low",
            "Parameter range, low",
            "",
            "Low end of the range the parameter was sampled over, in its unit.",
            "float",
        ),
        Field(
            "range_high",
            "Parameter range, high",
            "",
            "High end of the range the parameter was sampled over, in its unit.",
            "float",
        ),
        Field("method", "Method", "", "Sensitivity method (sobol or morris).", "text"),
        Field(
            "note",
            "Note",
            "",
            "What part of the period the row's figures cover, or what "
            "else a reader should know of them.",
            "text",
        ),
        Field(
            "source",
            "Source",
            "",
            "Who made the row's figures, with what, and under which licence.",
            "text",
        ),
        _stat("median", "median", "Median over the runs (or pairs of runs)."),
        _stat("low", "low (5%)", "5th percentile over the runs: the 90% interval's low end."),
        _stat("high", "high (95%)", "95th percentile over the runs: the 90% interval's high end."),
        _stat("mean", "mean", "Mean over the runs."),
        _stat("value", "value", "The figure's value."),
        _stat("base_value", "base", "The base scenario's value in the same replicate."),
        _stat("difference", "difference", "Scenario minus base, in the same replicate."),
        _stat("observed", "observed", "The official figure."),
        _stat("simulated", "simulated", "The simulated figure."),
        Field("ratio", "ratio", "", "The simulated figure divided by the observed one.", "ratio"),
        _stat("reference", "reference", "The figure the simulation is compared with."),
        _stat("low90", "low (5%)", "5th percentile of the runs."),
        _stat("high90", "high (95%)", "95th percentile of the runs."),
        _stat("low50", "low (25%)", "25th percentile of the runs."),
        _stat("high50", "high (75%)", "75th percentile of the runs."),
        *(
            _stat(f"q{q:02d}", f"{q}%", f"{q}th percentile over the runs.")
            for q in (5, 10, 25, 50, 75, 90, 95)
        ),
        Field("n", "Runs", "", "Number of runs (or pairs) summarised.", "int"),
        Field(
            "share_below_zero",
            "Share below zero",
            "",
            "Share of pairs in which the difference is negative.",
            "share",
        ),
        Field(
            "inside90",
            "Inside the 90% interval",
            "",
            "Whether the reference lies inside the central 90% of the runs.",
            "bool",
        ),
        Field(
            "why_no_value",
            "Why no value",
            "",
            "Why the row's figure has no value (an extra cost per fewer arrival needs arrivals "
            "to fall in at least 95% of the paired runs and the policy to cost more).",
            "text",
        ),
        Field(
            "cost_per_prevented_arrival_gbp",
            "Extra cost per fewer arrival",
            "£",
            "Extra cost ÷ fewer arrivals, per replicate where arrivals fell.",
            "float",
        ),
        *_interval_fields(
            "fewer_arrivals",
            "Fewer arrivals",
            "people",
            "People who "
            "did not arrive in the UK because of the policy (base minus "
            "scenario, paired runs).",
        ),
        *_interval_fields(
            "deaths_change",
            "Change in dead or missing",
            "people",
            "Dead or missing with the policy minus without (paired runs).",
        ),
        *_interval_fields(
            "extra_cost",
            "Extra cost",
            "£",
            "Cost of the scenario's policies minus the base's (paired runs).",
        ),
        Field("rank", "Rank", "", "Order by fewer arrivals, most first.", "id"),
        Field(
            "arrivals_words",
            "People arrived in the UK",
            "",
            "Against the base, in words (median of the paired runs): 1,600 fewer, 46 more.",
            "text",
        ),
        Field(
            "deaths_words",
            "Dead or missing",
            "",
            "Against the base, in words (median of the paired runs): 3 more, no change.",
            "text",
        ),
        Field(
            "extra_cost_words",
            "Cost of policies",
            "",
            "Against the base, in words (median of the paired runs): £17.5m more.",
            "text",
        ),
        Field("metric", "Figure", "", "The figure the row gives.", "text"),
        Field(
            "prevented_boats",
            "Launch attempts stopped",
            "boats",
            "Boats that did not leave the beach: every group stopped, or too few left aboard.",
            "int",
        ),
        Field(
            "S1",
            "First-order index S1",
            "",
            "Share of the output's variance due to the parameter alone.",
            "float",
        ),
        Field(
            "S1_conf", "S1 confidence half-width", "", "Bootstrap confidence half-width.", "float"
        ),
        Field(
            "ST",
            "Total index ST",
            "",
            "Share of the output's variance due to the parameter and its interactions.",
            "float",
        ),
        Field(
            "ST_conf", "ST confidence half-width", "", "Bootstrap confidence half-width.", "float"
        ),
        Field(
            "mu_star",
            "mu*",
            "output's unit",
            "Mean absolute change of the output over the parameter's range.",
            "float",
        ),
        Field(
            "mu_star_conf",
            "mu* confidence half-width",
            "output's unit",
            "Bootstrap confidence half-width.",
            "float",
        ),
        Field("sigma", "sigma", "output's unit", "Spread of the elementary effects.", "float"),
        Field("mu", "mu", "output's unit", "Mean signed elementary effect.", "float"),
    ]
)

#: The statistics of a comparison's table (``compare``: comparison.csv and its sheet, the
#: terminal's tables, the report's and the explorer's key figures): each is a difference,
#: the scenario minus the base in the same replicate, in the unit of the row's figure; the
#: same names in an ensemble's summary are totals (:data:`COLUMNS`). Their labels say so,
#: so that "People arrived in the UK, median 0" does not read as nobody arriving.
DIFFERENCES = FieldTable(
    [
        _stat("median", "difference from base: median",
              "Median over the paired runs of the scenario minus the base, in the row's unit."),
        _stat("low", "difference from base: low (5%)",
              "5th percentile of the paired differences (scenario minus base): the 90% "
              "interval's low end, in the row's unit."),
        _stat("high", "difference from base: high (95%)",
              "95th percentile of the paired differences (scenario minus base): the 90% "
              "interval's high end, in the row's unit."),
        _stat("mean", "difference from base: mean",
              "Mean of the paired differences (scenario minus base), in the row's unit."),
        Field("unit", "Unit", "", "The unit of the row's figure and of its differences.",
              "text"),
    ]
)  # fmt: skip

#: The statistics of an ensemble's totals (``run --runs N``: the terminal's table and its
#: CSV): each is of the figure's total over the whole period, over the runs, in the unit of
#: the row's figure (the ``Unit`` column beside it), headed as a comparison's are.
TOTALS = FieldTable(
    [
        _stat("median", "total over the period: median",
              "Median over the runs of the figure's total over the period, in the row's unit."),
        _stat("low", "total over the period: low (5%)",
              "5th percentile over the runs of the total: the 90% interval's low end."),
        _stat("high", "total over the period: high (95%)",
              "95th percentile over the runs of the total: the 90% interval's high end."),
        _stat("mean", "total over the period: mean",
              "Mean over the runs of the figure's total over the period, in the row's unit."),
        Field("unit", "Unit", "", "The unit of the row's figure and of its totals.", "text"),
    ]
)  # fmt: skip

#: The official series as channelsim's data commands report them; labels are the Home Office's
#: headings (``channelsim.data.publication.TABLES``) where it publishes the figure.
OBSERVED = FieldTable(
    [
        Field("days", "Days", "days", "Days of the period the daily series covers.", "int"),
        Field(
            "people",
            "Migrants arrived",
            "people",
            "People detected arriving in small boats (Home Office).",
            "int",
        ),
        Field(
            "boats", "Boats arrived", "boats", "Small boats detected arriving (Home Office).", "int"
        ),
        Field(
            "people_per_boat",
            "People per boat",
            "people/boat",
            "Migrants arrived ÷ boats arrived.",
            "float",
            decimals=1,
        ),
        Field(
            "days_with_arrivals",
            "Days with arrivals",
            "days",
            "Days on which anyone arrived.",
            "int",
        ),
        Field(
            "uncontrolled_boats",
            "Boats in uncontrolled landings",
            "boats",
            "Boats arrived - involved in uncontrolled landings (from 1 Jan 2023).",
            "int",
        ),
        Field(
            "prevented_people",
            "Migrants prevented",
            "people",
            "People the French "
            "authorities prevented from crossing (weekly, from the week ending 5 May 2024).",
            "int",
        ),
        Field(
            "prevented_events",
            "Events prevented",
            "events",
            "Crossing attempts the French "
            "authorities prevented (weekly, from the week ending 5 May 2024).",
            "int",
        ),
        Field(
            "share_prevented",
            "Share prevented",
            "",
            "Prevented ÷ (prevented + arrived), people, over the weeks with a prevention figure.",
            "share",
        ),
        Field(
            "arrived_same_weeks",
            "Arrived in the same weeks",
            "people",
            "Migrants arrived in the weeks with a prevention figure.",
            "int",
        ),
    ]
)


def words(name: str) -> str:
    """A name as words, for a column nothing declares (``zone_count`` → ``zone count``); a
    name already in words (with a space or a bracket: a row's label, such as "Prevented
    (SB_02)", where the sheet's name keeps its underscore) is left as it is."""
    return name.replace("_", " ") if _IDENTIFIER.fullmatch(name) else name


_IDENTIFIER = re.compile(r"[A-Za-z0-9_.#-]+")


def describe(name: str, *sources: Fields | None) -> Field:
    """The field called ``name``: from the first of ``sources`` that declares it (a run's
    ``ResultSet``, :data:`OBSERVED`), else from :data:`COLUMNS`, else its name in words with
    no unit, written like a statistic of its row's figure (if the row names one)."""
    for source in (*sources, COLUMNS):
        found = None if source is None else source.field(name)
        if found is not None:
            return found
    return Field(name, words(name), kind="stat")


def row_field(row: Mapping[str, object], *sources: Fields | None) -> Field | None:
    """The figure a row of a long table gives (its ``figure`` or ``measure``), or None."""
    for key in ("figure", "measure", "metric", "field"):
        if isinstance(row.get(key), str):
            return describe(str(row[key]), *sources)
    return None


#: Unit words of the naming standard (units in names: ``speed_kn``, ``cost_gbp_per_team_year``)
#: and how a reader writes them; a probability or share keeps its word in the label.
NAME_UNITS = {
    "gbp": "£",
    "eur": "€",
    "km": "km",
    "kn": "kn",
    "h": "h",
    "m": "m",
    "days": "days",
    "people": "people",
    "boats": "boats",
    "probability": "probability",
    "share": "share",
}


def name_label(name: str) -> tuple[str, str]:
    """A field's name as (label, unit) when its definition declares no label: the name's unit
    word (the first of :data:`NAME_UNITS` that ends the name or is followed by ``per …``)
    becomes the unit, the rest the label (``cost_gbp_per_team_year`` → ``("cost",
    "£ per team year")``, ``speed_kn`` → ``("speed", "kn")``, ``arrest_probability`` →
    ``("arrest probability", "probability")``, ``patrol_boats`` → ``("patrol boats",
    "boats")``); a name without one is its words and no unit."""
    tokens = name.split("_")
    for i, token in enumerate(tokens[1:], start=1):
        rest = tokens[i + 1 :]
        if token not in NAME_UNITS or (rest and rest[0] != "per") or "to" in tokens[:i]:
            continue  # not a unit word, or an exchange rate (``eur_to_gbp``)
        # a count of one thing names it (``patrol_boats``: patrol boats, in boats)
        keep = token in ("probability", "share") or (i == 1 and token in ("people", "boats"))
        label = " ".join(tokens[: i + 1] if keep else tokens[:i])
        return label, " ".join([NAME_UNITS[token], *rest])
    return words(name), ""


#: The parts of a policy's costs booked apart, by the suffix of their item.
COST_ITEM_PARTS = {"_fixed": "fixed cost", "_detention": "detention"}


def cost_item_label(item: str) -> str:
    """A cost item in words, as its policy is named (``one_in_one_out``: one in one out;
    ``third_country_removal_fixed``: third country removal (fixed cost)): costs.csv showed
    the code names."""
    for suffix, part in COST_ITEM_PARTS.items():
        if item.endswith(suffix):
            return f"{words(item.removesuffix(suffix))} ({part})"
    return words(item)


def _score(name: str, label: str, unit: str, kind: FieldKind, description: str) -> Field:
    return Field(name, label, unit, description, kind)


#: ``validate``'s figures where its table names them apart from the results registry, and
#: its one-number scores, by their names in its JSON (``monthly_error``,
#: ``people_per_crossing_day_distance`` and each forecast's ``skill`` scores): label, unit
#: and what each measures in one line (the ``Meaning`` column of its table and CSV). A share
#: (fraction) is shown in per cent, as every table shows one; a ratio to two decimals.
VALIDATION_FIELDS = FieldTable(
    [
        Field("dead_french_zone_people", "Dead or missing, PREMAR", "people",
              "Dead and missing at sea and on the shore in the French zone, as PREMAR (the "
              "French maritime prefecture) counts them; no official series: observed is the "
              "range of PREMAR's published counts, for whole years only.", "int"),
        _score("months_in_50", "Months inside the 50% interval", "", "share",
               "Share of the test months whose people arrived lie in the 50% interval."),
        _score("months_in_90", "Months inside the 90% interval", "", "share",
               "Share of the test months whose people arrived lie in the 90% interval."),
        _score("mean_absolute_error_people", "Mean absolute error, monthly", "people", "float",
               "Mean over the test months of |median − observed| people arrived."),
        _score("mean_absolute_relative_error", "Mean relative error, monthly", "", "share",
               "Mean over the test months of |median − observed| ÷ observed."),
        _score("ard_monthly", "Average relative difference, monthly", "", "share",
               "Σ|median − observed| ÷ Σ observed over the test months (ARD)."),
        _score("ard_weekly", "Average relative difference, weekly", "", "share",
               "The same over the test weeks."),
        _score("ard_daily", "Average relative difference, daily", "", "share",
               "The same over the test days."),
        _score("daily_correlation", "Correlation of the days", "", "ratio",
               "Pearson correlation of the daily median with the observed days (1: in step)."),
        _score("ard_monthly_member_median", "Average relative difference, monthly, of one "
               "run", "", "share", "Median over the runs of each run's monthly ARD."),
        _score("wasserstein", "Distance of people per crossing day", "people", "float",
               "Wasserstein distance between the simulated and observed people per crossing "
               "day."),
        _score("wasserstein_relative", "Distance of people per crossing day, relative", "",
               "share", "That distance ÷ the observed mean people per crossing day."),
        _score("ks_statistic", "Kolmogorov–Smirnov statistic", "", "ratio",
               "Largest gap between the simulated and observed distributions of people per "
               "crossing day (0: the same, 1: apart)."),
        _score("observed_mean", "People per crossing day, observed", "people", "float",
               "Mean people arrived on a day anyone arrived, observed."),
        _score("simulated_mean", "People per crossing day, simulated", "people", "float",
               "Mean people arrived on a day anyone arrived, over the runs."),
        _score("mase", "MASE", "", "ratio",
               "Mean absolute scaled error: monthly error ÷ the seasonal naive's in training "
               "(below 1: better than it)."),
        _score("crps", "CRPS", "people", "float",
               "Continuous ranked probability score of the monthly forecast: its error and "
               "spread together (lower: better)."),
        _score("coverage50", "Months inside the 50% interval", "", "share",
               "Share of the test months inside the forecast's 50% interval."),
        _score("coverage90", "Months inside the 90% interval", "", "share",
               "Share of the test months inside the forecast's 90% interval."),
        _score("mae_ratio_to_seasonal_naive", "Error ÷ seasonal naive's", "", "ratio",
               "Mean absolute error ÷ the seasonal naive forecast's (below 1: better)."),
        _score("total_error", "Error of the period's total", "", "share",
               "Median forecast of the test period's total minus the observed, ÷ the "
               "observed (+: too high)."),
    ]
)  # fmt: skip
