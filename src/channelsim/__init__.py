"""channelsim: the small-boat crossing system of the English Channel, simulated and measured.

Importing the package is cheap; the engine is ``channelsim.engine`` (``Sim``, ``Policy``...),
the experiments ``channelsim.experiments``.
"""

from channelsim._version import __version__

__all__ = ["__version__"]
