"""Which column gives an activity's day and hour: every reason of phasekpi.timestamps on a small file."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from phasekpi import casts
from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_source, sample_time_choice
from phasekpi.mapping import default_synonyms, propose_mapping
from phasekpi.schema import open_store
from phasekpi.sources import read_source
from phasekpi.timestamps import known_formats

HEADER = ["期日", "作成日", "任命先", "種別"]


def rows(agreeing: int, disagreeing: int) -> list[list[str]]:
    """Calls dated 16 Nov, logged at 9:00 + n minutes the same day, or the next day."""
    same = [["2026/11/16", f"2026/11/16 9:{n:02d}", "A", "電話"] for n in range(agreeing)]
    return same + [["2026/11/16", "2026/11/17 8:00", "A", "電話"] for _ in range(disagreeing)]


# rows (agree, disagree), time_from chosen → reason, time column, calls with an hour
CASES = [
    ((19, 1), None, "agrees", "作成日", 19),  # 95 % agree: the created time gives the hour
    ((18, 2), None, "disagrees", None, 0),  # 90 %: every hour unknown
    ((18, 2), "作成日", "chosen", "作成日", 18),  # the user's choice, on the rows that agree
    ((19, 1), "", "none_chosen", None, 0),
]


@pytest.mark.parametrize(("counts", "chosen", "reason", "column", "timed"), CASES,
                         ids=["agrees", "disagrees", "chosen", "none chosen"])
def test_the_time_column_choice(tmp_path: Path, counts: tuple[int, int], chosen: str | None, reason: str,
                                column: str | None, timed: int) -> None:
    path = tmp_path / "report.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([HEADER, *rows(*counts)])
    source, _ = read_source(path, path.name)
    mapping = propose_mapping(source.header)
    if chosen is not None:
        mapping = replace(mapping, time_from={"occurred_at": chosen})
    assert sample_time_choice(source, mapping).reason == reason  # what the mapping screen says
    store = open_store(default_catalogue())
    report = load_source(store, source, mapping)
    source.discard()
    assert (report.time_choice.reason, report.time_choice.time_column) == (reason, column)
    assert store.con.execute("SELECT count(*) FILTER (WHERE has_time) FROM activities_rows").fetchone()[0] == timed
    days = {d for (d,) in store.con.execute("SELECT CAST(occurred_at AS DATE) FROM activities_rows").fetchall()}
    assert days == {datetime(2026, 11, 16).date()}  # the day always comes from 期日


@pytest.mark.parametrize(("values", "reason", "timed"), [
    (["2026-11-16 10:00", "2026-11-16 11:30"], "own_time", 2),
    (["2026-11-16 10:00", "2026-11-16"], "own_time", 1),  # a value written without a time has no hour
    (["2026-11-16", "2026-11-17"], "date_only", 0),
])
def test_a_single_date_column(tmp_path: Path, values: list[str], reason: str, timed: int) -> None:
    path = tmp_path / "log.csv"
    path.write_text("occurred_at,rep\n" + "".join(f"{v},A\n" for v in values), encoding="utf-8")
    source, _ = read_source(path, path.name)
    store = open_store(default_catalogue())
    report = load_source(store, source, propose_mapping(source.header))
    source.discard()
    assert report.time_choice.reason == reason
    assert store.con.execute("SELECT count(*) FILTER (WHERE has_time) FROM activities_rows").fetchone()[0] == timed


# values of one column → the format it is read with first (None: the whole list, as before)
FORMAT_CASES = [
    (["11/16/2026 9:05", "12/01/2026 17:40"], "%m/%d/%Y %H:%M"),  # HubSpot / Salesforce US
    (["16 Nov, 2026 09:05:00", "01 Dec, 2026 17:40:00"], "%d %b, %Y %H:%M:%S"),  # Zoho
    (["2026年11月16日", "2026年12月1日"], "%Y年%m月%d日"),
    (["2026/11/16 9:05", "2026/12/01 17:40"], "%Y/%m/%d %H:%M"),  # Salesforce Japan
    (["2026-11-16 09:05:00", "2026-12-01T17:40:00"], None),  # ISO: the list reads it first, cheaply
    (["2026-11-16T09:05:00+09:00", "2026-12-01 17:40 JST"], None),  # zoned: never a plain format
    # A two-digit year: the list itself reads 12/01/26 as the year 12 (then rejected as out of
    # range); the own format repeats exactly that, and %m/%d/%y, which reads it differently, is never chosen.
    (["11/16/26", "12/01/26"], "%Y/%m/%d"),
    (["", "  "], None),
]


@pytest.mark.parametrize(("values", "expected"), FORMAT_CASES)
def test_a_columns_own_date_format(values: list[str], expected: str | None) -> None:
    store = open_store(default_catalogue())
    store.con.execute("CREATE TEMP TABLE staging AS SELECT unnest(?) AS c0", [values])
    found = known_formats(store, {"c0": (casts.cleaned("c0"), False)}, default_synonyms())
    assert found == {"c0": expected}


@pytest.mark.parametrize(("values", "expected"), FORMAT_CASES)
def test_the_own_format_reads_every_value_as_the_whole_list_does(values: list[str], expected: str | None) -> None:
    """Mixed with values of other forms, a column reads the same with or without its own format."""
    mixed = [*values, "2026/11/16", "16 Nov 2026", "46000", "2026-11-16T09:05:00Z", "11/16/2026", "not a date"]
    store = open_store(default_catalogue())
    store.con.execute("CREATE TEMP TABLE staging AS SELECT unnest(?) AS c0", [mixed])
    zone, zones = "Asia/Tokyo", default_synonyms().parsing.zones
    listed = casts.timestamp(casts.cleaned("c0"), zone, zones=zones)
    own = casts.timestamp(casts.cleaned("c0"), zone, zones=zones, known_format=expected or "%m/%d/%Y %H:%M")
    pairs = store.con.execute(f"SELECT {listed}, {own} FROM staging").fetchall()
    assert [a for a, _ in pairs] == [b for _, b in pairs]
    assert sum(a is not None for a, _ in pairs) >= len(mixed) - 1 - sum(not v.strip() for v in values)
