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
    position = {h: i for i, h in reversed(list(enumerate(header)))}
    cleaned = {c: casts.cleaned(f'"c{position[c]}"') for c in [day, *candidates]}
    own = known_formats(store, {c: (sql, False) for c, sql in cleaned.items()}, synonyms)
    if _probe(store, cleaned, [day], own, synonyms, sample=SAMPLE)[day][0]:  # times in the first rows: look no further
        return TimeChoice(day, None, "own_time")
    probes = _probe(store, cleaned, [day, *candidates], own, synonyms)
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


FORMAT_SAMPLE = 500  # rows a column's own date format is learnt from (a failing strptime costs ~1 µs)


def known_formats(store: Store, columns: dict[str, tuple[str, bool]], synonyms: Synonyms) -> dict[str, str | None]:
    """Per key of `columns` (the SQL of a cleaned text column over `staging`, and whether it reads
    day-first): the one strptime format that reads most of its first FORMAT_SAMPLE values exactly
    as the whole list of `casts.timestamp` does, and none differently; None when no format does
    (ISO dates, which the list reads first and cheaply, or mixed forms). Rows the format does not
    read still go through the whole list, so the format only makes reading faster, never different."""
    if not columns:
        return {}
    zone, zones = synonyms.parsing.timezone, synonyms.parsing.zones
    keys = list(columns)
    tried = {key: casts.formats_tried(columns[key][1]) for key in keys}
    cleaned = ", ".join(f'{columns[key][0]} AS "v{k}"' for k, key in enumerate(keys))
    parsed = ", ".join(f'{casts.timestamp(f"v{k}", zone, columns[key][1], zones)} AS "t{k}"'
                       + "".join(f', try_strptime("v{k}", {casts.literal(f)}) AS "s{k}_{j}"'
                                 for j, f in enumerate(tried[key])) for k, key in enumerate(keys))
    counts = ", ".join(f'count("s{k}_{j}") FILTER (WHERE "s{k}_{j}" = "t{k}"), '
                       f'count("s{k}_{j}") FILTER (WHERE "s{k}_{j}" IS DISTINCT FROM "t{k}")'
                       for k, key in enumerate(keys) for j in range(len(tried[key])))
    row = iter(store.con.execute(f"SELECT {counts} FROM (SELECT {parsed} FROM (SELECT {cleaned} FROM "
                                 f"(SELECT * FROM staging LIMIT {FORMAT_SAMPLE})))").fetchone())
    found: dict[str, str | None] = {}
    for key in keys:
        found[key], most = None, 0
        for candidate in tried[key]:
            agree, differ = next(row), next(row)
            if agree > most and not differ:  # a tie keeps the earlier format, as the list would
                found[key], most = candidate, agree
    return found


def _probe(store: Store, cleaned: dict[str, str], columns: list[str], own: dict[str, str | None], synonyms: Synonyms,
           sample: int | None = None) -> dict[str, tuple[bool, float | None, int]]:
    """Per header: does some value carry a time of day, and the share of rows (and how many) where
    its day equals the first header's; over the first `sample` rows, or all. `cleaned` is each
    header's cleaned SQL over staging, `own` its known format."""
    zone, zones = synonyms.parsing.timezone, synonyms.parsing.zones
    # Nested so each value is cleaned and parsed once, not once per aggregate that reads it.
    values = ", ".join(f'{cleaned[c]} AS "v{k}"' for k, c in enumerate(columns))
    parsed = ", ".join(f'{casts.timestamp(f"v{k}", zone, zones=zones, known_format=own[c])} AS "t{k}"'
                       for k, c in enumerate(columns))
    parts = []
    for k in range(len(columns)):
        value, both = f'"t{k}"', f'"t0" IS NOT NULL AND "t{k}" IS NOT NULL'
        parts += [f"coalesce(bool_or({value} <> date_trunc('day', {value})), false)",
                  f"count(*) FILTER (WHERE {both})",
                  f'count(*) FILTER (WHERE {both} AND CAST({value} AS DATE) = CAST("t0" AS DATE))']
    rows = f"(SELECT * FROM staging LIMIT {int(sample)})" if sample else "staging"
    row = store.con.execute(f"SELECT {', '.join(parts)} FROM (SELECT {parsed} FROM (SELECT {values} FROM {rows}))").fetchone()
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
