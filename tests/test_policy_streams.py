"""Two instances of one policy type in a scenario must not share their random numbers.

Each policy's streams are named after the policy (``"<type>#<k>.<decision>"``, the k-th
policy of its type, or the name the scenario gives it) and numbered from that name, so the
second instance draws independently of the first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, Field, PrivateAttr
from pydantic.fields import ModelPrivateAttr

from channelsim.engine import DayView, Policy, Scenario, Sim, register_policy


class _Drawer(Policy):
    """Draws one uniform a day from its own stream, the way every shipped policy draws."""

    streams = ("draw",)
    draws: ClassVar[list[float]] = []

    def on_returns(self, day: DayView) -> None:
        self.draws.append(float(self.uniforms(day, "draw", 1)[0]))


register_policy("test_stream_drawer", _Drawer)


def test_two_instances_of_one_policy_type_draw_different_numbers() -> None:
    scenario = Scenario(
        name="two-drawers",
        start=dt.date(2025, 6, 1),
        end=dt.date(2025, 6, 4),
        seed=3,
        policies=[{"type": "test_stream_drawer"}, {"type": "test_stream_drawer"}],
    )
    _Drawer.draws.clear()
    Sim(scenario).run()
    first, second = _Drawer.draws[0::2], _Drawer.draws[1::2]  # hooks run in scenario order
    assert len(first) == len(second) == 4
    assert all(a != b for a, b in zip(first, second, strict=True))


class _WithState(Policy):
    """A policy keeping state between days in private attributes, one a descriptor."""

    _count: int = PrivateAttr(0)
    _seen: list[int] = PrivateAttr(default_factory=list)
    _kind: Any = PrivateAttr(default=property(lambda self: "from the descriptor"))


def test_private_attributes_read_as_pydantic_gives_them() -> None:
    policy = _WithState()
    assert policy._count == 0 and policy._seen == []
    policy._count += 2
    policy._seen.append(5)
    assert policy._count == 2 and policy._seen == [5]
    assert policy.model_copy(deep=True)._seen == [5]
    assert isinstance(_WithState.__private_attributes__["_kind"], ModelPrivateAttr)
    assert policy._kind == BaseModel.__getattr__(policy, "_kind")
    with pytest.raises(AttributeError, match="no attribute '_missing'"):
        _ = policy._missing


class _WithParams(Policy):
    """Parameters of every kind a policy may hold."""

    days: tuple[dt.date, ...] = (dt.date(2025, 1, 1),)
    weights: list[float] = Field(default_factory=lambda: [1.0, 2.0])
    table: dict[str, list[int]] = Field(default_factory=lambda: {"a": [1]})
    _seen: list[int] = PrivateAttr(default_factory=list)


def test_a_run_s_copy_of_a_policy_shares_nothing_that_changes_in_place() -> None:
    policy = _WithParams()
    policy._seen.append(1)
    policy._name = "named"
    copy = policy.fresh_copy()
    assert copy == policy and copy.model_dump() == policy.model_dump()
    assert copy._name == "named" and copy._seen == [1]
    copy._seen.append(2)
    copy.weights.append(3.0)
    copy.table["a"].append(2)
    assert policy._seen == [1] and policy.weights == [1.0, 2.0] and policy.table == {"a": [1]}
    assert copy.days is policy.days  # a tuple of dates cannot change: shared
