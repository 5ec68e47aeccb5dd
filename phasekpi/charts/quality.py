"""Quality-score views: the distribution in 10-point bins and each rep's average, both against the
target line, and the tables of reps and of the weakest opportunities."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from phasekpi.charts.style import BOTTLENECK, FONT, GOOD, NORMAL, TARGET
from phasekpi.display import format_number
from phasekpi.drilldown import cell_text, column_label
from phasekpi.messages import t
from phasekpi.quality import BIN_WIDTH, QualityReport
from phasekpi.repnames import rep_label


def _points(value: float | None, lang: str) -> str:
    return format_number(value, "points", lang)


def rep_name(rep: str | None, lang: str, names: Mapping[str, str] | None = None) -> str:
    """The rep by the user list's name (phasekpi.repnames), a deal without a rep in words."""
    return rep_label(rep, names or {}) if rep is not None else t("insights.quality.no_rep", lang)


def bins_frame(report: QualityReport, lang: str) -> pd.DataFrame:
    """Ten rows, one per bin; a bin whose lower bound reaches the target counts as on target."""
    return pd.DataFrame([{
        "low": b.low, "high": b.low + BIN_WIDTH, "count": b.count,
        "bin": f"{b.low}–{b.high}", "at_target": b.low >= report.target,
        "average": report.average, "target": report.target,
        "average_text": _points(report.average, lang), "target_text": _points(report.target, lang),
    } for b in report.bins])


def bins_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Histogram of scores (green from the first band at or above the target); dashed black line = target,
    solid red line = team average."""
    x = alt.X("low:Q", bin="binned", title=t("insights.quality.score_axis", lang), scale=alt.Scale(domain=[0, 100]),
              axis=alt.Axis(values=list(range(0, 101, 10))))
    bars = alt.Chart(frame).mark_bar(stroke="white", strokeWidth=1).encode(
        x=x, x2="high:Q", y=alt.Y("count:Q", title=t("insights.quality.count_axis", lang)),
        color=alt.Color("at_target:N", scale=alt.Scale(domain=[False, True], range=[NORMAL, GOOD]), legend=None),
        tooltip=[alt.Tooltip("bin:N", title=t("insights.quality.bin", lang)),
                 alt.Tooltip("count:Q", title=t("insights.quality.opportunities", lang), format=",")])
    target = alt.Chart(frame).mark_rule(color=TARGET, strokeDash=[5, 3], size=2).encode(
        x="mean(target):Q", tooltip=alt.Tooltip("max(target_text):N", title=t("insights.quality.target", lang)))
    average = alt.Chart(frame).transform_filter("datum.average != null").mark_rule(color=BOTTLENECK, size=2).encode(
        x="mean(average):Q", tooltip=alt.Tooltip("max(average_text):N", title=t("insights.quality.average", lang)))
    return (bars + target + average).properties(title=t("insights.quality.bins_title", lang), height=260).configure(
        font=FONT).configure_view(stroke=None)


def reps_frame(report: QualityReport, lang: str, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    return pd.DataFrame([{
        "rep": rep_name(r.rep, lang, names), "average": r.average, "average_text": _points(r.average, lang),
        "scored": r.scored, "share_text": format_number(r.share_at_target, "percent", lang),
        "below": r.average < report.target, "target": report.target,
    } for r in report.reps])


def reps_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Each rep's average score by name (not a ranking), red when below the dashed target line."""
    y = alt.Y("rep:N", sort=None, title=None, axis=alt.Axis(labelLimit=200))
    tooltip = [alt.Tooltip("rep:N", title=t("insights.quality.rep", lang)),
               alt.Tooltip("average_text:N", title=t("insights.quality.average", lang)),
               alt.Tooltip("scored:Q", title=t("insights.quality.opportunities", lang), format=","),
               alt.Tooltip("share_text:N", title=t("insights.quality.share", lang))]
    bars = alt.Chart(frame).mark_bar(cornerRadiusEnd=3, height=18).encode(
        y=y, x=alt.X("average:Q", title=t("insights.quality.score_axis", lang), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("below:N", scale=alt.Scale(domain=[False, True], range=[NORMAL, BOTTLENECK]), legend=None),
        tooltip=tooltip)
    labels = alt.Chart(frame).mark_text(align="left", dx=4, fontSize=12).encode(y=y, x="average:Q", text="average_text:N")
    target = alt.Chart(frame).mark_rule(color=TARGET, strokeDash=[5, 3], size=2).encode(x="mean(target):Q")
    return (bars + labels + target).properties(title=t("insights.quality.reps_title", lang), height=alt.Step(28)).configure(
        font=FONT).configure_view(stroke=None)


def reps_table(report: QualityReport, lang: str, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    def col(key: str) -> str:
        return t(f"insights.quality.{key}", lang)

    return pd.DataFrame([{
        col("rep"): rep_name(r.rep, lang, names), col("opportunities"): r.scored, col("average"): _points(r.average, lang),
        col("share"): format_number(r.share_at_target, "percent", lang),
    } for r in report.reps])


def lowest_table(report: QualityReport, lang: str, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The weakest opportunities with the points of each part; a dash for a part not filled in."""
    def part(points: int | None) -> str:
        return "—" if points is None else str(points)

    return pd.DataFrame([{
        column_label("opportunity_id", lang): cell_text(o.opportunity_id, lang),
        column_label("created_at", lang): cell_text(o.created_at, lang),
        column_label("rep", lang): rep_name(o.rep, lang, names),
        t("insights.quality.bant", lang): part(o.bant_points) if o.bant_points is None
        else t("insights.quality.bant_cell", lang, points=o.bant_points, confirmed=o.bant_confirmed),
        t("insights.quality.need", lang): part(o.need_points),
        t("insights.quality.decision", lang): part(o.decision_points),
        t("insights.quality.next_action", lang): part(o.next_action_points),
        t("insights.quality.score", lang): _points(o.score, lang)
        + (t("insights.quality.given_mark", lang) if o.given else ""),
    } for o in report.lowest])
