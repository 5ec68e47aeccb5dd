"""Calling slots on a hand-made call log: every cell, rate and best slot worked out by hand.

2025-03-31 is a Monday, so 04-01 is a Tuesday, 04-02 a Wednesday, 04-03 a Thursday, 04-06 a Sunday.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.charts.heatmap import slot_chart, slot_frame
from phasekpi.heatmap import SlotCell, best_slots, best_slots_text, call_slots, slot_name
from phasekpi.ingest import load_file
from phasekpi.schema import Store, open_store
from phasekpi.selection import Filters

HEADER = ["activity_id", "occurred_at", "rep", "channel", "outcome", "duration_sec", "email_opened"]
CALLS = [
    # Monday 16:00 — 2 calls, both connect: 100 %
    ["m1", "2025-03-31 16:05", "A", "call", "接続", "40", ""],
    ["m2", "2025-03-31 16:50", "A", "call", "Connected", "30", ""],
    # Tuesday 10:00 over two Tuesdays — 5 calls, 3 connects (a long call without a word connects), 1 appointment
    ["t1", "2025-04-01 10:00", "A", "call", "Connected", "150", ""],
    ["t2", "2025-04-01 10:10", "A", "call", "No answer", "0", ""],
    ["t3", "2025-04-01 10:20", "A", "call", "Meeting booked", "300", ""],
    ["t4", "2025-04-01 10:59", "A", "call", "不在", "0", ""],
    ["t5", "2025-04-08 10:30", "A", "call", "", "130", ""],
    ["te", "2025-04-01 10:30", "A", "email", "", "", "true"],  # not a call: no slot
    # Wednesday 9:00 — 3 calls, 1 connect which is an appointment
    ["w1", "2025-04-02 09:00", "A", "call", "No answer", "0", ""],
    ["w2", "2025-04-02 09:15", "A", "call", "No answer", "0", ""],
    ["w3", "2025-04-02 09:45", "A", "call", "アポ獲得", "200", ""],
    # Thursday 14:00 — rep B's only call, connected
    ["b1", "2025-04-03 14:00", "B", "call", "Connected", "20", ""],
    # Friday, date only: no time of day, kept out of the grid
    ["f1", "2025-04-04", "A", "call", "Connected", "20", ""],
    # Sunday 18:00 — one call, no answer
    ["s1", "2025-04-06 18:30", "A", "call", "No answer", "0", ""],
]
EXPECTED = [  # weekday, hour, calls, connects, appointments
    SlotCell(0, 16, 2, 2, 0),
    SlotCell(1, 10, 5, 3, 1),
    SlotCell(2, 9, 3, 1, 1),
    SlotCell(3, 14, 1, 1, 0),
    SlotCell(6, 18, 1, 0, 0),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("heatmap") / "calls.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *CALLS])
    store = open_store(default_catalogue())
    assert load_file(store, path, "calls.csv").rows_loaded == len(CALLS)
    return store


def test_cells_count_calls_connects_and_appointments_per_weekday_and_hour(store: Store) -> None:
    slots = call_slots(store, Filters())
    assert slots.cells == EXPECTED
    assert slots.untimed_calls == 1  # f1
    tuesday = slots.cells[1]
    assert tuesday.connects_per_call == 60.0  # 3 / 5
    assert tuesday.appointments_per_call == 20.0  # 1 / 5
    assert slots.cells[2].connects_per_call == pytest.approx(100 / 3)  # 1 / 3
    assert slots.cells[4].connects_per_call == 0.0


def test_cells_follow_the_period_and_the_reps(store: Store) -> None:
    april = call_slots(store, Filters(date(2025, 4, 1), date(2025, 4, 2)))
    assert april.cells == [SlotCell(1, 10, 4, 2, 1), SlotCell(2, 9, 3, 1, 1)]  # t5 (04-08) and Monday are out
    assert april.untimed_calls == 0  # f1 is on 04-04
    assert [(c.weekday, c.hour) for c in call_slots(store, Filters(reps=("B",))).cells] == [(3, 14)]
    assert call_slots(store, Filters(reps=("nobody",))).cells == []


def test_best_slots_skip_slots_under_the_minimum_of_calls(store: Store) -> None:
    cells = call_slots(store, Filters()).cells
    assert best_slots(cells) == []  # default minimum 30: no slot qualifies
    assert [slot_name(c, "en") for c in best_slots(cells, min_calls=3)] == ["Tue 10:00", "Wed 9:00"]  # 60 % > 33 %
    assert slot_name(best_slots(cells, min_calls=2)[0], "ja") == "月 16:00"  # 100 % over 2 calls
    # at 1 call Monday and Thursday both reach 100 %: the slot with more calls wins the tie
    assert [slot_name(c, "en") for c in best_slots(cells, min_calls=1)] == ["Mon 16:00", "Thu 14:00", "Tue 10:00"]
    assert [slot_name(c, "en") for c in best_slots(cells, "appointments_per_call", min_calls=3)] == ["Wed 9:00", "Tue 10:00"]


def test_the_best_slot_in_words(store: Store) -> None:
    best = best_slots(call_slots(store, Filters()).cells, min_calls=3)
    assert best_slots_text(best, "connects_per_call", "en") == (
        "Best slot: Tue 10:00, connect rate 60.0% over 5 calls\n\nNext best: Wed 9:00 (33.3%, 3 calls)")
    assert best_slots_text(best[:1], "connects_per_call", "ja") == "最もつながる時間帯: 火 10:00(コネクト率 60.0%、架電 5件)"
    by_appointments = best_slots(call_slots(store, Filters()).cells, "appointments_per_call", min_calls=3, count=1)
    assert best_slots_text(by_appointments, "appointments_per_call", "en") == (
        "Best slot: Wed 9:00, 33.3% appointments per call over 3 calls")


def test_heatmap_spec(store: Store) -> None:
    cells = call_slots(store, Filters()).cells
    frame = slot_frame(cells, "connects_per_call", 3, "ja")
    assert list(frame["rate_text"]) == ["(100%)", "60%", "33%", "(100%)", "(0%)"]  # under 3 calls: in brackets
    assert list(frame["judged"]) == [False, True, True, False, False]
    assert list(frame["dark"]) == [False, True, False, False, False]  # above the middle of 33–60 %: white text
    assert list(frame["best"]) == [False, True, False, False, False]  # Tuesday 10:00 is framed
    spec = slot_chart(frame, "connects_per_call", "ja").to_dict()
    rect, text = spec["layer"]
    assert rect["mark"]["type"] == "rect" and text["mark"]["type"] == "text"
    encoding = rect["encoding"]
    assert encoding["y"]["sort"] == ["月", "火", "水", "木", "金", "土", "日"]
    assert encoding["x"]["sort"] == ["9:00", "10:00", "14:00", "16:00", "18:00"]
    assert encoding["color"]["condition"]["test"] == "datum.judged"
    assert encoding["stroke"]["condition"] == {"test": "datum.best", "value": "#444444"}
    assert encoding["color"]["condition"]["scale"]["range"] == ["#eef3fa", "#1f5aa6"]  # light to dark: prints in grey
    assert [t["title"] for t in encoding["tooltip"]] == ["曜日", "時間帯", "架電数", "コネクト数", "コネクト率", "アポイント数",
                                                          "アポ率(架電あたり)"]
    assert spec["title"] == "曜日×時間帯のコネクト率(%)"
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 5
    assert rows[1]["calls"] == 5 and rows[1]["connects_per_call_text"] == "60.0%"
