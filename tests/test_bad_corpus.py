"""Safe under abuse: every file of the bad-input corpus (tests/data/bad/, tests/make_bad_corpus.py)
through the loader, the app's check step, the Data page and the command line.

For each case: no exception; either a file-level Problem whose Japanese and English texts are
non-empty, name the file and show no traceback, or rows read = loaded + rejected + duplicates with
a row, column and translated reason for every rejection; the rows loaded before the bad file are
still there, unchanged; the load takes well under a minute; the KPIs and the Excel sheet can
still be computed afterwards. What a correct loader does with each case (`expect`, `records`,
`must_load`) is checked separately, so a wrong outcome and a crash are separate failures.

A bug found with a file gets an `xfail(strict=True)` test (and the file's name in
make_bad_corpus.OPEN_BUGS) until it is fixed; fixing it turns the test into an XPASS, which fails the
run until the mark is removed. Every bug found so far is fixed (see tests/data/bad/README.md).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from make_bad_corpus import BIG_CASES, CASES, FOLDER, OPEN_BUGS, Case, all_cases, readme, write_big
from rendering import unescaped

from phasekpi.catalogue import default_catalogue
from phasekpi.diagnosis import diagnose
from phasekpi.display import kpi_value_text
from phasekpi.export import KpiSheet, write_workbook
from phasekpi.funnel import build_funnel, find_bottleneck
from phasekpi.ingest import load_file, preview
from phasekpi.mapping import mapping_for
from phasekpi.messages import problem_text
from phasekpi.metrics import compute_grouped, compute_kpis, data_range, scorecard
from phasekpi.problems import FileReport, LoadReport, Problem, Rejection, rejections_csv
from phasekpi.schema import TABLES, Store, open_store
from phasekpi.selection import Filters
from phasekpi.sources import importable_files, read_source

ROOT = Path(__file__).resolve().parent.parent
GOOD_FILES = [  # loaded before each bad file: none of their rows may be lost or changed
    ROOT / "tests" / "data" / "ingest" / "activities_good.csv",
    ROOT / "tests" / "data" / "crm" / "salesforce_report_en_opportunities.csv",
    ROOT / "tests" / "data" / "crm" / "salesforce_dataloader_Lead.csv",
]
SECONDS = 60  # generous: the point is that nothing hangs
TRACEBACK = re.compile(r"Traceback|File \"|\b\w*(Error|Exception)\b|duckdb|openpyxl|<class ")
LANGS = ("ja", "en")
BY_NAME = {case.name: case for case in all_cases()}

# Bugs found with this corpus (see the final report / README.md's "today" column).
RAISES: set[str] = set()  # an exception escapes load_file (the seven found were fixed)
CHECK_STEP_RAISES = RAISES  # read_source + mapping + preview, as the Data page does
WRONG_OUTCOME = RAISES | set()  # loads without raising, but not what a correct loader gives (all fixed)


def params(names: set[str], cases: list[Case] | None = None) -> list:
    """One pytest param per case (the memory cases run in test_one_load_stays_under_the_memory_budget),
    xfail(strict) with the case's bug when it is in `names`."""
    return [pytest.param(case.name, id=case.name,
                         marks=[pytest.mark.xfail(strict=True, reason=case.bug)] if case.name in names else [])
            for case in (cases if cases is not None else all_cases()) if not case.memory]


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-corpus-big")


@pytest.fixture()
def corpus_path(request: pytest.FixtureRequest, big_folder: Path) -> Iterator[Path]:
    """The case's file: committed, or generated now (and deleted after the test)."""
    case = BY_NAME[request.node.callspec.params["name"]]
    if not case.big:
        yield FOLDER / case.name
        return
    path = write_big(case.name, big_folder)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def store_with_good_rows() -> tuple[Store, dict[str, list[tuple]]]:
    store = open_store(default_catalogue())
    for path in GOOD_FILES:
        report = load_file(store, path, path.name)
        assert report.error is None and report.rows_loaded > 0, path
    return store, good_rows(store)


def good_rows(store: Store) -> dict[str, list[tuple]]:
    names = [p.name for p in GOOD_FILES]
    return {spec.rows_table: store.con.execute(
        f'SELECT * FROM "{spec.rows_table}" WHERE source_file IN (SELECT unnest($names)) ORDER BY source_file, source_row',
        {"names": names}).fetchall() for spec in TABLES.values()}


def row_count(store: Store) -> int:
    return sum(store.con.execute(f'SELECT count(*) FROM "{s.rows_table}"').fetchone()[0] for s in TABLES.values())


def assert_readable(problem: Problem, file: str) -> None:
    """A problem in words: both languages, the file named when it is a parameter, no traceback."""
    for lang in LANGS:
        text = problem_text(problem, lang)
        assert text.strip(), (problem, lang)
        assert not TRACEBACK.search(text), (lang, text)
        if "file" in problem.params:
            assert file in text, (lang, text)


def assert_sound(report: FileReport, name: str) -> None:
    if report.error is not None:
        assert isinstance(report.error, Problem)
        assert report.rows_loaded == 0
        assert_readable(report.error, name)
        return
    assert report.balanced, report
    for rejection in report.rejections:
        assert isinstance(rejection.row, int) and rejection.row >= 2, rejection
        # a malformed row may name no column (a swallowed line that split wrong); the reason says what broke
        assert rejection.column or rejection.problem.key == "malformed_row", rejection
        assert_readable(rejection.problem, name)


def loaded_ids(store: Store, name: str) -> set[str]:
    ids = set()
    for spec in TABLES.values():
        ids |= {r[0] for r in store.con.execute(
            f'SELECT "{spec.id_column}" FROM "{spec.rows_table}" WHERE source_file = $name', {"name": name}).fetchall()}
    return ids


def downstream(store: Store, report: FileReport | None = None) -> bytes:
    """What the pages do with the data: KPIs of every phase as text, the funnel, the per-rep
    results and the Excel sheet (as the export page builds it); returns the workbook."""
    catalogue = default_catalogue()
    results = compute_kpis(store, catalogue, Filters())
    assert results is not None  # the good rows are there
    diagnosis = diagnose(catalogue, None, None, data_range(store))
    for phase in catalogue.phase_ids:
        for row in scorecard(catalogue, phase, results):
            for lang in LANGS:
                kpi_value_text(catalogue, row.kpi_id, row.actual, lang)
    find_bottleneck(build_funnel(catalogue, "activity", results))
    stream = io.BytesIO()
    write_workbook(stream, KpiSheet(catalogue=catalogue, results=results, diagnosis=diagnosis, answers={}, lang="ja",
                                    load_report=LoadReport([report] if report else []),
                                    by_rep=compute_grouped(store, catalogue, Filters(), "rep")))
    return stream.getvalue()


# ---------------------------------------------------------------------------------------------
# the corpus itself


def test_the_corpus_is_big_enough_and_committed_as_generated(tmp_path: Path) -> None:
    from make_bad_corpus import write_corpus

    assert len(all_cases()) >= 40
    assert len({c.name for c in all_cases()}) == len(all_cases())
    write_corpus(tmp_path)
    committed = sorted(p.name for p in FOLDER.iterdir())
    assert committed == sorted([*(c.name for c in CASES), "README.md"])
    for case in CASES:
        assert (FOLDER / case.name).read_bytes() == (tmp_path / case.name).read_bytes(), \
            f"{case.name}: run .venv/bin/python tests/make_bad_corpus.py"
    assert (FOLDER / "README.md").read_text(encoding="utf-8") == readme()
    assert not any(c.big for c in CASES) and all(c.big for c in BIG_CASES)
    assert all(c.expect == "loads" or c.expect.startswith("error") for c in all_cases())
    assert WRONG_OUTCOME <= OPEN_BUGS and {c.name for c in all_cases() if c.bug} >= OPEN_BUGS


# ---------------------------------------------------------------------------------------------
# every case through load_file


@pytest.mark.parametrize("name", params(RAISES))
def test_bad_file_never_breaks_the_loader(name: str, corpus_path: Path) -> None:
    store, before = store_with_good_rows()
    count = row_count(store)
    started = time.monotonic()
    report = load_file(store, corpus_path, name)
    assert time.monotonic() - started < SECONDS
    assert_sound(report, name)
    assert good_rows(store) == before, "rows loaded before the bad file changed"
    assert row_count(store) == count + report.rows_loaded
    downstream(store, report)


@pytest.mark.parametrize("name", params(WRONG_OUTCOME))
def test_bad_file_gives_the_expected_outcome(name: str, corpus_path: Path) -> None:
    case = BY_NAME[name]
    store = open_store(default_catalogue())
    report = load_file(store, corpus_path, name)
    if case.expect.startswith("error"):
        assert report.error is not None, f"{name} loaded {report.rows_loaded} rows as {report.kind}"
        if ":" in case.expect:
            assert report.error.key == case.expect.split(":", 1)[1]
        assert row_count(store) == 0
        return
    assert report.error is None, problem_text(report.error, "en")
    if case.records is not None:
        assert report.rows_read == case.records
    missing = set(case.must_load) - loaded_ids(store, name)
    assert not missing, f"not loaded: {sorted(missing)}; rejected {[(r.row, r.problem.key) for r in report.rejections]}"


@pytest.mark.parametrize("name", params(CHECK_STEP_RAISES, CASES))
def test_the_check_step_never_raises(name: str, corpus_path: Path) -> None:
    """What "ファイルを確認する" runs for each upload: recognise, propose a mapping, preview 5 rows."""
    source, problem = read_source(corpus_path, name)
    if source is None:
        assert_readable(problem, name)
        return
    try:
        mapping = mapping_for(source.header, None)
        if mapping.columns and not mapping.missing:
            for row in preview(source, mapping):
                assert all(isinstance(v, str) for v in row.values())
    finally:
        source.discard()


def test_ids_repeated_across_two_files_count_as_duplicates_and_nothing_is_lost() -> None:
    store, before = store_with_good_rows()
    first = load_file(store, FOLDER / "duplicate_ids_across_1.csv", "duplicate_ids_across_1.csv")
    second = load_file(store, FOLDER / "duplicate_ids_across_2.csv", "duplicate_ids_across_2.csv")
    assert (first.rows_read, first.rows_loaded, first.duplicates) == (3, 3, 0)
    assert (second.rows_read, second.rows_loaded, second.duplicates) == (3, 1, 2)
    assert loaded_ids(store, "duplicate_ids_across_1.csv") == {"z1", "z2", "z3"}
    assert loaded_ids(store, "duplicate_ids_across_2.csv") == {"z4"}
    assert good_rows(store) == before


def test_duplicates_inside_one_file_keep_the_first_row() -> None:
    store = open_store(default_catalogue())
    report = load_file(store, FOLDER / "duplicate_ids_same_file.csv", "dup.csv")
    assert (report.rows_read, report.rows_loaded, report.duplicates) == (5, 3, 2)
    rows = store.con.execute("SELECT activity_id, rep, source_row FROM activities_rows ORDER BY source_row").fetchall()
    assert rows == [("b1", "佐藤 健", 2), ("b2", "佐藤 健", 3), ("b3", "鈴木 美咲", 4)]


@pytest.mark.parametrize("name", ["formula_injection.csv", "html_script.csv", "emoji_and_odd_text.csv",
                                  "control_characters.csv", "formula_header_names.csv", "markdown_rep_names.csv"])
def test_hostile_text_is_kept_verbatim_as_data_and_never_becomes_a_formula(name: str) -> None:
    """Formulas, markup, emoji and control characters are data: stored exactly as written, and the
    Excel sheet (which lists reps and rejected values) never turns them into formulas."""
    from openpyxl import load_workbook

    store = open_store(default_catalogue())
    report = load_file(store, FOLDER / name, name)
    assert report.error is None
    with (FOLDER / name).open(encoding="utf-8", newline="") as text:
        expected = {row["activity_id"]: (row["rep"], row["outcome"]) for row in csv.DictReader(text)}
    stored = store.con.execute("SELECT activity_id, rep, outcome FROM activities_rows").fetchall()
    assert stored and all(expected[i] == (rep, outcome) for i, rep, outcome in stored)
    book = load_workbook(io.BytesIO(downstream(store, report)))
    user_text = {v for pair in expected.values() for v in pair} | {r.value for r in report.rejections}
    formulas = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not [f for f in formulas if "evil" in str(f) or f in user_text or str(f).lstrip("=") in user_text]


# ---------------------------------------------------------------------------------------------
# bugs found by the corpus, one test each


@pytest.mark.parametrize(("name", "table", "column", "right"), [
    ("semicolon_comma_decimals.csv", "opportunities", "amount", {"e1": 1234.56, "e2": 1.5, "e3": 2_000_000.0}),
    ("semicolon_comma_durations.csv", "activities", "duration_sec", {"k1": 1.5, "k2": 90.25}),
])
def test_decimal_commas_are_never_read_as_thousands(name: str, table: str, column: str, right: dict[str, float]) -> None:
    """A value either loads right or is rejected; never 100 times too big or too small."""
    store = open_store(default_catalogue())
    load_file(store, FOLDER / name, name)
    id_column = TABLES[table].id_column
    loaded = dict(store.con.execute(f'SELECT "{id_column}", CAST("{column}" AS DOUBLE) FROM "{table}_rows"').fetchall())
    wrong = {key: value for key, value in loaded.items() if not math.isclose(value, right[key])}
    assert not wrong, f"loaded with the wrong value: {wrong}"


def test_nan_and_infinity_are_rejected_as_numbers() -> None:
    store = open_store(default_catalogue())
    report = load_file(store, FOLDER / "nan_quality_score.csv", "nan_quality_score.csv")
    assert {(r.row, r.problem.key) for r in report.rejections} == {(2, "bad_number"), (3, "bad_number")}
    values = [v for (v,) in store.con.execute("SELECT quality_score FROM opportunities_rows").fetchall()]
    assert all(v is None or math.isfinite(v) for v in values)


def test_utf8_file_with_one_cp932_row_is_never_loaded_as_mojibake() -> None:
    store = open_store(default_catalogue())
    report = load_file(store, FOLDER / "mixed_encodings_silent.csv", "mixed_encodings_silent.csv")
    reps = {r for (r,) in store.con.execute("SELECT rep FROM activities_rows").fetchall()}
    assert report.error is not None or reps <= {"佐藤 健", "田中", "小林"}, f"loaded as {sorted(reps)}"


@pytest.mark.parametrize(("name", "bad_row"), [
    pytest.param("blank_lines_between_rows.csv", 6, id="3-blank-lines"),
    pytest.param("empty_lines_1m.csv", 1_000_003, id="1m-empty-lines"),
])
def test_rejections_name_the_spreadsheet_row_after_blank_lines(name: str, bad_row: int, big_folder: Path) -> None:
    path = write_big(name, big_folder) if name in {c.name for c in BIG_CASES} else FOLDER / name
    store = open_store(default_catalogue())
    report = load_file(store, path, name)
    assert [r.row for r in report.rejections] == [bad_row]


@pytest.mark.parametrize("name", ["truncated_mid_quote.csv", "row_ten_times_wider.csv"])
def test_malformed_row_reason_is_translated(name: str) -> None:
    report = load_file(open_store(default_catalogue()), FOLDER / name, name)
    malformed = [r for r in report.rejections if r.problem.key == "malformed_row"]
    assert malformed
    for rejection in malformed:
        assert not re.search(r"[A-Z]{2,}", problem_text(rejection.problem, "ja")), problem_text(rejection.problem, "ja")
        assert not re.search(r"\b[A-Z]{2,} [A-Z]{2,}\b", problem_text(rejection.problem, "en"))


def test_malformed_row_rejection_names_a_column() -> None:
    report = load_file(open_store(default_catalogue()), FOLDER / "row_ten_times_wider.csv", "wide.csv")
    assert [r.column for r in report.rejections if r.problem.key == "malformed_row"] != [""]


def test_rejected_rows_csv_neutralises_formulas() -> None:
    report = load_file(open_store(default_catalogue()), FOLDER / "formula_injection.csv", "formula_injection.csv")
    assert report.rejections
    data = rejections_csv(LoadReport([report]), lambda p: problem_text(p, "ja"), ["file", "row", "column", "value", "reason"])
    cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)  # the value is still shown …
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]  # … but never as a formula


@pytest.mark.parametrize("name", ["binary_random.csv", "nul_bytes.csv"])
def test_binary_file_message_is_in_japanese(name: str) -> None:
    report = load_file(open_store(default_catalogue()), FOLDER / name, name)
    assert "binary" not in problem_text(report.error, "ja").replace(name, "")


@pytest.mark.parametrize("name", ["damaged.xlsx", "truncated.xlsx"])
def test_damaged_workbook_message_says_it_is_damaged(name: str) -> None:
    report = load_file(open_store(default_catalogue()), FOLDER / name, name)
    assert report.error is not None and report.error.key != "not_a_table"
    assert_readable(report.error, name)


def test_unknown_kind_message_for_a_header_without_names() -> None:
    report = load_file(open_store(default_catalogue()), FOLDER / "header_only_delimiters.csv", "blank.csv")
    assert report.error is not None
    for lang in LANGS:
        assert not re.search(r"[:：]\s*(,\s*)+[)）]", problem_text(report.error, lang)), problem_text(report.error, lang)


# ---------------------------------------------------------------------------------------------
# the Data page (AppTest): upload, check, load


APP_CASES = {  # file → what the page must show (a fragment), or None for "loads"
    "empty.csv": "empty.csv は空のファイルです",
    "pdf_renamed.csv": "pdf_renamed.csv はCSV(表形式のテキスト)ではなくPDFファイルのようです",
    "formula_injection.csv": None,
    "html_script.csv": None,
    "mixed_line_endings.csv": None,
    "nan_infinity_amounts.csv": None,
    "damaged_sheet.xlsx": "damaged_sheet.xlsx",
    "time_cells.xlsx": None,
}


@pytest.mark.parametrize("name", params(CHECK_STEP_RAISES, [BY_NAME[n] for n in APP_CASES]))
def test_data_page_survives_the_upload(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PHASEKPI_PROFILES", str(tmp_path / "profiles.json"))
    monkeypatch.setenv("PHASEKPI_WORKSPACE", str(tmp_path / "workspace.duckdb"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("views/data.py").run()
    app.file_uploader[0].set_value([(name, (FOLDER / name).read_bytes(), "text/csv")])
    app.button[0].click().run()  # ファイルを確認する
    assert not app.exception, app.exception[0].message if app.exception else ""
    load = [b for b in app.button if b.label == "読み込む"]
    if load:
        load[0].click().run()
        assert not app.exception, app.exception[0].message if app.exception else ""
    shown = " ".join(unescaped(e.value) for kind in ("error", "warning", "success", "markdown") for e in getattr(app, kind))
    expected = APP_CASES[name] or f"{name}("
    assert expected in shown
    assert "Traceback" not in shown


@pytest.mark.parametrize("name", ["pdf_renamed.csv", "empty.csv", "header_only_cp932.csv"])
def test_data_page_keeps_the_loaded_data_when_nothing_new_can_be_loaded(name: str, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PHASEKPI_PROFILES", str(tmp_path / "profiles.json"))
    monkeypatch.setenv("PHASEKPI_WORKSPACE", str(tmp_path / "workspace.duckdb"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("views/data.py").run()

    def upload_and_load(file_name: str, data: bytes) -> None:
        app.file_uploader[0].set_value([(file_name, data, "text/csv")])
        app.button[0].click().run()
        for load in [b for b in app.button if b.label == "読み込む"]:  # absent when every file was refused
            load.click().run()
        assert not app.exception

    upload_and_load("calls.csv", GOOD_FILES[0].read_bytes())
    loaded = app.session_state["store"].con.execute("SELECT count(*) FROM activities_rows").fetchone()[0]
    assert loaded > 0
    upload_and_load(name, (FOLDER / name).read_bytes())  # the user picked the wrong file (and pressed 読み込む)
    assert any(name in unescaped(e.value) for e in app.error)  # told why …
    assert app.session_state["store"].con.execute("SELECT count(*) FROM activities_rows").fetchone()[0] == loaded


# ---------------------------------------------------------------------------------------------
# the command line


CLI_CASES = ["empty.csv", "pdf_renamed.csv", "header_only_cp932.csv", "formula_injection.csv", "mixed_line_endings.csv",
             "users_list.csv", "row_ten_times_wider.csv", "damaged_sheet.xlsx", "nan_infinity_amounts.csv",
             "gzip_truncated.csv.gz"]


def run_cli(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "phasekpi", "kpis", *map(str, files), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=SECONDS, env={**os.environ, "PYTHONUTF8": "1",
                                                                               "PHASEKPI_PROFILES": os.devnull})


@pytest.mark.parametrize("name", params(RAISES, [BY_NAME[n] for n in CLI_CASES]))
def test_cli_reports_bad_files_without_a_traceback(name: str) -> None:
    done = run_cli(FOLDER / name)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    if done.returncode == 0:
        json.loads(done.stdout)
    assert name in done.stderr  # the load report names the file


@pytest.mark.parametrize("name", params(RAISES, [BY_NAME[n] for n in ["pdf_renamed.csv", "nan_infinity_amounts.csv"]]))
def test_cli_still_reports_the_good_file_next_to_a_bad_one(name: str) -> None:
    done = run_cli(GOOD_FILES[0], FOLDER / name)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["kpis"]


def test_a_reason_that_quotes_a_formula_header_is_neutralised_too() -> None:
    problem = Problem("bad_date", {"column": "=HYPERLINK(\"http://x\",\"y\")"})
    report = FileReport(file="calls.csv", kind="activities", rows_read=1,
                        rejections=[Rejection(2, "=HYPERLINK(\"http://x\",\"y\")", "2025-13-01", problem)])
    data = rejections_csv(LoadReport([report]), lambda p: problem_text(p, "ja"), ["file", "row", "column", "value", "reason"])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][4] == "'=HYPERLINK(\"http://x\",\"y\") を日付として読めません"
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]


def test_the_import_folder_lists_only_regular_files_really_in_it(tmp_path: Path) -> None:
    folder, elsewhere = tmp_path / "import", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    (folder / "calls.csv").write_text("occurred_at,rep\n2025-04-01,A\n", encoding="utf-8")
    (elsewhere / "secret.csv").write_text("password\nhunter2\n", encoding="utf-8")
    (folder / "secret.csv").symlink_to(elsewhere / "secret.csv")
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    os.mkfifo(folder / "pipe.csv")
    (folder / "sub.csv").mkdir()
    assert [p.name for p in importable_files(folder)] == ["calls.csv"]


# ---------------------------------------------------------------------------------------------
# memory: each case loaded alone in a subprocess whose address space is capped

ADDRESS_SPACE = 3 << 30  # a regression fails the test here instead of taking the machine's memory
PEAK_BUDGET_MB = 1536  # issue 13: one load of any corpus file stays under 1.5 GB
MEMORY_PROBE = """
import json, resource, sys
from pathlib import Path
from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.schema import TABLES, open_store
store = open_store(default_catalogue())
report = load_file(store, Path(sys.argv[1]), Path(sys.argv[1]).name)
ids = set()
for spec in TABLES.values():
    ids |= {r[0] for r in store.con.execute(f'SELECT "{spec.id_column}" FROM "{spec.rows_table}"').fetchall()}
print(json.dumps({"error": report.error.key if report.error else None, "read": report.rows_read,
                  "balanced": report.balanced, "ids": sorted(set(sys.argv[2:]) & ids),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def capped_address_space() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.mark.parametrize("name", [case.name for case in BIG_CASES if case.memory])
def test_one_load_stays_under_the_memory_budget(name: str, big_folder: Path) -> None:
    case = BY_NAME[name]
    path = write_big(name, big_folder)
    try:
        run = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path), *case.must_load], capture_output=True,
                             text=True, cwd=ROOT, timeout=300, preexec_fn=capped_address_space,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        path.unlink(missing_ok=True)
    assert run.returncode == 0, run.stderr[-2000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"{name}: peak {outcome['peak_mb']:.0f} MB")  # the numbers of the note (pytest -s)
    assert outcome["peak_mb"] <= PEAK_BUDGET_MB, outcome
    if case.expect.startswith("error:"):
        assert outcome["error"] == case.expect.split(":", 1)[1], outcome
        return
    assert outcome["error"] is None and outcome["balanced"], outcome
    assert outcome["read"] == case.records and outcome["ids"] == sorted(case.must_load), outcome


# ---------------------------------------------------------------------------------------------
# values read as written (counted by hand from the builders in make_bad_corpus.py)

TOKYO_0900 = datetime(2025, 4, 1, 9, 0)


@pytest.mark.parametrize(("name", "record", "column", "expected"), [
    *(("named_time_zones.csv", f"z{i}", "occurred_at", TOKYO_0900) for i in range(1, 8)),  # one instant, 7 spellings
    ("fullwidth_values.csv", "w1", "occurred_at", TOKYO_0900),
    ("fullwidth_values.csv", "w1", "duration_sec", 120.0),
    ("padded_values.csv", "s1", "rep", "佐藤 健"),
    ("padded_values.csv", "s1", "outcome", "接続"),
    ("cp932_extensions.csv", "e1", "rep", "髙橋 ①"),
    ("cp932_halfwidth_kana.csv", "h1", "rep", "ｻﾄｳ ｹﾝ"),
    ("error_cells.xlsx", "x1", "duration_sec", 60.0),
    ("hidden_stale_sheet.xlsx", "x2", "occurred_at", datetime(2025, 4, 2, 9, 0)),
    ("markdown_rep_names.csv", "k1", "rep", "![x](http://host.example/px.png)"),
    ("markdown_rep_names.csv", "k3", "rep", ":red[赤字] :smile:"),
])
def test_corpus_values_are_read_as_written(name: str, record: str, column: str, expected: object) -> None:
    store = open_store(default_catalogue())
    report = load_file(store, FOLDER / name, name)
    assert report.error is None
    spec = TABLES[report.kind]
    rows = store.con.execute(f'SELECT "{column}" FROM "{spec.rows_table}" WHERE "{spec.id_column}" = ?', [record]).fetchall()
    assert rows == [(expected,)]


@pytest.mark.parametrize(("name", "rejected"), [
    ("named_time_zones.csv", [(9, "occurred_at", "bad_date"), (10, "occurred_at", "bad_date"),
                              (11, "occurred_at", "bad_date"), (12, "occurred_at", "bad_date")]),
    ("error_cells.xlsx", [(3, "日付", "bad_date"), (3, "通話時間", "bad_duration"), (4, "通話時間", "bad_duration")]),
    ("fullwidth_values.csv", [(3, "duration_sec", "negative_value")]),
    ("sparse_far_cell.xlsx", [(1048576, None, "malformed_row")]),
])
def test_corpus_rejections_name_row_column_and_reason(name: str, rejected: list[tuple]) -> None:
    report = load_file(open_store(default_catalogue()), FOLDER / name, name)
    assert [(r.row, r.column if r.problem.key != "malformed_row" else None, r.problem.key)
            for r in report.rejections] == rejected


def test_a_hidden_sheet_is_never_read_unless_chosen() -> None:
    store = open_store(default_catalogue())
    load_file(store, FOLDER / "hidden_stale_sheet.xlsx", "hidden_stale_sheet.xlsx")
    ids = {r[0] for r in store.con.execute("SELECT activity_id FROM activities").fetchall()}
    assert ids == {"x1", "x2", "x3"}
    source, _ = read_source(FOLDER / "hidden_stale_sheet.xlsx", "hidden_stale_sheet.xlsx", sheet="旧データ")
    assert source.sheet == "旧データ"
    source.discard()


def test_uncalculated_formulas_say_which_column_and_cell() -> None:
    report = load_file(open_store(default_catalogue()), FOLDER / "uncalculated_formulas.xlsx", "u.xlsx")
    assert (report.error.key, report.error.params) == (
        "uncalculated_formulas", {"file": "u.xlsx", "column": "日付", "count": "3", "cell": "B2"})
    assert "B2" in problem_text(report.error, "ja") and "Excel" in problem_text(report.error, "en")


@pytest.mark.parametrize(("name", "readers"), [
    ("mixed_line_endings.csv", ("", "python")), ("crlf_with_one_lf_row.csv", ("", "python")),
    ("utf16_be.csv", ("", "duckdb")), ("hidden_stale_sheet.xlsx", ("calamine", "duckdb")),
    ("error_cells.xlsx", ("openpyxl", "duckdb")), ("sparse_far_cell.xlsx", ("openpyxl", "duckdb")),
])
def test_the_report_says_which_readers_read_the_file(name: str, readers: tuple[str, str]) -> None:
    from phasekpi.display import technical_text

    report = load_file(open_store(default_catalogue()), FOLDER / name, name)
    assert (report.workbook_reader, report.reader) == readers
    assert ("Python" in technical_text(report, "en")) == (readers[1] == "python")


def test_the_cli_says_when_the_slow_reader_ran() -> None:
    run = run_cli(FOLDER / "mixed_line_endings.csv")
    assert "Python" in run.stderr and "改行の混在" in run.stderr
