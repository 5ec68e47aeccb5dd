"""What the loaded data can compute: which needs of the catalogue (kpi_defs.yaml `needs`) it meets.

A field counts as present when some loaded file mapped it and some of that file's loaded rows has
a value in it (`loaded_files.given`, written by phasekpi/ingest.py); a constant the app filled in
(every row of a call log is a call) is not a field of the export. A value need
(`activities.channel=email`) is met when some loaded row has that value. A KPI whose needs are
not met is not computed at all: it has `gaps` instead of a value (phasekpi/metrics.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from phasekpi.catalogue import Catalogue, Kpi, SourcingRule
from phasekpi.needs import Need, parse_need
from phasekpi.schema import TABLES, Store


@dataclass(frozen=True)
class Gap:
    """Why a KPI cannot be computed: `table` has no rows (no options), or none of `options` is met,
    or (`unvalued`) the rows it sums have no value in `options[0]`'s field, or (`outside`) every row
    of `table` is dated outside the reporting window."""

    table: str
    options: tuple[Need, ...] = ()
    unvalued: bool = False
    outside: bool = False

    @property
    def key(self) -> str:
        return " | ".join(n.key for n in self.options) or self.table


@dataclass(frozen=True)
class Coverage:
    tables: frozenset[str]  # tables with rows
    given: frozenset[str]  # table.field with a value in some loaded row
    outside: frozenset[str]  # tables with rows, none of them dated inside the reporting window
    values: frozenset[str]  # table.field=value met
    sourcing: SourcingRule  # the rule that decides which deals are IS-sourced

    def met(self, need: Need) -> bool:
        if need.table not in self.tables:
            return False
        return need.key in (self.given if need.value is None else self.values)

    def gaps(self, kpi: Kpi) -> tuple[Gap, ...]:
        """The KPI's own unmet needs (its measure's table first); not those of the KPIs it is computed from."""
        gaps: list[Gap] = []
        if kpi.measure is not None and kpi.measure.table not in self.tables:
            return (Gap(kpi.measure.table),)
        if kpi.measure is not None and kpi.measure.table in self.outside:
            return (Gap(kpi.measure.table, outside=True),)
        for options in kpi.requirements:
            if not any(self.met(n) for n in options):
                gaps.append(Gap(options[0].table, tuple(options)))
        return tuple(gaps)


def data_coverage(store: Store, catalogue: Catalogue) -> Coverage:
    """The coverage of the store's rows, kept until they change (Store.version)."""
    key = ("coverage", store.version)
    if key not in store.memo:
        store.memo[key] = _measure(store, catalogue)
    return store.memo[key]


def _measure(store: Store, catalogue: Catalogue) -> Coverage:
    needs = {n for kpi in catalogue.kpis.values() for options in kpi.requirements for n in options}
    needs |= {n for rule in catalogue.sourcing if rule.when for n in parse_need(rule.when)}
    with store.lock:
        tables = frozenset(name for name, spec in TABLES.items()
                           if store.con.execute(f'SELECT count(*) > 0 FROM "{spec.rows_table}"').fetchone()[0])
        given = frozenset(f"{kind}.{name}" for kind, name in store.con.execute(
            "SELECT DISTINCT kind, unnest(given) FROM loaded_files").fetchall())
        values = set()
        for need in sorted((n for n in needs if n.value is not None and n.table in tables), key=lambda n: n.key):
            spec = TABLES[need.table]
            found = store.con.execute(f'SELECT bool_or("{need.field}" = ?) FROM "{spec.rows_table}"',
                                      [need.value]).fetchone()[0]
            if found:
                values.add(need.key)
    outside = frozenset(_outside_window(store, tables))
    coverage = Coverage(tables, given, outside, frozenset(values), catalogue.sourcing[-1])
    rule = next(r for r in catalogue.sourcing if r.when is None or any(coverage.met(n) for n in parse_need(r.when)))
    return Coverage(tables, given, outside, frozenset(values), rule)


def _outside_window(store: Store, tables: frozenset[str]) -> list[str]:
    """Loaded tables none of whose rows is dated inside the reporting window (deals created after
    the last activity, say): their counts over any part of the window would be a made-up zero."""
    window = data_range(store)
    if window is None:
        return []
    with store.lock:
        return [name for name in sorted(tables) if not store.con.execute(
            f'SELECT count(*) > 0 FROM "{TABLES[name].rows_table}" '
            f'WHERE CAST("{TABLES[name].date_column}" AS DATE) BETWEEN ? AND ?', list(window)).fetchone()[0]]


def data_range(store: Store) -> tuple[date, date] | None:
    """The reporting window: the activities' first and last day when activities are loaded (another
    table's dates never stretch it), else the first and last of the other tables' own dates and of
    their history dates (a won or lost deal's close date; an open deal's is a plan, not data)."""
    with store.lock:
        for tables in (("activities",), tuple(t for t in TABLES if t != "activities")):
            parts = []
            for spec in (TABLES[t] for t in tables):
                dates = [(spec.date_column, "true")] + ([spec.history_date] if spec.history_date and len(tables) > 1 else [])
                parts += [f'SELECT min(CAST("{column}" AS DATE)) AS lo, max(CAST("{column}" AS DATE)) AS hi '
                          f'FROM "{spec.rows_table}" WHERE {condition}' for column, condition in dates]
            lo, hi = store.con.execute(f"SELECT min(lo), max(hi) FROM ({' UNION ALL '.join(parts)})").fetchone()
            if lo is not None:
                return lo, hi
    return None


def table_spans(store: Store) -> dict[str, tuple[date, date]]:
    """Each loaded table's own first and last date (its date column)."""
    spans = {}
    with store.lock:
        for name, spec in TABLES.items():
            lo, hi = store.con.execute(f'SELECT min(CAST("{spec.date_column}" AS DATE)), '
                                       f'max(CAST("{spec.date_column}" AS DATE)) FROM "{spec.rows_table}"').fetchone()
            if lo is not None:
                spans[name] = (lo, hi)
    return spans
