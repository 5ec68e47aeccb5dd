"""A store's loaded rows saved to a DuckDB file and copied into other stores.

The bundled demo is parsed once per server process (about 6 s for its 260,000 rows) and each new
browser session copies the saved rows into its own in-memory database (a fraction of a second), so
sessions stay independent while none of them re-parses the CSV files.
"""

from __future__ import annotations

from pathlib import Path

from phasekpi.schema import TABLES, Store, refresh_activities

SAVED_TABLES = (*(spec.rows_table for spec in TABLES.values()), "loaded_files")


def _attach(store: Store, path: Path, read_only: bool) -> None:
    location = "'" + str(path).replace("'", "''") + "'"  # our own file: ATTACH takes no bound parameter
    store.con.execute(f"ATTACH {location} AS snapshot{' (READ_ONLY)' if read_only else ''}")


def save_rows(store: Store, path: Path) -> None:
    """The store's rows and loaded-file records, written to a new DuckDB file at `path`."""
    with store.lock:
        _attach(store, path, read_only=False)
        try:
            for table in SAVED_TABLES:
                store.con.execute(f'CREATE TABLE snapshot."{table}" AS SELECT * FROM main."{table}"')
        finally:
            store.con.execute("DETACH snapshot")


def load_rows(store: Store, path: Path) -> None:
    """Rows saved by save_rows added to an (empty) store, the flagged activities rebuilt with the
    store's own call-result words."""
    with store.lock:
        _attach(store, path, read_only=True)
        try:
            for table in SAVED_TABLES:
                store.con.execute(f'INSERT INTO main."{table}" SELECT * FROM snapshot."{table}"')
        finally:
            store.con.execute("DETACH snapshot")
        refresh_activities(store.con)
        store.changed()
