"""What one browser session holds: its language, its own DuckDB store, its answers and targets.

Every session gets its own in-memory DuckDB connection in `st.session_state` (never a shared
cache: that would show one manager's upload to another), loaded with the demo data at start.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from phasekpi import DEMO_DIR
from phasekpi.catalogue import Catalogue, default_catalogue
from phasekpi.diagnosis import Diagnosis, diagnose
from phasekpi.ingest import load_files
from phasekpi.messages import DEFAULT_LANGUAGE, t
from phasekpi.metrics import Filters, Grouping, KpiResults, compute_grouped, compute_kpis, data_range
from phasekpi.problems import LoadReport
from phasekpi.schema import Store, clear_tables, install_vocabularies, open_store


def route_through_app() -> None:
    """Make app.py the router. Streamlit treats a folder named pages/ as its old automatic router
    until some run has called st.navigation, so a first visit by deep link (or an AppTest run)
    would run a page without app.py; switch the process to app.py's router and rerun."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def catalogue() -> Catalogue:
    return default_catalogue()


def lang() -> str:
    return st.session_state.setdefault("lang", DEFAULT_LANGUAGE)


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def store() -> Store:
    if "store" not in st.session_state:
        st.session_state["store"] = open_store(catalogue())
        load_demo()
    return st.session_state["store"]


def demo_files() -> list[tuple[Path, str]]:
    return [(path, path.name) for path in sorted(DEMO_DIR.glob("*.csv.gz"))]


def load_demo() -> None:
    replace_data(demo_files(), is_demo=True)


def replace_data(files: list[tuple[Path, str]], is_demo: bool = False) -> LoadReport:
    """Empty the tables and load these files; the report says what happened to every row."""
    clear_data()
    report = load_files(st.session_state["store"], files)
    data_loaded(report, is_demo)
    return report


def clear_data() -> None:
    clear_tables(st.session_state["store"])


def data_loaded(report: LoadReport, is_demo: bool) -> None:
    """Remember what was loaded; filters and memoised KPI values start afresh."""
    st.session_state.update(load_report=report, is_demo=is_demo, filters=Filters())
    data_changed()


def data_changed() -> None:
    st.session_state["data_version"] = st.session_state.get("data_version", 0) + 1


def outcome_overrides() -> dict[str, str]:
    """The user's own call-result word → level choices, on top of the catalogue's vocabulary."""
    return st.session_state.setdefault("outcome_overrides", {})


def set_outcome_level(word: str, level: str) -> None:
    outcome_overrides()[word] = level
    with store().lock:
        install_vocabularies(store().con, catalogue(), outcome_overrides())
    data_changed()


def load_report() -> LoadReport | None:
    store()
    return st.session_state.get("load_report")


def is_demo() -> bool:
    store()
    return st.session_state.get("is_demo", False)


def filters() -> Filters:
    return st.session_state.get("filters", Filters())


def set_filters(value: Filters) -> None:
    st.session_state["filters"] = value


def answers() -> dict[str, bool] | None:
    """Checklist answers once the user has submitted them; None before."""
    return st.session_state.get("answers")


def remember_answers() -> None:
    """Form callback: keep the ticks under a key of our own (widget state dies with its page)."""
    st.session_state["answers"] = {i.id: bool(st.session_state.get(f"item_{i.id}")) for i in catalogue().checklist.items}


def remember_override(key: str) -> None:
    st.session_state["override"] = st.session_state[key]


def override() -> str | None:
    return st.session_state.get("override")


def settings() -> dict[str, float | None]:
    return st.session_state.setdefault("settings", {})


def targets() -> dict[str, dict[str, float]]:
    """Target overrides per phase: phase id → KPI id → target."""
    return st.session_state.setdefault("targets", {})


def diagnosis() -> Diagnosis | None:
    return diagnose(catalogue(), answers(), override(), data_range(store()))


def _memoised(kind: str, chosen: Filters, compute: Callable[[], object]) -> object:
    """One value per (kind, data, filters, settings), kept until any of them changes."""
    key = (kind, st.session_state.get("data_version"), chosen, tuple(sorted(settings().items())))
    memo = st.session_state.setdefault("kpi_memo", {})
    if key not in memo:
        for stale in [k for k in memo if k[0] == kind]:
            del memo[stale]
        memo[key] = compute()
    return memo[key]


def kpi_results(for_filters: Filters | None = None) -> KpiResults | None:
    """KPI values for the filters, memoised per session until data, filters or settings change."""
    chosen = for_filters or filters()
    return _memoised("all", chosen, lambda: compute_kpis(store(), catalogue(), chosen, settings()))


def kpi_results_by(by: Grouping, for_filters: Filters | None = None) -> dict[str, KpiResults]:
    """KPI values per rep, team, week or month, memoised like `kpi_results`."""
    chosen = for_filters or filters()
    return _memoised(by, chosen, lambda: compute_grouped(store(), catalogue(), chosen, by, settings()))
