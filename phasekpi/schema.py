"""The canonical data model in DuckDB (SPEC §11) and the per-session connection.

Loaded rows go into `<table>_rows` tables with the canonical columns of phasekpi/tables.py; `activities`,
`leads` and `opportunities` add the flags the catalogue defines (outcome level, SQL status,
quality score), so an edited vocabulary needs no reload. `leads` and `opportunities` are views;
`activities` is a table rebuilt from the view `activities_flagged` whenever its rows or the
vocabulary change (`refresh_activities`), since every dashboard query reads a million of them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import duckdb

from phasekpi.catalogue import Catalogue
from phasekpi.tables import TABLES, Column, TableSpec  # noqa: F401  (re-exported: the model's home is tables.py)

OUTCOME_RANKS = {"none": 0, "connected": 1, "effective": 2, "appointment": 3}


# Where each loaded row came from and which version of a record it is (see phasekpi/ingest.py).
BOOKKEEPING = ("source_file VARCHAR, source_row BIGINT, file_id INTEGER, row_hash UBIGINT, as_of TIMESTAMP")


@dataclass
class Store:
    """One DuckDB connection for one browser session (or one CLI run), with its lock.

    Streamlit reruns a session's script on several threads; DuckDB connections are not
    safe to share between threads, so every use goes through `lock`. `version` moves whenever
    loaded rows change, so values derived from them can be kept until then (`memo`).
    """

    con: duckdb.DuckDBPyConnection
    lock: threading.RLock = field(default_factory=threading.RLock)
    version: int = 0
    memo: dict = field(default_factory=dict)

    def changed(self) -> None:
        self.version += 1
        self.memo.clear()


def open_store(catalogue: Catalogue, outcome_overrides: Mapping[str, str] | None = None, threads: int = 2,
               memory_limit: str = "2GB") -> Store:
    """A fresh in-memory database with the canonical tables, vocabularies (the user's own call-result
    words on top of the catalogue's) and views."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET enable_progress_bar = false")  # a long load would draw DuckDB's bar into the CLI's output
    for spec in TABLES.values():
        columns = ", ".join(f'"{c.name}" {c.sql_type}' for c in spec.columns)
        con.execute(f'CREATE TABLE "{spec.rows_table}" ({columns}, {BOOKKEEPING})')
    con.execute("""CREATE TABLE loaded_files (file_id INTEGER, name VARCHAR, kind VARCHAR, fingerprint VARCHAR,
                   given VARCHAR[], as_of TIMESTAMP)""")
    _write_lookups(con, catalogue, outcome_overrides)
    _create_views(con, catalogue)
    refresh_activities(con)
    return Store(con)


def refresh_activities(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the flagged `activities` table; called after every change to its rows or vocabulary."""
    con.execute("CREATE OR REPLACE TABLE activities AS SELECT * FROM activities_flagged")


def install_vocabularies(con: duckdb.DuckDBPyConnection, catalogue: Catalogue,
                         outcome_overrides: Mapping[str, str] | None = None) -> None:
    """(Re)write the lookup tables the views read and the flagged activities: outcome words (the
    catalogue's, then the user's own word → level choices on top), lead statuses, quality points."""
    _write_lookups(con, catalogue, outcome_overrides)
    refresh_activities(con)


def _write_lookups(con: duckdb.DuckDBPyConnection, catalogue: Catalogue,
                   outcome_overrides: Mapping[str, str] | None = None) -> None:
    con.execute("CREATE OR REPLACE TABLE outcome_vocabulary (word VARCHAR PRIMARY KEY, rank INTEGER)")
    words = {w.strip().lower(): OUTCOME_RANKS[level]
             for level, entries in catalogue.outcomes.vocabulary.items() for w in entries}
    words |= {w.strip().lower(): OUTCOME_RANKS[level] for w, level in (outcome_overrides or {}).items()}
    con.executemany("INSERT INTO outcome_vocabulary VALUES (?, ?)", list(words.items()))
    con.execute("CREATE OR REPLACE TABLE lead_status_levels (status VARCHAR PRIMARY KEY, level INTEGER)")
    levels = {s.strip().lower(): 1 for s in catalogue.lead_statuses.mql}
    levels |= {s.strip().lower(): 2 for s in catalogue.lead_statuses.sql}
    con.executemany("INSERT INTO lead_status_levels VALUES (?, ?)", list(levels.items()))
    con.execute("CREATE OR REPLACE TABLE quality_points (item VARCHAR, answer VARCHAR, points INTEGER)")
    rubric = catalogue.quality_score
    rows = [(item, answer.lower(), points)
            for item, table in (("need", rubric.need), ("decision_process", rubric.decision_process),
                                ("next_action", rubric.next_action))
            for answer, points in table.items()]
    con.executemany("INSERT INTO quality_points VALUES (?, ?, ?)", rows)


def bant_points_sql(catalogue: Catalogue) -> str:
    rows = sorted(catalogue.quality_score.bant, key=lambda r: -r.min_confirmed)
    branches = " ".join(f"WHEN bant_confirmed >= {int(r.min_confirmed)} THEN {int(r.points)}" for r in rows)
    return f"CASE {branches} ELSE 0 END"


def _create_views(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    effective_seconds = int(catalogue.outcomes.effective_min_seconds)
    con.execute(f"""
        CREATE OR REPLACE VIEW activities_flagged AS
        WITH ranked AS (
            SELECT a.*, CAST(a.occurred_at AS DATE) AS activity_date, v.rank AS outcome_rank,
                   coalesce(a.duration_sec, 0) >= {effective_seconds} AS long_call,
                   coalesce(a.channel = 'call' AND coalesce(a.direction, '') <> 'inbound', false) AS is_call
            FROM activities_rows a
            LEFT JOIN outcome_vocabulary v ON v.word = lower(trim(a.outcome))
        )
        SELECT *,
            is_call AND (coalesce(outcome_rank, 0) >= 2
                OR (long_call AND coalesce(outcome_rank, 1) >= 1)) AS is_effective,
            is_call AND (coalesce(outcome_rank, 0) >= 1
                OR (long_call AND outcome_rank IS NULL)) AS is_connected,
            coalesce(outcome_rank, 0) >= 3 AS is_appointment
        FROM ranked
    """)
    con.execute("""
        CREATE OR REPLACE VIEW leads AS
        SELECT l.*, coalesce(s.level, 0) >= 1 AS is_mql, coalesce(s.level, 0) >= 2 AS is_sql
        FROM leads_rows l LEFT JOIN lead_status_levels s ON s.status = lower(trim(l.status))
    """)
    con.execute(f"""
        CREATE OR REPLACE VIEW opportunities AS
        WITH counted AS (
            SELECT o.*,
                CAST(coalesce(bant_budget, false) AS INTEGER) + CAST(coalesce(bant_authority, false) AS INTEGER)
                + CAST(coalesce(bant_need, false) AS INTEGER) + CAST(coalesce(bant_timeline, false) AS INTEGER)
                AS bant_confirmed,
                bant_budget IS NOT NULL OR bant_authority IS NOT NULL OR bant_need IS NOT NULL
                OR bant_timeline IS NOT NULL OR need_level IS NOT NULL OR decision_process IS NOT NULL
                OR next_action IS NOT NULL AS has_quality_items
            FROM opportunities_rows o
        )
        SELECT c.* REPLACE (
            coalesce(c.quality_score, CASE WHEN c.has_quality_items THEN
                {bant_points_sql(catalogue)}
                + coalesce(n.points, 0) + coalesce(d.points, 0) + coalesce(x.points, 0) END) AS quality_score)
        FROM counted c
        LEFT JOIN quality_points n ON n.item = 'need' AND n.answer = lower(c.need_level)
        LEFT JOIN quality_points d ON d.item = 'decision_process' AND d.answer = lower(c.decision_process)
        LEFT JOIN quality_points x ON x.item = 'next_action' AND x.answer = lower(c.next_action)
    """)


@dataclass(frozen=True)
class TableSummary:
    table: str
    rows: int
    first_date: date | None
    last_date: date | None
    reps: int


def table_summaries(store: Store) -> list[TableSummary]:
    """Rows, date range and number of reps of each canonical table."""
    summaries = []
    with store.lock:
        for name, spec in TABLES.items():
            rows, first, last, reps = store.con.execute(
                f'SELECT count(*), min(CAST("{spec.date_column}" AS DATE)), max(CAST("{spec.date_column}" AS DATE)), '
                f'count(DISTINCT rep) FROM "{spec.rows_table}"').fetchone()
            summaries.append(TableSummary(name, rows, first, last, reps))
    return summaries


@dataclass(frozen=True)
class OutcomeWord:
    word: str
    calls: int
    level: str | None  # None: not in the vocabulary, so the call counts only by its duration


def outcome_words(store: Store) -> list[OutcomeWord]:
    """Every call-result word in the loaded calls with its count and level, most frequent first."""
    levels = {rank: level for level, rank in OUTCOME_RANKS.items()}
    with store.lock:
        rows = store.con.execute("""
            SELECT trim(a.outcome), count(*), any_value(v.rank)
            FROM activities_rows a LEFT JOIN outcome_vocabulary v ON v.word = lower(trim(a.outcome))
            WHERE a.channel = 'call' AND nullif(trim(a.outcome), '') IS NOT NULL
            GROUP BY 1 ORDER BY 2 DESC, 1
        """).fetchall()
    return [OutcomeWord(word, calls, levels.get(rank)) for word, calls, rank in rows]


def channel_words(store: Store) -> list[tuple[str, str, int]]:
    """The export's own activity types with the channel each became and how many rows."""
    with store.lock:
        return store.con.execute("""
            SELECT channel_raw, channel, count(*) FROM activities_rows WHERE channel_raw IS NOT NULL
            GROUP BY ALL ORDER BY 3 DESC, 1
        """).fetchall()
