"""How numbers and what lies behind them read to a person: units, grains and rounding, why a KPI
cannot be computed, data-health findings and load-report notes, in Japanese or English.

The one number format of the product: every screen, chart, the Excel sheet and the CLI write
numbers through `format_number` (and `format_delta`, `format_compact`, `axis_labels`), so a count,
rate, rate gap or amount reads the same everywhere. Amounts are in the workspace's currency
(`Config.currency`, chosen on the settings screen; JPY until then), passed as `currency=`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from itertools import zip_longest

from phasekpi.catalogue import Catalogue, Kpi, default_catalogue
from phasekpi.codes import code_text, column_of, flag_text
from phasekpi.coverage import Gap
from phasekpi.funnel import FunnelStep, no_bottleneck_reason
from phasekpi.health import Finding
from phasekpi.mapping import default_synonyms, normalise
from phasekpi.messages import messages, t
from phasekpi.problems import FileReport, TimeChoice
from phasekpi.tables import Column

DEFAULT_CURRENCY = "JPY"  # without a data-driven guess amounts read as yen until an owner picks another
MINUS = "\u2212"  # the typographic minus: a negative value or delta reads `−3.8pt`, never a hyphen


@dataclass(frozen=True)
class Currency:
    """How one currency is written: its symbol in full amounts and English compact amounts, and
    its Excel number format (the symbol quoted, so Excel never reads it as a locale code)."""

    symbol: str

    @property
    def excel(self) -> str:
        return f'"{self.symbol}"#,##0'


CURRENCIES = {"JPY": Currency("¥"), "USD": Currency("$"), "EUR": Currency("€")}

# Decimals per unit. Counts are the exception (see COUNT_DECIMALS); `rate_gap` is the distance
# between two rates in percentage points, written `3.8pt` / `3.8 pt` (never `%`, which reads as relative).
# `number` is a count without its unit word, for tables and sentences that name the unit themselves.
DECIMALS = {"count": 1, "percent": 1, "yen": 0, "points": 1, "ratio": 2, "rate_gap": 1, "number": 1}
COUNTED = {"count", "number"}
GAP_UNITS = {"percent": "rate_gap"}  # the difference of two rates is in points, of anything else in its unit
# A count is a whole number in a period or per month (`226件`); an average per rep keeps one
# decimal (`78.7件/人/日`); without a grain a fraction keeps one. A whole value never shows `.0`.
COUNT_DECIMALS = {"period": 0, "per_month": 0, "per_rep_per_month": 1, "per_rep_per_day": 1, None: 1}
# Compact amounts (axes, tight places): Japanese counts in 万 and 億 with the currency's word after
# (`3,000万円`, `1.5億円`); English in K, M and B after the symbol (`¥30M`, `$1.5B`).
COMPACT_STEPS = {"ja": ((1e8, "number.scale.oku"), (1e4, "number.scale.man")),
                 "en": ((1e9, "number.scale.billion"), (1e6, "number.scale.million"), (1e3, "number.scale.thousand"))}
COMPACT_DECIMALS = 1  # `1.5億円`, `¥1.5B`; a whole scaled value drops it (`3,000万円`)


def format_number(value: float | None, unit: str, lang: str, *, currency: str = DEFAULT_CURRENCY,
                  grain: str | None = None) -> str:
    """`1,234件`, `78.7件/人/日`'s number, `15.0%`, `3.8pt`, `¥30,000,000` / `$30,000`, `72.5点`,
    `−1,200` — or a dash when there is no value. The sign stands before the currency symbol."""
    if value is None or not math.isfinite(value):  # no number to show, never "inf"
        return "—"
    decimals = _decimals(value, unit, grain)
    magnitude = half_up(abs(value), decimals)
    sign = MINUS if value < 0 and magnitude else ""
    number = f"{magnitude:,.{decimals}f}"
    if unit == "yen":
        return f"{sign}{CURRENCIES[currency].symbol}{number}"
    if unit == "percent":
        return f"{sign}{number}%"
    return _join(sign + number, unit_text(unit, lang), lang)


def half_up(value: float, decimals: int) -> Decimal:
    """Rounded half away from zero, as Excel's number formats and ROUND do (2.5 → 3, not Python's 2)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _decimals(value: float, unit: str, grain: str | None) -> int:
    if unit not in COUNTED:
        return DECIMALS[unit]
    decimals = COUNT_DECIMALS[grain]
    return 0 if half_up(value, decimals) == half_up(value, 0) else decimals


def unit_text(unit: str, lang: str) -> str:
    """The word after a number: the catalogue's units, `pt` for a gap between rates, none for `number`."""
    words = {"rate_gap": lambda: t("number.unit.rate_gap", lang), "number": lambda: ""}
    return words[unit]() if unit in words else default_catalogue().units[unit](lang)


def format_delta(value: float | None, unit: str, lang: str, *, currency: str = DEFAULT_CURRENCY,
                 grain: str | None = None) -> str:
    """A change with its sign: `+151件`, `−¥30,000`, `±0件`. A change of a rate is a distance in
    percentage points, so `percent` reads `+3.8pt` (a relative change would be a different number)."""
    if value is None:
        return "—"
    shown = gap_unit(unit)
    text = format_number(abs(value), shown, lang, currency=currency, grain=grain)
    rounded = half_up(abs(value), _decimals(abs(value), shown, grain))
    return ("±" if not rounded else "+" if value > 0 else MINUS) + text


def metric_delta(value: float | None, unit: str, lang: str, *, currency: str = DEFAULT_CURRENCY,
                 grain: str | None = None) -> str | None:
    """format_delta for `st.metric(delta=...)`, which colours a delta red only when it starts with an
    ASCII `-`; None (no delta shown) without a value."""
    if value is None:
        return None
    return format_delta(value, unit, lang, currency=currency, grain=grain).replace(MINUS, "-", 1)


def gap_unit(unit: str) -> str:
    """The unit of a difference between two values of `unit` (a rate gap is in points)."""
    return GAP_UNITS.get(unit, unit)


def format_compact(value: float | None, lang: str, *, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount in few characters: `9,999円`, `1万円`, `3,000万円`, `1.5億円`; `¥999`, `¥30M`, `$1.5B`."""
    if value is None:
        return "—"
    sign = MINUS if value < 0 else ""
    for size, scale in COMPACT_STEPS[lang]:
        if abs(value) >= size:
            return sign + _compact(_trimmed(abs(value) / size), t(scale, lang), lang, currency)
    return sign + _compact(f"{abs(value):,.0f}", "", lang, currency)


def currency_word(currency: str, lang: str) -> str:
    """How a sentence, a label or a Japanese amount names the currency: `円`, `ドル`; `JPY`, `USD`."""
    return t(f"currency.word.{currency}", lang)


def _trimmed(value: float) -> str:
    return f"{value:,.{COMPACT_DECIMALS}f}".removesuffix("." + "0" * COMPACT_DECIMALS)


def _compact(number: str, scale: str, lang: str, currency: str) -> str:
    """Japanese puts the currency's word last (`1.5億円`); English its symbol first (`¥1.5B`)."""
    if lang == "ja":
        return f"{number}{scale}{currency_word(currency, lang)}"
    return f"{CURRENCIES[currency].symbol}{number}{scale}"


def compact_label_expr(lang: str, *, currency: str = DEFAULT_CURRENCY) -> str:
    """The Vega expression an Altair axis uses (`labelExpr`) to label amounts as format_compact does."""
    magnitude = "abs(datum.value)"
    expr = _compact_expr(f"format({magnitude}, ',.0f')", "", lang, currency)
    for size, scale in reversed(COMPACT_STEPS[lang]):
        scaled = f"format({magnitude} / {size:.0f}, ',.{COMPACT_DECIMALS}~f')"
        expr = f"{magnitude} >= {size:.0f} ? {_compact_expr(scaled, t(scale, lang), lang, currency)} : {expr}"
    return f"(datum.value < 0 ? '{MINUS}' : '') + ({expr})"


def _compact_expr(number: str, scale: str, lang: str, currency: str) -> str:
    if lang == "ja":
        return f"{number} + '{scale}{currency_word(currency, lang)}'"
    return f"'{CURRENCIES[currency].symbol}' + {number} + '{scale}'"


def axis_labels(unit: str, lang: str, *, currency: str = DEFAULT_CURRENCY) -> dict[str, str]:
    """Keyword arguments for `alt.Axis`: amounts in compact form, other values with separators."""
    if unit == "yen":
        return {"labelExpr": compact_label_expr(lang, currency=currency)}
    return {"format": ",~f"}


def input_label(label: str, unit: str, lang: str, *, currency: str = DEFAULT_CURRENCY) -> str:
    """A number input's label with its unit, since the input itself shows only digits: `粗利率（%）`,
    `IS cost per month (USD)`. Counts keep their label: 件 would misname people or months."""
    words = {"yen": lambda: currency_word(currency, lang), "percent": lambda: unit_text(unit, lang)}
    return t("number.input_label", lang, label=label, unit=words[unit]()) if unit in words else label


def _join(text: str, suffix: str, lang: str) -> str:
    """Japanese runs units on (`79.1件/人/日`); English spaces them (`79.1 per rep per day`)."""
    return f"{text}{suffix}" if lang == "ja" else f"{text} {suffix}".rstrip()


def grain_text(kpi: Kpi, lang: str) -> str:
    """`/人/日`, `per rep per day` …; empty for whole-period values."""
    return t(f"grain.{kpi.grain}", lang)


def kpi_value_text(catalogue: Catalogue, kpi_id: str, value: float | None, lang: str, *,
                   currency: str = DEFAULT_CURRENCY) -> str:
    """A KPI's value with its unit and grain: `226件`, `78.7件/人/日`, `¥30,000,000`."""
    kpi = catalogue.kpis[kpi_id]
    text = format_number(value, kpi.unit, lang, currency=currency, grain=kpi.grain)
    return _join(text, grain_text(kpi, lang), lang) if value is not None else text


def target_label(catalogue: Catalogue, kpi_id: str, lang: str, currency: str = DEFAULT_CURRENCY) -> str:
    """A target input's label with the unit and grain the target is entered in: `架電数(件/人/日)`,
    `商談創出金額(円/月)`, `Opportunity amount created (USD per month)`."""
    kpi = catalogue.kpis[kpi_id]
    unit = currency_word(currency, lang) if kpi.unit == "yen" else unit_text(kpi.unit, lang)
    unit = _join(unit, grain_text(kpi, lang), lang).strip()
    return t("target.label", lang, kpi=kpi.label(lang), unit=unit) if unit else kpi.label(lang)


def benchmark_text(kpi: Kpi, lang: str, *, currency: str = DEFAULT_CURRENCY) -> str:
    band = kpi.benchmark
    if band is None:
        return ""
    shown = {"currency": currency, "grain": kpi.grain}
    low = format_number(band.low, kpi.unit, lang, **shown) if band.low is not None else None
    high = format_number(band.high, kpi.unit, lang, **shown) if band.high is not None else None
    if low and high:
        return t("benchmark.range", lang, low=low, high=high)
    return t("benchmark.at_least", lang, low=low) if low else t("benchmark.at_most", lang, high=high)


def stars(importance: int) -> str:
    return "★" * importance + "☆" * (3 - importance)


EXAMPLE_HEADERS = 2  # headers of each script (Latin, Japanese) named as what an export would need


def header_examples(table: str, field: str) -> list[str]:
    """How CRMs name a field, from column_synonyms.yaml: a few English and Japanese headers."""
    names = default_synonyms().tables.get(table, {}).get(field, [])
    seen: set[str] = set()
    latin, japanese = [], []
    for name in names:
        if normalise(name) in seen or name == field:
            continue
        seen.add(normalise(name))
        (latin if name.isascii() else japanese).append(name)
    return latin[:EXAMPLE_HEADERS] + japanese[:EXAMPLE_HEADERS]


def gap_text(gap: Gap, lang: str) -> str:
    """Why a KPI cannot be computed, and which export would supply what is missing."""
    if gap.outside:
        return t("gap.outside", lang, table=t(f"table.{gap.table}", lang))
    if not gap.options:
        return t("gap.table", lang, table=t(f"table.{gap.table}", lang))
    need = gap.options[0]
    if gap.unvalued:
        return t("gap.unvalued", lang, table=t(f"table.{need.table}", lang), field=t(f"field.{need.field}", lang))
    if need.value is not None:
        key = f"gap.value.{need.table}.{need.field}.{need.value}"
        return t(key if key in messages() else "gap.value", lang, field=t(f"field.{need.field}", lang),
                 value=code_text(column_of(need.table, need.field), need.value, lang))
    separator = t("gap.or", lang)
    fields = separator.join(t("gap.quoted", lang, field=t(f"field.{n.field}", lang)) for n in gap.options)
    per_option = [header_examples(n.table, n.field) for n in gap.options]
    headers = list(dict.fromkeys(h for round_ in zip_longest(*per_option) for h in round_ if h))  # a few of each
    examples = t("list.separator", lang).join(headers[:2 * EXAMPLE_HEADERS])
    return t("gap.field", lang, fields=fields, table=t(f"table.{need.table}", lang), examples=examples)


def gaps_text(gaps: tuple[Gap, ...], lang: str) -> str:
    return " ".join(gap_text(g, lang) for g in gaps)


def finding_text(finding: Finding, catalogue: Catalogue, lang: str) -> tuple[str, str]:
    """A data-health finding as (what it means, what to do), its KPI, table and field names in words."""
    params = dict(finding.params)
    if "gap" in params:
        params["gap"] = gap_text(params["gap"], lang)
    if "kpis" in params:
        params["kpis"] = t("list.separator", lang).join(catalogue.kpis[k].label(lang) for k in params["kpis"])
    for name in ("kpi", "numerator", "denominator", "previous"):
        if params.get(name) in catalogue.kpis:
            params[name] = catalogue.kpis[params[name]].label(lang)
    for name in ("table", "left", "right"):
        if name in params:
            params[name] = t(f"table.{params[name]}", lang)
    for name in ("left_field", "right_field"):
        if name in params:
            params[name] = t(f"field.{params[name]}", lang)
    if isinstance(params.get("value"), float):
        params["value"] = format_number(params["value"], "percent", lang)
    if "names" in params:
        params["names"] = t("list.separator", lang).join(t("gap.quoted", lang, field=n) for n in params["names"])
    return t(f"health.{finding.key}.what", lang, **params), t(f"health.{finding.key}.todo", lang)


def report_notes(file: FileReport, lang: str) -> list[str]:
    """What else happened to a loaded file's rows: updates (with examples), older versions kept
    elsewhere, repeated ids, identical rows, the footer, where the time of day came from."""
    sep = t("list.separator", lang)

    def files(names: tuple[str, ...]) -> str:
        return sep.join(t("gap.quoted", lang, field=n) for n in names)

    notes = []
    if file.already_loaded:
        notes.append(t("note.already_loaded", lang, earlier=file.already_loaded))
    if file.rows_updated:
        notes.append(t("note.updated", lang, count=file.rows_updated, files=files(file.updated_files)))
        notes += [t("note.update_example", lang, id=change.record_id, changes=sep.join(
            t("note.change", lang, field=t(f"field.{name}", lang), old=value_text(column_of(file.kind, name), old, lang),
              new=value_text(column_of(file.kind, name), new, lang))
            for name, old, new in change.changes)) for change in file.updates]
    if file.older:
        notes.append(t("note.older", lang, count=file.older, files=files(file.newer_files)))
    if file.repeated_ids:
        notes.append(t("note.repeated_ids", lang, count=file.repeated_ids))
    if file.identical_rows:
        notes.append(t("note.identical", lang, count=file.identical_rows))
    if file.footer_lines:
        notes.append(t("note.footer", lang, count=file.footer_lines))
    if file.time_choice is not None:
        notes += [time_choice_text(file.time_choice, lang)] if file.time_choice.reason != "own_time" else []
    return notes


def technical_text(file: FileReport, lang: str) -> str:
    """How a file was read: its encoding, the sheet reader for a workbook, and DuckDB or the slower
    Python reader (used when DuckDB refuses the file, e.g. mixed line endings: it must never hide)."""
    steps = [t(f"tech.reader.{name}", lang) for name in (file.workbook_reader, file.reader) if name]
    line = t("tech.line", lang, file=file.file, encoding=file.encoding or "—", readers=" → ".join(steps) or "—")
    if not file.stages:
        return line
    seconds = " · ".join(f"{t(f'tech.stage.{stage}', lang)} {spent:.2f} s" for stage, spent in file.stages)
    return f"{line} · {t('tech.seconds', lang, stages=seconds)}"


def time_choice_text(choice: TimeChoice, lang: str) -> str:
    share = format_number(None if choice.agreement is None else choice.agreement * 100, "percent", lang)
    return t(f"note.time.{choice.reason}", lang, day=choice.day_column, time=choice.time_column or "",
             candidate=choice.candidate or "", share=share, compared=choice.compared)


def no_bottleneck_text(steps: list[FunnelStep], lang: str) -> str:
    """Why no step is named, in words (the data lacks what the rates need, too few cases, over 100 %)."""
    reason, params = no_bottleneck_reason(steps)
    if reason == "uncomputable":
        gaps = tuple(params["gaps"])
        return t("funnel.no_bottleneck.uncomputable", lang, reason=gaps_text(gaps, lang)) if gaps \
            else t("funnel.no_rates", lang)
    return t(f"funnel.no_bottleneck.{reason}", lang, **{k: v for k, v in params.items() if k != "steps"})


def value_text(column: Column | None, value: object, lang: str) -> str:
    """A loaded value as a person reads it: dates without a midnight clock, amounts with separators,
    flags and our codes (open/won/lost …) in words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return flag_text(value, lang)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time() else "%Y-%m-%d %H:%M")
    if isinstance(value, Decimal | float | int):
        return f"{float(value):,.0f}" if float(value).is_integer() else f"{float(value):,.2f}"
    return code_text(column, str(value), lang)
