"""Seconds from opening the dashboard in a new browser session to its first KPI card:
`python -m bench.first_card [SESSIONS]` (issue 14: ≤ 2 s on a warm server).

One server; the first session warms it (it parses the bundled demo once, see phasekpi.snapshot);
each later session is a new browser context, timed from `goto` to the first `.kpi-card`.
"""

from __future__ import annotations

import statistics
import sys
import time

from playwright.sync_api import sync_playwright

from bench.served import streamlit_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def first_card_seconds(browser: object, url: str) -> float:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        started = time.monotonic()
        page.goto(f"{url}/dashboard")
        page.locator(".kpi-card").first.wait_for(timeout=120_000)
        return time.monotonic() - started
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    sessions = int((argv or sys.argv[1:] or ["5"])[0])
    with streamlit_server() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        cold = first_card_seconds(browser, server.url)
        warm = [first_card_seconds(browser, server.url) for _ in range(sessions)]
        browser.close()
    print(f"first session (cold server): {cold:.2f} s")
    print(f"new sessions on the warm server: median {statistics.median(warm):.2f} s, max {max(warm):.2f} s "
          f"({', '.join(f'{s:.2f}' for s in warm)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
