"""Assemble the report: one section per kind of content found in the input, a note for each
kind that is missing, written as one self-contained HTML file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from channelsim import __version__
from channelsim.data.source import WHERE_HINT
from channelsim.engine import all_results
from channelsim.errors import ChannelsimError
from channelsim.experiments.summary import interval_stats
from channelsim.headline import period_title, scenario_title
from channelsim.outputs import OutputTarget, write_output_file
from channelsim.reports.credits import (
    BARS,
    DOTS,
    LINES,
    chart_caption,
    home_office_line,
    publishable,
    simulated_line,
    simulated_when,
)
from channelsim.reports.figures import (
    comparison_figure,
    monthly_observed,
    monthly_simulated,
    sensitivity_figure,
    series_figure,
    strait_map,
    tradeoff_figure,
)
from channelsim.reports.headlines import member_totals
from channelsim.reports.inputs import ReportInput, load_input
from channelsim.reports.page import Section, render_page
from channelsim.world.coastline import CREDIT

if TYPE_CHECKING:
    from channelsim.experiments.observed import ObservedFigures
    from channelsim.fields import Field


@dataclass(frozen=True)
class ReportSummary:
    """What was written: the file, the sections and charts, and the notes on what is absent."""

    path: Path
    sections: list[str]
    n_charts: int
    notes: list[str]
    figures: list[go.Figure] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class Observed:
    """The official daily series, its edition (``date``, ``file``) for the credit line, or
    why there is none."""

    daily: pd.DataFrame | None
    edition: dict[str, str] | None
    reason: str = ""

    @property
    def credit(self) -> str | None:
        return None if self.edition is None else home_office_line(self.edition)


def observed_daily(data: Path | None) -> Observed:
    """The official daily series from ``data`` or the local data store (the one source the
    data commands read)."""
    from channelsim.data import DataStore, read_publication

    if data is not None:
        publication = read_publication(data)
        named = {"date": publication.edition_date.isoformat(), "file": data.name}
        return Observed(publication.daily, named)
    store = DataStore()
    if not store.holds_editions():  # a store in the way of one is an error, not "empty"
        return Observed(
            None,
            None,
            f"the data store is empty: {WHERE_HINT}, and make the report again, or pass "
            "--data FILE",
        )
    daily = store.daily()
    latest = store.latest_edition()
    edition: dict[str, str] | None = None if latest is None else {
        "date": latest.edition_date.isoformat(), "file": latest.file_name
    }  # fmt: skip
    return Observed(daily, edition)


def series_section(found: ReportInput, observed: Observed) -> tuple[Section | None, str | None]:
    if found.daily is None:
        return None, None  # a comparison or a sensitivity: nothing to say about it
    simulated = monthly_simulated(found.daily)
    dates = pd.to_datetime(found.daily["date"])
    daily = observed.daily
    monthly = None if daily is None else monthly_observed(daily, dates.min(), dates.max())
    reason = observed.reason
    if monthly is not None and monthly.empty:
        monthly, reason = None, "the official series has no days in the simulated period"
    n = int(simulated["n"].max())
    period = f"{dates.min():%-d %b %Y} – {dates.max():%-d %b %Y}"
    text = f"Monthly sums over {period}. " + (
        f"Simulated: median of {n} runs, with the ranges holding the middle 50% and 90% of runs. "
        if n > 1
        else "Simulated: one run (no interval). "
    )
    text += (
        "Observed: the Home Office's daily series (small boats arrived), same days."
        if monthly is not None
        else f"Observed series not drawn: {reason}."
    )
    text += weather_days_note(found.details.get("weather_modes") or [])
    credits = [simulated_line(*_scenario_seed(found))]
    if monthly is not None and observed.credit:
        credits.append(observed.credit)
    first, last = dates.min().date(), dates.max().date()
    title = period_title("Arrivals per month", first, last)
    caption = chart_caption(first, last, n, LINES, several=simulated["scenario"].nunique() > 1)
    figure = publishable(series_figure(simulated, monthly), title, credits, caption)
    section = Section("Simulated against observed arrivals", [text], figures=[figure])
    return section, None if monthly is not None else f"Observed series not drawn: {reason}."


def weather_days_note(modes: Sequence[str]) -> str:
    """Under the monthly series, when the simulated weather is not the observed weather of
    the dates (the stochastic generator, replay): the days do not line up one by one (the
    demo's 31 May 2025 had 21.6 kn of simulated wind and no crossing, the year's record day
    in the official series), "" otherwise."""
    from channelsim.world.environment import weather_source

    if not modes or any(m not in ("stochastic", "replay") for m in modes):
        return ""
    source = weather_source(modes).replace("Simulated: ", "simulated, ", 1)
    return (
        f" Weather: {source} So a simulated day does not line up with the same observed day: "
        "compare months and totals."
    )


#: The folded table of every figure a comparison compares: its statistics are differences.
EVERY_FIGURE = "Every figure compared: differences from the base (median and 90% interval)"


def observed_table_section(found: ReportInput, data: Path | None) -> Section | None:
    """A run's (or one scenario's ensemble's) figures against the official ones of its
    period, as the demo's terminal table gives them (people arrived 36,278 against 41,472,
    ratio 0.87; the demo's report had no such table): simulated (the median of several
    runs), observed and their ratio, with the prevention caveat and the edition's credit."""
    if found.daily is None or found.comparison is not None or len(found.scenarios) > 1:
        return None
    observed = _observed_figures(found, data)
    if observed is None or not observed.values:
        return None
    results = found.results or all_results()
    totals = member_totals(found.daily, results)
    rows = []
    for name, official in observed.values.items():
        if name not in totals:
            continue
        simulated = float(totals[name].median())
        ratio = simulated / official if official else None
        rows.append({"figure": name, "simulated": simulated, "observed": official,
                     "ratio": ratio})  # fmt: skip
    if not rows:
        return None
    runs = len(totals)
    what = f"the median of its {runs} runs" if runs > 1 else "one run"
    text = [f"The simulated figures ({what}) against the official ones of the same period."]
    notes = [line for line in (observed.caveat, observed.credit, observed.note) if line]
    return Section("Totals against the official figures", text,
                   [pd.DataFrame(rows)], fields=[results], notes=notes)  # fmt: skip


def comparison_section(found: ReportInput) -> tuple[Section | None, str | None]:
    if found.comparison is None or found.comparison.empty:
        return None, None
    from channelsim.experiments.compare import not_priced_cells, tradeoff_table
    from channelsim.fields import DIFFERENCES
    from channelsim.headline import medians_note, panel_figures

    results = found.results or all_results()
    table = found.comparison
    present = list(dict.fromkeys(table["metric"]))
    rows = table.to_dict(orient="records")
    metrics = [m for m in panel_figures(results.key(), rows) if m in present] or present[:4]
    base = (
        table["base"].dropna().iloc[0] if "base" in table and table["base"].notna().any() else None
    )
    named = base or "the base scenario"
    against = scenario_title(named, found.scenarios.get(named)) if base else named
    credit = [simulated_line(*_scenario_seed(found))]
    start, end = found.period() or (None, None)
    runs = found.runs()
    ranked = tradeoff_table(table)
    paragraphs = [
        f"Paired differences (scenario minus {named}) with common random numbers: median "
        "and 90% interval (5th to 95th percentile) over the pairs of runs. The first chart sets "
        "the arrivals each scenario prevents against the change in deaths, its extra cost as "
        "colour; the table after the charts ranks the scenarios by fewer arrivals (medians, "
        "with their 90% intervals in brackets).",
    ]
    if any(results.describe(m).money for m in present):
        paragraphs.append(
            "Costs are differences in what the policies cost against the base: what the base "
            "already spends cancels out, and spending outside the model's policies (Border "
            "Force, asylum support) is in neither."
        )
    figures = [
        publishable(
            tradeoff_figure(ranked, results.describe, found.unpriced),
            f"Fewer arrivals against deaths, against {against}",
            credit,
            chart_caption(start, end, runs, DOTS, paired=True),
        ),
        publishable(
            comparison_figure(table, metrics, results.describe),
            f"Change against {against}: key figures",
            credit,
            chart_caption(start, end, runs, BARS, paired=True),
        ),
    ]
    columns = [c for c in table.columns if c != "base"]
    note = medians_note(table["metric"], results.describe)
    notes = [] if note is None else [note]  # under "Every figure compared": a whole, its parts
    return (
        Section(
            "Policy comparison",
            paragraphs,
            [ranked_display(ranked, results.describe, found.unpriced)],
            figures,
            details=[(EVERY_FIGURE, not_priced_cells(table[columns], found.unpriced))],
            fields=[DIFFERENCES],
            notes=notes,
        ),
        None,
    )


def decides_section(found: ReportInput) -> tuple[Section | None, str | None]:
    """ "What decides this answer": for each scenario and figure of a comparison run with a
    posterior, the inputs with the largest shares of the variance of its difference, and
    the sentence naming the one that explains more than half (as ``compare`` prints)."""
    if found.comparison is None or found.comparison.empty:
        return None, None
    if not found.decides:
        why = (
            "this record of the run does not hold it (report the comparison's output folder, "
            "`compare --out`)"
            if found.details.get("posterior")
            else "the comparison was run without a posterior (`compare --posterior DIR` "
            "measures it)"
        )
        return None, f"What decides this answer is not shown: {why}."
    from channelsim.experiments.uncertainty import (
        decides_note,
        decides_table,
        enough_runs,
        left_out_note,
    )

    results = found.results or all_results()
    rows = decides_table(found.decides, lambda figure: results.describe(figure).heading)
    sentences = [
        f"{scenario}: {decided['headline']}"
        for scenario, figures in found.decides.items()
        for decided in figures.values()
        if enough_runs(decided) and decided.get("headline")
    ]
    notes = (decides_note(found.decides), left_out_note(found.left_out))
    note = " ".join(n for n in notes if n) or None
    lead = (
        "The share of the variance of each paired difference due to each uncertain input "
        "(the calibrated parameters, drawn from the posterior, and each policy's own "
        "assumptions over their ranges; RBD-FAST), largest first, ± its 95% bootstrap "
        "half-width; the noise level is the largest share pure noise gets at that run count "
        "(the same estimator on the difference shuffled), and a share whose lower bound is not "
        "above it is marked within noise."
    )
    paragraphs = [lead, *([note] if note else []), *sentences]
    tables = [pd.DataFrame(rows)] if rows else []
    return Section("What decides this answer", paragraphs, tables), None


def ranked_display(
    ranked: pd.DataFrame, describe: Callable[[str], Field], unpriced: Collection[str] = ()
) -> pd.DataFrame:
    """The ranked table for reading: each figure as the scenario against the base in words,
    ``800 fewer (150–1,200 fewer)``, ``50 more (7–97 more)`` (a "fewer arrivals" of −50 read
    as a fall), with its 5–95% interval, rounded as the terminal's ranking and the headline
    round them (:func:`channelsim.headline.change_phrase`: the report gave 3,760 where the
    terminal gave 3,800); the cost of the ``unpriced`` scenarios "not priced"
    (:func:`channelsim.headline.cost_words`)."""
    from channelsim.experiments.compare import COST_PER_PREVENTED, TRADEOFF, TRADEOFF_WORDS
    from channelsim.headline import change_phrase, cost_words

    shown = ranked[["rank", "scenario"]].copy()
    for column, figure, sign in TRADEOFF:
        field, stem = describe(figure), column.rsplit("_", 1)[0]
        values = ranked[[column, f"{stem}_low", f"{stem}_high"]].to_numpy(float) * sign
        said = [change_phrase(m, lo, hi, field) for m, lo, hi in values]
        if column == "extra_cost_gbp":
            named = ranked["scenario"]
            said = [cost_words(w, n in unpriced) for w, n in zip(said, named, strict=True)]
        shown[TRADEOFF_WORDS[column]] = said
    shown[COST_PER_PREVENTED] = ranked[COST_PER_PREVENTED]
    return shown


#: What each sensitivity method's indices mean, for the report.
SENSITIVITY_TEXT = {
    "sobol": "Sobol indices: S1 is the share of the output's variance due to the parameter "
    "alone, ST includes its interactions; error bars are bootstrap confidence intervals.",
    "morris": "Morris elementary effects: mu* is the mean absolute change of the output over "
    "the parameter's full range, sigma the spread of that change (non-linearity, interactions).",
    "rbd-fast": "Over a calibration posterior: the calibrated parameters drawn from the "
    "posterior, the policies' assumptions over their stated ranges (medians at their stated "
    "values), every run with the same seed; each bar is the share of the output's variance "
    "due to that input alone (RBD-FAST), with its 95% bootstrap half-width. Posterior draws "
    "are correlated: a share counts what moves with the input, and shares need not add up to "
    "one. A share whose lower bound is below the noise level (the largest share pure noise "
    "gets at this run count) cannot be told from noise.",
}


def sensitivity_section(found: ReportInput) -> tuple[Section | None, str | None]:
    indices = found.sensitivity
    if indices is None or indices.empty:
        return None, None
    from channelsim.experiments.sensitivity import METHOD_NAMES, shown_indices
    from channelsim.experiments.uncertainty import input_label

    method = str(indices["method"].iloc[0])
    text = [SENSITIVITY_TEXT[method]]
    if "noise_level" in indices:
        within = int((indices["above_noise"] != True).sum())  # noqa: E712
        text.append(
            f"Noise level at {int(indices['runs'].max())} runs: "
            f"{float(indices['noise_level'].max()):.0%} of an output's variance; {within} of "
            f"{len(indices)} shares are within noise (the table's above_noise is false)."
        )
    posterior = found.details.get("posterior")
    if isinstance(posterior, str) and posterior:
        text.append(f"Calibrated parameters drawn from the posterior {posterior}.")
    scenario, seed = _scenario_seed(found)
    labelled = indices.assign(parameter=[input_label(str(p)) for p in indices["parameter"]])
    # the parameter's own columns, named apart from a figure's (its unit) and from the
    # statistics of runs (its sampled range is no 5%-95% interval)
    shown, precision = shown_indices(indices)
    text.append(f"The table and the chart's labels show {precision} (indices.parquet).")
    table = shown.rename(columns=SENSITIVITY_COLUMNS)
    table.insert(table.columns.get_loc("input"), "input_label", labelled["parameter"])
    named = scenario_title(scenario, found.scenarios.get(scenario)) if scenario else None
    figure = publishable(
        sensitivity_figure(labelled),
        f"What moves the results: {METHOD_NAMES.get(method, method)} sensitivity"
        + (f" of {named}" if named else ""),
        [simulated_line(scenario, seed)],
        sensitivity_caption(found, method),
    )
    return Section("Sensitivity indices", text, [table], [figure]), None


#: What a sensitivity chart's bars and whiskers are, by method (its caption).
SENSITIVITY_MARKS = {
    "sobol": "bars are Sobol indices (first-order S1, total ST), whiskers their bootstrap "
    "confidence intervals",
    "morris": "bars are Morris elementary effects (mu*, sigma), whiskers mu*'s bootstrap "
    "confidence interval",
    "rbd-fast": "bars are first-order shares of the variance (RBD-FAST), whiskers their 95% "
    "bootstrap half-widths",
}


def sensitivity_caption(found: ReportInput, method: str) -> str:
    """A sensitivity chart's caption: the period and runs, and what its bars and whiskers
    are (s13 U16)."""
    period = found.details.get("period")
    first = last = None
    if isinstance(period, list | tuple) and len(period) == 2 and all(period):
        first, last = (dt.date.fromisoformat(str(d)[:10]) for d in period)
    runs = found.details.get("n_runs")
    counted = f", {int(runs):,} runs" if isinstance(runs, int) and runs > 0 else ""
    marks = SENSITIVITY_MARKS.get(method, "bars are indices")
    return f"{simulated_when(first, last)}{counted}: {marks}."


#: The sensitivity table's columns as the report names them (fields.py describes each).
SENSITIVITY_COLUMNS = {
    "parameter": "input",
    "kind": "input_kind",
    "unit": "parameter_unit",
    "low": "range_low",
    "high": "range_high",
}


def sensitivity_page(indices: pd.DataFrame, title: str, posterior: str | None = None) -> str:
    """The HTML page ``channelsim sensitivity --out`` writes: the report's sensitivity section
    (``posterior``: the folder a posterior sensitivity drew its parameters from)."""
    found = ReportInput(source="", title=title, sensitivity=indices)
    found.details["posterior"] = posterior
    section, _ = sensitivity_section(found)
    assert section is not None
    return render_page(title, [section])


def map_section(found: ReportInput) -> Section:
    from channelsim.reports.strait_map import zone_launches
    from channelsim.world import load_world

    world = load_world()
    boats = found.boats
    text = [
        "Each launch zone's triangle is sized by the people who left from it; the model's areas "
        "(territorial waters, traffic lanes, the shallow band where French officers may act, "
        "the median line) are drawn from its simplified coastline, the land from the real one. "
        + CREDIT
        + "."
    ]
    tables = []
    if boats is None:
        text.append("The input has no boat log: only the geography and launch zones are drawn.")
    else:
        scenarios = list(dict.fromkeys(boats["scenario"])) if "scenario" in boats else []
        text += map_run_lines(found)
        text.append(
            "Events of one simulated run"
            + (f" of each scenario ({', '.join(scenarios)}; the buttons above the map switch "
               "between them)" if len(scenarios) > 1 else "")
            + ", counted in people and boats: interceptions, engine failures, capsizes and "
            "deaths at sea at the boat's last position; deaths at embarkation at the zone."
        )  # fmt: skip
        keyed = boats if "scenario" in boats else boats.assign(scenario=found.title)
        for scenario, log in keyed.groupby("scenario", sort=False):
            table = zone_launches(world, log)
            if len(scenarios) > 1:
                table.insert(0, "scenario", scenario)
            tables.append(table)
    figure = publishable(
        strait_map(world, boats),
        "The Dover Strait: launch zones and events of one simulated run",
        [simulated_line(*_scenario_seed(found)), CREDIT + "."],
        map_caption(found),
    )
    zones = pd.concat(tables, ignore_index=True) if tables else None
    notes = [] if zones is None else [zone_table_note()]
    if zones is not None and len(tables) > 1:  # one table per scenario: folded
        return Section(
            "Map of the strait", text, figures=[figure],
            details=[("Launches by zone, each scenario's run", zones)], notes=notes,
        )  # fmt: skip
    return Section(
        "Map of the strait", text, tables=[] if zones is None else [zones], figures=[figure],
        notes=notes,
    )  # fmt: skip


def map_caption(found: ReportInput) -> str:
    """The map's caption: its period and which run it draws (``Simulated in 2025: run 7 of
    40 paired runs of each scenario, the one whose dead or missing lie nearest each
    scenario's median``); the title said "a typical one: see the text", which a map saved
    alone does not have (s13 U16)."""
    when = simulated_when(*(found.period() or (None, None)))
    runs, chosen = found.runs(), set(found.map_runs.values())
    if runs <= 1 or len(chosen) != 1:
        return f"{when}: one run" + ("" if runs <= 1 else f" of {runs:,} per scenario") + "."
    member, why = chosen.pop()
    rep = member.rsplit(".r", 1)[-1]
    which = f"run {int(rep) + 1} of {runs:,}" if rep.isdigit() else f"one run of {runs:,}"
    several = len(found.map_runs) > 1
    reason = {
        "typical": "the one whose dead or missing lie closest to the median of the runs",
        "paired": "the replicate whose dead or missing lie nearest each scenario's median",
    }.get(why, "the first replicate")
    return f"{when}: {which}{' paired runs of each scenario' if several else ''}, {reason}."


#: Why the map draws the run it draws, said once above each scenario's run (by the reason
#: ``found.map_runs`` gives; "" for the first replicate).
MAP_REASONS = {
    "typical": "the typical one: its dead or missing closest to the median of the runs",
    "paired": "drawn with the same seed for every scenario, paired: the replicate whose dead "
    "or missing lie nearest each scenario's median",
    "": "the first replicate, drawn with the same seed for every scenario, paired",
}


def map_run_lines(found: ReportInput) -> list[str]:
    """Which run of several the map draws, and how it compares with the others (a map of the
    one year in twenty with 97 deaths, when the median was 12, said neither): why that run,
    said once, then per scenario the run's dead or missing and people arrived against the
    median and 90% interval of its runs (the reason was repeated, word for word, for each
    scenario of a comparison)."""
    from channelsim.experiments.summary import TYPICAL_FIGURE
    from channelsim.formatting import INTERVAL_WORDS, format_value

    if not found.map_runs or found.daily is None:
        return []
    results = found.results or all_results()
    totals = member_totals(found.daily, results)
    several = len(found.map_runs) > 1
    lines, runs, whys = [], set(), set()
    for scenario, (member, why) in found.map_runs.items():
        mine = totals[totals["scenario"] == scenario]
        if len(mine) < 2 or member not in set(mine["member"]):
            continue
        row = mine[mine["member"] == member].iloc[0]
        rep = member.rsplit(".r", 1)[-1]
        which = f"run {int(rep) + 1}" if rep.isdigit() else f"run {member}"
        figures = []
        for name in (TYPICAL_FIGURE, "arrived_people"):
            if name not in mine:
                continue
            field = results.describe(name)
            stats = interval_stats(mine[name].to_numpy(dtype=float))
            figures.append(
                f"{format_value(row[name], field)} {field.label[:1].lower()}{field.label[1:]} "
                f"(median {format_value(stats['median'], field)}, {INTERVAL_WORDS} "
                f"{format_value(stats['low'], field)}–{format_value(stats['high'], field)})"
            )
        runs.add(len(mine))
        whys.add(why)
        lines.append(
            f"{scenario + ', ' if several else ''}{which} of {len(mine)}: {'; '.join(figures)}."
        )
    if not lines:
        return []
    reason = MAP_REASONS.get(whys.pop() if len(whys) == 1 else "", MAP_REASONS[""])
    of = "of each scenario " if several else ""
    runs_text = f"{runs.pop()} runs" if len(runs) == 1 else "runs"
    lead = (
        f"The map draws one run {of}({reason}), against the median and {INTERVAL_WORDS} of "
        f"its {runs_text}:"
    )
    return [lead, *lines]


#: Under the table of launches by zone: why boats stopped are far fewer than prevention events
#: (how the engine counts them: ``channelsim.engine.kernels``, the beach stage); the model's
#: parameters by their labels (:func:`zone_table_note`), never their code names.
ZONE_TABLE_NOTE = (
    "Launch attempts stopped counts boats that did not leave the beach: every group aboard "
    "stopped, or too few people left to launch (fewer than the model's {min_occupancy}), or "
    "a taxi boat intercepted in its waterway before boarding. Police stop the people of an "
    "attempt a group at a time (the model's {groups}), and each group stopped is one "
    "prevention event; a boat whose other groups are not stopped still leaves, with fewer "
    "aboard. So prevention events far outnumber boats stopped, and a zone can show people "
    "stopped on the beach but no boat stopped."
)


def zone_table_note() -> str:
    """:data:`ZONE_TABLE_NOTE` with its parameters' labels (docs/model.md has their keys)."""
    from channelsim.params import list_parameters

    found = {p.path: p for p in list_parameters()}
    least, groups = found["networks.min_occupancy_people"], found["beach.groups_per_boat"]
    return ZONE_TABLE_NOTE.format(  # in words: "min occupancy people (people/boat)" was pasted
        min_occupancy=f"minimum of {least.default:g} people a boat", groups=groups.words
    )


def _scenario_seed(found: ReportInput) -> tuple[str | None, int | None]:
    """The scenarios of the input as a credit names them (``status-quo-2025``; a comparison's
    ``doctrine-territorial, beach-funding-plus against status-quo-2025``; None when the
    input names none) and its seed. The credit said "the scenarios named" of a comparison."""
    names = list(found.scenarios)
    seed = found.details.get("seed", found.details.get("base_seed"))
    if found.comparison is not None and len(names) > 1:
        text: str | None = f"{', '.join(names[1:])} against {names[0]}"
    else:
        text = ", ".join(names) or None
    return text, (None if seed is None else int(seed))


def report_title(found: ReportInput) -> str:
    """The page's title, from what was simulated (never a folder name), the scenarios named
    in words (:func:`~channelsim.headline.scenario_title`: "one-in-one-out-50, … against
    status-quo-2025" was the line a screenshot takes; s13 U13); a comparison of several
    scenarios counts them, as the headline names each."""
    names = list(found.scenarios) or [str(found.details.get("scenario") or found.title)]
    titles = [scenario_title(n, found.scenarios.get(n)) for n in names]
    if found.comparison is not None and len(names) > 1:
        compared = titles[1] if len(names) == 2 else f"{len(names) - 1} scenarios"
        return f"{compared} against {titles[0]}: simulated small-boat crossings"
    if found.sensitivity is not None and found.daily is None:
        return f"What moves the results of {titles[0]}: sensitivity analysis"
    return f"{titles[0]}: simulated small-boat crossings"


def report_lead(found: ReportInput, headline: Sequence[str] = ()) -> list[str]:
    """What was simulated: each scenario with its description (unless the ``headline``
    already gives it), the period, runs and seed."""
    described = [line.split(" (", 1)[0] for line in headline if " (" in line]
    lines = [
        f"{name}: {text}" if text else name
        for name, text in found.scenarios.items()
        if not (text and name in described)
    ]
    facts = []
    if found.daily is not None:
        dates = pd.to_datetime(found.daily["date"])
        facts.append(f"Period {dates.min():%-d %b %Y} – {dates.max():%-d %b %Y}")
        runs = found.daily.groupby("scenario")["member"].nunique().max()
        facts.append(f"{runs} run{'s' if runs != 1 else ''} per scenario")
    _, seed = _scenario_seed(found)
    if seed is not None:
        facts.append(f"seed {seed}")
    posterior = found.details.get("posterior")
    if isinstance(posterior, str) and posterior:  # the folder its parameters were drawn from
        facts.append(f"parameters drawn from the posterior {posterior}")
    facts.append(f"channelsim {__version__}")
    return [*lines, " · ".join(facts) + "."]


#: The credit of the deaths the headline compares with (no official series counts them).
DEATHS_CREDIT = (
    "Dead or missing: published counts, not an official series (PREMAR, the French maritime "
    "prefecture; IOM Missing Migrants; as collected in channelsim's sources, docs/model.md)."
)


def report_headline(found: ReportInput, data: Path | None = None) -> list[str]:
    """The report's headline in words: a comparison's differences, else a run's figures
    against the observed ones of its period, else a sensitivity analysis's drivers."""
    from channelsim.reports.headlines import (
        comparison_headlines,
        run_headlines,
        sensitivity_headline,
    )

    incomplete = incomplete_line(found)
    lead = [] if incomplete is None else [incomplete]
    if found.comparison is not None and not found.comparison.empty:
        return lead + comparison_headlines(found)
    if found.daily is not None:
        return lead + run_headlines(found, _observed_figures(found, data))
    return lead + sensitivity_headline(found)


def incomplete_line(found: ReportInput) -> str | None:
    """The line that heads the report of a run the results store holds unfinished
    (interrupted, failed or still running), else ``None``."""
    status = found.details.get("status")
    if status in (None, "done"):
        return None
    recorded, planned = found.details.get("members_recorded"), found.details.get("n_members")
    counted = f": {recorded} of its {planned} members recorded" if planned else ""
    return (
        f"Incomplete: this run is {status}{counted}. The figures below come from the members "
        "recorded only; resume it (--resume) for the full ensemble."
    )


def _observed_figures(found: ReportInput, data: Path | None) -> ObservedFigures | None:
    """The observed figures of the simulated period (the data store's, or ``data``'s)."""
    from channelsim.experiments.observed import observed_figures

    dates = pd.to_datetime(found.daily["date"]) if found.daily is not None else None
    if dates is None or found.details.get("what_if"):  # a what-if: the record had others
        return None
    try:
        return observed_figures(dates.min().date(), dates.max().date(), publication=data).whole()
    except ChannelsimError:
        return None


UNCHECKED_NOTE = (
    "The folder holds no record of the files channelsim wrote (.channelsim-output.json), so "
    "its tables were not checked against the bytes channelsim wrote."
)
"""Said by a report of a folder without channelsim's record of its files."""
UNCHECKED_OLD_NOTE = (
    "The folder's record of the files channelsim wrote (.channelsim-output.json) is from "
    "before checksums were kept, so its tables were not checked against the bytes channelsim "
    "wrote."
)
"""Said by a report of a folder whose record has no checksums (written before 30 Nov 2026)."""


def build_report(
    source: str,
    out: str | Path | OutputTarget,
    *,
    data: Path | None = None,
    runs_store: Path | None = None,
) -> ReportSummary:
    """Read ``source`` (folder or run id), build every section it has data for, write ``out``."""
    found = load_input(source, runs_store)
    observed = observed_daily(data) if found.daily is not None else Observed(None, None)
    headline = report_headline(found, data)
    sections: list[Section] = []
    unchecked = {"no record": UNCHECKED_NOTE, "no checksums": UNCHECKED_OLD_NOTE}
    notes: list[str] = [unchecked[found.unchecked]] if found.unchecked else []
    for section, note in (
        series_section(found, observed),
        comparison_section(found),
        decides_section(found),
        sensitivity_section(found),
    ):
        if section is not None:
            sections.append(section)
        if note is not None:
            notes.append(note)
    against = observed_table_section(found, data)
    if against is not None:  # after the monthly series: the period's totals against the data
        sections.insert(1 if sections and sections[0].title.startswith("Simulated") else 0,
                        against)  # fmt: skip
    if found.daily is not None or found.boats is not None:
        sections.append(map_section(found))
    else:
        notes.append(
            "No map of the strait: the input has no boat log (a run's or a comparison's "
            "--out folder holds one)."
        )
    credits = [simulated_line(*_scenario_seed(found))]
    if observed.credit and any(s.title.startswith("Simulated against") for s in sections):
        credits.append(observed.credit)
    if any(s.title == "Map of the strait" for s in sections):
        credits.append(f"{CREDIT}.")
    if any("published counts" in line for line in headline):
        credits.append(DEATHS_CREDIT)
    said = [p for s in sections for p in s.paragraphs]  # a note its section says: once
    html = render_page(
        report_title(found),
        sections,
        [n for n in notes if not any(n in p for p in said)],
        lead=report_lead(found, headline),
        credits=credits,
        headline=headline,
        sources=[found.results],
    )
    path = write_output_file(out, html)
    return ReportSummary(
        path=path,
        sections=[s.title for s in sections],
        n_charts=sum(len(s.figures) for s in sections),
        notes=notes,
        figures=[fig for s in sections for fig in s.figures],
    )
