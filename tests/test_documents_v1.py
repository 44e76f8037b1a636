"""Documents written by the release at c534087 (schema @1) still load (docs/payer-rules.md).

`tests/fixtures/v1/` holds pathway documents that release wrote under its
three profiles (`write_v1.py` there is the script). Each must load today,
with events equal to the ones written, the policy as it was (the fields
added since take the value that keeps its rules), and the same stage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import facetcare as fc
from facetcare.serialization import SCHEMA, dump_event, dump_policy

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "v1"
#: The stage each document stood at when the release wrote it.
STAGES = {
    "seed-lumbar-repeat": "follow_up",
    "medicare-lumbar-relief": "sustained_relief",
    "medicare-lumbar-negative": "closed",
    "consensus-cervical-no-relief": "no_relief",
    "consensus-lumbar-withdrawn": "withdrawn",
}
ADDED_POLICY_FIELDS = {"time_zone": "UTC", "follow_up_interval": 91 * 86400,
                       "relief_measure": "best", "relief_min_entries": 1, "regions": None,
                       "covered_diagnoses": None, "lesion_modalities": None,
                       "block_max_sedation": None, "entry_requires_axial_pain": False}


def _as_written(now: object, old: object) -> object:
    """``now`` cut to the keys ``old`` has, checking that each key added since is empty."""
    if isinstance(old, dict) and isinstance(now, dict):
        for key in set(now) - set(old):
            assert now[key] in (None, []), (key, now[key])
        return {key: _as_written(now.get(key), value) for key, value in old.items()}
    if isinstance(old, list) and isinstance(now, list):
        return [_as_written(a, b) for a, b in zip(now, old, strict=True)]
    return now


def test_every_fixture_is_listed() -> None:
    assert {path.stem for path in FIXTURES.glob("*.json")} == set(STAGES)


@pytest.mark.parametrize("name", sorted(STAGES))
def test_a_release_document_still_loads(name: str) -> None:
    text = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    written = json.loads(text)
    assert written["schema"] == "facetcare/pathway@1"
    pw = fc.Pathway.from_json(text)
    assert pw.stage == STAGES[name]
    # The events are the ones written: each field as it was, the fields added
    # since at their defaults (an unrecorded guidance, sedation, modality, …).
    assert len(pw.events) == len(written["events"])
    for event, old in zip(pw.events, written["events"], strict=True):
        assert _as_written(json.loads(json.dumps(dump_event(event))), old) == old
    # The policy is the one written; new fields keep the @1 rules.
    policy = dump_policy(pw.policy)
    assert {key: policy[key] for key in written["policy"]} == written["policy"]
    for key, value in ADDED_POLICY_FIELDS.items():
        assert json.loads(json.dumps(policy[key])) == value, key
    # Written again, it is a current document that reads back equal.
    again = pw.to_json()
    assert json.loads(again)["schema"] == SCHEMA
    assert fc.Pathway.from_json(again) == pw


def test_a_release_medicare_document_keeps_its_own_rules() -> None:
    """The document carries its policy: today's Medicare profile does not re-judge it."""
    pw = fc.Pathway.from_json((FIXTURES / "medicare-lumbar-relief.json").read_text("utf-8"))
    assert pw.policy.name == "medicare-l38803"
    assert pw.policy != fc.Policy.medicare_l38803()
    assert pw.policy.min_block_gap is not None  # the release's 14 d, as it was applied
    assert pw.policy.lesion_modalities is None
