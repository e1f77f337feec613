"""Shared checks of the fault tests: one line, the exit code, nothing left behind, no process
left running; and a real CLI driver to interrupt."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from conftest import CliResult

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def dies_with_the_tests(signum: int = signal.SIGKILL) -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen`` that has the child sent ``signum`` when the
    process that starts it (the test run) ends, however it ends: a pytest killed mid-run had
    left an explorer server its fixture started running for an hour. Linux's
    ``PR_SET_PDEATHSIG`` (kept across ``exec``); None elsewhere. A signal other than SIGKILL
    is blocked in the child, to be taken with ``signal.sigwait`` (:func:`killed_with_the_tests`).
    The child's own children (a driver's pool workers) end with it as they do when a user
    kills it."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def die_with_parent() -> None:
        if signum != signal.SIGKILL:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signum})
        if prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the parent ended before the prctl
            os.kill(os.getpid(), signum)

    return die_with_parent


_KILLER = """
import os, signal, sys
pid, started = int(sys.argv[1]), sys.argv[2]
signal.sigwait({signal.SIGTERM})  # the test run ended (PR_SET_PDEATHSIG)
try:
    with open(f"/proc/{pid}/stat") as stat:
        if stat.read().rsplit(")", 1)[1].split()[19] == started:  # not a reused pid
            os.kill(pid, signal.SIGKILL)
except (OSError, IndexError):
    pass
"""


@contextlib.contextmanager
def killed_with_the_tests(pid: int) -> Iterator[None]:
    """In the block, a watchdog SIGKILLs ``pid`` (a daemon the tests started, such as a
    resident engine, no child of theirs) if the test run ends however it ends; called off
    after the block. Linux only (elsewhere nothing)."""
    preexec = dies_with_the_tests(signal.SIGTERM)
    if preexec is None:
        yield
        return
    started = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _KILLER, str(pid), started], preexec_fn=preexec
    )
    try:
        yield
    finally:
        watchdog.kill()
        watchdog.wait()


# The real CLI, with the driver slowed down while recording (members take ~0.05 s, too fast
# to interrupt at a chosen point); what it records and computes is unchanged.
SLOW_DRIVER = """
import sys, time
from channelsim.runstore import RunStore
record = RunStore.record_member
def slow_record(self, run_id, member, output):
    time.sleep(0.3)
    record(self, run_id, member, output)
RunStore.record_member = slow_record
sys.argv = ["channelsim", *sys.argv[1:]]
from channelsim.cli import main
main()
"""


def start_cli(
    *args: object, slow: bool = False, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``channelsim ARGS`` in its own process group (so that every process it starts can be
    found), slowed down while recording members if ``slow``."""
    code = (
        SLOW_DRIVER
        if slow
        else "import sys; from channelsim.cli import main; "
        + ("sys.argv = ['channelsim', *sys.argv[1:]]; main()")
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **(env or {})},
        preexec_fn=dies_with_the_tests(),
    )


PATIENCE_S = 300.0
"""The longest a fault test waits for a condition (members recorded, a process gone): long
enough for a loaded 2-core machine; a condition that never comes still fails the test."""


def wait_for_members(store: Path, n: int, driver: subprocess.Popen[bytes]) -> None:
    """Wait (at most :data:`PATIENCE_S`) until ``n`` members of the store's run are recorded
    on disk."""
    from channelsim.runstore import RunStore

    outputs = RunStore(store).outputs_dir
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        if driver.poll() is not None:
            _, stderr = driver.communicate()
            raise AssertionError(f"the driver ended before it could be interrupted: {stderr!r}")
        folders = [p for p in outputs.glob("*/*") if not p.name.startswith(".")]
        if len(folders) >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"the driver did not record {n} members in time")


def live_processes(group: int) -> list[int]:
    """Processes of the process group ``group`` that still run (zombies excepted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until_gone(group: int, timeout_s: float = PATIENCE_S) -> list[int]:
    """Wait until no process of ``group`` runs; return those still running at the deadline."""
    deadline = time.monotonic() + timeout_s
    while (left := live_processes(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def assert_one_line_error(result: CliResult, *needles: str, code: int = 2) -> str:
    """The command failed with ``code`` and said why in one ``error:`` line holding every
    needle; returns that line."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes | str | None]:
    """Every path under ``folder`` (hidden ones too) with a file's bytes, a link's target or
    None for a folder."""
    return {
        str(path.relative_to(folder)): (
            os.readlink(path) if path.is_symlink() else None if path.is_dir() else path.read_bytes()
        )
        for path in sorted(folder.rglob("*"))
    }


def kill_group(group: int) -> None:
    """SIGKILL whatever of ``group`` still runs (a failed test must not leave processes)."""
    for pid in live_processes(group):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


CLI = "import sys; from channelsim.cli import main; sys.argv[0] = 'channelsim'; main()"

_ON_TMPFS = """
mount -t tmpfs -o "size=$SIZE" tmpfs "$MNT" || exit 97
[ "$FILL_KB" -gt 0 ] && dd if=/dev/zero of="$MNT/filler" bs=1k count="$FILL_KB" 2>/dev/null
if [ "$READ_ONLY" = 1 ]; then mount -o remount,ro "$MNT" || exit 98; fi
"$PYTHON" -c "$CLI" "$@"
echo "exit=$?" >&2
if [ -n "$AGAIN" ]; then
  rm -f "$MNT/filler"
  "$PYTHON" -c "$CLI" "$@" $AGAIN
  echo "exit=$?" >&2
fi
ls -A "$MNT" | sed 's/^/left: /' >&2
"""


def can_mount_tmpfs() -> bool:
    """Whether this machine lets an unprivileged user namespace mount a tmpfs (unshare -rm)."""
    try:
        probe = subprocess.run(
            ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def cli_on_tmpfs(
    mount_point: Path,
    *args: object,
    size: str = "64m",
    fill_kb: int = 0,
    read_only: bool = False,
    again: str = "",
) -> tuple[list[int], str, list[str]]:
    """Run ``channelsim ARGS`` with a small tmpfs of its own (in a private mount namespace,
    gone with it) at ``mount_point``: filled with ``fill_kb`` KiB, or read-only; with
    ``again``, the filler is then removed and the command run again with those extra
    arguments. Returns the exit codes, stderr without the bookkeeping lines, and what the
    tmpfs holds at the end."""
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", _ON_TMPFS, "sh", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "MNT": str(mount_point),
            "SIZE": size,
            "FILL_KB": str(fill_kb),
            "READ_ONLY": "1" if read_only else "0",
            "PYTHON": sys.executable,
            "CLI": CLI,
            "AGAIN": again,
        },
    )
    lines = done.stderr.splitlines()
    exits = [int(line[5:]) for line in lines if line.startswith("exit=")]
    assert done.returncode == 0 and exits, done.stderr
    left = [line[6:] for line in lines if line.startswith("left: ")]
    said = "\n".join(line for line in lines if not line.startswith(("exit=", "left: ")))
    return exits, said, left
