"""The funnel sheet (SPEC §8): counts, rates, verdicts and the bottleneck as formulas over the
counts and the editable bands, and a bar chart."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.export.cells import (
    ACTIVITY_FUNNEL,
    BAD_FILL,
    BOLD,
    FONT_NAME,
    GOOD_FILL,
    INPUT_FILL,
    PERCENT,
    TITLE_FONT,
    WHOLE,
    fit_columns,
    fit_formula_texts,
    fit_merged_rows,
    fraction,
    print_setup,
    put,
    put_formula,
    put_header,
    put_wide,
    tr,
    write_legend,
)
from phasekpi.export.sheet import KpiSheet
from phasekpi.funnel import FunnelStep, build_funnel

FUNNEL_COLUMNS = ("step", "count", "rate_kpi", "step_rate", "cumulative", "band_low", "band_high", "shortfall",
                  "verdict", "bottleneck")


FIDX = {name: i for i, name in enumerate(FUNNEL_COLUMNS, start=1)}


FCOL = {name: get_column_letter(i) for name, i in FIDX.items()}


FUNNEL_HEADER_ROW = 4


FUNNEL_FIRST_ROW = FUNNEL_HEADER_ROW + 1


FLAG_FONT = Font(name=FONT_NAME, bold=True, color="C00000")


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
