"""Which weeks the loaded activities cover, so a weekly upload that was missed shows as a gap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from phasekpi.schema import Store


@dataclass(frozen=True)
class WeekCoverage:
    """Every week (its Monday) from the first activity's to the last one's, with its activities."""

    weeks: tuple[tuple[date, int], ...] = ()

    @property
    def gaps(self) -> tuple[date, ...]:
        """Weeks without a single activity between the first and the last."""
        return tuple(monday for monday, count in self.weeks if count == 0)


def week_coverage(store: Store) -> WeekCoverage:
    with store.lock:
        rows = store.con.execute("""
            WITH days AS (SELECT CAST(date_trunc('week', occurred_at) AS DATE) AS monday FROM activities
                          WHERE occurred_at IS NOT NULL),
                 span AS (SELECT min(monday) AS first, max(monday) AS last FROM days),
                 mondays AS (SELECT CAST(unnest(generate_series(first, last, INTERVAL 7 DAY)) AS DATE) AS monday
                             FROM span WHERE first IS NOT NULL)
            SELECT m.monday, count(d.monday) FROM mondays m LEFT JOIN days d USING (monday)
            GROUP BY m.monday ORDER BY m.monday
        """).fetchall()
    return WeekCoverage(tuple((monday, int(count)) for monday, count in rows))
