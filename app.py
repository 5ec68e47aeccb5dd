"""Entry point: page config, the language switch, and the router over pages/."""

import streamlit as st

from pages import session
from phasekpi.messages import LANGUAGES

session.route_through_app()
st.set_page_config(page_title="Phase KPI", page_icon=":material/monitoring:", layout="wide")

with st.sidebar:
    st.radio(
        "言語 / Language", options=list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True,
    )

session.store()  # every page reads this session's data: load the demo once, before routing
navigation = st.navigation([
    st.Page("pages/data.py", title=session.tr("nav.data"), icon=":material/upload_file:", url_path="data"),
    st.Page("pages/diagnosis.py", title=session.tr("nav.diagnosis"), icon=":material/explore:", url_path="diagnosis"),
    st.Page("pages/dashboard.py", title=session.tr("nav.dashboard"), icon=":material/dashboard:", default=True),
    st.Page("pages/funnel.py", title=session.tr("nav.funnel"), icon=":material/filter_alt:", url_path="funnel"),
    st.Page("pages/reps.py", title=session.tr("nav.reps"), icon=":material/groups:", url_path="reps"),
    st.Page("pages/trends.py", title=session.tr("nav.trends"), icon=":material/trending_up:", url_path="trends"),
    st.Page("pages/insights.py", title=session.tr("nav.insights"), icon=":material/insights:", url_path="insights"),
    st.Page("pages/drilldown.py", title=session.tr("nav.drilldown"), icon=":material/table_rows:", url_path="drilldown"),
    st.Page("pages/planner.py", title=session.tr("nav.planner"), icon=":material/account_tree:", url_path="planner"),
    st.Page("pages/strategy.py", title=session.tr("nav.strategy"), icon=":material/payments:", url_path="strategy"),
    st.Page("pages/export.py", title=session.tr("nav.export"), icon=":material/download:", url_path="export"),
    st.Page("pages/settings.py", title=session.tr("nav.settings"), icon=":material/settings:", url_path="settings"),
])
with st.sidebar:
    diagnosis = session.diagnosis()
    if diagnosis is not None:
        phase = session.catalogue().phase(diagnosis.phase)
        st.caption(session.tr("sidebar.active_phase"))
        st.markdown(f"**{phase.label(session.lang())}** — {phase.focus(session.lang())}")
    st.caption(session.data_source_text())
navigation.run()
