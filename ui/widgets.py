"""Small display pieces shared by pages: the KPI card and the bottleneck box."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from html import escape
from typing import Any

import pandas as pd
import streamlit as st

from phasekpi.cards import Card, build_cards, previous_filters
from phasekpi.charts.sparkline import HEIGHT as SPARKLINE_HEIGHT
from phasekpi.charts.sparkline import sparkline_chart
from phasekpi.coverage import data_coverage
from phasekpi.diagnosis import Diagnosis
from phasekpi.display import (
    benchmark_text,
    format_number,
    gaps_text,
    input_label,
    kpi_value_text,
    metric_delta,
    no_bottleneck_text,
    stars,
)
from phasekpi.drilldown import drill_target
from phasekpi.funnel import Bottleneck, FunnelStep
from phasekpi.metrics import KpiResults, scorecard
from phasekpi.selection import Filters
from ui import session

STATUS_COLOURS = {"good": "#1e7b45", "warning": "#b7791f", "bad": "#b03a2e", "no_data": "#8a8a8a",
                  "unavailable": "#6b7280", "implausible": "#6b7280"}
CARD_CSS = """
<style>
.kpi-target {font-size:0.85rem; color:#444; margin-top:-6px;}
[data-testid="stMetricLabel"] * {white-space:normal !important; overflow:visible !important; text-overflow:clip !important;}
.kpi-card .bar {height:7px; background:#eceff3; border-radius:4px; margin:6px 0 4px 0; overflow:hidden;}
.kpi-card .bar > div {height:7px; border-radius:4px;}
.kpi-card .status {font-size:0.82rem; font-weight:600;}
.kpi-card .bench {font-size:0.75rem; color:#777; margin-top:2px;}
.kpi-card .note {font-size:0.75rem; color:#555; margin-top:4px; line-height:1.35;}
[data-testid="stMetricValue"] {font-size:1.6rem;}
[data-testid="stMainBlockContainer"] {padding-top:2.5rem;}
</style>
"""

# Streamlit's uploader has fixed English words; these rules put ours in their place.
UPLOADER_CSS = """
<style>
[data-testid="stFileUploaderDropzone"] button p {{font-size:0;}}
[data-testid="stFileUploaderDropzone"] button p::after {{content:"{button}"; font-size:0.9rem;}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{font-size:0;}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{content:"{limit}"; font-size:0.8rem;}}
</style>
"""


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&])")
SHORTCODE = re.compile(r":(?=[A-Za-z_/])")  # :smile:, :material/x:, :red[…]: read after markdown's escapes


def plain(text: str) -> str:
    """Text that may hold the user's data (file, rep, column names) for st.markdown and its kin:
    every markdown character escaped, so a name like `![x](http://…)` is shown, never fetched, and a
    zero-width space after a colon, so `:smile:` or `:red[x]` stays text."""
    return SHORTCODE.sub(":\u200b", MARKDOWN_SPECIAL.sub(r"\\\1", text))


def amounts(text: str) -> str:
    """Text with amounts for st.markdown and its kin: `$` escaped, since two of them (`$30,000 … $40,000`)
    would be read as a formula between them."""
    return text.replace("$", r"\$")


def html_amounts(text: str) -> str:
    """Escaped HTML with `$` as an entity, for the same reason inside the cards' markdown."""
    return escape(text).replace("$", "&#36;")


def sourcing_basis() -> str:
    """Which deals count as IS-sourced in this data: flag, lead_link or all (kpi_defs.yaml `sourcing`)."""
    return session.cached("sourcing", lambda: data_coverage(session.store(), session.catalogue()).sourcing.basis,
                          chosen=Filters())


def kpi_card(card: Card) -> None:
    """One KPI in a bordered box: actual at its grain with the change since the previous period and
    the meaning as its tooltip, the last weeks against the target line, achievement as a coloured bar;
    a KPI the data cannot give says why instead, a share over 100 % is grey, never green."""
    catalogue, lang, tr, row = session.catalogue(), session.lang(), session.tr, card.row
    kpi = catalogue.kpis[row.kpi_id]
    colour = STATUS_COLOURS[row.status]
    width = 0 if row.achievement is None else min(row.achievement, 100)
    achieved = "—" if row.achievement is None else f"{row.achievement:.0f}%"
    bench = benchmark_text(kpi, lang, currency=session.currency())
    target = tr("card.target", target=kpi_value_text(catalogue, row.kpi_id, row.target, lang, currency=session.currency()))
    if row.status == "unavailable":
        value, note = "—", f'{tr("card.unavailable_value")}: {gaps_text(row.gaps, lang)}'  # the reason, never a 0
    else:  # the number and its unit; the grain is said by the target line right below it
        value = format_number(row.actual, kpi.unit, lang, currency=session.currency(), grain=kpi.grain)
        note = tr("card.implausible_note") if row.status == "implausible" else ""
    if kpi.sourced_only and row.status != "unavailable":
        note = " ".join(filter(None, [tr(f"card.sourcing.{sourcing_basis()}"), note]))
    with st.container(border=True):
        delta = change_text(card)
        moved = delta is not None and not delta.startswith("±")  # a change that rounds to 0 is neither up nor down
        st.metric(f"{kpi.label(lang)} {stars(row.importance)}", value, delta=delta,
                  delta_color=("inverse" if kpi.direction == "lower" else "normal") if moved else "off",
                  delta_arrow="auto" if moved else "off", help=kpi.meaning(lang),
                  delta_description=tr("card.vs_previous") if delta is not None else None)
        st.markdown(f'<div class="kpi-target">{html_amounts(target)}</div>', unsafe_allow_html=True)
        chart = sparkline_chart(catalogue, card, lang, session.currency())
        if chart is not None:
            st.altair_chart(chart, width="stretch", height=SPARKLINE_HEIGHT)
        parts = [
            f'<div class="kpi-card {row.status}">',
            f'<div class="bar"><div style="width:{width:.0f}%; background:{colour};"></div></div>',
            f'<div class="status" style="color:{colour};">{escape(tr(f"status.{row.status}", achieved=achieved))}</div>',
            f'<div class="bench">{html_amounts(tr("card.benchmark", band=bench)) if bench else "&nbsp;"}</div>',
            f'<div class="note">{html_amounts(note)}</div>' if note else "",
            "</div>",
        ]
        st.markdown("".join(parts), unsafe_allow_html=True)  # one line: a blank line would end the HTML block
        if row.status != "unavailable":  # no rows stand behind a KPI the data cannot give
            drilldown_link(row.kpi_id)


def change_text(card: Card) -> str | None:
    """The change since the previous period with its sign, in points for a rate; None without one."""
    change = card.change
    if change is None:
        return None
    kpi = session.catalogue().kpis[card.row.kpi_id]
    return metric_delta(change, kpi.unit, session.lang(), currency=session.currency(), grain=kpi.grain)


# How a number input steps and shows its value per unit: whole counts and amounts, rates to 0.1.
INPUT_FORMATS = {"count": ("%.0f", 1.0), "average": ("%.1f", 0.5), "percent": ("%.1f", 0.5), "yen": ("%.0f", 1000.0),
                 "points": ("%.1f", 1.0), "ratio": ("%.2f", 0.1)}  # average: a count per rep per day or month


def remembered_number(label: str, memory: dict, name: str, default: float | None, key: str,
                      disabled: bool = False, unit: str | None = None, label_has_unit: bool = False) -> float | None:
    """A number input whose value outlives its page (a callback copies it into `memory` before the
    next run, so values computed above the input already see it); its value now. With a `unit` the
    label names it (`粗利率（%）`, `… (USD)`) and the input steps by it; Streamlit cannot show thousands
    separators inside an input, so an amount's help repeats the value with them (`¥79,000,000`)."""

    def remember() -> None:
        memory[name] = session.widget(key)

    value = memory.get(name, default)
    shown: dict[str, Any] = {}
    if unit is not None:
        lang, currency = session.lang(), session.currency()
        label = label if label_has_unit else input_label(label, unit, lang, currency=currency)
        shown = dict(zip(("format", "step"), INPUT_FORMATS[unit], strict=True))
        if unit == "yen" and value is not None:
            shown["help"] = amounts(session.tr("number.input_help", value=format_number(value, unit, lang, currency=currency)))
    return st.number_input(label, value=value, min_value=0.0, key=key, on_change=remember,
                           placeholder=session.tr("dashboard.not_entered"), disabled=disabled, **shown)


def remembered_choice(widget: Callable[..., Any], label: str, memory: dict, name: str, labels: dict[str, str],
                      default: str | None = None, key_prefix: str = "choice", **extra: Any) -> str:
    """A selectbox or radio over the keys of `labels` whose choice outlives its page and the language
    switch, like `remembered_number`. Streamlit keeps a choice as its option text, so the widget's
    key carries the language."""
    key, options = f"{key_prefix}_{name}_{session.lang()}", list(labels)
    chosen = memory.get(name, default)

    def remember() -> None:
        memory[name] = session.widget(key)

    return widget(label, options, index=options.index(chosen) if chosen in labels else 0, format_func=labels.get,
                  key=key, on_change=remember, **extra)


def number_table(frame: pd.DataFrame, height: int | str = "auto") -> None:
    """A table whose whole-number columns show thousands separators (`1,234`) yet still sort as numbers."""
    counts = frame.select_dtypes("integer").columns
    st.dataframe(frame, hide_index=True, width="stretch", height=height,
                 column_config={c: st.column_config.NumberColumn(format="localized") for c in counts})


def analysis_page(title: str) -> tuple[KpiResults, Diagnosis]:
    """The title, the no-data guard and the filter bar every analysis page starts with."""
    tr = session.tr
    st.title(title)
    diagnosis, bounds = session.diagnosis(), session.bounds()
    if diagnosis is None or bounds is None:
        st.info(tr("dashboard.no_data"))
        st.page_link("views/data.py", label=tr("nav.data"), icon=":material/upload_file:")
        st.stop()
    filter_bar(bounds)
    results = session.kpi_results()
    if results is None:
        st.warning(tr("dashboard.empty_selection"))
        st.stop()
    return results, diagnosis


QUICK_PERIODS = {"all": None, "last_4_weeks": 28, "last_13_weeks": 91}  # days ending on the data's last day


def filter_bar(bounds: tuple[date, date]) -> None:
    """Period and reps, shared by every analysis page through the session's filters; the quick
    periods end on the data's last day, so a weekly look is one click."""
    tr, current = session.tr, session.filters()
    with st.container(border=True):
        left, middle, right = st.columns([2, 2, 3])
        chosen = left.date_input(tr("filter.period"), value=(current.start or bounds[0], current.end or bounds[1]),
                                 min_value=bounds[0], max_value=bounds[1], format="YYYY/MM/DD")
        middle.pills(tr("filter.quick"), list(QUICK_PERIODS), format_func=lambda name: tr(f"filter.quick.{name}"),
                     key="quick_period", on_change=quick_period, args=(bounds,))
        reps = right.multiselect(tr("filter.reps"), options=session.reps(), default=list(current.reps),
                                 placeholder=tr("filter.all_reps"), format_func=session.label)
    start, end = (chosen[0], chosen[-1]) if len(chosen) else bounds
    session.set_filters(Filters(start, end, tuple(reps)))


def quick_period(bounds: tuple[date, date]) -> None:
    """Pill callback: the chosen span into the filters; the pill lets go, so it acts as a button."""
    days = QUICK_PERIODS.get(str(session.widget("quick_period")))
    if session.widget("quick_period") is not None:
        start = bounds[0] if days is None else max(bounds[0], bounds[1] - timedelta(days=days - 1))
        session.set_filters(Filters(start, bounds[1], session.filters().reps))
    session.set_widget("quick_period", None)


def drilldown_link(kpi_id: str, label: str | None = None) -> None:
    """A "明細を見る" link to the rows behind `kpi_id` (a rate links to its numerator's rows);
    nothing for a KPI without rows of its own (scores, derived values)."""
    target = drill_target(session.catalogue(), kpi_id)
    if target is not None:
        st.page_link("views/drilldown.py", label=label or session.tr("drill.link"), icon=":material/table_rows:",
                     query_params={"kpi": target})


def phase_cards(phase_id: str, results: KpiResults) -> list[Card]:
    """The phase's scorecard as cards: each with its change since the previous period of equal
    length (when the data holds all of it) and its last weeks."""
    rows = scorecard(session.catalogue(), phase_id, results, session.targets().get(phase_id))
    first_days = {table: span[0] for table, span in session.table_spans().items()}
    before = previous_filters(session.filters(), results.period.start, results.period.end)
    inside = first_days and before.start >= min(first_days.values())  # else no table could compare: no query
    previous = session.kpi_results(before) if inside else None
    return build_cards(session.catalogue(), rows, previous, session.kpi_results_by("week"), first_days)


def computable_cards(results: KpiResults, excluding: str) -> list[Card]:
    """The other phases' KPIs this data can give, each once (the first phase's target), in phase order."""
    offered: dict[str, Card] = {}
    for phase in session.catalogue().phases:
        if phase.id != excluding:
            for card in phase_cards(phase.id, results):
                if card.row.status != "unavailable":
                    offered.setdefault(card.row.kpi_id, card)
    return list(offered.values())


def card_grid(cards: list[Card], per_row: int = 4) -> None:
    """Cards in rows of `per_row` equal columns (a short last row keeps the same widths)."""
    for start in range(0, len(cards), per_row):
        for column, card in zip(st.columns(per_row), cards[start:start + per_row], strict=False):
            with column:
                kpi_card(card)


def rate_gap(step: FunnelStep) -> float:
    """How many points the step's rate is below its band's floor (37.6 − 20.0 = 17.6pt)."""
    return (step.band_low or 0) - (step.step_rate or 0)


def bottleneck_box(bottleneck: Bottleneck | None, steps: list[FunnelStep], side_by_side: bool = True) -> None:
    """The verdict, then the stage and what to do about it: beside it, or below in a narrow column."""
    catalogue, lang, tr = session.catalogue(), session.lang(), session.tr
    if bottleneck is None:
        st.info(no_bottleneck_text(steps, lang))
        return
    step = bottleneck.step
    stage = catalogue.stages[step.stage]
    rate_label = catalogue.kpis[step.rate_kpi].label(lang)
    numbers = dict(kpi=rate_label, rate=format_number(step.step_rate, "percent", lang),
                   low=format_number(step.band_low, "percent", lang),
                   gap=format_number(rate_gap(step), "rate_gap", lang))
    verdict, remedy = st.columns(2) if side_by_side else (st.container(), st.container())
    if bottleneck.below_benchmark:
        verdict.error(f"**{tr('funnel.bottleneck_title', **numbers)}**\n\n{tr('funnel.bottleneck_body', **numbers)}")
    else:
        verdict.success(f"**{tr('funnel.none_below_title')}**\n\n{tr('funnel.weakest_body', **numbers)}")
    remedy.markdown(f"**{tr('funnel.stage')}:** {stage.label(lang)} — {stage.issue(lang)}")
    remedy.markdown(f"**{tr('funnel.countermeasures')}**")
    remedy.markdown("\n".join(f"- {c(lang)}" for c in stage.countermeasures))
