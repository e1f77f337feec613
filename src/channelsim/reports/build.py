"""Assemble the report: one section per kind of content found in the input, a note for each
kind that is missing, written as one self-contained HTML file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from channelsim import __version__
from channelsim.errors import ChannelsimError
from channelsim.outputs import OutputTarget, write_output_file
from channelsim.reports.figures import (
    comparison_figure,
    monthly_observed,
    monthly_simulated,
    sensitivity_figure,
    series_figure,
    strait_map,
)
from channelsim.reports.inputs import ReportInput, load_input
from channelsim.reports.page import Section, render_page


def key_metrics() -> list[str]:
    """Figures shown first in the comparison chart, when present: the results registry's
    key figures."""
    from channelsim.engine import all_results

    return all_results().key()


@dataclass(frozen=True)
class ReportSummary:
    """What was written: the file, the sections and charts, and the notes on what is absent."""

    path: Path
    sections: list[str]
    n_charts: int
    notes: list[str]


def observed_daily(data: Path | None) -> tuple[pd.DataFrame | None, str]:
    """The official daily series from ``data`` or the local data store, and where it came from
    (or why there is none)."""
    from channelsim.data import DataStore, read_publication

    if data is not None:
        publication = read_publication(data)
        return publication.daily, f"{data.name} (edition of {publication.edition_date})"
    store = DataStore()
    try:
        daily = store.daily()
    except ChannelsimError:
        return None, (
            "no observed series: the data store is empty (run `channelsim data import FILE`) "
            "and no --data FILE was given"
        )
    edition = store.latest_edition()
    return daily, f"data store {store.path}" + (
        f", edition {edition.edition_date}" if edition else ""
    )


def series_section(found: ReportInput, data: Path | None) -> tuple[Section | None, str | None]:
    if found.daily is None:
        return None, "Simulated against observed: omitted, the input has no daily series."
    simulated = monthly_simulated(found.daily)
    dates = pd.to_datetime(found.daily["date"])
    observed, origin = observed_daily(data)
    monthly = None if observed is None else monthly_observed(observed, dates.min(), dates.max())
    if monthly is not None and monthly.empty:
        monthly, origin = None, f"no observed data in the simulated period ({origin})"
    n = int(simulated["n"].max())
    section = Section(
        "Simulated against observed arrivals",
        paragraphs=[
            f"Monthly sums over {dates.min():%d %b %Y} – {dates.max():%d %b %Y}. "
            + (
                f"Simulated: median of {n} members with 50% and 90% intervals. "
                if n > 1
                else "Simulated: one run (no interval). "
            )
            + f"Observed: {origin}."
        ],
        figures=[series_figure(simulated, monthly)],
    )
    return section, None if monthly is not None else f"Observed series omitted: {origin}."


def comparison_section(found: ReportInput) -> tuple[Section | None, str | None]:
    if found.comparison is None or found.comparison.empty:
        return None, "Policy comparison: omitted, the input has no comparison."
    table = found.comparison
    present = list(dict.fromkeys(table["metric"]))
    metrics = [m for m in key_metrics() if m in present] or present[:4]
    base = (
        table["base"].dropna().iloc[0] if "base" in table and table["base"].notna().any() else None
    )
    return (
        Section(
            "Policy comparison",
            paragraphs=[
                "Paired differences (scenario minus "
                + (f"base '{base}'" if base else "the base scenario")
                + ") with common random numbers: median and interval (low–high) over the pairs."
            ],
            tables=[table],
            figures=[comparison_figure(table, metrics)],
        ),
        None,
    )


def sensitivity_section(found: ReportInput) -> tuple[Section | None, str | None]:
    indices = found.sensitivity
    if indices is None or indices.empty:
        return None, "Sensitivity indices: omitted, the input has no sensitivity analysis."
    method = str(indices["method"].iloc[0])
    text = (
        "Sobol indices: S1 is the share of the output's variance due to the parameter alone, "
        "ST includes its interactions; error bars are bootstrap confidence intervals."
        if method == "sobol"
        else "Morris elementary effects: mu* is the mean absolute change of the output over the "
        "parameter's full range, sigma the spread of that change (non-linearity, interactions)."
    )
    return Section("Sensitivity indices", [text], [indices], [sensitivity_figure(indices)]), None


def sensitivity_page(indices: pd.DataFrame, title: str) -> str:
    """The HTML page ``channelsim sensitivity --out`` writes: the report's sensitivity section."""
    section, _ = sensitivity_section(ReportInput(source="", title=title, sensitivity=indices))
    assert section is not None
    return render_page(title, [section])


def map_section(found: ReportInput) -> Section:
    from channelsim.reports.strait_map import zone_launches
    from channelsim.world import load_world
    from channelsim.world.coastline import CREDIT

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
        text.append(
            "Events of one simulated run"
            + (f" of each scenario ({', '.join(scenarios)}; the buttons above the map switch "
               "between them)" if len(scenarios) > 1 else "")
            + ", counted in people and boats: interceptions, engine failures, capsizes and "
            "deaths at sea at the boat's last position; deaths at embarkation at the zone."
        )  # fmt: skip
        keyed = boats if "scenario" in boats else boats.assign(scenario=found.title)
        for scenario, log in keyed.groupby("scenario", sort=False):
            table = zone_launches(world, log).rename(columns=ZONE_COLUMNS)
            if len(scenarios) > 1:
                table.insert(0, "scenario", scenario)
            tables.append(table)
    return Section(
        "Map of the strait",
        text,
        tables=[pd.concat(tables, ignore_index=True)] if tables else [],
        figures=[strait_map(world, boats)],
    )


#: Headers of the launches-by-zone table under the map.
ZONE_COLUMNS = {
    "zone": "launch zone",
    "launched_boats": "boats launched",
    "launched_people": "people launched",
    "prevented_boats": "boats prevented on the beach",
    "prevented_people": "people prevented on the beach",
    "crush_deaths": "deaths at embarkation (people)",
}


def build_report(
    source: str,
    out: str | Path | OutputTarget,
    *,
    data: Path | None = None,
    runs_store: Path | None = None,
) -> ReportSummary:
    """Read ``source`` (folder or run id), build every section it has data for, write ``out``."""
    found = load_input(source, runs_store)
    sections: list[Section] = []
    notes: list[str] = []
    for section, note in (
        series_section(found, data),
        comparison_section(found),
        sensitivity_section(found),
    ):
        if section is not None:
            sections.append(section)
        if note is not None:
            notes.append(note)
    if found.daily is not None or found.boats is not None:
        sections.append(map_section(found))
    else:
        notes.append("Map of the strait: omitted, the input has no simulation outputs.")
    header = [f"Source: {found.source}. channelsim {__version__}.", *notes]
    html = render_page(f"channelsim report: {found.title}", sections, header)
    path = write_output_file(out, html)
    return ReportSummary(
        path=path,
        sections=[s.title for s in sections],
        n_charts=sum(len(s.figures) for s in sections),
        notes=notes,
    )
