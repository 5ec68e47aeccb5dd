"""The workspace file: values survive a restart, saves are atomic, locks and broken files never crash."""

from __future__ import annotations

import datetime as datetime_module
import os
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from phasekpi import workspace as ws
from phasekpi.catalogue import default_catalogue
from phasekpi.workspace import Config, HistoryEntry, Workspace, YamlImportError, export_yaml, import_yaml

ROOT = Path(__file__).resolve().parent.parent
FULL = Config(
    targets={"growth": {"opportunity_rate": 0.25, "appointments": 12.0}, "startup": {"calls": None}},
    outcome_mappings={"担当者不在": "none", "資料送付OK": "effective"},
    settings={"is_cost_per_month": 9_000_000.0, "alert_threshold_pct": 85.0, "forecast_won_amount": None},
    holidays=[date(2026, 8, 13), date(2026, 12, 29)],
    answers={"S1": True, "G1": True, "G2": False},
    override="mature",
)


def python(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter (another process, as after a restart)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)


def test_every_kind_of_value_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "workspace.duckdb"
    written = python(f"""
        from datetime import date, datetime
        from phasekpi.workspace import Config, HistoryEntry, Workspace
        config = Config(targets={FULL.targets!r}, outcome_mappings={FULL.outcome_mappings!r}, settings={FULL.settings!r},
                        holidays=[date(2026, 8, 13), date(2026, 12, 29)], answers={FULL.answers!r}, override="mature")
        space = Workspace({str(path)!r})
        space.open()
        assert space.save(config, HistoryEntry(datetime(2026, 11, 1, 9, 30), "growth", "single",
                                               {{"startup": 1, "growth": 3, "mature": 0}}))
        assert space.save(config, HistoryEntry(datetime(2026, 11, 8, 9, 30), "mature", "override", {{"growth": 1}}, "mature"))
    """)
    assert written.returncode == 0, written.stderr
    read = python(f"""
        from phasekpi.workspace import Workspace
        space = Workspace({str(path)!r})
        print(repr(space.open()))
        print(repr(space.history()))
        print(space.status.state, space.status.reason)
    """)
    assert read.returncode == 0, read.stderr
    config_line, history_line, status_line = read.stdout.strip().splitlines()
    names = {"Config": Config, "HistoryEntry": HistoryEntry, "datetime": datetime_module}
    assert eval(config_line, names) == FULL  # our own reprs, read back
    history = eval(history_line, names)
    assert [(h.recorded_at, h.phase, h.outcome, h.ticked, h.override) for h in history] == [
        (datetime(2026, 11, 1, 9, 30), "growth", "single", {"startup": 1, "growth": 3, "mature": 0}, None),
        (datetime(2026, 11, 8, 9, 30), "mature", "override", {"growth": 1}, "mature"),
    ]
    assert status_line == "ok loaded"
    with duckdb.connect(str(path)) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)


def test_a_new_workspace_is_empty_and_not_created_until_saved(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "sub" / "workspace.duckdb")
    assert space.open() == Config()
    assert (space.status.state, space.status.reason) == ("ok", "new")
    assert not space.path.exists()
    assert space.save(Config(settings={"is_cost_per_month": 1.0}))
    assert Workspace(space.path).open().settings == {"is_cost_per_month": 1.0}


def test_a_failure_inside_the_transaction_keeps_the_previous_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    space = Workspace(tmp_path / "workspace.duckdb")
    space.open()
    assert space.save(FULL)
    real, calls = ws._replace, []

    def fail_on_third(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
        calls.append(table)
        real(con, table, rows)  # targets and outcome words are rewritten first …
        if len(calls) == 3:
            raise RuntimeError("simulated crash")  # … then the save dies half-way

    monkeypatch.setattr(ws, "_replace", fail_on_third)
    with pytest.raises(RuntimeError):
        space._run(lambda con: ws._write(con, Config(targets={"growth": {"opportunity_rate": 0.9}}), None))
    assert calls == ["targets", "outcome_mappings", "settings"]
    monkeypatch.setattr(ws, "_replace", real)
    assert Workspace(space.path).open() == FULL


def test_a_process_killed_mid_save_leaves_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "workspace.duckdb"
    space = Workspace(path)
    space.open()
    assert space.save(FULL)
    killed = python(f"""
        import os
        from phasekpi import workspace as ws
        real, calls = ws._replace, []
        def die(con, table, rows):
            real(con, table, rows)
            calls.append(table)
            if len(calls) == 4:
                os._exit(9)  # no rollback, no close: like a power cut after partial writes
        ws._replace = die
        space = ws.Workspace({str(path)!r})
        space.open()
        space.save(ws.Config(settings={{"is_cost_per_month": 1.0}}))
    """)
    assert killed.returncode == 9, killed.stderr
    again = Workspace(path)
    assert again.open() == FULL
    assert again.status.reason == "loaded"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "scribbled"])
def test_a_corrupted_file_is_moved_aside_and_a_fresh_workspace_started(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "workspace.duckdb"
    Workspace(path).save(FULL)
    saved = path.read_bytes()
    garbage = {"garbage": os.urandom(4096), "truncated": saved[: len(saved) // 3],
               "scribbled": saved[:4096] + os.urandom(len(saved) - 4096)}[damage]
    path.write_bytes(garbage)
    space = Workspace(path)
    assert space.open() == Config()
    assert (space.status.state, space.status.reason) == ("recovered", "corrupted")
    moved = Path(space.status.params["moved"])
    assert moved.name.startswith("workspace.duckdb.broken-") and moved.read_bytes() == garbage
    for lang in ("ja", "en"):
        assert str(path) in space.status.text(lang) and str(moved) in space.status.text(lang)
    assert space.save(FULL)
    assert Workspace(path).open() == FULL


def test_a_locked_file_gives_read_only_defaults_and_a_message(tmp_path: Path) -> None:
    path = tmp_path / "workspace.duckdb"
    space = Workspace(path)
    space.open()
    assert space.save(FULL)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time, duckdb
        con = duckdb.connect({str(path)!r})
        print("held", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        locked = Workspace(path, retries=3, backoff=0.01)
        assert locked.open() == Config()
        assert (locked.status.state, locked.status.reason) == ("read_only", "locked")
        assert "in use by another process" in locked.status.text("en") and str(path) in locked.status.text("ja")
        assert not locked.save(Config(settings={"is_cost_per_month": 1.0}))
        assert locked.history() == []
        # a workspace opened before the lock was taken cannot save either: read-only, said so
        assert not Workspace.save(space, Config()) and space.status.reason == "save_failed"
    finally:
        holder.stdin.close()
        holder.wait(timeout=20)
    assert Workspace(path).open() == FULL


def test_a_newer_schema_is_opened_read_only_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "workspace.duckdb"
    space = Workspace(path)
    space.open()
    assert space.save(FULL)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = path.read_bytes()
    newer = Workspace(path)
    assert newer.open() == FULL
    assert (newer.status.state, newer.status.reason) == ("read_only", "newer")
    assert "99" in newer.status.text("en") and "read-only" in newer.status.text("en")
    assert not newer.save(Config())
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.broken-*"))


def test_reset_moves_the_file_aside_and_never_deletes(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "workspace.duckdb")
    space.open()
    assert space.save(FULL)
    moved = space.reset()
    assert moved is not None and moved.exists() and not space.path.exists()
    assert Workspace(moved).open() == FULL
    assert Workspace(space.path).open() == Config()


def test_the_workspace_path_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PHASEKPI_WORKSPACE", str(tmp_path / "elsewhere.duckdb"))
    assert Workspace().path == tmp_path / "elsewhere.duckdb"
    monkeypatch.delenv("PHASEKPI_WORKSPACE")
    assert ws.workspace_path() == ROOT / "data" / "workspace.duckdb"


def test_yaml_export_then_import_gives_the_same_configuration() -> None:
    data = export_yaml(FULL)
    assert "担当者不在" in data.decode("utf-8")
    assert import_yaml(data, default_catalogue()) == FULL
    assert import_yaml(export_yaml(Config()), default_catalogue()) == Config()


def test_yaml_import_reports_every_problem_at_once_with_its_field() -> None:
    data = textwrap.dedent("""
        version: 1
        colour: blue
        targets:
          growth:
            opportunity_rate: high
            no_such_kpi: 3
          autumn:
            opportunity_rate: 0.2
        outcome_mappings:
          留守: maybe
        settings:
          is_cost_per_month: -5
          coffee_budget: 100
        holidays: [2026-08-13, someday]
        checklist:
          answers: {S1: yes please, Z9: true}
          override: winter
    """).encode()
    with pytest.raises(YamlImportError) as caught:
        import_yaml(data, default_catalogue())
    problems = caught.value.problems
    expected = [
        "colour: Extra inputs are not permitted",
        "targets.growth.opportunity_rate: Input should be a valid number",
        "outcome_mappings.留守: Input should be 'none', 'connected', 'effective' or 'appointment'",
        "settings.is_cost_per_month: Input should be greater than or equal to 0",
        "holidays.1: Input should be a valid date",
        "checklist.answers.S1: Input should be a valid boolean",
        "targets.growth.no_such_kpi: unknown KPI 'no_such_kpi'",
        "targets.autumn: unknown phase 'autumn'",
        "settings.coffee_budget: unknown setting 'coffee_budget'",
        "checklist.answers.Z9: unknown checklist item 'Z9'",
        "checklist.override: unknown phase 'winter'",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected), problems


@pytest.mark.parametrize("data", [b"\xff\xfe not yaml", b"- just\n- a list\n", b"version: [unclosed"])
def test_yaml_import_of_something_else_is_one_clear_problem(data: bytes) -> None:
    with pytest.raises(YamlImportError) as caught:
        import_yaml(data, default_catalogue())
    assert len(caught.value.problems) == 1 and caught.value.problems[0].startswith("(file):")


def test_every_status_has_its_words_in_both_languages() -> None:
    from phasekpi.messages import messages

    params = {"path": "p", "moved": "m", "error": "e", "version": "9", "supported": "1"}
    for reason in ("new", "loaded", "locked", "newer", "corrupted", "reset", "save_failed"):
        for lang in ("ja", "en"):
            assert ws.Status("ok", reason, params).text(lang)
    assert {f"workspace.state.{s}" for s in ("ok", "read_only", "recovered")} <= set(messages())


def test_two_sessions_changing_different_settings_both_keep_their_change(tmp_path: Path) -> None:
    path = tmp_path / "workspace.duckdb"
    Workspace(path).save(FULL)
    first, second = Workspace(path), Workspace(path)
    start_first, start_second = first.open(), second.open()  # both sessions start from FULL
    mine = Config(**{**vars(start_first), "targets": {**start_first.targets, "growth": {"opportunity_rate": 0.3,
                                                                                      "appointments": 12.0}}})
    assert first.save(mine, base=start_first)
    theirs = Config(**{**vars(start_second), "settings": {**start_second.settings, "alert_threshold_pct": 70.0},
                       "holidays": [date(2026, 8, 13)]})  # and 29 Dec removed
    assert second.save(theirs, base=start_second)
    saved = Workspace(path).open()
    assert saved.targets["growth"] == {"opportunity_rate": 0.3, "appointments": 12.0}  # the first session's change
    assert saved.settings["alert_threshold_pct"] == 70.0  # the second's
    assert saved.holidays == [date(2026, 8, 13)]
    assert saved.outcome_mappings == FULL.outcome_mappings and saved.answers == FULL.answers


@pytest.mark.parametrize(("base", "mine", "theirs", "merged"), [
    ({"a": 1.0}, {"a": 2.0}, {"a": 1.0, "b": 5.0}, {"a": 2.0, "b": 5.0}),  # my change, their addition
    ({"a": 1.0}, {"a": 1.0}, {"a": 3.0}, {"a": 3.0}),  # no change of mine: theirs stays
    ({"a": 1.0}, {"a": 2.0}, {"a": 3.0}, {"a": 2.0}),  # both changed it: the later save wins
    ({"a": 1.0, "b": 2.0}, {"a": 1.0}, {"a": 1.0, "b": 2.0}, {"a": 1.0}),  # I removed b
])
def test_merge_lays_only_this_sessions_changes_over_the_file(base: dict, mine: dict, theirs: dict, merged: dict) -> None:
    result = ws.merge(Config(settings=base), Config(settings=mine), Config(settings=theirs))
    assert result.settings == merged


def test_who_answered_is_kept_and_a_file_of_the_first_layout_gains_the_column(tmp_path: Path) -> None:
    """A workspace written before issue 18 has no answered_by column: it reads as None, and the next
    save adds the column and keeps the address of whoever answered."""
    import duckdb

    path = tmp_path / "workspace.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        con.execute("CREATE TABLE history (recorded_at TIMESTAMP NOT NULL, phase VARCHAR NOT NULL, "
                    "outcome VARCHAR NOT NULL, ticked VARCHAR NOT NULL, override VARCHAR)")
        con.execute("""INSERT INTO history VALUES ('2026-11-01 09:30:00', 'growth', 'single', '{"growth": 3}', NULL)""")
    space = Workspace(path)
    space.open()
    assert [h.answered_by for h in space.history()] == [None]
    assert space.save(Config(), HistoryEntry(datetime_module.datetime(2026, 11, 8, 9, 30), "mature", "single",
                                             {"mature": 2}, None, "suzuki@example.co.jp"))
    assert [(h.phase, h.answered_by) for h in space.history()] == [("growth", None), ("mature", "suzuki@example.co.jp")]


@pytest.mark.parametrize(("base", "mine", "theirs", "merged"), [
    ("JPY", "USD", "JPY", "USD"),  # my change
    ("JPY", "JPY", "EUR", "EUR"),  # no change of mine: theirs stays
    ("JPY", "USD", "EUR", "USD"),  # both changed it: the later save wins
])
def test_the_currency_is_saved_merged_and_carried_in_yaml(tmp_path: Path, base: str, mine: str, theirs: str,
                                                          merged: str) -> None:
    assert ws.merge(Config(currency=base), Config(currency=mine), Config(currency=theirs)).currency == merged
    space = Workspace(tmp_path / "w.duckdb")
    assert space.open().currency == "JPY"  # a new workspace: yen
    assert space.save(Config(currency=mine))
    assert Workspace(space.path).open().currency == mine
    assert import_yaml(export_yaml(Config(currency=theirs)), default_catalogue()).currency == theirs


def test_an_unknown_currency_in_yaml_is_named() -> None:
    data = export_yaml(Config()).replace(b"currency: JPY", b"currency: GBP")
    with pytest.raises(YamlImportError) as error:
        import_yaml(data, default_catalogue())
    assert error.value.problems == ["currency: Input should be 'JPY', 'USD' or 'EUR' (got 'GBP')"]
