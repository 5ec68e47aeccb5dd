"""Trends and month-end pacing (SPEC §10): time series of a KPI, the month-to-date pace of the
count and sum KPIs with their month-end landing forecast (月末着地予測), and alerts for KPIs heading
below target.

Pacing works on Japanese business days: weekdays minus the public holidays of `holidays.Japan`
minus the company's own holidays. The month is the month of the filter's end date; the pace is
the actual so far ÷ the business days elapsed up to the last day with data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import holidays
import pandas as pd

from phasekpi.catalogue import Catalogue, Kpi, PhaseKpi
from phasekpi.metrics import KpiResults, achievement, scorecard, settings_with_defaults
from phasekpi.schema import TABLES, Store
from phasekpi.selection import REP_FILTER, Filters, resolve_period

ALERT_SETTING = "alert_threshold_pct"
DEFAULT_ALERT_THRESHOLD_PCT = 90.0
PACED_TYPES = ("count", "sum")  # KPIs that add up day by day; rates and scores have no month-end total
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日")


def business_days(start: date, end: date, company_holidays: Iterable[date] = ()) -> list[date]:
    """The days from start to end (inclusive) that are weekdays, not Japanese public holidays
    (substitute and in-between holidays included) and not company holidays."""
    public = holidays.Japan(years=range(start.year, end.year + 1))
    closed = set(company_holidays)
    days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5 and day not in public and day not in closed]


def parse_dates(text: str) -> tuple[list[date], list[str]]:
    """Dates written one per line (or separated by commas or spaces) as 2025-05-01, 2025/5/1 or 2025年5月1日:
    the dates, sorted without repeats, and the entries that are not dates."""
    found: set[date] = set()
    invalid: list[str] = []
    for entry in re.split(r"[\s,、]+", text.strip()):
        if entry:
            parsed = next((d for d in (_parse_date(entry, f) for f in DATE_FORMATS) if d is not None), None)
            if parsed is None:
                invalid.append(entry)
            else:
                found.add(parsed)
    return sorted(found), invalid


def _parse_date(text: str, pattern: str) -> date | None:
    try:
        return datetime.strptime(text, pattern).date()
    except ValueError:
        return None


def phase_target(catalogue: Catalogue, phase_id: str, kpi_id: str,
                 targets: Mapping[str, float | None] | None = None) -> float | None:
    """The KPI's target at its grain in the phase (the user's own when entered); None outside the phase."""
    entry = next((e for e in catalogue.phase(phase_id).kpis if e.kpi == kpi_id), None)
    return None if entry is None else _target(entry, targets)


def _target(entry: PhaseKpi, targets: Mapping[str, float | None] | None) -> float:
    own = (targets or {}).get(entry.kpi)
    return float(entry.target if own is None else own)


# ---------------------------------------------------------------- trends


def kpi_series(catalogue: Catalogue, kpi_id: str, grouped: Mapping[str, KpiResults],
               target: float | None) -> pd.DataFrame:
    """One row per week or month of `compute_grouped`: the bucket's first day, its days inside the
    filter, the KPI at its grain, the target and the benchmark band."""
    band = catalogue.kpis[kpi_id].benchmark
    rows = [{
        "period": date.fromisoformat(key),
        "start": results.period.start,
        "end": results.period.end,
        "value": results.actual(kpi_id),
        "target": target,
        "band_low": band.low if band else None,
        "band_high": band.high if band else None,
    } for key, results in grouped.items()]
    return pd.DataFrame(rows, columns=["period", "start", "end", "value", "target", "band_low", "band_high"])


# ---------------------------------------------------------------- month-to-date pacing


@dataclass(frozen=True)
class PacingDay:
    day: date
    goal: float  # cumulative goal at the end of the day
    actual: float | None  # cumulative actual, up to the last day with data
    forecast: float | None  # cumulative forecast, from the last day with data to the month's end


@dataclass(frozen=True)
class Pacing:
    kpi_id: str
    month: date  # its first day
    as_of: date  # the last day with data in the month
    business_days_total: int
    elapsed: int  # business days up to and including as_of
    remaining: int
    active_reps: int  # reps with any activity in the month so far
    actual_to_date: float  # the team's total so far
    goal_to_date: float  # the goal line at as_of
    goal_month: float  # the team's goal for the whole month
    forecast: float | None  # month-end landing at the current pace; None before any business day
    forecast_vs_goal_pct: float | None  # forecast as percent of the month's goal, direction-aware
    days: tuple[PacingDay, ...]  # every calendar day of the month, for the chart


@dataclass(frozen=True)
class _Month:
    first: date
    last: date
    as_of: date
    active_reps: int
    business: tuple[date, ...]

    @property
    def elapsed(self) -> int:
        return sum(day <= self.as_of for day in self.business)


def daily_totals_sql(kpi: Kpi) -> str:
    """The KPI's team total per day of $start…$end for the reps in $reps, from the same measure
    (table, where, date column, column) the period value uses. A distinct count counts each value
    on the first day it appears, so the running sum is the distinct count to date."""
    measure = kpi.measure
    day = f'CAST("{measure.date_column}" AS DATE)'
    where = f"{day} BETWEEN $start AND $end AND {REP_FILTER}"
    if measure.where:
        where += f" AND ({measure.where})"
    if measure.count_distinct:
        return (f'SELECT day, count(*) FROM (SELECT min({day}) AS day FROM "{measure.table}" '
                f'WHERE {where} AND "{measure.count_distinct}" IS NOT NULL GROUP BY "{measure.count_distinct}") '
                "GROUP BY day")
    value = f'coalesce(sum("{measure.column}"), 0)' if kpi.type == "sum" else "count(*)"
    return f'SELECT {day} AS day, {value} FROM "{measure.table}" WHERE {where} GROUP BY day'


def phase_pacing(store: Store, catalogue: Catalogue, phase_id: str, filters: Filters,
                 targets: Mapping[str, float | None] | None = None,
                 company_holidays: Iterable[date] = ()) -> dict[str, Pacing]:
    """Month-to-date pacing of the phase's count and sum KPIs whose table is loaded, most important
    first; empty when the month of the filter's end date has no data."""
    month = _month(store, filters, company_holidays)
    if month is None:
        return {}
    paced = {}
    for entry in sorted(catalogue.phase(phase_id).kpis, key=lambda e: -e.importance):
        kpi = catalogue.kpis[entry.kpi]
        if kpi.type in PACED_TYPES and _loaded(store, kpi.measure.table):
            paced[entry.kpi] = _pace(store, entry.kpi, kpi, _target(entry, targets), month, filters.reps)
    return paced


def _month(store: Store, filters: Filters, company_holidays: Iterable[date]) -> _Month | None:
    """The month of the filter's end date (the data's last day by default), up to that date."""
    period = resolve_period(store, filters)
    if period is None:
        return None
    first = period.end.replace(day=1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    parts = " UNION ALL ".join(
        f'SELECT max(CAST("{s.date_column}" AS DATE)) AS day FROM "{s.rows_table}" '
        f'WHERE CAST("{s.date_column}" AS DATE) BETWEEN $start AND $end AND {REP_FILTER}' for s in TABLES.values())
    with store.lock:
        as_of = store.con.execute(f"SELECT max(day) FROM ({parts})",
                                  {"start": first, "end": period.end, "reps": list(filters.reps)}).fetchone()[0]
    if as_of is None:
        return None
    team = resolve_period(store, Filters(first, as_of, filters.reps))
    return _Month(first, last, as_of, team.active_reps, tuple(business_days(first, last, company_holidays)))


def _loaded(store: Store, table: str) -> bool:
    with store.lock:
        return store.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] > 0


def _pace(store: Store, kpi_id: str, kpi: Kpi, target: float, month: _Month, reps: tuple[str, ...]) -> Pacing:
    with store.lock:
        daily = {day: float(value) for day, value in store.con.execute(
            daily_totals_sql(kpi), {"start": month.first, "end": month.as_of, "reps": list(reps)}).fetchall()}
    total_days, elapsed = len(month.business), month.elapsed
    goal_month = target * _team_multiplier(kpi, total_days, month.active_reps)
    actual_to_date = sum(daily.values())
    pace = actual_to_date / elapsed if elapsed else None
    forecast = None if pace is None else actual_to_date + pace * (total_days - elapsed)
    days, running, done = [], 0.0, 0
    for offset in range((month.last - month.first).days + 1):
        day = month.first + timedelta(days=offset)
        done += day in month.business
        running += daily.get(day, 0.0)
        days.append(PacingDay(
            day=day,
            goal=goal_month * done / total_days if total_days else 0.0,
            actual=running if day <= month.as_of else None,
            forecast=actual_to_date + pace * (done - elapsed) if pace is not None and day >= month.as_of else None,
        ))
    return Pacing(
        kpi_id=kpi_id, month=month.first, as_of=month.as_of, business_days_total=total_days, elapsed=elapsed,
        remaining=total_days - elapsed, active_reps=month.active_reps, actual_to_date=actual_to_date,
        goal_to_date=goal_month * elapsed / total_days if total_days else 0.0, goal_month=goal_month,
        forecast=forecast, forecast_vs_goal_pct=achievement(forecast, goal_month, kpi.direction), days=tuple(days),
    )


def _team_multiplier(kpi: Kpi, business_days_total: int, active_reps: int) -> float:
    """What turns a target at the KPI's grain into the team's goal for the month: per rep per day ×
    business days × active reps; per rep per month × active reps; a monthly (or whole-period) target as is."""
    if kpi.grain == "per_rep_per_day":
        return business_days_total * active_reps
    if kpi.grain == "per_rep_per_month":
        return active_reps
    return 1.0


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class Alert:
    kpi_id: str
    basis: Literal["forecast", "current"]  # month-end forecast vs the month's goal, or the value vs target
    value: float
    target: float
    achievement: float  # percent of target, direction-aware


def alert_threshold_pct(catalogue: Catalogue, settings: Mapping[str, float | None] | None = None) -> float:
    value = settings_with_defaults(catalogue, settings).get(ALERT_SETTING)
    return DEFAULT_ALERT_THRESHOLD_PCT if value is None else value


def alerts(catalogue: Catalogue, phase_id: str, results: KpiResults, pacings: Mapping[str, Pacing],
           threshold_pct: float, targets: Mapping[str, float] | None = None) -> list[Alert]:
    """The phase's KPIs heading below `threshold_pct` of target, worst first. Count and sum KPIs are
    judged by their month-end forecast, the others (and any KPI without a forecast) by their value
    now. Lower-is-better KPIs are flagged above target ÷ threshold."""
    found = []
    for row in scorecard(catalogue, phase_id, results, targets):
        pacing = pacings.get(row.kpi_id)
        if pacing is not None and pacing.forecast is not None:
            basis, value, target, reached = "forecast", pacing.forecast, pacing.goal_month, pacing.forecast_vs_goal_pct
        else:
            basis, value, target, reached = "current", row.actual, row.target, row.achievement
        if reached is not None and round(reached, 9) < threshold_pct:  # 16.2 of 18 is 90 %, not 89.999…
            found.append(Alert(row.kpi_id, basis, value, target, reached))
    return sorted(found, key=lambda a: a.achievement)
