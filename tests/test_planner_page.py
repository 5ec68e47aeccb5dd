"""The KGI planner and strategic-KPI pages, driven through AppTest from app.py on the demo data.

Demo numbers used below: 12 active reps; period 2026-02-02 to 2026-10-30 = 271 days = 271 ÷ 30.4375
= 8.90349 months; 520 deals won for ¥703,850,000.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rendering import texts
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
TITLES = {
    "views/planner.py": {"ja": "KGIから逆算する行動計画とKPIツリー", "en": "KGI planner: from the goal down to daily calls"},
    "views/strategy.py": {"ja": "戦略KPI(売上貢献と投資対効果)", "en": "Strategic KPIs: revenue contribution and return"},
}
KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana and katakana: never in the English UI's own words


def registered(page: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(page not in APP.read_text(encoding="utf-8"),
                              reason=f"app.py does not register '{page}' in st.navigation yet")


@pytest.fixture()
def app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception
    return at




@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("page", [pytest.param(page, marks=registered(page)) for page in TITLES])
def test_the_page_renders_in_both_languages(app: AppTest, page: str, lang: str) -> None:
    app.radio(key="lang").set_value(lang).run()
    app.switch_page(page).run()
    assert not app.exception
    assert [t.value for t in app.title] == [TITLES[page][lang]]
    assert app.get("vega_lite_chart") or app.get("arrow_vega_lite_chart")
    if lang == "en":
        leaked = [text for text in texts(app) if KANA.search(re.sub(r"<[^>]+>", "", text))]
        assert leaked == []


def plan_rows(app: AppTest) -> dict[str, list[str]]:
    table = app.dataframe[0].value
    return {row[0]: list(row[1:3]) for row in table.itertuples(index=False)}


@registered("views/planner.py")
def test_typed_rates_give_the_plan_and_survive_a_page_switch(app: AppTest) -> None:
    """240 opportunities a month at 80 % / 20 % / 50 % / 25 % typed: 300 appointments, 1,500 effective
    conversations, 3,000 connects and 12,000 calls a month; 12 reps × 20 days = 240 rep-days, so
    1.0 opportunity, 1.25 appointments, 6.25 effective conversations, 12.5 connects, 50 calls per rep per day."""
    app.switch_page("views/planner.py").run()
    app.radio(key="planner_kgi_kind_ja").set_value("opportunities").run()
    assert not any(r.label == "受注率(引き継ぎ商談)" for r in app.radio)  # an opportunity KGI needs no win rate
    app.number_input(key="planner_kgi_opportunities_month").set_value(240).run()
    for step, rate in {"opportunity_per_appointment": 80, "appointment_rate": 20, "effective_conversation_rate": 50,
                       "connect_rate": 25}.items():
        app.radio(key=f"planner_source_{step}_ja").set_value("typed").run()
        app.number_input(key=f"planner_typed_{step}").set_value(rate).run()
    assert not app.exception
    expected = {
        "商談数": ["240件", "1件"],  # team counts per month whole; per rep per day one decimal, never `.0`
        "アポイント数(架電)": ["300件", "1.3件"],  # 1.25 shown to one decimal, half up as Excel
        "有効会話数": ["1,500件", "6.3件"],  # 6.25
        "コネクト数": ["3,000件", "12.5件"],
        "架電数": ["12,000件", "50件"],
    }
    assert plan_rows(app) == expected
    app.switch_page("views/dashboard.py").run()
    app.switch_page("views/planner.py").run()
    assert plan_rows(app) == expected
    assert app.number_input(key="planner_kgi_opportunities_month").value == 240


@registered("views/planner.py")
def test_a_missing_rate_is_explained(app: AppTest) -> None:
    app.switch_page("views/planner.py").run()
    app.radio(key="planner_source_connect_rate_ja").set_value("typed").run()
    app.number_input(key="planner_typed_connect_rate").set_value(0).run()
    table = app.dataframe[0].value
    calls = table[table["指標"] == "架電数"].iloc[0]
    assert calls["月あたり(チーム)"] == "—"
    assert calls["備考"] == "コネクト率が決まっていません(0%より大きく100%以下で入力してください)。"


@registered("views/strategy.py")
def test_settings_reach_the_strategic_kpis_in_the_same_run(app: AppTest) -> None:
    """IS cost ¥5,200,000 a month: CAC = 5,200,000 × 8.90349 ÷ 520 = ¥89,035; LTV/CAC = 840,000 ÷ 89,035
    = 9.43. Forecast ¥600,000,000: error = |600,000,000 − 703,850,000| ÷ 703,850,000 = 14.8 %."""
    app.switch_page("views/strategy.py").run()
    assert "下の設定で「期間の受注予測額」を入力すると、予測の乖離率を計算します。" in texts(app)
    app.number_input(key="setting_is_cost_per_month").set_value(5_200_000).run()
    app.number_input(key="setting_forecast_won_amount").set_value(600_000_000).run()
    assert not app.exception
    cards = {m.label: m.value for m in app.metric}
    assert cards["CAC(顧客獲得コスト) ★★☆"] == "¥89,035" and cards["LTV/CAC比率 ★★☆"] == "9.43倍"
    assert [m.value for m in app.metric][-1] == "14.8%"
    page = " ".join(texts(app))
    assert "**予測の乖離率** = |受注予測額 ¥600,000,000 − 受注実績 ¥703,850,000| ÷ 受注実績 × 100 = 14.8%" in page
    assert "LTV/CACは9.43倍で、健全の目安である3.0以上です。" in page
