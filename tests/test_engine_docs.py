"""docs/model.md carries the parameter tables generated from the code, unchanged."""

from __future__ import annotations

from pathlib import Path

from channelsim.engine.policy import LOOP
from channelsim.params import Params, list_parameters, markdown_table

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def test_parameter_tables_match_the_code() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    assert markdown_table(Params()) in text, "regenerate with: python -m channelsim.params"
    for info in list_parameters(Params()):
        assert f"`{info.path}`" in text


def test_every_loop_stage_and_hook_is_documented() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    for stage, _, hook in LOOP:
        assert f"| {stage.replace('_', ' ')} |" in text, stage
        if hook:
            assert f"`{hook}`" in text, hook
