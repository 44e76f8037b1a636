"""The status and required-binding codes each release allows, and a check for them.

fhir.resources parses structure and types but does not check codes against
their value sets (measured: the R5 Encounter model accepts the R4 code
``finished``), so facetcare keeps the codes of every required binding it
writes, per release, and checks each resource against them before it leaves.

Each table is the content of the release's own ValueSet (file names from
the ``hl7.fhir.r4b.core`` 4.3.0 and ``hl7.fhir.r5.core`` 5.0.0 packages);
``tests/test_fhir_spec.py`` compares them with those files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from facetcare.errors import SerializationError
from facetcare.fhir._codes import Release

_COMMON: Final[dict[str, frozenset[str]]] = {
    # ValueSet-request-status.json
    "request-status": frozenset({"draft", "active", "on-hold", "revoked", "completed",
                                 "entered-in-error", "unknown"}),
    # ValueSet-request-intent.json
    "request-intent": frozenset({"proposal", "plan", "directive", "order", "original-order",
                                 "reflex-order", "filler-order", "instance-order", "option"}),
    # ValueSet-appointmentstatus.json
    "appointmentstatus": frozenset({"proposed", "pending", "booked", "arrived", "fulfilled",
                                    "cancelled", "noshow", "entered-in-error", "checked-in",
                                    "waitlist"}),
    # ValueSet-participationstatus.json
    "participationstatus": frozenset({"accepted", "declined", "tentative", "needs-action"}),
    # ValueSet-event-status.json
    "event-status": frozenset({"preparation", "in-progress", "not-done", "on-hold", "stopped",
                               "completed", "entered-in-error", "unknown"}),
    # ValueSet-observation-status.json
    "observation-status": frozenset({"registered", "preliminary", "final", "amended",
                                     "corrected", "cancelled", "entered-in-error", "unknown"}),
    # ValueSet-task-status.json
    "task-status": frozenset({"draft", "requested", "received", "accepted", "rejected", "ready",
                              "cancelled", "in-progress", "on-hold", "failed", "completed",
                              "entered-in-error"}),
    # ValueSet-task-intent.json
    "task-intent": frozenset({"unknown", "proposal", "plan", "order", "original-order",
                              "reflex-order", "filler-order", "instance-order", "option"}),
    # ValueSet-http-verb.json
    "http-verb": frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}),
}
_ISSUE_TYPES: Final = frozenset({
    "invalid", "structure", "required", "value", "invariant", "security", "login", "unknown",
    "expired", "forbidden", "suppressed", "processing", "not-supported", "duplicate",
    "multiple-matches", "not-found", "deleted", "too-long", "code-invalid", "extension",
    "too-costly", "business-rule", "conflict", "transient", "lock-error", "no-store",
    "exception", "timeout", "incomplete", "throttled", "informational",
})
_BUNDLE_TYPES: Final = frozenset({"document", "message", "transaction", "transaction-response",
                                   "batch", "batch-response", "history", "searchset",
                                   "collection"})

#: Per release, value set name → the codes it allows.
VALUE_SETS: Final[dict[Release, dict[str, frozenset[str]]]] = {
    "R4B": {
        **_COMMON,
        "bundle-type": _BUNDLE_TYPES,
        "care-plan-intent": frozenset({"proposal", "plan", "order", "option"}),
        "encounter-status": frozenset({"planned", "arrived", "triaged", "in-progress", "onleave",
                                       "finished", "cancelled", "entered-in-error", "unknown"}),
        "issue-severity": frozenset({"fatal", "error", "warning", "information"}),
        "issue-type": _ISSUE_TYPES,
    },
    "R5": {
        **_COMMON,
        "bundle-type": _BUNDLE_TYPES | {"subscription-notification"},
        "care-plan-intent": frozenset({"proposal", "plan", "order", "option", "directive"}),
        "encounter-status": frozenset({"planned", "in-progress", "on-hold", "discharged",
                                       "completed", "cancelled", "discontinued",
                                       "entered-in-error", "unknown"}),
        "issue-severity": frozenset({"fatal", "error", "warning", "information", "success"}),
        "issue-type": _ISSUE_TYPES | {"limited-filter", "success"},
    },
}

#: Per resource type, (path, value set) for every required binding facetcare writes.
#: A path is dotted; a list on the way is walked item by item.
BINDINGS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "Bundle": (("type", "bundle-type"), ("entry.request.method", "http-verb")),
    "ServiceRequest": (("status", "request-status"), ("intent", "request-intent")),
    "CarePlan": (("status", "request-status"), ("intent", "care-plan-intent")),
    "Appointment": (("status", "appointmentstatus"),
                    ("participant.status", "participationstatus")),
    "Encounter": (("status", "encounter-status"),),
    "Procedure": (("status", "event-status"),),
    "Observation": (("status", "observation-status"),),
    "Task": (("status", "task-status"), ("intent", "task-intent")),
    "OperationOutcome": (("issue.severity", "issue-severity"), ("issue.code", "issue-type")),
}


def _values(node: Any, path: list[str]) -> Iterator[Any]:
    if isinstance(node, list):
        for item in node:
            yield from _values(item, path)
        return
    if not path:
        yield node
        return
    if isinstance(node, dict) and path[0] in node:
        yield from _values(node[path[0]], path[1:])


def check_codes(resource: dict[str, Any], release: Release) -> None:
    """Raise `SerializationError` naming the resource and field of a code outside its value set."""
    kind = resource.get("resourceType")
    tables = VALUE_SETS[release]
    for path, value_set in BINDINGS.get(str(kind), ()):
        for code in _values(resource, path.split(".")):
            if code not in tables[value_set]:
                raise SerializationError(
                    f"{kind}.{path}: {code!r} is not in the {release} value set {value_set}"
                )
