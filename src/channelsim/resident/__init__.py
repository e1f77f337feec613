"""The resident engine: an opt-in process that keeps Numba and the compiled kernels loaded, so
that ``channelsim run SCENARIO`` answers in a tenth of a second instead of a second or more.

``channelsim engine start`` starts it (it never starts by itself), ``engine status`` says
whether it runs, ``engine stop`` stops it; it also stops after ``--idle-minutes`` without a
request, and on SIGTERM or Ctrl-C. While it runs, ``channelsim run`` (one run, or an
ensemble with ``--runs``: its pool's workers fork from the child, the engine loaded; not on a
Dask cluster) connects to it before importing anything heavy, and the engine forks a child
that runs the very same command, with the caller's arguments, working folder, environment,
umask and terminal (the caller's stdin, stdout and stderr are passed over the socket), and
reports its exit code. Each request is served by a child of its own: nothing one request
does is seen by the next, several callers are served at once, and a crash ends one child.

Safety rules (:mod:`channelsim.resident.client`, :mod:`channelsim.resident.server`):

- the socket lives in a folder of channelsim's own (:func:`engine_dir`), created 0700 and
  refused, in one line, if another user owns it, if it is a symbolic link or not a folder, or
  if others may write to it; the engine serves only its own user (the peer's credentials are
  checked on both sides);
- the engine serves only a caller that runs the same code: the same version, the same
  sources (a fingerprint of every file of the installed package), the same Python and the
  same settings read when modules load (``NUMBA_*``, ``PYTHON*``...); otherwise, or when no
  engine answers, ``run`` runs in its own process exactly as without an engine (saying why
  in one dim line when an engine was there but could not serve);
- only files the engine itself made in its folder are removed: its socket, when it stops,
  and a stale socket of a dead engine (a socket, nothing else, that refuses connections and
  whose engine no longer holds the folder's lock);
- Ctrl-C or SIGTERM of the caller is passed to the child, which stops exactly as the
  command stops in its own process (one line, exit 130 or 143, outputs unchanged or
  complete); the engine goes on serving others.

``CHANNELSIM_ENGINE=off`` makes ``run`` ignore the engine; ``CHANNELSIM_ENGINE_DIR`` names
another folder for it (tests use one of their own). Empty values count as unset.

This module is imported by the command line before anything else: it stays cheap (no NumPy,
no Numba, no Typer).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

from channelsim._version import __version__
from channelsim.errors import ChannelsimError

ENGINE_DIR_ENV = "CHANNELSIM_ENGINE_DIR"
"""The folder of the engine's socket, lock and log, instead of the default."""

ENGINE_ENV = "CHANNELSIM_ENGINE"
"""``off``: ``run`` always runs in its own process; ``auto`` (or unset): through the
resident engine when one is running."""

SOCKET_NAME = "engine.sock"
LOCK_NAME = "engine.lock"
LOG_NAME = "engine.log"

DEFAULT_IDLE_MINUTES = 15.0

SETTINGS_PREFIXES = ("NUMBA_", "PYTHON", "TYPER_", "_TYPER_")
"""Environment variables read when modules load (Numba's configuration, Python's own, Typer's
rendering): the engine loaded its modules with its own values, so a caller with other values
runs in its own process."""

SETTINGS_NAMES = (
    *("TERMINAL_WIDTH", "FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS"),
    *("LANG", "LC_ALL", "LC_CTYPE", "TZ"),
)
"""Single variables read when Typer's help renderer loads, and those Python reads once at
start (the locale's encoding, the time zone) (see :data:`SETTINGS_PREFIXES`)."""


class EngineError(ChannelsimError):
    """The resident engine's folder is unsafe, or the engine could not start or stop."""


class EngineRunning(EngineError):
    """Another engine holds the folder's lock (a start that raced another start)."""


def engine_dir() -> Path:
    """The engine's folder, absolute: ``$CHANNELSIM_ENGINE_DIR`` if set (a relative one taken
    from the current folder: the engine, which moves to ``/``, is given it absolute); else
    ``channelsim`` in ``$XDG_RUNTIME_DIR`` (the user's private runtime folder) if set; else
    ``channelsim-<uid>`` in the temporary folder."""
    chosen = os.environ.get(ENGINE_DIR_ENV)
    if chosen:
        try:
            return Path(os.path.abspath(Path(chosen).expanduser()))
        except OSError:  # relative, and the current folder was removed
            raise EngineError(
                f"{ENGINE_DIR_ENV}: expected an absolute folder, got {chosen!r} while the "
                "current folder no longer exists"
            ) from None
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        return Path(runtime) / "channelsim"
    import tempfile

    return Path(tempfile.gettempdir()) / f"channelsim-{os.getuid()}"


def checked_dir(path: Path, *, create: bool, uid: int | None = None) -> Path | None:
    """``path`` if it is safe for the engine's socket: a folder (not a link) owned by ``uid``
    (the current user's by default) that nobody else may write to and that holds nothing but
    the engine's own files (the engine writes its lock and log there: a user's folder, ``/``
    or an output folder named by mistake is refused, not written into). None if it does not exist
    and ``create`` is false; created 0700 if it does not exist and ``create`` is true.

    Raises :class:`EngineError` (one line) for an unsafe folder, ``OSError`` if it cannot be
    created."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    owner = os.getuid() if uid is None else uid
    problem = None
    if stat.S_ISLNK(info.st_mode):
        problem = "it is a symbolic link; expected a folder"
    elif not stat.S_ISDIR(info.st_mode):
        problem = "it is not a folder"
    elif info.st_uid != owner:
        problem = f"it belongs to user {info.st_uid}, not to you (user {owner})"
    elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        mode = stat.S_IMODE(info.st_mode)
        problem = f"others may write to it (mode {mode:o}); expected a private folder (chmod 700)"
    elif others := sorted(set(os.listdir(path)) - {SOCKET_NAME, LOCK_NAME, LOG_NAME}):
        listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        problem = (
            f"it holds other files ({listed}); expected a folder of the engine's own, empty or "
            f"holding only {SOCKET_NAME}, {LOCK_NAME} and {LOG_NAME}"
        )
    if problem is not None:
        raise EngineError(f"{path}: not used for the resident engine: {problem}")
    return path


def identity() -> dict[str, object]:
    """What must be equal in the engine and its caller for the engine to serve it: the
    version, a fingerprint of the package's files, the Python, its flags and the settings
    read when modules load (:data:`SETTINGS_PREFIXES`)."""
    return {
        "version": __version__,
        "sources": sources_fingerprint(),
        "python": sys.version,
        "executable": os.path.realpath(sys.executable),
        "flags": list(sys.flags),
        "warnings": list(sys.warnoptions),
        "path": sys.path[1:],  # [0] is the script's folder, or the engine's working folder
        "settings": settings(os.environ),
    }


def settings(env: os._Environ[str] | dict[str, str]) -> dict[str, str]:
    """The variables of ``env`` that modules read when they load (:data:`SETTINGS_PREFIXES`)."""
    return {
        name: value
        for name, value in sorted(env.items())
        if (name.startswith(SETTINGS_PREFIXES) or name in SETTINGS_NAMES)
        and name != "PYTHONPATH"  # compared as the module path it makes (``identity``)
    }


def sources_fingerprint(root: Path | None = None) -> str:
    """SHA-256 of every file of the installed channelsim package (or of the package folder
    ``root``): sources, shipped scenarios, defaults, with their paths. Any edit, install or
    upgrade changes it."""
    from channelsim.jit_cache import fingerprint_files

    root = root or Path(__file__).resolve().parent.parent
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        found += [Path(folder) / name for name in files if not name.endswith((".pyc", ".pyo"))]
    return fingerprint_files(sorted(found), root)


def differences(ours: dict[str, object], theirs: dict[str, object]) -> list[str]:
    """The entries of two :func:`identity` results that differ, in words."""
    words = {
        "version": "version",
        "sources": "channelsim's files",
        "python": "Python",
        "executable": "Python executable",
        "flags": "Python flags",
        "warnings": "warning options",
        "path": "module search path",
    }
    said = [words[key] for key in words if ours.get(key) != theirs.get(key)]
    mine, other = ours.get("settings") or {}, theirs.get("settings") or {}
    assert isinstance(mine, dict) and isinstance(other, dict)
    said += [name for name in sorted(set(mine) | set(other)) if mine.get(name) != other.get(name)]
    return said
