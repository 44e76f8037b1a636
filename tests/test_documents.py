"""The pathway document: exact round trips, a stable shape, strict reading."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import facetcare as fc
import facetcare.testing as fct
from facetcare import documents
from facetcare import events as ev
from facetcare.documents import _values, codec, event_codec, policies
from facetcare.documents.signing import chain
from journey import DAY, HOUR, L45, MEDICARE, MINUTE, POLICIES, POLICY_IDS, SEED, S, reach

# Every stage, plus the visit stages booked from each stage they can be booked from.
WALKS: list[tuple[fc.Stage, fc.Stage | None]] = [(stage, None) for stage in fc.Stage] + [
    (visit, origin)
    for visit in (S.BLOCK_SCHEDULED, S.BLOCK_VISIT)
    for origin in (S.BLOCK_NEGATIVE, S.RECURRENCE, S.NO_RELIEF)
] + [(visit, S.RECURRENCE) for visit in (S.NEUROTOMY_SCHEDULED, S.NEUROTOMY_VISIT)]


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
@pytest.mark.parametrize(
    ("stage", "origin"), WALKS, ids=[f"{s.value}" + (f"<-{o.value}" if o else "")
                                     for s, o in WALKS]
)
def test_round_trip_at_every_stage(
    stage: fc.Stage, origin: fc.Stage | None, policy: fc.Policy
) -> None:
    pw = reach(stage, policy, origin=origin).pw
    text = pw.to_json()
    back = fc.Pathway.from_json(text)
    assert back == pw
    assert back.to_json() == text
    assert back.stage == pw.stage == stage
    assert back.policy == policy
    assert back.events == pw.events
    assert back.due(pw.events[-1].at) == pw.due(pw.events[-1].at)
    assert fc.Pathway.from_dict(pw.to_dict()) == pw
    assert fc.Pathway.from_json(text.encode()) == pw


def test_round_trip_keeps_instants_and_floats() -> None:
    plus_one = dt.timezone(dt.timedelta(hours=1))
    j = reach(S.NEUROTOMY_VISIT)
    assert j.visit_id is not None
    j.go(ev.NeurotomyPerformed(at=(j.now + 10 * MINUTE).astimezone(plus_one),
                               visit_id=j.visit_id,
                               lesions=[fc.Lesion(L45[0], 75.5, 82.25), fc.Lesion(L45[0], 60)]))
    text = j.pw.to_json()
    assert "+01:00" not in text  # one text per instant: UTC, "Z"
    back = fc.Pathway.from_json(text)
    assert back == j.pw and back.to_json() == text
    lesions = back.events[-1].lesions  # type: ignore[attr-defined]
    assert (lesions[0].seconds, lesions[0].temperature_c, lesions[1].temperature_c) == (
        75.5, 82.25, None)
    assert back.events[-1].at == j.pw.events[-1].at
    assert back.events[-1].at.utcoffset() == dt.timedelta(0)


def test_document_shape() -> None:
    pw = reach(S.BLOCK_SCHEDULED, MEDICARE).pw
    text = pw.to_json()
    assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    document = json.loads(text)
    assert list(document) == ["schema", "policy", "events", "chain"]
    assert document["schema"] == "facetcare/pathway@2"
    assert document["policy"]["name"] == MEDICARE.name
    assert document["policy"]["relief_threshold"] == "4/5"
    assert document["policy"]["reblock_after"] == 730 * 24 * 3600 * 10**6  # microseconds
    assert document["policy"]["version"] == 2
    referred, booked = document["events"]
    assert list(referred)[:2] == ["type", "at"]
    assert referred["type"] == "Referred" and referred["region"] == "lumbar"
    assert list(booked) == ["type", "at", "visit_id", "visit_at", "targets", "escort_confirmed"]
    assert booked["at"].endswith("Z")
    assert booked["targets"] == [{"joint": "L4-L5", "side": "left"}]


def test_equal_pathways_give_identical_bytes() -> None:
    a, b = reach(S.FOLLOW_UP).pw, reach(S.FOLLOW_UP).pw
    assert a == b and a is not b
    assert a.to_json() == b.to_json()
    assert a != reach(S.FOLLOW_UP, MEDICARE).pw
    assert a != reach(S.NEUROTOMY_RECOVERY).pw


def test_replay_rebuilds_an_equal_pathway() -> None:
    pw = reach(S.RECURRENCE, MEDICARE).pw
    again = fc.Pathway.replay(pw.events, policy=MEDICARE)
    assert again == pw and again.stage == S.RECURRENCE
    assert fc.Pathway.replay(pw.events, policy=SEED) != pw  # a different policy


# -- refused documents ------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], object]


def forged(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with its hash chain recomputed, as a forger without a key would.

    The rules must still refuse what the chain no longer can.
    """
    with contextlib.suppress(ValueError):  # NaN: not JSON, refused before any chain
        document["chain"] = chain(documents.canonical(document["policy"]),
                                  map(documents.canonical, document["events"]))
    return document


def _doc() -> dict[str, Any]:
    """Referred, BlockScheduled, CheckedIn, BlockPerformed, Discharged."""
    document = reach(S.RELIEF_ASSESSMENT).pw.to_dict()
    assert [e["type"] for e in document["events"]][3] == "BlockPerformed"
    return document


def _set(path: tuple[Any, ...], value: object) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _drop(path: tuple[Any, ...]) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        node = document
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


BAD_DOCUMENTS: dict[str, tuple[Mutation, str]] = {
    "newer schema": (_set(("schema",), "facetcare/pathway@3"), "newer"),
    "other schema": (_set(("schema",), "othercare/pathway@1"), "schema"),
    "no schema": (_drop(("schema",)), "schema"),
    "no policy": (_drop(("policy",)), "policy"),
    "policy field missing": (_drop(("policy", "relief_threshold")), "relief_threshold"),
    "policy extra key": (_set(("policy", "colour"), "blue"), "colour"),
    "top-level extra key": (_set(("note",), "hi"), "note"),
    "event extra key": (_set(("events", 1, "room"), "3"), "room"),
    "string for an int": (_set(("events", 3, "baseline_pain"), "8"), "events[3].baseline_pain"),
    "string for an int says so": (_set(("events", 3, "baseline_pain"), "8"), "got str '8'"),
    "string for a policy int": (_set(("policy", "blocks_required"), "1"), "blocks_required"),
    "bool for an int": (_set(("events", 3, "baseline_pain"), True), "got a boolean"),
    "float threshold": (_set(("policy", "relief_threshold"), 0.5), "relief_threshold"),
    "naive time": (_set(("events", 2, "at"), "2026-03-16T09:00:00"), "no UTC offset"),
    "naive time place": (_set(("events", 2, "at"), "2026-03-16T09:00:00"), "events[2].at"),
    "garbage time": (_set(("events", 2, "at"), "yesterday"), "events[2].at"),
    "unknown event type": (_set(("events", 1, "type"), "BlockRescheduled"), "BlockRescheduled"),
    "missing event type": (_drop(("events", 1, "type")), "type"),
    "event field missing": (_drop(("events", 1, "visit_id")), "visit_id"),
    "unknown joint": (_set(("events", 1, "targets", 0, "joint"), "L6-S1"), "L6-S1"),
    "unknown region": (_set(("events", 0, "region"), "sacral"), "region"),
    "event not an object": (_set(("events", 1), ["BlockScheduled"]), "events[1]"),
    "events not a list": (_set(("events",), {"0": {}}), "events"),
    "empty events": (_set(("events",), []), "events"),
    "policy not an object": (_set(("policy",), "seed"), "policy"),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_bad_documents_are_serialization_errors(case: str) -> None:
    mutate, mention = BAD_DOCUMENTS[case]
    document = _doc()
    mutate(document)
    for read in (lambda: fc.Pathway.from_dict(copy.deepcopy(document)),
                 lambda: fc.Pathway.from_json(json.dumps(document))):
        with pytest.raises(fc.SerializationError) as raised:
            read()
        assert isinstance(raised.value, fc.PathwayError)
        assert isinstance(raised.value, ValueError)
        assert mention in str(raised.value), str(raised.value)


@pytest.mark.parametrize(
    "text",
    ["", "{", "not json", "[]", '"pathway"', "null", "{'schema': 1}", b"\xff\xfe"],
)
def test_malformed_json(text: str | bytes) -> None:
    with pytest.raises(fc.SerializationError):
        fc.Pathway.from_json(text)


def test_truncated_documents() -> None:
    text = reach(S.FOLLOW_UP).pw.to_json()
    for cut in (1, len(text) // 3, len(text) // 2, len(text) - 1):
        with pytest.raises(fc.SerializationError, match="JSON"):
            fc.Pathway.from_json(text[:cut])


def test_not_text_at_all() -> None:
    with pytest.raises(fc.SerializationError):
        fc.Pathway.from_json(42)  # type: ignore[arg-type]
    with pytest.raises(fc.SerializationError):
        fc.Pathway.from_dict(["schema"])


def test_a_document_must_start_with_a_referral() -> None:
    document = _doc()
    document["events"] = document["events"][1:]
    with pytest.raises(fc.SerializationError, match="chain"):
        fc.Pathway.from_dict(copy.deepcopy(document))
    with pytest.raises(fc.Rejected) as refused:
        fc.Pathway.from_dict(forged(document))
    assert refused.value.codes == ("invalid_transition",)
    assert refused.value.index == 0
    assert isinstance(refused.value.event, ev.BlockScheduled)
    assert isinstance(refused.value, fc.PathwayError)


def test_a_tampered_diary_is_refused_at_its_index() -> None:
    j = reach(S.RELIEF_ASSESSMENT)
    assert j.block_at is not None
    seven_hours = (j.block_at + 7 * HOUR).isoformat()
    j.diary((2 * HOUR, 1))
    document = j.pw.to_dict()
    index = len(document["events"]) - 1
    diary = document["events"][index]
    assert diary["type"] == "ReliefDiaryRecorded"
    diary["entries"][0]["at"] = seven_hours
    diary["at"] = seven_hours
    with pytest.raises(fc.SerializationError, match="chain"):
        fc.Pathway.from_json(json.dumps(document))
    with pytest.raises(fc.Rejected) as refused:
        fc.Pathway.from_json(json.dumps(forged(document)))
    assert refused.value.index == index
    assert refused.value.codes == ("outside_relief_window",)
    assert "7 h" in refused.value.reasons[0].message
    assert f"event {index}" in str(refused.value)


def test_tampered_order_and_policy() -> None:
    pw = reach(S.FOLLOW_UP).pw
    document = pw.to_dict()
    # The neurotomy's time moved before its check-in.
    performed = next(i for i, e in enumerate(pw.events) if isinstance(e, ev.NeurotomyPerformed))
    document["events"][performed]["at"] = (pw.events[performed - 1].at - DAY).isoformat()
    with pytest.raises(fc.Rejected) as refused:
        fc.Pathway.from_dict(forged(document))
    assert refused.value.index == performed
    assert "out_of_order" in refused.value.codes
    # A journey valid under the seed is not valid under Medicare (two blocks needed).
    document = pw.to_dict()
    document["policy"] = fc.Pathway.start(pw.events[0], policy=MEDICARE).to_dict()["policy"]
    with pytest.raises(fc.Rejected) as refused:
        fc.Pathway.from_dict(forged(document))
    assert refused.value.codes[0] == "no_positive_block"


def test_replay_errors() -> None:
    with pytest.raises(fc.Rejected) as refused:
        fc.Pathway.replay([])
    assert refused.value.codes == ("invalid_transition",) and refused.value.index == 0
    events = reach(S.BLOCK_OBSERVATION).pw.events
    with pytest.raises(fc.Rejected) as refused:
        fc.Pathway.replay(events[1:])
    assert refused.value.index == 0 and refused.value.event is events[1]
    with pytest.raises(fc.Rejected) as refused:
        fc.Pathway.replay(events + events[-1:])
    assert refused.value.index == len(events)
    assert refused.value.codes == ("invalid_transition",)


def test_errors_are_never_bare_lookups() -> None:
    """Spot checks: no KeyError, TypeError or AttributeError escapes a bad document."""
    document = _doc()
    cases: list[object] = [
        {**document, "events": [None]},
        {**document, "events": [{"type": 7}]},
        {**document, "policy": {**document["policy"], "block_observation": None}},
        {**document, "policy": {**document["policy"], "block_observation": "1h"}},
        {**document, "policy": {**document["policy"], "block_observation": 1e300}},
        {**document, "policy": {**document["policy"], "relief_threshold": "3/0"}},
        {**document, "policy": {**document["policy"], "relief_window_min": 10**9}},
        {**document, "schema": None},
        {**document, "schema": "facetcare/pathway@x"},
        {**document, "schema": "facetcare/pathway@0"},
    ]
    for case in cases:
        with pytest.raises(fc.PathwayError):
            fc.Pathway.from_dict(case)


def test_serialization_error_is_a_value_error() -> None:
    assert issubclass(fc.SerializationError, ValueError)
    assert issubclass(fc.SerializationError, fc.PathwayError)
    assert issubclass(fc.Rejected, fc.PathwayError)
    assert not issubclass(fc.Rejected, ValueError)


# -- the fast reader agrees with the detailed one -----------------------------------------
#
# Documents as `to_json` writes them are read by a lean reader; anything else is
# read again by the detailed one, which decides and words the error. These tests
# hold the two together: the fast reader takes every document facetcare writes,
# whatever it takes the detailed reader takes and builds equal, and with or
# without the fast paths every document reads the same or fails with the same words.

ROOT: tuple[object, ...] = ()
#: Replacement values: every JSON type, near misses of real values, zeros of both signs.
SWAPS: list[object] = [
    "8", 8, 0, -1, 11, 10**30, 8.0, 90.5, 0.0, -0.0, True, False, None, "", " ", "x",
    "left", "right", "lumbar", "sacral", "L4-L5", "l4\u2013l5", "L6-S1", "4/5", "1/0",
    "2026-03-09T10:00:00+00:00", "2026-03-09T12:00:00+02:00", "2026-03-09T10:00:00",
    "Referred", "BlockScheduled", [], {}, [{}], ["L4-L5"],
    {"joint": "L4-L5", "side": "left"}, [{"joint": "L4-L5", "side": "left"}],
    ({"joint": "L4-L5", "side": "left"},), [{"joint": "L4-L5", "side": "left", "x": 1}],
]
NEW_KEYS: list[object] = ["room", "type", "at", "joint", "side", "score", "targets",
                          "name", "schema", "events", 1]


def _nodes(node: object, path: tuple[object, ...] = ROOT) -> list[tuple[object, ...]]:
    """Every path into a JSON-like value, the root included."""
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _nodes(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _nodes(value, (*path, index))
    return found


def _mutated(data: st.DataObject, original: object) -> object:
    """``original`` with one to three changes: a key dropped or added, a value swapped."""
    node = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        path = data.draw(st.sampled_from(_nodes(node)), label="path")
        target = node
        for key in path:
            target = target[key]  # type: ignore[index]
        action = data.draw(st.sampled_from(["drop", "add", "swap"]), label="action")
        value = copy.deepcopy(data.draw(st.sampled_from(SWAPS), label="value"))
        if action == "add" and isinstance(target, dict):
            target[data.draw(st.sampled_from(NEW_KEYS), label="key")] = value
        elif action == "drop" and path:
            parent = node
            for key in path[:-1]:
                parent = parent[key]  # type: ignore[index]
            del parent[path[-1]]  # type: ignore[attr-defined]
        else:
            if not path:
                node = value
                continue
            parent = node
            for key in path[:-1]:
                parent = parent[key]  # type: ignore[index]
            parent[path[-1]] = value  # type: ignore[index]
    return node


def _outcome(read: Callable[[], object]) -> tuple[object, ...]:
    """What reading gave: the value (as its repr and document) or the error and its words."""
    try:
        value = read()
    except fc.Rejected as refused:
        return ("Rejected", refused.codes, refused.index, str(refused))
    except Exception as error:
        return (type(error).__name__, str(error))
    if isinstance(value, fc.Pathway):
        return ("read", value.to_json(), repr(value.events), repr(value.policy))
    return ("read", repr(value))


@contextmanager
def _detailed_only() -> Iterator[None]:
    """The reader without its fast paths: every event and policy through the detailed one."""
    def refuse(data: object) -> ev.Event:
        raise TypeError("no fast path")

    with mock.patch.object(event_codec, "fast_event", refuse), \
            mock.patch.object(codec, "_fast", lambda text, key: None):
        yield


@settings(max_examples=150)
@given(event=fct.events())
def test_the_fast_reader_takes_every_event_facetcare_writes(event: ev.Event) -> None:
    written = documents.dump_event(event)
    assert event_codec.fast_event(written) == event
    assert event_codec.fast_event(json.loads(json.dumps(written))) == event
    pairs = json.loads(documents.canonical(written), object_pairs_hook=tuple)
    assert event_codec.fast_event(pairs) == event


def test_the_fast_reader_takes_every_document_facetcare_writes() -> None:
    def refuse(data: object, where: str) -> ev.Event:
        raise AssertionError(f"{where} was read by the detailed reader")

    with mock.patch.object(event_codec, "read_event", refuse):
        for stage, origin in WALKS:
            for policy in POLICIES:
                pw = reach(stage, policy, origin=origin).pw
                assert codec._fast(pw.to_json(), None) is not None
                assert fc.Pathway.from_json(pw.to_json()) == pw
                assert fc.Pathway.from_dict(pw.to_dict()) == pw


@settings(max_examples=400)
@given(event=fct.events(), data=st.data())
def test_fast_and_detailed_event_readers_agree(event: ev.Event, data: st.DataObject) -> None:
    item = _mutated(data, json.loads(json.dumps(documents.dump_event(event))))
    detailed = _outcome(lambda: event_codec.read_event(copy.deepcopy(item), "$.events[3]"))
    try:
        fast: object = event_codec.fast_event(copy.deepcopy(item))
    except Exception:
        pass  # refused: the detailed reader decides
    else:
        assert detailed == ("read", repr(fast)), "the fast reader took what the detailed refused"
        assert event_codec.read_event(copy.deepcopy(item), "$") == fast
    assert _outcome(lambda: documents.load_event(copy.deepcopy(item), "$.events[3]")) == detailed


BASE_DOCUMENTS = [
    json.loads(reach(stage, policy).pw.to_json())
    for stage in (S.RECURRENCE, S.CLOSED)
    for policy in POLICIES
] + [json.loads(reach(S.BLOCK_SCHEDULED, SEED, origin=S.RECURRENCE).pw.to_json())]


@settings(max_examples=300)
@given(original=st.sampled_from(BASE_DOCUMENTS), data=st.data())
def test_documents_read_the_same_with_and_without_the_fast_paths(
    original: dict[str, Any], data: st.DataObject
) -> None:
    document = _mutated(data, original)
    got = _outcome(lambda: fc.Pathway.from_dict(copy.deepcopy(document)))
    with _detailed_only():
        assert _outcome(lambda: fc.Pathway.from_dict(copy.deepcopy(document))) == got


# -- the fast reader takes only facetcare's own text ---------------------------------------
#
# The fast reader checks the text it skips: past the chain only ``}``, or a
# signature exactly as `to_json(key=...)` writes it, then ``}``. Anything else
# is read by the detailed reader, which refuses a key given twice or unknown,
# so `json.loads` (which takes the last of two) never sees another document.

KEY = b"clinic secret"
SIGNED = reach(S.BLOCK_POSITIVE).pw.to_json(key=KEY)
UNSIGNED = reach(S.BLOCK_POSITIVE).pw.to_json()


def _read_both_ways(text: str, key: bytes | None = None) -> tuple[object, ...]:
    """What `from_json` gives, which must be what the detailed reader alone gives."""
    got = _outcome(lambda: fc.Pathway.from_json(text, key=key))
    with _detailed_only():
        assert _outcome(lambda: fc.Pathway.from_json(text, key=key)) == got
    return got


def test_a_signature_cannot_carry_more_keys_after_it() -> None:
    bad = UNSIGNED[:-1] + ',"signature":"x","events":[],"schema":"facetcare/pathway@9","evil":"y"}'
    assert json.loads(bad)["events"] == []
    got = _read_both_ways(bad)
    assert got[0] == "SerializationError" and "given twice" in str(got[1])
    assert codec._fast(bad, None) is None


@pytest.mark.parametrize(("text", "name"), [
    *(pytest.param(SIGNED, name, id=f"signed-{name}")
      for name in ("schema", "policy", "events", "chain", "signature")),
    *(pytest.param(UNSIGNED, name, id=f"unsigned-{name}")
      for name in ("schema", "policy", "events", "chain"))])
def test_every_top_level_key_given_twice_is_refused(text: str, name: str) -> None:
    again = json.dumps(json.loads(text)[name], separators=(",", ":"), ensure_ascii=False)
    for twice in (text[:-1] + f',"{name}":{again}}}',
                  text.replace('"schema":', f'"{name}":{again},"schema":', 1)):
        got = _read_both_ways(twice)
        assert got[0] == "SerializationError", (name, got)
        assert codec._fast(twice, None) is None


@pytest.mark.parametrize("junk", ["x", "}", "{}", ",", '"', "\u0000", "[]", " 1", "\n}"])
@pytest.mark.parametrize("text", [SIGNED, UNSIGNED], ids=["signed", "unsigned"])
def test_trailing_junk_is_refused(text: str, junk: str) -> None:
    for bad in (text + junk, text[:-1] + junk + "}", text[:-2] + junk + '"}'):
        assert codec._fast(bad, None) is None
        assert _read_both_ways(bad)[0] == "SerializationError", repr(bad[-90:])


@pytest.mark.parametrize("text", [SIGNED, UNSIGNED], ids=["signed", "unsigned"])
def test_whitespace_after_the_document_reads_as_json_reads_it(text: str) -> None:
    assert _read_both_ways(text + " \n")[0] == "read"
    assert _read_both_ways(text, key=KEY if text is SIGNED else None)[0] == "read"


@pytest.mark.parametrize("signature", ["", "x", "hmac-sha256:", "hmac-sha256:" + "0" * 63,
                                       "hmac-sha256:" + "A" * 64, "HMAC-SHA256:" + "0" * 64,
                                       "hmac-sha256:" + "0" * 64 + " "])
def test_a_signature_not_in_the_form_written_is_refused(signature: str) -> None:
    bad = UNSIGNED[:-1] + f',"signature":"{signature}"}}'
    got = _read_both_ways(bad)
    assert got[0] == "SerializationError" and "$.signature" in str(got[1])


def test_a_time_longer_than_the_detailed_reader_takes_is_not_read_fast() -> None:
    long = "2026-03-02T09:00:00." + "0" * 30 + "Z"
    assert dt.datetime.fromisoformat(long)  # Python's reader takes any fraction
    document = _doc()
    document["events"][1]["at"] = long
    text = json.dumps(forged(document), separators=(",", ":"), ensure_ascii=False)
    assert codec._fast(text, None) is None
    got = _read_both_ways(text)
    assert got[0] == "SerializationError" and "$.events[1].at" in str(got[1])


#: What a mutation near the end puts in: JSON's own characters and pieces of the tail.
_TAIL_PIECES = st.sampled_from([
    '"', "}", "{", ",", ":", "[", "]", " ", "\\", "0", "a", "f", "x", "null", '"x"',
    ',"signature":"', "hmac-sha256:", "0" * 64, ',"chain":"', ',"events":[]', ',"evil":1',
    '"schema":"facetcare/pathway@2"', "\u0022", "\u007d"])


@settings(max_examples=300)
@given(signed=st.booleans(), with_key=st.booleans(), data=st.data())
def test_mutations_near_the_end_read_as_the_detailed_reader_reads_them(
    signed: bool, with_key: bool, data: st.DataObject
) -> None:
    text = SIGNED if signed else UNSIGNED
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        at = data.draw(st.integers(max(0, len(text) - 160), len(text)), label="at")
        cut = data.draw(st.integers(0, 8), label="removed")
        text = text[:at] + data.draw(_TAIL_PIECES, label="inserted") + text[at + cut:]
    _read_both_ways(text, key=KEY if with_key else None)


@pytest.mark.parametrize("targets", ["L4-L5", "", {"joint": "L4-L5", "side": "left"}, {}, 7])
def test_targets_must_be_a_list(targets: object) -> None:
    document = _doc()
    document["events"][1]["targets"] = targets
    with pytest.raises(fc.SerializationError) as raised:
        fc.Pathway.from_dict(copy.deepcopy(document))
    with _detailed_only(), pytest.raises(fc.SerializationError) as detailed:
        fc.Pathway.from_dict(copy.deepcopy(document))
    assert str(raised.value) == str(detailed.value)
    assert "events[1]" in str(raised.value)


def test_what_the_fast_reader_leaves_is_still_read() -> None:
    """Defaulted fields left out, tuples for lists, enum members: the detailed reader's."""
    pw = reach(S.BLOCK_OBSERVATION).pw
    document = pw.to_dict()
    referral = document["events"][0]
    del referral["pain_months"], referral["conservative_care_failed"]
    document["events"][1]["targets"] = tuple(document["events"][1]["targets"])
    back = fc.Pathway.from_dict(forged(document))
    assert back.events[1:] == pw.events[1:]
    assert back.events[0] == attrs.evolve(
        pw.events[0], pain_months=None, conservative_care_failed=None)


# -- the policy cache ---------------------------------------------------------------------

def _with_policy(**fields: object) -> str:
    """A document under a clinic's own policy (version null), its chain made to match."""
    document = reach(S.REFERRED).pw.to_dict()
    document["policy"].update({"name": "clinic", "version": None, **fields})
    return json.dumps(forged(document), separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize(
    ("value", "written"),
    [(60, "60"), (60.0, "60"), (60.5, "60.5"), (0, "0"), (0.0, "0"), (-0.0, "0"),
     (None, "null")], ids=repr
)
def test_equal_policy_numbers_have_one_form(value: object, written: str) -> None:
    """``60`` and ``60.0``, ``0.0`` and ``-0.0``: one value, one text, whatever came first."""
    for first in (60, 60.0, 0, 0.0, -0.0):  # whatever was read before
        fc.Pathway.from_json(_with_policy(lesion_min_seconds=first))
        back = fc.Pathway.from_json(_with_policy(lesion_min_seconds=value))
        assert f'"lesion_min_seconds":{written},' in back.to_json()
        assert fc.Pathway.from_json(back.to_json()) == back


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e300, -1.0], ids=repr)
def test_a_policy_number_must_be_finite_and_in_range(value: float) -> None:
    with pytest.raises(fc.SerializationError, match="lesion_min_seconds"):
        fc.Pathway.from_json(_with_policy(lesion_min_seconds=value))


@pytest.mark.parametrize("value", [True, 1.0, "1", [1], {"n": 1}])
def test_a_cached_policy_never_answers_for_another_type(value: object) -> None:
    fc.Pathway.from_json(_with_policy(blocks_required=1))  # cached
    text = _with_policy(blocks_required=value)
    with pytest.raises(fc.SerializationError) as raised:
        fc.Pathway.from_json(text)
    with _detailed_only(), pytest.raises(fc.SerializationError) as detailed:
        fc.Pathway.from_json(text)
    assert str(raised.value) == str(detailed.value)
    assert "blocks_required" in str(raised.value)


def test_the_policy_cache_is_bounded_and_shares_equal_policies() -> None:
    first = fc.Pathway.from_json(_with_policy(name="clinic-0")).policy
    assert fc.Pathway.from_json(_with_policy(name="clinic-0")).policy is first
    for n in range(3 * policies.POLICIES_MAX):
        policy = fc.Pathway.from_json(_with_policy(name=f"clinic-{n}")).policy
        assert policy.name == f"clinic-{n}"
        assert len(policies.POLICIES) <= policies.POLICIES_MAX
    assert len(_values.TARGETS) <= _values.TARGETS_MAX


def test_corrections_and_identity_round_trip_through_the_log() -> None:
    """The document carries the log: corrections, nested events and event identity."""
    pw = reach(S.RELIEF_ASSESSMENT).pw
    seq = next(i for i, e in enumerate(pw.log) if isinstance(e, ev.BlockPerformed))
    performed = pw.log[seq]
    assert isinstance(performed, ev.BlockPerformed)
    pw.apply(ev.Amended(at=pw.events[-1].at, seq=seq, event_id="c-1", recorded_by="desk",
                        replacement=attrs.evolve(performed, baseline_pain=7), reason="typo"))
    text = pw.to_json()
    assert codec._fast(text, None) is not None
    back = fc.Pathway.from_json(text)
    assert back == pw and back.to_json() == text and back.log == pw.log
    assert back.events[seq].baseline_pain == 7  # type: ignore[attr-defined]
    assert '"event_id":"c-1"' in text and '"recorded_at"' not in text
    with _detailed_only():
        assert fc.Pathway.from_json(text) == pw


def test_fields_not_recorded_are_left_out_and_read_back_when_written_as_null() -> None:
    """Unrecorded optional fields (None) are not written; a document that writes them reads."""
    bare = ev.Referred(at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), pathway_id="pw-9",
                       patient_id="pt-9", region=fc.Region.LUMBAR)
    pathway = fc.Pathway.start(bare, policy=SEED)
    text = pathway.to_json()
    events_text = text[text.index('"events":'):]
    for name in ("axial_pain", "diagnosis", "pain_months", "event_id"):
        assert f'"{name}"' not in events_text
    recorded = attrs.evolve(bare, axial_pain=True, diagnosis="M47.816", event_id="ref-1")
    fuller = fc.Pathway.start(recorded, policy=SEED).to_json()
    assert '"axial_pain":true' in fuller and '"diagnosis":"M47.816"' in fuller
    # The same log written with explicit nulls (as a writer that keeps every key does):
    document = json.loads(text)
    document["events"][0].update(axial_pain=None, diagnosis=None, pain_months=None)
    document["chain"] = chain(codec.canonical(document["policy"]),
                              map(codec.canonical, document["events"]))
    assert fc.Pathway.from_dict(document) == pathway
    assert fc.Pathway.from_json(json.dumps(document, separators=(",", ":"))) == pathway
