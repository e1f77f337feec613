"""The data store: every imported edition of the publication, with provenance, in one
embedded DuckDB file.

Tables ``editions`` (one row per imported file: id, file name, sha256, edition date, when it
was imported, rows), ``daily`` and ``weekly`` (the tables of every edition, keyed by
``edition_id``). Editions revise earlier figures, so the views ``daily_latest`` and
``weekly_latest`` take each date from the edition with the latest edition date (on a tie, the
one imported last).

The store is at ``--store PATH`` if given, else ``$CHANNELSIM_STORE``, else
``<user data dir>/channelsim/store.duckdb`` (platformdirs). Importing is atomic: the
publication is validated completely before the store is opened, the file is only created
once there is something valid to write, and all rows of an edition go in one transaction.
Importing a file whose sha256 is already stored changes nothing (the store is only read).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd
import platformdirs

from channelsim.data.publication import (
    DAILY_COLUMNS,
    DAILY_SHEET,
    WEEKLY_COLUMNS,
    WEEKLY_SHEET,
    Publication,
    column_dtypes,
)
from channelsim.errors import StoreError

STORE_ENV = "CHANNELSIM_STORE"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS editions (
    edition_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL UNIQUE,
    edition_date DATE NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    rows INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS daily (
    edition_id INTEGER NOT NULL REFERENCES editions (edition_id),
    date DATE NOT NULL,
    people INTEGER NOT NULL,
    boats INTEGER NOT NULL,
    uncontrolled_boats INTEGER,
    notes VARCHAR,
    PRIMARY KEY (edition_id, date)
);
CREATE TABLE IF NOT EXISTS weekly (
    edition_id INTEGER NOT NULL REFERENCES editions (edition_id),
    week_ending DATE NOT NULL,
    people INTEGER NOT NULL,
    boats INTEGER NOT NULL,
    uncontrolled_boats INTEGER,
    prevented_people INTEGER,
    prevented_events INTEGER,
    notes VARCHAR,
    PRIMARY KEY (edition_id, week_ending)
);
CREATE OR REPLACE VIEW daily_latest AS
    SELECT t.* FROM daily t JOIN editions e USING (edition_id)
    QUALIFY row_number() OVER (
        PARTITION BY t.date ORDER BY e.edition_date DESC, e.edition_id DESC) = 1;
CREATE OR REPLACE VIEW weekly_latest AS
    SELECT t.* FROM weekly t JOIN editions e USING (edition_id)
    QUALIFY row_number() OVER (
        PARTITION BY t.week_ending ORDER BY e.edition_date DESC, e.edition_id DESC) = 1;
"""

_EDITION_COLUMNS = ("edition_id", "file_name", "sha256", "edition_date", "imported_at", "rows")


def default_store_path() -> Path:
    """``$CHANNELSIM_STORE`` if set, else ``store.duckdb`` in the user's data directory."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("channelsim", appauthor=False)) / "store.duckdb"


@dataclass(frozen=True)
class Edition:
    """One imported edition, as recorded in the ``editions`` table."""

    edition_id: int
    file_name: str
    sha256: str
    edition_date: dt.date
    imported_at: dt.datetime
    rows: int


@dataclass(frozen=True)
class ImportResult:
    """What importing one publication did: ``imported`` it, or nothing (``unchanged``)."""

    status: Literal["imported", "unchanged"]
    edition: Edition

    def as_row(self) -> dict[str, Any]:
        return {"status": self.status, **self.edition.__dict__}


class DataStore:
    """The editions of the publication imported on this machine; the latest edition wins."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()

    def __repr__(self) -> str:
        return f"DataStore({str(self.path)!r})"

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as error:
            detail = " ".join(str(error).split())
            raise StoreError(f"{self.path}: cannot open the data store ({detail})") from None

    def _query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame | None:
        """Run a read-only query; None when the store does not exist or holds no editions."""
        if not self.path.exists():
            return None
        with self._connect(read_only=True) as con:
            tables = {
                row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            }
            if "editions" not in tables:
                return None
            return con.execute(sql, list(params)).df()

    def import_publication(self, publication: Publication) -> ImportResult:
        """Add one validated edition in a single transaction, unless its sha256 is stored."""
        stored = self._edition_by_sha(publication.sha256)
        if stored is not None:
            return ImportResult("unchanged", stored)
        daily = publication.daily.loc[:, list(DAILY_COLUMNS)]
        weekly = publication.weekly.loc[:, list(WEEKLY_COLUMNS)]
        rows = len(daily) + len(weekly)
        imported_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect(read_only=False) as con:
                con.begin()
                try:
                    con.execute(_SCHEMA)
                    (edition_id,) = con.execute(
                        "SELECT coalesce(max(edition_id), 0) + 1 FROM editions"
                    ).fetchone() or (1,)
                    con.execute(
                        "INSERT INTO editions VALUES (?, ?, ?, ?, ?, ?)",
                        [
                            edition_id,
                            publication.file_name,
                            publication.sha256,
                            publication.edition_date,
                            imported_at,
                            rows,
                        ],
                    )
                    con.register("daily_frame", daily)
                    con.register("weekly_frame", weekly)
                    con.execute(
                        f"INSERT INTO daily SELECT {edition_id}, date::DATE, people, boats, "
                        "uncontrolled_boats, notes FROM daily_frame"
                    )
                    con.execute(
                        f"INSERT INTO weekly SELECT {edition_id}, week_ending::DATE, people, "
                        "boats, uncontrolled_boats, prevented_people, prevented_events, notes "
                        "FROM weekly_frame"
                    )
                    con.commit()
                except BaseException:
                    con.rollback()
                    raise
        except BaseException:
            if created:  # leave no empty database behind
                for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
                    leftover.unlink(missing_ok=True)
            raise
        edition = Edition(
            edition_id=int(edition_id),
            file_name=publication.file_name,
            sha256=publication.sha256,
            edition_date=publication.edition_date,
            imported_at=imported_at,
            rows=rows,
        )
        return ImportResult("imported", edition)

    def _edition_by_sha(self, sha256: str) -> Edition | None:
        frame = self._query(
            f"SELECT {', '.join(_EDITION_COLUMNS)} FROM editions WHERE sha256 = ?", [sha256]
        )
        return None if frame is None or frame.empty else _edition(frame.iloc[0].to_dict())

    def editions(self) -> pd.DataFrame:
        """Every stored edition, oldest edition date first (empty when nothing is stored)."""
        frame = self._query(
            f"SELECT {', '.join(_EDITION_COLUMNS)} FROM editions ORDER BY edition_date, edition_id"
        )
        if frame is None:
            return pd.DataFrame({name: [] for name in _EDITION_COLUMNS})
        frame["edition_date"] = pd.to_datetime(frame["edition_date"]).dt.date
        return frame

    def latest_edition(self) -> Edition | None:
        """The edition whose figures win, or None when nothing is stored."""
        frame = self.editions()
        return None if frame.empty else _edition(frame.iloc[-1].to_dict())

    def daily(self) -> pd.DataFrame:
        """Daily arrivals (columns as ``Publication.daily``), each date from the latest edition."""
        return self._latest("daily_latest", "date", DAILY_SHEET)

    def weekly(self) -> pd.DataFrame:
        """Weekly arrivals and preventions (as ``Publication.weekly``), latest edition wins."""
        return self._latest("weekly_latest", "week_ending", WEEKLY_SHEET)

    def _latest(self, view: str, key: str, table: str) -> pd.DataFrame:
        dtypes = column_dtypes(table)
        frame = self._query(f"SELECT {', '.join(dtypes)} FROM {view} ORDER BY {key}")
        if frame is None or frame.empty:
            raise StoreError(
                f"{self.path}: the data store holds no edition of the publication; "
                "run `channelsim data download` or `channelsim data import FILE` first"
            )
        return frame.astype(dtypes)


def _edition(row: dict[str, Any]) -> Edition:
    edition_date = row["edition_date"]
    return Edition(
        edition_id=int(row["edition_id"]),
        file_name=str(row["file_name"]),
        sha256=str(row["sha256"]),
        edition_date=edition_date.date() if hasattr(edition_date, "date") else edition_date,
        imported_at=pd.Timestamp(row["imported_at"]).to_pydatetime(),
        rows=int(row["rows"]),
    )
