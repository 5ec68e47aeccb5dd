"""Phase diagnosis: the ten checklist items with the answers the data suggests (and their evidence),
flags on answers that contradict each other or the data and on answers given before the data changed
(never blocking: the user may know better), the result with its reason, a manual override, and the
transition plan when the next phase is near."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from phasekpi.diagnosis import (
    Diagnosis,
    Suggestion,
    answered_before,
    contradiction_text,
    contradictions,
    evidence_text,
    suggest_answers,
    transition_plan,
    transition_target,
)
from phasekpi.display import format_number, kpi_value_text
from phasekpi.metrics import scorecard
from phasekpi.selection import Filters
from ui import session

tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
st.title(tr("diagnosis.title"))
st.write(tr("diagnosis.intro"))


def suggestions() -> dict[str, Suggestion]:
    """The data's answers, kept until the data or the targets change."""
    targets = session.targets()
    return session.cached("suggestions", lambda: suggest_answers(session.store(), catalogue, targets),
                          repr(sorted((p, sorted(t.items())) for p, t in targets.items())), chosen=Filters())


def apply_suggestions() -> None:
    """Button callback: set each item the data can answer to its suggestion, and keep the answers."""
    for item_id, suggestion in suggestions().items():
        session.set_widget(f"item_{item_id}", suggestion.value)
    session.remember_answers()
    session.keep("phase_suggestions_applied", len(suggestions()))


suggested = suggestions()
given = session.answers()
flags = [] if given is None else contradictions(catalogue, given, suggested)
answered_at, data_changed_at = session.answered_at(), session.data_changed_at()
stale = given is not None and answered_before(answered_at, data_changed_at)
if stale:
    st.warning(tr("checklist.stale", answered=answered_at.strftime("%Y-%m-%d %H:%M"),
                  changed=data_changed_at.strftime("%Y-%m-%d %H:%M")), icon=":material/history:")
if session.take("checklist_confirmed"):
    st.success(tr("checklist.stale.confirmed"))
for flag in flags:
    (st.warning if flag.hard else st.info)(contradiction_text(catalogue, flag, lang), icon=":material/rule:")
if flags:
    st.caption(tr("checklist.flag.saved_anyway"))
previous = given or {}
for item in catalogue.checklist.items:  # restore the answers when the page is opened again
    session.set_widget(f"item_{item.id}", previous.get(item.id, False), only_if_unset=True)
with st.form("checklist"):
    for phase in catalogue.phases:
        threshold = catalogue.checklist.thresholds[phase.id]
        st.markdown(f"**{phase.label(lang)}** · {tr('diagnosis.threshold', count=threshold)}")
        for item in (i for i in catalogue.checklist.items if i.phase == phase.id):
            st.checkbox(f"{item.id}　{item.label(lang)}", key=f"item_{item.id}", disabled=not session.may("answer"))
            if item.id in suggested:
                suggestion = suggested[item.id]
                st.caption(f"{tr('phase.suggest.yes' if suggestion.value else 'phase.suggest.no')} — "
                           f"{evidence_text(catalogue, item.id, suggestion, lang)}")
            elif item.signal is None:
                st.caption(tr("phase.suggest.manual"))
    st.form_submit_button(tr("diagnosis.submit"), type="primary", on_click=session.remember_answers,
                          disabled=not session.may("answer"))
    if stale:
        st.form_submit_button(tr("checklist.stale.confirm"), on_click=session.confirm_answers,
                              disabled=not session.may("answer"))
# after the form, so the form's own button stays the page's first
st.caption(tr("phase.suggest.intro") if suggested else tr("phase.suggest.none"))
if suggested and session.may("answer"):
    st.button(tr("phase.suggest.apply"), key="phase_apply_suggestions", on_click=apply_suggestions)
applied = session.take("phase_suggestions_applied")
if applied is not None:
    st.success(tr("phase.suggest.applied", count=applied))

phase_names = {p.id: p.label(lang) for p in catalogue.phases}
st.selectbox(tr("diagnosis.override"), options=[None, *phase_names],
                      format_func=lambda p: tr("diagnosis.override_auto") if p is None else phase_names[p],
                      index=0 if session.override() is None else 1 + list(phase_names).index(session.override()),
                      key=f"override_choice_{lang}", on_change=session.remember_override, args=(f"override_choice_{lang}",),
                      disabled=not session.may("answer"))


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
    hard = sum(flag.hard for flag in flags)
    note = f"\n\n{tr('checklist.result.contradicted', count=hard)}" if hard and result.ticked else ""
    box(f"### {phase_names[result.phase]}\n\n{reason(result)}{note}")
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


def remember_start() -> None:
    session.keep("phase_transition_start_value", session.widget("phase_transition_start"))


upcoming = transition_target(catalogue, result)
if result is not None and upcoming is not None:
    current, following = phase_names[result.phase], phase_names[upcoming]
    st.subheader(tr("phase.transition.title", current=current, next=following))
    if upcoming in result.reference_phases:
        st.info(tr("phase.transition.why_straddle", current=current, next=following))
    else:
        st.info(tr("phase.transition.why_near", next=following, ticked=result.ticked.get(upcoming, 0),
                   threshold=catalogue.checklist.thresholds[upcoming]))
    today = date.today()
    default_start = session.kept("phase_transition_start_value",
                                 (today.replace(day=28) + timedelta(days=4)).replace(day=1))
    start = st.date_input(tr("phase.transition.start"), value=default_start, key="phase_transition_start",
                          on_change=remember_start)
    plan = transition_plan(catalogue, result, start)
    st.table(pd.DataFrame({
        tr("phase.transition.col.step"): [tr(s.name_key) for s in plan],
        tr("phase.transition.col.start"): [s.start.isoformat() for s in plan],
        tr("phase.transition.col.end"): [s.end.isoformat() if s.end else tr("phase.transition.open_end") for s in plan],
        tr("phase.transition.col.what"): [tr(f"{s.name_key}.what") for s in plan],
    }))
    results = session.kpi_results()
    if results is not None:
        st.markdown(f"**{tr('phase.transition.reference_title', phase=following)}**")
        st.caption(tr("phase.transition.reference_caption"))
        rows = scorecard(catalogue, upcoming, results, session.targets().get(upcoming))
        currency = session.currency()
        st.dataframe(pd.DataFrame({
            tr("phase.transition.col.kpi"): [catalogue.kpis[r.kpi_id].label(lang) for r in rows],
            tr("phase.transition.col.actual"): [kpi_value_text(catalogue, r.kpi_id, r.actual, lang, currency=currency)
                                                for r in rows],
            tr("phase.transition.col.target"): [kpi_value_text(catalogue, r.kpi_id, r.target, lang, currency=currency)
                                                for r in rows],
            tr("phase.transition.col.achievement"): [format_number(r.achievement, "percent", lang)
                                                     if r.achievement is not None else "—" for r in rows],
        }), hide_index=True, width="stretch")
