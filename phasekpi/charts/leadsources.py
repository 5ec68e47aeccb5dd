"""Lead sources: opportunity rate per source against the rate over all sources, and the table."""

from __future__ import annotations

import altair as alt
import pandas as pd

from phasekpi.charts.style import BOTTLENECK, FONT, NORMAL, TARGET
from phasekpi.display import DEFAULT_CURRENCY, format_number
from phasekpi.leadsources import SourceRow
from phasekpi.messages import t


def source_name(row: SourceRow, lang: str) -> str:
    return row.source if row.source is not None else t("insights.sources.unknown", lang)


def overall_opportunity_rate(rows: list[SourceRow]) -> float | None:
    """Opportunities per lead over every source, in percent (the chart's reference line)."""
    leads = sum(r.leads for r in rows)
    return sum(r.opportunities for r in rows) / leads * 100 if leads else None


def source_frame(rows: list[SourceRow], lang: str, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """One row per source that has leads, with the numbers the chart shows and its tooltip carries."""
    overall = overall_opportunity_rate(rows)
    return pd.DataFrame([{
        "source": source_name(r, lang),
        "leads": r.leads,
        "opportunities": r.opportunities,
        "rate": r.opportunity_rate,
        "rate_text": format_number(r.opportunity_rate, "percent", lang),
        "sql_rate_text": format_number(r.sql_rate, "percent", lang),
        "won_amount_text": format_number(float(r.won_amount), "yen", lang, currency=currency),
        "overall": overall,
        "below": overall is not None and r.opportunity_rate is not None and r.opportunity_rate < overall,
    } for r in rows], columns=["source", "leads", "opportunities", "rate", "rate_text", "sql_rate_text",
                               "won_amount_text", "overall", "below"])


def source_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Horizontal bars, highest rate first; a dashed line at the rate over all sources."""
    order = list(frame.sort_values(["rate", "leads"], ascending=False)["source"])
    y = alt.Y("source:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    tooltip = [
        alt.Tooltip("source:N", title=t("insights.sources.source", lang)),
        alt.Tooltip("leads:Q", title=t("insights.sources.leads", lang), format=","),
        alt.Tooltip("opportunities:Q", title=t("insights.sources.opportunities", lang), format=","),
        alt.Tooltip("rate_text:N", title=t("insights.sources.opportunity_rate", lang)),
        alt.Tooltip("sql_rate_text:N", title=t("insights.sources.sql_rate", lang)),
        alt.Tooltip("won_amount_text:N", title=t("insights.sources.won_amount", lang)),
    ]
    bars = alt.Chart(frame).mark_bar(cornerRadiusEnd=3, height=20).encode(
        y=y, x=alt.X("rate:Q", title=t("insights.sources.rate_axis", lang)), tooltip=tooltip,
        color=alt.Color("below:N", scale=alt.Scale(domain=[False, True], range=[NORMAL, BOTTLENECK]), legend=None))
    labels = alt.Chart(frame).mark_text(align="left", dx=4, fontSize=12).encode(y=y, x="rate:Q", text="rate_text:N")
    overall = alt.Chart(frame).mark_rule(color=TARGET, strokeDash=[5, 3], size=2).encode(
        x="mean(overall):Q", tooltip=alt.Tooltip("mean(overall):Q", title=t("insights.sources.overall", lang),
                                                  format=".1f"))
    return (bars + labels + overall).properties(title=t("insights.sources.chart_title", lang),
                                                height=alt.Step(34)).configure(font=FONT).configure_view(stroke=None)


def source_table(rows: list[SourceRow], lang: str, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """Every number per source under its name in the reader's language."""
    def col(key: str) -> str:
        return t(f"insights.sources.{key}", lang)

    return pd.DataFrame([{
        col("source"): source_name(r, lang),
        col("leads"): r.leads,
        col("mqls"): r.mqls,
        col("sqls"): r.sqls,
        col("opportunities"): r.opportunities,
        col("won"): r.won,
        col("opportunity_rate"): format_number(r.opportunity_rate, "percent", lang),
        col("sql_rate"): format_number(r.sql_rate, "percent", lang),
        col("mql_to_sql_rate"): format_number(r.mql_to_sql_rate, "percent", lang),
        col("won_amount"): format_number(float(r.won_amount), "yen", lang, currency=currency),
    } for r in rows])
