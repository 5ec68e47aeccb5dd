"""Text from the user's files is shown as text on every page: names made of markdown, Streamlit
directives and HTML never become links, images, colours, emoji or formulas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rendering import TEXT_KINDS, unescaped
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
IMAGE_REP = "![x](http://host.invalid/px.png)"
DIRECTIVE_REP = ":red[boom] :smile: $x^2$ **bold**"
LINK_FILE = "[click](http://host.invalid).csv"
CALLS = "\n".join([
    "occurred_at,rep,team,channel,outcome,duration_sec",
    # 40 calls of which 5 connect (12.5 %, under the 20 % floor): the reps page names this rep's bottleneck
    *(f"2026-11-{16 + i % 2} {9 + i // 10}:{i % 10 * 5:02d},{IMAGE_REP},<img src=x onerror=alert(1)>,call,"
      f"{'接続' if i < 5 else '不在'},{150 if i < 5 else 0}" for i in range(40)),
    *(f'2026-11-16 15:{i:02d},"{DIRECTIVE_REP}",x,call,接続,200' for i in range(3)),
    "2026-11-18 09:00,`code` and [link](http://host.invalid),x,call,接続,30",
]) + "\n"
PAGES = ["views/data.py", "views/dashboard.py", "views/funnel.py", "views/reps.py", "views/trends.py",
         "views/insights.py", "views/drilldown.py", "views/planner.py", "views/strategy.py", "views/diagnosis.py",
         "views/export.py"]
# what markdown would turn into something other than text: an image, a link, a directive, a shortcode, math, HTML
LIVE = [re.compile(p) for p in (r"(?<!\\)!(?<!\\)\[", r"(?<!\\)\]\(", r"(?<!\\):(red|blue|green)(?<!\\)\[",
                                r":smile:", r"(?<!\\)\$x", r"<img", r"(?<!\\)`code")]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(autouse=True)
def _module_workspace(_own_workspace: None, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One session across the module's tests: its workspace (and the history the upload went into) too."""
    monkeypatch.setenv("PHASEKPI_WORKSPACE", str(folder / "workspace.duckdb"))
    monkeypatch.setenv("PHASEKPI_PROFILES", str(folder / "profiles.json"))


@pytest.fixture(scope="module")
def app(folder: Path) -> Iterator[AppTest]:
    import os

    before = {name: os.environ.get(name) for name in ("PHASEKPI_WORKSPACE", "PHASEKPI_PROFILES")}
    os.environ.update(PHASEKPI_WORKSPACE=str(folder / "workspace.duckdb"), PHASEKPI_PROFILES=str(folder / "profiles.json"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/data.py").run()
    at.file_uploader[0].set_value([(LINK_FILE, CALLS.encode(), "text/csv")])
    at.button[0].click().run()
    next(b for b in at.button if b.label == "読み込む").click().run()
    assert not at.exception
    yield at
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.mark.parametrize("page", PAGES)
def test_user_text_is_never_live_markup(app: AppTest, page: str) -> None:
    app.switch_page(page).run()
    assert not app.exception, app.exception[0].message if app.exception else ""
    shown = [element.value for kind in TEXT_KINDS for element in getattr(app, kind)
             if "kpi-card" not in element.value and "<style>" not in element.value]  # our own HTML, escaped inside
    live = [(pattern.pattern, text) for text in shown for pattern in LIVE if pattern.search(text)]
    assert live == []


def test_the_hostile_names_are_there_to_be_read(app: AppTest) -> None:
    app.switch_page("views/data.py").run()
    report = [unescaped(s.value) for kind in (app.success, app.warning) for s in kind]
    assert any(text.startswith(LINK_FILE) for text in report)  # the file's name, as typed, in the report
    app.switch_page("views/reps.py").run()
    assert any(unescaped(w.value).startswith(IMAGE_REP) for w in app.warning)  # its bottleneck, its name as text
    table = app.dataframe[0].value
    assert {IMAGE_REP, DIRECTIVE_REP} <= set(table.iloc[:, 0])  # the reps, as typed, in the leaderboard
