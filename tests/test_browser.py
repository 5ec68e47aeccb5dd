"""Smoke test in a real browser: `streamlit run` on a free port, Debian's Chromium via Playwright.

`make test` installs Chromium (and the CJK fonts for readable screenshots). Screenshots of a
failing test land in test-artifacts/.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bench.served import streamlit_server

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    try:
        with streamlit_server() as server:
            yield server.url
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture()
def page(app_url: str, request: pytest.FixtureRequest):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        tab = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        tab.set_default_timeout(60_000)
        tab.goto(app_url)
        yield tab
        if getattr(request.node, "failed_call", False):  # set by the hook in conftest.py
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        browser.close()


def test_dashboard_renders_the_demo_in_japanese_then_english(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("heading", name="成長期のKPIダッシュボード").wait_for()
    page.get_by_text("ボトルネック: アポイント獲得率 9.4%").wait_for()
    expect(page.locator(".kpi-card")).to_have_count(6)  # waits out a rerun that redraws the page
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(6 + 2)  # a sparkline on each card, then the funnel and its rates
    for index in range(8):  # each one drawn: Streamlit draws nothing for a layered chart of a card's height
        charts.nth(index).locator("canvas, svg").first.wait_for()
    page.get_by_text("English").click()
    page.get_by_role("heading", name="Growth KPI dashboard").wait_for()
    page.get_by_text("Bottleneck: Appointment rate at 9.4%").wait_for()


def test_excel_sheet_downloads_from_the_export_page(page) -> None:
    page.get_by_role("heading", name="成長期のKPIダッシュボード").wait_for()
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="Excel出力").click()
    page.get_by_role("heading", name="Excel KPIシートの出力").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Excelをダウンロード").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["サマリー", "立ち上げ期", "成長期", "成熟期", "KGI逆算", "ファネル", "担当者別", "定義"]
