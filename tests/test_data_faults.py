"""Every data fault is one line naming the file or option, the row or key and what was
expected, exit 2 (130 for Ctrl-C), and the store byte-identical afterwards: values out of
bounds, oversized tables, bad store paths, read-only and full disks, Ctrl-C, batches with a
bad file, and concurrent imports into one new store."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from channelsim.data import DataStore, read_publication
from conftest import CliResult
from spreadsheets import make_rows, rows_published_on, write_publication

Run = Callable[..., CliResult]
SCRIPT = Path(sys.executable).with_name("channelsim")


def _edition(
    folder: Path, day: int = 21, seed: int | None = None, fmt: str = "ods", **rows
) -> Path:
    """A small edition named like gov.uk's, published on ``day`` November 2025."""
    daily, weekly = rows_published_on(
        dt.date(2025, 11, day), seed=day if seed is None else seed, **rows
    )
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{day}_November_2025_Small_boats_-_time_series"
    target = folder / (stem if fmt == "csv" else f"{stem}.{fmt}")
    return write_publication(target, daily, weekly, fmt)  # type: ignore[arg-type]


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _one_line(result: CliResult, *parts: str, code: int = 2) -> str:
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    """Temporary folders an import may have left beside the store."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def store(tmp_path: Path, run_cli: Run) -> Path:
    """A store holding one edition."""
    path = tmp_path / "store" / "s.duckdb"
    result = run_cli("data", "import", _edition(tmp_path / "first", day=14), "--store", path)
    assert result.exit_code == 0, result.stderr
    return path


# ---- values out of bounds -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["ods", "csv"])
@pytest.mark.parametrize("count", [3_000_000_000, 10**20])
def test_counts_beyond_the_integer_range(
    run_cli: Run, tmp_path: Path, store: Path, fmt: str, count: int
) -> None:
    daily, weekly = make_rows()
    daily[3][1] = count
    path = write_publication(
        tmp_path / f"big.{fmt}" if fmt != "csv" else tmp_path / "big", daily, weekly, fmt
    )  # type: ignore[arg-type]
    before = _digest(store)
    result = run_cli("data", "import", path, "--store", store)
    table = "table" if fmt == "csv" else "sheet"
    _one_line(
        result,
        str(path),
        f"{table} SB_01, row 7, column 'Migrants arrived'",
        "expected a non-negative whole number up to 1,000,000",
        f"found {count}" if fmt == "ods" and count < 10**15 else "found",
    )
    assert _digest(store) == before and _leftovers(store.parent) == []


@pytest.mark.parametrize("fmt", ["ods", "xlsx", "csv"])
@pytest.mark.parametrize("day", [dt.date(1600, 1, 1), dt.date(2300, 1, 1)], ids=["1600", "2300"])
def test_dates_outside_what_the_data_can_hold(
    run_cli: Run, tmp_path: Path, store: Path, fmt: str, day: dt.date
) -> None:
    daily, weekly = make_rows()
    daily[0][0] = day if fmt != "csv" else day.isoformat()
    target = tmp_path / "dates" if fmt == "csv" else tmp_path / f"dates.{fmt}"
    path = write_publication(target, daily, weekly, fmt)  # type: ignore[arg-type]
    before = _digest(store)
    result = run_cli("data", "import", path, "--store", store)
    # (Excel cannot hold a date before 1900: openpyxl writes a time there, also refused.)
    bound = "expected a date" if fmt == "xlsx" and day.year < 1900 else "from 2000-01-01 to 2099"
    _one_line(result, "row 4, column 'Date'", bound)
    assert _digest(store) == before


def test_edition_date_in_the_file_name_out_of_range(run_cli: Run, tmp_path: Path) -> None:
    daily, weekly = make_rows()
    path = write_publication(tmp_path / "1_January_1600_Small_boats.ods", daily, weekly)
    result = run_cli("data", "import", path, "--store", tmp_path / "s.duckdb")
    _one_line(result, str(path), "file name: expected an edition date from 2000-01-01")
    assert not (tmp_path / "s.duckdb").exists()


@pytest.mark.parametrize("option", ["--as-of"])
def test_dates_given_as_options_are_bounded(run_cli: Run, store: Path, option: str) -> None:
    for value in ("1600-01-01", "2300-01-01"):
        result = run_cli("data", "brief", option, value, "--store", store)
        _one_line(result, option, "expected a date from 2000-01-01 to 2099-12-31")
    result = run_cli("data", "summary", "--to", "2262-01-01", "--store", store)
    _one_line(result, "--to", "expected a date from 2000-01-01")


# ---- oversized tables -----------------------------------------------------------------


def test_a_million_row_series_is_refused_before_it_is_parsed(
    run_cli: Run, tmp_path: Path, store: Path
) -> None:
    daily = tmp_path / "huge_SB_01.csv"
    with daily.open("w") as handle:
        handle.write(
            "Date,Migrants arrived,Boats arrived,"
            "Boats arrived - involved in uncontrolled landings,Notes\n"
        )
        handle.writelines("2024-01-01,0,0,-,\n" for _ in range(1_000_000))
    (tmp_path / "huge_SB_02.csv").write_text(
        "Week ending,Migrants arrived,Boats arrived,"
        "Boats arrived - involved in uncontrolled landings,Migrants prevented,Events prevented\n"
    )
    before = _digest(store)
    result = run_cli("data", "import", daily, "--store", store)
    _one_line(result, f"{daily}: table SB_01: 1,000,001 rows; expected at most 40,000", "3,000")
    assert _digest(store) == before


def test_a_workbook_over_the_row_bound_is_refused_from_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channelsim.data import publication
    from channelsim.errors import InputError

    path = _edition(tmp_path)  # 28 days below a header, a blank and a title row: 31 rows
    monkeypatch.setattr(publication, "MAX_TABLE_ROWS", 20)
    with pytest.raises(InputError, match=r"sheet SB_01: 31 rows; expected at most 20 \("):
        read_publication(path)


def test_a_workbook_too_large_is_refused_from_its_zip_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A million-row ODS holds about 300 MB of XML: refused before calamine parses it."""
    from channelsim.data import publication
    from channelsim.errors import InputError

    path = _edition(tmp_path)
    monkeypatch.setattr(publication, "MAX_SHEET_XML_BYTES", 1000)

    def never(*args: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_path", never)
    with pytest.raises(InputError, match=r"MB of cells; expected at most 0 MB, room for 40,000"):
        read_publication(path)


def _never_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_path", never)


def _ods_with(path: Path, cell: str, row_attrs: str = "") -> Path:
    """``path`` (an ODS) with ``cell`` added to SB_01's first row (and ``row_attrs`` on it),
    written again as an ODS (mimetype first, stored)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    content = members["content.xml"].decode()
    table = content.index('table:name="SB_01"')
    row = re.compile(r"<table:table-row([^>]*)>").search(content, table)
    assert row is not None
    members["content.xml"] = (
        content[: row.start()] + f"<table:table-row{row[1]}{row_attrs}>" + cell
        + content[row.end():]
    ).encode()  # fmt: skip
    out = path.with_name(f"edited-{path.name}")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", members.pop("mimetype"), zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return out


VALUE = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'


@pytest.mark.parametrize(
    ("cell", "row_attrs", "said"),
    [
        (VALUE.replace("<table:table-cell ", '<table:table-cell table:number-columns-repeated='
                       '"1000000000" '), "", "a value in column 1,000,000,005"),
        ('<table:table-cell table:number-columns-repeated="16000"/>' + VALUE, "",
         "a value in column 16,006"),
        (VALUE, ' table:number-rows-repeated="1000000000"', "1,000,000,0"),
    ],
    ids=["repeated-across", "far-right", "repeated-down"],
)  # fmt: skip
def test_a_workbook_too_wide_or_tall_is_refused_before_its_cells_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str, row_attrs: str, said: str
) -> None:
    """One cell given a value far to the right (or repeated a billion times across or
    down) of an 80 kB edition took 1.5-3.6 GB and 25 s, or a Rust panic's traceback: the
    reader builds rows × columns cells. The extent is read from the XML first (s12 B1)."""
    from channelsim.errors import InputError

    path = _ods_with(_edition(tmp_path), cell, row_attrs)
    _never_opened(monkeypatch)
    with pytest.raises(InputError) as caught:
        read_publication(path)
    assert f"{path}: sheet SB_01: " in str(caught.value) and said in str(caught.value)


def test_an_xlsx_cell_in_column_xfd_is_refused_before_its_cells_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    from channelsim.errors import InputError

    path = _edition(tmp_path, fmt="xlsx")
    book = openpyxl.load_workbook(path)
    book["SB_01"]["XFD40"] = "x"
    book.save(path)
    _never_opened(monkeypatch)
    with pytest.raises(InputError) as caught:
        read_publication(path)
    assert str(caught.value) == (
        f"{path}: sheet SB_01: expected a table of at most 64 columns (the official tables use "
        "5 to 7), got a cell with a value in column 16,384: clear it"
    )


def _xlsx_edited(path: Path, member: str, edit: object) -> Path:
    """``path`` (an XLSX) with its zip member ``member`` replaced by ``edit(text)``."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = edit(members.get(member, b"").decode()).encode()  # type: ignore[operator]
    out = path.with_name(f"edited-{path.name}")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out


@pytest.mark.parametrize(
    ("reference", "said"),
    [
        ("ZZZZZ2", "got a cell with a value in column 12,356,630"),
        ("xfd2", "got a cell with a value in column 16,384"),
        ("B30000000", "30,000,000 rows; expected at most 40,000"),
    ],
)
def test_an_xlsx_cell_placed_by_its_own_reference_is_refused_before_its_cells_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: str, said: str
) -> None:
    """The reader places a cell by its own reference, whatever its row says: B2 edited to
    ZZZZZ2 (or B99999999999) asked for 1.2 TB and aborted the process (rc 134, a Rust
    backtrace), xfd2 took 2 GB, B30000000 inside row 2 4.8 GB (s12 breaker B11)."""
    import re

    import openpyxl

    from channelsim.errors import InputError

    path = _edition(tmp_path, fmt="xlsx")
    book = openpyxl.load_workbook(path)
    book["SB_01"]["B2"] = 5
    book.save(path)
    sheet = "xl/worksheets/sheet2.xml"  # the cover sheet, then SB_01
    edited = _xlsx_edited(path, sheet, lambda text: re.sub(r'r="B2"', f'r="{reference}"', text))
    _never_opened(monkeypatch)
    with pytest.raises(InputError) as caught:
        read_publication(edited)
    assert str(caught.value).startswith(f"{edited}: sheet SB_01") and said in str(caught.value)


@pytest.mark.parametrize(
    ("part", "said"),
    [
        ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
         'uniqueCount="4000000000"><si><t>x</t></si></sst>',
         "xl/sharedStrings.xml: expected at most 5,120,000 shared strings"),
        ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         + "<si><t>" + "x" * 200_000_000 + "</t></si></sst>",
         "the workbook unpacks to 200 MB; expected at most 128 MB"),
    ],
    ids=["count", "size"],
)  # fmt: skip
def test_an_xlsx_s_shared_strings_are_bounded_before_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part: str, said: str
) -> None:
    """A shared-strings part declaring 4 billion strings made the reader ask for 96 GB and
    abort; an unused 1 GB one took 1.2 GB to read (s12 breaker B1, B11)."""
    from channelsim.errors import InputError

    path = _xlsx_edited(_edition(tmp_path, fmt="xlsx"), "xl/sharedStrings.xml", lambda _: part)
    _never_opened(monkeypatch)
    with pytest.raises(InputError) as caught:
        read_publication(path)
    assert str(caught.value).startswith(f"{path}: ") and said in str(caught.value)


def test_a_reader_out_of_memory_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channelsim.errors import InputError

    path = _edition(tmp_path)

    def out_of_memory(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_path", out_of_memory)
    with pytest.raises(InputError, match=r"cannot read the workbook \(it ran out of memory\)"):
        read_publication(path)


# ---- store paths ----------------------------------------------------------------------


def test_store_path_under_a_regular_file(run_cli: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    result = run_cli("data", "import", _edition(tmp_path), "--store", blocker / "sub" / "s.duckdb")
    _one_line(result, f"{blocker} is a file, not a folder")
    assert blocker.read_text() == "mine"


def test_store_path_that_is_a_folder_or_someone_elses_file(run_cli: Run, tmp_path: Path) -> None:
    edition = _edition(tmp_path)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    _one_line(run_cli("data", "import", edition, "--store", folder), str(folder), "folder")
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]

    text = tmp_path / "notes.duckdb"
    text.write_text("not a database")
    line = _one_line(run_cli("data", "import", edition, "--store", text), "is not a DuckDB file")
    assert "IO Error" not in line and "valid DuckDB database" not in line  # DuckDB's own text
    assert text.read_text() == "not a database"

    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE accounts (x INTEGER)")
    before = _digest(other)
    _one_line(run_cli("data", "import", edition, "--store", other), "not a channelsim data store")
    assert _digest(other) == before
    for command in ("editions", "summary", "brief"):
        _one_line(run_cli("data", command, "--store", other), "not a channelsim data store")
    # the results store given as --store: said what it is and what to give instead
    results = tmp_path / "runs.duckdb"
    with duckdb.connect(str(results)) as con:
        con.execute("CREATE TABLE runs (x INTEGER); CREATE TABLE members (x INTEGER)")
    before = _digest(results)
    _one_line(
        run_cli("data", "import", edition, "--store", results),
        "not a channelsim data store: it is the results store, with tables members, runs (no "
        "editions table); expected the data store (such as store.duckdb) or a new path; the "
        "file was not changed",
    )
    assert _digest(results) == before


@pytest.mark.parametrize(
    "command",
    [("data", "editions"), ("data", "summary"), ("data", "brief"),
     ("data", "report", "-o", "r.html")],
    ids=["editions", "summary", "brief", "report"],
)  # fmt: skip
def test_commands_on_a_store_that_does_not_exist_say_so(
    run_cli: Run, tmp_path: Path, command: tuple[str, ...]
) -> None:
    absent = tmp_path / "absent" / "s.duckdb"
    result = run_cli(*command, "--store", absent)
    _one_line(result, str(absent), "no data store here (the file does not exist)")
    assert not absent.parent.exists() and not (Path.cwd() / "r.html").exists()


def _a_run(run_cli: Run, folder: Path) -> Path:
    """A three-day run's output folder, in ``folder``."""
    scenario = folder / "short.toml"
    scenario.write_text('name = "short"\nstart = 2025-06-01\nend = 2025-06-03\nseed = 4\n')
    done = run_cli("run", scenario, "--out", folder / "run")
    assert done.exit_code == 0, done.stderr
    return folder / "run"


@pytest.mark.parametrize(
    "command",
    [("data", "editions"), ("data", "import", "EDITION"), ("report", "RUN", "-o", "r.html"),
     ("demo", "--out", "demo")],
    ids=["editions", "import", "report", "demo"],
)  # fmt: skip
def test_a_store_variable_at_a_broken_link_is_refused_not_read_as_empty(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    """`demo` and `report` with $CHANNELSIM_STORE at a broken symbolic link said the store was
    "empty" and exited 0; `data editions` said the file did not exist."""
    link = tmp_path / "store.duckdb"
    link.symlink_to(tmp_path / "moved" / "store.duckdb")
    monkeypatch.setenv("CHANNELSIM_STORE", str(link))
    monkeypatch.chdir(tmp_path)
    made = {"EDITION": lambda: _edition(tmp_path / "e"), "RUN": lambda: _a_run(run_cli, tmp_path)}
    given = [made[a]() if a in made else a for a in command]
    before = sorted(p.name for p in tmp_path.iterdir())
    _one_line(
        run_cli(*given),
        f"$CHANNELSIM_STORE={link}: is a symbolic link to {tmp_path / 'moved' / 'store.duckdb'}",
        "which does not exist",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before and link.is_symlink()


def test_an_empty_store_option_names_the_option(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--store ''` said ".: is a folder"; `--runs-store ''` named its option (an empty
    $CHANNELSIM_STORE, by contrast, counts as unset: the README says so)."""
    for command in (("data", "editions"), ("claims", "claims.yaml")):
        _one_line(run_cli(*command, "--store", ""), "--store: expected the data store's file")
    monkeypatch.setenv("CHANNELSIM_STORE", "")
    line = _one_line(run_cli("data", "editions"), "store.duckdb: no data store here")
    assert "$CHANNELSIM_STORE" not in line


# ---- a batch is all or nothing --------------------------------------------------------


def test_a_batch_with_a_bad_file_imports_nothing(run_cli: Run, tmp_path: Path, store: Path) -> None:
    good = _edition(tmp_path / "good", day=21)
    daily, weekly = make_rows()
    daily[2][1] = "lots"
    bad = write_publication(tmp_path / "bad", daily, weekly, "csv")
    before = _digest(store)
    result = run_cli("data", "import", good, bad, "--store", store)
    _one_line(result, str(bad), "table SB_01, row 6, column 'Migrants arrived'")
    assert _digest(store) == before


def test_a_store_failure_on_the_second_edition_imports_neither(
    run_cli: Run, tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channelsim.data import store as store_module

    real = store_module._insert_one
    calls: list[int] = []

    def failing(con: duckdb.DuckDBPyConnection, pub: object, edition: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise duckdb.IOException("IO Error: No space left on device")
        real(con, pub, edition)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "_insert_one", failing)
    first = _edition(tmp_path / "a", day=21, seed=1)
    second = _edition(tmp_path / "b", day=28, seed=2)
    before = _digest(store)
    result = run_cli("data", "import", first, second, "--store", store)
    _one_line(result, str(store), "No space left on device", "the store is unchanged")
    assert len(calls) == 2 and _digest(store) == before
    assert _leftovers(store.parent) == []


# ---- Ctrl-C ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "interruption",
    [KeyboardInterrupt, RuntimeError("Query interrupted")],  # the latter: DuckDB's register
    ids=["keyboard-interrupt", "duckdb-query-interrupted"],
)
@pytest.mark.parametrize("existing", [True, False], ids=["existing-store", "new-store"])
def test_ctrl_c_during_the_write_leaves_the_store_as_it_was(
    run_cli: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    existing: bool,
    interruption: BaseException | type[BaseException],
) -> None:
    from channelsim.data import store as store_module

    path = tmp_path / "store" / "s.duckdb"
    if existing:
        assert (
            run_cli("data", "import", _edition(tmp_path / "a", day=14), "--store", path).exit_code
            == 0
        )

    def interrupted(*args: object) -> None:
        raise interruption

    monkeypatch.setattr(store_module, "_insert_one", interrupted)
    before = _digest(path)
    result = run_cli("data", "import", _edition(tmp_path / "b"), "--store", path)
    assert _one_line(result, code=130) == f"interrupted; the data store {path} is unchanged"
    assert _digest(path) == before
    assert path.parent.exists() == existing
    if existing:
        assert _leftovers(path.parent) == []


def _has_open(pid: int, folder: Path) -> bool:
    try:
        return any(
            os.readlink(f"/proc/{pid}/fd/{fd}") == str(folder)
            for fd in os.listdir(f"/proc/{pid}/fd")
        )
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc")
def test_a_real_ctrl_c_while_waiting_for_another_import(tmp_path: Path, store: Path) -> None:
    """The test holds the store folder's lock, as a running import would; the CLI waits for
    it and gets SIGINT there: exit 130, one line, no traceback, store untouched."""
    import fcntl

    before = _digest(store)
    holder = os.open(store.parent, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        child = subprocess.Popen(
            [SCRIPT, "data", "import", _edition(tmp_path / "b"), "--store", store],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not _has_open(child.pid, store.parent) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _has_open(child.pid, store.parent), "the import never reached the lock"
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        os.close(holder)
    assert child.returncode == 130, err
    assert out == "" and err.strip() == f"interrupted; the data store {store} is unchanged"
    assert _digest(store) == before and _leftovers(store.parent) == []


# ---- concurrent imports ---------------------------------------------------------------


def _import_at_once(
    path: Path, pub: object, barrier: threading.Barrier, errors: list[BaseException]
) -> None:
    try:
        barrier.wait()
        DataStore(path).import_publication(pub)  # type: ignore[arg-type]
    except BaseException as error:  # reported by the test
        errors.append(error)


def test_concurrent_imports_into_one_new_store_all_land(tmp_path: Path) -> None:
    """Rounds of three importers started together on a store that does not exist yet (two
    of them with the same file): every edition lands, nothing is lost or left behind."""
    publications = [
        read_publication(_edition(tmp_path / f"e{i}", day=day, seed=i))
        for i, day in enumerate((7, 14, 21))
    ]
    for round_ in range(15):
        path = tmp_path / f"race-{round_}" / "s.duckdb"
        chosen = [publications[0], publications[1], publications[round_ % 2]]
        barrier = threading.Barrier(len(chosen))
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_import_at_once, args=(path, pub, barrier, errors))
            for pub in chosen
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        stored = DataStore(path).editions()
        assert sorted(stored["sha256"]) == sorted({p.sha256 for p in chosen}), round_
        assert _leftovers(path.parent) == []


def test_two_cli_imports_at_once_on_a_new_store(tmp_path: Path) -> None:
    first = _edition(tmp_path / "a", day=14, seed=1)
    second = _edition(tmp_path / "b", day=21, seed=2)
    for round_ in range(3):
        path = tmp_path / f"cli-race-{round_}" / "s.duckdb"
        children = [
            subprocess.Popen(
                [SCRIPT, "data", "import", edition, "--store", path, "--format", "json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for edition in (first, second)
        ]
        outputs = [child.communicate(timeout=120) for child in children]
        for child, (out, err) in zip(children, outputs, strict=True):
            assert child.returncode == 0, err
            assert json.loads(out)[0]["status"] == "imported"
        assert len(DataStore(path).editions()) == 2, round_
        assert _leftovers(path.parent) == []


# ---- read-only and full disks (in a private mount namespace) --------------------------

_NAMESPACE_SCRIPT = r"""
import hashlib, json, os, subprocess, sys
mnt, script, first, second, mode = sys.argv[1:6]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt], check=True)
store = os.path.join(mnt, "s.duckdb")
def digest():
    return hashlib.sha256(open(store, "rb").read()).hexdigest() if os.path.exists(store) else None
setup = subprocess.run([script, "data", "import", first, "--store", store], capture_output=True)
if mode == "read-only":
    subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
else:
    with open(os.path.join(mnt, "filler"), "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    if mode == "full-new":
        store = os.path.join(mnt, "new", "s.duckdb")
before = digest()
result = subprocess.run([script, "data", "import", second, "--store", store],
                        capture_output=True, text=True)
print(json.dumps({"setup": setup.returncode, "code": result.returncode, "out": result.stdout,
                  "err": result.stderr, "before": before, "after": digest(),
                  "listing": sorted(os.listdir(mnt))}))
"""


@pytest.mark.parametrize("mode", ["read-only", "full", "full-new"])
def test_read_only_and_full_disks(tmp_path: Path, mode: str) -> None:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is not available to make a private tmpfs")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    first, second = _edition(tmp_path / "a", day=14, seed=1), _edition(tmp_path / "b", seed=2)
    script = tmp_path / "inside.py"
    script.write_text(_NAMESPACE_SCRIPT)
    run = subprocess.run(
        [unshare, "-rm", sys.executable, script, mnt, SCRIPT, first, second, mode],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode != 0:
        pytest.skip(f"cannot mount a private tmpfs here: {run.stderr.strip()[-200:]}")
    found = json.loads(run.stdout)
    assert found["setup"] == 0
    expected = "Read-only file system" if mode == "read-only" else "No space left on device"
    result = CliResult(found["code"], found["out"], found["err"])
    parts = [expected] if mode == "full-new" else ["cannot write the data store", expected]
    _one_line(result, *parts)
    assert found["after"] == found["before"]
    assert found["listing"] == (["s.duckdb"] if mode == "read-only" else ["filler", "s.duckdb"])
