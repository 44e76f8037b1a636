"""Performed blocks and neurotomies → Procedure, with their CPT lines.

The CPT lines come from `facetcare.coding` (blocks per level, neurotomies per
joint; both sides of a level as one line with modifier 50, or RT/LT lines
when asked). A Procedure's ``code`` names one procedure, while a session
bills several lines with modifiers, so the lines travel in the ``cpt-line``
extension rather than as alternative codings of ``code``; ``code`` itself is
in facetcare's code system because no SNOMED CT concept for these
procedures was confirmed (docs/sources.md#codes-note).

``bodySite`` lists the targets in the event's order: the joint in
facetcare's code system and the side as SNOMED laterality from the
release's own value set. Lesion settings (target, seconds, temperature,
modality) are facetcare extensions, and so are the imaging guidance, the
sedation and a block's anaesthetic agent (docs/payer-rules.md#procedures),
each written only when recorded, its code in facetcare's own code system
(no standard code for them was verified). The block's baseline pain is an
Observation ``partOf`` the Procedure (see `facetcare.fhir._observation`).
"""

from __future__ import annotations

from typing import Any

from facetcare import events as ev
from facetcare.coding import BilateralStyle, CptLine, block_lines, neurotomy_lines
from facetcare.errors import SerializationError
from facetcare.events import Lesion, Target
from facetcare.fhir import _codes as c
from facetcare.fhir._appointment import procedure_kind
from facetcare.fhir._codes import Release
from facetcare.fhir._common import (
    Context,
    EventRef,
    Json,
    Node,
    coded_ext,
    coding,
    concept,
    event_ext,
    ext,
    member_of,
    read_target,
    ref,
    resource_id,
    target_concept,
    when,
)
from facetcare.vocabulary import Agent, Guidance, Modality, Sedation

Performed = ev.BlockPerformed | ev.NeurotomyPerformed


def procedure_id(pathway_id: str, seq: int) -> str:
    return resource_id(pathway_id, seq, "Procedure")


def time_field(release: Release) -> str:
    return "performedDateTime" if release == "R4B" else "occurrenceDateTime"


def targets_of(event: Performed) -> tuple[Target, ...]:
    """The targets treated, in the event's order (a neurotomy's from its lesions, once each)."""
    if isinstance(event, ev.BlockPerformed):
        return event.targets
    return tuple(dict.fromkeys(lesion.target for lesion in event.lesions))


def cpt_lines(event: Performed, style: BilateralStyle) -> tuple[CptLine, ...]:
    pairs = [(t.joint, t.side) for t in targets_of(event)]
    if isinstance(event, ev.BlockPerformed):
        return block_lines(pairs, style)
    return neurotomy_lines(pairs, style)


def _cpt_ext(line: CptLine) -> Json:
    parts = [ext("code", valueCoding=coding(c.CPT, line.code))]
    parts += [ext("modifier", valueCoding=coding(c.MODIFIER_SYSTEM[m], m))
              for m in line.modifiers]
    parts += [ext("joint", valueCoding=coding(c.JOINT, line.joint)),
              ext("add-on", valueBoolean=line.add_on)]
    return ext(c.EXT_CPT_LINE, extension=parts)


def _lesion_ext(lesion: Lesion, release: Release) -> Json:
    parts = [ext("target", valueCodeableConcept=target_concept(lesion.target, release)),
             ext("seconds", valueDecimal=lesion.seconds)]
    if lesion.temperature_c is not None:
        parts.append(ext("temperature-celsius", valueDecimal=lesion.temperature_c))
    if lesion.modality is not None:
        parts.append(coded_ext("modality", c.MODALITY, lesion.modality))
    return ext(c.EXT_LESION, extension=parts)


#: How a procedure was done: field → (extension url, code system, vocabulary).
_HOW: dict[str, tuple[str, str, type[Guidance | Sedation | Agent]]] = {
    "guidance": (c.EXT_GUIDANCE, c.GUIDANCE, Guidance),
    "sedation": (c.EXT_SEDATION, c.SEDATION, Sedation),
    "agent": (c.EXT_AGENT, c.AGENT, Agent),
}


def _how(event: Performed) -> list[Json]:
    return [coded_ext(url, system, getattr(event, name))
            for name, (url, system, _) in _HOW.items()
            if getattr(event, name, None) is not None]


def _read_how(node: Node, event: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, (url, system, kind) in _HOW.items():
        found = node.extension(url, required=False)
        if found is None:
            continue
        if name == "agent" and event != "BlockPerformed":
            raise SerializationError(f"{found.where}: only a block records its agent")
        fields[name] = member_of(found, system, kind)
    return fields


def procedure(ctx: Context, seq: int, event: Performed, encounter_id: str | None, *,
              style: BilateralStyle) -> Json:
    release = ctx.release
    kind = procedure_kind(event)
    extensions = [event_ext(seq, event)]
    extensions += [_cpt_ext(line) for line in cpt_lines(event, style)]
    if isinstance(event, ev.NeurotomyPerformed):
        extensions += [_lesion_ext(lesion, release) for lesion in event.lesions]
    extensions += _how(event)
    out: Json = {
        "resourceType": "Procedure",
        "id": procedure_id(ctx.pathway_id, seq),
        "extension": extensions,
        "basedOn": [ref("ServiceRequest", ctx.request_id)],
        "status": "completed",
        "code": concept(c.PROCEDURE, kind, c.PROCEDURE_CODES[kind]),
        "subject": ctx.subject,
    }
    if encounter_id is not None:
        out["encounter"] = ref("Encounter", encounter_id)
    out[time_field(release)] = when(event.at)
    out["bodySite"] = [target_concept(t, release) for t in targets_of(event)]
    return out


# -- reading --------------------------------------------------------------------------


def _number(node: Node, name: str) -> float | None:
    for item in node.nodes("extension"):
        if item.data.get("url") == name:
            value: float = item.typed("valueDecimal", (int, float))
            return value
    return None


def _lesion(node: Node, release: Release) -> Lesion:
    target = [item for item in node.nodes("extension") if item.data.get("url") == "target"]
    seconds = _number(node, "seconds")
    if len(target) != 1 or seconds is None:
        raise SerializationError(f"{node.where}: a lesion needs one target and its seconds")
    modality = [item for item in node.nodes("extension") if item.data.get("url") == "modality"]
    if len(modality) > 1:
        raise SerializationError(f"{node.where}: a lesion has one modality")
    return Lesion(read_target(target[0].node("valueCodeableConcept"), release), seconds,
                  _number(node, "temperature-celsius"),
                  member_of(modality[0], c.MODALITY, Modality) if modality else None)


def read(node: Node, event: EventRef, release: Release, visit_id: str,
         baseline: int | None) -> ev.Event:
    at = node.time(time_field(release))
    if event.kind == "BlockPerformed":
        if baseline is None:
            raise SerializationError(
                f"{node.where}: no baseline pain Observation is partOf this block"
            )
        targets = tuple(read_target(item, release) for item in node.nodes("bodySite"))
        return ev.BlockPerformed(at=at, visit_id=visit_id, targets=targets,
                                 baseline_pain=baseline, **_read_how(node, event.kind))
    if event.kind == "NeurotomyPerformed":
        lesions = tuple(_lesion(item, release) for item in node.extensions(c.EXT_LESION))
        return ev.NeurotomyPerformed(at=at, visit_id=visit_id, lesions=lesions,
                                     **_read_how(node, event.kind))
    raise SerializationError(f"{event.node.where}: a Procedure does not record {event.kind}")
