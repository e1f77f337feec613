"""The names of random streams and the day clock of every draw (:data:`EPOCH`), apart from
the draws themselves (``channelsim.rng``, compiled with Numba): what declaring, validating
and binding policies needs, without loading Numba (an ensemble's driver)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from channelsim.errors import ChannelsimError

EPOCH = dt.date(2018, 1, 1)
"""Day 0 of every draw's day key (and t = 0 of the tide and of every simulated clock)."""


class StreamCollisionError(ChannelsimError):
    """Two random decisions of one run would draw from the same stream."""


def stream_id(name: str) -> int:
    """The number of the stream called ``name``: the first 63 bits of its BLAKE2b hash (so
    it fits an int64 in kernels); stable across runs, machines and versions."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def check_streams(names: Iterable[str]) -> dict[str, int]:
    """``{name: stream_id(name)}``; raises :class:`StreamCollisionError` if a name is given
    twice or two names hash to one number (checked when a run starts)."""
    ids: dict[str, int] = {}
    owner: dict[int, str] = {}
    for name in names:
        if name in ids:
            raise StreamCollisionError(f"random stream {name!r} is declared twice")
        number = stream_id(name)
        if number in owner:
            raise StreamCollisionError(
                f"random streams {owner[number]!r} and {name!r} have the same number {number}"
            )
        ids[name], owner[number] = number, name
    return ids
