"""Our canonical codes in the user's language: a channel, a direction, a deal's status, a flag.

Loading turns an export's own words into these codes (`values` in column_synonyms.yaml), so a
reader would otherwise meet `call` or `won` on a Japanese screen. Each code's words are the locale
entry `code.<column>.<code>` (flags: `code.boolean.true|false`); a value that is not one of our
codes (the user's own outcome text, a CRM stage name) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from phasekpi.messages import t
from phasekpi.tables import TABLES, Column, TableSpec

FLAG_CODES = ("true", "false")  # how a BOOLEAN cell reads as text (DuckDB's CAST AS VARCHAR)


def column_of(kind: str | None, name: str) -> Column | None:
    """The canonical column `name` of table `kind`, if there is one."""
    spec = TABLES.get(kind or "")
    return next((c for c in spec.columns if c.name == name), None) if spec else None


def codes_of(column: Column) -> tuple[str, ...]:
    """The codes a column can hold: its declared ones, true/false for a flag, none for free text."""
    return FLAG_CODES if column.sql_type == "BOOLEAN" else column.codes


def code_key(column: Column, code: str) -> str:
    """The locale key of one code of a column."""
    return f"code.{'boolean' if column.sql_type == 'BOOLEAN' else column.name}.{code}"


def code_text(column: Column | None, value: str, lang: str) -> str:
    """`value` in words when it is one of the column's codes, else as it is."""
    if column is None or value not in codes_of(column):
        return value
    return t(code_key(column, value), lang)


def flag_text(value: bool, lang: str) -> str:
    """A true/false flag as はい / いいえ, Yes / No."""
    return t(f"code.boolean.{FLAG_CODES[0] if value else FLAG_CODES[1]}", lang)


def coded_rows(spec: TableSpec, rows: Iterable[dict[str, str]], lang: str) -> list[dict[str, str]]:
    """Rows of field → text (a preview) with every code of ours in words."""
    columns = {c.name: c for c in spec.columns}
    return [{name: code_text(columns.get(name), text, lang) for name, text in row.items()} for row in rows]
