"""The user-list upload ("担当者名の対応表") that gives rep ids their names, for managers and owners."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from phasekpi.messages import problem_text
from phasekpi.repnames import read_user_list
from ui import session
from ui.widgets import plain

UPLOAD_KEY, REPORT_KEY = "rep_names_file", "rep_names_report"
FLASHES = {"error": st.error, "success": st.success, "warning": st.warning}


def rep_names_expander() -> None:
    """Upload a Salesforce User or HubSpot owners export; its names are saved for every session."""
    tr = session.tr
    names, report = session.workspace().rep_names(), session.take(REPORT_KEY)
    with st.expander(tr("reps.names.title"), expanded=report is not None):
        st.caption(tr("reps.names.intro"))
        for kind, text in report or ():
            FLASHES[kind](text)
        if names:
            st.caption(tr("reps.names.count", count=f"{len(names):,}"))
        if not session.may("upload"):
            st.caption(tr("reps.names.viewer"))
            return
        uploaded = st.file_uploader(tr("reps.names.upload"), type=["csv", "txt", "tsv", "xlsx", "gz"], key=UPLOAD_KEY)
        if uploaded is not None and st.button(tr("reps.names.load"), key="rep_names_load", icon=":material/badge:"):
            _load(uploaded.name, uploaded.getvalue())


def _load(name: str, data: bytes) -> None:
    """Read the list from a temporary copy (the readers take a path), save it, and rerun so that every
    table above shows the names; what happened is told after the rerun."""
    tr = session.tr
    with tempfile.TemporaryDirectory(prefix="phasekpi-users-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        users, problem = read_user_list(path, name)
    if users is None:
        session.keep(REPORT_KEY, [("error", plain(problem_text(problem, session.lang())))])
        st.rerun()
    saved = session.add_rep_names(users.names)
    counts = {"names": len(users.names), "rows": users.rows, "skipped": users.skipped, "duplicates": users.duplicates}
    text = tr("reps.names.loaded", file=users.file, columns=" + ".join([users.id_column, *users.name_columns]),
              **{k: f"{v:,}" for k, v in counts.items()})
    report = [("success", plain(text))]
    session.keep(REPORT_KEY, report + ([] if saved else [("warning", tr("reps.names.not_saved"))]))
    st.rerun()
