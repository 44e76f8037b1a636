#!/usr/bin/env python3
"""facetcare benchmarks: `make bench` runs this file (see benchmarks/harness.py).

    .venv/bin/python benchmarks/run.py              # full run
    .venv/bin/python benchmarks/run.py --quick      # 1–2 minute smoke run, scaled down
    .venv/bin/python benchmarks/run.py --json results.json
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import main

if __name__ == "__main__":
    sys.exit(main())
