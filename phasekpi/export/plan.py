"""The KGI plan sheet (SPEC §9): named inputs and formulas down to calls per rep per day, as
`planner.build_plan`; the default inputs from the data."""

from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Catalogue
from phasekpi.export.cells import (
    BOLD,
    INPUT_FILL,
    NUMBER_FORMATS,
    PERCENT,
    PLANNING_TAB,
    SECTION_FONT,
    TITLE_FONT,
    WHOLE,
    add_achievement_colours,
    define_name,
    fit_columns,
    fit_merged_rows,
    fraction,
    print_setup,
    put,
    put_formula,
    put_header,
    put_wide,
    tr,
    unit_words,
    usable,
    write_legend,
)
from phasekpi.export.sheet import KpiSheet
from phasekpi.messages import t
from phasekpi.metrics import KpiResults
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

DECIMAL = "#,##0.0"


YEN = NUMBER_FORMATS["yen"]


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
