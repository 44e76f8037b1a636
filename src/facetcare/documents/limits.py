"""Reading JSON from strangers: bounded work, one meaning, every failure located.

`read_json` is the only place facetcare parses text. It refuses, as a
`SerializationError` naming the JSON path (``$.events[3].at``) or the
line and column:

- a text longer than ``max_bytes`` (before any parsing);
- nesting deeper than ``max_depth``;
- a number literal longer than ``max_number_chars`` (so no 4,300-digit
  integer, and no unbounded conversion);
- a string longer than ``max_string_chars``;
- a key given twice in one object (another reader may take the other value);
- ``NaN`` and ``Infinity`` (not JSON);
- text that is not UTF-8, or not JSON.

`Limits` holds the bounds; `DEFAULT_LIMITS` is what every reader uses unless
the caller passes its own (``docs/documents.md``). Objects are parsed into
tuples of ``(key, value)`` pairs first (free in the C parser), so a
duplicate key is never lost before it can be refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.scanner import make_scanner
from typing import Any

import attrs

from facetcare._validate import show
from facetcare.errors import SerializationError

__all__ = ["DEFAULT_LIMITS", "Limits", "canonical", "read_json", "strict_tree"]


def _at_least_one(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int, got {show(value)}")


@attrs.frozen(kw_only=True)
class Limits:
    """Bounds on what a reader accepts; raise one with ``attrs.evolve(DEFAULT_LIMITS, ...)``.

    The defaults hold a pathway of tens of thousands of events and refuse
    anything a clinic system would never write.
    """

    #: Characters of text (or bytes of UTF-8) in one document or event log.
    max_bytes: int = attrs.field(default=8_000_000, validator=_at_least_one)
    #: Objects and arrays inside each other (a document needs 5).
    max_depth: int = attrs.field(default=32, validator=_at_least_one)
    #: Characters of one number literal (a duration in microseconds needs 16).
    max_number_chars: int = attrs.field(default=40, validator=_at_least_one)
    #: Characters of one string (identifiers stop at 200, reasons at 2,000).
    max_string_chars: int = attrs.field(default=10_000, validator=_at_least_one)
    #: Events replayed to judge a log's corrections. Each correction is accepted
    #: only if the history before it replays under every rule (docs/corrections.md),
    #: so a log costs the sum, over its corrections, of the entries before each:
    #: 100 corrections on a pathway of 10,000 events are 1,000,000.
    max_correction_replay: int = attrs.field(default=1_000_000, validator=_at_least_one)


DEFAULT_LIMITS = Limits()


class _Overlong:
    """A number literal over the limit, kept as a marker so its path can be named."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length


class _Constant:
    """``NaN`` or ``Infinity`` (Python's parser takes them; JSON has no such number)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _bounded(limit: int, parse: Any) -> Any:
    def read(literal: str) -> Any:
        return _Overlong(len(literal)) if len(literal) > limit else parse(literal)

    return read


#: The parser of the fast path: objects as pair tuples, NaN refused, C speed.
_DECODER = json.JSONDecoder(object_pairs_hook=tuple, parse_constant=_refuse_constant)
#: ``scan(text, index) -> (value, end)``; raises StopIteration where no value starts.
scan: Callable[[str, int], tuple[Any, int]] = make_scanner(_DECODER)  # type: ignore[arg-type]


def as_text(text: object, limits: Limits, what: str = "JSON text") -> str:
    """``text`` as a str within ``max_bytes``; bytes must be UTF-8."""
    if isinstance(text, bytes | bytearray):
        if len(text) > limits.max_bytes:
            raise SerializationError(f"$: {what} of {len(text)} bytes is over the limit of "
                                     f"{limits.max_bytes} (Limits.max_bytes)")
        try:
            return bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise SerializationError(f"$: not UTF-8 text (byte {error.start})") from None
    if not isinstance(text, str):
        raise SerializationError(f"$: expected {what} (str or bytes), got {type(text).__name__}")
    if len(text) > limits.max_bytes:
        raise SerializationError(f"$: {what} of {len(text)} characters is over the limit of "
                                 f"{limits.max_bytes} (Limits.max_bytes)")
    return str.__str__(text)


def read_json(text: object, limits: Limits = DEFAULT_LIMITS, where: str = "$") -> Any:
    """Parse one JSON value under ``limits``: plain dicts, lists and scalars, or raise."""
    return strict_tree(parse_pairs(as_text(text, limits), limits), limits, where)


def parse_pairs(text: str, limits: Limits) -> Any:
    """Parse to pair tuples, long number literals kept as markers; `SerializationError` else."""
    decoder = json.JSONDecoder(
        object_pairs_hook=tuple,
        parse_constant=_Constant,
        parse_int=_bounded(limits.max_number_chars, int),
        parse_float=_bounded(limits.max_number_chars, float),
    )
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as error:
        raise SerializationError(
            f"not valid JSON (truncated or malformed): {error.msg} at line {error.lineno} "
            f"column {error.colno}"
        ) from None
    except RecursionError:
        raise SerializationError(
            f"$: nested deeper than the parser allows (limit {limits.max_depth})"
        ) from None
    except ValueError as error:  # an integer over Python's own digit limit
        raise SerializationError(f"not valid JSON: {error}"[:200]) from None


def strict_tree(value: Any, limits: Limits, where: str = "$", depth: int = 0,
                *, pairs: bool = True) -> Any:
    """Pair tuples to dicts, with every limit checked and the failing path named.

    With ``pairs=False`` it reads plain Python values (`from_dict`): dicts
    are objects and tuples arrays; anything that is not a JSON type, a key
    that is not a string, or a cycle (as depth) is refused.
    """
    kind = type(value)
    if kind is str:
        if len(value) > limits.max_string_chars:
            raise SerializationError(f"{where}: a string of {len(value)} characters is over "
                                     f"the limit of {limits.max_string_chars}")
        return value
    if kind is int or kind is float or kind is bool or value is None:
        if kind is int and value.bit_length() > 4 * limits.max_number_chars:
            raise SerializationError(f"{where}: a number of more than "
                                     f"{limits.max_number_chars} digits")
        return value
    if kind is _Overlong:
        raise SerializationError(f"{where}: a number literal of {value.length} characters is "
                                 f"over the limit of {limits.max_number_chars}")
    if kind is _Constant:
        raise SerializationError(f"{where}: {value.name} is not a JSON number")
    if depth >= limits.max_depth:
        raise SerializationError(f"{where}: nested deeper than {limits.max_depth} "
                                 "(Limits.max_depth)")
    if (kind is tuple and pairs) or kind is dict:
        result: dict[str, Any] = {}
        for pair in value if kind is tuple else value.items():
            if type(pair) is not tuple or len(pair) != 2:
                raise SerializationError(f"{where}: not a JSON value (a tuple)")
            key, item = pair
            if type(key) is not str:
                raise SerializationError(f"{where}: an object key must be a string, got "
                                         f"{show(key)}")
            if key in result:
                raise SerializationError(f"{where}: the key {show(key)} is given twice")
            result[key] = strict_tree(item, limits, f"{where}.{_key(key)}", depth + 1,
                                      pairs=pairs)
        return result
    if kind is list or kind is tuple:
        return [strict_tree(item, limits, f"{where}[{i}]", depth + 1, pairs=pairs)
                for i, item in enumerate(value)]
    raise SerializationError(f"{where}: not a JSON value ({type(value).__name__})")


def _key(key: str) -> str:
    return key if key.isidentifier() and len(key) <= 40 else show(key, 40)


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
#: Characters JSON allows raw but that some readers treat as line ends.
_LINE_ENDS = {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\u0085"}


def canonical(value: Any) -> str:
    """Compact JSON, keys in the order given, U+2028/U+2029/U+0085 escaped.

    The escapes keep every value on one line, so JSON Lines read back what
    they wrote; the text of equal values is identical.
    """
    text: str = _ENCODE(value)
    if not text.isascii() and ("\u2028" in text or "\u2029" in text or "\x85" in text):
        text = text.translate(_LINE_ENDS)
    return text
