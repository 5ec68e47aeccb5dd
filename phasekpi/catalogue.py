"""The KPI catalogue: `kpi_defs.yaml` loaded into typed, cross-checked models.

Validation reports every problem at once (pydantic field errors and cross-reference
errors together), each naming the file, the entry and the field, like dbt MetricFlow.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from phasekpi import CATALOGUE_PATH, yamltext
from phasekpi.needs import Need, TableName, parse_need
from phasekpi.references import cross_reference_problems

TierId = Literal["strategic", "tactical", "action"]
PhaseId = Literal["startup", "growth", "mature"]
KpiType = Literal["count", "sum", "score", "ratio", "derived"]
UnitId = Literal["count", "percent", "yen", "points", "ratio"]
Grain = Literal["per_rep_per_day", "per_rep_per_month", "per_month", "period"]
TEAM_GRAINS = frozenset({"per_month"})  # a target at these grains is the whole team's, never one rep's
OutcomeLevel = Literal["none", "connected", "effective", "appointment"]
DataSignal = Literal[
    "months_since_first_activity",
    "action_target_attainment",
    "rep_spread",
    "months_of_data",
    "efficiency_target_attainment",
    "volume_without_quality",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    ja: str = Field(min_length=1)
    en: str

    def __call__(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


class Benchmark(Strict):
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Benchmark:
        if self.low is None and self.high is None:
            raise ValueError("a benchmark needs low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self


class Measure(Strict):
    table: TableName
    date_column: str
    where: str | None = None
    column: str | None = None
    count_distinct: str | None = None


class Kpi(Strict):
    label: Text
    meaning: Text
    tier: TierId
    type: KpiType
    unit: UnitId
    grain: Grain
    direction: Literal["higher", "lower"]
    indicator: Literal["leading", "lagging"]
    measure: Measure | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    expression: str | None = None
    formula: Text | None = None  # count, sum, score: what it counts in words (the others' words come from their parts)
    benchmark: Benchmark | None = None
    needs: list[str] = Field(default_factory=list)  # what the data must hold besides the measure's table
    sourced_only: bool = False  # counts IS-sourced deals only, where the data says which (see `sourcing`)

    @property
    def requirements(self) -> list[list[Need]]:
        """`needs` parsed: each entry is a list of alternatives."""
        return [parse_need(text) for text in self.needs]

    def exceeds_share(self, value: float | None) -> bool:
        """A share of its denominator above 100 %: it cannot be right, so it is never compared or green."""
        return self.is_share and value is not None and value > 100

    @property
    def is_team(self) -> bool:
        """Its target is the team's (an amount per month): a rep's slice is not measured against it."""
        return self.grain in TEAM_GRAINS

    @property
    def is_share(self) -> bool:
        """A ratio in percent is a share of its denominator: above 100 % it cannot be right."""
        return self.type == "ratio" and self.unit == "percent"

    @model_validator(mode="after")
    def _fields_of_type(self) -> Kpi:
        needed = {
            "count": ["measure", "formula"],
            "sum": ["measure", "measure.column", "formula"],
            "score": ["measure", "measure.column", "formula"],
            "ratio": ["numerator", "denominator"],
            "derived": ["expression"],
        }[self.type]
        missing = [name for name in needed if _dotted(self, name) is None]
        if missing:
            raise ValueError(f"a {self.type} KPI needs {', '.join(missing)}")
        if self.formula is not None and "formula" not in needed:
            raise ValueError(f"a {self.type} KPI's formula is written from its parts' labels: remove formula")
        return self


def _dotted(obj: object, name: str) -> object:
    for part in name.split("."):
        obj = getattr(obj, part, None)
    return obj


class PhaseKpi(Strict):
    kpi: str
    importance: int = Field(ge=1, le=3)
    target: float


class MonthRange(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    start: float = Field(alias="from", ge=0)
    end: float | None = Field(default=None, alias="to")


class Phase(Strict):
    id: PhaseId
    label: Text
    months: MonthRange
    focus: Text
    leading_tier: TierId
    kpis: list[PhaseKpi] = Field(min_length=1)


class Tier(Strict):
    id: TierId
    label: Text
    description: Text


class Comparison(Strict):
    """When a data signal suggests ticking an item: exactly one of value < below, value ≥ at_least,
    value > above."""

    below: float | None = None
    at_least: float | None = None
    above: float | None = None
    signal: DataSignal | None = None  # for an item that is only hinted at by data (no from_data)

    @model_validator(mode="after")
    def _exactly_one(self) -> Comparison:
        given = [name for name in ("below", "at_least", "above") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of below, at_least, above (got {', '.join(given) or 'none'})")
        return self

    def holds(self, value: float) -> bool:
        if self.below is not None:
            return value < self.below
        if self.at_least is not None:
            return value >= self.at_least
        return value > self.above  # type: ignore[operator]

    @property
    def threshold(self) -> float:
        return next(v for v in (self.below, self.at_least, self.above) if v is not None)


class ChecklistItem(Strict):
    id: str
    phase: PhaseId
    label: Text
    from_data: DataSignal | None = None
    suggest: Comparison | None = None  # the signal's value → suggested answer

    @property
    def signal(self) -> DataSignal | None:
        """The data signal that suggests this item's answer: suggest.signal, else from_data."""
        if self.suggest is None:
            return None
        return self.suggest.signal or self.from_data


class TargetAttainment(Strict):
    """Share of recent weeks (or count of recent months) in which every listed KPI met its target
    of `phase`."""

    phase: PhaseId
    kpis: list[str] = Field(min_length=1)
    weeks: int | None = Field(default=None, ge=1)
    months: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_window(self) -> TargetAttainment:
        if (self.weeks is None) == (self.months is None):
            raise ValueError("give either weeks or months")
        return self


class SpreadSignal(Strict):
    """The largest coefficient of variation between reps among these rates (see rep_spread)."""

    kpis: list[str] = Field(min_length=1)


class VolumeQuality(Strict):
    """Achievement of the volume KPI against `phase`'s target, with the quality KPI below its
    benchmark low."""

    phase: PhaseId
    volume_kpi: str
    quality_kpi: str


class Signals(Strict):
    action_target_attainment: TargetAttainment | None = None
    efficiency_target_attainment: TargetAttainment | None = None
    rep_spread: SpreadSignal | None = None
    volume_without_quality: VolumeQuality | None = None


class Checklist(Strict):
    items: list[ChecklistItem] = Field(min_length=1)
    thresholds: dict[PhaseId, int]
    signals: Signals | None = None  # parameters of the data signals that suggest answers
    excludes: list[tuple[str, str]] = Field(default_factory=list)  # pairs of items that cannot both be true


class TransitionStep(Strict):
    id: Literal["preparation", "parallel", "full_switch"]  # its texts: phase.step.<id> in locales
    from_month: int  # months after the plan's start date
    to_month: int | None = None  # exclusive; none = open-ended

    @model_validator(mode="after")
    def _ordered(self) -> TransitionStep:
        if self.to_month is not None and self.to_month <= self.from_month:
            raise ValueError(f"to_month ({self.to_month}) must be after from_month ({self.from_month})")
        return self


class RepAhead(Strict):
    """A rep is ahead of the team when every action-tier KPI of the team phase reaches
    `min_achievement` % of its target and every key rate is above its benchmark low."""

    min_achievement: float = Field(gt=0)
    key_rates: list[str] = Field(min_length=1)
    min_activity: int = Field(ge=0)


class Transition(Strict):
    """SPEC §7: when a plan is shown, its steps, and the per-rep phase rule (SPEC §6)."""

    near_margin: int = Field(ge=0)  # the next phase is near at (its threshold − this) ticked items
    steps: list[TransitionStep] = Field(min_length=1)
    rep_ahead: RepAhead


class Outcomes(Strict):
    effective_min_seconds: int = Field(gt=0)
    vocabulary: dict[OutcomeLevel, list[str]]


class LeadStatuses(Strict):
    mql: list[str]
    sql: list[str]


class BantRow(Strict):
    min_confirmed: int = Field(ge=0, le=4)
    points: int = Field(ge=0)


class QualityScore(Strict):
    bant: list[BantRow] = Field(min_length=1)
    need: dict[str, int]
    decision_process: dict[str, int]
    next_action: dict[str, int]


class Stage(Strict):
    label: Text
    issue: Text
    countermeasures: list[Text] = Field(min_length=1)


class FunnelStep(Strict):
    kpi: str
    stage: str
    rate_kpi: str | None = None


class Funnel(Strict):
    label: Text
    steps: list[FunnelStep] = Field(min_length=2)
    what_if: list[str] = Field(default_factory=list)
    min_sample: int = Field(ge=1)  # a step is named the bottleneck only with this many in its denominator


class SourcingRule(Strict):
    """Which deals count as IS-sourced: the first rule whose `when` the data meets gives the `where`."""

    basis: Literal["flag", "lead_link", "all"]
    when: str | None = None  # a need (phasekpi.catalogue.parse_need); None: always
    where: str


class RepSpread(Strict):
    kpis: list[str] = Field(min_length=1)
    min_activity: int = Field(ge=0)


class PlanFactor(Strict):
    """How a plan volume follows from the one above: divided by an amount or by a rate in percent."""

    id: str  # its texts: planner.node.<id>
    kind: Literal["amount", "rate"]
    kpi: str | None = None  # a ratio KPI measuring the rate over the period
    numerator: str | None = None  # or numerator ÷ denominator of two KPIs' period totals
    denominator: str | None = None
    assumed_benchmark: float | None = Field(default=None, gt=0, le=100)  # where `kpi` gives none
    cell: str = Field(pattern=r"^[A-Z][A-Z_]*$")  # its defined name in the Excel KGI sheet

    @model_validator(mode="after")
    def _one_source(self) -> PlanFactor:
        if (self.kpi is None) == (self.numerator is None or self.denominator is None):
            raise ValueError("a factor needs either kpi or both numerator and denominator")
        if self.kind == "amount" and self.kpi is not None:
            raise ValueError("an amount factor is numerator ÷ denominator, not a ratio KPI")
        return self


class PlanVolume(Strict):
    id: str  # its texts: planner.node.<id>
    actual: str  # the KPI giving the team's own value
    grain: Literal["per_month", "per_rep_per_day"]
    factor: PlanFactor | None = None  # none only for the top volume


class PlanChain(Strict):
    """The KGI back-calculation (SPEC §9): volumes top down, each the one above ÷ its factor."""

    kgi: list[str] = Field(min_length=1)  # volumes a plan may start from
    working_days: float = Field(gt=0)
    volumes: list[PlanVolume] = Field(min_length=2)

    def volume(self, volume_id: str) -> PlanVolume:
        return next(v for v in self.volumes if v.id == volume_id)

    def below(self, volume_id: str) -> list[PlanVolume]:
        """The volumes from `volume_id` down to the last."""
        ids = [v.id for v in self.volumes]
        return self.volumes[ids.index(volume_id):]

    @property
    def factors(self) -> list[PlanFactor]:
        return [v.factor for v in self.volumes if v.factor is not None]

    def factor(self, factor_id: str) -> PlanFactor:
        return next(f for f in self.factors if f.id == factor_id)


class Strategy(Strict):
    """The strategy page: which KPIs it shows, judges, draws by month and explains."""

    phase: PhaseId  # whose set gives the strategic cards and their targets
    health: str  # a KPI judged against its benchmark floor
    plain: list[str] = Field(default_factory=list)  # untargeted KPIs shown as numbers
    amounts: list[str] = Field(default_factory=list)  # yen KPIs drawn by month
    formulas: list[str] = Field(default_factory=list)  # explained with the team's numbers


class Setting(Strict):
    label: Text
    unit: UnitId
    default: float | None = None


class Catalogue(Strict):
    version: int
    tiers: list[Tier]
    units: dict[UnitId, Text]
    settings: dict[str, Setting]
    kpis: dict[str, Kpi]
    phases: list[Phase]
    checklist: Checklist
    outcomes: Outcomes
    lead_statuses: LeadStatuses
    quality_score: QualityScore
    stages: dict[str, Stage]
    funnels: dict[str, Funnel]
    activity_kpis: list[str] = Field(min_length=1)  # their totals summed: a rep's activity (metrics.activity_total)
    rep_spread: RepSpread
    sourcing: list[SourcingRule] = Field(min_length=1)
    transition: Transition | None = None
    plan: PlanChain | None = None  # none: the planner has no chain to work back
    strategy: Strategy | None = None  # none: no strategy page

    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.phases if p.id == phase_id)

    @property
    def phase_ids(self) -> list[str]:
        return [p.id for p in self.phases]

    def tier(self, tier_id: str) -> Tier:
        return next(t for t in self.tiers if t.id == tier_id)


class CatalogueError(ValueError):
    """Every problem found in a catalogue file, one message per problem."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"{path.name}: {len(problems)} problem(s)\n{listing}")


# The KPI ids code names directly, each with who needs it; everything else reaches code through the
# catalogue's sections (plan, strategy, funnels, activity_kpis …). The app's catalogue must define them.
QUALITY_SCORE = "quality_score"
REQUIRED_KPIS: dict[str, str] = {QUALITY_SCORE: "phasekpi.quality: the opportunity quality page and its target"}


def load_catalogue(path: Path = CATALOGUE_PATH, required: Iterable[str] = ()) -> Catalogue:
    """Read and validate a catalogue; raise CatalogueError listing every problem. `required`: KPI ids
    the caller's code names directly (the app passes REQUIRED_KPIS)."""
    try:
        raw = yamltext.parse(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise CatalogueError(path, ["the file must be a mapping of sections (version, kpis, phases …)"])
    problems = [_describe(err) for err in _field_errors(raw)]
    problems += list(cross_reference_problems(raw))
    kpis = raw.get("kpis") if isinstance(raw.get("kpis"), dict) else {}
    problems += [f"kpis: no KPI {kpi_id!r}, which the code requires ({REQUIRED_KPIS.get(kpi_id, 'required')})"
                 for kpi_id in required if kpi_id not in kpis]
    if problems:
        raise CatalogueError(path, problems)
    catalogue = Catalogue.model_validate(raw)
    # The SQL of measures is checked by DuckDB itself on the store a valid catalogue builds, so it
    # comes after the structure is known good (metrics builds on this module: imported here).
    from phasekpi.metrics import measure_problems

    problems = measure_problems(catalogue)
    if problems:
        raise CatalogueError(path, problems)
    return catalogue


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The project's catalogue, read once per process (it never changes at run time)."""
    return load_catalogue(CATALOGUE_PATH, REQUIRED_KPIS)


def _field_errors(raw: dict) -> list[dict]:
    try:
        Catalogue.model_validate(raw)
    except ValidationError as exc:
        return exc.errors()
    return []


def _describe(error: dict) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    return f"{where}: {error['msg']}{shown}"
