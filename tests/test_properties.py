"""The core's Hypothesis properties, for each policy profile.

(a) Any stream of events, valid or not, applied one by one raises nothing
    but `Rejected`, and a refused event changes nothing.
(b) Reading a pathway's document back, and replaying its events, give the
    same pathway (stage, events, document).
(c) `check()` agrees with `apply()`: same verdict, same reasons.
(d) The collections `Facts` shares between values (visits, procedure
    times, the positive-block series) give what the plain tuples and dicts
    they stand for would, old values included.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import events as ev
from facetcare._persistent import Appended, Registry
from facetcare._series import EMPTY_SERIES, Nerve, PositiveBlock, Series
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


# -- (d) shared collections ----------------------------------------------------------------

#: Operations on a value drawn from the values made so far: old ones are added to as well.
_STEPS = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 12), st.integers(0, 3)),
                  max_size=60)


@given(steps=_STEPS)
def test_a_registry_is_the_dict_it_stands_for(steps: list[tuple[int, int, int]]) -> None:
    made: list[tuple[Registry[int, int], dict[int, int]]] = [(Registry(), {})]
    for pick, key, value in steps:
        registry, plain = made[pick % len(made)]
        made.append((registry.added(key, value), {**plain, key: value}))
    for registry, plain in made:
        assert registry == plain and list(registry.items()) == list(plain.items())
        assert len(registry) == len(plain)
        for key in range(13):
            assert (key in registry) == (key in plain)
            assert registry.get(key, -1) == plain.get(key, -1)


@given(steps=_STEPS)
def test_an_appended_sequence_is_the_tuple_it_stands_for(
        steps: list[tuple[int, int, int]]) -> None:
    made: list[tuple[Appended[int], tuple[int, ...]]] = [(Appended(), ())]
    for pick, item, more in steps:
        appended, plain = made[pick % len(made)]
        items = (item,) * more
        made.append((appended.appended(*items), plain + items))
    for appended, plain in made:
        assert appended == plain and tuple(appended) == plain and len(appended) == len(plain)
        assert [appended[i] for i in range(-len(plain), len(plain))] == [*plain, *plain]
        assert appended[1:-1] == plain[1:-1]
        with pytest.raises(IndexError):
            appended[len(plain)]
    in_order: Appended[int] = Appended()
    for _, item, _ in sorted(steps, key=lambda step: step[1]):
        in_order = in_order.appended(item)
    for value in range(-1, 14):
        assert in_order.count_at_most(value) == bisect_right(tuple(in_order), value)


_NERVES: list[Nerve] = [(f"N{i}", side) for i in range(4) for side in fc.Side]
_SOME = st.frozensets(st.sampled_from(_NERVES), min_size=1, max_size=4)


def _without(series: tuple[PositiveBlock, ...], nerves: frozenset[Nerve]
             ) -> tuple[PositiveBlock, ...]:
    """docs/rules.md#positive-block-series, block by block."""
    kept = []
    for block in series:
        left = block.nerves - nerves
        if left:
            kept.append(block if left == block.nerves else
                        PositiveBlock(block.at, left, block.baseline))
    return tuple(kept)


@given(steps=st.lists(st.tuples(st.integers(0, 10**6), st.booleans(), _SOME), max_size=60))
def test_the_series_is_the_tuple_of_blocks_it_stands_for(
        steps: list[tuple[int, bool, frozenset[Nerve]]]) -> None:
    at = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    made: list[tuple[Series, tuple[PositiveBlock, ...]]] = [(EMPTY_SERIES, ())]
    for number, (pick, positive, nerves) in enumerate(steps):
        series, plain = made[pick % len(made)]
        if positive:
            block = PositiveBlock(at, nerves, number)
            made.append((series.with_block(block), (*plain, block)))
        else:
            made.append((series.without(nerves), _without(plain, nerves)))
    for series, plain in made:
        assert series == plain and tuple(series) == plain and len(series) == len(plain)
        for required in (1, 2, 3):
            counts = {n: sum(n in b.nerves for b in plain) for n in _NERVES}
            assert series.confirmed(required) == (frozenset() if len(plain) < required else
                                                  frozenset(n for n, c in counts.items()
                                                            if c >= required))
        for nerves in ({_NERVES[0]}, {_NERVES[1], _NERVES[5]}, set(_NERVES)):
            confirming = [b for b in plain if b.nerves & nerves]
            assert series.latest_baseline(frozenset(nerves)) == (
                confirming[-1].baseline if confirming else None)
