"""A policy that takes the place of one its scenario drops from the base (``replaces``) draws
from the replaced policy's random streams: the same decision, the same numbers, so the
comparison with the base is on common random numbers. The doctrine what-ifs replaced the
status quo's ``doctrine_as_signed`` with an unnamed ``maritime_doctrine``, which drew from
streams of its own (``maritime_doctrine#0.*``), silently. The loader now warns, in one line,
where a replacement draws numbers the replaced policy did not."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from channelsim.engine import DayView, Policy, Sim, load_scenario, register_policy
from channelsim.engine.policy import build_policies, name_policies
from channelsim.errors import ChannelsimWarning, InputError
from conftest import CliResult

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DOCTRINE_WHAT_IFS = (
    "doctrine-territorial",
    "doctrine-waterways",
    "doctrine-shallow-300m",
    "doctrine-territorial-no-immunity",
    "combined-doctrine-patrols-taxi",
    "history-doctrine-at-sea",
)


class _Probe(Policy):
    """Records its draws of the day (one uniform of its stream ``probe``)."""

    streams = ("probe",)
    draws: ClassVar[list[float]] = []

    def on_inflow(self, day: DayView) -> None:
        self.draws.append(float(self.uniforms(day, "probe", 1)[0]))


class _WiderProbe(_Probe):
    """A probe that also draws a decision the plain probe does not declare."""

    streams = ("probe", "extra")


register_policy("test_replace_probe", _Probe)
register_policy("test_replace_wider_probe", _WiderProbe)

BASE = """name = "base"
start = 2025-06-01
end = 2025-06-05
seed = 7

[[policies]]
type = "test_replace_probe"
name = "old"
"""


def _files(tmp_path: Path, policy: str, drop: str = '["old"]') -> Path:
    """``base.toml`` (a probe named ``old``) and ``child.toml``: the base, ``drop`` dropped,
    with ``policy`` (the body of a [[policies]] table) added."""
    (tmp_path / "base.toml").write_text(BASE)
    child = tmp_path / "child.toml"
    child.write_text(
        f'base = "base.toml"\nname = "child"\ndrop_policies = {drop}\n\n[[policies]]\n{policy}\n'
    )
    return child


def _draws(path: Path) -> list[float]:
    _Probe.draws.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChannelsimWarning)
        Sim(load_scenario(path)).run()
    return list(_Probe.draws)


def _warnings(path: Path) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_scenario(path)
    return [str(w.message) for w in caught if issubclass(w.category, ChannelsimWarning)]


def test_a_replacement_draws_the_replaced_policy_s_numbers(tmp_path: Path) -> None:
    child = _files(tmp_path, 'type = "test_replace_probe"\nreplaces = "old"')
    base = _draws(tmp_path / "base.toml")
    assert len(base) == 5 and _draws(child) == base
    assert _warnings(child) == []
    # without `replaces` the added probe draws numbers of its own, and the loader says so
    unnamed = _files(tmp_path, 'type = "test_replace_probe"')
    assert set(_draws(unnamed)).isdisjoint(base)
    assert _warnings(unnamed) == [
        f"{unnamed}: policy 1 (test_replace_probe): takes the place of 'old', dropped from the "
        'base, with random numbers of its own: add replaces = "old" to it to compare with the '
        "base on common random numbers"
    ]


def test_a_replacement_that_draws_more_decisions_is_warned_of(tmp_path: Path) -> None:
    child = _files(tmp_path, 'type = "test_replace_wider_probe"\nreplaces = "old"')
    assert _draws(child) == _draws(tmp_path / "base.toml")  # `probe`: common to both
    assert _warnings(child) == [
        f"{child}: policy 1 (test_replace_wider_probe): replaces 'old' but also draws extra, "
        "which 'old' did not: these draws are not common with the base scenario's"
    ]


@pytest.mark.parametrize(
    ("policy", "drop", "expected"),
    [
        ('replaces = "other"', '["old"]', "got 'other'"),
        ('replaces = "old"', "[]", "(drop_policies: none), got 'old'"),
    ],
)
def test_replaces_must_name_a_dropped_policy(
    tmp_path: Path, policy: str, drop: str, expected: str
) -> None:
    child = _files(tmp_path, f'type = "test_replace_probe"\n{policy}', drop)
    with pytest.raises(InputError) as error:
        load_scenario(child)
    assert str(error.value).startswith(
        f"{child}: policy 1 (test_replace_probe), replaces: expected the name of a policy this "
        "file drops from its base"
    )
    assert str(error.value).endswith(expected)


def test_two_policies_may_not_replace_one(tmp_path: Path) -> None:
    child = _files(tmp_path, 'type = "test_replace_probe"\nreplaces = "old"')
    child.write_text(child.read_text() + '\n[[policies]]\ntype = "test_replace_probe"\n'
                     'replaces = "old"\n')  # fmt: skip
    with pytest.raises(InputError, match=r"policy 2 \(test_replace_probe\), replaces: expected "
                       r"one policy replacing 'old', got two"):  # fmt: skip
        load_scenario(child)


def test_a_scenario_without_replaces_reads_as_before() -> None:
    """The scenario's data (hashed to find a run to resume) has no ``replaces`` unless given."""
    status_quo = load_scenario(SCENARIOS / "status-quo-2025.toml")
    assert all("replaces" not in p for p in status_quo.to_dict()["policies"])
    doctrine = load_scenario(SCENARIOS / "doctrine-territorial.toml")
    assert doctrine.to_dict()["policies"][-1]["replaces"] == "doctrine_as_signed"
    assert doctrine.with_changes(seed=3).policies == doctrine.policies


@pytest.mark.parametrize("name", DOCTRINE_WHAT_IFS)
def test_the_doctrine_what_ifs_draw_from_the_doctrine_as_signed_s_streams(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChannelsimWarning)
        scenario = load_scenario(SCENARIOS / f"{name}.toml")
    policies = build_policies(scenario.policies)
    doctrine = [
        (policy, policy_name)
        for policy, policy_name in zip(policies, name_policies(policies), strict=True)
        if policy.type_name == "maritime_doctrine"
    ]
    assert len(doctrine) == 1
    policy, policy_name = doctrine[0]
    assert policy_name != "doctrine_as_signed"  # it keeps its own name in outputs
    assert policy.stream_names(policy_name) == tuple(
        f"doctrine_as_signed.{decision}" for decision in policy.streams
    )


def test_the_warning_is_one_line_of_the_command(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    unnamed = _files(tmp_path, 'type = "test_replace_probe"')
    result = run_cli("run", unnamed, "--format", "json")
    assert result.exit_code == 0, result
    assert result.stderr.strip().splitlines() == [
        f"warning: {unnamed}: policy 1 (test_replace_probe): takes the place of 'old', dropped "
        'from the base, with random numbers of its own: add replaces = "old" to it to compare '
        "with the base on common random numbers"
    ]


def test_replaces_in_a_file_without_a_base_is_refused(tmp_path: Path) -> None:
    """A file without `base` drops nothing, so its `replaces` named nothing and was never
    checked: a typo there silently lost the common random numbers."""
    alone = tmp_path / "alone.toml"
    alone.write_text(BASE.replace('name = "old"', 'replaces = "x"'))
    with pytest.raises(InputError) as error:
        load_scenario(alone)
    assert str(error.value) == (
        f"{alone}: policy 1 (test_replace_probe), replaces: expected a file with a `base` that "
        "drops the policy replaced (drop_policies), got replaces = 'x' in a file without one: "
        "to draw the random numbers of a policy of the scenario compared with, give this one "
        "its name (name = 'x') instead"
    )


def test_an_unnamed_replacement_is_dropped_by_its_type_and_rank(tmp_path: Path) -> None:
    """A scenario built on one whose replacing policy has no name could not drop it (`no
    policy named ...`, the list leaving it out): it is dropped as '<type>#<k>', the name it
    has in the run, and its own replacement still draws the numbers of the policy first
    replaced, so the three files compare on common random numbers."""
    middle = _files(tmp_path, 'type = "test_replace_probe"\nreplaces = "old"')
    last = tmp_path / "last.toml"
    last.write_text(f'base = "{middle.name}"\nname = "last"\n'
                    'drop_policies = ["test_replace_probe"]\n')  # fmt: skip
    with pytest.raises(InputError) as error:
        load_scenario(last)
    assert str(error.value).endswith(
        "(test_replace_probe#0; one without a name goes by its type and rank: "
        "'test_replace_probe#0')"
    )
    last.write_text(f'base = "{middle.name}"\nname = "last"\n'
                    'drop_policies = ["test_replace_probe#0"]\n\n[[policies]]\n'
                    'type = "test_replace_probe"\nreplaces = "test_replace_probe#0"\n')  # fmt: skip
    assert _warnings(last) == []
    assert _draws(last) == _draws(middle) == _draws(tmp_path / "base.toml")
    dropped_only = tmp_path / "dropped.toml"
    dropped_only.write_text(f'base = "{middle.name}"\nname = "d"\n'
                            'drop_policies = ["test_replace_probe#0"]\n')  # fmt: skip
    assert load_scenario(dropped_only).policies == ()


def test_dropping_an_unknown_name_from_a_base_of_named_policies(tmp_path: Path) -> None:
    """The line lists the base's names, and says how an unnamed one goes only if there is
    one (the hint had indexed an empty list: IndexError)."""
    (tmp_path / "base.toml").write_text(BASE)
    child = tmp_path / "child.toml"
    child.write_text('base = "base.toml"\nname = "child"\ndrop_policies = ["nothing"]\n')
    with pytest.raises(InputError) as error:
        load_scenario(child)
    expected = f"no policy named 'nothing' in {tmp_path / 'base.toml'} (old)"
    assert str(error.value).endswith(expected)
