"""Each pathway's document, kept in its row and extended by every append.

`Store.load` must cost about what ``Pathway.from_json`` costs: reading a
pathway's events row by row (a JSON value per row, the policy read again
every time) costs twice that. So ``facetcare_pathways.document`` holds the
pathway's canonical document (``Pathway.to_json()``: policy, log, hash
chain) at its ``version``, written by the same ``UPDATE`` that checks and
bumps the version, in the transaction that inserts the event rows. Loading
is one indexed read of one row, then exactly ``from_json``: the chain is
checked and every event replayed under every rule, so the document is not
believed either.

An append does not re-encode the whole log: `extended` adds the new
events' canonical text before the closing ``]`` and continues the chain
from the digest the document ends with (the chain is ``dᵢ = SHA-256(dᵢ₋₁ +
eventᵢ)``, see `facetcare.documents.signing`). The digests are also stored
per event row. Tests check that the stored document always equals
``Pathway.replay(events rows).to_json()``, after corrections and
concurrent appends, and `Store.verify` checks it for one stored pathway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import attrs

from facetcare import events as ev
from facetcare.documents import DEFAULT_LIMITS, canonical, dump_event, event_digests
from facetcare.documents.signing import CHAIN_PREFIX
from facetcare.errors import SerializationError
from facetcare.pathway import Pathway

__all__ = ["LIMITS", "Written", "audited", "extended", "read", "written"]

#: What the store reads its own documents with: the default bounds, but no
#: size cap (a pathway may grow past a document meant for exchange; the
#: store wrote it, and the other bounds still hold).
LIMITS = attrs.evolve(DEFAULT_LIMITS, max_bytes=2**62)

_CLOSE = '],"chain":"' + CHAIN_PREFIX
#: The document's end: ``],"chain":"sha256:<64 hex>"}``.
_TAIL = len(_CLOSE) + 64 + 2


@attrs.frozen
class Written:
    """What one write stores: the new document, and each new event's body and digest."""

    document: str
    bodies: list[dict[str, Any]]
    digests: list[str]


def written(pathway: Pathway) -> Written:
    """The whole pathway, for a new row (`Store.create`, `Store.add`, an upgrade)."""
    log = pathway.log
    return Written(pathway.to_json(), [dump_event(event) for event in log],
                   event_digests(pathway.policy, log))


def _split(document: str) -> tuple[str, bytes] | None:
    """``(text before the events' closing bracket, the last digest)`` or None if unusual."""
    if len(document) < _TAIL or not document.endswith('"}') or \
            not document.startswith(_CLOSE, len(document) - _TAIL):
        return None
    try:
        digest = bytes.fromhex(document[-66:-2])
    except ValueError:
        return None
    return document[:-_TAIL], digest


def extended(document: str, pathway: Pathway, new: Sequence[ev.Event]) -> Written:
    """``document`` (``pathway`` before ``new`` was appended) with ``new`` added.

    Equal to ``pathway.to_json()`` after the append, in time proportional to
    the new events (plus one copy of the text). A document not in the
    layout facetcare writes (never the case for one the store wrote) is
    written whole again.
    """
    if not new:
        return Written(document, [], [])
    bodies = [dump_event(event) for event in new]
    split = _split(document)
    if split is None:
        log = pathway.log
        return Written(pathway.to_json(), bodies,
                       event_digests(pathway.policy, log)[len(log) - len(new):])
    head, digest = split
    texts = [canonical(body) for body in bodies]
    digests = []
    for text in texts:
        digest = hashlib.sha256(digest + text.encode()).digest()
        digests.append(digest.hex())
    return Written(f'{head},{",".join(texts)}{_CLOSE}{digests[-1]}"}}', bodies, digests)


def read(pathway_id: str, document: str, version: int) -> Pathway:
    """The stored document read as ``Pathway.from_json`` reads it, and replayed.

    A `SerializationError` names the pathway; a document whose log is not
    ``version`` long (a row edited by hand) is refused too.
    """
    try:
        pathway = Pathway.from_json(document, limits=LIMITS)
    except SerializationError as error:
        raise SerializationError(f"store pathway {pathway_id!r} document: {error}") from None
    if pathway.pathway_id != pathway_id or len(pathway.log) != version:
        raise SerializationError(
            f"store pathway {pathway_id!r}: the stored document is of pathway "
            f"{pathway.pathway_id!r} with {len(pathway.log)} entries, the row says "
            f"version {version}"
        )
    return pathway


def audited(pathway_id: str, pathway: Pathway, version: int, digests: Sequence[str],
            document: str) -> None:
    """Refuse unless ``pathway`` (replayed from the rows), their digests and ``document`` agree."""
    where = f"store pathway {pathway_id!r}"
    log = pathway.log
    if len(log) != version:
        raise SerializationError(f"{where}: {len(log)} event rows, the row says version {version}")
    for seq, (wanted, stored) in enumerate(zip(event_digests(pathway.policy, log), digests,
                                               strict=True)):
        if wanted != stored:
            raise SerializationError(f"{where} event {seq}: its digest does not match the "
                                     "rows up to it (the row, or one before, was edited)")
    if document != pathway.to_json():
        raise SerializationError(f"{where}: the stored document differs from the event rows")
