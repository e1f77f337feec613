"""The explorer's library side: controls generated from the definitions, settings as a
scenario file and a link, comparisons with progress, cancel and a cache (the browser test is
test_explore_browser.py)."""

from __future__ import annotations

import base64
import io
import json
import time
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from channelsim.errors import InputError
from channelsim.explore import Explorer, Settings
from channelsim.explore.app import _tag, check_value, collect
from channelsim.explore.controls import (
    parameter_controls,
    plain_text,
    policy_controls,
    policy_types,
)
from channelsim.explore.jobs import Job
from channelsim.explore.settings import PolicySetting, shipped_scenarios
from channelsim.params import list_parameters
from channelsim.scenario import load_scenario, scenario_from_dict


def test_every_parameter_has_its_control_with_the_definitions_text() -> None:
    controls = {c.key: c for group in parameter_controls().values() for c in group}
    infos = list_parameters()
    assert len(controls) == len(infos)
    for info in infos:
        control = controls[f"params.{info.path}"]
        assert (control.unit, control.low, control.high) == (info.unit, info.ge, info.le)
        assert control.help == plain_text(info.description) and control.source == info.source


def test_policy_controls_come_from_the_policy_fields() -> None:
    assert set(policy_types()) >= {"maritime_doctrine", "beach_patrols", "one_in_one_out"}
    doctrine = {c.key.rsplit(".", 1)[1]: c for c in policy_controls("maritime_doctrine")}
    # labelled as readers read them, with units, from the field's name; the key kept
    assert (doctrine["speed_kn"].label, doctrine["speed_kn"].unit) == ("speed", "kn")
    assert doctrine["patrol_boats"].heading == "patrol boats"
    assert doctrine["patrol_boats"].scenario_key == "[policies.params] patrol_boats"
    assert doctrine["cost_gbp_per_boat_day"].heading == "cost (£ per boat day)"
    engine = next(c for c in parameter_controls()["sea"] if c.key.endswith("engine_speed_kn"))
    assert engine.heading == "engine speed (kn)"
    assert engine.scenario_key == "[params.sea] engine_speed_kn"
    assert doctrine["area"].choices == ("pre_boarding", "waterways", "shallow", "territorial")
    assert doctrine["patrol_boats"].kind == "integer"
    assert (doctrine["patrol_boats"].low, doctrine["patrol_boats"].high) == (0, 200)
    assert doctrine["speed_kn"].exclusive_low and doctrine["speed_kn"].sourced
    assert check_value("policies.maritime_doctrine.patrol_boats", 201) == (
        "maritime doctrine, patrol boats: expected ≥ 0 and ≤ 200, got 201"
    )
    assert check_value("policies.maritime_doctrine.patrol_boats", 8) == ""
    assert check_value("policies.maritime_doctrine.speed_kn", 0) == (
        "maritime doctrine, speed (kn): expected > 0 and ≤ 50, got 0"
    )
    # an assumption the policy declares is tagged as one (no source), not "see docs/model.md"
    capsize = doctrine["capsize_probability_per_intervention"]
    assert capsize.sourced and capsize.source is None


def test_policy_tags_come_from_the_declarations() -> None:
    """Every built-in policy field is tagged from its declaration: "sourced" with its source
    on hover, or "assumption" with what it rests on and its plausible range; a number has
    its unit. Only a field whose policy declares nothing says it records no source."""
    from channelsim.engine.policy import BUILTIN_POLICIES

    for kind in BUILTIN_POLICIES:  # not a plug-in another test registered
        for control in policy_controls(kind):
            assert control.sourced, control.key
            if control.kind in ("number", "integer"):
                assert control.unit, control.key
    doctrine = {c.key.rsplit(".", 1)[1]: c for c in policy_controls("maritime_doctrine")}
    patrols = _tag(doctrine["patrol_boats"])
    assert (patrols.children, patrols.title) == (
        "assumption",
        "No source: an assumption (facts.md: French SAR has 6 ships); plausible 2 to 15.",
    )
    assert doctrine["hours_on_station"].heading == "hours on station (h)"
    assert doctrine["max_people_aboard"].unit == "people"
    cost = _tag(doctrine["cost_gbp_per_boat_day"])
    assert cost.children == "assumption" and "plausible 4000 to 20000" in cost.title
    pre = _tag(doctrine["pre_boarding_interception_probability"])
    assert pre.children == "sourced" and "africanews.com" in pre.title
    returns = {c.key.rsplit(".", 1)[1]: c for c in policy_controls("one_in_one_out")}
    eligible = _tag(returns["eligible_share"])
    assert eligible.children == "assumption" and "plausible 0.4 to 0.8" in eligible.title
    assert returns["deterrence_elasticity"].unit == "inflow share per share removed"
    # s12 U11: 2 of 94 gives the stated value; the range drawn over is an assumption
    retry = _tag(returns["retry_probability"])
    assert retry.children == "assumption" and "2 of the first 94" in retry.title


def test_a_policy_without_declarations_says_it_records_no_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import Field as PydanticField

    from channelsim.engine.policy import Policy
    from channelsim.explore import controls

    class Undeclared(Policy):
        stop_share: float = PydanticField(default=0.5, ge=0, le=1)

    monkeypatch.setattr(controls, "_policy_class", lambda kind: Undeclared)
    [control] = policy_controls("undeclared")
    assert not control.sourced and control.unit == "share"
    assert _tag(control).children == "no source declared"


def _doctrine(runs: int = 2) -> Settings:
    settings = Settings.starting("status-quo-2025", "status-quo-2025")
    settings.runs = runs
    settings.policies["maritime_doctrine"] = PolicySetting(on=True, params={"patrol_boats": 8})
    return settings


def test_the_toml_is_the_scenario_compared_and_the_link_reopens_the_settings() -> None:
    settings = _doctrine()
    settings.params = {"sea.engine_speed_kn": 6.25}
    base, changed = settings.scenarios()
    text = settings.scenario_toml()
    assert scenario_from_dict(tomllib.loads(text)) == changed
    assert changed.params.sea.engine_speed_kn == 6.25
    # the shipped entries as they are (history's drivers, the policies in force in 2025 and
    # Rwanda, cancelled in July 2024, unticked and kept as it is), then the doctrine set
    assert changed.policies[:-1] == base.policies
    assert (changed.policies[-1].type, changed.policies[-1].params) == (
        "maritime_doctrine",
        {"patrol_boats": 8},
    )
    assert base == load_scenario(shipped_scenarios()["status-quo-2025"])
    assert Settings.from_query(settings.to_query()) == settings
    assert Settings.from_query("") is None
    with pytest.raises(InputError, match="link"):
        Settings.from_query("?s=not-base64-json!")
    # a hand-edited link: an unknown policy type failed the page's layout (HTTP 500), an
    # unknown parameter was dropped and the run went ahead without it
    for changes, said in [
        ({"policies": {"laser_wall": {"on": True, "params": {}}}},
         "link, policy 'laser_wall': unknown policy type; expected settings"),
        ({"params": {"sea.engine_speed_knots": 9}},
         "link, parameter 'sea.engine_speed_knots': unknown parameter; did you mean "
         "sea.engine_speed_kn?"),
        ({"params": [1]}, "link, params: expected a table of parameters"),
        ({"policies": {"beach_patrols": {"on": True, "start": "2025-13-01"}}},
         "link, policy 'beach_patrols', start: expected a date YYYY-MM-DD, got '2025-13-01'"),
        ({"policies": {"beach_patrols": {"on": "no"}}},
         "link, policy 'beach_patrols', on: expected true or false, got 'no'"),
        # a policy's unknown parameter failed only at Run; a value of the wrong kind or out
        # of range (area 7) was replaced by the page's own without a word
        ({"policies": {"maritime_doctrine": {"on": True, "params": {"warp": 3}}}},
         "link, policy 'maritime_doctrine', params.warp: unknown key; expected one of area, "),
        ({"policies": {"maritime_doctrine": {"on": True, "params": {"area": 7}}}},
         "link, policy 'maritime_doctrine', params.area: expected one of 'pre_boarding', "
         "'waterways', 'shallow' or 'territorial', got 7; expected settings written by the "
         "explorer"),
        ({"policies": {"beach_patrols": {"on": False, "params": {"start": "2025-01-01"}}}},
         "link, policy 'beach_patrols', params.start: unknown key (the policy's window is its "
         "start and end)"),
        ({"policies": {"one_in_one_out": {"params": {"weekly_cap_people": -5}}}},
         "link, policy 'one_in_one_out', params.weekly_cap_people: expected a number ≥ 0, "
         "got -5"),
        # a link's keys set `type` and ran an ECHR exit under the doctrine's label and the
        # status quo's description; `base` and `replaces` went into the downloaded TOML
        ({"policies": {"maritime_doctrine": {"on": True, "keys": {"type": "echr_exit"}}}},
         "link, policy 'maritime_doctrine', type: expected only name and source among a "
         "policy's keys, others as the shipped scenario has them (its type is its entry's, "
         "its window its start and end)"),
        # a policy's `replaces` the shipped scenario does not give it
        ({"policies": {"maritime_doctrine": {"on": True, "keys": {"replaces": "rwanda"}}}},
         "link, policy 'maritime_doctrine', replaces: expected only name and source"),
        ({"base": ["x"]}, "link, base: expected a scenario's name, got ['x']"),
        ({"start_from": {"a": 1}}, "link, start_from: expected a scenario's name, got {'a': 1}"),
        ({"policies": {"maritime_doctrine": {"on": True, "keys": {"base": "/etc/passwd"}}}},
         "link, policy 'maritime_doctrine', base: expected only name and source"),
    ]:  # fmt: skip
        with pytest.raises(InputError) as caught:
            Settings.from_query("?s=" + _encoded({**settings.to_json(), **changes}))
        assert said in str(caught.value)


def test_every_shipped_scenario_s_own_settings_pass_the_link_check() -> None:
    """The link check allowed only name and source among a policy's keys, and the page's
    own settings of the six doctrine scenarios keep `replaces = "doctrine_as_signed"`: Run
    (which reads the page through the same check) and their links were refused (s13 B11).
    A key the shipped entry has, as it has it, passes; the same key changed does not."""
    replaced = 0
    for name in shipped_scenarios():
        settings = Settings.starting(name)
        again = Settings.from_query(settings.to_query())
        assert again is not None and again.to_json() == settings.to_json(), name
        collect(settings.to_json(), settings.base, 4, "", [], [], [], [])
        for key, policy in settings.policies.items():
            if "replaces" not in policy.keys:
                continue
            replaced += 1
            forged = settings.to_json()
            forged["policies"][key]["keys"]["replaces"] = "rwanda"
            with pytest.raises(InputError, match=f"policy '{key}', replaces: expected only"):
                Settings.from_json(forged)
            # left out, it ran the doctrine without its common random numbers (s13 re-trial)
            del forged["policies"][key]["keys"]["replaces"]
            with pytest.raises(InputError, match=f"policy '{key}', replaces: expected only"):
                Settings.from_json(forged)
    assert replaced >= 6  # the doctrine scenarios


def test_shipped_scenarios_reopen_as_they_are() -> None:
    """Each shipped scenario as it is: the policies its timeline has ended before (or not
    started by) its period are unticked on the page, as they act on no day of it, and kept in
    the scenario compared as the shipped one has them (left out, a page that ticked taxi boats
    alone said "Part of what this scenario changes cannot act: the base's rwanda")."""
    for name, path in shipped_scenarios().items():
        settings = Settings.starting(name, name)
        _, changed = settings.scenarios()
        shipped = load_scenario(path)
        assert changed.policies == shipped.policies and changed.params == shipped.params, name


def test_the_policies_ticked_for_a_year_are_those_its_timeline_has_in_force() -> None:
    """2025 as it happened: Rwanda (April 2022 to its cancellation on 22 July 2024) is off;
    one in, one out (from 5 Aug 2025) and the doctrine as signed (25 Nov 2025) are on; the
    whole history ticks Rwanda."""
    ticked = {k: v.on for k, v in Settings.starting("status-quo-2025").policies.items()}
    assert ticked["third_country_removal:rwanda"] is False
    assert ticked["one_in_one_out:one_in_one_out"]
    assert ticked["maritime_doctrine:doctrine_as_signed"]
    history = Settings.starting("history").policies
    assert history["third_country_removal:rwanda"].on
    assert history["third_country_removal:rwanda"].end == "2024-07-22"


def test_a_lapsed_policy_ticked_starts_from_a_what_if_not_from_its_history() -> None:
    """The s10 user trial ticked the Rwanda scheme on 2025 as it happened and read "extra
    cost of policies: £490m more; no change": the page had kept the timeline's values (no
    places, the £370m + £120m paid in 2022-24). It now starts from rwanda-removal's
    what-if (1,000 places a year at £169,000 a person and, since s13 U4, the scheme's fixed
    payments at history's rate, £215.37m a year) and acts over the whole period."""
    settings = Settings.starting("status-quo-2025")
    rwanda = settings.policies["third_country_removal:rwanda"]
    assert rwanda.params == {
        "capacity_people_per_year": 1000,
        "cost_gbp_per_removal": 169000,
        "fixed_cost_gbp_per_year": 215370036,
    }
    rwanda.on = True
    _, changed = settings.scenarios()
    ticked = next(p for p in changed.policies if p.name == "rwanda")
    assert ticked.start is None and ticked.end is None
    assert ticked.params["capacity_people_per_year"] == 1000
    assert ticked.params.get("fixed_payments_gbp", 0) == 0


def test_collect_reads_the_page_and_names_a_bad_control() -> None:
    start = Settings.starting("status-quo-2025").to_json()
    key = "policies.maritime_doctrine.patrol_boats"
    settings = collect(start, "status-quo-2025", 3, "", [{"key": key}], [9], [], [])
    assert settings.runs == 3 and settings.seed is None
    with pytest.raises(InputError, match=r"^maritime doctrine, patrol boats: .* got 900$"):
        collect(start, "status-quo-2025", 3, "", [{"key": key}], [900], [], [])
    for runs in (2.5, 1, 0, 501, "", None):
        with pytest.raises(InputError, match=r"^Paired runs: expected a whole number from 2 "):
            collect(start, "status-quo-2025", runs, "", [], [], [], [])
    for seed in (-3, 2.5, 2**63, "abc"):
        with pytest.raises(InputError, match=r"^Seed: expected a whole number from 0 to "):
            collect(start, "status-quo-2025", 3, seed, [], [], [], [])
    assert collect(start, "status-quo-2025", 3, "9223372036854775807", [], [], [], []).seed == (
        2**63 - 1
    )
    # every bad box is named, not the first alone
    with pytest.raises(InputError) as raised:
        collect(start, "status-quo-2025", 1, "abc", [{"key": key}], [900], [], [])
    message = str(raised.value)
    assert message.startswith("Paired runs: expected") and "Seed: expected" in message
    assert "maritime doctrine, patrol boats: " in message and "got 900" in message


def test_every_bad_value_is_named_by_its_label_with_what_was_given_and_expected() -> None:
    from channelsim.explore.app import runs_message, seed_message

    assert runs_message(0) == "Paired runs: expected a whole number from 2 to 500, got 0"
    assert runs_message(None).endswith("got an empty box")
    assert runs_message(2.5).endswith("got 2.5") and runs_message(50) == ""
    expected = "Seed: expected a whole number from 0 to 9,223,372,036,854,775,807 (2^63 − 1)"
    assert seed_message(-3).startswith(expected) and seed_message(-3).endswith(
        ", got -3: out of that range"
    )
    assert seed_message(None) == "" and seed_message(7) == "" and seed_message("7") == ""
    # typed into the (text) box: 'abc' is named, not taken for an empty box (the base's seed)
    assert seed_message("abc").startswith(expected)
    assert seed_message("abc").endswith(", got abc: not a whole number")
    # a 20-digit seed is read exactly and refused with the range, not echoed as 1e+19
    assert seed_message("12345678901234567890").endswith(
        ", got 12,345,678,901,234,567,890: out of that range"
    )
    key = "policies.maritime_doctrine:doctrine_as_signed.patrol_boats"
    assert check_value(key, 2.5) == (
        "maritime doctrine (doctrine as signed), patrol boats: expected a whole number, got 2.5"
    )
    assert check_value("params.sea.engine_speed_kn", None) == (
        "sea parameters, engine speed (kn): expected ≥ 1 and ≤ 15, got an empty box"
    )


def _wait(job: Job) -> None:
    for _ in range(3000):  # a shared, loaded machine: up to 5 minutes
        if job.state in ("done", "failed", "cancelled"):
            return
        time.sleep(0.1)
    raise AssertionError("the comparison did not finish")


def test_a_comparison_reports_progress_answers_from_the_cache_and_cancels() -> None:
    explorer = Explorer(executor="serial")
    settings = _doctrine()
    job = explorer.submit(settings)
    _wait(job)
    assert job.state == "done" and (job.done, job.total) == (4, 4) and not job.cached
    assert job.answer is not None
    assert set(job.answer.results.key()) <= set(job.answer.table["figure"])
    from openpyxl import load_workbook

    from channelsim.explore.answer import workbook_bytes

    book = load_workbook(io.BytesIO(workbook_bytes(job.answer)))
    assert book.sheetnames == ["README", "comparison"]
    # the README sheet says what was compared (s11 trial T20): headline, period, the change
    # from the starting scenario and the command that reproduces it
    about = [str(r[0]) for r in book["README"].iter_rows(values_only=True) if r and r[0]]
    assert any(line.startswith("Headline: status-quo-2025-explored") for line in about)
    assert "Period: 2025." in about
    assert any("maritime doctrine" in line for line in about if line.startswith("Scenario"))
    assert any(line.startswith("Command: channelsim compare scenarios/status-quo-2025.toml")
               for line in about)  # fmt: skip
    # the downloaded CSV is comparison.csv's table: its headings, numbers and credit
    from channelsim.explore.answer import results_csv

    text = results_csv(job.answer)
    header = text.splitlines()[0].split(",")
    assert header[:5] == ["Scenario", "Figure", "Label", "Unit", "difference from base: median"]
    assert header[-1] == "Source" and "MIT licence" in text and "seed 2025" in text
    assert [c.value for c in book["comparison"][1]] == header
    # the download, as comparison.csv is written: with the byte-order mark Excel needs for
    # "£" (it read "Â£" without it, s13 U8)
    from channelsim.explore.answer import results_csv_bytes

    assert results_csv_bytes(job.answer) == b"\xef\xbb\xbf" + text.encode("utf-8")
    assert job.answer.comparison.daily.empty  # the page keeps monthly quantiles, not days
    assert job.answer.comparison.boats is None  # the map's boat logs: made when drawn
    assert set(job.answer.boat_logs()["scenario"]) == {
        "status-quo-2025",
        "status-quo-2025-explored",
    }
    again = explorer.submit(_doctrine())
    assert again.state == "done" and again.cached and again.answer is job.answer
    other = _doctrine()
    other.seed = 11
    cancelled = explorer.submit(other)
    cancelled.cancel_event.set()
    _wait(cancelled)
    assert cancelled.state == "cancelled" and explorer.answer(cancelled.key) is None


def test_a_failed_run_is_one_line() -> None:
    explorer = Explorer(executor="serial")
    settings = _doctrine()
    settings.policies["beach_patrols"] = PolicySetting(on=True)  # no budget given
    job = explorer.submit(settings)
    _wait(job)
    assert job.state == "failed" and job.error is not None and "\n" not in job.error
    assert "funding_gbp_per_year" in job.error


def test_named_policy_entries_keep_their_names_and_keys() -> None:
    settings = _doctrine()
    settings.policies["maritime_doctrine:at_sea"] = PolicySetting(
        on=True, params={"area": "territorial"}, keys={"name": "at_sea"}
    )
    _, changed = settings.scenarios()
    assert [(p.type, p.name) for p in changed.policies[-2:]] == [
        ("maritime_doctrine", None),
        ("maritime_doctrine", "at_sea"),
    ]
    key = "policies.maritime_doctrine:at_sea.patrol_boats"
    assert check_value(key, 3) == ""
    assert check_value(key, 300).startswith("maritime doctrine (at sea), patrol boats: expected")


def test_the_posterior_is_part_of_the_question_the_command_and_the_link() -> None:
    settings = _doctrine()
    plain = settings.cache_key()
    settings.posterior = "calibration/posterior-2022-2025"
    assert settings.cache_key() != plain
    assert settings.command("base.toml", "this.toml").endswith(
        "--posterior calibration/posterior-2022-2025"
    )
    assert "--posterior calibration/posterior-2022-2025" in settings.scenario_toml()
    assert Settings.from_query(settings.to_query()) == settings
    start = Settings.starting("status-quo-2025").to_json()
    ticked = collect(start, "status-quo-2025", 3, "", [], [], [], [], "calibration/p")
    assert ticked.posterior == "calibration/p"
    assert collect(start, "status-quo-2025", 3, "", [], [], [], []).posterior is None


def test_the_shipped_posterior_is_the_one_the_defaults_were_written_from(tmp_path: Path) -> None:
    from channelsim.experiments.calibrate import defaults_posterior_name, shipped_posterior
    from channelsim.params import calibration_defaults_path

    defaults = calibration_defaults_path()
    assert defaults is not None
    name = defaults_posterior_name(defaults.read_text(encoding="utf-8"))
    found = shipped_posterior()
    assert name is not None and found is not None and found.name == name
    assert shipped_posterior([tmp_path]) is None  # not there: the page offers no posterior
    assert defaults_posterior_name("# no header\n") is None


def test_a_posterior_comparison_shows_its_intervals_kind_and_what_decides() -> None:
    from channelsim.experiments.calibrate import shipped_posterior
    from channelsim.experiments.uncertainty import MIN_MEMBERS
    from channelsim.explore import answer as words
    from channelsim.explore import app
    from channelsim.explore.jobs import compute
    from channelsim.headline import lead_figures

    folder = shipped_posterior()
    assert folder is not None
    settings = _doctrine(runs=MIN_MEMBERS)
    weather = compute(settings, executor="serial")
    assert words.interval_kind(weather) == (
        "Intervals: weather and chance only (the parameters fixed at the values set here, the "
        "defaults where none is changed)."
    )  # it read "weather noise only — weather and chance only", then "... at their defaults"
    assert words.decides_rows(weather) == []
    settings.posterior = str(folder)
    answer = compute(settings, executor="serial")
    assert answer.comparison.posterior == str(folder)
    assert words.interval_kind(answer).startswith("Intervals: calibrated parameters")
    decided = answer.comparison.to_json_dict()["scenarios"][0]["what_decides"]
    # the fewest runs that give shares are too few to tell any from noise: no share shown,
    # one line with the runs needed, and the headline names no driver
    assert decided and words.decides_rows(answer) == []
    note = answer.comparison.decides_note()
    needed = max(d["runs_needed"] for d in decided.values())
    assert note is not None and f"run at least {needed} (--runs {needed})" in note
    view = app.decides_view(answer)
    assert len(view) == 1 and view[0].children == note
    for figure in decided.values():
        assert figure["runs"] == MIN_MEMBERS < figure["runs_needed"]
        assert not figure["told_from_noise"] and figure["top_driver"] is None
    assert "depends mostly on" not in words.headline(answer)
    assert answer.comparison.headline_drivers(answer.name, lead_figures(answer.results.key())) == []


def test_kept_members_give_the_same_bits_and_spare_the_base_a_second_run() -> None:
    from channelsim.explore.jobs import MemberCache, compute

    members = MemberCache()
    first = compute(_doctrine(runs=3), executor="serial", members=members)
    assert len(members) == 6  # base and changed, three runs each
    # each member's tables are kept once, as DataFrames (not also as the columns it shipped)
    assert all(not kept.columns for kept in members._outputs.values())
    other = _doctrine(runs=3)
    # a setting that acts (as signed, the patrol boats change only a cost France pays)
    other.policies["maritime_doctrine"].params["pre_boarding_interception_probability"] = 0.5
    calls: list[tuple[int, int]] = []
    job = Job(id="j", key="k", settings=other)
    job.progress = lambda done, total: calls.append((done, total))  # type: ignore[method-assign]
    again = compute(other, job, executor="serial", members=members)
    assert calls[0] == (3, 6)  # the base's three runs were kept: three left to run
    fresh = compute(other, executor="serial")
    pd.testing.assert_frame_equal(again.table, fresh.table, check_exact=True)
    pd.testing.assert_frame_equal(again.comparison.pairs, fresh.comparison.pairs, check_exact=True)
    pd.testing.assert_frame_equal(again.monthly, fresh.monthly, check_exact=True)
    assert not first.table.equals(again.table)
    assert len(MemberCache(size=2)) == 0


def test_the_page_s_what_decides_table_is_compare_s() -> None:
    """The page's "what decides this answer" shows the rows `compare --posterior` prints for
    the changed scenario (one function, ``Comparison.decides_rows``): the same cells."""
    import numpy as np

    from channelsim.engine import all_results
    from channelsim.experiments.compare import Comparison, _summary
    from channelsim.experiments.uncertainty import what_decides
    from channelsim.explore import app
    from channelsim.explore.jobs import Answer

    rng = np.random.default_rng(8)
    runs = 60
    x = rng.uniform(size=(runs, 4))
    draws = [{f"p{j}": v for j, v in enumerate(row)} for row in x]
    frames, rows = [], []
    for name, driver in (("stop", 0), ("other", 2)):
        difference = 10 * x[:, driver] + rng.normal(0, 0.5, runs)
        figure = "dead_or_missing_people"
        frames.append(pd.DataFrame({"scenario": name, "rep": range(runs), "figure": figure,
                                    "difference": difference}))  # fmt: skip
        rows.append(_summary(name, figure, difference))
    pairs = pd.concat(frames, ignore_index=True)
    comparison = Comparison(
        "base", 1, runs, ["stop", "other"], {}, pairs, pd.DataFrame(rows), pd.DataFrame(),
        results=all_results(), drivers=what_decides(draws, pairs, {}, seed=1),
    )  # fmt: skip
    answer = Answer(settings={}, comparison=comparison, monthly=pd.DataFrame(), elapsed_s=0.0)
    printed = [  # what `compare` prints for the changed scenario: every row, then its own
        {k: v for k, v in r.items() if k != "scenario"}
        for r in comparison.decides_rows()
        if r["scenario"] == "stop"
    ]
    assert printed and printed[0]["driver 1"].startswith("p0 (calibrated)")
    table = app.decides_view(answer)[-1]
    header, *body = table.children
    shown = [dict(zip([h.children for h in header.children], [d.children for d in tr.children],
                      strict=True)) for tr in body]  # fmt: skip
    assert shown == printed
    assert any("p0" in str(p.children) and "depends mostly" in str(p.children)
               for p in app.decides_view(answer))  # fmt: skip


def test_what_the_app_keeps_is_bounded_whatever_the_number_of_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Members are kept up to a count and a byte budget, answers up to the cache's size, the
    least recently used dropped first (no timing, no memory measured: the bound itself)."""
    from channelsim.experiments.ensemble import Member, MemberOutput
    from channelsim.explore import jobs
    from channelsim.explore.jobs import MemberCache, member_bytes

    def output(member: Member) -> MemberOutput:
        daily = pd.DataFrame({"arrived_people": [float(member.rep)] * 365})
        return MemberOutput(member.key, member.rep, {"arrived_people": 1.0}, {"daily": daily},
                            0.0, 0.0)  # fmt: skip

    one = member_bytes(output(Member("a", 0, 0)))
    assert one >= 365 * 8
    config = {"scenarios": {"a": {"name": "a"}}, "draws": None, "member_fn": "f", "base_seed": 1}
    for size, budget, kept in ((100, 3 * one, 3), (2, 100 * one, 2)):
        cache = MemberCache(size=size, budget_bytes=budget)
        members = [Member("a", 0, r) for r in range(10)]
        run_id, done = cache.begin_run(config=config, members=members)
        assert done == set()
        for member in members:
            cache.record_member(run_id, member, output(member))
            assert len(cache) <= kept and cache.nbytes <= budget
        assert len(cache) == kept and cache.nbytes == kept * one
        _, done = cache.begin_run(config=config, members=members)
        assert done == {m.key for m in members[-kept:]}  # the most recent kept

    monkeypatch.setattr(jobs, "compute", lambda settings, *_: settings.seed)
    explorer = Explorer(executor="serial", cache_size=4)
    asked = []
    for seed in range(10):
        settings = _doctrine()
        settings.seed = seed
        job = explorer.submit(settings)
        while job.state != "done":
            time.sleep(0.001)
        asked.append(settings.cache_key())
        assert len(explorer._cache) <= 4
    assert [explorer.answer(key) for key in asked] == [None] * 6 + [6, 7, 8, 9]


def test_ticking_a_policy_the_scenario_lacks_gives_a_scenario_that_runs() -> None:
    """Beach patrols are not in the 2025 status quo and their defaults name no budget: ticked
    on the page, they start with the shipped example's payments (beach-funding-plus.toml), so
    the changed scenario validates instead of failing with 'give exactly one of …'."""
    start = Settings.starting("status-quo-2025").to_json()
    on = [{"key": "beach_patrols"}]
    settings = collect(start, "status-quo-2025", 3, "", [], [], on, [True])
    assert settings.policies["beach_patrols"].params["payments_eur"] == [141e6, 191e6, 209e6]
    from channelsim.engine.policy import build_policies

    _, changed = settings.scenarios()
    assert "beach_patrols" in [p.type_name for p in build_policies(changed.policies)]


def test_the_changed_scenario_s_description_names_policies_and_parameters_by_label() -> None:
    """The headline quotes the changed scenario's description: it read "network_disruption
    on" (code names); it names the policy and the parameter by their labels."""
    settings = Settings.starting("status-quo-2025", "status-quo-2025")
    settings.policies["network_disruption"] = PolicySetting(on=True)
    settings.params["coast.inflow_people_per_day"] = 200.0
    kept = next(k for k in settings.policies if k.startswith("one_in_one_out"))
    settings.policies[kept].on = False
    description = settings.scenario_mapping()["description"]
    assert "network disruption added" in description, description
    assert "one in one out" in description and "taken away" in description, description
    assert "inflow people per day" in description, description
    assert "network_disruption" not in description and "params." not in description


def test_help_texts_are_plain_text() -> None:
    """Help texts showed reST markup (``values``, :func:`x`) and Python lists."""
    from channelsim.explore.app import controls_panel
    from channelsim.explore.controls import parameter_controls, policy_types

    texts = list(policy_types().values())
    texts += [c.help for group in parameter_controls().values() for c in group]
    assert texts and not [t for t in texts if "`" in t or ":func:" in t]
    shown: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            shown.append(node)
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif hasattr(node, "children"):
            walk(node.children)

    walk(controls_panel(Settings.starting("status-quo-2025", "status-quo-2025")))
    kept = [t for t in shown if "Kept as given: " in t]
    assert kept and not [t for t in kept if "[" in t or "'" in t], kept[:2]
    assert not [t for t in shown if "`" in t]


def test_help_texts_name_things_in_words_and_bounds_with_thousands() -> None:
    """Help texts showed code names ("released after max_wait_days", "beach_officers"), and
    a bound read "≤ 100000"."""
    import re

    from channelsim.explore.controls import bounds_text

    texts = list(policy_types().values())
    texts += [c.help for group in parameter_controls().values() for c in group]
    texts += [c.help for kind in policy_types() for c in policy_controls(kind)]
    code = [t for t in texts if re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", t)]
    assert texts and not code, code[:2]
    assert bounds_text(0, 100_000) == "≥ 0 and ≤ 100,000"
    assert bounds_text(0.5, 2.5) == "≥ 0.5 and ≤ 2.5"
    assert check_value("policies.one_in_one_out.weekly_cap_people", 100_001).endswith(
        "expected ≥ 0 and ≤ 100,000, got 100001"
    )


def test_the_page_s_data_tables_write_counts_with_thousands_separators() -> None:
    """The data brief on the page read 41472 where the terminal reads 41,472."""
    from channelsim.explore.app import _table

    rows = [
        {"figure": "Year to date (1 Jan–29 May 2026)", "value": 41472, "unit": "people",
         "compared with": "36,816 people", "change": "+12.6%"},
    ]  # fmt: skip
    table = _table(rows)
    cells = [str(td.children) for tr in table.children[1:] for td in tr.children]
    assert "41,472" in cells and "41472" not in cells
    assert cells[0] == "Year to date (1 Jan–29 May 2026)"


def test_the_key_figures_of_a_returns_scenario_show_its_returns() -> None:
    """The page's key figures of rwanda-removal showed arrivals, deaths and cost, all
    unchanged, and not the 997 people it removed."""
    from types import SimpleNamespace

    from channelsim.engine import all_results
    from channelsim.explore.answer import key_figures

    figures = {"arrived_people": 0.0, "dead_or_missing_people": 0.0, "cost_gbp": 1.68e8,
               "removed_people": 997.0, "returned_from_uk_people": 0.0}  # fmt: skip
    table = pd.DataFrame(
        [{"scenario": "rwanda-removal", "figure": f, "median": m, "low": m, "high": m}
         for f, m in figures.items()]
    )  # fmt: skip

    def figure(name: str) -> dict[str, float]:
        row = table[table["figure"] == name]
        if row.empty:
            raise KeyError(name)
        return {k: float(row[k].iloc[0]) for k in ("median", "low", "high")}

    answer = SimpleNamespace(results=all_results(), name="rwanda-removal", table=table,
                             figure=figure)  # fmt: skip
    shown = [row["figure"] for row in key_figures(answer)]  # type: ignore[arg-type]
    assert "removed_people" in shown and "returned_from_uk_people" not in shown
    assert shown.index("removed_people") > shown.index("cost_gbp")


def _encoded(data: dict[str, object]) -> str:
    """Settings as a link's ``s`` value, written by hand (not through :class:`Settings`)."""
    text = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_waiting_comparison_cancels_at_once_and_job_ids_cannot_be_guessed() -> None:
    """Job ids were a counter (job-1, job-2): any page could cancel or read another's (s12
    B5). A comparison waiting for another one's turn said 'starting…' and its Cancel did
    nothing until the other had finished (B4)."""
    explorer = Explorer(executor="serial")
    with explorer._turn:  # another comparison runs
        job = explorer.submit(_doctrine())
        assert job.state == "waiting" and explorer.waits_for_another(job)
        explorer.cancel(job.id)
        assert job.state == "cancelled"
    _wait(job)
    assert job.state == "cancelled" and explorer.answer(job.key) is None
    other = _doctrine()
    other.seed = 12
    ids = {job.id, explorer.submit(other).id}
    assert len(ids) == 2 and all(len(i) > 20 and not i[4:].isdigit() for i in ids)
    explorer.cancel(explorer.job(sorted(ids - {job.id})[0]).id)  # type: ignore[union-attr]


def test_a_cancel_before_its_run_is_submitted_cancels_it_when_it_is() -> None:
    """Cancel was disabled for about 2 s after Run, until the server had checked the settings
    and answered with the job: the page now names its Run click (a ticket) and Cancel is
    usable at once; a Cancel that reaches the server before the Run it cancels leaves that
    job cancelled, never started; one after it cancels it as before."""
    explorer = Explorer(executor="serial")
    assert explorer.cancel_ticket("run-early") is None  # not submitted yet
    early = explorer.submit(_doctrine(), ticket="run-early")
    assert early.state == "cancelled" and early.cancel_event.is_set()
    _wait(early)
    assert explorer.answer(early.key) is None
    with explorer._turn:  # another comparison runs: this one waits
        late = explorer.submit(_doctrine(), ticket="run-late")
        assert explorer.cancel_ticket("run-late") is late and late.state == "cancelled"
    assert explorer.cancel_ticket(None) is None and explorer.cancel_ticket("") is None


def test_forged_values_that_are_no_finite_number_are_one_line() -> None:
    """'1e400' raised OverflowError in the page's checks, runs '1e400' an HTTP 500, and
    'NaN' was accepted (s12 B6)."""
    from channelsim.explore.app import check_value, runs_message

    key = "policies.maritime_doctrine.patrol_boats"
    for value in ("1e400", "NaN"):
        assert check_value(key, value) == (
            f"maritime doctrine, patrol boats: expected a finite number, got {value}"
        )
    for runs in ("1e400", "NaN", "inf"):
        assert runs_message(runs) == (
            f"Paired runs: expected a whole number from 2 to 500, got {runs}"
        )


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_the_downloaded_scenario_is_a_file_the_command_line_reads(
    name: str, tmp_path: Path
) -> None:
    """s13 re-trial: every doctrine page's download kept `replaces` without a `base`, and the
    command it prints refused the file; its policy is now named after the one it replaces
    (the same random numbers)."""
    from channelsim.scenario import load_scenario

    settings = Settings.starting(name)
    path = tmp_path / f"{name}-explored.toml"
    path.write_text(settings.scenario_toml(), encoding="utf-8")
    scenario = load_scenario(path)
    shipped = load_scenario(shipped_scenarios()[name])
    assert len(scenario.policies) == len(shipped.policies)
    assert "replaces" not in path.read_text(encoding="utf-8")
