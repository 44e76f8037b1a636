"""Tamper evidence: the hash chain over a pathway's log, and optional signatures.

The chain: ``d₀ = SHA-256("facetcare/pathway chain\\n" + policy)``, then
``dᵢ = SHA-256(dᵢ₋₁ + eventᵢ)`` over each event's compact JSON text as
facetcare writes it (UTF-8). The document stores ``"chain": "sha256:<dₙ hex>"``
and every reader recomputes it, so any edit of an event, the policy or the
order (even one that breaks no rule, such as a baseline pain of 8 made 3) is
refused unless the editor also recomputed the chain. A store can keep each
``dᵢ`` (`event_digests`) to find where an edit happened.

The chain needs no key, so it detects edits, not forgers. For that,
``to_json(key=...)`` adds ``"signature": "hmac-sha256:<hex>"``: an HMAC
(stdlib `hmac`, SHA-256) over the document's compact text without the
signature, and ``from_json(key=...)`` refuses a document whose signature is
missing or wrong.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

__all__ = ["chain", "chain_digests", "sign", "verify"]

CHAIN_SEED = b"facetcare/pathway chain\n"
CHAIN_PREFIX = "sha256:"
SIGNATURE_PREFIX = "hmac-sha256:"

_sha256 = hashlib.sha256


def chain_digests(policy_text: str, event_texts: Iterable[str]) -> list[str]:
    """``dᵢ`` in hex after each event (``dₙ`` is the document's chain)."""
    digest = _sha256(CHAIN_SEED + policy_text.encode()).digest()
    found = []
    for text in event_texts:
        digest = _sha256(digest + text.encode()).digest()
        found.append(digest.hex())
    return found


def chain(policy_text: str, event_texts: Iterable[str]) -> str:
    """The document's ``"chain"`` value."""
    digest = _sha256(CHAIN_SEED + policy_text.encode()).digest()
    for text in event_texts:
        digest = _sha256(digest + text.encode()).digest()
    return CHAIN_PREFIX + digest.hex()


def _key(key: object) -> bytes:
    if not isinstance(key, bytes | bytearray) or not key:
        raise TypeError("key must be non-empty bytes (a secret shared by writer and reader)")
    return bytes(key)


def sign(text: str, key: bytes) -> str:
    """The ``"signature"`` value for a document's unsigned compact text."""
    mac = hmac.new(_key(key), text.encode(), hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify(text: str, signature: object, key: bytes) -> bool:
    """Whether ``signature`` is ``text``'s, compared in constant time."""
    expected = sign(text, key)
    return type(signature) is str and hmac.compare_digest(expected, signature)
