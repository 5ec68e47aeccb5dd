"""Excel export benchmark: `python -m bench.export_bench [--reps 200] [--runs 3]`.

Writes the whole KPI workbook (summary, three phase sheets, KGI plan, funnel, per-rep sheet,
definitions) for a team of synthetic reps, once with each phase active, and reports the best
of `--runs` timings per phase. The KPI results are made up (no data is loaded): the export's
cost depends on the number of reps and KPIs, not on the values. Goal: at most 2 s per workbook.
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import date

from phasekpi.catalogue import Catalogue, default_catalogue
from phasekpi.diagnosis import judge
from phasekpi.export import KpiSheet, write_workbook
from phasekpi.metrics import KpiResults, KpiValue
from phasekpi.problems import FileReport, LoadReport
from phasekpi.selection import Period

GOAL_SECONDS = 2.0
PERIOD = (date(2026, 1, 5), date(2026, 6, 30))
WORKING_DAYS = 120


def synthetic_results(catalogue: Catalogue, rng: random.Random, reps: int) -> KpiResults:
    """Plausible-looking values for every KPI: rates in percent, the rest positive."""
    values = {}
    for kpi_id, kpi in catalogue.kpis.items():
        total = rng.uniform(5, 60) if kpi.unit == "percent" else rng.uniform(1, 5_000)
        values[kpi_id] = KpiValue(kpi_id, total, total if kpi.grain == "period" else total / WORKING_DAYS)
    return KpiResults(Period(*PERIOD, rep_days=reps * WORKING_DAYS, active_reps=reps), values)


def synthetic_report(rows: int) -> LoadReport:
    return LoadReport([FileReport(f"{kind}.csv", kind, "utf-8", rows, rows)
                       for kind in ("activities", "leads", "opportunities")])


def time_export(sheet: KpiSheet, runs: int) -> tuple[float, int]:
    """Best wall time of `runs` exports, and the workbook's size in bytes."""
    best, size = float("inf"), 0
    for _ in range(runs):
        stream = io.BytesIO()
        start = time.perf_counter()
        write_workbook(stream, sheet)
        best = min(best, time.perf_counter() - start)
        size = len(stream.getvalue())
    return best, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    catalogue, rng = default_catalogue(), random.Random(7)
    team = synthetic_results(catalogue, rng, args.reps)
    by_rep = {f"担当者{i:03d}": synthetic_results(catalogue, rng, 1) for i in range(args.reps)}
    print(f"Excel export, {args.reps} reps, best of {args.runs} (goal ≤ {GOAL_SECONDS:.1f} s per workbook)")
    worst = 0.0
    for phase in catalogue.phase_ids:
        sheet = KpiSheet(catalogue=catalogue, results=team, diagnosis=judge(catalogue, {}, phase), answers={},
                         organisation="ベンチマーク株式会社", load_report=synthetic_report(100_000), by_rep=by_rep)
        seconds, size = time_export(sheet, args.runs)
        worst = max(worst, seconds)
        print(f"  active phase {phase:<8} {seconds:6.3f} s  {size / 1024:7.1f} KiB")
    verdict = "OK" if worst <= GOAL_SECONDS else "OVER GOAL"
    print(f"slowest {worst:.3f} s: {verdict}")
    return 0 if worst <= GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
