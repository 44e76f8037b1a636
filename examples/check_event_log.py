"""Checking an event log exported by another system, and catching a tampered event.

A log is not believed: replaying it re-applies every rule to every event,
so an edited event is refused with the rule that caught it and its place
in the log. Here the export is checked as received, then with one event
changed after the fact (a third treated level added to the block, as a
billing correction might), then with a line the reader does not know.

The command line does the same:  facetcare check export.jsonl

Run:  python examples/check_event_log.py
"""

from __future__ import annotations

import json

import facetcare as fc
from facetcare.serialization import load_events_jsonl

#: One pathway as another system exported it: JSON Lines, one event per line.
EXPORT = """\
{"type":"Referred","at":"2026-03-02T09:00:00+00:00","pathway_id":"pw-7","patient_id":"pt-7","region":"lumbar"}
{"type":"BlockScheduled","at":"2026-03-02T10:00:00+00:00","visit_id":"B-1","visit_at":"2026-03-16T09:00:00+00:00","targets":[{"joint":"L4-L5","side":"left"},{"joint":"L5-S1","side":"left"}],"escort_confirmed":true}
{"type":"CheckedIn","at":"2026-03-16T08:50:00+00:00","visit_id":"B-1","escort_present":true}
{"type":"BlockPerformed","at":"2026-03-16T09:00:00+00:00","visit_id":"B-1","targets":[{"joint":"L4-L5","side":"left"},{"joint":"L5-S1","side":"left"}],"baseline_pain":7}
{"type":"Discharged","at":"2026-03-16T10:05:00+00:00","visit_id":"B-1","escort_present":true}
{"type":"ReliefDiaryRecorded","at":"2026-03-16T15:00:00+00:00","entries":[{"at":"2026-03-16T10:00:00+00:00","score":2},{"at":"2026-03-16T12:00:00+00:00","score":3}]}
{"type":"ReliefAssessed","at":"2026-03-16T15:00:00+00:00"}
{"type":"NeurotomyScheduled","at":"2026-03-17T11:00:00+00:00","visit_id":"N-1","visit_at":"2026-03-30T08:00:00+00:00","targets":[{"joint":"L4-L5","side":"left"},{"joint":"L5-S1","side":"left"}]}
"""


def check(title: str, text: str, policy: fc.Policy) -> None:
    print(f"== {title}")
    try:
        events = load_events_jsonl(text)
    except fc.SerializationError as unreadable:
        print(f"   unreadable, nothing replayed: {unreadable}\n")
        return
    try:
        pathway = fc.Pathway.replay(events, policy=policy)
    except fc.Rejected as refused:
        event = refused.event
        assert event is not None and refused.index is not None
        print(f"   REFUSED at line {refused.index + 1}: {event.kind} at {event.at:%Y-%m-%d %H:%M}")
        for reason in refused.reasons:
            print(f"   - {reason.code}: {reason.message}")
        print()
        return
    last = pathway.last_event_at
    assert last is not None
    print(f"   accepted: {len(pathway.events)} events under {policy.name}; "
          f"stage {pathway.stage}")
    for task in pathway.due(last):
        deadline = f" by {task.due_by:%Y-%m-%d %H:%M}" if task.due_by else ""
        print(f"   due: {task.kind}{deadline} ({task.detail})")
    print()


def main() -> None:
    policy = fc.Policy.seed()
    check("the export as received", EXPORT, policy)

    lines = EXPORT.splitlines()
    performed = json.loads(lines[3])
    performed["targets"].append({"joint": "L3-L4", "side": "left"})  # a level never booked
    lines[3] = json.dumps(performed)
    check("the export with the block's levels edited afterwards", "\n".join(lines), policy)

    garbled = EXPORT.replace('"type":"CheckedIn"', '"type":"Arrived"')
    check("an export with an event type facetcare does not know", garbled, policy)

    # Under the Medicare profile the same log fails at once: the referral
    # does not state the LCD's entry criteria.
    check("the export under the Medicare LCD profile", EXPORT, fc.Policy.medicare_l38803())


if __name__ == "__main__":
    main()
