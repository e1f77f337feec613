"""Output targets: whether a command may write a folder or a file, decided before any work.

Every folder a command writes (``run``, ``demo``, ``compare``, ``sensitivity``, ``calibrate``,
``validate`` with ``--out``) and every report file (``report -o``) goes through this module.
A target may be:

- a path that does not exist yet (missing parent folders are created, and removed again if
  the write fails), or an empty folder;
- with ``force``, a folder channelsim wrote before: it holds the marker file
  :data:`MARKER`, which lists the files channelsim put there with their SHA-256, and nothing
  else, each file unchanged (a file the user edited or saved over is refused by name);
- a report file channelsim wrote and nobody changed since, without ``force``: its HTML
  carries the SHA-256 of its own bytes (:data:`REPORT_GENERATOR`; a text file such as the
  calibration defaults carries it as a comment, :data:`TEXT_STAMP`), or the marker of the
  folder it is in records it; a report is drawn from results kept elsewhere, so replacing it loses
  nothing, while a results folder may be the only copy of hours of computing. A report the
  user edited or saved over is refused by name, with or without ``force``.

Anything else is refused with one line (:class:`~channelsim.errors.InputError` naming the
path and the option): a file of the user's, a folder holding files channelsim did not write
(even with ``force``), the current folder or a folder that contains it. The check also makes
sure, by writing a probe, that the target's folder can be written, and that the disk's free
space and the file-size limit (``ulimit -f``) leave room for the expected output, so that an
ensemble does not run for an hour and then fail to save.

Writes are atomic: the output is filled in a temporary folder (or file) beside the target and
renamed into place; a folder being replaced is swapped with the new one in one step
(``renameat2(RENAME_EXCHANGE)`` on Linux) and then removed. A failed or interrupted write
removes its temporary folder; one left by a killed process is removed by the next write to
the same target. Ctrl-C and SIGTERM are held back while the temporary is made, swapped into
place and removed (:func:`channelsim.interrupts.signals_deferred`), so an interruption leaves
the target either as it was or complete, never a temporary beside it; the interruption's
line says which (:func:`channelsim.interrupts.noted`).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import hashlib
import json
import os
import re
import resource
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from channelsim import __version__
from channelsim.errors import InputError, os_error_text
from channelsim.interrupts import noted, signals_deferred
from channelsim.textfile import kind_of

if TYPE_CHECKING:  # the exports need pandas: imported when a folder is written
    from channelsim.exports import Describe

MARKER = ".channelsim-output.json"
"""The file that marks a folder channelsim wrote, with the list of the files it wrote there."""
_UNSTAMPED = "0" * 64
_CHECKSUM = re.compile(
    rb'(?:<meta name="channelsim-sha256" content="|^# channelsim-sha256: )([0-9a-f]{64})',
    re.MULTILINE,
)
REPORT_GENERATOR = (
    f'<meta name="generator" content="channelsim"><meta name="channelsim-sha256" '
    f'content="{_UNSTAMPED}">'
)
"""The tags a report's ``<head>`` starts with: channelsim as its generator, and the SHA-256
of the file's bytes (taken with the digest's own 64 characters as zeros), filled in by
:func:`write_output_file`. A report whose bytes no longer give that digest was changed since
channelsim wrote it, and is never replaced."""
TEXT_STAMP = f"# channelsim-sha256: {_UNSTAMPED}"
"""The same checksum as a comment line, for a text file channelsim writes (such as the
calibration defaults, TOML): put it in the file's first lines; :func:`write_output_file`
fills it in, and a file whose bytes no longer give it is never replaced."""
_HEAD_BYTES = 4096  # where the tags are looked for
_GENERATOR_TAG = b'<meta name="generator" content="channelsim">'

DEFAULT_EXPECTED_BYTES = 16 * 2**20
"""Room asked for an output of unknown size: more than a single run or a report (with
plotly.js inline) takes."""
BYTES_PER_MEMBER_DAY = 300
"""Room asked per ensemble member and simulated day: the members' daily tables dominate."""

_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.channelsim-(?:tmp|old)\.(?P<pid>\d+)\.[^.]+$")
_SHOWN = 3  # foreign names listed in a refusal


def ensemble_bytes(members: int, days: int) -> int:
    """The room to ask for an ensemble's outputs (at least :data:`DEFAULT_EXPECTED_BYTES`)."""
    return max(DEFAULT_EXPECTED_BYTES, members * days * BYTES_PER_MEMBER_DAY)


@dataclass(frozen=True)
class OutputTarget:
    """A checked target: an absolute ``path``, whether ``force`` allows replacing channelsim's
    own output there, and the ``option`` that named it (for error lines)."""

    path: Path
    force: bool = False
    option: str = "--out"
    instead: str = "choose another file name"
    """What else the user may do when a file of theirs is in the way (besides moving it)."""

    def refuse(self, expected: str) -> InputError:
        return InputError(self.path, self.option, expected)


def output_folder(
    path: str | Path,
    *,
    force: bool = False,
    option: str = "--out",
    expected_bytes: int = DEFAULT_EXPECTED_BYTES,
) -> OutputTarget:
    """Check that a command may write the folder ``path``; raise a one-line InputError if not.

    Call it before any work; :func:`write_output_folder` checks again before it replaces.
    """
    _check_not_a_link(path, option)
    target = OutputTarget(_absolute(path), force, option)
    _check_name_length(target)
    _check_folder(target)
    _check_room(target, expected_bytes)
    return target


#: The lock file beside an output a long command holds from its start (:func:`reserved`).
_LOCK_SUFFIX = ".channelsim-lock"


@contextlib.contextmanager
def reserved(target: OutputTarget, command: str) -> Iterator[None]:
    """Hold ``target`` for this process from its check to its write: an exclusive ``flock``
    on ``.<name>.channelsim-lock`` beside it (the kernel lets go if the process dies), the
    file removed at the end. A second command naming the same target meanwhile is refused at
    once in one line naming the folder and the process that holds it: two ``calibrate --out
    X`` at once ended with the first, which ran longer, refused after its hours of work, its
    posterior kept nowhere (s11 F18). Where no lock file can be made (a missing or read-only
    parent) nothing is held and the write's own checks remain."""
    import fcntl

    lock = target.path.parent / f".{target.path.name}{_LOCK_SUFFIX}"
    try:  # never through a link: it would truncate the file it points to (s13 breaker B15)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _lock_in_the_way(target, lock, "a symbolic link") from None
        if error.errno == errno.EISDIR:  # else no lock is held, and two commands share it
            raise _lock_in_the_way(target, lock, "a folder") from None
        yield
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:  # a hard link to a file
            kind = "a file with other names" if stat.S_ISREG(info.st_mode) else "not a file"
            raise _lock_in_the_way(target, lock, kind)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            raise target.refuse(
                f"another channelsim command is writing this folder now ({holder}); wait "
                "for it to finish or choose another folder"
            ) from None
        started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
        os.ftruncate(fd, 0)
        os.write(fd, f"{command}, process {os.getpid()}, started {started}".encode())
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                lock.unlink()  # while held: no one else takes a lock on it meanwhile
    finally:
        os.close(fd)


def _lock_in_the_way(target: OutputTarget, lock: Path, kind: str) -> InputError:
    """The refusal of a lock name that channelsim did not make: left as it is."""
    return target.refuse(
        f"{lock.name}, where channelsim keeps this folder's lock, is {kind}; channelsim will "
        "not write through it: remove it (it is not channelsim's)"
    )


def _check_not_a_link(path: str | Path, option: str) -> None:
    """An output folder given as a symbolic link (to a folder channelsim wrote, say) is
    refused: it was followed, and --force replaced the folder it points to, as it refuses to
    replace a folder holding a link. (A link to a missing path is refused by the checks.)"""
    given = Path(path).expanduser()
    if given.is_symlink() and given.exists():
        raise InputError(
            given,
            option,
            f"expected a folder, got a symbolic link to {given.resolve()}: name that folder "
            "itself (channelsim does not write through a link)",
        )


def output_file(
    path: str | Path,
    *,
    option: str = "--out",
    expected_bytes: int = DEFAULT_EXPECTED_BYTES,
    instead: str = OutputTarget.instead,
) -> OutputTarget:
    """Check that a command may write the file ``path``, a report or a text file stamped with
    :data:`TEXT_STAMP` (see :func:`output_folder`); ``instead`` is what the refusal of a file
    in the way suggests besides moving it."""
    target = OutputTarget(_absolute(path), option=option, instead=instead)
    _check_name_length(target)
    _check_file(target)
    _check_room(target, expected_bytes)
    return target


def write_output_folder(
    target: str | Path | OutputTarget,
    fill: Callable[[Path], None],
    *,
    kind: str,
    describe: Describe | None = None,
) -> Path:
    """Fill a new folder with ``fill(folder)`` and put it at ``target`` atomically, with the
    marker listing what was written; return the folder's path. Every Parquet table gets a
    CSV copy and a sheet of the workbook (:func:`channelsim.exports.export_folder`), headed
    with the labels and units ``describe`` gives (a run's ``ResultSet.describe``).

    ``target`` is an :class:`OutputTarget` from :func:`output_folder`, or a path (checked
    here, without ``force``). Raises InputError (one line) if the target may not be written
    or the write fails (full disk, file-size limit): no temporary folder is left.
    """
    from channelsim.exports import export_folder

    if not isinstance(target, OutputTarget):
        _check_not_a_link(target, OutputTarget.option)
    checked = _checked(target)
    _check_folder(checked)
    with _writing(checked, folder=True) as writing:
        fill(writing.tmp)
        export_folder(writing.tmp, describe)  # CSV beside each Parquet table, and the workbook
        _write_marker(writing.tmp, kind)
        _check_folder(checked)  # again: another process may have written it meanwhile
        writing.install(_install)  # the temporary then holds what was there before, if anything
    return checked.path


def write_output_file(target: str | Path | OutputTarget, text: str) -> Path:
    """Write a report's ``text`` (UTF-8) to ``target`` atomically; if the file lands in a
    folder channelsim wrote, add it to that folder's marker. See :func:`write_output_folder`."""
    checked = _checked(target)
    _check_file(checked)
    with _writing(checked, folder=False) as writing:
        writing.tmp.write_bytes(_stamped(text.encode("utf-8")))
        writing.tmp.chmod(0o644)
        _check_file(checked)  # again: another process may have written it meanwhile
        writing.install(os.replace)
        if (writing.parent / MARKER).is_file():
            _add_to_marker(writing.parent, checked.path.name)
    return checked.path


@dataclass
class _Writing:
    """An atomic write under way: its temporary beside the target, and whether it is in place."""

    tmp: Path
    parent: Path
    path: Path
    installed: bool = False

    def install(self, move: Callable[[Path, Path], object]) -> None:
        """``move(tmp, path)`` with Ctrl-C and SIGTERM held back until it is done."""
        with signals_deferred():
            move(self.tmp, self.path)
            self.installed = True


@contextlib.contextmanager
def _writing(target: OutputTarget, *, folder: bool) -> Iterator[_Writing]:
    """Missing parents created, a temporary beside the target, both removed whatever happens;
    an OSError is a one-line refusal, an interruption notes what it left at the target."""
    path = target.path
    under_way: list[_Writing] = []
    with (
        noted(
            lambda: written_note(path, installed=any(w.installed for w in under_way), folder=folder)
        ),
        _created_parents(path, target) as parent,
        _temporary(path, parent, folder=folder) as tmp,
        _refused_on_os_error(target),
    ):
        under_way.append(_Writing(tmp, parent, path))
        yield under_way[0]


def _checked(target: str | Path | OutputTarget) -> OutputTarget:
    return target if isinstance(target, OutputTarget) else OutputTarget(_absolute(target))


def written_note(path: Path, *, installed: bool, folder: bool = True) -> str:
    """What an interruption left at ``path`` (an output ``folder``, or a file such as a
    report): the new output whole, or what was there before."""
    if installed:
        return f"the outputs in {path} are complete" if folder else f"{path} is written in full"
    return f"nothing was written to {path}"


@contextlib.contextmanager
def _refused_on_os_error(target: OutputTarget) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise target.refuse(f"cannot write the output: {os_error_text(error, '')}") from None


@contextlib.contextmanager
def _temporary(path: Path, parent: Path, *, folder: bool) -> Iterator[Path]:
    """A temporary folder (or file) beside ``path``, removed at the end whatever happens.

    Ctrl-C and SIGTERM are held back while it is made and while it is removed, so that an
    interruption (even a second one during the clean-up) never leaves it behind.
    """
    tmp: Path | None = None
    try:
        with signals_deferred():
            _remove_stale_temporaries(path)
            if folder:
                tmp = Path(tempfile.mkdtemp(prefix=_temporary_prefix(path), dir=parent))
                tmp.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
            else:
                fd, name = tempfile.mkstemp(prefix=_temporary_prefix(path), dir=parent)
                os.close(fd)
                tmp = Path(name)
        yield tmp
    finally:
        if tmp is not None:
            with signals_deferred():
                _remove(tmp)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# -- the checks --------------------------------------------------------------------------


def _absolute(path: str | Path) -> Path:
    """An absolute path with ``..`` and symbolic links resolved (a dangling link stays)."""
    given = Path(path).expanduser()
    return given.absolute() if given.is_symlink() and not given.exists() else given.resolve()


def _is_new(target: OutputTarget, kind: str) -> bool:
    """The checks of every target; True if it does not exist yet (and may be created)."""
    _check_not_cwd(target)
    path = target.path
    if path.is_symlink() and not path.exists():
        raise target.refuse(f"expected a new {kind}, got a symbolic link to a missing path")
    if path.exists():
        return False
    _check_parents(target)
    return True


def _check_folder(target: OutputTarget) -> None:
    path = target.path
    if _is_new(target, "folder"):
        return
    if not path.is_dir():
        raise target.refuse("expected a new folder or one channelsim wrote, got a file")
    top = sorted(entry.name for entry in path.iterdir())
    if not top:
        return
    marker = _read_marker(path)
    if marker is None:  # refused on its top level: a home folder is not walked
        raise target.refuse(
            "expected a new or empty folder, or one channelsim wrote; it holds files "
            f"channelsim did not write ({_names(top)})"
        )
    entries = _entries(path)
    foreign = sorted(set(entries) - set(marker.get("files", [])) - {MARKER})
    if foreign:
        raise target.refuse(
            f"channelsim wrote this folder but it also holds other files ({_names(foreign)}): "
            "move them out or choose another folder"
        )
    links = [name for name in entries if (path / name).is_symlink()]
    if links:  # channelsim writes none: a user put it there, in place of a file or beside them
        raise target.refuse(
            f"channelsim wrote this folder but {_names(links)} is now a symbolic link, not a "
            "file channelsim wrote: remove the link or choose another folder; nothing was "
            "replaced"
        )
    changed = _changed(path, marker)
    if changed:
        raise target.refuse(
            f"channelsim wrote this folder but {_names(changed)} changed since (not the bytes "
            "channelsim wrote): move your version out or choose another folder; nothing was "
            "replaced"
        )
    if not target.force:
        raise target.refuse(
            f"channelsim wrote this folder ({marker.get('kind', 'output')}, "
            f"{str(marker.get('written', '?'))[:16]}); add --force to replace it"
        )


def _check_file(target: OutputTarget) -> None:
    path = target.path
    if _is_new(target, "file"):
        return
    if path.is_dir():
        raise target.refuse("expected a file to write, got a folder")
    if not path.is_file():  # a device (/dev/full, /dev/zero) or a named pipe: never read
        raise target.refuse(f"expected a file to write, got {kind_of(path)}")
    if _written_unchanged(path):
        return
    if _stamp_of(path) is None:
        raise target.refuse(
            "expected a new file or one channelsim wrote; this file was not written by "
            f"channelsim (it is left untouched): move it away or {target.instead}"
        )
    raise target.refuse(
        "channelsim wrote this file but it changed since (not the bytes channelsim wrote, by "
        f"their SHA-256): move your version out or {target.instead}; nothing was replaced"
    )


def _check_not_cwd(target: OutputTarget) -> None:
    try:
        here = Path.cwd().resolve()
    except OSError:  # the current folder was removed: nothing to protect there
        return
    if target.path == here or target.path in here.parents:
        raise target.refuse("expected a folder other than the current one or one that holds it")


def _check_parents(target: OutputTarget) -> None:
    """The nearest existing ancestor of a new target must be a folder."""
    ancestor = nearest_existing(target.path)
    if not ancestor.is_dir():
        raise target.refuse(f"expected folders above it, but {ancestor} is a file")


def _check_room(target: OutputTarget, expected_bytes: int) -> None:
    """The target's folder takes a file, has room for ``expected_bytes`` and the file-size
    limit allows them (a probe file is written and removed)."""
    folder = nearest_existing(target.path.parent)
    try:
        fd, probe = tempfile.mkstemp(prefix=".channelsim-probe.", dir=folder)
        try:
            os.write(fd, b"channelsim")
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as error:
        # ENOENT in a folder that exists: a file system that takes no new files (/proc, /sys)
        why = "it takes no new files" if error.errno == errno.ENOENT else os_error_text(error, "")
        raise target.refuse(f"cannot write in {folder}: {why}") from None
    free = shutil.disk_usage(folder).free
    if free < expected_bytes:
        raise target.refuse(
            f"about {_megabytes(expected_bytes)} of room, but the disk holding {folder} has "
            f"{_megabytes(free)} free"
        )
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if limit != resource.RLIM_INFINITY and limit < expected_bytes:
        raise target.refuse(
            f"files of up to about {_megabytes(expected_bytes)}, but the file-size limit "
            f"(ulimit -f) is {_megabytes(limit)}"
        )


def _megabytes(n: int) -> str:
    """A size for a message: MB from one up, else kB or bytes (``ulimit -f 20``, 20 kB, read
    "0.0 MB")."""
    if n >= 2**20:
        return f"{n / 2**20:,.1f} MB"
    if n >= 1024:
        return f"{n / 1024:,.0f} kB"
    return f"{n:,} bytes"


def nearest_existing(path: Path) -> Path:
    """``path`` or the nearest of its parents that exists (the root at worst)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor)


def _entries(folder: Path) -> list[str]:
    """Every file and folder below ``folder``, as POSIX paths relative to it."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def _stamped(data: bytes) -> bytes:
    """``data`` with its checksum tag (if it has one, near its start) filled in."""
    head = data[:_HEAD_BYTES]
    found = _CHECKSUM.search(head)
    if found is None or found.group(1) != _UNSTAMPED.encode():
        return data
    digest = hashlib.sha256(data).hexdigest().encode()
    return data[: found.start(1)] + digest + data[found.end(1) :]


def _stamp_of(path: Path) -> tuple[str, str] | None:
    """A report's recorded checksum and the one its bytes give now; None without the tag
    (a file channelsim did not write, or a report from before checksums were kept)."""
    try:
        if not path.is_file():  # a device or a pipe would be read without end
            return None
        with path.open("rb") as handle:
            found = _CHECKSUM.search(handle.read(_HEAD_BYTES))
            if found is None:  # not a report channelsim stamped: the rest is never read
                return None
            data = found.string + handle.read()
    except OSError:
        return None
    blank = data[: found.start(1)] + _UNSTAMPED.encode() + data[found.end(1) :]
    return found.group(1).decode(), hashlib.sha256(blank).hexdigest()


def _written_unchanged(path: Path) -> bool:
    """Whether the file at ``path`` is a report holding the bytes channelsim wrote: by the
    checksum it carries, or (a report from before checksums were kept: its generator tag,
    no checksum) by the one the marker of its folder records for it. A folder's other
    files (columns.json, daily.csv...) are never a report to replace, recorded or not."""
    if path.is_symlink() or not path.is_file():
        return False
    stamp = _stamp_of(path)
    if stamp is not None:
        return stamp[0] == stamp[1]
    if not _names_channelsim_as_generator(path):
        return False
    marker = _read_marker(path.parent)
    recorded = None if marker is None else marker.get("sha256")
    if not isinstance(recorded, dict) or path.name not in recorded:
        return False
    return bool(_sha256(path) == recorded[path.name])


def _names_channelsim_as_generator(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return _GENERATOR_TAG in handle.read(_HEAD_BYTES)
    except OSError:
        return False


# -- the marker ---------------------------------------------------------------------------


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("written_by") != "channelsim":
        return None
    if not isinstance(marker.get("files"), list):
        return None
    return marker


Unchecked = Literal["no record", "no checksums"]
"""Why :func:`check_as_written` checked nothing: the folder has no marker (assembled by hand),
or its marker is from before checksums were kept (written before 30 Nov 2026)."""


def check_as_written(folder: Path, read: Callable[[str], bool]) -> Unchecked | None:
    """Check that the files of ``folder`` a reader takes (the top-level names for which
    ``read(name)`` is true) are the bytes channelsim wrote there, by the SHA-256 its marker
    records; None when they are, else why nothing could be checked (:data:`Unchecked`).

    Raises a one-line :class:`InputError` naming the first such file that changed since, a
    recorded one that is missing, one the marker does not list, or a marker that is not
    channelsim's record: a hand-edited or truncated results file was reported as if it were
    the run's, under channelsim's credit (s12 B10).
    """
    path = folder / MARKER
    if not path.exists():
        return "no record"
    marker = _read_marker(folder)
    if marker is None:
        raise InputError(path, None, "expected channelsim's record of the files it wrote here")
    recorded = marker.get("sha256")
    if not isinstance(recorded, dict):
        return "no checksums"
    listed = {str(name) for name in marker["files"]}
    for name in sorted(str(n) for n in recorded if read(str(n))):
        file = folder / name
        if not file.is_file() or file.is_symlink():
            raise InputError(
                file, None, f"expected the file channelsim wrote here (listed in {MARKER}); it is "
                "missing: the folder is not whole, so no report is made from it",
            )  # fmt: skip
        if _sha256(file) != recorded[name]:
            raise InputError(
                file, None, f"expected the bytes channelsim wrote (SHA-256 {recorded[name][:12]}… "
                f"in {MARKER}), got other bytes: the file changed since it was written (edited, "
                "truncated or replaced); report from an unchanged copy or run it again",
            )  # fmt: skip
    for entry in sorted(folder.iterdir()):
        if entry.name != MARKER and read(entry.name) and entry.name not in listed:
            raise InputError(
                entry, None, f"expected only files channelsim wrote here; {MARKER} does not "
                "list this one: move it out of the folder",
            )  # fmt: skip
    return None


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _changed(folder: Path, marker: dict[str, Any]) -> list[str]:
    """The files of a folder channelsim wrote whose bytes are no longer the ones it wrote
    (by the SHA-256 its marker records; a marker from before checksums were kept has none,
    and its files are taken by their names)."""
    recorded = marker.get("sha256")
    if not isinstance(recorded, dict):
        return []
    changed = []
    for name, digest in sorted(recorded.items()):
        path = folder / str(name)
        if path.is_file() and not path.is_symlink() and _sha256(path) != digest:
            changed.append(str(name))
    return changed


def _checksums(folder: Path, names: list[str]) -> dict[str, str]:
    """The SHA-256 of each regular file among ``names`` (paths relative to ``folder``)."""
    return {name: _sha256(folder / name) for name in names if (folder / name).is_file()}


def _write_marker(folder: Path, kind: str) -> None:
    files = [name for name in _entries(folder) if name != MARKER]
    marker = {
        "written_by": "channelsim",
        "version": __version__,
        "kind": kind,
        "written": dt.datetime.now().isoformat(timespec="seconds"),
        "files": files,
        "sha256": _checksums(folder, files),
        "note": "channelsim may replace this folder (with --force) as long as it holds only "
        "these files, unchanged (the same SHA-256).",
    }
    text = json.dumps(marker, indent=2) + "\n"
    (folder / MARKER).write_text(text, encoding="utf-8")


def _add_to_marker(folder: Path, name: str) -> None:
    marker = _read_marker(folder)
    if marker is None:
        return
    files = [str(f) for f in marker["files"]]
    checksums = marker.get("sha256")
    if name not in files or isinstance(checksums, dict):
        marker["files"] = sorted({*files, name})
        if isinstance(checksums, dict):
            marker["sha256"] = {**checksums, **_checksums(folder, [name])}
        fd, tmp = tempfile.mkstemp(prefix=f".{MARKER}.", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(marker, indent=2) + "\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / MARKER)


# -- atomic installation -------------------------------------------------------------------


@contextlib.contextmanager
def _created_parents(path: Path, target: OutputTarget) -> Iterator[Path]:
    """Create the missing folders above ``path``; remove them again if the write fails."""
    created: list[Path] = []
    for folder in reversed(path.parents):
        if not folder.exists():
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            except OSError as error:
                _remove_empty(created)
                raise target.refuse(f"cannot create {folder}: {os_error_text(error, '')}") from None
            created.append(folder)
    try:
        yield path.parent
    except BaseException:
        _remove_empty(created)
        raise


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _install(tmp: Path, path: Path) -> None:
    """Put the folder ``tmp`` at ``path``: a rename onto a new path or an empty folder; an
    exchange onto a folder channelsim wrote. Afterwards ``tmp`` holds the old folder, if
    there was one, for the caller to remove."""
    if not path.exists() or not any(path.iterdir()):
        os.replace(tmp, path)  # rename(2) may replace an empty folder
        return
    if _exchange(tmp, path):
        return
    old = tmp.with_name(tmp.name.replace(".channelsim-tmp.", ".channelsim-old.", 1))
    os.replace(path, old)
    try:
        os.replace(tmp, path)
    except OSError:
        os.replace(old, path)
        raise
    os.replace(old, tmp)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # kernel or file system lacks it
        return False
    raise OSError(code, os.strerror(code), str(b))


#: What the longest name channelsim writes beside a target adds to the target's name: the
#: temporary's ".", ".channelsim-tmp.", a process id (up to 7 digits), "." and 8 random ones.
_TEMPORARY_EXTRA_BYTES = 1 + len(".channelsim-tmp.") + 7 + 1 + 8


def _check_name_length(target: OutputTarget) -> None:
    """Refuse, before any work, a target whose name is too long for the temporary name
    channelsim writes beside it: a name of 226-255 bytes, which the system allows, failed
    after the whole run, naming a hidden temporary path (s14 breaker B3)."""
    path = target.path
    try:
        name_max = os.pathconf(path.parent, "PC_NAME_MAX")
    except (OSError, ValueError):  # no parent yet (refused by the checks), or no such limit
        name_max = 255
    longest = name_max - _TEMPORARY_EXTRA_BYTES
    size = len(os.fsencode(path.name))
    if size > longest:
        raise target.refuse(
            f"expected a name of at most {longest} bytes (channelsim first writes it under a "
            f"longer temporary name beside it), got one of {size}"
        )


def _temporary_prefix(path: Path) -> str:
    """Temporaries are named after their target and process, to be told apart and tidied."""
    return f".{path.name}.channelsim-tmp.{os.getpid()}."


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporary folders of ``path`` left by a process that no longer runs."""
    parent = path.parent
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        match = _TEMPORARY.match(entry.name)
        if match is None or match["name"] != path.name or _running(int(match["pid"])):
            continue
        _remove(entry)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
