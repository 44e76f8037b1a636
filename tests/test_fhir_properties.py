"""Properties of the FHIR mapping over generated journeys, under every shipped profile.

For any journey the real rules accept, the bundle of either release reads
back to the same pathway, in any entry order, and writing that pathway
again gives the same bytes. One property writes without validation to
cover many journeys cheaply; the other checks every resource with
fhir.resources and the value-set tables on fewer, as `to_bundle` and
`from_bundle` do by default.
"""

from __future__ import annotations

import contextlib
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare.fhir import from_bundle, to_bundle
from facetcare.testing import corrections, journeys
from journey import POLICIES, POLICY_IDS

RELEASES = ("R4B", "R5")


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_round_trip_for_every_journey(policy: fc.Policy) -> None:
    @settings(max_examples=60)
    @given(journey=journeys(policy), release=st.sampled_from(RELEASES), order=st.randoms())
    def round_trip(journey: tuple[fc.events.Event, ...], release: str,
                   order: random.Random) -> None:
        pw = fc.Pathway.replay(journey, policy=policy)
        bundle = to_bundle(pw, release=release, validate=False)  # type: ignore[arg-type]
        text = json.dumps(bundle)
        received = json.loads(text)
        order.shuffle(received["entry"])
        again = from_bundle(received, policy=policy, validate=False)
        assert again == pw
        assert json.dumps(to_bundle(again, release=release, validate=False)) == text  # type: ignore[arg-type]

    round_trip()


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
@pytest.mark.parametrize("release", RELEASES)
def test_validated_round_trip(policy: fc.Policy, release: str) -> None:
    @settings(max_examples=8)
    @given(journey=journeys(policy, max_steps=30))
    def round_trip(journey: tuple[fc.events.Event, ...]) -> None:
        pw = fc.Pathway.replay(journey, policy=policy)
        bundle = to_bundle(pw, release=release)  # type: ignore[arg-type]
        assert from_bundle(json.loads(json.dumps(bundle)), policy=policy) == pw

    round_trip()


_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**12), st.floats(),
                  st.text(max_size=12), st.just([]), st.just({}),
                  st.just("2026-03-02T09:00:00+00:00"), st.just({"reference": "Procedure/x"}))


def _paths(node: object, trail: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [trail] if trail else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*trail, index))
    return found


@pytest.fixture(scope="module")
def rich_bundle() -> dict[str, object]:
    from journey import S, reach

    return to_bundle(reach(S.RECURRENCE).pw)


def test_a_damaged_bundle_raises_only_pathway_errors(rich_bundle: dict[str, object]) -> None:
    """Any one value replaced or removed: a pathway, or a SerializationError / Rejected."""
    paths = _paths(rich_bundle)

    @settings(max_examples=80)
    @given(where=st.sampled_from(paths), junk=_JUNK, remove=st.booleans(),
           validate=st.booleans())
    def damaged(where: tuple[object, ...], junk: object, remove: bool, validate: bool) -> None:
        bundle = json.loads(json.dumps(rich_bundle))
        parent = bundle
        for step in where[:-1]:
            parent = parent[step]  # type: ignore[index]
        if remove:
            del parent[where[-1]]  # type: ignore[arg-type]
        else:
            parent[where[-1]] = junk  # type: ignore[index]
        with contextlib.suppress(fc.PathwayError):
            from_bundle(bundle, validate=validate)

    damaged()


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_round_trip_with_corrections(policy: fc.Policy) -> None:
    """Retractions, amendments and late entries the pathway accepts travel exactly."""

    @settings(max_examples=40)
    @given(journey=journeys(policy, max_steps=25), release=st.sampled_from(RELEASES),
           data=st.data())
    def round_trip(journey: tuple[fc.events.Event, ...], release: str,
                   data: st.DataObject) -> None:
        pw = fc.Pathway.replay(journey, policy=policy)
        for _ in range(data.draw(st.integers(0, 3), label="corrections")):
            with contextlib.suppress(fc.Rejected):
                pw.apply(data.draw(corrections(pw), label="correction"))
        bundle = to_bundle(pw, release=release, validate=False)  # type: ignore[arg-type]
        again = from_bundle(json.loads(json.dumps(bundle)), policy=policy, validate=False)
        assert again == pw
        assert json.dumps(to_bundle(again, release=release, validate=False)) == json.dumps(bundle)  # type: ignore[arg-type]

    round_trip()
