"""A third-party policy's faults are one line naming the policy (s13 breaker B5–B7).

A plug-in's NaN scale had quietly switched prevention off, a NaN cost made the total null, a
NaN result became -9,223,372,036,854,775,808 people; a hook that raised, or called
``sys.exit(0)``, gave a traceback or a silent exit 0; one plug-in broken at import broke every
typo's "unknown policy type" and the explorer's page.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import channelsim.engine.policy as policy_module
from channelsim.engine import (
    Cost,
    DayView,
    Effect,
    Policy,
    Result,
    Setup,
    Sim,
    Transform,
    load_scenario,
    register_policy,
)
from channelsim.errors import ChannelsimWarning, InputError, PolicyError

FAULT_DAY = dt.date(2025, 6, 3)


class Faulty(Policy):
    """Does one wrong thing, chosen by ``fault``, from ``effects`` or on :data:`FAULT_DAY`."""

    results = (Result("faulty_things", "Things", "things", "What the faulty policy counts."),)
    fault: str = "none"

    def effects(self, setup: Setup) -> Iterator[Effect | Transform | Cost]:
        if self.fault == "nan-scale":
            yield Effect("prevention_probability", "scale", np.full(setup.n_zones, np.nan))
        if self.fault == "nan-cost":
            yield Cost("faulty_cost", float("nan"))
        if self.fault == "raise-in-effects":
            raise ZeroDivisionError("division by zero")
        if self.fault in _TRANSFORMS:
            yield Transform("prevention_probability", _TRANSFORMS[self.fault])

    def on_beach(self, day: DayView) -> None:
        if day.date != FAULT_DAY:
            return
        actions: dict[str, Callable[[], None]] = {
            "nan-result": lambda: day.add("faulty_things", float("nan")),
            "inf-lever": lambda: setattr(day, "inflow_mean_people", float("inf")),
            "nan-zone-lever": lambda: setattr(
                day, "prevention_probability", np.full(len(day.zone_names), np.nan)
            ),
            "inf-cost": lambda: day.add_cost("faulty_cost", float("inf")),
            "erase-arrivals": lambda: day.__setitem__("arrived_people", 0),
            "edit-in-place": lambda: day.prevention_probability.__setitem__(0, np.nan),
            "probability-above-1": lambda: setattr(
                day, "prevention_probability", np.full(len(day.zone_names), 1.5)
            ),
            "huge-result": lambda: day.add("faulty_things", 1e308),
            "raise": _raise,
            "exit": _exit,
            "base-exception": _raise_base_exception,
            "ctrl-c": _press_ctrl_c,
        }
        actions.get(self.fault, lambda: None)()


#: Transforms of a lever that break its rules: above its bounds, not finite, another shape,
#: raising.
_TRANSFORMS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "transform-above-1": lambda values, days: values + 1.0,
    "transform-nan": lambda values, days: values * np.nan,
    "transform-shape": lambda values, days: values[:, 0],
    "transform-raise": lambda values, days: values[len(days) + 5],
}


def _raise() -> None:
    raise RuntimeError("plug-in exploded on purpose\nsecond line of its message")


def _exit() -> None:
    raise SystemExit(0)


class Boom(BaseException):
    """Neither an ``Exception`` nor a stop: a plug-in's own ``BaseException`` (s13 re-trial N4,
    a 45-line traceback)."""


def _raise_base_exception() -> None:
    raise Boom("boom on purpose")


def _press_ctrl_c() -> None:
    raise KeyboardInterrupt


class Clashing(Policy):
    """Declares a built-in result's name with another meaning."""

    results = (Result("arrived_people", "Arrivals", "boats", "Not the engine's arrivals."),)


register_policy("faulty_plugin", Faulty)
register_policy("clashing_plugin", Clashing)

SCENARIO = """
name = "faulty"
start = 2025-06-01
end = 2025-06-10
seed = 2
[[policies]]
type = "{kind}"
name = "my-plugin"
[policies.params]
{params}
"""


def _sim(tmp_path: Path, kind: str = "faulty_plugin", fault: str | None = None) -> Sim:
    path = tmp_path / "s.toml"
    params = f'fault = "{fault}"' if fault else ""
    path.write_text(SCENARIO.format(kind=kind, params=params))
    return Sim(load_scenario(path))


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("nan-scale", "the lever 'prevention_probability': expected a finite number, got array"),
        ("nan-cost", "the cost 'faulty_cost': expected a finite number, got nan"),
        ("raise-in-effects", "ZeroDivisionError: division by zero"),
        ("nan-result", "on 2025-06-03: the result 'faulty_things': expected a finite number"),
        ("inf-lever", "on 2025-06-03: the lever 'inflow_mean_people': expected a finite number"),
        ("nan-zone-lever", "on 2025-06-03: the lever 'prevention_probability': expected a fin"),
        ("inf-cost", "on 2025-06-03: the cost 'faulty_cost': expected a finite number, got inf"),
        ("raise", "on 2025-06-03: RuntimeError: plug-in exploded on purpose"),
        # the s13 re-trial's variants: an edit in place of the lever handed out (it bypassed
        # the checks: prevention off), a probability of 1.5, a finite value whose total wrapped
        ("edit-in-place", "on 2025-06-03: ValueError: assignment destination is read-only"),
        ("probability-above-1", "the lever 'prevention_probability': expected values from 0 to 1"),
        ("huge-result", "the result 'faulty_things': expected a number of at most 1e+12 in size"),
        (
            "erase-arrivals",
            "on 2025-06-03: wrote the result 'arrived_people', which it does not "
            "declare (a policy writes its own results, and of the engine's only officer_injuries, "
            "removed_people, returned_from_uk_people)",
        ),
        ("exit", "on 2025-06-03: SystemExit: 0"),
        ("transform-above-1", ": the lever 'prevention_probability': expected values from 0 to 1"),
        ("transform-nan", ": the lever 'prevention_probability': expected a finite number"),
        (
            "transform-shape",
            ": the lever 'prevention_probability': expected values of shape (10, 10), got (10,)",
        ),
        ("transform-raise", ": IndexError: index 15 is out of bounds"),
        ("base-exception", "on 2025-06-03: Boom: boom on purpose"),
    ],
)
def test_a_fault_is_one_line_naming_the_policy(tmp_path: Path, fault: str, said: str) -> None:
    with pytest.raises(PolicyError) as caught:
        _sim(tmp_path, fault=fault).run()
    text = str(caught.value)
    assert text.startswith("policy 'my-plugin' (faulty_plugin)"), text
    assert said in text and "\n" not in text, text


def test_ctrl_c_in_a_hook_stops_the_run_as_any_ctrl_c(tmp_path: Path) -> None:
    """A ``KeyboardInterrupt`` (Ctrl-C, or SIGTERM as the command line raises it) is not the
    policy's fault: it passes through, so the run stops as it does at any other moment."""
    with pytest.raises(KeyboardInterrupt):
        _sim(tmp_path, fault="ctrl-c").run()


def test_a_policy_that_does_nothing_wrong_runs(tmp_path: Path) -> None:
    """The checks refuse only faults: the same policy, well behaved, runs."""
    result = _sim(tmp_path, fault="none").run()
    assert result.totals["faulty_things"] == 0
    assert result.totals["arrived_people"] > 0


def test_a_result_declared_against_a_built_in_names_the_policy(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"policy 'my-plugin' \(clashing_plugin\): ValueError: "
                       r"result 'arrived_people' is declared twice, differently"):  # fmt: skip
        _sim(tmp_path, kind="clashing_plugin").run()


class _Entry:
    """An entry point whose module fails at import (or registers a taken name)."""

    def __init__(self, name: str, error: Exception) -> None:
        self.name, self.value, self._error = name, f"{name}_module", error

    def load(self) -> Any:
        raise self._error


@pytest.mark.parametrize(
    "error",
    [RuntimeError("this plug-in is broken at import"),
     ValueError("policy type 'beach_patrols' is already registered")],
)  # fmt: skip
def test_a_plug_in_that_fails_to_load_is_skipped_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    entry = _Entry(f"zz_broken_{type(error).__name__}", error)
    monkeypatch.setattr(policy_module, "entry_points", lambda **kwargs: [entry])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(InputError, match="unknown policy type 'beach_patrol'"):
            _sim(tmp_path, kind="beach_patrol")  # a typo of beach_patrols
        assert "beach_patrols" in policy_module.registered_policies()
    said = [str(w.message) for w in caught if issubclass(w.category, ChannelsimWarning)]
    assert len(said) == 1, said  # once per process, though loaded twice
    assert said[0].startswith(f"plug-in policy '{entry.name}' ({entry.value}): skipped"), said
    assert str(error) in said[0]
