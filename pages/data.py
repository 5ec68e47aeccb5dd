"""Data: upload CRM exports (or keep the demo) and see exactly what was loaded and what was not."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from pages import session
from pages.widgets import UPLOADER_CSS
from phasekpi.messages import problem_text
from phasekpi.problems import LoadReport
from phasekpi.schema import TABLES, table_summaries

session.route_through_app()
tr = session.tr
st.markdown(UPLOADER_CSS.format(button=tr("data.uploader_button"), limit=tr("data.uploader_limit")), unsafe_allow_html=True)
st.title(tr("data.title"))
st.write(tr("data.intro"))



def load_uploads() -> None:
    """Form callback (runs before the page): copy the uploads to temp files and load them."""
    uploads = st.session_state.get("uploads") or []
    st.session_state["no_files"] = not uploads
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for upload in uploads:
            path = Path(folder) / f"{len(files)}{''.join(Path(upload.name).suffixes[-2:])}"
            path.write_bytes(upload.getvalue())
            files.append((path, upload.name))
        if files:
            session.replace_data(files)


with st.form("upload", border=True):
    st.file_uploader(tr("data.uploader"), type=["csv", "gz"], accept_multiple_files=True, key="uploads",
                     help=tr("data.uploader_help"))
    st.form_submit_button(tr("data.load_button"), type="primary", on_click=load_uploads)
if st.session_state.pop("no_files", False):
    st.warning(tr("data.no_files"))
if not session.is_demo():
    st.button(tr("data.back_to_demo"), on_click=session.load_demo)

if session.is_demo():
    st.info(tr("data.demo_in_use"))

st.subheader(tr("data.tables_title"))
summaries = table_summaries(session.store())
st.dataframe(
    pd.DataFrame([{
        tr("data.col.table"): tr(f"table.{s.table}"),
        tr("data.col.rows"): f"{s.rows:,}",
        tr("data.col.first"): str(s.first_date or "—"),
        tr("data.col.last"): str(s.last_date or "—"),
        tr("data.col.reps"): s.reps,
    } for s in summaries]),
    hide_index=True, width="stretch",
)
missing = [tr(f"table.{s.table}") for s in summaries if s.rows == 0]
if missing:
    st.warning(tr("data.tables_missing", tables="、".join(missing) if session.lang() == "ja" else ", ".join(missing)))


def show_report(report: LoadReport) -> None:
    st.subheader(tr("data.report_title"))
    for file in report.files:
        if file.error:
            st.error(f"**{file.file}** — {problem_text(file.error, session.lang())}")
            continue
        kind = tr(f"table.{file.kind}")
        line = tr("data.report_line", file=file.file, kind=kind, read=file.rows_read, loaded=file.rows_loaded,
                  rejected=file.rows_rejected, duplicates=file.duplicates)
        (st.success if not file.rejections else st.warning)(line)
        if file.rejections:
            with st.expander(tr("data.rejections", count=file.rows_rejected)):
                st.dataframe(pd.DataFrame([{
                    tr("data.col.row"): r.row, tr("data.col.column"): r.column, tr("data.col.value"): r.value,
                    tr("data.col.reason"): problem_text(r.problem, session.lang()),
                } for r in file.rejections[:5000]]), hide_index=True, width="stretch")


report = session.load_report()
if report is not None and not session.is_demo():
    show_report(report)

with st.expander(tr("data.format_title")):
    st.write(tr("data.format_intro"))
    for spec in TABLES.values():
        columns = ", ".join(f"**{c.name}**" if c.required else c.name for c in spec.columns)
        st.markdown(f"- {tr(f'table.{spec.name}')}: {columns}")
