"""Value and event types: bad values fail at construction, naming the field."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from typing import Any

import attrs
import pytest

import facetcare as fc
from facetcare import events as ev
from journey import HOUR, L45, T0, referral

NAIVE = dt.datetime(2026, 3, 2, 9, 0)
TARGET = fc.Target("L4-L5", fc.Side.LEFT)


def _refused(build: Any, error: type[Exception], field: str) -> str:
    with pytest.raises(error) as raised:
        build()
    message = str(raised.value)
    assert re.search(rf"\b{field}\b", message), message
    return message


# -- times ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: fc.PainEntry(NAIVE, 3), "at"),
        (lambda: ev.ReliefAssessed(at=NAIVE), "at"),
        (lambda: ev.BlockScheduled(at=T0, visit_id="b", visit_at=NAIVE, targets=L45),
         "visit_at"),
        (lambda: referral(NAIVE), "at"),
    ],
)
def test_naive_times_are_refused(build: Any, field: str) -> None:
    message = _refused(build, ValueError, field)
    assert "timezone-aware" in message


def test_a_time_must_be_a_datetime() -> None:
    _refused(lambda: ev.Closed(at="2026-03-02T09:00:00+00:00", reason="x"), TypeError, "at")
    _refused(lambda: ev.Closed(at=dt.date(2026, 3, 2), reason="x"), TypeError, "at")


def test_any_fixed_offset_or_zone_is_accepted() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert fc.PainEntry(T0.astimezone(plus_two), 3).at == T0


# -- pain scores ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "error"),
    [(11, ValueError), (-1, ValueError), (True, TypeError), ("5", TypeError), (5.0, TypeError)],
)
def test_pain_scores_are_whole_numbers_from_0_to_10(score: object, error: type) -> None:
    _refused(lambda: fc.PainEntry(T0, score), error, "score")  # type: ignore[arg-type]
    _refused(lambda: ev.FollowUpRecorded(at=T0, pain_score=score), error, "pain_score")
    _refused(lambda: ev.PainReturned(at=T0, pain_score=score), error, "pain_score")
    _refused(
        lambda: ev.BlockPerformed(at=T0, visit_id="b", targets=L45, baseline_pain=score),
        error,
        "baseline_pain",
    )


@pytest.mark.parametrize("score", [0, 10])
def test_the_ends_of_the_scale_are_scores(score: int) -> None:
    assert fc.PainEntry(T0, score).score == score


# -- targets and nerves -----------------------------------------------------------


def test_unknown_joints_are_refused() -> None:
    for joint in ("L6-S1", "L4-L6", "C1-C2", "S1-S2", "L5", ""):
        _refused(lambda joint=joint: fc.Target(joint, fc.Side.LEFT), ValueError, "joint")
    _refused(lambda: fc.Target(45, fc.Side.LEFT), TypeError, "joint")  # type: ignore[arg-type]


@pytest.mark.parametrize(("build", "said"), [
    (lambda: ev.Lesion("L4-L5", 80, 80), "target must be a Target, got 'L4-L5'"),
    (lambda: ev.Target("L4-L5", None), "side must be a Side, got None"),
    (lambda: referral(region=5), "region must be a Region, got 5"),
    (lambda: ev.PolicyChanged(at=T0, policy="medicare-l38803", reason="payer"),
     "policy must be a Policy, got 'medicare-l38803'"),
])
def test_a_value_of_the_wrong_kind_is_refused_in_words(build: Any, said: str) -> None:
    with pytest.raises(TypeError) as refused:
        build()
    assert str(refused.value) == said


def test_an_en_dash_or_lower_case_joint_is_normalised() -> None:
    assert fc.Target("L4\u2013L5", fc.Side.LEFT) == TARGET
    assert fc.Target("l4-l5", "left") == TARGET  # type: ignore[arg-type]
    assert fc.Target(" L4-L5 ", fc.Side.LEFT).joint == "L4-L5"


def test_sides_are_left_or_right() -> None:
    assert fc.Target("L4-L5", "right").side is fc.Side.RIGHT  # type: ignore[arg-type]
    _refused(lambda: fc.Target("L4-L5", "both"), ValueError, "side")  # type: ignore[arg-type]


def test_value_types_accept_positional_arguments_and_events_do_not() -> None:
    lesion = fc.Lesion(TARGET, 90, 85)
    assert (lesion.target, lesion.seconds, lesion.temperature_c) == (TARGET, 90, 85)
    assert fc.Lesion(TARGET, 90).temperature_c is None
    with pytest.raises(TypeError):
        ev.ReliefAssessed(T0)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("joint", "nerves"),
    [
        ("L4-L5", ("L3 medial branch", "L4 medial branch")),
        ("L5-S1", ("L4 medial branch", "L5 dorsal ramus")),
        ("L1-L2", ("T12 medial branch", "L1 medial branch")),
        ("C2-C3", ("third occipital nerve",)),
        ("C3-C4", ("C3 medial branch", "C4 medial branch")),
        ("C7-T1", ("C7 medial branch", "C8 medial branch")),
        ("T1-T2", ("C8 medial branch", "T1 medial branch")),
        ("T12-L1", ("T11 medial branch", "T12 medial branch")),
    ],
)
def test_nerves_supplying_a_joint(joint: str, nerves: tuple[str, ...]) -> None:
    assert fc.Target(joint, fc.Side.RIGHT).nerves == nerves


def test_every_region_has_its_joints() -> None:
    assert fc.Target("C2-C3", fc.Side.LEFT).region is fc.Region.CERVICAL
    assert fc.Target("C7-T1", fc.Side.LEFT).region is fc.Region.CERVICAL
    assert fc.Target("T1-T2", fc.Side.LEFT).region is fc.Region.THORACIC
    assert fc.Target("T12-L1", fc.Side.LEFT).region is fc.Region.THORACIC
    assert fc.Target("L1-L2", fc.Side.LEFT).region is fc.Region.LUMBAR
    assert fc.Target("L5-S1", fc.Side.LEFT).region is fc.Region.LUMBAR


# -- lesions ----------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "error"), [(0, ValueError), (-5, ValueError),
                                                (float("nan"), ValueError),
                                                (True, TypeError), ("90", TypeError)])
def test_lesion_seconds_are_positive_numbers(seconds: object, error: type) -> None:
    _refused(lambda: fc.Lesion(TARGET, seconds), error, "seconds")  # type: ignore[arg-type]


def test_lesion_temperature_is_a_number_or_none() -> None:
    _refused(lambda: fc.Lesion(TARGET, 90, "85"), TypeError, "temperature_c")  # type: ignore[arg-type]
    _refused(lambda: fc.Lesion(TARGET, 90, float("inf")), ValueError, "temperature_c")
    _refused(lambda: fc.Lesion("L4-L5", 90), TypeError, "target")  # type: ignore[arg-type]


# -- collections ------------------------------------------------------------------


def test_targets_lesions_and_entries_must_not_be_empty() -> None:
    _refused(lambda: ev.BlockScheduled(at=T0, visit_id="b", visit_at=T0, targets=()),
             ValueError, "targets")
    _refused(lambda: ev.NeurotomyScheduled(at=T0, visit_id="b", visit_at=T0, targets=[]),
             ValueError, "targets")
    _refused(lambda: ev.BlockPerformed(at=T0, visit_id="b", targets=[], baseline_pain=5),
             ValueError, "targets")
    _refused(lambda: ev.NeurotomyPerformed(at=T0, visit_id="b", lesions=[]), ValueError,
             "lesions")
    _refused(lambda: ev.ReliefDiaryRecorded(at=T0, entries=[]), ValueError, "entries")


def test_duplicate_targets_are_refused() -> None:
    message = _refused(
        lambda: ev.BlockScheduled(at=T0, visit_id="b", visit_at=T0, targets=[TARGET, TARGET]),
        ValueError, "targets")
    assert "repeat" in message
    # The en dash spelling is the same joint, so it is a duplicate too.
    _refused(lambda: ev.BlockPerformed(at=T0, visit_id="b", baseline_pain=5,
                                       targets=[TARGET, fc.Target("L4\u2013L5", "left")]),
             ValueError, "targets")
    both_sides = ev.BlockScheduled(at=T0, visit_id="b", visit_at=T0,
                                   targets=[TARGET, fc.Target("L4-L5", fc.Side.RIGHT)])
    assert len(both_sides.targets) == 2


def test_sets_are_refused_because_they_have_no_order() -> None:
    _refused(lambda: ev.BlockScheduled(at=T0, visit_id="b", visit_at=T0, targets={TARGET}),
             TypeError, "targets")
    _refused(lambda: ev.ReliefDiaryRecorded(at=T0, entries={fc.PainEntry(T0, 2)}), TypeError,
             "entries")
    _refused(lambda: ev.NeurotomyPerformed(at=T0, visit_id="b",
                                           lesions=frozenset({fc.Lesion(TARGET, 90)})),
             TypeError, "lesions")


def test_lists_become_tuples_so_events_stay_hashable() -> None:
    booking = ev.BlockScheduled(at=T0, visit_id="b", visit_at=T0, targets=[TARGET])
    assert booking.targets == (TARGET,)
    assert hash(booking) == hash(ev.BlockScheduled(at=T0, visit_id="b", visit_at=T0,
                                                   targets=(TARGET,)))


def test_collections_hold_their_own_kind() -> None:
    _refused(lambda: ev.BlockScheduled(at=T0, visit_id="b", visit_at=T0, targets=["L4-L5"]),
             TypeError, "targets")
    _refused(lambda: ev.ReliefDiaryRecorded(at=T0, entries=[(T0, 3)]), TypeError, "entries")


def test_a_diary_entry_may_not_be_later_than_the_diary() -> None:
    message = _refused(
        lambda: ev.ReliefDiaryRecorded(at=T0, entries=[fc.PainEntry(T0 + HOUR, 2)]),
        ValueError, "entries")
    assert (T0 + HOUR).isoformat() in message
    same_time = ev.ReliefDiaryRecorded(at=T0, entries=[fc.PainEntry(T0, 2)])
    assert same_time.entries[0].at == same_time.at


# -- identifiers and flags --------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "   "])
def test_identifiers_must_not_be_empty(bad: str) -> None:
    _refused(lambda: ev.CheckedIn(at=T0, visit_id=bad, escort_present=True), ValueError,
             "visit_id")
    _refused(lambda: referral(pathway_id=bad), ValueError, "pathway_id")
    _refused(lambda: referral(patient_id=bad), ValueError, "patient_id")
    _refused(lambda: ev.Closed(at=T0, reason=bad), ValueError, "reason")
    _refused(lambda: ev.VisitCancelled(at=T0, visit_id="b", reason=bad), ValueError, "reason")


def test_identifiers_must_be_strings() -> None:
    _refused(lambda: ev.VisitMissed(at=T0, visit_id=7), TypeError, "visit_id")


def test_flags_are_booleans() -> None:
    _refused(lambda: ev.CheckedIn(at=T0, visit_id="b", escort_present=1), TypeError,
             "escort_present")
    _refused(lambda: ev.Discharged(at=T0, visit_id="b", escort_present="yes"), TypeError,
             "escort_present")
    _refused(lambda: ev.BlockScheduled(at=T0, visit_id="b", visit_at=T0, targets=L45,
                                       escort_confirmed=None), TypeError, "escort_confirmed")
    _refused(lambda: referral(conservative_care_failed="no"), TypeError,
             "conservative_care_failed")


def test_referral_values() -> None:
    _refused(lambda: referral(region="sacral"), ValueError, "region")
    _refused(lambda: referral(pain_months=-1), ValueError, "pain_months")
    _refused(lambda: referral(pain_months="6"), TypeError, "pain_months")
    assert referral(region="cervical").region is fc.Region.CERVICAL
    unknown = ev.Referred(at=T0, pathway_id="p", patient_id="q", region=fc.Region.LUMBAR)
    assert (unknown.pain_months, unknown.conservative_care_failed) == (None, None)


def test_events_are_frozen_values() -> None:
    event = ev.Closed(at=T0, reason="done")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.reason = "other"  # type: ignore[misc]
    assert event == ev.Closed(at=T0, reason="done")
    assert event.kind == "Closed"


def test_value_types_are_exported_from_both_places() -> None:
    assert fc.Target is ev.Target and fc.PainEntry is ev.PainEntry and fc.Lesion is ev.Lesion
    assert fc.Region is ev.Region and fc.Side is ev.Side


def test_policy_profiles_are_values() -> None:
    clinic = attrs.evolve(fc.Policy.seed(), name="clinic", blocks_required=2)
    assert clinic.blocks_required == 2
    assert fc.Policy.seed() == fc.Policy.seed()
    with pytest.raises(ValueError, match="relief_window_min"):
        attrs.evolve(fc.Policy.seed(), relief_window_min=7 * HOUR)
    with pytest.raises(ValueError, match="relief_threshold"):
        attrs.evolve(fc.Policy.seed(), relief_threshold=2)
    with pytest.raises(TypeError, match="relief_threshold"):
        attrs.evolve(fc.Policy.seed(), relief_threshold=0.5)  # not exact
    with pytest.raises(TypeError, match="repeat_min_relief"):
        attrs.evolve(fc.Policy.seed(), repeat_min_relief="half")
    assert attrs.evolve(fc.Policy.seed(), relief_threshold="4/5").relief_threshold == Fraction(4, 5)


def test_stage_is_a_str_enum() -> None:
    assert fc.Stage.REFERRED == "referred"
    assert str(fc.Stage.BLOCK_POSITIVE) == "block_positive"
