"""The summary sheet: organisation, period, data sources with the load report, data health, the
diagnosis with its checklist and evidence, alerts read live from the phase sheet, the bottleneck."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Phase
from phasekpi.diagnosis import Diagnosis
from phasekpi.display import finding_text, format_number, no_bottleneck_text, report_notes
from phasekpi.export.cells import (
    ACTIVE_FILL,
    ACTIVITY_FUNNEL,
    BAD_FILL,
    BOLD,
    COL,
    FIRST_ROW,
    PERCENT,
    RATE_GAP,
    SECTION_FONT,
    TITLE_FONT,
    WARNING_FILL,
    WHOLE,
    WRAP,
    add_achievement_colours,
    display_width,
    fit_columns,
    fit_formula_texts,
    fit_merged_rows,
    fraction,
    number,
    number_format,
    phase_sheet_title,
    print_setup,
    put,
    put_formula,
    put_header,
    put_row,
    put_wide,
    sheet_title,
    status_words,
    target_name,
    tr,
    unit_words,
    widen_span,
)
from phasekpi.export.definitions import benchmark_text
from phasekpi.export.sheet import KpiSheet
from phasekpi.funnel import build_funnel, find_bottleneck, what_if
from phasekpi.messages import messages, problem_text
from phasekpi.metrics import scorecard
from phasekpi.problems import FileReport

ALERT_COLUMNS = ("kpi", "target", "actual", "unit", "achievement", "status")


ACOL = {name: get_column_letter(i) for i, name in enumerate(ALERT_COLUMNS, start=1)}


LEFT = Alignment(horizontal="left", vertical="top")


TOP = Alignment(vertical="top")


CENTRE = Alignment(horizontal="center")


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
    shown = number_format(kpi.unit, sheet.currency, kpi.grain)
    put_formula(ws, f"{ACOL['target']}{row}", f"={target_name(phase.id, kpi_id)}", shown)
    put_formula(ws, f"{ACOL['actual']}{row}", source.format(column=COL["actual"]), shown)
    put(ws, row, ALERT_COLUMNS.index("unit") + 1, unit_words(kpi.unit, kpi.grain, lang, sheet.currency))
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
    row = write_label(ws, row, tr("bottleneck.band", lang), benchmark_text(rate_kpi, lang, sheet.currency))
    gap = None if step.step_rate is None or step.band_low is None else step.band_low - step.step_rate
    row = write_label(ws, row, tr("bottleneck.gap", lang), gap, RATE_GAP)  # in points, as on screen
    row = write_label(ws, row, tr("bottleneck.verdict", lang), tr(f"bottleneck.{verdict}", lang))
    row = write_label(ws, row, tr("bottleneck.stage", lang), f"{stage.label(lang)} — {stage.issue(lang)}")
    row = write_list(ws, row, tr("bottleneck.countermeasures", lang), [c(lang) for c in stage.countermeasures])
    gain = what_if(catalogue, ACTIVITY_FUNNEL, steps, bottleneck, results)
    shown = {"currency": sheet.currency, "grain": "per_month"}  # extra per month
    gains = [tr("bottleneck.gain", lang, kpi=catalogue.kpis[k].label(lang),
                value=format_number(v, catalogue.kpis[k].unit, lang, **shown)) for k, v in (gain.gains if gain else {}).items()]
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
