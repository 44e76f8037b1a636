"""A clinic's own policy as a file (docs/payer-rules.md#policy-files), and ``facetcare policies``.

`Policy.from_file` / `Policy.to_file` read and write ``.toml`` and
``.json``; reading is strict (every field, no other key, each value of its
type, the field named when not), and the CLI's ``--policy`` takes a file.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import facetcare as fc
from facetcare._validate import nothing_visible
from facetcare.cli import cli
from facetcare.serialization import dump_events_jsonl
from journey import DAY, R45, S, referral, staged

PROFILES = list(fc.Policy.profiles().values())


def invoke(*args: str) -> Result:
    # A wide terminal: five profiles side by side.
    return CliRunner(env={"COLUMNS": "400"}).invoke(cli, list(args), prog_name="facetcare")


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize("policy", PROFILES, ids=[p.name for p in PROFILES])
def test_every_profile_round_trips(tmp_path: Path, policy: fc.Policy, suffix: str) -> None:
    path = tmp_path / f"policy{suffix}"
    policy.to_file(path)
    assert fc.Policy.from_file(path) == policy
    assert fc.Policy.from_file(str(path)) == policy


def test_toml_is_plain_and_carries_the_sources(tmp_path: Path) -> None:
    path = tmp_path / "medicare.toml"
    fc.Policy.medicare_l38803().to_file(path)
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["relief_threshold"] == "4/5"
    assert data["min_block_gap"] == "none"
    assert data["block_guidance"] == ["fluoroscopy", "ct"]
    assert data["reblock_after"] == "P730D"  # ISO 8601, for the person who edits the file
    assert "# [1.5] low-grade thermal (< 80 °C) excluded" in text
    # A clinic's edit is its own: no profile's sources are claimed for it.
    own = attrs.evolve(fc.Policy.medicare_l38803(), name="our-clinic")
    own.to_file(path)
    assert "[1.5]" not in path.read_text(encoding="utf-8")


def test_a_clinic_writes_its_own_file(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    fc.Policy.seed().to_file(path)
    text = path.read_text(encoding="utf-8").replace('name = "seed"', 'name = "our-clinic"')
    text = text.replace("blocks_required = 1", "blocks_required = 2")
    text = text.replace('min_block_gap = "none"', "min_block_gap = 1209600000000")
    path.write_text(text, encoding="utf-8")
    ours = fc.Policy.from_file(path)
    assert (ours.name, ours.blocks_required, ours.min_block_gap) == ("our-clinic", 2, 14 * DAY)


def _edited(tmp_path: Path, suffix: str, **changes: object) -> Path:
    path = tmp_path / f"edited{suffix}"
    data = json.loads(json.dumps(fc.serialization.dump_policy(fc.Policy.seed())))
    for key, value in changes.items():
        if value is KeyError:
            del data[key]
        else:
            data[key] = value
    if suffix == ".json":
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        lines = [f"{k} = {json.dumps('none' if v is None else v)}" for k, v in data.items()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"blocks_requried": 2}, "blocks_requried"),
        ({"relief_threshold": KeyError}, "relief_threshold"),
        ({"relief_threshold": 0.8}, "relief_threshold"),
        ({"relief_threshold": "6/5"}, "relief_threshold"),
        ({"blocks_required": "2"}, "blocks_required"),
        ({"blocks_required": 0}, "blocks_required"),
        ({"escort_required": "yes"}, "escort_required"),
        ({"block_guidance": ["x-ray"]}, "block_guidance"),
        ({"relief_measure": "average"}, "relief_measure"),
        ({"covered_diagnoses": ["M4"]}, "covered_diagnoses"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"regions": ["sacral"]}, "regions"),
    ],
)
def test_strict_reading_names_the_field(tmp_path: Path, suffix: str,
                                        changes: dict[str, object], named: str) -> None:
    path = _edited(tmp_path, suffix, **changes)
    with pytest.raises((fc.SerializationError, ValueError)) as error:
        fc.Policy.from_file(path)
    assert named in str(error.value)
    assert isinstance(error.value, fc.SerializationError)


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("p.toml", "name = ", "not valid TOML"),
        ("p.json", "{", "not valid JSON"),
        ("p.json", "[1, 2]", "one object"),
        ("p.yaml", "name: x", "a policy file is .toml or .json"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, text: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fc.SerializationError, match=says):
        fc.Policy.from_file(path)


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (2 << 20))
    with pytest.raises(fc.SerializationError, match="larger than"):
        fc.Policy.from_file(path)


@given(blocks=st.integers(1, 5), gap=st.none() | st.integers(0, 10**8),
       share=st.fractions(0, 1, max_denominator=1000),
       regions=st.none() | st.lists(st.sampled_from(list(fc.Region)), min_size=1,
                                    max_size=3, unique=True),
       # Any name a policy accepts: no controls or invisible-only text (facetcare._validate).
       name=st.text(st.characters(exclude_categories=("Cc", "Cs", "Cn", "Cf", "Zl", "Zp")),
                    min_size=1, max_size=20).filter(lambda text: not nothing_visible(text)))
def test_any_policy_round_trips_through_toml(blocks: int, gap: int | None, share: object,
                                              regions: list[fc.Region] | None,
                                              name: str) -> None:
    import datetime as dt
    import tempfile

    policy = attrs.evolve(fc.Policy.seed(), name=name, blocks_required=blocks,
                          min_block_gap=None if gap is None else dt.timedelta(seconds=gap),
                          relief_threshold=share, regions=regions)
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".toml", ".json"):
            path = Path(folder) / f"p{suffix}"
            policy.to_file(path)
            assert fc.Policy.from_file(path) == policy


# -- the command line ---------------------------------------------------------------------


def test_policy_option_takes_a_file(tmp_path: Path) -> None:
    path = tmp_path / "strict.toml"
    attrs.evolve(fc.Policy.seed(), name="strict", entry_min_pain_months=12).to_file(path)
    log = tmp_path / "events.jsonl"
    log.write_text(dump_events_jsonl([referral(pain_months=6)]), encoding="utf-8")
    refused = invoke("check", str(log), "--policy", str(path))
    assert refused.exit_code == 1 and "entry_criteria" in refused.output
    fine = invoke("check", str(log), "--policy", "seed")
    assert fine.exit_code == 0


def test_policy_option_refuses_a_bad_file_or_name(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    log.write_text(dump_events_jsonl([referral()]), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x"}', encoding="utf-8")
    result = invoke("check", str(log), "--policy", str(bad))
    assert result.exit_code == 2 and "missing policy field" in result.output
    missing = invoke("check", str(log), "--policy", str(tmp_path / "absent.toml"))
    assert missing.exit_code == 2 and "cannot read the policy file" in missing.output
    unknown = invoke("check", str(log), "--policy", "aetna")
    assert unknown.exit_code == 2 and "neither a profile" in unknown.output


def test_policies_shows_every_profile_with_sources() -> None:
    result = invoke("policies")
    assert result.exit_code == 0, result.output
    for policy in PROFILES:
        assert policy.name in result.output
    assert "[1.6] A57826" in " ".join(result.output.split())
    bare = invoke("policies", "seed", "evicore-cmm208", "--no-sources")
    assert bare.exit_code == 0
    assert "[5]" not in bare.output and "evicore-cmm208" in bare.output
    assert "medicare-l38803" not in bare.output


def test_policies_shows_a_clinic_file_beside_a_profile(tmp_path: Path) -> None:
    path = tmp_path / "ours.json"
    attrs.evolve(fc.Policy.seed(), name="our-clinic", blocks_required=2).to_file(path)
    result = invoke("policies", "seed", str(path))
    assert result.exit_code == 0 and "our-clinic" in result.output


@pytest.mark.parametrize("policy", PROFILES[:2], ids=[p.name for p in PROFILES[:2]])
def test_a_staged_journey_with_every_new_field_round_trips(policy: fc.Policy) -> None:
    j = staged(S.SUSTAINED_RELIEF, policy)
    j.book_neurotomy(R45, visit_at=j.now + 14 * DAY).check_in().perform_neurotomy().discharge()
    again = fc.Pathway.from_json(j.pw.to_json())
    assert again == j.pw and again.stage == S.FOLLOW_UP
    assert again.to_json() == j.pw.to_json()


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_durations_are_iso_8601_in_a_file_and_microseconds_are_read_too(
        tmp_path: Path, suffix: str) -> None:
    seed = fc.Policy.seed()
    path = tmp_path / f"ours{suffix}"
    seed.to_file(path)
    text = path.read_text(encoding="utf-8")
    assert '"PT6H"' in text  # the relief window's end, as a person writes it
    edited = path.read_text(encoding="utf-8").replace('"PT6H"', str(6 * 3600 * 10**6), 1)
    path.write_text(edited, encoding="utf-8")
    assert fc.Policy.from_file(path) == seed  # a document's microseconds read the same


@pytest.mark.parametrize("text, micros", [
    ("P14D", 14 * 86_400 * 10**6), ("PT6H30M", (6 * 60 + 30) * 60 * 10**6), ("PT0S", 0),
    ("PT0.000007S", 7), ("P1DT2H3M4.5S", ((26 * 60 + 3) * 60 + 4) * 10**6 + 500_000),
])
def test_iso_durations_read_exactly_and_write_back_the_same(text: str, micros: int) -> None:
    from facetcare._policy_file import format_duration, parse_duration

    assert parse_duration(text, "f") == micros
    assert parse_duration(format_duration(micros), "f") == micros


@pytest.mark.parametrize("bad", ["P", "PT", "P1M", "P1Y", "14D", "PT1.1234567S", "P1DT",
                                 "-P1D", "P\u0661D", "P1234567890D"])
def test_a_duration_that_is_not_days_to_seconds_is_refused_with_its_field(
        tmp_path: Path, bad: str) -> None:
    path = tmp_path / "ours.json"
    fc.Policy.seed().to_file(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["relief_window_end"] = bad
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(fc.SerializationError, match="relief_window_end"):
        fc.Policy.from_file(path)


@pytest.mark.parametrize(("field", "value"), [
    ("regions", "lumbar"), ("covered_diagnoses", "M47.816"), ("lesion_modalities", {"a": 1})])
def test_a_list_field_given_one_value_is_refused_whole(tmp_path: Path, field: str,
                                                       value: object) -> None:
    fc.Policy.seed().to_file(tmp_path / "seed.json")
    document = json.loads((tmp_path / "seed.json").read_text())
    document.update({"name": "clinic", "version": None, field: value})
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps(document))
    with pytest.raises(fc.SerializationError) as refused:
        fc.Policy.from_file(path)
    message = str(refused.value)
    assert f"clinic.json.{field}" in message and "expected a list" in message
    assert f"{field}[1]" not in message  # not one error per character or key
    document[field] = [value] if field != "lesion_modalities" else ["thermal"]
    if field == "regions":
        path.write_text(json.dumps(document))
        assert fc.Policy.from_file(path).regions == (fc.Region.LUMBAR,)
