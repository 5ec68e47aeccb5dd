"""Rep names: a user list (Salesforce User export, HubSpot owners export) that gives CRM ids names.

Activity and deal exports often carry the rep as an id (OwnerId / 所有者 ID: `005Ec000004oBPNIA2`).
A user list maps those ids to names; every screen and the Excel sheet show `rep_label(rep, names)`,
while filters and the data keep the id. The file is opened like any upload (phasekpi.sources: type,
encoding, dialect) and its columns are recognised by `users` in column_synonyms.yaml.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from phasekpi.mapping import Synonyms, default_synonyms, normalise
from phasekpi.problems import Problem
from phasekpi.sources import SourceFile, read_source

MAX_USERS = 20_000  # a longer "user list" is another export that happens to hold an id and a name
EAST_ASIAN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
SHOWN_SYNONYMS = 4  # header names quoted in the message for a missing column
# A Salesforce user id in its 18-character form; reports export the first 15 (Data Loader all 18).
SALESFORCE_USER_ID = re.compile(r"005[0-9A-Za-z]{15}")


@dataclass(frozen=True)
class UserList:
    """The names a user list gives, and what happened to its rows (rows = kept + skipped + duplicates)."""

    file: str
    names: dict[str, str]  # rep id → name
    id_column: str
    name_columns: tuple[str, ...]  # the whole-name column, or the first and last name columns
    rows: int
    skipped: int  # rows without an id or without a name
    duplicates: int  # rows whose id an earlier row had: the later name is kept


def rep_label(rep: str, names: Mapping[str, str]) -> str:
    """The rep as people know them: the user list's name, else the value the data holds. An
    18-character Salesforce id also finds a name given to its 15-character form."""
    short = rep[:15] if SALESFORCE_USER_ID.fullmatch(rep) else None
    return names.get(rep) or (short and names.get(short)) or rep


def with_short_ids(names: Mapping[str, str]) -> dict[str, str]:
    """The names, each 18-character Salesforce id's also under its 15-character form (the one reports
    export), unless the list names that form itself."""
    short = {rep[:15]: name for rep, name in names.items() if SALESFORCE_USER_ID.fullmatch(rep)}
    return {**short, **names}


def rep_choices(reps: list[str], names: Mapping[str, str]) -> dict[str, str]:
    """Name shown → rep, by name, for a choice among reps; a name two reps share carries the id, so
    that each stays choosable."""
    counts = Counter(rep_label(r, names) for r in reps)
    shown = {rep_label(r, names) if counts[rep_label(r, names)] == 1 else f"{rep_label(r, names)} ({r})": r
             for r in reps}
    return dict(sorted(shown.items()))


def read_user_list(path: Path, name: str, synonyms: Synonyms | None = None) -> tuple[UserList | None, Problem | None]:
    """The id → name pairs of a user list; a Problem names the file and what it lacks."""
    source, problem = read_source(path, name)
    if source is None:
        return None, problem
    try:
        return _parse(source, synonyms or default_synonyms())
    finally:
        source.discard()


def is_user_list(header: tuple[str, ...] | list[str], synonyms: Synonyms | None = None) -> bool:
    """Whether a header has a user list's id and name columns (the Data page then points to the reps page)."""
    columns = (synonyms or default_synonyms()).users
    header = list(header)
    named = any(_column(header, names) is not None for names in (columns.name, columns.first_name, columns.last_name))
    return _column(header, columns.id) is not None and named


def _parse(source: SourceFile, synonyms: Synonyms) -> tuple[UserList | None, Problem | None]:
    columns = synonyms.users
    header = list(source.header)
    id_at = _column(header, columns.id)
    if id_at is None:
        return None, Problem("user_list_no_id", {"file": source.name, "expected": _shown(columns.id)})
    whole, first, last = (_column(header, names) for names in (columns.name, columns.first_name, columns.last_name))
    if whole is None and first is None and last is None:
        expected = _shown(columns.name + columns.first_name + columns.last_name)
        return None, Problem("user_list_no_name", {"file": source.name, "expected": expected})
    names: dict[str, str] = {}
    rows = skipped = duplicates = 0
    for record in _records(source):
        rows += 1
        if rows > MAX_USERS:
            return None, Problem("user_list_too_long", {"file": source.name, "limit": f"{MAX_USERS:,}"})
        rep, label = _cell(record, id_at), _cell(record, whole) or _joined(_cell(record, first), _cell(record, last))
        if not rep or not label:
            skipped += 1
            continue
        duplicates += rep in names
        names[rep] = label
    used = tuple(header[i] for i in ((whole,) if whole is not None else (first, last)) if i is not None)
    return UserList(source.name, names, header[id_at], used, rows, skipped, duplicates), None


def _column(header: list[str], synonyms: list[str]) -> int | None:
    """The first header matching the earliest synonym (names compared normalised, as the mapping does)."""
    keys = [normalise(h) for h in header]
    return next((keys.index(normalise(s)) for s in synonyms if normalise(s) in keys), None)


def _shown(synonyms: list[str]) -> str:
    return ", ".join(synonyms[:SHOWN_SYNONYMS]) + " …"


def _records(source: SourceFile) -> Iterator[list[str]]:
    """The rows under the header; blank lines are no rows."""
    opener = gzip.open if source.compression == "gzip" else open
    with opener(source.path, "rt", encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream, delimiter=source.delimiter)
        next(reader, None)
        yield from (row for row in reader if any(cell.strip() for cell in row))


def _cell(record: list[str], index: int | None) -> str:
    return record[index].strip() if index is not None and index < len(record) else ""


def _joined(first: str, last: str) -> str:
    """First and last name as the team writes them: 姓 名 for Japanese names, First Last otherwise."""
    parts = [last, first] if EAST_ASIAN.search(first + last) else [first, last]
    return " ".join(p for p in parts if p)
