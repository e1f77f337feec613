"""Reading the files a user hands channelsim (scenarios, claim files, weather files).

One reader, so that every such file is refused the same way, in one line, before it is read
whole: a folder, a device (``/dev/zero`` would be read forever), a file of the wrong kind or
a file far larger than any scenario or claim file could be. A named pipe is read, at most
:data:`MAX_TEXT_BYTES` of it.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

from channelsim.errors import InputError

#: Largest scenario or claim file read (bytes). The largest packaged scenario is about 3 kB
#: and the largest example claim file about 20 kB; a thousand times that is still read in
#: milliseconds.
MAX_TEXT_BYTES = 4 * 2**20

#: Largest weather CSV or Open-Meteo file read (bytes): hourly rows of a century are about
#: 60 MB (ten years of hourly ERA5-like rows at six columns, about 6 MB).
MAX_WEATHER_BYTES = 64 * 2**20


def kind_of(path: Path) -> str:
    """What is at ``path``, in words for a message: "nothing", "a folder", "a named pipe",
    "a device or socket" or "a file"."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "nothing"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "a file" if stat.S_ISREG(mode) else "a device or socket"


def check_input_file(
    path: Path, what: str, suffixes: tuple[str, ...] = (), *, pipe: bool = True
) -> os.stat_result:
    """The ``stat`` of ``path`` once it is known to be a ``what`` channelsim may open: it
    exists, is a regular file (or, if ``pipe``, a named pipe, which is then read bounded),
    and has one of ``suffixes`` (when given, lower-case with the dot).

    Raises:
        InputError: naming ``path`` and what was found instead.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(path, None, "file not found") from None
    except OSError as error:
        raise InputError(path, None, f"cannot read ({error.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, None, f"expected {article(what)} {what}, got a folder")
    if suffixes and path.suffix.lower() not in suffixes:
        kinds = " or ".join([", ".join(suffixes[:-1]), suffixes[-1]] if suffixes[:-1] else suffixes)
        raise InputError(path, None, f"expected a {kinds} {what}")
    if not (stat.S_ISREG(info.st_mode) or (pipe and stat.S_ISFIFO(info.st_mode))):
        raise InputError(
            path, None, f"expected {article(what)} {what} (a file), got {kind_of(path)}"
        )
    return info


def size_words(n_bytes: int) -> str:
    """A file size as a limit or a refusal says it: "4 MB", "256 kB" (1 kB = 1,024 bytes)."""
    if n_bytes >= 2**20:
        return f"{n_bytes / 2**20:,.0f} MB"
    return f"{n_bytes / 2**10:,.0f} kB"


def article(noun: str) -> str:
    """ "an" before a vowel ("an Open-Meteo CSV or JSON file"), else "a"."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


def read_text_file(
    path: Path,
    what: str,
    suffixes: tuple[str, ...] = (),
    max_bytes: int = MAX_TEXT_BYTES,
    *,
    pipe: bool = True,
) -> str:
    """The UTF-8 text of ``path``, a ``what`` ("scenario file", "claim file").

    A leading byte-order mark (as Windows Notepad writes) is dropped. A named pipe is read
    (``channelsim run <(...)``) unless ``pipe`` is False: a file a scenario names (weather)
    must be a regular file, as a pipe nobody writes to would be waited on for ever.

    Raises:
        InputError: naming ``path`` if it does not exist, is a folder, a device or a socket
            (or a pipe, without ``pipe``), has a suffix not in ``suffixes`` (when given,
            lower-case with the dot), is larger than ``max_bytes`` (default
            :data:`MAX_TEXT_BYTES`), cannot be read or is not UTF-8.
    """
    info = check_input_file(path, what, suffixes, pipe=pipe)
    too_big = f"expected {article(what)} {what} of at most {size_words(max_bytes)}"
    if info.st_size > max_bytes:
        raise InputError(path, None, f"{too_big}, got {size_words(info.st_size)}")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise InputError(path, None, f"cannot read ({error.strerror})") from None
    if len(data) > max_bytes:  # grew while being read, or a pipe
        raise InputError(path, None, too_big)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, None, "expected a UTF-8 text file") from None


#: Unicode's explicit direction controls (embeddings, overrides, isolates): in a name shown in
#: the terminal or a report they reorder the text after them, so "abc" can display as "cba".
_BIDI_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
#: The direction marks (left-to-right, right-to-left, Arabic letter mark): invisible format
#: characters (Unicode category Cf) that turn the direction of neutral text around them.
_MARKS = frozenset("\u200e\u200f\u061c")
#: The zero-width non-joiner and joiner, the only format characters (Cf) text may hold: Persian,
#: Indic scripts and emoji sequences need them. Every other one (direction marks, zero-width
#: space, word joiner, soft hyphen...) is invisible and makes two equal-looking names differ.
_JOINERS = frozenset("\u200c\u200d")


def printable(text: str) -> str:
    """``text`` if it has no control character (but newline and tab), no direction control
    and no other invisible format character (Unicode category Cf: direction marks such as
    U+200F, zero-width spaces...; the joiners U+200C and U+200D are kept): names and quotes
    go into file headings, workbooks, reports and the terminal, where an escape sequence or a
    bell would do harm, U+202E would show the text after it reversed, and U+200F would move
    the punctuation around it.

    Raises:
        ValueError: naming the first such character.
    """
    bad = [c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t"]
    if bad:
        raise ValueError(f"expected printable text, got the control character {bad[0]!r}")
    turned = [c for c in text if unicodedata.bidirectional(c) in _BIDI_CONTROLS]
    if turned:
        raise ValueError(
            f"expected text without direction controls, got U+{ord(turned[0]):04X} "
            f"({unicodedata.name(turned[0])}), which reverses the text shown after it"
        )
    hidden = [c for c in text if unicodedata.category(c) == "Cf" and c not in _JOINERS]
    if hidden:
        c = hidden[0]
        name = unicodedata.name(c, "unnamed")
        does = "changes the direction of the text around it" if c in _MARKS else "is invisible"
        raise ValueError(
            f"expected text without invisible format characters, got U+{ord(c):04X} ({name}), "
            f"which {does}"
        )
    return text


def too_many_digits(error: ValueError, text: str) -> tuple[int | None, str]:
    """Where and what, for a whole number in ``text`` longer than Python reads from text
    (:func:`sys.get_int_max_str_digits`, 4,300 digits): the TOML and YAML readers raise a
    bare ``ValueError`` for it (a 60-line traceback; s14 breaker B1). The line of the first
    such number (None if not found) and ``expected a number of at most 4,300 digits, got
    one of 5,001 digits``.

    Raises:
        ValueError: ``error`` itself when it is about something else.
    """
    import re
    import sys

    if "integer string conversion" not in str(error):
        raise error
    limit = sys.get_int_max_str_digits()
    found = re.search(rf"\d{{{limit + 1},}}", text)
    if found is None:
        return None, f"expected numbers of at most {limit:,} digits, got a longer one"
    line = text.count("\n", 0, found.start()) + 1
    return line, f"expected a number of at most {limit:,} digits, got one of {len(found[0]):,}"
