"""Phase diagnosis (SPEC §6): every branch of the checklist rule, and the phase suggested by data age.

Thresholds of the real catalogue: startup 3 of S1–S4, growth 3 of G1–G4, mature 2 of M1–M2.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from phasekpi.catalogue import default_catalogue
from phasekpi.diagnosis import diagnose, judge, phase_from_age

CATALOGUE = default_catalogue()

S3 = ("S1", "S2", "S3")
G3 = ("G1", "G2", "G3")
M2 = ("M1", "M2")

# name, ticked items, override → phase, outcome, matched, ticked per phase (S, G, M), reference phases, proposed
CASES = [
    ("startup only", S3, None, "startup", "single", ("startup",), (3, 0, 0), (), None),
    ("all four startup items", ("S1", "S2", "S3", "S4"), None, "startup", "single", ("startup",), (4, 0, 0), (), None),
    ("growth only", G3, None, "growth", "single", ("growth",), (0, 3, 0), (), None),
    ("growth with a stray startup item", ("S4", *G3, "G4"), None, "growth", "single", ("growth",), (1, 4, 0), (), None),
    ("mature only", M2, None, "mature", "single", ("mature",), (0, 0, 2), (), None),
    ("mature with some growth items", ("G1", "G2", *M2), None, "mature", "single", ("mature",), (0, 2, 2), (), None),
    # straddles: the lower phase is adopted, the higher ones are reference values (参考値)
    ("startup + growth", (*S3, *G3), None, "startup", "straddle", ("startup", "growth"), (3, 3, 0),
     ("growth",), None),
    ("growth + mature", (*G3, *M2), None, "growth", "straddle", ("growth", "mature"), (0, 3, 2), ("mature",), None),
    ("startup + mature", (*S3, *M2), None, "startup", "straddle", ("startup", "mature"), (3, 0, 2), ("mature",), None),
    ("all three", (*S3, *G3, *M2), None, "startup", "straddle", ("startup", "growth", "mature"), (3, 3, 2),
     ("growth", "mature"), None),
    # undetermined: propose the largest share of ticked items (S and G out of 4, M out of 2)
    ("undetermined, startup has the largest share", ("S1", "S2", "G1"), None, "startup", "undetermined", (),
     (2, 1, 0), (), "startup"),  # 2/4 > 1/4 > 0/2
    ("undetermined, growth has the largest share", ("S1", "G1", "G2"), None, "growth", "undetermined", (),
     (1, 2, 0), (), "growth"),  # 1/4 < 2/4
    ("undetermined, one mature item outweighs one startup item", ("S1", "M1"), None, "mature", "undetermined", (),
     (1, 0, 1), (), "mature"),  # 1/4 < 1/2
    ("undetermined tie startup/growth → lower", ("S1", "S2", "G1", "G2"), None, "startup", "undetermined", (),
     (2, 2, 0), (), "startup"),  # 2/4 = 2/4
    ("undetermined tie growth/mature → lower", ("G1", "G2", "M1"), None, "growth", "undetermined", (),
     (0, 2, 1), (), "growth"),  # 2/4 = 1/2
    ("undetermined three-way tie → lowest", ("S1", "S2", "G3", "G4", "M2"), None, "startup", "undetermined", (),
     (2, 2, 1), (), "startup"),  # 2/4 = 2/4 = 1/2
    ("nothing ticked", (), None, "startup", "undetermined", (), (0, 0, 0), (), "startup"),
    # override: always wins; reference phases are the matched ones above the override
    ("override below the match", G3, "startup", "startup", "override", ("growth",), (0, 3, 0), ("growth",), None),
    ("override above the match", S3, "mature", "mature", "override", ("startup",), (3, 0, 0), (), None),
    ("override inside a straddle", (*S3, *G3, *M2), "growth", "growth", "override",
     ("startup", "growth", "mature"), (3, 3, 2), ("mature",), None),
    ("override equal to the match", M2, "mature", "mature", "override", ("mature",), (0, 0, 2), (), None),
    ("override of an undetermined result", ("S1", "M1"), "growth", "growth", "override", (), (1, 0, 1), (),
     "mature"),
]


@pytest.mark.parametrize(
    ("name", "ticked", "override", "phase", "outcome", "matched", "counts", "references", "proposed"),
    CASES, ids=[c[0] for c in CASES])
def test_judge(name, ticked, override, phase, outcome, matched, counts, references, proposed):
    answers = {item.id: item.id in ticked for item in CATALOGUE.checklist.items}
    diagnosis = judge(CATALOGUE, answers, override=override)
    assert diagnosis.phase == phase
    assert diagnosis.outcome == outcome
    assert diagnosis.matched == matched
    assert diagnosis.ticked == dict(zip(("startup", "growth", "mature"), counts, strict=True))
    assert diagnosis.reference_phases == references
    assert diagnosis.proposed == proposed


def test_unticked_and_unknown_answers_do_not_count():
    answers = {"S1": True, "S2": True, "S3": False, "S4": False, "X9": True, "G1": False}
    diagnosis = judge(CATALOGUE, answers)
    assert diagnosis.ticked == {"startup": 2, "growth": 0, "mature": 0}
    assert diagnosis.outcome == "undetermined"
    assert judge(CATALOGUE, {}).ticked == {"startup": 0, "growth": 0, "mature": 0}


# days since the first activity → phase (a month is 30.4375 days; startup < 6 ≤ growth < 12 ≤ mature)
AGES = [
    (0, "startup", 0.0),
    (61, "startup", 2.0),  # 2 months
    (182, "startup", 6.0),  # 5.98 months, shown rounded
    (183, "growth", 6.0),  # 6.01 months
    (244, "growth", 8.0),  # 8 months
    (365, "growth", 12.0),  # 11.99 months
    (366, "mature", 12.0),  # 12.02 months
    (426, "mature", 14.0),  # 14 months
    (3650, "mature", 119.9),
]


@pytest.mark.parametrize(("days", "phase", "months"), AGES)
def test_phase_from_age(days: int, phase: str, months: float):
    first = date(2024, 1, 1)
    diagnosis = phase_from_age(CATALOGUE, first, first + timedelta(days=days))
    assert diagnosis.phase == phase
    assert diagnosis.outcome == "from_data"
    assert diagnosis.evidence == {"months_since_first_activity": months}
    assert (diagnosis.matched, diagnosis.reference_phases, diagnosis.proposed) == ((), (), None)


SPAN = (date(2025, 1, 1), date(2025, 9, 1))  # 243 days = 7.98 months of data → growth by age


@pytest.mark.parametrize(("answers", "override", "span", "phase", "outcome"), [
    ({"M1": True, "M2": True}, None, SPAN, "mature", "single"),  # an answered checklist beats the data's age
    ({}, None, SPAN, "startup", "undetermined"),  # answered with nothing ticked is still answered
    ({"M1": True, "M2": True}, "startup", SPAN, "startup", "override"),
    (None, "mature", SPAN, "mature", "override"),  # an override without a checklist
    (None, "growth", None, "growth", "override"),
    (None, None, SPAN, "growth", "from_data"),  # no checklist: the age of the data
    (None, None, (date(2025, 1, 1), date(2025, 2, 1)), "startup", "from_data"),
])
def test_diagnose_picks_its_source(answers, override, span, phase, outcome):
    diagnosis = diagnose(CATALOGUE, answers, override, span)
    assert (diagnosis.phase, diagnosis.outcome) == (phase, outcome)


def test_diagnose_without_anything_is_none():
    assert diagnose(CATALOGUE, None, None, None) is None
