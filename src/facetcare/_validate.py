"""attrs validators and converters shared by the value, event and policy types.

Every check names the field it refuses, so a clinic's integration error
points at the field to fix rather than at facetcare's internals. The ranges
here are what documents carry (``docs/documents.md``): a value accepted at
construction can always be written, read back and computed with, so no rule
and no `due()` computation can overflow the calendar.

Converters normalise subclasses to the plain types (``str``, ``int``,
``float``, ``datetime``): a subclass whose comparisons or ``isoformat`` lie
must not reach a rule or a document.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import attrs

#: The calendar facetcare computes in (UTC instants, inclusive). Every policy
#: duration is at most `MAX_DURATION`, and a computation adds at most a few
#: of them, so nothing reaches ``datetime.max`` (year 9999) or ``min`` (year 1).
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
#: The longest duration a policy may set (100 years of 365.25 days).
MAX_DURATION = dt.timedelta(days=36525)
#: Longest identifier (ids of pathways, patients, visits) and free text (reasons).
MAX_ID_CHARS = 200
MAX_TEXT_CHARS = 2000

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u2060"
                       "\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0")


# -- plain types ----------------------------------------------------------------


def plain_str(value: object) -> object:
    """A ``str`` subclass becomes a plain ``str`` (its own ``__str__`` is not asked)."""
    if type(value) is str or not isinstance(value, str):
        return value
    return str.__str__(value)


def plain_int(value: object) -> object:
    """An ``int`` subclass (not ``bool``) becomes a plain ``int``."""
    if type(value) is int or type(value) is bool or not isinstance(value, int):
        return value
    return int.__index__(value)


def plain_float(value: object) -> object:
    """One form per number, so ``80`` and ``80.0`` are one value and one text.

    A whole number (an ``int``, or a ``float`` with no fraction) becomes a
    plain ``int``; any other finite number a plain ``float``; ``-0.0`` is 0.
    Subclasses are read through the base type. Anything else is left for the
    validator, which names the field.
    """
    kind = type(value)
    if kind is int or kind is bool or not isinstance(value, int | float):
        return value
    if isinstance(value, int):
        return int.__index__(value)
    number = float.__float__(value)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def optional_plain_float(value: object) -> object:
    return value if value is None or type(value) is int else plain_float(value)


# -- times ----------------------------------------------------------------------


def _offset(name: str, value: dt.datetime) -> dt.timedelta | None:
    """``value.utcoffset()``, with a caller's failing ``tzinfo`` reported for ``name``."""
    try:
        return value.utcoffset()
    except Exception as error:  # a caller's tzinfo may raise anything
        raise TypeError(
            f"{name}: its tzinfo {type(value.tzinfo).__name__} failed to give a UTC offset "
            f"({type(error).__name__}: {error})"
        ) from None


def require_aware(name: str, value: object) -> None:
    """Time is data: only timezone-aware datetimes within the supported calendar.

    ``name`` is the field or argument reported (``at``, ``due(now)``'s ``now``).
    """
    if type(value) is dt.datetime and type(value.tzinfo) is dt.timezone:
        if EARLIEST <= value <= LATEST:
            return  # the usual case: a fixed offset, as ISO 8601 text gives
        _out_of_range(name, value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or _offset(name, value) is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value!r})")
    try:
        inside = EARLIEST <= value <= LATEST
    except (OverflowError, ValueError, TypeError):
        inside = False
    if not inside:
        _out_of_range(name, value)


def _out_of_range(name: str, value: dt.datetime) -> None:
    raise ValueError(
        f"{name} must be between {EARLIEST.isoformat()} and {LATEST.isoformat()} "
        f"(the supported calendar), got year {_field(value, 'year')}"
    )


def _field(value: dt.datetime, name: str) -> int:
    """A datetime's field read through the base class (a subclass may override it)."""
    descriptor = dt.datetime.__dict__.get(name) or dt.date.__dict__[name]
    return int(descriptor.__get__(value))


def fixed_offset(value: object) -> object:
    """Keep an aware time's instant and UTC offset, not its zone's rules.

    Python compares and subtracts two times that share a zone object by
    their wall clocks, so across a daylight-saving change a 6 h relief window
    would be 5 or 7 real hours; and a stored document keeps only offsets, so
    the same events could replay differently after a round trip (times inside
    a skipped or repeated hour do not even compare equal to themselves read
    back). With a fixed offset every rule measures elapsed time, the same
    before and after storage, and calendar days stay those of the given offset.

    A ``datetime`` subclass becomes a plain ``datetime`` (read through the
    base class, so an overridden ``isoformat`` or ``year`` is not believed).
    A ``tzinfo`` that fails is left for `require_aware`, which names the field.
    """
    if type(value) is dt.datetime and type(value.tzinfo) is dt.timezone:
        return value  # already fixed (`timezone` has no subclasses)
    if not isinstance(value, dt.datetime):
        return value
    try:
        offset = dt.datetime.utcoffset(value)
        if type(value) is not dt.datetime:
            value = dt.datetime(
                _field(value, "year"), _field(value, "month"), _field(value, "day"),
                _field(value, "hour"), _field(value, "minute"), _field(value, "second"),
                _field(value, "microsecond"), tzinfo=value.tzinfo)
        if offset is not None and not isinstance(value.tzinfo, dt.timezone):
            return value.replace(tzinfo=dt.timezone(offset), fold=0)
        if offset is not None:
            return value.replace(tzinfo=dt.timezone(offset))
    except Exception:  # a caller's tzinfo: `require_aware` reports it by name
        return value
    return value


def clinical_time(value: object, name: str = "at") -> object:
    """`fixed_offset` then `require_aware` for the field ``name``, in one step.

    The usual value (a plain datetime with a fixed offset, inside the
    supported calendar) is returned at once: every event has such a field.
    """
    if type(value) is dt.datetime and type(value.tzinfo) is dt.timezone \
            and EARLIEST <= value <= LATEST:
        return value
    moment = fixed_offset(value)
    require_aware(name, moment)
    return moment


# -- identifiers and text ---------------------------------------------------------


#: Line ends free text may hold (a reason may have paragraphs); identifiers may not.
_LINE_ENDS = frozenset("\n\r\t\x85\u2028\u2029")
_SEPARATOR = "the line or paragraph separator {code} at {index}"
#: What text may not hold, by Unicode category ({code} and {index} left to fill).
_REFUSED = {"Cs": "a lone surrogate {code} at {index} (not writable as UTF-8)",
            "Cc": "the control character {code} at {index}", "Zl": _SEPARATOR, "Zp": _SEPARATOR,
            "Cn": "the unassigned code point {code} at {index}"}


def refused_char(char: str, lines: bool = False) -> str | None:
    """What ``char`` is if an identifier (free text, with ``lines``) may not hold it, else None.

    The one rule for text: `_refusal` reports by it, the testing kit draws by it.
    """
    if lines and char in _LINE_ENDS:
        return None
    if char in _BIDI:  # format characters, unlike every category refused
        return "the bidirectional control {code} at {index} (it can reorder text)"
    return _REFUSED.get(unicodedata.category(char))


def nothing_visible(value: str) -> bool:
    """Whether a screen shows nothing of ``value`` (spaces, invisible marks and fillers only)."""
    return all(char.isspace() or char in _INVISIBLE or unicodedata.category(char) in ("Cf", "Mn")
               for char in value)


def _refusal(value: str, limit: int, lines: bool = False) -> str | None:
    """Why ``value`` cannot be an identifier, or None. Says which character and where."""
    if len(value) > limit:
        return f"is longer than {limit} characters ({len(value)})"
    for index, char in enumerate(value):
        what = refused_char(char, lines)
        if what is not None:
            return "holds " + what.format(code=f"U+{ord(char):04X}", index=index)
    if nothing_visible(value):
        return "has no visible character (only spaces or invisible marks)"
    return None


def _text(name: str, value: object, limit: int, lines: bool = False) -> None:
    if type(value) is str and value.isascii() and value.isprintable() and len(value) <= limit:
        if value.strip():
            return  # the usual id or reason: printable ASCII with something to see
        raise ValueError(f"{name} must not be empty")
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    why = _refusal(value, limit, lines)
    if why is not None:
        raise ValueError(f"{name} {why}")


def identifier(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """An id a screen shows as it is: no controls, no bidi overrides, something visible."""
    _text(attribute.name, value, MAX_ID_CHARS)


def identifier_named(name: str, value: object) -> object:
    """`plain_str` then `identifier` for the field ``name``, as one converter step."""
    value = plain_str(value)
    _text(name, value, MAX_ID_CHARS)
    return value


def text(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Free text (a reason): as `identifier`, longer, and line ends allowed."""
    _text(attribute.name, value, MAX_TEXT_CHARS, lines=True)


# -- flags and numbers --------------------------------------------------------------


def flag(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be True or False, got {value!r}")


def optional_flag(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and value is not True and value is not False:
        flag(instance, attribute, value)


def pain_score(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Pain on the 0–10 numeric rating scale (NRS), whole numbers only."""
    if type(value) is not int:
        raise TypeError(f"{attribute.name} must be an int from 0 to 10, got {show(value)}")
    if not 0 <= value <= 10:
        raise ValueError(f"{attribute.name} must be from 0 to 10 (NRS), got {show(value)}")


def count_up_to(high: int) -> Any:
    """A validator for None or a whole number from 0 to ``high``."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        if type(value) is not int:
            raise TypeError(f"{attribute.name} must be an int, got {show(value)}")
        if not 0 <= value <= high:
            raise ValueError(f"{attribute.name} must be from 0 to {high}, got {show(value)}")

    return check


#: Months of pain (`Referred.pain_months`): up to 100 years.
count = count_up_to(1200)


def number_in(low: float, high: float, *, low_open: bool = False,
              optional: bool = False) -> Any:
    """A validator for a float in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    shown = f"{'(' if low_open else '['}{low:g}, {high:g}]"

    def check(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if type(value) is not float and type(value) is not int:
            kind = "a number or None" if optional else "a number"
            raise TypeError(f"{attribute.name} must be {kind}, got {show(value)}")
        if not (low < value if low_open else low <= value) or not value <= high:
            raise ValueError(f"{attribute.name} must be in {shown}, got {show(value)}")

    return check


#: Lesion durations in seconds (up to an hour), and temperatures in °C (0–150).
#: Assumption: wide plausibility bounds around the sources' 60–90 s and
#: 80–90 °C (``docs/documents.md``), there only so every value stays writable.
MAX_LESION_SECONDS = 3600.0
MAX_CELSIUS = 150.0
positive_seconds = number_in(0.0, MAX_LESION_SECONDS, low_open=True)
optional_seconds = number_in(0.0, MAX_LESION_SECONDS, optional=True)
optional_celsius = number_in(0.0, MAX_CELSIUS, optional=True)


def duration(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A `timedelta` from 0 to `MAX_DURATION` (None is "no such rule")."""
    if value is None:
        return
    if type(value) is not dt.timedelta:
        raise TypeError(f"{attribute.name} must be a timedelta, got {show(value)}")
    if not dt.timedelta(0) <= value <= MAX_DURATION:
        raise ValueError(f"{attribute.name} must be from 0 to {MAX_DURATION.days} days, "
                         f"got {value}")


# -- kinds and collections ----------------------------------------------------------------


def kind_of(kind: type) -> Any:
    """``attrs.validators.instance_of``, refusing with a message a desk can read."""
    def check(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise TypeError(f"{attribute.name} must be a {kind.__name__}, got {show(value)}")
    return check


def members_of(kind: type, *, allow_empty: bool = False) -> Any:
    """A validator for a tuple whose items are all ``kind``; non-empty unless allowed."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise TypeError(f"{attribute.name} must be a sequence of {kind.__name__}")
        if not value and not allow_empty:
            raise ValueError(f"{attribute.name} must not be empty")
        for item in value:
            if not isinstance(item, kind):
                raise TypeError(f"{attribute.name} must hold {kind.__name__} values, "
                                f"got {type(item).__name__}")

    return check


def as_tuple(value: object) -> object:
    """Lists become tuples so events stay hashable; sets are refused later (no order).

    A ``list`` or ``tuple`` subclass is read through the base class's iterator:
    its own ``__iter__`` could show the validators other items than it keeps.
    """
    if type(value) is tuple or type(value) is list:
        return tuple(value)  # a tuple is returned as it is
    if isinstance(value, list):
        return tuple(list.__iter__(value))
    return tuple(tuple.__iter__(value)) if isinstance(value, tuple) else value


def show(value: object, limit: int = 60) -> str:
    """A short, safe description of a value for an error message (never its whole repr)."""
    if isinstance(value, bool | None | float):
        return repr(value)
    if type(value) is int:
        return repr(value) if abs(value) < 10**50 else "an int of more than 50 digits"
    if type(value) is str:
        shown = value if len(value) <= limit else value[:limit] + "…"
        return ascii(shown)
    return f"a {type(value).__name__}"
