"""What a command loads: ``channelsim run`` imports the modules a plain run uses, not those of
the other commands (calibration, the explorer, the data store...) nor the local pools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from channelsim._startup import early_ensemble_runs

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"

LOADED = """
import json, sys
from channelsim.cli import main
sys.argv = ["channelsim", *sys.argv[1:]]
try:
    main()
finally:
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_loaded_by(*args: object) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *map(str, args)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "period",
    [("--to", "2025-01-03", "--format", "json"), ()],  # the whole year: costs and their words
)
def test_a_plain_run_loads_only_its_own_command(period: tuple[str, ...]) -> None:
    """The year's headline names the assumed unit costs its extra cost rests on (s13 U11):
    that sentence had pandas loaded (61 -> 129 MiB, 0.46 -> 0.70 s a run)."""
    loaded = _modules_loaded_by("run", SCENARIO, *period)
    commands = {m for m in loaded if m.startswith("channelsim.cli.") and m.endswith("_cmd")}
    assert commands == {"channelsim.cli.run_cmd", "channelsim.cli.runs_cmd"}
    unused = {"pandas", "openpyxl", "plotly", "channelsim.experiments.executor"}
    assert not unused & loaded


def test_an_ensemble_driver_loads_neither_numba_nor_scipy(tmp_path: Path) -> None:
    """``run --runs N`` on a pool: the driver reads the scenario, hands the members to the
    workers and records their results; the compiled engine (Numba, llvmlite, and SciPy, which
    Numba loads) is loaded by the pool's fork server only, not a second time here, where it
    cost half a CPU second that competed with the server's start for the cores."""
    store = tmp_path / "runs.duckdb"
    loaded = _modules_loaded_by(
        "run", SCENARIO, "--to", "2025-01-07", "--runs", "3", "--workers", "2",
        "--runs-store", store, "--format", "json",
    )  # fmt: skip
    assert "channelsim.experiments.executor" in loaded  # the members ran on the pool
    assert not {"numba", "llvmlite", "scipy", "channelsim.engine.sim"} & loaded


def test_a_run_writing_its_outputs_loads_no_report_machinery(tmp_path: Path) -> None:
    """The workbook's credit line (``reports.credits``) is all ``run --out`` takes of the
    reports: Plotly, the data store (DuckDB) and the report builder stay unloaded (some 20 MB
    of the command's peak memory)."""
    out = tmp_path / "out"
    loaded = _modules_loaded_by("run", SCENARIO, "--to", "2025-01-03", "--out", out)
    assert (out / "tables.xlsx").is_file()
    assert "channelsim.reports.credits" in loaded
    unused = {"plotly", "duckdb", "channelsim.reports.build", "channelsim.data.store"}
    assert not unused & loaded


def test_a_plain_run_loads_scipys_blas_module_but_not_its_linear_algebra() -> None:
    """Numba's first use checks for a BLAS by importing ``scipy.linalg.cython_blas``;
    ``channelsim._jit`` loads that module alone first, so a run does not load ``scipy.linalg``
    (0.15 s of CPU, 16 MiB) that none of its kernels uses."""
    loaded = _modules_loaded_by("run", SCENARIO, "--to", "2025-01-03", "--format", "json")
    assert "numba.np.arraymath" in loaded
    assert not {"scipy.linalg", "scipy.linalg.cython_blas"} & loaded


BLAS_THEN_LINALG = """
import sys
from channelsim._jit import check_blas_alone, njit

@njit
def double(x):
    return 2.0 * x

assert double(1.5) == 3.0  # Numba's first use: its BLAS check ran
from numba.np import arraymath
assert arraymath._HAVE_BLAS and "scipy.linalg" not in sys.modules
import numpy as np
import scipy.linalg
from scipy.linalg import cython_blas
assert scipy.linalg.cython_blas is cython_blas
assert np.allclose(scipy.linalg.solve(np.eye(2) * 2.0, np.ones(2)), 0.5)

@njit
def product(a, b):
    return np.dot(a, b)  # Numba's BLAS, through the module

assert np.allclose(product(np.eye(3), np.ones(3)), 1.0)
assert check_blas_alone() is False  # done: nothing more to do
print("ok")
"""


def test_scipy_linalg_still_loads_whole_after_the_blas_module_alone() -> None:
    """A process that uses ``scipy.linalg`` after the compiled engine gets the whole package,
    with the BLAS module loaded earlier as its own."""
    done = subprocess.run([sys.executable, "-c", BLAS_THEN_LINALG], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


EARLY = """
import sys
sys.argv = ["channelsim", *sys.argv[1:]]
import channelsim
from multiprocessing import forkserver
print(forkserver._forkserver._forkserver_pid is not None, "typer" in sys.modules)
"""


def _pool_started_on_import(*args: object) -> tuple[bool, bool]:
    """Whether importing channelsim in ``channelsim ARGS`` started the pool's fork server,
    and whether it loaded the command line (Typer) first."""
    done = subprocess.run(
        [sys.executable, "-c", EARLY, *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "CHANNELSIM_ENGINE": "off"},
    )
    assert done.returncode == 0, done.stderr
    server, typer = done.stdout.split()
    return server == "True", typer == "True"


def test_an_ensemble_starts_its_pool_before_the_command_line_loads() -> None:
    """``run --runs N`` on the local pool: its fork server starts loading the engine as soon
    as channelsim is imported, before Typer and the command's modules; a single run, a small
    ensemble and an ensemble with its own workers or a cluster start none there."""
    assert _pool_started_on_import("run", SCENARIO, "--runs", "100") == (True, False)
    assert _pool_started_on_import("run", SCENARIO, "--runs=40", "--seed", "3") == (True, False)
    for args in (
        ("run", SCENARIO),
        ("run", SCENARIO, "--runs", "3"),
        ("run", SCENARIO, "--runs", "100", "--workers", "2"),
        ("run", SCENARIO, "--runs", "100", "--scheduler", "tcp://127.0.0.1:1"),
        ("compare", SCENARIO, SCENARIO, "--runs", "100"),
    ):
        assert _pool_started_on_import(*args) == (False, False), args


def test_early_ensemble_runs_reads_only_the_plain_forms() -> None:
    assert early_ensemble_runs(["s.toml", "--runs", "100"]) == 100
    assert early_ensemble_runs(["s.toml", "--runs=64", "--out", "x"]) == 64
    assert early_ensemble_runs(["s.toml"]) is None
    assert early_ensemble_runs(["s.toml", "--runs", "2.5"]) is None  # the command says so
    assert early_ensemble_runs(["s.toml", "--runs", "40", "--runs", "50"]) is None
    assert early_ensemble_runs(["s.toml", "--runs", "40", "--workers=1"]) is None
    assert early_ensemble_runs(["s.toml", "--runs", "40", "--help"]) is None
    assert early_ensemble_runs(["s.toml", "--", "--runs", "40"]) is None
    assert early_ensemble_runs(["s.toml", "--runs"]) is None
    # digits str.isdigit takes but int() does not, or past its limit (the s14 re-trial: a
    # 13-line traceback before the command line could say what it expects)
    assert early_ensemble_runs(["s.toml", "--runs", "²"]) is None
    assert early_ensemble_runs(["s.toml", "--runs", "9" * 5001]) is None


def test_a_runs_count_no_integer_can_be_is_one_line() -> None:
    """Through the installed command, where the pool may start before the command line."""
    command = str(Path(sys.executable).with_name("channelsim"))
    for value in ("²", "9" * 5001):
        done = subprocess.run(
            [command, "run", "status-quo-2025", "--runs", value], capture_output=True, text=True
        )
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "--runs" in done.stderr
