"""Load test: N managers at once on one server, each loading the 1M-row dataset and viewing the
dashboard. `python -m bench.load [--sessions 20] [--size 1m]` (or `make load`).

A real `streamlit run` on a loopback port; one Debian Chromium with a browser context per session
(each its own Streamlit session and DuckDB connection), all driven at the same time. Every session:
opens the app (the demo dashboard), picks the three files of the dataset from the import folder
(the path for files over the upload limit), confirms the mapping, waits for the load report, opens
the dashboard, reads its KPI cards, goes to the funnel page and back (a warm view). Recorded: the
seconds of each step per session, errors (Streamlit exceptions on a page, timeouts, wrong row
counts, cards that differ between sessions that loaded the same data) and the server's resident
memory sampled every 0.2 s. Bounded: a session gives up after --timeout seconds; the server and
browser listen on 127.0.0.1 only. Writes bench/load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.scale import dataset
from bench.served import ROOT, streamlit_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
FILES = ("activities", "leads", "opportunities")
REPORT_LINE = re.compile(r"(\S+?)\((.+?)\): ([\d,]+)行を読み取り、([\d,]+)行を読み込みました。")
STEPS = ("open", "pick_files", "load", "dashboard", "warm_dashboard")
SESSION_TTL = 10  # seconds a closed session is kept (Streamlit's default is 120)


@dataclass
class SessionRun:
    index: int
    seconds: dict[str, float] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)
    cards: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the server process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children, in MB."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(proc.name) == pid or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


class MemorySampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [rss_mb(pid)], True

    def run(self) -> None:
        while self.running:
            self.samples.append(rss_mb(self.pid))
            time.sleep(0.2)


async def timed(run: SessionRun, step: str, action) -> None:
    began = time.perf_counter()
    await action
    run.seconds[step] = time.perf_counter() - began


async def one_session(browser, url: str, run: SessionRun, timeout_s: float) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1600}, locale="ja-JP")
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    try:
        await timed(run, "open", _open(page, url))
        await timed(run, "pick_files", _pick_files(page))
        await timed(run, "load", _load(page, run))
        await timed(run, "dashboard", _dashboard(page, run))
        await _go(page, "ファネル分析", "ファネルとボトルネック")
        await timed(run, "warm_dashboard", _dashboard(page, run))
        if await page.locator('[data-testid="stException"]').count():
            run.errors.append("an exception is shown on the page")
    except Exception as error:  # a timeout or a missing element is a result of the test, not a crash of it
        run.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:200]}")
        shots = ROOT / "test-artifacts"
        shots.mkdir(exist_ok=True)
        await page.screenshot(path=str(shots / f"load-session-{run.index}.png"), full_page=True)
    finally:
        await context.close()


async def _open(page, url: str) -> None:
    await page.goto(url)
    await page.get_by_role("heading", name=re.compile("のKPIダッシュボード$")).wait_for()


async def _go(page, link: str, heading: str) -> None:
    await page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=link).click()
    await page.get_by_role("heading", name=heading).wait_for()


async def _pick_files(page) -> None:
    await _go(page, "データ", "データの読み込み")
    await page.get_by_text("200MBを超えるファイル").click()
    for name in FILES:
        await page.locator('[data-testid="stMultiSelect"]').click()
        await page.get_by_role("option", name=re.compile(f"^{name}\\.csv")).click()
    await page.keyboard.press("Escape")
    await page.locator('[data-testid="stExpander"]').get_by_role("button", name="ファイルを確認する").click()
    await page.get_by_role("heading", name="列の対応付けを確認").wait_for()


async def _load(page, run: SessionRun) -> None:
    await page.get_by_role("button", name="読み込む").click()
    await page.get_by_role("heading", name="読み込み結果").wait_for()
    lines = page.locator('[data-testid="stAlert"]').filter(has_text=REPORT_LINE)
    await lines.nth(len(FILES) - 1).wait_for()  # the page draws the report file by file
    for text in await lines.all_inner_texts():
        match = REPORT_LINE.search(text)
        if match:
            run.loaded[match[1]] = int(match[4].replace(",", ""))


async def _dashboard(page, run: SessionRun) -> None:
    await _go(page, "ダッシュボード", re.compile("のKPIダッシュボード$"))
    await page.locator(".kpi-card").first.wait_for()
    await page.get_by_text("ボトルネック").first.wait_for()
    run.cards = {}
    for card in await page.locator(".kpi-card").all():
        label = (await card.locator(".label").inner_text()).strip()
        run.cards[label] = (await card.locator(".value").inner_text()).strip()


async def drive(url: str, sessions: int, timeout_s: float) -> list[SessionRun]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        runs = [SessionRun(i) for i in range(sessions)]
        await asyncio.gather(*(asyncio.wait_for(one_session(browser, url, run, timeout_s), timeout_s * 2)
                               for run in runs), return_exceptions=True)
        await browser.close()
    return runs


def check(runs: list[SessionRun], expected_rows: dict[str, int]) -> None:
    """Every session loaded every row, and all show the same cards (they loaded the same data)."""
    reference = next((r.cards for r in runs if r.cards and not r.errors), {})
    for run in runs:
        if not run.errors and run.loaded != expected_rows:
            run.errors.append(f"loaded {run.loaded}, expected {expected_rows}")
        if run.cards and run.cards != reference:
            run.errors.append("its dashboard cards differ from another session's on the same data")


def summary(values: list[float]) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.1f} / {p95:.1f} / {ordered[-1]:.1f}"


@dataclass(frozen=True)
class ServerUse:
    baseline_mb: float  # started, no session yet
    peak_mb: float
    closed_mb: float  # right after the browsers closed
    released_mb: float  # once the closed sessions' TTL has passed
    cpu_s: float  # CPU seconds the server used while the sessions ran


def render(runs: list[SessionRun], server: ServerUse, args: argparse.Namespace,
           rows: dict[str, int], elapsed: float, started: datetime) -> str:
    errors = [f"session {r.index}: {e}" for r in runs for e in r.errors]
    lines = [
        "# Load test: concurrent sessions on one server", "",
        f"Run {started:%Y-%m-%d %H:%M} in {elapsed:.0f} s with `python -m bench.load --sessions {args.sessions} "
        f"--size {args.size}`; nproc {os.cpu_count()}; server and Chromium on the same machine (loopback).", "",
        f"Each of {args.sessions} browser contexts (one Streamlit session each) opened the app, picked "
        f"{', '.join(f'{rows[f]:,} {f}' for f in FILES)} rows from the import folder, loaded them into its own "
        "DuckDB, opened the dashboard, went to the funnel page and back. All sessions ran at the same time.", "",
        "## Seconds per step (median / p95 / max over sessions)", "",
        "| step | seconds |", "|---|---:|",
        *[f"| {step} | {summary([r.seconds[step] for r in runs if step in r.seconds])} |" for step in STEPS], "",
        "## Server memory", "",
        "| what | MB |", "|---|---:|",
        f"| server started, no session yet | {server.baseline_mb:,.0f} |",
        f"| peak during the run | {server.peak_mb:,.0f} |",
        f"| per session ((peak − start) ÷ sessions) | {(server.peak_mb - server.baseline_mb) / max(1, args.sessions):,.0f} |",
        f"| right after the browsers closed | {server.closed_mb:,.0f} |",
        f"| {SESSION_TTL + 15} s later (closed sessions dropped after `server.disconnectedSessionTTL` = {SESSION_TTL} s) "
        f"| {server.released_mb:,.0f} |", "",
        "## Server CPU", "",
        f"{server.cpu_s:,.0f} CPU seconds while the sessions ran, {server.cpu_s / max(1, args.sessions):,.1f} per session; "
        f"the rest of the {os.cpu_count()} cores' time went to the {args.sessions} Chromium pages drawing the app.", "",
        "## Result", "",
        f"- sessions completed without error: {sum(1 for r in runs if not r.errors)} of {len(runs)}",
        f"- every session loaded every row and showed the same {len(next((r.cards for r in runs if r.cards), {}))} "
        f"KPI cards: {'yes' if not errors else 'no'}",
        *[f"- {e}" for e in errors[:40]], "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--size", default="1m", help="dataset size of bench.scale: 10k, 100k, 1m (default 1m)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a session may take (default 900)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "load.md")
    args = parser.parse_args(argv)
    data = dataset(args.size)
    rows = {f"{name}.csv": data.counts[name] for name in FILES}
    folder = Path(tempfile.mkdtemp(prefix="phasekpi-load-"))
    imports = folder / "import"
    imports.mkdir()
    for name in FILES:
        (imports / f"{name}.csv").symlink_to(data.path(name).resolve())
    env = {"PHASEKPI_IMPORT_DIR": str(imports), "PHASEKPI_WORKSPACE": str(folder / "workspace.duckdb"),
           "PHASEKPI_PROFILES": str(folder / "profiles.json")}
    started, began = datetime.now(), time.perf_counter()
    try:
        with streamlit_server(env, [f"--server.disconnectedSessionTTL={SESSION_TTL}"]) as server:
            baseline, cpu_before = rss_mb(server.pid), cpu_seconds(server.pid)
            memory = MemorySampler(server.pid)
            memory.start()
            runs = asyncio.run(drive(server.url, args.sessions, args.timeout))
            cpu = cpu_seconds(server.pid) - cpu_before
            closed = rss_mb(server.pid)
            time.sleep(SESSION_TTL + 15)  # past the TTL, the server drops the sessions and their stores
            memory.running = False
            memory.join()
            released = rss_mb(server.pid)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    check(runs, rows)
    server = ServerUse(baseline, max(memory.samples), closed, released, cpu)
    markdown = render(runs, server, args, {k.removesuffix(".csv"): v for k, v in rows.items()},
                      time.perf_counter() - began, started)
    print(markdown)
    args.out.write_text(markdown + "\n", encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)
    return 0 if all(not r.errors for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
