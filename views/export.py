"""Export: download the Excel KPI sheet (フェーズ別KPI設計シート) with live formulas."""

import io
from datetime import date

import streamlit as st

from phasekpi.export import KpiSheet, write_workbook
from phasekpi.messages import LANGUAGES
from ui import session
from ui.loadreport import findings

tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
st.title(tr("export.title"))
st.write(tr("export.intro"))

diagnosis = session.diagnosis()
results = session.kpi_results()
if diagnosis is None or results is None:
    st.info(tr("dashboard.no_data"))
    st.stop()

organisation = st.text_input(tr("export.organisation"), key="organisation", max_chars=100)
book_lang = st.radio(tr("export.language"), options=list(LANGUAGES), format_func=LANGUAGES.get,
                     index=list(LANGUAGES).index(lang), horizontal=True)
phase = catalogue.phase(diagnosis.phase)
st.markdown(tr("export.contents", phase=phase.label(lang), start=results.period.start, end=results.period.end))

sheet = KpiSheet(
    catalogue=catalogue, results=results, diagnosis=diagnosis, answers=session.answers() or {},
    lang=book_lang, targets=session.targets(), organisation=organisation,
    load_report=session.load_report(), by_rep=session.kpi_results_by("rep"), health=findings(),
    rep_names=session.rep_labels(),
    currency=session.currency(),
)
stream = io.BytesIO()
with st.spinner(tr("progress.export"), show_time=True):
    write_workbook(stream, sheet)
st.download_button(
    tr("export.download"), data=stream.getvalue(), type="primary", icon=":material/download:",
    file_name=f"phase_kpi_{date.today():%Y%m%d}_{book_lang}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
