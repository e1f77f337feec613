"""channelsim: the small-boat crossing system of the English Channel, simulated and measured."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("channelsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
