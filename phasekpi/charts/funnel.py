"""Funnel charts: step counts, and step conversion against the benchmark band."""

from __future__ import annotations

import altair as alt
import pandas as pd

from phasekpi.catalogue import Catalogue
from phasekpi.charts.style import BAND, BOTTLENECK, FONT, NORMAL
from phasekpi.display import format_number
from phasekpi.funnel import FunnelStep
from phasekpi.messages import t


def rate_label(catalogue: Catalogue, steps: list[FunnelStep], index: int, lang: str) -> str:
    """What the conversion into step `index` is called: its rate KPI's label (アポイント獲得率), else
    its count ÷ the previous step's count in words; the first step has no conversion."""
    step = steps[index]
    if step.rate_kpi:
        return catalogue.kpis[step.rate_kpi].label(lang)
    if not index:
        return ""
    return t("chart.step_ratio", lang, kpi=catalogue.kpis[step.kpi_id].label(lang),
             previous=catalogue.kpis[steps[index - 1].kpi_id].label(lang))


def funnel_frame(catalogue: Catalogue, steps: list[FunnelStep], lang: str, bottleneck_kpi: str | None) -> pd.DataFrame:
    """One row per step with the labels and numbers the funnel charts show: the counts chart names a
    step by its count, the conversion chart by its rate."""
    rows = []
    for order, step in enumerate(steps):
        rows.append({
            "order": order,
            "step": catalogue.kpis[step.kpi_id].label(lang),
            "rate_step": rate_label(catalogue, steps, order, lang),
            "count": step.count or 0,
            "count_text": format_number(step.count, "number", lang, grain="period"),
            "step_rate": step.step_rate,
            "step_rate_text": format_number(step.step_rate, "percent", lang) if order else "",
            "cumulative_text": format_number(step.cumulative_rate, "percent", lang),
            "band_low": step.band_low,
            "band_high": step.band_high,
            "band_text": _band_text(step, lang),
            "is_bottleneck": step.kpi_id == bottleneck_kpi,
        })
    return pd.DataFrame(rows)


def _band_text(step: FunnelStep, lang: str) -> str:
    if step.band_low is None:
        return "—"
    high = format_number(step.band_high, "percent", lang) if step.band_high is not None else ""
    return f"{format_number(step.band_low, 'percent', lang)}–{high}"


def funnel_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Horizontal bars of step counts, labelled with the count and the cumulative rate."""
    order = list(frame["step"])
    tooltip = [
        alt.Tooltip("step:N", title=t("chart.step", lang)),
        alt.Tooltip("count:Q", title=t("chart.count", lang), format=",.0f"),
        alt.Tooltip("step_rate_text:N", title=t("chart.step_rate", lang)),
        alt.Tooltip("cumulative_text:N", title=t("chart.cumulative_rate", lang)),
        alt.Tooltip("band_text:N", title=t("chart.benchmark", lang)),
    ]
    base = alt.Chart(frame).encode(
        y=alt.Y("step:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=tooltip,
    )
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=alt.X("count:Q", title=t("chart.count", lang), axis=alt.Axis(format=",.0f")),
        color=_highlight(),
    )
    labels = base.mark_text(align="left", dx=4, fontSize=12).encode(
        x="count:Q", text=alt.Text("label:N"),
    ).transform_calculate(label="datum.count_text + '  (' + datum.cumulative_text + ')'")
    return (bars + labels).properties(title=t("chart.funnel_title", lang), height=alt.Step(34)).configure(
        font=FONT).configure_view(stroke=None)


def conversion_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Step-to-step conversion with the benchmark band behind each step that has one."""
    rated = frame[frame["order"] > 0]
    order = list(rated["rate_step"])
    tooltip = [
        alt.Tooltip("rate_step:N", title=t("chart.step", lang)),
        alt.Tooltip("step_rate_text:N", title=t("chart.step_rate", lang)),
        alt.Tooltip("band_text:N", title=t("chart.benchmark", lang)),
    ]
    y = alt.Y("rate_step:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    band = alt.Chart(rated).transform_filter("datum.band_low != null").mark_bar(
        color=BAND, height=24).encode(
        y=y, x=alt.X("band_low:Q"), x2=alt.X2("band_high_or_low:Q"), tooltip=tooltip,
    ).transform_calculate(band_high_or_low="datum.band_high != null ? datum.band_high : datum.band_low + 2")
    rate = alt.Chart(rated).mark_bar(height=10, cornerRadiusEnd=2).encode(
        y=y, x=alt.X("step_rate:Q", title=t("chart.step_rate_axis", lang)), color=_highlight(), tooltip=tooltip,
    )
    labels = alt.Chart(rated).mark_text(align="left", dx=4, fontSize=12).encode(
        y=y, x="step_rate:Q", text="step_rate_text:N",
    )
    return (band + rate + labels).properties(
        title=t("chart.conversion_title", lang), height=alt.Step(34)).configure(font=FONT).configure_view(stroke=None)


def _highlight() -> alt.Color:
    return alt.Color("is_bottleneck:N", scale=alt.Scale(domain=[False, True], range=[NORMAL, BOTTLENECK]), legend=None)
