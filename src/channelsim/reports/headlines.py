"""The headline at the top of a report, generated from what the report shows
(:func:`channelsim.headline.headline`): a run's or an ensemble's key figures from its members'
days, against the observed figures of the same period; a comparison's differences per
scenario; a sensitivity analysis's drivers (the parameter each output depends on most, and
whether that parameter is an assumption)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from channelsim.experiments.summary import interval_stats
from channelsim.fields import Field
from channelsim.formatting import about, format_value, phrase_step
from channelsim.headline import (
    MIN_RUNS_FOR_INTERVALS,
    REMOVAL_FIGURES,
    Driver,
    Subject,
    Uncertainty,
    costed,
    difference_text,
    driver_text,
    estimates,
    headline,
    headline_runs_text,
    lead_figures,
    period_text,
    scenario_text,
    with_compared,
    with_cost_text,
    with_references,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from channelsim.engine import ResultSet
    from channelsim.experiments import Comparison
    from channelsim.experiments.observed import ObservedFigures
    from channelsim.reports.inputs import ReportInput


def _drawn(folder: Any) -> tuple[str, ...]:
    """The parameters a posterior folder draws (``params.posterior_parameter_names``)."""
    from channelsim.params import posterior_parameter_names

    return posterior_parameter_names(folder)


def member_totals(daily: pd.DataFrame, results: ResultSet) -> pd.DataFrame:
    """Each member's totals of the reported figures that its daily table allows:
    ``scenario``, ``member`` and one column per figure (the registry's aggregation)."""
    from channelsim.engine.results import Derived, Groups

    daily = daily.sort_values(["scenario", "member", "date"], kind="stable")
    keys = daily[["scenario", "member"]].drop_duplicates()
    index = daily.groupby(["scenario", "member"], sort=False).ngroup().to_numpy()
    groups = Groups(index.astype(np.int64), len(keys))
    items = [
        item
        for item in results.figures()
        if (
            all(a in daily for a in item.inputs)
            if isinstance(item, Derived)
            else item.name in daily
        )
    ]
    columns = {c: daily[c].to_numpy() for c in daily.columns}
    totals = results.aggregate(columns, groups, items)
    return pd.concat([keys.reset_index(drop=True), pd.DataFrame(totals)], axis=1)


def _summary_rows(totals: pd.DataFrame, scenario: str) -> list[dict[str, Any]]:
    mine = totals[totals["scenario"] == scenario]
    figures = [c for c in totals.columns if c not in ("scenario", "member")]
    rows = []
    for figure in figures:
        stats = interval_stats(mine[figure].to_numpy(dtype=float))
        if len(mine) < 2:
            stats["low"] = stats["high"] = None  # type: ignore[assignment]
        rows.append({"figure": figure, **stats})
    return rows


def run_headlines(found: ReportInput, observed: ObservedFigures | None) -> list[str]:
    """One headline per scenario of a run or an ensemble (levels, with intervals across the
    members), each figure against the observed one of the same period."""
    period = found.period()
    if found.daily is None or period is None or found.results is None:
        return []
    results = found.results
    totals = member_totals(found.daily, results)
    lines = []
    told = found.headline_runs if len(totals) == 1 else None  # the demo's 40 runs
    for scenario in dict.fromkeys(totals["scenario"]):
        runs = int((totals["scenario"] == scenario).sum())
        rows = _summary_rows(totals, str(scenario))
        if told is not None:
            runs, rows = int(told["runs"]), list(told["totals"])
        uncertainty: Uncertainty = "none" if runs < 2 else (
            "posterior" if found.details.get("posterior") else "weather"
        )  # fmt: skip
        subject = Subject(
            scenario_text(str(scenario), found.scenarios.get(str(scenario))),
            *period,
            runs,
            uncertainty=uncertainty,
            references=observed.source if observed is not None else None,
            drawn=_drawn(found.details.get("posterior")),
        )
        names = lead_figures(results.key())
        if observed is not None:  # PREMAR's deaths beside the model's French-zone deaths
            names = with_compared(names, observed.sourced)
        found_estimates = estimates(rows, names, results.describe)
        if observed is not None:
            found_estimates = with_references(
                found_estimates, observed.references(), observed.uncompared()
            )
        items = found.cost_items.get(str(scenario))
        line = with_cost_text(headline(subject, found_estimates), found_estimates, items)
        unit_costs = found.cost_rests_on.get(str(scenario))
        if unit_costs and costed(found_estimates):  # as `run` says it (s13 U11)
            line += f" {unit_costs}"
        if found.details.get("what_if"):  # not what happened: nothing set against it
            from channelsim.experiments.observed import WHAT_IF

            line += " " + WHAT_IF
        if told is not None:
            below = "the tables, charts and map below"
            line += " " + headline_runs_text(
                runs,
                told.get("base_seed", 0),
                told.get("seed", found.details.get("seed", 0)),
                below,
            )
        lines.append(line)
    return lines


def comparison_headlines(found: ReportInput) -> list[str]:
    """One headline per scenario compared: its key figures' differences from the base."""
    table, results, period = found.comparison, found.results, found.period()
    if table is None or table.empty or results is None or period is None:
        return []
    base = next(iter(found.scenarios), None) or str(found.details.get("base") or "the base")
    runs = found.runs()
    rows = table.rename(columns={"metric": "figure"}).to_dict(orient="records")
    lines = []
    for scenario in dict.fromkeys(table["scenario"]):
        subject = Subject(
            scenario_text(str(scenario), found.scenarios.get(str(scenario))),
            *period,
            runs,
            against=base,
            uncertainty="posterior_assumptions" if found.details.get("posterior") else "weather",
            unpriced=found.unpriced.get(str(scenario)),
            drawn=_drawn(found.details.get("posterior")),
        )
        mine = [r for r in rows if r["scenario"] == scenario]
        text = headline(subject, estimates(mine, lead_figures(results.key()), results.describe))
        text = with_notes(text, mine, results.describe, found.assumptions.get(str(scenario), []))
        said = (
            found.outside.get(str(scenario)),
            found.rests_on.get(str(scenario)),
            cost_rests_on(
                mine,
                found.cost_rests_on.get(str(scenario)),
                results.describe,
                drawn=bool(found.details.get("posterior")),
            ),
        )
        lines.append(" ".join([text, *(s for s in said if s)]))
    return lines


def sensitivity_drivers(indices: pd.DataFrame) -> list[Driver]:
    """For each output, the parameter it depends on most (largest ST, mu* for Morris, or
    share told from noise over a posterior), named by its label and description (never its
    key: the table gives that); an assumption when
    docs/model.md gives it no source (a policy's assumption has none)."""
    from channelsim.experiments.uncertainty import input_label
    from channelsim.params import list_parameters

    infos = {p.path: p for p in list_parameters()}
    method = str(indices["method"].iloc[0])
    column = {"sobol": "ST", "morris": "mu_star"}.get(method, "share")
    drivers = []
    for output, part in indices.groupby("output", sort=False):
        if "above_noise" in part:  # over a posterior: inputs told from noise only
            part = part[(part["kind"] != "chance") & (part["above_noise"] == True)]  # noqa: E712
        ranked = part.dropna(subset=[column]).sort_values(column, ascending=False)
        if ranked.empty or not ranked[column].iloc[0] > 0:
            continue
        top = ranked.iloc[0]
        info = infos.get(str(top["parameter"]))
        what = input_label(str(top["parameter"]))  # the key is in the table, not here
        if info is not None and info.description:
            what += f" ({info.description.rstrip('.').lower()})"
        sourced = info is not None and info.source and "assumption" not in info.source.lower()
        share = None if method == "morris" else float(top[column])
        drivers.append(
            Driver(str(output), what, share, "a sourced parameter" if sourced else "an assumption")
        )
    return drivers


def sensitivity_headline(found: ReportInput) -> list[str]:
    """The sensitivity analysis in words: which parameter each output depends on most."""
    from channelsim.experiments.sensitivity import METHOD_NAMES

    indices = found.sensitivity
    if indices is None or indices.empty or found.results is None:
        return []
    method = str(indices["method"].iloc[0])
    scenario = found.details.get("scenario") or next(iter(found.scenarios), "the scenario")
    runs = found.details.get("n_runs")
    named = METHOD_NAMES.get(method, method)
    lead = f"{named} sensitivity of {scenario}" + (f" ({runs} runs)" if runs else "")
    fields = {str(o): found.results.describe(str(o)) for o in indices["output"].unique()}
    over = (
        "the posterior's parameters and the policies' assumptions over their ranges"
        if method == "rbd-fast"
        else "the parameters' plausible ranges"
    )
    text = [f"{lead}: what moves each output over {over}."]
    text += [driver_text(d, fields) for d in sensitivity_drivers(indices)]
    return [" ".join(text)]


def comparison_headline(comparison: Comparison) -> str:
    """The headline of ``compare`` and of the explorer: for each scenario, its key figures'
    differences from the base in words, with their intervals."""
    assert comparison.results is not None and comparison.period is not None
    start, end = (dt.date.fromisoformat(d) for d in comparison.period)
    rows = comparison.table.to_dict(orient="records")
    names = lead_figures(comparison.results.key())
    lines = []
    for name in comparison.names:
        subject = Subject(
            scenario_text(name, comparison.descriptions.get(name)),
            start,
            end,
            comparison.runs,
            against=comparison.base,
            uncertainty="weather" if comparison.posterior is None else "posterior_assumptions",
            unpriced=comparison.unpriced.get(name, {}).get("text"),
            drawn=_drawn(comparison.posterior),
        )
        mine = [r for r in rows if r["scenario"] == name]
        describe = comparison.results.describe
        text = headline(
            subject, estimates(mine, names, describe), comparison.headline_drivers(name, names)
        )
        text = with_notes(text, mine, describe, comparison.rests_on.get(name, []))
        said = (
            comparison.outside_text(name),
            comparison.rests_on_text(name),
            cost_rests_on(
                mine,
                comparison.cost_rests_on.get(name),
                describe,
                drawn=comparison.posterior is not None,
            ),
        )
        lines.append(" ".join([text, *(s for s in said if s)]))
    return "\n\n".join(lines)


#: After the unit costs of a comparison run with a posterior: its intervals are said to cover
#: the policies' assumptions drawn over their ranges, but no unit cost is drawn (s15 U9:
#: "£17.5m £17.5m £17.5m" beside "cost per boat day £8,000 (assumed to lie in £4,000–£20,000)").
UNIT_COSTS_NOT_DRAWN = (
    "The extra cost's interval does not cover them: the unit costs are not drawn over their "
    "ranges with the other assumptions, but taken at these values, so the cost is only as "
    "sure as they are."
)


def cost_rests_on(
    rows: list[dict[str, Any]],
    sentence: str | None,
    describe: Callable[[str], Field],
    *,
    drawn: bool = False,
) -> str | None:
    """The sentence naming the assumed unit costs a comparison's extra cost rests on
    (:func:`~channelsim.experiments.uncertainty.changed_cost_assumptions_text`), said where
    the headline gives a cost (not where it reads "no change"); ``rows``: one scenario's rows
    of the comparison's table (s13 U11). ``drawn``: the comparison drew the policies'
    assumptions (a posterior), which leaves the unit costs out: said after it
    (:data:`UNIT_COSTS_NOT_DRAWN`)."""
    if sentence is None:
        return None
    costs = estimates(rows, ["cost_gbp"], describe)
    if not any(e.finite and not e.written_as_zero for e in costs):
        return None
    return f"{sentence} {UNIT_COSTS_NOT_DRAWN}" if drawn else sentence


def with_notes(
    text: str,
    rows: list[dict[str, Any]],
    describe: Callable[[str], Field],
    assumptions: list[dict[str, Any]],
) -> str:
    """A comparison's headline of one scenario with what its key figures leave out: the
    removals it changes (:func:`removals_note`), why more returns brought more arrivals
    (:func:`retry_note`), why seizing boats changed none (:func:`boats_note`). ``rows``: the
    scenario's rows of the comparison's table; ``assumptions``: those its answer rests on
    (``input``, ``stated``; empty with a posterior)."""
    notes = (removals_note(rows, describe), retry_note(rows, assumptions), boats_note(rows))
    return " ".join([text, *(n for n in notes if n is not None)])


def retry_note(rows: list[dict[str, Any]], assumptions: list[dict[str, Any]]) -> str | None:
    """Why more returns brought more arrivals (the scaled-up one in, one out read "about 46
    more people arrived" with no word of why): in the model a share of the people returned
    from the UK go back to the French coast and try to cross again (``retry_probability``, an
    assumption), and, with no deterrence (``deterrence_elasticity`` 0), no one stays away for
    the returns. Said when the arrivals and the people returned both rose in the median and
    the answer rests on a stated retry probability; ``None`` otherwise."""
    by = {str(r.get("figure")): r for r in rows}
    arrived, returned = by.get("arrived_people"), by.get("returned_people")
    if arrived is None or returned is None:
        return None
    more_arrived, more_returned = float(arrived["median"]), float(returned["median"])
    stated = {str(a["input"]).rsplit(".", 1)[-1]: float(a["stated"]) for a in assumptions}
    retry = stated.get("retry_probability")
    if not (more_arrived > 0 and more_returned > 0 and retry):
        return None
    people = Field("returned_people", "people", "people", kind="int")
    text = (
        f"More returns, more arrivals: in the model {format_value(retry, _PROBABILITY)} of the "
        f"people returned from the UK go back to the French coast and try to cross again "
        f"(the retry probability, an assumption), about {about(more_returned * retry, people)} "
        f"of the {about(more_returned, people)} more returned here"
    )
    if stated.get("deterrence_elasticity") == 0:
        text += ", and the returns deter no one (deterrence elasticity 0, an assumption)"
    return text + "."


_PROBABILITY = Field("retry_probability", "retry probability", kind="share")


def removals_note(rows: list[dict[str, Any]], describe: Callable[[str], Field]) -> str | None:
    """``Removals: about 210 fewer people returned from the UK; …``: the differences in
    :data:`REMOVAL_FIGURES` whose median or 90% interval is not written zero (taking one in,
    one out away from the 2025 status quo undid 210 returns, and its headline said nothing of
    them; beach patrols under ``--posterior``, one run of 20 returning two more people, read
    "Removals: no change in people returned from the UK in the median, nor in 90% of the
    paired runs"). ``rows``: one scenario's rows of the comparison's table; ``None`` when
    nothing changed."""
    found = [
        e for e in estimates(rows, REMOVAL_FIGURES, describe) if e.finite and not e.written_as_zero
    ]
    if not found:
        return None
    return "Removals: " + "; ".join(difference_text(e) for e in found) + "."


#: The model's mechanisms that let the people of a seized boat cross in another
#: (docs/model.md §1.3, supply and launch stages).
BOAT_MECHANISMS = ("networks.boat_supply_per_day", "networks.scarcity_occupancy_elasticity")


def boats_note(rows: list[dict[str, Any]]) -> str | None:
    """Why seizing boats changed no arrival, when a scenario seizes boats (``seized_boats``
    up) and its arrivals are not told from no change (their interval holds 0): in the model
    boats are not what limits crossings, and that rests on two of its assumptions, named
    with their source label (the explorer's "network disruption seizes ~1,433 boats, changes
    nothing else, for £20m" read as £20m for nothing).

    Which of two reasons is said follows the run's own figures: when the boats launched did
    not change (the median difference under half a boat and its interval inside ±1), the
    networks never ran short — boats reached them faster than they launched them — and the
    note says so; only when fewer boats left does it tell the heavier-loading story (the
    s11 trial: "smash the gangs" explained seizures by heavier loading while its own table
    showed no change in launches or people per boat). ``rows``: one scenario's rows of the
    comparison's table; ``None`` when it does not apply."""
    by = {str(r.get("figure")): r for r in rows}
    seized, arrived = by.get("seized_boats"), by.get("arrived_people")
    if seized is None or arrived is None or not float(seized["median"]) > 0:
        return None
    if not _holds_zero(arrived):
        return None
    launched = by.get("launched_boats")
    if launched is None or not _unchanged(launched):
        return (
            "In the model boats are not what limits crossings: new boats keep reaching the "
            "networks, and short of boats they load each one more heavily, so the people a "
            "seized boat would have carried cross in another. That is the model's assumption, "
            f"not a measurement: {_named(BOAT_MECHANISMS)}."
        )
    return (
        "In the model the networks never ran short of boats: boats reach them faster than "
        "they launch them, so the seized boats came out of a stock that was not used, and "
        "every launch went ahead as without the seizures. That stock is the model's "
        f"assumption, not a measurement: {_named(BOAT_MECHANISMS[:1])}."
    )


def _holds_zero(row: dict[str, Any]) -> bool:
    """Whether a difference's interval (``low``–``high``; the median when absent) holds 0."""
    low, high = (float(row.get(k, row["median"])) for k in ("low", "high"))
    return min(low, high) <= 0 <= max(low, high)


def _unchanged(row: dict[str, Any]) -> bool:
    """A count's difference is no change: median under one half, interval inside ±1."""
    low, high = (float(row.get(k, row["median"])) for k in ("low", "high"))
    return abs(float(row["median"])) < 0.5 and low >= -1 and high <= 1


def _named(paths: tuple[str, ...]) -> str:
    """Parameters by label, path and source label (``an assumption`` when unsourced)."""
    from channelsim.params import list_parameters

    infos = {p.path: p for p in list_parameters()}
    return "; ".join(
        f"{infos[path].label} ({path}, {infos[path].source or 'an assumption'})"
        for path in paths
        if path in infos
    )


#: Validation figures (``channelsim validate``'s JSON) and the result each one forecasts.
VALIDATED = (
    ("annual_total", "arrived_people"),
    ("annual_total_boats", "arrived_boats"),
    ("prevented_people", "prevented_people"),
    ("prevented_events", "prevented_events"),
)


def observed_credit(result: dict[str, Any]) -> str:
    """Whose figures a validation's observed values are: the Home Office's latest edition it
    read, with the licence (``Home Office`` alone when the result names no edition)."""
    from channelsim.reports.credits import home_office_line

    editions = result.get("data") or []
    if not editions:
        return "Home Office"
    latest = editions[-1]
    line = home_office_line({"date": latest["edition_date"], "file": latest["file"]})
    return line.removeprefix("Source: ").removesuffix(".")


def validation_headline(result: dict[str, Any]) -> str:
    """``validate``'s result in words: each forecast total (median, 90% interval) against the
    official figure of the test period, deaths against the sources' published counts (not an
    observation), and the share of months inside the 90% interval. Prevention is compared over
    the whole weeks inside the period (:func:`channelsim.experiments.observed.weeks_text`)."""
    from channelsim.engine import all_results
    from channelsim.experiments.observed import observed_reference, weeks_text
    from channelsim.experiments.targets import DEATHS_COUNTED_BY
    from channelsim.headline import Estimate, Reference

    results = all_results()
    start, end = (dt.date.fromisoformat(d) for d in str(result["test"]).split(":"))
    found, references = [], {}
    for key, name in VALIDATED:
        figure = result.get(key)
        if not isinstance(figure, dict):
            continue
        found.append(
            Estimate(results.describe(name), figure["median"], figure["low90"], figure["high90"])
        )
        references[name] = observed_reference(name, figure["observed"])
    deaths = result.get("deaths_by_year") or {}
    if deaths and all(dt.date(int(y), 1, 1) >= start for y in deaths):
        whole = [d for y, d in deaths.items() if dt.date(int(y), 12, 31) <= end]
        if len(whole) == len(deaths):  # whole years: the sources' counts apply
            name = "dead_french_zone_people"  # the runs' deaths by PREMAR's definition
            median, low, high = (sum(d[k] for d in whole) for k in ("median", "low90", "high90"))
            found.append(Estimate(results.describe(name), median, low, high))
            low_src = sum(d["sources_low"] for d in whole)
            high_src = sum(d["sources_high"] for d in whole)
            words = f"in {DEATHS_COUNTED_BY} (not observed)"
            references[name] = Reference(low_src, high_src, words)
    train_from, train_to = (dt.date.fromisoformat(d) for d in str(result["train"]).split(":"))
    trained = period_text(train_from, train_to).removeprefix("in ")
    subject = Subject(
        f"{validation_kind(result)} from the posterior trained on {trained}",
        start,
        end,
        int(result.get("runs") or 0),
        uncertainty="posterior",
        references=observed_credit(result) if references else None,
        drawn=_drawn(result.get("posterior")),
    )
    text = headline(subject, with_references(found, references))
    months = result.get("monthly") or []
    inside = sum(bool(m.get("inside90")) for m in months)
    extra = f" {coverage_text(inside, len(months))}."
    if "prevented_events" in result:
        extra += f" Prevention compared over {weeks_text(start, end)}."
    replayed = result.get("weather") == "replay"
    return text + extra + _baselines_better(result.get("skill") or {}, replayed)


def coverage_text(inside: int, months: int) -> str:
    """``9 of 12 months inside the 90% interval (75%, below the nominal 90%: 10.8 of 12
    expected; the intervals look too narrow)``: the count against what a 90% interval should
    hold (the headline gave the count alone, and a reader could not tell it was short;
    s14 trial F23)."""
    said = f"{inside} of {months} months inside the 90% interval"
    if months == 0:
        return said
    expected = 0.9 * months
    share = f"{inside / months:.0%}"
    if inside < expected:
        return (
            f"{said} ({share}, below the nominal 90%: {expected:.1f} of {months} expected; "
            "the intervals look too narrow)"
        )
    return f"{said} ({share}, at or above the nominal 90%)"


#: What a validation that replays the test period's weather is (``--weather replay``): the
#: runs' crossing days are the observed ones of the test period, so it is not a forecast.
HINDCAST = "Hindcast with the test period's observed crossing days (not a forecast)"


def validation_kind(result: dict[str, Any]) -> str:
    """What ``validate``'s result is, as its headline, table and plot head it: a
    ``Forecast`` (the test after the training, the weather simulated), an in-sample fit (the
    test overlaps the training) or a :data:`HINDCAST` (``--weather replay``: the runs knew
    on which days of the test period people crossed)."""
    if not result.get("out_of_sample", True):
        return "In-sample fit (not a forecast)"
    return HINDCAST if result.get("weather") == "replay" else "Forecast"


def _baselines_better(skill: dict[str, Any], replayed: bool = False) -> str:
    """The baselines that score better than the model on MASE (a poor result said in the
    headline, not left in the table), or ``""``; ``replayed``: the model's runs replayed the
    test period's crossing days, which the baselines never see, and a win is said so."""
    forecasts = skill.get("forecasts") or {}
    model = (forecasts.get("model") or {}).get("mase")
    if model is None:
        return ""
    better = [
        f"{f.get('label', name)} ({f['mase']:.2f})"
        for name, f in forecasts.items()
        if name != "model" and f.get("mase") is not None and f["mase"] < model
    ]
    totals = _totals_closer(forecasts)
    if not better:
        said = f" The model's monthly error (MASE {model:.2f}) is lower than every baseline's"
        said += _margin_text(skill)
        if replayed:
            said += (
                " (the model knew the test period's crossing days, the baselines did not: "
                "not a comparison of forecasts)"
            )
        return said + (f"; but {totals}." if totals else ".")
    said = (
        f" Simpler forecasts did better on the months (MASE, lower is better: the model "
        f"{model:.2f}; {', '.join(better)})."
    )
    return said + (f" And {totals}." if totals else "")


def _margin_text(skill: dict[str, Any]) -> str:
    """How far the model's monthly errors beat the best baseline's, and whether the months
    can tell (``skill.sign_flip_p`` on the monthly absolute errors of the medians), as
    `` (the best, NAME, 0.46: …)``; ``""`` without monthly figures (an older record)."""
    from channelsim.experiments.skill import sign_flip_p

    forecasts = skill.get("forecasts") or {}
    observed = np.asarray(skill.get("observed") or [], float)
    scored = [
        (f["mase"], name, f)
        for name, f in forecasts.items()
        if name != "model" and f.get("mase") is not None
    ]
    model = (forecasts.get("model") or {}).get("monthly", {}).get("median")
    if not scored or model is None or observed.size == 0:
        return ""
    mase, name, best = min(scored, key=lambda item: item[0])
    median = (best.get("monthly") or {}).get("median")
    if median is None or len(median) != observed.size or len(model) != observed.size:
        return ""
    p = sign_flip_p(np.asarray(model) - observed, np.asarray(median) - observed)
    months = f"{observed.size} month{'s' if observed.size != 1 else ''}"
    verdict = (
        f"a difference chance alone often gives over {months}"
        if p >= 0.05
        else f"unlikely by chance alone over {months}"
    )
    p_text = "p < 0.01" if p < 0.01 else f"p = {p:.2f}"
    return (
        f" (the best, {best.get('label', name)}, {mase:.2f}: {verdict}; exact sign-flip test "
        f"on the monthly absolute errors, {p_text})"
    )


def _totals_closer(forecasts: dict[str, Any]) -> str | None:
    """The baselines whose total for the test period is closer to the observed one than the
    model's, said as plainly as a win: ``its total for the period is further from the
    observed (+33%) than the naive (last month carried forward)'s (+22%)`` (the headline gave
    the monthly win alone). None when none is closer or the totals are not recorded."""

    def error(name: str) -> float | None:
        total = (forecasts.get(name) or {}).get("total") or {}
        value = total.get("median_error")
        return float(value) if isinstance(value, int | float) else None

    model = error("model")
    if model is None:
        return None
    errors = {name: error(name) for name in forecasts if name != "model"}
    closer = [
        f"{forecasts[name].get('label', name)} ({e:+.0%})"
        for name, e in errors.items()
        if e is not None and abs(e) < abs(model)
    ]
    if not closer:
        return None
    named = closer[0] if len(closer) == 1 else f"{', '.join(closer[:-1])} and {closer[-1]}"
    whose = "that of" if len(closer) == 1 else "those of"
    return (
        f"its total for the period is further from the observed ({model:+.0%}) than {whose} {named}"
    )


def _days(start: dt.date, end: dt.date) -> str:
    """``29 May to 31 December 2026`` (the years named once when they are the same)."""
    first = f"{start:%-d %B}" if start.year == end.year else f"{start:%-d %B %Y}"
    return f"{first} to {end:%-d %B %Y}"


def _about(quantiles: dict[str, float], name: str) -> tuple[str, str, str]:
    """Median and 90% bounds of a count for a sentence (:func:`channelsim.formatting.about`)."""
    from channelsim.engine import all_results

    field = all_results().describe(name)
    values = [quantiles[k] for k in ("median", "low90", "high90")]
    step = phrase_step(values, field)  # rounded alike, as a headline's phrase
    return tuple(about(v, field, step) for v in values)  # type: ignore[return-value]


def forecast_headline(record: dict[str, Any]) -> str:
    """A forecast on record in words: people (and boats) arriving over its period with the
    90% interval, then the year's total (observed to date plus the forecast rest of the
    year) when known, said to be so; what the intervals cover."""
    total = record["total"]
    start, end = (dt.date.fromisoformat(total[k]) for k in ("from", "to"))
    people = _about(total["people"], "arrived_people")
    boats = _about(total["boats"], "arrived_boats")
    text = [
        f"channelsim forecasts about {people[0]} people arriving by small boat from "
        f"{_days(start, end)} (90% interval {people[1]}–{people[2]}), in about {boats[0]} boats "
        f"(90% interval {boats[1]}–{boats[2]})."
    ]
    year = record.get("year_total")
    seen = (year or {}).get("observed", {})
    if year and seen["to"] >= seen["from"]:  # a forecast from 1 January is the year's
        first, last = (dt.date.fromisoformat(seen[k]) for k in ("from", "to"))
        whole = _about(year["people"], "arrived_people")
        recorded = f"{seen['people']:,.0f} people the Home Office recorded from"
        text.append(
            f"With the {recorded} {_days(first, last)}, that makes about {whole[0]} in "
            f"{year['year']} (90% interval "
            f"{whole[1]}–{whole[2]}): observed to date plus the forecast for the rest of the year."
        )
    elif record.get("year_total_unknown"):
        text.append(f"No total for the year: {record['year_total_unknown']}.")
    text.append(
        "The intervals cover the calibrated parameters' uncertainty, weather and chance; these "
        "are model forecasts, not observations."
    )
    return " ".join([*text, *forecast_caveats(record)])


#: The model's forecast record: its one blind test (calibrated on the data to 31 Dec 2025,
#: then forecasting 1 Jan–28 May 2026, which it had not seen), as
#: ``calibration/blind-history-2025-12-31/validation-2026-jan-may.json`` holds it and
#: docs/validation.md tables it. A forecast's headline and JSON carry it (a forecast said
#: nothing of how such forecasts had done, while its stated interval covers parameters,
#: weather and chance, not the model's own error); tests check these figures against that
#: record.
FORECAST_TRACK_RECORD: dict[str, Any] = {
    "record": "calibration/blind-history-2025-12-31/validation-2026-jan-may.json",
    "train": "2018-01-01:2025-12-31",
    "test": "2026-01-01:2026-05-28",
    "scenario": "history",
    "people_observed": 8778,
    "people_forecast": 11643,
    "naive_forecast": 10689,
}


def track_record_text(track: dict[str, Any] = FORECAST_TRACK_RECORD) -> str:
    """The forecast record in a sentence: how much too high (or low) the blind test's total
    was, and whether carrying the last month forward came closer."""
    start, end = (dt.date.fromisoformat(d) for d in str(track["test"]).split(":"))
    trained = dt.date.fromisoformat(str(track["train"]).split(":")[1])
    observed, model = float(track["people_observed"]), float(track["people_forecast"])
    naive = float(track["naive_forecast"])
    error, naive_error = model / observed - 1, naive / observed - 1
    way = "too high" if error > 0 else "too low"
    closer = abs(naive_error) < abs(error)
    return (
        f"How such forecasts have done: in its one blind test (calibrated on the data to "
        f"{trained:%-d %B %Y}), the model forecast {_days(start, end)} {abs(error):.0%} {way} "
        f"({model:,.0f} people against {observed:,.0f} observed)"
        + (
            f", and carrying the last month forward came closer ({naive_error:+.0%})"
            if closer else ""
        )
        + "; the intervals above do not include that error (docs/validation.md)."
    )  # fmt: skip


def forecast_caveats(record: dict[str, Any]) -> list[str]:
    """Sentences a reader must see with a forecast: days that lie inside the data the
    posterior was calibrated on (a hindcast, not a test), too few runs for its intervals,
    that a posterior of history calibrated on early 2026 holds that period's inflow level,
    which also takes up its weather (:data:`INFLOW_WEATHER_CAVEAT`), and the track record."""
    caveats = []
    start = dt.date.fromisoformat(str(record["from"]))
    trained = record.get("posterior", {}).get("train_to")
    if trained and start <= dt.date.fromisoformat(str(trained)[:10]):
        to = record.get("to") or (record.get("total") or {}).get("to")
        last = dt.date.fromisoformat(str(trained)[:10])
        if to:  # its own days, not the training's past them (s14 breaker B10)
            last = min(last, dt.date.fromisoformat(str(to)[:10]))
        which = "All its days" if to and last >= dt.date.fromisoformat(str(to)[:10]) else "Its days"
        caveats.append(
            f"{which} from {_days(start, last)} lie inside the data the model was calibrated on "
            "(the posterior's training period): for them this is a hindcast, not a forecast."
        )
    runs = int(record.get("runs") or 0)
    if runs < MIN_RUNS_FOR_INTERVALS:
        caveats.append(
            f"With only {runs} run{'s' if runs != 1 else ''} the intervals are not reliable: use "
            f"--runs {MIN_RUNS_FOR_INTERVALS * 5} or more (the forecasts on record used 500)."
        )
    posterior = record.get("posterior") or {}
    from_history = str(posterior.get("scenario") or "").startswith("history")
    if from_history and str(posterior.get("train_to") or "").startswith("2026"):
        caveats.append(INFLOW_WEATHER_CAVEAT)  # its 2026 inflow level set from early 2026
    caveats.append(track_record_text(record.get("track_record") or FORECAST_TRACK_RECORD))
    return caveats


#: Days with arrivals in January–April of 2025 and of 2026 (the Home Office daily series,
#: edition of 29 May 2026: ``channelsim data summary --by month``), which the caveat below
#: quotes; tests check them against the official file.
CROSSING_DAYS_JAN_APR = {2025: 52, 2026: 34}
#: A forecast from a posterior of history holds the last calibrated level of its inflow
#: driver to the scenario's end; the model has one weather climate for every year, so that
#: driver takes up each year's weather too, and the fall of early 2026 was mostly fewer days
#: with crossings (s12 trial U6b).
INFLOW_WEATHER_CAVEAT = (
    "It holds to its end the 2026 level of history's coastal-inflow driver, which the "
    "calibration set from January–May 2026; with one weather climate for every year, that "
    "driver also takes up each year's weather, and January–April 2026 had "
    f"{CROSSING_DAYS_JAN_APR[2026]} days with crossings against {CROSSING_DAYS_JAN_APR[2025]} "
    "in 2025. Given 2026's real crossing days and 2025's inflow, the model still overshot "
    "January–May 2026 by 48% (docs/model.md §3.9): the weather alone does not explain the "
    "fall, and how much of it was weather the model cannot say."
)


def forecast_credits(record: dict[str, Any]) -> list[str]:
    """The credits of a forecast: the model's (simulated figures), the Home Office edition
    the posterior was calibrated on, and the edition of the observed year to date."""
    from channelsim.reports.credits import home_office_line, simulated_line

    lines = [simulated_line(record.get("scenario"), record.get("seed"))]
    for edition in record.get("posterior", {}).get("data", []):
        named = {"date": str(edition.get("edition_date")), "file": str(edition.get("file"))}
        lines.append(f"Calibrated on the Home Office series. {home_office_line(named)}")
    source = (record.get("year_total") or {}).get("observed", {}).get("source")
    if source:
        lines.append(f"The year to date as observed by the Home Office. {source}")
    return lines
