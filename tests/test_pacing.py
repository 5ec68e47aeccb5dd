"""Trends and month-end pacing on a tiny hand-made team, every number worked out by hand.

May 2025 in Japan: 1 Thu, 2 Fri, 3 Sat 憲法記念日, 4 Sun みどりの日, 5 Mon こどもの日, 6 Tue 振替休日
(for the 4th), then ordinary weeks to Sat 31. Weekdays: 1–2 (2) + 5–9 (5) + 12–16 (5) + 19–23 (5)
+ 26–30 (5) = 22; minus the holidays on weekdays (5th, 6th) = 20 business days.

The fixture: reps A and B; calls from 30 April to 9 May 2025, three opportunities, no leads loaded.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.charts.trends import pacing_chart, pacing_table, trend_chart
from phasekpi.ingest import load_file
from phasekpi.messages import messages
from phasekpi.metrics import KpiResults, KpiValue, compute_grouped, compute_kpis
from phasekpi.pacing import (
    Alert,
    alert_threshold_pct,
    alerts,
    business_days,
    daily_totals_sql,
    kpi_series,
    parse_dates,
    phase_pacing,
    phase_target,
)
from phasekpi.schema import Store, open_store
from phasekpi.selection import Filters, Period

CATALOGUE = default_catalogue()
MAY = (date(2025, 5, 1), date(2025, 5, 31))

ACTIVITY_HEADER = ["activity_id", "occurred_at", "rep", "channel", "lead_id", "outcome", "duration_sec"]
ACTIVITIES = [
    ["a01", "2025-04-30 09:00", "A", "call", "L1", "不在", "0"],  # April: outside May's pacing
    ["a02", "2025-05-01 09:00", "A", "call", "L1", "不在", "0"],  # 1 May: 2 calls
    ["a03", "2025-05-01 10:00", "A", "call", "L2", "接続", "60"],
    ["a04", "2025-05-02 09:00", "A", "call", "L3", "不在", "0"],  # 2 May: 1 call
    ["a05", "2025-05-03 09:00", "A", "call", "L1", "不在", "0"],  # Sat 3 May (holiday): 1 call, still counted
    ["a06", "2025-05-07 09:00", "A", "call", "L4", "不在", "0"],  # 7 May: 3 calls
    ["a07", "2025-05-07 10:00", "A", "call", "L1", "接続", "30"],
    ["a08", "2025-05-07 11:00", "A", "call", "L5", "不在", "0"],
    ["b01", "2025-05-08 09:00", "B", "call", "L6", "不在", "0"],  # 8 May: 2 calls
    ["b02", "2025-05-08 10:00", "B", "call", "L2", "不在", "0"],
    ["b03", "2025-05-09 09:00", "B", "call", "L7", "不在", "0"],  # 9 May: 2 calls, the last day with data
    ["b04", "2025-05-09 10:00", "B", "call", "L6", "不在", "0"],
]
OPPORTUNITY_HEADER = ["opportunity_id", "created_at", "rep", "amount", "status"]
OPPORTUNITIES = [
    ["O1", "2025-05-02", "A", "300000", "open"],
    ["O2", "2025-05-08", "B", "500000", "open"],
    ["O3", "2025-04-28", "A", "1000000", "open"],  # April: outside May's pacing
    ["O4", "2025-05-09", "B", "", "open"],  # no amount yet: adds nothing to the amount
]
# Growth phase with our own targets: calls 1.5 per rep per day, opportunity amount ¥1M per rep per month.
TARGETS = {"calls": 1.5, "opportunity_amount": 1_000_000}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    store = open_store(CATALOGUE)
    for name, header, rows in (("activities", ACTIVITY_HEADER, ACTIVITIES),
                               ("opportunities", OPPORTUNITY_HEADER, OPPORTUNITIES)):
        report = load_file(store, write_csv(tmp_path / f"{name}.csv", header, rows), f"{name}.csv")
        assert report.rows_loaded == len(rows) and not report.rejections, report
    return store


# ---------------------------------------------------------------- business days


def test_may_2025_has_20_business_days_around_golden_week() -> None:
    days = business_days(*MAY)
    assert len(days) == 20  # 22 weekdays − こどもの日 (Mon 5) − 振替休日 (Tue 6)
    assert days[:3] == [date(2025, 5, 1), date(2025, 5, 2), date(2025, 5, 7)]
    assert days[-1] == date(2025, 5, 30)


def test_company_holidays_come_off_but_only_once() -> None:
    # Fri 2 May off: 19. Sat 10 May and the public holiday of the 5th were no business days anyway.
    assert len(business_days(*MAY, company_holidays=[date(2025, 5, 2)])) == 19
    assert len(business_days(*MAY, company_holidays=[date(2025, 5, 2), date(2025, 5, 10), date(2025, 5, 5)])) == 19


def test_the_in_between_national_holiday_of_silver_week() -> None:
    # September 2026: weekdays 1–4 (4) + 7–11 + 14–18 + 21–25 (15) + 28–30 (3) = 22; minus 敬老の日 (Mon 21),
    # 国民の休日 (Tue 22, between two holidays) and 秋分の日 (Wed 23) = 19.
    days = business_days(date(2026, 9, 1), date(2026, 9, 30))
    assert len(days) == 19
    assert {date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23)}.isdisjoint(days)


def test_company_holidays_are_read_from_text() -> None:
    text = "2025-05-02\n2025/5/30, 2025年12月29日  not-a-date\n2025-02-30\n2025-05-02\n"
    assert parse_dates(text) == ([date(2025, 5, 2), date(2025, 5, 30), date(2025, 12, 29)], ["not-a-date", "2025-02-30"])
    assert parse_dates("  ") == ([], [])


# ---------------------------------------------------------------- pacing


def test_month_end_forecast_at_the_current_pace(store: Store) -> None:
    paced = phase_pacing(store, CATALOGUE, "growth", Filters(), TARGETS)
    assert list(paced) == ["calls", "opportunity_amount"]  # sqls needs leads, which are not loaded
    calls = paced["calls"]
    assert (calls.month, calls.as_of) == (date(2025, 5, 1), date(2025, 5, 9))
    # business days up to Fri 9 May: 1, 2, 7, 8, 9 → 5 elapsed, 20 − 5 = 15 remaining; reps A and B active
    assert (calls.business_days_total, calls.elapsed, calls.remaining, calls.active_reps) == (20, 5, 15, 2)
    assert calls.actual_to_date == 11  # 2 + 1 + 1 (Saturday) + 3 + 2 + 2; 30 April left out
    assert calls.goal_month == 60  # 1.5 per rep per day × 20 business days × 2 reps
    assert calls.goal_to_date == 15  # 60 × 5 / 20
    assert calls.forecast == pytest.approx(44)  # 11 + 11 / 5 × 15 = 11 + 33
    assert calls.forecast_vs_goal_pct == pytest.approx(44 / 60 * 100)  # 73.3 %
    amount = paced["opportunity_amount"]
    assert amount.actual_to_date == 800_000  # O1 + O2; O3 was created in April, O4 has no amount
    assert amount.goal_month == 1_000_000  # ¥1M a month for the team (money is never per rep)
    assert amount.goal_to_date == 250_000  # 1M × 5 / 20
    assert amount.forecast == pytest.approx(3_200_000)  # 800k + 800k / 5 × 15
    assert amount.forecast_vs_goal_pct == pytest.approx(320)


def test_the_daily_rows_draw_actual_goal_and_forecast(store: Store) -> None:
    days = {d.day: d for d in phase_pacing(store, CATALOGUE, "growth", Filters(), TARGETS)["calls"].days}
    assert len(days) == 31
    first, saturday, last_data, monday, month_end = (days[date(2025, 5, n)] for n in (1, 3, 9, 12, 31))
    assert (first.actual, first.goal, first.forecast) == (2, 3, None)  # goal 60 / 20 per business day
    assert (saturday.actual, saturday.goal) == (4, 6)  # the goal line stays flat on a holiday
    assert (last_data.actual, last_data.goal, last_data.forecast) == (11, 15, 11)  # the dashed segment starts here
    assert (monday.actual, monday.forecast) == (None, pytest.approx(13.2))  # 11 + 2.2 a business day
    assert (month_end.goal, month_end.forecast) == (60, pytest.approx(44))


def test_company_holidays_and_the_filters_move_the_forecast(store: Store) -> None:
    # Fri 30 May off: 19 business days, 5 elapsed, 14 remaining → 11 + 2.2 × 14 = 41.8; goal 1.5 × 19 × 2 = 57
    calls = phase_pacing(store, CATALOGUE, "growth", Filters(), TARGETS, [date(2025, 5, 30)])["calls"]
    assert (calls.business_days_total, calls.remaining) == (19, 14)
    assert (calls.forecast, calls.goal_month) == (pytest.approx(41.8), pytest.approx(57))
    # Up to Wed 7 May: 7 calls in 3 business days (1, 2, 7) → 7 + 7 / 3 × 17 = 46.67
    calls = phase_pacing(store, CATALOGUE, "growth", Filters(end=date(2025, 5, 7)), TARGETS)["calls"]
    assert (calls.as_of, calls.elapsed, calls.actual_to_date) == (date(2025, 5, 7), 3, 7)
    assert calls.forecast == pytest.approx(7 + 7 / 3 * 17)
    # Rep B alone: calls on 8 and 9 May only, one active rep → goal 1.5 × 20 × 1 = 30
    calls = phase_pacing(store, CATALOGUE, "growth", Filters(reps=("B",)), TARGETS)["calls"]
    assert (calls.actual_to_date, calls.active_reps, calls.goal_month) == (4, 1, 30)


def test_no_data_in_the_month_means_no_pacing(store: Store) -> None:
    assert phase_pacing(store, CATALOGUE, "growth", Filters(end=date(2025, 4, 27)), TARGETS) == {}


def test_a_distinct_count_counts_each_value_on_its_first_day(store: Store) -> None:
    sql = daily_totals_sql(CATALOGUE.kpis["leads_worked"])
    with store.lock:
        rows = store.con.execute(f"{sql} ORDER BY day", {"start": date(2025, 5, 1), "end": date(2025, 5, 9), "reps": []})
        daily = {day.day: count for day, count in rows.fetchall()}
    # L1 L2 on the 1st, L3 on the 2nd, L4 L5 on the 7th, L6 on the 8th, L7 on the 9th; repeats (L1 on the
    # 3rd and 7th, L2 on the 8th, L6 on the 9th) add nothing, so the running sum is the 7 distinct leads
    assert daily == {1: 2, 2: 1, 7: 2, 8: 1, 9: 1}


# ---------------------------------------------------------------- alerts


def test_a_count_kpi_is_judged_by_its_forecast(store: Store) -> None:
    results = compute_kpis(store, CATALOGUE, Filters())
    paced = phase_pacing(store, CATALOGUE, "growth", Filters(), TARGETS)
    found = alerts(CATALOGUE, "growth", results, paced, 90, TARGETS)
    # calls 44 of 60 = 73.3 %; opportunity amount 160 %; opportunity rate 4 ÷ 7 leads = 57.1 % of 15 %
    # (above); SQLs, quality score and win rate have no data
    assert found == [Alert("calls", "forecast", pytest.approx(44), 60, pytest.approx(44 / 60 * 100))]
    assert alerts(CATALOGUE, "growth", results, paced, 73, TARGETS) == []


def hand_made_results(**actuals: float | None) -> KpiResults:
    period = Period(date(2025, 5, 1), date(2025, 5, 31), rep_days=40, active_reps=2)
    return KpiResults(period, {k: KpiValue(k, v, v) for k, v in actuals.items()})


@pytest.mark.parametrize(("cac", "flagged"), [
    (555_000, False),  # 500,000 / 555,000 = 90.09 % of target: not below 90 %
    (556_000, True),  # 89.93 %: above target ÷ 90 % = 555,555.6
])
def test_lower_is_better_kpis_alert_above_target_over_threshold(cac: float, flagged: bool) -> None:
    # Mature phase targets: opportunity rate 18 %, SQLs 25, won ¥50M, pipeline ¥150M, CAC ¥500k, LTV/CAC 3.0
    results = hand_made_results(opportunity_rate=16.2, sqls=20, won_amount=50_000_000, pipeline_amount=150_000_000,
                                cac=cac, ltv_cac=None)
    found = alerts(CATALOGUE, "mature", results, {}, 90)
    # opportunity rate 16.2 / 18 = exactly 90 %: not below; SQLs 20 / 25 = 80 %: below; LTV/CAC: no data
    expected = [Alert("sqls", "current", 20, 25, 80)]
    if flagged:
        expected.append(Alert("cac", "current", cac, 500_000, pytest.approx(500_000 / cac * 100)))
    assert found == expected


def test_the_threshold_comes_from_the_settings() -> None:
    assert alert_threshold_pct(CATALOGUE) == 90  # the catalogue's default
    assert alert_threshold_pct(CATALOGUE, {"alert_threshold_pct": 75}) == 75
    assert alert_threshold_pct(CATALOGUE, {"alert_threshold_pct": None}) == 90
    results = hand_made_results(opportunity_rate=16.2, sqls=20, won_amount=0, pipeline_amount=0, cac=None, ltv_cac=4)
    assert [a.kpi_id for a in alerts(CATALOGUE, "mature", results, {}, 75)] == ["won_amount", "pipeline_amount"]


# ---------------------------------------------------------------- series


def test_weekly_series_of_calls_per_rep_per_day(store: Store) -> None:
    grouped = compute_grouped(store, CATALOGUE, Filters(), "week")
    series = kpi_series(CATALOGUE, "calls", grouped, phase_target(CATALOGUE, "growth", "calls"))
    # week of Mon 28 April, from the first activity (Wed 30; O3 of 28 April does not stretch the period):
    # 5 calls (30 Apr, 1 May ×2, 2 May, 3 May) over A's 4 days = 1.25
    # week of Mon 5 May (to the data's end, Fri 9): 7 calls over 3 rep-days (A 7th, B 8th, B 9th)
    assert series.to_dict("records") == [
        {"period": date(2025, 4, 28), "start": date(2025, 4, 30), "end": date(2025, 5, 4), "value": 1.25,
         "target": 80.0, "band_low": 80.0, "band_high": 120.0},
        {"period": date(2025, 5, 5), "start": date(2025, 5, 5), "end": date(2025, 5, 9), "value": pytest.approx(7 / 3),
         "target": 80.0, "band_low": 80.0, "band_high": 120.0},
    ]


def test_monthly_series_and_a_kpi_outside_the_phase(store: Store) -> None:
    grouped = compute_grouped(store, CATALOGUE, Filters(), "month")
    series = kpi_series(CATALOGUE, "emails_opened", grouped, phase_target(CATALOGUE, "growth", "emails_opened"))
    assert list(series["period"]) == [date(2025, 4, 1), date(2025, 5, 1)]
    assert series["value"].isna().all()  # a call log holds no emails: unknown, not zero
    assert series["target"].isna().all() and series["band_low"].isna().all()
    calls = kpi_series(CATALOGUE, "calls", grouped, 80)
    assert list(calls["value"]) == [1.0, pytest.approx(11 / 6)]  # April: 1 call, 1 rep-day; May: 11 over 6


# ---------------------------------------------------------------- charts and texts


def layers(chart: object) -> list[dict]:
    """Each layer of a chart's Vega-Lite spec with its rows under "rows" (a layer without data of its
    own reads the chart's)."""
    spec = chart.to_dict()
    return [{**layer, "rows": spec["datasets"][layer.get("data", spec.get("data"))["name"]]} for layer in spec["layer"]]


def test_trend_chart_layers(store: Store) -> None:
    series = kpi_series(CATALOGUE, "calls", compute_grouped(store, CATALOGUE, Filters(), "week"), 80)
    chart = trend_chart(series, CATALOGUE, "calls", "week", "ja")
    band, target, line = layers(chart)
    assert band["mark"]["type"] == "rect" and band["rows"][0]["band_low"] == 80 and band["rows"][0]["band_high"] == 120
    assert target["mark"]["type"] == "rule" and target["mark"]["strokeDash"] == [6, 4]
    assert target["encoding"]["y"]["field"] == "target" and target["rows"] == [{"target": 80, "target_text": "80件/人/日"}]
    assert line["mark"]["type"] == "line"
    assert (line["encoding"]["x"]["field"], line["encoding"]["y"]["field"]) == ("period", "value")
    assert line["encoding"]["x"]["title"] == "週(月曜始まり)" and line["encoding"]["y"]["title"] == "架電数(/人/日)"
    assert [t["field"] for t in line["encoding"]["tooltip"]] == ["period_text", "value_text", "achievement_text"]
    assert [(r["period_text"], r["value_text"], r["achievement_text"]) for r in line["rows"]] == [
        ("2025/04/30–05/04", "1.3件/人/日", "1.6%"), ("2025/05/05–05/09", "2.3件/人/日", "2.9%")]
    assert chart.to_dict()["title"] == "架電数の推移(週次)"
    # no benchmark and no target: the line alone
    bare = kpi_series(CATALOGUE, "emails_opened", compute_grouped(store, CATALOGUE, Filters(), "month"), None)
    (only,) = layers(trend_chart(bare, CATALOGUE, "emails_opened", "month", "en"))
    assert only["mark"]["type"] == "line" and only["encoding"]["x"]["title"] == "Month"


def test_one_sided_band_runs_past_the_highest_value(store: Store) -> None:
    # handover win rate: benchmark "25 % or more"; values 0 or none here, target 25 → top = 25 × 1.15
    series = kpi_series(CATALOGUE, "handover_win_rate", compute_grouped(store, CATALOGUE, Filters(), "month"), 25)
    band = layers(trend_chart(series, CATALOGUE, "handover_win_rate", "month", "en"))[0]
    assert (band["rows"][0]["band_low"], band["rows"][0]["band_high"]) == (25, pytest.approx(28.75))


def test_pacing_chart_and_table(store: Store) -> None:
    calls = phase_pacing(store, CATALOGUE, "growth", Filters(), TARGETS)["calls"]
    as_of, lines, end_label = layers(pacing_chart(calls, CATALOGUE, "en"))
    assert as_of["mark"]["type"] == "rule" and as_of["rows"][0]["day_text"] == "2025/05/09"
    assert lines["encoding"]["color"]["field"] == lines["encoding"]["strokeDash"]["field"] == "series"
    assert lines["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [2, 3], [6, 4]]
    counts = {name: sum(r["series"] == name for r in lines["rows"]) for name in lines["encoding"]["color"]["scale"]["domain"]}
    assert counts == {"Actual (cumulative)": 9, "Goal (cumulative)": 31, "Forecast": 23}  # 1–9 May; all; 9–31 May
    assert [(r["series"], r["value_text"]) for r in end_label["rows"]] == [("Forecast", "44")]
    assert lines["encoding"]["y"]["title"] == "Calls (team total)"
    table = pacing_table([calls], CATALOGUE, "ja")
    assert list(table.columns) == ["KPI", "月初来実績", "月初来目標", "月間目標", "月末着地予測", "着地予測の目標比"]
    assert list(table.iloc[0]) == ["架電数", "11件", "15件", "60件", "44件", "73.3%"]


def test_keys_built_at_run_time_exist() -> None:
    keys = [f"trends.{family}.{name}" for family, names in (
        ("by", ["week", "month"]), ("axis", ["week", "month"]), ("series", ["actual", "goal", "forecast"]),
        ("alert", ["forecast", "current"])) for name in names]
    assert [k for k in [*keys, "nav.trends"] if k not in messages()] == []
