#!/usr/bin/env python3
"""facetcare benchmarks: `make bench` runs this file (see benchmarks/harness.py).

    .venv/bin/python benchmarks/run.py              # full run
    .venv/bin/python benchmarks/run.py --quick      # 1–2 minute smoke run, scaled down
    .venv/bin/python benchmarks/run.py --json results.json
    .venv/bin/python benchmarks/run.py --sections store   # the store alone (benchmarks/store.py)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness
from benchmarks.harness import main


def _store(config: harness.Config, report: harness.Report) -> None:
    """The store section (SQLite and PostgreSQL); imported here, as it needs SQLAlchemy."""
    from benchmarks import store

    store.section(config, report)


harness.SECTIONS["store"] = _store
harness.ALL_SECTIONS = (*harness.ALL_SECTIONS, "store")

if __name__ == "__main__":
    sys.exit(main())
