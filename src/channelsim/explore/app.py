"""The explorer's web page (Dash): controls generated from the definitions, a paired
comparison with progress and cancel, the answer, downloads, the official data and the claims
checker. Dash serves its own scripts (plotly.js included) from the installed package, so the
page works without network; see docs/architecture.md for why Dash.

Every callback turns a bad input into one line on the page (beside its control, or at the top
of the answer) and leaves the app usable.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html, no_update

from channelsim import __version__
from channelsim.data.source import WHERE_HINT
from channelsim.errors import ChannelsimError, InputError
from channelsim.explore import answer as words
from channelsim.explore.controls import (
    Control,
    coerce,
    fixed_policy_fields,
    parameter_controls,
    policy_controls,
    policy_label,
    policy_types,
    value_text,
)
from channelsim.explore.jobs import Answer, Explorer
from channelsim.formatting import date_text

if TYPE_CHECKING:
    from channelsim.reports.build import Observed
from channelsim.explore.settings import (
    MAX_RUNS,
    MIN_RUNS,
    Settings,
    default_base,
    example_params,
    not_in_force,
    policy_kind,
    shipped_mapping,
    shipped_scenarios,
)

POLL_MS = 300
IMAGE_OPTIONS: dict[str, Any] = {"format": "png", "scale": 2}
CSS = """
body{font-family:system-ui,sans-serif;margin:0;color:#222}
header{background:#0b3954;color:#fff;padding:10px 20px}
header h1{margin:0;font-size:1.4em}
.cols{display:flex;gap:18px;padding:0 16px}
.side{flex:0 0 390px;max-height:calc(100vh - 120px);overflow-y:auto}
.main{flex:1;min-width:0}
.ctl{margin:6px 0;padding:4px 0;border-bottom:1px solid #eee}
.ctl label{font-weight:600;font-size:.9em}
.ctl .unit{color:#555;font-weight:normal}
.ctl input{width:120px}
.help{font-size:.8em;color:#555}
.key{font-size:.75em;color:#666;margin-left:6px}
.msg{color:#b00020;font-size:.85em}
.tag{font-size:.75em;padding:1px 5px;border-radius:3px;margin-left:4px}
.sourced{background:#d9f2d9}.assumption{background:#fde2c8}.unsourced{background:#eee}
.error{color:#b00020;font-weight:600;margin:8px 0}
.headline li{margin:4px 0}
.buttons button{margin-right:6px}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
table.tbl{border-collapse:collapse;font-size:.85em}
table.tbl td,table.tbl th{border:1px solid #ddd;padding:3px 6px}
"""


@dataclass
class ExploreConfig:
    """How the app was started: where the official data comes from."""

    data: Path | None = None  # a publication file; None: the data store
    store: Path | None = None
    executor: str = "auto"
    explorer: Explorer = field(default_factory=Explorer)
    #: The posterior folder the page may draw parameters from (``--posterior``; the command
    #: line's default is the shipped one); ``None``: weather noise only.
    posterior: Path | None = None

    def posterior_text(self) -> str | None:
        """The posterior folder as the page's command line gives it (relative to the current
        folder when it is inside it)."""
        if self.posterior is None:
            return None
        try:
            return str(self.posterior.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(self.posterior)


class _Links:
    """A link's settings (``/?s=…``) reach the page's layout. Dash asks for the layout by a
    request of its own (``/_dash-layout``) that carries no query, so the page's answer keeps
    the query here under a random token, in a cookie the layout request sends back."""

    COOKIE = "channelsim-link"
    KEPT = 32

    def __init__(self) -> None:
        self._queries: dict[str, str] = {}

    def remember(self, response: Any) -> Any:
        from flask import request

        if request.path != "/":
            return response
        query = request.query_string.decode()
        if "s=" not in query:
            response.delete_cookie(self.COOKIE)
            return response
        token = secrets.token_urlsafe(12)
        self._queries[token] = query
        for old in list(self._queries)[: -self.KEPT]:
            del self._queries[old]
        response.set_cookie(self.COOKIE, token, samesite="Strict", httponly=True)
        return response

    def query(self, request: Any) -> str | None:
        """The query of the page this layout is for (its own, or the one the cookie names)."""
        own = request.query_string.decode()
        return own or self._queries.get(request.cookies.get(self.COOKIE, ""))


# --- controls --------------------------------------------------------------------------
def _id(kind: str, key: str) -> dict[str, str]:
    return {"type": kind, "key": key}


def _tag(control: Control) -> html.Span:
    """Whether a value is sourced (the source on hover) or an assumption (what it rests on
    and its plausible range on hover), as its definition declares; a field whose definition
    declares neither (a third-party policy's) says so."""
    if not control.sourced:
        return html.Span(
            "no source declared",
            className="tag unsourced",
            title="This policy's definition records no source, assumption or plausible range "
            "for this field.",
        )
    if control.source:
        return html.Span("sourced", className="tag sourced", title=control.source)
    return html.Span("assumption", className="tag assumption", title=assumption_text(control))


def assumption_text(control: Control) -> str:
    """An assumption's hover: no source, what it rests on, and the range to explore."""
    text = "No source: an assumption"
    if control.note:
        text += f" ({control.note})"
    if control.plausible:
        text += f"; plausible {control.plausible[0]:g} to {control.plausible[1]:g}"
    elif control.plausible_text:
        text += f"; plausible: {control.plausible_text}"
    return text + "."


def _input(control: Control, value: Any) -> Any:
    if control.kind in ("switch", "choice"):
        return dcc.Dropdown(
            id=_id("ctl", control.key),
            options=[{"label": str(c), "value": c} for c in control.choices],
            value=value,
            clearable=False,
            style={"width": "180px"},
        )
    return number_box(_id("ctl", control.key), value)


def number_box(ident: Any, value: Any) -> dcc.Input:
    """A box for a number that passes on whatever is typed, as text: a number box (``type
    number``) hands Dash an empty value for what it cannot hold (1e400: "got an empty box"),
    and for a number outside its ``min``, ``max`` or ``step`` (a negative seed ran with the
    default one); the page's own check names the box, the text and what is expected beside
    it, and Run refuses it in the same words."""
    return dcc.Input(id=ident, type="text", value=value, debounce=True)


def control_row(control: Control, value: Any) -> html.Div:
    plausible = (
        f"; plausible {control.plausible[0]:g} to {control.plausible[1]:g}"
        if control.plausible
        else f"; plausible: {control.plausible_text}"
        if control.plausible_text
        else ""
    )
    return html.Div(
        [
            html.Label(
                [
                    control.label,
                    html.Span(f" ({control.unit})" if control.unit else "", className="unit"),
                ],
                title=f"In a scenario file: {control.scenario_key}",
            ),
            _tag(control),
            html.Code(control.scenario_key.rsplit(" ", 1)[1], className="key"),
            html.Br(),
            _input(control, value),
            html.Div(
                f"{control.help} Allowed: {control.range_text()}{plausible}.".strip(),
                className="help",
            ),
            html.Div(id=_id("msg", control.key), className="msg"),
        ],
        className="ctl",
    )


def controls_panel(settings: Settings) -> list[Any]:
    """Every policy (switch and parameters) and every model parameter, set to ``settings``."""
    from channelsim.params import parameter_set

    mapping = shipped_mapping(settings.start_from)
    resolved = parameter_set(str(mapping.get("parameter_set", "calibrated")))
    policies = []
    types = policy_types()
    shown = set(policy_kind(k) for k in settings.policies)
    ended = not_in_force(settings.start_from)
    entries = [*settings.policies, *(kind for kind in types if kind not in shown)]
    # the policies first; history's exogenous drivers (dated series) after them, closed
    entries.sort(key=lambda entry: policy_kind(entry) == "driver")
    for kind in entries:
        help_text = types.get(policy_kind(kind), "")
        setting = settings.policies.get(kind)
        on = bool(setting and setting.on)
        params = setting.params if setting else example_params(policy_kind(kind))
        rows = [
            control_row(c, params.get(c.key.rsplit(".", 1)[1], c.default))
            for c in policy_controls(kind)
        ]
        fixed = [f"{name.replace('_', ' ')}: {value_text(params[name])}"
                 for name in fixed_policy_fields(kind) if name in params]  # fmt: skip
        window = (
            f"from {setting.start or 'the start'} to {setting.end or 'the end'}"
            if setting and (setting.start or setting.end)
            else "over the whole period"
        )
        if kind in ended:
            first, last = ended[kind]
            window = (
                f"over the whole period if ticked: not in force in this scenario's period "
                f"(its timeline: {first or 'the start'} to {last or 'the end'})"
            )
        policies.append(
            html.Div(
                [
                    dcc.Checklist(
                        id={"type": "on", "key": kind},
                        options=[{"label": f" {policy_label(kind)}", "value": "on"}],
                        value=["on"] if on else [],
                        inline=True,
                    ),
                    html.Code(_entry_text(kind), className="key"),
                    html.Div(help_text, className="help"),
                    html.Details(
                        [
                            html.Summary(
                                f"parameters of {policy_label(kind)}",
                                id="open-" + re.sub(r"\W", "-", kind),
                            ),
                            html.Div(
                                f"Acts {window}."
                                + (f" Kept as given: {'; '.join(fixed)}." if fixed else ""),
                                className="help",
                            ),
                            *rows,
                        ],
                        open=on and policy_kind(kind) != "driver",
                    ),
                ],
                className="policy",
            )
        )
    groups = []
    for group, controls in parameter_controls().items():
        rows = [
            control_row(
                c, settings.params.get(c.key.removeprefix("params."), _value(resolved, c.key))
            )
            for c in controls
        ]
        groups.append(html.Details([html.Summary(f"{group} ({len(rows)})"), *rows]))
    return [html.H3("Policies"), *policies, html.H3("Model parameters"), *groups]


def _entry_text(entry: str) -> str:
    """A policy entry as a scenario file writes it: ``type = "…"`` and its ``name``."""
    kind, _, name = entry.partition(":")
    return f'type = "{kind}"' + (f', name = "{name}"' if name and not name.startswith("#") else "")


def _value(params: Any, key: str) -> Any:
    _, group, name = key.split(".")
    return getattr(getattr(params, group), name)


def _control(key: str) -> Control:
    if key.startswith("params."):
        group = key.split(".")[1]
        return next(c for c in parameter_controls()[group] if c.key == key)
    entry = key.removeprefix("policies.").rsplit(".", 1)[0]
    return next(c for c in policy_controls(entry) if c.key == key)


def check_value(key: str, value: Any) -> str:
    """The message beside a control: empty when the value is allowed, else one line naming
    the control by its label, the value given and what is expected."""
    try:
        control = _control(key)
    except StopIteration:
        return f"{key}: not a control of this page"
    try:
        number = coerce(control, value)
    except InputError as error:
        return str(error)
    if number is None:
        if control.kind in ("number", "integer") and control.default is not None:
            return f"{control.named}: expected {control.range_text()}, got an empty box"
        return ""
    if control.kind in ("number", "integer"):
        low_bad = control.low is not None and (
            number < control.low or (control.exclusive_low and number == control.low)
        )
        high_bad = control.high is not None and (
            number > control.high or (control.exclusive_high and number == control.high)
        )
        if low_bad or high_bad:
            return f"{control.named}: expected {control.range_text()}, got {number:g}"
    return ""


#: The run controls' labels, as the page shows them.
RUNS_LABEL, SEED_LABEL = "Paired runs", "Seed"


def runs_message(value: Any) -> str:
    """The message beside the runs box: empty when ``value`` is a whole number of runs the
    page allows."""
    expected = f"expected a whole number from {MIN_RUNS} to {MAX_RUNS}"
    number = _number(value)
    if number is None or number != int(number) or not MIN_RUNS <= number <= MAX_RUNS:
        return f"{RUNS_LABEL}: {expected}, got {_given(value)}"
    return ""


def seed_message(value: Any) -> str:
    """The message beside the seed box (a text box: a number box hands the page nothing for
    ``abc``, and the run used the base's seed without a word): empty when it is empty (the
    base's seed) or a valid seed, else what was typed and the seeds accepted."""
    from channelsim.scenario import MAX_SEED

    if value is None or str(value).strip() == "":
        return ""
    expected = (
        f"{SEED_LABEL}: expected a whole number from 0 to {MAX_SEED:,} (2^63 − 1), or an empty "
        "box for the base's seed"
    )
    number = _seed(value)
    if number is None:
        return f"{expected}, got {str(value).strip()}: not a whole number"
    if not 0 <= number <= MAX_SEED:
        return f"{expected}, got {number:,}: out of that range"
    return ""


def _seed(value: Any) -> int | None:
    """The seed typed (exactly, however many digits), or ``None`` (empty, not a whole
    number)."""
    text = str(value).strip() if value is not None else ""
    try:
        return int(text.replace(",", "").replace("_", ""))
    except ValueError:
        number = _number(text)
        return int(number) if number is not None and number.is_integer() else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None  # 1e400, NaN: no number of runs


def _given(value: Any) -> str:
    if value is None or value == "":
        return "an empty box"
    return f"{value:g}" if isinstance(value, float) else str(value)


def collect(
    start: dict[str, Any],
    base: str,
    runs: Any,
    seed: Any,
    keys: list[dict[str, str]],
    values: list[Any],
    on_keys: list[dict[str, str]],
    on_values: list[Any],
    posterior: str | None = None,
) -> Settings:
    """The page's controls as settings (``posterior``: the folder when the posterior box is
    ticked). Raises :class:`InputError` naming the control."""
    from channelsim.params import parameter_set

    settings = Settings.from_json(start)
    settings.base = base
    settings.posterior = posterior
    # every bad box named at once (the first alone was, and the next run found the next)
    messages = [runs_message(runs), seed_message(seed)]
    messages += [check_value(ident["key"], value) for ident, value in zip(keys, values,
                                                                          strict=True)]  # fmt: skip
    bad = [m for m in messages if m]
    if bad:
        raise InputError(None, None, "; ".join(bad))
    settings.runs = int(float(runs))
    settings.seed = _seed(seed)
    resolved = parameter_set(
        str(shipped_mapping(settings.start_from).get("parameter_set", "calibrated"))
    )
    switched = {k["key"]: bool(v) for k, v in zip(on_keys, on_values, strict=True)}
    params: dict[str, Any] = {}
    for ident, value in zip(keys, values, strict=True):
        key = ident["key"]
        control = _control(key)
        number = coerce(control, value)
        if key.startswith("params."):
            if number != _value(resolved, key):
                params[key.removeprefix("params.")] = number
            continue
        kind, name = key.removeprefix("policies.").rsplit(".", 1)
        setting = _policy_setting(settings, kind)
        if number is None or number == control.default:
            setting.params.pop(name, None)
        else:
            setting.params[name] = number
    settings.params = params
    for kind, on in switched.items():
        _policy_setting(settings, kind).on = on
    # a policy the period lies outside of stays, unticked, as the starting scenario has it:
    # dropped, the untouched start page compared the shipped scenario without its Rwanda
    # scheme, and the headline said so ("the base's rwanda, which this scenario drops")
    lapsed = not_in_force(settings.start_from)
    settings.policies = {k: v for k, v in settings.policies.items() if v.on or k in lapsed}
    return settings


def _policy_setting(settings: Settings, entry: str) -> Any:
    """The page's setting of policy ``entry``; one the scenario does not have is added with
    its shipped example's parameters (:func:`~channelsim.explore.settings.example_params`)."""
    from channelsim.explore.settings import PolicySetting

    if entry not in settings.policies:
        settings.policies[entry] = PolicySetting(params=example_params(policy_kind(entry)))
    return settings.policies[entry]


def posterior_control(config: ExploreConfig, settings: Settings) -> html.Div:
    """The box that pairs parameter draws from the posterior across both scenarios (off, and
    saying why, when the app has no posterior folder)."""
    from channelsim.experiments.uncertainty import MIN_MEMBERS

    folder = config.posterior_text()
    if folder is None:
        help_text = (
            "No posterior folder found: start `channelsim explore --posterior DIR` (a folder "
            "written by `channelsim calibrate`) for intervals that carry parameter uncertainty."
        )
    else:
        help_text = (
            f"Each paired run draws its calibrated parameters from the calibration "
            f"{Path(folder).name} and the policies' "
            "assumptions over their ranges, the same in both scenarios (as `channelsim compare "
            "--posterior`): the intervals then cover weather + parameters, and the answer says "
            f"what decides it (shares from {MIN_MEMBERS} runs; told from noise only with more, "
            "as the answer says). Unticked: weather noise only."
        )
    return html.Div(
        [
            dcc.Checklist(
                id="posterior",
                options=[
                    {
                        "label": " Parameter uncertainty (the calibration posterior)",
                        "value": "on",
                        "disabled": folder is None,
                    }
                ],
                value=["on"] if settings.posterior and folder else [],
                inline=True,
            ),
            html.Div(help_text, className="help"),
        ],
        className="ctl",
    )


# --- the answer --------------------------------------------------------------------------
def chart(name: str, fig: Any, filename: str) -> html.Div:
    """A chart with its PNG and SVG download buttons (Plotly's own export, in the page)."""
    config: Any = {
        "displaylogo": False,
        "toImageButtonOptions": {**IMAGE_OPTIONS, "filename": filename},
    }
    return html.Div(
        [
            dcc.Graph(id=f"chart-{name}", figure=fig, config=config),
            html.Div(
                [
                    html.Button("PNG", id={"type": "img", "key": f"{name}|png|{filename}"}),
                    html.Button("SVG", id={"type": "img", "key": f"{name}|svg|{filename}"}),
                ],
                className="buttons",
            ),
        ],
        className="chart-block",
    )


def observed(config: ExploreConfig) -> Observed:
    """The official daily series and its edition (or why there is none)."""
    from channelsim.reports.build import Observed, observed_daily

    try:
        return observed_daily(config.data)
    except ChannelsimError as error:
        return Observed(None, None, str(error))


def answer_view(
    answer: Answer, config: ExploreConfig, shown: dict[str, str] | None = None
) -> list[Any]:
    """Headline, key figures, charts and the notes of an answer; ``shown`` (the answer's
    key) goes in the ``map-key`` store, drawn with the answer, which starts the map."""
    from channelsim.fields import DIFFERENCES

    rows = words.key_figures(answer)
    stats = [f.label for f in map(DIFFERENCES.field, ("median", "low", "high")) if f]
    figures = html.Table(
        [html.Tr([html.Th("figure (unit)"), *map(html.Th, stats)])]
        + [
            html.Tr(
                [html.Td(row["heading"]), *[html.Td(row["shown"][k]) for k in
                                            ("median", "low", "high")]],
                **{"data-figure": row["figure"], "data-median": repr(row["median"]),
                   "data-low": repr(row["low"]), "data-high": repr(row["high"])},
            )
            for row in rows
        ],
        id="key-figures",
        className="tbl",
    )  # fmt: skip
    seen = observed(config)
    stem = answer.name
    posterior = answer.comparison.posterior is not None
    return [
        html.Div(
            [html.P(p) for p in words.headline(answer).split("\n\n")],
            id="headline",
            className="headline",
        ),
        html.P(
            words.interval_kind(answer),
            id="interval-kind",
            className="help",
            **{"data-kind": "weather+parameters" if posterior else "weather"},  # type: ignore[arg-type]
        ),
        figures,
        html.H3("Trade-off"),
        chart("tradeoff", words.tradeoff_figure(answer), f"{stem}-tradeoff"),
        chart("figures", words.key_figures_figure(answer), f"{stem}-key-figures"),
        html.H3("Monthly arrivals against the observed series"),
        html.P(
            "Simulated: median of the runs with the ranges holding the middle 50% and 90%. "
            + (
                "Observed: the Home Office's daily series, same days."
                if seen.daily is not None
                else f"Observed series not drawn: {seen.reason}."
            ),
            className="help",
        ),
        chart("series", words.series_figure(answer, seen), f"{stem}-series"),
        html.H3("Map of the strait"),
        html.Div(html.P("Drawing the map…", className="help"), id="map-view"),
        dcc.Store(id="map-key", data=shown),
        html.H3("What decides this answer"),
        *decides_view(answer),
        html.P(f"Computed in {answer.elapsed_s:.1f} s.", className="help"),
    ]


def decides_view(answer: Answer) -> list[Any]:
    """ "What decides this answer": the table `channelsim compare --posterior` prints for
    the changed scenario (:func:`channelsim.explore.answer.decides_rows`), the sentences
    naming a deciding input, or the one line saying why there are no shares."""
    from channelsim.experiments.uncertainty import MIN_MEMBERS

    rows = words.decides_rows(answer)
    note = answer.comparison.decides_note()
    if not rows:
        why = (
            "Tick the posterior and run again: without parameter draws every difference "
            "depends on weather and chance only."
            if answer.comparison.posterior is None
            else note
            or f"No shares: they need at least {MIN_MEMBERS} paired runs and a difference "
            "that varies."
        )
        return [html.P(why, id="decides", className="help")]
    header = list(rows[0])
    body = [
        html.Tr([html.Td(row.get(h, "")) for h in header], **{"data-figure": row["figure"]})
        for row in rows
    ]
    return [
        html.P(
            "First-order shares of the variance of each paired difference (RBD-FAST on the "
            "paired runs) ± their 95% bootstrap half-width, the rows `channelsim compare "
            "--posterior` prints; they need not add up to 100%, and what is not shared out is "
            "weather, chance and interactions. The noise level is the largest share pure noise "
            "gets at this run count (the same estimator on the difference shuffled); a share "
            "whose lower bound is not above it is marked within noise, and the headline names "
            "an input only when its share is over half and above noise.",
            className="help",
        ),
        *([html.P(note, className="help")] if note else []),
        *[html.P(sentence) for sentence in words.decides_sentences(answer)],
        html.Table([html.Tr([html.Th(h) for h in header]), *body], id="decides", className="tbl"),
    ]


# --- the data and the claims -------------------------------------------------------------
def _table(rows: list[dict[str, Any]]) -> html.Table:
    """Rows as the terminal prints them (:func:`channelsim.formatting.readable`: counts with
    thousands separators, the official series' labels; the brief's 41472 lacked its comma)."""
    from channelsim.fields import OBSERVED
    from channelsim.formatting import readable

    if not rows:
        return html.Table()
    headings, columns = readable(rows, list(rows[0]), [OBSERVED])
    return html.Table(
        [html.Tr([html.Th(h) for h in headings])]
        + [html.Tr([html.Td(c) for c in cells]) for cells in zip(*columns, strict=True)],
        className="tbl",
    )


def official(config: ExploreConfig) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The official daily and weekly tables and their edition, from ``--data`` or the store."""
    from channelsim.data import DataStore, read_publication

    if config.data is not None:
        publication = read_publication(config.data)
        edition = {"date": str(publication.edition_date), "file": config.data.name}
        return publication.daily, publication.weekly, edition
    store = DataStore(config.store)
    daily, weekly = store.daily(), store.weekly()
    latest = store.latest_edition()
    if latest is None:
        raise InputError(store.path, None, f"the data store holds no edition; {WHERE_HINT}")
    return daily, weekly, {"date": latest.edition_date.isoformat(), "file": latest.file_name}


def data_view(config: ExploreConfig) -> list[Any]:
    """The data brief and the sections of `channelsim data report`."""
    from channelsim.data.brief import brief_rows, source_line, weekly_brief
    from channelsim.data.report import data_report_sections

    try:
        daily, weekly, edition = official(config)
    except ChannelsimError as error:
        return [html.P(f"No official data: {error}", className="error")]
    facts = weekly_brief(daily, weekly, None, edition)
    credit = source_line(edition)
    view: list[Any] = [
        html.H3(f"The week's facts to {date_text(dt.date.fromisoformat(facts['data_to']))}"),
        _table(brief_rows(facts)),
        html.P(credit, className="help"),
    ]
    for i, section in enumerate(data_report_sections(daily, weekly, credit)):
        view += [html.H3(section.title), *[html.P(p, className="help") for p in section.paragraphs]]
        view += [
            chart(f"data-{i}-{j}", fig, f"official-{i}-{j}")
            for j, fig in enumerate(section.figures)
        ]
    return view


CLAIM_EXAMPLE = """claims:
  - id: shropshire-star-total-2025-to-11-dec
    quote: "The total for 2025 currently stands at 39,292"
    speaker: Shropshire Star (PA report)
    source: https://www.shropshirestar.com/uk-news/2025/12/12/days-without-migrant-boat-crossings-nears-longest-stretch-in-seven-years/
    said_on: 2025-12-12
    as_of: 2025-12-11
    metric: arrived_people
    unit: people
    period: {kind: year_to_date}
    comparison: exactly
    figure: 39292
"""


def claims_view(text: str, config: ExploreConfig) -> list[Any]:
    from channelsim.claims import check_claims, editions_from_files, editions_from_store
    from channelsim.claims.model import claims_from_text
    from channelsim.data import DataStore

    try:
        claims = claims_from_text(text, "pasted claims")
        editions = (
            editions_from_files([config.data])
            if config.data is not None
            else editions_from_store(DataStore(config.store))
        )
        results = check_claims(claims, editions)
    except ChannelsimError as error:
        return [html.P(str(error), className="error")]
    return [_table([r.row() for r in results])]


def claim_form_section() -> list[Any]:
    """Or fill in a claim: the form (chosen among the claims package's forms, its fields
    generated from the form's model), started as the pasted example."""
    from channelsim.claims import FORMS
    from channelsim.explore.claim_form import example_values, form_rows

    form, values = example_values(CLAIM_EXAMPLE)
    return [
        html.H3("Or fill in a claim"),
        html.Label("Form of the claim"),
        dcc.Dropdown(
            id="claim-form",
            options=[{"label": name, "value": name} for name in FORMS],
            value=form,
            clearable=False,
            style={"width": "260px"},
        ),
        html.Div(form_help(form), id="claim-form-help", className="help"),
        dcc.Store(id="claim-form-values", data=values),
        html.Div(form_rows(form, values), id="claim-fields"),
        html.Button("Check the form", id="claim-form-check"),
        html.Div(id="claim-form-view"),
        html.Details([html.Summary("The claim as YAML"), html.Pre(id="claim-form-yaml")]),
    ]


def form_help(form: str) -> str:
    from channelsim.claims import FORMS
    from channelsim.explore.claim_form import doc_line

    return f"{form}: {doc_line(FORMS[form])}"


def form_values(ids: list[dict[str, str]], values: list[Any]) -> dict[str, Any]:
    """The form's controls as ``key -> value``."""
    return {ident["key"]: value for ident, value in zip(ids, values, strict=True)}


def check_claim_form(
    form: str, values: dict[str, Any], config: ExploreConfig
) -> tuple[list[Any], str, dict[str, str]]:
    """The verdict on the form's claim (the YAML route: :func:`claims_view` of the claim's
    YAML), the YAML, and each field's message when the claim's model refuses a value."""
    from channelsim.explore.claim_form import claim_yaml, form_claim

    claim, messages = form_claim(form, values)
    text = claim_yaml(claim)
    if messages:
        whole = messages.get("", "see the messages beside the fields")
        return [html.P(f"The claim is not complete: {whole}", className="error")], text, messages
    return claims_view(text, config), text, {}


# --- the app -------------------------------------------------------------------------------
#: The most of a refused request's reason said (a forged value of 400 digits was echoed whole).
REFUSED_CHARS = 200


def refused(error: Exception) -> Any:
    """A request that fails in a callback is answered 400 with one line naming why, and one
    line on the server's standard error, not a 500 and a traceback: the page's own controls
    are checked before they reach a callback, so what fails there is a request they cannot
    send (a forged POST: a start-from that is no scenario, an answer key that is a path, a
    number or a mapping, a list for a body; s15 trial K5). An HTTP error (404, 405) is
    answered as it is."""
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        return error
    said = " ".join(f"{type(error).__name__}: {error}".split())
    if len(said) > REFUSED_CHARS:
        said = said[: REFUSED_CHARS - 1] + "…"
    print(f"explorer: refused a request: {said}", file=sys.stderr, flush=True)
    return f"refused: {said}\n", 400, {"Content-Type": "text/plain; charset=utf-8"}


def make_app(config: ExploreConfig | None = None) -> Dash:
    """The Dash app (``app.server`` is its Flask server)."""
    config = config or ExploreConfig()
    explorer = config.explorer
    app = Dash(
        __name__,
        title="channelsim explorer",
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title="",
    )
    app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + CSS + "</style>")
    names = list(shipped_scenarios())

    def layout() -> html.Div:
        from flask import request

        first_error = ""
        try:
            settings = Settings.from_query(links.query(request))
        except InputError as error:
            settings, first_error = None, str(error)
        settings = settings or Settings.starting(default_base())
        settings.posterior = config.posterior_text() if settings.posterior else None
        return html.Div(
            [
                dcc.Location(id="url", refresh=False),
                dcc.Store(id="start", data=settings.to_json()),
                dcc.Store(id="job"),
                dcc.Store(id="ticket"),  # a Run click, named by the page (see _drive)
                dcc.Store(id="answer-key"),
                dcc.Interval(id="poll", interval=POLL_MS, disabled=True),
                dcc.Download(id="download"),
                html.Header(html.H1(f"channelsim explorer {__version__}")),
                dcc.Tabs(
                    id="tabs",
                    value="scenario",
                    children=[
                        dcc.Tab(
                            label="Scenario",
                            value="scenario",
                            children=scenario_tab(settings, first_error),
                        ),
                        dcc.Tab(
                            label="Official data",
                            value="data",
                            children=html.Div(id="data-view", style={"padding": "0 16px"}),
                        ),
                        dcc.Tab(
                            label="Claims checker",
                            value="claims",
                            children=html.Div(
                                [
                                    html.P(
                                        "Paste claims in the YAML form of `channelsim claims` "
                                        "(examples/claims/README.md): each is judged against the "
                                        "official data."
                                    ),
                                    dcc.Textarea(
                                        id="claims-text",
                                        value=CLAIM_EXAMPLE,
                                        style={"width": "100%", "height": "220px"},
                                    ),
                                    html.Button("Check", id="claims-check"),
                                    html.Div(id="claims-view"),
                                    *claim_form_section(),
                                ],
                                style={"padding": "0 16px"},
                            ),
                        ),
                    ],
                ),
            ]
        )

    def scenario_tab(settings: Settings, first_error: str) -> html.Div:
        return html.Div(
            [
                html.Div(
                    [
                        html.Label("Start from"),
                        dcc.Dropdown(
                            id="start-from",
                            options=names,
                            value=settings.start_from,
                            clearable=False,
                        ),
                        html.Label("Compare against (base)"),
                        dcc.Dropdown(
                            id="base", options=names, value=settings.base, clearable=False
                        ),
                        html.Label(f"{RUNS_LABEL} ({MIN_RUNS} to {MAX_RUNS})"),
                        number_box("runs", settings.runs),
                        html.Div(id="runs-msg", className="msg"),
                        html.Label(f" {SEED_LABEL} (empty: the base's)"),
                        dcc.Input(
                            id="seed",
                            type="text",
                            inputMode="numeric",
                            value=settings.seed,
                            debounce=True,
                        ),
                        html.Div(id="seed-msg", className="msg"),
                        posterior_control(config, settings),
                        html.Div(
                            [
                                html.Button("Run", id="run"),
                                html.Button("Cancel", id="cancel", disabled=True),
                            ],
                            className="buttons",
                            style={"margin": "8px 0"},
                        ),
                        html.Progress(id="progress", value="0", max="1", style={"width": "100%"}),
                        html.Div(id="status", className="help"),
                        html.Div(id="controls", children=controls_panel(settings)),
                    ],
                    className="side",
                ),
                html.Div(
                    [
                        html.Div(first_error, id="error", className="error"),
                        html.Div(
                            [
                                html.Button("Scenario TOML", id="dl-toml", disabled=True),
                                html.Button("Results CSV", id="dl-csv", disabled=True),
                                html.Button("Results XLSX", id="dl-xlsx", disabled=True),
                                html.A("Link to these settings", id="link", href=""),
                                html.Pre(id="command", className="help"),
                            ],
                            className="buttons",
                        ),
                        html.Div(
                            id="answer",
                            children=html.P("Switch a policy on or change a parameter, then Run."),
                        ),
                    ],
                    className="main",
                ),
            ],
            className="cols",
        )

    app.layout = layout
    links = _Links()
    app.server.after_request(links.remember)
    app.server.register_error_handler(Exception, refused)

    @app.callback(
        Output("controls", "children"),
        Output("start", "data"),
        Input("start-from", "value"),
        State("start", "data"),
        prevent_initial_call=True,
    )
    def _start_from(name: str, start: dict[str, Any]) -> tuple[Any, Any]:
        if start and start.get("start_from") == name:
            return no_update, no_update
        settings = Settings.starting(name, start.get("base") if start else None)
        return controls_panel(settings), settings.to_json()

    @app.callback(
        Output({"type": "msg", "key": MATCH}, "children"),
        Input({"type": "ctl", "key": MATCH}, "value"),
        State({"type": "ctl", "key": MATCH}, "id"),
        prevent_initial_call=True,
    )
    def _check(value: Any, ident: dict[str, str]) -> str:
        return check_value(ident["key"], value)

    @app.callback(Output("runs-msg", "children"), Input("runs", "value"))
    def _check_runs(value: Any) -> str:
        return runs_message(value)

    @app.callback(Output("seed-msg", "children"), Input("seed", "value"))
    def _check_seed(value: Any) -> str:
        return seed_message(value)

    # Run names its click at once, in the page, and makes Cancel usable before the server
    # has checked the settings and answered with the job (Cancel stayed disabled for about
    # 2 s after Run): a Cancel that comes first cancels the job when it is submitted
    app.clientside_callback(
        """function(clicks) {
            if (!clicks) { return window.dash_clientside.no_update; }
            const random = window.crypto && window.crypto.randomUUID
                ? window.crypto.randomUUID() : String(Math.random()).slice(2);
            return ["run-" + random, true, false];
        }""",
        Output("ticket", "data"),
        Output("run", "disabled", allow_duplicate=True),
        Output("cancel", "disabled", allow_duplicate=True),
        Input("run", "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("job", "data"),
        Output("poll", "disabled"),
        Output("progress", "value"),
        Output("progress", "max"),
        Output("status", "children"),
        Output("error", "children"),
        Output("answer-key", "data"),
        Output("run", "disabled"),
        Output("cancel", "disabled"),
        Input("ticket", "data"),
        Input("cancel", "n_clicks"),
        Input("poll", "n_intervals"),
        State("job", "data"),
        State("start", "data"),
        State("base", "value"),
        State("runs", "value"),
        State("seed", "value"),
        State({"type": "ctl", "key": ALL}, "id"),
        State({"type": "ctl", "key": ALL}, "value"),
        State({"type": "on", "key": ALL}, "id"),
        State({"type": "on", "key": ALL}, "value"),
        State("posterior", "value"),
        prevent_initial_call=True,
    )
    def _drive(
        ticket: str | None,
        _cancel: Any,
        _poll: Any,
        job_id: str | None,
        start: dict[str, Any],
        base: str,
        runs: Any,
        seed: Any,
        keys: list[Any],
        values: list[Any],
        on_keys: list[Any],
        on_values: list[Any],
        posterior: list[str] | None,
    ) -> tuple[Any, ...]:
        """Run, cancel and the polls of a running comparison: cheap, so that a poll never
        waits for the answer's charts (drawn by ``_answer`` when ``answer-key`` changes)."""
        idle = (None, True, "0", "1")
        trigger = ctx.triggered_id
        if trigger == "cancel":
            job = explorer.cancel_ticket(ticket)
            if job is None and job_id:
                explorer.cancel(job_id)
                job = explorer.job(job_id)
            if job is None:  # Run's job not submitted yet: it is cancelled when it is
                return (*idle, "cancelled", "", no_update, False, True)
            # the polls go on whichever of Run's answer and this one the page keeps
            return (job.id, False, no_update, no_update, "cancelling…", no_update, no_update,
                    True, True)  # fmt: skip
        if trigger == "ticket":
            try:
                folder = config.posterior_text() if posterior else None
                settings = collect(
                    start, base, runs, seed, keys, values, on_keys, on_values, folder
                )
                settings.scenarios()  # every bad value named before any work
            except ChannelsimError as error:
                return (*idle, "", str(error), no_update, False, True)
            job_id = explorer.submit(settings, ticket).id
        job = explorer.job(job_id)
        if job is None:
            return (*idle, "", "", no_update, False, True)
        if job.state in ("waiting", "running"):
            status = f"{job.done} of {job.total} runs" if job.total else "starting…"
            if explorer.waits_for_another(job):
                status = "waiting for another comparison on this server to finish…"
            total = str(max(job.total, 1))
            return (job.id, False, str(job.done), total, status, "", no_update, True, False)
        if job.state == "cancelled":
            return (*idle, "cancelled", "", no_update, False, True)
        if job.state == "failed":
            return (*idle, "", f"The comparison failed: {job.error}", no_update, False, True)
        done = "answered from the cache" if job.cached else f"{job.total} of {job.total} runs"
        return (None, True, "1", "1", done, "", {"key": job.key, "job": job.id}, False, True)

    @app.callback(
        Output("answer", "children"),
        Input("answer-key", "data"),
        prevent_initial_call=True,
    )
    def _answer(shown: dict[str, str] | None) -> Any:
        answer = explorer.answer(shown["key"]) if shown else None
        if answer is None:
            return no_update
        try:
            return answer_view(answer, config, shown)
        except ChannelsimError as error:
            return html.P(str(error), className="error")

    @app.callback(Output("map-view", "children"), Input("map-key", "data"))
    def _map(shown: dict[str, str] | None) -> Any:
        """The map after the answer: its boat logs are one more run of each scenario. Started
        by the ``map-key`` store drawn with the answer (started by ``answer-key``, it ran
        before the answer was drawn, its output not yet on the page, and the first answer
        never had its map)."""
        answer = explorer.answer(shown["key"]) if shown else None
        if answer is None:
            return no_update
        try:
            return chart("map", words.map_figure(answer), f"{answer.name}-map")
        except ChannelsimError as error:
            return html.P(str(error), className="error")

    @app.callback(
        Output("dl-toml", "disabled"),
        Output("dl-csv", "disabled"),
        Output("dl-xlsx", "disabled"),
        Output("link", "href"),
        Output("command", "children"),
        Input("answer-key", "data"),
    )
    def _downloads(shown: dict[str, str] | None) -> tuple[Any, ...]:
        answer = explorer.answer(shown["key"]) if shown else None
        if answer is None:
            return True, True, True, "", ""
        settings = Settings.from_json(answer.settings)
        command = settings.command(f"scenarios/{settings.base_file().name}", f"{answer.name}.toml")
        return False, False, False, settings.to_query(), command

    @app.callback(
        Output("download", "data"),
        Input("dl-toml", "n_clicks"),
        Input("dl-csv", "n_clicks"),
        Input("dl-xlsx", "n_clicks"),
        State("answer-key", "data"),
        prevent_initial_call=True,
    )
    def _download(_t: Any, _c: Any, _x: Any, shown: dict[str, str] | None) -> Any:
        answer = explorer.answer(shown["key"]) if shown else None
        if answer is None:
            return no_update
        if ctx.triggered_id == "dl-toml":
            text = Settings.from_json(answer.settings).scenario_toml()
            return {"content": text, "filename": f"{answer.name}.toml", "type": "text/plain"}
        if ctx.triggered_id == "dl-csv":  # as comparison.csv: with the byte-order mark
            return dcc.send_bytes(words.results_csv_bytes(answer), f"{answer.name}.csv",
                                  type="text/csv")  # fmt: skip
        return dcc.send_bytes(words.workbook_bytes(answer), f"{answer.name}.xlsx")

    app.clientside_callback(
        """function(clicks) {
            const id = window.dash_clientside.callback_context.triggered_id;
            if (!id || !clicks.some(Boolean)) { return window.dash_clientside.no_update; }
            const [name, format, filename] = id.key.split("|");
            const div = document.querySelector("#chart-" + name + " .js-plotly-plot");
            if (div) { Plotly.downloadImage(div, {format: format, filename: filename}); }
            return window.dash_clientside.no_update;
        }""",
        Output("status", "title"),
        Input({"type": "img", "key": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("data-view", "children"), Input("tabs", "value"), prevent_initial_call=True
    )
    def _data(tab: str) -> Any:
        return data_view(config) if tab == "data" else no_update

    @app.callback(
        Output("claims-view", "children"),
        Input("claims-check", "n_clicks"),
        State("claims-text", "value"),
        prevent_initial_call=True,
    )
    def _claims(_n: Any, text: str) -> Any:
        return claims_view(text or "", config)

    @app.callback(
        Output("claim-fields", "children"),
        Output("claim-form-help", "children"),
        Output("claim-form-values", "data"),
        Input("claim-form", "value"),
        Input({"type": "cfv", "key": ALL}, "value"),
        State({"type": "cfv", "key": ALL}, "id"),
        State({"type": "cf", "key": ALL}, "id"),
        State({"type": "cf", "key": ALL}, "value"),
        State("claim-form-values", "data"),
        prevent_initial_call=True,
    )
    def _claim_form(
        form: str,
        variants: list[Any],
        variant_ids: list[Any],
        ids: list[Any],
        values: list[Any],
        shown: dict[str, Any] | None,
    ) -> Any:
        """Re-draw the form when its form or a variant changes, keeping what was typed."""
        from channelsim.explore.claim_form import KEPT, form_rows

        now = {**form_values(ids, values), **form_values(variant_ids, variants)}
        if ctx.triggered_id == "claim-form":
            now = {k: v for k, v in now.items() if k in KEPT}
        elif shown is not None and all(shown.get(k) == v for k, v in now.items()):
            return no_update, no_update, no_update  # the form as drawn: nothing changed
        return form_rows(form, now), form_help(form), now

    @app.callback(
        Output("claim-form-view", "children"),
        Output("claim-form-yaml", "children"),
        Output({"type": "cfmsg", "key": ALL}, "children"),
        Input("claim-form-check", "n_clicks"),
        State("claim-form", "value"),
        State({"type": "cfv", "key": ALL}, "id"),
        State({"type": "cfv", "key": ALL}, "value"),
        State({"type": "cf", "key": ALL}, "id"),
        State({"type": "cf", "key": ALL}, "value"),
        State({"type": "cfmsg", "key": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _check_claim_form(
        _n: Any,
        form: str,
        variant_ids: list[Any],
        variants: list[Any],
        ids: list[Any],
        values: list[Any],
        message_ids: list[Any],
    ) -> Any:
        now = {**form_values(ids, values), **form_values(variant_ids, variants)}
        view, text, messages = check_claim_form(form, now, config)
        return view, text, [messages.get(m["key"], "") for m in message_ids]

    return app


def serve(host: str, port: int, config: ExploreConfig, announce: Any = print) -> None:
    """Serve the app until interrupted (Flask's threaded server: the page's polls are
    answered while a comparison runs)."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = make_app(config)
    server = make_server(host, port, app.server, threaded=True)
    try:
        app.server.test_client().get("/")  # Dash builds its index once: not on a visit
        _warm(config.explorer)
        announce(f"channelsim explorer on http://{host}:{server.server_port}/ (Ctrl-C to stop)")
        server.serve_forever()
    finally:
        server.server_close()
        config.explorer.close()


def _warm(explorer: Explorer) -> None:
    """Load the engine here and start the pool's workers before the address is given, so
    that neither the first page load nor the first comparison waits for them."""
    try:
        explorer.warm()
    except (ChannelsimError, OSError):  # only the first comparison is slower without it
        return
