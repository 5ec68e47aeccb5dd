"""Drill-down: the rows behind a KPI, paged, on a hand-made team; counts worked out by hand."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.drilldown import DrillPage, cell_text, column_label, drill_rows, drill_table, drill_target, drillable_kpis
from phasekpi.ingest import load_file
from phasekpi.metrics import compute_kpis
from phasekpi.schema import Store, open_store
from phasekpi.selection import Filters

CATALOGUE = default_catalogue()
FILES = {
    "activities.csv": [
        ["activity_id", "occurred_at", "rep", "channel", "lead_id", "outcome", "duration_sec", "email_opened"],
        ["a1", "2025-04-01 09:00", "A", "call", "L1", "接続", "150", ""],  # connect
        ["a2", "2025-04-01 09:30", "A", "call", "L1", "不在", "0", ""],
        ["a3", "2025-04-01 10:00", "A", "call", "L2", "アポ獲得", "300", ""],  # connect, appointment
        ["a4", "2025-04-02 09:00", "B", "call", "L3", "Connected", "30", ""],  # connect
        ["a5", "2025-04-02 11:00", "B", "email", "L3", "", "", "true"],
        ["a6", "2025-04-03 14:00", "A", "call", "L2", "Connected", "60", ""],  # connect
        ["a7", "2025-04-03 15:00", "B", "call", "L4", "No answer", "0", ""],
    ],
    "opportunities.csv": [
        ["opportunity_id", "created_at", "rep", "amount", "status", "closed_at", "is_sourced"],
        ["O1", "2025-04-01", "A", "1,000,000", "won", "2025-04-02", "true"],
        ["O2", "2025-04-02", "B", "500000", "lost", "2025-04-03", "true"],
        ["O3", "2025-03-15", "A", "2000000", "won", "2025-04-03", "true"],  # created in March, won in April
        ["O4", "2025-04-01", "B", "900000", "won", "2025-04-02", "false"],  # field sales' own deal: not IS
    ],
    "leads.csv": [
        ["lead_id", "created_at", "rep", "source", "status", "opportunity_id"],
        ["L1", "2025-04-01", "A", "Web", "SQL", "O1"],
        ["L2", "2025-04-02", "B", "Web", "MQL", ""],
    ],
}
APRIL = Filters(date(2025, 4, 1), date(2025, 4, 3))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("drill")
    store = open_store(CATALOGUE)
    for name, rows in FILES.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        assert load_file(store, folder / name, name).rows_loaded == len(rows) - 1
    return store


def ids(page: DrillPage) -> list[str]:
    return [row[0] for row in page.rows]


def test_which_kpis_have_rows_behind_them() -> None:
    drillable = drillable_kpis(CATALOGUE)
    assert {"calls", "connects", "leads_worked", "won_amount", "lead_wins"} <= set(drillable)
    assert not {"connect_rate", "quality_score", "cac", "ltv"} & set(drillable)
    steps = {step.kpi for funnel in CATALOGUE.funnels.values() for step in funnel.steps}
    assert steps <= set(drillable)  # every funnel step can be drilled
    assert drill_target(CATALOGUE, "calls") == "calls"
    assert drill_target(CATALOGUE, "connect_rate") == "connects"  # a rate opens its numerator's rows
    assert drill_target(CATALOGUE, "appointment_rate") == "call_appointments"
    assert drill_target(CATALOGUE, "quality_score") is None
    assert drill_target(CATALOGUE, "cac") is None
    with pytest.raises(ValueError, match="connect_rate"):
        drill_rows(open_store(CATALOGUE), CATALOGUE, "connect_rate", Filters())


def test_pages_in_date_order_with_the_total(store: Store) -> None:
    first = drill_rows(store, CATALOGUE, "connects", Filters(), page=1, page_size=3)
    assert (first.total, first.pages, first.page, first.first_row) == (4, 2, 1, 1)  # a1 a3 a4 a6
    assert ids(first) == ["a1", "a3", "a4"]
    second = drill_rows(store, CATALOGUE, "connects", Filters(), page=2, page_size=3)
    assert (ids(second), second.first_row) == (["a6"], 4)
    assert drill_rows(store, CATALOGUE, "connects", Filters(), page=99, page_size=3).page == 2  # clamped
    assert drill_rows(store, CATALOGUE, "connects", Filters(), page=0, page_size=3).page == 1
    assert first.amount is None


def test_rows_follow_the_filters(store: Store) -> None:
    assert ids(drill_rows(store, CATALOGUE, "connects", Filters(reps=("A",)))) == ["a1", "a3", "a6"]
    assert ids(drill_rows(store, CATALOGUE, "connects", Filters(date(2025, 4, 2), date(2025, 4, 3)))) == ["a4", "a6"]
    assert ids(drill_rows(store, CATALOGUE, "calls", Filters(reps=("B",)))) == ["a4", "a7"]  # a5 is an email
    empty = drill_rows(store, CATALOGUE, "connects", Filters(reps=("nobody",)))
    assert (empty.total, empty.rows, empty.pages, empty.page, empty.first_row) == (0, [], 1, 1, 0)


def test_distinct_and_sum_kpis(store: Store) -> None:
    worked = drill_rows(store, CATALOGUE, "leads_worked", Filters())
    assert ids(worked) == ["a1", "a3", "a4", "a7"]  # the first row of L1, L2, L3, L4
    won = drill_rows(store, CATALOGUE, "won_amount", APRIL)  # by close date: O3 was created in March
    assert (ids(won), won.amount) == (["O1", "O3"], Decimal("3000000.00"))  # O4 is not IS-sourced
    assert ids(drill_rows(store, CATALOGUE, "won_deals", APRIL)) == ["O1"]  # by creation date
    assert ids(drill_rows(store, CATALOGUE, "lead_wins", Filters())) == ["L1"]  # its O1 was won


@pytest.mark.parametrize("filters", [Filters(), APRIL, Filters(reps=("A",))], ids=["all", "april", "rep A"])
def test_every_drill_total_is_the_kpi_total(store: Store, filters: Filters) -> None:
    results = compute_kpis(store, CATALOGUE, filters)
    for kpi_id in drillable_kpis(CATALOGUE):
        page = drill_rows(store, CATALOGUE, kpi_id, filters)
        expected = results.total(kpi_id)
        if results.gaps(kpi_id):  # no email_replied column: no replies to count, not zero of them
            assert (expected, page.rows, page.gaps) == (None, [], results.gaps(kpi_id)), kpi_id
        elif CATALOGUE.kpis[kpi_id].type == "sum":
            assert float(page.amount) == expected, kpi_id
        else:
            assert page.total == expected, kpi_id


def test_columns_and_cells_read_like_the_rest_of_the_app(store: Store) -> None:
    page = drill_rows(store, CATALOGUE, "connects", Filters())
    assert page.columns[:3] == ["activity_id", "occurred_at", "rep"]
    assert {"account_id", "team", "email_opened"}.isdisjoint(page.columns)  # empty in every selected row
    assert page.columns[-5:] == ["is_connected", "is_effective", "is_appointment", "source_file", "source_row"]
    table = drill_table(page, "ja")
    assert list(table.columns)[:3] == ["活動ID", "日時", "担当者(IS)"]
    assert list(table.columns)[-5:] == ["接続", "有効会話", "アポイント", "元ファイル", "元ファイルの行"]
    first = dict(zip(table.columns, table.iloc[0], strict=True))
    assert (first["日時"], first["通話結果"], first["通話時間(秒)"], first["接続"], first["元ファイルの行"]) == (
        "2025-04-01 09:00", "接続", "150", "はい", "2")
    assert column_label("is_sql", "en") == "SQL" and column_label("amount", "en") == "Amount"
    assert cell_text(datetime(2025, 4, 1), "en") == "2025-04-01"  # a date without a clock
    assert cell_text(Decimal("1000000.00"), "en") == "¥1,000,000"
    assert (cell_text(72.5, "en"), cell_text(False, "en"), cell_text(None, "ja")) == ("72.5", "No", "")
