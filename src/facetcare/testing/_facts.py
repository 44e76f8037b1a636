"""What the step builders need to know about a pathway, read in one place.

The builders aim each drawn event at the pathway's open visit, its last
block, its confirmed nerves. Those facts live in the pathway's derived
record; reading them here, and nowhere else in the kit, keeps the kit's
dependence on the core's internals to one small function.
"""

from __future__ import annotations

import datetime as dt

import attrs

from facetcare import events as ev
from facetcare.machine import START
from facetcare.pathway import Pathway
from facetcare.record import Nerve, nerves_of

__all__ = ["Facts", "facts_of", "nerves_of"]


@attrs.frozen
class OpenVisit:
    visit_id: str
    kind: str
    origin: str
    visit_at: dt.datetime
    targets: tuple[ev.Target, ...]


@attrs.frozen
class Facts:
    state: str
    last_at: dt.datetime | None
    region: ev.Region
    visit_ids: frozenset[str]
    open_visit: OpenVisit | None
    block_at: dt.datetime | None
    block_targets: tuple[ev.Target, ...]
    block_times: tuple[dt.datetime, ...]
    #: Whether the block under assessment has an in-window diary entry yet.
    diary_kept: bool
    assessed_at: dt.datetime | None
    positive_blocks: int
    neurotomy_at: dt.datetime | None
    neurotomy_baseline: int
    neurotomy_times: tuple[dt.datetime, ...]
    #: Targets of the last neurotomy's lesions, in the order first treated.
    neurotomy_targets: tuple[ev.Target, ...]
    #: Nerves a neurotomy booked now could treat (confirmed, or repeatable).
    treatable: frozenset[Nerve]


def facts_of(pathway: Pathway) -> Facts:
    rec = pathway._record
    visit = rec.open_visit
    opened = None
    if visit is not None:
        opened = OpenVisit(visit.visit_id, visit.kind, visit.origin, visit.visit_at,
                           tuple(visit.targets))
    neurotomy = rec.neurotomy
    treated: list[ev.Target] = []
    for event in reversed(pathway.events):
        if isinstance(event, ev.NeurotomyPerformed):
            treated = list(dict.fromkeys(lesion.target for lesion in event.lesions))
            break
    state = rec.state
    booking_from = visit.origin if visit is not None else state
    treatable = (
        frozenset() if state == START
        else rec.treatable_nerves(booking_from, pathway.policy.blocks_required)
    )
    return Facts(
        state=state,
        last_at=rec.last_at,
        region=rec.region,
        visit_ids=frozenset(rec.visits),
        open_visit=opened,
        block_at=rec.block_at,
        block_targets=tuple(rec.block_targets),
        block_times=tuple(rec.block_times),
        diary_kept=rec.lowest_in_window is not None,
        assessed_at=rec.last_assessed_at,
        positive_blocks=len(rec.series),
        neurotomy_at=None if neurotomy is None else neurotomy.at,
        neurotomy_baseline=0 if neurotomy is None else neurotomy.baseline,
        neurotomy_times=tuple(rec.neurotomy_times),
        neurotomy_targets=tuple(treated),
        treatable=treatable,
    )
