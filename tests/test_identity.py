"""Which rows are new records, newer versions, or duplicates: files loaded one after the other,
each written in the test, every count worked out by hand."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.schema import Store, open_store

HEADER = ["opportunity_id", "created_at", "rep", "stage", "amount", "modified_at"]


def write(folder: Path, name: str, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *rows])
    return path


def loaded(store: Store, columns: str = "opportunity_id, stage, source_file") -> list[tuple]:
    return store.con.execute(f"SELECT {columns} FROM opportunities_rows ORDER BY opportunity_id, source_row").fetchall()


def counts(report) -> tuple[int, int, int, int]:
    return report.rows_loaded, report.rows_updated, report.duplicates, report.older


# name, first file's rows, second file's rows → second file's (new, updated, duplicates, older), stages kept
CASES = [
    ("a newer modified date wins", [["O1", "2026-11-01", "A", "提案", "100", "2026-11-02"]],
     [["O1", "2026-11-01", "A", "受注", "100", "2026-11-09"]], (0, 1, 0, 0), [("O1", "受注", "two.csv")]),
    ("an older modified date loses", [["O1", "2026-11-01", "A", "受注", "100", "2026-11-09"]],
     [["O1", "2026-11-01", "A", "提案", "100", "2026-11-02"]], (0, 0, 1, 1), [("O1", "受注", "one.csv")]),
    ("no modified date: the file with the later dates wins", [["O1", "2026-11-01", "A", "提案", "100", ""]],
     [["O1", "2026-11-01", "A", "受注", "100", ""], ["O2", "2026-11-05", "A", "提案", "50", ""]],
     (1, 1, 0, 0), [("O1", "受注", "two.csv"), ("O2", "提案", "two.csv")]),
    ("equal dates: the file loaded last wins", [["O1", "2026-11-01", "A", "提案", "100", ""]],
     [["O1", "2026-11-01", "A", "受注", "100", ""]], (0, 1, 0, 0), [("O1", "受注", "two.csv")]),
    ("the same version is a duplicate", [["O1", "2026-11-01", "A", "提案", "100", "2026-11-02"]],
     [["O1", "2026-11-01", "A", "提案", "100", "2026-11-02"]], (0, 0, 1, 0), [("O1", "提案", "one.csv")]),
    ("an id repeated in one file: its first row", [],
     [["O1", "2026-11-01", "A", "提案", "100", ""], ["O1", "2026-11-01", "A", "受注", "100", ""]],
     (1, 0, 1, 0), [("O1", "提案", "two.csv")]),
]


@pytest.mark.parametrize(("name", "first", "second", "expected", "kept"), CASES, ids=[c[0] for c in CASES])
def test_versions_of_a_record(tmp_path: Path, name: str, first: list, second: list, expected: tuple,
                              kept: list) -> None:
    store = open_store(default_catalogue())
    if first:
        assert load_file(store, write(tmp_path, "one.csv", first), "one.csv").rows_loaded == len(first)
    report = load_file(store, write(tmp_path, "two.csv", second), "two.csv")
    assert report.balanced
    assert counts(report) == expected
    assert loaded(store) == kept


def test_an_update_names_what_changed(tmp_path: Path) -> None:
    store = open_store(default_catalogue())
    load_file(store, write(tmp_path, "one.csv", [["O1", "2026-11-01", "A", "提案", "100", "2026-11-02"]]), "one.csv")
    report = load_file(store, write(tmp_path, "two.csv", [["O1", "2026-11-01", "B", "受注", "120", "2026-11-09"]]),
                       "two.csv")
    (change,) = report.updates
    assert (change.record_id, change.previous_file) == ("O1", "one.csv")
    assert change.changes == (("rep", "A", "B"), ("stage", "提案", "受注"), ("amount", Decimal("100.00"), Decimal("120.00")),
                              ("status", "open", "won"))


ACTIVITY_HEADER = ["occurred_at", "rep", "channel", "outcome", "note"]
CALL = ["2026-11-02 10:00", "A", "call", "不在", ""]


@pytest.mark.parametrize(("earlier", "later", "new"), [
    (1, 1, 0), (2, 3, 1), (3, 2, 0), (0, 2, 2),
], ids=["one absorbs one", "two absorb two of three", "three absorb both", "nothing earlier"])
def test_identical_rows_without_an_id_pair_one_to_one_across_files(tmp_path: Path, earlier: int, later: int,
                                                                   new: int) -> None:
    store = open_store(default_catalogue())
    other = ["2026-11-02 11:00", "B", "call", "接続", ""]  # a different call in each file keeps the files apart
    load_file(store, write(tmp_path, "w1.csv", [CALL] * earlier + [other], ACTIVITY_HEADER), "w1.csv")
    report = load_file(store, write(tmp_path, "w2.csv", [CALL] * later + [[*other[:4], "x"]], ACTIVITY_HEADER), "w2.csv")
    assert (report.rows_loaded, report.duplicates) == (new + 1, later - new)
    assert report.identical_rows == max(later - 1, 0)
    assert store.con.execute("SELECT count(*) FROM activities_rows WHERE rep = 'A'").fetchone()[0] == max(earlier, later)


def test_a_reordered_export_is_the_same_rows(tmp_path: Path) -> None:
    store = open_store(default_catalogue())
    load_file(store, write(tmp_path, "a.csv", [CALL], ACTIVITY_HEADER), "a.csv")
    reordered = [ACTIVITY_HEADER[i] for i in (4, 3, 2, 1, 0)]
    report = load_file(store, write(tmp_path, "b.csv", [[CALL[i] for i in (4, 3, 2, 1, 0)]], reordered), "b.csv")
    assert report.already_loaded is None and (report.rows_loaded, report.duplicates) == (0, 1)
