"""Uploads waiting for their column mapping to be confirmed, kept per session until loaded."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from phasekpi.history import HistoryBusy, Progress
from phasekpi.ingest import mapping_problem
from phasekpi.mapping import Mapping, default_profiles, mapping_for
from phasekpi.problems import FileReport, LoadReport, Problem
from phasekpi.sources import SourceFile, importable_files, read_source
from phasekpi.workbook import sheet_states
from ui import session


@dataclass
class PendingFile:
    name: str
    path: Path  # our copy of an upload (deleted once loaded or cancelled), or a file of the import folder
    source: SourceFile | None
    problem: Problem | None
    mapping: Mapping | None
    sheets: list[str]
    hidden_sheets: tuple[str, ...] = ()  # hidden in the workbook: often stale, read only when chosen


def inspect(path: Path, name: str, sheet: str | None = None) -> PendingFile:
    source, problem = read_source(path, name, sheet)
    if source is None:
        return PendingFile(name, path, None, problem, None, [])
    states = sheet_states(path) if source.encoding == "xlsx" else []
    sheets, hidden = [n for n, _ in states], tuple(n for n, state in states if state != "visible")
    mapping = mapping_for(source.header, default_profiles())
    if not mapping.columns:  # nothing in it we know: not an export of ours, so no mapping to confirm
        source.discard()
        return PendingFile(name, path, None, mapping_problem(source, mapping), None, sheets, hidden)
    return PendingFile(name, path, source, None, mapping, sheets, hidden)


def pending() -> list[PendingFile]:
    return session.kept("pending", [])


def generation() -> int:
    """Bumped on every new upload, so widgets of an earlier upload never leak into this one."""
    return session.kept("pending_generation", 0)


def analyse(progress: Progress | None = None) -> None:
    """After the form is sent: copy the uploads aside, recognise each file and propose its mapping,
    telling `progress` which file it is on."""
    tell = progress or (lambda step, params: None)
    uploads = session.kept_widget("uploads") or []
    session.keep("no_files", not uploads)
    if not uploads:
        return
    discard()
    folder = Path(tempfile.mkdtemp(prefix="phasekpi-upload-"))
    files = []
    for index, upload in enumerate(uploads):
        tell("check_file", {"index": index + 1, "count": len(uploads), "file": upload.name})
        path = folder / f"{index}{''.join(Path(upload.name).suffixes[-2:])}"
        path.write_bytes(upload.getvalue())
        files.append(inspect(path, upload.name))
    session.keep("pending", files)
    session.keep("pending_folder", folder)
    session.keep("pending_generation", generation() + 1)


def analyse_folder() -> None:
    """Button callback: recognise the files picked from the import folder; they are read where they
    are (never copied, never deleted), so their size is bounded by the disk, not by the upload limit."""
    chosen = set(session.kept_widget("import_files") or [])
    session.keep("no_files", not chosen)
    if not chosen:
        return
    discard()
    files = [inspect(path, path.name) for path in importable_files() if path.name in chosen]
    session.keep("pending", files)
    session.keep("pending_generation", generation() + 1)


def change_sheet(index: int, key: str) -> None:
    file = pending()[index]
    if file.source:
        file.source.discard()
    pending()[index] = inspect(file.path, file.name, session.widget(key))


def load(mappings: list[Mapping | None], progress: Progress | None = None) -> LoadReport:
    """Add the pending files under the confirmed mappings to the team's history (counted against
    what it holds now, whoever added that) and show the history; files that cannot load are only
    reported. While the history stays empty the session keeps what it showed."""
    refused, confirmed = [], []
    for file, mapping in zip(pending(), mappings, strict=True):
        if file.problem or file.source is None:
            refused.append(FileReport(file=file.name, error=file.problem))
        elif mapping is not None:
            confirmed.append((file.source, mapping))
        elif file.mapping is not None and file.mapping.refused_as:  # left unloaded: say why in the report
            refused.append(FileReport(file=file.name, error=mapping_problem(file.source, file.mapping)))
    try:
        team, added, manifest = session.history().add(session.new_store, confirmed, by=session.who(), progress=progress)
    except HistoryBusy:
        report = LoadReport([*refused, *(FileReport(file=s.name, error=Problem("history_busy", {"file": s.name}))
                                         for s, _ in confirmed)])
    else:
        profiles = default_profiles()
        for (source, mapping), file in zip(confirmed, added.files, strict=True):
            if file.error is None:
                profiles.save(source.header, mapping)
        report = LoadReport([*refused, *added.files])
        if manifest.active:
            session.use_history(team, report, manifest.version)
        else:
            team.con.close()
    session.keep("upload_report", report)
    discard()
    return report


def discard() -> None:
    for file in pending():
        if file.source:
            file.source.discard()
    folder = session.take("pending_folder")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
    session.keep("pending", [])
