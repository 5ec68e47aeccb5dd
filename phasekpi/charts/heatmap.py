"""The calling-slot heatmap: weekday × hour, coloured by connect or appointment rate.

The colour runs from near-white to dark blue, so the order survives greyscale print; a slot with
too few calls to judge is grey and keeps its number. At most 7 × 24 rows.
"""

from __future__ import annotations

from dataclasses import fields

import altair as alt
import pandas as pd

from phasekpi.charts.style import BAND, FONT, NORMAL, TARGET
from phasekpi.display import format_number
from phasekpi.heatmap import WEEKDAYS, SlotCell, SlotMetric, best_slots
from phasekpi.messages import t

SLOT_COUNTS = tuple(f.name for f in fields(SlotCell) if f.name not in ("weekday", "hour"))  # the counts of a slot

LIGHT = "#eef3fa"  # the low end of the colour scale: almost white, still a cell


def slot_frame(cells: list[SlotCell], metric: SlotMetric, min_calls: int, lang: str) -> pd.DataFrame:
    """One row per slot with calls: its labels, counts and both rates, whether it is judged (a slot
    under `min_calls` is not: its rate is written in brackets on grey) and whether it is the best."""
    judged = [c.rate(metric) for c in cells if c.calls >= min_calls]
    best = best_slots(cells, metric, min_calls, count=1)
    middle = (min(judged) + max(judged)) / 2 if judged else 0.0
    return pd.DataFrame([{
        "weekday": t(f"insights.weekday.{WEEKDAYS[c.weekday]}", lang),
        "hour": f"{c.hour}:00",
        "hour_order": c.hour,
        **{name: getattr(c, name) for name in SLOT_COUNTS},
        "rate": c.rate(metric),
        "rate_text": f"{c.rate(metric):.0f}%" if c.calls >= min_calls else f"({c.rate(metric):.0f}%)",
        "connects_per_call_text": format_number(c.connects_per_call, "percent", lang),
        "appointments_per_call_text": format_number(c.appointments_per_call, "percent", lang),
        "judged": c.calls >= min_calls,
        "dark": c.calls >= min_calls and c.rate(metric) > middle,
        "best": c in best,
    } for c in cells], columns=["weekday", "hour", "hour_order", *SLOT_COUNTS, "rate", "rate_text",
                                "connects_per_call_text", "appointments_per_call_text", "judged", "dark", "best"])


def slot_chart(frame: pd.DataFrame, metric: SlotMetric, lang: str) -> alt.LayerChart:
    """Rect per slot with its rate written in it, the best slot framed in black; the tooltip carries
    every number of the slot."""
    weekdays = [t(f"insights.weekday.{w}", lang) for w in WEEKDAYS]
    hours = list(frame.sort_values("hour_order")["hour"].drop_duplicates())
    x = alt.X("hour:O", sort=hours, title=t("insights.slots.hour", lang), axis=alt.Axis(labelAngle=0))
    y = alt.Y("weekday:O", sort=weekdays, title=None)
    tooltip = [
        alt.Tooltip("weekday:N", title=t("insights.slots.weekday", lang)),
        alt.Tooltip("hour:N", title=t("insights.slots.hour", lang)),
        alt.Tooltip("calls:Q", title=t("insights.slots.calls", lang), format=","),
        alt.Tooltip("connects:Q", title=t("insights.slots.connects", lang), format=","),
        alt.Tooltip("connects_per_call_text:N", title=t("insights.slots.metric.connects_per_call", lang)),
        alt.Tooltip("appointments:Q", title=t("insights.slots.appointments", lang), format=","),
        alt.Tooltip("appointments_per_call_text:N", title=t("insights.slots.metric.appointments_per_call", lang)),
    ]
    colour = alt.condition("datum.judged", alt.Color(
        "rate:Q", title=t(f"insights.slots.metric.{metric}", lang), scale=alt.Scale(range=[LIGHT, NORMAL], zero=False),
        legend=alt.Legend(orient="right", format=".0f")), alt.value(BAND))
    base = alt.Chart(frame).encode(x=x, y=y, tooltip=tooltip)
    cells = base.mark_rect().encode(
        color=colour, stroke=alt.condition("datum.best", alt.value(TARGET), alt.value("white")),
        strokeWidth=alt.condition("datum.best", alt.value(3), alt.value(1)))
    labels = base.mark_text(fontSize=11).encode(
        text="rate_text:N", color=alt.condition("datum.dark", alt.value("white"), alt.value("#222222")))
    return (cells + labels).properties(title=t(f"insights.slots.title.{metric}", lang), height=alt.Step(30)).configure(
        font=FONT).configure_view(stroke=None)
