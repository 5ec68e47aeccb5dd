"""The settings & workspace page through AppTest; what one session saves, the next one starts from."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rendering import texts, unescaped
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGE = "views/settings.py"
TITLES = {"ja": "設定・ワークスペース", "en": "Settings and workspace"}
KANA = re.compile(r"[\u3040-\u30ff]")
pytestmark = pytest.mark.skipif(PAGE not in APP.read_text(encoding="utf-8"),
                                reason=f"app.py does not register '{PAGE}' in st.navigation yet")


def workspace_file() -> Path:
    return Path(os.environ["PHASEKPI_WORKSPACE"])  # a tmp path for every test (tests/conftest.py)


def new_session(page: str | None = None) -> AppTest:
    """A new browser session on the dashboard, or on `page` (the targets live on the settings page)."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at




@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_page_renders_in_both_languages(lang: str) -> None:
    at = new_session()
    at.radio(key="lang").set_value(lang).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert [t.value for t in at.title] == [TITLES[lang]]
    page = " ".join(texts(at))
    assert str(workspace_file()) in page
    assert ("このファイルには入らず" if lang == "ja" else "Uploaded CRM rows are not in this file") in page
    if lang == "en":
        assert [t for t in texts(at) if KANA.search(t)] == []


def test_a_target_changed_on_settings_is_there_in_a_new_session() -> None:
    first = new_session(PAGE)
    first.number_input(key="target_growth_opportunity_rate").set_value(33.0).run()
    first.number_input(key="setting_is_cost_per_month").set_value(7_000_000.0).run()
    assert not first.exception
    assert workspace_file().exists()
    second = new_session(PAGE)  # a new browser session, same workspace file
    assert second.number_input(key="target_growth_opportunity_rate").value == 33.0
    assert second.number_input(key="setting_is_cost_per_month").value == 7_000_000.0


def test_company_holidays_entered_on_the_trends_page_are_there_in_a_new_session() -> None:
    first = new_session()
    first.switch_page("views/trends.py").run()
    first.text_area(key="company_holidays_text").input("2026-08-13\n2026-08-14").run()
    assert not first.exception
    second = new_session()
    second.switch_page("views/trends.py").run()
    assert second.text_area(key="company_holidays_text").value == "2026-08-13\n2026-08-14"


def test_a_submitted_checklist_is_kept_and_recorded_in_the_history() -> None:
    at = new_session()
    at.switch_page("views/diagnosis.py").run()
    for item in ("M1", "M2"):
        at.checkbox(key=f"item_{item}").check()
    next(b for b in at.button if b.label == "診断する").click().run()
    assert not at.exception
    at.switch_page(PAGE).run()
    history = at.dataframe[0].value
    assert len(history) == 1 and list(history.iloc[0])[1] == "成熟期"
    assert len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart")) == 1
    again = new_session()
    again.switch_page("views/diagnosis.py").run()
    assert again.checkbox(key="item_M1").value and not again.checkbox(key="item_S1").value


def test_yaml_import_lists_every_problem_then_applies_a_good_file() -> None:
    at = new_session()
    at.switch_page(PAGE).run()
    bad = b"version: 1\ntargets:\n  growth:\n    opportunity_rate: lots\n  winter: {}\nsurprise: 1\n"
    at.file_uploader(key="workspace_yaml").set_value(("bad.yaml", bad, "application/x-yaml")).run()
    next(b for b in at.button if b.label == "取り込む").click().run()
    assert not at.exception
    shown = unescaped(at.error[0].value)
    for field in ("targets.growth.opportunity_rate", "targets.winter", "surprise"):
        assert field in shown
    good = b"version: 1\ntargets:\n  growth:\n    opportunity_rate: 41\nholidays: [2026-08-13]\n"
    at.file_uploader(key="workspace_yaml").set_value(("good.yaml", good, "application/x-yaml")).run()
    next(b for b in at.button if b.label == "取り込む").click().run()
    assert not at.exception and at.success
    fresh = new_session(PAGE)
    assert fresh.number_input(key="target_growth_opportunity_rate").value == 41.0


def test_reset_moves_the_file_aside_and_starts_from_defaults() -> None:
    at = new_session(PAGE)
    at.number_input(key="target_growth_opportunity_rate").set_value(33.0).run()
    next(b for b in at.button if b.label == "ワークスペースをリセット").click().run()
    assert not at.exception
    assert list(workspace_file().parent.glob("workspace.duckdb.broken-*"))
    assert "移動しました" in " ".join(texts(at))
    assert new_session(PAGE).number_input(key="target_growth_opportunity_rate").value != 33.0


def test_a_locked_workspace_shows_a_banner_and_the_app_still_works() -> None:
    first = new_session(PAGE)
    first.number_input(key="target_growth_opportunity_rate").set_value(33.0).run()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, duckdb
        con = duckdb.connect({str(workspace_file())!r})
        print("held", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        at = new_session()
        assert sum("読み取り専用" in w.value for w in at.warning) == 1  # one banner, not one per call
        at.switch_page(PAGE).run()
        assert not at.exception
        assert at.number_input(key="target_growth_opportunity_rate").value != 33.0  # defaults
        assert "別のプロセスが使用中" in " ".join(texts(at))
    finally:
        holder.stdin.close()
        holder.wait(timeout=20)


@pytest.mark.parametrize(("lang", "button", "limit"), [
    ("ja", "ファイルを選択", "YAMLファイル(.yaml / .yml)をここにドロップ・1ファイル200MBまで"),
    ("en", "Browse files", "Drop a YAML file (.yaml / .yml) here · up to 200 MB"),
])
def test_the_yaml_uploader_speaks_the_users_language(lang: str, button: str, limit: str) -> None:
    """Streamlit's own "200MB per file • YAML, YML" and button are replaced by our words (ui.widgets.UPLOADER_CSS)."""
    at = new_session()
    at.radio(key="lang").set_value(lang).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    styles = [m.value for m in at.markdown if "stFileUploaderDropzone" in m.value]
    assert len(styles) == 1 and len(at.file_uploader) == 1
    assert f'content:"{button}"' in styles[0] and f'content:"{limit}"' in styles[0]


@pytest.mark.parametrize(("currency", "symbol"), [("USD", "$"), ("EUR", "€")])
def test_the_currency_chosen_on_the_settings_page_is_the_next_sessions(currency: str, symbol: str) -> None:
    """A dollar CRM's amounts: chosen once by an owner, then every amount of every session uses it."""
    first = new_session()
    first.switch_page(PAGE).run()
    assert first.selectbox(key="currency_choice").value == "JPY"  # no guess: yen until chosen
    first.selectbox(key="currency_choice").set_value(currency).run()
    assert not first.exception
    second = new_session()
    second.switch_page("views/strategy.py").run()
    assert not second.exception
    amounts = [m.value for m in second.metric if symbol in m.value]
    assert amounts and not any("¥" in m.value for m in second.metric)
    cost = second.number_input(key="setting_is_cost_per_month")
    assert cost.label == f"IS部門コスト(月額)（{ {'USD': 'ドル', 'EUR': 'ユーロ'}[currency]}）"
    assert cost.help == "入力値: " + ("\\$" if symbol == "$" else symbol) + "8,400,000"  # a markdown $ escaped
    formulas = next(m.value for m in second.markdown if "CAC" in m.value and "8,400,000" in m.value)
    assert "$" not in formulas.replace("\\$", "")  # two bare $ would render the text between them as maths
