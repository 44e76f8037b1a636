"""attrs validators shared by the value and event types.

Every check names the field it refuses, so a clinic's integration error
points at the field to fix rather than at facetcare's internals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs


def aware(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Time is data: only timezone-aware datetimes are accepted."""
    require_aware(attribute.name, value)


def require_aware(name: str, value: object) -> None:
    """`aware` for a value that is not an attrs field, such as ``due(now)``'s ``now``."""
    if type(value) is dt.datetime and type(value.tzinfo) is dt.timezone:
        return  # a fixed offset, as `fixed_offset` and ISO 8601 text give: always aware
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")


def identifier(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


def flag(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be True or False, got {value!r}")


def optional_flag(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        flag(instance, attribute, value)


def pain_score(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Pain on the 0–10 numeric rating scale (NRS), whole numbers only."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int from 0 to 10, got {value!r}")
    if not 0 <= value <= 10:
        raise ValueError(f"{attribute.name} must be from 0 to 10 (NRS), got {value}")


def count(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def positive_number(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, got {value!r}")
    if not 0 < value < float("inf"):
        raise ValueError(f"{attribute.name} must be a positive, finite number, got {value}")


def optional_number(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number or None, got {value!r}")
    if not float("-inf") < value < float("inf"):
        raise ValueError(f"{attribute.name} must be finite, got {value}")


def members_of(kind: type, *, allow_empty: bool = False) -> Any:
    """A validator for a tuple whose items are all ``kind``; non-empty unless allowed."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise TypeError(f"{attribute.name} must be a sequence of {kind.__name__}")
        if not value and not allow_empty:
            raise ValueError(f"{attribute.name} must not be empty")
        for item in value:
            if not isinstance(item, kind):
                raise TypeError(
                    f"{attribute.name} must hold {kind.__name__} values, got {type(item).__name__}"
                )

    return check


def as_tuple(value: object) -> object:
    """Lists become tuples so events stay hashable; sets are refused later (no order)."""
    if isinstance(value, list):
        return tuple(value)
    return value


def fixed_offset(value: object) -> object:
    """Keep an aware time's instant and UTC offset, not its zone's rules.

    Python compares and subtracts two times that share a zone object by
    their wall clocks, so across a daylight-saving change a 6 h relief window
    would be 5 or 7 real hours; and a stored document keeps only offsets, so
    the same events could replay differently after a round trip (times inside
    a skipped or repeated hour do not even compare equal to themselves read
    back). With a fixed offset every rule measures elapsed time, the same
    before and after storage, and calendar days stay those of the given offset.
    """
    if type(value) is dt.datetime and type(value.tzinfo) is dt.timezone:
        return value  # already fixed (`timezone` has no subclasses)
    if isinstance(value, dt.datetime) and not isinstance(value.tzinfo, dt.timezone | None):
        offset = value.utcoffset()
        if offset is not None:
            return value.replace(tzinfo=dt.timezone(offset), fold=0)
    return value
