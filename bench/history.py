"""The team's history at scale: `python -m bench.history [SIZE]`.

Adds bench.real_shapes' Salesforce-Japan report (SIZE rows, default 1m) to an empty history, then a
7-row weekly export on top of it (each add replays the history first), opens the history as a new
store (the replay), saves it as a server does once per version, and copies it into a session's
store. Seconds per step, the Parquet batch size, and the process's peak RSS.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.real_shapes import write_report
from phasekpi.catalogue import default_catalogue
from phasekpi.history import History
from phasekpi.mapping import mapping_for
from phasekpi.schema import open_store
from phasekpi.snapshot import load_rows, saved_history
from phasekpi.sources import read_source

WEEK = Path(__file__).resolve().parent.parent / "tests" / "data" / "exports" / "calls_week_1.csv"


def main(argv: list[str]) -> int:
    size = argv[0] if argv else "1m"
    report, _ = write_report(size)
    catalogue = default_catalogue()
    history = History(Path(tempfile.mkdtemp(prefix="phasekpi-bench-history-")))

    def add(path: Path) -> None:
        source, _ = read_source(path, path.name)
        store, _, _ = history.add(lambda: open_store(catalogue), [(source, mapping_for(source.header, None))])
        store.con.close()
        source.discard()

    def opened() -> None:
        history.open(lambda: open_store(catalogue))[0].con.close()

    saved: list[Path] = []
    steps = {
        f"add the {size}-row report to an empty history": lambda: add(report),
        "add a 7-row week on top (replay + load + batch)": lambda: add(WEEK),
        "open the history (replay)": opened,
        "save it once per version (server)": lambda: saved.append(
            saved_history(history, history.manifest().version, history.stamp(), catalogue)),
        "copy into a new session's store": lambda: load_rows(open_store(catalogue), saved[-1]),
    }
    print(f"| step ({size} rows) | seconds |\n| --- | ---: |")
    for name, step in steps.items():
        began = time.perf_counter()
        step()
        print(f"| {name} | {time.perf_counter() - began:.2f} |")
    batches = sum(p.stat().st_size for p in history.batches.iterdir()) / 1e6
    print(f"\nParquet batches {batches:.1f} MB; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
