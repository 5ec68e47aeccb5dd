"""Dashboard: the active phase's KPIs against target, the activity funnel and its bottleneck."""

import streamlit as st

from phasekpi.charts.funnel import conversion_chart, funnel_chart, funnel_frame
from phasekpi.diagnosis import transition_target
from phasekpi.funnel import build_funnel, find_bottleneck
from phasekpi.metrics import scorecard
from ui import session
from ui.widgets import CARD_CSS, bottleneck_box, card_grid, filter_bar, remembered_number

tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
st.markdown(CARD_CSS, unsafe_allow_html=True)
diagnosis = session.diagnosis()
bounds = session.bounds()
if diagnosis is None or bounds is None:
    st.title(tr("dashboard.title"))
    st.info(tr("dashboard.no_data"))
    st.page_link("views/data.py", label=tr("nav.data"), icon=":material/upload_file:")
    st.stop()

phase = catalogue.phase(diagnosis.phase)
st.title(tr("dashboard.title_phase", phase=phase.label(lang)))
st.caption(tr("dashboard.phase_caption", focus=phase.focus(lang), outcome=tr(f"outcome.{diagnosis.outcome}")))

filter_bar(bounds)
results = session.kpi_results()
if results is None:
    st.warning(tr("dashboard.empty_selection"))
    st.stop()
st.caption(tr("dashboard.period_caption", start=results.period.start, end=results.period.end,
              days=results.period.days, reps=results.period.active_reps))

rows = scorecard(catalogue, phase.id, results, session.targets().get(phase.id))
for tier in catalogue.tiers:
    tier_rows = [r for r in rows if catalogue.kpis[r.kpi_id].tier == tier.id]
    if tier_rows:
        st.subheader(tier.label(lang))
        card_grid(tier_rows)

for reference in diagnosis.reference_phases:
    st.divider()
    st.subheader(tr("dashboard.reference_title", phase=catalogue.phase(reference).label(lang)))
    st.caption(tr("dashboard.reference_caption"))
    card_grid(scorecard(catalogue, reference, results, session.targets().get(reference)))
upcoming = transition_target(catalogue, diagnosis)  # the next phase of an active transition plan
if upcoming is not None and upcoming not in diagnosis.reference_phases:
    st.divider()
    st.subheader(tr("dashboard.reference_title", phase=catalogue.phase(upcoming).label(lang)))
    st.caption(tr("phase.dashboard.transition_caption"))
    card_grid(scorecard(catalogue, upcoming, results, session.targets().get(upcoming)))

st.divider()
st.header(tr("funnel.title"))
steps = build_funnel(catalogue, "activity", results)
bottleneck = find_bottleneck(steps)
frame = funnel_frame(catalogue, steps, lang, bottleneck.step.kpi_id if bottleneck else None)
chart_left, chart_right = st.columns(2)
chart_left.altair_chart(funnel_chart(frame, lang), width="stretch")
chart_right.altair_chart(conversion_chart(frame, lang), width="stretch")
bottleneck_box(bottleneck, steps)

with st.expander(tr("dashboard.targets_title")):
    st.caption(tr("dashboard.targets_caption") if session.may("targets") else tr("gate.owner_only"))
    phase_targets = session.targets().setdefault(phase.id, {})
    for entry in phase.kpis:
        kpi = catalogue.kpis[entry.kpi]
        remembered_number(f"{kpi.label(lang)} {tr(f'grain.{kpi.grain}')}".strip(), phase_targets, entry.kpi,
                          entry.target, key=f"target_{phase.id}_{entry.kpi}", disabled=not session.may("targets"))
    st.markdown(f"**{tr('dashboard.settings_title')}**")
    for name, setting in catalogue.settings.items():
        remembered_number(setting.label(lang), session.settings(), name, setting.default, key=f"setting_{name}",
                          disabled=not session.may("settings"))
