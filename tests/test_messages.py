"""The message catalogue: complete in both languages, and every key the code asks for exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.diagnosis import judge
from phasekpi.messages import messages, t

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*ROOT.glob("phasekpi/*.py"), *ROOT.glob("views/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]
EXPORT = sorted((ROOT / "phasekpi" / "export").glob("*.py"))  # the workbook package: its tr() prefixes "sheet."
LITERAL_KEY = re.compile(r"""\b(?:tr|t)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")
EMPTY_BY_DESIGN = {"grain.period", "sheet.grain_suffix.period"}  # a whole-period value has no grain to print


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(messages()))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = messages()[key]
    assert set(entry) == {"ja", "en"}
    if key not in EMPTY_BY_DESIGN:
        assert entry["ja"].strip() and entry["en"].strip()
    assert placeholders(entry["ja"]) == placeholders(entry["en"])


def test_every_literal_key_in_the_code_exists() -> None:
    used = {key for path in SOURCES for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 60
    assert sorted(used - set(messages())) == []


def test_every_literal_key_of_the_workbook_exists() -> None:
    used = {f"sheet.{key}" for path in EXPORT
            for key in re.findall(r"""\btr\(\s*["']([a-z_.]+)["']""", path.read_text(encoding="utf-8"))}
    assert len(used) > 20
    assert sorted(used - set(messages())) == []


@pytest.mark.parametrize("family", ["table", "outcome", "status", "grain", "diagnosis.reason"])
def test_keys_built_at_run_time_exist(family: str) -> None:
    catalogue = default_catalogue()
    names = {
        "table": ["activities", "leads", "opportunities"],
        "outcome": ["single", "straddle", "undetermined", "override", "from_data"],
        "status": ["good", "warning", "bad", "no_data"],
        "grain": sorted({k.grain for k in catalogue.kpis.values()}),
        "diagnosis.reason": ["single", "straddle", "undetermined", "override", "from_data"],
    }[family]
    assert all(f"{family}.{name}" in messages() for name in names)


def test_every_problem_the_loader_can_raise_has_a_message() -> None:
    code = "".join((ROOT / "phasekpi" / f"{name}.py").read_text(encoding="utf-8") for name in ("ingest", "sources"))
    keys = set(re.findall(r'Problem\("([a-z_]+)"', code)) | set(re.findall(r'"((?:bad|negative|date|missing)_[a-z_]+)"', code))
    assert {"empty_file", "header_only", "not_a_table", "missing_columns", "unknown_encoding", "bad_status",
            "bad_duration", "date_out_of_range", "negative_value", "missing_value"} <= keys
    assert sorted(k for k in keys if f"problem.{k}" not in messages()) == []


def test_placeholders_are_filled() -> None:
    assert t("cli.phase_given", "ja", phase="成長期") == "フェーズ: 成長期"
    assert t("cli.phase_given", "en", phase="Growth") == "Phase: Growth"
    outcome = judge(default_catalogue(), {"S1": True, "S2": True, "S3": True}).outcome
    assert t(f"outcome.{outcome}", "en") == "diagnosed by the checklist"
