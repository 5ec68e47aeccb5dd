"""Command line on the same core as the app.

    python -m phasekpi demo --out DIR --seed N
    python -m phasekpi add FILE... [--lang ja|en]          add exports to the team's history
    python -m phasekpi uploads [--json] [--lang ja|en]     list the history's uploads
    python -m phasekpi undo ID [--lang ja|en]              take one upload back out
    python -m phasekpi kpis [FILE...] [--phase auto|startup|growth|mature] [--json] [--lang ja|en] [--currency JPY|USD|EUR]
    python -m phasekpi report [FILE...] -o sheet.xlsx [--phase ...] [--lang ja|en] [--currency ...]

`kpis` and `report` work on the files given, or on the team's history (phasekpi/history.py, beside
the workspace file) when none is. With --phase auto there are no checklist answers, so the phase
is taken from the data's age (first to last date loaded) and the output says so. Amounts are
written in the workspace's currency (set on the settings screen; JPY until then) unless --currency
names another.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from phasekpi.access import ROLES, AccessList, access_path, entry_problem, read_access, write_access
from phasekpi.catalogue import default_catalogue
from phasekpi.diagnosis import Diagnosis, diagnose
from phasekpi.display import (
    CURRENCIES,
    finding_text,
    format_number,
    gap_text,
    gaps_text,
    kpi_value_text,
    report_notes,
    technical_text,
)
from phasekpi.health import health_findings
from phasekpi.history import History, UnknownUpload, history_folder
from phasekpi.ingest import load_files
from phasekpi.mapping import default_profiles, mapping_for
from phasekpi.messages import problem_text, t
from phasekpi.metrics import KpiResults, compute_grouped, compute_kpis, data_range, scorecard
from phasekpi.problems import FileReport, LoadReport
from phasekpi.schema import Store, open_store
from phasekpi.selection import Filters
from phasekpi.sources import read_source
from phasekpi.workspace import Workspace, workspace_path


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="phasekpi", description="Phase-based inside-sales KPIs")
    commands = parser.add_subparsers(required=True)
    demo = commands.add_parser("demo", help="write the demo dataset")
    demo.add_argument("--out", type=Path, required=True)
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(run=_demo)
    for name, run in (("kpis", _kpis), ("report", _report)):
        command = commands.add_parser(name)
        command.add_argument("files", nargs="*", type=Path)
        command.add_argument("--phase", default="auto", choices=["auto", *default_catalogue().phase_ids])
        command.add_argument("--lang", default="ja", choices=["ja", "en"])
        command.add_argument("--currency", choices=list(CURRENCIES), help="default: the workspace's currency")
        command.set_defaults(run=run)
    for name, run in (("add", _add), ("uploads", _uploads), ("undo", _undo)):
        command = commands.add_parser(name)
        command.add_argument("--lang", default="ja", choices=["ja", "en"])
        command.set_defaults(run=run)
    commands.choices["add"].add_argument("files", nargs="+", type=Path)
    commands.choices["uploads"].add_argument("--json", action="store_true")
    commands.choices["undo"].add_argument("id")
    commands.choices["kpis"].add_argument("--json", action="store_true")
    commands.choices["report"].add_argument("-o", "--output", type=Path, required=True)
    commands.choices["report"].add_argument("--organisation", default="")
    access = commands.add_parser("access", help="who may open the app when login is configured")
    access.add_argument("entry", nargs="?", help="an address or @domain; none: list the access list")
    access.add_argument("role", nargs="?", choices=[*ROLES, "none"], help="none: remove the entry")
    access.set_defaults(run=_access)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from phasekpi.demo import generate

    for path in generate(args.seed).write(args.out):
        print(path)
    return 0


def _access(args: argparse.Namespace) -> int:
    """List the access list, or give an entry a role (`none` removes it): how the first owner gets in."""
    path = access_path(workspace_path())
    current = read_access(path)
    if args.entry is not None:
        if args.role is None or (args.role != "none" and entry_problem(args.entry) is not None):
            print(f"{args.entry}: give an address or @domain and a role ({', '.join(ROLES)} or none)", file=sys.stderr)
            return 2
        entries = {k: v for k, v in current.entries.items() if k != args.entry.strip().lower()}
        if args.role != "none":
            entries[args.entry.strip().lower()] = args.role
        current = AccessList(entries)
        write_access(path, current)
    for entry, role in sorted(current.entries.items(), key=lambda item: (ROLES.index(item[1]), item[0]), reverse=True):
        print(f"{role}\t{entry}")
    return 0


def _history() -> History:
    return History(history_folder(workspace_path()))


def _add(args: argparse.Namespace) -> int:
    """Add files to the history; exit 1 when no row was new or updated."""
    catalogue, profiles, items, reports = default_catalogue(), default_profiles(), [], []
    for path in args.files:
        source, problem = read_source(path, path.name)
        if problem:
            reports.append(FileReport(file=path.name, error=problem))
        else:
            items.append((source, mapping_for(source.header, profiles)))
    try:
        store, added, manifest = _history().add(lambda: open_store(catalogue), items)
    finally:
        for source, _ in items:
            source.discard()
    store.con.close()
    _print_load_report(LoadReport(reports + added.files), args.lang)
    changed = sum(f.changed_rows for f in added.files)
    print(t("cli.added", args.lang, changed=changed, uploads=len(manifest.active)), file=sys.stderr)
    return 0 if changed else 1


def _uploads(args: argparse.Namespace) -> int:
    uploads = _history().manifest().uploads
    if args.json:
        print(json.dumps([asdict(u) | {"active": u.active} for u in uploads], ensure_ascii=False, indent=2))
        return 0
    header = [t(f"cli.upload.{c}", args.lang) for c in ("id", "file", "added", "new", "updated", "duplicates",
                                                        "rejected", "span", "state")]
    _print_table(header, [[u.id, u.file, u.added_at.replace("T", " "), f"{u.new:,}", f"{u.updated:,}",
                           f"{u.duplicates:,}", f"{u.rejected:,}", f"{u.first_day or '—'} – {u.last_day or '—'}",
                           t("cli.upload.active" if u.active else "cli.upload.undone", args.lang)] for u in uploads])
    return 0


def _undo(args: argparse.Namespace) -> int:
    try:
        manifest = _history().undo(args.id)
    except UnknownUpload:
        print(t("cli.undo_unknown", args.lang, id=args.id), file=sys.stderr)
        return 1
    print(t("cli.undone", args.lang, id=args.id, uploads=len(manifest.active)))
    return 0


def _load(args: argparse.Namespace) -> tuple[Store, LoadReport, KpiResults | None, Diagnosis | None]:
    catalogue = default_catalogue()
    if args.files:
        store = open_store(catalogue)
        report = load_files(store, [(path, path.name) for path in args.files], default_profiles())
    else:  # the team's history: its files were reported when they were added
        store, _ = _history().open(lambda: open_store(catalogue))
        report = LoadReport([])
    _print_load_report(report, args.lang)
    results = compute_kpis(store, catalogue, Filters())
    args.health = health_findings(store, catalogue, results)
    for finding in args.health:
        what, todo = finding_text(finding, catalogue, args.lang)
        print(f"! {what} {todo}", file=sys.stderr)
    override = None if args.phase == "auto" else args.phase
    return store, report, results, diagnose(catalogue, None, override, data_range(store))


def _print_load_report(report: LoadReport, lang: str) -> None:
    """What happened to every file and row, on stderr so --json output stays clean."""
    for file in report.files:
        if file.error:
            print(f"{file.file}: {problem_text(file.error, lang)}", file=sys.stderr)
            continue
        print(t("cli.file_line", lang, file=file.file, kind=t(f"table.{file.kind}", lang), encoding=file.encoding,
                read=file.rows_read, loaded=file.rows_loaded, updated=file.rows_updated, rejected=file.rows_rejected,
                duplicates=file.duplicates, footer=file.footer_lines), file=sys.stderr)
        for problem, count in file.reason_counts():
            print(f"  {count:>7,}  {problem_text(problem, lang)}", file=sys.stderr)
        for note in report_notes(file, lang):
            print(f"  - {note}", file=sys.stderr)
        if file.reader == "python":  # the slow fallback reader must never run unseen
            print(f"  - {technical_text(file, lang)}", file=sys.stderr)


def _kpis(args: argparse.Namespace) -> int:
    catalogue, lang, currency = default_catalogue(), args.lang, _currency(args)
    _, _, results, diagnosis = _load(args)
    if results is None or diagnosis is None:
        print(t("cli.no_data", lang), file=sys.stderr)
        return 1
    rows = scorecard(catalogue, diagnosis.phase, results)
    if args.json:
        print(json.dumps({
            "phase": diagnosis.phase, "phase_source": diagnosis.outcome, "evidence": diagnosis.evidence,
            "period": {"start": str(results.period.start), "end": str(results.period.end)},
            "kpis": [{"id": r.kpi_id, "actual": r.actual, "target": r.target, "achievement": r.achievement,
                      "status": r.status, "unavailable": [gap_text(g, lang) for g in r.gaps] or None}
                     for r in rows],
        }, ensure_ascii=False, indent=2))
        return 0
    phase = catalogue.phase(diagnosis.phase).label(lang)
    if diagnosis.outcome == "from_data":
        print(t("cli.phase_from_data", lang, months=diagnosis.evidence["months_since_first_activity"], phase=phase))
    else:
        print(t("cli.phase_given", lang, phase=phase))
    period = results.period
    print(t("cli.period", lang, start=period.start, end=period.end, days=period.days, reps=period.active_reps))
    header = [t(f"cli.col.{c}", lang) for c in ("kpi", "actual", "target", "achievement")]
    table = [[catalogue.kpis[r.kpi_id].label(lang),
              t("card.unavailable_value", lang) if r.gaps
              else kpi_value_text(catalogue, r.kpi_id, r.actual, lang, currency=currency),
              kpi_value_text(catalogue, r.kpi_id, r.target, lang, currency=currency),
              t("status.implausible", lang) if r.status == "implausible"
              else format_number(r.achievement, "percent", lang)] for r in rows]
    _print_table(header, table)
    for row in rows:
        if row.gaps:
            print(f"- {catalogue.kpis[row.kpi_id].label(lang)}: {gaps_text(row.gaps, lang)}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from phasekpi.export import KpiSheet, write_workbook

    store, report, results, diagnosis = _load(args)
    if results is None or diagnosis is None:
        print(t("cli.no_data", args.lang), file=sys.stderr)
        return 1
    catalogue = default_catalogue()
    sheet = KpiSheet(catalogue=catalogue, results=results, diagnosis=diagnosis, answers={},
                     lang=args.lang, organisation=args.organisation, load_report=report,
                     by_rep=compute_grouped(store, catalogue, Filters(), "rep"), health=args.health,
                     rep_names=Workspace().rep_names(),  # the names the team's user lists gave
                     currency=_currency(args))
    with args.output.open("wb") as stream:
        write_workbook(stream, sheet)
    print(t("cli.written", args.lang, path=args.output))
    return 0


def _currency(args: argparse.Namespace) -> str:
    """The currency asked for, else the workspace's (what the settings screen chose)."""
    return args.currency or Workspace().open().currency


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    """Columns padded by display width (a Japanese character takes two cells)."""
    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)).rstrip())
