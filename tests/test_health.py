"""Data health: each finding on a small team built to show it, and nothing on a clean one."""

from __future__ import annotations

from pathlib import Path

from loading import store_with

from phasekpi.catalogue import default_catalogue
from phasekpi.display import finding_text
from phasekpi.health import health_findings, spelling_key
from phasekpi.metrics import compute_kpis, scorecard
from phasekpi.schema import Store
from phasekpi.selection import Filters

CATALOGUE = default_catalogue()
ACTIVITIES = ["occurred_at", "rep", "channel", "lead_id", "outcome", "duration_sec"]
OPPORTUNITIES = ["opportunity_id", "created_at", "rep", "lead_id", "status"]
LEADS = ["lead_id", "created_at", "rep", "status"]



def findings(store: Store) -> dict[str, dict]:
    return {f.key: f.params for f in health_findings(store, CATALOGUE, compute_kpis(store, CATALOGUE, Filters()))}


def calls(rep_days: list[tuple[str, str]]) -> list[list[str]]:
    return [[f"{day} 10:00", rep, "call", f"L{i}", "接続", "150"] for i, (rep, day) in enumerate(rep_days)]


TEAM = [("A", "2026-11-16"), ("B", "2026-11-16"), ("A", "2026-11-17"), ("B", "2026-11-17")]


def test_a_clean_team_has_no_finding(tmp_path: Path) -> None:
    deals = [["O1", "2026-11-16", "A", "L0", "won", "500000", "80"]]
    leads = [["L0", "2026-11-16", "A", "MQL"], ["L1", "2026-11-16", "B", "SQL"]]
    emails = [["2026-11-16 11:00", "A", "email", "L0", "", ""]]
    store = store_with(tmp_path, activities=(ACTIVITIES, calls(TEAM) + emails),
                       deals=([*OPPORTUNITIES, "amount", "quality_score"], deals), leads=(LEADS, leads))
    assert findings(store) == {}


def test_phase_kpis_the_data_cannot_give_are_listed_by_what_is_missing(tmp_path: Path) -> None:
    store = store_with(tmp_path, activities=(ACTIVITIES, calls(TEAM)))  # no email in a call log
    found = [f.params for f in health_findings(store, CATALOGUE, compute_kpis(store, CATALOGUE, Filters()))
             if f.key == "uncomputable"]
    assert [(p["gap"].key, p["kpis"]) for p in found] == [("activities.channel=email", ["emails_sent"])]


def test_deals_from_other_leads_give_a_rate_over_100_that_is_never_met(tmp_path: Path) -> None:
    """4 leads worked (L0–L3), 6 deals created from leads X1–X6 nobody called: 150 %."""
    deals = [[f"O{i}", "2026-11-16", "A", f"X{i}", "open"] for i in range(1, 7)]
    store = store_with(tmp_path, activities=(ACTIVITIES, calls(TEAM)), deals=(OPPORTUNITIES, deals))
    found = findings(store)
    assert found["rate_over_100"] == {"kpi": "opportunity_rate", "value": 150.0, "numerator": "opportunities_created",
                                      "denominator": "leads_worked"}
    results = compute_kpis(store, CATALOGUE, Filters())
    row = next(r for r in scorecard(CATALOGUE, "growth", results) if r.kpi_id == "opportunity_rate")
    assert (row.status, row.actual, row.achievement) == ("implausible", 150.0, None)
    what, _ = finding_text(next(f for f in health_findings(store, CATALOGUE, results) if f.key == "rate_over_100"),
                              CATALOGUE, "ja")
    assert what.startswith("商談化率が150.0%で、100%を超えています。商談創出数が対応リード数より多く")


def test_tables_that_share_no_id_or_rep(tmp_path: Path) -> None:
    deals = [["O1", "2026-11-16", "Z", "X1", "open"]]
    store = store_with(tmp_path, activities=(ACTIVITIES, calls(TEAM)), deals=(OPPORTUNITIES, deals))
    unlinked = [f.params for f in health_findings(store, CATALOGUE, compute_kpis(store, CATALOGUE, Filters()))
                if f.key == "unlinked"]
    assert unlinked == [{"left": "activities", "left_field": "rep", "right": "opportunities", "right_field": "rep"}]


def test_a_funnel_step_larger_than_the_one_before(tmp_path: Path) -> None:
    """3 connects of which 1 appointment (アポ獲得), then 2 deals: more opportunities than appointments."""
    rows = [*calls(TEAM[:2]), ["2026-11-16 11:00", "A", "call", "L9", "アポ獲得", "300"]]
    deals = [["O1", "2026-11-16", "A", "L0", "open"], ["O2", "2026-11-16", "B", "L1", "open"]]
    store = store_with(tmp_path, activities=(ACTIVITIES, rows), deals=(OPPORTUNITIES, deals))
    assert findings(store)["step_grows"] == {"kpi": "opportunities_created", "count": 2, "previous": "call_appointments",
                                             "previous_count": 1}


def test_one_rep_on_one_day(tmp_path: Path) -> None:
    store = store_with(tmp_path, activities=(ACTIVITIES, calls([("A", "2026-11-16")] * 3)))
    found = findings(store)
    assert (found["single_rep"], found["single_day"]) == ({"rep": "A"}, {})


def test_lead_statuses_none_of_which_is_mql_or_sql(tmp_path: Path) -> None:
    leads = [["L0", "2026-11-16", "A", "Contacted"], ["L1", "2026-11-16", "B", "Junk Lead"]]
    store = store_with(tmp_path, activities=(ACTIVITIES, calls(TEAM)), leads=(LEADS, leads))
    assert findings(store)["statuses_unknown"] == {"values": "Contacted, Junk Lead"}


def test_spellings_of_one_name() -> None:
    assert spelling_key("山田 太郎") == spelling_key("山田　太郎") == spelling_key("山田太郎") == "山田太郎"
    assert spelling_key("Ken Ito") == spelling_key("ken  ito") != spelling_key("Ken Itoh")
