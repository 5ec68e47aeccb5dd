"""The message catalogue: every UI and CLI text in Japanese and English (messages.yaml).

KPI, phase and checklist texts live in kpi_defs.yaml beside their definitions; everything
else the user reads comes from here, so a missing translation is a test failure, not a
surprise on screen.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from phasekpi.problems import Problem

MESSAGES_PATH = Path(__file__).with_name("messages.yaml")
LANGUAGES = {"ja": "日本語", "en": "English"}
DEFAULT_LANGUAGE = "ja"


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    return yaml.safe_load(MESSAGES_PATH.read_text(encoding="utf-8"))


def t(key: str, lang: str, **params: object) -> str:
    """The text for `key` in `lang`, with {placeholders} filled in."""
    entry = messages()[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def problem_text(problem: Problem, lang: str) -> str:
    """The problem in words; a table kind among its parameters is named in the user's language."""
    params = dict(problem.params)
    if f"table.{params.get('kind')}" in messages():
        params["kind"] = t(f"table.{params['kind']}", lang)
    return t(f"problem.{problem.key}", lang, **params)
