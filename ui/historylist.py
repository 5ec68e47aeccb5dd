"""The Data page's history sections: where the rows are kept, every upload with undo, weeks covered."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from phasekpi.charts.weeks import week_chart, week_frame
from phasekpi.history import HistoryBusy, UnknownUpload, Upload
from phasekpi.weeks import week_coverage
from ui import session
from ui.tables import fitted_columns, fitted_height


def privacy_note() -> None:
    """Where the rows are and who can read them: everyone at this app, or (with login) the access list."""
    key = "history.privacy_login" if session.who() else "history.privacy"
    st.info(session.tr(key, folder=str(session.history().folder)), icon=":material/shield:")


def upload_list() -> None:
    """Every upload, newest first, with what it did; any active one can be undone."""
    tr = session.tr
    uploads = list(reversed(session.history().manifest().uploads))
    st.subheader(tr("history.title"))
    if not uploads:
        st.caption(tr("history.empty"))
        return
    listed = pd.DataFrame([_row(u) for u in uploads])
    st.dataframe(listed, hide_index=True, width="stretch", height=fitted_height(len(listed)),
                 column_config=fitted_columns(listed))
    message = session.take("history_message")
    if message:
        st.success(message)
    active = [u for u in uploads if u.active]
    if not active or not session.may("undo"):
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.selectbox(tr("history.undo_pick"), [u.id for u in active], key="undo_pick",
                   format_func=lambda upload_id: _label(next(u for u in active if u.id == upload_id)))
    right.button(tr("history.undo_button"), icon=":material/undo:", on_click=_undo)


def delete_all() -> None:
    tr = session.tr
    if not session.history().manifest().uploads:
        return
    with st.expander(tr("history.delete_title"), icon=":material/delete_forever:"):
        st.warning(tr("history.delete_warning"))
        sure = st.checkbox(tr("history.delete_confirm"), key="delete_sure")
        st.button(tr("history.delete_button"), type="primary", disabled=not sure, on_click=_delete_all)


def weeks_covered() -> None:
    """Weeks with activities between the first and the last, a gap named (a weekly upload missed)."""
    tr, lang = session.tr, session.lang()
    coverage = session.cached("week_coverage", lambda: week_coverage(session.store()))
    if not coverage.weeks:
        return
    st.subheader(tr("data.weeks.title"))
    st.altair_chart(week_chart(week_frame(coverage, lang), lang), width="stretch")
    if coverage.gaps:
        days = ("、" if lang == "ja" else ", ").join(tr("data.weeks.week_of", day=f"{m.month}/{m.day}")
                                                   for m in coverage.gaps)
        st.warning(tr("data.weeks.gaps", weeks=days, count=len(coverage.gaps)))
    else:
        st.caption(tr("data.weeks.no_gaps", count=len(coverage.weeks)))


def _row(upload: Upload) -> dict[str, str]:
    """Who added it and its state come before the counts, so that a narrow screen still shows them."""
    tr = session.tr
    span = tr("history.span", first=upload.first_day or "—", last=upload.last_day or "—")
    state = tr("history.active") if upload.active else tr("history.undone", at=(upload.undone_at or "").replace("T", " "))
    return {tr("history.col.file"): upload.file, tr("history.col.kind"): tr(f"table.{upload.kind}"),
            tr("history.col.added"): upload.added_at.replace("T", " "), tr("history.col.by"): upload.added_by or "—",
            tr("history.col.state"): state + (tr("history.undone_by", who=upload.undone_by) if upload.undone_by else ""),
            tr("history.col.new"): f"{upload.new:,}", tr("history.col.updated"): f"{upload.updated:,}",
            tr("history.col.duplicates"): f"{upload.duplicates:,}", tr("history.col.rejected"): f"{upload.rejected:,}",
            tr("history.col.span"): span,
            tr("history.col.mapping"): ", ".join(f"{header} → {tr(f'field.{name}')}"
                                                 for name, header in upload.mapping.items())}


def _label(upload: Upload) -> str:
    return session.tr("history.undo_label", file=upload.file, added=upload.added_at.replace("T", " "),
                      new=f"{upload.new:,}", updated=f"{upload.updated:,}")


def _undo() -> None:
    upload_id = session.kept_widget("undo_pick")
    try:
        session.history().undo(upload_id, by=session.who())
    except (UnknownUpload, HistoryBusy):
        session.keep("history_message", session.tr("history.undo_failed"))
        return
    undone = next(u for u in session.history().manifest().uploads if u.id == upload_id)
    session.take("upload_report")
    session.open_team_data()
    session.keep("history_message", session.tr("history.undone_message", file=undone.file))


def _delete_all() -> None:
    session.history().clear()
    session.take("upload_report")
    session.set_widget("delete_sure", False)
    session.open_team_data()
