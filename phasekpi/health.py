"""Data health: what in the loaded data makes some numbers doubtful, said after every load.

Each finding names what it means and what to do (health.<key>.what / .todo in the locales):
- phase KPIs the data cannot give, and which field or export is missing;
- a share over 100 % (a connect rate of 304 %: numerator and denominator from data that do not match);
- a funnel step larger than the step before it;
- tables that do not link (no lead id, opportunity id or rep in common);
- a table whose own dates reach far outside the activity window (the reporting period);
- inbound calls, which are not 架電 and stay out of the call KPIs;
- a single rep or a single day of activity;
- one rep spelled two ways (`山田太郎` / `山田 太郎`, a full-width space, another case);
- activities without a time of day (left out of the hour-of-day heatmap);
- deals without an amount, and lead statuses none of which means MQL or SQL.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import pairwise

from phasekpi.catalogue import Catalogue
from phasekpi.coverage import Gap, data_coverage
from phasekpi.funnel import build_funnel
from phasekpi.metrics import KpiResults, data_range, table_spans
from phasekpi.schema import TABLES, Store

# Field pairs that join two tables: when both are loaded and given, some value must be shared.
LINKS = (
    ("activities", "lead_id", "leads", "lead_id"),
    ("opportunities", "lead_id", "leads", "lead_id"),
    ("leads", "opportunity_id", "opportunities", "opportunity_id"),
    ("activities", "rep", "opportunities", "rep"),
    ("activities", "rep", "leads", "rep"),
)
OUTSIDE_DAYS = 31  # a table's dates this far beyond the activity window stretch or miss the period
FUNNEL = "activity"


@dataclass(frozen=True)
class Finding:
    key: str  # health.<key>.what / health.<key>.todo
    params: dict[str, object] = field(default_factory=dict)
    severity: str = "warning"  # warning: numbers are doubtful; info: good to know


def health_findings(store: Store, catalogue: Catalogue, results: KpiResults | None) -> list[Finding]:
    """Every finding on the store's data; `results` are the KPIs over all of it (no filter)."""
    if results is None:
        return []
    found: list[Finding] = _uncomputable(catalogue, results)
    found += _shares_over_100(catalogue, results)
    found += _growing_steps(catalogue, results)
    with store.lock:
        found += _unlinked(store, catalogue)
        found += _stretched(store)
        found += _activity_shape(store)
        found += _spellings(store)
        found += _vocabulary_gaps(store, catalogue)
    return found


def _uncomputable(catalogue: Catalogue, results: KpiResults) -> list[Finding]:
    """Phase KPIs the data cannot give, grouped by what is missing (a table not loaded at all is said
    on the Data page already)."""
    by_gap: dict[Gap, list[str]] = {}
    shown = [entry.kpi for phase in catalogue.phases for entry in phase.kpis]
    for kpi_id in dict.fromkeys(shown):
        for gap in results.gaps(kpi_id):
            if gap.options or gap.outside:
                by_gap.setdefault(gap, []).append(kpi_id)
    return [Finding("uncomputable", {"kpis": kpis, "gap": gap}) for gap, kpis in by_gap.items()]


def _shares_over_100(catalogue: Catalogue, results: KpiResults) -> list[Finding]:
    return [Finding("rate_over_100", {"kpi": kpi_id, "value": results.total(kpi_id),
                                      "numerator": kpi.numerator, "denominator": kpi.denominator})
            for kpi_id, kpi in catalogue.kpis.items()
            if kpi.exceeds_share(results.total(kpi_id))]


def _growing_steps(catalogue: Catalogue, results: KpiResults) -> list[Finding]:
    steps = build_funnel(catalogue, FUNNEL, results)
    return [Finding("step_grows", {"kpi": step.kpi_id, "count": int(step.count), "previous": before.kpi_id,
                                   "previous_count": int(before.count)})
            for before, step in pairwise(steps)
            if before.count and step.count is not None and step.count > before.count]


def _unlinked(store: Store, catalogue: Catalogue) -> list[Finding]:
    coverage = data_coverage(store, catalogue)
    found = []
    for left, left_field, right, right_field in LINKS:
        if not {f"{left}.{left_field}", f"{right}.{right_field}"} <= coverage.given:
            continue
        shared = store.con.execute(f"""
            SELECT count(*) FROM (SELECT DISTINCT "{left_field}" AS v FROM "{TABLES[left].rows_table}"
                                  WHERE "{left_field}" IS NOT NULL) l
            JOIN (SELECT DISTINCT "{right_field}" AS v FROM "{TABLES[right].rows_table}") r USING (v)""").fetchone()[0]
        if not shared:
            found.append(Finding("unlinked", {"left": left, "left_field": left_field, "right": right,
                                              "right_field": right_field}))
    return found


def _stretched(store: Store) -> list[Finding]:
    window = data_range(store)
    spans = table_spans(store)
    if window is None or "activities" not in spans:
        return []
    first, last = window
    margin = timedelta(days=OUTSIDE_DAYS)
    return [Finding("period_stretched", {"table": table, "first": str(lo), "last": str(hi),
                                         "window_first": str(first), "window_last": str(last)})
            for table, (lo, hi) in spans.items()
            if table != "activities" and (lo < first - margin or hi > last + margin or hi < first or lo > last)]


def _activity_shape(store: Store) -> list[Finding]:
    inbound, untimed, calls, reps, days, only_rep = store.con.execute("""
        SELECT count(*) FILTER (WHERE channel = 'call' AND direction = 'inbound'),
               count(*) FILTER (WHERE is_call AND NOT coalesce(has_time, false)), count(*) FILTER (WHERE is_call),
               count(DISTINCT rep), count(DISTINCT activity_date), min(rep)
        FROM activities""").fetchone()
    found = []
    if inbound:
        found.append(Finding("inbound_calls", {"count": inbound}, "info"))
    if reps == 1:
        found.append(Finding("single_rep", {"rep": only_rep}))
    if days == 1:
        found.append(Finding("single_day", {}))
    if untimed:
        found.append(Finding("untimed", {"count": untimed, "calls": calls}, "info"))
    return found


def _vocabulary_gaps(store: Store, catalogue: Catalogue) -> list[Finding]:
    """Deals without an amount; lead statuses of which none is MQL or SQL (their counts read 0)."""
    found = []
    coverage = data_coverage(store, catalogue)
    if "opportunities.amount" in coverage.given:
        rows, missing = store.con.execute("SELECT count(*), count(*) - count(amount) FROM opportunities_rows").fetchone()
        if missing:
            found.append(Finding("amount_missing", {"rows": rows, "missing": missing}, "info"))
    if "leads.status" in coverage.given:
        known, values = store.con.execute("""
            SELECT bool_or(s.level IS NOT NULL), list(DISTINCT trim(l.status) ORDER BY trim(l.status))
            FROM leads_rows l LEFT JOIN lead_status_levels s ON s.status = lower(trim(l.status))
            WHERE l.status IS NOT NULL""").fetchone()
        if not known:
            found.append(Finding("statuses_unknown", {"values": ", ".join(values[:8])}))
    return found


def _spellings(store: Store) -> list[Finding]:
    names = [r[0] for r in store.con.execute(" UNION ".join(
        f'SELECT DISTINCT rep FROM "{spec.rows_table}" WHERE rep IS NOT NULL' for spec in TABLES.values())
        + " ORDER BY 1").fetchall()]
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(spelling_key(name), []).append(name)
    return [Finding("rep_spellings", {"names": spelled}) for spelled in groups.values() if len(spelled) > 1]


def spelling_key(name: str) -> str:
    """What is left of a name once width, case and spaces are set aside: 山田 太郎 = 山田太郎 = 山田　太郎."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())
