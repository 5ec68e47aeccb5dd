"""Phase diagnosis: the checklist rule of SPEC §6, and the phase suggested by data age.

Rule: a phase matches when at least its threshold of items is ticked. One match → that
phase. Several → the team straddles phases: it adopts the lowest, and the higher phases'
KPIs are shown as reference values (参考値). None → undetermined: the phase with the largest
share of ticked items is proposed (ties → the lower phase). An override always wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from phasekpi.catalogue import Catalogue

Outcome = str  # "single" | "straddle" | "undetermined" | "override" | "from_data"


@dataclass(frozen=True)
class Diagnosis:
    phase: str  # the phase whose KPIs are primary
    outcome: Outcome
    matched: tuple[str, ...]  # phases whose threshold is reached, lowest first
    ticked: dict[str, int]  # ticked items per phase
    reference_phases: tuple[str, ...] = ()  # higher phases shown as 参考値
    proposed: str | None = None  # for undetermined: the phase we propose
    evidence: dict[str, float] = field(default_factory=dict)


def judge(catalogue: Catalogue, answers: Mapping[str, bool], override: str | None = None) -> Diagnosis:
    """Apply the checklist rule to the ticked items (item id → ticked)."""
    order = catalogue.phase_ids
    items = catalogue.checklist.items
    ticked = {p: sum(1 for i in items if i.phase == p and answers.get(i.id)) for p in order}
    totals = {p: sum(1 for i in items if i.phase == p) for p in order}
    thresholds = catalogue.checklist.thresholds
    matched = tuple(p for p in order if ticked[p] >= thresholds[p])
    if matched:
        phase, outcome = matched[0], ("single" if len(matched) == 1 else "straddle")
        proposed = None
    else:
        # ties go to the lower phase: max() keeps the first of equal keys, and order is low → high
        proposed = max(order, key=lambda p: ticked[p] / totals[p] if totals[p] else 0)
        phase, outcome = proposed, "undetermined"
    if override:
        phase, outcome = override, "override"
    references = tuple(p for p in matched if order.index(p) > order.index(phase))
    return Diagnosis(phase, outcome, matched, ticked, references, proposed)


def phase_from_age(catalogue: Catalogue, first_activity: date, today: date) -> Diagnosis:
    """The phase whose month range holds the time since the first activity (no checklist)."""
    months = (today - first_activity).days / (365.25 / 12)
    phase = next((p.id for p in catalogue.phases
                  if p.months.start <= months and (p.months.end is None or months < p.months.end)),
                 catalogue.phase_ids[-1])
    return Diagnosis(phase, "from_data", (), {}, evidence={"months_since_first_activity": round(months, 1)})


def diagnose(catalogue: Catalogue, answers: Mapping[str, bool] | None, override: str | None,
             data_span: tuple[date, date] | None) -> Diagnosis | None:
    """The phase in force: the checklist once answered, else the age of the data (first to last
    date loaded, so an old export is judged by its own span), else only an override."""
    if answers is not None:
        return judge(catalogue, answers, override)
    if override:
        return judge(catalogue, {}, override)
    if data_span is not None:
        return phase_from_age(catalogue, *data_span)
    return None
