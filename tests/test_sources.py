"""Every parameter of every mechanism has a source or is labelled an assumption with a range,
in the code (``channelsim.params``) and in docs/model.md (the policies' parameters)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from channelsim.engine.policy import BUILTIN_POLICIES, policy_type
from channelsim.params import list_parameters

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "model.md"

#: Settings of the simulation rather than quantities of a mechanism (a reference point, a
#: time step, a bound): documented as "fixed" and not calibrated.
STRUCTURAL = {
    "coast.inflow_reference_year",
    "networks.occupancy_reference_year",
    "networks.min_occupancy_people",
    "networks.launch_hour_start",
    "beach.crush_reference_occupancy",
    "sea.time_step_min",
    "sea.max_hours_at_sea",
}

#: What counts as a source in the documentation: a URL, a row of facts.md, the Home Office
#: series, or an explicit label.
SOURCE = re.compile(
    r"https?://|facts\.md|HO series|Home Office|assumption|calibrated|rule of engagement|"
    r"set from the reported",
    re.I,
)


@pytest.mark.parametrize("info", list_parameters(), ids=lambda i: i.path)
def test_every_parameter_has_a_source_or_an_assumed_range(info) -> None:  # type: ignore[no-untyped-def]
    if info.source is not None:
        assert SOURCE.search(info.source), info.source
        return
    assert info.path in STRUCTURAL or (info.low is not None and info.high is not None), (
        f"{info.path}: an assumption without a plausible range"
    )


def _paragraphs(text: str) -> list[str]:
    """Paragraphs, table rows and list items of docs/model.md (a row is its own unit)."""
    units: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        rows = block.splitlines()
        if rows and rows[0].startswith("|"):
            units.extend(rows)
        else:
            units.extend(re.split(r"\n(?=- )", block))
    return units


@pytest.mark.parametrize("type_name", sorted(BUILTIN_POLICIES))
def test_every_policy_parameter_is_documented_with_its_source(type_name: str) -> None:
    cls = policy_type(type_name)
    assert cls is not None
    units = _paragraphs(MODEL_MD.read_text(encoding="utf-8"))
    for field in cls.model_fields:
        if field in ("start", "end"):
            continue
        mentions = [u for u in units if f"`{field}`" in u]
        assert mentions, f"{type_name}.{field} is not in docs/model.md"
        assert any(SOURCE.search(u) for u in mentions), (
            f"{type_name}.{field}: no source or assumption label next to it in docs/model.md"
        )


REFERENCE = MODEL_MD.parents[2] / "shared" / "reference" / "facts.md"


@pytest.mark.parametrize(
    ("name", "title"), [("facts.md", "# Facts and figures"), ("anchors.md", "# Anchors for")]
)
def test_the_shipped_references_are_those_the_sources_cite(name: str, title: str) -> None:
    """docs/facts.md and docs/anchors.md are what "facts.md" and "anchors.md" mean in every
    source: the references themselves, after their own header comment, so a reader of the
    repository can open each cited row (the references lived only beside the repository)."""
    shipped = (MODEL_MD.parent / name).read_text(encoding="utf-8")
    assert shipped.startswith("<!--") and f"-->\n\n{title}" in shipped
    reference = REFERENCE.with_name(name)
    if not reference.is_file():
        pytest.skip(f"the reference is not on this machine ({reference})")
    body = shipped.split("-->\n\n", 1)[1]
    assert body == reference.read_text(encoding="utf-8")
