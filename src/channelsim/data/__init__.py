"""The Home Office small-boats publication: reading and validating it, the local store of
its editions, download and summaries.

Names are imported from their modules on first use (:func:`channelsim._lazy.lazy_names`):
whether the store holds an edition is asked without loading pandas, which reading a
publication or summing it needs (``run --runs N`` asks it of a store that is empty, and
then needs no pandas at all)."""

from typing import TYPE_CHECKING

from channelsim._lazy import lazy_names

if TYPE_CHECKING:
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

__getattr__ = lazy_names(
    __name__,
    {
        "DataStore": "store",
        "Edition": "store",
        "ImportResult": "store",
        "Publication": "publication",
        "default_store_path": "store",
        "read_publication": "publication",
        "summarise": "summary",
    },
)
