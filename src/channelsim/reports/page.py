"""One self-contained HTML page: sections of text, tables and Plotly charts, plotly.js inline.

The page needs no network: plotly.js is embedded once and every chart's figure is a JSON
block drawn by a small script. When every ``Plotly.newPlot`` promise has resolved the script
sets ``document.body.dataset.chartsRendered`` to the number of charts; script errors are
caught (``window.onerror``, unhandled rejections, ``console.error``) and written into the
page (``#report-errors`` and ``document.body.dataset.errors``), so a headless browser can check
both from the dumped DOM.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from channelsim.fields import Fields
from channelsim.formatting import readable
from channelsim.outputs import REPORT_GENERATOR

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
     border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .8rem 0; }
.table-wrap { max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; }
th { background: #f4f4f4; } .num { text-align: right; } .text { text-align: left; }
details { margin: .8rem 0; } summary { cursor: pointer; color: #0072B2; }
.note { color: #666; font-style: italic; } .lead { font-size: 1.05rem; margin: .3rem 0; }
.headline { font-size: 1.12rem; margin: .6rem 0 1rem; border-left: 4px solid #0072B2;
            padding-left: .8rem; }
.credit p { color: #444; font-size: .85rem; } .chart { width: 100%; min-height: 420px; }
#report-errors:empty { display: none; } #report-errors { color: #b00; }
"""

# Installed before plotly.js so that errors while loading it are caught too.
_ERROR_TRAP = """
(function () {
  var errors = [];
  function show() {
    if (!document.body) { return; }
    document.body.dataset.errors = String(errors.length);
    var box = document.getElementById("report-errors");
    if (box) { box.textContent = errors.join("\\n"); }
  }
  function record(message) { errors.push(String(message)); show(); }
  document.addEventListener("DOMContentLoaded", show);
  window.onerror = function (message, source, line) { record(message + " (" + line + ")"); };
  window.addEventListener("unhandledrejection", function (e) { record(e.reason); });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };
  window.reportError = record;
})();
"""

_DRAW = """
(function () {
  var divs = document.querySelectorAll("div.chart");
  var drawn = Array.prototype.map.call(divs, function (div) {
    var spec = JSON.parse(document.getElementById(div.id + "-spec").textContent);
    var image = {format: "png", scale: 2, filename: div.id};
    return Plotly.newPlot(div, spec.data, spec.layout,
                          {responsive: true, displaylogo: false, toImageButtonOptions: image});
  });
  Promise.all(drawn).then(function () {
    document.body.dataset.chartsRendered = String(drawn.length);
  }, function (error) { window.reportError(error); });
})();
"""


@dataclass
class Section:
    """A titled part of the report: paragraphs, charts and tables, in that order; the
    ``details`` (a summary line and a table each) follow, folded until the reader opens them,
    then the ``notes`` on the tables."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)
    figures: list[go.Figure] = field(default_factory=list)
    details: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    #: Notes under the tables: what a table's figures count, where that is not plain.
    notes: list[str] = field(default_factory=list)
    #: What the section's table columns mean, before the report's own fields (a comparison's
    #: median and interval are differences from the base: ``channelsim.fields.DIFFERENCES``).
    fields: list[Fields] = field(default_factory=list)


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _script_json(text: str) -> str:
    """JSON safe inside a ``<script>`` element."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _table_html(frame: pd.DataFrame, sources: Sequence[Fields | None] = ()) -> str:
    """The table as it reads in the terminal (:func:`channelsim.formatting.readable`):
    headings with units, figures by their labels, numbers written for reading (and aligned
    right, text left)."""
    keys = [str(c) for c in frame.columns]
    headings, columns = readable(frame.to_dict(orient="records"), keys, sources)
    numeric = [all(_NUMBER.match(c) for c in cells) for cells in columns]

    def cell(tag: str, text: str, right: bool) -> str:
        return f'<{tag} class="{"num" if right else "text"}">{html.escape(text)}</{tag}>'

    head = "".join(cell("th", h, n) for h, n in zip(headings, numeric, strict=True))
    rows = [
        "<tr>" + "".join(cell("td", c, n) for c, n in zip(cells, numeric, strict=True)) + "</tr>"
        for cells in zip(*columns, strict=True)
    ]
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="table-wrap">{table}</div>'  # a wide table scrolls, not the page


#: A cell that reads as a number (aligned right): an amount, a count, a share, a dash, a
#: median with its interval (``548 (347–694)``).
_AMOUNT = r"[-+]?£?[\d,.]+(%|m|k)?"
_NUMBER = re.compile(rf"^(–|{_AMOUNT}( \({_AMOUNT}–{_AMOUNT}\))?)$")


def render_page(
    title: str,
    sections: list[Section],
    notes: list[str] | None = None,
    *,
    lead: Sequence[str] = (),
    credits: Sequence[str] = (),
    headline: Sequence[str] = (),
    sources: Sequence[Fields | None] = (),
) -> str:
    """The whole HTML document as text: the title, the ``headline`` (the figures in words),
    the ``lead`` paragraphs (what was simulated), the ``notes`` (what is missing), the
    sections (tables labelled from ``sources``: the results registry) and the ``credits``
    (sources and licences) at the end."""
    body: list[str] = [f"<h1>{html.escape(title)}</h1>", '<pre id="report-errors"></pre>']
    body += [f'<p class="headline">{html.escape(line)}</p>' for line in headline]
    body += [f'<p class="lead">{html.escape(line)}</p>' for line in lead]
    body += [f'<p class="note">{html.escape(n)}</p>' for n in notes or []]
    n_charts = 0
    for section in sections:
        body.append(f"<section><h2>{html.escape(section.title)}</h2>")
        body += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        for figure in section.figures:
            chart_id = f"chart-{n_charts}"
            n_charts += 1
            spec = pio.to_json(figure, validate=False, remove_uids=True)
            body.append(f'<div class="chart" id="{chart_id}"></div>')
            body.append(f'<script type="application/json" id="{chart_id}-spec">')
            body.append(f"{_script_json(spec)}</script>")
        described = [*section.fields, *sources]
        body += [_table_html(t, described) for t in section.tables]
        for summary, table in section.details:
            body.append(f"<details><summary>{html.escape(summary)}</summary>")
            body.append(f"{_table_html(table, described)}</details>")
        body += [f'<p class="note">{html.escape(n)}</p>' for n in section.notes]
        body.append("</section>")
    if credits:
        body.append('<footer class="credit"><h2>Sources and licences</h2>')
        body += [f"<p>{html.escape(line)}</p>" for line in credits]
        body.append("</footer>")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="en"><head><meta charset="utf-8">{REPORT_GENERATOR}',
            f"<title>{html.escape(title)}</title>",
            f"<style>{_STYLE}</style>",
            f"<script>{_ERROR_TRAP}</script>",
            f'<script type="text/javascript">{_plotly_js()}</script>',
            f'</head><body data-charts="{n_charts}" data-errors="0">',
            *body,
            f"<script>{_DRAW}</script>",
            "</body></html>",
        ]
    )
