"""Reps: the active phase's KPIs per rep (listed by name, sortable), the gap between reps, and one
rep's funnel next to the team's."""

import pandas as pd
import streamlit as st

from phasekpi.charts.reps import comparison_chart, comparison_frame, spread_chart, spread_frame
from phasekpi.diagnosis import rep_phases
from phasekpi.display import format_number, gap_unit, kpi_value_text, no_bottleneck_text
from phasekpi.funnel import build_funnel, find_bottleneck
from phasekpi.reps import leaderboard, rep_spread
from ui import session
from ui.widgets import analysis_page, plain

tr, lang, catalogue, currency = session.tr, session.lang(), session.catalogue(), session.currency()
results, diagnosis = analysis_page(tr("reps.title"))
st.caption(tr("reps.intro"))
phase = catalogue.phase(diagnosis.phase)
by_rep = session.kpi_results_by("rep")

st.subheader(tr("reps.leaderboard_title", phase=phase.label(lang)))
orders = {tr(f"reps.sort.{o}"): o for o in ("name", "achievement")}
order = orders[st.radio(tr("reps.sort"), list(orders), horizontal=True, key=f"reps_sort_{lang}")]
rows = leaderboard(catalogue, phase.id, by_rep, session.targets().get(phase.id))
if order == "achievement":
    rows = sorted(rows, key=lambda r: -(r.average_achievement or 0))
own_phase = rep_phases(catalogue, phase.id, by_rep, session.targets().get(phase.id))
table = pd.DataFrame([{
    tr("reps.rep"): row.rep,
    tr("phase.reps.column"): catalogue.phase(own_phase.get(row.rep, phase.id)).label(lang),
    tr("reps.average"): row.average_achievement,
    **{catalogue.kpis[c.kpi_id].label(lang): tr("card.unavailable_value") if c.status == "unavailable"
       else ("⚠ " if c.status == "implausible" else "") + kpi_value_text(catalogue, c.kpi_id, c.actual, lang,
                                                                          currency=currency)
       + ("" if c.achievement is None else tr("number.with_share", share=f"{c.achievement:.0f}%")) for c in row.cards},
} for row in rows])
st.dataframe(table, hide_index=True, width="stretch", column_config={
    tr("reps.average"): st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=150)})
if catalogue.transition:
    st.caption(tr("phase.reps.caption", rates=tr("phase.evidence.and").join(
        catalogue.kpis[k].label(lang) for k in catalogue.transition.rep_ahead.key_rates)))

st.subheader(tr("reps.spread_title"))
st.caption(tr("reps.spread_caption", floor=catalogue.rep_spread.min_activity))
spreads = rep_spread(catalogue, by_rep)
for column, spread in zip(st.columns(len(spreads)), spreads, strict=True):
    kpi = catalogue.kpis[spread.kpi_id]
    column.metric(tr("reps.spread_metric", kpi=kpi.label(lang)),
                  format_number(spread.gap, gap_unit(kpi.unit), lang, currency=currency))
    column.caption(tr("reps.spread_delta", low=format_number(spread.low, kpi.unit, lang, currency=currency),
                      high=format_number(spread.high, kpi.unit, lang, currency=currency), cv=spread.variation or 0))
if any(s.values for s in spreads):
    st.altair_chart(spread_chart(spread_frame(catalogue, spreads, lang), lang), width="stretch")

st.subheader(tr("reps.compare_title"))
rep = st.selectbox(tr("reps.compare_rep"), sorted(by_rep), key="reps_compare")
if rep:
    team_steps = build_funnel(catalogue, "activity", results)
    rep_steps = build_funnel(catalogue, "activity", by_rep[rep])
    st.altair_chart(comparison_chart(comparison_frame(catalogue, team_steps, rep_steps, lang), rep, lang),
                    width="stretch")
    bottleneck = find_bottleneck(rep_steps)
    if bottleneck is None:
        st.info(no_bottleneck_text(rep_steps, lang))
    elif bottleneck.below_benchmark:
        step = bottleneck.step
        st.warning(tr("reps.rep_bottleneck", rep=plain(rep), kpi=catalogue.kpis[step.rate_kpi].label(lang),
                      rate=format_number(step.step_rate, "percent", lang), low=format_number(step.band_low, "percent", lang)))
    else:
        st.success(tr("reps.rep_no_bottleneck", rep=plain(rep)))
