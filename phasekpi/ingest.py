"""Loading exports into the canonical tables, nothing lost.

Every row read is either loaded as a new record, applied as a newer version of one (updated),
counted as a duplicate (phasekpi/identity.py says when), rejected with a reason (file, row,
column, value, why), or counted as a line of the report's footer (phasekpi/footer.py). DuckDB
reads each file as text with the dialect we detected (its sniffer can drop rows silently), under
our own column names c0…cN, and the casts of phasekpi/casts.py type it. The day and time of day of
an activity come from the columns phasekpi/timestamps.py chooses. Row numbers are spreadsheet
rows: the header is row 1.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from phasekpi import casts
from phasekpi.footer import TAIL_LINES, footer_rows, split_line
from phasekpi.identity import apply_rows, earlier_copy, file_counts_sql
from phasekpi.mapping import Mapping, ProfileStore, Synonyms, default_synonyms, mapping_for, normalise
from phasekpi.mapping import fingerprint as header_fingerprint
from phasekpi.problems import FileReport, LoadReport, Problem, Rejection, TimeChoice
from phasekpi.repnames import is_user_list
from phasekpi.schema import TABLES, Store, TableSpec, refresh_activities
from phasekpi.sources import CHUNK, SourceFile, broken_records, normalised, read_source
from phasekpi.timestamps import choose_time, known_formats, time_columns_sql

YEARS = (1990, 2100)  # a CRM date outside these is a placeholder (1900-01-00) or a typo
NON_NEGATIVE = ("amount", "duration_sec")
MAX_VALUE_CHARS = 10_000  # a longer cell is a broken export (a quote never closed, a pasted document), not a value
TEXT_RULES: dict[str, tuple[Callable[[SourceFile], bool], str]] = {  # key → (file that may break it, SQL over {value})
    "value_too_long": (lambda source: bool(source.longest_line), f"length({{value}}) > {MAX_VALUE_CHARS}"),
    "nul_character": (lambda source: source.nul_bytes, "contains({value}, chr(0))"),
}
REJECTION_DETAILS = 1_000  # rejected rows shown (and downloadable) per reason; the counts stay exact
MAX_BROKEN_ROWS = 50_000  # DuckDB keeps kilobytes per broken row: a file with more is refused, not read


def load_files(store: Store, paths: list[tuple[Path, str]], profiles: ProfileStore | None = None) -> LoadReport:
    """Load each (path on disk, name the user knows) pair with its saved or proposed mapping."""
    return LoadReport([load_file(store, path, name, profiles) for path, name in paths])


def load_file(store: Store, path: Path, name: str, profiles: ProfileStore | None = None) -> FileReport:
    started = time.perf_counter()
    source, problem = read_source(path, name)
    if problem:
        return FileReport(file=name, error=problem)
    read = time.perf_counter() - started
    try:
        report = load_source(store, source, mapping_for(source.header, profiles))
    finally:
        source.discard()
    report.stages = (("read", read), *report.stages)
    return report


class Stopwatch:
    """Wall seconds per stage of one load, for the technical details and the bench."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float]] = []
        self._since = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages.append((stage, now - self._since))
        self._since = now


Keep = Callable[[Store, TableSpec, FileReport], None]  # sees the table `typed` of a loaded file (history batches)


def load_source(store: Store, source: SourceFile, mapping: Mapping, synonyms: Synonyms | None = None,
                keep: Keep | None = None) -> FileReport:
    """Load one recognised file under a mapping; a file-level problem loads nothing. `keep`, when
    given, is called with the typed rows still in the table `typed` once the file has loaded."""
    synonyms = synonyms or default_synonyms()
    report = FileReport(file=source.name, kind=mapping.kind if mapping.columns else None, encoding=source.encoding)
    report.error = mapping_problem(source, mapping)
    if report.error:
        return report
    spec = TABLES[mapping.kind]
    if source.delimiter_mismatch > MAX_BROKEN_ROWS and broken_records(source, MAX_BROKEN_ROWS) > MAX_BROKEN_ROWS:
        report.error = Problem("too_many_broken_rows", {"file": source.name, "limit": f"{MAX_BROKEN_ROWS:,}"})
        return report
    clock = Stopwatch()
    with store.lock:
        try:
            try:
                staged = _stage_any(store, source)
            except (duckdb.Error, csv.Error):
                report.error = Problem("unreadable", {"file": source.name})
                return report
            report.reader = "duckdb" if staged is source else "python"
            report.workbook_reader = source.workbook_reader
            report.rows_read = store.con.execute("SELECT count(*) FROM staging").fetchone()[0]
            malformed, recovered = _malformed_rows(store, staged)
            report.rows_read += len(malformed) + len(recovered)
            if report.rows_read == 0:
                report.error = Problem("header_only", {"file": source.name})
                return report
            unstaged = [(row, 1) for row in sorted({r.row for r in malformed} | set(recovered))]
            if unstaged or source.blank_runs:
                _renumber_rows(store, sorted(unstaged + list(source.blank_runs)), recovered)
            footer = _drop_footer(store, staged, source.blank_runs, malformed, synonyms)
            malformed = [r for r in malformed if r.row not in footer]
            report.footer_lines = len(footer)
            clock.lap("stage")
            report.time_choice = choose_time(store, source.header, mapping, synonyms)
            clock.lap("time_of_day")
            typed = _typed_columns(store, source, mapping, synonyms, report.time_choice)
            text_rules = [key for key, (applies, _) in TEXT_RULES.items() if applies(source)]
            _build_typed(store, spec, typed, source.header, text_rules)
            clock.lap("typing")
            broken, broken_reasons, broken_rows = _capped(malformed)
            values, value_reasons, value_rows = _value_rejections(store, spec, typed, text_rules)
            report.rejections = broken + values
            report.reasons = [(Problem(key, dict(params)), count)
                              for (key, params), count in (broken_reasons + value_reasons).most_common()]
            report.rejected = broken_rows + value_rows
            clock.lap("rejections")
            _apply(store, spec, source, typed, report)
            if keep is not None:
                keep(store, spec, report)
            clock.lap("apply")
        finally:
            _drop_staging(store)
    report.stages = tuple(clock.stages)
    return report


def _apply(store: Store, spec: TableSpec, source: SourceFile, typed: dict[str, TypedColumn], report: FileReport) -> None:
    """The good rows into the table under the identity rules. The file's fingerprint (kind, header,
    row count, sum of row hashes over all its rows) and the fields it gives come from `typed`."""
    mapped = [c.name for c in spec.columns if typed[c.name].source is not None]
    facts = store.con.execute("SELECT " + ", ".join([
        "count(*)", "coalesce(sum(row_hash::HUGEINT), 0)", *(f'count("{n}") FILTER (NOT row_rejected)' for n in mapped)])
        + " FROM typed").fetchone()
    fingerprint = f"{spec.name}:{header_fingerprint(source.header)}:{facts[0]}:{facts[1]}"
    report.given = tuple(n for n, count in zip(mapped, facts[2:], strict=True) if count)
    report.fingerprint = fingerprint
    apply_typed(store, spec, source.name, fingerprint, report)


def apply_typed(store: Store, spec: TableSpec, name: str, fingerprint: str, report: FileReport,
                refresh: bool = True) -> None:
    """The good rows of the table `typed` into the store under the identity rules, counted in
    `report` (whose `given` names the fields the file gives); the file remembered in `loaded_files`.
    A file of the team's history is replayed through here too (phasekpi/history.py), so a replay
    places every row exactly as the first load did. `refresh` False leaves the flagged activities
    for the caller to rebuild once after many files."""
    con = store.con
    facts = con.execute("SELECT " + ", ".join([f'max(coalesce(modified_at, "{spec.date_column}")) FILTER (good)',
                                               *file_counts_sql(spec)])
                        + " FROM (SELECT *, NOT row_rejected AS good FROM typed)").fetchone()
    as_of, file_counts = facts[0], tuple(int(v) for v in facts[1:4])
    earlier = earlier_copy(store, spec.name, fingerprint)
    if earlier is not None:
        report.already_loaded, report.duplicates = earlier, file_counts[0]
        return
    file_id = con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM loaded_files").fetchone()[0]
    applied = apply_rows(store, spec, name, file_id, as_of, file_counts)
    report.rows_loaded, report.rows_updated, report.duplicates = applied.loaded, applied.updated, applied.duplicates
    report.older, report.repeated_ids, report.identical_rows = applied.older, applied.repeated_ids, applied.identical_rows
    report.updated_files, report.newer_files, report.updates = applied.updated_files, applied.newer_files, applied.updates
    con.execute("INSERT INTO loaded_files VALUES (?, ?, ?, ?, ?, ?)",
                [file_id, name, spec.name, fingerprint, list(report.given), as_of])
    if report.changed_rows:
        if refresh and spec.name == "activities":
            refresh_activities(con)
        store.changed()


def mapping_problem(source: SourceFile, mapping: Mapping) -> Problem | None:
    """Why a file cannot load under this mapping: another kind of export, nothing recognised,
    required fields missing, or a mapped column of formulas Excel never calculated."""
    if (mapping.refused_as == "users" or not mapping.columns) and is_user_list(source.header):
        return Problem("user_list_elsewhere", {"file": source.name})  # names for rep ids: the reps page reads it
    if mapping.refused_as:
        return Problem("other_kind", {"file": source.name, "other": mapping.refused_as})
    if not mapping.columns:
        named = [h for h in source.header if h.strip()]
        if not named:
            return Problem("no_header_names", {"file": source.name})
        return Problem("unknown_kind", {"file": source.name, "columns": ", ".join(named[:8])})
    missing = mapping.missing
    if missing:
        return Problem("missing_columns", {"file": source.name, "kind": mapping.kind, "columns": ", ".join(missing)})
    unknown = sorted(set(mapping.columns.values()) - set(source.header))
    if unknown:
        return Problem("missing_columns", {"file": source.name, "kind": mapping.kind, "columns": ", ".join(unknown)})
    used = [*mapping.columns.values(), *(h for h in mapping.time_from.values() if h)]
    uncalculated = next((header for header in used if header in source.uncalculated), None)
    if uncalculated:  # the cells would read as empty: a value Excel never computed is not a missing one
        count, cell = source.uncalculated[uncalculated]
        return Problem("uncalculated_formulas", {"file": source.name, "column": uncalculated, "count": f"{count:,}",
                                                 "cell": cell})
    return None


PREVIEW_SAMPLE = 5_000  # rows the mapping screen weighs the time-of-day columns on


def preview(source: SourceFile, mapping: Mapping, rows: int = 5, synonyms: Synonyms | None = None) -> list[dict[str, str]]:
    """The first rows as they would load (canonical field → value as text), in a scratch
    database; a value that would be rejected shows as `⚠ raw value`."""
    if mapping.missing or not mapping.columns:
        return []
    synonyms = synonyms or default_synonyms()
    with _scratch(source, rows) as scratch:
        if scratch is None:
            return []
        typed = _typed_columns(scratch, source, mapping, synonyms, choose_time(scratch, source.header, mapping, synonyms))
        _build_typed(scratch, TABLES[mapping.kind], typed, source.header)
        shown = [name for name in typed if name in mapping.columns or name in mapping.constants]
        cells = ", ".join(
            f"""CASE WHEN {f'"bad_{n}"' if typed[n].failure else 'false'} THEN '⚠ ' || {typed[n].raw} """
            f"""ELSE coalesce(CAST("{n}" AS VARCHAR), '') END""" for n in shown)
        values = scratch.con.execute(f"SELECT {cells} FROM typed JOIN staging USING (source_row) ORDER BY source_row").fetchall()
    return [dict(zip(shown, row, strict=True)) for row in values]


def sample_time_choice(source: SourceFile, mapping: Mapping, rows: int = PREVIEW_SAMPLE,
                       synonyms: Synonyms | None = None) -> TimeChoice | None:
    """Where the day and the time of day would come from, judged on the file's first `rows` rows
    (the load judges again on every row)."""
    if mapping.missing or not mapping.columns or mapping_problem(source, mapping):
        return None
    with _scratch(source, rows) as scratch:
        return None if scratch is None else choose_time(scratch, source.header, mapping, synonyms or default_synonyms())


@contextmanager
def _scratch(source: SourceFile, rows: int) -> Iterator[Store | None]:
    """The file's first rows staged in a database of their own (None when DuckDB cannot read it)."""
    scratch = Store(duckdb.connect(":memory:"))
    try:
        try:
            _stage_any(scratch, source, limit=rows)
        except (duckdb.Error, csv.Error):
            yield None
            return
        yield scratch
    finally:
        scratch.con.close()


def _stage(store: Store, source: SourceFile, limit: int | None = None) -> None:
    """The file as text under c0…cN in `staging_text`, read through the view `staging` that adds each
    row's spreadsheet number from the table's insertion order (cheaper than a window function)."""
    # A clean scan records nothing, so rejects of an earlier file would read as this one's.
    store.con.execute("DROP TABLE IF EXISTS reject_errors")
    store.con.execute("DROP TABLE IF EXISTS reject_scans")
    names = [f"c{i}" for i in range(len(source.header))]
    params = {"path": str(source.path), "delim": source.delimiter, "columns": dict.fromkeys(names, "VARCHAR"),
              "compression": source.compression}
    options = ""
    if source.line_ending:  # in DuckDB's escaped spelling: it refuses the CR LF characters themselves
        params["new_line"] = source.line_ending.replace("\r", "\\r").replace("\n", "\\n")
        options = ", new_line = $new_line"
    if source.pads_short_rows:
        options += ", null_padding = true"
    if source.longest_line:  # DuckDB drops a line longer than its buffer without a reject entry
        params["max_line"], params["buffer"] = source.longest_line + CHUNK, 2 * source.longest_line + 4 * CHUNK
        options += ", max_line_size = $max_line, buffer_size = $buffer"
    store.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE staging_text AS
        SELECT * FROM read_csv($path, header = true, delim = $delim, quote = '"', escape = '"', skip = 0,
                               store_rejects = true, auto_detect = false, columns = $columns,
                               compression = $compression{options})
        {f"LIMIT {int(limit)}" if limit else ""}
    """, params)
    store.con.execute("CREATE OR REPLACE TEMP VIEW staging AS SELECT *, rowid + 2 AS source_row FROM staging_text")


def _stage_any(store: Store, source: SourceFile, limit: int | None = None) -> SourceFile:
    """Stage the file; when DuckDB refuses it (mixed line endings, bare CRs), stage the copy Python's
    csv module writes of it (its first `limit` rows for a preview). Returns what was staged (its
    header numbers the columns); raises duckdb.Error or csv.Error when neither reads."""
    try:
        _stage(store, source, limit)
        return source
    except duckdb.Error:
        fallback = normalised(source, limit)
        try:
            _stage(store, fallback, limit)  # staging_text holds the rows: the copy can go
        finally:
            fallback.discard()
        return fallback


def _drop_staging(store: Store) -> None:
    store.con.execute("DROP VIEW IF EXISTS staging")
    for table in ("staging_text", "staging_numbered", "typed"):
        store.con.execute(f'DROP TABLE IF EXISTS "{table}"')


CSV_ERRORS = {  # DuckDB's error type → our reason slug (csv_error.<slug> in phasekpi/locales)
    "TOO MANY COLUMNS": "too_many_columns", "MISSING COLUMNS": "missing_columns", "UNQUOTED VALUE": "unquoted_value",
    "LINE SIZE OVER MAXIMUM": "line_too_long", "INVALID UNICODE": "invalid_encoding", "INVALID ENCODING": "invalid_encoding",
}


def _malformed_rows(store: Store, source: SourceFile) -> tuple[list[Rejection], dict[int, list[str]]]:
    """Rows DuckDB could not split, each with its reason and where (the header's name of the column it
    broke at, or `#n`, 1-based, for a column beyond the header); and the rows it swallowed.

    A quote left open makes DuckDB read the following lines as one broken record; each of those lines
    is split on its own here: a line with the header's number of fields is recovered (row → fields),
    any other is rejected too. So no row disappears inside another. In a tab-separated file a row
    broken by a quote inside a value is split on its tabs alone."""
    rows = store.con.execute("""
        SELECT line, coalesce(first(csv_line), ''), first(error_type), min(column_idx)
        FROM reject_errors WHERE scan_id = (SELECT max(scan_id) FROM reject_scans)
        GROUP BY line ORDER BY line
    """).fetchall()
    rejections: list[Rejection] = []
    recovered: dict[int, list[str]] = {}
    for line, text, error, index in rows:
        first, *swallowed = text.replace("\r\n", "\n").rstrip("\n").split("\n") if error == "UNQUOTED VALUE" else [text]
        as_tab_separated = first.split("\t")
        if error == "UNQUOTED VALUE" and source.delimiter == "\t" and len(as_tab_separated) == len(source.header):
            recovered[int(line)] = as_tab_separated  # TSV writers rarely quote: "VIP" 対応 is a value, not a quote
        else:
            reason = Problem("malformed_row", {"error": CSV_ERRORS.get(str(error), "other")})
            rejections.append(Rejection(int(line), _column_at(source.header, index), first.strip()[:200], reason))
        for offset, physical in enumerate(swallowed, start=1):
            if not physical.strip():
                continue
            fields = next(csv.reader([physical], delimiter=source.delimiter), [])
            if len(fields) == len(source.header):
                recovered[int(line) + offset] = fields
            else:
                error_key = "too_many_columns" if len(fields) > len(source.header) else "missing_columns"
                rejections.append(Rejection(int(line) + offset, "", physical.strip()[:200],
                                            Problem("malformed_row", {"error": error_key})))
    return rejections, recovered


def _column_at(header: tuple[str, ...], index: int | None) -> str:
    if index is None:
        return ""
    position = int(index) - 1
    return header[position] if 0 <= position < len(header) and header[position].strip() else f"#{position + 1}"


def _renumber_rows(store: Store, unstaged: list[tuple[int, int]], recovered: dict[int, list[str]] | None = None) -> None:
    """Shift staged rows' spreadsheet numbers past the lines DuckDB did not stage (malformed, swallowed
    or blank: runs of (first line, count), in order), then add the recovered rows under their own numbers."""
    # Before a run starting at `line`, `skipped` lines were left out: every staged row numbered
    # (line - skipped) or more moves by skipped + count.
    thresholds, shifts, skipped = [], [], 0
    for line, count in unstaged:
        thresholds.append(line - skipped)
        skipped += count
        shifts.append(skipped)
    store.con.execute("""
        CREATE OR REPLACE TEMP TABLE reject_shifts AS
        SELECT threshold, max(shift) AS shift
        FROM (SELECT unnest($thresholds) AS threshold, unnest($shifts) AS shift)
        GROUP BY threshold
    """, {"thresholds": thresholds, "shifts": shifts})
    store.con.execute("""
        CREATE OR REPLACE TEMP TABLE staging_numbered AS
        SELECT s.* REPLACE (s.source_row + coalesce(r.shift, 0) AS source_row)
        FROM staging s ASOF LEFT JOIN reject_shifts r ON s.source_row >= r.threshold
    """)
    if recovered:
        width = len(next(iter(recovered.values())))
        slots = ", ".join(["?"] * (width + 1))
        store.con.executemany(f"INSERT INTO staging_numbered VALUES ({slots})",
                              [[*fields, row] for row, fields in sorted(recovered.items())])
    store.con.execute("CREATE OR REPLACE TEMP VIEW staging AS SELECT * FROM staging_numbered")


def _drop_footer(store: Store, source: SourceFile, blank_runs: tuple[tuple[int, int], ...], malformed: list[Rejection],
                 synonyms: Synonyms) -> set[int]:
    """Find the report footer among the last rows of the staged `source` and take its rows out of
    `staging`; returns their numbers."""
    names = ", ".join(f'"c{i}"' for i in range(len(source.header)))
    tail = {int(row): list(fields) for row, fields in store.con.execute(
        f"SELECT source_row, [{names}] FROM staging WHERE source_row > (SELECT max(source_row) FROM staging) - "
        f"{2 * TAIL_LINES} ORDER BY source_row DESC LIMIT {TAIL_LINES}").fetchall()}
    floor = min(tail, default=0)
    tail |= {r.row: split_line(r.value, source.delimiter) for r in malformed if r.row > floor}
    last = max([*tail, *(first + count - 1 for first, count in blank_runs[-1:])], default=0)
    near = {line for first, count in blank_runs[-TAIL_LINES:]  # the blank lines the footer check can reach
            for line in range(max(first, last - 2 * TAIL_LINES), first + count)}
    rows = footer_rows(tail, near, synonyms.report_footer)
    if rows:
        numbered = store.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'staging_numbered' AND temporary").fetchone()[0]
        base = "staging_numbered" if numbered else "(SELECT *, rowid + 2 AS source_row FROM staging_text)"
        store.con.execute(f"CREATE OR REPLACE TEMP VIEW staging AS SELECT * FROM {base} "
                          f"WHERE source_row NOT IN ({', '.join(str(r) for r in sorted(rows))})")
    return rows


class TypedColumn:
    """A canonical column's raw SQL, typed SQL, its label in the file, and what a failure means:
    a non-empty raw value whose `parsed` SQL (the typed SQL before any fallback) is NULL.
    `combined` is SQL over the typed columns that replaces the typed value (an activity's time of
    day taken from another column)."""

    def __init__(self, name: str, raw: str, typed: str, label: str, failure: str | None,
                 source: int | None = None, combined: str | None = None) -> None:
        self.name, self.raw, self.typed, self.label, self.failure = name, raw, typed, label, failure
        self.parsed = typed
        self.source = source  # the staging column (c<source>) it is read from
        self.combined = combined


TIME_COLUMN = "time_of_day_source"  # the typed column of the header that gives an activity's time of day


def _typed_columns(store: Store, source: SourceFile, mapping: Mapping, synonyms: Synonyms,
                   time_choice: TimeChoice | None = None) -> dict[str, TypedColumn]:
    position = {h: i for i, h in reversed(list(enumerate(source.header)))}
    raw_of = {name: f'"c{position[header]}"' for name, header in mapping.columns.items()}
    clean_of = {name: f'"v{position[header]}"' for name, header in mapping.columns.items()}
    dated = [raw_of[c.name] for c in TABLES[mapping.kind].columns if c.sql_type == "TIMESTAMP" and c.name in raw_of]
    day_first = _day_first_columns(store, dated)
    time_raw = f'"c{position[time_choice.time_column]}"' if time_choice and time_choice.time_column else None
    own_format = known_formats(store, {raw: (casts.cleaned(raw), raw in day_first) for raw in dated}
                               | ({TIME_COLUMN: (casts.cleaned(time_raw), False)} if time_raw else {}), synonyms)
    columns: dict[str, TypedColumn] = {}
    for column in TABLES[mapping.kind].columns:
        raw = raw_of.get(column.name)
        if raw is None:
            constant = mapping.constants.get(column.name)
            typed = casts.literal(constant) if constant is not None else f"CAST(NULL AS {column.sql_type})"
            columns[column.name] = TypedColumn(column.name, "NULL", typed, column.name, None)
            continue
        header = mapping.columns[column.name]
        cast, failure = _cast(f"{mapping.kind}.{column.name}", column.sql_type, raw, clean_of[column.name], synonyms,
                              day_first=raw in day_first, scale=synonyms.factor(column.name, header),
                              decimal_comma=source.delimiter == ";", known_format=own_format.get(raw))
        columns[column.name] = TypedColumn(column.name, casts.text(raw), cast, header, failure, position[header])
    _derive(columns, mapping, raw_of, synonyms)
    _time_of_day(columns, mapping, position, synonyms, time_choice, own_format.get(TIME_COLUMN))
    return columns


def _time_of_day(columns: dict[str, TypedColumn], mapping: Mapping, position: dict[str, int], synonyms: Synonyms,
                 choice: TimeChoice | None, known_format: str | None = None) -> None:
    """The date field and its `has_time` flag as phasekpi/timestamps.py chose (the day column, or the
    time column's date-time where the two agree on the day)."""
    spec = TABLES[mapping.kind]
    if spec.time_flag is None or choice is None:
        return
    time_sql = None
    if choice.time_column is not None:
        index = position[choice.time_column]
        columns[TIME_COLUMN] = TypedColumn(TIME_COLUMN, casts.text(f'"c{index}"'),
                                           casts.timestamp(f'"v{index}"', synonyms.parsing.timezone,
                                                           zones=synonyms.parsing.zones, known_format=known_format),
                                           choice.time_column, None, index)
        time_sql = f'"{TIME_COLUMN}"'
    day, has_time = time_columns_sql(choice, f'"{spec.date_column}"', time_sql)
    columns[spec.date_column].combined = day
    columns[spec.time_flag].combined = has_time


def _day_first_columns(store: Store, raws: list[str]) -> set[str]:
    if not raws:
        return set()
    flags = store.con.execute("SELECT " + ", ".join(casts.day_first_probe(r) for r in raws) + " FROM staging").fetchone()
    return {raw for raw, flag in zip(raws, flags, strict=True) if flag}


def _cast(name: str, sql_type: str, raw: str, clean: str, synonyms: Synonyms, day_first: bool,
          scale: float, decimal_comma: bool = False, known_format: str | None = None) -> tuple[str, str | None]:
    """The typed SQL of a mapped column (`table.field`) and the rejection key when a non-empty value
    fails it; `clean` is the column already trimmed and folded to half-width (see `_build_typed`)."""
    amount = casts.decimal_comma(clean) if decimal_comma else clean  # a `;` file is continental: 1.234,56
    special: dict[str, Callable[[], tuple[str, str | None]]] = {
        "activities.duration_sec": lambda: (casts.duration(amount, scale), "bad_duration"),
        "activities.channel": lambda: (f"coalesce({casts.vocabulary(raw, synonyms.word_map('channel'))}, 'other')", None),
        "activities.direction": lambda: (casts.vocabulary(raw, synonyms.word_map("direction")), None),
        "opportunities.status": lambda: (casts.vocabulary(raw, synonyms.word_map("opportunity_status")), "bad_status"),
    }
    if name in special:
        return special[name]()
    if sql_type == "TIMESTAMP":
        return casts.timestamp(clean, synonyms.parsing.timezone, day_first, synonyms.parsing.zones, known_format), "bad_date"
    if sql_type == "BOOLEAN":
        return casts.boolean(raw, synonyms.word_map("boolean")), "bad_flag"
    if sql_type.startswith(("DOUBLE", "DECIMAL")):
        number = casts.number(amount) if scale == 1 else f"({casts.number(amount)} * {float(scale)!r})"
        return f"TRY_CAST({number} AS {sql_type})", "bad_number"  # 1e20 overflows DECIMAL(18,2)
    return casts.text(raw), None


def _derive(columns: dict[str, TypedColumn], mapping: Mapping, raw_of: dict[str, str], synonyms: Synonyms) -> None:
    """Columns computed from others: the channel's own word, an opportunity's open/won/lost."""
    if mapping.kind == "activities" and "channel" in raw_of:
        columns["channel_raw"] = TypedColumn("channel_raw", "NULL", casts.text(raw_of["channel"]), "channel_raw", None)
    if mapping.kind == "opportunities":
        stage = casts.vocabulary(raw_of["stage"], synonyms.word_map("opportunity_status")) if "stage" in raw_of else "NULL"
        won, closed = columns["is_won"].typed, columns["is_closed"].typed
        columns["status"].typed = (f"coalesce({columns['status'].typed}, CASE WHEN {won} THEN 'won' "
                                   f"WHEN {closed} THEN 'lost' END, {stage}, 'open')")


def _checks(spec: TableSpec, typed: dict[str, TypedColumn], text_rules: Sequence[str] = ()) -> list[tuple[str, str, str, str]]:
    """Every rule a row must pass: (condition over the typed row, raw SQL, label in the file, problem key);
    `text_rules` (keys of TEXT_RULES) add rules on text that only some files can break."""
    checks = [(TEXT_RULES[key][1].format(value=f'"{column.name}"'), typed[column.name].raw, typed[column.name].label,
               key) for key in text_rules for column in spec.columns
              if column.sql_type == "VARCHAR" and typed[column.name].source is not None]
    low, high = YEARS
    for column in spec.columns:
        entry = typed[column.name]
        value = f'"{column.name}"'
        if entry.failure:
            checks.append((f'"bad_{column.name}"', entry.raw, entry.label, entry.failure))
        if column.sql_type == "TIMESTAMP":
            checks.append((f"year({value}) NOT BETWEEN {low} AND {high}", entry.raw, entry.label, "date_out_of_range"))
        if column.name in NON_NEGATIVE:
            checks.append((f"{value} < 0", entry.raw, entry.label, "negative_value"))
        if column.required:
            failed = f'"bad_{column.name}"' if entry.failure else "false"
            checks.append((f"{value} IS NULL AND NOT {failed}", entry.raw, entry.label, "missing_value"))
    return checks


def _build_typed(store: Store, spec: TableSpec, typed: dict[str, TypedColumn], header: tuple[str, ...],
                 text_rules: Sequence[str] = ()) -> None:
    """The typed rows, a flag per failed parse, one `row_rejected` flag and the `row_hash` of the
    whole raw row (every column, in the order of their names, so a reordered export hashes alike);
    raw text stays in staging.

    Nested projections so each expensive expression runs once per value: each column is trimmed
    and folded to half-width (v<i>), then cast, then combined and flagged, then checked."""
    used = sorted({c.source for c in typed.values() if c.source is not None})
    folded = "".join(f', {casts.cleaned(f"c{i}")} AS "v{i}"' for i in used)
    by_name = sorted(range(len(header)), key=lambda i: (normalise(header[i]), i))
    row_hash = "hash(" + ", ".join(f"coalesce(\"c{i}\", '')" for i in by_name) + ") AS row_hash"
    failing = [c for c in typed.values() if c.failure]
    cast = ", ".join(f'{c.typed} AS "{c.name}"' for c in typed.values())
    cast += "".join(f', {c.parsed} AS "parsed_{c.name}", {c.raw} IS NOT NULL AS "given_{c.name}"' for c in failing)
    flags = "".join(f', "given_{c.name}" AND "parsed_{c.name}" IS NULL AS "bad_{c.name}"' for c in failing)
    conditions = " OR ".join(f"coalesce({condition}, false)"
                             for condition, _, _, _ in _checks(spec, typed, text_rules)) or "false"
    names = ", ".join(f'{c.combined or f"{chr(34)}{c.name}{chr(34)}"} AS "{c.name}"' for c in typed.values())
    store.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE typed AS
        SELECT *, ({conditions}) AS row_rejected FROM (
            SELECT {names}{flags}, source_row, row_hash FROM (
                SELECT {cast}, source_row, row_hash FROM (SELECT *{folded}, {row_hash} FROM staging)))
    """)


def _value_rejections(store: Store, spec: TableSpec, typed: dict[str, TypedColumn],
                      text_rules: Sequence[str] = ()) -> tuple[list[Rejection], Counter, int]:
    """The first REJECTION_DETAILS rejected values of each rule (row, column, value, why), the exact
    count of each rule's, and the number of rejected rows."""
    checks = _checks(spec, typed, text_rules)
    if not checks:
        return [], Counter(), 0
    conditions = [f"coalesce({condition}, false)" for condition, _, _, _ in checks]
    counts = store.con.execute("SELECT count(*), " + ", ".join(f"count(*) FILTER (WHERE {c})" for c in conditions)
                               + " FROM typed WHERE row_rejected").fetchone()
    if not counts[0]:
        return [], Counter(), 0
    union = " UNION ALL ".join(
        f"(SELECT source_row, ? AS label, coalesce({raw}, ''), ? AS key FROM typed JOIN staging USING (source_row) "
        f"WHERE row_rejected AND {condition} ORDER BY source_row LIMIT {REJECTION_DETAILS})"
        for condition, (_, raw, _, _) in zip(conditions, checks, strict=True))
    params = [p for _, _, label, key in checks for p in (label, key)]
    rows = store.con.execute(union + " ORDER BY 1, 2", params).fetchall()
    details = [Rejection(int(row), label, value[:200].replace("\x00", "\u2400"), Problem(key, {"column": label}))
               for row, label, value, key in rows]
    reasons = Counter({_reason(Problem(key, {"column": label})): count
                       for (_, _, label, key), count in zip(checks, counts[1:], strict=True) if count})
    return details, reasons, int(counts[0])


def _reason(problem: Problem) -> tuple[str, tuple]:
    return problem.key, tuple(sorted(problem.params.items()))


def _capped(rejections: list[Rejection]) -> tuple[list[Rejection], Counter, int]:
    """Details of the first REJECTION_DETAILS rejections of each reason, exact counts, rejected rows."""
    reasons = Counter(_reason(r.problem) for r in rejections)
    seen: Counter = Counter()
    details = []
    for rejection in rejections:
        seen[_reason(rejection.problem)] += 1
        if seen[_reason(rejection.problem)] <= REJECTION_DETAILS:
            details.append(rejection)
    return details, reasons, len({r.row for r in rejections})
