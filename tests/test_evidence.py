"""Phase diagnosis from data (SPEC §6), the transition plan (SPEC §7) and the per-rep phase.

Small CSV fixtures loaded into a fresh store; every expected number is worked out by hand in the
comments. Thresholds come from kpi_defs.yaml (`checklist.items[].suggest`, `checklist.signals`,
`transition`), and a changed threshold changes the answer.
"""

from __future__ import annotations

import copy
import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from phasekpi import CATALOGUE_PATH
from phasekpi.catalogue import Catalogue, CatalogueError, default_catalogue, load_catalogue
from phasekpi.diagnosis import (
    Step,
    add_months,
    evidence_text,
    judge,
    phase_from_age,
    rep_phases,
    suggest_answers,
    transition_plan,
    transition_target,
)
from phasekpi.ingest import load_file
from phasekpi.metrics import KpiResults, KpiValue
from phasekpi.schema import Store, open_store
from phasekpi.selection import Period

CATALOGUE = default_catalogue()
RAW = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
APP = str(Path(__file__).resolve().parent.parent / "app.py")
ACTIVITY_HEADER = ["activity_id", "occurred_at", "rep", "channel", "lead_id", "outcome"]
OPPORTUNITY_HEADER = ["opportunity_id", "created_at", "rep", "status"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def load(tmp_path: Path, activities: list[list[str]], opportunities: list[list[str]] | None = None) -> Store:
    store = open_store(CATALOGUE)
    for name, header, rows in (("activities", ACTIVITY_HEADER, activities),
                               ("opportunities", OPPORTUNITY_HEADER, opportunities)):
        if rows:
            report = load_file(store, write_csv(tmp_path / f"{name}.csv", header, rows), f"{name}.csv")
            assert report.error is None and report.rejections == [], report
            assert report.rows_loaded == len(rows)
    return store


def calls(day: date, rep: str, count: int, outcomes: list[str], leads: list[str], prefix: str) -> list[list[str]]:
    """`count` calls on one day; the first outcomes as given, the rest unanswered; leads in turn."""
    return [[f"{prefix}{i}", f"{day.isoformat()} 10:00", rep, "call", leads[i % len(leads)],
             outcomes[i] if i < len(outcomes) else "No answer"] for i in range(count)]


def mutated(tmp_path: Path, change) -> Catalogue:
    raw = copy.deepcopy(RAW)
    change(raw)
    path = tmp_path / "kpi_defs.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_catalogue(path)


def item(raw: dict, item_id: str) -> dict:
    return next(i for i in raw["checklist"]["items"] if i["id"] == item_id)


# ----------------------------------------------------------------------------- fixture A: ten weeks, one rep
# Ann calls on the Monday of ten weeks from 2026-01-05 to 2026-03-09 (63 days = 2.07 months).
# Startup targets: 100 calls and 20 connects per rep per day. Weeks 1–2 meet both (outside the
# last 8); of weeks 3–10, weeks 3, 5 and 7 meet both, 4 and 6 have 19 connects, 8–10 only 90 calls.
WEEKS = [(100, 20), (100, 20), (100, 20), (100, 19), (100, 20), (100, 19), (100, 20), (90, 20), (90, 20), (90, 20)]
FIRST_MONDAY = date(2026, 1, 5)


@pytest.fixture
def ten_weeks(tmp_path: Path) -> Store:
    rows = []
    for week, (count, connects) in enumerate(WEEKS):
        rows += calls(FIRST_MONDAY + timedelta(weeks=week), "Ann", count, ["Connected"] * connects,
                      [f"L{week}-{i}" for i in range(10)], f"W{week}-")
    return load(tmp_path, rows)


def test_suggestions_from_ten_weeks_of_calls(ten_weeks: Store):
    found = suggest_answers(ten_weeks, CATALOGUE)
    # S1: 2.1 months < 6 → startup's "launched less than 6 months ago"; G3: 2.1 < 3 → not enough data
    assert found["S1"].value is True
    assert found["S1"].evidence == {"months": 2.1, "value": 2.0698, "threshold": 6.0}  # 63 ÷ 30.4375
    assert found["G3"].value is False
    assert found["G3"].evidence == {"months": 2.1, "value": 2.0698, "threshold": 3.0}
    # S2 / G1: 3 of the last 8 weeks on target = 37.5 % → below 50 (S2 ✓), not ≥ 75 (G1 ✗)
    assert found["S2"].value is True
    assert found["S2"].evidence == {"periods": 8, "met": 3, "share": 37.5, "target_calls": 100.0,
                                    "target_connects": 20.0, "value": 37.5, "threshold": 50.0}
    assert found["S2"].params == {"kpis": "calls,connects", "phase": "startup"}
    assert found["G1"].value is False
    assert found["G1"].evidence["threshold"] == 75.0
    # M1: no opportunities, so no rate is on target in any of the last 3 months
    assert found["M1"].value is False
    assert found["M1"].evidence == {"periods": 3, "met": 0, "target_opportunity_rate": 15.0,
                                    "target_handover_win_rate": 25.0, "value": 0, "threshold": 2.0}
    # one rep has no spread (S4); no opportunity rate, so no volume-versus-quality hint (G2);
    # S3, G4 and M2 are never answered by data
    assert set(found) == {"S1", "S2", "G1", "G3", "M1"}

@pytest.mark.parametrize(("item_id", "lang", "expected"), [
    # S2 and G1 read one measurement against startup's targets: 100 calls and 20 connects per rep per day
    ("S2", "ja", "データ: 直近8週のうち3週で架電数・コネクト数が立ち上げ期の目標(架電数 100件/人/日・コネクト数 "
                 "20件/人/日)を達成(37.5%、基準: 50%未満で該当)"),
    ("S2", "en", "Data: Calls and Connects met the Startup targets (Calls 100 per rep per day and Connects 20 per "
                 "rep per day) in 3 of the last 8 weeks (37.5%; rule: applies below 50%)"),
    ("G1", "ja", "データ: 直近8週のうち3週で架電数・コネクト数が立ち上げ期の目標(架電数 100件/人/日・コネクト数 "
                 "20件/人/日)を達成(37.5%、基準: 75%以上で該当)"),
    # M1 against growth's targets: opportunity rate 15 %, hand-over win rate 25 %
    ("M1", "ja", "データ: 直近3ヶ月のうち0ヶ月で商談化率・引き継ぎ商談受注率が成長期の目標(商談化率 15.0%・"
                 "引き継ぎ商談受注率 25.0%)を達成(基準: 2ヶ月以上で該当)"),
    ("M1", "en", "Data: Opportunity rate and Hand-over win rate met the Growth targets (Opportunity rate 15.0% and "
                 "Hand-over win rate 25.0%) in 0 of the last 3 months (rule: applies at 2 months or more)"),
])
def test_attainment_evidence_names_the_phase_and_its_targets(ten_weeks: Store, item_id: str, lang: str, expected: str):
    found = suggest_answers(ten_weeks, CATALOGUE)
    assert evidence_text(CATALOGUE, item_id, found[item_id], lang) == expected


def test_evidence_names_the_users_own_target(ten_weeks: Store):
    found = suggest_answers(ten_weeks, CATALOGUE, {"startup": {"calls": 90}})
    assert "立ち上げ期の目標(架電数 90件/人/日・コネクト数 20件/人/日)" in evidence_text(CATALOGUE, "S2", found["S2"], "ja")


def test_thresholds_are_read_from_the_catalogue(ten_weeks: Store, tmp_path: Path):
    def change(raw: dict) -> None:
        item(raw, "S2")["suggest"] = {"below": 30}  # 37.5 % is no longer "below"
        item(raw, "G3")["suggest"] = {"at_least": 2}  # 2.1 months are now enough

    found = suggest_answers(ten_weeks, mutated(tmp_path, change))
    assert found["S2"].value is False
    assert found["S2"].evidence == {"periods": 8, "met": 3, "share": 37.5, "target_calls": 100.0,
                                    "target_connects": 20.0, "value": 37.5, "threshold": 30.0}
    assert found["G3"].value is True
    # a 4-week window: weeks 7–10, only week 7 on target = 25 % < 30 → S2 again
    window = mutated(tmp_path, lambda raw: (change(raw), raw["checklist"]["signals"]["action_target_attainment"]
                                            .update(weeks=4)))
    found = suggest_answers(ten_weeks, window)
    assert found["S2"].value is True
    assert found["S2"].evidence == {"periods": 4, "met": 1, "share": 25.0, "target_calls": 100.0,
                                    "target_connects": 20.0, "value": 25.0, "threshold": 30.0}


def test_user_targets_change_the_suggestion(ten_weeks: Store):
    # with a 90-call target, weeks 8–10 meet it too: weeks 3, 5, 7, 8, 9, 10 = 6 of 8 = 75 % → G1 ✓
    found = suggest_answers(ten_weeks, CATALOGUE, {"startup": {"calls": 90}})
    assert found["G1"].evidence["met"] == 6
    assert (found["G1"].value, found["S2"].value) == (True, False)


def test_no_data_no_suggestion():
    assert suggest_answers(open_store(CATALOGUE), CATALOGUE) == {}


# ----------------------------------------------------------------------------- fixture B: four months, two reps
# On the 5th of Dec 2025 and Jan–Mar 2026 Ann and Bob each make 50 calls to 5 leads of their own.
# In December Ann has 10 effective conversations, 2 of them appointments; Bob 10 with 1 appointment.
# Opportunities (month: Ann, Bob; outcome): Dec 1+1 both won; Jan 2+0 one won one lost; Feb 0+1 open;
# Mar 1+1 both won. Growth targets: opportunity rate 15 %, hand-over win rate 25 %.
MONTHS = [date(2025, 12, 5), date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5)]
DEALS = [("Ann", 0, "won"), ("Bob", 0, "won"), ("Ann", 1, "won"), ("Ann", 1, "lost"), ("Bob", 2, "open"),
         ("Ann", 3, "won"), ("Bob", 3, "won")]


@pytest.fixture
def four_months(tmp_path: Path) -> Store:
    rows = []
    for m, day in enumerate(MONTHS):
        for rep, appointments in (("Ann", 2), ("Bob", 1)):
            outcomes = (["Meeting booked"] * appointments + ["Effective conversation"] * (10 - appointments)) \
                if m == 0 else []
            rows += calls(day, rep, 50, outcomes, [f"{rep}-{m}-{i}" for i in range(5)], f"{rep}{m}-")
    deals = [[f"O{n}", MONTHS[m].isoformat(), rep, status] for n, (rep, m, status) in enumerate(DEALS)]
    return load(tmp_path, rows, deals)


def test_suggestions_from_four_months_of_two_reps(four_months: Store):
    found = suggest_answers(four_months, CATALOGUE)
    # S4: appointment rate Ann 2/10 = 20 %, Bob 1/10 = 10 %: mean 15, σ 5, CV 0.3333;
    # opportunity rate Ann 4/20 = 20 %, Bob 3/20 = 15 %: mean 17.5, σ 2.5, CV 0.1429 → widest 0.3333 > 0.25
    assert found["S4"].value is True
    assert found["S4"].evidence == {"cv_appointment_rate": 0.3333, "cv_opportunity_rate": 0.1429,
                                    "value": 0.3333, "threshold": 0.25}
    assert found["S4"].params["widest"] == "appointment_rate"
    # M1: Jan 2/10 = 20 % and 1 of 2 won = 50 % ✓; Feb 1/10 = 10 % ✗; Mar 20 % and 100 % ✓ → 2 of the last 3
    # (December, also on target, is outside the window)
    assert found["M1"].value is True
    assert found["M1"].evidence == {"periods": 3, "met": 2, "target_opportunity_rate": 15.0,
                                    "target_handover_win_rate": 25.0, "value": 2, "threshold": 2.0}
    # G2: 400 calls ÷ 8 rep-days = 50 per day = 62.5 % of growth's 80; opportunity rate 7/40 = 17.5 %
    assert found["G2"].value is False
    assert found["G2"].evidence == {"volume": 50.0, "volume_achievement": 62.5, "target": 80.0, "quality": 17.5,
                                    "quality_low": 10.0, "value": 62.5, "threshold": 100.0}
    # S1 / G3: 2025-12-05 → 2026-03-05 = 90 days = 2.9569 months (shown as 3.0): < 6 → S1 ✓; not yet 3 → G3 ✗
    assert found["S1"].evidence == {"months": 3.0, "value": 2.9569, "threshold": 6.0} and found["S1"].value is True
    assert found["G3"].value is False


def test_a_narrower_spread_threshold_and_window(four_months: Store, tmp_path: Path):
    def change(raw: dict) -> None:
        item(raw, "S4")["suggest"] = {"above": 0.4}  # 0.3333 is not above 0.4
        raw["checklist"]["signals"]["efficiency_target_attainment"]["months"] = 2  # Feb ✗, Mar ✓ → 1
        raw["checklist"]["signals"]["rep_spread"]["kpis"] = ["opportunity_rate"]

    found = suggest_answers(four_months, mutated(tmp_path, change))
    assert found["S4"].value is False
    assert found["S4"].evidence == {"cv_opportunity_rate": 0.1429, "value": 0.1429, "threshold": 0.4}
    assert found["M1"].evidence["met"] == 1 and found["M1"].value is False


# ----------------------------------------------------------------------------- fixture C: volume without quality
@pytest.fixture
def one_busy_day(tmp_path: Path) -> Store:
    # 100 calls to 20 leads in one day, one opportunity: 100 per day = 125 % of growth's 80; rate 1/20 = 5 % < 10
    rows = calls(date(2026, 4, 6), "Ann", 100, [], [f"L{i}" for i in range(20)], "C")
    return load(tmp_path, rows, [["O1", "2026-04-06", "Ann", "open"]])


def test_volume_is_enough_but_quality_is_the_problem(one_busy_day: Store):
    found = suggest_answers(one_busy_day, CATALOGUE)
    assert found["G2"].value is True
    assert found["G2"].evidence == {"volume": 100.0, "volume_achievement": 125.0, "target": 80.0, "quality": 5.0,
                                    "quality_low": 10.0, "value": 125.0, "threshold": 100.0}
    assert evidence_text(CATALOGUE, "G2", found["G2"], "ja") == \
        "データ: 架電数 100件/人/日は成長期の目標 80件/人/日の125%(基準: 100%以上で該当)、商談化率5%(目安の下限10%を下回る)"
    assert evidence_text(CATALOGUE, "G2", found["G2"], "en") == \
        ("Data: Calls 100 per rep per day is 125% of the Growth target of 80 per rep per day (rule: applies at "
         "100% or more); Opportunity rate 5% (below the benchmark low of 10%)")
    # growth's target of 120 calls: 100 ÷ 120 = 83.3 % → not enough volume; startup's target plays no part
    higher = suggest_answers(one_busy_day, CATALOGUE, {"growth": {"calls": 120}})
    assert higher["G2"].value is False and higher["G2"].evidence["volume_achievement"] == 83.3
    assert "成長期の目標 120件/人/日の83.3%" in evidence_text(CATALOGUE, "G2", higher["G2"], "ja")
    assert suggest_answers(one_busy_day, CATALOGUE, {"startup": {"calls": 120}})["G2"].value is True


# ----------------------------------------------------------------------------- catalogue validation
@pytest.mark.parametrize(("change", "expected"), [
    (lambda raw: item(raw, "S1")["suggest"].update(beyond=3), "checklist.items.0.suggest.beyond: Extra inputs"),
    (lambda raw: item(raw, "S1")["suggest"].update(at_least=3), "checklist.items.0.suggest: Value error, give exactly one"),
    (lambda raw: item(raw, "S3").update(suggest={"below": 1}), "checklist.items.2.suggest: a suggestion needs from_data"),
    (lambda raw: raw["checklist"]["signals"].update(streak={"kpis": ["calls"]}), "checklist.signals.streak: Extra inputs"),
    (lambda raw: raw["checklist"]["signals"]["rep_spread"].update(min_cv=1), "checklist.signals.rep_spread.min_cv: Extra"),
    (lambda raw: raw["checklist"]["signals"]["action_target_attainment"].update(months=2),
     "checklist.signals.action_target_attainment: Value error, give either weeks or months"),
    (lambda raw: raw["checklist"]["signals"]["action_target_attainment"].update(kpis=["calls", "dials"]),
     "checklist.signals.action_target_attainment.kpis.1: names KPI 'dials', which is not defined"),
    (lambda raw: raw["checklist"]["signals"]["action_target_attainment"].update(kpis=["sqls"]),
     "checklist.signals.action_target_attainment.kpis.0: KPI 'sqls' has no target in phase 'startup'"),
    (lambda raw: raw["checklist"]["signals"]["volume_without_quality"].update(quality_kpi="sqls"),
     "checklist.signals.volume_without_quality.quality_kpi: KPI 'sqls' has no benchmark low"),
    (lambda raw: raw["checklist"]["signals"].pop("rep_spread"),
     "checklist.items.3.suggest: signal 'rep_spread' has no parameters in checklist.signals"),
    (lambda raw: raw["transition"].update(margin=1), "transition.margin: Extra inputs"),
    (lambda raw: raw["transition"]["steps"][0].update(to_month=0), "transition.steps.0: Value error, to_month (0)"),
    (lambda raw: raw["transition"]["steps"][0].update(id="warm_up"), "transition.steps.0.id: Input should be"),
    (lambda raw: raw["transition"]["rep_ahead"].update(key_rates=["win_ratio"]),
     "transition.rep_ahead.key_rates.0: names KPI 'win_ratio', which is not defined"),
    (lambda raw: raw["transition"]["rep_ahead"].update(rates=[]), "transition.rep_ahead.rates: Extra inputs"),
])
def test_new_catalogue_fields_are_validated(tmp_path: Path, change, expected: str):
    with pytest.raises(CatalogueError) as caught:
        mutated(tmp_path, change)
    assert len(caught.value.problems) == 1, caught.value.problems
    assert caught.value.problems[0].startswith(expected), caught.value.problems


# ----------------------------------------------------------------------------- transition plan (SPEC §7)
def answered(*ticked: str, override: str | None = None):
    return judge(CATALOGUE, {i.id: i.id in ticked for i in CATALOGUE.checklist.items}, override)


@pytest.mark.parametrize(("diagnosis", "target"), [
    (answered("S1", "S2", "S3", "G1", "G2", "G3"), "growth"),  # straddle → the reference phase
    (answered("S1", "S2", "S3", "G1", "G2"), "growth"),  # growth 2 ticked ≥ 3 − 1 → near
    (answered("S1", "S2", "S3", "G1"), None),  # growth 1 ticked < 2
    (answered("G1", "G2", "G3", "M1"), "mature"),  # mature 1 ticked ≥ 2 − 1
    (answered("G1", "G2", "G3"), None),
    (answered("M1", "M2"), None),  # nothing above mature
    (answered("S1", "S2", "S3", "G1", "G2", override="growth"), None),  # growth chosen; mature 0 ticked
    (phase_from_age(CATALOGUE, date(2026, 1, 1), date(2026, 3, 1)), None),  # no checklist, no plan
    (None, None),
])
def test_transition_target(diagnosis, target):
    assert transition_target(CATALOGUE, diagnosis) == target


def test_transition_plan_dates():
    # start 2026-11-01: preparation Nov; parallel Dec–Jan (to 3 months, exclusive); full switch from 1 Feb
    assert transition_plan(CATALOGUE, answered("S1", "S2", "S3", "G1", "G2"), date(2026, 11, 1)) == [
        Step("phase.step.preparation", date(2026, 11, 1), date(2026, 11, 30)),
        Step("phase.step.parallel", date(2026, 12, 1), date(2027, 1, 31)),
        Step("phase.step.full_switch", date(2027, 2, 1), None),
    ]
    # a start at the end of January: months are clamped (31 Jan + 1 month = 28 Feb)
    assert transition_plan(CATALOGUE, answered("S1", "S2", "S3", "G1", "G2", "G3"), date(2026, 1, 31)) == [
        Step("phase.step.preparation", date(2026, 1, 31), date(2026, 2, 27)),
        Step("phase.step.parallel", date(2026, 2, 28), date(2026, 4, 29)),
        Step("phase.step.full_switch", date(2026, 4, 30), None),
    ]
    assert transition_plan(CATALOGUE, answered("M1", "M2"), date(2026, 11, 1)) == []


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
    (date(2026, 11, 15), 2, date(2027, 1, 15)),
    (date(2026, 12, 31), 3, date(2027, 3, 31)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
])
def test_add_months(day: date, months: int, expected: date):
    assert add_months(day, months) == expected


# ----------------------------------------------------------------------------- per-rep phase (SPEC §6)
def rep_results(calls_per_day: float, calls_total: float, appointment_rate: float, opportunity_rate: float) -> KpiResults:
    values = {k: KpiValue(k, None, None) for k in CATALOGUE.kpis}
    values["calls"] = KpiValue("calls", calls_total, calls_per_day)
    values["appointment_rate"] = KpiValue("appointment_rate", appointment_rate, appointment_rate)
    values["opportunity_rate"] = KpiValue("opportunity_rate", opportunity_rate, opportunity_rate)
    return KpiResults(Period(date(2026, 1, 1), date(2026, 1, 31), 20, 1), values)


BY_REP = {
    "Ann": rep_results(85, 1700, 16, 12),  # growth: calls 85 ≥ 80; 16 > 15 and 12 > 10 → ahead
    "Bob": rep_results(85, 1700, 15, 12),  # appointment rate at the low, not above → team
    "Cho": rep_results(79, 1580, 20, 20),  # calls 79 < 80 → team
    "Dan": rep_results(90, 180, 20, 20),  # 180 calls < 200 minimum activity → team
}


def test_rep_phases():
    assert rep_phases(CATALOGUE, "growth", BY_REP) == {"Ann": "mature", "Bob": "growth", "Cho": "growth",
                                                       "Dan": "growth"}
    assert rep_phases(CATALOGUE, "growth", BY_REP, {"calls": 90}) == dict.fromkeys(BY_REP, "growth")
    assert rep_phases(CATALOGUE, "mature", BY_REP) == dict.fromkeys(BY_REP, "mature")  # nothing above
    # startup's action KPIs include connects, effective conversations and emails: unmeasured → nobody is ahead
    assert rep_phases(CATALOGUE, "startup", BY_REP) == dict.fromkeys(BY_REP, "startup")


def test_rep_rule_is_read_from_the_catalogue(tmp_path: Path):
    catalogue = mutated(tmp_path, lambda raw: raw["transition"]["rep_ahead"].update(min_achievement=110))
    assert rep_phases(catalogue, "growth", BY_REP)["Ann"] == "growth"  # 85 ÷ 80 = 106 % < 110 %


# ----------------------------------------------------------------------------- the page
@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PHASEKPI_PROFILES", str(tmp_path / "profiles.json"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_shows_the_suggestions_and_applies_them(app: AppTest, lang: str):
    app.radio(key="lang").set_value(lang).run()
    app.switch_page("views/diagnosis.py").run()
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    # demo data: 0 of the last 8 weeks at 100 calls and 20 connects per rep per day; CV of the
    # opportunity rate between reps 0.29; 8.9 months of data
    if lang == "ja":
        assert ("提案: 該当する — データ: 直近8週のうち0週で架電数・コネクト数が立ち上げ期の目標(架電数 100件/人/日・"
                "コネクト数 20件/人/日)を達成(0%") in captions
        assert "データ: 8.9ヶ月分のデータが蓄積" in captions
    else:
        assert "Suggested: applies — Data: Calls and Connects met the Startup targets (Calls 100 per rep" in captions
    assert all(not app.checkbox(key=f"item_{i}").value for i in ("S2", "S4", "G3"))
    label = {"ja": "データの提案を反映", "en": "Apply the data's suggestions"}[lang]
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception
    ticked = {i.id: app.checkbox(key=f"item_{i.id}").value for i in CATALOGUE.checklist.items}
    assert ticked == {"S1": False, "S2": True, "S3": False, "S4": True, "G1": False, "G2": False, "G3": True,
                      "G4": False, "M1": False, "M2": False}
    assert app.session_state["answers"] == ticked  # remembered as the checklist's answers
    # S2 and S4 of startup (2 of 4) against G3 of growth (1 of 4): undetermined, startup proposed
    assert any(("立ち上げ期" if lang == "ja" else "Startup") in w.value for w in app.warning)


def test_transition_plan_on_the_page_and_the_dashboard(app: AppTest):
    app.switch_page("views/diagnosis.py").run()
    for item_id in ("S1", "S2", "S3", "G1", "G2"):
        app.checkbox(key=f"item_{item_id}").check()
    app.button[0].click().run()  # 診断する
    assert not app.exception
    assert "フェーズ移行プラン: 立ち上げ期 → 成長期" in [s.value for s in app.subheader]
    app.date_input(key="phase_transition_start").set_value(date(2026, 11, 1)).run()
    steps = app.table[-1].value
    assert list(steps.iloc[:, 1]) == ["2026-11-01", "2026-12-01", "2027-02-01"]
    assert list(steps.iloc[:, 2])[:2] == ["2026-11-30", "2027-01-31"]
    reference = app.dataframe[-1].value
    growth = [CATALOGUE.kpis[e.kpi].label.ja for e in CATALOGUE.phase("growth").kpis]
    assert sorted(reference["KPI"]) == sorted(growth)  # the growth phase's KPIs, most important first
    assert reference["目標"].iloc[0] == "15.0%"  # opportunity rate, importance 3
    app.switch_page("views/dashboard.py").run()
    assert not app.exception
    assert "参考値: 成長期のKPI" in [s.value for s in app.subheader]
    app.switch_page("views/reps.py").run()
    assert not app.exception
    assert set(app.dataframe[0].value["個別フェーズ"]) == {"立ち上げ期"}  # no demo rep beats 100 calls a day


def test_transition_plan_in_english(app: AppTest):
    app.radio(key="lang").set_value("en").run()
    app.switch_page("views/diagnosis.py").run()
    for item_id in ("G1", "G2", "G3", "M1"):  # growth matched, mature one short of its threshold
        app.checkbox(key=f"item_{item_id}").check()
    app.button[0].click().run()
    assert not app.exception
    assert "Transition plan: Growth → Mature" in [s.value for s in app.subheader]
    assert list(app.table[-1].value.iloc[:, 0]) == ["Preparation (1 month before)", "Parallel operation (1–2 months)",
                                                    "Full switch (from month 3)"]
    kana = re.compile(r"[\u3040-\u30ff]")
    shown = [e.value for kind in ("subheader", "caption", "info", "markdown") for e in getattr(app, kind)]
    assert [text for text in shown if kana.search(text)] == []
