"""Proven in a real browser: only the team sees the team's data (issue 18).

A standards-compliant OpenID Connect provider runs locally (the PyPI package oidc-provider-mock: its
login form takes the user's address as subject and e-mail); the app runs with `[auth]` in its own
secrets file pointing at it, and an access list naming an owner, a manager and a whole domain as
viewers. Chromium logs in as a stranger (no data), as a viewer (the data, no upload or undo
controls) and as a manager (whose undo is recorded under their address). A server reachable beyond
this machine without login shows no data at all, only how to set login up.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.served import free_port, streamlit_server
from phasekpi.access import AccessList, access_path, write_access
from phasekpi.history import History, history_folder

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
ACCESS = AccessList({"boss@example.co.jp": "owner", "manager@example.co.jp": "manager", "@example.co.jp": "viewer"})
CALLS = "活動ID,日付,担当者,種別,通話結果\n" + "".join(
    f"A{i:03d},2026-11-{2 + i % 5:02d} 10:{i % 60:02d},山田太郎,架電,{'接続' if i % 3 else '不在'}\n" for i in range(40))
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's own workspace (with the access list) and a history holding one upload."""
    folder = tmp_path_factory.mktemp("login")
    write_access(access_path(folder / "workspace.duckdb"), ACCESS)
    calls = folder / "calls_week.csv"
    calls.write_text(CALLS, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PHASEKPI_WORKSPACE": str(folder / "workspace.duckdb"),
           "PHASEKPI_PROFILES": str(folder / "profiles.json")}
    done = subprocess.run([sys.executable, "-m", "phasekpi", "add", str(calls)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def app_url(folder: Path) -> Iterator[str]:
    from oidc_provider_mock import run_server_in_thread

    port = free_port()
    with run_server_in_thread() as provider:
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-of-some-length"\n'
            'client_id = "phasekpi-test"\nclient_secret = "not-a-secret"\n'
            f'server_metadata_url = "http://127.0.0.1:{provider.server_port}/.well-known/openid-configuration"\n',
            encoding="utf-8")
        env = {"PHASEKPI_WORKSPACE": str(folder / "workspace.duckdb"), "PHASEKPI_PROFILES": str(folder / "profiles.json")}
        with streamlit_server(env, options=[f"--secrets.files={secrets}"], port=port) as server:
            yield server.url


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def log_in(browser, url: str, email: str):
    """A new browser context: the login prompt, the provider's form, back in the app."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ja-JP").new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_role("heading", name="ログインしてください").wait_for()
    page.get_by_role("button", name="ログイン").click()
    page.locator('input[name="sub"]').fill(email)
    page.get_by_role("button", name="Authorize").click()
    return page


def test_a_stranger_sees_no_data(browser, app_url: str) -> None:
    page = log_in(browser, app_url, "someone@elsewhere.example")
    page.get_by_role("heading", name="このダッシュボードを見る権限がありません").wait_for()
    page.get_by_text("someone@elsewhere.example としてログインしています").wait_for()
    assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0
    assert "山田太郎" not in page.content() and "KPIダッシュボード" not in page.content()


def test_a_viewer_reads_but_cannot_upload_or_undo(browser, app_url: str) -> None:
    page = log_in(browser, app_url, "viewer@example.co.jp")  # a viewer by the domain's entry
    page.get_by_role("heading", name=re.compile("のKPIダッシュボード$")).wait_for()
    page.get_by_text("viewer@example.co.jp(閲覧者)").wait_for()
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="データ").first.click()
    page.get_by_text("閲覧者はデータの閲覧とExcelのダウンロードができます").wait_for()
    page.get_by_text("アップロード履歴", exact=True).wait_for()
    assert page.get_by_role("button", name="ファイルを確認する").count() == 0
    assert page.get_by_role("button", name="取り消す").count() == 0
    assert page.get_by_text("すべてのデータを削除").count() == 0


def test_a_managers_undo_is_recorded_under_their_address(browser, app_url: str, folder: Path) -> None:
    page = log_in(browser, app_url, "Manager@Example.co.jp")  # addresses compare without case
    page.get_by_text("manager@example.co.jp(マネージャー)").wait_for()
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="データ").first.click()
    page.get_by_role("button", name="ファイルを確認する").wait_for()
    page.get_by_role("button", name="取り消す").click()
    page.get_by_text("calls_week.csv を取り消しました。").wait_for()
    undone = History(history_folder(folder / "workspace.duckdb")).manifest().uploads[0]
    assert (undone.undone_by, undone.added_by) == ("manager@example.co.jp", None)  # the CLI added it, as nobody


def test_a_server_open_to_the_network_without_login_shows_no_data(browser, tmp_path: Path) -> None:
    env = {"PHASEKPI_WORKSPACE": str(tmp_path / "workspace.duckdb"), "PHASEKPI_PROFILES": str(tmp_path / "p.json")}
    with streamlit_server(env, options=["--server.address=0.0.0.0"]) as server:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(server.url)
        page.get_by_role("heading", name="ログインの設定が必要です").wait_for()
        assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0
        assert "KPIダッシュボード" not in page.content()
