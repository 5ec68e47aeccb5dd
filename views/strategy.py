"""Strategic KPIs: what the IS team's opportunities bring in (won amount, pipeline) and what they cost
(CAC, LTV, LTV/CAC, ROI, forecast error), with the settings these are computed from. Which KPIs, the
health judgement and the formulas come from the catalogue's `strategy`."""

import streamlit as st

from phasekpi.charts.planner import amount_chart, amount_frame
from phasekpi.display import format_number
from phasekpi.metrics import settings_with_defaults
from phasekpi.strategy import floor_text, formula_placeholders, formula_values, health, shown_formulas
from ui import session
from ui.widgets import CARD_CSS, amounts, analysis_page, card_grid, phase_cards, remembered_number

SETTINGS = ("is_cost_per_month", "arpa_per_month", "gross_margin_pct", "lifetime_months", "forecast_won_amount")

tr, lang, catalogue, currency = session.tr, session.lang(), session.catalogue(), session.currency()
st.markdown(CARD_CSS, unsafe_allow_html=True)
results, _ = analysis_page(tr("strategy.title"))
strategy = catalogue.strategy
st.write(tr("strategy.intro"))
st.caption(tr("dashboard.period_caption", start=results.period.start, end=results.period.end,
              days=results.period.days, reps=results.period.active_reps))

card_grid([card for card in phase_cards(strategy.phase, results) if catalogue.kpis[card.row.kpi_id].tier == "strategic"])
verdict = health(catalogue, results)
if verdict is not None:
    judged, value, floor = verdict
    unit = catalogue.kpis[strategy.health].unit
    message = tr(f"strategy.{judged}", value=format_number(value, unit, lang, currency=currency), low=floor_text(floor))
    (st.success if judged == "healthy" else st.warning)(amounts(message))

st.subheader(tr("strategy.other_title"))
for column, kpi_id in zip(st.columns(len(strategy.plain)), strategy.plain, strict=True):
    kpi = catalogue.kpis[kpi_id]
    shown = format_number(results.actual(kpi_id), kpi.unit, lang, currency=currency, grain=kpi.grain)
    column.metric(kpi.label(lang), shown, help=kpi.meaning(lang))
values = settings_with_defaults(catalogue, session.settings())
if values["forecast_won_amount"] is None:
    st.caption(tr("strategy.forecast_missing"))

frame = amount_frame(session.kpi_results_by("month"), catalogue, lang, currency)
st.altair_chart(amount_chart(frame, catalogue, lang, currency), width="stretch")
st.caption(tr("strategy.chart.caption"))

st.subheader(tr("strategy.formulas_title"))
shared = formula_values(catalogue, results, values, lang, currency)
st.markdown(amounts("\n".join(
    f"- {tr(f'strategy.formula.{kpi_id}', **(shared | formula_placeholders(catalogue, results, kpi_id, lang, currency)))}"
    for kpi_id in shown_formulas(catalogue, values))))

with st.container(border=True):
    st.markdown(f"**{tr('strategy.settings_title')}**")
    columns = st.columns(3)
    for index, name in enumerate(SETTINGS):
        setting = catalogue.settings[name]
        with columns[index % len(columns)]:
            remembered_number(setting.label(lang), session.settings(), name, setting.default, key=f"setting_{name}",
                              disabled=not session.may("settings"), unit=setting.unit)
