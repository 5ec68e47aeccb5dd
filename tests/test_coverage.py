"""What the data can compute: a field absent or empty makes a KPI "cannot be computed" (never 0), and
which deals count as IS-sourced comes from what the data holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from loading import store_with

from phasekpi.catalogue import CatalogueError, default_catalogue, load_catalogue
from phasekpi.coverage import data_coverage
from phasekpi.metrics import compute_kpis
from phasekpi.selection import Filters

CATALOGUE = default_catalogue()



CALLS = (["occurred_at", "rep", "outcome", "duration_sec"],
         [["2026-11-16 10:00", "A", "接続", "150"], ["2026-11-16 10:10", "A", "", "20"]])


# name, activities header → KPI → (total, gap keys)
CASES = [
    ("a call log with results", CALLS, {"calls": (2, []), "connects": (1, []),
                                        "emails_sent": (None, ["activities.channel=email"])}),
    ("a result column empty in every row", (CALLS[0], [[r[0], r[1], "", r[3]] for r in CALLS[1]]),
     {"connects": (None, ["activities.outcome"]), "effective_conversations": (1, []),
      "connect_rate": (None, ["activities.outcome"])}),
    ("no lead id: no leads worked", CALLS, {"leads_worked": (None, ["activities.lead_id"]),
                                            "opportunity_rate": (None, ["activities.lead_id", "opportunities"])}),
]


@pytest.mark.parametrize(("name", "activities", "expected"), CASES, ids=[c[0] for c in CASES])
def test_missing_fields_make_kpis_unavailable(tmp_path: Path, name: str, activities: tuple,
                                              expected: dict[str, tuple[float | None, list[str]]]) -> None:
    results = compute_kpis(store_with(tmp_path, calls=activities), CATALOGUE, Filters())
    assert {k: (results.total(k), [g.key for g in results.gaps(k)]) for k in expected} == expected


DEALS = ["opportunity_id", "created_at", "rep", "amount", "status", "closed_at"]
WON = [["O1", "2026-11-16", "A", "100", "won", "2026-11-16"], ["O2", "2026-11-16", "A", "200", "won", "2026-11-16"]]


@pytest.mark.parametrize(("extra", "values", "leads", "basis", "won_amount"), [
    ("is_sourced", ["true", "false"], None, "flag", 100),  # the flag decides
    ("lead_id", ["L1", ""], None, "lead_link", 100),  # the deal's own lead link
    (None, [], (["lead_id", "created_at", "opportunity_id"], [["L9", "2026-11-16", "O2"]]), "lead_link", 200),
    (None, [], None, "all", 300),  # nothing says which: every deal, and the card says so
], ids=["flag", "deal's lead", "lead's opportunity", "all deals"])
def test_which_deals_are_is_sourced(tmp_path: Path, extra: str | None, values: list[str], leads: tuple | None,
                                    basis: str, won_amount: float) -> None:
    header = DEALS + ([extra] if extra else [])
    rows = [row + ([value] if extra else []) for row, value in zip(WON, values or ["", ""], strict=True)]
    files = {"calls": CALLS, "deals": (header, rows)} | ({"leads": leads} if leads else {})
    store = store_with(tmp_path, **files)
    results = compute_kpis(store, CATALOGUE, Filters())
    assert (data_coverage(store, CATALOGUE).sourcing.basis, results.total("won_amount")) == (basis, won_amount)
    assert results.total("opportunities_created") == 2  # creation counts every deal


def test_a_sum_of_rows_without_values_is_unknown_not_zero(tmp_path: Path) -> None:
    """Open deals without an amount: the pipeline is not ¥0; a period without open deals is ¥0."""
    deals = (DEALS, [["O1", "2026-11-16", "A", "", "open", ""], ["O2", "2026-11-16", "A", "300", "won", "2026-11-16"]])
    store = store_with(tmp_path, calls=CALLS, deals=deals)
    results = compute_kpis(store, CATALOGUE, Filters())
    assert results.total("pipeline_amount") is None
    assert [(g.key, g.unvalued) for g in results.gaps("pipeline_amount")] == [("opportunities.amount", True)]
    assert results.total("won_amount") == 300
    later = compute_kpis(store, CATALOGUE, Filters(date(2026, 11, 17), date(2026, 11, 18)))
    assert later.total("pipeline_amount") == 0  # no open deal created then: a real zero


def test_a_need_naming_an_unknown_field_is_reported(tmp_path: Path) -> None:
    text = Path("kpi_defs.yaml").read_text(encoding="utf-8").replace(
        "needs: [activities.lead_id]", "needs: [activities.lead]", 1)
    (tmp_path / "kpi_defs.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_catalogue(tmp_path / "kpi_defs.yaml")
    assert error.value.problems == ["kpis.leads_worked.needs.0: 'activities.lead': 'lead' is not a field of activities"]


def test_without_activities_the_window_is_the_deals_own_history(tmp_path: Path) -> None:
    """Created 1 and 5 Nov; one won on 20 Nov, one open with an expected close on 31 Dec (a plan)."""
    from phasekpi.coverage import data_range

    deals = (DEALS, [["O1", "2026-11-01", "A", "100", "won", "2026-11-20"],
                     ["O2", "2026-11-05", "A", "200", "open", "2026-12-31"]])
    store = store_with(tmp_path, deals=deals)
    assert data_range(store) == (date(2026, 11, 1), date(2026, 11, 20))
    assert compute_kpis(store, CATALOGUE, Filters()).total("won_amount") == 100
