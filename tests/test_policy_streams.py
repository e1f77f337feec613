"""Two instances of one policy type in a scenario must not share their random numbers.

Today a policy's stream is ``Stream.POLICY + stream_offset``, a class constant, so both
instances make the same draws: the second is a copy of the first, not an independent one.
Issue 11 gives each instance a stream hashed from its name and its position in the scenario;
until it lands this test is expected to fail (strictly: it must start passing then).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import pytest

from channelsim.engine import DayContext, Policy, Scenario, Sim, register_policy


class _Drawer(Policy):
    """Draws one uniform a day from its own stream, the way every shipped policy draws."""

    stream_offset: ClassVar[int] = 90
    draws: ClassVar[list[float]] = []

    def on_post_arrival(self, ctx: DayContext) -> None:
        self.draws.append(float(ctx.uniforms(self.stream_offset, 1)[0]))


register_policy("test_stream_drawer", _Drawer)


@pytest.mark.xfail(strict=True, reason="issue 11: streams by name and position")
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
