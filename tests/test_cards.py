"""A dashboard card's change since the previous period and its weekly sparkline, on hand-built results."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from phasekpi.cards import build_cards, kpi_tables, previous_filters
from phasekpi.catalogue import default_catalogue
from phasekpi.charts.sparkline import sparkline_chart
from phasekpi.coverage import Gap
from phasekpi.metrics import KpiResults, KpiValue, ScorecardRow, scorecard, target_of
from phasekpi.selection import Filters, Period

CATALOGUE = default_catalogue()
ACTIVITIES_FROM = date(2026, 1, 5)  # the call log starts on a Monday
DEALS_FROM = date(2026, 4, 6)  # the deal export only from April


def results(start: date, days: int, gaps: tuple[str, ...] = (), **actuals: float) -> KpiResults:
    period = Period(start, start + timedelta(days=days - 1), rep_days=days * 2, active_reps=2)
    return KpiResults(period, {k: KpiValue(k, actuals.get(k), actuals.get(k), (Gap("activities"),) if k in gaps else ())
                               for k in CATALOGUE.kpis})


def row(kpi_id: str, actual: float | None, status: str = "good", target: float = 10.0) -> ScorecardRow:
    return ScorecardRow(kpi_id, 3, target, actual, None if actual is None else 100.0, status)


@pytest.mark.parametrize(("start", "end", "previous"), [
    (date(2026, 10, 3), date(2026, 10, 30), (date(2026, 9, 5), date(2026, 10, 2))),  # 28 days before 28 days
    (date(2026, 10, 30), date(2026, 10, 30), (date(2026, 10, 29), date(2026, 10, 29))),  # one day: the day before
    (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 1, 29), date(2026, 2, 28))),  # 31 days, across February
])
def test_the_previous_period_has_the_same_length(start: date, end: date, previous: tuple[date, date]) -> None:
    before = previous_filters(Filters(start, end, ("佐藤",)), start, end)
    assert (before.start, before.end, before.reps) == (*previous, ("佐藤",))
    assert (before.end - before.start).days == (end - start).days


@pytest.mark.parametrize(("kpi_id", "tables"), [
    ("calls", {"activities"}),
    ("connect_rate", {"activities"}),  # connects ÷ calls
    ("opportunity_rate", {"activities", "opportunities"}),  # opportunities ÷ leads worked (from activities)
    ("won_amount", {"opportunities"}),
])
def test_a_kpi_is_counted_from_its_tables(kpi_id: str, tables: set[str]) -> None:
    assert kpi_tables(CATALOGUE, kpi_id) == tables


FIRST_DAYS = {"activities": ACTIVITIES_FROM, "opportunities": DEALS_FROM}


@pytest.mark.parametrize(("kpi_id", "card", "previous_start", "previous_value", "change"), [
    ("calls", row("calls", 80.0), date(2026, 3, 2), 75.5, 4.5),  # both periods inside the call log
    ("connect_rate", row("connect_rate", 24.0), date(2026, 3, 2), 26.5, -2.5),  # a rate's change is in points
    ("won_amount", row("won_amount", 9e6), date(2026, 3, 2), 0.0, None),  # March holds no deal export: no "rise"
    ("won_amount", row("won_amount", 9e6), date(2026, 4, 6), 6e6, 3e6),  # from the deals' first day: compared
    ("calls", row("calls", None, "unavailable"), date(2026, 3, 2), 75.5, None),  # no number: nothing to compare
    ("connect_rate", row("connect_rate", 120.0, "implausible"), date(2026, 3, 2), 26.5, None),  # over 100 %
    ("calls", row("calls", 80.0, "no_data", target=0.0), date(2026, 3, 2), 75.5, 4.5),  # a target of 0 hides nothing
    ("connect_rate", row("connect_rate", 24.0), date(2026, 3, 2), 130.0, None),  # the earlier share was implausible
])
def test_the_change_is_only_against_a_period_the_kpis_tables_cover(
        kpi_id: str, card: ScorecardRow, previous_start: date, previous_value: float, change: float | None) -> None:
    previous = results(previous_start, 28, **{kpi_id: previous_value})
    built = build_cards(CATALOGUE, [card], previous, {}, FIRST_DAYS)[0]
    assert built.change == (None if change is None else pytest.approx(change))


def test_a_kpi_the_earlier_period_cannot_give_has_no_change() -> None:
    previous = results(date(2026, 3, 2), 28, gaps=("calls",), calls=0.0)
    assert build_cards(CATALOGUE, [row("calls", 80.0)], previous, {}, FIRST_DAYS)[0].change is None


def test_the_sparkline_takes_the_last_eight_whole_weeks() -> None:
    """Twelve weeks from 5 January, then a Monday alone (the data ends on 30 March): the short week
    would scale one day up and is left out; of the twelve whole weeks the last eight are drawn."""
    weeks = {f"{ACTIVITIES_FROM + timedelta(weeks=i)}": results(ACTIVITIES_FROM + timedelta(weeks=i), 7, calls=70.0 + i)
             for i in range(12)}
    weeks["2026-03-30"] = results(date(2026, 3, 30), 1, calls=400.0)
    card = build_cards(CATALOGUE, [row("calls", 80.0)], None, weeks, FIRST_DAYS)[0]
    assert [value for _, value in card.weeks] == [74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0]
    assert card.weeks[0][0] == date(2026, 2, 2) and card.change is None  # no previous period given
    spec = sparkline_chart(CATALOGUE, card, "en", "USD").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 16 and {r["series"] for r in rows} == {"actual", "target"}
    assert rows[1] == {**rows[1], "value": 10.0, "value_text": "10 per rep per day"}  # the target line beside week 1
    assert spec["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [4, 3]]  # actual solid, target dashed


def test_weeks_before_a_kpis_tables_begin_are_no_points() -> None:
    weeks = {f"{date(2026, 3, 23) + timedelta(weeks=i)}": results(date(2026, 3, 23) + timedelta(weeks=i), 7,
                                                                   won_amount=1e6 * (i + 1)) for i in range(4)}
    card = build_cards(CATALOGUE, [row("won_amount", 9e6)], None, weeks, FIRST_DAYS)[0]
    assert [week for week, _ in card.weeks] == [date(2026, 4, 6), date(2026, 4, 13)]  # from the deals' first Monday
    assert sparkline_chart(CATALOGUE, card, "ja") is not None


def test_an_empty_target_input_means_the_catalogues_target() -> None:
    """A cleared target input is None: the catalogue's 100 calls, never float(None) nor a target of 0."""
    entry = next(e for e in CATALOGUE.phase("startup").kpis if e.kpi == "calls")
    assert target_of(entry, {"calls": None}) == 100.0 and target_of(entry, {"calls": 120}) == 120.0
    cards = scorecard(CATALOGUE, "startup", results(ACTIVITIES_FROM, 7, calls=50.0), {"calls": None})
    assert next(c for c in cards if c.kpi_id == "calls").achievement == pytest.approx(50.0)
