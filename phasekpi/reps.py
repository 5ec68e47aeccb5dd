"""Per-rep views: the leaderboard of the active phase and the skill gap between reps (SPEC §6, §10)."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, replace

from phasekpi.catalogue import Catalogue
from phasekpi.metrics import KpiResults, ScorecardRow, activity_total, scorecard


@dataclass(frozen=True)
class RepRow:
    rep: str
    cards: list[ScorecardRow]  # the phase's KPIs for this rep, in the phase's order
    average_achievement: float | None  # mean achievement of the KPIs that have one


def leaderboard(catalogue: Catalogue, phase_id: str, by_rep: Mapping[str, KpiResults],
                targets: Mapping[str, float] | None = None) -> list[RepRow]:
    """Each rep against the phase's targets, alphabetical: ranking is the reader's choice, not ours.
    A team target (an amount per month) is no rep's: the rep's value is shown without achievement."""
    order = [entry.kpi for entry in catalogue.phase(phase_id).kpis]
    rows = []
    for rep in sorted(by_rep):
        cards = sorted((replace(c, achievement=None) if catalogue.kpis[c.kpi_id].is_team else c
                        for c in scorecard(catalogue, phase_id, by_rep[rep], targets)), key=lambda r: order.index(r.kpi_id))
        reached = [c.achievement for c in cards if c.achievement is not None]
        rows.append(RepRow(rep, cards, statistics.fmean(reached) if reached else None))
    return rows


@dataclass(frozen=True)
class Spread:
    kpi_id: str
    values: dict[str, float]  # rep → value, reps with enough activity only
    low: float | None
    high: float | None
    mean: float | None
    variation: float | None  # coefficient of variation (stdev ÷ mean): the skill gap as one number

    @property
    def gap(self) -> float | None:
        return None if self.low is None or self.high is None else self.high - self.low


def rep_spread(catalogue: Catalogue, by_rep: Mapping[str, KpiResults]) -> list[Spread]:
    """How far apart reps are on the catalogue's key rates; reps with little activity are left out."""
    floor = catalogue.rep_spread.min_activity
    active = {rep: r for rep, r in by_rep.items() if activity_total(catalogue, r) >= floor}
    spreads = []
    for kpi_id in catalogue.rep_spread.kpis:
        values = {rep: r.actual(kpi_id) for rep, r in active.items() if r.actual(kpi_id) is not None}
        numbers = list(values.values())
        mean = statistics.fmean(numbers) if numbers else None
        variation = statistics.pstdev(numbers) / mean if len(numbers) > 1 and mean else None
        spreads.append(Spread(kpi_id, values, min(numbers, default=None), max(numbers, default=None), mean, variation))
    return spreads
