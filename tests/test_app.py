"""The Streamlit app driven through AppTest: every page, an upload, the checklist, languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rendering import texts
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = {  # page → its title in each language (demo data loaded, checklist not answered)
    "views/data.py": {"ja": "データの読み込み", "en": "Load your data"},
    "views/diagnosis.py": {"ja": "フェーズ診断チェックリスト", "en": "Phase diagnostic checklist"},
    "views/dashboard.py": {"ja": "成長期のKPIダッシュボード", "en": "Growth KPI dashboard"},
    "views/funnel.py": {"ja": "ファネルとボトルネック", "en": "Funnels and bottleneck"},
    "views/reps.py": {"ja": "担当者別の状況", "en": "Reps"},
    "views/export.py": {"ja": "Excel KPIシートの出力", "en": "Download the Excel KPI sheet"},
}
KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana and katakana: never in the English UI's own words

ACTIVITIES_CSV = """activity_id,occurred_at,rep,team,channel,lead_id,outcome,duration_sec,email_opened,email_replied
A1,2025-04-01 10:00,Ann,East,call,L1,Connected,150,,
A2,2025-04-01 10:30,Ann,East,call,L2,No answer,0,,
A3,2025-04-01 11:00,Ann,East,call,L3,Meeting booked,400,,
A4,2025-04-02 10:00,Bob,East,call,L4,Connected,30,,
A5,2025-04-02 11:00,Bob,East,email,L5,,,true,false
A6,2025-04-02 11:00,Bob,East,call,L6,,bad-duration,,
"""


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PHASEKPI_PROFILES", str(tmp_path / "profiles.json"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


REPORT_CALLS = "calls.csv(活動(架電・メール)): 6行を読み取りました。新規 5、更新 0、重複 0、除外 1、フッター 0。"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_renders_in_both_languages(app: AppTest, lang: str) -> None:
    app.radio(key="lang").set_value(lang).run()
    for page, titles in PAGES.items():
        app.switch_page(page).run()
        assert not app.exception, page
        assert [t.value for t in app.title] == [titles[lang]]
        if lang == "en":
            leaked = [text for text in texts(app) if KANA.search(re.sub(r"<[^>]+>", "", text))]
            assert leaked == [], f"Japanese text left on the English {page}"


def test_dashboard_names_the_demo_bottleneck_and_its_countermeasures(app: AppTest) -> None:
    page = " ".join(texts(app))
    assert "ボトルネック: アポイント獲得率 9.4%(目安の下限 15.0% を 5.6pt 下回っています)" in page  # points, not %
    assert "トークスクリプトの改善" in page
    # the funnel and its rates, and a sparkline on each of the six cards (the demo spans 39 weeks)
    assert len(app.get("vega_lite_chart")) + len(app.get("arrow_vega_lite_chart")) == 2 + 6


def upload(app: AppTest, files: list[tuple[str, bytes]]) -> None:
    app.switch_page("views/data.py").run()
    app.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files])
    app.button[0].click().run()  # check the files: mapping proposed
    assert not app.exception


def test_an_upload_goes_into_the_teams_history_and_reports_every_row(app: AppTest, tmp_path: Path) -> None:
    upload(app, [("calls.csv", ACTIVITIES_CSV.encode())])
    assert "列の対応付けを確認" in [s.value for s in app.subheader]
    preview = app.dataframe[0].value
    assert list(preview.columns)[:3] == ["活動ID", "日時", "担当者(IS)"]
    assert list(preview.iloc[0])[:3] == ["A1", "2025-04-01 10:00:00", "Ann"]
    next(b for b in app.button if b.label == "読み込む").click().run()
    assert not app.exception
    assert [t.value for t in app.toast] == ["読み込みが終わりました: 新しい行 5件(ファイル1件)"]  # the load said it is done
    page = " ".join(texts(app))
    assert REPORT_CALLS in page
    reasons, rejected, uploaded, tables = (app.dataframe[i].value for i in range(4))
    assert list(reasons.iloc[0]) == ["duration_sec を通話時間として読めません(135、2:15、00:02:15、2分15秒 などの形式)", 1]
    assert list(rejected.iloc[0])[:3] == [7, "duration_sec", "bad-duration"]
    assert list(uploaded.iloc[0][["ファイル", "新規", "更新", "重複", "除外", "状態"]]) == [
        "calls.csv", "5", "0", "0", "1", "有効"]
    assert list(tables.iloc[0])[:2] == ["活動(架電・メール)", "5"]
    assert (tmp_path / "profiles.json").exists()  # the confirmed mapping is remembered
    app.switch_page("views/dashboard.py").run()
    assert not app.exception
    assert "チームのデータ(アップロード1件、2025-04-02まで)" in [c.value for c in app.sidebar.caption]


def test_a_cp932_salesforce_report_maps_and_loads(app: AppTest) -> None:
    data = (Path(__file__).parent / "data" / "crm" / "salesforce_report_ja_activities_cp932.csv").read_bytes()
    upload(app, [("活動レポート.csv", data), ("products.csv", b"product,series,sales_price\nGTX,GT,550\n")])
    page = " ".join(texts(app))
    assert "活動レポート.csv — 活動(架電・メール)(cp932、" in page
    assert "products.csv は商品の出力のようです" in page
    assert app.selectbox(key="map_1_ja_0_activities.rep").value == "任命先"
    next(b for b in app.button if b.label == "読み込む").click().run()
    loaded = "活動レポート.csv(活動(架電・メール)): 8行を読み取りました。新規 8、更新 0、重複 0、除外 0、フッター 0。"
    assert loaded in " ".join(texts(app))


def test_an_unclassified_call_result_can_be_classified(app: AppTest) -> None:
    csv_text = ACTIVITIES_CSV.replace("Connected,150", "つながった,150").replace("Connected,30", "つながった,30")
    upload(app, [("calls.csv", csv_text.encode())])
    next(b for b in app.button if b.label == "読み込む").click().run()
    assert "分類されていない通話結果が1種類(2件)あります。下の表で分類してください。" in " ".join(texts(app))
    words = app.data_editor[0].value
    assert list(words.iloc[0]) == ["つながった", 2, "未分類"]  # the unclassified word comes first
    assert set(words["分類"]) == {"未分類", "未接続", "アポイント獲得"}


@pytest.mark.parametrize(("ticked", "title", "reference"), [
    (["S1", "S2", "S3"], "立ち上げ期のKPIダッシュボード", None),
    (["S1", "S2", "S3", "G1", "G2", "G3"], "立ち上げ期のKPIダッシュボード", "参考値: 成長期のKPI"),
    (["G1", "G2", "G3", "M1", "M2"], "成長期のKPIダッシュボード", "参考値: 成熟期のKPI"),
    (["M1", "M2"], "成熟期のKPIダッシュボード", None),
])
def test_checklist_answers_choose_the_dashboard_phase(app: AppTest, ticked: list[str], title: str,
                                                      reference: str | None) -> None:
    app.switch_page("views/diagnosis.py").run()
    for item in ticked:
        app.checkbox(key=f"item_{item}").check()
    app.button[0].click().run()
    assert not app.exception
    app.switch_page("views/dashboard.py").run()
    assert [t.value for t in app.title] == [title]
    subheaders = [s.value for s in app.subheader]
    assert (reference in subheaders) if reference else not any(s.startswith("参考値") for s in subheaders)


def test_override_wins_over_the_data_estimate(app: AppTest) -> None:
    app.switch_page("views/diagnosis.py").run()
    app.session_state["override_choice_ja"] = "mature"
    app.session_state["override"] = "mature"
    app.run()
    assert "手動で成熟期を選択しています。" in " ".join(texts(app))
    app.switch_page("views/dashboard.py").run()
    assert [t.value for t in app.title] == ["成熟期のKPIダッシュボード"]


def test_target_changes_on_settings_reach_the_cards(app: AppTest) -> None:
    """The growth phase's first card is 商談化率 (★★★): the demo's 10.0 % against 15 %, then against 10 %."""
    before = [m.value for m in app.markdown if 'class="kpi-' in m.value]
    assert "目標 15.0%" in before[0] and "達成率 67%" in before[1]
    app.switch_page("views/settings.py").run()
    app.number_input(key="target_growth_opportunity_rate").set_value(10.0).run()
    app.switch_page("views/dashboard.py").run()
    after = [m.value for m in app.markdown if 'class="kpi-' in m.value]
    assert "目標 10.0%" in after[0] and "達成率 100%" in after[1]


def test_funnel_page_shows_the_what_if_and_splits_by_rep(app: AppTest) -> None:
    app.switch_page("views/funnel.py").run()
    assert not app.exception
    gains = {m.label: m.value for m in app.metric}
    assert gains["架電アポイント数"] == "+151件"  # extra per month, whole; 2,230 × (15 ÷ 9.36 − 1) ÷ 8.9 months
    assert gains["受注貢献金額"].startswith("+¥47,")
    app.radio(key="funnel_split_ja").set_value("担当者").run()
    table = app.dataframe[0].value
    assert len(table) == 12 and table.iloc[0]["ボトルネック"] == "アポイント獲得率"
    app.radio(key="funnel_choice_ja").set_value("リードファネル").run()
    assert not app.exception


def test_reps_page_lists_reps_by_name_and_measures_the_gap(app: AppTest) -> None:
    app.switch_page("views/reps.py").run()
    assert not app.exception
    board = app.dataframe[0].value
    assert list(board["担当者"]) == sorted(board["担当者"])
    assert len(board) == 12
    gaps = {m.label: m.value for m in app.metric}
    assert set(gaps) == {"コネクト率の差", "有効会話率の差", "アポイント獲得率の差", "商談化率の差"}
    assert all(re.fullmatch(r"\d+\.\dpt", value) for value in gaps.values()), gaps  # rate gaps in points, never %
    app.radio(key="reps_sort_ja").set_value("平均達成率の高い順").run()
    ordered = app.dataframe[0].value["平均達成率"].tolist()
    assert ordered == sorted(ordered, reverse=True)
    app.radio(key="lang").set_value("en").run()
    calls = app.dataframe[0].value["Calls (per rep per day)"].tolist()  # the grain in the header keeps cells narrow
    assert all(re.fullmatch(r"[\d,.]+ \(\d+%\)", cell) for cell in calls), calls  # spaced in English


def test_a_file_too_big_to_upload_loads_from_the_import_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "import"
    folder.mkdir()
    (folder / "calls.csv").write_text(ACTIVITIES_CSV, encoding="cp932")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")  # not an export: never listed
    monkeypatch.setenv("PHASEKPI_IMPORT_DIR", str(folder))
    monkeypatch.setenv("PHASEKPI_PROFILES", str(tmp_path / "profiles.json"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/data.py").run()
    picker = at.multiselect(key="import_files")
    assert picker.options == ["calls.csv (0.4 KB)"]
    picker.set_value(["calls.csv"]).run()
    at.button(key="check_import").click().run()
    assert "列の対応付けを確認" in [s.value for s in at.subheader]
    next(b for b in at.button if b.label == "読み込む").click().run()
    assert not at.exception
    assert REPORT_CALLS in " ".join(texts(at))
    assert (folder / "calls.csv").read_text(encoding="cp932") == ACTIVITIES_CSV  # read in place, left as it was


def test_an_empty_import_folder_says_where_files_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEKPI_IMPORT_DIR", str(tmp_path / "nowhere"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/data.py").run()
    assert "フォルダにCSV・TXT・TSV・GZ・XLSXのファイルがありません。" in [i.value for i in at.info]
    assert any(str(tmp_path / "nowhere") in c.value for c in at.caption)


def memo_values(at: AppTest, kind: str) -> list[object]:
    return at.session_state["kpi_memo"].values(kind)


def test_page_switches_reuse_the_session_cache_until_the_data_changes(app: AppTest) -> None:
    first = memo_values(app, "kpis")
    assert len(first) == 1  # the dashboard computed its KPI values once
    for page in ("views/funnel.py", "views/reps.py", "views/dashboard.py"):
        app.switch_page(page).run()
        assert not app.exception
    again = memo_values(app, "kpis")
    assert len(again) == 1 and again[0] is first[0]  # the same object: nothing was recomputed
    app.switch_page("views/data.py").run()
    upload(app, [("calls.csv", ACTIVITIES_CSV.encode())])
    next(b for b in app.button if b.label == "読み込む").click().run()
    app.switch_page("views/dashboard.py").run()
    fresh = [v for v in memo_values(app, "kpis") if v.period.start.year == 2025]
    # new data, new values: the data page's health check over all of it, the dashboard over its dates;
    # A1–A4 are the calls (A6 is rejected)
    assert len(fresh) == 2 and all(v.total("calls") == 4 for v in fresh)
    app.switch_page("views/funnel.py").run()
    app.switch_page("views/data.py").run()
    app.switch_page("views/dashboard.py").run()
    again = [v for v in memo_values(app, "kpis") if v.period.start.year == 2025]
    assert len(again) == 2 and all(a is f for a, f in zip(again, fresh, strict=True))  # nothing recomputed


def test_a_call_log_under_the_mature_phase_says_what_is_missing_and_offers_what_it_can_show(app: AppTest) -> None:
    """Five calls and emails of Ann (1 April) and Bob (2 April): 2 rep-days. No mature KPI can be
    computed (they need opportunities or leads), so the dashboard says so and shows the other phases'
    KPIs this log gives: calls 4 ÷ 2 = 2 per rep per day, connects (Connected ×2, Meeting booked) 1.5."""
    upload(app, [("calls.csv", ACTIVITIES_CSV.encode())])
    next(b for b in app.button if b.label == "読み込む").click().run()
    app.session_state["override"] = "mature"
    app.switch_page("views/dashboard.py").run()
    assert not app.exception
    warning = " ".join(w.value for w in app.warning)
    assert "読み込んだデータからは成熟期のKPIをどれも計算できません。" in warning and "商談" in warning
    assert "このデータで見られるKPI" in [s.value for s in app.subheader]
    shown = {m.label.rstrip(" ★☆"): m.value for m in app.metric}
    assert shown["架電数"] == "2件" and shown["コネクト数"] == "1.5件"  # per rep per day, as the target line says
    assert "受注貢献金額" not in shown  # a KPI the data cannot give is not offered
