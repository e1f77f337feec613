"""The engine's ahead-of-time compiled kernels, at run time: found, checked, and called
without loading Numba.

``python -m channelsim.aot`` (run by ``make install``) compiles the kernels a run calls from
Python into an extension module that needs only NumPy (:mod:`channelsim.aot`), in channelsim's
cache folder (:func:`channelsim.jit_cache.cache_dir`, ``compiled/``), and writes beside it a
manifest: the SHA-256 of every source file of the package that the kernels were compiled
from, the Python, NumPy and Numba it was built with, the processor, and the exact argument
types of each exported kernel. :func:`exported` gives a kernel's compiled version only if
all of these match this process (an edited kernel source never runs old code), and the
compiled version is called only with arguments of exactly those types; anything else goes to
Numba's JIT, as without the module (``channelsim._jit``). ``CHANNELSIM_AOT=0`` forces the JIT.
The compiled code is Numba's for the same functions and the same processor, so results are
the same bits either way (tested).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ENV = "CHANNELSIM_AOT"
FORMAT = 1
#: Returned by a checked call whose arguments are not the compiled types.
MISMATCH: Any = object()

_loaded: dict[str, Callable[[tuple[Any, ...]], Any]] | None = None


def enabled() -> bool:
    """False if ``CHANNELSIM_AOT`` is ``0`` (or ``off``/``no``/``false``): JIT only."""
    return os.environ.get(ENV, "").strip().lower() not in {"0", "off", "no", "false"}


def package_root() -> Path:
    """The folder of the channelsim package (the sources' paths are relative to it)."""
    return Path(__file__).resolve().parent


def manifest_path(folder: Path | None = None) -> Path:
    """Where this installation's manifest lives: one per Python environment and package
    folder, so that two installations sharing a cache folder do not replace each other's."""
    from channelsim.jit_cache import cache_dir

    where = hashlib.sha256(f"{sys.prefix}\0{package_root()}".encode()).hexdigest()
    return (folder or cache_dir() / "compiled") / f"kernels-{where[:16]}.json"


def cpu_key() -> str:
    """A short hash of this processor's model and features (compiled code is made for the
    host processor and may not run on another)."""
    import platform

    text = platform.machine() + platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith(("model name", "flags", "Features", "CPU part")):
                    text += line
                elif not line.strip():
                    break  # the first processor's block is enough
    except OSError:
        pass
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sources_hash(files: Sequence[str], root: Path | None = None) -> str:
    """SHA-256 of the package's files ``files`` (paths relative to the package folder):
    names and bytes, in the order given."""
    from channelsim.jit_cache import fingerprint_files

    root = root or package_root()
    return fingerprint_files((root / name for name in files), root)


def numba_stamp() -> str:
    """SHA-256 of Numba's version file, found without importing Numba ('' if none)."""
    import importlib.machinery

    spec = importlib.machinery.PathFinder.find_spec("numba")
    if spec is None or not spec.submodule_search_locations:
        return ""
    for folder in spec.submodule_search_locations:
        try:
            return hashlib.sha256((Path(folder) / "_version.py").read_bytes()).hexdigest()
        except OSError:
            continue
    return ""


def build_key() -> dict[str, str]:
    """What a compiled module must have been built with to be used here."""
    return {
        "python": sys.version,
        "numpy": np.__version__,
        "numba": numba_stamp(),
        "cpu": cpu_key(),
    }


def usable(manifest: dict[str, Any]) -> str:
    """Why a manifest's module cannot be used in this process ('' if it can)."""
    if manifest.get("format") != FORMAT:
        return "another format"
    key = build_key()
    for name, value in key.items():
        if manifest.get(name) != value:
            return f"built with another {name}"
    try:
        if sources_hash(manifest["files"]) != manifest["sources"]:
            return "the kernels' sources changed since"
    except OSError:
        return "the kernels' sources changed since"
    return ""


# -- argument checks (the types Numba's typeof gives, checked without Numba) ------------------


def dtype_of(spec: Any) -> np.dtype[Any]:
    """The NumPy dtype a manifest writes as ``spec`` (:func:`channelsim.aot.dtype_spec`)."""
    if isinstance(spec, str):
        return np.dtype(spec)
    return np.dtype(
        {
            "names": spec["names"],
            "formats": [dtype_of(f) for f in spec["formats"]],
            "offsets": spec["offsets"],
            "itemsize": spec["itemsize"],
        },
        align=spec["aligned"],
    )


def _layout(flags: Any) -> str:
    """Numba's layout of an array with these ``ndarray.flags``."""
    return "C" if flags.c_contiguous else "F" if flags.f_contiguous else "A"


def checker(spec: dict[str, Any]) -> Callable[[Any], bool]:
    """A test that a Python value has exactly the Numba type a manifest writes as ``spec``:
    ``int`` (an int64), ``float`` (a float64), ``bool``, a tuple of those, or an array of a
    dtype (record layout and alignment included), number of dimensions, layout (C, F or A),
    and writeable or read-only."""
    kind = spec["kind"]
    if kind == "int":
        return lambda v: type(v) is int and -(2**63) <= v < 2**63
    if kind == "float":
        return lambda v: type(v) is float
    if kind == "bool":
        return lambda v: type(v) is bool
    if kind == "tuple":
        items = [checker(item) for item in spec["items"]]
        n = len(items)
        return lambda v: (
            type(v) is tuple and len(v) == n and all(c(x) for c, x in zip(items, v, strict=True))
        )
    if kind == "array":
        dtype = dtype_of(spec["dtype"])
        aligned_struct = dtype.isalignedstruct
        ndim, layout, writeable = spec["ndim"], spec["layout"], not spec["readonly"]
        # dtypes found to match, by identity: comparing two record types field by field
        # took microseconds, for each of the thirty arrays of a year's call of the loop
        matching: dict[int, np.dtype[Any]] = {}

        def array(v: Any) -> bool:
            if type(v) is not np.ndarray or v.ndim != ndim:
                return False
            found = v.dtype
            if matching.get(id(found)) is not found:
                if not (found == dtype and found.isalignedstruct == aligned_struct):
                    return False
                if len(matching) >= 64:  # bounded (each entry keeps its dtype alive)
                    matching.clear()
                matching[id(found)] = found
            flags = v.flags
            return flags.writeable == writeable and flags.aligned and _layout(flags) == layout

        return array
    raise ValueError(f"unknown argument kind {kind!r}")


def _checked(
    function: Callable[..., Any], specs: Sequence[dict[str, Any]]
) -> Callable[[tuple[Any, ...]], Any]:
    checks = [checker(spec) for spec in specs]
    n = len(checks)

    def call(args: tuple[Any, ...]) -> Any:
        if len(args) != n:
            return MISMATCH
        for check, value in zip(checks, args, strict=True):
            if not check(value):
                return MISMATCH
        return function(*args)

    return call


def _first_match(
    calls: Sequence[Callable[[tuple[Any, ...]], Any]],
) -> Callable[[tuple[Any, ...]], Any]:
    if len(calls) == 1:
        return calls[0]

    def call(args: tuple[Any, ...]) -> Any:
        for one in calls:
            result = one(args)
            if result is not MISMATCH:
                return result
        return MISMATCH

    return call


# -- loading ------------------------------------------------------------------------------------


def load(path: Path | None = None) -> dict[str, Callable[[tuple[Any, ...]], Any]]:
    """The exported kernels of this installation's compiled module, by ``module:qualname``,
    each a checked call (it returns :data:`MISMATCH` for arguments of other types); empty
    if there is no usable module."""
    import importlib.machinery
    import importlib.util

    path = path or manifest_path()
    try:
        manifest = json.loads(path.read_text("utf-8"))
        why = usable(manifest)
        if why:
            say_stale(path.parent, why)
            return {}
        name = manifest["module"]
        library = path.parent / manifest["library"]
        loader = importlib.machinery.ExtensionFileLoader(name, str(library))
        spec = importlib.util.spec_from_file_location(name, library, loader=loader)
        if spec is None:
            return {}
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        found: dict[str, Callable[[tuple[Any, ...]], Any]] = {}
        for function, entries in manifest["exports"].items():
            calls = [_checked(getattr(module, e["symbol"]), e["args"]) for e in entries]
            found[function] = _first_match(calls)
        return found
    except (OSError, ValueError, KeyError, TypeError, ImportError, AttributeError):
        return {}


def say_stale(folder: Path, why: str) -> None:
    """One line on stderr, if it is a terminal, when this installation's compiled module is
    there but cannot be used (an edited kernel source, another NumPy...): the run falls back
    to Numba's JIT, which compiles for a minute or two the first time, and would otherwise
    give no hint why, or how to get the compiled kernels back."""
    stream = sys.stderr
    try:
        if stream is not None and stream.isatty():
            stream.write(
                f"note: the compiled kernels in {folder} are stale ({why}): this run uses "
                "Numba's JIT (a minute or two the first time); run `python -m channelsim.aot` "
                "(or `make install`) to compile them again\n"
            )
            stream.flush()
    except (OSError, ValueError):  # a closed or broken stderr: nothing to tell
        pass


def exported(py_func: Callable[..., Any]) -> Callable[[tuple[Any, ...]], Any] | None:
    """The compiled version of ``py_func`` as a checked call taking the argument tuple (see
    :func:`load`), or None (no usable module, not exported, or ``CHANNELSIM_AOT=0``)."""
    global _loaded
    if not enabled():
        return None
    if _loaded is None:
        _loaded = load()
    return _loaded.get(f"{py_func.__module__}:{py_func.__qualname__}")


def forget() -> None:
    """Look for the compiled module again at the next call (after a build, in tests)."""
    global _loaded
    _loaded = None
