"""The load report and the data-health check on the Data page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from phasekpi.display import finding_text, report_notes, technical_text
from phasekpi.health import Finding, health_findings
from phasekpi.ingest import REJECTION_DETAILS
from phasekpi.messages import problem_text
from phasekpi.problems import FileReport, LoadReport, rejections_csv
from phasekpi.selection import Filters
from ui import session
from ui.widgets import plain


def show_report(report: LoadReport) -> None:
    """Per file: rows read = new + updated + duplicates + rejected + footer, what else happened, why rows were rejected."""
    tr, lang = session.tr, session.lang()
    st.subheader(tr("data.report_title"))
    st.caption(tr("data.report_summary", files=len(report.files), loaded=sum(1 for f in report.files if not f.error)))
    for file in report.files:
        if file.error:
            st.error(plain(problem_text(file.error, lang)))
            continue
        line = tr("data.report_line", file=plain(file.file), kind=tr(f"table.{file.kind}"), read=file.rows_read,
                  loaded=file.rows_loaded, updated=file.rows_updated, rejected=file.rows_rejected,
                  duplicates=file.duplicates, footer=file.footer_lines)
        notes = report_notes(file, lang)
        (st.warning if file.rejections or file.identical_rows or file.already_loaded else st.success)(
            line + "".join(f"\n- {plain(note)}" for note in notes))
        if file.rejections:
            rejections(file)
    with st.expander(tr("tech.title")):
        for file in report.files:
            if not file.error:
                st.caption(plain(technical_text(file, lang)))
    if report.rejections:
        headers = [tr(f"data.col.{c}") for c in ("file", "row", "column", "value", "reason")]
        st.download_button(tr("data.download_rejections"), icon=":material/download:", file_name="rejected_rows.csv",
                           data=rejections_csv(report, lambda p: problem_text(p, lang), headers), mime="text/csv")


def rejections(file: FileReport) -> None:
    tr, lang = session.tr, session.lang()
    st.dataframe(pd.DataFrame([{tr("data.reasons"): problem_text(problem, lang), tr("data.col.count"): count}
                               for problem, count in file.reason_counts()]), hide_index=True, width="stretch")
    with st.expander(tr("data.rejections", count=file.rows_rejected)):
        if len({r.row for r in file.rejections}) < file.rows_rejected:
            st.caption(tr("data.rejections_capped", count=f"{REJECTION_DETAILS:,}"))
        st.dataframe(pd.DataFrame([{
            tr("data.col.row"): r.row, tr("data.col.column"): r.column, tr("data.col.value"): r.value,
            tr("data.col.reason"): problem_text(r.problem, lang),
        } for r in file.rejections]), hide_index=True, width="stretch")


def findings() -> list[Finding]:
    """The data-health findings over all of this session's data, kept until it changes."""
    return session.cached("health", lambda: health_findings(session.store(), session.catalogue(),
                                                            session.kpi_results(Filters())), chosen=Filters())


def health_section() -> None:
    """What in the loaded data makes some numbers doubtful, each with what to do."""
    tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
    found = findings()
    st.subheader(tr("health.title"))
    if not found:
        st.success(tr("health.none"))
        return
    st.caption(tr("health.intro"))
    for finding in found:
        what, todo = finding_text(finding, catalogue, lang)
        (st.warning if finding.severity == "warning" else st.info)(
            f"{plain(what)}\n\n**{tr('health.todo_label')}:** {plain(todo)}")
