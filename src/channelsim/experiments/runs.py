"""An ensemble of one scenario: members over seeds (and posterior draws), reduced to medians
and 5–95% intervals overall, by year and by month.

Member ``r`` runs with seed ``member_seed(base_seed, r)`` and, with a posterior, with
parameter draw ``r`` resampled from it (seeded by the base seed), so the same call gives
bit-identical numbers whatever the executor or the number of workers. Figures and their
aggregation over a year or a month come from the run's results registry.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from channelsim.engine.results import COLUMNS_FILE
from channelsim.engine.stages import with_weather_source
from channelsim.errors import InputError
from channelsim.experiments.ensemble import (
    EnsembleResult,
    EnsembleSpec,
    Member,
    member_seed,
    run_ensemble,
)
from channelsim.experiments.summary import (
    HIGH_Q,
    INTERVAL,
    LOW_Q,
    STATS,
    TYPICAL_FIGURE,
    interval_columns,
    plain_json,
    typical_position,
)
from channelsim.outputs import OutputTarget, write_output_folder

if TYPE_CHECKING:
    import pandas as pd

    from channelsim.engine import ResultSet, SimSpec
    from channelsim.experiments.calibrate import Posterior
    from channelsim.runstore import RunStore
    from channelsim.scenario import Scenario


def resume_target(value: str | None) -> tuple[str | None, bool]:
    """``(run_id, resume)`` for ``run_ensemble`` from a ``--resume`` value (``"latest"``
    or a run id)."""
    if value is None:
        return None, False
    return (None if value == "latest" else value), True


@dataclasses.dataclass
class ScenarioEnsemble:
    """An ensemble of one scenario, reduced to medians and 5–95% intervals across members."""

    scenario: Scenario
    result: EnsembleResult
    posterior: str | None
    elapsed_s: float
    results: ResultSet
    _period_rows: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    _totals: list[dict[str, Any]] | None = None

    @functools.cached_property
    def daily(self) -> pd.DataFrame:
        """Every member's daily table, keyed by ``scenario``, ``draw`` and ``rep``."""
        return self.result.table("daily")

    def totals_rows(self) -> list[dict[str, Any]]:
        """One row per total: ``figure, median, low, high, mean`` (plain Python values, as
        :meth:`totals_table`'s records; no DataFrame)."""
        if self._totals is None:
            figures = self.result.metrics()
            stats = interval_columns(self.result.totals_array(figures))
            self._totals = [{"figure": f, **s} for f, s in zip(figures, stats, strict=True)]
        return [dict(row) for row in self._totals]

    def totals_table(self) -> pd.DataFrame:
        """One row per total: ``figure, median, low, high, mean``."""
        import pandas as pd

        return pd.DataFrame(self.totals_rows(), columns=["figure", *STATS])

    def period_rows(self, period: Literal["year", "month"]) -> list[dict[str, Any]]:
        """Per ``year`` or ``month`` (``YYYY-MM``) and figure, the interval across members of
        the values a single run reports in ``by_year`` / ``by_month`` (the same aggregation,
        over every member's days at once), as rows ``{period, figure, median, low, high,
        mean}`` of plain Python values (:meth:`period_table`'s records; no DataFrame)."""
        if period not in self._period_rows:
            self._period_rows[period] = self._intervals_by(period)
        return [dict(row) for row in self._period_rows[period]]

    def period_table(self, period: Literal["year", "month"]) -> pd.DataFrame:
        """:meth:`period_rows` as a table: ``year`` or ``month``, ``figure`` and the stats."""
        import pandas as pd

        return pd.DataFrame(self.period_rows(period), columns=[period, "figure", *STATS])

    def _daily_columns(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Every member's days as NumPy columns end to end (dates as ``datetime64[D]``) and
        each day's member (its position among the members): from the columns the members
        were shipped as, or, for members read back from the store, from :attr:`daily`."""
        shipped = self.result.table_columns("daily")
        if shipped is not None:
            return shipped
        import pandas as pd

        daily = self.daily
        members = daily.groupby(["draw", "rep"], sort=False).ngroup().to_numpy()
        columns = {c: daily[c].to_numpy() for c in daily.columns}
        columns["date"] = pd.to_datetime(daily["date"]).to_numpy()
        return members, columns

    def _intervals_by(self, period: Literal["year", "month"]) -> list[dict[str, Any]]:
        from channelsim.engine.results import Groups, period_groups

        members, columns = self._daily_columns()
        n_members = int(members.max()) + 1 if members.size else 0
        dates = columns["date"].astype("datetime64[D]")
        labels, periods = period_groups(dates, period)
        n_periods = len(labels)
        groups = Groups(members * n_periods + periods.index, n_members * n_periods)
        values = self.results.aggregate(columns, groups, self.results.figures())
        # members × (period, figure), in the order of the rows
        table = np.stack(
            [v.reshape(n_members, n_periods).astype(np.float64) for v in values.values()],
            axis=2,
        ).reshape(n_members, n_periods * len(values))
        keys = [(label, figure) for label in labels for figure in values]
        return [
            {period: label, "figure": figure, **stats}
            for (label, figure), stats in zip(keys, interval_columns(table), strict=True)
        ]

    @functools.cached_property
    def map_member(self) -> Member:
        """The member whose boats the map draws: the typical one, its dead or missing closest
        to the median of the members (:func:`typical_position`), not the first, which may be
        the one year in twenty with 200 deaths."""
        totals = self.result.totals()
        if TYPICAL_FIGURE not in totals or totals.empty:
            return self.result.members[0]
        return self.result.members[typical_position(totals[TYPICAL_FIGURE])]

    @functools.cached_property
    def boats(self) -> pd.DataFrame:
        """The :attr:`map_member`'s boat log (members ship their daily tables only; the boat
        log is simulated again here, with the same seed and parameters: the same boats)."""
        from channelsim.engine import simulate

        chosen = self.map_member
        seed = member_seed(self.result.spec.base_seed, chosen.rep)
        model = dataclasses.replace(self.result.spec.scenarios[chosen.scenario], keep=("boats",))
        return simulate(model, seed, self.result.spec.overrides(chosen.draw)).boats

    def draws_table(self) -> pd.DataFrame | None:
        """The posterior parameter set of each member, or None without a posterior."""
        spec = self.result.spec
        if spec.draws is None:
            return None
        import pandas as pd

        return pd.DataFrame(
            [{"draw": m.draw, "rep": m.rep, **spec.draws[m.draw]} for m in self.result.members]
        )

    def to_json_dict(self) -> dict[str, Any]:
        """``totals`` as figure -> {median, low, high, mean}; ``by_year`` and ``by_month`` as
        rows of period -> figure -> the same; ``elapsed_s`` is the only timing field."""
        from channelsim.runstore import code_version

        spec = self.result.spec
        return {
            "scenario": self.scenario.name,
            "start": self.scenario.start.isoformat(),
            "end": self.scenario.end.isoformat(),
            "runs": len(self.result.members),
            "seed": spec.base_seed,
            "posterior": self.posterior,
            "run_id": self.result.run_id,
            "code_version": code_version(),
            "interval": INTERVAL,
            "quantiles": {"low": LOW_Q, "high": HIGH_Q},
            "totals": _by_figure(self.totals_rows()),
            "by_year": _by_period(self.period_rows("year"), "year"),
            "by_month": _by_period(self.period_rows("month"), "month"),
            "elapsed_s": round(self.elapsed_s, 3),
        }

    def write(self, out_dir: Path | OutputTarget) -> Path:
        """Write the aggregates (``totals``, ``by_year``, ``by_month``), every member's totals
        (``members``) and days (``daily``, keyed by draw and rep), the typical member's boat log
        (``boats``, for the map; ``summary.json``'s ``map_run`` says which), the draws,
        ``summary.json`` and the scenario, atomically."""
        tables: dict[str, pd.DataFrame | None] = {
            "totals": self.totals_table(),
            "by_year": self.period_table("year"),
            "by_month": self.period_table("month"),
            "members": self.result.totals(),
            "daily": self.daily,
            "boats": self.boats,
            "draws": self.draws_table(),
        }
        chosen = self.map_member  # which run the map draws (the report says so)
        described = with_weather_source(self.results, [self.scenario.weather.mode])
        payload = {**self.to_json_dict(), "map_run": {"draw": chosen.draw, "rep": chosen.rep}}

        def write(tmp: Path) -> None:
            for name, table in tables.items():
                if table is not None:
                    table.to_parquet(tmp / f"{name}.parquet", index=False)
            documents = (
                ("summary.json", payload),
                ("scenario.json", self.scenario.to_dict()),
                (COLUMNS_FILE, described.to_records()),  # as a single run's folder names it
            )
            for name, content in documents:
                text = json.dumps(plain_json(content), indent=2, ensure_ascii=False)
                (tmp / name).write_text(text + "\n", encoding="utf-8")

        return write_output_folder(out_dir, write, kind="ensemble", describe=described.describe)


def _by_figure(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    return {str(row["figure"]): {k: v for k, v in row.items() if k != "figure"} for row in rows}


def _by_period(rows: list[dict[str, Any]], period: str) -> list[dict[str, Any]]:
    """Rows ``{period: key, figure: {median, low, high, mean}, ...}`` by ascending period."""
    periods: dict[Any, dict[str, dict[str, float]]] = {}
    for row in rows:
        key, figure = row.pop(period), str(row.pop("figure"))
        periods.setdefault(key, {})[figure] = row
    return [{period: key, **periods[key]} for key in sorted(periods)]


def run_scenario_ensemble(
    scenario: Scenario | SimSpec,
    runs: int,
    seed: int,
    *,
    posterior: Path | Posterior | None = None,
    executor: str = "auto",
    workers: int | None = None,
    store: RunStore | None = None,
    resume: str | None = None,
    progress: bool = True,
) -> ScenarioEnsemble:
    """Run ``runs`` members of ``scenario`` from base seed ``seed``; with a ``posterior``
    folder (or one read, :func:`~channelsim.experiments.calibrate.read_posterior`), member
    ``r`` takes parameter draw ``r``. ``resume`` is a run id or ``"latest"``."""
    from channelsim.engine import scenario_results
    from channelsim.engine.spec import SIMULATE, SimSpec

    if runs < 1:
        raise InputError(None, "--runs", f"expected at least 1 run, got {runs}")
    if seed < 0:
        raise InputError(None, "--seed", f"expected a non-negative integer, got {seed}")
    draws = None
    if posterior is not None:
        from channelsim.experiments.calibrate import read_posterior

        if isinstance(posterior, Path | str):
            posterior = read_posterior(posterior)
        draws = posterior.draws(runs, seed)
    model = scenario if isinstance(scenario, SimSpec) else SimSpec(scenario)
    model = dataclasses.replace(model, keep=("daily",))  # the boat log is re-run when written
    scenario = model.scenario
    spec = EnsembleSpec(
        scenarios={scenario.name: model},
        reps=runs,
        base_seed=seed,
        draws=draws,
        name=scenario.name,
        kind="run",
    )
    # one draw per replicate, not every draw with every replicate
    members = None if draws is None else [Member(scenario.name, r, r) for r in range(runs)]
    run_id, resuming = resume_target(resume)
    started = time.perf_counter()
    result = run_ensemble(
        SIMULATE,  # the engine loads in the workers, not here (unless a member runs here)
        spec,
        members,
        executor=executor,
        workers=workers,
        progress=progress,
        store=store,
        run_id=run_id,
        resume=resuming,
    )
    return ScenarioEnsemble(
        scenario=scenario,
        result=result,
        posterior=None if posterior is None else str(posterior.path),
        elapsed_s=time.perf_counter() - started,
        results=scenario_results(scenario),
    )
