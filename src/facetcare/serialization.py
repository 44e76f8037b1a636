"""The pathway document: versioned JSON, strict both ways, built on cattrs.

A stored pathway is its policy and its events::

    {"schema": "facetcare/pathway@1", "policy": {...}, "events": [{"type": ...}, ...]}

Reading it replays every event under every rule, so a tampered document is
refused (`Rejected`) rather than believed. Everything else that can go wrong
with a document (not JSON, truncated, a missing or extra field, ``"8"`` for
8, an unknown event type, a newer schema) is a `SerializationError` naming
where. Output is compact, ``type`` first then fields in declaration order,
so equal pathways give byte-identical documents.

Durations are seconds; relief fractions are strings such as ``"4/5"``;
times are ISO 8601 with their offset. Adding a `Policy` field bumps
`SCHEMA_VERSION` and adds a step to `MIGRATIONS`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import cattrs
from cattrs.errors import BaseValidationError, ForbiddenExtraKeysError
from cattrs.v import format_exception

from facetcare import events as ev
from facetcare.errors import SerializationError
from facetcare.policy import Policy

if TYPE_CHECKING:
    from facetcare.pathway import Pathway

__all__ = [
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "dump_event",
    "dump_events_jsonl",
    "dump_policy",
    "from_dict",
    "from_json",
    "load_event",
    "load_events_jsonl",
    "load_policy",
    "to_dict",
    "to_json",
]

SCHEMA_NAME = "facetcare/pathway"
SCHEMA_VERSION = 1
SCHEMA = f"{SCHEMA_NAME}@{SCHEMA_VERSION}"

#: version N → a function turning a version-N document into version N+1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _strict(kind: type, name: str) -> Callable[[object, type], Any]:
    def structure(value: object, _: type) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise TypeError(f"expected {name}, got a boolean")
        if not isinstance(value, kind):
            raise TypeError(f"expected {name}, got {type(value).__name__} {value!r}")
        return value

    return structure


def _number(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__} {value!r}")
    return value


def _datetime(value: object, _: type) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 time string, got {type(value).__name__}")
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no UTC offset")
    return moment


def _duration(value: object, _: type) -> dt.timedelta:
    return dt.timedelta(seconds=_number(value, float))


def _seconds(value: dt.timedelta) -> int | float:
    seconds = value.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _fraction(value: object, _: type) -> Fraction:
    if not isinstance(value, str):
        raise TypeError(f"expected a fraction string such as '4/5', got {value!r}")
    return Fraction(value)


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(float, _number)
    conv.register_structure_hook(dt.datetime, _datetime)
    conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    conv.register_structure_hook(dt.timedelta, _duration)
    conv.register_unstructure_hook(dt.timedelta, _seconds)
    conv.register_structure_hook(Fraction, _fraction)
    conv.register_unstructure_hook(Fraction, str)
    return conv


_CONVERTER = _converter()


def _explain(error: BaseException, kind: type | None) -> str:
    """cattrs' summary plus the validator's own words ("has no UTC offset", …)."""
    summary = format_exception(error, kind)
    said = str(error)
    if isinstance(error, ValueError | TypeError) and said and said not in summary:
        return f"{summary}: {said}"
    return summary


def _describe(error: Exception, where: str) -> SerializationError:
    if isinstance(error, BaseValidationError):
        details = "; ".join(
            cattrs.transform_error(error, path=where, format_exception=_explain)
        )
        return SerializationError(details)
    if isinstance(error, ForbiddenExtraKeysError):
        return SerializationError(f"{where}: unknown field(s) {sorted(error.extra_fields)}")
    return SerializationError(f"{where}: {error}")


# -- events --------------------------------------------------------------------


def dump_event(event: ev.Event) -> dict[str, Any]:
    """An event as a JSON-ready dict: ``type`` first, then fields in order."""
    body: dict[str, Any] = _CONVERTER.unstructure(event, unstructure_as=type(event))
    return {"type": event.kind, **body}


def load_event(data: object, where: str = "$") -> ev.Event:
    """Build an event from a dict made by `dump_event`; `SerializationError` if malformed."""
    if not isinstance(data, dict):
        raise SerializationError(f"{where}: an event must be an object, got {type(data).__name__}")
    kind_name = data.get("type")
    kind = ev.EVENT_BY_NAME.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        raise SerializationError(
            f"{where}.type: unknown event type {kind_name!r}; expected one of "
            f"{sorted(ev.EVENT_BY_NAME)}"
        )
    fields = {key: value for key, value in data.items() if key != "type"}
    try:
        return _CONVERTER.structure(fields, kind)
    except Exception as error:  # cattrs groups every field error; report them all
        raise _describe(error, where) from None


# -- policies ------------------------------------------------------------------


def dump_policy(policy: Policy) -> dict[str, Any]:
    result: dict[str, Any] = _CONVERTER.unstructure(policy)
    return result


def load_policy(data: object, where: str = "$.policy") -> Policy:
    """Every field is required and extra keys are refused (no silent seed values)."""
    if not isinstance(data, dict):
        raise SerializationError(f"{where}: the policy must be an object")
    try:
        return _CONVERTER.structure(data, Policy)
    except Exception as error:
        raise _describe(error, where) from None


# -- pathway documents ---------------------------------------------------------


def to_dict(pathway: Pathway) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "policy": dump_policy(pathway.policy),
        "events": [dump_event(event) for event in pathway.events],
    }


def to_json(pathway: Pathway) -> str:
    return json.dumps(to_dict(pathway), separators=(",", ":"), ensure_ascii=False)


def _version(schema: object) -> int:
    if not isinstance(schema, str) or "@" not in schema:
        raise SerializationError(f"$.schema: expected '{SCHEMA}', got {schema!r}")
    name, _, number = schema.partition("@")
    if name != SCHEMA_NAME or not number.isdigit():
        raise SerializationError(f"$.schema: expected '{SCHEMA}', got {schema!r}")
    version = int(number)
    if version > SCHEMA_VERSION:
        raise SerializationError(
            f"$.schema: {schema} is newer than this facetcare reads ({SCHEMA}); upgrade facetcare"
        )
    if version < 1:
        raise SerializationError(f"$.schema: unknown version {schema!r}")
    return version


def migrate(document: dict[str, Any]) -> dict[str, Any]:
    """Bring an older document up to `SCHEMA_VERSION`, one step at a time."""
    version = _version(document.get("schema"))
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document)
        version += 1
        document["schema"] = f"{SCHEMA_NAME}@{version}"
    return document


def from_dict(document: object) -> Pathway:
    """Read a pathway document and replay its events under its policy."""
    from facetcare.pathway import Pathway

    if not isinstance(document, dict):
        raise SerializationError(
            f"$: a pathway document must be an object, got {type(document).__name__}"
        )
    missing = [key for key in ("schema", "policy", "events") if key not in document]
    if missing:
        raise SerializationError(f"$: missing field(s) {missing}")
    extra = sorted(set(document) - {"schema", "policy", "events"})
    if extra:
        raise SerializationError(f"$: unknown field(s) {extra}")
    document = migrate(dict(document))
    policy = load_policy(document["policy"])
    raw_events = document["events"]
    if not isinstance(raw_events, list):
        raise SerializationError("$.events: expected a list of events")
    if not raw_events:
        raise SerializationError("$.events: a pathway has at least its Referred event")
    events = [load_event(item, f"$.events[{i}]") for i, item in enumerate(raw_events)]
    return Pathway.replay(events, policy=policy)


def from_json(text: str | bytes) -> Pathway:
    if not isinstance(text, str | bytes | bytearray):
        raise SerializationError(f"expected JSON text, got {type(text).__name__}")
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SerializationError(f"not valid JSON (truncated or malformed): {error}") from None
    return from_dict(document)


# -- event logs as JSON Lines --------------------------------------------------


def dump_events_jsonl(events: Iterable[ev.Event]) -> str:
    """One compact JSON event per line, as `Pathway.replay` reads them back."""
    return "".join(
        json.dumps(dump_event(e), separators=(",", ":"), ensure_ascii=False) + "\n"
        for e in events
    )


def load_events_jsonl(text: str) -> list[ev.Event]:
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise SerializationError(f"line {number}: not valid JSON: {error}") from None
        events.append(load_event(data, f"line {number}"))
    return events
