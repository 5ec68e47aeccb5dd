"""Loading CSV files: every row read is loaded, rejected with its reason, or counted as a duplicate.

Fixture files live in tests/data/ingest/; variations are written to tmp_path. Row numbers are
spreadsheet rows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import gzip
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.display import technical_text
from phasekpi.ingest import load_file, load_files
from phasekpi.mapping import propose_mapping
from phasekpi.problems import FileReport, Problem, Rejection
from phasekpi.schema import TABLES, Store, open_store

DATA = Path(__file__).parent / "data" / "ingest"
CATALOGUE = default_catalogue()


@pytest.fixture
def store() -> Store:
    return open_store(CATALOGUE)


def table_counts(store: Store) -> dict[str, int]:
    return {name: store.con.execute(f'SELECT count(*) FROM "{spec.rows_table}"').fetchone()[0]
            for name, spec in TABLES.items()}


def load(store: Store, path: Path, name: str | None = None) -> FileReport:
    """load_file, checking the bookkeeping every time: nothing lost, nothing counted twice."""
    before = table_counts(store)
    report = load_file(store, path, name or path.name)
    after = table_counts(store)
    assert report.balanced
    assert report.rows_read == (report.rows_loaded + report.rows_updated + report.rows_rejected + report.duplicates
                                + report.footer_lines)
    assert report.rows_rejected >= len({r.row for r in report.rejections})  # details are capped per reason
    grown = {table: after[table] - before[table] for table in TABLES}
    assert grown == {table: report.rows_loaded if table == report.kind else 0 for table in TABLES}
    return report


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def rows_of(store: Store, table: str, columns: str) -> list[tuple]:
    return store.con.execute(f'SELECT {columns} FROM "{table}_rows" ORDER BY source_file, source_row').fetchall()


# ----------------------------------------------------------------------------- good files

GOOD_ROWS = [  # what activities_good.csv becomes: spellings of dates, numbers, flags and channels
    ("a1", datetime(2025, 4, 1, 9, 0), "佐藤 健", "call", "接続", 150.0, None, None, 2),
    ("a2", datetime(2025, 4, 1, 9, 30), "佐藤 健", "call", "不在", 1200.0, None, None, 3),  # 2025/04/01, "1,200"
    ("a3", datetime(2025, 4, 2, 10, 15), "鈴木 美咲", "call", "アポ獲得", 95.5, None, None, 4),  # 2025年4月2日
    ("a4", datetime(2025, 4, 2, 11, 0), "鈴木 美咲", "email", None, None, True, False, 5),  # TRUE / no
    ("a5", datetime(2025, 4, 3, 0, 0), "鈴木 美咲", "email", None, None, True, True, 6),  # はい / 1
    ("a6", datetime(2025, 4, 3, 0, 0), "佐藤 健", "other", None, None, False, None, 7),  # × / blank
    ("a7", datetime(2025, 4, 3, 12, 0), "佐藤 健", "call", "Connected", 30.0, None, None, 8),  # spaces trimmed
]
GOOD_COLUMNS = "activity_id, occurred_at, rep, channel, outcome, duration_sec, email_opened, email_replied, source_row"


def test_good_file(store: Store):
    report = load(store, DATA / "activities_good.csv")
    assert report == FileReport(file="activities_good.csv", kind="activities", encoding="utf-8",
                                rows_read=7, rows_loaded=7)
    assert rows_of(store, "activities", GOOD_COLUMNS) == GOOD_ROWS
    assert {r[0] for r in rows_of(store, "activities", "source_file")} == {"activities_good.csv"}


def test_a_load_says_how_long_each_stage_took(store: Store):
    report = load(store, DATA / "activities_good.csv")
    assert [stage for stage, _ in report.stages] == ["read", "stage", "time_of_day", "typing", "rejections", "apply"]
    assert all(seconds >= 0 for _, seconds in report.stages)
    assert "DuckDBで読み取り" in technical_text(report, "ja") and "typing and checks" in technical_text(report, "en")


def test_gzip_csv_loads_like_the_plain_file(store: Store, tmp_path: Path):
    packed = tmp_path / "activities.csv.gz"
    packed.write_bytes(gzip.compress((DATA / "activities_good.csv").read_bytes()))
    report = load(store, packed, "crm export.csv.gz")
    assert report == FileReport(file="crm export.csv.gz", kind="activities", encoding="utf-8",
                                rows_read=7, rows_loaded=7)
    assert rows_of(store, "activities", GOOD_COLUMNS) == GOOD_ROWS


def test_bom_and_crlf(store: Store, tmp_path: Path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffoccurred_at,rep,channel\r\n2025-04-01,A,call\r\n2025-04-01,A,call,x\r\n"
                     "2025-04-0x,B,call\r\n2025-04-02,B,email\r\n".encode())
    report = load(store, path)
    assert (report.kind, report.rows_read, report.rows_loaded) == ("activities", 4, 2)
    assert [(r.row, r.column, r.value.strip(), r.problem.key) for r in report.rejections] == [
        (3, "#4", "2025-04-01,A,call,x", "malformed_row"), (4, "occurred_at", "2025-04-0x", "bad_date")]
    assert rows_of(store, "activities", "rep, channel, source_row") == [("A", "call", 2), ("B", "email", 5)]


@pytest.mark.parametrize(("header", "kind"), [
    (["activity_id", "occurred_at", "rep", "channel"], "activities"),
    (["occurred_at", "rep", "channel", "lead_id"], "activities"),
    (["lead_id", "created_at", "rep", "status", "opportunity_id"], "leads"),  # holds opportunities' ids too
    (["opportunity_id", "created_at", "status", "lead_id", "amount"], "opportunities"),  # and leads' required ones
    (["opportunity_id", "created_at", "status"], "opportunities"),
    (["lead_id", "created_at"], "leads"),
    (["opportunity_id", "created_at", "rep", "amount", "status", "lead_id"], "opportunities"),
])
def test_detect_kind(header: list[str], kind: str):
    mapping = propose_mapping(header)
    assert (mapping.kind, mapping.missing) == (kind, [])


# ----------------------------------------------------------------------------- duplicates

def test_duplicated_ids_are_loaded_once(store: Store, tmp_path: Path):
    header = ["activity_id", "occurred_at", "rep", "channel", "outcome"]
    path = write_csv(tmp_path / "dup.csv", header, [
        ["a1", "2025-04-01 09:00", "A", "call", "接続"],
        ["a2", "2025-04-01 09:10", "A", "call", "不在"],
        ["a1", "2025-04-01 09:20", "B", "email", ""],  # same id, other values: still the same activity
        ["a3", "2025-04-01 09:30", "B", "call", "通話"],
        ["a2", "2025-04-01 09:10", "A", "call", "不在"],
    ])
    report = load(store, path)
    assert (report.rows_read, report.rows_loaded, report.duplicates, report.rejections) == (5, 3, 2, [])
    assert rows_of(store, "activities", "activity_id, rep, source_row") == [("a1", "A", 2), ("a2", "A", 3),
                                                                             ("a3", "B", 5)]
    again = load(store, path, "dup again.csv")  # the same export uploaded twice
    assert (again.rows_read, again.rows_loaded, again.duplicates) == (5, 0, 5)


def test_identical_rows_without_an_id_column(store: Store, tmp_path: Path):
    header = ["occurred_at", "rep", "channel", "outcome", "duration_sec"]
    row = ["2025-04-01 09:00", "A", "call", "接続", "150"]
    path = write_csv(tmp_path / "noid.csv", header, [
        row,
        row,
        ["2025-04-01 09:00", "A", "call", "接続", "151"],  # one value differs: another activity
        [" 2025-04-01 09:00:00 ", "A", "call", "接続", "150.0"],  # same values once typed
        row,
    ])
    report = load(store, path)
    # Inside one file nothing is dropped: three raw rows are identical, two of them "extra" copies.
    assert (report.rows_read, report.rows_loaded, report.duplicates, report.identical_rows) == (5, 5, 0, 2)
    assert rows_of(store, "activities", "duration_sec, source_row") == [
        (150.0, 2), (150.0, 3), (151.0, 4), (150.0, 5), (150.0, 6)]


def test_duplicate_across_files(store: Store, tmp_path: Path):
    header = ["lead_id", "created_at", "status"]
    load(store, write_csv(tmp_path / "one.csv", header, [["L1", "2025-04-01", "MQL"], ["L2", "2025-04-01", "SQL"]]))
    report = load(store, write_csv(tmp_path / "two.csv", header, [["L2", "2025-04-02", "SQL"],
                                                                  ["L3", "2025-04-02", "MQL"]]))
    # L2 is in both files with another date: two.csv's is the newer version (its latest date is later).
    assert (report.rows_read, report.rows_loaded, report.rows_updated, report.duplicates) == (2, 1, 1, 0)
    assert report.updated_files == ("one.csv",)
    assert rows_of(store, "leads", "lead_id, source_file") == [("L1", "one.csv"), ("L2", "two.csv"),
                                                               ("L3", "two.csv")]


# ----------------------------------------------------------------------------- rejected values

def test_opportunities_with_bad_values(store: Store):
    report = load(store, DATA / "opportunities_bad_values.csv", "商談.csv")
    assert report.file == "商談.csv"
    assert (report.kind, report.rows_read, report.rows_loaded, report.duplicates) == ("opportunities", 9, 3, 0)
    assert report.rejections == [
        Rejection(3, "created_at", "2025-04-31", Problem("bad_date", {"column": "created_at"})),
        Rejection(4, "amount", "about 1M", Problem("bad_number", {"column": "amount"})),
        Rejection(5, "status", "pending", Problem("bad_status", {"column": "status"})),
        Rejection(6, "closed_at", "next week", Problem("bad_date", {"column": "closed_at"})),
        Rejection(8, "bant_budget", "maybe", Problem("bad_flag", {"column": "bant_budget"})),
        Rejection(9, "created_at", "", Problem("missing_value", {"column": "created_at"})),
    ]
    assert rows_of(store, "opportunities", "opportunity_id, amount, status, bant_budget, source_row") == [
        ("O1", Decimal("1000000.00"), "won", True, 2),
        ("O6", Decimal("200000.00"), "open", None, 7),  # no status, no stage, no flags: still open
        ("O9", Decimal("250000.00"), "open", None, 10)]


ACTIVITY_HEADER = ["occurred_at", "rep", "channel", "duration_sec", "email_opened"]
GOOD = ["2025-04-01 09:00", "A", "call", "60", ""]

# one bad cell in the middle row of three: column, value → problem key (value as reported, trimmed)
BAD_CELLS = [
    ("activities", "occurred_at", "2025-13-45", "2025-13-45", "bad_date"),
    ("activities", "occurred_at", "yesterday", "yesterday", "bad_date"),
    ("activities", "occurred_at", "", "", "missing_value"),
    ("activities", "rep", "   ", "", "missing_value"),
    ("activities", "occurred_at", "1900-01-01", "1900-01-01", "date_out_of_range"),
    ("activities", "occurred_at", "2999/12/31", "2999/12/31", "date_out_of_range"),
    ("activities", "duration_sec", "two minutes", "two minutes", "bad_duration"),
    ("activities", "duration_sec", "1.2.3", "1.2.3", "bad_duration"),
    ("activities", "duration_sec", "-30", "-30", "negative_value"),
    ("activities", "email_opened", "maybe", "maybe", "bad_flag"),
]


@pytest.mark.parametrize(("kind", "column", "cell", "value", "key"), BAD_CELLS)
def test_bad_value(store: Store, tmp_path: Path, kind, column, cell, value, key):
    bad = list(GOOD)
    bad[ACTIVITY_HEADER.index(column)] = cell
    path = write_csv(tmp_path / "upload.csv", ACTIVITY_HEADER, [GOOD, bad, [*GOOD[:3], "61", "true"]])
    report = load(store, path, "架電履歴.csv")
    assert report.file == "架電履歴.csv"
    assert report.rejections == [Rejection(3, column, value, Problem(key, {"column": column}))]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.duplicates) == (3, 2, 1, 0)
    assert rows_of(store, "activities", "duration_sec, source_row") == [(60.0, 2), (61.0, 4)]


def test_several_problems_in_one_row_reject_it_once(store: Store, tmp_path: Path):
    path = write_csv(tmp_path / "two.csv", ACTIVITY_HEADER, [["someday", "", "fax", "x", ""], GOOD])
    report = load(store, path)
    assert [(r.row, r.column, r.problem.key) for r in report.rejections] == [
        (2, "duration_sec", "bad_duration"), (2, "occurred_at", "bad_date"), (2, "rep", "missing_value")]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (2, 1, 1)


def test_leads_missing_values(store: Store, tmp_path: Path):
    path = write_csv(tmp_path / "leads.csv", ["lead_id", "created_at", "status"], [
        ["L1", "2025-04-01", "MQL"], ["", "2025-04-01", "MQL"], ["L3", "", "SQL"], ["L4", "2025-04-02", ""]])
    report = load(store, path)
    assert [(r.row, r.column, r.problem.key) for r in report.rejections] == [
        (3, "lead_id", "missing_value"), (4, "created_at", "missing_value")]
    assert rows_of(store, "leads", "lead_id, status") == [("L1", "MQL"), ("L4", None)]  # status is optional


@pytest.mark.parametrize(("cell", "channel", "raw"), [
    ("fax", "other", "fax"), (" 電話 ", "call", "電話"), ("メール", "email", "メール"), ("", "other", None)])
def test_channel_words(store: Store, tmp_path: Path, cell: str, channel: str, raw: str | None):
    load(store, write_csv(tmp_path / "c.csv", ACTIVITY_HEADER, [[GOOD[0], "A", cell, "", ""]]))
    assert rows_of(store, "activities", "channel, channel_raw") == [(channel, raw)]


# ----------------------------------------------------------------------------- malformed rows

def test_malformed_rows_keep_later_row_numbers(store: Store):
    report = load(store, DATA / "activities_malformed.csv")
    assert (report.kind, report.rows_read, report.rows_loaded, report.duplicates) == ("activities", 6, 3, 0)
    assert [(r.row, r.problem.key, r.problem.params) for r in report.rejections] == [
        (3, "malformed_row", {"error": "too_many_columns"}),  # 2 columns too many
        (5, "malformed_row", {"error": "missing_columns"}),  # 2 columns missing
        (6, "bad_date", {"column": "occurred_at"}),  # the row after two dropped lines keeps its number
    ]
    assert report.rejections[0].value == "2025-04-01 09:10,A,call,接続,150,extra,columns"
    assert report.rejections[2].value == "2025-99-01 09:40"
    assert rows_of(store, "activities", "outcome, source_row") == [("接続", 2), ("不在", 4), ("通話", 7)]


def test_rows_after_a_quote_left_open_are_recovered_under_their_own_numbers(store: Store, tmp_path: Path):
    path = tmp_path / "open_quote.csv"
    path.write_text("occurred_at,rep,channel,outcome\n"
                    "2025-04-01 09:00,A,call,接続\n"
                    '2025-04-01 09:10,"A,call,不在\n'  # the quote is never closed
                    "2025-04-01 09:20,B,call,通話\n"
                    "2025-04-0x 09:30,B,call,不在\n"
                    "2025-04-01 09:40,B,call\n", encoding="utf-8")
    report = load(store, path)
    assert (report.rows_read, report.rows_loaded) == (5, 2)
    assert [(r.row, r.problem.key, r.value) for r in report.rejections] == [
        (3, "malformed_row", '2025-04-01 09:10,"A,call,不在'),
        (6, "malformed_row", "2025-04-01 09:40,B,call"),  # a swallowed line with too few fields
        (5, "bad_date", "2025-04-0x 09:30"),
    ]
    assert rows_of(store, "activities", "rep, outcome, source_row") == [("A", "接続", 2), ("B", "通話", 4)]


# ----------------------------------------------------------------------------- files that are not loaded

@pytest.mark.parametrize(("content", "key"), [
    (b"", "empty_file"),
    (b"\n\r\n   \n", "empty_file"),
    ((DATA / "not_a_table.png").read_bytes(), "not_a_table"),
    (b"occurred_at,rep,channel\n\x00\x01\x02", "not_a_table"),
    (b"activity_id,occurred_at,rep,channel\n", "header_only"),
    (b"activity_id,occurred_at,rep,channel", "header_only"),  # no final newline
])
def test_file_level_problems(store: Store, tmp_path: Path, content: bytes, key: str):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    report = load(store, path)
    assert (report.error.key, report.error.params["file"]) == (key, "upload.csv")
    assert (report.rows_read, report.rows_loaded, report.duplicates, report.rejections) == (0, 0, 0, [])


@pytest.mark.parametrize(("name", "key"), [
    ("empty.csv", "empty_file"), ("header_only.csv", "header_only"), ("not_a_table.png", "not_a_table")])
def test_file_level_problem_fixtures(store: Store, name: str, key: str):
    report = load(store, DATA / name)
    assert (report.error.key, report.error.params["file"]) == (key, name)


def test_unrelated_columns(store: Store):
    report = load(store, DATA / "unrelated.csv")
    assert report.error == Problem("unknown_kind", {"file": "unrelated.csv", "columns": "商品名, 単価, 在庫"})
    assert report.kind is None and report.rows_read == 0


@pytest.mark.parametrize(("header", "kind", "missing"), [
    (["lead_id", "rep", "source", "status"], "leads", "created_at"),
    (["occurred_at", "outcome", "duration_sec"], "activities", "rep"),
    (["opportunity_id", "amount"], "opportunities", "created_at"),
])
def test_missing_required_columns(store: Store, tmp_path: Path, header, kind, missing):
    report = load(store, write_csv(tmp_path / "x.csv", header, [["v"] * len(header)]))
    assert report.error == Problem("missing_columns", {"file": "x.csv", "kind": kind, "columns": missing})
    assert report.rows_read == 0


def test_missing_columns_fixture(store: Store):
    report = load(store, DATA / "leads_missing_columns.csv")
    assert report.error == Problem("missing_columns", {"file": "leads_missing_columns.csv", "kind": "leads",
                                                       "columns": "created_at"})


def test_load_files_one_failure_spares_the_rest(store: Store):
    report = load_files(store, [(DATA / "empty.csv", "a.csv"), (DATA / "activities_good.csv", "b.csv"),
                                (DATA / "unrelated.csv", "c.csv")])
    assert [f.file for f in report.files] == ["a.csv", "b.csv", "c.csv"]
    assert [f.error.key if f.error else None for f in report.files] == ["empty_file", None, "unknown_kind"]
    assert report.files[1].rows_loaded == 7
    assert report.ok is False
    assert all(f.balanced for f in report.files)


# ----------------------------------------------------------------------------- bugs found in review, now fixed

def test_a_clean_file_after_a_malformed_one_has_no_rejections(store: Store, tmp_path: Path):
    load(store, DATA / "activities_malformed.csv")
    clean = write_csv(tmp_path / "clean.csv", ["occurred_at", "rep", "channel"], [["2025-05-01", "C", "call"]])
    report = load(store, clean)
    assert (report.rows_read, report.rows_loaded, report.rejections) == (1, 1, [])


def test_header_only_after_a_malformed_file(store: Store):
    load(store, DATA / "activities_malformed.csv")
    assert load(store, DATA / "header_only.csv").error == Problem("header_only", {"file": "header_only.csv"})


def test_blank_activity_ids_are_not_duplicates(store: Store, tmp_path: Path):
    path = write_csv(tmp_path / "ids.csv", ["activity_id", "occurred_at", "rep", "channel"], [
        ["", "2025-04-01 09:00", "A", "call"], ["", "2025-04-01 09:05", "B", "email"], ["a3", "2025-04-01", "A", "call"]])
    report = load(store, path)
    assert (report.rows_loaded, report.duplicates) == (3, 0)


@pytest.mark.parametrize("content", [b"", b"\x00\x01"], ids=["empty_file", "not_a_table"])
def test_file_problems_name_the_users_file(store: Store, tmp_path: Path, content: bytes):
    path = tmp_path / "0.csv"  # how ui/uploads.py stores an upload
    path.write_bytes(content)
    assert load(store, path, "営業リスト.csv").error.params["file"] == "営業リスト.csv"


# ----------------------------------------------------------------------------- line endings DuckDB refuses

@pytest.mark.parametrize(("content", "rows"), [
    (b"occurred_at,rep\n2025-04-01,A\n2025-04-02,B\r\n2025-04-03,C\n", 3),  # LF and CRLF mixed
    (b"occurred_at,rep\r2025-04-01,A\r2025-04-02,B\r", 2),  # old Mac: CR only
    (b'occurred_at,rep,outcome\n2025-04-01,A,"two\r\nlines"\n2025-04-02,B,x\r\n', 2),  # quoted CRLF, mixed ends
])
def test_line_endings_duckdb_refuses_still_load(store: Store, tmp_path: Path, content: bytes, rows: int):
    path = tmp_path / "calls.csv"
    path.write_bytes(content)
    report = load(store, path)
    assert (report.error, report.rows_read, report.rows_loaded) == (None, rows, rows)
    assert [r[0] for r in rows_of(store, "activities", "rep")] == ["A", "B", "C"][:rows]


def test_rejection_details_are_capped_but_the_counts_are_exact(store: Store, tmp_path: Path):
    """5,000 rows with an unreadable date and 1,200 with a negative duration, 10 good ones."""
    from phasekpi.ingest import REJECTION_DETAILS

    rows = ([[f"2025-04-{i % 28 + 1:02d}x", "A", "call", "接続", "60"] for i in range(5000)]
            + [["2025-04-01 10:00", "A", "call", "接続", "-5"] for _ in range(1200)]
            + [["2025-04-01 10:00", "A", "call", "接続", "60"] for _ in range(10)])
    report = load(store, write_csv(tmp_path / "many.csv", ["occurred_at", "rep", "channel", "outcome", "duration_sec"],
                                   rows))
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (6210, 10, 6200)
    assert [(p.key, n) for p, n in report.reason_counts()] == [("bad_date", 5000), ("negative_value", 1200)]
    assert len(report.rejections) == 2 * REJECTION_DETAILS
    assert report.rejections[0].row == 2 and report.rejections[REJECTION_DETAILS].row == 5002
