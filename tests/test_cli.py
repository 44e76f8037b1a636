"""The ``facetcare`` command: every command through click's CliRunner.

Exit codes and one-line errors are what scripts rely on, so they are
asserted exactly; tables are checked for their content, not their layout.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import struct
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import facetcare as fc
from facetcare import diagram
from facetcare import events as ev
from facetcare.cli import EXTRA_HINT, cli, main
from facetcare.documents import canonical
from facetcare.documents.signing import chain
from facetcare.errors import CODES
from facetcare.machine import Stage
from facetcare.rules import COMMON, RULES
from facetcare.serialization import dump_events_jsonl

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BLOCK = T0 + dt.timedelta(days=14)
H, M = dt.timedelta(hours=1), dt.timedelta(minutes=1)
BOTH_L4_L5 = (fc.Target("L4-L5", "left"), fc.Target("L4-L5", "right"))


def positive_block_events() -> list[ev.Event]:
    """Referral to a positive block under the seed policy (7 events)."""
    return [
        ev.Referred(at=T0, pathway_id="pw-1", patient_id="pt-1", region=fc.Region.LUMBAR),
        ev.BlockScheduled(at=T0 + H, visit_id="v1", visit_at=BLOCK, targets=BOTH_L4_L5,
                          escort_confirmed=True),
        ev.CheckedIn(at=BLOCK - 10 * M, visit_id="v1", escort_present=True),
        ev.BlockPerformed(at=BLOCK, visit_id="v1", targets=BOTH_L4_L5, baseline_pain=7),
        ev.Discharged(at=BLOCK + 65 * M, visit_id="v1", escort_present=True),
        ev.ReliefDiaryRecorded(at=BLOCK + 5 * H, entries=[fc.PainEntry(BLOCK + H, 2)]),
        ev.ReliefAssessed(at=BLOCK + 5 * H),
    ]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="facetcare")


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "pathway.json"
    path.write_text(fc.Pathway.replay(positive_block_events()).to_json(), encoding="utf-8")
    return path


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text(dump_events_jsonl(positive_block_events()), encoding="utf-8")
    return path


# -- general -----------------------------------------------------------------------


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"facetcare {fc.__version__}"


@pytest.mark.parametrize("command", [[], ["diagram"], ["check"], ["simulate"], ["paths"]])
def test_help_has_examples(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output
    assert "facetcare" in result.output


def test_missing_extra_prints_one_line_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith("facetcare._cli")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "click", None)  # import click → ModuleNotFoundError
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    message = str(exited.value.code)
    assert message.startswith(EXTRA_HINT)
    assert "\n" not in message


# -- diagram -----------------------------------------------------------------------


def test_every_rule_maps_to_a_reason_code() -> None:
    codes = {diagram.rule_code(rule) for rules in RULES.values() for rule in rules}
    codes |= {diagram.rule_code(rule) for rule in COMMON}
    assert codes <= set(CODES)
    # The codes no rule function gives: the table's and the corrections'.
    judged_elsewhere = {"invalid_transition", "correction_conflict", "unknown_event",
                        "amend_type_mismatch", "duplicate_event_id"}
    assert codes | judged_elsewhere == set(CODES)


def test_rule_without_a_code_is_refused() -> None:
    def quiet(*_: object) -> None:
        return None

    with pytest.raises(LookupError, match="quiet"):
        diagram.rule_code(quiet)


def test_mermaid_names_every_stage_and_reason_code() -> None:
    result = invoke("diagram")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("stateDiagram-v2\n")
    assert text == diagram.mermaid()
    for stage in Stage:
        assert f" {stage.value} " in text or f" {stage.value}\n" in text
    for code in CODES:
        assert code in text
    assert "[*] --> referred : Referred [region_not_covered, entry_criteria," in text
    assert "closed --> [*]" in text and "withdrawn --> [*]" in text
    assert "start" not in text.split()  # the internal start state is drawn as [*]


def test_mermaid_labels_are_valid_for_the_mermaid_lexer() -> None:
    # stateDiagram labels end at ':', ';' or a newline; ids cannot hold '-'.
    for line in diagram.mermaid().splitlines():
        if "-->" in line:
            arrow, _, label = line.partition(" : ")
            assert ":" not in label and ";" not in label and "#" not in label
            for node in arrow.split("-->"):
                assert "-" not in node.strip()


def test_every_transition_is_drawn() -> None:
    from facetcare.machine import PATHWAY, START

    edges, _ = diagram.edges()
    drawn = {(e.source, e.dest) for e in edges}
    for step in PATHWAY:
        for source in step.sources:
            node = "[*]" if source == START else source
            dest = step.dest or source
            direct = (node, dest) in drawn
            via_choice = any((node, c) in drawn and (c, dest) in drawn
                             for c in diagram.edges()[1])
            assert direct or via_choice, (step.event.kind, source, dest)
            assert any(step.event.kind in e.label for e in edges if e.source == node)


def test_computed_branches_are_choices() -> None:
    text = diagram.mermaid()
    assert "state relief_assessment_ReliefAssessed <<choice>>" in text
    assert "relief_assessment_ReliefAssessed --> block_positive : positive" in text
    assert "relief_assessment_ReliefAssessed --> block_negative : negative" in text
    assert "follow_up_FollowUpRecorded --> follow_up : settling" in text
    assert "--> referred : booked from referred" in text


def test_dot_text(tmp_path: Path) -> None:
    result = invoke("diagram", "--format", "dot")
    assert result.exit_code == 0
    assert result.output.startswith("digraph facetcare {")
    assert result.output.rstrip().endswith("}")
    for stage in Stage:
        assert f'"{stage.value}"' in result.output
    for code in CODES:
        assert code in result.output


@pytest.mark.parametrize(("name", "first"), [("p.mmd", "stateDiagram-v2"),
                                             ("p.dot", "digraph"), ("p.gv", "digraph")])
def test_diagram_format_follows_the_suffix(tmp_path: Path, name: str, first: str) -> None:
    out = tmp_path / name
    result = invoke("diagram", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith(first)
    assert str(out) in result.output


def test_image_without_graphviz_says_how(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    result = invoke("diagram", "-o", str(tmp_path / "p.png"))
    assert result.exit_code == 1
    assert "graphviz" in result.output and "dot -Tpng" in result.output
    assert not (tmp_path / "p.png").exists()
    assert "Traceback" not in result.output


def test_mermaid_image_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("diagram", "--format", "mermaid", "-o", str(tmp_path / "p.png"))
    assert result.exit_code == 2
    assert "mermaid.live" in result.output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_image_with_graphviz(tmp_path: Path) -> None:
    out = tmp_path / "p.png"
    result = invoke("diagram", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- check -------------------------------------------------------------------------


def test_check_accepted_document(document: Path) -> None:
    result = invoke("check", str(document))
    assert result.exit_code == 0, result.output
    assert "accepted" in result.output
    assert "stage: block_positive" in result.output
    assert "schedule_neurotomy" in result.output
    assert "2026-03-16 14:00+00:00 (the last event)" in result.output


def test_check_accepted_log_at_now(log: Path) -> None:
    result = invoke("check", str(log), "--now", "2026-03-20T09:00+00:00")
    assert result.exit_code == 0, result.output
    assert "stage: block_positive" in result.output
    assert "due now" in result.output and "(--now)" in result.output


def test_check_overdue_task_is_flagged(tmp_path: Path) -> None:
    events = positive_block_events()[:2]  # booked, driver not yet confirmed below
    events[1] = ev.BlockScheduled(at=T0 + H, visit_id="v1", visit_at=BLOCK,
                                  targets=BOTH_L4_L5)
    path = tmp_path / "booked.jsonl"
    path.write_text(dump_events_jsonl(events), encoding="utf-8")
    result = invoke("check", str(path), "--now", "2026-03-17T09:00+00:00")
    assert result.exit_code == 0, result.output
    assert "confirm_escort" in result.output and "overdue" in result.output


def test_check_final_stage_has_no_tasks(tmp_path: Path) -> None:
    events = [*positive_block_events(), ev.Closed(at=BLOCK + 6 * H, reason="declined")]
    path = tmp_path / "closed.jsonl"
    path.write_text(dump_events_jsonl(events), encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 0
    assert "stage: closed" in result.output and "no open tasks" in result.output


def test_check_tampered_log_is_refused(tmp_path: Path) -> None:
    lines = dump_events_jsonl(positive_block_events()).splitlines()
    discharged = json.loads(lines[4])
    discharged["escort_present"] = False
    lines[4] = json.dumps(discharged)
    path = tmp_path / "tampered.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 1
    assert "refused" in result.output
    assert "event 4 (Discharged at 2026-03-16 10:05+00:00, line 5)" in result.output
    assert "no_escort:" in result.output
    assert "the stage was then block_observation" in result.output


def test_check_prints_paths_and_messages_verbatim(tmp_path: Path) -> None:
    odd = tmp_path / "log[1] [bold].jsonl"
    odd.write_text(dump_events_jsonl(positive_block_events()), encoding="utf-8")
    result = invoke("check", str(odd))
    assert result.exit_code == 0
    assert str(odd) in result.output


def test_check_policy_applies_to_a_log(log: Path) -> None:
    result = invoke("check", str(log), "--policy", "medicare-l38803")
    assert result.exit_code == 1
    assert "event 0 (Referred" in result.output and "entry_criteria" in result.output


def test_check_document_keeps_its_own_policy(document: Path) -> None:
    result = invoke("check", str(document), "--policy", "medicare-l38803")
    assert result.exit_code == 0
    assert "under policy seed" in result.output
    assert "--policy is ignored" in result.output


def test_check_refused_document(tmp_path: Path) -> None:
    data = json.loads(fc.Pathway.replay(positive_block_events()).to_json())
    data["events"][2]["at"] = "2026-03-01T09:00:00+00:00"  # before the referral
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    edited = invoke("check", str(path))  # the hash chain no longer matches
    assert edited.exit_code == 2 and "chain" in edited.output
    data["chain"] = chain(canonical(data["policy"]), map(canonical, data["events"]))
    path.write_text(json.dumps(data), encoding="utf-8")  # a forger recomputed it
    result = invoke("check", str(path))
    assert result.exit_code == 1
    assert "event 2 (CheckedIn" in result.output and "out_of_order" in result.output
    assert "the stage was then block_scheduled" in result.output


def _unreadable(tmp_path: Path, name: str, text: str | bytes | None) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    return path


def _document_text() -> str:
    return fc.Pathway.replay(positive_block_events()).to_json()


BAD_INPUTS = {
    "missing": ("missing.json", None, "no such file"),
    "not json": ("notes.json", "patient was fine, see you in May", "not valid JSON"),
    "truncated document": ("cut.json", _document_text()[:300], "truncated"),
    "truncated log": ("cut.jsonl", dump_events_jsonl(positive_block_events())[:-40],
                      "line 7: not valid JSON"),
    "unknown event type": ("odd.jsonl", '{"type": "CheckedOut", "at": "2026-03-02T09:00+00:00"}\n',
                           "unknown event type 'CheckedOut'"),
    "no event type": ("untyped.jsonl", '{"at": "2026-03-02T09:00+00:00"}\n',
                      "line 1.type: missing; an event names its type"),
    "newer schema": ("new.json", _document_text().replace("pathway@2", "pathway@9"),
                     "newer than this facetcare reads"),
    "bad field": ("bad.jsonl", dump_events_jsonl(positive_block_events()).replace(
        '"baseline_pain":7', '"baseline_pain":"7"'), "baseline_pain"),
    "empty": ("empty.jsonl", "", "empty file"),
    "not an object": ("list.json", "42", "got a JSON int"),
    "binary": ("blob.json", b"\x89PNG\r\n\x1a\n\x00\xff", "not UTF-8"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_check_unreadable_input(tmp_path: Path, case: str) -> None:
    name, text, expected = BAD_INPUTS[case]
    path = _unreadable(tmp_path, name, text)
    result = invoke("check", str(path))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: ")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_check_directory_is_unreadable(tmp_path: Path) -> None:
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_check_now_needs_an_offset(document: Path) -> None:
    result = invoke("check", str(document), "--now", "2026-03-20T09:00")
    assert result.exit_code == 2
    assert "no UTC offset" in result.output


def test_check_console_script_exit_codes(document: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", str(tmp_path / "missing.json")])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(["check", str(document)])
    assert exited.value.code == 0


# -- simulate ----------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (no imaging library needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_simulate_summary_table() -> None:
    result = invoke("simulate", "-n", "200", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "200 patients per policy" in result.output
    assert "200/200" in result.output  # the progress bar finished
    for label in ("reached a first neurotomy", "final stage: closed", "recurrences",
                  "room hours"):
        assert label in result.output
    # A final stage no patient ended in is left out; one that some did is shown.
    assert "final stage: block_visit" not in result.output
    assert "final stage: withdrawn" not in result.output


def test_simulate_compare_writes_csv_events_and_plot(tmp_path: Path) -> None:
    result = invoke("simulate", "-n", "200", "--seed", "2", "--compare", "medicare-l38803",
                    "--csv", str(tmp_path / "cohort.csv"),
                    "--events", str(tmp_path / "events.jsonl"),
                    "--plot", str(tmp_path / "cohort.png"))
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines()
                  if "medicare-l38803" in line and "┃" in line)
    assert "seed" in header
    for policy in ("seed", "medicare-l38803"):
        rows = (tmp_path / f"cohort-{policy}.csv").read_text(encoding="utf-8").splitlines()
        assert len(rows) == 201  # a header and one row per journey
        lines = (tmp_path / f"events-{policy}.jsonl").read_text(encoding="utf-8").splitlines()
        assert lines and all(json.loads(line) for line in lines)
        assert f"wrote {tmp_path / f'cohort-{policy}.csv'}" in result.output
    png = (tmp_path / "cohort.png").read_bytes()
    width, height = _png_size(png)
    assert width > 800 and height > 300 and len(png) > 10_000


def test_simulate_single_policy_files_keep_their_names(tmp_path: Path) -> None:
    result = invoke("simulate", "-n", "50", "--seed", "3", "--region", "cervical",
                    "--csv", str(tmp_path / "c.csv"), "--plot", str(tmp_path / "c.png"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.csv").exists() and (tmp_path / "c.png").exists()
    assert "cervical" in result.output


def test_simulate_workers_do_not_change_results() -> None:
    one = invoke("simulate", "-n", "200", "--seed", "4")
    two = invoke("simulate", "-n", "200", "--seed", "4", "--workers", "2")
    assert one.exit_code == two.exit_code == 0, two.output

    def table(output: str) -> str:
        return output[output.index("patients per policy"):]

    assert table(one.output) == table(two.output)


def test_simulate_plot_without_matplotlib_fails_fast(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith(("matplotlib", "facetcare._cli.plots"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = invoke("simulate", "-n", "3000", "--plot", str(tmp_path / "p.png"))
    assert result.exit_code == 1
    assert "--plot needs matplotlib: pip install 'facetcare[cli]'" in result.output
    assert "patients per policy" not in result.output  # nothing was simulated


def test_simulate_rejects_bad_options() -> None:
    assert invoke("simulate", "-n", "0").exit_code == 2
    assert invoke("simulate", "--policy", "aetna").exit_code == 2
    assert invoke("simulate", "--workers", "0").exit_code == 2


def test_simulate_refuses_a_policy_for_another_region() -> None:
    lumbar_only = invoke("simulate", "-n", "5", "--region", "cervical", "--compare",
                         "consensus-2020")
    assert lumbar_only.exit_code == 2
    assert "consensus-2020 covers the lumbar region only" in lumbar_only.output
    cervical = invoke("simulate", "-n", "5", "--region", "cervical", "--policy",
                      "consensus-cervical-2022")
    assert cervical.exit_code == 0, cervical.output


def test_summary_rows_merge_in_place() -> None:
    from facetcare._cli.simulate import _merged_labels

    class Rows:
        def __init__(self, *labels: str) -> None:
            self.labels = labels

        def rows(self) -> list[tuple[str, str]]:
            return [(label, "1") for label in self.labels]

    merged = _merged_labels([("a", Rows("x", "y", "z")), ("b", Rows("x", "new", "z"))])
    assert merged == ["x", "new", "y", "z"]


# -- paths -------------------------------------------------------------------------


@pytest.mark.parametrize("policy", sorted(fc.Policy.profiles()))
def test_paths_lists_every_path_and_the_coverage(policy: str) -> None:
    from facetcare.testing import paths

    suite = paths(fc.Policy.profiles()[policy])
    result = CliRunner().invoke(cli, ["paths", "--policy", policy], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert f"{len(suite.paths)} coverage paths, policy {policy}" in result.output
    for path in suite.paths:
        assert path.name in result.output
    for line in str(suite.report).splitlines():
        assert line.strip() in result.output
    assert "coverage incomplete" not in result.output


def test_paths_of_a_region_the_policy_does_not_cover_is_a_usage_error() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["paths", "--policy", "consensus-cervical-2022", "--region",
                                 "lumbar"])
    assert result.exit_code == 2
    assert "covers cervical only, not the lumbar region" in result.output
    result = runner.invoke(cli, ["paths", "--policy", "seed", "--region", "cervical"],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "policy seed, cervical region" in result.output


def test_paths_expected_outcome_reads_plainly() -> None:
    from facetcare._cli.paths import expected
    from facetcare.testing import paths

    suite = paths(fc.Policy.medicare_l38803())
    outcomes = {expected(path) for path in suite.paths}
    assert "accepted → referred" in outcomes
    assert "refused (entry_criteria), stays before referral" in outcomes
    assert any(o.startswith("refused (annual_limit), stays ") for o in outcomes)


def test_paths_incomplete_coverage_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    import facetcare.testing

    class Report:
        def rows(self) -> list[tuple[str, int, int]]:
            return [("stages", 16, 16), ("guard outcomes", 60, 62)]

        def __str__(self) -> str:
            return "Path coverage: 0 paths"

    class Suite:
        paths: tuple[object, ...] = ()
        region = fc.Region.LUMBAR
        report = Report()

    monkeypatch.setattr(facetcare.testing, "paths", lambda policy, region: Suite())
    result = invoke("paths")
    assert result.exit_code == 1
    assert "coverage incomplete: guard outcomes 60/62" in result.output


def test_paths_without_hypothesis_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith("facetcare.testing")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    result = invoke("paths")
    if result.exit_code == 0:
        pytest.skip("facetcare.testing.paths no longer needs Hypothesis")
    assert result.exit_code == 1
    assert "pip install 'facetcare[cli,testing]'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("now", ["9999-12-31T23:59+00:00", "0001-01-01T00:00+00:00",
                                 "1899-06-01T00:00+00:00"])
def test_check_now_outside_the_calendar_is_one_line(document: Path, now: str) -> None:
    result = invoke("check", str(document), "--now", now)
    assert result.exit_code == 2
    assert "--now" in result.stderr and "supported calendar" in result.stderr
    assert "Traceback" not in result.stderr and not isinstance(result.exception, ValueError)


@pytest.mark.parametrize(("name", "text"), [
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("deep.toml", "name = " + "[" * 100_000 + "]" * 100_000 + "\n"),
    ("bigint.json", '{"name": ' + "9" * 5_000 + "}"),
    ("bigint.toml", "name = " + "9" * 5_000 + "\n"),
])
def test_a_hostile_policy_file_is_refused_in_one_line(log: Path, tmp_path: Path, name: str,
                                                      text: str) -> None:
    policy = tmp_path / name
    policy.write_text(text, encoding="utf-8")
    result = invoke("check", str(log), "--policy", str(policy))
    assert result.exit_code == 2, result.output
    assert name in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(fc.SerializationError, match=name):
        fc.Policy.from_file(policy)


def test_names_and_paths_are_printed_literally_not_as_markup(tmp_path: Path) -> None:
    folder = tmp_path / "a["
    folder.mkdir()
    policy = folder / "]b.json"  # the path reads 'a[/]b.json'
    fc.Policy.seed().to_file(policy)
    data = json.loads(policy.read_text(encoding="utf-8"))
    data["name"], data["version"] = "[/]evil", None
    policy.write_text(json.dumps(data), encoding="utf-8")
    shown = invoke("policies", str(policy), "--no-sources")
    assert shown.exit_code == 0, shown.output
    assert "[/]evil" in shown.output
    simulated = invoke("simulate", "-n", "5", "--policy", str(policy))
    assert simulated.exit_code == 0, simulated.output
    assert "]b.json" in simulated.output


def test_a_date_without_an_offset_is_refused_with_a_hint_that_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "pw.jsonl"
    path.write_text(dump_events_jsonl(positive_block_events()))
    refused = invoke("check", str(path), "--now", "2026-03-20")
    assert refused.exit_code == 2
    hint = refused.stderr.rsplit("e.g. ", 1)[1].strip()
    assert hint == "2026-03-20T00:00+00:00"
    assert invoke("check", str(path), "--now", hint).exit_code == 0
