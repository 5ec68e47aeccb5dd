"""KGI back-calculation and the KPI tree (SPEC §9, seed 004).

The chain comes from the catalogue (`plan` in kpi_defs.yaml): from a monthly KGI — revenue or
opportunities — each volume below is the one above divided by its factor, an amount (the average
deal size) or a conversion rate: revenue ÷ deal size = won deals; ÷ win rate = opportunities; …
down to calls. Each required volume per month is then spread over headcount × working days to
give the number per rep per day.

The KPI tree puts the team's actual beside every required value: team volumes per month, action
volumes per rep per day, and each factor as it is over the period.

Rates are percentages, as in the catalogue. A value that cannot be computed is None, and the
plan line says why (`Missing`); nothing here divides by zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Literal

from phasekpi.catalogue import Catalogue, PlanChain, PlanFactor, PlanVolume
from phasekpi.metrics import KpiResults, achievement

RateSource = Literal["actual", "benchmark", "assumed", "typed"]  # assumed: a benchmark the catalogue lacks
NodeGrain = Literal["per_month", "per_rep_per_day", "period"]
MissingReason = Literal["kgi", "amount", "rate", "headcount", "working_days"]

MONTHS_PER_YEAR = 12
RATE_SOURCES: tuple[RateSource, ...] = ("actual", "benchmark", "typed")  # what a user picks from


@dataclass(frozen=True)
class Rate:
    """A factor's value (a rate in percent, or an amount in yen) and where it came from; None when unknown."""

    source: RateSource
    value: float | None


@dataclass(frozen=True)
class PlanInputs:
    kgi_kind: str  # a volume of the chain's `kgi`
    kgi_per_month: float | None  # yen for a revenue KGI, a count for an opportunity KGI
    factors: Mapping[str, Rate]  # by factor id: the amounts and rates the chain below the KGI reads
    headcount: float | None
    working_days: float | None  # per month


@dataclass(frozen=True)
class Missing:
    """Why a plan value is None: the KGI, an amount or rate (`step`), headcount or working days not usable."""

    reason: MissingReason
    step: str | None = None  # the factor, when the reason is an amount or a rate


@dataclass(frozen=True)
class PlanLine:
    metric: str  # a volume id
    unit: Literal["yen", "count"]
    per_month: float | None  # the team's requirement
    per_rep_per_day: float | None
    missing: Missing | None  # why the first None above is None


@dataclass(frozen=True)
class Plan:
    inputs: PlanInputs
    lines: tuple[PlanLine, ...]  # from the KGI down to the last volume

    def line(self, metric: str) -> PlanLine:
        return next(line for line in self.lines if line.metric == metric)


@dataclass(frozen=True)
class TreeNode:
    """One node of the KPI tree: a volume, a rate, or an amount such as the average deal size."""

    node_id: str
    parent: str | None
    depth: int
    kind: Literal["volume", "rate", "input"]
    unit: Literal["yen", "count", "percent"]
    grain: NodeGrain
    required: float | None
    actual: float | None
    source: RateSource | None = None  # for a factor: where the planned value came from

    @property
    def gap(self) -> float | None:
        """Actual − required: negative is a shortfall."""
        return None if self.actual is None or self.required is None else self.actual - self.required

    @property
    def achievement(self) -> float | None:
        """Actual as a percentage of required."""
        return None if self.required is None else achievement(self.actual, self.required, "higher")


def unit_of(volume: PlanVolume, catalogue: Catalogue) -> Literal["yen", "count"]:
    return "yen" if catalogue.kpis[volume.actual].unit == "yen" else "count"


def monthly(value: float | None, per_year: bool) -> float | None:
    """A KGI entered per year, as a monthly KGI."""
    return value / MONTHS_PER_YEAR if value is not None and per_year else value


def needed_factors(chain: PlanChain, kgi_kind: str) -> tuple[PlanFactor, ...]:
    """The amounts and rates the back-calculation from this KGI reads, top down."""
    return tuple(v.factor for v in chain.below(kgi_kind)[1:] if v.factor is not None)


def actual_factor(factor: PlanFactor, results: KpiResults) -> float | None:
    """The team's own value over the period: the ratio KPI, or numerator ÷ denominator of two totals."""
    if factor.kpi is not None:
        return results.total(factor.kpi)
    scale = 100.0 if factor.kind == "rate" else 1.0
    return _ratio(results.total(factor.numerator), results.total(factor.denominator), scale)


def benchmark_rate(factor: PlanFactor, catalogue: Catalogue) -> Rate:
    """The lower bound of the catalogue's benchmark, or the stated assumption where it has none."""
    band = catalogue.kpis[factor.kpi].benchmark if factor.kpi else None
    if band is not None and band.low is not None:
        return Rate("benchmark", band.low)
    return Rate("assumed", factor.assumed_benchmark)


def choose_rate(factor: PlanFactor, source: RateSource, results: KpiResults, catalogue: Catalogue,
                typed: float | None = None) -> Rate:
    if source == "actual":
        return Rate(source, actual_factor(factor, results))
    if source in ("benchmark", "assumed"):
        return benchmark_rate(factor, catalogue)
    return Rate(source, typed)


def default_rate(factor: PlanFactor, catalogue: Catalogue, results: KpiResults) -> Rate:
    """The team's actual when it is usable (above 0; a rate at most 100 %), else the benchmark floor
    (or the stated assumption). An amount has no benchmark: its actual or nothing."""
    actual = actual_factor(factor, results)
    if factor.kind == "amount":
        return Rate("actual", significant(actual))
    if actual is not None and 0 < actual <= 100:
        return Rate("actual", actual)
    return benchmark_rate(factor, catalogue)


def default_kgi(chain: PlanChain, kgi_kind: str, per_year: bool, catalogue: Catalogue,
                results: KpiResults) -> float | None:
    """A realistic start: the current monthly pace (× 12 for a yearly KGI), an amount to 2 significant
    digits, a count to a whole number."""
    volume = chain.volume(kgi_kind)
    current = actual_volume(volume, catalogue, results)
    if current is None:
        return None
    value = current * (MONTHS_PER_YEAR if per_year else 1)
    return significant(value) if unit_of(volume, catalogue) == "yen" else (float(round(value)) or None)


def default_inputs(catalogue: Catalogue, results: KpiResults, kgi_kind: str | None = None) -> PlanInputs:
    """The plan's starting values from the period's actuals, the same for the planner page and the
    Excel KGI sheet: the monthly KGI at the current pace, each factor's usable actual or benchmark,
    the active reps and the catalogue's working days. (A KGI entered per year starts from
    `default_kgi(..., per_year=True)`.)"""
    chain = catalogue.plan
    kind = kgi_kind or chain.kgi[0]
    return PlanInputs(
        kgi_kind=kind, kgi_per_month=default_kgi(chain, kind, False, catalogue, results),
        factors={f.id: default_rate(f, catalogue, results) for f in needed_factors(chain, kind)},
        headcount=float(results.period.active_reps) or None, working_days=chain.working_days,
    )


def significant(value: float | None, digits: int = 2) -> float | None:
    """A starting value people can read: `digits` significant digits; None when not above zero."""
    if value is None or value <= 0:
        return None
    exponent = math.floor(math.log10(value)) - digits + 1  # half up, as Excel's ROUND: 1.25M → 1.3M
    return float(Decimal(repr(value)).scaleb(-exponent).quantize(Decimal(1), ROUND_HALF_UP).scaleb(exponent))


def build_plan(catalogue: Catalogue, inputs: PlanInputs) -> Plan:
    """The required volumes from the KGI down the catalogue's chain, per month and per rep per day."""
    volumes = catalogue.plan.below(inputs.kgi_kind)
    value = inputs.kgi_per_month if _usable(inputs.kgi_per_month) else None
    missing = None if value is not None else Missing("kgi")
    rep_days, rep_days_missing = _rep_days(inputs)

    def line(volume: PlanVolume) -> PlanLine:
        per_rep_per_day = None if value is None or rep_days is None else value / rep_days
        return PlanLine(volume.id, unit_of(volume, catalogue), value, per_rep_per_day, missing or rep_days_missing)

    lines = [line(volumes[0])]
    for volume in volumes[1:]:
        value, missing = _divide_by_factor(value, missing, volume.factor, inputs)
        lines.append(line(volume))
    return Plan(inputs, tuple(lines))


def kpi_tree(plan: Plan, catalogue: Catalogue, results: KpiResults) -> list[TreeNode]:
    """The tree from the KGI down the chain, depth first: under each volume, the factor that links it
    to the volume below, then that volume. Required values are at the node's grain."""
    chain = catalogue.plan
    nodes = [_volume_node(plan.lines[0], chain.volume(plan.lines[0].metric), None, 0, catalogue, results)]
    for depth, (above, line) in enumerate(pairwise(plan.lines), start=1):
        volume = chain.volume(line.metric)
        nodes.append(_factor_node(volume.factor, above.metric, depth, plan.inputs, results))
        nodes.append(_volume_node(line, volume, above.metric, depth, catalogue, results))
    return nodes


def _volume_node(line: PlanLine, volume: PlanVolume, parent: str | None, depth: int, catalogue: Catalogue,
                 results: KpiResults) -> TreeNode:
    required = line.per_month if volume.grain == "per_month" else line.per_rep_per_day
    return TreeNode(line.metric, parent, depth, "volume", unit_of(volume, catalogue), volume.grain, required,
                    actual_volume(volume, catalogue, results))


def _factor_node(factor: PlanFactor, parent: str, depth: int, inputs: PlanInputs, results: KpiResults) -> TreeNode:
    rate = inputs.factors[factor.id]
    if factor.kind == "amount":
        return TreeNode(factor.id, parent, depth, "input", "yen", "period", rate.value, actual_factor(factor, results))
    return TreeNode(factor.id, parent, depth, "rate", "percent", "period", rate.value, actual_factor(factor, results),
                    rate.source)


def actual_volume(volume: PlanVolume, catalogue: Catalogue, results: KpiResults) -> float | None:
    """The team's actual at the volume's grain: a KPI kept per rep per month is taken per month for
    the team (its total ÷ months); any other is the KPI's own value (checked at load)."""
    if catalogue.kpis[volume.actual].grain == "per_rep_per_month":
        return _ratio(results.total(volume.actual), results.period.months, scale=1.0)
    return results.actual(volume.actual)


def _divide_by_factor(value: float | None, missing: Missing | None, factor: PlanFactor,
                      inputs: PlanInputs) -> tuple[float | None, Missing | None]:
    """The next volume down: value ÷ amount, or value ÷ (rate / 100); the first missing input wins."""
    divisor = _divisor(factor, inputs.factors[factor.id].value)
    if value is None:
        return None, missing
    if not _usable(divisor):
        return None, Missing(factor.kind, factor.id)
    return value / divisor, None


def _divisor(factor: PlanFactor, given: float | None) -> float | None:
    """An amount as it is; a rate as a fraction, None above 100 % (no step converts more than all)."""
    if factor.kind == "amount" or given is None:
        return given
    return None if given > 100 else given / 100


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
