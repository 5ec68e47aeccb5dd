"""The Excel KPI design sheet (フェーズ別KPI設計シート), written with openpyxl: a planning tool.

Sheets, in order:

- **Summary**: organisation, period, data sources with the load report, the diagnosis with its
  checklist and evidence, alerts (active-phase KPIs below target, read live from the phase
  sheet) and the bottleneck of the activity funnel with its countermeasures.
- **One sheet per phase** (SPEC §4): target input cells, named `TARGET_<PHASE>_<KPI>`, and live
  achievement and status formulas; the active phase highlighted, reference phases marked.
- **KGI plan** (SPEC §9): named inputs (`KGI_PER_MONTH`, `AVG_DEAL_SIZE`, `WIN_RATE`,
  `APPT_TO_OPP_RATE`, `APPOINTMENT_RATE`, `EFFECTIVE_CONVERSATION_RATE`, `CONNECT_RATE`,
  `WORKING_DAYS`, `HEADCOUNT`) and formulas down to calls per rep per day, as `planner.build_plan`.
- **Funnel** (SPEC §8): counts, with rates, verdict and bottleneck as formulas over the counts and
  the (editable) benchmark bands, as `funnel.build_funnel` and `find_bottleneck`; a bar chart.
- **Per rep**: the active phase's KPIs per rep, achievement against the phase sheet's targets.
- **Definitions** of every KPI.

Every visible text comes from the message catalogue (keys `sheet.*`, locales/core.yaml and
locales/workbook.yaml) or the catalogue. Every string goes through `write_text`, so user data
can never become a formula.

Percent KPIs on the phase and per-rep sheets are in percent points (15 = 15 %) with the format
`0.0"%"`, targets and actuals alike, so that the achievement formula (actual ÷ target) compares
like with like. The plan and funnel sheets hold rates as fractions with the format `0.0%`.
"""

from __future__ import annotations

import math
import re
import typing
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Catalogue, Kpi, Phase, PhaseKpi
from phasekpi.diagnosis import Diagnosis
from phasekpi.display import finding_text, format_number, gaps_text, no_bottleneck_text, report_notes
from phasekpi.funnel import FunnelStep, build_funnel, find_bottleneck, what_if
from phasekpi.health import Finding
from phasekpi.injection import FORMULA_TRIGGERS
from phasekpi.messages import messages, problem_text, t
from phasekpi.metrics import KpiResults, scorecard
from phasekpi.planner import (
    ASSUMED_BENCHMARKS,
    FACTOR_ABOVE,
    METRICS,
    VOLUME_GRAIN,
    MetricId,
    PlanInputs,
    Rate,
    StepId,
    actual_deal_size,
    actual_rate,
    actual_volume,
    benchmark_rate,
    needed_steps,
)
from phasekpi.problems import FileReport, LoadReport

LANGS = ("ja", "en")

NUMBER_FORMATS = {"count": "#,##0.0", "percent": '0.0"%"', "yen": '"¥"#,##0', "points": "0.0", "ratio": "0.00"}
PERCENT = "0.0%"  # a fraction shown as a percentage (plan and funnel rates, achievements)
WHOLE = "#,##0"
DECIMAL = "#,##0.0"
YEN = NUMBER_FORMATS["yen"]
OPERATOR_WORDS = {"*": "×", "/": "÷"}

# Phase sheet layout (SPEC §4): title, marker, focus, header, one row per KPI.
PHASE_COLUMNS = ("tier", "kpi", "importance", "target", "unit", "actual", "achievement", "status", "note")
COL = {name: get_column_letter(i) for i, name in enumerate(PHASE_COLUMNS, start=1)}
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
DEFINITION_COLUMNS = ("kpi", "tier", "type", "formula", "unit", "grain", "direction", "indicator", "benchmark",
                      "meaning")
DEFINITIONS_HEADER_ROW = 3
WARNING_FROM = 0.8  # achievement from which a KPI is "watch" rather than "behind" (metrics.status_of)
SUMMARY_LAST_COLUMN = 8  # the summary is laid out on columns A–H; long texts span B–H
ALERT_COLUMNS = ("kpi", "target", "actual", "unit", "achievement", "status")
ACOL = {name: get_column_letter(i) for i, name in enumerate(ALERT_COLUMNS, start=1)}

# KGI plan sheet (SPEC §9): a revenue KGI worked back along planner.CHAIN.
PLAN_STEPS: tuple[StepId, ...] = needed_steps("revenue")
PLAN_NAMES: dict[str, str] = {  # input → the defined name of its cell
    "kgi": "KGI_PER_MONTH", "average_deal_size": "AVG_DEAL_SIZE", "win_rate": "WIN_RATE",
    "opportunity_per_appointment": "APPT_TO_OPP_RATE", "appointment_rate": "APPOINTMENT_RATE",
    "effective_conversation_rate": "EFFECTIVE_CONVERSATION_RATE", "connect_rate": "CONNECT_RATE",
    "working_days": "WORKING_DAYS", "headcount": "HEADCOUNT",
}
DEFAULT_WORKING_DAYS = 20.0  # the planner page's default
PLAN_INPUT_HEADER_ROW = 6
PLAN_FIRST_INPUT_ROW = PLAN_INPUT_HEADER_ROW + 1
PLAN_LINES_HEADER_ROW = PLAN_FIRST_INPUT_ROW + len(PLAN_NAMES) + 2
PLAN_FIRST_LINE_ROW = PLAN_LINES_HEADER_ROW + 1
PLAN_INPUT_COLUMNS = ("item", "value", "unit", "actual", "benchmark", "basis")
PLAN_LINE_COLUMNS = ("metric", "per_month", "per_rep_per_day", "actual", "actual_per", "coverage", "how")
PLAN_ADVICE = ("realistic", "raise", "new_members")

# Funnel sheet (SPEC §8): the activity funnel, one row per step.
ACTIVITY_FUNNEL = "activity"
FUNNEL_COLUMNS = ("step", "count", "rate_kpi", "step_rate", "cumulative", "band_low", "band_high", "shortfall",
                  "verdict", "bottleneck")
FIDX = {name: i for i, name in enumerate(FUNNEL_COLUMNS, start=1)}
FCOL = {name: get_column_letter(i) for name, i in FIDX.items()}
FUNNEL_HEADER_ROW = 4
FUNNEL_FIRST_ROW = FUNNEL_HEADER_ROW + 1

# Per-rep sheet: KPI labels, then actual/achievement, then the targets, then one row per rep.
REPS_HEADER_ROW = 4
REPS_TARGET_ROW = REPS_HEADER_ROW + 2
REPS_FIRST_ROW = REPS_TARGET_ROW + 1

ACHIEVEMENT_FORMULAS = {  # mirrors metrics.achievement: blank when a value is missing or division is undefined
    "higher": '=IF(OR({t}="",{a}="",{t}=0),"",{a}/{t})',
    "lower": '=IF(OR({t}="",{a}="",{t}=0,{a}<=0),"",{t}/{a})',
}
STATUS_FORMULA = '=IF({g}="","",IF({g}>={one},"{good}",IF({g}>={warn},"{warning}","{bad}")))'

MAX_CELL_CHARS = 32767
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
NAME_OR_OPERATOR = re.compile(r"[A-Za-z_]\w*|[*/]")
NAME_BAD = re.compile(r"[^A-Za-z0-9_]")

FONT_NAME = "Calibri"  # the workbook's default font: styled cells keep it (Excel substitutes it for Japanese)
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
SECTION_FONT = Font(name=FONT_NAME, size=12, bold=True, color="1F4E78")
BOLD = Font(name=FONT_NAME, bold=True)
FLAG_FONT = Font(name=FONT_NAME, bold=True, color="C00000")
HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
ACTIVE_FILL = PatternFill("solid", fgColor="F8CBAD")
REFERENCE_FILL = PatternFill("solid", fgColor="DDEBF7")
GOOD_FILL = PatternFill("solid", fgColor="C6EFCE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
NO_DATA_FILL = PatternFill("solid", fgColor="E7E6E6")  # a KPI the data cannot give, or a share over 100 %
ACTIVE_TAB, REFERENCE_TAB, PLANNING_TAB = "F4B183", "9BC2E6", "FFD966"
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="top")
TOP = Alignment(vertical="top")
CENTRE = Alignment(horizontal="center")


@dataclass(frozen=True)
class KpiSheet:
    catalogue: Catalogue
    results: KpiResults
    diagnosis: Diagnosis
    answers: Mapping[str, bool]
    lang: str = "ja"
    targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    organisation: str = ""
    load_report: LoadReport | None = None  # the files loaded and what happened to their rows
    by_rep: Mapping[str, KpiResults] = field(default_factory=dict)  # metrics.compute_grouped(..., "rep")
    health: Sequence[Finding] = ()  # health.health_findings over the loaded data


def write_workbook(stream: typing.BinaryIO, sheet: KpiSheet) -> None:
    """Write the whole KPI design sheet as .xlsx to a binary stream."""
    if sheet.lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {sheet.lang!r}")
    book = Workbook()
    write_summary(book.active, sheet)
    for phase in sheet.catalogue.phases:
        write_phase(book.create_sheet(phase_sheet_title(phase, sheet.lang)), sheet, phase)
    for key, writer in (("plan", write_plan), ("funnel", write_funnel), ("reps", write_reps),
                        ("definitions", write_definitions)):
        writer(book.create_sheet(sheet_title(tr(f"sheet.{key}", sheet.lang))), sheet)
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


def unit_words(unit: str, grain: str, lang: str) -> str:
    return tr(f"unit.{unit}", lang) + tr(f"grain_suffix.{grain}", lang)


def write_legend(ws: Worksheet, row: int, note: str, lang: str) -> None:
    """A yellow swatch saying "input" beside what inputs do."""
    put(ws, row, 1, tr("legend.input", lang), font=BOLD, fill=INPUT_FILL)
    put(ws, row, 2, note)


# ---------------------------------------------------------------- defined names and formulas


def define_name(ws: Worksheet, name: str, coordinate: str) -> None:
    """A workbook-wide name for one cell of `ws`, used by the formulas instead of its address."""
    reference = f"{quote_sheetname(ws.title)}!{absolute_coordinate(coordinate)}"
    ws.parent.defined_names[name] = DefinedName(name, attr_text=reference)


def target_name(phase_id: str, kpi_id: str) -> str:
    """TARGET_<PHASE>_<KPI>: the target input cell of a KPI on its phase sheet."""
    return "_".join(NAME_BAD.sub("_", part) for part in ("TARGET", phase_id, kpi_id)).upper()


def usable(name: str, at_most_one: bool = False) -> str:
    """A number above zero (a rate also at most 100 %), as planner._usable and _divide_by_factor."""
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


# ---------------------------------------------------------------- summary


def write_summary(ws: Worksheet, sheet: KpiSheet) -> None:
    ws.title = sheet_title(tr("sheet.summary", sheet.lang))
    put(ws, 1, 1, tr("title", sheet.lang), font=TITLE_FONT)
    row = 3
    for section in SUMMARY_SECTIONS:
        row = section(ws, row, sheet) + 1
    fit_columns(ws, 3, minimum=12, maximum=36)
    fit_formula_texts(ws, ACOL["status"], status_words(sheet.lang))
    longest_item = max(display_width(item.label(sheet.lang)) for item in sheet.catalogue.checklist.items)
    widen_span(ws, CHECKLIST_COLUMNS["item"], CHECKLIST_COLUMNS["col.phase"] - 1, longest_item + 2)
    fit_merged_rows(ws)
    ws.freeze_panes = "A2"
    print_setup(ws, None)


def write_section_title(ws: Worksheet, row: int, key: str, lang: str) -> int:
    put(ws, row, 1, tr(f"section.{key}", lang), font=SECTION_FONT)
    return row + 1


def write_label(ws: Worksheet, row: int, label: str, value: str | float | None, number_format: str | None = None,
                fill: PatternFill | None = None) -> int:
    """A bold label in A and its value in B (texts span B–H); returns the next row."""
    put(ws, row, 1, label, font=BOLD).alignment = TOP
    if isinstance(value, str):
        put_wide(ws, row, 2, value, fill=fill)
    else:
        put(ws, row, 2, value, number_format, fill=fill).alignment = LEFT
    return row + 1


def write_basics(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """Organisation and period."""
    lang, period = sheet.lang, sheet.results.period
    row = write_section_title(ws, row, "basics", lang)
    row = write_label(ws, row, tr("organisation", lang), sheet.organisation)
    row = write_label(ws, row, tr("period", lang), f"{period.start.isoformat()} – {period.end.isoformat()}")
    row = write_label(ws, row, tr("days", lang), period.days, "#,##0")
    row = write_label(ws, row, tr("months", lang), period.months, "0.0")
    return write_label(ws, row, tr("active_reps", lang), period.active_reps, "#,##0")


SOURCE_COUNTS = ("rows_read", "rows_loaded", "rows_updated", "duplicates", "rows_rejected", "footer_lines")


def write_sources(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """One row per file loaded: its kind, encoding and rows read = new + updated + duplicates + rejected
    + footer; then what else happened to each file's rows."""
    lang, report = sheet.lang, sheet.load_report
    row = write_section_title(ws, row, "sources", lang)
    if report is None or not report.files:
        return write_label(ws, row, tr("sources", lang), tr("none", lang))
    put_header(ws, row, [tr(f"col.{c}", lang) for c in ("file", "kind", "encoding", *SOURCE_COUNTS, "result")])
    for offset, file in enumerate(report.files, start=1):
        write_file_row(ws, row + offset, file, lang)
    row += 1 + len(report.files)
    for file in report.files:
        row = write_list(ws, row, file.file, report_notes(file, lang)) if file.error is None else row
    return row


def write_file_row(ws: Worksheet, row: int, file: FileReport, lang: str) -> None:
    put(ws, row, 1, file.file)  # user data: the name as uploaded
    if file.error is not None:
        put_wide(ws, row, 2, problem_text(file.error, lang), fill=BAD_FILL)
        return
    put_row(ws, row, [tr(f"table.{file.kind}", lang) if file.kind else "", file.encoding or ""], first_column=2)
    for column, name in enumerate(SOURCE_COUNTS, start=4):
        put(ws, row, column, getattr(file, name), WHOLE)
    put(ws, row, 4 + len(SOURCE_COUNTS), tr("load_ok", lang)).alignment = CENTRE


def write_health(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """The data-health findings: what each means, and what to do."""
    lang = sheet.lang
    row = write_section_title(ws, row, "health", lang)
    if not sheet.health:
        put_wide(ws, row, 1, tr("health.none", lang))
        return row + 1
    for finding in sheet.health:
        what, todo = finding_text(finding, sheet.catalogue, lang)
        put_wide(ws, row, 1, what, fill=WARNING_FILL if finding.severity == "warning" else None)
        put_wide(ws, row + 1, 1, f"{tr('health.todo', lang)}: {todo}")
        row += 2
    return row


def write_diagnosis(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """The phase in force and why: outcome, reference phases, evidence, ticks and the checklist."""
    lang, diagnosis, catalogue = sheet.lang, sheet.diagnosis, sheet.catalogue
    row = write_section_title(ws, row, "diagnosis", lang)
    row = write_label(ws, row, tr("phase", lang), catalogue.phase(diagnosis.phase).label(lang), fill=ACTIVE_FILL)
    ws.cell(row=row - 1, column=2).font = BOLD
    row = write_label(ws, row, tr("outcome", lang), tr(f"outcome.{diagnosis.outcome}", lang))
    labels = [catalogue.phase(p).label(lang) for p in diagnosis.reference_phases]
    row = write_label(ws, row, tr("reference_phases", lang), tr("list_separator", lang).join(labels) or tr("none", lang))
    for key, value in diagnosis.evidence.items():
        row = write_label(ws, row, f"{tr('evidence', lang)}: {evidence_label(key, lang)}", value, "0.0")
    row = write_ticks(ws, row + 1, sheet)
    return write_checklist(ws, row + 1, sheet)


def evidence_label(key: str, lang: str) -> str:
    """The words for an evidence or data-signal key; the key itself for one we have no words for."""
    return tr(f"evidence.{key}", lang) if f"sheet.evidence.{key}" in messages() else key


def ticked_counts(sheet: KpiSheet) -> dict[str, int]:
    """Ticked items per phase: the diagnosis's, or counted from the answers when it has none."""
    items = sheet.catalogue.checklist.items
    counted = {p: sum(1 for i in items if i.phase == p and sheet.answers.get(i.id)) for p in sheet.catalogue.phase_ids}
    return {p: sheet.diagnosis.ticked.get(p, counted[p]) for p in counted}


def write_ticks(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    lang, catalogue = sheet.lang, sheet.catalogue
    put(ws, row, 1, tr("ticks", lang), font=BOLD)
    put_header(ws, row + 1, [tr(k, lang) for k in ("col.phase", "matched", "ticked", "threshold")])
    ticks = ticked_counts(sheet)
    for offset, phase in enumerate(catalogue.phases, start=2):
        matched = "✓" if phase.id in sheet.diagnosis.matched else None
        put_row(ws, row + offset, [phase.label(lang), matched, ticks[phase.id],
                                   catalogue.checklist.thresholds[phase.id]])
        ws.cell(row=row + offset, column=2).alignment = CENTRE
    return row + 2 + len(catalogue.phases)


CHECKLIST_COLUMNS = {"item_id": 1, "item": 2, "col.phase": 6, "check": 7, "col.data_signal": 8}  # item spans B–E


def write_checklist(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """The ten statements, ticked or not, with what the data can show about each."""
    lang, catalogue = sheet.lang, sheet.catalogue
    put(ws, row, 1, tr("checklist", lang), font=BOLD)
    for key, column in CHECKLIST_COLUMNS.items():
        put_header(ws, row + 1, [tr(key, lang)], first_column=column)
    ws.merge_cells(start_row=row + 1, start_column=2, end_row=row + 1, end_column=CHECKLIST_COLUMNS["col.phase"] - 1)
    for offset, item in enumerate(catalogue.checklist.items, start=2):
        put(ws, row + offset, 1, item.id)
        put_wide(ws, row + offset, 2, item.label(lang), last=CHECKLIST_COLUMNS["col.phase"] - 1)
        put(ws, row + offset, CHECKLIST_COLUMNS["col.phase"], catalogue.phase(item.phase).label(lang))
        put(ws, row + offset, CHECKLIST_COLUMNS["check"], "✓" if sheet.answers.get(item.id) else None).alignment = CENTRE
        signal = signal_text(item.from_data, sheet.diagnosis, lang)
        put(ws, row + offset, CHECKLIST_COLUMNS["col.data_signal"], signal).alignment = WRAP
    return row + 2 + len(catalogue.checklist.items)


def signal_text(signal: str | None, diagnosis: Diagnosis, lang: str) -> str | None:
    """What the data can show about an item, with its value when the diagnosis measured it."""
    if signal is None:
        return None
    if signal in diagnosis.evidence:
        return f"{evidence_label(signal, lang)}: {number(diagnosis.evidence[signal])}"
    return evidence_label(signal, lang)


def write_alerts(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """The active phase's KPIs below target when written, read live from the phase sheet."""
    lang, catalogue = sheet.lang, sheet.catalogue
    phase = catalogue.phase(sheet.diagnosis.phase)
    ws.row_breaks.append(Break(id=row - 1))  # alerts and bottleneck start the summary's second page
    row = write_section_title(ws, row, "alerts", lang)
    below = [r for r in scorecard(catalogue, phase.id, sheet.results, sheet.targets.get(phase.id))
             if r.status in ("bad", "warning")]
    put_wide(ws, row, 1, tr("alerts_note", lang) if below else tr("no_alerts", lang))
    if not below:
        return row + 1
    put_header(ws, row + 1, [tr(f"col.{c}", lang) for c in ALERT_COLUMNS])
    for offset, card in enumerate(below, start=2):
        write_alert_row(ws, row + offset, sheet, phase, card.kpi_id)
    add_achievement_colours(ws, ACOL["achievement"], row + 2, row + 1 + len(below))
    return row + 2 + len(below)


def write_alert_row(ws: Worksheet, row: int, sheet: KpiSheet, phase: Phase, kpi_id: str) -> None:
    """A KPI's label and unit, with target, actual, achievement and status referring to its phase sheet."""
    lang, kpi = sheet.lang, sheet.catalogue.kpis[kpi_id]
    phase_row = FIRST_ROW + [entry.kpi for entry in phase.kpis].index(kpi_id)
    source = f"={quote_sheetname(phase_sheet_title(phase, lang))}!{{column}}{phase_row}"
    put(ws, row, 1, kpi.label(lang))
    put_formula(ws, f"{ACOL['target']}{row}", f"={target_name(phase.id, kpi_id)}", NUMBER_FORMATS[kpi.unit])
    put_formula(ws, f"{ACOL['actual']}{row}", source.format(column=COL["actual"]), NUMBER_FORMATS[kpi.unit])
    put(ws, row, ALERT_COLUMNS.index("unit") + 1, unit_words(kpi.unit, kpi.grain, lang))
    put_formula(ws, f"{ACOL['achievement']}{row}", source.format(column=COL["achievement"]), PERCENT)
    put_formula(ws, f"{ACOL['status']}{row}", source.format(column=COL["status"]))


def write_bottleneck(ws: Worksheet, row: int, sheet: KpiSheet) -> int:
    """The activity funnel's bottleneck, its stage and countermeasures, and the gain of fixing it."""
    lang, catalogue, results = sheet.lang, sheet.catalogue, sheet.results
    row = write_section_title(ws, row, "bottleneck", lang)
    steps = build_funnel(catalogue, ACTIVITY_FUNNEL, results)
    bottleneck = find_bottleneck(steps)
    if bottleneck is None:
        put_wide(ws, row, 1, no_bottleneck_text(steps, lang))
        return row + 1
    step = bottleneck.step
    rate_kpi, stage = catalogue.kpis[step.rate_kpi], catalogue.stages[step.stage]
    verdict = "below" if bottleneck.below_benchmark else "weakest"
    row = write_label(ws, row, tr("bottleneck.kpi", lang), rate_kpi.label(lang), fill=BAD_FILL if verdict == "below" else None)
    row = write_label(ws, row, tr("bottleneck.rate", lang), fraction(step.step_rate), PERCENT)
    row = write_label(ws, row, tr("bottleneck.band", lang), benchmark_text(rate_kpi, lang))
    row = write_label(ws, row, tr("bottleneck.gap", lang), step.shortfall, PERCENT)
    row = write_label(ws, row, tr("bottleneck.verdict", lang), tr(f"bottleneck.{verdict}", lang))
    row = write_label(ws, row, tr("bottleneck.stage", lang), f"{stage.label(lang)} — {stage.issue(lang)}")
    row = write_list(ws, row, tr("bottleneck.countermeasures", lang), [c(lang) for c in stage.countermeasures])
    gain = what_if(catalogue, ACTIVITY_FUNNEL, steps, bottleneck, results)
    gains = [tr("bottleneck.gain", lang, kpi=catalogue.kpis[k].label(lang),
                value=format_number(v, catalogue.kpis[k].unit, lang)) for k, v in (gain.gains if gain else {}).items()]
    return write_list(ws, row, tr("bottleneck.what_if", lang), gains)


def write_list(ws: Worksheet, row: int, label: str, lines: Sequence[str]) -> int:
    """A label beside the first of several texts, one per row."""
    if lines:
        put(ws, row, 1, label, font=BOLD).alignment = TOP
    for offset, line in enumerate(lines):
        put_wide(ws, row + offset, 2, line)
    return row + len(lines)


SUMMARY_SECTIONS: tuple[Callable[[Worksheet, int, KpiSheet], int], ...] = (
    write_basics, write_sources, write_health, write_diagnosis, write_alerts, write_bottleneck)


# ---------------------------------------------------------------- phase sheets


def write_phase(ws: Worksheet, sheet: KpiSheet, phase: Phase) -> None:
    write_phase_head(ws, sheet, phase)
    put_header(ws, HEADER_ROW, [tr(f"col.{c}", sheet.lang) for c in PHASE_COLUMNS])
    overrides = sheet.targets.get(phase.id, {})
    for row, entry in enumerate(phase.kpis, start=FIRST_ROW):
        target = float(overrides.get(entry.kpi, entry.target))
        write_kpi_row(ws, row, sheet, phase, entry, target)
    last = FIRST_ROW + len(phase.kpis) - 1
    add_achievement_colours(ws, COL["achievement"], FIRST_ROW, last)
    fit_columns(ws, HEADER_ROW, last)
    fit_formula_texts(ws, COL["status"], status_words(sheet.lang))
    write_legend(ws, last + 2, tr("input_note", sheet.lang), sheet.lang)
    ws.freeze_panes = f"A{FIRST_ROW}"
    print_setup(ws, HEADER_ROW)


def write_phase_head(ws: Worksheet, sheet: KpiSheet, phase: Phase) -> None:
    """Title (highlighted for the active phase), the current/reference marker, the focus and the tab colour."""
    lang = sheet.lang
    active = phase.id == sheet.diagnosis.phase
    title = tr("phase_title", lang, phase=phase.label(lang), months=months_text(phase, lang))
    put(ws, 1, 1, f"{tr('title', lang)} — {title}", font=TITLE_FONT)
    if active:
        for column in range(1, len(PHASE_COLUMNS) + 1):
            ws.cell(row=1, column=column).fill = ACTIVE_FILL
        put(ws, 2, 1, tr("current_phase", lang), font=BOLD, fill=ACTIVE_FILL)
        ws.sheet_properties.tabColor = ACTIVE_TAB
    elif phase.id in sheet.diagnosis.reference_phases:
        put(ws, 2, 1, tr("reference", lang), font=BOLD, fill=REFERENCE_FILL)
        ws.sheet_properties.tabColor = REFERENCE_TAB
    put(ws, 3, 1, tr("focus", lang), font=BOLD)
    put(ws, 3, 2, phase.focus(lang))


def months_text(phase: Phase, lang: str) -> str:
    start = number(phase.months.start)
    if phase.months.end is None:
        return tr("months_open", lang, start=start)
    return tr("months_range", lang, start=start, end=number(phase.months.end))


def write_kpi_row(ws: Worksheet, row: int, sheet: KpiSheet, phase: Phase, entry: PhaseKpi, target: float) -> None:
    lang = sheet.lang
    kpi = sheet.catalogue.kpis[entry.kpi]
    number_format = NUMBER_FORMATS[kpi.unit]
    name = target_name(phase.id, entry.kpi)
    put(ws, row, 1, sheet.catalogue.tier(kpi.tier).label(lang))
    put(ws, row, 2, kpi.label(lang))
    put(ws, row, 3, stars(entry.importance))
    put(ws, row, 4, target, number_format, fill=INPUT_FILL)
    define_name(ws, name, f"{COL['target']}{row}")
    put(ws, row, 5, unit_text(kpi, lang))
    put(ws, row, 6, sheet.results.actual(entry.kpi), number_format)
    achievement = f"{COL['achievement']}{row}"
    doubt = doubtful(sheet.results, entry.kpi, kpi, lang)
    if doubt is not None:  # no achievement that could turn green: the data cannot give it, or a share over 100 %
        status, note = doubt
        put(ws, row, PHASE_COLUMNS.index("status") + 1, tr(f"status.{status}", lang), fill=NO_DATA_FILL)
        put_wide(ws, row, PHASE_COLUMNS.index("note") + 1, note, last=PHASE_COLUMNS.index("note") + 1)
        return
    put_formula(ws, achievement, achievement_formula(kpi.direction, name, f"{COL['actual']}{row}"), PERCENT)
    put_formula(ws, f"{COL['status']}{row}", status_formula(achievement, lang))


def doubtful(results: KpiResults, kpi_id: str, kpi: Kpi, lang: str = "ja") -> tuple[str, str] | None:
    """(status, why) for a KPI the data cannot give (its gaps) or a share over 100 %; None otherwise."""
    if results.gaps(kpi_id):
        return "unavailable", gaps_text(results.gaps(kpi_id), lang)
    actual = results.actual(kpi_id)
    if kpi.is_share and actual is not None and actual > 100:
        return "implausible", t("card.implausible_note", lang)
    return None


def stars(importance: int) -> str:
    return "★" * importance + "☆" * (3 - importance)


def unit_text(kpi: Kpi, lang: str) -> str:
    return unit_words(kpi.unit, kpi.grain, lang)


# ---------------------------------------------------------------- KGI plan


def significant(value: float | None, digits: int = 2) -> float | None:
    """A starting value people can read: `digits` significant digits; None when not above zero."""
    if value is None or value <= 0:
        return None
    return float(round(value, digits - 1 - math.floor(math.log10(value))))


def default_rate(step: StepId, catalogue: Catalogue, results: KpiResults) -> Rate:
    """The team's actual rate when it is a usable percentage (above 0, at most 100), else the
    benchmark floor (or the planner's stated assumption)."""
    actual = actual_rate(step, results)
    if actual is not None and 0 < actual <= 100:
        return Rate("actual", actual)
    return Rate("benchmark", benchmark_rate(step, catalogue))


def default_plan_inputs(catalogue: Catalogue, results: KpiResults) -> PlanInputs:
    """The KGI sheet's starting values, from the period's actuals as the planner page starts: the
    monthly won amount and the deal size (rounded), each step's rate, the active reps, 20 days."""
    return PlanInputs(
        kgi_kind="revenue", kgi_per_month=significant(actual_volume("revenue", results)),
        average_deal_size=significant(actual_deal_size(results)),
        rates={step: default_rate(step, catalogue, results) for step in PLAN_STEPS},
        headcount=float(results.period.active_reps) or None, working_days=DEFAULT_WORKING_DAYS,
    )


@dataclass(frozen=True)
class PlanInputRow:
    key: str  # a key of PLAN_NAMES
    label: str
    value: float | None  # as in the cell: a rate as a fraction
    unit: str
    number_format: str
    actual: float | None
    benchmark: float | None
    basis: str  # sheet.plan.basis.<basis>


def plan_input_rows(sheet: KpiSheet, inputs: PlanInputs) -> list[PlanInputRow]:
    lang, results, catalogue = sheet.lang, sheet.results, sheet.catalogue
    missing = "missing"
    rows = [
        PlanInputRow("kgi", tr("plan.kgi", lang), inputs.kgi_per_month, unit_words("yen", "per_month", lang), YEN,
                     actual_volume("revenue", results), None, "actual_rounded" if inputs.kgi_per_month else missing),
        PlanInputRow("average_deal_size", t("planner.node.average_deal_size", lang), inputs.average_deal_size,
                     tr("unit.yen", lang), YEN, actual_deal_size(results), None,
                     "deal_size" if inputs.average_deal_size else missing),
    ]
    for step in PLAN_STEPS:
        rate = inputs.rates[step]
        basis = "actual" if rate.source == "actual" else "assumed" if step in ASSUMED_BENCHMARKS else "benchmark"
        rows.append(PlanInputRow(step, t(f"planner.node.{step}", lang), fraction(rate.value), tr("unit.percent", lang),
                                 PERCENT, fraction(actual_rate(step, results)),
                                 fraction(benchmark_rate(step, catalogue)), basis))
    return [*rows,
            PlanInputRow("working_days", t("planner.working_days", lang), inputs.working_days,
                          tr("plan.unit.days", lang), DECIMAL, None, None, "standard"),
            PlanInputRow("headcount", t("planner.headcount", lang), inputs.headcount, tr("plan.unit.reps", lang),
                         WHOLE, float(results.period.active_reps), None, "active_reps")]


def write_plan(ws: Worksheet, sheet: KpiSheet) -> None:
    lang = sheet.lang
    ws.sheet_properties.tabColor = PLANNING_TAB
    put(ws, 1, 1, f"{tr('title', lang)} — {tr('sheet.plan', lang)}", font=TITLE_FONT)
    put_wide(ws, 2, 1, tr("plan.intro", lang), last=len(PLAN_LINE_COLUMNS))
    write_legend(ws, 3, tr("legend.note", lang), lang)
    put(ws, PLAN_INPUT_HEADER_ROW - 1, 1, tr("plan.inputs", lang), font=SECTION_FONT)
    put_header(ws, PLAN_INPUT_HEADER_ROW, [tr(plan_column_key(c), lang) for c in PLAN_INPUT_COLUMNS])
    inputs = default_plan_inputs(sheet.catalogue, sheet.results)
    for row, spec in enumerate(plan_input_rows(sheet, inputs), start=PLAN_FIRST_INPUT_ROW):
        write_plan_input(ws, row, spec, lang)
    write_plan_lines(ws, sheet)
    write_plan_advice(ws, PLAN_FIRST_LINE_ROW + len(METRICS) + 1, lang)
    fit_columns(ws, PLAN_INPUT_HEADER_ROW, PLAN_FIRST_LINE_ROW + len(METRICS), maximum=44)
    fit_merged_rows(ws)
    ws.freeze_panes = "A4"
    print_setup(ws, None)


def plan_column_key(column: str) -> str:
    """Plan columns reuse the phase sheet's words where they mean the same."""
    return f"col.{column}" if column in ("unit", "actual", "benchmark") else f"plan.col.{column}"


def write_plan_input(ws: Worksheet, row: int, spec: PlanInputRow, lang: str) -> None:
    put(ws, row, 1, spec.label, font=BOLD)
    put(ws, row, 2, spec.value, spec.number_format, fill=INPUT_FILL)
    define_name(ws, PLAN_NAMES[spec.key], f"B{row}")
    put(ws, row, 3, spec.unit)
    put(ws, row, 4, spec.actual, spec.number_format)
    put(ws, row, 5, spec.benchmark, spec.number_format)
    put_wide(ws, row, 6, tr(f"plan.basis.{spec.basis}", lang), last=len(PLAN_LINE_COLUMNS))


def write_plan_lines(ws: Worksheet, sheet: KpiSheet) -> None:
    """From the KGI down to calls: required per month and per rep per day, the actual and its coverage."""
    lang = sheet.lang
    put(ws, PLAN_LINES_HEADER_ROW - 1, 1, tr("plan.lines", lang), font=SECTION_FONT)
    put_header(ws, PLAN_LINES_HEADER_ROW, [tr(plan_column_key(c), lang) for c in PLAN_LINE_COLUMNS])
    for row, metric in enumerate(METRICS, start=PLAN_FIRST_LINE_ROW):
        number_format = YEN if metric == "revenue" else DECIMAL
        grain_column = "B" if VOLUME_GRAIN[metric] == "per_month" else "C"
        put(ws, row, 1, t(f"planner.node.{metric}", lang), font=BOLD)
        put_formula(ws, f"B{row}", per_month_formula(metric, row), number_format)
        put_formula(ws, f"C{row}", per_rep_per_day_formula(row), number_format)
        put(ws, row, 4, actual_volume(metric, sheet.results), number_format)
        put(ws, row, 5, unit_words("yen" if metric == "revenue" else "count", VOLUME_GRAIN[metric], lang))
        put_formula(ws, f"F{row}", f'=IF(OR(D{row}="",{grain_column}{row}="",{grain_column}{row}=0),"",'
                                   f"D{row}/{grain_column}{row})", PERCENT)
        put(ws, row, 7, how_text(metric, lang))
    add_achievement_colours(ws, "F", PLAN_FIRST_LINE_ROW, PLAN_FIRST_LINE_ROW + len(METRICS) - 1)


def per_month_formula(metric: MetricId, row: int) -> str:
    """The KGI itself, or the line above divided by the factor between them (planner.CHAIN)."""
    if metric == "revenue":
        return f'=IF({usable(PLAN_NAMES["kgi"])},{PLAN_NAMES["kgi"]},"")'
    factor = FACTOR_ABOVE[metric]
    name = PLAN_NAMES[factor]
    return f'=IF(AND(B{row - 1}<>"",{usable(name, factor != "average_deal_size")}),B{row - 1}/{name},"")'


def per_rep_per_day_formula(row: int) -> str:
    """The line's monthly requirement over headcount × working days (blank while either is unusable)."""
    headcount, days = PLAN_NAMES["headcount"], PLAN_NAMES["working_days"]
    return f'=IF(AND(B{row}<>"",{usable(headcount)},{usable(days)}),B{row}/({headcount}*{days}),"")'


def how_text(metric: MetricId, lang: str) -> str:
    if metric == "revenue":
        return tr("plan.how_kgi", lang)
    above = METRICS[METRICS.index(metric) - 1]
    return tr("plan.how", lang, above=t(f"planner.node.{above}", lang),
              factor=t(f"planner.node.{FACTOR_ABOVE[metric]}", lang))


def write_plan_advice(ws: Worksheet, row: int, lang: str) -> None:
    put(ws, row, 1, tr("plan.advice_title", lang), font=SECTION_FONT)
    for offset, key in enumerate(PLAN_ADVICE, start=1):
        put_wide(ws, row + offset, 1, f"・{tr(f'plan.advice.{key}', lang)}", last=len(PLAN_LINE_COLUMNS))


# ---------------------------------------------------------------- funnel


def write_funnel(ws: Worksheet, sheet: KpiSheet) -> None:
    lang, catalogue = sheet.lang, sheet.catalogue
    steps = build_funnel(catalogue, ACTIVITY_FUNNEL, sheet.results)
    last = FUNNEL_FIRST_ROW + len(steps) - 1
    put(ws, 1, 1, f"{tr('title', lang)} — {catalogue.funnels[ACTIVITY_FUNNEL].label(lang)}", font=TITLE_FONT)
    put_wide(ws, 2, 1, tr("funnel.intro", lang), last=len(FUNNEL_COLUMNS))
    write_legend(ws, 3, tr("legend.note", lang), lang)
    put_header(ws, FUNNEL_HEADER_ROW, [tr(f"funnel.col.{c}", lang) for c in FUNNEL_COLUMNS])
    for index, step in enumerate(steps):
        write_funnel_row(ws, FUNNEL_FIRST_ROW + index, index, step, sheet, last)
    add_band_colours(ws, FUNNEL_FIRST_ROW, last)
    fit_columns(ws, FUNNEL_HEADER_ROW, last)
    fit_formula_texts(ws, FCOL["verdict"], [tr(f"funnel.{k}", lang) for k in ("below", "within", "above")])
    fit_formula_texts(ws, FCOL["bottleneck"], [tr("funnel.flag", lang)])
    fit_merged_rows(ws)
    add_funnel_chart(ws, lang, last)
    ws.freeze_panes = f"B{FUNNEL_FIRST_ROW}"
    print_setup(ws, FUNNEL_HEADER_ROW)


def write_funnel_row(ws: Worksheet, row: int, index: int, step: FunnelStep, sheet: KpiSheet, last: int) -> None:
    """One step: count, rates over the counts, the band (an input) and the verdict, as build_funnel."""
    lang, catalogue = sheet.lang, sheet.catalogue
    c, first = FCOL, FUNNEL_FIRST_ROW
    count, rate, low, high, shortfall = (f"{c[k]}{row}" for k in ("count", "step_rate", "band_low", "band_high",
                                                                  "shortfall"))
    put(ws, row, FIDX["step"], catalogue.kpis[step.kpi_id].label(lang), font=BOLD)
    put(ws, row, FIDX["count"], step.count, WHOLE)
    put(ws, row, FIDX["rate_kpi"], catalogue.kpis[step.rate_kpi].label(lang) if step.rate_kpi else None)
    if index:
        previous = f"{c['count']}{row - 1}"
        put_formula(ws, rate, f'=IF(OR({count}="",{previous}="",{previous}=0),"",{count}/{previous})', PERCENT)
    start = f"${c['count']}${first}"
    put_formula(ws, f"{c['cumulative']}{row}", f'=IF(OR({count}="",{start}="",{start}=0),"",{count}/{start})',
                PERCENT)
    if step.rate_kpi:
        put(ws, row, FIDX["band_low"], fraction(step.band_low), PERCENT, fill=INPUT_FILL)
        put(ws, row, FIDX["band_high"], fraction(step.band_high), PERCENT, fill=INPUT_FILL)
    # as FunnelStep.candidate: no shortfall (so no bottleneck) over 100 % or on fewer than min_sample cases
    enough = f'{c["count"]}{row - 1}<{step.min_sample}' if index else "TRUE"
    put_formula(ws, shortfall, f'=IF(OR({rate}="",{low}="",{low}=0,{rate}>1,{enough}),"",({low}-{rate})/{low})',
                PERCENT)
    put_formula(ws, f"{c['verdict']}{row}", verdict_formula(rate, low, high, lang))
    column = f"${c['shortfall']}${first}:${c['shortfall']}${last}"
    put_formula(ws, f"{c['bottleneck']}{row}",
                f'=IF({shortfall}="","",IF(AND({shortfall}>0,MATCH(MAX({column}),{column},0)={index + 1}),'
                f'"{tr("funnel.flag", lang)}",""))').font = FLAG_FONT


def verdict_formula(rate: str, low: str, high: str, lang: str) -> str:
    below, within, above = (tr(f"funnel.{k}", lang) for k in ("below", "within", "above"))
    return (f'=IF(OR({rate}="",{low}=""),"",IF({rate}<{low},"{below}",'
            f'IF(AND({high}<>"",{rate}>{high}),"{above}","{within}")))')


def add_band_colours(ws: Worksheet, first: int, last: int) -> None:
    """A step rate is red below the floor of its band, green from it."""
    rate, low = f"{FCOL['step_rate']}{first}", f"{FCOL['band_low']}{first}"
    cells = f"{FCOL['step_rate']}{first}:{FCOL['step_rate']}{last}"
    both = f"ISNUMBER({rate}),ISNUMBER({low})"
    ws.conditional_formatting.add(cells, FormulaRule(formula=[f"AND({both},{rate}<{low})"], fill=BAD_FILL))
    ws.conditional_formatting.add(cells, FormulaRule(formula=[f"AND({both},{rate}>={low})"], fill=GOOD_FILL))


def add_funnel_chart(ws: Worksheet, lang: str, last: int) -> None:
    """A native horizontal bar chart of the counts, first step on top."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = tr("funnel.chart", lang)
    chart.legend = None
    chart.add_data(Reference(ws, min_col=FIDX["count"], min_row=FUNNEL_FIRST_ROW, max_row=last))
    chart.set_categories(Reference(ws, min_col=FIDX["step"], min_row=FUNNEL_FIRST_ROW, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = WHOLE
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                     showPercent=False)
    chart.width, chart.height = 24, 9
    ws.add_chart(chart, f"A{last + 3}")


# ---------------------------------------------------------------- per rep


def write_reps(ws: Worksheet, sheet: KpiSheet) -> None:
    lang = sheet.lang
    phase = sheet.catalogue.phase(sheet.diagnosis.phase)
    put(ws, 1, 1, f"{tr('title', lang)} — {tr('reps.title', lang, phase=phase.label(lang))}", font=TITLE_FONT)
    width = 2 + 2 * len(phase.kpis)
    put_wide(ws, 2, 1, tr("reps.intro", lang, phase=phase.label(lang), sheet=phase_sheet_title(phase, lang)),
             last=width)
    if not sheet.by_rep:
        put(ws, REPS_HEADER_ROW, 1, tr("reps.none", lang))
        print_setup(ws, None)
        return
    write_reps_header(ws, sheet, phase)
    for row, rep in enumerate(sorted(sheet.by_rep), start=REPS_FIRST_ROW):
        write_rep_row(ws, row, rep, sheet, phase)
    last = REPS_FIRST_ROW + len(sheet.by_rep) - 1
    for column in [*(achievement_column(i) for i in range(len(phase.kpis))), width]:
        add_achievement_colours(ws, get_column_letter(column), REPS_FIRST_ROW, last)
    fit_columns(ws, REPS_HEADER_ROW + 1, minimum=10, maximum=30)
    for index, entry in enumerate(phase.kpis):
        label = sheet.catalogue.kpis[entry.kpi].label(lang)
        widen_span(ws, actual_column(index), achievement_column(index), display_width(label) + 2)
    fit_merged_rows(ws)
    ws.freeze_panes = f"B{REPS_FIRST_ROW}"
    print_setup(ws, REPS_HEADER_ROW, REPS_TARGET_ROW)


def actual_column(index: int) -> int:
    return 2 + 2 * index


def achievement_column(index: int) -> int:
    return actual_column(index) + 1


def write_reps_header(ws: Worksheet, sheet: KpiSheet, phase: Phase) -> None:
    """KPI labels over actual/achievement pairs, and a row of the phase sheet's targets (live)."""
    lang, catalogue = sheet.lang, sheet.catalogue
    row = REPS_HEADER_ROW
    put_header(ws, row, [tr("reps.col.rep", lang)])
    put_header(ws, row + 1, [None])
    for index, entry in enumerate(phase.kpis):
        kpi, first = catalogue.kpis[entry.kpi], actual_column(index)
        put_header(ws, row, [kpi.label(lang), None], first_column=first)
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=first + 1)
        put_header(ws, row + 1, [tr("col.actual", lang), tr("col.achievement", lang)], first_column=first)
        cell = put_formula(ws, f"{get_column_letter(first)}{REPS_TARGET_ROW}", f"={target_name(phase.id, entry.kpi)}",
                           NUMBER_FORMATS[kpi.unit])
        cell.font = BOLD
    average = achievement_column(len(phase.kpis) - 1) + 1
    put_header(ws, row, [tr("reps.col.average", lang)], first_column=average)
    put_header(ws, row + 1, [None], first_column=average)
    ws.merge_cells(start_row=row, start_column=average, end_row=row + 1, end_column=average)
    put(ws, REPS_TARGET_ROW, 1, tr("reps.target", lang), font=BOLD)


def write_rep_row(ws: Worksheet, row: int, rep: str, sheet: KpiSheet, phase: Phase) -> None:
    """A rep's actuals with live achievements, and their mean (as reps.leaderboard)."""
    results = sheet.by_rep[rep]
    put(ws, row, 1, rep)  # user data
    achievements = []
    for index, entry in enumerate(phase.kpis):
        kpi = sheet.catalogue.kpis[entry.kpi]
        actual = f"{get_column_letter(actual_column(index))}{row}"
        achievement = f"{get_column_letter(achievement_column(index))}{row}"
        put(ws, row, actual_column(index), results.actual(entry.kpi), NUMBER_FORMATS[kpi.unit])
        if doubtful(results, entry.kpi, kpi, sheet.lang) is not None:  # no achievement that could turn green
            continue
        put_formula(ws, achievement, achievement_formula(kpi.direction, target_name(phase.id, entry.kpi), actual),
                    PERCENT)
        achievements.append(achievement)
    average = get_column_letter(achievement_column(len(phase.kpis) - 1) + 1)
    if achievements:
        put_formula(ws, f"{average}{row}", f'=IFERROR(AVERAGE({",".join(achievements)}),"")', PERCENT)


# ---------------------------------------------------------------- definitions


def write_definitions(ws: Worksheet, sheet: KpiSheet) -> None:
    lang = sheet.lang
    put(ws, 1, 1, f"{tr('title', lang)} — {tr('sheet.definitions', lang)}", font=TITLE_FONT)
    put_header(ws, DEFINITIONS_HEADER_ROW, [tr(f"col.{c}", lang) for c in DEFINITION_COLUMNS])
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
