"""Corrections → Provenance, and the effective history with each event's log position.

The resources show the *effective* history (the log with its corrections
applied), each event under the ``seq`` of the log entry it stands for: an
amended event keeps its own seq (its resource shows the replacement; an
Observation's status is ``amended``), a late entry has the seq of its
`LateEntry`. A resource of a retracted event is written again with status
``entered-in-error`` (so a server that has it learns of the retraction)
and without `event` extensions.

Each correction is one Provenance: ``target`` the resources it acts on,
``recorded`` its time, the agent its ``recorded_by``. The exact log entry
(the correction itself and, for a retraction or an amendment, the event as
first recorded) travels as facetcare's event JSON in the ``log-entry``
extension: FHIR has no element for "the version of this event before it
was corrected", and the round trip must give the log back exactly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from facetcare import corrections
from facetcare import events as ev
from facetcare.documents import read_json
from facetcare.errors import SerializationError
from facetcare.fhir import _codes as c
from facetcare.fhir._codes import Release
from facetcare.fhir._common import Context, Json, Node, ext, ref, when
from facetcare.serialization import dump_event, load_event


def effective(log: Sequence[ev.Event]) -> list[corrections.Entry]:
    """The effective history as (seq, event), computed as the pathway computes it."""
    history: list[corrections.Entry] = []
    for seq, entry in enumerate(log):
        if isinstance(entry, ev.Correction):
            after, refused = corrections.corrected(log, history, entry, seq)
            if refused is None:  # an accepted log has none refused
                history = after
        else:
            history.append((seq, entry))
    return history


def _json(event: ev.Event) -> str:
    return json.dumps(dump_event(event), separators=(",", ":"), ensure_ascii=False)


def _entry(seq: int, event: ev.Event) -> Json:
    return ext(c.EXT_LOG_ENTRY, extension=[ext("seq", valueInteger=seq),
                                           ext("event", valueString=_json(event))])


def provenance(ctx: Context, seq: int, correction: ev.Correction, log: Sequence[ev.Event],
               targets: list[Json]) -> Json:
    """The Provenance of the correction logged at ``seq``."""
    entries = [_entry(seq, correction)]
    if isinstance(correction, ev.EnteredInError | ev.Amended):
        entries.append(_entry(correction.seq, log[correction.seq]))
    out: Json = {
        "resourceType": "Provenance",
        "id": ctx.id(seq, "Provenance"),
        "extension": entries,
        "target": targets or [ref("CarePlan", ctx.plan_id)],
        "recorded": when(correction.at),
        "agent": [{"who": {"display": correction.recorded_by or "not recorded"}}],
    }
    return out


def read(node: Node, release: Release) -> list[tuple[int, ev.Event, str]]:
    """The log entries a Provenance carries: (seq, event, where)."""
    out = []
    for item in node.extensions(c.EXT_LOG_ENTRY):
        parts = {part.text("url"): part for part in item.nodes("extension")}
        if set(parts) != {"seq", "event"}:
            raise SerializationError(f"{item.where}: a log entry needs seq and event")
        seq = parts["seq"].typed("valueInteger", int)
        try:
            data = read_json(parts["event"].text("valueString"))
        except SerializationError as error:
            raise SerializationError(
                f"{item.where}: the event is not readable JSON: {error}") from None
        out.append((seq, load_event(data, f"{item.where}.event"), item.where))
    if not out:
        raise SerializationError(f"{node.where}: a Provenance facetcare reads has a log entry")
    return out
