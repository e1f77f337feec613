"""The ``channelsim`` program ends as soon as its command is done: output flushed, exit
handlers run, exit code kept, without the interpreter's teardown of every loaded module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAM = """
import atexit, sys

class Teardown:
    def __del__(self):
        print("torn down", flush=True)

kept = Teardown()  # collected only by the interpreter's teardown of this module
atexit.register(lambda: print("exit handlers ran"))
print("output", end="")  # not flushed yet
from channelsim.cli import _exit_now
_exit_now(int(sys.argv[1]) if sys.argv[1].isdigit() else sys.argv[1])
print("not reached")
"""


@pytest.mark.parametrize(("code", "expected"), [("0", 0), ("130", 130), ("text", 1)])
def test_the_program_exits_with_its_code_after_the_exit_handlers_without_teardown(
    tmp_path: Path, code: str, expected: int
) -> None:
    program = tmp_path / "channelsim"
    program.write_text(PROGRAM)
    done = subprocess.run(
        [sys.executable, program, code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == expected, done.stderr
    assert done.stdout == "outputexit handlers ran\n"
    assert done.stderr == ("text\n" if code == "text" else "")


def test_called_in_another_program_it_does_nothing(tmp_path: Path) -> None:
    program = tmp_path / "notebook.py"
    program.write_text(PROGRAM)
    done = subprocess.run(
        [sys.executable, program, "0"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "outputnot reached\nexit handlers ran\ntorn down\n"


def test_output_the_system_refuses_at_the_quick_exit_is_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    """The quick exit flushed standard output with every error suppressed: output still
    buffered when the disk was full was lost and the program exited 0, silently."""
    program = tmp_path / "channelsim"
    program.write_text(
        'print("output", end="")  # not flushed yet\n'
        "from channelsim.cli import _exit_now\n"
        "_exit_now(0)\n"
    )
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, program, "0"], stdout=full, stderr=subprocess.PIPE, text=True,
            timeout=60, env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == ["error: the disk is full"], done.stderr
