"""A simulated clinic in a SQLite store, then tomorrow's worklist.

Every day for three months one patient is referred; `facetcare.simulation`
walks each through the real rules up to the end of the last month, and
the clinic's events are written into the store in the order they
happened, one `Store.apply` each, as the desk and the interfaces would;
the desk is a week behind, so the last week' events are not in the
store yet. The worklist for the next day is then one indexed query (no
pathway is replayed), printed overdue first: the visits whose outcome the
desk has not recorded show up there.

Run:  python examples/store_clinic.py [clinic.db]      (needs facetcare[store])
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import attrs

from facetcare import Policy
from facetcare import events as ev
from facetcare.simulation import simulate
from facetcare.store import Store

FIRST_REFERRAL = dt.datetime(2025, 11, 3, 8, 0, tzinfo=dt.UTC)
DAYS, PER_DAY = 90, 1
MONTH_END = dt.datetime(2026, 2, 1, 0, 0, tzinfo=dt.UTC)  # the worklist is for the next day
ENTERED_UNTIL = MONTH_END - dt.timedelta(days=7)  # the desk is a week behind
SHOWN = 15  # lines of the worklist printed beyond the overdue ones
POLICY = Policy.medicare_l38803()


def month() -> list[tuple[ev.Event, str]]:
    """(event, pathway id) for the whole month, in clinical time order."""
    stream = []
    for day in range(DAYS):
        start = FIRST_REFERRAL + dt.timedelta(days=day)
        cohort = simulate(PER_DAY, seed=100 + day, policy=POLICY, start=start,
                          horizon=MONTH_END - start)
        for journey in cohort.journeys:
            referral, *rest = journey.events
            assert isinstance(referral, ev.Referred)
            name = f"{day + 1:03d}"
            referral = attrs.evolve(referral, pathway_id=f"pw-{name}", patient_id=f"pt-{name}")
            stream += [(event, referral.pathway_id) for event in (referral, *rest)]
    return sorted((item for item in stream if item[0].at < ENTERED_UNTIL),
                  key=lambda item: item[0].at)


def main(path: Path) -> None:
    path.unlink(missing_ok=True)
    store = Store(f"sqlite:///{path}")
    events = month()
    for event, pathway_id in events:
        if isinstance(event, ev.Referred):
            store.create(event, policy=POLICY)
        else:
            store.apply(pathway_id, event)
    listed = store.pathways()
    print(f"Wrote {len(events)} events of {len(listed)} pathways (referred from "
          f"{FIRST_REFERRAL:%d %b %Y}, events entered up to {ENTERED_UNTIL:%d %b %Y}) into {path}")
    stages: dict[str, int] = {}
    for stored in listed:
        stages[stored.stage] = stages.get(stored.stage, 0) + 1
    print("Stages: " + ", ".join(f"{stage} {n}" for stage, n in sorted(stages.items())))

    start, end = MONTH_END, MONTH_END + dt.timedelta(days=1)
    items = store.worklist(start, end)
    ordered = sorted(items, key=lambda item: not item.overdue(start))  # stable: by time within
    overdue = sum(item.overdue(start) for item in items)
    print(f"\nWorklist for {start:%a %d %b %Y} (UTC): {len(items)} tasks, {overdue} overdue")
    for shown, item in enumerate(ordered):
        if shown >= overdue + SHOWN:
            print(f"  … and {len(ordered) - shown} more")
            break
        task = item.task
        status = "OVERDUE" if item.overdue(start) else "open"
        due = f" by {task.due_by:%d %b %H:%M}" if task.due_by else ""
        print(f"  {status:<7} from {task.not_before:%d %b %H:%M}  {item.pathway_id:<7} "
              f"{task.kind}{due}")
    print(f"\nThe same list from the command line:\n  facetcare store worklist "
          f"--db sqlite:///{path} --from {start.isoformat(timespec='minutes')} "
          f"--to {end.isoformat(timespec='minutes')}")
    store.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(Path(folder) / "clinic.db")
