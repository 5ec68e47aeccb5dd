"""What the workbook shows: the KPI results, diagnosis, answers, targets and load report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from phasekpi.catalogue import Catalogue
from phasekpi.diagnosis import Diagnosis
from phasekpi.display import DEFAULT_CURRENCY
from phasekpi.health import Finding
from phasekpi.metrics import KpiResults
from phasekpi.problems import LoadReport


@dataclass(frozen=True)
class KpiSheet:
    catalogue: Catalogue
    results: KpiResults
    diagnosis: Diagnosis
    answers: Mapping[str, bool]
    lang: str = "ja"
    targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    organisation: str = ""
    load_report: LoadReport | None = None  # the files loaded and what happened to their rows
    by_rep: Mapping[str, KpiResults] = field(default_factory=dict)  # metrics.compute_grouped(..., "rep")
    health: Sequence[Finding] = ()  # health.health_findings over the loaded data
    rep_names: Mapping[str, str] = field(default_factory=dict)  # rep id → name, from a user list (phasekpi.repnames)
    currency: str = DEFAULT_CURRENCY  # what the amounts are in: their cell formats and unit words
