"""Charts saved as images (PNG or SVG) with their title and credit, by Plotly's static export
(Kaleido, which drives the machine's Chrome or Chromium: no browser is downloaded).

The images go in one folder, written like every output folder (a new folder, or one channelsim
wrote, with ``--force``), named ``NN-title.png``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from channelsim.errors import InputError
from channelsim.outputs import OutputTarget, write_output_folder

WIDTH_PX = 1100
FORMATS = ("png", "svg")


def image_name(index: int, fig: go.Figure, fmt: str) -> str:
    """``01-arrivals-per-month-1-jun-2025-31-aug-2025.png`` from the chart's title."""
    title = str(fig.layout.title.text or "chart")
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].rstrip("-")
    return f"{index:02d}-{slug or 'chart'}.{fmt}"


def save_images(figures: Sequence[go.Figure], target: OutputTarget, fmt: str) -> list[Path]:
    """Write every figure to the folder ``target`` as ``fmt`` (``png`` at twice the pixels,
    or ``svg``); raise a one-line :class:`InputError` when no browser can draw them."""
    if fmt not in FORMATS:
        raise target.refuse(f"expected an image format among {', '.join(FORMATS)}")
    names = [image_name(i, fig, fmt) for i, fig in enumerate(figures, start=1)]

    def fill(folder: Path) -> None:
        import plotly.io as pio

        heights = [int(fig.layout.height or 500) for fig in figures]
        try:
            pio.write_images(
                list(figures),
                [folder / name for name in names],
                format=fmt,
                width=WIDTH_PX,
                height=heights,
                scale=2 if fmt == "png" else 1,
            )
        except (RuntimeError, ValueError, OSError) as error:
            if isinstance(error, OSError) and not _browser_missing(error):
                raise
            raise InputError(
                None,
                "--images",
                "saving charts needs Chrome or Chromium (on Debian: apt-get install chromium); "
                f"the HTML report's camera button saves a PNG too ({_first_line(error)})",
            ) from None

    folder = write_output_folder(target, fill, kind="images")
    return [folder / name for name in names]


def _browser_missing(error: BaseException) -> bool:
    return "chrom" in str(error).lower() or "browser" in str(error).lower()


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:120] if text else type(error).__name__
