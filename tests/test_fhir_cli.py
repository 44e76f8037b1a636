"""``facetcare fhir export`` and ``import``: output, round trip and the exit codes of check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import facetcare as fc
from facetcare.cli import cli
from facetcare.errors import SerializationError
from facetcare.fhir import from_bundle, to_bundle
from facetcare.serialization import dump_events_jsonl
from journey import MEDICARE, SEED, T0, S, reach


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="facetcare")


def test_export_a_document_to_stdout_and_import_it_back(tmp_path: Path) -> None:
    pw = reach(S.BLOCK_POSITIVE).pw
    document = tmp_path / "pathway.json"
    document.write_text(pw.to_json(), encoding="utf-8")
    done = invoke("fhir", "export", str(document), "--release", "R5")
    assert done.exit_code == 0, done.output
    bundle = json.loads(done.output)
    assert bundle == to_bundle(pw, release="R5")
    path = tmp_path / "bundle.json"
    path.write_text(done.output, encoding="utf-8")
    back = tmp_path / "back.json"
    done = invoke("fhir", "import", str(path), "-o", str(back))
    assert done.exit_code == 0, done.output
    assert "stage: block_positive" in done.output
    assert fc.Pathway.from_json(back.read_text(encoding="utf-8")) == pw


def test_export_an_event_log_under_a_policy_to_a_file(tmp_path: Path) -> None:
    pw = reach(S.BLOCK_SCHEDULED, MEDICARE).pw
    log = tmp_path / "events.jsonl"
    log.write_text(dump_events_jsonl(pw.events), encoding="utf-8")
    out = tmp_path / "bundle.json"
    done = invoke("fhir", "export", str(log), "--policy", "medicare-l38803", "-o", str(out))
    assert done.exit_code == 0, done.output
    bundle = json.loads(out.read_text(encoding="utf-8"))
    assert from_bundle(bundle, policy=MEDICARE) == pw


def test_export_of_a_refused_log_exits_1(tmp_path: Path) -> None:
    events = list(reach(S.BLOCK_SCHEDULED).pw.events)
    events.append(fc.events.CheckedIn(at=events[-1].at, visit_id="other", escort_present=True))
    log = tmp_path / "events.jsonl"
    log.write_text(dump_events_jsonl(events), encoding="utf-8")
    done = invoke("fhir", "export", str(log))
    assert done.exit_code == 1
    assert "unknown_visit" in done.output


def test_import_of_a_bundle_a_policy_refuses_exits_1(tmp_path: Path) -> None:
    # Seed has no entry criteria; Medicare refuses a referral that leaves them unknown.
    pw = fc.Pathway.start(fc.events.Referred(at=T0, pathway_id="pw-9", patient_id="pt-9",
                                             region="lumbar"))
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(to_bundle(pw)), encoding="utf-8")
    done = invoke("fhir", "import", str(path), "--policy", "medicare-l38803")
    assert done.exit_code == 1
    assert "entry_criteria" in done.output
    assert invoke("fhir", "import", str(path), "--policy", "seed").exit_code == 0
    assert pw.policy == SEED


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    assert invoke("fhir", "export", str(tmp_path / "missing.json")).exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    for command in ("export", "import"):
        done = invoke("fhir", command, str(bad))
        assert done.exit_code == 2
        assert len(done.output.strip().splitlines()) == 1
    patient = tmp_path / "patient.json"
    patient.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction", "meta": {
        "tag": [{"system": "https://facetcare.org/fhir/CodeSystem/fhir-release",
                 "code": "R4B"}]}, "entry": [{"resource": {"resourceType": "Patient",
                                                          "id": "p"}}]}), encoding="utf-8")
    done = invoke("fhir", "import", str(patient))
    assert done.exit_code == 2
    assert "Patient" in done.output


def test_import_of_hostile_json_is_refused_in_one_line(tmp_path: Path) -> None:
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    big = tmp_path / "bigint.json"
    big.write_text('{"resourceType": "Bundle", "x": ' + "9" * 5_000 + "}", encoding="utf-8")
    for path in (nested, big):
        done = invoke("fhir", "import", str(path))
        assert done.exit_code == 2, done.output
        assert len(done.output.strip().splitlines()) == 1
        assert str(path) in done.output


def test_from_bundle_reads_text_within_the_document_limits() -> None:
    pw = reach(S.BLOCK_POSITIVE).pw
    assert from_bundle(json.dumps(to_bundle(pw))) == pw
    for hostile in ("[" * 100_000 + "]" * 100_000,
                    '{"resourceType": "Bundle", "x": 1' + "0" * 5_000 + "}"):
        with pytest.raises(SerializationError):
            from_bundle(hostile)


def _failing_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text write stops half-way with a full disk, as a real one would."""
    def write_text(self: Path, data: str, *args: object, **kwargs: object) -> int:
        with self.open("w", encoding="utf-8") as stream:
            stream.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", write_text)


def test_a_failed_output_write_leaves_the_old_file_whole(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pw = reach(S.BLOCK_POSITIVE).pw
    document = tmp_path / "pathway.json"
    document.write_text(pw.to_json(), encoding="utf-8")
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(to_bundle(pw)), encoding="utf-8")
    old = tmp_path / "old.json"
    old.write_text("the previous file\n", encoding="utf-8")
    _failing_write(monkeypatch)
    for args in (("export", str(document)), ("import", str(bundle))):
        done = invoke("fhir", *args, "-o", str(old))
        assert done.exit_code == 1, done.output
        assert "no space left" in done.output
        assert old.read_text(encoding="utf-8") == "the previous file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.json", "old.json",
                                                          "pathway.json"]


def test_an_output_that_is_the_input_is_refused(tmp_path: Path) -> None:
    pw = reach(S.BLOCK_POSITIVE).pw
    document = tmp_path / "pathway.json"
    document.write_text(pw.to_json(), encoding="utf-8")
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(to_bundle(pw)), encoding="utf-8")
    for args in (("export", str(document), "-o", str(document)),
                 ("import", str(bundle), "-o", str(tmp_path / "." / "bundle.json"))):
        before = Path(args[1]).read_bytes()
        done = invoke("fhir", *args)
        assert done.exit_code == 2, done.output
        assert "is the input" in done.output
        assert Path(args[1]).read_bytes() == before


def test_every_policy_option_takes_a_policy_file(tmp_path: Path) -> None:
    pw = reach(S.BLOCK_SCHEDULED, MEDICARE).pw
    log = tmp_path / "events.jsonl"
    log.write_text(dump_events_jsonl(pw.events), encoding="utf-8")
    policy = tmp_path / "clinic.toml"
    MEDICARE.to_file(policy)
    done = invoke("fhir", "export", str(log), "--policy", str(policy))
    assert done.exit_code == 0, done.output
    bundle = tmp_path / "bundle.json"
    bundle.write_text(done.output, encoding="utf-8")
    done = invoke("fhir", "import", str(bundle), "--policy", str(policy))
    assert done.exit_code == 0, done.output
    assert "stage: block_scheduled" in done.output
