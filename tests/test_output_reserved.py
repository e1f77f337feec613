"""An output folder held by the command that will write it, from its check to its write.

s11 F18: two ``calibrate --out X`` at once, and the one that started first (and ran longer)
was refused at its end, after its work, its posterior kept nowhere. Now the second command
is refused at its start, in one line naming the folder and the process that holds it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from channelsim.errors import InputError
from channelsim.outputs import output_folder, reserved

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCK = ".posterior.channelsim-lock"


def test_a_second_command_on_a_held_folder_is_refused_naming_the_holder(tmp_path: Path) -> None:
    target = output_folder(tmp_path / "posterior")
    with reserved(target, "calibrate"):
        assert (tmp_path / LOCK).read_text().startswith(f"calibrate, process {os.getpid()}, ")
        # a lock is held per open file: a second hold, in this process as in another, fails
        with pytest.raises(InputError) as refused, reserved(target, "calibrate"):
            pytest.fail("held twice")
        line = str(refused.value)
        assert str(tmp_path / "posterior") in line and "--out" in line
        assert f"another channelsim command is writing this folder now (calibrate, process " \
            f"{os.getpid()}, started " in line  # fmt: skip
        assert "\n" not in line
    assert not (tmp_path / LOCK).exists()  # let go and removed: the folder is free again
    with reserved(target, "validate"):
        pass


def test_a_lock_left_by_a_killed_process_does_not_hold_the_folder(tmp_path: Path) -> None:
    """The kernel lets go of a dead process's lock: its file, left by SIGKILL, is taken over
    and removed."""
    (tmp_path / LOCK).write_text("calibrate, process 99999999, started 2026-01-01 00:00")
    with reserved(output_folder(tmp_path / "posterior"), "calibrate"):
        assert "process 99999999" not in (tmp_path / LOCK).read_text()
    assert not (tmp_path / LOCK).exists()


def test_a_second_calibrate_on_a_held_folder_is_refused_before_its_runs(
    tmp_path: Path, run_cli: Any
) -> None:
    """F18 as found: a calibrate whose --out another process (a first calibrate) holds is
    refused at once in one line naming that process; nothing is run or written, and the
    folder is left to the first."""
    from spreadsheets import make_rows, write_publication

    daily, weekly = make_rows(dt.date(2024, 4, 29), 28, seed=2)
    data = write_publication(tmp_path / "pub.ods", daily, weekly)
    out = tmp_path / "post"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from channelsim.outputs import output_folder, reserved
            with reserved(output_folder({str(out)!r}), "calibrate"):
                print("held", flush=True)
                sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = run_cli(
            "calibrate", "--data", data, "--train", "2024-05-06:2024-05-26", "--budget", 8,
            "--generations", 2, "--executor", "serial", "--out", out,
        )  # fmt: skip
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    assert result.exit_code == 2
    assert f"another channelsim command is writing this folder now (calibrate, process " \
        f"{holder.pid}, started " in result.stderr  # fmt: skip
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / ".post.channelsim-lock").exists()


@pytest.mark.parametrize("link", ["symbolic", "hard", "folder"])
def test_a_link_at_the_lock_s_name_is_refused_and_its_file_untouched(
    tmp_path: Path, link: str
) -> None:
    """s13 breaker B15: a symbolic link at the lock's name was followed, and the user's file
    it pointed to truncated to the holder line (then the link removed)."""
    precious = tmp_path / "important.txt"
    precious.write_text("my precious thesis")
    lock = tmp_path / LOCK
    if link == "symbolic":
        lock.symlink_to(precious.name)
    elif link == "hard":
        os.link(precious, lock)
    else:  # the s13 re-trial: a folder there held no lock, silently
        lock.mkdir()
    with pytest.raises(InputError) as refused, reserved(output_folder(tmp_path / "posterior"), "x"):
        pytest.fail("held through a link")
    line = str(refused.value)
    assert f"{LOCK}, where channelsim keeps this folder's lock, is " in line and "\n" not in line
    assert precious.read_text() == "my precious thesis"
    assert lock.exists() or lock.is_symlink()  # left as it was
    assert not (tmp_path / "posterior").exists()
