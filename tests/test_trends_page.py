"""The trends and pacing page through AppTest, on the demo data (growth phase, data to Fri 30 Oct 2026).

October 2026: 22 weekdays − スポーツの日 (Mon 12) = 21 business days; 1–15 October holds 10 of them
(1, 2, 5–9, 13–15). The page is reached through app.py's router, so these tests wait until app.py
registers it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from rendering import texts
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGE = "views/trends.py"
KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana and katakana: never in the English UI's own words

pytestmark = pytest.mark.skipif(PAGE not in APP.read_text(encoding="utf-8"), reason="app.py does not route to the page yet")


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PHASEKPI_PROFILES", str(tmp_path / "profiles.json"))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at




def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at: AppTest) -> int:
    return len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart"))


def test_the_page_in_japanese(app: AppTest) -> None:
    assert [t.value for t in app.title] == ["KPIの推移と月末着地予測"]
    assert [h.value for h in app.header] == ["推移", "今月のペースと月末着地予測", "アラート"]
    assert app.selectbox(key="trends_kpi_ja").value == "opportunity_rate"  # the growth phase's most important
    assert metrics(app) == {"今月の営業日": "21日", "経過営業日": "21日", "残り営業日": "0日", "稼働担当者": "12名"}
    assert list(app.dataframe[0].value["KPI"]) == ["SQL創出数", "架電数", "商談創出金額"]
    assert charts(app) == 2  # the trend and the pacing chart
    assert [e.value for e in app.error] == ["**商談化率**: 実績 10.0%(目標 15.0%、達成率 66.9%)"]


def test_the_page_in_english(app: AppTest) -> None:
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert [t.value for t in app.title] == ["KPI trends and month-end forecast"]
    assert metrics(app)["Business days this month"] == "21"
    leaked = [text for text in texts(app) if KANA.search(re.sub(r"<[^>]+>", "", text))]
    assert leaked == []
    assert [e.value for e in app.error] == ["**Opportunity rate**: actual 10.0% (target 15.0%, 66.9% of target)"]


def test_mid_month_pace_and_company_holidays(app: AppTest) -> None:
    app.date_input[0].set_value((date(2026, 9, 1), date(2026, 10, 15))).run()
    assert metrics(app) == {"今月の営業日": "21日", "経過営業日": "10日", "残り営業日": "11日", "稼働担当者": "12名"}
    app.text_area(key="company_holidays_text").input("2026-10-14\n2026/10/31\n10月").run()  # Wed, Sat, not a date
    assert not app.exception
    assert app.session_state["company_holidays"] == [date(2026, 10, 14), date(2026, 10, 31)]
    assert metrics(app) == {"今月の営業日": "20日", "経過営業日": "9日", "残り営業日": "11日", "稼働担当者": "12名"}
    assert [w.value for w in app.warning] == ["日付として読めない入力を無視しました: 10月"]


def test_the_chosen_kpi_survives_the_language_switch(app: AppTest) -> None:
    app.selectbox(key="trends_kpi_ja").set_value("calls").run()
    app.radio(key="trends_by_ja").set_value("month").run()
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.selectbox(key="trends_kpi_en").value == "calls"
    assert app.radio(key="trends_by_en").value == "month"


def test_no_alert_below_a_lower_threshold(app: AppTest) -> None:
    app.session_state["settings"] = {"alert_threshold_pct": 50}
    app.run()
    assert [e.value for e in app.error] == []
    assert [s.value for s in app.success] == ["目標の50%を下回る見込みのKPIはありません。"]
