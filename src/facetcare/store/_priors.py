"""Caps across a patient's pathways: the procedures a new referral must count.

A yearly cap or a minimum interval is about the patient, not about one
pathway: closing a pathway after four blocks and referring again must not
reset the count. The core judges only what a pathway's events say, so the
store tells it: `filled` gives the new ``Referred`` the blocks and
neurotomies performed on the patient's other pathways for the same region
(``Referred.prior_procedures``), read from their effective histories (a
retracted procedure does not count).

Procedures recorded on another pathway *after* this one was opened are not
added later: the referral is a fact fixed at its time. A clinic that runs
two open pathways for one patient and region at once should close one.
"""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa

from facetcare import events as ev
from facetcare.store import _schema as s
from facetcare.store._rows import replayed

__all__ = ["PROCEDURES", "filled"]

#: Which events are procedures performed, and the name the core counts them by.
PROCEDURES: dict[type[ev.Event], str] = {
    ev.BlockPerformed: "block",
    ev.NeurotomyPerformed: "neurotomy",
}


def _others(conn: sa.Connection, referral: ev.Referred) -> list[tuple[str, Any]]:
    p = s.pathways.c
    rows = conn.execute(
        sa.select(p.pathway_id, p.policy)
        .where(p.patient_id == referral.patient_id, p.region == str(referral.region),
               p.pathway_id != referral.pathway_id)
        .order_by(p.pathway_id)
    ).all()
    return [(pathway_id, policy) for pathway_id, policy in rows]


def _performed(conn: sa.Connection, pathway_id: str, policy: Any,
               before: ev.Referred) -> list[ev.PriorProcedure]:
    e = s.events.c
    rows = conn.execute(
        sa.select(e.seq, e.body).where(e.pathway_id == pathway_id).order_by(e.seq)
    ).all()
    pathway = replayed(pathway_id, policy, ((seq, body) for seq, body in rows))
    return [
        ev.PriorProcedure(procedure=PROCEDURES[type(event)], at=event.at, pathway_id=pathway_id)
        for event in pathway.events
        if type(event) in PROCEDURES and event.at <= before.at
    ]


def filled(conn: sa.Connection, referral: ev.Referred) -> ev.Referred:
    """``referral`` with the procedures of the patient's other pathways in its region added.

    Only procedures performed by the referral's time count (a prior
    procedure cannot be later than the referral); those the caller already
    listed are kept, once.
    """
    found = list(referral.prior_procedures)
    for pathway_id, policy in _others(conn, referral):
        found.extend(_performed(conn, pathway_id, policy, referral))
    unique = sorted(set(found), key=lambda p: (p.at, p.procedure, p.pathway_id))
    if tuple(unique) == referral.prior_procedures:
        return referral
    return attrs.evolve(referral, prior_procedures=tuple(unique))
