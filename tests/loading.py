"""Small CSV files written in a test and loaded into a fresh store (shared by the coverage and health tests)."""

import csv
from pathlib import Path

from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.schema import Store, open_store


def store_with(tmp_path: Path, **files: tuple[list[str], list[list[str]]]) -> Store:
    """name=(header, rows) for each file, loaded in the order given; every file must load whole."""
    store = open_store(default_catalogue())
    for name, (header, rows) in files.items():
        path = tmp_path / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream).writerows([header, *rows])
        report = load_file(store, path, path.name)
        assert report.error is None and not report.rejections, report
    return store
