"""Trends and pacing: a KPI week by week or month by month against its target, this month's pace
with the month-end landing forecast (月末着地予測), and the phase's KPIs heading below target."""


import streamlit as st

from phasekpi.charts.trends import pacing_chart, pacing_table, trend_chart
from phasekpi.display import format_number, kpi_value_text
from phasekpi.pacing import Alert, alert_threshold_pct, alerts, kpi_series, parse_dates, phase_pacing, phase_target
from ui import session
from ui.widgets import amounts, analysis_page, plain, remembered_choice

tr, lang, catalogue, currency = session.tr, session.lang(), session.catalogue(), session.currency()
results, diagnosis = analysis_page(tr("trends.title"))
st.caption(tr("trends.intro"))
phase = catalogue.phase(diagnosis.phase)
targets = session.targets().get(phase.id, {})


def remember_holidays() -> None:
    """Keep the parsed dates under a key of our own (widget state dies with its page)."""
    session.keep("company_holidays", parse_dates(session.widget("company_holidays_text"))[0])


def alert_text(alert: Alert) -> str:
    kpi = catalogue.kpis[alert.kpi_id]
    if alert.basis == "forecast":  # team totals for the month
        shown = {"currency": currency, "grain": "period"}
        value, target = format_number(alert.value, kpi.unit, lang, **shown), format_number(alert.target, kpi.unit, lang, **shown)
    else:  # values at the KPI's grain
        value = kpi_value_text(catalogue, alert.kpi_id, alert.value, lang, currency=currency)
        target = kpi_value_text(catalogue, alert.kpi_id, alert.target, lang, currency=currency)
    return tr(f"trends.alert.{alert.basis}", kpi=kpi.label(lang), value=value, target=target,
              pct=format_number(alert.achievement, "percent", lang))


# ---- the trend of one KPI, the phase's most important first
st.header(tr("trends.trend_title"))
phase_kpis = [entry.kpi for entry in sorted(phase.kpis, key=lambda e: -e.importance)]
left, right = st.columns([3, 1])
memory = session.memory("trends")
kpi_id = remembered_choice(left.selectbox, tr("trends.kpi"), memory, "kpi", {
    k: catalogue.kpis[k].label(lang) for k in phase_kpis + [k for k in catalogue.kpis if k not in phase_kpis]},
    key_prefix="trends")
by = remembered_choice(right.radio, tr("trends.by"), memory, "by", {b: tr(f"trends.by.{b}") for b in ("week", "month")},
                       key_prefix="trends", horizontal=True)
target = phase_target(catalogue, phase.id, kpi_id, targets)
series = kpi_series(catalogue, kpi_id, session.kpi_results_by(by), target)
if series.empty:
    st.info(tr("trends.no_series"))
else:
    st.altair_chart(trend_chart(series, catalogue, kpi_id, by, lang, currency), width="stretch")
if target is None:
    st.caption(tr("trends.not_in_phase", kpi=catalogue.kpis[kpi_id].label(lang)))

# ---- this month's pace and the month-end forecast, on business days
st.header(tr("trends.pacing_title"))
with st.expander(tr("trends.holidays_title")):
    st.caption(tr("trends.holidays_help"))
    company_holidays = session.kept("company_holidays", [])
    text = st.text_area(tr("trends.holidays_input"), value="\n".join(f"{d:%Y-%m-%d}" for d in company_holidays),
                        key="company_holidays_text", on_change=remember_holidays, placeholder="2026-08-13")
    invalid = parse_dates(text)[1]
    if invalid:
        st.warning(tr("trends.holidays_invalid", entries=plain(", ".join(invalid))))
    if company_holidays:
        st.caption(tr("trends.holidays_count", count=len(company_holidays)))
pacings = session.cached("pacing", lambda: phase_pacing(session.store(), catalogue, phase.id, session.filters(), targets,
                                                         company_holidays),
                         phase.id, repr(targets), tuple(company_holidays))
if not pacings:
    st.info(tr("trends.no_pacing"))
else:
    current = next(iter(pacings.values()))  # the month's figures are the same for every KPI
    st.caption(tr("trends.pacing_caption", month=tr("trends.month", year=current.month.year, month=current.month.month),
                  as_of=f"{current.as_of:%Y/%m/%d}"))
    figures = [
        (tr("trends.metric.business_days"), tr("trends.days", days=current.business_days_total)),
        (tr("trends.metric.elapsed"), tr("trends.days", days=current.elapsed)),
        (tr("trends.metric.remaining"), tr("trends.days", days=current.remaining)),
        (tr("trends.metric.reps"), tr("trends.reps", reps=current.active_reps)),
    ]
    for column, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(label, value)
    st.dataframe(pacing_table(list(pacings.values()), catalogue, lang, currency), hide_index=True, width="stretch")
    paced = list(pacings)
    chart_kpi = st.selectbox(tr("trends.pacing_kpi"), paced, index=paced.index(kpi_id) if kpi_id in paced else 0,
                             format_func=lambda k: catalogue.kpis[k].label(lang),
                             key=f"trends_pacing_{kpi_id}_{lang}")  # follows the trend's KPI, and the language
    st.altair_chart(pacing_chart(pacings[chart_kpi], catalogue, lang, currency), width="stretch")

# ---- alerts: the phase's KPIs heading below the threshold
st.header(tr("trends.alerts_title"))
threshold = alert_threshold_pct(catalogue, session.settings())
threshold_text = f"{threshold:g}%"
st.caption(tr("trends.alerts_caption", threshold=threshold_text))
found = alerts(catalogue, phase.id, results, pacings, threshold, targets)
for alert in found:
    st.error(amounts(alert_text(alert)), icon=":material/warning:")
if not found:
    st.success(tr("trends.no_alerts", threshold=threshold_text))
