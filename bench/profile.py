"""Where the time of one step goes: `python -m bench.profile [ingest|ingest_cp932|kpis] [SIZE]`.

Runs the step under cProfile and prints the cumulative seconds of the project's own functions
(DuckDB's work is counted in the function that called it), slowest first. The dataset is
bench.scale's (generated on first use).
"""

from __future__ import annotations

import cProfile
import pstats
import sys
from collections.abc import Callable
from pathlib import Path

from bench.scale import Dataset, dataset
from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file, load_files
from phasekpi.metrics import compute_kpis
from phasekpi.schema import open_store
from phasekpi.selection import Filters

FILES = ("activities", "leads", "opportunities")


def steps(data: Dataset) -> dict[str, Callable[[], object]]:
    catalogue = default_catalogue()

    def kpis() -> object:
        store = open_store(catalogue)
        load_files(store, [(data.path(n), f"{n}.csv") for n in FILES])
        return compute_kpis(store, catalogue, Filters())

    return {
        "ingest": lambda: load_file(open_store(catalogue), data.path("activities"), "activities.csv"),
        "ingest_cp932": lambda: load_file(open_store(catalogue), data.cp932, "activities_cp932.csv"),
        "kpis": kpis,
    }


def main(argv: list[str]) -> int:
    step, size = (argv + ["ingest", "1m"][len(argv):])[:2]
    profiler = cProfile.Profile()
    profiler.runcall(steps(dataset(size))[step])
    stats = pstats.Stats(profiler)
    root = str(Path(__file__).resolve().parent.parent / "phasekpi")
    rows = [(cumulative, calls, f"{Path(file).name}:{line} {name}")
            for (file, line, name), (calls, _, _, cumulative, _) in stats.stats.items() if file.startswith(root)]
    print(f"{step} at {size}: {stats.total_tt:.3f} s in all\n\n| seconds (cumulative) | calls | function |\n|---:|---:|---|")
    for cumulative, calls, where in sorted(rows, reverse=True)[:25]:
        print(f"| {cumulative:.3f} | {calls} | `{where}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
