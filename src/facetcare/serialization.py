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
import enum
import json
import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NoReturn, TypeGuard

import attrs
import cattrs
from cattrs.errors import BaseValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn
from cattrs.v import format_exception

from facetcare import events as ev
from facetcare.errors import SerializationError
from facetcare.policy import Policy
from facetcare.vocabulary import Agent, FunctionalScale, Guidance, Modality, Sedation

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
SCHEMA_VERSION = 2
SCHEMA = f"{SCHEMA_NAME}@{SCHEMA_VERSION}"


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """@2 adds policy fields, each with a default that is the rule a @1 policy applied.

    The clinic time zone (UTC), the follow-up interval (91 d) and the payer
    fields of docs/payer-rules.md (off: no such rule, the best diary entry).
    """
    policy = document.get("policy")
    if isinstance(policy, dict):
        policy = {**policy}
        for name, value in _POLICY_DEFAULTS.items():
            policy.setdefault(name, value)
    return {**document, "policy": policy}


#: version N → a function turning a version-N document into version N+1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


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
#: Policy fields with a default, as a document writes them: what `_v1_to_v2` fills in.
_POLICY_DEFAULTS: dict[str, Any] = json.loads(json.dumps({
    field.name: _CONVERTER.unstructure(field.default)
    for field in attrs.fields(Policy) if field.default is not attrs.NOTHING
}))
_POLICY_FIELDS = tuple(a.name for a in attrs.fields(Policy))
_build_policy = make_dict_structure_fn(Policy, _CONVERTER, _cattrs_forbid_extra_keys=True)


def _policy(value: object, _: type) -> Policy:
    """Every policy field is required, wherever a policy appears (no silent defaults)."""
    if not isinstance(value, dict):
        raise TypeError(f"a policy must be an object, got {type(value).__name__}")
    missing = [name for name in _POLICY_FIELDS if name not in value]
    if missing:
        raise ValueError(f"missing policy field(s) {missing}")
    built: Policy = _build_policy(value, Policy)
    return built


_CONVERTER.register_structure_hook(Policy, _policy)


# -- the fast reader -------------------------------------------------------------
#
# Reading a document replays every event, so decoding sits on the hot path of
# `from_json`. `_FAST` reads exactly what `to_json` writes, with lean hooks;
# anything else makes it raise, and `_CONVERTER` reads the input again and
# decides (and words the error). `_FAST` is stricter than `_CONVERTER`:
# exact JSON types only, every field present (defaults included), lists only
# where a tuple is wanted. Whatever it accepts, `_CONVERTER` accepts too and
# builds an equal value: both end in the same attrs constructors and
# validators, so no rule is checked in one place only.


def _not_fast(value: object) -> NoReturn:
    """`_FAST` does not read ``value``; the caller falls back to `_CONVERTER`."""
    raise TypeError(f"not read by the fast path: {type(value).__name__}")


def _exact(kind: type) -> Callable[[object, type], Any]:
    def structure(value: object, _: type) -> Any:
        return value if type(value) is kind else _not_fast(value)

    return structure


def _exact_or_none(kind: type) -> Callable[[object, type], Any]:
    def structure(value: object, _: type) -> Any:
        return value if value is None or type(value) is kind else _not_fast(value)

    return structure


def _fast_number(value: object, _: type) -> Any:
    kind = type(value)
    return value if kind is int or kind is float else _not_fast(value)


def _fast_optional_number(value: object, _: type) -> Any:
    kind = type(value)
    return value if value is None or kind is int or kind is float else _not_fast(value)


_from_iso = dt.datetime.fromisoformat


def _fast_datetime(value: object, _: type) -> dt.datetime:
    if type(value) is not str:
        return _not_fast(value)
    moment = _from_iso(value)
    return moment if moment.tzinfo is not None else _not_fast(value)


def _fast_enum(kind: type[enum.Enum]) -> Callable[[object, type], Any]:
    """A member from its text (JSON), or the member itself (`dump_event`'s dicts)."""
    members = {member.value: member for member in kind}

    def structure(value: object, _: type) -> Any:
        if type(value) is str:
            return members[value]
        return value if type(value) is kind else _not_fast(value)

    return structure


def _fast_optional_enum(kind: type[enum.Enum]) -> Callable[[object, type], Any]:
    member = _fast_enum(kind)

    def structure(value: object, _: type) -> Any:
        return None if value is None else member(value, kind)

    return structure


#: Recorded vocabularies (`facetcare.vocabulary`): optional event fields, read as text.
_RECORDED = (Guidance, Sedation, Agent, Modality, FunctionalScale)


def _fast_list(item: type, conv: cattrs.Converter) -> Callable[[object, type], Any]:
    """A JSON list to a tuple; a string or an object is refused, not iterated."""
    read = conv.get_structure_hook(item)

    def structure(value: object, _: type) -> Any:
        if type(value) is not list:
            return _not_fast(value)
        return tuple([read(one, item) for one in value])

    return structure


def _fields(kind: type) -> frozenset[str]:
    return frozenset(field.name for field in attrs.fields(kind))


def _fast_attrs(kind: type, conv: cattrs.Converter) -> Callable[[object, type], Any]:
    """An attrs value from a dict with exactly its fields, defaulted ones included."""
    keys = _fields(kind)
    build: Callable[[Any, type], Any] = make_dict_structure_fn(kind, conv)

    def structure(value: object, _: type) -> Any:
        if type(value) is not dict or value.keys() != keys:
            return _not_fast(value)
        return build(value, kind)

    return structure


#: Targets by their raw ``(joint, side)`` strings. A `Target` is frozen and
#: there are only so many facet joints, so documents share these objects.
_TARGETS: dict[tuple[str, str], ev.Target] = {}
_TARGETS_MAX = 512


def _fast_target(conv: cattrs.Converter) -> Callable[[object, type], ev.Target]:
    build = _fast_attrs(ev.Target, conv)

    def structure(value: object, _: type) -> ev.Target:
        if type(value) is not dict:
            return _not_fast(value)
        joint, side = value.get("joint"), value.get("side")
        if type(joint) is not str or type(side) is not str or len(value) != 2:
            built: ev.Target = build(value, ev.Target)  # not JSON text: not cached
            return built
        target: ev.Target | None = _TARGETS.get((joint, side))
        if target is None:
            target = build(value, ev.Target)
            if len(_TARGETS) < _TARGETS_MAX:
                _TARGETS[joint, side] = target
        return target

    return structure


def _equal_to(wanted: object) -> Callable[[Any], bool]:
    def matches(kind: Any) -> bool:
        return bool(kind == wanted)

    return matches


def _fast_converter() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=False)  # extra keys: see `_fast_attrs`
    conv.register_structure_hook(str, _exact(str))
    conv.register_structure_hook(int, _exact(int))
    conv.register_structure_hook(bool, _exact(bool))
    conv.register_structure_hook(float, _fast_number)
    conv.register_structure_hook_func(_equal_to(int | None), _exact_or_none(int))
    conv.register_structure_hook_func(_equal_to(bool | None), _exact_or_none(bool))
    conv.register_structure_hook_func(_equal_to(float | None), _fast_optional_number)
    conv.register_structure_hook(dt.datetime, _fast_datetime)
    conv.register_structure_hook(ev.Region, _fast_enum(ev.Region))
    conv.register_structure_hook(ev.Side, _fast_enum(ev.Side))
    conv.register_structure_hook_func(_equal_to(str | None), _exact_or_none(str))
    for recorded in _RECORDED:
        conv.register_structure_hook(recorded, _fast_enum(recorded))
        conv.register_structure_hook_func(_equal_to(recorded | None),
                                          _fast_optional_enum(recorded))
    conv.register_structure_hook(ev.Target, _fast_target(conv))
    conv.register_structure_hook(ev.PainEntry, _fast_attrs(ev.PainEntry, conv))
    conv.register_structure_hook(ev.Lesion, _fast_attrs(ev.Lesion, conv))
    conv.register_structure_hook(ev.PriorProcedure, _fast_attrs(ev.PriorProcedure, conv))
    conv.register_structure_hook(Policy, lambda value, _: load_policy(value))
    for item, listed in ((ev.Target, tuple[ev.Target, ...]),
                         (ev.PainEntry, tuple[ev.PainEntry, ...]),
                         (ev.Lesion, tuple[ev.Lesion, ...]),
                         (ev.PriorProcedure, tuple[ev.PriorProcedure, ...])):
        conv.register_structure_hook_func(_equal_to(listed), _fast_list(item, conv))
    return conv


_FAST = _fast_converter()
#: event type name → (class, its fields and ``type``, `_FAST`'s reader of the fields).
_FAST_EVENTS: dict[str, tuple[type[ev.Event], frozenset[str], Callable[..., Any]]] = {
    name: (kind, _fields(kind) | {"type"}, make_dict_structure_fn(kind, _FAST))
    for name, kind in ev.EVENT_BY_NAME.items()
}


def _fast_event(data: Any) -> ev.Event:
    """An event exactly as `dump_event` writes it; any other input raises (see `_FAST`)."""
    kind, keys, build = _FAST_EVENTS[data["type"]]
    if type(data) is not dict or data.keys() != keys:
        return _not_fast(data)
    event: ev.Event = build(data, kind)  # ``type`` is not a field: `_FAST` skips it
    return event


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
    try:
        return _fast_event(data)
    except Exception:  # the detailed reader decides, and says why
        pass
    return _read_event(data, where)


def _read_event(data: object, where: str) -> ev.Event:
    """`load_event` with `_CONVERTER` alone: what it accepts, and every error's words."""
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


def _load_events(raw: list[Any]) -> list[ev.Event]:
    try:
        return [_fast_event(item) for item in raw]
    except Exception:  # read again one by one, to say where and why
        pass
    return [load_event(item, f"$.events[{i}]") for i, item in enumerate(raw)]


# -- policies ------------------------------------------------------------------


def dump_policy(policy: Policy) -> dict[str, Any]:
    result: dict[str, Any] = _CONVERTER.unstructure(policy)
    return result


#: Policies already read, by `_policy_key`. A `Policy` is frozen and a
#: system uses a handful, so documents under one policy share one object.
_POLICIES: dict[tuple[tuple[Any, ...], ...], Policy] = {}
_POLICIES_MAX = 64


_SCALARS = frozenset({str, int, float, bool, type(None)})
_NAMES = frozenset({str})


def _policy_key(data: dict[Any, Any]) -> tuple[tuple[Any, ...], ...] | None:
    """The exact JSON values of a policy object, or None if it is not cached.

    Only a plain object of text keys and JSON scalars is cached. Types are
    part of the key, so ``1``, ``1.0`` and ``true`` never share an entry. A
    float zero or NaN is never cached: ``-0.0 == 0.0`` would give back a
    policy that writes the other zero, and NaN never equals itself.
    """
    if type(data) is not dict or not _NAMES.issuperset(map(type, data)):
        return None
    values = tuple(data.values())
    types = tuple(map(type, values))
    if not _SCALARS.issuperset(types):
        return None
    if float in types and any(type(v) is float and (v == 0 or math.isnan(v)) for v in values):
        return None
    return (tuple(data), values, types)


def load_policy(data: object, where: str = "$.policy") -> Policy:
    """Every field is required and extra keys are refused (no silent seed values)."""
    if not isinstance(data, dict):
        raise SerializationError(f"{where}: the policy must be an object")
    key = _policy_key(data)
    if key is not None:
        known = _POLICIES.get(key)
        if known is not None:
            return known
    try:
        policy: Policy = _CONVERTER.structure(data, Policy)
    except Exception as error:
        raise _describe(error, where) from None
    if key is not None:
        if len(_POLICIES) >= _POLICIES_MAX:
            _POLICIES.clear()
        _POLICIES[key] = policy
    return policy


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


_FIELDS = frozenset({"schema", "policy", "events"})


def _as_written(document: object) -> TypeGuard[dict[str, Any]]:
    """A plain dict with exactly the three fields, at the current version (as `to_dict` writes)."""
    if type(document) is not dict or document.keys() != _FIELDS:
        return False
    schema = document["schema"]
    return type(schema) is str and schema == SCHEMA


def _checked(document: object) -> dict[str, Any]:
    """Any other document: its fields checked, and migrated to the current version."""
    if not isinstance(document, dict):
        raise SerializationError(
            f"$: a pathway document must be an object, got {type(document).__name__}"
        )
    missing = [key for key in ("schema", "policy", "events") if key not in document]
    if missing:
        raise SerializationError(f"$: missing field(s) {missing}")
    extra = sorted(set(document) - _FIELDS)
    if extra:
        raise SerializationError(f"$: unknown field(s) {extra}")
    return migrate(dict(document))


def from_dict(document: object) -> Pathway:
    """Read a pathway document and replay its events under its policy."""
    from facetcare.pathway import Pathway

    current = document if _as_written(document) else _checked(document)
    policy = load_policy(current["policy"])
    raw_events = current["events"]
    if not isinstance(raw_events, list):
        raise SerializationError("$.events: expected a list of events")
    if not raw_events:
        raise SerializationError("$.events: a pathway has at least its Referred event")
    return Pathway.replay(_load_events(raw_events), policy=policy)


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
