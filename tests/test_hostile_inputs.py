"""More hostile inputs than the review found, and the property behind them all.

Every reader (`Pathway.from_json`, `Pathway.from_dict`, `load_events_jsonl`,
`load_policy`, `load_event`) raises nothing but `PathwayError` on any input,
within bounded time; constructors raise `TypeError`/`ValueError` naming the
field. The Hypothesis properties feed arbitrary JSON, text and bytes.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import documents
from facetcare.documents.signing import chain
from journey import S, reach

BASE = reach(S.FOLLOW_UP).pw
TEXT = BASE.to_json()
DOC: dict[str, Any] = json.loads(TEXT)
BLOCK = next(i for i, e in enumerate(DOC["events"]) if e["type"] == "BlockPerformed")
QUICK = 2.0


def _forge(document: dict[str, Any]) -> dict[str, Any]:
    with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
        document["chain"] = chain(documents.canonical(document["policy"]),
                                  map(documents.canonical, document["events"]))
    return document


def _edit(change: Callable[[dict[str, Any]], object], *, forge: bool = True) -> str:
    """``TEXT`` changed; its chain recomputed (unless ``forge`` is False) to reach the reader."""
    document = json.loads(TEXT)
    change(document)
    return json.dumps(_forge(document) if forge else document, ensure_ascii=False)


def _policy(**fields: object) -> str:
    return _edit(lambda d: d["policy"].update({"name": "clinic", "version": None, **fields}))


def _event(index: int, **fields: object) -> str:
    return _edit(lambda d: d["events"][index].update(fields))


def _swap(old: str, new: str) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, 1)


#: Hostile documents: (name, text or bytes). Each must be refused, quickly.
HOSTILE: list[tuple[str, str | bytes]] = [
    ("empty", ""),
    ("whitespace", " \n\t "),
    ("NUL", "\x00"),
    ("BOM then document", "\ufeff" + TEXT),
    ("UTF-16", TEXT.encode("utf-16")),
    ("invalid UTF-8", TEXT.encode()[:40] + b"\xc3\x28" + TEXT.encode()[40:]),
    ("overlong UTF-8 quote", b'{"schema":\xc0\xa2}'),
    ("lone surrogate bytes", b'{"schema":"\xed\xa0\x80"}'),
    ("array", "[]"),
    ("null", "null"),
    ("number", "12"),
    ("string", '"facetcare/pathway@2"'),
    ("trailing garbage", TEXT + "x"),
    ("two documents", TEXT + TEXT),
    ("truncated", TEXT[:-1]),
    ("NaN literal", _swap('"baseline_pain":', '"baseline_pain":NaN,"x":')),
    ("Infinity literal", _policy(lesion_min_seconds=float("inf"))),
    ("schema @0", _swap("pathway@2", "pathway@0")),
    ("schema @-1", _swap("pathway@2", "pathway@-1")),
    ("schema @2.0", _swap("pathway@2", "pathway@2.0")),
    ("schema @0x2", _swap("pathway@2", "pathway@0x2")),
    ("schema huge", _swap("pathway@2", "pathway@" + "9" * 5000)),
    ("schema no number", _swap("pathway@2", "pathway@")),
    ("schema upper case", _swap("facetcare/pathway", "FACETCARE/pathway")),
    ("schema not a string", _edit(lambda d: d.update(schema=2))),
    ("no chain", _edit(lambda d: d.pop("chain"), forge=False)),
    ("chain wrong", _edit(lambda d: d.update(chain="sha256:" + "0" * 64), forge=False)),
    ("chain not a string", _edit(lambda d: d.update(chain=7), forge=False)),
    ("chain of an old format", _edit(lambda d: d.update(chain="md5:00"), forge=False)),
    ("events null", _edit(lambda d: d.update(events=None))),
    ("events object", _edit(lambda d: d.update(events={"0": d["events"][0]}))),
    ("event null", _edit(lambda d: d["events"].__setitem__(1, None))),
    ("event list", _edit(lambda d: d["events"].__setitem__(1, ["BlockScheduled"]))),
    ("type __class__", _event(1, type="__class__")),
    ("type Event", _event(1, type="Event")),
    ("type _Booking", _event(1, type="_Booking")),
    ("type huge", _event(1, type="B" * 100_000)),
    ("type number", _event(1, type=1)),
    ("id 20,000 chars", _event(0, pathway_id="p" * 20_000)),
    ("id NUL", _event(0, pathway_id="pw\x00")),
    ("id RTL override", _event(0, patient_id="\u202ept-1")),
    ("id zero width", _event(0, patient_id="\u200b\u200d")),
    ("id escape surrogate", _swap('"pt-1"', '"\\udfff"')),
    ("id number", _event(0, pathway_id=12)),
    ("id deep", _event(0, pathway_id=json.loads("[" * 200 + "]" * 200))),
    ("time year 9999", _event(0, at="9999-12-31T23:59:59+00:00")),
    ("time year 1", _event(0, at="0001-01-01T00:00:00+00:00")),
    ("time offset +24:00", _event(0, at="2026-03-02T09:00:00+24:00")),
    ("time month 13", _event(0, at="2026-13-02T09:00:00+00:00")),
    ("time fullwidth digits", _event(0, at="２０２６-03-02T09:00:00+00:00")),
    ("time naive", _event(0, at="2026-03-02T09:00:00")),
    ("time long", _event(0, at="2026-03-02T09:00:00+00:00" + " " * 10_000)),
    ("time number", _event(0, at=1772442000)),
    ("pain 1e400", _swap('"baseline_pain":', '"baseline_pain":1e400,"x":')),
    ("pain 10.5", _event(BLOCK, baseline_pain=10.5)),
    ("pain -1", _event(BLOCK, baseline_pain=-1)),
    ("pain string", _event(BLOCK, baseline_pain="3")),
    ("pain true", _event(BLOCK, baseline_pain=True)),
    ("pain 30 digits", _swap('"baseline_pain":', '"baseline_pain":' + "1" * 30 + ',"x":')),
    ("pain 60 digit float", _swap('"baseline_pain":', '"baseline_pain":0.' + "1" * 60 + ',"x":')),
    ("pain_months 10**30", _event(0, pain_months=10**30)),
    ("lesion seconds 0", _edit(lambda d: [e.get("lesions", [{}])[0].update(seconds=0)
                                          for e in d["events"] if e["type"] ==
                                          "NeurotomyPerformed"])),
    ("lesion temperature -300", _edit(lambda d: [
        e["lesions"][0].update(temperature_c=-300) for e in d["events"]
        if e["type"] == "NeurotomyPerformed"])),
    ("targets 10,000 copies", _edit(lambda d: d["events"][1].update(
        targets=d["events"][1]["targets"] * 10_000))),
    ("target extra key", _edit(lambda d: d["events"][1]["targets"][0].update(x=1))),
    ("target side up", _edit(lambda d: d["events"][1]["targets"][0].update(side="up"))),
    ("threshold 1e-99999999", _policy(relief_threshold="1e-99999999")),
    ("threshold 1/0", _policy(relief_threshold="1/0")),
    ("threshold -1/2", _policy(relief_threshold="-1/2")),
    ("threshold with space", _policy(relief_threshold="1/2 ")),
    ("threshold vulgar fraction", _policy(relief_threshold="½")),
    ("threshold arabic digits", _policy(relief_threshold="٤/٥")),
    ("threshold 4/5/6", _policy(relief_threshold="4/5/6")),
    ("threshold 40 digits", _policy(relief_threshold="1/" + "9" * 40)),
    ("threshold underscores", _policy(relief_threshold="1_0/2_0")),
    ("threshold nan", _policy(relief_threshold="nan")),
    ("threshold 2", _policy(relief_threshold="2")),
    ("duration float", _policy(block_observation=3600.5)),
    ("duration negative", _policy(block_observation=-1)),
    ("duration 10**30", _policy(block_observation=10**30)),
    ("duration string", _policy(block_observation="3600000000")),
    ("window min after end", _policy(relief_window_min=10**11)),
    ("blocks_required 10**22", _policy(blocks_required=10**22)),
    ("blocks_required 0", _policy(blocks_required=0)),
    ("lesion min over max", _policy(lesion_min_seconds=100, lesion_max_seconds=90)),
    ("policy name empty", _policy(name="")),
    ("policy name bidi", _policy(name="\u202eclinic")),
    ("version for a clinic", _edit(lambda d: d["policy"].update(name="clinic"))),
    ("version 2 of seed", _edit(lambda d: d["policy"].update(version=2))),
    ("version as text", _edit(lambda d: d["policy"].update(version="1"))),
    ("version true", _edit(lambda d: d["policy"].update(version=True))),
    ("version 0", _edit(lambda d: d["policy"].update(version=0))),
    ("seed with escort off", _edit(lambda d: d["policy"].update(escort_required=False))),
    ("policy extra empty key", _edit(lambda d: d["policy"].update({"": 1}))),
    ("policy __proto__", _edit(lambda d: d["policy"].update({"__proto__": {}}))),
    ("policy missing field", _edit(lambda d: d["policy"].pop("reblock_after"))),
    ("top-level extra", _edit(lambda d: d.update(note="hi"))),
    ("duplicate top-level key", _swap('"chain":', '"events":[],"chain":')),
    ("duplicate event key", _swap('"baseline_pain":', '"baseline_pain":1,"baseline_pain":')),
    ("an @1 field in @2", _edit(lambda d: d["policy"].update(block_observation=3600))),
    ("an @2 policy in @1", _edit(lambda d: (d.update(schema="facetcare/pathway@1"),
                                            d.pop("chain")))),
    ("@1 duration as text", _edit(lambda d: (d.update(schema="facetcare/pathway@1"),
                                             d.pop("chain"), d["policy"].pop("version"),
                                             d["policy"].update(block_observation="1h")))),
    ("@1 duration huge", _edit(lambda d: (d.update(schema="facetcare/pathway@1"),
                                          d.pop("chain"), d["policy"].pop("version"),
                                          d["policy"].update(block_observation=1e300)))),
    ("events reordered", _edit(lambda d: d["events"].reverse())),
    ("event dropped", _edit(lambda d: d["events"].pop(3))),
    ("event repeated", _edit(lambda d: d["events"].append(d["events"][-1]))),
    ("empty events", _edit(lambda d: d.update(events=[]))),
    ("10 MB of spaces", " " * 10_000_000),
    ("5,000 empty events", _edit(lambda d: d.update(events=[{}] * 5000))),
]


@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_hostile_documents_are_refused_quickly(name: str, text: str | bytes) -> None:
    start = time.perf_counter()
    with pytest.raises(fc.PathwayError):
        fc.Pathway.from_json(text)
    assert time.perf_counter() - start < QUICK, name


def test_there_are_more_than_sixty_of_them() -> None:
    assert len(HOSTILE) >= 60 + 20  # and the catalogue in test_hostile.py besides


@pytest.mark.parametrize(("name", "text"), HOSTILE[:40], ids=[name for name, _ in HOSTILE[:40]])
def test_hostile_lines_are_refused_quickly(name: str, text: str | bytes) -> None:
    start = time.perf_counter()
    with contextlib.suppress(fc.PathwayError):
        documents.load_events_jsonl(text)
    assert time.perf_counter() - start < QUICK, name


def test_a_document_over_the_size_limit_is_not_parsed() -> None:
    small = documents.Limits(max_bytes=100)
    start = time.perf_counter()
    with pytest.raises(fc.SerializationError, match="max_bytes"):
        fc.Pathway.from_json(TEXT, limits=small)
    with pytest.raises(fc.SerializationError, match="max_bytes"):
        documents.load_events_jsonl(documents.dump_events_jsonl(BASE.events), limits=small)
    assert time.perf_counter() - start < QUICK
    assert fc.Pathway.from_json(TEXT, limits=documents.Limits(max_bytes=len(TEXT))) == BASE


def test_limits_can_be_raised_and_say_which_was_hit() -> None:
    deep = json.dumps({"type": "Referred", "at": [[[[[[1]]]]]]})
    with pytest.raises(fc.SerializationError, match="nested deeper than 4"):
        documents.read_json(deep, documents.Limits(max_depth=4))
    with pytest.raises(fc.SerializationError, match="limit of 3"):
        documents.read_json('{"a": 12345}', documents.Limits(max_number_chars=3))
    with pytest.raises(fc.SerializationError, match=r"\$\.a"):
        documents.read_json('{"a": "xxxx"}', documents.Limits(max_string_chars=3))
    assert documents.read_json('{"a": "xxxx"}', documents.Limits(max_string_chars=4))
    with pytest.raises(ValueError, match="max_depth"):
        documents.Limits(max_depth=0)


# -- properties ---------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _only_pathway_errors(read: Callable[[], object]) -> None:
    with contextlib.suppress(fc.PathwayError):
        read()


@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_arbitrary_json_gives_only_pathway_errors(value: object) -> None:
    text = json.dumps(value)
    _only_pathway_errors(lambda: fc.Pathway.from_json(text))
    _only_pathway_errors(lambda: fc.Pathway.from_dict(value))
    _only_pathway_errors(lambda: documents.load_events_jsonl(text))
    _only_pathway_errors(lambda: documents.load_policy(value))
    _only_pathway_errors(lambda: documents.load_event(value))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_give_only_pathway_errors(data: bytes) -> None:
    _only_pathway_errors(lambda: fc.Pathway.from_json(data))
    _only_pathway_errors(lambda: documents.load_events_jsonl(data))


@settings(max_examples=200, deadline=None)
@given(at=st.integers(0, len(TEXT) - 1), junk=st.text(max_size=8))
def test_spliced_documents_give_only_pathway_errors(at: int, junk: str) -> None:
    text = TEXT[:at] + junk + TEXT[at + len(junk):]
    try:
        back = fc.Pathway.from_json(text)
    except fc.PathwayError:
        return
    assert back == BASE  # read only if nothing that matters changed


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(sorted(DOC["policy"])), value=JSON)
def test_policy_fields_take_only_valid_values(key: str, value: object) -> None:
    policy = {**DOC["policy"], key: value}
    try:
        read = documents.load_policy(policy)
    except fc.SerializationError:
        return
    assert documents.load_policy(documents.dump_policy(read)) == read
