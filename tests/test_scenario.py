"""Scenario files and parameter overrides: valid input round-trips, bad input is one line."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelsim.engine import load_scenario as load_checked
from channelsim.errors import InputError
from channelsim.params import (
    Params,
    apply_overrides,
    default_params,
    list_parameters,
    uncertain_parameters,
)
from channelsim.scenario import load_scenario, scenario_from_dict

PARAMS = list_parameters(Params())
HEADER = 'name = "t"\nstart = 2025-01-01\nend = 2025-01-31\n'


def _write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _value(info: object, draw: st.DrawFn) -> float | int:
    lo, hi = info.ge, info.le  # type: ignore[attr-defined]
    if isinstance(info.default, int):  # type: ignore[attr-defined]
        return draw(st.integers(int(lo), int(hi)))
    return draw(st.floats(lo, hi, allow_nan=False))


@st.composite
def valid_override(draw: st.DrawFn) -> tuple[str, float | int]:
    info = draw(st.sampled_from(PARAMS))
    return info.path, _value(info, draw)


@settings(max_examples=60, deadline=None)
@given(valid_override())
def test_any_valid_override_round_trips(override: tuple[str, float | int]) -> None:
    path, value = override
    group, name = path.split(".")
    params = apply_overrides(default_params(), {group: {name: value}})
    assert getattr(getattr(params, group), name) == value
    again = Params.model_validate(json.loads(params.model_dump_json()))
    assert again == params


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(PARAMS),
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
)
def test_any_unknown_key_is_rejected_by_name(info: object, suffix: str) -> None:
    group = info.path.split(".")[0]  # type: ignore[attr-defined]
    key = f"{info.path.split('.')[1]}_{suffix}x"  # type: ignore[attr-defined]
    with pytest.raises(InputError) as caught:
        scenario_from_dict(
            {
                "name": "t",
                "start": dt.date(2025, 1, 1),
                "end": dt.date(2025, 1, 2),
                "params": {group: {key: 1}},
            },
            "x.toml",
        )
    said = str(caught.value)
    assert said.startswith(f"x.toml: params.{group}.{key}: unknown key; ")
    valid = [p.path.split(".")[1] for p in PARAMS if p.path.startswith(f"{group}.")]
    assert said.endswith(f"expected one of {', '.join(valid)}")  # every key of the group


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PARAMS), st.floats(1e-6, 1e6), st.booleans())
def test_out_of_range_numbers_are_rejected(info: object, excess: float, above: bool) -> None:
    value = info.le + excess if above else info.ge - excess  # type: ignore[attr-defined]
    if isinstance(info.default, int):  # type: ignore[attr-defined]
        value = int(value) + (1 if above else -1)
    group, name = info.path.split(".")  # type: ignore[attr-defined]
    with pytest.raises(InputError) as caught:
        apply_overrides(default_params(), {group: {name: value}}, "x.toml")
    message = str(caught.value)
    assert message.startswith(f"x.toml: params.{info.path}: expected a number ")  # type: ignore[attr-defined]
    assert ("≤" in message) == above


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_a_value_that_is_not_finite_is_named_as_such(value: float) -> None:
    with pytest.raises(InputError) as caught:
        apply_overrides(default_params(), {"beach": {"prevention_probability": value}}, "x.toml")
    expected = f"x.toml: params.beach.prevention_probability: expected a finite number, got {value}"
    assert str(caught.value) == expected


def test_error_message_is_one_line_naming_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "[params.sea]\nengine_speed_kn = 40\n", "x.toml")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert (
        str(caught.value) == f"{path}: params.sea.engine_speed_kn: expected a number ≤ 15, got 40"
    )


@pytest.mark.parametrize(
    ("body", "where", "expected"),
    [
        (
            '[params.sea]\nengine_speed_kn = "fast"\n',
            "params.sea.engine_speed_kn",
            "expected a number",
        ),
        ("[params]\nsea = 3\n", "params.sea", "expected a table"),
        ("[params.oceans]\nx = 1\n", "params.oceans", "unknown key"),
        ('colour = "blue"\n', "colour", "unknown key"),
        ('[weather]\nmode = "file"\n', "weather", "needs a path"),
        ('[weather]\nmode = "fog"\n', "weather.mode", "stochastic"),
        ("[[policies]]\nstart = 2025-01-01\n", "policy 1, type", "required key is missing"),
    ],
)
def test_bad_scenarios_name_the_key(tmp_path: Path, body: str, where: str, expected: str) -> None:
    path = _write(tmp_path, HEADER + body)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert f"{path}: {where}" in str(caught.value)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_policy_type_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + '[[policies]]\ntype = "wishful_thinking"\n')
    assert load_scenario(path).policies[0].type == "wishful_thinking"  # syntax is fine
    expected = r"policy 1 \(wishful_thinking\), type: unknown policy type"
    with pytest.raises(InputError, match=expected):
        load_checked(path)


def test_yaml_and_toml_give_the_same_scenario(tmp_path: Path) -> None:
    toml = _write(tmp_path, HEADER + "seed = 4\n[params.beach]\nprevention_probability = 0.5\n")
    yaml_path = _write(
        tmp_path,
        "name: t\nstart: 2025-01-01\nend: 2025-01-31\nseed: 4\n"
        "params:\n  beach:\n    prevention_probability: 0.5\n",
        "s.yaml",
    )
    a, b = load_scenario(toml), load_scenario(yaml_path)
    assert a.to_dict() == b.to_dict()
    assert a.params.beach.prevention_probability == 0.5
    assert a.params.sea == default_params().sea


def test_end_before_start_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name = "t"\nstart = 2025-02-01\nend = 2025-01-01\n')
    with pytest.raises(InputError, match=r"end: expected a date on or after the start 2025-02-01"):
        load_scenario(path)


def test_every_parameter_has_unit_range_and_source_or_assumption() -> None:
    for info in PARAMS:
        assert info.unit and info.description
        assert info.ge <= info.default <= info.le, info.path
        if info.low is not None:
            assert info.ge <= info.low <= info.default <= info.high <= info.le, info.path
    assert len(uncertain_parameters()) >= 20


def test_shipped_status_quo_scenario_loads() -> None:
    path = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"
    scenario = load_checked(path)
    assert (scenario.start, scenario.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert scenario.weather.mode == "stochastic"


def test_a_scenario_names_its_parameter_set(tmp_path: Path) -> None:
    from channelsim.params import Params, default_params

    calibrated = load_scenario(_write(tmp_path, HEADER))
    assert calibrated.parameter_set == "calibrated" and calibrated.params == default_params()
    code = load_scenario(_write(tmp_path, HEADER + 'parameter_set = "code"\n'))
    assert code.params == Params() and code.to_dict()["parameter_set"] == "code"
    with pytest.raises(InputError, match="parameter_set: expected one of code, calibrated"):
        load_scenario(_write(tmp_path, HEADER + 'parameter_set = "prior"\n'))


def test_a_shipped_scenario_is_a_base_by_its_name_too(tmp_path: Path) -> None:
    """`base = "status-quo-2025"` was refused ('status-quo-2025 does not exist') though the
    command line takes shipped scenarios by name (s12 U11)."""
    from channelsim.engine import load_scenario as load

    path = tmp_path / "u.toml"
    path.write_text('base = "status-quo-2025"\nname = "u"\n')
    assert load(path).start.year == 2025 and load(path).description == "status-quo-2025, unchanged"


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("[params.coast]\ninflow_people_per_dai = 5\n",
         "params.coast.inflow_people_per_dai: unknown key; did you mean inflow_people_per_day?"),
        ("[params.coast]\ninflow_people_per_day = -5\n",
         "params.coast.inflow_people_per_day: expected a number ≥ 0, got -5"),
        ("seed = -1\n", "seed: expected a number ≥ 0, got -1"),
    ],
)  # fmt: skip
def test_a_fault_in_a_base_is_named_against_the_base(tmp_path: Path, fault: str, said: str) -> None:
    """A base's unknown key or bad value is named against the base file that holds it (it was
    named against the file that names it as its base, where the user finds no such key); a
    fault of the file itself still names that file."""
    (tmp_path / "mid.toml").write_text(f'base = "status-quo-2025.toml"\nname = "mid"\n{fault}')
    (tmp_path / "child.toml").write_text('base = "mid.toml"\nname = "child"\n')
    with pytest.raises(InputError) as caught:
        load_scenario(tmp_path / "child.toml")
    assert str(caught.value).startswith(f"{tmp_path / 'mid.toml'}: {said}")
    (tmp_path / "mid.toml").write_text('base = "status-quo-2025.toml"\nname = "mid"\n')
    (tmp_path / "child.toml").write_text(f'base = "mid.toml"\nname = "child"\n{fault}')
    with pytest.raises(InputError) as caught:
        load_scenario(tmp_path / "child.toml")
    assert str(caught.value).startswith(f"{tmp_path / 'child.toml'}: {said}")


def test_from_after_the_start_simulates_from_the_scenario_s_own_start(run_cli: Any) -> None:
    """s14 user trial F4: `run history-continued --from 2026-01-01` started 2026 from
    history's 2018 coast (20 people waiting, 5 boats) and gave January 68% low. --from now
    reports from its day a run simulated from the scenario's own first day, recorded in the
    scenario (``simulated_from``), with no warning; --to alone and --from on the start set
    nothing, and the key stays out of the data (the hash of a run to resume) when unset."""
    import warnings

    from channelsim.scenario import with_run_options

    history = load_checked(
        Path(__file__).resolve().parent.parent / "scenarios" / "history-continued.toml"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        later = with_run_options(history, start=dt.date(2026, 1, 1))
        shorter = with_run_options(history, end=dt.date(2018, 3, 31))
        same = with_run_options(history, start=history.start)
        twice = with_run_options(later, start=dt.date(2026, 3, 1))
    assert (later.start, later.simulated_from) == (dt.date(2026, 1, 1), history.start)
    assert later.to_dict()["simulated_from"] == "2018-01-01"
    assert twice.simulated_from == history.start  # from the first simulated day, not --from's
    for scenario in (shorter, same):
        assert scenario.simulated_from is None and "simulated_from" not in scenario.to_dict()
    assert (
        later.with_changes(simulated_from=None).to_dict()
        == history.with_changes(start=later.start).to_dict()
    )
    result = run_cli("run", "history-continued", "--from", "2026-01-01", "--to", "2026-01-05")
    assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr


def test_simulated_from_after_the_start_is_one_line_naming_the_key(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "simulated_from = 2025-02-01\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}: simulated_from: expected a date on or before the start 2025-01-01, got 2025-02-01"
    )
    early = load_scenario(_write(tmp_path, HEADER + "simulated_from = 2024-12-01\n", "ok.toml"))
    assert early.first_simulated_day == dt.date(2024, 12, 1)
