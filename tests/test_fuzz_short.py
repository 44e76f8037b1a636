"""The fuzz campaign of `make fuzz` (benchmarks/fuzz.py), short: every target, few examples."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import fuzz


def test_a_short_fuzz_campaign_finds_nothing() -> None:
    lines: list[str] = []
    ran, failed = fuzz.campaign(1500, out=lines.append)
    assert failed == 0, "\n".join(lines)
    assert ran >= 1500
