"""The team's history: weekly exports added one by one, later deal exports, undo, concurrency, kills.

Fixtures are the hand-made exports of tests/data/exports/ (see its README): three weekly call logs
without ids that overlap (week 1: 7 rows; week 2: 7 rows, 4 of them in week 1; week 3: 5 rows, 2 of
them in week 2) and a deal report exported on 13 and 20 November (4 deals, then 5: 1 new, 2 won/lost).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.history import History, Progress, UnknownUpload
from phasekpi.mapping import mapping_for
from phasekpi.schema import Store, open_store
from phasekpi.sources import read_source

EXPORTS = Path(__file__).parent / "data" / "exports"
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = default_catalogue()


def new_store() -> Store:
    return open_store(CATALOGUE)


def add(history: History, *names: str, progress: Progress | None = None) -> list[tuple[int, int, int, int]]:
    """Add the files; (new, updated, duplicates, rejected) per file as the report says."""
    sources = [read_source(EXPORTS / name, name)[0] for name in names]
    try:
        store, report, _ = history.add(new_store, [(s, mapping_for(s.header, None)) for s in sources], progress=progress)
    finally:
        for source in sources:
            source.discard()
    store.con.close()
    return [(f.rows_loaded, f.rows_updated, f.duplicates, f.rows_rejected) for f in report.files]


def state(history: History) -> dict[str, object]:
    """What a new session sees: activity rows per day, deals' status and amount."""
    store, _ = history.open(new_store)
    try:
        days = dict(store.con.execute("SELECT strftime(occurred_at, '%m/%d'), count(*) FROM activities "
                                      "GROUP BY 1 ORDER BY 1").fetchall())
        deals = {row[0]: row[1:] for row in store.con.execute(
            "SELECT opportunity_id, status, CAST(amount AS INTEGER) FROM opportunities ORDER BY 1").fetchall()}
        return {"calls": sum(days.values()), "days": days, "deals": deals}
    finally:
        store.con.close()


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "history")


def test_weekly_exports_added_one_by_one_keep_the_union(history: History) -> None:
    assert add(history, "calls_week_1.csv") == [(7, 0, 0, 0)]
    assert add(history, "calls_week_2.csv") == [(3, 0, 4, 0)]  # a third 11/06 call, 11/12, 11/13
    assert add(history, "calls_week_3.csv") == [(3, 0, 2, 0)]  # 11/16, 11/17, 11/18
    assert state(history)["calls"] == 13
    assert state(history)["days"] == {"11/02": 2, "11/04": 1, "11/06": 3, "11/09": 1, "11/10": 1, "11/12": 1,
                                      "11/13": 1, "11/16": 1, "11/17": 1, "11/18": 1}
    listed = [(u.file, u.kind, u.rows_read, u.new, u.duplicates, u.first_day, u.last_day)
              for u in history.manifest().uploads]
    assert listed == [("calls_week_1.csv", "activities", 7, 7, 0, "2026-11-02", "2026-11-10"),
                      ("calls_week_2.csv", "activities", 7, 3, 4, "2026-11-06", "2026-11-13"),
                      ("calls_week_3.csv", "activities", 5, 3, 2, "2026-11-12", "2026-11-18")]
    assert history.manifest().uploads[0].mapping["rep"] == "担当者"


def test_an_add_tells_each_step_as_it_starts(history: History) -> None:
    """What the Data page's status box writes while a load runs: the earlier uploads, then file i of n."""
    heard: list[tuple[str, dict[str, object]]] = []
    add(history, "calls_week_1.csv")
    add(history, "calls_week_2.csv", "deals_2026-11-13.csv", progress=lambda step, params: heard.append((step, params)))
    assert heard == [("replay", {"uploads": 1}),
                     ("load_file", {"index": 1, "count": 2, "file": "calls_week_2.csv"}),
                     ("load_file", {"index": 2, "count": 2, "file": "deals_2026-11-13.csv"})]


def test_undo_of_the_middle_week_is_as_if_it_was_never_added(history: History) -> None:
    add(history, "calls_week_1.csv")
    add(history, "calls_week_2.csv")
    add(history, "calls_week_3.csv")
    middle = history.manifest().uploads[1]
    history.undo(middle.id)
    # week 2's own third 11/06 call leaves; 11/12 and 11/13 stay, week 3 has them too
    assert state(history)["calls"] == 12
    assert state(history)["days"]["11/06"] == 2 and state(history)["days"]["11/12"] == 1
    assert [u.active for u in history.manifest().uploads] == [True, False, True]
    with pytest.raises(UnknownUpload):
        history.undo(middle.id)  # once undone, it stays undone


def test_a_later_deal_export_updates_and_its_undo_brings_the_earlier_versions_back(history: History) -> None:
    assert add(history, "deals_2026-11-13.csv") == [(4, 0, 0, 0)]
    assert add(history, "deals_2026-11-20.csv") == [(1, 2, 2, 0)]
    assert state(history)["deals"] == {"0065i00000DeA01": ("won", 1150000), "0065i00000DeA02": ("lost", 800000),
                                       "0065i00000DeA03": ("open", 2000000), "0065i00000DeA04": ("open", None),
                                       "0065i00000DeA05": ("open", 500000)}
    history.undo(history.manifest().uploads[1].id)
    assert state(history)["deals"] == {"0065i00000DeA01": ("open", 1200000), "0065i00000DeA02": ("open", 800000),
                                       "0065i00000DeA03": ("open", 2000000), "0065i00000DeA04": ("open", None)}


def test_the_same_file_again_adds_nothing(history: History) -> None:
    add(history, "calls_week_1.csv")
    assert add(history, "calls_week_1.csv") == [(0, 0, 7, 0)]
    assert state(history)["calls"] == 7
    assert len(history.manifest().uploads) == 1  # nothing new to keep: not an upload of the history
    assert len(list(history.batches.glob("*.parquet"))) == 1


def test_clear_deletes_every_row_and_batch(history: History) -> None:
    add(history, "calls_week_1.csv", "deals_2026-11-13.csv")
    history.clear()
    assert history.manifest().uploads == ()
    assert state(history) == {"calls": 0, "days": {}, "deals": {}}
    assert list(history.batches.glob("*")) == []


def test_two_sessions_and_a_command_line_add_at_the_same_time(history: History, tmp_path: Path) -> None:
    """Each writer waits for the lock and counts against what the others added: the union, 13 calls."""
    workspace = {**os.environ, "PHASEKPI_WORKSPACE": str(history.folder.parent / "workspace.duckdb"),
                 "PHASEKPI_PROFILES": str(tmp_path / "profiles.json")}
    cli = subprocess.Popen([sys.executable, "-m", "phasekpi", "add", str(EXPORTS / "calls_week_3.csv")],
                           cwd=ROOT, env=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errors: list[BaseException] = []

    def session(name: str) -> None:
        try:
            add(history, name)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=session, args=(n,)) for n in ("calls_week_1.csv", "calls_week_2.csv")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cli.wait(timeout=120) == 0, cli.stderr.read().decode()
    assert errors == []
    assert state(history)["calls"] == 13
    assert sorted(u.file for u in history.manifest().uploads) == ["calls_week_1.csv", "calls_week_2.csv",
                                                                  "calls_week_3.csv"]
    assert sum(u.new for u in history.manifest().uploads) == 13


KILLER = """
import sys
from pathlib import Path
from phasekpi.catalogue import default_catalogue
from phasekpi.history import History
from phasekpi.mapping import mapping_for
from phasekpi.schema import open_store
from phasekpi.sources import read_source
source, _ = read_source(Path(sys.argv[2]), "big.csv")
print("ready", flush=True)
History(Path(sys.argv[1])).add(lambda: open_store(default_catalogue()), [(source, mapping_for(source.header, None))])
print("added", flush=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.8, 1.5])
def test_a_process_killed_during_an_add_leaves_the_state_before_or_after(history: History, tmp_path: Path,
                                                                          delay: float) -> None:
    add(history, "calls_week_1.csv")
    before = state(history)
    big = tmp_path / "big.csv"
    lines = ["日時,担当者,種別,結果,通話時間,メモ"] + [
        f"2026/10/{1 + n % 28:02d} {n % 10 + 9}:{n % 60:02d},担当{n % 7},電話,接続,{n % 300},{n}" for n in range(60_000)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", KILLER, str(history.folder), str(big)], cwd=ROOT,
                               stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert process.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = state(history)
    assert after == before or after["calls"] == before["calls"] + 60_000
    add(history, "calls_week_2.csv")  # the next writer works, and tidies what the killed one left
    assert state(history)["calls"] == after["calls"] + 3
    named = {f"{u.id}.parquet" for u in history.manifest().uploads}
    assert {p.name for p in history.batches.iterdir()} == named
