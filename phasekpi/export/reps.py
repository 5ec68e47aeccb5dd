"""The per-rep sheet: the active phase's KPIs per rep, achievement against the phase sheet's targets."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Phase
from phasekpi.export.cells import (
    BOLD,
    PERCENT,
    TITLE_FONT,
    achievement_formula,
    add_achievement_colours,
    display_width,
    fit_columns,
    fit_merged_rows,
    number_format,
    phase_sheet_title,
    print_setup,
    put,
    put_formula,
    put_header,
    put_wide,
    target_name,
    tr,
    widen_span,
)
from phasekpi.export.phase import doubtful
from phasekpi.export.sheet import KpiSheet
from phasekpi.repnames import rep_label

# Per-rep sheet: KPI labels, then actual/achievement, then the targets, then one row per rep.
REPS_HEADER_ROW = 4


REPS_TARGET_ROW = REPS_HEADER_ROW + 2


REPS_FIRST_ROW = REPS_TARGET_ROW + 1


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
    for row, rep in enumerate(sorted(sheet.by_rep, key=lambda r: rep_label(r, sheet.rep_names)), start=REPS_FIRST_ROW):
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
                           number_format(kpi.unit, sheet.currency, kpi.grain))
        cell.font = BOLD
    average = achievement_column(len(phase.kpis) - 1) + 1
    put_header(ws, row, [tr("reps.col.average", lang)], first_column=average)
    put_header(ws, row + 1, [None], first_column=average)
    ws.merge_cells(start_row=row, start_column=average, end_row=row + 1, end_column=average)
    put(ws, REPS_TARGET_ROW, 1, tr("reps.target", lang), font=BOLD)


def write_rep_row(ws: Worksheet, row: int, rep: str, sheet: KpiSheet, phase: Phase) -> None:
    """A rep's actuals with live achievements, and their mean (as reps.leaderboard)."""
    results = sheet.by_rep[rep]
    put(ws, row, 1, rep_label(rep, sheet.rep_names))  # user data
    achievements = []
    for index, entry in enumerate(phase.kpis):
        kpi = sheet.catalogue.kpis[entry.kpi]
        actual = f"{get_column_letter(actual_column(index))}{row}"
        achievement = f"{get_column_letter(achievement_column(index))}{row}"
        put(ws, row, actual_column(index), results.actual(entry.kpi),
            number_format(kpi.unit, sheet.currency, kpi.grain))
        if doubtful(results, entry.kpi, kpi, sheet.lang) is not None:  # no achievement that could turn green
            continue
        if kpi.is_team:  # the team's target is no rep's (reps.leaderboard)
            continue
        put_formula(ws, achievement, achievement_formula(kpi.direction, target_name(phase.id, entry.kpi), actual),
                    PERCENT)
        achievements.append(achievement)
    average = get_column_letter(achievement_column(len(phase.kpis) - 1) + 1)
    if achievements:
        put_formula(ws, f"{average}{row}", f'=IFERROR(AVERAGE({",".join(achievements)}),"")', PERCENT)
