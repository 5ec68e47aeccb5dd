"""The one number format (phasekpi/display.py): every unit in both languages, currencies,
compact amounts for axes, deltas and rate gaps in points — each expected string written by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.charts.planner import amount_chart, amount_frame
from phasekpi.charts.trends import trend_chart
from phasekpi.display import (
    compact_label_expr,
    format_compact,
    format_delta,
    format_number,
    input_label,
    kpi_value_text,
    metric_delta,
)

M = "\u2212"


@pytest.mark.parametrize(("value", "unit", "lang", "grain", "expected"), [
    (226.0, "count", "ja", "period", "226件"),
    (226.0, "count", "en", "period", "226"),
    (226.4, "count", "ja", "period", "226件"),
    (20.0, "count", "ja", "per_rep_per_day", "20件"),
    (78.66, "count", "ja", "per_rep_per_day", "78.7件"),
    (78.66, "count", "en", "per_rep_per_month", "78.7"),
    (151.1, "count", "ja", "per_month", "151件"),
    (34.63, "count", "ja", None, "34.6件"),
    (24.0, "count", "en", None, "24"),
    (1234567.0, "count", "ja", "period", "1,234,567件"),
    (-3.0, "count", "ja", "period", f"{M}3件"),
    (None, "count", "ja", "period", "—"),
    (15.0, "percent", "ja", None, "15.0%"),
    (3.84, "percent", "en", None, "3.8%"),
    (-0.04, "percent", "en", None, "0.0%"),
    (1234.56, "percent", "ja", None, "1,234.6%"),
    (None, "percent", "en", None, "—"),
    (3.84, "rate_gap", "ja", None, "3.8pt"),
    (3.84, "rate_gap", "en", None, "3.8 pt"),
    (-12.0, "rate_gap", "en", None, f"{M}12.0 pt"),
    (30_000_000.0, "yen", "ja", None, "¥30,000,000"),
    (30_000_000.4, "yen", "en", None, "¥30,000,000"),
    (-1200.0, "yen", "ja", None, f"{M}¥1,200"),
    (1e12, "yen", "en", None, "¥1,000,000,000,000"),
    (None, "yen", "ja", None, "—"),
    (72.5, "points", "ja", None, "72.5点"),
    (72.5, "points", "en", None, "72.5 pts"),
    (3.256, "ratio", "ja", None, "3.26倍"),
    (3.256, "ratio", "en", None, "3.26 x"),
])
def test_format_number(value, unit, lang, grain, expected):
    assert format_number(value, unit, lang, grain=grain) == expected


@pytest.mark.parametrize(("currency", "expected"), [("JPY", "¥30,000"), ("USD", "$30,000"), ("EUR", "€30,000")])
def test_currencies(currency, expected):
    assert format_number(30_000.0, "yen", "en", currency=currency) == expected
    assert format_number(30_000.0, "yen", "ja", currency=currency) == expected


@pytest.mark.parametrize(("value", "lang", "currency", "expected"), [
    (0.0, "ja", "JPY", "0円"),
    (9_999.0, "ja", "JPY", "9,999円"),
    (10_000.0, "ja", "JPY", "1万円"),
    (15_000.0, "ja", "JPY", "1.5万円"),
    (30_000_000.0, "ja", "JPY", "3,000万円"),
    (100_000_000.0, "ja", "JPY", "1億円"),
    (150_000_000.0, "ja", "JPY", "1.5億円"),
    (1.2e12, "ja", "JPY", "12,000億円"),
    (30_000_000.0, "ja", "USD", "3,000万ドル"),
    (-25_000.0, "ja", "JPY", f"{M}2.5万円"),
    (0.0, "en", "JPY", "¥0"),
    (999.0, "en", "JPY", "¥999"),
    (1_500.0, "en", "JPY", "¥1.5K"),
    (30_000_000.0, "en", "JPY", "¥30M"),
    (300_000_000.0, "en", "JPY", "¥300M"),
    (1_500_000_000.0, "en", "JPY", "¥1.5B"),
    (30_000_000.0, "en", "USD", "$30M"),
    (2_000_000.0, "en", "EUR", "€2M"),
    (None, "en", "JPY", "—"),
])
def test_format_compact(value, lang, currency, expected):
    assert format_compact(value, lang, currency=currency) == expected


@pytest.mark.parametrize(("value", "unit", "lang", "grain", "currency", "expected"), [
    (151.1, "count", "ja", "period", "JPY", "+151件"),
    (151.1, "count", "en", "per_rep_per_day", "JPY", "+151.1"),
    (-3.0, "count", "ja", "period", "JPY", f"{M}3件"),
    (0.2, "count", "ja", "period", "JPY", "±0件"),
    (-3.84, "percent", "ja", None, "JPY", f"{M}3.8pt"),
    (3.84, "percent", "en", None, "JPY", "+3.8 pt"),
    (2.0, "rate_gap", "en", None, "JPY", "+2.0 pt"),
    (-30_000.0, "yen", "en", None, "USD", f"{M}$30,000"),
    (1_500_000.0, "yen", "ja", None, "JPY", "+¥1,500,000"),
    (0.5, "points", "en", None, "JPY", "+0.5 pts"),
    (None, "count", "ja", "period", "JPY", "—"),
])
def test_format_delta(value, unit, lang, grain, currency, expected):
    assert format_delta(value, unit, lang, grain=grain, currency=currency) == expected


@pytest.mark.parametrize(("lang", "currency", "fragments"), [
    ("ja", "JPY", ["abs(datum.value) >= 100000000", "'億円'", "abs(datum.value) >= 10000", "'万円'", "'円'",
                   "',.1~f'"]),
    ("en", "JPY", ["abs(datum.value) >= 1000000000", "'¥' + ", "'B'", "'M'", "'K'"]),
    ("en", "USD", ["'$' + ", "'M'"]),
])
def test_compact_label_expr(lang, currency, fragments):
    expr = compact_label_expr(lang, currency=currency)
    assert expr.startswith(f"(datum.value < 0 ? '{M}' : '')")
    assert all(fragment in expr for fragment in fragments)


@pytest.mark.parametrize(("label", "unit", "lang", "currency", "expected"), [
    ("粗利率", "percent", "ja", "JPY", "粗利率（%）"),
    ("Gross margin", "percent", "en", "JPY", "Gross margin (%)"),
    ("IS部門コスト(月額)", "yen", "ja", "JPY", "IS部門コスト(月額)（円）"),
    ("IS cost per month", "yen", "en", "USD", "IS cost per month (USD)"),
    ("人数", "count", "ja", "JPY", "人数"),
])
def test_input_label(label, unit, lang, currency, expected):
    assert input_label(label, unit, lang, currency=currency) == expected


def test_kpi_value_text_uses_the_kpi_grain_and_currency():
    catalogue = default_catalogue()
    per_rep = next(i for i, k in catalogue.kpis.items() if k.unit == "count" and k.grain == "per_rep_per_day")
    money = next(i for i, k in catalogue.kpis.items() if k.unit == "yen")
    assert kpi_value_text(catalogue, per_rep, 78.66, "ja") == "78.7件/人/日"
    assert kpi_value_text(catalogue, per_rep, 78.66, "en") == "78.7 per rep per day"
    assert kpi_value_text(catalogue, per_rep, 80.0, "ja") == "80件/人/日"
    assert kpi_value_text(catalogue, money, 30_000.0, "en", currency="USD").startswith("$30,000")


@pytest.mark.parametrize(("lang", "currency", "title", "fragment"), [
    ("ja", "JPY", "金額(円)", "'万円'"),
    ("en", "JPY", "Amount (JPY)", "'¥' + "),
    ("en", "USD", "Amount (USD)", "'$' + "),
])
def test_amount_chart_axis_reads_compact_amounts(lang, currency, title, fragment):
    """The strategy page's amount axis: compact amounts in the team's currency, never `300M`."""
    catalogue = default_catalogue()
    frame = amount_frame({}, catalogue, lang, currency)
    spec = amount_chart(frame, catalogue, lang, currency).to_dict()
    y = spec["encoding"]["y"]
    assert y["title"] == title
    assert y["axis"] == {"labelExpr": compact_label_expr(lang, currency=currency)}
    assert fragment in y["axis"]["labelExpr"] and "format" not in y["axis"]


def test_trend_chart_axis_of_an_amount_kpi_is_compact():
    catalogue = default_catalogue()
    money = next(i for i, k in catalogue.kpis.items() if k.unit == "yen" and k.grain == "per_month")
    series = pd.DataFrame({"period": ["2026-04-01"], "start": [date(2026, 4, 1)], "end": [date(2026, 4, 30)],
                           "value": [30_000_000.0], "target": [50_000_000.0]})
    spec = trend_chart(series, catalogue, money, "month", "en", "USD").to_dict()
    line = spec["layer"][-1]["encoding"]
    assert line["y"]["axis"]["labelExpr"] == compact_label_expr("en", currency="USD")
    points = spec["datasets"][spec["layer"][-1]["data"]["name"]]
    assert points[0]["value_text"].startswith("$30,000,000")


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (-2.54, "points", "-2.5点"),  # ASCII minus: st.metric colours it red
    (151.0, "count", "+151件"),
    (0.0, "percent", "±0.0pt"),
    (None, "count", None),
])
def test_metric_delta(value, unit, expected):
    assert metric_delta(value, unit, "ja", grain="period") == expected
