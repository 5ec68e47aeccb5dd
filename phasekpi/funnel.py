"""Funnels and the bottleneck (SPEC §8).

A funnel is a list of steps from the catalogue; each step's count is a KPI total, its
conversion is its rate KPI (or the plain count ratio), and its benchmark band comes from the
rate KPI. The bottleneck is the step whose conversion falls furthest below the lower bound
of its band, relative to that bound; ties go to the upstream step, which feeds the rest. Only a
step that can support the claim is a candidate: its rate can be computed (the data has what it
needs), is at most 100 % (more would mean the two counts come from data that does not match), and
its denominator holds at least the funnel's `min_sample`. Otherwise no step is named, and
`no_bottleneck_reason` says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from phasekpi.catalogue import Catalogue
from phasekpi.coverage import Gap
from phasekpi.metrics import KpiResults


@dataclass(frozen=True)
class FunnelStep:
    kpi_id: str
    stage: str
    count: float | None
    step_rate: float | None  # percent of the previous step
    cumulative_rate: float | None  # percent of the first step
    rate_kpi: str | None
    band_low: float | None
    band_high: float | None
    denominator: float | None = None  # what the step rate divides by (the rate KPI's denominator)
    min_sample: int = 1
    gaps: tuple[Gap, ...] = ()  # why the step's count or rate cannot be computed

    @property
    def shortfall(self) -> float | None:
        """How far below the band's lower bound, as a share of it (0.4 = 40 % short)."""
        if self.step_rate is None or not self.band_low:
            return None
        return (self.band_low - self.step_rate) / self.band_low

    @property
    def implausible(self) -> bool:
        """More than 100 % of the step before: the counts come from data that does not match."""
        return self.step_rate is not None and self.step_rate > 100

    @property
    def enough(self) -> bool:
        return self.denominator is not None and self.denominator >= self.min_sample

    @property
    def candidate(self) -> bool:
        """Benchmarked, computable, plausible and with enough cases to be named the bottleneck."""
        return self.shortfall is not None and not self.implausible and self.enough


@dataclass(frozen=True)
class Bottleneck:
    step: FunnelStep
    below_benchmark: bool  # False: nothing is below its band; this is only the weakest step


def build_funnel(catalogue: Catalogue, funnel_id: str, results: KpiResults) -> list[FunnelStep]:
    steps: list[FunnelStep] = []
    spec = catalogue.funnels[funnel_id]
    first = results.total(spec.steps[0].kpi)
    for index, step in enumerate(spec.steps):
        count = results.total(step.kpi)
        previous = steps[index - 1].count if index else None
        rate_kpi = catalogue.kpis[step.rate_kpi] if step.rate_kpi else None
        rate = results.total(step.rate_kpi) if step.rate_kpi else _percent(count, previous)
        denominator = results.total(rate_kpi.denominator) if rate_kpi else previous
        band = rate_kpi.benchmark if rate_kpi else None
        gaps = results.gaps(step.rate_kpi or step.kpi) or results.gaps(step.kpi)
        steps.append(FunnelStep(
            kpi_id=step.kpi, stage=step.stage, count=count, step_rate=rate,
            cumulative_rate=_percent(count, first), rate_kpi=step.rate_kpi,
            band_low=band.low if band else None, band_high=band.high if band else None,
            denominator=denominator, min_sample=spec.min_sample, gaps=gaps,
        ))
    return steps


def find_bottleneck(steps: list[FunnelStep]) -> Bottleneck | None:
    """The candidate step furthest below its band; when none is below, the one closest to falling below."""
    measured = [s for s in steps if s.candidate]
    if not measured:
        return None
    worst = max(measured, key=lambda s: s.shortfall)  # max keeps the first (upstream) of ties
    return Bottleneck(worst, below_benchmark=worst.shortfall > 0)


def no_bottleneck_reason(steps: list[FunnelStep]) -> tuple[str, dict[str, object]]:
    """Why no step is named (funnel.no_bottleneck.<key> with its parameters): the benchmarked rates
    cannot be computed (and which data is missing), are over 100 %, or rest on too few cases."""
    benchmarked = [s for s in steps if s.band_low]
    if not benchmarked:
        return "no_benchmark", {}
    computed = [s for s in benchmarked if s.step_rate is not None]
    if not computed:
        gaps = [g for s in benchmarked for g in s.gaps]
        return "uncomputable", {"gaps": list(dict.fromkeys(gaps))}
    small = [s for s in computed if not s.enough]
    if small and all(not s.enough or s.implausible for s in computed):
        return "small_sample", {"min_sample": computed[0].min_sample,
                                "largest": max(int(s.denominator or 0) for s in computed)}
    return "implausible", {"steps": [s.rate_kpi for s in computed if s.implausible]}


def _percent(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole * 100


@dataclass(frozen=True)
class WhatIf:
    """What the team would gain per month if the bottleneck reached the floor of its band."""

    factor: float  # how much every later step grows: band floor ÷ current rate
    gains: dict[str, float]  # KPI → extra per month, for the KPIs the funnel's `what_if` names


def what_if(catalogue: Catalogue, funnel_id: str, steps: list[FunnelStep], bottleneck: Bottleneck | None,
            results: KpiResults) -> WhatIf | None:
    """Push the bottleneck to the lower bound of its band and the rest of the chain at current rates.

    A KPI downstream of the bottleneck (a later step, or one that is no step at all, such as the
    won amount, taken as the end of the chain) grows by the factor; monthly totals are the
    period's totals ÷ its months."""
    if bottleneck is None or not bottleneck.below_benchmark or not bottleneck.step.step_rate:
        return None
    factor = bottleneck.step.band_low / bottleneck.step.step_rate
    position = {step.kpi_id: index for index, step in enumerate(steps)}
    start = position[bottleneck.step.kpi_id]
    gains = {}
    for kpi_id in catalogue.funnels[funnel_id].what_if:
        total = results.total(kpi_id)
        if total is not None and position.get(kpi_id, len(steps)) >= start:
            gains[kpi_id] = total * (factor - 1) / results.period.months
    return WhatIf(factor, gains)
