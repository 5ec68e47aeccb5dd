"""Data: upload CRM exports, confirm how their columns map, and see what was loaded and what was not."""

from pathlib import Path
from typing import Protocol

import pandas as pd
import streamlit as st

from phasekpi.history import Progress
from phasekpi.schema import TABLES, table_summaries
from phasekpi.sources import import_dir, importable_files
from ui import historylist, session, uploads
from ui.editors import chosen_mapping, mapping_editor, problem_files, vocabulary_editor
from ui.loadreport import health_section, show_report
from ui.widgets import UPLOADER_CSS, plain


def file_size(path: Path) -> str:
    size = path.stat().st_size if path.exists() else 0
    return f"{size / 1e6:,.1f} MB" if size >= 1e5 else f"{size / 1e3:,.1f} KB"

tr, lang = session.tr, session.lang()
st.markdown(UPLOADER_CSS.format(button=tr("data.uploader_button"), limit=tr("data.uploader_limit")), unsafe_allow_html=True)
st.title(tr("data.title"))
st.write(tr("data.intro"))
historylist.privacy_note()



class Writes(Protocol):
    def write(self, *body: object) -> object: ...


def step_writer(status: Writes) -> Progress:
    """What a long step tells, written into its status box (a file's name as text, never markup)."""
    return lambda step, params: status.write(tr(f"progress.{step}", **{k: plain(str(v)) for k, v in params.items()}))


def upload_controls() -> None:
    """The upload form and the server's import folder: for those who may add data."""
    with st.form("upload", border=True):
        st.file_uploader(tr("data.uploader"), type=["csv", "txt", "tsv", "gz", "xlsx"], accept_multiple_files=True,
                         key="uploads", help=tr("data.uploader_help"))
        checked = st.form_submit_button(tr("data.check_button"), type="primary")
    if checked:
        with st.status(tr("progress.check_title"), expanded=True) as status:
            uploads.analyse(progress=step_writer(status))
            status.update(label=tr("progress.check_done", count=len(uploads.pending())), state="complete",
                          expanded=False)
    with st.expander(tr("data.import_title")):
        st.caption(tr("data.import_help", folder=str(import_dir())))
        on_disk = importable_files()
        if on_disk:
            st.multiselect(tr("data.import_files"), [p.name for p in on_disk], key="import_files",
                           format_func=lambda name: f"{name} ({file_size(import_dir() / name)})")
            st.button(tr("data.check_button"), key="check_import", on_click=uploads.analyse_folder)
        else:
            st.info(tr("data.import_empty"))


if session.may("upload"):
    upload_controls()
else:
    st.info(tr("gate.viewer_data"), icon=":material/visibility:")
if session.take("no_files", False):
    st.warning(tr("data.no_files"))


def load_confirmed() -> None:
    """Load under the chosen mappings, saying which step runs, then start the page afresh with the report."""
    mappings = [chosen_mapping(i) for i in range(len(uploads.pending()))]
    with st.status(tr("progress.load_title"), expanded=True) as status:
        report = uploads.load(mappings, progress=step_writer(status))
        status.update(label=tr("progress.load_done"), state="complete")
    loaded = [file for file in report.files if file.error is None]
    rows = sum(file.rows_loaded for file in loaded)
    session.keep("toast", (tr("progress.loaded_toast", rows=f"{rows:,}", files=len(loaded)), len(loaded) == len(report.files)))
    st.rerun()


toast = session.take("toast")
if toast:
    text, complete = toast
    st.toast(text, icon=":material/check_circle:" if complete else ":material/warning:")
if uploads.pending() and session.may("upload"):
    st.subheader(tr("mapping.title"))
    st.caption(tr("mapping.intro"))
    problem_files()
    for index, file in enumerate(uploads.pending()):
        if file.source is not None:
            mapping_editor(index)
    left, right = st.columns([1, 5])
    loadable = any(file.source is not None for file in uploads.pending())  # nothing to load when every file was refused
    if loadable and left.button(tr("mapping.load_button"), type="primary"):
        load_confirmed()
    right.button(tr("mapping.cancel"), on_click=uploads.discard)
elif not session.is_demo():
    st.button(tr("data.view_demo"), on_click=session.load_demo)
elif session.history().manifest().active:
    st.info(tr("data.demo_by_request"))
    st.button(tr("data.back_to_team"), on_click=session.leave_demo)
else:
    st.info(tr("data.demo_in_use"))


report = session.kept("upload_report")
if report is not None:
    show_report(report)
historylist.upload_list()
health_section()
historylist.weeks_covered()

st.subheader(tr("data.tables_title"))
summaries = table_summaries(session.store())
st.dataframe(pd.DataFrame([{
    tr("data.col.table"): tr(f"table.{s.table}"), tr("data.col.rows"): f"{s.rows:,}",
    tr("data.col.first"): str(s.first_date or "—"), tr("data.col.last"): str(s.last_date or "—"),
    tr("data.col.reps"): s.reps,
} for s in summaries]), hide_index=True, width="stretch")
missing = [tr(f"table.{s.table}") for s in summaries if s.rows == 0]
if missing:
    st.warning(tr("data.tables_missing", tables=("、" if lang == "ja" else ", ").join(missing)))

if session.may("upload"):  # the call-result words decide how every later upload is read
    vocabulary_editor()
if session.may("delete_all"):
    historylist.delete_all()

with st.expander(tr("data.format_title")):
    st.write(tr("data.format_intro"))
    for spec in TABLES.values():
        columns = ", ".join(f"**{c.name}**" if c.required else c.name for c in spec.mappable)
        st.markdown(f"- {tr(f'table.{spec.name}')}: {columns}")
