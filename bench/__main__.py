"""Scale benchmark of ingest, KPIs and export: `python -m bench [--sizes 10k,100k,1m]`.

Each measurement runs in a fresh `python -m bench.measure` process, so its peak RSS is its
own; a failing measurement shows its error in the table and the run goes on. Prints a
Markdown report and writes it to bench/results.md. Data is generated once into bench/.data/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from bench.measure import MARKER, MEASUREMENTS, RAW_SETTINGS
from bench.scale import dataset

ROOT = Path(__file__).resolve().parent.parent
GOAL_SIZE = "1m"
BIG_SIZE = "10m"  # "degrade gracefully": completes within 4 GB
SECONDS_ROWS = (  # (label, measurement, step)
    ("raw count(*), 3 files", "raw_count", "raw_count"),
    ("raw materialise (CTAS), 3 files", "raw_ctas", "raw_ctas"),
    ("raw materialise, activities", "raw_ctas", "raw_ctas_activities"),
    ("ingest UTF-8, 3 files (load_files)", "ingest_utf8", "ingest_utf8"),
    ("ingest UTF-8, activities", "ingest_act", "ingest_act"),
    ("ingest CP932, activities", "ingest_cp932", "ingest_cp932"),
    ("pandas read_csv, 3 files", "pandas", "pandas_read"),
    ("pandas KPIs (13, in memory)", "pandas", "pandas_kpis"),
    ("compute_kpis cold", "kpis", "kpis_cold"),
    ("compute_kpis warm", "kpis", "kpis_warm"),
    ("compute_kpis rep filter", "kpis", "kpis_rep"),
    ("compute_kpis date filter (June)", "kpis", "kpis_dates"),
    ("dashboard, 3 phases (cards, funnel, bottleneck, what-if)", "kpis", "dashboard"),
    ("dashboard after a rep filter change", "kpis", "dashboard_rep"),
    ("every page's numbers, 3 phases", "kpis", "every_page"),
    ("every page's numbers after a rep filter change", "kpis", "every_page_rep"),
    ("Excel export (write_workbook)", "kpis", "export"),
)
RATIO_ROWS = (  # (label, (measurement, step) numerator, denominator)
    ("ingest UTF-8 ÷ raw materialise", ("ingest_utf8", "ingest_utf8"), ("raw_ctas", "raw_ctas")),
    ("ingest CP932 ÷ raw materialise (activities)", ("ingest_cp932", "ingest_cp932"), ("raw_ctas", "raw_ctas_activities")),
    ("ingest CP932 ÷ ingest UTF-8 (activities)", ("ingest_cp932", "ingest_cp932"), ("ingest_act", "ingest_act")),
    ("pandas KPIs ÷ compute_kpis cold", ("pandas", "pandas_kpis"), ("kpis", "kpis_cold")),
    ("pandas KPIs ÷ compute_kpis warm", ("pandas", "pandas_kpis"), ("kpis", "kpis_warm")),
)
RSS_ROWS = (
    ("raw count(*)", "raw_count"), ("raw materialise", "raw_ctas"), ("ingest UTF-8, 3 files", "ingest_utf8"),
    ("ingest UTF-8, activities", "ingest_act"), ("ingest CP932, activities", "ingest_cp932"),
    ("pandas read + KPIs", "pandas"), ("ingest + compute_kpis ×4 + export", "kpis"),
)
OUR_MEASUREMENTS = ("ingest_utf8", "ingest_act", "ingest_cp932", "kpis")


@dataclass
class Report:
    sizes: list[str]
    runs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def step(self, size: str, measurement: str, step: str) -> float | None:
        return self.runs.get((size, measurement), {}).get("steps", {}).get(step)

    def cell(self, size: str, measurement: str, step: str) -> str:
        value = self.step(size, measurement, step)
        if value is not None:
            return f"{value:.3f}" + self.warn_mark(size, measurement, step)
        run = self.runs.get((size, measurement))
        if run is None:
            return "—"
        errors = run.get("errors", {})
        if step in errors:
            return self.note(f"{size} {measurement}/{step}: {errors[step]}", "ERR")
        first = next(iter(errors.items()), None)  # an earlier step or the whole process failed
        return self.note(f"{size} {measurement}/{first[0]}: {first[1]}", "ERR") if first else "not measured"

    def warn_mark(self, size: str, measurement: str, step: str) -> str:
        warnings = [w for w in self.runs[(size, measurement)].get("warnings", []) if w.startswith(step + ":")]
        return "".join(self.note(f"{size} {w}", " ⚠") for w in warnings)

    def note(self, text: str, mark: str) -> str:
        if text not in self.notes:
            self.notes.append(text)
        return f"{mark}[{self.notes.index(text) + 1}]"

    def ratio(self, size: str, numerator: tuple[str, str], denominator: tuple[str, str]) -> float | None:
        top, bottom = self.step(size, *numerator), self.step(size, *denominator)
        return top / bottom if top is not None and bottom else None

    def rss(self, size: str, measurement: str) -> float | None:
        return self.runs.get((size, measurement), {}).get("rss_mb")


def run_measurement(name: str, size: str, timeout: float) -> dict[str, Any]:
    """One measurement in its own process; a crash, kill or timeout becomes an error entry."""
    began = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "bench.measure", name, size], cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"steps": {}, "errors": {name: f"timeout after {timeout:.0f} s"}}
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            result = json.loads(line[len(MARKER):])
            result["wall_s"] = time.perf_counter() - began
            return result
    tail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}, no output"])[-1]
    return {"steps": {}, "errors": {name: f"process died (exit {done.returncode}): {tail[:300]}"}}


def merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Repeats of one measurement: the fastest time of each step, the largest peak RSS, every error."""
    merged = dict(results[0], steps={}, errors={}, warnings=[], runs=len(results))
    for result in results:
        for step, seconds in result.get("steps", {}).items():
            merged["steps"][step] = min(seconds, merged["steps"].get(step, seconds))
        merged["errors"] |= {k: v for k, v in result.get("errors", {}).items() if k not in merged["steps"]}
        merged["warnings"] += [w for w in result.get("warnings", []) if w not in merged["warnings"]]
    rss = [r["rss_mb"] for r in results if r.get("rss_mb") is not None]
    merged["rss_mb"] = max(rss) if rss else None
    return merged


def fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def end_to_end(report: Report, size: str) -> float | None:
    parts = [report.step(size, m, step) for m, step in (("pandas", "pandas_read"), ("pandas", "pandas_kpis"),
                                                         ("ingest_utf8", "ingest_utf8"), ("kpis", "kpis_cold"))]
    if None in parts:
        return None
    return (parts[0] + parts[1]) / (parts[2] + parts[3])


def pandas_path_ratio(report: Report, size: str) -> float | None:
    """The analyst's weekly path (read the exports, group by) against ours once the data is loaded."""
    parts = [report.step(size, "pandas", "pandas_read"), report.step(size, "pandas", "pandas_kpis"),
             report.step(size, "kpis", "kpis_warm")]
    return None if None in parts or not parts[2] else (parts[0] + parts[1]) / parts[2]


def totals_check(report: Report, size: str) -> str:
    ours = report.runs.get((size, "kpis"), {}).get("info", {}).get("totals")
    theirs = report.runs.get((size, "pandas"), {}).get("info", {}).get("totals")
    if not ours or not theirs:
        return "—"
    differing = [k for k in ours if k in theirs and (ours[k] or 0) != theirs[k]]
    if not differing:
        return f"yes ({len(ours)} totals)"
    details = ", ".join(f"{k}: ours {ours[k]} pandas {theirs[k]}" for k in differing)
    return report.note(f"{size} totals differ: {details}", "NO")


def goals(report: Report) -> list[str]:
    size = GOAL_SIZE
    if not any(s == size for s in report.sizes):
        return [f"Goals are checked at {size}, which was not run."]
    filter_times = [report.step(size, "kpis", s) for s in ("kpis_rep", "kpis_dates", "dashboard_rep")]
    our_rss = [r for r in (report.rss(size, m) for m in OUR_MEASUREMENTS) if r is not None]
    checks = [  # (goal, measured, passes)
        ("ingest UTF-8 ≤ 1.5 × raw materialise", report.ratio(size, ("ingest_utf8", "ingest_utf8"), ("raw_ctas", "raw_ctas")),
         lambda v: v <= 1.5, "×"),
        ("ingest CP932 ≤ 2.5 × raw materialise (activities)",
         report.ratio(size, ("ingest_cp932", "ingest_cp932"), ("raw_ctas", "raw_ctas_activities")), lambda v: v <= 2.5, "×"),
        ("every dashboard number ≤ 0.5 s (3 phases: cards, funnel, bottleneck, what-if; no cache)",
         report.step(size, "kpis", "dashboard"), lambda v: v <= 0.5, " s"),
        ("filter rerun ≤ 0.3 s (slowest of dashboard after rep filter, compute_kpis rep / date filter)",
         None if None in filter_times else max(filter_times), lambda v: v <= 0.3, " s"),
        ("≥ 10 × faster than the pandas path (pandas read_csv + KPIs ÷ compute_kpis warm)",
         pandas_path_ratio(report, size), lambda v: v >= 10, "×"),
        ("peak RSS ≤ 1 GB (largest of our measurements)", max(our_rss) if len(our_rss) == len(OUR_MEASUREMENTS) else None,
         lambda v: v <= 1024, " MB"),
    ]
    rows = [[goal, fmt(value, 2, unit), "not measured" if value is None else "PASS" if passes(value) else "MISS"]
            for goal, value, passes, unit in checks]
    lines = table([f"goal at {size}", "measured", "result"], rows)
    if BIG_SIZE in report.sizes:
        big_rss = [r for r in (report.rss(BIG_SIZE, m) for m in OUR_MEASUREMENTS) if r is not None]
        failed = [m for m in OUR_MEASUREMENTS if report.runs.get((BIG_SIZE, m), {}).get("errors")]
        lines += ["", *table([f"goal at {BIG_SIZE}", "measured", "result"], [
            ["every measurement completes", "errors in " + ", ".join(failed) if failed else "all completed",
             "MISS" if failed else "PASS"],
            ["peak RSS ≤ 4 GB (largest of our measurements)", fmt(max(big_rss), 2, " MB") if big_rss else "—",
             "PASS" if big_rss and max(big_rss) <= 4096 else "MISS"]])]
    return lines


def code_version() -> str:
    """A short hash of phasekpi/*.py and kpi_defs.yaml: which code was measured (others edit it concurrently)."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("phasekpi/*.py"), ROOT / "kpi_defs.yaml"]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    memory = next((int(line.split()[1]) / 1024 ** 2 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0.0)
    try:
        import pandas
        pandas_version = pandas.__version__
    except ImportError:
        pandas_version = "not installed"
    return [f"- CPU: {cpu}; nproc {len(os.sched_getaffinity(0))}; memory {memory:.1f} GiB",
            f"- Python {platform.python_version()}, duckdb {duckdb.__version__}, pandas {pandas_version}, {platform.platform()}",
            f"- raw DuckDB connection: threads={RAW_SETTINGS['threads']}, memory_limit={RAW_SETTINGS['memory_limit']} "
            "(as `open_store`)"]


def render(report: Report, command: str, started: datetime, elapsed: float, code: str, load: str, repeat: int) -> str:
    sizes = report.sizes
    data_rows = []
    for label in ("activities", "leads", "opportunities", "reps"):
        data_rows.append([label] + [f"{dataset(s).counts[label]:,}" for s in sizes])
    data_rows.append(["CSV MB, 3 files (UTF-8)"] + [
        f"{sum(dataset(s).megabytes(n) for n in ('activities', 'leads', 'opportunities')):.1f}" for s in sizes])
    data_rows.append(["CP932 activities MB"] + [f"{dataset(s).cp932.stat().st_size / 1e6:.1f}" for s in sizes])
    seconds = [[label] + [report.cell(s, m, step) for s in sizes] for label, m, step in SECONDS_ROWS]
    ratios = [[label] + [fmt(report.ratio(s, top, bottom), 2, "×") for s in sizes] for label, top, bottom in RATIO_ROWS]
    ratios.append(["pandas read + KPIs ÷ compute_kpis warm (the weekly view)"] + [fmt(pandas_path_ratio(report, s), 2, "×")
                                                                                for s in sizes])
    ratios.append(["pandas read + KPIs ÷ ingest UTF-8 + compute_kpis cold"] + [fmt(end_to_end(report, s), 2, "×") for s in sizes])
    ratios.append(["pandas totals = compute_kpis totals"] + [totals_check(report, s) for s in sizes])
    rss = [[label] + [fmt(report.rss(s, m), 0) for s in sizes] for label, m in RSS_ROWS]
    for (size, _), run in report.runs.items():  # warnings of steps without a cell of their own (setup_ingest)
        for warning in run.get("warnings", []):
            report.note(f"{size} {warning}", "")
    lines = [
        "# Benchmark: ingest, KPIs, export at scale", "",
        f"Run {started:%Y-%m-%d %H:%M} in {elapsed:.0f} s with `{command}` (from the project root); "
        f"code measured: phasekpi {code}.", "",
        *machine(), f"- {load}", "",
        "Each measurement is a fresh process (`python -m bench.measure NAME SIZE`); times are seconds of the "
        f"step alone (imports and setup excluded), the fastest of {repeat} run(s); peak RSS is the process's VmHWM, "
        "including the interpreter and imports. compute_kpis runs after an untimed `load_files` of the three files "
        "in the same process.", "",
        "## Data", "", *table(["rows", *sizes], data_rows), "",
        "## Seconds", "", *table(["step", *sizes], seconds), "",
        "## Ratios", "", *table(["ratio", *sizes], ratios), "",
        "## Peak RSS (MB)", "", *table(["process", *sizes], rss), "",
        "## Goals", "", *goals(report), "",
    ]
    if report.notes:
        lines += ["## Notes", "", *[f"{i}. {text}" for i, text in enumerate(report.notes, start=1)], ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k,100k,1m,10m (default 10k,100k,1m)")
    parser.add_argument("--only", default=",".join(MEASUREMENTS), help=f"measurements (default all: {','.join(MEASUREMENTS)})")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per measurement (default 1800)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts (default 1)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results.md")
    args = parser.parse_args(argv)
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    names = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = [m for m in names if m not in MEASUREMENTS]
    if unknown:
        parser.error(f"unknown measurement(s) {', '.join(unknown)}; known: {', '.join(MEASUREMENTS)}")
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    started, began, loads = datetime.now(), time.perf_counter(), [os.getloadavg()[0]]
    report, code_at_start = Report(sizes), code_version()
    for size in sizes:
        generating = time.perf_counter()
        data = dataset(size)
        print(f"[{size}] data ready in {time.perf_counter() - generating:.1f} s: {data.dir}", file=sys.stderr)
        for name in names:
            loads.append(os.getloadavg()[0])
            result = merge([run_measurement(name, size, args.timeout) for _ in range(args.repeat)])
            report.runs[(size, name)] = result
            steps = ", ".join(f"{k} {v:.3f}s" for k, v in result.get("steps", {}).items())
            errors = "; ".join(f"{k}: {v}" for k, v in result.get("errors", {}).items())
            print(f"[{size}] {name}: {steps or '-'}{' ERROR ' + errors if errors else ''} "
                  f"(peak {fmt(result.get('rss_mb'), 0)} MB)", file=sys.stderr, flush=True)
    code = code_version()
    if code != code_at_start:
        report.notes.append(f"phasekpi changed during the run ({code_at_start} at the start): sizes may have run different code.")
    loads.append(os.getloadavg()[0])
    load = (f"1-minute load average {loads[0]:.1f} at the start, {max(loads):.1f} at most, {loads[-1]:.1f} at the end "
            f"(nproc {os.cpu_count()}; a load above nproc means other processes competed for the CPU)")
    markdown = render(report, command.strip(), started, time.perf_counter() - began, code, load, args.repeat)
    print(markdown)
    args.out.write_text(markdown + "\n", encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
