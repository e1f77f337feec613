"""The version of channelsim: the one source (pyproject.toml reads it at build time)."""

__version__ = "0.1.0"
