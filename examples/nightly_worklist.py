"""A nightly worklist over many pathways: overdue first, then today, then upcoming.

Each pathway says what is due with ``due(now)``; the job only sorts. The
job passes its own run time as ``now`` (facetcare never reads the clock),
which also makes a run reproducible: rerun it with last night's time and
you get last night's list.

Run:  python examples/nightly_worklist.py
"""

from __future__ import annotations

import datetime as dt

import facetcare as fc
from facetcare import events as ev
from facetcare.records import referral_record

CLINIC = dt.timezone(dt.timedelta(hours=1), "CET")
NOW = dt.datetime(2026, 3, 17, 6, 0, tzinfo=CLINIC)  # the job's run time
MIN, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)
L45 = (fc.Target("L4-L5", fc.Side.LEFT), fc.Target("L4-L5", fc.Side.RIGHT))


def march(day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=CLINIC)


def referral(patient: str, when: dt.datetime) -> ev.Referred:
    # What the Medicare profile asks a referral to record (facetcare.records).
    return ev.Referred(at=when, pathway_id=f"pw-{patient}", patient_id=patient,
                       region=fc.Region.LUMBAR,
                       **referral_record(fc.Policy.medicare_l38803(), fc.Region.LUMBAR))


def block(visit: str, booked: dt.datetime, when: dt.datetime, *, lowest_pain: int | None,
          driver_confirmed: bool = True) -> list[ev.Event]:
    """Booking to assessment; ``lowest_pain=None`` stops at the booking."""
    booking = ev.BlockScheduled(at=booked, visit_id=visit, visit_at=when, targets=L45,
                                escort_confirmed=driver_confirmed)
    if lowest_pain is None:
        return [booking]
    return [
        booking,
        ev.CheckedIn(at=when - 15 * MIN, visit_id=visit, escort_present=True),
        ev.BlockPerformed(at=when, visit_id=visit, targets=L45, baseline_pain=8,
                          guidance="fluoroscopy", sedation="none", agent="lidocaine"),
        ev.Discharged(at=when + 70 * MIN, visit_id=visit, escort_present=True),
        ev.ReliefDiaryRecorded(at=when + 5 * HOUR, entries=[
            fc.PainEntry(when + HOUR, lowest_pain), fc.PainEntry(when + 4 * HOUR, lowest_pain)]),
        ev.ReliefAssessed(at=when + 5 * HOUR),
    ]


def neurotomy(visit: str, booked: dt.datetime, when: dt.datetime, *,
              performed: bool = True, driver_confirmed: bool = True) -> list[ev.Event]:
    """Booking to discharge; ``performed=False`` stops at the booking."""
    booking = ev.NeurotomyScheduled(at=booked, visit_id=visit, visit_at=when, targets=L45,
                                    escort_confirmed=driver_confirmed)
    if not performed:
        return [booking]
    lesions = [fc.Lesion(target, 90, 85, fc.Modality.CONVENTIONAL_THERMAL)
               for target in L45 for _ in range(2)]
    return [
        booking,
        ev.CheckedIn(at=when - 15 * MIN, visit_id=visit, escort_present=True),
        ev.NeurotomyPerformed(at=when, visit_id=visit, lesions=lesions, guidance="fluoroscopy",
                              sedation="minimal"),
        ev.Discharged(at=when + 45 * MIN, visit_id=visit, escort_present=True),
    ]


def roster() -> list[fc.Pathway]:
    """Ten patients somewhere on the pathway, as the clinic's database would replay them."""
    seed, medicare = fc.Policy.seed(), fc.Policy.medicare_l38803()
    journeys: list[tuple[fc.Policy, list[ev.Event]]] = [
        (seed, [referral("pt-01", march(16, 14))]),
        (seed, [referral("pt-02", march(2)),
                *block("V-21", march(3), march(17, 9), lowest_pain=None,
                       driver_confirmed=False)]),
        (seed, [referral("pt-03", march(1)),
                *block("V-31", march(2), march(16, 8), lowest_pain=None,
                       driver_confirmed=False)]),
        (seed, [referral("pt-04", march(1)), *block("V-41", march(2), march(16, 9),
                                                    lowest_pain=2)[:5]]),
        (seed, [referral("pt-05", march(1)), *block("V-51", march(2), march(16, 8),
                                                    lowest_pain=3)]),
        (seed, [referral("pt-06", march(1)), *block("V-61", march(2), march(16, 8),
                                                    lowest_pain=7)]),
        (medicare, [referral("pt-07", march(1)), *block("V-71", march(2), march(10),
                                                        lowest_pain=1)]),
        (seed, [referral("pt-08", march(1)),
                *block("V-81", march(2), march(9), lowest_pain=2),
                *neurotomy("V-82", march(10), march(24), performed=False,
                           driver_confirmed=False)]),
        (seed, [referral("pt-09", dt.datetime(2026, 1, 5, 9, tzinfo=CLINIC)),
                *block("V-91", dt.datetime(2026, 1, 6, 9, tzinfo=CLINIC),
                       dt.datetime(2026, 1, 20, 8, tzinfo=CLINIC), lowest_pain=2),
                *neurotomy("V-92", dt.datetime(2026, 1, 21, 9, tzinfo=CLINIC),
                           dt.datetime(2026, 2, 20, 8, tzinfo=CLINIC))]),
        (seed, [referral("pt-10", march(1)),
                *block("V-101", march(2), march(9), lowest_pain=2),
                ev.Closed(at=march(12), reason="patient chose physiotherapy")]),
    ]
    return [fc.Pathway.replay(events, policy=policy) for policy, events in journeys]


def when(moment: dt.datetime) -> str:
    return moment.astimezone(CLINIC).strftime("%a %d %b %H:%M")


def main() -> None:
    end_of_today = dt.datetime.combine(NOW.date() + DAY, dt.time(0), tzinfo=CLINIC)
    overdue, today, upcoming, idle = [], [], [], []
    pathways = roster()
    for pathway in pathways:
        tasks = pathway.due(NOW)
        if not tasks:
            idle.append(f"{pathway.patient_id} ({pathway.stage})")
        for task in tasks:
            row = (pathway, task)
            if task.overdue(NOW):
                overdue.append(row)
            elif task.not_before < end_of_today:
                today.append(row)
            else:
                upcoming.append(row)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    print(f"Worklist for {when(NOW)}: {len(pathways)} pathways, "
          f"{len(overdue) + len(today) + len(upcoming)} tasks\n")
    sections = [
        ("OVERDUE", sorted(overdue, key=lambda r: r[1].due_by or far)),
        ("TODAY", sorted(today, key=lambda r: (r[1].due_by or far, r[1].not_before))),
        ("UPCOMING", sorted(upcoming, key=lambda r: r[1].not_before)),
    ]
    for title, rows in sections:
        print(f"{title} ({len(rows)})")
        for pathway, task in rows:
            if task.overdue(NOW):
                timing = f"was due {when(task.due_by)}" if task.due_by else ""
            elif task.not_before >= end_of_today:
                timing = f"from {when(task.not_before)}"
            else:
                timing = f"by {when(task.due_by)}" if task.due_by else "any time"
            visit = f" [{task.visit_id}]" if task.visit_id else ""
            print(f"  {pathway.patient_id}  {task.kind:<19} {timing:<25} {task.detail}{visit}")
        print()
    print("Nothing due: " + ", ".join(idle))


if __name__ == "__main__":
    main()
