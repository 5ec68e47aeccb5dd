"""KGI back-calculation and the KPI tree (SPEC §9), every number worked out by hand.

The team of the tree tests (`TEAM`): April 2025 (30 days, so 30 ÷ 30.4375 months: a period total
becomes a monthly value × 30.4375 / 30), 4 reps, 80 rep-days, and these period totals —
  calls 6,400 (80 per rep per day), connects 1,600 (20), effective conversations 800 (10),
  appointments from calls 160 (2); connect rate 1,600/6,400 = 25 %, effective-conversation rate
  800/1,600 = 50 %, appointment rate 160/800 = 20 %;
  opportunities created 120 (appointment → opportunity 120/160 = 75 %); deals won 24 of 80 closed
  (hand-over win rate 30 %), 40 still open: the plan's win rate is won ÷ created, 24/120 = 20 %;
  won amount ¥30,000,000 (average deal size 30,000,000/24 = ¥1,250,000).
"""

from __future__ import annotations

from datetime import date

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.charts.planner import amount_chart, amount_frame, missing_text, plan_frame, tree_chart, tree_frame, tree_table
from phasekpi.charts.style import BOTTLENECK, GOOD, NORMAL, TARGET
from phasekpi.messages import messages
from phasekpi.metrics import KpiResults, KpiValue, at_grain
from phasekpi.planner import (
    RATE_SOURCES,
    Missing,
    Plan,
    PlanInputs,
    Rate,
    actual_factor,
    actual_volume,
    benchmark_rate,
    choose_rate,
    monthly,
    needed_factors,
)
from phasekpi.planner import build_plan as plan_of
from phasekpi.planner import kpi_tree as tree_of
from phasekpi.selection import Period

CATALOGUE = default_catalogue()
CHAIN = CATALOGUE.plan
METRICS = [volume.id for volume in CHAIN.volumes]
PER_MONTH = 30.4375 / 30  # a total over April 2025 → per month
APRIL = Period(date(2025, 4, 1), date(2025, 4, 30), rep_days=80, active_reps=4)
TEAM_TOTALS = {
    "calls": 6400, "connects": 1600, "effective_conversations": 800, "call_appointments": 160,
    "connect_rate": 25.0, "effective_conversation_rate": 50.0, "appointment_rate": 20.0,
    "opportunities_created": 120, "won_deals": 24, "closed_deals": 80, "handover_win_rate": 30.0,
    "won_amount": 30_000_000,
}


def results_of(totals: dict[str, float | None], period: Period = APRIL) -> KpiResults:
    """KpiResults as compute_kpis would give them for these period totals (others unknown)."""
    values = {}
    for kpi_id, kpi in CATALOGUE.kpis.items():
        total = totals.get(kpi_id)
        values[kpi_id] = KpiValue(kpi_id, total, at_grain(kpi, total, period))
    return KpiResults(period, values)


TEAM = results_of(TEAM_TOTALS)


def typed(**rates: float | None) -> dict[str, Rate]:
    return {step: Rate("typed", value) for step, value in rates.items()}


def inputs_of(kind: str, kgi: float | None, deal_size: float | None, rates: dict[str, Rate],
           headcount: float | None, working_days: float | None) -> PlanInputs:
    """The planner's inputs as the page gathers them: the deal size is the chain's amount factor."""
    return PlanInputs(kind, kgi, {**rates, "average_deal_size": Rate("typed", deal_size)}, headcount, working_days)


def build_plan(inputs: PlanInputs) -> Plan:
    return plan_of(CATALOGUE, inputs)


def kpi_tree(plan: Plan, results: KpiResults) -> list:
    return tree_of(plan, CATALOGUE, results)


def needed_steps(kind: str) -> tuple[str, ...]:
    """The rates below this KGI, top down."""
    return tuple(f.id for f in needed_factors(CHAIN, kind) if f.kind == "rate")


def actual_rate(step: str, results: KpiResults) -> float | None:
    return actual_factor(CHAIN.factor(step), results)


def actual_deal_size(results: KpiResults) -> float | None:
    return actual_factor(CHAIN.factor("average_deal_size"), results)


SPEC_RATES = typed(win_rate=20, opportunity_per_appointment=50, appointment_rate=20, effective_conversation_rate=50,
                   connect_rate=25)


def plan_values(plan: Plan) -> dict[str, tuple[float | None, float | None]]:
    return {line.metric: (line.per_month, line.per_rep_per_day) for line in plan.lines}


# ---------------------------------------------------------------- back-calculation


def test_the_spec_example_revenue_100m_a_year() -> None:
    """SPEC §9 / seed 004: ¥100M a year at ¥1M a deal and a 20 % win rate takes 500 opportunities a
    year. Continued with appointment → opportunity 50 %, appointment rate 20 %, effective-conversation
    rate 50 %, connect rate 25 %, and 5 reps × 20 working days = 100 rep-days a month."""
    kgi = monthly(100_000_000, per_year=True)
    assert kgi == pytest.approx(8_333_333.33, abs=0.01)  # 100,000,000 ÷ 12
    plan = build_plan(inputs_of("revenue", kgi, 1_000_000, SPEC_RATES, headcount=5, working_days=20))
    values = plan_values(plan)
    assert list(values) == ["revenue", "won_deals", "opportunities", "appointments", "effective_conversations",
                            "connects", "calls"]
    assert values["won_deals"][0] == pytest.approx(8.3333, abs=1e-4)  # 8,333,333.33 ÷ 1,000,000
    assert values["opportunities"][0] == pytest.approx(41.6667, abs=1e-4)  # 8.3333 ÷ 20 %
    assert values["opportunities"][0] * 12 == pytest.approx(500)  # the seed's 500 opportunities a year
    assert values["appointments"][0] == pytest.approx(83.3333, abs=1e-4)  # 41.6667 ÷ 50 %
    assert values["effective_conversations"][0] == pytest.approx(416.6667, abs=1e-4)  # 83.3333 ÷ 20 %
    assert values["connects"][0] == pytest.approx(833.3333, abs=1e-4)  # 416.6667 ÷ 50 %
    assert values["calls"][0] == pytest.approx(3333.3333, abs=1e-4)  # 833.3333 ÷ 25 %
    # per rep per day: ÷ 100 rep-days
    assert values["calls"][1] == pytest.approx(33.3333, abs=1e-4)
    assert values["connects"][1] == pytest.approx(8.3333, abs=1e-4)
    assert values["effective_conversations"][1] == pytest.approx(4.1667, abs=1e-4)
    assert values["appointments"][1] == pytest.approx(0.8333, abs=1e-4)
    assert values["opportunities"][1] == pytest.approx(0.4167, abs=1e-4)
    assert values["won_deals"][1] == pytest.approx(0.0833, abs=1e-4)
    assert values["revenue"][1] == pytest.approx(83_333.33, abs=0.01)
    assert all(line.missing is None for line in plan.lines)


def test_an_opportunity_kgi_per_rep_per_day() -> None:
    """40 opportunities a month; appointment → opportunity 80 %, appointment rate 20 %, effective-
    conversation rate 50 %, connect rate 25 %; 4 reps × 20 days = 80 rep-days."""
    rates = typed(opportunity_per_appointment=80, appointment_rate=20, effective_conversation_rate=50, connect_rate=25)
    plan = build_plan(inputs_of("opportunities", 40, None, rates, headcount=4, working_days=20))
    assert plan_values(plan) == {
        "opportunities": (40, 0.5),  # 40 ÷ 80
        "appointments": (50, 0.625),  # 40 ÷ 80 %
        "effective_conversations": (250, 3.125),  # 50 ÷ 20 %
        "connects": (500, 6.25),  # 250 ÷ 50 %
        "calls": (2000, 25),  # 500 ÷ 25 %
    }


def test_revenue_and_opportunity_kgis_meet_in_the_same_chain() -> None:
    """A revenue KGI of ¥41,666,666.67 at ¥1M and 20 % is 208.33 opportunities: the opportunity KGI of
    208.33 gives the same chain below; it needs neither deal size nor win rate."""
    revenue = build_plan(inputs_of("revenue", 41_666_666.67, 1_000_000, SPEC_RATES, 5, 20))
    opportunities = build_plan(inputs_of("opportunities", revenue.line("opportunities").per_month, None,
                                          {k: v for k, v in SPEC_RATES.items() if k != "win_rate"}, 5, 20))
    assert revenue.line("opportunities").per_month == pytest.approx(208.3333, abs=1e-4)
    assert [line.metric for line in opportunities.lines] == list(METRICS[2:])
    for line in opportunities.lines:
        assert line.per_month == pytest.approx(revenue.line(line.metric).per_month)
    assert needed_steps("revenue") == ("win_rate", "opportunity_per_appointment", "appointment_rate",
                                       "effective_conversation_rate", "connect_rate")
    assert needed_steps("opportunities") == needed_steps("revenue")[1:]


def test_monthly_kgi() -> None:
    assert monthly(120, per_year=True) == 10
    assert monthly(120, per_year=False) == 120
    assert monthly(None, per_year=True) is None


# ---------------------------------------------------------------- rate sources


def test_actual_rates_come_from_the_kpi_results() -> None:
    assert actual_rate("win_rate", TEAM) == 20  # 24 won ÷ 120 created, not ÷ 80 closed: open deals count too
    assert actual_rate("opportunity_per_appointment", TEAM) == 75  # 120 opportunities ÷ 160 appointments
    assert actual_rate("appointment_rate", TEAM) == 20
    assert actual_rate("effective_conversation_rate", TEAM) == 50
    assert actual_rate("connect_rate", TEAM) == 25
    assert actual_deal_size(TEAM) == 1_250_000  # 30,000,000 ÷ 24


def test_benchmarks_are_the_catalogue_lower_bounds_or_the_stated_default() -> None:
    assert benchmark_rate(CHAIN.factor("win_rate"), CATALOGUE) == Rate("assumed", 20)  # SPEC §9's example
    assert benchmark_rate(CHAIN.factor("appointment_rate"), CATALOGUE).value == 15  # 15–25 %
    assert benchmark_rate(CHAIN.factor("effective_conversation_rate"), CATALOGUE).value == 50  # 50–70 %
    assert benchmark_rate(CHAIN.factor("connect_rate"), CATALOGUE).value == 20  # 20–30 %
    # no catalogue benchmark for appointment → opportunity: the stated default
    assert benchmark_rate(CHAIN.factor("opportunity_per_appointment"), CATALOGUE).value == 70
    assert benchmark_rate(CHAIN.factor("opportunity_per_appointment"), CATALOGUE).source == "assumed"


def test_choose_rate_by_source() -> None:
    assert choose_rate(CHAIN.factor("connect_rate"), "actual", TEAM, CATALOGUE) == Rate("actual", 25)
    assert choose_rate(CHAIN.factor("connect_rate"), "benchmark", TEAM, CATALOGUE) == Rate("benchmark", 20)
    assert choose_rate(CHAIN.factor("connect_rate"), "typed", TEAM, CATALOGUE, typed=33.3) == Rate("typed", 33.3)
    assert choose_rate(CHAIN.factor("connect_rate"), "typed", TEAM, CATALOGUE) == Rate("typed", None)
    assert RATE_SOURCES == ("actual", "benchmark", "typed")


def test_a_missing_actual_rate_is_none() -> None:
    no_calls = results_of({k: v for k, v in TEAM_TOTALS.items() if k not in ("call_appointments", "connect_rate")})
    assert actual_rate("opportunity_per_appointment", no_calls) is None
    assert actual_rate("connect_rate", no_calls) is None
    assert actual_rate("opportunity_per_appointment", results_of({**TEAM_TOTALS, "call_appointments": 0})) is None
    assert actual_deal_size(results_of({**TEAM_TOTALS, "won_deals": 0})) is None


# ---------------------------------------------------------------- zero or missing inputs


@pytest.mark.parametrize("bad", [None, 0, -5, 150])
def test_an_unusable_rate_stops_the_chain_below_it_with_a_reason(bad: float | None) -> None:
    rates = {**SPEC_RATES, "effective_conversation_rate": Rate("typed", bad)}
    plan = build_plan(inputs_of("revenue", 10_000_000, 1_000_000, rates, 5, 20))
    # 10 deals ÷ 20 % = 50 opportunities ÷ 50 % = 100 appointments ÷ 20 % = 500
    assert plan.line("effective_conversations").per_month == pytest.approx(500)
    for metric in ("connects", "calls"):
        line = plan.line(metric)
        assert (line.per_month, line.per_rep_per_day) == (None, None)
        assert line.missing == Missing("rate", "effective_conversation_rate")


def test_the_first_missing_input_is_the_reason() -> None:
    rates = {**SPEC_RATES, "win_rate": Rate("actual", None), "connect_rate": Rate("typed", 0)}
    plan = build_plan(inputs_of("revenue", 10_000_000, None, rates, 5, 20))
    assert plan.line("revenue").per_month == 10_000_000 and plan.line("revenue").missing is None
    assert {line.missing for line in plan.lines[1:]} == {Missing("amount", "average_deal_size")}
    plan = build_plan(inputs_of("revenue", 10_000_000, 0, rates, 5, 20))
    assert plan.line("calls").missing == Missing("amount", "average_deal_size")
    plan = build_plan(inputs_of("revenue", 10_000_000, 1_000_000, rates, 5, 20))
    assert plan.line("won_deals").per_month == 10
    assert plan.line("opportunities").missing == Missing("rate", "win_rate")
    assert plan.line("calls").missing == Missing("rate", "win_rate")


@pytest.mark.parametrize("kgi", [None, 0, -1])
def test_without_a_kgi_nothing_is_required(kgi: float | None) -> None:
    plan = build_plan(inputs_of("opportunities", kgi, None, SPEC_RATES, 5, 20))
    assert all(line.per_month is None and line.per_rep_per_day is None for line in plan.lines)
    assert {line.missing for line in plan.lines} == {Missing("kgi")}


@pytest.mark.parametrize(("headcount", "days", "reason"), [
    (0, 20, "headcount"), (None, 20, "headcount"), (5, 0, "working_days"), (5, None, "working_days"),
])
def test_without_headcount_or_days_only_per_rep_values_are_missing(headcount: float | None, days: float | None,
                                                                   reason: str) -> None:
    plan = build_plan(inputs_of("opportunities", 40, None, SPEC_RATES, headcount, days))
    assert plan.line("calls").per_month == 3200  # 40 ÷ 50 % = 80 ÷ 20 % = 400 ÷ 50 % = 800 ÷ 25 % = 3,200
    assert all(line.per_rep_per_day is None and line.missing == Missing(reason) for line in plan.lines)


# ---------------------------------------------------------------- the KPI tree


def team_plan() -> Plan:
    """¥40M a month at the team's deal size and rates, but the connect rate at its benchmark (20 %),
    4 reps × 20 days = 80 rep-days:
      deals 40,000,000 ÷ 1,250,000 = 32; opportunities 32 ÷ 20 % = 160;
      appointments ÷ 75 % = 213.333 (2.6667 per rep per day); effective conversations ÷ 20 % = 1,066.667
      (13.3333); connects ÷ 50 % = 2,133.333 (26.6667); calls ÷ 20 % = 10,666.667 (133.3333)."""
    rates = {step: choose_rate(CHAIN.factor(step), "actual", TEAM, CATALOGUE) for step in needed_steps("revenue")}
    rates["connect_rate"] = choose_rate(CHAIN.factor("connect_rate"), "benchmark", TEAM, CATALOGUE)
    return build_plan(inputs_of("revenue", 40_000_000, actual_deal_size(TEAM), rates, headcount=4, working_days=20))


def test_the_tree_runs_from_the_kgi_down_to_calls() -> None:
    nodes = kpi_tree(team_plan(), TEAM)
    assert [(n.node_id, n.parent, n.depth, n.kind) for n in nodes] == [
        ("revenue", None, 0, "volume"),
        ("average_deal_size", "revenue", 1, "input"),
        ("won_deals", "revenue", 1, "volume"),
        ("win_rate", "won_deals", 2, "rate"),
        ("opportunities", "won_deals", 2, "volume"),
        ("opportunity_per_appointment", "opportunities", 3, "rate"),
        ("appointments", "opportunities", 3, "volume"),
        ("appointment_rate", "appointments", 4, "rate"),
        ("effective_conversations", "appointments", 4, "volume"),
        ("effective_conversation_rate", "effective_conversations", 5, "rate"),
        ("connects", "effective_conversations", 5, "volume"),
        ("connect_rate", "connects", 6, "rate"),
        ("calls", "connects", 6, "volume"),
    ]
    assert [factor.id for factor in CHAIN.factors] == [n.node_id for n in nodes if n.kind != "volume"]


def test_each_node_has_actual_required_and_gap() -> None:
    nodes = {n.node_id: n for n in kpi_tree(team_plan(), TEAM)}
    expected = {  # node: (grain, required, actual, gap)
        "revenue": ("per_month", 40_000_000, 30_437_500, -9_562_500),  # actual 30,000,000 × 30.4375/30
        "average_deal_size": ("period", 1_250_000, 1_250_000, 0),
        "won_deals": ("per_month", 32, 24.35, -7.65),  # actual 24 × 30.4375/30
        "win_rate": ("period", 20, 20, 0),
        "opportunities": ("per_month", 160, 121.75, -38.25),  # actual 120 × 30.4375/30
        "opportunity_per_appointment": ("period", 75, 75, 0),
        "appointments": ("per_rep_per_day", 2.6667, 2, -0.6667),  # actual 160 ÷ 80 rep-days
        "appointment_rate": ("period", 20, 20, 0),
        "effective_conversations": ("per_rep_per_day", 13.3333, 10, -3.3333),  # 800 ÷ 80
        "effective_conversation_rate": ("period", 50, 50, 0),
        "connects": ("per_rep_per_day", 26.6667, 20, -6.6667),  # 1,600 ÷ 80
        "connect_rate": ("period", 20, 25, 5),  # benchmark 20 % planned, 25 % actual
        "calls": ("per_rep_per_day", 133.3333, 80, -53.3333),  # 6,400 ÷ 80
    }
    for node_id, (grain, required, actual, gap) in expected.items():
        node = nodes[node_id]
        assert node.grain == grain, node_id
        assert node.required == pytest.approx(required, abs=1e-4), node_id
        assert node.actual == pytest.approx(actual, abs=1e-4), node_id
        assert node.gap == pytest.approx(gap, abs=1e-4), node_id
    assert nodes["revenue"].achievement == pytest.approx(76.09375)  # 30,437,500 ÷ 40,000,000
    assert nodes["calls"].achievement == pytest.approx(60)  # 80 ÷ 133.333
    # the team's own rates throughout: opportunities fall as short of their need as the wins do (76.1 %),
    # where a won ÷ closed rate applied to every created deal read 114 % of need beside red wins
    assert nodes["opportunities"].achievement == pytest.approx(nodes["won_deals"].achievement)
    assert nodes["won_deals"].achievement == pytest.approx(76.09375)
    assert nodes["connect_rate"].source == "benchmark" and nodes["win_rate"].source == "actual"
    assert nodes["calls"].actual == actual_volume(CHAIN.volume("calls"), CATALOGUE, TEAM)


def test_an_opportunity_kgi_roots_the_tree_at_opportunities() -> None:
    rates = typed(opportunity_per_appointment=80, appointment_rate=20, effective_conversation_rate=50, connect_rate=25)
    nodes = kpi_tree(build_plan(inputs_of("opportunities", 40, None, rates, 4, 20)), TEAM)
    assert (nodes[0].node_id, nodes[0].parent, nodes[0].depth) == ("opportunities", None, 0)
    assert [n.node_id for n in nodes][-2:] == ["connect_rate", "calls"] and nodes[-1].depth == 4
    assert nodes[-1].required == 25 and nodes[-1].gap == 55  # 80 actual − 25 required


def test_missing_values_leave_the_gap_empty() -> None:
    plan = build_plan(inputs_of("revenue", 40_000_000, None, SPEC_RATES, 4, 20))
    nodes = {n.node_id: n for n in kpi_tree(plan, results_of({}))}
    assert nodes["revenue"].required == 40_000_000 and nodes["revenue"].actual is None
    assert nodes["revenue"].gap is None and nodes["revenue"].achievement is None
    assert nodes["calls"].required is None and nodes["calls"].gap is None and nodes["calls"].achievement is None


# ---------------------------------------------------------------- tables and charts


def test_plan_table_says_why_a_value_is_missing() -> None:
    rates = {**SPEC_RATES, "connect_rate": Rate("typed", None)}
    table = plan_frame(build_plan(inputs_of("opportunities", 40, None, rates, 4, 20)), "ja")
    assert list(table.columns) == ["指標", "月あたり(チーム)", "1人1日あたり", "備考"]
    assert list(table.iloc[0]) == ["商談数", "40件", "0.5件", ""]
    assert list(table.iloc[-1]) == ["架電数", "—", "—",
                                    "コネクト率が決まっていません(0%より大きく100%以下で入力してください)。"]
    assert missing_text(Missing("headcount"), "en") == "Enter the headcount to get the numbers per rep per day."
    assert missing_text(None, "en") == ""


def test_tree_frame_and_table_texts() -> None:
    frame = tree_frame(kpi_tree(team_plan(), TEAM), "ja")
    calls = frame[frame["node_id"] == "calls"].iloc[0]
    assert calls["branch"] == "└ 架電数" and calls["label"] == "　" * 6 + "架電数"
    assert calls["values_text"] == "80件/人/日 / 133.3件/人/日"
    assert calls["gap_text"] == "−53.3件/人/日" and calls["achievement_text"] == "60.0%" and not calls["meets"]
    rate = frame[frame["node_id"] == "connect_rate"].iloc[0]
    assert (rate["branch"], rate["gap_text"], rate["source_text"], bool(rate["meets"])) == ("├ コネクト率", "+5.0pt", "目安",
                                                                                           True)
    assert frame[frame["node_id"] == "opportunity_per_appointment"].iloc[0]["source_text"] == "実績"
    revenue = tree_frame(kpi_tree(team_plan(), TEAM), "en").iloc[0]
    assert revenue["values_text"] == "¥30,437,500 per month / ¥40,000,000 per month"
    assert revenue["gap_text"] == "−¥9,562,500 per month"
    assert list(tree_table(frame, "en").columns) == ["KPI", "Required", "Actual", "Gap (actual − required)",
                                                     "Actual ÷ required", "Rate used"]


def test_an_assumed_benchmark_is_named_so() -> None:
    rates = {step: choose_rate(CHAIN.factor(step), "benchmark", TEAM, CATALOGUE) for step in needed_steps("opportunities")}
    frame = tree_frame(kpi_tree(build_plan(inputs_of("opportunities", 40, None, rates, 4, 20)), TEAM), "en")
    assert frame[frame["node_id"] == "opportunity_per_appointment"].iloc[0]["source_text"] == "Assumed"
    assert frame[frame["node_id"] == "appointment_rate"].iloc[0]["source_text"] == "Benchmark"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_tree_chart_spec(lang: str) -> None:
    frame = tree_frame(kpi_tree(team_plan(), TEAM), lang)
    spec = tree_chart(frame, lang).to_dict()
    names, bars, values = spec["hconcat"]
    assert names["mark"]["type"] == "text" and names["encoding"]["text"]["field"] == "branch"
    assert names["encoding"]["x"]["field"] == "depth"
    assert names["title"] == ("KGIから架電数までのKPIツリー" if lang == "ja" else "The KPI tree from the goal down to calls")
    rule, bar = bars["layer"]
    assert rule["mark"]["type"] == "rule" and rule["mark"]["color"] == TARGET
    assert spec["datasets"][rule["data"]["name"]] == [{"x": 100}]
    assert bar["encoding"]["x"]["field"] == "bar" and bar["encoding"]["x"]["scale"]["domain"] == [0, 200]
    assert bar["encoding"]["color"]["scale"]["range"] == [GOOD, BOTTLENECK]
    assert [t["field"] for t in bar["encoding"]["tooltip"]] == ["name", "required_text", "actual_text", "gap_text",
                                                                "achievement_text", "source_text"]
    assert values["encoding"]["text"]["field"] == "values_text"
    assert spec["resolve"]["scale"]["y"] == "shared"
    rows = spec["datasets"][names["data"]["name"]]
    assert len(rows) == 13 and rows[0]["name"] == ("売上" if lang == "ja" else "Revenue")
    assert rows[-1]["bar"] == pytest.approx(60)  # calls: 80 actual ÷ 133.3 required


def test_tree_chart_caps_runaway_bars_and_skips_missing_ones() -> None:
    rates = {**SPEC_RATES, "connect_rate": Rate("typed", None)}
    frame = tree_frame(kpi_tree(build_plan(inputs_of("opportunities", 1, None, rates, 4, 20)), TEAM), "ja")
    assert frame.iloc[0]["bar"] == 200  # 121.75 actual ÷ 1 required = 12,175 %, drawn at the cap
    assert frame.iloc[0]["achievement_text"] == "12,175.0%"
    assert frame.iloc[-1]["gap_text"] == "—" and frame["bar"].isna().iloc[-1]


def test_amount_chart_spec() -> None:
    by_month = {"2025-04-01": TEAM, "2025-05-01": results_of({"won_amount": 5_000_000, "pipeline_amount": 9_000_000})}
    frame = amount_frame(by_month, CATALOGUE, "en")
    assert frame["amount"].isna().tolist() == [False, True, False, False]  # no pipeline known in April
    assert frame.fillna({"amount": 0}).to_dict("records") == [
        {"month": "2025-04", "series": "Won amount", "amount": 30_000_000, "amount_text": "¥30,000,000"},
        {"month": "2025-04", "series": "Pipeline amount", "amount": 0, "amount_text": "—"},
        {"month": "2025-05", "series": "Won amount", "amount": 5_000_000, "amount_text": "¥5,000,000"},
        {"month": "2025-05", "series": "Pipeline amount", "amount": 9_000_000, "amount_text": "¥9,000,000"},
    ]
    spec = amount_chart(frame, CATALOGUE, "ja").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["xOffset"]["field"] == "series"
    assert spec["encoding"]["color"]["scale"] == {"domain": ["受注貢献金額", "パイプライン貢献額"], "range": [GOOD, NORMAL]}
    assert spec["title"] == "月別の受注貢献金額とパイプライン創出額"


def test_every_text_the_planner_builds_at_run_time_exists() -> None:
    keys = {f"planner.node.{node_id}" for node_id in (*METRICS, *(factor.id for factor in CHAIN.factors))}
    keys |= {f"planner.missing.{reason}" for reason in ("kgi", "amount", "rate", "headcount", "working_days")}
    keys |= {f"planner.{part}.{f.id}" for f in CHAIN.factors if f.kind == "amount" for part in ("amount", "amount_help")}
    keys |= {f"planner.source.{source}" for source in (*RATE_SOURCES, "assumed")}
    keys |= {f"planner.kgi_kind.{kind}" for kind in CHAIN.kgi}
    keys |= {f"planner.kgi_value.{kind}" for kind in CHAIN.kgi}
    keys |= {"planner.kgi_period.month", "planner.kgi_period.year", "nav.planner", "nav.strategy"}
    assert sorted(keys - set(messages())) == []
