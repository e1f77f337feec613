"""Keep the compiled kernels' on-disk cache in step with every source file they use.

Numba's cache of a function is invalidated when the function's own file changes, not when a
function it calls in another file does: after an edit of ``sea.py`` or ``rng.py`` the cached
``kernels.run_days`` — and every cached helper in ``kernels.py`` that inlines the edited code
— would run the old code. :func:`refresh` fingerprints the sources of the modules a caller
compiles from and, when the fingerprint differs from the one stored beside the cache,
flushes the cache of *every* compiled function in those modules (a fresh install changes
every file anyway; this matters when the sources are edited in place).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

CACHE_ENV = "CHANNELSIM_CACHE"


def cache_dir() -> Path:
    """channelsim's cache folder: ``$CHANNELSIM_CACHE`` if set, else the user cache directory
    (platformdirs). The built world and the ahead-of-time compiled kernels live there."""
    import platformdirs

    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("channelsim"))


def fingerprint(modules: Iterable[ModuleType]) -> str:
    """SHA-256 of the modules' source files, in the order given."""
    return fingerprint_files(Path(str(module.__file__)) for module in modules)


def fingerprint_files(paths: Iterable[Path], root: Path | None = None) -> str:
    """SHA-256 of the files' names (relative to ``root``; bare names without one) and bytes,
    in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        name = path.name if root is None else path.relative_to(root).as_posix()
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_functions(modules: Iterable[ModuleType]) -> list[Any]:
    """The on-disk caches of the compiled functions defined in ``modules``."""
    caches: list[Any] = []
    for module in modules:
        for value in vars(module).values():
            cache = getattr(value, "_cache", None)
            if (
                cache is not None
                and hasattr(cache, "flush")
                and getattr(cache, "cache_path", None) is not None
                and getattr(getattr(value, "py_func", None), "__module__", None) == module.__name__
            ):
                caches.append(cache)
    return caches


def refresh(name: str, modules: Iterable[ModuleType]) -> bool:
    """Flush every compiled function of ``modules`` if their sources changed; True if so.

    ``name`` names the stamp (one per caller: the kernels, the weather, the drift).
    """
    modules = list(modules)
    caches = cached_functions(modules)
    if not caches:
        return False
    stamp = Path(caches[0].cache_path) / f"channelsim-{name}.sha256"
    current = fingerprint(modules)
    try:
        if stamp.read_text() == current:
            return False
    except OSError:
        pass
    for cache in caches:
        cache.flush()
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(current)
    except OSError:  # a read-only cache location: the caches are flushed on every start
        pass
    return True
