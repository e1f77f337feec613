"""The Home Office small-boats publication: reading and validating it, the local store of
its editions, download and summaries."""

from channelsim.data.publication import Publication, read_publication
from channelsim.data.store import DataStore, Edition, ImportResult, default_store_path
from channelsim.data.summary import summarise

__all__ = [
    "DataStore",
    "Edition",
    "ImportResult",
    "Publication",
    "default_store_path",
    "read_publication",
    "summarise",
]
