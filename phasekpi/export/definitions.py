"""The definitions sheet: every KPI with its formula in words, unit, grain, direction and benchmark."""

from __future__ import annotations

import re

from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Catalogue, Kpi
from phasekpi.display import DEFAULT_CURRENCY
from phasekpi.export.cells import (
    TITLE_FONT,
    WRAP,
    fit_columns,
    fit_rows,
    number,
    print_setup,
    put,
    put_header,
    put_row,
    tr,
    unit_name,
)
from phasekpi.export.phase import unit_text
from phasekpi.export.sheet import KpiSheet
from phasekpi.expressions import PERIOD_NAME

OPERATOR_WORDS = {"*": "×", "/": "÷", "-": "−"}


DEFINITION_COLUMNS = ("kpi", "tier", "type", "formula", "unit", "grain", "direction", "indicator", "benchmark",
                      "meaning")


DEFINITIONS_HEADER_ROW = 3


NAME_OR_OPERATOR = re.compile(r"[A-Za-z_]\w*|[*/-]")


def write_definitions(ws: Worksheet, sheet: KpiSheet) -> None:
    lang = sheet.lang
    put(ws, 1, 1, f"{tr('title', lang)} — {tr('sheet.definitions', lang)}", font=TITLE_FONT)
    put_header(ws, DEFINITIONS_HEADER_ROW, [tr(f"col.{c}", lang) for c in DEFINITION_COLUMNS])
    for row, kpi in enumerate(sheet.catalogue.kpis.values(), start=DEFINITIONS_HEADER_ROW + 1):
        put_row(ws, row, definition_row(sheet.catalogue, kpi, lang, sheet.currency))
        for cell in ws[row]:
            cell.alignment = WRAP
    ws.freeze_panes = f"B{DEFINITIONS_HEADER_ROW + 1}"
    fit_columns(ws, DEFINITIONS_HEADER_ROW, maximum=50)
    fit_rows(ws, DEFINITIONS_HEADER_ROW + 1)
    print_setup(ws, DEFINITIONS_HEADER_ROW)


def definition_row(catalogue: Catalogue, kpi: Kpi, lang: str, currency: str = DEFAULT_CURRENCY) -> list[str]:
    return [
        kpi.label(lang),
        catalogue.tier(kpi.tier).label(lang),
        tr(f"type.{kpi.type}", lang),
        formula_text(catalogue, kpi, lang),
        unit_name(kpi.unit, lang, currency),
        tr(f"grain.{kpi.grain}", lang),
        tr(f"direction.{kpi.direction}", lang),
        tr(f"indicator.{kpi.indicator}", lang),
        benchmark_text(kpi, lang, currency),
        kpi.meaning(lang),
    ]


def formula_text(catalogue: Catalogue, kpi: Kpi, lang: str) -> str:
    """How the KPI is computed, in words of the language: a ratio and a derived KPI from their parts'
    labels, a count, sum or score from its declared `formula`."""
    if kpi.type == "ratio":
        scale = "" if kpi.scale == 1 else f" × {number(kpi.scale)}"
        return f"{catalogue.kpis[kpi.numerator].label(lang)} ÷ {catalogue.kpis[kpi.denominator].label(lang)}{scale}"
    if kpi.type == "derived":
        return expression_text(catalogue, kpi.expression or "", lang)
    return kpi.formula(lang) if kpi.formula else ""


def expression_text(catalogue: Catalogue, expression: str, lang: str) -> str:
    """A derived expression with KPI and setting names as labels, × ÷ − for * / - and abs() in words."""
    labels = {k: v.label(lang) for k, v in catalogue.kpis.items()}
    labels |= {k: v.label(lang) for k, v in catalogue.settings.items()}
    labels |= {PERIOD_NAME: tr("months_in_period", lang), "abs": tr("absolute_value", lang)} | OPERATOR_WORDS
    return NAME_OR_OPERATOR.sub(lambda m: labels.get(m.group(0), m.group(0)), expression)


def benchmark_text(kpi: Kpi, lang: str, currency: str) -> str:
    """The 目安 range with its unit: both ends, "at least" or "at most"; blank without one."""
    bench = kpi.benchmark
    if bench is None:
        return ""
    ends = {"low": bench.low, "high": bench.high}
    key = "range" if None not in ends.values() else "at_least" if bench.low is not None else "at_most"
    shown = {name: number(value) for name, value in ends.items() if value is not None}
    return tr(f"bench.{key}", lang, unit=unit_text(kpi, lang, currency), **shown).strip()
