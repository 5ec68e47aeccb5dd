"""Cross-references of a catalogue: names that point to other entries (KPIs, stages, phases, plan
volumes) checked on the raw YAML, tolerant of a broken structure so that every problem is reported
with the field errors at once."""

from __future__ import annotations

from collections.abc import Iterable

from phasekpi.expressions import PERIOD_NAME, cycle_problems, expression_problems
from phasekpi.needs import parse_need


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
        if kpi.get("unit") == "yen" and str(kpi.get("grain", "")).startswith("per_rep"):
            yield f"kpis.{kpi_id}.grain: an amount is the team's (per_month or period), never {kpi['grain']}"
        expression = kpi.get("expression")
        if isinstance(expression, str):
            yield from (f"kpis.{kpi_id}.expression: {p}" for p in expression_problems(expression, names_in_expressions))
    yield from cycle_problems(kpis)
    yield from _sourcing_problems(raw)
    yield from _plan_problems(raw, kpis)
    yield from _strategy_problems(raw, kpis)
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
    yield from _exclusion_problems(checklist, item_ids)
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


def _exclusion_problems(checklist: dict, item_ids: list[str]) -> Iterable[str]:
    """An excluded pair names two different checklist items (a wrong shape is a field error)."""
    for index, pair in enumerate(_list(checklist.get("excludes"))):
        if not isinstance(pair, list) or len(pair) != 2:
            continue
        unknown = [str(i) for i in pair if str(i) not in item_ids]
        if unknown:
            yield f"checklist.excludes.{index}: names item {unknown[0]!r}, which is not a checklist item"
        elif pair[0] == pair[1]:
            yield f"checklist.excludes.{index}: a pair needs two different items (got {pair[0]!r} twice)"


def _list(value: object) -> list:
    """The value when it is a list, else nothing to check (its field error is reported already)."""
    return value if isinstance(value, list) else []


# A plan volume compared at its grain reads its KPI as is, or a per-rep monthly KPI as the team's month.
KPI_GRAINS = {"per_rep_per_day", "per_rep_per_month", "per_month", "period"}  # a wrong one is a field error
PLAN_GRAINS = {("per_month", "per_month"), ("per_month", "per_rep_per_month"), ("per_rep_per_day", "per_rep_per_day")}


def _plan_problems(raw: dict, kpis: dict) -> Iterable[str]:
    plan = raw.get("plan") if isinstance(raw.get("plan"), dict) else {}
    volumes = [v for v in _list(plan.get("volumes")) if isinstance(v, dict)]
    volume_ids = [v.get("id") for v in volumes]
    factors = [(i, v["factor"]) for i, v in enumerate(volumes) if isinstance(v.get("factor"), dict)]
    for kind, ids in (("volume", volume_ids), ("factor", [f.get("id") for _, f in factors] + volume_ids),
                      ("cell", [f.get("cell") for _, f in factors])):
        repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
        if repeated:
            yield f"plan.volumes: {kind} names repeat ({', '.join(repeated)})"
    for k_index, kgi in enumerate(_list(plan.get("kgi"))):
        if kgi not in volume_ids:
            yield f"plan.kgi.{k_index}: names {kgi!r}, which is not one of plan.volumes"
    for index, volume in enumerate(volumes):
        where = f"plan.volumes.{index}"
        if (index == 0) != (volume.get("factor") is None):
            yield f"{where}.factor: the top volume has no factor, every volume below it has one"
        actual = kpis.get(volume.get("actual")) if isinstance(volume.get("actual"), str) else None
        if isinstance(volume.get("actual"), str) and actual is None:
            yield f"{where}.actual: names KPI {volume['actual']!r}, which is not defined"
        elif (isinstance(actual, dict) and actual.get("grain") in KPI_GRAINS
              and (volume.get("grain"), actual.get("grain")) not in PLAN_GRAINS):
            yield (f"{where}.actual: KPI {volume['actual']!r} is kept {actual.get('grain')}, which the plan "
                   f"cannot compare {volume.get('grain')}")
    for index, factor in factors:
        yield from _factor_problems(f"plan.volumes.{index}.factor", factor, kpis)


def _factor_problems(where: str, factor: dict, kpis: dict) -> Iterable[str]:
    for part in ("kpi", "numerator", "denominator"):
        ref = factor.get(part)
        if isinstance(ref, str) and ref not in kpis:
            yield f"{where}.{part}: names KPI {ref!r}, which is not defined"
    rate = kpis.get(factor.get("kpi")) if isinstance(factor.get("kpi"), str) else None
    if isinstance(rate, dict) and not (rate.get("type") == "ratio" and rate.get("unit") == "percent"):
        yield f"{where}.kpi: names {factor['kpi']!r}, which is not a ratio in percent"
    band = (rate or {}).get("benchmark") if isinstance(rate, dict) else None
    has_floor = isinstance(band, dict) and band.get("low") is not None
    known = rate is not None or factor.get("kpi") is None  # an undefined KPI is reported above
    if factor.get("kind") == "rate" and known and not has_floor and factor.get("assumed_benchmark") is None:
        yield f"{where}: a rate without a benchmark floor in the catalogue needs assumed_benchmark"


def _strategy_problems(raw: dict, kpis: dict) -> Iterable[str]:
    strategy = raw.get("strategy") if isinstance(raw.get("strategy"), dict) else {}
    refs = [("health", strategy.get("health"))] if "health" in strategy else []
    refs += [(f"{part}.{i}", ref) for part in ("plain", "amounts", "formulas")
             for i, ref in enumerate(_list(strategy.get(part)))]
    for where, ref in refs:
        if isinstance(ref, str) and ref not in kpis:
            yield f"strategy.{where}: names KPI {ref!r}, which is not defined"
        elif where.startswith("amounts") and isinstance(kpis.get(ref), dict) and kpis[ref].get("unit") != "yen":
            yield f"strategy.{where}: KPI {ref!r} is not an amount in yen"
    health = kpis.get(strategy.get("health")) if isinstance(strategy.get("health"), str) else None
    if isinstance(health, dict) and not (health.get("benchmark") or {}).get("low"):
        yield f"strategy.health: KPI {strategy['health']!r} has no benchmark low to judge against"
