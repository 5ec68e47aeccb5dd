"""The message catalogue: every UI, CLI and workbook text in Japanese and English.

One catalogue kept in several files, `locales/*.yaml`, one per area of the app, merged on load
(a key defined twice is an error). KPI, phase and checklist texts live in kpi_defs.yaml beside
their definitions; everything else the user reads comes from here, so a missing translation is
a test failure, not a surprise on screen.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from phasekpi import yamltext
from phasekpi.problems import Problem

LOCALES = Path(__file__).with_name("locales")
LANGUAGES = {"ja": "日本語", "en": "English"}
DEFAULT_LANGUAGE = "ja"


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES.glob("*.yaml")):
        part = yamltext.parse(path.read_text(encoding="utf-8")) or {}
        repeated = sorted(set(part) & set(merged))
        if repeated:
            raise ValueError(f"{path.name}: keys already defined in another locales file: {', '.join(repeated)}")
        merged |= part
    return merged


def t(key: str, lang: str, **params: object) -> str:
    """The text for `key` in `lang`, with {placeholders} filled in."""
    entry = messages()[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


# parameters whose value is itself a message: a table kind, a file kind (binary), a CSV error type
TRANSLATED_PARAMS = (("kind", "table"), ("kind", "file_kind"), ("error", "csv_error"), ("other", "other_kind"))


def problem_text(problem: Problem, lang: str) -> str:
    """The problem in words; parameters that name a kind or an error are said in the user's language."""
    params = dict(problem.params)
    for name, family in TRANSLATED_PARAMS:
        if f"{family}.{params.get(name)}" in messages():
            params[name] = t(f"{family}.{params[name]}", lang)
    return t(f"problem.{problem.key}", lang, **params)
