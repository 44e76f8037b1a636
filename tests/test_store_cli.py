"""``facetcare store``: import, export, worklist, show, with `check`'s exit codes.

SQLite only: the commands only pass a URL to `Store`, whose behaviour on
both databases the other store tests cover.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

from click.testing import CliRunner, Result

import facetcare as fc
from facetcare.cli import cli
from facetcare.documents import canonical
from facetcare.documents.signing import chain
from facetcare.serialization import dump_events_jsonl
from facetcare.store import Store
from journey import DAY, MEDICARE, T0, Journey, reach


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["store", *args], catch_exceptions=False)


@pytest.fixture
def clinic(tmp_path: Path) -> tuple[str, Path, Path, fc.Pathway]:
    recurrence = reach(fc.Stage.RECURRENCE, MEDICARE).pw
    document = tmp_path / "pw-1.json"
    document.write_text(recurrence.to_json())
    booked = Journey(at=T0 + DAY, pathway_id="pw-2", patient_id="pt-2")
    booked.book_block(escort_confirmed=False)
    log = tmp_path / "pw-2.jsonl"
    log.write_text(dump_events_jsonl(booked.pw.events))
    return f"sqlite:///{tmp_path / 'clinic.db'}", document, log, recurrence


def test_import_then_export_gives_the_document_back(clinic: tuple[str, Path, Path, fc.Pathway],
                                                     tmp_path: Path) -> None:
    url, document, log, recurrence = clinic
    imported = run("import", "--db", url, str(document), str(log))
    assert imported.exit_code == 0, imported.output
    assert "pathway pw-1, 19 event(s), stage recurrence" in imported.output
    out = tmp_path / "out.json"
    assert run("export", "pw-1", str(out), "--db", url).exit_code == 0
    assert out.read_text().strip() == document.read_text()
    assert fc.Pathway.from_json(out.read_text()) == recurrence
    printed = run("export", "pw-2", "-", "--db", url)
    assert json.loads(printed.output)["events"][0]["pathway_id"] == "pw-2"


def test_worklist_lists_overdue_first(clinic: tuple[str, Path, Path, fc.Pathway]) -> None:
    url, document, log, _ = clinic
    run("import", "--db", url, str(document), str(log))
    listed = run("worklist", "--db", url, "--from", "2026-12-01T00:00+00:00",
                 "--to", "2026-12-02T00:00+00:00")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert "3 task(s), 2 overdue" in lines[0]
    assert lines[1].startswith("overdue") and "pw-2" in lines[1] and "confirm_escort" in lines[1]
    assert lines[2].startswith("overdue") and "record_visit_outcome" in lines[2]
    assert lines[3].startswith("due now") and "decide_next_step" in lines[3]
    early = run("worklist", "--db", url, "--from", "2026-03-01T00:00+00:00",
                "--to", "2026-03-04T00:00+00:00")
    assert "1 task(s), 0 overdue" in early.output and "pw-1" not in early.output


def test_show_prints_stage_version_and_tasks(clinic: tuple[str, Path, Path, fc.Pathway]) -> None:
    url, document, _, recurrence = clinic
    run("import", "--db", url, str(document))
    shown = run("show", "pw-1", "--db", url)
    assert shown.exit_code == 0
    assert f"stage: recurrence, version {len(recurrence.events)}" in shown.output
    assert "decide_next_step" in shown.output


def test_exit_codes_match_check(clinic: tuple[str, Path, Path, fc.Pathway],
                                tmp_path: Path) -> None:
    url, document, log, recurrence = clinic
    assert run("import", "--db", url, str(document)).exit_code == 0
    again = run("import", "--db", url, str(log), str(document))
    assert again.exit_code == 1 and "already stored" in again.output
    assert "1 file(s) imported before it" in again.output
    tampered = json.loads(document.read_text())
    tampered["events"][0]["pathway_id"] = "pw-9"
    tampered["events"][1]["visit_at"] = "2020-01-01T00:00:00+00:00"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered))
    edited = run("import", "--db", url, str(bad))  # the hash chain no longer matches
    assert edited.exit_code == 2 and "chain" in edited.output
    tampered["chain"] = chain(canonical(tampered["policy"]), map(canonical, tampered["events"]))
    bad.write_text(json.dumps(tampered))  # an edit that keeps the chain: the rules refuse it
    refused = run("import", "--db", url, str(bad))
    assert refused.exit_code == 1 and "visit_in_past" in refused.output
    truncated = tmp_path / "cut.json"
    truncated.write_text(document.read_text()[:50])
    assert run("import", "--db", url, str(truncated)).exit_code == 2
    assert run("import", "--db", url, str(tmp_path / "missing.json")).exit_code == 2
    assert run("show", "pw-404", "--db", url).exit_code == 2
    assert run("export", "pw-404", "-", "--db", url).exit_code == 2
    assert run("worklist", "--db", url, "--from", "2026-03-01T00:00",
               "--to", "2026-03-02T00:00+00:00").exit_code == 2
    assert run("show", "pw-1", "--db", "nosuchdb://x").exit_code == 2
    assert run("show", "pw-1").exit_code == 2  # no --db and no FACETCARE_STORE
    with Store(url) as store:  # the log went in before the refused document; pw-9 never did
        assert [p.pathway_id for p in store.pathways()] == ["pw-1", "pw-2"]
    assert recurrence.pathway_id == "pw-1"


def test_the_store_clinic_example_prints_tomorrows_worklist_overdue_first(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "examples" / "store_clinic.py"
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "clinic.db")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Wrote ") and "pathways" in lines[0]
    header = next(i for i, line in enumerate(lines) if line.startswith("Worklist for"))
    statuses = [line.split()[0] for line in lines[header + 1:] if line.startswith("  ")
                and line.split()[0] in {"OVERDUE", "open"}]
    assert "OVERDUE" in statuses and statuses == sorted(statuses, key=lambda s: s != "OVERDUE")
    with Store(f"sqlite:///{tmp_path / 'clinic.db'}") as store:
        assert len(store.pathways()) > 50


def test_the_readme_store_quick_start_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    (code,) = [b for b in blocks if "facetcare.store" in b]
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "referred"  # the cancellation, applied at the current version
    assert printed[1].startswith("pw-1 schedule_block 2026-03-02 09:00")


@pytest.mark.parametrize(("args", "option"), [
    (("show", "pw-1", "--now", "9999-12-31T00:00Z"), "--now"),
    (("worklist", "--from", "0001-01-01T00:00Z", "--to", "2026-01-01T00:00Z"), "--from"),
    (("worklist", "--from", "2026-01-01T00:00Z", "--to", "9999-01-01T00:00Z"), "--to"),
])
def test_times_outside_the_calendar_are_one_line(clinic: tuple[str, Path, Path, fc.Pathway],
                                                 args: tuple[str, ...], option: str) -> None:
    url, document, _, _ = clinic
    run("import", "--db", url, str(document))
    result = run(*args, "--db", url)
    assert result.exit_code == 2
    assert option in result.stderr and "supported calendar" in result.stderr


def test_a_database_that_cannot_be_used_is_one_line_naming_db(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"not a database, just notes\n" * 200)
    for url in (f"sqlite:///{junk}", "mysql://u@localhost/db"):
        result = run("show", "pw-1", "--db", url)
        assert result.exit_code == 2, result.output
        assert "--db" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_tampered_stored_document_is_one_line(clinic: tuple[str, Path, Path, fc.Pathway],
                                                 tmp_path: Path) -> None:
    import sqlite3

    url, document, _, _ = clinic
    assert run("import", "--db", url, str(document)).exit_code == 0
    with sqlite3.connect(tmp_path / "clinic.db") as db:
        db.execute("UPDATE facetcare_pathways SET document = '{oops'")
    for args in (("show", "pw-1"), ("export", "pw-1", str(tmp_path / "out.json"))):
        result = run(*args, "--db", url)
        assert result.exit_code == 2, result.output
        assert "pw-1" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.json").exists()


def test_a_failed_export_leaves_the_old_file_whole(clinic: tuple[str, Path, Path, fc.Pathway],
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    url, document, _, _ = clinic
    assert run("import", "--db", url, str(document)).exit_code == 0
    old = tmp_path / "old.json"
    old.write_text("the previous file\n", encoding="utf-8")

    def write_text(self: Path, data: str, *args: object, **kwargs: object) -> int:
        with self.open("w", encoding="utf-8") as stream:
            stream.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", write_text)
    result = CliRunner().invoke(cli, ["store", "export", "pw-1", str(old), "--db", url])
    assert result.exit_code == 1, result.output
    assert "no space left" in result.output
    assert old.read_text(encoding="utf-8") == "the previous file\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_store_import_takes_a_policy_file(clinic: tuple[str, Path, Path, fc.Pathway],
                                          tmp_path: Path) -> None:
    url, _, log, _ = clinic
    policy = tmp_path / "clinic.json"
    fc.Policy.seed().to_file(policy)
    result = run("import", "--db", url, str(log), "--policy", str(policy))
    assert result.exit_code == 0, result.output
    assert "pathway pw-2" in result.output
