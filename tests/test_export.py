"""The Excel KPI design sheet: a real DuckDB store, a real workbook, reopened with openpyxl.

The data are small enough to work out every actual by hand (see EXPECTED_ACTUALS).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from phasekpi.catalogue import Catalogue, default_catalogue
from phasekpi.diagnosis import Diagnosis, judge, phase_from_age
from phasekpi.export import (
    DEFINITIONS_HEADER_ROW,
    FIRST_ROW,
    HEADER_ROW,
    INPUT_FILL,
    KpiSheet,
    write_text,
    write_workbook,
)
from phasekpi.ingest import load_files
from phasekpi.metrics import DAYS_PER_MONTH, Filters, KpiResults, compute_kpis
from phasekpi.schema import open_store

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
    "opportunity_amount": 4_200_000 / (MONTHS * REPS),
    "won_amount": 1_200_000 / MONTHS,
    "pipeline_amount": 3_000_000 / MONTHS,
    "cac": CAC,
    "ltv_cac": 50_000 * 0.70 * 24 / CAC,
}
STRADDLE = {"S1": True, "S2": True, "S3": True, "G1": True, "G2": True, "G3": True, "M1": False}
SHEET_NAMES = {
    "ja": ["サマリー", "立ち上げ期", "成長期", "成熟期", "定義"],
    "en": ["Summary", "Startup", "Growth", "Mature", "Definitions"],
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


def build_results(catalogue: Catalogue, folder: Path, files: tuple[tuple[str, str, str], ...]) -> KpiResults:
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
    return results


@pytest.fixture(scope="module")
def results(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> KpiResults:
    return build_results(catalogue, tmp_path_factory.mktemp("data"), FILES)


def make_sheet(catalogue: Catalogue, results: KpiResults, answers: Mapping[str, bool] = STRADDLE,
               diagnosis: Diagnosis | None = None, **options: object) -> KpiSheet:
    options = {"organisation": ORGANISATION, "sources": tuple(name for _, name, _ in FILES)} | options
    return KpiSheet(catalogue=catalogue, results=results, diagnosis=diagnosis or judge(catalogue, answers),
                    answers=answers, **options)


def render(sheet: KpiSheet) -> Workbook:
    stream = io.BytesIO()
    write_workbook(stream, sheet)
    stream.seek(0)
    return openpyxl.load_workbook(stream)


@pytest.fixture(scope="module")
def book_ja(catalogue: Catalogue, results: KpiResults) -> Workbook:
    return render(make_sheet(catalogue, results, lang="ja"))


@pytest.fixture(scope="module")
def book_en(catalogue: Catalogue, results: KpiResults) -> Workbook:
    return render(make_sheet(catalogue, results, lang="en"))


def row_of(ws: Worksheet, column: str, value: object) -> int:
    """The first row whose cell in `column` holds `value`."""
    for cell in ws[column]:
        if cell.value == value:
            return cell.row
    raise AssertionError(f"{value!r} not found in column {column} of {ws.title}")


def value_beside(ws: Worksheet, label: str) -> object:
    return ws.cell(row=row_of(ws, "A", label), column=2).value


# ---------------------------------------------------------------- the data behind the sheet


def test_the_fixture_data_give_the_hand_computed_actuals(results: KpiResults) -> None:
    assert (results.period.days, results.period.rep_days, results.period.active_reps) == (2, 3, 2)
    for kpi_id, expected in EXPECTED_ACTUALS.items():
        assert results.actual(kpi_id) == pytest.approx(expected), kpi_id


# ---------------------------------------------------------------- sheets and layout


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sheet_names_follow_the_language(catalogue: Catalogue, results: KpiResults, lang: str) -> None:
    assert render(make_sheet(catalogue, results, lang=lang)).sheetnames == SHEET_NAMES[lang]


def test_unknown_language_is_refused(catalogue: Catalogue, results: KpiResults) -> None:
    with pytest.raises(ValueError, match="lang"):
        write_workbook(io.BytesIO(), make_sheet(catalogue, results, lang="fr"))


@pytest.mark.parametrize(("lang", "headers"), [
    ("ja", ["階層", "KPI", "重要度", "目標値", "単位", "実績", "達成率", "状況"]),
    ("en", ["Tier", "KPI", "Importance", "Target", "Unit", "Actual", "Achievement", "Status"]),
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
    ("成長期", 10, "戦略KPI", "商談創出金額", "★★☆", "円/人月", 30_000_000, '"¥"#,##0'),
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


@pytest.mark.parametrize(("sheet", "row", "achievement"), [
    ("立ち上げ期", 5, '=IF(OR(D5="",F5="",D5=0),"",F5/D5)'),  # calls: higher is better
    ("成長期", 6, '=IF(OR(D6="",F6="",D6=0),"",F6/D6)'),  # opportunity rate, percent points both
    ("成熟期", 9, '=IF(OR(D9="",F9="",D9=0,F9<=0),"",D9/F9)'),  # CAC: lower is better
])
def test_achievement_and_status_are_live_formulas(book_ja: Workbook, sheet: str, row: int, achievement: str) -> None:
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


def test_print_setup_is_a4_landscape_fit_to_width(book_ja: Workbook) -> None:
    for ws in book_ja:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_columns_are_wide_enough_for_japanese_labels(book_ja: Workbook) -> None:
    ws = book_ja["成熟期"]
    # "CAC(顧客獲得コスト)" is 5 narrow and 7 wide characters: 19 columns of text
    assert ws.column_dimensions["B"].width >= 19
    assert book_ja["定義"].column_dimensions["J"].width == 50  # long meanings wrap at the cap


def test_target_override_replaces_the_default(catalogue: Catalogue, results: KpiResults) -> None:
    book = render(make_sheet(catalogue, results, targets={"startup": {"calls": 90}, "mature": {"cac": 400_000}}))
    assert book["立ち上げ期"]["D5"].value == 90
    assert book["立ち上げ期"]["D6"].value == 20  # connects keeps the catalogue's target
    assert book["成長期"]["D5"].value == 80  # calls of another phase keep theirs
    assert book["成熟期"]["D9"].value == 400_000


def test_missing_actual_leaves_the_cell_blank_but_keeps_the_formula(
        catalogue: Catalogue, tmp_path: Path) -> None:
    only_activities = build_results(catalogue, tmp_path, FILES[:1])
    assert only_activities.actual("opportunities_created") is None
    ws = render(make_sheet(catalogue, only_activities))["立ち上げ期"]
    assert ws["F10"].value is None
    assert ws["G10"].value == '=IF(OR(D10="",F10="",D10=0),"",F10/D10)'
    assert ws["F5"].value == pytest.approx(3.0)


# ---------------------------------------------------------------- phase markers


@pytest.mark.parametrize(("lang", "marks"), [
    ("ja", ["現在のフェーズ", "参考値", None]),
    ("en", ["Current phase", "Reference", None]),
])
def test_active_and_reference_phases_are_marked(request: pytest.FixtureRequest, lang: str,
                                                marks: list[str | None]) -> None:
    book = request.getfixturevalue(f"book_{lang}")
    assert [book[name]["A2"].value for name in SHEET_NAMES[lang][1:4]] == marks
    fills = [book[name]["A1"].fill.fgColor.rgb for name in SHEET_NAMES[lang][1:4]]
    assert fills[0] != fills[1] and fills[1] == fills[2]  # only the active phase's title is highlighted


def test_a_single_phase_has_no_reference_marks(catalogue: Catalogue, results: KpiResults) -> None:
    book = render(make_sheet(catalogue, results, answers={"M1": True, "M2": True}))
    assert [book[name]["A2"].value for name in SHEET_NAMES["ja"][1:4]] == [None, None, "現在のフェーズ"]


# ---------------------------------------------------------------- summary


def test_summary_shows_organisation_period_sources_and_diagnosis(book_ja: Workbook) -> None:
    ws = book_ja["サマリー"]
    assert ws["A1"].value == "フェーズ別KPI設計シート"
    assert value_beside(ws, "組織名") == ORGANISATION
    assert value_beside(ws, "集計期間") == "2025-04-01 – 2025-04-02"
    assert value_beside(ws, "日数") == 2
    assert value_beside(ws, "月数") == pytest.approx(MONTHS)
    first_source = row_of(ws, "A", "データソース")
    assert [ws.cell(row=first_source + i, column=2).value for i in range(3)] == ["+1+1.csv", "@SUM(A1)", "leads.csv"]
    assert value_beside(ws, "診断フェーズ") == "立ち上げ期"
    assert value_beside(ws, "判定").startswith("複数フェーズに該当")
    assert value_beside(ws, "参考値として表示するフェーズ") == "成長期"


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
    rows = [[c.value for c in ws[header + i]][:4] for i in range(1, len(items) + 1)]
    assert [r[0] for r in rows] == [i.id for i in items]
    assert [r[1] for r in rows] == [i.label(lang) for i in items]
    assert [r[3] for r in rows] == ["✓" if STRADDLE.get(i.id) else None for i in items]
    assert ws.cell(row=header + len(items) + 1, column=1).value is None


@pytest.mark.parametrize(("answers", "override", "phase", "outcome"), [
    ({"M1": True, "M2": True}, None, "成熟期", "1つのフェーズに該当"),
    ({"S1": True, "G1": True}, None, "立ち上げ期", "判定不能（チェック割合が最も高いフェーズを提案）"),
    ({"S1": True, "S2": True, "S3": True}, "growth", "成長期", "ユーザーが選択"),
])
def test_summary_outcome_words(catalogue: Catalogue, results: KpiResults, answers: dict[str, bool],
                               override: str | None, phase: str, outcome: str) -> None:
    sheet = make_sheet(catalogue, results, answers=answers, diagnosis=judge(catalogue, answers, override))
    ws = render(sheet)["サマリー"]
    assert (value_beside(ws, "診断フェーズ"), value_beside(ws, "判定")) == (phase, outcome)


def test_summary_of_a_phase_from_the_age_of_the_data(catalogue: Catalogue, results: KpiResults) -> None:
    diagnosis = phase_from_age(catalogue, results.period.start, results.period.end)
    answers = {"G1": True}
    book = render(make_sheet(catalogue, results, answers=answers, diagnosis=diagnosis, lang="en"))
    ws = book["Summary"]
    assert (value_beside(ws, "Diagnosed phase"), value_beside(ws, "Outcome")) == (
        "Startup", "Estimated from the age of the data")
    header = row_of(ws, "A", "Phase")
    assert [ws.cell(row=header + i, column=3).value for i in (1, 2, 3)] == [0, 1, 0]  # counted from the answers
    assert book["Startup"]["A2"].value == "Current phase"


# ---------------------------------------------------------------- definitions


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_definitions_have_one_row_per_kpi(request: pytest.FixtureRequest, catalogue: Catalogue, lang: str) -> None:
    ws = request.getfixturevalue(f"book_{lang}")[SHEET_NAMES[lang][4]]
    labels = [ws.cell(row=r, column=1).value for r in range(DEFINITIONS_HEADER_ROW + 1, ws.max_row + 1)]
    assert labels == [k.label(lang) for k in catalogue.kpis.values()]
    meanings = [ws.cell(row=r, column=10).value for r in range(DEFINITIONS_HEADER_ROW + 1, ws.max_row + 1)]
    assert meanings == [k.meaning(lang) for k in catalogue.kpis.values()]


@pytest.mark.parametrize(("lang", "kpi", "expected"), [
    ("ja", "コネクト率", ["行動KPI", "比率", "コネクト数 ÷ 架電数 × 100", "%", "期間全体", "高いほど良い",
                        "先行指標（行動）", "20〜30%"]),
    ("en", "Connect rate", ["Action KPIs", "Ratio", "Connects ÷ Calls × 100", "%", "Whole period", "Higher",
                            "Leading", "20–30 %"]),
    ("ja", "架電数", ["行動KPI", "件数", "活動の件数（条件: channel = 'call'）", "件", "1人1日あたり", "高いほど良い",
                   "先行指標（行動）", "80〜120件/人日"]),
    ("en", "CAC (customer acquisition cost)", [
        "Strategic KPIs", "Derived", "IS cost per month × months in the period ÷ Deals won", "JPY",
        "Whole period", "Lower", "Lagging", None]),
    ("en", "Hand-over win rate", ["Tactical KPIs", "Ratio", "Deals won ÷ Deals closed × 100", "%", "Whole period",
                                  "Higher", "Lagging", "≥ 25 %"]),
    ("en", "Opportunity quality score", ["Tactical KPIs", "Average score", "Average quality_score of opportunities",
                                         "pts", "Whole period", "Higher", "Lagging", None]),
])
def test_definition_rows(request: pytest.FixtureRequest, lang: str, kpi: str, expected: list[str | None]) -> None:
    ws = request.getfixturevalue(f"book_{lang}")[SHEET_NAMES[lang][4]]
    row = row_of(ws, "A", kpi)
    assert [ws.cell(row=row, column=c).value for c in range(2, 10)] == expected


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


@pytest.mark.parametrize(("label", "offset", "text"), [
    ("組織名", 0, ORGANISATION),
    ("データソース", 0, "+1+1.csv"),
    ("データソース", 1, "@SUM(A1)"),
])
def test_user_strings_in_the_workbook_are_not_formulas(book_ja: Workbook, label: str, offset: int, text: str) -> None:
    ws = book_ja["サマリー"]
    cell = ws.cell(row=row_of(ws, "A", label) + offset, column=2)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


# ---------------------------------------------------------------- recalculated by LibreOffice


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_achievement_as_actual_over_target(
        catalogue: Catalogue, results: KpiResults, tmp_path: Path) -> None:
    source = tmp_path / "kpi.xlsx"
    with source.open("wb") as stream:
        write_workbook(stream, make_sheet(catalogue, results))
    out = tmp_path / "out"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    book = openpyxl.load_workbook(out / "kpi.xlsx", data_only=True)
    for phase in catalogue.phases:
        ws = book[phase.label("ja")]
        for row, entry in enumerate(phase.kpis, start=FIRST_ROW):
            target, actual = ws[f"D{row}"].value, ws[f"F{row}"].value
            lower = catalogue.kpis[entry.kpi].direction == "lower"
            expected = target / actual if lower else actual / target
            assert ws[f"G{row}"].value == pytest.approx(expected), (phase.id, entry.kpi)
            status = "達成" if expected >= 1 else "注意" if expected >= 0.8 else "未達"
            assert ws[f"H{row}"].value == status, (phase.id, entry.kpi)
    assert book["立ち上げ期"]["G5"].value == pytest.approx(EXPECTED_ACTUALS["calls"] / 100)
    assert book["成熟期"]["G9"].value == pytest.approx(500_000 / CAC)
    assert value_beside(book["サマリー"], "組織名") == ORGANISATION
