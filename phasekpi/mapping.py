"""From a file's own headers to the canonical data model, and the profiles that remember it.

`column_synonyms.yaml` says how CRMs name each canonical field; `propose_mapping` scores every
canonical table against a header and maps what it recognises: a header equal to a synonym (after
normalising width, case, spaces and brackets), or one whose name before a bracketed unit is a synonym
and whose unit `units` knows ("Call duration (HH:mm:ss)"). A header that is only close, or whose unit
is unknown, becomes a `Suggestion` for the user to confirm, never a mapping. A file that looks like an
export of another kind (accounts, campaigns …) is refused (`Mapping.refused_as`) unless the user picks
its kind. A confirmed mapping is saved as a profile keyed by the header's fingerprint and proposed
again when the same headers arrive.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from phasekpi import PROJECT_ROOT, yamltext
from phasekpi.schema import TABLES

SYNONYMS_PATH = PROJECT_ROOT / "column_synonyms.yaml"
# Where confirmed mappings are kept; PHASEKPI_PROFILES points elsewhere (tests, shared installs).
PROFILES_PATH = PROJECT_ROOT / "data" / "mapping_profiles.json"
IGNORED_CHARACTERS = re.compile(r"[\s_\-./:()\[\]{}（）［］【】「」・]+")
BRACKETED = re.compile(r"^(?P<name>.*?)\s*[(\[【](?P<unit>[^()\[\]【】]*)[)\]】]\s*$")  # after NFKC: （）→()
CLOSE_NAME = 0.85  # difflib ratio from which an unknown header is proposed for a field
CLOSE_NAME_HEADERS = 300  # fuzzy matching is quadratic: beyond this many headers only exact names count
OTHER_KIND_MIN = 2  # headers of another kind it takes to refuse a file
Constant = Literal["call", "email", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Values(Strict):
    channel: dict[Literal["call", "email"], list[str]]
    direction: dict[Literal["inbound", "outbound", "internal"], list[str]]
    opportunity_status: dict[Literal["won", "lost", "open"], list[str]]
    boolean: dict[Literal["true", "false"], list[str]]


class Unit(Strict):
    factor: float
    qualifiers: list[str]
    headers: list[str]


class Parsing(Strict):
    timezone: str
    zones: dict[str, str]  # abbreviation → fixed offset

    @model_validator(mode="after")
    def _offsets(self) -> Parsing:
        bad = [f"{name}: {offset}" for name, offset in self.zones.items() if not re.fullmatch(r"[+-]\d{2}:[0-5]\d", offset)]
        if bad:
            raise ValueError(f"zones need offsets like +09:00 ({', '.join(bad)})")
        return self


class ReportFooter(Strict):
    markers: list[str]
    totals: list[str]


OtherKind = Literal["accounts", "contacts", "campaigns", "campaign_members", "users", "products"]


class UserColumns(Strict):
    """The headers of a user list (phasekpi.repnames): the rep's id and its name, whole or in two parts."""

    id: list[str]
    name: list[str]
    first_name: list[str]
    last_name: list[str]


class Synonyms(Strict):
    tables: dict[Literal["activities", "leads", "opportunities"], dict[str, list[str]]]
    values: Values
    units: dict[str, dict[str, Unit]]  # canonical field → unit name → unit
    other_kinds: dict[OtherKind, list[str]]
    not_a_call_log: list[str]
    users: UserColumns
    report_footer: ReportFooter
    parsing: Parsing

    def word_map(self, vocabulary: str) -> dict[str, str]:
        """Raw value (trimmed, lower case) → canonical value."""
        table: dict[str, list[str]] = getattr(self.values, vocabulary)
        return {word.strip().lower(): value for value, words in table.items() for word in words}

    def unit_of(self, field_name: str, header: str) -> tuple[str, Unit] | None:
        """The unit a header names for a field: by a whole known header, else by its bracket."""
        units = self.units.get(field_name, {})
        whole = normalise(header)
        for name, unit in units.items():
            if whole in {normalise(h) for h in unit.headers}:
                return name, unit
        qualifier = split_unit(header)[1]
        if qualifier is None:
            return None
        for name, unit in units.items():
            if qualifier in {_unit_key(q) for q in unit.qualifiers}:
                return name, unit
        return None

    def factor(self, field_name: str, header: str) -> float:
        found = self.unit_of(field_name, header)
        return found[1].factor if found else 1.0


class SynonymsError(ValueError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{path.name}: {len(problems)} problem(s)\n" + "\n".join(f"- {p}" for p in problems))


def load_synonyms(path: Path = SYNONYMS_PATH) -> Synonyms:
    raw = yamltext.parse(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    try:
        synonyms = Synonyms.model_validate(raw)
    except ValidationError as exc:
        problems += [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        synonyms = None
    for table, fields in (raw.get("tables") or {}).items() if isinstance(raw, dict) else ():
        known = {c.name for c in TABLES[table].mappable} if table in TABLES else set()
        problems += [f"tables.{table}.{name}: not a canonical field of {table}" for name in fields if name not in known]
    numeric = {c.name for spec in TABLES.values() for c in spec.columns if c.sql_type.startswith(("DOUBLE", "DECIMAL"))}
    for name in (raw.get("units") or {}) if isinstance(raw, dict) else ():
        if name not in numeric:
            problems.append(f"units.{name}: not a numeric canonical field ({', '.join(sorted(numeric))})")
    if problems or synonyms is None:
        raise SynonymsError(path, problems)
    return synonyms


@lru_cache(maxsize=1)
def default_synonyms() -> Synonyms:
    return load_synonyms(SYNONYMS_PATH)


def normalise(name: str) -> str:
    """`Call Duration (in seconds)` → `calldurationinseconds`; full-width folded to ASCII."""
    return IGNORED_CHARACTERS.sub("", unicodedata.normalize("NFKC", name).lower())


def _unit_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def split_unit(header: str) -> tuple[str, str | None]:
    """`Call duration (HH:mm:ss)` → (`Call duration`, `hh:mm:ss`); a header without a bracket → (header, None)."""
    found = BRACKETED.match(unicodedata.normalize("NFKC", header).strip())
    if not found or not found["name"].strip():
        return header, None
    return found["name"], _unit_key(found["unit"])


@dataclass(frozen=True)
class Suggestion:
    """A header that may mean a field but is not mapped by itself: `reason` is a message key
    (mapping.suggestion.<reason>) with its parameters."""

    field: str
    header: str
    reason: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    """Which header feeds each canonical field of `kind`, and fixed values for unmapped ones.

    `time_from` names, for the table's date field, the header that gives the time of day when the
    mapped one holds dates only ("" = none: hours unknown; absent = choose from the data).
    `refused_as` is the other kind of export the file looks like: it loads only once the user picks a kind."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # canonical field → the file's header
    constants: dict[str, str] = field(default_factory=dict)  # canonical field → value for every row
    from_profile: bool = False
    time_from: dict[str, str] = field(default_factory=dict)
    suggestions: tuple[Suggestion, ...] = ()
    refused_as: str | None = None

    @property
    def missing(self) -> list[str]:
        return [c for c in TABLES[self.kind].required if c not in self.columns and c not in self.constants]

    def to_json(self) -> dict:
        return {"kind": self.kind, "columns": self.columns, "constants": self.constants, "time_from": self.time_from}


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
    refused_as = other_kind(header, best, synonyms)
    if not any(claims[column] < len(candidates) for column in best.columns.values()):
        # only headers every table has (Id, CreatedDate: a user list): not ours
        return Mapping(best.kind, refused_as=refused_as)
    proposed = _with_suggestions(_with_default_constants(best, header, synonyms), header, synonyms)
    return replace(proposed, refused_as=refused_as)


def map_as(kind: str, header: tuple[str, ...] | list[str], synonyms: Synonyms | None = None) -> Mapping:
    """The header mapped to one chosen table (when the user corrects the kind)."""
    synonyms = synonyms or default_synonyms()
    return _with_suggestions(_with_default_constants(_map_table(kind, header, synonyms), header, synonyms), header, synonyms)


GENERIC_FIELDS = ("rep", "team", "modified_at")  # with each table's id and date: fields every kind of export has


def other_kind(header: tuple[str, ...] | list[str], mapping: Mapping, synonyms: Synonyms | None = None) -> str | None:
    """The kind of non-table export (accounts, campaigns …) the header looks like, when it has at least
    OTHER_KIND_MIN of that kind's headers and more of them than fields only `mapping`'s table has."""
    synonyms = synonyms or default_synonyms()
    present = {normalise(h) for h in header}
    spec = TABLES[mapping.kind]
    generic = {spec.id_column, spec.date_column, *GENERIC_FIELDS}
    own = sum(1 for name in mapping.columns if name not in generic)
    counts = {kind: len(present & {normalise(h) for h in headers}) for kind, headers in synonyms.other_kinds.items()}
    kind, count = max(counts.items(), key=lambda item: item[1])
    return kind if count >= OTHER_KIND_MIN and count > own else None


def date_candidates(kind: str, header: tuple[str, ...] | list[str], synonyms: Synonyms | None = None) -> list[str]:
    """Every header that may give `kind`'s date field, in the synonyms' order of preference."""
    synonyms = synonyms or default_synonyms()
    field_name = TABLES[kind].date_column
    names = [normalise(n) for n in [field_name, *synonyms.tables.get(kind, {}).get(field_name, [])]]
    found = []
    for name in names:
        found += [h for h in header if normalise(h) == name and h not in found]
    return found


def _map_table(kind: str, header: tuple[str, ...] | list[str], synonyms: Synonyms) -> Mapping:
    """Exact names first (every field), then names before a bracketed unit the field knows."""
    by_name: dict[str, str] = {}
    by_base: dict[str, list[str]] = {}
    for column in header:
        by_name.setdefault(normalise(column), column)
        base, unit = split_unit(column)
        if unit is not None:
            by_base.setdefault(normalise(base), []).append(column)
    fields = synonyms.tables.get(kind, {})
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for canonical, names in fields.items():
        found = next((by_name[normalise(n)] for n in [canonical, *names]
                      if normalise(n) in by_name and by_name[normalise(n)] not in taken), None)
        if found:
            columns[canonical] = found
            taken.add(found)
    for canonical, names in fields.items():
        if canonical in columns:
            continue
        found = next((h for n in [canonical, *names] for h in by_base.get(normalise(n), [])
                      if h not in taken and synonyms.unit_of(canonical, h)), None)
        if found:
            columns[canonical] = found
            taken.add(found)
    return Mapping(kind, columns)


def _with_suggestions(mapping: Mapping, header: tuple[str, ...] | list[str], synonyms: Synonyms) -> Mapping:
    """Headers left unmapped that may mean an unmapped field: a known name with an unknown unit, or
    a name close to a synonym. Each is proposed once, for its closest field."""
    fields = synonyms.tables.get(mapping.kind, {})
    free = [h for h in header if h not in mapping.columns.values() and h.strip()][:CLOSE_NAME_HEADERS]
    open_fields = {name: [normalise(n) for n in [name, *words]] for name, words in fields.items()
                   if name not in mapping.columns}
    suggestions = []
    for column in free:
        base, unit = split_unit(column)
        by_unit = next((name for name, names in open_fields.items() if unit is not None and normalise(base) in names), None)
        if by_unit:
            suggestions.append(Suggestion(by_unit, column, "unknown_unit", {"unit": unit or ""}))
            continue
        key = normalise(column)
        scored = [(difflib.SequenceMatcher(None, key, n).ratio(), name, n) for name, names in open_fields.items()
                  for n in names if len(n) >= 4]
        score, name, synonym = max(scored, default=(0.0, "", ""))
        if score >= CLOSE_NAME and len(key) >= 4:
            suggestions.append(Suggestion(name, column, "similar_name", {"synonym": synonym}))
    return replace(mapping, suggestions=tuple(suggestions))


def _with_default_constants(mapping: Mapping, header: tuple[str, ...] | list[str], synonyms: Synonyms) -> Mapping:
    """A call log rarely says "call" on every row: without a channel column, rows are calls, unless
    the headers say the file lists events or to-dos (then they are "other")."""
    if mapping.kind == "activities" and "channel" not in mapping.columns:
        listed = {normalise(h) for h in synonyms.not_a_call_log}
        channel = "other" if any(normalise(h) in listed for h in header) else "call"
        return replace(mapping, constants={"channel": channel})
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
        time_from = {k: v for k, v in saved.get("time_from", {}).items() if v == "" or v in present}
        return Mapping(saved["kind"], columns, dict(saved.get("constants", {})), from_profile=True, time_from=time_from)

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
