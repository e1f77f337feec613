"""A pool's payload folder (``channelsim-payload-*`` in the temporary folder) does not outlive
the process that made it: removed when the pool closes or the interpreter exits, and, when
its owner was killed (SIGKILL before its workers started, say), by the next pool's start.
Nothing else is touched: a live process's folder, a folder holding anything but payloads,
a link, another user's folder, a folder of another name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from channelsim.experiments import executor
from channelsim.experiments.executor import PAYLOAD_PREFIX, PayloadFolder, sweep_payload_folders

OWNER = """
import sys, time
from channelsim.experiments.executor import PayloadFolder
folder = PayloadFolder()
(folder.path / "0123456789abcdef.pickle").write_bytes(b"a run's payload")
print(folder.path, flush=True)
if sys.argv[1] == "wait":
    time.sleep(600)
"""


def _owner(temporary: Path, mode: str) -> tuple[subprocess.Popen[str], Path]:
    """A process that makes a payload folder in ``temporary`` and then waits (``wait``) or
    exits at once without removing it (``exit``); the folder's path."""
    process = subprocess.Popen(
        [sys.executable, "-c", OWNER, mode],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temporary)},
    )
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def _payload_folders(temporary: Path) -> list[Path]:
    return sorted(temporary.glob(f"{PAYLOAD_PREFIX}*"))


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder of this test (``tempfile``'s, and its child processes'), not yet
    swept by this process."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(executor, "_SWEPT", False)
    return folder


def test_a_killed_owners_folder_is_removed_by_the_next_pool_start(temporary: Path) -> None:
    owner, left = _owner(temporary, "wait")
    try:
        assert left.is_dir() and left.parent == temporary
        assert sweep_payload_folders(temporary) == []  # its owner lives: kept
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    assert left.is_dir()  # what a SIGKILL leaves behind
    folder = PayloadFolder()  # as ProcessExecutor.start makes one
    try:
        assert _payload_folders(temporary) == [folder.path]
    finally:
        folder.remove()
    assert _payload_folders(temporary) == []


def test_a_folder_is_removed_when_its_owner_exits_without_closing_its_pool(
    temporary: Path,
) -> None:
    owner, left = _owner(temporary, "exit")
    assert owner.wait() == 0 and left.name.startswith(PAYLOAD_PREFIX)
    assert _payload_folders(temporary) == []


def test_what_is_not_a_dead_owners_payload_folder_is_left_alone(temporary: Path) -> None:
    live = PayloadFolder()  # this process's: held
    notes = temporary / f"{PAYLOAD_PREFIX}notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("a user's file")
    (notes / "a.pickle").write_bytes(b"")
    elsewhere = temporary / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.pickle").write_bytes(b"")
    link = temporary / f"{PAYLOAD_PREFIX}link"
    link.symlink_to(elsewhere)
    other_name = temporary / "channelsim-payloads"
    other_name.mkdir()
    stale = temporary / f"{PAYLOAD_PREFIX}stale"  # as a driver killed at once leaves it
    stale.mkdir()
    try:
        assert sweep_payload_folders(temporary) == [stale]
        assert live.path.is_dir() and (notes / "notes.txt").read_text() == "a user's file"
        assert (notes / "a.pickle").exists() and (elsewhere / "b.pickle").exists()
        assert link.is_symlink() and other_name.is_dir()
    finally:
        live.remove()
    assert not live.path.exists()
    live.remove()  # idempotent


def test_a_process_sweeps_the_temporary_folder_once(temporary: Path) -> None:
    first = PayloadFolder()
    stale = temporary / f"{PAYLOAD_PREFIX}stale"
    stale.mkdir()
    second = PayloadFolder()
    try:
        assert stale.is_dir()  # the next process's first pool removes it
        assert sweep_payload_folders(temporary) == [stale]
    finally:
        first.remove()
        second.remove()
