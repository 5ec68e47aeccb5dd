"""From a file's own headers to the canonical data model, and the profiles that remember it.

`column_synonyms.yaml` says how CRMs name each canonical field; `propose_mapping` scores every
canonical table against a header and maps what it recognises. A confirmed mapping is saved as a
profile keyed by the header's fingerprint and proposed again when the same headers arrive.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from phasekpi import PROJECT_ROOT
from phasekpi.schema import TABLES

SYNONYMS_PATH = PROJECT_ROOT / "column_synonyms.yaml"
# Where confirmed mappings are kept; PHASEKPI_PROFILES points elsewhere (tests, shared installs).
PROFILES_PATH = PROJECT_ROOT / "data" / "mapping_profiles.json"
IGNORED_CHARACTERS = re.compile(r"[\s_\-./:()\[\]{}（）［］【】「」・]+")
Constant = Literal["call", "email", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Values(Strict):
    channel: dict[Literal["call", "email"], list[str]]
    opportunity_status: dict[Literal["won", "lost", "open"], list[str]]
    boolean: dict[Literal["true", "false"], list[str]]


class Units(Strict):
    duration_minutes: list[str]
    duration_milliseconds: list[str]


class Parsing(Strict):
    timezone: str


class Synonyms(Strict):
    tables: dict[Literal["activities", "leads", "opportunities"], dict[str, list[str]]]
    values: Values
    units: Units
    parsing: Parsing

    def word_map(self, vocabulary: str) -> dict[str, str]:
        """Raw value (trimmed, lower case) → canonical value."""
        table: dict[str, list[str]] = getattr(self.values, vocabulary)
        return {word.strip().lower(): value for value, words in table.items() for word in words}


class SynonymsError(ValueError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{path.name}: {len(problems)} problem(s)\n" + "\n".join(f"- {p}" for p in problems))


def load_synonyms(path: Path = SYNONYMS_PATH) -> Synonyms:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    try:
        synonyms = Synonyms.model_validate(raw)
    except ValidationError as exc:
        problems += [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        synonyms = None
    for table, fields in (raw.get("tables") or {}).items() if isinstance(raw, dict) else ():
        known = {c.name for c in TABLES[table].columns} if table in TABLES else set()
        problems += [f"tables.{table}.{name}: not a canonical field of {table}" for name in fields if name not in known]
    if problems or synonyms is None:
        raise SynonymsError(path, problems)
    return synonyms


@lru_cache(maxsize=1)
def default_synonyms() -> Synonyms:
    return load_synonyms(SYNONYMS_PATH)


def normalise(name: str) -> str:
    """`Call Duration (in seconds)` → `calldurationinseconds`; full-width folded to ASCII."""
    return IGNORED_CHARACTERS.sub("", unicodedata.normalize("NFKC", name).lower())


@dataclass(frozen=True)
class Mapping:
    """Which header feeds each canonical field of `kind`, and fixed values for unmapped ones."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # canonical field → the file's header
    constants: dict[str, str] = field(default_factory=dict)  # canonical field → value for every row
    from_profile: bool = False

    @property
    def missing(self) -> list[str]:
        return [c for c in TABLES[self.kind].required if c not in self.columns and c not in self.constants]

    def to_json(self) -> dict:
        return {"kind": self.kind, "columns": self.columns, "constants": self.constants}


def propose_mapping(header: tuple[str, ...] | list[str], synonyms: Synonyms | None = None) -> Mapping:
    """The canonical table the header fits best, with every field we recognise mapped.

    Tables with all required fields come first; then the one whose recognised headers are most
    its own (a header every table knows, like `Id` or `Created Date`, weighs a third); then the
    one whose id column comes first in the file. A header whose recognised columns every table
    would claim alike is no export of ours (a user list: Id, CreatedDate): nothing is mapped."""
    synonyms = synonyms or default_synonyms()
    candidates = [_map_table(kind, header, synonyms) for kind in TABLES]
    claims: dict[str, int] = {}
    for candidate in candidates:
        for column in candidate.columns.values():
            claims[column] = claims.get(column, 0) + 1

    def fit(mapping: Mapping) -> tuple[bool, float, int]:
        own = sum(1 / claims[column] for column in mapping.columns.values())
        id_column = mapping.columns.get(TABLES[mapping.kind].id_column or "")
        return (not mapping.missing, round(own, 6), -list(header).index(id_column) if id_column else -len(header))

    best = max(candidates, key=fit)
    if not any(claims[column] < len(candidates) for column in best.columns.values()):
        return Mapping(best.kind)  # only headers every table has (Id, CreatedDate: a user list): not ours
    return _with_default_constants(best)


def map_as(kind: str, header: tuple[str, ...] | list[str], synonyms: Synonyms | None = None) -> Mapping:
    """The header mapped to one chosen table (when the user corrects the kind)."""
    return _with_default_constants(_map_table(kind, header, synonyms or default_synonyms()))


def _map_table(kind: str, header: tuple[str, ...] | list[str], synonyms: Synonyms) -> Mapping:
    by_name = {}
    for column in header:
        by_name.setdefault(normalise(column), column)
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for canonical, names in synonyms.tables.get(kind, {}).items():
        for name in [canonical, *names]:
            found = by_name.get(normalise(name))
            if found and found not in taken:
                columns[canonical] = found
                taken.add(found)
                break
    return Mapping(kind, columns)


def _with_default_constants(mapping: Mapping) -> Mapping:
    """A call log rarely says "call" on every row: without a channel column, rows are calls."""
    if mapping.kind == "activities" and "channel" not in mapping.columns:
        return Mapping(mapping.kind, mapping.columns, {"channel": "call"}, mapping.from_profile)
    return mapping


def fingerprint(header: tuple[str, ...] | list[str]) -> str:
    return hashlib.sha256("\x1f".join(normalise(h) for h in header).encode("utf-8")).hexdigest()[:16]


class ProfileStore:
    """Confirmed mappings in a JSON file, keyed by header fingerprint; written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def find(self, header: tuple[str, ...] | list[str]) -> Mapping | None:
        saved = self._read().get(fingerprint(header))
        if not saved or saved.get("kind") not in TABLES:
            return None
        present = set(header)
        columns = {k: v for k, v in saved.get("columns", {}).items() if v in present}
        return Mapping(saved["kind"], columns, dict(saved.get("constants", {})), from_profile=True)

    def save(self, header: tuple[str, ...] | list[str], mapping: Mapping) -> None:
        profiles = self._read()
        profiles[fingerprint(header)] = {**mapping.to_json(), "headers": list(header),
                                         "saved_at": datetime.now(UTC).isoformat(timespec="seconds")}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".profiles-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(profiles, out, ensure_ascii=False, indent=1)
        os.replace(temporary, self.path)


def default_profiles() -> ProfileStore:
    return ProfileStore(Path(os.environ.get("PHASEKPI_PROFILES", PROFILES_PATH)))


def mapping_for(header: tuple[str, ...] | list[str], profiles: ProfileStore | None) -> Mapping:
    """The saved profile for these headers, else our proposal."""
    saved = profiles.find(header) if profiles else None
    return saved or propose_mapping(header)
