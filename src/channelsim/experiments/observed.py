"""Observed figures for a simulated period, from one source: the local data store, summed
exactly as ``channelsim data summary`` sums them (a week's prevention figure counts in the
period where the week ends, :func:`channelsim.data.summarise`), credited to the Home Office
edition they come from. When no edition has been imported, the 2025 figures bundled with
channelsim (:mod:`channelsim.engine.reference`) stand in, labelled as bundled reference
figures with their edition, with the commands that import the official data.

Used by ``channelsim demo`` and the reports' headlines; ``validate`` and ``data summary``
read the same store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channelsim.data.dates import check_date
from channelsim.data.source import WHERE_HINT
from channelsim.errors import InputError
from channelsim.headline import Reference

if TYPE_CHECKING:
    from channelsim.data import DataStore

#: The simulated result each observed figure of ``data summary`` is compared with.
COMPARABLE: dict[str, str] = {
    "arrived_people": "people",
    "arrived_boats": "boats",
    "people_per_boat": "people_per_boat",
    "days_with_arrivals": "days_with_arrivals",
    "prevented_people": "prevented_people",
    "prevented_events": "prevented_events",
}
IMPORT_HINT = WHERE_HINT


#: Wherever the model's people stopped on the beach meet the Home Office's "Migrants
#: prevented": the latter counts more (facts.md: Prevented by France; the data's README).
PREVENTED_CAVEAT = (
    "The Home Office's migrants prevented (French operational estimates) counts more than the "
    "model's people stopped on the beach: also people who return to France, finds of "
    "equipment and arrests of facilitators, and repeat attempts again; so the model's figure "
    "should lie below it, and one above it means the model stops too many on the beach."
)


#: Observed figures that count more than the model's figure of the same name (so the
#: model's should lie below them), and what a figure above one means (:data:`PREVENTED_CAVEAT`).
COUNTS_MORE = {"prevented_people": ("migrants prevented", "the model stops too many on the beach")}


def observed_reference(name: str, value: float) -> Reference:
    """What a headline compares the model's figure ``name`` with: the observed ``value``, an
    upper bound where the Home Office counts more (:data:`COUNTS_MORE`)."""
    if name not in COUNTS_MORE:
        return Reference(value, value, "observed")
    what, above_means = COUNTS_MORE[name]
    return Reference(value, value, f"observed {what}", above_means=above_means)


#: Beside a figure :meth:`ObservedFigures.whole` left out of a headline's comparison.
PART_OF_THE_PERIOD = "not compared: the official series covers only part of the period"


#: The shipped scenarios that describe what happened (the record): a run of one of them,
#: or of a variant that changes only its period, seed, weather, name or description, is set
#: against the official figures; any other is a what-if (:func:`describes_the_record`).
RECORD_SCENARIOS = ("status-quo-2025", "history", "history-continued")
#: Said instead of a comparison with the official figures for a what-if: the record had
#: other policies, so "outside the interval" or "the model stops too many on the beach"
#: would judge the policy's effect as if it were the model's error (s12 trial U13).
WHAT_IF = (
    "A what-if: its figures are not set against the official ones, which describe what "
    "happened, with other policies or parameters."
)


def describes_the_record(scenario: Any) -> bool:
    """Whether ``scenario`` (a :class:`~channelsim.scenario.Scenario`) simulates what
    happened: its parameter set, parameters and policies are those of one of
    :data:`RECORD_SCENARIOS` (its period, seed, weather, name and description may differ)."""
    return _content(scenario) in _record_contents()


def _content(scenario: Any) -> str:
    """What a scenario simulates, as JSON (a policy's dates read back from a folder's
    ``scenario.json`` are text, as they are written)."""
    import json

    parts = [
        scenario.parameter_set,
        scenario.params.model_dump(mode="json"),
        [policy.model_dump(mode="json") for policy in scenario.policies],
    ]
    return json.dumps(parts, sort_keys=True, default=str)


@functools.cache
def _record_contents() -> tuple[str, ...]:
    from importlib import resources

    from channelsim.scenario import load_scenario

    folder = resources.files("channelsim") / "scenarios"
    return tuple(_content(load_scenario(str(folder / f"{n}.toml"))) for n in RECORD_SCENARIOS)


#: Beside the model's deaths on both sides of the median line when PREMAR's counts (the
#: French zone's) are set beside its French-zone deaths instead.
BOTH_SIDES = "both sides of the median line: PREMAR's counts are of the French zone alone"


@dataclass(frozen=True)
class ObservedFigures:
    """Observed values over a period by the name of the simulated result they match
    (``arrived_people``…), where they come from (``credit``), whether they are the bundled
    reference figures, and a note (partial coverage, or how to import the data)."""

    values: dict[str, float] = field(default_factory=dict)
    credit: str = ""
    edition: dt.date | None = None
    bundled: bool = False
    note: str | None = None
    #: Figures no official series gives, from published counts (deaths: PREMAR, IOM…), as
    #: the lowest and highest count of the sources over the period.
    sourced: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: Figures in ``values`` the series gives for part of the period only (prevention before
    #: its first week, ending 5 May 2024; the days after the latest edition): summed over
    #: fewer days than a simulated total, so not comparable with it (:meth:`whole`).
    partial: frozenset[str] = frozenset()
    #: What the series covers of the period, in words, for each figure of :attr:`partial`
    #: (``prevention: the weeks ending 5 May 2024–24 May 2026 only, 108 of 438 weeks``).
    coverage: dict[str, str] = field(default_factory=dict)
    #: Figures :meth:`whole` left out for that reason: a headline says they are not
    #: compared, rather than that no count exists.
    left_out: frozenset[str] = frozenset()

    def whole(self) -> ObservedFigures:
        """These figures without :attr:`partial`, with a note naming what was left out and
        why: a history run's report had set 8½ years of simulated prevention against the
        two years the series covers ("3.56 times the observed")."""
        if not self.partial:
            return self
        left = [name for name in self.values if name in self.partial]
        kept = {name: v for name, v in self.values.items() if name not in self.partial}
        why = (
            f"Not compared, as the official series covers only part of the period: {_labels(left)}"
        )
        covers = list(dict.fromkeys(self.coverage[n] for n in left if n in self.coverage))
        said = "; ".join(covers) or self.note
        note = f"{why} ({said})." if said else f"{why}."
        return dataclasses.replace(
            self, values=kept, partial=frozenset(), note=note, left_out=frozenset(left)
        )

    def uncompared(self) -> dict[str, str]:
        """Why a figure the series counts is not compared (by name): a history run's
        people stopped on the beach read "simulated only: no published count to compare"
        while the series counts them from May 2024."""
        said = {name: PART_OF_THE_PERIOD for name in self.left_out}
        if "dead_french_zone_people" in self.sourced:  # PREMAR's counts: the French side
            said["dead_or_missing_people"] = BOTH_SIDES
        return said

    def references(self) -> dict[str, Reference]:
        """What a headline compares each simulated figure with: observed values, and sourced
        ranges named as published counts (not observations)."""
        refs = {name: observed_reference(name, v) for name, v in self.values.items()}
        from channelsim.experiments.deaths import DEATHS_COUNTED_BY

        for name, (low, high) in self.sourced.items():
            refs[name] = Reference(low, high, f"in {DEATHS_COUNTED_BY}, not an official series")
        return refs

    @property
    def caveat(self) -> str | None:
        """What to say beside the comparison: :data:`PREVENTED_CAVEAT` when a prevention
        figure is compared, else ``None``."""
        return PREVENTED_CAVEAT if "prevented_people" in self.values else None

    @property
    def source(self) -> str:
        """How a sentence names the source: ``Home Office, edition of 29 May 2026``
        (``bundled reference figures, Home Office edition of …``)."""
        if self.edition is None:
            return ""
        when = f"{self.edition:%-d %B %Y}"
        if self.bundled:
            return f"bundled reference figures, Home Office edition of {when}"
        return f"Home Office, edition of {when}"


def observed_figures(
    start: dt.date, end: dt.date, store: Path | None = None, publication: Path | None = None
) -> ObservedFigures:
    """The observed figures of ``start``–``end`` from the data store (or a ``publication``
    file), or the bundled 2025 reference figures when the store holds no edition (for a
    period that is 2025); with neither, no values and a note saying how to import the data.
    Deaths, which no official series counts, come as the sources' range for whole calendar
    years (:data:`channelsim.experiments.deaths.DEATHS_BY_YEAR`). The store's figures are
    summed by DuckDB, without pandas (some 37 MiB and 0.4 s of a command's start).

    Raises:
        InputError: ``start`` or ``end`` outside the dates a publication may hold, or
            ``start`` after ``end``.
        StoreError: the store cannot be read.
    """
    if publication is not None:
        found = _from_publication(publication, *_period(start, end))
    else:
        from channelsim.data import DataStore

        data_store = DataStore(store)
        if not data_store.holds_editions():  # a store in the way of one is an error
            found = _bundled(start, end)
        else:
            found = _from_store(data_store, *_period(start, end))
    deaths = sourced_deaths(start, end)
    return dataclasses.replace(found, sourced=deaths) if deaths else found


def sourced_deaths(start: dt.date, end: dt.date) -> dict[str, tuple[float, float]]:
    """Dead or missing over ``start``–``end`` as the sources' lowest and highest counts, when
    the period is whole calendar years that all have a sourced figure; else nothing. The
    counts are PREMAR's (the French zone: :data:`~channelsim.experiments.targets.
    DEATHS_DEFINITION`), so they are set beside the model's ``dead_french_zone_people``, not
    ``dead_or_missing_people``, which adds the UK side (docs/model.md §3.10: one definition per
    source, never mixed)."""
    from channelsim.experiments.deaths import DEATHS_BY_YEAR

    years = range(start.year, end.year + 1)
    whole = start == dt.date(start.year, 1, 1) and end == dt.date(end.year, 12, 31)
    if not whole or any(y not in DEATHS_BY_YEAR for y in years):
        return {}
    low = sum(DEATHS_BY_YEAR[y].low for y in years)
    high = sum(DEATHS_BY_YEAR[y].high for y in years)
    return {"dead_french_zone_people": (float(low), float(high))}


def _period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """``start`` and ``end`` if a publication may hold them, as ``data summary`` checks them.

    Raises:
        InputError: a date outside the publication's bounds, or ``start`` after ``end``.
    """
    first, last = check_date(start, "start"), check_date(end, "end")
    if first is None or last is None or first > last:
        raise InputError(None, "start/end", f"expected start ≤ end, found {start} > {end}")
    return first, last


#: A period's figures as ``data summary`` sums them (:func:`channelsim.data.summarise`: a
#: week counts in the period where it ends; prevention from the weeks with a figure), and
#: what the tables hold of the period: days and their first and last, weeks ending in it,
#: weeks with a prevention figure and their first and last. Parameters: first and last day.
PERIOD_SQL = """
SELECT * FROM
    (SELECT count(*), sum(people), sum(boats), count(*) FILTER (WHERE people > 0),
            min(date), max(date)
     FROM daily_latest WHERE date BETWEEN $1 AND $2),
    (SELECT count(*) FROM weekly_latest WHERE week_ending BETWEEN $1 AND $2),
    (SELECT count(*), sum(prevented_people), sum(prevented_events),
            min(week_ending), max(week_ending)
     FROM weekly_latest
     WHERE week_ending BETWEEN $1 AND $2 AND prevented_people IS NOT NULL)
"""


def _from_store(data_store: DataStore, first: dt.date, last: dt.date) -> ObservedFigures:
    """:func:`_summed` over the store's latest figures, with its latest edition's date and
    file name, in one query (each connection to the store costs some 30 ms)."""
    from channelsim.data.store import LATEST_EDITION

    sql = f"SELECT p.*, e.edition_date, e.file_name FROM ({PERIOD_SQL}) AS p, {LATEST_EDITION} AS e"
    [found] = data_store.fetch(sql, [first, last])
    return _summed(found[:-2], first, last, found[-2:])


def _from_publication(path: Path, first: dt.date, last: dt.date) -> ObservedFigures:
    """:func:`_summed` over a publication file's tables (read with pandas, as it must be)."""
    import duckdb

    from channelsim.data import read_publication

    read = read_publication(path)
    with duckdb.connect() as con:
        con.register("daily_latest", read.daily)
        con.register("weekly_latest", read.weekly)
        [found] = con.execute(PERIOD_SQL, [first, last]).fetchall()
    return _summed(found, first, last, (read.edition_date, path.name))


def _summed(
    found: tuple[Any, ...], first: dt.date, last: dt.date, edition: tuple[dt.date, str] | None
) -> ObservedFigures:
    """The figures of ``data summary`` over the period from the row :data:`PERIOD_SQL` gives
    for it (``found``); ``edition``: the edition's date and file name, for the credit."""
    from channelsim.data.dates import source_line

    days, people, boats, with_arrivals, first_day, last_day, all_weeks = found[:7]
    weeks, prevented, events, first_week, last_week = found[7:]
    values: dict[str, float] = {}
    if days or all_weeks:  # a row of data summary: its arrivals, 0 for none
        values |= {
            "arrived_people": float(people or 0),
            "arrived_boats": float(boats or 0),
            "days_with_arrivals": float(with_arrivals or 0),
        }
    if values.get("arrived_boats"):
        values["people_per_boat"] = values["arrived_people"] / values["arrived_boats"]
    if weeks:
        values["prevented_people"] = float(prevented)
    if events is not None:
        values["prevented_events"] = float(events)
    values = {name: values[name] for name in COMPARABLE if name in values}  # one row order
    credit = "" if edition is None else source_line(
        {"date": edition[0].isoformat(), "file": edition[1]}
    )  # fmt: skip
    when = None if edition is None else edition[0]
    held = (days, first_day, last_day, weeks, first_week, last_week)
    coverage = {n: words for n, words in _partial(first, last, *held).items() if n in values}
    return ObservedFigures(
        values,
        credit,
        when,
        note="; ".join(dict.fromkeys(coverage.values())) or None,  # not the share's notes
        partial=frozenset(coverage),
        coverage=coverage,
    )


#: The figures summed from the daily table, and from the weekly prevention figures.
DAILY_FIGURES = ("arrived_people", "arrived_boats", "people_per_boat", "days_with_arrivals")
WEEKLY_FIGURES = ("prevented_people", "prevented_events")


def _partial(
    first: dt.date,
    last: dt.date,
    days: int,
    first_day: Any,
    last_day: Any,
    weeks: int,
    first_week: Any,
    last_week: Any,
) -> dict[str, str]:
    """The figures the series gives for part of ``first``–``last`` only, with what it covers
    in words: the daily ones unless every day is recorded (``days`` of them, from
    ``first_day`` to ``last_day``), the prevention ones unless every week ending in the
    period is (``weeks`` with a figure, from ``first_week`` to ``last_week``; a week counts in
    the period where it ends, as ``data summary`` sums it). The first and last are dates, or
    None when there are none."""
    from channelsim.data.dates import span_text, sundays

    all_days, all_weeks = (last - first).days + 1, sundays(first, last)
    partial: dict[str, str] = {}
    if days < all_days:
        covered = f"{span_text(first_day, last_day)} only, " if days else "no day, "
        partial |= dict.fromkeys(DAILY_FIGURES, f"arrivals: {covered}{days} of {all_days} days")
    if weeks < all_weeks:
        covered = (
            f"the weeks ending {span_text(first_week, last_week)} only, " if weeks else "no week, "
        )
        partial |= dict.fromkeys(
            WEEKLY_FIGURES, f"prevention: {covered}{weeks} of {all_weeks} weeks"
        )
    return partial


def _labels(names: list[str]) -> str:
    """Results by their labels (``people stopped on the beach and prevention events``)."""
    from channelsim.engine import all_results

    results = all_results()
    labels = [results.describe(name).label.lower() if name in results else name for name in names]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _bundled(start: dt.date, end: dt.date) -> ObservedFigures:
    from channelsim.engine.reference import OFFICIAL_2025, OFFICIAL_2025_EDITION

    if (start, end) != (dt.date(2025, 1, 1), dt.date(2025, 12, 31)):
        return ObservedFigures(note=f"No official figures: the data store is empty; {IMPORT_HINT}.")
    credit = (
        "Bundled reference figures: Home Office, Migrants detected crossing the English "
        f"Channel in small boats – time series, edition of {OFFICIAL_2025_EDITION:%-d %B %Y} "
        "(2025 totals, as recorded in channelsim). Contains public sector information "
        "licensed under the Open Government Licence v3.0."
    )
    note = f"The data store is empty: these are the bundled 2025 figures; {IMPORT_HINT}."
    return ObservedFigures(dict(OFFICIAL_2025), credit, OFFICIAL_2025_EDITION, True, note)


def whole_weeks(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date, int] | None:
    """The weeks (Monday–Sunday, named by the Sunday they end) that lie wholly inside
    ``start``–``end``: first and last week ending and their number, or None. ``validate``
    compares prevention over these weeks only (a simulated period has no days before its
    start), while ``data summary`` counts every week in the period where it ends: the two
    differ by the weeks cut by the period's ends (2025: the week ending 5 January 2025)."""
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)  # the first whole week's
    first = monday + dt.timedelta(days=6)
    last = end - dt.timedelta(days=(end.weekday() + 1) % 7)  # the last Sunday
    if last < first:
        return None
    return first, last, (last - first).days // 7 + 1


def weeks_text(start: dt.date, end: dt.date) -> str:
    """``the 51 whole weeks ending 12 Jan–28 Dec 2025`` (see :func:`whole_weeks`)."""
    found = whole_weeks(start, end)
    if found is None:
        return "no whole week"
    first, last, n = found
    head = f"{first.day} {first:%b}" + ("" if first.year == last.year else f" {first.year}")
    return f"the {n} whole weeks ending {head}–{last.day} {last:%b %Y}"
