"""docs/model.md carries the tables generated from the code (parameters, loop, results)."""

from __future__ import annotations

from pathlib import Path

from channelsim.engine import Loop, all_results
from channelsim.params import Params, list_parameters, markdown_table

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def test_parameter_tables_match_the_code() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    assert markdown_table(Params()) in text, "regenerate with: python -m channelsim.params"
    for info in list_parameters(Params()):
        assert f"`{info.path}`" in text


def test_every_loop_stage_lever_and_result_is_documented() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    for row in Loop().to_rows():
        assert f"| {row['stage']} |" in text, row["stage"]
        for lever in row["levers"]:
            assert f"`{lever}`" in text, lever
    assert all_results().markdown_table() in text, "regenerate with: python -m channelsim.docs"
