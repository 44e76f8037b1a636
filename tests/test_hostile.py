"""Hostile input never hangs, crashes or corrupts: the catalogue of issue 14 as tests.

Each finding of the adversarial review is a test here, named after it. Every
reader path must raise nothing but `PathwayError` (`SerializationError`,
`Rejected`); constructors refuse bad values with the field named; work is
bounded (each hostile read is timed against a generous ceiling).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import sys
import threading
import time
import tracemalloc
import zoneinfo
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import facetcare as fc
from facetcare import documents
from facetcare import events as ev
from facetcare._cli.common import cap_workers
from facetcare.cli import cli
from facetcare.documents.signing import chain
from facetcare.simulation import CohortParams
from journey import DAY, HOUR, L23, L45, MEDICARE, MINUTE, SECOND, SEED, T0, S, reach, referral

FIXTURES = Path(__file__).parent / "fixtures" / "v1"
#: Wall-clock ceiling for one hostile read: the hang found took minutes.
QUICK = 2.0


def forged(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with its hash chain recomputed (a forger without a signing key)."""
    document["chain"] = chain(documents.canonical(document["policy"]),
                              map(documents.canonical, document["events"]))
    return document


def doc() -> dict[str, Any]:
    """Referred, BlockScheduled, CheckedIn, BlockPerformed, Discharged (seed)."""
    return reach(S.RELIEF_ASSESSMENT).pw.to_dict()


def text_of(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def refused_quickly(read: Any, *args: object, **kwargs: object) -> fc.PathwayError:
    """``read(*args)`` raises a `PathwayError` (nothing else) within `QUICK` seconds."""
    start = time.perf_counter()
    with pytest.raises(fc.PathwayError) as raised:
        read(*args, **kwargs)
    assert time.perf_counter() - start < QUICK
    return raised.value


# -- hangs ------------------------------------------------------------------------------


def test_a_fraction_exponent_does_not_hang_the_reader() -> None:
    document = doc()
    document["policy"]["relief_threshold"] = "1e-99999999"
    error = refused_quickly(fc.Pathway.from_json, text_of(forged(document)))
    assert "relief_threshold" in str(error)


def test_a_fraction_exponent_does_not_hang_a_policy() -> None:
    start = time.perf_counter()
    with pytest.raises(TypeError, match="relief_threshold"):
        attrs.evolve(SEED, relief_threshold="1e-99999999")
    assert time.perf_counter() - start < QUICK


# -- escapes ----------------------------------------------------------------------------


def test_arrays_nested_100000_deep() -> None:
    for text in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
        refused_quickly(fc.Pathway.from_json, text)
        refused_quickly(documents.load_events_jsonl, text)


def test_nesting_is_bounded_by_the_limit_and_named() -> None:
    document = doc()
    document["events"][1]["visit_id"] = json.loads("[" * 40 + "]" * 40)
    error = refused_quickly(fc.Pathway.from_json, text_of(document))
    assert "$.events[1].visit_id" in str(error) and "nested deeper" in str(error)


def test_an_integer_literal_over_4300_digits() -> None:
    document = doc()
    text = text_of(document).replace('"baseline_pain":8', '"baseline_pain":' + "9" * 5000)
    error = refused_quickly(fc.Pathway.from_json, text)
    assert "$.events[3].baseline_pain" in str(error)
    refused_quickly(documents.load_events_jsonl, '{"type":"Referred","at":' + "1" * 5000 + "}")


@pytest.mark.parametrize("schema", ["facetcare/pathway@²", "facetcare/pathway@١",
                                    "facetcare/pathway@01", "facetcare/pathway@１",
                                    "facetcare/pathway@1 ", "facetcare/pathway@+1"])
def test_schema_versions_in_other_digits(schema: str) -> None:
    document = json.loads((FIXTURES / "seed_recurrence.json").read_text())
    document["schema"] = schema
    error = refused_quickly(fc.Pathway.from_json, text_of(document))
    assert "$.schema" in str(error)


def test_durations_near_timedelta_max_are_refused_at_construction() -> None:
    for field in ("block_observation", "min_block_gap", "reblock_after", "follow_up_settling"):
        with pytest.raises(ValueError, match=field):
            attrs.evolve(SEED, **{field: dt.timedelta.max})
    document = doc()
    document["policy"].update(name="clinic", version=None,
                              follow_up_settling=dt.timedelta.max // dt.timedelta(microseconds=1))
    error = refused_quickly(fc.Pathway.from_json, text_of(forged(document)))
    assert "follow_up_settling" in str(error)


@pytest.mark.parametrize("moment", [
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
    dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.UTC),
    dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=14))),
    dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(-dt.timedelta(hours=12))),
    dt.datetime(1899, 12, 31, tzinfo=dt.UTC),
    dt.datetime(9000, 1, 1, 0, 0, 1, tzinfo=dt.UTC),
])
def test_times_near_the_ends_of_the_calendar(moment: dt.datetime) -> None:
    with pytest.raises(ValueError, match="at must be between"):
        referral(at=moment)
    j = reach(S.REFERRED)
    with pytest.raises(ValueError, match="visit_at"):
        j.booking(ev.BlockScheduled, visit_at=moment)
    with pytest.raises(ValueError, match="now"):
        j.pw.due(moment)
    document = doc()
    document["events"][0]["at"] = moment.isoformat()
    refused_quickly(fc.Pathway.from_json, text_of(forged(document)))


def test_the_last_supported_moments_compute_without_overflow() -> None:
    """Every rule and `due()` at the edge of the calendar, under the longest durations."""
    longest = attrs.evolve(
        SEED, name="longest", follow_up_settling=36525 * DAY, reblock_after=36525 * DAY,
        min_neurotomy_interval=36525 * DAY, min_block_gap=36525 * DAY,
        repeat_min_relief_duration=36525 * DAY, block_observation=36525 * DAY)
    late = dt.datetime(8999, 12, 1, tzinfo=dt.UTC)
    pw = fc.Pathway.start(referral(at=late), policy=longest)
    booking = ev.BlockScheduled(at=late, visit_id="b1", visit_at=late + DAY, targets=L45,
                                escort_confirmed=True)
    assert pw.check(booking).allowed
    pw.apply(booking)
    assert isinstance(pw.due(dt.datetime(9000, 1, 1, tzinfo=dt.UTC)), tuple)
    assert isinstance(pw.due(late + DAY), tuple)
    assert fc.Pathway.from_json(pw.to_json()) == pw
    early = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    pw = fc.Pathway.start(referral(at=early), policy=longest)
    assert pw.due(early) is not None


def test_extra_keys_of_mixed_types() -> None:
    document = doc()
    document[1] = "x"  # type: ignore[index]
    document["policy"][None] = 2  # type: ignore[index]
    error = refused_quickly(fc.Pathway.from_dict, document)
    assert "key" in str(error)
    policy = documents.dump_policy(SEED)
    policy.update({3: 1, "z": 2, (1,): 3})  # type: ignore[dict-item]
    with pytest.raises(fc.SerializationError):
        documents.load_policy(policy)


class _Broken(dt.tzinfo):
    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta:
        raise RuntimeError("no zone database")

    def dst(self, moment: dt.datetime | None) -> dt.timedelta:
        raise RuntimeError("no zone database")

    def tzname(self, moment: dt.datetime | None) -> str:
        return "broken"


class _Huge(dt.tzinfo):
    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(days=3)

    def dst(self, moment: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(0)


@pytest.mark.parametrize("zone", [_Broken(), _Huge()], ids=["raises", "out-of-range"])
def test_a_callers_broken_tzinfo_names_the_field(zone: dt.tzinfo) -> None:
    moment = dt.datetime(2026, 3, 2, 9, tzinfo=zone)
    with pytest.raises((TypeError, ValueError), match="at"):
        referral(at=moment)
    j = reach(S.REFERRED)
    with pytest.raises((TypeError, ValueError), match="visit_at"):
        j.booking(ev.BlockScheduled, visit_at=moment)
    with pytest.raises((TypeError, ValueError), match="now"):
        j.pw.due(moment)
    with pytest.raises((TypeError, ValueError), match="at"):
        fc.PainEntry(moment, 3)


# -- accepted but unwritable ------------------------------------------------------------


def test_a_lone_surrogate_in_an_id() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        referral(pathway_id="pw-\ud800")
    document = doc()
    text = text_of(document).replace('"pw-1"', '"pw-\\ud800"')
    error = refused_quickly(fc.Pathway.from_json, text)
    assert "pathway_id" in str(error) and "surrogate" in str(error)


def test_pain_months_and_fractions_too_large_to_write() -> None:
    with pytest.raises(ValueError, match="pain_months"):
        referral(pain_months=10**5000)
    with pytest.raises(ValueError, match="relief_threshold"):
        attrs.evolve(SEED, relief_threshold=Fraction(1, 10**5000))
    with pytest.raises(ValueError, match="relief_threshold"):
        attrs.evolve(SEED, relief_threshold=Fraction(10**30, 10**30 + 1))


class _LyingInt(int):
    def __le__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return False


class _LyingTime(dt.datetime):
    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return "unreadable"

    def __le__(self, other: object) -> bool:
        return True


class _Id(str):
    def __str__(self) -> str:
        return "someone-else"


def test_subclasses_are_normalised_to_plain_types() -> None:
    with pytest.raises(ValueError, match="baseline_pain"):
        ev.BlockPerformed(at=T0, visit_id="b", targets=L45, baseline_pain=_LyingInt(99))
    performed = ev.BlockPerformed(at=T0, visit_id="b", targets=L45, baseline_pain=_LyingInt(8))
    assert type(performed.baseline_pain) is int
    moment = _LyingTime(2026, 3, 2, 9, tzinfo=dt.UTC)
    referred = referral(at=moment, pathway_id=_Id("pw-9"))
    assert type(referred.at) is dt.datetime and referred.at == T0
    assert type(referred.pathway_id) is str and referred.pathway_id == "pw-9"
    pw = fc.Pathway.start(referred)
    assert fc.Pathway.from_json(pw.to_json()) == pw
    assert type(attrs.evolve(SEED, blocks_required=_LyingInt(2)).blocks_required) is int


class _Liar(str):
    """Text that claims to equal anything and to hash as ``pretend``; its methods change nothing.

    Every reader must take it as the plain text it holds, never as ``pretend``.
    """

    pretend = "L4-L5"

    def __new__(cls, text: str, pretend: str = "L4-L5") -> _Liar:
        made = super().__new__(cls, text)
        made.pretend = pretend
        return made

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return hash(self.pretend)

    def __str__(self) -> str:
        return self.pretend

    def strip(self, chars: str | None = None) -> str:
        return self

    def upper(self) -> str:
        return self

    def replace(self, old: str, new: str, count: int = -1) -> str:
        return self


def test_a_lying_joint_is_read_as_its_text() -> None:
    with pytest.raises(ValueError, match="joint 'L9-L9'"):
        fc.Target(_Liar("L9-L9"), "left")
    target = fc.Target(_Liar("l4\u2013l5 ", pretend="L9-L9"), "left")
    assert type(target.joint) is str and target.joint == "L4-L5"
    pw = fc.Pathway.start(referral())
    pw.apply(ev.BlockScheduled(at=T0, visit_id="v", visit_at=T0 + DAY, targets=[target]))
    assert fc.Pathway.from_json(pw.to_json()) == pw
    with pytest.raises(ValueError, match="side"):
        fc.Target("L4-L5", _Liar("evil", pretend="left"))


def test_a_lying_diagnosis_is_read_as_its_text() -> None:
    policy = attrs.evolve(SEED, name="dx", covered_diagnoses=(_Liar("m47816", "Z99.9"),))
    assert policy.covered_diagnoses == ("M47.816",)
    assert type(policy.covered_diagnoses[0]) is str
    referred = referral(diagnosis=_Liar("z999", pretend="M47.816"))
    assert type(referred.diagnosis) is str and referred.diagnosis == "Z99.9"
    with pytest.raises(fc.Rejected, match="diagnosis_not_covered"):
        fc.Pathway.start(referred, policy=policy)


def test_a_lying_prior_procedure_is_read_as_its_text() -> None:
    with pytest.raises(ValueError, match="procedure"):
        ev.PriorProcedure(_Liar("evil", pretend="block"), T0 - DAY, "old")
    prior = ev.PriorProcedure(_Liar("block", pretend="neurotomy"), T0 - DAY, "old")
    assert type(prior.procedure) is str and prior.procedure == "block"
    facts = fc.Pathway.start(referral(prior_procedures=[prior])).facts
    assert (len(facts.block_times), len(facts.neurotomy_times)) == (1, 0)


def test_lying_counts_are_read_as_plain_ints() -> None:
    with pytest.raises(ValueError, match="relief_min_entries"):
        attrs.evolve(SEED, relief_min_entries=_LyingInt(5000))
    policy = attrs.evolve(SEED, name="entries", relief_min_entries=_LyingInt(5),
                          entry_min_conservative_care_weeks=_LyingInt(6))
    assert type(policy.relief_min_entries) is int
    assert type(policy.entry_min_conservative_care_weeks) is int
    with pytest.raises(ValueError, match="baseline_function_score"):
        referral(baseline_function_score=_LyingInt(101))  # ODI: 0-100
    referred = referral(conservative_care_weeks=_LyingInt(8), baseline_function_score=_LyingInt(40))
    assert type(referred.conservative_care_weeks) is int
    assert type(referred.baseline_function_score) is int
    pw = fc.Pathway.start(referred, policy=policy)
    assert fc.Pathway.from_json(pw.to_json()) == pw


def test_lying_vocabulary_is_read_as_its_text() -> None:
    with pytest.raises(ValueError, match="region"):
        referral(region=_Liar("sacral", pretend="lumbar"))
    policy = attrs.evolve(SEED, name="measure", relief_measure=_Liar("sustained", "best"),
                          block_max_sedation=_Liar("minimal", "general"),
                          regions=[_Liar("cervical", "lumbar")])
    assert policy.relief_measure is fc.ReliefMeasure.SUSTAINED
    assert policy.block_max_sedation is fc.Sedation.MINIMAL
    assert policy.regions == (fc.Region.CERVICAL,)
    performed = ev.BlockPerformed(at=T0, visit_id="b", targets=L45, baseline_pain=8,
                                  sedation=_Liar("deep", pretend="none"))
    assert performed.sedation is fc.Sedation.DEEP


class _HollowTuple(tuple):  # type: ignore[type-arg]
    """A tuple that shows nothing when iterated, so a check by iteration sees no item."""

    def __iter__(self) -> Any:
        return iter(())


def test_a_tuple_subclass_is_read_as_its_items() -> None:
    with pytest.raises(TypeError, match="lesions"):
        ev.NeurotomyPerformed(at=T0, visit_id="n", lesions=_HollowTuple(["junk"]))
    lesions = (fc.Lesion(L45[0], 90, 85),)
    performed = ev.NeurotomyPerformed(at=T0, visit_id="n", lesions=_HollowTuple(lesions))
    assert type(performed.lesions) is tuple and performed.lesions == lesions


def _outcome(build: Any, value: object) -> tuple[object, ...]:
    """What ``build(value)`` gives: the value made, or the error's type and message."""
    try:
        made = build(value)
    except (TypeError, ValueError) as error:
        return type(error), str(error)
    kinds = [type(getattr(made, field.name)) for field in attrs.fields(type(made))]
    return ("made", made, repr(made), kinds)


#: Text near the values fields take: joints, ICD-10 codes, procedures, sides, anything.
_NEAR = (st.sampled_from(["L4-L5", "l5\u2013s1", " C2-C3", "L9-L9", "M47.816", "m47816",
                          "Z99.9", "block", "neurotomy", "left", "right", "lumbar", "fluoroscopy"])
         | st.text(max_size=12))
_NEAR_PAIRS = st.tuples(_NEAR, _NEAR)


@settings(max_examples=200, deadline=None)
@given(texts=_NEAR_PAIRS)
def test_a_lying_str_gives_the_same_value_as_its_text(texts: tuple[str, str]) -> None:
    text, pretend = texts
    for build in (lambda joint: fc.Target(joint, "left"),
                  lambda side: fc.Target("L4-L5", side),
                  lambda diagnosis: referral(diagnosis=diagnosis),
                  lambda procedure: ev.PriorProcedure(procedure, T0 - DAY, "old"),
                  lambda region: referral(region=region),
                  lambda sedation: ev.BlockPerformed(at=T0, visit_id="b", targets=L45,
                                                     baseline_pain=8, sedation=sedation),
                  lambda measure: attrs.evolve(SEED, relief_measure=measure),
                  lambda code: attrs.evolve(SEED, covered_diagnoses=[code])):
        assert _outcome(build, _Liar(text, pretend)) == _outcome(build, text)


_COUNTS: tuple[Any, ...] = (
    lambda n: attrs.evolve(SEED, relief_min_entries=n),
    lambda n: attrs.evolve(SEED, entry_min_conservative_care_weeks=n),
    lambda n: attrs.evolve(SEED, blocks_required=n),
    lambda n: referral(pain_months=n),
    lambda n: referral(conservative_care_weeks=n),
    lambda n: referral(baseline_function_score=n),
    lambda n: fc.PainEntry(T0, n),
    lambda n: ev.BlockPerformed(at=T0, visit_id="b", targets=L45, baseline_pain=n),
    lambda n: ev.EnteredInError(at=T0, seq=n, reason="typo"),
)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(-5, 1005) | st.integers())
def test_a_lying_int_gives_the_same_value_as_its_number(n: int) -> None:
    for build in _COUNTS:
        assert _outcome(build, _LyingInt(n)) == _outcome(build, n)


# -- silent differences ------------------------------------------------------------------


def test_duplicate_json_keys_are_refused() -> None:
    text = reach(S.RELIEF_ASSESSMENT).pw.to_json()
    for old, new in [('"baseline_pain":8', '"baseline_pain":8,"baseline_pain":3'),
                     ('"name":"seed"', '"name":"seed","name":"seed"'),
                     ('{"joint":"L4-L5"', '{"joint":"L4-L5","joint":"L5-S1"'),
                     ('"schema":', '"schema":"facetcare/pathway@2","schema":')]:
        error = refused_quickly(fc.Pathway.from_json, text.replace(old, new, 1))
        assert "given twice" in str(error)


def test_equal_numbers_serialize_identically() -> None:
    a = attrs.evolve(SEED, name="c", lesion_min_seconds=80, lesion_max_seconds=90)
    b = attrs.evolve(SEED, name="c", lesion_min_seconds=80.0, lesion_max_seconds=90.0)
    assert a == b
    pa, pb = fc.Pathway.start(referral(), policy=a), fc.Pathway.start(referral(), policy=b)
    assert pa.to_json() == pb.to_json()
    assert fc.Lesion(L45[0], 80).seconds == fc.Lesion(L45[0], 80.0).seconds
    assert json.dumps(fc.Lesion(L45[0], 80.0).seconds) == "80"


def test_equal_times_in_other_offsets_serialize_identically() -> None:
    plus_ten = dt.timezone(dt.timedelta(hours=10))
    a = fc.Pathway.start(referral(at=T0))
    b = fc.Pathway.start(referral(at=T0.astimezone(plus_ten)))
    assert a == b
    assert a.to_json() == b.to_json()
    assert '"at":"2026-03-02T09:00:00Z"' in a.to_json()


@pytest.mark.parametrize("duration", [
    dt.timedelta(microseconds=1), dt.timedelta(days=36_000, microseconds=7),
    dt.timedelta(seconds=0.1), dt.timedelta(days=36525)])
def test_durations_round_trip_exactly(duration: dt.timedelta) -> None:
    policy = attrs.evolve(SEED, name="exact", follow_up_settling=duration)
    pw = fc.Pathway.start(referral(), policy=policy)
    assert fc.Pathway.from_json(pw.to_json()).policy.follow_up_settling == duration


# -- own output readable ----------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\r", "\n", "\r\n", "\t"])
def test_jsonl_writes_and_reads_back_line_separators(char: str) -> None:
    events = [referral(), ev.Withdrawn(at=T0 + DAY, reason=f"moved{char}away")]
    text = documents.dump_events_jsonl(events)
    assert text.count("\n") == 2 and len(text.splitlines()) == 2
    assert documents.load_events_jsonl(text) == events
    assert documents.load_events_jsonl(text.replace("\n", "\r\n")) == events


def test_the_cli_reads_a_log_the_library_wrote(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(documents.dump_events_jsonl(
        [referral(), ev.Withdrawn(at=T0 + DAY, reason="moved\u2028away\u2029\x85")]),
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "withdrawn" in result.output


# -- trust --------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [{"escort_required": False}, {"relief_threshold": "0"},
                                    {"blocks_required": 2}])
def test_a_shipped_profile_must_carry_its_values(change: dict[str, object]) -> None:
    document = doc()
    document["policy"].update(change)
    error = refused_quickly(fc.Pathway.from_json, text_of(forged(document)))
    assert "shipped profile seed version 1" in str(error) and "tampered" in str(error)


def test_an_old_document_loads_its_policy_as_recorded() -> None:
    document = json.loads((FIXTURES / "seed_recurrence.json").read_text())
    document["policy"]["escort_required"] = False
    pw = fc.Pathway.from_json(text_of(document))
    assert pw.policy.name == "seed" and pw.policy.version is None
    assert not pw.policy.escort_required
    assert documents.read_document(text_of(document)).schema_version == 1


def test_the_cli_says_a_policy_is_as_recorded(tmp_path: Path) -> None:
    document = json.loads((FIXTURES / "seed_recurrence.json").read_text())
    document["policy"]["relief_threshold"] = "0"
    path = tmp_path / "old.json"
    path.write_text(text_of(document), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "seed (as recorded in the file, not a shipped profile)" in result.output
    assert "under policy seed v1" not in result.output


def test_an_edit_that_breaks_no_rule_is_detected() -> None:
    text = reach(S.RELIEF_ASSESSMENT).pw.to_json()
    edited = text.replace('"baseline_pain":8', '"baseline_pain":3')
    assert edited != text
    error = refused_quickly(fc.Pathway.from_json, edited)
    assert "$.chain" in str(error)
    # reformatted, not edited: still verifies
    assert fc.Pathway.from_json(json.dumps(json.loads(text), indent=2)) == \
        fc.Pathway.from_json(text)


def test_signatures() -> None:
    pw = reach(S.RELIEF_ASSESSMENT).pw
    signed = pw.to_json(key=b"clinic secret")
    assert fc.Pathway.from_json(signed, key=b"clinic secret") == pw
    assert fc.Pathway.from_json(signed) == pw  # no key: the chain is still checked
    with pytest.raises(fc.SerializationError, match="signature"):
        fc.Pathway.from_json(signed, key=b"another secret")
    with pytest.raises(fc.SerializationError, match="signature: missing"):
        fc.Pathway.from_json(pw.to_json(), key=b"clinic secret")
    forged_doc = forged(json.loads(signed.replace('"baseline_pain":8', '"baseline_pain":3')))
    with pytest.raises(fc.SerializationError, match="signature"):
        fc.Pathway.from_json(json.dumps(forged_doc), key=b"clinic secret")
    with pytest.raises(TypeError, match="key"):
        pw.to_json(key="not bytes")  # type: ignore[arg-type]


# -- threads and copies -------------------------------------------------------------------


def test_eight_threads_booking_at_once() -> None:
    for _ in range(20):
        pw = fc.Pathway.start(referral())
        barrier = threading.Barrier(8)
        accepted: list[int] = []
        leaked: list[BaseException] = []

        def book(n: int, pw: fc.Pathway = pw, barrier: threading.Barrier = barrier,
                 accepted: list[int] = accepted, leaked: list[BaseException] = leaked) -> None:
            event = ev.BlockScheduled(at=T0 + MINUTE, visit_id=f"v{n}", visit_at=T0 + 7 * DAY,
                                      targets=L45, escort_confirmed=True)
            barrier.wait()
            try:
                pw.apply(event)
                accepted.append(n)
            except fc.Rejected:
                pass
            except BaseException as error:  # pragma: no cover - the failure looked for
                leaked.append(error)
            pw.check(event)
            pw.to_json()

        threads = [threading.Thread(target=book, args=(n,)) for n in range(8)]
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(interval)
        assert not leaked and len(accepted) == 1
        assert fc.Pathway.from_json(pw.to_json()) == pw


def test_copies_are_independent() -> None:
    j = reach(S.REFERRED)
    for duplicate in (copy.copy(j.pw), copy.deepcopy(j.pw)):
        assert duplicate == j.pw and duplicate is not j.pw
        duplicate.apply(j.booking(ev.BlockScheduled))
        assert duplicate.stage == S.BLOCK_SCHEDULED and j.pw.stage == S.REFERRED
        assert len(duplicate.events) == 2 and len(j.pw.events) == 1
    assert copy.copy(fc.Pathway()).events == ()


# -- the command line ---------------------------------------------------------------------


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("target", ["missing-dir/x.mmd", "."])
def test_unwritable_diagram_output(tmp_path: Path, target: str) -> None:
    result = _run("diagram", "-o", str(tmp_path / target))
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_check_dev_zero_is_bounded() -> None:
    if not os.path.exists("/dev/zero"):  # pragma: no cover
        pytest.skip("no /dev/zero")
    start = time.perf_counter()
    result = _run("check", "/dev/zero")
    assert result.exit_code == 2 and "larger than" in result.output
    assert time.perf_counter() - start < 10


def test_workers_are_capped_by_the_cores() -> None:
    cores = len(os.sched_getaffinity(0))
    assert cap_workers(10**6) == cores
    assert cap_workers(1) == 1 and cap_workers(None) is None


def test_a_lone_surrogate_reaches_the_cli_as_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text_of(doc()).replace('"pw-1"', '"pw-\\ud800"'), encoding="utf-8")
    result = _run("check", str(path))
    assert result.exit_code == 2 and "surrogate" in result.output
    assert "Traceback" not in result.output


# -- policies and parameters --------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    ({"lesion_min_seconds": 100, "lesion_max_seconds": 90}, "lesion_max_seconds"),
    ({"lesion_min_seconds": -1}, "lesion_min_seconds"),
    ({"blocks_required": 10**22}, "blocks_required"),
    ({"name": ""}, "name"),
    ({"name": " "}, "name"),
    ({"lesion_min_temperature_c": 95, "lesion_max_temperature_c": 90},
     "lesion_max_temperature_c"),
    ({"max_blocks_per_year": 0}, "max_blocks_per_year"),
    ({"block_observation": -MINUTE}, "block_observation"),
    ({"relief_threshold": Fraction(3, 2)}, "relief_threshold"),
    ({"lesion_max_seconds": float("nan")}, "lesion_max_seconds"),
])
def test_absurd_policies_are_refused(change: dict[str, object], field: str) -> None:
    with pytest.raises((ValueError, TypeError), match=field):
        attrs.evolve(SEED, **change)


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "right/UTC",
                                  "posix/Europe/London", "right/America/Chicago", "utc",
                                  "america/chicago", "/etc/localtime", "Mars/Olympus"])
def test_time_zones_that_depend_on_the_host_are_refused(zone: str) -> None:
    with pytest.raises(ValueError, match="time_zone"):
        attrs.evolve(SEED, time_zone=zone)


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "America/Chicago", "America/New_York",
                                  "Asia/Tokyo", "Australia/Brisbane", "Australia/Lord_Howe",
                                  "Pacific/Apia", "Europe/London", "Asia/Kathmandu"])
def test_iana_time_zones_are_kept(zone: str) -> None:
    pw = fc.Pathway.start(referral(), policy=attrs.evolve(SEED, name="z", time_zone=zone))
    assert fc.Pathway.from_json(pw.to_json()).policy.time_zone == zone


_ZONE_NAMES = sorted(zoneinfo.available_timezones())
_HOST_ONLY = ("localtime", "posixrules", "Factory")


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(_ZONE_NAMES) | st.text(max_size=30)
       | st.tuples(st.sampled_from(["posix/", "right/"]), st.sampled_from(_ZONE_NAMES)).map(
           "".join))
def test_a_policy_time_zone_is_an_iana_name_or_refused(zone: str) -> None:
    try:
        policy = attrs.evolve(SEED, name="z", time_zone=zone)
    except ValueError as error:
        assert "time_zone" in str(error)
        return
    assert zone == "UTC" or (zone in _ZONE_NAMES and zone not in _HOST_ONLY)
    pw = fc.Pathway.start(referral(), policy=policy)
    assert fc.Pathway.from_json(pw.to_json()).policy == policy


@pytest.mark.parametrize(("change", "field"), [
    ({"relief_sigma": 700}, "relief_sigma"),
    ({"booking_days": (10**8, 10**8)}, "booking_days"),
    ({"lesions_mean": 1e7}, "lesions_mean"),
    ({"lesions_sd": 1e7}, "lesions_sd"),
    ({"referral_to_block_days": (0, 10**9)}, "referral_to_block_days"),
    ({"follow_up_days": (14, 10**9)}, "follow_up_days"),
    ({"relief_median_days": 1e300}, "relief_median_days"),
    ({"max_negative_blocks": 10**9}, "max_negative_blocks"),
    ({"lesion_seconds": (60, 10**9)}, "lesion_seconds"),
])
def test_absurd_cohort_parameters_are_refused(change: dict[str, object], field: str) -> None:
    with pytest.raises((ValueError, TypeError), match=field):
        attrs.evolve(CohortParams.lumbar(), **change)


# -- identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "said"), [
    ("pw\x00", "control character U+0000"),
    ("pw\x1b[31m", "control character U+001B"),
    ("pw\x7f", "control character U+007F"),
    ("\u202epw", "bidirectional control U+202E"),
    ("pw\u2066x", "bidirectional control U+2066"),
    ("\u200b", "no visible character"),
    ("\u200b\u200c\ufeff", "no visible character"),
    ("\u3000", "must not be empty"),
    ("pw\u2028x", "line or paragraph separator"),
    ("pw\ud800", "lone surrogate"),
    ("x" * 201, "longer than 200"),
    ("\U000e0001\u034f", "no visible character"),
])
def test_identifiers_that_could_spoof_a_screen(value: str, said: str) -> None:
    with pytest.raises(ValueError, match=said.split(" U+", maxsplit=1)[0]) as raised:
        referral(patient_id=value)
    assert "patient_id" in str(raised.value)


def test_ordinary_international_ids_are_kept() -> None:
    for name in ("Müller-7", "患者-12", "محمد", "zwnj-\u200cok", "👩‍⚕️-1", "a b"):
        assert referral(patient_id=name).patient_id == name


def test_free_text_reasons_are_checked_too() -> None:
    with pytest.raises(ValueError, match="reason"):
        ev.Withdrawn(at=T0, reason="\u202eevom")
    assert ev.Withdrawn(at=T0, reason="x" * 2000).reason


def test_medicare_documents_keep_loading() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        pw = fc.Pathway.from_json(path.read_text())
        assert fc.Pathway.from_json(pw.to_json()) == pw
    # A document keeps the policy it was written under: the release's Medicare
    # values (a 14-day block gap, no modality rule), not today's profile.
    policy = fc.Pathway.from_json(
        (FIXTURES / "medicare_sustained_relief.json").read_text()).policy
    assert policy.name == MEDICARE.name and policy != MEDICARE
    assert policy.min_block_gap == 14 * DAY and policy.lesion_modalities is None


# -- work that grows with the log ---------------------------------------------------------
#
# A document within the limits holds tens of thousands of events, so what one
# accepted event costs must not grow with the events before it: a booking that
# copied every past visit made 16,000 booked-and-cancelled visits take half a
# minute to read. Work is counted, not timed: the lines of facetcare run while
# replaying, and the memory every intermediate `Pathway.facts` keeps alive
# (a value copied per event instead of shared grows with the square of the log).
# Replaying four times the events may cost about four times as much (a
# logarithm more at most); what grows with the square of the log costs sixteen.

_PACKAGE = str(Path(fc.__file__).parent)


def _lines_run(replay: Any) -> int:
    """Lines of facetcare's own code run by ``replay()``."""
    count = 0

    def local(frame: Any, event: str, arg: object) -> Any:
        nonlocal count
        count += event == "line"
        return local

    def called(frame: Any, event: str, arg: object) -> Any:
        return local if frame.f_code.co_filename.startswith(_PACKAGE) else None

    before = sys.gettrace()
    sys.settrace(called)
    try:
        replay()
    finally:
        sys.settrace(before)
    return count


def _facts_kept(log: list[ev.Event], policy: fc.Policy) -> int:
    """Bytes kept alive by the facts after every event of ``log``, all held at once."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        pw, held = fc.Pathway(policy=policy), []
        for event in log:
            pw.apply(event)
            held.append(pw.facts)
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def _work(shape: Any, n: int) -> tuple[int, int]:
    """Lines run and bytes kept replaying ``shape(n)``; every event of it is accepted."""
    policy, log = shape(n)
    return _lines_run(lambda: fc.Pathway.replay(log, policy=policy)), _facts_kept(log, policy)


def _cycle(t: dt.datetime, visit: str, targets: tuple[fc.Target, ...],
           score: int | None) -> list[ev.Event]:
    """A block visit booked at ``t`` for a day later, assessed: 8 → ``score`` (None: no diary)."""
    at = t + DAY
    cycle: list[ev.Event] = [
        ev.BlockScheduled(at=t, visit_id=visit, visit_at=at, targets=targets,
                          escort_confirmed=True),
        ev.CheckedIn(at=at, visit_id=visit, escort_present=True),
        ev.BlockPerformed(at=at, visit_id=visit, targets=targets, baseline_pain=8),
        ev.Discharged(at=at + 60 * MINUTE, visit_id=visit, escort_present=True)]
    if score is not None:
        cycle.append(ev.ReliefDiaryRecorded(at=at + 2 * HOUR,
                                            entries=[fc.PainEntry(at + HOUR, score)]))
    return [*cycle, ev.ReliefAssessed(at=at + 6 * HOUR)]


def _bookings(n: int) -> tuple[fc.Policy, list[ev.Event]]:
    """``n`` block visits booked and cancelled: every visit id stays taken."""
    log: list[ev.Event] = [referral()]
    for k in range(n):
        log += [ev.BlockScheduled(at=T0, visit_id=f"v{k}", visit_at=T0, targets=L45,
                                  escort_confirmed=True),
                ev.VisitCancelled(at=T0, visit_id=f"v{k}", reason="x")]
    return SEED, log


def _diaries(n: int) -> tuple[fc.Policy, list[ev.Event]]:
    """One block, then ``n`` diaries of one entry each."""
    log = [referral(), *_cycle(T0, "v1", L45, None)[:4]]
    block = log[3].at
    log += [ev.ReliefDiaryRecorded(at=block + 5 * HOUR,
                                   entries=[fc.PainEntry(block + HOUR + k * SECOND, 3)])
            for k in range(n)]
    return SEED, log


def _capped_blocks(n: int) -> tuple[fc.Policy, list[ev.Event]]:
    """``n`` negative blocks a quarter apart under a yearly cap: each booking counts the year."""
    log: list[ev.Event] = [referral()]
    for k in range(n):
        log += _cycle(T0 + k * 92 * DAY, f"v{k}", L45, None)
    return attrs.evolve(SEED, max_blocks_per_year=4), log


def _series(n: int) -> tuple[fc.Policy, list[ev.Event]]:
    """``n`` positive blocks at L4-L5, each followed by a negative one at L2-L3."""
    log: list[ev.Event] = [referral()]
    for k in range(2 * n):
        log += _cycle(T0 + 2 * k * DAY, f"v{k}", L23 if k % 2 else L45, 8 if k % 2 else 1)
    return SEED, log


def _neurotomy_bookings(n: int) -> tuple[fc.Policy, list[ev.Event]]:
    """``n`` positive blocks, then ``n`` neurotomies booked and cancelled (two blocks needed)."""
    log: list[ev.Event] = [referral()]
    for k in range(n):
        log += _cycle(T0 + 2 * k * DAY, f"b{k}", L45, 1)
    at = T0 + 2 * n * DAY
    for k in range(n):
        log += [ev.NeurotomyScheduled(at=at, visit_id=f"n{k}", visit_at=at + DAY, targets=L45,
                                      escort_confirmed=True),
                ev.VisitCancelled(at=at, visit_id=f"n{k}", reason="x")]
    return attrs.evolve(SEED, blocks_required=2), log



@pytest.mark.parametrize("shape", [_bookings, _diaries, _capped_blocks, _series,
                                   _neurotomy_bookings], ids=lambda shape: shape.__name__)
def test_what_an_event_costs_does_not_grow_with_the_log(shape: Any) -> None:
    (lines, kept), (lines_4n, kept_4n) = _work(shape, 50), _work(shape, 200)
    assert lines_4n < 6 * lines, f"{lines} lines for n, {lines_4n} for 4n"
    assert kept_4n < 6 * kept, f"{kept} bytes kept for n, {kept_4n} for 4n"
