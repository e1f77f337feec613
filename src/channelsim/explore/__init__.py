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
"""

from __future__ import annotations

from channelsim.explore.app import ExploreConfig, make_app, serve
from channelsim.explore.jobs import Answer, Explorer, compute
from channelsim.explore.settings import Settings

__all__ = ["Answer", "ExploreConfig", "Explorer", "Settings", "compute", "make_app", "serve"]
