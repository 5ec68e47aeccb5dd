"""Property: whatever messy CSV arrives, loading never raises past the loader and accounts for
every row: rows read = rows loaded + rows rejected + duplicates."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.schema import open_store
from phasekpi.sources import LineScan

HEADERS = ["occurred_at", "rep", "channel", "outcome", "duration_sec", "activity_id", "日付", "任命先", "通話時間",
           "通話結果", "lead_id", "created_at", "status", "opportunity_id", "amount", "Stage", "Close Date", "謎の列",
           "email_opened", "Amount", "Created Date", "Lead Source"]
VALUES = st.one_of(
    st.sampled_from(["2025-04-01", "2025/4/1 10:00", "2025年4月1日", "15 Apr, 2021 00:02:00", "4/1/2025", "45748",
                     "2025-04-01T10:00:00+09:00", "1900-01-01", "2999-12-31", "13/13/2025", "昨日", ""]),
    st.sampled_from(["接続", "不在", "アポ獲得", "Connected", "call", "email", "メール", "won", "Closed Lost", "はい",
                     "×", "maybe", "¥1,200,000", "$22,700.00", "１２０", "15%", "-30", "2:15", "00:02:15", "2分15秒"]),
    # no bare CR: unquoted inside a field it is a line break to one reader and a character to another
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"), max_size=12),
    st.integers(-10**9, 10**9).map(str),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16"])


@st.composite
def messy_csv(draw: st.DrawFn) -> tuple[bytes, int, bool]:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True))
    ragged = draw(st.booleans())
    rows = draw(st.lists(st.lists(VALUES, min_size=len(header) - (1 if ragged else 0),
                                  max_size=len(header) + (2 if ragged else 0)), max_size=25))
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(ENCODINGS)
    data = buffer.getvalue().encode(encoding, errors="replace")
    rectangular = all(len(r) == len(header) for r in rows)
    return data, len(rows), rectangular


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_csv())
def test_loading_accounts_for_every_row(case: tuple[bytes, int, bool]) -> None:
    data, records, rectangular = case
    store = open_store(default_catalogue())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        report = load_file(store, path, "upload.csv")
    loaded = sum(store.con.execute(f"SELECT count(*) FROM {t}_rows").fetchone()[0]
                 for t in ("activities", "leads", "opportunities"))
    assert loaded == report.rows_loaded
    if report.error is not None:
        assert report.rows_loaded == 0
        return
    assert report.balanced  # read = new + updated + duplicates + rejected + footer
    if rectangular and records:
        assert report.rows_read == records


def blank_runs_line_by_line(data: bytes) -> list[tuple[int, int]]:
    runs: list[list[int]] = []
    for number, line in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"), start=1):
        if line.strip(b"\r"):
            continue
        if runs and sum(runs[-1]) == number:
            runs[-1][1] += 1
        else:
            runs.append([number, 1])
    return [(first, count) for first, count in runs]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from(["a,b", "", "x"]), min_size=1, max_size=40),
       crlf=st.booleans(), cuts=st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=60))
def test_blank_line_runs_do_not_depend_on_where_chunks_end(lines: list[str], crlf: bool, cuts: list[int]) -> None:
    """LineScan numbers runs of blank lines from chunks (a million blank lines are one run); chunks
    may end anywhere, even between CR and LF."""


    data = ("h,h\n" + "\n".join(lines) + "\n").encode().replace(b"\n", b"\r\n" if crlf else b"\n")
    scan, position = LineScan(), 0
    for size in itertools.cycle(cuts):
        if position >= len(data):
            break
        scan.feed(data[position:position + size])
        position += size
    assert list(scan.facts().blank_runs) == blank_runs_line_by_line(data)
