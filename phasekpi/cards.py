"""What a dashboard card says besides actual against target: the change since the previous period
of equal length, and the last weeks' values drawn as a sparkline beside the target.

Both are honest about absence: a previous period that is not wholly inside the loaded data gives
no change (a half-covered period would read as a fall), and a KPI the data cannot give, or a
share over 100 %, has neither a change nor a line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from phasekpi.catalogue import Catalogue
from phasekpi.metrics import KpiResults, ScorecardRow
from phasekpi.selection import Filters

SPARK_WEEKS = 8  # the sparkline's span: two months of weekly reviews
COMPARABLE = ("good", "warning", "bad")  # statuses whose actual is a number worth comparing


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


def previous_filters(filters: Filters, start: date, end: date, first_day: date) -> Filters | None:
    """The period of the same length just before `start`…`end` with the same reps, or None when it
    would begin before the data's first day."""
    length = (end - start).days + 1
    previous_start = start - timedelta(days=length)
    if previous_start < first_day:
        return None
    return Filters(previous_start, start - timedelta(days=1), filters.reps)


def build_cards(catalogue: Catalogue, rows: list[ScorecardRow], previous: KpiResults | None,
                weekly: Mapping[str, KpiResults]) -> list[Card]:
    """The scorecard rows with their change and their values in the last `SPARK_WEEKS` weeks that
    hold any rows (`weekly` is keyed by week start, oldest first)."""
    recent = list(weekly.items())[-SPARK_WEEKS:]
    cards = []
    for row in rows:
        if row.status not in COMPARABLE:
            cards.append(Card(row, None))
            continue
        before = _comparable(catalogue, previous, row.kpi_id)
        weeks = tuple((date.fromisoformat(key), value) for key, results in recent
                      if (value := _comparable(catalogue, results, row.kpi_id)) is not None)
        cards.append(Card(row, before, weeks))
    return cards


def _comparable(catalogue: Catalogue, results: KpiResults | None, kpi_id: str) -> float | None:
    """The KPI's value when the data could give it and it is plausible, else None (never a zero)."""
    if results is None or results.gaps(kpi_id):
        return None
    value = results.actual(kpi_id)
    if value is not None and catalogue.kpis[kpi_id].is_share and value > 100:
        return None
    return value
