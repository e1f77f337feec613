"""``channelsim data ...``: one-line errors that leave the store untouched, import, summary,
and download from a local web server."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from channelsim.data.publication import edition_date_from_name
from conftest import CliResult, local_server
from spreadsheets import make_rows, rows_published_on, write_publication

NAME = "21_November_2025_Small_boats_-_time_series"
Run = Callable[..., CliResult]


def _good(tmp_path: Path, name: str = NAME, **rows_kwargs) -> Path:
    published = edition_date_from_name(name)
    assert published is not None, name
    daily, weekly = rows_published_on(published, **rows_kwargs)
    return write_publication(tmp_path / f"{name}.ods", daily, weekly)


def _state(store: Path) -> str | None:
    return hashlib.sha256(store.read_bytes()).hexdigest() if store.exists() else None


def _bad_file(tmp_path: Path, case: str) -> Path:
    daily, weekly = make_rows()
    path = tmp_path / "bad" / f"{case}.ods"
    path.parent.mkdir(exist_ok=True)
    if case == "truncated":
        whole = _good(tmp_path / "bad").read_bytes()
        path.write_bytes(whole[: len(whole) // 2])
        return path
    if case == "empty":
        path.write_bytes(b"")
        return path
    if case == "renamed-sheet":
        return write_publication(path, daily, weekly, sheet_names={"SB_01": "Daily"})
    if case == "text-in-number":
        daily[3][1] = "about 40"
    elif case == "non-consecutive":
        del daily[10]
    elif case == "week-not-sunday":
        weekly[1][0] = weekly[1][0].replace(day=weekly[1][0].day - 1)
    elif case == "boats-over-people":
        daily[4][1:3] = [2, 3]
    return write_publication(path, daily, weekly)


BAD = {
    "truncated": "cannot read the workbook",
    "empty": "file is empty",
    "renamed-sheet": "sheet SB_01 not found; expected sheets SB_01 and SB_02",
    "text-in-number": "sheet SB_01, row 7, column 'Migrants arrived': expected a non-negative",
    "non-consecutive": "sheet SB_01, row 14, column 'Date': expected",
    "week-not-sunday": "sheet SB_02, row 5, column 'Week ending': expected a Sunday",
    "boats-over-people": "sheet SB_01, row 8, column 'Boats arrived': expected no more boats",
}


@pytest.mark.parametrize("populated", [False, True], ids=["new-store", "existing-store"])
@pytest.mark.parametrize("case", BAD)
def test_bad_file_is_one_line_exit_2_and_store_untouched(
    run_cli: Run, tmp_path: Path, case: str, populated: bool
) -> None:
    store = tmp_path / "store" / "s.duckdb"
    if populated:
        assert run_cli("data", "import", _good(tmp_path), "--store", store).exit_code == 0
    before = _state(store)
    bad = _bad_file(tmp_path, case)
    # a good file listed first is not imported either: every file is validated first
    good = _good(tmp_path, "31_December_2025_x", days=35)
    result = run_cli("data", "import", good, bad, "--store", store)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and BAD[case] in lines[0]
    assert _state(store) == before
    assert store.parent.exists() == populated


def test_import_twice_then_summary_json(run_cli: Run, tmp_path: Path) -> None:
    path = _good(tmp_path, "24_November_2025_Small_boats_-_time_series")  # whole weeks
    store = tmp_path / "s.duckdb"
    first = run_cli("data", "import", path, "--store", store, "--format", "json")
    assert first.exit_code == 0, first.stderr
    (row,) = json.loads(first.stdout)
    assert row["status"] == "imported" and row["edition_date"] == "2025-11-24"
    before = _state(store)
    again = run_cli("data", "import", path, "--store", store, "--format", "csv")
    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert _state(store) == before

    _, weekly = rows_published_on(dt.date(2025, 11, 24))
    summary = run_cli("data", "summary", "--by", "week", "--store", store, "--format", "json")
    assert summary.exit_code == 0, summary.stderr
    weeks = json.loads(summary.stdout)
    assert [w["week"] for w in weeks] == [r[0].isoformat() for r in weekly]
    assert [w["people"] for w in weeks] == [r[1] for r in weekly]
    assert [w["prevented_people"] for w in weeks] == [r[4] for r in weekly]

    listing = run_cli("data", "editions", "--store", store, "--format", "json")
    assert [e["sha256"] for e in json.loads(listing.stdout)] == [row["sha256"]]
    table = run_cli("data", "summary", "--by", "month", "--store", store)
    assert table.exit_code == 0 and "arrivals by month (latest edition 24 Nov 2025)" in table.stdout


def test_a_summary_of_a_range_without_data_says_so_and_what_the_data_cover(
    run_cli: Run, tmp_path: Path
) -> None:
    """An empty table with no note made a range outside the data look like a quiet period."""
    store = tmp_path / "s.duckdb"
    assert run_cli("data", "import", _good(tmp_path), "--store", store).exit_code == 0
    daily, _ = rows_published_on(dt.date(2025, 11, 21))
    covered = f"cover {daily[0][0]:%Y-%m-%d} to"
    table = run_cli(
        "data", "summary", "--store", store, "--from", "2019-01-01", "--to", "2019-12-31"
    )
    said = " ".join(table.stdout.split())
    assert table.exit_code == 0 and "No published figures from 2019-01-01 to 2019-12-31" in said
    assert covered in said and "Migrants arrived" not in said
    as_json = run_cli(
        "data", "summary", "--store", store, "--from", "2030-01-01", "--format", "json"
    )
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == []
    assert "No published figures from 2030-01-01 to the end" in " ".join(as_json.stderr.split())


def test_default_store_comes_from_the_environment(run_cli: Run, tmp_path: Path) -> None:
    # conftest points CHANNELSIM_STORE at tmp_path/default-store.duckdb
    assert run_cli("data", "import", _good(tmp_path)).exit_code == 0
    assert (tmp_path / "default-store.duckdb").exists()


def test_summary_of_an_empty_store_and_bad_dates(run_cli: Run, tmp_path: Path) -> None:
    empty = run_cli("data", "summary", "--store", tmp_path / "none.duckdb")
    assert empty.exit_code == 2 and "no data store here" in empty.stderr
    assert not (tmp_path / "none.duckdb").exists()
    bad = run_cli("data", "summary", "--from", "2024-02-30")
    assert bad.exit_code == 2 and "--from: expected a date YYYY-MM-DD" in bad.stderr
    backwards = run_cli("data", "summary", "--from", "2025-06-01", "--to", "2025-01-01")
    assert backwards.exit_code == 2 and len(backwards.stderr.strip().splitlines()) == 1
    assert "--from: expected a day on or before --to 2025-01-01, got 2025-06-01" in (
        backwards.stderr
    )


class _Site(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A web server on 127.0.0.1 serving the files of a directory."""
    root = tmp_path / "site"
    root.mkdir()
    with local_server(lambda *a: _Site(*a, directory=str(root))) as base:
        yield base, root


def test_download_finds_the_time_series_link_and_imports(
    run_cli: Run, tmp_path: Path, site: tuple[str, Path]
) -> None:
    base, root = site
    (root / "media").mkdir()
    _good(root / "media")
    (root / "media" / "Other_tables.ods").write_bytes(b"not this one")
    (root / "page.html").write_text(
        '<html><body><a href="/media/Other_tables.ods">Other tables</a>'
        f'<a class="govuk-link" href="media/{NAME}.ods">Small boats – time series</a>'
        "</body></html>"
    )
    store, to = tmp_path / "s.duckdb", tmp_path / "downloads"
    result = run_cli(
        "data", "download", "--page-url", f"{base}/page.html", "--to", to, "--store", store,
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["status"] == "imported" and row["edition_date"] == "2025-11-21"
    assert sorted(p.name for p in to.iterdir()) == [f"{NAME}.ods"]


def test_download_never_replaces_a_file_of_the_user_s(
    run_cli: Run, tmp_path: Path, site: tuple[str, Path]
) -> None:
    """`data download --to DIR` replaced a file of DIR with the edition's name, whatever it
    held (the user's annotated copy, say); the same bytes, or an edition channelsim imported
    into its own folder beside the store, are the only ones it replaces."""
    base, root = site
    (root / "media").mkdir()
    _good(root / "media")
    (root / "page.html").write_text(f'<a href="media/{NAME}.ods">Small boats – time series</a>')
    store, to = tmp_path / "s.duckdb", tmp_path / "mine"
    to.mkdir()
    (to / f"{NAME}.ods").write_bytes(b"my annotated copy")
    args = ["data", "download", "--page-url", f"{base}/page.html", "--store", store]
    result = run_cli(*args, "--to", to)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert f"{to / NAME}.ods: --to: expected a new file name" in result.stderr
    assert "nothing was replaced" in result.stderr
    assert (to / f"{NAME}.ods").read_bytes() == b"my annotated copy"
    assert sorted(p.name for p in to.iterdir()) == [f"{NAME}.ods"] and not store.exists()
    (to / f"{NAME}.ods").write_bytes((root / "media" / f"{NAME}.ods").read_bytes())
    assert run_cli(*args, "--to", to).exit_code == 0  # the same bytes: nothing is lost
    # channelsim's own folder beside the store: an edition it imported is its own to replace
    assert run_cli(*args).exit_code == 0
    own = tmp_path / "downloads" / f"{NAME}.ods"
    assert run_cli(*args).exit_code == 0 and own.is_file()
    own.write_bytes(b"edited since")
    assert run_cli(*args).exit_code == 2 and own.read_bytes() == b"edited since"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_download_errors_are_one_line(run_cli: Run, tmp_path: Path, site: tuple[str, Path]) -> None:
    base, root = site
    (root / "empty.html").write_text("<html><a href='/data.csv'>CSV</a></html>")
    (root / "broken.html").write_text("<a href='/missing_time_series.ods'>time series</a>")
    cases = {
        f"http://127.0.0.1:{_free_port()}/page": "cannot reach 127.0.0.1 (the connection was "
        "refused); tried http://127.0.0.1:",
        # no network: the resolver's "[Errno -2] Name or service not known" was the line
        "http://channelsim-test.invalid/page": "cannot reach channelsim-test.invalid (its name "
        "could not be looked up: no network, or no name server); tried "
        "http://channelsim-test.invalid/page; the rest of channelsim works offline: import an "
        "edition you downloaded yourself with `channelsim data import FILE.ods`",
        f"{base}/empty.html": "no .ods link on the page",
        f"{base}/broken.html": "missing_time_series.ods: the server answered HTTP 404",
        "ftp://example.org/page": "expected an http(s) address",
    }
    store, to = tmp_path / "s.duckdb", tmp_path / "downloads"
    for url, expected in cases.items():
        result = run_cli("data", "download", "--page-url", url, "--to", to, "--store", store)
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1 and expected in result.stderr
        assert "Errno" not in result.stderr and "Error:" not in result.stderr
    assert not store.exists()
    assert not to.exists() or not any(to.iterdir())  # no partial download left behind
