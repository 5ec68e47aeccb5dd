"""Lead sources: how the leads of each source convert to MQL, SQL, opportunity and won (SPEC §8).

The leads created in the filtered period (reps filter on the lead's owner) are followed to their
opportunity whatever its date, so a source is judged by what its leads became. Counts are of
leads; the won amount sums each won opportunity once per source, even when several of the
source's leads point at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from phasekpi.schema import Store
from phasekpi.selection import REP_FILTER, Filters, resolve_period


@dataclass(frozen=True)
class SourceRow:
    source: str | None  # None: the lead carries no source
    leads: int
    mqls: int  # MQL or further (an SQL is also an MQL)
    sqls: int
    opportunities: int  # leads with an opportunity
    won: int  # leads whose opportunity was won
    won_amount: Decimal  # amount of the won opportunities these leads turned into

    @property
    def opportunity_rate(self) -> float | None:
        return _percent(self.opportunities, self.leads)

    @property
    def sql_rate(self) -> float | None:
        return _percent(self.sqls, self.leads)

    @property
    def mql_to_sql_rate(self) -> float | None:
        return _percent(self.sqls, self.mqls)


def lead_sources(store: Store, filters: Filters) -> list[SourceRow]:
    """One row per lead source of the filtered leads, most leads first (then by name)."""
    period = resolve_period(store, filters)
    if period is None:
        return []
    with store.lock:
        rows = store.con.execute(f"""
            WITH chosen AS (
                SELECT nullif(trim(source), '') AS source, is_mql, is_sql,
                       nullif(trim(opportunity_id), '') AS opportunity_id
                FROM leads
                WHERE CAST(created_at AS DATE) BETWEEN $start AND $end AND {REP_FILTER}
            ),
            won AS (
                SELECT opportunity_id, max(amount) AS amount FROM opportunities
                WHERE status = 'won' AND opportunity_id IS NOT NULL GROUP BY opportunity_id
            ),
            counted AS (
                SELECT source, count(*) AS leads, count(*) FILTER (WHERE is_mql) AS mqls,
                       count(*) FILTER (WHERE is_sql) AS sqls,
                       count(*) FILTER (WHERE opportunity_id IS NOT NULL) AS opportunities,
                       count(*) FILTER (WHERE opportunity_id IN (SELECT opportunity_id FROM won)) AS won
                FROM chosen GROUP BY source
            ),
            amounts AS (
                SELECT source, sum(amount) AS won_amount
                FROM (SELECT DISTINCT c.source, w.opportunity_id, w.amount FROM chosen c JOIN won w USING (opportunity_id))
                GROUP BY source
            )
            SELECT c.source, c.leads, c.mqls, c.sqls, c.opportunities, c.won, coalesce(a.won_amount, 0)
            FROM counted c LEFT JOIN amounts a ON a.source IS NOT DISTINCT FROM c.source
            ORDER BY c.leads DESC, c.source NULLS LAST
        """, {"start": period.start, "end": period.end, "reps": list(filters.reps)}).fetchall()
    return [SourceRow(*row) for row in rows]


def _percent(part: int, whole: int) -> float | None:
    return part / whole * 100 if whole else None
