"""Exports: CSV beside every Parquet table and one workbook, opened here with openpyxl."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from channelsim.engine import all_results
from channelsim.exports import WORKBOOK, export_folder


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
    ]
    csv = pd.read_csv(folder / "daily.csv")
    assert list(csv.columns) == headings
    assert csv["People arrived in the UK"].tolist() == [0, 1305]
    assert csv["Date"][1] == "2025-01-02"
    long = pd.read_csv(folder / "a-table-with-a-name-longer-than-excel-allows.csv")
    assert long.iloc[0].tolist() == ["arrived_people", "People arrived in the UK", "people", 41508]

    book = load_workbook(folder / WORKBOOK)
    assert book.sheetnames[0] == "README" and "daily" in book.sheetnames
    long_name = next(n for n in book.sheetnames if n.startswith("a-table"))
    assert len(long_name) <= 31
    readme = [row for row in book["README"].iter_rows(values_only=True)]
    text = " ".join(str(v) for row in readme for v in row if v is not None)
    assert "Source: Home Office (test line)." in text
    assert "Scenario status-quo-2025, seed 2025" in text
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
        labelled = table.rename(columns=lambda c: results.describe(c).heading)
        pd.testing.assert_frame_equal(
            pd.read_csv(out / f"{name}.csv"),
            pd.read_csv(StringIO(labelled.to_csv(index=False))),
        )
    book = load_workbook(out / WORKBOOK, read_only=True)
    assert book.sheetnames == ["README", "boats", "costs", "daily"]
    daily = pd.read_parquet(out / "daily.parquet")
    rows = list(book["daily"].iter_rows(values_only=True))
    assert len(rows) == len(daily) + 1
    arrived = list(daily.columns).index("arrived_people")
    assert [r[arrived] for r in rows[1:]] == daily["arrived_people"].tolist()
    marker = json.loads((out / ".channelsim-output.json").read_text())
    assert {"daily.csv", "boats.csv", WORKBOOK} <= set(marker["files"])


def test_whole_counts_round_a_count_s_statistics_but_not_its_shares() -> None:
    """"What decides" rows name a count (``output``) beside shares and noise levels: the
    median and interval of the count are whole numbers for reading, the shares are not
    rounded to 0 or 1 (they were, being columns nothing declares)."""
    from channelsim.exports import whole_counts

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
    read = whole_counts(table, all_results().describe).iloc[0]
    assert (read["share"], read["share_conf"], read["noise_level"]) == (0.579, 0.649, 0.483)
    assert (read["median"], read["low"]) == (3802, 3314)
