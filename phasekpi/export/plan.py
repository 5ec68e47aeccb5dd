"""The KGI plan sheet (SPEC §9): named inputs and formulas down the catalogue's chain to calls per rep
per day, as `planner.build_plan`, starting from `planner.default_inputs` (the planner page's defaults)."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import PlanChain, PlanVolume
from phasekpi.export.cells import (
    BOLD,
    INPUT_FILL,
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
    number_format,
    print_setup,
    put,
    put_formula,
    put_header,
    put_wide,
    tr,
    unit_name,
    unit_words,
    usable,
    write_legend,
)
from phasekpi.export.sheet import KpiSheet
from phasekpi.messages import t
from phasekpi.planner import (
    PlanInputs,
    actual_factor,
    actual_volume,
    benchmark_rate,
    default_inputs,
    needed_factors,
    unit_of,
)

DECIMAL = "#,##0.0"
# The sheet works back from the chain's first KGI (revenue in kpi_defs.yaml); inputs around the factors.
KGI_NAME, WORKING_DAYS_NAME, HEADCOUNT_NAME = "KGI_PER_MONTH", "WORKING_DAYS", "HEADCOUNT"
PLAN_INPUT_HEADER_ROW = 6
PLAN_FIRST_INPUT_ROW = PLAN_INPUT_HEADER_ROW + 1
PLAN_INPUT_COLUMNS = ("item", "value", "unit", "actual", "benchmark", "basis")
PLAN_LINE_COLUMNS = ("metric", "per_month", "per_rep_per_day", "actual", "actual_per", "coverage", "how")
PLAN_ADVICE = ("realistic", "raise", "new_members")


def plan_names(chain: PlanChain) -> dict[str, str]:
    """Each input (kgi, the factors by id, working_days, headcount) → the defined name of its cell, in row order."""
    factors = needed_factors(chain, chain.kgi[0])
    return {"kgi": KGI_NAME, **{f.id: f.cell for f in factors}, "working_days": WORKING_DAYS_NAME,
            "headcount": HEADCOUNT_NAME}


def plan_lines_header_row(chain: PlanChain) -> int:
    return PLAN_FIRST_INPUT_ROW + len(plan_names(chain)) + 2


def plan_first_line_row(chain: PlanChain) -> int:
    return plan_lines_header_row(chain) + 1


@dataclass(frozen=True)
class PlanInputRow:
    key: str  # a key of plan_names
    label: str
    value: float | None  # as in the cell: a rate as a fraction
    unit: str
    number_format: str
    actual: float | None
    benchmark: float | None
    basis: str  # sheet.plan.basis.<basis>


def plan_input_rows(sheet: KpiSheet, inputs: PlanInputs) -> list[PlanInputRow]:
    lang, results, catalogue = sheet.lang, sheet.results, sheet.catalogue
    chain = catalogue.plan
    top = chain.volume(inputs.kgi_kind)
    unit = unit_of(top, catalogue)
    money = number_format("yen", sheet.currency)
    rows = [PlanInputRow("kgi", tr("plan.kgi", lang), inputs.kgi_per_month,
                         unit_words(unit, "per_month", lang, sheet.currency), money if unit == "yen" else DECIMAL,
                         actual_volume(top, catalogue, results), None,
                         "actual_rounded" if inputs.kgi_per_month else "missing")]
    for factor in needed_factors(chain, inputs.kgi_kind):
        chosen = inputs.factors[factor.id]
        label = t(f"planner.node.{factor.id}", lang)
        if factor.kind == "amount":
            rows.append(PlanInputRow(factor.id, label, chosen.value, unit_name("yen", lang, sheet.currency), money,
                                     actual_factor(factor, results), None, "deal_size" if chosen.value else "missing"))
            continue
        benchmark = benchmark_rate(factor, catalogue)
        basis = "actual" if chosen.source == "actual" else benchmark.source
        rows.append(PlanInputRow(factor.id, label, fraction(chosen.value), tr("unit.percent", lang), PERCENT,
                                 fraction(actual_factor(factor, results)), fraction(benchmark.value), basis))
    return [*rows,
            PlanInputRow("working_days", t("planner.working_days", lang), inputs.working_days,
                         tr("plan.unit.days", lang), DECIMAL, None, None, "standard"),
            PlanInputRow("headcount", t("planner.headcount", lang), inputs.headcount, tr("plan.unit.reps", lang),
                         WHOLE, float(results.period.active_reps), None, "active_reps")]


def write_plan(ws: Worksheet, sheet: KpiSheet) -> None:
    lang, chain = sheet.lang, sheet.catalogue.plan
    names = plan_names(chain)
    volumes = chain.below(chain.kgi[0])
    first_line = plan_first_line_row(chain)
    ws.sheet_properties.tabColor = PLANNING_TAB
    put(ws, 1, 1, f"{tr('title', lang)} — {tr('sheet.plan', lang)}", font=TITLE_FONT)
    put_wide(ws, 2, 1, tr("plan.intro", lang), last=len(PLAN_LINE_COLUMNS))
    write_legend(ws, 3, tr("legend.note", lang), lang)
    put(ws, PLAN_INPUT_HEADER_ROW - 1, 1, tr("plan.inputs", lang), font=SECTION_FONT)
    put_header(ws, PLAN_INPUT_HEADER_ROW, [tr(plan_column_key(c), lang) for c in PLAN_INPUT_COLUMNS])
    inputs = default_inputs(sheet.catalogue, sheet.results, chain.kgi[0])
    for row, spec in enumerate(plan_input_rows(sheet, inputs), start=PLAN_FIRST_INPUT_ROW):
        write_plan_input(ws, row, spec, names, lang)
    write_plan_lines(ws, sheet, volumes, names)
    write_plan_advice(ws, first_line + len(volumes) + 1, lang)
    fit_columns(ws, PLAN_INPUT_HEADER_ROW, first_line + len(volumes), maximum=44)
    fit_merged_rows(ws)
    ws.freeze_panes = "A4"
    print_setup(ws, None)


def plan_column_key(column: str) -> str:
    """Plan columns reuse the phase sheet's words where they mean the same."""
    return f"col.{column}" if column in ("unit", "actual", "benchmark") else f"plan.col.{column}"


def write_plan_input(ws: Worksheet, row: int, spec: PlanInputRow, names: dict[str, str], lang: str) -> None:
    put(ws, row, 1, spec.label, font=BOLD)
    put(ws, row, 2, spec.value, spec.number_format, fill=INPUT_FILL)
    define_name(ws, names[spec.key], f"B{row}")
    put(ws, row, 3, spec.unit)
    put(ws, row, 4, spec.actual, spec.number_format)
    put(ws, row, 5, spec.benchmark, spec.number_format)
    put_wide(ws, row, 6, tr(f"plan.basis.{spec.basis}", lang), last=len(PLAN_LINE_COLUMNS))


def write_plan_lines(ws: Worksheet, sheet: KpiSheet, volumes: list[PlanVolume], names: dict[str, str]) -> None:
    """From the KGI down the chain: required per month and per rep per day, the actual and its coverage."""
    lang, catalogue = sheet.lang, sheet.catalogue
    header_row = plan_lines_header_row(catalogue.plan)
    put(ws, header_row - 1, 1, tr("plan.lines", lang), font=SECTION_FONT)
    put_header(ws, header_row, [tr(plan_column_key(c), lang) for c in PLAN_LINE_COLUMNS])
    for row, volume in enumerate(volumes, start=header_row + 1):
        unit = unit_of(volume, catalogue)
        shown = number_format("yen", sheet.currency) if unit == "yen" else DECIMAL
        grain_column = "B" if volume.grain == "per_month" else "C"
        put(ws, row, 1, t(f"planner.node.{volume.id}", lang), font=BOLD)
        put_formula(ws, f"B{row}", per_month_formula(volume, row, names), shown)
        put_formula(ws, f"C{row}", per_rep_per_day_formula(row), shown)
        put(ws, row, 4, actual_volume(volume, catalogue, sheet.results), shown)
        put(ws, row, 5, unit_words(unit, volume.grain, lang, sheet.currency))
        put_formula(ws, f"F{row}", f'=IF(OR(D{row}="",{grain_column}{row}="",{grain_column}{row}=0),"",'
                                   f"D{row}/{grain_column}{row})", PERCENT)
        put(ws, row, 7, how_text(volume, volumes, lang))
    add_achievement_colours(ws, "F", header_row + 1, header_row + len(volumes))


def per_month_formula(volume: PlanVolume, row: int, names: dict[str, str]) -> str:
    """The KGI itself, or the line above divided by the factor between them (the catalogue's chain)."""
    if volume.factor is None:
        return f'=IF({usable(KGI_NAME)},{KGI_NAME},"")'
    name = names[volume.factor.id]
    return f'=IF(AND(B{row - 1}<>"",{usable(name, volume.factor.kind == "rate")}),B{row - 1}/{name},"")'


def per_rep_per_day_formula(row: int) -> str:
    """The line's monthly requirement over headcount × working days (blank while either is unusable)."""
    return (f'=IF(AND(B{row}<>"",{usable(HEADCOUNT_NAME)},{usable(WORKING_DAYS_NAME)}),'
            f'B{row}/({HEADCOUNT_NAME}*{WORKING_DAYS_NAME}),"")')


def how_text(volume: PlanVolume, volumes: list[PlanVolume], lang: str) -> str:
    if volume.factor is None:
        return tr("plan.how_kgi", lang)
    above = volumes[volumes.index(volume) - 1]
    return tr("plan.how", lang, above=t(f"planner.node.{above.id}", lang),
              factor=t(f"planner.node.{volume.factor.id}", lang))


def write_plan_advice(ws: Worksheet, row: int, lang: str) -> None:
    put(ws, row, 1, tr("plan.advice_title", lang), font=SECTION_FONT)
    for offset, key in enumerate(PLAN_ADVICE, start=1):
        put_wide(ws, row + offset, 1, f"・{tr(f'plan.advice.{key}', lang)}", last=len(PLAN_LINE_COLUMNS))
