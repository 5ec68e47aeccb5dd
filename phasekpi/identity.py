"""Which loaded rows are new records, newer versions of records, or duplicates.

- A row with an id is a record. A later file with the same id holds another version of it: when
  the two differ, the newer one is kept (both have `modified_at`: the later of those; otherwise the
  file whose latest date is later; a tie goes to the file loaded last) and the row counts as
  *updated*; when they are equal it is a duplicate. An id repeated inside one file is a duplicate
  of its first row.
- A row without an id is never dropped inside its file: two calls of one rep in one minute with
  the same result are two calls. Across files it is a duplicate only when its whole raw row, every
  column mapped or not (`row_hash`), equals a row loaded from an earlier file, paired one to one:
  k identical rows of an earlier file absorb at most k of a later one. Rows identical in every
  column inside one file are kept and counted (`identical_rows`) so the screen can suggest adding
  an id column to the report.
- A file whose rows were all loaded before (same header, same rows) is `already_loaded`.

The incoming rows are in the table `typed` (see phasekpi/ingest.py): canonical columns,
`source_row`, `row_hash` and `row_rejected`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from phasekpi.problems import RecordChange
from phasekpi.schema import Store, TableSpec

EXAMPLES = 3  # records whose changes the report shows
EXAMPLE_FIELDS = 4  # changed fields shown per record


@dataclass
class Applied:
    """What a file's good rows did to the table."""

    loaded: int = 0
    updated: int = 0
    duplicates: int = 0
    older: int = 0
    repeated_ids: int = 0
    identical_rows: int = 0
    already_loaded: str | None = None
    updated_files: tuple[str, ...] = ()
    newer_files: tuple[str, ...] = ()
    updates: tuple[RecordChange, ...] = ()


def earlier_copy(store: Store, kind: str, print_: str) -> str | None:
    row = store.con.execute("SELECT name FROM loaded_files WHERE kind = ? AND fingerprint = ? ORDER BY file_id LIMIT 1",
                            [kind, print_]).fetchone()
    return row[0] if row else None


def file_counts_sql(spec: TableSpec) -> list[str]:
    """Aggregates over `typed` (with a `good` column) that `apply_rows` starts from: good rows, ids
    repeated in the file, rows without an id identical to another."""
    id_col = f'"{spec.id_column}"'
    return ["count(*) FILTER (good)", f"count({id_col}) FILTER (good) - count(DISTINCT {id_col}) FILTER (good)",
            f"count(*) FILTER (good AND {id_col} IS NULL) - count(DISTINCT row_hash) FILTER (good AND {id_col} IS NULL)"]


def apply_rows(store: Store, spec: TableSpec, name: str, file_id: int, as_of: datetime | None,
               file_counts: tuple[int, int, int]) -> Applied:
    """Insert new records, replace older versions, count the rest (see the module docstring);
    `file_counts` are the values of `file_counts_sql`."""
    con = store.con
    id_col = f'"{spec.id_column}"'
    empty = con.execute(f'SELECT count(*) = 0 FROM "{spec.rows_table}"').fetchone()[0]
    good, repeated, identical = file_counts
    applied = Applied(identical_rows=int(identical))
    if empty and not repeated:  # the common first load: every row is new and its own record
        _insert(store, spec, name, file_id, as_of, "typed", "NOT row_rejected")
        applied.loaded = good
        return applied
    _place(store, spec, as_of)
    counts = dict(con.execute("SELECT placement, count(*) FROM placed GROUP BY ALL").fetchall())
    updated_files, newer_files = con.execute("""
        SELECT list(DISTINCT old_file ORDER BY old_file) FILTER (WHERE placement = 'update'),
               list(DISTINCT old_file ORDER BY old_file) FILTER (WHERE placement = 'older') FROM placed""").fetchone()
    applied.loaded, applied.updated = counts.get("new", 0), counts.get("update", 0)
    applied.older, applied.repeated_ids = counts.get("older", 0), counts.get("repeat", 0)
    applied.duplicates = good - applied.loaded - applied.updated
    applied.updated_files, applied.newer_files = tuple(updated_files or ()), tuple(newer_files or ())
    applied.updates = _examples(store, spec)
    con.execute(f"""DELETE FROM "{spec.rows_table}" WHERE {id_col} IN
                    (SELECT {id_col} FROM placed WHERE placement = 'update')""")
    _insert(store, spec, name, file_id, as_of, "placed", "placement IN ('new', 'update')")
    con.execute("DROP TABLE IF EXISTS placed")
    return applied


def _place(store: Store, spec: TableSpec, as_of: datetime | None) -> None:
    """`placed`: every good incoming row with its placement: new, update, same, older (an id loaded
    already, in another version), repeat (an id above it in the file), copy (a raw row loaded already)."""
    id_col = f'"{spec.id_column}"'
    same = " AND ".join(f'i."{c.name}" IS NOT DISTINCT FROM r."{c.name}"' for c in spec.columns)
    newer = ("CASE WHEN i.modified_at IS NOT NULL AND r.modified_at IS NOT NULL THEN i.modified_at >= r.modified_at "
             "ELSE coalesce(CAST($as_of AS TIMESTAMP) >= r.as_of, true) END")
    store.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE placed AS
        WITH incoming AS (
            SELECT *, CASE WHEN {id_col} IS NOT NULL THEN row_number() OVER (PARTITION BY {id_col} ORDER BY source_row)
                      END AS id_rank,
                      CASE WHEN {id_col} IS NULL THEN row_number() OVER (PARTITION BY row_hash, {id_col} IS NULL
                                                                         ORDER BY source_row) END AS copy_rank
            FROM typed WHERE NOT row_rejected),
        earlier AS (SELECT row_hash, count(*) AS n FROM "{spec.rows_table}" WHERE {id_col} IS NULL GROUP BY row_hash)
        SELECT i.*, r.source_file AS old_file, CASE
            WHEN i.{id_col} IS NOT NULL AND i.id_rank > 1 THEN 'repeat'
            WHEN i.{id_col} IS NOT NULL AND r.{id_col} IS NULL THEN 'new'
            WHEN i.{id_col} IS NOT NULL AND {same} THEN 'same'
            WHEN i.{id_col} IS NOT NULL AND {newer} THEN 'update'
            WHEN i.{id_col} IS NOT NULL THEN 'older'
            WHEN i.copy_rank > coalesce(e.n, 0) THEN 'new'
            ELSE 'copy' END AS placement
        FROM incoming i
        LEFT JOIN "{spec.rows_table}" r ON i.id_rank = 1 AND r.{id_col} = i.{id_col}
        LEFT JOIN earlier e ON i.{id_col} IS NULL AND e.row_hash = i.row_hash
    """, {"as_of": as_of})


def _examples(store: Store, spec: TableSpec) -> tuple[RecordChange, ...]:
    """A few updated records with their changed fields, old → new, as loaded (display formats them)."""
    id_col = f'"{spec.id_column}"'
    names = [c.name for c in spec.columns if not c.derived and c.name != "modified_at"]
    pairs = ", ".join(f'r."{n}", p."{n}"' for n in names)
    rows = store.con.execute(f"""
        SELECT p.{id_col}, r.source_file, {pairs}
        FROM placed p JOIN "{spec.rows_table}" r ON r.{id_col} = p.{id_col}
        WHERE p.placement = 'update' ORDER BY p.source_row LIMIT {EXAMPLES}""").fetchall()
    examples = []
    for record_id, previous, *values in rows:
        changes = [(n, values[2 * k], values[2 * k + 1]) for k, n in enumerate(names)
                   if values[2 * k] != values[2 * k + 1]]
        examples.append(RecordChange(str(record_id), previous, tuple(changes[:EXAMPLE_FIELDS])))
    return tuple(examples)


def _insert(store: Store, spec: TableSpec, name: str, file_id: int, as_of: datetime | None, table: str,
            where: str) -> None:
    columns = ", ".join(f'"{c.name}"' for c in spec.columns)
    store.con.execute(f"""
        INSERT INTO "{spec.rows_table}" ({columns}, source_file, source_row, file_id, row_hash, as_of)
        SELECT {columns}, $name, source_row, $file_id, row_hash, CAST($as_of AS TIMESTAMP) FROM {table} WHERE {where}
    """, {"name": name, "file_id": file_id, "as_of": as_of})
