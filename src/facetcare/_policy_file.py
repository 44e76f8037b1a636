"""A clinic's policy as a file: ``.toml`` or ``.json``, strict both ways.

The file holds the same flat object a pathway document carries as its
``policy`` (docs/payer-rules.md#policy-files): every field present, no other key,
durations in microseconds (as in a schema @2 document: exact integers, so
14 d is ``1209600000000``), relief shares as strings such as ``"4/5"``, lists of
names for the vocabularies. Reading goes through the document reader, so
a bad value is refused with the field named, exactly as in a document.

TOML has no null: "no such rule" is written ``"none"`` there (JSON: null).
TOML is read with the standard library (`tomllib`) and written here: the
format is one flat table of scalars and lists of strings.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tomllib
import typing
from pathlib import Path
from typing import Any, cast

import attrs

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


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise SerializationError(
            f"{path.name}: a policy file is .toml or .json, not {suffix or 'no suffix'!r}")
    return suffix


def read(path: str | os.PathLike[str]) -> Policy:
    from facetcare.serialization import load_policy

    file = Path(path)
    suffix = _suffix(file)
    with file.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise SerializationError(f"{file.name}: larger than {MAX_BYTES} bytes; not a policy "
                                 "file")
    try:
        text = raw.decode("utf-8")
        data: Any = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise SerializationError(f"{file.name}: not valid {suffix[1:].upper()}: {error}") from None
    if not isinstance(data, dict):
        raise SerializationError(f"{file.name}: a policy file is one object of fields")
    if suffix == ".toml":
        data = {key: None if key in _OPTIONAL and value == _NONE else value
                for key, value in data.items()}
    return load_policy(data, where=file.name)


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
    lines = ["# facetcare policy (docs/payer-rules.md#policy-files); durations in microseconds",
             '# (14 d = 1209600000000), shares as "n/d" strings, "none" for no such rule.']
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
    data = json.loads(json.dumps(dump_policy(policy)))  # plain JSON values
    if suffix == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = _toml(policy, data)
    file.write_text(text, encoding="utf-8")


register_file_codec(cast(FileCodec, sys.modules[__name__]))
