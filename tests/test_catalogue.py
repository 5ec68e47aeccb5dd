"""The KPI catalogue: the real kpi_defs.yaml holds SPEC §3–§6, and every validation rule bites.

Bad catalogues come two ways: literal fixture files in tests/data/catalogue_bad/ (a small but
complete catalogue with one thing broken), and a table of mutations of the real kpi_defs.yaml
written to tmp_path. Each must raise CatalogueError whose problems name the entry and field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from phasekpi import CATALOGUE_PATH
from phasekpi.catalogue import Catalogue, CatalogueError, default_catalogue, load_catalogue

BAD_DIR = Path(__file__).parent / "data" / "catalogue_bad"
RAW = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE_PATH)


# ----------------------------------------------------------------------------- the real catalogue

def test_real_catalogue_loads(catalogue: Catalogue):
    assert catalogue.version == 1
    assert catalogue.phase_ids == ["startup", "growth", "mature"]
    assert [t.id for t in catalogue.tiers] == ["strategic", "tactical", "action"]
    assert default_catalogue() is default_catalogue()  # read once per process
    assert default_catalogue() == catalogue


# SPEC §3: benchmark ranges (None = open end), and the startup per-rep daily guides.
BENCHMARKS = [
    ("opportunity_rate", 10, 20),
    ("connect_rate", 20, 30),
    ("effective_conversation_rate", 50, 70),
    ("appointment_rate", 15, 25),
    ("email_reply_rate", 3, 8),
    ("handover_win_rate", 25, None),
    ("ltv_cac", 3.0, None),
    ("calls", 80, 120),
    ("connects", 15, 25),
    ("effective_conversations", 8, 15),
    ("emails_sent", 30, 50),
    ("appointments", 2, 5),
]


@pytest.mark.parametrize(("kpi_id", "low", "high"), BENCHMARKS)
def test_benchmarks_of_spec_3(catalogue: Catalogue, kpi_id: str, low: float, high: float | None):
    benchmark = catalogue.kpis[kpi_id].benchmark
    assert benchmark is not None
    assert (benchmark.low, benchmark.high) == (low, high)


def test_per_rep_daily_guides_are_per_rep_per_day(catalogue: Catalogue):
    for kpi_id in ("calls", "connects", "effective_conversations", "emails_sent", "appointments"):
        assert catalogue.kpis[kpi_id].grain == "per_rep_per_day", kpi_id


def test_only_spec_benchmarks_exist(catalogue: Catalogue):
    assert {k for k, kpi in catalogue.kpis.items() if kpi.benchmark} == {k for k, _, _ in BENCHMARKS}


# SPEC §3 formulas: numerator ÷ denominator × scale
RATIOS = [
    ("opportunity_rate", "opportunities_created", "leads_worked", 100),
    ("connect_rate", "connects", "calls", 100),
    ("effective_conversation_rate", "effective_conversations", "connects", 100),
    ("appointment_rate", "call_appointments", "effective_conversations", 100),
    ("email_reply_rate", "email_replies", "emails_sent", 100),
    ("email_open_rate", "emails_opened", "emails_sent", 100),
    ("handover_win_rate", "won_deals", "closed_deals", 100),
    ("effective_opportunity_rate", "effective_opportunities", "opportunities_created", 100),
]


@pytest.mark.parametrize(("kpi_id", "numerator", "denominator", "scale"), RATIOS)
def test_ratio_formulas(catalogue: Catalogue, kpi_id, numerator, denominator, scale):
    kpi = catalogue.kpis[kpi_id]
    assert (kpi.type, kpi.numerator, kpi.denominator, kpi.scale, kpi.unit) == (
        "ratio", numerator, denominator, scale, "percent")


def test_derived_formulas(catalogue: Catalogue):
    expressions = {k: kpi.expression for k, kpi in catalogue.kpis.items() if kpi.type == "derived"}
    assert expressions == {
        "cac": "is_cost_per_month * months / won_deals",
        "ltv": "arpa_per_month * gross_margin_pct / 100 * lifetime_months",
        "ltv_cac": "ltv / cac",
        "roi": "(won_amount - is_cost_per_month * months) / (is_cost_per_month * months) * 100",
        "forecast_accuracy": "abs(forecast_won_amount - won_amount) / won_amount * 100",
    }
    assert catalogue.kpis["cac"].direction == "lower"
    assert catalogue.kpis["forecast_accuracy"].direction == "lower"


# SPEC §4: per phase, in order: (tier, KPI, importance, target)
PHASES = {
    "startup": [
        ("action", "calls", 3, 100),
        ("action", "connects", 3, 20),
        ("action", "effective_conversations", 2, 10),
        ("action", "emails_sent", 2, 40),
        ("tactical", "appointments", 3, 3),
        ("tactical", "opportunities_created", 2, 15),
    ],
    "growth": [
        ("action", "calls", 2, 80),
        ("tactical", "opportunity_rate", 3, 15),
        ("tactical", "sqls", 3, 20),
        ("tactical", "quality_score", 2, 75),
        ("tactical", "handover_win_rate", 2, 25),
        ("strategic", "opportunity_amount", 2, 30_000_000),
    ],
    "mature": [
        ("tactical", "opportunity_rate", 2, 18),
        ("tactical", "sqls", 2, 25),
        ("strategic", "won_amount", 3, 50_000_000),
        ("strategic", "pipeline_amount", 3, 150_000_000),
        ("strategic", "cac", 2, 500_000),
        ("strategic", "ltv_cac", 2, 3.0),
    ],
}
PHASE_FRAME = {  # months from, to; leading tier (SPEC §1)
    "startup": (0, 6, "action"),
    "growth": (6, 12, "tactical"),
    "mature": (12, None, "strategic"),
}


@pytest.mark.parametrize("phase_id", list(PHASES))
def test_phase_kpi_sets_of_spec_4(catalogue: Catalogue, phase_id: str):
    phase = catalogue.phase(phase_id)
    actual = [(catalogue.kpis[e.kpi].tier, e.kpi, e.importance, e.target) for e in phase.kpis]
    assert actual == PHASES[phase_id]
    assert (phase.months.start, phase.months.end, phase.leading_tier) == PHASE_FRAME[phase_id]


def test_every_kpi_has_meaning_and_label_in_both_languages(catalogue: Catalogue):
    for kpi_id, kpi in catalogue.kpis.items():
        for text in (kpi.label, kpi.meaning):
            assert text.ja.strip() and text.en.strip(), kpi_id
            assert text("ja") == text.ja and text("en") == text.en


CHECKLIST = [("S1", "startup"), ("S2", "startup"), ("S3", "startup"), ("S4", "startup"),
             ("G1", "growth"), ("G2", "growth"), ("G3", "growth"), ("G4", "growth"),
             ("M1", "mature"), ("M2", "mature")]


def test_checklist_of_spec_6(catalogue: Catalogue):
    items = catalogue.checklist.items
    assert [(i.id, i.phase) for i in items] == CHECKLIST
    for item in items:
        assert item.label.ja.strip() and item.label.en.strip(), item.id
    assert catalogue.checklist.thresholds == {"startup": 3, "growth": 3, "mature": 2}
    # the items data can answer (SPEC §6: S1, S2, S4, G1, G3, M1)
    assert [i.id for i in items if i.from_data] == ["S1", "S2", "S4", "G1", "G3", "M1"]


def test_quality_score_rubric_of_spec_5(catalogue: Catalogue):
    rubric = catalogue.quality_score
    assert [(r.min_confirmed, r.points) for r in rubric.bant] == [(4, 30), (3, 20), (0, 10)]
    assert rubric.need == {"concrete": 25, "outline": 15, "unclear": 5}
    assert rubric.decision_process == {"detailed": 25, "outline": 15, "unknown": 5}
    assert rubric.next_action == {"date_fixed": 20, "period_only": 10, "undecided": 0}
    best = 30 + max(rubric.need.values()) + max(rubric.decision_process.values()) + max(rubric.next_action.values())
    assert best == 100


def test_effective_conversation_is_two_minutes(catalogue: Catalogue):
    assert catalogue.outcomes.effective_min_seconds == 120
    vocabulary = catalogue.outcomes.vocabulary
    assert "不在" in vocabulary["none"] and "接続" in vocabulary["connected"]
    assert "アポ獲得" in vocabulary["appointment"] and "Meeting booked" in vocabulary["appointment"]


def test_stages_and_funnels_of_spec_8(catalogue: Catalogue):
    assert list(catalogue.stages) == ["lead_acquisition", "appointment_setting", "meeting", "closing", "retention"]
    for stage_id, stage in catalogue.stages.items():
        assert stage.countermeasures, stage_id
        for text in (stage.label, stage.issue, *stage.countermeasures):
            assert text.ja.strip() and text.en.strip(), stage_id
    assert [s.kpi for s in catalogue.funnels["activity"].steps] == [
        "calls", "connects", "effective_conversations", "call_appointments", "opportunities_created",
        "effective_opportunities", "won_deals"]
    assert [s.kpi for s in catalogue.funnels["email"].steps] == ["emails_sent", "emails_opened", "email_replies"]
    for funnel in catalogue.funnels.values():
        for step in funnel.steps:
            if step.rate_kpi:
                rate = catalogue.kpis[step.rate_kpi]
                assert rate.type == "ratio" and rate.numerator == step.kpi, step


# ----------------------------------------------------------------------------- literal bad files

LITERAL = {
    "unknown_top_key.yaml": ["colour: Extra inputs are not permitted"],
    "unknown_kpi_key.yaml": ["kpis.calls.owner: Extra inputs are not permitted"],
    "wrong_tier.yaml": ["kpis.calls.tier: Input should be 'strategic', 'tactical' or 'action' (got 'operational')"],
    "ratio_missing_denominator.yaml": ["kpis.connect_rate: Value error, a ratio KPI needs denominator"],
    "expression_forbidden_call.yaml": ["kpis.cac.expression: only abs() may be called"],
    "dependency_cycle.yaml": ["kpis.connect_rate: depends on itself (connect_rate → cac → connect_rate)"],
    "funnel_undefined_stage.yaml": ["funnels.activity.steps.1.stage: names stage 'closing', which is not defined"],
    "benchmark_low_above_high.yaml": ["kpis.calls.benchmark: Value error, low (130.0) is above high (120.0)"],
    "missing_threshold.yaml": ["checklist.thresholds: no threshold for phase 'mature'"],
    "duplicate_checklist_ids.yaml": ["checklist.items: item ids repeat"],
    "measure_where_typo.yaml": ['kpis.calls.measure: DuckDB cannot run it: Binder Error: Referenced column "chanel" not found'],
    "measure_date_column_typo.yaml": ['kpis.calls.measure: DuckDB cannot run it: Binder Error: Referenced column "occured_at"'],
    "invalid_yaml.yaml": ["not valid YAML"],
    "not_a_mapping.yaml": ["the file must be a mapping of sections"],
}


def test_every_literal_fixture_has_expectations():
    assert {p.name for p in BAD_DIR.glob("*.yaml")} == set(LITERAL) | {"three_problems.yaml"}


@pytest.mark.parametrize("name", sorted(LITERAL))
def test_literal_bad_catalogue(name: str):
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(BAD_DIR / name)
    problems = caught.value.problems
    assert len(problems) == 1, problems  # the rest of the file is a valid catalogue
    assert problems[0].startswith(LITERAL[name][0]), problems
    assert caught.value.path == BAD_DIR / name
    assert str(caught.value).startswith(f"{name}: 1 problem(s)")


def test_three_independent_problems_are_reported_at_once():
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(BAD_DIR / "three_problems.yaml")
    assert caught.value.problems == [
        "kpis.calls.tier: Input should be 'strategic', 'tactical' or 'action' (got 'operational')",
        "phases.0.kpis.0.kpi: names KPI 'dials', which is not defined",
        "funnels.activity.steps.1.stage: names stage 'closing', which is not defined",
    ]
    assert "3 problem(s)" in str(caught.value)


# ----------------------------------------------------------------------------- mutations of the real file

def _set(path: str, value: object) -> Callable[[dict], None]:
    def mutate(raw: dict) -> None:
        *parents, last = path.split(".")
        node = raw
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _drop(path: str) -> Callable[[dict], None]:
    def mutate(raw: dict) -> None:
        *parents, last = path.split(".")
        node = raw
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[int(last) if isinstance(node, list) else last]
    return mutate


def _both(*mutations: Callable[[dict], None]) -> Callable[[dict], None]:
    def mutate(raw: dict) -> None:
        for m in mutations:
            m(raw)
    return mutate


MUTATIONS = [
    # structure: unknown keys, wrong choices, missing fields
    ("unknown top-level key", _set("colour", "blue"), "colour: Extra inputs are not permitted"),
    ("unknown key in a KPI", _set("kpis.calls.owner", "sales"), "kpis.calls.owner: Extra inputs are not permitted"),
    ("unknown key in a measure", _set("kpis.calls.measure.filter", "x"), "kpis.calls.measure.filter: Extra inputs"),
    ("unknown key in a phase", _set("phases.1.colour", "red"), "phases.1.colour: Extra inputs"),
    ("missing section", _drop("funnels"), "funnels: Field required"),
    ("wrong tier", _set("kpis.calls.tier", "operational"), "kpis.calls.tier: Input should be"),
    ("wrong KPI type", _set("kpis.calls.type", "average"), "kpis.calls.type: Input should be"),
    ("wrong grain", _set("kpis.calls.grain", "per_week"), "kpis.calls.grain: Input should be"),
    ("wrong unit", _set("kpis.sqls.unit", "pieces"), "kpis.sqls.unit: Input should be"),
    ("wrong direction", _set("kpis.cac.direction", "down"), "kpis.cac.direction: Input should be"),
    ("wrong indicator", _set("kpis.calls.indicator", "both"), "kpis.calls.indicator: Input should be"),
    ("wrong measure table", _set("kpis.calls.measure.table", "calls"), "kpis.calls.measure.table: Input should be"),
    ("label without ja", _drop("kpis.calls.label.ja"), "kpis.calls.label.ja: Field required"),
    ("empty ja meaning", _set("kpis.sqls.meaning.ja", ""), "kpis.sqls.meaning.ja: String should have at least 1"),
    ("setting with unknown unit", _set("settings.lifetime_months.unit", "years"),
     "settings.lifetime_months.unit: Input should be"),
    ("version not a number", _set("version", "one"), "version: Input should be a valid integer"),
    # the SQL of a measure, bound by DuckDB on an empty store: every typo at once, each with its KPI
    ("typo in a where", _set("kpis.connects.measure.where", "is_call AND is_conected"),
     "kpis.connects.measure: DuckDB cannot run it: Binder Error: Referenced column \"is_conected\""),
    ("two measure typos", lambda raw: (_set("kpis.calls.measure.date_column", "occured_at")(raw),
                                       _set("kpis.won_amount.measure.column", "ammount")(raw)),
     ("kpis.calls.measure: DuckDB cannot run it", "kpis.won_amount.measure: DuckDB cannot run it")),
    ("a sourcing rule's where", _set("sourcing.0.where", "is_sorced"), "sourcing.0.where: DuckDB cannot run it"),
    ("an amount per rep", _set("kpis.won_amount.grain", "per_rep_per_month"),
     "kpis.won_amount.grain: an amount is the team's (per_month or period), never per_rep_per_month"),
    ("an activity KPI not defined", _set("activity_kpis", ["calls", "emailz"]),
     "activity_kpis.1: names KPI 'emailz', which is not defined"),
    # the KGI plan chain and the strategy page: everything they name, checked at load
    ("a plan KGI that is not a volume", _set("plan.kgi", ["revenue", "profit"]),
     "plan.kgi.1: names 'profit', which is not one of plan.volumes"),
    ("a plan volume's actual not defined", _set("plan.volumes.6.actual", "dials"),
     "plan.volumes.6.actual: names KPI 'dials', which is not defined"),
    ("a plan volume at a grain its KPI cannot give", _set("plan.volumes.6.grain", "per_month"),
     "plan.volumes.6.actual: KPI 'calls' is kept per_rep_per_day, which the plan cannot compare per_month"),
    ("a plan factor's KPI not defined", _set("plan.volumes.6.factor.kpi", "conect_rate"),
     "plan.volumes.6.factor.kpi: names KPI 'conect_rate', which is not defined"),
    ("a plan rate that is not a ratio", _set("plan.volumes.6.factor.kpi", "connects"),
     "plan.volumes.6.factor.kpi: names 'connects', which is not a ratio in percent"),
    ("a plan rate without any benchmark", _drop("plan.volumes.3.factor.assumed_benchmark"),
     "plan.volumes.3.factor: a rate without a benchmark floor in the catalogue needs assumed_benchmark"),
    ("a plan factor with two sources", _set("plan.volumes.3.factor.kpi", "opportunity_rate"),
     "plan.volumes.3.factor: Value error, a factor needs either kpi or both numerator and denominator"),
    ("a plan factor's numerator not defined", _set("plan.volumes.1.factor.numerator", "revenue"),
     "plan.volumes.1.factor.numerator: names KPI 'revenue', which is not defined"),
    ("the top plan volume with a factor", _set("plan.volumes.0.factor", {"id": "growth", "kind": "rate",
                                                                         "kpi": "connect_rate", "cell": "GROWTH"}),
     "plan.volumes.0.factor: the top volume has no factor, every volume below it has one"),
    ("two plan factors with one cell", _set("plan.volumes.6.factor.cell", "WIN_RATE"),
     "plan.volumes: cell names repeat (WIN_RATE)"),
    ("a plan cell that is no Excel name", _set("plan.volumes.6.factor.cell", "connect rate"),
     "plan.volumes.6.factor.cell: String should match pattern"),
    ("a strategy KPI not defined", _set("strategy.plain", ["ltv", "roe"]),
     "strategy.plain.1: names KPI 'roe', which is not defined"),
    ("a strategy amount that is no amount", _set("strategy.amounts", ["won_amount", "won_deals"]),
     "strategy.amounts.1: KPI 'won_deals' is not an amount in yen"),
    ("a strategy health KPI without a floor", _set("strategy.health", "roi"),
     "strategy.health: KPI 'roi' has no benchmark low to judge against"),
    ("a strategy phase that does not exist", _set("strategy.phase", "late"), "strategy.phase: Input should be"),
    # what each KPI type needs
    ("count without measure", _drop("kpis.calls.measure"), "kpis.calls: Value error, a count KPI needs measure"),
    ("sum without column", _drop("kpis.won_amount.measure.column"),
     "kpis.won_amount: Value error, a sum KPI needs measure.column"),
    ("score without column", _drop("kpis.quality_score.measure.column"),
     "kpis.quality_score: Value error, a score KPI needs measure.column"),
    ("ratio without denominator", _drop("kpis.connect_rate.denominator"),
     "kpis.connect_rate: Value error, a ratio KPI needs denominator"),
    ("derived without expression", _drop("kpis.ltv.expression"),
     "kpis.ltv: Value error, a derived KPI needs expression"),
    # the definitions sheet's words: declared for count, sum and score KPIs, built for the others
    ("count without formula", _drop("kpis.calls.formula"), "kpis.calls: Value error, a count KPI needs formula"),
    ("sum and score without formula, both reported", _both(_drop("kpis.won_amount.formula"),
                                                          _drop("kpis.quality_score.formula")),
     ("kpis.quality_score: Value error, a score KPI needs formula",
      "kpis.won_amount: Value error, a sum KPI needs formula")),
    ("formula without en", _drop("kpis.sqls.formula.en"), "kpis.sqls.formula.en: Field required"),
    ("formula in a third language", _set("kpis.sqls.formula.zh", "SQL"), "kpis.sqls.formula.zh: Extra inputs"),
    ("ratio with a formula", _set("kpis.connect_rate.formula", {"ja": "接続 ÷ 架電", "en": "Connects ÷ Calls"}),
     "kpis.connect_rate: Value error, a ratio KPI's formula is written from its parts' labels"),
    # references
    ("ratio numerator undefined", _set("kpis.connect_rate.numerator", "conects"),
     "kpis.connect_rate.numerator: names KPI 'conects', which is not defined"),
    ("ratio denominator undefined", _set("kpis.opportunity_rate.denominator", "leads"),
     "kpis.opportunity_rate.denominator: names KPI 'leads', which is not defined"),
    ("phase names undefined KPI", _set("phases.1.kpis.2.kpi", "sql"),
     "phases.1.kpis.2.kpi: names KPI 'sql', which is not defined"),
    ("funnel step names undefined KPI", _set("funnels.email.steps.2.kpi", "replies"),
     "funnels.email.steps.2.kpi: names KPI 'replies', which is not defined"),
    ("funnel step names undefined rate KPI", _set("funnels.activity.steps.1.rate_kpi", "connection_rate"),
     "funnels.activity.steps.1.rate_kpi: names KPI 'connection_rate', which is not defined"),
    ("funnel step names undefined stage", _set("funnels.activity.steps.6.stage", "contract"),
     "funnels.activity.steps.6.stage: names stage 'contract', which is not defined"),
    # phases
    ("importance above 3", _set("phases.0.kpis.0.importance", 4),
     "phases.0.kpis.0.importance: Input should be less than or equal to 3 (got 4)"),
    ("importance below 1", _set("phases.2.kpis.5.importance", 0),
     "phases.2.kpis.5.importance: Input should be greater than or equal to 1 (got 0)"),
    ("target not a number", _set("phases.0.kpis.1.target", "a lot"), "phases.0.kpis.1.target: Input should be"),
    ("unknown phase id", _set("phases.2.id", "late"),
     ("phases.2.id: Input should be", "checklist.thresholds: no threshold for phase 'late'")),
    ("phase without KPIs", _set("phases.1.kpis", []), "phases.1.kpis: List should have at least 1 item"),
    ("duplicated phase id", _set("phases.2.id", "growth"), "phases: phase ids repeat (startup, growth, growth)"),
    # derived expressions
    ("expression names an unknown name", _set("kpis.cac.expression", "is_cost * months / won_deals"),
     "kpis.cac.expression: names 'is_cost', which is neither a KPI nor a setting"),
    ("expression calls a function other than abs", _set("kpis.cac.expression", "max(won_deals, 1)"),
     "kpis.cac.expression: only abs() may be called"),
    ("expression reads an attribute", _set("kpis.ltv.expression", "arpa_per_month.real * 2"),
     "kpis.ltv.expression: Attribute is not allowed"),
    ("expression raises to a power", _set("kpis.ltv.expression", "arpa_per_month ** 2"),
     "kpis.ltv.expression: Pow is not allowed"),
    ("expression compares", _set("kpis.roi.expression", "won_amount > 0"),
     ("kpis.roi.expression: Compare is not allowed", "kpis.roi.expression: Gt is not allowed")),
    ("expression subscripts", _set("kpis.roi.expression", "won_amount[0]"),
     "kpis.roi.expression: Subscript is not allowed"),
    ("expression does not parse", _set("kpis.roi.expression", "won_amount *"),
     "kpis.roi.expression: not a valid arithmetic expression"),
    ("dependency cycle", _set("kpis.ltv.expression", "ltv_cac * cac"),
     "kpis.ltv: depends on itself (ltv → ltv_cac → ltv)"),
    ("ratio of itself", _set("kpis.connect_rate.numerator", "connect_rate"),
     "kpis.connect_rate: depends on itself (connect_rate → connect_rate)"),
    # benchmarks
    ("benchmark low above high", _set("kpis.calls.benchmark", {"low": 130, "high": 120}),
     "kpis.calls.benchmark: Value error, low (130.0) is above high (120.0)"),
    ("benchmark without bounds", _set("kpis.connects.benchmark", {}),
     "kpis.connects.benchmark: Value error, a benchmark needs low, high or both"),
    # checklist
    ("missing threshold", _drop("checklist.thresholds.growth"), "checklist.thresholds: no threshold for phase 'growth'"),
    ("threshold not a number", _set("checklist.thresholds.mature", "two"), "checklist.thresholds.mature: Input should"),
    ("duplicated checklist id", _set("checklist.items.5.id", "G1"), "checklist.items: item ids repeat"),
    ("checklist item of an unknown phase", _set("checklist.items.0.phase", "late"),
     "checklist.items.0.phase: Input should be"),
    ("checklist item with unknown data signal", _set("checklist.items.2.from_data", "mood"),
     "checklist.items.2.from_data: Input should be"),
    ("checklist item without en label", _drop("checklist.items.9.label.en"), "checklist.items.9.label.en: Field required"),
    ("excluded pair naming an unknown item", _set("checklist.excludes.0", ["S2", "G9"]),
     "checklist.excludes.0: names item 'G9', which is not a checklist item"),
    ("excluded pair of one item twice", _set("checklist.excludes.0", ["S2", "S2"]),
     "checklist.excludes.0: a pair needs two different items (got 'S2' twice)"),
    ("excluded pair of three items", _set("checklist.excludes.0", ["S2", "G1", "M1"]), "checklist.excludes.0: Tuple"),
    # outcomes, statuses, quality score, stages, funnels
    ("effective seconds not positive", _set("outcomes.effective_min_seconds", 0),
     "outcomes.effective_min_seconds: Input should be greater than 0"),
    ("unknown outcome level", _set("outcomes.vocabulary.maybe", ["?"]), "outcomes.vocabulary.maybe"),
    ("lead statuses without sql", _drop("lead_statuses.sql"), "lead_statuses.sql: Field required"),
    ("BANT count above 4", _set("quality_score.bant.0.min_confirmed", 5),
     "quality_score.bant.0.min_confirmed: Input should be less than or equal to 4"),
    ("stage without countermeasures", _set("stages.closing.countermeasures", []),
     "stages.closing.countermeasures: List should have at least 1 item"),
    ("funnel of one step", _set("funnels.email.steps", [{"kpi": "emails_sent", "stage": "appointment_setting"}]),
     "funnels.email.steps: List should have at least 2 items"),
]


def write_yaml(tmp_path: Path, raw: object) -> Path:
    path = tmp_path / "kpi_defs.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_unmutated_copy_loads(tmp_path: Path):
    assert load_catalogue(write_yaml(tmp_path, copy.deepcopy(RAW))) == default_catalogue()


@pytest.mark.parametrize(("name", "mutate", "expected"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutated_catalogue(tmp_path: Path, name: str, mutate: Callable[[dict], None], expected: str | tuple[str]):
    """Exactly the expected problems (one unless a tuple says more), each naming its entry and field."""
    raw = copy.deepcopy(RAW)
    mutate(raw)
    path = write_yaml(tmp_path, raw)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    problems = caught.value.problems
    expected = (expected,) if isinstance(expected, str) else expected
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problems


def test_many_problems_in_the_real_file_are_all_reported(tmp_path: Path):
    raw = copy.deepcopy(RAW)
    _both(_set("kpis.calls.tier", "operational"), _set("phases.1.kpis.2.kpi", "sql"),
          _set("funnels.activity.steps.6.stage", "contract"), _drop("checklist.thresholds.mature"),
          _set("checklist.excludes.0", ["S2", "G9"]))(raw)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(write_yaml(tmp_path, raw))
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "kpis.calls.tier", "phases.1.kpis.2.kpi", "checklist.thresholds", "checklist.excludes.0",
        "funnels.activity.steps.6.stage"]


# ----------------------------------------------------------------------------- gaps found in review, now closed

BROKEN_STRUCTURE = [
    ("a phase entry that is not a mapping", lambda raw: raw["phases"].append("startup"), "phases.3"),
    ("a funnel that is a list", _set("funnels.extra", ["calls", "connects"]), "funnels.extra"),
    ("a numerator that is a list", _set("kpis.connect_rate.numerator", ["connects"]), "kpis.connect_rate.numerator"),
    ("phase KPIs that are a number", _set("phases.0.kpis", 5), "phases.0.kpis"),
    ("checklist items that are a number", _set("checklist.items", 5), "checklist.items"),
]


@pytest.mark.parametrize(("name", "mutate", "expected"), BROKEN_STRUCTURE, ids=[b[0] for b in BROKEN_STRUCTURE])
def test_broken_structure_is_a_catalogue_error(tmp_path: Path, name, mutate, expected):
    raw = copy.deepcopy(RAW)
    mutate(raw)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(write_yaml(tmp_path, raw))
    assert any(p.startswith(expected) for p in caught.value.problems), caught.value.problems


EXPRESSION_GAPS = [
    ("a string constant", "won_amount * 'x'"),
    ("abs() without argument", "abs() * won_amount"),
    ("abs() with two arguments", "abs(won_amount, 1)"),
]


@pytest.mark.parametrize(("name", "expression"), EXPRESSION_GAPS, ids=[e[0] for e in EXPRESSION_GAPS])
def test_expression_gaps_are_rejected(tmp_path: Path, name: str, expression: str):
    raw = copy.deepcopy(RAW)
    raw["kpis"]["roi"]["expression"] = expression
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(write_yaml(tmp_path, raw))
    assert any(p.startswith("kpis.roi.expression") for p in caught.value.problems)


def test_funnel_rate_kpi_must_be_a_ratio(tmp_path: Path):
    raw = copy.deepcopy(RAW)
    raw["funnels"]["activity"]["steps"][1]["rate_kpi"] = "calls"
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(write_yaml(tmp_path, raw))
    assert any(p.startswith("funnels.activity.steps.1.rate_kpi") for p in caught.value.problems)
