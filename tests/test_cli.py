"""The command line on the same core: kpis (text and JSON), report, demo."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from openpyxl import load_workbook

from phasekpi.cli import main
from phasekpi.workspace import Config, Workspace

ROOT = Path(__file__).resolve().parent.parent
# Two reps over 2025-01-01 .. 2025-01-31 (31 days, 2 rep-days): age 1 month → startup.
ACTIVITIES = """activity_id,occurred_at,rep,channel,lead_id,outcome,duration_sec
A1,2025-01-01 10:00,Ann,call,L1,Connected,150
A2,2025-01-01 10:05,Ann,call,L2,不在,0
A3,2025-01-31 11:00,Bob,call,L3,アポ獲得,400
A4,2025-01-31 11:10,Bob,call,L4,受付ブロック,0
"""
OPPORTUNITIES = """opportunity_id,created_at,rep,amount,status
O1,2025-01-15,Ann,"1,000,000",open
O2,2025-01-20,Bob,500000,won
"""


def write_inputs(tmp_path: Path) -> list[str]:
    (tmp_path / "activities.csv").write_text(ACTIVITIES, encoding="utf-8")
    (tmp_path / "opportunities.csv").write_text(OPPORTUNITIES, encoding="utf-8")
    return [str(tmp_path / "activities.csv"), str(tmp_path / "opportunities.csv")]


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


def test_kpis_json_takes_the_phase_from_the_data_age(tmp_path: Path) -> None:
    code, out = run(["kpis", *write_inputs(tmp_path), "--json"])
    assert code == 0
    report = json.loads(out)
    assert report["phase"] == "startup" and report["phase_source"] == "from_data"
    assert report["evidence"]["months_since_first_activity"] == round(30 / (365.25 / 12), 1)
    values = {k["id"]: k for k in report["kpis"]}
    assert [k["id"] for k in report["kpis"]][:3] == ["calls", "connects", "appointments"]  # importance 3 first
    assert values["calls"]["actual"] == 4 / 2  # 4 calls over 2 rep-days
    assert values["calls"]["achievement"] == 2.0  # 2 of 100 a day
    assert values["appointments"]["actual"] == 1 / 2
    months = 31 / (365.25 / 12)
    assert abs(values["opportunities_created"]["actual"] - 2 / months / 2) < 1e-9  # 2 reps
    # a call log holds no emails: not zero of them, but no answer, and why
    assert (values["emails_sent"]["actual"], values["emails_sent"]["status"]) == (None, "unavailable")
    assert values["emails_sent"]["unavailable"] == [
        "メールの活動がありません(架電の履歴だけではメールの件数はわかりません)。種別が「メール」の行を含む活動の出力を読み込んでください。"]


def test_kpis_text_says_where_the_phase_came_from(tmp_path: Path) -> None:
    code, out = run(["kpis", *write_inputs(tmp_path)])
    assert code == 0
    assert out.splitlines()[0] == "フェーズはデータの期間(最初の活動から1.0ヶ月)から推定しました: 立ち上げ期"
    assert "架電数" in out and "2件/人/日" in out and "100件/人/日" in out  # a whole average drops `.0`


def test_kpis_with_a_given_phase_in_english(tmp_path: Path) -> None:
    code, out = run(["kpis", *write_inputs(tmp_path), "--phase", "mature", "--lang", "en"])
    assert code == 0
    assert out.splitlines()[0] == "Phase: Mature"
    assert "Won amount" in out and "CAC" in out


def test_kpis_without_loadable_data_fails_clearly(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = subprocess.run([sys.executable, "-m", "phasekpi", "kpis", str(empty)], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.returncode == 1
    assert "empty.csv は空のファイルです" in result.stderr
    assert "読み込めたデータがありません" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_writes_the_workbook(tmp_path: Path) -> None:
    output = tmp_path / "sheet.xlsx"
    code, out = run(["report", *write_inputs(tmp_path), "-o", str(output), "--lang", "en"])
    assert code == 0 and out.strip() == f"Written: {output}"
    book = load_workbook(output)
    assert book.sheetnames == ["Summary", "Startup", "Growth", "Mature", "KGI plan", "Funnel", "Per rep", "Definitions"]
    summary_values = [c.value for row in book["Summary"].iter_rows() for c in row if c.value]
    assert "activities.csv" in summary_values and "opportunities.csv" in summary_values


EXPORTS = Path(__file__).parent / "data" / "exports"


def test_weekly_adds_uploads_undo_and_kpis_on_the_history() -> None:
    """The cron's commands on the workspace's history (the test's own workspace: tests/conftest.py)."""
    for name, code in (("calls_week_1.csv", 0), ("calls_week_2.csv", 0), ("calls_week_2.csv", 1)):
        assert run(["add", str(EXPORTS / name)])[0] == code  # the same file again: nothing added, exit 1
    code, listed = run(["uploads", "--json"])
    uploads = json.loads(listed)
    assert code == 0 and [(u["file"], u["new"], u["duplicates"]) for u in uploads] == [
        ("calls_week_1.csv", 7, 0), ("calls_week_2.csv", 3, 4)]
    code, out = run(["kpis", "--json", "--lang", "en"])
    period = json.loads(out)["period"]
    assert (code, period) == (0, {"start": "2026-11-02", "end": "2026-11-13"})
    assert run(["undo", uploads[1]["id"]])[0] == 0
    assert json.loads(run(["kpis", "--json"])[1])["period"]["end"] == "2026-11-10"
    assert run(["undo", uploads[1]["id"]])[0] == 1  # undone already
    assert [u["active"] for u in json.loads(run(["uploads", "--json"])[1])] == [True, False]


def test_kpis_on_an_empty_history_fails_clearly() -> None:
    assert run(["kpis"])[0] == 1


@pytest.mark.parametrize(("saved", "flag", "symbol", "cell_format"), [
    (None, [], "¥", '"¥"#,##0'),  # nothing chosen: yen
    ("USD", [], "$", '"$"#,##0'),  # the workspace's choice
    ("USD", ["--currency", "EUR"], "€", '"€"#,##0'),  # the flag wins
])
def test_amounts_are_in_the_workspace_currency_or_the_flag(tmp_path: Path, saved: str | None, flag: list[str],
                                                           symbol: str, cell_format: str) -> None:
    if saved is not None:
        Workspace().save(Config(currency=saved))
    inputs = write_inputs(tmp_path)
    code, out = run(["kpis", *inputs, "--phase", "mature", "--lang", "en", *flag])
    won = next(line for line in out.splitlines() if line.startswith("Won amount"))
    assert code == 0 and f"{symbol}" in won and ({"¥", "$", "€"} - {symbol}).isdisjoint(won)
    output = tmp_path / "sheet.xlsx"
    assert run(["report", *inputs, "-o", str(output), "--lang", "en", *flag])[0] == 0
    assert load_workbook(output)["Growth"]["D10"].number_format == cell_format
