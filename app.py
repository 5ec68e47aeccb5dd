"""Entry point: page config, the language switch, and the router over the screens in views/."""

import streamlit as st

from phasekpi.messages import LANGUAGES
from ui import gate, session

st.set_page_config(page_title="Phase KPI", page_icon=":material/monitoring:", layout="wide")

with st.sidebar:
    st.radio(
        "言語 / Language", options=list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True,
    )

visitor = gate.admit()  # before any team data is read: a stranger or an unprotected server stops here
session.admit(visitor)
session.start_run()
session.store()  # every page reads this session's data: the history or the demo, once, before routing
navigation = st.navigation([
    st.Page("views/data.py", title=session.tr("nav.data"), icon=":material/upload_file:", url_path="data"),
    st.Page("views/diagnosis.py", title=session.tr("nav.diagnosis"), icon=":material/explore:", url_path="diagnosis"),
    st.Page("views/dashboard.py", title=session.tr("nav.dashboard"), icon=":material/dashboard:", default=True),
    st.Page("views/funnel.py", title=session.tr("nav.funnel"), icon=":material/filter_alt:", url_path="funnel"),
    st.Page("views/reps.py", title=session.tr("nav.reps"), icon=":material/groups:", url_path="reps"),
    st.Page("views/trends.py", title=session.tr("nav.trends"), icon=":material/trending_up:", url_path="trends"),
    st.Page("views/insights.py", title=session.tr("nav.insights"), icon=":material/insights:", url_path="insights"),
    st.Page("views/drilldown.py", title=session.tr("nav.drilldown"), icon=":material/table_rows:", url_path="drilldown"),
    st.Page("views/planner.py", title=session.tr("nav.planner"), icon=":material/account_tree:", url_path="planner"),
    st.Page("views/strategy.py", title=session.tr("nav.strategy"), icon=":material/payments:", url_path="strategy"),
    st.Page("views/export.py", title=session.tr("nav.export"), icon=":material/download:", url_path="export"),
    st.Page("views/settings.py", title=session.tr("nav.settings"), icon=":material/settings:", url_path="settings"),
])
with st.sidebar:
    diagnosis = session.diagnosis()
    if diagnosis is not None:
        phase = session.catalogue().phase(diagnosis.phase)
        st.caption(session.tr("sidebar.active_phase"))
        st.markdown(f"**{phase.label(session.lang())}** — {phase.focus(session.lang())}")
    st.caption(session.data_source_text())
    gate.visitor_caption(visitor)
gate.trusted_network_banner(visitor)
session.read_only_banner()
navigation.run()
