"""The cell toolkit every sheet shares: formats, fonts and fills, text that can never become a
formula (`write_text`), defined names, achievement and status formulas, column and row fitting."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Phase
from phasekpi.display import CURRENCIES, DEFAULT_CURRENCY, currency_word
from phasekpi.injection import FORMULA_TRIGGERS
from phasekpi.messages import t

LANGS = ("ja", "en")


NUMBER_FORMATS = {"count": "#,##0.0", "percent": '0.0"%"', "points": "0.0", "ratio": "0.00"}  # amounts: number_format


PERCENT = "0.0%"  # a fraction shown as a percentage (plan and funnel rates, achievements)


RATE_GAP = '0.0"pt"'  # the distance between two rates in percentage points (display's `rate_gap`)


WHOLE = "#,##0"


COUNT_FORMATS = {"period": WHOLE, "per_month": WHOLE}  # a per-rep average keeps one decimal, as on screen


# Phase sheet layout (SPEC §4): title, marker, focus, header, one row per KPI.
PHASE_COLUMNS = ("tier", "kpi", "importance", "target", "unit", "actual", "achievement", "status", "note")


COL = {name: get_column_letter(i) for i, name in enumerate(PHASE_COLUMNS, start=1)}


HEADER_ROW = 4


FIRST_ROW = HEADER_ROW + 1


WARNING_FROM = 0.8  # achievement from which a KPI is "watch" rather than "behind" (metrics.status_of)


SUMMARY_LAST_COLUMN = 8  # the summary is laid out on columns A–H; long texts span B–H


# Funnel sheet (SPEC §8): the activity funnel, one row per step.
ACTIVITY_FUNNEL = "activity"


ACHIEVEMENT_FORMULAS = {  # mirrors metrics.achievement: blank when a value is missing or division is undefined
    "higher": '=IF(OR({t}="",{a}="",{t}=0),"",{a}/{t})',
    "lower": '=IF(OR({t}="",{a}="",{t}=0,{a}<=0),"",{t}/{a})',
}


STATUS_FORMULA = '=IF({g}="","",IF({g}>={one},"{good}",IF({g}>={warn},"{warning}","{bad}")))'


MAX_CELL_CHARS = 32767


SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


NAME_BAD = re.compile(r"[^A-Za-z0-9_]")


FONT_NAME = "Calibri"  # the workbook's default font: styled cells keep it (Excel substitutes it for Japanese)


TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)


SECTION_FONT = Font(name=FONT_NAME, size=12, bold=True, color="1F4E78")


BOLD = Font(name=FONT_NAME, bold=True)


HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")


HEADER_FILL = PatternFill("solid", fgColor="1F4E78")


INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")


ACTIVE_FILL = PatternFill("solid", fgColor="F8CBAD")


GOOD_FILL = PatternFill("solid", fgColor="C6EFCE")


WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")


BAD_FILL = PatternFill("solid", fgColor="FFC7CE")


ACTIVE_TAB, REFERENCE_TAB, PLANNING_TAB = "F4B183", "9BC2E6", "FFD966"


WRAP = Alignment(wrap_text=True, vertical="top")


HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


def tr(key: str, lang: str, **params: object) -> str:
    return t(f"sheet.{key}", lang, **params)


def write_text(cell: Cell, text: str) -> Cell:
    """Write a string as literal text: control characters stripped, never a formula (OWASP)."""
    clean = ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_CHARS]
    cell.value = clean
    cell.data_type = "s"
    if clean.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def put(ws: Worksheet, row: int, column: int, value: str | float | None,
        number_format: str | None = None, font: Font | None = None, fill: PatternFill | None = None) -> Cell:
    """Write a value (strings always through write_text) with optional styling."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        write_text(cell, value)
    elif value is not None:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    return cell


def put_formula(ws: Worksheet, coordinate: str, formula: str, number_format: str | None = None) -> Cell:
    """A formula we built ourselves (never from user text)."""
    cell = ws[coordinate]
    cell.value = formula
    if number_format:
        cell.number_format = number_format
    return cell


def put_row(ws: Worksheet, row: int, values: Sequence[str | float | None],
            font: Font | None = None, fill: PatternFill | None = None, first_column: int = 1) -> None:
    for column, value in enumerate(values, start=first_column):
        put(ws, row, column, value, font=font, fill=fill)


def put_header(ws: Worksheet, row: int, values: Sequence[str | None], first_column: int = 1) -> None:
    put_row(ws, row, values, font=HEADER_FONT, fill=HEADER_FILL, first_column=first_column)
    for column in range(first_column, first_column + len(values)):
        ws.cell(row=row, column=column).alignment = HEADER_ALIGNMENT


def put_wide(ws: Worksheet, row: int, column: int, text: str, last: int = SUMMARY_LAST_COLUMN,
             font: Font | None = None, fill: PatternFill | None = None) -> Cell:
    """A text spanning columns `column`–`last` (merged), wrapped; `fit_merged_rows` sizes its row."""
    cell = put(ws, row, column, text, font=font, fill=fill)
    cell.alignment = WRAP
    if last > column:
        ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=last)
    return cell


def sheet_title(text: str) -> str:
    """A valid sheet name: no []:*?/\\ and at most 31 characters."""
    return SHEET_TITLE_BAD.sub("", text).strip("'")[:31] or "-"


def phase_sheet_title(phase: Phase, lang: str) -> str:
    return sheet_title(phase.label(lang))


def display_width(text: str) -> int:
    """Columns a text needs; full-width (and ambiguous, as in Japanese fonts) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def fit_columns(ws: Worksheet, from_row: int, to_row: int | None = None, minimum: int = 8, maximum: int = 60) -> None:
    """Column widths that fit the texts of rows `from_row`–`to_row` (titles, notes and merged texts may
    overflow or wrap)."""
    merged = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=from_row, max_row=to_row):
        for cell in row:
            if cell.value is None or cell.data_type == "f" or (cell.row, cell.column) in merged:
                continue
            shown = cell.value if isinstance(cell.value, str) else f"{cell.value:,.2f}"
            widths[cell.column] = max(widths.get(cell.column, 0), display_width(shown) + 2)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width, minimum), maximum)


def fit_rows(ws: Worksheet, from_row: int, line_height: float = 16.0) -> None:
    """Row heights for wrapped text (Excel and LibreOffice do not grow rows of a generated file)."""
    for row in ws.iter_rows(min_row=from_row):
        lines = max((wrapped_lines(ws, cell) for cell in row), default=1)
        ws.row_dimensions[row[0].row].height = line_height * lines


def wrapped_lines(ws: Worksheet, cell: Cell) -> int:
    if not isinstance(cell.value, str):
        return 1
    width = ws.column_dimensions[get_column_letter(cell.column)].width or 8
    return max(1, math.ceil(display_width(cell.value) / max(width - 1, 1)))


def fit_formula_texts(ws: Worksheet, column: str, texts: Sequence[str]) -> None:
    """Widen a column of formulas to the longest text they can show (fit_columns skips formulas)."""
    dimension = ws.column_dimensions[column]
    dimension.width = max(dimension.width or 8, max(display_width(text) for text in texts) + 2)


def status_words(lang: str) -> list[str]:
    return [tr(f"status.{status}", lang) for status in ("good", "warning", "bad")]


def widen_span(ws: Worksheet, first: int, last: int, width: float) -> None:
    """Widen columns `first`–`last` evenly until together they are `width` wide."""
    letters = [get_column_letter(c) for c in range(first, last + 1)]
    missing = width - sum(ws.column_dimensions[c].width or 8 for c in letters)
    for letter in letters if missing > 0 else ():
        ws.column_dimensions[letter].width = (ws.column_dimensions[letter].width or 8) + missing / len(letters)


def fit_merged_rows(ws: Worksheet, line_height: float = 16.0) -> None:
    """Row heights for the wrapped texts of one-row merged ranges, from the widths they span."""
    for merged in ws.merged_cells.ranges:
        text = ws.cell(row=merged.min_row, column=merged.min_col).value
        if merged.min_row != merged.max_row or not isinstance(text, str):
            continue
        width = sum(ws.column_dimensions[get_column_letter(c)].width or 8
                    for c in range(merged.min_col, merged.max_col + 1))
        lines = math.ceil(display_width(text) / max(width - 2, 1))
        if lines > 1:
            current = ws.row_dimensions[merged.min_row].height or line_height
            ws.row_dimensions[merged.min_row].height = max(current, line_height * lines)
            align_top(ws, merged.min_row)


def align_top(ws: Worksheet, row: int) -> None:
    """Every cell of a row that grew for wrapped text starts at its top, beside the text."""
    for cell in ws[row]:
        old = cell.alignment
        cell.alignment = Alignment(horizontal=old.horizontal, vertical="top", wrap_text=old.wrap_text)


def print_setup(ws: Worksheet, header_row: int | None, last_header_row: int | None = None) -> None:
    """A4 landscape, fit to one page wide, the header rows repeated on every page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row:
        ws.print_title_rows = f"{header_row}:{last_header_row or header_row}"


def number(value: float) -> str:
    return f"{value:g}"


def fraction(percent: float | None) -> float | None:
    """Percent points (the catalogue's and the planner's rates) as a fraction for a `0.0%` cell."""
    return None if percent is None else percent / 100


def number_format(unit: str, currency: str, grain: str | None = None) -> str:
    """A value's cell format, as display.format_number writes it: amounts with the team's currency
    (`"$"#,##0`), counts whole per period or month and to one decimal per rep."""
    if unit == "yen":
        return CURRENCIES[currency].excel
    if unit == "count":
        return COUNT_FORMATS.get(grain or "", NUMBER_FORMATS["count"])
    return NUMBER_FORMATS[unit]


def unit_name(unit: str, lang: str, currency: str) -> str:
    """`件`, `%`, and for amounts the currency's word (`円`, `USD`)."""
    return currency_word(currency, lang) if unit == "yen" else tr(f"unit.{unit}", lang)


def unit_words(unit: str, grain: str, lang: str, currency: str = DEFAULT_CURRENCY) -> str:
    return unit_name(unit, lang, currency) + tr(f"grain_suffix.{grain}", lang)


def write_legend(ws: Worksheet, row: int, note: str, lang: str) -> None:
    """A yellow swatch saying "input" beside what inputs do."""
    put(ws, row, 1, tr("legend.input", lang), font=BOLD, fill=INPUT_FILL)
    put(ws, row, 2, note)


def define_name(ws: Worksheet, name: str, coordinate: str) -> None:
    """A workbook-wide name for one cell of `ws`, used by the formulas instead of its address."""
    reference = f"{quote_sheetname(ws.title)}!{absolute_coordinate(coordinate)}"
    ws.parent.defined_names[name] = DefinedName(name, attr_text=reference)


def target_name(phase_id: str, kpi_id: str) -> str:
    """TARGET_<PHASE>_<KPI>: the target input cell of a KPI on its phase sheet."""
    return "_".join(NAME_BAD.sub("_", part) for part in ("TARGET", phase_id, kpi_id)).upper()


def usable(name: str, at_most_one: bool = False) -> str:
    """A number above zero (a rate also at most 100 %), as planner.build_plan reads its inputs."""
    cap = f",{name}<=1" if at_most_one else ""
    return f"AND(ISNUMBER({name}),{name}>0{cap})"


def achievement_formula(direction: str, target: str, actual: str) -> str:
    """Live achievement: actual ÷ target, or target ÷ actual when lower is better."""
    return ACHIEVEMENT_FORMULAS[direction].format(t=target, a=actual)


def status_formula(achievement: str, lang: str) -> str:
    return STATUS_FORMULA.format(g=achievement, one=1, warn=WARNING_FROM, good=tr("status.good", lang),
                                 warning=tr("status.warning", lang), bad=tr("status.bad", lang))


def add_achievement_colours(ws: Worksheet, column: str, first: int, last: int) -> None:
    """Green from 100 %, amber from 80 %, red below; blank achievements stay uncoloured."""
    g = f"{column}{first}"
    rules = [
        (f"AND(ISNUMBER({g}),{g}>=1)", GOOD_FILL),
        (f"AND(ISNUMBER({g}),{g}>={WARNING_FROM},{g}<1)", WARNING_FILL),
        (f"AND(ISNUMBER({g}),{g}<{WARNING_FROM})", BAD_FILL),
    ]
    for formula, fill in rules:
        ws.conditional_formatting.add(f"{column}{first}:{column}{last}", FormulaRule(formula=[formula], fill=fill))
