"""Per-rep leaderboard and the skill gap between reps, on hand-built results."""

from __future__ import annotations

from datetime import date

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.metrics import KpiResults, KpiValue
from phasekpi.reps import leaderboard, rep_spread
from phasekpi.selection import Period

CATALOGUE = default_catalogue()
PERIOD = Period(date(2025, 4, 1), date(2025, 4, 30), rep_days=20, active_reps=1)


def results(**actuals: float) -> KpiResults:
    return KpiResults(PERIOD, {k: KpiValue(k, actuals.get(k), actuals.get(k)) for k in CATALOGUE.kpis})


BY_REP = {
    "佐藤": results(calls=400, connect_rate=30.0, effective_conversation_rate=60.0, appointment_rate=20.0,
                   opportunity_rate=15.0),
    "鈴木": results(calls=300, connect_rate=20.0, effective_conversation_rate=50.0, appointment_rate=10.0,
                   opportunity_rate=5.0),
    "新人": results(calls=50, connect_rate=5.0, effective_conversation_rate=10.0, appointment_rate=1.0,
                   opportunity_rate=1.0),  # under the 200-activity floor: left out of the spread
}


def test_spread_of_each_key_rate_leaves_out_reps_with_little_activity():
    spreads = {s.kpi_id: s for s in rep_spread(CATALOGUE, BY_REP)}
    assert list(spreads) == ["connect_rate", "effective_conversation_rate", "appointment_rate", "opportunity_rate"]
    connect = spreads["connect_rate"]
    assert connect.values == {"佐藤": 30.0, "鈴木": 20.0}
    assert (connect.low, connect.high, connect.gap, connect.mean) == (20.0, 30.0, 10.0, 25.0)
    assert connect.variation == pytest.approx(5 / 25)  # population stdev 5 ÷ mean 25
    assert spreads["opportunity_rate"].variation == pytest.approx(5 / 10)


def test_leaderboard_lists_reps_by_name_with_their_phase_achievement():
    rows = leaderboard(CATALOGUE, "startup", {"b": results(calls=50, connects=20), "a": results(calls=100)})
    assert [r.rep for r in rows] == ["a", "b"]  # by name: ranking is the reader's choice
    assert [c.kpi_id for c in rows[0].cards] == [e.kpi for e in CATALOGUE.phase("startup").kpis]
    assert rows[0].average_achievement == pytest.approx(100.0)  # calls 100 of 100; the rest have no data
    assert rows[1].average_achievement == pytest.approx((50 + 100) / 2)  # calls 50 %, connects 20 of 20


def test_leaderboard_uses_target_overrides():
    rows = leaderboard(CATALOGUE, "startup", {"a": results(calls=100)}, {"calls": 200})
    assert rows[0].cards[0].achievement == pytest.approx(50.0)


def test_a_team_target_is_no_reps_target():
    """Growth: calls 80 per rep per day, opportunity amount ¥30,000,000 a month for the whole team. A rep
    with 72 calls a day (90 %) and ¥20,000,000 of opportunities shows the amount without an achievement,
    and the average is the calls' 90 % alone (not (90 + 66.7) ÷ 2)."""
    row = leaderboard(CATALOGUE, "growth", {"a": results(calls=72, opportunity_amount=20_000_000)})[0]
    cards = {c.kpi_id: c for c in row.cards}
    assert cards["opportunity_amount"].actual == 20_000_000 and cards["opportunity_amount"].achievement is None
    assert cards["calls"].achievement == pytest.approx(90.0)
    assert row.average_achievement == pytest.approx(90.0)
