"""The strategy page's judgements and explanations (SPEC §2), as the catalogue's `strategy` declares
them: the health KPI against its benchmark floor, and each formula's numbers as text.

A formula text (`strategy.formula.<kpi>` in the locales) names its numbers as placeholders:
{value} and {total} of its own KPI, {months} of the period, {low} its benchmark floor, and any
setting or any KPI's period total by its id. Numbers come without unit words (the text has them),
except amounts in yen and percentages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from phasekpi.catalogue import Catalogue
from phasekpi.display import DEFAULT_CURRENCY, format_number
from phasekpi.expressions import PERIOD_NAME, expression_names
from phasekpi.metrics import KpiResults

Health = Literal["healthy", "unhealthy"]


def health(catalogue: Catalogue, results: KpiResults) -> tuple[Health, float, float] | None:
    """The health KPI's verdict, value and floor; None when it has no value."""
    kpi_id = catalogue.strategy.health
    value, floor = results.actual(kpi_id), catalogue.kpis[kpi_id].benchmark.low
    if value is None:
        return None
    return ("healthy" if value >= floor else "unhealthy"), value, floor


def number_text(value: float | None, unit: str, lang: str, currency: str = DEFAULT_CURRENCY) -> str:
    """`¥8,400,000`, `70.0%`, `5.84倍` as everywhere, but counts and months plain (`24`, `8.9`): the
    text around them says 件 or ヶ月."""
    return format_number(value, "number" if unit == "count" else unit, lang, currency=currency)


def floor_text(value: float | None) -> str:
    """A benchmark floor as the sentences state it: `3.0`."""
    return "—" if value is None else f"{value:,.1f}"


def formula_values(catalogue: Catalogue, results: KpiResults, settings: Mapping[str, float | None],
                   lang: str, currency: str = DEFAULT_CURRENCY) -> dict[str, str]:
    """The shared placeholders: {months}, every setting and every KPI's period total."""
    values = {PERIOD_NAME: number_text(results.period.months, "count", lang)}
    values |= {name: number_text(settings.get(name), setting.unit, lang, currency)
               for name, setting in catalogue.settings.items()}
    values |= {kpi_id: number_text(results.total(kpi_id), kpi.unit, lang, currency)
               for kpi_id, kpi in catalogue.kpis.items()}
    return values


def shown_formulas(catalogue: Catalogue, settings: Mapping[str, float | None]) -> list[str]:
    """The formulas to explain: those whose KPI reads no setting left empty (a forecast not entered)."""
    empty = {name for name in catalogue.settings if settings.get(name) is None}
    return [kpi_id for kpi_id in catalogue.strategy.formulas
            if not empty & set(_names_read(catalogue, kpi_id))]


def formula_placeholders(catalogue: Catalogue, results: KpiResults, kpi_id: str, lang: str,
                         currency: str = DEFAULT_CURRENCY) -> dict[str, str]:
    """A formula's own {value}, {total} and {low}."""
    kpi = catalogue.kpis[kpi_id]
    low = kpi.benchmark.low if kpi.benchmark else None
    return {"value": number_text(results.actual(kpi_id), kpi.unit, lang, currency),
            "total": number_text(results.total(kpi_id), kpi.unit, lang, currency), "low": floor_text(low)}


def _names_read(catalogue: Catalogue, kpi_id: str) -> list[str]:
    expression = catalogue.kpis[kpi_id].expression
    return sorted(expression_names(expression)) if expression else []
