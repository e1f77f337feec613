"""Policies are checked when the file is read, each fault one line naming the file, the
policy and the key: a driver's lever and values, beach officers, two policies of one name;
two policies setting one lever on a day name each other (s11 re-trial R6). (s11 trial F14: an
unknown lever gave a 50-line traceback, and an ensemble recorded a run that could only fail
again.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from channelsim.engine import Sim, load_scenario
from channelsim.errors import InputError

HEAD = 'base = "status-quo-2025.toml"\nname = "t"\n'
DRIVER = '[[policies]]\ntype = "driver"\n[policies.params]\nlever = "{lever}"\nop = "{op}"\n' \
    "dates = [2025-01-01]\nvalues = [{value}]\n"  # fmt: skip


def _refused(tmp_path: Path, body: str) -> str:
    path = tmp_path / "s.toml"
    path.write_text(HEAD + body)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message[len(f"{path}: ") :]


def test_a_driver_of_a_lever_no_stage_declares_names_the_levers_closest_first(
    tmp_path: Path,
) -> None:
    said = _refused(tmp_path, DRIVER.format(lever="inflow_mean", op="scale", value=1))
    assert said.startswith("policy 1 (driver), params.lever: expected one of inflow_mean_people, ")
    assert said.endswith(", got 'inflow_mean'") and "capsize_scale" in said


@pytest.mark.parametrize(
    ("lever", "op", "value", "expected"),
    [
        ("inflow_mean_people", "set", -1000,
         "values item 1: expected at least 0 people/day for set inflow_mean_people, got -1000"),
        ("launch_share", "set", 1.5,
         "values item 1: expected 0 to 1 fraction for set launch_share, got 1.5"),
        ("inflow_mean_people", "scale", 1e12,
         "values item 1: expected 0 to 1000 times the lever's value for scale "
         "inflow_mean_people, got 1e+12"),
        ("inflow_mean_people", "scale", "nan", "got nan"),
    ],
)  # fmt: skip
def test_a_drivers_values_lie_within_its_levers_bounds(
    tmp_path: Path, lever: str, op: str, value: object, expected: str
) -> None:
    """`set` -1000 people a day ran in silence; `scale` 1e12 ended in a traceback ('Poisson
    mean above 1e9')."""
    said = _refused(tmp_path, DRIVER.format(lever=lever, op=op, value=value))
    assert said.startswith("policy 1 (driver), params: ") and said.endswith(expected)


def test_beach_officers_are_not_negative(tmp_path: Path) -> None:
    body = '[[policies]]\ntype = "beach_officers"\n[policies.params]\n' \
        "dates = [2025-01-01]\nvalues = [-100]\n"  # fmt: skip
    said = _refused(tmp_path, body)
    assert said == (
        "policy 1 (beach_officers), params: values item 1: expected officers, at least 0, got -100"
    )


def test_a_largest_weekly_cap_below_the_first_weeks_counts_as_the_first_weeks(
    tmp_path: Path,
) -> None:
    """As its documentation says: a sensitivity screen draws the two caps independently, so
    refusing such a pair (tried in s15 for breaker K7) stopped the screen half-way (re-trial
    R8)."""
    path = tmp_path / "s.toml"
    caps = "[policies.params]\nweekly_cap_people = 500\nmax_weekly_cap_people = 1\n"
    path.write_text(HEAD + '[[policies]]\ntype = "one_in_one_out"\nname = "more_returns"\n' + caps)
    built = Sim(load_scenario(path)).policies[-1]
    assert [built.weekly_cap(week) for week in (0, 10)] == [500, 500]


def test_two_policies_of_one_name_are_refused(tmp_path: Path) -> None:
    """The name keys a policy's random streams, drop_policies and replaces."""
    one = '[[policies]]\ntype = "network_disruption"\nname = "a"\n'
    said = _refused(tmp_path, one + one)
    assert said == (
        "policy 2 (network_disruption), name: expected a name no other policy of the run has, "
        "got 'a', the name of policy 1 (network_disruption) too (in a file with a base, drop "
        "the base's with drop_policies)"
    )


def test_two_policies_setting_one_lever_are_refused_when_read(tmp_path: Path) -> None:
    """A user's beach officers beside the base's own said, only when run, 'expected one
    policy setting prevention_probability on a day', naming neither file nor key; a driver
    setting taxi_boat_share beside the base's taxi_boats recorded a run offered for resuming
    (s11 re-trial R6). Both are refused when the file is read, naming the file, the policy,
    the lever, the day and the base's policy with the way out."""
    said = _refused(
        tmp_path,
        '[[policies]]\ntype = "beach_officers"\n[policies.params]\n'
        "dates = [2025-01-01]\nvalues = [300]\n",
    )
    assert said == (
        "policy 1 (beach_officers) 'beach_officers#1': sets prevention_probability from 1 Jan "
        "2025, as the base's policy 'beach_officers' (history.toml, policy 5 (beach_officers)) "
        "does: expected one policy setting a lever on a day (drop it with drop_policies = "
        '["beach_officers"])'
    )
    said = _refused(
        tmp_path,
        DRIVER.format(lever="taxi_boat_share", op="set", value=0.3).replace(
            'type = "driver"\n', 'type = "driver"\nname = "d1"\nstart = 2025-03-02\n'
        ),
    )
    assert said.startswith(
        "policy 1 (driver) 'd1': sets taxi_boat_share from 2 Mar 2025, as the base's policy "
        "'taxi_boats' (history.toml, policy 3 (driver)) does"
    )


def test_policies_setting_one_lever_on_other_days_are_accepted(tmp_path: Path) -> None:
    """Windows that do not meet in the period are fine (a scale is no set); windows that do,
    in one file, are refused with that file's two policies named."""
    two = 'name = "own"\nstart = 2025-01-01\nend = 2025-12-31\n' + "".join(
        DRIVER.format(lever="capsize_scale", op=op, value=1).replace(
            "[policies.params]", f"{window}\n[policies.params]"
        )
        for op, window in (("set", "end = 2025-06-30"), ("set", "start = 2025-07-01"),
                           ("scale", ""))
    )  # fmt: skip
    path = tmp_path / "own.toml"
    path.write_text(two)
    assert len(load_scenario(path).policies) == 3
    path.write_text(two.replace("start = 2025-07-01", "start = 2025-06-30"))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}: policy 2 (driver) 'driver#1': sets capsize_scale from 30 Jun 2025, as policy "
        "'driver#0' (policy 1 (driver)) does: expected one policy setting a lever on a day "
        "(give the two windows (start, end) that do not overlap)"
    )


def test_two_policies_setting_one_lever_name_each_other_when_run(tmp_path: Path) -> None:
    """The run refuses what the file's reader would have (a scenario built without it)."""
    from channelsim.scenario import load_scenario as read_scenario

    """A user's beach officers beside the base's own said 'expected one policy setting
    prevention_probability on a day', naming neither the other policy nor the way out."""
    path = tmp_path / "s.toml"
    path.write_text(
        HEAD.replace('"t"', '"t"\nend = 2025-01-10')
        + '[[policies]]\ntype = "beach_officers"\n[policies.params]\n'
        "dates = [2025-01-01]\nvalues = [300]\n"
    )
    with pytest.raises(InputError) as caught:
        Sim(read_scenario(path)).run()
    assert str(caught.value) == (
        "policy beach_officers#1: sets prevention_probability on 1 Jan 2025, as policy "
        "'beach_officers' already does: expected one policy setting it on a day (drop the "
        "other with drop_policies, in a file with a base)"
    )


def test_an_ensemble_refused_before_any_member_keeps_no_run(tmp_path: Path) -> None:
    """A run whose first members fail on their input is not kept as one to resume (it was
    recorded as failed with 'resume it with --resume ID', which could only fail again)."""
    from channelsim.engine import simulate
    from channelsim.experiments import EnsembleSpec, run_ensemble
    from channelsim.runstore import RunStore
    from channelsim.scenario import load_scenario as read_scenario

    path = tmp_path / "s.toml"
    path.write_text(
        HEAD.replace('"t"', '"t"\nend = 2025-01-10')
        + '[[policies]]\ntype = "beach_officers"\n[policies.params]\n'
        "dates = [2025-01-01]\nvalues = [300]\n"
    )
    spec = EnsembleSpec(scenarios={"t": read_scenario(path)}, reps=2, base_seed=1)
    with RunStore(tmp_path / "runs.duckdb") as store:
        with pytest.raises(InputError) as caught:
            run_ensemble(simulate, spec, executor="serial", progress=False, store=store)
        assert store.list_runs() == []
    notes = " ".join(caught.value.__notes__)
    assert "no member finished, so no run was kept" in notes and "--resume" not in notes


@pytest.mark.parametrize(
    ("kind", "key", "value", "said"),
    [
        ("maritime_doctrine", "cost_gbp_per_boat_day", '"1e3"',
         "expected a number (£ per boat day), got '1e3'; without quotes"),
        ("maritime_doctrine", "cost_gbp_per_boat_day", "true",
         "expected a number (£ per boat day), got true"),
        ("echr_exit", "detention_places", "true", "expected a whole number (places), got true"),
        ("echr_exit", "detention_places", '"2500"',
         "expected a whole number (places), got '2500'; without quotes"),
        ("maritime_doctrine", "night_allowed", '"yes"', "expected true or false, got 'yes'"),
        ("maritime_doctrine", "night_allowed", "1", "expected true or false, got 1"),
    ],
)  # fmt: skip
def test_a_policy_number_given_as_text_or_a_switch_is_refused(
    tmp_path: Path, kind: str, key: str, value: str, said: str
) -> None:
    """Pydantic's lax mode took "1e3" as £1,000 a boat-day and true as one detention place
    (s11 re-trial R1); a list's items are checked too, and a number stays a number."""
    body = f'[[policies]]\ntype = "{kind}"\n[policies.params]\n{key} = {value}\n'
    assert _refused(tmp_path, body) == f"policy 1 ({kind}), params.{key}: {said}"


def test_a_driver_value_given_as_text_is_refused(tmp_path: Path) -> None:
    body = DRIVER.format(lever="inflow_mean_people", op="scale", value='"1.2"')
    assert _refused(tmp_path, body) == (
        "policy 1 (driver), params.values: item 1: expected a number, got '1.2'; without quotes"
    )
    path = tmp_path / "ok.toml"
    path.write_text(HEAD + DRIVER.format(lever="inflow_mean_people", op="scale", value=1))
    assert load_scenario(path).policies[-1].params["values"] == [1]


def test_a_policy_name_is_refused_in_words_and_its_source_without_hidden_characters(
    tmp_path: Path,
) -> None:
    """A bad name was refused with the library's regular expression; U+202E in a policy's
    source was accepted and copied into outputs, where it reverses the text after it (the
    scenario's description refused it). s11 re-trial R4."""
    policy = '[[policies]]\ntype = "network_disruption"\n'
    assert _refused(tmp_path, policy + 'name = "=1+1"\n') == (
        "policy 1 (network_disruption), name: expected a name of ASCII letters, digits, '_', "
        "'-', '.' or '#' (up to 64, starting with an ASCII letter or digit), got '=1+1'"
    )
    assert _refused(tmp_path, policy + 'source = "PREMAR \\u202egnp.live"\n') == (
        "policy 1 (network_disruption), source: expected text without direction controls, "
        "got U+202E (RIGHT-TO-LEFT OVERRIDE), which reverses the text shown after it"
    )
    assert "U+200B (ZERO WIDTH SPACE)" in _refused(tmp_path, policy + 'source = "a\\u200bb"\n')
