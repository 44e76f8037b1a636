"""A clerk books one patient's visits, and reads why some bookings are refused.

A booking screen asks the pathway first (``check``: nothing changes) and
only then records the booking (``apply``). Each refusal carries a stable
``code`` for the software and a ``message`` written for the person at the
desk, so the screen can show it as is.

Run:  python examples/book_visits.py
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import facetcare as fc
from facetcare import events as ev

CLINIC = dt.timezone(dt.timedelta(hours=-5), "EST")
POLICY = fc.Policy.medicare_l38803()  # two positive blocks, 2 levels per block session
#: How the clinic does a diagnostic block: under fluoroscopy, no sedation, lidocaine.
BLOCK = {"guidance": fc.Guidance.FLUOROSCOPY, "sedation": fc.Sedation.NONE,
         "agent": fc.Agent.LIDOCAINE}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in March 2026, clinic time."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=CLINIC)


def clock(moment: dt.datetime) -> str:
    return moment.strftime("%a %d %b %H:%M")


def attempt(pathway: fc.Pathway, what: str, event: ev.Event) -> bool:
    """What the desk sees: booked, or the reasons in the clerk's words."""
    verdict = pathway.check(event)
    if verdict.allowed:
        stage = pathway.apply(event)
        print(f"  ok       {what}  (now: {stage})")
        return True
    print(f"  REFUSED  {what}")
    for reason in verdict.reasons:
        print(f"           - {reason.message}  [{reason.code}]")
    return False


def slot(procedure: Literal["block", "neurotomy"], nerves: int) -> str:
    """How long to hold the room and the recovery bay."""
    low, high = fc.estimate_slot(procedure, nerves=nerves, policy=POLICY).total
    return f"hold {int(low.total_seconds() // 60)}-{int(high.total_seconds() // 60)} min"


def main() -> None:
    left, right = fc.Side.LEFT, fc.Side.RIGHT
    l34 = (fc.Target("L3-L4", left), fc.Target("L3-L4", right))
    l45 = (fc.Target("L4-L5", left), fc.Target("L4-L5", right))
    l5s1 = (fc.Target("L5-S1", left), fc.Target("L5-S1", right))

    print(f"Patient pt-0042, lumbar facet pain, policy {POLICY.name}\n")
    pathway = fc.Pathway.start(
        ev.Referred(at=at(2, 9), pathway_id="pw-0042", patient_id="pt-0042",
                    region=fc.Region.LUMBAR, pain_months=7, conservative_care_failed=True,
                    conservative_care_weeks=12, axial_pain=True,
                    baseline_function_scale=fc.FunctionalScale.ODI, baseline_function_score=44,
                    untreated_radicular_pain=False, non_facet_cause_excluded=True,
                    diagnosis="M47.816"),
        policy=POLICY,
    )

    print("First diagnostic block")
    first = at(9, 8)
    attempt(pathway, f"block at three joints on {clock(first)}",
            ev.BlockScheduled(at=at(2, 10), visit_id="V-101", visit_at=first,
                              targets=l34 + l45 + l5s1))
    attempt(pathway, f"block at L4-L5 and L5-S1 on {clock(first)}, {slot('block', 4)}",
            ev.BlockScheduled(at=at(2, 10), visit_id="V-101", visit_at=first,
                              targets=l45 + l5s1))
    attempt(pathway, "check-in, patient came alone",
            ev.CheckedIn(at=at(9, 7, 40), visit_id="V-101", escort_present=False))
    attempt(pathway, "check-in, daughter will drive",
            ev.CheckedIn(at=at(9, 7, 45), visit_id="V-101", escort_present=True))
    attempt(pathway, "block given under moderate sedation",
            ev.BlockPerformed(at=first, visit_id="V-101", targets=l45 + l5s1,
                              baseline_pain=8, **{**BLOCK, "sedation": fc.Sedation.MODERATE}))
    attempt(pathway, "block given without sedation, pain 8/10 before it",
            ev.BlockPerformed(at=first, visit_id="V-101", targets=l45 + l5s1,
                              baseline_pain=8, **BLOCK))
    attempt(pathway, "send home 30 min after the block",
            ev.Discharged(at=at(9, 8, 30), visit_id="V-101", escort_present=True))
    attempt(pathway, "send home 70 min after the block",
            ev.Discharged(at=at(9, 9, 10), visit_id="V-101", escort_present=True))
    attempt(pathway, "pain diary handed in (1/10 from 30 min to 4 h after the block)",
            ev.ReliefDiaryRecorded(at=at(9, 14), entries=[
                fc.PainEntry(at(9, 8, 30), 1), fc.PainEntry(at(9, 10), 1),
                fc.PainEntry(at(9, 12), 1), fc.PainEntry(at(9, 13), 3)]))
    attempt(pathway, "relief assessed", ev.ReliefAssessed(at=at(9, 14)))

    print("\nThe patient asks for the neurotomy straight away")
    attempt(pathway, "neurotomy on Mon 16 Mar",
            ev.NeurotomyScheduled(at=at(9, 15), visit_id="V-102", visit_at=at(16, 8),
                                  targets=l45 + l5s1))

    print("\nConfirmatory block")
    second = at(23, 8)
    attempt(pathway, f"second block on {clock(second)}",
            ev.BlockScheduled(at=at(9, 15), visit_id="V-102", visit_at=second,
                              targets=l45 + l5s1, escort_confirmed=True))
    for event in (
        ev.CheckedIn(at=at(23, 7, 45), visit_id="V-102", escort_present=True),
        ev.BlockPerformed(at=second, visit_id="V-102", targets=l45 + l5s1, baseline_pain=8,
                          **BLOCK),
        ev.Discharged(at=at(23, 9, 15), visit_id="V-102", escort_present=True),
        ev.ReliefDiaryRecorded(at=at(23, 14), entries=[fc.PainEntry(at(23, 9), 1),
                                                       fc.PainEntry(at(23, 12), 1)]),
        ev.ReliefAssessed(at=at(23, 14)),
    ):
        attempt(pathway, f"{event.kind} at {clock(event.at)}", event)

    print("\nThe neurotomy")
    nerves = len({(nerve, t.side) for t in l45 + l5s1 for nerve in t.nerves})
    attempt(pathway, "neurotomy booked under the block's visit V-102",
            ev.NeurotomyScheduled(at=at(23, 15), visit_id="V-102", visit_at=at(30, 8),
                                  targets=l45 + l5s1))
    attempt(pathway, "neurotomy this afternoon, same day as the block",
            ev.NeurotomyScheduled(at=at(23, 15), visit_id="V-103", visit_at=at(23, 16),
                                  targets=l45 + l5s1))
    attempt(pathway, f"neurotomy on Mon 30 Mar 08:00, {slot('neurotomy', nerves)}",
            ev.NeurotomyScheduled(at=at(23, 15), visit_id="V-103", visit_at=at(30, 8),
                                  targets=l45 + l5s1))

    print(f"\nStage: {pathway.stage}. Still to do:")
    for task in pathway.due(at(23, 15)):
        deadline = f", by {clock(task.due_by)}" if task.due_by else ""
        print(f"  - {task.kind}: {task.detail} (from {clock(task.not_before)}{deadline})")


if __name__ == "__main__":
    main()
