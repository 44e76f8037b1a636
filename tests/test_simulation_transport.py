"""Journeys from worker processes: packed, rebuilt once when read, equal to the originals."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from zoneinfo import ZoneInfo

import pytest

import facetcare as fc
from facetcare.serialization import dump_event
from facetcare.simulation import Cohort, CohortParams, Journey, simulate, transport
from facetcare.simulation.transport import pack, unpacked

# A zone with daylight saving: later events keep other offsets than the referral's.
LONDON = dt.datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Europe/London"))


@cache
def cohort() -> Cohort:
    return simulate(120, 5, params=CohortParams.cervical(), policy=fc.Policy.medicare_l38803(),
                    start=LONDON)


def packed() -> list[Journey]:
    # Through pickle, as from a worker process.
    return [unpacked(item) for item in pickle.loads(pickle.dumps([pack(j) for j in
                                                                   cohort().journeys]))]


def dumped(journeys: list[Journey] | tuple[Journey, ...]) -> list[list[dict[str, object]]]:
    return [[dump_event(event) for event in journey.events] for journey in journeys]


def test_packed_journeys_equal_the_originals_field_for_field() -> None:
    originals, copies = list(cohort().journeys), packed()
    assert copies == originals and originals == copies
    assert [hash(j) for j in copies] == [hash(j) for j in originals]
    assert [repr(j) for j in copies] == [repr(j) for j in originals]
    assert dumped(copies) == dumped(originals)
    offsets = {e.at.utcoffset() for j in originals for e in j.events}
    assert len(offsets) == 2  # both the kept zone and datetimes in another offset round-trip
    for copy, original in zip(copies, originals, strict=True):
        for a, b in zip(copy.events, original.events, strict=True):
            assert type(a) is type(b)
            assert (a.at, a.at.utcoffset(), a.at.fold) == (b.at, b.at.utcoffset(), b.at.fold)


def test_events_are_rebuilt_once_and_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    unpack = transport.unpack_events

    def counted(data: bytes) -> tuple[fc.events.Event, ...]:
        calls.append(data)
        return unpack(data)

    monkeypatch.setattr(transport, "unpack_events", counted)
    journey = packed()[0]
    assert (journey.patient_id, journey.stage) == (cohort().journeys[0].patient_id,
                                                   cohort().journeys[0].stage)
    assert calls == []
    pickle.loads(pickle.dumps(journey))  # pickling sends the packed bytes, not events
    assert calls == []
    first = journey.events
    assert journey.events is first
    assert len(calls) == 1


def test_packed_journeys_pickle_and_compare_in_a_cohort() -> None:
    original = cohort()
    copy = Cohort(tuple(packed()), original.seed, original.params, original.policy,
                  original.start, original.horizon)
    again = pickle.loads(pickle.dumps(copy))
    assert again == copy == original
    read = pickle.loads(pickle.dumps(again))  # after its events were read
    assert read == original
    assert dumped(read.journeys) == dumped(original.journeys)
    assert read.summary() == original.summary()


def test_a_journey_built_with_its_events_pickles_as_before() -> None:
    journey = cohort().journeys[3]
    assert pickle.loads(pickle.dumps(journey)) == journey
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        getattr(journey, "nothing")  # noqa: B009
    with pytest.raises(AttributeError):
        getattr(packed()[3], "nothing")  # noqa: B009


def test_a_process_pool_cohort_reads_like_the_serial_one() -> None:
    serial = cohort()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = simulate(120, 5, params=serial.params, policy=serial.policy, start=LONDON,
                          executor=pool, chunk_size=50)
    assert pooled == serial
    assert pickle.loads(pickle.dumps(pooled)) == serial
    texts = []
    for c in (serial, pooled):
        buffer = io.StringIO()
        c.to_jsonl(buffer)
        c.to_csv(buffer)
        texts.append(buffer.getvalue())
    assert texts[0] == texts[1]
    assert pooled.summary() == serial.summary()


def test_remembered_lesion_rows_follow_the_lesions_not_their_ids(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker keeps each lesion's row by identity; a full memory is emptied, and
    # lesions made and freed one after another each get their own row.
    monkeypatch.setattr(transport, "REMEMBERED", 3)
    originals = list(cohort().journeys)
    assert sum(len(e.lesions) for j in originals for e in j.events
               if isinstance(e, fc.events.NeurotomyPerformed)) > 3
    assert packed() == originals
    flatten = transport._Layout.of(fc.events.Lesion).many()
    target = fc.events.Target("L4-L5", "left")
    for seconds in range(1, 50):  # freed at once: their ids come round again
        lesion = fc.events.Lesion(target, float(seconds), 80.0)
        assert flatten((lesion, lesion), None) == ((("L4-L5", "left"), float(seconds), 80.0,
                                                    None),) * 2
