"""The document kept in each pathway's row always says what its event rows say.

`Store.load` reads ``facetcare_pathways.document`` (one row) instead of the
event rows, so the two must never drift: after any mix of batches, single
appends, corrections (accepted or refused), idempotent re-sends and writers
that did or did not write last, the document equals
``Pathway.replay(rows).to_json()`` and each row's digest is the chain's
(`store_support.assert_rows_agree`; concurrent appends are checked in
``test_store_concurrency``). Edits by hand are found: of the document by
`load`, of a row by `Store.verify`. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import events as ev
from facetcare.documents import canonical, event_digests
from facetcare.documents.signing import chain
from facetcare.store import NotFound, Store
from facetcare.store import _schema as schema
from facetcare.store._document import extended
from facetcare.testing import corrections, journeys
from journey import DAY, HOUR, MEDICARE, SEED, T0, reach, referral
from store_support import assert_rows_agree
from test_store_worklist import renamed, wipe

S = fc.Stage


def _document(store: Store, pathway_id: str = "pw-1") -> str:
    with store.engine.connect() as conn:
        return str(conn.execute(sa.select(schema.pathways.c.document).where(
            schema.pathways.c.pathway_id == pathway_id)).scalar_one())


def _set_document(store: Store, text: str, pathway_id: str = "pw-1") -> None:
    with store.engine.begin() as conn:
        conn.execute(schema.pathways.update().where(schema.pathways.c.pathway_id == pathway_id)
                     .values(document=text))


def test_extending_a_document_gives_to_json_of_the_longer_pathway() -> None:
    j = reach(S.SUSTAINED_RELIEF, MEDICARE)
    before = fc.Pathway.replay(j.pw.log[:5], policy=MEDICARE)
    new = extended(before.to_json(), j.pw, j.pw.log[5:])
    assert new.document == j.pw.to_json()
    assert new.digests == event_digests(MEDICARE, j.pw.log)[5:]
    assert extended(j.pw.to_json(), j.pw, ()).document == j.pw.to_json()
    # Not facetcare's layout (here: signed): written whole, still right.
    assert extended(before.to_json(key=b"k"), j.pw, j.pw.log[5:]).document == j.pw.to_json()


@pytest.mark.parametrize("writers", ["one store", "two stores"])
def test_the_document_always_equals_the_event_rows(store_url: str, writers: str) -> None:
    @settings(max_examples=12, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=st.data(), policy=st.sampled_from([SEED, MEDICARE]))
    def check(data: st.DataObject, policy: fc.Policy) -> None:
        # Fresh stores each time: what a store keeps is only for a database it alone wipes.
        first = Store(store_url)
        # A second store never wrote last, so it reads the stored document for each write.
        second = Store(store_url) if writers == "two stores" else first
        wipe(first)
        try:
            walk(data, policy, first, second)
        finally:
            first.close()
            second.close()

    def walk(data: st.DataObject, policy: fc.Policy, first: Store, second: Store) -> None:
        events = renamed(data.draw(journeys(policy, max_steps=14), label="journey"), 1, 1)
        referral_event, *rest = events
        assert isinstance(referral_event, ev.Referred)
        first.create(referral_event, policy=policy)
        assert_rows_agree(first, "pw-1")
        position, turn = 0, 0
        while position < len(rest):
            size = data.draw(st.integers(1, 4), label="batch")
            batch = rest[position:position + size]
            writer = (first, second)[turn % 2]
            turn += 1
            if size == 1 and data.draw(st.booleans(), label="apply"):
                writer.apply("pw-1", batch[0])
            else:
                writer.append("pw-1", batch, expected_version=writer.version("pw-1"))
            position += size
            assert_rows_agree(first, "pw-1")
        for _ in range(data.draw(st.integers(0, 3), label="corrections")):
            loaded, version = second.load("pw-1")
            correction = data.draw(corrections(loaded), label="correction")
            writer = (first, second)[turn % 2]
            turn += 1
            with contextlib.suppress(fc.Rejected):  # refused: nothing written
                writer.append("pw-1", [correction], expected_version=version)
            assert_rows_agree(first, "pw-1")
        assert first.load("pw-1")[0] == second.load("pw-1")[0]

    check()


def test_an_idempotent_resend_and_a_refusal_leave_the_document_alone(store: Store) -> None:
    store.create(referral())
    closing = ev.Closed(at=T0 + DAY, reason="declined", event_id="desk-1")
    store.append("pw-1", [closing], expected_version=1)
    written = _document(store)
    assert store.append("pw-1", [closing], expected_version=2) == 2  # re-sent: no-op
    with pytest.raises(fc.Rejected):
        store.append("pw-1", [ev.Withdrawn(at=T0 + DAY, reason="x")], expected_version=2)
    assert _document(store) == written
    assert_rows_agree(store, "pw-1")


def test_an_edited_document_is_refused_on_load(store: Store) -> None:
    j = reach(S.BLOCK_SCHEDULED)
    store.add(j.pw)
    document = json.loads(_document(store))
    # An edit that breaks no rule: the hash chain no longer matches.
    document["events"][0]["patient_id"] = "pt-9"
    _set_document(store, canonical(document))
    with pytest.raises(fc.SerializationError, match=r"'pw-1'.*chain"):
        store.load("pw-1")
    # An edit with the chain recomputed: the rules refuse it, as from_json does.
    document["events"][0]["patient_id"] = "pt-1"
    document["events"][1]["visit_at"] = "2020-01-01T00:00:00+00:00"
    document["chain"] = chain(canonical(document["policy"]), map(canonical, document["events"]))
    _set_document(store, canonical(document))
    with pytest.raises(fc.Rejected) as refused:
        store.load("pw-1")
    assert refused.value.codes == ("visit_in_past",) and refused.value.index == 1
    # A document shorter than the row's version (an old one put back): refused.
    version = len(j.pw.log)
    _set_document(store, fc.Pathway.replay(j.pw.log[:-1]).to_json())
    with pytest.raises(fc.SerializationError, match=f"version {version}"):
        store.load("pw-1")
    store._kept.clear()  # as for a writer that did not write last
    with pytest.raises(fc.SerializationError, match=f"version {version}"):
        store.append("pw-1", [ev.Withdrawn(at=j.now, reason="x")], expected_version=version)


def test_an_edited_event_row_is_found_by_verify(store: Store) -> None:
    j = reach(S.BLOCK_SCHEDULED)
    store.add(j.pw)
    assert store.verify("pw-1") == (j.pw, len(j.pw.log))
    e = schema.events.c
    with store.engine.begin() as conn:
        body = conn.execute(sa.select(e.body).where(e.seq == 1)).scalar_one()
        conn.execute(schema.events.update().where(e.seq == 1)
                     .values(body={**body, "visit_at": "2020-01-01T00:00:00+00:00"}))
    with pytest.raises(fc.Rejected) as refused:
        store.verify("pw-1")
    assert refused.value.codes == ("visit_in_past",) and refused.value.index == 1
    later = {**body, "visit_at": (j.visit_at + HOUR).isoformat()}  # breaks no rule
    with store.engine.begin() as conn:
        conn.execute(schema.events.update().where(e.seq == 1).values(body=later))
    with pytest.raises(fc.SerializationError, match="'pw-1' event 1: its digest"):
        store.verify("pw-1")
    with store.engine.begin() as conn:
        conn.execute(schema.events.update().where(e.seq == 1).values(body={"type": "Nope"}))
    with pytest.raises(fc.SerializationError, match="pw-1"):
        store.verify("pw-1")
    with pytest.raises(NotFound):
        store.verify("pw-9")
