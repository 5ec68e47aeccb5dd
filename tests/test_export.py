"""The Excel KPI design sheet: a real DuckDB store, a real workbook, reopened with openpyxl and
recalculated by a headless LibreOffice.

The data are small enough to work out every actual by hand (see EXPECTED_ACTUALS). Every
number a formula computes is checked against the function of the app that computes it:
achievements against metrics.achievement, the funnel against funnel.build_funnel, the KGI plan
against planner.build_plan, the per-rep sheet against reps.leaderboard.

The golden dump of the cell grid is in tests/data/golden/; regenerate it with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_export.py` and read the diff.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Catalogue, default_catalogue
from phasekpi.diagnosis import Diagnosis, judge, phase_from_age
from phasekpi.export import KpiSheet, write_workbook
from phasekpi.export.cells import FIRST_ROW, HEADER_ROW, INPUT_FILL, write_text
from phasekpi.export.definitions import DEFINITIONS_HEADER_ROW
from phasekpi.export.funnel import FUNNEL_FIRST_ROW
from phasekpi.export.plan import PLAN_FIRST_INPUT_ROW, plan_first_line_row, plan_names
from phasekpi.export.reps import REPS_FIRST_ROW, REPS_TARGET_ROW
from phasekpi.funnel import build_funnel, find_bottleneck
from phasekpi.ingest import load_files
from phasekpi.metrics import KpiResults, KpiValue, achievement, compute_grouped, compute_kpis, status_of
from phasekpi.planner import Plan, PlanInputs, build_plan, default_inputs, kpi_tree
from phasekpi.problems import LoadReport
from phasekpi.reps import leaderboard
from phasekpi.schema import open_store
from phasekpi.selection import DAYS_PER_MONTH, Filters

# Two reps, two days (2025-04-01 and 02): rep-days = 3 (佐藤 both days, 鈴木 the first).
ACTIVITIES = """activity_id,occurred_at,rep,channel,lead_id,outcome,duration_sec,email_opened,email_replied
a1,2025-04-01 09:00,佐藤,call,L1,接続,30,,
a2,2025-04-01 09:10,佐藤,call,L2,不在,0,,
a3,2025-04-01 09:20,佐藤,call,L3,アポ獲得,300,,
a4,2025-04-01 10:00,佐藤,email,L4,,,true,false
a5,2025-04-01 09:00,鈴木,call,L5,有効会話,200,,
a6,2025-04-01 09:30,鈴木,call,L6,不在,0,,
a7,2025-04-01 09:40,鈴木,call,L7,不在,0,,
a8,2025-04-02 09:00,佐藤,call,L1,接続,150,,
a9,2025-04-02 09:10,佐藤,call,L8,不在,0,,
a10,2025-04-02 09:20,佐藤,call,L9,不在,0,,
"""
OPPORTUNITIES = """opportunity_id,created_at,rep,status,amount,closed_at,quality_score
O1,2025-04-01,佐藤,won,1200000,2025-04-02,80
O2,2025-04-02,鈴木,open,3000000,,60
"""
LEADS = """lead_id,created_at,rep,status
L1,2025-04-01,佐藤,SQL
L3,2025-04-01,佐藤,SQL
L5,2025-04-02,鈴木,MQL
"""
# File names as the user uploaded them: user data that must never become formulas.
FILES = (("activities.csv", "+1+1.csv", ACTIVITIES), ("opportunities.csv", "@SUM(A1)", OPPORTUNITIES),
         ("leads.csv", "leads.csv", LEADS))
ORGANISATION = '=HYPERLINK("http://x","y")'
INJECTED_REPS = ('=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3")

MONTHS = 2 / DAYS_PER_MONTH  # the period: two days
REPS = 2
CAC = 8_400_000 * MONTHS / 1  # IS cost per month (catalogue default) × months ÷ deals won
EXPECTED_ACTUALS = {
    "calls": 9 / 3,  # calls ÷ rep-days
    "connects": 4 / 3,  # 接続 ×2, アポ獲得, 有効会話
    "effective_conversations": 3 / 3,  # アポ獲得, 有効会話, 接続 of 150 s
    "emails_sent": 1 / 3,
    "appointments": 1 / 3,
    "opportunities_created": 2 / (MONTHS * REPS),
    "opportunity_rate": 2 / 9 * 100,  # opportunities ÷ distinct leads worked
    "sqls": 2 / (MONTHS * REPS),
    "quality_score": 70.0,
    "handover_win_rate": 100.0,  # won 1 of 1 closed
    "opportunity_amount": 4_200_000 / MONTHS,  # the team's per month: money is never per rep
    "won_amount": 1_200_000 / MONTHS,
    "pipeline_amount": 3_000_000 / MONTHS,
    "cac": CAC,
    "ltv_cac": 50_000 * 0.70 * 24 / CAC,
}
STRADDLE = {"S1": True, "S2": True, "S3": True, "G1": True, "G2": True, "G3": True, "M1": False}
SHEET_NAMES = {
    "ja": ["サマリー", "立ち上げ期", "成長期", "成熟期", "KGI逆算", "ファネル", "担当者別", "定義"],
    "en": ["Summary", "Startup", "Growth", "Mature", "KGI plan", "Funnel", "Per rep", "Definitions"],
}
PHASE_SHEETS = slice(1, 4)
STATUS_WORDS = {"ja": {"good": "達成", "warning": "注意", "bad": "未達"},
                "en": {"good": "On track", "warning": "Watch", "bad": "Behind"}}
NEW_KGI = 45_000_000.0  # typed into the KGI cell of a saved workbook
NEW_CALLS_TARGET = 2.0  # typed into TARGET_STARTUP_CALLS
GOLDEN = Path(__file__).parent / "data" / "golden" / "kpi_sheet_ja.txt"


@dataclass(frozen=True)
class Data:
    results: KpiResults
    by_rep: dict[str, KpiResults]
    report: LoadReport


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


def build_data(catalogue: Catalogue, folder: Path, files: tuple[tuple[str, str, str], ...]) -> Data:
    store = open_store(catalogue)
    paths = []
    for disk_name, user_name, text in files:
        path = folder / disk_name
        path.write_text(text, encoding="utf-8")
        paths.append((path, user_name))
    report = load_files(store, paths)
    assert report.ok and all(f.balanced and not f.rejections for f in report.files), report
    results = compute_kpis(store, catalogue, Filters())
    assert results is not None
    return Data(results, compute_grouped(store, catalogue, Filters(), "rep"), report)


@pytest.fixture(scope="module")
def data(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> Data:
    return build_data(catalogue, tmp_path_factory.mktemp("data"), FILES)


@pytest.fixture(scope="module")
def results(data: Data) -> KpiResults:
    return data.results


def make_sheet(catalogue: Catalogue, data: Data, answers: Mapping[str, bool] = STRADDLE,
               diagnosis: Diagnosis | None = None, **options: object) -> KpiSheet:
    options = {"organisation": ORGANISATION, "load_report": data.report, "by_rep": data.by_rep} | options
    return KpiSheet(catalogue=catalogue, results=options.pop("results", data.results),
                    diagnosis=diagnosis or judge(catalogue, answers), answers=answers, **options)


def workbook_bytes(sheet: KpiSheet) -> bytes:
    stream = io.BytesIO()
    write_workbook(stream, sheet)
    return stream.getvalue()


def render(sheet: KpiSheet) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(sheet)))


@pytest.fixture(scope="module")
def book_ja(catalogue: Catalogue, data: Data) -> Workbook:
    return render(make_sheet(catalogue, data, lang="ja"))


@pytest.fixture(scope="module")
def book_en(catalogue: Catalogue, data: Data) -> Workbook:
    return render(make_sheet(catalogue, data, lang="en"))


def row_of(ws: Worksheet, column: str, value: object) -> int:
    """The first row whose cell in `column` holds `value`."""
    for cell in ws[column]:
        if cell.value == value:
            return cell.row
    raise AssertionError(f"{value!r} not found in column {column} of {ws.title}")


def value_beside(ws: Worksheet, label: str) -> object:
    return ws.cell(row=row_of(ws, "A", label), column=2).value


def named_cell(book: Workbook, name: str) -> Cell:
    """The one cell a defined name points to."""
    ((sheet, coordinate),) = book.defined_names[name].destinations
    return book[sheet][coordinate.replace("$", "")]


def missing(value: object) -> bool:
    """A formula's blank ("") as LibreOffice saves it, or an empty cell."""
    return value is None or value == ""


def assert_number(value: object, expected: float | None, where: str) -> None:
    """A recalculated cell against the app's number: blank for None, else equal to 1e-9."""
    if expected is None:
        assert missing(value), f"{where}: {value!r} should be blank"
    else:
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-12), where


def with_totals(results: KpiResults, **totals: float) -> KpiResults:
    """The same results with some period totals replaced (to put a funnel step below its band)."""
    values = dict(results.values)
    for kpi_id, total in totals.items():
        values[kpi_id] = replace(values[kpi_id], total=total)
    return KpiResults(results.period, values)


# ---------------------------------------------------------------- the data behind the sheet


def test_the_fixture_data_give_the_hand_computed_actuals(results: KpiResults) -> None:
    assert (results.period.days, results.period.rep_days, results.period.active_reps) == (2, 3, 2)
    for kpi_id, expected in EXPECTED_ACTUALS.items():
        assert results.actual(kpi_id) == pytest.approx(expected), kpi_id


# ---------------------------------------------------------------- sheets, names and finish


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sheet_names_follow_the_language(catalogue: Catalogue, data: Data, lang: str) -> None:
    assert render(make_sheet(catalogue, data, lang=lang)).sheetnames == SHEET_NAMES[lang]


def test_unknown_language_is_refused(catalogue: Catalogue, data: Data) -> None:
    with pytest.raises(ValueError, match="lang"):
        write_workbook(io.BytesIO(), make_sheet(catalogue, data, lang="fr"))


def test_defined_names_point_at_the_input_cells(book_ja: Workbook, catalogue: Catalogue) -> None:
    targets = {f"TARGET_{p.id}_{e.kpi}".upper(): (p.label("ja"), f"D{row}")
               for p in catalogue.phases for row, e in enumerate(p.kpis, start=FIRST_ROW)}
    names = plan_names(catalogue.plan).values()
    plan = {name: ("KGI逆算", f"B{row}") for row, name in enumerate(names, start=PLAN_FIRST_INPUT_ROW)}
    assert set(book_ja.defined_names) == set(targets) | set(plan)
    assert {"KGI_PER_MONTH", "AVG_DEAL_SIZE", "WORKING_DAYS", "HEADCOUNT", "TARGET_STARTUP_CALLS",
            "TARGET_MATURE_LTV_CAC"} <= set(book_ja.defined_names)
    for name, (sheet, coordinate) in (targets | plan).items():
        assert list(book_ja.defined_names[name].destinations) == [(sheet, f"${coordinate[0]}${coordinate[1:]}")]
        assert book_ja[sheet][coordinate].fill.fgColor.rgb == INPUT_FILL.fgColor.rgb, name


def test_every_sheet_prints_a4_landscape_fit_to_width_with_frozen_headers(book_ja: Workbook) -> None:
    frozen = {"サマリー": "A2", "立ち上げ期": "A5", "KGI逆算": "A4", "ファネル": "B5", "担当者別": "B7", "定義": "B4"}
    for ws in book_ja:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.freeze_panes == frozen.get(ws.title, "A5"), ws.title
    assert book_ja["担当者別"].print_title_rows == "$4:$6"
    assert book_ja["立ち上げ期"].print_title_rows == "$4:$4"


def test_columns_are_wide_enough_for_japanese_labels(book_ja: Workbook) -> None:
    # "CAC(顧客獲得コスト)" is 5 narrow and 7 wide characters: 19 columns of text
    assert book_ja["成熟期"].column_dimensions["B"].width >= 19
    assert book_ja["定義"].column_dimensions["J"].width == 50  # long meanings wrap at the cap
    assert book_ja["KGI逆算"].column_dimensions["A"].width >= len("1人あたりの月間稼働日数") * 2
    assert book_ja["ファネル"].column_dimensions["J"].width >= len("◀ ボトルネック") * 2  # a formula's text


@pytest.mark.parametrize("sheet_name", ["立ち上げ期", "KGI逆算", "ファネル"])
def test_input_sheets_carry_the_yellow_legend(book_ja: Workbook, sheet_name: str) -> None:
    ws = book_ja[sheet_name]
    legend = row_of(ws, "A", "入力欄")
    assert ws[f"A{legend}"].fill.fgColor.rgb == INPUT_FILL.fgColor.rgb
    assert "黄色のセル" in ws[f"B{legend}"].value


# ---------------------------------------------------------------- phase sheets


@pytest.mark.parametrize(("lang", "headers"), [
    ("ja", ["階層", "KPI", "重要度", "目標値", "単位", "実績", "達成率", "状況", "備考"]),
    ("en", ["Tier", "KPI", "Importance", "Target", "Unit", "Actual", "Achievement", "Status", "Note"]),
])
def test_phase_sheet_header_row(request: pytest.FixtureRequest, lang: str, headers: list[str]) -> None:
    ws = request.getfixturevalue(f"book_{lang}")[SHEET_NAMES[lang][1]]
    assert [c.value for c in ws[HEADER_ROW]] == headers
    assert ws.freeze_panes == f"A{FIRST_ROW}"


@pytest.mark.parametrize("phase_index", [0, 1, 2])
def test_phase_rows_hold_label_target_and_actual_in_catalogue_order(
        book_ja: Workbook, catalogue: Catalogue, phase_index: int) -> None:
    phase = catalogue.phases[phase_index]
    ws = book_ja[phase.label("ja")]
    for row, entry in enumerate(phase.kpis, start=FIRST_ROW):
        assert ws[f"B{row}"].value == catalogue.kpis[entry.kpi].label("ja")
        assert ws[f"D{row}"].value == entry.target
        assert ws[f"F{row}"].value == pytest.approx(EXPECTED_ACTUALS[entry.kpi])
        assert ws[f"D{row}"].fill.fgColor.rgb == INPUT_FILL.fgColor.rgb
    assert ws[f"B{FIRST_ROW + len(phase.kpis)}"].value is None


@pytest.mark.parametrize(("sheet", "row", "tier", "kpi", "stars", "unit", "target", "number_format"), [
    ("立ち上げ期", 5, "行動KPI", "架電数", "★★★", "件/人日", 100, "#,##0.0"),
    ("立ち上げ期", 7, "行動KPI", "有効会話数", "★★☆", "件/人日", 10, "#,##0.0"),
    ("立ち上げ期", 10, "戦術KPI", "商談創出数", "★★☆", "件/人月", 15, "#,##0.0"),
    ("成長期", 6, "戦術KPI", "商談化率", "★★★", "%", 15, '0.0"%"'),
    ("成長期", 8, "戦術KPI", "商談品質スコア", "★★☆", "点", 75, "0.0"),
    ("成長期", 10, "戦略KPI", "商談創出金額", "★★☆", "円/月", 30_000_000, '"¥"#,##0'),
    ("成熟期", 7, "戦略KPI", "受注貢献金額", "★★★", "円/月", 50_000_000, '"¥"#,##0'),
    ("成熟期", 9, "戦略KPI", "CAC(顧客獲得コスト)", "★★☆", "円", 500_000, '"¥"#,##0'),
    ("成熟期", 10, "戦略KPI", "LTV/CAC比率", "★★☆", "倍", 3.0, "0.00"),
])
def test_phase_row_cells(book_ja: Workbook, sheet: str, row: int, tier: str, kpi: str, stars: str, unit: str,
                         target: float, number_format: str) -> None:
    ws = book_ja[sheet]
    assert [ws[f"{c}{row}"].value for c in "ABCDE"] == [tier, kpi, stars, target, unit]
    assert ws[f"D{row}"].number_format == number_format
    assert ws[f"F{row}"].number_format == number_format


@pytest.mark.parametrize(("currency", "unit", "number_format", "kgi_unit"), [
    ("JPY", "円/月", '"¥"#,##0', "円/月"),
    ("USD", "ドル/月", '"$"#,##0', "ドル/月"),
    ("EUR", "ユーロ/月", '"€"#,##0', "ユーロ/月"),
])
def test_amounts_carry_the_workspace_currency(catalogue: Catalogue, data: Data, currency: str, unit: str,
                                              number_format: str, kgi_unit: str) -> None:
    """The currency setting reaches every amount: the phase sheet's target and actual cells, their unit
    word, the KGI input; the target stays a live input cell, the achievement a formula."""
    book = render(make_sheet(catalogue, data, lang="ja", currency=currency))
    ws = book["成長期"]
    assert [ws[f"{c}10"].value for c in "BE"] == ["商談創出金額", unit]
    assert (ws["D10"].number_format, ws["F10"].number_format) == (number_format, number_format)
    assert ws["G10"].value.startswith("=IF(")
    kgi = named_cell(book, "KGI_PER_MONTH")
    assert kgi.number_format == number_format and kgi.value == 18_000_000
    plan = book["KGI逆算"]
    assert plan.cell(row=kgi.row, column=3).value == kgi_unit


def test_months_are_written_to_one_decimal(book_ja: Workbook, book_en: Workbook) -> None:
    for book, sheet, label in ((book_ja, "サマリー", "月数"), (book_en, "Summary", "Months")):
        ws = book[sheet]
        cell = ws.cell(row=row_of(ws, "A", label), column=2)
        assert cell.value == pytest.approx(MONTHS) and cell.number_format == "0.0"


@pytest.mark.parametrize(("sheet", "row", "achievement"), [
    ("立ち上げ期", 5, '=IF(OR(TARGET_STARTUP_CALLS="",F5="",TARGET_STARTUP_CALLS=0),"",F5/TARGET_STARTUP_CALLS)'),
    ("成長期", 6, '=IF(OR(TARGET_GROWTH_OPPORTUNITY_RATE="",F6="",TARGET_GROWTH_OPPORTUNITY_RATE=0),"",'
               'F6/TARGET_GROWTH_OPPORTUNITY_RATE)'),  # percent points both
    ("成熟期", 9, '=IF(OR(TARGET_MATURE_CAC="",F9="",TARGET_MATURE_CAC=0,F9<=0),"",TARGET_MATURE_CAC/F9)'),  # lower
])
def test_achievement_and_status_are_live_formulas_over_the_named_target(
        book_ja: Workbook, sheet: str, row: int, achievement: str) -> None:
    ws = book_ja[sheet]
    assert ws[f"G{row}"].value == achievement
    assert ws[f"G{row}"].data_type == "f"
    assert ws[f"G{row}"].number_format == "0.0%"
    assert ws[f"H{row}"].value == f'=IF(G{row}="","",IF(G{row}>=1,"達成",IF(G{row}>=0.8,"注意","未達")))'


def test_status_words_are_english_in_english(book_en: Workbook) -> None:
    assert book_en["Startup"]["H5"].value == '=IF(G5="","",IF(G5>=1,"On track",IF(G5>=0.8,"Watch","Behind")))'


def test_achievement_column_is_coloured_by_conditional_formatting(book_ja: Workbook) -> None:
    ws = book_ja["立ち上げ期"]
    ranges = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    assert ranges == {"G5:G10": ["AND(ISNUMBER(G5),G5>=1)", "AND(ISNUMBER(G5),G5>=0.8,G5<1)",
                                 "AND(ISNUMBER(G5),G5<0.8)"]}


def test_target_override_replaces_the_default(catalogue: Catalogue, data: Data) -> None:
    book = render(make_sheet(catalogue, data, targets={"startup": {"calls": 90}, "mature": {"cac": 400_000}}))
    assert book["立ち上げ期"]["D5"].value == 90
    assert book["立ち上げ期"]["D6"].value == 20  # connects keeps the catalogue's target
    assert book["成長期"]["D5"].value == 80  # calls of another phase keep theirs
    assert book["成熟期"]["D9"].value == 400_000


def test_a_kpi_the_data_cannot_give_says_why_and_never_gets_an_achievement(catalogue: Catalogue,
                                                                          tmp_path: Path) -> None:
    only_activities = build_data(catalogue, tmp_path, FILES[:1])
    assert only_activities.results.actual("opportunities_created") is None
    ws = render(make_sheet(catalogue, only_activities))["立ち上げ期"]
    assert (ws["F10"].value, ws["G10"].value, ws["H10"].value) == (None, None, "計算できません")
    assert ws["I10"].value == "商談のデータが読み込まれていません。"
    assert ws["G5"].value.startswith("=IF(")  # a KPI with data keeps its live achievement
    assert ws["F5"].value == pytest.approx(3.0)


@pytest.mark.parametrize(("lang", "marks"), [
    ("ja", ["現在のフェーズ", "参考値", None]),
    ("en", ["Current phase", "Reference", None]),
])
def test_active_and_reference_phases_are_marked(request: pytest.FixtureRequest, lang: str,
                                                marks: list[str | None]) -> None:
    book = request.getfixturevalue(f"book_{lang}")
    sheets = [book[name] for name in SHEET_NAMES[lang][PHASE_SHEETS]]
    assert [ws["A2"].value for ws in sheets] == marks
    fills = [ws["A1"].fill.fgColor.rgb for ws in sheets]
    assert fills[0] != fills[1] and fills[1] == fills[2]  # only the active phase's title is highlighted
    tabs = [ws.sheet_properties.tabColor.rgb if ws.sheet_properties.tabColor else None for ws in sheets]
    assert tabs[0] and tabs[1] and tabs[0] != tabs[1] and tabs[2] is None


def test_a_single_phase_has_no_reference_marks(catalogue: Catalogue, data: Data) -> None:
    book = render(make_sheet(catalogue, data, answers={"M1": True, "M2": True}))
    assert [book[name]["A2"].value for name in SHEET_NAMES["ja"][PHASE_SHEETS]] == [None, None, "現在のフェーズ"]


# ---------------------------------------------------------------- summary


def test_summary_shows_organisation_period_and_diagnosis(book_ja: Workbook) -> None:
    ws = book_ja["サマリー"]
    assert ws["A1"].value == "フェーズ別KPI設計シート"
    assert value_beside(ws, "組織名") == ORGANISATION
    assert value_beside(ws, "集計期間") == "2025-04-01 – 2025-04-02"
    assert value_beside(ws, "日数") == 2
    assert value_beside(ws, "月数") == pytest.approx(MONTHS)
    assert value_beside(ws, "担当者数(活動あり)") == 2
    assert value_beside(ws, "診断フェーズ") == "立ち上げ期"
    assert value_beside(ws, "判定").startswith("複数フェーズに該当")
    assert value_beside(ws, "参考値として表示するフェーズ") == "成長期"


def test_summary_load_report_has_one_row_per_file(book_ja: Workbook) -> None:
    ws = book_ja["サマリー"]
    header = row_of(ws, "A", "ファイル")
    assert [c.value for c in ws[header]][:10] == ["ファイル", "種類", "文字コード", "読込行数", "取込", "更新", "重複",
                                                   "除外", "フッター", "結果"]
    rows = [[c.value for c in ws[header + i]][:10] for i in (1, 2, 3)]
    assert rows == [["+1+1.csv", "活動", "utf-8", 10, 10, 0, 0, 0, 0, "OK"],
                    ["@SUM(A1)", "商談", "utf-8", 2, 2, 0, 0, 0, 0, "OK"],
                    ["leads.csv", "リード", "utf-8", 3, 3, 0, 0, 0, 0, "OK"]]


def test_summary_without_a_load_report_says_none(catalogue: Catalogue, data: Data) -> None:
    ws = render(make_sheet(catalogue, data, load_report=None))["サマリー"]
    assert value_beside(ws, "データソース") == "（なし）"


def test_summary_counts_ticked_items_per_phase(book_en: Workbook) -> None:
    ws = book_en["Summary"]
    header = row_of(ws, "A", "Phase")
    rows = [[c.value for c in ws[header + i]][:4] for i in range(1, 4)]
    assert rows == [["Startup", "✓", 3, 3], ["Growth", "✓", 3, 3], ["Mature", None, 0, 2]]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_summary_lists_the_ten_checklist_items_with_ticks(request: pytest.FixtureRequest, catalogue: Catalogue,
                                                          lang: str) -> None:
    ws = request.getfixturevalue(f"book_{lang}")[SHEET_NAMES[lang][0]]
    header = row_of(ws, "A", "ID")
    items = catalogue.checklist.items
    assert len(items) == 10
    rows = [[c.value for c in ws[header + i]][:8] for i in range(1, len(items) + 1)]
    assert [r[0] for r in rows] == [i.id for i in items]
    assert [r[1] for r in rows] == [i.label(lang) for i in items]
    assert [r[5] for r in rows] == [catalogue.phase(i.phase).label(lang) for i in items]
    assert [r[6] for r in rows] == ["✓" if STRADDLE.get(i.id) else None for i in items]
    assert [r[7] is not None for r in rows] == [i.from_data is not None for i in items]
    assert ws.cell(row=header + len(items) + 1, column=1).value is None


@pytest.mark.parametrize(("answers", "override", "phase", "outcome"), [
    ({"M1": True, "M2": True}, None, "成熟期", "1つのフェーズに該当"),
    ({"S1": True, "G1": True}, None, "立ち上げ期", "判定不能（チェック割合が最も高いフェーズを提案）"),
    ({"S1": True, "S2": True, "S3": True}, "growth", "成長期", "ユーザーが選択"),
])
def test_summary_outcome_words(catalogue: Catalogue, data: Data, answers: dict[str, bool],
                               override: str | None, phase: str, outcome: str) -> None:
    sheet = make_sheet(catalogue, data, answers=answers, diagnosis=judge(catalogue, answers, override))
    ws = render(sheet)["サマリー"]
    assert (value_beside(ws, "診断フェーズ"), value_beside(ws, "判定")) == (phase, outcome)


def test_summary_of_a_phase_from_the_age_of_the_data_shows_the_evidence(catalogue: Catalogue, data: Data) -> None:
    diagnosis = phase_from_age(catalogue, data.results.period.start, data.results.period.end)
    book = render(make_sheet(catalogue, data, answers={"G1": True}, diagnosis=diagnosis, lang="en"))
    ws = book["Summary"]
    assert (value_beside(ws, "Diagnosed phase"), value_beside(ws, "Outcome")) == (
        "Startup", "Estimated from the age of the data")
    assert value_beside(ws, "Evidence from the data: Months since the first activity") == pytest.approx(0.0)
    header = row_of(ws, "A", "Phase")
    assert [ws.cell(row=header + i, column=3).value for i in (1, 2, 3)] == [0, 1, 0]  # counted from the answers
    s1 = row_of(ws, "A", "S1")
    assert ws.cell(row=s1, column=8).value == "Months since the first activity: 0"
    assert book["Startup"]["A2"].value == "Current phase"


def test_summary_alerts_are_the_active_kpis_below_target_read_from_the_phase_sheet(
        book_ja: Workbook, catalogue: Catalogue, results: KpiResults) -> None:
    ws = book_ja["サマリー"]
    header = row_of(ws, "A", "KPI")
    assert [c.value for c in ws[header]][:6] == ["KPI", "目標値", "実績", "単位", "達成率", "状況"]
    phase = catalogue.phase("startup")
    below = [e for e in phase.kpis if status_of(achievement(results.actual(e.kpi), e.target,
                                                            catalogue.kpis[e.kpi].direction)) in ("bad", "warning")]
    rows = {ws.cell(row=r, column=1).value: r for r in range(header + 1, header + 1 + len(below))}
    assert set(rows) == {catalogue.kpis[e.kpi].label("ja") for e in below}
    assert len(below) == 5 and ws.cell(row=header + 1 + len(below), column=1).value is None
    calls = rows["架電数"]
    assert [ws.cell(row=calls, column=c).value for c in range(2, 7)] == [
        "=TARGET_STARTUP_CALLS", "='立ち上げ期'!F5", "件/人日", "='立ち上げ期'!G5", "='立ち上げ期'!H5"]


def test_summary_names_no_bottleneck_on_nine_calls(book_ja: Workbook) -> None:
    ws = book_ja["サマリー"]
    section = row_of(ws, "A", "ボトルネックと打ち手")
    assert ws[f"A{section + 1}"].value.startswith("件数が少ないためボトルネックを判定しません。")
    assert "最も多い工程でも9件です" in ws[f"A{section + 1}"].value  # 9 calls behind the connect rate


def test_summary_bottleneck_names_the_weakest_step_and_its_countermeasures(catalogue: Catalogue, data: Data) -> None:
    """A team of 1,000 calls: connects 250 (25 %), effective 200 (80 %), appointments 40 (20 %): every
    rate in or above its band; the least headroom is the connect rate, (20 − 25) ÷ 20 = −0.25."""
    totals = {"calls": 1000, "connects": 250, "connect_rate": 25.0, "effective_conversations": 200,
              "effective_conversation_rate": 80.0, "call_appointments": 40, "appointment_rate": 20.0}
    values = {k: KpiValue(k, totals.get(k), totals.get(k)) for k in catalogue.kpis}
    ws = render(make_sheet(catalogue, data, results=KpiResults(data.results.period, values)))["サマリー"]
    assert value_beside(ws, "ボトルネックの指標") == "コネクト率"
    assert value_beside(ws, "転換率") == pytest.approx(0.25)
    assert value_beside(ws, "目安") == "20〜30%"
    gap = ws.cell(row=row_of(ws, "A", "目安の下限との差"), column=2)
    assert gap.value == pytest.approx(20 - 25) and gap.number_format == '0.0"pt"'  # points above the floor
    assert value_beside(ws, "評価") == "目安を下回る工程はありません。これは最も余裕が小さい工程です。"
    first = row_of(ws, "A", "打ち手")
    assert [ws.cell(row=first + i, column=2).value for i in range(3)] == [
        "トークスクリプトの改善", "ロールプレイング・トークトレーニングの実施", "A/Bテストによる検証"]


# ---------------------------------------------------------------- KGI plan


def test_plan_inputs_start_from_the_actuals(book_ja: Workbook, catalogue: Catalogue, results: KpiResults) -> None:
    inputs = default_inputs(catalogue, results)
    assert inputs.kgi_per_month == 18_000_000  # 1.2M won in 2 days = ¥18.26M a month, 2 significant digits
    assert {step: (r.source, r.value) for step, r in inputs.factors.items()} == {
        "average_deal_size": ("actual", 1_200_000),  # ¥1.2M ÷ 1 deal
        "win_rate": ("actual", 50.0),  # 1 won ÷ 2 created (O2 is open): won ÷ closed would say 100 %
        "opportunity_per_appointment": ("assumed", 70.0),  # actual 200 %: more opportunities than appointments
        "appointment_rate": ("actual", pytest.approx(100 / 3)),
        "effective_conversation_rate": ("actual", 75.0),
        "connect_rate": ("actual", pytest.approx(400 / 9)),
    }
    assert (inputs.headcount, inputs.working_days) == (2, 20)
    cells = {name: named_cell(book_ja, name) for name in plan_names(catalogue.plan).values()}
    assert cells["KGI_PER_MONTH"].value == 18_000_000 and cells["KGI_PER_MONTH"].number_format == '"¥"#,##0'
    assert cells["WIN_RATE"].value == 0.5 and cells["WIN_RATE"].number_format == "0.0%"
    assert cells["CONNECT_RATE"].value == pytest.approx(4 / 9)
    assert (cells["WORKING_DAYS"].value, cells["HEADCOUNT"].value) == (20, 2)


def test_plan_lines_are_formulas_over_the_named_inputs(book_ja: Workbook, catalogue: Catalogue) -> None:
    ws = book_ja["KGI逆算"]
    first = plan_first_line_row(catalogue.plan)
    assert [ws[f"A{first + i}"].value for i in range(len(catalogue.plan.volumes))] == [
        "売上", "受注件数", "商談数", "アポイント数(架電)", "有効会話数", "コネクト数", "架電数"]
    assert ws[f"B{first}"].value == '=IF(AND(ISNUMBER(KGI_PER_MONTH),KGI_PER_MONTH>0),KGI_PER_MONTH,"")'
    assert ws[f"B{first + 1}"].value == (f'=IF(AND(B{first}<>"",AND(ISNUMBER(AVG_DEAL_SIZE),AVG_DEAL_SIZE>0)),'
                                         f'B{first}/AVG_DEAL_SIZE,"")')
    assert ws[f"B{first + 6}"].value == (f'=IF(AND(B{first + 5}<>"",AND(ISNUMBER(CONNECT_RATE),CONNECT_RATE>0,'
                                         f'CONNECT_RATE<=1)),B{first + 5}/CONNECT_RATE,"")')
    calls = first + 6
    assert ws[f"C{calls}"].value == (f'=IF(AND(B{calls}<>"",AND(ISNUMBER(HEADCOUNT),HEADCOUNT>0),AND(ISNUMBER('
                                     f'WORKING_DAYS),WORKING_DAYS>0)),B{calls}/(HEADCOUNT*WORKING_DAYS),"")')
    assert ws[f"F{calls}"].value == f'=IF(OR(D{calls}="",C{calls}="",C{calls}=0),"",D{calls}/C{calls})'
    assert ws[f"F{first}"].value == f'=IF(OR(D{first}="",B{first}="",B{first}=0),"",D{first}/B{first})'
    assert (ws[f"B{first}"].number_format, ws[f"B{calls}"].number_format, ws[f"F{calls}"].number_format) == (
        '"¥"#,##0', "#,##0.0", "0.0%")
    assert ws[f"E{calls}"].value == "件/人日" and ws[f"G{calls}"].value == "コネクト数 ÷ コネクト率"


# ---------------------------------------------------------------- funnel


def test_funnel_counts_bands_and_formulas(book_ja: Workbook, catalogue: Catalogue, results: KpiResults) -> None:
    ws = book_ja["ファネル"]
    steps = build_funnel(catalogue, "activity", results)
    last = FUNNEL_FIRST_ROW + len(steps) - 1
    for row, step in enumerate(steps, start=FUNNEL_FIRST_ROW):
        assert ws[f"A{row}"].value == catalogue.kpis[step.kpi_id].label("ja")
        assert ws[f"B{row}"].value == step.count
        assert ws[f"F{row}"].value == (None if step.band_low is None else pytest.approx(step.band_low / 100))
        assert (ws[f"F{row}"].fill.fgColor.rgb == INPUT_FILL.fgColor.rgb) == (step.rate_kpi is not None)
    assert ws["D5"].value is None
    assert ws["D6"].value == '=IF(OR(B6="",B5="",B5=0),"",B6/B5)'
    assert ws["E6"].value == '=IF(OR(B6="",$B$5="",$B$5=0),"",B6/$B$5)'
    # no shortfall over 100 % or on fewer than the funnel's 30 cases (FunnelStep.candidate)
    assert ws["H6"].value == '=IF(OR(D6="",F6="",F6=0,D6>1,B5<30),"",(F6-D6)/F6)'
    assert ws["I6"].value == '=IF(OR(D6="",F6=""),"",IF(D6<F6,"目安未満",IF(AND(G6<>"",D6>G6),"目安超","目安内")))'
    assert ws["J6"].value == (f'=IF(H6="","",IF(AND(H6>0,MATCH(MAX($H$5:$H${last}),$H$5:$H${last},0)=2),'
                              f'"◀ ボトルネック",""))')
    assert ws["D6"].number_format == "0.0%" and ws["B6"].number_format == "#,##0"


def test_funnel_has_a_native_bar_chart_of_the_counts(book_ja: Workbook) -> None:
    ws = book_ja["ファネル"]
    (chart,) = ws._charts
    assert isinstance(chart, BarChart) and chart.type == "bar"
    (series,) = chart.series
    assert series.val.numRef.f == "'ファネル'!$B$5:$B$11"
    assert series.cat.numRef.f == "'ファネル'!$A$5:$A$11"


# ---------------------------------------------------------------- per rep


def test_per_rep_sheet_has_the_active_phase_kpis_against_the_phase_targets(
        book_ja: Workbook, catalogue: Catalogue, data: Data) -> None:
    ws = book_ja["担当者別"]
    phase = catalogue.phase("startup")
    assert ws["A1"].value == "フェーズ別KPI設計シート — 担当者別 — 立ち上げ期"
    assert [ws.cell(row=4, column=2 + 2 * i).value for i in range(len(phase.kpis))] == [
        catalogue.kpis[e.kpi].label("ja") for e in phase.kpis]
    assert [ws.cell(row=5, column=c).value for c in (2, 3)] == ["実績", "達成率"]
    assert ws.cell(row=4, column=2 + 2 * len(phase.kpis)).value == "平均達成率"
    assert [ws.cell(row=REPS_TARGET_ROW, column=2 + 2 * i).value for i in range(len(phase.kpis))] == [
        f"=TARGET_STARTUP_{e.kpi.upper()}" for e in phase.kpis]
    assert [ws.cell(row=REPS_FIRST_ROW + i, column=1).value for i in range(2)] == sorted(data.by_rep) == ["佐藤", "鈴木"]
    row = REPS_FIRST_ROW
    assert ws[f"B{row}"].value == pytest.approx(data.by_rep["佐藤"].actual("calls"))
    assert ws[f"C{row}"].value == (f'=IF(OR(TARGET_STARTUP_CALLS="",B{row}="",TARGET_STARTUP_CALLS=0),"",'
                                   f"B{row}/TARGET_STARTUP_CALLS)")
    assert ws[f"N{row}"].value == f'=IFERROR(AVERAGE(C{row},E{row},G{row},I{row},K{row},M{row}),"")'


def test_per_rep_sheet_shows_the_user_lists_names_in_name_order_as_text(catalogue: Catalogue, data: Data) -> None:
    ws = render(make_sheet(catalogue, data, rep_names={"鈴木": "=HYPERLINK(\"http://x\")", "佐藤": "Sato Ken"}))["担当者別"]
    cells = [ws.cell(row=REPS_FIRST_ROW + i, column=1) for i in range(2)]
    assert [c.value for c in cells] == ['=HYPERLINK("http://x")', "Sato Ken"]  # "=" sorts before "S"
    assert [c.data_type for c in cells] == ["s", "s"]  # a name is a value, never a formula
    assert ws[f"B{REPS_FIRST_ROW + 1}"].value == pytest.approx(data.by_rep["佐藤"].actual("calls"))


def test_per_rep_sheet_without_reps_says_so(catalogue: Catalogue, data: Data) -> None:
    ws = render(make_sheet(catalogue, data, by_rep={}))["担当者別"]
    assert ws["A4"].value == "担当者別のデータがありません。"


# ---------------------------------------------------------------- definitions


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_definitions_have_one_row_per_kpi(request: pytest.FixtureRequest, catalogue: Catalogue, lang: str) -> None:
    ws = request.getfixturevalue(f"book_{lang}")[SHEET_NAMES[lang][-1]]
    labels = [ws.cell(row=r, column=1).value for r in range(DEFINITIONS_HEADER_ROW + 1, ws.max_row + 1)]
    assert labels == [k.label(lang) for k in catalogue.kpis.values()]
    meanings = [ws.cell(row=r, column=10).value for r in range(DEFINITIONS_HEADER_ROW + 1, ws.max_row + 1)]
    assert meanings == [k.meaning(lang) for k in catalogue.kpis.values()]


@pytest.mark.parametrize(("lang", "kpi", "expected"), [
    ("ja", "コネクト率", ["行動KPI", "比率", "コネクト数 ÷ 架電数 × 100", "%", "期間全体", "高いほど良い",
                        "先行指標（行動）", "20〜30%"]),
    ("en", "Connect rate", ["Action KPIs", "Ratio", "Connects ÷ Calls × 100", "%", "Whole period", "Higher",
                            "Leading", "20–30 %"]),
    ("ja", "架電数", ["行動KPI", "件数", "発信した架電の件数(着信は含めない)", "件", "1人1日あたり", "高いほど良い",
                   "先行指標（行動）", "80〜120件/人日"]),
    ("en", "CAC (customer acquisition cost)", [
        "Strategic KPIs", "Derived", "IS cost per month × months in the period ÷ Deals won", "JPY",
        "Whole period", "Lower", "Lagging", None]),
    ("en", "Hand-over win rate", ["Tactical KPIs", "Ratio", "Deals won ÷ Deals closed × 100", "%", "Whole period",
                                  "Higher", "Lagging", "≥ 25 %"]),
    ("en", "Opportunity quality score", [
        "Tactical KPIs", "Average score",
        "Average quality score (BANT, need, decision process, next action) of the opportunities created",
        "pts", "Whole period", "Higher", "Lagging", None]),
])
def test_definition_rows(request: pytest.FixtureRequest, lang: str, kpi: str, expected: list[str | None]) -> None:
    ws = request.getfixturevalue(f"book_{lang}")[SHEET_NAMES[lang][-1]]
    row = row_of(ws, "A", kpi)
    assert [ws.cell(row=row, column=c).value for c in range(2, 10)] == expected


@pytest.mark.parametrize(("lang", "kpi", "words"), [
    ("ja", "コネクト数", "架電のうち担当者に接続したもの"),
    ("en", "Emails opened", "Sent emails that were opened"),
    ("ja", "受注件数", "期間中に作成されたIS創出の商談のうち受注したもの"),
    ("en", "Pipeline amount", "Sum of the amounts of IS-sourced opportunities created in the period and still open"),
    ("ja", "有効会話率", "有効会話数 ÷ コネクト数 × 100"),
    ("ja", "パイプライン予測精度(乖離率)", "絶対値(期間の受注予測額 − 受注貢献金額) ÷ 受注貢献金額 × 100"),
    ("en", "LTV (customer lifetime value)",
     "Revenue per customer per month × Gross margin ÷ 100 × Average customer lifetime (months)"),
])
def test_formulas_are_words(request: pytest.FixtureRequest, lang: str, kpi: str, words: str) -> None:
    ws = request.getfixturevalue(f"book_{lang}")[SHEET_NAMES[lang][-1]]
    assert ws.cell(row=row_of(ws, "A", kpi), column=4).value == words


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_formula_shows_sql_or_a_code_name(request: pytest.FixtureRequest, lang: str) -> None:
    """Every KPI's formula cell, read back from the file: words, never `channel = 'call'` or `is_connected`."""
    ws = request.getfixturevalue(f"book_{lang}")[SHEET_NAMES[lang][-1]]
    formulas = [ws.cell(row=r, column=4).value for r in range(DEFINITIONS_HEADER_ROW + 1, ws.max_row + 1)]
    assert len(formulas) == len(default_catalogue().kpis)
    assert [f for f in formulas if not f or any(mark in f for mark in ("=", "is_", "'", "_"))] == []


# ---------------------------------------------------------------- user data stays text


@pytest.mark.parametrize(("given", "written", "quoted"), [
    ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")', True),
    ("+1+1.csv", "+1+1.csv", True),
    ("-2+3", "-2+3", True),
    ("@SUM(A1)", "@SUM(A1)", True),
    ("\t=1+1", "\t=1+1", True),
    ("\n=1+1", "\n=1+1", True),
    ("株式会社\x07テスト\x1b", "株式会社テスト", False),
    ("#DIV/0!", "#DIV/0!", False),
    ("佐藤商事", "佐藤商事", False),
])
def test_write_text_keeps_user_strings_literal(given: str, written: str, quoted: bool) -> None:
    book = Workbook()
    write_text(book.active["A1"], given)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    cell = openpyxl.load_workbook(stream).active["A1"]
    assert (cell.value, cell.data_type, bool(cell.quotePrefix)) == (written, "s", quoted)


def injected_sheet(catalogue: Catalogue, data: Data) -> KpiSheet:
    """Rep names that look like formulas (a CRM lets anyone type a name)."""
    reps = dict(zip(INJECTED_REPS, [*data.by_rep.values()] * 2, strict=True))
    return make_sheet(catalogue, data, by_rep=reps)


def user_cells(book: Workbook) -> list[Cell]:
    """Every cell holding user data: organisation, uploaded file names, rep names."""
    summary, reps = book[SHEET_NAMES["ja"][0]], book["担当者別"]
    files = row_of(summary, "A", "ファイル")
    return [summary.cell(row=row_of(summary, "A", "組織名"), column=2),
            *(summary.cell(row=files + i, column=1) for i in (1, 2)),
            *(reps.cell(row=REPS_FIRST_ROW + i, column=1) for i in range(len(INJECTED_REPS)))]


def test_user_strings_in_the_workbook_are_not_formulas(catalogue: Catalogue, data: Data) -> None:
    cells = user_cells(render(injected_sheet(catalogue, data)))
    assert [c.value for c in cells] == [ORGANISATION, "+1+1.csv", "@SUM(A1)", *sorted(INJECTED_REPS)]
    assert all((c.data_type, c.quotePrefix) == ("s", True) for c in cells), [(c.coordinate, c.data_type) for c in cells]


# ---------------------------------------------------------------- golden dump


def cell_text(cell: Cell) -> str:
    value = cell.value
    shown = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else (
        f"{value:.10g}" if isinstance(value, float) else str(value))
    prefix = "'" if cell.quotePrefix else ""
    number_format = "" if cell.number_format == "General" else f"  [{cell.number_format}]"
    return f"{cell.coordinate} {prefix}{shown}{number_format}"


def grid_dump(book: Workbook) -> str:
    """Every non-empty cell as text (values, formulas, number formats), merges, panes, charts and names."""
    lines = [f"name {name} = {book.defined_names[name].attr_text}" for name in sorted(book.defined_names)]
    for ws in book:
        lines += ["", f"## {ws.title}", f"freeze {ws.freeze_panes}", f"charts {len(ws._charts)}",
                  f"merged {' '.join(sorted(str(r) for r in ws.merged_cells.ranges))}"]
        lines += [cell_text(c) for row in ws.iter_rows() for c in row if c.value is not None]
    return "\n".join(lines) + "\n"


def test_the_cell_grid_matches_the_golden_dump(book_ja: Workbook) -> None:
    dump = grid_dump(book_ja)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(dump, encoding="utf-8")
    assert dump == GOLDEN.read_text(encoding="utf-8"), "regenerate with UPDATE_GOLDEN=1 and review the diff"


# ---------------------------------------------------------------- recalculated by LibreOffice


@dataclass(frozen=True)
class Recalculated:
    """Workbooks LibreOffice recalculated (data_only), by name, and what each was written from."""

    books: dict[str, Workbook]
    sheets: dict[str, KpiSheet]
    paths: dict[str, Path]


def recalculate(sources: list[Path], folder: Path) -> dict[str, Workbook]:
    """One headless LibreOffice run converting every source to .xlsx: formulas get their values."""
    out = folder / "recalculated"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(folder / 'lo_profile').as_uri()}",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, sources)],
                   check=True, capture_output=True, timeout=300)
    return {path.stem: openpyxl.load_workbook(out / path.name, data_only=True) for path in sources}


def change_inputs(source: Path, target: Path) -> None:
    """What a manager does in Excel: type a new KGI and a new calls target, save."""
    book = openpyxl.load_workbook(source)
    named_cell(book, "KGI_PER_MONTH").value = NEW_KGI
    named_cell(book, "TARGET_STARTUP_CALLS").value = NEW_CALLS_TARGET
    book.save(target)


@pytest.fixture(scope="module")
def recalculated(catalogue: Catalogue, data: Data, tmp_path_factory: pytest.TempPathFactory) -> Recalculated:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("recalc")
    sheets = {
        "ja": make_sheet(catalogue, data),
        "en_below": make_sheet(catalogue, data, lang="en", results=with_totals(data.results, calls=40.0,
                                                                                  connect_rate=10.0)),
        "activities_only": make_sheet(catalogue, build_data(catalogue, folder, FILES[:1]), by_rep={}),
        "injected": injected_sheet(catalogue, data),
    }
    sources = []
    for name, sheet in sheets.items():
        sources.append(folder / f"{name}.xlsx")
        sources[-1].write_bytes(workbook_bytes(sheet))
    change_inputs(folder / "ja.xlsx", folder / "changed.xlsx")
    sheets["changed"] = sheets["ja"]
    sources.append(folder / "changed.xlsx")
    return Recalculated(recalculate(sources, folder), sheets,
                        {path.stem: folder / "recalculated" / path.name for path in sources})


def test_libreoffice_recalculates_achievement_and_status_as_metrics(
        recalculated: Recalculated, catalogue: Catalogue, results: KpiResults) -> None:
    book = recalculated.books["ja"]
    for phase in catalogue.phases:
        ws = book[phase.label("ja")]
        for row, entry in enumerate(phase.kpis, start=FIRST_ROW):
            expected = achievement(results.actual(entry.kpi), entry.target, catalogue.kpis[entry.kpi].direction)
            assert_number(ws[f"G{row}"].value, expected / 100, f"{phase.id} {entry.kpi}")
            assert ws[f"H{row}"].value == STATUS_WORDS["ja"][status_of(expected)], (phase.id, entry.kpi)
    assert book["立ち上げ期"]["G5"].value == pytest.approx(EXPECTED_ACTUALS["calls"] / 100)
    assert book["成熟期"]["G9"].value == pytest.approx(500_000 / CAC)


def test_libreoffice_recalculates_the_summary_alerts_from_the_phase_sheet(recalculated: Recalculated) -> None:
    book = recalculated.books["ja"]
    ws, phase = book["サマリー"], book["立ち上げ期"]
    header = row_of(ws, "A", "KPI")
    calls = row_of(ws, "A", "架電数")
    assert calls > header
    assert [ws.cell(row=calls, column=c).value for c in (2, 3, 5, 6)] == [
        100, pytest.approx(3.0), pytest.approx(phase["G5"].value), "未達"]


@pytest.mark.parametrize("name", ["ja", "en_below", "activities_only"])
def test_libreoffice_recalculates_the_funnel_as_build_funnel(recalculated: Recalculated, catalogue: Catalogue,
                                                             name: str) -> None:
    sheet = recalculated.sheets[name]
    ws = recalculated.books[name][SHEET_NAMES[sheet.lang][5]]
    steps = build_funnel(catalogue, "activity", sheet.results)
    bottleneck = find_bottleneck(steps)
    flagged = bottleneck.step.kpi_id if bottleneck and bottleneck.below_benchmark else None
    flag = {"ja": "◀ ボトルネック", "en": "◀ Bottleneck"}[sheet.lang]
    for row, step in enumerate(steps, start=FUNNEL_FIRST_ROW):
        where = f"{name} {step.kpi_id}"
        assert_number(ws[f"B{row}"].value, step.count, where)
        assert_number(ws[f"D{row}"].value, None if step.step_rate is None else step.step_rate / 100, where)
        assert_number(ws[f"E{row}"].value, None if step.cumulative_rate is None else step.cumulative_rate / 100, where)
        assert_number(ws[f"H{row}"].value, step.shortfall if step.candidate else None, where)  # as find_bottleneck
        assert ws[f"J{row}"].value == (flag if step.kpi_id == flagged else None), where
    assert (flagged is not None) == (name == "en_below")


def assert_plan(ws: Worksheet, plan: Plan, results: KpiResults, name: str) -> None:
    """Every line of the plan sheet: required per month and per rep per day, and actual ÷ required."""
    catalogue = default_catalogue()
    coverage = {n.node_id: n.achievement for n in kpi_tree(plan, catalogue, results) if n.kind == "volume"}
    for row, line in enumerate(plan.lines, start=plan_first_line_row(catalogue.plan)):
        assert_number(ws[f"B{row}"].value, line.per_month, f"{name} {line.metric} per month")
        assert_number(ws[f"C{row}"].value, line.per_rep_per_day, f"{name} {line.metric} per rep per day")
        expected = coverage[line.metric]
        assert_number(ws[f"F{row}"].value, None if expected is None else expected / 100, f"{name} {line.metric}")


@pytest.mark.parametrize("name", ["ja", "activities_only"])
def test_libreoffice_recalculates_the_plan_as_build_plan(recalculated: Recalculated, catalogue: Catalogue,
                                                         name: str) -> None:
    results = recalculated.sheets[name].results
    plan = build_plan(catalogue, default_inputs(catalogue, results))
    assert_plan(recalculated.books[name]["KGI逆算"], plan, results, name)
    assert (plan.lines[-1].per_rep_per_day is None) == (name == "activities_only")  # no deals: no deal size


def test_changing_the_kgi_in_the_workbook_recalculates_the_plan(recalculated: Recalculated, catalogue: Catalogue,
                                                               results: KpiResults) -> None:
    inputs: PlanInputs = replace(default_inputs(catalogue, results), kgi_per_month=NEW_KGI)
    changed, before = recalculated.books["changed"], recalculated.books["ja"]
    assert named_cell(changed, "KGI_PER_MONTH").value == NEW_KGI
    assert_plan(changed["KGI逆算"], build_plan(catalogue, inputs), results, "changed")
    calls = plan_first_line_row(catalogue.plan) + len(catalogue.plan.volumes) - 1
    assert changed["KGI逆算"][f"C{calls}"].value == pytest.approx(
        before["KGI逆算"][f"C{calls}"].value * NEW_KGI / 18_000_000)


def test_changing_a_target_recalculates_phase_and_per_rep_achievements(
        recalculated: Recalculated, catalogue: Catalogue, results: KpiResults, data: Data) -> None:
    book = recalculated.books["changed"]
    expected = achievement(results.actual("calls"), NEW_CALLS_TARGET, "higher")
    assert book["立ち上げ期"]["G5"].value == pytest.approx(expected / 100)
    assert book["立ち上げ期"]["H5"].value == "達成"
    targets = {"calls": NEW_CALLS_TARGET}
    assert_per_rep(book["担当者別"], leaderboard(catalogue, "startup", data.by_rep, targets))


def assert_per_rep(ws: Worksheet, rows: list) -> None:
    for offset, rep_row in enumerate(rows):
        row = REPS_FIRST_ROW + offset
        assert ws.cell(row=row, column=1).value == rep_row.rep
        for index, card in enumerate(rep_row.cards):
            assert_number(ws.cell(row=row, column=2 + 2 * index).value, card.actual, f"{rep_row.rep} {card.kpi_id}")
            assert_number(ws.cell(row=row, column=3 + 2 * index).value,
                          None if card.achievement is None else card.achievement / 100, f"{rep_row.rep} {card.kpi_id}")
        average = ws.cell(row=row, column=2 + 2 * len(rep_row.cards)).value
        assert_number(average, None if rep_row.average_achievement is None else rep_row.average_achievement / 100,
                      f"{rep_row.rep} average")


def test_libreoffice_recalculates_per_rep_achievements_as_the_leaderboard(
        recalculated: Recalculated, catalogue: Catalogue, data: Data) -> None:
    rows = leaderboard(catalogue, "startup", data.by_rep)
    assert [r.rep for r in rows] == ["佐藤", "鈴木"]
    assert_per_rep(recalculated.books["ja"]["担当者別"], rows)


def test_libreoffice_shows_the_bottleneck_in_the_english_summary(recalculated: Recalculated) -> None:
    ws = recalculated.books["en_below"]["Summary"]
    assert value_beside(ws, "Bottleneck rate") == "Connect rate"
    assert value_beside(ws, "Rate") == pytest.approx(0.1)
    assert value_beside(ws, "Assessment").startswith("Below the benchmark floor")
    assert value_beside(ws, "What to do") == "Improve the talk script"


def test_user_strings_stay_text_after_recalculation(recalculated: Recalculated) -> None:
    cells = user_cells(recalculated.books["injected"])
    assert [c.value for c in cells] == [ORGANISATION, "+1+1.csv", "@SUM(A1)", *sorted(INJECTED_REPS)]
    assert all(c.data_type == "s" for c in cells)


def test_the_chart_survives_the_round_trip(recalculated: Recalculated) -> None:
    (chart,) = openpyxl.load_workbook(recalculated.paths["ja"])["ファネル"]._charts
    assert isinstance(chart, BarChart) and chart.type == "bar"
