"""Funnel analysis: activity, email and lead funnels, split by rep, team or period; the bottleneck,
what to do about it, and what the team would gain if it reached its benchmark."""

import pandas as pd
import streamlit as st

from phasekpi.charts.funnel import conversion_chart, funnel_chart, funnel_frame, rate_label
from phasekpi.display import format_number
from phasekpi.funnel import build_funnel, find_bottleneck, what_if
from ui import session
from ui.tables import fitted_height
from ui.widgets import analysis_page, bottleneck_box, drilldown_link

tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
results, diagnosis = analysis_page(tr("funnelpage.title"))

left, right = st.columns(2)
# Options are the translated labels themselves (keys carry the language): AppTest and a language
# switch both handle plain labels better than translated format_func output.
funnels = {catalogue.funnels[f].label(lang): f for f in catalogue.funnels}
funnel_id = funnels[left.radio(tr("funnelpage.funnel"), list(funnels), horizontal=True, key=f"funnel_choice_{lang}")]
splits = {tr(f"funnelpage.split.{s}"): s for s in ("none", "rep", "team", "week", "month")}
split = splits[right.radio(tr("funnelpage.split"), list(splits), horizontal=True, key=f"funnel_split_{lang}")]

if split == "none":
    steps = build_funnel(catalogue, funnel_id, results)
    bottleneck = find_bottleneck(steps)
    frame = funnel_frame(catalogue, steps, lang, bottleneck.step.kpi_id if bottleneck and bottleneck.below_benchmark
                         else None)
    chart_left, chart_right = st.columns(2)
    chart_left.altair_chart(funnel_chart(frame, lang), width="stretch")
    chart_right.altair_chart(conversion_chart(frame, lang), width="stretch")
    with st.popover(tr("drill.link"), icon=":material/table_rows:"):
        for step in steps:
            drilldown_link(step.kpi_id, catalogue.kpis[step.kpi_id].label(lang))
    bottleneck_box(bottleneck, steps)
    if bottleneck is not None:
        gain = what_if(catalogue, funnel_id, steps, bottleneck, results)
        if gain and gain.gains:
            st.subheader(tr("funnelpage.whatif_title"))
            step = bottleneck.step
            st.caption(tr("funnelpage.whatif_caption", kpi=catalogue.kpis[step.rate_kpi].label(lang),
                          rate=format_number(step.step_rate, "percent", lang),
                          low=format_number(step.band_low, "percent", lang), factor=gain.factor))
            for column, (kpi_id, value) in zip(st.columns(len(gain.gains)), gain.gains.items(), strict=True):
                kpi = catalogue.kpis[kpi_id]
                column.metric(kpi.label(lang), tr("funnelpage.whatif_gain", value=format_number(
                    value, kpi.unit, lang, currency=session.currency(), grain="per_month")))
else:
    by_group = session.kpi_results_by(split)
    rows = []
    for group, group_results in by_group.items():
        steps = build_funnel(catalogue, funnel_id, group_results)
        bottleneck = find_bottleneck(steps)
        row = {tr("funnelpage.group"): session.label(group) if split == "rep" else group,
               catalogue.kpis[steps[0].kpi_id].label(lang): format_number(steps[0].count, "number", lang, grain="period")}
        for index, step in enumerate(steps[1:], start=1):
            mark = "⚠ " if step.implausible else "🔻 " if step.candidate and step.shortfall > 0 else ""
            row[rate_label(catalogue, steps, index, lang)] = mark + format_number(step.step_rate, "percent", lang)
        row[tr("funnelpage.bottleneck_col")] = (catalogue.kpis[bottleneck.step.rate_kpi].label(lang)
                                                if bottleneck and bottleneck.below_benchmark else tr("funnelpage.none"))
        rows.append(row)
    st.caption(tr("funnelpage.table_caption"))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=fitted_height(len(rows)))
