"""Dashboard: the active phase's ★★★ KPIs and the bottleneck first, then its other KPIs, the
activity funnel, and the KPIs measured for a phase the team is moving to."""

import streamlit as st

from phasekpi.charts.funnel import conversion_chart, funnel_chart, funnel_frame
from phasekpi.diagnosis import transition_target
from phasekpi.display import gap_text
from phasekpi.funnel import build_funnel, find_bottleneck
from ui import session
from ui.widgets import CARD_CSS, bottleneck_box, card_grid, computable_cards, filter_bar, kpi_card, phase_cards

LEADING = 3  # the importance of the KPIs shown first (★★★)
PER_ROW = 4  # cards per row at 1440 px

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
cards = phase_cards(phase.id, results)
compared = any(card.change is not None for card in cards)
st.caption(" ".join([tr("dashboard.period_caption", start=results.period.start, end=results.period.end,
                        days=results.period.days, reps=results.period.active_reps),
                     tr("dashboard.compared" if compared else "dashboard.not_compared")]))

steps = build_funnel(catalogue, "activity", results)
bottleneck = find_bottleneck(steps)
if all(card.row.status == "unavailable" for card in cards):  # say what is missing, show what this data can give
    missing = dict.fromkeys(gap_text(gap, lang) for card in cards for gap in card.row.gaps)
    st.warning(tr("dashboard.phase_unavailable", phase=phase.label(lang), missing=" ".join(missing)))
    offered = computable_cards(results, excluding=phase.id)
    if offered:
        st.subheader(tr("dashboard.computable_title"))
        st.caption(tr("dashboard.computable_caption"))
        card_grid(offered, PER_ROW)
    bottleneck_box(bottleneck, steps)
else:
    leading = [card for card in cards if card.row.importance >= LEADING][:PER_ROW]
    top = st.columns([1] * len(leading) + [max(PER_ROW - len(leading), 2)])  # the bottleneck beside the ★★★ cards
    for column, card in zip(top, leading, strict=False):
        with column:
            kpi_card(card)
    with top[-1]:
        bottleneck_box(bottleneck, steps, side_by_side=False)
    secondary = [card for card in cards if card not in leading]
    if secondary:
        st.subheader(tr("dashboard.secondary_title"))
        card_grid(secondary, PER_ROW)
st.page_link("views/settings.py", label=tr("dashboard.edit_targets"), icon=":material/tune:")

st.divider()
st.header(tr("funnel.title"))
frame = funnel_frame(catalogue, steps, lang, bottleneck.step.kpi_id if bottleneck else None)
chart_left, chart_right = st.columns(2)
chart_left.altair_chart(funnel_chart(frame, lang), width="stretch")
chart_right.altair_chart(conversion_chart(frame, lang), width="stretch")

upcoming = transition_target(catalogue, diagnosis)  # the next phase of an active transition plan
shown = [*diagnosis.reference_phases, *([upcoming] if upcoming and upcoming not in diagnosis.reference_phases else [])]
for reference in shown:
    st.divider()
    st.subheader(tr("dashboard.reference_title", phase=catalogue.phase(reference).label(lang)))
    st.caption(tr("dashboard.reference_caption" if reference in diagnosis.reference_phases
                  else "phase.dashboard.transition_caption"))
    card_grid(phase_cards(reference, results))
