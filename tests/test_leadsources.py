"""Lead sources on hand-made leads and opportunities; every number worked out by hand."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.charts.leadsources import overall_opportunity_rate, source_chart, source_frame, source_table
from phasekpi.ingest import load_file
from phasekpi.leadsources import SourceRow, lead_sources
from phasekpi.schema import Store, open_store
from phasekpi.selection import Filters

LEADS = [
    ["lead_id", "created_at", "rep", "source", "status", "opportunity_id"],
    ["L1", "2025-04-01", "A", "Web", "MQL", ""],  # MQL
    ["L2", "2025-04-01", "A", "Web", "SQL", "O1"],  # SQL (and MQL) → O1 won
    ["L3", "2025-04-02", "A", "Web", "SQL", "O2"],  # SQL → O2 lost
    ["L4", "2025-04-02", "B", "展示会", "SQL", "O3"],  # SQL → O3 won
    ["L5", "2025-04-03", "B", "展示会", "MQL", "O4"],  # MQL → O4 open
    ["L6", "2025-04-03", "B", "", "", ""],  # no source, plain lead
    ["L7", "2025-04-03", "A", "Web", "", "O1"],  # a second Web lead on O1: its amount counts once for Web
    ["L8", "2025-05-10", "A", "Web", "MQL", ""],  # May: outside an April filter
]
OPPORTUNITIES = [
    ["opportunity_id", "created_at", "rep", "amount", "status", "closed_at"],
    ["O1", "2025-06-01", "A", "1,000,000", "won", "2025-06-20"],  # created after the period: still followed
    ["O2", "2025-04-05", "A", "500000", "lost", "2025-04-20"],
    ["O3", "2025-04-06", "B", "2000000", "won", "2025-04-25"],
    ["O4", "2025-04-07", "B", "300000", "open", ""],
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("sources")
    store = open_store(default_catalogue())
    for name, rows in (("leads.csv", LEADS), ("opportunities.csv", OPPORTUNITIES)):
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        assert load_file(store, folder / name, name).rows_loaded == len(rows) - 1
    return store


def test_every_number_per_source(store: Store) -> None:
    web, fair, unknown = lead_sources(store, Filters())  # most leads first
    # Web: L1 L2 L3 L7 L8; MQL or further L1 L2 L3 L8; SQL L2 L3; with an opportunity L2 L3 L7;
    # won L2 L7 (both O1); won amount O1 once
    assert web == SourceRow("Web", 5, 4, 2, 3, 2, Decimal("1000000.00"))
    assert (web.opportunity_rate, web.sql_rate, web.mql_to_sql_rate) == (60.0, 40.0, 50.0)  # 3/5, 2/5, 2/4
    # 展示会: L4 (SQL → O3 won 2,000,000) and L5 (MQL → O4 open)
    assert fair == SourceRow("展示会", 2, 2, 1, 2, 1, Decimal("2000000.00"))
    assert (fair.opportunity_rate, fair.sql_rate, fair.mql_to_sql_rate) == (100.0, 50.0, 50.0)
    # no source: L6 only; no MQL, so no MQL→SQL rate
    assert unknown == SourceRow(None, 1, 0, 0, 0, 0, Decimal("0"))
    assert (unknown.opportunity_rate, unknown.mql_to_sql_rate) == (0.0, None)


def test_sources_follow_the_period_and_the_reps(store: Store) -> None:
    web = lead_sources(store, Filters(date(2025, 4, 1), date(2025, 4, 30)))[0]
    assert web == SourceRow("Web", 4, 3, 2, 3, 2, Decimal("1000000.00"))  # L8 is out
    assert web.mql_to_sql_rate == pytest.approx(200 / 3)  # 2 / 3
    assert [r.source for r in lead_sources(store, Filters(reps=("B",)))] == ["展示会", None]
    assert lead_sources(store, Filters(reps=("nobody",))) == []


def test_chart_and_table(store: Store) -> None:
    rows = lead_sources(store, Filters())
    assert overall_opportunity_rate(rows) == 62.5  # (3 + 2 + 0) / (5 + 2 + 1)
    frame = source_frame(rows, "ja")
    assert list(frame["source"]) == ["Web", "展示会", "(未設定)"]
    assert list(frame["below"]) == [True, False, True]  # 60 % and 0 % are under 62.5 %
    spec = source_chart(frame, "ja").to_dict()
    bars, labels, overall = spec["layer"]
    assert bars["encoding"]["y"]["sort"] == ["展示会", "Web", "(未設定)"]  # highest rate first
    assert bars["encoding"]["x"]["field"] == "rate"
    assert overall["mark"]["type"] == "rule" and overall["encoding"]["x"]["field"] == "overall"
    assert labels["encoding"]["text"]["field"] == "rate_text"
    assert [t["title"] for t in bars["encoding"]["tooltip"]] == ["リードソース", "リード数", "商談化数", "商談化率", "SQL化率",
                                                                 "受注金額"]
    table = source_table(rows, "en")
    assert list(table.columns) == ["Lead source", "Leads", "MQLs", "SQLs", "Opportunities", "Won", "Opportunity rate",
                                   "SQL rate", "MQL-to-SQL rate", "Won amount"]
    assert list(table.iloc[0]) == ["Web", 5, 4, 2, 3, 2, "60.0%", "40.0%", "50.0%", "¥1,000,000"]
    assert list(table.iloc[2])[:2] == ["(not set)", 1] and table.iloc[2]["MQL-to-SQL rate"] == "—"
