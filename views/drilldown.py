"""Records: the rows behind a count or sum KPI, in date order, one page at a time (SPEC §10).

Reached from the navigation, or from a KPI card or a funnel step through `widgets.drilldown_link`,
which opens this page as `?kpi=<kpi id>`; choosing another KPI here writes it back to the URL.
"""

import streamlit as st

from phasekpi.display import format_number, gaps_text
from phasekpi.drilldown import column_label, drill_rows, drill_table, drillable_kpis
from ui import session
from ui.widgets import analysis_page, plain

PAGE_KEY, SCOPE_KEY = "drill_page", "drill_scope"


def _kpi_chosen(key: str) -> None:
    st.query_params["kpi"] = session.widget(key)
    session.keep(PAGE_KEY, 1)


def _turn(step: int) -> None:
    session.keep(PAGE_KEY, session.kept(PAGE_KEY, 1) + step)


def main() -> None:


    tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
    analysis_page(tr("drill.title"))
    st.caption(tr("drill.intro"))
    choices, key = drillable_kpis(catalogue), f"drill_kpi_{lang}"  # per language: the labels change with it
    asked = st.query_params.get("kpi")
    if asked in choices and asked != session.kept_widget(key):
        session.set_widget(key, asked)
    kpi_id = st.selectbox(tr("drill.kpi"), choices, key=key, on_change=_kpi_chosen, args=(key,), format_func=lambda k: tr(
        "drill.kpi_option", kpi=catalogue.kpis[k].label(lang), table=tr(f"table.{catalogue.kpis[k].measure.table}")))
    scope = (kpi_id, session.filters())
    if session.kept(SCOPE_KEY) != scope:  # another KPI or other filters: back to the first page
        session.keep(SCOPE_KEY, scope)
        session.keep(PAGE_KEY, 1)
    page = session.kept(PAGE_KEY, 1)
    drilled = session.cached("drill", lambda: drill_rows(session.store(), catalogue, kpi_id, session.filters(), page),
                             kpi_id, page)
    session.keep(PAGE_KEY, drilled.page)
    kpi, rows = catalogue.kpis[kpi_id], f"{drilled.total:,}"
    if drilled.gaps:  # the data cannot give this KPI: say why rather than "0 rows"
        st.info(plain(f"{tr('card.unavailable_value')}: {gaps_text(drilled.gaps, lang)}"))
        return
    summary = tr("drill.summary", kpi=kpi.label(lang), rows=rows) if drilled.amount is None else tr(
        "drill.amount", kpi=kpi.label(lang), rows=rows, amount=format_number(
            float(drilled.amount), kpi.unit, lang, currency=session.currency()))
    st.markdown(f"**{summary}**")
    if kpi.measure.count_distinct:
        st.caption(tr("drill.distinct_note", column=column_label(kpi.measure.count_distinct, lang)))
    if not drilled.total:
        st.info(tr("drill.no_rows"))
        return
    last = drilled.first_row + len(drilled.rows) - 1
    st.caption(tr("drill.showing", first=f"{drilled.first_row:,}", last=f"{last:,}", total=rows))
    st.dataframe(drill_table(drilled, lang, session.rep_labels(), session.currency()), hide_index=True, width="stretch")
    previous, number, following = st.columns([1, 2, 1], vertical_alignment="bottom")
    previous.button(tr("drill.prev"), key="drill_prev", on_click=_turn, args=(-1,), disabled=drilled.page <= 1,
                    icon=":material/chevron_left:")
    number.number_input(tr("drill.page", pages=f"{drilled.pages:,}"), min_value=1, max_value=drilled.pages, step=1,
                        key=PAGE_KEY)
    following.button(tr("drill.next"), key="drill_next", on_click=_turn, args=(1,),
                     disabled=drilled.page >= drilled.pages, icon=":material/chevron_right:")


if __name__ == "__main__":
    main()
