"""Schema versions of the pathway document, and the migrations between them.

``facetcare/pathway@N``: N is written in ASCII digits without leading zeros
(``@01``, ``@²`` and ``@١`` are refused, never read as 1). A document of
an older version is brought up one step at a time by `MIGRATIONS`; a newer
one is refused with advice to upgrade. Changing what a document carries is
one new version and one function here.

- @1 (facetcare 0.1.0): durations in seconds (int or float); no policy
  version; no hash chain.
- @2: durations in integer microseconds (exact); ``policy.version`` (null
  for a policy not known to be a shipped profile, so @1 policies load as
  recorded); ``policy.time_zone`` and ``policy.follow_up_interval`` (@1
  policies get "UTC" and 91 days); the events `PolicyChanged` and
  ``Referred.prior_procedures``; ``"chain"`` (`facetcare.documents.signing`);
  an optional ``"signature"``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from facetcare._validate import MAX_DURATION, show
from facetcare.documents._values import MICROSECOND
from facetcare.documents.limits import canonical
from facetcare.documents.signing import chain
from facetcare.errors import SerializationError

__all__ = ["MIGRATIONS", "SCHEMA", "SCHEMA_NAME", "SCHEMA_VERSION", "migrate", "version_of"]

SCHEMA_NAME = "facetcare/pathway"
SCHEMA_VERSION = 2
SCHEMA = f"{SCHEMA_NAME}@{SCHEMA_VERSION}"

#: The top-level fields of each version (``signature`` is optional from @2).
FIELDS: dict[int, tuple[str, ...]] = {
    1: ("schema", "policy", "events"),
    2: ("schema", "policy", "events", "chain"),
}
OPTIONAL: dict[int, frozenset[str]] = {1: frozenset(), 2: frozenset({"signature"})}

_VERSION = re.compile(r"[1-9][0-9]{0,5}", re.ASCII)


def version_of(schema: object) -> int:
    """The N of ``facetcare/pathway@N``; `SerializationError` for anything else."""
    if type(schema) is not str:
        raise SerializationError(f"$.schema: expected '{SCHEMA}', got {show(schema)}")
    name, at, number = schema.partition("@")
    if name != SCHEMA_NAME or not at or _VERSION.fullmatch(number) is None:
        raise SerializationError(f"$.schema: expected '{SCHEMA}' (ASCII digits, no leading "
                                 f"zero), got {show(schema)}")
    version = int(number)
    if version > SCHEMA_VERSION:
        raise SerializationError(
            f"$.schema: {schema} is newer than this facetcare reads ({SCHEMA}); upgrade facetcare"
        )
    return version


#: The policy durations of @1, written in seconds.
_V1_DURATIONS = (
    "block_observation", "neurotomy_recovery", "relief_window_end", "relief_window_min",
    "min_block_gap", "follow_up_settling", "min_neurotomy_interval",
    "repeat_min_relief_duration", "reblock_after",
)


def _microseconds(value: object, where: str) -> object:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise SerializationError(f"{where}: expected a duration in seconds (schema @1), got "
                                 f"{show(value)}")
    if not -MAX_DURATION.total_seconds() <= value <= MAX_DURATION.total_seconds():
        raise SerializationError(f"{where}: a duration of {show(value)} s is outside "
                                 f"±{MAX_DURATION.days} days")
    return dt.timedelta(seconds=value) // MICROSECOND


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Seconds to microseconds; the policy as recorded (version null); a chain."""
    policy = document["policy"]
    if not isinstance(policy, dict):
        raise SerializationError("$.policy: the policy must be an object")
    if "version" in policy:
        raise SerializationError("$.policy: unknown field(s) ['version'] (schema @1)")
    if "time_zone" in policy or "follow_up_interval" in policy:
        extra = [key for key in ("time_zone", "follow_up_interval") if key in policy]
        raise SerializationError(f"$.policy: unknown field(s) {extra} (schema @1)")
    migrated: dict[str, Any] = {}
    for key, value in policy.items():
        migrated[key] = _microseconds(value, f"$.policy.{key}") if key in _V1_DURATIONS else value
        if key == "name":
            migrated["version"] = None
    # Before @2 every clinic was judged in UTC days, every 91 days reviewed.
    migrated["time_zone"] = "UTC"
    migrated["follow_up_interval"] = 91 * 86_400 * 10**6
    # The payer fields added in @2 (docs/payer-rules.md): "no such rule", the best
    # diary entry, one entry: exactly the rules a @1 policy applied.
    for key, value in _payer_defaults().items():
        migrated.setdefault(key, value)
    events = document["events"]
    if not isinstance(events, list):
        raise SerializationError("$.events: expected a list of events")
    return {
        "schema": f"{SCHEMA_NAME}@2",
        "policy": migrated,
        "events": events,
        "chain": chain(canonical(migrated), map(canonical, events)),
    }


def _payer_defaults() -> dict[str, Any]:
    """Every defaulted `Policy` field other than the clinic's calendar, as text and numbers."""
    import enum

    import attrs

    from facetcare.policy import Policy

    found: dict[str, Any] = {}
    for field in attrs.fields(Policy):
        if field.default is attrs.NOTHING or field.name in ("time_zone", "follow_up_interval"):
            continue
        value = field.default
        found[field.name] = str(value.value) if isinstance(value, enum.Enum) else value
    return found


#: version N → a function turning a version-N document into version N+1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def check_fields(document: dict[str, Any], version: int) -> None:
    """Every field of ``version`` present, nothing unknown."""
    required = FIELDS[version]
    missing = [key for key in required if key not in document]
    if missing:
        raise SerializationError(f"$: missing field(s) {missing}")
    extra = sorted(set(document) - set(required) - OPTIONAL[version])
    if extra:
        raise SerializationError(f"$: unknown field(s) {[show(key) for key in extra[:10]]}")


def migrate(document: dict[str, Any]) -> dict[str, Any]:
    """Bring an older document up to `SCHEMA_VERSION`, one step at a time."""
    version = version_of(document.get("schema"))
    check_fields(document, version)
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document)
        version += 1
        document["schema"] = f"{SCHEMA_NAME}@{version}"
    return document
