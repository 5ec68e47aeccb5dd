"""The shapes CRMs really export, as whole processes: `python -m bench.real_shapes [SIZE] [ROUNDS]`.

A Salesforce-Japan activity report built from bench.scale's activities (SIZE rows, default 1m):
CRLF line ends, quoted Japanese headers 任命先 / 件名 / 種別 / 期日 (date only) / 作成日 (date and
time) / 通話時間 (秒) / 通話結果 / 会社名 / 状況, no id column; once in UTF-8 and once in CP932.
Each round runs, one after the other as separate processes: DuckDB's raw `CREATE TABLE AS
SELECT * FROM read_csv` (the floor), the CLI's `kpis --json` on the UTF-8 and the CP932 file, and
a ten-line pandas script computing the same action KPIs (calls, connects, effective conversations
and appointments per rep-day), cold. Wall seconds and peak RSS (`/usr/bin/time`) per command, the
median over ROUNDS, and each as a ratio to the raw read of the same round.
"""

from __future__ import annotations

import csv
import statistics
import subprocess
import sys
from pathlib import Path

import duckdb

from bench.scale import dataset, transcode

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["任命先", "件名", "種別", "期日", "作成日", "通話時間 (秒)", "通話結果", "会社名", "状況"]
RAW = "import duckdb, sys; duckdb.connect().execute(\"CREATE TABLE t AS SELECT * FROM read_csv(?)\", [sys.argv[1]])"
PANDAS = """
import sys, pandas as pd
calls = pd.read_csv(sys.argv[1], usecols=["任命先", "種別", "作成日", "通話時間 (秒)", "通話結果"])
calls["day"] = pd.to_datetime(calls["作成日"], format="%Y/%m/%d %H:%M").dt.date
rep_days = calls.groupby(["任命先", "day"]).ngroups
phone = calls[calls["種別"] == "電話"]
connected = phone["通話結果"].isin(["接続", "通話", "アポ獲得", "断り"])
effective = connected & (phone["通話時間 (秒)"] >= 120)
print({"calls": len(phone) / rep_days, "connects": connected.sum() / rep_days,
       "effective": effective.sum() / rep_days, "appointments": (phone["通話結果"] == "アポ獲得").sum() / rep_days})
"""


def write_report(size: str) -> tuple[Path, Path]:
    """The report in UTF-8 and CP932 next to the scale data (cached)."""
    data = dataset(size)
    utf8, cp932 = data.dir / "sf_report_utf8.csv", data.dir / "sf_report_cp932.csv"
    if not cp932.exists():
        rows = duckdb.connect().execute("""
            SELECT rep, CASE channel WHEN 'call' THEN '架電' ELSE 'メール送付' END,
                   CASE channel WHEN 'call' THEN '電話' ELSE 'メール' END,
                   strftime(CAST(occurred_at AS TIMESTAMP), '%Y/%m/%d'),
                   strftime(CAST(occurred_at AS TIMESTAMP), '%Y/%m/%d %-H:%M'),
                   coalesce(CAST(duration_sec AS VARCHAR), ''), coalesce(outcome, ''), '会社' || account_id, '完了'
            FROM read_csv(?)""", [str(data.path("activities"))]).fetchall()
        with utf8.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(HEADER)
            writer.writerows(rows)
        transcode(utf8, cp932)
    return utf8, cp932


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process, from GNU time."""
    run = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    seconds, kilobytes = run.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) / 1024


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    size, rounds = (args[0] if args else "1m"), (int(args[1]) if len(args) > 1 else 3)
    utf8, cp932 = write_report(size)
    python = sys.executable
    commands = {
        "DuckDB raw read (UTF-8)": [python, "-c", RAW, str(utf8)],
        "CLI kpis, UTF-8": [python, "-m", "phasekpi", "kpis", str(utf8), "--json"],
        "CLI kpis, CP932": [python, "-m", "phasekpi", "kpis", str(cp932), "--json"],
        "pandas script (cold)": [python, "-c", PANDAS, str(utf8)],
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():  # interleaved: every round sees the same machine
            results[name].append(timed(command))
    raw = statistics.median(s for s, _ in results["DuckDB raw read (UTF-8)"])
    print(f"{size} rows, {rounds} rounds, median wall seconds and peak RSS")
    print("| command | seconds | × raw read | peak MB |\n| --- | ---: | ---: | ---: |")
    for name, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        print(f"| {name} | {seconds:.2f} | {seconds / raw:.1f}× | {max(m for _, m in runs):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
