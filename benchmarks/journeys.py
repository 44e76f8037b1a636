"""The event sequences every engine in the benchmark runs.

`seed_journey` is the full pathway under the seed policy: referral, one
diagnostic block, relief assessment, neurotomy, follow-up, sustained relief
and recurrence (13 events). The other journeys cover the remaining kinds of
rows in `facetcare.machine.PATHWAY` (negative blocks, cancelled and missed
visits, the settling follow-up, closing and withdrawing) so the references
can be checked against facetcare on every shape of transition.

`trace` turns an event sequence into what a guard-free reference fires: the
event kind, plus the branch facetcare took where the destination is
computed (see `benchmarks.references`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from facetcare import Lesion, PainEntry, Pathway, Policy, Region, Side, Target
from facetcare import events as ev
from facetcare.machine import PATHWAY, START

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

LEFT_L4_L5 = Target("L4-L5", Side.LEFT)
LEFT_L5_S1 = Target("L5-S1", Side.LEFT)
TARGETS = (LEFT_L4_L5, LEFT_L5_S1)

Journey = list[ev.Event]
Step = tuple[str, str | None]  # (event kind, branch or None)


def referral(i: int = 0, at: dt.datetime = T0) -> ev.Referred:
    return ev.Referred(
        at=at, pathway_id=f"pw-{i}", patient_id=f"pt-{i}", region=Region.LUMBAR
    )


def _block(at: dt.datetime, visit: str, lowest: int, assess: bool = True) -> Journey:
    """Book, give and assess one block; ``lowest`` is the best diary score (baseline 7)."""
    visit_at = at + 7 * DAY
    given = visit_at + 30 * MIN
    events: Journey = [
        ev.BlockScheduled(at=at, visit_id=visit, visit_at=visit_at, targets=TARGETS,
                          escort_confirmed=True),
        ev.CheckedIn(at=visit_at, visit_id=visit, escort_present=True),
        ev.BlockPerformed(at=given, visit_id=visit, targets=TARGETS, baseline_pain=7),
        ev.Discharged(at=given + 70 * MIN, visit_id=visit, escort_present=True),
        ev.ReliefDiaryRecorded(
            at=given + 6 * HOUR,
            entries=(PainEntry(given + HOUR, 4), PainEntry(given + 3 * HOUR, lowest)),
        ),
    ]
    if assess:
        events.append(ev.ReliefAssessed(at=given + 6 * HOUR))
    return events


def _neurotomy(at: dt.datetime, visit: str) -> Journey:
    visit_at = at + 14 * DAY
    done = visit_at + 30 * MIN
    return [
        ev.NeurotomyScheduled(at=at, visit_id=visit, visit_at=visit_at, targets=TARGETS,
                              escort_confirmed=True),
        ev.CheckedIn(at=visit_at, visit_id=visit, escort_present=True),
        ev.NeurotomyPerformed(
            at=done, visit_id=visit,
            lesions=(Lesion(LEFT_L4_L5, 90, 85.0), Lesion(LEFT_L5_S1, 90, 85.0)),
        ),
        ev.Discharged(at=done + 40 * MIN, visit_id=visit, escort_present=True),
    ]


def seed_journey(i: int = 0) -> Journey:
    """Referral → block → assessment → neurotomy → follow-up → sustained relief → recurrence."""
    events: Journey = [referral(i)]
    events += _block(T0 + HOUR, "b1", lowest=2)
    events += _neurotomy(events[-1].at + DAY, "n1")
    done = events[-2].at
    events += [
        ev.FollowUpRecorded(at=done + 30 * DAY, pain_score=2),
        ev.PainReturned(at=done + 300 * DAY, pain_score=6),
    ]
    return events


def negative_then_closed() -> Journey:
    """A negative block, a second block on the same nerves (positive), then closed."""
    events: Journey = [referral(1)]
    events += _block(T0 + HOUR, "b1", lowest=6)
    events += _block(events[-1].at + DAY, "b2", lowest=1)
    events.append(ev.Closed(at=events[-1].at + DAY, reason="patient declined neurotomy"))
    return events


def cancelled_and_missed() -> Journey:
    """A missed block, a block cancelled after check-in, a cancelled neurotomy, then withdrawn."""
    at = T0 + HOUR
    events: Journey = [
        referral(2),
        ev.BlockScheduled(at=at, visit_id="b1", visit_at=at + 7 * DAY, targets=TARGETS,
                          escort_confirmed=True),
        ev.VisitMissed(at=at + 7 * DAY + HOUR, visit_id="b1"),
        ev.BlockScheduled(at=at + 8 * DAY, visit_id="b2", visit_at=at + 9 * DAY,
                          targets=TARGETS, escort_confirmed=True),
        ev.CheckedIn(at=at + 9 * DAY, visit_id="b2", escort_present=True),
        ev.VisitCancelled(at=at + 9 * DAY + 10 * MIN, visit_id="b2", reason="needle phobia"),
    ]
    events += _block(at + 10 * DAY, "b3", lowest=2)
    booked = events[-1].at + DAY
    events += [
        ev.NeurotomyScheduled(at=booked, visit_id="n1", visit_at=booked + 14 * DAY,
                              targets=TARGETS, escort_confirmed=True),
        ev.VisitCancelled(at=booked + DAY, visit_id="n1", reason="clinic closed"),
        ev.PolicyChanged(at=booked + DAY + HOUR, policy=Policy.seed(), reason="payer changed"),
        ev.Withdrawn(at=booked + 2 * DAY, reason="moved away"),
    ]
    return events


def settling_then_no_relief() -> Journey:
    """Follow-ups that stay settling, then no relief; a new block from no_relief."""
    events: Journey = [referral(3)]
    events += _block(T0 + HOUR, "b1", lowest=2)
    events += _neurotomy(events[-1].at + DAY, "n1")
    done = events[-2].at
    events += [
        ev.FollowUpRecorded(at=done + 7 * DAY, pain_score=6),
        ev.FollowUpRecorded(at=done + 21 * DAY, pain_score=6),
        ev.FollowUpRecorded(at=done + 60 * DAY, pain_score=6),
    ]
    events += _block(events[-1].at + DAY, "b2", lowest=6, assess=False)
    return events


def relief_then_repeat() -> Journey:
    """Sustained relief with a second report, recurrence, and a repeat neurotomy."""
    events = seed_journey(4)
    events.insert(-1, ev.FollowUpRecorded(at=events[-1].at - DAY, pain_score=1))
    events += _neurotomy(events[-1].at + DAY, "n2")
    return events


def seed_refusals() -> list[tuple[int, ev.Event, tuple[str, ...]]]:
    """At each point of the seed journey, an event the rules refuse, and the codes.

    ``(n, event, codes)``: after the first ``n`` seed events, ``event`` is
    refused with exactly ``codes``. Most are the next event with one field
    wrong; two are events the stage does not allow at all.
    """
    j = seed_journey()
    block_at, neurotomy_at, last = j[3].at, j[9].at, j[11].at
    unbooked = (Target("L3-L4", Side.LEFT),)
    return [
        (0, ev.PainReturned(at=T0, pain_score=5), ("invalid_transition",)),
        (1, ev.BlockScheduled(at=j[1].at, visit_id="b1", visit_at=j[1].at - DAY,
                              targets=TARGETS), ("visit_in_past",)),
        (2, ev.CheckedIn(at=j[2].at, visit_id="b1", escort_present=False), ("no_escort",)),
        (3, ev.BlockPerformed(at=block_at, visit_id="b1", targets=unbooked, baseline_pain=7),
         ("target_mismatch",)),
        (4, ev.Discharged(at=block_at + 30 * MIN, visit_id="b1", escort_present=True),
         ("observation_incomplete",)),
        (5, ev.ReliefDiaryRecorded(at=block_at + 8 * HOUR,
                                   entries=(PainEntry(block_at + 7 * HOUR, 2),)),
         ("outside_relief_window",)),
        (6, ev.ReliefAssessed(at=block_at + 3 * HOUR), ("out_of_order", "relief_window_open")),
        (7, ev.NeurotomyScheduled(at=j[7].at, visit_id="b1", visit_at=j[8].at,
                                  targets=TARGETS), ("same_visit",)),
        (8, ev.CheckedIn(at=j[8].at, visit_id="n1", escort_present=False), ("no_escort",)),
        (9, ev.NeurotomyPerformed(at=neurotomy_at, visit_id="n1",
                                  lesions=(Lesion(LEFT_L4_L5, 30),)), ("lesion_duration",)),
        (10, ev.Discharged(at=j[10].at, visit_id="n1", escort_present=False), ("no_escort",)),
        (11, ev.FollowUpRecorded(at=j[10].at - HOUR, pain_score=2), ("out_of_order",)),
        (12, ev.CheckedIn(at=last + DAY, visit_id="n1", escort_present=True),
         ("invalid_transition",)),
    ]


JOURNEYS: dict[str, Callable[[], Journey]] = {
    "seed": seed_journey,
    "negative_then_closed": negative_then_closed,
    "cancelled_and_missed": cancelled_and_missed,
    "settling_then_no_relief": settling_then_no_relief,
    "relief_then_repeat": relief_then_repeat,
}


# -- what a guard-free reference fires ---------------------------------------------


def _branch_of(origin: str, kind: str, dest: str) -> str | None:
    """The branch of the PATHWAY row that moved ``origin`` to ``dest`` on ``kind``."""
    for step in PATHWAY:
        if step.event.kind == kind and origin in step.sources and (step.dest or origin) == dest:
            return step.branch
    raise LookupError(f"no row {origin} --{kind}--> {dest}")


def trace(events: Sequence[ev.Event], policy: Policy | None = None) -> tuple[list[Step], str]:
    """Apply ``events`` with facetcare; return the (kind, branch) steps and the final stage."""
    pathway = Pathway(policy=policy)
    steps: list[Step] = []
    origin = START
    for event in events:
        dest = str(pathway.apply(event))
        steps.append((event.kind, _branch_of(origin, event.kind, dest)))
        origin = dest
    return steps, origin


def trigger_name(kind: str, branch: str | None) -> str:
    """The trigger a guard-free reference uses for one row: the kind, plus its branch."""
    return kind if branch is None else f"{kind}_{branch}"
