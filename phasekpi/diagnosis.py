"""Phase diagnosis: the checklist rule of SPEC §6, and the phase suggested by data age.

Rule: a phase matches when at least its threshold of items is ticked. One match → that
phase. Several → the team straddles phases: it adopts the lowest, and the higher phases'
KPIs are shown as reference values (参考値). None → undetermined: the phase with the largest
share of ticked items is proposed (ties → the lower phase). An override always wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from phasekpi.catalogue import Catalogue, ChecklistItem, Signals
from phasekpi.display import kpi_value_text
from phasekpi.messages import t
from phasekpi.metrics import KpiResults, achievement, activity_total, compute_grouped, compute_kpis, data_range, target_of
from phasekpi.reps import rep_spread
from phasekpi.schema import Store
from phasekpi.selection import DAYS_PER_MONTH, Filters

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


# ----------------------------------------------------------------------------- answers from data

@dataclass(frozen=True)
class Suggestion:
    """A checklist answer proposed by the data, with the numbers behind it (for the user to confirm).

    `evidence` holds the measured value under "value" and the catalogue's "threshold", plus the
    signal's own numbers (with the target of each KPI judged, under "target_<kpi>" or "target");
    `params` holds the KPI ids the evidence speaks of and the phase whose targets it used."""

    value: bool
    evidence: dict[str, float]
    params: dict[str, str] = field(default_factory=dict)


def suggest_answers(store: Store, catalogue: Catalogue,
                    targets: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, Suggestion]:
    """Answers the data can give (items with `from_data` and `suggest`), with their evidence.

    Items the data cannot answer, or whose signal has no data, are absent. Targets are the user's
    overrides per phase (phase → KPI → target), else the catalogue's."""
    bounds = data_range(store)
    if bounds is None:
        return {}
    signals = catalogue.checklist.signals
    memo: dict[str, tuple[float, dict[str, float], dict[str, str]] | None] = {}

    def measured(name: str) -> tuple[float, dict[str, float], dict[str, str]] | None:
        if name not in memo:
            memo[name] = _measure(name, store, catalogue, signals, bounds, targets or {})
        return memo[name]

    suggestions = {}
    for item in catalogue.checklist.items:
        if item.signal is None or item.suggest is None:
            continue
        found = measured(item.signal)
        if found is None:
            continue
        value, evidence, params = found
        holds = item.suggest.holds(value)
        if item.signal == "volume_without_quality":
            holds = holds and evidence["quality"] < evidence["quality_low"]
        suggestions[item.id] = Suggestion(holds, {**evidence, "value": round(value, 4),
                                                  "threshold": item.suggest.threshold}, params)
    return suggestions


def _target(catalogue: Catalogue, targets: Mapping[str, Mapping[str, float]], phase: str, kpi_id: str) -> float:
    entry = next(e for e in catalogue.phase(phase).kpis if e.kpi == kpi_id)
    return target_of(entry, targets.get(phase))


def _all_met(catalogue: Catalogue, targets: Mapping[str, Mapping[str, float]], phase: str, kpis: list[str],
             results: KpiResults) -> bool:
    for kpi_id in kpis:
        reached = achievement(results.actual(kpi_id), _target(catalogue, targets, phase, kpi_id),
                              catalogue.kpis[kpi_id].direction)
        if reached is None or reached < 100:
            return False
    return True


def _measure(name: str, store: Store, catalogue: Catalogue, signals: Signals | None, bounds: tuple[date, date],
             targets: Mapping[str, Mapping[str, float]]) -> tuple[float, dict[str, float], dict[str, str]] | None:
    """One signal's value, its evidence numbers and the KPI ids it reads; None without data."""
    if name in ("months_since_first_activity", "months_of_data"):
        months = (bounds[1] - bounds[0]).days / DAYS_PER_MONTH  # compared unrounded, like phase_from_age
        return months, {"months": round(months, 1)}, {}
    params = getattr(signals, name, None) if signals else None
    if params is None:
        return None
    kpi_names = {"kpis": ",".join(getattr(params, "kpis", []))}
    if name in ("action_target_attainment", "efficiency_target_attainment"):
        used = {f"target_{k}": _target(catalogue, targets, params.phase, k) for k in params.kpis}
        by = "week" if params.weeks else "month"
        groups = [r for r in compute_grouped(store, catalogue, Filters(), by).values() if r.period.rep_days > 0]
        recent = groups[-(params.weeks or params.months):]
        if not recent:
            return None
        met = sum(_all_met(catalogue, targets, params.phase, params.kpis, r) for r in recent)
        named = {**kpi_names, "phase": params.phase}
        if by == "week":
            share = met / len(recent) * 100
            return share, {"periods": len(recent), "met": met, "share": round(share, 1), **used}, named
        return met, {"periods": len(recent), "met": met, **used}, named
    if name == "rep_spread":
        spreads = {s.kpi_id: s.variation for s in rep_spread(catalogue, compute_grouped(store, catalogue, Filters(), "rep"))}
        variations = {k: round(spreads[k], 4) for k in params.kpis if spreads.get(k) is not None}
        if not variations:
            return None
        widest = max(variations, key=lambda k: variations[k])
        return variations[widest], {f"cv_{k}": v for k, v in variations.items()}, {**kpi_names, "widest": widest}
    # volume_without_quality
    results = compute_kpis(store, catalogue, Filters())
    target = _target(catalogue, targets, params.phase, params.volume_kpi)
    volume = achievement(results.actual(params.volume_kpi) if results else None, target,
                         catalogue.kpis[params.volume_kpi].direction)
    quality = results.actual(params.quality_kpi) if results else None
    if volume is None or quality is None:
        return None
    return volume, {"volume": round(results.actual(params.volume_kpi), 2), "volume_achievement": round(volume, 1),
                    "target": target, "quality": round(quality, 2),
                    "quality_low": catalogue.kpis[params.quality_kpi].benchmark.low}, \
        {"volume_kpi": params.volume_kpi, "quality_kpi": params.quality_kpi, "phase": params.phase}


# ----------------------------------------------------------------------------- transition (SPEC §7)

@dataclass(frozen=True)
class Step:
    name_key: str  # locale key of the step's name (its description: name_key + ".what")
    start: date
    end: date | None  # last day, inclusive; None = from then on


def transition_target(catalogue: Catalogue, diagnosis: Diagnosis | None) -> str | None:
    """The phase the team is moving to: the higher phase of a straddle, or the next phase when it
    has at least (its threshold − near_margin) ticked items; None otherwise (or without a checklist)."""
    if diagnosis is None or catalogue.transition is None or not diagnosis.ticked:
        return None
    if diagnosis.reference_phases:
        return diagnosis.reference_phases[0]
    order = catalogue.phase_ids
    index = order.index(diagnosis.phase)
    if index + 1 >= len(order):
        return None
    following = order[index + 1]
    near = catalogue.checklist.thresholds[following] - catalogue.transition.near_margin
    return following if diagnosis.ticked.get(following, 0) >= near else None


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (following - timedelta(days=1)).day))


def transition_plan(catalogue: Catalogue, diagnosis: Diagnosis | None, start: date) -> list[Step]:
    """The catalogue's transition steps dated from `start`; empty when no transition is under way."""
    if transition_target(catalogue, diagnosis) is None:
        return []
    return [Step(f"phase.step.{s.id}", add_months(start, s.from_month),
                 None if s.to_month is None else add_months(start, s.to_month) - timedelta(days=1))
            for s in catalogue.transition.steps]


# ----------------------------------------------------------------------------- per-rep phase (SPEC §6)

def rep_phases(catalogue: Catalogue, team_phase: str, by_rep: Mapping[str, KpiResults],
               targets: Mapping[str, float] | None = None) -> dict[str, str]:
    """Each rep's phase: the next phase for reps ahead of the team (catalogue rule
    `transition.rep_ahead`), the team's phase for everyone else. `targets` overrides the team
    phase's targets (KPI → target)."""
    order = catalogue.phase_ids
    index = order.index(team_phase)
    rule = catalogue.transition.rep_ahead if catalogue.transition else None
    if rule is None or index + 1 >= len(order):
        return {rep: team_phase for rep in by_rep}
    actions = [e for e in catalogue.phase(team_phase).kpis if catalogue.kpis[e.kpi].tier == "action"]

    def ahead(results: KpiResults) -> bool:
        if activity_total(catalogue, results) < rule.min_activity:
            return False
        for entry in actions:
            reached = achievement(results.actual(entry.kpi), target_of(entry, targets),
                                  catalogue.kpis[entry.kpi].direction)
            if reached is None or reached < rule.min_achievement:
                return False
        for kpi_id in rule.key_rates:
            value, low = results.actual(kpi_id), catalogue.kpis[kpi_id].benchmark
            if value is None or low is None or low.low is None or value <= low.low:
                return False
        return True

    return {rep: order[index + 1] if ahead(results) else team_phase for rep, results in sorted(by_rep.items())}


_SIGNAL_UNITS = {"months_since_first_activity": "months", "months_of_data": "months",
                 "action_target_attainment": "percent", "efficiency_target_attainment": "months",
                 "rep_spread": None, "volume_without_quality": "percent"}


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def evidence_text(catalogue: Catalogue, item_id: str, suggestion: Suggestion, lang: str) -> str:
    """The evidence of a suggestion in words, naming the phase and the targets it was judged against
    (the dashboard shows that phase's targets too): "データ: 架電数 100.0件/人/日は成長期の目標 80.0件/人/日の125%…"."""
    item = next(i for i in catalogue.checklist.items if i.id == item_id)
    signal, evidence = item.signal, suggestion.evidence
    unit = t(f"phase.unit.{_SIGNAL_UNITS[signal]}", lang) if _SIGNAL_UNITS[signal] else ""
    compare = next(t(f"phase.compare.{name}", lang, threshold=_number(value) + unit)
                   for name in ("below", "at_least", "above") if (value := getattr(item.suggest, name)) is not None)
    label = {k: catalogue.kpis[k].label(lang) for k in catalogue.kpis}
    params: dict[str, object] = {k: _number(v) for k, v in evidence.items()}
    params["compare"] = compare
    kpis = [k for k in suggestion.params.get("kpis", "").split(",") if k]
    params["kpis"] = t("phase.evidence.and", lang).join(label[k] for k in kpis)
    if "phase" in suggestion.params:
        params["phase"] = catalogue.phase(suggestion.params["phase"]).label(lang)
        params["targets"] = t("phase.evidence.and", lang).join(
            t("checklist.target", lang, kpi=label[k], target=kpi_value_text(catalogue, k, evidence[f"target_{k}"], lang))
            for k in kpis if f"target_{k}" in evidence)
    if signal == "rep_spread":
        params["details"] = ", ".join(f"{label[k]} {_number(evidence[f'cv_{k}'])}" for k in kpis if f"cv_{k}" in evidence)
        params["widest"] = label[suggestion.params["widest"]]
    if signal == "volume_without_quality":
        params["volume_kpi"] = label[suggestion.params["volume_kpi"]]
        params["quality_kpi"] = label[suggestion.params["quality_kpi"]]
        params["volume"] = kpi_value_text(catalogue, suggestion.params["volume_kpi"], evidence["volume"], lang)
        params["target"] = kpi_value_text(catalogue, suggestion.params["volume_kpi"], evidence["target"], lang)
        below = evidence["quality"] < evidence["quality_low"]
        params["quality_side"] = t(f"phase.evidence.{'below_low' if below else 'not_below_low'}", lang)
    return t(f"phase.evidence.{signal}", lang, **params)


# ----------------------------------------------------------------------------- answers to review

# Signals that measure the span of the loaded data: a lower bound of the truth (older records may
# never have been loaded), so they prove an item only once the span has reached its threshold.
SPAN_SIGNALS = frozenset({"months_since_first_activity", "months_of_data"})

ContradictionKind = Literal["excluded", "data", "doubt"]


@dataclass(frozen=True)
class Contradiction:
    """Answers to look at again: two ticked items the catalogue declares exclusive ("excluded"), an
    answer the data disproves ("data"), or one the data only suggests is the other way ("doubt").
    Flags never block saving: the user may know better."""

    kind: ContradictionKind
    items: tuple[str, ...]
    suggestion: Suggestion | None = None

    @property
    def hard(self) -> bool:
        """A contradiction rather than a doubt: the diagnosis then rests on answers that cannot all hold."""
        return self.kind != "doubt"


def contradictions(catalogue: Catalogue, answers: Mapping[str, bool],
                   suggestions: Mapping[str, Suggestion]) -> list[Contradiction]:
    """The excluded pairs both ticked, then each answer opposite to the data's suggestion, in
    checklist order."""
    found = [Contradiction("excluded", pair) for pair in catalogue.checklist.excludes
             if all(answers.get(i) for i in pair)]
    for item in catalogue.checklist.items:
        suggestion = suggestions.get(item.id)
        if suggestion is not None and suggestion.value != bool(answers.get(item.id)):
            found.append(Contradiction("data" if _proven(item, suggestion) else "doubt", (item.id,), suggestion))
    return found


def _proven(item: ChecklistItem, suggestion: Suggestion) -> bool:
    """Whether the data decides the item: a span signal past its threshold (34.6 months of data
    disprove "launched < 6 months ago", 8.9 months prove "3+ months of data"); targets and the
    spread between reps only suggest."""
    if item.signal not in SPAN_SIGNALS or item.suggest is None:
        return False
    return not suggestion.value if item.suggest.below is not None else suggestion.value


def contradiction_text(catalogue: Catalogue, contradiction: Contradiction, lang: str) -> str:
    """The flag in words, naming the items and the evidence: "S1「…」にチェックがありますが、データと矛盾します。…"."""
    labels = {i.id: i.label(lang) for i in catalogue.checklist.items}
    if contradiction.kind == "excluded":
        first, second = contradiction.items
        return t("checklist.flag.excluded", lang, first=first, first_label=labels[first], second=second,
                 second_label=labels[second])
    (item_id,), suggestion = contradiction.items, contradiction.suggestion
    answer = t("checklist.flag.unticked" if suggestion.value else "checklist.flag.ticked", lang)
    return t(f"checklist.flag.{contradiction.kind}", lang, item=item_id, label=labels[item_id], answer=answer,
             evidence=evidence_text(catalogue, item_id, suggestion, lang))


def answered_before(answered_at: datetime | None, data_changed_at: datetime | None) -> bool:
    """Whether answers were saved before the data last changed (an upload added or undone), so they
    speak of other data and ask for a review; unknown times mark nothing."""
    return answered_at is not None and data_changed_at is not None and answered_at < data_changed_at
