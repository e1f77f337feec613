"""Parameter-uncertain comparisons: draws paired across scenarios, reproducible whatever the
executor, and "what decides this answer" naming the input that drives a difference."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from pydantic import Field

from channelsim.engine import Effect, Policy, Setup, load_scenario, register_policy
from channelsim.experiments import compare_scenarios
from channelsim.experiments.calibrate import (
    POSTERIOR_FILE,
    SUMMARY_FILE,
    priors,
    read_posterior,
    to_toml,
)
from channelsim.experiments.uncertainty import (
    CHANCE,
    NEEDED_NOISE,
    paired_draws,
    runs_needed,
    variance_shares,
)


class ToyStop(Policy):
    """Stops a share of launch attempts everywhere: an assumption, uniform on 0–0.9."""

    assumptions: ClassVar[dict[str, tuple[float, float]]] = {"stop_share": (0.0, 0.9)}
    stop_share: float = Field(default=0.3, ge=0, le=1)

    def effects(self, setup: Setup) -> Iterator[Effect]:
        everywhere = np.ones(len(setup.zone_names))
        yield Effect(
            "prevention_probability", "chance", self.stop_share * everywhere, np.ones(1, bool)
        )


register_policy("toy_stop", ToyStop)

SCENARIO = 'name = "{name}"\nstart = 2025-06-01\nend = 2025-07-15\nseed = 4\n{policy}'
POLICY = '[[policies]]\ntype = "toy_stop"\n'


def _posterior(folder: Path, moving: Sequence[str] = ()) -> Path:
    """A posterior near the defaults: five particles a little apart in every parameter (in
    the ``moving`` parameters alone when given, the others at the middle of their priors)."""
    folder.mkdir()
    chosen = priors()
    rows = [
        {
            "weight": 0.2,
            **{
                p.path: p.value(position if not moving or p.path in moving else 0.5) for p in chosen
            },
        }
        for position in (0.46, 0.48, 0.5, 0.52, 0.54)
    ]
    pd.DataFrame(rows).to_parquet(folder / POSTERIOR_FILE, index=False)
    summary: dict[str, dict[str, Any]] = {
        "calibration": {
            "weather": "stochastic",
            "train_from": "2024-01-01",
            "train_to": "2024-12-31",
        },
        "parameters": {
            "names": [p.path for p in chosen],
            "prior": {p.path: {"low": p.low, "high": p.high, "integer": p.integer} for p in chosen},
        },
    }
    (folder / SUMMARY_FILE).write_text(to_toml(summary))
    return folder


def test_variance_shares_name_the_input_that_drives_the_output() -> None:
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.uniform(size=(256, 3)), columns=["a", "b", "c"])
    y = 10 * x["a"] + 0.5 * x["b"] ** 2 + rng.normal(0, 0.2, 256)
    shares = {r["input"]: r["share"] for r in variance_shares(x, y.to_numpy(), seed=0)}
    assert max(shares, key=lambda k: shares[k]) == "a"
    assert shares["a"] > 0.9 and shares["b"] < 0.1 and shares["c"] < 0.1
    assert 0.0 <= shares[CHANCE] < 0.1
    assert variance_shares(x, np.ones(256), seed=0) == []  # nothing to apportion


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    folder = tmp_path_factory.mktemp("toy")
    base, stop = folder / "base.toml", folder / "stop.toml"
    base.write_text(SCENARIO.format(name="base", policy=""))
    stop.write_text(SCENARIO.format(name="stop", policy=POLICY))
    return load_scenario(base), load_scenario(stop), read_posterior(_posterior(folder / "post"))


def test_a_toy_comparison_names_its_one_driving_assumption(toy: tuple[Any, Any, Any]) -> None:
    base, stop, posterior = toy
    comparison = compare_scenarios(
        base, [stop], runs=80, seed=5, executor="serial", progress=False, posterior=posterior
    )
    decided = comparison.to_json_dict()["scenarios"][0]["what_decides"]["arrived_people"]
    top = decided["top_driver"]
    assert top["input"] == "policy.toy_stop#0.stop_share" and top["kind"] == "assumption"
    assert top["share"] > 0.5
    assert "stop share (toy stop), an assumption" in decided["headline"]  # no internal name
    # every member of both scenarios ran with the same parameter set and random numbers
    draws = comparison.draws
    assert draws is not None and len(draws) == 80 and draws["rep"].tolist() == list(range(80))
    assert draws["policy.toy_stop#0.stop_share"].between(0, 0.9).all()
    # the difference shrinks as the assumed share falls: none at all at zero
    pairs = comparison.pairs[comparison.pairs["figure"] == "arrived_people"]
    share = draws.set_index("rep").loc[pairs["rep"], "policy.toy_stop#0.stop_share"].to_numpy()
    assert np.corrcoef(share, pairs["difference"].to_numpy())[0, 1] < -0.7
    assert comparison.to_json_dict()["posterior"] == str(posterior.path)
    # s12 U3: "what decides" names the assumption, so the rests-on sentence is not repeated;
    # s12 U4: the headline says the interval is the assumed range's width, not evidence
    from channelsim.reports.headlines import comparison_headline

    assert comparison.rests_on_text("stop") is None
    note = (
        "It is drawn over 0–0.9 (stated: 0.3), so the interval shows the width of that assumed "
        "range, not evidence; the answer at the stated value is the comparison without "
        "--posterior."
    )
    assert [d.note for d in comparison.headline_drivers("stop", ["arrived_people"])] == [note]
    assert note in " ".join(comparison_headline(comparison).split())


def test_paired_draws_are_the_same_whatever_the_executor(
    toy: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    base, _, posterior = toy  # worker processes know the built-in policies only
    path = tmp_path / "echr.toml"
    path.write_text(SCENARIO.format(name="echr", policy='[[policies]]\ntype = "echr_exit"\n'))
    stop = load_scenario(path)
    runs = [
        compare_scenarios(
            base,
            [stop],
            runs=6,
            seed=2,
            executor=executor,
            workers=2,
            progress=False,
            posterior=posterior,
        )
        for executor in ("serial", "processes")
    ]
    pd.testing.assert_frame_equal(runs[0].pairs, runs[1].pairs)
    pd.testing.assert_frame_equal(runs[0].draws, runs[1].draws)
    assert "policy.echr_exit#0.deterrence_elasticity" in runs[0].draws
    assert paired_draws(6, 2, posterior, []) == paired_draws(6, 2, posterior, [])
    assert paired_draws(6, 2, None, []) is None


def test_the_noise_shares_are_rbd_fast_s_own() -> None:
    from SALib.analyze import rbd_fast

    from channelsim.experiments.uncertainty import HARMONICS, first_order_shares

    rng = np.random.default_rng(3)
    x, y = rng.uniform(size=(40, 3)), rng.normal(size=40)
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    expected = rbd_fast.analyze(problem, x, y, M=HARMONICS, num_resamples=2, seed=0)["S1"]
    assert first_order_shares(x, y[:, None])[:, 0] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("runs", [14, 50, 100])
def test_pure_noise_names_no_driver(runs: int) -> None:
    """30 inputs that do nothing and a difference of pure noise: RBD-FAST's largest share
    is large at few runs (100% at 14), but no input is told from noise or headlined."""
    from channelsim.experiments.compare import Comparison
    from channelsim.experiments.uncertainty import what_decides

    rng = np.random.default_rng(runs)
    draws = [{f"p{j}": v for j, v in enumerate(row)} for row in rng.uniform(size=(runs, 30))]
    pairs = pd.DataFrame(
        {"scenario": "noise", "rep": range(runs), "figure": "arrived_people"}
        | {"difference": rng.normal(size=runs)}
    )
    drivers = what_decides(draws, pairs, {}, seed=1)
    comparison = Comparison(
        "base", 1, runs, ["noise"], {}, pairs, pd.DataFrame(), pd.DataFrame(), drivers=drivers
    )
    decided = comparison.what_decides("noise")["arrived_people"]
    assert decided["top_driver"] is None and decided["headline"] is None
    assert not any(s["above_noise"] for s in decided["shares"])
    assert comparison.headline_drivers("noise", ["arrived_people"]) == []
    # nothing is told from noise, whatever the runs: the JSON, the table and its note agree
    # (it said told_from_noise: true while every share was within noise)
    assert not decided["told_from_noise"]
    if runs < decided["runs_needed"]:  # no share shown: one line, with the runs needed
        assert not decided["enough_runs"] and comparison.decides_rows() == []
        assert f"run at least {decided['runs_needed']}" in str(comparison.decides_note())
        assert decided["noise_level"] > NEEDED_NOISE
    else:
        assert decided["enough_runs"] and decided["noise_level"] < NEEDED_NOISE
        assert "no input's share is told from noise" in str(comparison.decides_note())
        row = comparison.decides_rows()[0]
        drivers = [v for k, v in row.items() if k.startswith("driver") and CHANCE not in v]
        assert drivers and all("within noise" in v for v in drivers), row


def test_the_report_s_what_decides_table_is_compare_s(tmp_path: Path) -> None:
    """The report builds its table from comparison.json, the terminal from the comparison
    itself: both through one function, so the same comparison gives the same rows (figures
    by their labels, the largest shares first, the noise level)."""
    from channelsim.engine import all_results
    from channelsim.experiments.compare import Comparison, _summary
    from channelsim.experiments.summary import plain_json
    from channelsim.experiments.uncertainty import what_decides
    from channelsim.reports.build import decides_section
    from channelsim.reports.inputs import load_input

    rng = np.random.default_rng(8)
    runs = 60
    x = rng.uniform(size=(runs, 4))
    draws = [{f"p{j}": v for j, v in enumerate(row)} for row in x]
    pairs = pd.DataFrame(
        {"scenario": "stop", "rep": range(runs), "figure": "dead_or_missing_people"}
        | {"difference": 10 * x[:, 0] + rng.normal(0, 0.5, runs)}
    )
    difference = pairs["difference"].to_numpy()
    table = pd.DataFrame([_summary("stop", "dead_or_missing_people", difference)])
    comparison = Comparison(
        "base", 1, runs, ["stop"], {}, pairs, table, pd.DataFrame(), results=all_results(),
        drivers=what_decides(draws, pairs, {}, seed=1), period=("2025-01-01", "2025-12-31"),
    )  # fmt: skip
    rows = comparison.decides_rows()
    assert rows and rows[0]["figure"] == "Dead or missing (people)"
    assert rows[0]["driver 1"].startswith("p0 (calibrated)")
    (tmp_path / "comparison.json").write_text(json.dumps(plain_json(comparison.to_json_dict())))
    section, _ = decides_section(load_input(str(tmp_path)))
    assert section is not None
    assert section.tables[0].to_dict(orient="records") == rows


def test_a_posterior_sensitivity_names_the_one_driving_assumption(
    toy: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """``sensitivity --posterior``: the calibrated parameters drawn from the posterior's
    particles, the policy's assumption over its range, and the assumption that drives the
    arrivals named with most of their variance; the runs share one seed."""
    from channelsim.experiments import prepare
    from channelsim.experiments.sensitivity import run_posterior_sensitivity

    _, stop, _ = toy
    posterior = read_posterior(_posterior(tmp_path / "one", ["hazards.capsize_per_hour"]))
    result = run_posterior_sensitivity(
        prepare(stop), posterior, outputs=["arrived_people"], n_samples=64, seed=5,
        executor="serial", progress=False,
    )  # fmt: skip
    top = result.indices.sort_values("share").iloc[-1]
    assert top["parameter"] == "policy.toy_stop#0.stop_share" and top["kind"] == "assumption"
    assert top["share"] > 0.5 and top["above_noise"]
    assert (top["low"], top["high"]) == (0.0, 0.9)
    assert result.inputs is not None and len(result.samples()) == 64
    capsize = "hazards.capsize_per_hour"  # particles of the posterior, not the prior's range
    assert set(result.inputs[capsize]) == set(posterior.table[capsize])
    # one seed for every run: the same inputs give the same arrivals
    again = run_posterior_sensitivity(
        prepare(stop), posterior, outputs=["arrived_people"], n_samples=64, seed=5,
        executor="serial", progress=False,
    )  # fmt: skip
    pd.testing.assert_frame_equal(result.y, again.y)


@pytest.mark.parametrize(
    "command",
    [
        ["run", "scenarios/status-quo-2025.toml", "--runs", "2", "--runs-store", "runs"],
        [
            "compare",
            "scenarios/status-quo-2025.toml",
            "scenarios/doctrine-territorial.toml",
            "--runs-store",
            "runs",
        ],
        ["sensitivity", "scenarios/status-quo-2025.toml"],
    ],
)
def test_a_bad_posterior_folder_is_one_line_naming_the_option(
    command: list[str], tmp_path: Path, run_cli: Any
) -> None:
    root = Path(__file__).resolve().parent.parent
    named = {"runs": tmp_path / "runs.duckdb"}
    args = [root / a if a.startswith("scenarios/") else named.get(a, a) for a in command]
    for folder, expected in (
        (tmp_path / "missing", "missing: no such folder (here: "),
        (root / "scenarios", "posterior.toml: file not found (expected in a posterior folder)"),
    ):
        result = run_cli(*args, "--posterior", folder)
        assert result.exit_code == 2, result.stderr
        line = result.stderr.strip()
        assert line.startswith("error: --posterior: ") and expected in line
        assert len(line.splitlines()) == 1


def test_without_a_posterior_the_answer_names_the_assumptions_it_rests_on(
    toy: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """A comparison without --posterior says, in the terminal's headline, the JSON and the
    report, which assumptions of the policies it changes its answer rests on, at their
    stated values and with their ranges, and that --posterior shows how much they decide;
    a policy the base has too is not what the answer rests on."""
    from channelsim.reports.headlines import comparison_headline, comparison_headlines
    from channelsim.reports.inputs import load_input

    base, stop, posterior = toy
    both = stop.with_changes(name="stop-again")  # the same policy in base and scenario
    comparison = compare_scenarios(base, [stop], runs=2, seed=5, executor="serial", progress=False)
    text = comparison.to_json_dict()["scenarios"][0]["rests_on"]["text"]
    assert "rests on assumptions" in text
    assert "stop share (toy stop) 0.3 (assumed to lie in 0–0.9)" in text
    assert "--posterior DIR" in text
    assert text in comparison_headline(comparison)
    folder = comparison.write(tmp_path / "cmp")
    assert any(text in line for line in comparison_headlines(load_input(str(folder))))
    same = compare_scenarios(stop, [both], runs=2, seed=5, executor="serial", progress=False)
    assert same.to_json_dict()["scenarios"][0]["rests_on"]["text"] is None
    measured = compare_scenarios(
        base, [stop], runs=2, seed=5, executor="serial", progress=False, posterior=posterior
    )
    # s12 U3: with a posterior the sentence was dropped even when "what decides" could not
    # tell any share from noise (here 2 runs): now it says they were drawn, and that
    drawn = measured.rests_on_text("stop")
    assert drawn is not None and drawn.startswith(
        "This answer rests on assumptions that no source pins down, drawn over the ranges they "
        "are assumed to lie in (each named at its stated value): stop share (toy stop) 0.3 "
        '(assumed to lie in 0–0.9). At 2 runs "what decides this answer" cannot tell how '
        "much each decides it"
    ), drawn
    assert drawn in comparison_headline(measured)
    assert measured.to_json_dict()["scenarios"][0]["rests_on"]["assumptions"] == []


def test_a_policy_written_differently_but_acting_the_same_is_not_a_change() -> None:
    """The explorer writes every policy of the base out again (no `source` text, defaults
    spelled out): only the policy whose options differ is what the answer rests on (the
    README screenshot listed Rwanda's and one in, one out's assumptions for a change to the
    doctrine)."""
    from channelsim.experiments.uncertainty import changed_assumptions

    root = Path(__file__).resolve().parent.parent
    base = load_scenario(root / "scenarios" / "status-quo-2025.toml")
    rewritten = []
    for spec in base.policies:
        params = dict(spec.params)
        if spec.name == "one_in_one_out":
            params["max_wait_days"] = 30
        rewritten.append(spec.model_copy(update={"source": None, "params": params}))
    scenario = base.with_changes(name="explored", policies=rewritten)
    named = {a.policy for a in changed_assumptions(scenario, base)}
    assert named == {"one_in_one_out"}


def test_taking_a_policy_away_rests_on_what_the_base_assumed_it_did() -> None:
    """Unticking one in, one out on the 2025 status quo answered "no change in arrivals,
    £4.2m less" with no word of the unmeasured assumptions that answer rests on (ticking a
    policy gave them): the base's assumptions of the policy taken away are named too."""
    from channelsim.experiments.uncertainty import assumptions_sentence, changed_assumptions

    root = Path(__file__).resolve().parent.parent
    base = load_scenario(root / "scenarios" / "status-quo-2025.toml")
    kept = [spec for spec in base.policies if spec.type != "one_in_one_out"]
    assert len(kept) < len(base.policies)
    scenario = base.with_changes(name="explored", policies=kept)
    found = changed_assumptions(scenario, base)
    assert found and {a.policy for a in found} == {"one_in_one_out"}
    text = assumptions_sentence(
        [{"input": a.key, "stated": a.stated, "low": a.low, "high": a.high} for a in found]
    )
    assert "rests on assumptions" in text and "(one in one out)" in text


def test_a_policy_outside_the_period_has_no_assumption_drawn() -> None:
    """Rwanda (April 2022 to July 2024) in a 2025 run decides nothing: its deterrence is not
    an input of the 2025 comparison (the trial found it named 'driver 1' at 31%, noise)."""
    from channelsim.experiments.uncertainty import scenario_assumptions

    folder = Path(__file__).resolve().parent.parent / "scenarios"

    def policies(name: str) -> set[str]:
        return {a.policy for a in scenario_assumptions(load_scenario(folder / name))}

    # history's Rwanda removed nobody (capacity 0), so it rests on nothing at all (s13 U17);
    # removing people it rests on its deterrence in history, not in a 2025 run
    assert "rwanda" not in policies("history.toml")
    history = load_scenario(folder / "history.toml")
    removes = {"capacity_people_per_year": 1000, "eligible_share": 1.0}
    specs = tuple(
        spec.model_copy(update={"params": {**spec.params, **removes}})
        if spec.name == "rwanda"
        else spec
        for spec in history.policies
    )
    removing = history.with_changes(policies=specs)
    assert "rwanda" in {a.policy for a in scenario_assumptions(removing)}
    in_2025 = removing.with_changes(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert "rwanda" not in {a.policy for a in scenario_assumptions(in_2025)}
    assert "rwanda" not in policies("status-quo-2025.toml")
    assert "one_in_one_out" in policies("status-quo-2025.toml")


@pytest.mark.parametrize("seed", range(6))
def test_the_runs_advised_tell_a_deciding_input_from_noise(seed: int) -> None:
    """At the runs advised, an input that explains about 60% of a difference's variance
    is told from noise and headlined (the advice was 32 runs for 8 inputs, where the noise
    level was 45-58% and such an input was often marked within noise)."""
    from channelsim.experiments.uncertainty import HEADLINE_SHARE

    inputs = 8
    runs = runs_needed(inputs)
    rng = np.random.default_rng([seed, 41])
    x = rng.uniform(size=(runs, inputs))
    y = x[:, 0] + rng.normal(scale=0.19, size=runs)  # x0: 1/12 of 0.119, about 70%
    shares = variance_shares(pd.DataFrame(x, columns=[f"p{j}" for j in range(inputs)]), y, seed)
    top = shares[0]
    assert top["input"] == "p0" and top["share"] > HEADLINE_SHARE
    assert top["above_noise"], top  # at 32 runs, 5 of these 6 samples were within noise


def test_the_same_assumption_of_two_policies_is_named_once() -> None:
    """doctrine-territorial against the 2025 status quo adds a maritime doctrine and drops the
    doctrine as signed, whose assumptions are the same: the sentence named each of the three
    twice, under the two policies' names."""
    from channelsim.experiments.uncertainty import assumptions_sentence, changed_assumptions

    folder = Path(__file__).resolve().parent.parent / "scenarios"
    base = load_scenario(folder / "status-quo-2025.toml")
    territorial = load_scenario(folder / "doctrine-territorial.toml")
    # s12 U9: the doctrine as signed acts before boarding: its at-sea assumptions never act,
    # and the answer does not rest on them; the same doctrine at sea in both names them once
    assert {a.policy for a in changed_assumptions(territorial, base)} == {"maritime_doctrine#0"}
    at_sea = [spec.model_copy(update={"params": {**spec.params, "area": "shallow"}})
              if spec.name == "doctrine_as_signed" else spec
              for spec in base.policies]  # fmt: skip
    base_at_sea = base.with_changes(policies=[s.model_dump() for s in at_sea])
    found = changed_assumptions(territorial, base_at_sea)
    assert {a.policy for a in found} == {"maritime_doctrine#0", "doctrine_as_signed"}
    text = assumptions_sentence(
        [{"input": a.key, "stated": a.stated, "low": a.low, "high": a.high} for a in found]
    )
    assert text.count("compliance probability") == 1, text
    assert "compliance probability (maritime doctrine and doctrine as signed) 0.3 " in text
    assert text.count("(assumed to lie in") == len(found) // 2


def test_one_assumption_at_two_precisions_is_named_once() -> None:
    """The base's retry probability 0.0213 and a scenario's default 2/94 read "retry
    probability (one in one out) 0.0212766 …; retry probability (one in one out) 0.0213":
    stated values are written to three significant figures and named once."""
    from channelsim.experiments.uncertainty import assumptions_sentence

    key = "policy.one_in_one_out.retry_probability"
    text = assumptions_sentence(
        [{"input": key, "stated": s, "low": 0.0, "high": 0.5} for s in (2 / 94, 0.0213)]
    )
    assert text.count("retry probability") == 1 and "0.0213 (assumed" in text, text


def test_an_assumption_is_drawn_with_its_stated_value_as_the_median() -> None:
    """s12 U4: uniform draws on a lopsided range (capsize per intervention 0.005 in
    0.001–0.03; deterrence 0 in 0–1) moved the answer off the stated one. Now half the draws
    lie below the stated value and half above, each half uniform; a stated value at the low
    end holds half the draws; without a stated value, uniform."""
    from channelsim.experiments.uncertainty import Assumption, paired_draws

    capsize = Assumption("doctrine", "capsize", 0.001, 0.03, False, 0.005)
    assert [capsize.value(u) for u in (0.0, 0.25, 0.5, 0.75, 1.0)] == pytest.approx(
        [0.001, 0.003, 0.005, 0.0175, 0.03]
    )
    deterrence = Assumption("removal", "deterrence", 0.0, 1.0, False, 0.0)
    assert deterrence.value(0.3) == 0.0 and deterrence.value(0.75) == pytest.approx(0.5)
    unstated = Assumption("p", "x", 0.0, 1.0, False)
    assert unstated.value(0.3) == pytest.approx(0.3)
    draws = paired_draws(200, 7, None, [capsize, deterrence])
    assert draws is not None
    values = pd.DataFrame(draws)
    assert (values[capsize.key] < 0.005).mean() == 0.5  # the Latin hypercube: exactly half
    assert values[capsize.key].between(0.001, 0.03).all()
    assert (values[deterrence.key] == 0.0).mean() == pytest.approx(0.5, abs=0.01)


def test_a_pair_s_draws_do_not_depend_on_the_other_scenarios_compared(
    toy: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """s12 U15: one Latin hypercube over every scenario's assumptions made a pair's answer
    depend on the other scenarios of the command (doctrine-territorial's deaths +268.5 alone,
    +292 with echr-exit beside it). Each assumption's column now has a stream of its own:
    the same with or without other assumptions, still one draw in each of the runs' strata."""
    from channelsim.experiments.uncertainty import Assumption, paired_draws

    a = Assumption("p", "a", 0.0, 1.0, False)
    b = Assumption("q", "b", 0.0, 1.0, False)
    alone, both = paired_draws(40, 3, None, [a]), paired_draws(40, 3, None, [b, a])
    assert alone is not None and both is not None
    assert [d[a.key] for d in alone] == [d[a.key] for d in both]
    assert sorted(int(d[a.key] * 40) for d in both) == list(range(40))  # stratified
    assert [d[b.key] for d in both] != [d[a.key] for d in both]
    base, stop, posterior = toy
    path = tmp_path / "echr.toml"
    path.write_text(SCENARIO.format(name="echr", policy='[[policies]]\ntype = "echr_exit"\n'))
    echr = load_scenario(path)
    pairs = [
        compare_scenarios(
            base, others, runs=6, seed=2, executor="serial", progress=False, posterior=posterior
        ).pairs
        for others in ([stop], [stop, echr])
    ]
    mine = [p[p["scenario"] == "stop"].reset_index(drop=True) for p in pairs]
    pd.testing.assert_frame_equal(mine[0], mine[1])


def test_a_what_if_runs_figures_say_what_they_rest_on(run_cli: Any) -> None:
    """s13 U14: `run doctrine-territorial` gave 144 dead or missing with no word of the
    capsize risk at sea they rest on, which `compare` names; s13 U11: its extra cost rests
    on assumed unit costs (a patrol boat's day, a removal), which were not said either."""
    from channelsim.experiments.uncertainty import (
        cost_assumptions_text,
        what_if_assumptions_text,
    )

    folder = Path(__file__).resolve().parent.parent / "scenarios"
    doctrine = load_scenario(folder / "doctrine-territorial.toml")
    rests = what_if_assumptions_text(doctrine)
    assert rests is not None
    assert "capsize probability per intervention (maritime doctrine) " in rests
    assert "search efficiency (maritime doctrine) 1 (assumed to lie in 0.045–1)" in rests
    costs = cost_assumptions_text(doctrine)
    assert costs is not None and "cost per boat day (maritime doctrine) £8,000" in costs
    assert "cost per removal (one in one out) £20,000 (assumed to lie in £5,000–£50,000)" in costs
    # as signed the doctrine's boats are France's: the status quo's cost rests on removals only
    status_quo = cost_assumptions_text(load_scenario(folder / "status-quo-2025.toml"))
    assert status_quo is not None and "maritime doctrine" not in status_quo
    result = run_cli("run", "doctrine-territorial", "--to", "2025-01-31", "--runs", "2")
    said = " ".join(result.stdout.split())
    assert result.exit_code == 0 and "These figures rest on assumptions" in said
    assert "The extra cost rests on unit costs that no source gives" in said
    record = run_cli("run", "status-quo-2025", "--to", "2025-01-31", "--runs", "2")
    assert "These figures rest on" not in " ".join(record.stdout.split())
