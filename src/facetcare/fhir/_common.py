"""What every resource module shares: ids, times, references, extensions, strict reading.

Ids are UUIDv5 of the pathway id and the event's position, so the same
pathway always gives the same ids, and a bundle PUT twice changes nothing.
Reading goes through `Node`, which names the resource and field of anything
missing or of the wrong type in the `SerializationError` it raises.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any, Final, TypeVar

import attrs

from facetcare.anatomy import JOINTS, Side
from facetcare.errors import SerializationError
from facetcare.events import Event, Target
from facetcare.fhir import _codes as c
from facetcare.fhir._codes import Release
from facetcare.policy import Policy

#: The namespace of every facetcare resource id: UUIDv5 of the published base URL.
NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, c.BASE)

Json = dict[str, Any]


def resource_id(pathway_id: str, seq: int, kind: str, part: str = "") -> str:
    """The id of the ``kind`` resource written for event ``seq`` (``part`` tells several apart)."""
    name = f"{pathway_id}/{seq}/{kind}" + (f"/{part}" if part else "")
    return str(uuid.uuid5(NAMESPACE, name))


@attrs.frozen
class Context:
    """What every resource of one bundle shares: whose pathway, which release, the order."""

    pathway_id: str
    patient_id: str
    release: Release
    policy: Policy
    request_id: str
    plan_id: str

    def id(self, seq: int, kind: str, part: str = "") -> str:
        return resource_id(self.pathway_id, seq, kind, part)

    @property
    def subject(self) -> Json:
        return patient(self.patient_id)


def ref(kind: str, ident: str) -> Json:
    return {"reference": f"{kind}/{ident}"}


def patient(patient_id: str) -> Json:
    """A logical reference: facetcare knows the clinic's patient id, not a Patient resource."""
    return {"identifier": {"system": c.SID_PATIENT, "value": patient_id}}


def when(moment: dt.datetime) -> str:
    """An event time as FHIR dateTime/instant text, in UTC.

    One representation per instant, as the pathway documents write them, so
    the same pathway gives the same bundle whatever offset its times arrived
    in (the clinic's calendar days come from its policy's time zone).
    """
    if moment.utcoffset() is None:  # pragma: no cover - events hold aware times only
        raise SerializationError("a naive time cannot be written to FHIR")
    return moment.astimezone(dt.UTC).isoformat()


def coding(system: str, code: str, display: str | None = None) -> Json:
    out: Json = {"system": system, "code": code}
    if display is not None:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None) -> Json:
    return {"coding": [coding(system, code, display)]}


def ext(url: str, **value: Any) -> Json:
    """One extension: ``ext(URL, valueBoolean=True)``."""
    return {"url": url, **value}


Member = TypeVar("Member", bound=enum.Enum)


def coded_ext(url: str, system: str, member: enum.Enum) -> Json:
    """An extension whose value is a code of one of facetcare's own code systems."""
    return ext(url, valueCoding=coding(system, str(member.value)))


def member_of(node: Node, system: str, kind: type[Member]) -> Member:
    """The ``kind`` member a ``valueCoding`` of ``system`` names; refused naming where."""
    value = node.node("valueCoding")
    if value.data.get("system") != system:
        raise SerializationError(f"{value.where}: expected a code from {system}")
    code = value.text("code")
    for member in kind:
        if member.value == code:
            return member
    raise SerializationError(f"{value.where}: {code!r} is not a code of {system}")


def event_ext(seq: int, event: Event, at: dt.datetime | None = None, **parts: int) -> Json:
    """The link from a resource to the event it records: log position, type, the time if FHIR
    has no field for it, the event's identity if given (and e.g. ``entry=2``, which diary line)."""
    inner = [ext("seq", valueInteger=seq), ext("type", valueCode=event.kind)]
    if at is not None:
        inner.append(ext("at", valueDateTime=when(at)))
    inner += [ext(name, valueInteger=value) for name, value in parts.items()]
    if event.event_id is not None:
        inner.append(ext("event-id", valueString=event.event_id))
    if event.recorded_at is not None:
        inner.append(ext("recorded-at", valueDateTime=when(event.recorded_at)))
    if event.recorded_by is not None:
        inner.append(ext("recorded-by", valueString=event.recorded_by))
    return ext(c.EXT_EVENT, extension=inner)


def target_concept(target: Target, release: Release) -> Json:
    """A joint on one side: the joint in facetcare's code system, the side as SNOMED laterality."""
    code, display = c.LATERALITY[release][target.side.value]
    return {
        "extension": [ext(c.EXT_LATERALITY, valueCodeableConcept=concept(c.SNOMED, code, display))],
        "coding": [coding(c.JOINT, target.joint)],
        "text": f"{target.joint} {target.side.value}",
    }


class Node:
    """Strict reading of one part of a resource; errors name ``where`` (``Appointment.start``)."""

    __slots__ = ("data", "where")

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise SerializationError(f"{where}: expected a JSON object, got {type(data).__name__}")
        self.data: Json = data
        self.where = where

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise SerializationError(f"{self.where}.{key}: missing")
        return self.data[key]

    def node(self, key: str) -> Node:
        return Node(self.raw(key), f"{self.where}.{key}")

    def nodes(self, key: str, *, required: bool = True) -> list[Node]:
        if key not in self.data and not required:
            return []
        items = self.raw(key)
        if not isinstance(items, list):
            raise SerializationError(f"{self.where}.{key}: expected a list")
        return [Node(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(items)]

    def typed(self, key: str, kind: type | tuple[type, ...]) -> Any:
        value = self.raw(key)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise SerializationError(f"{self.where}.{key}: unexpected value {value!r}")
        return value

    def text(self, key: str) -> str:
        return str(self.typed(key, str))

    def time(self, key: str) -> dt.datetime:
        text = self.text(key)
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise SerializationError(f"{self.where}.{key}: {text!r} is not a time") from None
        if moment.tzinfo is None or len(text) < 19:
            raise SerializationError(
                f"{self.where}.{key}: {text!r} needs seconds and a UTC offset"
            )
        return moment

    def ref_id(self, key: str, kind: str) -> str:
        reference = self.node(key).text("reference")
        prefix = f"{kind}/"
        if not reference.startswith(prefix):
            raise SerializationError(f"{self.where}.{key}: expected a {kind} reference")
        return reference[len(prefix):]

    def extensions(self, url: str) -> list[Node]:
        return [item for item in self.nodes("extension", required=False)
                if item.data.get("url") == url]

    def extension(self, url: str, *, required: bool = True) -> Node | None:
        found = self.extensions(url)
        if len(found) > 1:
            raise SerializationError(f"{self.where}: extension {url} is repeated")
        if not found:
            if required:
                raise SerializationError(f"{self.where}: extension {url} missing")
            return None
        return found[0]

    def code_in(self, system: str) -> str:
        """The code of this CodeableConcept's coding in ``system``."""
        for item in self.nodes("coding"):
            if item.data.get("system") == system:
                return item.text("code")
        raise SerializationError(f"{self.where}.coding: no code from {system}")


def read_target(node: Node, release: Release) -> Target:
    joint = node.code_in(c.JOINT)
    if joint not in JOINTS:
        raise SerializationError(f"{node.where}: {joint!r} is not a facet joint")
    laterality = node.extension(c.EXT_LATERALITY)
    assert laterality is not None
    code = laterality.node("valueCodeableConcept").code_in(c.SNOMED)
    sides = {snomed: side for side, (snomed, _) in c.LATERALITY[release].items()}
    if code not in sides:
        raise SerializationError(
            f"{laterality.where}: SNOMED {code!r} is not a {release} laterality facetcare reads"
        )
    return Target(joint, Side(sides[code]))


class EventRef:
    """An `event` extension read back: which event, of which type, and its extra parts."""

    __slots__ = ("at", "identity", "kind", "node", "parts", "seq")

    def __init__(self, node: Node) -> None:
        self.node = node
        inner = {item.text("url"): item for item in node.nodes("extension")}
        if "seq" not in inner or "type" not in inner:
            raise SerializationError(f"{node.where}: the event extension needs seq and type")
        self.seq: int = inner["seq"].typed("valueInteger", int)
        self.kind: str = inner["type"].text("valueCode")
        self.at: dt.datetime | None = inner["at"].time("valueDateTime") if "at" in inner else None
        self.identity: dict[str, Any] = {}
        if "event-id" in inner:
            self.identity["event_id"] = inner["event-id"].text("valueString")
        if "recorded-at" in inner:
            self.identity["recorded_at"] = inner["recorded-at"].time("valueDateTime")
        if "recorded-by" in inner:
            self.identity["recorded_by"] = inner["recorded-by"].text("valueString")
        named = {"seq", "type", "at", "event-id", "recorded-at", "recorded-by"}
        self.parts = {name: item.typed("valueInteger", int) for name, item in inner.items()
                      if name not in named}
        if self.seq < 0:
            raise SerializationError(f"{node.where}: seq must not be negative")

    def time(self) -> dt.datetime:
        if self.at is None:
            raise SerializationError(f"{self.node.where}: the event extension needs at")
        return self.at


def event_refs(resource: Node) -> list[EventRef]:
    return [EventRef(item) for item in resource.extensions(c.EXT_EVENT)]
