"""Quality score (SPEC §5) on hand-made opportunities: every part, average, share and bin by hand.

Rubric: BANT 4 confirmed = 30, 3 = 20, 2 or fewer = 10; need concrete 25 / outline 15 / unclear 5;
decision process detailed 25 / outline 15 / unknown 5; next action date_fixed 20 / period_only 10 /
undecided 0. A missing or unknown answer scores 0; an export's own quality_score wins.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.charts.quality import bins_chart, bins_frame, lowest_table, reps_chart, reps_frame, reps_table
from phasekpi.ingest import load_file
from phasekpi.metrics import compute_kpis
from phasekpi.quality import RepQuality, ScoredOpportunity, quality_report, quality_target
from phasekpi.schema import Store, open_store
from phasekpi.selection import Filters

CATALOGUE = default_catalogue()
APRIL = Filters(date(2025, 4, 1), date(2025, 4, 30))
HEADER = ["opportunity_id", "created_at", "rep", "status", "bant_budget", "bant_authority", "bant_need", "bant_timeline",
          "need_level", "decision_process", "next_action", "quality_score"]
ROWS = [
    ["Q1", "2025-04-01", "A", "open", "1", "1", "1", "1", "concrete", "detailed", "date_fixed", ""],  # 30+25+25+20 = 100
    ["Q2", "2025-04-02", "A", "open", "1", "1", "1", "0", "outline", "outline", "period_only", ""],  # 20+15+15+10 = 60
    ["Q3", "2025-04-03", "B", "open", "1", "1", "0", "0", "unclear", "unknown", "undecided", ""],  # 10+5+5+0 = 20
    ["Q4", "2025-04-04", "B", "open", "0", "0", "0", "0", "concrete", "outline", "date_fixed", ""],  # 10+25+15+20 = 70
    ["Q5", "2025-04-05", "A", "open", "1", "", "", "", "", "detailed", "", ""],  # 1 BANT → 10, +0, +25, +0 = 35
    ["Q6", "2025-04-06", "B", "open", "1", "1", "1", "1", "concrete", "detailed", "date_fixed", "82.5"],  # given
    ["Q7", "2025-04-07", "", "open", "", "", "", "", "", "", "", "90"],  # given, no item, no rep
    ["Q8", "2025-04-08", "A", "open", "", "", "", "", "", "", "", ""],  # nothing: not scored
    ["Q9", "2025-04-09", "A", "open", "1", "1", "1", "1", "vague", "Detailed", "date_fixed", ""],  # 30+0+25+20 = 75
    ["Q10", "2025-05-15", "A", "open", "1", "1", "1", "1", "concrete", "detailed", "date_fixed", ""],  # May: 100
    ["Q11", "2025-04-10", "B", "open", "1", "1", "1", "0", "outline", "outline", "period_only", "60"],  # given = parts
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("quality") / "opportunities.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *ROWS])
    store = open_store(CATALOGUE)
    assert load_file(store, path, "opportunities.csv").rows_loaded == len(ROWS)
    return store


def opportunity(report_rows: list[ScoredOpportunity], opportunity_id: str) -> ScoredOpportunity:
    return next(o for o in report_rows if o.opportunity_id == opportunity_id)


def test_each_opportunity_with_its_four_parts(store: Store) -> None:
    rows = quality_report(store, CATALOGUE, APRIL).lowest
    # lowest first; Q2 and Q11 tie at 60 and go by creation date; Q8 has no score, Q10 is in May
    assert [o.opportunity_id for o in rows] == ["Q3", "Q5", "Q2", "Q11", "Q4", "Q9", "Q6", "Q7", "Q1"]
    at = datetime(2025, 4, 1)
    assert opportunity(rows, "Q1") == ScoredOpportunity("Q1", at, "A", 4, 30, 25, 25, 20, 100.0, False)
    parts = {o.opportunity_id: (o.bant_confirmed, o.bant_points, o.need_points, o.decision_points,
                                o.next_action_points, o.score) for o in rows}
    assert parts["Q2"] == (3, 20, 15, 15, 10, 60.0)  # 3 confirmed → 20
    assert parts["Q3"] == (2, 10, 5, 5, 0, 20.0)  # 2 confirmed → 10
    assert parts["Q4"] == (0, 10, 25, 15, 20, 70.0)  # 0 confirmed → 10 as well
    q5 = opportunity(rows, "Q5")  # missing items score 0 and show as None
    assert (q5.bant_confirmed, q5.bant_points, q5.need_points, q5.decision_points, q5.next_action_points, q5.score) == (
        1, 10, None, 25, None, 35.0)
    q6 = opportunity(rows, "Q6")  # the given 82.5 overrides the parts' 100
    assert (q6.bant_points + q6.need_points + q6.decision_points + q6.next_action_points, q6.score, q6.given) == (
        100, 82.5, True)
    q7 = opportunity(rows, "Q7")  # a given score without any item
    assert (q7.rep, q7.bant_points, q7.need_points, q7.score, q7.given) == (None, None, None, 90.0, True)
    q9 = opportunity(rows, "Q9")  # "vague" is no rubric answer (0); "Detailed" matches whatever its case
    assert (q9.need_points, q9.decision_points, q9.score) == (None, 25, 75.0)
    assert opportunity(rows, "Q11").given is False  # a given score equal to its parts needs no mark


def test_team_average_share_and_target(store: Store) -> None:
    april = quality_report(store, CATALOGUE, APRIL)
    # 100 + 60 + 20 + 70 + 35 + 82.5 + 90 + 75 + 60 = 592.5 over 9; at 75 or more: Q1 Q6 Q7 Q9
    assert (april.scored, april.at_target, april.target) == (9, 4, 75.0)
    assert april.average == pytest.approx(592.5 / 9)
    assert april.share_at_target == pytest.approx(400 / 9)
    assert april.average == pytest.approx(compute_kpis(store, CATALOGUE, APRIL).total("quality_score"))
    everything = quality_report(store, CATALOGUE, Filters())  # + Q10 (100): 692.5 / 10
    assert (everything.scored, everything.average, everything.share_at_target) == (10, 69.25, 50.0)
    stricter = quality_report(store, CATALOGUE, APRIL, target=80)  # 100, 82.5, 90
    assert stricter.at_target == 3


def test_per_rep(store: Store) -> None:
    reps = quality_report(store, CATALOGUE, APRIL).reps
    assert reps == [
        RepQuality("A", 4, 67.5, 2),  # Q1 100, Q2 60, Q5 35, Q9 75
        RepQuality("B", 4, 58.125, 1),  # Q3 20, Q4 70, Q6 82.5, Q11 60
        RepQuality(None, 1, 90.0, 1),  # Q7, no rep: last
    ]
    assert [r.share_at_target for r in reps] == [50.0, 25.0, 100.0]
    assert [r.rep for r in quality_report(store, CATALOGUE, Filters(reps=("B",))).reps] == ["B"]


def test_histogram_bins(store: Store) -> None:
    bins = quality_report(store, CATALOGUE, APRIL).bins
    assert [(b.low, b.high) for b in bins][:2] == [(0, 9), (10, 19)] and (bins[-1].low, bins[-1].high) == (90, 100)
    # 20 → 20–29; 35 → 30–39; 60, 60 → 60–69; 70, 75 → 70–79; 82.5 → 80–89; 90, 100 → 90–100
    assert [b.count for b in bins] == [0, 0, 1, 1, 0, 0, 2, 2, 1, 2]


def test_no_quality_data_is_an_empty_report(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("opportunity_id,created_at,rep,status\nP1,2025-04-01,A,open\n", encoding="utf-8")
    plain = open_store(CATALOGUE)
    load_file(plain, path, "plain.csv")
    report = quality_report(plain, CATALOGUE, Filters())
    assert (report.scored, report.average, report.share_at_target, report.reps, report.lowest) == (0, None, None, [], [])
    assert [b.count for b in report.bins] == [0] * 10
    assert quality_report(open_store(CATALOGUE), CATALOGUE, Filters()).scored == 0  # nothing loaded at all


def test_target_comes_from_the_phase_or_the_users_targets() -> None:
    assert quality_target(CATALOGUE, "growth") == 75.0
    assert quality_target(CATALOGUE, "startup") == 75.0  # startup does not track it: the growth target
    assert quality_target(CATALOGUE, "startup", {"growth": {"quality_score": 80}}) == 80.0
    assert quality_target(CATALOGUE, "growth", {"mature": {"quality_score": 90}}) == 75.0


def test_charts_and_tables(store: Store) -> None:
    report = quality_report(store, CATALOGUE, APRIL)
    frame = bins_frame(report, "ja")
    assert len(frame) == 10 and list(frame["at_target"]) == [False] * 8 + [True] * 2  # bands from 80 up
    spec = bins_chart(frame, "ja").to_dict()
    bars, target, average = spec["layer"]
    assert (bars["encoding"]["x"]["field"], bars["encoding"]["x2"]["field"]) == ("low", "high")
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert target["mark"]["strokeDash"] == [5, 3] and target["encoding"]["x"]["field"] == "target"
    assert average["encoding"]["x"]["field"] == "average"
    rows = next(iter(spec["datasets"].values()))
    assert (rows[9]["low"], rows[9]["high"], rows[9]["count"], rows[9]["bin"]) == (90, 100, 2, "90–100")
    assert rows[0]["target_text"] == "75.0点"
    reps = reps_chart(reps_frame(report, "en"), "en").to_dict()
    assert [r["rep"] for r in next(iter(reps["datasets"].values()))] == ["A", "B", "(no rep)"]
    assert reps["layer"][0]["encoding"]["y"]["sort"] is None  # by name, not ranked
    assert list(reps_table(report, "en").iloc[1]) == ["B", 4, "58.1 pts", "25.0%"]
    table = lowest_table(report, "ja")
    assert list(table.columns) == ["商談ID", "作成日", "担当者(IS)", "BANT", "ニーズ把握", "決裁プロセス", "次回アクション",
                                   "スコア"]
    assert list(table.iloc[1]) == ["Q5", "2025-04-05", "A", "10点(1/4項目)", "—", "25", "—", "35.0点"]
    assert table.iloc[7]["BANT"] == "—" and table.iloc[7]["スコア"] == "90.0点 *"  # Q7: given, no item
