"""KGI planner: the monthly goal worked back to daily calls per rep, and the KPI tree (SPEC §9).

The chain and every default come from the catalogue and `planner.default_inputs`, the same values
the Excel KGI sheet starts from. Every input is remembered in `session.memory("planner")` (copied there by
on_change callbacks), so the plan survives a visit to another page.
"""

import streamlit as st

from phasekpi.charts.planner import plan_frame, tree_chart, tree_frame, tree_table
from phasekpi.display import format_number
from phasekpi.planner import (
    RATE_SOURCES,
    PlanInputs,
    actual_factor,
    benchmark_rate,
    build_plan,
    choose_rate,
    default_inputs,
    default_kgi,
    kpi_tree,
    monthly,
    needed_factors,
    unit_of,
)
from ui import session
from ui.widgets import amounts, analysis_page, remembered_choice, remembered_number

tr, lang, catalogue, currency = session.tr, session.lang(), session.catalogue(), session.currency()
FACTOR_UNITS = {"amount": "yen", "rate": "percent"}  # what a factor typed in is measured in
results, _ = analysis_page(tr("planner.title"))
if catalogue.plan is None:
    st.info(tr("planner.no_chain"))
    st.stop()
chain = catalogue.plan
memory = session.memory("planner")
st.write(tr("planner.intro"))


def radio(label: str, name: str, labels: dict[str, str], default: str, captions: list[str] | None = None) -> str:
    return remembered_choice(st.radio, label, memory, name, labels, default, key_prefix="planner", horizontal=True,
                             captions=captions)


def remembered(name: str, label: str, default: float | None, unit: str) -> float | None:
    """A remembered number input and the value it shows (a keyed input keeps its value when the
    default moves with the filters, so the plan reads the input, not the default)."""
    return remembered_number(label, memory, name, default, key=f"planner_{name}", unit=unit)


st.subheader(tr("planner.inputs_title"))
goal, team = st.columns(2)
with goal:
    kind = radio(tr("planner.kgi_kind"), "kgi_kind", {k: tr(f"planner.kgi_kind.{k}") for k in chain.kgi}, chain.kgi[0])
    per = radio(tr("planner.kgi_period"), "kgi_period",
                {p: tr(f"planner.kgi_period.{p}") for p in ("month", "year")}, "month")
    defaults = default_inputs(catalogue, results, kind)
    shown_kgi = default_kgi(chain, kind, per == "year", catalogue, results)  # as entered: per month or per year
    kgi_unit = unit_of(chain.volume(kind), catalogue)
    kgi = monthly(remembered(f"kgi_{kind}_{per}", tr(f"planner.kgi_value.{kind}"), shown_kgi, kgi_unit), per == "year")
    st.caption(amounts(tr("planner.monthly_kgi", value=format_number(kgi, kgi_unit, lang, currency=currency, grain="per_month"))))
factors = needed_factors(chain, kind)
chosen = {}
with team:
    for factor in (f for f in factors if f.kind == "amount"):
        value = remembered(factor.id, tr(f"planner.amount.{factor.id}"), defaults.factors[factor.id].value,
                           FACTOR_UNITS[factor.kind])
        chosen[factor.id] = choose_rate(factor, "typed", results, catalogue, value)
        st.caption(tr(f"planner.amount_help.{factor.id}"))
    headcount = remembered("headcount", tr("planner.headcount"), defaults.headcount, "count")
    st.caption(tr("planner.headcount_help"))
    working_days = remembered("working_days", tr("planner.working_days"), defaults.working_days, "count")

st.subheader(tr("planner.rates_title"))
st.caption(tr("planner.rates_caption"))
for factor in (f for f in factors if f.kind == "rate"):
    benchmark = benchmark_rate(factor, catalogue)
    shown = {"actual": actual_factor(factor, results), "benchmark": benchmark.value}
    captions = [format_number(shown[source], "percent", lang) if source in shown else "" for source in RATE_SOURCES]
    choice, typed_column = st.columns([3, 1])
    with choice:
        labels = {source: tr(f"planner.source.{benchmark.source if source == 'benchmark' else source}")
                  for source in RATE_SOURCES}
        default_source = defaults.factors[factor.id].source
        source = radio(tr(f"planner.node.{factor.id}"), f"source_{factor.id}", labels,
                       "benchmark" if default_source == "assumed" else default_source, captions)
    typed = None
    if source == "typed":
        with typed_column:
            typed = remembered(f"typed_{factor.id}", tr(f"planner.node.{factor.id}"), benchmark.value,
                               FACTOR_UNITS[factor.kind])
    chosen[factor.id] = choose_rate(factor, source, results, catalogue, typed)

plan = build_plan(catalogue, PlanInputs(kind, kgi, chosen, headcount, working_days))
st.subheader(tr("planner.plan_title"))
st.dataframe(plan_frame(plan, lang, currency), hide_index=True)

st.subheader(tr("planner.tree_title"))
st.caption(tr("planner.tree_caption"))
frame = tree_frame(kpi_tree(plan, catalogue, results), lang, currency)
st.altair_chart(tree_chart(frame, lang))
st.dataframe(tree_table(frame, lang), hide_index=True, height="content")

st.subheader(tr("planner.advice_title"))
st.markdown(tr("planner.advice"))
