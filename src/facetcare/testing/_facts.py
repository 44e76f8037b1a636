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
from facetcare.facts import Nerve, nerves_of
from facetcare.machine import START
from facetcare.pathway import Pathway

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
    rec = pathway.facts
    visit = rec.open_visit
    opened = None
    if visit is not None:
        opened = OpenVisit(visit.visit_id, visit.kind, visit.origin, visit.visit_at,
                           tuple(visit.targets))
    neurotomy = rec.neurotomy
    state = rec.state
    booking_from = visit.origin if visit is not None else state
    treatable = (
        frozenset() if state == START
        else rec.treatable_nerves(booking_from, pathway.policy_in_force.blocks_required)
    )
    block = rec.block
    return Facts(
        state=state,
        last_at=rec.last_at,
        region=rec.region,
        visit_ids=frozenset(rec.visits),
        open_visit=opened,
        block_at=None if block is None else block.at,
        block_targets=() if block is None else block.targets,
        block_times=rec.block_times,
        diary_kept=block is not None and block.lowest_in_window is not None,
        assessed_at=rec.assessed_at,
        positive_blocks=len(rec.series),
        neurotomy_at=None if neurotomy is None else neurotomy.at,
        neurotomy_baseline=0 if neurotomy is None else neurotomy.baseline,
        neurotomy_times=rec.neurotomy_times,
        neurotomy_targets=() if neurotomy is None else neurotomy.targets,
        treatable=treatable,
    )
