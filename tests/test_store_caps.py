"""Caps across a patient's pathways: a re-referral counts what the store already holds.

Medicare L38803 allows 4 diagnostic blocks per rolling 12 months. Closing a
pathway after 4 blocks and referring again must not reset the count.
"""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy")

import facetcare as fc
from facetcare import events as ev
from facetcare.store import Store
from journey import DAY, MEDICARE, Journey, referral


def four_blocks_then_closed(store: Store) -> Journey:
    j = Journey(MEDICARE)
    for _ in range(4):
        j.block(positive=False)
    j.go(ev.Closed(at=j.now + DAY, reason="no relief from blocks"))
    first, *rest = j.pw.events
    assert isinstance(first, ev.Referred)
    store.create(first, policy=MEDICARE)
    store.append("pw-1", rest, expected_version=1)
    return j


def test_a_fifth_block_within_twelve_months_is_refused_after_re_referral(store: Store) -> None:
    old = four_blocks_then_closed(store)
    again = referral(old.now + DAY, pathway_id="pw-2")
    pw = store.create(again, policy=MEDICARE)
    blocks = [e for e in old.pw.events if isinstance(e, ev.BlockPerformed)]
    assert [(p.procedure, p.at, p.pathway_id) for p in pw.events[0].prior_procedures] == [
        ("block", b.at, "pw-1") for b in blocks]
    booking = ev.BlockScheduled(at=again.at, visit_id="block-5", visit_at=again.at + 14 * DAY,
                                targets=blocks[0].targets, escort_confirmed=True)
    assert booking.visit_at < blocks[0].at + 365 * DAY
    with pytest.raises(fc.Rejected) as refused:
        store.apply("pw-2", booking)
    assert "annual_limit" in refused.value.codes
    # Without the store's knowledge the same booking would have been accepted.
    assert fc.Pathway.start(again, policy=MEDICARE).check(booking).allowed
    assert [p.pathway_id for p in store.pathways(patient_id="pt-1")] == ["pw-1", "pw-2"]
    # The filled referral is what is stored: a reload judges the same way.
    assert not store.load("pw-2")[0].check(booking).allowed


def test_other_regions_and_other_patients_do_not_count(store: Store) -> None:
    old = four_blocks_then_closed(store)
    at = old.now + DAY
    cervical = store.create(referral(at, pathway_id="pw-2", region=fc.Region.CERVICAL),
                            policy=MEDICARE)
    someone = store.create(referral(at, pathway_id="pw-3", patient_id="pt-2"), policy=MEDICARE)
    assert cervical.events[0].prior_procedures == () == someone.events[0].prior_procedures


def test_only_procedures_before_the_referral_count(store: Store) -> None:
    j = Journey(MEDICARE)
    j.block(positive=False)
    first, *rest = j.pw.events
    store.create(first, policy=MEDICARE)
    store.append("pw-1", rest, expected_version=1)
    performed = next(e for e in j.pw.events if isinstance(e, ev.BlockPerformed))
    before = store.create(referral(performed.at - DAY, pathway_id="pw-2"), policy=MEDICARE)
    assert before.events[0].prior_procedures == ()
    after = store.create(referral(performed.at, pathway_id="pw-3"), policy=MEDICARE)
    assert [p.at for p in after.events[0].prior_procedures] == [performed.at]
