"""One measurement in a fresh process: `python -m bench.measure NAME SIZE`.

Prints one line `BENCH_RESULT {json}` with the seconds of each timed step (or its error),
facts to cross-check (rows loaded, KPI totals) and the process's peak RSS (VmHWM).
Every step is caught on its own, so one failure never hides the other numbers.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from bench.scale import Dataset, dataset, rep_names

MARKER = "BENCH_RESULT "
RAW_SETTINGS = {"threads": 2, "memory_limit": "2GB"}  # the defaults of phasekpi.schema.open_store
REP_FILTER = ("佐藤 健",)
DATE_FILTER = (date(2026, 6, 1), date(2026, 6, 30))
CHECKED_TOTALS = ("calls", "connects", "effective_conversations", "appointments", "call_appointments", "emails_sent",
                  "emails_opened", "email_replies", "leads_worked", "opportunities_created", "effective_opportunities",
                  "sqls", "won_deals", "closed_deals")
Result = dict[str, Any]


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(result: Result, step: str, action: Callable[[], Any]) -> Any:
    """Run and time one step; its error is recorded instead of raised (the value is then None)."""
    began = time.perf_counter()
    try:
        value = action()
    except Exception as error:  # any failure is a result to report
        result["errors"][step] = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        result["traces"][step] = traceback.format_exc(limit=4)
        return None
    result["steps"][step] = time.perf_counter() - began
    return value


# ---------------------------------------------------------------- raw DuckDB floor


def _raw_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET threads = {RAW_SETTINGS['threads']}")
    con.execute(f"SET memory_limit = '{RAW_SETTINGS['memory_limit']}'")
    return con


def raw(data: Dataset, result: Result, materialise: bool) -> None:
    """count(*) or CREATE TABLE over read_csv as text, each file; `raw_*` is the three files."""
    con = _raw_connection()
    prefix = "raw_ctas" if materialise else "raw_count"
    for name in ("activities", "leads", "opportunities"):
        scan = f"read_csv('{data.path(name)}', all_varchar = true, header = true"
        if materialise:
            sql = f"CREATE TABLE {name} AS SELECT * FROM {scan}, delim = ',', quote = '\"', escape = '\"', skip = 0)"
        else:
            sql = f"SELECT count(*) FROM {scan})"
        rows = timed(result, f"{prefix}_{name}", lambda sql=sql: con.execute(sql).fetchall())
        if rows and not materialise:
            result["info"][f"rows_{name}"] = rows[0][0]
    parts = [result["steps"].get(f"{prefix}_{n}") for n in ("activities", "leads", "opportunities")]
    if None not in parts:
        result["steps"][prefix] = sum(parts)


# ---------------------------------------------------------------- our ingest


def _store() -> Any:
    from phasekpi.catalogue import default_catalogue
    from phasekpi.schema import open_store

    return open_store(default_catalogue())


def _load(result: Result, step: str, store: Any, files: list[tuple[Path, str]], expected: dict[str, int]) -> None:
    """Time load_files; a file-level error fails the step, a row count other than expected is a warning."""
    from phasekpi.ingest import load_files

    report = timed(result, step, lambda: load_files(store, files))
    if report is None:
        return
    for file in report.files:
        error = getattr(file, "error", None)
        loaded = getattr(file, "rows_loaded", None)
        result["info"].setdefault("loaded", {})[file.file] = loaded
        if error is not None:
            result["errors"][step] = f"{file.file}: {getattr(error, 'key', error)} {getattr(error, 'params', '')}"
            result["steps"].pop(step, None)
        elif loaded != expected.get(file.file):
            rejected = getattr(file, "rows_rejected", "?")
            result["warnings"].append(f"{step}: {file.file} loaded {loaded} of {expected.get(file.file)} rows "
                                      f"({rejected} rejected, {getattr(file, 'duplicates', '?')} duplicates)")


def ingest_utf8(data: Dataset, result: Result) -> None:
    files = [(data.path(n), f"{n}.csv") for n in ("activities", "leads", "opportunities")]
    _load(result, "ingest_utf8", _store(), files, {f"{n}.csv": data.counts[n] for n in data.counts})


def ingest_act(data: Dataset, result: Result) -> None:
    _load(result, "ingest_act", _store(), [(data.path("activities"), "activities.csv")],
          {"activities.csv": data.counts["activities"]})


def ingest_cp932(data: Dataset, result: Result) -> None:
    store = _store()
    _load(result, "ingest_cp932", store, [(data.cp932, "activities_cp932.csv")],
          {"activities_cp932.csv": data.counts["activities"]})
    if "ingest_cp932" in result["steps"]:  # mojibake check: every rep name must come through intact
        names = rep_names(data.counts["reps"])
        wrong = store.con.execute("SELECT count(*) FROM activities_rows WHERE NOT list_contains($names, rep)",
                                  {"names": names}).fetchone()[0]
        if wrong:
            result["warnings"].append(f"ingest_cp932: {wrong} rows with a rep name not in the generated list (mojibake?)")


# ---------------------------------------------------------------- pandas baseline


def pandas_baseline(data: Dataset, result: Result) -> None:
    """What an analyst would write: read the CSVs, flag rows, group by rep-day, divide."""
    import pandas as pd

    from phasekpi.catalogue import default_catalogue

    catalogue = default_catalogue()
    ranks = {"none": 0, "connected": 1, "effective": 2, "appointment": 3}
    vocabulary = {w.strip().lower(): ranks[level] for level, words in catalogue.outcomes.vocabulary.items() for w in words}
    sql_statuses = [s.lower() for s in catalogue.lead_statuses.sql]
    effective_seconds = catalogue.outcomes.effective_min_seconds

    def read() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        acts = pd.read_csv(data.path("activities"))
        acts["occurred_at"] = pd.to_datetime(acts["occurred_at"], format="%Y-%m-%d %H:%M:%S")
        leads = pd.read_csv(data.path("leads"), parse_dates=["created_at"])
        opps = pd.read_csv(data.path("opportunities"), parse_dates=["created_at", "closed_at"])
        return acts, leads, opps

    frames = timed(result, "pandas_read", read)
    if frames is None:
        return

    def kpis() -> dict[str, float]:
        acts, leads, opps = frames
        call, email = acts["channel"].eq("call"), acts["channel"].eq("email")
        rank = acts["outcome"].str.strip().str.lower().map(vocabulary)
        long_call = acts["duration_sec"].fillna(0).ge(effective_seconds)
        flags = pd.DataFrame({
            "rep": acts["rep"], "date": acts["occurred_at"].dt.normalize(),
            "calls": call, "connects": call & (rank.ge(1) | (long_call & rank.isna())),
            "effective_conversations": call & (rank.ge(2) | (long_call & rank.fillna(1).ge(1))),
            "appointments": rank.ge(3), "call_appointments": call & rank.ge(3), "emails_sent": email,
            "emails_opened": email & acts["email_opened"].eq(True), "email_replies": email & acts["email_replied"].eq(True),
        })
        per_rep_day = flags.groupby(["rep", "date"]).sum()
        t = per_rep_day.sum().astype(float).to_dict()
        rep_days, reps = len(per_rep_day), per_rep_day.index.get_level_values("rep").nunique()
        months = ((acts["occurred_at"].max() - acts["occurred_at"].min()).days + 1) / (365.25 / 12)
        bant = opps[["bant_budget", "bant_authority", "bant_need", "bant_timeline"]].fillna(False).astype(int).sum(axis=1)
        status = opps["status"].str.lower()
        t |= {"leads_worked": float(acts["lead_id"].nunique()), "opportunities_created": float(len(opps)),
              "effective_opportunities": float((bant >= 3).sum()), "won_deals": float(status.eq("won").sum()),
              "closed_deals": float(status.isin(["won", "lost"]).sum()),
              "sqls": float(leads["status"].str.strip().str.lower().isin(sql_statuses).sum())}
        result["info"]["totals"] = t
        return {
            "calls_per_rep_day": per_rep_day["calls"].mean(), "connects_per_rep_day": t["connects"] / rep_days,
            "appointments_per_rep_day": t["appointments"] / rep_days,
            "connect_rate": t["connects"] / t["calls"] * 100,
            "effective_conversation_rate": t["effective_conversations"] / t["connects"] * 100,
            "appointment_rate": t["call_appointments"] / t["effective_conversations"] * 100,
            "email_open_rate": t["emails_opened"] / t["emails_sent"] * 100,
            "email_reply_rate": t["email_replies"] / t["emails_sent"] * 100,
            "leads_worked_per_rep_month": t["leads_worked"] / months / reps,
            "opportunity_rate": t["opportunities_created"] / t["leads_worked"] * 100,
            "handover_win_rate": t["won_deals"] / t["closed_deals"] * 100,
            "won_amount_per_month": opps.loc[status.eq("won"), "amount"].sum() / months,
            "best_rep_appointments": per_rep_day.groupby(level="rep")["appointments"].sum().max(),
        }

    values = timed(result, "pandas_kpis", kpis)
    if values:
        result["info"]["kpis"] = {k: round(float(v), 4) for k, v in values.items()}


# ---------------------------------------------------------------- compute_kpis and the Excel export


def kpis(data: Dataset, result: Result) -> None:
    from phasekpi.catalogue import default_catalogue
    from phasekpi.metrics import compute_kpis
    from phasekpi.selection import Filters

    catalogue, store = default_catalogue(), _store()
    files = [(data.path(n), f"{n}.csv") for n in ("activities", "leads", "opportunities")]
    _load(result, "setup_ingest", store, files, {f"{n}.csv": data.counts[n] for n in data.counts})
    if "setup_ingest" not in result["steps"]:
        return
    results = timed(result, "kpis_cold", lambda: compute_kpis(store, catalogue, Filters()))
    timed(result, "kpis_warm", lambda: compute_kpis(store, catalogue, Filters()))
    timed(result, "kpis_rep", lambda: compute_kpis(store, catalogue, Filters(reps=REP_FILTER)))
    timed(result, "kpis_dates", lambda: compute_kpis(store, catalogue, Filters(start=DATE_FILTER[0], end=DATE_FILTER[1])))
    timed(result, "dashboard", lambda: dashboard_numbers(store, catalogue, Filters()))
    timed(result, "dashboard_rep", lambda: dashboard_numbers(store, catalogue, Filters(reps=REP_FILTER)))
    timed(result, "every_page", lambda: every_page_numbers(store, catalogue, Filters()))
    timed(result, "every_page_rep", lambda: every_page_numbers(store, catalogue, Filters(reps=REP_FILTER)))
    if results is None:
        return
    result["info"]["totals"] = {k: results.total(k) for k in CHECKED_TOTALS if k in results.values}
    timed(result, "export", lambda: _export(catalogue, results))


def dashboard_numbers(store: Any, catalogue: Any, filters: Any) -> int:
    """What the dashboard shows for each of the three phases: KPI cards against targets, the
    activity funnel, its bottleneck and what-if. Returns the number of values, to keep the work honest."""
    from phasekpi.funnel import build_funnel, find_bottleneck, what_if
    from phasekpi.metrics import compute_kpis, scorecard

    results = compute_kpis(store, catalogue, filters)
    steps = build_funnel(catalogue, "activity", results)
    bottleneck = find_bottleneck(steps)
    what_if(catalogue, "activity", steps, bottleneck, results)
    return sum(len(scorecard(catalogue, phase_id, results)) for phase_id in (p.id for p in catalogue.phases)) + len(steps)


def every_page_numbers(store: Any, catalogue: Any, filters: Any) -> int:
    """Every aggregate any page computes, for every phase: the dashboard, the three funnels, the
    per-rep, per-team, weekly and monthly KPIs, pacing, calling slots, lead sources, quality score."""
    from phasekpi.funnel import build_funnel
    from phasekpi.heatmap import call_slots
    from phasekpi.leadsources import lead_sources
    from phasekpi.metrics import compute_grouped, compute_kpis
    from phasekpi.pacing import phase_pacing
    from phasekpi.quality import quality_report

    values = dashboard_numbers(store, catalogue, filters)
    results = compute_kpis(store, catalogue, filters)
    values += sum(len(build_funnel(catalogue, funnel_id, results)) for funnel_id in catalogue.funnels)
    values += sum(len(compute_grouped(store, catalogue, filters, by)) for by in ("rep", "team", "week", "month"))
    values += sum(len(phase_pacing(store, catalogue, phase_id, filters)) for phase_id in (p.id for p in catalogue.phases))
    values += len(call_slots(store, filters).cells) + len(lead_sources(store, filters))
    return values + quality_report(store, catalogue, filters).scored


def _export(catalogue: Any, results: Any) -> int:
    from phasekpi import export
    from phasekpi.diagnosis import judge

    if not hasattr(export, "write_workbook"):
        raise RuntimeError("phasekpi.export.write_workbook does not exist")
    stream = io.BytesIO()
    export.write_workbook(stream, export.KpiSheet(catalogue=catalogue, results=results, diagnosis=judge(catalogue, {}),
                                                  answers={}))
    return len(stream.getvalue())


MEASUREMENTS: dict[str, Callable[[Dataset, Result], None]] = {
    "raw_count": lambda data, result: raw(data, result, materialise=False),
    "raw_ctas": lambda data, result: raw(data, result, materialise=True),
    "ingest_utf8": ingest_utf8,
    "ingest_act": ingest_act,
    "ingest_cp932": ingest_cp932,
    "pandas": pandas_baseline,
    "kpis": kpis,
}


def main(argv: list[str]) -> int:
    name, size = argv
    result: Result = {"steps": {}, "errors": {}, "traces": {}, "warnings": [], "info": {}, "start_rss_mb": peak_rss_mb()}
    try:
        MEASUREMENTS[name](dataset(size), result)
    except Exception as error:
        result["errors"][name] = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        result["traces"][name] = traceback.format_exc(limit=4)
    result["rss_mb"] = peak_rss_mb()
    print(MARKER + json.dumps(result, ensure_ascii=False, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
