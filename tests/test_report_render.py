"""Reports of a comparison folder, a sensitivity folder and a run id of the results store,
rendered in headless Chromium (the checks live in ``test_report.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from channelsim.engine import run_scenario
from channelsim.experiments import EnsembleSpec, run_ensemble
from channelsim.experiments.sensitivity import run_sensitivity
from channelsim.params import apply_overrides
from channelsim.reports import build_report
from channelsim.reports.build import UNCHECKED_NOTE
from channelsim.runstore import RunStore
from test_report import assert_renders, publication, scenario

__all__ = ["publication", "scenario"]  # module fixtures shared with test_report.py


def test_comparison_folder_report(tmp_path: Path, run_cli: Any) -> None:
    folder = tmp_path / "compare"
    folder.mkdir()
    payload = {
        "base": "status-quo-2025",
        "scenarios": [
            {
                "name": name,
                "difference": {
                    "arrived_people": {"median": -400.0 * k, "low": -600.0 * k, "high": -150.0},
                    "dead_or_missing_people": {"median": 1.0 * k, "low": 0.0, "high": 3.0 * k},
                    "cost_gbp": {"median": 2e6 * k, "low": 1e6, "high": 3e6 * k},
                },
            }
            for k, name in enumerate(("doctrine-waterways", "doctrine-territorial"), start=1)
        ],
    }
    (folder / "comparison.json").write_text(json.dumps(payload))
    out = tmp_path / "compare.html"
    result = run_cli("report", folder, "-o", out, "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    # the trade-off chart and the key figures' chart
    assert report["sections"] == ["Policy comparison"] and report["charts"] == 2
    assert report["notes"] == [  # no list of sections "omitted": what is missing, and why
        UNCHECKED_NOTE,  # a folder made by hand: no record of what channelsim wrote
        "What decides this answer is not shown: the comparison was run without a posterior "
        "(`compare --posterior DIR` measures it).",
        "No map of the strait: the input has no boat log (a run's or a comparison's --out "
        "folder holds one).",
    ]
    dom = assert_renders(out, tmp_path, charts=2)
    assert "doctrine-territorial" in dom and "-800" in dom
    # the ranked table: largest fall in arrivals first, each with its interval
    ranked = dom[dom.index("<table>") : dom.index("</table>")]
    assert ranked.index("doctrine-territorial") < ranked.index("doctrine-waterways")
    assert "800 fewer (200–1,200 fewer)" in ranked and "People arrived in the UK" in ranked
    assert "2 more (0–6 more)" in ranked  # dead or missing of the territorial doctrine


def test_a_comparison_with_a_posterior_reports_what_decides_it(
    tmp_path: Path, run_cli: Any
) -> None:
    """The report shows compare's "what decides this answer": the largest shares of each
    difference's variance and the sentence naming an input that explains more than half."""
    folder = tmp_path / "cmp"
    folder.mkdir()
    decided = {
        "shares": [
            {"input": "coast.inflow_people_per_day", "kind": "parameter", "share": 0.12},
            {"input": "policy.rwanda.deterrence_elasticity", "kind": "assumption", "share": 0.81},
        ],
        "top_driver": {"input": "policy.rwanda.deterrence_elasticity", "share": 0.81},
        "headline": "the change in arrivals depends mostly on deterrence elasticity (rwanda), "
        "an assumption (81% of its variance)",
    }
    few = {
        "shares": [{"input": "coast.inflow_people_per_day", "kind": "parameter", "share": 0.97}],
        "noise_level": 1.0,
        "runs": 14,
        "runs_needed": 38,
        "told_from_noise": False,
        "top_driver": None,
        "headline": None,
    }
    difference = {"median": -400.0, "low": -600.0, "high": -150.0}
    payload = {
        "base": "history",
        "start": "2025-01-01",
        "end": "2025-12-31",
        "runs": 40,
        "posterior": "calibration/posterior-history-2026-05-28",
        "scenarios": [
            {
                "name": "rwanda",
                "difference": {"arrived_people": difference},
                "what_decides": {"arrived_people": decided},
            },
            {  # too few runs to tell any share from noise: one line instead of its shares
                "name": "echr",
                "difference": {"arrived_people": difference},
                "what_decides": {"arrived_people": few},
            },
        ],
    }
    (folder / "comparison.json").write_text(json.dumps(payload))
    out = tmp_path / "compare.html"
    result = run_cli("report", folder, "-o", out, "--format", "json")
    assert result.exit_code == 0, result.stderr
    sections = json.loads(result.stdout)["sections"]
    assert sections == ["Policy comparison", "What decides this answer"]
    page = out.read_text(encoding="utf-8")
    assert "depends mostly on deterrence elasticity (rwanda), an assumption" in page
    table = page[page.index("What decides this answer") :]
    # inputs by their labels; a parameter's key (what a scenario's overrides write) beside it
    parameter = "inflow people per day (people/day) (parameter; key coast.inflow_people_per_day)"
    assert table.index("(rwanda) (assumption) 81%") < table.index(f"{parameter} 12%")
    assert "at 14 runs pure noise alone gets up to 100%" in table and "--runs 38" in table
    assert "97%" not in table
    # the headline says its intervals cover the parameters' and assumptions' uncertainty
    lead = page[: page.index("What decides this answer")]
    assert "the uncertainty of the calibrated parameters" in lead
    assert "with the model's parameters fixed" not in lead


def _toy_model(scenario: Any, seed: int, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Arrivals driven by the inflow only, deaths by the capsize rate only."""
    values = overrides or {}
    inflow = values.get("coast.inflow_people_per_day", scenario.params.coast.inflow_people_per_day)
    capsize = values.get("hazards.capsize_per_hour", scenario.params.hazards.capsize_per_hour)
    return {"totals": {"arrived_people": 30 * inflow, "dead_or_missing_people": 1e5 * capsize}}


def test_sensitivity_folder_report(tmp_path: Path, scenario: Any) -> None:
    result = run_sensitivity(
        scenario,
        method="sobol",
        n_samples=16,
        parameters=["coast.inflow_people_per_day", "hazards.capsize_per_hour"],
        executor="serial",
        progress=False,
        model_fn=_toy_model,
    )
    by = result.indices.set_index(["output", "parameter"])
    assert by.loc[("arrived_people", "hazards.capsize_per_hour"), "ST"] == pytest.approx(0)
    folder = result.write(tmp_path / "sens")
    out = tmp_path / "sens.html"
    summary = build_report(str(folder), out)
    assert summary.sections == ["Sensitivity indices"]
    dom = assert_renders(out, tmp_path, charts=1)
    assert "total index ST" in dom


def test_run_id_report_has_intervals_and_the_paired_comparison(
    tmp_path: Path, scenario: Any, publication: Path, run_cli: Any
) -> None:
    patrols = scenario.with_changes(
        params=apply_overrides(scenario.params, {"beach": {"prevention_probability": 0.97}})
    )
    store_path = tmp_path / "runs.duckdb"
    spec = EnsembleSpec(
        scenarios={"status-quo": scenario, "more-patrols": patrols}, reps=3, base_seed=4,
        name="patrols", kind="compare",
    )  # fmt: skip
    with RunStore(store_path) as store:
        ensemble = run_ensemble(run_scenario, spec, executor="serial", progress=False, store=store)
    out = tmp_path / "run-id.html"
    result = run_cli(
        "report", ensemble.run_id, "-o", out, "--runs-store", store_path, "--data", publication
    )
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert "median of 6 runs" not in text and "median of 3 runs" in text
    assert "more-patrols: 90% of runs" in text
    # series, trade-off, key figures and the map
    dom = assert_renders(out, tmp_path, charts=4)
    assert "Policy comparison" in dom and "more-patrols" in dom


@pytest.mark.parametrize(
    ("posterior", "said"),
    [(True, "this record of the run does not hold it"), (False, "run without a posterior")],
)
def test_a_missing_what_decides_says_why_without_contradicting_the_headline(
    posterior: bool, said: str
) -> None:
    """A report of a comparison recorded with a posterior (by run id) said 'the comparison
    has no posterior' under a headline saying its intervals cover the posterior."""
    import pandas as pd

    from channelsim.reports.build import decides_section
    from channelsim.reports.inputs import ReportInput

    found = ReportInput(source="run x", title="compare", comparison=pd.DataFrame({"a": [1]}))
    found.details["posterior"] = posterior
    section, omitted = decides_section(found)
    assert section is None and omitted is not None and said in omitted


def test_the_report_of_an_interrupted_run_says_it_is_incomplete() -> None:
    from channelsim.reports.build import incomplete_line, report_headline
    from channelsim.reports.inputs import ReportInput

    details = {"status": "interrupted", "n_members": 40, "members_recorded": 12}
    found = ReportInput(source="run r1", title="t", details=details)
    line = incomplete_line(found)
    assert line is not None and line.startswith("Incomplete: this run is interrupted: 12 of its 40")
    assert report_headline(found)[0] == line
    found.details["status"] = "done"
    assert incomplete_line(found) is None and report_headline(found) == []
