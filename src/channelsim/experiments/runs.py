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
from collections.abc import Sequence
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
    MemberOutput,
    joined_columns,
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
    _periods: PeriodValues | None = None

    @functools.cached_property
    def daily(self) -> pd.DataFrame:
        """Every member's daily table, keyed by ``scenario``, ``draw`` and ``rep`` (a
        ``ValueError`` for an ensemble run with ``keep_days=False``, which kept none)."""
        if self._periods is not None:
            raise ValueError("this ensemble kept no member's days (run with keep_days=False)")
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

    def _intervals_by(self, period: Literal["year", "month"]) -> list[dict[str, Any]]:
        if self._periods is not None:  # reduced as the members arrived
            labels, figures, table = self._periods.table(period, self.result.outputs)
        else:
            members, columns = days_of(self.result.outputs)
            labels, figures, table = period_values(members, columns, period, self.results)
        keys = [(label, figure) for label in labels for figure in figures]
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


def days_of(outputs: Sequence[MemberOutput]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The members' days as NumPy columns end to end (dates as ``datetime64``) and each
    day's member (its position among ``outputs``): from the columns the members were shipped
    as, or, for members read back from the store, from their DataFrames."""
    shipped = joined_columns(outputs, "daily")
    if shipped is not None:
        return shipped
    import pandas as pd

    frames = [output.tables["daily"] for output in outputs]
    daily = pd.concat(frames, ignore_index=True)
    members = np.repeat(np.arange(len(frames), dtype=np.int64), [len(f) for f in frames])
    columns = {c: daily[c].to_numpy() for c in daily.columns}
    columns["date"] = pd.to_datetime(daily["date"]).to_numpy()
    return members, columns


def period_values(
    members: np.ndarray,
    columns: dict[str, np.ndarray],
    period: Literal["year", "month"],
    results: ResultSet,
) -> tuple[list[Any], list[str], np.ndarray]:
    """Each member's value of each figure in each ``year`` or ``month``, as a single run
    reports them in ``by_year`` / ``by_month`` (the same aggregation, over every member's days
    at once): the periods' labels, the figures, and a members × (period, figure) table, in the
    order of the labels, then the figures. A member's values depend on its own days only."""
    from channelsim.engine.results import Groups, period_groups

    n_members = int(members.max()) + 1 if members.size else 0
    dates = columns["date"].astype("datetime64[D]")
    labels, periods = period_groups(dates, period)
    n_periods = len(labels)
    groups = Groups(members * n_periods + periods.index, n_members * n_periods)
    values = results.aggregate(columns, groups, results.figures())
    table = np.stack(
        [v.reshape(n_members, n_periods).astype(np.float64) for v in values.values()],
        axis=2,
    ).reshape(n_members, n_periods * len(values))
    return labels, list(values), table


PERIODS: tuple[Literal["year", "month"], ...] = ("year", "month")

DAYS_BATCH = 64
"""How many members' days an ensemble that keeps none (``keep_days=False``) holds at most
before it reduces them to their values by year and by month (:class:`PeriodValues`): some
0.26 MB each for a one-year member, against a few kB once reduced (a batch takes a few ms)."""


class PeriodValues:
    """Members' values by year and by month, reduced from their days as they arrive, in
    batches of :data:`DAYS_BATCH` (:meth:`keep`, :func:`run_ensemble`'s ``keep``), so that an
    ensemble that writes no days (``run --runs N`` without ``--out``) does not hold every
    member's days: 100,000 one-year members held 26 GB. The values are those
    :func:`period_values` gives over all the members at once, bit for bit (a member's values
    depend on its own days only)."""

    def __init__(self, results: ResultSet) -> None:
        self.results = results
        self._waiting: dict[int, MemberOutput] = {}
        self._labels: dict[str, list[Any]] = {}
        self._figures: list[str] = []
        self._rows: dict[str, dict[int, np.ndarray]] = {period: {} for period in PERIODS}

    def keep(self, position: int, output: MemberOutput) -> MemberOutput:
        """The member at ``position`` without its tables (its days wait here until reduced)."""
        self._waiting[position] = output
        if len(self._waiting) >= DAYS_BATCH:
            self._reduce()
        return dataclasses.replace(output, tables={})

    def _reduce(self) -> None:
        positions, self._waiting = list(self._waiting.items()), {}
        members, columns = days_of([output for _, output in positions])
        for period in PERIODS:
            labels, figures, table = period_values(members, columns, period, self.results)
            if self._labels.setdefault(period, labels) != labels or (
                self._figures and figures != self._figures
            ):
                raise ValueError("an ensemble's members cover different periods or figures")
            self._figures = figures
            self._rows[period].update(zip((p for p, _ in positions), table, strict=True))

    def table(
        self, period: Literal["year", "month"], outputs: Sequence[MemberOutput]
    ) -> tuple[list[Any], list[str], np.ndarray]:
        """As :func:`period_values` for ``outputs`` (the ensemble's members in order): those
        kept here reduced already, any other (read back from the store on resuming) now."""
        rows = self._rows[period]
        for position, output in enumerate(outputs):
            if position not in rows and position not in self._waiting:
                self._waiting[position] = output
        if self._waiting:
            self._reduce()
        return self._labels[period], self._figures, np.stack([rows[p] for p in range(len(outputs))])


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
    keep_days: bool = True,
) -> ScenarioEnsemble:
    """Run ``runs`` members of ``scenario`` from base seed ``seed``; with a ``posterior``
    folder (or one read, :func:`~channelsim.experiments.calibrate.read_posterior`), member
    ``r`` takes parameter draw ``r``. ``resume`` is a run id or ``"latest"``. With
    ``keep_days=False`` the members' days are reduced to their values by year and month as
    they arrive and not kept (:class:`PeriodValues`; the same figures): the ensemble then
    has no :attr:`~ScenarioEnsemble.daily` and cannot be written."""
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
    results = scenario_results(scenario)
    periods = None if keep_days else PeriodValues(results)
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
        keep=None if periods is None else periods.keep,
    )
    return ScenarioEnsemble(
        scenario=scenario,
        result=result,
        posterior=None if posterior is None else str(posterior.path),
        elapsed_s=time.perf_counter() - started,
        results=results,
        _periods=periods,
    )
