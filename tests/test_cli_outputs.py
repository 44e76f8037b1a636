"""Output files of the long commands: refused before the run, written all or none.

`simulate`, `validate` and `diagram` write through `facetcare._cli.outputs`:
a path that cannot be written is refused before any patient is simulated
(exit 2, one line), two options naming one file are refused, and a write
that fails leaves neither a partial file nor a changed existing one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import facetcare as fc
from facetcare._cli.outputs import BadOutput, Outputs
from facetcare.cli import cli

#: A run this long would show in the test's time if the check came after it.
LONG = ("simulate", "-n", "20000")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="facetcare")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def refused_before_the_run(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "patients per policy" not in result.output  # nothing was simulated
    for word in words:
        assert word in result.output, result.output


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("option", ["--csv", "--events", "--plot", "--report"])
def test_a_place_no_file_can_be_made_is_refused_before_the_run(option: str) -> None:
    # /proc refuses new files even to root, whom os.access() would let through.
    result = invoke(*LONG, option, "/proc/facetcare-out")
    refused_before_the_run(result, option, "/proc/facetcare-out", "cannot create")


def test_a_name_too_long_and_a_parent_that_is_a_file_are_refused(tmp_path: Path) -> None:
    result = invoke(*LONG, "--csv", str(tmp_path / ("a" * 300 + ".csv")))
    refused_before_the_run(result, "--csv", "name too long")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = invoke(*LONG, "--events", str(tmp_path / "afile" / "x.jsonl"))
    refused_before_the_run(result, "--events", "is not a directory")
    result = invoke(*LONG, "--plot", str(tmp_path / "missing" / "x.png"))
    refused_before_the_run(result, "--plot", "does not exist")
    assert leftovers(tmp_path) == []


def test_a_dangling_symlink_is_refused_where_it_points(tmp_path: Path) -> None:
    link = tmp_path / "dangling.csv"
    link.symlink_to(tmp_path / "gone" / "file.csv")
    refused_before_the_run(invoke(*LONG, "--csv", str(link)), "--csv", "does not exist")
    assert link.is_symlink()


def test_two_options_naming_one_file_are_refused(tmp_path: Path) -> None:
    same = tmp_path / "same.out"
    refused_before_the_run(invoke(*LONG, "--csv", str(same), "--events", str(same)),
                           "--csv", "--events", "the same file")
    (tmp_path / "alias.out").symlink_to(same)
    refused_before_the_run(invoke(*LONG, "--plot", str(same), "--report",
                                  str(tmp_path / "alias.out")), "the same file")
    result = invoke("validate", "-n", "10", "--csv", str(same), "--plot", str(same))
    refused_before_the_run(result, "the same file")
    assert not same.exists() and leftovers(tmp_path) == []


def test_comparing_a_policy_with_itself_is_refused() -> None:
    result = invoke(*LONG, "--compare", "seed")
    refused_before_the_run(result, "--compare", "is the --policy already")


def test_a_policy_file_in_a_folder_names_the_per_policy_files(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    fc.Policy.seed().to_file(folder / "clinic.toml")
    result = invoke("simulate", "-n", "20", "--compare", str(folder / "clinic.toml"),
                    "--csv", str(tmp_path / "c.csv"), "--events", str(tmp_path / "e.jsonl"))
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert made == ["c-clinic.csv", "c-seed.csv", "e-clinic.jsonl", "e-seed.jsonl"]
    for name in made:
        assert f"wrote {tmp_path / name}" in result.output.replace("\n", "")
    # A file labelled like the other policy would share its files: refused.
    fc.Policy.seed().to_file(folder / "seed.toml")
    result = invoke(*LONG, "--compare", str(folder / "seed.toml"), "--csv",
                    str(tmp_path / "x.csv"))
    refused_before_the_run(result, "would share the label 'seed'")


def test_a_failed_write_leaves_no_output_and_an_old_file_untouched(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    old = tmp_path / "cohort.csv"
    old.write_text("the previous run\n", encoding="utf-8")
    result = invoke("simulate", "-n", "30", "--csv", str(old), "--events", "/dev/full",
                    "--plot", str(tmp_path / "cohort.png"))
    assert result.exit_code == 1, result.output
    assert "--events /dev/full: could not write: no space left on device" in result.output
    assert "Traceback" not in result.output
    assert old.read_text(encoding="utf-8") == "the previous run\n"
    assert not (tmp_path / "cohort.png").exists()
    assert leftovers(tmp_path) == []


def test_outputs_written_in_full_keep_the_mode_of_the_file_they_replace(
        tmp_path: Path) -> None:
    old = tmp_path / "cohort.csv"
    old.write_text("old\n", encoding="utf-8")
    old.chmod(0o640)
    result = invoke("simulate", "-n", "20", "--csv", str(old))
    assert result.exit_code == 0, result.output
    assert old.read_text(encoding="utf-8").startswith("patient_id,")
    assert old.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.csv"
    assert invoke("simulate", "-n", "20", "--csv", str(fresh)).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would make it
    assert leftovers(tmp_path) == []


def test_leaving_without_a_commit_removes_every_temporary_file(tmp_path: Path) -> None:
    paths = [tmp_path / "a.csv", tmp_path / "b.jsonl"]
    with pytest.raises(KeyboardInterrupt), Outputs([("--csv", paths[0]),
                                                    ("--events", paths[1])]) as outputs:
        with outputs.writing(paths[0]) as staged:
            staged.write_text("half", encoding="utf-8")
        assert len(leftovers(tmp_path)) == 2  # made before the work, as the check
        raise KeyboardInterrupt
    assert leftovers(tmp_path) == [] and not any(p.exists() for p in paths)
    # A refusal part-way through the list removes those already made.
    with pytest.raises(BadOutput, match="is a directory"):
        Outputs([("--csv", paths[0]), ("--plot", tmp_path)])
    assert leftovers(tmp_path) == []


def test_the_title_says_patients_per_replication_and_in_all() -> None:
    result = invoke("simulate", "-n", "30", "--replications", "2")
    assert result.exit_code == 0, result.output
    assert "30 patients per policy × 2 replications (60 in all)" in result.output


def test_more_workers_than_cores_are_capped_with_a_note() -> None:
    cores = len(os.sched_getaffinity(0))
    result = invoke("simulate", "-n", "20", "--workers", str(cores + 5))
    assert result.exit_code == 0, result.output
    assert f"note: --workers {cores + 5} is more than the {cores} core(s)" in result.stderr


def test_calibration_targets_outside_are_named_with_their_region() -> None:
    result = invoke("validate", "--region", "lumbar", "-n", "10", "--replications", "1",
                    "--no-psa")
    assert result.exit_code == 1, result.output  # ten patients miss some target
    line = next(x for x in result.output.splitlines() if "outside their interval" in x)
    named = line.split(": ", 1)[1].split("; ")
    assert named and all(item.startswith("lumbar: ") for item in named)
    assert "1 replication (so no interval)" in result.output


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_diagram_refuses_an_output_it_cannot_create() -> None:
    result = invoke("diagram", "-o", "/proc/facetcare.mmd")
    assert result.exit_code == 2 and "cannot create" in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_on_worker_processes_stops_cleanly(tmp_path: Path) -> None:
    # As a terminal does: SIGINT to the whole process group, the workers included.
    # Many small chunks, whose journeys come back to this process: the workers
    # are often idle, waiting for work, where an interrupt would print a traceback.
    command = [sys.executable, "-m", "facetcare", "simulate", "-n", "2000", "--replications",
               "50", "--workers", "2", "--compare", "medicare-l38803", "--csv",
               str(tmp_path / "c.csv")]
    # A background job inherits SIGINT ignored; a terminal's command does not.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    time.sleep(3)
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 1, (out, err)
    assert "Aborted!" in err and "Traceback" not in err + out, err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no output, no temporary file


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_stops_a_run_and_leaves_no_temporary_file(tmp_path: Path, workers: str) -> None:
    # As `kill`, a CI timeout or systemd stops a command: SIGTERM to the command alone.
    old = tmp_path / "c.csv"
    old.write_text("an earlier run\n")
    command = [sys.executable, "-m", "facetcare", "simulate", "-n", "1000000", "--workers",
               workers, "--csv", str(old), "--events", str(tmp_path / "e.jsonl")]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while leftovers(tmp_path) == [] and time.monotonic() < deadline:  # the run has staged
        time.sleep(0.1)
    assert leftovers(tmp_path), "the run never staged its outputs"
    time.sleep(1)
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 128 + signal.SIGTERM, (out, err)
    assert "Traceback" not in err + out, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]
    assert old.read_text() == "an earlier run\n"


def test_an_output_that_is_the_policy_file_read_is_refused(tmp_path: Path) -> None:
    policy = tmp_path / "pc.json"
    fc.Policy.seed().to_file(policy)
    before = policy.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(policy)
    for output in (policy, link):
        result = invoke("simulate", "-n", "5", "--policy", str(policy), "--csv", str(output))
        refused_before_the_run(result, "--csv", "is the input --policy")
        assert policy.read_bytes() == before
    assert leftovers(tmp_path) == []
