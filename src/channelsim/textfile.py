"""Reading the small text files a user hands channelsim (scenarios, claim files).

One reader, so that every such file is refused the same way, in one line, before it is read
whole: a folder, a device (``/dev/zero`` would be read forever), a file of the wrong kind or
a file far larger than any scenario or claim file could be. A named pipe is read, at most
:data:`MAX_TEXT_BYTES` of it.
"""

from __future__ import annotations

import stat
from pathlib import Path

from channelsim.errors import InputError

#: Largest file read (bytes). The largest packaged scenario is about 3 kB and the largest
#: example claim file about 20 kB; a thousand times that is still read in milliseconds.
MAX_TEXT_BYTES = 4 * 2**20


def read_text_file(path: Path, what: str, suffixes: tuple[str, ...] = ()) -> str:
    """The UTF-8 text of ``path``, a ``what`` ("scenario file", "claim file").

    A leading byte-order mark (as Windows Notepad writes) is dropped.

    Raises:
        InputError: naming ``path`` if it does not exist, is a folder, a device or a socket,
            has a suffix not in ``suffixes`` (when given, lower-case with the dot), is larger
            than :data:`MAX_TEXT_BYTES`, cannot be read or is not UTF-8.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(path, None, "file not found") from None
    except OSError as error:
        raise InputError(path, None, f"cannot read ({error.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, None, f"expected a {what}, got a folder")
    if suffixes and path.suffix.lower() not in suffixes:
        kinds = " or ".join([", ".join(suffixes[:-1]), suffixes[-1]] if suffixes[:-1] else suffixes)
        raise InputError(path, None, f"expected a {kinds} {what}")
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):  # a pipe: read bounded
        raise InputError(path, None, f"expected a {what} (a file), got a device or socket")
    if info.st_size > MAX_TEXT_BYTES:
        raise InputError(
            path,
            None,
            f"expected a {what} of at most {MAX_TEXT_BYTES // 2**20} MB, "
            f"got {info.st_size / 2**20:,.0f} MB",
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as error:
        raise InputError(path, None, f"cannot read ({error.strerror})") from None
    if len(data) > MAX_TEXT_BYTES:  # grew while being read
        raise InputError(path, None, f"expected a {what} of at most {MAX_TEXT_BYTES // 2**20} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, None, "expected a UTF-8 text file") from None
