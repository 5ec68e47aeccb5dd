"""What went wrong while loading, kept as message keys so every UI language can say it.

A LoadReport accounts for every row read: loaded as a new record, applied as a newer version of a
record already loaded (updated), a duplicate of a row already loaded, rejected (with file, row,
column, value and why), or a line of the report's footer.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from phasekpi.injection import inert


@dataclass(frozen=True)
class Problem:
    """Something wrong, as a message key (`problem.<key>` in phasekpi/locales) and its parameters."""

    key: str
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    row: int  # spreadsheet row: the header is row 1
    column: str  # the file's own column name
    value: str
    problem: Problem


@dataclass(frozen=True)
class RecordChange:
    """One record a later file updated: its id, the file it came from and what changed (field, old, new)."""

    record_id: str
    previous_file: str
    changes: tuple[tuple[str, object, object], ...]


@dataclass(frozen=True)
class TimeChoice:
    """Where the date field's day and time of day come from, and why (`reason`: time.reason.<key>).

    `day_column` is the mapped header; `time_column` the header whose date-time gives the hour
    (None: hours unknown, or the day column holds them itself); `candidate` the date-time header
    that was weighed, `agreement` the share of rows (0–1) on which its day equals the day column's,
    over `compared` rows where both have a date."""

    day_column: str
    time_column: str | None
    reason: str
    candidate: str | None = None
    agreement: float | None = None
    compared: int = 0


@dataclass
class FileReport:
    file: str
    kind: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0  # new records
    duplicates: int = 0  # rows equal to (or an older version of) a record already loaded, ids repeated in the file
    rejections: list[Rejection] = field(default_factory=list)
    error: Problem | None = None
    rows_updated: int = 0  # newer versions of records an earlier file loaded
    footer_lines: int = 0  # the report's footer (totals, Confidential Information …), not data
    older: int = 0  # of the duplicates: older versions of records loaded from another file, which was kept
    repeated_ids: int = 0  # of the duplicates: an id seen above it in the same file
    identical_rows: int = 0  # rows without an id equal in every column to another row of the file (all kept)
    already_loaded: str | None = None  # the file loaded earlier with exactly these rows
    updated_files: tuple[str, ...] = ()  # the files whose records this one updated
    newer_files: tuple[str, ...] = ()  # the files whose newer versions were kept over this one's rows
    updates: tuple[RecordChange, ...] = field(default=(), compare=False)  # a few examples
    time_choice: TimeChoice | None = field(default=None, compare=False)
    given: tuple[str, ...] = field(default=(), compare=False)  # fields with a value in some loaded row
    rejected: int = 0  # rejected rows, exactly (the details above are capped per reason)
    reasons: list[tuple[Problem, int]] = field(default_factory=list, compare=False)  # exact counts per reason
    reader: str = field(default="", compare=False)  # duckdb, or python when DuckDB refused the file (mixed line endings)
    workbook_reader: str = field(default="", compare=False)  # calamine or openpyxl for an xlsx sheet
    stages: tuple[tuple[str, float], ...] = field(default=(), compare=False)  # (stage, wall seconds) of the load
    fingerprint: str = field(default="", compare=False)  # kind, header and rows: the same file loaded again is known
    span: tuple[date | None, date | None] | None = field(default=None, compare=False)  # its good rows' first, last day

    @property
    def rows_rejected(self) -> int:
        return self.rejected or len({r.row for r in self.rejections})

    @property
    def balanced(self) -> bool:
        return self.rows_read == (self.rows_loaded + self.rows_updated + self.duplicates + self.rows_rejected
                                  + self.footer_lines)

    @property
    def changed_rows(self) -> int:
        return self.rows_loaded + self.rows_updated

    def reason_counts(self) -> list[tuple[Problem, int]]:
        """Rejections grouped by reason and column, most frequent first (exact, however many)."""
        if self.reasons:
            return self.reasons
        counts = Counter((r.problem.key, tuple(sorted(r.problem.params.items()))) for r in self.rejections)
        return [(Problem(key, dict(params)), count) for (key, params), count in counts.most_common()]


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.error is None for f in self.files)

    @property
    def rejections(self) -> int:
        return sum(f.rows_rejected for f in self.files)


def rejections_csv(report: LoadReport, describe: Callable[[Problem], str], headers: list[str]) -> bytes:
    """Every rejected cell as CSV (UTF-8 with BOM, so Excel opens Japanese text right); text from the
    file that Excel would run as a formula gets a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for file in report.files:
        for rejection in file.rejections:
            writer.writerow([inert(file.file), rejection.row, inert(rejection.column), inert(rejection.value),
                             inert(describe(rejection.problem))])  # a reason quotes the file's own header
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
