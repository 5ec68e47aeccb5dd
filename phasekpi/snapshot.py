"""A store's loaded rows saved to a DuckDB file and copied into other stores.

The bundled demo is parsed once per server process (about 6 s for its 260,000 rows), and each
version of the team's history replayed once, and each new browser session copies the saved rows
into its own in-memory database (a fraction of a second), so sessions stay independent while none
of them re-parses or replays.
"""

from __future__ import annotations

import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from phasekpi import DEMO_DIR
from phasekpi.catalogue import Catalogue
from phasekpi.history import History
from phasekpi.ingest import load_files
from phasekpi.problems import LoadReport
from phasekpi.schema import TABLES, Store, open_store, refresh_activities

SAVED_TABLES = (*(spec.rows_table for spec in TABLES.values()), "loaded_files")


@contextmanager
def _attached(store: Store, path: Path, read_only: bool) -> Iterator[None]:
    """The file at `path` attached to the store as `snapshot` while the block runs."""
    location = "'" + str(path).replace("'", "''") + "'"  # our own file: ATTACH takes no bound parameter
    with store.lock:
        store.con.execute(f"ATTACH {location} AS snapshot{' (READ_ONLY)' if read_only else ''}")
        try:
            yield
        finally:
            store.con.execute("DETACH snapshot")


def save_rows(store: Store, path: Path) -> None:
    """The store's rows and loaded-file records, written to a new DuckDB file at `path`."""
    with _attached(store, path, read_only=False):
        for table in SAVED_TABLES:
            store.con.execute(f'CREATE TABLE snapshot."{table}" AS SELECT * FROM main."{table}"')


def load_rows(store: Store, path: Path) -> None:
    """Rows saved by save_rows added to an (empty) store, the flagged activities rebuilt with the
    store's own call-result words."""
    with store.lock:
        with _attached(store, path, read_only=True):
            for table in SAVED_TABLES:
                store.con.execute(f'INSERT INTO main."{table}" SELECT * FROM snapshot."{table}"')
        refresh_activities(store.con)
        store.changed()


def saved_demo(catalogue: Catalogue) -> tuple[Path, LoadReport]:
    """The bundled demo files parsed and saved to a DuckDB file in a new temporary folder, with their
    load report (for a server to do once and every session to copy with load_rows)."""
    parsed = open_store(catalogue)
    try:
        report = load_files(parsed, [(path, path.name) for path in sorted(DEMO_DIR.glob("*.csv.gz"))])
        saved = Path(tempfile.mkdtemp(prefix="phasekpi-demo-")) / "demo.duckdb"
        save_rows(parsed, saved)
    finally:
        parsed.con.close()
    return saved, report


def saved_history(history: History, version: int, stamp: int, catalogue: Catalogue) -> Path:
    """The history replayed and saved to a DuckDB file named by its version, in a folder of this
    process's own; files two versions old go (no session copies them any more)."""
    replayed, _ = history.open(lambda: open_store(catalogue))
    place = Path(tempfile.gettempdir()) / f"phasekpi-history-{os.getpid()}-{zlib.crc32(str(history.folder).encode()):08x}"
    place.mkdir(exist_ok=True)
    saved = place / f"{version}-{stamp}.duckdb"
    try:
        saved.unlink(missing_ok=True)
        save_rows(replayed, saved)
    finally:
        replayed.con.close()
    for older in place.glob("*.duckdb"):
        if older != saved and int(older.name.split("-")[0]) < version - 1:
            older.unlink(missing_ok=True)
    return saved
