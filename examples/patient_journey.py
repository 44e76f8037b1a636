"""One lumbar patient from referral to a second round of care, step by step.

A clinic scheduling system keeps one `facetcare.Pathway` per patient and
region. After every step it asks two questions: where does the patient
stand (``pathway.stage``), and what must be booked or done next, by when
(``pathway.due(now)``). Steps the rules refuse come back with a stable code
for the software and a message for the person at the desk; a refused step
changes nothing, so the desk simply tries again once the problem is solved.

Times are the clinic's own (Europe/London) and always passed in: the
library never reads the clock, so this script prints the same thing on any
day.

Run:  python examples/patient_journey.py
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import facetcare as fc
from facetcare import events as ev

CLINIC = ZoneInfo("Europe/London")
POLICY = fc.Policy.seed()  # one block with ≥ 50% relief; a driver home after each procedure


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CLINIC)


def clock(moment: dt.datetime) -> str:
    return moment.astimezone(CLINIC).strftime("%a %d %b %Y %H:%M")


def minutes(span: tuple[dt.timedelta, dt.timedelta]) -> str:
    low, high = (round(part.total_seconds() / 60) for part in span)
    return f"{low} min" if low == high else f"{low}-{high} min"


def show_due(pathway: fc.Pathway, now: dt.datetime) -> None:
    """The scheduler's worklist for this patient."""
    tasks = pathway.due(now)
    if not tasks:
        print("    due: nothing for the scheduler at this stage")
    for task in tasks:
        window = f"from {clock(task.not_before)}"
        if task.due_by is not None:
            window += f", by {clock(task.due_by)}"
        late = "  OVERDUE" if task.overdue(now) else ""
        print(f"    due: {task.kind:<20} {window}{late}")


def step(pathway: fc.Pathway, what: str, event: ev.Event) -> bool:
    """Record ``event`` if the rules allow it; otherwise show why not."""
    verdict = pathway.check(event)
    if not verdict.allowed:
        print(f"{clock(event.at)}  REFUSED  {what}")
        for reason in verdict.reasons:
            print(f"    refused [{reason.code}]: {reason.message}")
        print(f"    stage stays: {pathway.stage}")
        return False
    stage = pathway.apply(event)
    print(f"{clock(event.at)}  {what}")
    print(f"    stage: {stage}")
    show_due(pathway, event.at)
    return True


def main() -> None:
    left, right = fc.Side.LEFT, fc.Side.RIGHT
    l45 = (fc.Target("L4-L5", left), fc.Target("L4-L5", right))
    l34 = (fc.Target("L3-L4", left), fc.Target("L3-L4", right))
    nerves = sum(len(target.nerves) for target in l45)  # two per joint, on each side

    print(f"Patient pt-0007, lumbar facet pain, policy {POLICY.name}\n")

    referral = ev.Referred(at=at(2026, 4, 7, 10), pathway_id="pw-0007", patient_id="pt-0007",
                           region=fc.Region.LUMBAR, pain_months=8, conservative_care_failed=True)
    pathway = fc.Pathway.start(referral, policy=POLICY)
    print(f"{clock(referral.at)}  referred by the GP")
    print(f"    stage: {pathway.stage}")
    show_due(pathway, referral.at)

    # -- diagnostic medial branch block --------------------------------------------
    block_slot = fc.estimate_slot("block", policy=POLICY)
    print(f"\n(block slot: {minutes(block_slot.procedure)} in the room, then "
          f"{minutes(block_slot.recovery)} observation; hold {minutes(block_slot.total)})")
    step(pathway, "block booked for L4-L5 both sides; driver not yet confirmed",
         ev.BlockScheduled(at=at(2026, 4, 7, 10, 5), visit_id="v-101",
                           visit_at=at(2026, 4, 21, 9), targets=l45))

    print()
    step(pathway, "check-in: the patient came alone",
         ev.CheckedIn(at=at(2026, 4, 21, 8, 50), visit_id="v-101", escort_present=False))
    step(pathway, "check-in again: a friend will drive the patient home",
         ev.CheckedIn(at=at(2026, 4, 21, 9, 20), visit_id="v-101", escort_present=True))

    block_at = at(2026, 4, 21, 9, 30)
    step(pathway, "block given (baseline pain 7/10)",
         ev.BlockPerformed(at=block_at, visit_id="v-101", targets=l45, baseline_pain=7))
    step(pathway, "discharged after an hour's observation",
         ev.Discharged(at=at(2026, 4, 21, 10, 30), visit_id="v-101", escort_present=True))

    # -- relief diary and assessment -----------------------------------------------
    print()
    scores = [(15, 6), (60, 3), (120, 2), (240, 2), (360, 4), (420, 6)]  # minutes after block
    diary = [fc.PainEntry(block_at + dt.timedelta(minutes=m), score) for m, score in scores]
    next_morning = at(2026, 4, 22, 8)
    step(pathway, "relief diary handed in, including a line written 7 h after the block",
         ev.ReliefDiaryRecorded(at=next_morning, entries=diary))
    step(pathway, "relief diary re-entered with the lines inside the 6-hour window",
         ev.ReliefDiaryRecorded(at=next_morning, entries=diary[:-1]))
    step(pathway, "relief assessed: lowest 2/10 from 7/10 is 71% relief",
         ev.ReliefAssessed(at=at(2026, 4, 22, 8, 5)))

    # -- radiofrequency neurotomy --------------------------------------------------
    rf_slot = fc.estimate_slot("neurotomy", nerves=nerves, policy=POLICY)
    print(f"\n(neurotomy slot for {nerves} nerves: {minutes(rf_slot.procedure)} in the room, "
          f"then {minutes(rf_slot.recovery)} recovery; hold {minutes(rf_slot.total)})")
    step(pathway, "neurotomy booked for the same joints, a separate visit",
         ev.NeurotomyScheduled(at=at(2026, 4, 22, 8, 10), visit_id="v-102",
                               visit_at=at(2026, 5, 12, 9), targets=l45, escort_confirmed=True))
    step(pathway, "check-in with a driver",
         ev.CheckedIn(at=at(2026, 5, 12, 8, 45), visit_id="v-102", escort_present=True))
    lesions = [fc.Lesion(target, 90, 80) for target in l45 for _ in range(2)]
    step(pathway, "nerves heated: 2 lesions per joint side, 90 s at 80 °C",
         ev.NeurotomyPerformed(at=at(2026, 5, 12, 9, 15), visit_id="v-102", lesions=lesions))
    step(pathway, "discharged after 30 minutes' recovery",
         ev.Discharged(at=at(2026, 5, 12, 9, 45), visit_id="v-102", escort_present=True))

    # -- follow-up and recurrence ----------------------------------------------------
    print()
    step(pathway, "follow-up: pain 4/10, still sore (43% relief, within 3 weeks)",
         ev.FollowUpRecorded(at=at(2026, 5, 26, 11), pain_score=4))
    step(pathway, "follow-up: pain 2/10 (71% relief)",
         ev.FollowUpRecorded(at=at(2026, 6, 2, 9), pain_score=2))
    step(pathway, "the pain came back (6/10), higher up this time",
         ev.PainReturned(at=at(2027, 1, 18, 14), pain_score=6))

    # -- the next round: other nerves need their own block ---------------------------
    print()
    step(pathway, "neurotomy at L3-L4 booked straight away",
         ev.NeurotomyScheduled(at=at(2027, 1, 20, 9), visit_id="v-103",
                               visit_at=at(2027, 2, 9, 9), targets=l34, escort_confirmed=True))
    step(pathway, "diagnostic block booked for L3-L4 instead",
         ev.BlockScheduled(at=at(2027, 1, 20, 9, 5), visit_id="v-104",
                           visit_at=at(2027, 2, 2, 9), targets=l34, escort_confirmed=True))

    document = pathway.to_json()
    again = fc.Pathway.from_json(document)
    print(f"\nFinal stage: {pathway.stage}")
    print(f"{len(pathway.events)} events; the JSON document ({len(document)} bytes) reads back "
          f"{'equal' if again == pathway else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
