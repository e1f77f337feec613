"""Errors that reach the user as one line and a non-zero exit.

Every problem with an input names where it is (file, sheet, row, column or key) and what was
expected, so that the user can fix it without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path


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


class StoreError(ChannelsimError):
    """The results or data store is missing, locked or inconsistent."""


class ClusterError(ChannelsimError):
    """A Dask scheduler could not be reached or failed."""
