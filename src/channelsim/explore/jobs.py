"""Comparisons run for the page: one at a time in a background thread of the app's process,
with their progress, a cancel, and a cache keyed by (scenarios, seed, runs).

The work is ``channelsim.experiments.compare_scenarios``, the function behind
`channelsim compare`, on the same executor choice (``"auto"``: in this process while that is
quicker, a local pool when not), so the page's numbers are the command's. Three things make a
question quick without changing a bit of its answer:

- the executor is kept for the app's life and its workers are started (and the compiled
  engine loaded in them and here) when the app starts (:meth:`Explorer.warm`);
- finished members are kept by what determines them (:class:`MemberCache`: the member
  function, the scenario, the parameter draw, the seed): the base, asked again with the same
  seed and runs, is not run again — only the changed scenario is;
- the map's boat logs (one run of each scenario again) are made when the map is drawn
  (:meth:`Answer.boat_logs`), not before the answer is shown.

What the app keeps is bounded whatever the number of questions: at most :data:`CACHE_SIZE`
answers (:class:`Answer`: the summary table, the paired values, the monthly quantiles and, once
the map is drawn, one boat log of each scenario — about 0.6 MB for a one-year comparison of 50
paired runs; never the members' days), at most :data:`KEPT_JOBS` finished jobs (which point to
those answers), and members up to :data:`CACHED_MEMBERS` and :data:`CACHED_MEMBERS_BYTES`
(a one-year member's daily table is about 0.12 MB), the least recently used dropped first.
After each comparison the memory its members' tables took is handed back to the system
(:func:`release_memory`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from channelsim.errors import ChannelsimError
from channelsim.explore.settings import Settings

if TYPE_CHECKING:
    from channelsim.engine import ResultSet
    from channelsim.experiments import Comparison
    from channelsim.experiments.calibrate import Posterior
    from channelsim.experiments.ensemble import Member, MemberOutput
    from channelsim.experiments.executor import Executor

State = Literal["waiting", "running", "done", "failed", "cancelled"]
#: Answers kept (the least recently asked dropped first): the same question answers at once
#: the second time.
CACHE_SIZE = 16
#: Finished jobs kept for the pages polling them.
KEPT_JOBS = 16
#: Members kept by :class:`MemberCache`, at most this many (three 50-run questions and their
#: base) ...
CACHED_MEMBERS = 300
#: ... and at most this many bytes of their tables (a one-year member's daily table is about
#: 0.12 MB, so the count binds first for one-year questions; the bytes for longer periods).
CACHED_MEMBERS_BYTES = 64 * 2**20


@functools.lru_cache(maxsize=4)
def read_posterior(folder: str) -> Posterior:
    """A posterior folder, read once (``channelsim.experiments.calibrate.read_posterior``)."""
    from channelsim.experiments.calibrate import read_posterior as read

    return read(folder)


class Cancelled(ChannelsimError):
    """The user cancelled the comparison."""


@dataclass
class Answer:
    """A comparison as the page shows it: ``comparison`` without the members' days (the
    monthly quantiles of both scenarios are kept instead), with its boat logs for the map."""

    settings: dict[str, Any]
    comparison: Comparison
    monthly: pd.DataFrame  # channelsim.reports.figures.monthly_simulated of both scenarios
    elapsed_s: float

    @property
    def name(self) -> str:
        return self.comparison.names[0]

    @property
    def base(self) -> str:
        return self.comparison.base

    @property
    def results(self) -> ResultSet:
        assert self.comparison.results is not None
        return self.comparison.results

    @property
    def table(self) -> pd.DataFrame:
        return self.comparison.table

    def boat_logs(self) -> pd.DataFrame:
        """The boat log of the map's run of each scenario (the paired replicate nearest
        every scenario's median deaths, ``Comparison.map_rep``), made on first use by
        ``channelsim.experiments.compare.first_boat_logs``, as ``compare --out`` makes it."""
        if self.comparison.boats is None:
            from channelsim.experiments import prepare
            from channelsim.experiments.compare import first_boat_logs

            names = [self.base, *self.comparison.names]
            models = [prepare(s) for s in Settings.from_json(self.settings).scenarios()]
            comparison = self.comparison
            boats = first_boat_logs(
                names, models, comparison.base_seed, comparison.map_rep,
                comparison.map_overrides(),
            )  # fmt: skip
            self.comparison = dataclasses.replace(self.comparison, boats=boats)
        assert self.comparison.boats is not None
        return self.comparison.boats

    def figure(self, name: str) -> dict[str, float]:
        """The median and interval of one figure's paired difference."""
        rows = self.table[self.table["figure"] == name]
        if rows.empty:
            raise KeyError(name)
        row = rows.iloc[0]
        return {k: float(row[k]) for k in ("median", "low", "high", "mean")}


@dataclass
class Job:
    """A comparison asked for by the page."""

    id: str
    key: str
    settings: Settings
    state: State = "waiting"
    done: int = 0
    total: int = 0
    error: str | None = None
    answer: Answer | None = None
    cached: bool = False
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int) -> None:
        """Called by the ensemble after each member; raises :class:`Cancelled` on cancel."""
        self.state, self.done, self.total = "running", done, total
        if self.cancel_event.is_set():
            raise Cancelled("the comparison was cancelled")

    def status(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "error": self.error,
            "cached": self.cached,
        }


def compute(
    settings: Settings,
    job: Job | None = None,
    executor: str | Executor = "auto",
    members: MemberCache | None = None,
) -> Answer:
    """Run the paired comparison of ``settings`` (base against the changed scenario), with
    parameter draws from ``settings.posterior`` when it names a posterior folder (as
    ``channelsim compare --posterior``).

    ``members``: finished members kept across comparisons (the same bits as running them).
    Raises :class:`~channelsim.errors.InputError` for settings the scenario rejects (or a
    posterior folder that cannot be read) and :class:`Cancelled` when ``job`` is cancelled.
    """
    from channelsim.experiments import compare_scenarios, prepare
    from channelsim.reports.figures import monthly_simulated

    started = time.perf_counter()
    base, changed = settings.scenarios()
    posterior = None if settings.posterior is None else read_posterior(settings.posterior)
    comparison = compare_scenarios(
        prepare(base),
        [prepare(changed)],
        settings.runs,
        settings.run_seed(),
        executor=executor,
        progress=job.progress if job is not None else False,
        store=members,
        posterior=posterior,
    )
    daily = comparison.daily.assign(member=comparison.daily["rep"].astype(str))
    return Answer(
        settings=settings.to_json(),
        # a copy: an empty slice of the members' days would keep all of them alive
        comparison=dataclasses.replace(comparison, daily=daily.iloc[:0].copy()),
        monthly=monthly_simulated(daily),
        elapsed_s=time.perf_counter() - started,
    )


class MemberCache:
    """Finished ensemble members kept in memory by what determines them — the member
    function, the scenario (as recorded in the ensemble's configuration), the parameter draw,
    the base seed and the replicate — for ``run_ensemble(store=...)``: a member asked again is
    loaded, not run. Members of a scenario with a weather reader of its own (a replay read by
    the driver) are not kept. The most recently used members are kept, at most ``size`` of
    them and at most ``budget_bytes`` of their tables (:func:`member_bytes`)."""

    def __init__(
        self, size: int = CACHED_MEMBERS, budget_bytes: int = CACHED_MEMBERS_BYTES
    ) -> None:
        self.size, self.budget_bytes = size, budget_bytes
        self._outputs: OrderedDict[str, MemberOutput] = OrderedDict()
        self._bytes: dict[str, int] = {}  # content key -> member_bytes of its output
        self._runs: dict[str, dict[str, str]] = {}  # run id -> member key -> content key
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    @staticmethod
    def content_keys(config: dict[str, Any], members: Sequence[Member]) -> dict[str, str]:
        """Each member's content key (members whose scenario has its own reader: none)."""
        scenarios = {
            name: json.dumps(spec, sort_keys=True, default=str)
            for name, spec in config["scenarios"].items()
            if not (isinstance(spec, dict) and spec.get("weather") is not None)
        }
        draws = config["draws"]
        keys = {}
        for member in members:
            if member.scenario not in scenarios:
                continue
            draw = None if draws is None else draws[member.draw]
            what = [config["member_fn"], scenarios[member.scenario], draw, config["base_seed"],
                    member.rep]  # fmt: skip
            text = json.dumps(what, sort_keys=True, default=str)
            keys[member.key] = hashlib.sha256(text.encode()).hexdigest()
        return keys

    def begin_run(self, *, config: dict[str, Any], members: Sequence[Member],
                  **_: Any) -> tuple[str, set[str]]:  # fmt: skip
        keys = self.content_keys(config, members)
        run_id = f"explore-{next(self._ids)}"
        with self._lock:
            self._runs[run_id] = keys
            return run_id, {k for k, content in keys.items() if content in self._outputs}

    def load_member(self, run_id: str, member: Member) -> MemberOutput:
        with self._lock:
            content = self._runs[run_id][member.key]
            self._outputs.move_to_end(content)
            return dataclasses.replace(self._outputs[content], key=member.key)

    def load_members(self, run_id: str, members: Sequence[Member]) -> list[MemberOutput]:
        return [self.load_member(run_id, member) for member in members]

    def record_member(self, run_id: str, member: Member, output: MemberOutput) -> None:
        with self._lock:
            content = self._runs[run_id].get(member.key)
            if content is None:
                return
            output = output.framed()  # its tables kept once: as DataFrames
            self._outputs[content] = output
            self._outputs.move_to_end(content)
            self._bytes[content] = member_bytes(output)
            while len(self._outputs) > self.size or self.nbytes > self.budget_bytes:
                dropped, _ = self._outputs.popitem(last=False)
                del self._bytes[dropped]

    def end_run(self, run_id: str, status: str, message: str | None = None) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def __len__(self) -> int:
        return len(self._outputs)

    @property
    def nbytes(self) -> int:
        """Bytes of the kept members' tables (:func:`member_bytes`)."""
        return sum(self._bytes.values())


def member_bytes(output: MemberOutput) -> int:
    """The bytes a kept member holds: its tables' values and indexes (pandas' deep count)."""
    return sum(int(t.memory_usage(index=True, deep=True).sum()) for t in output.tables.values())


def release_memory() -> None:
    """Hand memory freed by a comparison back to the system: collect cycles, then ask glibc to
    return its free heap pages (``malloc_trim``; skipped where the C library has none), so the
    app's resident size follows what it keeps rather than its largest comparison so far."""
    import ctypes
    import gc

    gc.collect()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def warm_engine(_payload: Any = None, _item: Any = None) -> None:
    """Load the compiled engine in this process: one week of the default base, run once."""
    import datetime as dt

    from channelsim.engine import simulate
    from channelsim.explore.settings import default_base

    base = Settings.starting(default_base()).scenarios()[0]
    simulate(base.with_changes(end=base.start + dt.timedelta(days=6)), 0)


class Explorer:
    """The app's comparisons: submit, poll, cancel; answers cached by (scenarios, seed,
    runs). Comparisons run one at a time (the machine's cores go to the ensemble)."""

    def __init__(
        self, executor: str = "auto", cache_size: int = CACHE_SIZE, members: int = CACHED_MEMBERS
    ) -> None:
        from channelsim.experiments.executor import AutoExecutor

        #: "auto": one kept for the app's life (its pool starts once); else by name each time.
        self.executor: str | Executor = (
            AutoExecutor(serial_budget_s=1.0) if executor == "auto" else executor
        )
        self.members = MemberCache(members)
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Answer] = OrderedDict()
        self._jobs: dict[str, Job] = {}
        #: A page's Run click (its ticket, made by the page) -> its job, and the tickets
        #: cancelled before their job was submitted (the last :data:`KEPT_JOBS` of each).
        self._tickets: OrderedDict[str, str | None] = OrderedDict()
        self._lock = threading.Lock()
        self._turn = threading.Lock()

    def submit(self, settings: Settings, ticket: str | None = None) -> Job:
        """Start a comparison (or answer from the cache at once); ``ticket``: the page's Run
        click, which :meth:`cancel_ticket` may have cancelled already (the job is then
        cancelled, not started)."""
        key = settings.cache_key()
        # unguessable: a counter (job-1, job-2) let any page cancel or read another's (s12 B5)
        job = Job(id=f"job-{secrets.token_urlsafe(16)}", key=key, settings=settings)
        with self._lock:
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-KEPT_JOBS]:
                if self._jobs[old].state not in ("waiting", "running"):
                    del self._jobs[old]
            if ticket is not None:
                cancelled = ticket in self._tickets and self._tickets[ticket] is None
                self._remember(ticket, job.id)
                if cancelled:
                    job.cancel_event.set()
                    job.state = "cancelled"
                    return job
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                job.answer, job.cached, job.state = cached, True, "done"
                return job
        threading.Thread(target=self._run, args=(job,), name=job.id, daemon=True).start()
        return job

    def _run(self, job: Job) -> None:
        """Answer ``job`` (its state says how it ended), then release what its run freed
        while the page shows the answer (the next comparison waits for it)."""
        with self._turn:
            try:
                self._answer(job)
            finally:
                release_memory()

    def _answer(self, job: Job) -> None:
        if job.cancel_event.is_set():
            job.state = "cancelled"
            return
        job.state = "running"
        try:
            answer = compute(job.settings, job, self.executor, self.members)
        except Cancelled:
            job.state = "cancelled"
            return
        except ChannelsimError as error:
            job.error, job.state = str(error), "failed"
            return
        except Exception as error:  # a page shows one line and stays usable
            job.error, job.state = f"{type(error).__name__}: {error}", "failed"
            return
        with self._lock:
            self._cache[job.key] = answer
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        job.answer, job.state = answer, "done"

    def job(self, job_id: str | None) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id or "")

    def cancel(self, job_id: str | None) -> None:
        """Cancel a job: one waiting for another comparison's turn is cancelled at once (its
        Cancel did nothing until the other had finished, s12 B4); a running one at its next
        member."""
        job = self.job(job_id)
        if job is not None:
            job.cancel_event.set()
            with self._lock:
                if job.state == "waiting":
                    job.state = "cancelled"

    def cancel_ticket(self, ticket: str | None) -> Job | None:
        """Cancel the job of a page's Run click: its job if submitted (:meth:`cancel`),
        else the job when it is submitted (None is returned). Cancel is usable as soon as
        Run is clicked, before the page knows its job (it stayed disabled for about 2 s,
        the checks and the round trip)."""
        if not ticket:
            return None
        with self._lock:
            job_id = self._tickets.get(ticket)
            if job_id is None:
                self._remember(ticket, None)
        if job_id is None:
            return None
        self.cancel(job_id)
        return self.job(job_id)

    def _remember(self, ticket: str, job_id: str | None) -> None:
        """Hold ``ticket`` -> ``job_id`` (None: cancelled before submission); the lock held."""
        self._tickets[ticket] = job_id
        self._tickets.move_to_end(ticket)
        while len(self._tickets) > KEPT_JOBS:
            self._tickets.popitem(last=False)

    def waits_for_another(self, job: Job) -> bool:
        """Whether ``job`` waits for another comparison on this server (one runs at a time)."""
        return job.state == "waiting" and self._turn.locked()

    def answer(self, key: str) -> Answer | None:
        with self._lock:
            return self._cache.get(key)

    def warm(self) -> None:
        """Load the compiled engine here and start the kept pool's workers with it loaded
        (a fault here only leaves the first comparison slower)."""
        from channelsim.experiments.executor import AutoExecutor

        with self._turn:
            warm_engine()
            if isinstance(self.executor, AutoExecutor):
                self.executor.warm(warm_engine)

    def close(self) -> None:
        """Stop the kept pool's workers."""
        if not isinstance(self.executor, str):
            self.executor.close()
