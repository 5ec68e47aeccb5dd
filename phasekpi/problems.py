"""What went wrong while loading, kept as message keys so every UI language can say it.

A LoadReport accounts for every row read: loaded, rejected (with file, row, column, value and
why), or a duplicate of a row already loaded.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

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


@dataclass
class FileReport:
    file: str
    kind: str | None = None
    encoding: str | None = None
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

    def reason_counts(self) -> list[tuple[Problem, int]]:
        """Rejections grouped by reason and column, most frequent first."""
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
                             describe(rejection.problem)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
