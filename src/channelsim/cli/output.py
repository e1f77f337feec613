"""One way to print results: a Rich table, CSV or JSON (JSON alone on stdout)."""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import re
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.text import Text

from channelsim.cli.tables import terminal_tables
from channelsim.fields import Fields
from channelsim.formatting import csv_headings, inert, quoted_rows


class _WholeStdout:
    """Standard output as the console writes to it: each write whole, or an :class:`OSError`
    (:func:`write_stdout`). Through Python's buffered stream, a table cut short by a
    file-size limit (``ulimit -f 2``: its first 2,048 bytes kept) ended the command with exit
    0 and no word. The stream is looked up at each call, so a test's captured output works."""

    def write(self, text: str) -> int:
        write_stdout(text)
        return len(text)

    def flush(self) -> None:
        if sys.stdout is not None:
            sys.stdout.flush()

    def isatty(self) -> bool:
        return sys.stdout is not None and sys.stdout.isatty()

    def fileno(self) -> int:
        if sys.stdout is None:
            raise OSError(errno.EBADF, "it is closed", STANDARD_OUTPUT)
        return sys.stdout.fileno()

    @property
    def encoding(self) -> str:
        return getattr(sys.stdout, "encoding", None) or "utf-8"


# Markup off: every string printed may hold user text (file names, scenario names, messages),
# and a "[/]" or "[v2]" in it must print as it is, not be read as Rich markup.
console = Console(file=_WholeStdout(), markup=False, highlight=False)  # type: ignore[arg-type]
err_console = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def one_line(text: object) -> str:
    """``text`` on one line: any line break (from a library's message, say) becomes a space,
    and any other control character (an escape sequence in a user's key, say) is shown
    escaped (``\\x1b``) rather than sent to the terminal."""
    return "".join(_visible(c) for c in " ".join(str(text).split()))


def _visible(char: str) -> str:
    return char.encode("unicode_escape").decode("ascii") if _is_control(char) else char


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0


def with_notes(text: object, error: object) -> str:
    """``text`` and the notes of the exception ``error`` (where it happened, what it left
    behind, how to resume), after semicolons, on one line; a resume hint is the whole
    command (:func:`resume_command`)."""
    notes = getattr(error, "__notes__", None) or []
    joined = "; ".join([str(text), *map(str, notes)])
    return one_line(_RESUME_HINT.sub(lambda m: f"`{resume_command(m.group(1))}`", joined))


#: How the ensemble and the stopping notes say how to resume a run (``--resume RUN_ID``).
_RESUME_HINT = re.compile(r"(?<=resume it with )--resume ([^\s;]+)")


def resume_command(run_id: str, argv: Sequence[str] | None = None) -> str:
    """The command line that resumes run ``run_id``: the one given (``argv``, by default
    this process's), its ``--resume`` set to the run. ``--resume ID`` alone was refused
    ("expected --runs N"; then "another configuration: seed 11 (now 2025)"): a resume needs
    the ensemble's own options (s11 re-trial R3)."""
    from channelsim._startup import resume_command_line

    return resume_command_line(list(sys.argv[1:] if argv is None else argv), run_id)


def print_error(message: object) -> None:
    """``error: MESSAGE`` on stderr, on one line, the message printed literally, then an
    exception's notes."""
    err_console.print(Text.assemble(("error:", "bold red"), " ", with_notes(message, message)))


def print_warning(message: object) -> None:
    """``warning: MESSAGE`` on stderr, on one line (a :class:`ChannelsimWarning`'s text)."""
    err_console.print(Text.assemble(("warning:", "bold yellow"), " ", one_line(message)))


def print_stopped(why: str, interrupt: BaseException | None) -> None:
    """The one line of a Ctrl-C or SIGTERM: ``why``, then what the interruption's notes say
    it left behind (:func:`channelsim.interrupts.noted`)."""
    err_console.print(Text(with_notes(why, interrupt)))


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _jsonable(value: Any) -> Any:
    """Turn NumPy/pandas scalars and NaN into plain JSON values (NaN becomes null)."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


STANDARD_OUTPUT = "standard output"
"""What a refused write to stdout names as its file, in the command's one line."""


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output whole, or raise :class:`OSError`.

    Python's buffered standard output loses the rest of a write the system cut short, with
    no error: under a file-size limit (``ulimit -f``) a redirected ``--format json`` kept its
    first 4,096 bytes and the command exited 0. Written through the file descriptor until
    every byte is taken, the system's refusal (``EFBIG``, ``ENOSPC``, ``EPIPE``) is raised,
    and the command line turns it into one line and exit 2. A standard output without a
    descriptor (captured by a test) is written to as a stream; a closed one (``>&-``) raises
    ``EBADF``.
    """
    stream = sys.stdout
    if stream is None:
        raise OSError(errno.EBADF, "it is closed", STANDARD_OUTPUT)
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):  # no descriptor: a captured stream
        stream.write(text)
        return
    try:
        stream.flush()
        data = memoryview(text.encode(stream.encoding or "utf-8", stream.errors or "strict"))
        while data:
            data = data[os.write(descriptor, data) :]
    except OSError as error:  # named, so that its one line says which output was refused
        if error.filename is not None:
            raise
        raise OSError(error.errno, error.strerror, STANDARD_OUTPUT) from None


def print_json(payload: Any) -> None:
    """Write ``payload`` as JSON to stdout and nothing else (:func:`write_stdout`)."""
    write_stdout(json.dumps(_jsonable(payload), indent=2, ensure_ascii=False) + "\n")


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    fmt: OutputFormat,
    title: str | None = None,
    json_payload: Any | None = None,
    *,
    sources: Sequence[Fields | None] = (),
    headline: str | None = None,
    credit: str | None = None,
    row_keys: Sequence[str] = (),
) -> None:
    """Print a list of rows as a table, CSV or JSON.

    ``json_payload`` replaces the rows in JSON output when the JSON has a richer shape.
    In a table, headings and figures read as their labels with units (``sources``: the run's
    results registry, the official series' fields; :func:`channelsim.fields.describe`), and
    the ``headline`` (what the figures say, in words) comes first. In CSV, columns are headed
    by their labels and units (:func:`channelsim.formatting.csv_headings`), a row's figure has
    its label and unit beside it, counts are quoted as whole numbers and ``credit`` fills a
    ``source`` column (:func:`channelsim.formatting.quoted_rows`). A table too wide for the
    terminal continues below, repeating its leading ``row_keys`` columns (those naming a row;
    the first column by default).
    """
    if fmt is OutputFormat.json:
        print_json(json_payload if json_payload is not None else list(rows))
        return
    if fmt is OutputFormat.csv:
        rows = quoted_rows(rows, sources, credit)
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    if "source" in columns:  # the credit last, whatever columns later rows add
        columns.append(columns.pop(columns.index("source")))
    if fmt is OutputFormat.csv:
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
        writer.writer.writerow(csv_headings(columns, sources))
        for row in rows:
            writer.writerow({k: inert(_jsonable(row.get(k))) for k in columns})
        write_stdout(text.getvalue())
        return
    if headline:
        console.print(Text(headline, style="bold"))
        console.print()
    for part in terminal_tables(rows, columns, title, console.width, sources, row_keys):
        console.print(part)


def credited(
    rows: Sequence[Mapping[str, Any]], fmt: OutputFormat, credits: str | Sequence[str] | None
) -> list[dict[str, Any]]:
    """CSV and JSON rows carry the credit of the data they rest on in a last ``source``
    column (one credit for all rows, or one per row): a spreadsheet opens the file cleanly (no
    comment line to skip) and the credit stays with any row copied out. A table prints the
    credits once, after the table (:func:`print_credits`)."""
    if credits is None or fmt is OutputFormat.table:
        return [dict(row) for row in rows]
    each = [credits] * len(rows) if isinstance(credits, str) else list(credits)
    return [{**row, "source": credit} for row, credit in zip(rows, each, strict=True)]


def print_credits(credits: str | Sequence[str] | None) -> None:
    """Each distinct credit on its own line after a table, on stdout (``> file`` keeps it with
    the table), wrapped to the terminal."""
    each = [credits] if isinstance(credits, str) else list(credits or ())
    for credit in dict.fromkeys(each):
        console.print(credit, markup=False, highlight=False)
