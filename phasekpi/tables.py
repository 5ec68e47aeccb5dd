"""The canonical data model (SPEC §11): the three tables, their columns and what identifies a row.

Plain data with no dependency on the rest of the package, so the catalogue can check the fields
its KPIs need against it (phasekpi/schema.py builds the DuckDB tables from it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    required: bool = False
    derived: bool = False  # computed while loading, never mapped from a header
    codes: tuple[str, ...] = ()  # the canonical values loading writes (shown as words: locale `code.<name>.<code>`)


@dataclass(frozen=True)
class TableSpec:
    name: str
    id_column: str | None
    date_column: str
    columns: tuple[Column, ...]
    time_flag: str | None = None  # the column saying whether `date_column` holds a time of day
    # A second date of the record's own history (column, SQL condition), part of the reporting window
    # when no activity is loaded: a deal's close date once it is won or lost (before, it is a plan).
    history_date: tuple[str, str] | None = None

    @property
    def date_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.sql_type == "TIMESTAMP"]

    @property
    def rows_table(self) -> str:
        return f"{self.name}_rows"

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def mappable(self) -> list[Column]:
        return [c for c in self.columns if not c.derived]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec("activities", "activity_id", "occurred_at", (
            Column("activity_id", "VARCHAR"),
            Column("occurred_at", "TIMESTAMP", required=True),
            Column("has_time", "BOOLEAN", derived=True),  # occurred_at carries a time of day (not a date-only export)
            Column("rep", "VARCHAR", required=True),
            Column("team", "VARCHAR"),
            Column("channel", "VARCHAR", codes=("call", "email", "other")),  # a file without it is a call log
            Column("channel_raw", "VARCHAR", derived=True),  # the export's own word for the channel
            Column("direction", "VARCHAR", codes=("inbound", "outbound", "internal")),  # an inbound call is not 架電
            Column("lead_id", "VARCHAR"),
            Column("account_id", "VARCHAR"),
            Column("outcome", "VARCHAR"),
            Column("duration_sec", "DOUBLE"),
            Column("email_opened", "BOOLEAN"),
            Column("email_replied", "BOOLEAN"),
            Column("modified_at", "TIMESTAMP"),  # when the CRM last changed the record: the newer version wins
        ), time_flag="has_time"),
        TableSpec("leads", "lead_id", "created_at", (
            Column("lead_id", "VARCHAR", required=True),
            Column("created_at", "TIMESTAMP", required=True),
            Column("rep", "VARCHAR"),
            Column("source", "VARCHAR"),
            Column("status", "VARCHAR"),
            Column("opportunity_id", "VARCHAR"),
            Column("modified_at", "TIMESTAMP"),
        )),
        TableSpec("opportunities", "opportunity_id", "created_at", (
            Column("opportunity_id", "VARCHAR"),  # Zoho's Potentials export has none: rows dedupe on values
            Column("created_at", "TIMESTAMP", required=True),
            Column("rep", "VARCHAR"),
            Column("owner", "VARCHAR"),
            Column("stage", "VARCHAR"),
            Column("amount", "DECIMAL(18,2)"),
            Column("status", "VARCHAR", codes=("open", "won", "lost")),  # from the stage or flags when absent
            Column("is_won", "BOOLEAN"),
            Column("is_closed", "BOOLEAN"),
            Column("closed_at", "TIMESTAMP"),
            Column("lead_id", "VARCHAR"),
            Column("is_sourced", "BOOLEAN"),
            Column("bant_budget", "BOOLEAN"),
            Column("bant_authority", "BOOLEAN"),
            Column("bant_need", "BOOLEAN"),
            Column("bant_timeline", "BOOLEAN"),
            Column("need_level", "VARCHAR"),
            Column("decision_process", "VARCHAR"),
            Column("next_action", "VARCHAR"),
            Column("quality_score", "DOUBLE"),
            Column("modified_at", "TIMESTAMP"),
        ), history_date=("closed_at", "status IN ('won', 'lost')")),
    )
}
