"""KPI values of the whole catalogue on a tiny hand-made team, every number worked out by hand.

The fixture: reps A and B, 1–3 April 2025 (3 calendar days), canonical column names, loaded
through the real ingest into an in-memory DuckDB. Each expected value carries its arithmetic.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.metrics import (
    KpiResults,
    KpiValue,
    achievement,
    compute_grouped,
    compute_kpis,
    data_range,
    evaluate,
    scorecard,
    settings_with_defaults,
    status_of,
)
from phasekpi.schema import open_store
from phasekpi.selection import DAYS_PER_MONTH, Filters

CATALOGUE = default_catalogue()

ACTIVITY_HEADER = ["activity_id", "occurred_at", "rep", "team", "channel", "lead_id", "outcome", "duration_sec",
                   "email_opened", "email_replied"]
# id, when, rep, team, channel, lead, outcome, seconds, opened, replied     → connected / effective / appointment
ACTIVITIES = [
    # rep A, 1 April
    ["a01", "2025-04-01 09:00", "A", "SDR", "call", "L1", "接続", "150", "", ""],  # C E  (connected word, ≥120 s)
    ["a02", "2025-04-01 09:10", "A", "SDR", "call", "L1", "不在", "200", "", ""],  # -    ("none" word, long: not E)
    ["a03", "2025-04-01 09:20", "A", "SDR", "call", "L2", "", "130", "", ""],  # C E  (no word, ≥120 s)
    ["a04", "2025-04-01 09:30", "A", "SDR", "call", "L2", " CONNECTED ", "30", "", ""],  # C  (case/space)
    ["a05", "2025-04-01 09:40", "A", "SDR", "call", "L3", "アポ獲得", "300", "", ""],  # C E A
    ["a06", "2025-04-01 10:00", "A", "SDR", "email", "L3", "", "", "true", "true"],  # opened, replied
    ["a07", "2025-04-01 10:05", "A", "SDR", "email", "L4", "", "", "true", "false"],  # opened
    # rep A, 2 April
    ["a08", "2025-04-02 09:00", "A", "SDR", "call", "L4", "NO ANSWER", "10", "", ""],  # -  (none word, any case)
    ["a09", "2025-04-02 09:10", "A", "SDR", "call", "L5", "", "60", "", ""],  # -  (no word, short)
    ["a10", "2025-04-02 09:20", "A", "SDR", "call", "L5", "Meeting Booked", "90", "", ""],  # C E A (word says more)
    ["a11", "2025-04-02 10:00", "A", "SDR", "email", "L6", "", "", "false", "false"],  # sent only
    # rep B, 1 April
    ["b01", "2025-04-01 11:00", "B", "BDR", "call", "L7", "通話", "119", "", ""],  # C   (119 s < 120: not E)
    ["b02", "2025-04-01 11:10", "B", "BDR", "call", "L7", "ヒアリング", "50", "", ""],  # C E (effective word)
    ["b03", "2025-04-01 11:20", "B", "BDR", "call", "L8", "留守電", "0", "", ""],  # -
    ["b04", "2025-04-01 11:30", "B", "BDR", "email", "L8", "", "", "true", "false"],  # opened
    ["b05", "2025-04-01 11:40", "B", "BDR", "other", "L9", "商談設定", "", "", ""],  # A (not a call)
    # rep B, 3 April
    ["b06", "2025-04-03 09:00", "B", "BDR", "call", "L9", "", "120", "", ""],  # C E (exactly 120 s)
    ["b07", "2025-04-03 09:10", "B", "BDR", "email", "L10", "", "", "true", "true"],  # opened, replied
    ["b08", "2025-04-03 09:20", "B", "BDR", "call", "L10", "担当者不在", "600", "", ""],  # -
]
LEAD_HEADER = ["lead_id", "created_at", "rep", "source", "status", "opportunity_id"]
LEADS = [
    ["L1", "2025-04-01", "A", "Web", "MQL", ""],  # mql
    ["L2", "2025-04-01", "A", "Web", "sql", "O1"],  # sql (any case), became O1 (won)
    ["L3", "2025-04-02", "A", "展示会", "Sales Qualified Lead", "O2"],  # sql, became O2 (lost)
    ["L4", "2025-04-02", "B", "Web", "商談化", ""],  # sql
    ["L5", "2025-04-03", "B", "Web", "", ""],  # plain lead
    ["L6", "2025-04-03", "B", "Web", "Marketing Qualified Lead", ""],  # mql
]
OPPORTUNITY_HEADER = ["opportunity_id", "created_at", "rep", "amount", "status", "closed_at", "bant_budget",
                      "bant_authority", "bant_need", "bant_timeline", "need_level", "decision_process", "next_action",
                      "is_sourced"]
OPPORTUNITIES = [  # every deal IS-sourced (the flag decides: tests/test_coverage.py tries the other bases)
    # BANT 4 → 30, concrete 25, detailed 25, date_fixed 20 = 100
    ["O1", "2025-04-01", "A", "1,000,000", "won", "2025-04-02", "true", "true", "true", "true",
     "concrete", "detailed", "date_fixed", "true"],
    # BANT 3 → 20, outline 15 (any case), outline 15, period_only 10 = 60
    ["O2", "2025-04-02", "A", "500000", "lost", "2025-04-03", "true", "true", "true", "false",
     "Outline", "outline", "period_only", "true"],
    # BANT 2 → 10, unclear 5, unknown 5, undecided 0 = 20
    ["O3", "2025-04-02", "B", "2000000", "open", "", "true", "true", "false", "false",
     "unclear", "unknown", "undecided", "yes"],
    # no quality item at all → no score (left out of the average)
    ["O4", "2025-04-03", "B", "300000", "Won", "2025-04-03", "", "", "", "", "", "", "", "1"],
]

SETTINGS = {"is_cost_per_month": 1_000_000, "arpa_per_month": 100_000, "gross_margin_pct": 50, "lifetime_months": 20}

DAYS = 3  # 2025-04-01 .. 2025-04-03, the range of all loaded dates
MONTHS = DAYS / 30.4375  # 0.09856…
REP_DAYS = 4  # (A, 04-01) (A, 04-02) (B, 04-01) (B, 04-03)
REPS = 2

# KPI → (period total, value at the KPI's grain)
EXPECTED: dict[str, tuple[float | None, float | None]] = {
    # per_rep_per_day: total ÷ 4 rep-days
    "calls": (13, 13 / 4),  # A: a01 a02 a03 a04 a05 a08 a09 a10 = 8; B: b01 b02 b03 b06 b08 = 5
    "connects": (8, 8 / 4),  # a01 a03 a04 a05 a10 b01 b02 b06
    "effective_conversations": (6, 6 / 4),  # a01 a03 a05 a10 b02 b06
    "emails_sent": (5, 5 / 4),  # a06 a07 a11 b04 b07
    "emails_opened": (4, 4 / 4),  # a06 a07 b04 b07
    "email_replies": (2, 2 / 4),  # a06 b07
    "appointments": (3, 3 / 4),  # a05 a10 b05 (any channel)
    "call_appointments": (2, 2 / 4),  # a05 a10
    # ratios (period): numerator total ÷ denominator total × 100
    "connect_rate": (8 / 13 * 100, 8 / 13 * 100),
    "effective_conversation_rate": (75.0, 75.0),  # 6 / 8
    "email_open_rate": (80.0, 80.0),  # 4 / 5
    "email_reply_rate": (40.0, 40.0),  # 2 / 5
    "appointment_rate": (2 / 6 * 100, 2 / 6 * 100),  # call appointments 2 / effective 6
    "opportunity_rate": (40.0, 40.0),  # opportunities 4 / leads worked 10
    "effective_opportunity_rate": (50.0, 50.0),  # 2 / 4
    "handover_win_rate": (2 / 3 * 100, 2 / 3 * 100),  # won 2 / closed 3
    # per_rep_per_month: total ÷ (3 / 30.4375 months) ÷ 2 active reps
    "leads_worked": (10, 10 / MONTHS / REPS),  # distinct L1..L10
    "opportunities_created": (4, 4 / MONTHS / REPS),  # O1..O4
    "sqls": (3, 3 / MONTHS / REPS),  # L2 L3 L4
    "effective_opportunities": (2, 2 / MONTHS / REPS),  # BANT ≥ 3: O1 (4), O2 (3)
    "won_deals": (2, 2 / MONTHS / REPS),  # O1 O4
    "closed_deals": (3, 3 / MONTHS / REPS),  # O1 O2 O4
    "opportunity_amount": (3_800_000, 3_800_000 / MONTHS),  # 1,000,000 + 500,000 + 2,000,000 + 300,000
    # per_month: total ÷ months
    "won_amount": (1_300_000, 1_300_000 / MONTHS),  # O1 1,000,000 (closed 04-02) + O4 300,000 (closed 04-03)
    "pipeline_amount": (2_000_000, 2_000_000 / MONTHS),  # O3 open
    "leads_created": (6, 6 / MONTHS),  # L1..L6
    "mqls": (5, 5 / MONTHS),  # MQL or further: L1 L2 L3 L4 L6
    "lead_opportunities": (2, 2 / MONTHS),  # L2 → O1, L3 → O2
    "lead_wins": (1, 1 / MONTHS),  # L2, whose O1 was won
    "mql_to_sql_rate": (60.0, 60.0),  # sqls 3 / mqls 5
    "lead_opportunity_rate": (2 / 6 * 100, 2 / 6 * 100),
    "lead_sql_rate": (50.0, 50.0),  # 3 / 6
    # score (period): average of the scored rows
    "quality_score": (60.0, 60.0),  # (100 + 60 + 20) / 3; O4 has no quality items
    # derived (period), with SETTINGS
    "cac": (1_000_000 * MONTHS / 2, 1_000_000 * MONTHS / 2),  # cost/month × months ÷ won deals 2
    "ltv": (1_000_000, 1_000_000),  # 100,000 × 50 / 100 × 20
    "ltv_cac": (2 / MONTHS, 2 / MONTHS),  # 1,000,000 ÷ (1,000,000 × months / 2)
    "roi": ((1_300_000 - 1_000_000 * MONTHS) / (1_000_000 * MONTHS) * 100,) * 2,
    "forecast_accuracy": (None, None),  # no forecast entered
}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def load(tmp_path: Path, activities=ACTIVITIES, leads=LEADS, opportunities=OPPORTUNITIES):
    store = open_store(CATALOGUE)
    for name, header, rows in (("activities", ACTIVITY_HEADER, activities), ("leads", LEAD_HEADER, leads),
                               ("opportunities", OPPORTUNITY_HEADER, opportunities)):
        if rows is None:
            continue
        report = load_file(store, write_csv(tmp_path / f"{name}.csv", header, rows), f"{name}.csv")
        assert report.error is None and report.rejections == [], report
        assert report.rows_loaded == len(rows)
    return store


@pytest.fixture
def results(tmp_path: Path) -> KpiResults:
    computed = compute_kpis(load(tmp_path), CATALOGUE, Filters(), SETTINGS)
    assert computed is not None
    return computed


def approx_or_none(value: float | None):
    return None if value is None else pytest.approx(value, rel=1e-12)


def test_days_per_month_is_a_twelfth_of_a_julian_year():
    assert DAYS_PER_MONTH == 30.4375


def test_every_catalogue_kpi_has_an_expected_value():
    assert set(EXPECTED) == set(CATALOGUE.kpis)


def test_period_of_the_fixture(results: KpiResults):
    period = results.period
    assert (period.start, period.end) == (date(2025, 4, 1), date(2025, 4, 3))
    assert period.days == DAYS
    assert period.rep_days == REP_DAYS
    assert period.active_reps == REPS
    assert period.months == pytest.approx(MONTHS)


@pytest.mark.parametrize("kpi_id", list(EXPECTED))
def test_kpi_value(results: KpiResults, kpi_id: str):
    total, actual = EXPECTED[kpi_id]
    assert results.total(kpi_id) == approx_or_none(total)
    assert results.actual(kpi_id) == approx_or_none(actual)


def test_forecast_error_once_a_forecast_is_entered(tmp_path: Path):
    results = compute_kpis(load(tmp_path), CATALOGUE, Filters(), {**SETTINGS, "forecast_won_amount": 1_560_000})
    # |1,560,000 − 1,300,000| ÷ 1,300,000 × 100 = 20
    assert results.actual("forecast_accuracy") == pytest.approx(20.0)


def test_settings_fall_back_to_catalogue_defaults(tmp_path: Path):
    results = compute_kpis(load(tmp_path), CATALOGUE, Filters())
    # ltv = 50,000 × 70 / 100 × 24 = 840,000 ; cac = 8,400,000 × months / 2 won deals
    assert results.actual("ltv") == pytest.approx(840_000)
    assert results.actual("cac") == pytest.approx(8_400_000 * MONTHS / 2)
    assert results.actual("forecast_accuracy") is None
    assert settings_with_defaults(CATALOGUE, {"is_cost_per_month": 5, "not_a_setting": 1}) == {
        "is_cost_per_month": 5.0, "arpa_per_month": 50000, "gross_margin_pct": 70, "lifetime_months": 24,
        "alert_threshold_pct": 90, "forecast_won_amount": None}


def test_rep_filter(tmp_path: Path):
    results = compute_kpis(load(tmp_path), CATALOGUE, Filters(reps=("A",)), SETTINGS)
    months = 3 / 30.4375  # the dates still default to the whole data range
    assert (results.period.rep_days, results.period.active_reps) == (2, 1)  # A on 04-01 and 04-02
    assert results.total("calls") == 8 and results.actual("calls") == 8 / 2
    assert results.total("connects") == 5  # a01 a03 a04 a05 a10
    assert results.actual("connect_rate") == pytest.approx(5 / 8 * 100)
    assert results.total("emails_sent") == 3  # a06 a07 a11
    assert results.total("sqls") == 2  # L2 L3 (leads owned by A)
    assert results.actual("sqls") == pytest.approx(2 / months / 1)
    assert results.total("opportunities_created") == 2  # O1 O2
    assert results.actual("handover_win_rate") == pytest.approx(50.0)  # O1 won of O1, O2 closed
    assert results.total("won_amount") == 1_000_000
    assert results.actual("quality_score") == pytest.approx(80.0)  # (100 + 60) / 2


def test_date_filter(tmp_path: Path):
    day = date(2025, 4, 1)
    results = compute_kpis(load(tmp_path), CATALOGUE, Filters(start=day, end=day), SETTINGS)
    months = 1 / 30.4375
    assert results.period.days == 1
    assert (results.period.rep_days, results.period.active_reps) == (2, 2)  # (A, 04-01) (B, 04-01)
    assert results.total("calls") == 8  # a01..a05, b01..b03
    assert results.actual("calls") == 4.0
    assert results.total("connects") == 6  # a01 a03 a04 a05 b01 b02
    assert results.total("effective_conversations") == 4  # a01 a03 a05 b02
    assert results.total("appointments") == 2  # a05 b05
    assert results.total("leads_worked") == 7  # L1 L2 L3 L4 (A: a01–a07) + L7 L8 L9 (B: b01–b05)
    assert results.total("sqls") == 1  # L2 (L1 is only an MQL)
    assert results.total("opportunities_created") == 1  # O1
    assert results.actual("opportunities_created") == pytest.approx(1 / months / 2)
    assert results.actual("opportunity_rate") == pytest.approx(1 / 7 * 100)
    assert results.total("won_amount") == 0  # nothing closed on 04-01: zero, the table is loaded
    assert results.total("won_deals") == 1  # O1 was created on 04-01 and is won
    assert results.actual("cac") == pytest.approx(1_000_000 * months / 1)
    assert results.actual("roi") == pytest.approx(-100.0)  # (0 − cost) ÷ cost × 100


def test_date_filter_excludes_rows_on_both_sides(tmp_path: Path):
    day = date(2025, 4, 2)
    results = compute_kpis(load(tmp_path), CATALOGUE, Filters(start=day, end=day), SETTINGS)
    assert (results.period.rep_days, results.period.active_reps) == (1, 1)  # only A worked on 04-02
    assert results.total("calls") == 3  # a08 a09 a10
    assert results.total("connects") == 1  # a10
    assert results.total("emails_sent") == 1  # a11
    assert results.total("opportunities_created") == 2  # O2 O3
    assert results.total("won_amount") == 1_000_000  # O1 closed on 04-02 (by close date)
    assert results.total("pipeline_amount") == 2_000_000  # O3


def test_reversed_date_filter_gives_no_results(tmp_path: Path):
    assert compute_kpis(load(tmp_path), CATALOGUE, Filters(start=date(2025, 4, 3), end=date(2025, 4, 1))) is None


def test_nothing_loaded_gives_no_results():
    assert compute_kpis(open_store(CATALOGUE), CATALOGUE, Filters()) is None


def test_kpis_of_a_table_with_no_rows_are_none_not_zero(tmp_path: Path):
    results = compute_kpis(load(tmp_path, leads=None, opportunities=None), CATALOGUE, Filters(), SETTINGS)
    assert results.total("calls") == 13
    for kpi_id in ("sqls", "opportunities_created", "won_deals", "closed_deals", "effective_opportunities",
                   "opportunity_amount", "won_amount", "pipeline_amount", "quality_score"):
        assert results.total(kpi_id) is None, kpi_id
        assert results.actual(kpi_id) is None, kpi_id
    # ratios and derived KPIs built on them are unknown too; the ones that need no table are not
    for kpi_id in ("opportunity_rate", "handover_win_rate", "effective_opportunity_rate", "cac", "ltv_cac", "roi"):
        assert results.actual(kpi_id) is None, kpi_id
    assert results.actual("ltv") == pytest.approx(1_000_000)
    assert results.actual("connect_rate") == pytest.approx(8 / 13 * 100)


def test_activity_kpis_are_none_without_activities(tmp_path: Path):
    results = compute_kpis(load(tmp_path, activities=None), CATALOGUE, Filters(), SETTINGS)
    assert results.period.rep_days == 0 and results.period.active_reps == 0
    assert results.total("calls") is None
    assert results.actual("connect_rate") is None
    assert results.total("opportunities_created") == 4
    assert results.actual("opportunities_created") is None  # no active rep to divide by
    assert results.actual("won_amount") == pytest.approx(1_300_000 / MONTHS)  # per_month needs no rep


def test_a_table_loaded_but_empty_in_the_period_counts_zero(tmp_path: Path):
    # opportunities exist, just none created on 04-03 for rep A
    results = compute_kpis(load(tmp_path), CATALOGUE, Filters(start=date(2025, 4, 3), reps=("A",)), SETTINGS)
    assert results.total("opportunities_created") == 0
    assert results.total("opportunity_amount") == 0
    assert results.total("quality_score") is None  # an average of nothing


# One call (or one email / other touch) at a time: what the outcome rules make of it.
# channel, outcome word, seconds → connected, effective, appointment (call appointment)
OUTCOME_RULES = [
    ("call", "接続", "150", 1, 1, 0),  # connected word, long → effective
    ("call", "接続", "119", 1, 0, 0),
    ("call", "接続", "120", 1, 1, 0),  # the boundary is inclusive
    ("call", "", "120", 1, 1, 0),  # no word, long → connected and effective
    ("call", "", "119", 0, 0, 0),  # no word, short → nothing
    ("call", "", "", 0, 0, 0),  # no word, no duration
    ("call", "不在", "600", 0, 0, 0),  # a "none" word is never effective, however long
    ("call", "Left voicemail", "300", 0, 0, 0),
    ("call", "no answer", "10", 0, 0, 0),  # case-insensitive
    ("call", "  Busy  ", "10", 0, 0, 0),  # surrounding spaces
    ("call", "CONNECTED", "10", 1, 0, 0),
    ("call", "  not interested ", "200", 1, 1, 0),
    ("call", "ヒアリング", "5", 1, 1, 0),  # effective word, however short
    ("call", "effective CONVERSATION", "5", 1, 1, 0),
    ("call", "アポ獲得", "30", 1, 1, 1),  # appointment implies effective and connected
    ("call", "meeting booked", "", 1, 1, 1),
    ("email", "接続", "300", 0, 0, 0),  # not a call: no connect
    ("email", "Appointment set", "", 0, 0, 1),  # an appointment, but not a call appointment
]


# Beside the row under test: an unanswered call and an email, which count for nothing but a call,
# so that calls, emails and call results are all in the data (else those KPIs cannot be computed).
CONTEXT = [["x0", "2025-04-01 09:00", "A", "", "call", "L0", "不在", "0", "", ""],
           ["x9", "2025-04-01 09:05", "A", "", "email", "L0", "", "", "", ""]]


@pytest.mark.parametrize(("channel", "outcome", "seconds", "connected", "effective", "appointment"), OUTCOME_RULES)
def test_outcome_rules(tmp_path: Path, channel, outcome, seconds, connected, effective, appointment):
    row = ["x1", "2025-04-01 10:00", "A", "", channel, "L1", outcome, seconds, "", ""]
    store = open_store(CATALOGUE)
    report = load_file(store, write_csv(tmp_path / "one.csv", ACTIVITY_HEADER, [*CONTEXT, row]), "one.csv")
    assert report.rows_loaded == 3
    results = compute_kpis(store, CATALOGUE, Filters())
    assert results.total("calls") == 1 + (1 if channel == "call" else 0)
    assert results.total("connects") == connected
    assert results.total("effective_conversations") == effective
    assert results.total("appointments") == appointment
    assert results.total("call_appointments") == (appointment if channel == "call" else 0)


# SPEC §5: BANT 4 → 30, 3 → 20, ≤ 2 → 10; need concrete 25 / outline 15 / unclear 5;
# decision detailed 25 / outline 15 / unknown 5; next action date_fixed 20 / period_only 10 / undecided 0.
QUALITY = [
    (("true", "true", "true", "true"), "concrete", "detailed", "date_fixed", "", 30 + 25 + 25 + 20),
    (("true", "true", "true", "false"), "outline", "outline", "period_only", "", 20 + 15 + 15 + 10),
    (("true", "true", "false", "false"), "unclear", "unknown", "undecided", "", 10 + 5 + 5 + 0),
    (("false", "false", "false", "false"), "unclear", "unknown", "undecided", "", 10 + 5 + 5 + 0),
    (("true", "", "", ""), "", "", "", "", 10),  # one BANT item known: BANT points only
    (("yes", "はい", "1", "TRUE"), "CONCRETE", "Outline", "Date_Fixed", "", 30 + 25 + 15 + 20),
    (("false", "true", "true", "true"), "concrete", "unknown", "period_only", "", 20 + 25 + 5 + 10),
    (("true", "true", "true", "true"), "concrete", "detailed", "date_fixed", "42", 42),  # given score wins
    (("", "", "", ""), "", "", "", "", None),  # nothing known: no score
]


@pytest.mark.parametrize(("bant", "need", "decision", "next_action", "given", "expected"), QUALITY)
def test_quality_score(tmp_path: Path, bant, need, decision, next_action, given, expected):
    header = [*OPPORTUNITY_HEADER, "quality_score"]
    row = ["Q1", "2025-04-01", "A", "100", "open", "", *bant, need, decision, next_action, "true", given]
    store = open_store(CATALOGUE)
    report = load_file(store, write_csv(tmp_path / "opp.csv", header, [row]), "opp.csv")
    assert report.rows_loaded == 1, report
    assert store.con.execute("SELECT quality_score FROM opportunities").fetchone()[0] == expected
    results = compute_kpis(store, CATALOGUE, Filters())
    assert results.total("quality_score") == expected


def test_scorecard_startup(results: KpiResults):
    rows = scorecard(CATALOGUE, "startup", results)
    # most important first; equal importance keeps the catalogue's order
    assert [(r.kpi_id, r.importance) for r in rows] == [
        ("calls", 3), ("connects", 3), ("appointments", 3),
        ("effective_conversations", 2), ("emails_sent", 2), ("opportunities_created", 2)]
    by_id = {r.kpi_id: r for r in rows}
    assert by_id["calls"].target == 100
    assert by_id["calls"].actual == 3.25
    assert by_id["calls"].achievement == pytest.approx(3.25)  # 3.25 ÷ 100 × 100
    assert by_id["calls"].status == "bad"
    assert by_id["opportunities_created"].achievement == pytest.approx(4 / MONTHS / 2 / 15 * 100)


def test_scorecard_with_edited_targets(results: KpiResults):
    rows = {r.kpi_id: r for r in scorecard(CATALOGUE, "startup", results,
                                            {"calls": 3.25, "connects": 2.4, "appointments": 0.9})}
    assert (rows["calls"].achievement, rows["calls"].status) == (pytest.approx(100.0), "good")
    assert rows["connects"].achievement == pytest.approx(2 / 2.4 * 100)  # 83.3 %
    assert rows["connects"].status == "warning"
    assert rows["appointments"].achievement == pytest.approx(0.75 / 0.9 * 100)  # 83.3 %
    assert rows["emails_sent"].target == 40  # untouched targets keep the catalogue's


def test_scorecard_mature_lower_is_better(results: KpiResults):
    rows = {r.kpi_id: r for r in scorecard(CATALOGUE, "mature", results)}
    cac = 1_000_000 * MONTHS / 2  # 49,281 yen, far below the 500,000 target: more than reached
    assert rows["cac"].actual == pytest.approx(cac)
    assert rows["cac"].achievement == pytest.approx(500_000 / cac * 100)
    assert rows["cac"].status == "good"
    assert rows["ltv_cac"].achievement == pytest.approx(2 / MONTHS / 3.0 * 100)
    assert rows["won_amount"].achievement == pytest.approx(1_300_000 / MONTHS / 50_000_000 * 100)


def test_scorecard_without_data(results: KpiResults):
    no_data = KpiResults(results.period, {k: KpiValue(k, None, None) for k in results.values})
    rows = scorecard(CATALOGUE, "growth", no_data)
    assert {r.status for r in rows} == {"no_data"}
    assert {r.achievement for r in rows} == {None}


@pytest.mark.parametrize(("actual", "target", "direction", "expected"), [
    (120, 100, "higher", 120.0),
    (80, 100, "higher", 80.0),
    (0, 100, "higher", 0.0),
    (400_000, 500_000, "lower", 125.0),  # lower is better: target ÷ actual
    (1_000_000, 500_000, "lower", 50.0),
    (500_000, 500_000, "lower", 100.0),
    (0, 500_000, "lower", None),  # no division by zero
    (None, 100, "higher", None),
    (None, 100, "lower", None),
    (50, 0, "higher", None),  # no target, no achievement
])
def test_achievement(actual, target, direction, expected):
    assert achievement(actual, target, direction) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(("value", "status"), [
    (None, "no_data"), (150, "good"), (100, "good"), (99.99, "warning"), (80, "warning"), (79.99, "bad"), (0, "bad"),
])
def test_status_of(value, status):
    assert status_of(value) == status


@pytest.mark.parametrize(("expression", "names", "expected"), [
    ("a * months / b", {"a": 10.0, "months": 3.0, "b": 5.0}, 6.0),
    ("(a - b) / b * 100", {"a": 150.0, "b": 100.0}, 50.0),
    ("abs(a - b) / b * 100", {"a": 80.0, "b": 100.0}, 20.0),
    ("-a + 2", {"a": 5.0}, -3.0),
    ("a / b", {"a": 1.0, "b": 0.0}, None),  # division by zero → unknown
    ("a / b", {"a": 1.0, "b": None}, None),  # a missing part → unknown
    ("abs(a)", {"a": None}, None),
    ("a + 1", {}, None),
])
def test_evaluate(expression, names, expected):
    assert evaluate(expression, names) == expected


# ----------------------------------------------------------------------------- bugs found in review, now fixed

def test_rep_without_opportunities_has_zero_not_none(tmp_path: Path):
    extra = [["c01", "2025-04-02 09:00", "C", "SDR", "call", "L11", "接続", "150", "", ""]]
    results = compute_kpis(load(tmp_path, activities=ACTIVITIES + extra), CATALOGUE, Filters(reps=("C",)), SETTINGS)
    assert results.total("calls") == 1 and results.total("leads_worked") == 1
    assert results.total("opportunities_created") == 0  # opportunities are loaded; C created none
    assert results.actual("opportunity_rate") == 0.0  # 0 ÷ 1 lead worked
    assert results.total("sqls") == 0


def test_the_period_is_the_activity_window_not_stretched_by_close_dates(tmp_path: Path):
    """A deal closing on 20 April does not stretch 1–3 April of activity to 20 days (which would divide
    every per-month KPI by a longer period); its amount falls outside the period."""
    late = [["O5", "2025-04-03", "B", "700000", "won", "2025-04-20", "", "", "", "", "", "", "", "true"]]
    store = load(tmp_path, opportunities=OPPORTUNITIES + late)
    assert data_range(store) == (date(2025, 4, 1), date(2025, 4, 3))
    results = compute_kpis(store, CATALOGUE, Filters(), SETTINGS)
    assert results.total("won_amount") == 1_300_000  # O1 + O4; O5 closed after the window
    assert results.actual("opportunities_created") == pytest.approx(5 / MONTHS / REPS)  # O5 was created inside


def test_without_activities_the_period_is_the_other_tables_own_dates(tmp_path: Path):
    store = load(tmp_path, activities=None)
    assert data_range(store) == (date(2025, 4, 1), date(2025, 4, 3))  # leads and deals created 1–3 April


# ----------------------------------------------------------------------------- grouped

@pytest.mark.parametrize("rep", ["A", "B"])
def test_grouped_by_rep_equals_the_rep_filter(tmp_path: Path, rep: str):
    store = load(tmp_path)
    grouped = compute_grouped(store, CATALOGUE, Filters(), "rep", SETTINGS)
    assert sorted(grouped) == ["A", "B"]
    alone = compute_kpis(store, CATALOGUE, Filters(reps=(rep,)), SETTINGS)
    assert grouped[rep].period == alone.period
    for kpi_id in CATALOGUE.kpis:
        assert grouped[rep].actual(kpi_id) == approx_or_none(alone.actual(kpi_id)), kpi_id


def test_grouped_by_team_gives_leads_and_deals_their_reps_team(tmp_path: Path):
    grouped = compute_grouped(load(tmp_path), CATALOGUE, Filters(), "team", SETTINGS)
    assert sorted(grouped) == ["BDR", "SDR"]  # rep A works in SDR, B in BDR
    assert grouped["SDR"].total("calls") == 8 and grouped["BDR"].total("calls") == 5
    assert grouped["SDR"].total("opportunities_created") == 2  # O1 O2 by rep A
    assert grouped["BDR"].total("leads_created") == 3  # L4 L5 L6 by rep B


def test_grouped_by_week_keeps_each_week_inside_the_filter(tmp_path: Path):
    store = load(tmp_path)
    grouped = compute_grouped(store, CATALOGUE, Filters(start=date(2025, 4, 2)), "week", SETTINGS)
    # 2025-03-31 is the Monday of the only week; the filter starts on 04-02, the data ends on 04-03
    assert list(grouped) == ["2025-03-31"]
    week = grouped["2025-03-31"]
    assert (week.period.start, week.period.end, week.period.rep_days) == (date(2025, 4, 2), date(2025, 4, 3), 2)
    assert week.total("calls") == 5  # a08 a09 a10 on 04-02; b06 b08 on 04-03
