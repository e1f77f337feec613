"""``--help`` written for the terminal: plain metavars (``N``, ``PATH``, ``table|csv|json``;
none for a flag) instead of ``<int>``/``<bool>``/``<list[Path]>``, and each help paragraph
as one flowing text that the terminal wraps, never broken where the source line ended.

Applied once to the assembled command tree (:func:`tidy`), so a command module declares its
options as usual and gets the same presentation.
"""

from __future__ import annotations

import enum
import pathlib
import re
import typing
from typing import Any


def paragraphs(text: str | None) -> str | None:
    """``text`` with the line breaks inside each paragraph joined (blank lines, bullet lines
    and ``\\b`` blocks kept)."""
    if not text:
        return text
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines()]
        if block.lstrip().startswith("\b") or any(line.startswith(("- ", "* ")) for line in lines):
            out.append("\n".join(lines))
        else:
            out.append(" ".join(lines))
    return "\n\n".join(out)


def metavar(param: Any) -> str:
    """The metavar of an option or argument, from its type and name."""
    if getattr(param, "is_flag", False):
        return ""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "|".join(str(member.value) for member in annotation)
    if param.param_type_name == "argument":
        return str(param.name).upper()
    if annotation is int:
        return "N"
    if isinstance(annotation, type) and issubclass(annotation, pathlib.PurePath):
        return "PATH"
    long = [o for o in param.opts if o.startswith("--")] or param.opts
    return long[0].lstrip("-").upper()


def _plain_argument(param: Any) -> None:
    """An argument shows as ``NAME`` (``NAME...`` if repeated, ``[NAME]`` if optional) in the
    usage line, and without a type next to its name."""
    usage = param.metavar + ("..." if param.nargs != 1 else "")
    param._usage_display_name = lambda: usage if param.required else f"[{usage}]"
    param._rich_display_name = lambda: usage
    param.display_type_rich = lambda ctx: ""


def tidy(command: Any) -> Any:
    """Give every parameter of ``command`` and its subcommands a plain metavar (unless one
    was declared) and every help text flowing paragraphs; return ``command``."""
    command.help = paragraphs(command.help)
    command.short_help = paragraphs(command.short_help)
    for param in command.params:
        if param.metavar is None or getattr(param, "is_flag", False):
            param.metavar = metavar(param)
        if getattr(param, "help", None):
            param.help = paragraphs(param.help)
        if param.param_type_name == "argument":
            _plain_argument(param)
    original = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        tidy(sub)
    return command
