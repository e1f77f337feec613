"""Two instances of one policy type in a scenario must not share their random numbers.

Each policy's streams are named after the policy (``"<type>#<k>.<decision>"``, the k-th
policy of its type, or the name the scenario gives it) and numbered from that name, so the
second instance draws independently of the first.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

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
