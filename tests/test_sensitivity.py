"""Sensitivity analysis: the SALib wiring on the Ishigami function, the problem built from the
parameter metadata, and a tiny run of the real engine through the ensemble machinery."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from channelsim.engine import load_scenario
from channelsim.errors import InputError
from channelsim.experiments.ensemble import member_seed
from channelsim.experiments.sensitivity import (
    INDEX_COLUMNS,
    MAX_RUNS,
    SensitivityProblem,
    analyze,
    build_problem,
    check_runs,
    check_samples,
    default_parameters,
    held_note,
    morris_levels,
    run_sensitivity,
    sample,
)
from channelsim.params import ParamInfo, uncertain_parameters

REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIO = REPO_ROOT / "scenarios" / "status-quo-2025.toml"
# June: the sea is above 10 °C every day, so the cold-water survival time cannot matter.
JUNE = (dt.date(2025, 6, 1), dt.date(2025, 6, 21))
COLD_SURVIVAL = "hazards.survival_median_below_10c_h"
INFLOW = "coast.inflow_people_per_day"
POSTERIOR = REPO_ROOT / "calibration" / "posterior-history-2026-05-28"

MORRIS_D = len(default_parameters("morris"))
MORRIS_MOST = MAX_RUNS // (MORRIS_D + 1)


def _info(name: str, low: float, high: float) -> ParamInfo:
    return ParamInfo(name, "-", 0.0, low, high, low, high, None, "test input")


def _ishigami_problem() -> SensitivityProblem:
    """Ishigami's x1..x3 on [-π, π] plus a dummy x4 that the function ignores."""
    return SensitivityProblem(
        (*(_info(f"x{i}", -math.pi, math.pi) for i in range(1, 4)), _info("x4", 0, 1))
    )


def test_sobol_indices_of_ishigami_match_the_analytic_values() -> None:
    problem = _ishigami_problem()
    x = sample(problem, "sobol", 1024, seed=3)
    assert x.shape == (1024 * (4 + 2), 4)
    y = Ishigami.evaluate(x[:, :3])
    indices = analyze(problem, "sobol", x, {"f": y}, seed=3).set_index("parameter")
    # Analytic values for a = 7, b = 0.1 (Ishigami & Homma 1990; SALib's test function).
    assert indices.loc[["x1", "x2", "x3"], "S1"].to_numpy() == pytest.approx(
        [0.3139, 0.4424, 0.0], abs=0.05
    )
    assert indices.loc[["x1", "x2", "x3"], "ST"].to_numpy() == pytest.approx(
        [0.5576, 0.4424, 0.2437], abs=0.05
    )
    assert abs(indices.loc["x4", "S1"]) < 0.02
    assert indices.loc["x4", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert (indices.loc[["x1", "x2"], "S1_conf"] > 0).all()  # bootstrap intervals present


def test_morris_gives_a_dummy_input_exactly_no_effect() -> None:
    problem = _ishigami_problem()
    x = sample(problem, "morris", 20, seed=1)
    assert x.shape == (20 * (4 + 1), 4)
    indices = analyze(problem, "morris", x, {"f": Ishigami.evaluate(x[:, :3])}, seed=1)
    by_name = indices.set_index("parameter")
    assert list(indices.columns[-4:]) == list(INDEX_COLUMNS["morris"])
    assert by_name.loc["x4", "mu_star"] == 0.0
    assert by_name.loc["x4", "sigma"] == 0.0
    assert (by_name.loc[["x1", "x2"], "mu_star"] > 1.0).all()


def test_morris_effects_equal_salib_s_for_continuous_parameters() -> None:
    """Without integer parameters every step is SALib's nominal one: the same indices."""
    from SALib.analyze import morris

    problem = _ishigami_problem()
    x = sample(problem, "morris", 20, seed=1)
    y = Ishigami.evaluate(x[:, :3])
    ours = analyze(problem, "morris", x, {"f": y}, seed=1).set_index("parameter")
    salib = morris.analyze(problem.salib(), x, y, num_resamples=200, num_levels=4, seed=1)
    for column in ("mu", "mu_star", "sigma", "mu_star_conf"):
        np.testing.assert_allclose(ours[column], salib[column], rtol=1e-9, atol=1e-12)


def test_morris_integer_parameter_is_unbiased_and_exact_on_a_linear_model() -> None:
    """beach.groups_per_boat (2..4) took 2/3/4 at 27/18/55% and a linear toy model gave it
    mu* 2.37 and sigma 0.75; the right values are a third each, mu* 2.00 and sigma 0."""
    problem = build_problem(["beach.groups_per_boat", INFLOW])
    levels = morris_levels(problem)
    assert levels == 6  # an even multiple of the 3 values, at least 4
    grid = np.linspace(0.0, 1.0, levels)[:, None].repeat(2, axis=1)
    on_grid = problem.from_morris_grid(grid, levels)[:, 0]
    assert list(on_grid) == [2, 2, 3, 3, 4, 4]  # two levels per value, none beyond high

    x = sample(problem, "morris", 200, seed=4)
    values = [problem.overrides(row) for row in x]
    groups = np.array([v["beach.groups_per_boat"] for v in values])
    shares = [float(np.mean(groups == g)) for g in (2, 3, 4)]
    assert shares == pytest.approx([1 / 3] * 3, abs=0.05)
    y = np.array([v["beach.groups_per_boat"] + 0.01 * v[INFLOW] for v in values])
    indices = analyze(problem, "morris", x, {"y": y}, seed=4).set_index("parameter")
    assert indices.loc["beach.groups_per_boat", "mu_star"] == pytest.approx(2.0, abs=1e-12)
    assert indices.loc["beach.groups_per_boat", "mu"] == pytest.approx(2.0, abs=1e-12)
    assert indices.loc["beach.groups_per_boat", "sigma"] == pytest.approx(0.0, abs=1e-12)
    inflow = next(p for p in problem.parameters if p.path == INFLOW)
    expected = 0.01 * (float(inflow.high or 0) - float(inflow.low or 0))  # per full range
    assert indices.loc[INFLOW, "mu_star"] == pytest.approx(expected, rel=1e-9)
    assert indices.loc[INFLOW, "sigma"] == pytest.approx(0.0, abs=1e-9)


def test_sampling_is_reproducible_and_seeded() -> None:
    problem = _ishigami_problem()
    assert np.array_equal(sample(problem, "morris", 4, 7), sample(problem, "morris", 4, 7))
    assert not np.array_equal(sample(problem, "morris", 4, 7), sample(problem, "morris", 4, 8))


def test_problem_uses_the_documented_ranges_and_whole_values_for_integers() -> None:
    problem = build_problem([INFLOW, "beach.groups_per_boat"])
    ranges = {p.path: (float(p.low or 0), float(p.high or 0)) for p in uncertain_parameters()}
    assert problem.bounds[0] == list(ranges[INFLOW])
    low, high = ranges["beach.groups_per_boat"]
    assert problem.bounds[1] == [low, high + 1]  # floored: each whole value equally likely
    rows = sample(problem, "sobol", 64, seed=0)
    values = [problem.overrides(row)["beach.groups_per_boat"] for row in rows]
    assert all(isinstance(v, int) for v in values)
    assert set(values) == set(range(int(low), int(high) + 1))
    assert problem.overrides([100.0, high + 1])["beach.groups_per_boat"] == high


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["coast.no_such_parameter"], "expected an uncertain parameter; one of coast."),
        # a misspelling: the closest names first (the list of all of them follows)
        (["coast.inflow_peple_per_day"], "parameter; did you mean coast.inflow_people_per_day"),
        (["sea.time_step_min"], "expected an uncertain parameter"),  # fixed: no range
        ([INFLOW, INFLOW], "expected each parameter once"),
        ([], "expected at least one parameter"),
    ],
)
def test_bad_parameter_lists_are_one_line_errors(names: list[str], expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        build_problem(names)


def test_a_parameter_may_be_named_as_a_scenario_file_names_it() -> None:
    """`--params params.coast.inflow_people_per_day` (the key as a scenario file's [params]
    table writes it) was refused: both spellings name the parameter."""
    bare = build_problem(["coast.inflow_people_per_day", "sea.engine_speed_kn"])
    prefixed = build_problem(["params.coast.inflow_people_per_day", "sea.engine_speed_kn"])
    assert prefixed == bare
    with pytest.raises(InputError, match="expected each parameter once"):
        build_problem(["params.coast.inflow_people_per_day", "coast.inflow_people_per_day"])


def test_sample_sizes_are_checked() -> None:
    with pytest.raises(InputError, match="power of two"):
        check_samples("sobol", 48)
    with pytest.raises(InputError, match="at least 2 trajectories"):
        check_samples("morris", 1)
    with pytest.raises(InputError, match="sobol, morris"):
        check_samples("fast", 8)


def test_sample_sizes_are_bounded_by_the_runs_they_ask_for() -> None:
    check_runs("sobol", 8192, 10)  # 98,304 runs
    with pytest.raises(InputError, match=r"at most 4,096 for Sobol with 11 parameters"):
        check_runs("sobol", 8192, 11)
    check_runs("morris", 10_000, 9)
    with pytest.raises(InputError, match=r"--samples: expected at most 10,000 for Morris"):
        check_runs("morris", 10_001, 9)
    assert MAX_RUNS == 100_000


def test_constant_output_has_no_sobol_indices() -> None:
    problem = _ishigami_problem()
    x = sample(problem, "sobol", 8, seed=0)
    indices = analyze(problem, "sobol", x, {"zero": np.zeros(len(x))}, seed=0)
    assert indices[["S1", "ST"]].isna().all().all()


@pytest.fixture(scope="module")
def june() -> Any:
    return load_scenario(SCENARIO).with_changes(start=JUNE[0], end=JUNE[1])


def test_engine_morris_shapes_and_a_parameter_that_cannot_act(june: Any) -> None:
    outputs = ["arrived_people", "dead_or_missing_people"]
    result = run_sensitivity(
        june,
        outputs=outputs,
        method="morris",
        n_samples=3,
        parameters=[INFLOW, COLD_SURVIVAL],
        seed=11,
        executor="serial",
        progress=False,
    )
    assert result.x.shape == (3 * 3, 2)
    assert list(result.y.columns) == outputs and len(result.y) == 9
    assert len(result.indices) == 4
    by = result.indices.set_index(["output", "parameter"])
    assert by.loc[("arrived_people", INFLOW), "mu_star"] > 100
    for output in outputs:  # same seed everywhere: no noise, so exactly zero
        assert by.loc[(output, COLD_SURVIVAL), "mu_star"] == 0.0
    again = run_sensitivity(
        june,
        outputs=outputs,
        method="morris",
        n_samples=3,
        parameters=[INFLOW, COLD_SURVIVAL],
        seed=11,
        executor="processes",
        workers=2,
        progress=False,
    )
    pd.testing.assert_frame_equal(result.indices, again.indices)


def test_unknown_output_is_rejected_before_the_ensemble(june: Any) -> None:
    calls: list[Any] = []

    def model(scenario: Any, seed: int, overrides: dict[str, Any] | None) -> dict[str, Any]:
        calls.append(overrides)
        return {"totals": {"arrived_people": 1}}

    expected = r"--outputs 'arrivals': expected a total; one of arrived_people"
    with pytest.raises(InputError, match=expected):
        run_sensitivity(june, outputs=["arrivals"], model_fn=model, executor="serial")
    assert calls == [None]  # only the baseline run


def test_cli_writes_indices_samples_and_plot(tmp_path: Path, run_cli: Any) -> None:
    out = tmp_path / "sens"
    result = run_cli(
        "sensitivity", SCENARIO, "--method", "morris", "--samples", "2",
        "--params", f"{INFLOW},{COLD_SURVIVAL}", "--from", "2025-06-01", "--to", "2025-06-14",
        "--workers", "1", "--out", out, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["n_runs"] == 6 and payload["period"] == ["2025-06-01", "2025-06-14"]
    assert {r["parameter"] for r in payload["indices"]} == {INFLOW, COLD_SURVIVAL}
    assert sorted(p.name for p in out.iterdir()) == [
        ".channelsim-output.json",
        "indices.csv",
        "indices.parquet",
        "samples.csv",
        "samples.parquet",
        "sensitivity.html",
        "sensitivity.json",
        "tables.xlsx",
    ]
    samples = pd.read_parquet(out / "samples.parquet")
    assert list(samples.columns) == [INFLOW, COLD_SURVIVAL, *payload["outputs"]]
    # the CSV a reader opens names each input and output by its label beside its key
    indices = pd.read_csv(out / "indices.csv")
    labels = dict(zip(indices["Parameter code name"], indices["Parameter"], strict=True))
    assert labels[INFLOW] == "inflow people per day (people/day)", labels
    assert "People arrived in the UK" in set(indices["Label"])
    html = (out / "sensitivity.html").read_text()
    assert 'class="chart"' in html and 'src="http' not in html


def test_cli_runs_a_scenario_that_replays_the_observed_days(tmp_path: Path, run_cli: Any) -> None:
    """Replay weather is read in the driver (as compare and run read it), not refused."""
    from spreadsheets import make_rows, write_publication

    daily, weekly = make_rows(dt.date(2024, 4, 29), 28, seed=3)
    publication = write_publication(tmp_path / "pub.ods", daily, weekly)
    scenario = tmp_path / "replay.toml"
    scenario.write_text(
        'name = "replay"\nstart = 2024-05-06\nend = 2024-05-19\nseed = 2\n'
        f'[weather]\nmode = "replay"\npath = "{publication}"\n'
    )
    result = run_cli(
        "sensitivity", scenario, "--method", "morris", "--samples", "2", "--params", INFLOW,
        "--workers", "1", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["n_runs"] == 4


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--outputs", "arrived"], "--outputs 'arrived': expected a total; one of"),
        # a misspelling: the closest names first (s11 T16: only --params said so)
        (["--outputs", "arrived_peple"], "expected a total; did you mean arrived_people? one of"),
        (["--params", "beach.nope"], "--params 'beach.nope': expected an uncertain parameter"),
        (["--method", "sobol", "--samples", "6"], "expected a power of two"),
        (["--method", "fast"], "--method: expected one of sobol, morris"),
        (["--from", "2025-07-01", "--to", "2025-06-01"], "--from: expected a date on or before"),
        (["--method", "rbd-fast"], "--method: expected --posterior DIR with rbd-fast"),
        (["--posterior", "/nonexistent"], "--posterior: /nonexistent: no such folder (here: "),
        (["--posterior", REPO_ROOT / "scenarios"], "posterior.toml: file not found"),
        (["--posterior", POSTERIOR, "--method", "sobol"], "--method: expected rbd-fast with"),
        (["--posterior", POSTERIOR, "--params", INFLOW], "--params: expected no --params with"),
        (["--posterior", POSTERIOR, "--samples", "4"], "--samples: expected at least 14 draws"),
        # no upper bound ran for days or filled the memory: at most MAX_RUNS runs, and the line
        # gives the largest --samples allowed
        # (a Morris screen varies every ranged engine parameter by default: D + 1 runs each)
        (
            ["--method", "morris", "--samples", str(MORRIS_MOST + 1)],
            f"expected at most {MORRIS_MOST:,} for Morris with {MORRIS_D} parameters",
        ),
        (["--samples", str(2**50)], "--samples: expected at most 8,192 for Sobol with 6 param"),
        # a huge N that is no power of two said only "expected a power of two ≥ 2"
        (["--samples", "99999999999"], "--samples: expected at most 8,192 for Sobol with 6 "),
        (
            ["--samples", "100"],
            "expected a power of two ≥ 2 for sobol, got 100 (the nearest: 64 or",
        ),
        (["--posterior", POSTERIOR, "--samples", "100001"], "at most 100,000 for RBD-FAST draws"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, run_cli: Any, args: list[str], expected: str
) -> None:
    out = tmp_path / "never"
    result = run_cli("sensitivity", SCENARIO, *args, "--out", out)
    assert result.exit_code == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_with_a_posterior_draws_its_parameters_and_the_assumptions(
    tmp_path: Path, run_cli: Any
) -> None:
    """``--posterior``: the calibrated parameters come from the posterior's particles, the
    doctrine's assumptions over their declared ranges, and each output's variance is shared
    out among them (RBD-FAST), every run with the scenario's seed."""
    import pyarrow.parquet as pq

    out = tmp_path / "sens"
    scenario = REPO_ROOT / "scenarios" / "doctrine-territorial.toml"
    result = run_cli(
        "sensitivity", scenario, "--posterior", POSTERIOR, "--samples", "16", "--from",
        "2025-06-01", "--to", "2025-06-07", "--workers", "1", "--out", out, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["method"] == "rbd-fast" and payload["n_runs"] == 16
    assert payload["posterior"] == str(POSTERIOR)
    kinds = {r["parameter"]: r["kind"] for r in payload["indices"]}
    doctrine = "policy.maritime_doctrine#0.capsize_probability_per_intervention"
    assert kinds[doctrine] == "assumption" and kinds[INFLOW] == "calibrated"
    samples = pd.read_parquet(out / "samples.parquet")
    particles = pq.read_table(POSTERIOR / "posterior.parquet").to_pandas()
    assert set(samples[INFLOW]) <= set(particles[INFLOW])  # drawn from the posterior
    assert samples[doctrine].between(0.001, 0.03).all() and samples[doctrine].nunique() == 16
    # s11 F19: at 16 runs the bootstrap cannot give a half-width; it exported "± 0" as if
    # exact. Now none, and one line says the shares are noise.
    assert all(r["share_conf"] is None for r in payload["indices"])
    assert not any(r["above_noise"] for r in payload["indices"])
    exported = pd.read_csv(out / "indices.csv")
    assert exported["Share's 95% half-width (fraction)"].isna().all()
    assert re.search(r"warning: .*sens: its shares come from 16 runs, fewer than the \d+ needed",
                     " ".join(result.stderr.split()))  # fmt: skip
    assert "sensitivity.html" in {p.name for p in out.iterdir()}
    from channelsim.reports import build_report

    build_report(str(out), tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "RBD-FAST sensitivity of doctrine-territorial (16 runs)" in page
    assert re.search("over the posterior(&#x27;|'|&#39;)s parameters", page)


def test_cli_with_a_posterior_and_too_few_runs_says_how_many_are_needed(run_cli: Any) -> None:
    """In the terminal, shares that cannot be told from noise are not shown: one line says
    so, with the draws needed (--samples N)."""
    scenario = REPO_ROOT / "scenarios" / "doctrine-territorial.toml"
    result = run_cli(
        "sensitivity", scenario, "--posterior", POSTERIOR, "--samples", "14", "--from",
        "2025-06-01", "--to", "2025-06-03", "--workers", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert text.startswith("Too few runs to tell any input's share from noise: at 14 runs")
    needed = re.search(r"run at least (\d+) \(--samples (\d+)\)", text)
    assert needed is not None and needed[1] == needed[2] and int(needed[1]) > 14
    assert "(calibrated)" not in text  # no share shown


def _posterior_indices() -> pd.DataFrame:
    """A posterior sensitivity's table: one input told from noise, two within it."""
    rows = [
        ("sea.engine_speed_kn", "calibrated", 0.55, 0.05, True),
        ("drivers.coastal_inflow.2", "calibrated", 0.09, 0.06, False),
        ("policy.maritime_doctrine#0.arrest_share", "assumption", 0.04, 0.05, False),
    ]
    return pd.DataFrame(
        [
            {
                "output": "arrived_people",
                "parameter": p,
                "kind": kind,
                "unit": "",
                "low": 0.0,
                "high": 1.0,
                "method": "rbd-fast",
                "share": share,
                "share_conf": conf,
                "share_low": max(0.0, share - conf),
                "noise_level": 0.07,
                "above_noise": above,
                "runs": 300,
                "runs_needed": 120,
            }
            for p, kind, share, conf, above in rows
        ]
    )


def test_posterior_shares_are_first_order_indices_shown_when_told_from_noise() -> None:
    """The terminal shows each input told from noise by its label (its key only where a
    scenario's overrides write it), with no "rest" made up to 100%, and one line counting
    those within noise; the HTML gives the noise level."""
    from channelsim.cli.sensitivity_cmd import _share_rows, _within_noise_line
    from channelsim.reports.build import sensitivity_section
    from channelsim.reports.inputs import ReportInput

    indices = _posterior_indices()
    rows = _share_rows(indices)
    shown = "engine speed (kn) (calibrated; key sea.engine_speed_kn) 55% ± 5%"
    assert rows == [{"figure": "arrived_people", "input": shown}]
    line = _within_noise_line(indices)
    assert line.startswith("2 of 3 shares are within noise") and "--format csv" in line
    section, _ = sensitivity_section(ReportInput(source="", title="t", sensitivity=indices))
    assert section is not None
    assert any("Noise level at 300 runs: 7%" in p for p in section.paragraphs)
    table = section.tables[0]
    assert list(table["input_label"]) == ["engine speed (kn)",
                                          "coastal inflow, value dated 1 Jan 2020",
                                          "arrest share (maritime doctrine)"]  # fmt: skip
    assert list(table["input"]) == list(indices["parameter"])


def test_the_sensitivity_page_heads_a_parameter_s_range_as_its_range() -> None:
    """sensitivity.html headed the sampled range of a parameter "low (5%)" and "high (95%)",
    the 90% interval of runs elsewhere, its label "Input code name" beside a "key", and
    whether an input is calibrated or an assumption "Kind of run"."""
    from channelsim.reports.build import sensitivity_page

    page = sensitivity_page(_posterior_indices(), "t")
    head = page[page.index("<thead>") : page.index("</thead>")]
    headings = ("Input", "Input code name", "Parameter range, low", "Parameter range, high",
                "Parameter unit", "Kind of input")  # fmt: skip
    for heading in headings:
        assert f">{heading}</th>" in head
    assert "(5%)" not in head and "(95%)" not in head and ">key<" not in head
    assert "Kind of run" not in head


def test_readers_see_labels_never_internal_keys_in_headlines() -> None:
    from channelsim.experiments.uncertainty import driver_sentence, input_label
    from channelsim.reports.headlines import sensitivity_drivers

    doctrine = "policy.maritime_doctrine#0.arrest_share"
    assert input_label(doctrine) == "arrest share (maritime doctrine)"
    # index 2 of history's coastal inflow is its value dated 2020-01-01 (counted from 0, as
    # the key is: "dated value 3" read as the third, off by one from the key)
    assert input_label("drivers.coastal_inflow.2") == "coastal inflow, value dated 1 Jan 2020"
    assert input_label("drivers.coastal_inflow.20") == (
        "coastal inflow, dated value at index 20 (from 0)"
    )
    assert input_label("hazards.capsize_per_hour") == "capsize per hour (1/h)"
    top = {"input": "drivers.coastal_inflow.2", "kind": "calibrated", "share": 0.6}
    sentence = driver_sentence("Arrivals (people)", top)
    assert "coastal inflow, value dated 1 Jan 2020" in sentence and "drivers." not in sentence
    (driver,) = sensitivity_drivers(_posterior_indices())
    assert driver.assumption.startswith("engine speed (kn)") and "sea." not in driver.assumption


def test_reports_of_a_posterior_name_its_folder() -> None:
    """`sensitivity --posterior --out`'s page, a comparison's report and validate's plot name
    the posterior folder their parameters were drawn from (the JSON did; the pages did not)."""
    from channelsim.experiments.validate import posterior_line
    from channelsim.reports.build import report_lead, sensitivity_page
    from channelsim.reports.inputs import ReportInput

    folder = "calibration/posterior-history-2026-05-28-v2"
    page = sensitivity_page(_posterior_indices(), "t", folder)
    assert f"drawn from the posterior {folder}." in page
    found = ReportInput(source="", title="t", details={"posterior": folder, "base_seed": 3})
    assert f"parameters drawn from the posterior {folder}" in report_lead(found)[-1]
    assert posterior_line({"posterior": folder}).endswith(f"posterior {folder}.")


def _sobol_indices() -> pd.DataFrame:
    """Sobol indices of two outputs over three inputs, some of them numerical noise."""
    rows = []
    for output in ("arrived_people", "dead_or_missing_people"):
        for parameter, s1 in ((INFLOW, 0.9286), (COLD_SURVIVAL, 3.5e-16), (CAPSIZE, -4e-5)):
            rows.append({"output": output, "parameter": parameter, "unit": "x", "low": 0.0,
                         "high": 1.0, "method": "sobol", "S1": s1, "S1_conf": 0.931,
                         "ST": abs(s1), "ST_conf": 4.88e-6})  # fmt: skip
    return pd.DataFrame(rows)


CAPSIZE = "hazards.capsize_per_hour"


def test_the_terminal_table_names_every_row_and_shows_noise_as_zero_at_its_precision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 80 columns the indices continue in further tables: each repeated only the output,
    not the parameter, so its rows named no input; an index of 3.5e-16 (numerical noise)
    printed in full. Now every part names both, and indices read to 3 decimal places, as the
    title says; the indices themselves keep every digit."""
    from types import SimpleNamespace

    from rich.console import Console

    from channelsim.cli import output, sensitivity_cmd

    indices = _sobol_indices()
    kept = indices.copy()
    devnull = open(os.devnull, "w")  # noqa: SIM115
    screen = Console(width=80, record=True, markup=False, highlight=False, file=devnull)
    monkeypatch.setattr(output, "console", screen)
    result = SimpleNamespace(method="sobol", scenario="s", x=np.zeros((40, 3)), seed=1,
                             n_samples=8, indices=indices)  # fmt: skip
    monkeypatch.setattr(sensitivity_cmd, "console", screen)
    sensitivity_cmd._print(result, {}, output.OutputFormat.table)
    text = " ".join(screen.export_text().split())
    # s11 T22: a sample too small to read says so (S1 0.908 ± 0.413 above ST 0.83, no word)
    assert (
        "With 8 base samples the indices' 95% half-widths reach ±0.93 (S1 of inflow people "
        "per day (people/day) for People arrived in the UK): indices closer than that cannot "
        "be told apart, and an S1 above its ST or below 0 is that sampling noise." in text
    )
    text = text.partition("With 8 base samples")[0]
    parts = text.partition("Dead or missing (people)")[::2]
    assert "People arrived in the UK" in parts[0] and parts[1], text
    for part in parts:
        assert f"[{COLD_SURVIVAL}]" in part and f"[{INFLOW}]" in part, part
    assert "e-16" not in text and "0.00000" not in text and "0.929" in text
    assert "3 decimal places" in text
    pd.testing.assert_frame_equal(indices, kept)


def test_morris_effects_are_headed_in_their_output_s_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal table showed code names only (``arrived_people``,
    ``coast.inflow_people_per_day``) and headed every effect "(output's unit)". Now one table
    per output, titled by its label and unit, effects headed in that unit, each parameter by
    its label and unit with its code name beside it, as the CSV and sheets name them."""
    from types import SimpleNamespace

    from rich.console import Console

    from channelsim.cli import output, sensitivity_cmd

    effects = {"mu_star": 47_510.0, "mu_star_conf": 200.0, "sigma": 195.0, "mu": -854.0}
    rows = [
        {"output": o, "parameter": p, "unit": "x", "low": 0.0, "high": 1.0, "method": "morris"}
        | effects
        for o in ("arrived_people", "dead_or_missing_people")
        for p in (INFLOW, CAPSIZE)
    ]
    devnull = open(os.devnull, "w")  # noqa: SIM115
    screen = Console(width=120, record=True, markup=False, highlight=False, file=devnull)
    monkeypatch.setattr(output, "console", screen)
    result = SimpleNamespace(method="morris", scenario="s", x=np.zeros((6, 2)), seed=1,
                             n_samples=2, indices=pd.DataFrame(rows))  # fmt: skip
    monkeypatch.setattr(sensitivity_cmd, "console", screen)
    sensitivity_cmd._print(result, {}, output.OutputFormat.table)
    text = " ".join(screen.export_text().split())
    # s11 T16: what mu* and sigma mean, in words and units, and which inputs move each output
    assert (
        "mu* is how much an output changes, on average and whichever way, when one input "
        "alone moves from the bottom to the top of its plausible range, in the output's own "
        "unit" in text
    )
    assert "It is measured from 2 starting points" in text and "sigma, in the same unit" in text
    assert (
        "People arrived in the UK moves most with inflow people per day (people/day): "
        "47,510 people across its range (mu*), then capsize per hour (1/h) (47,510 people)." in text
    )
    assert "output's unit" not in text and "(people)" in text.split("Parameter")[1], text
    assert "People arrived in the UK" in text and "arrived_people" not in text
    assert f"[{INFLOW}]" in text and "inflow people per day (people/day)" in text
    assert "(continued)" not in text


def test_the_sensitivity_chart_names_outputs_by_label_and_rounds_its_hover_labels() -> None:
    from channelsim.reports.figures import sensitivity_figure

    fig = sensitivity_figure(_sobol_indices())
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["People arrived in the UK", "Dead or missing (people)"]
    assert all(".3f}" in trace.hovertemplate for trace in fig.data)


DOCTRINE = REPO_ROOT / "scenarios" / "doctrine-territorial.toml"
DOCTRINE_CAPSIZE = "policy.maritime_doctrine#0.capsize_probability_per_intervention"


@pytest.fixture(scope="module")
def doctrine_june() -> Any:
    return load_scenario(DOCTRINE).with_changes(start=JUNE[0], end=JUNE[1])


def test_a_policy_s_options_with_a_declared_range_can_be_varied(doctrine_june: Any) -> None:
    """s11 T22: Sobol and Morris could vary engine parameters only; a policy's options with
    a plausible range in their declaration are named ``policy.<name>.<option>`` (the
    ``#0`` may be left out for the only policy of its type) and varied over that range."""
    alias = "policy.maritime_doctrine.compliance_probability"  # without "#0"
    problem = build_problem([INFLOW, alias, DOCTRINE_CAPSIZE], scenario=doctrine_june)
    assert problem.names == [
        INFLOW, "policy.maritime_doctrine#0.compliance_probability", DOCTRINE_CAPSIZE,
    ]  # fmt: skip
    capsize = problem.parameters[2]
    assert (capsize.low, capsize.high, capsize.default) == (0.001, 0.03, 0.005)
    assert problem.overrides([100.0, 0.3, 0.01])[DOCTRINE_CAPSIZE] == 0.01
    # a scenario without the policy has no such option; an option named bare is pointed to
    with pytest.raises(InputError, match="expected an uncertain parameter"):
        build_problem([DOCTRINE_CAPSIZE])
    bare = "capsize_probability_per_intervention"
    with pytest.raises(InputError, match=f"did you mean {re.escape(DOCTRINE_CAPSIZE)}\\?"):
        build_problem([bare], scenario=doctrine_june)


def test_a_policy_option_varied_runs_the_policy_with_that_value(doctrine_june: Any) -> None:
    """Each sample point runs the scenario with the option set (the same totals as the
    scenario written with that value), and the option's effect is measured: more capsizes
    per intervention, more dead; the assumptions not varied are named as held."""
    from channelsim.engine import simulate
    from channelsim.experiments.uncertainty import with_policy_values

    result = run_sensitivity(
        doctrine_june, outputs=["dead_or_missing_people"], method="morris", n_samples=2,
        parameters=[DOCTRINE_CAPSIZE], seed=3, executor="serial", progress=False,
    )  # fmt: skip
    values = result.samples()[DOCTRINE_CAPSIZE].to_numpy()
    assert ((values >= 0.001) & (values <= 0.03)).all() and len(set(values)) > 1
    point = int(np.argmax(values))
    written = with_policy_values(doctrine_june, {DOCTRINE_CAPSIZE: float(values[point])})
    expected = simulate(written, member_seed(3, 0)).totals["dead_or_missing_people"]  # CRN
    assert result.y["dead_or_missing_people"].iloc[point] == expected
    by = result.indices.set_index("parameter")
    assert by.loc[DOCTRINE_CAPSIZE, "mu"] > 0  # over the range, more deaths
    held = [h["key"] for h in result.held]
    assert DOCTRINE_CAPSIZE not in held and held == [
        "policy.maritime_doctrine#0.search_efficiency",
        "policy.maritime_doctrine#0.compliance_probability",
        "policy.maritime_doctrine#0.immobilise_success_probability",
    ]
    note = held_note(result.held)
    assert note is not None and "compliance probability (maritime doctrine) 0.3 " in note
    assert result.to_json_dict()["held_note"] == note


def test_an_analysis_of_a_policy_scenario_says_which_assumptions_it_held(run_cli: Any) -> None:
    """s11 T22: the default analysis of a policy scenario left the doctrine's assumptions
    out with no word; a line under the tables names them, their values and the --params
    that vary them."""
    result = run_cli(
        "sensitivity", DOCTRINE, "--method", "morris", "--samples", "2", "--params", INFLOW,
        "--from", "2025-06-01", "--to", "2025-06-07", "--workers", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Not varied: the policies' assumptions, held at the scenario's values: " in text
    assert "capsize probability per intervention (maritime doctrine) 0.005 (plausible " in text
    assert "--params (policy.maritime_doctrine#0.search_efficiency," in text
    plain = run_cli(
        "sensitivity", SCENARIO, "--method", "morris", "--samples", "2", "--params", INFLOW,
        "--from", "2025-06-01", "--to", "2025-06-07", "--workers", "1",
    )  # fmt: skip
    assert "Not varied" not in plain.stdout  # the status quo's policies assume nothing drawn


def test_rbd_fast_shares_have_no_half_width_where_the_bootstrap_cannot_give_one() -> None:
    """s11 F19: SALib's bootstrap resamples half the runs; below 28 runs their spectrum holds
    no more than the 6 harmonics summed, every resample gives the same share, and the
    half-width came out exactly 0: now none (NaN), and no share is told from noise."""
    from channelsim.experiments.uncertainty import bootstrap_possible, variance_shares

    assert not bootstrap_possible(27) and bootstrap_possible(28)
    rng = np.random.default_rng(4)
    for runs, has_width in ((16, False), (26, False), (40, True)):
        x = pd.DataFrame({"a": rng.uniform(size=runs), "b": rng.uniform(size=runs)})
        rows = variance_shares(x, 3 * x["a"].to_numpy() + rng.normal(size=runs), seed=1)
        inputs = [r for r in rows if r["input"] in ("a", "b")]
        assert len(inputs) == 2
        if has_width:
            assert all(r["share_conf"] > 0 for r in inputs)
        else:
            assert all(math.isnan(r["share_conf"]) and math.isnan(r["share_low"])
                       for r in inputs)  # fmt: skip
            assert not any(r["above_noise"] for r in inputs)


def test_rbd_fast_shares_at_every_run_count_from_the_fewest_on() -> None:
    """s14 F20: at 24 and 25 runs SALib's bootstrap (resamples of 12 runs, twice the 6
    harmonics) divided by zero, a traceback after every member of a comparison had run. No
    bootstrap is made where it says nothing, and the shares are SALib's, unchanged."""
    from SALib.analyze import rbd_fast

    from channelsim.experiments.uncertainty import HARMONICS, MIN_MEMBERS, variance_shares

    rng = np.random.default_rng(20)
    for runs in range(MIN_MEMBERS, 31):
        x = pd.DataFrame({"a": rng.uniform(size=runs), "b": rng.uniform(size=runs)})
        y = 3 * x["a"].to_numpy() + rng.normal(size=runs)
        rows = {r["input"]: r for r in variance_shares(x, y, seed=1)}
        problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0]] * 2}
        with warnings.catch_warnings():  # the std of no resample
            warnings.simplefilter("ignore")
            s1 = rbd_fast.analyze(problem, x.to_numpy(), y, M=HARMONICS, num_resamples=0)["S1"]
        assert [rows[n]["share"] for n in "ab"] == [min(max(v, 0.0), 1.0) for v in s1], runs
        assert math.isnan(rows["a"]["share_conf"]) == (runs < 28), runs


def test_the_terminal_heads_a_posterior_share_as_what_its_cell_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """s11 T16: the column was headed "Input code name" but holds the label, its kind, the
    key and the share."""
    from types import SimpleNamespace

    from rich.console import Console

    from channelsim.cli import output, sensitivity_cmd

    devnull = open(os.devnull, "w")  # noqa: SIM115
    screen = Console(width=200, record=True, markup=False, highlight=False, file=devnull)
    monkeypatch.setattr(output, "console", screen)
    monkeypatch.setattr(sensitivity_cmd, "console", screen)
    result = SimpleNamespace(method="rbd-fast", scenario="s", x=np.zeros((300, 3)), seed=1,
                             posterior="post", indices=_posterior_indices())  # fmt: skip
    sensitivity_cmd._print(result, {}, output.OutputFormat.table)
    text = " ".join(screen.export_text().split())
    assert "Input (kind; key) and its share ± 95% half-width" in text
    assert "Input code name" not in text
    assert "engine speed (kn) (calibrated; key sea.engine_speed_kn) 55% ± 5%" in text
