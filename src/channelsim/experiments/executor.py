"""Executors: run one function over many items, serially, in local processes or on Dask.

Every executor has the same contract: ``run(fn, payload, items)`` calls ``fn(payload, item)``
for each item and yields ``(index, result)`` pairs *as they complete*. Callers must place
results by index and never rely on completion order; that is what makes an ensemble
bit-identical whatever the executor and the number of workers.

The payload (the member function and the ensemble spec) travels once per worker, not once per
item: a process pool reads it from one pickle file per run, a Dask cluster receives it through
``client.scatter(..., broadcast=True)``.

An executor is started on first use and stopped by ``close()`` (or by leaving its ``with``
block). Keep one open across several runs (calibration generations, say) to pay the worker
start-up (imports, JIT compilation: a few seconds) or the cluster connection once::

    with ProcessExecutor(workers=2) as executor:
        for generation in range(10):
            run_ensemble(member_fn, spec_for(generation), executor=executor)

Functions and payloads are pickled by reference, so they must be importable in the workers.
Local pools use the ``forkserver`` (Linux) or ``spawn`` start method, both of which start the
workers with the driver's ``sys.path``; Dask workers started by a ``LocalCluster`` also inherit
it. Remote Dask workers need the package installed, or a function registered with
``cloudpickle.register_pickle_by_value``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import logging
import math
import multiprocessing
import os
import pickle
import secrets
import select
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.util import get_temp_dir as multiprocessing_temp_dir
from pathlib import Path
from typing import Any, Protocol, Self

from channelsim.errors import ChannelsimError, ClusterError, InputError
from channelsim.interrupts import signals_deferred

DEFAULT_CONNECT_TIMEOUT_S = 5.0

SCHEDULER_TIMEOUT_ENV = "CHANNELSIM_SCHEDULER_TIMEOUT"
DEFAULT_SCHEDULER_TIMEOUT_S = 60.0
"""How long a Dask scheduler may leave a question unanswered while an ensemble waits for its
members (``$CHANNELSIM_SCHEDULER_TIMEOUT`` seconds, else this) before the run gives up."""

QUIET_S = 5.0
"""After this long without a finished member the scheduler is asked whether it is there."""
DASK_SCHEMES = ("tcp://", "tls://", "ws://", "wss://", "inproc://")

TaskFn = Callable[[Any, Any], Any]


class WorkerLostError(ChannelsimError):
    """A worker process died (killed, out of memory, crashed) while running a task."""


class Executor(Protocol):
    """Runs ``fn(payload, item)`` over items and yields ``(index, result)`` as they finish."""

    name: str

    def start(self) -> Self:
        """Start workers or connect; idempotent. Errors here are the user's to fix."""
        ...

    def close(self) -> None:
        """Stop workers or disconnect; idempotent."""
        ...

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        """Yield ``(index, fn(payload, items[index]))`` in completion order.

        Closing the generator early (an exception or Ctrl-C in the caller) cancels the
        tasks not yet finished.
        """
        ...


class _Lifecycle:
    """``with executor:`` starts it and closes it."""

    def start(self) -> Self:
        return self

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SerialExecutor(_Lifecycle):
    """Runs every task in the calling process, in order: the reference for the others."""

    name = "serial"

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        for index, item in enumerate(items):
            yield index, fn(payload, item)


_worker_task: tuple[str, TaskFn, Any] | None = None


def _init_worker(driver_pid: int, driver_folders: Sequence[str]) -> None:
    """Leave Ctrl-C and SIGTERM to the driver, which stops the run cleanly (and stops the
    workers with SIGKILL); die as soon as the driver is gone, however it ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a closed terminal: the driver stops them
    threading.Thread(
        target=_die_with, args=(driver_pid, driver_folders), name="die-with-driver", daemon=True
    ).start()


def _die_with(driver_pid: int, driver_folders: Sequence[str]) -> None:
    """Wait for the driver process to end, remove the temporary folders it could not (the
    payloads, multiprocessing's own), then kill this worker: a worker holds hundreds of MB,
    and while one lives the forkserver does too.

    ``prctl(PR_SET_PDEATHSIG)`` would not do: a forkserver worker's parent is the forkserver,
    which lives on as long as any worker does. A pidfd becomes readable when its process
    ends (Linux 5.3+); elsewhere the driver's pid is polled once a second.
    """
    try:
        handle = os.pidfd_open(driver_pid)
    except ProcessLookupError:  # already gone
        handle = None
    except (AttributeError, OSError):  # no pidfd on this platform
        while _alive(driver_pid):
            time.sleep(1.0)
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    for folder in driver_folders:
        shutil.rmtree(folder, ignore_errors=True)
    os.kill(os.getpid(), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: the driver's pid, reused
        return False
    return True


def _call_in_worker(payload_path: str, item: Any) -> Any:
    """Run one task; read the run's payload the first time this worker meets it."""
    global _worker_task
    if _worker_task is None or _worker_task[0] != payload_path:
        fn, payload = pickle.loads(Path(payload_path).read_bytes())
        _worker_task = (payload_path, fn, payload)
    _, fn, payload = _worker_task
    return fn(payload, item)


FORKSERVER_PRELOAD = ("__main__", "channelsim.experiments.preload")
"""Modules the fork server imports once, so that every worker forked from it has them: the
driver's script (which ``channelsim.experiments.preload`` imports, see
:data:`FORKSERVER_MAIN_ENV`) and the engine, loaded and warmed."""


_FORK_FROM_HERE = False
"""Whether local pools fork their workers from this process (:func:`fork_workers_from_here`)."""


def fork_workers_from_here() -> None:
    """Make this process's local pools fork their workers from this very process, not from a
    fork server: for a process that has the engine loaded and warmed already (the resident
    engine's child serving ``run --runs N``), whose workers then start with it loaded, in
    milliseconds. It must have no thread of its own doing work while it forks (a fork copies
    only the forking thread; the resident engine runs its BLAS single-threaded)."""
    global _FORK_FROM_HERE
    _FORK_FROM_HERE = True


_FORKED_POOL: ProcessExecutor | None = None
"""A pool whose workers were forked from here ahead of its first run (:func:`fork_pool_now`)."""


def fork_pool_now(workers: int | None = None) -> None:
    """In a process whose pools fork from here (:func:`fork_workers_from_here`): start a pool
    of ``workers`` and fork its workers now, while this process runs no thread that does work
    (before its results store's DuckDB starts about ten); the next pool of that size started
    here takes it over (:func:`discard_forked_pool` stops one left unused). Elsewhere nothing."""
    global _FORKED_POOL
    if not _FORK_FROM_HERE or _FORKED_POOL is not None:
        return
    pool = ProcessExecutor(workers).start()
    assert pool._pool is not None
    pool._pool.submit(os.getpid).result()  # the 'fork' method forks them all for a first task
    _FORKED_POOL = pool


def _take_forked_pool(workers: int) -> tuple[ProcessPoolExecutor, PayloadFolder] | None:
    """The pool :func:`fork_pool_now` forked, if it has ``workers`` (no longer kept there)."""
    global _FORKED_POOL
    forked = _FORKED_POOL
    if forked is None or forked.workers != workers:
        return None
    _FORKED_POOL = None
    assert forked._pool is not None and forked._payloads is not None
    return forked._pool, forked._payloads


def discard_forked_pool() -> None:
    """Stop the pool :func:`fork_pool_now` forked if no run took it over."""
    global _FORKED_POOL
    if _FORKED_POOL is not None:
        _FORKED_POOL.close()
        _FORKED_POOL = None


def _start_method() -> str:
    """``fork`` if :func:`fork_workers_from_here` was called; else ``forkserver`` where it
    exists (no fork of a threaded driver), else ``spawn``."""
    if _FORK_FROM_HERE:
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _context() -> Any:
    """The pools' multiprocessing context; a fork server preloads :data:`FORKSERVER_PRELOAD`
    (when it starts: one fork server serves every pool of the process)."""
    context = multiprocessing.get_context(_start_method())
    if isinstance(context, multiprocessing.context.ForkServerContext):
        context.set_forkserver_preload(list(FORKSERVER_PRELOAD))
    return context


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


PAYLOAD_PREFIX = "channelsim-payload-"
"""How the names of the pools' payload folders begin (in the temporary folder, ``TMPDIR``)."""


class PayloadFolder:
    """A private temporary folder for a pool's payloads, locked for as long as its owner lives.

    The folder is opened and held under an exclusive ``flock`` that the OS releases when the
    owning process ends, however it ends (SIGKILL, a crash, the machine's memory killer):
    :func:`sweep_payload_folders` removes the folders no live process holds. It is removed by
    :meth:`remove`, at the interpreter's exit if nobody called that, and by the pool's workers
    when they outlive the driver (:func:`_die_with`).
    """

    def __init__(self) -> None:
        sweep_payload_folders()
        while True:
            path = Path(tempfile.mkdtemp(prefix=PAYLOAD_PREFIX))
            handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            fcntl.flock(handle, fcntl.LOCK_EX)
            if os.fstat(handle).st_nlink > 0:  # not swept between its making and the lock
                break
            os.close(handle)
        self.path = path
        self._finalizer = weakref.finalize(self, _remove_payload_folder, path, handle)

    def remove(self) -> None:
        """Remove the folder with what it holds and release its lock; idempotent."""
        self._finalizer()


def _remove_payload_folder(path: Path, handle: int) -> None:
    shutil.rmtree(path, ignore_errors=True)
    os.close(handle)


_SWEPT = False
"""Whether this process has swept the temporary folder already (once is enough)."""


def sweep_payload_folders(root: Path | None = None) -> list[Path]:
    """Remove payload folders left in ``root`` (the temporary folder by default) by pools whose
    driver ended without removing them (SIGKILL, a crash, before its workers started); return
    them. Once a process unless ``root`` is given.

    Only what is surely such a folder is touched: a real folder (not a link) of this user,
    named ``channelsim-payload-*``, that no live process holds locked (:class:`PayloadFolder`)
    and that holds nothing but payload files (``*.pickle``). Anything else is left alone.
    """
    global _SWEPT
    if root is None:
        if _SWEPT:
            return []
        _SWEPT = True
    removed = []
    try:
        entries = list(os.scandir(root or tempfile.gettempdir()))
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(PAYLOAD_PREFIX) and entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                if _sweep_payload_folder(Path(entry.path)):
                    removed.append(Path(entry.path))
    return removed


def _sweep_payload_folder(path: Path) -> bool:
    """Remove ``path`` if it is a payload folder of this user that no process holds."""
    handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        if os.fstat(handle).st_uid != os.geteuid():
            return False
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # its owner lives
            return False
        names = os.listdir(handle)
        for name in names:
            if not name.endswith(".pickle") or not stat.S_ISREG(
                os.stat(name, dir_fd=handle, follow_symlinks=False).st_mode
            ):
                return False  # not only what a pool writes: not ours to remove
        for name in names:
            os.unlink(name, dir_fd=handle)
        os.rmdir(path)
        return True
    finally:
        os.close(handle)


class ProcessExecutor(_Lifecycle):
    """A local pool of worker processes (``concurrent.futures``), kept until ``close()``."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None
        self._payloads: PayloadFolder | None = None

    def start(self) -> Self:
        if self._pool is None and self._payloads is None:
            self._pool, self._payloads = _take_forked_pool(self.workers) or (None, None)
        if self._payloads is None:
            self._payloads = PayloadFolder()
        if self._pool is None:
            start_fork_server()  # before the pool starts it without blocking the signals
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=_context(),
                initializer=_init_worker,
                initargs=(os.getpid(), [str(self._payloads.path), multiprocessing_temp_dir()]),
            )
        return self

    @property
    def started(self) -> bool:
        return self._pool is not None

    def close(self) -> None:
        self._stop(graceful=True)

    def _stop(self, graceful: bool) -> None:
        if self._pool is not None:
            _shutdown(self._pool, graceful)
            self._pool = None
        if self._payloads is not None:
            self._payloads.remove()
            self._payloads = None

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        if not items:
            return
        self.start()
        assert self._pool is not None and self._payloads is not None
        payload_path = self._payloads.path / f"{secrets.token_hex(8)}.pickle"
        payload_path.write_bytes(pickle.dumps((fn, payload), protocol=pickle.HIGHEST_PROTOCOL))
        finished = False
        try:
            wait_for_fork_server()  # asking it for workers before would block uninterruptibly
            with signals_deferred():  # workers started (ms), none left half-requested
                index_of: dict[Future[Any], int] = {
                    self._pool.submit(_call_in_worker, str(payload_path), item): index
                    for index, item in enumerate(items)
                }
            for future in as_completed(index_of):
                index = index_of.pop(future)  # the result is let go once the caller has it
                try:
                    result = future.result()
                except BrokenProcessPool as error:
                    raise WorkerLostError(
                        f"a worker process died while the pool ran item {index} ({error})"
                    ) from error
                del future
                yield index, result
            finished = True
        finally:
            if finished:
                payload_path.unlink(missing_ok=True)
            else:  # error or Ctrl-C: cancel what is queued, stop what is running
                self._stop(graceful=False)


def _shutdown(pool: ProcessPoolExecutor, graceful: bool) -> None:
    """Stop the pool; unless graceful, cancel queued tasks and kill running ones (workers
    ignore SIGTERM, so that a SIGTERM sent to the whole process group reaches only the
    driver, which stops the run in order)."""
    if graceful:
        pool.shutdown(wait=True)
        return
    # ProcessPoolExecutor.kill_workers() arrives in Python 3.14; until then, its internals.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        if process.is_alive():
            process.kill()
    for process in workers:
        process.join(timeout=5)
    # A worker killed while sending a result leaves half a message in the result pipe, and the
    # pool's manager thread would wait for the rest forever (and the interpreter's exit with
    # it). The driver holds the last writing end of that pipe: closing it ends the wait.
    if results is not None:
        with contextlib.suppress(OSError):
            results._writer.close()
    if manager is not None:
        manager.join(timeout=5)


class DaskExecutor(_Lifecycle):
    """Tasks on a running Dask scheduler, reached through ``dask.distributed.Client``."""

    name = "dask"

    def __init__(self, address: str, connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> None:
        self.address = address
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None

    def start(self) -> Self:
        if self._client is None:
            from distributed import Client

            scheduler_timeout_s()  # a malformed setting is said before any connection
            probe_scheduler(self.address, self.connect_timeout_s)
            # made in two steps so that a client whose connection fails half-way is closed
            # here, quietly: left to its __del__, it printed a traceback at exit
            client = Client.__new__(Client)
            try:
                Client.__init__(client, self.address, timeout=self.connect_timeout_s,
                                set_as_default=False)  # fmt: skip
            except Exception as error:  # Dask's own: OSError, TimeoutError, TLS's TypeError...
                reason = _first_line(error) or (
                    f"no answer within {self.connect_timeout_s:g} s"
                    if isinstance(error, TimeoutError)
                    else type(error).__name__
                )
            else:
                self._client = client
                return self
            _close_quietly(client, self.connect_timeout_s, collect=True)
            raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {reason}")
        return self

    def close(self) -> None:
        """Disconnect from the scheduler (quietly, also after it went away)."""
        client, self._client = self._client, None
        if client is not None:
            _close_quietly(client, self.connect_timeout_s)

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        from distributed import as_completed as dask_as_completed
        from distributed.scheduler import KilledWorker

        if not items:
            return
        client = self.start()._client
        try:
            [shared] = client.scatter([payload], broadcast=True)
        except TimeoutError:  # Dask's "No valid workers found"
            raise ClusterError(
                f"the Dask scheduler at {self.address} has no workers (none within "
                f"{self.connect_timeout_s:g} s): start workers for it"
            ) from None
        except (OSError, CancelledError) as error:
            raise self._lost(error) from error
        task = functools.partial(same_code_task, code_identity(), fn)
        futures = client.map(task, [shared] * len(items), list(items), pure=False)
        index_of = {future.key: index for index, future in enumerate(futures)}
        yielded: set[int] = set()
        finished = False
        timeout_s = scheduler_timeout_s()
        try:
            finishing = dask_as_completed(futures, loop=client.loop)
            for future in self._as_they_finish(client, finishing, timeout_s):
                if index_of[future.key] in yielded:  # recomputed after its worker was lost
                    continue
                yielded.add(index_of[future.key])
                try:  # fetched through the scheduler: a stopped one never answers
                    result = future.result(timeout=timeout_s)
                except TimeoutError:
                    raise self._no_answer(timeout_s) from None
                except KilledWorker as error:
                    raise WorkerLostError(
                        f"Dask workers died while running item {index_of[future.key]} "
                        f"({_first_line(error)})"
                    ) from error
                except (OSError, CancelledError) as error:
                    raise self._lost(error) from error
                yield index_of[future.key], result
            finished = True
        except (OSError, TimeoutError, CancelledError) as error:
            raise self._lost(error) from error
        finally:
            if not finished:
                with contextlib.suppress(Exception):  # the scheduler may be gone
                    client.cancel(futures)

    def _as_they_finish(
        self, client: Any, finishing: Any, timeout_s: float
    ) -> Generator[Any, None, None]:
        """The futures of ``finishing`` (Dask's ``as_completed``) as they finish; after each
        :data:`QUIET_S` without one, the scheduler must answer within ``timeout_s``
        (:func:`scheduler_timeout_s`). A stopped scheduler (SIGSTOP, a frozen host) keeps its
        connections open and answers nothing: Dask waited for it without end."""
        heard = time.monotonic()
        while not finishing.is_empty():
            if finishing.has_ready():
                yield from finishing.next_batch(block=False)
                heard = time.monotonic()
            elif time.monotonic() - heard >= QUIET_S:
                self._check_answers(client, timeout_s)
                heard = time.monotonic()
            else:
                time.sleep(0.02)

    def _check_answers(self, client: Any, timeout_s: float) -> None:
        """The scheduler answers a question within ``timeout_s``, or a :class:`ClusterError`
        naming it and the setting that allows longer."""
        try:
            client.sync(client.scheduler.identity, n_workers=0, callback_timeout=timeout_s)
        except TimeoutError:
            raise self._no_answer(timeout_s) from None
        except (OSError, CancelledError) as error:
            raise self._lost(error) from error

    def _no_answer(self, timeout_s: float) -> ClusterError:
        return ClusterError(
            f"the Dask scheduler at {self.address} did not answer within {timeout_s:g} s "
            f"(stopped, frozen or overloaded?); {SCHEDULER_TIMEOUT_ENV}=SECONDS waits longer"
        )

    def _lost(self, error: BaseException) -> ClusterError:
        """The scheduler went away (killed, network down) while tasks were running, or it
        stayed and lost its last worker (Dask then cancels the tasks "for reason: unknown"):
        a user told the scheduler is gone would restart the wrong thing."""
        if self._workers_left() == 0:
            return ClusterError(
                f"the Dask cluster at {self.address} lost its last worker mid-run (the "
                "scheduler is still up: start workers for it)"
            )
        reason = _first_line(error) or type(error).__name__
        return ClusterError(f"lost the Dask scheduler at {self.address} mid-run ({reason})")

    def _workers_left(self) -> int | None:
        """How many workers the scheduler has now, or None if it does not answer."""
        client = self._client
        if client is None or client.status != "running":  # the connection to it closed
            return None
        try:
            info = client.sync(client.scheduler.identity, n_workers=-1, callback_timeout=5)
        except Exception:  # gone meanwhile: the scheduler was lost
            return None
        return len(info.get("workers", {}))


def scheduler_timeout_s() -> float:
    """``$CHANNELSIM_SCHEDULER_TIMEOUT`` (seconds, a positive finite number; empty or unset:
    :data:`DEFAULT_SCHEDULER_TIMEOUT_S`), or an :class:`InputError` naming the variable."""
    text = os.environ.get(SCHEDULER_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_SCHEDULER_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(
            None,
            f"${SCHEDULER_TIMEOUT_ENV}",
            f"expected a number of seconds above 0, got {text!r}",
        )
    return value


@functools.cache
def code_identity() -> str:
    """``channelsim 0.1.0, sources 1a2b3c4d5e6f``: the version and a fingerprint of every file
    of the package this process imports (:func:`channelsim.resident.sources_fingerprint`),
    computed once per process."""
    from channelsim._version import __version__
    from channelsim.resident import sources_fingerprint

    return f"channelsim {__version__}, sources {sources_fingerprint()[:12]}"


def same_code_task(expected: str, fn: TaskFn, payload: Any, item: Any) -> Any:
    """``fn(payload, item)`` on a Dask worker that runs the driver's code (``expected``:
    its :func:`code_identity`); else a :class:`ClusterError` naming the worker and both
    codes. A worker started from another install (an older version, an edited source) gave
    other numbers with nothing said, recorded as the same run."""
    ours = code_identity()
    if ours != expected:
        from distributed import get_worker

        raise ClusterError(
            f"--scheduler: the Dask worker at {get_worker().address} runs {ours}, this "
            f"command {expected}: start the workers from the same install"
        )
    return fn(payload, item)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


def check_scheduler_address(address: str, option: str = "--scheduler") -> str:
    """``address`` if it is a Dask scheduler address ``SCHEME://HOST:PORT`` (port 1–65535;
    ``inproc://`` addresses as they are), else an :class:`InputError` naming ``option``."""
    scheme, separator, rest = address.partition("://")
    if not separator or f"{scheme}://" not in DASK_SCHEMES:
        raise InputError(
            None,
            option,
            f"expected a Dask scheduler address tcp://HOST:PORT, got {address!r}",
        )
    if scheme == "inproc":
        return address
    host, _, port = rest.rstrip("/").rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InputError(
            None,
            option,
            f"expected {scheme}://HOST:PORT with a host and a port from 1 to 65535, "
            f"got {address!r}",
        )
    return address


#: A Dask TCP message starts with its length and its number of frames (two little-endian
#: 64-bit counts); a scheduler's first message, its handshake, is a few hundred bytes.
_HANDSHAKE_MAX_BYTES = 1 << 20
_HANDSHAKE_MAX_FRAMES = 64


def probe_scheduler(address: str, timeout_s: float) -> None:
    """Check that a ``tcp://`` address answers as a Dask scheduler does: it sends its
    handshake first, on connection, as one whole message (its length, its frames' count and
    lengths, then the frames, the first a msgpack map), within ``timeout_s``. Something else
    listening there (a web server waits for a request; another service sends other bytes, or
    a header and then nothing) made Dask's client wait without end or ask for an array of
    exabytes. Other schemes (``tls://``, ``inproc://``) are left to Dask.

    Raises:
        ClusterError: the address cannot be connected to, or it does not send a whole Dask
            handshake within ``timeout_s`` seconds.
    """
    import socket

    scheme, _, rest = address.partition("://")
    if scheme == "tls":
        _check_tls_settings(address)
    if scheme != "tcp":
        return
    host, _, port = rest.rstrip("/").rpartition(":")
    other = f"{address} answers, but not as a Dask scheduler"
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s) as conn:
            message = _first_message(conn, time.monotonic() + timeout_s)
    except TimeoutError:
        raise ClusterError(
            f"{address} does not answer as a Dask scheduler (no whole handshake within "
            f"{timeout_s:g} s): is something else listening there?"
        ) from None
    except ConnectionRefusedError:
        return  # nothing there yet: Dask's client retries until its timeout, and says so
    except OSError as error:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: {_first_line(error) or repr(error)}"
        ) from None
    if message is None:
        raise ClusterError(
            f"{other} (its first bytes are not a Dask handshake): is something else "
            "listening there?"
        )


def _first_message(conn: Any, deadline: float) -> bytes | None:
    """The peer's first Dask message, read whole by ``deadline`` (``TimeoutError`` if not);
    None if its bytes cannot be one (lengths that do not add up, a first frame that is not
    a msgpack map)."""
    import struct

    import msgpack

    def read(n: int) -> bytes:
        data = b""
        while len(data) < n:
            conn.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = conn.recv(min(n - len(data), 1 << 16))
            if not chunk:
                raise OSError("the connection closed before a whole Dask handshake")
            data += chunk
        return data

    (length,) = struct.unpack("<Q", read(8))
    if not 16 <= length <= _HANDSHAKE_MAX_BYTES:
        return None
    body = read(length)
    (frames,) = struct.unpack_from("<Q", body)
    if not 0 < frames <= _HANDSHAKE_MAX_FRAMES or 8 + 8 * frames > length:
        return None
    sizes = struct.unpack_from(f"<{frames}Q", body, 8)
    if 8 + 8 * frames + sum(sizes) != length:
        return None
    first = body[8 + 8 * frames : 8 + 8 * frames + sizes[0]]
    try:
        header = msgpack.unpackb(first, raw=False)
    except Exception:  # msgpack raises several types for bytes that are not msgpack
        return None
    return body if isinstance(header, dict) else None


def _check_tls_settings(address: str) -> None:
    """A ``tls://`` scheduler needs Dask's TLS settings (certificates); without them Dask's
    client fails with a TypeError and then spends 10 s closing itself.

    Raises:
        ClusterError: no TLS settings in the Dask configuration.
    """
    from distributed.security import Security

    if Security().get_connection_args("client").get("ssl_context") is None:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: a tls:// address needs Dask's TLS "
            "settings (distributed.comm.tls.* in the Dask configuration), and none are set"
        )


def _close_quietly(client: Any, timeout_s: float, collect: bool = False) -> None:
    """Close a Dask client, whatever state its connection is in, within about twice
    ``timeout_s``, with distributed's log records below CRITICAL held back meanwhile: a
    client whose scheduler went away logs the reconnection its closing cancels (a traceback)
    and the streams it drops. ``collect``: also collect the garbage the failed connection
    left (a stream Dask leaves open logs a warning when collected)."""
    with _cluster_logs_below(logging.CRITICAL):
        with contextlib.suppress(Exception):
            client.close(timeout=2 * timeout_s)
        if collect:
            gc.collect()


@contextlib.contextmanager
def _cluster_logs_below(level: int) -> Generator[None, None, None]:
    """distributed's loggers set to ``level`` in the block, as they were after it."""
    loggers = [logging.getLogger(name) for name in _cluster_logger_names()]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(level, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for logger, old in zip(loggers, before, strict=True):
            logger.setLevel(old)


def _cluster_logger_names() -> list[str]:
    return [
        name
        for name in list(logging.root.manager.loggerDict)
        if name == "distributed" or name.startswith("distributed.")
    ]


def quiet_cluster_logs() -> None:
    """Keep Dask distributed's log records (tracebacks on stderr) below CRITICAL out of sight:
    for the command line, which reports a cluster's faults in one line of its own."""
    import distributed  # noqa: F401 - sets up its loggers on import

    for name in _cluster_logger_names():
        logging.getLogger(name).setLevel(logging.CRITICAL)


class AutoExecutor(_Lifecycle):
    """In the calling process while that is quicker, on a local pool when it is not.

    Starting worker processes costs a second or two (each imports and loads the compiled
    engine), more than a hundred one-year members take in the calling process. So the first
    items run here, timed (the very first one, which pays the one-off loading, does not
    count); as soon as the rest would take longer than ``serial_budget_s`` here, the rest go
    to a :class:`ProcessExecutor` of ``workers``. A run of at least :attr:`early_items` items
    on more than one worker goes to the pool at once: its fork server starts loading the
    engine then (or earlier: :meth:`prestart`), and this process does not load it too.
    Results are the same whichever runs them. Kept open across runs (``with`` or
    ``close()``), it keeps its pool: the workers start once (:meth:`warm` starts them ahead
    of the first run).
    """

    name = "auto"
    early_items = 32

    def __init__(self, workers: int | None = None, serial_budget_s: float = 3.0) -> None:
        self.workers = workers
        self.serial_budget_s = serial_budget_s
        self._pool: ProcessExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def run(
        self, fn: TaskFn, payload: Any, items: Sequence[Any]
    ) -> Generator[tuple[int, Any], None, None]:
        if self._pool_at_once(len(items)):
            yield from self.pool().run(fn, payload, items)
            return
        start_s = self._pool_start_s()
        timed_from = time.perf_counter()
        for index, item in enumerate(items):
            yield index, fn(payload, item)
            left = len(items) - index - 1
            if index == 0:
                timed_from = time.perf_counter()
                continue
            per_item = (time.perf_counter() - timed_from) / index
            if left and _pool_saves(per_item * left, self.workers or default_workers(), start_s):
                pool = self.pool()
                for offset, result in pool.run(fn, payload, items[index + 1 :]):
                    yield index + 1 + offset, result
                return

    def _pool_at_once(self, n_items: int) -> bool:
        """Whether every item goes to the pool: a run of :attr:`early_items` or more on more
        than one worker, when the pool is up or its fork server loading the engine. Running
        the first items here would load the engine here too, a second or more of CPU and a
        few hundred MB that compete with the server's loading for the cores, for the one or
        two items it would finish before the pool is ready."""
        if self._pool is not None and self._pool.started:
            return n_items >= self.early_items
        return self.prestart(n_items, self.workers)

    def _pool_start_s(self) -> float:
        """What starting the pool would cost: little once it is up or when its workers fork
        from this process (the engine loaded here already), else the serial budget."""
        if (self._pool is not None and self._pool.started) or _FORK_FROM_HERE:
            return WARM_POOL_START_S
        return self.serial_budget_s

    @classmethod
    def prestart(cls, n_items: int, workers: int | None = None) -> bool:
        """Start the pool's fork server now if a run of ``n_items`` may well need it (at least
        :attr:`early_items`, more than one worker): a caller about to spend a while on other
        work (imports) calls it first. Returns whether the server is starting or up."""
        early = n_items >= cls.early_items and (workers or default_workers()) > 1
        return early and (_FORK_FROM_HERE or start_fork_server())

    def pool(self) -> ProcessExecutor:
        """The pool, started on first use and kept until :meth:`close`."""
        if self._pool is None:
            self._pool = ProcessExecutor(self.workers)
        return self._pool.start()

    def warm(self, fn: TaskFn, payload: Any = None) -> None:
        """Start the pool's workers now and run ``fn(payload, k)`` once on each (load the
        compiled engine there), so the first run that needs them does not wait."""
        pool = self.pool()
        for _ in pool.run(fn, payload, list(range(pool.workers))):
            pass


WARM_POOL_START_S = 0.3
"""What starting a pool costs once its fork server has loaded the engine: forking the
workers and sending them the run (a generous bound, for a loaded machine)."""


def _pool_saves(serial_s: float, workers: int, start_s: float) -> bool:
    """Whether ``serial_s`` of work here would end later than on ``workers`` processes
    started in ``start_s`` (one worker: whether the work takes longer than the start)."""
    return serial_s > start_s + (serial_s / workers if workers > 1 else 0.0)


def start_fork_server() -> bool:
    """Start the local pools' fork server now, if this platform has one, without waiting for
    it: it imports :data:`FORKSERVER_PRELOAD` (the engine, loaded and warmed) meanwhile.
    Returns whether there is one.

    The server never receives Ctrl-C or SIGTERM (they are blocked from its start), nor does
    any worker forked from it: a terminal's Ctrl-C reaches the whole process group, and the
    driver alone stops the run (it kills the workers); the server, which would otherwise
    print the traceback of an interrupted preload, ends when the driver does.
    """
    global _server_ready
    if not isinstance(_context(), multiprocessing.context.ForkServerContext):
        return False
    from multiprocessing import forkserver, resource_tracker

    with _signals_blocked({signal.SIGHUP}):  # as Python's block of SIGINT and SIGTERM
        resource_tracker.ensure_running()  # first: starting it unblocks those two
    server: Any = forkserver._forkserver  # its pid: a private attribute
    ready = Path(multiprocessing_temp_dir()) / f"forkserver-{secrets.token_hex(8)}.ready"
    told = {
        FORKSERVER_READY_ENV: str(ready),
        FORKSERVER_MAIN_ENV: _main_path() or "",
        FORKSERVER_MAIN_STUB_ENV: "1" if _main_is_the_command() else "",
    }
    with _stop_signals_blocked(), _environment(told):
        before = server._forkserver_pid  # the server inherits the block and the variable;
        forkserver.ensure_running()  # this process takes a signal that arrived meanwhile
        if server._forkserver_pid != before:  # on leaving
            _server_ready = (server._forkserver_pid, ready)
    return True


FORKSERVER_READY_ENV = "CHANNELSIM_FORKSERVER_READY"
"""The file the fork server creates once it has imported :data:`FORKSERVER_PRELOAD` (set in
its environment by :func:`start_fork_server`; ``channelsim.experiments.preload`` creates it)."""

FORKSERVER_MAIN_ENV = "CHANNELSIM_FORKSERVER_MAIN"
"""The driver's script, for the fork server to import once as each worker would (set by
:func:`start_fork_server`): Python's fork server ignores its ``"__main__"`` preload (3.11
passes the script under a name it does not read), so each worker ran the script itself on
starting — ``channelsim``'s, the command line, a tenth of a CPU second per worker."""


FORKSERVER_MAIN_STUB_ENV = "CHANNELSIM_FORKSERVER_MAIN_STUB"
"""Set (``1``) when the driver's script is the ``channelsim`` command's own (see
:func:`_main_is_the_command`): the fork server then stands a bare module with the script's
path in for it instead of running it, which would import the whole command line (Typer,
Rich, every command: a tenth of a CPU second) for workers that use none of it."""


def _main_is_the_command() -> bool:
    """Whether the driver's ``__main__`` is the ``channelsim`` command's script (its file
    named ``channelsim``, as the installer writes it) and defines nothing of its own that a
    worker could be sent by reference (a function or class whose module is ``__main__``)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) or ""
    if os.path.splitext(os.path.basename(path))[0] != "channelsim":
        return False
    return not any(
        getattr(value, "__module__", None) == "__main__"
        for name, value in vars(main).items()
        if not name.startswith("__")
    )


def _main_path() -> str | None:
    """The path of the driver's script, as multiprocessing gives it to its workers."""
    from multiprocessing import spawn

    path = spawn.get_preparation_data("driver").get("init_main_from_path")
    return None if path is None else str(path)


FORKSERVER_READY_TIMEOUT_S = 600.0
"""How long to wait for the server's file at most (should it fail to create it), after which
workers are asked for anyway, as if it were ready."""

_server_ready: tuple[int, Path] | None = None
"""The pid of the fork server this process started last and its :data:`FORKSERVER_READY_ENV`."""


def wait_for_fork_server() -> None:
    """Wait until the fork server started by :func:`start_fork_server` has loaded the engine,
    interruptibly (it may take a few seconds).

    The server forks no worker before then, and a worker asked of it meanwhile would be
    beyond this process's reach: a Ctrl-C while waiting for that worker's pid ends this
    process without the pid, and the worker, forked later, fails to start (the pool's
    semaphores are gone) and prints a traceback. So workers are asked for only once the
    server is ready (or has died: the pool then reports it).
    """
    global _server_ready
    if _server_ready is None:
        return
    pid, ready = _server_ready
    deadline = time.monotonic() + FORKSERVER_READY_TIMEOUT_S
    while not ready.exists() and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):  # WNOWAIT: multiprocessing reaps it
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                break
        time.sleep(0.005)
    _server_ready = None


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Generator[None, None, None]:
    """``os.environ`` updated with ``values`` inside the block (the processes it starts
    inherit them)."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _stop_signals_blocked() -> contextlib.AbstractContextManager[None]:
    """Block Ctrl-C, SIGTERM and SIGHUP in this thread: a process started meanwhile inherits
    the block (across ``exec`` too) and never receives them."""
    return _signals_blocked({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


@contextlib.contextmanager
def _signals_blocked(signals: set[signal.Signals]) -> Generator[None, None, None]:
    """Block ``signals`` in this thread while the block runs (see :func:`_stop_signals_blocked`).

    The pools' resource tracker is started with SIGHUP blocked: Python starts it with Ctrl-C
    and SIGTERM blocked and ignores them there, but a closed terminal's SIGHUP, sent to the
    whole process group, ended it, and its replacement printed a traceback per semaphore."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def make_executor(
    executor: str | Executor,
    workers: int | None = None,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
) -> Executor:
    """Turn ``"serial"``, ``"processes"``, ``"auto"`` (:class:`AutoExecutor`) or a scheduler
    address into an executor."""
    if not isinstance(executor, str):
        return executor
    if workers is not None and workers < 1:
        raise InputError(None, "--workers", f"expected at least 1 worker, got {workers}")
    if executor == "serial":
        return SerialExecutor()
    if executor == "processes":
        return ProcessExecutor(workers)
    if executor == "auto":
        return AutoExecutor(workers)
    if "://" in executor:
        return DaskExecutor(check_scheduler_address(executor), connect_timeout_s)
    raise InputError(
        None,
        "executor",
        f"expected 'serial', 'processes', 'auto' or a Dask scheduler address such as "
        f"tcp://HOST:PORT, got {executor!r}",
    )
