"""What the user looks at: the filters (dates, reps), the reporting period they resolve to, and the
one condition that puts a measure's rows into it — used alike by the KPIs (phasekpi.metrics), the
drill-down behind each number and every breakdown, so "the drill-down total equals the KPI" holds by
construction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from phasekpi.catalogue import Kpi
from phasekpi.coverage import Coverage, data_range
from phasekpi.schema import TABLES, Store

DAYS_PER_MONTH = 365.25 / 12
REP_FILTER = "(len($reps) = 0 OR list_contains($reps, rep))"


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the data to; empty means everything."""

    start: date | None = None
    end: date | None = None
    reps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    rep_days: int
    active_reps: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        return self.days / DAYS_PER_MONTH


def rep_names(store: Store) -> list[str]:
    parts = " UNION ".join(f'SELECT rep FROM "{s.rows_table}"' for s in TABLES.values())
    with store.lock:
        return [r[0] for r in store.con.execute(f"SELECT rep FROM ({parts}) WHERE rep IS NOT NULL ORDER BY rep").fetchall()]


def resolve_period(store: Store, filters: Filters) -> Period | None:
    """The filter's dates, defaulting to the data's range, with its rep-days and active reps."""
    bounds = data_range(store)
    if bounds is None:
        return None
    start = filters.start or bounds[0]
    end = filters.end or bounds[1]
    if end < start:
        return None
    with store.lock:
        rep_days, active_reps = store.con.execute(f"""
            SELECT count(DISTINCT (rep, activity_date)), count(DISTINCT rep) FROM activities
            WHERE activity_date BETWEEN $start AND $end AND {REP_FILTER}
        """, {"start": start, "end": end, "reps": list(filters.reps)}).fetchone()
    return Period(start, end, rep_days, active_reps)


def measure_condition(kpi: Kpi, coverage: Coverage | None = None) -> str:
    """The rows of a count, sum or score KPI: its date column in the period ($start, $end), its
    `where`, and for a `sourced_only` KPI the IS-sourced deals (the catalogue's sourcing rule)."""
    measure = kpi.measure
    condition = f'CAST("{measure.date_column}" AS DATE) BETWEEN $start AND $end'
    if measure.where:
        condition += f" AND ({measure.where})"
    if kpi.sourced_only and coverage is not None:
        condition += f" AND ({coverage.sourcing.where})"
    return condition
