"""A refusal (`facetcare.Rejected`) → OperationOutcome.

One issue per reason: severity ``error``, code ``business-rule`` (the rule
refused a well-formed request), the reason code as a coding in facetcare's
reason code system and its message as the text; the diagnostics add which event was refused. The
structure is the same in R4B and R5.

``issue`` is 1..* in FHIR, and a `Rejected` made without reasons still says
a request was refused: it gives one issue of the same severity and code,
with no reason coding and the text "refused; no reason was given".
"""

from __future__ import annotations

from facetcare.errors import Rejected
from facetcare.fhir import _codes as c
from facetcare.fhir._codes import Release
from facetcare.fhir._common import Json, coding
from facetcare.fhir._validate import check_resource

_UNGIVEN = "refused; no reason was given"


def operation_outcome(rejected: Rejected, *, release: Release = "R4B") -> Json:
    """``rejected`` as an OperationOutcome (a JSON-ready dict), checked for ``release``."""
    if not isinstance(rejected, Rejected):
        raise TypeError(f"expected a facetcare.Rejected, got {type(rejected).__name__}")
    event = rejected.event
    about = "" if event is None else f"{event.kind} at {event.at.isoformat()}"
    if rejected.index is not None:
        about = f"event {rejected.index} ({about})" if about else f"event {rejected.index}"
    issues = []
    for reason in rejected.reasons:
        issue: Json = {
            "severity": "error",
            "code": "business-rule",
            "details": {"coding": [coding(c.REASON, reason.code)], "text": reason.message},
            "diagnostics": f"{about}: {reason.message}" if about else reason.message,
        }
        issues.append(issue)
    if not issues:
        issues.append({"severity": "error", "code": "business-rule",
                       "details": {"text": _UNGIVEN},
                       "diagnostics": f"{about}: {_UNGIVEN}" if about else _UNGIVEN})
    outcome: Json = {"resourceType": "OperationOutcome", "issue": issues}
    check_resource(outcome, release)
    return outcome
