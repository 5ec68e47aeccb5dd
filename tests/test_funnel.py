"""Funnels and the bottleneck (SPEC §8) on small hand-made call lists loaded into DuckDB.

Benchmarks of the real catalogue: connect rate 20–30 %, effective-conversation rate 50–70 %,
appointment rate 15–25 %, email reply rate 3–8 % (the open rate has none).
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.funnel import FunnelStep, build_funnel, find_bottleneck, no_bottleneck_reason, what_if
from phasekpi.ingest import load_file
from phasekpi.metrics import KpiResults, compute_kpis
from phasekpi.schema import open_store
from phasekpi.selection import Filters

CATALOGUE = default_catalogue()
ACTIVITY_HEADER = ["occurred_at", "rep", "channel", "outcome", "duration_sec", "email_opened", "email_replied"]
OPPORTUNITY_HEADER = ["opportunity_id", "created_at", "rep", "amount", "status",
                      "bant_budget", "bant_authority", "bant_need", "bant_timeline"]

# outcome word → (connected, effective, appointment) under the real vocabulary, calls of the given seconds
NONE, CONNECTED, EFFECTIVE, APPOINTMENT = ("不在", 0), ("接続", 30), ("有効会話", 200), ("アポ獲得", 200)


def calls(scale: int = 1, **counts: int) -> list[list[str]]:
    """Call rows, e.g. calls(none=6, connected=2): one row per call (each count times `scale`), each
    at its own minute from 1 May 2025 09:00."""
    kinds = {"none": NONE, "connected": CONNECTED, "effective": EFFECTIVE, "appointment": APPOINTMENT}
    rows = []
    for kind, count in counts.items():
        word, seconds = kinds[kind]
        rows += [["", "A", "call", word, str(seconds), "", ""] for _ in range(count * scale)]
    start = datetime(2025, 5, 1, 9, 0)
    return [[(start + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M"), *row[1:]] for i, row in enumerate(rows)]


def emails(sent: int, opened: int, replied: int) -> list[list[str]]:
    flags = [("true", "true")] * replied + [("true", "false")] * (opened - replied) + [("false", "false")] * (
        sent - opened)
    return [[f"2025-05-01 18:{i:02d}", "A", "email", "", "", o, r] for i, (o, r) in enumerate(flags)]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def results_of(tmp_path: Path, activities: list[list[str]] | None, opportunities: list[list[str]] | None = None
               ) -> KpiResults:
    store = open_store(CATALOGUE)
    for name, header, rows in (("activities", ACTIVITY_HEADER, activities),
                               ("opportunities", OPPORTUNITY_HEADER, opportunities)):
        if rows is not None:
            report = load_file(store, write_csv(tmp_path / f"{name}.csv", header, rows), f"{name}.csv")
            assert report.rows_loaded == len(rows) and not report.rejections, report
    results = compute_kpis(store, CATALOGUE, Filters())
    assert results is not None
    return results


OPPORTUNITIES = [
    ["O1", "2025-05-01", "A", "100000", "won", "true", "true", "true", "true"],  # BANT 4: qualified
    ["O2", "2025-05-01", "A", "100000", "lost", "true", "false", "false", "false"],  # BANT 1
]


def test_activity_funnel(tmp_path: Path):
    # 150 calls: 90 none, 30 connected (short), 15 effective, 15 appointment
    # connects 60 (40 % of 150), effective 30 (50 % of 60), call appointments 15 (50 % of 30)
    results = results_of(tmp_path, calls(15, none=6, connected=2, effective=1, appointment=1), OPPORTUNITIES)
    steps = build_funnel(CATALOGUE, "activity", results)
    got = [(s.kpi_id, s.stage, s.count, s.step_rate, s.cumulative_rate, s.rate_kpi, s.band_low, s.band_high,
            s.denominator) for s in steps]
    assert got == [
        ("calls", "appointment_setting", 150, None, 100.0, None, None, None, None),
        ("connects", "appointment_setting", 60, 40.0, 40.0, "connect_rate", 20, 30, 150),
        ("effective_conversations", "appointment_setting", 30, 50.0, 20.0, "effective_conversation_rate", 50, 70, 60),
        ("call_appointments", "appointment_setting", 15, 50.0, 10.0, "appointment_rate", 15, 25, 30),
        ("opportunities_created", "meeting", 2, pytest.approx(2 / 15 * 100), pytest.approx(2 / 150 * 100),
         None, None, None, 15),  # 2 ÷ 15 appointments
        ("effective_opportunities", "meeting", 1, 50.0, pytest.approx(1 / 150 * 100), None, None, None, 2),
        ("won_deals", "closing", 1, 100.0, pytest.approx(1 / 150 * 100), None, None, None, 1),  # 1 ÷ 1
    ]
    # shortfall = (band low − rate) ÷ band low
    assert [s.shortfall for s in steps] == [None, -1.0, 0.0, pytest.approx((15 - 50) / 15), None, None, None]
    # the effective-conversation rate sits exactly on its lower bound: not below, but the weakest step
    bottleneck = find_bottleneck(steps)
    assert bottleneck.step.kpi_id == "effective_conversations"
    assert bottleneck.below_benchmark is False


def test_email_funnel_rates_come_from_the_rate_kpis(tmp_path: Path):
    # 40 sent, 10 opened, 1 replied: open rate 25 %, reply rate 1 ÷ 40 = 2.5 % (of emails sent, as the
    # reply-rate KPI defines it, not 1 ÷ 10 of the opened), 0.5 points under its 3 % lower bound
    steps = build_funnel(CATALOGUE, "email", results_of(tmp_path, emails(sent=40, opened=10, replied=1)))
    assert [(s.kpi_id, s.count, s.step_rate, s.cumulative_rate) for s in steps] == [
        ("emails_sent", 40, None, 100.0), ("emails_opened", 10, 25.0, 25.0), ("email_replies", 1, 2.5, 2.5)]
    assert (steps[1].band_low, steps[1].band_high) == (None, None)  # no benchmark for the open rate
    assert (steps[2].band_low, steps[2].band_high) == (3, 8)
    bottleneck = find_bottleneck(steps)
    assert bottleneck.step.kpi_id == "email_replies"
    assert bottleneck.below_benchmark is True
    assert bottleneck.step.shortfall == pytest.approx((3 - 2.5) / 3)


# name, calls (each count times the scale, so every denominator holds the funnel's 30 cases)
# → expected bottleneck step, below its band?, shortfall
BOTTLENECKS = [
    # seed 003: connect rate fine, appointment rate low → conversation quality
    # 150 calls, connects 45 (30 %), effective 30 (66.7 %), appointments 0 (0 % → shortfall 1.0)
    ("appointments low", dict(scale=15, none=7, connected=1, effective=2), "call_appointments", True, 1.0),
    # relative, not in points: connect 10 % (10 points under 20 → 0.5) beats effective 30 %
    # (20 points under 50 → 0.4), though its gap in points is the smaller one
    # 1,000 calls: connects 70 + 20 + 10 = 100, effective 30, appointments 10 (33 %)
    ("largest relative shortfall, not largest gap", dict(scale=10, none=90, connected=7, effective=2, appointment=1),
     "connects", True, 0.5),
    # tie: 768 calls, connects 96 (12.5 % → 7.5/20 = 0.375), effective 30 (31.25 % → 18.75/50 = 0.375),
    # appointments 6 (20 %, in band) → the upstream step
    ("tie goes upstream", dict(scale=6, none=112, connected=11, effective=4, appointment=1), "connects", True, 0.375),
    # every rate above its band: the weakest step, not below
    # 150 calls: connects 75 (50 % → −1.5), effective 60 (80 % → −0.6), appointments 30 (50 % → −2.33)
    ("nothing below", dict(scale=15, none=5, connected=1, effective=2, appointment=2), "effective_conversations",
     False, -0.6),
    # no connect at all among 30 calls: connect rate 0; the rates after it have a zero denominator
    ("no connects", dict(scale=3, none=10), "connects", True, 1.0),
]


@pytest.mark.parametrize(("name", "counts", "kpi_id", "below", "shortfall"), BOTTLENECKS,
                         ids=[b[0] for b in BOTTLENECKS])
def test_find_bottleneck(tmp_path: Path, name, counts, kpi_id, below, shortfall):
    steps = build_funnel(CATALOGUE, "activity", results_of(tmp_path, calls(**counts)))
    bottleneck = find_bottleneck(steps)
    assert bottleneck is not None
    assert bottleneck.step.kpi_id == kpi_id
    assert bottleneck.step.stage == "appointment_setting"
    assert bottleneck.below_benchmark is below
    assert bottleneck.step.shortfall == pytest.approx(shortfall)


def test_no_connects_leaves_later_rates_unknown(tmp_path: Path):
    steps = build_funnel(CATALOGUE, "activity", results_of(tmp_path, calls(3, none=10)))
    assert [s.step_rate for s in steps[:4]] == [None, 0.0, None, None]
    assert [s.shortfall for s in steps[:4]] == [None, 1.0, None, None]


def test_no_activity_data_gives_no_bottleneck(tmp_path: Path):
    results = results_of(tmp_path, None, OPPORTUNITIES)  # only opportunities loaded
    steps = build_funnel(CATALOGUE, "activity", results)
    assert [s.count for s in steps] == [None, None, None, None, 2, 1, 1]
    assert [s.step_rate for s in steps] == [None, None, None, None, None, 50.0, 100.0]
    assert {s.cumulative_rate for s in steps} == {None}
    assert find_bottleneck(steps) is None
    assert find_bottleneck(build_funnel(CATALOGUE, "email", results)) is None


def test_too_few_cases_name_no_bottleneck(tmp_path: Path):
    """10 calls of which none connected: a 0 % connect rate on 10 calls says little; 29 effective
    conversations are one short of the 30 an appointment rate needs."""
    steps = build_funnel(CATALOGUE, "activity", results_of(tmp_path, calls(none=10)))
    assert (steps[1].step_rate, steps[1].denominator, steps[1].enough) == (0.0, 10, False)
    assert find_bottleneck(steps) is None
    assert no_bottleneck_reason(steps) == ("small_sample", {"min_sample": 30, "largest": 10})
    # connects 29 of 100 calls: the connect rate (denominator 100) is named, not the appointment rate (29)
    steps = build_funnel(CATALOGUE, "activity", results_of(tmp_path, calls(none=71, effective=29)))
    assert [s.enough for s in steps[1:4]] == [True, False, False]
    assert find_bottleneck(steps).step.kpi_id == "connects"


def test_a_call_log_without_call_results_names_no_bottleneck(tmp_path: Path):
    """Durations but no result column: connects cannot be counted, so no rate after calls is known."""
    rows = [[f"2025-05-01 09:{i:02d}", "A", "call", "", "30" if i % 4 else "150", "", ""] for i in range(40)]
    store = open_store(CATALOGUE)
    header = ["occurred_at", "rep", "channel", "outcome", "duration_sec", "email_opened", "email_replied"]
    load_file(store, write_csv(tmp_path / "log.csv", [h for h in header if h != "outcome"],
                               [[r[0], r[1], r[2], r[4], r[5], r[6]] for r in rows]), "log.csv")
    results = compute_kpis(store, CATALOGUE, Filters())
    steps = build_funnel(CATALOGUE, "activity", results)
    assert [s.count for s in steps[:4]] == [40, None, 10, None]  # 10 calls of 150 s are effective by duration
    assert [s.step_rate for s in steps[1:4]] == [None, None, None]
    assert find_bottleneck(steps) is None
    reason, params = no_bottleneck_reason(steps)
    assert reason == "uncomputable"
    assert [g.key for g in params["gaps"]] == ["activities.outcome"]


def test_a_rate_over_100_percent_is_never_the_bottleneck():
    """More effective conversations than connects (counts from data that do not match): that step is
    implausible and left out; the connect rate, 10 % of 400 calls, is named."""
    chain = {**CHAIN, "calls": 400, "connects": 40, "connect_rate": 10.0, "effective_conversations": 60,
             "effective_conversation_rate": 150.0, "call_appointments": 12, "appointment_rate": 20.0}
    steps = build_funnel(CATALOGUE, "activity", results_with(chain))
    assert steps[2].implausible and not steps[2].candidate
    assert find_bottleneck(steps).step.kpi_id == "connects"
    only_implausible = {**chain, "connect_rate": 25.0, "connects": 100}
    steps = build_funnel(CATALOGUE, "activity", results_with(only_implausible))
    weakest = find_bottleneck(steps)  # connect 25 % → (20 − 25) ÷ 20 = −0.25; appointments 20 % → −1/3
    assert (weakest.step.kpi_id, weakest.below_benchmark, weakest.step.shortfall) == ("connects", False, -0.25)


def test_find_bottleneck_of_nothing():
    assert find_bottleneck([]) is None
    unmeasured = FunnelStep("calls", "appointment_setting", 5, None, 100.0, None, None, None)
    assert find_bottleneck([unmeasured]) is None


# ----------------------------------------------------------------------------- what-if

def results_with(totals: dict[str, float]) -> KpiResults:
    """KpiResults over the 30 days of April 2025 with the given period totals."""
    from datetime import date

    from phasekpi.metrics import KpiValue
    from phasekpi.selection import Period

    period = Period(date(2025, 4, 1), date(2025, 4, 30), rep_days=20, active_reps=1)
    values = {k: KpiValue(k, totals.get(k), totals.get(k)) for k in CATALOGUE.kpis}
    return KpiResults(period, values)


CHAIN = {"calls": 1000, "connects": 250, "connect_rate": 25.0, "effective_conversations": 150,
         "effective_conversation_rate": 60.0, "call_appointments": 15, "appointment_rate": 10.0,
         "opportunities_created": 12, "effective_opportunities": 6, "won_deals": 3, "won_amount": 3_000_000}


def test_what_if_pushes_the_bottleneck_to_its_floor_and_the_rest_at_current_rates():
    results = results_with(CHAIN)
    assert results.period.months == pytest.approx(30 / 30.4375)
    steps = build_funnel(CATALOGUE, "activity", results)
    bottleneck = find_bottleneck(steps)
    assert bottleneck.step.rate_kpi == "appointment_rate"  # 10 % against a 15 % floor: a third short
    gain = what_if(CATALOGUE, "activity", steps, bottleneck, results)
    months = results.period.months
    assert gain.factor == pytest.approx(1.5)  # 15 ÷ 10
    assert gain.gains == pytest.approx({
        "call_appointments": 15 * 0.5 / months,  # 7.5 more appointments a month
        "opportunities_created": 12 * 0.5 / months,  # 6 more opportunities
        "won_amount": 3_000_000 * 0.5 / months,  # ¥1.5M more won (no step: end of the chain)
    })


def test_what_if_from_an_early_step_lifts_everything_after_it():
    chain = {**CHAIN, "connects": 150, "connect_rate": 15.0, "effective_conversation_rate": 100.0,
             "appointment_rate": 20.0, "effective_conversations": 150, "call_appointments": 30}
    results = results_with(chain)
    steps = build_funnel(CATALOGUE, "activity", results)
    bottleneck = find_bottleneck(steps)
    assert bottleneck.step.rate_kpi == "connect_rate"
    gain = what_if(CATALOGUE, "activity", steps, bottleneck, results)
    assert gain.factor == pytest.approx(20 / 15)
    assert gain.gains["call_appointments"] == pytest.approx(30 * (20 / 15 - 1) / results.period.months)


def test_no_what_if_when_nothing_is_below_its_band():
    chain = {**CHAIN, "call_appointments": 30, "appointment_rate": 20.0}
    results = results_with(chain)
    steps = build_funnel(CATALOGUE, "activity", results)
    bottleneck = find_bottleneck(steps)
    assert bottleneck.below_benchmark is False
    assert what_if(CATALOGUE, "activity", steps, bottleneck, results) is None


# ----------------------------------------------------------------------------- chart labels

RATE_LABELS = {
    "ja": ["コネクト率", "有効会話率", "アポイント獲得率", "商談創出数 ÷ 架電アポイント数", "有効商談数 ÷ 商談創出数",
           "受注件数 ÷ 有効商談数"],
    "en": ["Connect rate", "Effective-conversation rate", "Appointment rate",
           "Opportunities created ÷ Appointments from calls", "Qualified opportunities ÷ Opportunities created",
           "Deals won ÷ Qualified opportunities"],
}
COUNT_LABELS = {
    "ja": ["架電数", "コネクト数", "有効会話数", "架電アポイント数", "商談創出数", "有効商談数", "受注件数"],
    "en": ["Calls", "Connects", "Effective conversations", "Appointments from calls", "Opportunities created",
           "Qualified opportunities", "Deals won"],
}


def chart_rows(chart) -> tuple[list[dict], set[str]]:
    """The chart's data rows as Vega-Lite receives them, and the fields its layers put on the y axis."""
    spec = chart.to_dict()
    rows = next(iter(spec["datasets"].values()))
    return rows, {layer["encoding"]["y"]["field"] for layer in spec["layer"]}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_conversion_chart_names_each_step_by_its_rate(tmp_path: Path, lang: str):
    """The text calls the third conversion アポイント獲得率: so does its bar, not 架電アポイント数."""
    from phasekpi.charts.funnel import conversion_chart, funnel_chart, funnel_frame

    results = results_of(tmp_path, calls(15, none=6, connected=2, effective=1, appointment=1), OPPORTUNITIES)
    frame = funnel_frame(CATALOGUE, build_funnel(CATALOGUE, "activity", results), lang, None)
    rows, y_fields = chart_rows(conversion_chart(frame, lang))
    assert [r["rate_step"] for r in rows if r["order"] > 0] == RATE_LABELS[lang]
    assert y_fields == {"rate_step"}
    rows, y_fields = chart_rows(funnel_chart(frame, lang))  # the counts keep their own names
    assert [r["step"] for r in rows] == COUNT_LABELS[lang] and y_fields == {"step"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_rep_comparison_names_each_step_by_its_rate(tmp_path: Path, lang: str):
    from phasekpi.charts.reps import comparison_chart, comparison_frame

    results = results_of(tmp_path, calls(15, none=6, connected=2, effective=1, appointment=1), OPPORTUNITIES)
    steps = build_funnel(CATALOGUE, "activity", results)
    rows, y_fields = chart_rows(comparison_chart(comparison_frame(CATALOGUE, steps, steps, lang), "A", lang))
    assert [r["step"] for r in rows] == RATE_LABELS[lang] and y_fields == {"step"}
