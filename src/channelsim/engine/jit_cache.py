"""Keep the compiled kernels' on-disk cache in step with every source file they use.

Numba's cache of a function is invalidated when the function's own file changes, not when a
function it calls in another file does: after an edit of ``sea.py`` or ``rng.py`` the cached
``kernels.run_days`` would run the old code. :func:`refresh` fingerprints the sources of
every module the kernels compile from and flushes the cached entry points when the
fingerprint differs from the one stored beside the cache (a fresh install changes every file
anyway; this matters when the sources are edited in place).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

STAMP = "channelsim-kernels.sha256"


def fingerprint(modules: Iterable[ModuleType]) -> str:
    """SHA-256 of the modules' source files, in the order given."""
    digest = hashlib.sha256()
    for module in modules:
        path = Path(str(module.__file__))
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh(entry_points: Iterable[Any], modules: Iterable[ModuleType]) -> bool:
    """Flush the cache of each compiled entry point if the sources changed; True if so."""
    caches: list[Any] = [
        cache
        for cache in (getattr(entry, "_cache", None) for entry in entry_points)
        if cache is not None and hasattr(cache, "flush")
    ]
    if not caches:
        return False
    stamp = Path(caches[0].cache_path) / STAMP
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
