"""Numba's ``njit``, for every compiled function of channelsim: import it from here.

Numba is loaded only when a function must be compiled by it. Until then ``njit`` gives a
:class:`LazyKernel`: called from Python, it runs the function's ahead-of-time compiled
version if this installation has one that matches its sources and the arguments' exact types
(``channelsim._aot``), so a status-quo ``channelsim run`` never imports Numba (about 0.6 s
of a cold run's 0.9). Any other call, or any other compiled function being called, loads
Numba (:func:`load_numba`): every stub becomes its real dispatcher, in every module's
namespace (Numba resolves a kernel's callees from its globals), the modules' cache checks
registered with :func:`when_compiling` run, and the JIT compiles or loads its cache as
before. ``CHANNELSIM_AOT=0`` forces the JIT.

Loading Numba first makes its check for a BLAS without loading ``scipy.linalg``.
Numba's first compilation, or first load of a cached function, imports
``numba.np.arraymath``, which checks that a BLAS is present by importing
``scipy.linalg.cython_blas`` — and so, through the package, all of ``scipy.linalg`` and the
array-API layer it pulls in (NumPy's ``f2py`` and ``testing`` among them): about 0.15 s of
CPU and 12–16 MiB, an eighth of a one-year ``channelsim run``, for a module no channelsim kernel
uses. Here the BLAS module is loaded by itself, ``numba.np.arraymath`` is imported (Numba
finds the module, makes the same check — its Fortran integer width, from
``scipy.__config__`` — and reaches the same answer, so compiled code is unchanged), and the
module is then taken out of ``sys.modules`` again: a later ``import scipy.linalg`` loads the
package as usual, with the same BLAS module (Cython keeps one module object per process).
If SciPy is laid out differently, or ``scipy.linalg`` or Numba's check is loaded already,
nothing is done here and Numba imports what it imports.
"""

from __future__ import annotations

import errno
import functools
import importlib.machinery
import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from channelsim import _aot

BLAS_MODULE = "scipy.linalg.cython_blas"


def check_blas_alone() -> bool:
    """Numba's BLAS check made with ``scipy.linalg.cython_blas`` loaded without
    ``scipy.linalg``; True if this call made it."""
    if {BLAS_MODULE, "scipy.linalg", "numba.np.arraymath"} & sys.modules.keys():
        return False
    try:
        import scipy

        folders = [os.path.join(folder, "linalg") for folder in scipy.__path__]
        spec = importlib.machinery.PathFinder.find_spec(BLAS_MODULE, folders)
        if spec is None or spec.loader is None:
            return False
        module = importlib.util.module_from_spec(spec)
        sys.modules[BLAS_MODULE] = module
        spec.loader.exec_module(module)
        import numba.np.arraymath  # noqa: F401  (the check, made now)
    except Exception:  # any surprise: leave it to Numba's own import
        return False
    finally:
        sys.modules.pop(BLAS_MODULE, None)
    return True


class LazyKernel:
    """A compiled function of channelsim before Numba is loaded: ``py_func`` and the options
    of its ``njit``. Calls go to its ahead-of-time compiled version when there is one for
    the arguments' types, else to its Numba dispatcher (:func:`load_numba`); any other
    attribute is the dispatcher's."""

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = py_func
        self.options = options
        self.dispatcher: Any = None
        self._compiled: Any = _UNSET
        functools.update_wrapper(self, py_func)

    def __call__(self, *args: Any) -> Any:
        if self.dispatcher is None:
            if self._compiled is _UNSET:
                self._compiled = _aot.exported(self.py_func)
            if self._compiled is not None:
                result = self._compiled(args)
                if result is not _aot.MISMATCH:
                    return result
            load_numba()
        return self.dispatcher(*args)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in {"py_func", "options", "dispatcher", "_compiled"}:
            raise AttributeError(name)
        load_numba()
        return getattr(self.dispatcher, name)

    def __repr__(self) -> str:
        return f"<compiled function {self.py_func.__module__}.{self.py_func.__qualname__}>"


_UNSET: Any = object()
_stubs: list[LazyKernel] = []
_hooks: list[Callable[[], None]] = []
_numba_njit: Any = None
_lock = threading.RLock()


def njit(function: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Numba's ``njit`` (as ``@njit`` or ``@njit(**options)``), lazily: a
    :class:`LazyKernel` until Numba is loaded, Numba's dispatcher after."""
    if function is None:
        return functools.partial(njit, **options)
    if _numba_njit is not None:
        return _numba_njit(**options)(function)
    with _lock:
        if _numba_njit is not None:
            return _numba_njit(**options)(function)
        stub = LazyKernel(function, options)
        _stubs.append(stub)
        return stub


def when_compiling(hook: Callable[[], None]) -> None:
    """Run ``hook`` once Numba is loaded, before it compiles or loads anything (now if it is
    loaded already): the modules' checks of their on-disk caches (``jit_cache.refresh``)."""
    with _lock:
        if _numba_njit is None:
            _hooks.append(hook)
            return
    hook()


def numba_loaded() -> bool:
    """Whether this process has loaded Numba for channelsim's kernels."""
    return _numba_njit is not None


def load_numba() -> None:
    """Load Numba (after :func:`check_blas_alone`) and make every :class:`LazyKernel` its
    dispatcher: set on the stub, and put in its place in every loaded module's namespace;
    then run the hooks of :func:`when_compiling`. Done once per process."""
    global _numba_njit
    if _numba_njit is not None:
        return
    with _lock:
        if _numba_njit is not None:
            return
        check_blas_alone()
        from numba import njit as numba_njit

        from channelsim import compile_note

        compile_note.install()  # a first compile says so on a terminal
        _cache_writes_optional()
        for stub in _stubs:
            stub.dispatcher = numba_njit(**stub.options)(stub.py_func)
        _replace_stubs()
        _numba_njit = numba_njit
        hooks, _hooks[:] = list(_hooks), []
        _stubs.clear()
    for hook in hooks:
        hook()


#: A write the environment refused (a file-size limit, a full disk or quota, a read-only or
#: someone else's folder): the compiled function still runs, only its cache is not kept.
_REFUSED_WRITES = (errno.EFBIG, errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


def _cache_writes_optional() -> None:
    """A compiled function the environment refuses to cache runs uncached, as Numba does when
    it cannot find a cache folder: under ``ulimit -f 1`` with a cold cache, a one-month
    ``channelsim run`` failed while compiling, with 'the file is larger than allowed' and no
    file named (Numba's save raised the refusal into the run). Numba writes each file to a
    temporary name and renames it, removing the temporary on failure, so nothing half-written
    is left in the cache."""
    from numba.core import caching

    save = caching.Cache.save_overload
    if getattr(save, "channelsim_optional", False):
        return

    def save_overload(self: Any, sig: Any, data: Any) -> None:
        try:
            save(self, sig, data)
        except OSError as error:
            if error.errno not in _REFUSED_WRITES:
                raise

    save_overload.channelsim_optional = True  # type: ignore[attr-defined]
    caching.Cache.save_overload = save_overload  # type: ignore[method-assign]


def _replace_stubs() -> None:
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for name, value in list(namespace.items()):
            if type(value) is LazyKernel and value.dispatcher is not None:
                namespace[name] = value.dispatcher


__all__ = ["LazyKernel", "check_blas_alone", "load_numba", "njit", "when_compiling"]
