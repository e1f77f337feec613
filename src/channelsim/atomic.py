"""Atomic writes: a reader sees the old output or the new one, never a half-written one.

Every result folder or file is written beside its target under a temporary name and then
renamed into place (``os.replace`` is atomic within one file system).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic_dir(target: str | Path, write: Callable[[Path], None]) -> Path:
    """Fill a temporary folder beside ``target`` with ``write(folder)``, then rename it into place.

    An existing ``target`` is replaced whole; if ``write`` fails (or is interrupted) the
    temporary folder is removed and ``target`` is left as it was.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
        write(tmp)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def write_atomic_bytes(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.chmod(0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_atomic_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` atomically (see ``write_atomic_bytes``)."""
    return write_atomic_bytes(target, text.encode("utf-8"))
