"""The Excel KPI design sheet (フェーズ別KPI設計シート), written with openpyxl.

One workbook: a summary (organisation, period, sources, diagnosis, checklist), one sheet per
phase laid out like SPEC §4 with editable targets and live achievement formulas, and a sheet
of definitions. Every visible text comes from the message catalogue (keys `sheet.*`, locales/core.yaml) or the catalogue.
Every string goes through `write_text`, so user data can never become a formula.

Percent KPIs are written in percent points (15 = 15 %) with the format `0.0"%"`, targets and
actuals alike, so that the achievement formula (actual ÷ target) compares like with like.
"""

from __future__ import annotations

import math
import re
import typing
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Catalogue, Kpi, Phase, PhaseKpi
from phasekpi.diagnosis import Diagnosis
from phasekpi.messages import t
from phasekpi.metrics import KpiResults

LANGS = ("ja", "en")

NUMBER_FORMATS = {"count": "#,##0.0", "percent": '0.0"%"', "yen": '"¥"#,##0', "points": "0.0", "ratio": "0.00"}
OPERATOR_WORDS = {"*": "×", "/": "÷"}

# Phase sheet layout (SPEC §4): title, marker, focus, header, one row per KPI.
PHASE_COLUMNS = ("tier", "kpi", "importance", "target", "unit", "actual", "achievement", "status")
COL = {name: get_column_letter(i) for i, name in enumerate(PHASE_COLUMNS, start=1)}
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
DEFINITION_COLUMNS = ("kpi", "tier", "type", "formula", "unit", "grain", "direction", "indicator", "benchmark",
                      "meaning")
DEFINITIONS_HEADER_ROW = 3
WARNING_FROM = 0.8  # achievement from which a KPI is "watch" rather than "behind" (metrics.status_of)

ACHIEVEMENT_FORMULAS = {  # mirrors metrics.achievement: blank when a value is missing or division is undefined
    "higher": '=IF(OR({t}="",{a}="",{t}=0),"",{a}/{t})',
    "lower": '=IF(OR({t}="",{a}="",{t}=0,{a}<=0),"",{t}/{a})',
}
STATUS_FORMULA = '=IF({g}="","",IF({g}>={one},"{good}",IF({g}>={warn},"{warning}","{bad}")))'

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL_CHARS = 32767
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
NAME_OR_OPERATOR = re.compile(r"[A-Za-z_]\w*|[*/]")

TITLE_FONT = Font(size=14, bold=True)
BOLD = Font(bold=True)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
ACTIVE_FILL = PatternFill("solid", fgColor="F8CBAD")
REFERENCE_FILL = PatternFill("solid", fgColor="DDEBF7")
GOOD_FILL = PatternFill("solid", fgColor="C6EFCE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
WRAP = Alignment(wrap_text=True, vertical="top")
LEFT = Alignment(horizontal="left")


@dataclass(frozen=True)
class KpiSheet:
    catalogue: Catalogue
    results: KpiResults
    diagnosis: Diagnosis
    answers: Mapping[str, bool]
    lang: str = "ja"
    targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    organisation: str = ""
    sources: tuple[str, ...] = ()


def write_workbook(stream: typing.BinaryIO, sheet: KpiSheet) -> None:
    """Write the whole KPI design sheet as .xlsx to a binary stream."""
    if sheet.lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {sheet.lang!r}")
    book = Workbook()
    write_summary(book.active, sheet)
    for phase in sheet.catalogue.phases:
        write_phase(book.create_sheet(sheet_title(phase.label(sheet.lang))), sheet, phase)
    write_definitions(book.create_sheet(sheet_title(tr("sheet.definitions", sheet.lang))), sheet)
    book.save(stream)


# ---------------------------------------------------------------- texts and cells


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


def put_row(ws: Worksheet, row: int, values: typing.Sequence[str | float | None],
            font: Font | None = None, fill: PatternFill | None = None) -> None:
    for column, value in enumerate(values, start=1):
        put(ws, row, column, value, font=font, fill=fill)


def sheet_title(text: str) -> str:
    """A valid sheet name: no []:*?/\\ and at most 31 characters."""
    return SHEET_TITLE_BAD.sub("", text).strip("'")[:31] or "-"


def display_width(text: str) -> int:
    """Columns a text needs; full-width (and ambiguous, as in Japanese fonts) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def fit_columns(ws: Worksheet, from_row: int, to_row: int | None = None, minimum: int = 8, maximum: int = 60) -> None:
    """Column widths that fit the texts of rows `from_row`–`to_row` (titles and notes may overflow)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=from_row, max_row=to_row):
        for cell in row:
            if cell.value is None or cell.data_type == "f":
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


def print_setup(ws: Worksheet, header_row: int | None) -> None:
    """A4 landscape, fit to one page wide, the header row repeated on every page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"


def number(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------- summary


def write_summary(ws: Worksheet, sheet: KpiSheet) -> None:
    lang = sheet.lang
    ws.title = sheet_title(tr("sheet.summary", lang))
    put(ws, 1, 1, tr("title", lang), font=TITLE_FONT)
    row = write_info(ws, 3, sheet)
    row = write_ticks(ws, row + 1, sheet)
    write_checklist(ws, row + 1, sheet)
    fit_columns(ws, 3, maximum=80)
    print_setup(ws, None)


def write_info(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """Organisation, period, sources and diagnosis as label/value rows; returns the next free row."""
    lang, period, diagnosis = sheet.lang, sheet.results.period, sheet.diagnosis
    phase_label = sheet.catalogue.phase(diagnosis.phase).label(lang)
    rows: list[tuple[str, str | float, str | None]] = [
        ("organisation", sheet.organisation, None),
        ("period", f"{period.start.isoformat()} – {period.end.isoformat()}", None),
        ("days", period.days, "#,##0"),
        ("months", period.months, "0.0"),
    ]
    for key, value, number_format in rows:
        put(ws, row, 1, tr(key, lang), font=BOLD)
        put(ws, row, 2, value, number_format).alignment = LEFT
        row += 1
    row = write_sources(ws, row, sheet)
    put(ws, row, 1, tr("phase", lang), font=BOLD)
    put(ws, row, 2, phase_label, font=BOLD, fill=ACTIVE_FILL)
    put(ws, row + 1, 1, tr("outcome", lang), font=BOLD)
    put(ws, row + 1, 2, tr(f"outcome.{diagnosis.outcome}", lang))
    put(ws, row + 2, 1, tr("reference_phases", lang), font=BOLD)
    labels = [sheet.catalogue.phase(p).label(lang) for p in diagnosis.reference_phases]
    put(ws, row + 2, 2, tr("list_separator", lang).join(labels) or tr("none", lang))
    return row + 3


def write_sources(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """One source file name per row (each is user data)."""
    put(ws, row, 1, tr("sources", sheet.lang), font=BOLD)
    for offset, name in enumerate(sheet.sources or (tr("none", sheet.lang),)):
        put(ws, row + offset, 2, name)
    return row + max(len(sheet.sources), 1)


def ticked_counts(sheet: KpiSheet) -> dict[str, int]:
    """Ticked items per phase: the diagnosis's, or counted from the answers when it has none."""
    items = sheet.catalogue.checklist.items
    counted = {p: sum(1 for i in items if i.phase == p and sheet.answers.get(i.id)) for p in sheet.catalogue.phase_ids}
    return {p: sheet.diagnosis.ticked.get(p, counted[p]) for p in counted}


def write_ticks(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    lang, catalogue = sheet.lang, sheet.catalogue
    put(ws, row, 1, tr("ticks", lang), font=BOLD)
    put_row(ws, row + 1, [tr(k, lang) for k in ("col.phase", "matched", "ticked", "threshold")],
            font=HEADER_FONT, fill=HEADER_FILL)
    ticks = ticked_counts(sheet)
    for offset, phase in enumerate(catalogue.phases, start=2):
        matched = "✓" if phase.id in sheet.diagnosis.matched else None
        put_row(ws, row + offset, [phase.label(lang), matched, ticks[phase.id],
                                   catalogue.checklist.thresholds[phase.id]])
    return row + 2 + len(catalogue.phases)


def write_checklist(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    lang, catalogue = sheet.lang, sheet.catalogue
    put(ws, row, 1, tr("checklist", lang), font=BOLD)
    put_row(ws, row + 1, [tr(k, lang) for k in ("item_id", "item", "col.phase", "check")],
            font=HEADER_FONT, fill=HEADER_FILL)
    for offset, item in enumerate(catalogue.checklist.items, start=2):
        tick = "✓" if sheet.answers.get(item.id) else None
        put_row(ws, row + offset, [item.id, item.label(lang), catalogue.phase(item.phase).label(lang), tick])
    return row + 2 + len(catalogue.checklist.items)


# ---------------------------------------------------------------- phase sheets


def write_phase(ws: Worksheet, sheet: KpiSheet, phase: Phase) -> None:
    write_phase_head(ws, sheet, phase)
    put_row(ws, HEADER_ROW, [tr(f"col.{c}", sheet.lang) for c in PHASE_COLUMNS], font=HEADER_FONT, fill=HEADER_FILL)
    overrides = sheet.targets.get(phase.id, {})
    for row, entry in enumerate(phase.kpis, start=FIRST_ROW):
        target = float(overrides.get(entry.kpi, entry.target))
        write_kpi_row(ws, row, sheet, entry, target)
    last = FIRST_ROW + len(phase.kpis) - 1
    add_achievement_colours(ws, FIRST_ROW, last)
    fit_columns(ws, HEADER_ROW, last)
    put(ws, last + 2, 1, tr("input_note", sheet.lang))
    ws.freeze_panes = f"A{FIRST_ROW}"
    print_setup(ws, HEADER_ROW)


def write_phase_head(ws: Worksheet, sheet: KpiSheet, phase: Phase) -> None:
    """Title (highlighted for the active phase), the current/reference marker and the focus."""
    lang = sheet.lang
    active = phase.id == sheet.diagnosis.phase
    title = tr("phase_title", lang, phase=phase.label(lang), months=months_text(phase, lang))
    put(ws, 1, 1, f"{tr('title', lang)} — {title}", font=TITLE_FONT, fill=ACTIVE_FILL if active else None)
    if active:
        put(ws, 2, 1, tr("current_phase", lang), font=BOLD, fill=ACTIVE_FILL)
    elif phase.id in sheet.diagnosis.reference_phases:
        put(ws, 2, 1, tr("reference", lang), font=BOLD, fill=REFERENCE_FILL)
    put(ws, 3, 1, tr("focus", lang), font=BOLD)
    put(ws, 3, 2, phase.focus(lang))


def months_text(phase: Phase, lang: str) -> str:
    start = number(phase.months.start)
    if phase.months.end is None:
        return tr("months_open", lang, start=start)
    return tr("months_range", lang, start=start, end=number(phase.months.end))


def write_kpi_row(ws: Worksheet, row: int, sheet: KpiSheet, entry: PhaseKpi, target: float) -> None:
    lang = sheet.lang
    kpi = sheet.catalogue.kpis[entry.kpi]
    number_format = NUMBER_FORMATS[kpi.unit]
    put(ws, row, 1, sheet.catalogue.tier(kpi.tier).label(lang))
    put(ws, row, 2, kpi.label(lang))
    put(ws, row, 3, stars(entry.importance))
    put(ws, row, 4, target, number_format, fill=INPUT_FILL)
    put(ws, row, 5, unit_text(kpi, lang))
    put(ws, row, 6, sheet.results.actual(entry.kpi), number_format)
    ws[f"{COL['achievement']}{row}"] = achievement_formula(kpi.direction, row)
    ws[f"{COL['achievement']}{row}"].number_format = "0.0%"
    ws[f"{COL['status']}{row}"] = status_formula(row, lang)


def stars(importance: int) -> str:
    return "★" * importance + "☆" * (3 - importance)


def unit_text(kpi: Kpi, lang: str) -> str:
    return tr(f"unit.{kpi.unit}", lang) + tr(f"grain_suffix.{kpi.grain}", lang)


def achievement_formula(direction: str, row: int) -> str:
    """Live achievement: actual ÷ target, or target ÷ actual when lower is better."""
    return ACHIEVEMENT_FORMULAS[direction].format(t=f"{COL['target']}{row}", a=f"{COL['actual']}{row}")


def status_formula(row: int, lang: str) -> str:
    return STATUS_FORMULA.format(g=f"{COL['achievement']}{row}", one=1, warn=WARNING_FROM,
                                 good=tr("status.good", lang), warning=tr("status.warning", lang),
                                 bad=tr("status.bad", lang))


def add_achievement_colours(ws: Worksheet, first: int, last: int) -> None:
    """Green from 100 %, amber from 80 %, red below; blank achievements stay uncoloured."""
    g = f"{COL['achievement']}{first}"
    cells = f"{COL['achievement']}{first}:{COL['achievement']}{last}"
    rules = [
        (f"AND(ISNUMBER({g}),{g}>=1)", GOOD_FILL),
        (f"AND(ISNUMBER({g}),{g}>={WARNING_FROM},{g}<1)", WARNING_FILL),
        (f"AND(ISNUMBER({g}),{g}<{WARNING_FROM})", BAD_FILL),
    ]
    for formula, fill in rules:
        ws.conditional_formatting.add(cells, FormulaRule(formula=[formula], fill=fill))


# ---------------------------------------------------------------- definitions


def write_definitions(ws: Worksheet, sheet: KpiSheet) -> None:
    lang = sheet.lang
    put(ws, 1, 1, f"{tr('title', lang)} — {tr('sheet.definitions', lang)}", font=TITLE_FONT)
    put_row(ws, DEFINITIONS_HEADER_ROW, [tr(f"col.{c}", lang) for c in DEFINITION_COLUMNS],
            font=HEADER_FONT, fill=HEADER_FILL)
    for row, kpi in enumerate(sheet.catalogue.kpis.values(), start=DEFINITIONS_HEADER_ROW + 1):
        put_row(ws, row, definition_row(sheet.catalogue, kpi, lang))
        for cell in ws[row]:
            cell.alignment = WRAP
    ws.freeze_panes = f"B{DEFINITIONS_HEADER_ROW + 1}"
    fit_columns(ws, DEFINITIONS_HEADER_ROW, maximum=50)
    fit_rows(ws, DEFINITIONS_HEADER_ROW + 1)
    print_setup(ws, DEFINITIONS_HEADER_ROW)


def definition_row(catalogue: Catalogue, kpi: Kpi, lang: str) -> list[str]:
    return [
        kpi.label(lang),
        catalogue.tier(kpi.tier).label(lang),
        tr(f"type.{kpi.type}", lang),
        formula_text(catalogue, kpi, lang),
        tr(f"unit.{kpi.unit}", lang),
        tr(f"grain.{kpi.grain}", lang),
        tr(f"direction.{kpi.direction}", lang),
        tr(f"indicator.{kpi.indicator}", lang),
        benchmark_text(kpi, lang),
        kpi.meaning(lang),
    ]


def formula_text(catalogue: Catalogue, kpi: Kpi, lang: str) -> str:
    """How the KPI is computed, in words of the language."""
    if kpi.type == "ratio":
        scale = "" if kpi.scale == 1 else f" × {number(kpi.scale)}"
        return f"{catalogue.kpis[kpi.numerator].label(lang)} ÷ {catalogue.kpis[kpi.denominator].label(lang)}{scale}"
    if kpi.type == "derived":
        return expression_text(catalogue, kpi.expression or "", lang)
    return measure_text(kpi, lang)


def expression_text(catalogue: Catalogue, expression: str, lang: str) -> str:
    """A derived expression with KPI and setting names as labels and × ÷ for * /."""
    labels = {k: v.label(lang) for k, v in catalogue.kpis.items()}
    labels |= {k: v.label(lang) for k, v in catalogue.settings.items()}
    labels |= {"months": tr("months_in_period", lang)} | OPERATOR_WORDS
    return NAME_OR_OPERATOR.sub(lambda m: labels.get(m.group(0), m.group(0)), expression)


def measure_text(kpi: Kpi, lang: str) -> str:
    """Count, sum or score: the table, the column and the filter."""
    measure = kpi.measure
    if measure is None:
        return ""
    table = tr(f"table.{measure.table}", lang)
    key = "count_distinct" if kpi.type == "count" and measure.count_distinct else kpi.type
    column = measure.count_distinct or measure.column or ""
    text = tr(f"formula.{key}", lang, table=table, column=column)
    return text + (tr("formula.where", lang, where=measure.where) if measure.where else "")


def benchmark_text(kpi: Kpi, lang: str) -> str:
    """The 目安 range with its unit: both ends, "at least" or "at most"; blank without one."""
    bench = kpi.benchmark
    if bench is None:
        return ""
    ends = {"low": bench.low, "high": bench.high}
    key = "range" if None not in ends.values() else "at_least" if bench.low is not None else "at_most"
    shown = {name: number(value) for name, value in ends.items() if value is not None}
    return tr(f"bench.{key}", lang, unit=unit_text(kpi, lang), **shown).strip()
