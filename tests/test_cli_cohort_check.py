"""``facetcare check`` on what ``facetcare simulate --events`` writes, tampered or not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from facetcare.cli import cli
from journey import S, reach


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="facetcare")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = tmp_path_factory.mktemp("cohort") / "events.jsonl"
    made = invoke("simulate", "-n", "12", "--seed", "3", "--events", str(path))
    assert made.exit_code == 0, made.output
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def write(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "tampered.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


def test_a_refusal_names_the_patient_event_and_line(cohort: list[str], tmp_path: Path) -> None:
    # Blank lines in between still count: the line is the file's own number.
    lines = ["\n", *cohort]
    second = next(i for i, line in enumerate(lines) if '"pt-000002"' in line)
    check_in = next(i for i in range(second, len(lines)) if "CheckedIn" in lines[i])
    del lines[check_in]  # the block after it is now refused
    result = invoke("check", write(tmp_path, lines))
    assert result.exit_code == 1, result.output
    event = check_in - second
    assert f"patient pt-000002, event {event} (line {check_in + 1})" in result.output
    refused = json.loads(lines[check_in])["event"]["type"]
    assert refused in {"BlockPerformed", "NeurotomyPerformed", "Discharged"}


def test_a_line_whose_referral_names_another_patient_is_refused(
        cohort: list[str], tmp_path: Path) -> None:
    lines = list(cohort)
    record = json.loads(lines[0])
    record["event"]["patient_id"] = "pt-000002"
    lines[0] = json.dumps(record) + "\n"
    result = invoke("check", write(tmp_path, lines))
    assert result.exit_code == 2, result.output
    assert "line 1" in result.output and "pt-000002" in result.output
    assert "Traceback" not in result.output


def test_an_extra_key_on_the_first_line_is_named(cohort: list[str], tmp_path: Path) -> None:
    lines = list(cohort)
    record = json.loads(lines[0])
    lines[0] = json.dumps({"extra": 1, **record}) + "\n"
    result = invoke("check", write(tmp_path, lines))
    assert result.exit_code == 2, result.output
    assert "line 1" in result.output and "'extra'" in result.output


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 5000])
def test_json_nested_past_any_depth_is_unreadable_not_a_crash(
        text: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "RecursionError" not in result.output


def test_now_is_said_to_be_ignored_for_a_cohort(cohort: list[str], tmp_path: Path) -> None:
    result = invoke("check", write(tmp_path, cohort), "--now", "2026-04-01T09:00+00:00")
    assert result.exit_code == 0, result.output
    assert "--now is ignored" in result.stderr
    assert "12 pathway(s)" in result.output


def test_a_cohort_larger_than_the_document_limit_is_read_line_by_line(
        cohort: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from facetcare._cli import check_cohort

    text = "".join(cohort)
    longest = max(len(line) for line in cohort)
    # The limit between the longest line and the whole file, as with 2,000 real patients.
    monkeypatch.setattr(check_cohort, "LIMIT", longest + 10)
    assert len(text) > check_cohort.LIMIT
    result = invoke("check", write(tmp_path, cohort))
    assert result.exit_code == 0, result.output
    assert "12 pathway(s)" in result.output
    # One line past the limit is refused, not read whole.
    lines = [*cohort[:3], cohort[3].rstrip("\n") + " " * (longest + 20) + "\n", *cohort[4:]]
    result = invoke("check", write(tmp_path, lines))
    assert result.exit_code == 2, result.output
    assert "line 4 is longer than" in result.output


def _check_from_a_pipe(text: str) -> subprocess.CompletedProcess[str]:
    """``facetcare check /dev/stdin`` fed through a pipe, which can be read only once."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "facetcare", "check", "/dev/stdin"],
                          input=text, capture_output=True, text=True, env=env, timeout=120,
                          check=False)


def test_a_document_and_a_cohort_read_from_a_pipe(cohort: list[str]) -> None:
    document = reach(S.BLOCK_POSITIVE).pw.to_json()
    done = _check_from_a_pipe(document)
    assert done.returncode == 0, done.stderr
    assert "stage: block_positive" in done.stdout
    counted = _check_from_a_pipe("".join(cohort))
    assert counted.returncode == 0, counted.stderr
    assert "12 pathway(s)" in counted.stdout
