"""Calling slots: connect and appointment rates by weekday × hour of day (SPEC §8, seed 003).

DuckDB counts the calls of each slot; this module names the best slots. A call whose export gives
only its date (`has_time` false: a date-only column, or a date-time column that disagrees with the
activity date, see phasekpi/ingest.py) stays out of the grid and is counted apart instead of piling
up at 0:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from phasekpi.display import format_number
from phasekpi.messages import t
from phasekpi.schema import Store
from phasekpi.selection import REP_FILTER, Filters, resolve_period

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = weekday number, Monday = 0
MIN_CALLS = 30  # a slot with fewer calls is too small to call best
SlotMetric = Literal["connects_per_call", "appointments_per_call"]  # texts: insights.slots.*.<metric>
SLOT_METRICS: tuple[SlotMetric, ...] = get_args(SlotMetric)


@dataclass(frozen=True)
class SlotCell:
    weekday: int  # 0 = Monday … 6 = Sunday
    hour: int  # 0–23, the hour the call started
    calls: int
    connects: int
    appointments: int

    @property
    def connects_per_call(self) -> float:
        """Connects per call, in percent."""
        return self.connects / self.calls * 100

    @property
    def appointments_per_call(self) -> float:
        """Appointments per call, in percent: a slot is judged by what its calls bring."""
        return self.appointments / self.calls * 100

    def rate(self, metric: SlotMetric) -> float:
        return self.connects_per_call if metric == "connects_per_call" else self.appointments_per_call


@dataclass(frozen=True)
class CallSlots:
    cells: list[SlotCell]  # slots with at least one call, by weekday then hour
    untimed_calls: int  # calls without a time of day, left out of the cells


def call_slots(store: Store, filters: Filters) -> CallSlots:
    """Calls, connects and appointments of every weekday × hour with calls in the filtered period."""
    period = resolve_period(store, filters)
    if period is None:
        return CallSlots([], 0)
    params = {"start": period.start, "end": period.end, "reps": list(filters.reps)}
    with store.lock:
        rows = store.con.execute(f"""
            SELECT isodow(occurred_at) - 1 AS weekday, hour(occurred_at) AS hour, count(*),
                   count(*) FILTER (WHERE is_connected), count(*) FILTER (WHERE is_appointment)
            FROM activities
            WHERE is_call AND activity_date BETWEEN $start AND $end AND {REP_FILTER} AND has_time
            GROUP BY ALL ORDER BY weekday, hour
        """, params).fetchall()
        untimed = store.con.execute(f"""
            SELECT count(*) FROM activities
            WHERE is_call AND activity_date BETWEEN $start AND $end AND {REP_FILTER} AND NOT has_time
        """, params).fetchone()[0]
    return CallSlots([SlotCell(*row) for row in rows], untimed)


def best_slots(cells: list[SlotCell], metric: SlotMetric = "connects_per_call", min_calls: int = MIN_CALLS,
               count: int = 3) -> list[SlotCell]:
    """The slots with the highest rate among those with at least `min_calls` calls, best first.

    Ties go to the slot with more calls (the surer number), then to the earlier slot of the week."""
    eligible = [c for c in cells if c.calls >= min_calls]
    return sorted(eligible, key=lambda c: (-c.rate(metric), -c.calls, c.weekday, c.hour))[:count]


def slot_name(cell: SlotCell, lang: str) -> str:
    """`火 16:00` / `Tue 16:00`."""
    return f"{t(f'insights.weekday.{WEEKDAYS[cell.weekday]}', lang)} {cell.hour}:00"


def best_slots_text(cells: list[SlotCell], metric: SlotMetric, lang: str) -> str:
    """The best slot in a sentence, and the runners-up after it."""
    best, *others = cells
    text = t(f"insights.slots.best.{metric}", lang, slot=slot_name(best, lang),
             rate=format_number(best.rate(metric), "percent", lang), calls=f"{best.calls:,}")
    if others:
        listed = t("insights.list_separator", lang).join(
            t("insights.slots.other", lang, slot=slot_name(c, lang), rate=format_number(c.rate(metric), "percent", lang),
              calls=f"{c.calls:,}") for c in others)
        text += "\n\n" + t("insights.slots.next", lang, slots=listed)
    return text
