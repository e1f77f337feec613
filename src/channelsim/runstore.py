"""The results store: every run recorded in an embedded DuckDB database, outputs in Parquet.

Layout (default under the user data dir; ``CHANNELSIM_RUNS`` or ``--runs-store`` override)::

    runs.duckdb                              tables `runs` and `members`
    runs.duckdb.members/<run_id>/<member>/   one Parquet file per member table (daily.parquet)

The members' folder is named after the store's file, so that no store path (``.../runs``,
say) can collide with it. A store made before that layout kept its members in a ``runs``
folder beside it: they are moved on first opening.

A member is recorded only when complete: its Parquet files go to a temporary folder that is
renamed into place, then its row is inserted, with the size and SHA-256 of each file. Rows are
committed in batches, at most :data:`COMMIT_INTERVAL_S` apart (one commit costs a few
milliseconds, as much as a short member), and whatever is pending when the run ends, is
interrupted or fails, or when the store is read. The row is the commit point: on resume, a
member folder without a row (the driver died between the rename and the commit) is deleted and
recomputed; a row whose files are missing, of another size or checksum (truncated,
overwritten) is dropped, its member recomputed, and the user told.

DuckDB allows one writer process, so only the ensemble driver opens the store for writing;
workers return their results to it. A second process gets a clear :class:`StoreError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
import platformdirs

from channelsim import __version__
from channelsim.atomic import write_atomic_dir
from channelsim.errors import InputError, StoreError, os_error_text
from channelsim.experiments.ensemble import (
    RUN_KINDS,
    EnsembleResult,
    EnsembleSpec,
    Member,
    MemberOutput,
    config_differences,
    config_sha256,
    parquet_bytes,
)
from channelsim.interrupts import signals_deferred
from channelsim.outputs import nearest_existing

RUNS_ENV = "CHANNELSIM_RUNS"
STATUSES = ("running", "done", "interrupted", "failed")
_TABLES = frozenset({"runs", "members"})
COMMIT_INTERVAL_S = 0.1
"""The longest a recorded member's row waits for its commit while the run goes on: a member
that takes longer than this is committed on its own, as soon as its files are written."""
COMMIT_BATCH = 256
"""The most rows committed at once."""
RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    config VARCHAR NOT NULL,
    config_sha256 VARCHAR NOT NULL,
    base_seed BIGINT NOT NULL,
    code_version VARCHAR NOT NULL,
    created TIMESTAMP NOT NULL,
    started TIMESTAMP,
    ended TIMESTAMP,
    status VARCHAR NOT NULL,
    n_members INTEGER NOT NULL,
    message VARCHAR,
    driver VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    run_id VARCHAR NOT NULL,
    member_key VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    draw INTEGER NOT NULL,
    rep INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    status VARCHAR NOT NULL,
    started TIMESTAMP,
    ended TIMESTAMP,
    totals VARCHAR NOT NULL,
    tables VARCHAR NOT NULL,
    PRIMARY KEY (run_id, member_key)
);
ALTER TABLE members ADD COLUMN IF NOT EXISTS files VARCHAR;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS driver VARCHAR DEFAULT '';
"""
# The two ALTERs upgrade a store of an earlier channelsim (its first stores, of 25 Nov 2026,
# had neither column; "Referenced column driver not found" refused every run there: s13 B10).
# A run of such a store has no driver recorded (''): if left running, it is marked interrupted.

#: A run's record; ``base`` and ``scenarios`` (its scenarios' names, from the configuration
#: every run records, so runs of any store read) tell apart runs of one name: every
#: comparison with one base is called ``compare-<base>`` (the name is part of the
#: configuration a resumed run must match, so it stays).
_RUN_COLUMNS = (
    "run_id, kind, name, status, n_members, "
    "(SELECT count(*) FROM members m WHERE m.run_id = r.run_id) AS n_done, "
    "base_seed, config_sha256, code_version, created, started, ended, message, driver, "
    "json_extract_string(config, '$.base') AS base, "
    "json_keys(config, '$.scenarios') AS scenarios, "
    "coalesce(json_array_length(config, '$.draws'), 0) AS n_draws"  # 0: parameters fixed
)


def default_store_path() -> Path:
    """``$CHANNELSIM_RUNS`` if set, else ``<user data dir>/channelsim/runs.duckdb``."""
    override = os.environ.get(RUNS_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("channelsim")) / "runs.duckdb"


def code_version() -> str:
    """The package version, plus the git commit (and ``dirty``) when run from a checkout."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "."],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}{'.dirty' if dirty else ''}"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _utc(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC).replace(tzinfo=None)


_MEMBER_COLUMNS = (
    "run_id, member_key, scenario, draw, rep, seed, status, started, ended, totals, tables, files"
)


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fingerprint(path: Path) -> dict[str, int | str]:
    """A file's size in bytes and SHA-256, as recorded with its member."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "sha256": digest}


def _damage(
    folder: Path, tables: Sequence[str], files: dict[str, dict[str, Any]] | None
) -> str | None:
    """What is wrong with a member's files, or None if they are whole.

    Against the recorded size and checksum; a member recorded before they were kept is
    checked by reading its Parquet footers.
    """
    for table in tables:
        path = folder / f"{table}.parquet"
        if not path.is_file():
            return f"{path.name} is missing"
        if files is None:
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                pq.read_metadata(path)
            except (OSError, pa.ArrowException) as error:
                return f"{path.name} cannot be read ({str(error).splitlines()[0]})"
            continue
        expected = files.get(path.name)
        if expected is None:
            return f"{path.name} has no recorded checksum"
        found = _fingerprint(path)
        if found["bytes"] != expected["bytes"]:
            return f"{path.name} is damaged ({found['bytes']} bytes, {expected['bytes']} recorded)"
        if found["sha256"] != expected["sha256"]:
            return f"{path.name} is damaged (its checksum differs from the one recorded)"
    return None


def _member_row(
    run_id: str, member: Member, output: MemberOutput, files: dict[str, dict[str, int | str]]
) -> list[Any]:
    """A member's row of the ``members`` table (but its status, always ``done``)."""
    return [
        run_id,
        member.key,
        member.scenario,
        member.draw,
        member.rep,
        output.seed,
        _utc(output.started_s),
        _utc(output.ended_s),
        json.dumps(output.totals),
        json.dumps(list(output.tables)),
        json.dumps(files),
    ]


def _driver() -> str:
    """This process, as recorded in the runs it drives."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _check_run_id(run_id: str) -> str:
    if not RUN_ID_PATTERN.match(run_id):
        raise InputError(None, f"run id {run_id!r}", "expected letters, digits, '_', '-' or '.'")
    return run_id


_WRITE_FAULTS = (
    ("No space left", "the disk is full"),
    ("File too large", "the file is larger than allowed (a file-size limit, ulimit -f?)"),
    ("Disk quota", "the disk quota is used up"),
    ("Read-only file system", "the file system is read-only"),
)
"""DuckDB's words for a refused write, and ours (as ``errors.os_error_text`` says them)."""


def _fault(error: duckdb.Error) -> str:
    """Why DuckDB could not write, in :data:`_WRITE_FAULTS`' words, else its last phrase
    (its message names the file, which the line already names)."""
    text = str(error).splitlines()[0]
    return next((said for words, said in _WRITE_FAULTS if words in text), text.rsplit(": ", 1)[-1])


#: Words of DuckDB's errors about a database file whose pages do not hold together.
_DAMAGE_WORDS = ("Corrupt", "checksum", "Serialization Error")

_MEMBER_FIELDS = "member_key, seed, started, ended, totals, tables, files"
"""What :meth:`RunStore.load_member` reads of a member's row."""


class RunStore:
    """A DuckDB database of runs and members, with member outputs in Parquet beside it.

    Use as a context manager; the database is created on first use unless ``create=False``,
    in which case a missing store reads as empty.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        create: bool = True,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        from_env = path is None and bool(os.environ.get(RUNS_ENV))
        self._where = f"${RUNS_ENV}={self.path}" if from_env else str(self.path)
        self.outputs_dir = self.path.with_name(f"{self.path.name}.members")
        self._create = create
        self._notify = notify or _to_stderr
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._pending: list[list[Any]] = []  # members' rows not yet committed
        self._committed_at = -math.inf  # time.monotonic() of the last commit of rows

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:  # the error under way is the one to report
            with contextlib.suppress(Exception):
                self._commit_pending()
        self.close()

    def close(self) -> None:
        """Commit the members' rows still pending, then close the database."""
        if self._connection is not None:
            try:
                self._commit_pending()
            finally:
                self._pending = []
                self._connection.close()
                self._connection = None

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def _db(self) -> duckdb.DuckDBPyConnection:
        """The connection, opened (and the store checked, created or tidied) on first use,
        whole even if Ctrl-C or SIGTERM comes meanwhile: DuckDB would turn it into a "Query
        interrupted" error halfway; it is delivered once the store is open."""
        if self._connection is None:
            with signals_deferred():
                self._open()
        assert self._connection is not None
        return self._connection

    def _open(self) -> None:
        if not self._create and not self.exists:
            raise StoreError(f"no results store at {self.path}")
        if self.outputs_dir.exists() and not self.outputs_dir.is_dir():
            raise StoreError(
                f"cannot use the results store {self.path}: {self.outputs_dir} should be "
                "the folder of its members, but it is a file"
            )
        self._check_folders_above()
        try:
            self._check_is_a_results_store()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                self._create_whole()
            connection = duckdb.connect(str(self.path))
            self._check_file_backed(connection)
            self._check_tables(connection)  # before anything is written to it
            self._connection = connection
            self._connection.execute(_SCHEMA)
            self._mark_stale_runs()
            self._move_legacy_members()
        except OSError as error:
            raise StoreError(
                f"cannot open the results store {self.path}: {os_error_text(error)}"
            ) from None
        except duckdb.Error as error:
            first_line = str(error).splitlines()[0]
            if "not a valid DuckDB" in first_line:
                raise StoreError(
                    f"cannot use the results store {self._where}: it is not a DuckDB file; "
                    "expected the results store's file (such as runs.duckdb) or a new path; "
                    "the file was not changed"
                ) from None
            if "lock" in first_line:  # one line of ours, not DuckDB's lock text and URL
                holder = re.search(r"\(PID (\d+)\)", first_line)
                by = f" (process {holder[1]})" if holder else ""
                raise StoreError(
                    f"cannot open the results store {self.path}: it is in use by another "
                    f"channelsim command{by}; try again when it has finished"
                ) from None
            damaged = self._damaged(error, opening=True)
            if damaged is not None:
                raise damaged from None
            raise StoreError(f"cannot open the results store {self.path}: {first_line}") from None

    def _create_whole(self) -> None:
        """Make a new store beside its path and link it into place once its tables are
        written: a full disk or a file-size limit meanwhile leaves no store rather than a
        broken one that every later command would fail to open. A store another command
        made meanwhile is kept (the link never replaces a file)."""
        work = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", dir=self.path.parent))
        try:
            new = work / self.path.name
            try:
                connection = duckdb.connect(str(new))
                try:
                    connection.execute(_SCHEMA)
                    connection.execute("CHECKPOINT")
                finally:
                    connection.close()
            except duckdb.Error as error:  # its words name the temporary file: the reason only
                raise StoreError(
                    f"cannot create the results store {self._where}: {_fault(error)}; "
                    "nothing was created"
                ) from None
            try:
                os.link(new, self.path)
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                if not self.path.exists():
                    os.replace(new, self.path)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _damaged(self, error: duckdb.Error, opening: bool = False) -> StoreError | None:
        """A truncated or damaged store, in one line naming it and what to do (it was
        DuckDB's "IO Error: Could not read enough bytes from file ...", or a traceback when
        found by a query rather than on opening); None for another error."""
        text = str(error)
        if "Could not read enough bytes" in text:
            what = "truncated: it ends before data it points to"
        elif any(word in text for word in _DAMAGE_WORDS):
            what = "damaged: its checksums or structure do not hold"
        else:
            return None
        unchanged = "; the file was not changed" if opening else ""
        return StoreError(
            f"cannot use the results store {self._where}: it is {what}; restore it from a "
            "copy, or move it aside and run again to start a new store (or name another "
            f"with --runs-store){unchanged}"
        )

    def _check_file_backed(self, connection: duckdb.DuckDBPyConnection) -> None:
        """DuckDB opens an existing CSV, TSV, Parquet or JSON file as a database in memory
        with the file as a table: every run recorded there would be lost when the command
        ends, while it said "recorded". Such a file is refused before anything is written."""
        (path,) = connection.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone() or (None,)
        if path is None:
            connection.close()
            raise StoreError(
                f"cannot use the results store {self._where}: it is a data file (DuckDB reads "
                "it as a table), not a results store; expected the results store's file (such "
                "as runs.duckdb) or a new path; the file was not changed"
            )

    def _check_is_a_results_store(self) -> None:
        """What is at the path must be a results store (or nothing, for a new one): a folder
        or a broken symbolic link (whose target a new store would be created at) is refused
        before anything is written; a DuckDB file holding other tables by
        :meth:`_check_tables`."""
        path = self.path
        if path.is_symlink() and not path.exists():
            raise StoreError(
                f"cannot use the results store {self._where}: it is a symbolic link to "
                f"{os.readlink(path)}, which does not exist; expected the store's file, or a "
                "path where none exists yet"
            )
        if path.is_dir():
            raise StoreError(
                f"cannot use the results store {self._where}: it is a folder; expected the "
                "store's DuckDB file (such as runs.duckdb)"
            )

    def _check_tables(self, connection: duckdb.DuckDBPyConnection) -> None:
        """The store just opened must hold no tables but a results store's (the data store,
        say, is refused): closed unchanged, before the schema is written, if it does."""
        query = connection.execute("SELECT table_name FROM duckdb_tables()")
        tables = {row[0] for row in query.fetchall()}
        other = sorted(tables - _TABLES)
        if other:
            connection.close()
            which = "the data store" if "editions" in tables else "a DuckDB file"
            raise StoreError(
                f"cannot use the results store {self._where}: it is {which}, with tables "
                f"{', '.join(other[:5])}; expected a results store (tables runs and members) "
                "or a new path; the file was not changed"
            )

    def _check_folders_above(self) -> None:
        """The store's folder, or the nearest of its parents that exists, must be a folder."""
        above = nearest_existing(self.path.parent)
        if not above.is_dir():
            raise StoreError(
                f"cannot use the results store {self.path}: expected folders above it, "
                f"but {above} is a file"
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction, with Ctrl-C held back until it has committed or rolled back."""
        db = self._db()
        with signals_deferred(), self._write_faults():
            db.execute("BEGIN TRANSACTION")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):  # DuckDB may have ended it already
                    db.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _write_faults(self) -> Iterator[None]:
        """DuckDB's error for a write the disk refused (full, a file-size limit, I/O) as one
        line naming the store: it was a traceback ("TransactionContext Error: Failed to
        commit: Could not write file ...runs.duckdb.wal: No space left on device")."""
        try:
            yield
        except duckdb.Error as error:
            damaged = self._damaged(error)  # a read of a truncated store fails here too
            if damaged is not None:
                raise damaged from None
            if not isinstance(error, duckdb.IOException | duckdb.TransactionException):
                raise
            raise StoreError(
                f"cannot write the results store {self._where}: {_fault(error)}; what it recorded "
                "before is kept"
            ) from None

    def _move_legacy_members(self) -> None:
        """Move this store's run folders from the old layout's ``runs`` folder beside it."""
        assert self._connection is not None
        legacy = self.path.parent / "runs"
        if legacy == self.path or not legacy.is_dir() or self.outputs_dir.exists():
            return
        ids = {row[0] for row in self._connection.execute("SELECT run_id FROM runs").fetchall()}
        mine = [folder for folder in legacy.iterdir() if folder.name in ids]
        if not mine:
            return
        self.outputs_dir.mkdir()
        for folder in mine:
            os.replace(folder, self.outputs_dir / folder.name)
        with contextlib.suppress(OSError):
            legacy.rmdir()  # only if nothing else was in it

    def _mark_stale_runs(self) -> None:
        """Runs left ``running`` by another process are interrupted: their driver is gone.

        DuckDB's lock lets one process write at a time, so holding the connection proves that
        no other driver is recording; only this process's own runs can still be running.
        """
        assert self._connection is not None
        self._connection.execute(
            "UPDATE runs SET status = 'interrupted', "
            "message = 'its driver stopped without closing the run (killed or crashed)' "
            "WHERE status = 'running' AND driver <> ?",
            [_driver()],
        )

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self._commit_pending()  # a read sees every member recorded so far
        with signals_deferred():  # a Ctrl-C after it, not a "Query interrupted" error
            try:
                cursor = self._db().execute(sql, list(params))
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            except duckdb.Error as error:
                raise self._damaged(error) or error from None

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """One statement and its rows, whole: Ctrl-C or SIGTERM meanwhile is delivered after
        it (DuckDB would turn it into a "Query interrupted" error and a traceback)."""
        with signals_deferred(), self._write_faults():
            return self._db().execute(sql, list(params)).fetchall()

    # -- runs ---------------------------------------------------------------------------

    def list_runs(self, kind: str | None = None) -> list[dict[str, Any]]:
        """All runs, newest first, with the number of members recorded (``n_done``)."""
        if not self._create and not self.exists:
            return []
        where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
        return self._query(
            f"SELECT {_RUN_COLUMNS} FROM runs r {where} ORDER BY created DESC, run_id DESC",
            params,
        )

    def get_run(self, run_id: str) -> dict[str, Any]:
        """One run with its config parsed; an unknown id is an :class:`InputError`."""
        rows = (
            self._query(f"SELECT {_RUN_COLUMNS}, config FROM runs r WHERE run_id = ?", [run_id])
            if self._create or self.exists
            else []
        )
        if not rows:
            why = "no such run in the results store" if self.exists else "no results store here"
            raise InputError(self.path, f"run {run_id!r}", why)
        run = rows[0]
        run["config"] = json.loads(run["config"])
        return run

    def last_run_driven_here(self) -> dict[str, Any] | None:
        """The run this process started or resumed last, if it opened the store at all."""
        if self._connection is None:
            return None
        rows = self._query(
            f"SELECT {_RUN_COLUMNS} FROM runs r WHERE driver = ? ORDER BY started DESC LIMIT 1",
            [_driver()],
        )
        return rows[0] if rows else None

    def members(self, run_id: str) -> list[dict[str, Any]]:
        """Recorded members of a run, in the order they were recorded, totals parsed."""
        rows = self._query(
            "SELECT member_key, scenario, draw, rep, seed, status, started, ended, totals, tables, "
            "files FROM members WHERE run_id = ? ORDER BY ended, member_key",
            [run_id],
        )
        for row in rows:
            row["totals"] = json.loads(row["totals"])
            row["tables"] = json.loads(row["tables"])
            row["files"] = json.loads(row["files"]) if row["files"] else None
        return rows

    def create_run(
        self,
        *,
        config: dict[str, Any],
        kind: str,
        name: str,
        base_seed: int,
        n_members: int,
        run_id: str | None = None,
    ) -> str:
        """Record a new run as ``running`` and return its id (generated when not given)."""
        if kind not in RUN_KINDS:
            raise InputError(None, "kind", f"expected one of {RUN_KINDS}, got {kind!r}")
        now = _now()
        run_id = _check_run_id(run_id) if run_id else f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        if self._query("SELECT 1 FROM runs WHERE run_id = ?", [run_id]):
            raise InputError(
                self.path, f"run {run_id!r}", "this run id exists: resume it or choose another id"
            )
        text = json.dumps(config, sort_keys=True, default=str)
        self._execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'running', ?, NULL, ?)",
            [
                run_id,
                kind,
                name,
                text,
                config_sha256(config),
                base_seed,
                code_version(),
                now,
                now,
                n_members,
                _driver(),
            ],
        )
        return run_id

    def end_run(self, run_id: str, status: str, message: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        ended = None if status == "running" else _now()
        with self._transaction() as db:
            self._insert_pending(db)
            db.execute(
                "UPDATE runs SET status = ?, ended = ?, message = ? WHERE run_id = ?",
                [status, ended, message, run_id],
            )

    def find_resumable(self, config: dict[str, Any]) -> str | None:
        """The latest run with this exact configuration, if any, whatever its status: an
        unfinished one computes its missing members; a done one (its driver killed while
        writing the outputs, after the run was marked done) writes its outputs from the
        members it recorded, without recomputing any."""
        rows = self._query(
            "SELECT run_id FROM runs WHERE config_sha256 = ? ORDER BY created DESC LIMIT 1",
            [config_sha256(config)],
        )
        return rows[0]["run_id"] if rows else None

    def remove_run(self, run_id: str) -> int:
        """Delete a run's rows and its Parquet folder; return how many members it had."""
        self.get_run(run_id)
        [(n_members,)] = self._execute("SELECT count(*) FROM members WHERE run_id = ?", [run_id])
        with self._transaction() as db:
            db.execute("DELETE FROM members WHERE run_id = ?", [run_id])
            db.execute("DELETE FROM runs WHERE run_id = ?", [run_id])
        shutil.rmtree(self.outputs_dir / _check_run_id(run_id), ignore_errors=True)
        return int(n_members)

    # -- members (the EnsembleStore protocol) -------------------------------------------

    def begin_run(
        self,
        *,
        config: dict[str, Any],
        kind: str,
        name: str,
        base_seed: int,
        members: Sequence[Member],
        run_id: str | None,
        resume: bool,
    ) -> tuple[str, set[str]]:
        """Start a run, or reopen one to resume: tidy its folder, return its recorded keys."""
        if resume:
            if run_id is None:
                run_id = self.find_resumable(config)
                if run_id is None:
                    self._notify(
                        f"--resume latest: {self.path} holds no run of this ensemble (same "
                        "scenario, period, seed and runs); starting a new run"
                    )
            else:
                run = self.get_run(run_id)
                if run["config_sha256"] != config_sha256(config):
                    raise InputError(
                        self.path,
                        f"run {run_id!r}",
                        "it was made with another configuration: "
                        f"{config_differences(run['config'], config)}; resume "
                        "needs the same ensemble: run it with the scenario and options it was made "
                        "with, or leave out --resume to start a new run",
                    )
        if not resume or run_id is None:
            new_id = self.create_run(
                config=config,
                kind=kind,
                name=name,
                base_seed=base_seed,
                n_members=len(members),
                run_id=run_id,
            )
            return new_id, set()
        recorded = self._tidy(run_id)
        self._execute(
            "UPDATE runs SET status = 'running', started = ?, ended = NULL, message = NULL, "
            "driver = ? WHERE run_id = ?",
            [_now(), _driver(), run_id],
        )
        return run_id, recorded

    def _tidy(self, run_id: str) -> set[str]:
        """Make folders and rows agree; return the keys of complete, intact members.

        A member whose files are missing or damaged loses its row (so it is recomputed), and
        the user is told.
        """
        run_dir = self.outputs_dir / _check_run_id(run_id)
        complete = set()
        for row in self.members(run_id):
            key = row["member_key"]
            problem = _damage(run_dir / key, row["tables"], row["files"])
            if problem is None:
                complete.add(key)
                continue
            self._execute("DELETE FROM members WHERE run_id = ? AND member_key = ?", [run_id, key])
            self._notify(f"member {key} of run {run_id}: {problem}; recomputing it")
        if run_dir.is_dir():
            for folder in run_dir.iterdir():
                if folder.name not in complete:
                    shutil.rmtree(folder, ignore_errors=True)
        return complete

    def record_member(self, run_id: str, member: Member, output: MemberOutput) -> None:
        """Files to a temporary folder renamed into place, then the row: the commit point.

        The row is committed with the others pending at most :data:`COMMIT_INTERVAL_S` after
        the last commit, or when the run ends (:meth:`end_run`), the store is read or closed.
        Ctrl-C is held back until the files are written and any due commit is done.
        """
        folder = self.outputs_dir / _check_run_id(run_id) / member.key
        files: dict[str, dict[str, int | str]] = {}

        def write_tables(temporary: Path) -> None:
            for name in output.tables:  # a table shipped as columns is encoded from them
                shipped = output.columns.get(name)
                data = parquet_bytes(output.tables[name] if shipped is None else shipped)
                path = temporary / f"{name}.parquet"
                path.write_bytes(data)
                files[path.name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

        with signals_deferred():
            # replaces a folder left by a driver that died before inserting the row
            try:
                write_atomic_dir(folder, write_tables)
            except OSError as error:
                raise StoreError(
                    f"cannot record member {member.key} in {self.outputs_dir}: "
                    f"{os_error_text(error, '')}"
                ) from error
            self._pending.append(_member_row(run_id, member, output, files))
            if (
                len(self._pending) >= COMMIT_BATCH
                or time.monotonic() - self._committed_at >= COMMIT_INTERVAL_S
            ):
                self._commit_pending()

    def _commit_pending(self) -> None:
        """Commit the rows of the members recorded since the last commit, in one transaction."""
        if self._pending:
            with self._transaction() as db:
                self._insert_pending(db)

    def _insert_pending(self, db: duckdb.DuckDBPyConnection) -> None:
        """Insert the pending rows in the transaction under way (they are gone if it fails:
        their members' folders have no row, so a resume recomputes them)."""
        rows, self._pending = self._pending, []
        if rows:  # one statement of all the rows (executemany costs twice as much CPU)
            values = ", ".join(["(?, ?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?)"] * len(rows))
            db.execute(
                f"INSERT INTO members ({_MEMBER_COLUMNS}) VALUES {values}",
                [value for row in rows for value in row],
            )
        self._committed_at = time.monotonic()

    def load_member(self, run_id: str, member: Member) -> MemberOutput:
        """A recorded member's output, its files checked against their recorded size and
        checksum first (a damaged one is a :class:`StoreError` saying how to recompute it)."""
        rows = self._query(
            f"SELECT {_MEMBER_FIELDS} FROM members WHERE run_id = ? AND member_key = ?",
            [run_id, member.key],
        )
        return self._member_output(run_id, member, rows[0] if rows else None)

    def load_members(self, run_id: str, members: Sequence[Member]) -> list[MemberOutput]:
        """Recorded members' outputs in the order given, as :meth:`load_member` reads each,
        their rows read in one query (a resumed run's hundreds of members: one query each
        cost about 2 ms of the driver's CPU apiece)."""
        if not members:
            return []
        rows = {
            row["member_key"]: row
            for row in self._query(
                f"SELECT {_MEMBER_FIELDS} FROM members WHERE run_id = ?", [run_id]
            )
        }
        return [self._member_output(run_id, member, rows.get(member.key)) for member in members]

    def _member_output(
        self, run_id: str, member: Member, row: dict[str, Any] | None
    ) -> MemberOutput:
        if row is None:
            raise StoreError(f"member {member.key} of run {run_id} is not recorded in {self.path}")
        folder = self.outputs_dir / run_id / member.key
        tables = json.loads(row["tables"])
        problem = _damage(folder, tables, json.loads(row["files"]) if row["files"] else None)
        if problem is not None:
            raise StoreError(
                f"member {member.key} of run {run_id} in {self.path}: {problem}; "
                f"resume the run with --resume {run_id} to recompute it"
            )
        import pandas as pd

        return MemberOutput(
            key=member.key,
            seed=int(row["seed"]),
            totals=json.loads(row["totals"]),
            tables={
                name: pd.read_parquet(folder / f"{name}.parquet", engine="pyarrow")
                for name in tables
            },
            started_s=row["started"].replace(tzinfo=UTC).timestamp(),
            ended_s=row["ended"].replace(tzinfo=UTC).timestamp(),
        )

    def load_result(self, run_id: str) -> EnsembleResult:
        """A recorded run as an :class:`EnsembleResult` of its recorded members, in order.

        Scenarios come back as their recorded JSON, not as the original objects; an unfinished
        run gives the members recorded so far.
        """
        config = self.get_run(run_id)["config"]
        spec = EnsembleSpec(
            scenarios=config["scenarios"],
            reps=config["reps"],
            base_seed=config["base_seed"],
            draws=config["draws"],
            base=config["base"],
            name=config["name"],
            kind=config["kind"],
        )
        planned = (
            [Member.from_key(k) for k in config["members"]]
            if config.get("members")
            else spec.members()
        )
        recorded = {row["member_key"] for row in self.members(run_id)}
        members = [m for m in planned if m.key in recorded]
        outputs = self.load_members(run_id, members)
        return EnsembleResult(spec, members, outputs, run_id)
