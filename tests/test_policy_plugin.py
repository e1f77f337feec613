"""Adding a policy is one module, a scenario and a test: this file is all three.

``WeekendSurge`` is the example of docs/architecture.md, defined here, outside the package:
it moves a lever by an effect, books a cost, and makes a result of its own from a hook, which
reaches the daily table, the totals and a comparison's figures.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import Field

from channelsim.engine import (
    Cost,
    DayView,
    Effect,
    Policy,
    Result,
    Setup,
    Sim,
    load_scenario,
    register_policy,
)
from channelsim.experiments import compare_scenarios

SRC = Path(__file__).resolve().parents[1] / "src"


def weekend(dates: np.ndarray) -> np.ndarray:
    """Fridays and Saturdays (1 January 1970 was a Thursday)."""
    weekday = (dates.astype("datetime64[D]").astype(np.int64) + 3) % 7  # Monday 0
    return (weekday == 4) | (weekday == 5)


class WeekendSurge(Policy):
    """Extra officers on chosen beaches on Fridays and Saturdays: each guarded zone's
    chance of stopping a launch attempt gets ``extra_stop_probability`` more."""

    results = (
        Result(
            "surge_officer_days",
            "Officers of the weekend surge",
            "officer-days",
            "Officers deployed on the beaches by the weekend surge.",
            role="figure",
        ),
    )

    zones: tuple[str, ...] = ("Calais / Sangatte", "Wissant / Cap Gris-Nez")
    officers: int = Field(default=100, ge=0, le=10_000)
    extra_stop_probability: float = Field(default=0.3, ge=0, le=1)
    cost_gbp_per_officer_day: float = Field(default=300.0, ge=0)

    def effects(self, setup: Setup) -> Iterator[Effect | Cost]:
        guarded = np.isin(np.array(setup.zone_names), self.zones)
        days = weekend(setup.dates)
        yield Effect(
            "prevention_probability", "chance", self.extra_stop_probability * guarded, days
        )
        yield Cost(
            "weekend_surge", np.where(days, self.officers * self.cost_gbp_per_officer_day, 0)
        )

    def on_beach(self, day: DayView) -> None:
        if weekend(np.array([day.date], dtype="datetime64[D]"))[0]:
            day.add("surge_officer_days", self.officers)


register_policy("weekend_surge", WeekendSurge)

SCENARIO = """
name = "{name}"
start = 2025-06-01
end = 2025-07-31
seed = 4
{policy}
"""
SURGE = '[[policies]]\ntype = "weekend_surge"\n[policies.params]\nofficers = 150\n'


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    base, surge = folder / "base.toml", folder / "surge.toml"
    base.write_text(SCENARIO.format(name="base", policy=""))
    surge.write_text(SCENARIO.format(name="surge", policy=SURGE))
    return base, surge


def test_a_policy_from_outside_the_package_has_its_own_results(
    scenarios: tuple[Path, Path],
) -> None:
    base_path, surge_path = scenarios
    base = Sim(load_scenario(base_path)).run()
    surge = Sim(load_scenario(surge_path)).run()
    daily = surge.daily
    assert "surge_officer_days" in daily.columns and "surge_officer_days" not in base.daily
    on = weekend(daily["date"].to_numpy().astype("datetime64[D]"))
    assert (daily.loc[on, "surge_officer_days"] == 150).all()
    assert (daily.loc[~on, "surge_officer_days"] == 0).all()
    assert surge.totals["surge_officer_days"] == 150 * on.sum()
    assert surge.results.label("surge_officer_days") == (
        "Officers of the weekend surge (officer-days)"
    )
    assert surge.totals["cost_gbp"] == pytest.approx(150 * 300.0 * on.sum())
    # The weekdays' draws are the base's; weekends stop more people on the beach.
    first_weekend = int(np.argmax(on))
    pd.testing.assert_frame_equal(
        daily[base.daily.columns].iloc[:first_weekend], base.daily.iloc[:first_weekend]
    )
    assert surge.totals["prevented_people"] > base.totals["prevented_people"]


def test_its_result_is_a_figure_of_a_comparison(scenarios: tuple[Path, Path]) -> None:
    base_path, surge_path = scenarios
    comparison = compare_scenarios(
        load_scenario(base_path),
        [load_scenario(surge_path)],
        runs=2,
        seed=3,
        executor="serial",
        progress=False,
    )
    assert "surge_officer_days" in comparison.figures
    row = comparison.table[comparison.table["figure"] == "surge_officer_days"]
    assert float(row["median"].iloc[0]) > 0  # the base counts it as 0


def test_builtin_policies_need_no_install_metadata(tmp_path: Path) -> None:
    """With the source on PYTHONPATH and no entry points at all, a doctrine scenario runs."""
    path = tmp_path / "doctrine.toml"
    path.write_text(
        SCENARIO.format(name="d", policy='[[policies]]\ntype = "maritime_doctrine"\n').replace(
            "2025-07-31", "2025-06-05"
        )
    )
    code = (
        "import channelsim.engine.policy as p\n"
        "p.entry_points = lambda **kwargs: []  # no package metadata: no entry points\n"
        "from channelsim.engine import Sim, load_scenario\n"
        f"r = Sim(load_scenario({str(path)!r})).run()\n"
        "print(sorted(p._REGISTRY), r.results.get('officer_injuries') is not None)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "maritime_doctrine" in done.stdout and done.stdout.strip().endswith("True")


@pytest.mark.parametrize("entry_name", ["night_watch", "night_watch_plugin"])
def test_a_plug_in_is_found_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry_name: str
) -> None:
    """An installed package's ``channelsim.policies`` entry point makes its module's policy
    type known, whether the entry is named after the type or not (one named after it was
    skipped, and the type refused as unknown while listed as known)."""
    from importlib.metadata import EntryPoint

    import channelsim.engine.policy as policy_module

    module = f"{entry_name}_module"  # a module of its own per case (imported once each)
    (tmp_path / f"{module}.py").write_text(
        "from channelsim.engine import Policy, register_policy\n"
        "class NightWatch(Policy):\n    pass\n"
        "register_policy('night_watch', NightWatch)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = EntryPoint(entry_name, module, "channelsim.policies")
    monkeypatch.setattr(policy_module, "entry_points", lambda **kwargs: [entry])
    monkeypatch.delitem(policy_module._REGISTRY, "night_watch", raising=False)
    assert policy_module.policy_type("night_watch").__name__ == "NightWatch"
