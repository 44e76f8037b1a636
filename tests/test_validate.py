"""``facetcare validate``: the table, its CSV and plot, and output paths checked first."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from facetcare.cli import cli
from facetcare.simulation.calibration import PUBLISHED
from facetcare.simulation.validation import validate


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_validate_on_a_small_cohort_writes_the_table_csv_and_plot(tmp_path: Path) -> None:
    result = invoke("validate", "--region", "cervical", "--replications", "2", "-n", "300",
                    "--no-psa", "--csv", str(tmp_path / "v.csv"), "--plot",
                    str(tmp_path / "v.png"))
    assert result.exit_code in (0, 1), result.output
    cervical = [p for p in PUBLISHED if p.region == "cervical"]
    assert "cervical: 2 replications × 300 patients per study" in result.output
    assert result.output.count(" yes ") + result.output.count(" NO ") == len(cervical)
    rows = list(csv.DictReader((tmp_path / "v.csv").open(encoding="utf-8")))
    assert len(rows) == len(cervical)
    assert {r["kind"] for r in rows} == {"calibration", "validation"}
    for row in rows:
        inside = float(row["low"]) <= float(row["simulated"]) <= float(row["high"])
        assert row["inside"] == str(inside)
    assert (tmp_path / "v.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    outside = [r["figure"] for r in rows if r["kind"] == "calibration" and r["inside"] == "False"]
    assert (result.exit_code == 1) == bool(outside)


def test_validate_refuses_an_unwritable_output_before_any_work(tmp_path: Path) -> None:
    result = invoke("validate", "--csv", str(tmp_path / "missing" / "v.csv"))
    assert result.exit_code == 2
    assert "does not exist" in result.output and "replications" not in result.output


def test_simulate_refuses_bad_output_paths_before_the_run(tmp_path: Path) -> None:
    for option in ("--csv", "--events", "--plot", "--report"):
        result = invoke("simulate", "-n", "100000", option, str(tmp_path / "no" / "x"))
        assert result.exit_code == 2, option
        assert "patients per policy" not in result.output
    result = invoke("simulate", "-n", "100000", "--csv", str(tmp_path))
    assert result.exit_code == 2


def test_the_lumbar_calibration_targets_are_inside_on_a_moderate_run() -> None:
    found = validate("lumbar", n=800, replications=3, psa=False, seed=2)
    outside = [r.published.figure for r in found.rows
               if r.published.kind == "calibration" and not r.inside]
    assert not outside


def test_check_reads_what_simulate_events_writes(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    made = invoke("simulate", "-n", "30", "--policy", "medicare-l38803", "--events", str(events))
    assert made.exit_code == 0, made.output
    checked = invoke("check", str(events), "--policy", "medicare-l38803")
    assert checked.exit_code == 0, checked.output
    assert "accepted" in checked.output and "30 pathway(s)" in checked.output
    lines = events.read_text(encoding="utf-8").splitlines()
    # A check-in removed from the first patient: the block that follows is refused.
    tampered = [line for line in lines if not ('"pt-000001"' in line and "CheckedIn" in line)]
    (tmp_path / "bad.jsonl").write_text("\n".join(tampered) + "\n", encoding="utf-8")
    refused = invoke("check", str(tmp_path / "bad.jsonl"), "--policy", "medicare-l38803")
    assert refused.exit_code == 1 and "pt-000001" in refused.output, refused.output
