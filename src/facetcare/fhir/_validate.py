"""Validity checked two ways before a resource leaves or after it arrives.

1. It parses with fhir.resources for its release (structure, cardinality,
   types: ``fhir.resources.R4B.*`` for R4B, ``fhir.resources.*`` for R5),
   and holds no empty array or object: FHIR JSON leaves out an element with
   no values, and a 1..* element (``OperationOutcome.issue``) needs one,
   neither of which fhir.resources checks (it takes ``"issue": []``).
2. Every status and required-binding code is in the release's value set
   (`facetcare.fhir._valuesets`), which fhir.resources does not check.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import ValidationError

from facetcare.errors import SerializationError
from facetcare.fhir._codes import Release
from facetcare.fhir._valuesets import check_codes


@cache
def _model(release: Release, kind: str) -> Any:
    if release == "R4B":
        from fhir.resources.R4B import get_fhir_model_class
    else:
        from fhir.resources import get_fhir_model_class
    try:
        return get_fhir_model_class(kind)
    except (ValueError, KeyError):
        raise SerializationError(f"{kind!r} is not a FHIR {release} resource type") from None


def _first_error(error: ValidationError) -> str:
    detail = error.errors()[0]
    path = ".".join(str(part) for part in detail.get("loc", ()))
    return f"{path}: {detail.get('msg', 'invalid')}" if path else str(detail.get("msg"))


def check_resource(resource: dict[str, Any], release: Release, where: str = "", *,
                   whole: bool = True) -> None:
    """Raise `SerializationError` naming the resource and field that does not hold.

    ``whole=False``: ``resource`` is a part (a Bundle without its entries'
    resources), so what was taken out may leave an object empty.
    """
    kind = resource.get("resourceType")
    label = where or str(kind)
    if not isinstance(kind, str):
        raise SerializationError(f"{label}: resourceType missing")
    model = _model(release, kind)
    try:
        model.model_validate(resource)
    except ValidationError as error:
        raise SerializationError(f"{label} ({kind}): {_first_error(error)}") from None
    except (TypeError, ValueError) as error:  # pragma: no cover - fhir_core raises these rarely
        raise SerializationError(f"{label} ({kind}): {error}") from None
    if whole:
        _nothing_empty(resource, label)
    try:
        check_codes(resource, release)
    except SerializationError as error:
        raise SerializationError(f"{label}: {error}") from None


def _nothing_empty(resource: dict[str, Any], label: str) -> None:
    """Refuse an empty array or object anywhere in ``resource``, naming where."""
    stack: list[tuple[str, object]] = [(label, resource)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            items: Any = value.items()
            inside = [(f"{where}.{key}", item) for key, item in items]
        elif isinstance(value, list):
            inside = [(f"{where}[{index}]", item) for index, item in enumerate(value)]
        else:
            continue
        if not inside:
            kind = "array" if isinstance(value, list) else "object"
            raise SerializationError(f"{where}: an empty {kind} (FHIR JSON leaves out an "
                                     "element with no values)")
        stack.extend(inside)


def check_bundle(bundle: dict[str, Any], release: Release) -> None:
    """The Bundle itself (without its resources), then each entry's resource."""
    entries = bundle.get("entry", [])
    shell = dict(bundle)
    if isinstance(entries, list):
        shell["entry"] = [{k: v for k, v in e.items() if k != "resource"}
                          if isinstance(e, dict) else e for e in entries]
    check_resource(shell, release, "Bundle", whole=False)
    for index, entry in enumerate(entries):
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            raise SerializationError(f"Bundle.entry[{index}].resource: missing")
        check_resource(resource, release, f"Bundle.entry[{index}].resource")
    _nothing_empty(bundle, "Bundle")  # the Bundle's own fields (its resources passed)
