"""The bundled demo data: reproducible from its seed, realistic, with its one deliberate bottleneck."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from phasekpi import DEMO_DIR
from phasekpi.catalogue import default_catalogue
from phasekpi.demo import generate
from phasekpi.funnel import build_funnel, find_bottleneck
from phasekpi.ingest import load_files
from phasekpi.metrics import compute_kpis
from phasekpi.schema import open_store, table_summaries
from phasekpi.selection import Filters


@pytest.fixture(scope="module")
def demo_store():
    store = open_store(default_catalogue())
    report = load_files(store, [(p, p.name) for p in sorted(DEMO_DIR.glob("*.csv.gz"))])
    assert report.ok and all(f.rows_loaded == f.rows_read for f in report.files)
    return store


def test_bundled_files_are_what_the_seed_generates(tmp_path: Path) -> None:
    written = generate(7).write(tmp_path)
    assert [p.name for p in written] == ["activities.csv.gz", "leads.csv.gz", "opportunities.csv.gz"]
    for path in written:
        assert gzip.decompress(path.read_bytes()) == gzip.decompress((DEMO_DIR / path.name).read_bytes()), path.name


def test_demo_is_a_team_of_twelve_over_about_nine_months(demo_store) -> None:
    summaries = {s.table: s for s in table_summaries(demo_store)}
    assert {s.reps for s in summaries.values()} == {12}
    span = summaries["activities"].last_date - summaries["activities"].first_date
    assert 8.5 < span.days / 30.4375 < 9.5
    assert summaries["activities"].rows > 200_000 and summaries["opportunities"].rows > 1_000


def test_effective_conversations_come_from_the_two_minute_rule(demo_store) -> None:
    by_word = dict(demo_store.con.execute(
        "SELECT outcome, count(*) FILTER (WHERE is_effective) FROM activities WHERE channel = 'call' GROUP BY outcome"
    ).fetchall())
    assert by_word["通話"] > 10_000  # a connected word, effective only by its duration
    assert by_word["不在"] == 0 and by_word["接続"] == 0


def test_the_deliberate_bottleneck_is_the_appointment_rate(demo_store) -> None:
    catalogue = default_catalogue()
    results = compute_kpis(demo_store, catalogue, Filters())
    bottleneck = find_bottleneck(build_funnel(catalogue, "activity", results))
    assert bottleneck.below_benchmark and bottleneck.step.rate_kpi == "appointment_rate"
    assert 8 < results.total("appointment_rate") < 11
    for rate in ("connect_rate", "effective_conversation_rate", "email_reply_rate"):  # the rest sit in their bands
        band = catalogue.kpis[rate].benchmark
        assert band.low <= results.total(rate) <= band.high, rate


def test_reps_differ_in_skill(demo_store) -> None:
    rates = [r[0] for r in demo_store.con.execute("""
        SELECT count(*) FILTER (WHERE is_connected) / count(*) FROM activities WHERE channel = 'call' GROUP BY rep
    """).fetchall()]
    assert max(rates) - min(rates) > 0.03
