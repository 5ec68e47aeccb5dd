"""Real CRM exports in, nothing lost (tests/data/crm/, expectations in tests/data/crm/expected.yaml).

Each fixture is written the way its product exports (README.md in that folder says which product
and documentation it imitates): Salesforce reports in Japanese (CP932) and English, Salesforce
Data Loader files, HubSpot in English and Japanese, Zoho CRM, Mazrica, a kintone app saved as
UTF-16 text, a `;`-separated call-tool log and an Excel workbook. Every file must load without a
file error, every row must be accounted for, the kind must be recognised and the canonical values
read back must be the ones the export meant.
"""

from __future__ import annotations

import codecs
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_files, load_source
from phasekpi.mapping import load_synonyms, normalise, propose_mapping
from phasekpi.problems import FileReport
from phasekpi.schema import TABLES, Store, open_store
from phasekpi.sources import read_source

DATA = Path(__file__).parent / "data" / "crm"
EXPECTED = yaml.safe_load((DATA / "expected.yaml").read_text(encoding="utf-8"))["fixtures"]
CATALOGUE = default_catalogue()


def case_id(case: dict) -> str:
    return case["file"] + (f"[{case['sheet']}]" if case.get("sheet") else "")


CASES = [pytest.param(case, id=case_id(case)) for case in EXPECTED]


@pytest.fixture
def store() -> Store:
    return open_store(CATALOGUE)


def load(store: Store, case: dict) -> FileReport:
    """The fixture through load_files, as an upload; a named sheet the way the app loads a sheet the
    user picked (load_files itself loads a workbook's first sheet)."""
    path = DATA / case["file"]
    if not case.get("sheet"):
        report = load_files(store, [(path, path.name)])
        assert len(report.files) == 1
        return report.files[0]
    source, problem = read_source(path, path.name, case["sheet"])
    assert problem is None, problem
    try:
        return load_source(store, source, propose_mapping(source.header))
    finally:
        source.discard()


def comparable(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def same(actual: object, expected: object) -> bool:
    actual = comparable(actual)
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=0, abs_tol=0.005)
    return str(actual) == str(expected)


# ----------------------------------------------------------------------------- the fixtures themselves

def test_every_fixture_has_expectations() -> None:
    listed = {case["file"] for case in EXPECTED}
    present = {p.name for p in DATA.iterdir()
               if p.suffix in (".csv", ".txt", ".xlsx") and not p.name.startswith("LICENSE")}
    assert listed == present


def test_fixtures_are_written_as_their_products_export() -> None:
    """Encodings, byte-order marks, line endings and delimiters are the point of these files."""
    def raw(name: str) -> bytes:
        return (DATA / name).read_bytes()

    sf_ja = raw("salesforce_report_ja_activities_cp932.csv")
    text = sf_ja.decode("cp932")
    assert "㈱" in text and "髙" in text
    with pytest.raises(UnicodeDecodeError):
        sf_ja.decode("shift_jis")  # CP932, not Shift_JIS: ㈱ ㈲ 髙 are outside JIS X 0208
    assert sf_ja.count(b"\r\n") == 9 and sf_ja.count(b"\n") == 9
    mazrica = raw("mazrica_deals_cp932.csv").decode("cp932")
    assert "１２０００００" in mazrica and "2025年4月1日" in mazrica
    for name in ("salesforce_report_en_opportunities.csv", "salesforce_dataloader_Opportunity.csv",
                 "salesforce_dataloader_Task.csv", "salesforce_dataloader_Lead.csv"):
        assert raw(name).startswith(codecs.BOM_UTF8), name
    for name in ("hubspot_deals_en.csv", "hubspot_calls_ja.csv", "zoho_calls.csv", "zoho_potentials.csv",
                 "calltool_log_semicolon.csv"):
        assert not raw(name).startswith(codecs.BOM_UTF8), name
        raw(name).decode("utf-8")
    kintone = raw("kintone_calls_utf16.txt")
    assert kintone.startswith(codecs.BOM_UTF16_LE)
    lines = kintone.decode("utf-16").split("\r\n")
    assert lines[0].split("\t")[:3] == ["レコード番号", "作成日時", "作成者"]
    calltool = raw("calltool_log_semicolon.csv").decode("utf-8")
    assert calltool.splitlines()[0].count(";") == 9 and '"Demo on 10 April\nbring' in calltool


def test_workbook_has_date_cells_and_serial_numbers() -> None:
    from openpyxl import load_workbook

    book = load_workbook(DATA / "spreadsheet.xlsx")
    calls, leads = book["架電履歴"], book["リード"]
    assert book.sheetnames == ["架電履歴", "リード"]
    assert isinstance(calls["A2"].value, datetime) and calls["A2"].is_date
    assert isinstance(leads["B2"].value, int) and not leads["B2"].is_date and leads["B2"].value == 45748


# ----------------------------------------------------------------------------- column_synonyms.yaml

def test_no_header_means_two_fields_of_one_table() -> None:
    synonyms = load_synonyms()
    clashes = []
    for table, fields in synonyms.tables.items():
        owner: dict[str, str] = {}
        for name, words in fields.items():
            for word in (name, *words):
                key = normalise(word)
                if owner.setdefault(key, name) != name:
                    clashes.append(f"{table}: {word!r} is listed for {owner[key]} and {name}")
    assert clashes == []


# ----------------------------------------------------------------------------- loading

@pytest.mark.parametrize("case", CASES)
def test_mapping_is_proposed(case: dict) -> None:
    path = DATA / case["file"]
    source, problem = read_source(path, path.name, case.get("sheet"))
    assert problem is None, problem
    source.discard()
    assert source.encoding == case["encoding"]
    mapping = propose_mapping(source.header)
    assert mapping.kind == case["kind"]
    assert {field: mapping.columns.get(field) for field in case["mapping"]} == case["mapping"]


@pytest.mark.parametrize("case", CASES)
def test_every_row_is_loaded(case: dict, store: Store) -> None:
    report = load(store, case)
    assert report.error is None, report.error
    assert report.kind == case["kind"]
    assert report.rows_read == case["rows"]
    assert report.rows_rejected == case.get("rejected", 0), [
        (r.row, r.column, r.value, r.problem.key) for r in report.rejections]
    assert report.duplicates == 0
    assert report.rows_loaded == case["rows"] - case.get("rejected", 0)
    assert report.balanced
    table = TABLES[case["kind"]].rows_table
    assert store.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == report.rows_loaded


@pytest.mark.parametrize("case", CASES)
def test_canonical_values(case: dict, store: Store) -> None:
    report = load(store, case)
    assert (report.error, report.kind) == (None, case["kind"])
    problems = []
    for expected in case["values"]:
        fields = [f for f in expected if f != "row"]
        columns = ", ".join(f'"{f}"' for f in fields)
        row = store.con.execute(f'SELECT {columns} FROM "{case["kind"]}" WHERE source_file = ? AND source_row = ?',
                                [report.file, expected["row"]]).fetchone()
        if row is None:
            problems.append(f"row {expected['row']}: not loaded")
            continue
        problems += [f"row {expected['row']} {f}: {comparable(actual)!r}, expected {expected[f]!r}"
                     for f, actual in zip(fields, row, strict=True) if not same(actual, expected[f])]
    assert problems == []
