"""Compile the engine's kernels ahead of time: ``python -m channelsim.aot`` (``make install``
runs it).

A cold ``channelsim run`` spent about two thirds of its time importing Numba and setting up
its compiler only to load four cached kernels. This builds those kernels — the ones Python
calls in a status-quo run or ensemble, :data:`ENTRY_POINTS` — into one extension module with
``numba.pycc`` (Numba's own compiler, for this processor), which needs only NumPy at run
time, in channelsim's cache folder, with a manifest (see :mod:`channelsim._aot` for how it
is checked and used). The argument types compiled for are the ones a status-quo run passes:
they are read from Numba's dispatchers after running the shipped 2025 status quo and a
doctrine scenario here with the JIT. Any call with other types, and every other kernel,
still goes to Numba's JIT. Needs a C compiler (for the module's small C runtime); without
one, or on any failure, it prints one line and exits with status 1, and runs use the JIT.

Run it again after editing any kernel source (runs use the JIT until then; they never use
a module compiled from other sources). ``--check`` says whether a usable module is there
(exit 0) or not (exit 1).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from channelsim import _aot

#: The compiled functions Python calls in a status-quo run and ensemble (``module:qualname``).
ENTRY_POINTS = (
    "channelsim.engine.kernels:run_days_of",
    "channelsim.world.weather_draws:keyed_normals",
    "channelsim.world.weather_draws:weibull_of_normal",
    "channelsim.rng:_keyed_ar1",
)

#: Shipped scenarios run (with the JIT) to find the argument types, and how many days of each.
SAMPLE_RUNS = (("status-quo-2025", 365), ("doctrine-territorial", 60))


_LIST_SOURCES = """
import importlib, sys
for entry in sys.argv[1:]:
    importlib.import_module(entry.split(":")[0])
for name, module in sorted(sys.modules.items()):
    path = getattr(module, "__file__", None)
    if (name == "channelsim" or name.startswith("channelsim.")) and path:
        print(path)
"""


def kernel_sources() -> list[str]:
    """The package's source files the kernels are compiled from: every channelsim module
    that importing the modules of :data:`ENTRY_POINTS` loads (their own code, the kernels
    they call, and the modules whose values they read), relative to the package folder;
    found in a fresh interpreter, so that the list does not depend on this process."""
    import subprocess

    listed = subprocess.run(
        [sys.executable, "-c", _LIST_SOURCES, *ENTRY_POINTS],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
    )
    root = _aot.package_root()
    paths = {Path(line).resolve() for line in listed.stdout.splitlines()}
    return sorted(path.relative_to(root).as_posix() for path in paths)


def dtype_spec(dtype: Any) -> Any:
    """A NumPy dtype as JSON: its ``str`` for a plain type, its fields, offsets, size and
    alignment for a record (read back by :func:`channelsim._aot.dtype_of`)."""
    if dtype.names is None:
        return dtype.str
    return {
        "names": list(dtype.names),
        "formats": [dtype_spec(dtype.fields[name][0]) for name in dtype.names],
        "offsets": [dtype.fields[name][1] for name in dtype.names],
        "itemsize": dtype.itemsize,
        "aligned": dtype.isalignedstruct,
    }


def arg_spec(nbtype: Any) -> dict[str, Any]:
    """A Numba argument type as the manifest writes it (checked by
    :func:`channelsim._aot.checker`); ValueError for a type it cannot check."""
    from numba import from_dtype, types
    from numba.np.numpy_support import as_dtype

    if isinstance(nbtype, types.Array):
        dtype = as_dtype(nbtype.dtype)
        spec = dtype_spec(dtype)
        if from_dtype(_aot.dtype_of(spec)) != nbtype.dtype or not nbtype.aligned:
            raise ValueError(f"cannot check arrays of {nbtype.dtype}")
        return {
            "kind": "array",
            "dtype": spec,
            "ndim": nbtype.ndim,
            "layout": nbtype.layout,
            "readonly": not nbtype.mutable,
        }
    if isinstance(nbtype, types.BaseTuple) and not isinstance(nbtype, types.BaseNamedTuple):
        items: Any = nbtype.types  # type: ignore[attr-defined]  # every tuple type has them
        return {"kind": "tuple", "items": [arg_spec(t) for t in items]}
    for kind, scalar in (("int", types.int64), ("float", types.float64), ("bool", types.boolean)):
        if nbtype == scalar:
            return {"kind": kind}
    raise ValueError(f"cannot check arguments of type {nbtype}")


def _flat_args(dispatcher: Any, signature: tuple[Any, ...]) -> list[Any]:
    """A dispatcher's signature with its ``*args`` (typed as one tuple) spelt out."""
    import inspect

    parameters = list(inspect.signature(dispatcher.py_func).parameters.values())
    if parameters and parameters[-1].kind is inspect.Parameter.VAR_POSITIONAL:
        star: Any = signature[-1]  # a BaseTuple
        return [*signature[:-1], *star.types]
    return list(signature)


def _flat_wrapper(dispatcher: Any, n_args: int) -> Any:
    """A function of ``n_args`` named parameters that calls ``dispatcher`` with them (pycc
    exports fixed parameters only)."""
    names = ", ".join(f"a{i}" for i in range(n_args))
    namespace: dict[str, Any] = {"target": dispatcher}
    exec(f"def flat({names}):\n    return target({names})\n", namespace)
    return namespace["flat"]


def _sample_runs() -> None:
    """Run :data:`SAMPLE_RUNS` with the JIT, so the entry points' dispatchers know the
    argument types a run passes."""
    from channelsim.engine import load_scenario, simulate

    for name, days in SAMPLE_RUNS:
        path = Path(str(resources.files("channelsim").joinpath(f"scenarios/{name}.toml")))
        scenario = load_scenario(path)
        short = scenario.with_changes(end=scenario.start + dt.timedelta(days=days - 1))
        simulate(short, 1)


def _dispatcher(entry: str) -> Any:
    import importlib

    module_name, qualname = entry.split(":")
    return getattr(importlib.import_module(module_name), qualname)


@contextlib.contextmanager
def _quiet() -> Iterator[io.StringIO]:
    """The compiler's messages (on the process's own output streams) kept, not shown."""
    said = io.StringIO()
    with tempfile.TemporaryFile("w+") as sink:
        saved = [os.dup(1), os.dup(2)]
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
                yield said
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            sink.seek(0)
            said.write(sink.read())


def build(folder: Path | None = None) -> Path:
    """Compile :data:`ENTRY_POINTS` into this installation's module in ``folder`` (default:
    ``compiled/`` in channelsim's cache folder) and write its manifest; return the
    manifest's path. Older modules of this installation there are removed. Raises on any
    failure (no C compiler, a type it cannot check), leaving any earlier module in place."""
    os.environ[_aot.ENV] = "0"  # this process compiles with the JIT
    from channelsim import _jit

    files = kernel_sources()
    sources = _aot.sources_hash(files)
    _jit.load_numba()
    _sample_runs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pycc's notice that it may move to another package
        from numba.pycc import CC

    key = _aot.build_key()
    name = f"channelsim_kernels_{sources[:12]}_{_aot.cpu_key()[:8]}"
    manifest_path = _aot.manifest_path(folder)
    target = manifest_path.parent
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".build-") as work:
        cc = CC(name, source_module=__name__)
        cc.output_dir = work
        cc.target_cpu = "host"
        exports: dict[str, list[dict[str, Any]]] = {}
        for entry in ENTRY_POINTS:
            dispatcher = _dispatcher(entry)
            if not dispatcher.signatures:
                raise RuntimeError(f"{entry} was not called by the sample runs")
            for signature in dispatcher.signatures:
                args = _flat_args(dispatcher, signature)
                symbol = f"k{sum(len(e) for e in exports.values())}"
                returns = dispatcher.overloads[signature].signature.return_type
                cc.export(symbol, returns(*args))(_flat_wrapper(dispatcher, len(args)))
                exports.setdefault(entry, []).append(
                    {"symbol": symbol, "args": [arg_spec(t) for t in args]}
                )
        with _quiet():
            cc.compile()
        built = Path(work) / cc.output_file
        library = target / cc.output_file
        os.replace(built, library)
    manifest = {
        "format": _aot.FORMAT,
        **key,
        "module": name,
        "library": library.name,
        "files": files,
        "sources": sources,
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "exports": exports,
    }
    _write_atomically(manifest_path, json.dumps(manifest, indent=1))
    _remove_older(target, keep=library.name, prefix="channelsim_kernels_")
    return manifest_path


def _write_atomically(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
        f.write(text)
    os.chmod(f.name, 0o644)  # as the module beside it (a temporary file is the owner's only)
    os.replace(f.name, path)


def _remove_older(folder: Path, keep: str, prefix: str) -> None:
    """Remove the modules this installation built before (``prefix``, not ``keep``) and no
    manifest in ``folder`` names."""
    named = set()
    for manifest in folder.glob("kernels-*.json"):
        with contextlib.suppress(OSError, ValueError, KeyError):
            named.add(json.loads(manifest.read_text("utf-8"))["library"])
    for path in folder.glob(f"{prefix}*"):
        if path.name != keep and path.name not in named:
            with contextlib.suppress(OSError):
                path.unlink()


def check(folder: Path | None = None) -> str:
    """Whether this installation has a usable compiled module, in words."""
    return status(folder)[1]


def status(folder: Path | None = None) -> tuple[bool, str]:
    """Whether this installation has a usable compiled module, and that in words."""
    path = _aot.manifest_path(folder)
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False, f"no compiled kernels ({path} not found): runs use Numba's JIT"
    why = _aot.usable(manifest)
    if why:
        text = f"compiled kernels in {path.parent} not used ({why}): run python -m channelsim.aot"
        return False, text
    return True, f"compiled kernels in {path.parent} used by runs (built {manifest.get('built')})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m channelsim.aot",
        description="Compile the engine's kernels ahead of time, so runs need not load Numba.",
    )
    parser.add_argument("--check", action="store_true", help="say whether a usable module is there")
    options = parser.parse_args(argv)
    if options.check:  # exit 1 when runs would not use a module: a script can rebuild then
        usable, text = status()
        print(text)
        return 0 if usable else 1
    try:
        path = build()
    except Exception as error:  # any failure: one line; runs use the JIT
        reason = str(error).strip().splitlines()[-1:] or [type(error).__name__]
        print(
            f"warning: the engine's kernels were not compiled ahead of time ({reason[0]});"
            " runs will use Numba's JIT",
            file=sys.stderr,
        )
        return 1
    print(f"compiled the engine's kernels into {path.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
