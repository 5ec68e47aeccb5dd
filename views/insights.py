"""Calling slots (weekday × hour), lead sources and the opportunity quality score, one tab each."""

import streamlit as st

from phasekpi.charts.heatmap import slot_chart, slot_frame
from phasekpi.charts.leadsources import source_chart, source_frame, source_table
from phasekpi.charts.quality import bins_chart, bins_frame, lowest_table, reps_chart, reps_frame, reps_table
from phasekpi.display import format_number, metric_delta
from phasekpi.heatmap import MIN_CALLS, SLOT_METRICS, best_slots, best_slots_text, call_slots
from phasekpi.leadsources import lead_sources
from phasekpi.quality import quality_report, quality_target
from ui import session
from ui.tables import fitted_height
from ui.widgets import analysis_page, number_table

tr, lang, catalogue, currency = session.tr, session.lang(), session.catalogue(), session.currency()
diagnosis = analysis_page(tr("insights.title"))[1]
slots_tab, sources_tab, quality_tab = st.tabs(
    [tr("insights.tab.slots"), tr("insights.tab.sources"), tr("insights.tab.quality")])

with slots_tab:
    st.caption(tr("insights.slots.intro"))
    left, right = st.columns([3, 2])  # the radio's key carries the language, whose labels it shows
    metric = left.radio(tr("insights.slots.metric"), SLOT_METRICS, horizontal=True,
                        key=f"slots_metric_{lang}", format_func=lambda m: tr(f"insights.slots.metric.{m}"))
    min_calls = int(right.number_input(tr("insights.slots.min_calls"), min_value=1, value=MIN_CALLS, step=10,
                                       key="slots_min_calls", help=tr("insights.slots.min_calls_help")))
    slots = session.cached("call_slots", lambda: call_slots(session.store(), session.filters()))
    if not slots.cells:
        st.info(tr("insights.slots.no_calls"))
    else:
        best = best_slots(slots.cells, metric, min_calls)
        if best:
            st.success(best_slots_text(best, metric, lang))
        else:
            st.warning(tr("insights.slots.none_eligible", min=min_calls))
        st.altair_chart(slot_chart(slot_frame(slots.cells, metric, min_calls, lang), metric, lang), width="stretch")
        st.caption(tr("insights.slots.caption", min=min_calls))
    if slots.untimed_calls:
        st.caption(tr("insights.slots.untimed", calls=format_number(slots.untimed_calls, "number", lang, grain="period")))

with sources_tab:
    st.caption(tr("insights.sources.intro"))
    sources = session.cached("lead_sources", lambda: lead_sources(session.store(), session.filters()))
    if not sources:
        st.info(tr("insights.sources.no_leads"))
    else:
        st.altair_chart(source_chart(source_frame(sources, lang, currency), lang), width="stretch")
        number_table(source_table(sources, lang, currency), height=fitted_height(len(sources)))
        st.caption(tr("insights.sources.table_caption"))

with quality_tab:
    st.caption(tr("insights.quality.intro"))
    target = quality_target(catalogue, diagnosis.phase, session.targets())
    report = session.cached("quality", lambda: quality_report(session.store(), catalogue, session.filters(), target), target)
    if not report.scored:
        st.info(tr("insights.quality.empty"))
    else:
        target = format_number(report.target, "points", lang)
        average, count, share = st.columns(3)
        average.metric(tr("insights.quality.average_vs", target=target), format_number(report.average, "points", lang),
                       delta=metric_delta(report.average - report.target, "points", lang))
        count.metric(tr("insights.quality.opportunities"), format_number(report.scored, "number", lang, grain="period"))
        share.metric(tr("insights.quality.share_at", target=target),
                     format_number(report.share_at_target, "percent", lang))
        left, right = st.columns(2)
        left.altair_chart(bins_chart(bins_frame(report, lang), lang), width="stretch")
        right.altair_chart(reps_chart(reps_frame(report, lang, session.rep_labels()), lang), width="stretch")
        st.caption(tr("insights.quality.charts_caption"))
        st.caption(tr("insights.quality.reps_caption"))
        number_table(reps_table(report, lang, session.rep_labels()), height=fitted_height(len(report.reps)))
        st.subheader(tr("insights.quality.lowest_title"))
        st.caption(tr("insights.quality.lowest_caption", count=len(report.lowest)))
        st.dataframe(lowest_table(report, lang, session.rep_labels()), hide_index=True, width="stretch",
                     height=fitted_height(len(report.lowest)))
