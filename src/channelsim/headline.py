"""The headline in words: what was simulated, over which period, the key figures with their
units and intervals, and what the intervals cover, generated from the results (never written
by hand). One small pure function, :func:`headline`, for the terminal (``run``, ``compare``,
``validate``), the reports and the browser explorer.

Inputs are plain values: a :class:`Subject` (what was simulated), the :class:`Estimate` of
each figure (its :class:`~channelsim.fields.Field` from the results registry, the median and
the 5–95% interval over the runs, or over the paired differences of a comparison), and
optionally the :class:`Driver` of a figure: the assumption that figure depends on most, so the
headline can say "the deaths depend mostly on …, an assumption" (a sensitivity analysis or a
posterior names it; see issue 13).

Example (a comparison)::

    doctrine-territorial (French maritime doctrine in all French territorial waters, with
    officer immunity, from 1 Jan 2025) against status-quo-2025, in 2025: about 1,600 fewer
    people arrived in the UK (90% interval: 1,300–2,200 fewer); 103 more people dead or
    missing (90% interval: 65–181 more); extra cost of policies: £17.5m more. Intervals: 90%
    of 20 paired runs; they cover the weather and chance only, with the model's parameters
    fixed, not the uncertainty of those parameters: with it (--posterior DIR) the intervals
    are wider and their middle may move too.

Counts below a thousand are written as every table, chart and map note of channelsim writes
them (whole, halves away from zero), so that one figure reads the same everywhere; larger
counts are rounded ("about 37,000": a model is not precise to the person), every figure of
the same phrase to one place (:func:`channelsim.formatting.phrase_step`: "about 900 fewer
(90% interval: 700–1,200 fewer)", never "899 fewer (90%: 711–1,200 fewer)", nor an exact 29
beside a rounded 1,000); money to three significant figures, as everywhere
(:func:`channelsim.formatting.money_text`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from channelsim.fields import Field
from channelsim.formatting import INTERVAL_WORDS, about, format_value, phrase_step

Uncertainty = Literal["none", "weather", "posterior", "posterior_assumptions"]
"""What the runs vary: ``weather`` (seeds only: the weather and chance, parameters fixed),
``posterior`` (a calibrated parameter draw per run as well), ``posterior_assumptions`` (and
the policies' assumptions drawn over their ranges), ``none`` (one run)."""

COVERS: dict[str, str] = {
    "weather": "they cover the weather and chance only, with the model's parameters fixed, "
    "not the uncertainty of those parameters: with it (--posterior DIR) the intervals are "
    "wider and their middle may move too",
    "posterior": "they cover the weather, chance and the uncertainty of the calibrated "
    "parameters (one posterior draw per run)",
    "posterior_assumptions": "they cover the weather, chance, the uncertainty of the "
    "calibrated parameters (one posterior draw per pair of runs) and the policies' "
    "assumptions (drawn over their ranges)",
}
#: What a posterior's intervals leave out when its parameters are not known (a report read
#: where its posterior folder is not).
HELD_UNKNOWN = (
    "not that of the model's parameters the posterior does not draw, held at their values"
)
#: The kinds of run whose intervals draw the calibrated parameters and hold the others
#: (``params.held_text`` says which).
DRAWS_POSTERIOR = ("posterior", "posterior_assumptions")


@dataclass(frozen=True)
class Subject:
    """What was simulated: ``what`` (a scenario's name and description), the period
    (first and last day), the number of runs (or pairs of runs), ``against`` the base
    scenario of a comparison (None for levels) and what the runs vary."""

    what: str
    start: dt.date
    end: dt.date
    runs: int = 1
    against: str | None = None
    uncertainty: Uncertainty = "weather"
    #: Where the estimates' references come from (``Home Office, edition of 29 May 2026``).
    references: str | None = None
    #: The parameters the runs' posterior draws (``params.posterior_parameter_names``), when
    #: known: the intervals then name how many others they hold (``params.held_text``).
    drawn: tuple[str, ...] = ()
    #: In a comparison, what the scenario changes that the model puts no cost on, in words
    #: (``the model puts no cost on officers on the beaches, which this scenario changes``):
    #: its extra cost then reads "not priced", never "no change" (s13 U5).
    unpriced: str | None = None


@dataclass(frozen=True)
class Estimate:
    """One figure: its field (label, unit), the median and the 5–95% interval (``low``,
    ``high``; None for a single run). In a comparison, the scenario minus the base."""

    field: Field
    median: float
    low: float | None = None
    high: float | None = None
    #: What the figure is compared with, in words (``41,472 observed (Home Office)``,
    #: ``17–36 in the sources``), and whether that lies inside the interval.
    reference: str | None = None
    inside: bool | None = None
    #: The mean over the runs (or paired differences), said beside a skewed figure's median.
    mean: float | None = None
    #: Why a figure is not compared though a count exists (``not compared: the official
    #: series covers only part of the period``), said instead of :data:`UNCOUNTED`.
    uncompared: str | None = None

    @property
    def skewed(self) -> bool:
        """Whether the mean and the median tell different stories: they round differently and
        lie apart by a tenth of the 90% interval and a tenth of the median or more (deaths:
        most runs have few, a run with a capsize of a crowded boat has many, so the mean is
        well above the median; a capped cost whose mean is 0.7% below its median in a narrow
        interval is not skewed)."""
        if self.mean is None or self.low is None or self.high is None or self.high <= self.low:
            return False
        gap = abs(self.mean - self.median)
        apart = gap >= SKEW_SHARE * (self.high - self.low) and gap >= SKEW_SHARE * abs(self.median)
        return apart and about(self.mean, self.field) != about(self.median, self.field)

    @property
    def zero(self) -> bool:
        return all(v is None or v == 0 for v in (self.median, self.low, self.high))

    @property
    def finite(self) -> bool:
        return math.isfinite(self.median)

    @property
    def written_as_zero(self) -> bool:
        """Whether its median and interval are each written ``0`` (a difference said "no
        change ..., nor in 90% of the paired runs"): a 90% bound of 0.1 person, one run of 20
        returning two more, is not a change a sentence names."""
        zero = about(0.0, self.field)
        values = (self.median, self.low, self.high)
        return all(v is None or about(v, self.field) == zero for v in values)


@dataclass(frozen=True)
class Driver:
    """The assumption a figure depends on most: the figure's name (``dead_or_missing_people``),
    the assumption in words, and optionally the share of the figure's variance it explains."""

    figure: str
    assumption: str
    share: float | None = None
    #: What the driver is: ``an assumption`` (no source: docs/model.md gives it a range only)
    #: or ``a sourced parameter``.
    kind: str = "an assumption"
    #: A sentence after it (an assumption's drawn range against its stated value), or "".
    note: str = ""


#: How far apart (a share of the 90% interval's width, and of the median) a figure's mean and
#: median must lie for the headline to give both: a tenth of the interval is a Pearson median
#: skewness of about 1 for a normal-like spread (a presentation choice, not of the model).
SKEW_SHARE = 0.1

#: Key figures a headline names first, when present (what the public debate asks first);
#: the other key figures of the results registry follow in the registry's order.
LEAD = ("arrived_people", "dead_or_missing_people", "cost_gbp")
#: Beside a run's figure that no source counts, when its other figures are compared with
#: observed or published ones.
UNCOUNTED = "simulated only: no published count to compare"


def lead_figures(key: Sequence[str]) -> list[str]:
    """The registry's key figures in the headline's order (:data:`LEAD` first)."""
    return [n for n in LEAD if n in key] + [n for n in key if n not in LEAD]


#: What removal policies do, beyond the key figures (one in, one out's returns and the
#: admissions they buy, a third country's removals): shown beside the key figures wherever
#: they are not written zero (a returns scenario's key-figure panels said nothing of its
#: returns), each a count of people.
REMOVAL_FIGURES = ("returned_from_uk_people", "removed_people", "legal_route_admissions_people")


#: Figures that are parts of another figure of the same table: the whole and its parts.
PARTS: dict[str, tuple[str, ...]] = {
    "dead_or_missing_people": ("dead_french_zone_people",),
    "returned_people": ("returned_from_uk_people", "removed_people"),
}


def with_compared(names: Sequence[str], compared: Iterable[str]) -> list[str]:
    """``names`` (a headline's figures) with each figure of ``compared`` (those an observed
    or published count is set against) they leave out, right after the whole it is part of
    (:data:`PARTS`): PREMAR counts the French zone's deaths, so its range goes beside the
    model's ``dead_french_zone_people``, shown after ``dead_or_missing_people`` (both sides of
    the median line), never beside the latter (the two definitions mixed)."""
    out = list(names)
    for name in compared:
        if name in out:
            continue
        whole = next((w for w, parts in PARTS.items() if name in parts and w in out), None)
        out.insert(out.index(whole) + 1 if whole is not None else len(out), name)
    return out


def medians_note(
    figures: Iterable[str], describe: Callable[[str], Field], comparison: bool = True
) -> str | None:
    """Beside a table that shows a figure and a part of it (:data:`PARTS`): each row's median
    and interval are taken over that figure's own runs (or paired differences), so they do
    not add up, and a part can show more than its whole ("French zone 11" beside "dead or
    missing 9" read as an error). None when no whole is shown with a part."""
    shown = set(figures)
    pairs = [(w, p) for w, parts in PARTS.items() if w in shown for p in parts if p in shown]
    if not pairs:
        return None
    whole, part = (describe(n).label for n in pairs[0])
    over = "paired differences" if comparison else "runs"
    return (
        f"Medians and intervals do not add up across rows: each is taken over that figure's "
        f"own {over}, so a part ({part}) can show a larger median than the figure it is part "
        f"of ({whole}), and parts need not sum to the whole."
    )


def panel_figures(key: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The figures of a key-figures panel (a report's chart, the explorer's table and
    chart): the key figures (:func:`lead_figures`) and each of :data:`REMOVAL_FIGURES` that
    ``rows`` (``figure`` or ``metric`` with ``median``, ``low``, ``high`` or ``value``) give
    a value other than zero."""
    changed = {str(row.get("figure", row.get("metric"))) for row in rows if _not_zero(row)}
    shown = lead_figures(key)
    return shown + [n for n in REMOVAL_FIGURES if n in changed and n not in shown]


def _not_zero(row: Mapping[str, Any]) -> bool:
    """Whether a row of counts gives a value not written ``0`` (whole, halves away from
    zero, as the tables write counts: a 90% bound of 0.1 person is written 0)."""
    values = (_number(row.get(k)) for k in ("median", "low", "high", "value"))
    return any(v is not None and abs(v) >= 0.5 for v in values)


def scenario_text(name: str, description: str | None = None) -> str:
    """A scenario as the headline names it: ``name (description)``."""
    description = (description or "").strip().rstrip(".")
    return f"{name} ({description})" if description else name


def scenario_title(name: str, description: str | None = None) -> str:
    """A scenario as a title names it, in words: its description's first clause (``2025 as
    it happened``, from "2025 as it happened: French beach patrols, …"; ``Rwanda-style
    removal to a third country from 1 Jan 2025``), else its name. Titles named scenarios by
    their code names ("one-in-one-out-50, … against status-quo-2025"), which a command
    needs and a screenshot does not (s13 U13); headlines keep the name beside the words."""
    text = (description or "").strip().rstrip(".")
    for mark in (": ", " ("):
        text = text.split(mark, 1)[0]
    text = text.strip()
    return text if text else name


def period_text(start: dt.date, end: dt.date) -> str:
    """``in 2025``, ``in June 2025``, or ``1 Jun–20 Jun 2025`` / ``1 Jan 2024–31 May 2026``."""
    if start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31):
        return f"in {start.year}"
    next_month = dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)
    same_month = (start.year, start.month) == (end.year, end.month)
    if same_month and start.day == 1 and end == next_month - dt.timedelta(days=1):
        return f"in {start:%B %Y}"
    head = f"{start.day} {start:%b}" + ("" if start.year == end.year else f" {start.year}")
    return f"{head}–{end.day} {end:%b %Y}"


def period_title(what: str, start: dt.date, end: dt.date) -> str:
    """A chart's title over a period, its dates as text writes them (never ISO):
    ``Arrivals per month in 2025``, ``Arrivals per month, 1 Jun–20 Jun 2025``."""
    period = period_text(start, end)
    return f"{what} {period}" if period.startswith("in ") else f"{what}, {period}"


def _name(field: Field, value: str = "") -> str:
    """The label as a noun phrase inside a sentence (``People arrived`` → ``people arrived``;
    after the number one, ``person arrived``)."""
    label = field.label
    name = label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label
    if value == "1" and field.says_unit:
        noun, _, rest = name.partition(" ")
        name = " ".join(w for w in (SINGULAR.get(noun, noun), rest) if w)
    return name


def _unit(field: Field, value: str = "") -> str:
    """The unit after a number, unless the label already says it (people arrived: people);
    ``1 person``, not ``1 people``."""
    if not field.unit or field.money or field.says_unit:
        return ""
    if value == "1":
        return f" {SINGULAR.get(field.unit, field.unit)}"
    return f" {field.unit}"


#: A unit after the number one.
SINGULAR = {"people": "person", "boats": "boat", "officers": "officer", "days": "day"}


def _about(value: float, field: Field, step: float | None = None) -> str:
    """``about 1,600`` when the figure is rounded for the sentence (a count whose phrase is
    rounded to a step above one, :func:`channelsim.formatting.phrase_step`; a measure of
    100 or more, or not whole), ``112`` when it is written as the tables write it (a smaller
    count, whole)."""
    text = about(value, field, step)
    if field.money:
        return text
    if field.count:
        rounded = step is not None and step > 1
    else:
        rounded = abs(value) >= 100 or not float(value).is_integer()
    return f"about {text}" if rounded else text


def _step(estimate: Estimate) -> float | None:
    """The step an estimate's phrase (its median, interval and mean) is rounded to, every
    figure alike (:func:`channelsim.formatting.phrase_step`)."""
    values = (estimate.median, estimate.low, estimate.high, estimate.mean)
    return phrase_step(values, estimate.field)


def _size_of(step: float | None) -> Callable[[float, Field], str]:
    """:func:`about` at a phrase's ``step``: how :func:`change_words` writes its sizes."""
    return lambda value, field: about(value, field, step)


def _interval(estimate: Estimate) -> tuple[float, float] | None:
    """The interval, unless there is none or it is a single value."""
    low, high = estimate.low, estimate.high
    if low is None or high is None or low == high:
        return None
    return low, high


def _level(estimate: Estimate) -> str:
    """``about 41,000 people arrived in the UK (90% interval: 39,000–43,000)``."""
    field = estimate.field
    step = _step(estimate)
    value = about(estimate.median, field, step)
    text = (
        f"{_name(field)}: {value}"
        if field.money
        else f"{_about(estimate.median, field, step)}{_unit(field, value)} {_name(field, value)}"
    )
    interval = _interval(estimate)
    if interval is not None:
        mean = _mean_words(estimate, _size_of(step))
        low, high = (about(v, field, step) for v in interval)
        text += f" ({INTERVAL_WORDS}: {low}–{high}{mean})"
    if estimate.reference:
        text += f" against {estimate.reference}"
        if estimate.inside is not None:
            text += ", inside the interval" if estimate.inside else ", outside the interval"
    return text


def _more(value: float, field: Field) -> str:
    if field.money:
        return "less" if value < 0 else "more"
    return "fewer" if value < 0 else "more"


def change_words(value: float, field: Field, size_of: Callable[[float, Field], str] = about) -> str:
    """A difference in words, its size never negative: ``46 more``, ``1,600 fewer``,
    ``£17.5m more``, ``no change`` (a ranking's cell; "-46 fewer arrivals" read as fewer).
    ``size_of`` writes the size: rounded as a headline says it (:func:`about`), or exactly
    (``channelsim.formatting.format_value``, a report's table)."""
    if not math.isfinite(value):
        return "–"
    size = size_of(abs(value), field)
    if size == size_of(0.0, field):
        return "no change"
    return f"{size} {_more(value, field)}"


def difference_text(estimate: Estimate) -> str:
    """``about 1,600 fewer people arrived in the UK (90% interval: 1,300–2,200 fewer)``."""
    field = estimate.field
    median = estimate.median
    if estimate.zero:
        return f"no change in {_name(field)}"
    step = _step(estimate)
    size = about(abs(median), field, step)
    if median == 0:
        text = f"no change in {_name(field)} in the median"
    elif field.money:
        text = f"{_name(field)}: {size} {_more(median, field)}"
    else:
        more = f"{_about(abs(median), field, step)} {_more(median, field)}"
        text = f"{more}{_unit(field, size)} {_name(field, size)}"
    interval = _interval(estimate)
    if interval is None:
        return text
    low, high = interval
    if about(low, field) == about(high, field) == about(0.0, field):  # "0–0 fewer"
        return f"{text}, nor in 90% of the paired runs" if median == 0 else text
    mean = _mean_words(estimate, lambda v, f: change_words(v, f, _size_of(step)))
    low, high = (_zero_as_written(v, field, _size_of(step)) for v in (low, high))
    if low >= 0 or high <= 0:  # on one side of zero
        near, far = (about(v, field, step) for v in sorted((abs(low), abs(high))))
        way = _more(low if low != 0 else high, field)
        return f"{text} ({INTERVAL_WORDS}: {near}–{far} {way}{mean})"
    return (
        f"{text} ({INTERVAL_WORDS}: {about(abs(low), field, step)} {_more(low, field)} to "
        f"{about(high, field, step)} {_more(high, field)}{mean})"
    )


def change_phrase(
    median: float, low: float, high: float, field: Field, interval: bool = True
) -> str:
    """A ranking's cell, in the terminal and the report alike: ``3,800 fewer (3,200–4,600
    fewer)``, ``2 more (1 fewer to 5 more)``, ``no change``; its figures rounded as one
    phrase of a headline (:func:`channelsim.formatting.phrase_step`: the terminal wrote
    3,800 fewer, the report 3,760), the interval left out with ``interval`` False."""
    size_of = _size_of(phrase_step((median, low, high), field))
    text = change_words(median, field, size_of)
    low, high = sorted((low, high))
    if not interval or not (math.isfinite(low) and math.isfinite(high)) or low == high:
        return text
    low, high = (_zero_as_written(v, field, size_of) for v in (low, high))
    if low == high == 0:  # "no change (no change to no change)"
        return text
    if low >= 0 or high <= 0:  # on one side of zero: "150–1,200 fewer"
        near, far = sorted((abs(low), abs(high)))
        way = _more(low if low != 0 else high, field)
        if size_of(far, field) == size_of(0.0, field):
            return f"{text} ({size_of(near, field)}–{size_of(far, field)})"
        return f"{text} ({size_of(near, field)}–{size_of(far, field)} {way})"
    return f"{text} ({change_words(low, field, size_of)} to {change_words(high, field, size_of)})"


#: A ranking's extra cost where the scenario changes only what the model puts no cost on
#: (:attr:`Subject.unpriced`): "no change" read as free (s13 U5).
NOT_PRICED = "not priced"


def cost_words(words: str, unpriced: bool) -> str:
    """A ranking's extra cost cell: :data:`NOT_PRICED` for a scenario that changes what the
    model puts no cost on (``unpriced``) and whose cost reads "no change", else ``words``."""
    zero = (change_words(0.0, _MONEY), about(0.0, _MONEY))  # a ranking's, a chart's key
    missing = change_words(math.nan, _MONEY)  # no value: the comparison left it unpriced
    return NOT_PRICED if unpriced and words in (*zero, missing) else words


_MONEY = Field("cost_gbp", "extra cost", "£", kind="float")


def _zero_as_written(value: float, field: Field, size_of: Callable[[float, Field], str]) -> float:
    """``value``, or 0 when it is written 0: a bound of -0.3 people read "0 fewer to 267
    more" where a bound of 0 reads "0–267 more" (the s13 user trial)."""
    return 0.0 if size_of(value, field) == size_of(0.0, field) else value


def _mean_words(estimate: Estimate, words: Callable[[float, Field], str]) -> str:
    """``; mean 33`` beside a skewed level, ``; mean 36 more`` beside a skewed difference
    (``words`` writes the mean, as its phrase's other figures), else nothing."""
    if not estimate.skewed or estimate.mean is None:
        return ""
    return f"; mean {words(estimate.mean, estimate.field)}"


def skew_text(estimates: Sequence[Estimate], comparison: bool = False) -> str | None:
    """Why a headline gives a mean beside a median: ``Dead or missing: a few runs carry
    much of it, so the mean (33) is above the median (13), the typical run.``; in a
    comparison ``…: a few pairs of runs carry much of the difference: its mean is 36 more,
    its median, the typical pair, 9 more.``"""
    parts = []
    for e in estimates:
        if not e.skewed or e.mean is None:
            continue
        size_of = _size_of(_step(e))  # as the headline's phrase writes them
        if comparison:
            parts.append(
                f"{e.field.label}: a few pairs of runs carry much of the difference: its mean "
                f"is {change_words(e.mean, e.field, size_of)}, its median, the typical pair, "
                f"{change_words(e.median, e.field, size_of)}"
            )
        else:
            way = "above" if e.mean > e.median else "below"
            parts.append(
                f"{e.field.label}: a few runs carry much of it, so the mean "
                f"({size_of(e.mean, e.field)}) is {way} the median "
                f"({size_of(e.median, e.field)}), the typical run"
            )
    return "; ".join(parts) + "." if parts else None


def estimates(
    rows: Iterable[Mapping[str, Any]], names: Sequence[str], describe: Callable[[str], Field]
) -> list[Estimate]:
    """The estimates of ``names``, in that order, from rows of ``figure`` with ``median``,
    ``low``, ``high`` (an ensemble's or a comparison's summary) or ``value`` (one run)."""
    by_name = {str(row["figure"]): row for row in rows}
    found = []
    for name in names:
        row = by_name.get(name)
        if row is None:
            continue
        median = _number(row.get("median", row.get("value")))
        low, high = _number(row.get("low")), _number(row.get("high"))
        value = math.nan if median is None else median
        found.append(Estimate(describe(name), value, low, high, mean=_number(row.get("mean"))))
    return found


def _number(value: Any) -> float | None:
    """A finite number, or None (missing, NaN)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Reference:
    """What a figure is compared with: a value (``low == high``) or a range of sources'
    counts, and how the headline names it (``observed``, ``in published counts``)."""

    low: float
    high: float
    words: str = "observed"
    #: A count that holds more than the figure (the Home Office's migrants prevented beside
    #: the model's people stopped on the beach), so the figure should lie below it: what a
    #: figure above it means (``the model stops too many on the beach``); None for a count
    #: of the same thing, whose interval should hold it.
    above_means: str | None = None

    def text(self, field: Field) -> str:
        if self.low == self.high:
            return f"{format_value(self.low, field)} {self.words}"
        return f"{format_value(self.low, field)}–{format_value(self.high, field)} {self.words}"

    def verdict(self, estimate: Estimate) -> str:
        """Of a count that holds more (:attr:`above_means`): whether the figure lies below it,
        as it should, or above it, and what that means. The demo's "about 24,000 people
        stopped on the beach (90% interval: 22,000–26,000) against 22,476 observed, inside
        the interval" presented as a fit what its own note called an error."""
        which = "median" if estimate.low is not None else "figure"
        if estimate.median > self.high:
            return (
                f", which counts more and should be the larger: the model's {which} is above "
                f"it, so {self.above_means}"
            )
        return f", which counts more: the model's {which} is below it, as it should be"


def with_references(
    found: Sequence[Estimate],
    references: Mapping[str, Reference],
    uncompared: Mapping[str, str] | None = None,
) -> list[Estimate]:
    """The estimates with the references they are compared with (by figure name) and
    whether each reference meets the estimate's interval; ``uncompared``: why a figure with
    a count is not compared (by name)."""
    out = []
    for estimate in found:
        ref = references.get(estimate.field.name)
        if ref is None:
            why = (uncompared or {}).get(estimate.field.name)
            out.append(estimate if why is None else dataclasses.replace(estimate, uncompared=why))
            continue
        if ref.above_means is not None:  # not a count of the same thing: no "inside"
            said = ref.text(estimate.field) + ref.verdict(estimate)
            out.append(dataclasses.replace(estimate, reference=said, inside=None))
            continue
        inside = None
        if estimate.low is not None and estimate.high is not None:
            inside = ref.low <= estimate.high and estimate.low <= ref.high
        out.append(dataclasses.replace(estimate, reference=ref.text(estimate.field), inside=inside))
    return out


def driver_text(driver: Driver, fields: Mapping[str, Field]) -> str:
    """``The dead or missing figure depends mostly on …, an assumption (62% of its
    variance).``"""
    field = fields.get(driver.figure)
    figure = _name(field) if field is not None else driver.figure.replace("_", " ")
    share = (
        "" if driver.share is None else f" ({format_value(driver.share, _SHARE)} of its variance)"
    )
    text = f"The {figure} figure depends mostly on {driver.assumption}, {driver.kind}{share}."
    return f"{text} {driver.note}" if driver.note else text


_SHARE = Field("share", "share", kind="share")


def cost_text(items: Mapping[str, float] | None = None) -> str:
    """What a run's "extra cost of policies" counts ("£5.98m" for 2025 as it happened read
    as the cost of 2025's policies): the cost items of the scenario's policies that the model
    prices (``items``: each item's words and total, when known), not the spending that
    already runs."""
    from channelsim.formatting import money_text

    priced = [f"{name} {money_text(v)}" for name, v in (items or {}).items() if v]
    which = f" ({', '.join(priced)})" if priced else ""
    return (
        f"Extra cost of policies: what the scenario's policies cost that the model prices"
        f"{which}, on top of spending that already runs; the beach patrols the 2023 UK–France "
        "deal already pays for, Border Force and asylum support are not counted."
    )


#: Fewer runs than this give a "90% interval" that is little more than the range of the runs:
#: the 5th and 95th percentiles (linear interpolation between the sorted runs) lie less than
#: one run in from the lowest and the highest of fewer than 21 runs, so the interval is the
#: spread of the one or two extreme runs, not a 90% range (``compare --runs 4`` wrote
#: "90% interval: 0–28 more" without a word). README, "Reading the outputs", says so.
MIN_RUNS_FOR_INTERVALS = 20


def few_runs_text(runs: int, paired: bool = False) -> str | None:
    """The warning beside an interval of fewer than :data:`MIN_RUNS_FOR_INTERVALS` runs
    (``None`` from that many on, and for one run, which has no interval)."""
    if runs <= 1 or runs >= MIN_RUNS_FOR_INTERVALS:
        return None
    what = "pairs of runs" if paired else "runs"
    return (
        f"With only {runs} {what} the intervals are rough: the 5th and 95th percentiles of "
        f"fewer than {MIN_RUNS_FOR_INTERVALS} {what} lie next to the lowest and highest of "
        f"them; use {MIN_RUNS_FOR_INTERVALS} or more (--runs {MIN_RUNS_FOR_INTERVALS})."
    )


#: The file of a run's output folder that holds the runs its headline gave, when they are not
#: the run the folder holds: the demo's headline is the medians and 90% intervals of 40 runs,
#: its table and files one run, and the report of its folder gave the one run's figures (8
#: dead or missing, against the terminal's 13) without a word. Keys: ``runs``, ``base_seed``,
#: ``seed`` (the folder's run), ``totals`` (rows of ``figure``, ``median``, ``low``,
#: ``high``, ``mean``) and ``what`` (the same in words).
HEADLINE_FILE = "headline.json"


def headline_runs_document(
    rows: Sequence[Mapping[str, Any]], runs: int, base_seed: int, seed: int
) -> dict[str, Any]:
    """The content of :data:`HEADLINE_FILE`: the ``rows`` of the ``runs`` runs (seeds
    derived from ``base_seed``) a headline gave, beside the run of ``seed`` the folder
    holds."""
    return {
        "runs": runs,
        "base_seed": base_seed,
        "seed": seed,
        "what": f"the headline's medians and 90% intervals (5th to 95th percentile) over "
        f"{runs} runs; the tables of this folder are the one run of seed {seed}",
        "totals": [dict(row) for row in rows],
    }


def headline_runs_text(runs: int, base_seed: int, seed: int, below: str) -> str:
    """Which figures are the headline's runs and which the one run: ``below`` names what
    is one run (``the table below and the files written``)."""
    return (
        f"The figures above are medians and 90% intervals of {runs} runs (seeds derived "
        f"from {base_seed}); {below} are one run (seed {seed})."
    )


def priced_items(totals: Mapping[str, float]) -> dict[str, float]:
    """Each priced cost item in words with its total, largest first (``one in one out``:
    4,200,000.0), from the items' code names and totals (a run's ``cost_by_item``, or a
    ``costs`` table summed by item): what :func:`cost_text` lists."""
    from channelsim.fields import cost_item_label

    ranked = sorted(totals.items(), key=lambda kv: -kv[1])  # largest first
    return {cost_item_label(item): float(total) for item, total in ranked}


def with_cost_text(
    said: str, found: Sequence[Estimate], items: Mapping[str, float] | None = None
) -> str:
    """A run's headline with :func:`cost_text` after it when it gives an extra cost of
    policies (not zero): the terminal's and the report's headlines alike (the report of a run
    said "extra cost of policies: £5.98m" without what it counts)."""
    return f"{said} {cost_text(items)}" if costed(found) else said


def costed(found: Sequence[Estimate]) -> bool:
    """Whether a run's headline gives an extra cost of policies (finite, not zero in every
    run): what its cost sentences (:func:`cost_text`, the unit costs it rests on) follow."""
    return any(e.field.name == "cost_gbp" and e.finite and not e.zero for e in found)


def _unpriced_text(estimate: Estimate, unpriced: str) -> str:
    """A comparison's difference, its extra cost said "not priced" where the scenario changes
    what the model puts no cost on (``unpriced``): ``extra cost of policies: not priced (the
    model puts no cost on officers on the beaches, which this scenario changes)``, or the
    priced part followed by what it leaves out."""
    field = estimate.field
    if field.name != "cost_gbp":
        return difference_text(estimate)
    if not estimate.finite or estimate.written_as_zero:
        return f"{_name(field)}: not priced ({unpriced})"
    return f"{difference_text(estimate)}, leaving out what is not priced ({unpriced})"


def intervals_text(subject: Subject) -> str:
    """What the intervals are, how many runs they rest on (with a warning below
    :data:`MIN_RUNS_FOR_INTERVALS`) and what they cover."""
    if subject.runs <= 1 or subject.uncertainty == "none":
        return "One run: no interval; another seed gives other figures (use --runs N)."
    pairs = "paired runs" if subject.against else "runs"
    covers = COVERS[subject.uncertainty]
    if subject.uncertainty in DRAWS_POSTERIOR:
        from channelsim.params import held_text  # (pydantic: only where a posterior is used)

        held = held_text(subject.drawn) if subject.drawn else HELD_UNKNOWN
        covers = f"{covers}, {held}" if held else covers
    text = f"Intervals: 90% of {subject.runs} {pairs}; {covers}."
    few = few_runs_text(subject.runs, subject.against is not None)
    return text if few is None else f"{text} {few}"


def headline(
    subject: Subject, estimates: Sequence[Estimate], drivers: Sequence[Driver] = ()
) -> str:
    """The headline in words (see the module's docstring). Figures that are zero in every run
    are left out of a run's headline (a status quo's extra cost); in a comparison they read
    "no change"."""
    comparison = subject.against is not None
    shown = [  # a comparison's unpriced cost has no value, and is said "not priced"
        e
        for e in estimates
        if (e.finite and (comparison or not e.zero))
        or (comparison and subject.unpriced and e.field.name == "cost_gbp")
    ]
    phrases = [
        _unpriced_text(e, subject.unpriced) if comparison and subject.unpriced else
        (difference_text if comparison else _level)(e)
        for e in shown
    ]  # fmt: skip
    if not comparison and any(e.reference for e in shown):  # say which figures nobody counts
        marked = zip(phrases, shown, strict=True)
        phrases = [p if e.reference else f"{p} ({e.uncompared or UNCOUNTED})" for p, e in marked]
    against = f" against {subject.against}" if comparison else ""
    lead = f"{subject.what}{against}, {period_text(subject.start, subject.end)}"
    body = "; ".join(phrases) if phrases else "no figure to report"
    fields = {e.field.name: e.field for e in estimates}
    sentences = [f"{lead}: {body}.", intervals_text(subject)]
    skew = skew_text(shown, comparison)
    if skew is not None:
        sentences.append(skew)
    if subject.references and any(e.reference for e in shown):
        sentences.append(f"Observed: {subject.references}.")
    sentences += [driver_text(d, fields) for d in drivers]
    return " ".join(sentences)
