"""KPI values from the canonical tables: DuckDB computes, this module shapes.

Every count, sum and score KPI of the catalogue becomes one aggregate of one query per
table; ratios and derived KPIs are then computed from the period totals, and each value is
brought to its grain (per rep per day, per rep per month, per month, or the period).

A KPI the loaded data cannot support (phasekpi/coverage.py: its table is empty, a field it needs
is absent from every file or empty in every row, the rows it sums have no amount) has no value,
only `gaps` saying why; so has every KPI computed from it. The reporting period is the activity
window when activities are loaded (an opportunity export's close dates years away do not stretch
it), else the span of the other tables' own dates.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import duckdb

from phasekpi.catalogue import Catalogue, Kpi, PhaseKpi
from phasekpi.coverage import Coverage, Gap, data_coverage, data_range, table_spans  # noqa: F401 (re-exported)
from phasekpi.expressions import PERIOD_NAME, kpi_dependencies
from phasekpi.needs import Need
from phasekpi.schema import TABLES, Store, open_store
from phasekpi.selection import REP_FILTER, Filters, Period, measure_condition, resolve_period


@dataclass(frozen=True)
class KpiValue:
    kpi_id: str
    total: float | None  # over the whole period (what ratios and expressions read)
    actual: float | None  # at the KPI's grain (what is compared with the target)
    gaps: tuple[Gap, ...] = ()  # why it cannot be computed (then total and actual are None)


@dataclass(frozen=True)
class KpiResults:
    period: Period
    values: dict[str, KpiValue]
    coverage: Coverage | None = None

    def actual(self, kpi_id: str) -> float | None:
        return self.values[kpi_id].actual

    def total(self, kpi_id: str) -> float | None:
        return self.values[kpi_id].total

    def gaps(self, kpi_id: str) -> tuple[Gap, ...]:
        return self.values[kpi_id].gaps


def settings_with_defaults(catalogue: Catalogue,
                           settings: Mapping[str, float | None] | None = None) -> dict[str, float | None]:
    """Settings as entered, falling back to the catalogue's defaults; None means not entered."""
    values = {name: s.default for name, s in catalogue.settings.items()}
    values.update({k: None if v is None else float(v) for k, v in (settings or {}).items() if k in values})
    return values


def compute_kpis(store: Store, catalogue: Catalogue, filters: Filters,
                 settings: Mapping[str, float | None] | None = None) -> KpiResults | None:
    """Every KPI of the catalogue over the filtered data; None when there is no data."""
    period = resolve_period(store, filters)
    if period is None:
        return None
    coverage = data_coverage(store, catalogue)
    totals, unvalued = _measured_totals(store, catalogue, period, filters.reps, coverage)
    return _results(catalogue, period, totals, settings, coverage, unvalued)


def _results(catalogue: Catalogue, period: Period, totals: Mapping[str, float | None],
             settings: Mapping[str, float | None] | None, coverage: Coverage,
             unvalued: Mapping[str, Gap] | None = None) -> KpiResults:
    """Ratios and derived KPIs from the measured totals, every value also at its grain; a KPI with
    gaps (its own, or those of a KPI it is computed from) has none."""
    gaps = _gaps(catalogue, coverage, unvalued or {})
    names: dict[str, float | None] = dict(settings_with_defaults(catalogue, settings))
    names[PERIOD_NAME] = period.months
    names.update({k: None if gaps.get(k) else v for k, v in totals.items()})
    for kpi_id in _dependency_order(catalogue):
        kpi = catalogue.kpis[kpi_id]
        if gaps.get(kpi_id):
            names[kpi_id] = None
        elif kpi.type == "ratio":
            names[kpi_id] = _divide(names[kpi.numerator], names[kpi.denominator], kpi.scale)
        elif kpi.type == "derived":
            names[kpi_id] = evaluate(kpi.expression, names)
    values = {k: KpiValue(k, names[k], at_grain(kpi, names[k], period), gaps.get(k, ()))
              for k, kpi in catalogue.kpis.items()}
    return KpiResults(period, values, coverage)


def _gaps(catalogue: Catalogue, coverage: Coverage, unvalued: Mapping[str, Gap]) -> dict[str, tuple[Gap, ...]]:
    """Each KPI's gaps: its own, an empty sum's, then those of the KPIs it is computed from (each once)."""
    found: dict[str, tuple[Gap, ...]] = {}

    def visit(kpi_id: str) -> tuple[Gap, ...]:
        if kpi_id not in found:
            kpi = catalogue.kpis[kpi_id]
            own = list(coverage.gaps(kpi)) or ([unvalued[kpi_id]] if kpi_id in unvalued else [])
            for dependency in sorted(kpi_dependencies(kpi.model_dump()) & set(catalogue.kpis)):
                own += [g for g in visit(dependency) if g not in own]
            found[kpi_id] = tuple(own)
        return found[kpi_id]

    for kpi_id in catalogue.kpis:
        visit(kpi_id)
    return found


Grouping = Literal["rep", "team", "week", "month"]
PERIOD_GROUPINGS = ("week", "month")


def _group_sql(by: Grouping, table: str, date_column: str) -> str:
    """The group key of a row of `table` as text; periods bucket the KPI's own date column."""
    if by == "rep":
        return "rep"
    if by == "team":  # only activities carry a team; a lead or deal takes its rep's team
        own = "team" if table == "activities" else "NULL"
        return f'coalesce({own}, (SELECT max(a.team) FROM activities_rows a WHERE a.rep = "{table}".rep))'
    return f"CAST(date_trunc('{by}', CAST(\"{date_column}\" AS DATE)) AS DATE)::VARCHAR"


def compute_grouped(store: Store, catalogue: Catalogue, filters: Filters, by: Grouping,
                    settings: Mapping[str, float | None] | None = None) -> dict[str, KpiResults]:
    """Every KPI for each rep, team, week or month of the filtered data, in key order.

    One query per table and date column, grouped in DuckDB; a week or month keeps only its days
    inside the filter, so its per-day and per-month values compare with the targets as they are."""
    period = resolve_period(store, filters)
    if period is None:
        return {}
    coverage = data_coverage(store, catalogue)
    params = {"start": period.start, "end": period.end, "reps": list(filters.reps)}
    totals: dict[str, dict[str, float | None]] = {}
    unvalued: dict[str, dict[str, Gap]] = {}
    empty: dict[str, float | None] = {}
    for table in TABLES:
        measured = {k: kpi for k, kpi in catalogue.kpis.items() if kpi.measure and kpi.measure.table == table}
        with store.lock:
            loaded = store.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] > 0
        for date_column in sorted({kpi.measure.date_column for kpi in measured.values()}):
            group = {k: kpi for k, kpi in measured.items()
                     if by not in PERIOD_GROUPINGS or kpi.measure.date_column == date_column}
            within = f'AND CAST("{date_column}" AS DATE) BETWEEN $start AND $end' if by in PERIOD_GROUPINGS else ""
            with store.lock:
                rows = store.con.execute(
                    f'SELECT {_group_sql(by, table, date_column)} AS g, {_aggregates(group, coverage)} FROM "{table}" '
                    f"WHERE {REP_FILTER} {within} GROUP BY g", params).fetchall()
            for key, *values in rows:
                if key is not None:
                    found, empty_sums = _read_aggregates(group, values)
                    totals.setdefault(key, {}).update(found)
                    unvalued.setdefault(key, {}).update(empty_sums)
            empty.update({k: (0.0 if kpi.type != "score" else None) if loaded else None for k, kpi in group.items()})
            if by not in PERIOD_GROUPINGS:
                break
    denominators = _group_denominators(store, by, params)
    results = {}
    for key in sorted(set(totals) | set(denominators)):
        rep_days, active_reps = denominators.get(key, (0, 0))
        start, end = _bounds(by, key, period)
        results[key] = _results(catalogue, Period(start, end, rep_days, active_reps), {**empty, **totals.get(key, {})},
                                settings, coverage, unvalued.get(key))
    return results


def _group_denominators(store: Store, by: Grouping, params: dict) -> dict[str, tuple[int, int]]:
    with store.lock:
        rows = store.con.execute(f"""
            SELECT {_group_sql(by, "activities", "activity_date")} AS g, count(DISTINCT (rep, activity_date)),
                   count(DISTINCT rep)
            FROM activities WHERE activity_date BETWEEN $start AND $end AND {REP_FILTER} GROUP BY g
        """, params).fetchall()
    return {key: (rep_days, reps) for key, rep_days, reps in rows if key is not None}


def _bounds(by: Grouping, key: str, period: Period) -> tuple[date, date]:
    """The days of a week or month bucket inside the period; the whole period for reps and teams."""
    if by not in PERIOD_GROUPINGS:
        return period.start, period.end
    first = date.fromisoformat(key)
    if by == "week":
        last = first + timedelta(days=6)
    else:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return max(first, period.start), min(last, period.end)


def at_grain(kpi: Kpi, total: float | None, period: Period) -> float | None:
    if total is None or kpi.grain == "period":
        return total
    if kpi.grain == "per_rep_per_day":
        return _divide(total, period.rep_days)
    if kpi.grain == "per_rep_per_month":
        return _divide(total, period.months * period.active_reps)
    return _divide(total, period.months)


def _measured_totals(store: Store, catalogue: Catalogue, period: Period, reps: tuple[str, ...],
                     coverage: Coverage) -> tuple[dict[str, float | None], dict[str, Gap]]:
    """Every count, sum and score KPI over the period, one query per table; and the sums whose rows
    have no value at all (no amount on any open deal: unknown, not ¥0)."""
    totals: dict[str, float | None] = {}
    unvalued: dict[str, Gap] = {}
    for table in TABLES:
        measured = {k: kpi for k, kpi in catalogue.kpis.items() if kpi.measure and kpi.measure.table == table}
        if not measured or table not in coverage.tables:
            totals.update(dict.fromkeys(measured))  # nothing of this kind was loaded: unknown, not zero
            continue
        with store.lock:
            row = store.con.execute(f'SELECT {_aggregates(measured, coverage)} FROM "{table}" WHERE {REP_FILTER}',
                                    {"start": period.start, "end": period.end, "reps": list(reps)}).fetchone()
        found, empty_sums = _read_aggregates(measured, list(row))
        totals.update(found)
        unvalued.update(empty_sums)
    return totals, unvalued


def _aggregates(kpis: Mapping[str, Kpi], coverage: Coverage) -> str:
    """Each KPI's aggregate, and for a sum whether its rows (if any) all lack the summed value."""
    parts = []
    for kpi_id, kpi in kpis.items():
        parts.append(f'{_aggregate_sql(kpi, coverage)} AS "{kpi_id}"')
        if kpi.type == "sum":
            condition = measure_condition(kpi, coverage)
            parts.append(f'(count(*) FILTER (WHERE {condition}) > 0 AND count("{kpi.measure.column}") '
                         f'FILTER (WHERE {condition}) = 0) AS "{kpi_id}__unvalued"')
    return ", ".join(parts)


def _read_aggregates(kpis: Mapping[str, Kpi], values: list) -> tuple[dict[str, float | None], dict[str, Gap]]:
    found: dict[str, float | None] = {}
    unvalued: dict[str, Gap] = {}
    position = 0
    for kpi_id, kpi in kpis.items():
        value = values[position]
        found[kpi_id] = None if value is None else float(value)
        position += 1
        if kpi.type == "sum":
            if values[position]:
                found[kpi_id] = None
                unvalued[kpi_id] = Gap(kpi.measure.table, (Need(table=kpi.measure.table, field=kpi.measure.column),),
                                       unvalued=True)
            position += 1
    return found, unvalued


def activity_total(catalogue: Catalogue, results: KpiResults) -> float:
    """A rep's (or the team's) activity over the period: the catalogue's `activity_kpis` totals
    summed, a missing one as none."""
    return sum(results.total(kpi_id) or 0 for kpi_id in catalogue.activity_kpis)


def measure_problems(catalogue: Catalogue) -> list[str]:
    """Every measure (table, date column, `where`, summed or counted column) and IS-sourcing rule
    that DuckDB cannot bind, checked by EXPLAIN against an empty store: a typo (`chanel = 'call'`,
    `occured_at`) is named at load with its KPI, not met as a BinderException on the dashboard."""
    store, problems = open_store(catalogue), []
    try:
        checks = [(f"kpis.{kpi_id}.measure", f'SELECT {_aggregate_sql(kpi)} FROM "{kpi.measure.table}"')
                  for kpi_id, kpi in catalogue.kpis.items() if kpi.measure is not None]
        checks += [(f"sourcing.{index}.where", f"SELECT count(*) FILTER (WHERE {rule.where}) FROM opportunities")
                   for index, rule in enumerate(catalogue.sourcing)]
        for where, sql in checks:
            period = {"start": date(2000, 1, 1), "end": date(2000, 1, 1)} if "$start" in sql else None
            try:
                store.con.execute(f"EXPLAIN {sql}", period)
            except duckdb.Error as error:
                problems.append(f"{where}: DuckDB cannot run it: {str(error).splitlines()[0]}")
    finally:
        store.con.close()
    return problems


def _aggregate_sql(kpi: Kpi, coverage: Coverage | None = None) -> str:
    """One aggregate with its own period filter, since KPIs of a table date rows differently."""
    measure = kpi.measure
    condition = measure_condition(kpi, coverage)
    if kpi.type == "sum":
        return f'coalesce(sum("{measure.column}") FILTER (WHERE {condition}), 0)'
    if kpi.type == "score":
        return f'avg("{measure.column}") FILTER (WHERE {condition})'
    if measure.count_distinct:
        return f'count(DISTINCT "{measure.count_distinct}") FILTER (WHERE {condition})'
    return f"count(*) FILTER (WHERE {condition})"


def _dependency_order(catalogue: Catalogue) -> list[str]:
    """Ratio and derived KPIs, each after the KPIs it reads."""
    ordered: list[str] = []

    def visit(kpi_id: str) -> None:
        if kpi_id in ordered or kpi_id not in catalogue.kpis:
            return
        for dependency in kpi_dependencies(catalogue.kpis[kpi_id].model_dump()):
            visit(dependency)
        if catalogue.kpis[kpi_id].type in ("ratio", "derived"):
            ordered.append(kpi_id)

    for kpi_id in catalogue.kpis:
        visit(kpi_id)
    return ordered


def _divide(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator * scale


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def evaluate(expression: str, names: Mapping[str, float | None]) -> float | None:
    """Arithmetic over named values (validated by the catalogue); None when a part is missing
    or a division is by zero."""

    def walk(node: ast.AST) -> float | None:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return names.get(node.id)
        if isinstance(node, ast.UnaryOp):
            value = walk(node.operand)
            return None if value is None else -value
        if isinstance(node, ast.Call):
            value = walk(node.args[0])
            return None if value is None else abs(value)
        left, right = walk(node.left), walk(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div):
            return _divide(left, right)
        return _OPERATORS[type(node.op)](left, right)

    return walk(ast.parse(expression, mode="eval"))


@dataclass(frozen=True)
class ScorecardRow:
    kpi_id: str
    importance: int
    target: float
    actual: float | None
    achievement: float | None  # percent of target, direction-aware
    status: str  # good / warning / bad / no_data / unavailable (the data cannot give it) / implausible (a share over 100 %)
    gaps: tuple[Gap, ...] = ()  # why it is unavailable


def target_of(entry: PhaseKpi, targets: Mapping[str, float | None] | None) -> float:
    """The team's target for a phase's KPI: its override, or the catalogue's when none is entered
    (an input left empty is None, never a target of 0)."""
    chosen = (targets or {}).get(entry.kpi)
    return float(entry.target if chosen is None else chosen)


def achievement(actual: float | None, target: float, direction: str) -> float | None:
    """Percent of target reached: actual ÷ target, or target ÷ actual when lower is better."""
    if actual is None or not target:
        return None
    if direction == "lower":
        return None if actual <= 0 else target / actual * 100
    return actual / target * 100


def status_of(value: float | None, warning_from: float = 80.0) -> str:
    if value is None:
        return "no_data"
    return "good" if value >= 100 else "warning" if value >= warning_from else "bad"


def scorecard(catalogue: Catalogue, phase_id: str, results: KpiResults,
              targets: Mapping[str, float] | None = None) -> list[ScorecardRow]:
    """The phase's KPIs with actual, target and achievement, most important first."""
    rows = []
    for entry in catalogue.phase(phase_id).kpis:
        kpi = catalogue.kpis[entry.kpi]
        target = target_of(entry, targets)
        actual = results.actual(entry.kpi)
        gaps = results.gaps(entry.kpi)
        if gaps:
            rows.append(ScorecardRow(entry.kpi, entry.importance, target, None, None, "unavailable", gaps))
        elif kpi.exceeds_share(actual):  # never green: the counts do not match
            rows.append(ScorecardRow(entry.kpi, entry.importance, target, actual, None, "implausible"))
        else:
            reached = achievement(actual, target, kpi.direction)
            rows.append(ScorecardRow(entry.kpi, entry.importance, target, actual, reached, status_of(reached)))
    return sorted(rows, key=lambda r: -r.importance)
