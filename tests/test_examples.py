"""The patient journey example runs as a clinic developer would run it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "patient_journey.py"


@pytest.fixture(scope="module")
def output() -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_it_ends_with_a_new_block_booked(output: str) -> None:
    assert "Final stage: block_scheduled" in output
    assert "reads back equal" in output


def test_the_two_refusals_are_shown_with_their_codes(output: str) -> None:
    assert "refused [no_escort]" in output
    assert "refused [outside_relief_window]" in output
    assert "7 h after the block" in output
    # A refusal changes nothing: the stage is reported unchanged.
    assert "stage stays: block_scheduled" in output
    assert "stage stays: relief_assessment" in output


def test_every_stage_of_the_journey_is_shown_in_order(output: str) -> None:
    stages = re.findall(r"^    stage: (\w+)$", output, flags=re.MULTILINE)
    assert stages == [
        "referred", "block_scheduled", "block_visit", "block_observation", "relief_assessment",
        "relief_assessment", "block_positive", "neurotomy_scheduled", "neurotomy_visit",
        "neurotomy_recovery", "follow_up", "follow_up", "sustained_relief", "recurrence",
        "block_scheduled",
    ]


def test_due_tasks_are_printed_with_their_windows(output: str) -> None:
    assert re.search(r"due: confirm_escort .* by Tue 21 Apr 2026 09:00", output)
    assert re.search(r"due: discharge +from Tue 21 Apr 2026 10:30", output)
    assert re.search(r"due: assess_relief +from Tue 21 Apr 2026 13:30", output)
    assert re.search(r"due: record_follow_up .* by Tue 02 Jun 2026 09:15", output)
    assert "due: decide_next_step" in output


def test_times_are_clinic_times_with_an_offset(output: str) -> None:
    # Summer time in April, the refused diary line is shown with its +01:00 offset.
    assert "2026-04-21T16:30+01:00" in output
