"""Executors: run one function over many items, serially, in local processes or on Dask.

Every executor has the same contract: ``run(fn, payload, items)`` calls ``fn(payload, item)``
for each item and yields ``(index, result)`` pairs *as they complete*. Callers must place
results by index and never rely on completion order; that is what makes an ensemble
bit-identical whatever the executor and the number of workers.

The payload (the member function and the ensemble spec) is shipped once per worker, not once
per item: a process pool receives it through its initializer, a Dask cluster through
``client.scatter(..., broadcast=True)``.

Functions and payloads must be importable in worker processes (pickled by reference). Local
process pools use the ``forkserver`` (Linux) or ``spawn`` start method, both of which start the
workers with the driver's ``sys.path``; Dask workers started by a ``LocalCluster`` also inherit
it. Remote Dask workers need the package installed, or a function registered with
``cloudpickle.register_pickle_by_value``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, Protocol, Self

from channelsim.errors import ChannelsimError, ClusterError, InputError

DEFAULT_CONNECT_TIMEOUT_S = 5.0
DASK_SCHEMES = ("tcp://", "tls://", "ws://", "wss://", "inproc://")

TaskFn = Callable[[Any, Any], Any]


class WorkerLostError(ChannelsimError):
    """A worker process died (killed, out of memory, crashed) while running a task."""


class Executor(Protocol):
    """Runs ``fn(payload, item)`` over items and yields ``(index, result)`` as they finish."""

    name: str

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        """Yield ``(index, fn(payload, items[index]))`` in completion order.

        Closing the generator early (an exception or Ctrl-C in the caller) cancels the
        tasks not yet started.
        """
        ...


class SerialExecutor:
    """Runs every task in the calling process, in order: the reference for the others."""

    name = "serial"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        for index, item in enumerate(items):
            yield index, fn(payload, item)


_worker_task: tuple[TaskFn, Any] | None = None


def _init_worker(fn: TaskFn, payload: Any) -> None:
    """Keep the payload in the worker and leave Ctrl-C to the driver, which cancels cleanly."""
    global _worker_task
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_task = (fn, payload)


def _call_in_worker(item: Any) -> Any:
    assert _worker_task is not None, "worker used before its initializer ran"
    fn, payload = _worker_task
    return fn(payload, item)


def _start_method() -> str:
    """``forkserver`` where it exists (no fork of a threaded driver), else ``spawn``."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class ProcessExecutor:
    """A local pool of worker processes (``concurrent.futures``), created per run."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        if not items:
            return
        pool = ProcessPoolExecutor(
            max_workers=min(self.workers, len(items)),
            mp_context=multiprocessing.get_context(_start_method()),
            initializer=_init_worker,
            initargs=(fn, payload),
        )
        finished = False
        try:
            index_of: dict[Future[Any], int] = {
                pool.submit(_call_in_worker, item): index for index, item in enumerate(items)
            }
            for future in as_completed(index_of):
                try:
                    result = future.result()
                except BrokenProcessPool as error:
                    raise WorkerLostError(
                        f"a worker process died while the pool ran item {index_of[future]} "
                        f"({error})"
                    ) from error
                yield index_of[future], result
            finished = True
        finally:
            _shutdown(pool, graceful=finished)


def _shutdown(pool: ProcessPoolExecutor, graceful: bool) -> None:
    """Stop the pool; on error or Ctrl-C, cancel queued tasks and stop running ones too."""
    if graceful:
        pool.shutdown(wait=True)
        return
    # ProcessPoolExecutor.terminate_workers() arrives in Python 3.14; until then, its processes.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        if process.is_alive():
            process.terminate()
    for process in workers:
        process.join(timeout=5)
    pool.shutdown(wait=True)


class DaskExecutor:
    """Tasks on a running Dask scheduler, reached through ``dask.distributed.Client``."""

    name = "dask"

    def __init__(self, address: str, connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> None:
        self.address = address
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None

    def __enter__(self) -> Self:
        from distributed import Client

        try:
            self._client = Client(
                self.address, timeout=self.connect_timeout_s, set_as_default=False
            )
        except (OSError, TimeoutError) as error:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {self.address}: {error}"
            ) from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        client = self._client
        if client is None:
            raise RuntimeError("DaskExecutor.run called outside its context manager")
        if not items:
            return
        [shared] = client.scatter([payload], broadcast=True)
        futures = client.map(fn, [shared] * len(items), list(items), pure=False)
        index_of = {future.key: index for index, future in enumerate(futures)}
        finished = False
        try:
            for future in as_completed(futures, loop=client.loop):
                try:
                    result = future.result()
                except KilledWorker as error:
                    raise WorkerLostError(
                        f"Dask workers died while running item {index_of[future.key]} ({error})"
                    ) from error
                yield index_of[future.key], result
            finished = True
        finally:
            if not finished:
                client.cancel(futures)


def make_executor(
    executor: str | Executor,
    workers: int | None = None,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
) -> Executor:
    """Turn ``"serial"``, ``"processes"`` or a scheduler address into an executor."""
    if not isinstance(executor, str):
        return executor
    if workers is not None and workers < 1:
        raise InputError(None, "workers", f"expected a positive number of workers, got {workers}")
    if executor == "serial":
        return SerialExecutor()
    if executor == "processes":
        return ProcessExecutor(workers)
    if executor.startswith(DASK_SCHEMES):
        return DaskExecutor(executor, connect_timeout_s)
    raise InputError(
        None,
        "executor",
        f"expected 'serial', 'processes' or a Dask scheduler address such as "
        f"tcp://HOST:PORT, got {executor!r}",
    )
