"""The validators and converters of `Policy` fields: each names the field it refuses.

Kept apart from `facetcare.policy` so the fields read as a table there.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import zoneinfo
from fractions import Fraction
from typing import Any

import attrs

from facetcare import _shares, _validate
from facetcare.anatomy import Region
from facetcare.vocabulary import (
    Guidance,
    Modality,
    ReliefMeasure,
    Sedation,
    enum_of,
    normalise_icd10,
    optional_member,
    valid_icd10,
)


def fraction(value: Any) -> Any:
    """Exact shares only: "4/5", "0.8", 1 or a Fraction; anything else is left for `share`.

    Floats are refused (0.8 is not exactly 4/5); the validator names the field.
    Text is read with bounded work (`_shares.parse_share`: no exponents).
    """
    if isinstance(value, bool) or not isinstance(value, Fraction | int | str):
        return value
    if isinstance(value, str):
        share = _shares.parse_share(str.__str__(value))
        return value if share is None else share
    if type(value) is not Fraction:
        return Fraction(int.__index__(value)) if isinstance(value, int) else value
    return value


def optional_fraction(value: Any) -> Any:
    return None if value is None else fraction(value)


def share(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and type(value) is not Fraction:
        raise TypeError(
            f"{attribute.name} must be an exact share such as Fraction(4, 5) or '4/5', "
            f"got {_validate.show(value)}"
        )
    if value is not None and not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")
    if value is not None and not _shares.bounded_share(value):
        raise ValueError(f"{attribute.name} must have at most {_shares.MAX_SHARE_DIGITS} "
                         "digits above and below the line")


#: The longest a policy's count may be (blocks, levels, caps): far above any
#: payer's figure, there so every value stays writable (``docs/documents.md``).
MAX_COUNT = 1000


def limit(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if type(value) is not int:
        raise TypeError(f"{attribute.name} must be an int or None, got {_validate.show(value)}")
    if not 1 <= value <= MAX_COUNT:
        raise ValueError(f"{attribute.name} must be from 1 to {MAX_COUNT}, "
                         f"got {_validate.show(value)}")


def not_below(lower: str) -> Any:
    """A validator: this field, if set, is at least the field ``lower`` (if set)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        low = getattr(instance, lower)
        if value is not None and low is not None and value < low:
            raise ValueError(f"{attribute.name} ({value}) must not be below {lower} ({low})")

    return check


def positive_duration(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value <= dt.timedelta(0):
        raise ValueError(f"{attribute.name} must be positive")


#: Names a host's zone database may load that are not IANA zones: the host's
#: own zone ("localtime"), the POSIX default rules ("posixrules"), tzdata's
#: placeholder ("Factory"), and the copies under "posix/" and "right/" (the
#: latter counting leap seconds, so its instants differ). Each would make a
#: day's verdict depend on the machine the rules run on.
_HOST_NAMES = frozenset({"localtime", "posixrules", "Factory"})
_HOST_PREFIXES = ("posix/", "right/")


@functools.cache
def _iana_names() -> frozenset[str]:
    """The zone names `zoneinfo` lists, exactly as spelled (read once: it walks the database).

    Membership, not a successful load, decides: on a case-insensitive file
    system "america/chicago" loads, yet it names no zone on another host.
    """
    return frozenset(zoneinfo.available_timezones())


def time_zone(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An IANA name that `zoneinfo` knows, such as "America/Chicago"; no host-only name."""
    if type(value) is not str:
        raise TypeError(f"{attribute.name} must be an IANA time zone name, got "
                        f"{_validate.show(value)}")
    if value == "UTC":
        return
    if value in _HOST_NAMES or value.startswith(_HOST_PREFIXES):
        raise ValueError(f"{attribute.name} {_validate.show(value)} names a file of the host's "
                         "time zone database, not an IANA zone; give the clinic's zone "
                         "(e.g. 'America/Chicago')")
    try:
        if value not in _iana_names():
            raise ValueError(value)
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{attribute.name} {_validate.show(value)} is not an IANA time zone name known to "
            "zoneinfo (e.g. 'America/Chicago', 'Australia/Brisbane', 'UTC')"
        ) from None


seconds = _validate.optional_seconds
celsius = _validate.optional_celsius


def nonneg_duration(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dt.timedelta):
        raise TypeError(f"{attribute.name} must be a timedelta, got {value!r}")
    if value < dt.timedelta(0):
        raise ValueError(f"{attribute.name} must not be negative")


def members(kind: type[enum.Enum]) -> Any:
    """A converter to a tuple of ``kind`` members (from a list or tuple of text)."""
    one = enum_of(kind)

    def convert(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(one(item) for item in value)
        return value

    return convert


def optional_members(kind: type[enum.Enum]) -> Any:
    """None, or a non-empty tuple of distinct ``kind`` members; the field named when not."""
    member = optional_member(kind)

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, tuple) or not value:
            raise TypeError(f"{attribute.name} must be None or a non-empty list of "
                            f"{[m.value for m in kind]}, got {value!r}")
        for item in value:
            if item is None:
                raise TypeError(f"{attribute.name} must not contain None")
            member(instance, attribute, item)
        if len(set(value)) != len(value):
            raise ValueError(f"{attribute.name} must not repeat a value")

    return check


def codes(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(normalise_icd10(code) for code in value)
    return value


def optional_codes(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, tuple) or not value:
        raise TypeError(f"{attribute.name} must be None or a non-empty list of ICD-10-CM codes")
    for code in value:
        if code is None:
            raise TypeError(f"{attribute.name} must not contain None")
        valid_icd10(instance, attribute, code)


_to_regions, _to_guidances = members(Region), members(Guidance)
_to_modalities, _to_sedation = members(Modality), enum_of(Sedation)
_to_measure = enum_of(ReliefMeasure)


def regions(value: Any) -> Any:
    return _to_regions(value)


def guidances(value: Any) -> Any:
    return _to_guidances(value)


def modalities(value: Any) -> Any:
    return _to_modalities(value)


def sedation(value: Any) -> Any:
    return _to_sedation(value)


def measure(value: Any) -> Any:
    return _to_measure(value)


def count(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A whole number from 1, plain (`_validate.plain_int` converts subclasses first)."""
    if type(value) is not int:
        raise TypeError(f"{attribute.name} must be an int, got {_validate.show(value)}")
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, got {value}")


