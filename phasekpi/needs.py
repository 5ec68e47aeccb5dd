"""What a KPI needs of the loaded data, as the catalogue writes it: `activities.outcome`, alternatives
joined by `|`, a value after `=` (`activities.channel=email`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from phasekpi.tables import TABLES

TableName = Literal["activities", "leads", "opportunities"]


class Need(BaseModel):
    """One thing the loaded data must hold: a field with a value in some row (`value` None), or a
    row whose field equals `value` (activities.channel=email: some email activity)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: TableName
    field: str
    value: str | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.field}" + ("" if self.value is None else f"={self.value}")


def parse_need(text: str) -> list[Need]:
    """`activities.outcome | activities.duration_sec` → the alternatives, any of which will do.
    Raises ValueError naming what is wrong."""
    needs = []
    for option in text.split("|"):
        target, _, value = option.strip().partition("=")
        table, _, name = target.strip().partition(".")
        if table not in TABLES:
            raise ValueError(f"{option.strip()!r}: {table!r} is not a table ({', '.join(TABLES)})")
        if name not in {c.name for c in TABLES[table].columns}:
            raise ValueError(f"{option.strip()!r}: {name!r} is not a field of {table}")
        needs.append(Need(table=table, field=name, value=value.strip() or None))
    return needs


