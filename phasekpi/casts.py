"""SQL that turns exported text into typed values, NULL when a value does not parse.

Every function takes the SQL of a text column and returns the SQL of its typed value, so DuckDB
does the parsing for a million rows at once. `number`, `timestamp` and `duration` expect the
column already `cleaned` (computed once per column, not in every branch that reads it). Values
written in the catalogue YAML are quoted with `literal`; nothing here ever sees user input
other than as column data.
"""

from __future__ import annotations

from collections.abc import Mapping

FULL_WIDTH = "０１２３４５６７８９．，－＋％：／　"
HALF_WIDTH = "0123456789.,-+%:/ "
TIMESTAMP_FORMATS = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y年%m月%d日%H時%M分",
    "%d %b, %Y %H:%M:%S", "%d %b, %Y %H:%M", "%d %b, %Y", "%d %b %Y", "%b %d, %Y", "%Y.%m.%d",
)
# An English-locale Salesforce report writes `11/16/2026 9:05 PM`; HubSpot `Nov 16, 2026 9:05 PM`.
CLOCK_12 = ("%b %d, %Y %I:%M %p", "%Y-%m-%d %I:%M %p", "%Y/%m/%d %I:%M %p")
MONTH_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y",
               "%m/%d/%y")
DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p", "%d/%m/%Y",
             "%d/%m/%y")
EXCEL_EPOCH = "1899-12-30"  # Excel's day 0 (it counts the non-existent 29 Feb 1900)
EXCEL_SERIALS = (20000, 80000)  # 1954-10-03 .. 2119-01-10: a bare number here is a date


BLANKS = "' \t\r\n\u00a0\u3000'"  # trimmed from both ends: a tab or full-width space around a word is not part of it
CONTROL_BLANKS = (9, 10, 13)  # the blanks DuckDB's plain trim keeps (it trims Unicode spaces only)


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def trimmed(column: str) -> str:
    """Blanks (spaces, tabs, line breaks, NBSP, full-width spaces) off both ends. The plain trim
    (Unicode spaces) is several times faster than a trim by a list of characters, so the list is
    used only on values holding a tab or a line break."""
    controls = " OR ".join(f"contains({column}, chr({code}))" for code in CONTROL_BLANKS)
    return f"(CASE WHEN {controls} THEN trim({column}, {BLANKS}) ELSE trim({column}) END)"


def cleaned(column: str) -> str:
    """Trimmed, full-width digits and signs folded to ASCII, empty as NULL. `translate` is slow, so
    only values holding a full-width character it folds go through it."""
    folded = f"CASE WHEN strlen({column}) = length({column}) OR NOT regexp_matches({column}, '[{FULL_WIDTH}]') " \
             f"THEN {column} ELSE translate({column}, '{FULL_WIDTH}', '{HALF_WIDTH}') END"
    return f"nullif({trimmed(f'({folded})')}, '')"


def text(column: str) -> str:
    return f"nullif({trimmed(column)}, '')"


def number(column: str) -> str:
    """`1,200` `¥1,200,000` `$22,700.00` `JPY 5,000` `１２０` `15%` → a number (percent as points)."""
    stripped = f"regexp_replace({column}, '^(JPY|USD|EUR)|(JPY|USD|円)$|[,¥￥$€%\\s]', '', 'g')"
    parsed = f"try_cast({stripped} AS DOUBLE)"
    return f"(CASE WHEN isfinite({parsed}) THEN {parsed} END)"  # NaN and Infinity are not amounts


def decimal_comma(column: str) -> str:
    """Continental numbers as ASCII: `1.234,56` → `1234.56`, `1,5` → `1.5`, `2.000.000` → `2000000`
    (for `;`-separated files, where a comma is the decimal mark)."""
    value = column
    return (f"(CASE WHEN regexp_full_match({value}, '[^,]*\\d,\\d+[^,.]*') "
            f"THEN replace(replace({value}, '.', ''), ',', '.') "
            f"WHEN regexp_full_match({value}, '-?\\d{{1,3}}(\\.\\d{{3}})+') THEN replace({value}, '.', '') "
            f"ELSE {value} END)")


def formats_tried(day_first: bool = False) -> tuple[str, ...]:
    """The strptime formats `timestamp` tries, in its order."""
    return (*TIMESTAMP_FORMATS, *CLOCK_12, *(DAY_FIRST if day_first else MONTH_FIRST))


def timestamp(column: str, timezone: str, day_first: bool = False, zones: Mapping[str, str] | None = None,
              known_format: str | None = None) -> str:
    """Dates and times in the forms CRMs export; Excel serials; a time followed by a zone (an offset
    `+09:00` `-0500` `Z`, a name `America/New_York`, or an abbreviation of `zones` such as `PST`)
    converted to `timezone`. A zone that is no zone (`+15:00`, `+09:60`, an unknown abbreviation)
    makes the value unreadable: a time in an unknown zone is not a time.

    Tried cheapest first (coalesce stops at the first hit): plain ISO, the listed formats, then a
    bare five-digit Excel serial number; a value whose time is followed by a zone only as zoned.
    `known_format` (the column's own, phasekpi/timestamps.py `known_formats`) is tried before all
    of it: walking the list costs 50–150× one format (7 s against 0.04 s a million US dates)."""
    value = column
    if known_format:
        return f"coalesce(try_strptime({value}, {literal(known_format)}), {timestamp(value, timezone, day_first, zones)})"
    formats = ", ".join(literal(f) for f in formats_tried(day_first))
    low, high = EXCEL_SERIALS
    time_part = f"substr({value}, 11)"  # an offset follows the time: '+09:00', '-0500', 'Z'
    clock_12 = f"upper(right({value}, 2)) IN ('AM', 'PM')"  # DuckDB's cast would drop the PM: 9:05 PM read as 9:05
    letter_end = f"ascii(right({value}, 1)) BETWEEN 65 AND 122 AND NOT {clock_12}"
    zoned = (f"length({value}) >= 17 AND contains({time_part}, ':') AND ({letter_end} "
             f"OR contains({time_part}, '+') OR contains(substr({value}, 17), '-'))")
    serial = f"try_cast({value} AS DOUBLE)"
    return f"""(CASE WHEN {zoned} THEN timezone({literal(timezone)}, try_cast({_zone_spelled(value, zones or {})} AS TIMESTAMPTZ))
        ELSE coalesce(
        CASE WHEN NOT {clock_12} THEN try_cast({value} AS TIMESTAMP) END,
        try_strptime({value}, [{formats}]),
        CASE WHEN {serial} BETWEEN {low} AND {high} THEN
            CAST('{EXCEL_EPOCH}' AS TIMESTAMP) + to_microseconds(CAST(round({serial} * 86400000000) AS BIGINT))
        END) END)"""


ZONE_OFFSET = "([+-])(\\d{2}):?(\\d{2})?$"
ZONE_NAME = "\\s*([A-Za-z]{1,5})$"


def _zone_spelled(value: str, zones: Mapping[str, str]) -> str:
    """The value with its zone as DuckDB's TIMESTAMPTZ reads it, or NULL for a zone that is none: an
    offset beyond ±14:00 or with 60 minutes or more, an abbreviation not in `zones` (a region name
    such as America/New_York is left to ICU)."""
    offset_hours = f"try_cast(regexp_extract({value}, {literal(ZONE_OFFSET)}, 2) AS INTEGER)"
    offset_minutes = f"coalesce(try_cast(nullif(regexp_extract({value}, {literal(ZONE_OFFSET)}, 3), '') AS INTEGER), 0)"
    abbreviation = f"upper(regexp_extract({value}, {literal(ZONE_NAME)}, 1))"
    known = " ".join(f"WHEN {literal(name.upper())} THEN {literal(offset)}" for name, offset in zones.items())
    spelled = f"(CASE {abbreviation} {known} ELSE NULL END)" if known else "CAST(NULL AS VARCHAR)"
    return f"""(CASE
        WHEN regexp_matches({value}, {literal(ZONE_OFFSET)}) THEN
            CASE WHEN {offset_hours} <= 14 AND {offset_minutes} < 60 THEN {value} END
        WHEN contains(right({value}, 40), '/') THEN {value}
        WHEN suffix(upper({value}), 'Z') AND NOT regexp_matches({value}, '[A-Za-z]{{2}}$') THEN {value}
        ELSE regexp_replace({value}, {literal(ZONE_NAME)}, '') || {spelled}
    END)"""


def day_first_probe(column: str) -> str:
    """True when some value reads d/m/y (its first number is over 12), so the column is day-first."""
    value = column
    day_first = f"regexp_matches({value}, '^(1[3-9]|2\\d|3[01])/\\d{{1,2}}/\\d{{2,4}}')"
    return f"coalesce(bool_or(contains({value}, '/') AND {day_first}), false)"


def duration(column: str, scale: float = 1.0) -> str:
    """Seconds from `135`, `1,200`, `2:15`, `00:02:15`, `2分15秒`, `1時間2分`; a bare number is
    multiplied by `scale` (60 for a column in minutes, 0.001 for milliseconds)."""
    value = column
    unit = scale

    def part(pattern: str) -> str:
        return f"coalesce(try_cast(regexp_extract({value}, '{pattern}', 1) AS DOUBLE), 0)"

    def piece(index: int) -> str:
        return f"try_cast(split_part({value}, ':', {index}) AS DOUBLE)"

    hours, mins, secs = part("(\\d+)時間"), part("(\\d+)分"), part("(\\d+(?:\\.\\d+)?)秒")
    return f"""(CASE
        WHEN regexp_full_match({value}, '-?[\\d,]+(\\.\\d+)?')
            THEN try_cast(replace({value}, ',', '') AS DOUBLE) * {unit}
        WHEN regexp_full_match({value}, '\\d+:\\d{{1,2}}:\\d{{1,2}}(\\.\\d+)?')
            THEN {piece(1)} * 3600 + {piece(2)} * 60 + {piece(3)}
        WHEN regexp_full_match({value}, '\\d+:\\d{{1,2}}') THEN {piece(1)} * 60 + {piece(2)}
        WHEN regexp_full_match({value}, '((\\d+)時間)?((\\d+)分)?((\\d+(\\.\\d+)?)秒)?') THEN
            {hours} * 3600 + {mins} * 60 + {secs}
    END)"""


def vocabulary(column: str, words: Mapping[str, str]) -> str:
    """The canonical value of a raw word (trimmed, case-insensitive), NULL when not listed."""
    if not words:
        return "CAST(NULL AS VARCHAR)"
    branches = " ".join(f"WHEN {literal(word)} THEN {literal(value)}" for word, value in words.items())
    return f"(CASE lower({trimmed(column)}) {branches} END)"


def boolean(column: str, words: Mapping[str, str]) -> str:
    return f"(CASE {vocabulary(column, words)} WHEN 'true' THEN true WHEN 'false' THEN false END)"
