"""How numbers read to a person: units, grains and rounding in Japanese or English."""

from __future__ import annotations

from phasekpi.catalogue import Catalogue, Kpi, default_catalogue
from phasekpi.messages import t

DECIMALS = {"count": 1, "percent": 1, "yen": 0, "points": 1, "ratio": 2}


def format_number(value: float | None, unit: str, lang: str) -> str:
    """`1,234.5`, `15.0%`, `¥30,000,000`, `72.5点` — or a dash when there is no value."""
    if value is None:
        return "—"
    number = f"{value:,.{DECIMALS[unit]}f}"
    if unit == "yen":
        return f"¥{number}"
    if unit == "percent":
        return f"{number}%"
    suffix = default_catalogue().units[unit](lang)
    return _join(number, suffix, lang)


def _join(text: str, suffix: str, lang: str) -> str:
    """Japanese runs units on (`79.1件/人/日`); English spaces them (`79.1 per rep per day`)."""
    return f"{text}{suffix}" if lang == "ja" else f"{text} {suffix}".rstrip()


def grain_text(kpi: Kpi, lang: str) -> str:
    """`/人/日`, `per rep per day` …; empty for whole-period values."""
    return t(f"grain.{kpi.grain}", lang)


def kpi_value_text(catalogue: Catalogue, kpi_id: str, value: float | None, lang: str) -> str:
    kpi = catalogue.kpis[kpi_id]
    text = format_number(value, kpi.unit, lang)
    return _join(text, grain_text(kpi, lang), lang) if value is not None else text


def benchmark_text(kpi: Kpi, lang: str) -> str:
    band = kpi.benchmark
    if band is None:
        return ""
    low = format_number(band.low, kpi.unit, lang) if band.low is not None else None
    high = format_number(band.high, kpi.unit, lang) if band.high is not None else None
    if low and high:
        return t("benchmark.range", lang, low=low, high=high)
    return t("benchmark.at_least", lang, low=low) if low else t("benchmark.at_most", lang, high=high)


def stars(importance: int) -> str:
    return "★" * importance + "☆" * (3 - importance)
