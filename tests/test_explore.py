"""The explorer's library side: controls generated from the definitions, settings as a
scenario file and a link, comparisons with progress, cancel and a cache (the browser test is
test_explore_browser.py)."""

from __future__ import annotations

import io
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from channelsim.errors import InputError
from channelsim.explore import Explorer, Settings
from channelsim.explore.app import check_value, collect
from channelsim.explore.controls import parameter_controls, policy_controls, policy_types
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
        assert control.help == info.description and control.source == info.source


def test_policy_controls_come_from_the_policy_fields() -> None:
    assert set(policy_types()) >= {"maritime_doctrine", "beach_patrols", "one_in_one_out"}
    doctrine = {c.label: c for c in policy_controls("maritime_doctrine")}
    assert doctrine["area"].choices == ("pre_boarding", "waterways", "shallow", "territorial")
    assert doctrine["patrol_boats"].kind == "integer"
    assert (doctrine["patrol_boats"].low, doctrine["patrol_boats"].high) == (0, 200)
    assert doctrine["speed_kn"].exclusive_low and not doctrine["speed_kn"].sourced
    assert check_value("policies.maritime_doctrine.patrol_boats", 201).startswith("expected")
    assert check_value("policies.maritime_doctrine.patrol_boats", 8) == ""
    assert check_value("policies.maritime_doctrine.speed_kn", 0) == "expected > 0 and ≤ 50, got 0"
    assert check_value("params.sea.engine_speed_kn", None).startswith("expected a number")


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
    # the shipped entries as they are (history's drivers and policies), then the doctrine set
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


def test_shipped_scenarios_reopen_as_they_are() -> None:
    for name, path in shipped_scenarios().items():
        settings = Settings.starting(name, name)
        _, changed = settings.scenarios()
        shipped = load_scenario(path)
        assert changed.policies == shipped.policies and changed.params == shipped.params, name


def test_collect_reads_the_page_and_names_a_bad_control() -> None:
    start = Settings.starting("status-quo-2025").to_json()
    key = "policies.maritime_doctrine.patrol_boats"
    settings = collect(start, "status-quo-2025", 3, "", [{"key": key}], [9], [], [])
    assert settings.runs == 3 and settings.seed is None
    with pytest.raises(InputError, match="patrol_boats"):
        collect(start, "status-quo-2025", 3, "", [{"key": key}], [900], [], [])
    with pytest.raises(InputError, match="runs"):
        collect(start, "status-quo-2025", 2.5, "", [], [], [], []).scenarios()
    with pytest.raises(InputError, match="runs"):
        collect(start, "status-quo-2025", 1, "", [], [], [], []).scenarios()


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
    assert job.answer.comparison.daily.empty  # the page keeps monthly quantiles, not days
    assert job.answer.comparison.boats is None  # the map's boat logs: made when drawn
    assert set(job.answer.boat_logs()["scenario"]) == {"status-quo-2025",
                                                       "status-quo-2025-explored"}
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
    assert check_value(key, 3) == "" and check_value(key, 300).startswith("expected")


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
    assert words.interval_kind(weather).startswith("Intervals: weather noise only")
    assert words.decides_rows(weather) == []
    settings.posterior = str(folder)
    answer = compute(settings, executor="serial")
    assert answer.comparison.posterior == str(folder)
    assert words.interval_kind(answer).startswith("Intervals: weather + parameters")
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
    other = _doctrine(runs=3)
    other.policies["maritime_doctrine"].params["patrol_boats"] = 20
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
