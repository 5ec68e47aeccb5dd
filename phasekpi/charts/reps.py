"""Per-rep charts: the skill gap as a dot plot against the benchmark band, and a rep's funnel
conversion next to the team's."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from phasekpi.catalogue import Catalogue
from phasekpi.charts.funnel import rate_label
from phasekpi.charts.style import BAND, BOTTLENECK, FONT, NORMAL, TARGET
from phasekpi.display import format_number
from phasekpi.funnel import FunnelStep
from phasekpi.messages import t
from phasekpi.repnames import rep_label
from phasekpi.reps import Spread


def spread_frame(catalogue: Catalogue, spreads: list[Spread], lang: str,
                 names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per rep and rate; `names` (phasekpi.repnames) puts names on the reps' ids."""
    rows = []
    for spread in spreads:
        kpi = catalogue.kpis[spread.kpi_id]
        band = kpi.benchmark
        for rep, value in spread.values.items():
            rows.append({"kpi": kpi.label(lang), "rep": rep_label(rep, names or {}), "value": value, "mean": spread.mean,
                         "value_text": format_number(value, kpi.unit, lang),
                         "band_low": band.low if band else None, "band_high": band.high if band else None})
    return pd.DataFrame(rows)


def spread_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """One row per rate: a dot per rep, the team mean as a tick, the benchmark band behind."""
    y = alt.Y("kpi:N", title=None, sort=None, axis=alt.Axis(labelLimit=220))
    tooltip = [alt.Tooltip("rep:N", title=t("reps.rep", lang)), alt.Tooltip("kpi:N", title="KPI"),
               alt.Tooltip("value_text:N", title=t("reps.value", lang))]
    band = alt.Chart(frame).transform_filter("datum.band_low != null").mark_bar(color=BAND, height=22).encode(
        y=y, x="min(band_low):Q", x2="max(band_high):Q")
    dots = alt.Chart(frame).mark_circle(size=90, opacity=0.8, color=NORMAL).encode(
        y=y, x=alt.X("value:Q", title=t("reps.rate_axis", lang)), tooltip=tooltip)
    mean = alt.Chart(frame).mark_tick(color=TARGET, thickness=3, size=26).encode(y=y, x="mean(mean):Q")
    return (band + dots + mean).properties(title=t("reps.spread_chart_title", lang), height=alt.Step(46)).configure(
        font=FONT).configure_view(stroke=None)


def comparison_frame(catalogue: Catalogue, team: list[FunnelStep], rep: list[FunnelStep], lang: str) -> pd.DataFrame:
    """One row per step after the first: the rep's rate, the team's, and the benchmark band."""
    rows = []
    for index, (team_step, rep_step) in enumerate(zip(team[1:], rep[1:], strict=True), start=1):
        rows.append({"step": rate_label(catalogue, rep, index, lang), "rate": rep_step.step_rate,
                     "team": team_step.step_rate, "rate_text": format_number(rep_step.step_rate, "percent", lang),
                     "team_text": format_number(team_step.step_rate, "percent", lang),
                     "band_low": rep_step.band_low, "band_high": rep_step.band_high,
                     "below": rep_step.shortfall is not None and rep_step.shortfall > 0})
    return pd.DataFrame(rows)


def comparison_chart(frame: pd.DataFrame, rep_name: str, lang: str) -> alt.LayerChart:
    """A bullet chart per step: the rep's rate as a bar, the team's as a black tick, the band behind."""
    order = list(frame["step"])
    y = alt.Y("step:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    tooltip = [alt.Tooltip("step:N", title=t("chart.step", lang)), alt.Tooltip("rate_text:N", title=rep_name),
               alt.Tooltip("team_text:N", title=t("reps.team", lang))]
    band = alt.Chart(frame).transform_filter("datum.band_low != null").mark_bar(color=BAND, height=26).encode(
        y=y, x="band_low:Q", x2="band_high:Q", tooltip=tooltip)
    bars = alt.Chart(frame).mark_bar(height=12, cornerRadiusEnd=2).encode(
        y=y, x=alt.X("rate:Q", title=t("chart.step_rate_axis", lang)), tooltip=tooltip,
        color=alt.condition("datum.below", alt.value(BOTTLENECK), alt.value(NORMAL)))
    team = alt.Chart(frame).mark_tick(color=TARGET, thickness=3, size=26).encode(y=y, x="team:Q", tooltip=tooltip)
    labels = alt.Chart(frame).mark_text(align="left", dx=4, fontSize=11).encode(y=y, x="rate:Q", text="rate_text:N")
    title = t("reps.comparison_title", lang, rep=rep_name)
    return (band + bars + team + labels).properties(title=title, height=alt.Step(36)).configure(
        font=FONT).configure_view(stroke=None)
