"""One sheet per phase (SPEC §4): target input cells named `TARGET_<PHASE>_<KPI>`, live achievement
and status formulas, the active phase highlighted."""

from __future__ import annotations

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Kpi, Phase, PhaseKpi
from phasekpi.display import gaps_text
from phasekpi.export.cells import (
    ACTIVE_FILL,
    ACTIVE_TAB,
    BOLD,
    COL,
    FIRST_ROW,
    HEADER_ROW,
    INPUT_FILL,
    PERCENT,
    PHASE_COLUMNS,
    REFERENCE_TAB,
    TITLE_FONT,
    achievement_formula,
    add_achievement_colours,
    define_name,
    fit_columns,
    fit_formula_texts,
    number,
    number_format,
    print_setup,
    put,
    put_formula,
    put_header,
    put_wide,
    status_formula,
    status_words,
    target_name,
    tr,
    unit_words,
    write_legend,
)
from phasekpi.export.sheet import KpiSheet
from phasekpi.messages import t
from phasekpi.metrics import KpiResults, target_of

REFERENCE_FILL = PatternFill("solid", fgColor="DDEBF7")


NO_DATA_FILL = PatternFill("solid", fgColor="E7E6E6")  # a KPI the data cannot give, or a share over 100 %


def write_phase(ws: Worksheet, sheet: KpiSheet, phase: Phase) -> None:
    write_phase_head(ws, sheet, phase)
    put_header(ws, HEADER_ROW, [tr(f"col.{c}", sheet.lang) for c in PHASE_COLUMNS])
    overrides = sheet.targets.get(phase.id, {})
    for row, entry in enumerate(phase.kpis, start=FIRST_ROW):
        target = target_of(entry, overrides)
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
    shown = number_format(kpi.unit, sheet.currency, kpi.grain)
    name = target_name(phase.id, entry.kpi)
    put(ws, row, 1, sheet.catalogue.tier(kpi.tier).label(lang))
    put(ws, row, 2, kpi.label(lang))
    put(ws, row, 3, stars(entry.importance))
    put(ws, row, 4, target, shown, fill=INPUT_FILL)
    define_name(ws, name, f"{COL['target']}{row}")
    put(ws, row, 5, unit_text(kpi, lang, sheet.currency))
    put(ws, row, 6, sheet.results.actual(entry.kpi), shown)
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
    if kpi.exceeds_share(actual):
        return "implausible", t("card.implausible_note", lang)
    return None


def stars(importance: int) -> str:
    return "★" * importance + "☆" * (3 - importance)


def unit_text(kpi: Kpi, lang: str, currency: str) -> str:
    return unit_words(kpi.unit, kpi.grain, lang, currency)
