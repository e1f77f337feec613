"""channelsim: the small-boat crossing system of the English Channel, simulated and measured.

Importing the package is cheap; the engine is ``channelsim.engine`` (``Sim``, ``Policy``...),
the experiments ``channelsim.experiments``.
"""

from channelsim._startup import (
    hold_stops_while_the_command_loads,
    serve_through_resident_engine,
    start_ensemble_pool_early,
)
from channelsim._version import __version__

hold_stops_while_the_command_loads()  # the command line's one line, even while it loads
serve_through_resident_engine()  # `channelsim run` answered by a resident engine, if any
start_ensemble_pool_early()  # `channelsim run --runs N`: its pool loads the engine meanwhile

__all__ = ["__version__"]
