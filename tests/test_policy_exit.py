"""A plug-in policy's hook that ends the process (``os._exit``), or raises a ``BaseException``
of its own, through the real command line (s13 re-trial N4, N5).

``os._exit`` cannot be caught in the process that runs the hook: a run in the command's own
process ends there, with the hook's exit code and nothing said (docs/architecture.md states
the limit), but it leaves no partial output. A process that watches the one running the
hook can tell: a pool worker or the resident engine's child that dies fails the run in one
line, exit 2, nothing written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_resident_engine import SCRIPT, _short_folder, running_engine

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the channelsim script is needed")

PLUGIN = """
import datetime as dt
import os

from channelsim.engine import DayView, Policy, register_policy


class Boom(BaseException):
    pass


class Ending(Policy):
    how: str = "exit"

    def on_beach(self, day: DayView) -> None:
        if day.date == dt.date(2025, 6, 3):
            if self.how == "exit":
                os._exit(0)
            raise Boom("boom on purpose")


register_policy("ending_plugin", Ending)
"""

SCENARIO = """
name = "ending"
start = 2025-06-01
end = 2025-06-05
seed = 2
[[policies]]
type = "ending_plugin"
name = "ender"
[policies.params]
how = "{how}"
"""


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment in which the plug-in is installed: its module and an entry point
    (a ``.dist-info`` folder) on ``PYTHONPATH``, as ``pip install`` leaves them."""
    folder = tmp_path_factory.mktemp("plugin")
    (folder / "ending_plugin.py").write_text(PLUGIN)
    info = folder / "ending_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ending-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[channelsim.policies]\nending_plugin = ending_plugin\n")
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(folder)) if p)
    return {**os.environ, "PYTHONPATH": path, "CHANNELSIM_ENGINE": "off"}


def _run(env: dict[str, str], tmp_path: Path, how: str, *options: str) -> tuple[int, str, str]:
    scenario = tmp_path / f"{how}.toml"
    scenario.write_text(SCENARIO.format(how=how))
    done = subprocess.run(
        [str(SCRIPT), "run", str(scenario), *options, "--out", str(tmp_path / "out")],
        env={**env, "CHANNELSIM_RUNS": str(tmp_path / "runs.duckdb")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout, done.stderr


def _one_error_line(stderr: str) -> str:
    """The one ``error:`` line; anything else on stderr may only be the progress line."""
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in stderr, stderr
    others = [line for line in stderr.splitlines() if line not in errors]
    assert all(line.startswith("ending (") for line in others), stderr
    return errors[0]


@pytest.mark.parametrize("options", [(), ("--runs", "2", "--workers", "2")])
def test_a_base_exception_of_a_hook_is_one_line(
    plugin_env: dict[str, str], tmp_path: Path, options: tuple[str, ...]
) -> None:
    code, out, err = _run(plugin_env, tmp_path, "raise", *options)
    line = _one_error_line(err)
    assert code == 2 and out == ""
    assert line.startswith("error: policy 'ender' (ending_plugin), on 2025-06-03: Boom: boom"), line
    assert not (tmp_path / "out").exists()


def test_a_hook_ending_a_pool_worker_fails_the_run_in_one_line(
    plugin_env: dict[str, str], tmp_path: Path
) -> None:
    code, out, err = _run(plugin_env, tmp_path, "exit", "--runs", "2", "--workers", "2")
    line = _one_error_line(err)
    assert code == 2 and out == ""
    assert line.startswith("error: a worker process died while the pool ran item "), line
    assert not (tmp_path / "out").exists()


def test_a_hook_ending_the_command_s_own_process_leaves_no_output(
    plugin_env: dict[str, str], tmp_path: Path
) -> None:
    """The limit: the process ends where the hook ends it (no line can be printed), but with
    nothing written."""
    _run(plugin_env, tmp_path, "exit")
    assert not (tmp_path / "out").exists()


@pytest.fixture
def served_env(
    plugin_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """A resident engine that has the plug-in (the environment that reaches it)."""
    for name in ("PYTHONPATH", "CHANNELSIM_ENGINE"):  # the engine starts in this environment
        monkeypatch.setenv(name, "auto" if name == "CHANNELSIM_ENGINE" else plugin_env[name])
    path = _short_folder()
    try:
        with running_engine(path / "e") as engine_env:
            yield engine_env
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.mark.skipif(sys.platform != "linux", reason="the resident engine forks (Linux)")
def test_a_hook_ending_the_resident_engine_s_child_fails_the_run_in_one_line(
    served_env: dict[str, str], tmp_path: Path
) -> None:
    code, out, err = _run(served_env, tmp_path, "exit")
    line = _one_error_line(err)
    assert code == 2 and out == ""
    assert line.startswith("error: the resident engine's process serving this run ended"), line
    assert not (tmp_path / "out").exists()
