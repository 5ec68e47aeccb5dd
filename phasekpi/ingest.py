"""Loading CSV files into the canonical tables, nothing lost.

Every row read is either loaded, rejected with a reason (file, row, column, value, why),
or counted as a duplicate of a row already loaded. Files are read as text by DuckDB with
explicit dialect settings (the sniffer can drop rows silently) and cast by us.
Row numbers are spreadsheet rows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from phasekpi.schema import CHANNELS, OPPORTUNITY_STATUSES, TABLES, Store, TableSpec

TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
]
TRUE_WORDS = ("true", "1", "yes", "y", "t", "はい", "○", "済", "確認済")
FALSE_WORDS = ("false", "0", "no", "n", "f", "いいえ", "×", "未", "未確認")
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Problem:
    """Something wrong, as a message key of phasekpi/messages.yaml and its parameters."""

    key: str
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str
    value: str
    problem: Problem


@dataclass
class FileReport:
    file: str
    kind: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    duplicates: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    error: Problem | None = None

    @property
    def rows_rejected(self) -> int:
        return len({r.row for r in self.rejections})

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_rejected + self.duplicates


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.error is None for f in self.files)


def load_files(store: Store, paths: list[tuple[Path, str]]) -> LoadReport:
    """Load each (path on disk, name the user knows) pair; one file's failure spares the rest."""
    return LoadReport([load_csv(store, path, name) for path, name in paths])


def load_csv(store: Store, path: Path, name: str) -> FileReport:
    report = FileReport(file=name)
    header, problem = _read_header(path, name)
    if problem:
        report.error = problem
        return report
    spec, problem = detect_kind(header)
    if problem:
        report.error = problem
        return report
    report.kind = spec.name
    with store.lock:
        _stage(store, path, header)
        report.rows_read = store.con.execute("SELECT count(*) FROM staging").fetchone()[0]
        malformed = _malformed_rows(store)
        report.rows_read += len(malformed)
        if report.rows_read == 0:
            report.error = Problem("header_only", {"file": name})
            return report
        _number_rows(store, [r.row for r in malformed])
        report.rejections = malformed + _value_rejections(store, spec, header)
        rejected = sorted({r.row for r in report.rejections})
        report.rows_loaded, report.duplicates = _insert_good_rows(store, spec, header, name, rejected)
        store.con.execute("DROP TABLE staging")
    return report


def _read_header(path: Path, name: str) -> tuple[list[str], Problem | None]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as stream:
        head = stream.read(SNIFF_BYTES)
    if not head.strip():
        return [], Problem("empty_file", {"file": name})
    if b"\x00" in head:
        return [], Problem("not_a_table", {"file": name})
    try:
        first_line = head.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        return [], Problem("not_utf8", {"file": name})
    header = [h.strip() for h in next(csv.reader([first_line]))]
    return header, None


def detect_kind(header: list[str]) -> tuple[TableSpec, Problem | None]:
    """The table whose required columns the header holds and which shares most columns with it;
    else the closest table, with what it misses."""
    present = set(header)

    def fit(spec: TableSpec) -> tuple[bool, int, int, int]:
        shared = len(present & {c.name for c in spec.columns})
        id_first = -header.index(spec.id_column) if spec.id_column in present else -len(header)
        return (all(c in present for c in spec.required), shared, id_first, -len(spec.columns))

    best = max(TABLES.values(), key=fit)
    missing = [c for c in best.required if c not in present]
    if not missing:
        return best, None
    if fit(best)[1] == 0:
        return best, Problem("unknown_kind", {"columns": ", ".join(header[:8])})
    return best, Problem("missing_columns", {"kind": best.name, "columns": ", ".join(missing)})


def _stage(store: Store, path: Path, header: list[str]) -> None:
    # A clean scan records nothing, so rejects of an earlier file would read as this one's.
    store.con.execute("DROP TABLE IF EXISTS reject_errors")
    store.con.execute("DROP TABLE IF EXISTS reject_scans")
    store.con.execute("""
        CREATE OR REPLACE TEMP TABLE staging AS
        SELECT * FROM read_csv($path, all_varchar = true, header = true, delim = ',', quote = '"',
                               escape = '"', skip = 0, store_rejects = true)
    """, {"path": str(path)})
    store.con.execute("ALTER TABLE staging ADD COLUMN source_row BIGINT")


def _malformed_rows(store: Store) -> list[Rejection]:
    rows = store.con.execute("""
        SELECT line, coalesce(first(column_name), ''), coalesce(first(csv_line), ''), first(error_type)
        FROM reject_errors WHERE scan_id = (SELECT max(scan_id) FROM reject_scans)
        GROUP BY line ORDER BY line
    """).fetchall()
    return [Rejection(int(line), column, value.strip()[:200], Problem("malformed_row", {"error": error}))
            for line, column, value, error in rows]


def _number_rows(store: Store, rejected_lines: list[int]) -> None:
    """Give staged rows their spreadsheet row, skipping the lines DuckDB rejected."""
    store.con.execute("CREATE OR REPLACE TEMP TABLE reject_shifts (threshold BIGINT)")
    shifts = [(line - index,) for index, line in enumerate(sorted(rejected_lines))]
    if shifts:
        store.con.executemany("INSERT INTO reject_shifts VALUES (?)", shifts)
    store.con.execute("""
        CREATE OR REPLACE TEMP TABLE staging AS
        WITH numbered AS (SELECT * EXCLUDE (source_row), row_number() OVER () + 1 AS k FROM staging)
        SELECT * EXCLUDE (k), k + (SELECT count(*) FROM reject_shifts WHERE threshold <= k) AS source_row
        FROM numbered
    """)


def _cast_sql(column: str, sql_type: str) -> str:
    """SQL turning the text column into its canonical type, NULL when it does not parse."""
    raw = f'nullif(trim("{column}"), \'\')'
    if sql_type == "TIMESTAMP":
        formats = ", ".join("'" + f + "'" for f in TIMESTAMP_FORMATS)
        return f"coalesce(try_cast({raw} AS TIMESTAMP), try_strptime({raw}, [{formats}]))"
    if sql_type == "BOOLEAN":
        trues = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        falses = ", ".join(f"'{w}'" for w in FALSE_WORDS)
        return f"CASE WHEN lower({raw}) IN ({trues}) THEN true WHEN lower({raw}) IN ({falses}) THEN false END"
    if sql_type.startswith(("DOUBLE", "DECIMAL")):
        return f"try_cast(regexp_replace({raw}, '[,¥$]', '', 'g') AS {sql_type})"
    if column == "channel":
        return f"CASE WHEN lower({raw}) IN ({', '.join(repr(c) for c in CHANNELS)}) THEN lower({raw}) END"
    if column == "status":
        return f"lower({raw})"
    return raw


def _value_rejections(store: Store, spec: TableSpec, header: list[str]) -> list[Rejection]:
    checks = []
    for column in spec.columns:
        if column.name not in header:
            continue
        raw = f'nullif(trim("{column.name}"), \'\')'
        cast = _cast_sql(column.name, column.sql_type)
        key = "bad_" + {"TIMESTAMP": "date", "BOOLEAN": "flag", "DOUBLE": "number", "DECIMAL(18,2)": "number"}.get(
            column.sql_type, "choice" if column.name == "channel" else "text")
        if spec.name == "opportunities" and column.name == "status":
            allowed = ", ".join(f"'{s}'" for s in OPPORTUNITY_STATUSES)
            checks.append(f"SELECT source_row, '{column.name}', {raw}, 'bad_status' FROM staging "
                          f"WHERE {raw} IS NOT NULL AND lower({raw}) NOT IN ({allowed})")
        elif column.sql_type != "VARCHAR" or column.name == "channel":
            checks.append(f"SELECT source_row, '{column.name}', {raw}, '{key}' FROM staging "
                          f"WHERE {raw} IS NOT NULL AND ({cast}) IS NULL")
        if column.required:
            checks.append(f"SELECT source_row, '{column.name}', '', 'missing_value' FROM staging WHERE {raw} IS NULL")
    rows = store.con.execute(" UNION ALL ".join(checks) + " ORDER BY 1, 2").fetchall() if checks else []
    return [Rejection(int(row), column, (value or "")[:200], Problem(key, {"column": column}))
            for row, column, value, key in rows]


def _insert_good_rows(store: Store, spec: TableSpec, header: list[str], name: str,
                      rejected: list[int]) -> tuple[int, int]:
    """Insert rows without problems; a row whose id (or, without ids, whose every value)
    is already loaded counts as a duplicate."""
    con = store.con
    casts = ", ".join(
        f'{_cast_sql(c.name, c.sql_type) if c.name in header else "NULL"} AS "{c.name}"' for c in spec.columns)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE typed AS
        SELECT {casts}, $name AS source_file, source_row FROM staging
        WHERE NOT list_contains($rejected, source_row)
    """, {"name": name, "rejected": rejected})
    # Rows are the same record when their ids match; rows without an id when every value matches.
    everything = ", ".join(f'"{c.name}"' for c in spec.columns)
    id_col = spec.id_column if spec.id_column in header else None
    partition = f'"{id_col}", CASE WHEN "{id_col}" IS NULL THEN ({everything}) END' if id_col else everything
    same_values = " AND ".join(f't."{c.name}" IS NOT DISTINCT FROM r."{c.name}"' for c in spec.columns)
    new_record = f'NOT EXISTS (SELECT 1 FROM "{spec.rows_table}" r WHERE {same_values})'
    if id_col:  # two equality joins rather than one OR, which DuckDB could only run as a nested loop
        new_record = (f'NOT EXISTS (SELECT 1 FROM "{spec.rows_table}" r WHERE r."{id_col}" = t."{id_col}") '
                      f'AND (t."{id_col}" IS NOT NULL OR {new_record})')
    target = spec.rows_table
    before = con.execute(f'SELECT count(*) FROM "{target}"').fetchone()[0]
    typed_rows = con.execute("SELECT count(*) FROM typed").fetchone()[0]
    con.execute(f"""
        INSERT INTO "{target}"
        SELECT * EXCLUDE (dedupe_rank) FROM (
            SELECT t.*, row_number() OVER (PARTITION BY {partition} ORDER BY source_row) AS dedupe_rank
            FROM typed t
            WHERE {new_record}
        ) WHERE dedupe_rank = 1
    """)
    loaded = con.execute(f'SELECT count(*) FROM "{target}"').fetchone()[0] - before
    con.execute("DROP TABLE typed")
    return loaded, typed_rows - loaded
