"""Session 15: what a reporter reads — a cost the model does not price reads "not priced" in
every table, export and chart of a comparison, never a £0 that means unknown (U5); where the
official data come from, wherever their absence is met (F18); the strait's map true to scale
and filling its width (the explorer's map)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from test_outputs_s14 import _said

UNPRICED = "the model puts no cost on officers on the beaches, which this scenario changes"


def _csv(text: str) -> pd.DataFrame:
    """A CSV's cells as written (an empty cell stays empty)."""
    import io

    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _summary(figure: str) -> dict[str, Any]:
    from channelsim.experiments.compare import _summary as summary

    return summary("officers", figure, np.zeros(4))


def test_an_unpriced_cost_has_no_value_and_says_why() -> None:
    """The extra cost of a scenario that moves only what the model puts no cost on has no
    value (it was a median of £0), and its reason says "not priced"; a cost that moved, a
    priced scenario's £0 and any other figure keep their values."""
    from channelsim.experiments.compare import is_not_priced, not_priced

    row = not_priced(_summary("cost_gbp"), UNPRICED, np.zeros(4))
    assert all(math.isnan(row[k]) for k in ("median", "low", "high", "mean")) and row["n"] == 0
    assert row["why_no_value"] == f"not priced: {UNPRICED}" and is_not_priced(row)
    moved = np.array([0.0, 5e5, 1e6, 0.0])  # priced in part: the headline says what it omits
    assert not_priced(_summary("cost_gbp"), UNPRICED, moved)["median"] == 0.0
    assert not_priced(_summary("cost_gbp"), None, np.zeros(4))["median"] == 0.0
    assert not_priced(_summary("arrived_people"), UNPRICED, np.zeros(4))["median"] == 0.0
    assert not is_not_priced(_summary("cost_gbp"))


def _ranked() -> pd.DataFrame:
    """A comparison's table of two scenarios: one whose cost is not priced, one at £3.4m."""
    from channelsim.experiments.compare import not_priced, tradeoff_table

    rows = []
    for name, cost in (("officers", 0.0), ("funded", 3.4e6)):
        for figure, value in (("arrived_people", -94.0), ("dead_or_missing_people", 0.0),
                              ("cost_gbp", cost)):  # fmt: skip
            row = {**_summary(figure), "scenario": name, "median": value, "low": value,
                   "high": value}  # fmt: skip
            rows.append(not_priced(row, UNPRICED if name == "officers" else None,
                                   np.full(4, value)))  # fmt: skip
    return tradeoff_table(pd.DataFrame(rows))


def test_the_ranking_csv_leaves_an_unpriced_cost_empty_with_a_note() -> None:
    """tradeoffs.csv gave the unpriced scenario's extra cost as 0, 0, 0: empty now, its note
    saying it is not priced; the ranking in words says "not priced"."""
    from channelsim.engine import all_results
    from channelsim.experiments.compare import tradeoff_words
    from channelsim.exports import csv_text, reading_table

    describe, ranked = all_results().describe, _ranked()
    text = csv_text(reading_table(ranked, describe, "tradeoffs"), describe)
    read = _csv(text).set_index("Scenario")
    costs = ["Extra cost (£)", "Extra cost, low (5%) (£)", "Extra cost, high (95%) (£)"]
    assert list(read.loc["officers", costs]) == ["", "", ""]
    assert read.loc["officers", "Note"] == f"extra cost not priced: {UNPRICED}"
    assert list(read.loc["funded", costs]) == ["3400000"] * 3  # a priced one keeps its figure
    ranking = tradeoff_words(ranked, describe, ["officers"])
    words = {r["scenario"]: r["extra_cost_words"] for r in ranking}
    assert words["officers"] == "not priced" and words["funded"] == "£3.4m more"


def test_the_trade_off_chart_colours_no_unpriced_point_as_nothing() -> None:
    """The chart coloured the unpriced scenario's marker as £0 on the cost scale: it is
    drawn white over it, the colour bar says white is "not priced", and its hover and key
    say "not priced", never £0."""
    from channelsim.reports.figures import tradeoff_figure

    fig = tradeoff_figure(_ranked(), unpriced=["officers"])
    coloured, white = fig.data
    assert white.marker.color == "white" and list(white.x) == [94.0]
    assert "white: not priced" in coloured.marker.colorbar.title.text
    hover = {row[0]: row[1] for row in coloured.customdata}
    assert hover["officers"] == "not priced" and hover["funded"] == "£3.4m"
    key = " ".join(a.text for a in fig.layout.annotations)
    assert "officers not priced" in key and "£0" not in key
    priced = tradeoff_figure(_ranked().iloc[[1]])
    assert len(priced.data) == 1 and "not priced" not in priced.data[0].marker.colorbar.title.text


def _key_table(costs: dict[str, float]) -> pd.DataFrame:
    """A report's comparison rows (``metric``) of the extra cost: NaN where not priced."""
    return pd.DataFrame(
        [{"scenario": n, "metric": "cost_gbp", "median": c, "low": c, "high": c}
         for n, c in costs.items()]
    )  # fmt: skip


def test_the_key_figures_chart_says_not_priced_never_no_extra_cost() -> None:
    """The key figures' cost panel of a scenario whose cost is not priced said "no extra
    cost: £0 in every paired run" (no finite value, none non-zero); beside a priced one its
    bar was simply missing. It says "not priced" where the bar would be."""
    from channelsim.engine import all_results
    from channelsim.reports.figures import comparison_figure

    describe = all_results().describe
    alone = comparison_figure(_key_table({"officers": math.nan}), ["cost_gbp"], describe)
    said = [a.text for a in alone.layout.annotations]
    assert "not priced" in said and not any("£0" in t for t in said), said
    both = comparison_figure(
        _key_table({"officers": math.nan, "funded": 3.4e6}), ["cost_gbp"], describe
    )
    marks = [(a.text, a.y) for a in both.layout.annotations if a.text == "not priced"]
    assert marks == [("not priced", "officers")]
    priced = comparison_figure(_key_table({"funded": 0.0}), ["cost_gbp"], describe)
    assert "no extra cost: £0 in every paired run" in [a.text for a in priced.layout.annotations]


def test_the_explorer_s_key_figures_say_not_priced() -> None:
    """The explorer's key-figures table gave the unpriced cost as "–" (as missing)."""
    from types import SimpleNamespace

    from channelsim.engine import all_results
    from channelsim.experiments.compare import not_priced
    from channelsim.explore.answer import key_figures

    rows = [
        not_priced({**_summary(f), "scenario": "officers"}, UNPRICED, np.zeros(4))
        for f in ("arrived_people", "dead_or_missing_people", "cost_gbp")
    ]
    table = pd.DataFrame(rows)

    def figure(name: str) -> dict[str, float]:
        found = table[table["figure"] == name]
        if found.empty:  # as the explorer's answer: a figure the table does not have
            raise KeyError(name)
        row = found.iloc[0]
        return {k: float(row[k]) for k in ("median", "low", "high", "mean")}

    answer = SimpleNamespace(table=table, name="officers", results=all_results(), figure=figure)
    shown = {r["figure"]: r["shown"] for r in key_figures(answer)}
    assert shown["cost_gbp"] == {"median": "not priced", "low": "", "high": ""}
    assert shown["arrived_people"]["median"] == "0"


def test_compare_s_table_csv_and_workbook_say_not_priced_never_zero(
    run_cli: Any, officers: Path, tmp_path: Path
) -> None:
    """s15 U5: compare's table gave "Extra cost of policies (£) £0 £0 £0" for 500 more
    officers (whose cost the model does not know), comparison.csv 0,0,0 and the workbook
    0: a reporter quotes "costs nothing". The table says "not priced", the files leave the
    cells empty and say why; the headline still says not priced."""
    import openpyxl

    out = tmp_path / "cmp"
    result = run_cli(
        "compare", "status-quo-2025", officers, "--runs", "2",
        "--from", "2025-10-01", "--to", "2025-10-14", "--out", out, "--by", "year",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    said = _said(result.stdout)
    whole, by_year = said.split("by year:")
    for table in (whole, by_year):  # the whole period's table and its year's
        row = table.split("Extra cost of policies (£)")[1].split("People admitted")[0]
        assert "not priced" in row and "£0" not in row, row
    assert f"Extra cost of policies (£): not priced: {UNPRICED}." in said
    assert f"extra cost of policies: not priced ({UNPRICED})" in said
    read = _csv((out / "comparison.csv").read_text(encoding="utf-8-sig"))
    cost = read[read["Figure"] == "cost_gbp"].iloc[0]
    stats = [c for c in read.columns if c.startswith("difference from base")]
    assert len(stats) == 4 and all(cost[c] == "" for c in stats), cost.to_dict()
    assert cost["Why no value"] == f"not priced: {UNPRICED}"
    book = openpyxl.load_workbook(out / "tables.xlsx", read_only=True)
    sheet = [list(r) for r in book["comparison"].iter_rows(values_only=True)]
    found = next(r for r in sheet if "cost_gbp" in r)
    named = dict(zip(sheet[0], found, strict=False))
    assert all(named[k] is None for k in named if "difference" in str(k).lower()), named
    assert f"not priced: {UNPRICED}" in named["Why no value"]
    assert run_cli("report", out, "-o", tmp_path / "cmp.html").exit_code == 0
    page = (tmp_path / "cmp.html").read_text(encoding="utf-8")
    every = page.split("Extra cost of policies (£)</td>")[1].split("</tr>")[0]
    assert ">not priced<" in every and "£0" not in every, every


# F18: where the official data come from, said wherever a new user meets their absence.

#: The publisher's page (facts.md; the official data's README): written out here, not read
#: from the code, so that a wrong address in the code fails.
PAGE = (
    "https://www.gov.uk/government/publications/"
    "migrants-detected-crossing-the-english-channel-in-small-boats"
)


def _unwrapped(text: str) -> str:
    """Text without whitespace: a help screen wraps the page's address across lines."""
    return "".join(text.split())


@pytest.mark.parametrize("command", [("data",), ("data", "import"), ("data", "download")])
def test_data_help_says_where_the_editions_are(run_cli: Any, command: tuple[str, ...]) -> None:
    """A new user did not know where to get the Home Office editions: `data --help`, `data
    import --help` and `data download --help` name the publication, its gov.uk page and
    that `data download` fetches the current edition."""
    result = run_cli(*command, "--help")
    assert result.exit_code == 0, result.stderr
    said = _unwrapped(result.stdout)
    assert PAGE in said
    assert _unwrapped("English Channel in small boats – time series") in said
    assert "datadownload" in said and "thecurrentedition" in said


def test_an_empty_store_says_where_to_get_the_data(run_cli: Any, tmp_path: Path) -> None:
    """Every "no edition imported" message gives the page and the command in its one line:
    the commands that read the store, `run`'s note on the bundled figures, and the report's."""
    import datetime as dt

    from channelsim.experiments.observed import observed_figures

    store = tmp_path / "none.duckdb"
    for command in (("data", "summary"), ("data", "brief"), ("data", "editions")):
        result = run_cli(*command, "--store", store)
        assert result.exit_code == 2 and result.stdout == "", command
        line = result.stderr.strip()
        assert "\n" not in line and PAGE in line and "`channelsim data download`" in line, line
    note = observed_figures(dt.date(2025, 1, 1), dt.date(2025, 12, 31), store=store).note
    assert note is not None and PAGE in note and "`channelsim data download`" in note
    assert not store.exists()


def test_the_report_without_data_says_where_to_get_it() -> None:
    """The report's note when the store is empty (the test's store is)."""
    from channelsim.reports.build import observed_daily

    found = observed_daily(None)
    assert PAGE in found.reason and "`channelsim data download`" in found.reason


# The strait's map: one scale both ways, the strait filling the plot at any width.


def test_the_map_keeps_one_scale_and_its_extent_under_a_legend_below() -> None:
    """The map's axes share one scale (a km east as long as a km north), each kept to the
    map's extent by shrinking the plot's box, not by running a range out; the legend lies
    under the map, so it takes no width from it."""
    from channelsim.reports.strait_map import map_extent, strait_map
    from channelsim.world import load_world

    world = load_world()
    fig = strait_map(world, None)
    x, y = fig.layout.xaxis, fig.layout.yaxis
    assert (y.scaleanchor, y.scaleratio) == ("x", 1)
    assert x.constrain == "domain" and y.constrain == "domain"
    extent = map_extent(world)
    assert tuple(x.range) == (extent.x0, extent.x1) and tuple(y.range) == (extent.y0, extent.y1)
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0


@pytest.fixture(scope="module")
def chromium() -> Any:
    from test_report import launched_chromium

    yield from launched_chromium()


@pytest.mark.parametrize("width", [360, 960])
def test_the_drawn_map_is_true_to_scale_and_fills_its_width(
    chromium: Any, tmp_path: Path, width: int
) -> None:
    """Drawn in Chromium in the explorer's column at 800 px (360 px) and at 1,400 px (960
    px): as many pixels per km east as per km north, the latitude axis showing the map's
    extent (it ran out to 1,463 km for the strait's 139 at 360 px: the strait a sliver 64 px
    wide beside its legend), the plot at least two thirds of the chart's width."""
    from channelsim.reports.credits import publishable
    from channelsim.reports.strait_map import map_extent, strait_map
    from channelsim.world import load_world

    world = load_world()
    fig = publishable(strait_map(world, None), "map", ["credit"], "caption")
    page_file = tmp_path / "map.html"
    page_file.write_text(
        f'<html><body style="margin:0"><div style="width:{width}px">'
        + fig.to_html(include_plotlyjs=True, full_html=False, div_id="map")
        + "</div></body></html>",
        encoding="utf-8",
    )
    page = chromium.new_page(viewport={"width": width + 20, "height": 900})
    page.goto(page_file.as_uri())
    page.wait_for_selector("#map .main-svg")
    drawn = page.evaluate(
        "() => { const l = document.getElementById('map')._fullLayout;"
        " return [l.xaxis._length, l.xaxis.range, l.yaxis._length, l.yaxis.range]; }"
    )
    page.close()
    x_px, x_range, y_px, y_range = drawn
    per_km_east = x_px / (x_range[1] - x_range[0])
    per_km_north = y_px / (y_range[1] - y_range[0])
    assert per_km_east == pytest.approx(per_km_north, rel=1e-6)
    extent = map_extent(world)
    assert y_range == pytest.approx([extent.y0, extent.y1], abs=1e-6)
    assert x_px >= 2 / 3 * width


def test_with_a_posterior_the_cost_says_its_unit_costs_are_not_drawn() -> None:
    """s15 U9: with --posterior the intervals are said to cover the policies' assumptions
    drawn over their ranges, yet the doctrine's cost read "£17.5m £17.5m £17.5m" beside its
    unit cost "assumed to lie in £4,000–£20,000": no unit cost is drawn. The sentence naming
    the unit costs says so with a posterior, and only there."""
    from channelsim.engine import all_results
    from channelsim.policies.doctrine import MaritimeDoctrine
    from channelsim.reports.headlines import cost_rests_on

    declared = MaritimeDoctrine.model_fields["cost_gbp_per_boat_day"].json_schema_extra
    assert not (isinstance(declared, dict) and declared.get("drawn"))  # what the words say
    assert "cost_gbp_per_boat_day" not in MaritimeDoctrine.assumptions
    describe = all_results().describe
    rows = [{"figure": "cost_gbp", "median": 1.75e7, "low": 1.75e7, "high": 1.75e7}]
    sentence = "The extra cost rests on unit costs that no source gives: cost per boat day £8,000."
    plain = cost_rests_on(rows, sentence, describe)
    drawn = cost_rests_on(rows, sentence, describe, drawn=True)
    assert plain == sentence
    assert drawn is not None and drawn.startswith(sentence)
    assert "interval does not cover them: the unit costs are not drawn" in drawn
    zero = [{"figure": "cost_gbp", "median": 0.0, "low": 0.0, "high": 0.0}]
    assert cost_rests_on(zero, sentence, describe, drawn=True) is None


def test_a_forged_explorer_request_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """s15 trial K5: POSTs the page cannot send (a list for a body, an output of 1,000
    characters) got HTTP 500 and a traceback on the server's stderr: now 400 and one short
    line, on both sides."""
    from channelsim.explore.app import REFUSED_CHARS, make_app

    client = make_app().server.test_client()
    client.get("/")
    capsys.readouterr()
    listed = client.post("/_dash-update-component", json=[1, 2])
    assert listed.status_code == 400
    assert listed.get_data(as_text=True) == (
        "refused: AttributeError: 'list' object has no attribute 'get'\n"
    )
    long = {"output": "x" * 1000, "outputs": {"id": "x", "property": "y"}, "inputs": []}
    answered = client.post("/_dash-update-component", json=long)
    text = answered.get_data(as_text=True)
    assert answered.status_code == 400 and text.count("\n") == 1
    assert len(text) <= len("refused: \n") + REFUSED_CHARS
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2, err
