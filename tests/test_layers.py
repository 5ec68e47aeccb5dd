"""The core package never imports Streamlit: the UI sits on top of it, never inside it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import phasekpi

PACKAGE = Path(phasekpi.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
# every importable module; __main__ runs the CLI (and exits) when imported, so it is only parsed
MODULES = ["phasekpi"] + [
    "phasekpi." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
    for p in SOURCES if p.stem not in ("__init__", "__main__")
]


def streamlit_imports(source: str) -> list[str]:
    """Every `import streamlit…`, `from streamlit… import`, and import_module/__import__('streamlit…')."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "streamlit"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "streamlit":
            found.append(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("import_module", "__import__") and str(node.args[0].value).split(".")[0] == "streamlit":
                found.append(str(node.args[0].value))
    return found


def test_the_detector_finds_every_form():
    source = ("import os, streamlit as st\nimport streamlit.components.v1\nfrom streamlit import session_state\n"
              "from streamlit.testing.v1 import AppTest\nimportlib.import_module('streamlit')\n__import__('streamlit')\n"
              "import streamlit_extras\nfrom os import path\n")
    assert streamlit_imports(source) == ["streamlit", "streamlit.components.v1", "streamlit", "streamlit.testing.v1",
                                         "streamlit", "streamlit"]


def test_the_package_has_its_modules():
    assert {"phasekpi.catalogue", "phasekpi.schema", "phasekpi.ingest", "phasekpi.metrics", "phasekpi.funnel",
            "phasekpi.diagnosis"} <= set(MODULES)


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_no_streamlit_import_in_source(path: Path):
    assert streamlit_imports(path.read_text(encoding="utf-8")) == []


def test_importing_every_module_loads_no_streamlit():
    code = f"import {', '.join(MODULES)}; import sys; assert 'streamlit' not in sys.modules, 'streamlit imported'"
    done = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)})
    assert done.returncode == 0, done.stderr


UI_SOURCES = [PACKAGE.parent / "app.py", *sorted((PACKAGE.parent / "views").glob("*.py")),
              *sorted((PACKAGE.parent / "ui").glob("*.py"))]
PUBLIC_STREAMLIT = {"streamlit", "streamlit.components.v1"}  # the documented API; streamlit.runtime… is internal


@pytest.mark.parametrize("path", UI_SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_ui_uses_only_streamlits_public_api(path: Path):
    private = [name for name in streamlit_imports(path.read_text(encoding="utf-8")) if name not in PUBLIC_STREAMLIT]
    assert private == [], f"{path.name} imports Streamlit internals"


def test_the_screens_folder_holds_exactly_the_registered_screens():
    registered = {node.args[0].value for node in ast.walk(ast.parse((PACKAGE.parent / "app.py").read_text()))
                  if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page"}
    on_disk = {f"views/{p.name}" for p in (PACKAGE.parent / "views").glob("*.py")}
    assert registered == on_disk and len(on_disk) == 12


# ---------------------------------------------------------------- KPIs live in the catalogue

CODE = [*SOURCES, *UI_SOURCES]
# Strings spelled like a KPI id that do not name a KPI, each with what it is. Everything else spelled
# like a KPI id must be one of catalogue.REQUIRED_KPIS, which the app's catalogue is checked for at load.
NOT_KPI_REFERENCES = {
    ("tables.py", "quality_score"): "a column of the opportunities table",
    ("health.py", "calls"): "the {calls} placeholder of the untimed-calls finding",
    **{("leadsources.py", name): "a column key of the lead-source table (insights.sources.<key>), counted lead by "
                                 "lead, not the catalogue's KPI"
       for name in ("mqls", "sqls", "opportunity_rate", "mql_to_sql_rate", "won_amount")},
}


def kpi_literals(paths: list[Path], kpi_ids: set[str]) -> list[tuple[str, str, int]]:
    """(file name, KPI id, line) of every string constant equal to a KPI id."""
    return [(path.name, node.value, node.lineno) for path in paths
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in kpi_ids]


def test_the_literal_finder_finds_kpi_ids(tmp_path: Path):
    source = tmp_path / "page.py"
    source.write_text('x = results.total("calls")\ny = f"{name}"\nz = "calls_made"\nw = {"connects": 1}\n')
    assert kpi_literals([source], {"calls", "connects"}) == [("page.py", "calls", 1), ("page.py", "connects", 4)]


def test_code_names_no_kpi_beyond_the_required_few():
    """KPI meaning lives in kpi_defs.yaml: the plan chain, strategy page, funnels, activity floor and
    signals reach code through the catalogue; at most 10 KPI-id literals stay, each declared."""
    from phasekpi.catalogue import REQUIRED_KPIS, default_catalogue

    found = kpi_literals(CODE, set(default_catalogue().kpis))
    references = [(name, kpi_id, line) for name, kpi_id, line in found if (name, kpi_id) not in NOT_KPI_REFERENCES]
    assert [r for r in references if r[1] not in REQUIRED_KPIS] == []
    assert len(references) <= 10 and len(REQUIRED_KPIS) <= 10
    assert {(name, kpi_id) for name, kpi_id, _ in found} >= set(NOT_KPI_REFERENCES)  # no stale exception


SESSION_MODULE = PACKAGE.parent / "ui" / "session.py"


def session_state_uses(path: Path) -> list[int]:
    """Lines that touch `st.session_state` (attribute access on any name)."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute) and node.attr == "session_state"]


@pytest.mark.parametrize("path", [p for p in UI_SOURCES if p != SESSION_MODULE], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_session_state_is_touched_only_through_the_session_module(path: Path):
    assert session_state_uses(path) == []
