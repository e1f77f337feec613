"""channelsim's Leeway drift (the step the engine uses) agrees with OpenDrift's on a small case."""

from __future__ import annotations

import importlib.util
import logging
import sys
from pathlib import Path

import pytest

pytest.importorskip("opendrift")
pytest.importorskip("xarray")

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "drift_vs_opendrift.py"


def test_agrees_with_opendrift_on_a_small_case() -> None:
    spec = importlib.util.spec_from_file_location("drift_vs_opendrift", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    logging.disable(logging.WARNING)
    try:
        c = module.compare(n=500, hours=3.0, dt_minutes=10.0, seed=3)
    finally:
        logging.disable(logging.NOTSET)
    # 500 elements: sampling error of each mean about 0.1 km, of each spread about 5 %.
    assert c.mean_distance_km < 0.5
    assert 0.8 < c.spread_ratio < 1.2
