"""Phase diagnosis: the ten checklist items, the result with its reason, and a manual override."""

import streamlit as st

from pages import session
from phasekpi.diagnosis import Diagnosis

session.route_through_app()
tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
st.title(tr("diagnosis.title"))
st.write(tr("diagnosis.intro"))

previous = session.answers() or {}
with st.form("checklist"):
    for phase in catalogue.phases:
        threshold = catalogue.checklist.thresholds[phase.id]
        st.markdown(f"**{phase.label(lang)}** · {tr('diagnosis.threshold', count=threshold)}")
        for item in (i for i in catalogue.checklist.items if i.phase == phase.id):
            st.checkbox(f"{item.id}　{item.label(lang)}", value=previous.get(item.id, False), key=f"item_{item.id}")
    st.form_submit_button(tr("diagnosis.submit"), type="primary", on_click=session.remember_answers)

phase_names = {p.id: p.label(lang) for p in catalogue.phases}
st.selectbox(tr("diagnosis.override"), options=[None, *phase_names],
                      format_func=lambda p: tr("diagnosis.override_auto") if p is None else phase_names[p],
                      index=0 if session.override() is None else 1 + list(phase_names).index(session.override()),
                      key=f"override_choice_{lang}", on_change=session.remember_override, args=(f"override_choice_{lang}",))


def reason(result: Diagnosis) -> str:
    names = [phase_names[p] for p in result.matched]
    return tr(f"diagnosis.reason.{result.outcome}", phase=phase_names[result.phase], matched="・".join(names),
              references="・".join(phase_names[p] for p in result.reference_phases),
              proposed=phase_names.get(result.proposed or "", ""),
              months=result.evidence.get("months_since_first_activity", ""))


result = session.diagnosis()
st.subheader(tr("diagnosis.result_title"))
if result is None:
    st.info(tr("diagnosis.no_result"))
else:
    box = st.warning if result.outcome == "undetermined" else st.success
    box(f"### {phase_names[result.phase]}\n\n{reason(result)}")
    if result.ticked:
        st.table({
            tr("diagnosis.col.phase"): [phase_names[p] for p in result.ticked],
            tr("diagnosis.col.ticked"): [f"{result.ticked[p]} / {sum(1 for i in catalogue.checklist.items if i.phase == p)}"
                                         for p in result.ticked],
            tr("diagnosis.col.threshold"): [catalogue.checklist.thresholds[p] for p in result.ticked],
            tr("diagnosis.col.met"): ["✓" if p in result.matched else "" for p in result.ticked],
        })

st.subheader(tr("diagnosis.phases_title"))
for column, phase in zip(st.columns(len(catalogue.phases)), catalogue.phases, strict=True):
    with column, st.container(border=True):
        until = tr("diagnosis.months_open", start=int(phase.months.start)) if phase.months.end is None else \
            tr("diagnosis.months_range", start=int(phase.months.start), end=int(phase.months.end))
        st.markdown(f"**{phase.label(lang)}** · {until}")
        st.caption(phase.focus(lang))
        st.markdown("\n".join(f"- {catalogue.kpis[k.kpi].label(lang)} {'★' * k.importance}" for k in phase.kpis))
