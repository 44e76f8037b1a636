"""An event in a document: ``type`` first, then its fields in declaration order.

Every event type in `facetcare.events.EVENT_BY_NAME` is read and written
generically from its attrs fields, so a new event type or a new optional
field needs no code here (only a schema migration if old documents lack it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
from cattrs.gen import make_dict_structure_fn

import facetcare.documents.policies  # noqa: F401  (registers the Policy hooks first)
from facetcare import events as ev
from facetcare.documents._values import DETAILED, FAST, fields_of, not_fast
from facetcare.documents.errors import describe
from facetcare.documents.limits import Limits
from facetcare.errors import SerializationError

__all__ = ["bounded_corrections", "dump_event", "load_event"]


#: The optional identity of every event (`Event.event_id`, …), written only when given.
_IDENTITY = ("event_id", "recorded_at", "recorded_by")
_IDENTITY_KEYS = frozenset(_IDENTITY)


def _unrecorded(kind: type[ev.Event]) -> tuple[str, ...]:
    """The fields of ``kind`` whose default is None ("not recorded"): written only when given."""
    return tuple(field.name for field in attrs.fields(kind)
                 if field.default is None and field.init)


#: event type → its optional fields (the identity, and such as `Referred.axial_pain`).
_OPTIONAL: dict[type[ev.Event], tuple[str, ...]] = {
    kind: _unrecorded(kind) for kind in ev.EVENT_BY_NAME.values()
}


def dump_event(event: ev.Event) -> dict[str, Any]:
    """An event as a JSON-ready dict: ``type`` first, then fields in order.

    An optional field that was not recorded (None, its default: the identity,
    the payer documentation fields) is left out, so a document carries what
    was recorded and documents written before a field existed read the same.
    """
    body: dict[str, Any] = DETAILED.unstructure(event, unstructure_as=type(event))
    for name in _OPTIONAL[type(event)]:
        if body.get(name, 0) is None:
            del body[name]
    return {"type": event.kind, **body}


def _event_field(value: object, _: type) -> ev.Event:
    """A field holding any event (`Amended.replacement`, `LateEntry.event`): by its type."""
    return load_event(value, "event")


def _dump_event_field(event: ev.Event) -> dict[str, Any]:
    return dump_event(event)


def _is_event(kind: Any) -> bool:
    return kind is ev.Event


for _converter in (DETAILED, FAST):
    _converter.register_structure_hook_func(_is_event, _event_field)
DETAILED.register_unstructure_hook_func(_is_event, _dump_event_field)

#: event type name → (class, its fields and ``type``, those without the identity,
#: `FAST`'s reader of the fields).
_FAST_EVENTS: dict[str, tuple[type[ev.Event], frozenset[str], frozenset[str], Callable[..., Any]]]
_FAST_EVENTS = {
    name: (kind, fields_of(kind) | {"type"}, (fields_of(kind) | {"type"}) - set(_OPTIONAL[kind]),
           make_dict_structure_fn(kind, FAST))
    for name, kind in ev.EVENT_BY_NAME.items()
}


def fast_event(data: Any) -> ev.Event:
    """An event exactly as facetcare writes it (pair tuple or dict); anything else raises."""
    if type(data) is tuple:
        fields = dict(data)
        if len(fields) != len(data):
            return not_fast(data)
    elif type(data) is dict:
        fields = data
    else:
        return not_fast(data)
    kind, keys, bare, build = _FAST_EVENTS[fields["type"]]
    given = fields.keys()
    if given != bare and not (given <= keys and bare <= given):  # optional ones may be absent
        return not_fast(data)
    event: ev.Event = build(fields, kind)  # ``type`` is not a field: `FAST` skips it
    return event


def load_event(data: object, where: str = "$") -> ev.Event:
    """Build an event from a dict made by `dump_event`; `SerializationError` if malformed."""
    try:
        return fast_event(data)
    except Exception:  # the detailed reader decides, and says why
        pass
    return read_event(data, where)


def read_event(data: object, where: str) -> ev.Event:
    """`load_event` with `DETAILED` alone: what it accepts, and every error's words."""
    if not isinstance(data, dict):
        raise SerializationError(f"{where}: an event must be an object, got {type(data).__name__}")
    kind_name = data.get("type")
    kind = ev.EVENT_BY_NAME.get(kind_name) if type(kind_name) is str else None
    if kind is None:
        if "type" not in data:
            raise SerializationError(
                f"{where}.type: missing; an event names its type, one of "
                f"{sorted(ev.EVENT_BY_NAME)}"
            )
        shown = repr(kind_name)[:60] if type(kind_name) is str else type(kind_name).__name__
        raise SerializationError(
            f"{where}.type: unknown event type {shown}; expected one of "
            f"{sorted(ev.EVENT_BY_NAME)}"
        )
    fields = {key: value for key, value in data.items() if key != "type"}
    try:
        return DETAILED.structure(fields, kind)
    except Exception as error:  # cattrs groups every field error; report them all
        raise describe(error, where) from None


def load_events(raw: list[Any], where: str = "$.events") -> list[ev.Event]:
    try:
        return [fast_event(item) for item in raw]
    except Exception:  # read again one by one, to say where and why
        pass
    return [load_event(item, f"{where}[{i}]") for i, item in enumerate(raw)]


def bounded_corrections(events: Sequence[ev.Event], limits: Limits) -> None:
    """Refuse a log whose corrections would replay more than ``max_correction_replay`` events.

    Judged from the positions alone, before any replay: the correction at
    position ``i`` replays at most the ``i`` entries before it. Without the
    bound, a few megabytes of corrections of an early event would take hours.
    """
    work = 0
    for index, event in enumerate(events):
        if isinstance(event, ev.Correction):
            work += index
            if work > limits.max_correction_replay:
                raise SerializationError(
                    f"$.events[{index}]: judging the corrections up to here replays {work:,} "
                    "events, over Limits.max_correction_replay "
                    f"({limits.max_correction_replay:,}); raise it for a log with this many "
                    "corrections"
                )
