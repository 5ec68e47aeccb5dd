"""The team's history in the app (AppTest): a new session opens on it, the upload list, undo, the
weeks covered, the demo on request, delete all. The history is filled through the core, as a
colleague's session or the weekly cron job would have done (three overlapping weekly call logs:
7 + 3 + 3 = 13 calls, see tests/test_history.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rendering import texts
from streamlit.testing.v1 import AppTest

from phasekpi.catalogue import default_catalogue
from phasekpi.history import History, history_folder
from phasekpi.mapping import mapping_for
from phasekpi.schema import open_store
from phasekpi.sources import read_source

APP = str(Path(__file__).resolve().parent.parent / "app.py")
EXPORTS = Path(__file__).parent / "data" / "exports"


def team_history() -> History:
    return History(history_folder(Path(os.environ["PHASEKPI_WORKSPACE"])))


def add(*names: str) -> None:
    for name in names:
        source, _ = read_source(EXPORTS / name, name)
        store, _, _ = team_history().add(lambda: open_store(default_catalogue()), [(source, mapping_for(source.header, None))])
        store.con.close()
        source.discard()


def calls_in(at: AppTest) -> int:
    store = at.session_state["store"]
    return store.con.execute("SELECT count(*) FROM activities").fetchone()[0]


@pytest.fixture()
def app() -> AppTest:
    add("calls_week_1.csv", "calls_week_2.csv", "calls_week_3.csv")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_a_new_session_opens_on_the_history(app: AppTest) -> None:
    assert calls_in(app) == 13
    assert "チームのデータ(アップロード3件、2026-11-18まで)" in [c.value for c in app.sidebar.caption]
    app.switch_page("views/data.py").run()
    listed = app.dataframe[0].value
    assert list(listed["ファイル"]) == ["calls_week_3.csv", "calls_week_2.csv", "calls_week_1.csv"]  # newest first
    assert list(listed["新規"]) == ["3", "3", "7"] and list(listed["重複"]) == ["2", "4", "0"]
    assert list(listed["期間"]) == ["2026-11-12 〜 2026-11-18", "2026-11-06 〜 2026-11-13", "2026-11-02 〜 2026-11-10"]
    page = " ".join(texts(app))
    assert "このアプリを開けるすべての人が閲覧・取り消しできます" in page
    assert "最初から最後まで3週、すべての週に活動データがあります。" in page


def test_undo_of_the_middle_upload_from_the_data_page(app: AppTest) -> None:
    app.switch_page("views/data.py").run()
    middle = team_history().manifest().uploads[1]
    app.selectbox(key="undo_pick").set_value(middle.id).run()
    next(b for b in app.button if b.label == "取り消す").click().run()
    assert not app.exception
    assert calls_in(app) == 12  # week 2's own third 11/06 call leaves; week 3 still has 11/12 and 11/13
    assert "calls_week_2.csv を取り消しました。" in " ".join(texts(app))
    states = list(app.dataframe[0].value["状態"])
    assert states[0] == "有効" and states[1].startswith("取り消し済み") and states[2] == "有効"


def test_a_session_follows_what_another_added(app: AppTest) -> None:
    assert calls_in(app) == 13
    team_history().undo(team_history().manifest().uploads[2].id)  # the cron job, or another manager
    app.run()
    assert calls_in(app) == 10  # week 3's 11/16, 11/17, 11/18 leave


def test_the_demo_on_request_leaves_the_history_as_it_is(app: AppTest) -> None:
    app.switch_page("views/data.py").run()
    next(b for b in app.button if b.label.startswith("デモデータを見る")).click().run()
    assert app.session_state["is_demo"] and calls_in(app) > 200_000
    assert len(team_history().manifest().active) == 3
    next(b for b in app.button if b.label == "チームのデータに戻る").click().run()
    assert calls_in(app) == 13


def test_a_missing_week_is_named(tmp_path: Path) -> None:
    add("calls_week_1.csv", "calls_week_3.csv")  # week 2 never added: 12–13 Nov come from week 3
    gap = tmp_path / "calls_december.csv"
    gap.write_text("日時,担当者,種別,結果,通話時間,メモ\n2026/12/01 10:00,鈴木花子,電話,接続,100,\n", encoding="utf-8")
    source, _ = read_source(gap, gap.name)
    store, _, _ = team_history().add(lambda: open_store(default_catalogue()), [(source, mapping_for(source.header, None))])
    store.con.close()
    source.discard()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/data.py").run()
    assert "活動データのない週が1週あります: 11/23の週。" in " ".join(texts(at))


def test_delete_all_needs_the_confirmation(app: AppTest) -> None:
    app.switch_page("views/data.py").run()
    delete = next(b for b in app.button if b.label == "すべて削除する")
    assert delete.disabled
    app.checkbox(key="delete_sure").check().run()
    next(b for b in app.button if b.label == "すべて削除する").click().run()
    assert not app.exception
    assert team_history().manifest().uploads == ()
    assert app.session_state["is_demo"]  # an empty history: the demo again
    assert "まだアップロードはありません" in " ".join(texts(app))
