"""Settings & workspace: where the remembered setup lives, the diagnosis history, YAML export/import, reset."""

import altair as alt
import pandas as pd
import streamlit as st

from phasekpi.access import ROLES, AccessList, parse_entries
from phasekpi.display import CURRENCIES, target_label
from phasekpi.mapping import default_profiles
from phasekpi.workspace import Config, YamlImportError, export_yaml, import_yaml
from ui import session
from ui.widgets import UPLOADER_CSS, plain, remembered_number

tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
space = session.workspace()
st.title(tr("workspace.title"))
if not session.may("settings"):
    st.info(tr("gate.owner_only"), icon=":material/lock:")
    st.stop()
st.info(tr("workspace.intro"))

st.markdown(tr("workspace.path", path=space.path))
st.markdown(tr("workspace.profiles_path", path=default_profiles().path))
box = {"ok": st.success, "read_only": st.warning, "recovered": st.warning}[space.status.state]
box(f"**{tr('workspace.state_label', state=tr(f'workspace.state.{space.status.state}'))}**\n\n{space.status.text(lang)}")

# ---- the currency of amounts: one choice for screens, charts, the Excel sheet and the CLI
codes = list(CURRENCIES)
st.selectbox(tr("currency.label"), codes, index=codes.index(session.currency()), key="currency_choice",
             format_func=lambda code: tr(f"currency.choice.{code}"), help=tr("currency.help"),
             on_change=lambda: session.set_currency(str(session.widget("currency_choice"))))

# ---- targets per phase and the settings KPIs are computed from (the dashboard links here)
st.subheader(tr("dashboard.targets_title"))
st.caption(tr("dashboard.targets_caption"))
active = session.diagnosis().phase if session.diagnosis() else catalogue.phase_ids[0]
ordered = sorted(catalogue.phases, key=lambda p: p.id != active)  # the phase in force first
for tab, phase in zip(st.tabs([p.label(lang) for p in ordered]), ordered, strict=True):
    phase_targets = session.targets().setdefault(phase.id, {})
    columns = tab.columns(3)
    for index, entry in enumerate(phase.kpis):
        kpi = catalogue.kpis[entry.kpi]
        with columns[index % len(columns)]:
            per_rep = kpi.unit == "count" and kpi.grain.startswith("per_rep")  # 2.5 appointments a day is a target
            remembered_number(target_label(catalogue, entry.kpi, lang, session.currency()), phase_targets, entry.kpi,
                              entry.target, key=f"target_{phase.id}_{entry.kpi}", disabled=not session.may("targets"),
                              unit="average" if per_rep else kpi.unit, label_has_unit=True)
st.markdown(f"**{tr('dashboard.settings_title')}**")
columns = st.columns(3)
for index, (name, setting) in enumerate(catalogue.settings.items()):
    with columns[index % len(columns)]:
        remembered_number(setting.label(lang), session.settings(), name, setting.default, key=f"setting_{name}",
                          unit=setting.unit)

# ---- the history of diagnoses, as a table and a timeline
st.subheader(tr("workspace.history_title"))
history = space.history()
phase_names = {p.id: p.label(lang) for p in catalogue.phases}
if not history:
    st.caption(tr("workspace.history_empty"))
else:
    frame = pd.DataFrame({
        tr("workspace.col.recorded_at"): [h.recorded_at for h in history],
        tr("workspace.col.phase"): [phase_names.get(h.phase, h.phase) for h in history],
        tr("workspace.col.outcome"): [tr(f"outcome.{h.outcome}") for h in history],
        tr("workspace.col.ticked"): [" / ".join(f"{phase_names.get(p, p)} {n}" for p, n in h.ticked.items()) for h in history],
        **({tr("workspace.col.by"): [h.answered_by or "—" for h in history]} if any(h.answered_by for h in history) else {}),
    })
    st.dataframe(frame.iloc[::-1], hide_index=True, width="stretch")
    when, phase = tr("workspace.col.recorded_at"), tr("workspace.col.phase")
    chart = alt.Chart(frame.tail(300)).mark_line(point=True, interpolate="step-after").encode(
        x=alt.X(f"{when}:T", title=when),
        y=alt.Y(f"{phase}:N", title=phase, sort=list(phase_names.values())),
        tooltip=list(frame.columns),
    ).properties(height=180)
    st.altair_chart(chart, width="stretch")


# ---- who may open the team's data (login configured: .streamlit/secrets.toml [auth])
st.subheader(tr("access.title"))
st.caption(tr("access.caption"))
current = session.access()
with st.form("access"):
    for role in reversed(ROLES):
        st.text_area(tr(f"access.role.{role}"), "\n".join(sorted(e for e, r in current.entries.items() if r == role)),
                     key=f"access_{role}", help=tr(f"access.help.{role}"), height=90)
    saved = st.form_submit_button(tr("access.save"), icon=":material/save:")
if saved:
    entries, bad = {}, []
    for role in ROLES:  # a higher role listed later wins for an entry given twice
        found, wrong = parse_entries(str(session.kept_widget(f"access_{role}", "")), role)
        entries |= found
        bad += wrong
    if bad:
        st.error(tr("access.bad", entries=", ".join(plain(b) for b in bad)))
    elif session.who() and AccessList(entries).role_of(session.who()) != "owner":
        st.error(tr("access.keep_yourself", email=session.who()))
    else:
        session.save_access(AccessList(entries))
        st.success(tr("access.saved", count=len(entries)))


# ---- the configuration as a YAML file
def import_file() -> None:
    upload = session.kept_widget("workspace_yaml")
    if upload is None:
        session.keep("workspace_import", ("error", [tr("workspace.import_none")]))
        return
    try:
        config = import_yaml(upload.getvalue(), catalogue)
    except YamlImportError as error:
        session.keep("workspace_import", ("error", error.problems))
        return
    session.apply_config(config)
    session.persist(whole=True)
    session.keep("workspace_import", ("done", []))


def reset_workspace() -> None:
    session.workspace().reset()
    session.apply_config(Config())
    session.take("workspace_import")


st.subheader(tr("workspace.yaml_title"))
st.caption(tr("workspace.yaml_caption"))
st.download_button(tr("workspace.export"), data=export_yaml(session.current_config()),
                   file_name="phasekpi-workspace.yaml", mime="application/x-yaml", icon=":material/download:")
st.markdown(UPLOADER_CSS.format(button=tr("data.uploader_button"), limit=tr("workspace.uploader_limit")),
            unsafe_allow_html=True)
st.file_uploader(tr("workspace.uploader"), type=["yaml", "yml"], key="workspace_yaml")
st.button(tr("workspace.import"), on_click=import_file, icon=":material/upload:")
outcome, problems = session.kept("workspace_import", (None, []))
if outcome == "done":
    st.success(tr("workspace.import_done"))
elif outcome == "error":
    st.error(tr("workspace.import_errors", count=len(problems)) + "\n\n" + "\n".join(f"- {plain(p)}" for p in problems))

st.subheader(tr("workspace.reset_title"))
st.caption(tr("workspace.reset_caption"))
st.button(tr("workspace.reset"), on_click=reset_workspace, icon=":material/restart_alt:")
