"""KGI planner: the monthly goal worked back to daily calls per rep, and the KPI tree (SPEC §9).

Every input lives in `st.session_state["planner"]` (copied there by on_change callbacks), so the
plan survives a visit to another page.
"""

import streamlit as st

from phasekpi.charts.planner import plan_frame, source_key, tree_chart, tree_frame, tree_table
from phasekpi.display import format_number
from phasekpi.planner import (
    KGI_METRIC,
    RATE_SOURCES,
    PlanInputs,
    actual_deal_size,
    actual_rate,
    actual_volume,
    benchmark_rate,
    build_plan,
    choose_rate,
    kpi_tree,
    monthly,
    needed_steps,
    unit_of,
)
from ui import session
from ui.widgets import analysis_page, remembered_number

DEFAULT_WORKING_DAYS = 20.0

tr, lang, catalogue = session.tr, session.lang(), session.catalogue()
results, _ = analysis_page(tr("planner.title"))
memory: dict = st.session_state.setdefault("planner", {})
st.write(tr("planner.intro"))


def remembered_choice(label: str, name: str, labels: dict[str, str], default: str,
                      captions: list[str] | None = None) -> str:
    """A radio over the keys of `labels` whose choice outlives its page, like `remembered_number`.
    Streamlit keeps a radio's state as its option text, so the key carries the language."""
    key, options = f"planner_{name}_{lang}", list(labels)

    def remember() -> None:
        memory[name] = st.session_state[key]

    return st.radio(label, options, index=options.index(memory.get(name, default)), format_func=labels.get, key=key,
                    on_change=remember, horizontal=True, captions=captions)


def remembered(name: str, label: str, default: float | None) -> float | None:
    """A remembered number input and the value it shows (a keyed input keeps its value when the
    default moves with the filters, so the plan reads the input, not the default)."""
    key = f"planner_{name}"
    remembered_number(label, memory, name, default, key=key)
    return st.session_state[key]


def rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else float(round(value, digits))


st.subheader(tr("planner.inputs_title"))
goal, team = st.columns(2)
with goal:
    kind = remembered_choice(tr("planner.kgi_kind"), "kgi_kind",
                             {k: tr(f"planner.kgi_kind.{k}") for k in KGI_METRIC}, "revenue")
    per = remembered_choice(tr("planner.kgi_period"), "kgi_period",
                            {p: tr(f"planner.kgi_period.{p}") for p in ("month", "year")}, "month")
    metric = KGI_METRIC[kind]
    current = actual_volume(metric, results)  # a realistic start: the current monthly pace
    default_kgi = rounded(None if current is None else current * (12 if per == "year" else 1),
                          -6 if metric == "revenue" else 0)
    kgi = monthly(remembered(f"kgi_{kind}_{per}", tr(f"planner.kgi_value.{kind}"), default_kgi), per == "year")
    st.caption(tr("planner.monthly_kgi", value=format_number(kgi, unit_of(metric), lang)))
with team:
    deal_size = None
    if kind == "revenue":
        deal_size = remembered("deal_size", tr("planner.deal_size"), rounded(actual_deal_size(results), -4))
        st.caption(tr("planner.deal_size_help"))
    headcount = remembered("headcount", tr("planner.headcount"), float(results.period.active_reps))
    st.caption(tr("planner.headcount_help"))
    working_days = remembered("working_days", tr("planner.working_days"), DEFAULT_WORKING_DAYS)

st.subheader(tr("planner.rates_title"))
st.caption(tr("planner.rates_caption"))
rates = {}
for step in needed_steps(kind):
    shown = {"actual": actual_rate(step, results), "benchmark": benchmark_rate(step, catalogue)}
    captions = [format_number(shown[source], "percent", lang) if source in shown else "" for source in RATE_SOURCES]
    choice, typed_column = st.columns([3, 1])
    with choice:
        labels = {source: tr(f"planner.source.{source_key(step, source)}") for source in RATE_SOURCES}
        source = remembered_choice(tr(f"planner.node.{step}"), f"source_{step}", labels,
                                   "actual" if shown["actual"] is not None else "benchmark", captions)
    typed = None
    if source == "typed":
        with typed_column:
            typed = remembered(f"typed_{step}", tr("planner.typed_value", rate=tr(f"planner.node.{step}")),
                               shown["benchmark"])
    rates[step] = choose_rate(step, source, results, catalogue, typed)

plan = build_plan(PlanInputs(kind, kgi, deal_size, rates, headcount, working_days))
st.subheader(tr("planner.plan_title"))
st.dataframe(plan_frame(plan, lang), hide_index=True)

st.subheader(tr("planner.tree_title"))
st.caption(tr("planner.tree_caption"))
frame = tree_frame(kpi_tree(plan, results), lang)
st.altair_chart(tree_chart(frame, lang))
st.dataframe(tree_table(frame, lang), hide_index=True, height="content")

st.subheader(tr("planner.advice_title"))
st.markdown(tr("planner.advice"))
