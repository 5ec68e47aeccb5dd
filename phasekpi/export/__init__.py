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

import typing

from openpyxl import Workbook

from phasekpi.export.cells import LANGS, phase_sheet_title, sheet_title, tr
from phasekpi.export.definitions import write_definitions
from phasekpi.export.funnel import write_funnel
from phasekpi.export.phase import write_phase
from phasekpi.export.plan import write_plan
from phasekpi.export.reps import write_reps
from phasekpi.export.sheet import KpiSheet
from phasekpi.export.summary import write_summary


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
