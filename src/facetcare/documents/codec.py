"""The pathway document: ``(policy, events)`` to JSON and back, strict and bounded.

A stored pathway is its policy and its events, with a hash chain::

    {"schema": "facetcare/pathway@2", "policy": {...}, "events": [...],
     "chain": "sha256:...", "signature": "hmac-sha256:..."}   # signature optional

The codec neither builds nor replays a `Pathway` (it does not import
`facetcare.pathway`): `read_document` gives the policy and events and
``Pathway.from_json`` replays them under every rule, so a tampered document
is refused (`Rejected`) rather than believed, and an edit that breaks no
rule is refused by the chain. Everything else that can go wrong (not JSON,
truncated, over a limit, a missing or extra field, ``"8"`` for 8, an
unknown event type, a newer schema) is a `SerializationError` naming where.

Output is canonical: compact, ``type`` first then fields in declaration
order, numbers in one form, so equal pathways give byte-identical documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import attrs

from facetcare import events as ev
from facetcare._validate import show
from facetcare.documents import signing
from facetcare.documents.event_codec import (
    bounded_corrections,
    dump_event,
    fast_event,
    load_events,
)
from facetcare.documents.limits import (
    DEFAULT_LIMITS,
    Limits,
    as_text,
    canonical,
    parse_pairs,
    scan,
    strict_tree,
)
from facetcare.documents.policies import POLICIES, dump_policy, fast_policy, load_policy
from facetcare.documents.schema import SCHEMA, check_fields, migrate, version_of
from facetcare.errors import SerializationError
from facetcare.policy import Policy

__all__ = ["Document", "decode", "encode", "event_digests", "read_document", "to_document"]


@attrs.frozen
class Document:
    """What a document held, and what was verified about it.

    ``schema_version`` is the version it was written in (1: before hash
    chains and profile versions; its policy is as recorded). ``signed`` is
    True when a key was given and the signature matched.
    """

    policy: Policy
    events: tuple[ev.Event, ...]
    schema_version: int
    signed: bool = False

    @property
    def chained(self) -> bool:
        """Whether the log was protected by a hash chain when written (schema @2 on)."""
        return self.schema_version >= 2


@lru_cache(maxsize=64)
def _policy_text(policy: Policy) -> str:
    return canonical(dump_policy(policy))


def _texts(policy: Policy, events: Iterable[ev.Event]) -> tuple[str, list[str]]:
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a facetcare.Policy, got {type(policy).__name__}")
    texts = []
    for event in events:
        if not isinstance(event, ev.Event):
            raise TypeError(f"expected facetcare events, got {type(event).__name__}")
        texts.append(canonical(dump_event(event)))
    return _policy_text(policy), texts


def encode(policy: Policy, events: Iterable[ev.Event], *, key: bytes | None = None) -> str:
    """The canonical document text; with ``key``, signed (HMAC-SHA256)."""
    policy_text, texts = _texts(policy, events)
    unsigned = (f'{{"schema":"{SCHEMA}","policy":{policy_text},"events":[{",".join(texts)}],'
                f'"chain":"{signing.chain(policy_text, texts)}"}}')
    if key is None:
        return unsigned
    return f'{unsigned[:-1]},"signature":"{signing.sign(unsigned, key)}"}}'


def to_document(policy: Policy, events: Iterable[ev.Event], *,
                key: bytes | None = None) -> dict[str, Any]:
    """`encode` as a dict (``canonical(to_document(...)) == encode(...)``)."""
    listed = list(events)
    policy_text, texts = _texts(policy, listed)
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "policy": dump_policy(policy),
        "events": [dump_event(event) for event in listed],
        "chain": signing.chain(policy_text, texts),
    }
    if key is not None:
        document["signature"] = signing.sign(canonical(document), key)
    return document


def event_digests(policy: Policy, events: Sequence[ev.Event]) -> list[str]:
    """The chain's digest after each event (hex), for a store to keep beside each row."""
    policy_text, texts = _texts(policy, events)
    return signing.chain_digests(policy_text, texts)


# -- reading ------------------------------------------------------------------------

_PREFIX = f'{{"schema":"{SCHEMA}","policy":'
_EVENTS = ',"events":['
_CHAIN = ',"chain":"'
_SIGNATURE = ',"signature":"'
#: A signature as `signing.sign` writes it; after the chain, only it and the closing brace.
_SIGNATURE_VALUE = re.compile(f"{re.escape(signing.SIGNATURE_PREFIX)}[0-9a-f]{{64}}", re.ASCII)
_SIGNED = re.compile(f'{re.escape(_SIGNATURE)}{_SIGNATURE_VALUE.pattern}"}}', re.ASCII)
_FIRST_EVENT = _EVENTS + '{"type":'
_UNREAD = object()


def _fast(text: str, key: bytes | None) -> Document | None:
    """A document exactly as `encode` writes it, or None (then `_strict` reads it).

    The chain and the signature are checked over the text as it stands; in
    facetcare's layout that is the canonical text they were made from. The
    text between the values it reads is compared whole, to the end: after
    the chain only ``}``, or a signature in the form `signing.sign` writes
    and ``}``. So nothing it accepts holds a key twice or a key it did not
    read, which the strict reader refuses and another JSON reader might
    take instead (``"signature":"x","events":[]`` after the chain).
    """
    if not text.startswith(_PREFIX):
        return None
    try:
        start = len(_PREFIX)
        # A policy read before is known by its text: its end is the first
        # `,"events":[{"type":` (those quotes cannot stand unescaped inside a
        # JSON string), and the chain below covers the text all the same.
        end = text.find(_FIRST_EVENT, start)
        policy_text = text[start:end] if end > 0 else ""
        raw_policy: Any = None if policy_text in POLICIES else _UNREAD
        if raw_policy is _UNREAD:
            raw_policy, end = scan(text, start)
            policy_text = text[start:end]
        if not text.startswith(_EVENTS, end):
            return None
        start = end + len(_EVENTS)
        raws, texts = [], []
        while True:
            item, end = scan(text, start)
            raws.append(item)
            texts.append(text[start:end])
            start = end + 1
            if text[end] == "]":
                break
            if text[end] != ",":
                return None
        if not text.startswith(_CHAIN, start):
            return None
        start += len(_CHAIN)
        close = text.index('"', start)
        rest = text[close + 1:]
        if rest == "}":
            signature, unsigned = None, text
        elif _SIGNED.fullmatch(rest):
            signature, unsigned = rest[len(_SIGNATURE):-2], text[:close + 1] + "}"
        else:
            return None
        if signing.chain(policy_text, texts) != text[start:close]:
            return None
        if key is not None and not signing.verify(unsigned, signature, key):
            return None
        policy = fast_policy(raw_policy, policy_text)
        events = tuple([fast_event(raw) for raw in raws])
    except Exception:  # anything unusual: the strict reader decides, and says why
        return None
    return Document(policy, events, 2, key is not None)


def _verify(document: dict[str, Any], version: int, key: bytes | None) -> bool:
    """Check the chain (schema @2 on) and, with ``key``, the signature; True if signed."""
    if version >= 2:
        policy, events = document["policy"], document["events"]
        if not isinstance(events, list):
            raise SerializationError("$.events: expected a list of events")
        stated = document["chain"]
        if signing.chain(canonical(policy), map(canonical, events)) != stated:
            raise SerializationError(
                "$.chain: the policy or events do not match the document's hash chain: "
                "edited after it was written (or the chain was)"
            )
    signature = document.get("signature")
    if signature is not None and (type(signature) is not str
                                  or _SIGNATURE_VALUE.fullmatch(signature) is None):
        raise SerializationError(f"$.signature: expected '{signing.SIGNATURE_PREFIX}' and 64 "
                                 f"lowercase hex digits, got {show(signature, 80)}")
    if key is None:
        return False
    if signature is None:
        raise SerializationError("$.signature: missing; a key was given, so the document "
                                 "must be signed")
    unsigned = {name: value for name, value in document.items() if name != "signature"}
    if not signing.verify(canonical(unsigned), signature, key):
        raise SerializationError("$.signature: does not match (wrong key, or the document "
                                 "was changed after signing)")
    return True


def _strict(document: object, key: bytes | None) -> Document:
    """Any other document: every field read (errors name it), then the chain and signature."""
    if not isinstance(document, dict):
        raise SerializationError(
            f"$: a pathway document must be an object, got {type(document).__name__}"
        )
    version = version_of(document.get("schema"))
    check_fields(document, version)
    current = migrate(dict(document))
    policy = load_policy(current["policy"])
    raw_events = current["events"]
    if not isinstance(raw_events, list):
        raise SerializationError("$.events: expected a list of events")
    if not raw_events:
        raise SerializationError("$.events: a pathway has at least its Referred event")
    events = tuple(load_events(raw_events))
    signed = _verify(document, version, key)  # as written, before any migration
    return Document(policy, events, version, signed)


def read_document(source: object, *, key: bytes | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a document (JSON text, bytes, or a dict as `to_document` gives)."""
    if key is not None:
        signing.sign("", key)  # a bad key is the caller's TypeError, not the document's
    document = _read(source, key, limits)
    bounded_corrections(document.events, limits)
    return document


def _read(source: object, key: bytes | None, limits: Limits) -> Document:
    if isinstance(source, dict):
        return _strict(strict_tree(source, limits, pairs=False), key)
    text = as_text(source, limits, "a pathway document")
    found = _fast(text, key)
    if found is not None:
        return found
    return _strict(strict_tree(parse_pairs(text, limits), limits), key)


def decode(source: object, *, key: bytes | None = None,
           limits: Limits = DEFAULT_LIMITS) -> tuple[Policy, list[ev.Event]]:
    """``(policy, events)`` of a document; see `read_document`."""
    document = read_document(source, key=key, limits=limits)
    return document.policy, list(document.events)
