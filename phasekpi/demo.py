"""A deterministic, realistic demo team: `python -m phasekpi demo --out DIR --seed N`.

Twelve reps in two teams over about nine months: calls with hour-of-day effects, connects,
conversations whose duration decides whether they are effective (2 minutes or more),
appointments, emails with opens and replies, leads with sources and MQL/SQL status, and
opportunities with amounts, BANT items, wins and losses. Reps differ in skill and two join
late. One bottleneck is built in on purpose: the appointment rate (appointments ÷ effective
conversations) sits near 9 %, below its 15–25 % benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

START = date(2026, 2, 2)
END = date(2026, 10, 30)
TEAMS = ("SDRチーム", "BDRチーム")
REPS = (  # name, team, first working day offset (days), skill (0..1)
    ("佐藤 健", 0, 0, 0.85), ("鈴木 美咲", 0, 0, 0.70), ("高橋 翔", 0, 0, 0.55), ("田中 愛", 0, 0, 0.65),
    ("伊藤 大輔", 0, 0, 0.45), ("渡辺 結衣", 0, 90, 0.35), ("山本 拓也", 1, 0, 0.80), ("中村 彩", 1, 0, 0.60),
    ("小林 蓮", 1, 0, 0.50), ("加藤 陽菜", 1, 0, 0.75), ("吉田 悠斗", 1, 150, 0.30), ("山田 さくら", 1, 0, 0.58),
)
FIELD_SALES = ("松本 誠", "井上 真由", "木村 隆", "林 香織")
SOURCES = (("Web問い合わせ", 0.25), ("資料ダウンロード", 0.25), ("ウェビナー", 0.15), ("展示会", 0.15), ("アウトバウンド", 0.20))
HOUR_WEIGHTS = {9: 0.6, 10: 1.2, 11: 1.2, 12: 0.4, 13: 0.9, 14: 1.1, 15: 1.2, 16: 1.1, 17: 0.9, 18: 0.5}
HOUR_CONNECT = {9: 0.85, 10: 1.15, 11: 1.05, 12: 0.55, 13: 0.8, 14: 1.0, 15: 1.05, 16: 1.25, 17: 1.0, 18: 0.7}
TOUCHES_PER_LEAD = 14
NO_ANSWER_WORDS = ("不在", "受付ブロック", "留守電")


@dataclass
class DemoData:
    activities: pd.DataFrame
    leads: pd.DataFrame
    opportunities: pd.DataFrame

    def write(self, out: Path) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in ("activities", "leads", "opportunities"):
            path = out / f"{name}.csv.gz"
            getattr(self, name).to_csv(path, index=False, compression={"method": "gzip", "mtime": 0})
            paths.append(path)
        return paths


def workdays(start: date, end: date) -> list[date]:
    return [start + timedelta(d) for d in range((end - start).days + 1) if (start + timedelta(d)).weekday() < 5]


def generate(seed: int = 7) -> DemoData:
    rng = np.random.default_rng(seed)
    days = workdays(START, END)
    hours = np.array(list(HOUR_WEIGHTS))
    hour_p = np.array(list(HOUR_WEIGHTS.values())) / sum(HOUR_WEIGHTS.values())
    connect_factor = np.array([HOUR_CONNECT[h] for h in hours])
    activity_frames, lead_rows, opportunity_rows = [], [], []
    for rep_index, (rep, team_index, joined, skill) in enumerate(REPS):
        touches = 0
        lead_prefix = f"L{rep_index + 1:02d}"
        for day in days:
            tenure_days = (day - START).days - joined
            if tenure_days < 0 or rng.random() < 0.04:  # not yet hired, or a day off
                continue
            ramp = min(1.0, 0.6 + tenure_days / 150)
            n_calls = max(0, int(rng.normal(62 + 30 * skill * ramp, 8)))
            n_emails = max(0, int(rng.normal(30 + 10 * skill, 5)))
            calls = _calls(rng, day, n_calls, hours, hour_p, connect_factor, skill, ramp)
            emails = _emails(rng, day, n_emails, skill)
            frame = pd.concat([calls, emails]).sort_values("occurred_at", kind="stable")
            frame["lead_id"] = [f"{lead_prefix}-{(touches + i) // TOUCHES_PER_LEAD + 1:05d}" for i in range(len(frame))]
            touches += len(frame)
            frame["rep"], frame["team"] = rep, TEAMS[team_index]
            activity_frames.append(frame)
    activities = pd.concat(activity_frames, ignore_index=True)
    activities.insert(0, "activity_id", [f"A{i + 1:07d}" for i in range(len(activities))])
    appointments = activities[activities["outcome"] == "アポ獲得"]
    skill_of = {r[0]: r[3] for r in REPS}
    for row in appointments.itertuples():
        if rng.random() < 0.78:
            opportunity_rows.append(_opportunity(rng, len(opportunity_rows) + 1, row, skill_of[row.rep]))
    opportunities = pd.DataFrame(opportunity_rows)
    lead_rows = _leads(rng, activities, opportunities)
    activities["occurred_at"] = activities["occurred_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    columns = ["activity_id", "occurred_at", "rep", "team", "channel", "lead_id", "outcome",
               "duration_sec", "email_opened", "email_replied"]
    return DemoData(activities[columns], lead_rows, opportunities)


def _calls(rng: np.random.Generator, day: date, n: int, hours: np.ndarray, hour_p: np.ndarray,
           connect_factor: np.ndarray, skill: float, ramp: float) -> pd.DataFrame:
    hour_index = rng.choice(len(hours), size=n, p=hour_p)
    connected = rng.random(n) < (0.19 + 0.08 * skill) * connect_factor[hour_index]
    effective = connected & (rng.random(n) < 0.48 + 0.2 * skill * ramp)
    appointment = effective & (rng.random(n) < 0.05 + 0.07 * skill * ramp)
    duration = np.where(connected, rng.integers(15, 110, n), rng.integers(0, 40, n))
    duration = np.where(effective, rng.integers(120, 600, n), duration)
    duration = np.where(appointment, rng.integers(300, 900, n), duration)
    outcome = np.where(connected, np.where(rng.random(n) < 0.5, "接続", "断り"),
                       rng.choice(NO_ANSWER_WORDS, size=n, p=[0.6, 0.25, 0.15]))
    outcome = np.where(effective, "通話", outcome)  # effective by the 2-minute rule, not by its word
    outcome = np.where(appointment, "アポ獲得", outcome)
    return pd.DataFrame({
        "occurred_at": _times(rng, day, hours[hour_index]),
        "channel": "call", "outcome": outcome, "duration_sec": duration,
        "email_opened": pd.NA, "email_replied": pd.NA,
    })


def _emails(rng: np.random.Generator, day: date, n: int, skill: float) -> pd.DataFrame:
    opened = rng.random(n) < 0.25 + 0.15 * skill
    replied = opened & (rng.random(n) < 0.10 + 0.08 * skill)
    return pd.DataFrame({
        "occurred_at": _times(rng, day, rng.integers(9, 19, n)),
        "channel": "email", "outcome": pd.NA, "duration_sec": pd.NA,
        "email_opened": opened, "email_replied": replied,
    })


def _times(rng: np.random.Generator, day: date, hour: np.ndarray) -> pd.Series:
    base = pd.Timestamp(datetime(day.year, day.month, day.day))
    seconds = hour * 3600 + rng.integers(0, 3600, len(hour))
    return base + pd.to_timedelta(seconds, unit="s")


def _opportunity(rng: np.random.Generator, number: int, appointment: object, skill: float) -> dict:
    created = min(appointment.occurred_at + pd.Timedelta(days=int(rng.integers(1, 8))), pd.Timestamp(END))
    bant = rng.random(4) < 0.45 + 0.45 * skill
    need = rng.choice(["concrete", "outline", "unclear"], p=_tilt(skill))
    decision = rng.choice(["detailed", "outline", "unknown"], p=_tilt(skill))
    next_action = rng.choice(["date_fixed", "period_only", "undecided"], p=_tilt(skill))
    amount = round(float(rng.lognormal(np.log(1_200_000), 0.5)), -3)
    closes = created + pd.Timedelta(days=int(rng.integers(20, 100)))
    win_p = 0.12 + 0.3 * bant.mean() + 0.1 * (need == "concrete")
    if closes.date() > END:
        status, closed_at, stage = "open", None, rng.choice(["提案", "見積提示", "交渉"])
    else:
        won = rng.random() < win_p
        status, closed_at, stage = ("won", closes, "受注") if won else ("lost", closes, "失注")
    return {
        "opportunity_id": f"OPP-{number:05d}", "created_at": created.strftime("%Y-%m-%d"),
        "rep": appointment.rep, "owner": rng.choice(FIELD_SALES), "stage": stage, "amount": amount,
        "status": status, "closed_at": closed_at.strftime("%Y-%m-%d") if closed_at is not None else None,
        "lead_id": appointment.lead_id, "is_sourced": True,
        "bant_budget": bool(bant[0]), "bant_authority": bool(bant[1]), "bant_need": bool(bant[2]),
        "bant_timeline": bool(bant[3]), "need_level": need, "decision_process": decision, "next_action": next_action,
    }


def _tilt(skill: float) -> list[float]:
    """Probabilities of best / middle / worst answer for a rep of this skill."""
    best = 0.2 + 0.5 * skill
    worst = max(0.05, 0.35 - 0.3 * skill)
    return [best, 1 - best - worst, worst]


def _leads(rng: np.random.Generator, activities: pd.DataFrame, opportunities: pd.DataFrame) -> pd.DataFrame:
    first = activities.groupby("lead_id").agg(first_touch=("occurred_at", "min"), rep=("rep", "first")).reset_index()
    converted = dict(zip(opportunities["lead_id"], opportunities["opportunity_id"], strict=False))
    names, weights = zip(*SOURCES, strict=True)
    source = rng.choice(names, size=len(first), p=weights)
    created = (first["first_touch"] - pd.to_timedelta(rng.integers(0, 4, len(first)), unit="D")).clip(
        lower=pd.Timestamp(START))
    opportunity_id = first["lead_id"].map(converted)
    inbound = np.isin(source, ["Web問い合わせ", "資料ダウンロード", "ウェビナー"])
    roll = rng.random(len(first))
    status = np.where(inbound & (roll < 0.45), "MQL", np.where(roll < 0.8, "Working", "Disqualified"))
    status = np.where(roll > 0.985, "SQL", status)  # qualified, not yet turned into an opportunity
    status = np.where(opportunity_id.notna(), "SQL", status)
    return pd.DataFrame({
        "lead_id": first["lead_id"], "created_at": created.dt.strftime("%Y-%m-%d"), "rep": first["rep"],
        "source": source, "status": status, "opportunity_id": opportunity_id,
    })
