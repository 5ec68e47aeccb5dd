"""Excel workbooks (.xlsx): which sheet to read, and that sheet copied out as UTF-8 CSV text.

The workbook's own parts say which sheets exist, which are hidden and which one Excel opens on
(xl/workbook.xml and its relationships), so a hidden sheet of stale data is never read unless
chosen. Before any reader unpacks a part, the zip directory is checked against the budgets (a
3 MB file can hold gigabytes of shared strings). The chosen sheet's XML is scanned for formulas
Excel never calculated (files written by scripts hold the formula and no value): such a cell
must not read as empty.

Two readers, by the sheet's size: python-calamine (Rust, 11× faster: 1 M rows × 7 columns in 19 s
instead of 210 s) holds the whole sheet in memory, about 90 bytes a cell, so it reads sheets of up to
MAX_DENSE_CELLS cells (rows × columns, from the same scan, which also catches a sheet whose few cells
span a million rows); a bigger sheet, or one holding error cells (#N/A, which calamine reads as
empty), streams through openpyxl's read-only reader in constant memory.
Both write the same CSV text (BENCHMARKS.md, "Workbooks").
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

MAX_SHARED_STRINGS = 256 << 20  # openpyxl holds a workbook's shared strings in memory, several times their size
NS = {"main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
CELL_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
FORMULA = re.compile(rb"<(?:\w+:)?f\b")
VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
INLINE_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>[^<]")
ROW_NUMBER = re.compile(rb'[<:]row\b[^>]*?\br="([0-9]+)"')
TWO_LETTERS = re.compile(rb' r="[A-Z][A-Z]')  # a cell reference beyond column Z (rows' r are digits)
THREE_LETTERS = re.compile(rb' r="[A-Z]{3}')
BEYOND = [re.compile(rb' r="[' + bytes(range(65 + known, 91)) + rb']') for known in range(26)]  # a letter past the known


class WorkbookProblem(Exception):
    """Why a workbook cannot be read: a problem key of locales (damaged_workbook, too_big_text, empty_file)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Sheet:
    name: str
    state: str  # visible, hidden or veryHidden
    part: str  # the sheet's XML inside the zip, e.g. xl/worksheets/sheet1.xml


@dataclass
class SheetCopy:
    """The sheet read, its rows as CSV at `path`, and its formulas without a value by column index
    (0 = column A) as (how many, first cell)."""

    sheet: str
    path: Path
    uncalculated: dict[int, tuple[int, str]] = field(default_factory=dict)
    reader: str = ""  # calamine or openpyxl


def is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def sheets(path: Path) -> tuple[list[Sheet], int]:
    """Every sheet in the workbook's order, and the index of the one Excel opens on."""
    try:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError) as error:
        raise WorkbookProblem("damaged_workbook") from error
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.findall("rel:Relationship", NS)}
    found = [Sheet(entry.get("name", ""), entry.get("state", "visible"), _part(targets.get(entry.get(REL_ID), "")))
             for entry in book.findall("main:sheets/main:sheet", NS)]
    view = book.find("main:bookViews/main:workbookView", NS)
    active = int(view.get("activeTab", "0")) if view is not None and view.get("activeTab", "0").isdigit() else 0
    return found, active if active < len(found) else 0


def _part(target: str) -> str:
    """A relationship target as a path in the zip (relative to xl/, or absolute from the root)."""
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def sheet_states(path: Path) -> list[tuple[str, str]]:
    """Every sheet's name and state (the picker marks the hidden ones)."""
    try:
        return [(sheet.name, sheet.state) for sheet in sheets(path)[0]]
    except WorkbookProblem:
        return []


def check_budget(path: Path, max_bytes: int) -> None:
    """Refuse a workbook whose parts unpack beyond the budgets, before any reader unpacks them."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise WorkbookProblem("damaged_workbook") from error
    strings = sum(p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml"))
    if strings > MAX_SHARED_STRINGS or sum(p.file_size for p in parts) > max_bytes:
        raise WorkbookProblem("too_big_text")


MAX_DENSE_CELLS = 10_000_000  # about 0.9 GB in calamine; a bigger sheet streams through openpyxl


def copy_sheet(path: Path, sheet: str | None, max_bytes: int) -> SheetCopy:
    """The chosen sheet (else the active one, when visible and not empty, else the first visible
    sheet with values) as CSV; an empty row, often only styled, as a blank line, so it is neither a
    row nor a rejection and the rows after it keep their spreadsheet numbers."""
    check_budget(path, max_bytes)
    entries, active = sheets(path)
    chosen = next((entry for entry in entries if entry.name == sheet), None) or _default_sheet(path, entries, active)
    target = None
    try:
        scan = scan_sheet(path, chosen.part)
        reader = "calamine" if 0 < scan.cells <= MAX_DENSE_CELLS and not scan.error_cells else "openpyxl"
        handle, target = tempfile.mkstemp(prefix="phasekpi-", suffix=".csv")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out, READERS[reader](path, chosen.name) as rows:
            _write_rows(rows, out)
        return SheetCopy(chosen.name, Path(target), scan.uncalculated, reader)
    except Exception as error:  # a damaged sheet inside a readable zip: both readers raise many kinds
        if target:
            Path(target).unlink(missing_ok=True)
        raise WorkbookProblem("damaged_workbook") from error


def _default_sheet(path: Path, entries: list[Sheet], active: int) -> Sheet:
    """The active sheet when visible and holding values, else the first visible sheet with a value
    near its top (a cover sheet left empty is skipped; a hidden sheet is often stale data)."""
    if not entries:
        raise WorkbookProblem("damaged_workbook")
    visible = [entry for entry in entries if entry.state == "visible"] or entries
    opened = entries[active]
    for entry in [e for e in visible if e is opened] + [e for e in visible if e is not opened]:
        if _has_values(path, entry.part):
            return entry
    return visible[0]


def _has_values(path: Path, part: str, probe: int = 1 << 20) -> bool:
    """Whether the sheet's first megabyte of XML holds a value (a styled empty cell holds none)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
            head = stream.read(probe)
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    return bool(VALUE.search(head) or INLINE_TEXT.search(head))


@contextmanager
def _calamine_rows(path: Path, sheet: str) -> Iterator[Iterator[list]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    try:
        found = book.get_sheet_by_name(sheet)
        left = [""] * (found.start[1] if found.start else 0)  # calamine drops empty columns at the left
        yield (left + row for row in found.iter_rows())
    finally:
        book.close()


@contextmanager
def _openpyxl_rows(path: Path, sheet: str) -> Iterator[Iterator[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = book[sheet]
        worksheet.reset_dimensions()  # a false `A1:XFD1048576` would pad every row to 16,384 cells
        yield worksheet.iter_rows(values_only=True)
    finally:
        book.close()


READERS = {"calamine": _calamine_rows, "openpyxl": _openpyxl_rows}


def _write_rows(rows: Iterator, out: object) -> None:
    """Rows as CSV, each as wide as the header (the first row with a value) unless it holds more."""
    writer = csv.writer(out)
    width = None
    for row in rows:
        cells = [_cell_text(value) for value in row]
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            out.write("\r\n")  # an empty (often only styled) row: the csv writer's own line ending
            continue
        width = width or len(cells)
        writer.writerow(cells + [""] * (width - len(cells)))


def _cell_text(value: object) -> object:
    """A workbook cell as CSV text, the same from both readers: date-times as ISO (a date as its
    midnight, as openpyxl gives it), times and durations as written, whole numbers without `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


@dataclass
class SheetScan:
    """What one streamed pass over a sheet's XML tells: its formulas without a value by column
    index (how many, first cell), its rows and an upper bound of its columns (from the letters of
    its cell references: a sheet without them is read by openpyxl)."""

    uncalculated: dict[int, tuple[int, str]] = field(default_factory=dict)
    row_tags: int = 0
    last_row: int = 0  # the last row's number (rows come in order): a sparse sheet's few rows can reach 1,048,576
    columns: int = 0
    error_cells: bool = False  # #N/A, #DIV/0!…: calamine reads them as empty, openpyxl as their text (then rejected)

    @property
    def cells(self) -> int:
        """The cells a reader that holds the whole sheet allocates (rows × columns, however sparse)."""
        return max(self.row_tags, self.last_row) * self.columns


def scan_sheet(path: Path, part: str, chunk: int = 1 << 20) -> SheetScan:
    """One streamed pass over the sheet part, a whole row at a time; text without any formula (every
    CRM export) costs a few byte searches a megabyte."""
    scan = SheetScan()
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        carry = b""
        while block := stream.read(chunk):
            text = carry + block
            end = max(text.rfind(b"</row>"), text.rfind(b":row>"))  # cut after a row tag: no cell is cut
            if end < 0 and len(text) < 64 * chunk:
                carry = text
                continue
            cut = len(text) if end < 0 else text.index(b">", end) + 1
            _scan_text(text[:cut], scan)
            carry = text[cut:]
        _scan_text(carry, scan)
    return scan


def _scan_text(text: bytes, scan: SheetScan) -> None:
    scan.row_tags += text.count(b"<row") + text.count(b":row ")
    last = ROW_NUMBER.match(text, max(text.rfind(b"<row"), text.rfind(b":row "), 0))
    scan.last_row = max(scan.last_row, int(last.group(1)) if last else 0)
    scan.columns = max(scan.columns, _column_bound(text, scan.columns))
    scan.error_cells = scan.error_cells or b't="e"' in text
    _count_uncalculated(text, scan.uncalculated)


def _column_bound(text: bytes, known: int) -> int:
    """At most how many columns the text's cell references reach (their letters), looking only for
    letters beyond the `known` bound (single letters by a plain byte search)."""
    if TWO_LETTERS.search(text):
        return 16_384 if THREE_LETTERS.search(text) else 702
    if known >= 26 or not BEYOND[known].search(text):
        return 0
    return next(width for width in range(26, known, -1) if text.find(b' r="' + bytes([64 + width])) >= 0)


def _count_uncalculated(text: bytes, found: dict[int, tuple[int, str]]) -> None:
    if b"<f" not in text and b":f" not in text:
        return
    for cell in CELL.finditer(text):
        body = cell.group(2) or b""
        if FORMULA.search(body) and not VALUE.search(body):
            ref = CELL_REF.search(cell.group(1))
            if ref:
                column = _column_index(ref.group(1).decode())
                count, first = found.get(column, (0, f"{ref.group(1).decode()}{ref.group(2).decode()}"))
                found[column] = (count + 1, first)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1
