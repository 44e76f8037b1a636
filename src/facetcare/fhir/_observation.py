"""Pain scores → Observation, LOINC 72514-3 (0–10 NRS), ``partOf`` their Procedure.

Baseline pain (of a block), each relief diary entry, follow-up reports and
the pain returning are pain scores; each is its own Observation, with the
score as ``valueInteger`` and facetcare's observation role as ``category``.
A diary entry keeps its own clinical time (``effectiveDateTime``) and the
diary's time as ``issued``. The relief assessment's computed result is an
Observation in facetcare's code system (no standard code for percent relief
or a positive block was confirmed); it is output only: reading recomputes it.
"""

from __future__ import annotations

import datetime as dt

from facetcare import events as ev
from facetcare.errors import SerializationError
from facetcare.fhir import _codes as c
from facetcare.fhir._common import (
    Context,
    EventRef,
    Json,
    Node,
    concept,
    event_ext,
    ref,
    when,
)


def _observation(ctx: Context, ident: str, role: str, at: dt.datetime, *,
                 part_of: str | None, event: Json | None) -> Json:
    out: Json = {"resourceType": "Observation", "id": ident}
    if event is not None:
        out["extension"] = [event]
    if part_of is not None:
        out["partOf"] = [ref("Procedure", part_of)]
    out.update({
        "status": "final",
        "category": [concept(c.OBSERVATION_ROLE, role, c.OBSERVATION_ROLES[role])],
    })
    if role == "relief-assessment":
        out["code"] = concept(c.OBSERVATION_ROLE, role, c.OBSERVATION_ROLES[role])
    else:
        out["code"] = concept(c.LOINC, *c.PAIN_NRS)
    out["subject"] = ctx.subject
    out["effectiveDateTime"] = when(at)
    return out


def baseline(ctx: Context, seq: int, block: ev.BlockPerformed, procedure_id: str) -> Json:
    out = _observation(ctx, ctx.id(seq, "Observation", "baseline"), "baseline", block.at,
                       part_of=procedure_id, event=None)
    out["valueInteger"] = block.baseline_pain
    return out


def diary(ctx: Context, seq: int, event: ev.ReliefDiaryRecorded,
          procedure_id: str | None) -> list[Json]:
    out = []
    for index, entry in enumerate(event.entries):
        item = _observation(ctx, ctx.id(seq, "Observation", str(index)), "relief-diary",
                            entry.at, part_of=procedure_id,
                            event=event_ext(seq, event, entry=index))
        item["issued"] = when(event.at)
        item["valueInteger"] = entry.score
        out.append(item)
    return out


def pain_report(ctx: Context, seq: int, event: ev.FollowUpRecorded | ev.PainReturned,
                procedure_id: str | None) -> Json:
    role = "follow-up" if isinstance(event, ev.FollowUpRecorded) else "pain-returned"
    out = _observation(ctx, ctx.id(seq, "Observation"), role, event.at, part_of=procedure_id,
                       event=event_ext(seq, event))
    out["valueInteger"] = event.pain_score
    return out


def assessment(ctx: Context, seq: int, event: ev.ReliefAssessed, procedure_id: str | None, *,
               positive: bool) -> Json:
    out = _observation(ctx, ctx.id(seq, "Observation"), "relief-assessment", event.at,
                       part_of=procedure_id, event=event_ext(seq, event))
    result = "positive" if positive else "negative"
    out["valueCodeableConcept"] = concept(c.RELIEF_RESULT, result, c.RELIEF_RESULTS[result])
    return out


# -- reading --------------------------------------------------------------------------


def role(node: Node) -> str:
    categories = node.nodes("category")
    for item in categories:
        for code in item.nodes("coding"):
            if code.data.get("system") == c.OBSERVATION_ROLE:
                found = code.text("code")
                if found in c.OBSERVATION_ROLES:
                    return found
    raise SerializationError(f"{node.where}.category: no facetcare observation role")


def score(node: Node) -> int:
    if node.node("code").code_in(c.LOINC) != c.PAIN_NRS[0]:
        raise SerializationError(f"{node.where}.code: expected LOINC {c.PAIN_NRS[0]}")
    return int(node.typed("valueInteger", int))


def part_of(node: Node) -> str:
    parts = node.nodes("partOf")
    if len(parts) != 1:
        raise SerializationError(f"{node.where}.partOf: expected one Procedure")
    return _procedure_ref(parts[0])


def _procedure_ref(node: Node) -> str:
    reference = node.text("reference")
    if not reference.startswith("Procedure/"):
        raise SerializationError(f"{node.where}.reference: expected a Procedure reference")
    return reference[len("Procedure/"):]


def read(node: Node, event: EventRef) -> tuple[ev.Event | ev.PainEntry, dt.datetime | None]:
    """A pain report or assessment; for a diary line, its `PainEntry` and the diary's time."""
    at = node.time("effectiveDateTime")
    if event.kind == "ReliefDiaryRecorded":
        return ev.PainEntry(at, score(node)), node.time("issued")
    if event.kind == "FollowUpRecorded":
        return ev.FollowUpRecorded(at=at, pain_score=score(node)), None
    if event.kind == "PainReturned":
        return ev.PainReturned(at=at, pain_score=score(node)), None
    if event.kind == "ReliefAssessed":
        return ev.ReliefAssessed(at=at), None
    raise SerializationError(f"{event.node.where}: an Observation does not record {event.kind}")
