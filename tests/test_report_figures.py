"""Report figures: what a reader sees is drawn right (labels level, intervals possible)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from channelsim.reports.figures import sensitivity_figure


def test_morris_bars_are_horizontal_and_their_intervals_stay_above_zero() -> None:
    indices = pd.DataFrame(
        {
            "output": ["arrived_people"] * 3,
            "parameter": ["coast.inflow_people_per_day", "hazards.capsize_per_hour", "x.y"],
            "method": "morris",
            "mu_star": [13233.75, 32.25, 0.0],
            "mu_star_conf": [305.0, 36.6, 0.0],  # the second reaches below zero
            "sigma": [355.4, 40.5, 0.0],
        }
    )
    fig = sensitivity_figure(indices)
    mu = next(t for t in fig.data if t.name.startswith("mu*"))
    assert mu.orientation == "h" and list(mu.y) == list(indices["parameter"])
    low = np.asarray(mu.x) - np.asarray(mu.error_x.arrayminus)
    assert (low >= 0).all() and low[1] == 0
    assert list(mu.error_x.array) == [305.0, 36.6, 0.0]
    assert fig.layout.xaxis.title.text.startswith("change in the output")


def test_the_trade_off_colour_scale_covers_a_saving() -> None:
    """A policy taken away saves money: its point at −£4.2m was coloured on a 0 to 0.1 £m
    scale; the y title is on two lines (on one it ran over the title)."""
    from channelsim.reports.figures import tradeoff_figure

    table = pd.DataFrame(
        {
            "rank": [1],
            "scenario": ["no-one-in-one-out"],
            "fewer_arrivals_people": [0.0],
            "fewer_arrivals_low": [-40.0],
            "fewer_arrivals_high": [35.0],
            "deaths_change_people": [0.0],
            "deaths_change_low": [-1.0],
            "deaths_change_high": [1.0],
            "extra_cost_gbp": [-4_200_000.0],
            "extra_cost_low": [-4_200_000.0],
            "extra_cost_high": [-4_200_000.0],
            "cost_per_prevented_arrival_gbp": [float("nan")],
        }
    )
    fig = tradeoff_figure(table)
    marker = fig.data[0].marker
    assert marker.cmin <= -4.2 <= marker.cmax and marker.cmax - marker.cmin >= 0.1
    assert "<br>" in fig.layout.yaxis.title.text


def test_a_credit_wrapped_on_a_chart_keeps_its_words_apart() -> None:
    """Read out of the page, the explorer's chart credit ran two lines' words together
    ("modeloutputs"): "model outputs, not observations" stays on one line, and a line broken
    inside a sentence keeps its space."""
    from channelsim.reports.credits import credit_block, simulated_line

    for name in ("a", "status-quo-2025-explored against status-quo-2025", "x" * 60):
        block = credit_block([simulated_line(name, 2025)])
        lines = block.split("<br>")
        assert any("model outputs, not observations" in line for line in lines), lines
        assert all(line.endswith(" ") for line in lines[:-1]), lines
        assert "".join(lines).replace("  ", " ") == simulated_line(name, 2025)


def test_the_launch_note_names_parameters_by_label() -> None:
    """The note under the launches by zone named `beach.min_occupancy_people` (code, and the
    wrong group): it names the model's parameters by their labels."""
    from channelsim.reports import build

    note = build.zone_table_note()
    assert "minimum of 10 people a boat" in note and "groups per boat" in note
    assert "_" not in note and "beach." not in note and "networks." not in note
    # in words, not a label with its unit pasted in (s10 user trial, U8)
    assert "(people/boat)" not in note and "min occupancy people" not in note


def test_axes_of_a_few_whole_things_tick_at_whole_numbers() -> None:
    """The explorer's bars ticked 0.5 officers injured and the trade-off −3.5 people dead."""
    from channelsim.engine import all_results
    from channelsim.experiments.compare import tradeoff_table
    from channelsim.reports.figures import comparison_figure, tradeoff_figure

    rows = [
        ("officer_injuries", 1.0, 0.1, 1.9),
        ("dead_or_missing_people", -4.0, -4.0, -3.1),
        ("arrived_people", -1299.0, -1304.0, -1223.0),
        ("cost_gbp", 1.5e7, 1.5e7, 1.5e7),
    ]
    keys = ("metric", "median", "low", "high")
    table = pd.DataFrame([{"scenario": "taxi", **dict(zip(keys, r, strict=True))} for r in rows])
    describe = all_results().describe
    bars = comparison_figure(table, [r[0] for r in rows], describe)
    assert bars.layout.xaxis.dtick == 1 and bars.layout.xaxis2.dtick == 1
    assert bars.layout.xaxis3.dtick is None  # 1,300 people: Plotly's own (whole) ticks
    assert bars.layout.xaxis3.tickformat == ",~r"  # 1,000 as the tables write it, not 1000
    trade = tradeoff_figure(tradeoff_table(table.rename(columns={"metric": "figure"})), describe)
    assert trade.layout.yaxis.dtick == 1 and trade.layout.xaxis.dtick is None


def test_charts_draw_a_count_as_its_table_quotes_it() -> None:
    """The trade-off chart drew a deaths interval up to 0.05 people (the 95th percentile of
    20 runs, one of which had a death) while the ranking said "no change" and the table
    0–0: a chart draws a count's median and interval bounds whole, as the tables quote them
    (halves away from zero); money is drawn as it is."""
    from channelsim.engine import all_results
    from channelsim.experiments.compare import tradeoff_table
    from channelsim.reports.figures import comparison_figure, tradeoff_figure

    rows = [
        ("arrived_people", -262.5, -300.4, -0.4),
        ("dead_or_missing_people", 0.0, 0.0, 0.05),
        ("cost_gbp", 1.25e6, 1.0e6, 1.5e6),
    ]
    keys = ("metric", "median", "low", "high")
    table = pd.DataFrame([{"scenario": "x", **dict(zip(keys, r, strict=True))} for r in rows])
    describe = all_results().describe
    trade = tradeoff_figure(tradeoff_table(table.rename(columns={"metric": "figure"})), describe)
    point = trade.data[0]
    assert list(point.y) == [0.0] and list(point.error_y.array) == [0.0]
    assert list(point.error_y.arrayminus) == [0.0]
    assert list(point.x) == [263.0]  # fewer arrivals: 262.5 quoted 263
    assert list(point.error_x.array) == [300.0 - 263.0]
    assert list(point.error_x.arrayminus) == [263.0]
    bars = comparison_figure(table, [r[0] for r in rows], describe)
    people, dead, cost = bars.data
    assert list(people.x) == [-263.0] and list(people.error_x.arrayminus) == [300.0 - 263.0]
    assert list(dead.x) == [0.0] and list(dead.error_x.array) == [0.0]
    assert list(cost.x) == [1.25e6] and list(cost.error_x.array) == [0.25e6]


def test_a_panel_of_no_change_says_so_instead_of_an_axis_from_minus_one_to_one() -> None:
    """A scenario without cost drew its cost panel on an axis from £−1 to £1."""
    from channelsim.engine import all_results
    from channelsim.reports.figures import comparison_figure

    rows = [("arrived_people", -40.0, -60.0, -20.0), ("cost_gbp", 0.0, 0.0, 0.0)]
    keys = ("metric", "median", "low", "high")
    table = pd.DataFrame([{"scenario": "x", **dict(zip(keys, r, strict=True))} for r in rows])
    fig = comparison_figure(table, [r[0] for r in rows], all_results().describe)
    texts = [a.text for a in fig.layout.annotations]
    assert "no extra cost: £0 in every paired run" in texts
    assert fig.layout.xaxis2.showticklabels is False and fig.layout.xaxis2.tickprefix is None
    assert fig.layout.xaxis.showticklabels is not False


def test_monthly_bands_keep_the_base_first_so_a_scenario_is_drawn_over_it() -> None:
    """Grouped in the alphabet's order, status-quo-2025's band was drawn after (over)
    one-in-one-out-50's and hid it: the scenarios keep the daily table's order."""
    from channelsim.reports.figures import monthly_simulated, series_figure

    days = pd.date_range("2025-06-01", "2025-07-31", freq="D")
    frames = [
        pd.DataFrame({"scenario": name, "member": f"r{m}", "date": days,
                      "arrived_people": m + k, "arrived_boats": 1})
        for k, name in enumerate(["status-quo-2025", "one-in-one-out-50"]) for m in range(3)
    ]  # fmt: skip
    monthly = monthly_simulated(pd.concat(frames, ignore_index=True))
    assert list(dict.fromkeys(monthly["scenario"])) == ["status-quo-2025", "one-in-one-out-50"]
    fig = series_figure(monthly, None)
    groups = list(dict.fromkeys(t.legendgroup for t in fig.data))
    assert groups == ["status-quo-2025", "one-in-one-out-50"]


def test_every_scenario_s_bar_is_named_and_points_at_one_place_share_a_label() -> None:
    """With 11 scenarios Plotly named every other bar of the key-figures chart (the £444m
    bar sat unnamed under a neighbour's name); four scenarios at (0, 0) of the trade-off
    chart printed their names over each other."""
    from channelsim.engine import all_results
    from channelsim.experiments.compare import tradeoff_table
    from channelsim.reports.figures import comparison_figure, tradeoff_figure

    names = [f"scenario-{k}" for k in range(11)]
    rows = [
        {"scenario": n, "metric": m, "median": v, "low": v - 1, "high": v + 1}
        for k, n in enumerate(names)
        for m, v in (("arrived_people", 0.0 if k < 4 else -100.0 * k), ("cost_gbp", 1e6 * k))
    ]
    table = pd.DataFrame(rows)
    describe = all_results().describe
    bars = comparison_figure(table, ["arrived_people", "cost_gbp"], describe)
    for axis in (bars.layout.yaxis, bars.layout.yaxis2):
        assert (axis.tickmode, axis.dtick) == ("linear", 1)
    assert bars.layout.height >= 2 * 26 * len(names)

    deaths = pd.DataFrame(
        [{"scenario": n, "metric": "dead_or_missing_people", "median": 0.0, "low": 0.0,
          "high": 0.0} for n in names]
    )  # fmt: skip
    trade = tradeoff_figure(
        tradeoff_table(pd.concat([table, deaths]).rename(columns={"metric": "figure"})),
        describe,
    )
    ranked = tradeoff_table(pd.concat([table, deaths]).rename(columns={"metric": "figure"}))
    at_zero = ranked.loc[ranked["fewer_arrivals_people"] == 0, "rank"].astype(int).tolist()
    labels = list(trade.data[0].text)
    assert len(at_zero) == 4 and ", ".join(map(str, sorted(at_zero))) in labels
    assert labels.count("") == 3  # the other three at (0, 0) leave the label to the first
    [key] = [a.text for a in trade.layout.annotations if "scenario-0" in a.text]
    for name, number in zip(ranked["scenario"], ranked["rank"], strict=True):
        assert f"{int(number)} {name} £" in key  # the key names every number


def test_the_monthly_chart_s_legend_has_one_entry_per_scenario() -> None:
    """A 12-scenario comparison's monthly chart had 36 legend entries (median, 50% and 90%
    of each): one entry per scenario, its band and line in one group, and the legend's title
    says which line is which."""
    from channelsim.reports.figures import BANDS_LEGEND, monthly_simulated, series_figure

    days = pd.date_range("2025-06-01", "2025-07-31", freq="D")
    names = [f"scenario-{k}" for k in range(12)]
    frames = [
        pd.DataFrame({"scenario": name, "member": f"r{m}", "date": days,
                      "arrived_people": m + k, "arrived_boats": 1})
        for k, name in enumerate(names) for m in range(3)
    ]  # fmt: skip
    fig = series_figure(monthly_simulated(pd.concat(frames, ignore_index=True)), None)
    shown = [t.name for t in fig.data if t.showlegend is not False]
    assert shown == [f"{n}: simulated" for n in names]
    assert fig.layout.legend.title.text == BANDS_LEGEND
    assert {t.legendgroup for t in fig.data} == set(names)  # a click hides band and line


def test_a_money_axis_is_ticked_as_money_is_written() -> None:
    """The key-figures chart ticked the extra cost £20M, £40M beside text saying £15.7m."""
    import numpy as np

    from channelsim.reports.figures import money_ticks

    ticks = money_ticks(np.array([0.0, 15_744_000.0, 121_177_002.0]))
    assert ticks["ticktext"] == ["£0", "£50m", "£100m", "£150m"]
    small = money_ticks(np.array([-3000.0, 4253.0]))
    assert "£0" in small["ticktext"] and "-£2,000" in small["ticktext"]
