"""The local store of imported editions: one DuckDB file.

Tables: ``editions`` (one row per imported file: id, file name, sha256, edition date, when it
was imported, rows), ``daily`` and ``weekly`` (the tables of every edition, keyed by
``edition_id``) and ``warnings`` (each edition's inner disagreements, kept as published: file,
sheet, row, column, message). Editions revise earlier figures, so the views ``daily_latest``
and ``weekly_latest`` take each date from the edition with the latest edition date (on a tie,
the one imported last); :meth:`DataStore.edition_tables` gives one edition's own figures.

The store is at ``--store PATH`` if given, else ``$CHANNELSIM_STORE``, else
``<user data dir>/channelsim/store.duckdb`` (platformdirs).

Failure behaviour. An import is all or nothing, for one file or a batch: every publication is
validated before the store is touched; the new store is then written as a copy in a private
temporary folder beside it and renamed over the old one in one step, so an error, a full disk,
a read-only folder or Ctrl-C at any moment leaves the store byte-identical to what it was (or
absent, if it was). Only that temporary folder is ever removed, and only by the process that
made it: the store itself is never deleted. Imports into one folder serialise on an advisory
lock of the folder (``flock``), so two ``channelsim data import`` at once both land, one after
the other; readers never wait and always see a whole store. Importing a file whose sha256 is
already stored changes nothing (the store is only read).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import platformdirs

from channelsim.data.source import WHERE_HINT
from channelsim.errors import HungUp, StoreError, Terminated

if TYPE_CHECKING:  # pandas (and the publication's module, which loads it) when a table is read
    import pandas as pd

    from channelsim.data.publication import Publication

STORE_ENV = "CHANNELSIM_STORE"
#: How long an import waits for another import into the same folder before giving up.
LOCK_TIMEOUT_S = 600.0

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
CREATE TABLE IF NOT EXISTS warnings (
    edition_id INTEGER NOT NULL REFERENCES editions (edition_id),
    file VARCHAR NOT NULL,
    sheet VARCHAR NOT NULL,
    "row" INTEGER NOT NULL,
    "column" VARCHAR NOT NULL,
    message VARCHAR NOT NULL
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
#: The edition whose figures win (the latest edition date; of two, the one imported last),
#: as a subquery: no row when nothing is stored.
LATEST_EDITION = "(SELECT * FROM editions ORDER BY edition_date DESC, edition_id DESC LIMIT 1)"
_WARNING_COLUMNS = ("edition_id", "file", "sheet", "row", "column", "message")


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
    warnings: int = 0

    def as_row(self) -> dict[str, Any]:
        return {"status": self.status, **self.edition.__dict__, "warnings": self.warnings}


def _raise_a_stop_inside(error: BaseException) -> None:
    """Ctrl-C or SIGTERM raised while DuckDB scanned a pandas table comes back as a DuckDB
    error whose text holds the Python traceback of the stop (about 1 in 12 SIGTERMs of an
    import): raise the stop itself, so the command ends as stopped (130 or 143), not as a
    write error with a traceback folded into its line."""
    text = str(error)
    if f"{HungUp.__name__}:" in text:
        raise HungUp from None
    if f"{Terminated.__name__}:" in text:
        raise Terminated from None
    if "KeyboardInterrupt" in text:
        raise KeyboardInterrupt from None


def _reason(error: BaseException) -> str:
    """An OS or DuckDB error as a short phrase on one line."""
    text = (error.strerror or type(error).__name__) if isinstance(error, OSError) else str(error)
    return " ".join(text.split())


class DataStore:
    """The editions of the publication imported on this machine; the latest edition wins."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self._from_env = path is None and bool(os.environ.get(STORE_ENV))

    @property
    def where(self) -> str:
        """The store's path as errors name it: ``$CHANNELSIM_STORE=PATH`` when it came from
        the variable, so that the user knows what to change."""
        return f"${STORE_ENV}={self.path}" if self._from_env else str(self.path)

    def __repr__(self) -> str:
        return f"DataStore({str(self.path)!r})"

    # ---- reading -----------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether anything is at the store's path (a store, or something in its way)."""
        return self.path.exists()

    def require(self) -> None:
        """Raise :class:`StoreError` unless a store exists at the path."""
        self._check_not_dangling()
        if not self.exists():
            raise StoreError(
                f"{self.where}: no data store here (the file does not exist); {WHERE_HINT}"
            )

    def _check_not_dangling(self) -> None:
        """A symbolic link to a missing file is refused (not read as an empty store, nor
        replaced by a new one)."""
        if self.path.is_symlink() and not self.path.exists():
            raise StoreError(
                f"{self.where}: is a symbolic link to {os.readlink(self.path)}, which does not "
                "exist; expected the data store's DuckDB file, or a path where none exists yet"
            )

    def _connect(self, path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as error:
            reason = _reason(error)
            if "not a valid DuckDB" in reason or "in-memory database" in reason:
                # the second: an existing CSV, Parquet or JSON file, which DuckDB would read
                # as a table of a database in memory
                raise StoreError(
                    f"{self.where}: is not a DuckDB file; expected the data store that "
                    "`channelsim data download` or `channelsim data import` builds"
                ) from None
            raise StoreError(f"{self.where}: cannot open the data store ({reason})") from None

    def holds_editions(self) -> bool:
        """Whether the store holds at least one edition: False when nothing is at the path or
        the store is empty; :class:`StoreError` when something else is in its way (a folder, a
        file that is not DuckDB, a DuckDB file that is not a data store)."""
        rows = self._query("SELECT count(*) AS n FROM editions", frame=False)
        return rows is not None and int(rows[0][0]) > 0

    def _tables(self, con: duckdb.DuckDBPyConnection) -> set[str]:
        return {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}

    def _query(
        self, sql: str, params: Sequence[Any] = (), needs: str = "editions", frame: bool = True
    ) -> Any:
        """Run a read-only query: its result as a DataFrame (as tuples unless ``frame``: no
        pandas); None when the store does not exist or lacks table ``needs``."""
        self._check_not_dangling()
        if not self.exists():
            return None
        if self.path.is_dir():
            raise StoreError(f"{self.where}: is a folder; expected the data store's DuckDB file")
        with self._connect(self.path, read_only=True) as con:
            tables = self._tables(con)
            if "editions" not in tables and tables:
                what = "the results store" if {"runs", "members"} <= tables else "a DuckDB file"
                raise StoreError(
                    f"{self.where}: not a channelsim data store: it is {what}, with tables "
                    f"{', '.join(sorted(tables)[:5])} (no editions table); expected the data "
                    "store (such as store.duckdb) or a new path; the file was not changed"
                )
            if needs not in tables:
                return None
            try:
                found = con.execute(sql, list(params))
                return found.df() if frame else found.fetchall()
            except duckdb.Error as error:
                raise StoreError(
                    f"{self.where}: cannot read the data store ({_reason(error)})"
                ) from None

    def has_edition(self, sha256: str) -> bool:
        """Whether the file of that SHA-256 is an imported edition."""
        return self._edition_by_sha(sha256) is not None

    def _edition_by_sha(self, sha256: str) -> Edition | None:
        frame = self._query(
            f"SELECT {', '.join(_EDITION_COLUMNS)} FROM editions WHERE sha256 = ?", [sha256]
        )
        return None if frame is None or frame.empty else _edition(frame.iloc[0].to_dict())

    def editions(self) -> pd.DataFrame:
        """Every stored edition, oldest edition date first, with its number of ``warnings``
        (empty when nothing is stored)."""
        import pandas as pd

        frame = self._query(
            f"SELECT {', '.join(_EDITION_COLUMNS)} FROM editions ORDER BY edition_date, edition_id"
        )
        if frame is None:
            return pd.DataFrame({name: [] for name in (*_EDITION_COLUMNS, "warnings")})
        frame["edition_date"] = pd.to_datetime(frame["edition_date"]).dt.date
        counts = self.warnings().groupby("edition_id").size()
        frame["warnings"] = frame["edition_id"].map(counts).fillna(0).astype(int)
        return frame

    def warnings(self) -> pd.DataFrame:
        """Every recorded warning: edition_id, file, sheet, row, column, message."""
        import pandas as pd

        frame = self._query(
            f"SELECT {', '.join(_quoted(_WARNING_COLUMNS))} FROM warnings "
            'ORDER BY edition_id, "row", "column"',
            needs="warnings",
        )
        if frame is None:
            return pd.DataFrame({name: [] for name in _WARNING_COLUMNS})
        return frame

    def latest_edition(self) -> Edition | None:
        """The edition whose figures win, or None when nothing is stored (read without
        pandas)."""
        rows = self._query(
            f"SELECT {', '.join(_EDITION_COLUMNS)} FROM {LATEST_EDITION}", frame=False
        )
        return _edition(dict(zip(_EDITION_COLUMNS, rows[0], strict=True))) if rows else None

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a read-only query of the store's tables and views (``daily_latest``,
        ``weekly_latest``: the latest edition's figure of each day and week), as tuples:
        DuckDB's dates, whole numbers and NULLs as None, without pandas.

        Raises:
            StoreError: the store holds no edition, or cannot be read.
        """
        rows = self._query(sql, params, frame=False)
        if rows is None:
            self.require()
            raise StoreError(
                f"{self.where}: the data store holds no edition of the publication; {WHERE_HINT}"
            )
        return list(rows)

    def edition_list(self) -> list[Edition]:
        """Every stored edition, oldest edition date first."""
        return [_edition(row) for row in self.editions().to_dict(orient="records")]

    def daily(self) -> pd.DataFrame:
        """Daily arrivals (columns as ``Publication.daily``), each date from the latest edition."""
        from channelsim.data.publication import DAILY_SHEET

        return self._frame("daily_latest", "date", DAILY_SHEET)

    def weekly(self) -> pd.DataFrame:
        """Weekly arrivals and preventions (as ``Publication.weekly``), latest edition wins."""
        from channelsim.data.publication import WEEKLY_SHEET

        return self._frame("weekly_latest", "week_ending", WEEKLY_SHEET)

    def edition_tables(self, edition_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """One edition's own daily and weekly tables, exactly as that edition published them."""
        from channelsim.data.publication import DAILY_SHEET, WEEKLY_SHEET

        where = f"(SELECT * FROM {{table}} WHERE edition_id = {int(edition_id)})"
        return (
            self._frame(where.format(table="daily"), "date", DAILY_SHEET),
            self._frame(where.format(table="weekly"), "week_ending", WEEKLY_SHEET),
        )

    def _frame(self, source: str, key: str, table: str) -> pd.DataFrame:
        from channelsim.data.publication import column_dtypes

        dtypes = column_dtypes(table)
        frame = self._query(f"SELECT {', '.join(dtypes)} FROM {source} ORDER BY {key}")
        if frame is None or frame.empty:
            self.require()
            raise StoreError(
                f"{self.where}: the data store holds no edition of the publication; {WHERE_HINT}"
            )
        return frame.astype(dtypes)

    # ---- writing -----------------------------------------------------------------------

    def import_publication(self, publication: Publication) -> ImportResult:
        """Add one validated edition, unless its sha256 is stored (see the module docstring)."""
        return self.import_publications([publication])[0]

    def import_publications(self, publications: Sequence[Publication]) -> list[ImportResult]:
        """Add validated editions, all or none, one result per publication in order.

        Raises :class:`StoreError` (one line) when the store cannot be created, read or
        written; the store is then exactly as it was.
        """
        if not publications:
            return []
        created = _make_folders(self.path.parent, self.path)
        try:
            with _folder_lock(self.path):
                return self._import_locked(publications)
        except BaseException:
            _remove_empty(created)
            raise

    def _import_locked(self, publications: Sequence[Publication]) -> list[ImportResult]:
        """The import proper, with the folder locked: read what is stored, write a new copy."""
        if self.exists() and not self.path.is_file():
            raise StoreError(f"{self.where}: is not a regular file; expected the data store")
        stored = {pub.sha256: self._edition_by_sha(pub.sha256) for pub in publications}
        new: dict[str, Publication] = {}  # the first file of each new edition gives its name
        for pub in publications:
            if stored[pub.sha256] is None:
                new.setdefault(pub.sha256, pub)
        added: dict[str, Edition] = {}
        if new:
            added = self._write_copy(list(new.values()))
        results = []
        for pub in publications:
            edition = stored[pub.sha256]
            if edition is None:
                results.append(ImportResult("imported", added[pub.sha256], len(pub.warnings)))
            else:
                results.append(ImportResult("unchanged", edition))
        # The same file given twice in one batch is imported once.
        seen: set[str] = set()
        for i, result in enumerate(results):
            if result.status == "imported" and result.edition.sha256 in seen:
                results[i] = ImportResult("unchanged", result.edition)
            seen.add(result.edition.sha256)
        return results

    def _write_copy(self, publications: Sequence[Publication]) -> dict[str, Edition]:
        """Copy the store into a private temporary folder, add the editions there in one
        transaction, and rename the copy over the store."""
        try:
            work = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", dir=self.path.parent))
        except OSError as error:
            raise self._write_error(error) from None
        copy = work / self.path.name
        try:
            if self.exists():
                shutil.copyfile(self.path, copy)
                wal = self.path.with_name(self.path.name + ".wal")
                if wal.exists():
                    shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
            with self._connect(copy, read_only=False) as con:
                added = _insert(con, publications)
                con.execute("CHECKPOINT")
            _fsync(copy)
            _set_mode(copy, self.path)
            os.replace(copy, self.path)
            _fsync(self.path.parent)
            return added
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except RuntimeError as error:
            # Ctrl-C while DuckDB's Python layer (register/unregister) runs arrives as a
            # RuntimeError "Query interrupted", not as duckdb.InterruptException
            if "interrupted" in str(error).lower():
                raise KeyboardInterrupt from None
            raise
        except (OSError, duckdb.Error) as error:  # full disk, read-only folder, I/O error
            _raise_a_stop_inside(error)
            raise self._write_error(error) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _write_error(self, error: BaseException) -> StoreError:
        return StoreError(
            f"{self.where}: cannot write the data store ({_reason(error)}); the store is unchanged"
        )


def _insert(
    con: duckdb.DuckDBPyConnection, publications: Sequence[Publication]
) -> dict[str, Edition]:
    """Insert the editions in one transaction; their records by sha256."""
    added: dict[str, Edition] = {}
    imported_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    con.begin()
    try:
        con.execute(_SCHEMA)
        (first_id,) = con.execute(
            "SELECT coalesce(max(edition_id), 0) + 1 FROM editions"
        ).fetchone() or (1,)
        for offset, pub in enumerate(publications):
            edition = Edition(
                edition_id=int(first_id) + offset,
                file_name=pub.file_name,
                sha256=pub.sha256,
                edition_date=pub.edition_date,
                imported_at=imported_at,
                rows=len(pub.daily) + len(pub.weekly),
            )
            _insert_one(con, pub, edition)
            added[pub.sha256] = edition
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return added


def _insert_one(con: duckdb.DuckDBPyConnection, pub: Publication, edition: Edition) -> None:
    import pandas as pd

    from channelsim.data.publication import DAILY_COLUMNS, WEEKLY_COLUMNS

    con.execute(
        "INSERT INTO editions VALUES (?, ?, ?, ?, ?, ?)",
        [getattr(edition, name) for name in _EDITION_COLUMNS],
    )
    daily = pub.daily.loc[:, list(DAILY_COLUMNS)]
    weekly = pub.weekly.loc[:, list(WEEKLY_COLUMNS)]
    warnings = pd.DataFrame(
        [(edition.edition_id, w.file, w.sheet, w.row, w.column, w.message) for w in pub.warnings],
        columns=list(_WARNING_COLUMNS),
    )
    eid = edition.edition_id
    con.register("daily_frame", daily)
    con.register("weekly_frame", weekly)
    con.register("warnings_frame", warnings)
    con.execute(
        f"INSERT INTO daily SELECT {eid}, date::DATE, people, boats, uncontrolled_boats, notes "
        "FROM daily_frame"
    )
    con.execute(
        f"INSERT INTO weekly SELECT {eid}, week_ending::DATE, people, boats, uncontrolled_boats, "
        "prevented_people, prevented_events, notes FROM weekly_frame"
    )
    if len(warnings):
        con.execute(
            f"INSERT INTO warnings SELECT {', '.join(_quoted(_WARNING_COLUMNS))} "
            "FROM warnings_frame"
        )
    for name in ("daily_frame", "weekly_frame", "warnings_frame"):
        con.unregister(name)


def _quoted(names: Sequence[str]) -> list[str]:
    return [f'"{name}"' for name in names]


def _make_folders(folder: Path, store: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the folders created, deepest first."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        where = next((p for p in [folder, *folder.parents] if p.is_file()), None)
        why = f"{where} is a file, not a folder" if where else _reason(error)
        _remove_empty(missing)
        raise StoreError(f"{store}: cannot create the data store's folder ({why})") from None
    if not folder.is_dir():
        raise StoreError(f"{store}: {folder} is not a folder")
    return missing


def _remove_empty(folders: Sequence[Path]) -> None:
    """Remove folders this process created, deepest first, if they are still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


@contextmanager
def _folder_lock(store: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on the store's folder (nothing is written for it)."""
    try:
        fd = os.open(store.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise StoreError(f"{store}: cannot open the store's folder ({_reason(error)})") from None
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                    raise StoreError(f"{store}: cannot lock the store ({_reason(error)})") from None
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{store}: another channelsim import has held the store for "
                        f"{LOCK_TIMEOUT_S:.0f} s; expected it to finish (try again later)"
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _set_mode(copy: Path, store: Path) -> None:
    """The copy gets the store's permissions, or the usual ones for a new file."""
    if store.exists():
        shutil.copymode(store, copy)
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(copy, 0o666 & ~umask)


def _edition(row: dict[str, Any]) -> Edition:
    """An edition from a row of ``editions`` (DuckDB's tuple, or a DataFrame's row)."""
    edition_date, imported_at = row["edition_date"], row["imported_at"]
    if type(imported_at) is not dt.datetime:  # pandas' Timestamp (a DataFrame's row)
        import pandas as pd

        imported_at = pd.Timestamp(imported_at).to_pydatetime()
    return Edition(
        edition_id=int(row["edition_id"]),
        file_name=str(row["file_name"]),
        sha256=str(row["sha256"]),
        edition_date=edition_date.date() if hasattr(edition_date, "date") else edition_date,
        imported_at=imported_at,
        rows=int(row["rows"]),
    )
