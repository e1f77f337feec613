"""The DuckDB store: provenance, idempotent and atomic imports, latest edition wins."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from channelsim.data import DataStore, read_publication
from channelsim.data.store import default_store_path
from channelsim.errors import StoreError
from spreadsheets import make_rows, write_publication


def _edition(tmp_path: Path, name: str, revise: int = 0, days: int = 28):
    """An edition named ``name`` whose first arrival day is revised up by ``revise`` people."""
    daily, weekly = make_rows(days=days)  # from 29 Apr 2024
    first = next(i for i, row in enumerate(daily) if row[1] > 0)
    daily[first][1] += revise
    for week in weekly:  # keep the weekly table the sum of the daily one
        if 0 <= (week[0] - daily[first][0]).days < 7:
            week[1] += revise
    return read_publication(write_publication(tmp_path / f"{name}.ods", daily, weekly)), first


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_records_provenance_and_reads_back(tmp_path: Path) -> None:
    pub, _ = _edition(tmp_path, "27_May_2024_x")
    store = DataStore(tmp_path / "s" / "store.duckdb")
    result = store.import_publication(pub)
    assert result.status == "imported"
    assert result.edition.rows == len(pub.daily) + len(pub.weekly)
    pd.testing.assert_frame_equal(store.daily(), pub.daily)
    pd.testing.assert_frame_equal(store.weekly(), pub.weekly)
    editions = store.editions()
    assert editions[["file_name", "sha256"]].values.tolist() == [[pub.file_name, pub.sha256]]
    assert store.latest_edition() == result.edition
    assert result.edition.edition_date == dt.date(2024, 5, 27)


def test_reimport_is_a_no_op(tmp_path: Path) -> None:
    pub, _ = _edition(tmp_path, "27_May_2024_x")
    store = DataStore(tmp_path / "store.duckdb")
    first = store.import_publication(pub)
    before = _digest(store.path)
    again = store.import_publication(read_publication(pub.source))
    assert again.status == "unchanged" and again.edition == first.edition
    assert _digest(store.path) == before
    assert len(store.editions()) == 1


def test_latest_edition_wins_whatever_the_import_order(tmp_path: Path) -> None:
    old, first = _edition(tmp_path, "27_May_2024_x")
    new, _ = _edition(tmp_path, "3_June_2024_x", revise=5, days=35)
    for order in ([old, new], [new, old]):
        store = DataStore(tmp_path / f"store-{order[0].edition_date}.duckdb")
        for pub in order:
            store.import_publication(pub)
        daily = store.daily()
        assert len(daily) == 35  # the union of both editions' dates
        assert daily["people"].iloc[first] == old.daily["people"].iloc[first] + 5
        assert store.latest_edition().edition_date == dt.date(2024, 6, 3)  # type: ignore[union-attr]
        pd.testing.assert_frame_equal(store.weekly(), new.weekly)


def test_reading_an_absent_store_fails_without_creating_it(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "none.duckdb")
    with pytest.raises(StoreError, match="no data store here"):
        store.daily()
    assert store.editions().empty and store.latest_edition() is None
    assert not store.path.exists()


def test_failed_transaction_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    pub, _ = _edition(tmp_path, "27_May_2024_x")
    store = DataStore(tmp_path / "store.duckdb")
    store.import_publication(pub)
    other, _ = _edition(tmp_path, "28_May_2024_x", revise=1)
    broken = type(other)(
        daily=other.daily.assign(date=other.daily["date"].iloc[0]),  # duplicate key: rejected
        weekly=other.weekly,
        edition_date=other.edition_date,
        source=other.source,
        sha256=other.sha256,
    )
    with pytest.raises(StoreError, match=r"Constraint Error.*the store is unchanged"):
        store.import_publication(broken)
    assert len(store.editions()) == 1
    pd.testing.assert_frame_equal(store.daily(), pub.daily)
    fresh = DataStore(tmp_path / "fresh" / "store.duckdb")
    with pytest.raises(StoreError, match="the store is unchanged"):
        fresh.import_publication(broken)
    assert not fresh.path.parent.exists()  # the folder it made is removed, being empty


def test_default_path_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANNELSIM_STORE", str(tmp_path / "env.duckdb"))
    assert DataStore().path == tmp_path / "env.duckdb"
    monkeypatch.delenv("CHANNELSIM_STORE")
    assert default_store_path().parts[-2:] == ("channelsim", "store.duckdb")


@pytest.mark.parametrize(
    ("raised", "stop"), [("Terminated", "Terminated"), ("KeyboardInterrupt", "")]
)
def test_a_stop_inside_duckdb_is_a_stop_not_a_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: str, stop: str
) -> None:
    """SIGTERM (or Ctrl-C) raised while DuckDB scans a pandas table comes back as a DuckDB
    error holding the stop's traceback: the import stops as stopped (143 or 130), the store
    unchanged, not as "cannot write the data store (Traceback ...)" with exit 2."""
    import duckdb

    import channelsim.data.store as store_module
    from channelsim.errors import Terminated

    pub, _ = _edition(tmp_path, "27_May_2024_x")
    store = DataStore(tmp_path / "store.duckdb")
    store.import_publication(pub)
    before = _digest(store.path)
    other, _ = _edition(tmp_path, "28_May_2024_x", revise=1)

    def stopped(*args: object) -> None:
        raise duckdb.InvalidInputException(
            f"Invalid Input Error: Traceback (most recent call last): ... {raised}: {stop}"
        )

    monkeypatch.setattr(store_module, "_insert_one", stopped)
    expected = Terminated if raised == "Terminated" else KeyboardInterrupt
    with pytest.raises(expected) as caught:
        store.import_publication(other)
    assert raised != "KeyboardInterrupt" or not isinstance(caught.value, Terminated)
    assert _digest(store.path) == before
