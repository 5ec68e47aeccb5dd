"""Which column gives an activity's day and its time of day.

Activity exports often carry a date-only column (Salesforce 期日 / ActivityDate, Zoho Due Date)
beside a date-time one (作成日 / CreatedDate, Created Time). Every header that may give the date
field is a candidate (`mapping.date_candidates`). When the mapped column holds dates only, the
first candidate holding times whose day agrees with it on at least AGREEMENT of the rows gives
the time of day; on the rows where the two disagree, the mapped column keeps the day and the hour
is unknown (`has_time` false: those rows stay out of the hour-of-day heatmap). When no candidate
agrees that well, every hour is unknown. A user's explicit choice (`Mapping.time_from`) is taken
as it is, still only on the rows where the days agree.
"""

from __future__ import annotations

from phasekpi import casts
from phasekpi.mapping import Mapping, Synonyms, date_candidates
from phasekpi.problems import TimeChoice
from phasekpi.schema import TABLES, Store

AGREEMENT = 0.95
SAMPLE = 20_000  # rows that show whether the mapped column holds times (most exports say so at once)


def choose_time(store: Store, header: tuple[str, ...], mapping: Mapping, synonyms: Synonyms) -> TimeChoice | None:
    """The choice for `mapping`'s date field over the rows in `staging`; None for a table without
    a time-of-day flag or a file without its date field."""
    spec = TABLES[mapping.kind]
    day = mapping.columns.get(spec.date_column)
    if spec.time_flag is None or day is None:
        return None
    chosen = mapping.time_from.get(spec.date_column)
    candidates = [chosen] if chosen else [] if chosen == "" else [
        h for h in date_candidates(mapping.kind, header, synonyms) if h != day]
    if _probe(store, header, [day], synonyms, sample=SAMPLE)[day][0]:  # times in the first rows: no need to look further
        return TimeChoice(day, None, "own_time")
    probes = _probe(store, header, [day, *candidates], synonyms)
    if probes[day][0]:
        return TimeChoice(day, None, "own_time")
    timed = [(c, *probes[c][1:]) for c in candidates if probes[c][0]]
    if chosen == "":
        return TimeChoice(day, None, "none_chosen")
    if chosen and timed:
        return TimeChoice(day, chosen, "chosen", chosen, *timed[0][1:])
    agreeing = [(c, share, compared) for c, share, compared in timed if compared and share >= AGREEMENT]
    if agreeing:
        return TimeChoice(day, agreeing[0][0], "agrees", *agreeing[0])
    if timed:
        return TimeChoice(day, None, "disagrees", *timed[0])
    return TimeChoice(day, None, "date_only")


def _probe(store: Store, header: tuple[str, ...], columns: list[str], synonyms: Synonyms,
           sample: int | None = None) -> dict[str, tuple[bool, float | None, int]]:
    """Per header: does some value carry a time of day, and the share of rows (and how many) where
    its day equals the first header's; over the first `sample` rows, or all."""
    position = {h: i for i, h in reversed(list(enumerate(header)))}
    zone, zones = synonyms.parsing.timezone, synonyms.parsing.zones
    # Nested so each value is cleaned and parsed once, not once per aggregate that reads it.
    cleaned = ", ".join(f'{casts.cleaned(f"c{position[c]}")} AS "v{k}"' for k, c in enumerate(columns))
    parsed = ", ".join(f'{casts.timestamp(f"v{k}", zone, zones=zones)} AS "t{k}"' for k in range(len(columns)))
    parts = []
    for k in range(len(columns)):
        value, both = f'"t{k}"', f'"t0" IS NOT NULL AND "t{k}" IS NOT NULL'
        parts += [f"coalesce(bool_or({value} <> date_trunc('day', {value})), false)",
                  f"count(*) FILTER (WHERE {both})",
                  f'count(*) FILTER (WHERE {both} AND CAST({value} AS DATE) = CAST("t0" AS DATE))']
    rows = f"(SELECT * FROM staging LIMIT {int(sample)})" if sample else "staging"
    row = store.con.execute(f"SELECT {', '.join(parts)} FROM (SELECT {parsed} FROM (SELECT {cleaned} FROM {rows}))").fetchone()
    found = {}
    for index, column in enumerate(columns):
        timed, compared, agreeing = row[3 * index: 3 * index + 3]
        found[column] = (bool(timed), agreeing / compared if compared else None, int(compared))
    return found


def time_columns_sql(choice: TimeChoice | None, day_sql: str, time_sql: str | None) -> tuple[str, str]:
    """(date field, has_time) over the typed day and time-column values: the time column's value
    where its day agrees (or the day is missing), else the day column's. A value at exactly midnight
    has no time of day (a date written alone, or Excel's 0:00 of a date cell)."""
    if choice is None:
        return day_sql, "CAST(NULL AS BOOLEAN)"
    if time_sql is None:
        timed = f"coalesce({day_sql} <> date_trunc('day', {day_sql}), false)"
        return day_sql, timed if choice.reason == "own_time" else "false"
    agrees = f"{time_sql} IS NOT NULL AND ({day_sql} IS NULL OR CAST({time_sql} AS DATE) = CAST({day_sql} AS DATE))"
    timed = f"coalesce({agrees} AND {time_sql} <> date_trunc('day', {time_sql}), false)"
    return f"CASE WHEN {agrees} THEN {time_sql} ELSE {day_sql} END", timed
