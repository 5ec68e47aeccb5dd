"""Charts and tables of the planning pages: the KGI plan, the KPI tree (required vs actual at every
node, from the KGI down to calls per rep per day) and the strategic amounts by month."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from phasekpi.catalogue import Catalogue
from phasekpi.charts.style import BOTTLENECK, FONT, GOOD, NORMAL, TARGET
from phasekpi.display import DEFAULT_CURRENCY, axis_labels, currency_word, format_delta, format_number
from phasekpi.messages import t
from phasekpi.metrics import KpiResults
from phasekpi.planner import Missing, Plan, TreeNode

ACHIEVEMENT_CAP = 200.0  # bars stop here so that one runaway node does not squash the rest


def with_grain(text: str, grain: str, lang: str) -> str:
    """`33.3件/人/日`, `33.3 per rep per day`; a dash stays a dash."""
    suffix = t(f"grain.{grain}", lang)
    if text == "—" or not suffix:
        return text
    return f"{text}{suffix}" if lang == "ja" else f"{text} {suffix}"


def missing_text(missing: Missing | None, lang: str) -> str:
    if missing is None:
        return ""
    step = t(f"planner.node.{missing.step}", lang) if missing.step else ""
    return t(f"planner.missing.{missing.reason}", lang, rate=step, factor=step)


def plan_frame(plan: Plan, lang: str, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """The plan as a table: each metric per month and per rep per day, and why a value is missing."""
    rows = []
    for line in plan.lines:
        unit = line.unit
        rows.append({
            t("planner.col.metric", lang): t(f"planner.node.{line.metric}", lang),
            t("planner.col.per_month", lang): format_number(line.per_month, unit, lang, currency=currency,
                                                            grain="per_month"),
            t("planner.col.per_rep_per_day", lang): format_number(line.per_rep_per_day, unit, lang, currency=currency,
                                                                  grain="per_rep_per_day"),
            t("planner.col.note", lang): missing_text(line.missing, lang),
        })
    return pd.DataFrame(rows)


def tree_frame(nodes: list[TreeNode], lang: str, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """One row per node in tree order, with the indented label and the texts the chart shows."""
    rows = []
    for node in nodes:
        name = t(f"planner.node.{node.node_id}", lang)
        branch = "" if node.depth == 0 else "└ " if node.kind == "volume" else "├ "
        shown = {"currency": currency, "grain": node.grain}
        required = with_grain(format_number(node.required, node.unit, lang, **shown), node.grain, lang)
        actual = with_grain(format_number(node.actual, node.unit, lang, **shown), node.grain, lang)
        reached = node.achievement
        rows.append({
            "node_id": node.node_id,
            "depth": node.depth,
            "name": name,
            "label": "　" * node.depth + name,  # indented by full-width spaces: the table's tree
            "branch": branch + name,  # placed at x = depth: the chart's tree
            "required_text": required,
            "actual_text": actual,
            "values_text": t("planner.chart.value_pair", lang, actual=actual, required=required),
            "gap_text": _gap_text(node, lang, currency),
            "bar": None if reached is None else min(reached, ACHIEVEMENT_CAP),
            "achievement_text": format_number(reached, "percent", lang),
            "meets": reached is not None and reached >= 100,
            "source_text": "" if node.source is None else t(f"planner.source.{node.source}", lang),
        })
    return pd.DataFrame(rows)


def _gap_text(node: TreeNode, lang: str, currency: str) -> str:
    """Signed: `+45.8件/人/日`, `−¥1,000,000`; rates in percentage points."""
    return with_grain(format_delta(node.gap, node.unit, lang, currency=currency, grain=node.grain), node.grain, lang)


def tree_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The tree's numbers as a table beside the chart."""
    columns = {"label": "node", "required_text": "required", "actual_text": "actual", "gap_text": "gap",
               "achievement_text": "achievement", "source_text": "source"}
    return frame[list(columns)].rename(columns={k: t(f"planner.col.{v}", lang) for k, v in columns.items()})


def tree_chart(frame: pd.DataFrame, lang: str) -> alt.HConcatChart:
    """Three aligned columns: the tree (indented by depth), actual ÷ required as a bar against the
    100 % line, and the actual / required values."""
    order = list(frame["label"])
    y = alt.Y("label:N", sort=order, axis=None)
    tooltip = [
        alt.Tooltip("name:N", title=t("planner.col.node", lang)),
        alt.Tooltip("required_text:N", title=t("planner.col.required", lang)),
        alt.Tooltip("actual_text:N", title=t("planner.col.actual", lang)),
        alt.Tooltip("gap_text:N", title=t("planner.col.gap", lang)),
        alt.Tooltip("achievement_text:N", title=t("planner.col.achievement", lang)),
        alt.Tooltip("source_text:N", title=t("planner.col.source", lang)),
    ]
    step = alt.Step(30)
    names = alt.Chart(frame).mark_text(align="left", fontSize=12).encode(
        y=y, x=alt.X("depth:Q", axis=None, scale=alt.Scale(domain=[0, 12])), text="branch:N", tooltip=tooltip,
    ).properties(width=300, height=step, title=t("planner.chart.title", lang))
    scale = alt.Scale(domain=[0, ACHIEVEMENT_CAP], clamp=True)
    bars = alt.Chart(frame).transform_filter("datum.bar != null").mark_bar(height=14, cornerRadiusEnd=2).encode(
        y=y, x=alt.X("bar:Q", title=t("planner.chart.axis", lang), scale=scale),
        color=alt.Color("meets:N", scale=alt.Scale(domain=[True, False], range=[GOOD, BOTTLENECK]), legend=None),
        tooltip=tooltip,
    )
    target = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(color=TARGET, strokeDash=[4, 3]).encode(x="x:Q")
    values = alt.Chart(frame).mark_text(align="left", fontSize=12).encode(
        y=y, x=alt.value(0), text="values_text:N", tooltip=tooltip,
    ).properties(width=260, height=step, title=t("planner.chart.values", lang))
    return alt.hconcat(names, (target + bars).properties(width=260, height=step), values, spacing=8).resolve_scale(
        y="shared").configure(font=FONT).configure_view(stroke=None)


def amount_frame(by_month: Mapping[str, KpiResults], catalogue: Catalogue, lang: str,
                 currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """Won amount and pipeline created per month: one row per month and KPI (period totals of the month)."""
    rows = [
        {"month": key[:7], "series": catalogue.kpis[kpi_id].label(lang), "amount": results.total(kpi_id),
         "amount_text": format_number(results.total(kpi_id), "yen", lang, currency=currency)}
        for key, results in by_month.items() for kpi_id in catalogue.strategy.amounts
    ]
    return pd.DataFrame(rows, columns=["month", "series", "amount", "amount_text"])


def amount_chart(frame: pd.DataFrame, catalogue: Catalogue, lang: str, currency: str = DEFAULT_CURRENCY) -> alt.Chart:
    """Grouped monthly bars: won amount (green) beside pipeline created (blue), the axis in compact
    amounts (`3,000万円`, `¥30M`)."""
    title = t("strategy.chart.amount", lang, currency=currency_word(currency, lang))
    series = [catalogue.kpis[kpi_id].label(lang) for kpi_id in catalogue.strategy.amounts]
    tooltip = [
        alt.Tooltip("month:N", title=t("strategy.chart.month", lang)),
        alt.Tooltip("series:N", title=t("strategy.chart.series", lang)),
        alt.Tooltip("amount_text:N", title=title),
    ]
    return alt.Chart(frame).mark_bar(cornerRadiusEnd=2).encode(
        x=alt.X("month:N", title=t("strategy.chart.month", lang), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("series:N", sort=series),
        y=alt.Y("amount:Q", title=title, axis=alt.Axis(**axis_labels("yen", lang, currency=currency))),
        color=alt.Color("series:N", sort=series, scale=alt.Scale(domain=series, range=[GOOD, NORMAL]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=tooltip,
    ).properties(title=t("strategy.chart_title", lang), height=280).configure(font=FONT).configure_view(stroke=None)
