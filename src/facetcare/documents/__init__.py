"""Pathway documents and event logs: the codec, its schema versions, limits and signing.

The codec turns ``(policy, events)`` into a versioned JSON document and
back; it never builds a `Pathway` (``Pathway.from_json`` calls `decode` and
replays). See ``docs/documents.md`` for the format, the limits, the hash
chain and signatures.
"""

from facetcare.documents.codec import (
    Document,
    decode,
    encode,
    event_digests,
    read_document,
    to_document,
)
from facetcare.documents.event_codec import dump_event, load_event
from facetcare.documents.jsonl import dump_events_jsonl, load_events_jsonl
from facetcare.documents.limits import DEFAULT_LIMITS, Limits, canonical, read_json
from facetcare.documents.policies import dump_policy, load_policy
from facetcare.documents.schema import MIGRATIONS, SCHEMA, SCHEMA_NAME, SCHEMA_VERSION, migrate

__all__ = [
    "DEFAULT_LIMITS",
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_NAME",
    "SCHEMA_VERSION",
    "Document",
    "Limits",
    "canonical",
    "decode",
    "dump_event",
    "dump_events_jsonl",
    "dump_policy",
    "encode",
    "event_digests",
    "load_event",
    "load_events_jsonl",
    "load_policy",
    "migrate",
    "read_document",
    "read_json",
    "to_document",
]
