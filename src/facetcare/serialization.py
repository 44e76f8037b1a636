"""Compatibility names for `facetcare.documents` (the codec lives there now).

``to_dict``/``to_json`` take a `Pathway` and ``from_dict``/``from_json``
return one, as in facetcare 0.1.0; new code calls the `Pathway` methods or
`facetcare.documents` directly.
"""

from __future__ import annotations

from typing import Any

from facetcare.documents import (
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    dump_event,
    dump_events_jsonl,
    dump_policy,
    load_event,
    load_events_jsonl,
    load_policy,
)
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


def to_dict(pathway: Pathway, *, key: bytes | None = None) -> dict[str, Any]:
    return pathway.to_dict(key=key)


def to_json(pathway: Pathway, *, key: bytes | None = None) -> str:
    return pathway.to_json(key=key)


def from_dict(document: object, *, key: bytes | None = None) -> Pathway:
    return Pathway.from_dict(document, key=key)


def from_json(text: str | bytes, *, key: bytes | None = None) -> Pathway:
    return Pathway.from_json(text, key=key)
