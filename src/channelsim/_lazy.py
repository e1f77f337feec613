"""Names of a package imported from their modules on first use (PEP 562): a package whose
modules load heavy libraries (Numba) lists its names and where each lives, and importing it,
or one light module of it, loads none of the others."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: ``name`` read from its module
    ``modules[name]`` (relative to ``package``) when first asked for, then kept as the
    package's own attribute; any other name is an ``AttributeError``."""

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
