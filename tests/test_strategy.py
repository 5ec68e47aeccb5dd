"""The strategy page's verdict and formulas, and the planner's defaults shared by page and workbook,
every number worked out by hand.

The quarter of these tests: 1 April – 30 June 2025, 91 days = 91 ÷ 30.4375 = 2.9897 months, shown
as "3"; 24 deals won for ¥30,000,000; IS cost ¥8,400,000 a month, so CAC = 8,400,000 × 2.9897 ÷ 24
= ¥1,046,407.
"""

from __future__ import annotations

from datetime import date

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.messages import t
from phasekpi.metrics import KpiResults, KpiValue, at_grain
from phasekpi.planner import default_inputs, default_kgi, significant
from phasekpi.selection import Period
from phasekpi.strategy import formula_placeholders, formula_values, health, number_text, shown_formulas

CATALOGUE = default_catalogue()
QUARTER = Period(date(2025, 4, 1), date(2025, 6, 30), rep_days=240, active_reps=4)
SETTINGS = {"is_cost_per_month": 8_400_000, "arpa_per_month": 50_000, "gross_margin_pct": 70, "lifetime_months": 24,
            "alert_threshold_pct": 90, "forecast_won_amount": None}


def results_of(totals: dict[str, float | None], period: Period = QUARTER) -> KpiResults:
    return KpiResults(period, {k: KpiValue(k, totals.get(k), at_grain(kpi, totals.get(k), period))
                               for k, kpi in CATALOGUE.kpis.items()})


@pytest.mark.parametrize(("ltv_cac", "expected"), [
    (5.84, ("healthy", 5.84, 3.0)), (3.0, ("healthy", 3.0, 3.0)), (2.99, ("unhealthy", 2.99, 3.0)), (None, None),
])
def test_health_is_judged_against_the_catalogues_floor(ltv_cac: float | None, expected: tuple | None) -> None:
    assert health(CATALOGUE, results_of({"ltv_cac": ltv_cac})) == expected


def test_a_formula_reading_an_empty_setting_is_not_explained() -> None:
    assert shown_formulas(CATALOGUE, SETTINGS) == ["won_amount", "pipeline_amount", "cac", "ltv", "ltv_cac", "roi"]
    assert shown_formulas(CATALOGUE, {**SETTINGS, "forecast_won_amount": 600_000_000})[-1] == "forecast_accuracy"


@pytest.mark.parametrize(("value", "unit", "lang", "text"), [
    (24.0, "count", "ja", "24"), (2.9897, "count", "en", "3"), (2.25, "count", "ja", "2.3"), (1520.0, "count", "en", "1,520"),
    (8_400_000, "yen", "ja", "¥8,400,000"), (70.0, "percent", "en", "70.0%"), (5.84, "ratio", "ja", "5.84倍"),
    (None, "yen", "ja", "—"),
])
def test_numbers_in_formulas(value: float | None, unit: str, lang: str, text: str) -> None:
    assert number_text(value, unit, lang) == text


@pytest.mark.parametrize(("kpi_id", "lang", "text"), [
    ("cac", "ja", "**CAC** = ISコスト(月額)¥8,400,000 × 月数 3ヶ月 ÷ 受注件数 24件 = ¥1,046,407。"),
    ("cac", "en", "**CAC** = IS cost per month ¥8,400,000 × 3 months ÷ 24 deals won = ¥1,046,407."),
    ("ltv", "ja", "**LTV** = 顧客あたり月額売上 ¥50,000 × 粗利率 70.0% × 平均継続月数 24ヶ月 = ¥840,000。"),
    ("ltv_cac", "ja", "**LTV/CAC** = LTV ÷ CAC = 0.80倍。獲得コストの何倍の粗利を回収できるかを示し、3.0以上なら健全です。"),
    ("roi", "en", "**ROI** = (won amount ¥30,000,000 − IS cost ¥8,400,000 × 3 months) ÷ IS cost × 100 = 19.5%."),
])
def test_formulas_are_written_with_the_teams_numbers(kpi_id: str, lang: str, text: str) -> None:
    """LTV = 50,000 × 70 % × 24 = ¥840,000; LTV/CAC = 840,000 ÷ 1,046,407 = 0.80; ROI = (30,000,000 −
    8,400,000 × 2.9897) ÷ (8,400,000 × 2.9897) × 100 = 19.5 %."""
    results = results_of({"won_amount": 30_000_000, "won_deals": 24, "cac": 1_046_406.57, "ltv": 840_000,
                          "ltv_cac": 0.8027, "roi": 19.46})
    values = formula_values(CATALOGUE, results, SETTINGS, lang) | formula_placeholders(CATALOGUE, results, kpi_id, lang)
    assert t(f"strategy.formula.{kpi_id}", lang, **values).startswith(text)


# ---------------------------------------------------------------- the planner's defaults

TEAM = results_of({"won_amount": 30_000_000, "won_deals": 24, "opportunities_created": 120, "call_appointments": 160,
                   "handover_win_rate": 30.0, "appointment_rate": 140.0, "effective_conversation_rate": 50.0,
                   "connect_rate": None})


def test_the_plan_starts_from_the_teams_pace() -> None:
    """Won ¥30,000,000 in 2.9897 months = ¥10,034,247 a month → ¥10,000,000 (2 significant digits);
    a yearly KGI: 120,410,959 → ¥120,000,000, i.e. ¥10,000,000 a month; deal size 30,000,000 ÷ 24 =
    ¥1,250,000 → ¥1,300,000 (half up); an appointment rate over 100 % and a missing connect rate
    fall back to the benchmark floors, appointment → opportunity 120 ÷ 160 = 75 % is the team's."""
    monthly = default_inputs(CATALOGUE, TEAM)
    assert monthly.kgi_kind == "revenue" and monthly.kgi_per_month == 10_000_000
    assert default_kgi(CATALOGUE.plan, "revenue", True, CATALOGUE, TEAM) == 120_000_000  # 10,000,000 a month
    assert {f: (r.source, r.value) for f, r in monthly.factors.items()} == {
        "average_deal_size": ("actual", 1_300_000), "win_rate": ("actual", 20.0),  # 24 won ÷ 120 created
        "opportunity_per_appointment": ("actual", 75.0), "appointment_rate": ("benchmark", 15.0),
        "effective_conversation_rate": ("actual", 50.0), "connect_rate": ("benchmark", 20.0),
    }
    assert (monthly.headcount, monthly.working_days) == (4, 20)


def test_an_opportunity_kgi_starts_from_whole_opportunities() -> None:
    """120 opportunities in 2.9897 months = 40.14 a month → 40; it needs no deal size nor win rate."""
    inputs = default_inputs(CATALOGUE, TEAM, "opportunities")
    assert inputs.kgi_per_month == 40
    assert list(inputs.factors) == ["opportunity_per_appointment", "appointment_rate", "effective_conversation_rate",
                                    "connect_rate"]


@pytest.mark.parametrize(("value", "rounded"), [
    (1_250_000, 1_300_000), (18_260_000, 18_000_000), (0.0123, 0.012), (99.5, 100), (None, None), (0, None), (-3, None),
])
def test_significant_digits_round_half_up(value: float | None, rounded: float | None) -> None:
    assert significant(value) == rounded
