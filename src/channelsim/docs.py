"""The tables of docs/model.md that are generated from the code.

``python -m channelsim.docs`` rewrites, in place, every block between
``<!-- generated: NAME -->`` and ``<!-- end generated: NAME -->`` in docs/model.md:
``loop`` (the stages of a day, their levers and results), ``results`` (every result the
stages and the built-in policies declare) and ``parameters`` (every parameter, with the
values runs use). A test fails when the file and the code disagree.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path


def loop_table() -> str:
    """The day's stages in order, with their levers and results."""
    from channelsim.engine import Loop

    lines = [
        "| # | stage | what happens | levers (moved by policies' effects) | results |",
        "|---|---|---|---|---|",
    ]
    for row in Loop().to_rows():
        levers = ", ".join(f"`{lever}`" for lever in row["levers"]) or "–"
        results = ", ".join(f"`{name}`" for name in row["results"]) or "–"
        lines.append(
            f"| {row['position'] + 1} | {row['stage']} | {row['description']} | {levers} | "
            f"{results} |"
        )
    return "\n".join(lines) + "\n"


def results_table() -> str:
    """Every declared result: the engine's stages', then the built-in policies'."""
    from channelsim.engine import all_results

    return all_results().markdown_table()


def parameter_tables() -> str:
    """Every parameter with the value runs use (``default_params()``), and the code's value
    where the calibrated set differs from it."""
    from channelsim.params import Params, default_params, markdown_table

    return markdown_table(default_params(), Params())


SECTIONS: dict[str, Callable[[], str]] = {
    "loop": loop_table,
    "results": results_table,
    "parameters": parameter_tables,
}

MODEL_MD = Path(__file__).resolve().parents[2] / "docs" / "model.md"


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, make in SECTIONS.items():
        pattern = re.compile(
            rf"(<!-- generated: {name} -->\n)(.*?)(<!-- end generated: {name} -->)", re.S
        )
        if not pattern.search(text):
            raise ValueError(f"docs/model.md has no block for {name!r}")
        block = pattern.search(text)
        assert block is not None
        text = text[: block.start(2)] + "\n" + make() + "\n" + text[block.end(2) :]
    return text


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else MODEL_MD
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
