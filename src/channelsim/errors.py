"""Errors that reach the user as one line and a non-zero exit.

Every problem with an input names where it is (file, sheet, row, column or key) and what was
expected, so that the user can fix it without reading a traceback.
"""

from __future__ import annotations

import calendar
import datetime as dt
import errno
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: What a file of lists or tables nested past the parser's recursion is told (JSON, TOML and
#: YAML parsers recurse once per level: 1,000 brackets, 2 kB, were a 3,000-line traceback).
NESTED_TOO_DEEP = "expected lists or tables of ordinary depth, got some nested too deeply to read"


class ChannelsimError(Exception):
    """Base class for errors reported to the user as a single line."""

    exit_code = 2


class InputError(ChannelsimError):
    """A file or option the user gave is malformed, out of range or of the wrong kind.

    ``where`` is a free-form location such as ``"sheet SB_01, row 17, column 'Migrants arrived'"``
    or ``"key launch.max_wind_kn"``.
    """

    def __init__(self, source: str | Path | None, where: str | None, expected: str) -> None:
        self.source = str(source) if source is not None else None
        self.where = where
        self.expected = expected
        parts = [p for p in (self.source, self.where) if p]
        super().__init__(": ".join([*parts, expected]) if parts else expected)

    def __reduce__(self) -> tuple[type[InputError], tuple[str | None, str | None, str]]:
        """Rebuild from the three fields, so the error survives a trip from a worker process."""
        return (type(self), (self.source, self.where, self.expected))


class PolicyError(InputError):
    """A policy's own code (a plug-in's hook, ``init`` or ``effects``) failed, or gave a lever,
    result or cost that is not a finite number: one line naming the policy and the day."""


class StoreError(ChannelsimError):
    """The results or data store is missing, locked or inconsistent."""


class ClusterError(ChannelsimError):
    """A Dask scheduler could not be reached or failed."""


class ChannelsimWarning(UserWarning):
    """Something the user should know about an input that is not an error (the command goes
    on): the command line prints it as one line, ``warning: ...``, on stderr."""

    def __init__(self, source: str | Path | None, where: str | None, text: str) -> None:
        parts = [str(p) for p in (source, where) if p]
        super().__init__(": ".join([*parts, text]))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread by the command line's handler so that it stops a run
    exactly as Ctrl-C does: pending work cancelled, the run marked interrupted, no partial
    output. The command then exits with 143 (128 + SIGTERM) instead of Ctrl-C's 130."""

    exit_code = 143
    signal_name = "SIGTERM"


class HungUp(Terminated):
    """SIGHUP (the terminal closed, an ssh session dropped): stops a run as SIGTERM does, and
    the command exits with 129 (128 + SIGHUP). Python's default was to die at once, leaving
    the run marked running and no line said."""

    exit_code = 129
    signal_name = "SIGHUP"


_OS_ERROR_HINTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EFBIG: "the file is larger than allowed (a file-size limit, ulimit -f?)",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOENT: "no such file or folder",
}


def os_error_text(error: OSError, path: str | Path | None = None) -> str:
    """An environment fault in one line: the path it concerns and what went wrong."""
    where = path if path is not None else error.filename
    what = _OS_ERROR_HINTS.get(error.errno or 0) or error.strerror or str(error)
    what = what or type(error).__name__
    return f"{where}: {what}" if where else str(what)


def parse_day(text: str, where: str | None, source: str | Path | None = None) -> dt.date:
    """``YYYY-MM-DD`` text as a date. Anything else is an :class:`InputError` naming ``where``
    (an option or key): ``--from: expected a date YYYY-MM-DD, got '2025-13-01' (there is no
    month 13)``, the reason given when the text has the form but not a real day."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # Python also reads 20250101,
            raise ValueError  # 2025-W01-1, 2025-001: not what a reader means or writes
        return dt.date.fromisoformat(text)
    except ValueError:
        expected = f"expected a date YYYY-MM-DD, got {text!r}{why_not_a_day(text)}"
        raise InputError(source, where, expected) from None


def why_not_a_day(text: object) -> str:
    """Why ``YYYY-MM-DD`` (or ``YYYY-MM``) text is no day, as `` (February 2025 has 28
    days)``; an empty string when it has another form (the form is then the reason)."""
    found = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(text).strip())
    if found is None:
        return ""
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        return f" (there is no month {month})"
    last = calendar.monthrange(year, month)[1]
    if found[3] is not None and not 1 <= int(found[3]) <= last:
        return f" ({calendar.month_name[month]} {year} has {last} days)"
    return ""


#: A network fault's words, by what its exception says (the HTTP client's own text is the
#: resolver's or the socket's: "[Errno -2] Name or service not known").
_NETWORK_FAULTS = (
    (("Name or service not known", "name resolution", "nodename nor servname",
      "No address associated", "getaddrinfo"),
     "its name could not be looked up: no network, or no name server"),
    (("Connection refused",), "the connection was refused"),
    (("Network is unreachable", "No route to host"), "the network is unreachable"),
)  # fmt: skip


def unreachable(url: str, error: Exception, offline: str) -> InputError:
    """A download that could not reach its server, in one line: the host, why (in words,
    not the resolver's text), what was tried, and ``offline``: what works without it."""
    host = urlsplit(url).hostname or url
    text = " ".join(str(error).split())
    kind = type(error).__name__
    why = next((words for said, words in _NETWORK_FAULTS if any(s in text for s in said)), None)
    if why is None:
        why = "no answer in time" if "Timeout" in kind else f"{kind}: {text or kind}"
    return InputError(None, None, f"cannot reach {host} ({why}); tried {url}; {offline}")


def yaml_day(loader: Any, node: Any) -> Any:
    """A YAML loader's constructor of unquoted dates (``start: 2025-06-01``): PyYAML's own, but
    a day that does not exist (``2025-13-01``) is a YAML error at its line saying why, where
    PyYAML raised a bare ValueError ("month must be in 1..12"): a traceback."""
    import yaml

    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        expected = f"expected a date YYYY-MM-DD, got {node.value!r}{why_not_a_day(node.value)}"
        raise yaml.constructor.ConstructorError(None, None, expected, node.start_mark) from None
