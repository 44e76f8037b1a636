"""The examples a new user copies first run, and say what they promise.

Each runs as a script in its own interpreter, as a user would run it; the
assertions pin the lines that carry the example's point (a refusal and its
code, the worklist order), not the whole output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(name: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_book_visits() -> None:
    out = run("book_visits.py")
    for code in ("too_many_levels", "no_escort", "observation_incomplete", "no_positive_block",
                 "sedation", "same_visit"):
        assert f"[{code}]" in out
    assert "no driver or escort at check-in" in out
    assert "to count as diagnostic" in out
    assert "on a later day than the last block" in out
    assert out.count("REFUSED") == 7
    assert "Stage: neurotomy_scheduled" in out


def test_nightly_worklist_orders_overdue_today_upcoming() -> None:
    out = run("nightly_worklist.py")
    overdue, today, upcoming = (out.index(s) for s in ("OVERDUE (", "TODAY (", "UPCOMING ("))
    assert overdue < today < upcoming
    assert "pt-09  record_follow_up" in out[overdue:today]
    assert "pt-03  confirm_escort" in out[overdue:today]
    assert "pt-02  confirm_escort" in out[today:upcoming]
    # Medicare sets no gap between blocks: the confirmatory block can be booked today.
    assert "pt-07  schedule_block" in out[today:upcoming]
    assert "pt-08  record_visit_outcome" in out[upcoming:]
    assert "Nothing due: pt-10 (closed)" in out


def test_check_event_log_refuses_the_tampered_event() -> None:
    out = run("check_event_log.py")
    assert "accepted: 8 events under seed; stage neurotomy_scheduled" in out
    assert "REFUSED at line 4: BlockPerformed" in out
    assert "target_mismatch: not booked for this visit: left L3-L4" in out
    assert "unknown event type 'Arrived'" in out
    assert "entry_criteria" in out


def test_compare_policies() -> None:
    out = run("compare_policies.py", "300")
    header = out.splitlines()[0].split()
    assert header == ["seed", "medicare-l38803"]
    assert "referrals screened out" in out
    assert "sustained_relief:" in out and "under Medicare" in out
