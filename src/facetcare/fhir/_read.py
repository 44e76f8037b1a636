"""`from_bundle`: the events back from the resources facetcare writes, replayed.

Entries may come in any order. Each resource is checked (fhir.resources and
the release's value sets), every `event` extension is turned back into its
event from the resource's own fields, the events are sorted by clinical
time (ties by their recorded position) and replayed under the policy, so a
bundle that breaks a rule is refused with `Rejected` like any event log.
Anything facetcare cannot map is a `SerializationError` naming the resource
and field. Tasks and computed results (CPT lines, slot lengths, statuses,
the relief result) are ignored: the replay computes them again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import attrs

from facetcare import events as ev
from facetcare.documents import DEFAULT_LIMITS, Limits, read_json
from facetcare.errors import SerializationError
from facetcare.fhir import _appointment, _encounter, _observation, _procedure, _provenance, _request
from facetcare.fhir import _codes as c
from facetcare.fhir._codes import RELEASES, Release
from facetcare.fhir._common import EventRef, Node, event_refs
from facetcare.fhir._validate import check_bundle
from facetcare.pathway import Pathway
from facetcare.policy import Policy

#: Bounded work on any input: a pathway's bundle is far smaller.
MAX_ENTRIES: Final = 100_000
_READ: Final = frozenset({"ServiceRequest", "CarePlan", "Appointment", "Encounter",
                          "Procedure", "Observation", "Task", "Provenance"})


def _release(bundle: Node, release: Release | None) -> Release:
    if release is not None:
        if release not in RELEASES:
            raise ValueError(f"release must be one of {RELEASES}, got {release!r}")
        return release
    if bundle.has("meta"):
        for tag in bundle.node("meta").nodes("tag", required=False):
            if tag.data.get("system") == c.RELEASE_TAG and tag.data.get("code") in RELEASES:
                found: Release = tag.data["code"]
                return found
    raise SerializationError(
        f"Bundle.meta.tag: no {c.RELEASE_TAG} tag; pass release='R4B' or 'R5'"
    )


class _Events:
    """Events found so far by position; a diary's lines are gathered by entry index."""

    def __init__(self) -> None:
        self.found: dict[int, ev.Event] = {}
        self.where: dict[int, str] = {}
        self.diaries: dict[int, dict[int, ev.PainEntry]] = {}
        self.diary_at: dict[int, tuple[dt.datetime, dict[str, Any]]] = {}
        #: Log entries a Provenance carries exactly; they stand over what resources show.
        self.logged: dict[int, ev.Event] = {}

    def add(self, ref: EventRef, event: ev.Event) -> None:
        if ref.seq in self.found or ref.seq in self.diaries:
            raise SerializationError(f"{ref.node.where}: event {ref.seq} is recorded twice "
                                     f"(also at {self.where[ref.seq]})")
        self.found[ref.seq] = _build(ref.node.where, type(event), **{
            **{f.name: getattr(event, f.name) for f in attrs.fields(type(event))},
            **ref.identity})
        self.where[ref.seq] = ref.node.where

    def add_logged(self, seq: int, event: ev.Event, where: str) -> None:
        if seq in self.logged and self.logged[seq] != event:
            raise SerializationError(f"{where}: log entry {seq} is carried twice, differently")
        self.logged[seq] = event
        self.where.setdefault(seq, where)

    def add_entry(self, ref: EventRef, entry: ev.PainEntry, at: dt.datetime) -> None:
        index = ref.parts.get("entry")
        if index is None or ref.seq in self.found:
            raise SerializationError(f"{ref.node.where}: a diary line needs its entry index")
        lines = self.diaries.setdefault(ref.seq, {})
        recorded = (at, ref.identity)
        if index in lines or self.diary_at.setdefault(ref.seq, recorded) != recorded:
            raise SerializationError(f"{ref.node.where}: diary {ref.seq} line {index} conflicts")
        lines[index] = entry
        self.where.setdefault(ref.seq, ref.node.where)

    def ordered(self) -> list[ev.Event]:
        for seq, lines in self.diaries.items():
            if sorted(lines) != list(range(len(lines))):
                raise SerializationError(f"{self.where[seq]}: diary {seq} misses lines")
            entries = tuple(lines[i] for i in range(len(lines)))
            at, identity = self.diary_at[seq]
            self.found[seq] = _build(self.where[seq], ev.ReliefDiaryRecorded,
                                     at=at, entries=entries, **identity)
        log = {**self.found, **self.logged}
        missing = sorted(set(range(len(log))) - set(log))
        if missing or not log:
            raise SerializationError(f"Bundle: event {missing[0] if missing else 0} is missing")
        if self.logged:  # with corrections, the log's own order is the order of recording
            return [log[seq] for seq in sorted(log)]
        return [log[seq] for seq in sorted(log, key=lambda s: (log[s].at, s))]


def _build(where: str, kind: type[ev.Event], **fields: Any) -> ev.Event:
    try:
        return kind(**fields)
    except (TypeError, ValueError) as bad:
        raise SerializationError(f"{where}: {bad}") from None


def _guard(where: str, read: Any, *args: Any) -> Any:
    """Run a reader; a value the event types refuse becomes a `SerializationError` here."""
    try:
        return read(*args)
    except SerializationError:
        raise
    except (TypeError, ValueError) as bad:
        raise SerializationError(f"{where}: {bad}") from None


def from_bundle(bundle: object, *, policy: Policy | None = None,
                release: Release | None = None, validate: bool = True,
                limits: Limits = DEFAULT_LIMITS) -> Pathway:
    """The pathway a facetcare bundle records, replayed under ``policy`` (default seed).

    ``bundle`` is the parsed JSON object, or its text (str or UTF-8 bytes),
    which is read under ``limits`` like any document: a stranger's bundle
    nested a hundred thousand deep or holding a 5,000-digit number is a
    `SerializationError`, not a crash of the reader. ``release`` defaults
    to the bundle's facetcare release tag. ``validate`` (the default) parses
    every resource with fhir.resources and checks its codes first; turn it
    off only for a bundle this process just wrote. Raises `SerializationError`
    for what cannot be mapped and `Rejected` when the events break a rule of
    ``policy``.
    """
    if isinstance(bundle, str | bytes | bytearray):
        bundle = read_json(bundle, limits, "Bundle")
    root = Node(bundle, "Bundle")
    if root.data.get("resourceType") != "Bundle":
        raise SerializationError("Bundle.resourceType: expected 'Bundle'")
    entries = root.nodes("entry")
    if len(entries) > MAX_ENTRIES:
        raise SerializationError(f"Bundle.entry: more than {MAX_ENTRIES} entries")
    version = _release(root, release)
    if validate:
        check_bundle(root.data, version)
    resources: dict[tuple[str, str], Node] = {}
    for entry in entries:
        node = entry.node("resource")
        kind = node.text("resourceType")
        if kind not in _READ:
            raise SerializationError(f"{node.where}: facetcare does not read {kind} resources")
        node.where = f"{kind}/{node.data.get('id', '?')}"
        resources[(kind, node.text("id"))] = node
    # A retracted event's resource is written only to tell a server; the log
    # entry itself travels in the correction's Provenance.
    resources = {key: node for key, node in resources.items()
                 if node.data.get("status") != "entered-in-error"}
    baselines: dict[str, int] = {}
    for (kind, _), node in resources.items():
        if kind == "Observation" and _observation.role(node) == "baseline":
            proc = _observation.part_of(node)
            if proc in baselines:
                raise SerializationError(f"{node.where}: a second baseline for Procedure {proc}")
            baselines[proc] = _observation.score(node)
    reading = _Reading(version, resources, baselines)
    for (kind, ident), node in resources.items():
        if kind == "Provenance":
            for seq, event, where in _provenance.read(node, version):
                reading.found.add_logged(seq, event, where)
            continue
        for ref in event_refs(node):
            reading.read(kind, ident, node, ref)
    return Pathway.replay(reading.found.ordered(), policy=policy)


class _Reading:
    """One bundle being read: its resources by (type, id), the baselines, the events so far."""

    def __init__(self, release: Release, resources: dict[tuple[str, str], Node],
                 baselines: dict[str, int]) -> None:
        self.release = release
        self.resources = resources
        self.baselines = baselines
        self.found = _Events()

    def read(self, kind: str, ident: str, node: Node, ref: EventRef) -> None:
        """The event ``ref`` names on ``node``, from the resource's own fields."""
        release, found, where = self.release, self.found, node.where
        if kind == "ServiceRequest" and ref.kind == "Referred":
            found.add(ref, _guard(where, _request.read_referral, node, ref, release))
        elif kind == "CarePlan" and ref.kind in {"Closed", "Withdrawn"}:
            found.add(ref, _guard(where, _request.read_closing, node, ref))
        elif kind == "CarePlan" and ref.kind == "PolicyChanged":
            found.add(ref, _guard(where, _request.read_policy_change, node, ref))
        elif kind == "Appointment":
            found.add(ref, _guard(where, _appointment.read, node, ref, release))
        elif kind == "Encounter":
            visit_id = _appointment.visit_id_of(node)
            found.add(ref, _guard(where, _encounter.read, node, ref, release, visit_id))
        elif kind == "Procedure":
            encounter = self.resources.get(("Encounter", node.ref_id("encounter", "Encounter")))
            if encounter is None:
                raise SerializationError(f"{where}.encounter: the Encounter is not in the bundle")
            visit_id = _appointment.visit_id_of(encounter)
            found.add(ref, _guard(where, _procedure.read, node, ref, release, visit_id,
                                  self.baselines.get(ident)))
        elif kind == "Observation":
            value, at = _guard(where, _observation.read, node, ref)
            if isinstance(value, ev.PainEntry):
                assert at is not None
                found.add_entry(ref, value, at)
            else:
                found.add(ref, value)
        else:
            raise SerializationError(f"{ref.node.where}: a {kind} does not record {ref.kind}")
