"""How each value type is written and read: the two cattrs converters.

Durations are integer microseconds (exact: no float seconds, so 400,000 d +
7 µs survives a round trip); shares are text such as ``"4/5"`` read with
bounded work; times are ISO 8601 in UTC (``...Z``); numbers are JSON
numbers, whole numbers as integers (see `facetcare._validate.plain_float`).

`DETAILED` reads any JSON-shaped input and words every error; `FAST` reads
exactly what facetcare writes with lean hooks and raises on anything else,
so the caller falls back to `DETAILED`. Both end in the same attrs
constructors and validators, so no rule is checked in one place only.
New attrs fields and value types are read generically: a field needs a
hook here only if its type is new.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NoReturn

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from facetcare import _shares, _validate
from facetcare import events as ev
from facetcare.vocabulary import (
    Agent,
    FunctionalScale,
    Guidance,
    Modality,
    ReliefMeasure,
    Sedation,
)

MICROSECOND = dt.timedelta(microseconds=1)
_MAX_US = _validate.MAX_DURATION // MICROSECOND


#: Vocabularies recorded on events and named by policies (`facetcare.vocabulary`).
RECORDED: tuple[type[enum.Enum], ...] = (Guidance, Sedation, Agent, Modality, FunctionalScale,
                                         ReliefMeasure)


def _strict(kind: type, name: str) -> Callable[[object, type], Any]:
    def structure(value: object, _: type) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {name}, got {_describe(value)}")
        return value

    return structure


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return f"{type(value).__name__} {_validate.show(value)}"


def _number(value: object, _: type) -> float:
    if type(value) is not int and type(value) is not float:
        raise TypeError(f"expected a number, got {_describe(value)}")
    return value


#: Characters of a time string: Python's ISO reader takes a fraction of any length.
MAX_TIME_CHARS = 40


def _datetime(value: object, _: type) -> dt.datetime:
    if type(value) is not str:
        raise TypeError(f"expected an ISO 8601 time string, got {_describe(value)}")
    if not value.isascii() or len(value) > MAX_TIME_CHARS:
        raise ValueError(f"time {_validate.show(value)} is not ISO 8601 (ASCII, at most "
                         f"{MAX_TIME_CHARS} characters)")
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no UTC offset")
    return moment


def time_text(value: dt.datetime) -> str:
    """One text per instant: UTC with a ``Z`` (the rules judge days in the clinic's zone,
    `Policy.time_zone`, so the offset a time arrived in carries no meaning)."""
    text = value.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z"


def _duration(value: object, _: type) -> dt.timedelta:
    if type(value) is not int:
        raise TypeError(f"expected a duration in whole microseconds, got {_describe(value)}")
    if not -_MAX_US <= value <= _MAX_US:
        raise ValueError(f"a duration of {value} µs is outside ±{_MAX_US} µs")
    return dt.timedelta(microseconds=value)


def duration_text(value: dt.timedelta) -> int:
    return value // MICROSECOND


def _fraction(value: object, _: type) -> Fraction:
    if type(value) is not str:
        raise TypeError(f"expected a fraction string such as '4/5', got {_describe(value)}")
    share = _shares.parse_share(value)
    if share is None:
        raise ValueError(f"{_validate.show(value)} is not a share such as '4/5' (ASCII "
                         f"digits, at most {_shares.MAX_SHARE_DIGITS} each side)")
    return share


def _enum(kind: type[enum.Enum]) -> Callable[[object, type], Any]:
    members = {member.value: member for member in kind}

    def structure(value: object, _: type) -> Any:
        if type(value) is kind:
            return value
        if type(value) is not str or value not in members:
            raise ValueError(f"expected one of {sorted(members)}, got {_describe(value)}")
        return members[value]

    return structure


def detailed_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(float, _number)
    conv.register_structure_hook(dt.datetime, _datetime)
    conv.register_unstructure_hook(dt.datetime, time_text)
    conv.register_structure_hook(dt.timedelta, _duration)
    conv.register_unstructure_hook(dt.timedelta, duration_text)
    conv.register_structure_hook(Fraction, _fraction)
    conv.register_unstructure_hook(Fraction, str)
    kinds: tuple[type[enum.Enum], ...] = (ev.Region, ev.Side, *RECORDED)
    for kind in kinds:
        conv.register_structure_hook(kind, _enum(kind))
        conv.register_unstructure_hook(kind, _enum_text)
    conv.register_structure_hook_factory(_is_many, lambda kind: _many(kind, conv))
    return conv


def _is_many(kind: Any) -> bool:
    """``tuple[X, ...]``: a field holding any number of one kind of value."""
    args = typing.get_args(kind)
    return typing.get_origin(kind) is tuple and len(args) == 2 and args[1] is Ellipsis


def _many(kind: Any, conv: cattrs.Converter) -> Callable[[object, type], Any]:
    """A list (or tuple) of items; a string or object is refused whole, not item by item.

    cattrs would iterate any iterable, so ``"regions": "lumbar"`` gave one
    error per character.
    """
    as_list: Any = list[typing.get_args(kind)[0]]  # type: ignore[misc]
    items = conv.get_structure_hook(as_list)  # cattrs' own: each item's error by index

    def structure(value: object, _: type) -> Any:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected a list, got {_describe(value)}")
        return tuple(items(list(value), as_list))

    return structure


def _enum_text(member: enum.Enum) -> str:
    """A member as plain text (``str(member.value)``: never the member itself)."""
    return str.__str__(member.value)


DETAILED = detailed_converter()


# -- the fast reader -------------------------------------------------------------
#
# Objects arrive as tuples of (key, value) pairs (see `limits`); a tuple
# whose keys are not exactly the type's fields (a duplicate, a missing or an
# extra one) is not read here.


def not_fast(value: object) -> NoReturn:
    """`FAST` does not read ``value``; the caller falls back to `DETAILED`."""
    raise TypeError(f"not read by the fast path: {type(value).__name__}")


def as_dict(value: object, keys: frozenset[str]) -> dict[str, Any]:
    """A pair tuple (or dict) with exactly ``keys``, as a dict; anything else raises."""
    if type(value) is tuple:
        result = dict(value)
        if len(result) == len(value) and result.keys() == keys:
            return result
    elif type(value) is dict and value.keys() == keys:
        return value
    return not_fast(value)


def _exact(kind: type) -> Callable[[object, type], Any]:
    def structure(value: object, _: type) -> Any:
        return value if type(value) is kind else not_fast(value)

    return structure


def _exact_or_none(kind: type) -> Callable[[object, type], Any]:
    def structure(value: object, _: type) -> Any:
        return value if value is None or type(value) is kind else not_fast(value)

    return structure


def _fast_number(value: object, _: type) -> Any:
    kind = type(value)
    return value if kind is int or kind is float else not_fast(value)


def _fast_optional_number(value: object, _: type) -> Any:
    kind = type(value)
    return value if value is None or kind is int or kind is float else not_fast(value)


_from_iso = dt.datetime.fromisoformat


def _fast_datetime(value: object, _: type) -> dt.datetime:
    if type(value) is not str or not value.isascii() or len(value) > MAX_TIME_CHARS:
        return not_fast(value)
    moment = _from_iso(value)
    return moment if moment.tzinfo is not None else not_fast(value)


def _fast_optional_enum(kind: type[enum.Enum]) -> Callable[[object, type], Any]:
    member = _fast_enum(kind)

    def structure(value: object, _: type) -> Any:
        return None if value is None else member(value, kind)

    return structure


def _fast_enum(kind: type[enum.Enum]) -> Callable[[object, type], Any]:
    """A member from its text (JSON), or the member itself (`dump_event`'s dicts)."""
    members = {member.value: member for member in kind}

    def structure(value: object, _: type) -> Any:
        if type(value) is str:
            return members[value]
        return value if type(value) is kind else not_fast(value)

    return structure


def _fast_list(item: type, conv: cattrs.Converter) -> Callable[[object, type], Any]:
    """A JSON list to a tuple; a string or an object is refused, not iterated."""
    read = conv.get_structure_hook(item)

    def structure(value: object, _: type) -> Any:
        if type(value) is not list:
            return not_fast(value)
        return tuple([read(one, item) for one in value])

    return structure


def fields_of(kind: type) -> frozenset[str]:
    return frozenset(field.name for field in attrs.fields(kind))


def _fast_attrs(kind: type, conv: cattrs.Converter) -> Callable[[object, type], Any]:
    """An attrs value from an object with exactly its fields, defaulted ones included."""
    keys = fields_of(kind)
    build: Callable[[Any, type], Any] = make_dict_structure_fn(kind, conv)

    def structure(value: object, _: type) -> Any:
        return build(as_dict(value, keys), kind)

    return structure


#: Targets by their raw ``(joint, side)`` strings. A `Target` is frozen and
#: there are only so many facet joints, so documents share these objects.
TARGETS: dict[tuple[str, str], ev.Target] = {}
TARGETS_MAX = 512
#: The same targets by the parser's pair tuples as read (strings only: each one
#: was built and checked once), so a document's targets cost one lookup each.
RAW_TARGETS: dict[object, ev.Target] = {}
_TARGET_KEYS = frozenset({"joint", "side"})


def _fast_target(conv: cattrs.Converter) -> Callable[[object, type], ev.Target]:
    build = _fast_attrs(ev.Target, conv)

    def structure(value: object, _: type) -> ev.Target:
        if type(value) is tuple:  # the parser's pairs, e.g. (("joint", "L4-L5"), ("side", …))
            try:
                known = RAW_TARGETS.get(value)
            except TypeError:  # a list inside: not hashable, and not a target either
                known = None
            if known is not None:
                return known
        data = as_dict(value, _TARGET_KEYS)
        joint, side = data["joint"], data["side"]
        if type(joint) is not str or type(side) is not str:
            built: ev.Target = build(data, ev.Target)  # not JSON text: not cached
            return built
        target: ev.Target | None = TARGETS.get((joint, side))
        if target is None:
            target = build(data, ev.Target)
            if len(TARGETS) < TARGETS_MAX:
                TARGETS[joint, side] = target
        if type(value) is tuple and len(RAW_TARGETS) < TARGETS_MAX:
            RAW_TARGETS[value] = target
        return target

    return structure


def _equal_to(wanted: object) -> Callable[[Any], bool]:
    def matches(kind: Any) -> bool:
        return bool(kind == wanted)

    return matches


def _is_tuple_of_attrs(kind: Any) -> bool:
    args: tuple[Any, ...] = tuple(getattr(kind, "__args__", ()))
    return (getattr(kind, "__origin__", None) is tuple and len(args) == 2
            and args[1] is Ellipsis and attrs.has(args[0]))


def _item_of(kind: Any) -> Any:
    """The item type of ``tuple[X, ...]``."""
    args: tuple[Any, ...] = tuple(kind.__args__)
    return args[0]


def fast_converter() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=False)  # extra keys: see `as_dict`
    conv.register_structure_hook(str, _exact(str))
    conv.register_structure_hook(int, _exact(int))
    conv.register_structure_hook(bool, _exact(bool))
    conv.register_structure_hook(float, _fast_number)
    conv.register_structure_hook_func(_equal_to(int | None), _exact_or_none(int))
    conv.register_structure_hook_func(_equal_to(bool | None), _exact_or_none(bool))
    conv.register_structure_hook_func(_equal_to(str | None), _exact_or_none(str))
    conv.register_structure_hook_func(_equal_to(float | None), _fast_optional_number)
    conv.register_structure_hook(dt.datetime, _fast_datetime)
    conv.register_structure_hook(dt.timedelta, _duration)
    conv.register_structure_hook(Fraction, _fraction)
    conv.register_structure_hook(ev.Region, _fast_enum(ev.Region))
    conv.register_structure_hook(ev.Side, _fast_enum(ev.Side))
    for recorded in RECORDED:  # the vocabularies of docs/payer-rules.md, optional on events
        conv.register_structure_hook(recorded, _fast_enum(recorded))
        conv.register_structure_hook_func(_equal_to(recorded | None),
                                          _fast_optional_enum(recorded))
    conv.register_structure_hook(ev.Target, _fast_target(conv))
    # Any other attrs value (PainEntry, Lesion, and those added later): exact fields.
    conv.register_structure_hook_factory(
        lambda kind: attrs.has(kind) and kind is not ev.Target,
        lambda kind: _fast_attrs(kind, conv),
    )
    conv.register_structure_hook_factory(
        _is_tuple_of_attrs, lambda kind: _fast_list(_item_of(kind), conv)
    )
    return conv


FAST = fast_converter()
