"""Opportunity quality score (商談品質スコア, SPEC §5): per opportunity with its four parts, per rep,
as a distribution in 10-point bins, and the team average against its target.

The score itself comes from the `opportunities` view (the export's own quality_score wins over the
four items); the parts are looked up from the same rubric tables the view reads. Opportunities
count by their creation date; the reps filter applies to the IS rep who created them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from phasekpi.catalogue import QUALITY_SCORE, Catalogue
from phasekpi.metrics import target_of
from phasekpi.schema import Store, bant_points_sql
from phasekpi.selection import REP_FILTER, Filters, resolve_period

KPI = QUALITY_SCORE
DEFAULT_TARGET = 75.0  # SPEC §4, growth phase: "≥ 75 points"
BIN_WIDTH = 10
BINS = 10  # 0–9, 10–19, … 90–100: a perfect 100 joins the top bin
SCOPE = f'CAST(created_at AS DATE) BETWEEN $start AND $end AND {REP_FILTER} AND quality_score IS NOT NULL'


@dataclass(frozen=True)
class ScoredOpportunity:
    opportunity_id: str | None
    created_at: datetime
    rep: str | None
    bant_confirmed: int
    bant_points: int | None  # None: no quality item at all (the score was given as is)
    need_points: int | None  # None for a part: missing or not a rubric answer, which scores 0
    decision_points: int | None
    next_action_points: int | None
    score: float
    given: bool  # the export's own quality_score, which differs from the sum of the parts


@dataclass(frozen=True)
class RepQuality:
    rep: str | None
    scored: int
    average: float
    at_target: int

    @property
    def share_at_target(self) -> float:
        return self.at_target / self.scored * 100


@dataclass(frozen=True)
class ScoreBin:
    low: int
    high: int  # inclusive upper bound of the label; the top bin also holds 100
    count: int


@dataclass(frozen=True)
class QualityReport:
    target: float
    scored: int  # opportunities with a score
    average: float | None
    at_target: int
    reps: list[RepQuality]  # by rep name; an opportunity without rep comes last
    bins: list[ScoreBin]
    lowest: list[ScoredOpportunity]  # the weakest hand-overs first

    @property
    def share_at_target(self) -> float | None:
        return self.at_target / self.scored * 100 if self.scored else None


def quality_target(catalogue: Catalogue, phase_id: str, targets: Mapping[str, Mapping[str, float]] | None = None) -> float:
    """The quality-score target of the active phase, else of the first phase that tracks it; a user's
    target for that phase wins over the catalogue's."""
    phases = [catalogue.phase(phase_id), *catalogue.phases]
    for phase in phases:
        entry = next((e for e in phase.kpis if e.kpi == KPI), None)
        if entry is not None:
            return target_of(entry, (targets or {}).get(phase.id))
    return DEFAULT_TARGET


def quality_report(store: Store, catalogue: Catalogue, filters: Filters, target: float = DEFAULT_TARGET,
                   lowest: int = 100) -> QualityReport:
    """Every view of the score over the filtered opportunities; `lowest` caps the per-opportunity list."""
    period = resolve_period(store, filters)
    if period is None:
        return QualityReport(target, 0, None, 0, [], _bins({}), [])
    params = {"start": period.start, "end": period.end, "reps": list(filters.reps)}
    bant = bant_points_sql(catalogue)
    with store.lock:
        con = store.con
        scored, average, at_target = con.execute(
            f"SELECT count(*), avg(quality_score), count(*) FILTER (WHERE quality_score >= $target) "
            f"FROM opportunities WHERE {SCOPE}", {**params, "target": target}).fetchone()
        reps = con.execute(
            f"SELECT rep, count(*), avg(quality_score), count(*) FILTER (WHERE quality_score >= $target) "
            f"FROM opportunities WHERE {SCOPE} GROUP BY rep ORDER BY rep NULLS LAST", {**params, "target": target}).fetchall()
        bins = con.execute(
            f"SELECT least(greatest(CAST(floor(quality_score / {BIN_WIDTH}) AS INTEGER), 0), {BINS - 1}), count(*) "
            f"FROM opportunities WHERE {SCOPE} GROUP BY ALL", params).fetchall()
        rows = con.execute(f"""
            SELECT opportunity_id, created_at, rep, bant_confirmed,
                   CASE WHEN has_quality_items THEN {bant} END, n.points, d.points, x.points, quality_score,
                   quality_score IS DISTINCT FROM CASE WHEN has_quality_items THEN
                       {bant} + coalesce(n.points, 0) + coalesce(d.points, 0) + coalesce(x.points, 0) END
            FROM opportunities o
            LEFT JOIN quality_points n ON n.item = 'need' AND n.answer = lower(o.need_level)
            LEFT JOIN quality_points d ON d.item = 'decision_process' AND d.answer = lower(o.decision_process)
            LEFT JOIN quality_points x ON x.item = 'next_action' AND x.answer = lower(o.next_action)
            WHERE {SCOPE}
            ORDER BY quality_score, created_at, opportunity_id LIMIT $lowest
        """, {**params, "lowest": lowest}).fetchall()
    return QualityReport(target, scored, average, at_target, [RepQuality(*row) for row in reps], _bins(dict(bins)),
                         [ScoredOpportunity(*row) for row in rows])


def _bins(counts: Mapping[int, int]) -> list[ScoreBin]:
    """All ten bins in order, empty ones included, so the histogram's axis never jumps."""
    top = BINS - 1
    return [ScoreBin(i * BIN_WIDTH, BINS * BIN_WIDTH if i == top else (i + 1) * BIN_WIDTH - 1, counts.get(i, 0))
            for i in range(BINS)]
