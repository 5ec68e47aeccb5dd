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
from phasekpi.expressions import PERIOD_NAME, cycle_problems, expression_problems
from phasekpi.tables import TABLES

TierId = Literal["strategic", "tactical", "action"]
PhaseId = Literal["startup", "growth", "mature"]
KpiType = Literal["count", "sum", "score", "ratio", "derived"]
UnitId = Literal["count", "percent", "yen", "points", "ratio"]
Grain = Literal["per_rep_per_day", "per_rep_per_month", "per_month", "period"]
TableName = Literal["activities", "leads", "opportunities"]
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


class Need(Strict):
    """One thing the loaded data must hold: a field with a value in some row (`value` None), or a
    row whose field equals `value` (activities.channel=email: some email activity)."""

    table: TableName
    field: str
    value: str | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.field}" + ("" if self.value is None else f"={self.value}")


def parse_need(text: str) -> list[Need]:
    """`activities.outcome | activities.duration_sec` → the alternatives, any of which will do.
    Raises ValueError naming what is wrong."""
    needs = []
    for option in text.split("|"):
        target, _, value = option.strip().partition("=")
        table, _, name = target.strip().partition(".")
        if table not in TABLES:
            raise ValueError(f"{option.strip()!r}: {table!r} is not a table ({', '.join(TABLES)})")
        if name not in {c.name for c in TABLES[table].columns}:
            raise ValueError(f"{option.strip()!r}: {name!r} is not a field of {table}")
        needs.append(Need(table=table, field=name, value=value.strip() or None))
    return needs


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
    benchmark: Benchmark | None = None
    needs: list[str] = Field(default_factory=list)  # what the data must hold besides the measure's table
    sourced_only: bool = False  # counts IS-sourced deals only, where the data says which (see `sourcing`)

    @property
    def requirements(self) -> list[list[Need]]:
        """`needs` parsed: each entry is a list of alternatives."""
        return [parse_need(text) for text in self.needs]

    @property
    def is_share(self) -> bool:
        """A ratio in percent is a share of its denominator: above 100 % it cannot be right."""
        return self.type == "ratio" and self.unit == "percent"

    @model_validator(mode="after")
    def _fields_of_type(self) -> Kpi:
        needed = {
            "count": ["measure"],
            "sum": ["measure", "measure.column"],
            "score": ["measure", "measure.column"],
            "ratio": ["numerator", "denominator"],
            "derived": ["expression"],
        }[self.type]
        missing = [name for name in needed if _dotted(self, name) is None]
        if missing:
            raise ValueError(f"a {self.type} KPI needs {', '.join(missing)}")
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


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read and validate a catalogue; raise CatalogueError listing every problem."""
    try:
        raw = yamltext.parse(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise CatalogueError(path, ["the file must be a mapping of sections (version, kpis, phases …)"])
    problems = [_describe(err) for err in _field_errors(raw)]
    problems += list(cross_reference_problems(raw))
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
    return load_catalogue(CATALOGUE_PATH)


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


def cross_reference_problems(raw: dict) -> Iterable[str]:
    """Check names that point elsewhere in the catalogue; tolerant of a broken structure."""
    kpis = raw.get("kpis") if isinstance(raw.get("kpis"), dict) else {}
    settings = raw.get("settings") if isinstance(raw.get("settings"), dict) else {}
    stages = raw.get("stages") if isinstance(raw.get("stages"), dict) else {}
    names_in_expressions = set(kpis) | set(settings) | {PERIOD_NAME}
    for kpi_id, kpi in kpis.items():
        if not isinstance(kpi, dict):
            continue
        for n_index, need in enumerate(_list(kpi.get("needs"))):
            yield from (f"kpis.{kpi_id}.needs.{n_index}: {p}" for p in _need_problems(need))
        for part in ("numerator", "denominator"):
            ref = kpi.get(part)
            if isinstance(ref, str) and ref not in kpis:
                yield f"kpis.{kpi_id}.{part}: names KPI {ref!r}, which is not defined"
        expression = kpi.get("expression")
        if isinstance(expression, str):
            yield from (f"kpis.{kpi_id}.expression: {p}" for p in expression_problems(expression, names_in_expressions))
    yield from cycle_problems(kpis)
    yield from _sourcing_problems(raw)
    for a_index, ref in enumerate(_list(raw.get("activity_kpis"))):
        if ref not in kpis:
            yield f"activity_kpis.{a_index}: names KPI {ref!r}, which is not defined"
    spread = raw.get("rep_spread") if isinstance(raw.get("rep_spread"), dict) else {}
    for s_index, ref in enumerate(_list(spread.get("kpis"))):
        if isinstance(ref, str) and ref not in kpis:
            yield f"rep_spread.kpis.{s_index}: names KPI {ref!r}, which is not defined"
    phases = [p for p in _list(raw.get("phases")) if isinstance(p, dict)]
    for index, phase in enumerate(phases):
        for k_index, entry in enumerate(_list(phase.get("kpis"))):
            ref = entry.get("kpi") if isinstance(entry, dict) else None
            if isinstance(ref, str) and ref not in kpis:
                yield f"phases.{index}.kpis.{k_index}.kpi: names KPI {ref!r}, which is not defined"
    phase_ids = [p.get("id") for p in phases]
    if phase_ids and len(set(phase_ids)) != len(phase_ids):
        yield f"phases: phase ids repeat ({', '.join(map(str, phase_ids))})"
    checklist = raw.get("checklist") if isinstance(raw.get("checklist"), dict) else {}
    item_ids = [str(i.get("id")) for i in _list(checklist.get("items")) if isinstance(i, dict)]
    repeated = sorted({i for i in item_ids if item_ids.count(i) > 1})
    if repeated:
        yield f"checklist.items: item ids repeat ({', '.join(repeated)})"
    thresholds = checklist.get("thresholds") if isinstance(checklist.get("thresholds"), dict) else {}
    for phase_id in phase_ids:
        if phase_id not in thresholds:
            yield f"checklist.thresholds: no threshold for phase {phase_id!r}"
    yield from _signal_problems(checklist, kpis, phases)
    transition = raw.get("transition") if isinstance(raw.get("transition"), dict) else {}
    ahead = transition.get("rep_ahead") if isinstance(transition.get("rep_ahead"), dict) else {}
    for r_index, ref in enumerate(_list(ahead.get("key_rates"))):
        if isinstance(ref, str) and ref not in kpis:
            yield f"transition.rep_ahead.key_rates.{r_index}: names KPI {ref!r}, which is not defined"
    funnels = raw.get("funnels") if isinstance(raw.get("funnels"), dict) else {}
    for funnel_id, funnel in funnels.items():
        for w_index, ref in enumerate(_list(funnel.get("what_if")) if isinstance(funnel, dict) else []):
            if isinstance(ref, str) and ref not in kpis:
                yield f"funnels.{funnel_id}.what_if.{w_index}: names KPI {ref!r}, which is not defined"
        steps = _list(funnel.get("steps")) if isinstance(funnel, dict) else []
        for s_index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            for part in ("kpi", "rate_kpi"):
                ref = step.get(part)
                if isinstance(ref, str) and ref not in kpis:
                    yield f"funnels.{funnel_id}.steps.{s_index}.{part}: names KPI {ref!r}, which is not defined"
            rate = kpis.get(step.get("rate_kpi")) if isinstance(step.get("rate_kpi"), str) else None
            if isinstance(rate, dict) and rate.get("type") != "ratio":
                yield (f"funnels.{funnel_id}.steps.{s_index}.rate_kpi: names {step['rate_kpi']!r}, "
                       f"a {rate.get('type')} KPI; a step's rate must be a ratio KPI")
            if step.get("stage") is not None and step["stage"] not in stages:
                yield f"funnels.{funnel_id}.steps.{s_index}.stage: names stage {step['stage']!r}, which is not defined"


def _need_problems(need: object) -> list[str]:
    if not isinstance(need, str):
        return [f"{need!r} is not text like 'activities.outcome'"]
    try:
        parse_need(need)
    except ValueError as exc:
        return [str(exc)]
    return []


def _sourcing_problems(raw: dict) -> Iterable[str]:
    rules = _list(raw.get("sourcing"))
    for index, rule in enumerate(rules):
        if isinstance(rule, dict) and rule.get("when") is not None:
            yield from (f"sourcing.{index}.when: {p}" for p in _need_problems(rule["when"]))
    if rules and isinstance(rules[-1], dict) and rules[-1].get("when") is not None:
        yield f"sourcing.{len(rules) - 1}: the last rule must have no `when`, so some rule always applies"


def _signal_problems(checklist: dict, kpis: dict, phases: list[dict]) -> Iterable[str]:
    """A suggestion needs its signal, a configured signal names real KPIs of its phase."""
    signals = checklist.get("signals") if isinstance(checklist.get("signals"), dict) else {}
    for index, item in enumerate(_list(checklist.get("items"))):
        if not isinstance(item, dict) or item.get("suggest") is None:
            continue
        suggest = item["suggest"] if isinstance(item["suggest"], dict) else {}
        signal = suggest.get("signal") or item.get("from_data")
        if signal is None:
            yield f"checklist.items.{index}.suggest: a suggestion needs from_data or suggest.signal"
        elif signal not in ("months_since_first_activity", "months_of_data") and signal not in signals:
            yield f"checklist.items.{index}.suggest: signal {signal!r} has no parameters in checklist.signals"
    phase_kpis: dict[object, set] = {}  # a repeated phase id (reported above) pools its KPIs
    for phase in phases:
        phase_kpis.setdefault(phase.get("id"), set()).update(
            e.get("kpi") for e in _list(phase.get("kpis")) if isinstance(e, dict))
    for name, params in signals.items():
        if not isinstance(params, dict):
            continue
        refs = [(f"kpis.{i}", ref) for i, ref in enumerate(_list(params.get("kpis")))]
        refs += [(part, params.get(part)) for part in ("volume_kpi", "quality_kpi") if part in params]
        for where, ref in refs:
            if isinstance(ref, str) and ref not in kpis:
                yield f"checklist.signals.{name}.{where}: names KPI {ref!r}, which is not defined"
            elif (where != "quality_kpi" and name != "rep_spread" and isinstance(ref, str)
                  and phase_kpis.get(params.get("phase")) and ref not in phase_kpis[params["phase"]]):
                yield f"checklist.signals.{name}.{where}: KPI {ref!r} has no target in phase {params['phase']!r}"
        quality = kpis.get(params.get("quality_kpi")) if isinstance(params.get("quality_kpi"), str) else None
        if isinstance(quality, dict) and not (quality.get("benchmark") or {}).get("low"):
            yield f"checklist.signals.{name}.quality_kpi: KPI {params['quality_kpi']!r} has no benchmark low"


def _list(value: object) -> list:
    """The value when it is a list, else nothing to check (its field error is reported already)."""
    return value if isinstance(value, list) else []
