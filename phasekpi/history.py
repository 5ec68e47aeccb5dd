"""The team's history: every upload kept in the workspace folder as its own immutable batch.

Layout, in the folder `history/` beside the workspace file (`$PHASEKPI_WORKSPACE`):

- `batches/<upload id>.parquet`: the good rows of one uploaded file, typed, as they were before the
  identity rules placed them (Parquet: any warehouse engine or notebook reads it).
- `manifest.json`: `{"version": n, "uploads": [...]}`, every upload with its file name, kind, time,
  counts, mapping, date span and whether (and when) it was undone.
- `lock`: taken by writers only (an add, an undo, a clear), with `fcntl.flock`.

The history's data is the identity rules of phasekpi/identity.py replayed over the uploads not
undone, in the order they were added (phasekpi.ingest.apply_typed places every row as the first
load did). So an undo gives exactly the state as if that upload had never been added: its new rows
leave, the records it updated go back to their earlier versions, and rows of a later overlapping
export that it had absorbed as duplicates come back. Nothing is ever changed in place.

Safety: a batch file is written and synced under a temporary name and renamed before the manifest
that names it is replaced (write, sync, `os.replace`), so a reader (which never locks) sees the
manifest before or after an add, never between; a process killed mid-add leaves at most a batch
file that no manifest names, which the next writer removes. Writers queue on the lock, so two
sessions and a cron job can add at the same time; each add replays the latest manifest first, so
its counts are against what the others added.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb

from phasekpi.ingest import Keep, apply_typed, load_source
from phasekpi.mapping import Mapping, Synonyms
from phasekpi.problems import FileReport, LoadReport
from phasekpi.schema import TABLES, Store, TableSpec, refresh_activities
from phasekpi.sources import SourceFile

MANIFEST_VERSION = 1
LOCK_WAIT_SECONDS = 120  # a writer waits this long for another's add (a 1M-row file takes a few seconds)


Progress = Callable[[str, dict[str, object]], None]  # (step, its numbers): what a long step is doing now


@dataclass(frozen=True)
class Upload:
    """One uploaded file of the history, with what it did when it was added."""

    id: str
    file: str
    kind: str
    added_at: str  # ISO time, the server's clock
    rows_read: int
    new: int
    updated: int
    duplicates: int
    rejected: int
    footer: int
    first_day: str | None  # the span of its rows' dates (ISO days)
    last_day: str | None
    fingerprint: str
    given: tuple[str, ...]
    mapping: dict[str, str] = field(default_factory=dict)  # canonical field → the file's header
    added_by: str | None = None
    undone_at: str | None = None
    undone_by: str | None = None

    @property
    def active(self) -> bool:
        return self.undone_at is None

    @classmethod
    def from_json(cls, data: dict) -> Upload:
        return cls(**{**data, "given": tuple(data.get("given", ()))})


@dataclass(frozen=True)
class Manifest:
    version: int = 0
    uploads: tuple[Upload, ...] = ()

    @property
    def active(self) -> tuple[Upload, ...]:
        return tuple(u for u in self.uploads if u.active)

    def load_report(self) -> LoadReport:
        """The active uploads as a load report, with their counts as they were added."""
        return LoadReport([FileReport(file=u.file, kind=u.kind, rows_read=u.rows_read, rows_loaded=u.new,
                                      rows_updated=u.updated, duplicates=u.duplicates, rejected=u.rejected,
                                      footer_lines=u.footer, given=u.given) for u in self.active])

    @property
    def changed_at(self) -> datetime | None:
        """When the data last changed: the latest upload added or undone (the server's clock)."""
        times = [stamp for u in self.uploads for stamp in (u.added_at, u.undone_at) if stamp]
        return max(map(datetime.fromisoformat, times), default=None)

    @property
    def last_day(self) -> str | None:
        return max((u.last_day for u in self.active if u.last_day), default=None)


class HistoryBusy(RuntimeError):
    """Another writer held the lock longer than LOCK_WAIT_SECONDS."""


class UnknownUpload(KeyError):
    """No upload of the history has this id (or it was undone already)."""


def history_folder(workspace_file: Path) -> Path:
    return workspace_file.parent / "history"


class History:
    """The history in `folder` (created on first write)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.batches = folder / "batches"
        self.manifest_path = folder / "manifest.json"

    def manifest(self) -> Manifest:
        """The latest manifest (an empty one before the first add); readers never lock."""
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Manifest()
        return Manifest(int(data["version"]), tuple(Upload.from_json(u) for u in data["uploads"]))

    def stamp(self) -> int:
        """When the manifest was last written (0: never), to tell two manifests of one version apart."""
        try:
            return self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def replay(self, store: Store, manifest: Manifest | None = None) -> Manifest:
        """The history's rows into an empty store; returns the manifest replayed."""
        manifest = manifest or self.manifest()
        with store.lock:
            for upload in manifest.active:
                spec = TABLES[upload.kind]
                store.con.execute("CREATE OR REPLACE TEMP TABLE typed AS SELECT *, false AS row_rejected "
                                  "FROM read_parquet($path)", {"path": str(self._batch(upload.id))})
                try:
                    apply_typed(store, spec, upload.file, upload.fingerprint,
                                FileReport(file=upload.file, kind=upload.kind, given=upload.given), refresh=False)
                finally:
                    store.con.execute("DROP TABLE IF EXISTS typed")
            refresh_activities(store.con)
            store.changed()
        return manifest

    def open(self, new_store: Callable[[], Store], attempts: int = 3) -> tuple[Store, Manifest]:
        """A new store holding the history. A clear or an add by another process between reading
        the manifest and its batches (a batch gone) is met by starting again on the newer manifest."""
        for attempt in range(attempts):
            store = new_store()
            try:
                return store, self.replay(store)
            except duckdb.IOException:
                store.con.close()
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def add(self, new_store: Callable[[], Store], files: list[tuple[SourceFile, Mapping]],
            synonyms: Synonyms | None = None, by: str | None = None,
            progress: Progress | None = None) -> tuple[Store, LoadReport, Manifest]:
        """Add files to the history: under the lock, a new store holds the latest history, each file
        loads into it (the usual report, counted against the history) and its good rows become a
        batch; the manifest names the batches of the files that loaded. Returns the store (the
        history with the files in it), the load report and the new manifest. `progress` hears each
        step ("replay", then "load_file" per file) so a screen can say what is happening."""
        tell = progress or (lambda step, params: None)
        with self._writing():
            manifest = self.manifest()
            store = new_store()
            tell("replay", {"uploads": len(manifest.active)})
            self.replay(store, manifest)
            added, reports = [], []
            for index, (source, mapping) in enumerate(files, start=1):
                tell("load_file", {"index": index, "count": len(files), "file": source.name})
                upload_id = _new_id()
                report = load_source(store, source, mapping, synonyms, keep=self._keeper(upload_id))
                reports.append(report)
                if report.error is None and report.already_loaded is None:  # the same file again keeps nothing new
                    added.append(_upload(upload_id, report, mapping, by, self._batch(upload_id)))
            if added:
                manifest = self._write(Manifest(manifest.version + 1, (*manifest.uploads, *added)))
        return store, LoadReport(reports), manifest

    def undo(self, upload_id: str, by: str | None = None) -> Manifest:
        """Mark an upload undone (its batch stays, so the list can say what it was)."""
        with self._writing():
            manifest = self.manifest()
            if not any(u.id == upload_id and u.active for u in manifest.uploads):
                raise UnknownUpload(upload_id)
            now = datetime.now().isoformat(timespec="seconds")
            uploads = tuple(replace(u, undone_at=now, undone_by=by) if u.id == upload_id else u for u in manifest.uploads)
            return self._write(Manifest(manifest.version + 1, uploads))

    def clear(self) -> Manifest:
        """Delete every upload and its rows (the manifest first, so no reader sees a missing batch)."""
        with self._writing():
            manifest = self._write(Manifest(self.manifest().version + 1, ()))
            self._remove_orphans(manifest)
            return manifest

    def _batch(self, upload_id: str) -> Path:
        return self.batches / f"{upload_id}.parquet"

    def _keeper(self, upload_id: str) -> Keep:
        """Writes a loaded file's good typed rows to its batch file (synced, then renamed into place)."""
        def keep(store: Store, spec: TableSpec, report: FileReport) -> None:
            if report.already_loaded is not None:
                return
            columns = ", ".join(f'"{c.name}"' for c in spec.columns)
            partial = self.batches / f".{upload_id}.parquet.partial"
            store.con.execute(f"COPY (SELECT {columns}, source_row, row_hash FROM typed WHERE NOT row_rejected "
                              f"ORDER BY source_row) TO '{_quoted(partial)}' (FORMAT parquet)")
            _sync(partial)
            first, last = store.con.execute(f'SELECT min(CAST("{spec.date_column}" AS DATE)), '
                                            f'max(CAST("{spec.date_column}" AS DATE)) FROM typed '
                                            f"WHERE NOT row_rejected").fetchone()
            report.span = (first, last)
            os.replace(partial, self._batch(upload_id))
        return keep

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        self.batches.mkdir(parents=True, exist_ok=True)
        with (self.folder / "lock").open("a") as lock:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise HistoryBusy(str(self.folder)) from None
                    time.sleep(0.05)
            try:
                self._remove_orphans(self.manifest())
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, manifest: Manifest) -> Manifest:
        text = json.dumps({"format": MANIFEST_VERSION, "version": manifest.version,
                           "uploads": [asdict(u) for u in manifest.uploads]}, ensure_ascii=False, indent=1)
        partial = self.folder / ".manifest.json.partial"
        partial.write_text(text, encoding="utf-8")
        _sync(partial)
        os.replace(partial, self.manifest_path)
        _sync(self.folder)
        return manifest

    def _remove_orphans(self, manifest: Manifest) -> None:
        """Batch files no manifest names: left by a process killed mid-add, or by a clear."""
        named = {f"{u.id}.parquet" for u in manifest.uploads}
        for path in self.batches.glob("*.parquet*"):
            if path.name not in named:
                path.unlink(missing_ok=True)
        for path in self.batches.glob(".*.partial"):
            path.unlink(missing_ok=True)


def _upload(upload_id: str, report: FileReport, mapping: Mapping, by: str | None, batch: Path) -> Upload:
    first, last = report.span if report.span else (None, None)
    return Upload(id=upload_id, file=report.file, kind=str(report.kind), added_at=datetime.now().isoformat(timespec="seconds"),
                  rows_read=report.rows_read, new=report.rows_loaded, updated=report.rows_updated,
                  duplicates=report.duplicates, rejected=report.rows_rejected, footer=report.footer_lines,
                  first_day=first.isoformat() if first else None, last_day=last.isoformat() if last else None,
                  fingerprint=report.fingerprint, given=report.given, mapping=dict(mapping.columns), added_by=by)


def _new_id() -> str:
    """Sortable by time, unique across processes."""
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")  # our own path: COPY takes no bound parameter for it


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
