"""Reps: the active phase's KPIs per rep (listed by name, sortable), the gap between reps, and one
rep's funnel next to the team's."""

import pandas as pd
import streamlit as st

from phasekpi.charts.reps import comparison_chart, comparison_frame, spread_chart, spread_frame
from phasekpi.diagnosis import rep_phases
from phasekpi.display import format_number, gap_unit, grain_text, no_bottleneck_text
from phasekpi.funnel import build_funnel, find_bottleneck
from phasekpi.metrics import ScorecardRow
from phasekpi.reps import leaderboard, rep_spread
from ui import session
from ui.repnames import rep_names_expander
from ui.tables import column_px, fit_widths, fitted_height
from ui.widgets import analysis_page, plain

tr, lang, catalogue, currency = session.tr, session.lang(), session.catalogue(), session.currency()
results, diagnosis = analysis_page(tr("reps.title"))
st.caption(tr("reps.intro"))
rep_names_expander()
phase = catalogue.phase(diagnosis.phase)
by_rep = session.kpi_results_by("rep")

st.subheader(tr("reps.leaderboard_title", phase=phase.label(lang)))
orders = {tr(f"reps.sort.{o}"): o for o in ("name", "achievement")}
order = orders[st.radio(tr("reps.sort"), list(orders), horizontal=True, key=f"reps_sort_{lang}")]
rows = leaderboard(catalogue, phase.id, by_rep, session.targets().get(phase.id))
rows = sorted(rows, key=lambda r: -(r.average_achievement or 0) if order == "achievement" else session.label(r.rep))
own_phase = rep_phases(catalogue, phase.id, by_rep, session.targets().get(phase.id))


def cell(card: ScorecardRow) -> str:
    """The actual (its grain is in the header) and the achievement, or why there is none."""
    if card.status == "unavailable":
        return tr("card.unavailable_value")
    kpi = catalogue.kpis[card.kpi_id]
    achieved = "" if card.achievement is None else tr("number.with_share", share=f"{card.achievement:.0f}%")
    return ("⚠ " if card.status == "implausible" else "") + format_number(card.actual, kpi.unit, lang, currency=currency,
                                                                          grain=kpi.grain) + achieved


def header(kpi_id: str) -> str:
    """The KPI and its grain (`架電数/人/日`), which the cells then leave out to stay narrow."""
    kpi = catalogue.kpis[kpi_id]
    grain = grain_text(kpi, lang)
    return tr("reps.column_grain", kpi=kpi.label(lang), grain=grain) if grain else kpi.label(lang)


rep_column, phase_column, average_column = tr("reps.rep"), tr("phase.reps.column"), tr("reps.average")
table = pd.DataFrame([{
    rep_column: session.label(row.rep),
    phase_column: catalogue.phase(own_phase.get(row.rep, phase.id)).label(lang),
    average_column: row.average_achievement,
    **{header(c.kpi_id): cell(c) for c in row.cards},
} for row in rows])
kpi_columns = list(table.columns[3:])  # headers are cut before values: each says itself on hover
widths = fit_widths([column_px(list(table[rep_column]), 80, 170), column_px(list(table[phase_column]), 60, 110), 90,
                     *(column_px(list(table[name]), 70, 170) for name in kpi_columns)])
st.dataframe(table, hide_index=True, width="stretch", height=fitted_height(len(table)), column_config={
    rep_column: st.column_config.TextColumn(width=widths[0]),
    phase_column: st.column_config.TextColumn(width=widths[1], help=phase_column),
    average_column: st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=150, width=widths[2],
                                                    help=average_column),
    **{name: st.column_config.TextColumn(width=width, help=name) for name, width in zip(kpi_columns, widths[3:],
                                                                                         strict=True)}})
st.caption(tr("reps.shown", shown=len(table), total=len(session.reps())))
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
    st.altair_chart(spread_chart(spread_frame(catalogue, spreads, lang, session.rep_labels()), lang), width="stretch")

st.subheader(tr("reps.compare_title"))
choices = session.rep_choices(list(by_rep))  # the names themselves: AppTest handles plain options better
rep = choices.get(st.selectbox(tr("reps.compare_rep"), list(choices), key="reps_compare"))
if rep:
    team_steps = build_funnel(catalogue, "activity", results)
    rep_steps = build_funnel(catalogue, "activity", by_rep[rep])
    st.altair_chart(comparison_chart(comparison_frame(catalogue, team_steps, rep_steps, lang), session.label(rep), lang),
                    width="stretch")
    bottleneck = find_bottleneck(rep_steps)
    if bottleneck is None:
        st.info(no_bottleneck_text(rep_steps, lang))
    elif bottleneck.below_benchmark:
        step = bottleneck.step
        st.warning(tr("reps.rep_bottleneck", rep=plain(session.label(rep)), kpi=catalogue.kpis[step.rate_kpi].label(lang),
                      rate=format_number(step.step_rate, "percent", lang), low=format_number(step.band_low, "percent", lang)))
    else:
        st.success(tr("reps.rep_no_bottleneck", rep=plain(session.label(rep))))
