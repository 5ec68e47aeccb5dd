"""Strategic KPIs: what the IS team's opportunities bring in (won amount, pipeline) and what they cost
(CAC, LTV, LTV/CAC, ROI, forecast error), with the settings these are computed from."""

import streamlit as st

from phasekpi.charts.planner import amount_chart, amount_frame
from phasekpi.display import format_number
from phasekpi.metrics import scorecard, settings_with_defaults
from ui import session
from ui.widgets import CARD_CSS, analysis_page, card_grid, remembered_number

SETTINGS = ("is_cost_per_month", "arpa_per_month", "gross_margin_pct", "lifetime_months", "forecast_won_amount")
UNTARGETED = ("ltv", "roi", "forecast_accuracy")  # no phase gives these a target: shown as plain numbers
HEALTHY_LTV_CAC = 3.0

tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
st.markdown(CARD_CSS, unsafe_allow_html=True)
results, _ = analysis_page(tr("strategy.title"))
st.write(tr("strategy.intro"))
st.caption(tr("dashboard.period_caption", start=results.period.start, end=results.period.end,
              days=results.period.days, reps=results.period.active_reps))

rows = [row for row in scorecard(catalogue, "mature", results, session.targets().get("mature"))
        if catalogue.kpis[row.kpi_id].tier == "strategic"]
card_grid(rows, per_row=4)
ltv_cac = results.actual("ltv_cac")
if ltv_cac is not None:
    verdict = "healthy" if ltv_cac >= HEALTHY_LTV_CAC else "unhealthy"
    message = tr(f"strategy.{verdict}", value=format_number(ltv_cac, "ratio", lang))
    if verdict == "healthy":
        st.success(message)
    else:
        st.warning(message)

st.subheader(tr("strategy.other_title"))
for column, kpi_id in zip(st.columns(len(UNTARGETED)), UNTARGETED, strict=True):
    kpi = catalogue.kpis[kpi_id]
    column.metric(kpi.label(lang), format_number(results.actual(kpi_id), kpi.unit, lang), help=kpi.meaning(lang))
values = settings_with_defaults(catalogue, session.settings())
if values["forecast_won_amount"] is None:
    st.caption(tr("strategy.forecast_missing"))

frame = amount_frame(session.kpi_results_by("month"), catalogue, lang)
st.altair_chart(amount_chart(frame, catalogue, lang), width="stretch")
st.caption(tr("strategy.chart.caption"))

st.subheader(tr("strategy.formulas_title"))


def money(value: float | None) -> str:
    return format_number(value, "yen", lang)


def months(value: float | None) -> str:
    return "—" if value is None else tr("strategy.months", months=f"{value:,.1f}".removesuffix(".0"))


def count(value: float | None) -> str:
    return "—" if value is None else tr("strategy.count", count=f"{value:,.0f}")


cost, period_months = values["is_cost_per_month"], results.period.months
is_cost = None if cost is None else cost * period_months
formulas = [
    tr("strategy.formula.won_amount", total=money(results.total("won_amount")), months=months(period_months),
       value=money(results.actual("won_amount"))),
    tr("strategy.formula.pipeline_amount", total=money(results.total("pipeline_amount")),
       months=months(period_months), value=money(results.actual("pipeline_amount"))),
    tr("strategy.formula.cac", cost=money(cost), months=months(period_months),
       deals=count(results.total("won_deals")), value=money(results.actual("cac"))),
    tr("strategy.formula.ltv", arpa=money(values["arpa_per_month"]),
       margin=format_number(values["gross_margin_pct"], "percent", lang), lifetime=months(values["lifetime_months"]),
       value=money(results.actual("ltv"))),
    tr("strategy.formula.ltv_cac", value=format_number(ltv_cac, "ratio", lang)),
    tr("strategy.formula.roi", won=money(results.total("won_amount")), cost=money(is_cost),
       value=format_number(results.actual("roi"), "percent", lang)),
]
if values["forecast_won_amount"] is not None:
    formulas.append(tr("strategy.formula.forecast_accuracy", forecast=money(values["forecast_won_amount"]),
                       won=money(results.total("won_amount")),
                       value=format_number(results.actual("forecast_accuracy"), "percent", lang)))
st.markdown("\n".join(f"- {line}" for line in formulas))

with st.container(border=True):
    st.markdown(f"**{tr('strategy.settings_title')}**")
    columns = st.columns(3)
    for index, name in enumerate(SETTINGS):
        setting = catalogue.settings[name]
        with columns[index % len(columns)]:
            remembered_number(setting.label(lang), session.settings(), name, setting.default, key=f"setting_{name}")
