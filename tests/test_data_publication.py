"""Reading the publication in its three formats, and every validation error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from channelsim.data import read_publication
from channelsim.data.publication import edition_date_from_name
from channelsim.errors import InputError
from spreadsheets import make_rows, write_publication

FORMATS = ["ods", "xlsx", "csv"]
NAME = "27_May_2024_Small_boats_-_time_series"  # make_rows' days end on 26 May 2024


def _path(tmp_path: Path, fmt: str, name: str = NAME) -> Path:
    return tmp_path / (name if fmt == "csv" else f"{name}.{fmt}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_every_value_and_missing_marks(tmp_path: Path, fmt: str) -> None:
    daily, weekly = make_rows(seed=3)
    daily[5][4] = "Revised"
    pub = read_publication(write_publication(_path(tmp_path, fmt), daily, weekly, fmt))

    assert list(pub.daily.columns) == ["date", "people", "boats", "uncontrolled_boats", "notes"]
    assert list(pub.weekly.columns) == [
        "week_ending", "people", "boats", "uncontrolled_boats",
        "prevented_people", "prevented_events", "notes",
    ]  # fmt: skip
    assert pub.daily["date"].dt.date.tolist() == [r[0] for r in daily]
    assert pub.daily["people"].tolist() == [r[1] for r in daily]
    assert pub.daily["boats"].tolist() == [r[2] for r in daily]
    # "-" is not recorded: <NA>, never zero
    expected_uncontrolled = [pd.NA if r[3] == "-" else r[3] for r in daily]
    assert pub.daily["uncontrolled_boats"].tolist() == expected_uncontrolled
    assert pub.daily["uncontrolled_boats"].isna().sum() == 2
    assert str(pub.daily["people"].dtype) == "Int64"
    assert pub.daily["notes"].iloc[5] == "Revised" and pub.daily["notes"].isna().sum() == 27
    assert pub.weekly["week_ending"].dt.date.tolist() == [r[0] for r in weekly]
    assert pub.weekly["prevented_people"].tolist() == [r[4] for r in weekly]
    assert pub.edition_date == dt.date(2024, 5, 27)
    assert len(pub.sha256) == 64


def test_formats_agree_and_hash_tracks_content(tmp_path: Path) -> None:
    daily, weekly = make_rows(seed=1)
    pubs = [
        read_publication(write_publication(_path(tmp_path, fmt), daily, weekly, fmt))
        for fmt in FORMATS
    ]
    for other in pubs[1:]:
        pd.testing.assert_frame_equal(pubs[0].daily, other.daily)
        pd.testing.assert_frame_equal(pubs[0].weekly, other.weekly)
    again = read_publication(write_publication(tmp_path / "again", daily, weekly, "csv"))
    assert again.sha256 == pubs[2].sha256
    daily[0][4] = "Revised"
    changed = read_publication(write_publication(tmp_path / "changed", daily, weekly, "csv"))
    assert changed.sha256 != pubs[2].sha256


def test_header_found_without_title_rows_or_notes_and_csv_directory(tmp_path: Path) -> None:
    daily, weekly = make_rows()
    daily[2][4] = "Revised"
    folder = tmp_path / "pair"
    folder.mkdir()
    write_publication(folder / "edition", daily, weekly, "csv", title_rows=0)
    pub = read_publication(folder)
    assert len(pub.daily) == len(daily) and len(pub.weekly) == len(weekly)
    assert pub.daily["notes"].iloc[2] == "Revised"
    no_notes = write_publication(tmp_path / "x.ods", daily, weekly, drop_columns=["Notes"])
    assert read_publication(no_notes).daily["notes"].isna().all()


def test_edition_date_falls_back_to_day_after_last_daily_date(tmp_path: Path) -> None:
    daily, weekly = make_rows(start=dt.date(2024, 4, 29), days=28)
    pub = read_publication(write_publication(tmp_path / "latest.ods", daily, weekly))
    assert pub.edition_date == dt.date(2024, 5, 27)
    assert edition_date_from_name("31_December_2025_Small_boats") == dt.date(2025, 12, 31)
    assert edition_date_from_name("31_Decembre_2025") is None
    assert edition_date_from_name("31_February_2025") is None


UNCONTROLLED = "Boats arrived - involved in uncontrolled landings"
# (table, row index, column index, bad value, column heading, spreadsheet row, expected).
# Two title rows put the header on row 3, so the row at index i is spreadsheet row i + 4.
CELL_ERRORS = {
    "text-in-number": ("SB_01", 6, 1, "twelve", "Migrants arrived", 10, "whole number"),
    "negative": ("SB_01", 2, 2, -1, "Boats arrived", 6, "non-negative whole number"),
    "fraction": ("SB_01", 2, 2, 1.5, "Boats arrived", 6, "non-negative whole number"),
    "people-not-recorded": ("SB_01", 3, 1, "-", "Migrants arrived", 7, "000, found '-'"),
    "non-consecutive": ("SB_01", 4, 0, dt.date(2024, 5, 5), "Date", 8, "expected 2024-05-03"),
    "not-a-date": ("SB_01", 4, 0, "soon", "Date", 8, "expected a date"),
    "week-not-sunday": ("SB_02", 1, 0, dt.date(2024, 5, 11), "Week ending", 5, "a Sunday"),
    "week-gap": ("SB_02", 2, 0, dt.date(2024, 5, 26), "Week ending", 6, "expected 2024-05-19"),
    "boats-over-people": ("SB_01", 9, 2, 10**6, "Boats arrived", 13, "no more boats than"),
    "uncontrolled-over-boats": ("SB_02", 0, 3, 10**6, UNCONTROLLED, 4, "no more than the boats"),
    "week-not-sum-of-days": ("SB_02", 1, 1, 10**5, "Migrants arrived", 5, "sum of SB_01 over"),
}


@pytest.mark.parametrize("fmt", ["ods", "csv"])
@pytest.mark.parametrize("case", CELL_ERRORS)
def test_bad_cell_names_sheet_row_column(tmp_path: Path, fmt: str, case: str) -> None:
    table, index, column, value, heading, row, expected = CELL_ERRORS[case]
    daily, weekly = make_rows(seed=2)
    daily[9][1] = max(daily[9][1], 1)  # boats-over-people needs a day with people
    (daily if table == "SB_01" else weekly)[index][column] = value
    path = write_publication(_path(tmp_path, fmt), daily, weekly, fmt)
    with pytest.raises(InputError) as raised:
        read_publication(path, strict=True)
    message = str(raised.value)
    kind = "table" if fmt == "csv" else "sheet"
    assert f"{kind} {table}, row {row}, column '{heading}'" in message
    assert expected in message and "\n" not in message


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        (
            {"sheet_names": {"SB_01": "Daily"}},
            "sheet SB_01 not found; expected sheets SB_01 and SB_02",
        ),
        (
            {"drop_columns": ["Boats arrived"]},
            "sheet SB_01, row 3: column 'Boats arrived' not found",
        ),
        ({"drop_columns": ["Date"]}, "sheet SB_01: no header row with a 'Date' column"),
    ],
    ids=["renamed-sheet", "missing-column", "no-header"],
)
def test_bad_layout(tmp_path: Path, layout: dict, expected: str) -> None:
    daily, weekly = make_rows()
    path = write_publication(tmp_path / "x.ods", daily, weekly, **layout)
    with pytest.raises(InputError, match=expected):
        read_publication(path)


def test_notes_below_the_table_are_ignored_but_data_after_a_gap_is_an_error(
    tmp_path: Path,
) -> None:
    daily, weekly = make_rows()
    footnote = ["Source: Home Office, provisional operational data", None, None, None, None]
    noted = write_publication(tmp_path / "n.ods", [*daily, [None] * 5, footnote], weekly)
    assert len(read_publication(noted).daily) == len(daily)
    daily.insert(5, [None] * 5)
    path = write_publication(tmp_path / "x.ods", daily, weekly)
    with pytest.raises(InputError, match=r"sheet SB_01, row 10: no data after the blank row 9"):
        read_publication(path)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "x.ods", "file is empty"),
        (b"not a zip at all", "x.ods", "cannot read the workbook"),
        (None, "x.xlsx", "cannot read the workbook"),
        (b"a,b\n", "x.txt", "expected an .ods or .xlsx workbook"),
    ],
    ids=["empty", "not-a-workbook", "truncated", "unknown-type"],
)
def test_unreadable_files(tmp_path: Path, content: bytes | None, name: str, expected: str) -> None:
    path = tmp_path / name
    if content is None:  # a real workbook cut in half
        daily, weekly = make_rows()
        whole = write_publication(tmp_path / "whole.xlsx", daily, weekly, "xlsx").read_bytes()
        content = whole[: len(whole) // 2]
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected) as raised:
        read_publication(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("written", "renamed", "expected"),
    [
        ("ods", "x.xlsx", "expected an Excel workbook (.xlsx), as its name says, got an "
         "OpenDocument spreadsheet (.ods): give the file its .ods name"),
        ("xlsx", "x.ods", "expected an OpenDocument spreadsheet (.ods), as its name says, got "
         "an Excel workbook (.xlsx): give the file its .xlsx name"),
    ],
)  # fmt: skip
def test_a_workbook_renamed_to_another_kind_says_what_it_is(
    tmp_path: Path, written: str, renamed: str, expected: str
) -> None:
    """An .ods renamed .xlsx was 'cannot read the workbook (...); is the file truncated or
    corrupt?': the reader goes by the name."""
    daily, weekly = make_rows()
    whole = write_publication(tmp_path / f"whole.{written}", daily, weekly, written)
    path = whole.rename(tmp_path / renamed)
    with pytest.raises(InputError) as raised:
        read_publication(path)
    assert str(raised.value) == f"{path}: {expected}"


def test_missing_csv_partner_and_missing_file(tmp_path: Path) -> None:
    daily, weekly = make_rows()
    first = write_publication(tmp_path / "e", daily, weekly, "csv")
    (tmp_path / "e_SB_02.csv").unlink()
    with pytest.raises(InputError, match=r"e_SB_02\.csv: file not found"):
        read_publication(first)
    with pytest.raises(InputError, match="file not found"):
        read_publication(tmp_path / "absent.ods")


@pytest.mark.parametrize("name", ["zero.ods", "zero_SB_01.csv"])
def test_a_publication_file_that_is_a_device_is_refused_unread(tmp_path: Path, name: str) -> None:
    """A CSV of the pair symlinked to /dev/zero was one endless line to the CSV reader; an
    .ods one was said not to exist."""
    (tmp_path / name).symlink_to("/dev/zero")
    if name.endswith(".csv"):
        (tmp_path / "zero_SB_02.csv").symlink_to("/dev/zero")
    with pytest.raises(InputError, match=f"{name}: expected a file of the publication .*device"):
        read_publication(tmp_path / name)


def test_a_folder_of_workbooks_or_a_huge_csv_says_what_to_give(tmp_path: Path) -> None:
    """`data import FOLDER` of downloaded .ods editions answered about CSV pairs; a 1 GB CSV
    without a newline took 21 s to be refused."""
    daily, weekly = make_rows()
    books = tmp_path / "books"
    books.mkdir()
    write_publication(books / "edition.ods", daily, weekly, "ods")
    with pytest.raises(InputError, match=r"got a folder of 1 workbook \(edition.ods, ...\): give "
                       r"the files, e.g. .*books/\*\.ods"):  # fmt: skip
        read_publication(books)
    huge = tmp_path / "huge_SB_01.csv"
    with huge.open("wb") as handle:
        handle.truncate(65 * 2**20)
    (tmp_path / "huge_SB_02.csv").write_text("x\n")
    with pytest.raises(InputError, match=r"huge_SB_01\.csv: expected a table of the publication "
                       "of at most 64 MB"):  # fmt: skip
        read_publication(huge)


@pytest.mark.parametrize(
    ("name", "fmt", "published", "warned"),
    [
        (
            NAME,
            "ods",
            None,
            "taken from the file name, 27 May 2024 (the file holds no date "
            "of its own; its daily table ends on 26 May 2024)",
        ),
        (
            "30_June_2026_x",
            "ods",
            None,
            "taken from the file name, 30 Jun 2026 (the file "
            "holds no date of its own; its daily table ends on 26 May 2024, which that date "
            "cannot follow)",
        ),
        (
            "30_June_2026_x",
            "csv",
            None,
            "taken from the file name, 30 Jun 2026 (a CSV table "
            "holds no date; its daily table ends on 26 May 2024, which that date cannot follow)",
        ),
        (NAME, "csv", None, None),  # a CSV pair's name is all it has, and it fits
        (
            "30_June_2026_x",
            "ods",
            dt.date(2020, 1, 1),
            "taken from the file name, 30 Jun 2026 "
            "(the file's own date, 1 Jan 2020, cannot be its publication date; its daily table "
            "ends on 26 May 2024, which that date cannot follow)",
        ),
        (
            "29_May_2024_x",
            "xlsx",
            dt.date(2024, 5, 28),
            "the file name says 29 May 2024, but "
            "the file's own date is 28 May 2024 and its daily table ends on 26 May 2024: taken "
            "as the edition of 28 May 2024",
        ),
        ("mystery", "ods", None, None),  # no date anywhere: the day after the last row
    ],
)
def test_an_edition_date_not_held_by_the_file_is_warned_of(
    tmp_path: Path, name: str, fmt: str, published: dt.date | None, warned: str | None
) -> None:
    """The file's own date first; a name's date only with a warning saying why (s11 F15),
    except a CSV pair's that fits its table."""
    import warnings

    from channelsim.errors import ChannelsimWarning

    daily, weekly = make_rows()
    path = write_publication(_path(tmp_path, fmt, name), daily, weekly, fmt, published=published)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ChannelsimWarning)
        pub = read_publication(path)
    said = [str(w.message) for w in caught if issubclass(w.category, ChannelsimWarning)]
    assert said == ([] if warned is None else [f"{path}: edition date: {warned}"])
    expected = edition_date_from_name(name) or dt.date(2024, 5, 27)
    if published is not None and warned is not None and "own date is" in warned:
        expected = published
    assert pub.edition_date == expected
