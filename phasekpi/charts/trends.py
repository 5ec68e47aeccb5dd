"""Trend and pacing charts: a KPI per week or month against its target and benchmark band, and the
month-to-date cumulative actual against the goal line with the month-end forecast. Also the
pacing table the page shows beside them, in the user's language."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from phasekpi.catalogue import Catalogue, Kpi
from phasekpi.charts.style import BAND, FONT, NORMAL, TARGET
from phasekpi.display import DEFAULT_CURRENCY, axis_labels, benchmark_text, format_number, grain_text, kpi_value_text
from phasekpi.messages import t
from phasekpi.metrics import achievement
from phasekpi.pacing import Pacing

SERIES = ("actual", "goal", "forecast")
SERIES_COLOURS = (NORMAL, TARGET, NORMAL)
SERIES_DASHES = ((1, 0), (2, 3), (6, 4))  # solid actual, dotted goal, dashed forecast: apart in greyscale too
BAND_HEADROOM = 1.15  # a one-sided band reaches this far past the highest value shown
HEIGHT = 360
TITLE_LIMIT = 200  # px: a long y-axis title is cut short rather than pushing the chart out of its frame


def trend_chart(series: pd.DataFrame, catalogue: Catalogue, kpi_id: str, by: str, lang: str,
                currency: str = DEFAULT_CURRENCY) -> alt.LayerChart:
    """The KPI at its grain per week or month as a line, the target as a dashed rule and the
    benchmark band as a grey strip behind (both across the whole width); amounts in compact form."""
    kpi = catalogue.kpis[kpi_id]
    target = _number(series["target"].iloc[0]) if len(series) else None
    frame = series.assign(
        period_text=[f"{s:%Y/%m/%d}–{e:%m/%d}" for s, e in zip(series["start"], series["end"], strict=True)],
        value_text=[kpi_value_text(catalogue, kpi_id, _number(v), lang, currency=currency) for v in series["value"]],
        achievement_text=[format_number(achievement(_number(v), target, kpi.direction) if target else None,
                                        "percent", lang) for v in series["value"]],
        period=pd.to_datetime(series["period"]),
    )
    x = alt.X("period:T", title=t(f"trends.axis.{by}", lang),
              axis=alt.Axis(format="%Y/%m/%d" if by == "week" else "%Y/%m", labelAngle=0))
    y = alt.Y("value:Q", title=_value_title(kpi, lang),
              axis=alt.Axis(**axis_labels(kpi.unit, lang, currency=currency), titleLimit=TITLE_LIMIT))
    tooltip = [
        alt.Tooltip("period_text:N", title=t("trends.col.period", lang)),
        alt.Tooltip("value_text:N", title=t("trends.col.value", lang)),
        alt.Tooltip("achievement_text:N", title=t("trends.col.achievement", lang)),
    ]
    layers = []
    if kpi.benchmark is not None:
        layers.append(_band(kpi, frame, target, lang, currency))
    if target is not None:
        target_text = kpi_value_text(catalogue, kpi_id, target, lang, currency=currency)
        rule = pd.DataFrame([{"target": target, "target_text": target_text}])
        layers.append(alt.Chart(rule).mark_rule(color=TARGET, strokeDash=[6, 4], strokeWidth=1.5).encode(
            y="target:Q", tooltip=[alt.Tooltip("target_text:N", title=t("trends.col.target", lang))]))
    layers.append(alt.Chart(frame).mark_line(color=NORMAL, point=alt.OverlayMarkDef(color=NORMAL, size=50)).encode(
        x=x, y=y, tooltip=tooltip))
    title = t("trends.chart_title", lang, kpi=kpi.label(lang), by=t(f"trends.by.{by}", lang))
    return alt.layer(*layers).properties(title=title, height=HEIGHT).configure(font=FONT).configure_view(stroke=None)


def _band(kpi: Kpi, frame: pd.DataFrame, target: float | None, lang: str, currency: str) -> alt.Chart:
    """The benchmark band as a strip across the chart; a one-sided band runs to zero or past the top."""
    band = kpi.benchmark
    shown = [n for n in map(_number, [*frame["value"], target, band.low, band.high]) if n is not None]
    row = {"band_low": 0.0 if band.low is None else band.low,
           "band_high": max(shown) * BAND_HEADROOM if band.high is None else band.high,
           "band_text": benchmark_text(kpi, lang, currency=currency)}
    return alt.Chart(pd.DataFrame([row])).mark_rect(color=BAND, opacity=0.7).encode(
        y="band_low:Q", y2="band_high:Q", tooltip=[alt.Tooltip("band_text:N", title=t("trends.col.benchmark", lang))])


def pacing_chart(pacing: Pacing, catalogue: Catalogue, lang: str, currency: str = DEFAULT_CURRENCY) -> alt.LayerChart:
    """Cumulative actual up to the last day with data, the cumulative goal over the month, and the
    forecast as a dashed segment from the last day with data to the month's end, labelled there."""
    kpi = catalogue.kpis[pacing.kpi_id]
    labels = [t(f"trends.series.{name}", lang) for name in SERIES]
    rows = [{"day": pd.Timestamp(d.day), "series": label, "value": value, "day_text": f"{d.day:%Y/%m/%d}",
             "value_text": format_number(value, kpi.unit, lang, currency=currency, grain="period")}
            for d in pacing.days for label, value in zip(labels, (d.actual, d.goal, d.forecast), strict=True)
            if value is not None]
    frame = pd.DataFrame(rows)
    x = alt.X("day:T", title=t("trends.axis.day", lang), axis=alt.Axis(format="%m/%d", labelAngle=0))
    lines = alt.Chart(frame).mark_line(strokeWidth=2).encode(
        x=x,
        y=alt.Y("value:Q", title=t("trends.axis.cumulative", lang, kpi=kpi.label(lang)),
                axis=alt.Axis(**axis_labels(kpi.unit, lang, currency=currency), titleLimit=TITLE_LIMIT)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=labels, range=list(SERIES_COLOURS)),
                        legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=labels, range=[list(d) for d in SERIES_DASHES]),
                                  legend=None),
        tooltip=[alt.Tooltip("day_text:N", title=t("trends.axis.day", lang)), alt.Tooltip("series:N", title=None),
                 alt.Tooltip("value_text:N", title=t("trends.col.value", lang))],
    )
    as_of = pd.DataFrame([{"day": pd.Timestamp(pacing.as_of), "day_text": f"{pacing.as_of:%Y/%m/%d}"}])
    today = alt.Chart(as_of).mark_rule(color=BAND, strokeWidth=2).encode(
        x="day:T", tooltip=[alt.Tooltip("day_text:N", title=t("trends.as_of_label", lang))])
    ends = frame[(frame["series"] == labels[2]) & (frame["day"] == pd.Timestamp(pacing.days[-1].day))]
    end_labels = alt.Chart(ends).mark_text(align="right", dy=-10, fontSize=12, color=NORMAL).encode(
        x="day:T", y="value:Q", text="value_text:N")
    title = t("trends.pacing_chart_title", lang, kpi=kpi.label(lang))
    return alt.layer(today, lines, end_labels).properties(title=title, height=HEIGHT).configure(
        font=FONT).configure_view(stroke=None)


def pacing_table(pacings: list[Pacing], catalogue: Catalogue, lang: str, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """One row per paced KPI: team totals to date and for the month, as text in the user's language."""
    rows = []
    for pacing in pacings:
        kpi = catalogue.kpis[pacing.kpi_id]
        shown = {"currency": currency, "grain": "period"}  # team totals of the month
        rows.append({
            t("trends.col.kpi", lang): kpi.label(lang),
            t("trends.col.actual_to_date", lang): format_number(pacing.actual_to_date, kpi.unit, lang, **shown),
            t("trends.col.goal_to_date", lang): format_number(pacing.goal_to_date, kpi.unit, lang, **shown),
            t("trends.col.goal_month", lang): format_number(pacing.goal_month, kpi.unit, lang, **shown),
            t("trends.col.forecast", lang): format_number(pacing.forecast, kpi.unit, lang, **shown),
            t("trends.col.forecast_vs_goal", lang): format_number(pacing.forecast_vs_goal_pct, "percent", lang),
        })
    return pd.DataFrame(rows)


def _value_title(kpi: Kpi, lang: str) -> str:
    grain = grain_text(kpi, lang)
    return t("trends.axis.value", lang, kpi=kpi.label(lang), grain=grain) if grain else kpi.label(lang)


def _number(value: object) -> float | None:
    """A frame cell as a number; pandas keeps a missing value as NaN or None."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
