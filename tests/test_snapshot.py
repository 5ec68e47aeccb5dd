"""Rows saved to a DuckDB file and copied into another store (how each session gets the demo)."""

from __future__ import annotations

from pathlib import Path

from loading import store_with

from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.schema import TABLES, open_store
from phasekpi.snapshot import SAVED_TABLES, load_rows, save_rows

CALLS = (["activity_id", "occurred_at", "rep", "channel", "outcome", "duration_sec"],
         [["a1", "2025-04-01 09:00", "佐藤 健", "call", "接続", "150"],
          ["a2", "2025-04-01 09:30", "佐藤 健", "call", "話し中", "0"],
          ["a3", "2025-04-02 10:00", "鈴木 美咲", "call", "アポ獲得", "420"]])
DEALS = (["opportunity_id", "created_at", "rep", "status", "amount"],
         [["o1", "2025-04-03", "佐藤 健", "open", "100000"]])


def table_rows(store, table: str) -> list[tuple]:
    return store.con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()


def test_the_copy_holds_every_row_and_loaded_file(tmp_path: Path) -> None:
    original = store_with(tmp_path, calls=CALLS, deals=DEALS)
    save_rows(original, tmp_path / "saved.duckdb")
    copy = open_store(default_catalogue())
    load_rows(copy, tmp_path / "saved.duckdb")
    for table in SAVED_TABLES:
        assert table_rows(copy, table) == table_rows(original, table), table
    assert [len(table_rows(copy, TABLES[k].rows_table)) for k in ("activities", "opportunities")] == [3, 1]
    assert copy.version == 1


def test_the_copy_flags_calls_with_its_own_words(tmp_path: Path) -> None:
    """接続 and アポ獲得 are connects by the catalogue; a session that counts 話し中 as connected sees 3."""
    save_rows(store_with(tmp_path, calls=CALLS), tmp_path / "saved.duckdb")
    counts = []
    for overrides in (None, {"話し中": "connected"}):
        copy = open_store(default_catalogue(), overrides)
        load_rows(copy, tmp_path / "saved.duckdb")
        counts.append(copy.con.execute("SELECT count(*) FILTER (WHERE is_connected) FROM activities").fetchone()[0])
    assert counts == [2, 3]


def test_a_later_file_updates_the_copied_rows(tmp_path: Path) -> None:
    save_rows(store_with(tmp_path, deals=DEALS), tmp_path / "saved.duckdb")
    copy = open_store(default_catalogue())
    load_rows(copy, tmp_path / "saved.duckdb")
    later = tmp_path / "later.csv"
    later.write_text("opportunity_id,created_at,rep,status,amount,closed_at\no1,2025-04-03,佐藤 健,won,120000,2025-04-20\n",
                     encoding="utf-8")
    report = load_file(copy, later, later.name)
    assert (report.rows_loaded, report.rows_updated) == (0, 1)
    assert copy.con.execute("SELECT status, amount, file_id FROM opportunities_rows").fetchall() == [("won", 120000, 2)]


def test_each_history_version_is_saved_once_and_two_versions_back_are_removed(tmp_path: Path) -> None:
    from phasekpi.history import History
    from phasekpi.mapping import mapping_for
    from phasekpi.snapshot import saved_history
    from phasekpi.sources import read_source

    history, catalogue = History(tmp_path / "history"), default_catalogue()
    exports = Path(__file__).parent / "data" / "exports"
    saved = []
    for name in ("calls_week_1.csv", "calls_week_2.csv", "calls_week_3.csv"):
        source, _ = read_source(exports / name, name)
        store, _, manifest = history.add(lambda: open_store(catalogue), [(source, mapping_for(source.header, None))])
        store.con.close()
        source.discard()
        saved.append(saved_history(history, manifest.version, history.stamp(), catalogue))
    copy = open_store(catalogue)
    load_rows(copy, saved[-1])
    assert copy.con.execute("SELECT count(*) FROM activities").fetchone()[0] == 13
    assert [path.exists() for path in saved] == [False, True, True]
