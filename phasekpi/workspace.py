"""The workspace: what a manager set up, kept across sessions and restarts in one DuckDB file.

`data/workspace.duckdb` (or `$PHASEKPI_WORKSPACE`) holds targets, call-result word → level
choices, settings, company holidays, the checklist answers and override, and a dated history of
diagnoses. It is separate from each session's in-memory data store: uploaded CRM rows are never
written here. Mapping profiles stay in their own JSON file (`phasekpi.mapping.default_profiles`).

Tables: meta(key, value) with `schema_version`; targets(phase, kpi, value); outcome_mappings(word,
level); settings(name, value); holidays(day); answers(item, ticked); state(key, value) for the
override, whether the checklist was answered and the currency of amounts; history(recorded_at, phase,
outcome, ticked JSON, override, answered_by); rep_names(rep, name), the names a user list gives rep ids
(phasekpi.repnames), saved on their own when a list is uploaded, never by a configuration save.

Atomicity: a save replaces every table inside ONE transaction on its own short-lived connection
(`duckdb.connect(path)` … close). DuckDB writes the commit to its write-ahead log; a failure or a
crash before COMMIT leaves the previous complete state (the transaction is rolled back, or its
uncommitted log is discarded on the next open). After COMMIT a CHECKPOINT folds the log into the
file, so the file alone holds the saved state.

Locking: DuckDB locks the file per process. Every operation opens, works and closes, so the lock is
held for milliseconds. A lock held by another process (or a write conflict between two sessions)
is retried a few times with a growing pause; after that the workspace is read-only for the session
(defaults, nothing saved) and the status says why. A file that is not a DuckDB database is moved
aside to `<name>.broken-<timestamp>` (never deleted) and a fresh workspace started; a file written
by a newer version is opened read-only and left untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phasekpi import PROJECT_ROOT, yamltext
from phasekpi.catalogue import Catalogue, OutcomeLevel
from phasekpi.diagnosis import Diagnosis
from phasekpi.display import CURRENCIES, DEFAULT_CURRENCY
from phasekpi.messages import t

SCHEMA_VERSION = 1
YAML_VERSION = 1
WORKSPACE_PATH = PROJECT_ROOT / "data" / "workspace.duckdb"
RETRIES = 4
BACKOFF_SECONDS = 0.05  # doubled after each failed attempt: 0.05, 0.1, 0.2 s
TABLES = {
    "meta": "key VARCHAR PRIMARY KEY, value VARCHAR",
    "targets": "phase VARCHAR, kpi VARCHAR, value DOUBLE, PRIMARY KEY (phase, kpi)",
    "outcome_mappings": "word VARCHAR PRIMARY KEY, level VARCHAR NOT NULL",
    "settings": "name VARCHAR PRIMARY KEY, value DOUBLE",
    "holidays": "day DATE PRIMARY KEY",
    "answers": "item VARCHAR PRIMARY KEY, ticked BOOLEAN NOT NULL",
    "state": "key VARCHAR PRIMARY KEY, value VARCHAR",
    "history": "recorded_at TIMESTAMP NOT NULL, phase VARCHAR NOT NULL, outcome VARCHAR NOT NULL, "
               "ticked VARCHAR NOT NULL, override VARCHAR, answered_by VARCHAR",
    "rep_names": "rep VARCHAR PRIMARY KEY, name VARCHAR NOT NULL",
}
State = Literal["ok", "read_only", "recovered"]


def workspace_path() -> Path:
    return Path(os.environ.get("PHASEKPI_WORKSPACE") or WORKSPACE_PATH)


@dataclass
class Config:
    """Everything a manager sets up; what a session starts from and a YAML file carries."""

    targets: dict[str, dict[str, float | None]] = field(default_factory=dict)
    outcome_mappings: dict[str, str] = field(default_factory=dict)
    settings: dict[str, float | None] = field(default_factory=dict)
    holidays: list[date] = field(default_factory=list)
    answers: dict[str, bool] | None = None  # None: the checklist was never submitted
    override: str | None = None
    currency: str = DEFAULT_CURRENCY  # what the CRM's amounts are in (display.CURRENCIES); nothing is converted

    def session_values(self) -> dict[str, object]:
        """The configuration as a session keeps it, under its own keys (copies, free to edit)."""
        return {"settings": dict(self.settings), "targets": {p: dict(k) for p, k in self.targets.items()},
                "outcome_overrides": dict(self.outcome_mappings), "company_holidays": list(self.holidays),
                "override": self.override, "answers": None if self.answers is None else dict(self.answers),
                "currency": self.currency}

    @classmethod
    def from_session(cls, values: Mapping[str, Any]) -> Config:
        """What a session holds under the keys of `session_values`, as a configuration to save."""
        answers = values.get("answers")
        return cls(targets={p: dict(k) for p, k in values.get("targets", {}).items() if k},
                   outcome_mappings=dict(values.get("outcome_overrides", {})), settings=dict(values.get("settings", {})),
                   holidays=sorted(set(values.get("company_holidays", []))),
                   answers=None if answers is None else dict(answers), override=values.get("override"),
                   currency=values.get("currency", DEFAULT_CURRENCY))


@dataclass(frozen=True)
class HistoryEntry:
    recorded_at: datetime
    phase: str
    outcome: str
    ticked: dict[str, int]
    override: str | None = None
    answered_by: str | None = None  # the logged-in address whose answers these were; None without login

    @classmethod
    def of(cls, result: Diagnosis, override: str | None, at: datetime, by: str | None = None) -> HistoryEntry:
        """The record of a diagnosis made at `at` (to the second)."""
        return cls(at.replace(microsecond=0), result.phase, result.outcome, dict(result.ticked), override, by)


@dataclass(frozen=True)
class Status:
    """ok (saving), read_only (nothing is saved) or recovered (a broken file was moved aside)."""

    state: State
    reason: str  # new, loaded, locked, newer, corrupted, reset, save_failed
    params: dict[str, str] = field(default_factory=dict)

    @property
    def writable(self) -> bool:
        return self.state != "read_only"

    def text(self, lang: str) -> str:
        return t(f"workspace.status.{self.reason}", lang, **self.params)


class Locked(Exception):
    """The file stayed locked (or in conflict) through every retry."""


def _is_lock(error: Exception) -> bool:
    text = str(error)
    return isinstance(error, duckdb.TransactionException) or "Could not set lock" in text \
        or "different configuration" in text or "Conflict" in text


class Workspace:
    """One workspace file. Holds no connection: each operation opens its own and closes it."""

    def __init__(self, path: Path | None = None, retries: int = RETRIES, backoff: float = BACKOFF_SECONDS) -> None:
        self.path = Path(path) if path is not None else workspace_path()
        self.retries, self.backoff = retries, backoff
        self.status = Status("ok", "new", {"path": str(self.path)})

    # ---- connections
    def _connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        pause = self.backoff
        for attempt in range(self.retries):
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as error:
                if not _is_lock(error):
                    raise
                if attempt == self.retries - 1:
                    raise Locked(str(error)) from error
                time.sleep(pause)
                pause *= 2
        raise Locked(str(self.path))  # pragma: no cover - retries >= 1

    def _run(self, work: Callable[[duckdb.DuckDBPyConnection], Any], read_only: bool = False) -> Any:
        """Open, do `work(con)`, close; a write conflict between sessions is retried like a lock."""
        pause = self.backoff
        for attempt in range(self.retries):
            con = self._connect(read_only)
            try:
                return work(con)
            except duckdb.Error as error:
                if not _is_lock(error):
                    raise
                if attempt == self.retries - 1:
                    raise Locked(str(error)) from error
            finally:
                con.close()
            time.sleep(pause)
            pause *= 2
        raise Locked(str(self.path))  # pragma: no cover

    # ---- opening
    def open(self) -> Config:
        """The saved configuration (empty for a new workspace), never raising: a locked file gives
        defaults and read-only, a broken one is moved aside, a newer one is read but never written."""
        base = {"path": str(self.path)}
        if not self.path.exists():
            self.status = Status("ok", "new", base)
            return Config()
        try:
            version = self._run(_schema_version)
        except Locked as error:
            self.status = Status("read_only", "locked", {**base, "error": _short(error)})
            return Config()
        except duckdb.Error as error:
            moved = self._move_aside()
            self.status = Status("recovered", "corrupted", {**base, "moved": str(moved), "error": _short(error)})
            return Config()
        if version is not None and version > SCHEMA_VERSION:
            self.status = Status("read_only", "newer", {**base, "version": str(version), "supported": str(SCHEMA_VERSION)})
            try:
                return self._run(_read_config, read_only=True)
            except (duckdb.Error, Locked, ValueError, KeyError):
                return Config()
        try:
            config = self._run(_read_config) if version is not None else Config()
        except Locked as error:
            self.status = Status("read_only", "locked", {**base, "error": _short(error)})
            return Config()
        except (duckdb.Error, ValueError, KeyError) as error:
            moved = self._move_aside()
            self.status = Status("recovered", "corrupted", {**base, "moved": str(moved), "error": _short(error)})
            return Config()
        self.status = Status("ok", "loaded", base)
        return config

    def _move_aside(self) -> Path:
        """Rename the file (and its write-ahead log) to `<name>.broken-<timestamp>`; never delete."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        os.replace(self.path, target)
        wal = self.path.with_name(self.path.name + ".wal")
        if wal.exists():
            os.replace(wal, target.with_name(target.name + ".wal"))
        return target

    def reset(self) -> Path | None:
        """Start afresh: the current file is moved aside (kept), the next save creates a new one."""
        moved = self._move_aside() if self.path.exists() else None
        self.status = Status("ok", "reset", {"path": str(self.path), "moved": str(moved or "-")})
        return moved

    # ---- writing
    def save(self, config: Config, record: HistoryEntry | None = None, base: Config | None = None) -> bool:
        """Write the configuration (and add a history entry) in one transaction. With `base`, the
        configuration this session started from, only what it changed since is written over the
        file's current state, so two sessions changing different settings both keep their change.
        False when the workspace is read-only or stays locked; the status then says why."""
        if not self.status.writable:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._run(lambda con: _write(con, config, record, base))
        except (Locked, duckdb.Error) as error:
            self.status = Status("read_only", "save_failed", {"path": str(self.path), "error": _short(error)})
            return False
        return True

    def history(self) -> list[HistoryEntry]:
        if not self.path.exists() or self.status.reason in ("locked", "save_failed"):
            return []
        try:
            rows = self._run(lambda con: con.execute(
                f"SELECT recorded_at, phase, outcome, ticked, override, {_answered_by(con)} FROM history "
                "ORDER BY recorded_at").fetchall()
                if _has_table(con, "history") else [], read_only=self.status.reason == "newer")
        except (Locked, duckdb.Error):
            return []
        return [HistoryEntry(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]

    def rep_names(self) -> dict[str, str]:
        """Rep id → name from the uploaded user lists; empty for a new, locked or unreadable file."""
        if not self.path.exists() or self.status.reason in ("locked", "save_failed", "corrupted"):
            return {}
        try:
            return dict(self._run(lambda con: con.execute("SELECT rep, name FROM rep_names ORDER BY rep").fetchall()
                                  if _has_table(con, "rep_names") else [], read_only=self.status.reason == "newer"))
        except (Locked, duckdb.Error):
            return {}

    def save_rep_names(self, names: Mapping[str, str]) -> bool:
        """Add a user list's names, replacing the name of an id saved before (ids it lacks keep theirs);
        False when the workspace is read-only or stays locked."""
        if not self.status.writable:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._run(lambda con: _write_rep_names(con, names))
        except (Locked, duckdb.Error) as error:
            self.status = Status("read_only", "save_failed", {"path": str(self.path), "error": _short(error)})
            return False
        return True


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:300]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0])


def _schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The file's schema version; None for an empty database. Reading it proves the file is DuckDB."""
    if not _has_table(con, "meta"):
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def _read_config(con: duckdb.DuckDBPyConnection) -> Config:
    def rows(sql: str, table: str) -> list[tuple]:
        return con.execute(sql).fetchall() if _has_table(con, table) else []

    targets: dict[str, dict[str, float | None]] = {}
    for phase, kpi, value in rows("SELECT phase, kpi, value FROM targets ORDER BY phase, kpi", "targets"):
        targets.setdefault(phase, {})[kpi] = value
    state = dict(rows("SELECT key, value FROM state", "state"))
    answers = dict(rows("SELECT item, ticked FROM answers ORDER BY item", "answers"))
    return Config(
        targets=targets,
        outcome_mappings=dict(rows("SELECT word, level FROM outcome_mappings ORDER BY word", "outcome_mappings")),
        settings=dict(rows("SELECT name, value FROM settings ORDER BY name", "settings")),
        holidays=[r[0] for r in rows("SELECT day FROM holidays ORDER BY day", "holidays")],
        answers=answers if state.get("answered") == "true" else None,
        override=state.get("override"),
        currency=state.get("currency") if state.get("currency") in CURRENCIES else DEFAULT_CURRENCY,
    )


def _answered_by(con: duckdb.DuckDBPyConnection) -> str:
    """The column, or NULL in a file written before answers were recorded with their author."""
    found = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'history' "
                        "AND column_name = 'answered_by'").fetchone()[0]
    return "answered_by" if found else "NULL"


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name, columns in TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
    con.execute("ALTER TABLE history ADD COLUMN IF NOT EXISTS answered_by VARCHAR")  # files of the first layout
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Empty one table and write its rows (inside the caller's transaction)."""
    con.execute(f"DELETE FROM {table}")
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def merge(base: Config, mine: Config, theirs: Config) -> Config:
    """`theirs` (the file now) with what changed from `base` to `mine` (this session) laid over it,
    entry by entry: a target, a word, a setting, a holiday; answers and override as a whole."""

    def laid_over(before: dict, after: dict, current: dict) -> dict:
        result = {k: v for k, v in current.items() if not (k in before and k not in after)}
        result.update({k: v for k, v in after.items() if before.get(k, object()) != v})
        return result

    phases = set(base.targets) | set(mine.targets) | set(theirs.targets)
    targets = {p: laid_over(base.targets.get(p, {}), mine.targets.get(p, {}), theirs.targets.get(p, {})) for p in phases}
    holidays = (set(theirs.holidays) - (set(base.holidays) - set(mine.holidays))) | (set(mine.holidays) - set(base.holidays))
    return Config(
        targets={p: kpis for p, kpis in targets.items() if kpis},
        outcome_mappings=laid_over(base.outcome_mappings, mine.outcome_mappings, theirs.outcome_mappings),
        settings=laid_over(base.settings, mine.settings, theirs.settings),
        holidays=sorted(holidays),
        answers=mine.answers if mine.answers != base.answers else theirs.answers,
        override=mine.override if mine.override != base.override else theirs.override,
        currency=mine.currency if mine.currency != base.currency else theirs.currency,
    )


def _write(con: duckdb.DuckDBPyConnection, config: Config, record: HistoryEntry | None,
           base: Config | None = None) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        if base is not None:  # read and write in one transaction: no other save slips in between
            config = merge(base, config, _read_config(con))
        _create_tables(con)
        _replace(con, "targets", [(p, k, _number(v)) for p, kpis in config.targets.items() for k, v in kpis.items()])
        _replace(con, "outcome_mappings", list(config.outcome_mappings.items()))
        _replace(con, "settings", [(name, _number(v)) for name, v in config.settings.items()])
        _replace(con, "holidays", [(d,) for d in sorted(set(config.holidays))])
        _replace(con, "answers", [(item, bool(v)) for item, v in (config.answers or {}).items()])
        _replace(con, "state", [("answered", "true" if config.answers is not None else "false"),
                                ("override", config.override), ("currency", config.currency)])
        if record is not None:
            con.execute("INSERT INTO history (recorded_at, phase, outcome, ticked, override, answered_by) "
                        "VALUES (?, ?, ?, ?, ?, ?)", [record.recorded_at, record.phase, record.outcome,
                                                      json.dumps(record.ticked), record.override, record.answered_by])
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # DuckDB has already rolled back a failed COMMIT
            con.execute("ROLLBACK")
        raise
    with contextlib.suppress(duckdb.Error):  # another session's transaction is open: the log keeps the commit
        con.execute("CHECKPOINT")


def _write_rep_names(con: duckdb.DuckDBPyConnection, names: Mapping[str, str]) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        _create_tables(con)
        if names:
            con.executemany("INSERT OR REPLACE INTO rep_names VALUES (?, ?)", list(names.items()))
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    with contextlib.suppress(duckdb.Error):
        con.execute("CHECKPOINT")


def _number(value: object) -> float | None:
    return None if value is None else float(value)


# ---- the configuration as YAML

NonNegative = Annotated[float, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ChecklistFile(_Strict):
    answers: dict[str, bool] | None = None
    override: str | None = None


class WorkspaceFile(_Strict):
    """The YAML file: every key known, every value of its type."""

    version: Literal[1]
    targets: dict[str, dict[str, NonNegative | None]] = Field(default_factory=dict)
    outcome_mappings: dict[str, OutcomeLevel] = Field(default_factory=dict)
    settings: dict[str, NonNegative | None] = Field(default_factory=dict)
    holidays: list[Annotated[date, Field(strict=False)]] = Field(default_factory=list)
    checklist: ChecklistFile = Field(default_factory=ChecklistFile)
    currency: Literal[tuple(CURRENCIES)] = DEFAULT_CURRENCY  # type: ignore[valid-type]


class YamlImportError(ValueError):
    """Every problem found in an imported YAML file, one line per problem naming the field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)\n" + "\n".join(f"- {p}" for p in problems))


def export_yaml(config: Config) -> bytes:
    body = {
        "version": YAML_VERSION,
        "targets": config.targets,
        "outcome_mappings": config.outcome_mappings,
        "settings": config.settings,
        "holidays": sorted(set(config.holidays)),
        "checklist": {"answers": config.answers, "override": config.override},
        "currency": config.currency,
    }
    header = "# Phase KPI workspace settings (targets, call-result words, settings, holidays, checklist)\n"
    return (header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)).encode("utf-8")


def import_yaml(data: bytes, catalogue: Catalogue) -> Config:
    """The configuration in a YAML file; YamlImportError lists every problem (fields, unknown names)."""
    try:
        raw = yamltext.parse(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise YamlImportError([f"(file): not valid UTF-8 YAML ({_short(error)})"]) from error
    if not isinstance(raw, dict):
        raise YamlImportError(["(file): the file must be a mapping with version, targets, settings …"])
    problems: list[str] = []
    try:
        parsed = WorkspaceFile.model_validate(raw)
    except ValidationError as error:
        parsed = None
        problems += [_describe(e) for e in error.errors()]
    problems += list(_unknown_names(raw, catalogue))
    if problems or parsed is None:
        raise YamlImportError(problems)
    return Config(targets={p: dict(k) for p, k in parsed.targets.items()}, outcome_mappings=dict(parsed.outcome_mappings),
                  settings=dict(parsed.settings), holidays=sorted(set(parsed.holidays)),
                  answers=None if parsed.checklist.answers is None else dict(parsed.checklist.answers),
                  override=parsed.checklist.override, currency=parsed.currency)


def _describe(error: Mapping) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got is None or error["type"] == "extra_forbidden" else f" (got {got!r})"
    return f"{where}: {error['msg']}{shown}"


def _unknown_names(raw: dict, catalogue: Catalogue) -> list[str]:
    """Phases, KPI ids, settings and checklist items the catalogue does not know."""
    problems = []
    phases = catalogue.phase_ids
    targets = raw.get("targets") if isinstance(raw.get("targets"), dict) else {}
    for phase, kpis in targets.items():
        if phase not in phases:
            problems.append(f"targets.{phase}: unknown phase {phase!r} (known: {', '.join(phases)})")
        for kpi in kpis if isinstance(kpis, dict) else {}:
            if kpi not in catalogue.kpis:
                problems.append(f"targets.{phase}.{kpi}: unknown KPI {kpi!r}")
    settings = raw.get("settings") if isinstance(raw.get("settings"), dict) else {}
    problems += [f"settings.{name}: unknown setting {name!r} (known: {', '.join(catalogue.settings)})"
                 for name in settings if name not in catalogue.settings]
    checklist = raw.get("checklist") if isinstance(raw.get("checklist"), dict) else {}
    items = {i.id for i in catalogue.checklist.items}
    answers = checklist.get("answers") if isinstance(checklist.get("answers"), dict) else {}
    problems += [f"checklist.answers.{item}: unknown checklist item {item!r}" for item in answers if item not in items]
    override = checklist.get("override")
    if isinstance(override, str) and override not in phases:
        problems.append(f"checklist.override: unknown phase {override!r} (known: {', '.join(phases)})")
    return problems
