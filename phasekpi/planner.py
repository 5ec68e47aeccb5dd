"""KGI back-calculation and the KPI tree (SPEC §9, seed 004).

From a monthly KGI — revenue or opportunities — and one conversion rate per step, work
backwards: revenue = won deals × average deal size; won deals = opportunities × win rate;
opportunities = appointments × appointment→opportunity rate; appointments = effective
conversations × appointment rate; effective conversations = connects × effective-conversation
rate; connects = calls × connect rate. Each required volume per month is then spread over
headcount × working days to give the number per rep per day.

The KPI tree puts the team's actual beside every required value: team volumes per month
(revenue, won deals, opportunities), action volumes per rep per day (appointments from calls,
effective conversations, connects, calls), and each rate as it is.

Rates are percentages, as in the catalogue. A value that cannot be computed is None, and the
plan line says why (`Missing`); nothing here divides by zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from phasekpi.catalogue import Catalogue
from phasekpi.metrics import KpiResults, achievement

KgiKind = Literal["revenue", "opportunities"]
RateSource = Literal["actual", "benchmark", "typed"]
StepId = Literal["win_rate", "opportunity_per_appointment", "appointment_rate", "effective_conversation_rate",
                 "connect_rate"]
MetricId = Literal["revenue", "won_deals", "opportunities", "appointments", "effective_conversations", "connects",
                   "calls"]
Factor = Literal["average_deal_size"] | StepId
NodeGrain = Literal["per_month", "per_rep_per_day", "period"]
MissingReason = Literal["kgi", "deal_size", "rate", "headcount", "working_days"]

MONTHS_PER_YEAR = 12
RATE_SOURCES: tuple[RateSource, ...] = ("actual", "benchmark", "typed")

# The chain below the top: each factor links a metric to the next one down (the metric above ÷ factor).
CHAIN: tuple[tuple[Factor, MetricId], ...] = (
    ("average_deal_size", "won_deals"),
    ("win_rate", "opportunities"),
    ("opportunity_per_appointment", "appointments"),
    ("appointment_rate", "effective_conversations"),
    ("effective_conversation_rate", "connects"),
    ("connect_rate", "calls"),
)
METRICS: tuple[MetricId, ...] = ("revenue", *(metric for _, metric in CHAIN))
FACTOR_ABOVE: dict[MetricId, Factor] = {metric: factor for factor, metric in CHAIN}
KGI_METRIC: dict[KgiKind, MetricId] = {"revenue": "revenue", "opportunities": "opportunities"}
# The catalogue's ratio KPI measuring each step; appointment→opportunity has none (see actual_rate).
STEP_KPI: dict[StepId, str] = {
    "win_rate": "handover_win_rate",
    "appointment_rate": "appointment_rate",
    "effective_conversation_rate": "effective_conversation_rate",
    "connect_rate": "connect_rate",
}
# Neither the catalogue nor SPEC §3 gives a benchmark for appointment → opportunity: we assume 70 %
# (most booked meetings take place and are accepted; some are cancelled or judged unqualified).
ASSUMED_BENCHMARKS: dict[StepId, float] = {"opportunity_per_appointment": 70.0}
# Where each volume's actual comes from, and at which grain the tree compares it.
VOLUME_GRAIN: dict[MetricId, NodeGrain] = {
    "revenue": "per_month", "won_deals": "per_month", "opportunities": "per_month",
    "appointments": "per_rep_per_day", "effective_conversations": "per_rep_per_day",
    "connects": "per_rep_per_day", "calls": "per_rep_per_day",
}
VOLUME_KPI: dict[MetricId, str] = {
    "revenue": "won_amount", "won_deals": "won_deals", "opportunities": "opportunities_created",
    "appointments": "call_appointments", "effective_conversations": "effective_conversations",
    "connects": "connects", "calls": "calls",
}


@dataclass(frozen=True)
class Rate:
    """A step's conversion rate in percent and where it came from; None when unknown."""

    source: RateSource
    value: float | None


@dataclass(frozen=True)
class PlanInputs:
    kgi_kind: KgiKind
    kgi_per_month: float | None  # yen for a revenue KGI, a count for an opportunity KGI
    average_deal_size: float | None  # yen; read only for a revenue KGI
    rates: Mapping[StepId, Rate]
    headcount: float | None
    working_days: float | None  # per month


@dataclass(frozen=True)
class Missing:
    """Why a plan value is None: a KGI, deal size, rate, headcount or working days not usable."""

    reason: MissingReason
    step: StepId | None = None  # the rate, when the reason is a rate


@dataclass(frozen=True)
class PlanLine:
    metric: MetricId
    per_month: float | None  # the team's requirement
    per_rep_per_day: float | None
    missing: Missing | None  # why the first None above is None


@dataclass(frozen=True)
class Plan:
    inputs: PlanInputs
    lines: tuple[PlanLine, ...]  # from the KGI down to calls

    def line(self, metric: MetricId) -> PlanLine:
        return next(line for line in self.lines if line.metric == metric)


@dataclass(frozen=True)
class TreeNode:
    """One node of the KPI tree: a volume, a rate, or the average deal size."""

    node_id: MetricId | Factor
    parent: MetricId | None
    depth: int
    kind: Literal["volume", "rate", "input"]
    unit: Literal["yen", "count", "percent"]
    grain: NodeGrain
    required: float | None
    actual: float | None
    source: RateSource | None = None  # for a rate: where the planned value came from

    @property
    def gap(self) -> float | None:
        """Actual − required: negative is a shortfall."""
        return None if self.actual is None or self.required is None else self.actual - self.required

    @property
    def achievement(self) -> float | None:
        """Actual as a percentage of required."""
        return None if self.required is None else achievement(self.actual, self.required, "higher")


def unit_of(metric: MetricId) -> Literal["yen", "count"]:
    return "yen" if metric == "revenue" else "count"


def monthly(value: float | None, per_year: bool) -> float | None:
    """A KGI entered per year, as a monthly KGI."""
    return value / MONTHS_PER_YEAR if value is not None and per_year else value


def needed_steps(kgi_kind: KgiKind) -> tuple[StepId, ...]:
    """The rates the back-calculation from this KGI reads, top down."""
    return tuple(factor for factor, _ in CHAIN[METRICS.index(KGI_METRIC[kgi_kind]):] if factor != "average_deal_size")


def actual_rate(step: StepId, results: KpiResults) -> float | None:
    """The team's own rate over the period; appointment → opportunity is opportunities created ÷
    appointments from calls, the other steps are the catalogue's ratio KPIs."""
    if step == "opportunity_per_appointment":
        return _ratio(results.total("opportunities_created"), results.total("call_appointments"))
    return results.total(STEP_KPI[step])


def benchmark_rate(step: StepId, catalogue: Catalogue) -> float:
    """The lower bound of the catalogue's benchmark, or the stated assumption where it has none."""
    kpi_id = STEP_KPI.get(step)
    band = catalogue.kpis[kpi_id].benchmark if kpi_id else None
    if band is not None and band.low is not None:
        return band.low
    return ASSUMED_BENCHMARKS[step]


def actual_deal_size(results: KpiResults) -> float | None:
    """Won amount ÷ deals won over the period."""
    return _ratio(results.total("won_amount"), results.total("won_deals"), scale=1.0)


def choose_rate(step: StepId, source: RateSource, results: KpiResults, catalogue: Catalogue,
                typed: float | None = None) -> Rate:
    if source == "actual":
        return Rate(source, actual_rate(step, results))
    if source == "benchmark":
        return Rate(source, benchmark_rate(step, catalogue))
    return Rate(source, typed)


def build_plan(inputs: PlanInputs) -> Plan:
    """The required volumes from the KGI down to calls, per month and per rep per day."""
    top = KGI_METRIC[inputs.kgi_kind]
    value = inputs.kgi_per_month if _usable(inputs.kgi_per_month) else None
    missing = None if value is not None else Missing("kgi")
    rep_days, rep_days_missing = _rep_days(inputs)

    def line(metric: MetricId) -> PlanLine:
        per_rep_per_day = None if value is None or rep_days is None else value / rep_days
        return PlanLine(metric, value, per_rep_per_day, missing or rep_days_missing)

    lines = [line(top)]
    for factor, metric in CHAIN[METRICS.index(top):]:
        value, missing = _divide_by_factor(value, missing, factor, inputs)
        lines.append(line(metric))
    return Plan(inputs, tuple(lines))


def kpi_tree(plan: Plan, results: KpiResults) -> list[TreeNode]:
    """The tree from the KGI down to calls, depth first: under each volume, the factor that links it
    to the volume below, then that volume. Required values are at the node's grain."""
    nodes = [_volume_node(plan.lines[0], None, 0, results)]
    for depth, (above, line) in enumerate(pairwise(plan.lines), start=1):
        nodes.append(_factor_node(FACTOR_ABOVE[line.metric], above.metric, depth, plan.inputs, results))
        nodes.append(_volume_node(line, above.metric, depth, results))
    return nodes


def _volume_node(line: PlanLine, parent: MetricId | None, depth: int, results: KpiResults) -> TreeNode:
    grain = VOLUME_GRAIN[line.metric]
    required = line.per_month if grain == "per_month" else line.per_rep_per_day
    return TreeNode(line.metric, parent, depth, "volume", unit_of(line.metric), grain, required,
                    actual_volume(line.metric, results))


def _factor_node(factor: Factor, parent: MetricId, depth: int, inputs: PlanInputs, results: KpiResults) -> TreeNode:
    if factor == "average_deal_size":
        return TreeNode(factor, parent, depth, "input", "yen", "period", inputs.average_deal_size,
                        actual_deal_size(results))
    rate = inputs.rates[factor]
    return TreeNode(factor, parent, depth, "rate", "percent", "period", rate.value, actual_rate(factor, results),
                    rate.source)


def actual_volume(metric: MetricId, results: KpiResults) -> float | None:
    """The team's actual at the tree's grain: per month for revenue, deals and opportunities (the
    catalogue keeps deals and opportunities per rep per month), per rep per day below."""
    kpi_id = VOLUME_KPI[metric]
    if metric in ("won_deals", "opportunities"):
        return _ratio(results.total(kpi_id), results.period.months, scale=1.0)
    return results.actual(kpi_id)


def _divide_by_factor(value: float | None, missing: Missing | None, factor: Factor,
                      inputs: PlanInputs) -> tuple[float | None, Missing | None]:
    """The next metric down: value ÷ deal size, or value ÷ (rate / 100); the first missing input wins."""
    if factor == "average_deal_size":
        divisor, why = inputs.average_deal_size, Missing("deal_size")
    else:
        rate = inputs.rates[factor].value
        divisor = None if rate is None or rate > 100 else rate / 100
        why = Missing("rate", factor)
    if value is None:
        return None, missing
    if not _usable(divisor):
        return None, why
    return value / divisor, None


def _rep_days(inputs: PlanInputs) -> tuple[float | None, Missing | None]:
    if not _usable(inputs.headcount):
        return None, Missing("headcount")
    if not _usable(inputs.working_days):
        return None, Missing("working_days")
    return inputs.headcount * inputs.working_days, None


def _usable(value: float | None) -> bool:
    return value is not None and value > 0


def _ratio(numerator: float | None, denominator: float | None, scale: float = 100.0) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator * scale
