"""docs/model.md carries the tables generated from the code (parameters, loop, results)."""

from __future__ import annotations

from pathlib import Path

from channelsim.docs import parameter_tables, tide_table
from channelsim.engine import Loop, all_results
from channelsim.params import Params, default_params, list_parameters

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def test_parameter_tables_show_the_values_runs_use() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    assert parameter_tables() in text, "regenerate with: python -m channelsim.docs"
    for info in list_parameters(Params()):
        assert f"`{info.path}`" in text
    # the calibrated inflow, not the code's 120 a day
    inflow = default_params().coast.inflow_people_per_day
    assert inflow != Params().coast.inflow_people_per_day
    assert (
        f"| `coast.inflow_people_per_day` | people/day | {inflow:.4g} (calibrated; code 120)"
        in text
    )


def test_every_loop_stage_lever_and_result_is_documented() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    for row in Loop().to_rows():
        assert f"| {row['stage']} |" in text, row["stage"]
        for lever in row["levers"]:
            assert f"`{lever}`" in text, lever
    assert all_results().markdown_table() in text, "regenerate with: python -m channelsim.docs"


def test_the_tide_tables_show_the_packaged_stream() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    assert tide_table() in text, "regenerate with: python -m channelsim.docs"
