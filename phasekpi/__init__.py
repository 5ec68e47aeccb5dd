"""phasekpi — the core of the phase-based inside-sales KPI dashboard.

Pure functions over DuckDB: catalogue, schema, ingest, demo, diagnosis, metrics,
funnel, charts, export. Nothing here imports Streamlit (tests/test_layers.py proves it).
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_PATH = PROJECT_ROOT / "kpi_defs.yaml"
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
