"""Preloaded by the fork server of a gated test driver (``test_driver_signals``), before the
engine: the server says it is loading (``paused`` in ``$CHANNELSIM_TEST_GATE``), then waits
until the test creates ``open`` there. While it waits, the driver has started everything but
its workers, which the server forks only once it has loaded."""

from __future__ import annotations

import os
import time
from pathlib import Path

_gate = Path(os.environ["CHANNELSIM_TEST_GATE"])
(_gate / "paused").touch()
while not (_gate / "open").exists():
    time.sleep(0.01)
