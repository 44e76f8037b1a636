"""Documents written by release 0.1.0 (schema @1) still load (docs/payer-rules.md).

`tests/fixtures/v1/` holds pathway documents that release wrote under its
three profiles and a clinic's own policy (`write_v1.py` there is the script
of the hyphenated ones, written at c534087). Each must load today, with
events equal to the ones written, the policy as it was (durations then in
seconds, now in microseconds; the fields added since take the value that
keeps its rules), and the same stage.
"""

from __future__ import annotations

import datetime as dt
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
    "consensus_closed": "closed",
    "medicare_sustained_relief": "sustained_relief",
    "own_policy_block_positive": "block_positive",
    "seed_offsets_floats": "neurotomy_recovery",
    "seed_recurrence": "recurrence",
}
#: Policy durations, written in seconds by @1 and in microseconds since @2.
DURATIONS = {"block_observation", "neurotomy_recovery", "relief_window_end",
             "relief_window_min", "min_block_gap", "follow_up_settling",
             "min_neurotomy_interval", "repeat_min_relief_duration", "reblock_after"}
ADDED_POLICY_FIELDS = {"time_zone": "UTC", "follow_up_interval": 91 * 86400 * 10**6,
                       "relief_measure": "best", "relief_min_entries": 1, "regions": None,
                       "covered_diagnoses": None, "lesion_modalities": None,
                       "block_max_sedation": None, "entry_requires_axial_pain": False}


def _moment(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _as_written(now: object, old: object) -> object:
    """``now`` cut to the keys ``old`` has, checking that each key added since is empty.

    A time written then with an offset (``+00:00``) and now in UTC with ``Z``
    is the same instant: it compares as the old text.
    """
    if _moment(now) is not None and _moment(now) == _moment(old):
        return old
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
    policy = json.loads(json.dumps(dump_policy(pw.policy)))
    as_seconds = {key: value if key not in DURATIONS or value is None else value / 10**6
                  for key, value in policy.items()}
    assert {key: as_seconds[key] for key in written["policy"]} == written["policy"]
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
