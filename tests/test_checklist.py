"""Checklist answers to review (issue 17): answers that exclude each other (`checklist.excludes`),
answers the data contradicts or only doubts, and answers saved before the data last changed.

The core is driven with hand-made suggestions; the page with the demo (8.9 months of data) and with
the team's history (the weekly call logs of tests/data/exports, added through the core)."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from phasekpi.catalogue import default_catalogue
from phasekpi.diagnosis import Contradiction, Suggestion, answered_before, contradiction_text, contradictions
from phasekpi.history import History, history_folder
from phasekpi.mapping import mapping_for
from phasekpi.schema import open_store
from phasekpi.sources import read_source

CATALOGUE = default_catalogue()
APP = str(Path(__file__).resolve().parent.parent / "app.py")
EXPORTS = Path(__file__).parent / "data" / "exports"


def months(item_id: str, value: float) -> Suggestion:
    """A span signal's suggestion as suggest_answers makes it, by the item's own rule (S1: below 6, G3: at least 3)."""
    rule = next(i for i in CATALOGUE.checklist.items if i.id == item_id).suggest
    return Suggestion(rule.holds(value), {"months": round(value, 1), "value": value, "threshold": rule.threshold})


def share(holds: bool) -> Suggestion:
    return Suggestion(holds, {"periods": 8, "met": 3, "share": 37.5, "value": 37.5, "threshold": 50.0},
                      {"kpis": "calls,connects", "phase": "startup"})


LONG = {"S1": months("S1", 34.6), "G3": months("G3", 34.6)}  # 34.6 months of data: not < 6, ≥ 3
SHORT = {"S1": months("S1", 2.1), "G3": months("G3", 2.1)}  # 2.1 months: < 6, not yet 3
MIDDLE = {"S1": months("S1", 4.0), "G3": months("G3", 4.0)}  # 4 months: < 6 and ≥ 3, both true at once

# name, ticked items, suggestions → expected flags (kind, items), in order
CASES = [
    ("nothing ticked, nothing suggested", (), {}, []),
    ("the excluded pair both ticked", ("S2", "G1"), {}, [("excluded", ("S2", "G1"))]),
    ("one of the pair ticked", ("S2",), {}, []),
    ("launched < 6 months against 34.6 months of data", ("S1",), LONG,
     [("data", ("S1",)), ("data", ("G3",))]),  # G3 unticked although 34.6 months prove it
    ("both span items as the long data says", ("G3",), LONG, []),
    ("not launched < 6 months with 2.1 months loaded: older data may be missing", (), SHORT, [("doubt", ("S1",))]),
    ("3+ months of data with 2.1 months loaded: more may be in the CRM", ("S1", "G3"), SHORT, [("doubt", ("G3",))]),
    ("S1 and G3 together at 4 months: not a pair", ("S1", "G3"), MIDDLE, []),
    ("targets not met, the data agrees", ("S2",), {"S2": share(True), "G1": share(False)}, []),
    ("the pair ticked: excluded, and G1 against the data", ("S2", "G1"), {"S2": share(True), "G1": share(False)},
     [("excluded", ("S2", "G1")), ("doubt", ("G1",))]),
    ("targets met unticked while the data says met", (), {"G1": share(True)}, [("doubt", ("G1",))]),
    ("a spread above the threshold, unticked", (), {"S4": Suggestion(True, {"value": 0.33, "threshold": 0.25})},
     [("doubt", ("S4",))]),
]


@pytest.mark.parametrize(("name", "ticked", "suggestions", "expected"), CASES, ids=[c[0] for c in CASES])
def test_contradictions(name: str, ticked: tuple[str, ...], suggestions: dict[str, Suggestion],
                        expected: list[tuple[str, tuple[str, ...]]]):
    answers = {i.id: i.id in ticked for i in CATALOGUE.checklist.items}
    found = contradictions(CATALOGUE, answers, suggestions)
    assert [(c.kind, c.items) for c in found] == expected
    assert all(c.hard == (c.kind != "doubt") for c in found)


@pytest.mark.parametrize(("contradiction", "lang", "expected"), [
    (Contradiction("excluded", ("S2", "G1")), "ja",
     "S2「行動KPI(架電数等)の目標が安定して達成できていない」とG1「行動KPIが安定して目標達成できるようになった」の"
     "両方にチェックがありますが、両立しません。どちらかを見直してください。"),
    (Contradiction("excluded", ("S2", "G1")), "en",
     'S2 "Action-KPI targets (calls etc.) are not met consistently" and G1 "Action KPIs are now met consistently" '
     "are both ticked, but they exclude each other. Please review one of them."),
    (Contradiction("data", ("S1",), LONG["S1"]), "ja",
     "S1「組織の立ち上げから6ヶ月未満である」にチェックがありますが、データと矛盾します。"
     "データ: 最初の活動から最後の記録まで34.6ヶ月(基準: 6ヶ月未満で該当)"),
    (Contradiction("data", ("S1",), LONG["S1"]), "en",
     'S1 "The team was launched less than 6 months ago" is ticked, which the data contradicts. '
     "Data: 34.6 months from the first activity to the last record (rule: applies below 6 months)"),
    (Contradiction("data", ("G3",), LONG["G3"]), "ja",
     "G3「3ヶ月以上のデータが蓄積され、傾向分析が可能」にチェックがありませんが、データと矛盾します。"
     "データ: 34.6ヶ月分のデータが蓄積(基準: 3ヶ月以上で該当)"),
    (Contradiction("doubt", ("G1",), share(False)), "ja",
     "G1「行動KPIが安定して目標達成できるようになった」にチェックがありますが、データからは逆の回答が示唆されます。"
     "データ: 直近8週のうち3週で架電数・コネクト数が立ち上げ期の目標()を達成(37.5%、基準: 75%以上で該当)"),
    (Contradiction("doubt", ("G1",), share(False)), "en",
     'G1 "Action KPIs are now met consistently" is ticked; the data suggests otherwise. Data: Calls and Connects met '
     "the Startup targets () in 3 of the last 8 weeks (37.5%; rule: applies at 75% or more)"),
])
def test_contradiction_texts(contradiction: Contradiction, lang: str, expected: str):
    # hand-made suggestions carry no target_<kpi> numbers, so the targets' brackets stay empty here
    # (tests/test_evidence.py checks them on a real store)
    assert contradiction_text(CATALOGUE, contradiction, lang) == expected


NOON = datetime(2026, 11, 20, 12, 0, 0)


@pytest.mark.parametrize(("answered_at", "changed_at", "expected"), [
    (datetime(2026, 11, 19, 9, 0), NOON, True),  # answered the day before the last upload
    (datetime(2026, 11, 20, 11, 59, 59), NOON, True),  # a second before
    (NOON, NOON, False),  # the same second: answered on this data
    (datetime(2026, 11, 21, 8, 0), NOON, False),  # reviewed after the upload
    (None, NOON, False),  # never answered (or imported): no time to compare
    (datetime(2026, 11, 19, 9, 0), None, False),  # the demo, or no upload: the data never changed
])
def test_answered_before(answered_at: datetime | None, changed_at: datetime | None, expected: bool):
    assert answered_before(answered_at, changed_at) is expected


# ----------------------------------------------------------------------------- the page
def test_page_flags_contradicting_answers_without_blocking_them():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/diagnosis.py").run()
    for item_id in ("S1", "S2", "G1"):
        at.checkbox(key=f"item_{item_id}").check()
    at.button[0].click().run()  # 診断する
    assert not at.exception
    assert at.session_state["answers"]["S1"] is True  # saved as given
    warnings = [w.value for w in at.warning]
    # demo: 8.9 months of data disprove S1 and prove G3; S2 and G1 exclude each other
    assert warnings[:3] == [
        "S2「行動KPI(架電数等)の目標が安定して達成できていない」とG1「行動KPIが安定して目標達成できるようになった」の"
        "両方にチェックがありますが、両立しません。どちらかを見直してください。",
        "S1「組織の立ち上げから6ヶ月未満である」にチェックがありますが、データと矛盾します。"
        "データ: 最初の活動から最後の記録まで8.9ヶ月(基準: 6ヶ月未満で該当)",
        "G3「3ヶ月以上のデータが蓄積され、傾向分析が可能」にチェックがありませんが、データと矛盾します。"
        "データ: 8.9ヶ月分のデータが蓄積(基準: 3ヶ月以上で該当)",
    ]
    # S4 (spread 0.29 > 0.25) unticked and G1 (0 of 8 weeks on target) ticked: the data only suggests otherwise
    assert [i.value.split("「")[0] for i in at.info] == ["S4", "G1"]
    assert "この結果は矛盾する回答(3件)に基づいています。" in warnings[-1]  # the result box (undetermined)


def team_history() -> History:
    return History(history_folder(Path(os.environ["PHASEKPI_WORKSPACE"])))


def add(name: str) -> None:
    source, _ = read_source(EXPORTS / name, name)
    store, _, _ = team_history().add(lambda: open_store(CATALOGUE), [(source, mapping_for(source.header, None))])
    store.con.close()
    source.discard()


def stale_marks(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if w.value.startswith("前回のデータで回答")]


def test_answers_given_before_a_new_upload_ask_for_a_review():
    add("calls_week_1.csv")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/diagnosis.py").run()
    at.checkbox(key="item_S1").check()
    at.button[0].click().run()
    assert not at.exception and stale_marks(at) == []  # answered on the data loaded
    time.sleep(1.1)  # times are kept to the second: the upload must come strictly later
    add("calls_week_2.csv")  # a colleague, or the weekly job
    at.run()  # the session follows the history
    assert not at.exception
    saved = at.session_state["workspace"].history()[-1].recorded_at.strftime("%Y-%m-%d %H:%M")
    changed = team_history().manifest().changed_at.strftime("%Y-%m-%d %H:%M")
    assert stale_marks(at) == [f"前回のデータで回答: この回答は{saved}に保存され、その後{changed}にデータが変わりました。"
                               "今のデータで見直してください。"]
    assert at.checkbox(key="item_S1").value is True  # the old answers stay, marked
    next(b for b in at.button if b.label == "この回答を今のデータで確認しました").click().run()
    assert not at.exception
    assert stale_marks(at) == []
    assert "回答を今のデータで確認済みとして保存しました。" in [s.value for s in at.success]
    assert at.session_state["answers"]["S1"] is True
