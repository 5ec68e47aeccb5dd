"""Drill-down (SPEC §10): the rows behind a count or sum KPI, one page at a time.

A KPI's `measure` says which table, which rows (`where`) and which date puts a row in the period;
the same condition as the KPI's own aggregate (`selection.measure_condition`, with the IS-sourced rule
of a `sourced_only` KPI) plus the session's filters picks the rows here, so
the total number of rows equals the KPI's period total (a `count_distinct` KPI shows one row per
distinct value: its first row in the period). Rows come in date order; DuckDB pages them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

import pandas as pd

from phasekpi.catalogue import Catalogue
from phasekpi.codes import code_text, column_of, flag_text
from phasekpi.coverage import Gap, data_coverage
from phasekpi.display import DEFAULT_CURRENCY, format_number
from phasekpi.messages import messages, t
from phasekpi.repnames import rep_label
from phasekpi.schema import TABLES, Column, Store
from phasekpi.selection import REP_FILTER, Filters, measure_condition, resolve_period

PAGE_SIZE = 50
FLAGS = {  # what the views add and a reader may want to check a row against
    "activities": ("is_connected", "is_effective", "is_appointment"),
    "leads": ("is_mql", "is_sql"),
    "opportunities": ("bant_confirmed",),
}
ORIGIN = ("source_file", "source_row")  # where the row came from, to find it in the export
PERSON_COLUMNS = ("rep", "owner")  # columns that may hold a CRM user id a user list names


@dataclass(frozen=True)
class DrillPage:
    kpi_id: str
    table: str  # the canonical table the rows come from
    columns: list[str]  # the table's columns that hold a value anywhere in the selection
    rows: list[tuple]
    total: int  # rows behind the KPI over the whole selection
    page: int  # 1-based, within 1 … pages
    pages: int
    page_size: int
    amount: Decimal | float | None  # a sum KPI's total over the selection; None for counts
    gaps: tuple[Gap, ...] = ()  # why the KPI cannot be computed from this data (then there are no rows)

    @property
    def first_row(self) -> int:
        """1-based number of the page's first row (0 when there is none)."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0


def drillable_kpis(catalogue: Catalogue) -> list[str]:
    """The catalogue's KPIs that are a number of rows or a sum over rows, in catalogue order."""
    return [k for k, kpi in catalogue.kpis.items() if kpi.type in ("count", "sum") and kpi.measure]


def drill_target(catalogue: Catalogue, kpi_id: str) -> str | None:
    """The KPI whose rows stand behind `kpi_id`: itself when it counts or sums rows, a rate's
    numerator when that does (connect rate → connects); None for scores and derived values."""
    drillable = drillable_kpis(catalogue)
    if kpi_id in drillable:
        return kpi_id
    numerator = catalogue.kpis[kpi_id].numerator
    return numerator if numerator in drillable else None


def drill_rows(store: Store, catalogue: Catalogue, kpi_id: str, filters: Filters, page: int = 1,
               page_size: int = PAGE_SIZE) -> DrillPage:
    """One page of the rows behind `kpi_id` under the filters, with their total count."""
    if kpi_id not in drillable_kpis(catalogue):
        raise ValueError(f"{kpi_id!r} is not a count or sum KPI of the catalogue")
    kpi = catalogue.kpis[kpi_id]
    measure = kpi.measure
    spec = TABLES[measure.table]
    period = resolve_period(store, filters)
    coverage = data_coverage(store, catalogue)
    if period is None or coverage.gaps(kpi):
        return DrillPage(kpi_id, spec.name, [], [], 0, 1, 1, page_size, None, coverage.gaps(kpi))
    date = f'"{measure.date_column}"'
    condition = f"{measure_condition(kpi, coverage)} AND {REP_FILTER}"
    first_only = ""
    if measure.count_distinct:
        distinct = f'"{measure.count_distinct}"'
        condition += f" AND {distinct} IS NOT NULL"
        first_only = f"QUALIFY row_number() OVER (PARTITION BY {distinct} ORDER BY {date}, source_file, source_row) = 1"
    selection = f'SELECT * FROM "{spec.name}" WHERE {condition} {first_only}'
    candidates = [c.name for c in spec.columns if c.name != spec.time_flag] + list(FLAGS[spec.name]) + list(ORIGIN)
    filled = ", ".join(f'count("{c}")' for c in candidates)
    amount = f'sum("{measure.column}")' if kpi.type == "sum" else "NULL"
    params = {"start": period.start, "end": period.end, "reps": list(filters.reps)}
    with store.lock:
        total, summed, *counts = store.con.execute(f"SELECT count(*), {amount}, {filled} FROM ({selection})",
                                                   params).fetchone()
        columns = [c for c, n in zip(candidates, counts, strict=True) if n]
        pages = max(1, math.ceil(total / page_size))
        page = min(max(1, page), pages)
        shown = ", ".join(f'"{c}"' for c in columns)
        rows = store.con.execute(
            f"SELECT {shown} FROM ({selection}) "
            f"ORDER BY {date}, source_file, source_row LIMIT $limit OFFSET $offset",
            {**params, "limit": page_size, "offset": (page - 1) * page_size}).fetchall() if total else []
    return DrillPage(kpi_id, spec.name, columns, rows, total, page, pages, page_size,
                     (summed or 0) if kpi.type == "sum" else None)


def column_label(column: str, lang: str) -> str:
    """A canonical field's name as the column mapping shows it, else the drill-down's own word."""
    key = f"field.{column}"
    return t(key if key in messages() else f"drill.col.{column}", lang)


def cell_text(value: object, lang: str, column: Column | None = None, currency: str = DEFAULT_CURRENCY) -> str:
    """A value as a person reads it: dates without a midnight clock, money in the team's currency,
    flags and the column's codes in words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return flag_text(value, lang)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time() else "%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return format_number(float(value), "yen", lang, currency=currency)
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0")
    return code_text(column, str(value), lang)


def drill_table(page: DrillPage, lang: str, names: Mapping[str, str] | None = None,
                currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """The page's rows as text under human column names; our codes in words, reps and owners by
    their names (phasekpi.repnames)."""
    columns = [column_of(page.table, c) for c in page.columns]
    named = [c in PERSON_COLUMNS for c in page.columns]
    texts = [[cell_text(v, lang, c, currency) for v, c in zip(row, columns, strict=True)] for row in page.rows]
    return pd.DataFrame([[rep_label(text, names or {}) if person else text for text, person in zip(row, named, strict=True)]
                         for row in texts],
                        columns=[column_label(c, lang) for c in page.columns])
