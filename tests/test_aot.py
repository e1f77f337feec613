"""The ahead-of-time compiled kernels (``python -m channelsim.aot``): a status-quo run uses
them without loading Numba, gives the same bits as the JIT, and never uses a module
compiled from other sources; the lazy ``njit`` loads Numba when anything else is called."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from channelsim import _aot, aot

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SRC = Path(_aot.__file__).resolve().parents[1]

NUMBA_AFTER = """
import sys
sys.argv = ["channelsim", *sys.argv[1:]]
from channelsim.cli import app
try:
    app()
finally:
    print("numba loaded:", "numba" in sys.modules, file=sys.stderr)
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache folder holding this installation's compiled kernels (built once here)."""
    folder = tmp_path_factory.mktemp("aot-cache")
    env = {**os.environ, "CHANNELSIM_CACHE": str(folder), "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "channelsim.aot"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("compiled the engine's kernels into")
    yield folder


def _run(cache: Path, *args: object, aot_on: bool = True) -> tuple[str, bool]:
    """``channelsim ARGS`` in a new process with ``cache`` as channelsim's cache folder: its
    output and whether it loaded Numba."""
    env = {**os.environ, "CHANNELSIM_CACHE": str(cache), "PYTHONPATH": str(SRC)}
    env[_aot.ENV] = "1" if aot_on else "0"
    done = subprocess.run(
        [sys.executable, "-c", NUMBA_AFTER, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, "numba loaded: True" in done.stderr


@pytest.mark.parametrize("name", ["status-quo-2025", "doctrine-territorial"])
def test_compiled_kernels_give_the_jits_bits_without_loading_numba(
    compiled: Path, name: str
) -> None:
    args = ("run", SCENARIOS / f"{name}.toml", "--seed", "1", "--format", "json")
    ours, numba_ours = _run(compiled, *args)
    theirs, numba_theirs = _run(compiled, *args, aot_on=False)
    assert ours == theirs
    assert json.loads(ours)["totals"]["arrived_people"] > 0
    assert (numba_ours, numba_theirs) == (False, True)


def test_a_kernel_source_edit_never_uses_the_old_module(
    compiled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The module records the hash of the sources it was compiled from; after an edit of any
    of them a run uses the JIT (here: a copy of the package, edited)."""
    manifest_path = _aot.manifest_path(compiled / "compiled")
    manifest = json.loads(manifest_path.read_text())
    assert "engine/sea.py" in manifest["files"] and "rng.py" in manifest["files"]
    assert _aot.usable(manifest) == ""
    assert set(_aot.load(manifest_path)) == set(aot.ENTRY_POINTS)

    copy = tmp_path / "channelsim"
    shutil.copytree(SRC / "channelsim", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(_aot, "package_root", lambda: copy)
    assert _aot.usable(manifest) == ""
    with (copy / "engine" / "sea.py").open("a") as source:
        source.write("# an edit\n")
    assert _aot.usable(manifest) == "the kernels' sources changed since"
    assert _aot.load(manifest_path) == {}


def test_a_run_with_a_stale_module_loads_numba(compiled: Path, tmp_path: Path) -> None:
    """End to end: the same module, its manifest saying other sources: the run uses the JIT."""
    stale = tmp_path / "cache"
    shutil.copytree(compiled, stale)
    manifest_path = _aot.manifest_path(stale / "compiled")
    manifest = json.loads(manifest_path.read_text())
    manifest["sources"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    args = ("run", SCENARIOS / "status-quo-2025.toml", "--to", "2025-01-10", "--format", "json")
    assert _run(stale, *args)[1] is True
    assert _run(compiled, *args)[1] is False


ARRAY = {"kind": "array", "dtype": "<f8", "ndim": 1, "layout": "C", "readonly": False}


def test_arguments_of_other_types_are_refused() -> None:
    """The compiled version is called only with exactly the types it was compiled for."""
    check = _aot.checker(ARRAY)
    a = np.zeros(4)
    assert check(a)
    readonly = a.copy()
    readonly.flags.writeable = False
    refused = [
        np.zeros(4, np.float32),
        np.zeros((2, 2)),
        np.zeros(8)[::2],  # not contiguous
        readonly,
        a.tolist(),
        np.ma.masked_array(a),  # a subclass
    ]
    assert not any(check(value) for value in refused)
    integer = _aot.checker({"kind": "int"})
    assert integer(3) and not integer(True) and not integer(np.int64(3)) and not integer(2**63)
    assert not _aot.checker({"kind": "float"})(1)
    pair = _aot.checker({"kind": "tuple", "items": [{"kind": "int"}, ARRAY]})
    assert pair((1, a)) and not pair([1, a]) and not pair((1, a, a))


def test_record_dtypes_are_checked_field_by_field_and_by_alignment() -> None:
    from channelsim.engine.kernels import STATE_DTYPE

    spec = aot.dtype_spec(STATE_DTYPE)
    assert _aot.dtype_of(spec) == STATE_DTYPE
    check = _aot.checker({**ARRAY, "dtype": spec})
    assert check(np.zeros(1, STATE_DTYPE))
    packed = np.dtype([(name, STATE_DTYPE.fields[name][0]) for name in STATE_DTYPE.names])
    renamed = np.dtype([("x" + name, STATE_DTYPE.fields[name][0]) for name in STATE_DTYPE.names])
    assert not check(np.zeros(1, renamed))
    assert not check(np.zeros(1, packed))  # same fields and offsets, but not aligned
    # a record type found to match is then known by identity: other types still refused
    assert check(np.zeros(3, STATE_DTYPE)) and not check(np.zeros(1, renamed))
    readonly = np.zeros(1, STATE_DTYPE)
    readonly.flags.writeable = False
    assert not check(readonly) and not check(np.zeros((1, 1), STATE_DTYPE))


def test_an_off_setting_or_no_module_means_the_jit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channelsim.world.weather_draws import keyed_normals

    function = getattr(keyed_normals, "py_func", keyed_normals)
    monkeypatch.setenv("CHANNELSIM_CACHE", str(tmp_path))
    _aot.forget()
    try:
        assert _aot.exported(function) is None  # no module in this cache folder
        monkeypatch.setenv(_aot.ENV, "0")
        assert not _aot.enabled()
    finally:
        _aot.forget()
    assert "no compiled kernels" in aot.check(tmp_path)


LAZY = """
import sys
from channelsim._jit import LazyKernel, njit

@njit(inline="always")
def helper(x):
    return x + 1.0

@njit(cache=False)
def entry(x):
    return helper(x) * 2.0

stubs = [entry, helper]  # a list: module names are replaced, its items are not
assert type(stubs[0]) is LazyKernel and "numba" not in sys.modules
assert stubs[0](1.0) == 4.0  # not compiled ahead of time: Numba loads, the JIT compiles
from numba.core.registry import CPUDispatcher
assert isinstance(helper, CPUDispatcher)  # every module name replaced by its dispatcher
assert isinstance(entry, CPUDispatcher) and stubs[0].dispatcher is entry and entry(2.0) == 6.0

@njit
def later(x):
    return -x

assert isinstance(later, CPUDispatcher)
print("ok")
"""


def test_njit_loads_numba_only_when_a_kernel_must_be_compiled() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LAZY],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_failed_build_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(folder: Path | None = None) -> Path:
        raise RuntimeError("error: command 'gcc' failed: No such file or directory")

    monkeypatch.setattr(aot, "build", fail)
    assert aot.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not compiled ahead of time" in err and "gcc" in err and "JIT" in err


OTHER_TYPES = """
import sys
import numpy as np
from channelsim.world import weather_draws

days = np.arange(20_000, 20_040, dtype=np.int64)
compiled = weather_draws.keyed_normals(1, 2, 3, days)
assert "numba" not in sys.modules
strided = np.repeat(days, 2)[::2]  # the same days, not contiguous: not the compiled types
jitted = weather_draws.keyed_normals(1, 2, 3, strided)
assert "numba" in sys.modules
assert compiled.tobytes() == jitted.tobytes()
print("ok")
"""


def test_a_call_with_other_types_goes_to_the_jit_with_the_same_bits(compiled: Path) -> None:
    env = {**os.environ, "CHANNELSIM_CACHE": str(compiled), "PYTHONPATH": str(SRC)}
    env.pop(_aot.ENV, None)
    done = subprocess.run(
        [sys.executable, "-c", OTHER_TYPES], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_a_stale_module_says_so_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """A kernel source edited after `python -m channelsim.aot` sent runs to the JIT (about
    two minutes the first time) without a word: one line on a terminal's stderr says the
    module is stale and how to compile it again; a pipe's or a file's stderr gets nothing."""
    manifest = {"format": _aot.FORMAT, **_aot.build_key(), "files": ["rng.py"], "sources": "0"}
    path = tmp_path / "kernels-x.json"
    path.write_text(json.dumps(manifest))
    stream = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    assert _aot.load(path) == {}
    said = stream.getvalue()
    if not terminal:
        assert said == ""
        return
    assert said.splitlines() == [
        f"note: the compiled kernels in {tmp_path} are stale (the kernels' sources changed "
        "since): this run uses Numba's JIT (a minute or two the first time); run `python -m "
        "channelsim.aot` (or `make install`) to compile them again"
    ]


def test_no_module_at_all_says_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a module (never built, or CHANNELSIM_AOT=0) there is nothing stale to tell."""
    stream = _Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    assert _aot.load(tmp_path / "kernels-none.json") == {}
    assert stream.getvalue() == ""


def test_dask_workers_use_the_compiled_kernels_with_the_same_bits(
    compiled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ensemble on a Dask cluster whose workers find the compiled kernels gives the bits
    of the same ensemble run serially, and its workers never load Numba."""
    distributed = pytest.importorskip("distributed")
    from channelsim.engine import load_scenario
    from channelsim.experiments import run_scenario_ensemble

    monkeypatch.setenv("CHANNELSIM_CACHE", str(compiled))  # the workers inherit it
    monkeypatch.setenv(_aot.ENV, "1")
    scenario = load_scenario(SCENARIOS / "status-quo-2025.toml")
    june = scenario.with_changes(start="2025-06-01", end="2025-06-20")

    def members(executor: str) -> dict[str, object]:
        ensemble = run_scenario_ensemble(june, 3, 7, executor=executor, progress=False)
        return {k: v for k, v in ensemble.to_json_dict().items() if k != "elapsed_s"}

    serial = members("serial")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        on_dask = members(cluster.scheduler_address)
        used = client.run(_kernels_used)
    assert on_dask == serial
    assert not any(numba for numba, _ in used.values()), used  # Numba never loaded
    assert {n for _, n in used.values() if n is not None} == {len(aot.ENTRY_POINTS)}, used


def _kernels_used() -> tuple[bool, int | None]:
    """In a worker: whether Numba is loaded, and how many compiled kernels were found (None
    if the worker ran no member)."""
    loaded = getattr(sys.modules.get("channelsim._aot"), "_loaded", None)
    return "numba" in sys.modules, None if loaded is None else len(loaded)


def test_check_exits_1_when_runs_would_not_use_a_module(compiled: Path, tmp_path: Path) -> None:
    """``--check`` said "not used" with exit 0, as for a usable module: a script (``--check
    || python -m channelsim.aot``) could not tell (s11 re-trial R5)."""

    def check(cache: Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CHANNELSIM_CACHE": str(cache), "PYTHONPATH": str(SRC)}
        return subprocess.run(
            [sys.executable, "-m", "channelsim.aot", "--check"],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    missing = check(tmp_path / "empty-cache")
    assert missing.returncode == 1 and "no compiled kernels" in missing.stdout, missing
    usable = check(compiled)
    assert usable.returncode == 0 and "used by runs" in usable.stdout, usable
