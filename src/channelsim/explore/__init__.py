"""The scenario explorer: a local web page on the library (``channelsim explore``).

- :mod:`~channelsim.explore.controls`: controls generated from the parameter and policy
  definitions;
- :mod:`~channelsim.explore.settings`: what the page asks, as a scenario file, a link and
  validated scenarios;
- :mod:`~channelsim.explore.jobs`: comparisons in a background thread with progress,
  cancel and a cache;
- :mod:`~channelsim.explore.answer`: the headline in words, the charts and "what decides";
- :mod:`~channelsim.explore.claim_form`: the claims checker's form, from the claims models;
- :mod:`~channelsim.explore.app`: the Dash page and :func:`serve`.

The names below are imported when first used: a worker process that loads the engine through
:mod:`~channelsim.explore.jobs` does not import Dash and Plotly with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channelsim.explore.app import ExploreConfig, make_app, serve
    from channelsim.explore.jobs import Answer, Explorer, compute
    from channelsim.explore.settings import Settings

_WHERE = {
    "ExploreConfig": "app",
    "make_app": "app",
    "serve": "app",
    "Answer": "jobs",
    "Explorer": "jobs",
    "compute": "jobs",
    "Settings": "settings",
}

__all__ = ["Answer", "ExploreConfig", "Explorer", "Settings", "compute", "make_app", "serve"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
