"""The canonical views: outcome vocabulary with the user's own words on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.schema import OutcomeWord, install_vocabularies, open_store, outcome_words

CALLS = """occurred_at,rep,outcome,duration_sec
2025-04-01 10:00,A,つながった,30
2025-04-01 10:05,A,つながった,200
2025-04-01 10:10,A,不在,300
2025-04-01 10:15,A,アポ獲得,400
2025-04-01 10:20,A,,150
"""


@pytest.fixture()
def store(tmp_path: Path):
    store = open_store(default_catalogue())
    (tmp_path / "calls.csv").write_text(CALLS, encoding="utf-8")
    assert load_file(store, tmp_path / "calls.csv", "calls.csv").rows_loaded == 5
    return store


def flags(store) -> list[tuple[bool, bool, bool]]:
    return store.con.execute(
        "SELECT is_connected, is_effective, is_appointment FROM activities ORDER BY occurred_at").fetchall()


def test_unknown_words_are_listed_with_their_counts(store) -> None:
    assert outcome_words(store) == [OutcomeWord("つながった", 2, None), OutcomeWord("アポ獲得", 1, "appointment"),
                                    OutcomeWord("不在", 1, "none")]


def test_unknown_words_count_by_duration_until_classified(store) -> None:
    # つながった (unknown): 30 s counts as nothing, 200 s as a connected effective call (2-minute rule)
    assert flags(store) == [(False, False, False), (True, True, False), (False, False, False),
                            (True, True, True), (True, True, False)]
    install_vocabularies(store.con, default_catalogue(), {"つながった": "connected"})
    assert flags(store)[:2] == [(True, False, False), (True, True, False)]
    assert outcome_words(store)[0] == OutcomeWord("つながった", 2, "connected")


def test_a_user_word_overrides_the_catalogue(store) -> None:
    install_vocabularies(store.con, default_catalogue(), {"不在": "connected"})
    assert flags(store)[2] == (True, True, False)  # 300 s, now connected, so effective by duration
