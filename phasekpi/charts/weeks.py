"""Weeks with data: activities per week from the first to the last, weeks without any in red."""

from __future__ import annotations

import altair as alt
import pandas as pd

from phasekpi.charts.style import BOTTLENECK, FONT, NORMAL
from phasekpi.messages import t
from phasekpi.weeks import WeekCoverage


def week_frame(coverage: WeekCoverage, lang: str) -> pd.DataFrame:
    return pd.DataFrame([{
        "week": monday.isoformat(),
        "label": t("data.weeks.week_of", lang, day=f"{monday.month}/{monday.day}"),
        "activities": count,
        "gap": count == 0,
    } for monday, count in coverage.weeks], columns=["week", "label", "activities", "gap"])


def week_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """A bar per week; a week without data gets a red mark at the axis so it cannot be missed."""
    x = alt.X("label:N", sort=list(frame["label"]), title=None, axis=alt.Axis(labelAngle=-45))
    tooltip = [alt.Tooltip("label:N", title=t("data.weeks.week", lang)),
               alt.Tooltip("activities:Q", title=t("data.weeks.activities", lang), format=",")]
    bars = alt.Chart(frame).mark_bar(color=NORMAL, cornerRadiusEnd=2).encode(
        x=x, y=alt.Y("activities:Q", title=t("data.weeks.activities", lang)), tooltip=tooltip)
    gaps = alt.Chart(frame[frame["gap"]]).mark_text(text="✕", color=BOTTLENECK, fontSize=16, dy=-8).encode(
        x=x, y=alt.datum(0), tooltip=tooltip)
    return (bars + gaps).properties(height=180).configure_axis(labelFont=FONT, titleFont=FONT)
