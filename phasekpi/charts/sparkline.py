"""A card's sparkline: the KPI per week at its grain beside its target as a dashed line, no axes.

One chart with two series rather than a layer: Streamlit draws nothing for a layered chart at a
height this small."""

from __future__ import annotations

import altair as alt
import pandas as pd

from phasekpi.cards import Card
from phasekpi.catalogue import Catalogue
from phasekpi.charts.style import FONT, NORMAL, TARGET
from phasekpi.display import DEFAULT_CURRENCY, kpi_value_text
from phasekpi.messages import t

HEIGHT = 54  # px, given to st.altair_chart: a glance, the tooltip gives the values
MIN_WEEKS = 2  # one point is not a line
SERIES = ("actual", "target")


def sparkline_frame(catalogue: Catalogue, card: Card, lang: str, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """Two rows per week, the actual and the target, each with its value in words for the tooltip."""
    kpi_id, target = card.row.kpi_id, card.row.target
    rows = [{"week": week, "series": series, "value": value, "week_text": f"{week:%Y/%m/%d}",
             "series_text": t(f"card.series.{series}", lang),
             "value_text": kpi_value_text(catalogue, kpi_id, value, lang, currency=currency)}
            for week, actual in card.weeks for series, value in zip(SERIES, (actual, target), strict=True)]
    return pd.DataFrame(rows).assign(week=lambda f: pd.to_datetime(f["week"]))


def sparkline_chart(catalogue: Catalogue, card: Card, lang: str, currency: str = DEFAULT_CURRENCY) -> alt.Chart | None:
    """The weekly line and the target line on a scale spanning both; None with fewer than two weeks."""
    if len(card.weeks) < MIN_WEEKS:
        return None
    frame = sparkline_frame(catalogue, card, lang, currency)
    low, high = frame["value"].min(), frame["value"].max()
    margin = (high - low) * 0.15 or abs(high) * 0.1 or 1
    scale = alt.Scale(domain=[low - margin, high + margin], nice=False, zero=False)
    return alt.Chart(frame).mark_line(strokeWidth=2).encode(
        x=alt.X("week:T", axis=None),
        y=alt.Y("value:Q", axis=None, scale=scale),
        color=alt.Color("series:N", scale=alt.Scale(domain=list(SERIES), range=[NORMAL, TARGET]), legend=None),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=list(SERIES), range=[[1, 0], [4, 3]]), legend=None),
        tooltip=[alt.Tooltip("week_text:N", title=t("card.week", lang)),
                 alt.Tooltip("series_text:N", title=t("card.series", lang)),
                 alt.Tooltip("value_text:N", title=t("card.value", lang))],
    ).configure(font=FONT).configure_view(stroke=None)
