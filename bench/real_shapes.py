"""The shapes CRMs really export, as whole processes: `python -m bench.real_shapes [SIZE] [ROUNDS]`.

A Salesforce-Japan activity report built from bench.scale's activities (SIZE rows, default 1m):
CRLF line ends, quoted Japanese headers 任命先 / 件名 / 種別 / 期日 (date only) / 作成日 (date and
time) / 通話時間 (秒) / 通話結果 / 会社名 / 状況, no id column; once in UTF-8 and once in CP932;
and the same rows as an English-locale Salesforce report (English headers, `11/16/2026` and
`11/16/2026 9:05 PM`). Each round runs, one after the other as separate processes: DuckDB's raw
`CREATE TABLE AS SELECT * FROM read_csv` (the floor), the CLI's `kpis --json` on each file, and a
ten-line pandas script computing the same action KPIs (calls, connects, effective conversations
and appointments per rep-day), cold. Wall seconds and peak RSS (`/usr/bin/time`) per command, the
median over ROUNDS, and each as a ratio to the raw read of the same round. Then, once: seconds
per load stage (FileReport.stages) of each file, and the KPIs warm (data in memory): pandas'
groupby on its DataFrame against our `compute_kpis` on the loaded store, best of 5.
"""

from __future__ import annotations

import csv
import json
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

PANDAS_WARM = """
import sys, time, pandas as pd
calls = pd.read_csv(sys.argv[1], usecols=["任命先", "種別", "作成日", "通話時間 (秒)", "通話結果"])
calls["day"] = pd.to_datetime(calls["作成日"], format="%Y/%m/%d %H:%M").dt.date
def kpis():
    rep_days = calls.groupby(["任命先", "day"]).ngroups
    phone = calls[calls["種別"] == "電話"]
    connected = phone["通話結果"].isin(["接続", "通話", "アポ獲得", "断り"])
    effective = connected & (phone["通話時間 (秒)"] >= 120)
    return {"calls": len(phone) / rep_days, "connects": connected.sum() / rep_days,
            "effective": effective.sum() / rep_days, "appointments": (phone["通話結果"] == "アポ獲得").sum() / rep_days}
best = 9e9
for _ in range(5):
    began = time.perf_counter(); kpis(); best = min(best, time.perf_counter() - began)
print(best)
"""
OURS_WARM = """
import sys, time
from pathlib import Path
from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.metrics import Filters, compute_kpis
from phasekpi.schema import open_store
catalogue = default_catalogue()
store = open_store(catalogue)
load_file(store, Path(sys.argv[1]), "report.csv")
best = 9e9
for _ in range(5):
    began = time.perf_counter(); compute_kpis(store, catalogue, Filters()); best = min(best, time.perf_counter() - began)
print(best)
"""
STAGES = """
import json, sys
from pathlib import Path
from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.schema import open_store
print(json.dumps(load_file(open_store(default_catalogue()), Path(sys.argv[1]), "report.csv").stages))
"""
US_HEADER = ["Assigned", "Subject", "Type", "Due Date", "Created Date", "Call Duration (seconds)", "Call Result",
             "Company / Account", "Status"]


def write_us_report(utf8: Path) -> Path:
    """The Salesforce-Japan report's rows as an English-locale Salesforce report (cached)."""
    us = utf8.with_name("sf_report_us.csv")
    if not us.exists():
        duckdb.connect().execute(f"""
            COPY (SELECT "任命先" AS {US_HEADER[0]!r}, "件名", "種別", strftime(strptime("期日", '%Y/%m/%d'), '%m/%d/%Y'),
                         strftime(strptime("作成日", '%Y/%m/%d %H:%M'), '%m/%d/%Y %-I:%M %p'),
                         "通話時間 (秒)", "通話結果", "会社名", "状況"
                  FROM read_csv(?, all_varchar = true)) TO '{us}' (HEADER false, QUOTE '"', FORCE_QUOTE *)
        """.replace(f"{US_HEADER[0]!r}", '"Assigned"'), [str(utf8)])
        body = us.read_bytes().replace(b"\n", b"\r\n")
        us.write_bytes(",".join(f'"{h}"' for h in US_HEADER).encode() + b"\r\n" + body)
    return us


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
    us = write_us_report(utf8)
    python = sys.executable
    files = {"UTF-8": utf8, "CP932": cp932, "US report": us}
    commands = {
        "DuckDB raw read (UTF-8)": [python, "-c", RAW, str(utf8)],
        **{f"CLI kpis, {name}": [python, "-m", "phasekpi", "kpis", str(path), "--json"] for name, path in files.items()},
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
    print_stages(python, files)
    warm = {name: float(_output([python, "-c", script, str(utf8)]))
            for name, script in (("pandas groupby on its DataFrame", PANDAS_WARM), ("compute_kpis on the store", OURS_WARM))}
    print("\nKPIs warm (data in memory), best of 5\n| command | seconds |\n| --- | ---: |")
    for name, seconds in warm.items():
        print(f"| {name} | {seconds:.3f} |")
    return 0


def print_stages(python: str, files: dict[str, Path]) -> None:
    """Seconds per load stage of each file (one process each)."""
    stages = {name: json.loads(_output([python, "-c", STAGES, str(path)])) for name, path in files.items()}
    names = [stage for stage, _ in next(iter(stages.values()))]
    print("\nSeconds per load stage (in process)\n| stage | " + " | ".join(stages) + " |\n| --- |"
          + " ---: |" * len(stages))
    for index, stage in enumerate(names):
        print(f"| {stage} | " + " | ".join(f"{spent[index][1]:.2f}" for spent in stages.values()) + " |")
    print("| in all | " + " | ".join(f"{sum(s for _, s in spent):.2f}" for spent in stages.values()) + " |")


def _output(command: list[str]) -> str:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    raise SystemExit(main())
