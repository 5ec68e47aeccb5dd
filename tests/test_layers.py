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
