"""The core's Hypothesis properties, for each policy profile.

(a) Any stream of events, valid or not, applied one by one raises nothing
    but `Rejected`, and a refused event changes nothing.
(b) Reading a pathway's document back, and replaying its events, give the
    same pathway (stage, events, document).
(c) `check()` agrees with `apply()`: same verdict, same reasons.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import events as ev
from facetcare.testing import events, journeys, near_misses, next_events

PROFILES = [fc.Policy.seed(), fc.Policy.medicare_l38803(), fc.Policy.consensus_2020()]
by_name = pytest.mark.parametrize("policy", PROFILES, ids=lambda p: p.name)


def _state(pathway: fc.Pathway) -> tuple[object, ...]:
    stage = pathway.stage if pathway.events else None
    return stage, pathway.events, pathway.to_json(), pathway.allowed_events()


def _any_event(pathway: fc.Pathway) -> st.SearchStrategy[ev.Event]:
    """Arbitrary events, near misses and, while the pathway is open, valid steps."""
    choices = [events(), near_misses(pathway)]
    if not (pathway.events and pathway.stage.is_final):
        choices.append(next_events(pathway))
    return st.one_of(choices)


@by_name
@settings(max_examples=30)
@given(data=st.data())
def test_any_event_stream_raises_only_rejected_and_refusals_change_nothing(
    policy: fc.Policy, data: st.DataObject
) -> None:
    pathway = fc.Pathway(policy=policy)
    for _ in range(data.draw(st.integers(0, 25), label="steps")):
        event = data.draw(_any_event(pathway), label="event")
        before = _state(pathway)
        try:
            pathway.apply(event)
        except fc.Rejected as refused:
            assert refused.reasons, "a refusal must say why"
            assert _state(pathway) == before


@by_name
@settings(max_examples=40)
@given(stream=st.lists(events(), max_size=12))
def test_arbitrary_events_alone_raise_only_rejected(
    policy: fc.Policy, stream: list[ev.Event]
) -> None:
    pathway = fc.Pathway(policy=policy)
    for event in stream:
        before = _state(pathway)
        try:
            pathway.apply(event)
        except fc.Rejected:
            assert _state(pathway) == before


@by_name
@settings(max_examples=30)
@given(data=st.data())
def test_document_and_replay_give_the_same_pathway(
    policy: fc.Policy, data: st.DataObject
) -> None:
    journey = data.draw(journeys(policy), label="journey")
    pathway = fc.Pathway.replay(journey, policy=policy)
    assert pathway.events == journey
    text = pathway.to_json()
    back = fc.Pathway.from_json(text)
    again = fc.Pathway.replay(pathway.events, policy=policy)
    for other in (back, again):
        assert other == pathway
        assert other.stage == pathway.stage
        assert other.events == pathway.events
        assert other.to_json() == text


@by_name
@settings(max_examples=30)
@given(data=st.data())
def test_check_agrees_with_apply(policy: fc.Policy, data: st.DataObject) -> None:
    journey = data.draw(journeys(policy, max_steps=30), label="journey")
    pathway = fc.Pathway.replay(journey, policy=policy)
    for _ in range(data.draw(st.integers(1, 6), label="attempts")):
        event = data.draw(_any_event(pathway), label="event")
        verdict = pathway.check(event)
        try:
            stage = pathway.apply(event)
        except fc.Rejected as refused:
            assert not verdict.allowed
            assert refused.reasons == verdict.reasons
            assert refused.event is event
        else:
            assert verdict.allowed, verdict.codes
            assert stage == pathway.stage
            assert pathway.events[-1] is event
