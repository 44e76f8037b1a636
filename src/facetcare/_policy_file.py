"""A clinic's policy as a file: ``.toml`` or ``.json``, strict both ways.

The file holds the flat object a pathway document carries as its
``policy`` (docs/payer-rules.md#policy-files): every field present, no other key,
relief shares as strings such as ``"4/5"``, lists of names for the
vocabularies. Durations are written as ISO 8601 durations a person can read
and edit (``"P14D"``, ``"PT6H"``, ``"PT7.5S"``: days, hours, minutes and
seconds to the microsecond, no months or years, whose length varies); the
integer microseconds of a schema @2 document are read too. Reading goes
through the document reader, so a bad value is refused with the field
named, exactly as in a document.

TOML has no null: "no such rule" is written ``"none"`` there (JSON: null).
TOML is read with the standard library (`tomllib`) and written here: the
format is one flat table of scalars and lists of strings.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import sys
import tomllib
import typing
from pathlib import Path
from typing import Any, cast

import attrs

from facetcare.documents.limits import read_json
from facetcare.errors import SerializationError
from facetcare.policy import FileCodec, Policy, register_file_codec

__all__ = ["read", "write"]

#: A policy file is a few kilobytes; anything far larger is not one.
MAX_BYTES = 1 << 20
_NONE = "none"


def _optional_fields() -> frozenset[str]:
    hints = typing.get_type_hints(Policy)
    return frozenset(name for name, hint in hints.items()
                     if type(None) in typing.get_args(hint))


_OPTIONAL = _optional_fields()


def _duration_fields() -> frozenset[str]:
    hints = typing.get_type_hints(Policy)
    return frozenset(name for name, hint in hints.items()
                     if hint is dt.timedelta or dt.timedelta in typing.get_args(hint))


_DURATIONS = _duration_fields()
#: Days, hours, minutes, seconds (up to 6 decimals); each part at most 9 digits.
_ISO = re.compile(r"P(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?"
                  r"(?:(\d{1,9})(?:\.(\d{1,6}))?S)?)?", re.ASCII)
_UNITS = (86_400_000_000, 3_600_000_000, 60_000_000, 1_000_000)


def parse_duration(text: str, field: str) -> int:
    """An ISO 8601 duration (``P14D``, ``PT6H30M``) as integer microseconds."""
    found = _ISO.fullmatch(text)
    if found is None or text in ("P", "PT") or text.endswith("T"):
        raise SerializationError(
            f"{field}: {text[:40]!r} is not a duration; write ISO 8601 days, hours, minutes "
            "and seconds, such as \"P14D\", \"PT6H\" or \"PT90S\" (months and years vary in "
            "length and are not accepted)")
    *parts, fraction = found.groups()
    micros = sum(int(part) * unit for part, unit in zip(parts, _UNITS, strict=True) if part)
    return micros + (int(fraction.ljust(6, "0")) if fraction else 0)


def format_duration(micros: int) -> str:
    """Integer microseconds as the shortest ISO 8601 duration `parse_duration` reads back."""
    days, rest = divmod(micros, _UNITS[0])
    hours, rest = divmod(rest, _UNITS[1])
    minutes, rest = divmod(rest, _UNITS[2])
    seconds, fraction = divmod(rest, _UNITS[3])
    time = (f"{hours}H" * bool(hours) + f"{minutes}M" * bool(minutes)
            + (f"{seconds}" + (f".{fraction:06d}".rstrip("0") if fraction else "") + "S")
            * bool(seconds or fraction))
    if not days and not time:
        return "PT0S"
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


def _readable(data: dict[str, Any]) -> dict[str, Any]:
    """A dumped policy with its durations as ISO 8601 text."""
    return {key: format_duration(value) if key in _DURATIONS and type(value) is int else value
            for key, value in data.items()}


def _exact(data: dict[str, Any], where: str) -> dict[str, Any]:
    """A read policy file with ISO 8601 durations turned into the document's microseconds."""
    return {key: parse_duration(value, f"{where}.{key}")
            if key in _DURATIONS and type(value) is str and value != _NONE else value
            for key, value in data.items()}


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise SerializationError(
            f"{path.name}: a policy file is .toml or .json, not {suffix or 'no suffix'!r}")
    return suffix


def _parsed(raw: bytes, suffix: str, name: str) -> Any:
    """The value a policy file holds, parsed with bounded work.

    JSON goes through the document reader (nesting, number and string
    limits); TOML through `tomllib`, whose recursion and integer conversion
    a hostile file can exhaust, so those failures are refusals naming the
    file, not crashes.
    """
    if suffix == ".json":
        try:
            return read_json(raw)
        except SerializationError as error:
            raise SerializationError(f"{name}: not a readable JSON policy file: {error}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SerializationError(f"{name}: not valid TOML: {error}") from None
    except RecursionError:
        raise SerializationError(f"{name}: nested too deeply; a policy file is one flat "
                                 "table") from None
    except ValueError as error:  # an integer longer than Python converts
        raise SerializationError(f"{name}: not a readable TOML policy file: {error}") from None


def read(path: str | os.PathLike[str]) -> Policy:
    from facetcare.serialization import load_policy

    file = Path(path)
    suffix = _suffix(file)
    with file.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise SerializationError(f"{file.name}: larger than {MAX_BYTES} bytes; not a policy "
                                 "file")
    data = _parsed(raw, suffix, file.name)
    if not isinstance(data, dict):
        raise SerializationError(f"{file.name}: a policy file is one object of fields")
    if suffix == ".toml":
        data = {key: None if key in _OPTIONAL and value == _NONE else value
                for key, value in data.items()}
    return load_policy(_exact(data, file.name), where=file.name)


def _toml_value(value: Any, field: str) -> str:
    if value is None:
        return json.dumps(_NONE)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SerializationError(f"{field}: {value} cannot be written")
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item, field) for item in value) + "]"
    raise SerializationError(f"{field}: {value!r} cannot be written as TOML")


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml(policy: Policy, data: dict[str, Any]) -> str:
    sources = _sources_if_named(policy)
    lines = ["# facetcare policy (docs/payer-rules.md#policy-files); durations in ISO 8601",
             '# ("P14D", "PT6H"), shares as "n/d" strings, "none" for no such rule.']
    for name in (a.name for a in attrs.fields(Policy)):
        line = f"{name} = {_toml_value(data[name], name)}"
        if name in sources:
            line += "  # " + " ".join(sources[name].split())
        lines.append(line)
    return "\n".join(lines) + "\n"


def _sources_if_named(policy: Policy) -> dict[str, str]:
    """The sources of a named profile, when ``policy`` is exactly that profile."""
    profiles = Policy.profiles()
    if profiles.get(policy.name) == policy:
        return Policy.sources(policy.name)
    return {}


def write(policy: Policy, path: str | os.PathLike[str]) -> None:
    from facetcare.serialization import dump_policy

    if not isinstance(policy, Policy):
        raise TypeError(f"expected a facetcare.Policy, got {type(policy).__name__}")
    file = Path(path)
    suffix = _suffix(file)
    data = _readable(json.loads(json.dumps(dump_policy(policy))))  # plain JSON values
    if suffix == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = _toml(policy, data)
    file.write_text(text, encoding="utf-8")


register_file_codec(cast(FileCodec, sys.modules[__name__]))
