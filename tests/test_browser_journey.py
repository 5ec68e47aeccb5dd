"""Proven in a real browser: a manager's whole journey, and two managers at once.

`streamlit run app.py` on a free port with its own mapping-profiles file, driven by Debian's
Chromium through Playwright. The journey uploads a CP932 Japanese-header Salesforce activity report
and an opportunity report, confirms the mapping, reads the load report, answers the phase checklist,
reads the dashboard's KPI cards and checks every one against the command line on the same files,
downloads the Excel sheet and opens it, then switches to English. Two managers add different files
at the same time to the one team history: both land, and both sessions show the union. A manager
undoes an upload from the Data page's list.

Only explicit waits for text (no sleeps). A failing test leaves full-page screenshots in
test-artifacts/.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bench.served import streamlit_server
from phasekpi.catalogue import default_catalogue
from phasekpi.display import format_number
from phasekpi.history import History, history_folder

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CRM = ROOT / "tests" / "data" / "crm"
ACTIVITIES = CRM / "salesforce_report_ja_activities_cp932.csv"  # CP932, Japanese headers
OPPORTUNITIES = CRM / "salesforce_report_en_opportunities.csv"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
REPORT_LINE = re.compile(r"(\S+?)\((.+?)\): ([\d,]+)行を読み取りました。新規 ([\d,]+)、更新 ([\d,]+)、重複 ([\d,]+)、"
                         r"除外 ([\d,]+)、フッター ([\d,]+)。")
CLI_LINE = re.compile(r"^(\S+?)\(.+?\): 読取 ([\d,]+) = 新規 ([\d,]+) \+ 更新 ([\d,]+) \+ 重複 ([\d,]+) "
                      r"\+ 除外 ([\d,]+) \+ フッター ([\d,]+)", re.M)
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def server_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("journey")  # our own mapping profiles and workspace, never the project's


@pytest.fixture(scope="module")
def app_url(server_folder: Path) -> Iterator[str]:
    try:
        with streamlit_server({"PHASEKPI_PROFILES": str(server_folder / "profiles.json"),
                               "PHASEKPI_WORKSPACE": str(server_folder / "workspace.duckdb")}) as server:
            yield server.url
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(autouse=True)
def _empty_history(server_folder: Path) -> None:
    """Each test starts on an empty team history (the server keeps one across its sessions)."""
    History(history_folder(server_folder / "workspace.duckdb")).clear()


@pytest.fixture()
def browser(request: pytest.FixtureRequest):
    """A Chromium; every page opened in it is screenshotted when the test fails."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        if getattr(request.node, "failed_call", False):  # set by the hook in conftest.py
            ARTIFACTS.mkdir(exist_ok=True)
            pages = [page for context in chromium.contexts for page in context.pages]
            for index, page in enumerate(pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}.png"), full_page=True)
        chromium.close()


def open_app(browser, url: str, wait: bool = True):
    """A new browser context (its own cookies: a new Streamlit session) on the app's start page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    if wait:
        wait_for_start(page)
    return page


def wait_for_start(page) -> None:
    page.get_by_role("heading", name=re.compile("のKPIダッシュボード$")).wait_for()  # the demo, before any upload


def go(page, link: str, heading: str) -> None:
    """Follow a sidebar link (the same session: a new URL would start a new one) and wait for its title."""
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=link).click()
    page.get_by_role("heading", name=heading).wait_for()


def upload(page, files: list[Path]) -> None:
    """Choose the files, wait until each has reached the server (its chip stops spinning), check them."""
    from playwright.sync_api import expect

    uploader = page.locator('[data-testid="stFileUploader"]')
    uploader.locator("input[type=file]").set_input_files([str(f) for f in files])
    expect(uploader.locator('[data-testid="stFileChip"]')).to_have_count(len(files))
    expect(uploader.locator('[data-testid="stFileChipIconSpinner"]')).to_have_count(0, timeout=60_000)
    page.get_by_role("button", name="ファイルを確認する").click()


def confirm_mapping(page) -> None:
    page.get_by_role("button", name="読み込む").click()
    page.get_by_role("heading", name="読み込み結果").wait_for()


def load_report(page) -> dict[str, tuple[int, int, int, int]]:
    """file → (read, loaded, rejected, duplicates) as the Data page says it."""
    numbers = {}
    for text in page.locator('[data-testid="stAlert"]').all_inner_texts():
        match = REPORT_LINE.search(text)
        if match:
            numbers[match[1]] = tuple(int(n.replace(",", "")) for n in match.group(3, 4, 5, 6, 7, 8))
    return numbers


def cli(*args: str, profiles: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "phasekpi", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PHASEKPI_PROFILES": str(profiles),
                               "PHASEKPI_WORKSPACE": str(profiles.with_name("cli-workspace.duckdb"))})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done


def cards(page, count: int) -> dict[str, str]:
    """KPI label (without its importance stars) → its value with the grain, as displayed, once all
    `count` cards are on the page (they are drawn one by one)."""
    from playwright.sync_api import expect

    expect(page.locator(".kpi-card")).to_have_count(count)
    metrics = page.locator('[data-testid="stMetric"]')
    expect(metrics).to_have_count(count)  # a rerun may be redrawing the cards: wait for every one
    expect(metrics.last.locator('[data-testid="stMetricValue"]')).to_be_visible()
    shown = {}
    for metric in metrics.all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[re.sub(r"\s*[★☆]+$", "", label)] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return shown


def card_text(kpi_id: str, actual: float | None, lang: str) -> str:
    """What a card shows for this value: the number at the displayed rounding with its unit (the
    grain is said by the target line under it)."""
    kpi = default_catalogue().kpis[kpi_id]
    return format_number(actual, kpi.unit, lang, grain=kpi.grain)


def test_manager_journey_from_cp932_upload_to_excel_and_english(browser, app_url: str, tmp_path: Path) -> None:
    catalogue = default_catalogue()
    page = open_app(browser, app_url)

    # 1. Data: upload a CP932 Japanese-header export and an opportunity report, check, confirm, read the report
    go(page, "データ", "データの読み込み")
    upload(page, [ACTIVITIES, OPPORTUNITIES])
    page.get_by_role("heading", name="列の対応付けを確認").wait_for()
    page.get_by_text(f"{ACTIVITIES.name} — 活動(架電・メール)(cp932、").wait_for()  # the encoding was recognised
    confirm_mapping(page)
    page.get_by_text("8行を読み取りました。新規 8、更新 0、重複 0、除外 0、フッター 0。").wait_for()
    page.get_by_text("6行を読み取りました。新規 6、更新 0、重複 0、除外 0、フッター 0。").wait_for()
    shown_report = load_report(page)
    assert shown_report == {ACTIVITIES.name: (8, 8, 0, 0, 0, 0), OPPORTUNITIES.name: (6, 6, 0, 0, 0, 0)}

    # the command line on the same files says the same about every row and every KPI
    done = cli("kpis", str(ACTIVITIES), str(OPPORTUNITIES), "--phase", "startup", "--json",
               profiles=tmp_path / "cli-profiles.json")
    assert {m[1]: tuple(int(n) for n in m.groups()[1:]) for m in CLI_LINE.finditer(done.stderr)} == shown_report
    kpis = json.loads(done.stdout)["kpis"]
    expected = {lang: {catalogue.kpis[k["id"]].label(lang): card_text(k["id"], k["actual"], lang) for k in kpis}
                for lang in ("ja", "en")}

    # 2. Phase diagnosis: tick S1–S3 and diagnose
    go(page, "フェーズ診断", "フェーズ診断チェックリスト")
    for item in ("S1", "S2", "S3"):
        page.locator('[data-testid="stCheckbox"]').filter(has_text=f"{item}\u3000").locator("label").click()
    page.get_by_role("button", name="診断する").click()
    page.get_by_text("立ち上げ期の基準を満たしました").wait_for()

    # 3. Dashboard: the startup cards, each equal to the CLI's value at the displayed rounding
    go(page, "ダッシュボード", "立ち上げ期のKPIダッシュボード")
    shown = cards(page, len(expected["ja"]))
    assert shown == expected["ja"]
    calls = catalogue.kpis["calls"].label("ja")
    assert re.fullmatch(r"[\d,.]+件", shown[calls])  # a number read off a card
    go(page, "担当者別", "担当者別の状況")
    page.get_by_text("髙橋 一郎").first.wait_for(state="attached")  # CP932 names intact (grid cells: hidden text)

    # 4. Excel export: download and open it; the startup sheet holds the same actuals, the summary our files
    go(page, "Excel出力", "Excel KPIシートの出力")
    with page.expect_download() as download:
        page.get_by_role("button", name="Excelをダウンロード").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    startup = catalogue.phase("startup").label("ja")
    sheet = next(book[name] for name in book.sheetnames if name.startswith(startup))
    actuals = {k["id"]: k["actual"] for k in kpis}
    labels = {catalogue.kpis[k].label("ja"): k for k in actuals}
    in_book = {row[1]: row[5] for row in sheet.iter_rows(values_only=True) if len(row) > 5 and row[1] in labels}
    assert set(in_book) == set(labels)
    for label, value in in_book.items():
        assert value == pytest.approx(actuals[labels[label]]), label
    summary = " ".join(str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c is not None)
    assert ACTIVITIES.name in summary and OPPORTUNITIES.name in summary

    # 5. English: the titles, the page and the cards switch language
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Download the Excel KPI sheet").wait_for()
    go(page, "Dashboard", "Startup KPI dashboard")
    assert cards(page, len(expected["en"])) == expected["en"]
    assert "Phase diagnosis" in page.locator('[data-testid="stSidebarNav"]').inner_text()


def team_file(folder: Path, team: str, reps: list[str], rows: int = 1500) -> Path:
    """A call log of one team: its own file name, rep names and ids."""
    lines = ["activity_id,occurred_at,rep,channel,outcome,duration_sec"]
    lines += [f"{team}-{i},2025-04-{1 + i % 28:02d} {9 + i % 8:02d}:{i % 60:02d},{reps[i % len(reps)]},call,"
              f"{('接続', '不在', 'アポ獲得')[i % 3]},{(i * 37) % 600}" for i in range(rows)]
    path = folder / f"{team}_calls.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_sessions_adding_at_the_same_time_both_land_in_the_history(browser, app_url: str, tmp_path: Path) -> None:
    """One server is one team's history: two managers adding at once both succeed, each report counts
    its own file against the history, and afterwards both sessions show the union (5 reps)."""
    teams = {
        "team_alpha": ["Alpha Aoki", "Alpha Abe"],
        "team_bravo": ["Bravo Baba", "Bravo Beppu", "Bravo Bando"],
    }
    files = {team: team_file(tmp_path, team, reps) for team, reps in teams.items()}
    pages = {team: open_app(browser, app_url, wait=False) for team in teams}  # both sessions start together
    for page in pages.values():
        wait_for_start(page)
        go(page, "データ", "データの読み込み")
    # both sessions check, then both load, without waiting for the other: their runs overlap on the server
    for team, page in pages.items():
        upload(page, [files[team]])
    for page in pages.values():
        page.get_by_role("button", name="読み込む").wait_for()
    for page in pages.values():
        page.get_by_role("button", name="読み込む").click()
    for team, page in pages.items():
        page.get_by_text("1,500行を読み取りました。新規 1,500、更新 0、重複 0、除外 0、フッター 0。").wait_for()
        assert load_report(page) == {files[team].name: (1500, 1500, 0, 0, 0, 0)}

    for page in pages.values():
        go(page, "担当者別", "担当者別の状況")
        for rep in [*teams["team_alpha"], *teams["team_bravo"]]:
            page.get_by_text(rep).first.wait_for(state="attached")  # a data grid cell
        go(page, "データ", "データの読み込み")
        for file in files.values():
            page.get_by_text(file.name).first.wait_for(state="attached")  # a cell of the upload list


def test_an_upload_listed_on_the_data_page_and_undone(browser, app_url: str, tmp_path: Path,
                                                      server_folder: Path) -> None:
    file = team_file(tmp_path, "team_alpha", ["Alpha Aoki", "Alpha Abe"])
    page = open_app(browser, app_url)
    go(page, "データ", "データの読み込み")
    upload(page, [file])
    page.get_by_role("button", name="読み込む").click()
    page.get_by_text("1,500行を読み取りました。新規 1,500、更新 0、重複 0、除外 0、フッター 0。").wait_for()
    page.get_by_text("アップロード履歴", exact=True).wait_for()
    page.get_by_text("チームのデータ(アップロード1件、").wait_for()
    page.get_by_role("button", name="取り消す").click()
    page.get_by_text(f"{file.name} を取り消しました。").wait_for()
    page.get_by_text("デモデータを表示中").wait_for()  # the history has no active upload left
    assert History(history_folder(server_folder / "workspace.duckdb")).manifest().active == ()
