"""What a dashboard card says besides actual against target: the change since the previous period
of equal length, and the last weeks' values drawn as a sparkline beside the target.

Both are honest about absence: a previous period that is not wholly inside the KPI's own tables
gives no change (a half-covered period would read as a rise), a week cut short by the period's
edge is no point on the line, and a KPI the data cannot give, or a share over 100 %, has neither."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from phasekpi.catalogue import Catalogue
from phasekpi.expressions import kpi_dependencies
from phasekpi.metrics import KpiResults, ScorecardRow
from phasekpi.selection import Filters

SPARK_WEEKS = 8  # the sparkline's span: two months of weekly reviews
WEEK_DAYS = 7  # a week cut short by the period's edge would scale a day or two up to a month
UNCOMPARABLE = ("unavailable", "implausible")  # no number, or a share over 100 %: nothing to compare


@dataclass(frozen=True)
class Card:
    row: ScorecardRow
    previous: float | None  # the KPI over the previous period of equal length; None when not comparable
    weeks: tuple[tuple[date, float], ...] = ()  # (week start, value at the KPI's grain), oldest first

    @property
    def change(self) -> float | None:
        """Actual minus previous, in the KPI's unit (points for a rate)."""
        if self.row.actual is None or self.previous is None:
            return None
        return self.row.actual - self.previous


def previous_filters(filters: Filters, start: date, end: date) -> Filters:
    """The period of the same length just before `start`…`end`, with the same reps."""
    length = (end - start).days + 1
    return Filters(start - timedelta(days=length), start - timedelta(days=1), filters.reps)


def kpi_tables(catalogue: Catalogue, kpi_id: str) -> set[str]:
    """The tables a KPI's value is counted from, through the KPIs it is computed from."""
    kpi = catalogue.kpis[kpi_id]
    if kpi.measure is not None:
        return {kpi.measure.table}
    parts = kpi_dependencies(kpi.model_dump()) & set(catalogue.kpis)
    return set().union(*(kpi_tables(catalogue, part) for part in parts))


def build_cards(catalogue: Catalogue, rows: list[ScorecardRow], previous: KpiResults | None,
                weekly: Mapping[str, KpiResults], first_days: Mapping[str, date]) -> list[Card]:
    """The scorecard rows with their change and their last `SPARK_WEEKS` whole weeks (`weekly` keyed
    by week start, oldest first). A period or week that begins before the first day of any table the
    KPI is counted from is not compared: deals exported from April have no March to fall from."""
    cards = []
    for row in rows:
        if row.status in UNCOMPARABLE:
            cards.append(Card(row, None))
            continue
        tables = kpi_tables(catalogue, row.kpi_id)
        known_from = max((first_days[t] for t in tables if t in first_days), default=None)

        def covered(results: KpiResults, since: date | None = known_from) -> bool:
            return since is not None and results.period.start >= since

        before = _comparable(catalogue, previous, row.kpi_id) if previous is not None and covered(previous) else None
        whole = [(key, results) for key, results in weekly.items() if results.period.days == WEEK_DAYS and covered(results)]
        weeks = tuple((date.fromisoformat(key), value) for key, results in whole[-SPARK_WEEKS:]
                      if (value := _comparable(catalogue, results, row.kpi_id)) is not None)
        cards.append(Card(row, before, weeks))
    return cards


def _comparable(catalogue: Catalogue, results: KpiResults | None, kpi_id: str) -> float | None:
    """The KPI's value when the data could give it and it is plausible, else None (never a zero)."""
    if results is None or results.gaps(kpi_id):
        return None
    value = results.actual(kpi_id)
    return None if catalogue.kpis[kpi_id].exceeds_share(value) else value
