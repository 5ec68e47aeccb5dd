"""Workbooks: the sheet Excel opens on, the formula and extent scan, and both readers writing the same CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from make_bad_corpus import FOLDER

from phasekpi import workbook

WORKBOOKS = sorted(p.name for p in FOLDER.glob("*.xlsx") if p.name not in {"damaged.xlsx", "damaged_sheet.xlsx",
                                                                             "truncated.xlsx"})


@pytest.mark.parametrize("name", WORKBOOKS)
def test_both_readers_write_the_same_rows(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """calamine (fast, whole sheet in memory) and openpyxl (streaming) give byte-identical CSV."""
    copies = []
    for cells in (workbook.MAX_DENSE_CELLS, 0):
        monkeypatch.setattr(workbook, "MAX_DENSE_CELLS", cells)
        copy = workbook.copy_sheet(FOLDER / name, None, 1 << 30)
        copies.append((copy.reader, copy.path.read_bytes()))
        copy.path.unlink()
    assert copies[1][0] == "openpyxl"
    assert copies[0][1] == copies[1][1]


@pytest.mark.parametrize(("name", "sheet", "reader"), [
    ("hidden_stale_sheet.xlsx", "架電履歴", "calamine"),  # activeTab on the visible second sheet
    ("very_hidden_first_sheet.xlsx", "架電履歴", "calamine"),  # activeTab on a veryHidden sheet: not read
    ("active_second_sheet.xlsx", "今月", "calamine"),
    ("empty_first_sheet.xlsx", "架電履歴", "calamine"),  # the active sheet is empty
    ("error_cells.xlsx", "Sheet1", "openpyxl"),  # calamine would read #N/A as empty
    ("sparse_far_cell.xlsx", "Sheet1", "openpyxl"),  # 1,048,576 × 702 cells for a dense reader
    ("cells_without_references.xlsx", "Sheet1", "openpyxl"),  # no column letters to bound the extent
])
def test_the_sheet_and_reader_chosen(name: str, sheet: str, reader: str) -> None:
    copy = workbook.copy_sheet(FOLDER / name, None, 1 << 30)
    copy.path.unlink()
    assert (copy.sheet, copy.reader) == (sheet, reader)


@pytest.mark.parametrize(("name", "rows", "columns", "uncalculated"), [
    ("uncalculated_formulas.xlsx", 4, 4, {1: (3, "B2")}),
    ("uncalculated_unused_column.xlsx", 4, 5, {4: (3, "E2")}),
    ("sparse_far_cell.xlsx", 1_048_576, 702, {}),
    ("styled_empty_rows.xlsx", 2004, 5, {}),
    ("prefixed_namespace.xlsx", 4, 5, {}),
])
def test_the_scan_counts_rows_columns_and_formulas_without_value(name: str, rows: int, columns: int,
                                                                 uncalculated: dict) -> None:
    entries, active = workbook.sheets(FOLDER / name)
    scan = workbook.scan_sheet(FOLDER / name, entries[active].part)
    assert (max(scan.row_tags, scan.last_row), scan.columns, scan.uncalculated) == (rows, columns, uncalculated)


def test_the_scan_reads_rows_cut_across_chunks(tmp_path: Path) -> None:
    """A formula cell split between two reads is still seen (chunks of 64 bytes)."""
    entries, active = workbook.sheets(FOLDER / "uncalculated_formulas.xlsx")
    scan = workbook.scan_sheet(FOLDER / "uncalculated_formulas.xlsx", entries[active].part, chunk=64)
    assert scan.uncalculated == {1: (3, "B2")} and scan.last_row == 4


def test_a_workbook_over_the_budget_is_refused_before_it_is_read() -> None:
    with pytest.raises(workbook.WorkbookProblem) as refused:
        workbook.copy_sheet(FOLDER / "hidden_stale_sheet.xlsx", None, 1_000)
    assert refused.value.key == "too_big_text"
